"""The spreadsheet row of the data panel: which sheet to read, and which row holds the column names.

Shown only while the open file is a workbook. A change is reported through ``changed`` with the
sheet and the 1-based header row (None: detected); the data panel reads the file again with them on
its background task, so a large workbook never freezes the window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QWidget

from .form_widgets import ComboBox, IntSpinBox

AUTO_TEXT = "detect"


class SheetBar(QWidget):
    changed = Signal(object, object)  # sheet name, header row (1-based) or None to detect

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sheetBar")
        self.sheetCombo = ComboBox(self)
        self.sheetCombo.setObjectName("sheetCombo")
        self.sheetCombo.setAccessibleName("Sheet")
        self.sheetCombo.setToolTip("The sheet of the workbook to read. Changing it reads the file again.")
        # A sheet named like a paragraph must not widen the window: the combo elides, its popup shows all.
        self.sheetCombo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.sheetCombo.setMinimumContentsLength(10)
        self.sheetCombo.activated.connect(self._emit)
        sheet_label = QLabel("S&heet:", self)
        sheet_label.setBuddy(self.sheetCombo)

        # 0 shows "detect": the first row as wide as the table whose cells are all text.
        # IntSpinBox has no keyboard tracking: typing 12 does not read the file at row 1 first.
        self.headerSpin = IntSpinBox(self, 0, 1_048_576, sample="100000")
        self.headerSpin.setObjectName("headerRowSpin")
        self.headerSpin.setSpecialValueText(AUTO_TEXT)
        self.headerSpin.setAccessibleName("Header row")
        self.headerSpin.setToolTip("The sheet row (1 for the first) that holds the column names. "
                                   f"“{AUTO_TEXT}” skips title and note rows above the table: it takes the first "
                                   "row as wide as the table whose cells are all text.")
        self.headerSpin.valueChanged.connect(self._emit)
        header_label = QLabel("Header &row:", self)
        header_label.setBuddy(self.headerSpin)

        self.detectedLabel = QLabel(self)
        self.detectedLabel.setObjectName("headerDetected")
        self.detectedLabel.setAccessibleName("Header row read")
        self.detectedLabel.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # clips, never widens

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(sheet_label)
        layout.addWidget(self.sheetCombo)
        layout.addSpacing(12)
        layout.addWidget(header_label)
        layout.addWidget(self.headerSpin)
        layout.addWidget(self.detectedLabel, 1)
        self._filling = False
        self.hide()

    def show_dataset(self, dataset, header_row: int | None) -> None:
        """Show the sheets of ``dataset`` (a workbook) with the one read selected; hide for other files."""
        sheets = tuple(getattr(dataset, "sheets", ()) or ()) if dataset is not None else ()
        if dataset is None or getattr(dataset, "format", "") != "spreadsheet" or not sheets:
            self.hide()
            return
        options = dataset.read_options
        self._filling = True
        try:
            self.sheetCombo.clear()
            for name in sheets:
                self.sheetCombo.addItem(name, name)
                self.sheetCombo.setItemData(self.sheetCombo.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
            self.sheetCombo.setCurrentIndex(max(0, self.sheetCombo.findData(options.get("sheet_name"))))
            self.headerSpin.setValue(header_row or 0)
        finally:
            self._filling = False
        read_at = int(options.get("header", 0)) + 1
        self.detectedLabel.setText(f"(found: row {read_at})" if header_row is None else "")
        self.show()

    def sheet(self) -> str | None:
        return None if self.isHidden() else self.sheetCombo.currentData()

    def header_row(self) -> int | None:
        return self.headerSpin.value() or None

    def _emit(self, *_) -> None:
        if not self._filling:
            self.changed.emit(self.sheetCombo.currentData(), self.header_row())
