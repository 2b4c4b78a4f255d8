"""One hyperparameter's row of the range form: its range or values, log and step, the estimator's
default, whether it applies (conditions), and its problem shown under it.
"""

from __future__ import annotations

import re

from typing import Any, Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QHBoxLayout, QLabel, QLineEdit, QSizePolicy, QStyle,
                               QToolButton, QVBoxLayout, QWidget)
from superqt import QElidingLabel, QFlowLayout

from hpgui.core.catalog import ParamSpec
from hpgui.core.space import Hyperparameter

from .form_widgets import (ChoiceList, ERROR_COLOR, IntSpinBox, ScientificSpinBox, WARNING_COLOR, _INDENT,
                           _choice_key, _pair, _parse_number, _step_for, choice_text, condition_text, mark_invalid)
from hpgui.core.formatting import exact_number, is_number


class ParamRow(QWidget):
    """One hyperparameter: whether it is searched, and its range or choices.

    Numeric rows have ``low``, ``high``, ``log_box``, ``step`` and ``values_edit``
    (``choices`` is None); categorical rows have ``choices`` (the others are None).
    """

    edited = Signal()

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.name = spec.name
        self.kind = spec.default.type
        self._filling = False
        self._choice_order: list[Any] = []
        label = spec.label

        tooltip = spec.doc
        when = condition_text(spec)
        if when:
            tooltip += "\n\n" + when
        self.setToolTip(tooltip)
        self.setAccessibleName(f"Hyperparameter {label}")
        self.setAccessibleDescription(tooltip)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(_INDENT if spec.when else 0, 6, 0, 6)
        outer.setSpacing(3)

        # header: [x] Label  name   (when kernel = rbf)             [reset]
        header = QHBoxLayout()
        header.setSpacing(8)
        self.enabled_box = QCheckBox(label, self)
        bold = self.enabled_box.font()
        bold.setBold(True)
        self.enabled_box.setFont(bold)
        self.enabled_box.setAccessibleName(f"Search {label}")
        self.enabled_box.setAccessibleDescription(
            f"{spec.doc} When off, the estimator's default value of {spec.name} is used.")
        self.enabled_box.setToolTip(tooltip + "\n\nUntick to keep the estimator's default value instead "
                                              "of searching it.")
        header.addWidget(self.enabled_box)

        self.name_label = QLabel(spec.name, self)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(max(7.0, self.font().pointSizeF() - 1))
        self.name_label.setFont(mono)
        self.name_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header.addWidget(self.name_label)

        self._estimator_default: tuple[Any] | None = None

        self.condition_label: QElidingLabel | None = None
        if spec.when is not None:
            values = "/".join(choice_text(v) for v in spec.when.values)
            self.condition_label = QElidingLabel(f"when {spec.when.parent} = {values}", self)
            self.condition_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            small = self.condition_label.font()
            small.setItalic(True)
            small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
            self.condition_label.setFont(small)
            self.condition_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            self.condition_label.setToolTip(when)
            header.addWidget(self.condition_label, 1)
        else:
            header.addStretch(1)

        self.reset_button = QToolButton(self)
        self.reset_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        self.reset_button.setAutoRaise(True)
        self.reset_button.setToolTip(f"Back to the default range of {label}")
        self.reset_button.setAccessibleName(f"Reset {label} to its default")
        self.reset_button.clicked.connect(self.reset)
        header.addWidget(self.reset_button)
        outer.addLayout(header)

        # editor, aligned under the label text
        indicator = self.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) + \
            self.style().pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing)
        self.editor = QWidget(self)

        self.low: QAbstractSpinBox | None = None
        self.high: QAbstractSpinBox | None = None
        self.log_box: QCheckBox | None = None
        self.step: QLineEdit | None = None
        self.values_edit: QLineEdit | None = None
        self.choices: ChoiceList | None = None

        if self.kind == "categorical":
            editor = QHBoxLayout(self.editor)
            editor.setContentsMargins(indicator, 0, 0, 0)
            self.choices = ChoiceList(label, open_ended=spec.allowed is None, parent=self.editor)
            self.choices.setToolTip(f"{tooltip}\n\nTick the choices to try.")
            self.choices.setAccessibleName(f"{label}: choices")
            self.choices.toggled.connect(self._on_edit)
            editor.addWidget(self.choices, 1)
        else:
            # wraps onto a second line in a narrow window instead of needing a horizontal scroll bar
            editor = QFlowLayout(self.editor)
            editor.setContentsMargins(indicator, 0, 0, 0)
            editor.setHorizontalSpacing(10)
            editor.setVerticalSpacing(4)
            integer = self.kind == "int"
            self.low = IntSpinBox(self.editor) if integer else ScientificSpinBox(self.editor)
            self.high = IntSpinBox(self.editor) if integer else ScientificSpinBox(self.editor)
            self.low.setToolTip("The smallest value searched.")
            self.high.setToolTip("The largest value searched.")
            self.low.setAccessibleName(f"{label}: low")
            self.high.setAccessibleName(f"{label}: high")
            self.low_caption = QLabel("from", self.editor)
            self.low_caption.setBuddy(self.low)
            self.high_caption = QLabel("to", self.editor)
            self.high_caption.setBuddy(self.high)
            self.log_box = QCheckBox("log", self.editor)
            self.log_box.setToolTip("Search on a log scale: as many tries between 0.001 and 0.01 as between "
                                    "10 and 100. Right for ranges that span several powers of ten.")
            self.log_box.setAccessibleName(f"{label}: log scale")
            low_group = _pair(self.editor, self.low_caption, self.low)
            high_group = _pair(self.editor, self.high_caption, self.high, self.log_box)

            step_group = QWidget(self.editor)
            step_layout = QHBoxLayout(step_group)
            step_layout.setContentsMargins(0, 0, 0, 0)
            step_layout.setSpacing(6)
            self.step = QLineEdit(step_group)
            self.step.setPlaceholderText("none")
            self.step.setToolTip("Only try multiples of this step from low upwards; empty for any value. "
                                 "A step makes the range usable by grid search.")
            self.step.setAccessibleName(f"{label}: step")
            self.step.setFixedWidth(self.fontMetrics().horizontalAdvance("0.0001") + 20)
            self.step_caption = QLabel("step", step_group)
            self.step_caption.setBuddy(self.step)
            step_layout.addWidget(self.step_caption)
            step_layout.addWidget(self.step)

            self.values_edit = QLineEdit(self.editor)
            self.values_edit.setPlaceholderText("or values: 1, 5, 10" if integer else "or values: 0.1, 1, 10")
            self.values_edit.setToolTip("Explicit values to try, separated by commas. When filled in, they "
                                        "replace the range from low to high.")
            self.values_edit.setAccessibleName(f"{label}: explicit values")
            self.values_edit.setFixedWidth(self.fontMetrics().horizontalAdvance("or values: 0.1, 1, 10") + 24)

            editor.addWidget(low_group)
            editor.addWidget(high_group)
            editor.addWidget(step_group)
            editor.addWidget(self.values_edit)

            self.low.valueChanged.connect(self._on_edit)
            self.high.valueChanged.connect(self._on_edit)
            self.log_box.toggled.connect(self._on_log_toggled)
            self.step.textChanged.connect(self._on_edit)
            self.values_edit.textChanged.connect(self._on_edit)
        outer.addWidget(self.editor)

        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.error_label.setContentsMargins(indicator, 0, 0, 0)
        self.error_label.setAccessibleName(f"{label}: problem")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        outer.addWidget(self.error_label)

        self.enabled_box.toggled.connect(self._on_enabled_toggled)
        self.set_hyperparameter(spec.default)
        self._fix_tab_order()

    def _fix_tab_order(self) -> None:
        """Tab goes tick box → range (or choices) → reset, whatever order they were made in."""
        if self.kind == "categorical":
            middle = list(self.choices.boxes) + ([self.choices.add_edit] if self.choices.add_edit else [])
        else:
            middle = [self.low, self.high, self.log_box, self.step, self.values_edit]
        chain = [self.enabled_box, *middle, self.reset_button]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    # -- reading and writing -------------------------------------------------------------
    def hyperparameter(self) -> Hyperparameter:
        enabled = self.enabled_box.isChecked()
        if self.kind == "categorical":
            return Hyperparameter(type="categorical", choices=tuple(self._ordered_choices()), enabled=enabled)
        integer = self.kind == "int"
        values_text = self.values_edit.text().strip()
        if values_text:
            parts = [p for p in re.split(r"[,;\s]+", values_text) if p]
            return Hyperparameter(type=self.kind, values=tuple(_parse_number(p, integer) for p in parts),
                                  enabled=enabled)
        step_text = self.step.text().strip()
        step = _parse_number(step_text, integer) if step_text else None
        return Hyperparameter(type=self.kind, low=self.low.value(), high=self.high.value(),
                              log=self.log_box.isChecked(), step=step, enabled=enabled)

    def set_hyperparameter(self, hp: Hyperparameter) -> None:
        """Fill the widgets from ``hp`` without emitting :attr:`edited`."""
        self._filling = True
        try:
            self.enabled_box.setChecked(bool(hp.enabled))
            if self.kind == "categorical":
                choices = list(hp.choices or ())
                base = list(self.spec.allowed if self.spec.allowed is not None else self.spec.default.choices or ())
                keys = {_choice_key(o) for o in base}
                # choices added earlier (open-ended lists) stay on offer
                for option in (self.choices.options() if self.spec.allowed is None else []) + choices:
                    if _choice_key(option) not in keys:
                        base.append(option)
                        keys.add(_choice_key(option))
                before = len(self.choices.boxes)
                self.choices.set_options(base)
                self.choices.set_checked(choices)
                if len(self.choices.boxes) != before and hasattr(self, "reset_button"):
                    self._fix_tab_order()
                self._choice_order = choices
            else:
                default = self.spec.default
                low = hp.low if is_number(hp.low) else default.low
                high = hp.high if is_number(hp.high) else default.high
                self.low.setValue(self._fit(low))
                self.high.setValue(self._fit(high))
                if isinstance(self.low, ScientificSpinBox):
                    step = _step_for(default.low, default.high)
                    self.low.setSingleStep(step)
                    self.high.setSingleStep(step)
                self.log_box.setChecked(bool(hp.log))
                self.step.setText("" if hp.step is None else exact_number(hp.step))
                self.values_edit.setText("" if hp.values is None else
                                         ", ".join(exact_number(v) for v in hp.values))
        finally:
            self._filling = False
        self._update_enabled()

    def _fit(self, value: Any) -> Any:
        return int(value) if self.kind == "int" else float(value)

    def _ordered_choices(self) -> list[Any]:
        """Ticked choices, in the order they were given (new ones after)."""
        checked = self.choices.checked()
        order = {_choice_key(v): i for i, v in enumerate(self._choice_order)}
        return sorted(checked, key=lambda v: order.get(_choice_key(v), len(order)))

    def reset(self) -> None:
        """Back to the catalog's default range (a user action: emits :attr:`edited`)."""
        self.set_hyperparameter(self.spec.default)
        self.edited.emit()

    # -- problems --------------------------------------------------------------------------
    def set_problem(self, message: str | None, parts: Iterable[str] = ()) -> None:
        """Show ``message`` under the row (None clears it); ``parts`` ("low", "high", "step",
        "values", "choices") get a red border."""
        parts = set(parts)
        if message:
            self.error_label.setText(message)
            self.error_label.show()
            self.error_label.setToolTip(message)
        else:
            self.error_label.clear()
            self.error_label.hide()
            parts = set()
        marks = {"low": self.low, "high": self.high, "step": self.step, "values": self.values_edit,
                 "choices": self.choices}
        for part, widget in marks.items():
            mark_invalid(widget, part in parts)

    def problem(self) -> str | None:
        return self.error_label.text() or None

    def set_condition_note(self, inactive_reason: str | None) -> None:
        """Say when a conditional hyperparameter can never apply with the parent's choices."""
        if self.condition_label is None:
            return
        spec = self.spec
        values = "/".join(choice_text(v) for v in spec.when.values)
        when = condition_text(spec)
        if inactive_reason:
            self.condition_label.setText(f"when {spec.when.parent} = {values} — not used: {inactive_reason}")
            self.condition_label.setToolTip(f"{when} Right now it is never used: {inactive_reason}.")
            self.condition_label.setStyleSheet(f"color: {WARNING_COLOR};")
        else:
            self.condition_label.setText(f"when {spec.when.parent} = {values}")
            self.condition_label.setToolTip(when)
            self.condition_label.setStyleSheet("")

    # -- reactions -------------------------------------------------------------------------
    def _on_edit(self, *_: Any) -> None:
        self._update_enabled()
        if not self._filling:
            self.edited.emit()

    def _on_log_toggled(self, on: bool) -> None:
        self._on_edit()

    def _on_enabled_toggled(self, on: bool) -> None:
        self._on_edit()

    def set_estimator_default(self, value: Any) -> None:
        """The value used while the row is switched off, shown next to the name then."""
        self._estimator_default = (value,)
        self._update_enabled()

    def _update_enabled(self) -> None:
        enabled = self.enabled_box.isChecked()
        self.editor.setEnabled(enabled)
        self.name_label.setEnabled(enabled)
        if not enabled and self._estimator_default is not None:
            value = self._estimator_default[0]
            shown = exact_number(value) if isinstance(value, (int, float)) else repr(value)
            if len(shown) > 20:
                shown = shown[:19] + "…"
            self.name_label.setText(f"{self.name} = {shown}")
            self.name_label.setToolTip(f"Not searched: the estimator keeps its default, {self.name}={value!r}.")
        else:
            self.name_label.setText(self.name)
            self.name_label.setToolTip("The scikit-learn name of this hyperparameter.")
        if self.kind != "categorical":
            uses_range = not self.values_edit.text().strip()
            for widget in (self.low, self.high, self.log_box, self.step, self.low_caption, self.high_caption,
                           self.step_caption):
                widget.setEnabled(uses_range)
            if isinstance(self.low, ScientificSpinBox):
                self.low.set_log_steps(self.log_box.isChecked())
                self.high.set_log_steps(self.log_box.isChecked())
