"""Judgements about finished trials: over-fitting, ties with the best, range edges, timelines.

Pure functions over :class:`~hpgui.core.records.TrialRecord` lists and search
spaces, used by the analysis views and the best panel (and testable without a
display).

Rules, stated once so the window can quote them:

* **Gap** = train score − validation score for a maximised metric, validation −
  train for a minimised one; positive means the model looks better on the data it
  was fitted on. A trial over-fits when its gap exceeds a threshold in metric units.
* **Standard error** of a trial = sample standard deviation of its fold scores
  (ddof=1) / √folds. A trial is **tied with the best** when its mean score is
  within one standard error of the best trial's mean (the band of the
  one-standard-error rule; Hastie, Tibshirani & Friedman, *Elements of
  Statistical Learning*, 7.10).
* **Simplest within one standard error**: among the best and its ties, the trial
  with the lowest complexity. Complexity sums, over the hyperparameters whose
  simpler direction the catalog knows (``ParamSpec.simpler``), the position of the
  value in its searched range (0 at the simple end, 1 at the complex end; on a log
  scale for log ranges). A hyperparameter that does not apply to a trial counts
  0. Ties go to the better score, then to the earlier trial.
* **Range edge**: a numeric value within 5 % of its searched range (on a log
  scale for log ranges) from either end, where the catalog's hard limits leave
  room to widen. Widening moves that end outwards ×10 on a log range, by the
  range's width on a linear one, clipped to the hard limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .catalog import ParamSpec
from .records import TrialRecord
from .space import Hyperparameter, widens  # noqa: F401 (re-exported)

__all__ = [
    "EDGE_MARGIN", "RangeAdvice", "bounded_metric", "complexity", "default_gap_threshold", "gap",
    "merge_bars", "one_se_choice", "range_advice", "spread_per_cell", "standard_error", "thin", "tied_mask",
    "tied_with_best", "widen",
    "widens",
]

#: How close (as a fraction of the searched range) a best value must be to an end to count as "at" it.
EDGE_MARGIN = 0.05

#: Metrics whose scores live in [0, 1] (or at most 1): a gap of 0.05 means the same thing on any data.
_BOUNDED = {"accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "r2", "silhouette"}


def _scored(record: TrialRecord) -> bool:
    return record.state == "complete" and record.value is not None and math.isfinite(record.value)


# -- over-fitting ----------------------------------------------------------------------------------


def gap(train: float, valid: float, greater_is_better: bool) -> float:
    """How much better the trial looks on its training folds than on validation (> 0: better on train)."""
    return (train - valid) if greater_is_better else (valid - train)


def bounded_metric(metric_name: str | None) -> bool:
    return metric_name in _BOUNDED


def default_gap_threshold(metric_name: str | None, values: Iterable[float] = ()) -> float:
    """A starting threshold: 0.05 for scores on a 0–1 scale, else 10 % of the median score's size."""
    if metric_name is None or bounded_metric(metric_name):
        return 0.05
    sizes = np.abs(np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float))
    if len(sizes) == 0 or not np.median(sizes) > 0:
        return 0.05
    scale = 0.1 * float(np.median(sizes))
    return float(f"{scale:.2g}")  # a round number the user can read and type


# -- ties and the one-standard-error rule ------------------------------------------------------------


def standard_error(record: TrialRecord) -> float | None:
    """Standard error of the mean over the trial's fold scores; None with fewer than two folds."""
    folds = [f for f in (record.folds or []) if f is not None and math.isfinite(f)]
    if len(folds) < 2:
        return None
    return float(np.std(folds, ddof=1) / math.sqrt(len(folds)))


def tied_with_best(records: Sequence[TrialRecord], best: TrialRecord | None,
                   values: np.ndarray | None = None) -> list[TrialRecord]:
    """Completed trials (other than the best) whose mean is within one standard error of the best's.

    ``values`` may give each record's score (NaN where none), as ``TrialStore.arrays()`` keeps them,
    which spares a pass over 100,000 records at every redraw.
    """
    if best is None or not _scored(best):
        return []
    if values is None:
        values = np.fromiter((r.value if r.state == "complete" and r.value is not None else np.nan
                              for r in records), dtype=float, count=len(records))
    inside = np.flatnonzero(tied_mask(values, best))
    return [records[i] for i in inside if records[i].number != best.number]


def tied_mask(values: np.ndarray, best: TrialRecord | None) -> np.ndarray:
    """Which scores lie within one standard error of the best's (the best's own score included)."""
    values = np.asarray(values, dtype=float)
    se = standard_error(best) if best is not None and _scored(best) else None
    if se is None:
        return np.zeros(len(values), dtype=bool)
    tolerance = se * (1 + 1e-12) + 1e-15  # a trial that equals the band's edge is inside it
    with np.errstate(invalid="ignore"):
        return np.abs(values - best.value) <= tolerance


