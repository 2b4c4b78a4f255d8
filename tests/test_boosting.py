"""LightGBM, XGBoost and CatBoost: each runs a search, exports, its script reproduces the score and
its model file loads; early stopping stops; class weights are searchable; a missing library is named.

CI installs the three (.ci/run); on a machine without them these tests are skipped, except under CI,
where a missing library fails them.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from hpgui.core import catalog, catalog_boost
from hpgui.core.export import export_all, load_model
from hpgui.core.runner import Search
from hpgui.core.setup import SearchSetup

TREES = {"lightgbm": "n_estimators", "xgboost": "n_estimators", "catboost": "iterations"}


def need(library: str):
    if os.environ.get("CI"):
        return importlib.import_module(library)  # CI installs them: missing is a failure, not a skip
    return pytest.importorskip(library)


def _setup(path, model, target, task, space, metric, **data):
    return SearchSetup.from_json({
        "format": "hpgui-setup/1",
        "data": {"path": str(path), "target": target, "task": task, **data},
        "model": model,
        "space": space,
        "strategy": {"name": "random", "seed": 4},
        "evaluation": {"folds": 3, "test_fraction": 0.2},
        "metric": metric,
        "budget": {"trials": 3},
    })


@pytest.mark.parametrize("model", ["lightgbm", "xgboost", "catboost"])
def test_search_export_script_and_model_file(penguins_csv, tmp_path, model):
    need(model)
    space = {TREES[model]: {"type": "int", "low": 20, "high": 80},
             "learning_rate": {"type": "float", "low": 0.05, "high": 0.3, "log": True},
             "early_stopping_rounds": {"type": "int", "values": [5, 20]}}
    search = Search(_setup(penguins_csv, model, "species", "classification", space, "f1_macro"),
                    study_name=f"boost-{model}")
    result = search.run()
    assert all(t.state == "complete" for t in result.trials), [t.error for t in result.trials]
    exported = export_all(search, tmp_path / "out", result.trials)
    best = json.loads(exported.best_json.read_text())
    assert best["model"] == model and 0.5 < best["score"] <= 1

    # hpgui's own model file (the script below saves its own over it).
    fitted = load_model(exported.model)
    X = search.X_test
    np.testing.assert_array_equal(fitted.predict(X), search.fit_best(result.best.params).predict(X))
    assert set(fitted.predict(X)) <= {"Adelie", "Chinstrap", "Gentoo"}  # the file's labels, not 0..2

    script = exported.script.read_text()
    assert "import hpgui" not in script and "from hpgui" not in script  # it runs without hpgui
    out = subprocess.run([sys.executable, str(exported.script)], capture_output=True, text=True, timeout=300,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    printed = float(re.search(r"^score=(.+)$", out.stdout, re.M).group(1))
    assert abs(printed - best["score"]) <= 1e-9


@pytest.mark.parametrize("model", ["lightgbm", "xgboost", "catboost"])
def test_early_stopping_stops_and_zero_switches_it_off(model):
    need(model)
    from sklearn.datasets import make_regression

    X, y = make_regression(n_samples=300, n_features=5, noise=30.0, random_state=0)
    spec = catalog.get_model(model)
    stopped = spec.build("regression", {TREES[model]: 2000, "learning_rate": 0.3, "early_stopping_rounds": 10},
                         seed=0).fit(X, y)
    full = spec.build("regression", {TREES[model]: 60, "early_stopping_rounds": 0}, seed=0).fit(X, y)
    inner = stopped.estimator_
    used = (getattr(inner, "best_iteration_", None) if model == "lightgbm" else
            inner.best_iteration if model == "xgboost" else inner.get_best_iteration())
    assert used is not None and used < 500
    assert full.estimator_.get_params()[TREES[model]] == 60


def test_sample_weights_reach_the_booster_and_the_metric(tmp_path):
    need("xgboost")
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    frame["y"] = frame["a"] * 3 + rng.normal(size=200)
    frame["w"] = np.where(np.arange(200) % 4 == 0, 5.0, 0.5)
    path = tmp_path / "w.parquet"
    frame.to_parquet(path)
    space = {"n_estimators": {"type": "int", "values": [40]}, "max_depth": {"type": "int", "values": [3]}}
    weighted = Search(_setup(path, "xgboost", "y", "regression", space, "rmse", weight="w"), study_name="xw")
    assert weighted.data.features == ["a", "b"]
    plain = Search(_setup(path, "xgboost", "y", "regression", space, "rmse"), study_name="xp")
    params = {"n_estimators": 40, "max_depth": 3}
    assert weighted.evaluate(params).value != pytest.approx(plain.evaluate(params).value, rel=1e-6)


@pytest.mark.parametrize("model, name", [("lightgbm", "class_weight"), ("catboost", "auto_class_weights"),
                                         ("xgboost", "class_weight")])
def test_class_weighting_is_a_searchable_choice(model, name):
    need(model)
    spec = catalog.get_model(model)
    assert spec.param("classification", name) is not None
    assert spec.param("regression", name) is None
    choice = spec.param("classification", name).default.choices
    assert None in choice and len(choice) == 2


def test_balanced_class_weights_find_more_of_a_rare_class():
    need("xgboost")
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=600, n_features=6, weights=[0.93], flip_y=0.05, random_state=2)
    spec = catalog.get_model("xgboost")
    found = {}
    for weighting in (None, "balanced"):
        model = spec.build("classification", {"n_estimators": 40, "early_stopping_rounds": 0,
                                              "class_weight": weighting}, seed=0).fit(X, y)
        found[weighting] = int((model.predict(X) == 1).sum())
    assert found["balanced"] > found[None]


def test_a_missing_library_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(catalog_boost, "installed", lambda name: False)
    from hpgui.core import setup as setup_module

    # A copy without it, so the real catalog keeps its order for the tests after this one.
    without = {name: spec for name, spec in catalog.MODELS.items() if name != "lightgbm"}
    monkeypatch.setattr(catalog, "MODELS", without)
    monkeypatch.setattr(setup_module, "MODELS", without)
    hint = catalog_boost.missing_hint("lightgbm")
    assert 'pip install "hpgui[boost]"' in hint
    with pytest.raises(KeyError, match="hpgui\\[boost\\]"):
        catalog.get_model("lightgbm")
    setup = SearchSetup.from_json({"data": {"path": "x.csv", "target": "y"}, "model": "lightgbm"})
    problems = setup.validate("classification")
    assert any(p.field == "model" and "not installed" in p.message for p in problems)
    assert catalog_boost.missing_hint("svm") is None


@pytest.mark.parametrize("model", ["lightgbm", "xgboost", "catboost"])
def test_catalog_entries_are_documented_valid_and_fit_with_every_choice(model):
    need(model)
    from dataclasses import replace

    from sklearn.datasets import load_diabetes, load_iris
    from test_catalog import sampled_configs

    spec = catalog.get_model(model)
    assert spec.summary.strip().endswith(".") and set(spec.tasks) == {"classification", "regression"}
    data = {"classification": load_iris(return_X_y=True), "regression": load_diabetes(return_X_y=True)}
    for task in spec.tasks:
        for param in spec.params_for(task):
            assert len(param.doc) >= 40 and param.doc.endswith(".") and param.doc[0].isupper(), param.name
        everything = {n: replace(hp, enabled=True) for n, hp in spec.default_space(task).items()}
        assert spec.validate_space(task, spec.default_space(task)) == []
        assert spec.validate_space(task, everything) == []
        for child, cond in spec.conditions(task).items():
            parent = spec.param(task, cond.parent)
            assert parent is not None and set(cond.values) <= set(parent.allowed or parent.default.choices)
        X, y = data[task]
        for config in sampled_configs(spec, task):
            config = {**config, TREES[model]: 20}
            fitted = spec.build(task, config, seed=0).fit(X[:150], y[:150])
            assert fitted.predict(X[:5]).shape == (5,)
            inner = fitted.estimator_.get_params()
            for name, value in config.items():
                if name in spec.wrapper_params:
                    assert getattr(fitted, name) == value, name
                else:
                    assert inner.get(name) == value, (name, inner.get(name), value)  # CatBoost omits None
            assert fitted.early_stopping_rounds == config.get("early_stopping_rounds", 50)
