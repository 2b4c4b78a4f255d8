"""What every analysis view shares: trial filters, top K, hover, click-to-select and export.

An analysis view is a tab beside the history chart. The main window calls
``set_context`` when a search starts (or a stored study opens) and
``refresh(store)`` on its redraw timer while the tab is visible; the view
redraws only when the store or its own options changed. Subclasses implement
``_draw`` (from the filtered records), ``export_item`` and ``plotted`` (exactly
what is drawn, for tests).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (QCheckBox, QFileDialog, QHBoxLayout, QLabel, QMenu, QSpinBox, QStyle, QToolButton,
                               QVBoxLayout, QWidget)

from ...core.metrics import Metric
from ...core.records import TrialRecord
from ...core.space import Hyperparameter
from ...core.trials import STATE_CODES, TrialStore
# trial_tooltip and finite_score live in charts (the history chart uses them too) and are
# re-exported here for the views.
from ..plotting import chart_colours, export_item, finite_score, trial_tooltip

__all__ = ["AnalysisView", "HoverPicker", "score_colours", "trial_tooltip", "finite_score"]


def score_colours(values: np.ndarray, colormap: str = "viridis", alpha: int = 220) -> list[QBrush]:
    """One brush per value, along a perceptual colour map from its minimum to its maximum."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return []
    cmap = pg.colormap.get(colormap)
    low, high = np.nanmin(values), np.nanmax(values)
    scaled = np.zeros(len(values)) if not (high > low) else (values - low) / (high - low)
    colours = cmap.map(np.nan_to_num(scaled, nan=0.0), mode="byte")
    colours[:, 3] = alpha
    return [QBrush(QColor(int(r), int(g), int(b), int(a))) for r, g, b, a in colours]


class HoverPicker:
    """Finds the trial under the mouse in one plot and reports hovers and clicks.

    Points are given in the plot's view coordinates (log10 of the data on a log axis);
    the nearest point within ``radius_px`` pixels wins.
    """

    def __init__(self, plot: pg.PlotItem, on_hover: Callable[[int | None], str],
                 on_click: Callable[[int], None], radius_px: float = 7):
        self.plot = plot
        self.radius_px = radius_px
        self._on_hover = on_hover
        self._on_click = on_click
        self._x = self._y = np.empty(0)
        self._numbers = np.empty(0, dtype=np.int64)
        scene = plot.scene()
        if scene is not None:
            self.attach(scene)

    def attach(self, scene) -> None:
        scene.sigMouseMoved.connect(self._moved)
        scene.sigMouseClicked.connect(self._clicked)

    def detach(self) -> None:
        """Stop listening to the scene (before the plot is removed from it)."""
        scene = self.plot.scene()
        if scene is not None:
            for signal, slot in ((scene.sigMouseMoved, self._moved), (scene.sigMouseClicked, self._clicked)):
                try:
                    signal.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass

    def set_points(self, x: np.ndarray, y: np.ndarray, numbers: np.ndarray) -> None:
        self._x = np.asarray(x, dtype=float)
        self._y = np.asarray(y, dtype=float)
        self._numbers = np.asarray(numbers, dtype=np.int64)

    def trial_at(self, scene_pos: QPointF) -> int | None:
        viewbox = self.plot.getViewBox()
        if len(self._x) == 0 or not viewbox.sceneBoundingRect().contains(scene_pos):
            return None
        point = viewbox.mapSceneToView(scene_pos)
        px, py = viewbox.viewPixelSize()
        if not (px > 0 and py > 0):
            return None
        d2 = ((self._x - point.x()) / px) ** 2 + ((self._y - point.y()) / py) ** 2
        d2 = np.where(np.isfinite(d2), d2, np.inf)
        i = int(np.argmin(d2))
        return int(self._numbers[i]) if d2[i] <= self.radius_px ** 2 else None

    def _moved(self, scene_pos: QPointF) -> None:
        viewbox = self.plot.getViewBox()
        if not viewbox.sceneBoundingRect().contains(scene_pos):
            return
        tip = self._on_hover(self.trial_at(scene_pos)) or ""
        if viewbox.toolTip() != tip:
            viewbox.setToolTip(tip)

    def _clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        number = self.trial_at(event.scenePos())
        if number is not None:
            self._on_click(number)


