"""Start the desktop app: ``hpgui`` or ``hpgui SETUP.json`` / ``hpgui data.csv``."""

from __future__ import annotations

import os
import sys
import time
from typing import Sequence


def run_app(paths: Sequence[str] = (), *, quit_after_ms: int | None = None) -> int:
    """Open the main window (with a setup or CSV file if given) and run the event loop."""
    started = time.time()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from .. import __version__
    from .errors import ErrorReporter, setup_logging
    from .main_window import MainWindow
    from .start_page import app_icon

    imported = time.time()

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("hpgui")
    app.setOrganizationName("hpgui")
    app.setApplicationDisplayName("hpgui")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    # The desktop file's name: lets Wayland and GNOME match the window with its launcher and icon.
    app.setDesktopFileName("io.github.hpgui.hpgui")
    setup_logging()

    window = MainWindow()
    reporter = ErrorReporter(window)
    reporter.install()
    window.error_reporter = reporter
    probe_mode = os.environ.get("HPGUI_STARTUP_PROBE")
    if probe_mode:
        from .startup_probe import StartupProbe

        marks = {"run_app": started, "imported": imported, "window": time.time()}
        window.startup_probe = StartupProbe(app, window, marks, probe_mode, has_file=bool(paths))
    window.show()
    for path in paths:
        window.open_path(path)
    if quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, window.close)
    try:
        return app.exec()
    finally:
        reporter.uninstall()
