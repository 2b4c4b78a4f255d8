"""Several worker processes on one study in the embedded (journal) storage, and what happens when they die.

The slow fits are real: a random forest with thousands of trees on 20,000 rows takes far longer than
any test waits, so a Stop, a kill or a time limit always lands in the middle of a fit.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import optuna
from optuna.trial import TrialState

from hpgui.core.process import INTERRUPTED_ERROR, Job, WorkerPool
from hpgui.core.recovery import (DEAD_WORKER_ERROR, HEARTBEAT_ATTR, JOURNAL_GRACE_S, OWNER_ATTR,
                                 fail_stale_trials, worker_id)
from hpgui.core.runner import Search
from hpgui.core.records import QUEUED_ATTR, SURPLUS_ATTR, TRIAL_ATTR
from hpgui.core.setup import SearchSetup
from hpgui.core.storage import open_storage
from tests_support import ROOT

RUNNING = TrialState.RUNNING


def study(name: str):
    return optuna.load_study(study_name=name, storage=open_storage(None, name))


def drive(pool: WorkerPool, timeout: float = 240, until=lambda events: False) -> list[tuple]:
    events, deadline = [], time.monotonic() + timeout
    while not pool.finished and not until(events):
        assert time.monotonic() < deadline, f"the pool did not finish; events: {[e[0] for e in events]}"
        events += pool.poll(timeout=0.05)
    return events


def wait_for(condition, timeout: float = 120, pool: WorkerPool | None = None, events: list | None = None):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, "waited too long"
        if pool is not None:
            got = pool.poll(timeout=0.05)
            if events is not None:
                events += got
        else:
            time.sleep(0.05)


def running_trials(name: str):
    try:
        return study(name).get_trials(states=(RUNNING,))
    except KeyError:  # the first worker has not created the study yet
        return []


def knn_grid(csv, high: int = 20) -> dict:
    return {"data": {"path": str(csv), "target": "species"}, "model": "knn", "strategy": {"name": "grid"},
            "space": {"n_neighbors": {"type": "int", "low": 1, "high": high}}, "budget": {"trials": None}}


def forest(csv, trees, strategy: str = "random", trials=None) -> dict:
    return {"data": {"path": str(csv), "target": "y"}, "model": "random_forest",
            "space": {"n_estimators": {"type": "int", "values": list(trees)}},
            "strategy": {"name": strategy, "seed": 0}, "evaluation": {"folds": 3}, "budget": {"trials": trials}}


def test_two_workers_share_a_grid_and_never_repeat_a_point(iris_csv):
    pool = WorkerPool(2)
    try:
        pool.submit(Job(setup=knn_grid(iris_csv), base_dir=None, study_name="grid2", storage=None))
        events = drive(pool)
    finally:
        pool.close()
    trials = [e[1] for e in events if e[0] == "trial"]
    assert events[-1][0] == "done" and events[-1][1] == "grid complete"
    assert sorted(t.params["n_neighbors"] for t in trials) == list(range(1, 21))
    assert all(t.state == "complete" for t in trials)
    assert len({t.worker for t in trials}) == 2, "both workers ran trials"
    stored = study("grid2").get_trials()
    complete = [t.params["n_neighbors"] for t in stored if t.state == TrialState.COMPLETE]
    assert sorted(complete) == list(range(1, 21))
    assert not [t for t in stored if t.state in (RUNNING, TrialState.WAITING)]


def test_the_trial_budget_counts_the_whole_study_not_each_worker(iris_csv):
    setup = {"data": {"path": str(iris_csv), "target": "species"}, "model": "knn",
             "strategy": {"name": "random", "seed": 3}, "budget": {"trials": 9},
             "space": {"n_neighbors": {"type": "int", "low": 1, "high": 60},
                       "weights": {"type": "categorical", "choices": ["uniform", "distance"]}}}
    pool = WorkerPool(2)
    try:
        pool.submit(Job(setup=setup, base_dir=None, study_name="budget2", storage=None))
        events = drive(pool)
    finally:
        pool.close()
    assert events[-1][:2] == ("done", "budget")
    finished = [t for t in study("budget2").get_trials() if t.state.is_finished()]
    assert len(finished) == 9
    assert len({t.user_attrs[TRIAL_ATTR]["worker"] for t in finished}) == 2
    # Each worker seeds its sampler differently: with one seed they would propose the same configurations.
    by_worker: dict[str, list] = {}
    for t in sorted(finished, key=lambda t: t.number):
        by_worker.setdefault(t.user_attrs[TRIAL_ATTR]["worker"], []).append(sorted(t.params.items()))
    first, second = by_worker.values()
    shared = min(len(first), len(second), 3)
    assert first[:shared] != second[:shared]


def knn_random(csv, trials: int, manual=()) -> dict:
    return {"data": {"path": str(csv), "target": "species"}, "model": "knn",
            "strategy": {"name": "random", "seed": 5, "manual": list(manual)}, "budget": {"trials": trials},
            "evaluation": {"folds": 3},
            "space": {"n_neighbors": {"type": "int", "low": 1, "high": 60},
                      "weights": {"type": "categorical", "choices": ["uniform", "distance"]}}}


def counted(name: str) -> list:
    """The trials a budget counts: not surplus ones, not ones whose queued point was run again."""
    trials = study(name).get_trials()
    retried = {t.user_attrs.get("hpgui:retry_of") for t in trials}
    return [t for t in trials if not t.user_attrs.get(SURPLUS_ATTR) and t.number not in retried
            and t.state != TrialState.WAITING]


def test_three_workers_on_a_random_search_run_exactly_its_budget(iris_csv):
    # All three count the study while paused (nothing run, room for 2), then ask at once when resumed:
    # those that ask after the budget is taken must give way.
    pool = WorkerPool(3)
    events: list = []
    try:
        assert pool.wait_ready(120)
        pool.pause(True)
        pool.submit(Job(setup=knn_random(iris_csv, 2), base_dir=None, study_name="exact3", storage=None))
        wait_for(lambda: any(e[0] == "started" for e in events), pool=pool, events=events)
        # The other two start now (iris and an open study: well under a second); give them time to
        # reach the pause. Were one late, it would only see the others' trials and not race.
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            events += pool.poll(timeout=0.05)
        pool.pause(False)
        events += drive(pool)
    finally:
        pool.close()
    assert events[-1][:2] == ("done", "budget")
    kept = counted("exact3")
    assert len(kept) == 2
    assert all(t.state == TrialState.COMPLETE for t in kept)
    # Each of the other two gives way at most once: one that counted before the race recounts after giving
    # way. Both may (seen on a loaded machine): the first worker's iris trial can finish and it asks again
    # before the other two have asked at all, so both of them then find the budget taken.
    assert len(study("exact3").get_trials()) - len(kept) <= 2, "at most one surplus trial per other worker"
    relayed = [e[1] for e in events if e[0] == "trial"]
    assert sorted(r.number for r in relayed) == sorted(t.number for t in kept), "surplus trials are not shown"


def test_a_trial_asked_after_the_budget_filled_gives_way(iris_csv):
    # Worker A counts 2 of 3 trials and asks; between its count and its ask, worker B asks and runs
    # the third. A's trial is then the fourth: it must be dropped, not run.
    setup = SearchSetup.from_json(knn_random(iris_csv, 3))
    a = Search(setup, study_name="race", shared=True)
    b = Search(setup, study_name="race", shared=True)
    ask = a.study.ask

    def ask_after_b():
        if len(a.study.get_trials()) == 2:
            assert b.run(max_new=1).new_trials == 1
        return ask()

    a.study.ask = ask_after_b
    result = a.run()
    assert (result.stop_reason, result.new_trials) == ("budget", 2)
    trials = study("race").get_trials()
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 3 + [TrialState.FAIL]
    assert trials[3].user_attrs[SURPLUS_ATTR] and not trials[3].params
    assert [r.number for r in result.trials] == [0, 1, 2], "the surplus trial is no trial of the study's"


def test_a_worker_that_gave_way_takes_over_when_a_counted_trial_dies(iris_csv):
    manual = {"n_neighbors": 7, "weights": "distance"}
    setup = SearchSetup.from_json(knn_random(iris_csv, 2, manual=[manual]))
    a = Search(setup, study_name="takeover", shared=True)
    other = Search(setup, study_name="takeover", shared=True).study
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    ask = a.study.ask
    held = []

    def ask_after_others():
        if not held:
            # Two other workers ask first: one takes the manual point and dies, one runs a trial.
            orphan = other.ask()
            orphan.set_user_attr(OWNER_ATTR, worker_id(int(dead.stdout)))
            held.extend([orphan, other.ask()])
            held[1].set_user_attr(OWNER_ATTR, worker_id())
        return ask()

    def should_stop():
        # Called while A waits for the others: the live one finishes now.
        if held and held[1].number not in {t.number for t in other.get_trials(states=(TrialState.COMPLETE,))}:
            other.tell(held[1], 0.5)
        return False

    a.study.ask = ask_after_others
    result = a.run(should_stop=should_stop)
    assert (result.stop_reason, result.new_trials) == ("budget", 1)
    trials = study("takeover").get_trials()
    assert trials[2].user_attrs[SURPLUS_ATTR], "A's first trial came after the two others and gave way"
    assert trials[0].state == TrialState.FAIL and trials[0].user_attrs[TRIAL_ATTR]["error"] == DEAD_WORKER_ERROR
    kept = counted("takeover")
    assert [(t.number, t.state) for t in kept] == [(1, TrialState.COMPLETE), (3, TrialState.COMPLETE)]
    assert kept[1].params == manual, "A ran the dead worker's queued point itself"


def test_a_worker_killed_mid_fit_fails_its_trial_and_the_search_finishes_its_budget(medium_csv):
    # 150 trees on 2,000 rows: a second or more per trial, so a kill lands inside a fit.
    pool = WorkerPool(2)
    events: list = []
    try:
        pool.submit(Job(setup=forest(medium_csv, [150, 151, 152, 153], trials=5), base_dir=None,
                        study_name="kill-worker", storage=None))
        victim = wait_for(lambda: [t for t in running_trials("kill-worker") if t.user_attrs.get(OWNER_ATTR)],
                          pool=pool, events=events)[0]
        pid = int(victim.user_attrs[OWNER_ATTR].rpartition(":")[2])
        assert pid != os.getpid()
        os.kill(pid, signal.SIGKILL)
        events += drive(pool)
    finally:
        pool.close()
    assert events[-1][:2] == ("done", "budget")
    trials = {t.number: t for t in study("kill-worker").get_trials()}
    killed = trials[victim.number]
    assert killed.state == TrialState.FAIL
    assert "ended unexpectedly" in killed.user_attrs[TRIAL_ATTR]["error"]
    assert sum(t.state.is_finished() for t in trials.values()) == 5
    assert not [t for t in trials.values() if t.state == RUNNING]
    relayed = {e[1].number: e[1] for e in events if e[0] == "trial"}
    assert relayed[victim.number].state == "failed", "the window hears of the killed trial too"


def test_a_trial_over_its_time_limit_is_ended_and_the_search_goes_on(slow_csv):
    # The grid's first point (4000 trees on 20,000 rows) runs for minutes; the limit ends it after 10 s,
    # which the small forests meet even on a loaded machine (a replaced worker reads the data again).
    pool = WorkerPool(1)
    try:
        pool.submit(Job(setup=forest(slow_csv, [4000, 5, 6], strategy="grid"), base_dir=None,
                        study_name="trial-timeout", storage=None, trial_timeout_s=10))
        events = drive(pool)
    finally:
        pool.close()
    assert events[-1][:2] == ("done", "grid complete")
    trials = study("trial-timeout").get_trials()
    by_trees = {t.params["n_estimators"]: t for t in trials}
    assert by_trees[4000].state == TrialState.FAIL
    assert by_trees[4000].user_attrs[TRIAL_ATTR]["error"] == "timeout after 10 s (the fit was ended)"
    assert by_trees[5].state == by_trees[6].state == TrialState.COMPLETE
    assert len(trials) == 3, "a timed-out point is not queued again"


def test_stop_ends_every_worker_even_mid_fit_and_leaves_no_trial_running(slow_csv):
    pool = WorkerPool(2)
    events: list = []
    try:
        pool.submit(Job(setup=forest(slow_csv, [4000], trials=10), base_dir=None, study_name="stop2",
                        storage=None))
        wait_for(lambda: len(running_trials("stop2")) == 2, timeout=180, pool=pool, events=events)
        began = time.monotonic()
        killed = pool.stop(grace_s=1.5)
        took = time.monotonic() - began
        events += pool.poll()
    finally:
        pool.close()
    print(f"Stop with two workers mid-fit took {took:.2f} s")
    assert killed, "the fits returned on their own, so this test measured nothing"
    assert took < 10, "a functional bound: Stop must not wait for the fits"
    assert not any(slot.process.is_alive() for slot in pool._slots)
    trials = study("stop2").get_trials()
    assert len(trials) == 2 and all(t.state == TrialState.FAIL for t in trials)
    assert all(t.user_attrs[TRIAL_ATTR]["error"] == INTERRUPTED_ERROR for t in trials)
    assert sorted(r.number for r in pool.interrupted) == [0, 1]


def test_stale_trials_of_dead_processes_are_failed_and_live_ones_left_alone(iris_csv):
    storage = open_storage(None, "stale")
    s = optuna.create_study(study_name="stale", storage=storage)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    dead_pid = int(dead.stdout)
    s.enqueue_trial({"x": 1.0}, user_attrs={QUEUED_ATTR: "grid"})
    orphan = s.ask()  # the grid point a dead process was running
    orphan.set_user_attr(OWNER_ATTR, worker_id(dead_pid))
    live = s.ask()
    live.set_user_attr(OWNER_ATTR, worker_id())
    # This process is alive, so a lagging heartbeat (a laptop that slept) does not fail its trial.
    live.set_user_attr(HEARTBEAT_ATTR, time.time() - JOURNAL_GRACE_S - 5)
    silent = s.ask()  # another machine's trial whose heartbeat stopped long ago
    silent.set_user_attr(OWNER_ATTR, "elsewhere:1")
    silent.set_user_attr(HEARTBEAT_ATTR, time.time() - JOURNAL_GRACE_S - 5)
    beating = s.ask()
    beating.set_user_attr(OWNER_ATTR, "elsewhere:2")
    beating.set_user_attr(HEARTBEAT_ATTR, time.time())

    assert sorted(fail_stale_trials(s)) == [orphan.number, silent.number]
    states = {t.number: t.state for t in s.get_trials()}
    assert states[orphan.number] == states[silent.number] == TrialState.FAIL
    assert states[live.number] == states[beating.number] == RUNNING
    assert s.get_trials()[orphan.number].user_attrs[TRIAL_ATTR]["error"] == DEAD_WORKER_ERROR
    waiting = s.get_trials(states=(TrialState.WAITING,))
    assert [w.system_attrs["fixed_params"] for w in waiting] == [{"x": 1.0}], "the orphan's grid point is queued again"
    assert fail_stale_trials(s) == [], "a second look finds nothing more"


def test_sigkill_of_hpgui_run_then_resume_keeps_finished_trials_and_finishes_the_grid(medium_csv, tmp_path):
    values = [100, 110, 120, 130, 140, 150]
    setup = forest(medium_csv, values, strategy="grid")
    setup_path = tmp_path / "setup.json"
    setup_path.write_text(json.dumps(setup))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "hpgui.cli", "run", str(setup_path), "--study", "killed-run", "--quiet",
               "--out", str(tmp_path / "out")]
    run = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def some_done_and_one_running():
            try:
                trials = study("killed-run").get_trials()
            except KeyError:
                return False
            done = [t for t in trials if t.state == TrialState.COMPLETE]
            return len(done) >= 2 and any(t.state == RUNNING and t.user_attrs.get(OWNER_ATTR) for t in trials)

        wait_for(some_done_and_one_running, timeout=180)
        os.kill(run.pid, signal.SIGKILL)
        run.wait(10)
    finally:
        if run.poll() is None:
            run.kill()
    before = study("killed-run").get_trials()
    kept = {t.number: t.value for t in before if t.state == TrialState.COMPLETE}
    interrupted = [t.number for t in before if t.state == RUNNING]
    assert len(interrupted) == 1

    resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    after = {t.number: t for t in study("killed-run").get_trials()}
    assert {n: after[n].value for n in kept} == kept, "finished trials are kept as they were"
    assert after[interrupted[0]].state == TrialState.FAIL
    assert after[interrupted[0]].user_attrs[TRIAL_ATTR]["error"] == DEAD_WORKER_ERROR
    complete = Counter(t.params["n_estimators"] for t in after.values() if t.state == TrialState.COMPLETE)
    assert complete == Counter(values), "every grid point ran exactly once"
    assert not [t for t in after.values() if t.state in (RUNNING, TrialState.WAITING)]


def test_worker_processes_end_when_hpgui_run_is_killed_and_their_trials_are_recovered(slow_csv, tmp_path):
    setup_path = tmp_path / "setup.json"
    setup_path.write_text(json.dumps(forest(slow_csv, [4000], trials=4)))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.Popen([sys.executable, "-m", "hpgui.cli", "run", str(setup_path), "--workers", "2", "--study",
                            "killed-pool", "--quiet", "--out", str(tmp_path / "out")], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def both_running():
            owned = [t for t in running_trials("killed-pool") if t.user_attrs.get(OWNER_ATTR)]
            return owned if len(owned) == 2 else None

        running = wait_for(both_running, timeout=180)
        children = {int(t.user_attrs[OWNER_ATTR].rpartition(":")[2]) for t in running}
        os.kill(run.pid, signal.SIGKILL)
        run.wait(10)
    finally:
        if run.poll() is None:
            run.kill()

    def gone(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z"

    wait_for(lambda: all(gone(pid) for pid in children), timeout=30)  # orphans notice and end themselves
    s = study("killed-pool")
    assert sorted(fail_stale_trials(s)) == sorted(t.number for t in running)
    assert not s.get_trials(states=(RUNNING,))
