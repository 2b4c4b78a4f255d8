"""Trials whose worker died: find them, mark them failed, queue their grid points again.

Every trial records who runs it (``hpgui:owner`` = "host:pid") as soon as it is
asked for, and keeps a heartbeat while it runs: Optuna's own heartbeat table
for database storages (``RDBStorage(heartbeat_interval=…)``), and for the
journal file, which has no heartbeat in Optuna, a ``hpgui:heartbeat`` trial
attribute holding a timestamp. A running trial is stale when its owner is a
process of this machine that no longer exists, or when its heartbeat is older
than the grace period. :func:`fail_stale_trials` is safe to call while other
workers run: it never touches a trial whose worker is alive.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

from .owners import _pid_alive, owner_is_alive_here, owner_is_dead, worker_id  # noqa: F401 - re-exported
from .records import TRIAL_ATTR, requeue

OWNER_ATTR = "hpgui:owner"
HEARTBEAT_ATTR = "hpgui:heartbeat"
#: Journal heartbeat period and the silence after which a trial counts as abandoned.
JOURNAL_HEARTBEAT_S = 10.0
JOURNAL_GRACE_S = 60.0

DEAD_WORKER_ERROR = "Interrupted: the worker running this trial stopped (process ended or machine lost)"


def _uses_optuna_heartbeat(storage: Any) -> bool:
    from optuna.storages._heartbeat import is_heartbeat_enabled

    return is_heartbeat_enabled(storage)


@contextmanager
def heartbeat(study: Any, trial_id: int) -> Iterator[None]:
    """Keep a trial's heartbeat going while the block runs (a daemon thread)."""
    storage = study._storage
    if _uses_optuna_heartbeat(storage):
        from optuna.storages._heartbeat import get_heartbeat_thread

        thread = get_heartbeat_thread(trial_id, storage)
        thread.start()
        try:
            yield
        finally:
            thread.join()
        return
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(JOURNAL_HEARTBEAT_S):
            try:
                storage.set_trial_user_attr(trial_id, HEARTBEAT_ATTR, time.time())
            except Exception:  # noqa: BLE001 - the trial finished meanwhile; nothing to keep alive
                return

    beater = threading.Thread(target=beat, name="hpgui-heartbeat", daemon=True)
    beater.start()
    try:
        yield
    finally:
        stop.set()


def _journal_stale(trial: Any, now: float) -> bool:
    last = trial.user_attrs.get(HEARTBEAT_ATTR)
    if last is None and trial.datetime_start is not None:
        last = trial.datetime_start.timestamp()
    return last is not None and now - float(last) > JOURNAL_GRACE_S


def fail_stale_trials(study: Any) -> list[int]:
    """Fail the running trials of ``study`` whose worker is gone; returns their numbers.

    Queued (grid or manual) points among them are queued again, so a resumed
    grid runs each point exactly once.
    """
    from optuna.trial import TrialState

    storage = study._storage
    running = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    if not running:
        return []
    optuna_stale: set[int] = set()
    if _uses_optuna_heartbeat(storage):
        optuna_stale = set(storage._get_stale_trial_ids(study._study_id))
    now = time.time()
    stale = []
    for trial in running:
        owner = trial.user_attrs.get(OWNER_ATTR)
        if owner_is_alive_here(owner):
            continue  # failing it would make its live worker's final write fail
        if owner_is_dead(owner) or trial._trial_id in optuna_stale or (
                not optuna_stale and not _uses_optuna_heartbeat(storage) and _journal_stale(trial, now)):
            stale.append(trial)
    return fail_trials(study, stale, DEAD_WORKER_ERROR)


def fail_trials_of(study: Any, owners: Iterable[str], error: str, requeue_points: bool = True) -> list[int]:
    """Fail the running trials that the given workers ("host:pid") own; returns their numbers."""
    from optuna.trial import TrialState

    owners = set(owners)
    mine = [t for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
            if t.user_attrs.get(OWNER_ATTR) in owners]
    return fail_trials(study, mine, error, requeue_points)


def fail_trials(study: Any, trials: list, error: str, requeue_points: bool = True) -> list[int]:
    from optuna.exceptions import UpdateFinishedTrialError
    from optuna.trial import TrialState

    storage = study._storage
    closed = []
    for trial in trials:
        try:
            info = {"error": error}
            owner = trial.user_attrs.get(OWNER_ATTR)
            if owner:
                info["worker"] = owner
            storage.set_trial_user_attr(trial._trial_id, TRIAL_ATTR, info)
            changed = storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)
        except (UpdateFinishedTrialError, RuntimeError):
            continue  # its worker finished it, or another process closed it first
        if changed is False:
            continue
        closed.append(trial.number)
        if requeue_points:
            requeue(study, trial)
    return closed


def load_study(storage: str | None, study_name: str) -> Any | None:
    """The study, or None when it does not exist (yet)."""
    import optuna

    from .storage import open_storage

    try:
        return optuna.load_study(study_name=study_name, storage=open_storage(storage, study_name))
    except KeyError:
        return None
