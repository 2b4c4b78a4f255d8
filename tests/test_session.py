"""The rules of the study on screen, without a display: hpgui.core.session."""

from __future__ import annotations

import dataclasses

import pytest

from hpgui.core.records import TrialRecord
from hpgui.core.session import Mode, Session, StudyContext, StudyRef
from hpgui.core.setup import SearchSetup
from tests_support import EXAMPLES, ROOT


def record(number: int, state: str = "complete", value: float | None = None) -> TrialRecord:
    if value is None and state == "complete":
        value = 0.5 + number / 100
    return TrialRecord(number=number, state=state, value=value, params={"C": 1.0})


@pytest.fixture
def setup() -> SearchSetup:
    loaded = SearchSetup.load(ROOT / "examples" / "iris-svm-grid.json")
    return dataclasses.replace(loaded, data=dataclasses.replace(loaded.data, path=str(EXAMPLES / "iris.csv")))


@pytest.fixture
def random_setup(tmp_path) -> SearchSetup:
    """The penguins example: a random search (not a grid) with a trial budget."""
    return SearchSetup.load(EXAMPLES / "penguins-setup.json")


class Recorder:
    """Every event a session emits, in order, as (name, args)."""

    def __init__(self, session: Session):
        self.seen: list[tuple[str, tuple]] = []
        for name in ("reset", "trials_added", "mode_changed", "status", "renamed", "changed"):
            getattr(session.events, name).connect(lambda *args, n=name: self.seen.append((n, args)))

    def names(self) -> list[str]:
        return [n for n, _ in self.seen]


def shown(session: Session, setup: SearchSetup, records=(), name="s1", storage=None) -> StudyRef:
    study = StudyRef(name, storage)
    session.show(study, StudyContext.of(setup, "classification"), records, setup=setup)
    return study


def test_showing_a_study_resets_the_store_and_says_so(setup):
    session = Session()
    seen = Recorder(session)
    shown(session, setup, [record(0), record(1)])
    assert session.study == StudyRef("s1")
    assert len(session.store) == 2 and session.store.best.number == 1
    assert session.store.param_names == list(session.context.names) and "C" in session.context.names
    reset = [args for n, args in seen.seen if n == "reset"]
    assert len(reset) == 1 and reset[0][0].metric.name == "accuracy"
    assert seen.names().index("reset") < seen.names().index("trials_added")


def test_a_new_dataset_clears_the_study_on_screen(setup, tmp_path):
    session = Session()
    shown(session, setup, [record(0), record(1)])
    seen = Recorder(session)
    assert session.data_loaded(tmp_path / "other.csv") is False
    assert session.study is None and session.setup is None and len(session.store) == 0
    assert session.store.best is None
    assert ("reset", (None,)) in seen.seen
    assert not session.can_export and not session.can_export_trials


def test_the_data_file_of_a_stored_study_just_shown_keeps_it(setup):
    session = Session()

    class Loaded:  # what library.load_study returns, as far as the session reads it
        class info:
            name, task = "stored", "classification"
        param_names = ["C", "kernel", "gamma"]
        records = [record(0), record(1)]

    Loaded.setup = setup
    Loaded.metric = StudyContext.of(setup, "classification").metric
    session.show_loaded(Loaded, None, data_follows=True)
    assert session.data_loaded(setup.data_path) is True
    assert session.study == StudyRef("stored") and len(session.store) == 2
    # Only that one load belongs to it: opening the same file again is a new start.
    assert session.data_loaded(setup.data_path) is False
    assert session.study is None


def test_opening_a_setup_file_forgets_a_pending_study_data_load(setup):
    session = Session()

    class Loaded:
        class info:
            name, task = "stored", "classification"
        param_names = ["C"]
        records = [record(0)]

    Loaded.setup = setup
    Loaded.metric = StudyContext.of(setup, "classification").metric
    session.show_loaded(Loaded, None, data_follows=True)
    session.setup_opened()
    assert session.data_loaded(setup.data_path) is False
    assert session.study is None


