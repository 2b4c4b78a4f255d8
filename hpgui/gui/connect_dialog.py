"""File → Connect to study…: pick a storage URL and a study in it, then the window watches that study.

The password has its own masked field and is never saved; the study list is
read in the background so a slow or unreachable server does not freeze the
window, and errors show with the password hidden.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from ..core.library import LibraryError, scrub, storage_label, study_names
from .notifier import Notifier
from .storage_field import StorageField, remember_storage
from .tasks import BackgroundTask, describe


class ConnectDialog(QDialog):
    chosen = Signal(object, str)   # storage URL (None: default), study name
    listed = Signal()              # the study list arrived, or listing failed

    def __init__(self, notifier: Notifier | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("connectDialog")
        self.setWindowTitle("Connect to study — hpgui")
        self.listing = BackgroundTask(self, notifier=notifier)
        self.storage_field = StorageField(self)
        self.study_combo = QComboBox(self)
        self.study_combo.setObjectName("studyCombo")
        self.study_combo.setEditable(True)
        self.study_combo.setAccessibleName("Study name")
        self.study_combo.setMinimumContentsLength(28)
        self.list_button = QPushButton("&List Studies", self)
        self.list_button.setToolTip("Read the names of the studies in this storage")
        self.list_button.clicked.connect(self.list_studies)
        study_row = QHBoxLayout()
        study_row.addWidget(self.study_combo, 1)
        study_row.addWidget(self.list_button)
        form = QFormLayout()
        form.addRow("&Storage:", self.storage_field)
        form.addRow("S&tudy:", study_row)
        self.status = QLabel("A database URL such as postgresql://user@host/db (the password goes in its own "
                             "field), or a journal or SQLite file. Workers started with hpgui worker fill the "
                             "study; this window shows their trials as they finish.", self)
        self.status.setObjectName("connectStatus")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.watch_button = self.buttons.addButton("&Watch", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.watch)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.storage_field.changed.connect(self.study_combo.clear)
        self.resize(720, 200)

    def list_studies(self) -> None:
        try:
            storage = self.storage_field.storage()
        except LibraryError as exc:
            self.status.setText(str(exc))
            self.listed.emit()
            return
        self.status.setText(f"Reading the studies in {storage_label(storage)}…")
        self.list_button.setEnabled(False)

        def returned(names: list[str]) -> None:
            current = self.study_combo.currentText()
            self.study_combo.clear()
            self.study_combo.addItems(names)
            if current in names:
                self.study_combo.setCurrentText(current)
            self.status.setText(f"{len(names)} studies in {storage_label(storage)}." if names
                                else f"No studies in {storage_label(storage)}.")

        def errored(exc: BaseException) -> None:
            self.status.setText(scrub(describe(exc), storage))

        def done() -> None:
            self.list_button.setEnabled(True)
            self.listed.emit()

        self.listing.start(study_names, storage, on_result=returned, on_error=errored, on_done=done)

    def watch(self) -> None:
        try:
            storage = self.storage_field.storage()
        except LibraryError as exc:
            self.status.setText(str(exc))
            return
        name = self.study_combo.currentText().strip()
        if not name:
            self.status.setText("Pick a study (List Studies reads their names) or type its name.")
            return
        remember_storage(storage)
        self.chosen.emit(storage, name)
        self.accept()
