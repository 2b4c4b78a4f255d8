"""Snapshots of large studies: reopening without a replay, and never trusting a stale or damaged one."""

from __future__ import annotations

import dataclasses
import json

import optuna
import pytest
from optuna.trial import TrialState, create_trial

from hpgui.core import library, snapshot, study_edit
from hpgui.core.library import LoadCancelled, list_studies, load_study
from hpgui.core.records import ATTR_SETUP, TRIAL_ATTR
from hpgui.core.storage import journal_path, open_storage
from test_library import run


@pytest.fixture(autouse=True)
def small_studies_get_snapshots(monkeypatch):
    monkeypatch.setattr(snapshot, "MIN_TRIALS", 1)


def no_replay(monkeypatch):
    """Make any replay of a journal fail the test: what follows must come from the snapshot."""
    def refuse(*args, **kwargs):
        raise AssertionError("the journal was replayed")

    monkeypatch.setattr(library, "_open_study", refuse)
    monkeypatch.setattr(library, "_open", refuse)


def add_trial(name, number_hint, value, folds):
    study = optuna.load_study(study_name=name, storage=open_storage(None, name))
    study.add_trial(create_trial(state=TrialState.COMPLETE, value=value, params={"max_depth": 2},
                                 distributions={"max_depth": optuna.distributions.IntDistribution(1, 6)},
                                 user_attrs={TRIAL_ATTR: {"folds": folds, "std": 0.01, "train": value + 0.01}}))
    return study


def same_info(a, b):
    return {k: v for k, v in dataclasses.asdict(a).items()} == {k: v for k, v in dataclasses.asdict(b).items()}


def test_a_study_reopens_from_its_snapshot_exactly_as_read(iris_csv, monkeypatch):
    monkeypatch.setattr(snapshot, "CHUNK", 3)  # two lines of trials
    run(iris_csv, "snap", trials=4)
    first = load_study(None, "snap")
    path = snapshot.snapshot_path(journal_path("snap"), "snap")
    assert len(path.read_bytes().splitlines()) == 3  # the header and two lines of trials
    no_replay(monkeypatch)
    again = load_study(None, "snap")
    assert again.records == first.records  # every field of every trial, dates and fold scores included
    assert again.records[0].folds and again.records[0].started is not None
    assert same_info(again.info, first.info)
    assert again.setup.to_json() == first.setup.to_json() and again.param_names == first.param_names
    assert again.metric == first.metric
    # The library lists it from the snapshot too.
    library._CACHE.clear()
    [info] = list_studies()
    assert same_info(info, first.info)


def test_trials_added_or_changed_after_the_snapshot_are_seen(iris_csv):
    run(iris_csv, "grows", trials=3)
    assert len(load_study(None, "grows").records) == 3
    study = add_trial("grows", 3, 0.99, [0.98, 0.99, 1.0])
    loaded = load_study(None, "grows")
    assert [r.number for r in loaded.records] == [0, 1, 2, 3]
    assert loaded.records[3].value == 0.99 and loaded.records[3].folds == [0.98, 0.99, 1.0]
    assert loaded.info.best == 0.99 and loaded.info.counts["complete"] == 4
    # A change that leaves the trials alone (the stored setup, as "widen and continue" rewrites it) is seen.
    setup = dict(study.user_attrs[ATTR_SETUP])
    setup["budget"] = {"trials": 40}
    study.set_user_attr(ATTR_SETUP, setup)
    assert load_study(None, "grows").setup.budget.trials == 40
    # ... and the snapshot written for that last read holds it.
    assert snapshot.read_header(journal_path("grows"), "grows")["setup"]["budget"] == {"trials": 40}
    assert len(snapshot.read(journal_path("grows"), "grows").records) == 4


def damage_payload(path):
    head, payload = path.read_bytes().split(b"\n", 1)
    path.write_bytes(head + b"\n" + payload.replace(b'"complete"', b'"failed"', 1))


def damage_count(path):
    head, payload = path.read_bytes().split(b"\n", 1)
    header = json.loads(head)
    header["trials"] += 1
    path.write_bytes(json.dumps(header).encode() + b"\n" + payload)


@pytest.mark.parametrize("damage", [
    lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),  # cut off
    lambda p: p.write_bytes(b"\x00garbage\n"),                           # not JSON
    damage_payload,                                                       # edited: fails the checksum
    damage_count,                                                         # header and trials disagree
    lambda p: p.write_text(p.read_text().replace(snapshot.FORMAT, "hpgui-study-snapshot/0", 1)),
])
def test_a_damaged_snapshot_is_ignored_and_replaced(iris_csv, damage):
    run(iris_csv, "damaged", trials=3)
    good = load_study(None, "damaged")
    path = snapshot.snapshot_path(journal_path("damaged"), "damaged")
    damage(path)
    assert snapshot.read(journal_path("damaged"), "damaged") is None
    assert load_study(None, "damaged").records == good.records
    assert snapshot.read(journal_path("damaged"), "damaged") is not None  # written again


