"""Leaderboard: the best trial of each model, its spread over folds, and how far it is behind the winner.

A dot per model at its best score with a ± std bar (a forest plot: scores of good
models differ in the third decimal, which bars from zero would hide), a line at the
overall best, and a table with the numbers. Clicking a row or a dot selects that
trial everywhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from ...core.choice import MODEL_PARAM, model_label
from ...core.leaderboard import Standing, standings
from ...core.records import TrialRecord
from ...core.trials import TrialStore
from ...core.formatting import format_number, format_score
from ..plotting import ValueAxis, clamp_to_metric, style_axes
from .base import AnalysisView, HoverPicker

COLUMNS = ("Model", "Best score", "Behind the best", "Fit time (s)", "Trials", "Best trial")


class _ModelAxis(pg.AxisItem):
    """Model names at whole-number positions (rank 0 at the top)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.labels: list[str] = []

    def tickValues(self, minVal, maxVal, size):
        low, high = sorted((minVal, maxVal))  # an inverted view box passes them the other way round
        return [(1.0, [float(i) for i in range(len(self.labels)) if low - 0.5 <= i <= high + 0.5])]

    def tickStrings(self, values, scale, spacing):
        return [self.labels[int(round(v))] if 0 <= int(round(v)) < len(self.labels) else "" for v in values]


