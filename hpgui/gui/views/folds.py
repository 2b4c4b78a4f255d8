"""Fold spread: how much each trial's score moved from fold to fold.

Each trial is a dot at its mean validation score with a bar over its fold
scores: from the lowest to the highest fold (default), or the mean ± the
standard deviation of the folds. A band shows the best trial's mean ± one
standard error; trials whose mean falls inside it are statistically tied with
the best (hpgui.core.analysis) and drawn in the best's colour.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QLabel
from superqt import QElidingLabel

from ...core import analysis
from ...core.records import TrialRecord
from ...core.trials import TrialStore
from ...core.formatting import format_number
from ..plotting import TrialAxis, ValueAxis, clamp_to_metric, style_axes
from .base import AnalysisView, HoverPicker
from .overfit import DOT_CELL_PX, THIN_ABOVE, _cells

__all__ = ["FoldsView"]

_EMPTY = np.empty(0)
SPREADS = {"range": "Lowest to highest fold", "std": "Mean ± std of folds"}


class FoldsView(AnalysisView):
    TITLE = "Fold spread"
    GROUP = "Checks"
    HAS_STATE_FILTER = False  # failed and pruned trials have no complete set of fold scores

    def __init__(self, parent=None):
        super().__init__(parent)
        self.spread = QComboBox(self)
        self.spread.setObjectName("foldSpread")
        for key, label in SPREADS.items():
            self.spread.addItem(label, key)
        self.spread.setAccessibleName("Bars show")
        self.spread.setToolTip("What each bar spans: the lowest to the highest fold score, or the mean ± the "
                               "standard deviation over the folds")
        self.spread.currentIndexChanged.connect(self.invalidate)
        label = QLabel("&Bars:", self)
        label.setBuddy(self.spread)
        self.toolbar.insertWidget(0, label)
        self.toolbar.insertWidget(1, self.spread)
        self.summary = QElidingLabel(self)  # cut to its room: a long line must not widen the window
        self.summary.setObjectName("foldsSummary")
        self.summary.setToolTip("Tied with the best: mean score within one standard error of the best trial's "
                                "mean (standard error = sample std of its fold scores / √folds).")
        # Stretched, and set to the right by the export button: it shares the free room with the toolbar's
        # spacer, and elides only when there is none.
        self.summary.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.toolbar.insertWidget(self.toolbar.count() - 1, self.summary, 3)

        self.view = pg.PlotWidget(self, axisItems={"bottom": TrialAxis("bottom"), "left": ValueAxis("left")})
        self.view.setObjectName("foldsPlot")
        plot = self.plot = self.view.getPlotItem()
        plot.setMenuEnabled(False)
        plot.showGrid(x=True, y=True, alpha=0.08)
        plot.setLabel("bottom", "Trial")
        self.bars = pg.ErrorBarItem(x=_EMPTY, y=_EMPTY, top=_EMPTY, bottom=_EMPTY, beam=0)
        self.means = pg.ScatterPlotItem(symbol="o", size=5, pxMode=True, antialias=True)
        self.tied = pg.ScatterPlotItem(symbol="o", size=7, pxMode=True, antialias=True)
        self.best = pg.ScatterPlotItem(symbol="star", size=14, pxMode=True, antialias=True)
        self.band = pg.LinearRegionItem(values=(0, 0), orientation="horizontal", movable=False)
        self.band.setToolTip("The best trial's mean ± one standard error: trials inside it are tied with it")
        self.selection_mark = pg.ScatterPlotItem(symbol="o", size=15, pxMode=True)
        plot.addItem(self.band, ignoreBounds=True)
        for item, z in ((self.bars, 1), (self.means, 2), (self.tied, 3), (self.best, 4)):
            item.setZValue(z)
            plot.addItem(item)
        self.selection_mark.setZValue(5)
        plot.addItem(self.selection_mark, ignoreBounds=True)
        self.selection_mark.hide()
        self.picker = HoverPicker(plot, self.tooltip_for, self.trialClicked.emit)
        self.body.addWidget(self.view, 1)
        self.body.addWidget(self.empty_label)
        self._data: dict[str, Any] = {}
        self._apply_colours()
        self._clear()

    def _on_context(self) -> None:
        clamp_to_metric(self.plot.getViewBox(), self.score_metric.name if self.score_metric else None, "y")
        self.plot.setLabel("left", self.metric_label)

    @property
    def spread_kind(self) -> str:
        return self.spread.currentData()

    def _clear(self) -> None:
        self.bars.setData(x=_EMPTY, y=_EMPTY, top=_EMPTY, bottom=_EMPTY)
        for item in (self.means, self.tied, self.best):
            item.setData(x=_EMPTY, y=_EMPTY)
        self.band.hide()
        self.picker.set_points(_EMPTY, _EMPTY, _EMPTY)
        self._data = {"numbers": _EMPTY, "mean": _EMPTY, "low": _EMPTY, "high": _EMPTY, "tied": _EMPTY,
                      "best": None, "se": None, "spread": self.spread_kind, "drawn": 0, "thinned": False,
                      "dots": 0}
        self.summary.setText("")

    def _draw_visible(self, store: TrialStore) -> None:
        index = self.visible_indices(store)
        arrays, details = store.arrays(), store.details()
        index_with_folds = index[(details.fold_count[index] > 0) & np.isfinite(arrays.values[index])]
        self.view.setVisible(len(index_with_folds) > 0)
        self.empty_label.setVisible(len(index_with_folds) == 0)
        if not len(index_with_folds):
            self.empty_label.setText("No trial with fold scores yet" if len(index) else "No trials yet")
            self._clear()
            return
        index = index_with_folds
        n = len(index)
        numbers = arrays.numbers[index]
        mean = arrays.values[index]
        if self.spread_kind == "std":
            std = details.fold_std[index]
            low, high = mean - std, mean + std
        else:
            low, high = details.fold_low[index], details.fold_high[index]
        best = store.best
        se = analysis.standard_error(best) if best is not None else None
        is_best = numbers == (best.number if best is not None else -1)
        is_tied = analysis.tied_mask(mean, best) & ~is_best
        thinned = n > THIN_ABOVE
        if thinned:
            # More trials than pixels: one bar per few-pixel cell, spanning every bar in it, and one dot
            # per cell of plain and of tied trials (hover still finds every trial).
            x_range, y_range = (numbers.min(), numbers.max()), (np.nanmin(low), np.nanmax(high))
            keep, bar_low, bar_high = analysis.spread_per_cell(numbers, mean, low, high, x_range, y_range,
                                                               _cells(self.plot))
            dots = _cells(self.plot, DOT_CELL_PX)
            plain = np.flatnonzero(~(is_tied | is_best))
            plain = plain[analysis.thin(numbers[plain], mean[plain], x_range, y_range, dots)]
            tied = np.flatnonzero(is_tied)
            tied = tied[analysis.thin(numbers[tied], mean[tied], x_range, y_range, dots)]
        else:
            keep = np.arange(n)
            bar_low, bar_high = low, high
            plain, tied = np.flatnonzero(~(is_tied | is_best)), np.flatnonzero(is_tied)
        y = mean[keep]
        self.bars.setData(x=numbers[keep], y=y, top=bar_high - y, bottom=y - bar_low)
        self.means.setData(x=numbers[plain], y=mean[plain])
        self.tied.setData(x=numbers[tied], y=mean[tied])
        self.best.setData(x=numbers[is_best], y=mean[is_best])
        if best is not None and se is not None:
            self.band.setRegion((best.value - se, best.value + se))
            self.band.show()
        else:
            self.band.hide()
        self.picker.set_points(numbers, mean, numbers)
        self._data = {"numbers": numbers, "mean": mean, "low": low, "high": high, "tied": numbers[is_tied],
                      "best": best.number if best is not None and is_best.any() else None, "se": se,
                      "spread": self.spread_kind, "drawn": len(keep), "thinned": thinned,
                      "dots": len(plain) + len(tied) + int(is_best.sum())}
        n_tied = int(is_tied.sum())
        text = "" if se is None else (f"{n_tied} trial{'s' if n_tied != 1 else ''} tied "
                                      f"with the best (±{format_number(se)}, one standard error)")
        if thinned:
            text += f"; {len(keep):,} bars for {n:,} trials, one per pixel cell"
        self.summary.setText(text)

    def tooltip_lines(self, record: TrialRecord) -> list[str]:
        extra = []
        if record.folds:
            extra.append("Folds: " + ", ".join(format_number(f) for f in record.folds))
        if np.any(np.asarray(self._data.get("tied", _EMPTY)) == record.number):
            extra.append("<b>Tied with the best</b> (within one standard error)")
        return extra

    def _show_selection(self) -> None:
        numbers = self._data.get("numbers", _EMPTY)
        hits = np.nonzero(numbers == self.selected)[0] if self.selected is not None else []
        if len(hits) == 0:
            self.selection_mark.hide()
            return
        i = int(hits[0])
        self.selection_mark.setData(x=[numbers[i]], y=[self._data["mean"][i]])
        self.selection_mark.show()

    def _apply_colours(self) -> None:
        c = self.colours()
        self.view.setBackground(c.background)
        style_axes(self.plot, c)
        bar = QColor(c.complete)
        bar.setAlpha(120)
        self.bars.setData(pen=pg.mkPen(bar, width=1))
        self.means.setPen(None)
        self.means.setBrush(c.complete)
        self.tied.setPen(pg.mkPen(c.best, width=1))
        self.tied.setBrush(None)
        self.best.setPen(pg.mkPen(c.foreground, width=1))
        self.best.setBrush(c.best)
        band = QColor(c.best)
        band.setAlpha(40)
        self.band.setBrush(pg.mkBrush(band))
        for line in self.band.lines:
            line.setPen(pg.mkPen(QColor(c.best), width=1))
        self.selection_mark.setPen(pg.mkPen(c.selection, width=2))
        self.selection_mark.setBrush(None)

    def export_item(self) -> Any:
        return self.plot

    def plotted(self) -> dict[str, Any]:
        """numbers/mean/low/high per drawn trial, the tied numbers, the best, the standard error, the spread."""
        return dict(self._data)
