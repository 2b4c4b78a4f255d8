"""Contour: the score over two hyperparameters the user picks, as a coloured surface under the trials.

The surface is an estimate from the completed trials: linear interpolation
between them when both hyperparameters are numeric (scipy's ``griddata``; empty
outside the trials' hull), interpolation along the numeric one within each
choice when one is categorical, and the mean score per cell when both are.
Above a few thousand distinct points the surface is binned means instead
(Delaunay triangulation of 100,000 points would take seconds).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from ...core.records import TrialRecord
from ...core.trials import TrialStore
from ..plotting import style_axes
from .base import AnalysisView, HoverPicker
from .common import (ParamAxis, ValueAxis, add_toolbar_widget, choose_shown, colour_map, note_label, score_range,
                     shown_by_state,
                     stable_jitter)

_EMPTY = np.empty(0)
_EMPTY_INT = np.empty(0, dtype=np.int64)


class ContourView(AnalysisView):
    """The score over two chosen hyperparameters: an estimated surface plus the trials themselves."""

    TITLE = "Contour"
    GROUP = "Parameters"
    GRID = 100  # cells along a numeric axis
    BINS = 60  # cells along a numeric axis when the surface is binned means
    MAX_INTERPOLATED = 4_000  # distinct points above which the surface is binned instead of interpolated
    MAX_SURFACE = 20_000  # trials the surface is estimated from at most (binned means of a stable sample)
    MAX_POINTS = 2_000  # completed trials marked at most (the best, then a stable sample)
    MAX_BEST = 500
    MAX_EDGE = 200

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.x_combo = QComboBox(self)
        self.x_combo.setObjectName("contourX")
        self.x_combo.setAccessibleName("Hyperparameter along the horizontal axis")
        self.y_combo = QComboBox(self)
        self.y_combo.setObjectName("contourY")
        self.y_combo.setAccessibleName("Hyperparameter along the vertical axis")
        for text, combo in (("&X", self.x_combo), ("&Y", self.y_combo)):
            # Long hyperparameter names are cut in the closed combo (the list shows them whole), so two
            # of them do not make the view, and with it the window, wider than a laptop screen.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMaximumWidth(combo.fontMetrics().horizontalAdvance("max_depth") + 36)
            label = QLabel(text, self)
            label.setBuddy(combo)
            add_toolbar_widget(self, label)
            add_toolbar_widget(self, combo)
            combo.currentIndexChanged.connect(lambda _=0, c=combo: self._on_pick(c))
        self.note = note_label(self)

        self._graphics = pg.GraphicsLayoutWidget(self)
        self._graphics.setObjectName("contourPlot")
        self._graphics.ci.setContentsMargins(4, 4, 4, 4)
        plot = self._plot = self._graphics.ci.addPlot(
            row=0, col=0, axisItems={"left": ValueAxis("left"), "bottom": ValueAxis("bottom")})
        plot.setMenuEnabled(False)
        plot.hideButtons()
        self._image = pg.ImageItem(axisOrder="col-major")
        self._image.setZValue(-10)
        plot.addItem(self._image)
        cmap = pg.colormap.get("viridis")
        self._colour_bar = pg.ColorBarItem(values=(0, 1), colorMap=cmap, interactive=False, width=14,
                                           colorMapMenu=False)
        self._colour_bar.setImageItem(self._image)
        self._graphics.ci.addItem(self._colour_bar, row=0, col=1)
        self._points = pg.ScatterPlotItem(symbol="o", size=6, pxMode=True, antialias=True)
        self._failed = pg.ScatterPlotItem(symbol="x", size=8, pxMode=True, antialias=True)
        self._pruned = pg.ScatterPlotItem(symbol="o", size=7, pxMode=True, antialias=True)
        self._best = pg.ScatterPlotItem(symbol="star", size=16, pxMode=True, antialias=True)
        self._ring = pg.ScatterPlotItem(symbol="o", size=16, pxMode=True, antialias=True)
        for z, item in enumerate((self._points, self._failed, self._pruned, self._best, self._ring)):
            item.setZValue(z + 1)
            plot.addItem(item)
        self.picker = HoverPicker(plot, self.tooltip_for, self.trialClicked.emit)
        self.body.addWidget(self._graphics, 1)
        self.body.addWidget(self.empty_label, 1)
        self._x_axis: ParamAxis | None = None
        self._y_axis: ParamAxis | None = None
        self._picking = False
        self._reset_data()
        self._apply_palette()
        self._update_empty()

    def _reset_data(self) -> None:
        self._grid_x = self._grid_y = _EMPTY
        self._z = np.empty((0, 0))
        self._method = ""
        self._px = self._py = self._pv = _EMPTY
        self._pn = _EMPTY_INT
        self._fx = self._fy = self._qx = self._qy = _EMPTY
        self._fn = self._qn = _EMPTY_INT

    # -- context and choices ---------------------------------------------------------------------
    def _on_context(self) -> None:
        names = list(self.space)
        self._picking = True
        for combo in (self.x_combo, self.y_combo):
            combo.clear()
            combo.addItems(names)
        numeric = [n for n in names if self.space[n].type != "categorical"]
        defaults = (numeric + [n for n in names if n not in numeric])[:2]
        if len(defaults) == 2:
            self.x_combo.setCurrentText(defaults[0])
            self.y_combo.setCurrentText(defaults[1])
        self._picking = False
        self._reset_data()
        self._set_axes()
        self._apply_palette()

    def set_pair(self, x: str, y: str) -> None:
        """Show the score over hyperparameters ``x`` (across) and ``y`` (up)."""
        if x == y or x not in self.space or y not in self.space:
            raise ValueError(f"pick two different searched hyperparameters, not {x!r} and {y!r}")
        self._picking = True
        self.x_combo.setCurrentText(x)
        self.y_combo.setCurrentText(y)
        self._picking = False
        self._set_axes()
        self.invalidate()

    @property
    def pair(self) -> tuple[str, str]:
        return self.x_combo.currentText(), self.y_combo.currentText()

    def _on_pick(self, combo: QComboBox) -> None:
        if self._picking:
            return
        other = self.y_combo if combo is self.x_combo else self.x_combo
        if combo.currentText() == other.currentText():  # picking the other axis's hyperparameter swaps them
            previous = self._x_axis if combo is self.x_combo else self._y_axis
            if previous is not None:
                self._picking = True
                other.setCurrentText(previous.name)
                self._picking = False
        self._set_axes()
        self.invalidate()

    def _set_axes(self) -> None:
        x, y = self.pair
        ok = x in self.space and y in self.space and x != y
        self._x_axis = ParamAxis(x, self.space[x]) if ok else None
        self._y_axis = ParamAxis(y, self.space[y]) if ok else None
        if ok:
            for name, axis in (("bottom", self._x_axis), ("left", self._y_axis)):
                item = self._plot.getAxis(name)
                item.setLogMode(axis.log)
                ticks = axis.fixed_ticks()
                item.setTicks(None if ticks is None else [ticks, []])
                item.setLabel(axis.name)
        self._update_empty()

    def _update_empty(self) -> None:
        ok = self._x_axis is not None
        if len(self.space) < 2:
            self.empty_label.setText("A contour needs two searched hyperparameters; this search has "
                                     f"{'one' if len(self.space) == 1 else 'none'}.")
        self._graphics.setVisible(ok)
        self.empty_label.setVisible(not ok)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        c = self.colours()
        self._graphics.setBackground(c.background)
        style_axes(self._plot, c)
        self._points.setPen(pg.mkPen(c.background, width=1))
        self._points.setBrush(pg.mkBrush(c.foreground))
        self._failed.setPen(pg.mkPen(c.failed, width=1.5))
        self._failed.setBrush(None)
        self._pruned.setPen(pg.mkPen(c.pruned, width=1.5))
        self._pruned.setBrush(None)
        self._best.setPen(pg.mkPen(c.foreground, width=1))
        self._best.setBrush(pg.mkBrush(c.best))
        self._ring.setPen(pg.mkPen(c.selection, width=2))
        self._ring.setBrush(None)
        self._colour_bar.setColorMap(colour_map("viridis", reverse=not self.greater_is_better))  # bright is better
        for name in ("left", "right", "top", "bottom"):
            self._colour_bar.getAxis(name).setPen(pg.mkPen(c.foreground))
            self._colour_bar.getAxis(name).setTextPen(pg.mkPen(c.foreground))

    # -- drawing ---------------------------------------------------------------------------------
    def _draw(self, store: TrialStore, records: list[TrialRecord]) -> None:
        self._apply_palette()
        xa, ya = self._x_axis, self._y_axis
        if xa is None or ya is None:
            self._reset_data()
            return
        arrays = store.arrays()
        index = self.visible_indices(store)
        split = shown_by_state(arrays, index, self.greater_is_better, self.MAX_SURFACE, self.MAX_POINTS,
                               self.MAX_EDGE)
        surface_sample, c_index = split.shown, split.complete
        all_records = store.records
        params = [all_records[i].params for i in c_index]
        cx, cy = xa.coords(params), ya.coords(params)
        values = arrays.values[c_index]
        numbers = arrays.numbers[c_index].astype(np.int64)
        both = np.isfinite(cx) & np.isfinite(cy)
        left_out = int(len(both) - both.sum())
        cx, cy, values, numbers = cx[both], cy[both], values[both], numbers[both]

        x_range, y_range = xa.view_range(cx), ya.view_range(cy)
        self._grid_x, self._grid_y, self._z, self._method = surface(xa, ya, cx, cy, values, x_range, y_range,
                                                                    self.GRID, self.BINS, self.MAX_INTERPOLATED)
        if self._z.size and np.isfinite(self._z).any():
            low, high = score_range(values)
            if high <= low:
                low, high = low - 0.5, high + 0.5
            self._image.setImage(self._z, autoLevels=False)
            self._colour_bar.setLevels((low, high))
            self._image.setRect(_image_rect(xa, ya, self._grid_x, self._grid_y))
            self._image.show()
        else:
            self._image.clear()
            self._image.hide()

        shown = choose_shown(numbers, values, self.greater_is_better, self.MAX_POINTS, self.MAX_BEST)
        self._pn, self._pv = numbers[shown.index], values[shown.index]
        self._px, self._py = self._jitter(xa, cx[shown.index], self._pn), self._jitter(ya, cy[shown.index], self._pn)
        self._points.setData(x=self._px, y=self._py, size=6 if len(self._px) <= 500 else 4)
        if len(values):
            best = int(np.argmax(values) if self.greater_is_better else np.argmin(values))
            self._best.setData(x=[self._jitter(xa, cx[best:best + 1], numbers[best:best + 1])[0]],
                               y=[self._jitter(ya, cy[best:best + 1], numbers[best:best + 1])[0]])
        else:
            self._best.setData(x=_EMPTY, y=_EMPTY)

        edges = []
        for e_index in (split.failed, split.pruned):
            e_params = [all_records[i].params for i in e_index]
            ex, ey = xa.coords(e_params), ya.coords(e_params)
            en = arrays.numbers[e_index].astype(np.int64)
            ok = np.isfinite(ex) & np.isfinite(ey)
            en = en[ok]
            edges.append((self._jitter(xa, ex[ok], en), self._jitter(ya, ey[ok], en), en))
        (self._fx, self._fy, self._fn), (self._qx, self._qy, self._qn) = edges
        self._failed.setData(x=self._fx, y=self._fy)
        self._pruned.setData(x=self._qx, y=self._qy)
        self.picker.set_points(np.concatenate([self._px, self._fx, self._qx]),
                               np.concatenate([self._py, self._fy, self._qy]),
                               np.concatenate([self._pn, self._fn, self._qn]))
        self._plot.setXRange(*x_range, padding=0)
        self._plot.setYRange(*y_range, padding=0)

        notes = [{"interpolated": "surface: linear interpolation between trials",
                  "binned": "surface: mean score per cell",
                  "by choice": "surface: interpolated within each choice",
                  "cells": "surface: mean score per pair of choices",
                  "": "surface: needs more trials"}[self._method]]
        if surface_sample.sampled:
            notes.append(f"surface from {len(surface_sample.index):,} of {surface_sample.total:,} completed trials "
                         "(the best and a sample)")
        if shown.sampled:
            notes.append(shown.describe("completed trials") + " as points")
        if left_out:
            notes.append(f"{left_out:,} trial(s) where {xa.name} or {ya.name} did not apply are left out")
        if len(self._fn) or len(self._qn):
            notes.append("× failed, ○ pruned")
        self.note.setText("; ".join(notes))
        self.note.setVisible(bool(self.note.text()))

    @staticmethod
    def _jitter(axis: ParamAxis, coords: np.ndarray, numbers: np.ndarray) -> np.ndarray:
        return coords + stable_jitter(numbers, 0.25) if axis.categorical else coords

    def _show_selection(self) -> None:
        number = self._selected
        for xs, ys, ns in ((self._px, self._py, self._pn), (self._fx, self._fy, self._fn),
                           (self._qx, self._qy, self._qn)):
            hits = np.flatnonzero(ns == number) if number is not None else _EMPTY_INT
            if len(hits):
                self._ring.setData(x=[xs[hits[0]]], y=[ys[hits[0]]])
                self._ring.show()
                return
        self._ring.setData(x=_EMPTY, y=_EMPTY)
        self._ring.hide()

    # -- for the window and tests ----------------------------------------------------------------
    def export_item(self) -> Any:
        return self._graphics.ci

    @property
    def plot(self) -> pg.PlotItem:
        return self._plot

    def plotted(self) -> dict[str, Any]:
        """The surface (cell centres in view coordinates, z[i, j] at grid_x[i], grid_y[j]) and the points."""
        return {"pair": self.pair, "grid_x": self._grid_x, "grid_y": self._grid_y, "z": self._z,
                "method": self._method,
                "points": {"x": self._px, "y": self._py, "values": self._pv, "numbers": self._pn},
                "failed": {"x": self._fx, "y": self._fy, "numbers": self._fn},
                "pruned": {"x": self._qx, "y": self._qy, "numbers": self._qn},
                "note": self.note.text()}


def _image_rect(xa: ParamAxis, ya: ParamAxis, gx: np.ndarray, gy: np.ndarray) -> QRectF:
    def edges(g: np.ndarray) -> tuple[float, float]:
        step = (g[1] - g[0]) if len(g) > 1 else 1.0
        return g[0] - step / 2, g[-1] + step / 2

    x0, x1 = edges(gx)
    y0, y1 = edges(gy)
    return QRectF(x0, y0, x1 - x0, y1 - y0)


def _centres(axis: ParamAxis, view_range: tuple[float, float], count: int) -> np.ndarray:
    if axis.categorical:
        return np.arange(len(axis.categories), dtype=float)
    low, high = view_range
    step = (high - low) / count
    return low + step * (np.arange(count) + 0.5)


def _mean_per_point(x: np.ndarray, y: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Trials at the same coordinates (a grid search, repeated choices) become one point with their mean."""
    # One complex number per point: a 1-D unique, far faster than np.unique(axis=0) on rows.
    unique, inverse = np.unique(x + 1j * y, return_inverse=True)
    inverse = inverse.ravel()
    sums = np.bincount(inverse, weights=v, minlength=len(unique))
    counts = np.bincount(inverse, minlength=len(unique))
    return unique.real.copy(), unique.imag.copy(), sums / counts


