"""How to search: strategy, metric, evaluation, budget, preprocessing, manual tries.

Like the hyperparameter form, this panel never judges its own values: the
window builds a :class:`~hpgui.core.setup.SearchSetup` from it, calls
``validate()``, and hands the problems back through :meth:`SearchPanel.set_problems`.
"""

from __future__ import annotations

import json
import math
import os
import re
from typing import Any, Iterable, Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from hpgui.core.evaluate import METHODS, EvaluationSpec
from hpgui.core.metrics import DEFAULT_METRIC, METRICS, metrics_for
from hpgui.core.pipeline import CATEGORICAL_IMPUTE, ENCODINGS, NUMERIC_IMPUTE, SCALER_CHOICES, Preprocessing
from hpgui.core.setup import Budget, SearchSetup, StrategySpec
from hpgui.core.space import GRID_LIMIT, Hyperparameter, Problem, format_count
from hpgui.core.strategies import PRUNERS, STRATEGIES

from .space_form import (
    ERROR_COLOR,
    WARNING_COLOR,
    ComboBox,
    DoubleSpinBox,
    IntSpinBox,
    ScientificSpinBox,
    mark_invalid,
)
from hpgui.core.formatting import exact_number, is_number

# -- words for the choices ------------------------------------------------------------------

PRUNER_TEXT = {
    "none": ("No pruning", "Every trial runs all its folds."),
    "median": ("Median", "Stops a trial after a fold when its score so far is worse than the median of "
                         "earlier trials at the same fold. Saves time once a few trials have finished."),
    "successive_halving": ("Successive halving", "Lets many trials start and keeps only the best share "
                                                 "going to the next fold, again and again."),
    "hyperband": ("Hyperband", "Runs several successive-halving brackets with different aggressiveness, "
                               "so it depends less on one setting."),
}
METHOD_TEXT = {
    "kfold": ("k-fold cross-validation", "Split the rows into k parts; train on k−1 parts and score on the "
                                         "one left out, k times. The usual choice."),
    "repeated_kfold": ("Repeated k-fold", "k-fold cross-validation repeated with different random splits, "
                                          "averaged. Steadier scores on small datasets, k × repeats fits per trial."),
    "holdout": ("Single holdout split", "Train once on part of the rows and score on the rest. Fastest, but "
                                        "the score depends on which rows landed in the validation part."),
}
MODE_TEXT = {
    "auto": ("Automatic", "Fill in missing values, encode text columns, and scale numbers when the model "
                          "needs it (as for SVMs, neural networks and k-means)."),
    "none": ("None", "Give the columns to the model as they are: every feature must be numeric, "
                     "with no missing values."),
    "custom": ("Custom", "Choose each preprocessing step yourself below."),
}
SCALER_TEXT = {
    "auto": ("As the model needs", "Standardise for models that care about feature scale; leave the rest."),
    "standard": ("Standardise", "Shift and scale each number column to mean 0 and standard deviation 1."),
    "minmax": ("Min–max to [0, 1]", "Scale each number column so its smallest value is 0 and its largest 1."),
    "robust": ("Robust (median, IQR)", "Centre on the median and scale by the interquartile range; "
                                       "outliers pull it less."),
    "none": ("No scaling", "Leave number columns as they are."),
}
IMPUTE_NUMERIC_TEXT = {
    "median": ("Median", "Replace a missing number with the column's median."),
    "mean": ("Mean", "Replace a missing number with the column's mean."),
    "most_frequent": ("Most frequent value", "Replace a missing number with the column's most common value."),
}
IMPUTE_CATEGORICAL_TEXT = {
    "most_frequent": ("Most frequent category", "Replace a missing category with the column's most common one."),
    "constant": ("Its own category", "Treat “missing” as a category of its own."),
}
ENCODING_TEXT = {
    "onehot": ("One-hot", "One 0/1 column per category. Right for most models."),
    "ordinal": ("Ordinal", "One number per category. Compact; fine for tree models, misleading for linear ones."),
}


def metric_text(name: str) -> str:
    metric = METRICS.get(name)
    if metric is None:
        return name
    return f"{metric.label} ({'higher' if metric.greater_is_better else 'lower'} is better)"


def duration_text(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours} h")
    if minutes:
        parts.append(f"{minutes} min")
    if secs or not parts:
        parts.append(f"{secs} s")
    return " ".join(parts)


