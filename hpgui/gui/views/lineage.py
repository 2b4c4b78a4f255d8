"""Lineage: a population-based-training study's members over rounds, and their hyperparameters over units.

The top plot shows each member's score at the end of each round, one colour per member, its own
rounds joined by a line. An exploit (a member took a better member's models) is a dashed edge from
the trial it copied to the trial that copied it, and the copying trial is a triangle, so a glance
shows who replaced whom. The best final trial's ancestry is drawn over everything, thick.

The bottom plot shows one hyperparameter, picked in the toolbar, per member over the units it was
trained for: the step line of its schedule along its current lineage (so after an exploit it starts
with the copied member's history). A log range gets a log axis.

The view is listed only for studies that hold population trials (``applies``); the data comes from
``core.lineage`` and is recomputed only when the store changes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextDocument
from PySide6.QtWidgets import QComboBox, QLabel
from superqt import QElidingLabel

from ...core.formatting import format_number, is_number
from ...core.lineage import Lineage, lineage_of
from ...core.records import TrialRecord
from ...core.space import Hyperparameter
from ...core.trials import TrialStore
from ..plotting import TrialAxis, ValueAxis, clamp_to_metric, escape, style_axes
from .base import AnalysisView, HoverPicker
from .common import ParamAxis

__all__ = ["LineageView", "member_colours"]

_EMPTY = np.empty(0)
# A qualitative palette without orange: orange is the best lineage's colour.
_PALETTE = [(31, 119, 180), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75), (227, 119, 194),
            (127, 127, 127), (188, 189, 34), (23, 190, 207)]
_DARK_PALETTE = [(110, 170, 240), (120, 210, 120), (255, 110, 110), (190, 150, 240), (200, 150, 130),
                 (245, 150, 215), (190, 190, 190), (220, 220, 90), (90, 220, 235)]


class _WrappedLine(QLabel):
    """A word-wrapped label as tall as its text needs at its width, without height-for-width: a view in
    the window's scroll room with a height-for-width child was laid out at its preferred height and
    scrolled, however much room there was. The height is measured on a text document of the label's
    font (QLabel's own height-for-width of rich text stayed at a narrower width's after a resize)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWordWrap(True)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt name)
        return False

    def text_height(self, text: str, width: int) -> int:
        """The height ``text`` takes at ``width`` pixels in this label's font."""
        if not text:
            return 0
        doc = QTextDocument()
        doc.setDefaultFont(self.font())
        doc.setDocumentMargin(0)
        doc.setHtml(text)
        doc.setTextWidth(max(width - self.contentsMargins().left() - self.contentsMargins().right(), 20))
        return int(math.ceil(doc.size().height()))

    def setText(self, text: str) -> None:  # noqa: N802
        super().setText(text)
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        height = self.text_height(self.text(), self.width())
        if height != self.minimumHeight() or height != self.maximumHeight():
            self.setFixedHeight(height)


def member_colours(count: int, dark: bool = False) -> list[QColor]:
    """A distinct colour per member: a fixed palette for a few, evenly spaced hues beyond it."""
    palette = _DARK_PALETTE if dark else _PALETTE
    if count <= len(palette):
        return [QColor(*palette[i]) for i in range(count)]
    value = 0.95 if dark else 0.75
    return [QColor.fromHsvF((i * 0.618034) % 1.0, 0.7, value) for i in range(count)]


