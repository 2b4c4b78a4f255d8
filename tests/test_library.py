"""The study library on real studies made by short searches."""

from __future__ import annotations

import math

import optuna
import pytest

from hpgui.core import library, study_edit
from hpgui.core.best_curve import best_so_far_curve
from hpgui.core.library import LibraryError, list_studies, load_study
from hpgui.core.study_watch import StudyWatcher
from hpgui.core.runner import Search
from hpgui.core.records import TrialRecord
from hpgui.core.setup import SearchSetup
from hpgui.core.storage import journal_path, studies_dir
from tests_support import GRID, iris_setup


def run(csv, name, storage=None, **kwargs):
    search = Search(iris_setup(csv, **kwargs), study_name=name, storage=storage)
    return search.run()


def test_list_shows_model_dataset_counts_best_and_dates(iris_csv):
    random = run(iris_csv, "iris-random", trials=5)
    grid = run(iris_csv, "iris-grid", strategy="grid", trials=4, space=GRID)
    infos = {i.name: i for i in list_studies()}
    assert set(infos) == {"iris-random", "iris-grid"}
    r = infos["iris-random"]
    assert (r.model, r.dataset, r.strategy, r.task) == ("decision_tree", "iris.csv", "random", "classification")
    assert r.made_by_hpgui and r.problem is None and r.budget == 5
    assert r.counts["complete"] == 5 and r.trials == 5
    assert r.best == pytest.approx(random.best.value) and r.best_trial == random.best.number
    assert r.metric_label == "Accuracy" and r.direction == "maximize"
    assert r.created is not None and r.last_trial is not None and r.last_trial >= r.created
    g = infos["iris-grid"]
    # 4 of 6 grid points ran: the two still queued are not trials yet.
    assert g.counts["complete"] == 4 and g.counts["waiting"] == 2 and g.trials == 4
    assert g.best == pytest.approx(grid.best.value)


def test_minimised_metrics_keep_their_natural_sign(tmp_path, examples):
    import shutil

    csv = tmp_path / "diabetes.csv"
    shutil.copy(examples / "diabetes.csv", csv)
    setup = SearchSetup.from_json({
        "format": "hpgui-setup/1", "data": {"path": str(csv), "target": "progression"},
        "model": "ridge", "strategy": {"name": "random", "seed": 0}, "evaluation": {"folds": 3},
        "metric": "rmse", "budget": {"trials": 4}})
    result = Search(setup, study_name="diabetes-rmse").run()
    info = list_studies()[0]
    assert info.task == "regression" and info.metric_label == "RMSE" and info.direction == "minimize"
    assert info.best == pytest.approx(min(t.value for t in result.trials)) and info.best > 0


def test_broken_and_foreign_studies_are_listed_not_fatal(iris_csv):
    run(iris_csv, "good", trials=2)
    (studies_dir() / "garbage.journal").write_bytes(b"\x00\xffnot a journal\n{]")
    (studies_dir() / "empty.journal").write_bytes(b"")
    foreign = optuna.create_study(study_name="foreign", storage=library._open(None, path=journal_path("foreign")),
                                  direction="minimize")
    foreign.optimize(lambda t: (t.suggest_float("x", -2, 2) - 1) ** 2, n_trials=3)
    infos = {i.name: i for i in list_studies()}
    assert infos["good"].problem is None
    assert "not a readable study journal" in infos["garbage"].problem
    assert "holds no study" in infos["empty"].problem
    f = infos["foreign"]
    assert not f.made_by_hpgui and f.problem is None and f.model is None
    assert f.counts["complete"] == 3 and f.best == pytest.approx(foreign.best_value)
    assert f.metric_label == "Value" and f.direction == "minimize"
    loaded = load_study(None, "foreign")
    assert loaded.setup is None and "made outside hpgui" in loaded.setup_problem
    assert loaded.param_names == ["x"] and len(loaded.records) == 3


def test_load_gives_setup_and_records_in_order(iris_csv):
    result = run(iris_csv, "loadme", trials=4)
    loaded = load_study(None, "loadme")
    assert loaded.setup.model == "decision_tree" and loaded.setup.budget.trials == 4
    assert loaded.setup.data_path == iris_csv.resolve()
    assert [r.number for r in loaded.records] == [t.number for t in result.trials]
    assert [r.value for r in loaded.records] == [t.value for t in result.trials]
    assert loaded.param_names == ["max_depth", "min_samples_leaf"]
    assert loaded.metric.label == "Accuracy"
    with pytest.raises(LibraryError, match="no study named 'nope'"):
        load_study(None, "nope")


