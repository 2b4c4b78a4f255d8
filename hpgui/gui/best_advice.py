"""Advice under the best score: trials tied with it, the simplest of them, ranges worth widening.

Rules live in :mod:`hpgui.core.analysis`; this widget shows them and offers the
actions: select the simplest trial within one standard error (or copy it to the
manual form), and widen the ranges whose best value sits at an edge, then
continue the same study.
"""

from __future__ import annotations

from typing import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QPushButton, QToolButton, QVBoxLayout, QWidget

from ..core import analysis
from ..core.catalog import ParamSpec
from ..core.records import TrialRecord
from ..core.space import Hyperparameter
from ..core.trials import TrialStore
from ..core.formatting import format_number, format_param

__all__ = ["BestAdvice", "TIE_RULE"]

TIE_RULE = ("Tied with the best: the trial's mean score is within one standard error of the best trial's mean. "
            "Standard error = sample standard deviation of the best's fold scores / √folds. With so few folds "
            "such trials are indistinguishable from the best.")
ONE_SE_RULE = ("The one-standard-error rule: among the best and the trials tied with it, take the simplest model. "
               "Simplest = lowest sum, over the hyperparameters whose simpler direction is known (smaller "
               "max_depth, fewer trees, smaller C, larger alpha, …), of how far each value sits from the simple "
               "end of its searched range (log scale for log ranges). Ties go to the better score, then to the "
               "earlier trial.")


