"""What an empty window shows: open a CSV, or try an example that is ready to start.

The page only asks; the window does the opening. "Try an example" opens a
setup (dataset + model + ranges + strategy), not only a CSV, so that a single
click on Start then shows a live search.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

EXAMPLE_SETUP = "penguins-setup.json"
MAX_RECENT_SHOWN = 5


def app_icon() -> QIcon:
    """The app icon at every size shipped in hpgui.resources/icons (the SVG if those are missing)."""
    from importlib.resources import files

    resources = files("hpgui.resources")
    icon = QIcon()
    icons = resources / "icons"
    if icons.is_dir():
        for entry in sorted(icons.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".png"):
                icon.addFile(str(entry))
    if icon.isNull():
        icon.addFile(str(resources / "hpgui.svg"))
    return icon


class StartPage(QWidget):
    openCsvRequested = Signal()
    exampleRequested = Signal()
    openSetupRequested = Signal()
    recentRequested = Signal(str)

    def __init__(self, recent: Sequence[str] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("startPage")
        # Keep the window's own background: the page sits where the work area will be.
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(96, 96))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel("<h1>hpgui</h1>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        blurb = QLabel("Find good hyperparameters for a scikit-learn model: open a table, pick what to "
                       "predict and a model, press Start, and watch the search.")
        blurb.setWordWrap(True)
        blurb.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.open_button = self._big_button("Open a CSV…", "Your own data: a CSV or TSV file with a "
                                            "header row. You can also drop it on this window.")
        self.open_button.setObjectName("startOpenCsv")
        self.open_button.clicked.connect(self.openCsvRequested)
        self.example_button = self._big_button("Try an example", "Penguins: a random forest with a "
                                               "Bayesian search, ready to go. Press Start to watch it.")
        self.example_button.setObjectName("startTryExample")
        self.example_button.setDefault(True)
        self.example_button.clicked.connect(self.exampleRequested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addLayout(self._with_caption(self.open_button))
        buttons.addSpacing(24)
        buttons.addLayout(self._with_caption(self.example_button))
        buttons.addStretch(1)

        setup_link = QLabel('<a href="setup">Open a saved setup…</a>')
        setup_link.setObjectName("startOpenSetup")
        setup_link.setAlignment(Qt.AlignmentFlag.AlignCenter)
        setup_link.linkActivated.connect(lambda _: self.openSetupRequested.emit())

        self.recent_box = QFrame()
        self.recent_box.setObjectName("startRecent")
        recent_layout = QVBoxLayout(self.recent_box)
        recent_layout.setContentsMargins(0, 12, 0, 0)
        self.recent_links: list[QLabel] = []
        existing = [p for p in recent if Path(p).exists()][:MAX_RECENT_SHOWN]
        if existing:
            heading = QLabel("<b>Recent files</b>")
            heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
            recent_layout.addWidget(heading)
        for path in existing:
            link = QLabel(f'<a href="{html.escape(path)}">{html.escape(Path(path).name)}</a>')
            link.setToolTip(path)
            link.setAlignment(Qt.AlignmentFlag.AlignCenter)
            link.linkActivated.connect(self.recentRequested)
            recent_layout.addWidget(link)
            self.recent_links.append(link)
        self.recent_box.setVisible(bool(existing))

        column = QVBoxLayout()
        column.addStretch(2)
        for widget in (logo, title, blurb):
            column.addWidget(widget)
        column.addSpacing(24)
        column.addLayout(buttons)
        column.addSpacing(12)
        column.addWidget(setup_link)
        column.addWidget(self.recent_box)
        column.addStretch(3)
        body = QWidget()
        body.setLayout(column)
        body.setMaximumWidth(640)  # short lines read better than a sentence across a wide window
        outer = QHBoxLayout(self)
        outer.addWidget(body, 0, Qt.AlignmentFlag.AlignHCenter)

    @staticmethod
    def _with_caption(button: QPushButton) -> QVBoxLayout:
        caption = QLabel(button.toolTip())
        caption.setWordWrap(True)
        caption.setMaximumWidth(260)
        caption.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        box = QVBoxLayout()
        box.addWidget(button)
        box.addWidget(caption)
        return box

    @staticmethod
    def _big_button(text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setMinimumSize(260, 56)
        font = button.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        button.setFont(font)
        return button
