"""The data panel's spreadsheet choice and column roles: a mixin of :class:`~hpgui.gui.data_panel.DataPanel`.

It adds the sheet bar (:mod:`.sheet_bar`) under the file header and the roles row (:mod:`.roles_box`)
under the target, reads a workbook again when its sheet or header row changes (on the panel's
background task, so the latest choice wins), and keeps the weight and group columns out of the
features. The notes on columns left out by default (identifiers, dates) are written here too.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from PySide6.QtWidgets import QSizePolicy, QWidget

from .roles_box import RolesBox
from .sheet_bar import SheetBar


def _names(columns: list[str], limit: int = 6) -> str:
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")


class DataRolesMixin:
    """Mixed into DataPanel, which declares ``rolesChanged`` (weight, group, order or date parts changed)."""

    def _build_roles(self) -> None:
        self.sheetBar = SheetBar(self)
        self.rolesBox = RolesBox(self)
        layout = self.layout()
        layout.insertWidget(1, self.sheetBar)  # under the file header
        layout.insertWidget(3, self.rolesBox)  # under target and task, above the messages
        self.sheetBar.changed.connect(self._on_sheet_chosen)
        self.rolesBox.changed.connect(self._on_roles_changed)
        self._header_row: int | None = None  # what the user chose; None: detected
        self._controls = (*self._controls, self.sheetBar, self.rolesBox)  # disabled while a file loads
        # Reading another sheet shows "Reading <file>…" beside the file's name and shape; at full width
        # that header pushed the window past a 1366-pixel screen. The two texts clip instead (tooltips keep them).
        for label in (self.infoLabel, self.loadingLabel):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        combos = self.rolesBox.combos
        chain = (self.sheetBar.sheetCombo, self.sheetBar.headerSpin, self.targetCombo, self.taskCombo,
                 self.resetTaskButton, combos["weight"], combos["group"], combos["order"], self.allButton)
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------------ public API

    def sheet(self) -> str | None:
        """The sheet read (a workbook), else None."""
        dataset = self._dataset
        if dataset is None or dataset.format != "spreadsheet":
            return None
        return dataset.read_options.get("sheet_name")

    def header_row(self) -> int | None:
        """The header row chosen for a workbook (1 for the first), None when detected."""
        return self._header_row if self.sheet() is not None else None

    def weight(self) -> str | None:
        return self.rolesBox.weight()

    def group(self) -> str | None:
        return self.rolesBox.group()

    def order(self) -> str | None:
        return self.rolesBox.order()

    def dates(self) -> dict[str, tuple[str, ...]]:
        return self.rolesBox.dates()

    def set_roles(self, weight: str | None, group: str | None, order: str | None,
                  dates: Mapping[str, Iterable[str]] | None) -> list[str]:
        """Apply saved roles (a setup file); the notes for names the file lacks are shown and returned."""
        notes = self.rolesBox.set_roles(weight, group, order, dates)
        self._notes = list(getattr(self, "_notes", [])) + notes
        self._drop_role_features()
        self._refresh()
        self.rolesChanged.emit()
        return notes

    # ------------------------------------------------------------------ reactions

    def _on_sheet_chosen(self, sheet: str | None, header_row: int | None) -> None:
        if self._dataset is None:
            return
        self._header_row = header_row
        self.load(self._dataset.path, sheet=sheet, header_row=header_row, keep_target=True)

    def _on_roles_changed(self) -> None:
        if self._drop_role_features():
            self.selectionChanged.emit()
        self._refresh()
        self.rolesChanged.emit()

    def _drop_role_features(self) -> bool:
        """Untick the weight and group columns: a weight weighs rows, and a model must not learn the
        group it is scored on. Returns whether the features changed."""
        roles = {c for c in (self.weight(), self.group()) if c is not None}
        features = self.features()
        if not roles & set(features):
            return False
        self.columnModel.set_features([f for f in features if f not in roles])
        return True

    def _roles_loaded(self, dataset, header_row: int | None) -> None:
        """A file arrived: the sheet bar shows its sheets, the roles start empty."""
        self._header_row = header_row
        self.sheetBar.show_dataset(dataset, header_row)
        self.rolesBox.set_dataset(dataset, self.target())

    def _role_notes(self) -> list[str]:
        """Why some columns are not ticked by default: identifiers and dates."""
        dataset = self._dataset
        if dataset is None:
            return []
        features, target = set(self.features()), self.target()
        special = {c for c in (target, self.weight(), self.group()) if c is not None}
        notes = []
        ids = [n for n, p in dataset.profiles.items() if p.kind == "id" and n not in features and n not in special]
        if ids:
            notes.append(f"Left out as identifiers (every value differs, so they say nothing about other rows): "
                         f"{_names(ids)}. Tick them to use them anyway.")
        dates = set(self.dates())
        unused = [n for n, p in dataset.profiles.items() if p.kind == "datetime" and n not in dates
                  and n not in special and n != self.order()]
        if unused:
            notes.append(f"Date columns left out: {_names(unused)}. Choose their parts (year, month, day of week, "
                         "hour, …) under Dates to use them as features.")
        return notes
