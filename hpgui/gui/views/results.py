"""Results: how the best trial's model (or the trial picked in the table) does on rows it did not train on.

The model is refitted on the study's own folds (out-of-fold predictions) and, where the
setup holds out a test set, once on all training rows to predict it; the two are shown
side by side and labelled. That takes as long as the trial did and more (permutation
importance predicts every column several times), so it runs on a worker thread, one
task at a time: a trial picked in the table cancels the running task and starts its own;
a new best during a search waits for the running one. Results are kept per trial, so
going back to one is instant.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QProgressBar, QPushButton, QTabWidget, QWidget
from shiboken6 import isValid

from ...core.diagnostics import Diagnostics, add_importance, diagnose
from ...core.evaluate import Interrupted
from ...core.records import TrialRecord
from ...core.report.html import CHARTS, PERMUTATION
from ...core.trials import TrialStore
from ...core.formatting import format_number
from .base import AnalysisView
from .common import add_toolbar_widget, note_label
from .results_estimate import EstimatePage
from .results_pages import ChartPage, ConfusionPage, ReportPage, ThresholdPage

#: Results kept for this many trials (each holds its out-of-fold predictions).
CACHE = 8
TAB_TITLES = {"confusion": "Confusion matrix", "roc": "ROC", "pr": "Precision–recall", "calibration": "Calibration",
              "threshold": "Threshold", "predicted": "Predicted vs actual", "residuals": "Residuals",
              "histogram": "Residual histogram", "deciles": "Error by decile", "sizes": "Cluster sizes",
              "silhouette": "Silhouette", "permutation": "Permutation importance"}
REPORT_TITLES = {"classification": "Per class", "regression": "Decile table", "clustering": "Cluster table"}


class _Relay(QObject):
    progress = Signal(int, float, str)
    partial = Signal(int, object)  # the diagnostics without permutation importance, shown at once


class ResultsView(AnalysisView):
    TITLE = "Results"
    GROUP = "Checks"
    HAS_STATE_FILTER = False
    HAS_TOP_K = False

    resultsReady = Signal(int)  # diagnostics of this trial are shown (importance may still be measured)
    resultsComplete = Signal(int)  # ... and its permutation importance too
    resultsFailed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.target_label = QLabel(self)
        self.target_label.setObjectName("resultsTarget")
        self.best_button = QPushButton("Show &best", self)
        self.best_button.setObjectName("resultsBest")
        self.best_button.setToolTip("Show the best trial again (the table's selection otherwise decides)")
        self.best_button.clicked.connect(self.show_best)
        self.normalised_box = QCheckBox("&Normalised", self)
        self.normalised_box.setObjectName("resultsNormalised")
        self.normalised_box.setToolTip("Confusion matrix as shares of each actual class instead of counts")
        self.status = QLabel(self)
        self.status.setObjectName("resultsStatus")
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setMaximumWidth(140)
        self.progress_bar.hide()
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("resultsCancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        for widget in (self.target_label, self.best_button, self.normalised_box, self.status, self.progress_bar,
                       self.cancel_button):
            add_toolbar_widget(self, widget)
        self.note = note_label(self)
        self.body.addWidget(self.note)
        self.pages = QTabWidget(self)
        self.pages.setObjectName("resultsPages")
        self.pages.setDocumentMode(True)
        self.body.addWidget(self.pages, 1)
        self.body.addWidget(self.empty_label, 1)
        self.estimate = EstimatePage(self)
        self.chart_pages: dict[str, Any] = {}
        self.normalised_box.toggled.connect(self._set_normalised)

        self._source: Callable[[], Any] | None = None
        self._search = None
        self._search_source: Callable[[], Any] | None = None
        self._search_lock = threading.Lock()
        self._follow_best = True
        self._cache: dict[int, Diagnostics] = {}
        self._failed: dict[int, str] = {}  # trial -> why its results could not be computed
        self._shown: Diagnostics | None = None
        self._task = 0
        self._worker = None
        self._running: int | None = None
        self._stop: threading.Event | None = None
        self._message = ""
        self._relay = _Relay(self)
        self._relay.progress.connect(self._on_progress)
        self._relay.partial.connect(self._on_partial)
        self._watched_window: QWidget | None = None
        self._layout_for(None)

    # -- what the window calls -------------------------------------------------------------------
    def set_source(self, source: Callable[[], Any] | None, trials: int | None = None) -> None:
        """A factory for the study's :class:`~hpgui.core.runner.Search` (None: results cannot be computed)."""
        self.cancel()
        self.estimate.cancel()
        self._source = source
        self._search = None
        self._cache.clear()
        self._failed.clear()
        self._shown = None
        self._message = ""
        self._follow_best = True
        self._layout_for(None)
        self.estimate.set_context(self.search if source is not None else None, self.metric_label, trials)
        self.invalidate()

    def search(self) -> Any:
        """The study's Search, built once (on whichever worker asks first)."""
        source = self._source
        with self._search_lock:
            # A task of the previous study may still ask: it gets a Search of its own source, never
            # leaves one behind for the new study.
            if self._search is None or self._search_source is not source:
                self._search, self._search_source = source(), source
            return self._search

    def show_best(self) -> None:
        self._follow_best = True
        self.invalidate()

    @property
    def busy(self) -> bool:
        return self._worker is not None

    @property
    def shown(self) -> Diagnostics | None:
        return self._shown

    def cancel(self) -> None:
        if self._stop is not None:
            self._stop.set()
        self._task += 1  # whatever the cancelled task still reports is dropped
        self._worker = None
        self._running = None
        self._stop = None
        self.progress_bar.hide()
        self.cancel_button.hide()

    def page(self, key: str) -> Any:
        return self.chart_pages.get(key)

    def export_item(self) -> Any:
        page = self.pages.currentWidget()
        if hasattr(page, "export_item"):
            return page.export_item()
        first = next((p for p in self.chart_pages.values() if hasattr(p, "export_item")), None)
        if first is None:
            raise ValueError("there is no results chart to export yet")
        return first.export_item()

    def plotted(self) -> dict[str, Any]:
        d = self._shown
        out: dict[str, Any] = {"trial": d.trial if d else None, "task": d.task if d else None,
                               "parts": [p.kind for p in d.parts] if d else [], "message": self._message,
                               "pages": [self.pages.tabText(i) for i in range(self.pages.count())]}
        if d is not None and d.task == "classification":
            out["matrix"] = {p.kind: p.classification.matrix for p in d.parts}
        return out

    # -- deciding what to show -------------------------------------------------------------------
    def _on_context(self) -> None:
        self.cancel()
        self.estimate.cancel()
        self._cache.clear()
        self._shown = None
        self._layout_for(None)

    def select_trial(self, number: int | None) -> None:
        if number is not None:
            self._follow_best = False
        super().select_trial(number)

    def _draw(self, store: TrialStore, records: list[TrialRecord]) -> None:
        self._consider()

    def _draw_visible(self, store: TrialStore) -> None:
        self._consider()

    def _show_selection(self) -> None:
        self._consider()

    def _target(self) -> tuple[TrialRecord | None, bool]:
        """The trial to show and whether the user picked it (rather than it being the best)."""
        store = self._store
        if store is None:
            return None, False
        if not self._follow_best and self.selected is not None:
            index = store.index_of(self.selected)
            if index is not None:
                return store[index], True
        return store.best, False

    def _consider(self) -> None:
        record, picked = self._target()
        if self._source is None:
            self._empty("Results appear for a study whose data file is open: run a search, or open a stored "
                        "study whose data file is still where it was.")
            return
        if record is None:
            self._empty("Results appear once a trial completes.")
            return
        if record.state != "complete":
            self._empty(f"Trial {record.number} did not complete ({record.state}), so it has no model to "
                        "diagnose. Pick a completed trial, or press Show best.")
            return
        failed = self._failed.get(record.number)
        if failed is not None:
            self._empty(failed)  # not retried at every redraw; a new source (study) tries again
            return
        cached = self._cache.get(record.number)
        if cached is not None:
            if self._shown is not cached:
                self._show(cached, record)
            if not cached.complete and self._running != record.number and (picked or not self.busy) \
                    and self.isVisible():
                self._start(record, resume=cached)  # its importance was cut off when another trial was picked
            return
        if self._running == record.number:
            return
        if self.busy and not picked:
            return  # a new best during a search: the running task finishes first, then this one starts
        if not self.isVisible():
            return  # computed when the tab is shown
        self._start(record)

    # -- the worker ------------------------------------------------------------------------------
    def _start(self, record: TrialRecord, resume: Diagnostics | None = None) -> None:
        from superqt.utils import create_worker

        self.cancel()
        self._message = ""
        self._task += 1
        task = self._task
        stop = self._stop = threading.Event()
        relay, search_for, params, number = self._relay, self.search, dict(record.params), record.number

        def work() -> Diagnostics | None:
            # Importance is the slow half: everything else is shown first, and it follows.
            try:
                search = search_for()
                if resume is not None:
                    return add_importance(search, resume, should_stop=stop.is_set,
                                          progress=lambda fraction, text: relay.progress.emit(task, fraction, text))
                result = diagnose(search, params, trial=number, importance=False, should_stop=stop.is_set,
                                  progress=lambda fraction, text: relay.progress.emit(task, 0.4 * fraction, text))
                relay.partial.emit(task, result)
                return add_importance(search, result, should_stop=stop.is_set,
                                      progress=lambda fraction, text: relay.progress.emit(task, 0.4 + 0.6 * fraction,
                                                                                          text))
            except Interrupted:  # a BaseException: the worker would end without saying it finished
                return None

        worker = create_worker(work, _start_thread=False, _ignore_errors=True)
        self._worker = worker
        self._running = number
        worker.returned.connect(lambda result, t=task: self._on_result(t, result))
        worker.errored.connect(lambda exc, t=task, n=number: self._on_error(t, n, exc))
        worker.finished.connect(lambda t=task: self._on_finished(t))
        self.status.setText(f"Computing results of trial {number}…")
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        self.cancel_button.show()
        self._watch_window()
        worker.start()

    def _on_progress(self, task: int, fraction: float, text: str) -> None:
        if isValid(self) and task == self._task:
            self.progress_bar.setValue(int(1000 * fraction))
            self.status.setText(f"Trial {self._running}: {text}…")

    def _on_partial(self, task: int, result: Diagnostics) -> None:
        if not isValid(self) or task != self._task:
            return
        for part in result.parts:
            part.importance_note = "measuring… (every column is shuffled and predicted again)"
        self._remember(result)
        self._consider()

    def _remember(self, result: Diagnostics) -> None:
        self._cache[result.trial] = result
        while len(self._cache) > CACHE:
            self._cache.pop(next(iter(self._cache)))

    def _on_result(self, task: int, result: Diagnostics | None) -> None:
        if not isValid(self) or task != self._task or result is None:
            return
        self._remember(result)
        self._message = ""
        if self._shown is result:
            self.chart_pages["permutation"].show_diagnostics(result)
        self.resultsComplete.emit(result.trial)

    def _on_error(self, task: int, number: int, exc: BaseException) -> None:
        if not isValid(self) or task != self._task:
            return
        # A model that fails on refit, a data file that changed: a message, never a traceback.
        self._message = f"The results of trial {number} could not be computed: {type(exc).__name__}: {exc}"
        self._failed[number] = self._message
        self._empty(self._message)
        self.resultsFailed.emit(self._message)

    def _on_finished(self, task: int) -> None:
        if not isValid(self) or task != self._task:
            return
        self._worker = None
        self._running = None
        self._stop = None
        self.progress_bar.hide()
        self.cancel_button.hide()
        if self._message:
            return
        self.status.setText("")
        self._consider()  # shows the result, or starts the trial that became the target meanwhile

    def _watch_window(self) -> None:
        window = self.window()
        if window is not self and window is not self._watched_window:
            window.installEventFilter(self)
            self._watched_window = window

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._watch_window()

    def eventFilter(self, watched, event) -> bool:
        # Closing the window cancels the running task, so closing never waits for a whole refit.
        if watched is self._watched_window and event.type() == QEvent.Type.Close:
            self.cancel()
            self.estimate.cancel()
        return False

    # -- showing ---------------------------------------------------------------------------------
    def _empty(self, text: str) -> None:
        self.empty_label.setText(text)
        self.empty_label.show()
        self.pages.hide()
        self.note.hide()
        self.target_label.setText("")
        self.normalised_box.hide()

    def _layout_for(self, task: str | None) -> None:
        """The pages a task has (made once per task; a new study of the same task reuses them)."""
        if task is not None and self.pages.property("task") == task:
            return
        while self.pages.count():
            widget = self.pages.widget(0)
            self.pages.removeTab(0)
            if widget is not self.estimate:
                widget.deleteLater()
        self.chart_pages = {}
        self.pages.setProperty("task", task)
        if task is None:
            self._empty("No trials yet")
            return
        for key, _ in [*CHARTS[task], PERMUTATION]:
            if key == "confusion-normalised":
                continue
            page = {"confusion": ConfusionPage, "threshold": ThresholdPage}.get(key)
            page = page(self) if page is not None else ChartPage(key, TAB_TITLES[key].replace("vs", "against"), self)
            self.chart_pages[key] = page
            self.pages.addTab(page, TAB_TITLES[key])
            if key == "confusion":
                self.chart_pages["report"] = ReportPage(self)
                self.pages.addTab(self.chart_pages["report"], REPORT_TITLES[task])
        if task != "classification":
            self.chart_pages["report"] = ReportPage(self)
            self.pages.insertTab(len(CHARTS[task]), self.chart_pages["report"], REPORT_TITLES[task])
        self.pages.addTab(self.estimate, "Honest estimate")

    def _set_normalised(self, on: bool) -> None:
        page = self.chart_pages.get("confusion")
        if page is not None:
            page.set_normalised(on)

    def _show(self, d: Diagnostics, record: TrialRecord) -> None:
        self._layout_for(d.task)
        self._shown = d
        search = self._search
        for key, page in self.chart_pages.items():
            if key == "threshold":
                binary = d.parts[0].classification.thresholds is not None
                self.pages.setTabVisible(self.pages.indexOf(page), binary)
                if not binary:
                    continue
            if isinstance(page, ConfusionPage) and search is not None:
                page.X = {"cv": search.X, "test": search.X_test}
            page.show_diagnostics(d)
        self.normalised_box.setVisible(d.task == "classification")
        self.empty_label.hide()
        self.pages.show()
        best = self._store.best if self._store is not None else None
        which = "best" if best is not None and best.number == record.number else "picked in the table"
        self.target_label.setText(f"<b>Trial {record.number}</b> ({which})")
        self.best_button.setEnabled(which != "best")
        self.estimate.set_optimistic(best.value if best is not None else None)
        parts = []
        for p in d.parts:
            score = f", {d.metric} {format_number(p.score)}" if np.isfinite(p.score) else ""
            parts.append(f"{p.label}: {p.n:,} rows{score}")
        cv_mean = f"; the study's score (mean over folds) {format_number(record.value)}" if record.value is not None \
            else ""
        self.note.setText(" · ".join(parts) + cv_mean + "." + "".join(f" Note: {n}." for n in d.notes)
                          + ("" if d.part("test") else " No test set is held out in this setup."))
        self.note.show()
        self.resultsReady.emit(d.trial)
