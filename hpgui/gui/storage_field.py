"""Where studies are stored, as the user picks it: the default, a remembered URL, or a file.

The password is a separate, masked field and is never saved: remembered URLs
are stored without it (``postgresql://ana@db/hp``), and the password is put
back into the URL only when a storage is opened.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

from ..core import url_secrets
from ..core.library import LibraryError
from ..core.storage import file_storage_url

DEFAULT_LABEL = "This computer (default)"
SETTINGS_KEY = "studies/storages"
MAX_REMEMBERED = 10


def _settings():
    from .prefs import settings

    return settings()


def remembered_storages() -> list[str]:
    return [u for u in _settings().value(SETTINGS_KEY, [], type=list) if u]


def remember_storage(url: str | None) -> None:
    """Put a storage at the top of the remembered list, without its password."""
    if not url:
        return
    bare, _ = url_secrets.split(url)
    urls = [bare, *[u for u in remembered_storages() if u != bare]][:MAX_REMEMBERED]
    s = _settings()
    s.setValue(SETTINGS_KEY, urls)
    s.sync()


class StorageField(QWidget):
    """A storage picker: an editable list of URLs (the default first), a password, and Browse…"""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, with_default: bool = True):
        super().__init__(parent)
        self.combo = QComboBox(self)
        self.combo.setObjectName("storageCombo")
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.setMinimumContentsLength(36)
        self.combo.setAccessibleName("Storage URL")
        self.combo.setToolTip("Where the studies are: this computer's study folder, a database URL such as "
                              "postgresql://user@host/db, or a journal or SQLite file")
        if with_default:
            self.combo.addItem(DEFAULT_LABEL, None)
        for url in remembered_storages():
            self.combo.addItem(url, url)
        self.password = QLineEdit(self)
        self.password.setObjectName("storagePassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("password")
        self.password.setAccessibleName("Database password")
        self.password.setToolTip("The database password; it is used to connect and never saved or shown")
        self.password.setMaximumWidth(150)
        self.browse = QPushButton("&File…", self)
        self.browse.setToolTip("Pick a study journal file (.journal) or an SQLite database (.db)")
        self.browse.clicked.connect(self._browse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.password)
        layout.addWidget(self.browse)
        self.combo.currentIndexChanged.connect(self._on_index)
        self.combo.lineEdit().editingFinished.connect(self.changed)
        self.password.editingFinished.connect(self.changed)
        self._on_index()

    def _on_index(self, *_) -> None:
        self.password.setEnabled(self.combo.currentData() is not None or self.combo.currentText() != DEFAULT_LABEL)
        self.changed.emit()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Study file", "",
                                              "Study files (*.journal *.db *.sqlite *.sqlite3);;All files (*)")
        if path:
            self.set_storage(file_storage_url(path))

    def set_storage(self, url: str | None) -> None:
        """Show ``url`` (its password moves to the password field)."""
        if not url:
            self.combo.setCurrentIndex(0)
            return
        bare, password = url_secrets.split(url)
        index = self.combo.findText(bare)
        if index < 0:
            self.combo.addItem(bare, bare)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)
        if password is not None:
            self.password.setText(password)
        self.changed.emit()

    def storage(self) -> str | None:
        """The storage to open: None for the default, else the URL with the password put in."""
        text = self.combo.currentText().strip()
        if not text or text == DEFAULT_LABEL:
            return None
        bare, typed = url_secrets.split(text)
        if typed is not None:
            # A password typed into the URL moves to its field, so the list never shows it.
            self.password.setText(typed)
            self.combo.setEditText(bare)
        try:
            return url_secrets.join(bare, self.password.text())
        except url_secrets.UrlSecretError as exc:
            raise LibraryError(str(exc)) from None

    def label(self) -> str:
        text = self.combo.currentText().strip()
        return DEFAULT_LABEL if not text or text == DEFAULT_LABEL else url_secrets.split(text)[0]
