"""What a model is to hpgui: its estimator per task and its hyperparameters, with ranges, conditions
and tooltips (the models themselves are in catalog.py and the catalog_* modules)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Mapping

from .recipe import Call
from .resources import ResourceSpec
from .space import Condition, Hyperparameter, Problem, grid_size, validate_range

TASKS = ("classification", "regression", "clustering")


def H(type: str, low=None, high=None, *, log=False, step=None, values=None, choices=None,
      enabled=True) -> Hyperparameter:
    """Shorthand for the catalog's default ranges."""
    return Hyperparameter(
        type=type, low=low, high=high, log=log, step=step,
        values=tuple(values) if values is not None else None,
        choices=tuple(choices) if choices is not None else None,
        enabled=enabled,
    )


def layers_from_text(text: Any) -> tuple[int, ...]:
    """``"64,32"`` -> ``(64, 32)``: hidden layer sizes are offered as short strings."""
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a list of layer sizes")
    if isinstance(text, (int, float)):
        if float(text) != int(text) or int(text) < 1:
            raise ValueError(f"a layer needs at least one neuron, not {text!r}")
        return (int(text),)
    parts = [p for p in str(text).replace("-", ",").replace("x", ",").split(",") if p.strip()]
    sizes = tuple(int(p) for p in parts)
    if not sizes or min(sizes) < 1:
        raise ValueError(f"{text!r} is not a list of layer sizes like \"64\" or \"128,64\"")
    return sizes


@dataclass(frozen=True)
class ParamSpec:
    """One hyperparameter of one model."""

    name: str
    label: str
    doc: str
    default: Hyperparameter
    when: Condition | None = None
    minimum: float | None = None
    minimum_open: bool = False
    maximum: float | None = None
    maximum_open: bool = False
    allowed: tuple | None = None
    to_estimator: Callable[[Any], Any] | None = None
    tasks: tuple[str, ...] | None = None
    #: How to describe the accepted values when min/max/allowed cannot.
    hint: str | None = None
    #: Which way the model gets simpler ("lower" or "higher"; None where it is not clear): less flexible or
    #: cheaper, as in smaller max_depth, fewer trees, smaller C, larger alpha. Used by "simplest within one
    #: standard error" (hpgui.core.analysis).
    simpler: str | None = None

    def accepts(self, value: Any) -> bool:
        if self.allowed is not None:
            return value in self.allowed
        if self.to_estimator is not None:
            # A value the decoder cannot turn into an estimator argument is not accepted.
            try:
                self.to_estimator(value)
            except (TypeError, ValueError):
                return False
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return True
        if self.minimum is not None and (value < self.minimum or (self.minimum_open and value == self.minimum)):
            return False
        if self.maximum is not None and (value > self.maximum or (self.maximum_open and value == self.maximum)):
            return False
        return True

    def accepted_text(self) -> str:
        if self.hint is not None:
            return self.hint
        if self.allowed is not None:
            return "one of " + ", ".join(repr(a) for a in self.allowed)
        parts = []
        if self.minimum is not None:
            parts.append(f"{'>' if self.minimum_open else '>='} {self.minimum:g}")
        if self.maximum is not None:
            parts.append(f"{'<' if self.maximum_open else '<='} {self.maximum:g}")
        return " and ".join(parts) or "any number"


