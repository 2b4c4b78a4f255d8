"""A trial reaches the journal file in three appends, and nothing it records is lost or reordered."""

from __future__ import annotations

import optuna

from hpgui.core.journal_batch import BatchingBackend
from hpgui.core.records import TRIAL_ATTR
from hpgui.core.recovery import OWNER_ATTR, worker_id
from hpgui.core.runner import Search
from hpgui.core.storage import journal_path, open_storage
from tests_support import iris_setup

THREE = {"max_depth": {"type": "int", "low": 1, "high": 6},
         "min_samples_leaf": {"type": "int", "low": 1, "high": 10},
         "criterion": {"type": "categorical", "choices": ["gini", "entropy"]}}


def _lines(name: str) -> int:
    return len(journal_path(name).read_text().splitlines())


def test_a_trial_is_three_appends_whatever_its_number_of_hyperparameters(iris_csv):
    search = Search(iris_setup(iris_csv, trials=4, space=THREE), study_name="batched")
    backend = search.study._storage._backend
    assert isinstance(backend, BatchingBackend)
    before_appends, before_lines = backend.appends, _lines("batched")
    result = search.run()
    assert len(result.trials) == 4
    # create; owner + 3 values; result attribute + state: 7 records in 3 appends per trial.
    assert backend.appends - before_appends == 3 * 4
    assert _lines("batched") - before_lines == 7 * 4

    fresh = optuna.load_study(study_name="batched", storage=open_storage(None, "batched"))
    for trial in fresh.get_trials():
        assert trial.state.name == "COMPLETE"
        assert set(trial.params) == set(THREE)
        assert trial.user_attrs[OWNER_ATTR] == worker_id()
        assert len(trial.user_attrs[TRIAL_ATTR]["folds"]) == 3


def test_owner_and_values_are_on_disk_before_the_fit_starts(iris_csv, monkeypatch):
    search = Search(iris_setup(iris_csv, trials=1, space=THREE), study_name="visible")
    seen = {}
    evaluate = search.evaluate

    def look_first(params, on_fold=None):
        # Another process reading the journal now (a supervisor, a worker that takes over) sees them.
        other = optuna.load_study(study_name="visible", storage=open_storage(None, "visible"))
        running = [t for t in other.get_trials() if t.state.name == "RUNNING"]
        seen["owner"] = running[0].user_attrs.get(OWNER_ATTR)
        seen["params"] = dict(running[0].params)
        return evaluate(params, on_fold)

    monkeypatch.setattr(search, "evaluate", look_first)
    result = search.run()
    assert seen["owner"] == worker_id()
    assert seen["params"] == result.trials[0].params


def test_a_failing_trial_keeps_its_error_and_values(iris_csv, monkeypatch):
    search = Search(iris_setup(iris_csv, trials=2, space=THREE), study_name="fails")

    def broken(params, on_fold=None):
        raise ValueError("no fit today")

    monkeypatch.setattr(search, "evaluate", broken)
    try:
        search.run()
    except Exception:  # noqa: BLE001 - every trial failed; what matters is what was stored
        pass
    fresh = optuna.load_study(study_name="fails", storage=open_storage(None, "fails"))
    trials = fresh.get_trials()
    assert trials and all(t.state.name == "FAIL" for t in trials)
    assert all("no fit today" in t.user_attrs[TRIAL_ATTR]["error"] for t in trials)
    assert all(set(t.params) == set(THREE) for t in trials)


def test_a_write_from_another_thread_sends_the_held_records_first(tmp_path):
    from optuna.storages.journal import JournalFileBackend

    class Recording:
        def __init__(self):
            self.calls = []

        def append_logs(self, logs):
            self.calls.append([log["n"] for log in logs])

        def read_logs(self, start):
            return iter(())

    inner = Recording()
    batch = BatchingBackend(inner)
    import threading

    with batch.holding():
        batch.append_logs([{"n": 1}])
        batch.append_logs([{"n": 2}])
        worker = threading.Thread(target=batch.append_logs, args=([{"n": 3}],))
        worker.start()
        worker.join()
    batch.append_logs([{"n": 4}])
    assert inner.calls == [[1, 2, 3], [4]]
    assert isinstance(BatchingBackend(JournalFileBackend(str(tmp_path / "j.journal"))).inner, JournalFileBackend)
