"""Hyperparameter ranges: their definition, validation, and grid expansion.

A search space is a plain ``dict[str, Hyperparameter]``. Which hyperparameters
exist, which values an estimator accepts and which ones only matter under
another's value come from the catalog (:mod:`hpgui.core.catalog`); this module
only knows the shapes of ranges and how to check and enumerate them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Iterable, Iterator, Mapping
from .formatting import is_number

PARAM_TYPES = ("int", "float", "categorical")

#: A grid larger than this is refused unless the setup explicitly allows it.
GRID_LIMIT = 10_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a setup, tied to the field that causes it.

    ``field`` is a dotted path into the setup file (``space.C.low``,
    ``evaluation.folds``) so that a form can mark the widget that edits it.
    """

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True)
class Hyperparameter:
    """The range one hyperparameter is searched over.

    Numeric hyperparameters have ``low``/``high`` (optionally ``log`` and
    ``step``) or an explicit list of ``values``; categorical ones have
    ``choices``. ``enabled=False`` keeps the estimator's default instead.
    """

    type: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    values: tuple | None = None
    choices: tuple | None = None
    enabled: bool = True

    # -- serialisation -------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        if self.type == "categorical":
            out["choices"] = list(self.choices or ())
        elif self.values is not None:
            out["values"] = list(self.values)
        else:
            out["low"] = self.low
            out["high"] = self.high
            if self.log:
                out["log"] = True
            if self.step is not None:
                out["step"] = self.step
        if not self.enabled:
            out["enabled"] = False
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Hyperparameter":
        if not isinstance(data, Mapping):
            raise TypeError("each hyperparameter must be an object with a \"type\"")
        unknown = set(data) - {"type", "low", "high", "log", "step", "values", "choices", "enabled"}
        if unknown:
            raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))}")
        kind = data.get("type")
        if kind is None:
            kind = "categorical" if "choices" in data else "float"
        values = data.get("values")
        choices = data.get("choices")
        return cls(
            type=str(kind),
            low=data.get("low"),
            high=data.get("high"),
            log=bool(data.get("log", False)),
            step=data.get("step"),
            values=tuple(values) if values is not None else None,
            choices=tuple(choices) if choices is not None else None,
            enabled=bool(data.get("enabled", True)),
        )

    # -- queries -------------------------------------------------------
    @property
    def is_discrete(self) -> bool:
        """True when the range is a finite set a grid can enumerate."""
        return (
            self.type in ("int", "categorical")
            or self.values is not None
            or self.step is not None
        )

    def grid_values(self) -> list:
        """The values a grid search visits, in order.

        Raises ``ValueError`` for a continuous range, which has no grid.
        """
        if self.type == "categorical":
            return list(self.choices or ())
        if self.values is not None:
            return list(self.values)
        if self.type == "int":
            step = int(self.step or 1)
            if self.log and step == 1:
                return list(range(int(self.low), int(self.high) + 1))
            return list(range(int(self.low), int(self.high) + 1, step))
        if self.step is None:
            raise ValueError("a continuous range has no grid; give values or a step")
        count = int(math.floor((self.high - self.low) / self.step + 1e-9)) + 1
        # Rounding keeps 0.1 + 0.2 from turning into 0.30000000000000004 in files and tables.
        digits = max(0, -int(math.floor(math.log10(abs(self.step))))) + 6
        return [round(self.low + i * self.step, digits) for i in range(count)]

    def grid_iterable(self) -> Iterable:
        """The grid values, lazily: a huge integer range is a ``range``, never a list."""
        if self.type == "int" and self.values is None:
            return range(int(self.low), int(self.high) + 1, int(self.step or 1))
        if self.type == "float" and self.values is None and self.step is not None:
            count = self.grid_count()
            digits = max(0, -int(math.floor(math.log10(abs(self.step))))) + 6
            low, step = self.low, self.step
            return map(lambda i: round(low + i * step, digits), range(count))
        return self.grid_values()

    def grid_count(self) -> int:
        """``len(self.grid_values())``, computed: a range of 10^9 integers is counted, not listed."""
        if self.type == "categorical":
            return len(self.choices or ())
        if self.values is not None:
            return len(self.values)
        if self.type == "int":
            return len(range(int(self.low), int(self.high) + 1, int(self.step or 1)))
        if self.step is None:
            raise ValueError("a continuous range has no grid; give values or a step")
        return int(math.floor((self.high - self.low) / self.step + 1e-9)) + 1

    def contains(self, value: Any) -> bool:
        """Whether ``value`` is one this range can produce."""
        if self.type == "categorical":
            return value in (self.choices or ())
        if self.values is not None:
            return any(_same_number(value, v) for v in self.values)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return False
        return self.low <= value <= self.high