class LineageView(AnalysisView):
    TITLE = "Lineage"
    GROUP = "Progress"
    HAS_STATE_FILTER = False
    HAS_TOP_K = False

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setToolTip("Population-based training: each member's score by round, who copied whom, and the "
                        "hyperparameters each member was trained with")
        # The summary has a line of its own under the toolbar: beside the combo it was cut to a few words.
        self.summary = QElidingLabel(self)
        self._outside = 0  # scores the chart's range leaves out (first-round outliers)
        self.summary.setObjectName("lineageSummary")
        self.summary.setContentsMargins(6, 0, 6, 0)
        self.param_label = QLabel("&Hyperparameter", self)
        self.param_combo = QComboBox(self)
        self.param_combo.setObjectName("lineageParam")
        self.param_combo.setAccessibleName("Hyperparameter drawn over units")
        self.param_combo.setToolTip("The hyperparameter the lower chart draws for each member over training")
        self.param_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.param_label.setBuddy(self.param_combo)
        self.param_combo.currentIndexChanged.connect(self._param_changed)
        index = self.toolbar.indexOf(self.export_button)
        self.toolbar.insertWidget(index, self.param_label)
        self.toolbar.insertWidget(index + 1, self.param_combo)

        self.view = pg.GraphicsLayoutWidget(self)
        self.view.setObjectName("lineagePlot")
        layout = self.view.ci
        layout.setContentsMargins(2, 2, 2, 2)
        # The legend is a wrapped line of text above the plots: it never covers a line, and at any width
        # it takes the rows it needs (a pyqtgraph legend in the layout forced the plots wider than the room).
        self.legend = _WrappedLine(self)
        self.legend.setObjectName("lineageLegend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setContentsMargins(6, 0, 6, 0)
        self.score_plot = layout.addPlot(row=0, col=0, axisItems={"bottom": TrialAxis("bottom"),
                                                                   "left": ValueAxis("left")}, enableMenu=False)
        self.param_plot = layout.addPlot(row=1, col=0, axisItems={"bottom": ValueAxis("bottom"),
                                                                   "left": ValueAxis("left")}, enableMenu=False)
        layout.layout.setRowStretchFactor(0, 3)
        layout.layout.setRowStretchFactor(1, 2)
        for plot in (self.score_plot, self.param_plot):
            plot.showGrid(x=True, y=True, alpha=0.1)
            plot.hideButtons()
        self.score_plot.setLabel("bottom", "Round")
        self.param_plot.setLabel("bottom", "Units trained")
        self.param_plot.getAxis("left").setWidth(56)
        self.score_plot.getAxis("left").setWidth(56)  # the two plots' left edges line up

        self.exploits = pg.PlotDataItem(connect="pairs")
        self.exploits.setZValue(4.5)  # over the members' lines, which an exploit edge often runs beside
        self.score_plot.addItem(self.exploits)
        self.points = pg.ScatterPlotItem(size=7)
        self.points.setZValue(4)
        self.score_plot.addItem(self.points)
        self.best_line = pg.PlotDataItem()
        self.best_line.setZValue(5)
        self.score_plot.addItem(self.best_line)
        self.best_point = pg.ScatterPlotItem(size=14, symbol="star")
        self.best_point.setZValue(6)
        self.score_plot.addItem(self.best_point)
        self.ring = pg.ScatterPlotItem(size=15, symbol="o", brush=None)
        self.ring.setZValue(7)
        self.score_plot.addItem(self.ring)
        self.best_steps = pg.PlotDataItem()
        self.best_steps.setZValue(5)
        self.param_plot.addItem(self.best_steps)
        self.selected_steps = pg.PlotDataItem()
        self.selected_steps.setZValue(6)
        self.param_plot.addItem(self.selected_steps)
        self.member_lines: list[pg.PlotDataItem] = []  # one per member, top plot
        self.member_steps: list[pg.PlotDataItem] = []  # one per member, bottom plot
        self.picker = HoverPicker(self.score_plot, self.tooltip_for, self.trialClicked.emit)
        self.body.addWidget(self.summary)
        self.body.addWidget(self.legend)
        self.body.addWidget(self.view, 1)
        self.body.addWidget(self.empty_label)
        self._lineage = Lineage()
        self._param: str | None = None
        self._axis: ParamAxis | None = None
        self._apply_colours()
        self._clear()

    # -- what the window asks ------------------------------------------------------------------------
    @staticmethod
    def applies(store: TrialStore) -> bool:
        """Listed only for studies with population trials."""
        return store.has_population

    def _on_context(self) -> None:
        self._param = None
        self.param_combo.blockSignals(True)
        self.param_combo.clear()
        self.param_combo.blockSignals(False)
        clamp_to_metric(self.score_plot.getViewBox(), self.score_metric.name if self.score_metric else None)
        self._clear()

    def _draw_visible(self, store: TrialStore) -> None:
        # Every member trial, whatever its state: the lineage shows running and failed ones where it can.
        self._draw(store, store.population())

    def _draw(self, store: TrialStore, records: list[TrialRecord]) -> None:
        lineage = self._lineage = lineage_of(records, store.direction)
        shown = bool(lineage.points)
        self.view.setVisible(shown)
        self.empty_label.setVisible(not shown)
        if not shown:
            self.empty_label.setText("No population yet: the lineage is drawn for population-based training "
                                     "(Search tab, strategy \"Population-based training\")" if len(store)
                                     else "No trials yet")
            self._clear()
            return
        self.score_plot.setLabel("left", self.metric_label)
        self._ensure_items(max(lineage.members) + 1)
        self._draw_scores(lineage)
        self._fill_params(lineage)
        self._draw_param(lineage)
        self._fill_legend(lineage)
        self._summarise(lineage)

    # -- top plot ---------------------------------------------------------------------------------------
    def _draw_scores(self, lineage: Lineage) -> None:
        for member, item in enumerate(self.member_lines):
            x, y = lineage.member_line(member)
            item.setData(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        pairs_x, pairs_y = [], []
        for edge in lineage.edges:
            if edge.exploit:
                pairs_x += [edge.x0, edge.x1]
                pairs_y += [edge.y0, edge.y1]
        self.exploits.setData(np.asarray(pairs_x, dtype=float), np.asarray(pairs_y, dtype=float))
        scored = [p for p in lineage.points.values() if math.isfinite(p.score)]
        # A brush per member made once, and whole arrays to setData: a dict per spot cost ~0.5 s for
        # 3,200 trials at every redraw.
        colours = member_colours(len(self.member_lines), self._dark())
        brushes = [pg.mkBrush(colour) for colour in colours]
        self.points.setData(x=np.array([p.round for p in scored], dtype=float),
                            y=np.array([p.score for p in scored], dtype=float),
                            brush=[brushes[p.member] for p in scored],
                            symbol=["t1" if p.exploited else ("x" if p.state == "pruned" else "o") for p in scored],
                            size=np.array([11 if p.exploited else 7 for p in scored], dtype=float),
                            pen=self._point_pen, data=np.array([p.number for p in scored], dtype=np.int64))
        self.picker.set_points(np.array([p.round for p in scored], dtype=float),
                               np.array([p.score for p in scored], dtype=float),
                               np.array([p.number for p in scored], dtype=np.int64))
        path = [lineage.points[n] for n in lineage.best_path if math.isfinite(lineage.points[n].score)]
        self.best_line.setData([float(p.round) for p in path], [p.score for p in path])
        best = lineage.points.get(lineage.best) if lineage.best is not None else None
        self.best_point.setData([best.round] if best else [], [best.score] if best else [])
        rounds = max(lineage.rounds, 1)
        self.score_plot.setXRange(-0.3, rounds - 1 + 0.3, padding=0)
        self._outside = 0
        later = [p.score for p in scored if p.round >= 1]
        if len(later) >= 2:
            # Round 0 is the random start: a member or two that learnt nothing there would squeeze what
            # the population did afterwards into a line. The chart spans the rounds after it; the start's
            # outliers are counted in the summary instead.
            low, high = min(later), max(later)
            pad = (high - low) * 0.08 or abs(high) * 0.01 or 0.01
            self.score_plot.setYRange(low - pad, high + pad, padding=0)
            self._outside = sum(1 for p in scored if not low - pad <= p.score <= high + pad)
        else:
            self.score_plot.enableAutoRange(axis="y")

    # -- bottom plot ------------------------------------------------------------------------------------
    def _fill_params(self, lineage: Lineage) -> None:
        names = [n for n in self.space if n in lineage.params] + [n for n in lineage.params if n not in self.space]
        current = [self.param_combo.itemData(i) for i in range(self.param_combo.count())]
        if names == current:
            return
        self.param_combo.blockSignals(True)
        self.param_combo.clear()
        for name in names:
            self.param_combo.addItem(name, name)
        # Unless one was picked, the first hyperparameter whose value differs somewhere: a fixed one (the
        # layer sizes every member shares) draws one flat line.
        varying = [n for n in names if len({repr(v) for _, vs in lineage.steps(n).values() for v in vs}) > 1]
        keep = self._param if self._param in names else (varying or names or [None])[0]
        if keep is not None:
            self.param_combo.setCurrentIndex(names.index(keep))
        self.param_combo.blockSignals(False)
        self._param = keep
        self.param_combo.setEnabled(len(names) > 1)

    def _param_changed(self, _index: int) -> None:
        self._param = self.param_combo.currentData()
        self._draw_param(self._lineage)
        self._show_selection()

    def show_param(self, name: str) -> bool:
        """Draw hyperparameter ``name`` in the lower chart (as picking it in the combo does)."""
        index = self.param_combo.findData(name)
        if index < 0:
            return False
        self.param_combo.setCurrentIndex(index)
        return True

    def _axis_for(self, name: str, values: list) -> ParamAxis:
        hp = self.space.get(name)
        if hp is None:  # a study read without its setup: a range from the values themselves
            numbers = [float(v) for v in values if is_number(v)]
            if numbers and len(numbers) == len(values):
                low, high = min(numbers), max(numbers)
                hp = Hyperparameter("float", low, high if high > low else low + 1,
                                    log=low > 0 and high / low >= 100)
            else:
                hp = Hyperparameter("categorical", choices=tuple(dict.fromkeys(map(str, values))))
        return ParamAxis(name, hp)

    def _draw_param(self, lineage: Lineage) -> None:
        name = self._param
        steps = lineage.steps(name) if name else {}
        values = [v for _, vs in steps.values() for v in vs]
        axis = self._axis = self._axis_for(name, values) if name and values else None
        for item in (*self.member_steps, self.best_steps):
            item.setData(_EMPTY, _EMPTY)
        if axis is None:
            self.param_plot.setLabel("left", name or "")
            return
        left = self.param_plot.getAxis("left")
        left.setLogMode(axis.log)
        left.setTicks([axis.fixed_ticks(), []] if axis.fixed_ticks() else None)
        self.param_plot.setLabel("left", name)
        low, high = math.inf, -math.inf
        for member, (xs, vs) in steps.items():
            coords = self._coords(vs)
            self.member_steps[member].setData(np.asarray(xs, dtype=float), coords)
            finite = coords[np.isfinite(coords)]
            if len(finite):
                low, high = min(low, float(finite.min())), max(high, float(finite.max()))
        if math.isfinite(low):
            self.param_plot.setYRange(*axis.view_range(np.array([low, high])), padding=0)
        if lineage.best is not None:
            xs, vs = lineage.trial_steps(lineage.best, name)
            self.best_steps.setData(np.asarray(xs, dtype=float), self._coords(vs))

    def _coords(self, values: list) -> np.ndarray:
        """Plot coordinates of values of the hyperparameter drawn (log10 on a log axis, index of a choice)."""
        name, axis = self._param, self._axis
        if axis is None or not values:
            return _EMPTY
        if axis.categorical and name not in self.space:  # choices read from the values, as text
            values = [str(v) for v in values]
        return axis.coords([{name: v} for v in values])

    # -- legend and summary -----------------------------------------------------------------------------
    def _fill_legend(self, lineage: Lineage) -> None:
        """A key of the lines: a swatch per member, the exploit edge and the best lineage. The members'
        swatches are left out where they would take more than two lines (many members, a narrow
        view): hovering a point names its member anyway."""
        c = self.colours()
        colours = member_colours(len(self.member_lines), self._dark())
        common = [f'<span style="color:{c.foreground.name()}">&#9476;&#9476;</span>&nbsp;exploit:&nbsp;copied'
                  f'&nbsp;a&nbsp;better&nbsp;member&nbsp;(&#9650;)',
                  f'<span style="color:{c.best.name()}"><b>&#9644;</b></span>&nbsp;best&nbsp;final&nbsp;lineage'
                  f'&nbsp;(&#9733;)']
        members = [f'<span style="color:{colours[m].name()}">&#9644;</span>&nbsp;member&nbsp;{m}'
                   for m in sorted(lineage.members)]
        full = "&nbsp;&nbsp; ".join(members + common)
        self._legend_texts = (full, "&nbsp;&nbsp; ".join(common))
        self._fit_legend()

    def _fit_legend(self) -> None:
        full, short = getattr(self, "_legend_texts", ("", ""))
        width = max(self.legend.width(), 50)
        lines = self.legend.text_height(full, width) / max(self.legend.fontMetrics().lineSpacing(), 1)
        self.legend.setText(full if lines <= 2.5 else short)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        if self._lineage.points:
            self._fit_legend()

    def _summarise(self, lineage: Lineage) -> None:
        states = [p.state for p in lineage.points.values()]
        exploits = sum(1 for p in lineage.points.values() if p.exploited)
        parts = [f"{_count(len(lineage.members), 'member')}, {_count(lineage.rounds, 'round')}",
                 _count(exploits, "exploit")]
        for state in ("running", "failed", "pruned"):
            if states.count(state):
                parts.append(f"{states.count(state)} {state}")
        if lineage.missing_parents:
            missing = len(lineage.missing_parents)
            parts.append(f"{_count(missing, 'parent')} not in the study" + (" (yet)" if missing else ""))
        if self._outside:
            parts.append(f"{_count(self._outside, 'first-round score')} off the chart")
        best = lineage.points.get(lineage.best) if lineage.best is not None else None
        if best is not None:
            parts.append(f"best: trial {best.number} (member {best.member}, {format_number(best.score)})")
        self.summary.setText("; ".join(parts))

    # -- items ------------------------------------------------------------------------------------------
    def _ensure_items(self, count: int) -> None:
        while len(self.member_lines) < count:
            line = pg.PlotDataItem(connect="finite")
            line.setZValue(3)
            self.score_plot.addItem(line)
            self.member_lines.append(line)
            steps = pg.PlotDataItem()
            steps.setZValue(3)
            self.param_plot.addItem(steps)
            self.member_steps.append(steps)
        self._apply_colours()

    def _clear(self) -> None:
        self._lineage = Lineage()
        for item in (*self.member_lines, *self.member_steps, self.exploits, self.best_line, self.best_steps,
                     self.selected_steps):
            item.setData(_EMPTY, _EMPTY)
        for item in (self.points, self.best_point, self.ring):
            item.setData([], [])
        self.picker.set_points(_EMPTY, _EMPTY, _EMPTY)
        self._legend_texts = ("", "")
        self.legend.setText("")
        self.summary.setText("")

    def _dark(self) -> bool:
        return self.colours().background.lightness() < 128

    def _apply_colours(self) -> None:
        c = self.colours()
        self.view.setBackground(c.background)
        for plot in (self.score_plot, self.param_plot):
            style_axes(plot, c)
        colours = member_colours(len(self.member_lines), self._dark())
        for colour, line, steps in zip(colours, self.member_lines, self.member_steps):
            line.setPen(pg.mkPen(colour, width=1.5))
            steps.setPen(pg.mkPen(colour, width=2))
        self.exploits.setPen(pg.mkPen(c.foreground, width=2, style=Qt.PenStyle.DashLine))
        self.best_line.setPen(pg.mkPen(c.best, width=3))
        self._point_pen = pg.mkPen(c.background, width=1)
        self.best_point.setBrush(pg.mkBrush(c.best))
        self.best_point.setPen(pg.mkPen(c.background, width=1))
        self.ring.setPen(pg.mkPen(c.selection, width=2))
        self.best_steps.setPen(pg.mkPen(c.best, width=3))
        self.selected_steps.setPen(pg.mkPen(c.selection, width=2, style=Qt.PenStyle.DotLine))

    # -- hover, selection, export -----------------------------------------------------------------------
    def tooltip_lines(self, record: TrialRecord) -> list[str]:
        point = self._lineage.points.get(record.number)
        if point is None:
            return []
        lines = [f"Member {point.member}, round {point.round}"]
        if point.parent is not None:
            parent = self._lineage.points.get(point.parent)
            how = "copied" if point.exploited else "continued"
            whose = f" (member {parent.member})" if parent is not None else " (not in the study)"
            lines.append(f"{how} trial {point.parent}{whose}")
        if math.isfinite(point.units):
            lines.append(f"{format_number(point.units)} units trained")
        return [escape(line) for line in lines]

    def _show_selection(self) -> None:
        point = self._lineage.points.get(self.selected) if self.selected is not None else None
        if point is None or not math.isfinite(point.score):
            self.ring.setData([], [])
        else:
            self.ring.setData([point.round], [point.score])
        xs, vs = self._lineage.trial_steps(point.number, self._param) if point is not None and self._param \
            else ([], [])
        self.selected_steps.setData(np.asarray(xs, dtype=float), self._coords(vs))

    def export_item(self) -> Any:
        return self.view.ci

    def export_image(self, path: str) -> None:
        """The two plots with the legend under them: the legend is a Qt label on screen, outside the
        plots' scene, so for the file it is set into the scene for as long as the export takes."""
        text = self.legend.text()
        if not text:
            super().export_image(path)
            return
        layout = self.view.ci
        label = pg.LabelItem(justify="left", color=self.colours().foreground)
        label.setText(text, size="9pt")
        label.item.setTextWidth(max(self.view.width() - 20, 100))  # wrapped to the plots' width
        label.updateMin()  # its row as tall as the wrapped text
        layout.addItem(label, row=2, col=0)
        layout.layout.activate()
        try:
            super().export_image(path)
        finally:
            layout.removeItem(label)
            layout.layout.activate()

    def plotted(self) -> dict[str, Any]:
        """Per member its score line and step line, the exploit edges as (x0, y0, x1, y1), the best lineage,
        the hyperparameter drawn and whether its axis is logarithmic."""
        lines = {}
        for member, item in enumerate(self.member_lines):
            x, y = item.getData()
            if x is not None and len(x):
                lines[member] = (np.asarray(x), np.asarray(y))
        steps = {}
        for member, item in enumerate(self.member_steps):
            x, y = item.getData()
            if x is not None and len(x):
                steps[member] = (np.asarray(x), np.asarray(y))
        ex, ey = self.exploits.getData()
        ex = _EMPTY if ex is None else ex
        ey = _EMPTY if ey is None else ey
        edges = [(float(ex[i]), float(ey[i]), float(ex[i + 1]), float(ey[i + 1])) for i in range(0, len(ex) - 1, 2)]
        return {"members": lines, "steps": steps, "exploits": edges, "best": self._lineage.best,
                "best_path": list(self._lineage.best_path), "param": self._param,
                "log": bool(self._axis.log) if self._axis is not None else False,
                "trials": len(self._lineage.points)}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
