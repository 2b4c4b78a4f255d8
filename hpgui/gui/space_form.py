"""The hyperparameter form: one row per hyperparameter of the chosen model.

The form only edits ranges. It never decides whether a range is valid: the
window asks the core (``ModelSpec.validate_space`` / ``SearchSetup.validate``)
and hands the problems back through :meth:`SpaceForm.set_problems`, which shows
each one next to the row it belongs to.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import replace
from typing import Any, Iterable, Mapping

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QPalette, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from superqt import QElidingLabel, QFlowLayout

from hpgui.core.catalog import ModelSpec, ParamSpec
from hpgui.core.space import Hyperparameter, Problem
from hpgui.core.formatting import exact_number, is_number

ERROR_COLOR = "#c62828"
WARNING_COLOR = "#a15c00"
_INDENT = 24  # conditional rows sit this much to the right of their parent

# -- small shared helpers (search_panel.py uses them too) ------------------------------


def _parse_number(text: str, integer: bool) -> Any:
    """``"10"`` -> 10 (int params) or 10.0; text that is no number comes back as it is,
    so the core can say what is wrong with it."""
    text = text.strip()
    if integer:
        try:
            return int(text)
        except ValueError:
            pass
    try:
        return float(text)
    except ValueError:
        return text


def _choice_key(value: Any) -> tuple[str, str]:
    # True == 1 and hash(True) == hash(1); keep them apart.
    return (type(value).__name__, repr(value))


def choice_text(value: Any) -> str:
    return "None" if value is None else str(value)


def mark_invalid(widget: QWidget | None, invalid: bool) -> None:
    """Tint the field of ``widget`` red (its text, for a checklist), or undo it.

    A palette change rather than a style sheet: a border style sheet makes spin
    boxes drop their native arrows.
    """
    if widget is None or bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    if not invalid:
        widget.setPalette(QPalette())  # no role set: inherit everything again
        return
    palette = widget.palette()
    red = QColor(ERROR_COLOR)
    if isinstance(widget, ChoiceList):
        for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text):
            palette.setColor(role, red)
    else:
        base = palette.color(QPalette.ColorRole.Base)
        tint = QColor(
            round(base.red() * 0.8 + red.red() * 0.2),
            round(base.green() * 0.8 + red.green() * 0.2),
            round(base.blue() * 0.8 + red.blue() * 0.2),
        )
        palette.setColor(QPalette.ColorRole.Base, tint)
    widget.setPalette(palette)


class _WheelOnlyWhenFocused:
    """Scrolling a form must scroll the form, not the value under the mouse pointer."""

    def _setup_wheel(self) -> None:
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event):  # noqa: N802 (Qt name)
        if not self.hasFocus():
            event.ignore()
            return
        super().wheelEvent(event)


def _spin_hint(spin: QAbstractSpinBox, sample: str, hint: QSize) -> QSize:
    """A size hint wide enough for ``sample`` (not for the widest value the range allows)."""
    width = spin.fontMetrics().horizontalAdvance(sample) + 38
    return QSize(width, hint.height())


class IntSpinBox(_WheelOnlyWhenFocused, QSpinBox):
    sample = "1000000"

    def __init__(self, parent: QWidget | None = None, minimum: int = -1_000_000_000,
                 maximum: int = 1_000_000_000, sample: str | None = None):
        super().__init__(parent)
        if sample is not None:
            self.sample = sample
        self._setup_wheel()
        self.setRange(minimum, maximum)
        self.setKeyboardTracking(False)

    def sizeHint(self) -> QSize:  # noqa: N802
        return _spin_hint(self, self.prefix() + self.sample + self.suffix(), super().sizeHint())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return _spin_hint(self, self.prefix() + self.sample + self.suffix(), super().minimumSizeHint())


class ComboBox(_WheelOnlyWhenFocused, QComboBox):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._setup_wheel()


class DoubleSpinBox(_WheelOnlyWhenFocused, QDoubleSpinBox):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._setup_wheel()
        self.setKeyboardTracking(False)


_PARTIAL_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d*)?([eE][+-]?\d*)?$")


class ScientificSpinBox(DoubleSpinBox):
    """A float spin box that shows 0.0001, 1000 and 1e-6 legibly and keeps every digit.

    With :meth:`set_log_steps` on, the arrows multiply or divide by 10 instead
    of adding a step, which is how log-scale ranges are explored.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDecimals(323)  # no rounding: the value is kept exactly as typed
        self.setRange(-1e15, 1e15)
        self.setSingleStep(0.1)
        self._log_steps = False

    def sizeHint(self) -> QSize:  # noqa: N802
        return _spin_hint(self, "0.000123", super().sizeHint())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return _spin_hint(self, "0.000123", super().minimumSizeHint())

    def set_log_steps(self, on: bool) -> None:
        self._log_steps = on

    def textFromValue(self, value: float) -> str:  # noqa: N802
        return exact_number(float(value))

    def valueFromText(self, text: str) -> float:  # noqa: N802
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            if _PARTIAL_NUMBER.match(stripped):
                return QValidator.State.Intermediate
            return QValidator.State.Invalid
        if not math.isfinite(value):
            return QValidator.State.Invalid
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable
        return QValidator.State.Intermediate

    def fixup(self, text: str) -> str:
        return self.textFromValue(self.value())

    def stepBy(self, steps: int) -> None:  # noqa: N802
        value = self.value()
        if self._log_steps and value > 0:
            new = value * 10.0 ** steps
        else:
            new = value + steps * self.singleStep()
        # 0.1 + 0.2 must read 0.3, not 0.30000000000000004
        new = float(f"{new:.12g}")
        self.setValue(min(max(new, self.minimum()), self.maximum()))
        self.selectAll()


