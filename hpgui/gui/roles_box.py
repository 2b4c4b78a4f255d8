"""Columns with another part to play than feature or target: sample weights, groups, time order, dates.

One row of three pickers (weight, group, time order) and, when the file has date columns, one
button per date column whose menu ticks the parts it gives as features (hpgui.core.roles.DATE_PARTS)
or leaves it ignored. The box only holds the choice; whether the columns can play their parts is
checked by the core (``roles.resolve``, ``dataspec.column_problems``) and handed back through
:meth:`RolesBox.set_problems`, so the window and ``hpgui run`` say the same thing.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QGridLayout, QHBoxLayout, QLabel, QMenu, QSizePolicy, QToolButton,
                               QVBoxLayout, QWidget)

from hpgui.core.roles import DATE_PARTS
from hpgui.core.space import Problem

from .form_widgets import ERROR_COLOR, ComboBox, mark_invalid

NONE_TEXT = "(none)"
IGNORED_TEXT = "ignored"
#: The setup field each picker edits (problems go back to the picker of their field).
ROLE_FIELDS = {"weight": "data.weight", "group": "evaluation.group", "order": "evaluation.order"}
_ROLE_TEXT = {
    "weight": ("&Weight:", "Sample weights",
               "A column of sample weights: a row of weight 2 counts twice in fitting and in the score. "
               "Numbers of 0 or more; (none) weighs every row the same."),
    "group": ("&Group:", "Group column",
              "Rows that belong together (one patient, customer or site). Group folds keep each group in one "
              "fold, so a score never comes from a group the model has already seen. Choose a group "
              "validation method in the Search tab to use it."),
    "order": ("Time &order:", "Time-order column",
              "A date or a number that orders the rows in time. Time-series folds train on earlier rows and "
              "score on later ones, never the other way round. Choose “Time-series split” in the Search tab "
              "to use it."),
}
_NAME_CHARS = 10  # a long column name elides in the picker instead of widening the window


def _kinds_for(role: str) -> tuple[str, ...] | None:
    """Which column kinds a picker offers (None: every column)."""
    return {"weight": ("numeric", "constant"), "order": ("numeric", "datetime", "id", "constant")}.get(role)


class RolesBox(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("rolesBox")
        self._filling = False
        self._dataset = None
        self._target: str | None = None
        self._dates: dict[str, tuple[str, ...]] = {}
        self.combos: dict[str, QComboBox] = {}
        self.dateButtons: dict[str, QToolButton] = {}

        # Two pickers a row: three side by side made the Data tab (and so the window) wider than a laptop.
        line = QGridLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.setHorizontalSpacing(6)
        line.setVerticalSpacing(4)
        for i, (role, (caption, accessible, tip)) in enumerate(_ROLE_TEXT.items()):
            combo = ComboBox(self)  # the wheel changes it only once focused, never while scrolling past
            combo.setObjectName(f"{role}Combo")
            combo.setAccessibleName(accessible)
            combo.setToolTip(tip)
            combo.setProperty("baseTip", tip)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(_NAME_CHARS)
            combo.activated.connect(self._emit)
            label = QLabel(caption, self)
            label.setBuddy(combo)
            row, column = divmod(i, 2)
            line.addWidget(label, row, 3 * column)
            line.addWidget(combo, row, 3 * column + 1)
            self.combos[role] = combo
        line.setColumnMinimumWidth(2, 18)
        line.setColumnStretch(5, 1)

        self.datesLabel = QLabel("Dates:", self)
        self.datesLabel.setToolTip("Date and time columns give features by their parts (year, month, day of "
                                   "week, hour, …); an ignored date column is not used.")
        self._dates_line = QHBoxLayout()
        self._dates_line.setContentsMargins(0, 0, 0, 0)
        self._dates_line.setSpacing(6)
        self._dates_line.addWidget(self.datesLabel)
        self._dates_line.addStretch(1)
        self.datesRow = QWidget(self)
        self.datesRow.setLayout(self._dates_line)
        # many date columns must not widen the window: the row clips instead (each button elides its name)
        self.datesRow.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.datesRow.hide()

        self.problemLabel = QLabel(self)
        self.problemLabel.setObjectName("rolesProblem")
        self.problemLabel.setWordWrap(True)
        self.problemLabel.setStyleSheet(f"color: {ERROR_COLOR};")
        self.problemLabel.setAccessibleName("Problems with the column roles")
        self.problemLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problemLabel.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(line)
        layout.addWidget(self.datesRow)
        layout.addWidget(self.problemLabel)
        self._fill()

    # ------------------------------------------------------------------ reading

    def role(self, role: str) -> str | None:
        value = self.combos[role].currentData()
        return value if isinstance(value, str) and value else None

    def weight(self) -> str | None:
        return self.role("weight")

    def group(self) -> str | None:
        return self.role("group")

    def order(self) -> str | None:
        return self.role("order")

    def dates(self) -> dict[str, tuple[str, ...]]:
        """Each date column given parts, in file order; an ignored column is left out."""
        return {c: parts for c, parts in self._dates.items() if parts}

    def date_columns(self) -> list[str]:
        if self._dataset is None:
            return []
        return [n for n, p in self._dataset.profiles.items() if p.kind == "datetime" and n != self._target]

    # ------------------------------------------------------------------ writing

    def set_dataset(self, dataset, target: str | None) -> None:
        """A new file: every role back to none, every date column ignored."""
        self._dataset, self._target = dataset, target
        self._dates = {}
        self._fill()

    def set_target(self, target: str | None) -> None:
        """The target changed: it is offered for no other part (a role it held is cleared)."""
        if target == self._target:
            return
        self._target = target
        before = (self.weight(), self.group(), self.order(), self.dates())
        self._dates.pop(target, None)
        self._fill(keep=True)
        if (self.weight(), self.group(), self.order(), self.dates()) != before:
            self._emit()

    def set_roles(self, weight: str | None, group: str | None, order: str | None,
                  dates: Mapping[str, Iterable[str]] | None) -> list[str]:
        """Apply a saved choice (a setup file); emits nothing. Returns a note per name the file lacks."""
        notes = []
        columns = set(self._dataset.profiles) if self._dataset is not None else set()
        name = self._dataset.path.name if self._dataset is not None else "the file"
        wanted = {"weight": weight, "group": group, "order": order}
        self._dates = {}
        for column, parts in (dates or {}).items():
            if column in columns:
                self._dates[column] = tuple(parts)
            else:
                notes.append(f"The saved date column {column!r} is not a column of {name}; it was left out.")
        self._fill()
        for role, value in wanted.items():
            if value is None:
                continue
            combo = self.combos[role]
            index = combo.findData(value)
            if index < 0 and value in columns:  # saved with a kind the picker does not offer: show it anyway
                combo.addItem(value, value)
                index = combo.count() - 1
            if index < 0:
                notes.append(f"The saved {_ROLE_TEXT[role][1].lower()} {value!r} is not a column of {name}; "
                             "choose it again.")
                continue
            combo.setCurrentIndex(index)
        return notes

    def set_date_parts(self, column: str, parts: Iterable[str]) -> None:
        """Give ``column`` these parts (none: ignored), as the user's menu does."""
        self._dates[column] = tuple(p for p in DATE_PARTS if p in set(parts))
        self._update_date_button(column)
        self._emit()

    def set_problems(self, problems: Iterable[Problem]) -> None:
        """Mark each picker whose field has a problem, and list the problems under the pickers."""
        per_field: dict[str, list[str]] = {}
        for problem in problems:
            per_field.setdefault(problem.field, []).append(problem.message)
        lines = []
        for role, combo in self.combos.items():
            messages = per_field.get(ROLE_FIELDS[role], [])
            mark_invalid(combo, bool(messages))
            base = combo.property("baseTip")
            combo.setToolTip("\n\n".join([base, *messages]) if messages else base)
            lines += messages
        lines += per_field.get("data.dates", [])
        self.problemLabel.setText("\n".join(dict.fromkeys(lines)))
        self.problemLabel.setVisible(bool(lines))

    # ------------------------------------------------------------------ showing

    def _fill(self, keep: bool = False) -> None:
        dataset, target = self._dataset, self._target
        self._filling = True
        try:
            for role, combo in self.combos.items():
                current = self.role(role) if keep else None
                combo.clear()
                combo.addItem(NONE_TEXT, None)
                if dataset is not None:
                    kinds = _kinds_for(role)
                    for name, profile in dataset.profiles.items():
                        if name == target or (kinds is not None and profile.kind not in kinds):
                            continue
                        combo.addItem(name, name)
                        combo.setItemData(combo.count() - 1, f"{name} ({profile.kind}, {profile.distinct:,} "
                                          "distinct)", Qt.ItemDataRole.ToolTipRole)
                combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
                combo.setEnabled(dataset is not None)
        finally:
            self._filling = False
        self._fill_dates()

    def _fill_dates(self) -> None:
        for button in self.dateButtons.values():
            self._dates_line.removeWidget(button)
            button.deleteLater()
        self.dateButtons = {}
        columns = self.date_columns()
        for i, column in enumerate(columns):
            button = QToolButton(self.datesRow)
            button.setObjectName(f"datePartsButton:{column}")
            button.setAccessibleName(f"Parts of the date column {column}")
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            menu = QMenu(button)
            menu.setToolTipsVisible(True)
            for part, doc in DATE_PARTS.items():
                action = menu.addAction(part.replace("_", " "))
                action.setCheckable(True)
                action.setData(part)
                action.setToolTip(doc)
                action.toggled.connect(lambda _=False, c=column: self._on_part_toggled(c))
            menu.addSeparator()
            ignore = menu.addAction(f"Ignore {column}")
            ignore.setData("")
            ignore.triggered.connect(lambda _=False, c=column: self.set_date_parts(c, ()))
            button.setMenu(menu)
            self._dates_line.insertWidget(1 + i, button)
            self.dateButtons[column] = button
            self._update_date_button(column)
        self.datesRow.setVisible(bool(columns))

    def _update_date_button(self, column: str) -> None:
        button = self.dateButtons.get(column)
        if button is None:
            return
        parts = self._dates.get(column, ())
        menu = button.menu()
        for action in menu.actions():
            if action.isCheckable():
                action.blockSignals(True)
                action.setChecked(action.data() in parts)
                action.blockSignals(False)
        shown = ", ".join(p.replace("_", " ") for p in parts) if parts else IGNORED_TEXT
        metrics = button.fontMetrics()
        name = metrics.elidedText(column, Qt.TextElideMode.ElideMiddle, metrics.horizontalAdvance("0") * _NAME_CHARS)
        button.setText(f"{name}: {shown}")
        button.setToolTip(f"{column}: {'gives ' + shown + ' as features' if parts else 'not used'}. "
                          "Click to choose its parts.")

    def _on_part_toggled(self, column: str) -> None:
        menu = self.dateButtons[column].menu()
        self.set_date_parts(column, [a.data() for a in menu.actions() if a.isCheckable() and a.isChecked()])

    def _emit(self, *_) -> None:
        if not self._filling:
            self.changed.emit()
