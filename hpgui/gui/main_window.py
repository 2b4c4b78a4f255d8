"""Where the main window has always been imported from; it lives in the ``hpgui.gui.window`` package."""

from .window import MainWindow
from .window.opening import example_path
from .prefs import settings

__all__ = ["MainWindow", "example_path", "settings"]
