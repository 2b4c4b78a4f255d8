"""The data panel: open a CSV in the background, preview it, choose the target, the task
and the feature columns.

Two thin models sit over core data: `DataFrameModel` formats only the cells a view asks
for (so a million-row file previews instantly) and `ColumnListModel` shows one row per
column profile with the feature tick boxes. `DataPanel` reads files on a background task
(gui/tasks.py), one load at a time: a new load cancels the old one, whose result is dropped
when it arrives.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal

from PySide6.QtWidgets import QWidget

from hpgui.core.dataset import (TASKS, Dataset, DatasetError, default_features, default_target, infer_task,
                                read_table)
from hpgui.core.formatting import capped_list, human_size

from .data_layout import DataPanelLayout
from .data_roles import DataRolesMixin
from .data_models import ColumnListModel, DataFrameModel
from .tasks import BackgroundTask

if TYPE_CHECKING:
    import pandas as pd
else:  # imported with the first file, not before the window opens
    from hpgui.core.lazy import lazy_module

    pd = lazy_module("pandas")

__all__ = ["ColumnListModel", "DataFrameModel", "DataPanel", "failure_message", "human_size", "load_dataset"]

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


# ----------------------------------------------------------------------------- a load


@dataclass
class _Load:
    """The one load whose result counts: what it reads, and a saved choice to apply when it arrives."""

    path: Path
    size: int | None
    selection: tuple | None = None  # set_selection() called while this load runs
    sheet: str | None = None  # a workbook's sheet and header row (None: the reader chooses)
    header_row: int | None = None
    keep_target: bool = False  # the same file read again (another sheet): keep the target if it is there


def load_dataset(path: str | os.PathLike, sheet: str | None = None, header_row: int | None = None) -> Dataset:
    """Read a file for the panel (on a worker thread); every failure becomes a message, never a crash."""
    try:
        return read_table(Path(path), sheet=sheet, header_row=header_row)
    except Exception as err:  # noqa: BLE001
        raise DatasetError(failure_message(path, err)) from err


# ----------------------------------------------------------------------------- the panel


class DataPanel(DataRolesMixin, DataPanelLayout, QWidget):
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
    rolesChanged = Signal()  # weight, group, time order or date parts changed (gui/data_roles.py)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dataPanel")
        self._dataset: Dataset | None = None
        self._size: int | None = None
        self._task_override: str | None = None
        self._inferred: dict[str, str] = {}
        self._job: _Load | None = None  # the one load whose result counts
        # The latest load wins: read_table cannot be interrupted, so a replaced read runs on and its
        # result is dropped when it arrives.
        self.loader = BackgroundTask(self)
        self._failure: str | None = None
        self._notes: list[str] = []  # from set_selection
        self._hints: list[str] = []  # from the window's background checks (possible leaks)
        self._build()
        self._build_roles()
        self._refresh()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def sizeHint(self) -> QSize:
        return QSize(960, 560)

    # ------------------------------------------------------------------ public API

    @property
    def dataset(self) -> Dataset | None:
        return self._dataset

    def is_loading(self) -> bool:
        return self._job is not None

    def load(self, path: str | os.PathLike, *, sheet: str | None = None, header_row: int | None = None,
             keep_target: bool = False) -> None:
        """Read `path` on a worker thread. A load still running is cancelled: its result is
        ignored when it arrives. The current dataset stays until the new one is read.
        `sheet` and `header_row` (1-based, None to detect) are for a workbook."""
        path = Path(path)
        was_loading = self._job is not None
        try:
            size = path.stat().st_size if path.is_file() else None
        except OSError:
            size = None
        job = self._job = _Load(path, size, sheet=sheet, header_row=header_row, keep_target=keep_target)
        self._failure = None
        self.loader.start(load_dataset, path, sheet, header_row,
                          on_result=lambda dataset: self._on_loaded(job, dataset),
                          on_error=lambda exc: self._on_failed(job, str(exc)))
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
            self.rolesBox.set_target(name)
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
        """Cancel any load (its result is dropped; a read under way ends on its own). Idempotent; the
        panel can load again afterwards."""
        was_loading = self._job is not None
        self._job = None
        self.loader.cancel()
        if was_loading:
            self._refresh()
            self.loadingChanged.emit(False)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    # ------------------------------------------------------------------ loading

    def _on_loaded(self, job: _Load, dataset: Dataset) -> None:
        if job is not self._job:  # a result queued just before its load was cancelled
            return
        self._job = None
        kept = self.target() if job.keep_target else None
        self._dataset, self._size = dataset, job.size
        self._hints = []
        self._inferred = {}
        self._failure = None
        self._task_override = None
        self.previewModel.set_frame(dataset.frame)
        if job.selection is not None:
            self.columnModel.set_dataset(dataset)
            self._notes = self._apply_selection(*job.selection)
        else:
            self._notes = []
            target = kept if kept in dataset.profiles else default_target(dataset.profiles)
            self.columnModel.set_dataset(dataset, target)
        self._roles_loaded(dataset, job.header_row)
        self._size_columns()
        self._refresh()
        self.loadingChanged.emit(False)
        self.datasetLoaded.emit(dataset)
        self.selectionChanged.emit()

    def _on_failed(self, job: _Load, message: str) -> None:
        if job is not self._job:
            return
        self._job = None
        self._failure = message
        self._refresh()
        self.loadingChanged.emit(False)
        self.loadFailed.emit(str(job.path), message)

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
        name = dataset.path.name
        if target is not None and target not in dataset.profiles:
            fallback = default_target(dataset.profiles)
            notes.append(f"The saved target {target!r} is not a column of {name}; "
                         f"{fallback!r} is used instead. Choose the target again.")
            target = fallback
        if features is not None:
            unknown = [f for f in features if f not in dataset.profiles]
            if unknown:
                notes.append(f"Saved feature columns missing from {name} were left out: "
                             f"{capped_list(map(repr, unknown))}.")
        self.columnModel.set_dataset(dataset, target, features)
        self.rolesBox.set_target(target)
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
        self._columns_width = needed
        self._place_panes()

    # Below this width for the rows beside the column list, the preview goes under the list instead:
    # side by side in a narrow Data tab it was squeezed to a sliver of two columns.
    PREVIEW_MIN_WIDTH = 520

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self._place_panes()

    def _place_panes(self) -> None:
        needed = getattr(self, "_columns_width", 360)
        splitter, columns = self.splitter, self.columnList
        width = splitter.width() or self.width()
        side_by_side = width >= needed + self.PREVIEW_MIN_WIDTH
        wanted = Qt.Orientation.Horizontal if side_by_side else Qt.Orientation.Vertical
        if splitter.orientation() != wanted:
            splitter.setOrientation(wanted)
            splitter.setProperty("userSized", False)
        if side_by_side:
            columns.setMinimumWidth(min(needed, 300))
            columns.setMinimumHeight(0)
            sizes = splitter.sizes()
            if len(sizes) == 2 and sizes[0] < needed and width > needed:
                splitter.setSizes([needed, width - needed])
        else:
            # The list as tall as its rows (up to 40% of the pane), the preview the rest, each the full width.
            columns.setMinimumWidth(0)
            rows = self.columnModel.rowCount()
            height = splitter.height() or self.height()
            list_height = (columns.horizontalHeader().height() + 2 * columns.frameWidth() + 4
                           + (rows + 1) * columns.verticalHeader().defaultSectionSize())
            list_height = max(120, min(list_height, int(height * 0.4)))
            columns.setMinimumHeight(min(list_height, 120))
            if not splitter.property("userSized") and height > list_height:
                splitter.setSizes([list_height, height - list_height])

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
        lines += self._hints
        lines += self._role_notes()
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

    def set_hints(self, lines: list[str]) -> None:
        """Lines from a check the window runs in the background (leakage), shown with the messages."""
        if lines != self._hints:
            self._hints = list(lines)
            self._refresh_message()

    def hints(self) -> list[str]:
        return list(self._hints)

    def _refresh_message(self) -> None:
        lines, severity = self._messages()
        label = self.dataMessage
        label.setText("\n".join(lines))
        label.setVisible(bool(lines))
        if label.property("severity") != severity:
            label.setProperty("severity", severity)
            label.style().unpolish(label)
            label.style().polish(label)