def test_nothing_clears_the_study_while_its_search_runs(setup, tmp_path):
    session = Session()
    study = StudyRef("run")
    assert session.begin_run(study, StudyContext.of(setup, "classification"), setup)
    session.add_trials([record(0)])
    assert session.clear() is False
    assert session.data_loaded(tmp_path / "x.csv") is True
    assert session.study == study and len(session.store) == 1
    assert session.begin_run(StudyRef("other"), StudyContext.of(setup, "classification"), setup) is False


def test_a_finished_trial_never_runs_again(setup):
    session = Session()
    shown(session, setup, [record(0), record(1, "running", None)])
    session.add_trials([record(1)])
    # A poll that read trial 1 before it finished arrives late: it stays finished.
    assert session.add_trials([record(1, "running", None), record(2, "running", None)]) == 1
    states = [r.state for r in session.store.records]
    assert states == ["complete", "complete", "running"]


def test_trials_for_a_study_no_longer_on_screen_are_dropped(setup):
    session = Session()
    shown(session, setup, [record(0)], name="a")
    assert session.add_trials([record(1)], study=StudyRef("b")) == 0
    assert session.add_trials([record(1)], study=StudyRef("a")) == 1
    assert len(session.store) == 2


def test_mode_follows_running_watching_and_opening(setup):
    session = Session()
    seen = Recorder(session)
    assert session.mode is Mode.IDLE
    shown(session, setup, name="w")
    session.set_watching(True)
    assert session.mode is Mode.WATCHING and session.live
    # Start while watching joins the watched study: both go on.
    target = session.join_target()
    assert target == (StudyRef("w"), setup)
    session.begin_run(*target[:1], StudyContext.of(setup, "classification"), setup)
    assert session.mode is Mode.RUNNING and session.watching
    session.end_run("budget")
    assert session.mode is Mode.WATCHING
    session.set_watching(False)
    assert session.mode is Mode.IDLE and not session.live
    changes = [args for n, args in seen.seen if n == "mode_changed"]
    assert [(new.value, old.value) for new, old in changes] == [
        ("watching", "idle"), ("running", "watching"), ("watching", "running"), ("idle", "watching")]


def test_clearing_stops_watching_and_opening(setup):
    session = Session()
    shown(session, setup)
    session.set_watching(True)
    session.set_opening(True)
    assert session.mode is Mode.OPENING
    session.clear()
    assert session.mode is Mode.IDLE and not session.watching and not session.opening


def test_starting_a_new_study_does_not_keep_watching_the_old_one(setup):
    session = Session()
    shown(session, setup, name="watched")
    session.set_watching(True)
    session.begin_run(StudyRef("new"), StudyContext.of(setup, "classification"), setup)
    assert session.running and not session.watching


def test_rename_and_delete_of_the_study_on_screen(setup):
    session = Session()
    seen = Recorder(session)
    shown(session, setup, [record(0)], name="old", storage="sqlite:///x.db")
    assert session.renamed(None, "old", "new") is False  # another storage: another study
    assert session.renamed("sqlite:///x.db", "old", "new") is True
    assert session.study == StudyRef("new", "sqlite:///x.db")
    assert ("renamed", ("old", "new")) in seen.seen
    assert session.can_export
    assert session.forget("sqlite:///x.db", "old") is False
    assert session.forget("sqlite:///x.db", "new") is True
    assert len(session.store) == 1, "its trials stay on screen"
    assert not session.can_export and "no setup" in session.export_blocker()


def test_what_may_be_exported(setup):
    session = Session()
    shown(session, setup, [record(0, "failed", None)])
    assert not session.can_export and "No trial has completed" in session.export_blocker()
    assert session.can_export_trials
    session.add_trials([record(1)])
    assert session.can_export
    session.begin_run(StudyRef("s1"), StudyContext.of(setup, "classification"), setup)
    session.add_trials([record(0)])
    assert not session.can_export and "Wait until" in session.export_blocker()


def test_busy_with_names_what_the_window_does_with_a_study(setup):
    session = Session()
    shown(session, setup, name="a")
    assert session.busy_with(None, "a") is None
    session.set_watching(True)
    assert session.busy_with(None, "a") == "watching" and session.busy_with(None, "b") is None
    session.begin_run(StudyRef("a"), StudyContext.of(setup, "classification"), setup)
    assert session.busy_with(None, "a") == "running"