def _position(value: Any, hp: Hyperparameter) -> float | None:
    """Where ``value`` sits in the range of ``hp``: 0 at low, 1 at high (log-scaled for log ranges)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or hp.type == "categorical":
        return None
    if hp.values is not None:
        numbers = [v for v in hp.values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if not numbers:
            return None
        low, high = min(numbers), max(numbers)
    else:
        low, high = hp.low, hp.high
    if low is None or high is None or not high > low:
        return None
    if hp.log and low > 0 and value > 0:
        t = (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low))
    else:
        t = (value - low) / (high - low)
    return min(1.0, max(0.0, t))


def complexity(params: Mapping[str, Any], space: Mapping[str, Hyperparameter],
               specs: Mapping[str, ParamSpec]) -> float:
    """0 for the simplest corner of the space; grows by up to 1 per hyperparameter with a known direction."""
    total = 0.0
    for name, spec in specs.items():
        hp = space.get(name)
        if spec.simpler is None or hp is None or not hp.enabled or name not in params:
            continue
        t = _position(params[name], hp)
        if t is None:
            continue
        total += t if spec.simpler == "lower" else 1.0 - t
    return total


def has_simplicity(space: Mapping[str, Hyperparameter], specs: Mapping[str, ParamSpec]) -> bool:
    """Whether any searched hyperparameter has a known simpler direction."""
    return any(s.simpler is not None and name in space and space[name].enabled and space[name].type != "categorical"
               for name, s in specs.items())


def one_se_choice(records: Sequence[TrialRecord], best: TrialRecord | None, space: Mapping[str, Hyperparameter],
                  specs: Mapping[str, ParamSpec], greater_is_better: bool) -> TrialRecord | None:
    """The simplest trial among the best and those tied with it (see the module docstring)."""
    if best is None or not _scored(best):
        return None
    candidates = [best] + tied_with_best(records, best)
    sign = -1.0 if greater_is_better else 1.0
    return min(candidates, key=lambda r: (round(complexity(r.params, space, specs), 12), sign * r.value, r.number))


# -- range advice --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RangeAdvice:
    """The best value of ``name`` sits at one end of its range; ``widened`` is the range to try next."""

    name: str
    value: float
    side: str  # "low" or "high"
    current: Hyperparameter
    widened: Hyperparameter

    @property
    def text(self) -> str:
        where = "top" if self.side == "high" else "bottom"
        return (f"{self.name} = {_short(self.value)} is at the {where} of its range "
                f"{_short(self.current.low)}–{_short(self.current.high)}")

    @property
    def widened_text(self) -> str:
        return f"{self.name}: {_short(self.widened.low)}–{_short(self.widened.high)}"


def _short(value: Any) -> str:
    if isinstance(value, float) and not float(value).is_integer():
        return f"{value:.3g}"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.3g}"
    return str(value)


def widen(hp: Hyperparameter, side: str, spec: ParamSpec | None) -> Hyperparameter | None:
    """``hp`` with its ``side`` end moved outwards, clipped to ``spec``'s limits; None if it cannot move."""
    if hp.type not in ("int", "float") or hp.values is not None or hp.low is None or hp.high is None:
        return None
    low, high = float(hp.low), float(hp.high)
    width = high - low
    minimum = spec.minimum if spec is not None else None
    maximum = spec.maximum if spec is not None else None
    integer = hp.type == "int"
    if side == "low":
        new = low / 10 if (hp.log and low > 0) else low - (width if width > 0 else max(abs(low), 1.0))
        if minimum is not None and new <= minimum:
            # An open limit (C > 0) cannot be reached: go half way to it instead.
            new = (low + minimum) / 2 if spec.minimum_open else minimum
        if integer:
            new = math.floor(new)
            if minimum is not None and new < minimum:
                new = math.ceil(minimum)
            if hp.log:
                new = max(new, 1)
        if new >= low:
            return None
        return Hyperparameter(type=hp.type, low=int(new) if integer else new, high=hp.high, log=hp.log,
                              step=hp.step, enabled=hp.enabled)
    new = high * 10 if (hp.log and high > 0) else high + (width if width > 0 else max(abs(high), 1.0))
    if maximum is not None and new >= maximum:
        if spec.maximum_open:
            new = (high + maximum) / 2
            if new >= maximum:
                return None
        else:
            new = maximum
    if integer:
        new = math.ceil(new)
        if maximum is not None and new > maximum:
            new = math.floor(maximum)
    if new <= high:
        return None
    return Hyperparameter(type=hp.type, low=hp.low, high=int(new) if integer else new, log=hp.log, step=hp.step,
                          enabled=hp.enabled)


