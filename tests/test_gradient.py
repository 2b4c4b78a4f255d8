"""The gradient strategy end to end: where it applies, what it finds, and that it resumes after kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, make_friedman1

from hpgui.core.gradient_strategy import CHAIN_ATTR, problems, unavailable
from hpgui.core.runner import Search
from hpgui.core.setup import SearchSetup, SetupError
from hpgui.core.space import Hyperparameter


@pytest.fixture
def diabetes_csv(tmp_path):
    path = tmp_path / "diabetes.csv"
    load_diabetes(as_frame=True).frame.to_csv(path, index=False)
    return path


@pytest.fixture
def cancer_csv(tmp_path):
    path = tmp_path / "cancer.csv"
    load_breast_cancer(as_frame=True).frame.to_csv(path, index=False)
    return path


def setup_of(csv, model, space, target="target", metric=None, trials=40, **strategy):
    data = {"data": {"path": str(csv), "target": target}, "model": model, "space": space,
            "strategy": {"name": "gradient", "seed": 0, **strategy}, "evaluation": {"folds": 4},
            "budget": {"trials": trials}}
    if metric:
        data["metric"] = metric
    return SearchSetup.from_json(data)


LOG = {"type": "float", "log": True}


def test_it_applies_only_to_smooth_models_with_a_moved_hyperparameter():
    f = Hyperparameter("float", 1e-3, 1e3, log=True)
    assert unavailable(["ridge"], "regression", {"alpha": f}) is None
    assert "knn is not one of them" in unavailable(["knn"], "classification", {})
    assert "one model at a time" in unavailable(["ridge", "lasso"], "regression", {})
    searched_solver = {"C": f, "solver": Hyperparameter("categorical", choices=("lbfgs", "saga"))}
    message = unavailable(["logistic_regression"], "classification", searched_solver)
    assert "solver" in message and "one value" in message
    fixed_solver = {"C": f, "solver": Hyperparameter("categorical", choices=("lbfgs",))}
    assert unavailable(["logistic_regression"], "classification", fixed_solver) is None
    stepped = {"alpha": Hyperparameter("float", 0.1, 10.0, step=0.1)}
    assert [p.field for p in problems(["ridge"], "regression", stepped)] == ["space.alpha"]
    off = {"alpha": Hyperparameter("float", 0.1, 10.0, enabled=False)}
    assert "switch at least one" in unavailable(["ridge"], "regression", off)


def test_a_setup_it_cannot_search_is_refused_before_any_trial(diabetes_csv):
    setup = setup_of(diabetes_csv, "ridge", {"alpha": {**LOG, "low": 1e-3, "high": 1e3}}, pruner="median")
    with pytest.raises(SetupError, match="pruner"):
        Search(setup)


def dense_best(search, name, low, high, n=161, fixed=None):
    values = np.geomspace(low, high, n)
    scores = [search.evaluate({name: float(v), **(fixed or {})}).value for v in values]
    return max(scores) if search.metric.direction == "maximize" else min(scores)


def test_ridge_descent_reaches_the_dense_grids_best_with_few_fits(diabetes_csv):
    search = Search(setup_of(diabetes_csv, "ridge", {"alpha": {**LOG, "low": 1e-4, "high": 1e4}}),
                    study_name="ridge-gd")
    result = search.run()
    assert result.stop_reason == "converged"
    best = dense_best(search, "alpha", 1e-4, 1e4)
    assert result.best.value >= best - 1e-4 * abs(best)
    assert len(result.trials) < 40
    chains = {t.user_attrs[CHAIN_ATTR] for t in search.study.get_trials()}
    assert chains == {0, 1, 2}  # three starts (the default), each descended until it converged
    # A point one descent evaluated is never fitted again for another.
    assert len({t.params["alpha"] for t in result.trials}) == len(result.trials)


def test_logistic_descends_the_log_loss_even_for_accuracy(cancer_csv):
    space = {"C": {**LOG, "low": 1e-4, "high": 1e4}, "solver": {"type": "categorical", "choices": ["lbfgs"]}}
    search = Search(setup_of(cancer_csv, "logistic_regression", space, metric="log_loss", starts=1),
                    study_name="logit-gd")
    result = search.run()
    assert result.stop_reason == "converged"
    best = dense_best(search, "C", 1e-4, 1e4, n=81, fixed={"solver": "lbfgs"})
    assert result.best.value <= best + 1e-3 * abs(best)
    # With accuracy as the study's metric the descent still follows the log loss, and records accuracy.
    acc = Search(setup_of(cancer_csv, "logistic_regression", space, metric="accuracy", starts=1),
                 study_name="logit-acc").run()
    assert acc.stop_reason == "converged" and 0.9 < acc.best.value <= 1.0
    assert [t.params["C"] for t in acc.trials] == [t.params["C"] for t in result.trials]


def test_elastic_net_moves_alpha_and_l1_ratio_together(diabetes_csv):
    space = {"alpha": {**LOG, "low": 1e-4, "high": 10.0}, "l1_ratio": {"type": "float", "low": 0.05, "high": 1.0}}
    search = Search(setup_of(diabetes_csv, "elastic_net", space, starts=2), study_name="enet-gd")
    result = search.run()
    assert result.stop_reason == "converged"
    moved = {(round(t.params["alpha"], 9), round(t.params["l1_ratio"], 9)) for t in result.trials}
    assert len(moved) == len(result.trials)  # every step is a new point
    grid = [search.evaluate({"alpha": float(a), "l1_ratio": float(r)}).value
            for a in np.geomspace(1e-4, 10, 41) for r in np.linspace(0.05, 1, 11)]
    assert result.best.value >= max(grid) - 1e-3 * abs(max(grid))


def test_a_resumed_study_goes_on_exactly_where_it_stopped(diabetes_csv):
    space = {"alpha": {**LOG, "low": 1e-4, "high": 1e4}}
    whole = Search(setup_of(diabetes_csv, "ridge", space), study_name="whole").run()
    Search(setup_of(diabetes_csv, "ridge", space), study_name="parts", trials=4).run()
    parts = Search(setup_of(diabetes_csv, "ridge", space), study_name="parts").run()
    assert [t.params for t in parts.trials] == [t.params for t in whole.trials]
    assert parts.stop_reason == "converged"


def _complete(journal, name):
    import optuna
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    try:
        study = optuna.load_study(study_name=name, storage=JournalStorage(JournalFileBackend(str(journal))))
    except Exception:  # not created yet
        return []
    return [t for t in study.get_trials() if t.state.name == "COMPLETE"]


def test_kill_minus_nine_mid_descent_then_resume_through_hpgui_run(tmp_path):
    X, y = make_friedman1(n_samples=300, noise=1.0, random_state=0)
    csv = tmp_path / "friedman.csv"
    import pandas as pd

    pd.DataFrame(np.column_stack([X, y]), columns=[f"x{i}" for i in range(10)] + ["y"]).to_csv(csv, index=False)
    setup = {"data": {"path": str(csv), "target": "y"}, "model": "kernel_ridge",
             "space": {"alpha": {**LOG, "low": 1e-4, "high": 10.0}, "gamma": {**LOG, "low": 1e-4, "high": 10.0}},
             "strategy": {"name": "gradient", "seed": 0, "starts": 1}, "evaluation": {"folds": 3},
             "budget": {"trials": 25}}
    path = tmp_path / "kr.json"
    path.write_text(json.dumps(setup))
    env = {**os.environ, "HPGUI_DATA_DIR": str(tmp_path / "data")}
    journal = tmp_path / "store.journal"

    def run(name, *extra):
        return [sys.executable, "-m", "hpgui.cli", "run", str(path), "--quiet", "--study", name,
                "--storage", str(journal), "--out", str(tmp_path / name), *extra]

    proc = subprocess.Popen(run("killed"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while len(_complete(journal, "killed")) < 3:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = len(_complete(journal, "killed"))
    resumed = subprocess.run(run("killed"), env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert "Traceback" not in resumed.stderr
    assert "converged" in resumed.stdout + resumed.stderr
    whole = subprocess.run(run("whole"), env=env, capture_output=True, text=True, timeout=600)
    assert whole.returncode == 0, whole.stderr
    killed, uninterrupted = _complete(journal, "killed"), _complete(journal, "whole")
    assert len(killed) >= before
    # The same descent, step for step: the kill cost at most the trial that was running.
    assert [t.params for t in killed] == [t.params for t in uninterrupted]
