"""How to search: strategy, metric, evaluation, budget, preprocessing, manual tries.

Like the hyperparameter form, this panel never judges its own values: the
window builds a :class:`~hpgui.core.setup.SearchSetup` from it, calls
``validate()``, and hands the problems back through :meth:`SearchPanel.set_problems`.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFormLayout, QFrame, QLabel, QScrollArea, QStyle, QVBoxLayout,
                               QWidget)

from hpgui.core.evaluate import EvaluationSpec
from hpgui.core.metrics import DEFAULT_METRIC, METRICS, metrics_for
from hpgui.core.pipeline import Preprocessing
from hpgui.core.setup import Budget, SearchSetup, StrategySpec
from hpgui.core.space import GRID_LIMIT, Hyperparameter, Problem, format_count
from hpgui.core.strategies import STRATEGIES

from .manual_config import (METHOD_TEXT, MODE_TEXT, PRUNER_TEXT, RESOURCE_TEXT, duration_text, format_config, format_value,
                            metric_text, parse_config)
from .search_sections import SearchSections, _Field, _select
from .manual_list import ManualListMixin
from .metric_default import MetricDefaultMixin
from .validation_box import ValidationMixin
from .form_widgets import WARNING_COLOR, IntSpinBox, mark_invalid
from hpgui.core.formatting import exact_number, is_number

class SearchPanel(ManualListMixin, MetricDefaultMixin, ValidationMixin, SearchSections, QWidget):
    """Strategy, metric, evaluation, budget, preprocessing and manual configurations."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._task = "classification"
        self._filling = False
        self._grid_size: int | None = None
        self._quantile: float | None = None  # population-based training's share, from an opened setup (no control)
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
        self._build_validation()
        self._build_metric_default()
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
        self._update_column_methods()
        self._update_visibility()

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
        name = self.strategy_combo.currentData()
        return StrategySpec(
            name=name,
            seed=self.seed_spin.value(),
            pruner=self.pruner_combo.currentData(),
            manual=tuple(self.manual_configs()),
            allow_large_grid=self.allow_large_grid_box.isChecked(),
            resource=self.resource_combo.currentData(),
            **self.strategy_options.values(name),
            **({"quantile": self._quantile} if name == "pbt" else {}),
        )

    def evaluation(self) -> EvaluationSpec:
        return self._column_evaluation(EvaluationSpec(
            method=self.method_combo.currentData(),
            folds=self.folds_spin.value(),
            shuffle=self.shuffle_box.isChecked(),
            repeats=self.repeats_spin.value(),
            holdout_fraction=_fraction(self.holdout_spin.value()),
            test_fraction=_fraction(self.test_spin.value()) if self.test_box.isChecked() else None,
        ))

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
            _select(self.resource_combo, strategy.resource)
            self.allow_large_grid_box.setChecked(bool(strategy.allow_large_grid))
            self.strategy_options.apply(strategy)
            self._quantile = strategy.quantile
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
            self._apply_validation(evaluation)
            self.test_box.setChecked(evaluation.test_fraction is not None)
            if is_number(evaluation.test_fraction):
                self.test_spin.setValue(evaluation.test_fraction * 100)

            _select(self.metric_combo, setup.metric_for(self._task), "{} (not a %s metric)" % self._task)
            self._metric_chosen = setup.metric is not None

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

    def start_afresh(self, task: str) -> None:
        """A new dataset without a setup: the task's default metric, no manual configurations (they named
        the last dataset's hyperparameters). Strategy and budget are the user's habits and stay."""
        self.set_task(task)
        self.metric_combo.setCurrentIndex(max(self.metric_combo.findData(DEFAULT_METRIC.get(task)), 0))
        self.manual_list.clear()
        self._update_manual_buttons()
        self._emit()

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
        self.strategy_options.show_for(self._strategy_form, name)
        self._update_grid_label()
        pruner = PRUNER_TEXT.get(self.pruner_combo.currentData())
        self.pruner_combo.setToolTip(pruner[1] if pruner else "")
        resource = RESOURCE_TEXT.get(self.resource_combo.currentData())
        self.resource_combo.setToolTip(resource[1] if resource else "")

        method = self.method_combo.currentData()
        form = self._evaluation_form
        form.setRowVisible(self._fields["evaluation.folds"], method != "holdout")
        form.setRowVisible(self._fields["evaluation.repeats"], method == "repeated_kfold")
        form.setRowVisible(self._fields["evaluation.holdout_fraction"], method == "holdout")
        # repeated k-fold and holdout always split at random; only plain k-fold may keep the row order
        form.setRowVisible(self._fields["evaluation.shuffle"], method == "kfold")
        text = METHOD_TEXT.get(method)
        self.method_combo.setToolTip(text[1] if text else "")
        self._update_validation_visibility()
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
        self.metric_combo.setToolTip(self._with_default_note(metric.doc if metric else "Pick the score to optimise."))
        if metric is None:
            self.target_hint.setText("")
        else:
            self.target_hint.setText("or higher" if metric.greater_is_better else "or lower")



def _fraction(percent: float) -> float:
    # 20.0 % -> 0.2 exactly as typed, not 0.20000000000000001
    return float(f"{percent / 100:.6g}")


def _set_int(spin: IntSpinBox, value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        spin.setValue(value)


__all__ = ["SearchPanel", "format_config", "parse_config"]
