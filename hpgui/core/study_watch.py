"""Watching a study that other processes fill: the trials new or changed since the last look."""

from __future__ import annotations

from typing import Any

from .library import open_study
from .records import SURPLUS_ATTR, TrialRecord


class StudyWatcher:
    """New and changed trials of one study since the last look, for a window watching remote workers.

    The journal storage replays only what was appended since its last read. A database storage is
    asked only for trials newer than the newest seen plus those not finished at the last look, when
    the installed Optuna offers that query; otherwise it reads them all and compares.
    """

    def __init__(self, storage: str | None, name: str):
        self.storage = storage
        self.name = name
        self._study = open_study(storage, name)
        self._store = self._study._storage
        self._study_id = self._study._study_id
        self._seen: dict[int, tuple] = {}    # trial id -> what we last reported of it
        self._open: set[int] = set()         # ids not finished at the last look
        self._max_id = -1
        self.total = 0

    def reset(self) -> None:
        """Report every trial again on the next poll (the window cleared its store)."""
        self._seen.clear()
        self._open.clear()
        self._max_id = -1

    def _fetch(self) -> list:
        get_some = getattr(self._store, "_get_trials", None)
        if get_some is not None and self._max_id >= 0 and not _is_journal(self._store):
            try:
                return get_some(self._study_id, None, set(self._open), self._max_id)
            except TypeError:  # another Optuna's private signature: read everything
                pass
        return self._store.get_all_trials(self._study_id, deepcopy=False)

    def poll(self) -> list[TrialRecord]:
        """Trials new or changed since the last poll (every trial on the first)."""
        from optuna.trial import TrialState

        changed = []
        for t in self._fetch():
            key = (t.state, t.datetime_complete, len(t.user_attrs))
            tid = t._trial_id
            self._max_id = max(self._max_id, tid)
            if t.state in (TrialState.RUNNING, TrialState.WAITING):
                self._open.add(tid)
            else:
                self._open.discard(tid)
            if self._seen.get(tid) == key:
                continue
            self._seen[tid] = key
            if t.state == TrialState.WAITING or t.user_attrs.get(SURPLUS_ATTR):
                continue
            changed.append(TrialRecord.from_frozen(t))
        self.total = sum(1 for k in self._seen.values() if k[0] != TrialState.WAITING)
        return changed


def _is_journal(store: Any) -> bool:
    from optuna.storages import JournalStorage

    return isinstance(store, JournalStorage)


