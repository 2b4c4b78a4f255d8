"""Group and time-ordered folds: parity with GridSearchCV given the same splitter, no group ever
split, no fold trained on later rows, held-out test rows that follow the same rule, and the
exported script reproducing the score (with sample weights and date features too)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, GroupKFold, TimeSeriesSplit
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeRegressor

from hpgui.core.dataset import DatasetError
from hpgui.core.export import export_all
from hpgui.core.runner import Search
from hpgui.core.setup import SearchSetup, SetupError
from tests_support import EXAMPLES

SVM_GRID = {"kernel": ["linear", "rbf"], "C": [1, 10]}
TREE_GRID = {"max_depth": [2, 4, 8]}


@pytest.fixture
def grouped_iris(tmp_path):
    """Iris with a 'plot' column: 30 groups of five rows of one species each."""
    frame = pd.read_csv(EXAMPLES / "iris.csv")
    frame.insert(0, "plot", np.arange(len(frame)) // 5)
    path = tmp_path / "plots.csv"
    frame.to_csv(path, index=False)
    return path, frame


@pytest.fixture
def timed(tmp_path):
    """A drifting regression series, written in shuffled row order with a date column to sort by."""
    rng = np.random.default_rng(0)
    n = 120
    day = pd.date_range("2023-01-01", periods=n, freq="D")
    x1 = rng.normal(size=n)
    x2 = np.linspace(0, 3, n) + rng.normal(scale=0.1, size=n)
    y = 2 * x1 + x2 ** 2 + rng.normal(scale=0.3, size=n)
    frame = pd.DataFrame({"day": day.strftime("%Y-%m-%d"), "x1": x1, "x2": x2, "y": y})
    shuffled = frame.sample(frac=1, random_state=1)
    path = tmp_path / "series.csv"
    shuffled.to_csv(path, index=False)
    return path, frame


def _setup(path, target, model, space, evaluation, metric, **data):
    return SearchSetup.from_json({
        "format": "hpgui-setup/1",
        "data": {"path": str(path), "target": target, **data},
        "model": model,
        "space": space,
        "preprocessing": "none",
        "strategy": {"name": "grid", "seed": 0},
        "evaluation": evaluation,
        "metric": metric,
        "budget": {"trials": None},
    })


def _svm_space():
    return {"kernel": {"type": "categorical", "choices": SVM_GRID["kernel"]},
            "C": {"type": "float", "values": SVM_GRID["C"]},
            "gamma": {"type": "float", "low": 1e-4, "high": 10, "log": True, "enabled": False}}


def _assert_parity(trials, reference, key, folds):
    by_params = {key(t.params): t for t in trials}
    assert len(by_params) == len(reference["params"])
    for i, params in enumerate(reference["params"]):
        trial = by_params[key(params)]
        assert trial.state == "complete"
        assert abs(trial.value - reference["mean_test_score"][i]) <= 1e-9
        np.testing.assert_allclose(trial.folds, [reference[f"split{k}_test_score"][i] for k in range(folds)],
                                   rtol=0, atol=1e-9)


def test_group_kfold_matches_gridsearchcv(grouped_iris):
    path, frame = grouped_iris
    setup = _setup(path, "species", "svm", _svm_space(),
                   {"method": "group_kfold", "group": "plot", "folds": 5, "shuffle": False}, "accuracy")
    search = Search(setup, study_name="groups")
    assert "plot" not in search.data.features  # a group column is never a default feature
    result = search.run()
    X, y = frame.drop(columns=["plot", "species"]), frame["species"]
    assert list(search.data.features) == list(X.columns)
    reference = GridSearchCV(SVC(), SVM_GRID, cv=GroupKFold(n_splits=5), scoring="accuracy").fit(
        X, y, groups=frame["plot"]).cv_results_
    _assert_parity(result.trials, reference, lambda p: (p["kernel"], p["C"]), 5)


def test_time_series_split_matches_gridsearchcv_after_sorting(timed):
    path, frame = timed  # the file is shuffled; the reference is the frame in time order
    setup = _setup(path, "y", "decision_tree",
                   {"max_depth": {"type": "int", "values": TREE_GRID["max_depth"]}},
                   {"method": "time_series", "order": "day", "folds": 4, "gap": 3}, "rmse")
    result = Search(setup, study_name="time").run()
    reference = GridSearchCV(DecisionTreeRegressor(random_state=0), TREE_GRID,
                             cv=TimeSeriesSplit(n_splits=4, gap=3),
                             scoring="neg_root_mean_squared_error").fit(frame[["x1", "x2"]], frame["y"]).cv_results_
    reference = dict(reference)
    for k in range(4):  # natural sign: RMSE is stored positive
        reference[f"split{k}_test_score"] = -reference[f"split{k}_test_score"]
    reference["mean_test_score"] = -reference["mean_test_score"]
    _assert_parity(result.trials, reference, lambda p: p["max_depth"], 4)


@pytest.mark.parametrize("method", ["group_kfold", "stratified_group_kfold"])
@pytest.mark.parametrize("shuffle", [False, True])
def test_group_folds_never_split_a_group_and_the_test_set_takes_whole_groups(grouped_iris, method, shuffle):
    path, _ = grouped_iris
    setup = _setup(path, "species", "svm", _svm_space(),
                   {"method": method, "group": "plot", "folds": 4, "shuffle": shuffle, "test_fraction": 0.2},
                   "accuracy")
    search = Search(setup, study_name=f"{method}-{shuffle}")
    groups = search.groups
    assert len(search.splits) == 4
    for train, test in search.splits:
        assert not set(groups[train]) & set(groups[test])
    held = search.groups_test
    assert len(search.X) + len(search.X_test) == 150 and len(held) == len(search.X_test) > 0
    assert not set(groups) & set(held)
    assert all(count == 5 for count in np.unique(held, return_counts=True)[1])  # every plot whole


def test_time_folds_never_train_on_later_rows_and_the_test_set_is_the_last_period(timed):
    path, frame = timed
    setup = _setup(path, "y", "decision_tree", {"max_depth": {"type": "int", "values": [2]}},
                   {"method": "time_series", "order": "day", "folds": 5, "gap": 2, "test_fraction": 0.25}, "r2")
    search = Search(setup, study_name="time-rules")
    n_test = int(np.ceil(120 * 0.25))
    last = frame.iloc[-n_test:]
    np.testing.assert_allclose(search.X_test["x1"].to_numpy(), last["x1"].to_numpy())
    np.testing.assert_allclose(search.X["x1"].to_numpy(), frame["x1"].to_numpy()[:-n_test])
    for train, test in search.splits:
        assert train.max() + 2 < test.min()  # earlier rows only, and the gap left out


def test_column_problems_are_reported(grouped_iris):
    path, _ = grouped_iris
    with pytest.raises(SetupError, match="evaluation.group"):
        Search(_setup(path, "species", "svm", _svm_space(), {"method": "group_kfold"}, "accuracy"))
    problems = _setup(path, "sepal_length", "svm", _svm_space(),
                      {"method": "stratified_group_kfold", "group": "plot"}, "r2").validate("regression")
    assert any(p.field == "evaluation.method" for p in problems)
    problems = _setup(path, "species", "knn", None, {}, "accuracy", weight="plot").validate("classification")
    assert any(p.field == "data.weight" and "cannot weigh" in p.message for p in problems)
    with pytest.raises(DatasetError, match="3 groups, fewer than the 5 folds"):
        frame = pd.read_csv(path)
        frame["plot"] = frame["plot"] % 3
        frame.to_csv(path, index=False)
        Search(_setup(path, "species", "svm", _svm_space(), {"method": "group_kfold", "group": "plot"},
                      "accuracy"))


def test_bad_role_columns_get_messages(timed, tmp_path):
    path, frame = timed
    broken = frame.copy()
    broken.loc[5, "day"] = "soon"
    bad = tmp_path / "bad.csv"
    broken.to_csv(bad, index=False)
    with pytest.raises(DatasetError, match="order column 'day' holds 'soon'"):
        Search(_setup(bad, "y", "decision_tree", None, {"method": "time_series", "order": "day"}, "r2"))
    weighted = frame.assign(w=np.where(np.arange(120) == 7, -1.0, 1.0))
    weighted.to_csv(bad, index=False)
    with pytest.raises(DatasetError, match="negative"):
        Search(_setup(bad, "y", "decision_tree", None, {}, "r2", weight="w"))
    with pytest.raises(DatasetError, match="no column named 'dy'.*Did you mean 'day'"):
        Search(_setup(bad, "y", "decision_tree", None, {"method": "time_series", "order": "dy"}, "r2"))


@pytest.mark.parametrize("evaluation", [
    {"method": "time_series", "order": "day", "folds": 3, "test_fraction": 0.2},
    {"method": "kfold", "folds": 3, "test_fraction": 0.2},
])
def test_script_reproduces_weights_dates_and_time_order(timed, tmp_path, evaluation):
    path, frame = timed
    data = pd.read_csv(path)
    data["w"] = np.linspace(0.5, 2.0, len(data))
    data["stamp"] = data["day"]
    data.to_csv(path, index=False)
    setup = SearchSetup.from_json({
        "format": "hpgui-setup/1",
        "data": {"path": str(path), "target": "y", "weight": "w",
                 "dates": {"stamp": ["month", "day_of_week", "days"]}},
        "model": "decision_tree",
        "space": {"max_depth": {"type": "int", "values": [2, 5]}},
        "strategy": {"name": "grid", "seed": 3},
        "evaluation": evaluation,
        "metric": "mae",
        "budget": {"trials": None},
    })
    search = Search(setup, study_name="script")
    assert "w" not in search.data.features and search.data.dates == {"stamp": ("month", "day_of_week", "days")}
    result = search.run()
    exported = export_all(search, tmp_path / "out", result.trials)
    best = json.loads(exported.best_json.read_text())
    out = subprocess.run([sys.executable, str(exported.script)], capture_output=True, text=True, timeout=180,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    printed = float(re.search(r"^score=(.+)$", out.stdout, re.M).group(1))
    assert abs(printed - best["score"]) <= 1e-12
    test = float(re.search(r"^test MAE: (.+)$", out.stdout, re.M).group(1))
    assert abs(test - best["test_score"]) <= 1e-6
    # The weights count: unweighted, the same folds give another score.
    plain = Search(setup.with_(data=setup.data.__class__(path=str(path), target="y",
                                                          dates={"stamp": ("month", "day_of_week", "days")})),
                   study_name="script-plain").evaluate(best["params"])
    assert plain.value != pytest.approx(best["score"], abs=1e-12)


def test_hostile_column_and_member_names_stay_literals_in_the_script(tmp_path):
    import zipfile

    rng = np.random.default_rng(3)
    n = 90
    weird = {"x": 'x"""; import os; os.remove("nothing") #', "w": "w\\n'weight'", "g": "g\nroup\\",
             "d": "d'''\"\"\"", "y": "ta\"rget"}
    frame = pd.DataFrame({weird["x"]: rng.normal(size=n), weird["w"]: rng.uniform(0.5, 2, size=n),
                          weird["g"]: np.repeat(np.arange(9), 10),
                          weird["d"]: pd.date_range("2022-01-01", periods=n, freq="7D").strftime("%Y-%m-%d")})
    frame[weird["y"]] = frame[weird["x"]] * 2 + rng.normal(scale=0.5, size=n)
    path = tmp_path / "odd.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("dir/we'ird\"\"\" name.csv", frame.to_csv(index=False))
    setup = SearchSetup.from_json({
        "format": "hpgui-setup/1",
        "data": {"path": str(path), "target": weird["y"], "weight": weird["w"], "dates": {weird["d"]: ["month"]}},
        "model": "ridge",
        "space": {"alpha": {"type": "float", "values": [0.1, 10.0]}},
        "strategy": {"name": "grid"},
        "evaluation": {"method": "group_kfold", "group": weird["g"], "folds": 3, "test_fraction": 0.25},
        "metric": "rmse",
    })
    search = Search(setup, study_name="hostile\"\"\"name")
    result = search.run()
    exported = export_all(search, tmp_path / "out", result.trials)
    best = json.loads(exported.best_json.read_text())
    out = subprocess.run([sys.executable, str(exported.script)], capture_output=True, text=True, timeout=180,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    printed = float(re.search(r"^score=(.+)$", out.stdout, re.M).group(1))
    assert abs(printed - best["score"]) <= 1e-12
    import ast

    constants = {node.value for node in ast.walk(ast.parse(exported.script.read_text()))
                 if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert set(weird.values()) <= constants  # each name is one string literal, not code
    assert "dir/we'ird\"\"\" name.csv" in constants
