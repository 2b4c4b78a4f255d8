"""GUI test fixtures: offscreen, private settings, and no thread or timer left running."""

from __future__ import annotations

import gc
import os
import warnings

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QThread, QTimer  # noqa: E402
from shiboken6 import isValid  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _private_settings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


def _live(kind):
    with warnings.catch_warnings():
        # isinstance() on every live object touches deprecated module attributes (torch's, for one).
        warnings.simplefilter("ignore")
        return [o for o in gc.get_objects() if isinstance(o, kind) and isValid(o)]


@pytest.fixture(autouse=True)
def _no_leaks(qapp):
    """Fail a test that leaves a QThread running or a QTimer active (napari does the same)."""
    yield
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        qapp.processEvents()
    gc.collect()
    threads = [t for t in _live(QThread) if t.isRunning() and t is not qapp.thread()]
    timers = [t for t in _live(QTimer) if t.isActive()]
    for thread in threads:  # do not let one leak take the rest of the run down with it
        thread.quit()
        thread.wait(5000)
    for timer in timers:
        timer.stop()
    assert not threads, f"test left {len(threads)} QThread(s) running: {threads}"
    assert not timers, f"test left {len(timers)} QTimer(s) active: " \
                       f"{[(t.objectName(), t.parent()) for t in timers]}"


@pytest.fixture
def window(qtbot):
    """The real main window, shown, answering yes to every confirmation."""
    from hpgui.gui.main_window import MainWindow

    win = MainWindow()
    win.confirm = lambda title, text: True
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()
