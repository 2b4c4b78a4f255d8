"""The History view: every trial's score against its number, with the best-so-far line over it."""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...core.space import Hyperparameter
from ...core.trials import STATE_CODES, TrialStore
from ..plotting import (MAX_SCATTER, TrialAxis, ValueAxis, chart_colours, clamp_to_metric, descent_vertices,
                        export_item, step_vertices, style_axes, thin, trial_tooltip)

_COMPLETE = STATE_CODES["complete"]
_FAILED = STATE_CODES["failed"]
_PRUNED = STATE_CODES["pruned"]
_EMPTY = np.empty(0, dtype=np.float64)
# Several models in one study: each model's points in its own colour (Tableau 10, readable light or dark).
MODEL_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf")

class HistoryChart(QWidget):
    """Every trial's score against its number, with the best-so-far line over it."""

    TITLE = "History"
    GROUP = "Progress"

    trialClicked = Signal(int)  # trial number of a clicked point
    showFailedChanged = Signal(bool)  # the show-failed switch changed (from the toolbar or set_show_failed)

    HOVER_RADIUS_PX = 7

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._store: TrialStore | None = None
        self._version: int | None = None
        self._show_failed = True
        self._selected: int | None = None
        self._label = "Score"
        self._greater_is_better = True
        self._scatter_xy: tuple[np.ndarray, np.ndarray] = (_EMPTY, _EMPTY)  # completed points, in scatter order
        self._thinned: tuple[float, int, float] | None = None  # see _update_thinned

        # A small toolbar: a legend and the show-failed switch.
        self._legend_names: list[str] = []        # the models the points are coloured by (two or more)
        self._shown_kinds: dict[str, bool] = {}   # which kinds of marks the chart shows now
        self._legend = QLabel(self)
        self._legend.setObjectName("historyLegend")
        self._legend.setTextFormat(Qt.TextFormat.RichText)
        # Cut at the chart's edge rather than widen it; it names only what the chart shows, so on a laptop
        # screen the usual legend (points, best so far, baseline) fits beside the switch.
        self._legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._show_failed_box = QCheckBox("Show failed and pruned", self)
        self._show_failed_box.setObjectName("showFailedBox")
        self._show_failed_box.setChecked(True)
        self._show_failed_box.setToolTip("Failed and pruned trials have no score; they are marked along the "
                                         "bottom edge of the chart.")
        self._show_failed_box.toggled.connect(self.set_show_failed)
        toolbar = QHBoxLayout()
        toolbar.setContentsMargins(4, 0, 4, 0)
        toolbar.addWidget(self._legend, 1)
        toolbar.addSpacing(10)
        toolbar.addWidget(self._show_failed_box)

        self._view = pg.PlotWidget(self, axisItems={"bottom": TrialAxis("bottom"), "left": ValueAxis("left")})
        self._view.setObjectName("historyPlot")
        plot = self._plot = self._view.getPlotItem()
        plot.setMenuEnabled(False)
        plot.setClipToView(True)
        plot.setDownsampling(auto=True, mode="peak")
        plot.showGrid(x=True, y=True, alpha=0.08)
        plot.getViewBox().setDefaultPadding(0.06)  # room under the lowest score for the failed row
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(toolbar)
        layout.addWidget(self._view, 1)

        # Plot items, created once and updated in place.
        self._complete = pg.ScatterPlotItem(symbol="o", size=6, pxMode=True, antialias=True)
        self._failed = pg.ScatterPlotItem(symbol="x", size=8, pxMode=True, antialias=True)
        self._pruned = pg.ScatterPlotItem(symbol="o", size=6, pxMode=True, antialias=True)
        self._best = pg.PlotDataItem(stepMode="right", skipFiniteCheck=True)  # y[i] holds from x[i] to x[i+1]
        self._descent = pg.PlotDataItem(connect="finite")  # a gradient descent's steps, one line per start
        self._selection = pg.ScatterPlotItem(symbol="o", size=15, pxMode=True, antialias=True)
        self._complete.setZValue(1)
        self._failed.setZValue(2)
        self._pruned.setZValue(2)
        self._best.setZValue(3)
        self._selection.setZValue(4)
        plot.addItem(self._complete)
        plot.addItem(self._best)
        plot.addItem(self._descent)
        # The edge markers follow the view; they must not widen it.
        plot.addItem(self._failed, ignoreBounds=True)
        plot.addItem(self._pruned, ignoreBounds=True)
        plot.addItem(self._selection, ignoreBounds=True)
        self._selection.hide()
        self._by_model: dict[str, pg.ScatterPlotItem] = {}  # multi-model studies: one scatter per model
        # What a model that learns nothing scores on the same folds: the line the search must clear.
        self._baseline = None
        self._baseline_line = pg.InfiniteLine(angle=0, movable=False, label="", labelOpts={
            "position": 0.02, "anchors": [(0, 1), (0, 1)]})
        self._baseline_line.setZValue(0)
        plot.addItem(self._baseline_line)
        self._baseline_line.hide()
        for item in (self._complete, self._failed, self._pruned):
            item.sigClicked.connect(self._on_points_clicked)
        viewbox = plot.getViewBox()
        viewbox.sigYRangeChanged.connect(self._place_edge_markers)
        viewbox.sigResized.connect(self._place_edge_markers)
        # The trial axis grows in steps with headroom instead of re-fitting on every redraw: a
        # re-fit re-lays out and repaints the axis, the costliest part of a live redraw.
        self._x_high = 0.0
        self._follow_x = True
        self._budget: int | None = None
        viewbox.enableAutoRange(x=False)
        viewbox.sigRangeChangedManually.connect(self._stop_following)
        self._view.scene().sigMouseMoved.connect(self._on_mouse_moved)

        self._empty_label = QLabel("No trials yet", self._view)
        self._empty_label.setObjectName("historyEmpty")
        self._empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._empty_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._view.installEventFilter(self)

        plot.setLabel("bottom", "Trial")
        self._apply_palette()
        self.set_metric(self._label, self._greater_is_better)

    # -- public API -------------------------------------------------------------------------------
    def set_context(self, space: Mapping[str, Hyperparameter], metric) -> None:
        """A new study: no points, and its metric on the axis."""
        self.clear()
        self.set_metric(metric.label, metric.greater_is_better)
        clamp_to_metric(self._plot.getViewBox(), metric.name, "y")

    def set_baseline(self, baseline) -> None:
        """Draw ``baseline`` (a core.baseline.Baseline, or None for none) as a dashed line."""
        self._baseline = baseline
        line = self._baseline_line
        self._update_legend()
        if baseline is None:
            line.hide()
            return
        line.setValue(baseline.value)
        line.label.setFormat(f"baseline {baseline.value:.4g}: {baseline.description}")
        line.setToolTip(f"A model that learns nothing ({baseline.description}) scores {baseline.value:.4g} "
                        f"± {baseline.std:.2g} on the same folds; the search has to beat this.")
        line.show()

    def baseline_value(self) -> float | None:
        """Where the baseline line is drawn (None: not drawn)."""
        return float(self._baseline_line.value()) if self._baseline_line.isVisible() else None

    def set_metric(self, label: str, greater_is_better: bool) -> None:
        self._label = label
        self._greater_is_better = bool(greater_is_better)
        self._set_axis_labels()

    def refresh(self, store: TrialStore) -> bool:
        """Redraw from ``store`` if it changed since the last redraw; return whether it redrew."""
        if store is self._store and store.version == self._version:
            return False
        self._store = store
        self._version = store.version
        arrays = store.arrays()
        numbers, values, states = arrays.numbers, arrays.values, arrays.states
        finite = np.isfinite(values)
        complete = (states == _COMPLETE) & finite
        self._update_complete(numbers[complete], values[complete])
        self._colour_by_model(store, complete)
        self._update_edge_item(self._failed, numbers[states == _FAILED])
        self._update_edge_item(self._pruned, numbers[states == _PRUNED])
        bx, by = step_vertices(numbers, arrays.best_so_far)
        self._best.setData(x=bx, y=by)
        dx, dy = descent_vertices(store.chain_paths())
        self._descent.setData(x=dx, y=dy)
        self._grow_x(float(numbers[-1]) if len(numbers) else 0.0)
        self._place_edge_markers()
        self._empty_label.setVisible(len(store) == 0)
        self._shown_kinds = {"failed": bool((states == _FAILED).any()), "pruned": bool((states == _PRUNED).any()),
                             "best": bool(complete.any())}
        self._update_legend()
        return True

    def _colour_by_model(self, store: TrialStore, complete: np.ndarray) -> None:
        """Over the plain scatter, each model's completed points in its colour (only with two models or more)."""
        models = [r.model for r in store.records] if len(store) <= MAX_SCATTER else []
        names = sorted({m for m, c in zip(models, complete) if c and m})
        if len(names) < 2:
            for item in self._by_model.values():
                item.setData(x=_EMPTY, y=_EMPTY)
            self._complete.setOpacity(1.0)
            self._legend_names = []
            return
        arrays = store.arrays()
        labels = np.array([m or "" for m in models], dtype=object)
        self._complete.setOpacity(0.0)  # kept for hover and clicks; the coloured ones are what is seen
        for i, name in enumerate(names):
            item = self._by_model.get(name)
            if item is None:
                item = pg.ScatterPlotItem(symbol="o", size=6, pxMode=True, antialias=True, pen=None)
                item.setZValue(1.5)
                self._plot.addItem(item, ignoreBounds=True)
                self._by_model[name] = item
            item.setBrush(pg.mkBrush(MODEL_COLOURS[i % len(MODEL_COLOURS)]))
            mask = complete & (labels == name)
            item.setData(x=arrays.numbers[mask], y=arrays.values[mask], name=name)
        for name, item in self._by_model.items():
            if name not in names:
                item.setData(x=_EMPTY, y=_EMPTY)
        self._legend_names = names
        self._legend.setToolTip("Points coloured by model: " + ", ".join(names))

    def model_colours(self) -> dict[str, str]:
        """The colour of each model's points, for a multi-model study (empty otherwise)."""
        return {name: item.opts["brush"].color().name() for name, item in self._by_model.items()
                if len(item.data)}

    def _update_legend(self) -> None:
        c = self._colours
        solid = QColor(c.complete)
        solid.setAlpha(255)
        names = self._legend_names
        parts = [f'<span style="color:{MODEL_COLOURS[i % len(MODEL_COLOURS)]}">●</span> {name}'
                 for i, name in enumerate(names)] if names else [f'<span style="color:{solid.name()}">●</span> completed']
        shown = self._shown_kinds
        if shown.get("failed"):
            parts.append(f'<span style="color:{c.failed.name()}">✕</span> failed')
        if shown.get("pruned"):
            parts.append(f'<span style="color:{c.pruned.name()}">○</span> pruned')
        if shown.get("best"):
            parts.append(f'<span style="color:{c.best.name()}"><b>━</b></span> best so far')
        if self._baseline is not None:
            parts.append(f'<span style="color:{c.foreground.name()}">╌</span> baseline')
        self._legend.setText("&nbsp;&nbsp; ".join(parts))
        if not names:
            self._legend.setToolTip("")

    def _stop_following(self, *_) -> None:
        self._follow_x = False

    def set_trial_budget(self, budget: int | None) -> None:
        """The study's trial budget: the trial axis grows with headroom, but never past the last trial."""
        self._budget = budget if budget and budget > 0 else None

    def _grow_x(self, last: float) -> None:
        if not self._follow_x or last < self._x_high:
            return
        high = float(max(10.0, (last + 1) * 1.5))
        if self._budget is not None:
            high = max(min(high, self._budget - 0.5), last + 0.5)  # 30 trials: up to 29.5, not 42
        self._x_high = high
        self._plot.getViewBox().setXRange(-0.5, self._x_high, padding=0.02)

    def clear(self) -> None:
        self._store = None
        self._version = None
        self._x_high = 0.0
        self._follow_x = True
        self._plot.getViewBox().setXRange(-0.5, 10.0, padding=0.02)
        self._update_complete(_EMPTY, _EMPTY)
        self._update_edge_item(self._failed, _EMPTY)
        self._update_edge_item(self._pruned, _EMPTY)
        self._best.setData(x=_EMPTY, y=_EMPTY)
        self._selection.hide()
        self._shown_kinds, self._legend_names = {}, []
        self.set_baseline(None)
        for item in self._by_model.values():
            item.setData(x=_EMPTY, y=_EMPTY)
        self._complete.setOpacity(1.0)
        self._apply_palette()
        self._plot.getViewBox().setToolTip("")
        self._empty_label.show()

    def select_trial(self, number: int | None) -> None:
        self._selected = None if number is None else int(number)
        self._place_selection()

    def selected_point(self) -> tuple[float, float] | None:
        """Where the selection ring is drawn, or None when hidden."""
        if not self._selection.isVisible():
            return None
        x, y = self._selection.getData()
        return (float(x[0]), float(y[0])) if len(x) else None

    def set_show_failed(self, show: bool) -> None:
        show = bool(show)
        if self._show_failed_box.isChecked() != show:
            self._show_failed_box.blockSignals(True)
            self._show_failed_box.setChecked(show)
            self._show_failed_box.blockSignals(False)
        if show == self._show_failed:
            return
        self._show_failed = show
        self._failed.setVisible(show)
        self._pruned.setVisible(show)
        self._place_edge_markers()
        self.showFailedChanged.emit(show)

    def show_failed(self) -> bool:
        return self._show_failed

    def export_image(self, path: str) -> None:
        export_item(self._plot, path)

    def plotted(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Exactly what is drawn: x and y per series (failed/pruned empty while hidden)."""
        x, y = self._complete.getData()
        order = np.argsort(x, kind="stable")  # the scatter holds points in arrival order
        bx, by = self._best.getData()
        out = {"complete": (np.asarray(x)[order], np.asarray(y)[order]),
               "best": (_EMPTY, _EMPTY) if bx is None else (bx, by)}
        for key, item in (("failed", self._failed), ("pruned", self._pruned)):
            out[key] = self._edge_points(item) if item.isVisible() else (_EMPTY, _EMPTY)
        return out

    def tooltip_for(self, number: int) -> str:
        """The hover text of one trial: number, state or score, and its params."""
        store = self._store
        index = store.index_of(number) if store is not None else None
        if index is None:
            return f"Trial {number}"
        return trial_tooltip(store[index], self._label)

    # -- internals --------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
        super().changeEvent(event)

    def eventFilter(self, watched, event) -> bool:
        if watched is self._view and event.type() == QEvent.Type.Resize:
            self._empty_label.setGeometry(self._view.rect())
        return super().eventFilter(watched, event)

    def _apply_palette(self) -> None:
        c = self._colours = chart_colours(self)
        self._view.setBackground(c.background)
        style_axes(self._plot, c)
        self._complete.setPen(None)
        self._complete.setBrush(pg.mkBrush(c.complete))
        self._failed.setPen(pg.mkPen(c.failed, width=1))
        self._failed.setBrush(pg.mkBrush(c.failed))
        self._pruned.setPen(pg.mkPen(c.pruned, width=1))
        self._pruned.setBrush(None)
        self._best.setPen(pg.mkPen(c.best, width=2))
        self._baseline_line.setPen(pg.mkPen(c.foreground, width=1, style=Qt.PenStyle.DashLine))
        self._baseline_line.label.setColor(c.foreground)
        self._descent.setPen(pg.mkPen(c.complete, width=1, style=Qt.PenStyle.DashLine))
        self._selection.setPen(pg.mkPen(c.selection, width=2))
        self._selection.setBrush(None)
        self._set_axis_labels()
        self._update_legend()

    def _set_axis_labels(self) -> None:
        colour = self._colours.foreground.name()
        better = "higher" if self._greater_is_better else "lower"
        self._plot.setLabel("left", f"{self._label} ({better} is better)", color=colour)
        self._plot.setLabel("bottom", "Trial", color=colour)

    def _edge_y(self) -> float:
        """A y just above the bottom edge of the current view, in data units."""
        viewbox = self._plot.getViewBox()
        (_, _), (bottom, top) = viewbox.viewRange()
        pixel = viewbox.viewPixelSize()[1] if viewbox.height() > 0 else 0.0
        offset = 7 * pixel if math.isfinite(pixel) and pixel > 0 else 0.03 * (top - bottom)
        return float(bottom + offset)

    def _update_complete(self, x: np.ndarray, y: np.ndarray) -> None:
        """Bring the completed-trial scatter to exactly (x, y), sorted by x.

        While trials only arrive (the usual case, in any order), only the new points are added:
        pyqtgraph styles every point it is given, which costs ~2 µs a point. Anything else (a
        score changed, a trial went away) rebuilds the scatter. Beyond MAX_SCATTER points the
        scatter is thinned (see _update_thinned).
        """
        if len(x) > MAX_SCATTER:
            self._update_thinned(x, y)
            return
        self._thinned = None
        drawn_x, drawn_y = self._scatter_xy
        if len(drawn_x) and len(drawn_x) <= len(x):
            at = np.searchsorted(x, drawn_x)
            safe = np.minimum(at, len(x) - 1)
            kept = bool(np.all((at < len(x)) & (x[safe] == drawn_x) & (y[safe] == drawn_y)))
        else:
            kept = False
        if kept:
            new = np.ones(len(x), dtype=bool)
            new[at] = False
            if new.any():
                self._complete.addPoints(x=x[new], y=y[new])
                self._scatter_xy = (np.concatenate([drawn_x, x[new]]), np.concatenate([drawn_y, y[new]]))
        elif len(x) or len(drawn_x):
            self._complete.setData(x=x, y=y)
            self._scatter_xy = (x.copy(), y.copy())

    def _update_thinned(self, x: np.ndarray, y: np.ndarray) -> None:
        """Draw a thinned sample of a large study; trials arriving after it are added as they come.

        ``_thinned`` remembers (last trial sampled, how many trials and the sum of scores up to it),
        so a later redraw can tell that only new trials arrived; the sample is re-taken when
        anything older changed or the drawn points reach twice MAX_SCATTER.
        """
        drawn_x, drawn_y = self._scatter_xy
        state = self._thinned
        if state is not None:
            last, count, total = state
            upto = int(np.searchsorted(x, last, side="right"))
            new = slice(upto, None)
            if upto == count and float(np.sum(y[:upto])) == total \
                    and len(drawn_x) + len(x) - upto <= 2 * MAX_SCATTER:
                if len(x) > upto:
                    self._complete.addPoints(x=x[new], y=y[new])
                    self._scatter_xy = (np.concatenate([drawn_x, x[new]]), np.concatenate([drawn_y, y[new]]))
                    self._thinned = (float(x[-1]), len(x), float(np.sum(y)))
                return
        keep = thin(y, MAX_SCATTER)
        self._complete.setData(x=x[keep], y=y[keep])
        self._scatter_xy = (x[keep].copy(), y[keep].copy())
        self._thinned = (float(x[-1]), len(x), float(np.sum(y)))

    @staticmethod
    def _update_edge_item(item: pg.ScatterPlotItem, x: np.ndarray) -> None:
        """Failed/pruned markers sit at y=0 in the item; the item is moved to the view's bottom edge."""
        old, _ = item.getData()
        if old is None or len(old) != len(x) or not np.array_equal(old, x):
            item.setData(x=x, y=np.zeros(len(x)))

    @staticmethod
    def _edge_points(item: pg.ScatterPlotItem) -> tuple[np.ndarray, np.ndarray]:
        x, y = item.getData()
        x = np.asarray(x if x is not None else _EMPTY, dtype=float)
        return x, np.full(len(x), float(item.pos().y()))

    def _place_edge_markers(self, *_: Any) -> None:
        """Follow the view's bottom edge by moving the items, not by restyling their points."""
        edge = self._edge_y()
        self._failed.setPos(0, edge)
        self._pruned.setPos(0, edge)
        self._place_selection()

    def _place_selection(self) -> None:
        number, store = self._selected, self._store
        index = store.index_of(number) if (number is not None and store is not None) else None
        position = None
        if index is not None:
            record = store[index]
            arrays = store.arrays()
            state, value = int(arrays.states[index]), float(arrays.values[index])
            if state == _COMPLETE and math.isfinite(value):
                position = (float(record.number), value)
            elif state in (_FAILED, _PRUNED) and self._show_failed:
                position = (float(record.number), self._edge_y())
        if position is None:
            self._selection.hide()
            return
        self._selection.setData(x=[position[0]], y=[position[1]])
        self._selection.show()

    def _on_points_clicked(self, item: pg.ScatterPlotItem, points, event=None) -> None:
        if points is None or len(points) == 0:
            return
        xs = self._scatter_xy[0] if item is self._complete else item.getData()[0]
        index = points[0].index()
        number = int(xs[index]) if 0 <= index < len(xs) else int(round(points[0].pos().x()))
        self.trialClicked.emit(number)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        viewbox = self._plot.getViewBox()
        if not viewbox.sceneBoundingRect().contains(scene_pos):
            return
        number = self._trial_near(viewbox.mapSceneToView(scene_pos))
        tip = self.tooltip_for(number) if number is not None else ""
        if viewbox.toolTip() != tip:
            viewbox.setToolTip(tip)

    def _trial_near(self, point: QPointF) -> int | None:
        """The trial whose marker lies under ``point`` (view coordinates), nearest first."""
        px, py = self._plot.getViewBox().viewPixelSize()
        if not (px > 0 and py > 0):
            return None
        best_number, best_d2 = None, float(self.HOVER_RADIUS_PX ** 2)
        series = [self._scatter_xy]
        if self._show_failed:
            series += [self._edge_points(self._failed), self._edge_points(self._pruned)]
        for x, y in series:
            if x is None or len(x) == 0:
                continue
            d2 = ((np.asarray(x) - point.x()) / px) ** 2 + ((np.asarray(y) - point.y()) / py) ** 2
            i = int(np.argmin(d2))
            if d2[i] <= best_d2:
                best_number, best_d2 = int(x[i]), float(d2[i])
        return best_number
