"""A search in a child process: trials stream back, and Stop ends even a long fit quickly."""

from __future__ import annotations

import time

import optuna
from optuna.trial import TrialState

from hpgui.core.process import INTERRUPTED_ERROR, Job, SearchProcess
from hpgui.core.records import TrialRecord
from hpgui.core.storage import open_storage

RUNNING = TrialState.RUNNING


def collect(process: SearchProcess, until: str, timeout: float = 120) -> list[tuple]:
    events, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        events += process.poll(timeout=0.1)
        if any(e[0] == until for e in events):
            return events
    raise AssertionError(f"no {until!r} event within {timeout} s; got {[e[0] for e in events]}")


def test_trials_stream_back_from_the_child(iris_csv):
    process = SearchProcess()
    try:
        assert process.wait_ready()
        setup = {"data": {"path": str(iris_csv), "target": "species"}, "model": "knn",
                 "strategy": {"name": "random", "seed": 1}, "budget": {"trials": 5}}
        process.submit(Job(setup=setup, base_dir=None, study_name="child", storage=None))
        events = collect(process, "done")
        trials = [e[1] for e in events if e[0] == "trial"]
        assert [t.number for t in trials] == [0, 1, 2, 3, 4]
        assert all(isinstance(t, TrialRecord) and t.state == "complete" for t in trials)
        assert events[-1] == ("done", "budget", 5)
        assert process.study_name == "child"
    finally:
        process.close()


def test_a_bad_setup_comes_back_as_a_message(tmp_path):
    process = SearchProcess()
    try:
        setup = {"data": {"path": str(tmp_path / "missing.csv"), "target": "y"}, "model": "knn"}
        process.submit(Job(setup=setup, base_dir=None, study_name="bad", storage=None))
        events = collect(process, "invalid")
        message = [e for e in events if e[0] == "invalid"][0][1]
        assert "missing.csv" in message
    finally:
        process.close()


def test_stop_ends_a_long_fit_within_two_seconds_and_fails_its_trial(slow_csv):
    process = SearchProcess()
    try:
        # One fit of 4,000 deep trees on 16,000 rows takes far longer than the test waits.
        setup = {"data": {"path": str(slow_csv), "target": "y"}, "model": "random_forest",
                 "space": {"n_estimators": {"type": "int", "values": [4000]}},
                 "strategy": {"name": "random"}, "evaluation": {"folds": 5}, "budget": {"trials": 3}}
        process.submit(Job(setup=setup, base_dir=None, study_name="long-fit", storage=None))
        collect(process, "started")
        storage = open_storage(None, "long-fit")
        deadline = time.monotonic() + 60
        while not optuna.load_study(study_name="long-fit", storage=storage).get_trials(states=(RUNNING,)):
            assert time.monotonic() < deadline, "the first trial never started"
            process.poll(timeout=0.05)
        began = time.monotonic()
        killed = process.stop(grace_s=1.5)
        took = time.monotonic() - began
        assert killed, "the fit returned on its own, so this test measured nothing"
        assert took < 2.0
        assert not process.is_alive()
    finally:
        process.close()
    study = optuna.load_study(study_name="long-fit", storage=open_storage(None, "long-fit"))
    trials = study.get_trials()
    assert len(trials) == 1
    assert trials[0].state.name == "FAIL"
    assert trials[0].user_attrs["hpgui"]["error"] == INTERRUPTED_ERROR
