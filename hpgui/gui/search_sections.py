"""The Search tab's groups (strategy, evaluation, budget, preprocessing, manual configurations) and their
fields: a mixin of :class:`~hpgui.gui.search_panel.SearchPanel` that only builds widgets."""

from __future__ import annotations

import os
from typing import Any, Iterable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QPushButton, QSizePolicy, QVBoxLayout, QWidget)

from hpgui.core.evaluate import METHODS, EvaluationSpec

from hpgui.core.resources import RESOURCES
from hpgui.core.pipeline import CATEGORICAL_IMPUTE, ENCODINGS, NUMERIC_IMPUTE, SCALER_CHOICES, Preprocessing
from hpgui.core.setup import Budget, StrategySpec
from hpgui.core.space import GRID_LIMIT, format_count
from hpgui.core.strategies import PRUNERS, STRATEGIES

from .manual_config import (ENCODING_TEXT, IMPUTE_CATEGORICAL_TEXT, IMPUTE_NUMERIC_TEXT, METHOD_TEXT, MODE_TEXT,
                            PRUNER_TEXT, RESOURCE_TEXT, SCALER_TEXT)
from .form_widgets import ERROR_COLOR, ComboBox, DoubleSpinBox, IntSpinBox, ScientificSpinBox
from .strategy_options import StrategyOptions


# -- the panel --------------------------------------------------------------------------------


class _Field(QWidget):
    """A control (or a row of them) with its inline problem message underneath."""

    def __init__(self, *widgets: QWidget, stretch_last: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        line = QHBoxLayout()
        line.setSpacing(6)
        for i, widget in enumerate(widgets):
            line.addWidget(widget, 1 if stretch_last and i == len(widgets) - 1 else 0)
        if not stretch_last:
            line.addStretch(1)
        layout.addLayout(line)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        layout.addWidget(self.error_label)


def _error_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOR};")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(name)
    label.hide()
    return label


def _wrapped(label: QLabel) -> QWidget:
    """A group-level message under the fields (a word-wrapped label straight in a form row
    gets a height for the wrong width)."""
    box = QWidget(label.parentWidget())
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(label)
    return box


def _hint_label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    small = label.font()
    small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
    label.setFont(small)
    return label


def _fill_combo(combo: ComboBox, names: Iterable[str], texts: Mapping[str, tuple[str, str]]) -> None:
    for name in names:
        label, tip = texts.get(name, (name, ""))
        combo.addItem(label, name)
        combo.setItemData(combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)


def _select(combo: ComboBox, value: Any, unknown_text: str = "{} (unknown)") -> None:
    """Select the item whose data is ``value``; an unknown value is added so it can be seen and fixed."""
    index = combo.findData(value)
    if index < 0:
        combo.addItem(unknown_text.format(value), value)
        index = combo.count() - 1
    combo.setCurrentIndex(index)


def _percent_spin(minimum: float, maximum: float, parent: QWidget) -> DoubleSpinBox:
    spin = DoubleSpinBox(parent)
    spin.setDecimals(1)
    spin.setRange(minimum, maximum)
    spin.setSingleStep(5.0)
    spin.setSuffix(" %")
    return spin


