"""The Search tab's manual configurations: typed, edited, removed, and marked where they are wrong.

A mixin of :class:`~hpgui.gui.search_panel.SearchPanel`, which builds the widgets
(``SearchSections._build_manual``) and says when the setup changed (``_emit``).
"""

from __future__ import annotations

from typing import Any, Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QListWidgetItem

from .form_widgets import ERROR_COLOR
from .manual_config import format_config, parse_config


class ManualListMixin:
    """Manual configurations as a list of items, each holding its parsed values."""

    def manual_configs(self) -> list[dict]:
        return [dict(self.manual_list.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.manual_list.count())]

    # -- writing ---------------------------------------------------------------------------------
    def add_manual(self, config: Mapping[str, Any]) -> None:
        """Append a manual configuration (for example one copied from a trial)."""
        self._append_manual(dict(config))
        self._emit()

    def _append_manual(self, config: dict) -> QListWidgetItem:
        item = QListWidgetItem(format_config(config))
        item.setData(Qt.ItemDataRole.UserRole, config)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        filling, self._filling = self._filling, True
        try:
            self.manual_list.addItem(item)
        finally:
            self._filling = filling
        self._update_manual_buttons()
        return item

    def _show_manual_problems(self, manual: dict[int | None, list[str]]) -> None:
        lines = []
        for i in range(self.manual_list.count()):
            item = self.manual_list.item(i)
            messages = manual.get(i)
            if messages:
                item.setData(Qt.ItemDataRole.ForegroundRole, QBrush(QColor(ERROR_COLOR)))
                item.setToolTip("\n".join(messages))
                lines.append(f"#{i + 1}: " + "; ".join(messages))
            else:
                item.setData(Qt.ItemDataRole.ForegroundRole, None)
                item.setToolTip("")
        lines += manual.get(None, [])
        if lines:
            self.manual_error.setText("\n".join(lines))
            self.manual_error.show()
        else:
            self.manual_error.clear()
            self.manual_error.hide()

    def _add_typed_manual(self) -> None:
        text = self.manual_edit.text()
        if not text.strip():
            return
        try:
            config = parse_config(text, self._space)
        except ValueError as exc:
            self.manual_input_error.setText(str(exc))
            self.manual_input_error.show()
            return
        self.manual_input_error.hide()
        self.manual_edit.clear()
        self.add_manual(config)

    def _on_manual_item_changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        old = item.data(Qt.ItemDataRole.UserRole) or {}
        try:
            config = parse_config(item.text(), self._space)
        except ValueError as exc:
            self.manual_input_error.setText(f"Not changed: {exc}")
            self.manual_input_error.show()
            config = old
        else:
            self.manual_input_error.hide()
        self._filling = True
        try:
            item.setData(Qt.ItemDataRole.UserRole, config)
            item.setText(format_config(config))
        finally:
            self._filling = False
        if config != old:
            self._emit()

    def _edit_selected_manual(self) -> None:
        item = self.manual_list.currentItem()
        if item is not None:
            self.manual_list.editItem(item)

    def _remove_selected_manual(self) -> None:
        rows = sorted({self.manual_list.row(i) for i in self.manual_list.selectedItems()}, reverse=True)
        if not rows and self.manual_list.currentItem() is not None:
            rows = [self.manual_list.currentRow()]
        for row in rows:
            self.manual_list.takeItem(row)
        if rows:
            self._update_manual_buttons()
            self._emit()

    def _update_manual_buttons(self) -> None:
        selected = bool(self.manual_list.selectedItems())
        self.edit_manual_button.setEnabled(selected)
        self.remove_manual_button.setEnabled(selected)
        self.add_manual_button.setEnabled(bool(self.manual_edit.text().strip()))
        if not self.manual_edit.text().strip():
            self.manual_input_error.hide()
