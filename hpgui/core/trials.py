"""The trials of one study, as views need them.

The window keeps one :class:`TrialStore`; the trial table, the charts and the
best panel are views of it. Records arrive in batches (from the worker, or all
at once from a stored study) and are kept in trial-number order. Plotting
arrays are rebuilt lazily, at most once per change, so a view that redraws on a
timer pays nothing while no trial arrives.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from .runner import TrialRecord

STATE_CODES = {"complete": 0, "failed": 1, "pruned": 2, "running": 3, "waiting": 4}


@dataclass(frozen=True)
class TrialArrays:
    """Column arrays over all trials, in trial-number order."""

    numbers: np.ndarray      # float64, for plotting
    values: np.ndarray       # float64, NaN where the trial has no score
    states: np.ndarray       # int8 codes from STATE_CODES
    best_so_far: np.ndarray  # float64, the best score among trials up to each one (NaN before any)


def _score(record: TrialRecord) -> float:
    """The score a chart plots: NaN unless the trial completed with a finite score."""
    value = record.value
    if record.state == "complete" and value is not None and math.isfinite(value):
        return float(value)
    return math.nan


class TrialStore:
    """Every trial of the current study, in number order, with the best one tracked."""

    def __init__(self, direction: str = "maximize", param_names: Sequence[str] = ()):
        self.reset(direction, param_names)

    def reset(self, direction: str = "maximize", param_names: Sequence[str] = ()) -> None:
        # The version keeps counting up across resets, so a view never mistakes a new study for the old one.
        self.version = getattr(self, "version", -1) + 1
        self.direction = direction
        self.param_names = list(param_names)
        self._records: list[TrialRecord] = []
        self._numbers: list[int] = []
        # Kept beside the records so arrays() converts lists in C instead of walking 100,000 records in Python.
        self._values: list[float] = []
        self._codes: list[int] = []
        self._best: TrialRecord | None = None
        self._best_trail: list[tuple[int, TrialRecord]] = []  # (trial number, best record at that time)
        self._arrays: TrialArrays | None = None

    # -- changing ------------------------------------------------------------
    def add(self, records: Iterable[TrialRecord]) -> int:
        """Insert or replace records; returns how many were new."""
        records = list(records)
        numbers = [r.number for r in records]
        if numbers and (not self._numbers or numbers[0] > self._numbers[-1]) \
                and all(a < b for a, b in zip(numbers, numbers[1:])):
            # The usual case (a live batch, a whole stored study): every record goes at the end.
            self._records.extend(records)
            self._numbers.extend(numbers)
            self._values.extend(map(_score, records))
            self._codes.extend(STATE_CODES.get(r.state, 1) for r in records)
            for record in records:
                self._consider(record)
            self._arrays = None
            self.version += 1
            return len(records)
        new = 0
        in_order = True
        for record in records:
            i = bisect.bisect_left(self._numbers, record.number)
            if i < len(self._numbers) and self._numbers[i] == record.number:
                self._records[i] = record
                self._values[i] = _score(record)
                self._codes[i] = STATE_CODES.get(record.state, 1)
                in_order = False
                continue
            if i != len(self._numbers):
                in_order = False
            self._numbers.insert(i, record.number)
            self._records.insert(i, record)
            self._values.insert(i, _score(record))
            self._codes.insert(i, STATE_CODES.get(record.state, 1))
            new += 1
            if in_order:
                self._consider(record)
        if not in_order:
            self._recompute_best()
        self._arrays = None
        self.version += 1
        return new

    def _better(self, a: float, b: float) -> bool:
        return a > b if self.direction == "maximize" else a < b

    def _consider(self, record: TrialRecord) -> None:
        if record.state == "complete" and record.value is not None and math.isfinite(record.value):
            if self._best is None or self._better(record.value, self._best.value):
                self._best = record
                self._best_trail.append((record.number, record))

    def _recompute_best(self) -> None:
        self._best = None
        self._best_trail = []
        for record in self._records:
            self._consider(record)

    # -- reading ---------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._records)

    @property
    def records(self) -> list[TrialRecord]:
        return self._records

    def __getitem__(self, index: int) -> TrialRecord:
        return self._records[index]

    def index_of(self, number: int) -> int | None:
        i = bisect.bisect_left(self._numbers, number)
        if i < len(self._numbers) and self._numbers[i] == number:
            return i
        return None

    @property
    def best(self) -> TrialRecord | None:
        return self._best

    @property
    def best_trail(self) -> list[tuple[int, TrialRecord]]:
        """Each time the best changed: the trial number and the new best record."""
        return self._best_trail

    def count(self, state: str) -> int:
        return self._codes.count(STATE_CODES[state]) if state in STATE_CODES else \
            sum(1 for r in self._records if r.state == state)

    def arrays(self) -> TrialArrays:
        if self._arrays is None:
            n = len(self._records)
            numbers = np.array(self._numbers, dtype=np.float64)
            values = np.array(self._values, dtype=np.float64)
            states = np.array(self._codes, dtype=np.int8)
            if n:
                filled = np.where(np.isnan(values), -np.inf if self.direction == "maximize" else np.inf, values)
                running = np.maximum.accumulate(filled) if self.direction == "maximize" \
                    else np.minimum.accumulate(filled)
                best = np.where(np.isinf(running), np.nan, running)
            else:
                best = np.empty(0)
            self._arrays = TrialArrays(numbers, values, states, best)
        return self._arrays

    def param_values(self, name: str) -> list:
        """The value of one hyperparameter per trial (None where it did not apply)."""
        return [r.params.get(name) for r in self._records]
