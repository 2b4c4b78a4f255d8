"""Drawing the diagnostics: one function per chart, each filling a pyqtgraph PlotItem.

The Results tab and the HTML report (``report_images``) both draw through these, so
what a user sees in the window is what the report shows. Each function clears the
plot and draws from the core's results; none computes a metric.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from ..core.diagnostics.classification import ClassificationResult, Curve, Thresholds, normalise
from ..core.diagnostics.clustering import ClusteringResult
from ..core.diagnostics.permutation import PermutationResult
from ..core.diagnostics.regression import RegressionResult

#: Qualitative colours for classes and series (Tableau 10), readable on light and dark backgrounds.
SERIES = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
          "#17becf"]
#: Confusion cells get their count written in them up to this many classes.
MAX_CELL_TEXT = 15
#: Scatter charts draw at most this many points (a seeded sample beyond).
MAX_POINTS = 5_000
#: The permutation chart shows this many columns, the most important.
TOP_COLUMNS = 15


def series(i: int) -> QColor:
    return QColor(SERIES[i % len(SERIES)])


def _reset(plot: pg.PlotItem, title: str = "") -> None:
    plot.clear()
    legend = plot.legend
    if legend is not None:
        legend.scene().removeItem(legend) if legend.scene() is not None else None
        plot.legend = None
    plot.setTitle(title, size="10pt")
    # A title's text would otherwise set the plot's minimum width, and two side by side overflow a tab.
    plot.titleLabel.setMinimumWidth(0)
    plot.getViewBox().invertY(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setMenuEnabled(False)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setTicks(None)
        axis.enableAutoSIPrefix(False)  # "(x0.001)" under an axis of score drops reads as a mistake
    plot.showGrid(x=False, y=False)


def _legend(plot: pg.PlotItem, corner: tuple[float, float] = (-10, 10)) -> pg.LegendItem:
    # Dark text on a light box: readable on the report's white and on a dark theme alike.
    legend = plot.addLegend(offset=corner, labelTextSize="8pt", labelTextColor=QColor(30, 32, 38))
    legend.setBrush(pg.mkBrush(255, 255, 255, 170))
    return legend


def empty(plot: pg.PlotItem, title: str, text: str, foreground: QColor) -> None:
    """A plot that says why it has nothing to show."""
    _reset(plot, title)
    item = pg.TextItem(text, color=foreground, anchor=(0.5, 0.5))
    plot.addItem(item)
    item.setPos(0.5, 0.5)
    plot.setXRange(0, 1)
    plot.setYRange(0, 1)
    plot.hideAxis("left")
    plot.hideAxis("bottom")


def _axes(plot: pg.PlotItem) -> None:
    plot.showAxis("left")
    plot.showAxis("bottom")


def confusion(plot: pg.PlotItem, matrix: np.ndarray, labels: Sequence[str], *, normalised: bool,
              title: str, foreground: QColor) -> None:
    """Actual classes down, predicted across; a darker cell holds more of its actual class's rows."""
    _reset(plot, title)
    _axes(plot)
    shares = normalise(matrix)
    n = len(labels)
    image = pg.ImageItem(shares.T)  # ImageItem's first axis is x
    image.setLookupTable(pg.colormap.get("CET-L12").getLookupTable(0.0, 1.0, 256))  # white to blue
    image.setLevels((0.0, 1.0))
    image.setRect(0, 0, n, n)
    plot.addItem(image)
    if n <= MAX_CELL_TEXT:
        font = QFont()
        font.setPointSizeF(9 if n < 8 else 7.5)
        for i in range(n):
            for j in range(n):
                text = f"{shares[i, j]:.0%}" if normalised else f"{int(matrix[i, j])}"
                colour = QColor("white") if shares[i, j] > 0.55 else QColor(30, 30, 30)
                item = pg.TextItem(text, color=colour, anchor=(0.5, 0.5))
                item.setFont(font)
                item.setPos(j + 0.5, i + 0.5)
                plot.addItem(item)
    ticks = [[(k + 0.5, _short(str(label))) for k, label in enumerate(labels)]]
    plot.getAxis("bottom").setTicks(ticks)
    plot.getAxis("left").setTicks(ticks)
    plot.setLabel("bottom", "Predicted class")
    plot.setLabel("left", "Actual class")
    plot.getViewBox().invertY(True)
    plot.setXRange(0, n, padding=0)
    plot.setYRange(0, n, padding=0)


