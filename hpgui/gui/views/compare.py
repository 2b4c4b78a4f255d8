"""Compare: the best-so-far curves of several studies on one chart.

Typical use is grid against random against TPE on the same data and budget:
which strategy reaches a good score in fewer trials, or in less time. The x
axis is the trial number or the elapsed time (by time, each curve follows the
order its trials finished in, which matters when several workers ran). The tab
draws the window's own study live beside stored studies, which are read on a
thread-pool worker; the chart draws one step line per study.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QLabel, QToolButton, QVBoxLayout, QWidget

from shiboken6 import isValid

from .base import AnalysisView
from ...core.best_curve import Curve, best_so_far_curve
from ...core.library import load_study
from ...core.records import TrialRecord
from ...core.trials import TrialStore
from ...core.formatting import format_number
from ...core.metrics import METRICS
from ..plotting import ValueAxis, chart_colours, clamp_to_metric, escape, export_item, step_vertices, style_axes

__all__ = ["Series", "CompareChart", "CompareView", "load_series"]

# Okabe–Ito: told apart by colour-blind readers too.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
X_MODES = ("trials", "time")


@dataclass(frozen=True)
class Series:
    """One study's curve and how to label it."""

    name: str
    label: str          # "name (strategy)"
    metric_label: str
    direction: str
    curve: Curve


def load_series(studies: list[tuple[str | None, str]]) -> list[Series]:
    """Read each (storage, name) study and turn it into a curve; runs off the GUI thread."""
    out = []
    for storage, name in studies:
        loaded = load_study(storage, name)
        info = loaded.info
        label = f"{name} ({info.strategy})" if info.strategy else name
        out.append(Series(name, label, loaded.metric.label, info.direction,
                          best_so_far_curve(loaded.records, info.direction)))
    return out


