"""Charts of a running search: the score history and the best hyperparameters' trajectory.

Both charts are views of one :class:`~hpgui.core.trials.TrialStore`. The main
window owns the repaint timer and calls ``refresh(store)`` on it; a chart
redraws only when ``store.version`` moved since its last redraw, and then only
updates plot items created once (``setData`` on numpy arrays). Nothing here may
be called from a worker thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pyqtgraph as pg
from pyqtgraph.exporters import Exporter, ImageExporter
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QGuiApplication, QPainter, QPalette
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from ..core.space import Hyperparameter
from ..core.trials import STATE_CODES, TrialStore

if TYPE_CHECKING:
    from ..core.records import TrialRecord

__all__ = ["HistoryChart", "BestParamsChart", "format_number", "format_param", "trial_tooltip", "finite_score"]

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
_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")


# -- shared helpers ------------------------------------------------------------------------------


def format_number(value: Any, digits: int = 4) -> str:
    """A compact, exponent-free (where sensible) text for a number; anything else as ``str``."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return str(v)
    a = abs(v)
    if a == 0:
        return "0"
    if 1e-3 <= a < 10 ** digits:
        return f"{v:.{digits}g}"
    if 10 ** digits <= a < 1e7:
        return f"{v:.0f}"
    mantissa, exponent = f"{v:.{max(1, digits - 2)}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    power = "10" + str(int(exponent)).translate(_SUPERSCRIPT)
    return power if mantissa == "1" else f"{mantissa}·{power}"


def format_param(value: Any) -> str:
    """A hyperparameter value, short and still typeable: 12.35, 0.0001235, 1e-06, 12346, rbf, None."""
    if isinstance(value, float) and math.isfinite(value):
        if 1e4 <= abs(value) < 1e7:
            return f"{value:.0f}"
        return f"{value:.4g}"
    return format_number(value)


@dataclass(frozen=True)
class _Colours:
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


def _colours(widget: QWidget) -> _Colours:
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
    return _Colours(background, foreground, complete, failed, pruned, best, foreground, band, band_edge, trail)


def _style_axes(plot: pg.PlotItem, colours: _Colours, names=("left", "bottom")) -> None:
    axis_colour = QColor(colours.foreground)
    axis_colour.setAlpha(150)
    for name in names:
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(axis_colour, width=1))
        axis.setTextPen(pg.mkPen(colours.foreground))


def _fit_labels(specs: list, metrics: QFontMetrics, gap: float) -> list:
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


class _TrialAxis(pg.AxisItem):
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


class _ValueAxis(pg.AxisItem):
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
            textSpecs = _fit_labels(textSpecs, QFontMetrics(font), self.LABEL_GAP)
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


class _SvgExporter(Exporter):
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