def range_advice(params: Mapping[str, Any], space: Mapping[str, Hyperparameter],
                 specs: Mapping[str, ParamSpec], margin: float = EDGE_MARGIN) -> list[RangeAdvice]:
    """Every numeric hyperparameter of ``params`` at an end of its range that could be widened."""
    out = []
    for name, hp in space.items():
        if not hp.enabled or hp.type == "categorical" or hp.values is not None or name not in params:
            continue
        t = _position(params[name], hp)
        if t is None:
            continue
        side = "low" if t <= margin else "high" if t >= 1 - margin else None
        if side is None:
            continue
        widened = widen(hp, side, specs.get(name))
        if widened is not None:
            out.append(RangeAdvice(name, params[name], side, hp, widened))
    return out


# -- timelines --------------------------------------------------------------------------------------


def merge_bars(row: np.ndarray, start: np.ndarray, end: np.ndarray, state: np.ndarray,
               min_gap: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Join bars of the same row and state that touch or are less than ``min_gap`` apart.

    Used when bars outnumber pixels: a worker that ran 5,000 trials back to back
    becomes a few long bars, broken wherever its state changes or it sat idle for
    longer than a pixel. Returns (row, start, end, state, count) per merged bar.
    """
    row, start, end, state = (np.asarray(a) for a in (row, start, end, state))
    if len(row) == 0:
        empty = np.empty(0)
        return row, start, end, state, empty.astype(np.int64)
    order = np.lexsort((start, row))
    row, start, end, state = row[order], start[order], end[order], state[order]
    # One worker runs one trial at a time, so within a row a bar starts after the previous one ends.
    new_row = np.r_[True, row[1:] != row[:-1]]
    breaks = new_row | np.r_[True, state[1:] != state[:-1]] | np.r_[True, start[1:] - end[:-1] > min_gap]
    groups = np.cumsum(breaks) - 1
    first = np.nonzero(breaks)[0]
    merged_end = np.maximum.reduceat(end, first)
    counts = np.bincount(groups)
    return row[first], start[first], merged_end, state[first], counts


def thin(x: np.ndarray, y: np.ndarray, x_range: tuple[float, float], y_range: tuple[float, float],
         cells: tuple[int, int]) -> np.ndarray:
    """Indices of at most one point per cell of a ``cells`` grid over the ranges (the first one in order).

    A chart with more points than pixels draws only these: every occupied cell
    still shows a point, so outliers and the shape of the cloud survive, while the
    drawing cost stops growing with the number of trials.
    """
    if len(x) == 0:
        return np.empty(0, dtype=np.int64)
    _, first = np.unique(_cell_ids(x, y, x_range, y_range, cells), return_index=True)
    return np.sort(first)


def _cell_ids(x, y, x_range, y_range, cells) -> np.ndarray:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    nx, ny = max(1, int(cells[0])), max(1, int(cells[1]))
    (x0, x1), (y0, y1) = x_range, y_range
    cx = np.clip(((np.nan_to_num(x, nan=x0) - x0) / ((x1 - x0) or 1.0) * nx).astype(np.int64), 0, nx - 1)
    cy = np.clip(((np.nan_to_num(y, nan=y0) - y0) / ((y1 - y0) or 1.0) * ny).astype(np.int64), 0, ny - 1)
    return cx * ny + cy


def spread_per_cell(x: np.ndarray, y: np.ndarray, low: np.ndarray, high: np.ndarray,
                    x_range: tuple[float, float], y_range: tuple[float, float],
                    cells: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One error bar per occupied cell: (index of the cell's first point, lowest low, highest high).

    Every bar of a cell passes through the cell (its point lies inside), so together
    they cover exactly the lowest low to the highest high: one bar per cell draws the
    same pixels as all of them, however many trials share the cell.
    """
    if len(x) == 0:
        empty = np.empty(0)
        return empty.astype(np.int64), empty, empty
    ids = _cell_ids(x, y, x_range, y_range, cells)
    order = np.argsort(ids, kind="stable")  # stable: each run starts with the cell's first point
    ids = ids[order]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    lows = np.fmin.reduceat(np.asarray(low, dtype=float)[order], starts)
    highs = np.fmax.reduceat(np.asarray(high, dtype=float)[order], starts)
    first = order[starts]
    by_number = np.argsort(first)
    return first[by_number], lows[by_number], highs[by_number]
