"""Slices: the score against each hyperparameter, one small chart each, coloured by trial number.

Where the points of a slice gather shows which values score well; their colour
(early dark, late bright) shows where the search converged. Failed and pruned
trials have no score: they sit along the bottom edge of each slice.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

from ...core.records import TrialRecord
from ...core.trials import TrialStore
from ..plotting import style_axes
from .base import AnalysisView, HoverPicker
from .common import (ParamAxis, ValueAxis, colour_index, colour_table, note_label, score_range, shown_by_state,
                     stable_jitter)

_EMPTY = np.empty(0)
_EMPTY_INT = np.empty(0, dtype=np.int64)


class _Slice:
    """One hyperparameter's small chart."""

    def __init__(self, axis: ParamAxis, plot: pg.PlotItem, view: "SlicesView"):
        self.axis = axis
        self.plot = plot
        # One scatter item per colour: pyqtgraph draws a single-brush item far faster than per-point brushes.
        self.complete = [pg.ScatterPlotItem(symbol="o", size=6, pxMode=True, antialias=True, pen=None)
                         for _ in range(view.COLOURS)]
        self.failed = pg.ScatterPlotItem(symbol="x", size=7, pxMode=True, antialias=True)
        self.pruned = pg.ScatterPlotItem(symbol="o", size=6, pxMode=True, antialias=True)
        self.ring = pg.ScatterPlotItem(symbol="o", size=15, pxMode=True, antialias=True)
        for item in self.complete:
            item.setZValue(1)
            plot.addItem(item)
        self.failed.setZValue(2)
        self.pruned.setZValue(2)
        self.ring.setZValue(5)
        plot.addItem(self.failed)
        plot.addItem(self.pruned)
        plot.addItem(self.ring, ignoreBounds=True)
        self.ring.hide()
        self.picker = HoverPicker(plot, view.tooltip_for, view.trialClicked.emit)
        # Data of what is drawn: x per point (view coordinates), in the order of view._numbers.
        self.x = _EMPTY
        if axis.log:
            plot.getAxis("bottom").setLogMode(True)
        ticks = axis.fixed_ticks()
        if ticks is not None:
            plot.getAxis("bottom").setTicks([ticks, []])


