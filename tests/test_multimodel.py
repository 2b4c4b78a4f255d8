"""Several models searched in one study: the setup file, sampling, grid, export."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import pytest

from hpgui.core.choice import MODEL_PARAM
from hpgui.core.export import export_all
from hpgui.core.runner import Search
from hpgui.core.setup import SearchSetup, SetupError
from hpgui.core.space import iter_grid
from tests_support import ROOT

EXAMPLE = ROOT / "examples" / "iris-compare-models.json"


def _setup(csv_path, **changes) -> SearchSetup:
    data = {
        "data": {"path": str(csv_path), "target": "species", "task": "classification"},
        "model": ["logistic_regression", "knn"],
        "space": {
            "logistic_regression": {"C": {"type": "float", "low": 1e-3, "high": 1e3, "log": True}},
            "knn": {"n_neighbors": {"type": "int", "low": 1, "high": 30}},
        },
        "strategy": {"name": "random", "seed": 3},
        "evaluation": {"folds": 3, "shuffle": True},
        "budget": {"trials": 12},
    }
    data.update(changes)
    return SearchSetup.from_json(data)


def test_the_documented_example_loads_validates_and_round_trips():
    setup = SearchSetup.load(EXAMPLE)
    assert setup.models == ("logistic_regression", "svm", "knn") and setup.is_multi
    assert setup.validate() == []
    # knn is not in "space", so it searches its default space.
    assert set(setup.model_space("knn", "classification")) == {"n_neighbors", "weights", "p"}
    space = setup.space_for("classification")
    assert space[MODEL_PARAM].choices == ("logistic_regression", "svm", "knn")
    assert "svm.gamma" in space and "knn.n_neighbors" in space and "C" not in space
    assert SearchSetup.from_json(setup.to_json(), base_dir=setup.base_dir) == setup


def test_a_single_model_file_is_read_as_before():
    setup = SearchSetup.load(ROOT / "examples" / "iris-svm-grid.json")
    assert setup.model == "svm" and not setup.is_multi
    assert list(setup.space_for("classification")) == ["kernel", "C", "gamma"]
    assert setup.to_json()["model"] == "svm"


def test_bad_model_lists_name_the_problem():
    base = {"data": {"path": "x.csv", "target": "y", "task": "classification"}}
    with pytest.raises(SetupError) as info:
        SearchSetup.from_json({**base, "model": ["svm", 3]})
    assert "list of names" in str(info.value)
    with pytest.raises(SetupError) as info:
        SearchSetup.from_json({**base, "model": ["svm", "knn"], "space": {"C": {"type": "float", "low": 1}}})
    assert "space.C" in str(info.value) and "not one of them" in str(info.value)

    def problems(**data):
        return {(p.field, p.message) for p in SearchSetup.from_json({**base, **data}).validate()}

    found = problems(model=["svm", "random_jungle"])  # (xgboost, the old example, is a model now)
    assert any(f == "model" and "unknown model 'random_jungle'" in m for f, m in found)
    found = problems(model=["svm", "svm"])
    assert any(f == "model" and "listed twice" in m for f, m in found)
    found = problems(model=["svm", "kmeans"])
    assert any(f == "model" and "k-means" in m and "does not do classification" in m for f, m in found)
    found = problems(model=["svm", "knn"], space={"svm": {"C": {"type": "float", "low": -1, "high": 1}},
                                                   "knn": {"leaf": {"type": "int", "low": 1, "high": 3}}})
    fields = {f for f, _ in found}
    assert "space.svm.C.low" in fields and "space.knn.leaf" in fields


def test_manual_configurations_name_their_model():
    base = {"data": {"path": "x.csv", "target": "y", "task": "classification"}, "model": ["svm", "knn"]}
    ok = SearchSetup.from_json({**base, "strategy": {"name": "tpe", "manual": [
        {"model": "knn", "n_neighbors": 5, "weights": "uniform", "p": 2}]}})
    assert ok.validate() == []
    assert ok.manual_params("classification", ok.strategy.manual[0]) == {
        "model": "knn", "knn.n_neighbors": 5, "knn.weights": "uniform", "knn.p": 2}
    bad = SearchSetup.from_json({**base, "strategy": {"name": "tpe", "manual": [{"C": 1.0}]}})
    assert [p.field for p in bad.validate()] == ["strategy.manual.0.model"]


def test_each_trial_samples_only_its_own_models_hyperparameters(iris_csv):
    result = Search(_setup(iris_csv), study_name="sample-own").run()
    assert len(result.trials) == 12
    seen = set()
    for trial in result.trials:
        assert trial.state == "complete"
        model = trial.params[MODEL_PARAM]
        seen.add(model)
        assert trial.model == model
        own = {k for k in trial.params if k != MODEL_PARAM}
        assert own == {f"{model}.{'C' if model == 'logistic_regression' else 'n_neighbors'}"}
    assert seen == {"logistic_regression", "knn"}


def test_a_grid_enumerates_each_models_grid_once(iris_csv):
    setup = _setup(iris_csv, strategy={"name": "grid"}, budget={"trials": None}, model=["svm", "knn"], space={
        "svm": {"kernel": {"type": "categorical", "choices": ["linear", "rbf"]},
                "C": {"type": "float", "values": [1, 10]},
                "gamma": {"type": "float", "values": [0.1, 1.0]},
                "degree": {"type": "int", "low": 2, "high": 3}},
        "knn": {"n_neighbors": {"type": "int", "values": [3, 5, 7]}},
    })
    assert setup.validate() == []
    choice = setup.choice("classification")
    # svm: linear x C (gamma and degree do not apply) + rbf x C x gamma; knn: 3 neighbours.
    assert choice.grid_size() == 2 + 4 + 3
    points = list(iter_grid(choice.space, choice.conditions, choice.defaults))
    assert len(points) == 9
    assert {"model": "knn", "knn.n_neighbors": 5} in points
    assert {"model": "svm", "svm.kernel": "linear", "svm.C": 1} in points
    result = Search(setup, study_name="grid-two").run()
    assert result.stop_reason == "grid complete"
    done = sorted(json.dumps(t.params, sort_keys=True) for t in result.trials)
    assert done == sorted(json.dumps(p, sort_keys=True) for p in points)


def test_the_export_reproduces_a_winning_model_that_is_not_the_first(iris_csv, tmp_path):
    # A logistic regression this strongly regularised is far worse than 5 neighbours on iris.
    setup = _setup(iris_csv, strategy={"name": "grid"}, budget={"trials": None}, evaluation={"folds": 4}, space={
        "logistic_regression": {"C": {"type": "float", "values": [1e-4]}},
        "knn": {"n_neighbors": {"type": "int", "values": [5]}, "weights": {"type": "categorical",
                                                                            "choices": ["distance"]}},
    })
    search = Search(setup, study_name="export-second")
    result = search.run()
    assert result.best.params[MODEL_PARAM] == "knn"
    exported = export_all(search, tmp_path / "out", result.trials)
    best = json.loads(exported.best_json.read_text())
    assert best["model"] == "knn" and best["params"] == {"n_neighbors": 5, "weights": "distance"}
    assert best["models"] == ["logistic_regression", "knn"]

    script = exported.script.read_text()
    assert "KNeighborsClassifier" in script and "LogisticRegression" not in script
    out = subprocess.run([sys.executable, str(exported.script)], capture_output=True, text=True, timeout=300,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert float(re.search(r"^score=(.+)$", out.stdout, re.M).group(1)) == pytest.approx(best["score"], abs=1e-12)

    with open(exported.trials_csv, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["model"] for r in sorted(rows, key=lambda r: int(r["number"]))] == ["logistic_regression", "knn"]
    knn = next(r for r in rows if r["model"] == "knn")
    assert knn["params_knn.n_neighbors"] == "5" and knn["params_logistic_regression.C"] == ""


def test_a_study_over_several_models_continues_with_a_wider_range_but_not_other_models(iris_csv):
    setup = _setup(iris_csv, budget={"trials": 3})
    Search(setup, study_name="widen-multi").run()
    wider = dict(setup.space)
    wider["knn"] = {"n_neighbors": wider["knn"]["n_neighbors"].__class__("int", 1, 60)}
    result = Search(setup.with_(space=wider, budget=setup.budget.__class__(trials=5)), study_name="widen-multi").run()
    assert len(result.trials) == 5
    with pytest.raises(SetupError) as info:
        Search(setup.with_(model=("logistic_regression", "svm"),
                           space={"logistic_regression": setup.space["logistic_regression"]}),
               study_name="widen-multi")
    assert "different model" in str(info.value)


def test_the_study_library_reads_a_several_model_study(iris_csv):
    from hpgui.core.library import load_study

    setup = SearchSetup.from_json({**_setup(iris_csv).to_json(), "data": {"path": str(iris_csv),
                                                                          "target": "species"}})
    Search(setup.with_(budget=setup.budget.__class__(trials=4)), study_name="library-multi").run()
    loaded = load_study(None, "library-multi")
    assert loaded.info.model == "logistic_regression+knn" and loaded.info.task == "classification"
    assert loaded.param_names[0] == MODEL_PARAM
    assert set(loaded.param_names) == {MODEL_PARAM, "logistic_regression.C", "knn.n_neighbors"}
    assert [r.model for r in loaded.records] == [r.params[MODEL_PARAM] for r in loaded.records]
