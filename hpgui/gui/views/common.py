"""Pieces the analysis views share: hyperparameter axes, stable downsampling, colour tables.

A :class:`ParamAxis` maps one hyperparameter's values to plot coordinates:
log10 of the value on a log range (pyqtgraph's log axes label view coordinates
that way), the choice's index for a categorical one, the value itself
otherwise; NaN where the hyperparameter did not apply to a trial (conditional
hyperparameters are absent from its params).
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QWidget

from ...core.space import Hyperparameter
from ...core.trials import STATE_CODES, TrialArrays
from ...core.formatting import format_number, is_number
from ..plotting import ValueAxis, log_scaled, short

__all__ = ["ValueAxis", "ParamAxis", "Shown", "choose_shown", "ShownByState", "shown_by_state", "stable_jitter",
           "colour_table", "colour_index", "nice_ticks", "score_range", "add_toolbar_widget", "note_label"]


def _key(value: Any) -> tuple:
    # True == 1 and hash alike; the type keeps a choice True apart from a choice 1.
    try:
        hash(value)
    except TypeError:
        value = repr(value)
    return (type(value).__name__, value)




class ParamAxis:
    """How one hyperparameter is placed along a plot axis."""

    def __init__(self, name: str, hp: Hyperparameter):
        self.name = name
        self.hp = hp
        self.categorical = hp.type == "categorical"
        self.categories: list = list(hp.choices or ()) if self.categorical else []
        self._index = {_key(c): i for i, c in enumerate(self.categories)}
        if self.categorical:
            low, high = 0.0, float(max(len(self.categories) - 1, 0))
        elif hp.values is not None:
            numbers = [float(v) for v in hp.values if is_number(v)]
            low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
        else:
            low = float(hp.low) if hp.low is not None else 0.0
            high = float(hp.high) if hp.high is not None else 1.0
        self.log = log_scaled(hp) and low > 0
        self.low, self.high = (math.log10(low), math.log10(high)) if self.log else (low, high)

    def coords(self, params: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """The coordinate of this hyperparameter in each configuration (NaN where it did not apply)."""
        name = self.name
        if self.categorical:
            out = np.empty(len(params))
            for i, p in enumerate(params):
                if name not in p:
                    out[i] = np.nan
                    continue
                key = _key(p[name])
                index = self._index.get(key)
                if index is None:  # a value outside the space (the study was searched with other choices)
                    index = self._index[key] = len(self.categories)
                    self.categories.append(p[name])
                    self.high = float(len(self.categories) - 1)
                out[i] = index
            return out
        nan = math.nan
        raw = [p.get(name) for p in params]
        try:
            values = np.array(raw, dtype=np.float64)  # None (not applicable) becomes NaN
        except (TypeError, ValueError):  # a stray non-number from an edited study
            values = np.fromiter((float(v) if is_number(v) else nan for v in raw), dtype=np.float64,
                                 count=len(raw))
        values[~np.isfinite(values)] = nan
        if self.log:
            with np.errstate(divide="ignore", invalid="ignore"):
                values = np.where(values > 0, np.log10(values), np.nan)
        return values

    def view_range(self, coords: np.ndarray | None = None) -> tuple[float, float]:
        """The space's range, widened to any plotted value outside it."""
        low, high = self.low, self.high
        if coords is not None and len(coords) and np.isfinite(coords).any():
            low, high = min(low, float(np.nanmin(coords))), max(high, float(np.nanmax(coords)))
        if self.categorical:
            return -0.5, max(high, 0.0) + 0.5
        if high <= low:
            pad = abs(low) * 0.1 or 1.0
            return low - pad, high + pad
        pad = 0.04 * (high - low)
        return low - pad, high + pad

    def fixed_ticks(self) -> list[tuple[float, str]] | None:
        """Ticks to set on the axis instead of pyqtgraph's: every choice, or every whole number of a short int range."""
        if self.categorical:
            return self.category_ticks()
        if self.hp.type == "int" and not self.log and self.high - self.low <= 12:
            return [(float(v), str(v)) for v in range(int(math.ceil(self.low)), int(math.floor(self.high)) + 1)]
        return None

    def category_ticks(self) -> list[tuple[float, str]]:
        return [(float(i), short(format_number(c))) for i, c in enumerate(self.categories)]

    def label(self, coord: float) -> str:
        """The hyperparameter value at a coordinate, as text."""
        if self.categorical:
            i = int(round(coord))
            return format_number(self.categories[i]) if 0 <= i < len(self.categories) else ""
        return format_number(10 ** coord if self.log else coord, digits=3)