class CompareChart(QWidget):
    """Best score so far against trial number or elapsed time, one line per study, with a legend."""

    HOVER_RADIUS_PX = 8

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("compareChart")
        self.series: list[Series] = []
        self.x_mode = "trials"
        self._points: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # per series: x, y, trial numbers

        self.x_combo = QComboBox(self)
        self.x_combo.setObjectName("compareX")
        self.x_combo.addItem("by trial number", "trials")
        self.x_combo.addItem("by elapsed time", "time")
        self.x_combo.setAccessibleName("Horizontal axis")
        self.x_combo.setToolTip("Compare by trials spent, or by wall-clock time since each study's first trial")
        self.x_combo.currentIndexChanged.connect(lambda _: self.set_x_mode(self.x_combo.currentData()))
        self.note = QLabel(self)
        self.note.setObjectName("compareNote")
        self.note.setWordWrap(True)
        # The tab puts these in its own toolbar.
        self.title = QLabel("Best score so far,", self)

        self.view = pg.PlotWidget(self, axisItems={"left": ValueAxis("left"), "bottom": ValueAxis("bottom")})
        self.view.setObjectName("comparePlot")
        self.plot = self.view.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=True, y=True, alpha=0.1)
        self.legend = self.plot.addLegend(offset=(-10, -10), labelTextSize="9pt")
        self.view.scene().sigMouseMoved.connect(self._on_mouse_moved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        colours = chart_colours(self)
        self.view.setBackground(colours.background)
        style_axes(self.plot, colours)
        self.legend.setLabelTextColor(colours.foreground)

    # -- data --------------------------------------------------------------------------------------
    def set_series(self, series: list[Series]) -> None:
        self.series = list(series)
        metrics = sorted({s.metric_label for s in self.series})
        if len(metrics) > 1:
            self.note.setText(f"⚠ these studies use different metrics ({', '.join(metrics)}); "
                              "their scores are not comparable")
        else:
            self.note.setText("")
        self._draw()

    def set_x_mode(self, mode: str) -> None:
        if mode not in X_MODES:
            raise ValueError(f"x must be one of {X_MODES}, not {mode!r}")
        self.x_mode = mode
        index = self.x_combo.findData(mode)
        if self.x_combo.currentIndex() != index:
            self.x_combo.setCurrentIndex(index)
        self._draw()

    def _xy(self, curve: Curve) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self.x_mode == "time":
            x, y, numbers = curve.elapsed_s, curve.time_best, curve.time_numbers
        else:
            x, y, numbers = curve.numbers, curve.best, curve.numbers
        finite = np.isfinite(y)
        return x[finite], y[finite], numbers[finite]

    def _draw(self) -> None:
        self.plot.clear()
        self.legend.clear()
        self._points = []
        for i, s in enumerate(self.series):
            x, y, numbers = self._xy(s.curve)
            self._points.append((x, y, numbers))
            colour = QColor(PALETTE[i % len(PALETTE)])
            if colour.name() == "#000000" and chart_colours(self).background.lightness() < 128:
                colour = QColor("#DDDDDD")
            vx, vy = step_vertices(x, y)
            line = pg.PlotDataItem(vx, vy, stepMode="right", pen=pg.mkPen(colour, width=2), name=s.label,
                                   symbol="o", symbolSize=5, symbolBrush=colour, symbolPen=pg.mkPen(None))
            self.plot.addItem(line)
        # Curves climb when higher is better: the legend goes in the corner they leave empty.
        rising = sum(1 for s in self.series if s.direction == "maximize") * 2 >= len(self.series)
        self.legend.anchor((1, 1 if rising else 0), (1, 1 if rising else 0),
                           offset=(-10, -10 if rising else 10))
        metrics = {s.metric_label for s in self.series}
        # One metric: its possible range bounds the axis (accuracy never past 1); several: no bound.
        by_label = {m.label: m.name for m in METRICS.values()}
        clamp_to_metric(self.plot.getViewBox(), by_label.get(next(iter(metrics))) if len(metrics) == 1 else None)
        self.plot.setLabel("left", metrics.pop() if len(metrics) == 1 else "Score")
        self.plot.setLabel("bottom", "Elapsed time (s)" if self.x_mode == "time" else "Trial")
        self.plot.enableAutoRange()

    def plotted(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per study label: the x and best-so-far values drawn (one point per finished, scored-by-then trial)."""
        return {s.label: (p[0], p[1]) for s, p in zip(self.series, self._points)}

    # -- hover -------------------------------------------------------------------------------------
    def point_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """(series index, index in its points) of the point under ``scene_pos``, if any."""
        viewbox = self.plot.getViewBox()
        if not viewbox.sceneBoundingRect().contains(scene_pos):
            return None
        point = viewbox.mapSceneToView(scene_pos)
        px, py = viewbox.viewPixelSize()
        if not (px > 0 and py > 0):
            return None
        best = None
        for i, (x, y, _) in enumerate(self._points):
            if not len(x):
                continue
            d2 = ((x - point.x()) / px) ** 2 + ((y - point.y()) / py) ** 2
            j = int(np.argmin(d2))
            if d2[j] <= self.HOVER_RADIUS_PX ** 2 and (best is None or d2[j] < best[0]):
                best = (float(d2[j]), i, j)
        return None if best is None else (best[1], best[2])

    def tooltip_for(self, series: int, index: int) -> str:
        s = self.series[series]
        x, y, numbers = self._points[series]
        lines = [f"<b>{escape(s.label)}</b>", f"after trial {int(numbers[index])}"]
        if self.x_mode == "time":
            lines.append(f"at {format_number(float(x[index]))} s")
        lines.append(f"best {escape(s.metric_label)} so far: {format_number(float(y[index]))}")
        return "<br>".join(lines)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        hit = self.point_at(scene_pos)
        tip = "" if hit is None else self.tooltip_for(*hit)
        viewbox = self.plot.getViewBox()
        if viewbox.toolTip() != tip:
            viewbox.setToolTip(tip)

    def export_image(self, path: str) -> None:
        export_item(self.plot, path)


class CompareView(AnalysisView):
    """The Compare tab: this search's best-so-far curve, live, over the curves of stored studies.

    Studies come from File → Studies… → Compare Selected (or the tab's own Add Studies… button,
    which opens that dialog); they are read on a thread-pool worker.
    """

    TITLE = "Compare"
    GROUP = "Progress"
    HAS_STATE_FILTER = False
    HAS_TOP_K = False

    addRequested = Signal()   # the user wants to pick studies (the window opens the library)
    loaded = Signal()         # studies asked for by add_studies arrived (or failed; see ``error``)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.others: list[Series] = []
        self.current_name = "this search"
        self.error = ""
        self._workers: list[Any] = []
        self.chart = CompareChart(self)
        self.add_button = QToolButton(self)
        self.add_button.setObjectName("compareAdd")
        self.add_button.setText("Add Studies…")
        self.add_button.setToolTip("Pick stored studies to draw beside this search (File → Studies…)")
        self.add_button.clicked.connect(self.addRequested)
        self.clear_button = QToolButton(self)
        self.clear_button.setText("Clear")
        self.clear_button.setToolTip("Remove the stored studies from the chart")
        self.clear_button.clicked.connect(self.clear_studies)
        for i, widget in enumerate((self.add_button, self.clear_button, self.chart.title, self.chart.x_combo)):
            self.toolbar.insertWidget(i, widget)
        self.toolbar.insertWidget(4, self.chart.note, 1)
        self.body.addWidget(self.chart, 1)

    def set_current(self, name: str | None) -> None:
        """The name the window's own study is labelled with."""
        self.current_name = name or "this search"
        self.invalidate()

    def add_studies(self, studies: list[tuple[str | None, str]]) -> None:
        from superqt.utils import create_worker

        worker = create_worker(load_series, list(studies))
        self._workers.append(worker)
        self.chart.note.setText(f"Reading {len(studies)} studies…")

        def returned(series: list[Series]) -> None:
            if not isValid(self):
                return
            known = {s.name for s in self.others}
            self.others += [s for s in series if s.name not in known]
            self.error = ""
            self._redraw()

        def errored(exc: BaseException) -> None:
            if isValid(self):
                self.error = str(exc)
                self.chart.note.setText(f"Cannot compare: {exc}")

        def finished() -> None:
            if worker in self._workers:
                self._workers.remove(worker)
            if isValid(self):
                self.loaded.emit()

        worker.returned.connect(returned)
        worker.errored.connect(errored)
        worker.finished.connect(finished)
        worker.start()

    def clear_studies(self) -> None:
        self.others = []
        self._redraw()

    def _redraw(self) -> None:
        if self._store is not None:
            self.invalidate()
        else:
            self._draw(None, [])

    def _draw(self, store: TrialStore | None, records: list[TrialRecord]) -> None:
        series = []
        if store is not None and len(store):
            label = f"{self.current_name} (this window)"
            series.append(Series(self.current_name, label, self.metric_label, store.direction,
                                 best_so_far_curve(store.records, store.direction)))
        series += [s for s in self.others if s.name != self.current_name]
        self.chart.set_series(series)
        if not series:
            self.chart.note.setText("Run or open a search, then Add Studies… to draw others beside it "
                                    "(for example grid, random and TPE on the same data and budget).")

    def export_item(self) -> Any:
        return self.chart.plot

    def plotted(self) -> dict[str, Any]:
        return self.chart.plotted()
