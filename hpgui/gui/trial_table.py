"""The trial table: a thin Qt model over the core's TrialStore."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ..core.trials import TrialStore

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
NUMBER_ROLE = Qt.ItemDataRole.UserRole + 2

_FIXED = ("#", "state", "score", "± std", "train", "time (s)")
_STATE_COLOURS = {"failed": QColor(200, 40, 40), "pruned": QColor(130, 130, 130), "running": QColor(40, 110, 200)}


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:.6g}"
    return str(value)


class TrialTableModel(QAbstractTableModel):
    """Rows are trials in number order; asks the store only for the cells Qt paints."""

    def __init__(self, store: TrialStore, parent=None):
        super().__init__(parent)
        self.store = store
        self._params: list[str] = []
        self._rows = 0
        self._version = -1
        self._best_number: int | None = None

    def set_params(self, names: list[str]) -> None:
        self.beginResetModel()
        self._params = list(names)
        self._rows = len(self.store)
        self._version = self.store.version
        self.endResetModel()

    @property
    def params(self) -> list[str]:
        return self._params

    def sync(self) -> bool:
        """Catch up with the store; appended trials are inserted, anything else resets."""
        if self.store.version == self._version:
            return False
        n = len(self.store)
        if n > self._rows:
            self.beginInsertRows(QModelIndex(), self._rows, n - 1)
            self._rows = n
            self.endInsertRows()
        elif n < self._rows:
            self.beginResetModel()
            self._rows = n
            self.endResetModel()
        if self._rows:
            # Rows may have been replaced (a running trial finishing): repaint what is visible.
            self.dataChanged.emit(self.index(0, 0), self.index(self._rows - 1, self.columnCount() - 1))
        best = self.store.best
        self._best_number = best.number if best is not None else None
        self._version = self.store.version
        return True

    # -- Qt model interface -------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(_FIXED) + len(self._params) + 1

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section < len(_FIXED):
            return _FIXED[section]
        section -= len(_FIXED)
        if section < len(self._params):
            return self._params[section]
        return "error"

    def _raw(self, record, column: int) -> Any:
        if column == 0:
            return record.number
        if column == 1:
            return record.state
        if column == 2:
            return record.value
        if column == 3:
            return record.std
        if column == 4:
            return record.train_score
        if column == 5:
            return record.duration_s
        column -= len(_FIXED)
        if column < len(self._params):
            return record.params.get(self._params[column])
        return record.error or (" | ".join(record.warnings) if record.warnings else None)

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= self._rows:
            return None
        record = self.store[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 5 and record.duration_s is not None:
                return f"{record.duration_s:.2f}"
            return format_value(self._raw(record, column))
        if role == SORT_ROLE:
            value = self._raw(record, column)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                return float("-inf") if column < len(_FIXED) else ""
            return value if isinstance(value, (int, float)) else str(value)
        if role == NUMBER_ROLE:
            return record.number
        if role == Qt.ItemDataRole.ForegroundRole and record.state in _STATE_COLOURS and column in (1, 2):
            return QBrush(_STATE_COLOURS[record.state])
        if role == Qt.ItemDataRole.FontRole and record.number == self._best_number:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == len(_FIXED) + len(self._params) and (record.error or record.warnings):
                return record.error or "\n".join(record.warnings)
            if column == 3 and record.folds:
                return "fold scores: " + ", ".join(f"{v:.4g}" for v in record.folds)
        if role == Qt.ItemDataRole.TextAlignmentRole and column not in (1, len(_FIXED) + len(self._params)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class _SortProxy(QSortFilterProxyModel):
    def lessThan(self, left, right) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return a < b
        return str(a) < str(b)


class TrialTable(QTableView):
    """Sortable view of the trials; selection is by trial number so it survives sorting."""

    def __init__(self, store: TrialStore, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trialTable")
        self.setAccessibleName("Trial table")
        self.source = TrialTableModel(store, self)
        self.proxy = _SortProxy(self)
        self.proxy.setSourceModel(self.source)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setDefaultSectionSize(90)

    def selected_number(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        if not rows:
            return None
        return rows[0].data(NUMBER_ROLE)

    def select_number(self, number: int | None) -> None:
        if number is None:
            self.clearSelection()
            return
        row = self.source.store.index_of(number)
        if row is None or row >= self.source.rowCount():
            return
        index = self.proxy.mapFromSource(self.source.index(row, 0))
        if index.isValid():
            self.selectRow(index.row())
            self.scrollTo(index)
