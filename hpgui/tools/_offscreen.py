"""Start-up and waiting shared by the screenshot tools.

Each tool runs the real window offscreen in a scratch data folder and scratch
settings, so taking pictures never touches the user's studies or preferences.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def start_app():
    """Point data and settings at a fresh scratch folder and return the QApplication.

    Must run before anything imports hpgui.gui: HPGUI_DATA_DIR is read when the
    storage paths are first asked for.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scratch = Path(tempfile.mkdtemp(prefix="hpgui-shots-"))
    os.environ["HPGUI_DATA_DIR"] = str(scratch / "data")

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(scratch / "settings"))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("hpgui")
    return app


def show_window(width: int = 1440, height: int = 900):
    """A shown MainWindow at the size the docs' screenshots use."""
    from hpgui.gui.main_window import MainWindow

    window = MainWindow()
    window.resize(width, height)
    window.show()
    return window


def wait(signal, timeout_ms: int) -> None:
    """Run the event loop until `signal` fires or the timeout passes."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def settle(ms: int = 300) -> None:
    """Let queued repaints and layout finish before a grab."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