class AnalysisView(QWidget):
    """A tab of analysis: filters and export in a toolbar, a chart below, kept in step with the store."""

    trialClicked = Signal(int)  # a trial was clicked; the window selects it everywhere

    TITLE = "View"
    GROUP = "More"  # the heading the view is listed under in the window's view picker
    HAS_STATE_FILTER = True  # failed/pruned switches (views that plot only scores hide them)
    HAS_TOP_K = True

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(type(self).__name__)
        self.space: dict[str, Hyperparameter] = {}
        # Not ``self.metric``: that would shadow QWidget.metric(), which Qt calls to paint the widget.
        self.score_metric: Metric | None = None
        self._store: TrialStore | None = None
        self._version: int | None = None
        self._dirty = True
        self._selected: int | None = None

        self.toolbar = QHBoxLayout()
        self.toolbar.setContentsMargins(4, 0, 4, 0)
        self.failed_box = QCheckBox("Failed", self)
        self.failed_box.setObjectName("failedBox")
        self.failed_box.setToolTip("Show failed trials (they have no score)")
        self.pruned_box = QCheckBox("Pruned", self)
        self.pruned_box.setObjectName("prunedBox")
        self.pruned_box.setToolTip("Show pruned trials (stopped early; their score is partial or missing)")
        for box in (self.failed_box, self.pruned_box):
            box.setChecked(True)
            box.toggled.connect(self.invalidate)
            box.setVisible(self.HAS_STATE_FILTER)
            self.toolbar.addWidget(box)
        self.top_k_label = QLabel("&Top", self)
        self.top_k = QSpinBox(self)
        self.top_k.setObjectName("topK")
        self.top_k.setRange(0, 1_000_000)
        self.top_k.setSpecialValueText("all")
        self.top_k.setSuffix(" trials")
        # Sized for four digits rather than the range's seven: the toolbar sets the narrowest the window goes.
        self.top_k.setMaximumWidth(self.top_k.fontMetrics().horizontalAdvance("999 trials") + 40)
        self.top_k.setAccessibleName("Show only the best trials")
        self.top_k.setToolTip("Show only the K best completed trials (all: every trial)")
        self.top_k_label.setBuddy(self.top_k)
        self.top_k.valueChanged.connect(self.invalidate)
        self.top_k_label.setVisible(self.HAS_TOP_K)
        self.top_k.setVisible(self.HAS_TOP_K)
        self.toolbar.addWidget(self.top_k_label)
        self.toolbar.addWidget(self.top_k)
        self.toolbar.addStretch(1)
        self.export_button = QToolButton(self)
        self.export_button.setObjectName("exportChart")
        self.export_button.setText("Export…")
        # An icon, not the word: every view's toolbar holds one, and the toolbar sets how narrow the window goes.
        self.export_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton))
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.export_button.setAccessibleName("Export this chart")
        self.export_button.setToolTip("Save this chart as PNG or SVG")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for label, suffix in (("PNG image…", "png"), ("SVG drawing…", "svg")):
            action = QAction(label, menu)
            action.triggered.connect(lambda _=False, s=suffix: self.export_dialog(s))
            menu.addAction(action)
        self.export_button.setMenu(menu)
        self.toolbar.addWidget(self.export_button)

        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self.toolbar)
        layout.addLayout(self.body, 1)
        self.empty_label = QLabel("No trials yet", self)
        self.empty_label.setObjectName("viewEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)

    # -- what the window calls -------------------------------------------------------------------
    def set_context(self, space: Mapping[str, Hyperparameter], metric: Metric) -> None:
        """The search's hyperparameters (in display order) and metric; clears what is drawn."""
        self.space = dict(space)
        self.score_metric = metric
        self._store = None
        self._version = None
        self._selected = None
        self._on_context()
        self.invalidate()

    def refresh(self, store: TrialStore) -> bool:
        """Redraw from ``store`` if it or the options changed since the last redraw."""
        if store is self._store and store.version == self._version and not self._dirty:
            return False
        self._store = store
        self._version = store.version
        self._dirty = False
        self._draw_visible(store)
        self._show_selection()
        return True

    def invalidate(self, *_: Any) -> None:
        """Options changed: redraw now if a store is known (the timer may be stopped)."""
        self._dirty = True
        if self._store is not None:
            self.refresh(self._store)

    def select_trial(self, number: int | None) -> None:
        self._selected = None if number is None else int(number)
        self._show_selection()

    @property
    def selected(self) -> int | None:
        return self._selected

    def visible_indices(self, store: TrialStore) -> np.ndarray:
        """Positions in ``store`` of the trials the filters let through (see ``visible_records``).

        Works on the store's cached column arrays, so 100,000 trials filter in milliseconds.
        """
        arrays = store.arrays()
        complete = (arrays.states == STATE_CODES["complete"]) & np.isfinite(arrays.values)
        k = self.top_k.value() if self.HAS_TOP_K else 0
        if k and int(complete.sum()) > k:
            index = np.flatnonzero(complete)
            values = arrays.values[index]
            order = np.argsort(-values if self.greater_is_better else values, kind="stable")[:k]
            return np.sort(index[order])  # "top K" shows only scored trials
        wanted = []
        if self.HAS_STATE_FILTER:
            if self.failed_box.isChecked():
                wanted.append(STATE_CODES["failed"])
            if self.pruned_box.isChecked():
                wanted.append(STATE_CODES["pruned"])
        if wanted:
            complete |= np.isin(arrays.states, wanted)
        return np.flatnonzero(complete)

    def visible_records(self, store: TrialStore) -> list[TrialRecord]:
        """The trials the filters let through: completed ones (the best K if set), then failed/pruned."""
        records = store.records
        return [records[i] for i in self.visible_indices(store)]

    @property
    def greater_is_better(self) -> bool:
        return True if self.score_metric is None else bool(self.score_metric.greater_is_better)

    @property
    def metric_label(self) -> str:
        return "Score" if self.score_metric is None else self.score_metric.label

    def record(self, number: int) -> TrialRecord | None:
        store = self._store
        index = store.index_of(number) if store is not None else None
        return None if index is None else store[index]

    def tooltip_for(self, number: int | None) -> str:
        record = self.record(number) if number is not None else None
        return "" if record is None else trial_tooltip(record, self.metric_label, self.tooltip_lines(record))

    def tooltip_lines(self, record: TrialRecord) -> list[str]:
        """What this view adds to a trial's tooltip, below its score (HTML lines)."""
        return []

    def export_dialog(self, suffix: str = "png") -> None:
        name = f"{self.TITLE.lower().replace(' ', '-')}.{suffix}"
        path, _ = QFileDialog.getSaveFileName(self, f"Export {self.TITLE}", name,
                                              "PNG image (*.png)" if suffix == "png" else "SVG drawing (*.svg)")
        if path:
            if not Path(path).suffix:
                path += f".{suffix}"
            self.export_image(path)

    def export_image(self, path: str) -> None:
        export_item(self.export_item(), path)

    def colours(self):
        """Plot colours that read on the current palette (see plotting.chart_colours)."""
        return chart_colours(self)

    # -- for subclasses --------------------------------------------------------------------------
    def _on_context(self) -> None:
        """The space or metric changed: rebuild plot items that depend on them."""

    def _draw_visible(self, store: TrialStore) -> None:
        """Draw what the filters let through. Views that plot from column arrays override this and use
        ``visible_indices``, sparing a list of 100,000 records at every redraw."""
        self._draw(store, self.visible_records(store))

    def _draw(self, store: TrialStore, records: list[TrialRecord]) -> None:
        raise NotImplementedError

    def _show_selection(self) -> None:
        """Mark ``self.selected`` in the chart (or unmark it)."""

    def export_item(self) -> Any:
        """The pyqtgraph item (PlotItem or GraphicsLayout) that export writes."""
        raise NotImplementedError

    def plotted(self) -> dict[str, Any]:
        """Exactly what is drawn, as arrays, for tests."""
        raise NotImplementedError
