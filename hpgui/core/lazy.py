"""A module that is imported the first time one of its attributes is used.

pandas (with pyarrow) is a third of the time `hpgui` spends importing before its
window appears, and an empty window does not need it. Modules on that path bind
``pd = lazy_module("pandas")`` instead of ``import pandas as pd``; the first
``pd.something`` imports pandas, later ones cost one attribute lookup more.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        # Only called for names this object lacks, i.e. the module's own attributes.
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<lazy module {self._name!r} ({state})>"


def lazy_module(name: str) -> Any:
    return LazyModule(name)