def _same_number(a: Any, b: Any) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0.0)
    except (TypeError, ValueError):
        return a == b


def validate_range(name: str, hp: Hyperparameter, *, strategy: str | None = None) -> list[Problem]:
    """Problems with the shape of one range, independent of any estimator."""
    where = f"space.{name}"
    problems: list[Problem] = []
    if hp.type not in PARAM_TYPES:
        return [Problem(f"{where}.type", f"type must be one of {', '.join(PARAM_TYPES)}, not {hp.type!r}")]
    if hp.type == "categorical":
        if not hp.choices:
            problems.append(Problem(f"{where}.choices", "pick at least one choice"))
        elif len(set(map(repr, hp.choices))) != len(hp.choices):
            problems.append(Problem(f"{where}.choices", "a choice is listed twice"))
        return problems
    if hp.values is not None:
        if len(hp.values) == 0:
            problems.append(Problem(f"{where}.values", "give at least one value"))
        for value in hp.values:
            if not is_number(value):
                problems.append(Problem(f"{where}.values", f"{value!r} is not a number"))
            elif hp.type == "int" and float(value) != int(value):
                problems.append(Problem(f"{where}.values", f"{value!r} is not a whole number"))
        return problems
    for bound in ("low", "high"):
        value = getattr(hp, bound)
        if value is None:
            problems.append(Problem(f"{where}.{bound}", f"{bound} is missing"))
        elif not is_number(value):
            problems.append(Problem(f"{where}.{bound}", f"{bound} must be a number, not {value!r}"))
        elif hp.type == "int" and float(value) != int(value):
            problems.append(Problem(f"{where}.{bound}", f"{bound} must be a whole number"))
    if problems:
        return problems
    if hp.low > hp.high:
        problems.append(Problem(f"{where}.low", f"low ({hp.low:g}) is greater than high ({hp.high:g})"))
    if hp.log and hp.low <= 0:
        problems.append(Problem(f"{where}.low", f"a log-scale range must start above 0 (low is {hp.low:g})"))
    if hp.step is not None:
        if not is_number(hp.step) or hp.step <= 0:
            problems.append(Problem(f"{where}.step", "step must be a positive number"))
        elif hp.type == "int" and float(hp.step) != int(hp.step):
            problems.append(Problem(f"{where}.step", "step must be a whole number for an integer"))
        elif hp.log and not (hp.type == "int" and hp.step == 1):
            problems.append(Problem(f"{where}.step", "a range cannot be both log-scale and stepped; drop one"))
    if strategy == "grid" and not hp.is_discrete:
        problems.append(
            Problem(where, "grid search cannot enumerate a continuous range: give explicit values or a step")
        )
    return problems


# -- conditional spaces ---------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """``child`` is only meaningful while ``parent``'s value is one of ``values``."""

    parent: str
    values: tuple


def is_active(name: str, assignment: Mapping[str, Any], conditions: Mapping[str, Condition],
              defaults: Mapping[str, Any]) -> bool:
    """Whether ``name`` matters given the values chosen so far.

    A parent that is not being searched takes its default value.
    """
    cond = conditions.get(name)
    if cond is None:
        return True
    if not is_active(cond.parent, assignment, conditions, defaults):
        return False
    value = assignment.get(cond.parent, defaults.get(cond.parent))
    return value in cond.values


