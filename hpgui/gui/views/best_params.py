"""The Best parameters view: where the best value of each hyperparameter sits in its range, and how it
moved as the search went on."""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from ...core.formatting import format_number, is_number
from ...core.space import Hyperparameter
from ...core.trials import TrialStore
from ..plotting import (Colours, TrialAxis, ValueAxis, chart_colours, descent_vertices, export_item, log_scaled,
                        round_up, short, style_axes)

_EMPTY = np.empty(0, dtype=np.float64)

class _ParamRow:
    """One hyperparameter's plot: its range as a band, the best's trajectory, the current best."""

    def __init__(self, name: str, hp: Hyperparameter, plot: pg.PlotItem, label: pg.LabelItem):
        self.name = name
        self.hp = hp
        self.plot = plot
        self.label = label
        self.categorical = hp.type == "categorical"
        self.choices: list = list(hp.choices or ()) if self.categorical else []
        if self.categorical:
            self.low, self.high = 0.0, float(max(len(self.choices) - 1, 0))
        elif hp.values is not None:
            numbers = [float(v) for v in hp.values if is_number(v)]
            self.low, self.high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
        else:
            self.low = float(hp.low) if hp.low is not None else 0.0
            self.high = float(hp.high) if hp.high is not None else 1.0
        self.log = log_scaled(hp) and self.low > 0
        self.x = _EMPTY
        self.y = _EMPTY

        self.band = pg.LinearRegionItem(movable=False, orientation="vertical")
        self.band.setZValue(-10)
        self.trail = pg.PlotDataItem(symbol="o", symbolSize=6, connect="finite", antialias=True)
        self.hold = pg.PlotDataItem()
        self.path = pg.PlotDataItem(connect="finite")  # every step of a gradient descent, not only the best
        self.current = pg.PlotDataItem(symbol="o", symbolSize=11, pen=None, antialias=True)
        self.current.setZValue(5)
        plot.addItem(self.band, ignoreBounds=True)
        plot.addItem(self.hold)
        plot.addItem(self.path)
        plot.addItem(self.trail)
        plot.addItem(self.current)
        plot.setLogMode(x=self.log, y=False)
        a, b = self._view_range()
        self.band.setRegion((a, b))
        span = (b - a) or 1.0
        pad = 0.5 if self.categorical else 0.04 * span
        plot.setXRange(a - pad, b + pad, padding=0)
        plot.getViewBox().setLimits(xMin=a - pad, xMax=b + pad)
        if self.categorical:
            ticks = [(i, short(format_number(c))) for i, c in enumerate(self.choices)]
            plot.getAxis("bottom").setTicks([ticks, []])

    def _view_range(self) -> tuple[float, float]:
        if self.categorical:
            return -0.5, max(len(self.choices), 1) - 0.5
        if self.log:
            return math.log10(self.low), math.log10(self.high)
        return self.low, self.high

    def to_x(self, params: Mapping[str, Any]) -> float:
        """The plotted x of this hyperparameter in one configuration (NaN when it does not apply)."""
        if self.name not in params:
            return math.nan
        value = params[self.name]
        if self.categorical:
            for i, choice in enumerate(self.choices):
                if choice == value and type(choice) is type(value):
                    return float(i)
            for i, choice in enumerate(self.choices):
                if choice == value:
                    return float(i)
            return math.nan
        if not is_number(value):
            return math.nan
        value = float(value)
        if self.log and value <= 0:
            return math.nan
        return value

    def applycolours(self, c: Colours) -> None:
        self.band.setBrush(pg.mkBrush(c.band))
        for line in self.band.lines:
            line.setPen(pg.mkPen(c.band_edge, width=1))
        self.trail.setPen(pg.mkPen(c.trail, width=1))
        self.trail.setSymbolPen(None)
        self.trail.setSymbolBrush(pg.mkBrush(c.trail))
        faint = QColor(c.trail)
        faint.setAlpha(110)
        self.hold.setPen(pg.mkPen(faint, width=1, style=Qt.PenStyle.DashLine))
        self.path.setPen(pg.mkPen(faint, width=1))
        self.current.setSymbolPen(pg.mkPen(c.foreground, width=1))
        self.current.setSymbolBrush(pg.mkBrush(c.best))
        style_axes(self.plot, c)
        self.label.setText(self.label.text, color=c.foreground.name())


