"""The validation methods that need a column: group k-fold, stratified group k-fold, time-series split.

A mixin of :class:`~hpgui.gui.search_panel.SearchPanel`. It adds the three methods to the panel's
validation picker and a gap spin box for time-series folds. The group and time-order columns are
picked in the Data tab (gui/roles_box.py); the window hands them here with :meth:`set_columns`, and a
method whose column (or task) is missing stays in the list, disabled, with a tooltip saying what
to pick first. The core's checks (EvaluationSpec.validate) still judge the setup that results.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel

from hpgui.core.evaluate import COLUMN_METHODS, GROUP_METHODS, EvaluationSpec

from .form_widgets import IntSpinBox

COLUMN_METHOD_TEXT = {
    "group_kfold": ("Group k-fold", "Like k-fold, but every row of a group (a patient, customer or site) lands in "
                                    "the same fold, so each score comes from groups the model has never seen."),
    "stratified_group_kfold": ("Stratified group k-fold",
                               "Group k-fold that also keeps each fold's class mix close to the whole data's. "
                               "For classification with a group column."),
    "time_series": ("Time-series split", "Expanding window: sort the rows by the time-order column, train on "
                                         "the earliest ones and score on the block after them, k times. The "
                                         "model never trains on rows later than those it is scored on."),
}
_NEEDS = {
    "group_kfold": "Choose a group column in the Data tab (Group) to use group folds.",
    "stratified_group_kfold": "Choose a group column in the Data tab (Group) to use group folds.",
    "time_series": "Choose a time-order column in the Data tab (Time order) to use time-series folds.",
}
_STRATIFIED_TIP = (" For classification the folds are stratified: each keeps the class mix of the whole data "
                   "(StratifiedKFold).")


class ValidationMixin:
    """Column methods and the gap (see the module's doc)."""

    def _build_validation(self) -> None:
        self._group: str | None = None
        self._order: str | None = None
        combo = self.method_combo
        for name in COLUMN_METHODS:
            label, tip = COLUMN_METHOD_TEXT[name]
            combo.addItem(label, name)
            combo.setItemData(combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self._kfold_tip = combo.itemData(combo.findData("kfold"), Qt.ItemDataRole.ToolTipRole) or ""

        self.gap_spin = IntSpinBox(self, 0, 1_000_000, sample="100000")
        self.gap_spin.setObjectName("gapSpin")
        self.gap_spin.setSuffix(" rows")
        self.gap_spin.setAccessibleName("Gap between training and scoring rows")
        self.gap_spin.setToolTip("Rows left out between each training window and the rows it is scored on. "
                                 "Use it when a row's target is known only some steps later (a 7-day forecast: "
                                 "a gap of 7 daily rows), so the training rows do not overlap what is predicted.")
        self.gap_spin.valueChanged.connect(self._emit)
        form = self._evaluation_form
        folds_row = form.getWidgetPosition(self._fields["evaluation.folds"])[0]
        field = self._add(form, "evaluation.gap", "Gap", self.gap_spin)
        # _add appends; move the row just under the folds, where it belongs.
        row = form.getWidgetPosition(field)[0]
        taken = form.takeRow(row)
        form.insertRow(folds_row + 1, taken.labelItem.widget(), taken.fieldItem.widget())
        self._update_column_methods()

    def set_columns(self, group: str | None, order: str | None) -> None:
        """The group and time-order columns picked in the Data tab; enables the methods that can use them."""
        if (group, order) == (self._group, self._order):
            return
        self._group, self._order = group, order
        self._update_column_methods()
        self._update_visibility()

    def _column_evaluation(self, spec: EvaluationSpec) -> EvaluationSpec:
        """``spec`` with the column its method uses (and the gap of a time series); the others left None."""
        method = spec.method
        return replace(spec, group=self._group if method in GROUP_METHODS else None,
                       order=self._order if method == "time_series" else None,
                       gap=self.gap_spin.value() if method == "time_series" else 0)

    def _apply_validation(self, evaluation: EvaluationSpec) -> None:
        if isinstance(evaluation.gap, int) and not isinstance(evaluation.gap, bool):
            self.gap_spin.setValue(evaluation.gap)

    def _unavailable(self, method: str) -> str | None:
        """Why ``method`` cannot be chosen now, or None."""
        if method in GROUP_METHODS and self._group is None:
            return _NEEDS[method]
        if method == "stratified_group_kfold" and self._task != "classification":
            return "Stratified folds keep the class mix, so they are for classification; use group k-fold."
        if method == "time_series" and self._order is None:
            return _NEEDS[method]
        return None

    def _update_column_methods(self) -> None:
        combo = self.method_combo
        model = combo.model()
        for name in COLUMN_METHODS:
            index = combo.findData(name)
            if index < 0:
                continue
            why = self._unavailable(name)
            tip = COLUMN_METHOD_TEXT[name][1]
            if isinstance(model, QStandardItemModel):
                model.item(index).setEnabled(why is None)
            combo.setItemData(index, f"{tip}\n\n{why}" if why else tip, Qt.ItemDataRole.ToolTipRole)
        kfold = combo.findData("kfold")
        if kfold >= 0:
            extra = _STRATIFIED_TIP if self._task == "classification" else ""
            combo.setItemData(kfold, self._kfold_tip + extra, Qt.ItemDataRole.ToolTipRole)

    def _update_validation_visibility(self) -> None:
        method = self.method_combo.currentData()
        form = self._evaluation_form
        form.setRowVisible(self._fields["evaluation.gap"], method == "time_series")
        # group folds may shuffle which groups go together; time order must never be shuffled
        form.setRowVisible(self._fields["evaluation.shuffle"], method in ("kfold", *GROUP_METHODS))
        text = COLUMN_METHOD_TEXT.get(method)
        if text is not None:
            why = self._unavailable(method)
            self.method_combo.setToolTip(text[1] + (f"\n\n{why}" if why else ""))
        elif method == "kfold":
            self.method_combo.setToolTip(self._kfold_tip + (_STRATIFIED_TIP if self._task == "classification"
                                                            else ""))