def ordered_names(space: Mapping[str, Hyperparameter], conditions: Mapping[str, Condition]) -> list[str]:
    """Enabled names with every parent before its children (stable otherwise)."""
    enabled = [n for n, hp in space.items() if hp.enabled]
    done: list[str] = []

    def visit(name: str, seen: tuple = ()) -> None:
        if name in done or name in seen:
            return
        cond = conditions.get(name)
        if cond is not None and cond.parent in enabled:
            visit(cond.parent, seen + (name,))
        done.append(name)

    for name in enabled:
        visit(name)
    return done


def iter_grid(space: Mapping[str, Hyperparameter], conditions: Mapping[str, Condition] | None = None,
              defaults: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Every distinct configuration of a discrete space.

    A hyperparameter that does not apply under its parent's value is left
    out of that configuration, so ``gamma`` is not crossed with a linear
    kernel and no configuration is evaluated twice.
    """
    conditions = conditions or {}
    defaults = defaults or {}
    names = ordered_names(space, conditions)
    values = {n: space[n].grid_iterable for n in names}  # called per pass: a map is used once

    def expand(i: int, partial: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if i == len(names):
            yield dict(partial)
            return
        name = names[i]
        if not is_active(name, partial, conditions, defaults):
            yield from expand(i + 1, partial)
            return
        for value in values[name]():
            partial[name] = value
            yield from expand(i + 1, partial)
        partial.pop(name, None)

    yield from expand(0, {})


def grid_size(space: Mapping[str, Hyperparameter], conditions: Mapping[str, Condition] | None = None,
              defaults: Mapping[str, Any] | None = None) -> int:
    """How many configurations :func:`iter_grid` yields, without listing them.

    Only the values of parents are enumerated; every other hyperparameter
    contributes a factor, so a million-point grid is sized instantly.
    """
    conditions = conditions or {}
    defaults = defaults or {}
    names = ordered_names(space, conditions)
    parents = {c.parent for n, c in conditions.items() if n in names}
    parent_names = [n for n in names if n in parents]
    leaves = [n for n in names if n not in parents]
    counts = {n: space[n].grid_count() for n in leaves}

    total = 0

    def expand(i: int, partial: dict[str, Any]) -> None:
        nonlocal total
        if i == len(parent_names):
            product = 1
            for leaf in leaves:
                if is_active(leaf, partial, conditions, defaults):
                    product *= counts[leaf]
            total += product
            return
        name = parent_names[i]
        if not is_active(name, partial, conditions, defaults):
            expand(i + 1, partial)
            return
        for value in space[name].grid_values():
            partial[name] = value
            expand(i + 1, partial)
        partial.pop(name, None)

    expand(0, {})
    return total


def with_enabled(space: Mapping[str, Hyperparameter], name: str, enabled: bool) -> dict[str, Hyperparameter]:
    """A copy of ``space`` with one hyperparameter switched on or off."""
    out = dict(space)
    out[name] = replace(out[name], enabled=enabled)
    return out


def format_count(n: int) -> str:
    return f"{n:,}"


__all__ = [
    "GRID_LIMIT",
    "Condition",
    "Hyperparameter",
    "Problem",
    "grid_size",
    "is_active",
    "iter_grid",
    "ordered_names",
    "validate_range",
    "widens",
    "with_enabled",
]


def widens(stored: Mapping[str, Any] | None, wanted: Mapping[str, Any] | None) -> bool:
    """Whether the space ``wanted`` is ``stored`` with some numeric ranges only made wider (JSON form)."""
    if not isinstance(stored, Mapping) or not isinstance(wanted, Mapping) or set(stored) != set(wanted):
        return False
    for name, old in stored.items():
        new = wanted[name]
        if old == new:
            continue
        if not isinstance(old, Mapping) or not isinstance(new, Mapping):
            return False
        if old.get("type") not in ("int", "float") or "values" in old or "values" in new:
            return False
        same = {k: v for k, v in old.items() if k not in ("low", "high")}
        if same != {k: v for k, v in new.items() if k not in ("low", "high")}:
            return False
        try:
            if not (float(new["low"]) <= float(old["low"]) and float(new["high"]) >= float(old["high"])):
                return False
        except (KeyError, TypeError, ValueError):
            return False
    return True