class LeaderboardView(AnalysisView):
    TITLE = "Leaderboard"
    GROUP = "Models"
    HAS_STATE_FILTER = False  # only scored trials can lead
    HAS_TOP_K = False

    def __init__(self, parent=None):
        super().__init__(parent)
        self.models: tuple[str, ...] = ()
        self._standings: list[Standing] = []
        self.axis = _ModelAxis("left")
        self.plot_widget = pg.PlotWidget(axisItems={"left": self.axis, "bottom": ValueAxis("bottom")})
        self.plot_widget.setMinimumHeight(120)
        self.plot: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.getViewBox().setMouseEnabled(x=False, y=False)
        self.plot.getViewBox().invertY(True)
        self.errors = pg.ErrorBarItem(x=np.empty(0), y=np.empty(0), beam=0.15)
        self.dots = pg.ScatterPlotItem(size=11, pxMode=True)
        self.best_line = pg.InfiniteLine(angle=90, movable=False)
        self.selection = pg.ScatterPlotItem(size=19, pxMode=True, brush=None)
        for item in (self.best_line, self.errors, self.dots, self.selection):
            self.plot.addItem(item)
        self.best_line.hide()
        self.picker = HoverPicker(self.plot, self.tooltip_for, self.trialClicked.emit, radius_px=10)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("leaderboardTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.cellClicked.connect(self._on_row_clicked)
        self.table.setToolTip("The best trial of each model; click a row to select that trial.")
        self.body.addWidget(self.plot_widget, 3)
        self.body.addWidget(self.table, 2)
        self.body.addWidget(self.empty_label)
        self._apply_colours()

    # -- AnalysisView ---------------------------------------------------------------------------
    def _on_context(self) -> None:
        clamp_to_metric(self.plot.getViewBox(), self.score_metric.name if self.score_metric else None, "x")
        hp = self.space.get(MODEL_PARAM)
        self.models = tuple(hp.choices or ()) if hp is not None and hp.type == "categorical" else ()
        self.plot.setLabel("bottom", self.metric_label)

    def _draw(self, store: TrialStore, records: list[TrialRecord]) -> None:
        direction = "maximize" if self.greater_is_better else "minimize"
        self._standings = standings(store.records, direction, self.models, store.arrays().values)
        ranked = [s for s in self._standings if s.best is not None]
        self.axis.labels = [self._label(s) for s in ranked]
        scores = np.array([s.best.value for s in ranked], dtype=float)
        stds = np.array([s.best.std or 0.0 for s in ranked], dtype=float)
        y = np.arange(len(ranked), dtype=float)
        numbers = np.array([s.best.number for s in ranked], dtype=np.int64)
        self.dots.setData(x=scores, y=y, data=numbers)
        self.errors.setData(x=scores, y=y, left=stds, right=stds)
        self.picker.set_points(scores, y, numbers)
        if len(ranked):
            self.best_line.setPos(scores[0])
            self.best_line.show()
            spread = np.concatenate([scores - stds, scores + stds])
            low, high = float(spread.min()), float(spread.max())
            pad = (high - low) * 0.08 or max(abs(high) * 0.01, 1e-6)
            self.plot.setXRange(low - pad, high + pad, padding=0)
            self.plot.setYRange(-0.6, len(ranked) - 0.4, padding=0)
        else:
            self.best_line.hide()
        # Room for the longest name: the axis would otherwise only widen on a later paint.
        metrics = self.fontMetrics()
        self.axis.setWidth(max([metrics.horizontalAdvance(t) for t in self.axis.labels] + [20]) + 14)
        self.axis.picture = None  # labels changed with the ranking
        self.axis.update()
        self._fill_table()
        has = bool(self._standings)
        self.empty_label.setText("No trials yet")
        self.empty_label.setVisible(not has)
        self.plot_widget.setVisible(has)
        self.table.setVisible(has)

    def _fill_table(self) -> None:
        table = self.table
        table.setRowCount(len(self._standings))
        for row, s in enumerate(self._standings):
            b = s.best
            fit = b.fit_time_s if b is not None else None
            cells = (
                self._label(s),
                format_score(b.value, b.std) if b is not None else "—",
                ("best" if s.gap == 0 else format_number(s.gap)) if s.gap is not None else "—",
                f"{fit:.3f}" if fit is not None else "—",
                f"{s.completed} / {s.trials}" if s.completed != s.trials else str(s.trials),
                str(b.number) if b is not None else "—",
            )
            for column, text in enumerate(cells):
                item = table.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    table.setItem(row, column, item)
                item.setText(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setData(Qt.ItemDataRole.UserRole, b.number if b is not None else None)
            table.item(row, 4).setToolTip("completed / all trials of this model")

    def _label(self, s: Standing) -> str:
        return model_label(s.model) if s.model else "(model not recorded)"

    def _show_selection(self) -> None:
        ranked = [s for s in self._standings if s.best is not None]
        for i, s in enumerate(ranked):
            if s.best.number == self._selected:
                self.selection.setData(x=[s.best.value], y=[float(i)])
                break
        else:
            self.selection.setData(x=[], y=[])
        for row, s in enumerate(self._standings):
            if s.best is not None and s.best.number == self._selected:
                if self.table.currentRow() != row:
                    self.table.selectRow(row)
                return
        self.table.clearSelection()

    def tooltip_lines(self, record: TrialRecord) -> list[str]:
        return [f"model: {model_label(record.model)}"]

    def export_item(self) -> Any:
        return self.plot

    def plotted(self) -> dict[str, Any]:
        ranked = [s for s in self._standings if s.best is not None]
        return {
            "models": [s.model for s in self._standings],
            "scores": np.array([s.best.value for s in ranked], dtype=float),
            "stds": np.array([s.best.std or 0.0 for s in ranked], dtype=float),
            "numbers": np.array([s.best.number for s in ranked], dtype=np.int64),
            "gaps": np.array([s.gap for s in ranked], dtype=float),
            "dots": tuple(np.asarray(a) for a in self.dots.getData()),
        }

    # -- internals ---------------------------------------------------------------------------------
    def _on_row_clicked(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        number = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if number is not None:
            self.trialClicked.emit(int(number))

    def _apply_colours(self) -> None:
        c = self.colours()
        self.plot_widget.setBackground(c.background)
        style_axes(self.plot, c)
        self.dots.setBrush(pg.mkBrush(c.complete))
        self.dots.setPen(pg.mkPen(c.complete, width=1))
        self.errors.setOpts(pen=pg.mkPen(c.foreground, width=1))
        self.best_line.setPen(pg.mkPen(c.best, width=1, style=Qt.PenStyle.DashLine))
        self.selection.setPen(pg.mkPen(c.selection, width=2))
