"""The main window, as a package of parts with one job each (see shell.py)."""

from .shell import MainWindow

__all__ = ["MainWindow"]
