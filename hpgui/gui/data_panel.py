"""The data panel: open a CSV in the background, preview it, choose the target, the task
and the feature columns.

Two thin models sit over core data: `DataFrameModel` formats only the cells a view asks
for (so a million-row file previews instantly) and `ColumnListModel` shows one row per
column profile with the feature tick boxes. `DataPanel` reads files with a
`DatasetLoader` moved to a `QThread`, one load at a time: a new load cancels and
disconnects the old one, whose result is dropped when it arrives.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QSize,
    Qt,
    QThread,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from hpgui.core.dataset import TASKS, Dataset, DatasetError, default_features, infer_task, read_table

if TYPE_CHECKING:
    import pandas as pd
else:  # imported with the first file, not before the window opens
    from hpgui.core.lazy import lazy_module

    pd = lazy_module("pandas")

__all__ = ["ColumnListModel", "DataFrameModel", "DataPanel", "DatasetLoader", "failure_message", "human_size"]

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


def human_size(size: int | None) -> str:
    """1536 -> '1.5 KB'; None -> ''."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"  # pragma: no cover


def failure_message(path: str | os.PathLike, err: BaseException) -> str:
    """The text shown for a load failure: a DatasetError speaks for itself; anything else
    names the file and the exception, without a traceback."""
    if isinstance(err, DatasetError):
        return str(err)
    if isinstance(err, MemoryError):
        return (f"{Path(path).name} is too large to open: the computer ran out of memory while reading it. "
                "Close other programs, or use a smaller file (for example a sample of its rows).")
    detail = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
    return (f"{Path(path).name} could not be read ({detail}). Check that it is a CSV text file "
            "and that it opens in a text editor.")


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


# ----------------------------------------------------------------------------- the worker