class SlicesView(AnalysisView):
    """Score against each hyperparameter, a small chart each, in a grid."""

    TITLE = "Slices"
    GROUP = "Parameters"
    # A slice is ~300 x 200 pixels: 2,000 points already cover it, and pyqtgraph pays ~10 us per point.
    MAX_POINTS = 2_000  # completed trials drawn per slice at most (the best, then a stable sample)
    MAX_BEST = 500
    MAX_EDGE = 300  # failed or pruned markers at most, each
    CELL_WIDTH = 300
    CELL_HEIGHT = 210
    COLOURS = 10

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.note = note_label(self)
        self._graphics = pg.GraphicsLayoutWidget()
        self._graphics.setObjectName("slicesPlot")
        self._graphics.ci.setContentsMargins(4, 4, 4, 4)
        self._graphics.ci.setSpacing(6)
        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setWidget(self._graphics)
        self.body.addWidget(self._scroll, 1)
        self.body.addWidget(self.empty_label, 1)
        self._slices: dict[str, _Slice] = {}
        self._pending_build = False
        self._colour_bar: pg.ColorBarItem | None = None
        self._table = colour_table("viridis", self.COLOURS)
        self._columns = 0
        self._reset_data()
        self._update_empty("No hyperparameter is being searched.")

    def _reset_data(self) -> None:
        self._numbers = _EMPTY_INT  # every drawn point: completed, then failed, then pruned
        self._y = _EMPTY
        self._n_complete = self._n_failed = 0
        self._floor = math.nan
        self._trial_range = (0.0, 1.0)
        self._total = 0

    # -- building --------------------------------------------------------------------------------
    def _on_context(self) -> None:
        # A chart per hyperparameter costs ~0.1 s to make: a hidden tab makes them at its first draw.
        self._clear()
        self._pending_build = True

    def _clear(self) -> None:
        for s in self._slices.values():
            s.picker.detach()
        self._graphics.ci.clear()
        self._slices = {}

    def _build(self) -> None:
        self._pending_build = False
        layout = self._graphics.ci
        self._clear()
        names = list(self.space)
        self._columns = self._column_count(len(names))
        c = self.colours()
        self._graphics.setBackground(c.background)
        for i, name in enumerate(names):
            row, col = divmod(i, self._columns)
            plot = layout.addPlot(row=row, col=col,
                                  axisItems={"left": ValueAxis("left"), "bottom": ValueAxis("bottom")},
                                  enableMenu=False)  # made without its menus: a fifth of each plot's cost
            plot.hideButtons()
            plot.showGrid(x=True, y=True, alpha=0.08)
            plot.setTitle(name, size="9pt", color=c.foreground.name())
            plot.getAxis("left").setWidth(46)
            plot.setMinimumHeight(self.CELL_HEIGHT - 20)
            style_axes(plot, c)
            self._slices[name] = _Slice(ParamAxis(name, self.space[name]), plot, self)
            self._slices[name].failed.setPen(pg.mkPen(c.failed, width=1.5))
            self._slices[name].failed.setBrush(None)
            self._slices[name].pruned.setPen(pg.mkPen(c.pruned, width=1.2))
            self._slices[name].pruned.setBrush(None)
            self._slices[name].ring.setPen(pg.mkPen(c.selection, width=2))
            self._slices[name].ring.setBrush(None)
            for item, colour in zip(self._slices[name].complete, self._table):
                item.setBrush(pg.mkBrush(colour))
        rows = math.ceil(len(names) / self._columns) if names else 0
        self._colour_bar = None
        if names:
            bar = pg.ColorBarItem(values=(0, 1), colorMap=pg.colormap.get("viridis"), label="Trial",
                                  interactive=False, width=14, colorMapMenu=False)
            bar.getAxis("left").setTextPen(pg.mkPen(c.foreground))
            bar.getAxis("right").setTextPen(pg.mkPen(c.foreground))
            bar.getAxis("right").setPen(pg.mkPen(c.foreground))
            layout.addItem(bar, row=0, col=self._columns, rowspan=max(rows, 1))
            self._colour_bar = bar
        self._graphics.setMinimumHeight(self.CELL_HEIGHT * rows + 8 if names else 0)
        self._reset_data()
        self._update_empty("No hyperparameter is being searched.")

    def _column_count(self, n: int) -> int:
        width = max(self.width(), 600)
        return max(1, min(n, 4, width // self.CELL_WIDTH))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._slices and self._column_count(len(self._slices)) != self._columns:
            self._build()
            self.invalidate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange) and self._slices:
            self._build()
            self.invalidate()
        super().changeEvent(event)

    def _update_empty(self, text: str) -> None:
        self.empty_label.setText(text)
        has = bool(self._slices)
        self._scroll.setVisible(has)
        self.empty_label.setVisible(not has)

    # -- drawing ---------------------------------------------------------------------------------
    def _draw(self, store: TrialStore, records: list[TrialRecord]) -> None:
        if self._pending_build:
            self._build()
        arrays = store.arrays()
        index = self.visible_indices(store)
        split = shown_by_state(arrays, index, self.greater_is_better, self.MAX_POINTS, self.MAX_BEST, self.MAX_EDGE)
        c_index, f_index, p_index = split.complete, split.failed, split.pruned
        c_numbers, c_values = arrays.numbers[c_index].astype(np.int64), arrays.values[c_index]
        f_numbers, p_numbers = arrays.numbers[f_index].astype(np.int64), arrays.numbers[p_index].astype(np.int64)

        low, high = score_range(c_values)
        span = (high - low) or (abs(high) * 0.1 or 1.0)
        floor = low - 0.12 * span if len(c_values) else 0.0
        top = high + 0.06 * span if len(c_values) else 1.0
        self._floor = floor
        self._numbers = np.concatenate([c_numbers, f_numbers, p_numbers])
        self._y = np.concatenate([c_values, np.full(len(f_numbers) + len(p_numbers), floor)])
        self._n_complete, self._n_failed = len(c_numbers), len(f_numbers)
        first, last = (float(arrays.numbers[0]), float(arrays.numbers[-1])) if len(store) else (0.0, 1.0)
        self._trial_range = (first, max(last, first + 1))
        colours = colour_index(c_numbers, self._trial_range[0], self._trial_range[1], self.COLOURS)
        all_records = store.records
        params = [all_records[i].params for i in np.concatenate([c_index, f_index, p_index])]
        nc, nf = self._n_complete, self._n_failed
        for s in self._slices.values():
            x = s.axis.coords(params)
            if s.axis.categorical:
                x = x + stable_jitter(self._numbers, 0.3)
                s.plot.getAxis("bottom").setTicks([s.axis.category_ticks(), []])  # new choices may have appeared
            s.x = x
            drawn = np.isfinite(x)  # NaN: the hyperparameter did not apply to that trial
            xc, dc = x[:nc], drawn[:nc]
            for bin_, item in enumerate(s.complete):
                mask = (colours == bin_) & dc
                item.setData(x=xc[mask], y=c_values[mask])
            for item, part in ((s.failed, slice(nc, nc + nf)), (s.pruned, slice(nc + nf, len(x)))):
                item.setData(x=x[part][drawn[part]], y=self._y[part][drawn[part]])
            s.picker.set_points(x, self._y, self._numbers)
            a, b = s.axis.view_range(x)
            s.plot.setXRange(a, b, padding=0)
            s.plot.setYRange(floor - 0.04 * span, top, padding=0)
        if self._colour_bar is not None:
            self._colour_bar.setLevels(self._trial_range)
        self._total = len(index)
        notes = split.sampling_notes()
        if len(f_numbers) or len(p_numbers):
            notes.append("× failed, ○ pruned: no score, drawn along the bottom")
        self.note.setText("; ".join(notes))
        self.note.setVisible(bool(self.note.text()))
        if not self._slices:
            self._update_empty("No hyperparameter is being searched.")

    def _show_selection(self) -> None:
        hits = np.flatnonzero(self._numbers == self._selected) if self._selected is not None else _EMPTY_INT
        for s in self._slices.values():
            if len(hits) and len(s.x) > hits[0] and math.isfinite(s.x[hits[0]]):
                s.ring.setData(x=[s.x[hits[0]]], y=[self._y[hits[0]]])
                s.ring.show()
            else:
                s.ring.hide()

    # -- for the window and tests ----------------------------------------------------------------
    def export_item(self) -> Any:
        return self._graphics.ci

    def plot_for(self, name: str) -> pg.PlotItem:
        return self._slices[name].plot

    def picker_for(self, name: str) -> HoverPicker:
        return self._slices[name].picker

    def plotted(self) -> dict[str, Any]:
        nc, nf = self._n_complete, self._n_failed
        slices = {}
        for name, s in self._slices.items():
            # Points where the hyperparameter did not apply (NaN) are not drawn, so not reported.
            c, f, p = (slice(0, nc), slice(nc, nc + nf), slice(nc + nf, len(s.x)))
            keep = np.isfinite(s.x)
            slices[name] = {
                "x": s.x[c][keep[c]], "y": self._y[c][keep[c]], "numbers": self._numbers[c][keep[c]],
                "failed_x": s.x[f][keep[f]], "failed_numbers": self._numbers[f][keep[f]],
                "pruned_x": s.x[p][keep[p]], "pruned_numbers": self._numbers[p][keep[p]],
                "log": s.axis.log, "categories": list(s.axis.categories),
            }
        return {"slices": slices, "floor": self._floor, "colour_range": self._trial_range,
                "note": self.note.text(), "selected": self._selected if self._ring_visible() else None}

    def _ring_visible(self) -> bool:
        return any(s.ring.isVisible() for s in self._slices.values())


__all__ = ["SlicesView"]
