"""Parallel coordinates: a vertical axis per hyperparameter plus the score, a line per trial.

Each axis spans its hyperparameter's searched range (log ranges on a log scale,
choices evenly spaced); a trial's line crosses every axis at its value, so the
bundle of bright (good) lines shows which combinations score well. Lines are
coloured by score, best drawn on top. A hyperparameter that did not apply to a
trial, and the score of a failed or pruned trial, sit on an "n/a" row below the
axis.

Lines are drawn as a handful of curves, one per colour, with NaN breaks between
trials (``connect="finite"``): thousands of lines cost a few draw calls.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from ...core.records import TrialRecord
from ...core.trials import TrialStore
from ...core.formatting import format_number
from .base import AnalysisView, HoverPicker
from .common import (ParamAxis, colour_index, colour_map, colour_table, nice_ticks, note_label, score_range,
                     shown_by_state)

NA_Y = -0.12  # where "not applicable" and "no score" sit, below each axis
_EMPTY = np.empty(0)
_EMPTY_INT = np.empty(0, dtype=np.int64)


class ParallelView(AnalysisView):
    """One axis per hyperparameter and one for the score; a line per trial, coloured by score."""

    TITLE = "Parallel coordinates"
    GROUP = "Parameters"
    MAX_LINES = 2_000  # completed trials drawn at most: the best, then a stable sample
    MAX_BEST = 500
    MAX_EDGE = 300  # failed or pruned lines at most, each
    COLOURS = 12

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.note = note_label(self)
        self._graphics = pg.GraphicsLayoutWidget(self)
        self._graphics.setObjectName("parallelPlot")
        self._graphics.ci.setContentsMargins(8, 8, 8, 8)
        plot = self._plot = self._graphics.ci.addPlot(row=0, col=0)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.setMouseEnabled(x=False, y=False)
        plot.getViewBox().setDefaultPadding(0)
        self._colour_bar = pg.ColorBarItem(values=(0, 1), colorMap=pg.colormap.get("viridis"), interactive=False,
                                           width=14, colorMapMenu=False)
        self._graphics.ci.addItem(self._colour_bar, row=0, col=1)
        self.body.addWidget(self._graphics, 1)
        self.body.addWidget(self.empty_label, 1)

        self._curves = [pg.PlotCurveItem(connect="finite") for _ in range(self.COLOURS)]
        for z, curve in enumerate(self._curves):
            curve.setZValue(10 + z)  # the best colours last, on top
            plot.addItem(curve)
        self._failed_curve = pg.PlotCurveItem(connect="finite")
        self._pruned_curve = pg.PlotCurveItem(connect="finite")
        self._failed_curve.setZValue(5)
        self._pruned_curve.setZValue(5)
        plot.addItem(self._failed_curve)
        plot.addItem(self._pruned_curve)
        self._axis_lines = pg.PlotCurveItem(connect="pairs")
        self._axis_lines.setZValue(50)
        plot.addItem(self._axis_lines)
        self._selection = pg.PlotDataItem(symbol="o", symbolSize=7, antialias=True)
        self._selection.setZValue(60)
        plot.addItem(self._selection)
        self._texts: list[pg.TextItem] = []
        self._text_key: tuple | None = None
        self.picker = HoverPicker(plot, self.tooltip_for, self.trialClicked.emit)
        self._axes: list[ParamAxis] = []
        self._reset_data()
        self._apply_palette()
        self._update_empty()

    def _reset_data(self) -> None:
        self._numbers = _EMPTY_INT
        self._vertices = np.empty((0, 1))
        self._f_numbers = self._p_numbers = _EMPTY_INT
        self._f_vertices = self._p_vertices = np.empty((0, 1))
        self._ranges: list[tuple[float, float]] = []
        self._score_range = (0.0, 1.0)

    # -- context and palette ---------------------------------------------------------------------
    def _on_context(self) -> None:
        self._axes = [ParamAxis(name, hp) for name, hp in self.space.items()]
        self._text_key = None
        self._reset_data()
        self._apply_palette()
        self._update_empty()
        for curve in self._curves + [self._failed_curve, self._pruned_curve, self._axis_lines]:
            curve.setData(x=_EMPTY, y=_EMPTY)
        self._selection.setData(x=_EMPTY, y=_EMPTY)
        self._clear_texts()
        self._set_ranges()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
            self._text_key = None
            self.invalidate()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        c = self.colours()
        self._graphics.setBackground(c.background)
        many = len(self._numbers) > 300
        reverse = not self.greater_is_better  # bright is always better
        table = colour_table("viridis", self.COLOURS, alpha=110 if many else 200, reverse=reverse)
        for curve, colour in zip(self._curves, table):
            curve.setPen(pg.mkPen(colour, width=1))
        failed, pruned = QColor(c.failed), QColor(c.pruned)
        failed.setAlpha(90)
        pruned.setAlpha(90)
        self._failed_curve.setPen(pg.mkPen(failed, width=1))
        self._pruned_curve.setPen(pg.mkPen(pruned, width=1))
        axis = QColor(c.foreground)
        axis.setAlpha(170)
        self._axis_lines.setPen(pg.mkPen(axis, width=1))
        self._selection.setPen(pg.mkPen(c.selection, width=3))
        self._selection.setSymbolPen(pg.mkPen(c.selection, width=1))
        self._selection.setSymbolBrush(pg.mkBrush(c.background))
        self._colour_bar.setColorMap(colour_map("viridis", reverse=reverse))
        for name in ("left", "right", "top", "bottom"):
            self._colour_bar.getAxis(name).setPen(pg.mkPen(axis))
            self._colour_bar.getAxis(name).setTextPen(pg.mkPen(c.foreground))

    def _update_empty(self) -> None:
        has = bool(self._axes)
        self.empty_label.setText("No hyperparameter is being searched.")
        self._graphics.setVisible(has)
        self.empty_label.setVisible(not has)

    def _set_ranges(self, has_na: bool = True) -> None:
        count = len(self._axes) + 1
        self._plot.setXRange(-0.45, count - 1 + 0.45, padding=0)
        self._plot.setYRange(NA_Y - 0.06 if has_na else -0.05, 1.13, padding=0)  # the n/a row only when used

    # -- drawing ---------------------------------------------------------------------------------
    def _draw(self, store: TrialStore, records: list[TrialRecord]) -> None:
        arrays = store.arrays()
        index = self.visible_indices(store)
        split = shown_by_state(arrays, index, self.greater_is_better, self.MAX_LINES, self.MAX_BEST, self.MAX_EDGE)
        c_index, f_index, p_index = split.complete, split.failed, split.pruned

        records = store.records
        everything = np.concatenate([c_index, f_index, p_index])
        params = [records[i].params for i in everything]
        coords = [axis.coords(params) for axis in self._axes]
        self._ranges = [axis.view_range(x) for axis, x in zip(self._axes, coords)]
        columns = [self._normalise(axis, x, r) for axis, x, r in zip(self._axes, coords, self._ranges)]
        values = arrays.values[c_index]
        low, high = score_range(values)
        if high <= low:
            pad = abs(low) * 0.05 or 0.5
            low, high = low - pad, high + pad
        self._score_range = (low, high)
        score = np.full(len(everything), NA_Y)
        score[:len(c_index)] = (values - low) / (high - low)
        vertices = np.column_stack(columns + [score]) if len(everything) else np.empty((0, len(columns) + 1))
        nc, nf = len(c_index), len(f_index)
        self._numbers = arrays.numbers[c_index].astype(np.int64)
        self._vertices = vertices[:nc]
        self._f_numbers, self._f_vertices = arrays.numbers[f_index].astype(np.int64), vertices[nc:nc + nf]
        self._p_numbers, self._p_vertices = arrays.numbers[p_index].astype(np.int64), vertices[nc + nf:]

        self._apply_palette()  # line opacity depends on how many lines there are
        better = values if self.greater_is_better else -values
        bins = colour_index(better, float(np.min(better)) if nc else 0.0, float(np.max(better)) if nc else 1.0,
                            self.COLOURS)
        for bin_, curve in enumerate(self._curves):
            x, y = _polylines(self._vertices[bins == bin_])
            curve.setData(x=x, y=y)
        self._failed_curve.setData(*_polylines(self._f_vertices))
        self._pruned_curve.setData(*_polylines(self._p_vertices))
        self._colour_bar.setLevels((low, high))

        count = vertices.shape[1] if len(everything) else len(self._axes) + 1
        xs = np.tile(np.arange(count, dtype=float), len(everything))
        self.picker.set_points(xs, vertices.ravel(), np.repeat(arrays.numbers[everything].astype(np.int64), count))
        self._draw_axes(coords, has_edge=nf + len(p_index) > 0)

        notes = split.sampling_notes()
        if nf or len(p_index):
            notes.append("failed/pruned lines end at “no score”")
        self.note.setText("; ".join(notes))
        self.note.setVisible(bool(self.note.text()))

    @staticmethod
    def _normalise(axis: ParamAxis, coords: np.ndarray, view_range: tuple[float, float]) -> np.ndarray:
        if axis.categorical:
            n = max(len(axis.categories), 1)
            out = (coords + 0.5) / n
        else:
            low, high = view_range
            out = (coords - low) / (high - low)
        return np.where(np.isfinite(out), out, NA_Y)

    def _draw_axes(self, coords: list[np.ndarray], has_edge: bool) -> None:
        """The axis lines, their ticks and names (rebuilt only when a range or a label changes)."""
        has_na = [bool(len(x)) and bool(np.isnan(x).any()) for x in coords] + [has_edge]
        key = (tuple(self._ranges), tuple(tuple(a.categories) for a in self._axes), self._score_range,
               tuple(has_na), self.metric_label, self.width() // 40)
        if key == self._text_key:
            return
        self._text_key = key
        self._clear_texts()
        c = self.colours()
        count = len(self._axes) + 1
        lines_x, lines_y = [], []
        names = [a.name for a in self._axes] + [self.metric_label]
        stagger = count > max(2, self.width() // 110)
        for i in range(count):
            lines_x += [i, i]
            lines_y += [0.0, 1.0]
            ticks = self._ticks(i)
            for position, text in ticks:
                lines_x += [i, i + 0.04]
                lines_y += [position, position]
                self._add_text(text, i + 0.05, position, (0, 0.5), c.foreground)
            if has_na[i]:
                self._add_text("no score" if i == count - 1 else "n/a", i + 0.05, NA_Y, (0, 0.5), c.pruned)
            up = stagger and i % 2 == 1
            self._add_text(names[i], i, 1.0, (0.5, 2.1 if up else 1.1), c.foreground, bold=True)
        self._axis_lines.setData(x=np.array(lines_x, dtype=float), y=np.array(lines_y, dtype=float))
        self._set_ranges(any(has_na))

    def _ticks(self, i: int) -> list[tuple[float, str]]:
        if i == len(self._axes):
            # The lowest and highest scores are labelled too: the best score is the one people look for.
            low, high = self._score_range
            ticks = [(t - low) / (high - low) for t in nice_ticks(low, high, count=6)]
            ticks = [0.0] + [t for t in ticks if 0.06 < t < 0.94] + [1.0]
            return [(t, format_number(low + t * (high - low), digits=3)) for t in ticks]
        axis = self._axes[i]
        low, high = self._ranges[i]
        if axis.categorical:
            n = max(len(axis.categories), 1)
            return [((k + 0.5) / n, text) for k, text in axis.category_ticks()]
        fixed = axis.fixed_ticks()
        positions = [t for t, _ in fixed] if fixed else nice_ticks(low, high, axis.log)
        return [((t - low) / (high - low), axis.label(t)) for t in positions if low <= t <= high]

    def _add_text(self, text: str, x: float, y: float, anchor, colour: QColor, bold: bool = False) -> None:
        # A veil of the background behind each label keeps it readable over the lines.
        fill = QColor(self.colours().background)
        fill.setAlpha(190)
        item = pg.TextItem(text, color=colour, anchor=anchor, fill=fill)
        font = item.textItem.font()
        font.setPointSizeF(font.pointSizeF() * (0.95 if bold else 0.82))
        font.setBold(bold)
        item.setFont(font)
        item.setPos(x, y)
        item.setZValue(70)
        self._plot.addItem(item, ignoreBounds=True)
        self._texts.append(item)

    def _clear_texts(self) -> None:
        for item in self._texts:
            self._plot.removeItem(item)
        self._texts = []

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._axes and self._store is not None:
            self.invalidate()  # names may need staggering at the new width

    def _show_selection(self) -> None:
        number = self._selected
        row = None
        for numbers, vertices in ((self._numbers, self._vertices), (self._f_numbers, self._f_vertices),
                                  (self._p_numbers, self._p_vertices)):
            hits = np.flatnonzero(numbers == number) if number is not None else _EMPTY_INT
            if len(hits):
                row = vertices[hits[0]]
                break
        if row is None:
            self._selection.setData(x=_EMPTY, y=_EMPTY)
        else:
            self._selection.setData(x=np.arange(len(row), dtype=float), y=row)

    # -- for the window and tests ----------------------------------------------------------------
    def export_item(self) -> Any:
        return self._graphics.ci

    @property
    def plot(self) -> pg.PlotItem:
        return self._plot

    def plotted(self) -> dict[str, Any]:
        """Per trial, the vertex on each axis in [0, 1] (``NA_Y`` where it did not apply / has no score)."""
        return {"axes": [a.name for a in self._axes] + [self.metric_label],
                "numbers": self._numbers, "vertices": self._vertices,
                "failed_numbers": self._f_numbers, "failed_vertices": self._f_vertices,
                "pruned_numbers": self._p_numbers, "pruned_vertices": self._p_vertices,
                "ranges": list(self._ranges), "score_range": self._score_range,
                "selected": self._selection.getData()[1], "note": self.note.text()}


def _polylines(vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of many polylines in one array, a NaN between trials so each line stands alone."""
    n, count = vertices.shape if vertices.ndim == 2 else (0, 0)
    if n == 0:
        return _EMPTY, _EMPTY
    x = np.tile(np.append(np.arange(count, dtype=float), np.nan), n)
    y = np.hstack([vertices, np.full((n, 1), np.nan)]).ravel()
    return x, y


__all__ = ["ParallelView", "NA_Y"]
