"""What every chart of hpgui shares: colours from the palette, axes, labels, tooltips and export.

Charts are views of one :class:`~hpgui.core.trials.TrialStore`; the window redraws them on a clock,
and a chart updates plot items made once (``setData`` on numpy arrays). Nothing here may be called
from a worker thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import pyqtgraph as pg
from pyqtgraph.exporters import Exporter, ImageExporter
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QGuiApplication, QPainter, QPalette
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QWidget

from ..core.formatting import format_number, format_param, is_number
from ..core.trials import STATE_CODES

if TYPE_CHECKING:
    from ..core.records import TrialRecord
    from ..core.space import Hyperparameter

__all__ = ["log_scaled", "Colours", "chart_colours", "style_axes", "fit_labels", "TrialAxis", "ValueAxis", "export_item", "thin",
           "MAX_SCATTER", "step_vertices", "escape", "finite_score", "trial_tooltip", "short", "round_up",
           "EXPORT_WIDTH"]

EXPORT_WIDTH = 1600  # pixels of an exported PNG

_COMPLETE = STATE_CODES["complete"]
_FAILED = STATE_CODES["failed"]
_PRUNED = STATE_CODES["pruned"]
_EMPTY = np.empty(0, dtype=np.float64)
#: More completed trials than this are thinned for drawing: pyqtgraph styles every scatter point in
#: Python (~2 µs each), and 100,000 points on a chart ~1,000 pixels wide are more points than pixels.
MAX_SCATTER = 20_000


def thin(y: np.ndarray, limit: int) -> np.ndarray:
    """Indices of at most about ``limit`` points that look like all of them.

    Points are cut into ``limit // 4`` runs of neighbours; each run keeps its lowest and its
    highest point (so the best trials and the outliers stay), and an even stride fills the rest.
    """
    n = len(y)
    if n <= limit:
        return np.arange(n)
    runs = max(1, limit // 4)
    starts = np.linspace(0, n, runs + 1).astype(np.int64)[:-1]
    lengths = np.diff(np.append(starts, n))
    lows = np.repeat(np.minimum.reduceat(y, starts), lengths)
    highs = np.repeat(np.maximum.reduceat(y, starts), lengths)
    extremes = np.flatnonzero((y == lows) | (y == highs))
    stride = np.arange(0, n, max(1, int(math.ceil(n / (limit - min(len(extremes), limit // 2))))))
    return np.union1d(extremes, stride)

@dataclass(frozen=True)
class Colours:
    background: QColor
    foreground: QColor
    complete: QColor
    failed: QColor
    pruned: QColor
    best: QColor
    selection: QColor
    band: QColor
    band_edge: QColor
    trail: QColor


def descent_vertices(paths: dict, value=lambda r: r.value) -> tuple[np.ndarray, np.ndarray]:
    """One polyline per gradient descent (trial number, score), the descents apart by a NaN gap."""
    xs: list[float] = []
    ys: list[float] = []
    for records in paths.values():
        if xs:
            xs.append(math.nan)
            ys.append(math.nan)
        xs += [float(r.number) for r in records]
        ys += [float(value(r)) for r in records]
    return np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)


def chart_colours(widget: QWidget) -> Colours:
    """Plot colours that read on the widget's palette, light or dark."""
    palette = widget.palette()
    background = QColor(palette.color(QPalette.ColorRole.Base))
    foreground = QColor(palette.color(QPalette.ColorRole.Text))
    dark = background.lightness() < 128
    if dark:
        complete, failed, pruned = QColor(110, 170, 240, 200), QColor(255, 95, 95), QColor(165, 165, 165)
        best, trail = QColor(255, 170, 50), QColor(255, 170, 50)
        band, band_edge = QColor(255, 255, 255, 22), QColor(255, 255, 255, 70)
    else:
        complete, failed, pruned = QColor(31, 119, 180, 170), QColor(214, 39, 40), QColor(125, 125, 125)
        best, trail = QColor(217, 95, 2), QColor(217, 95, 2)
        band, band_edge = QColor(0, 0, 0, 14), QColor(0, 0, 0, 60)
    return Colours(background, foreground, complete, failed, pruned, best, foreground, band, band_edge, trail)


