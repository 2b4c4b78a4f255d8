"""The search panel: valid defaults, exact round trips of a setup file, inline problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox

from hpgui.core.evaluate import EvaluationSpec
from hpgui.core.pipeline import Preprocessing
from hpgui.core.setup import Budget, DataSpec, SearchSetup, StrategySpec
from hpgui.core.space import Hyperparameter, Problem
from hpgui.core.strategies import STRATEGIES
from hpgui.gui.search_panel import SearchPanel, format_config, parse_config

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "iris-svm-grid.json"


@pytest.fixture
def panel(qtbot):
    widget = SearchPanel()
    qtbot.addWidget(widget)
    widget.resize(520, 900)
    widget.show()
    return widget


def _setup_from(panel: SearchPanel, **changes) -> SearchSetup:
    setup = SearchSetup(
        data=DataSpec(path=str(EXAMPLE.parent / "iris.csv"), target="species", task="classification"),
        model="svm",
        strategy=panel.strategy(),
        evaluation=panel.evaluation(),
        budget=panel.budget(),
        metric=panel.metric(),
        preprocessing=panel.preprocessing(),
    )
    return setup.with_(**changes)


def _index(combo: QComboBox, data) -> int:
    index = combo.findData(data)
    assert index >= 0, data
    return index


def test_defaults_make_a_valid_setup(panel):
    assert panel.strategy() == StrategySpec()
    assert panel.evaluation() == EvaluationSpec()
    assert panel.budget() == Budget()
    assert panel.preprocessing() == Preprocessing()
    assert panel.metric() == "accuracy"
    assert _setup_from(panel).validate() == []


def test_controls_are_named_and_explained(panel):
    combo = panel.findChild(QComboBox, "strategyCombo")
    assert combo is panel.strategy_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [s.label for s in STRATEGIES.values()]
    assert combo.toolTip() == STRATEGIES["tpe"].doc
    assert panel.metric_combo.currentText() == "Accuracy (higher is better)"
    for widget in (panel.strategy_combo, panel.seed_spin, panel.pruner_combo, panel.metric_combo,
                   panel.method_combo, panel.folds_spin, panel.repeats_spin, panel.holdout_spin, panel.shuffle_box,
                   panel.test_box, panel.test_spin, panel.trials_box, panel.trials_spin, panel.time_box,
                   panel.time_spin, panel.patience_box, panel.patience_spin, panel.target_box, panel.target_spin,
                   panel.mode_combo, panel.scaler_combo, panel.impute_numeric_combo,
                   panel.impute_categorical_combo, panel.encode_combo, panel.manual_list, panel.manual_edit,
                   panel.add_manual_button, panel.edit_manual_button, panel.remove_manual_button):
        assert widget.accessibleName(), widget
        assert widget.toolTip(), widget.accessibleName()


def test_metrics_follow_the_task(panel):
    panel.set_task("regression")
    names = [panel.metric_combo.itemData(i) for i in range(panel.metric_combo.count())]
    assert names == ["r2", "rmse", "mae"]
    assert panel.metric() == "r2"
    assert panel.metric_combo.itemText(names.index("rmse")) == "RMSE (lower is better)"
    panel.metric_combo.setCurrentIndex(_index(panel.metric_combo, "rmse"))
    panel.set_task("regression")
    assert panel.metric() == "rmse"  # still valid, so kept
    panel.set_task("classification")
    assert panel.metric() == "accuracy"
    assert panel.target_hint.text() == "or higher"


def test_apply_a_setup_file_and_read_it_back(panel, qtbot):
    setup = SearchSetup.load(EXAMPLE)
    seen = []
    panel.changed.connect(lambda: seen.append(1))
    panel.apply(setup)
    assert seen == []
    assert panel.strategy_combo.currentData() == "grid"
    assert panel.folds_spin.value() == 5
    assert panel.shuffle_box.isChecked() is False
    assert panel.trials_box.isChecked() and panel.trials_spin.value() == 4
    assert panel.metric() == "accuracy"
    assert panel.mode_combo.currentData() == "none"
    assert not panel.scaler_combo.isEnabled()

    assert panel.strategy() == setup.strategy
    assert panel.evaluation() == setup.evaluation
    assert panel.budget() == setup.budget
    assert panel.preprocessing() == setup.preprocessing
    assert panel.metric() == setup.metric
    assert _setup_from(panel, space=setup.space, data=setup.data, base_dir=setup.base_dir) == setup


def test_apply_round_trips_every_option(panel):
    setup = SearchSetup(
        data=DataSpec(path="x.csv", target="y", task="regression"),
        model="svm",
        strategy=StrategySpec(name="random", seed=7, pruner="median", manual=({"C": 2.5, "kernel": "rbf"},),
                              allow_large_grid=True),
        evaluation=EvaluationSpec(method="holdout", folds=10, shuffle=True, repeats=4, holdout_fraction=0.15,
                                  test_fraction=0.25),
        metric="mae",
        budget=Budget(trials=None, timeout_s=900, patience=12, target_score=0.125),
        preprocessing=Preprocessing(mode="custom", impute_numeric="mean", impute_categorical="constant",
                                    scaler="robust", encode="ordinal"),
    )
    panel.apply(setup)
    assert panel.task == "regression"
    assert panel.strategy() == setup.strategy
    assert panel.evaluation() == setup.evaluation
    assert panel.budget() == setup.budget
    assert panel.preprocessing() == setup.preprocessing
    assert panel.metric() == "mae"
    assert panel.scaler_combo.isEnabled()


def test_irrelevant_options_are_hidden(panel):
    form = panel._evaluation_form
    assert form.isRowVisible(panel._fields["evaluation.folds"])
    assert not form.isRowVisible(panel._fields["evaluation.repeats"])
    assert not form.isRowVisible(panel._fields["evaluation.holdout_fraction"])
    panel.method_combo.setCurrentIndex(_index(panel.method_combo, "repeated_kfold"))
    assert form.isRowVisible(panel._fields["evaluation.repeats"])
    assert not form.isRowVisible(panel._fields["evaluation.shuffle"])
    panel.method_combo.setCurrentIndex(_index(panel.method_combo, "holdout"))
    assert not form.isRowVisible(panel._fields["evaluation.folds"])
    assert form.isRowVisible(panel._fields["evaluation.holdout_fraction"])
    assert not panel.test_spin.isEnabled()
    panel.test_box.setChecked(True)
    assert panel.test_spin.isEnabled()
    assert panel.evaluation().test_fraction == 0.2
    assert not panel.time_spin.isEnabled()
    panel.time_box.setChecked(True)
    panel.time_spin.setValue(5400)
    assert panel.budget().timeout_s == 5400
    assert panel.time_hint.text() == "= 1 h 30 min"
    assert not panel.allow_large_grid_box.isVisible()
    panel.strategy_combo.setCurrentIndex(_index(panel.strategy_combo, "grid"))
    assert panel.allow_large_grid_box.isVisible()


def test_unlimited_trials_map_to_none(panel):
    panel.trials_box.setChecked(False)
    assert panel.budget().trials is None
    problems = _setup_from(panel).validate()
    assert [p.field for p in problems] == ["budget"]
    panel.set_problems(problems)
    assert panel.budget_error.isVisible() and "never ends" in panel.budget_error.text()
    panel.time_box.setChecked(True)
    assert _setup_from(panel).validate() == []


def test_problems_are_shown_next_to_their_field(panel):
    problems = EvaluationSpec(folds=1).validate()
    assert [p.field for p in problems] == ["evaluation.folds"]
    panel.set_problems(problems + [Problem("space.C.low", "not mine"), Problem("metric", "bad metric")])
    label = panel._fields["evaluation.folds"].error_label
    assert label.isVisible() and "at least 2" in label.text()
    assert panel.problem_text("evaluation.folds") == label.text()
    assert panel.field_widget("evaluation.folds") is panel.folds_spin
    assert panel.folds_spin.property("invalid") is True
    assert panel.problem_text("metric") == "bad metric"
    panel.set_problems([])
    assert not label.isVisible() and panel.problem_text("evaluation.folds") is None
    assert not panel.folds_spin.property("invalid")
    assert panel.problem_text("metric") is None


def test_manual_configurations(panel, qtbot):
    with qtbot.waitSignal(panel.changed, timeout=1000):
        panel.add_manual({"C": 1, "kernel": "rbf"})
    assert panel.manual_list.count() == 1
    assert panel.manual_list.item(0).text() == "C=1, kernel=rbf"
    assert panel.strategy().manual == ({"C": 1, "kernel": "rbf"},)
    assert panel.manual_configs() == [{"C": 1, "kernel": "rbf"}]

    panel.manual_edit.setText("C=10, kernel=linear")
    panel.add_manual_button.click()
    assert panel.manual_configs()[1] == {"C": 10, "kernel": "linear"}
    assert panel.manual_edit.text() == ""

    panel.manual_edit.setText("C")
    panel.add_manual_button.click()
    assert panel.manual_list.count() == 2
    assert panel.manual_input_error.isVisible() and "name=value" in panel.manual_input_error.text()

    panel.manual_list.item(1).setText("C=20, kernel=linear")  # an in-place edit
    assert panel.manual_configs()[1] == {"C": 20, "kernel": "linear"}

    panel.set_problems([Problem("strategy.manual.1.C", "20 is outside the range of C")])
    assert panel.manual_error.isVisible() and "#2" in panel.manual_error.text()
    assert "outside the range" in panel.manual_list.item(1).toolTip()

    panel.manual_list.setCurrentRow(0)
    panel.remove_manual_button.click()
    assert panel.manual_configs() == [{"C": 20, "kernel": "linear"}]


def test_manual_configurations_are_checked_by_the_core(panel):
    setup = SearchSetup.load(EXAMPLE)
    panel.apply(setup)
    panel.add_manual({"C": 10, "kernel": "linear"})
    assert _setup_from(panel, space=setup.space).validate() == []
    panel.add_manual({"C": 3, "kernel": "linear"})
    problems = _setup_from(panel, space=setup.space).validate()
    assert [p.field for p in problems] == ["strategy.manual.1.C"]
    panel.set_problems(problems)
    assert "#2" in panel.manual_error.text()


def test_config_text_round_trips():
    configs = [
        {"C": 1, "kernel": "rbf"},
        {"alpha": 1e-05, "hidden_layer_sizes": "64,32", "early_stopping": False},
        {"hidden_layer_sizes": "64", "class_weight": None, "learning_rate": "adaptive"},
        {"gamma": 0.30000000000000004, "degree": 3},
    ]
    for config in configs:
        text = format_config(config)
        back = parse_config(text)
        assert back == config and [type(v) for v in back.values()] == [type(v) for v in config.values()], text
    assert format_config(configs[2]).startswith('hidden_layer_sizes="64"')
    assert parse_config('{"C": 2}') == {"C": 2}
    with pytest.raises(ValueError):
        parse_config("C=1, C=2")
    space = {"hidden_layer_sizes": Hyperparameter("categorical", choices=("64", "128"))}
    assert parse_config("hidden_layer_sizes=64", space) == {"hidden_layer_sizes": "64"}


def test_grid_size_only_for_grid(panel):
    panel.set_grid_size(1234)
    assert not panel.grid_size_label.isVisible()
    panel.strategy_combo.setCurrentIndex(_index(panel.strategy_combo, "grid"))
    assert panel.grid_size_label.isVisible()
    assert panel.grid_size_label.text() == "Grid: 1,234 points"
    panel.set_grid_size(None)
    assert not panel.grid_size_label.isVisible()
    panel.set_grid_size(20_000)
    assert "20,000" in panel.grid_size_label.text() and "over" in panel.grid_size_label.text()
    panel.strategy_combo.setCurrentIndex(_index(panel.strategy_combo, "random"))
    assert not panel.grid_size_label.isVisible()


def test_changed_is_emitted_on_edits(panel, qtbot):
    for edit in (lambda: panel.seed_spin.setValue(3),
                 lambda: panel.strategy_combo.setCurrentIndex(_index(panel.strategy_combo, "random")),
                 lambda: panel.folds_spin.setValue(7),
                 lambda: panel.trials_box.setChecked(False),
                 lambda: panel.mode_combo.setCurrentIndex(_index(panel.mode_combo, "custom"))):
        with qtbot.waitSignal(panel.changed, timeout=1000):
            edit()
    assert panel.preprocessing().mode == "custom"


def test_paint_device_metric_still_reaches_qt(panel):
    # SearchPanel.metric() shadows QWidget.metric(PaintDeviceMetric); grabbing must still work
    assert not panel.grab().isNull()


def test_typed_values_match_the_choices_of_the_space(panel):
    from hpgui.core.catalog import get_model

    panel.set_space(get_model("mlp").default_space("classification"))
    assert panel.manual_edit.placeholderText().startswith('hidden_layer_sizes="64"')
    panel.manual_edit.setText("hidden_layer_sizes=64, activation=relu")
    panel.manual_edit.returnPressed.emit()
    assert panel.manual_configs() == [{"hidden_layer_sizes": "64", "activation": "relu"}]


def test_workers_go_up_to_the_core_count_and_default_to_one(panel):
    import os

    assert panel.workers() == 1
    assert panel.workers_spin.maximum() == (os.cpu_count() or 1)
    assert "CPU cores" in panel.workers_spin.toolTip()
    panel.workers_spin.setValue(panel.workers_spin.maximum())
    assert panel.workers() == (os.cpu_count() or 1)


def test_the_per_trial_time_limit_round_trips(panel):
    assert panel.budget().trial_timeout_s is None
    assert not panel.trial_time_spin.isEnabled()
    setup = _setup_from(panel, budget=Budget(trials=20, trial_timeout_s=45))
    panel.apply(setup)
    assert panel.trial_time_box.isChecked() and panel.trial_time_spin.isEnabled()
    assert panel.budget().trial_timeout_s == 45
    panel.set_problems([Problem("budget.trial_timeout_s", "too short")])
    assert panel.problem_text("budget.trial_timeout_s") == "too short"


def test_a_strategy_s_own_settings_are_shown_only_with_it_and_round_trip(panel):
    from hpgui.core.strategies import StrategyOption, strategy_options

    spin = panel.strategy_options.spins["starts"]
    form = panel._strategy_form
    row = panel._fields["strategy.starts"]
    assert not form.isRowVisible(row)  # TPE has no starting points
    panel.strategy_combo.setCurrentIndex(_index(panel.strategy_combo, "gradient"))
    assert form.isRowVisible(row) and spin.isVisible()
    assert spin.text() == "automatic" and panel.strategy().starts is None
    spin.setValue(4)
    assert panel.strategy().starts == 4
    # Another strategy leaves the setting out of its setup (it would mean nothing there).
    panel.strategy_combo.setCurrentIndex(_index(panel.strategy_combo, "random"))
    assert panel.strategy().starts is None and not form.isRowVisible(row)
    # A setup file's value comes back, and one without it returns the box to "automatic".
    gradient = StrategySpec(name="gradient", seed=3, starts=7)
    panel.apply(SearchSetup(data=DataSpec(path="x.csv", target="y"), model="ridge", strategy=gradient))
    assert panel.strategy() == gradient and spin.value() == 7
    panel.apply(SearchSetup(data=DataSpec(path="x.csv", target="y"), model="ridge",
                            strategy=StrategySpec(name="gradient")))
    assert spin.text() == "automatic" and panel.strategy().starts is None
    # Its problem is shown under it.
    panel.set_problems([Problem("strategy.starts", "starts must be a whole number from 1 to 100, or null")])
    assert "1 to 100" in panel.problem_text("strategy.starts")
    assert panel.field_widget("strategy.starts") is spin
    # Each option key once, whatever the number of strategies that share it.
    keys = [o.key for o in strategy_options()]
    assert len(keys) == len(set(keys)) and "starts" in keys
    assert all(isinstance(o, StrategyOption) for s in STRATEGIES.values() for o in s.options)


def test_population_based_training_shows_its_population_rounds_and_units_and_keeps_its_quantile(panel):
    form = panel._strategy_form
    rows = {key: panel._fields[f"strategy.{key}"] for key in ("population", "rounds", "round_units")}
    assert not any(form.isRowVisible(row) for row in rows.values())
    panel.strategy_combo.setCurrentIndex(_index(panel.strategy_combo, "pbt"))
    assert all(form.isRowVisible(row) for row in rows.values())
    assert not form.isRowVisible(panel._fields["strategy.starts"])
    population = panel.strategy_options.spins["population"]
    assert population.text() == "automatic (8)"
    assert population.sizeHint().width() > population.fontMetrics().horizontalAdvance("automatic (8)")  # not cut
    spec = panel.strategy()
    assert (spec.population, spec.rounds, spec.round_units, spec.quantile) == (None, None, None, None)
    panel.strategy_options.spins["population"].setValue(6)
    panel.strategy_options.spins["rounds"].setValue(4)
    assert (panel.strategy().population, panel.strategy().rounds) == (6, 4)
    pbt = StrategySpec(name="pbt", seed=2, population=12, round_units=5, quantile=0.2)
    panel.apply(SearchSetup(data=DataSpec(path="x.csv", target="y"), model="mlp", strategy=pbt))
    assert panel.strategy() == pbt  # a quantile has no control, but an opened setup keeps it
    panel.strategy_combo.setCurrentIndex(_index(panel.strategy_combo, "tpe"))
    spec = panel.strategy()
    assert (spec.population, spec.rounds, spec.round_units, spec.quantile) == (None, None, None, None)