def cell_at(plot: pg.PlotItem, scene_pos, n: int) -> tuple[int, int] | None:
    """(actual, predicted) of the confusion cell under a scene position, or None."""
    box = plot.getViewBox()
    if not box.sceneBoundingRect().contains(scene_pos):
        return None
    point = box.mapSceneToView(scene_pos)
    i, j = int(np.floor(point.y())), int(np.floor(point.x()))
    return (i, j) if 0 <= i < n and 0 <= j < n else None


def _short(text: str, limit: int = 12) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def curves(plot: pg.PlotItem, lines: Sequence[Curve], *, kind: str, title: str, area_name: str) -> None:
    """ROC (``kind="roc"``), precision–recall (``"pr"``) or calibration (``"calibration"``) curves."""
    _reset(plot, title)
    _axes(plot)
    legend = _legend(plot, (-10, 10) if kind == "pr" else (-10, -10))
    if kind in ("roc", "calibration"):
        plot.plot([0, 1], [0, 1], pen=pg.mkPen(QColor(150, 150, 150), width=1, style=Qt.PenStyle.DashLine))
    for i, line in enumerate(lines):
        colour = QColor("#1f77b4") if len(lines) == 1 else series(i)
        symbol = "o" if kind == "calibration" else None
        name = f"{_short(line.label, 16)}  {area_name} {line.area:.3f}" if line.label else f"{area_name} {line.area:.3f}"
        plot.plot(line.x, line.y, pen=pg.mkPen(colour, width=1.5), symbol=symbol, symbolSize=5,
                  symbolBrush=colour, symbolPen=None, name=name)
    labels = {"roc": ("False positive rate", "True positive rate"), "pr": ("Recall", "Precision"),
              "calibration": ("Mean predicted probability", "Share actually of the class")}[kind]
    plot.setLabel("bottom", labels[0])
    plot.setLabel("left", labels[1])
    plot.setXRange(0, 1, padding=0.02)
    plot.setYRange(0, 1, padding=0.02)
    if not lines:
        legend.hide()


def threshold(plot: pg.PlotItem, th: Thresholds, current: float, *, title: str) -> pg.InfiniteLine:
    """Precision, recall and F1 of the positive class against the threshold; returns the movable marker."""
    _reset(plot, title)
    _axes(plot)
    _legend(plot, (-10, -10))
    for name, values, colour in (("precision", th.precision, SERIES[0]), ("recall", th.recall, SERIES[1]),
                                 ("F1", th.f1, SERIES[2])):
        plot.plot(th.values, values, pen=pg.mkPen(colour, width=1.5), name=name)
    marker = pg.InfiniteLine(current, angle=90, movable=True,
                             pen=pg.mkPen(QColor(40, 40, 40), width=1.5, style=Qt.PenStyle.DashLine),
                             hoverPen=pg.mkPen(QColor(217, 95, 2), width=2))
    marker.setToolTip("Drag to move the decision threshold")
    plot.addItem(marker)
    plot.setLabel("bottom", f"Threshold on the {th.score_name} of {th.positive!s}")
    plot.setLabel("left", "Value")
    if len(th.values):
        low, high = float(th.values.min()), float(th.values.max())
        marker.setBounds((low, high))
        plot.setXRange(low, high, padding=0.02)
    plot.setYRange(0, 1.02, padding=0)
    return marker


def _sample(n: int, limit: int = MAX_POINTS) -> np.ndarray:
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, size=limit, replace=False))


def predicted_vs_actual(plot: pg.PlotItem, result: RegressionResult, *, title: str) -> None:
    _reset(plot, title)
    _axes(plot)
    keep = _sample(len(result.actual))
    low = float(min(result.actual.min(), result.predicted.min())) if len(keep) else 0.0
    high = float(max(result.actual.max(), result.predicted.max())) if len(keep) else 1.0
    plot.plot([low, high], [low, high], pen=pg.mkPen(QColor(150, 150, 150), width=1, style=Qt.PenStyle.DashLine))
    plot.plot(result.actual[keep], result.predicted[keep], pen=None, symbol="o", symbolSize=4,
              symbolBrush=pg.mkBrush(31, 119, 180, 120), symbolPen=None)
    plot.setLabel("bottom", "Actual")
    plot.setLabel("left", "Predicted")
    plot.showGrid(x=True, y=True, alpha=0.1)