def style_axes(plot: pg.PlotItem, colours: Colours, names=("left", "bottom")) -> None:
    axis_colour = QColor(colours.foreground)
    axis_colour.setAlpha(150)
    for name in names:
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(axis_colour, width=1))
        axis.setTextPen(pg.mkPen(colours.foreground))


def fit_labels(specs: list, metrics: QFontMetrics, gap: float) -> list:
    """Horizontal axis labels, each elided to the room between its neighbours' centres."""
    order = sorted((i for i, spec in enumerate(specs) if spec[2]), key=lambda i: specs[i][0].center().x())
    if len(order) < 2:
        return specs
    centres = [specs[i][0].center().x() for i in order]
    out = list(specs)
    for k, i in enumerate(order):
        room = min(centres[k] - centres[k - 1] if k else math.inf,
                   centres[k + 1] - centres[k] if k + 1 < len(order) else math.inf) - gap
        rect, flags, text = specs[i]
        if metrics.horizontalAdvance(text) > room:
            out[i] = (rect, flags, metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(int(room), 0)))
    return out


class TrialAxis(pg.AxisItem):
    """An axis of trial numbers: whole numbers only, never an SI prefix or exponent."""

    def __init__(self, orientation: str, major_only: bool = False, **kwargs):
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)
        self._major_only = major_only

    def tickValues(self, minVal, maxVal, size):
        levels = super().tickValues(minVal, maxVal, size)
        kept = [(spacing, values) for spacing, values in levels if spacing >= 1]
        if self._major_only:
            kept = kept[:1]
        return kept or [(1.0, [float(v) for v in range(math.ceil(minVal), math.floor(maxVal) + 1)])]

    def tickStrings(self, values, scale, spacing):
        return [str(int(round(v))) for v in values]


class ValueAxis(pg.AxisItem):
    """A value axis with compact labels: 0.01 … 1000 as plain numbers, 10⁻⁶ beyond that.

    Two fixes over pyqtgraph's axis: its log ticks list each decade both as a major tick and again
    among the minor ones (log10(1) = 0), so that label was drawn twice a pixel apart and looked
    bold; and fixed tick labels (a categorical axis's choices) are drawn whatever their room, so
    "logistic_regression" ran into "svm" in a narrow plot. Those labels are now cut to the space
    between their neighbours, ending in "…"; numbers are never cut (pyqtgraph spaces them).
    """

    LABEL_GAP = 6  # pixels kept free between two labels

    def __init__(self, orientation: str, **kwargs):
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickValues(self, minVal, maxVal, size):
        levels = super().tickValues(minVal, maxVal, size)
        seen: list[float] = []
        out = []
        for spacing, values in levels:
            kept = [v for v in values if not any(abs(v - s) < 1e-9 for s in seen)]
            seen.extend(kept)
            out.append((spacing, kept))
        return out

    def drawPicture(self, p, axisSpec, tickSpecs, textSpecs):
        if self.orientation in ("bottom", "top") and self._tickLevels is not None:  # fixed ticks only
            font = self.style["tickFont"] if self.style["tickFont"] is not None else p.font()
            textSpecs = fit_labels(textSpecs, QFontMetrics(font), self.LABEL_GAP)
        super().drawPicture(p, axisSpec, tickSpecs, textSpecs)

    def logTickStrings(self, values, scale, spacing):
        # Label 1, 2 and 5 times a power of ten; the other minor ticks stay unlabelled so that
        # "600 700 800 900 1000" never runs together.
        out = []
        for v in values:
            value = float(10 ** v) * scale
            mantissa = round(value / 10 ** math.floor(math.log10(value) + 1e-9), 6) if value > 0 else 0
            out.append(format_number(value, digits=3) if mantissa in (1.0, 2.0, 5.0) else "")
        return out

    def tickStrings(self, values, scale, spacing):
        if self.logMode:
            return self.logTickStrings(values, scale, spacing)
        if not values:
            return []
        biggest = max(abs(v) for v in values)
        if biggest >= 1e7 or (0 < biggest < 1e-3):
            return [format_number(v, digits=3) for v in values]
        return super().tickStrings(values, scale, spacing)