def test_no_snapshot_for_a_small_or_running_study(iris_csv, monkeypatch):
    run(iris_csv, "tiny", trials=2)
    monkeypatch.setattr(snapshot, "MIN_TRIALS", 3)
    load_study(None, "tiny")
    assert not snapshot.snapshot_path(journal_path("tiny"), "tiny").exists()
    monkeypatch.setattr(snapshot, "MIN_TRIALS", 1)
    study = optuna.load_study(study_name="tiny", storage=open_storage(None, "tiny"))
    study.ask()  # a trial running (in this live process, so nothing fails it)
    monkeypatch.setattr(library, "_recover", lambda study: [])
    assert [r.state for r in load_study(None, "tiny").records][-1] == "running"
    assert not snapshot.snapshot_path(journal_path("tiny"), "tiny").exists()


def test_delete_and_rename_take_the_snapshot_along(iris_csv):
    run(iris_csv, "old-name", trials=2)
    load_study(None, "old-name")
    study_edit.rename_study(None, "old-name", "new-name")
    assert not list(journal_path("old-name").parent.glob("*.snapshot.json"))
    assert [r.number for r in load_study(None, "new-name").records] == [0, 1]
    study_edit.delete_study(None, "new-name")
    assert not list(journal_path("new-name").parent.glob("*.snapshot.json"))


def test_reading_reports_progress_and_can_be_cancelled(iris_csv):
    run(iris_csv, "slow", trials=3)
    heard = []
    load_study(None, "slow", progress=lambda fraction, text: heard.append((fraction, text)))
    assert heard[0] == (0.0, "Reading study slow…")
    assert any(text.startswith("Reading slow.journal (0 MB): ") for _, text in heard)
    assert any("snapshot" in text for _, text in heard)
    snapshot.remove_all(journal_path("slow"))

    def cancel_in_the_replay(fraction, text):
        if text.startswith("Reading slow.journal (0 MB): "):
            raise LoadCancelled

    with pytest.raises(LoadCancelled):
        load_study(None, "slow", progress=cancel_in_the_replay)
    assert not snapshot.snapshot_path(journal_path("slow"), "slow").exists()
    assert len(load_study(None, "slow").records) == 3  # nothing was written to the study


def test_a_finished_search_can_keep_its_snapshot_so_the_first_open_skips_the_replay(iris_csv, monkeypatch):
    run(iris_csv, "ended", trials=3)
    assert library.keep_snapshot(None, "ended", 3) is True
    assert snapshot.read_header(journal_path("ended"), "ended")["trials"] == 3
    assert library.keep_snapshot(None, "ended", 3) is True  # already current: nothing read again
    no_replay(monkeypatch)
    assert [r.number for r in load_study(None, "ended").records] == [0, 1, 2]


def test_no_snapshot_is_kept_for_a_small_study_or_another_storage(iris_csv, tmp_path, monkeypatch):
    monkeypatch.setattr(snapshot, "MIN_TRIALS", 4)
    run(iris_csv, "few", trials=3)
    assert library.keep_snapshot(None, "few", 3) is False
    assert not snapshot.snapshot_path(journal_path("few"), "few").exists()
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    run(iris_csv, "in-db", storage=url, trials=4)
    assert library.keep_snapshot(url, "in-db", 4) is False
    assert library.keep_snapshot(None, "never-made", 4) is False


def test_hpgui_run_leaves_a_large_study_with_its_snapshot(iris_csv, tmp_path, monkeypatch):
    from hpgui import cli

    setup = tmp_path / "setup.json"
    setup.write_text(json.dumps({"format": "hpgui-setup/1", "data": {"path": str(iris_csv), "target": "species"},
                                 "model": "decision_tree", "strategy": {"name": "random", "seed": 1},
                                 "budget": {"trials": 3}}))
    monkeypatch.setattr(snapshot, "MIN_TRIALS", 3)
    assert cli.main(["run", str(setup), "--study", "from-cli", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert snapshot.read_header(journal_path("from-cli"), "from-cli")["trials"] == 3
    monkeypatch.setattr(snapshot, "MIN_TRIALS", 4)
    assert cli.main(["run", str(setup), "--study", "small", "--out", str(tmp_path / "out2"), "--quiet"]) == 0
    assert not snapshot.snapshot_path(journal_path("small"), "small").exists()
