"""The data panel's two thin models over core data.

`DataFrameModel` formats only the cells a view asks for (so a million-row file previews instantly) and
`ColumnListModel` shows one row per column profile with the feature tick boxes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette

from hpgui.core.dataset import Dataset, default_features

if TYPE_CHECKING:
    import pandas as pd
else:  # imported with the first file, not before the window opens
    from hpgui.core.lazy import lazy_module

    pd = lazy_module("pandas")


_MISSING_TIP = "missing"
_TASK_TIPS = {
    "classification": "Predict a category (a class label) for each row.",
    "regression": "Predict a number for each row.",
    "clustering": "Group similar rows; no target column is needed.",
}
_KIND_TIPS = {
    "numeric": "Numbers: used as a feature (scaled, missing values imputed).",
    "categorical": "A few repeating values: used as a feature (one-hot encoded).",
    "text": "Looks like free text (long or wordy values). Left out by default: each distinct text would "
            "become its own one-hot column, which rarely helps. Tick it to use it as categories anyway.",
    "id": "Looks like an identifier (every value is different). Left out by default: a row's id says "
          "nothing about other rows. Tick it to use it as categories anyway.",
    "datetime": "Looks like dates or times. Left out by default: as plain categories dates teach a model "
                "little. A setup file's data.dates turns it into year, month, day-of-week or hour features; "
                "ticked here, it is used as categories.",
    "constant": "Has the same value in every row, so it carries no information. It is left out of "
                "training even if ticked.",
}


def _muted_color() -> QColor:
    return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)


# ----------------------------------------------------------------------------- preview model


class DataFrameModel(QAbstractTableModel):
    """Read-only preview of a pandas DataFrame; formats only the cells Qt asks for (visible ones)."""

    _RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    _LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def __init__(self, frame: pd.DataFrame | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._frame: pd.DataFrame | None = None
        self._rows = 0
        self._names: list[str] = []
        self._dtypes: list = []
        self._numeric: list[bool] = []
        self._columns: dict[int, object] = {}  # column -> numpy array or ExtensionArray, filled on demand
        if frame is not None:
            self.set_frame(frame)

    def frame(self) -> pd.DataFrame | None:
        return self._frame

    def set_frame(self, frame: pd.DataFrame | None) -> None:
        """O(columns), never O(rows): nothing is formatted or copied until a view asks."""
        self.beginResetModel()
        self._frame = frame
        self._columns.clear()
        if frame is None:
            self._rows, self._names, self._dtypes, self._numeric = 0, [], [], []
        else:
            self._rows = len(frame.index)
            self._names = [str(c) for c in frame.columns]
            self._dtypes = list(frame.dtypes)
            self._numeric = [pd.api.types.is_numeric_dtype(d) and not pd.api.types.is_bool_dtype(d)
                             for d in self._dtypes]
        self.endResetModel()

    # -- Qt API

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._names)

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self._frame is None:
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < self._rows and 0 <= col < len(self._names)):
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._RIGHT if self._numeric[col] else self._LEFT
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                        Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole,
                        Qt.ItemDataRole.UserRole):
            return None
        value = self._column(col)[row]
        if role == Qt.ItemDataRole.UserRole:
            return value.item() if isinstance(value, np.generic) else value
        text = _format_cell(value)
        if text is None:  # missing
            if role == Qt.ItemDataRole.DisplayRole:
                return ""
            if role == Qt.ItemDataRole.ToolTipRole:
                return _MISSING_TIP
            color = _muted_color()
            if role == Qt.ItemDataRole.ForegroundRole:
                return color
            color.setAlpha(60)
            return QBrush(color, Qt.BrushStyle.BDiagPattern)
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return text if len(text) > 24 else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self._names):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return self._names[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{self._names[section]} ({self._dtypes[section]})"
            return None
        if not 0 <= section < self._rows:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Data row {section + 1} (line {section + 2} of the file, after the header)"
        return None

    def _column(self, col: int):
        values = self._columns.get(col)
        if values is None:
            series = self._frame.iloc[:, col]
            dtype = series.dtype
            # Plain numpy columns are viewed without a copy; extension arrays (pandas strings,
            # nullable ints, dates) index one scalar at a time, so nothing is converted up front.
            if isinstance(dtype, np.dtype) and dtype.kind in "biufO":
                values = series.to_numpy(copy=False)
            else:
                values = series.array
            self._columns[col] = values
        return values


def _format_cell(value) -> str | None:
    """Compact text for one cell, or None when the cell is missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, (float, np.floating)):
        return None if value != value else f"{value:.6g}"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp):
        text = value.isoformat(sep=" ")
        return text[:-9] if text.endswith(" 00:00:00") else text
    try:
        if pd.isna(value) is True:
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


# ----------------------------------------------------------------------------- column list model


