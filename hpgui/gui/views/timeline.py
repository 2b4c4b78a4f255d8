"""Timeline: when each trial ran, one row per worker process, coloured by state.

A bar runs from a trial's start to its end (a running trial's bar reaches now).
Rows are the worker processes ("host:pid") in the order they first ran a trial.
When the bars outnumber the plot's pixels across, neighbouring bars of the same
worker and state that are less than a pixel apart are drawn as one bar (the
toolbar says so); hovering and clicking still find the single trial under the
mouse.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from superqt import QElidingLabel

from ...core import analysis
from ...core.records import TrialRecord
from ...core.trials import STATE_CODES, TrialStore
from ..plotting import style_axes
from .base import AnalysisView, HoverPicker

__all__ = ["TimelineView", "UNKNOWN_WORKER"]

_EMPTY = np.empty(0)
UNKNOWN_WORKER = "worker not recorded"
BAR_HEIGHT = 0.7
_DRAWN_STATES = ("complete", "failed", "pruned", "running")


class _BarPicker(HoverPicker):
    """Finds the bar under the mouse: the row by height, then the bar whose span holds the x position."""

    def set_bars(self, row: np.ndarray, start: np.ndarray, end: np.ndarray, numbers: np.ndarray) -> None:
        order = np.lexsort((start, row))
        self._row, self._start, self._end = row[order], start[order], end[order]
        self._numbers = numbers[order].astype(np.int64)
        self._row_first = np.searchsorted(self._row, np.arange((row.max() + 2) if len(row) else 1))

    def trial_at(self, scene_pos: QPointF) -> int | None:
        viewbox = self.plot.getViewBox()
        if len(getattr(self, "_row", ())) == 0 or not viewbox.sceneBoundingRect().contains(scene_pos):
            return None
        point = viewbox.mapSceneToView(scene_pos)
        px, _ = viewbox.viewPixelSize()
        row = int(round(point.y()))
        if abs(point.y() - row) > BAR_HEIGHT / 2 or row < 0 or row + 1 >= len(self._row_first):
            return None
        lo, hi = self._row_first[row], self._row_first[row + 1]
        if lo == hi:
            return None
        starts, ends = self._start[lo:hi], self._end[lo:hi]
        i = int(np.searchsorted(starts, point.x(), side="right"))
        best, best_d = None, self.radius_px * px
        for j in (i - 1, i):
            if 0 <= j < len(starts):
                d = max(starts[j] - point.x(), point.x() - ends[j], 0.0)
                if d <= best_d:
                    best, best_d = lo + j, d
        return None if best is None else int(self._numbers[best])


class TimelineView(AnalysisView):
    TITLE = "Timeline"
    GROUP = "Progress"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summary = QElidingLabel(self)  # cut to its room: a long line must not widen the window
        self.summary.setObjectName("timelineSummary")
        # Stretched, and set to the right by the export button: it shares the free room with the toolbar's
        # spacer, and elides only when there is none.
        self.summary.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.toolbar.insertWidget(self.toolbar.count() - 1, self.summary, 3)
        self.view = pg.PlotWidget(self, axisItems={"bottom": pg.DateAxisItem("bottom")})
        self.view.setObjectName("timelinePlot")
        plot = self.plot = self.view.getPlotItem()
        plot.setMenuEnabled(False)
        plot.showGrid(x=True, y=False, alpha=0.08)
        plot.setLabel("bottom", "Time")
        plot.getViewBox().setMouseEnabled(y=False)
        plot.getViewBox().invertY(True)  # the first worker on top
        self.state_bars = {s: pg.BarGraphItem(x0=_EMPTY, x1=_EMPTY, y=_EMPTY, height=BAR_HEIGHT) for s in _DRAWN_STATES}
        for z, item in enumerate(self.state_bars.values()):
            item.setZValue(1 + z)
            plot.addItem(item)
        self.selection_bar = pg.BarGraphItem(x0=[0], x1=[1], y=[0], height=BAR_HEIGHT + 0.2)
        self.selection_bar.setZValue(10)
        plot.addItem(self.selection_bar, ignoreBounds=True)
        self.selection_bar.hide()
        self.picker = _BarPicker(plot, self.tooltip_for, self.trialClicked.emit)
        self.body.addWidget(self.view, 1)
        self.body.addWidget(self.empty_label)
        self._has_running = False
        self._drawn_at = 0.0
        self._data: dict[str, Any] = {}
        self._apply_colours()
        self._clear()

    #: Running bars grow until now even while no trial finishes; redraw for that at most this often.
    RUNNING_REDRAW_S = 1.0

    def refresh(self, store: TrialStore) -> bool:
        if self._has_running and time.monotonic() - self._drawn_at >= self.RUNNING_REDRAW_S:
            self._dirty = True
        return super().refresh(store)

    def visible_records(self, store: TrialStore) -> list[TrialRecord]:
        """The base filters, plus trials still running (they have no score for top K to rank)."""
        records = super().visible_records(store)
        if self.top_k.value():
            return records
        running = [r for r in store.records if r.state == "running"]
        return sorted(records + running, key=lambda r: r.number) if running else records

    def _clear(self) -> None:
        for item in self.state_bars.values():
            item.setOpts(x0=_EMPTY, x1=_EMPTY, y=_EMPTY, height=BAR_HEIGHT)
        self.picker.set_bars(_EMPTY.astype(int), _EMPTY, _EMPTY, _EMPTY)
        self._data = {"workers": [], "numbers": _EMPTY, "row": _EMPTY, "start": _EMPTY, "end": _EMPTY,
                      "state": [], "merged": False, "bars": {s: 0 for s in _DRAWN_STATES}}
        self.summary.setText("")
        self._has_running = False

    def _draw(self, store: TrialStore, records: list[TrialRecord]) -> None:
        self._drawn_at = time.monotonic()
        now = datetime.now().astimezone()
        timed = [r for r in records if r.started is not None and (r.finished is not None or r.state == "running")]
        self.view.setVisible(bool(timed))
        self.empty_label.setVisible(not timed)
        if not timed:
            self.empty_label.setText("No trial with start and end times yet" if records else "No trials yet")
            self._clear()
            return
        n = len(timed)
        start = np.fromiter((_stamp(r.started) for r in timed), dtype=float, count=n)
        end = np.fromiter((_stamp(r.finished if r.finished is not None else now) for r in timed), dtype=float, count=n)
        end = np.maximum(end, start)
        numbers = np.fromiter((r.number for r in timed), dtype=float, count=n)
        states = [r.state if r.state in _DRAWN_STATES else "failed" for r in timed]
        state_codes = np.fromiter((STATE_CODES[s] for s in states), dtype=np.int8, count=n)
        # Rows in the order the workers first started a trial.
        first_seen: dict[str, float] = {}
        for r, s in zip(timed, start):
            key = r.worker or UNKNOWN_WORKER
            if key not in first_seen or s < first_seen[key]:
                first_seen[key] = s
        workers = sorted(first_seen, key=first_seen.get)
        row_of = {w: i for i, w in enumerate(workers)}
        row = np.fromiter((row_of[r.worker or UNKNOWN_WORKER] for r in timed), dtype=np.int64, count=n)
        self._has_running = "running" in states

        width_px = max(200.0, float(self.plot.getViewBox().width() or 0.0))
        span = float(end.max() - start.min()) or 1.0
        merged = n > width_px
        if merged:
            d_row, d_start, d_end, d_state, _counts = analysis.merge_bars(row, start, end, state_codes, span / width_px)
        else:
            d_row, d_start, d_end, d_state = row, start, end, state_codes
        drawn = {}
        for name in _DRAWN_STATES:
            mask = d_state == STATE_CODES[name]
            drawn[name] = int(mask.sum())
            # Trials run back to back: an outline in the background colour keeps them apart (not when
            # joined, where a bar is many trials and outlines would only add noise).
            self.state_bars[name].setOpts(x0=d_start[mask], x1=d_end[mask], y=d_row[mask].astype(float),
                                          height=BAR_HEIGHT, pen=None if merged else self._outline)
        labels = [_short_worker(w) for w in workers]
        axis = self.plot.getAxis("left")
        axis.setTicks([list(enumerate(labels))])
        axis.setWidth(max(self.fontMetrics().horizontalAdvance(t) for t in labels) + 16)
        self.plot.setYRange(-0.6, len(workers) - 0.4, padding=0)
        self.picker.set_bars(row, start, end, numbers)
        self._data = {"workers": workers, "numbers": numbers, "row": row, "start": start, "end": end,
                      "state": states, "merged": merged, "bars": drawn}
        total = sum(drawn.values())
        text = f"{n} trials on {len(workers)} worker{'s' if len(workers) != 1 else ''}"
        if merged:
            text += f"; drawn as {total} bars (bars closer than a pixel are joined)"
        self.summary.setText(text)
        self._show_selection()

    def tooltip_lines(self, record: TrialRecord) -> list[str]:
        extra = [f"Worker: {record.worker or UNKNOWN_WORKER}"]
        if record.started is not None:
            extra.append(f"Started {record.started.astimezone():%H:%M:%S}")
        if record.duration_s is not None:
            extra.append(f"Took {record.duration_s:.2f} s")
        return extra

    def _show_selection(self) -> None:
        numbers = self._data.get("numbers", _EMPTY)
        hits = np.nonzero(numbers == self.selected)[0] if self.selected is not None else []
        if len(hits) == 0:
            self.selection_bar.hide()
            return
        i = int(hits[0])
        self.selection_bar.setOpts(x0=[self._data["start"][i]], x1=[self._data["end"][i]],
                                   y=[float(self._data["row"][i])], height=BAR_HEIGHT + 0.2)
        self.selection_bar.show()

    def _apply_colours(self) -> None:
        c = self.colours()
        self.view.setBackground(c.background)
        style_axes(self.plot, c)
        running = QColor(c.best)
        for name, colour in (("complete", c.complete), ("failed", c.failed), ("pruned", c.pruned),
                             ("running", running)):
            self.state_bars[name].setOpts(brush=pg.mkBrush(colour), pen=None)
        self._outline = pg.mkPen(c.background, width=1)
        self.selection_bar.setOpts(brush=None, pen=pg.mkPen(c.selection, width=2))

    def export_item(self) -> Any:
        return self.plot

    def plotted(self) -> dict[str, Any]:
        """Per trial: number, worker row, start/end (epoch seconds), state; the worker labels; bars per state."""
        return dict(self._data)


def _stamp(when: datetime) -> float:
    # Naive datetimes (Optuna's) are local time; timestamp() reads them so.
    return when.timestamp()


def _short_worker(worker: str) -> str:
    host, _, pid = worker.rpartition(":")
    if not host or not pid.isdigit():
        return worker
    return f"{host[:18]}:{pid}"
