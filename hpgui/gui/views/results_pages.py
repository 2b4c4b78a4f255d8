"""The Results tab's pages: a chart for the cross-validation rows beside the same chart for the test rows.

Every page takes a finished :class:`~hpgui.core.diagnostics.Diagnostics` in ``show`` and
draws through ``results_charts``, the same functions the HTML report uses.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QDoubleSpinBox, QHBoxLayout, QHeaderView, QLabel, QSplitter, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ...core.diagnostics import Diagnostics, Part
from ...core.diagnostics.classification import matrix_at, positive_scores
from .. import results_charts as rc
from ...core.formatting import format_number
from ..plotting import chart_colours, style_axes
from ..report_images import applies, draw_part_chart

#: Rows a clicked confusion cell lists at most.
MAX_CELL_ROWS = 1_000


def _style(view: QWidget, plot: pg.PlotItem) -> None:
    colours = chart_colours(view)
    style_axes(plot, colours)
    plot.titleLabel.setAttr("color", colours.foreground.name())


class ChartPage(QWidget):
    """One chart per part, side by side: cross-validation on the left, the test set on the right."""

    def __init__(self, key: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.title = title
        self.canvas = pg.GraphicsLayoutWidget(self)
        self.canvas.setObjectName(f"results-{key}")
        self.plots: dict[str, pg.PlotItem] = {}
        self.diagnostics: Diagnostics | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas, 1)

    def show_diagnostics(self, diagnostics: Diagnostics) -> None:
        self.diagnostics = diagnostics
        self.canvas.clear()
        self.plots = {}
        self.canvas.setBackground(chart_colours(self).background)
        for column, part in enumerate(diagnostics.parts):
            plot = self.canvas.addPlot(row=0, col=column)
            self.plots[part.kind] = plot
            _style(self, plot)
            self.draw(plot, part, diagnostics)

    def draw(self, plot: pg.PlotItem, part: Part, diagnostics: Diagnostics) -> Any:
        # The tab names the chart; each plot's title says which rows it shows.
        if not applies(diagnostics.task, self.key, part):
            rc.empty(plot, part.label, "does not apply", chart_colours(self).foreground)
            return None
        return draw_part_chart(plot, diagnostics.task, self.key, part, diagnostics.metric, part.label,
                               chart_colours(self).foreground)

    def export_item(self) -> Any:
        return self.canvas.ci


class ConfusionPage(ChartPage):
    """The confusion matrices; clicking a cell lists its rows below."""

    cellClicked = Signal(str, int, int)  # part kind, actual index, predicted index

    def __init__(self, parent: QWidget | None = None):
        super().__init__("confusion", "Confusion matrix", parent)
        self.normalised = False
        self.rows_label = QLabel("Click a cell to list its rows.", self)
        self.rows_label.setObjectName("confusionRowsLabel")
        self.rows_table = QTableWidget(self)
        self.rows_table.setObjectName("confusionRows")
        self.rows_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.rows_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        below = QWidget(self)
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(4, 0, 4, 0)
        below_layout.addWidget(self.rows_label)
        below_layout.addWidget(self.rows_table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.layout().removeWidget(self.canvas)
        splitter.addWidget(self.canvas)
        splitter.addWidget(below)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([400, 140])
        self.layout().addWidget(splitter, 1)
        self.canvas.scene().sigMouseClicked.connect(self._clicked)
        self.X: dict[str, Any] = {}   # part kind -> the rows its positions index

    def set_normalised(self, on: bool) -> None:
        self.normalised = bool(on)
        if self.diagnostics is not None:
            self.show_diagnostics(self.diagnostics)

    def draw(self, plot: pg.PlotItem, part: Part, diagnostics: Diagnostics) -> Any:
        key = "confusion-normalised" if self.normalised else "confusion"
        title = f"{part.label}, share of each actual class" if self.normalised else part.label
        return rc.draw_classification(plot, key, part.classification, title, chart_colours(self).foreground)

    def _clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.diagnostics is None:
            return
        for kind, plot in self.plots.items():
            part = self.diagnostics.part(kind)
            cell = rc.cell_at(plot, event.scenePos(), len(part.classification.classes))
            if cell is not None:
                self.list_cell(kind, *cell)
                self.cellClicked.emit(kind, *cell)
                return

    def cell_positions(self, kind: str, actual: int, predicted: int) -> np.ndarray:
        """Positions (in that part's rows) of the rows of one cell."""
        held = self.diagnostics.part(kind).held_out
        classes = held.classes
        mask = (held.y_true == classes[actual]) & (held.y_pred == classes[predicted])
        return held.positions[mask]

    def _mark(self, kind: str, actual: int, predicted: int) -> None:
        from PySide6.QtWidgets import QGraphicsRectItem

        for plot in self.plots.values():
            for item in [i for i in plot.items if isinstance(i, QGraphicsRectItem)]:
                plot.removeItem(item)
        rect = QGraphicsRectItem(predicted + 0.04, actual + 0.04, 0.92, 0.92)
        rect.setPen(pg.mkPen(QColor(217, 95, 2), width=3))
        self.plots[kind].addItem(rect)

    def list_cell(self, kind: str, actual: int, predicted: int) -> None:
        self._mark(kind, actual, predicted)
        part = self.diagnostics.part(kind)
        held = part.held_out
        labels = part.classification.classes
        positions = self.cell_positions(kind, actual, predicted)
        shown = positions[:MAX_CELL_ROWS]
        X = self.X.get(kind)
        columns = list(X.columns) if X is not None else []
        self.rows_table.clear()
        header = ["Data row", "Actual", "Predicted"]
        proba_col = held.proba is not None
        if proba_col:
            header.append("P(predicted)")
        self.rows_table.setColumnCount(len(header) + len(columns))
        self.rows_table.setHorizontalHeaderLabels(header + columns)
        self.rows_table.setRowCount(len(shown))
        order = {p: i for i, p in enumerate(held.positions.tolist())}
        for r, pos in enumerate(shown.tolist()):
            values: list[Any] = []
            label = X.index[pos] if X is not None else pos
            values += [int(label) + 1 if isinstance(label, (int, np.integer)) else label, labels[actual],
                       labels[predicted]]
            if proba_col:
                values.append(float(held.proba[order[pos], predicted]))
            if X is not None:
                values += list(X.iloc[pos].tolist())
            for c, value in enumerate(values):
                self.rows_table.setItem(r, c, QTableWidgetItem(format_number(value)))
        more = f" (the first {MAX_CELL_ROWS:,} shown)" if len(positions) > MAX_CELL_ROWS else ""
        self.rows_label.setText(f"{part.label}: {len(positions):,} row(s) of actual {labels[actual]} predicted as "
                                f"{labels[predicted]}{more}. Data row counts the file's data rows from 1.")


class ThresholdPage(ChartPage):
    """Binary tasks: precision, recall and F1 against the threshold, and the matrix the threshold gives."""

    thresholdChanged = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("threshold", "Decision threshold", parent)
        self.value = 0.5
        self.markers: list[pg.InfiniteLine] = []
        self.spin = QDoubleSpinBox(self)
        self.spin.setObjectName("thresholdSpin")
        self.spin.setDecimals(3)
        self.spin.setSingleStep(0.01)
        self.spin.setAccessibleName("Decision threshold")
        self.spin.valueChanged.connect(self.set_threshold)
        self.summary = QLabel(self)
        self.summary.setObjectName("thresholdSummary")
        self.summary.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(4, 0, 4, 0)
        label = QLabel("&Threshold:", self)
        label.setBuddy(self.spin)
        row.addWidget(label)
        row.addWidget(self.spin)
        row.addWidget(self.summary, 1)
        self.layout().insertLayout(0, row)
        self.matrix_plots: dict[str, pg.PlotItem] = {}

    def show_diagnostics(self, diagnostics: Diagnostics) -> None:
        th = diagnostics.parts[0].classification.thresholds
        self.markers = []
        if th is not None:
            self.spin.blockSignals(True)
            low, high = float(th.values.min()), float(th.values.max())
            self.spin.setRange(min(low, th.default), max(high, th.default))
            self.value = th.default
            self.spin.setValue(th.default)
            self.spin.blockSignals(False)
        super().show_diagnostics(diagnostics)
        self.matrix_plots = {}
        if th is None:
            return
        for column, part in enumerate(diagnostics.parts):
            plot = self.canvas.addPlot(row=1, col=column)
            self.matrix_plots[part.kind] = plot
        for marker in self.markers:
            marker.sigPositionChanged.connect(lambda line: self.spin.setValue(float(line.value())))
        self._redraw_matrices()

    def draw(self, plot: pg.PlotItem, part: Part, diagnostics: Diagnostics) -> Any:
        marker = super().draw(plot, part, diagnostics)
        if marker is not None:
            marker.setValue(self.value)
            self.markers.append(marker)
        return marker

    def set_threshold(self, value: float) -> None:
        self.value = float(value)
        for marker in self.markers:
            if abs(marker.value() - self.value) > 1e-12:
                marker.blockSignals(True)
                marker.setValue(self.value)
                marker.blockSignals(False)
        self._redraw_matrices()
        self.thresholdChanged.emit(self.value)

    def matrices(self) -> dict[str, np.ndarray]:
        """The 2×2 matrix each part gives at the current threshold (rows actual, columns predicted)."""
        out = {}
        for part in (self.diagnostics.parts if self.diagnostics is not None else []):
            held, result = part.held_out, part.classification
            if result.thresholds is None:
                continue
            truth = (held.y_true == held.classes[1]).astype(int)
            out[part.kind] = matrix_at(truth, positive_scores(held.proba, held.decision), self.value)
        return out

    def _redraw_matrices(self) -> None:
        if self.diagnostics is None or not self.matrix_plots:
            return
        texts = []
        for kind, matrix in self.matrices().items():
            part = self.diagnostics.part(kind)
            labels = part.classification.classes
            _style(self, self.matrix_plots[kind])
            rc.confusion(self.matrix_plots[kind], matrix, labels, normalised=False,
                         title=f"{part.label} at {self.value:.3g}", foreground=chart_colours(self).foreground)
            tp, fp, fn = matrix[1, 1], matrix[0, 1], matrix[1, 0]
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / (tp + fn) if tp + fn else 0.0
            texts.append(f"{part.label}: precision {precision:.3f}, recall {recall:.3f}")
        th = self.diagnostics.parts[0].classification.thresholds
        self.summary.setText("; ".join(texts) + f". The model itself decides at {th.default:g}; best F1 on the "
                             f"cross-validation rows at {th.best_f1:.3g}.")


class ReportPage(QWidget):
    """Tables per part side by side: per-class report, regression errors by decile, cluster sizes."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.tables: dict[str, QTableWidget] = {}
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(2, 2, 2, 2)

    def show_diagnostics(self, diagnostics: Diagnostics) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.tables = {}
        for part in diagnostics.parts:
            box = QWidget(self)
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            header, rows, foot = part_table(part, diagnostics.metric)
            title = QLabel(f"<b>{part.label}</b> · {part.n:,} rows", box)
            table = QTableWidget(len(rows), len(header), box)
            table.setObjectName(f"report-{part.kind}")
            table.setHorizontalHeaderLabels(header)
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            table.verticalHeader().hide()
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    item = QTableWidgetItem(format_number(value))
                    if not isinstance(value, str):
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    table.setItem(r, c, item)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            column.addWidget(title)
            column.addWidget(table, 1)
            note = QLabel(foot, box)
            note.setWordWrap(True)
            column.addWidget(note)
            self.tables[part.kind] = table
            self._layout.addWidget(box, 1)


def part_table(part: Part, metric: str) -> tuple[list[str], list[list[Any]], str]:
    """(header, rows, a line under them) for one part's main table."""
    if part.classification is not None:
        r = part.classification.report
        rows = [[label, r.precision[i], r.recall[i], r.f1[i], int(r.support[i])] for i, label in enumerate(r.labels)]
        rows.append(["macro average", *r.macro, int(r.support.sum())])
        rows.append(["weighted average", *r.weighted, int(r.support.sum())])
        foot = f"Accuracy {r.accuracy:.4g}"
        if part.classification.roc_auc is not None:
            foot += f" · ROC AUC {part.classification.roc_auc:.4g}"
            foot += " (one-vs-rest, macro)" if len(r.labels) > 2 else ""
        if part.classification.note:
            foot += f" · {part.classification.note}"
        return ["Class", "Precision", "Recall", "F1", "Support"], rows, foot
    if part.regression is not None:
        g = part.regression
        rows = [[i + 1, d.low, d.high, d.count, d.mae, d.rmse, d.bias] for i, d in enumerate(g.deciles)]
        return (["Decile", "Actual from", "to", "Rows", "MAE", "RMSE", "Mean residual"], rows,
                f"R² {g.r2:.4g} · RMSE {g.rmse:.4g} · MAE {g.mae:.4g}")
    k = part.clustering
    rows = [[i, int(n), float(np.mean(k.silhouette[k.silhouette_labels == i])) if np.any(k.silhouette_labels == i)
             else float("nan")] for i, n in enumerate(k.sizes)]
    foot = f"Mean silhouette {k.score:.4g}"
    if k.sampled:
        foot += f" (a seeded sample of {k.sampled:,} rows)"
    return ["Cluster", "Rows", "Mean silhouette"], rows, foot


__all__ = ["ChartPage", "ConfusionPage", "ThresholdPage", "ReportPage", "part_table"]