# -- manual configurations as text: "C=1, kernel=rbf" -----------------------------------------

_KEY_START = re.compile(r",\s*(?=[A-Za-z_][\w.]*\s*=)")
_NUMBERLIKE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^(none|null|true|false|nan|[+-]?inf)$",
                         re.IGNORECASE)


def format_value(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return exact_number(value)
    if isinstance(value, str):
        # quote what would read back as something else: "64" (a string), "a, b=1", " x"
        if (not value or value != value.strip() or _NUMBERLIKE.match(value) or "=" in value
                or value[0] in "\"'[{" or _KEY_START.search(value)):
            return json.dumps(value)
        return value
    return json.dumps(value)


def format_config(config: Mapping[str, Any]) -> str:
    """``{"C": 1, "kernel": "rbf"}`` -> ``C=1, kernel=rbf``."""
    return ", ".join(f"{name}={format_value(value)}" for name, value in config.items())


def parse_value(text: str) -> Any:
    text = text.strip()
    if not text:
        raise ValueError("a value is missing")
    if text[0] in "\"[{":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(f"{text} is not a valid quoted value") from None
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    lowered = text.lower()
    if lowered in ("none", "null"):
        return None
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def parse_config(text: str, space: Mapping[str, Hyperparameter] | None = None) -> dict[str, Any]:
    """``C=1, kernel=rbf`` (or a JSON object) -> ``{"C": 1, "kernel": "rbf"}``.

    Numbers become numbers; with ``space``, a value typed for a categorical
    hyperparameter is matched to the choice it spells (``64`` -> ``"64"``).
    Raises ``ValueError`` with a message for the user.
    """
    text = text.strip()
    if not text:
        raise ValueError("type values such as C=1, kernel=rbf")
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a valid JSON object: {exc.msg}") from None
        if not isinstance(data, dict):
            raise ValueError("a configuration must be an object of name: value pairs")
        config = dict(data)
    else:
        config = {}
        for part in _KEY_START.split(text):
            part = part.strip()
            if not part:
                continue
            name, sep, value = part.partition("=")
            name = name.strip()
            if not sep or not name:
                raise ValueError(f"expected name=value, not {part!r}")
            if name in config:
                raise ValueError(f"{name} is given twice")
            config[name] = parse_value(value)
    if space:
        config = {name: _match_choice(value, space.get(name)) for name, value in config.items()}
    return config


def _match_choice(value: Any, hp: Hyperparameter | None) -> Any:
    if hp is None or hp.type != "categorical" or not hp.choices:
        return value
    for choice in hp.choices:
        if type(choice) is type(value) and choice == value:
            return value
    for choice in hp.choices:
        if str(choice).lower() == format_value(value).strip('"').lower() or str(choice) == str(value):
            return choice
    return value


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


class SearchPanel(QWidget):
    """Strategy, metric, evaluation, budget, preprocessing and manual configurations."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._task = "classification"
        self._filling = False
        self._grid_size: int | None = None
        self._space: dict[str, Hyperparameter] | None = None
        self._fields: dict[str, _Field] = {}
        self._marked: dict[str, QWidget] = {}
        self._captions: list[QLabel] = []
        self._group_errors: dict[str, tuple[QFormLayout, QWidget]] = {}

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        # word-wrapped messages make the content height-for-width; a horizontal bar would only flicker
        # on with the vertical one, so the scroll area keeps the content's minimum width instead
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        self._content = content
        layout = QVBoxLayout(content)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(10)
        self.scroll_area.setWidget(content)
        outer.addWidget(self.scroll_area)

        layout.addWidget(self._build_strategy(content))
        layout.addWidget(self._build_evaluation(content))
        layout.addWidget(self._build_budget(content))
        layout.addWidget(self._build_preprocessing(content))
        layout.addWidget(self._build_manual(content))
        layout.addStretch(1)
        # one label column width for every group, so the fields line up down the panel
        width = max(c.sizeHint().width() for c in self._captions)
        for caption in self._captions:
            caption.setMinimumWidth(width)

        self.set_task("classification")
        self._update_visibility()
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self.scroll_area.setMinimumWidth(content.minimumSizeHint().width() + bar + 2 * self.scroll_area.frameWidth())

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
        self.pruner_combo.setToolTip("Whether to stop unpromising trials early, between folds, to save time.")
        self.pruner_combo.currentIndexChanged.connect(self._on_combo_changed)
        self._add(form, "strategy.pruner", "Pruning", self.pruner_combo)

        self.allow_large_grid_box = QCheckBox(f"Allow grids over {format_count(GRID_LIMIT)} points", group)
        self.allow_large_grid_box.setAccessibleName("Allow large grids")
        self.allow_large_grid_box.setToolTip(
            f"A grid over {format_count(GRID_LIMIT)} points usually means a range was given too many values. "
            "Tick this to run it anyway.")
        self.allow_large_grid_box.toggled.connect(self._emit)
        self._add(form, "strategy.allow_large_grid", "", self.allow_large_grid_box)

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

    # -- task and metric -------------------------------------------------------------------------
    @property
    def task(self) -> str:
        return self._task

    def set_task(self, task: str) -> None:
        """Offer the metrics of ``task``; keep the current one when it still fits."""
        current = self.metric_combo.currentData()
        self._task = task
        filling, self._filling = self._filling, True
        try:
            self.metric_combo.clear()
            for metric in metrics_for(task):
                self.metric_combo.addItem(metric_text(metric.name), metric.name)
                self.metric_combo.setItemData(self.metric_combo.count() - 1, metric.doc,
                                              Qt.ItemDataRole.ToolTipRole)
            index = self.metric_combo.findData(current)
            if index < 0:
                index = self.metric_combo.findData(DEFAULT_METRIC.get(task))
            self.metric_combo.setCurrentIndex(max(index, 0))
        finally:
            self._filling = filling
        self._update_metric_hints()

    def metric(self, *paint_device_metric: Any) -> str:
        """The metric's name (``"rmse"``).

        ``QWidget`` has a C++ virtual ``metric(PaintDeviceMetric)`` that Qt calls
        while painting; a Python method of the same name overrides it, so a call
        with an argument is Qt's and goes to the base class.
        """
        if paint_device_metric:
            return QWidget.metric(self, *paint_device_metric)
        return self.metric_combo.currentData() or DEFAULT_METRIC.get(self._task, "")

    def set_space(self, space: Mapping[str, Hyperparameter] | None) -> None:
        """The space being searched: typed manual values are matched to its categorical choices
        (``hidden_layer_sizes=64`` means the choice ``"64"``)."""
        self._space = dict(space) if space is not None else None
        if self._space:
            names = [n for n, hp in self._space.items() if hp.enabled][:2]
            if names:
                example = ", ".join(f"{n}={self._example_value(self._space[n])}" for n in names)
                self.manual_edit.setPlaceholderText(example)

    @staticmethod
    def _example_value(hp: Hyperparameter) -> str:
        if hp.type == "categorical" and hp.choices:
            return format_value(hp.choices[0])
        if hp.values:
            return format_value(hp.values[0])
        if hp.low is not None and hp.high is not None:
            try:
                middle = math.sqrt(hp.low * hp.high) if hp.log and hp.low > 0 else (hp.low + hp.high) / 2
            except TypeError:
                return "1"
            if hp.type == "int":
                return str(int(round(middle)))
            return exact_number(float(f"{middle:.2g}"))
        return "1"

    # -- reading ---------------------------------------------------------------------------------
    def strategy(self) -> StrategySpec:
        return StrategySpec(
            name=self.strategy_combo.currentData(),
            seed=self.seed_spin.value(),
            pruner=self.pruner_combo.currentData(),
            manual=tuple(self.manual_configs()),
            allow_large_grid=self.allow_large_grid_box.isChecked(),
        )

    def evaluation(self) -> EvaluationSpec:
        return EvaluationSpec(
            method=self.method_combo.currentData(),
            folds=self.folds_spin.value(),
            shuffle=self.shuffle_box.isChecked(),
            repeats=self.repeats_spin.value(),
            holdout_fraction=_fraction(self.holdout_spin.value()),
            test_fraction=_fraction(self.test_spin.value()) if self.test_box.isChecked() else None,
        )

    def budget(self) -> Budget:
        return Budget(
            trials=self.trials_spin.value() if self.trials_box.isChecked() else None,
            timeout_s=self.time_spin.value() if self.time_box.isChecked() else None,
            patience=self.patience_spin.value() if self.patience_box.isChecked() else None,
            target_score=self.target_spin.value() if self.target_box.isChecked() else None,
            trial_timeout_s=self.trial_time_spin.value() if self.trial_time_box.isChecked() else None,
        )

    def workers(self) -> int:
        """Worker processes for the next search (a property of this machine, not of the setup)."""
        return self.workers_spin.value()

    def preprocessing(self) -> Preprocessing:
        mode = self.mode_combo.currentData()
        if mode != "custom":
            return Preprocessing(mode=mode)
        return Preprocessing(
            mode="custom",
            impute_numeric=self.impute_numeric_combo.currentData(),
            impute_categorical=self.impute_categorical_combo.currentData(),
            scaler=self.scaler_combo.currentData(),
            encode=self.encode_combo.currentData(),
        )

    def manual_configs(self) -> list[dict]:
        return [dict(self.manual_list.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.manual_list.count())]

    # -- writing ---------------------------------------------------------------------------------
    def apply(self, setup: SearchSetup) -> None:
        """Fill every control from ``setup`` (as when a setup file is opened); emits nothing."""
        self._filling = True
        try:
            self.set_task(setup.task_or(self._task))
            strategy = setup.strategy
            _select(self.strategy_combo, strategy.name)
            if isinstance(strategy.seed, int) and not isinstance(strategy.seed, bool):
                self.seed_spin.setValue(strategy.seed)
            _select(self.pruner_combo, strategy.pruner)
            self.allow_large_grid_box.setChecked(bool(strategy.allow_large_grid))
            self.manual_list.clear()
            for config in strategy.manual:
                self._append_manual(dict(config) if isinstance(config, Mapping) else {})

            evaluation = setup.evaluation
            _select(self.method_combo, evaluation.method)
            _set_int(self.folds_spin, evaluation.folds)
            _set_int(self.repeats_spin, evaluation.repeats)
            if is_number(evaluation.holdout_fraction):
                self.holdout_spin.setValue(evaluation.holdout_fraction * 100)
            self.shuffle_box.setChecked(bool(evaluation.shuffle))
            self.test_box.setChecked(evaluation.test_fraction is not None)
            if is_number(evaluation.test_fraction):
                self.test_spin.setValue(evaluation.test_fraction * 100)

            _select(self.metric_combo, setup.metric_for(self._task), "{} (not a %s metric)" % self._task)

            budget = setup.budget
            self.trials_box.setChecked(budget.trials is not None)
            _set_int(self.trials_spin, budget.trials)
            self.time_box.setChecked(budget.timeout_s is not None)
            if is_number(budget.timeout_s):
                self.time_spin.setValue(int(math.ceil(budget.timeout_s)))
            self.patience_box.setChecked(budget.patience is not None)
            _set_int(self.patience_spin, budget.patience)
            self.target_box.setChecked(budget.target_score is not None)
            if is_number(budget.target_score):
                self.target_spin.setValue(float(budget.target_score))
            self.trial_time_box.setChecked(budget.trial_timeout_s is not None)
            if is_number(budget.trial_timeout_s):
                self.trial_time_spin.setValue(int(math.ceil(budget.trial_timeout_s)))

            pre = setup.preprocessing
            _select(self.mode_combo, pre.mode)
            _select(self.scaler_combo, pre.scaler)
            _select(self.impute_numeric_combo, pre.impute_numeric)
            _select(self.impute_categorical_combo, pre.impute_categorical)
            _select(self.encode_combo, pre.encode)
        finally:
            self._filling = False
        self._update_visibility()
        self._update_metric_hints()

    def add_manual(self, config: Mapping[str, Any]) -> None:
        """Append a manual configuration (for example one copied from a trial)."""
        self._append_manual(dict(config))
        self._emit()

    def _append_manual(self, config: dict) -> QListWidgetItem:
        item = QListWidgetItem(format_config(config))
        item.setData(Qt.ItemDataRole.UserRole, config)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        filling, self._filling = self._filling, True
        try:
            self.manual_list.addItem(item)
        finally:
            self._filling = filling
        self._update_manual_buttons()
        return item

    # -- grid size and problems ----------------------------------------------------------------
    def set_grid_size(self, size: int | None) -> None:
        """Show "Grid: 1,234 points" while the strategy is grid; None hides it."""
        self._grid_size = size
        self._update_grid_label()

    def _update_grid_label(self) -> None:
        size = self._grid_size
        show = size is not None and self.strategy_combo.currentData() == "grid"
        if show:
            text = f"Grid: {format_count(size)} point{'s' if size != 1 else ''}"
            if size > GRID_LIMIT:
                text += f" — over {format_count(GRID_LIMIT)}"
                self.grid_size_label.setStyleSheet(f"color: {WARNING_COLOR};")
            else:
                self.grid_size_label.setStyleSheet("")
            self.grid_size_label.setText(text)
        self._strategy_form.setRowVisible(self.grid_size_label, show)

    def set_problems(self, problems: Iterable[Problem]) -> None:
        """Show each strategy/evaluation/budget/metric/preprocessing problem next to its control;
        clear the others."""
        per_field: dict[str, list[str]] = {}
        general: dict[str, list[str]] = {"strategy": [], "evaluation": [], "budget": [], "preprocessing": []}
        manual: dict[int | None, list[str]] = {}
        for problem in problems:
            field = problem.field
            if field == "strategy.manual" or field.startswith("strategy.manual."):
                pieces = field.split(".")
                index = int(pieces[2]) if len(pieces) > 2 and pieces[2].isdigit() else None
                name = ".".join(pieces[3:])
                manual.setdefault(index, []).append(f"{name}: {problem.message}" if name else problem.message)
            elif field in self._fields:
                per_field.setdefault(field, []).append(problem.message)
            elif field == "preprocessing":
                per_field.setdefault("preprocessing.mode", []).append(problem.message)
            else:
                head = field.split(".")[0]
                if head in general:
                    general[head].append(problem.message)
        for key, field_widget in self._fields.items():
            messages = per_field.get(key)
            label = field_widget.error_label
            if messages:
                label.setText("\n".join(dict.fromkeys(messages)))
                label.show()
            else:
                label.clear()
                label.hide()
            mark_invalid(self._marked.get(key), bool(messages))
        for head, label in (("strategy", self.strategy_error), ("evaluation", self.evaluation_error),
                            ("budget", self.budget_error), ("preprocessing", self.preprocessing_error)):
            form, box = self._group_errors[head]
            if general[head]:
                label.setText("\n".join(dict.fromkeys(general[head])))
                label.show()
            else:
                label.clear()
            form.setRowVisible(box, bool(general[head]))
        self._show_manual_problems(manual)

    def _show_manual_problems(self, manual: dict[int | None, list[str]]) -> None:
        lines = []
        for i in range(self.manual_list.count()):
            item = self.manual_list.item(i)
            messages = manual.get(i)
            if messages:
                item.setData(Qt.ItemDataRole.ForegroundRole, QBrush(QColor(ERROR_COLOR)))
                item.setToolTip("\n".join(messages))
                lines.append(f"#{i + 1}: " + "; ".join(messages))
            else:
                item.setData(Qt.ItemDataRole.ForegroundRole, None)
                item.setToolTip("")
        lines += manual.get(None, [])
        if lines:
            self.manual_error.setText("\n".join(lines))
            self.manual_error.show()
        else:
            self.manual_error.clear()
            self.manual_error.hide()

    def problem_text(self, field: str) -> str | None:
        """The message shown for ``field`` (for tests and for focusing the first problem)."""
        field_widget = self._fields.get(field)
        if field_widget is not None:
            return field_widget.error_label.text() or None
        return None

    def field_widget(self, field: str) -> QWidget | None:
        """The control that edits ``field`` (``evaluation.folds`` -> the folds spin box)."""
        return self._marked.get(field)

    # -- reactions -------------------------------------------------------------------------------
    def _emit(self, *_: Any) -> None:
        if not self._filling:
            self.changed.emit()

    def _on_toggle(self, *_: Any) -> None:
        self._update_visibility()
        self._emit()

    def _on_combo_changed(self, *_: Any) -> None:
        self._update_visibility()
        self._emit()

    def _on_strategy_changed(self, *_: Any) -> None:
        self._update_visibility()
        self._emit()

    def _on_metric_changed(self, *_: Any) -> None:
        self._update_metric_hints()
        self._emit()

    def _on_budget_value(self, *_: Any) -> None:
        self._update_budget_hints()
        self._emit()

    def _update_visibility(self) -> None:
        name = self.strategy_combo.currentData()
        strategy = STRATEGIES.get(name)
        self.strategy_doc.setText(strategy.doc if strategy else "")
        self.strategy_combo.setToolTip(strategy.doc if strategy else "")
        grid = name == "grid"
        self._strategy_form.setRowVisible(self._fields["strategy.allow_large_grid"], grid)
        self._update_grid_label()
        pruner = PRUNER_TEXT.get(self.pruner_combo.currentData())
        self.pruner_combo.setToolTip(pruner[1] if pruner else "")

        method = self.method_combo.currentData()
        form = self._evaluation_form
        form.setRowVisible(self._fields["evaluation.folds"], method != "holdout")
        form.setRowVisible(self._fields["evaluation.repeats"], method == "repeated_kfold")
        form.setRowVisible(self._fields["evaluation.holdout_fraction"], method == "holdout")
        # repeated k-fold and holdout always split at random; only plain k-fold may keep the row order
        form.setRowVisible(self._fields["evaluation.shuffle"], method == "kfold")
        text = METHOD_TEXT.get(method)
        self.method_combo.setToolTip(text[1] if text else "")
        self.test_spin.setEnabled(self.test_box.isChecked())

        for box, spin in ((self.trials_box, self.trials_spin), (self.time_box, self.time_spin),
                          (self.patience_box, self.patience_spin), (self.target_box, self.target_spin),
                          (self.trial_time_box, self.trial_time_spin)):
            spin.setEnabled(box.isChecked())
        self.patience_hint.setEnabled(self.patience_box.isChecked())
        self._update_budget_hints()

        custom = self.mode_combo.currentData() == "custom"
        for combo in (self.scaler_combo, self.impute_numeric_combo, self.impute_categorical_combo,
                      self.encode_combo):
            combo.setEnabled(custom)
        mode = MODE_TEXT.get(self.mode_combo.currentData())
        self.mode_combo.setToolTip(mode[1] if mode else "")

    def _update_budget_hints(self) -> None:
        self.time_hint.setText(f"= {duration_text(self.time_spin.value())}" if self.time_spin.value() >= 60 else "")
        self.time_hint.setEnabled(self.time_box.isChecked())
        self.target_hint.setEnabled(self.target_box.isChecked())

    def _update_metric_hints(self) -> None:
        metric = METRICS.get(self.metric_combo.currentData())
        self.metric_combo.setToolTip(metric.doc if metric else "Pick the score to optimise.")
        if metric is None:
            self.target_hint.setText("")
        else:
            self.target_hint.setText("or higher" if metric.greater_is_better else "or lower")

    # -- manual configurations -------------------------------------------------------------------
    def _add_typed_manual(self) -> None:
        text = self.manual_edit.text()
        if not text.strip():
            return
        try:
            config = parse_config(text, self._space)
        except ValueError as exc:
            self.manual_input_error.setText(str(exc))
            self.manual_input_error.show()
            return
        self.manual_input_error.hide()
        self.manual_edit.clear()
        self.add_manual(config)

    def _on_manual_item_changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        old = item.data(Qt.ItemDataRole.UserRole) or {}
        try:
            config = parse_config(item.text(), self._space)
        except ValueError as exc:
            self.manual_input_error.setText(f"Not changed: {exc}")
            self.manual_input_error.show()
            config = old
        else:
            self.manual_input_error.hide()
        self._filling = True
        try:
            item.setData(Qt.ItemDataRole.UserRole, config)
            item.setText(format_config(config))
        finally:
            self._filling = False
        if config != old:
            self._emit()

    def _edit_selected_manual(self) -> None:
        item = self.manual_list.currentItem()
        if item is not None:
            self.manual_list.editItem(item)

    def _remove_selected_manual(self) -> None:
        rows = sorted({self.manual_list.row(i) for i in self.manual_list.selectedItems()}, reverse=True)
        if not rows and self.manual_list.currentItem() is not None:
            rows = [self.manual_list.currentRow()]
        for row in rows:
            self.manual_list.takeItem(row)
        if rows:
            self._update_manual_buttons()
            self._emit()

    def _update_manual_buttons(self) -> None:
        selected = bool(self.manual_list.selectedItems())
        self.edit_manual_button.setEnabled(selected)
        self.remove_manual_button.setEnabled(selected)
        self.add_manual_button.setEnabled(bool(self.manual_edit.text().strip()))
        if not self.manual_edit.text().strip():
            self.manual_input_error.hide()


def _fraction(percent: float) -> float:
    # 20.0 % -> 0.2 exactly as typed, not 0.20000000000000001
    return float(f"{percent / 100:.6g}")


def _set_int(spin: IntSpinBox, value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        spin.setValue(value)


__all__ = ["SearchPanel", "format_config", "parse_config"]
