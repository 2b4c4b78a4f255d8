"""File → Studies…: every stored study in a sortable table, with Open, Resume, Rename, Delete, Export, Compare.

Listing reads every study's trials, so it runs on a thread-pool worker; the
table fills when it is done. Rename and Delete refuse the study the window is
running or watching, and Delete names the study and its trial count before it
asks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QHBoxLayout, QHeaderView, QInputDialog,
                               QLabel, QMessageBox, QPushButton, QTableView, QVBoxLayout, QWidget)

from ..core.catalog import MODELS
from ..core.library import LibraryError, StudyInfo, list_studies, scrub, storage_label
from ..core.study_edit import delete_study, rename_study
from ..core.formatting import format_number
from ..core.session import Session
from .folder_dialog import choose_folder
from .notifier import Notifier
from .storage_field import StorageField, remember_storage
from .tasks import BackgroundTask, describe
from .prefs import last_folder

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Study", "Model", "Dataset", "Strategy", "Trials", "Best", "Metric", "Created", "Last trial")


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def model_label(name: str | None) -> str:
    if name is None:
        return ""
    # "svm+knn": a study that searched several models
    return " + ".join(MODELS[n].label if n in MODELS else n for n in name.split("+"))


class StudyTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.infos: list[StudyInfo] = []

    def set_infos(self, infos: list[StudyInfo]) -> None:
        self.beginResetModel()
        self.infos = list(infos)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.infos)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        info = self.infos[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(info, column)
        if role == SORT_ROLE:
            return self._key(info, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if info.problem:
                return info.problem
            if column == "Trials":
                return info.counts_text()
            if column == "Dataset":
                return info.dataset_path
            if column == "Best" and info.best_trial is not None:
                return f"trial {info.best_trial}"
            if column == "Study" and not info.made_by_hpgui:
                return "made outside hpgui: it can be watched, compared and deleted, not resumed"
        if role == Qt.ItemDataRole.ForegroundRole and (info.problem or not info.made_by_hpgui):
            return QBrush(QColor(200, 40, 40)) if info.problem else QBrush(QColor(128, 128, 128))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in ("Trials", "Best"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(info: StudyInfo, column: str) -> str:
        if column == "Study":
            if info.problem:
                return f"⚠ {info.name}"
            return info.name if info.made_by_hpgui else f"{info.name} (not hpgui)"
        if info.problem:
            return info.problem if column == "Model" else ""
        if column == "Model":
            return model_label(info.model)
        if column == "Dataset":
            return info.dataset or ""
        if column == "Strategy":
            return info.strategy or ""
        if column == "Trials":
            text = str(info.finished)
            if info.budget:
                text += f" / {info.budget}"
            bad = info.counts.get("failed", 0) + info.counts.get("pruned", 0)
            if bad:
                text += f" ({bad} ✗)"
            if info.counts.get("running"):
                text += f" ({info.counts['running']} running)"
            return text
        if column == "Best":
            return format_number(info.best) if info.best is not None else ""
        if column == "Metric":
            return info.metric_label
        if column == "Created":
            return _date(info.created)
        if column == "Last trial":
            return _date(info.last_trial)
        return ""

    @staticmethod
    def _key(info: StudyInfo, column: str) -> Any:
        if column == "Trials":
            return info.finished
        if column == "Best":
            return info.best if info.best is not None else float("-inf")
        if column in ("Created", "Last trial"):
            value = info.created if column == "Created" else info.last_trial
            return value.isoformat() if value is not None else ""
        return StudyTableModel._text(info, column).lower()


class LibraryDialog(QDialog):
    """Asks the session what the window does with a study; asks the window for nothing, and tells it what
    the user chose through signals."""

    listed = Signal()          # a listing arrived (or failed)
    changed = Signal(str)      # a study was renamed or deleted; what happened
    openRequested = Signal(object, str)            # storage, study
    resumeRequested = Signal(object, str)
    exportRequested = Signal(object, str, str)     # storage, study, folder
    compareRequested = Signal(list)                # [(storage, study), ...]

    def __init__(self, session: Session, notifier: Notifier, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("libraryDialog")
        self.setWindowTitle("Studies — hpgui")
        self.session = session
        self.notifier = notifier
        self.confirm: Callable[[str, str], bool] = self._ask
        self.ask_name: Callable[[str], str | None] = self._ask_name
        self.choose_folder: Callable[[], str] = \
            lambda: choose_folder(self, "Export into folder", last_folder(), "hpgui-export")
        self.listing = BackgroundTask(self, notifier=notifier)
        self._storage: str | None = None

        self.storage_field = StorageField(self)
        self.refresh_button = QPushButton("&Refresh", self)
        self.refresh_button.clicked.connect(self.refresh)
        self.storage_field.changed.connect(self._storage_changed)
        top = QHBoxLayout()
        top.addWidget(QLabel("&Storage:", self, buddy=self.storage_field.combo))
        top.addWidget(self.storage_field, 1)
        top.addWidget(self.refresh_button)

        self.model = StudyTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.table.setObjectName("studyTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COLUMNS.index("Last trial"), Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _: self.open_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        self.status = QLabel(self)
        self.status.setObjectName("libraryStatus")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        self.open_button = self._button("&Open", self.open_selected,
                                        "Show the study's trials and charts, and load its setup into the forms")
        self.resume_button = self._button("Res&ume", self.resume_selected,
                                          "Open the study and run the rest of its trial budget")
        self.rename_button = self._button("Re&name…", self.rename_selected, "Give the study a new name")
        self.delete_button = self._button("&Delete…", self.delete_selected, "Delete the study and its trials")
        self.export_button = self._button("&Export…", self.export_selected,
                                          "Write best.json, the script, the refitted model and the trial table")
        self.compare_button = self._button("&Compare Selected", self.compare_selected,
                                           "Draw the best-so-far curves of the selected studies on the Compare tab")
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)
        for b in (self.open_button, self.resume_button, self.rename_button, self.delete_button,
                  self.export_button, self.compare_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(1100, 520)
        self._update_buttons()
        self.refresh()

    def _button(self, text: str, slot, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    # -- listing ---------------------------------------------------------------------------------
    def _storage_changed(self) -> None:
        try:
            storage = self.storage_field.storage()
        except LibraryError as exc:
            self.status.setText(str(exc))
            return
        if storage != self._storage:
            self.refresh()

    def refresh(self) -> None:
        try:
            storage = self.storage_field.storage()
        except LibraryError as exc:
            self.status.setText(str(exc))
            self.listed.emit()
            return
        self._storage = storage
        self.status.setText(f"Reading the studies in {storage_label(storage)}…")

        def returned(infos: list[StudyInfo]) -> None:
            remember_storage(storage)
            self.model.set_infos(infos)
            self.table.resizeColumnsToContents()
            self.table.horizontalHeader().resizeSection(COLUMNS.index("Model"), 150)
            broken = sum(1 for i in infos if i.problem)
            text = f"{len(infos)} studies in {storage_label(storage)}"
            if broken:
                text += f" ({broken} cannot be read; hover over them for why)"
            self.status.setText(text + "." if infos else f"No studies in {storage_label(storage)} yet.")
            self._update_buttons()

        def errored(exc: BaseException) -> None:
            self.model.set_infos([])
            self.status.setText(scrub(describe(exc), storage))

        def done() -> None:
            self.refresh_button.setEnabled(True)
            self.listed.emit()

        # The latest listing wins: one for a storage picked meanwhile replaces this one.
        self.listing.start(list_studies, storage, on_result=returned, on_error=errored, on_done=done)
        self.refresh_button.setEnabled(False)

    def selected(self) -> list[StudyInfo]:
        rows = sorted({self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.infos[r] for r in rows]

    def select(self, *names: str) -> None:
        """Select the rows of these studies (for tests and after a rename)."""
        self.table.clearSelection()
        flags = self.table.selectionModel().SelectionFlag.Select | self.table.selectionModel().SelectionFlag.Rows
        for row in range(self.proxy.rowCount()):
            info = self.model.infos[self.proxy.mapToSource(self.proxy.index(row, 0)).row()]
            if info.name in names:
                self.table.selectionModel().select(self.proxy.index(row, 0), flags)

    def _update_buttons(self) -> None:
        chosen = self.selected()
        one = chosen[0] if len(chosen) == 1 and chosen[0].problem is None else None
        running = self.session.running
        self.open_button.setEnabled(one is not None and not running)
        self.resume_button.setEnabled(one is not None and one.made_by_hpgui and not running)
        self.rename_button.setEnabled(one is not None)
        self.delete_button.setEnabled(len(chosen) == 1)
        self.export_button.setEnabled(one is not None and one.made_by_hpgui and one.best is not None)
        self.compare_button.setEnabled(bool(chosen) and all(i.problem is None for i in chosen))

    # -- actions ---------------------------------------------------------------------------------
    def _one(self) -> StudyInfo | None:
        chosen = self.selected()
        return chosen[0] if len(chosen) == 1 else None

    def open_selected(self) -> None:
        info = self._one()
        if info is None or info.problem or self.session.running:
            return
        self.openRequested.emit(info.storage, info.name)
        self.close()

    def resume_selected(self) -> None:
        info = self._one()
        if info is None or not info.made_by_hpgui or self.session.running:
            return
        self.resumeRequested.emit(info.storage, info.name)
        self.close()

    def _busy(self, info: StudyInfo, what: str) -> bool:
        doing = self.session.busy_with(info.storage, info.name)
        if doing is not None:
            self.status.setText(f"Cannot {what} study {info.name}: the window is {doing} it. Stop first.")
        return doing is not None

    def rename_selected(self) -> None:
        info = self._one()
        if info is None or self._busy(info, "rename"):
            return
        new = self.ask_name(info.name)
        if not new or new.strip() == info.name:
            return
        try:
            rename_study(info.storage, info.name, new.strip())
        except LibraryError as exc:
            self._warn("Cannot rename the study", str(exc))
            return
        self.session.renamed(info.storage, info.name, new.strip())
        self.changed.emit(f"renamed {info.name} to {new.strip()}")
        self.refresh()

    def delete_selected(self) -> None:
        info = self._one()
        if info is None or self._busy(info, "delete"):
            return
        what = f"its {info.trials} trials" if info.problem is None else "its file, which cannot be read"
        if not self.confirm("Delete study?", f"Delete study {info.name!r} and {what}?\n\nThis cannot be undone."):
            return
        try:
            if info.problem is not None and info.path is not None:
                info.path.unlink(missing_ok=True)
            else:
                delete_study(info.storage, info.name)
        except (LibraryError, OSError) as exc:
            self._warn("Cannot delete the study", str(exc))
            return
        self.session.forget(info.storage, info.name)  # its trials stay on screen; nothing left to export
        self.changed.emit(f"deleted {info.name}")
        self.refresh()

    def export_selected(self) -> None:
        info = self._one()
        if info is None:
            return
        folder = self.choose_folder()
        if folder:
            self.exportRequested.emit(info.storage, info.name, folder)

    def compare_selected(self) -> None:
        chosen = [i for i in self.selected() if i.problem is None]
        if not chosen:
            return
        self.compareRequested.emit([(i.storage, i.name) for i in chosen])
        self.close()

    # -- asking ----------------------------------------------------------------------------------
    def _warn(self, title: str, text: str) -> None:
        self.status.setText(text)
        self.notifier.warn(title, text, parent=self)

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _ask_name(self, current: str) -> str | None:
        text, ok = QInputDialog.getText(self, "Rename study", "New name:", text=current)
        return text if ok else None
