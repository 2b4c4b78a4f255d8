"""Learning curves: each trial's score against the resource it had reached (epochs, trees, rows, folds).

Every trial that reported steps is one line; a pruned trial's line ends where it was stopped
(with a cross), a complete one's at the full resource (with a dot); the best trial is drawn over
the rest, thicker. All lines of a state are one plot item, joined point to point and broken
between trials (``connect="finite"`` over NaN gaps), so 10,000 trials draw as three items.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from superqt import QElidingLabel

from ...core.records import TrialRecord
from ...core.resources import FOLDS, RESOURCE_LABELS
from ...core.trials import TrialStore
from ..plotting import style_axes
from .base import AnalysisView, HoverPicker

__all__ = ["LearningCurvesView"]

_EMPTY = np.empty(0)


def curve_x(record: TrialRecord) -> list[float]:
    """The steps of a trial's curve on the resource's own scale (folds count from 1, not from step 0)."""
    steps = [float(step) for step, _ in record.curve or ()]
    kind = (record.resource or {}).get("kind", FOLDS)
    return [s + 1 for s in steps] if kind == FOLDS else steps


def _lines(records: list[TrialRecord]) -> tuple[np.ndarray, np.ndarray]:
    xs: list[float] = []
    ys: list[float] = []
    for r in records:
        xs.extend(curve_x(r))
        xs.append(np.nan)
        ys.extend(v for _, v in r.curve)
        ys.append(np.nan)
    return np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)


class LearningCurvesView(AnalysisView):
    TITLE = "Learning curves"
    GROUP = "Progress"
    HAS_TOP_K = False

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summary = QElidingLabel(self)
        self.summary.setObjectName("learningSummary")
        self.toolbar.insertWidget(self.toolbar.count() - 1, self.summary, 3)
        self.view = pg.PlotWidget(self)
        self.view.setObjectName("learningPlot")
        plot = self.plot = self.view.getPlotItem()
        plot.setMenuEnabled(False)
        plot.showGrid(x=True, y=True, alpha=0.1)
        self.lines = {name: pg.PlotDataItem(connect="finite", skipFiniteCheck=True) for name in ("complete", "pruned")}
        for z, item in enumerate(self.lines.values()):
            item.setZValue(1 + z)
            item.setClipToView(True)
            plot.addItem(item)
        # PlotDataItems (symbols, no line) rather than scatter items: they follow the log axis.
        self.ends = {name: pg.PlotDataItem(pen=None, symbolSize=6) for name in ("complete", "pruned")}
        for item in self.ends.values():
            item.setZValue(4)
            plot.addItem(item)
        self.best_line = pg.PlotDataItem()
        self.best_line.setZValue(6)
        plot.addItem(self.best_line)
        self.selected_line = pg.PlotDataItem()
        self.selected_line.setZValue(7)
        plot.addItem(self.selected_line)
        self.picker = HoverPicker(plot, self.tooltip_for, self.trialClicked.emit)
        self.body.addWidget(self.view, 1)
        self.body.addWidget(self.empty_label)
        self._data: dict[str, Any] = {}
        self._curves: dict[int, TrialRecord] = {}
        self._apply_colours()
        self._clear()

    def _clear(self) -> None:
        for item in (*self.lines.values(), self.best_line, self.selected_line):
            item.setData(_EMPTY, _EMPTY)
        for item in self.ends.values():
            item.setData(_EMPTY, _EMPTY)
        self.picker.set_points(_EMPTY, _EMPTY, _EMPTY)
        self._data = {"complete": (_EMPTY, _EMPTY), "pruned": (_EMPTY, _EMPTY), "best": None, "trials": 0,
                      "kind": None}
        self._curves = {}
        self.summary.setText("")

    def _draw(self, store: TrialStore, records: list[TrialRecord]) -> None:
        curved = [r for r in records if r.curve and r.state in ("complete", "pruned")]
        self.view.setVisible(bool(curved))
        self.empty_label.setVisible(not curved)
        if not curved:
            self.empty_label.setText(
                "No learning curves yet: they come from trials that are stopped early by a resource or by "
                "folds (Search tab, \"Stop poor trials early\")" if records else "No trials yet")
            self._clear()
            return
        kinds = [(r.resource or {}).get("kind", FOLDS) for r in curved]
        kind = max(set(kinds), key=kinds.count)
        label = RESOURCE_LABELS.get(kind, kind)
        # The steps grow geometrically (rungs minimum·3^k): on a log axis they are evenly spaced, and the
        # early steps, where most trials stop, get their share of the width. Folds count 1, 2, 3.
        log_x = kind != FOLDS
        self.plot.setLogMode(x=log_x, y=False)
        self._set_ticks(curved, log_x)
        self.plot.setLabel("bottom", label[:1].upper() + label[1:])
        self.plot.setLabel("left", self.metric_label)
        by_state = {s: [r for r in curved if r.state == s] for s in ("complete", "pruned")}
        end_x, end_y, end_n = [], [], []
        for state, members in by_state.items():
            x, y = _lines(members)
            self.lines[state].setData(x, y)
            ex = np.array([curve_x(r)[-1] for r in members], dtype=float)
            ey = np.array([r.curve[-1][1] for r in members], dtype=float)
            self.ends[state].setData(ex, ey)
            self._data[state] = (x, y)
            end_x.append(ex)
            end_y.append(ey)
            end_n.append(np.array([r.number for r in members], dtype=np.int64))
        picked_x = np.concatenate(end_x)
        self.picker.set_points(np.log10(picked_x) if log_x else picked_x, np.concatenate(end_y),
                               np.concatenate(end_n))
        self._curves = {r.number: r for r in curved}
        best = store.best
        if best is not None and best.number in self._curves:
            self.best_line.setData(curve_x(best), [v for _, v in best.curve])
            self._data["best"] = best.number
        else:
            self.best_line.setData(_EMPTY, _EMPTY)
            self._data["best"] = None
        self._data["trials"] = len(curved)
        self._data["kind"] = kind
        n_pruned = len(by_state["pruned"])
        self.summary.setText(f"{len(curved)} trials, {n_pruned} stopped early"
                             + (f"; best: trial {best.number}" if self._data["best"] is not None else ""))

    def _set_ticks(self, curved: list[TrialRecord], log_x: bool) -> None:
        """Ticks at the steps themselves (a log axis's own labels crowd 3·10¹ 4·10 5·10 ... together)."""
        steps = sorted({x for r in curved[:2000] for x in curve_x(r)})
        if len(steps) > 12:  # every other step, keeping the last (the full resource)
            steps = steps[::-(-len(steps) // 12)] + ([steps[-1]] if steps[-1] not in steps[::-(-len(steps) // 12)]
                                                      else [])
        where = np.log10(steps) if log_x else np.asarray(steps, dtype=float)
        self.plot.getAxis("bottom").setTicks([[(float(p), f"{s:g}") for p, s in zip(where, steps)]])

    def tooltip_lines(self, record: TrialRecord) -> list[str]:
        res = record.resource or {}
        if not res:
            return []
        label = RESOURCE_LABELS.get(res.get("kind"), res.get("kind"))
        lines = [f"Reached {res.get('reached')} of {res.get('max')} {label}"]
        if record.state == "pruned" and res.get("score") is not None:
            lines.append(f"Last score {res['score']:.4g}")
        return lines

    def _show_selection(self) -> None:
        record = self._curves.get(self.selected) if self.selected is not None else None
        if record is None:
            self.selected_line.setData(_EMPTY, _EMPTY)
            return
        self.selected_line.setData(curve_x(record), [v for _, v in record.curve])

    def _apply_colours(self) -> None:
        c = self.colours()
        self.view.setBackground(c.background)
        style_axes(self.plot, c)
        complete = pg.mkColor(c.complete)
        complete.setAlpha(110)
        pruned = pg.mkColor(c.pruned)
        pruned.setAlpha(90)
        self.lines["complete"].setPen(pg.mkPen(complete, width=1))
        self.lines["pruned"].setPen(pg.mkPen(pruned, width=1))
        self.ends["complete"].setSymbol("o")
        self.ends["complete"].setSymbolBrush(pg.mkBrush(c.complete))
        self.ends["complete"].setSymbolPen(None)
        self.ends["pruned"].setSymbol("x")
        self.ends["pruned"].setSymbolBrush(pg.mkBrush(c.pruned))
        self.ends["pruned"].setSymbolPen(pg.mkPen(c.pruned, width=1))
        self.best_line.setPen(pg.mkPen(c.best, width=3))
        self.selected_line.setPen(pg.mkPen(c.selection, width=2))

    def export_item(self) -> Any:
        return self.plot

    def plotted(self) -> dict[str, Any]:
        """The lines per state (x, y with NaN between trials), the best trial's number, trials drawn, resource."""
        return dict(self._data)
