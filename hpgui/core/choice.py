"""Which model? Several models searched in one study.

Choosing the algorithm is itself a hyperparameter. A study over several models
has a categorical ``model`` parameter, and each model's hyperparameters are
named ``<model>.<name>`` (``svm.C``, ``random_forest.max_depth``) and apply only
while that model is the choice. That is one flat space with conditions, so
sampling, grid enumeration and grid sizing (:mod:`hpgui.core.space`) need
nothing new, and every name keeps one Optuna distribution across all trials
(``svm.C`` and ``logistic_regression.C`` have different ranges and meanings).

A study of one model keeps the plain names (``C``), so its storage, its
exports and its parity with ``GridSearchCV`` do not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Mapping

from .catalog import ModelSpec, ParamSpec, get_model
from .space import Condition, Hyperparameter, grid_size, ordered_names

MODEL_PARAM = "model"
SEP = "."


@dataclass(frozen=True, eq=False)
class ModelChoice:
    """The models of one search, each with its own space, seen as one flat space."""

    task: str
    spaces: Mapping[str, Mapping[str, Hyperparameter]]  # model name -> its space, plain names, in pick order

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(self.spaces)

    @property
    def multi(self) -> bool:
        return len(self.spaces) > 1

    def spec(self, model: str) -> ModelSpec:
        return get_model(model)

    def qualified(self, model: str, name: str) -> str:
        return f"{model}{SEP}{name}" if self.multi else name

    @cached_property
    def space(self) -> dict[str, Hyperparameter]:
        if not self.multi:
            return dict(next(iter(self.spaces.values())))
        out = {MODEL_PARAM: Hyperparameter("categorical", choices=self.models)}
        for model, space in self.spaces.items():
            for name, hp in space.items():
                out[self.qualified(model, name)] = hp
        return out

    @cached_property
    def conditions(self) -> dict[str, Condition]:
        if not self.multi:
            return self.spec(self.models[0]).conditions(self.task)
        out: dict[str, Condition] = {}
        for model in self.models:
            own = self.spec(model).conditions(self.task)
            # Every catalog parameter gets a condition, searched or not: an unsearched parent
            # (svm.kernel) must still hang off the model choice, or its children would apply
            # to every model.
            for param in self.spec(model).params_for(self.task):
                cond = own.get(param.name)
                out[self.qualified(model, param.name)] = (
                    Condition(self.qualified(model, cond.parent), cond.values) if cond is not None
                    else Condition(MODEL_PARAM, (model,)))
        return out

    @cached_property
    def defaults(self) -> dict[str, Any]:
        if not self.multi:
            return self.spec(self.models[0]).estimator_defaults(self.task)
        return {self.qualified(model, name): value for model in self.models
                for name, value in self.spec(model).estimator_defaults(self.task).items()}

    @cached_property
    def order(self) -> list[str]:
        """Enabled names, parents first: the order trials sample them in."""
        return ordered_names(self.space, self.conditions)

    def specs(self) -> dict[str, ParamSpec]:
        """Each catalog hyperparameter of the chosen models by its trial parameter name."""
        return {self.qualified(model, p.name): p for model in self.models for p in self.spec(model).params_for(self.task)}

    def grid_size(self) -> int:
        return grid_size(self.space, self.conditions, self.defaults)

    # -- trial parameters <-> one model's parameters ----------------------------
    def split(self, params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """A trial's parameters -> (its model, that model's own hyperparameter names)."""
        if not self.multi:
            return self.models[0], dict(params)
        model = params.get(MODEL_PARAM)
        if model not in self.spaces:
            raise ValueError(f"the trial's model {model!r} is not one of {', '.join(self.models)}")
        return model, split_params(params)[1]

    def join(self, model: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """One model's hyperparameters -> the trial's parameter names."""
        if not self.multi:
            return dict(params)
        return {MODEL_PARAM: model, **{self.qualified(model, k): v for k, v in params.items()}}


def split_params(params: Mapping[str, Any], model: str | None = None) -> tuple[str | None, dict[str, Any]]:
    """(model, plain params) from a trial's parameters; ``model`` names it for a one-model study."""
    chosen = params.get(MODEL_PARAM)
    if not isinstance(chosen, str):
        return model, dict(params)
    prefix = f"{chosen}{SEP}"
    return chosen, {k[len(prefix):]: v for k, v in params.items() if k.startswith(prefix)}


def model_label(name: str | None) -> str:
    try:
        return get_model(name).label if name else ""
    except (KeyError, ValueError):
        return str(name)