def residuals(plot: pg.PlotItem, result: RegressionResult, *, title: str) -> None:
    _reset(plot, title)
    _axes(plot)
    keep = _sample(len(result.actual))
    plot.addItem(pg.InfiniteLine(0, angle=0, pen=pg.mkPen(QColor(150, 150, 150), width=1,
                                                          style=Qt.PenStyle.DashLine)))
    plot.plot(result.predicted[keep], result.residuals[keep], pen=None, symbol="o", symbolSize=4,
              symbolBrush=pg.mkBrush(31, 119, 180, 120), symbolPen=None)
    plot.setLabel("bottom", "Predicted")
    plot.setLabel("left", "Residual (actual − predicted)")
    plot.showGrid(x=True, y=True, alpha=0.1)


def histogram(plot: pg.PlotItem, result: RegressionResult, *, title: str) -> None:
    _reset(plot, title)
    _axes(plot)
    counts, edges = result.histogram
    if len(counts):
        plot.addItem(pg.BarGraphItem(x0=edges[:-1], x1=edges[1:], height=counts, brush=pg.mkBrush(31, 119, 180, 170),
                                     pen=pg.mkPen(255, 255, 255, 200, width=1)))
    plot.addItem(pg.InfiniteLine(0, angle=90, pen=pg.mkPen(QColor(90, 90, 90), width=1, style=Qt.PenStyle.DashLine)))
    plot.setLabel("bottom", "Residual (actual − predicted)")
    plot.setLabel("left", "Rows")


def deciles(plot: pg.PlotItem, result: RegressionResult, *, title: str) -> None:
    _reset(plot, title)
    _axes(plot)
    _legend(plot, (10, 5)).setColumnCount(3)
    d = result.deciles
    x = np.arange(1, len(d) + 1)
    plot.addItem(pg.BarGraphItem(x=x, height=[g.mae for g in d], width=0.6, brush=pg.mkBrush(31, 119, 180, 170),
                                 pen=None, name="MAE"))
    plot.plot(x, [g.rmse for g in d], pen=pg.mkPen(SERIES[1], width=1.5), symbol="o", symbolSize=5,
              symbolBrush=SERIES[1], symbolPen=None, name="RMSE")
    plot.plot(x, [g.bias for g in d], pen=pg.mkPen(SERIES[2], width=1.2, style=Qt.PenStyle.DashLine),
              name="mean residual")
    plot.addItem(pg.InfiniteLine(0, angle=0, pen=pg.mkPen(QColor(150, 150, 150), width=1)))
    plot.getAxis("bottom").setTicks([[(i + 1, str(i + 1)) for i in range(len(d))]])
    if d:
        # Room above the tallest bar for the legend's one row.
        values = [v for g in d for v in (g.mae, g.rmse, g.bias)]
        low, high = min(0.0, min(values)), max(values)
        plot.setYRange(low, high + 0.2 * (high - low), padding=0.02)
    plot.setLabel("bottom", "Decile of the actual value (1 = lowest tenth)")
    plot.setLabel("left", "Error")


def sizes(plot: pg.PlotItem, result: ClusteringResult, *, title: str) -> None:
    _reset(plot, title)
    _axes(plot)
    x = np.arange(len(result.sizes))
    plot.addItem(pg.BarGraphItem(x=x, height=result.sizes, width=0.65,
                                 brushes=[pg.mkBrush(series(i)) for i in x], pen=None))
    plot.getAxis("bottom").setTicks([[(int(i), str(int(i))) for i in x]])
    plot.setLabel("bottom", "Cluster")
    plot.setLabel("left", "Rows")