class SearchSections:
    """Builds the SearchPanel's groups; the panel reads, writes and checks them."""

    # -- building ---------------------------------------------------------------------------
    def _form(self, group: QGroupBox) -> QFormLayout:
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        return form

    def _add(self, form: QFormLayout, key: str, label: str, *widgets: QWidget, buddy: QWidget | None = None,
             stretch_last: bool = False) -> _Field:
        field = _Field(*widgets, stretch_last=stretch_last, parent=form.parentWidget())
        field.error_label.setAccessibleName(f"{label or key}: problem")
        caption = QLabel(label, form.parentWidget())
        caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        caption.setBuddy(buddy or widgets[0])
        form.addRow(caption, field)
        self._captions.append(caption)
        self._fields[key] = field
        self._marked[key] = buddy or widgets[0]
        return field

    def set_strategy_unavailable(self, name: str, reason: str | None) -> None:
        """Grey out one strategy (its tooltip says why), or offer it again with ``reason`` None."""
        combo = self.strategy_combo
        index = combo.findData(name)
        if index < 0:
            return
        item = combo.model().item(index)
        item.setEnabled(reason is None)
        doc = STRATEGIES[name].doc
        combo.setItemData(index, doc if reason is None else f"Not available here: {reason}.\n\n{doc}",
                          Qt.ItemDataRole.ToolTipRole)

    def _build_strategy(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox("Search strategy", parent)
        self.strategy_group = group
        form = self._form(group)

        self.strategy_combo = ComboBox(group)
        self.strategy_combo.setObjectName("strategyCombo")
        self.strategy_combo.setAccessibleName("Search strategy")
        for strategy in STRATEGIES.values():
            self.strategy_combo.addItem(strategy.label, strategy.name)
            self.strategy_combo.setItemData(self.strategy_combo.count() - 1, strategy.doc,
                                            Qt.ItemDataRole.ToolTipRole)
        self.strategy_combo.setCurrentIndex(self.strategy_combo.findData(StrategySpec().name))
        self.strategy_combo.currentIndexChanged.connect(self._on_strategy_changed)
        self.strategy_doc = _hint_label("", group)
        strategy_field = self._add(form, "strategy.name", "Strategy", self.strategy_combo)
        strategy_field.layout().insertWidget(1, self.strategy_doc)

        self.seed_spin = IntSpinBox(group, 0, 2_147_483_647, sample="1000000")
        self.seed_spin.setAccessibleName("Random seed")
        self.seed_spin.setToolTip("The seed of the strategy's random choices and of the fold shuffling. "
                                  "The same seed and setup give the same trials again.")
        self.seed_spin.valueChanged.connect(self._emit)
        self._add(form, "strategy.seed", "Seed", self.seed_spin)

        self.pruner_combo = ComboBox(group)
        self.pruner_combo.setAccessibleName("Pruner")
        _fill_combo(self.pruner_combo, PRUNERS, PRUNER_TEXT)
        self.pruner_combo.setToolTip("Whether to stop unpromising trials early to save time, and how.")
        self.pruner_combo.currentIndexChanged.connect(self._on_combo_changed)
        self.resource_combo = ComboBox(group)
        self.resource_combo.setAccessibleName("Stop trials by")
        _fill_combo(self.resource_combo, RESOURCES, RESOURCE_TEXT)
        self.resource_combo.setToolTip("What a trial is judged after: each fold, or each step of the model's "
                                       "training (epochs, trees, boosting stages) or of its rows.")
        self.resource_combo.currentIndexChanged.connect(self._on_combo_changed)
        self._add(form, "strategy.pruner", "Stop poor trials early", self.pruner_combo)
        self._add(form, "strategy.resource", "by", self.resource_combo)

        self.allow_large_grid_box = QCheckBox(f"Allow grids over {format_count(GRID_LIMIT)} points", group)
        self.allow_large_grid_box.setAccessibleName("Allow large grids")
        self.allow_large_grid_box.setToolTip(
            f"A grid over {format_count(GRID_LIMIT)} points usually means a range was given too many values. "
            "Tick this to run it anyway.")
        self.allow_large_grid_box.toggled.connect(self._emit)
        self._add(form, "strategy.allow_large_grid", "", self.allow_large_grid_box)
        # Settings of some strategies only (the gradient's starting points), each shown while its strategy is.
        self.strategy_options = StrategyOptions(group, lambda key, label, spin: self._add(form, key, label, spin),
                                                self._emit)

        cores = os.cpu_count() or 1
        self.workers_spin = IntSpinBox(group, 1, cores, sample="64")
        self.workers_spin.setValue(1)
        self.workers_spin.setSuffix(" processes" if cores > 1 else " process")
        self.workers_spin.setAccessibleName("Worker processes")
        self.workers_spin.setToolTip(
            f"How many trials run at the same time, each in its own process (at most {cores}, the number of "
            "CPU cores here). Each process holds one copy of the data. More workers finish a budget sooner "
            "when a fit uses one core; models that already use every core gain little.")
        self.workers_spin.valueChanged.connect(self._emit)
        self._add(form, "workers", "Workers", self.workers_spin)

        self.grid_size_label = QLabel(group)
        self.grid_size_label.setAccessibleName("Grid size")
        self.grid_size_label.setToolTip("How many configurations the grid has, after leaving out "
                                        "hyperparameters that do not apply.")
        self.grid_size_label.hide()
        form.addRow("", self.grid_size_label)
        self._strategy_form = form

        self.strategy_error = _error_label(group, "Problem with the strategy")
        self._group_errors["strategy"] = (form, _wrapped(self.strategy_error))
        form.addRow(self._group_errors["strategy"][1])
        form.setRowVisible(self._group_errors["strategy"][1], False)
        return group

    def _build_evaluation(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox("Scoring", parent)
        form = self._form(group)
        self._evaluation_form = form

        self.metric_combo = ComboBox(group)
        self.metric_combo.setAccessibleName("Metric")
        self.metric_combo.setSizeAdjustPolicy(ComboBox.SizeAdjustPolicy.AdjustToContents)
        self.metric_combo.currentIndexChanged.connect(self._on_metric_changed)
        self._add(form, "metric", "Metric", self.metric_combo)

        self.method_combo = ComboBox(group)
        self.method_combo.setAccessibleName("Validation method")
        self.method_combo.setToolTip("How each configuration is scored on rows it was not trained on.")
        _fill_combo(self.method_combo, METHODS, METHOD_TEXT)
        self.method_combo.currentIndexChanged.connect(self._on_combo_changed)
        self._add(form, "evaluation.method", "Validation", self.method_combo)

        defaults = EvaluationSpec()
        self.folds_spin = IntSpinBox(group, 2, 999, sample="100")
        self.folds_spin.setValue(defaults.folds)
        self.folds_spin.setAccessibleName("Folds")
        self.folds_spin.setToolTip("Into how many parts the rows are split; each trial fits the model this "
                                   "many times. 5 or 10 is usual.")
        self.folds_spin.valueChanged.connect(self._emit)
        self._add(form, "evaluation.folds", "Folds", self.folds_spin)

        self.repeats_spin = IntSpinBox(group, 1, 100, sample="100")
        self.repeats_spin.setValue(defaults.repeats)
        self.repeats_spin.setAccessibleName("Repeats")
        self.repeats_spin.setToolTip("How many times k-fold is repeated with a different random split.")
        self.repeats_spin.valueChanged.connect(self._emit)
        self._add(form, "evaluation.repeats", "Repeats", self.repeats_spin)

        self.holdout_spin = _percent_spin(1.0, 99.0, group)
        self.holdout_spin.setValue(defaults.holdout_fraction * 100)
        self.holdout_spin.setAccessibleName("Validation share")
        self.holdout_spin.setToolTip("The share of the rows kept aside to score each trial.")
        self.holdout_spin.valueChanged.connect(self._emit)
        self._add(form, "evaluation.holdout_fraction", "Validation share", self.holdout_spin)

        self.shuffle_box = QCheckBox("Shuffle rows before splitting", group)
        self.shuffle_box.setChecked(defaults.shuffle)
        self.shuffle_box.setAccessibleName("Shuffle rows before splitting")
        self.shuffle_box.setToolTip("Shuffle (with the seed) before cutting the folds. Leave it off only when "
                                    "the row order matters or to match GridSearchCV(cv=k) exactly.")
        self.shuffle_box.toggled.connect(self._emit)
        self._add(form, "evaluation.shuffle", "", self.shuffle_box)

        self.test_box = QCheckBox("Hold out a test set", group)
        self.test_box.setAccessibleName("Hold out a test set")
        self.test_box.setToolTip("Keep some rows out of the search entirely and score the best configuration "
                                 "on them once at the end: an honest estimate of how it does on new data.")
        self.test_spin = _percent_spin(1.0, 89.0, group)
        self.test_spin.setValue(20.0)
        self.test_spin.setAccessibleName("Test set share")
        self.test_spin.setToolTip("The share of the rows held out as the test set.")
        self.test_box.toggled.connect(self._on_toggle)
        self.test_spin.valueChanged.connect(self._emit)
        self._add(form, "evaluation.test_fraction", "Test set", self.test_box, self.test_spin, buddy=self.test_box)
        self._marked["evaluation.test_fraction"] = self.test_spin

        self.evaluation_error = _error_label(group, "Problem with the scoring")
        self._group_errors["evaluation"] = (form, _wrapped(self.evaluation_error))
        form.addRow(self._group_errors["evaluation"][1])
        form.setRowVisible(self._group_errors["evaluation"][1], False)
        return group

    def _build_budget(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox("Budget — stop when any limit is reached", parent)
        form = self._form(group)
        defaults = Budget()

        self.trials_box = QCheckBox("at most", group)
        self.trials_box.setChecked(defaults.trials is not None)
        self.trials_box.setAccessibleName("Limit the number of trials")
        self.trials_box.setToolTip("Stop after this many trials. Off: no limit (grid search stops when the "
                                   "grid is done; other strategies then need a time limit).")
        self.trials_spin = IntSpinBox(group, 1, 10_000_000, sample="10000")
        self.trials_spin.setValue(defaults.trials or 50)
        self.trials_spin.setSuffix(" trials")
        self.trials_spin.setAccessibleName("Number of trials")
        self.trials_spin.setToolTip("The most trials (configurations) to evaluate.")
        self._add(form, "budget.trials", "Trials", self.trials_box, self.trials_spin, buddy=self.trials_box)
        self._marked["budget.trials"] = self.trials_spin

        self.time_box = QCheckBox("at most", group)
        self.time_box.setAccessibleName("Limit the search time")
        self.time_box.setToolTip("Stop starting new trials after this long.")
        self.time_spin = IntSpinBox(group, 1, 100_000_000, sample="100000")
        self.time_spin.setValue(600)
        self.time_spin.setSuffix(" s")
        self.time_spin.setAccessibleName("Time limit in seconds")
        self.time_spin.setToolTip("The time limit in seconds (3600 is an hour).")
        self.time_hint = _hint_label("", group)
        self.time_hint.setWordWrap(False)
        self._add(form, "budget.timeout_s", "Time limit", self.time_box, self.time_spin, self.time_hint,
                  buddy=self.time_box)
        self._marked["budget.timeout_s"] = self.time_spin

        self.patience_box = QCheckBox("stop after", group)
        self.patience_box.setAccessibleName("Stop when the best score stops improving")
        self.patience_box.setToolTip("Stop when this many trials in a row have not improved the best score.")
        self.patience_spin = IntSpinBox(group, 1, 1_000_000, sample="1000")
        self.patience_spin.setValue(20)
        self.patience_spin.setSuffix(" trials")
        self.patience_spin.setAccessibleName("Patience in trials")
        self.patience_spin.setToolTip("How many trials in a row without a better score end the search.")
        self.patience_hint = _hint_label("without a gain", group)
        self.patience_hint.setWordWrap(False)
        self._add(form, "budget.patience", "Patience", self.patience_box, self.patience_spin,
                  self.patience_hint, buddy=self.patience_box)
        self._marked["budget.patience"] = self.patience_spin

        self.trial_time_box = QCheckBox("at most", group)
        self.trial_time_box.setAccessibleName("Limit the time of each trial")
        self.trial_time_box.setToolTip("End a trial whose fit runs longer than this and record it as failed "
                                       "(timeout); the search goes on with the next one.")
        self.trial_time_spin = IntSpinBox(group, 1, 100_000_000, sample="100000")
        self.trial_time_spin.setValue(300)
        self.trial_time_spin.setSuffix(" s")
        self.trial_time_spin.setAccessibleName("Time limit per trial in seconds")
        self.trial_time_spin.setToolTip("The longest one trial (all its folds) may run, in seconds.")
        self._add(form, "budget.trial_timeout_s", "Per trial", self.trial_time_box, self.trial_time_spin,
                  buddy=self.trial_time_box)
        self._marked["budget.trial_timeout_s"] = self.trial_time_spin

        self.target_box = QCheckBox("stop at", group)
        self.target_box.setAccessibleName("Stop at a target score")
        self.target_box.setToolTip("Stop as soon as a trial reaches this score.")
        self.target_spin = ScientificSpinBox(group)
        self.target_spin.setValue(0.9)
        self.target_spin.setSingleStep(0.01)
        self.target_spin.setAccessibleName("Target score")
        self.target_spin.setToolTip("The score that is good enough, in the metric's own units.")
        self.target_hint = _hint_label("", group)
        self.target_hint.setWordWrap(False)
        self._add(form, "budget.target_score", "Target score", self.target_box, self.target_spin,
                  self.target_hint, buddy=self.target_box)
        self._marked["budget.target_score"] = self.target_spin

        for box in (self.trials_box, self.time_box, self.patience_box, self.target_box, self.trial_time_box):
            box.toggled.connect(self._on_toggle)
        for spin in (self.trials_spin, self.time_spin, self.patience_spin, self.target_spin, self.trial_time_spin):
            spin.valueChanged.connect(self._on_budget_value)

        self.savings_label = _hint_label("", group)
        self.savings_label.setObjectName("savingsLabel")
        self.savings_label.setAccessibleName("Compute saved by stopping early")
        self.savings_label.setToolTip("Fits and fitting seconds the stopped trials did not spend, against "
                                      "training every trial to the end (their full time estimated from "
                                      "their own time per step).")
        self.savings_label.hide()
        form.addRow("", self.savings_label)

        self.budget_error = _error_label(group, "Problem with the budget")
        self._group_errors["budget"] = (form, _wrapped(self.budget_error))
        form.addRow(self._group_errors["budget"][1])
        form.setRowVisible(self._group_errors["budget"][1], False)
        return group

    def _build_preprocessing(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox("Preprocessing", parent)
        form = self._form(group)
        self._preprocessing_form = form
        defaults = Preprocessing()

        self.mode_combo = ComboBox(group)
        self.mode_combo.setAccessibleName("Preprocessing mode")
        self.mode_combo.setToolTip("How the columns are prepared before the model sees them.")
        _fill_combo(self.mode_combo, ("auto", "none", "custom"), MODE_TEXT)
        self.mode_combo.currentIndexChanged.connect(self._on_combo_changed)
        self._add(form, "preprocessing.mode", "Mode", self.mode_combo)

        def combo(key: str, label: str, names, texts, default: str, tip: str) -> ComboBox:
            box = ComboBox(group)
            box.setAccessibleName(label)
            box.setToolTip(tip)
            _fill_combo(box, names, texts)
            box.setCurrentIndex(box.findData(default))
            box.currentIndexChanged.connect(self._on_combo_changed)
            self._add(form, f"preprocessing.{key}", label, box)
            return box

        self.scaler_combo = combo("scaler", "Scaling", SCALER_CHOICES, SCALER_TEXT, defaults.scaler,
                                  "How number columns are scaled.")
        self.impute_numeric_combo = combo("impute_numeric", "Missing numbers", NUMERIC_IMPUTE,
                                          IMPUTE_NUMERIC_TEXT, defaults.impute_numeric,
                                          "What replaces a missing value in a number column.")
        self.impute_categorical_combo = combo("impute_categorical", "Missing categories", CATEGORICAL_IMPUTE,
                                              IMPUTE_CATEGORICAL_TEXT, defaults.impute_categorical,
                                              "What replaces a missing value in a text (category) column.")
        self.encode_combo = combo("encode", "Categories", ENCODINGS, ENCODING_TEXT, defaults.encode,
                                  "How text (category) columns are turned into numbers.")

        self.preprocessing_error = _error_label(group, "Problem with the preprocessing")
        self._group_errors["preprocessing"] = (form, _wrapped(self.preprocessing_error))
        form.addRow(self._group_errors["preprocessing"][1])
        form.setRowVisible(self._group_errors["preprocessing"][1], False)
        return group

    def _build_manual(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox("Manual configurations", parent)
        layout = QVBoxLayout(group)
        layout.addWidget(_hint_label("Tried first, before the strategy picks its own: a known good setting, "
                                     "or one copied from a trial.", group))

        self.manual_list = QListWidget(group)
        self.manual_list.setAccessibleName("Manual configurations")
        self.manual_list.setToolTip("Configurations evaluated before the search proper. Double-click to edit.")
        self.manual_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.manual_list.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                         | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.manual_list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.manual_list.setMaximumHeight(self.manual_list.fontMetrics().height() * 7)
        self.manual_list.setMinimumHeight(self.manual_list.fontMetrics().height() * 3)
        self.manual_list.itemChanged.connect(self._on_manual_item_changed)
        self.manual_list.itemSelectionChanged.connect(self._update_manual_buttons)
        layout.addWidget(self.manual_list)

        add_line = QHBoxLayout()
        self.manual_edit = QLineEdit(group)
        self.manual_edit.setPlaceholderText("C=1, kernel=rbf")
        self.manual_edit.setAccessibleName("New manual configuration")
        self.manual_edit.setToolTip("Hyperparameter values as name=value, separated by commas, for example "
                                    "C=1, kernel=rbf. Numbers are read as numbers; quote text that looks "
                                    "like a number.")
        self.manual_edit.textChanged.connect(self._update_manual_buttons)
        self.manual_edit.returnPressed.connect(self._add_typed_manual)
        self.add_manual_button = QPushButton("Add", group)
        self.add_manual_button.setAccessibleName("Add manual configuration")
        self.add_manual_button.setToolTip("Add the configuration typed on the left.")
        self.add_manual_button.clicked.connect(self._add_typed_manual)
        add_line.addWidget(self.manual_edit, 1)
        add_line.addWidget(self.add_manual_button)
        layout.addLayout(add_line)
        self.manual_input_error = _error_label(group, "Problem with the typed configuration")
        layout.addWidget(self.manual_input_error)

        buttons = QHBoxLayout()
        self.edit_manual_button = QPushButton("Edit", group)
        self.edit_manual_button.setAccessibleName("Edit the selected manual configuration")
        self.edit_manual_button.setToolTip("Edit the selected configuration in place (or double-click it).")
        self.edit_manual_button.clicked.connect(self._edit_selected_manual)
        self.remove_manual_button = QPushButton("Remove", group)
        self.remove_manual_button.setAccessibleName("Remove the selected manual configurations")
        self.remove_manual_button.setToolTip("Remove the selected configurations.")
        self.remove_manual_button.clicked.connect(self._remove_selected_manual)
        buttons.addWidget(self.edit_manual_button)
        buttons.addWidget(self.remove_manual_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.manual_error = _error_label(group, "Problems with the manual configurations")
        layout.addWidget(self.manual_error)
        self._update_manual_buttons()
        return group
