"""The trial table: a thin Qt model over the core's TrialStore.

The model sorts itself (numpy argsort over one column) instead of sitting behind
a QSortFilterProxyModel: a proxy compares rows through Python one pair at a
time, which takes seconds at 10,000 trials. Qt asks only for the cells it paints.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ..core.analysis import gap
from ..core.records import shown_state
from ..core.resources import RESOURCE_LABELS
from ..core.trials import TrialStore

NUMBER_ROLE = Qt.ItemDataRole.UserRole + 2

_FIXED = ("#", "state", "score", "± std", "train", "time (s)")
_TRAIN = 4  # the train-score column, which carries the over-fitting mark
OVERFIT_MARK = "⚠"
_OVERFIT_COLOUR = QColor(214, 39, 40)
_STATE_COLOURS = {"failed": QColor(200, 40, 40), "pruned": QColor(130, 130, 130), "running": QColor(40, 110, 200),
                  "stopped": QColor(130, 130, 130)}


def resource_text(resource: Any) -> str | None:
    """"45 / 200 epochs": how far a trial trained of its resource (None for a trial not stopped by one)."""
    if not resource:
        return None
    label = RESOURCE_LABELS.get(resource.get("kind"), resource.get("kind", ""))
    return f"{resource.get('reached')} / {resource.get('max')} {label}"


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
    """Rows are trials; sorted by any column; asks the store only for the cells Qt paints."""

    def __init__(self, store: TrialStore, parent=None):
        super().__init__(parent)
        self.store = store
        self._params: list[str] = []
        self._resource = False
        self._rows = 0
        self._version = -1
        self._best_number: int | None = None
        self._order: np.ndarray | None = None  # row -> store index; None means number order
        self._sort_column = 0
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._gap_threshold: float | None = None
        # number -> ("fold 2/5", seconds so far) of a trial under way; set by the window from its session.
        self.step_of = None

    def set_gap_threshold(self, threshold: float | None) -> None:
        """Mark trials whose train–validation gap exceeds ``threshold`` (None: mark none)."""
        if threshold == self._gap_threshold:
            return
        self._gap_threshold = threshold
        if self._rows:
            self.dataChanged.emit(self.index(0, _TRAIN), self.index(self._rows - 1, _TRAIN))

    def overfit_gap(self, record) -> float | None:
        """The record's gap if it is over the threshold, else None."""
        if self._gap_threshold is None or record.train_score is None or record.value is None \
                or record.state != "complete":
            return None
        g = gap(record.train_score, record.value, self.store.direction == "maximize")
        return g if g > self._gap_threshold else None

    def set_params(self, names: list[str], resource: bool = False) -> None:
        """The hyperparameter columns; ``resource``: a column for how far each trial trained (pruned studies)."""
        self.beginResetModel()
        self._params = list(names)
        self._resource = bool(resource)
        self._rows = len(self.store)
        self._version = self.store.version
        self._order = self._sorted_order()
        self.endResetModel()

    @property
    def params(self) -> list[str]:
        return self._params

    # -- sorting ----------------------------------------------------------------
    def _natural(self) -> bool:
        return self._sort_column == 0 and self._sort_order == Qt.SortOrder.AscendingOrder

    def _sorted_order(self) -> np.ndarray | None:
        n = len(self.store)
        if self._natural() or n == 0:
            return None
        column = self._sort_column
        records = self.store.records
        if column in (2, 3, 4, 5):
            if column == 2:  # the store keeps the scores as an array already
                keys = self.store.arrays().values.copy()
            else:
                attr = ("value", "std", "train_score", "duration_s")[column - 2]
                keys = np.array([getattr(r, attr) if getattr(r, attr) is not None else np.nan for r in records],
                                dtype=float)
            # Missing scores sort last whichever way the column is sorted.
            missing = np.isnan(keys)
            fill = -np.inf if self._sort_order == Qt.SortOrder.DescendingOrder else np.inf
            keys = np.where(missing, fill, keys)
            order = np.argsort(keys, kind="stable")
        else:
            raw = [self._raw(r, column) for r in records]
            numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw if v is not None)
            if numeric:
                keys = np.array([np.inf if v is None else float(v) for v in raw])
                order = np.argsort(keys, kind="stable")
            else:
                order = np.array(sorted(range(n), key=lambda i: ("" if raw[i] is None else str(raw[i]))),
                                 dtype=np.int64)
        if self._sort_order == Qt.SortOrder.DescendingOrder:
            order = order[::-1].copy()
        return order

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = column, order
        self._relayout()

    def _relayout(self) -> None:
        self.layoutAboutToBeChanged.emit()
        before = {}
        for index in self.persistentIndexList():
            before[(index.row(), index.column())] = self._store_index(index.row())
        self._order = self._sorted_order()
        if before:
            where = self._row_of_store_index()
            old, new = [], []
            for (row, column), store_index in before.items():
                old.append(self.index(row, column))
                new.append(self.index(where.get(store_index, row), column))
            self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _store_index(self, row: int) -> int:
        return int(self._order[row]) if self._order is not None else row

    def _row_of_store_index(self) -> dict[int, int]:
        if self._order is None:
            return {i: i for i in range(self._rows)}
        return {int(s): r for r, s in enumerate(self._order)}

    def row_of_number(self, number: int) -> int | None:
        index = self.store.index_of(number)
        if index is None or index >= self._rows:
            return None
        if self._order is None:
            return index
        hits = np.nonzero(self._order == index)[0]
        return int(hits[0]) if len(hits) else None

    # -- keeping up with the store -------------------------------------------------
    def sync(self) -> bool:
        """Catch up with the store: new trials are appended (or sorted in), the best row re-styled."""
        if self.store.version == self._version:
            if self.step_of is not None and self._rows and self.store.count("running"):
                # Trials under way: their fold and time move on with no new record.
                self.dataChanged.emit(self.index(0, 1), self.index(self._rows - 1, 5))
            return False
        n = len(self.store)
        if n < self._rows:
            self.beginResetModel()
            self._rows = n
            self._order = self._sorted_order()
            self.endResetModel()
        elif n > self._rows:
            if self._natural():
                self.beginInsertRows(QModelIndex(), self._rows, n - 1)
                self._rows = n
                self.endInsertRows()
            else:
                # New rows land mid-table: a layout change, so Qt can move the selection along.
                self.beginInsertRows(QModelIndex(), self._rows, n - 1)
                self._rows = n
                current = self._order if self._order is not None else np.arange(0)
                self._order = np.concatenate([current, np.arange(len(current), n)])
                self.endInsertRows()
                self._relayout()
        best = self.store.best
        number = best.number if best is not None else None
        if number != self._best_number:
            for changed in (self._best_number, number):
                row = self.row_of_number(changed) if changed is not None else None
                if row is not None:
                    self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
            self._best_number = number
        self._version = self.store.version
        return True

    # -- Qt model interface -------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._error_column() + 1

    def _error_column(self) -> int:
        return len(_FIXED) + len(self._params) + int(self._resource)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section < len(_FIXED):
            return _FIXED[section]
        section -= len(_FIXED)
        if self._resource:
            if section == 0:
                return "reached"
            section -= 1
        if section < len(self._params):
            return self._params[section]
        return "error"

    def _raw(self, record, column: int) -> Any:
        if column < len(_FIXED):
            return (record.number, record.state, record.value, record.std, record.train_score,
                    record.duration_s)[column]
        column -= len(_FIXED)
        if self._resource:
            if column == 0:
                return resource_text(record.resource)
            column -= 1
        if column < len(self._params):
            return record.params.get(self._params[column])
        return record.error or (" | ".join(record.warnings) if record.warnings else None)

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= self._rows:
            return None
        record = self.store[self._store_index(index.row())]
        column = index.column()
        state = shown_state(record)
        if role == Qt.ItemDataRole.DisplayRole:
            if record.state == "running" and self.step_of is not None and column in (1, 5):
                step, elapsed = self.step_of(record.number)
                if column == 1 and step:
                    return f"running · {step}"  # how far a long trial is, not only that it runs
                if column == 5 and elapsed is not None:
                    return f"{elapsed:.0f}…"
            if column == 1:
                return state
            if column == 5 and record.duration_s is not None:
                return f"{record.duration_s:.2f}"
            if column == _TRAIN and self.overfit_gap(record) is not None:
                return f"{OVERFIT_MARK} {format_value(record.train_score)}"
            return format_value(self._raw(record, column))
        if role == NUMBER_ROLE:
            return record.number
        if role == Qt.ItemDataRole.ForegroundRole and column == _TRAIN and self.overfit_gap(record) is not None:
            return QBrush(_OVERFIT_COLOUR)
        if role == Qt.ItemDataRole.ForegroundRole and state in _STATE_COLOURS and column in (1, 2):
            return QBrush(_STATE_COLOURS[state])
        if role == Qt.ItemDataRole.FontRole and record.number == self._best_number:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self._error_column() and (record.error or record.warnings):
                return record.error or "\n".join(record.warnings)
            if column == _TRAIN and (g := self.overfit_gap(record)) is not None:
                return (f"Over-fitting: the train–validation gap {g:.4g} is above the threshold "
                        f"{self._gap_threshold:.4g} (set on the Train vs validation tab)")
            if column == 3 and record.folds:
                return "fold scores: " + ", ".join(f"{v:.4g}" for v in record.folds)
        if role == Qt.ItemDataRole.TextAlignmentRole and column not in (1, self._error_column()):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class TrialTable(QTableView):
    """Sortable view of the trials; selection is by trial number so it survives sorting."""

    def __init__(self, store: TrialStore, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trialTable")
        self.setAccessibleName("Trial table")
        self.source = TrialTableModel(store, self)
        self.setModel(self.source)
        self.setSortingEnabled(True)
        self.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
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
        # Hyperparameter names are the headers: wide enough to read whole ("min_samples_leaf", not "in_samples_l").
        self.source.modelReset.connect(self._fit_headers)
        self.source.headerDataChanged.connect(lambda *_: self._fit_headers())
        self.source.columnsInserted.connect(lambda *_: self._fit_headers())
        self._fit_headers()

    def _fit_headers(self) -> None:
        header = self.horizontalHeader()
        metrics = header.fontMetrics()
        for section in range(self.source.columnCount() - 1):  # the last (error) column stretches
            text = str(self.source.headerData(section, Qt.Orientation.Horizontal) or "")
            if section == 1:
                text = "running · fold 10/10"  # the longest a state gets
            needed = metrics.horizontalAdvance(text) + 28  # room for the sort arrow
            if header.sectionSize(section) < needed:
                header.resizeSection(section, needed)

    def selected_number(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        if not rows:
            return None
        return rows[0].data(NUMBER_ROLE)

    def select_number(self, number: int | None) -> None:
        if number is None:
            self.clearSelection()
            return
        row = self.source.row_of_number(number)
        if row is not None:
            self.selectRow(row)
            self.scrollTo(self.source.index(row, 0))