def _stable_keys(numbers: np.ndarray) -> np.ndarray:
    """A pseudo-random key per trial number that never changes, so a live sample does not reshuffle."""
    n = np.asarray(numbers, dtype=np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        h = (n + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(29)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(32)
    return h


def stable_jitter(numbers: np.ndarray, width: float = 0.3) -> np.ndarray:
    """An offset in [-width/2, width/2) per trial, the same at every redraw."""
    keys = _stable_keys(numbers)
    return ((keys >> np.uint64(11)).astype(np.float64) / float(1 << 53) - 0.5) * width


class Shown:
    """Which of the candidate trials a chart draws, and the sentence that says so."""

    def __init__(self, index: np.ndarray, total: int, best: int = 0):
        self.index = index
        self.total = total
        self.best = best

    @property
    def sampled(self) -> bool:
        return len(self.index) < self.total

    def describe(self, what: str = "trials") -> str:
        if not self.sampled:
            return ""
        return (f"showing {len(self.index):,} of {self.total:,} {what}: "
                f"the best {self.best:,} and a sample")


def choose_shown(numbers: np.ndarray, values: np.ndarray | None, greater_is_better: bool, limit: int,
                 best: int) -> Shown:
    """At most ``limit`` trials: the ``best`` best by score, then a stable pseudo-random sample.

    Indices come back in their original (trial-number) order. Without scores (``values`` None) the
    whole allowance goes to the sample.
    """
    n = len(numbers)
    if n <= limit:
        return Shown(np.arange(n), n)
    keys = _stable_keys(numbers).astype(np.float64)
    n_best = 0
    if values is not None and best > 0:
        n_best = min(best, limit)
        order = np.argsort(-values if greater_is_better else values, kind="stable")[:n_best]
        keys[order] = -1.0
    chosen = np.argpartition(keys, limit - 1)[:limit]
    chosen.sort()
    return Shown(chosen, n, n_best)


class ShownByState:
    """The visible trials a chart draws, split by state and each part thinned to its limit.

    ``complete``, ``failed`` and ``pruned`` are positions in the store, in trial order;
    ``shown`` says how the completed ones were sampled and ``edge_total`` how many
    failed/pruned trials there were before sampling.
    """

    def __init__(self, complete: np.ndarray, failed: np.ndarray, pruned: np.ndarray, shown: Shown,
                 edge_total: int):
        self.complete, self.failed, self.pruned = complete, failed, pruned
        self.shown = shown
        self.edge_total = edge_total

    def sampling_notes(self) -> list[str]:
        """What the note under a chart says about the sampling (nothing when all are drawn)."""
        notes = []
        if self.shown.sampled:
            notes.append(self.shown.describe("completed trials"))
        drawn = len(self.failed) + len(self.pruned)
        if drawn < self.edge_total:
            notes.append(f"{drawn:,} of {self.edge_total:,} failed/pruned")
        return notes


def shown_by_state(arrays: TrialArrays, index: np.ndarray, greater_is_better: bool, limit: int, best: int,
                   edge_limit: int) -> ShownByState:
    """Split the visible trials ``index`` by state: at most ``limit`` completed ones (the ``best``
    best and a sample, see :func:`choose_shown`) and a sample of at most ``edge_limit`` failed and
    ``edge_limit`` pruned ones."""
    states = arrays.states[index]
    c_index = index[states == STATE_CODES["complete"]]
    f_index = index[states == STATE_CODES["failed"]]
    p_index = index[states == STATE_CODES["pruned"]]
    shown = choose_shown(arrays.numbers[c_index], arrays.values[c_index], greater_is_better, limit, best)
    edge_total = len(f_index) + len(p_index)
    f_index = f_index[choose_shown(arrays.numbers[f_index], None, True, edge_limit, 0).index]
    p_index = p_index[choose_shown(arrays.numbers[p_index], None, True, edge_limit, 0).index]
    return ShownByState(c_index[shown.index], f_index, p_index, shown, edge_total)


def colour_table(colormap: str, count: int = 64, alpha: int = 230, reverse: bool = False) -> list[QColor]:
    """``count`` colours along a perceptual colour map (low to high)."""
    cmap = pg.colormap.get(colormap)
    positions = np.linspace(0.0, 1.0, count)
    if reverse:
        positions = positions[::-1]
    rgba = cmap.map(positions, mode="byte")
    return [QColor(int(r), int(g), int(b), alpha) for r, g, b, _ in rgba]


def colour_map(name: str = "viridis", reverse: bool = False) -> pg.ColorMap:
    """A colour map, or a reversed copy of it (pyqtgraph's own ``reverse()`` changes a shared map in place)."""
    cmap = pg.colormap.get(name)
    if not reverse:
        return cmap
    positions, colours = cmap.getStops(mode="byte")
    return pg.ColorMap(1.0 - positions[::-1], colours[::-1])


def colour_index(values: np.ndarray, low: float, high: float, count: int) -> np.ndarray:
    """Which of ``count`` colour bins each value falls in, ``low`` → 0 and ``high`` → count - 1."""
    values = np.asarray(values, dtype=float)
    if not high > low:
        return np.full(len(values), count - 1, dtype=np.int64)
    scaled = (np.nan_to_num(values, nan=low) - low) / (high - low)
    return np.clip((scaled * (count - 1)).round().astype(np.int64), 0, count - 1)


def nice_ticks(low: float, high: float, log: bool = False, count: int = 5) -> list[float]:
    """Round tick positions inside [low, high] (view coordinates; decades and 2, 5 multiples on a log axis)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high <= low:
        return [low]
    if log:
        decades = [float(d) for d in range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1)]
        if len(decades) >= 3:
            step = max(1, math.ceil(len(decades) / count))
            return decades[::step]
        ticks = []
        for d in range(math.floor(low) - 1, math.ceil(high) + 1):
            for m in (1, 2, 5):
                t = d + math.log10(m)
                if low - 1e-9 <= t <= high + 1e-9:
                    ticks.append(t)
        return ticks if len(ticks) >= 2 else [low, high]
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step - 1e-9) * step
    ticks = []
    t = first
    while t <= high + step * 1e-9:
        ticks.append(0.0 if abs(t) < step * 1e-9 else t)
        t += step
    return ticks


def score_range(values: np.ndarray) -> tuple[float, float]:
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if not len(finite):
        return 0.0, 1.0
    return float(finite.min()), float(finite.max())


def add_toolbar_widget(view, widget: QWidget) -> None:
    """Put a widget in an analysis view's toolbar, after the filters and before the export button."""
    toolbar = view.toolbar
    index = toolbar.indexOf(view.export_button)
    # The stretch sits just before the export button; new widgets go before the stretch.
    toolbar.insertWidget(max(index - 1, 0), widget)


def note_label(view) -> QLabel:
    """A small grey line above the chart that says what it leaves out (sampling, failed trials)."""
    from PySide6.QtGui import QPalette

    label = QLabel(view)
    label.setObjectName("viewNote")
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setWordWrap(True)
    label.setContentsMargins(6, 0, 6, 0)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.9)
    label.setFont(font)
    view.body.insertWidget(0, label)
    return label