def _binned_means(x, y, v, gx, gy, xa: ParamAxis, ya: ParamAxis) -> np.ndarray:
    def cell(coords, grid, axis):
        if axis.categorical:
            return np.clip(np.round(coords).astype(np.int64), 0, len(grid) - 1)
        step = grid[1] - grid[0] if len(grid) > 1 else 1.0
        return np.clip(np.floor((coords - (grid[0] - step / 2)) / step).astype(np.int64), 0, len(grid) - 1)

    ix, iy = cell(x, gx, xa), cell(y, gy, ya)
    flat = ix * len(gy) + iy
    size = len(gx) * len(gy)
    sums = np.bincount(flat, weights=v, minlength=size)
    counts = np.bincount(flat, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return z.reshape(len(gx), len(gy))


def surface(xa: ParamAxis, ya: ParamAxis, x: np.ndarray, y: np.ndarray, v: np.ndarray,
            x_range: tuple[float, float], y_range: tuple[float, float], grid: int = 100, bins: int = 60,
            max_interpolated: int = 4_000) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Cell centres along x and y, the estimated score per cell (NaN where unknown), and how it was made."""
    if len(v) == 0:
        return _EMPTY, _EMPTY, np.empty((0, 0)), ""
    if xa.categorical and ya.categorical:
        gx, gy = _centres(xa, x_range, grid), _centres(ya, y_range, grid)
        return gx, gy, _binned_means(x, y, v, gx, gy, xa, ya), "cells"
    if xa.categorical or ya.categorical:
        return _by_choice(xa, ya, x, y, v, x_range, y_range, grid)
    if len(v) > max_interpolated and len(np.unique(x + 1j * y)) > max_interpolated:
        gx, gy = _centres(xa, x_range, bins), _centres(ya, y_range, bins)
        return gx, gy, _binned_means(x, y, v, gx, gy, xa, ya), "binned"
    x, y, v = _mean_per_point(x, y, v)
    gx, gy = _centres(xa, x_range, grid), _centres(ya, y_range, grid)
    if len(v) >= 3:
        from scipy.interpolate import griddata
        from scipy.spatial import QhullError

        try:
            mx, my = np.meshgrid(gx, gy, indexing="ij")
            # Rescale to the unit square: griddata's triangles should not depend on the axes' units.
            sx, sy = (x_range[1] - x_range[0]) or 1.0, (y_range[1] - y_range[0]) or 1.0
            z = griddata(np.column_stack([(x - x_range[0]) / sx, (y - y_range[0]) / sy]), v,
                         ((mx - x_range[0]) / sx, (my - y_range[0]) / sy), method="linear")
            if np.isfinite(z).any():
                return gx, gy, z, "interpolated"
        except (QhullError, ValueError):  # all points on a line: no triangles to interpolate in
            pass
    gx, gy = _centres(xa, x_range, bins // 3), _centres(ya, y_range, bins // 3)
    return gx, gy, _binned_means(x, y, v, gx, gy, xa, ya), "binned"


def _by_choice(xa, ya, x, y, v, x_range, y_range, grid):
    """One categorical axis: along the numeric axis, interpolate within each choice over its trials' span."""
    swap = ya.categorical  # work as if x were categorical
    cat_axis, num_axis = (ya, xa) if swap else (xa, ya)
    cats, nums = (y, x) if swap else (x, y)
    num_range = x_range if swap else y_range
    gc = np.arange(len(cat_axis.categories), dtype=float)
    gn = _centres(num_axis, num_range, grid)
    z = np.full((len(gc), len(gn)), np.nan)
    for i in range(len(gc)):
        mask = np.round(cats) == i
        if not mask.any():
            continue
        order = np.argsort(nums[mask])
        n, value = nums[mask][order], v[mask][order]
        inside = (gn >= n[0]) & (gn <= n[-1])
        if len(n) == 1:  # one trial: a short band around it
            step = gn[1] - gn[0] if len(gn) > 1 else 1.0
            inside = np.abs(gn - n[0]) <= step
            z[i, inside] = value[0]
        else:
            z[i, inside] = np.interp(gn[inside], n, value)
    if swap:
        return gn, gc, z.T, "by choice"
    return gc, gn, z, "by choice"


__all__ = ["ContourView", "surface"]
