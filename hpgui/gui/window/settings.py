"""What the window restores and saves between runs: geometry, splitters, options."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray

from ..prefs import last_folder, recent_files, remember, settings

if TYPE_CHECKING:
    from .shell import MainWindow

__all__ = ["last_folder", "recent_files", "remember", "restore", "save", "settings"]


def _splitters(window: "MainWindow") -> tuple:
    return (window.main_splitter, window.right_splitter, window.top_splitter)


def restore(window: "MainWindow") -> None:
    s = settings()
    geometry = s.value("window/geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    state = s.value("window/state")
    if isinstance(state, QByteArray):
        window.restoreState(state)
    for splitter in _splitters(window):
        value = s.value(f"splitters/{splitter.objectName()}")
        if isinstance(value, QByteArray):
            splitter.restoreState(value)
    window.actions.show_failed.setChecked(s.value("view/showFailed", True, type=bool))
    # A window saved on a larger screen (or before its minimum was bounded) must still fit this one.
    screen = window.screen()
    if screen is not None:
        room = screen.availableGeometry()
        if window.width() > room.width() or window.height() > room.height():
            window.resize(min(window.width(), room.width()), min(window.height(), room.height()))


def save(window: "MainWindow") -> None:
    s = settings()
    s.setValue("window/geometry", window.saveGeometry())
    s.setValue("window/state", window.saveState())
    for splitter in _splitters(window):
        s.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
    s.setValue("view/showFailed", window.actions.show_failed.isChecked())
    s.sync()