class ColumnListModel(QAbstractTableModel):
    """One row per column: [use as feature checkbox] name | kind | missing | distinct. The target row is shown bold
    with "target" instead of a checkbox and cannot be ticked. Columns whose kind is not usable (text, id, datetime,
    constant) start unticked and show the kind in a muted colour with a tooltip explaining why they are left out
    by default (the user may still tick them)."""

    USE, NAME, KIND, MISSING, DISTINCT = range(5)
    HEADERS = ("Use", "Column", "Kind", "Missing", "Distinct")
    _HEADER_TIPS = (
        "Tick the columns the model may learn from (its features).",
        "The column's name in the file.",
        "What the column looks like: numeric, categorical, text, id, datetime or constant.",
        "How many cells of the column are empty or marked as missing (NA, ?, -, ...).",
        "How many different values the column holds (missing cells not counted).",
    )

    checkedChanged = Signal()  # the user ticked or unticked a feature

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._dataset: Dataset | None = None
        self._names: list[str] = []
        self._target: str | None = None
        self._checked: set[str] = set()

    # -- core-facing API (emits no checkedChanged: the caller knows what it changed)

    def set_dataset(self, dataset: Dataset | None, target: str | None = None,
                    features: list[str] | None = None) -> None:
        """features None = the defaults for the target (usable columns)."""
        self.beginResetModel()
        self._dataset = dataset
        self._names = list(dataset.profiles) if dataset is not None else []
        self._target = target if target in self._names else None
        if dataset is None:
            self._checked = set()
        elif features is None:
            self._checked = set(default_features(dataset, self._target))
        else:
            self._checked = {f for f in features if f in dataset.profiles and f != self._target}
        self.endResetModel()

    def dataset(self) -> Dataset | None:
        return self._dataset

    def target(self) -> str | None:
        return self._target

    def set_target(self, name: str | None) -> None:
        """The new target loses its tick; the old one becomes a ticked feature if usable."""
        if name == self._target or self._dataset is None:
            return
        if name is not None and name not in self._dataset.profiles:
            raise ValueError(f"No column named {name!r}.")
        old, self._target = self._target, name
        if name is not None:
            self._checked.discard(name)
        if old is not None and self._dataset.profiles[old].usable:
            self._checked.add(old)
        for changed in (old, name):
            if changed is not None:
                row = self._names.index(changed)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def features(self) -> list[str]:
        return [n for n in self._names if n in self._checked and n != self._target]

    def set_features(self, names) -> None:
        wanted = {n for n in names if n in self._names and n != self._target}
        if wanted == self._checked:
            return
        self._checked = wanted
        if self._names:
            self.dataChanged.emit(self.index(0, self.USE), self.index(len(self._names) - 1, self.USE),
                                  [Qt.ItemDataRole.CheckStateRole])

    def row_of(self, name: str) -> int:
        return self._names.index(name)

    # -- Qt API

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._names)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._HEADER_TIPS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in (self.MISSING, self.DISTINCT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.USE and self._names[index.row()] != self._target:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self._dataset is None or not 0 <= index.row() < len(self._names):
            return None
        name, col = self._names[index.row()], index.column()
        profile = self._dataset.profiles[name]
        is_target = name == self._target
        if role == Qt.ItemDataRole.FontRole:
            if is_target:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if col == self.USE:
            if role == Qt.ItemDataRole.CheckStateRole and not is_target:
                return Qt.CheckState.Checked if name in self._checked else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.DisplayRole:
                return "target" if is_target else None
            if role == Qt.ItemDataRole.UserRole:
                return "target" if is_target else name in self._checked
            if role == Qt.ItemDataRole.ToolTipRole:
                if is_target:
                    return (f"{name!r} is the target: the models learn to predict it, so it is never a feature. "
                            "Choose another target above to use it as a feature.")
                if profile.usable:
                    return f"Tick to let the models learn from {name!r}."
                return f"Tick to use {name!r} as a feature anyway. {_KIND_TIPS.get(profile.kind, '')}"
            return None
        if col == self.NAME:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.UserRole):
                return name
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{name}\nstored as {profile.dtype}" + ("\nthe target column" if is_target else "")
            return None
        if col == self.KIND:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.UserRole):
                return profile.kind
            if role == Qt.ItemDataRole.ToolTipRole:
                return _KIND_TIPS.get(profile.kind, profile.kind)
            if role == Qt.ItemDataRole.ForegroundRole and not profile.usable:
                return _muted_color()
            return None
        number = profile.missing if col == self.MISSING else profile.distinct
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{number:,}"
        if role == Qt.ItemDataRole.UserRole:
            return number
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and number == 0 and col == self.MISSING:
            return _muted_color()
        if role == Qt.ItemDataRole.ToolTipRole:
            rows = len(self._dataset.frame.index)
            if col == self.MISSING:
                return f"{number:,} of {rows:,} cells missing ({100 * number / max(1, rows):.1f}%)"
            return f"{number:,} distinct values"
        return None

    def setData(self, index: QModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or index.column() != self.USE
                or self._dataset is None):
            return False
        name = self._names[index.row()]
        if name == self._target:
            return False
        checked = _is_checked(value)
        if checked == (name in self._checked):
            return True
        (self._checked.add if checked else self._checked.discard)(name)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checkedChanged.emit()
        return True


def _is_checked(value) -> bool:
    if isinstance(value, Qt.CheckState):
        return value == Qt.CheckState.Checked
    if isinstance(value, bool):
        return value
    try:
        return int(value) == Qt.CheckState.Checked.value
    except (TypeError, ValueError):
        return False

__all__ = ["ColumnListModel", "DataFrameModel"]
