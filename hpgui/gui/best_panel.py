"""The best trial so far: its score, how it generalises, and its hyperparameters."""

from __future__ import annotations


from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSizePolicy,
                               QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..core.baseline import compare
from ..core.choice import model_label, split_params
from ..core.metrics import Metric
from ..core.records import TrialRecord
from .best_advice import BestAdvice
from .bounded import ElidedLabel, bounded
from ..core.formatting import format_param, format_score, score_decimals

__all__ = ["BestPanel", "format_param", "format_score"]


class BestPanel(QWidget):
    """Big score, its spread and train gap, the trial it came from, and its hyperparameters."""

    exportRequested = Signal()
    copyToManualRequested = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._metric: Metric | None = None
        self._record: TrialRecord | None = None
        self._n_trials = 0

        self.metric_caption = ElidedLabel("Score", self)
        self.metric_caption.setObjectName("bestMetric")
        self.metric_caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.score_label = QLabel("—", self)
        self.score_label.setObjectName("bestScore")
        self.score_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.score_label.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.score_label.setFont(font)

        self.train_label = QLabel("", self)
        self.train_label.setObjectName("bestTrain")
        self.train_label.setToolTip("Mean score on the training folds, and how far it is from the validation "
                                    "score; a large gap means the model fits the training data much better "
                                    "than new data (over-fitting).")
        self.train_label.setWordWrap(True)
        self.trial_label = QLabel("", self)
        self.trial_label.setObjectName("bestTrial")
        for label in (self.train_label, self.trial_label):
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        # "+0.0001 over always guessing the majority class", and a warning when that is within the noise.
        self._baseline = None
        self.baseline_label = QLabel("", self)
        self.baseline_label.setObjectName("bestBaseline")
        self.baseline_label.setWordWrap(True)  # wraps instead of widening the panel
        self.baseline_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.baseline_label.setStyleSheet('QLabel#bestBaseline[warn="true"] { background: rgba(240, 180, 0, 38);'
                                          ' border-radius: 3px; padding: 2px 4px; }')

        self.params_table = QTableWidget(0, 2, self)
        self.params_table.setObjectName("bestParams")
        self.params_table.setHorizontalHeaderLabels(["Hyperparameter", "Value"])
        self.params_table.verticalHeader().setVisible(False)
        self.params_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.params_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.params_table.setAlternatingRowColors(True)
        self.params_table.setShowGrid(False)
        self.params_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.params_table.setWordWrap(False)
        header = self.params_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.params_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.params_table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self.empty_label = QLabel("No completed trial yet", self)
        self.empty_label.setObjectName("bestEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        font = self.empty_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.empty_label.setFont(font)

        self.manual_button = QPushButton("Use as manual start", self)
        self.manual_button.setObjectName("useAsManualButton")
        self.manual_button.setToolTip("Copy these hyperparameters into the manual configuration form.")
        self.manual_button.clicked.connect(self._emit_copy)
        self.export_button = QPushButton("Export…", self)
        self.export_button.setObjectName("exportBestButton")
        self.export_button.setToolTip("Save the best configuration, a script that rebuilds it, the fitted "
                                      "model and the trial table.")
        self.export_button.clicked.connect(self.exportRequested)

        best_page = QWidget(self)
        best_layout = QVBoxLayout(best_page)
        best_layout.setContentsMargins(0, 0, 0, 0)
        best_layout.setSpacing(2)
        best_layout.addWidget(self.score_label)
        best_layout.addWidget(self.train_label)
        best_layout.addWidget(self.trial_label)
        best_layout.addWidget(self.baseline_label)
        # Ties, the simplest within one standard error and range advice; the window refreshes it.
        self.advice = BestAdvice(best_page)
        best_layout.addWidget(self.advice)
        best_layout.addSpacing(6)
        best_layout.addWidget(self.params_table, 1)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.empty_label)
        self._stack.addWidget(best_page)
        # Long scores, advice and hyperparameters scroll; the buttons below stay in view.
        stack_room = bounded(self._stack, 150, "bestRoom", min_height=80)

        buttons = QHBoxLayout()
        buttons.addWidget(self.manual_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(4)
        layout.addWidget(self.metric_caption)
        layout.addWidget(stack_room, 1)
        layout.addLayout(buttons)
        # A usual score ("0.9914 ± 0.0100") fits without scrolling; longer ones scroll, never widen.
        self.setMinimumWidth(self.score_label.fontMetrics().horizontalAdvance("0.0000 ± 0.0000") + 48)
        self.clear()

    # -- public API -------------------------------------------------------------------------------
    def set_metric(self, metric: Metric) -> None:
        self._metric = metric
        self._update_metric_label()
        if self._record is not None:
            self.show_best(self._record, self._n_trials)

    def show_best(self, record: TrialRecord | None, n_trials: int) -> None:
        self._record = record
        self._n_trials = int(n_trials)
        has_best = record is not None and record.value is not None
        self.export_button.setEnabled(has_best)
        self.manual_button.setEnabled(has_best)
        if not has_best:
            self._stack.setCurrentIndex(0)
            self.score_label.setText("—")
            self.score_label.setToolTip("")
            self.train_label.setText("")
            self.trial_label.setText("")
            self.baseline_label.setText("")
            self.baseline_label.hide()
            self.params_table.setRowCount(0)
            return
        self._stack.setCurrentIndex(1)
        self.score_label.setText(format_score(record.value, record.std))
        if record.folds:
            self.score_label.setToolTip("Score of each fold: " + ", ".join(format_score(f) for f in record.folds))
        else:
            self.score_label.setToolTip("")
        self.train_label.setText(self._train_text(record))
        self.train_label.setVisible(bool(self.train_label.text()))
        self.trial_label.setText(f"trial {record.number} of {self._n_trials}")
        self._show_verdict()
        self._fill_params(record.params)

    def set_baseline(self, baseline) -> None:
        """The study's core.baseline.Baseline (None: none is known, nothing is said)."""
        self._baseline = baseline
        if self._record is not None and self._record.value is not None:
            self._show_verdict()

    def baseline_text(self) -> str:
        return self.baseline_label.text() if self.baseline_label.isVisibleTo(self) else ""

    def _show_verdict(self) -> None:
        label, baseline, record = self.baseline_label, self._baseline, self._record
        if baseline is None or record is None or record.value is None:
            label.setText("")
            label.hide()
            return
        greater = self._metric.greater_is_better if self._metric is not None else True
        verdict = compare(float(record.value), record.std, baseline, greater_is_better=greater,
                          label=self.metric_label())
        label.setText(f"⚠ {verdict.text}. {verdict.warning}" if verdict.warning else verdict.text)
        label.setToolTip(f"The baseline is a model that learns nothing ({baseline.description}), scored on the "
                         f"same folds: {baseline.value:.4g} ± {baseline.std:.2g}.")
        warn = "true" if verdict.warning else "false"
        if label.property("warn") != warn:
            label.setProperty("warn", warn)
            label.style().unpolish(label)
            label.style().polish(label)
        label.show()

    def set_trial_count(self, n_trials: int) -> None:
        """Update "trial 17 of N" as trials arrive, without redrawing the rest."""
        self._n_trials = int(n_trials)
        if self._record is not None and self._record.value is not None:
            self.trial_label.setText(f"trial {self._record.number} of {self._n_trials}")

    def metric_label(self) -> str:
        """The metric's display name ("RMSE"), or "score" before a metric is set."""
        return self._metric.label if self._metric is not None else "score"

    def clear(self) -> None:
        self.show_best(None, 0)

    # -- internals --------------------------------------------------------------------------------
    def _update_metric_label(self) -> None:
        metric = self._metric
        if metric is None:
            self.metric_caption.setText("Best score")
            self.metric_caption.setToolTip("")
            return
        better = "higher" if metric.greater_is_better else "lower"
        self.metric_caption.setText(f"Best {metric.label} · {better} is better")
        self.metric_caption.setToolTip(metric.doc)

    def _train_text(self, record: TrialRecord) -> str:
        if record.train_score is None or record.value is None:
            return ""
        train, valid = float(record.train_score), float(record.value)
        greater = self._metric.greater_is_better if self._metric is not None else True
        gap = (train - valid) if greater else (valid - train)  # > 0: training looks better than validation
        d = score_decimals(valid)
        sign = "+" if gap > 0 else "−" if gap < 0 else "±"
        return f"train {format_score(train)} · train–validation gap {sign}{abs(gap):.{d}f}"

    def _fill_params(self, params: dict) -> None:
        table = self.params_table
        model, own = split_params(params)
        if model is not None:
            # Several models searched: the winner first, then its own hyperparameters by their plain names.
            params = {"model": model_label(model), **own}
        table.setRowCount(len(params))
        for row, (name, value) in enumerate(params.items()):
            name_item = QTableWidgetItem(str(name))
            value_item = QTableWidgetItem(format_param(value))
            value_item.setToolTip(repr(value))
            value_item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, 0, name_item)
            table.setItem(row, 1, value_item)

    def _emit_copy(self) -> None:
        if self._record is not None:
            self.copyToManualRequested.emit(dict(self._record.params))
