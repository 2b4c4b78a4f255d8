"""The trials of one study, as views need them.

The window keeps one :class:`TrialStore`; the trial table, the charts and the
best panel are views of it. Records arrive in batches (from the worker, or all
at once from a stored study) and are kept in trial-number order. Plotting
arrays are rebuilt lazily, at most once per change, so a view that redraws on a
timer pays nothing while no trial arrives.
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from .records import TrialRecord

STATE_CODES = {"complete": 0, "failed": 1, "pruned": 2, "running": 3, "waiting": 4}


@dataclass(frozen=True)
class TrialArrays:
    """Column arrays over all trials, in trial-number order."""

    numbers: np.ndarray      # float64, for plotting
    values: np.ndarray       # float64, NaN where the trial has no score
    states: np.ndarray       # int8 codes from STATE_CODES
    best_so_far: np.ndarray  # float64, the best score among trials up to each one (NaN before any)


@dataclass(frozen=True)
class TrialDetails:
    """Per-trial columns the train-vs-validation and fold views plot, in trial-number order."""

    train: np.ndarray       # float64, NaN where the trial has no train score
    fold_low: np.ndarray    # float64, the lowest finite fold score (NaN without one)
    fold_high: np.ndarray   # float64, the highest finite fold score
    fold_std: np.ndarray    # float64, population std of the finite fold scores
    fold_count: np.ndarray  # int64, how many finite fold scores the trial has

    @staticmethod
    def of(records: Sequence[TrialRecord]) -> "TrialDetails":
        n = len(records)
        train = _floats([r.train_score for r in records])
        lists = [r.folds or () for r in records]
        counts = np.fromiter(map(len, lists), dtype=np.int64, count=n)
        flat = _floats(list(itertools.chain.from_iterable(lists)))
        low, high, std = (np.full(n, np.nan) for _ in range(3))
        finite_count = np.zeros(n, dtype=np.int64)
        rows = np.flatnonzero(counts)
        if len(rows):
            # One pass in C over every fold of every trial: reduceat over each trial's run of folds.
            starts = (np.cumsum(counts) - counts)[rows]
            finite = np.isfinite(flat)
            finite_count[rows] = np.add.reduceat(finite.astype(np.int64), starts)
            x = np.where(finite, flat, 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.add.reduceat(x, starts) / finite_count[rows]
                centred = np.where(finite, flat - np.repeat(mean, counts[rows]), 0.0)
                std[rows] = np.sqrt(np.add.reduceat(centred * centred, starts) / finite_count[rows])
                low[rows] = np.fmin.reduceat(np.where(finite, flat, np.nan), starts)
                high[rows] = np.fmax.reduceat(np.where(finite, flat, np.nan), starts)
        return TrialDetails(train, low, high, std, finite_count)

    @staticmethod
    def join(parts: Sequence["TrialDetails"]) -> "TrialDetails":
        return TrialDetails(*(np.concatenate([getattr(p, f) for p in parts])
                              for f in ("train", "fold_low", "fold_high", "fold_std", "fold_count")))


def _floats(values: list) -> np.ndarray:
    """float64 of a list, None and stray non-numbers as NaN."""
    try:
        return np.array(values, dtype=np.float64).reshape(len(values))
    except (TypeError, ValueError):
        def number(v):
            try:
                return float(v)
            except (TypeError, ValueError):
                return math.nan
        return np.fromiter((number(v) for v in values), dtype=np.float64, count=len(values))


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
        # Details of the first ``_details_upto`` records, still valid: a live batch appends, so a redraw
        # computes the new trials' columns only.
        self._details: TrialDetails | None = None
        self._details_upto = 0
        self.has_chains = False  # some trial is a step of a gradient descent
        self.has_population = False  # some trial is a member of a population (pbt strategy)

    # -- changing ------------------------------------------------------------
    def add(self, records: Iterable[TrialRecord]) -> int:
        """Insert or replace records; returns how many were new."""
        records = list(records)
        if not self.has_chains:
            self.has_chains = any(r.chain is not None for r in records)
        if not self.has_population:
            self.has_population = any(r.pbt is not None for r in records)
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
            self._details_upto = min(self._details_upto, i)
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

    def chain_paths(self) -> dict[int, list[TrialRecord]]:
        """Each gradient descent's completed steps, in trial order."""
        out: dict[int, list[TrialRecord]] = {}
        if self.has_chains:
            for r in self._records:
                if r.chain is not None and r.state == "complete" and r.value is not None:
                    out.setdefault(int(r.chain), []).append(r)
        return out

    def population(self) -> list[TrialRecord]:
        """The trials that are members of a population (any state), in trial order."""
        return [r for r in self._records if r.pbt is not None] if self.has_population else []

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

    def details(self) -> TrialDetails:
        """Train and fold-score columns over all trials (computed for new or changed trials only)."""
        n = len(self._records)
        if self._details is None or self._details_upto != n or len(self._details.train) != n:
            upto = min(self._details_upto, len(self._details.train)) if self._details is not None else 0
            fresh = TrialDetails.of(self._records[upto:])
            if upto:
                kept = self._details
                fresh = TrialDetails.join([TrialDetails(*(getattr(kept, f)[:upto] for f in (
                    "train", "fold_low", "fold_high", "fold_std", "fold_count"))), fresh])
            self._details, self._details_upto = fresh, n
        return self._details

    def param_values(self, name: str) -> list:
        """The value of one hyperparameter per trial (None where it did not apply)."""
        return [r.params.get(name) for r in self._records]
