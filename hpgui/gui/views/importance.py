"""Importance: how much each hyperparameter matters, by Optuna's evaluators, as a bar chart.

The computation (:mod:`hpgui.core.importance`) takes a second or more, so it
runs on a thread-pool worker, never on the GUI thread, and only when it is
worth it: once ten trials have completed, then again when the number of
completed trials has grown by a tenth (at least five), or when the method or
the filter changes. One computation runs at a time; a result computed for
settings that have since changed is dropped and the computation starts again.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QComboBox, QLabel, QWidget
from superqt import QElidingLabel

from ...core.importance import METHODS, MIN_TRIALS, ImportanceError, Importances, compute
from ...core.records import TrialRecord
from ...core.trials import STATE_CODES, TrialStore
from ...core.formatting import format_param
from ..plotting import ValueAxis, escape, style_axes
from ..tasks import BackgroundTask
from .base import AnalysisView
from .common import add_toolbar_widget, note_label


class ImportanceView(AnalysisView):
    """Hyperparameter importance as horizontal bars, most important on top, recomputed as trials arrive."""

    TITLE = "Importance"
    GROUP = "Parameters"
    HAS_STATE_FILTER = False  # failed and pruned trials have no score to explain
    MIN_NEW = 5  # recompute after this many new completed trials at least ...
    GROWTH = 0.10  # ... and after the count grew by this share

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.method_combo = QComboBox(self)
        self.method_combo.setObjectName("importanceMethod")
        self.method_combo.setAccessibleName("Importance method")
        self.method_combo.addItem("PED-ANOVA", "ped-anova")
        self.method_combo.addItem("fANOVA", "fanova")
        self.method_combo.setItemData(0, "Which hyperparameters matter for reaching the best 10 % of scores "
                                         "(fast; includes hyperparameters that apply to some trials only)",
                                      Qt.ItemDataRole.ToolTipRole)
        self.method_combo.setItemData(1, "How much of the score's variance each hyperparameter explains "
                                         "(random forests; slow, so it looks at 300 trials at most; leaves "
                                         "out hyperparameters that apply to some trials only)",
                                      Qt.ItemDataRole.ToolTipRole)
        label = QLabel("&Method", self)
        label.setBuddy(self.method_combo)
        add_toolbar_widget(self, label)
        add_toolbar_widget(self, self.method_combo)
        self.method_combo.currentIndexChanged.connect(self.invalidate)
        self.status = QElidingLabel(self)  # cut to its room: a long line must not widen the window
        self.status.setObjectName("importanceStatus")
        add_toolbar_widget(self, self.status)
        self.toolbar.setStretchFactor(self.status, 3)  # room to say what it computes; elided only when short
        self.note = note_label(self)

        self._view = pg.PlotWidget(self, axisItems={"bottom": ValueAxis("bottom")})
        self._view.setObjectName("importancePlot")
        plot = self._plot = self._view.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=False, y=False)
        plot.showGrid(x=True, y=False, alpha=0.08)
        plot.setLabel("bottom", "Importance (% of the total)")
        self._bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.6)
        plot.addItem(self._bars)
        self._texts: list[pg.TextItem] = []
        self._view.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._view.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self.body.addWidget(self._view, 1)
        self.body.addWidget(self.empty_label, 1)

        self._context = 0  # counts set_context calls, so a result for an old search is never shown
        # Not latest-wins: a computation cannot be interrupted, so a new one waits for it (see _draw).
        self._task = BackgroundTask(self, latest_wins=False)
        self._running_key: tuple | None = None
        self._done_key: tuple | None = None  # the settings the shown result was computed for
        self._done_count: int | None = None  # how many completed trials it saw
        self._offered = 0
        self._result: Importances | None = None
        self._message = ""
        self._apply_palette()
        self._show_result()

    # -- what the window and tests use -----------------------------------------------------------
    @property
    def busy(self) -> bool:
        """Whether a computation is running."""
        return self._task.busy

    @property
    def method(self) -> str:
        return self.method_combo.currentData()

    def set_method(self, method: str) -> None:
        index = self.method_combo.findData(method)
        if index < 0:
            raise ValueError(f"unknown importance method {method!r}; use one of {', '.join(METHODS)}")
        self.method_combo.setCurrentIndex(index)

    def export_item(self) -> Any:
        return self._plot

    @property
    def plot(self) -> pg.PlotItem:
        return self._plot

    def plotted(self) -> dict[str, Any]:
        r = self._result
        return {"names": list(r.names) if r else [], "values": np.array(r.values if r else [], dtype=float),
                "method": r.method if r else None, "n_trials": r.n_trials if r else 0,
                "n_used": r.n_used if r else 0, "skipped": dict(r.skipped) if r else {},
                "message": self._message, "note": self.note.text()}

    # -- deciding when to compute ----------------------------------------------------------------
    def _on_context(self) -> None:
        self._context += 1
        self._result = None
        self._done_key = None
        self._done_count = None
        self._message = ""
        self._show_result()

    def _key(self) -> tuple:
        return (self._context, self.method, self.top_k.value())

    def _draw(self, store: TrialStore, records: list[TrialRecord]) -> None:
        # Counted on the store's arrays: this runs at every live redraw, the record list only when a
        # computation starts.
        index = self.visible_indices(store)
        arrays = store.arrays()
        index = index[(arrays.states[index] == STATE_CODES["complete"]) & np.isfinite(arrays.values[index])]
        self._offered = n = len(index)
        key = self._key()
        if n < MIN_TRIALS:
            self._result = None
            self._message = (f"Importance needs at least {MIN_TRIALS} completed trials; "
                             f"there {'is' if n == 1 else 'are'} {n} so far.")
            self._show_result()
            return
        if self._due(key, n) and not self.busy:
            all_records = store.records
            self._start([all_records[i] for i in index], key)
        self._update_status()

    def _due(self, key: tuple, n: int) -> bool:
        if key != self._done_key or self._done_count is None:
            return True
        if n < self._done_count:
            return True
        return n >= self._done_count + max(self.MIN_NEW, math.ceil(self.GROWTH * self._done_count))

    def _start(self, complete: list[TrialRecord], key: tuple) -> None:
        space = dict(self.space)
        direction = "maximize" if self.greater_is_better else "minimize"
        self._running_key = key
        self._task.start(compute, list(complete), space, direction, key[1],
                         on_result=lambda result, k=key: self._on_result(result, k, len(complete)),
                         on_error=lambda exc, k=key: self._on_error(exc, k, len(complete)),
                         on_done=self._on_finished)

    def _on_result(self, result: Importances, key: tuple, count: int) -> None:
        if key != self._key():
            return  # settings changed while it ran; _on_finished starts again
        self._result = result
        self._message = ""
        self._done_key, self._done_count = key, count

    def _on_error(self, exc: BaseException, key: tuple, count: int) -> None:
        if key != self._key():
            return
        self._result = None
        self._done_key, self._done_count = key, count  # do not retry until more trials arrive
        if isinstance(exc, ImportanceError):
            self._message = f"Importance could not be computed: {exc}."
        else:  # an evaluator failing on unusual data must not reach the user as a traceback
            self._message = f"Importance could not be computed ({type(exc).__name__}: {exc})."

    def _on_finished(self) -> None:
        self._running_key = None
        self._show_result()
        self.invalidate()  # more trials may have come, or the settings changed, while it ran

    # -- drawing ---------------------------------------------------------------------------------
    def _update_status(self) -> None:
        if self.busy:
            self.status.setText(f"computing ({METHODS[self._running_key[1]]})…")
        else:
            self.status.setText("")

    def _show_result(self) -> None:
        self._update_status()
        for item in self._texts:
            self._plot.removeItem(item)
        self._texts = []
        r = self._result
        if r is None:
            self._bars.setOpts(x0=[], y=[], width=[], height=0.6)
            self.empty_label.setText(self._message or ("Computing importance…" if self.busy else
                                                       f"Importance appears once {MIN_TRIALS} trials "
                                                       "have completed."))
            self._view.setVisible(False)
            self.empty_label.setVisible(True)
            self.note.setVisible(False)
            return
        self._view.setVisible(True)
        self.empty_label.setVisible(False)
        c = self.colours()
        n = len(r.names)
        y = np.arange(n - 1, -1, -1, dtype=float)  # most important on top
        values = np.array(r.values, dtype=float) * 100  # drawn in percent
        self._bars.setOpts(x0=np.zeros(n), y=y, width=values, height=0.6,
                           brush=pg.mkBrush(c.complete), pen=pg.mkPen(c.foreground, width=1))
        left = self._plot.getAxis("left")
        left.setTicks([[(float(yi), name) for yi, name in zip(y, r.names)], []])
        metrics = QFontMetrics(left.font() if hasattr(left, "font") else self.font())
        left.setWidth(max([40] + [metrics.horizontalAdvance(name) + 18 for name in r.names]))
        top = float(values.max()) if n else 1.0
        for yi, value in zip(y, values):
            text = pg.TextItem(f"{value:.1f} %", color=c.foreground, anchor=(0, 0.5))
            text.setPos(float(value) + top * 0.01, float(yi))
            self._plot.addItem(text, ignoreBounds=True)
            self._texts.append(text)
        self._plot.setXRange(0, top * 1.15 or 100.0, padding=0)
        rows = max(n, 5)  # a few hyperparameters get bars of a normal thickness at the top, not slabs
        self._plot.setYRange(n - rows - 0.6, n - 0.4, padding=0)
        sample = f", a random sample of {r.n_used:,} of them" if r.n_used < r.n_trials else ""
        lines = [f"{METHODS[r.method]} from {r.n_trials:,} completed trials{sample} "
                 "(failed and pruned trials have no score, so they do not count)."]
        if r.skipped:
            lines.append("Not assessed: " + "; ".join(f"{name} ({why})" for name, why in r.skipped.items()) + ".")
        self.note.setText(" ".join(lines))
        self.note.setVisible(True)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
            self._show_result()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        c = self.colours()
        self._view.setBackground(c.background)
        style_axes(self._plot, c)

    def row_at(self, scene_pos: QPointF) -> int | None:
        """The index (in importance order) of the bar under a scene position."""
        r = self._result
        viewbox = self._plot.getViewBox()
        if r is None or not viewbox.sceneBoundingRect().contains(scene_pos):
            return None
        point = viewbox.mapSceneToView(scene_pos)
        rank = len(r.names) - 1 - int(round(point.y()))
        if 0 <= rank < len(r.names) and abs(point.y() - round(point.y())) <= 0.3 and point.x() >= 0:
            return rank
        return None

    def bar_tooltip(self, rank: int) -> str:
        r = self._result
        if r is None or not 0 <= rank < len(r.names):
            return ""
        name = r.names[rank]
        lines = [f"<b>{escape(name)}</b>", f"importance {r.values[rank] * 100:.1f} % ({METHODS[r.method]})"]
        best = self._store.best if self._store is not None else None
        if best is not None and name in best.params:
            lines.append(f"best trial ({best.number}): {escape(name)} = {escape(format_param(best.params[name]))}")
            lines.append("click to select the best trial")
        return "<br>".join(lines)

    def _on_mouse_clicked(self, event) -> None:
        # A bar is a hyperparameter, not a trial: clicking it selects the best trial, whose value of
        # that hyperparameter the tooltip names.
        if event.button() != Qt.MouseButton.LeftButton or self.row_at(event.scenePos()) is None:
            return
        best = self._store.best if self._store is not None else None
        if best is not None:
            self.trialClicked.emit(best.number)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        rank = self.row_at(scene_pos)
        tip = self.bar_tooltip(rank) if rank is not None else ""
        viewbox = self._plot.getViewBox()
        if viewbox.toolTip() != tip:
            viewbox.setToolTip(tip)


__all__ = ["ImportanceView"]
