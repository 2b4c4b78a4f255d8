"""The Search tab's rows for settings only some strategies have (core.strategies.StrategyOption).

One spin box per option key, made once; a row is shown only while the picked strategy has that
option, so a new strategy's setting (a population size, say) needs an entry in ``STRATEGIES`` and a
StrategySpec field of the same name, and nothing here.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from PySide6.QtWidgets import QFormLayout, QWidget

from ..core.setup import StrategySpec
from ..core.strategies import STRATEGIES, StrategyOption, strategy_options
from .form_widgets import IntSpinBox

__all__ = ["StrategyOptions"]

_SPEC_FIELDS = {f.name for f in dataclasses.fields(StrategySpec)}


class StrategyOptions:
    """The option spin boxes of every strategy, kept in one strategy form."""

    def __init__(self, parent: QWidget, add_row: Callable[..., QWidget], on_change: Callable[..., None]):
        self.spins: dict[str, IntSpinBox] = {}
        self.rows: dict[str, QWidget] = {}
        self._options: dict[str, StrategyOption] = {}
        for option in strategy_options():
            low = option.low - 1 if option.automatic else option.low  # one step below: "automatic"
            spin = IntSpinBox(parent, low, option.high, sample=str(option.high))
            spin.setObjectName(f"strategyOption_{option.key}")
            spin.setAccessibleName(option.label)
            spin.setToolTip(option.doc)
            if option.automatic:
                spin.setSpecialValueText(option.automatic)
            self._options[option.key] = option
            self.spins[option.key] = spin
            self._set(option.key, None)
            spin.valueChanged.connect(on_change)
            self.rows[option.key] = add_row(f"strategy.{option.key}", option.label, spin)

    def show_for(self, form: QFormLayout, strategy: str | None) -> None:
        """Show the rows of ``strategy``'s options only."""
        keys = {o.key for o in STRATEGIES[strategy].options} if strategy in STRATEGIES else set()
        for key, row in self.rows.items():
            form.setRowVisible(row, key in keys)

    def values(self, strategy: str | None) -> dict[str, Any]:
        """StrategySpec fields for the options: the picked strategy's values, None for the others' (so a
        setup holds only what its strategy reads)."""
        keys = {o.key for o in STRATEGIES[strategy].options} if strategy in STRATEGIES else set()
        return {key: (self._get(key) if key in keys else None) for key in self.spins if key in _SPEC_FIELDS}

    def apply(self, spec: StrategySpec) -> None:
        """Fill the spin boxes from a setup's strategy (an option it does not give returns to its default)."""
        for key in self.spins:
            value = getattr(spec, key, None)
            self._set(key, value if isinstance(value, int) and not isinstance(value, bool) else None)

    def _get(self, key: str) -> int | None:
        spin, option = self.spins[key], self._options[key]
        value = spin.value()
        return None if option.automatic and value == spin.minimum() else value

    def _set(self, key: str, value: int | None) -> None:
        spin, option = self.spins[key], self._options[key]
        if value is None:
            value = spin.minimum() if option.automatic else (option.default if option.default is not None
                                                               else option.low)
        spin.blockSignals(True)
        spin.setValue(value)
        spin.blockSignals(False)