@dataclass(frozen=True)
class ModelSpec:
    """One model: its estimator per task and its hyperparameters."""

    name: str
    label: str
    summary: str
    estimators: Mapping[str, str]
    params: tuple[ParamSpec, ...]
    fixed: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    scale_sensitive: bool = False
    seeded: bool = False
    proba_params: Mapping[str, Any] = field(default_factory=dict)
    # An estimator with no probabilities of its own gets them from this wrapper when a metric needs them.
    proba_wrapper: tuple[str, Mapping[str, Any]] | None = None
    #: The model's natural resource (epochs, trees, boosting stages), None where it has none (rows still apply).
    resource: ResourceSpec | None = None

    @property
    def tasks(self) -> tuple[str, ...]:
        return tuple(self.estimators)

    def supports(self, task: str) -> bool:
        return task in self.estimators

    def estimator_path(self, task: str) -> str:
        try:
            return self.estimators[task]
        except KeyError:
            raise ValueError(f"{self.label} does not do {task}") from None

    def estimator_class(self, task: str) -> type:
        return _import(self.estimator_path(task))

    def params_for(self, task: str) -> list[ParamSpec]:
        return [p for p in self.params if p.tasks is None or task in p.tasks]

    def param(self, task: str, name: str) -> ParamSpec | None:
        for p in self.params_for(task):
            if p.name == name:
                return p
        return None

    def default_space(self, task: str) -> dict[str, Hyperparameter]:
        return {p.name: p.default for p in self.params_for(task)}

    def conditions(self, task: str) -> dict[str, Condition]:
        return {p.name: p.when for p in self.params_for(task) if p.when is not None}

    def estimator_defaults(self, task: str) -> dict[str, Any]:
        """The values an unsearched hyperparameter keeps: the estimator's own, then ours."""
        defaults = dict(_default_params(self.estimator_path(task)))
        defaults.update(self.fixed_params(task, seed=None, needs_proba=False))
        return defaults

    def fixed_params(self, task: str, seed: int | None, needs_proba: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {}
        out.update(self.fixed.get("*", {}))
        out.update(self.fixed.get(task, {}))
        if self.seeded and seed is not None:
            out["random_state"] = seed
        if needs_proba:
            out.update(self.proba_params)
        return out

    def decode(self, task: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Sampled values -> estimator keyword arguments."""
        out = {}
        for name, value in params.items():
            spec = self.param(task, name)
            if spec is not None and spec.to_estimator is not None:
                value = spec.to_estimator(value)
            out[name] = value
        return out

    def recipe(self, task: str, params: Mapping[str, Any], seed: int | None = None,
               needs_proba: bool = False) -> Call:
        """The estimator with ``params`` set, as a buildable (and printable) description."""
        kwargs = self.fixed_params(task, seed, needs_proba)
        kwargs.update(self.decode(task, params))
        estimator = Call(self.estimator_path(task), kwargs=kwargs)
        if needs_proba and self.proba_wrapper is not None and task == "classification":
            path, wrapper_kwargs = self.proba_wrapper
            return Call(path, kwargs={"estimator": estimator, **wrapper_kwargs})
        return estimator

    def build(self, task: str, params: Mapping[str, Any], seed: int | None = None,
              needs_proba: bool = False) -> Any:
        """A fresh, unfitted estimator with ``params`` set."""
        return self.recipe(task, params, seed, needs_proba).build()

    def validate_space(self, task: str, space: Mapping[str, Hyperparameter],
                       strategy: str | None = None) -> list[Problem]:
        """Every problem with ``space`` for this model, each tied to its field."""
        problems: list[Problem] = []
        known = {p.name: p for p in self.params_for(task)}
        for name, hp in space.items():
            spec = known.get(name)
            if spec is None:
                problems.append(Problem(
                    f"space.{name}",
                    f"{self.label} has no hyperparameter {name!r} here; known: {', '.join(known)}",
                ))
                continue
            if not hp.enabled:
                continue
            # A range that can never apply (degree without a poly kernel) has nothing for a grid to enumerate.
            grid = strategy if self._can_apply(task, name, space) else None
            shape = validate_range(name, hp, strategy=grid)
            problems.extend(shape)
            if shape:
                continue
            if hp.type != spec.default.type:
                problems.append(Problem(
                    f"space.{name}.type", f"{name} is {spec.default.type}, not {hp.type}"))
                continue
            problems.extend(_check_accepted(name, hp, spec))
        return problems

    def _can_apply(self, task: str, name: str, space: Mapping[str, Hyperparameter]) -> bool:
        """Whether some value of its parent (searched or default) switches ``name`` on."""
        cond = self.conditions(task).get(name)
        if cond is None:
            return True
        parent = space.get(cond.parent)
        if parent is None or not parent.enabled:
            options = [self.estimator_defaults(task).get(cond.parent)]
        elif parent.type == "categorical":
            options = list(parent.choices or ())
        else:
            return True
        return any(o in cond.values for o in options) and self._can_apply(task, cond.parent, space)

    def grid_size(self, task: str, space: Mapping[str, Hyperparameter]) -> int:
        return grid_size(space, self.conditions(task), self.estimator_defaults(task))


def _check_accepted(name: str, hp: Hyperparameter, spec: ParamSpec) -> list[Problem]:
    if hp.type == "categorical":
        bad = [c for c in hp.choices or () if not spec.accepts(c)]
        if bad:
            return [Problem(f"space.{name}.choices",
                            f"{', '.join(map(repr, bad))} not accepted; {name} must be {spec.accepted_text()}")]
        return []
    if hp.values is not None:
        bad = [v for v in hp.values if not spec.accepts(v)]
        if bad:
            return [Problem(f"space.{name}.values",
                            f"{', '.join(f'{v:g}' for v in bad)} not accepted; {name} must be {spec.accepted_text()}")]
        return []
    problems = []
    for bound in ("low", "high"):
        value = getattr(hp, bound)
        if not spec.accepts(value):
            problems.append(Problem(f"space.{name}.{bound}",
                                    f"{bound} {value:g} is not accepted; {name} must be {spec.accepted_text()}"))
    return problems


@lru_cache(maxsize=None)
def _import(path: str) -> type:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


@lru_cache(maxsize=None)
def _default_params(path: str) -> Mapping[str, Any]:
    return dict(_import(path)().get_params(deep=False))


# Shared pieces. Each model still gets its own ParamSpec objects where the advice differs.

_CLASSES_ONLY = ("classification",)
_REGRESSION_ONLY = ("regression",)
_BOOL = (True, False)


def _class_weight(*extra: str) -> ParamSpec:
    return ParamSpec(
        "class_weight", "Class weights",
        "Whether every row counts the same (None) or rare classes count more (balanced). "
        "Balanced helps when one class is much rarer and you care about it; it can lower plain accuracy.",
        H("categorical", choices=(None, "balanced"), enabled=False),
        allowed=(None, "balanced") + extra,
        tasks=_CLASSES_ONLY,
    )