def test_rename_keeps_trials_attributes_and_numbers_and_resumes(iris_csv):
    run(iris_csv, "before", strategy="grid", trials=3, space=GRID)
    old = load_study(None, "before")
    study_edit.rename_study(None, "before", "after")
    assert not journal_path("before").exists() and journal_path("after").exists()
    names = [i.name for i in list_studies()]
    assert names == ["after"]
    new = load_study(None, "after")
    assert [(r.number, r.state, r.value, r.params, r.folds, r.worker) for r in new.records] == \
           [(r.number, r.state, r.value, r.params, r.folds, r.worker) for r in old.records]
    assert new.setup == old.setup
    # The queued grid points came along: resuming the renamed study finishes the grid without repeats.
    result = Search(iris_setup(iris_csv, strategy="grid", trials=None, space=GRID), study_name="after").run()
    assert result.stop_reason == "grid complete" and len(result.trials) == 6
    points = [tuple(sorted(t.params.items())) for t in result.trials]
    assert len(set(points)) == 6
    with pytest.raises(LibraryError, match="already a study named 'after'"):
        run(iris_csv, "other", trials=1)
        study_edit.rename_study(None, "other", "after")


def test_rename_refuses_a_study_with_running_trials(iris_csv):
    run(iris_csv, "busy", trials=1)
    study = library.open_study(None, "busy")
    study.ask()
    with pytest.raises(LibraryError, match="1 of its trials are running"):
        study_edit.rename_study(None, "busy", "quiet")
    assert [i.name for i in list_studies()] == ["busy"]


def test_rename_and_delete_in_a_database_storage(iris_csv, tmp_path):
    url = f"sqlite:///{tmp_path / 'studies.db'}"
    run(iris_csv, "a", storage=url, trials=3)
    run(iris_csv, "b", storage=url, trials=2)
    study_edit.rename_study(url, "a", "a2")
    infos = {i.name: i for i in list_studies(url)}
    assert set(infos) == {"a2", "b"} and infos["a2"].counts["complete"] == 3
    assert [r.number for r in load_study(url, "a2").records] == [0, 1, 2]
    study_edit.delete_study(url, "b")
    assert [i.name for i in list_studies(url)] == ["a2"]
    assert library.study_names(url) == ["a2"]


def test_delete_removes_the_file(iris_csv):
    run(iris_csv, "gone", trials=1)
    run(iris_csv, "kept", trials=1)
    study_edit.delete_study(None, "gone")
    assert not journal_path("gone").exists()
    assert [i.name for i in list_studies()] == ["kept"]


def test_delete_is_refused_while_a_live_worker_runs_a_trial(iris_csv):
    from hpgui.core.recovery import OWNER_ATTR, worker_id
    from hpgui.core.storage import open_storage

    run(iris_csv, "busy", trials=1)
    study = optuna.load_study(study_name="busy", storage=open_storage(None, "busy"))
    trial = study.ask()
    trial.set_user_attr(OWNER_ATTR, worker_id())  # this process: alive, so the trial is really running
    with pytest.raises(LibraryError, match="1 of its trials are running"):
        study_edit.delete_study(None, "busy")
    assert journal_path("busy").exists()


def test_driver_messages_lose_the_password():
    from hpgui.core.library import scrub

    url = "postgresql://ana:pw-123@db/hp"
    assert scrub("auth failed for pw-123 at postgresql://ana:pw-123@db/hp", url) == \
        "auth failed for *** at postgresql://ana:***@db/hp"
    assert scrub("see mysql://bob:x@h/d", None) == "see mysql://bob:***@h/d"


def test_a_bad_url_is_a_clear_error_without_the_password():
    with pytest.raises(LibraryError) as caught:
        list_studies("postgresql://ana:s3cret@127.0.0.1:1/nodb")
    assert "s3cret" not in str(caught.value) and "ana:***@" in str(caught.value)


def test_watcher_reports_only_new_and_changed_trials(iris_csv, tmp_path):
    for url in (None, f"sqlite:///{tmp_path / 'w.db'}"):
        run(iris_csv, "watched", storage=url, trials=2)
        watcher = StudyWatcher(url, "watched")
        assert [r.number for r in watcher.poll()] == [0, 1]
        assert watcher.poll() == []
        study = library.open_study(url, "watched")
        trial = study.ask()
        trial.suggest_int("max_depth", 1, 6)
        assert [(r.number, r.state) for r in watcher.poll()] == [(2, "running")]
        study.tell(trial, 0.5)
        assert [(r.number, r.state, r.value) for r in watcher.poll()] == [(2, "complete", 0.5)]
        assert watcher.total == 3
        watcher.reset()
        assert [r.number for r in watcher.poll()] == [0, 1, 2]


