"""The one way the window and its dialogs tell the user something: status lines, messages, questions.

Dialogs get a :class:`Notifier` instead of the window. Every message box is also recorded in
``messages`` (title, text), which tests and the log read; ``confirm`` can be replaced (tests answer
for the user).
"""

from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)


class Notifier(QObject):
    status = Signal(str)  # a line for the status bar
    storageNote = Signal(str)  # a journal repaired or a dead lock removed, from any thread (core.journal_repair)

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self._parent = parent
        self.messages: list[tuple[str, str]] = []
        self.confirm: Callable[[str, str], bool] = self._ask
        self.error_reporter = None  # errors.ErrorReporter, once the app installed one
        # Queued to the GUI thread: the repair runs where the study is opened, often a background task.
        self.storageNote.connect(lambda text: self.info("Study storage", text))
        from ..core import journal_repair
        from shiboken6 import isValid

        def hear(text: str) -> None:
            if isValid(self):
                self.storageNote.emit(text)
            elif hear in journal_repair.listeners:
                journal_repair.listeners.remove(hear)

        journal_repair.listeners.append(hear)

    def say(self, text: str) -> None:
        self.status.emit(text)

    def show(self, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Information,
             parent: QWidget | None = None) -> None:
        """A message box that does not block; recorded in ``messages``."""
        self.messages.append((title, text))
        log.info("%s: %s", title, text)
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent or self._parent)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def info(self, title: str, text: str, parent: QWidget | None = None) -> None:
        self.show(title, text, QMessageBox.Icon.Information, parent)

    def warn(self, title: str, text: str, parent: QWidget | None = None) -> None:
        self.show(title, text, QMessageBox.Icon.Warning, parent)

    def unexpected(self, title: str, details: str) -> None:
        """Something that should not happen: to the error reporter (log file named) if there is one."""
        if self.error_reporter is not None:
            self.messages.append((title, details))
            self.error_reporter.report(title, details)
        else:
            self.show(title, details, QMessageBox.Icon.Critical)

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self._parent, title, text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes
