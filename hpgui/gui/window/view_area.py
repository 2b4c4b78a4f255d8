"""The charts' room: every view listed by group at the side, one click each, the chosen one beside it.

Eleven tabs in a row overflowed into scroll arrows at 1600 px with the sixth label cut off; a list
keeps every view's name readable and one click away, however many views are added. The area
answers the few QTabWidget calls the window and its tests make (current widget and index, count,
titles, ``currentChanged``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QSizePolicy, QStackedWidget, QWidget

from ..bounded import bounded

_VIEW_ROLE = Qt.ItemDataRole.UserRole + 1  # the stack index of a view's row; headers have none


class ViewArea(QWidget):
    currentChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("chartTabs")
        self.picker = QListWidget()
        self.picker.setObjectName("viewPicker")
        self.picker.setAccessibleName("Views")
        self.picker.setToolTip("The charts that explain the search: pick one to show it.")
        self.picker.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.picker.setFrameShape(QListWidget.Shape.NoFrame)
        self.picker.setStyleSheet("QListWidget#viewPicker { background: palette(window); }"
                                  "QListWidget#viewPicker::item { padding: 2px 4px; }")
        self.stack = QStackedWidget()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.picker)
        # The stack's minimum is its widest view's; bounded, picking a view never widens the window.
        layout.addWidget(bounded(self.stack, 320, "viewRoom"), 1)
        self._titles: list[str] = []
        self._groups: list[str] = []
        self.picker.currentItemChanged.connect(self._picked)

    def add_view(self, widget: QWidget, title: str, group: str) -> int:
        index = self.stack.addWidget(widget)
        self._size_for_current()
        self._titles.append(title)
        if group not in self._groups:
            self._groups.append(group)
            header = QListWidgetItem(group)
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            font = QFont(self.picker.font())
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 0.92)
            header.setFont(font)
            self._insert(header, group, header=True)
        item = QListWidgetItem(title)
        item.setData(_VIEW_ROLE, index)
        item.setToolTip(widget.toolTip() or title)
        self._insert(item, group)
        self._fit_width()
        if index == 0:
            self.picker.setCurrentItem(item)
        return index

    def _insert(self, item: QListWidgetItem, group: str, header: bool = False) -> None:
        if header:
            self.picker.addItem(item)
            return
        # After the last row of its group: views added later still sit under their heading.
        row, seen = self.picker.count(), False
        for i in range(self.picker.count()):
            other = self.picker.item(i)
            if other.data(_VIEW_ROLE) is None:
                if seen:
                    row = i
                    break
                seen = other.text() == group
        self.picker.insertItem(row, item)

    def _fit_width(self) -> None:
        metrics = self.picker.fontMetrics()
        widest = max((metrics.horizontalAdvance(self.picker.item(i).text()) for i in range(self.picker.count())),
                     default=80)
        self.picker.setFixedWidth(widest + 16)

    def _size_for_current(self) -> None:
        """A stack is as wide as its widest page; hidden views ignore their size, so the room fits the shown one."""
        current = self.stack.currentWidget()
        for i in range(self.stack.count()):
            page = self.stack.widget(i)
            policy = QSizePolicy.Policy.Preferred if page is current else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self.stack.updateGeometry()

    def set_shown(self, index: int, shown: bool) -> None:
        """List a view or leave it out of the list (a view that does not apply to the study on screen).

        A hidden view that was in front gives way to the first view listed."""
        item = self._item(index)
        if item is None or item.isHidden() == (not shown):
            return
        item.setHidden(not shown)
        if not shown and self.currentIndex() == index:
            first = next((i for i in range(self.count()) if self.is_shown(i)), None)
            if first is not None:
                self.setCurrentIndex(first)

    def is_shown(self, index: int) -> bool:
        item = self._item(index)
        return item is not None and not item.isHidden()

    def _item(self, index: int) -> QListWidgetItem | None:
        for i in range(self.picker.count()):
            item = self.picker.item(i)
            if item.data(_VIEW_ROLE) == index:
                return item
        return None

    def _picked(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is None or item.data(_VIEW_ROLE) is None:
            return
        index = int(item.data(_VIEW_ROLE))
        if index != self.stack.currentIndex():
            self.stack.setCurrentIndex(index)
            self._size_for_current()
            self.currentChanged.emit(index)

    # -- what QTabWidget offers and the window uses ---------------------------------------------------
    def count(self) -> int:
        return self.stack.count()

    def widget(self, index: int) -> QWidget:
        return self.stack.widget(index)

    def indexOf(self, widget: QWidget) -> int:  # noqa: N802 (Qt name)
        return self.stack.indexOf(widget)

    def currentIndex(self) -> int:  # noqa: N802
        return self.stack.currentIndex()

    def currentWidget(self) -> QWidget:  # noqa: N802
        return self.stack.currentWidget()

    def setCurrentIndex(self, index: int) -> None:  # noqa: N802
        item = self._item(index)
        if item is not None:
            self.picker.setCurrentItem(item)

    def setCurrentWidget(self, widget: QWidget) -> None:  # noqa: N802
        self.setCurrentIndex(self.stack.indexOf(widget))

    def tabText(self, index: int) -> str:  # noqa: N802
        return self._titles[index]

    def group_of(self, index: int) -> str:
        item = self._item(index)
        for i in range(self.picker.row(item), -1, -1):
            if self.picker.item(i).data(_VIEW_ROLE) is None:
                return self.picker.item(i).text()
        return ""

    def current_title(self) -> str:
        index = self.currentIndex()
        return self._titles[index] if index >= 0 else ""

    def show_view(self, title: str) -> bool:
        if title in self._titles:
            self.setCurrentIndex(self._titles.index(title))
            return True
        return False