class SvgExporter(Exporter):
    """SVG through Qt's own generator, with pyqtgraph's export mode (markers drawn as vectors).

    pyqtgraph 0.14's SVGExporter fails on the closed paths that current Qt writes
    ("ValueError: not enough values to unpack", pyqtgraph issues #3485 and #3495).
    """

    def export(self, fileName=None, toBytes=False, copy=False):
        source = self.getSourceRect()
        width, height = max(1, round(source.width())), max(1, round(source.height()))
        target = QRectF(0, 0, width, height)
        generator = QSvgGenerator()
        generator.setFileName(str(fileName))
        generator.setSize(QSize(width, height))
        generator.setViewBox(target)
        generator.setTitle("hpgui chart")
        # Cached drawings (axes are QPictures) replay scaled by device DPI: match the screen's.
        screen = QGuiApplication.primaryScreen()
        generator.setResolution(int(screen.logicalDotsPerInchX()) if screen is not None else 96)
        background = self.getScene().views()[0].backgroundBrush()
        painter = QPainter(generator)
        try:
            painter.fillRect(target, background)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            self.setExportMode(True, {"antialias": True, "background": background.color(), "painter": painter})
            self.getScene().render(painter, target, source)
        finally:
            self.setExportMode(False)
            painter.end()


def export_item(item: Any, path: str, width: int = EXPORT_WIDTH) -> None:
    suffix = Path(path).suffix.lower()
    if suffix == ".svg":
        SvgExporter(item).export(str(path))
        return
    if suffix not in (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"):
        raise ValueError(f"cannot export a chart as {suffix or 'a file without a suffix'}; use .png or .svg")
    exporter = ImageExporter(item)
    exporter.parameters()["width"] = int(width)  # the height follows the chart's aspect ratio
    if exporter.export(str(path)) is False:
        raise OSError(f"could not write the image {path}")



def step_vertices(numbers: np.ndarray, best: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The corners of the best-so-far step line: where it starts, each improvement, and the last trial.

    Drawn with ``stepMode="right"`` this is the same line as one vertex per trial, with a handful
    of vertices instead of thousands (a thick pen over thousands of collinear vertices is slow and
    leaves beads along the line in exported images).
    """
    finite = np.isfinite(best)
    x, y = numbers[finite], best[finite]
    if len(x) == 0:
        return _EMPTY, _EMPTY
    keep = np.empty(len(x), dtype=bool)
    keep[0] = True
    np.not_equal(y[1:], y[:-1], out=keep[1:])
    keep[-1] = True
    return x[keep], y[keep]


def escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def finite_score(record: TrialRecord) -> bool:
    return record.state == "complete" and record.value is not None and math.isfinite(record.value)


def trial_tooltip(record: TrialRecord, metric_label: str = "Score", extra: Sequence[str] = ()) -> str:
    """The hover text of one trial (rich text): number, score or state, extra lines, then its params."""
    lines = [f"<b>Trial {record.number}</b>"]
    if finite_score(record):
        score = format_number(record.value)
        if record.std is not None:
            score += f" ± {format_number(record.std)}"
        lines.append(f"{escape(metric_label)}: {score}")
    else:
        lines.append(record.state)
        if record.error:
            error = record.error if len(record.error) <= 120 else record.error[:117] + "…"
            lines.append(escape(error))
    lines.extend(extra)
    for name, value in record.params.items():
        lines.append(f"{escape(name)} = {escape(format_param(value))}")
    return "<br>".join(lines)



def round_up(value: float) -> float:
    """The next multiple of a tenth of ``value``'s decade at or above it: 287 -> 290, 10001 -> 11000."""
    step = 10.0 ** (math.floor(math.log10(value)) - 1)
    return math.ceil(value / step) * step


def short(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def log_scaled(hp: "Hyperparameter") -> bool:
    """Whether a hyperparameter's axis is logarithmic: a log range, or given values that are all positive
    and span two decades or more (C in 0.01, 0.1, 1, 10, 100 would otherwise crowd at 0 on a linear axis)."""
    if hp.type == "categorical":
        return False
    if hp.values is not None:
        numbers = [float(v) for v in hp.values if is_number(v)]
        if not numbers or min(numbers) <= 0:
            return False
        return bool(hp.log) or max(numbers) / min(numbers) >= 100
    return bool(hp.log) and hp.low is not None and float(hp.low) > 0
