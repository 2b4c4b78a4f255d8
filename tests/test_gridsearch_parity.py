"""Our grid search must give exactly GridSearchCV's scores, and the exported script must too."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

from hpgui.core.export import export_all
from hpgui.core.runner import Search
from hpgui.core.setup import SearchSetup
from tests_support import EXAMPLES

GRID = {"kernel": ["linear", "rbf"], "C": [1, 10]}


def _setup(csv) -> SearchSetup:
    return SearchSetup.from_json({
        "format": "hpgui-setup/1",
        "data": {"path": str(csv), "target": "species", "task": "classification"},
        "model": "svm",
        "space": {
            "kernel": {"type": "categorical", "choices": GRID["kernel"]},
            "C": {"type": "float", "values": GRID["C"]},
            "gamma": {"type": "float", "low": 1e-4, "high": 10, "log": True, "enabled": False},
        },
        "preprocessing": "none",
        "strategy": {"name": "grid", "seed": 0},
        "evaluation": {"folds": 5, "shuffle": False},
        "metric": "accuracy",
        "budget": {"trials": 4, "timeout_s": None},
    })


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    frame = pd.read_csv(EXAMPLES / "iris.csv")
    X, y = frame.drop(columns="species"), frame["species"]
    return GridSearchCV(SVC(), GRID, cv=5, scoring="accuracy").fit(X, y).cv_results_


def test_every_trial_scores_what_gridsearchcv_scores(iris_csv, reference):
    result = Search(_setup(iris_csv), study_name="parity").run()
    assert result.stop_reason in ("budget", "grid complete")
    assert len(result.trials) == 4
    by_params = {(t.params["kernel"], t.params["C"]): t for t in result.trials}
    assert len(by_params) == 4, "a grid point was evaluated twice"
    for i, params in enumerate(reference["params"]):
        trial = by_params[(params["kernel"], params["C"])]
        assert trial.state == "complete"
        assert abs(trial.value - reference["mean_test_score"][i]) <= 1e-9
        assert abs(trial.std - reference["std_test_score"][i]) <= 1e-9
        folds = [reference[f"split{k}_test_score"][i] for k in range(5)]
        np.testing.assert_allclose(trial.folds, folds, rtol=0, atol=1e-9)


def test_exported_script_reproduces_best_json(iris_csv, tmp_path, reference):
    search = Search(_setup(iris_csv), study_name="parity-export")
    result = search.run()
    exported = export_all(search, tmp_path / "out", result.trials)
    best = json.loads(exported.best_json.read_text())
    assert best["score"] == pytest.approx(max(reference["mean_test_score"]), abs=1e-9)

    out = subprocess.run([sys.executable, str(exported.script)], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    printed = float(re.search(r"^score=(.+)$", out.stdout, re.M).group(1))
    assert abs(printed - best["score"]) <= 1e-12
    assert (exported.script.parent / "model.skops").exists()
