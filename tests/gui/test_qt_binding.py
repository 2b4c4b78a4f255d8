"""The Qt binding must not corrupt reference counts on the calls every live chart makes.

PySide6 6.12.0 drops one reference to None on each QGraphicsItem.update() and
prepareGeometryChange(); pyqtgraph calls them on every redraw, so a long search
ended in "Fatal Python error: none_dealloc". pyproject.toml excludes that
release; this test catches a binding with the same fault.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsObject, QGraphicsScene


class _Item(QGraphicsObject):
    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, 1, 1)

    def paint(self, painter, option, widget=None) -> None:
        pass


def test_graphics_item_calls_keep_none_alive(qapp):
    scene = QGraphicsScene()
    item = _Item()
    scene.addItem(item)
    for call in (item.update, item.prepareGeometryChange):
        before = sys.getrefcount(None)
        for _ in range(1000):
            call()
        # Other threads may hold or drop a few references meanwhile; a leak shows as about -1000.
        assert sys.getrefcount(None) - before > -100, call.__name__
    scene.clear()
