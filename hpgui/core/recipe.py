"""Objects described once, then either built or written out as Python source.

The pipeline a trial fits and the pipeline the exported script rebuilds must be
the same object. Describing it as a tree of :class:`Call` values and deriving
both the live object and its source text from that tree keeps them from drifting.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Call:
    """``path(*args, **kwargs)``, where ``path`` is an importable dotted name."""

    path: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.rpartition(".")[2]

    def build(self) -> Any:
        module, _, name = self.path.rpartition(".")
        factory = getattr(importlib.import_module(module), name)
        return factory(*[build(a) for a in self.args], **{k: build(v) for k, v in self.kwargs.items()})


def build(value: Any) -> Any:
    if isinstance(value, Call):
        return value.build()
    if isinstance(value, list):
        return [build(v) for v in value]
    if isinstance(value, tuple):
        return tuple(build(v) for v in value)
    if isinstance(value, dict):
        return {k: build(v) for k, v in value.items()}
    return value


def imports(value: Any) -> set[str]:
    """``from module import Name`` lines needed to evaluate ``source(value)``."""
    out: set[str] = set()
    if isinstance(value, Call):
        module, _, name = value.path.rpartition(".")
        out.add(f"from {module} import {name}")
        for v in (*value.args, *value.kwargs.values()):
            out |= imports(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            out |= imports(v)
    elif isinstance(value, dict):
        for v in value.values():
            out |= imports(v)
    return out


def literal(value: Any) -> str:
    """Source text for a plain value; floats keep every digit so they round-trip."""
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (np.integer,)):
        return repr(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            return f"float({str(value)!r})"
        return repr(value)
    return repr(value)


def source(value: Any, indent: int = 0) -> str:
    """Readable Python source that evaluates to an equal ``build(value)``."""
    pad = "    " * indent
    inner = "    " * (indent + 1)
    if isinstance(value, Call):
        parts = [source(a, indent + 1) for a in value.args]
        parts += [f"{k}={source(v, indent + 1)}" for k, v in value.kwargs.items()]
        flat = f"{value.name}({', '.join(parts)})"
        if len(flat) + len(pad) <= 88 and "\n" not in flat:
            return flat
        body = ",\n".join(inner + p for p in parts)
        return f"{value.name}(\n{body},\n{pad})"
    if isinstance(value, (list, tuple)):
        open_, close = ("[", "]") if isinstance(value, list) else ("(", ")")
        parts = [source(v, indent + 1) for v in value]
        if isinstance(value, tuple) and len(parts) == 1:
            parts[0] += ","
        flat = open_ + ", ".join(parts) + close
        if len(flat) + len(pad) <= 88 and "\n" not in flat:
            return flat
        body = ",\n".join(inner + p for p in parts)
        return f"{open_}\n{body},\n{pad}{close}"
    if isinstance(value, dict):
        parts = [f"{k!r}: {source(v, indent + 1)}" for k, v in value.items()]
        flat = "{" + ", ".join(parts) + "}"
        if len(flat) + len(pad) <= 88 and "\n" not in flat:
            return flat
        body = ",\n".join(inner + p for p in parts)
        return "{\n" + body + ",\n" + pad + "}"
    return literal(value)
