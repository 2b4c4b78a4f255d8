"""Many machines on one study: `hpgui worker` processes against a real PostgreSQL server.

`.ci/run` starts a server on loopback and sets HPGUI_TEST_POSTGRES_URL (with a password, so these
tests can check it never shows). With the variable set, an unreachable server fails every test here;
without it (a developer machine with no server), they are skipped with a note saying how to run them:
`URL=$(.ci/postgres start /tmp/hpgui-pg) && HPGUI_TEST_POSTGRES_URL=$URL python -m pytest tests/test_postgres.py`.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from urllib.parse import urlsplit

import optuna
import pytest
from optuna.trial import TrialState

from hpgui.core.recovery import DEAD_WORKER_ERROR, OWNER_ATTR
from hpgui.core.records import SURPLUS_ATTR, TRIAL_ATTR
from hpgui.core.storage import open_storage
from tests_support import ROOT

URL_VARIABLE = "HPGUI_TEST_POSTGRES_URL"


@pytest.fixture(scope="module")
def pg_url() -> str:
    url = os.environ.get(URL_VARIABLE)
    if not url:
        pytest.skip(f"{URL_VARIABLE} is not set; .ci/run starts a PostgreSQL server and sets it")
    import sqlalchemy

    try:
        with sqlalchemy.create_engine(url).connect() as connection:
            connection.execute(sqlalchemy.text("select 1"))
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"{URL_VARIABLE} is set but the PostgreSQL server does not answer: {type(exc).__name__}")
    return url


@pytest.fixture
def study_name() -> str:
    return f"t-{secrets.token_hex(4)}"


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def hpgui(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hpgui.cli", *args], env=env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def load(url: str, name: str):
    return optuna.load_study(study_name=name, storage=open_storage(url, name))


def create_study(url: str, name: str, setup: dict, tmp_path) -> None:
    """`hpgui run --storage URL --study NAME`, stopped after one trial: the study others then join."""
    path = tmp_path / "setup.json"
    path.write_text(json.dumps(setup))
    run = hpgui("run", str(path), "--storage", url, "--study", name, "--trials", "1", "--quiet",
                "--out", str(tmp_path / "out"))
    out, err = run.communicate(timeout=180)
    assert run.returncode == 0, err
    password = urlsplit(url).password
    assert password not in out + err
    for exported in (tmp_path / "out").iterdir():
        assert password not in exported.read_text(errors="replace"), exported.name


WATCHER = """
import sys, time, json, optuna
from optuna.trial import TrialState
from hpgui.core.storage import open_storage
url, name = sys.argv[1], sys.argv[2]
study = optuna.load_study(study_name=name, storage=open_storage(url, name))
seen = []
while True:
    trials = study.get_trials(deepcopy=False)
    # A worker that lost the race for the last grid point closes an empty "surplus" trial; hpgui hides those.
    done = sum(t.state.is_finished() and not t.user_attrs.get("hpgui:surplus") for t in trials)
    seen.append(done)
    if not any(t.state in (TrialState.WAITING, TrialState.RUNNING) for t in trials):
        break
    time.sleep(0.1)
