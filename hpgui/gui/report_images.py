"""The report's charts as PNG bytes, drawn with the window's own pyqtgraph code, off screen.

Why pyqtgraph and not a Qt-free plotting library: the Results tab, the history and the
importance charts already exist here, so the report shows exactly the charts the user
saw, with no second plotting stack to install and keep in step. The cost is a
QApplication: ``hpgui run --report`` and ``hpgui report`` start one on Qt's "offscreen"
platform, which needs no display. Everything here runs on the GUI (main) thread.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Mapping, Sequence

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from ..core.report.content import ReportContent
from ..core.report.html import CHARTS, PERMUTATION
from . import results_charts as rc

SIZE = (760, 500)
_HANDLER = None
FOREGROUND = QColor(35, 38, 45)


def ensure_app() -> QApplication:
    """The running QApplication, or a new one on the offscreen platform (no display needed)."""
    app = QApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _quiet_offscreen_notes()
        app = QApplication(["hpgui-report"])
    return app


def _quiet_offscreen_notes() -> None:
    """The offscreen platform says it "does not support propagateSizeHints()" on every new window;
    on a terminal that reads like an error. Other Qt messages still go to stderr."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(kind, context, message) -> None:
        if "propagateSizeHints" not in message:
            sys.stderr.write(message + "\n")

    global _HANDLER
    _HANDLER = handler  # Qt holds only a pointer to it
    qInstallMessageHandler(handler)


class _Canvas:
    """One off-screen plot, redrawn for each chart and grabbed as PNG."""

    def __init__(self, size: tuple[int, int] = SIZE):
        self.widget = pg.GraphicsLayoutWidget()
        self.widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        self.widget.setBackground("w")
        self.widget.resize(*size)
        self.widget.show()

    def plot(self) -> pg.PlotItem:
        self.widget.clear()
        plot = self.widget.addPlot()
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(QColor(120, 124, 130), width=1))
            axis.setTextPen(pg.mkPen(FOREGROUND))
        plot.titleLabel.setAttr("color", FOREGROUND.name())
        return plot

    def png(self) -> bytes:
        QApplication.processEvents()
        return _png(self.widget.grab())

    def close(self) -> None:
        self.widget.close()
        self.widget.deleteLater()


def _png(pixmap: Any) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    pixmap.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def draw_part_chart(plot: pg.PlotItem, task: str, key: str, part: Any, metric: str, title: str,
                    foreground: QColor = FOREGROUND) -> Any:
    """Draw chart ``key`` (a CHARTS or PERMUTATION key) of one diagnostics part into ``plot``."""
    if key == PERMUTATION[0]:
        if part.importance is None:
            rc.empty(plot, title, part.importance_note or "not computed", foreground)
        else:
            rc.permutation(plot, part.importance, metric, title=title)
        return None
    if task == "classification":
        return rc.draw_classification(plot, key, part.classification, title, foreground)
    if task == "regression":
        return rc.draw_regression(plot, key, part.regression, title)
    return rc.draw_clustering(plot, key, part.clustering, title, foreground)


def applies(task: str, key: str, part: Any) -> bool:
    """Whether chart ``key`` means anything for this part (a threshold needs two classes)."""
    if task == "classification" and key == "threshold":
        return part.classification.thresholds is not None
    return True


def render_images(content: ReportContent, progress: Callable[[str], None] = lambda text: None) -> dict[str, bytes]:
    """Every chart the report embeds, by the keys ``core.report.html`` looks them up with."""
    ensure_app()
    canvas = _Canvas()
    images: dict[str, bytes] = {}
    try:
        diagnostics = content.diagnostics
        if diagnostics is not None:
            for key, title in [*CHARTS.get(diagnostics.task, []), PERMUTATION]:
                for part in diagnostics.parts:
                    if not applies(diagnostics.task, key, part):
                        continue
                    progress(f"Drawing {title.lower()}")
                    draw_part_chart(canvas.plot(), diagnostics.task, key, part, diagnostics.metric,
                                    f"{title} — {part.label}")
                    images[f"{part.kind}-{key}"] = canvas.png()
        if content.importance is not None:
            imp = content.importance
            names = [n for n in imp.names]
            canvas.widget.resize(SIZE[0], max(260, 80 + 34 * len(names)))
            rc.bars(canvas.plot(), names, [100 * v for v in imp.values], None,
                    title="Hyperparameter importance (PED-ANOVA)", axis="Importance (% of the total)")
            images["importance"] = canvas.png()
        if content.records:
            images["history"] = _history(content)
    finally:
        canvas.close()
    return images


def _history(content: ReportContent) -> bytes:
    from ..core.trials import TrialStore
    from .views.history import HistoryChart

    store = TrialStore()
    store.reset("maximize" if content.greater_is_better else "minimize", [])
    store.add(list(content.records))
    chart = HistoryChart()
    chart.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    palette = chart.palette()
    # The report is a light page whatever the desktop's theme.
    from PySide6.QtGui import QPalette

    palette.setColor(QPalette.ColorRole.Base, QColor("white"))
    palette.setColor(QPalette.ColorRole.Window, QColor("white"))
    palette.setColor(QPalette.ColorRole.Text, FOREGROUND)
    palette.setColor(QPalette.ColorRole.WindowText, FOREGROUND)
    chart.setPalette(palette)
    chart.set_metric(content.metric, content.greater_is_better)
    chart._show_failed_box.hide()  # a switch means nothing on paper
    chart.resize(1100, 420)
    chart.show()
    chart.refresh(store)
    QApplication.processEvents()
    data = _png(chart.grab())
    chart.close()
    chart.deleteLater()
    return data


def write_report(path: Any, content: ReportContent, images: Mapping[str, bytes] | None = None) -> Any:
    """Render ``content`` (drawing its charts if ``images`` is None) and write the HTML file."""
    from ..core.report import render, write

    return write(path, render(content, render_images(content) if images is None else images))


__all__: Sequence[str] = ["ensure_app", "render_images", "draw_part_chart", "write_report"]
