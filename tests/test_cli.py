"""`hpgui run` as a user runs it: a subprocess, its files, its exit status, its messages."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys

import pytest

from tests_support import ROOT

BEST_KEYS = {"format", "model", "params", "metric", "score", "score_std", "direction", "test_score", "n_trials",
             "strategy", "dataset", "versions"}


def hpgui(*args, cwd=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "hpgui.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


def test_the_issue_example_runs_and_exports_everything(tmp_path):
    out = tmp_path / "out"
    run = hpgui("run", ROOT / "examples" / "iris-svm-grid.json", "--out", out)
    assert run.returncode == 0, run.stderr
    assert "4 trials" in run.stdout
    best = json.loads((out / "best.json").read_text())
    assert BEST_KEYS <= set(best)
    assert best["format"] == "hpgui-best/1" and best["direction"] == "maximize"
    assert best["dataset"]["rows"] == 150 and best["dataset"]["target"] == "species"
    assert len(best["dataset"]["sha256"]) == 64
    assert best["n_trials"] == 4 and best["score"] == pytest.approx(0.98)
    with open(out / "trials.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4
    assert {"number", "state", "value", "duration_s", "params_kernel", "params_C", "error"} <= set(rows[0])
    assert (out / "model.skops").stat().st_size > 0
    assert "Traceback" not in run.stderr


def test_progress_goes_to_stderr_and_trials_can_be_overridden(tmp_path):
    shutil.copy(ROOT / "resources" / "examples" / "penguins.csv", tmp_path)
    setup = json.loads((ROOT / "resources" / "examples" / "penguins-setup.json").read_text())
    setup["model"] = "decision_tree"
    (tmp_path / "s.json").write_text(json.dumps(setup))
    run = hpgui("run", tmp_path / "s.json", "--out", tmp_path / "o", "--trials", 3, "--study", "cli-study")
    assert run.returncode == 0, run.stderr
    assert "3/3 trials" in run.stderr and "cli-study" in run.stderr
    assert json.loads((tmp_path / "o" / "best.json").read_text())["n_trials"] == 3
    again = hpgui("run", tmp_path / "s.json", "--out", tmp_path / "o", "--trials", 5, "--study", "cli-study")
    assert again.returncode == 0, again.stderr
    assert "5 trials (2 new" in again.stdout


@pytest.mark.parametrize("content, words", [
    ('{"model": "svm", "data": ', "not valid JSON"),
    ('{"format": "hpgui-setup/1", "data": {"path": "iris.csv", "target": "species"}, "model": "svm",'
     ' "space": {"C": {"type": "float", "low": 10, "high": 1}}}', "space.C.low: low (10) is greater than high (1)"),
    ('{"data": {"path": "missing.csv", "target": "species"}, "model": "svm"}', "missing.csv"),
    ('{"data": {"path": "iris.csv", "target": "specie"}, "model": "svm"}', "species"),
])
def test_bad_input_exits_2_with_a_message_and_no_traceback(tmp_path, content, words):
    shutil.copy(ROOT / "examples" / "iris.csv", tmp_path)
    (tmp_path / "bad.json").write_text(content)
    run = hpgui("run", tmp_path / "bad.json", "--out", tmp_path / "o")
    assert run.returncode == 2
    assert words in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "o" / "best.json").exists()


def test_a_search_whose_every_trial_fails_exits_1_and_keeps_the_errors(tmp_path):
    (tmp_path / "d.csv").write_text("a,b,y\n" + "".join(f"{i},{'' if i % 2 else i},{i % 2}\n" for i in range(40)))
    (tmp_path / "s.json").write_text(json.dumps({
        "data": {"path": "d.csv", "target": "y", "task": "classification"}, "model": "knn",
        "preprocessing": "none", "strategy": {"name": "random"}, "budget": {"trials": 20}}))
    run = hpgui("run", tmp_path / "s.json", "--out", tmp_path / "o")
    assert run.returncode == 1
    assert "all failed" in run.stderr and "NaN" in run.stderr
    assert "Traceback" not in run.stderr
    rows = list(csv.DictReader(open(tmp_path / "o" / "trials.csv", newline="")))
    assert rows and all(r["state"] == "failed" and "NaN" in r["error"] for r in rows)


def test_version_and_help():
    run = hpgui("--version")
    assert run.returncode == 0 and run.stdout.startswith("hpgui ")
    run = hpgui("run", "--help")
    assert run.returncode == 0 and "--storage" in run.stdout and "--study" in run.stdout


def test_models_lists_the_catalog_and_explains_a_model():
    run = hpgui("models")
    assert run.returncode == 0
    from hpgui.core.catalog import MODELS
    from hpgui.core.catalog_boost import LIBRARIES

    lines = run.stdout.strip().splitlines()
    assert len(lines) == len(MODELS) + sum(name not in MODELS for name in LIBRARIES)
    assert "hist_gradient_boosting" in run.stdout
    for name in LIBRARIES:  # a boosting model is listed, or named with how to install it
        assert any(line.startswith(name) for line in lines)
    run = hpgui("models", "svm")
    assert run.returncode == 0
    assert "gamma" in run.stdout and "only when kernel is" in run.stdout and "sklearn.svm.SVR" in run.stdout
    run = hpgui("models", "svn")
    assert run.returncode == 2 and "unknown model 'svn'" in run.stderr


def test_run_with_two_workers_then_a_worker_joins_through_the_journal_url(tmp_path, iris_csv):
    setup = {"data": {"path": str(iris_csv), "target": "species"}, "model": "knn",
             "strategy": {"name": "random", "seed": 2}, "budget": {"trials": 6}}
    path = tmp_path / "setup.json"
    path.write_text(json.dumps(setup))
    storage = f"journal:///{(tmp_path / 'shared.journal').as_posix().lstrip('/')}"
    run = hpgui("run", path, "--workers", "2", "--storage", storage, "--study", "team", "--out", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert "6 trials (6 new, stopped: budget)" in run.stdout
    # One progress for the study, fed by both workers: it never goes backwards.
    counts = [int(m) for m in re.findall(r"(\d+)/6 trials", run.stderr)]
    assert counts and counts == sorted(counts) and counts[-1] == 6, run.stderr
    with open(tmp_path / "out" / "trials.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["number"] for r in rows] == [str(i) for i in range(6)]

    # The study's budget is spent: a worker that joins finds nothing left to do.
    joined = hpgui("worker", "--storage", storage, "--study", "team")
    assert joined.returncode == 0, joined.stderr
    assert "worker ran 0 trial(s); stopped: budget" in joined.stdout


def test_a_worker_says_which_data_file_it_cannot_find(tmp_path, iris_csv):
    setup = {"data": {"path": str(iris_csv), "target": "species"}, "model": "knn",
             "strategy": {"name": "random"}, "budget": {"trials": 2}}
    path = tmp_path / "setup.json"
    path.write_text(json.dumps(setup))
    storage = f"journal:///{(tmp_path / 's.journal').as_posix().lstrip('/')}"
    assert hpgui("run", path, "--storage", storage, "--study", "s", "--out", tmp_path / "o").returncode == 0
    iris_csv.unlink()
    joined = hpgui("worker", "--storage", storage, "--study", "s")
    assert joined.returncode == 2
    assert f"the study's data file {iris_csv} does not exist on this machine" in joined.stderr
    assert "Traceback" not in joined.stderr
    missing = hpgui("worker", "--storage", storage, "--study", "nope")
    assert missing.returncode == 2 and "there is no study named 'nope'" in missing.stderr


def test_bad_worker_counts_and_trial_limits_are_refused(tmp_path):
    for args in (["--workers", "0"], ["--trial-timeout", "0"]):
        run = hpgui("run", ROOT / "examples" / "iris-svm-grid.json", *args)
        assert run.returncode == 2 and "must be" in run.stderr
