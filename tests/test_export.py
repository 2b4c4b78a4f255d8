"""Exported artefacts: a script that reproduces the score, a safe model file, a safe trial table."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from datetime import datetime

import numpy as np
import pytest

from hpgui.core.export import export_all, load_model, spreadsheet_safe, write_trials
from hpgui.core.runner import Search
from hpgui.core.records import TrialRecord
from hpgui.core.setup import SearchSetup


def run_script(path, cwd):
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, cwd=cwd)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_penguins_with_text_columns_missing_values_and_a_test_split(penguins_csv, tmp_path):
    setup = SearchSetup.from_json({
        "data": {"path": str(penguins_csv), "target": "species"}, "model": "logistic_regression",
        "strategy": {"name": "random", "seed": 5}, "evaluation": {"folds": 4, "test_fraction": 0.2},
        "metric": "f1_macro", "budget": {"trials": 4},
    })
    search = Search(setup, study_name="penguins-export")
    assert {"island", "sex"} <= set(search.data.categorical)
    result = search.run()
    exported = export_all(search, tmp_path / "out", result.trials)
    best = json.loads(exported.best_json.read_text())
    assert best["test_score"] is not None and 0.8 < best["test_score"] <= 1

    stdout = run_script(exported.script, tmp_path)
    assert float(re.search(r"^score=(.+)$", stdout, re.M).group(1)) == pytest.approx(best["score"], abs=1e-12)
    printed_test = float(re.search(r"^test F1 \(macro\): ([0-9.]+)$", stdout, re.M).group(1))
    assert printed_test == pytest.approx(best["test_score"], abs=1e-6)

    model = load_model(exported.model)
    refit = search.fit_best(result.best.params)
    np.testing.assert_array_equal(model.predict(search.X_test), refit.predict(search.X_test))
    assert set(model.predict(search.X_test)) <= {"Adelie", "Chinstrap", "Gentoo"}


def test_a_regression_script_reproduces_rmse(tmp_path):
    from sklearn.datasets import load_diabetes

    load_diabetes(as_frame=True).frame.to_csv(tmp_path / "d.csv", index=False)
    setup = SearchSetup.from_json({"data": {"path": str(tmp_path / "d.csv"), "target": "target"},
                                   "model": "hist_gradient_boosting", "metric": "rmse",
                                   "strategy": {"name": "tpe"}, "budget": {"trials": 3}})
    search = Search(setup, study_name="rmse-export")
    exported = export_all(search, tmp_path / "out", search.run().trials)
    best = json.loads(exported.best_json.read_text())
    assert best["direction"] == "minimize" and best["score"] > 0
    stdout = run_script(exported.script, tmp_path)
    assert float(re.search(r"^score=(.+)$", stdout, re.M).group(1)) == pytest.approx(best["score"], abs=1e-12)


def test_trial_table_escapes_formulas_but_keeps_negative_numbers(tmp_path):
    records = [
        TrialRecord(number=0, state="complete", value=-3.5, params={"kernel": "=HYPERLINK(\"x\")", "C": -1.0},
                    std=0.1, folds=[-3.0, -4.0], started=datetime(2026, 1, 1)),
        TrialRecord(number=1, state="failed", value=None, params={"kernel": "+cmd", "C": 2.0},
                    error="@SUM(A1) went wrong"),
    ]
    path = tmp_path / "t.csv"
    write_trials(path, records, ["kernel", "C"])
    rows = list(csv.DictReader(open(path, newline="")))
    assert rows[0]["params_kernel"] == "'=HYPERLINK(\"x\")"
    assert rows[0]["value"] == "-3.5" and rows[0]["params_C"] == "-1.0"
    assert json.loads(rows[0]["fold_scores"]) == [-3.0, -4.0]
    assert rows[1]["params_kernel"] == "'+cmd"
    assert rows[1]["error"] == "'@SUM(A1) went wrong" and rows[1]["value"] == ""
    assert spreadsheet_safe(-2) == -2 and spreadsheet_safe("-2.5") == "-2.5"


def test_export_without_a_completed_trial_keeps_the_table_and_says_why(iris_csv, tmp_path):
    setup = SearchSetup.from_json({"data": {"path": str(iris_csv), "target": "species"}, "model": "svm",
                                   "strategy": {"name": "random"}, "budget": {"trials": 2}})
    search = Search(setup, study_name="none-complete")
    with pytest.raises(ValueError, match="no trial completed"):
        export_all(search, tmp_path / "out", [])
    assert (tmp_path / "out" / "trials.csv").exists()


def test_the_script_drops_the_same_rows_with_a_missing_target(tmp_path):
    from tests_support import EXAMPLES

    lines = (EXAMPLES / "penguins.csv").read_text().splitlines()
    for i in (5, 60, 200, 300):  # blank the species of a few rows
        lines[i] = "NA" + lines[i][lines[i].index(","):]
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    setup = SearchSetup.from_json({"data": {"path": str(tmp_path / "p.csv"), "target": "species"},
                                   "model": "knn", "strategy": {"name": "random", "seed": 2},
                                   "metric": "balanced_accuracy", "budget": {"trials": 2}})
    search = Search(setup, study_name="missing-target")
    assert search.data.dropped_rows == 4 and len(search.X) == 340
    exported = export_all(search, tmp_path / "out", search.run().trials)
    best = json.loads(exported.best_json.read_text())
    stdout = run_script(exported.script, tmp_path)
    assert float(re.search(r"^score=(.+)$", stdout, re.M).group(1)) == pytest.approx(best["score"], abs=1e-12)
