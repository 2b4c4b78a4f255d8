"""The Results tab's "Honest estimate" page: nested cross-validation of the whole search, on a worker.

It repeats the search (outer folds × trials fits of the inner folds), so it runs only when
asked, shows its progress, and can be cancelled between fits.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (QFormLayout, QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton,
                               QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)
from shiboken6 import isValid

from ...core.diagnostics.nested import OUTER_FOLDS, NestedError, NestedResult, nested_cv
from ...core.evaluate import Interrupted
from ...core.formatting import format_number


class _Relay(QObject):
    """Carries progress from the worker thread to the GUI thread (a queued signal)."""

    progress = Signal(float, str)


class EstimatePage(QWidget):
    finished = Signal()  # a run ended (done, failed or cancelled)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.search_for: Callable[[], Any] | None = None   # returns the study's Search (on the worker)
        self.optimistic: float | None = None
        self.metric = "score"
        self.result: NestedResult | None = None
        self.message = ""
        self._worker = None
        self._stop: threading.Event | None = None
        self._task = 0
        self._relay = _Relay(self)
        self._relay.progress.connect(self._on_progress)

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.intro.setText(
            "The best trial's CV score is optimistic: it is the best of many noisy scores on the same folds. "
            "Nested cross-validation splits the training rows into outer folds, runs the same search inside "
            "each outer training part and scores its winner once on the outer rows it never saw. The mean is "
            "what a model tuned this way can be expected to score. It repeats the whole search, so it takes "
            "about (outer folds) × the search's time.")
        self.folds_spin = QSpinBox(self)
        self.folds_spin.setObjectName("nestedFolds")
        self.folds_spin.setRange(2, 10)
        self.folds_spin.setValue(OUTER_FOLDS)
        self.trials_spin = QSpinBox(self)
        self.trials_spin.setObjectName("nestedTrials")
        self.trials_spin.setRange(1, 100_000)
        self.trials_spin.setValue(20)
        self.trials_spin.setToolTip("Trials of each inner search (the study's own budget by default)")
        self.run_button = QPushButton("&Run nested cross-validation", self)
        self.run_button.setObjectName("nestedRun")
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("nestedCancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.status = QLabel(self)
        self.status.setObjectName("nestedStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.table = QTableWidget(0, 6, self)
        self.table.setObjectName("nestedTable")
        self.table.setHorizontalHeaderLabels(["Outer fold", "Rows", "Inner best CV", "Outer score", "Trials",
                                              "Chosen configuration"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()

        form = QFormLayout()
        form.addRow("&Outer folds:", self.folds_spin)
        form.addRow("&Trials per inner search:", self.trials_spin)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def set_context(self, search_for: Callable[[], Any] | None, metric: str, trials: int | None) -> None:
        self.cancel()
        self.search_for = search_for
        self.metric = metric
        self.result = None
        self.message = ""
        if trials:
            self.trials_spin.setValue(int(trials))
        self.table.setRowCount(0)
        self.status.setText("")
        self.run_button.setEnabled(search_for is not None)

    def set_optimistic(self, value: float | None) -> None:
        self.optimistic = value

    def start(self) -> None:
        from superqt.utils import create_worker

        if self.busy or self.search_for is None:
            return
        self._task += 1
        task = self._task
        stop = self._stop = threading.Event()
        folds, trials, optimistic = self.folds_spin.value(), self.trials_spin.value(), self.optimistic
        relay, search_for = self._relay, self.search_for

        def work() -> NestedResult | None:
            try:
                return nested_cv(search_for(), outer_folds=folds, trials=trials, optimistic=optimistic,
                                 should_stop=stop.is_set, progress=relay.progress.emit)
            except Interrupted:  # a BaseException: the worker would end without saying it finished
                return None

        worker = create_worker(work, _start_thread=False, _ignore_errors=True)
        self._worker = worker
        worker.returned.connect(lambda result, t=task: self._on_result(t, result))
        worker.errored.connect(lambda exc, t=task: self._on_error(t, exc))
        worker.finished.connect(lambda t=task: self._on_finished(t))
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText("Starting…")
        worker.start()

    def cancel(self) -> None:
        if self._stop is not None:
            self._stop.set()
        if self.busy:
            self.status.setText("Cancelling after the running fit…")

    def _on_progress(self, fraction: float, text: str) -> None:
        if isValid(self) and self.busy:
            self.progress.setValue(int(1000 * fraction))
            self.status.setText(text)

    def _on_result(self, task: int, result: NestedResult | None) -> None:
        if not isValid(self) or task != self._task:
            return
        if result is None:
            self.message = "Cancelled; nothing was kept."
            self.status.setText(self.message)
            return
        self.result = result
        self.message = ""
        self._show()

    def _on_error(self, task: int, exc: BaseException) -> None:
        if not isValid(self) or task != self._task:
            return
        if isinstance(exc, Interrupted):
            self.message = "Cancelled; nothing was kept."
        elif isinstance(exc, NestedError):
            self.message = f"Nested cross-validation cannot run: {exc}."
        else:
            self.message = f"Nested cross-validation failed ({type(exc).__name__}: {exc})."
        self.status.setText(self.message)

    def _on_finished(self, task: int) -> None:
        if not isValid(self) or task != self._task:
            return
        self._worker = None
        self._stop = None
        self.run_button.setEnabled(self.search_for is not None)
        self.cancel_button.setEnabled(False)
        self.progress.hide()
        self.finished.emit()

    def _show(self) -> None:
        r = self.result
        better = "higher" if r.greater_is_better else "lower"
        optimistic = (f" The best trial's CV score, {format_number(r.optimistic)}, is the optimistic one."
                      if r.optimistic is not None else "")
        self.status.setText(f"<b>Expected {r.metric} of a model tuned this way: {format_number(r.mean)} ± "
                            f"{format_number(r.std)}</b> over {len(r.folds)} outer folds ({better} is better; "
                            f"{r.trials_per_search} trials per inner search, {r.seconds:.0f} s).{optimistic}"
                            + "".join(f" Note: {n}." for n in r.notes))
        self.table.setRowCount(len(r.folds))
        for i, f in enumerate(r.folds):
            values = [f.fold + 1, f.rows, f.inner_score, f.outer_score, f.trials,
                      ", ".join(f"{k}={format_number(v)}" for k, v in f.params.items())]
            for c, value in enumerate(values):
                self.table.setItem(i, c, QTableWidgetItem(format_number(value)))