def silhouette(plot: pg.PlotItem, result: ClusteringResult, *, title: str) -> None:
    """Each row's silhouette as a thin horizontal bar, rows grouped by cluster and sorted within it."""
    _reset(plot, title)
    _axes(plot)
    values, labels = result.silhouette, result.silhouette_labels
    y0, ticks = 0.0, []
    gap = max(2.0, 0.02 * len(values))
    for cluster in np.unique(labels):
        own = np.sort(values[labels == cluster])
        ys = y0 + np.arange(len(own))
        plot.addItem(pg.BarGraphItem(x0=np.zeros(len(own)), x1=own, y=ys, height=1.0, pen=None,
                                     brush=pg.mkBrush(series(int(cluster)))))
        ticks.append((y0 + len(own) / 2, str(int(cluster))))
        y0 += len(own) + gap
    if len(values):
        plot.addItem(pg.InfiniteLine(result.score, angle=90, pen=pg.mkPen(QColor(200, 40, 40), width=1.2,
                                                                           style=Qt.PenStyle.DashLine)))
    plot.getAxis("left").setTicks([ticks])
    plot.setLabel("left", "Cluster")
    plot.setLabel("bottom", f"Silhouette (mean {result.score:.3f}, dashed)")
    plot.setXRange(min(-0.1, float(values.min()) if len(values) else 0), 1, padding=0.02)


def bars(plot: pg.PlotItem, names: Sequence[str], values: Sequence[float], spread: Sequence[float] | None, *,
         title: str, axis: str) -> None:
    """Horizontal bars, the first name on top, with ± spread whiskers if given."""
    _reset(plot, title)
    _axes(plot)
    n = len(names)
    y = np.arange(n)[::-1].astype(float)
    values = np.asarray(values, dtype=float)
    plot.addItem(pg.BarGraphItem(x0=np.zeros(n), x1=values, y=y, height=0.6, brush=pg.mkBrush(31, 119, 180, 190),
                                 pen=None))
    if spread is not None and n:
        plot.addItem(pg.ErrorBarItem(x=values, y=y, left=np.asarray(spread), right=np.asarray(spread), beam=0.2,
                                     pen=pg.mkPen(QColor(40, 40, 40), width=1)))
    plot.addItem(pg.InfiniteLine(0, angle=90, pen=pg.mkPen(QColor(120, 120, 120), width=1)))
    plot.getAxis("left").setTicks([[(y[i], _short(str(names[i]), 22)) for i in range(n)]])
    plot.setLabel("bottom", axis)
    if n:
        plot.setYRange(-0.7, n - 0.3, padding=0)


def permutation(plot: pg.PlotItem, result: PermutationResult, metric: str, *, title: str) -> None:
    order = result.order()[:TOP_COLUMNS]
    # Beside its twin a plot has room for short labels only; the spread's count goes in the tooltip
    # (and the report's table heading).
    bars(plot, [result.columns[i] for i in order], result.mean[order], result.std[order], title=title,
         axis=f"Drop in {metric} when shuffled")
    plot.getViewBox().setToolTip(f"Bars: mean drop; whiskers: ± std over {result.importances.shape[1]} repeats "
                                 f"({result.folds} fitted model(s))")


def draw_classification(plot: pg.PlotItem, key: str, result: ClassificationResult, title: str,
                        foreground: QColor, threshold_value: float | None = None):
    """One classification chart by its report key; returns the threshold marker for "threshold"."""
    if key in ("confusion", "confusion-normalised"):
        confusion(plot, result.matrix, result.classes, normalised=key.endswith("normalised"), title=title,
                  foreground=foreground)
    elif key in ("roc", "pr", "calibration"):
        lines = {"roc": result.roc, "pr": result.pr, "calibration": result.calibration}[key]
        if not lines:
            why = result.note or ("calibration needs probabilities; this model gives decision scores only"
                                  if key == "calibration" else "no curve")
            empty(plot, title, why, foreground)
            return None
        area = {"roc": "AUC", "pr": "AP", "calibration": "Brier"}[key]
        curves(plot, lines, kind=key, title=title, area_name=area)
    elif key == "threshold":
        if result.thresholds is None:
            empty(plot, title, "a decision threshold applies to two classes", foreground)
            return None
        value = result.thresholds.default if threshold_value is None else threshold_value
        return threshold(plot, result.thresholds, value, title=title)
    return None


def draw_regression(plot: pg.PlotItem, key: str, result: RegressionResult, title: str) -> None:
    {"predicted": predicted_vs_actual, "residuals": residuals, "histogram": histogram,
     "deciles": deciles}[key](plot, result, title=title)


def draw_clustering(plot: pg.PlotItem, key: str, result: ClusteringResult, title: str, foreground: QColor) -> None:
    if key == "silhouette" and not len(result.silhouette):
        empty(plot, title, result.note or "no silhouette", foreground)
        return
    {"sizes": sizes, "silhouette": silhouette}[key](plot, result, title=title)