class BestAdvice(QWidget):
    selectTrialRequested = Signal(int)
    copyToManualRequested = Signal(dict)
    widenRequested = Signal(dict)  # name -> the widened Hyperparameter

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._space: dict[str, Hyperparameter] = {}
        self._specs: dict[str, ParamSpec] = {}
        self._greater = True
        self._store: TrialStore | None = None
        self._version: int | None = None
        self._choice: TrialRecord | None = None
        self._advice: list[analysis.RangeAdvice] = []
        self._can_widen = True
        self._widen_reason = ""

        self.ties_label = QLabel(self)
        self.ties_label.setWordWrap(True)
        self.ties_label.setObjectName("tiesLabel")
        self.ties_label.setToolTip(TIE_RULE)
        self.ties_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.simplest_button = QToolButton(self)
        self.simplest_button.setObjectName("simplestButton")
        self.simplest_button.setText("Simplest within 1 SE")
        self.simplest_button.setToolTip(ONE_SE_RULE)
        self.simplest_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.simplest_button.clicked.connect(self.select_simplest)
        menu = QMenu(self.simplest_button)
        self.select_action = QAction("Select this trial", menu)
        self.select_action.triggered.connect(self.select_simplest)
        self.manual_action = QAction("Use as manual start", menu)
        self.manual_action.triggered.connect(self._copy_simplest)
        menu.addAction(self.select_action)
        menu.addAction(self.manual_action)
        self.simplest_button.setMenu(menu)
        self.simplest_label = QLabel(self)
        self.simplest_label.setObjectName("simplestLabel")
        self.simplest_label.setWordWrap(True)

        self.range_label = QLabel(self)
        self.range_label.setObjectName("rangeAdvice")
        self.range_label.setWordWrap(True)
        self.range_label.setTextFormat(Qt.TextFormat.RichText)
        self.widen_button = QPushButton("Widen and continue", self)
        self.widen_button.setObjectName("widenButton")
        self.widen_button.clicked.connect(self._widen)

        ties_row = QHBoxLayout()
        ties_row.setContentsMargins(0, 0, 0, 0)
        ties_row.addWidget(self.ties_label, 1)
        ties_row.addWidget(self.simplest_button)
        range_row = QHBoxLayout()
        range_row.setContentsMargins(0, 0, 0, 0)
        range_row.addWidget(self.range_label, 1)
        range_row.addWidget(self.widen_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(2)
        layout.addLayout(ties_row)
        layout.addWidget(self.simplest_label)
        layout.addLayout(range_row)
        self.clear()

    # -- what the window calls -----------------------------------------------------------------------
    def set_context(self, space: Mapping[str, Hyperparameter], specs: Mapping[str, ParamSpec],
                    greater_is_better: bool) -> None:
        self._space = dict(space)
        self._specs = dict(specs)
        self._greater = bool(greater_is_better)
        self._store = None
        self._version = None
        self.clear()

    def set_can_widen(self, allowed: bool, reason: str = "") -> None:
        """Whether "Widen and continue" may run now (not during a search, not for a grid)."""
        self._can_widen = bool(allowed)
        self._widen_reason = reason
        self._update_widen_button()

    def refresh(self, store: TrialStore) -> bool:
        if store is self._store and store.version == self._version:
            return False
        self._store = store
        self._version = store.version
        best = store.best
        if best is None:
            self.clear()
            return True
        self.show()
        tied = analysis.tied_with_best(store.records, best, store.arrays().values)
        se = analysis.standard_error(best)
        if se is None:
            self.ties_label.setText("no fold scores to judge ties")
        else:
            count = len(tied)
            self.ties_label.setText(f"{count} trial{'s' if count != 1 else ''} tied with the best "
                                    f"(±{format_number(se)}, 1 SE)")
        self._tied = [r.number for r in tied]
        if tied:
            shown = ", ".join(str(n) for n in self._tied[:40]) + (" …" if len(tied) > 40 else "")
            self.ties_label.setToolTip(f"{TIE_RULE}\n\nTied: trial{'s' if len(tied) > 1 else ''} {shown}")
        else:
            self.ties_label.setToolTip(TIE_RULE)
        simple = analysis.has_simplicity(self._space, self._specs)
        self._choice = analysis.one_se_choice(store.records, best, self._space, self._specs, self._greater) \
            if simple else None
        self.simplest_button.setEnabled(self._choice is not None)
        if not simple:
            self.simplest_button.setToolTip(ONE_SE_RULE + "\n\nNo searched hyperparameter has a known "
                                            "simpler direction for this model.")
            self.simplest_label.hide()
        else:
            self.simplest_button.setToolTip(ONE_SE_RULE)
            choice = self._choice
            if choice.number == best.number:
                text = f"Simplest within 1 SE: the best itself (trial {choice.number})"
            else:
                shown = [f"{n} {format_param(v)}" for n, v in choice.params.items()
                         if n in self._specs and self._specs[n].simpler is not None][:3]
                text = (f"Simplest within 1 SE: trial {choice.number}, {format_number(choice.value)}"
                        + (f" ({', '.join(shown)})" if shown else ""))
            self.simplest_label.setText(text)
            self.simplest_label.show()
        self._advice = analysis.range_advice(best.params, self._space, self._specs)
        if self._advice:
            lines = [f"⚠ {a.text}" for a in self._advice]
            self.range_label.setText("<br>".join(escape(line) for line in lines))
            self.range_label.setToolTip("The best value sits at the edge of the searched range, so a better one may "
                                        "lie beyond it. Widen and continue searches the wider range in the same "
                                        "study: " + "; ".join(a.widened_text for a in self._advice))
            self.range_label.show()
        else:
            self.range_label.setText("")
            self.range_label.hide()
        self._update_widen_button()
        return True

    def clear(self) -> None:
        self._choice = None
        self._advice = []
        self._tied = []
        self.ties_label.setText("")
        self.simplest_label.setText("")
        self.range_label.setText("")
        self.simplest_button.setEnabled(False)
        self.hide()
        self._update_widen_button()

    # -- what it shows -------------------------------------------------------------------------------
    @property
    def tied_numbers(self) -> list[int]:
        return list(self._tied)

    @property
    def simplest(self) -> TrialRecord | None:
        return self._choice

    @property
    def advice(self) -> list[analysis.RangeAdvice]:
        return list(self._advice)

    def widened_ranges(self) -> dict[str, Hyperparameter]:
        return {a.name: a.widened for a in self._advice}

    # -- actions -----------------------------------------------------------------------------------
    def select_simplest(self) -> None:
        if self._choice is not None:
            self.selectTrialRequested.emit(self._choice.number)

    def _copy_simplest(self) -> None:
        if self._choice is not None:
            self.copyToManualRequested.emit(dict(self._choice.params))

    def _widen(self) -> None:
        if self._advice and self._can_widen:
            self.widenRequested.emit(self.widened_ranges())

    def _update_widen_button(self) -> None:
        visible = bool(self._advice)
        self.widen_button.setVisible(visible)
        self.widen_button.setEnabled(visible and self._can_widen)
        if visible:
            plan = "; ".join(a.widened_text for a in self._advice)
            tip = (f"Set {plan} in the Model tab and continue this study with as many trials again."
                   if self._can_widen else self._widen_reason)
            self.widen_button.setToolTip(tip)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