print(json.dumps(seen))
"""


def knn_grid(iris_csv, high: int) -> dict:
    return {"data": {"path": str(iris_csv), "target": "species"}, "model": "knn", "strategy": {"name": "grid"},
            "space": {"n_neighbors": {"type": "int", "low": 1, "high": high}}, "budget": {"trials": None}}


def test_three_workers_and_a_watcher_fill_a_grid_without_duplicates_or_lock_errors(pg_url, study_name, iris_csv,
                                                                                    tmp_path):
    create_study(pg_url, study_name, knn_grid(iris_csv, 40), tmp_path)
    watcher = subprocess.Popen([sys.executable, "-c", WATCHER, pg_url, study_name], env=env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers = [hpgui("worker", "--storage", pg_url, "--study", study_name, "--quiet") for _ in range(3)]
    outputs = [w.communicate(timeout=300) for w in workers]
    seen, watch_err = watcher.communicate(timeout=120)
    for worker, (out, err) in zip(workers, outputs):
        assert worker.returncode == 0, err
        assert "grid complete" in out
        for bad in ("locked", "Traceback", "Error", urlsplit(pg_url).password):
            assert bad not in out + err, f"{bad!r} in a worker's output:\n{out}{err}"
    assert watcher.returncode == 0, watch_err
    counts = json.loads(seen)
    assert counts == sorted(counts) and counts[-1] == 40, "the watcher saw the study fill up"

    trials = load(pg_url, study_name).get_trials()
    complete = Counter(t.params["n_neighbors"] for t in trials if t.state == TrialState.COMPLETE)
    assert complete == Counter(range(1, 41)), "every grid point exactly once"
    assert not [t for t in trials if t.state != TrialState.COMPLETE and not t.user_attrs.get(SURPLUS_ATTR)]
    ran_by = Counter(t.user_attrs[TRIAL_ATTR]["worker"] for t in trials if t.state == TrialState.COMPLETE)
    assert len(ran_by) >= 3, f"the trials were shared out: {ran_by}"


def test_a_worker_killed_mid_fit_leaves_the_study_complete(pg_url, study_name, medium_csv, tmp_path):
    values = [120 + i for i in range(6)]
    setup = {"data": {"path": str(medium_csv), "target": "y"}, "model": "random_forest",
             "space": {"n_estimators": {"type": "int", "values": values}}, "strategy": {"name": "grid"},
             "evaluation": {"folds": 3}, "budget": {"trials": None}}
    create_study(pg_url, study_name, setup, tmp_path)
    workers = [hpgui("worker", "--storage", pg_url, "--study", study_name, "--quiet") for _ in range(3)]
    try:
        study = load(pg_url, study_name)
        deadline = time.monotonic() + 180
        victim = None
        pids = {w.pid for w in workers}
        while victim is None:
            assert time.monotonic() < deadline, "no worker started a trial"
            for trial in study.get_trials(states=(TrialState.RUNNING,)):
                owner = trial.user_attrs.get(OWNER_ATTR, "")
                if owner and int(owner.rpartition(":")[2]) in pids:
                    victim = trial
                    break
            time.sleep(0.05)
        pid = int(victim.user_attrs[OWNER_ATTR].rpartition(":")[2])
        os.kill(pid, signal.SIGKILL)
        survivors = [w for w in workers if w.pid != pid]
        outputs = [w.communicate(timeout=300) for w in survivors]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    for worker, (out, err) in zip(survivors, outputs):
        assert worker.returncode == 0, err
    trials = {t.number: t for t in load(pg_url, study_name).get_trials()}
    killed = trials[victim.number]
    assert killed.state == TrialState.FAIL
    assert killed.user_attrs[TRIAL_ATTR]["error"] == DEAD_WORKER_ERROR
    complete = Counter(t.params["n_estimators"] for t in trials.values() if t.state == TrialState.COMPLETE)
    assert complete == Counter(values), "the killed worker's point ran again, every point exactly once"
    assert not [t for t in trials.values() if t.state in (TrialState.RUNNING, TrialState.WAITING)]


def test_worker_messages_never_show_the_password(pg_url, study_name, iris_csv, tmp_path):
    password = urlsplit(pg_url).password
    wrong = pg_url.replace(f":{password}@", ":not-the-password@")
    out, err = hpgui("worker", "--storage", wrong, "--study", study_name).communicate(timeout=120)
    assert "cannot open the study storage" in err and "password authentication failed" in err
    assert "not-the-password" not in out + err

    out, err = hpgui("worker", "--storage", pg_url, "--study", study_name).communicate(timeout=120)
    assert f"no study named {study_name!r}" in err and password not in out + err

    moved = tmp_path / "elsewhere.csv"
    create_study(pg_url, study_name, knn_grid(iris_csv, 3), tmp_path)
    iris_csv.rename(moved)
    worker = hpgui("worker", "--storage", pg_url, "--study", study_name)
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 2
    assert str(iris_csv) in err and "does not exist on this machine" in err
    assert password not in out + err