class DatasetLoader(QObject):
    """Worker (moved to a QThread) that reads one file with hpgui.core.dataset.read_table; emits loaded(object) or
    failed(str). Never touches widgets."""

    loaded = Signal(object)  # Dataset
    failed = Signal(str)  # a message for a person
    finished = Signal()  # always, last, whatever happened (also when cancelled)

    def __init__(self, path: str | os.PathLike, parent: QObject | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self._cancelled = False  # written by the GUI thread, read here: a plain bool is enough

    def cancel(self) -> None:
        """Ask not to emit a result. read_table cannot be interrupted, so a read already under
        way runs to its end; its result is then dropped."""
        self._cancelled = True

    def is_cancelled(self) -> bool:
        return self._cancelled

    @Slot()
    def run(self) -> None:
        try:
            if self._cancelled:
                return
            try:
                dataset = read_table(self.path)
            except Exception as err:  # noqa: BLE001 - every failure becomes a message, never a crash
                if not self._cancelled:
                    self.failed.emit(failure_message(self.path, err))
                return
            if not self._cancelled:
                self.loaded.emit(dataset)
        finally:
            self.finished.emit()


class _LoadJob(QObject):
    """One load as the GUI thread sees it: owns the thread and the loader, and receives the
    loader's queued signals (it lives in the GUI thread), so every result knows which load
    it belongs to. Not `sender()`: by the time a queued result is delivered the loader may
    already have been deleted in its finished thread."""

    def __init__(self, panel: DataPanel, path: Path, size: int | None):
        super().__init__()
        self.panel, self.path, self.size = panel, path, size
        self.selection: tuple | None = None  # set_selection() called while this load runs
        self.thread = QThread()
        self.thread.setObjectName(f"DatasetLoader {path.name}")
        self.loader = DatasetLoader(path)
        self.loader.moveToThread(self.thread)
        self.thread.started.connect(self.loader.run)
        self.loader.finished.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
        # No deleteLater in the worker thread: destroying a Python-made QObject there needs the GIL while
        # shiboken holds its own lock, and the GUI thread making the next loader takes them the other way
        # round (a deadlock seen under load). The loader goes with its job, in the GUI thread, once reaped.
        self.loader.loaded.connect(self._loaded)  # queued to the GUI thread
        self.loader.failed.connect(self._failed)

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        """Drop this load's result: tell the loader, and disconnect it."""
        self.loader.cancel()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for signal, slot in ((self.loader.loaded, self._loaded), (self.loader.failed, self._failed)):
                try:
                    signal.disconnect(slot)
                except (RuntimeError, TypeError):  # already deleted or disconnected
                    pass

    @Slot(object)
    def _loaded(self, dataset: Dataset) -> None:
        self.panel._on_loaded(self, dataset)

    @Slot(str)
    def _failed(self, message: str) -> None:
        self.panel._on_failed(self, message)


# ----------------------------------------------------------------------------- the panel


class DataPanel(QWidget):
    """Open a CSV file in the background, preview it and choose target, task and features.

    `datasetLoaded` is emitted once the new dataset and its default (or pending
    `set_selection`) choice are in place, followed by `selectionChanged`.
    Call `shutdown()` before the panel goes away (the main window's closeEvent);
    the panel's own closeEvent and the application's aboutToQuit call it too.
    """

    datasetLoaded = Signal(object)  # Dataset, after a successful load (GUI thread)
    loadFailed = Signal(str, str)  # path, human message
    loadingChanged = Signal(bool)
    selectionChanged = Signal()  # target, features or task changed

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dataPanel")
        self._dataset: Dataset | None = None
        self._size: int | None = None
        self._task_override: str | None = None
        self._inferred: dict[str, str] = {}
        self._job: _LoadJob | None = None  # the one load whose result counts
        self._jobs: list[_LoadJob] = []  # every load whose thread may still run (current and cancelled)
        self._failure: str | None = None
        self._notes: list[str] = []  # from set_selection
        self._build()
        self._refresh()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        self.fileLabel = QLabel("No file open")
        self.fileLabel.setObjectName("fileLabel")
        font = self.fileLabel.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.fileLabel.setFont(font)
        self.fileLabel.setAccessibleName("File name")
        self.fileLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.infoLabel = QLabel("Open a CSV file to choose the target and the features.")
        self.infoLabel.setObjectName("fileInfo")
        self.infoLabel.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.infoLabel.setAccessibleName("File size and shape")

        self.loadingLabel = QLabel()
        self.loadingLabel.setObjectName("loadingLabel")
        self.loadingLabel.setAccessibleName("Loading status")
        self.progress = QProgressBar()
        self.progress.setObjectName("loadingProgress")
        self.progress.setRange(0, 0)  # indeterminate: read_table reports no progress
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(140)
        self.progress.setMaximumHeight(14)
        self.progress.setAccessibleName("Reading the file")
        self.progress.setToolTip("The file is being read in the background; the window stays usable.")

        header = QHBoxLayout()
        header.setSpacing(10)
        header.addWidget(self.fileLabel)
        header.addWidget(self.infoLabel, 1)
        header.addWidget(self.loadingLabel)
        header.addWidget(self.progress)

        self.targetCombo = QComboBox()
        self.targetCombo.setObjectName("targetCombo")
        self.targetCombo.setAccessibleName("Target column")
        self.targetCombo.setToolTip("The column the models learn to predict. "
                                    "Choose “(none)” to find clusters instead.")
        self.targetCombo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.targetCombo.setMinimumContentsLength(18)
        self.targetCombo.activated.connect(self._on_target_activated)
        target_label = QLabel("&Target:")
        target_label.setBuddy(self.targetCombo)

        self.taskCombo = QComboBox()
        self.taskCombo.setObjectName("taskCombo")
        self.taskCombo.setAccessibleName("Task")
        self.taskCombo.setToolTip("What the models do. Inferred from the target column unless you choose one.")
        for i, task in enumerate(TASKS):
            self.taskCombo.addItem(task, task)
            self.taskCombo.setItemData(i, _TASK_TIPS[task], Qt.ItemDataRole.ToolTipRole)
        self.taskCombo.activated.connect(self._on_task_activated)
        task_label = QLabel("T&ask:")
        task_label.setBuddy(self.taskCombo)

        self.inferredLabel = QLabel("(inferred)")
        self.inferredLabel.setObjectName("taskInferred")
        self.inferredLabel.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.inferredLabel.setAccessibleName("Task is inferred")
        self.inferredLabel.setToolTip("Chosen from the target's values; pick a task to override it.")
        self.resetTaskButton = QToolButton()
        self.resetTaskButton.setObjectName("resetTask")
        self.resetTaskButton.setText("Use inferred")
        self.resetTaskButton.setAccessibleName("Use the inferred task")
        self.resetTaskButton.clicked.connect(self._on_reset_task)

        choice = QHBoxLayout()
        choice.setSpacing(6)
        choice.addWidget(target_label)
        choice.addWidget(self.targetCombo)
        choice.addSpacing(18)
        choice.addWidget(task_label)
        choice.addWidget(self.taskCombo)
        choice.addWidget(self.inferredLabel)
        choice.addWidget(self.resetTaskButton)
        choice.addStretch(1)

        self.dataMessage = QLabel()
        self.dataMessage.setObjectName("dataMessage")
        self.dataMessage.setWordWrap(True)
        self.dataMessage.setAccessibleName("Data messages")
        self.dataMessage.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dataMessage.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.dataMessage.setStyleSheet(
            "QLabel#dataMessage { border-radius: 3px; padding: 4px 8px; }"
            "QLabel#dataMessage[severity=\"warning\"] { background: rgba(240, 180, 0, 38);"
            " border: 1px solid rgba(190, 140, 0, 110); }"
            "QLabel#dataMessage[severity=\"error\"] { background: rgba(220, 40, 40, 30);"
            " border: 1px solid rgba(200, 40, 40, 130); }")

        # left: the columns and their tick boxes
        self.featureCountLabel = QLabel()
        self.featureCountLabel.setObjectName("featureCount")
        self.featureCountLabel.setAccessibleName("Number of features")
        self.allButton = self._tool_button("All", "allFeatures", "Tick every column",
                                           "Use every column except the target as a feature.")
        self.noneButton = self._tool_button("None", "noFeatures", "Untick every column", "Use no column yet.")
        self.defaultsButton = self._tool_button(
            "Defaults", "defaultFeatures", "Tick the default columns",
            "Use the numeric and categorical columns; leave out text, id, date and constant columns.")
        self.allButton.clicked.connect(lambda: self._set_features_by_user("all"))
        self.noneButton.clicked.connect(lambda: self._set_features_by_user("none"))
        self.defaultsButton.clicked.connect(lambda: self._set_features_by_user("defaults"))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(2)
        buttons.addWidget(self.featureCountLabel)
        buttons.addStretch(1)
        buttons.addWidget(self.allButton)
        buttons.addWidget(self.noneButton)
        buttons.addWidget(self.defaultsButton)

        self.columnModel = ColumnListModel(self)
        self.columnModel.checkedChanged.connect(self._on_features_ticked)
        self.columnList = QTableView()
        self.columnList.setObjectName("columnList")
        self.columnList.setModel(self.columnModel)
        self.columnList.setAccessibleName("Columns")
        self.columnList.setToolTip("One row per column of the file. Tick the columns to use as features.")
        self.columnList.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.columnList.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.columnList.setAlternatingRowColors(True)
        self.columnList.setWordWrap(False)
        self.columnList.setShowGrid(False)
        self.columnList.verticalHeader().hide()
        self.columnList.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.columnList.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        head = self.columnList.horizontalHeader()
        head.setHighlightSections(False)
        head.setMinimumSectionSize(36)
        for col in range(len(ColumnListModel.HEADERS)):
            mode = QHeaderView.ResizeMode.Stretch if col == ColumnListModel.NAME \
                else QHeaderView.ResizeMode.ResizeToContents
            head.setSectionResizeMode(col, mode)

        left = QWidget()
        left.setObjectName("columnsPane")
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(4)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.columnList)

        # right: the rows
        self.previewModel = DataFrameModel(parent=self)
        self.previewTable = QTableView()
        self.previewTable.setObjectName("previewTable")
        self.previewTable.setModel(self.previewModel)
        self.previewTable.setAccessibleName("Data preview")
        self.previewTable.setToolTip("Every row of the file, as read. Hatched cells are missing.")
        self.previewTable.setWordWrap(False)
        self.previewTable.setAlternatingRowColors(True)
        self.previewTable.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vhead = self.previewTable.verticalHeader()
        vhead.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # a million rows: never measure them
        vhead.setDefaultSectionSize(self.fontMetrics().height() + 6)
        vhead.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        phead = self.previewTable.horizontalHeader()
        # Size columns from the visible rows and 50 more, not the whole file: every row considered costs
        # a Python data() call per role and column, and 200 rows took a third of a second when a file opens.
        phead.setResizeContentsPrecision(50)
        phead.setHighlightSections(False)
        phead.setStretchLastSection(True)
        rows_label = QLabel("Preview")
        rows_label.setObjectName("previewCaption")
        self.previewCaption = rows_label
        right = QWidget()
        right.setObjectName("previewPane")
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(4)
        right_layout.addWidget(rows_label)
        right_layout.addWidget(self.previewTable)
        rows_label.setMinimumHeight(self.allButton.sizeHint().height())

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("dataSplitter")
        self.splitter.setAccessibleName("Columns and preview")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([360, 640])

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addLayout(header)
        layout.addLayout(choice)
        layout.addWidget(self.dataMessage)
        layout.addWidget(self.splitter, 1)

        for first, second in ((self.targetCombo, self.taskCombo), (self.taskCombo, self.resetTaskButton),
                              (self.resetTaskButton, self.allButton), (self.allButton, self.noneButton),
                              (self.noneButton, self.defaultsButton), (self.defaultsButton, self.columnList),
                              (self.columnList, self.previewTable)):
            QWidget.setTabOrder(first, second)
        self._controls = (self.targetCombo, self.taskCombo, self.resetTaskButton, self.allButton,
                          self.noneButton, self.defaultsButton, self.splitter)

    def _tool_button(self, text: str, name: str, accessible: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        return button

    def sizeHint(self) -> QSize:
        return QSize(960, 560)

    # ------------------------------------------------------------------ public API

    @property
    def dataset(self) -> Dataset | None:
        return self._dataset

    def is_loading(self) -> bool:
        return self._job is not None

    def load(self, path: str | os.PathLike) -> None:
        """Read `path` on a worker thread. A load still running is cancelled: its result is
        ignored when it arrives. The current dataset stays until the new one is read."""
        path = Path(path)
        was_loading = self._job is not None
        self._cancel_current()
        self._reap()
        try:
            size = path.stat().st_size if path.is_file() else None
        except OSError:
            size = None
        job = _LoadJob(self, path, size)
        job.thread.finished.connect(self._on_thread_finished)  # queued to the GUI thread
        self._job = job
        self._jobs.append(job)
        self._failure = None
        job.start()
        self._refresh()
        if not was_loading:
            self.loadingChanged.emit(True)

    def target(self) -> str | None:
        return self.columnModel.target() if self._dataset is not None else None

    def set_target(self, name: str | None) -> None:
        if self._dataset is None:
            raise RuntimeError("No dataset is loaded.")
        if name is not None and name not in self._dataset.profiles:
            raise ValueError(f"No column named {name!r} in {self._dataset.path.name}.")
        if name != self.target():
            self.columnModel.set_target(name)
            self._refresh()
            self.selectionChanged.emit()

    def features(self) -> list[str]:
        """Ticked columns, in file order, never the target."""
        return self.columnModel.features() if self._dataset is not None else []

    def task(self) -> str | None:
        if self._dataset is None:
            return None
        return self._task_override or self._inferred_task()

    def task_is_inferred(self) -> bool:
        return self._task_override is None

    def set_selection(self, target: str | None, features: list[str] | None, task: str | None) -> list[str]:
        """Apply a saved choice (a setup file). features None = the defaults for the target;
        task None = inferred (a task equal to the inferred one counts as inferred, so it
        follows later target changes). Names the file does not have are left out and
        reported inline; the notes are returned too. Called while a file loads, the choice
        is applied to that file when it arrives (and [] is returned)."""
        if self._job is not None:
            self._job.selection = (target, features, task)
            return []
        if self._dataset is None:
            raise RuntimeError("No dataset is loaded: call load() first.")
        self._notes = self._apply_selection(target, features, task)
        self._refresh()
        self.selectionChanged.emit()
        return list(self._notes)

    def shutdown(self) -> None:
        """Cancel any load and wait for every loader thread to end. Idempotent; the panel
        can load again afterwards."""
        was_loading = self._job is not None
        self._cancel_current()
        for job in self._jobs:
            job.thread.quit()
        for job in self._jobs:
            job.thread.wait()
        self._jobs.clear()
        if was_loading:
            self._refresh()
            self.loadingChanged.emit(False)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    # ------------------------------------------------------------------ loading

    def _cancel_current(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.cancel()

    def _on_loaded(self, job: _LoadJob, dataset: Dataset) -> None:
        if job is not self._job:  # a result queued just before its load was cancelled
            return
        self._job = None
        self._dataset, self._size = dataset, job.size
        self._inferred = {}
        self._failure = None
        self._task_override = None
        self.previewModel.set_frame(dataset.frame)
        if job.selection is not None:
            self.columnModel.set_dataset(dataset)
            self._notes = self._apply_selection(*job.selection)
        else:
            self._notes = []
            columns = list(dataset.profiles)
            target = columns[-1] if columns else None
            self.columnModel.set_dataset(dataset, target)
        self._size_columns()
        self._refresh()
        self.loadingChanged.emit(False)
        self.datasetLoaded.emit(dataset)
        self.selectionChanged.emit()

    def _on_failed(self, job: _LoadJob, message: str) -> None:
        if job is not self._job:
            return
        self._job = None
        self._failure = message
        self._refresh()
        self.loadingChanged.emit(False)
        self.loadFailed.emit(str(job.path), message)

    @Slot()
    def _on_thread_finished(self) -> None:
        self._reap()

    def _reap(self) -> None:
        """Forget the loads whose thread has ended. isFinished() is already true while the
        thread is still finishing (emitting finished), so wait for the end first: dropping the
        last reference to the thread or the loader before that deletes them under the worker's
        feet (a segfault seen in about 1 run in 10)."""
        keep = []
        for job in self._jobs:
            if job is not self._job and job.thread.isFinished():
                job.thread.wait()  # returns within microseconds: the thread is past its work
            else:
                keep.append(job)
        self._jobs = keep

    # ------------------------------------------------------------------ choosing

    def _inferred_task(self) -> str:
        target = self.target()
        if target is None:
            return "clustering"
        if target not in self._inferred:
            self._inferred[target] = infer_task(self._dataset.frame[target])
        return self._inferred[target]

    def _apply_selection(self, target, features, task) -> list[str]:
        dataset, notes = self._dataset, []
        name, columns = dataset.path.name, list(dataset.profiles)
        if target is not None and target not in dataset.profiles:
            fallback = columns[-1] if columns else None
            notes.append(f"The saved target {target!r} is not a column of {name}; "
                         f"{fallback!r} is used instead. Choose the target again.")
            target = fallback
        if features is not None:
            unknown = [f for f in features if f not in dataset.profiles]
            if unknown:
                notes.append(f"Saved feature columns missing from {name} were left out: "
                             f"{', '.join(map(repr, unknown))}.")
        self.columnModel.set_dataset(dataset, target, features)
        if task is not None and task not in TASKS:
            notes.append(f"Unknown task {task!r} in the setup; the inferred task is used.")
            task = None
        self._task_override = None if task == self._inferred_task() else task
        return notes

    def _on_target_activated(self, index: int) -> None:
        name = self.targetCombo.itemData(index)
        name = None if name in (None, "") else str(name)
        if self._dataset is not None and name != self.target():
            self.set_target(name)

    def _on_task_activated(self, index: int) -> None:
        task = TASKS[index]
        if self._dataset is None or (self._task_override == task):
            return
        changed = task != self.task()
        self._task_override = task
        self._refresh()
        if changed:
            self.selectionChanged.emit()

    def _on_reset_task(self) -> None:
        if self._task_override is None:
            return
        before = self.task()
        self._task_override = None
        self._refresh()
        if self.task() != before:
            self.selectionChanged.emit()

    def _on_features_ticked(self) -> None:
        self._refresh()
        self.selectionChanged.emit()

    def _set_features_by_user(self, which: str) -> None:
        if self._dataset is None:
            return
        if which == "all":
            names = list(self._dataset.profiles)
        elif which == "none":
            names = []
        else:
            names = default_features(self._dataset, self.target())
        before = self.features()
        self.columnModel.set_features(names)
        if self.features() != before:
            self._refresh()
            self.selectionChanged.emit()

    # ------------------------------------------------------------------ showing

    def _size_columns(self) -> None:
        view = self.previewTable
        view.resizeColumnsToContents()  # visible rows + 50 (the precision), never the whole file
        limit = max(160, self.fontMetrics().horizontalAdvance("0") * 28)
        for col in range(self.previewModel.columnCount()):
            if view.columnWidth(col) > limit:
                view.setColumnWidth(col, limit)
        header = view.horizontalHeader()  # after a reset to fewer columns Qt keeps the old stretch:
        header.setStretchLastSection(False)  # toggling makes it fill the free width again
        header.setStretchLastSection(True)
        # Give the column list the width its names need (up to a cap), without shrinking a
        # pane the user has widened.
        columns = self.columnList
        needed = sum(max(columns.sizeHintForColumn(c), columns.horizontalHeader().sectionSizeHint(c))
                     for c in range(self.columnModel.columnCount()))
        needed += 2 * columns.frameWidth() + columns.verticalScrollBar().sizeHint().width() + 4
        needed = min(needed, max(320, self.fontMetrics().horizontalAdvance("0") * 60))
        columns.setMinimumWidth(min(needed, 300))
        sizes = self.splitter.sizes()
        if len(sizes) == 2 and sizes[0] < needed:
            total = sum(sizes) or self.splitter.width()
            if total > needed:
                self.splitter.setSizes([needed, total - needed])

    def _refresh(self) -> None:
        dataset, loading = self._dataset, self._job is not None
        # header
        if dataset is None:
            self.fileLabel.setText("No file open")
            self.fileLabel.setToolTip("")
            self.infoLabel.setText("Open a CSV file to choose the target and the features.")
            self.infoLabel.setToolTip("")
        else:
            self.fileLabel.setText(dataset.path.name)
            self.fileLabel.setToolTip(str(dataset.path))
            parts = [f"{dataset.rows:,} rows × {len(dataset.profiles):,} columns"]
            if self._size is not None:
                parts.append(human_size(self._size))
            self.infoLabel.setText("  ·  ".join(parts))
            separator = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(
                dataset.delimiter, repr(dataset.delimiter))
            how = (f"{separator}-separated, {dataset.encoding}" if dataset.format in ("csv", "gzip", "zip")
                   else "")
            how = "\n".join(part for part in (dataset.description, how) if part)
            self.infoLabel.setToolTip(f"{dataset.path}\n{how}\nSHA-256 {dataset.sha256[:16]}…")
        self.loadingLabel.setVisible(loading)
        self.progress.setVisible(loading)
        if loading:
            size = human_size(self._job.size)
            self.loadingLabel.setText(f"Reading {self._job.path.name}" + (f" ({size})…" if size else "…"))
            self.loadingLabel.setToolTip(str(self._job.path))
        # controls
        has_data = dataset is not None
        for widget in self._controls:
            widget.setEnabled(has_data and not loading)
        self._refresh_target_combo()
        task = self.task()
        self.taskCombo.setCurrentIndex(TASKS.index(task) if task in TASKS else -1)
        inferred = self._task_override is None
        self.inferredLabel.setVisible(has_data and inferred)
        self.resetTaskButton.setVisible(has_data and not inferred)
        if has_data:
            guess = self._inferred_task()
            self.resetTaskButton.setToolTip(f"Go back to the task inferred from the target: {guess}.")
            self.inferredLabel.setToolTip(f"{guess.capitalize()} was chosen from the target's values; "
                                          "pick a task to override it.")
            candidates = len(dataset.profiles) - (self.target() is not None)
            self.featureCountLabel.setText(f"Features: {len(self.features())} of {candidates}")
        else:
            self.featureCountLabel.setText("Features")
        self._refresh_message()

    def _refresh_target_combo(self) -> None:
        combo, dataset = self.targetCombo, self._dataset
        columns = list(dataset.profiles) if dataset is not None else []
        current = [combo.itemData(i) for i in range(1, combo.count())]
        combo.blockSignals(True)
        if current != columns or combo.count() == 0:
            combo.clear()
            combo.addItem("(none: clustering)", "")
            combo.setItemData(0, "No target: group similar rows instead of predicting a column.",
                              Qt.ItemDataRole.ToolTipRole)
            for name in columns:
                profile = dataset.profiles[name]
                combo.addItem(name, name)
                combo.setItemData(combo.count() - 1, f"{name} ({profile.kind}, {profile.distinct:,} distinct)",
                                  Qt.ItemDataRole.ToolTipRole)
        target = self.target()
        combo.setCurrentIndex(0 if target is None or dataset is None else columns.index(target) + 1)
        if dataset is None:
            combo.setCurrentIndex(-1)
        combo.blockSignals(False)

    def _messages(self) -> tuple[list[str], str]:
        lines, severity = [], "warning"
        if self._failure:
            lines.append(self._failure)
            severity = "error"
        dataset = self._dataset
        if dataset is None:
            return lines, severity
        lines += dataset.warnings
        lines += self._notes
        target, task = self.target(), self.task()
        if target is None:
            if task != "clustering":
                lines.append(f"Choose a target column for {task}; only clustering works without one.")
        elif task != "clustering":
            profile, rows = dataset.profiles[target], dataset.rows
            if profile.missing == rows:
                lines.append(f"The target {target!r} has no values: all {rows:,} cells are missing. "
                             "Choose another target column.")
            elif profile.missing:
                verb, pronoun = ("has", "it") if profile.missing == 1 else ("have", "they")
                lines.append(f"{profile.missing:,} of {rows:,} rows {verb} no value in the target {target!r}; "
                             f"{pronoun} will be left out of training.")
            if task == "regression" and not (pd.api.types.is_numeric_dtype(dataset.frame[target].dtype)
                                             and not pd.api.types.is_bool_dtype(dataset.frame[target].dtype)):
                lines.append(f"The target {target!r} does not hold numbers, which regression cannot predict. "
                             "Choose classification, or a numeric target column.")
        if not self.features():
            lines.append("No feature column is ticked: tick at least one column to learn from.")
        return lines, severity

    def _refresh_message(self) -> None:
        lines, severity = self._messages()
        label = self.dataMessage
        label.setText("\n".join(lines))
        label.setVisible(bool(lines))
        if label.property("severity") != severity:
            label.setProperty("severity", severity)
            label.style().unpolish(label)
            label.style().polish(label)
