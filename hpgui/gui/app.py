"""Start the desktop app: ``hpgui`` or ``hpgui SETUP.json`` / ``hpgui data.csv``."""

from __future__ import annotations

import os
import sys
import time
from typing import Sequence


def _warm_up_when_shown(window) -> None:
    """Start the search child and the scikit-learn imports once the window shows what it opened with.

    Both take seconds of CPU; started with the window they slowed its first paint with a file by more
    than a second on a busy two-core machine. A user cannot press Start before the data is shown, so the
    child still has that time plus the user's to get ready.
    """
    from PySide6.QtCore import QTimer

    def go(*_args) -> None:
        if window.isVisible():  # not after the window was closed
            window.warm_up()

    if window.data_panel.is_loading():
        window.data_panel.datasetLoaded.connect(lambda _d: QTimer.singleShot(0, go))
        window.data_panel.loadFailed.connect(lambda *_a: QTimer.singleShot(0, go))
    else:
        QTimer.singleShot(0, go)


def settle_heap() -> None:
    """Take what exists once the app has started out of the garbage collector's reach.

    The imported libraries and the built window are ~270,000 objects that live as long as the app.
    Every full collection walked them all (~170 ms holding the interpreter lock, so the window froze
    that long), and one comes each time something allocates a lot, such as reading a large study.
    Frozen objects are still freed by reference counting; only cycles among them wait for
    ``gc.unfreeze``, and these objects live as long as the process anyway.
    """
    import gc

    gc.collect()
    gc.freeze()


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

    window = MainWindow(defer_warm_up=True)
    reporter = ErrorReporter(window)
    reporter.install()
    window.error_reporter = reporter
    probe_mode = os.environ.get("HPGUI_STARTUP_PROBE")
    if probe_mode:
        from .startup_probe import StartupProbe

        marks = {"run_app": started, "imported": imported, "window": time.time()}
        window.startup_probe = StartupProbe(app, window, marks, probe_mode, has_file=bool(paths))
    window.warmedUp.connect(settle_heap)
    window.show()
    for path in paths:
        window.open_path(path)
    _warm_up_when_shown(window)
    if quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, window.close)
    try:
        return app.exec()
    finally:
        reporter.uninstall()