def test_widen_and_continue_applies_only_to_a_finished_non_grid_study(setup, random_setup):
    session = Session()
    assert "no study" in session.widen_blocker()
    shown(session, setup, [record(0)])
    assert "grid" in session.widen_blocker()
    study = StudyRef("r")
    session.begin_run(study, StudyContext.of(random_setup, "classification"), random_setup)
    assert "Wait until" in session.widen_blocker()
    session.run_started_with([record(0), record(1), record(2)])
    session.add_trials([record(n) for n in range(3, 3 + random_setup.budget.trials - 3)])
    session.end_run("budget")
    assert session.widen_blocker() is None
    budget = random_setup.budget.trials
    # As many again as the last run added (budget - 3), over the whole study.
    assert session.widened_budget() == len(session.store) + budget - 3


def test_end_run_says_why_and_what_was_found(setup):
    session = Session()
    said = []
    session.events.status.connect(said.append)
    session.begin_run(StudyRef("s"), StudyContext.of(setup, "classification"), setup)
    session.add_trials([record(0), record(1, value=0.9)])
    text = session.end_run("budget")
    assert said[-1] == text
    assert text.startswith("Finished (the trial budget is spent): 2 trials; best Accuracy 0.9 (trial 1)")
    assert "all failed" in session.end_run("failed")


def test_watch_status_names_the_storage_without_its_password(setup):
    session = Session()
    shown(session, setup, name="w", storage="postgresql://ana:secret@db/hp")
    session.set_watching(True)
    said = []
    session.events.status.connect(said.append)
    session.watch_update(total=12)
    session.watch_update(problem="OperationalError: timeout")
    assert said[0] == "Watching study w at postgresql://ana:***@db/hp — 12 trials"
    assert "does not answer" in said[1] and "secret" not in "".join(said)


def test_resuming_a_study_whose_data_is_still_loading_keeps_it_when_the_data_arrives(setup):
    session = Session()

    class Loaded:
        class info:
            name, task = "stored", "classification"
        param_names = ["C"]
        records = [record(0)]

    Loaded.setup = setup
    Loaded.metric = StudyContext.of(setup, "classification").metric
    session.show_loaded(Loaded, None, data_follows=True)
    # Resume starts (and here ends) its search before the forms have read its file.
    session.begin_run(StudyRef("stored"), StudyContext.of(setup, "classification"), setup)
    session.end_run("budget")
    assert session.data_loaded(setup.data_path) is True
    assert session.study == StudyRef("stored")


def test_a_running_trial_shows_its_fold_and_the_estimate_moves_with_it(tmp_path):
    import time as time_module

    from hpgui.core.metrics import get_metric
    from hpgui.core.records import TrialRecord
    from hpgui.core.session import Session, StudyContext, StudyRef
    from hpgui.core.setup import SearchSetup

    setup = SearchSetup.from_json({"format": "hpgui-setup/1", "data": {"path": str(tmp_path / "x.csv"),
                                                                       "target": "y"},
                                   "model": "knn", "budget": {"trials": 4}})
    session = Session()
    session.begin_run(StudyRef("s"), StudyContext((), {}, get_metric("accuracy")), setup)
    session.run_started -= 10.0  # ten seconds into the run
    session.trial_step(0, 0, 0)
    assert [r.state for r in session.store.records] == ["running"]
    assert session.remaining() is None  # nothing done yet: no pace to go by
    session.trial_step(0, 2, 4)
    assert session.step_text(0) == "fold 3/4" and "trial 0: fold 3/4" in session.running_text()
    # Half of one trial of four in ten seconds: 1/8 done, 70 s to go.
    assert session.remaining() == pytest.approx(70, abs=1)
    session.add_trials([TrialRecord(0, "complete", 0.9, {})])
    assert session.steps == {} and session.store.count("running") == 0
    # Paused: neither the elapsed time nor the estimate runs on.
    session.set_paused(True)
    before = session.active_elapsed(), session.remaining()
    time_module.sleep(0.2)
    assert session.active_elapsed() == pytest.approx(before[0], abs=0.01)
    assert session.remaining() == pytest.approx(before[1], abs=0.05)
    session.set_paused(False)
