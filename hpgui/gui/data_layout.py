"""How the data panel is laid out: the file header, target and task, the column list and the preview.

A mixin of :class:`~hpgui.gui.data_panel.DataPanel`, kept apart so the panel's module holds its
behaviour (loading, choosing, messages) and this one its widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QProgressBar,
                               QSizePolicy, QSplitter, QTableView, QToolButton, QVBoxLayout, QWidget)


from .data_models import ColumnListModel, DataFrameModel, _TASK_TIPS

from hpgui.core.dataset import TASKS

if TYPE_CHECKING:
    import pandas as pd
else:  # imported with the first file, not before the window opens
    from hpgui.core.lazy import lazy_module

    pd = lazy_module("pandas")


class DataPanelLayout:
    """Builds the panel's widgets (see DataPanel)."""

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        self.fileLabel = QLabel("No file open")
        self.fileLabel.setObjectName("fileLabel")
        font = self.fileLabel.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.fileLabel.setFont(font)
        self.fileLabel.setAccessibleName("File name")
        self.fileLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.infoLabel = QLabel("Open a CSV file to choose the target and the features.")
        self.infoLabel.setObjectName("fileInfo")
        self.infoLabel.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.infoLabel.setAccessibleName("File size and shape")

        self.loadingLabel = QLabel()
        self.loadingLabel.setObjectName("loadingLabel")
        self.loadingLabel.setAccessibleName("Loading status")
        self.progress = QProgressBar()
        self.progress.setObjectName("loadingProgress")
        self.progress.setRange(0, 0)  # indeterminate: read_table reports no progress
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(140)
        self.progress.setMaximumHeight(14)
        self.progress.setAccessibleName("Reading the file")
        self.progress.setToolTip("The file is being read in the background; the window stays usable.")

        header = QHBoxLayout()
        header.setSpacing(10)
        header.addWidget(self.fileLabel)
        header.addWidget(self.infoLabel, 1)
        header.addWidget(self.loadingLabel)
        header.addWidget(self.progress)

        self.targetCombo = QComboBox()
        self.targetCombo.setObjectName("targetCombo")
        self.targetCombo.setAccessibleName("Target column")
        self.targetCombo.setToolTip("The column the models learn to predict. "
                                    "Choose “(none)” to find clusters instead.")
        self.targetCombo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.targetCombo.setMinimumContentsLength(11)
        self.targetCombo.activated.connect(self._on_target_activated)
        target_label = QLabel("&Target:")
        target_label.setBuddy(self.targetCombo)

        self.taskCombo = QComboBox()
        self.taskCombo.setObjectName("taskCombo")
        self.taskCombo.setAccessibleName("Task")
        self.taskCombo.setToolTip("What the models do. Inferred from the target column unless you choose one.")
        for i, task in enumerate(TASKS):
            self.taskCombo.addItem(task, task)
            self.taskCombo.setItemData(i, _TASK_TIPS[task], Qt.ItemDataRole.ToolTipRole)
        self.taskCombo.activated.connect(self._on_task_activated)
        task_label = QLabel("T&ask:")
        task_label.setBuddy(self.taskCombo)

        self.inferredLabel = QLabel("(inferred)")
        self.inferredLabel.setObjectName("taskInferred")
        self.inferredLabel.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.inferredLabel.setAccessibleName("Task is inferred")
        self.inferredLabel.setToolTip("Chosen from the target's values; pick a task to override it.")
        self.resetTaskButton = QToolButton()
        self.resetTaskButton.setObjectName("resetTask")
        self.resetTaskButton.setText("Use inferred")
        self.resetTaskButton.setAccessibleName("Use the inferred task")
        self.resetTaskButton.clicked.connect(self._on_reset_task)

        choice = QHBoxLayout()
        choice.setSpacing(6)
        choice.addWidget(target_label)
        choice.addWidget(self.targetCombo)
        choice.addSpacing(18)
        choice.addWidget(task_label)
        choice.addWidget(self.taskCombo)
        choice.addWidget(self.inferredLabel)
        choice.addWidget(self.resetTaskButton)
        choice.addStretch(1)

        self.dataMessage = QLabel()
        self.dataMessage.setObjectName("dataMessage")
        self.dataMessage.setWordWrap(True)
        self.dataMessage.setAccessibleName("Data messages")
        self.dataMessage.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dataMessage.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.dataMessage.setStyleSheet(
            "QLabel#dataMessage { border-radius: 3px; padding: 4px 8px; }"
            "QLabel#dataMessage[severity=\"warning\"] { background: rgba(240, 180, 0, 38);"
            " border: 1px solid rgba(190, 140, 0, 110); }"
            "QLabel#dataMessage[severity=\"error\"] { background: rgba(220, 40, 40, 30);"
            " border: 1px solid rgba(200, 40, 40, 130); }")

        # left: the columns and their tick boxes
        self.featureCountLabel = QLabel()
        self.featureCountLabel.setObjectName("featureCount")
        self.featureCountLabel.setAccessibleName("Number of features")
        self.allButton = self._tool_button("All", "allFeatures", "Tick every column",
                                           "Use every column except the target as a feature.")
        self.noneButton = self._tool_button("None", "noFeatures", "Untick every column", "Use no column yet.")
        self.defaultsButton = self._tool_button(
            "Defaults", "defaultFeatures", "Tick the default columns",
            "Use the numeric and categorical columns; leave out text, id, date and constant columns.")
        self.allButton.clicked.connect(lambda: self._set_features_by_user("all"))
        self.noneButton.clicked.connect(lambda: self._set_features_by_user("none"))
        self.defaultsButton.clicked.connect(lambda: self._set_features_by_user("defaults"))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(2)
        buttons.addWidget(self.featureCountLabel)
        buttons.addStretch(1)
        buttons.addWidget(self.allButton)
        buttons.addWidget(self.noneButton)
        buttons.addWidget(self.defaultsButton)

        self.columnModel = ColumnListModel(self)
        self.columnModel.checkedChanged.connect(self._on_features_ticked)
        self.columnList = QTableView()
        self.columnList.setObjectName("columnList")
        self.columnList.setModel(self.columnModel)
        self.columnList.setAccessibleName("Columns")
        self.columnList.setToolTip("One row per column of the file. Tick the columns to use as features.")
        self.columnList.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.columnList.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.columnList.setAlternatingRowColors(True)
        self.columnList.setWordWrap(False)
        self.columnList.setShowGrid(False)
        self.columnList.verticalHeader().hide()
        self.columnList.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.columnList.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        head = self.columnList.horizontalHeader()
        head.setHighlightSections(False)
        head.setMinimumSectionSize(36)
        for col in range(len(ColumnListModel.HEADERS)):
            mode = QHeaderView.ResizeMode.Stretch if col == ColumnListModel.NAME \
                else QHeaderView.ResizeMode.ResizeToContents
            head.setSectionResizeMode(col, mode)

        left = QWidget()
        left.setObjectName("columnsPane")
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(4)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.columnList)

        # right: the rows
        self.previewModel = DataFrameModel(parent=self)
        self.previewTable = QTableView()
        self.previewTable.setObjectName("previewTable")
        self.previewTable.setModel(self.previewModel)
        self.previewTable.setAccessibleName("Data preview")
        self.previewTable.setToolTip("Every row of the file, as read. Hatched cells are missing.")
        self.previewTable.setWordWrap(False)
        self.previewTable.setAlternatingRowColors(True)
        self.previewTable.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vhead = self.previewTable.verticalHeader()
        vhead.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # a million rows: never measure them
        vhead.setDefaultSectionSize(self.fontMetrics().height() + 6)
        vhead.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        phead = self.previewTable.horizontalHeader()
        # Size columns from the visible rows and 50 more, not the whole file: every row considered costs
        # a Python data() call per role and column, and 200 rows took a third of a second when a file opens.
        phead.setResizeContentsPrecision(50)
        phead.setHighlightSections(False)
        phead.setStretchLastSection(True)
        rows_label = QLabel("Preview")
        rows_label.setObjectName("previewCaption")
        self.previewCaption = rows_label
        right = QWidget()
        right.setObjectName("previewPane")
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(4)
        right_layout.addWidget(rows_label)
        right_layout.addWidget(self.previewTable)
        rows_label.setMinimumHeight(self.allButton.sizeHint().height())

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.splitterMoved.connect(lambda *_: self.splitter.setProperty("userSized", True))
        self.splitter.setObjectName("dataSplitter")
        self.splitter.setAccessibleName("Columns and preview")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([360, 640])

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addLayout(header)
        layout.addLayout(choice)
        layout.addWidget(self.dataMessage)
        layout.addWidget(self.splitter, 1)

        for first, second in ((self.targetCombo, self.taskCombo), (self.taskCombo, self.resetTaskButton),
                              (self.resetTaskButton, self.allButton), (self.allButton, self.noneButton),
                              (self.noneButton, self.defaultsButton), (self.defaultsButton, self.columnList),
                              (self.columnList, self.previewTable)):
            QWidget.setTabOrder(first, second)
        self._controls = (self.targetCombo, self.taskCombo, self.resetTaskButton, self.allButton,
                          self.noneButton, self.defaultsButton, self.splitter)

    def _tool_button(self, text: str, name: str, accessible: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        return button
