"""Rooms whose minimum width does not grow with what they hold.

A layout's minimum is the largest minimum of its contents, so one long label, a filled toolbar or the
widest of eleven stacked views raised the window's minimum past the screen (1400 -> 1862 px on a
1600 px screen), and no window manager can make a window narrower than that. Each of the window's
rooms sits in a scroll area with a fixed minimum instead: below the contents' own minimum the room
scrolls, the window stays as narrow as the user makes it.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QWidget


def bounded(widget: QWidget, min_width: int, name: str, min_height: int = 120) -> QScrollArea:
    """``widget`` in a frameless scroll area whose minimum size is ``min_width`` x ``min_height``."""
    area = QScrollArea()
    area.setObjectName(name)
    area.setWidget(widget)
    area.setWidgetResizable(True)  # the contents fill the room whenever it is large enough
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setMinimumSize(min_width, min_height)
    return area


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" instead of widening its parent; the whole
    text is in the tooltip. Its minimum width is ``min_chars`` average characters, whatever the text."""

    def __init__(self, text: str = "", parent: QWidget | None = None, min_chars: int = 12):
        super().__init__(parent)
        self._full = ""
        self._min_chars = min_chars
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt name)
        self._full = text or ""
        self.setToolTip(self._full if self._full else "")
        self._elide()
        self.updateGeometry()

    def text(self) -> str:
        """The whole text, as given (what is painted may be shortened)."""
        return self._full

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.fontMetrics().averageCharWidth() * self._min_chars), hint.height())

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 8, super().sizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(self.width() - 2, 0))
        QLabel.setText(self, shown)
