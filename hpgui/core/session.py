"""What the window shows, without the window: the study on screen and the rules around it.

A :class:`Session` holds the study on screen (its name and storage), the setup and dataset it
was searched with, its :class:`~hpgui.core.trials.TrialStore`, what is happening to it (a search
runs, the study is watched, it is being read) and the progress of a run. The window and its
dialogs subscribe to its events and ask it; they never write each other's state. This is the
shape of napari's ``ViewerModel``: plain Python state with events, and a Qt layer that only
listens and forwards what the user does.

Events are psygnal signals, so core code stays free of Qt; every method is meant to be called
from one thread (the GUI's), and callbacks run in that thread, before the method returns.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Mapping, Sequence

from psygnal import Signal, SignalGroup

from .baseline import Baseline
from .catalog import ParamSpec
from .metrics import Metric
from .records import TrialRecord
from .setup import SearchSetup
from .space import Hyperparameter
from .url_secrets import mask as redact
from .trials import TrialStore

STOP_REASONS = {
    "budget": "the trial budget is spent",
    "timeout": "the time limit is reached",
    "grid complete": "every grid point is done",
    "converged": "the gradient descent converged",
    "population complete": "every member of the population trained its last round",
    "stopped": "stopped",
    "target reached": "the target score is reached",
    "no improvement": "no improvement within the patience",
    "interrupted": "interrupted",
}


class Mode(str, Enum):
    """What is happening to the study on screen; when several are, the first in this order wins."""

    RUNNING = "running"    # this window's search adds trials
    OPENING = "opening"    # a stored study is being read
    WATCHING = "watching"  # other workers' trials are polled from storage
    IDLE = "idle"


@dataclass(frozen=True)
class StudyRef:
    """A study: its name and where it is stored (None: the embedded default storage)."""

    name: str
    storage: str | None = None

    def label(self) -> str:
        return "the default storage on this computer" if not self.storage else redact(self.storage)


@dataclass(frozen=True)
class StudyContext:
    """What a view needs to draw a study: hyperparameter names in order, their ranges, the metric,
    and the catalogue specs that range advice reads (names with a ``model.`` prefix in a multi-model
    study)."""

    names: tuple[str, ...]
    space: Mapping[str, Hyperparameter]
    metric: Metric
    specs: Mapping[str, ParamSpec] = field(default_factory=dict)

    @staticmethod
    def of(setup: SearchSetup, task: str) -> "StudyContext":
        choice = setup.choice(task)
        from .metrics import get_metric

        return StudyContext(tuple(choice.order), {n: choice.space[n] for n in choice.order},
                            get_metric(setup.metric_for(task)), choice.specs())

    @staticmethod
    def of_loaded(loaded: Any) -> "StudyContext":
        """The context of a study read by ``library.load_study``; without a readable setup its
        hyperparameters are drawn without ranges."""
        setup, task = loaded.setup, loaded.info.task
        space: dict = {}
        specs: dict = {}
        if setup is not None and task is not None:
            try:
                space = setup.space_for(task)
                specs = setup.choice(task).specs()
            except Exception:  # noqa: BLE001 - a model this version does not know: no ranges
                space, specs = {}, {}
        names = tuple(loaded.param_names)
        return StudyContext(names, {n: space[n] for n in names if n in space}, loaded.metric, specs)


class SessionEvents(SignalGroup):
    reset = Signal(object)          # StudyContext of the new study on screen, or None when it was cleared
    trials_added = Signal(int)      # how many records were added or replaced in the store
    mode_changed = Signal(object, object)  # new Mode, old Mode
    status = Signal(str)            # a line for the status bar
    renamed = Signal(str, str)      # old name, new name of the study on screen
    changed = Signal()              # what may be done with the study changed (exported, resumed, widened)
    progress = Signal(object)       # the newest runner.Progress of a running search
    baseline = Signal(object)       # the study's baseline.Baseline (a dummy model's score), or None


class Session:
    """The study on screen and what is happening to it."""

    def __init__(self) -> None:
        self.events = SessionEvents()
        self.store = TrialStore()
        self.study: StudyRef | None = None
        self.context: StudyContext | None = None
        self.setup: SearchSetup | None = None   # what the study searched; None: nothing to export or resume
        self.dataset: Any = None                # the Dataset it ran on, when the window holds it
        self.progress: Any = None
        self.baseline: Baseline | None = None   # what a model that learns nothing scores on its folds
        self.continued_from = 0                 # trials the study held before this run
        self.run_started: float | None = None
        # Trials of this window's search under way: number -> [started (monotonic), folds done, folds].
        self.steps: dict[int, list] = {}
        self.paused_since: float | None = None
        self.paused_total = 0.0
        self.watch_total = 0
        self.watch_problem = ""
        self._running = self._watching = self._opening = False
        self._awaiting_data: tuple[StudyRef, Path] | None = None

    # -- state ---------------------------------------------------------------------------------
    @property
    def mode(self) -> Mode:
        if self._running:
            return Mode.RUNNING
        if self._opening:
            return Mode.OPENING
        if self._watching:
            return Mode.WATCHING
        return Mode.IDLE

    @property
    def running(self) -> bool:
        return self._running

    @property
    def watching(self) -> bool:
        return self._watching

    @property
    def opening(self) -> bool:
        return self._opening

    @property
    def live(self) -> bool:
        """Trials may still arrive: views should redraw on a clock."""
        return self._running or self._watching

    def _set(self, **flags: bool) -> None:
        before = self.mode
        old = (self._running, self._watching, self._opening)
        for name, value in flags.items():
            setattr(self, f"_{name}", bool(value))
        if (self._running, self._watching, self._opening) != old:
            self.events.mode_changed.emit(self.mode, before)
            self.events.changed.emit()

    def is_on_screen(self, storage: str | None, name: str) -> bool:
        return self.study is not None and self.study == StudyRef(name, storage)

    def say(self, text: str) -> None:
        self.events.status.emit(text)

    # -- the study on screen -------------------------------------------------------------------------
    def show(self, study: StudyRef, context: StudyContext, records: Sequence[TrialRecord] = (), *,
             setup: SearchSetup | None = None, dataset: Any = None) -> None:
        """Put a study on screen: the store is emptied, pointed at its metric and hyperparameters, and
        filled with ``records``."""
        self.store.reset(context.metric.direction, context.names)
        self.study, self.context, self.setup, self.dataset = study, context, setup, dataset
        self.progress = None
        self.baseline = None
        if self._awaiting_data is not None and self._awaiting_data[0] != study:
            self._awaiting_data = None  # the data file on its way belonged to the study that left
        self.events.reset.emit(context)
        if records:
            self.store.add(records)
            self.events.trials_added.emit(len(records))
        self.events.changed.emit()

    def clear(self) -> bool:
        """Take the study off screen (its trials stay in storage). Refused while a search runs."""
        if self._running:
            return False
        had = self.study is not None or len(self.store) > 0
        self.study = self.context = self.setup = self.dataset = None
        self.progress = self.baseline = None
        self._awaiting_data = None
        self.store.reset()
        # Watching or reading the study that left makes no sense any more; their owners stop on this.
        self._set(watching=False, opening=False)
        if had:
            self.events.reset.emit(None)
            self.events.changed.emit()
        return True

    def show_loaded(self, loaded: Any, storage: str | None, *, data_follows: bool) -> None:
        """Show a study read by ``library.load_study``. ``data_follows``: the forms are about to read its
        data file, which then belongs to this study instead of replacing it."""
        study = StudyRef(loaded.info.name, storage)
        self.show(study, StudyContext.of_loaded(loaded), loaded.records, setup=loaded.setup)
        self.set_baseline(Baseline.from_json(getattr(loaded, "baseline", None)))
        if data_follows and loaded.setup is not None:
            self._awaiting_data = (study, loaded.setup.data_path.resolve())
        best = self.store.best
        text = f"Study {study.name}: {len(loaded.records)} trials"
        if best is not None:
            text += f"; best {loaded.metric.label} {best.value:.6g} (trial {best.number})"
        self.say(text + ".")

    def data_loaded(self, path: str | Path) -> bool:
        """The forms now hold the data at ``path``. A new dataset resets the study on screen, unless it
        is the file of the stored study just shown (its setup was loaded into the forms). Returns
        whether the study stayed."""
        awaited, self._awaiting_data = self._awaiting_data, None
        if awaited is not None and awaited[0] == self.study and Path(path).resolve() == awaited[1]:
            return True
        return not self.clear()

    def setup_opened(self) -> None:
        """A setup file was opened: its data, when it arrives, starts afresh."""
        self._awaiting_data = None

    def renamed(self, storage: str | None, old: str, new: str) -> bool:
        """A stored study was renamed; the study on screen follows if it was that one."""
        if not self.is_on_screen(storage, old):
            return False
        self.study = StudyRef(new, storage)
        self.events.renamed.emit(old, new)
        return True

    def forget(self, storage: str | None, name: str) -> bool:
        """A stored study was deleted: its trials stay on screen, but nothing is left to export or
        resume."""
        if not self.is_on_screen(storage, name):
            return False
        self.setup = None
        self.events.changed.emit()
        return True

    def busy_with(self, storage: str | None, name: str) -> str | None:
        """'running' or 'watching' when the window uses this stored study (it may not be renamed or
        deleted then), else None."""
        if not self.is_on_screen(storage, name):
            return None
        if self._running:
            return "running"
        if self._watching:
            return "watching"
        return None

    # -- trials ----------------------------------------------------------------------------------------
    def add_trials(self, batch: Sequence[TrialRecord], study: StudyRef | None = None) -> int:
        """Add a batch from the search or from watching. A batch for another study than the one on screen
        is dropped, and a finished trial never runs again: a 'running' record read before this window's
        own search finished that trial is left out."""
        if study is not None and study != self.study:
            return 0
        store = self.store
        fresh = []
        for record in batch:
            if record.state != "running":
                self.steps.pop(record.number, None)
            if record.state == "running":
                index = store.index_of(record.number)
                if index is not None and store[index].state != "running":
                    continue
            fresh.append(record)
        if fresh:
            store.add(fresh)
            self.events.trials_added.emit(len(fresh))
        return len(fresh)

    # -- a search ----------------------------------------------------------------------------------------
    def begin_run(self, study: StudyRef, context: StudyContext, setup: SearchSetup, dataset: Any = None) -> bool:
        """A search starts on ``study``: the store starts empty (a continued study's trials arrive
        first, from the search). Refused while another search runs."""
        if self._running:
            return False
        watching = self._watching and self.study == study
        self.show(study, context, setup=setup, dataset=dataset)
        self.continued_from = 0
        self.run_started = time.monotonic()
        self.steps, self.paused_since, self.paused_total = {}, None, 0.0
        self._set(running=True, watching=watching)
        return True

    def trial_step(self, number: int, done: int, folds: int) -> None:
        """Trial ``number`` of the running search began (``done`` 0) or finished fold ``done`` of ``folds``."""
        now = time.monotonic()
        step = self.steps.setdefault(number, [now, 0, 0])
        if done == 0:
            step[0] = now
            if self.store.index_of(number) is None:
                # A row for it at once: the table shows it running (its values arrive when it finishes).
                from datetime import datetime

                self.add_trials([TrialRecord(number, "running", None, {}, started=datetime.now())])
        step[1], step[2] = done, folds

    def step_text(self, number: int) -> str | None:
        """"fold 2/5" for a trial of this window's search under way, else None."""
        step = self.steps.get(number)
        if step is None:
            return None
        return f"fold {min(step[1] + 1, step[2])}/{step[2]}" if step[2] else "first fold"

    def step_elapsed(self, number: int) -> float | None:
        step = self.steps.get(number)
        return None if step is None else time.monotonic() - step[0]

    def set_paused(self, paused: bool) -> None:
        now = time.monotonic()
        if paused and self.paused_since is None:
            self.paused_since = now
        elif not paused and self.paused_since is not None:
            self.paused_total += now - self.paused_since
            self.paused_since = None

    def active_elapsed(self) -> float | None:
        """Time the search has run, without the time it was paused."""
        elapsed = self.elapsed()
        if elapsed is None:
            return None
        paused = self.paused_total + (time.monotonic() - self.paused_since if self.paused_since is not None else 0.0)
        return max(0.0, elapsed - paused)

    def remaining(self) -> float | None:
        """Seconds left by this run's pace so far (paused time left out), counting the folds the running
        trials finished, so a long first trial moves the estimate; None when it cannot be told yet."""
        active = self.active_elapsed()
        if active is None or self.setup is None or active <= 0:
            return None
        parts = []
        budget, limit = self.setup.budget.trials, self.setup.budget.timeout_s
        if budget:
            todo = budget - self.continued_from
            finished = len(self.store) - self.continued_from - self.store.count("running")
            partial = sum(done / folds for _, done, folds in self.steps.values() if folds)
            if todo > 0:
                parts.append(min(1.0, (finished + partial) / todo))
        if limit:
            parts.append(min(1.0, active / limit))
        fraction = max(parts) if parts else 0.0
        if fraction <= 0:
            return None
        return active * (1 - fraction) / fraction

    def running_text(self, limit: int = 3) -> str:
        """"trial 3: fold 2/5, 0:41" for each trial under way (at most ``limit``, the rest counted)."""
        from .formatting import clock

        now = time.monotonic()
        parts = []
        for number, (started, done, folds) in sorted(self.steps.items())[:limit]:
            where = f"fold {min(done + 1, folds)}/{folds}" if folds else "first fold"
            parts.append(f"trial {number}: {where}, {clock(now - started)}")
        if len(self.steps) > limit:
            parts.append(f"{len(self.steps) - limit} more running")
        return " · ".join(parts)

    def run_started_with(self, existing: Sequence[TrialRecord], baseline: Baseline | None = None) -> None:
        """The search opened its study, which already held ``existing`` trials, and scored (or read) its
        baseline."""
        self.continued_from = len(existing)
        self.set_baseline(baseline)
        if existing:
            self.add_trials(existing)

    def set_baseline(self, baseline: Baseline | None) -> None:
        self.baseline = baseline
        self.events.baseline.emit(baseline)

    def set_progress(self, progress: Any) -> None:
        self.progress = progress
        self.events.progress.emit(progress)

    def elapsed(self) -> float | None:
        return None if self.run_started is None else time.monotonic() - self.run_started

    def end_run(self, reason: str) -> str:
        """The search ended (``reason``: a runner stop reason, or 'failed', 'invalid', 'crashed'); returns
        the status line that says so."""
        self.steps, self.paused_since = {}, None
        self._set(running=False)
        if reason == "failed":
            text = "The search stopped: its trials all failed."
        elif reason == "invalid":
            text = "The search could not start."
        elif reason == "crashed":
            text = "The search ended unexpectedly; finished trials are kept."
        else:
            text = f"Finished ({STOP_REASONS.get(reason, reason)}): {self.summary()}."
        self.say(text)
        return text

    def summary(self) -> str:
        best, n = self.store.best, len(self.store)
        if best is None:
            return f"{n} trials, none completed"
        label = self.context.metric.label if self.context is not None else "score"
        return f"{n} trials; best {label} {best.value:.6g} (trial {best.number})"

    def join_target(self) -> tuple[StudyRef, SearchSetup] | None:
        """While a study made by hpgui is watched, Start joins it as one more worker: its study and setup."""
        if self._watching and self.study is not None and self.setup is not None:
            return self.study, self.setup
        return None

    # -- watching and opening --------------------------------------------------------------------------
    def set_opening(self, opening: bool) -> None:
        self._set(opening=opening)

    def set_watching(self, watching: bool) -> None:
        if watching:
            self.watch_total, self.watch_problem = 0, ""
        self._set(watching=watching)

    def watch_update(self, total: int | None = None, problem: str | None = None) -> None:
        if total is not None:
            self.watch_total = total
        if problem is not None:
            self.watch_problem = problem
        if not self._running:
            self.say(self.watch_text())

    def watch_text(self, study: StudyRef | None = None) -> str:
        study = study or self.study
        name, where = (study.name, study.label()) if study is not None else ("?", "")
        text = f"Watching study {name} at {where} — {self.watch_total} trials"
        if self.watch_problem:
            text += f" · the storage does not answer ({self.watch_problem}); retrying"
        return text

    # -- what may be done ----------------------------------------------------------------------------
    def export_blocker(self) -> str | None:
        """Why the best model cannot be exported now, or None when it can."""
        if self._running:
            return "Wait until the search finishes (or stop it) to export."
        if self.store.best is None:
            return "No trial has completed yet: there is no best configuration to export."
        if self.setup is None:
            return "This study has no setup hpgui can refit (it was deleted, or not made by hpgui)."
        return None

    @property
    def can_export(self) -> bool:
        return self.export_blocker() is None

    @property
    def can_export_trials(self) -> bool:
        return len(self.store) > 0

    def widen_blocker(self) -> str | None:
        """Why "Widen and continue" does not apply now, or None when it does."""
        if self._running:
            return "Wait until the search finishes (or stop it) to widen its ranges and continue."
        if self.setup is not None and self.setup.strategy.name == "grid":
            return ("A grid search queued its points when it started; set the wider range in the Model tab "
                    "and start a new study.")
        if self.study is None or self.setup is None:
            return "There is no study on screen to continue."
        return None

    def widened_budget(self) -> int | None:
        """The trial budget that runs "as many trials again" as the last run added, counted over the whole
        study (so repeated widening does not snowball); None without a trial budget."""
        if self.setup is None or not self.setup.budget.trials:
            return None
        return len(self.store) + max(1, self.setup.budget.trials - self.continued_from)
