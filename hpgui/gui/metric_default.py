"""The metric a search uses unless the user picks one, and why: a mixin of the SearchPanel.

The window computes it from the target (``core.metrics.default_metric``: balanced accuracy for a
strongly imbalanced target, as ``hpgui run`` does for a setup without a metric) and hands it here.
Until the user picks a metric (or opens a setup that names one), the picker follows that default;
the default's reason is in the picker's tooltip and in its item's.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from hpgui.core.metrics import METRICS


class MetricDefaultMixin:
    def _build_metric_default(self) -> None:
        self._metric_chosen = False
        self._default_metric: tuple[str, str] | None = None
        self.metric_combo.activated.connect(self._on_metric_picked)

    def set_default_metric(self, name: str, why: str) -> None:
        """The default metric for the current target, and why; selected unless the user picked one."""
        self._default_metric = (name, why)
        combo = self.metric_combo
        for i in range(combo.count()):
            metric = METRICS.get(combo.itemData(i))
            if metric is not None:
                note = f"\n\nThe default here. {why}" if metric.name == name else ""
                combo.setItemData(i, metric.doc + note, Qt.ItemDataRole.ToolTipRole)
        index = combo.findData(name)
        if not self._metric_chosen and index >= 0 and index != combo.currentIndex():
            combo.setCurrentIndex(index)  # emits changed through the panel: the setup's metric changed
        self._update_metric_hints()

    def forget_metric_pick(self) -> None:
        """A new file: the metric follows the default for its target again (until the user picks one)."""
        self._metric_chosen = False

    def default_metric(self) -> tuple[str, str] | None:
        return self._default_metric

    def _with_default_note(self, tip: str) -> str:
        default = getattr(self, "_default_metric", None)
        if default is None or self.metric_combo.currentData() != default[0]:
            return tip
        return f"{tip}\n\nThe default here. {default[1]}"

    def _on_metric_picked(self, *_) -> None:
        self._metric_chosen = True
