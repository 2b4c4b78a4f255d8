"""The small input widgets of hpgui's forms: spin boxes that scroll only when focused, a
scientific-notation spin box, the checklist of a categorical hyperparameter, and the red marks of a
problem. The hyperparameter form and the Search tab both build on them.
"""

from __future__ import annotations

import math
import re

from typing import Any, Iterable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QPalette, QValidator
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLineEdit,
                               QSpinBox, QWidget)
from superqt import QFlowLayout

from hpgui.core.catalog import ParamSpec

from hpgui.core.formatting import exact_number


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

    def _widest_text(self) -> str:
        # The special text ("automatic") stands for the lowest value and must fit as well as a number.
        number = self.prefix() + self.sample + self.suffix()
        special = self.specialValueText()
        metrics = self.fontMetrics()
        return special if metrics.horizontalAdvance(special) > metrics.horizontalAdvance(number) else number

    def sizeHint(self) -> QSize:  # noqa: N802
        return _spin_hint(self, self._widest_text(), super().sizeHint())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return _spin_hint(self, self._widest_text(), super().minimumSizeHint())


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