class _NameLabel(pg.LabelItem):
    """A hyperparameter's name beside its plot: right-aligned and vertically centred."""

    def resizeEvent(self, ev):
        super().resizeEvent(ev)
        text = self.itemRect()
        self.item.moveBy(0, self.rect().center().y() - text.center().y())


CAPTION = ("Best value of each hyperparameter (x) at the trial it became best (y); "
           "the shaded band is the searched range.")
DESCENT_CAPTION = CAPTION + " The thin line is every step of the gradient descents."


class BestParamsChart(QWidget):
    """For each searched hyperparameter: where the best value sits in its range, and how it moved."""

    TITLE = "Best parameters"
    GROUP = "Progress"

    ROW_HEIGHT = 92  # pixels per hyperparameter before the chart starts to scroll
    MIN_LABEL_WIDTH = 60
    MAX_LABEL_WIDTH = 200
    AXIS_WIDTH = 40

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._rows: dict[str, _ParamRow] = {}
        self._store: TrialStore | None = None
        self._version: int | None = None
        self._trail_key: tuple | None = None
        self._trial_top: float | None = None
        self._space: dict[str, Hyperparameter] = {}
        self._pending_build = False

        self._graphics = pg.GraphicsLayoutWidget()
        self._graphics.setObjectName("bestParamsPlot")
        self._graphics.ci.setContentsMargins(4, 4, 12, 4)
        self._graphics.ci.setSpacing(2)
        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setWidget(self._graphics)
        self._empty = QLabel("No hyperparameter is being searched.", self)
        self._empty.setObjectName("bestParamsEmpty")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._caption = QLabel(CAPTION, self)
        self._caption.setObjectName("bestParamsCaption")
        self._caption.setWordWrap(True)
        font = self._caption.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self._caption.setFont(font)
        self._caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self._caption)
        layout.addWidget(self._scroll, 1)
        layout.addWidget(self._empty, 1)
        self._colours = chart_colours(self)
        self._apply_palette()
        self._update_empty()

    # -- public API -------------------------------------------------------------------------------
    def set_context(self, space: Mapping[str, Hyperparameter], metric=None) -> None:
        self.set_space(space)

    def set_space(self, space: Mapping[str, Hyperparameter]) -> None:
        # A plot per hyperparameter costs ~30 ms to make, so a hidden tab makes them at its first draw
        # (opening a stored study of many hyperparameters would otherwise wait for all of them).
        self._graphics.ci.clear()
        self._rows = {}
        self._space = {name: hp for name, hp in space.items() if hp.enabled}
        self._pending_build = True
        self._version = None
        self._trail_key = None
        self._trial_top = None
        self._update_empty()
        if self.isVisible():
            self._build()
            if self._store is not None:
                self.refresh(self._store)

    def _build(self) -> None:
        self._pending_build = False
        names = list(self._space)
        metrics = QFontMetrics(self.font())
        label_width = min(self.MAX_LABEL_WIDTH, max([self.MIN_LABEL_WIDTH]
                                                    + [metrics.horizontalAdvance(n) * 1.1 + 16 for n in names]))
        for row, name in enumerate(names):
            # A long name keeps its end ("…forest.min_samples_leaf"): the hyperparameter's own part.
            room = int((self.MAX_LABEL_WIDTH - 16) / 1.1)  # what the widest column holds (see label_width)
            text = name if metrics.horizontalAdvance(name) <= room else \
                metrics.elidedText(name, Qt.TextElideMode.ElideLeft, room)
            label = _NameLabel(text, justify="right", size="10pt")
            label.setToolTip(name)
            self._graphics.ci.addItem(label, row=row, col=0)
            label.setFixedWidth(label_width)
            plot = self._graphics.ci.addPlot(
                row=row, col=1,
                axisItems={"bottom": ValueAxis("bottom"), "left": TrialAxis("left", major_only=True)},
                enableMenu=False)  # made without its menus: a fifth of each plot's cost
            plot.hideButtons()
            plot.setMouseEnabled(x=False, y=False)  # the wheel scrolls the list instead
            plot.showGrid(x=True, y=False, alpha=0.08)
            plot.getAxis("left").setWidth(self.AXIS_WIDTH)
            plot.getAxis("left").setStyle(tickLength=-4)
            plot.getAxis("bottom").setStyle(tickLength=-4)
            plot.setMinimumHeight(self.ROW_HEIGHT - 8)
            # No setYLink: linked view boxes re-enter each other's range signals, which crashed
            # PySide6 6.12 with a refcount error under live updates. _set_trial_range sets every row.
            plot.enableAutoRange(y=False)
            self._rows[name] = _ParamRow(name, self._space[name], plot, label)
        self._graphics.setMinimumHeight(self.ROW_HEIGHT * len(names) + 8 if names else 0)
        self._version = None
        self._trail_key = None
        self._trial_top = None
        self._apply_palette()
        self._update_empty()
        self._set_trial_range(0)

    def _ensure_built(self) -> None:
        if self._pending_build:
            self._build()
            if self._store is not None:
                self.refresh(self._store)

    def refresh(self, store: TrialStore) -> bool:
        if self._pending_build:
            self._build()
        if store is self._store and store.version == self._version:
            return False
        self._store = store
        self._version = store.version
        trail = store.best_trail
        last = float(store.records[-1].number) if len(store) else 0.0
        key = (len(trail), trail[-1][0], id(trail[-1][1])) if trail else None
        if key != self._trail_key:  # the best moved: redraw the trajectories
            self._trail_key = key
            numbers = np.fromiter((number for number, _ in trail), dtype=np.float64, count=len(trail))
            for row in self._rows.values():
                x = np.fromiter((row.to_x(record.params) for _, record in trail), dtype=np.float64,
                                count=len(trail))
                row.x, row.y = x, numbers
                if np.isfinite(x).any():
                    row.trail.setData(x=x, y=numbers)
                else:  # never set in a best trial (another model's hyperparameter): nothing to draw
                    row.trail.setData(x=_EMPTY, y=_EMPTY)
                if len(x) and math.isfinite(x[-1]):
                    row.current.setData(x=x[-1:], y=numbers[-1:])
                else:
                    row.current.setData(x=_EMPTY, y=_EMPTY)
        paths = store.chain_paths()
        self._caption.setText(DESCENT_CAPTION if paths else CAPTION)
        for row in self._rows.values():
            numbers, values = descent_vertices(paths, value=lambda r, row=row: row.to_x(r.params))
            row.path.setData(x=values, y=numbers)
        for row in self._rows.values():  # the current best holds until the latest trial
            if len(row.x) and math.isfinite(row.x[-1]) and last > row.y[-1]:
                row.hold.setData(x=[row.x[-1], row.x[-1]], y=[row.y[-1], last])
            else:
                row.hold.setData(x=_EMPTY, y=_EMPTY)
        self._set_trial_range(last)
        return True

    def clear(self) -> None:
        self._store = None
        self._version = None
        self._trail_key = None
        for row in self._rows.values():
            row.x = row.y = _EMPTY
            for item in (row.trail, row.current, row.hold):
                item.setData(x=_EMPTY, y=_EMPTY)
        self._set_trial_range(0)

    def plotted(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        self._ensure_built()
        return {name: (row.x, row.y) for name, row in self._rows.items()}

    def plot_for(self, name: str) -> pg.PlotItem:
        """The PlotItem of one hyperparameter (for tests and for exporting one row)."""
        self._ensure_built()
        return self._rows[name].plot

    def export_image(self, path: str) -> None:
        self._ensure_built()
        export_item(self._graphics.ci, path)

    # -- internals --------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        c = self._colours = chart_colours(self)
        self._graphics.setBackground(c.background)
        for row in self._rows.values():
            row.applycolours(c)

    def _update_empty(self) -> None:
        has_rows = bool(self._rows or self._space)
        self._scroll.setVisible(has_rows)
        self._caption.setVisible(has_rows)
        self._empty.setVisible(not has_rows)

    def _set_trial_range(self, last: float) -> None:
        """Trial numbers 0 … a round number just above ``last``, changed only when ``last`` passes it.

        While trials stream in, the range (and every linked row's axes) changes every ~10 % of
        trials instead of on every redraw.
        """
        if not self._rows:
            return
        top = round_up(max(float(last), 10.0))
        if top == self._trial_top:
            return
        self._trial_top = top
        pad = 0.04 * top
        for row in self._rows.values():
            row.plot.setYRange(-pad, top + pad, padding=0)

    def select_trial(self, number: int | None) -> None:
        """The trajectories follow the best, not a picked trial: nothing to mark."""
