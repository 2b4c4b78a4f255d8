"""Start the desktop app: ``hpgui`` or ``hpgui SETUP.json`` / ``hpgui data.csv``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence


def run_app(paths: Sequence[str] = (), *, quit_after_ms: int | None = None) -> int:
    """Open the main window (with a setup or CSV file if given) and run the event loop."""
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from .. import __version__
    from .errors import ErrorReporter, setup_logging
    from .main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("hpgui")
    app.setOrganizationName("hpgui")
    app.setApplicationDisplayName("hpgui")
    app.setApplicationVersion(__version__)
    from importlib.resources import files

    icon = Path(str(files("hpgui.resources") / "hpgui.svg"))
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    setup_logging()

    window = MainWindow()
    reporter = ErrorReporter(window)
    reporter.install()
    window.error_reporter = reporter
    window.show()
    for path in paths:
        window.open_path(path)
    if quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, window.close)
    try:
        return app.exec()
    finally:
        reporter.uninstall()
