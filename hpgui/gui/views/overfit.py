"""Train against validation: where each trial sits between fitting and generalising.

Top: validation score against train score, with the line where they are equal
and the line the gap threshold draws; a trial beyond that line over-fits (it
looks much better on the rows it was fitted on). Bottom: the gap per trial
number, with the threshold as a line the user can drag. The threshold is in
metric units, remembered per metric, and also marks the trial table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDoubleSpinBox, QLabel
from superqt import QElidingLabel

from ...core import analysis
from ...core.records import TrialRecord
from ...core.trials import TrialStore
from ...core.formatting import format_number
from ..plotting import TrialAxis, ValueAxis, style_axes
from .base import AnalysisView, HoverPicker

__all__ = ["OverfitView"]

_EMPTY = np.empty(0)
#: Above this many trials a chart draws one point per cell of a few pixels (hover still finds every trial).
THIN_ABOVE = 20_000
CELL_PX = 3
#: Dots are thinned on a grid as fine as a dot is wide: finer, they would only overlap, and pyqtgraph
#: styles each scatter point in Python (~3 µs a point).
DOT_CELL_PX = 5


def _cells(plot: pg.PlotItem, px: int = CELL_PX) -> tuple[int, int]:
    box = plot.getViewBox()
    return max(600 // px, int(box.width() / px)), max(300 // px, int(box.height() / px))


class OverfitView(AnalysisView):
    TITLE = "Train vs validation"
    GROUP = "Checks"
    HAS_STATE_FILTER = False  # failed and pruned trials have no train and validation pair to draw

    thresholdChanged = Signal(float)  # the gap threshold, in metric units

    def __init__(self, parent=None):
        super().__init__(parent)
        self._threshold_set = False  # the spin box holds a threshold chosen for this metric
        self.threshold_label = QLabel("&Gap above", self)
        self.threshold = QDoubleSpinBox(self)
        self.threshold.setObjectName("gapThreshold")
        self.threshold.setDecimals(4)
        self.threshold.setRange(0.0, 1e12)
        self.threshold.setSingleStep(0.01)
        self.threshold.setValue(0.05)
        self.threshold.setAccessibleName("Over-fitting gap threshold")
        self.threshold.setToolTip(
            "A trial over-fits when its train score beats its validation score by more than this, in the "
            "metric's units (for a metric where lower is better: validation is higher than train by more). "
            "Over-fitting trials are red here and marked ⚠ in the table's train column. Each fold's train "
            "score is measured on a fixed sample of its training rows as large as its validation rows.")
        self.threshold_label.setBuddy(self.threshold)
        self.threshold.valueChanged.connect(self._on_threshold)
        self.toolbar.insertWidget(0, self.threshold_label)
        self.toolbar.insertWidget(1, self.threshold)
        self.summary = QElidingLabel(self)  # cut to its room: a long line must not widen the window
        self.summary.setObjectName("overfitSummary")
        # Stretched, and set to the right by the export button: it shares the free room with the toolbar's
        # spacer, and elides only when there is none.
        self.summary.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.toolbar.insertWidget(self.toolbar.count() - 1, self.summary, 3)

        self.canvas = pg.GraphicsLayoutWidget(self)
        self.canvas.setObjectName("overfitPlot")
        self.layout_item = self.canvas.ci
        self.scatter_plot = self.layout_item.addPlot(
            row=0, col=0, axisItems={"bottom": ValueAxis("bottom"), "left": ValueAxis("left")})
        self.gap_plot = self.layout_item.addPlot(
            row=1, col=0, axisItems={"bottom": TrialAxis("bottom"), "left": ValueAxis("left")})
        self.layout_item.layout.setRowStretchFactor(0, 3)
        self.layout_item.layout.setRowStretchFactor(1, 2)
        for plot in (self.scatter_plot, self.gap_plot):
            plot.setMenuEnabled(False)
            plot.showGrid(x=True, y=True, alpha=0.08)
        self.gap_plot.setLabel("bottom", "Trial")

        self.diagonal = pg.PlotDataItem(skipFiniteCheck=True)
        self.limit_line = pg.PlotDataItem(skipFiniteCheck=True)
        self.points = pg.ScatterPlotItem(symbol="o", size=6, pxMode=True, antialias=True)
        self.flagged_points = pg.ScatterPlotItem(symbol="o", size=7, pxMode=True, antialias=True)
        self.best_point = pg.ScatterPlotItem(symbol="star", size=14, pxMode=True, antialias=True)
        self.gap_points = pg.ScatterPlotItem(symbol="o", size=5, pxMode=True, antialias=True)
        self.gap_flagged = pg.ScatterPlotItem(symbol="o", size=6, pxMode=True, antialias=True)
        self.zero_line = pg.InfiniteLine(pos=0, angle=0, movable=False)
        self.threshold_line = pg.InfiniteLine(pos=0.05, angle=0, movable=True)
        self.threshold_line.setToolTip("Drag to change the over-fitting threshold")
        self.threshold_line.sigPositionChangeFinished.connect(
            lambda line: self.threshold.setValue(max(0.0, float(line.value()))))
        self.selection_marks = [pg.ScatterPlotItem(symbol="o", size=15, pxMode=True) for _ in range(2)]
        # The diagonal counts for the range, so both axes span the same scores and the empty corner
        # above it (validation better than train) holds the legend.
        self.scatter_plot.addItem(self.diagonal)
        self.scatter_plot.addItem(self.limit_line, ignoreBounds=True)
        self.legend = pg.LegendItem(offset=(10, 5), labelTextSize="8pt")
        self.legend.setParentItem(self.scatter_plot.getViewBox())
        self.legend.addItem(self.diagonal, "train = validation")
        self.legend.addItem(self.limit_line, "over-fitting limit")
        self.legend.addItem(self.flagged_points, "over-fits")
        self.legend.addItem(self.best_point, "best")
        for item, z in ((self.points, 1), (self.flagged_points, 2), (self.best_point, 3)):
            item.setZValue(z)
            self.scatter_plot.addItem(item)
        self.gap_plot.addItem(self.zero_line, ignoreBounds=True)
        self.gap_plot.addItem(self.threshold_line, ignoreBounds=True)
        self.gap_plot.addItem(self.gap_points)
        self.gap_plot.addItem(self.gap_flagged)
        self.gap_flagged.setZValue(2)
        for plot, mark in zip((self.scatter_plot, self.gap_plot), self.selection_marks):
            mark.setZValue(4)
            plot.addItem(mark, ignoreBounds=True)
            mark.hide()
        self.pickers = [HoverPicker(self.scatter_plot, self.tooltip_for, self.trialClicked.emit),
                        HoverPicker(self.gap_plot, self.tooltip_for, self.trialClicked.emit)]
        self.body.addWidget(self.canvas, 1)
        self.body.addWidget(self.empty_label)
        self._data: dict[str, np.ndarray] = {}
        self._apply_colours()
        self._clear()

    # -- the threshold -------------------------------------------------------------------------------
    @staticmethod
    def _settings() -> QSettings:
        return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "hpgui", "hpgui")

    def _settings_key(self) -> str:
        return f"views/overfit/threshold/{self.score_metric.name if self.score_metric is not None else 'score'}"

    def _on_context(self) -> None:
        stored = self._settings().value(self._settings_key())
        self._threshold_set = stored is not None
        value = float(stored) if stored is not None else analysis.default_gap_threshold(
            self.score_metric.name if self.score_metric is not None else None)
        self.threshold.blockSignals(True)
        self.threshold.setValue(value)
        self.threshold.blockSignals(False)
        self._threshold_changed(save=False)
        if not self._threshold_set and not analysis.bounded_metric(self.score_metric.name if self.score_metric
                                                                   is not None else None):
            self.thresholdChanged.emit(float("inf"))  # nothing is over a threshold not sized yet
        units = self.metric_label
        self.scatter_plot.setLabel("bottom", f"Train {units}")
        self.scatter_plot.setLabel("left", f"Validation {units}")
        self.gap_plot.setLabel("left", "Gap (train better by)")

    def _on_threshold(self, _value: float) -> None:
        self._threshold_set = True
        self._threshold_changed(save=True)

    def _threshold_changed(self, save: bool, redraw: bool = True) -> None:
        value = float(self.threshold.value())
        if save:
            self._settings().setValue(self._settings_key(), value)
        self.threshold_line.setValue(value)
        self.thresholdChanged.emit(value)
        if redraw:
            self.invalidate()

    def keep_up(self, store: TrialStore) -> None:
        """Even while hidden: size the default threshold of an unbounded metric, which marks the table."""
        metric = self.score_metric
        if not self._threshold_set and store.best is not None and metric is not None \
                and not analysis.bounded_metric(metric.name):
            values = [r.value for r in store.records[-1000:] if r.value is not None]
            self._size_threshold(np.asarray(values, dtype=float), redraw=self.isVisible())

    def _size_threshold(self, values: np.ndarray, redraw: bool) -> None:
        """An unbounded metric (RMSE) gets a default sized to its scores once some exist."""
        metric = self.score_metric
        if self._threshold_set or metric is None or analysis.bounded_metric(metric.name) or len(values) == 0:
            return
        self._threshold_set = True
        self.threshold.blockSignals(True)
        self.threshold.setValue(analysis.default_gap_threshold(metric.name, values))
        self.threshold.blockSignals(False)
        self._threshold_changed(save=False, redraw=redraw)

    @property
    def gap_threshold(self) -> float:
        return float(self.threshold.value())

    def set_gap_threshold(self, value: float) -> None:
        self.threshold.setValue(value)

    # -- drawing -------------------------------------------------------------------------------------
    def _clear(self) -> None:
        for item in (self.points, self.flagged_points, self.best_point, self.gap_points, self.gap_flagged):
            item.setData(x=_EMPTY, y=_EMPTY)
        for item in (self.diagonal, self.limit_line):
            item.setData(_EMPTY, _EMPTY)
        for picker in self.pickers:
            picker.set_points(_EMPTY, _EMPTY, _EMPTY)
        self._data = {k: _EMPTY for k in ("numbers", "train", "valid", "gap")}
        self._data.update(flagged=_EMPTY, drawn=0, thinned=False)
        self.summary.setText("")

    def _draw_visible(self, store: TrialStore) -> None:
        index = self.visible_indices(store)
        arrays, details = store.arrays(), store.details()
        paired = index[np.isfinite(details.train[index]) & np.isfinite(arrays.values[index])]
        self.canvas.setVisible(len(paired) > 0)
        self.empty_label.setVisible(len(paired) == 0)
        if not len(paired):
            self.empty_label.setText("No trial with both a train and a validation score yet"
                                     if len(index) else "No trials yet")
            self._clear()
            return
        n = len(paired)
        numbers = arrays.numbers[paired]
        train = details.train[paired]
        valid = arrays.values[paired]
        greater = self.greater_is_better
        self._size_threshold(valid, redraw=False)
        gaps = (train - valid) if greater else (valid - train)
        flagged = gaps > self.gap_threshold
        self._data = {"numbers": numbers, "train": train, "valid": valid, "gap": gaps,
                      "flagged": numbers[flagged]}
        low = float(min(train.min(), valid.min()))
        high = float(max(train.max(), valid.max()))
        thinned = n > THIN_ABOVE
        ok = np.flatnonzero(~flagged)
        bad = np.flatnonzero(flagged)
        ok_gap, bad_gap = ok, bad
        if thinned:
            # More points than pixels: one per few-pixel cell of each colour (hover still finds every trial).
            cells, gap_cells = _cells(self.scatter_plot, DOT_CELL_PX), _cells(self.gap_plot, DOT_CELL_PX)
            n_range, g_range = (numbers.min(), numbers.max()), (gaps.min(), gaps.max())

            def thin(which, x, y, x_range, y_range, grid):
                return which[analysis.thin(x[which], y[which], x_range, y_range, grid)]

            ok, bad = (thin(w, train, valid, (low, high), (low, high), cells) for w in (ok, bad))
            ok_gap, bad_gap = (thin(w, numbers, gaps, n_range, g_range, gap_cells) for w in (ok_gap, bad_gap))
        self.points.setData(x=train[ok], y=valid[ok])
        self.flagged_points.setData(x=train[bad], y=valid[bad])
        self.gap_points.setData(x=numbers[ok_gap], y=gaps[ok_gap])
        self.gap_flagged.setData(x=numbers[bad_gap], y=gaps[bad_gap])
        self._data["drawn"] = len(ok) + len(bad)
        self._data["thinned"] = thinned
        best = store.best
        if best is not None and best.train_score is not None and np.any(numbers == best.number):
            self.best_point.setData(x=[best.train_score], y=[best.value])
        else:
            self.best_point.setData(x=_EMPTY, y=_EMPTY)
        pad = (high - low) * 0.05 or max(abs(high), 1.0) * 0.05
        ends = np.array([low - pad, high + pad])
        self.diagonal.setData(ends, ends)
        shift = -self.gap_threshold if greater else self.gap_threshold
        self.limit_line.setData(ends, ends + shift)
        self.pickers[0].set_points(train, valid, numbers)
        self.pickers[1].set_points(numbers, gaps, numbers)
        count = int(flagged.sum())
        text = f"{count:,} of {n:,} trials over-fit" if count else f"no trial over-fits ({n:,} shown)"
        if thinned:
            text += f"; {self._data['drawn']:,} points drawn, one per pixel cell"
        self.summary.setText(text)

    def tooltip_lines(self, record: TrialRecord) -> list[str]:
        extra = []
        if record.train_score is not None and record.value is not None:
            g = analysis.gap(record.train_score, record.value, self.greater_is_better)
            extra.append(f"Train: {format_number(record.train_score)} · gap {format_number(g)}")
            if g > self.gap_threshold:
                extra.append(f"<b>Over-fits</b>: gap above {format_number(self.gap_threshold)}")
        return extra

    def _show_selection(self) -> None:
        data = self._data
        hits = np.nonzero(data.get("numbers", _EMPTY) == self.selected)[0] if self.selected is not None else []
        if len(hits) == 0:
            for mark in self.selection_marks:
                mark.hide()
            return
        i = int(hits[0])
        self.selection_marks[0].setData(x=[data["train"][i]], y=[data["valid"][i]])
        self.selection_marks[1].setData(x=[data["numbers"][i]], y=[data["gap"][i]])
        for mark in self.selection_marks:
            mark.show()

    def _apply_colours(self) -> None:
        c = self.colours()
        self.canvas.setBackground(c.background)
        for plot in (self.scatter_plot, self.gap_plot):
            style_axes(plot, c)
        muted = QColor(c.foreground)
        muted.setAlpha(110)
        self.diagonal.setPen(pg.mkPen(muted, width=1))
        self.limit_line.setPen(pg.mkPen(c.failed, width=1, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.zero_line.setPen(pg.mkPen(muted, width=1))
        self.threshold_line.setPen(pg.mkPen(c.failed, width=1, style=pg.QtCore.Qt.PenStyle.DashLine))
        for item in (self.points, self.gap_points):
            item.setPen(None)
            item.setBrush(c.complete)
        for item in (self.flagged_points, self.gap_flagged):
            item.setPen(None)
            item.setBrush(c.failed)
        self.best_point.setPen(pg.mkPen(c.foreground, width=1))
        self.best_point.setBrush(c.best)
        for mark in self.selection_marks:
            mark.setPen(pg.mkPen(c.selection, width=2))
            mark.setBrush(None)
        self.legend.setLabelTextColor(c.foreground)
        self.legend.setBrush(pg.mkBrush(QColor(c.background)))

    def export_item(self) -> Any:
        return self.layout_item

    def plotted(self) -> dict[str, Any]:
        """numbers/train/valid/gap per drawn trial, the numbers flagged as over-fitting, the threshold."""
        return {**self._data, "threshold": self.gap_threshold}
