"""The Data tab's "Dates as features": which parts of each date column the models see.

A date column is left out of the features by default (as categories, dates teach a model little);
here its parts (year, month, day of week, hour, ...) can be ticked instead, which the setup keeps as
``data.dates``. The box shows only when the file has date columns.
"""

from __future__ import annotations

from html import escape
from typing import Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QLabel, QWidget

from ..core.roles import DATE_PARTS

# The parts offered as boxes, in this order; the others stay reachable through a setup file.
SHOWN_PARTS = ("year", "month", "day", "day_of_week", "hour", "days")
_WORDS = {"year": "year", "month": "month", "day": "day", "day_of_week": "weekday", "hour": "hour",
          "days": "days since 1970"}


class DatePartsBox(QGroupBox):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Dates as features", parent)
        self.setObjectName("datePartsBox")
        self.setToolTip("Date columns are left out as they are; tick the parts of a date a model may learn "
                        "from (a trend over the years, seasons, weekly or daily rhythms).")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(6, 4, 6, 4)
        self._grid.setHorizontalSpacing(8)
        self._boxes: dict[str, dict[str, QCheckBox]] = {}
        self.hide()

    def set_columns(self, columns: list[str]) -> None:
        """The file's date columns (nothing ticked); the box hides when there are none."""
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._boxes = {}
        row = 0
        for column in columns:
            name = QLabel(f"<b>{escape(column)}</b>")
            name.setToolTip(column)
            self._grid.addWidget(name, row, 0, 1, 3)
            boxes = {}
            # Three to a row: narrow enough for the Data tab at its smallest.
            for i, part in enumerate(SHOWN_PARTS):
                box = QCheckBox(_WORDS[part])
                box.setObjectName(f"date:{column}:{part}")
                box.setToolTip(f"{column}: {DATE_PARTS[part]}")
                box.toggled.connect(self.changed)
                self._grid.addWidget(box, row + 1 + i // 3, i % 3)
                boxes[part] = box
            self._boxes[column] = boxes
            row += 1 + (len(SHOWN_PARTS) + 2) // 3
        self.setVisible(bool(columns))

    def dates(self) -> dict[str, tuple[str, ...]]:
        """Each date column with ticked parts -> its parts, in DATE_PARTS order."""
        out = {}
        for column, boxes in self._boxes.items():
            parts = tuple(p for p in DATE_PARTS if p in boxes and boxes[p].isChecked())
            if parts:
                out[column] = parts
        return out

    def set_dates(self, dates: Mapping[str, tuple[str, ...]] | None) -> None:
        """Tick a setup's parts (columns the file lacks are ignored; the setup check names them)."""
        wanted = dict(dates or {})
        for column, boxes in self._boxes.items():
            for part, box in boxes.items():
                box.blockSignals(True)
                box.setChecked(part in wanted.get(column, ()))
                box.blockSignals(False)
        self.changed.emit()

    def tick(self, column: str, part: str, on: bool = True) -> None:
        self._boxes[column][part].setChecked(on)
