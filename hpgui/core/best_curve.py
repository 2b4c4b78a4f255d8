"""The best score so far of a study, by trial number and by wall-clock time (the Compare view)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from .records import TrialRecord


@dataclass(frozen=True)
class Curve:
    """The best score so far of one study, by trial number and by wall-clock time."""

    numbers: np.ndarray       # finished trials' numbers, in order
    best: np.ndarray          # best score among trials up to each number (NaN before the first score)
    time_numbers: np.ndarray  # the same trials in the order they finished
    elapsed_s: np.ndarray     # seconds from the study's first trial start to each one's end, ascending
    time_best: np.ndarray     # best score among trials finished by then


def _running_best(values: np.ndarray, maximize: bool) -> np.ndarray:
    if not len(values):
        return np.empty(0)
    filled = np.where(np.isnan(values), -np.inf if maximize else np.inf, values)
    running = np.maximum.accumulate(filled) if maximize else np.minimum.accumulate(filled)
    return np.where(np.isinf(running), np.nan, running)


def best_so_far_curve(records: Iterable[TrialRecord], direction: str) -> Curve:
    """The best-so-far curve of a study's finished trials.

    By number it is the curve of the search's order; by time it follows the order trials finished
    in, which differs when several workers ran at once. Trials without a time are left out of it.
    """
    done = sorted((r for r in records if r.state in ("complete", "failed", "pruned")), key=lambda r: r.number)
    n = len(done)
    maximize = direction == "maximize"
    numbers = np.fromiter((r.number for r in done), dtype=np.float64, count=n)
    values = np.fromiter((r.value if r.state == "complete" and r.value is not None and math.isfinite(r.value)
                          else np.nan for r in done), dtype=np.float64, count=n)
    starts = [r.started for r in done if r.started is not None]
    origin = min(starts) if starts else None
    elapsed = np.fromiter(((r.finished - origin).total_seconds() if origin is not None and r.finished is not None
                           else np.nan for r in done), dtype=np.float64, count=n)
    timed = np.flatnonzero(np.isfinite(elapsed))
    order = timed[np.argsort(elapsed[timed], kind="stable")]
    return Curve(numbers, _running_best(values, maximize), numbers[order], elapsed[order],
                 _running_best(values[order], maximize))