def _export(item: Any, path: str, width: int = EXPORT_WIDTH) -> None:
    suffix = Path(path).suffix.lower()
    if suffix == ".svg":
        _SvgExporter(item).export(str(path))
        return
    if suffix not in (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"):
        raise ValueError(f"cannot export a chart as {suffix or 'a file without a suffix'}; use .png or .svg")
    exporter = ImageExporter(item)
    exporter.parameters()["width"] = int(width)  # the height follows the chart's aspect ratio
    if exporter.export(str(path)) is False:
        raise OSError(f"could not write the image {path}")


# -- score history -------------------------------------------------------------------------------


class HistoryChart(QWidget):
    """Every trial's score against its number, with the best-so-far line over it."""

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
        self._legend = QLabel(self)
        self._legend.setObjectName("historyLegend")
        self._legend.setTextFormat(Qt.TextFormat.RichText)
        self._show_failed_box = QCheckBox("Show failed and pruned", self)
        self._show_failed_box.setObjectName("showFailedBox")
        self._show_failed_box.setChecked(True)
        self._show_failed_box.setToolTip("Failed and pruned trials have no score; they are marked along the "
                                         "bottom edge of the chart.")
        self._show_failed_box.toggled.connect(self.set_show_failed)
        toolbar = QHBoxLayout()
        toolbar.setContentsMargins(4, 0, 4, 0)
        toolbar.addWidget(self._legend)
        toolbar.addStretch(1)
        toolbar.addWidget(self._show_failed_box)

        self._view = pg.PlotWidget(self, axisItems={"bottom": _TrialAxis("bottom"), "left": _ValueAxis("left")})
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
        self._selection = pg.ScatterPlotItem(symbol="o", size=15, pxMode=True, antialias=True)
        self._complete.setZValue(1)
        self._failed.setZValue(2)
        self._pruned.setZValue(2)
        self._best.setZValue(3)
        self._selection.setZValue(4)
        plot.addItem(self._complete)
        plot.addItem(self._best)
        # The edge markers follow the view; they must not widen it.
        plot.addItem(self._failed, ignoreBounds=True)
        plot.addItem(self._pruned, ignoreBounds=True)
        plot.addItem(self._selection, ignoreBounds=True)
        self._selection.hide()
        for item in (self._complete, self._failed, self._pruned):
            item.sigClicked.connect(self._on_points_clicked)
        viewbox = plot.getViewBox()
        viewbox.sigYRangeChanged.connect(self._place_edge_markers)
        viewbox.sigResized.connect(self._place_edge_markers)
        # The trial axis grows in steps with headroom instead of re-fitting on every redraw: a
        # re-fit re-lays out and repaints the axis, the costliest part of a live redraw.
        self._x_high = 0.0
        self._follow_x = True
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
        self._update_edge_item(self._failed, numbers[states == _FAILED])
        self._update_edge_item(self._pruned, numbers[states == _PRUNED])
        bx, by = _step_vertices(numbers, arrays.best_so_far)
        self._best.setData(x=bx, y=by)
        self._grow_x(float(numbers[-1]) if len(numbers) else 0.0)
        self._place_edge_markers()
        self._empty_label.setVisible(len(store) == 0)
        return True

    def _stop_following(self, *_) -> None:
        self._follow_x = False

    def _grow_x(self, last: float) -> None:
        if not self._follow_x or last < self._x_high:
            return
        self._x_high = float(max(10.0, (last + 1) * 1.5))
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
        _export(self._plot, path)

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
        c = self._colours = _colours(self)
        self._view.setBackground(c.background)
        _style_axes(self._plot, c)
        self._complete.setPen(None)
        self._complete.setBrush(pg.mkBrush(c.complete))
        self._failed.setPen(pg.mkPen(c.failed, width=1))
        self._failed.setBrush(pg.mkBrush(c.failed))
        self._pruned.setPen(pg.mkPen(c.pruned, width=1))
        self._pruned.setBrush(None)
        self._best.setPen(pg.mkPen(c.best, width=2))
        self._selection.setPen(pg.mkPen(c.selection, width=2))
        self._selection.setBrush(None)
        self._set_axis_labels()
        solid = QColor(c.complete)
        solid.setAlpha(255)
        self._legend.setText(
            f'<span style="color:{solid.name()}">●</span> completed&nbsp;&nbsp; '
            f'<span style="color:{c.failed.name()}">✕</span> failed&nbsp;&nbsp; '
            f'<span style="color:{c.pruned.name()}">○</span> pruned&nbsp;&nbsp; '
            f'<span style="color:{c.best.name()}"><b>━</b></span> best so far')

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


def _step_vertices(numbers: np.ndarray, best: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def _escape(text: str) -> str:
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
        lines.append(f"{_escape(metric_label)}: {score}")
    else:
        lines.append(record.state)
        if record.error:
            error = record.error if len(record.error) <= 120 else record.error[:117] + "…"
            lines.append(_escape(error))
    lines.extend(extra)
    for name, value in record.params.items():
        lines.append(f"{_escape(name)} = {_escape(format_param(value))}")
    return "<br>".join(lines)


# -- best hyperparameters ------------------------------------------------------------------------


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
            numbers = [float(v) for v in hp.values if _is_number(v)]
            self.low, self.high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
        else:
            self.low = float(hp.low) if hp.low is not None else 0.0
            self.high = float(hp.high) if hp.high is not None else 1.0
        self.log = bool(hp.log) and not self.categorical and self.low > 0
        self.x = _EMPTY
        self.y = _EMPTY

        self.band = pg.LinearRegionItem(movable=False, orientation="vertical")
        self.band.setZValue(-10)
        self.trail = pg.PlotDataItem(symbol="o", symbolSize=6, connect="finite", antialias=True)
        self.hold = pg.PlotDataItem()
        self.current = pg.PlotDataItem(symbol="o", symbolSize=11, pen=None, antialias=True)
        self.current.setZValue(5)
        plot.addItem(self.band, ignoreBounds=True)
        plot.addItem(self.hold)
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
            ticks = [(i, _short(format_number(c))) for i, c in enumerate(self.choices)]
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
        if not _is_number(value):
            return math.nan
        value = float(value)
        if self.log and value <= 0:
            return math.nan
        return value

    def apply_colours(self, c: _Colours) -> None:
        self.band.setBrush(pg.mkBrush(c.band))
        for line in self.band.lines:
            line.setPen(pg.mkPen(c.band_edge, width=1))
        self.trail.setPen(pg.mkPen(c.trail, width=1))
        self.trail.setSymbolPen(None)
        self.trail.setSymbolBrush(pg.mkBrush(c.trail))
        faint = QColor(c.trail)
        faint.setAlpha(110)
        self.hold.setPen(pg.mkPen(faint, width=1, style=Qt.PenStyle.DashLine))
        self.current.setSymbolPen(pg.mkPen(c.foreground, width=1))
        self.current.setSymbolBrush(pg.mkBrush(c.best))
        _style_axes(self.plot, c)
        self.label.setText(self.label.text, color=c.foreground.name())


class _NameLabel(pg.LabelItem):
    """A hyperparameter's name beside its plot: right-aligned and vertically centred."""

    def resizeEvent(self, ev):
        super().resizeEvent(ev)
        text = self.itemRect()
        self.item.moveBy(0, self.rect().center().y() - text.center().y())


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(float(value))


def _round_up(value: float) -> float:
    """The next multiple of a tenth of ``value``'s decade at or above it: 287 -> 290, 10001 -> 11000."""
    step = 10.0 ** (math.floor(math.log10(value)) - 1)
    return math.ceil(value / step) * step


def _short(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class BestParamsChart(QWidget):
    """For each searched hyperparameter: where the best value sits in its range, and how it moved."""

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
        self._caption = QLabel("Best value of each hyperparameter (x) at the trial it became best (y); "
                               "the shaded band is the searched range.", self)
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
        self._colours = _colours(self)
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
                axisItems={"bottom": _ValueAxis("bottom"), "left": _TrialAxis("left", major_only=True)},
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
        _export(self._graphics.ci, path)

    # -- internals --------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        c = self._colours = _colours(self)
        self._graphics.setBackground(c.background)
        for row in self._rows.values():
            row.apply_colours(c)

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
        top = _round_up(max(float(last), 10.0))
        if top == self._trial_top:
            return
        self._trial_top = top
        pad = 0.04 * top
        for row in self._rows.values():
            row.plot.setYRange(-pad, top + pad, padding=0)
