"""The last tier of error handling: anything unexpected is logged and shown, and the app goes on.

Expected problems (a bad range, a bad file) are shown where they happen. This
module catches what nobody expected: exceptions escaping a slot, a Python
thread or a worker. Each one is written with its traceback to the log file,
and a dialog tells the user what happened and where the log is; the traceback
itself stays in the log and the details box.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ..core.storage import data_dir
from ..core.url_secrets import scrub

log = logging.getLogger("hpgui")


def log_file() -> Path:
    folder = data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "hpgui.log"


def setup_logging() -> Path:
    path = log_file()
    root = logging.getLogger("hpgui")
    for old in [h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler)]:
        if Path(old.baseFilename) != path:  # the data folder moved (tests, HPGUI_DATA_DIR)
            root.removeHandler(old)
            old.close()
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    return path


class ErrorReporter(QObject):
    """Receives exceptions from any thread and shows them on the GUI thread."""

    reported = Signal(str, str)  # summary, details

    def __init__(self, parent_widget: QWidget | None = None):
        super().__init__()
        self.parent_widget = parent_widget
        self.shown: list[str] = []
        self.quiet = False  # tests set this to collect reports without a modal dialog
        # Queued: the dialog must open on the GUI thread whichever thread raised.
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._previous_hook = None
        self._previous_thread_hook = None

    def install(self) -> None:
        setup_logging()
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self._excepthook
        threading.excepthook = lambda args: self._excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    def uninstall(self) -> None:
        if self._previous_hook is not None:
            sys.excepthook = self._previous_hook
            threading.excepthook = self._previous_thread_hook
            self._previous_hook = None

    def _excepthook(self, exc_type, exc_value, exc_tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        details = "".join(traceback.format_exception(exc_type, exc_value, exc_tb))
        self.report(f"{exc_type.__name__}: {exc_value}", details)

    def report(self, summary: str, details: str = "") -> None:
        # A traceback may quote a storage URL: its password goes neither to the log nor to the dialog.
        summary, details = scrub(summary, None), scrub(details, None)
        log.error("%s\n%s", summary, details)
        self.reported.emit(summary, details)

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        self.shown.append(summary)
        if self.quiet:
            return
        box = QMessageBox(self.parent_widget)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("Something went wrong")
        box.setText("hpgui hit an unexpected problem. Your finished trials are kept, and you can carry on.")
        box.setInformativeText(f"{summary}\n\nThe details are in the log file:\n{log_file()}")
        if details:
            box.setDetailedText(details)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.open()
