"""A search in a child process, so that Stop works even in the middle of a fit.

A thread cannot be interrupted inside scikit-learn's compiled code; a process
can be ended. :class:`SearchProcess` starts a child that imports the heavy
libraries at once and then waits for a job, so the import cost is paid before
the user presses Start. The child runs :class:`~hpgui.core.runner.Search` and
reports every finished trial through a queue; Stop first asks nicely (the
runner checks between folds) and ends the child if it does not return within
the grace period. Trials the child left running are then marked failed in the
study, so none stays "running" forever.
"""

from __future__ import annotations

import multiprocessing as mp
import queue as queue_module
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Spawn, not fork: the parent may be a Qt application with threads, and a forked
# child inherits their locks in whatever state they were in.
_CONTEXT = mp.get_context("spawn")

INTERRUPTED_ERROR = "Interrupted: the search was stopped while this trial's fit was running"


@dataclass(frozen=True)
class Job:
    setup: dict
    base_dir: str | None
    study_name: str | None
    storage: str | None
    trials: int | None = None
    timeout_s: float | None = None


def _child_main(jobs: Any, events: Any, stop: Any, pause: Any) -> None:
    import signal

    # The parent decides when to stop; a Ctrl+C in its terminal must not kill us mid-write.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .dataset import DatasetError
    from .runner import Search, SearchFailed
    from .setup import SearchSetup, SetupError
    from .storage import redact

    _warm_up()
    events.put(("ready",))
    job = jobs.get()
    if job is None:
        return
    try:
        setup = SearchSetup.from_json(job.setup, base_dir=Path(job.base_dir) if job.base_dir else None)
        search = Search(setup, storage=job.storage, study_name=job.study_name, trials=job.trials,
                        timeout_s=job.timeout_s)
    except (SetupError, DatasetError) as exc:
        events.put(("invalid", str(exc)))
        return
    except Exception:  # noqa: BLE001 - reported to the parent, which shows it
        events.put(("crash", traceback.format_exc()))
        return
    events.put(("started", search.study_name, redact(search.storage_url), search.records()))
    try:
        result = search.run(on_trial=lambda record, progress: events.put(("trial", record, progress)),
                            should_stop=stop.is_set, paused=pause.is_set)
    except SearchFailed as exc:
        events.put(("failed", str(exc)))
        return
    except Exception:  # noqa: BLE001
        events.put(("crash", traceback.format_exc()))
        return
    events.put(("done", result.stop_reason, result.new_trials))


def _warm_up() -> None:
    """Import what the first trial would otherwise import, while the user is still setting up."""
    import importlib

    from .catalog import MODELS

    for name in ("pyarrow.csv", "sklearn.model_selection", "sklearn.metrics", "sklearn.pipeline",
                 "sklearn.compose", "sklearn.impute", "sklearn.preprocessing", "optuna.samplers"):
        importlib.import_module(name)
    for model in MODELS.values():
        for path in model.estimators.values():
            importlib.import_module(path.rpartition(".")[0])


class SearchProcess:
    """One search in one child process; start it early, give it a job later."""

    def __init__(self) -> None:
        self._jobs = _CONTEXT.Queue()
        self._events = _CONTEXT.Queue()
        self._stop = _CONTEXT.Event()
        self._pause = _CONTEXT.Event()
        self._process = _CONTEXT.Process(target=_child_main, args=(self._jobs, self._events, self._stop,
                                                                   self._pause), daemon=True)
        self._process.start()
        self.job: Job | None = None
        self.study_name: str | None = None
        self.storage_url: str | None = None
        self.finished = False
        self.interrupted: list = []

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

    def stop(self, grace_s: float = 1.5) -> bool:
        """Stop and wait: ask, then end the child after ``grace_s``. True if it had to be ended."""
        self._stop.set()
        self._pause.clear()
        if self.job is None:
            self._jobs.put(None)
        self._process.join(grace_s)
        killed = False
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)
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
            elif event[0] in ("done", "failed", "invalid", "crash"):
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

    def fail_interrupted(self) -> list:
        """Mark trials a killed child left running as failed; returns their records."""
        name = self.study_name or (self.job.study_name if self.job is not None else None)
        if name is None or self.job is None:
            return []
        self.interrupted = fail_running_trials(self.job.storage, name, INTERRUPTED_ERROR)
        return self.interrupted


def fail_running_trials(storage: str | None, study_name: str, error: str) -> list:
    """Close every RUNNING trial of a study as failed. Only call when no worker is alive."""
    import optuna
    from optuna.trial import TrialState

    from .runner import TRIAL_ATTR, TrialRecord, requeue
    from .storage import open_storage

    store = open_storage(storage, study_name)
    try:
        study = optuna.load_study(study_name=study_name, storage=store)
    except KeyError:  # the child died before it created the study
        return []
    closed = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        store.set_trial_user_attr(trial._trial_id, TRIAL_ATTR, {"error": error})
        store.set_trial_state_values(trial._trial_id, TrialState.FAIL)
        closed.append(TrialRecord.from_frozen(store.get_trial(trial._trial_id)))
        requeue(study, trial)
    return closed
