"""The setup file: the JSON contract, its validation, and saving/loading."""

from __future__ import annotations

import json
import shutil

import pytest

from hpgui.core.setup import SearchSetup, SetupError
from hpgui.core.space import GRID_LIMIT
from tests_support import ROOT

ISSUE_EXAMPLE = ROOT / "examples" / "iris-svm-grid.json"


def test_the_documented_example_loads_as_written():
    setup = SearchSetup.load(ISSUE_EXAMPLE)
    assert setup.model == "svm"
    assert setup.data_path == ROOT / "examples" / "iris.csv"
    assert setup.strategy.name == "grid" and setup.evaluation.shuffle is False
    assert setup.space["gamma"].enabled is False
    assert setup.validate() == []
    assert setup.model_spec.grid_size("classification", setup.space) == 4


def test_json_round_trip_keeps_everything(tmp_path):
    original = SearchSetup.load(ISSUE_EXAMPLE)
    shutil.copy(ROOT / "examples" / "iris.csv", tmp_path / "iris.csv")
    sub = tmp_path / "setups"
    sub.mkdir()
    original.with_(base_dir=None, data=original.data.__class__(
        path=str(tmp_path / "iris.csv"), target="species", task="classification")).save(sub / "s.json")
    saved = json.loads((sub / "s.json").read_text())
    assert saved["data"]["path"] == "../iris.csv"  # relative to the setup file, so the pair can move
    again = SearchSetup.load(sub / "s.json")
    assert again.data_path.resolve() == (tmp_path / "iris.csv").resolve()
    assert again.space == original.space
    assert again.to_json()["strategy"] == original.to_json()["strategy"]
    assert SearchSetup.from_json(again.to_json()) == again


def test_defaults_fill_what_the_file_leaves_out():
    setup = SearchSetup.from_json({"data": {"path": "x.csv", "target": "y"}, "model": "random_forest"})
    assert setup.preprocessing.mode == "auto"
    assert setup.strategy.name == "tpe"
    assert setup.evaluation.folds == 5 and setup.evaluation.shuffle is True
    assert setup.metric_for("classification") == "accuracy"
    assert "n_estimators" in setup.space_for("classification")


def test_structural_problems_are_all_reported_at_once():
    with pytest.raises(SetupError) as info:
        SearchSetup.from_json({
            "format": "hpgui-setup/9", "data": {"target": "y"}, "model": 3, "colour": "blue",
            "space": {"C": {"type": "float", "lo": 1}}, "evaluation": {"folds": 5, "suffle": True},
            "budget": {"trials": 10, "minutes": 3}, "strategy": {"name": "annealing"},
        })
    fields = {p.field for p in info.value.problems}
    assert {"format", "data", "model", "colour", "space.C", "evaluation", "budget", "strategy"} <= fields
    text = str(info.value)
    assert "unknown key 'colour'" in text and "annealing" in text and "suffle" in text


@pytest.mark.parametrize("changes, field, words", [
    ({"metric": "rmse"}, "metric", "not a classification metric"),
    ({"model": "ridge"}, "model", "does not do classification"),
    ({"model": "boosted_unicorn"}, "model", "unknown model"),
    ({"evaluation": {"folds": 1}}, "evaluation.folds", "at least 2"),
    ({"evaluation": {"method": "holdout", "holdout_fraction": 1.5}}, "evaluation.holdout_fraction", "between"),
    ({"evaluation": {"test_fraction": 0.95}}, "evaluation.test_fraction", "between"),
    ({"budget": {"trials": None, "timeout_s": None}}, "budget", "never ends"),
    ({"budget": {"trials": 0}}, "budget.trials", "at least 1"),
    ({"strategy": {"name": "tpe", "pruner": "guillotine"}}, "strategy.pruner", "one of"),
    ({"preprocessing": {"scaler": "magic"}}, "preprocessing.scaler", "not one of"),
    ({"space": {"C": {"type": "float", "low": 0, "high": 1, "enabled": False}}}, "space", "no hyperparameter"),
])
def test_semantic_problems_name_their_field(changes, field, words):
    data = {"data": {"path": "x.csv", "target": "y", "task": "classification"}, "model": "svm"}
    data.update(changes)
    problems = SearchSetup.from_json(data).validate()
    assert any(p.field == field and words in p.message for p in problems), problems


def test_a_grid_above_the_limit_is_refused_with_its_size_unless_allowed():
    space = {"n_estimators": {"type": "int", "low": 1, "high": 100},
             "max_depth": {"type": "int", "low": 1, "high": 30},
             "min_samples_leaf": {"type": "int", "low": 1, "high": 10}}
    data = {"data": {"path": "x.csv", "target": "y", "task": "classification"}, "model": "random_forest",
            "space": space, "strategy": {"name": "grid"}}
    problems = SearchSetup.from_json(data).validate()
    assert len(problems) == 1 and problems[0].field == "space"
    assert "30,000 points" in problems[0].message and f"{GRID_LIMIT:,}" in problems[0].message
    data["strategy"] = {"name": "grid", "allow_large_grid": True}
    assert SearchSetup.from_json(data).validate() == []


def test_manual_configurations_are_checked_against_the_space():
    data = {"data": {"path": "x.csv", "target": "y", "task": "classification"}, "model": "svm",
            "space": {"kernel": {"type": "categorical", "choices": ["linear", "rbf"]},
                      "C": {"type": "float", "low": 0.1, "high": 10, "log": True},
                      "gamma": {"type": "float", "low": 0.001, "high": 1, "log": True}},
            "strategy": {"name": "tpe", "manual": [
                {"kernel": "linear", "C": 1.0},
                {"kernel": "rbf", "C": 50.0, "gamma": 0.1},
                {"kernel": "linear", "C": 1.0, "gamma": 0.1},
                {"kernel": "rbf", "C": 1.0},
            ]}}
    problems = {p.field: p.message for p in SearchSetup.from_json(data).validate()}
    assert set(problems) == {"strategy.manual.1.C", "strategy.manual.2.gamma", "strategy.manual.3.gamma"}
    assert "outside the range" in problems["strategy.manual.1.C"]
    assert "does not apply" in problems["strategy.manual.2.gamma"]


def test_unreadable_setup_files_give_clear_messages(tmp_path):
    with pytest.raises(SetupError, match="does not exist"):
        SearchSetup.load(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"model": "svm",\n  "data": }')
    with pytest.raises(SetupError, match="not valid JSON.*line 2"):
        SearchSetup.load(bad)
    bad.write_text("[1, 2]")
    with pytest.raises(SetupError, match="must be a JSON object"):
        SearchSetup.load(bad)


@pytest.mark.parametrize("strategy, model, who", [("gradient", "ridge", "gradient descent"),
                                                  ("pbt", "mlp", "population-based training")])
def test_a_strategy_that_plans_its_trials_refuses_a_pruner_a_resource_and_manual_points(strategy, model, who):
    setup = SearchSetup.from_json({
        "format": "hpgui-setup/1", "data": {"path": "x.csv", "target": "y"}, "model": model,
        "strategy": {"name": strategy, "pruner": "median", "resource": "rows", "manual": [{}]}})
    found = {p.field: p.message for p in setup.validate("regression" if strategy == "gradient" else "classification")}
    assert found["strategy.pruner"].startswith(who) and "set the pruner to none" in found["strategy.pruner"]
    assert found["strategy.resource"].startswith(who)
    assert found["strategy.manual"] == f"{who} plans its own points; remove the manual configurations or pick another strategy"
