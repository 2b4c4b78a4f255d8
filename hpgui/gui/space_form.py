"""The hyperparameter form: one row per hyperparameter of the chosen model.

The form only edits ranges. It never decides whether a range is valid: the
window asks the core (``ModelSpec.validate_space`` / ``SearchSetup.validate``)
and hands the problems back through :meth:`SpaceForm.set_problems`, which shows
each one next to the row it belongs to.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Any, Iterable, Mapping

from PySide6.QtCore import Qt, Signal

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QStyle, QVBoxLayout, QWidget

from hpgui.core.catalog import ModelSpec
from hpgui.core.space import Hyperparameter, Problem

from .form_widgets import (ChoiceList, ComboBox, DoubleSpinBox, ERROR_COLOR, IntSpinBox, ScientificSpinBox,
                           WARNING_COLOR, _choice_key, choice_text)
from .param_row import ParamRow
from hpgui.core.formatting import exact_number

# -- the whole form ----------------------------------------------------------------------


class SpaceForm(QWidget):
    """Every hyperparameter of one model, in a scrolling list of :class:`ParamRow`."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._model: ModelSpec | None = None
        self._task: str | None = None
        self._rows: dict[str, ParamRow] = {}
        self._ignored: dict[str, Hyperparameter] = {}
        self._defaults_cache: dict[str, Any] | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)

        top = QHBoxLayout()
        top.setContentsMargins(6, 0, 6, 0)
        self.summary_label = QLabel("Pick a model to see its hyperparameters.", self)
        self.summary_label.setAccessibleName("Hyperparameters searched")
        self.summary_label.setWordWrap(True)
        top.addWidget(self.summary_label, 1)
        self.reset_all_button = QPushButton("Reset all", self)
        self.reset_all_button.setToolTip("Put every hyperparameter back to the model's default range.")
        self.reset_all_button.setAccessibleName("Reset all hyperparameters to their defaults")
        self.reset_all_button.clicked.connect(self.reset_all)
        self.reset_all_button.setEnabled(False)
        top.addWidget(self.reset_all_button)
        layout.addLayout(top)

        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.message_label.setContentsMargins(6, 0, 6, 0)
        self.message_label.setAccessibleName("Problem with the hyperparameters")
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        layout.addWidget(self.message_label)

        self.note_label = QLabel(self)
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet(f"color: {WARNING_COLOR};")
        self.note_label.setContentsMargins(6, 0, 6, 0)
        self.note_label.hide()
        layout.addWidget(self.note_label)

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        # Rows wrap to the width they get (height-for-width); a horizontal bar would only flicker on
        # when the vertical one appears. The scroll area's minimum width keeps every row whole instead.
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setAccessibleName("Hyperparameter list")
        self._container = QWidget()
        self._rows_layout = QVBoxLayout(self._container)
        self._rows_layout.setContentsMargins(6, 0, 6, 6)
        self._rows_layout.setSpacing(0)
        self._rows_layout.addStretch(1)
        self.scroll_area.setWidget(self._container)
        layout.addWidget(self.scroll_area, 1)

    # -- model ---------------------------------------------------------------------------
    @property
    def model(self) -> ModelSpec | None:
        return self._model

    @property
    def task(self) -> str | None:
        return self._task

    def set_model(self, model: ModelSpec, task: str, space: Mapping[str, Hyperparameter] | None = None) -> None:
        """One row per hyperparameter of ``model`` for ``task``.

        Names missing from ``space`` are shown switched off with the default
        range; names the model does not have are dropped with a note.
        """
        while self._rows_layout.count() > 1:  # everything but the final stretch
            widget = self._rows_layout.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self._rows = {}
        self._model, self._task = model, task
        self._defaults_cache = None
        specs = model.params_for(task)
        known = {s.name for s in specs}
        self._ignored = {n: hp for n, hp in (space or {}).items() if n not in known}

        for i, spec in enumerate(specs):
            if i:
                line = QFrame(self._container)
                line.setFrameShape(QFrame.Shape.HLine)
                line.setFrameShadow(QFrame.Shadow.Sunken)
                self._rows_layout.insertWidget(self._rows_layout.count() - 1, line)
            row = ParamRow(spec, self._container)
            if space is not None:
                hp = space.get(spec.name)
                row.set_hyperparameter(hp if hp is not None else replace(spec.default, enabled=False))
            defaults = self._estimator_defaults()
            if spec.name in defaults:
                row.set_estimator_default(defaults[spec.name])
            row.edited.connect(self._on_row_edited)
            self._rows_layout.insertWidget(self._rows_layout.count() - 1, row)
            self._rows[spec.name] = row
        self.reset_all_button.setEnabled(bool(self._rows))
        self._fit_width()
        if self._ignored:
            self.note_label.setText(f"{model.label} has no hyperparameter "
                                    f"{', '.join(sorted(self._ignored))} here; it was left out.")
            self.note_label.show()
        else:
            self.note_label.hide()
        self.message_label.hide()
        self._refresh()

    def _fit_width(self) -> None:
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self.scroll_area.setMinimumWidth(self._container.minimumSizeHint().width() + bar
                                    + 2 * self.scroll_area.frameWidth())

    def rows(self) -> list[ParamRow]:
        return list(self._rows.values())

    def row(self, name: str) -> ParamRow:
        return self._rows[name]

    def space(self) -> dict[str, Hyperparameter]:
        return {name: row.hyperparameter() for name, row in self._rows.items()}

    def reset_all(self) -> None:
        for row in self._rows.values():
            row.set_hyperparameter(row.spec.default)
        self._refresh()
        self.changed.emit()

    # -- problems --------------------------------------------------------------------------
    def set_problems(self, problems: Iterable[Problem]) -> None:
        """Show each ``space.<name>...`` problem on its row; ``space`` ones above the list."""
        per_row: dict[str, list[Problem]] = {}
        general: list[str] = []
        for problem in problems:
            field = problem.field
            if field == "space":
                general.append(problem.message)
            elif field.startswith("space."):
                name = field.split(".")[1]
                if name in self._rows:
                    per_row.setdefault(name, []).append(problem)
                else:
                    general.append(f"{name}: {problem.message}")
        for name, row in self._rows.items():
            found = per_row.get(name)
            if not found:
                row.set_problem(None)
                continue
            parts = set()
            for p in found:
                pieces = p.field.split(".")
                if len(pieces) > 2:
                    parts.add(pieces[2])
                elif row.kind == "categorical":
                    parts.add("choices")
                else:
                    parts.update({"low", "high", "step", "values"} if not row.values_edit.text().strip()
                                 else {"values"})
            row.set_problem("\n".join(_dedupe(p.message for p in found)), parts)
        if general:
            self.message_label.setText("\n".join(_dedupe(general)))
            self.message_label.show()
        else:
            self.message_label.clear()
            self.message_label.hide()

    def problem_rows(self) -> list[ParamRow]:
        """Rows that show a problem, top to bottom (to scroll to or focus the first)."""
        return [r for r in self._rows.values() if r.error_label.text()]

    def scroll_to(self, name: str) -> None:
        self.scroll_area.ensureWidgetVisible(self._rows[name], 0, 20)

    # -- reactions -------------------------------------------------------------------------
    def _on_row_edited(self) -> None:
        self._refresh()
        self.changed.emit()

    def _refresh(self) -> None:
        rows = self._rows.values()
        searched = sum(1 for r in rows if r.enabled_box.isChecked())
        if self._model is not None:
            self.summary_label.setText(f"{searched} of {len(self._rows)} hyperparameters searched")
            self.summary_label.setToolTip("Unticked hyperparameters keep the estimator's default value.")
        self._update_conditions()

    def _estimator_defaults(self, load: bool = False) -> dict[str, Any]:
        """The estimator's own defaults, for "keeps the default …" and the condition notes.

        Importing scikit-learn takes a second or more, so it is only done when
        ``load`` is true or the estimator's module is already imported; until then
        the form simply shows less.
        """
        if self._defaults_cache is None:
            module = self._model.estimator_path(self._task).rpartition(".")[0]
            if not load and module not in sys.modules:
                return {}
            try:
                self._defaults_cache = dict(self._model.estimator_defaults(self._task))
            except Exception:  # an estimator that cannot be imported must not break the form
                self._defaults_cache = {}
        return self._defaults_cache

    def load_estimator_defaults(self) -> None:
        """Import the estimator (slow the first time) and show its default values.

        The window may call this once scikit-learn is loaded anyway, or from a
        timer after start-up; rows show "keeps the default …" from then on.
        """
        if self._model is None:
            return
        defaults = self._estimator_defaults(load=True)
        for name, row in self._rows.items():
            if name in defaults:
                row.set_estimator_default(defaults[name])
        self._update_conditions()

    def _update_conditions(self) -> None:
        for row in self._rows.values():
            cond = row.spec.when
            if cond is None:
                continue
            parent = self._rows.get(cond.parent)
            if parent is not None and parent.enabled_box.isChecked():
                if parent.kind != "categorical":
                    row.set_condition_note(None)
                    continue
                possible = parent.choices.checked()
                what = f"no {cond.parent} choice is {'/'.join(choice_text(v) for v in cond.values)}"
            else:
                defaults = self._estimator_defaults()
                if cond.parent not in defaults:
                    row.set_condition_note(None)
                    continue
                possible = [defaults[cond.parent]]
                what = f"{cond.parent} keeps its default {choice_text(possible[0])}"
            if any(_choice_key(v) in {_choice_key(c) for c in cond.values} for v in possible):
                row.set_condition_note(None)
            else:
                row.set_condition_note(what)


def _dedupe(messages: Iterable[str]) -> list[str]:
    out: list[str] = []
    for m in messages:
        if m not in out:
            out.append(m)
    return out


__all__ = [
    "ChoiceList",
    "ComboBox",
    "DoubleSpinBox",
    "IntSpinBox",
    "ParamRow",
    "ScientificSpinBox",
    "SpaceForm",
    "exact_number",
]