def _step_for(low: float | None, high: float | None) -> float:
    if low is None or high is None or high <= low:
        return 1.0
    return 10.0 ** math.floor(math.log10((high - low) / 10.0))


# -- one categorical hyperparameter: a checklist ---------------------------------------


class ChoiceList(QWidget):
    """The choices of a categorical hyperparameter as a wrapping row of checkboxes.

    When ``open_ended`` (the catalog lists no allowed values, as for hidden layer
    sizes), a small field adds new choices.
    """

    toggled = Signal()

    def __init__(self, label: str, open_ended: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self._label = label
        self._options: list[Any] = []
        self.boxes: list[QCheckBox] = []
        self._flow = QFlowLayout(self)
        self._flow.setContentsMargins(0, 0, 0, 0)
        self._flow.setHorizontalSpacing(14)
        self._flow.setVerticalSpacing(4)
        self.add_edit: QLineEdit | None = None
        if open_ended:
            self.add_edit = QLineEdit(self)
            self.add_edit.setPlaceholderText("add a choice…")
            self.add_edit.setAccessibleName(f"{label}: add a choice")
            self.add_edit.setToolTip("Type another value and press Enter to add it as a choice.")
            self.add_edit.setFixedWidth(self.fontMetrics().horizontalAdvance("add a choice…") + 24)
            self.add_edit.returnPressed.connect(self._add_typed)
            self._flow.addWidget(self.add_edit)

    def options(self) -> list[Any]:
        return list(self._options)

    def set_options(self, options: Iterable[Any]) -> None:
        options = list(options)
        if [_choice_key(o) for o in options] == [_choice_key(o) for o in self._options]:
            return
        checked = {_choice_key(v) for v in self.checked()}
        for box in self.boxes:
            self._flow.removeWidget(box)
            box.deleteLater()
        self.boxes = []
        self._options = []
        if self.add_edit is not None:
            self._flow.removeWidget(self.add_edit)
        for option in options:
            self._append(option, _choice_key(option) in checked)
        if self.add_edit is not None:
            self._flow.addWidget(self.add_edit)

    def _append(self, option: Any, checked: bool) -> QCheckBox:
        box = QCheckBox(choice_text(option), self)
        box.setChecked(checked)
        box.setAccessibleName(f"{self._label}: {choice_text(option)}")
        box.toggled.connect(self.toggled)
        self._options.append(option)
        self.boxes.append(box)
        self._flow.addWidget(box)
        return box

    def _add_typed(self) -> None:
        text = self.add_edit.text().strip()
        self.add_edit.clear()
        if not text:
            return
        existing = self.box(text)
        if existing is not None:
            existing.setChecked(True)
            return
        self._flow.removeWidget(self.add_edit)
        box = self._append(text, True)
        self._flow.addWidget(self.add_edit)
        if len(self.boxes) > 1:
            QWidget.setTabOrder(self.boxes[-2], box)
        QWidget.setTabOrder(box, self.add_edit)
        self.toggled.emit()

    def box(self, value: Any) -> QCheckBox | None:
        """The checkbox of ``value`` (or of the choice shown as the text ``value``)."""
        key = _choice_key(value)
        for option, box in zip(self._options, self.boxes):
            if _choice_key(option) == key:
                return box
        if isinstance(value, str):
            for box in self.boxes:
                if box.text() == value:
                    return box
        return None

    def checked(self) -> list[Any]:
        return [o for o, b in zip(self._options, self.boxes) if b.isChecked()]

    def set_checked(self, values: Iterable[Any]) -> None:
        keys = {_choice_key(v) for v in values}
        for option, box in zip(self._options, self.boxes):
            box.setChecked(_choice_key(option) in keys)


# -- one hyperparameter ------------------------------------------------------------------


def _pair(parent: QWidget, *widgets: QWidget) -> QWidget:
    """Widgets that must stay on one line when the editor wraps (a caption and its field)."""
    box = QWidget(parent)
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(6)
    for widget in widgets:
        layout.addWidget(widget)
    return box


def condition_text(spec: ParamSpec) -> str | None:
    if spec.when is None:
        return None
    values = [choice_text(v) for v in spec.when.values]
    shown = values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]
    return f"Only used when {spec.when.parent} is {shown}."


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