def test_listing_a_hundred_studies_reads_no_journal_the_second_time(iris_csv, monkeypatch):
    from hpgui.core import library

    run(iris_csv, "seed-study", trials=3)
    source = journal_path("seed-study").read_bytes()
    for i in range(99):
        # Same journal under other file names: the listing reads each file as a separate study file.
        (studies_dir() / f"copy-{i:02d}.journal").write_bytes(source)
    opened = []
    real_open = library._open
    monkeypatch.setattr(library, "_open", lambda *a, **k: opened.append(k.get("path")) or real_open(*a, **k))
    first = list_studies()
    assert len(first) == 100 and len(opened) == 100
    opened.clear()
    second = list_studies()
    assert opened == [], "unchanged journals were replayed again"
    assert [(i.name, i.path, i.trials, i.best) for i in second] == [(i.name, i.path, i.trials, i.best) for i in first]
    # A journal that changed is read again, and only that one.
    journal_path("seed-study").write_bytes(source + b"\n")
    list_studies()
    assert opened == [journal_path("seed-study")]


def rec(number, value, state="complete", start=0.0, end=1.0):
    from datetime import datetime, timedelta

    t0 = datetime(2026, 1, 1)
    return TrialRecord(number=number, state=state, value=value, params={},
                       started=t0 + timedelta(seconds=start), finished=t0 + timedelta(seconds=end))


def test_best_so_far_curve_by_number_and_time():
    records = [rec(0, 0.5, end=2), rec(1, None, "failed", 2, 3), rec(2, 0.7, start=3, end=9),
               rec(3, 0.6, start=3, end=5), TrialRecord(number=4, state="running", value=None, params={})]
    curve = best_so_far_curve(records, "maximize")
    assert curve.numbers.tolist() == [0, 1, 2, 3]
    assert curve.best.tolist() == [0.5, 0.5, 0.7, 0.7]
    # Two workers: trial 3 finished before trial 2, so by time 0.6 came first.
    assert curve.time_numbers.tolist() == [0, 1, 3, 2]
    assert curve.elapsed_s.tolist() == [2, 3, 5, 9]
    assert curve.time_best.tolist() == [0.5, 0.5, 0.6, 0.7]
    low = best_so_far_curve([rec(0, None, "failed"), rec(1, 3.0), rec(2, 2.0)], "minimize")
    assert math.isnan(low.best[0]) and low.best[1:].tolist() == [3.0, 2.0]
    assert best_so_far_curve([], "maximize").best.shape == (0,)
    untimed = best_so_far_curve([TrialRecord(0, "complete", 1.0, {})], "maximize")
    assert untimed.best.tolist() == [1.0] and untimed.elapsed_s.shape == (0,)


def test_passwords_split_off_urls_and_go_back_in():
    from hpgui.core import url_secrets
    from hpgui.core.storage import file_storage_url

    assert url_secrets.split("postgresql://ana:s3%2Fcret@db:5432/hp") == ("postgresql://ana@db:5432/hp", "s3/cret")
    assert url_secrets.split("sqlite:///x.db") == ("sqlite:///x.db", None)
    assert url_secrets.join("postgresql://ana@db/hp", "p@ss/word") == "postgresql://ana:p%40ss%2Fword@db/hp"
    assert url_secrets.join("postgresql://ana:old@db/hp", "new") == "postgresql://ana:new@db/hp"
    assert url_secrets.join("postgresql://ana@db/hp", "") == "postgresql://ana@db/hp"
    with pytest.raises(url_secrets.UrlSecretError, match="names no user"):
        url_secrets.join("postgresql://db/hp", "pw")
    assert file_storage_url("/tmp/a/s.journal") == "journal:///tmp/a/s.journal"
    assert file_storage_url("/tmp/a/s.db") == "sqlite:////tmp/a/s.db"


def test_a_study_left_by_a_killed_process_is_listed_with_its_cut_off_trial_failed(iris_csv):
    import socket
    import subprocess
    import sys

    from hpgui.core.recovery import OWNER_ATTR
    from hpgui.core.storage import open_storage

    run(iris_csv, "killed", trials=3)
    # A trial owned by a process of this machine that no longer exists, as SIGKILL leaves it.
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    study = optuna.load_study(study_name="killed", storage=open_storage(None, "killed"))
    trial = study.ask()
    trial.set_user_attr(OWNER_ATTR, f"{socket.gethostname()}:{gone.pid}")
    library._CACHE.clear()

    info = next(i for i in list_studies() if i.name == "killed")

    assert info.counts.get("running", 0) == 0
    assert info.counts["failed"] == 1
    assert info.counts["complete"] == 3
    states = {t.number: t.state.name for t in optuna.load_study(
        study_name="killed", storage=open_storage(None, "killed")).trials}
    assert states[trial.number] == "FAIL"
