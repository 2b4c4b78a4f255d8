"""Searches in child processes, so that Stop and time limits work even in the middle of a fit.

A thread cannot be interrupted inside scikit-learn's compiled code; a process
can be ended. :class:`SearchProcess` is one child: it imports the heavy
libraries at once and then waits for a job, so the import cost is paid before
the user presses Start, runs :class:`~hpgui.core.runner.Search` and reports
every finished trial through a queue. :class:`WorkerPool` supervises one or
more such children on one study: it starts the others once the first has
created the study, ends a child whose trial runs past the per-trial time limit,
replaces a child that died, and on Stop asks every child to stop and ends the
ones that do not return within the grace period. A trial whose child was ended
is marked failed in the study (a grid or manual point is queued again), so none
stays "running".
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_module
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .study_progress import MergedProgress

# Spawn, not fork: the parent may be a Qt application with threads, and a forked
# child inherits their locks in whatever state they were in.
_CONTEXT = mp.get_context("spawn")

INTERRUPTED_ERROR = "Interrupted: the search was stopped while this trial's fit was running"
FINAL_EVENTS = ("done", "failed", "invalid", "fault", "crash")


@dataclass(frozen=True)
class Job:
    setup: dict
    base_dir: str | None
    study_name: str | None
    storage: str | None
    trials: int | None = None          # the study's trial budget (None: the setup's)
    timeout_s: float | None = None     # the search's time limit (None: the setup's)
    workers: int = 1
    trial_timeout_s: float | None = None  # None: the setup's budget.trial_timeout_s
    max_new: int | None = None         # trials each worker may run at most (``hpgui worker --trials``)
    shared: bool = False               # other workers (other machines) share the study
    started_wall: float | None = None  # wall-clock start of the whole search, for a study-wide time limit


def _watch_parent(stop: Any) -> None:
    """End this child soon after its parent dies (SIGKILL leaves no one else to do it)."""
    parent = os.getppid()
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            stop.set()  # the runner fails and re-queues its trial at the next fold
            time.sleep(3.0)
            os._exit(3)


def _child_main(jobs: Any, events: Any, stop: Any, pause: Any, models: tuple[str, ...] | None = None) -> None:
    import signal

    # The parent decides when to stop; a Ctrl+C in its terminal must not kill us mid-write.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(stop,), name="hpgui-parent-watch", daemon=True).start()
    from .dataset import DatasetError
    from .runner import Search, SearchFailed
    from .setup import SearchSetup, SetupError
    from .storage_faults import describe
    from .url_secrets import mask as redact, scrub

    from . import journal_repair

    # A journal repaired or a dead process's lock removed is said to whoever started the search.
    journal_repair.listeners.append(lambda text: events.put(("note", text)))
    _warm_up(models)
    events.put(("ready",))
    job = jobs.get()
    if job is None:
        return
    try:
        setup = SearchSetup.from_json(job.setup, base_dir=Path(job.base_dir) if job.base_dir else None)
        timeout_s = job.timeout_s if job.timeout_s is not None else setup.budget.timeout_s
        if timeout_s is not None and job.started_wall is not None:
            # A replacement worker has only what is left of the search's time.
            timeout_s = max(1e-3, timeout_s - (time.time() - job.started_wall))
        search = Search(setup, storage=job.storage, study_name=job.study_name, trials=job.trials,
                        timeout_s=timeout_s, shared=job.shared or job.workers > 1)
    except (SetupError, DatasetError) as exc:
        events.put(("invalid", scrub(str(exc), job.storage)))
        return
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which shows it
        fault = describe(exc, job.storage, started=False)
        events.put(("invalid", fault) if fault else ("crash", scrub(traceback.format_exc(), job.storage)))
        return
    events.put(("started", search.study_name, redact(search.storage_url), search.records(), search.baseline))
    try:
        result = search.run(on_trial=lambda record, progress: events.put(("trial", record, progress)),
                            should_stop=stop.is_set, paused=pause.is_set,
                            on_begin=lambda number: events.put(("begin", number, len(search.splits))),
                            max_new=job.max_new,
                            on_fold=lambda number, done, folds: events.put(("fold", number, done, folds)))
    except SearchFailed as exc:
        events.put(("failed", scrub(str(exc), job.storage)))
        return
    except Exception as exc:  # noqa: BLE001
        fault = describe(exc, job.storage or search.storage_url)
        events.put(("fault", fault) if fault else ("crash", scrub(traceback.format_exc(), job.storage)))
        return
    events.put(("done", result.stop_reason, result.new_trials))


def _warm_up(models: tuple[str, ...] | None = None) -> None:
    """Import what the first trial would otherwise import, while the user is still setting up.

    ``models``: the models the search will use, when the job is known as the process starts (a
    worker pool); only their modules are imported. None (a child started before the user chose)
    imports every model's, since the user may pick any of them.
    """
    import importlib

    from .catalog import MODELS

    for name in ("pyarrow.csv", "sklearn.model_selection", "sklearn.metrics", "sklearn.pipeline",
                 "sklearn.compose", "sklearn.impute", "sklearn.preprocessing", "optuna.samplers"):
        importlib.import_module(name)
    chosen = MODELS.values() if models is None else [MODELS[m] for m in models if m in MODELS]
    for model in chosen:
        for path in model.estimators.values():
            importlib.import_module(path.rpartition(".")[0])


class SearchProcess:
    """One search in one child process; start it early, give it a job later."""

    def __init__(self, models: tuple[str, ...] | None = None) -> None:
        """``models``: the models its job will use, if known now (see :func:`_warm_up`)."""
        self._jobs = _CONTEXT.Queue()
        self._events = _CONTEXT.Queue()
        self._stop = _CONTEXT.Event()
        self._pause = _CONTEXT.Event()
        self._process = _CONTEXT.Process(target=_child_main, args=(self._jobs, self._events, self._stop,
                                                                   self._pause, models), daemon=True)
        self._process.start()
        self.job: Job | None = None
        self.study_name: str | None = None
        self.storage_url: str | None = None
        self.finished = False
        self.interrupted: list = []

    @property
    def owner(self) -> str:
        """The "host:pid" the child writes on every trial it runs."""
        from .recovery import worker_id

        return worker_id(self._process.pid)

    # -- control -------------------------------------------------------------
    def submit(self, job: Job) -> None:
        if self.job is not None:
            raise RuntimeError("this process already runs a search")
        self.job = job
        self._jobs.put(job)

    def pause(self, paused: bool = True) -> None:
        if paused:
            self._pause.set()
        else:
            self._pause.clear()

    @property
    def paused(self) -> bool:
        return self._pause.is_set()

    def request_stop(self) -> None:
        self._stop.set()
        self._pause.clear()
        if self.job is None:
            self._jobs.put(None)

    def join(self, timeout: float) -> None:
        self._process.join(max(0.0, timeout))

    def kill(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join(5)

    def stop(self, grace_s: float = 1.5) -> bool:
        """Stop and wait: ask, then end the child after ``grace_s``. True if it had to be ended."""
        self.request_stop()
        self._process.join(grace_s)
        killed = False
        if self._process.is_alive():
            self.kill()
            killed = True
        if self.job is not None:
            self.fail_interrupted()
        return killed

    def close(self) -> None:
        """End an idle (or finished) child and release its queues."""
        if self.finished:
            # It said its last word and is exiting on its own; do not make the caller wait for that.
            self._process.join(0.2)
            if self._process.is_alive():
                self._process.kill()
        elif self._process.is_alive():
            self.stop(grace_s=1.0)
        for q in (self._jobs, self._events):
            q.close()
            q.join_thread()

    def is_alive(self) -> bool:
        return self._process.is_alive()

    @property
    def exitcode(self) -> int | None:
        return self._process.exitcode

    # -- results ---------------------------------------------------------------
    def poll(self, timeout: float = 0.0, limit: int = 10_000) -> list[tuple]:
        """Every event available now (waiting up to ``timeout`` for the first)."""
        out: list[tuple] = []
        try:
            out.append(self._events.get(timeout=timeout) if timeout > 0 else self._events.get_nowait())
            while len(out) < limit:
                out.append(self._events.get_nowait())
        except queue_module.Empty:
            pass
        except (EOFError, OSError):  # the child died while writing
            pass
        for event in out:
            if event[0] == "started":
                self.study_name, self.storage_url = event[1], event[2]
            elif event[0] in FINAL_EVENTS:
                self.finished = True
        return out

    def wait_ready(self, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.poll(timeout=0.1):
                if event[0] == "ready":
                    return True
            if not self._process.is_alive():
                return False
        return False

    def fail_interrupted(self, error: str = INTERRUPTED_ERROR, requeue: bool = True) -> list:
        """Mark the trials this (ended) child left running as failed; returns their records."""
        name = self.study_name or (self.job.study_name if self.job is not None else None)
        if name is None or self.job is None:
            return []
        self.interrupted = fail_owned_trials(self.job.storage, name, [self.owner], error, requeue)
        return self.interrupted


def fail_owned_trials(storage: str | None, study_name: str, owners: list[str], error: str,
                      requeue: bool = True) -> list:
    """Fail the running trials of the given workers ("host:pid"); returns their records.

    Trials of other workers (other processes, other machines) are left alone.
    """
    from .recovery import fail_trials_of, load_study
    from .records import TrialRecord

    from .storage_faults import describe

    try:
        study = load_study(storage, study_name)
        if study is None:  # the child died before it created the study
            return []
        numbers = set(fail_trials_of(study, owners, error, requeue))
    except Exception as exc:  # noqa: BLE001 - a storage that cannot be written now: the next open fails them
        if describe(exc, storage) is None:
            raise
        return []
    return [TrialRecord.from_frozen(t) for t in study.get_trials(deepcopy=False) if t.number in numbers]


@dataclass
class _Slot:
    process: SearchProcess
    begun: tuple[int, float] | None = None  # (trial number, monotonic start) of the running trial
    done: bool = False


@dataclass
class _PoolState:
    reason: str | None = None
    new_trials: int = 0
    owners: list = field(default_factory=list)
    progress: MergedProgress = field(default_factory=MergedProgress)  # the workers' reports as one


class WorkerPool:
    """N worker processes on one study, supervised: the same interface as one :class:`SearchProcess`.

    The first worker opens (or creates) the study; the others start when it
    reports "started", so they never race to create it. :meth:`poll` also
    supervises: it ends a worker whose trial runs past the per-trial time
    limit, and replaces a worker that died, failing the trial it left running.
    """

    #: Deaths in a row without a finished trial before the pool gives up (a worker that cannot start).
    MAX_DEATHS = 3

    def __init__(self, workers: int = 1, spare: SearchProcess | None = None,
                 models: tuple[str, ...] | None = None):
        """``models``: the models the job will use, so new workers import only those."""
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self._models = models
        self._slots = ([_Slot(spare or SearchProcess(models))]
                       + [_Slot(SearchProcess(models)) for _ in range(workers - 1)])
        self.job: Job | None = None
        self.study_name: str | None = None
        self.storage_url: str | None = None
        self.finished = False
        self.interrupted: list = []
        self._started = False
        self._notes: list[tuple] = []
        self._stopping = False
        self._paused = False
        self._deaths = 0
        self._state = _PoolState()
        self._trial_timeout: float | None = None
        self._study = None

    # -- control -------------------------------------------------------------
    def submit(self, job: Job) -> None:
        if self.job is not None:
            raise RuntimeError("this pool already runs a search")
        from .setup import SearchSetup

        timeout = job.trial_timeout_s
        if timeout is None:
            try:
                timeout = SearchSetup.from_json(job.setup).budget.trial_timeout_s
            except Exception:  # noqa: BLE001 - the worker reports a bad setup properly
                timeout = None
        self._trial_timeout = timeout
        self.job = replace(job, workers=self.workers, started_wall=job.started_wall or time.time())
        self._submit(self._slots[0])

    def _submit(self, slot: _Slot) -> None:
        job = self.job if self.study_name is None else replace(self.job, study_name=self.study_name)
        if self._paused:
            slot.process.pause(True)
        slot.process.submit(job)
        self._state.owners.append(slot.process.owner)

    def pause(self, paused: bool = True) -> None:
        self._paused = paused
        for slot in self._slots:
            slot.process.pause(paused)

    @property
    def paused(self) -> bool:
        return self._paused

    def request_stop(self) -> None:
        self._stopping = True
        for slot in self._slots:
            slot.process.request_stop()

    def stop(self, grace_s: float = 1.5) -> bool:
        """Ask every worker to stop, end those still running after ``grace_s``; True if any was ended."""
        self.request_stop()
        deadline = time.monotonic() + grace_s
        for slot in self._slots:
            slot.process.join(deadline - time.monotonic())
        killed = False
        for slot in self._slots:
            if slot.process.is_alive():
                slot.process.kill()
                killed = True
        self.fail_interrupted()
        return killed

    def close(self) -> None:
        for slot in self._slots:
            slot.process.close()
        if self._study is not None:
            self._study = None

    def is_alive(self) -> bool:
        """True until the pool has reported its end (it replaces dead workers itself)."""
        return not self.finished

    @property
    def exitcode(self) -> int | None:
        return None

    def wait_ready(self, timeout: float = 60.0) -> bool:
        return all(slot.process.wait_ready(timeout) for slot in self._slots)

    def fail_interrupted(self) -> list:
        if self.job is None:
            return []
        name = self.study_name or self.job.study_name
        if name is None:
            return []
        self.interrupted = fail_owned_trials(self.job.storage, name, list(self._state.owners), INTERRUPTED_ERROR)
        return self.interrupted

    # -- events and supervision -------------------------------------------------
    def poll(self, timeout: float = 0.0, limit: int = 10_000) -> list[tuple]:
        deadline = time.monotonic() + timeout
        out: list[tuple] = []
        while True:
            for slot in list(self._slots):
                for event in slot.process.poll(limit=limit):
                    self._handle(slot, event, out)
            if self.job is not None and not self.finished and not self._stopping:
                self._supervise(out)
            if out or time.monotonic() >= deadline:
                return out
            time.sleep(0.01)

    def _handle(self, slot: _Slot, event: tuple, out: list[tuple]) -> None:
        kind = event[0]
        if kind == "note":
            if event not in self._notes:  # each worker repairs or sees the same journal; say it once
                self._notes.append(event)
                out.append(event)
        elif kind == "begin":
            slot.begun = (event[1], time.monotonic())
            out.append(event)
        elif kind == "fold":
            out.append(event)
        elif kind == "trial":
            slot.begun = None
            self._deaths = 0
            progress = event[2]
            if progress is not None and self.job is not None:
                # Workers start at different times (a replaced one just now); the search's clock is ours.
                progress = replace(progress, elapsed_s=time.time() - self.job.started_wall)
            out.append(("trial", event[1], self._state.progress.update(event[1], progress)))
        elif kind == "started":
            if not self._started:
                self._started = True
                self.study_name, self.storage_url = event[1], event[2]
                out.append(event)
                if not self._stopping:
                    for other in self._slots[1:]:
                        self._submit(other)
        elif kind == "done":
            slot.done = True
            self._state.reason = self._state.reason or event[1]
            self._state.new_trials += int(event[2])
            if all(s.done for s in self._slots) and not self.finished:
                self.finished = True
                out.append(("done", self._state.reason, self._state.new_trials))
        elif kind in ("failed", "invalid", "fault", "crash"):
            slot.done = True
            if not self.finished:
                self.finished = True
                self._end_others(slot, out)
                out.append(event)

    def _end_others(self, slot: _Slot, out: list[tuple]) -> None:
        """One worker found the search cannot go on; stop the rest, keeping what they finished."""
        for other in self._slots:
            if other is not slot:
                other.process.request_stop()
        deadline = time.monotonic() + 1.5
        for other in self._slots:
            other.process.join(deadline - time.monotonic())
            if other.process.is_alive():
                other.process.kill()
            out += [e for e in other.process.poll() if e[0] == "trial"]
        out += [("trial", record, None) for record in self.fail_interrupted()]

    def _supervise(self, out: list[tuple]) -> None:
        now = time.monotonic()
        for index, slot in enumerate(self._slots):
            if slot.done or slot.process.job is None:
                continue
            if self._trial_timeout is not None and slot.begun is not None \
                    and now - slot.begun[1] > self._trial_timeout:
                slot.process.kill()
                error = f"timeout after {self._trial_timeout:g} s (the fit was ended)"
                out += [("trial", r, None) for r in slot.process.fail_interrupted(error, requeue=False)]
                self._replace(index, out)
            elif not slot.process.is_alive():
                for event in slot.process.poll():  # its last words, if any
                    self._handle(slot, event, out)
                if slot.done:
                    continue
                self._deaths += 1
                code = slot.process.exitcode
                error = f"Interrupted: the worker process ended unexpectedly (exit code {code})"
                out += [("trial", r, None) for r in slot.process.fail_interrupted(error)]
                if self._deaths > self.MAX_DEATHS:
                    slot.done = True
                    self.finished = True
                    self._end_others(slot, out)
                    out.append(("crash", f"The worker processes keep ending unexpectedly (last exit code {code}); "
                                         "finished trials are kept."))
                    return
                self._replace(index, out)

    def _replace(self, index: int, out: list[tuple]) -> None:
        old = self._slots[index].process
        old.close()
        slot = _Slot(SearchProcess(self._models))
        self._slots[index] = slot
        if self._started or index == 0:
            self._submit(slot)
