"""The whole search as one serialisable value (``hpgui-setup/1`` JSON).

Other tools and users' scripts write these files, so the key names are a
contract: see ``docs/setup-format.md``. Relative data paths are resolved
against the setup file's folder.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from .catalog import MODELS, TASKS, get_model
from .catalog_boost import missing_hint
from .choice import MODEL_PARAM, ModelChoice
from .dataspec import DataSpec, column_problems, data_spec_from_json
from .evaluate import EvaluationSpec
from .fidelity import resource_problems
from .metrics import DEFAULT_METRIC, METRICS
from .pipeline import Preprocessing
from .space import GRID_LIMIT, Hyperparameter, Problem, format_count, is_active, ordered_names
from .strategies import PRUNERS, STRATEGIES, planning_problems, strategy_problems

FORMAT = "hpgui-setup/1"
#: The strategy keys of population-based training.
PBT_KEYS = ("population", "rounds", "round_units", "quantile")
TOP_KEYS = {"format", "data", "model", "space", "preprocessing", "strategy", "evaluation", "metric", "budget"}


class SetupError(ValueError):
    """A setup that cannot be used, with every problem found."""

    def __init__(self, problems: list[Problem], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        head = f"{source}: " if source else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{head}{len(self.problems)} problem(s) in the setup:\n{lines}")


@dataclass(frozen=True)
class StrategySpec:
    name: str = "tpe"
    seed: int = 0
    pruner: str = "none"
    manual: tuple[Mapping[str, Any], ...] = ()
    allow_large_grid: bool = False
    starts: int | None = None  # gradient descent: how many descents, from spread-out starting points
    #: What a trial is stopped by (hpgui.core.resources.RESOURCES): between folds, or a step of
    #: epochs, trees, boosting stages or rows (hpgui.core.fidelity).
    resource: str = "folds"
    #: Population-based training (hpgui.core.pbt): members, rounds, units per round, the share that exploits.
    population: int | None = None
    rounds: int | None = None
    round_units: int | None = None
    quantile: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "seed": self.seed}
        if self.starts is not None:
            out["starts"] = self.starts
        for key in PBT_KEYS:
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.pruner != "none":
            out["pruner"] = self.pruner
        if self.resource != "folds":
            out["resource"] = self.resource
        if self.manual:
            out["manual"] = [dict(m) for m in self.manual]
        if self.allow_large_grid:
            out["allow_large_grid"] = True
        return out


@dataclass(frozen=True)
class Budget:
    trials: int | None = 50
    timeout_s: float | None = None
    patience: int | None = None
    target_score: float | None = None
    trial_timeout_s: float | None = None  # a fit running longer is ended and its trial failed

    def to_json(self) -> dict[str, Any]:
        out = {"trials": self.trials, "timeout_s": self.timeout_s, "patience": self.patience,
               "target_score": self.target_score}
        if self.trial_timeout_s is not None:
            out["trial_timeout_s"] = self.trial_timeout_s
        return out


@dataclass(frozen=True)
class SearchSetup:
    """The whole search.

    ``model`` is one model name, or a tuple of names to search several models in one
    study; then ``space`` maps each model name to its own space (a model left out
    searches its default space). See :mod:`hpgui.core.choice`.
    """

    data: DataSpec
    model: str | tuple[str, ...]
    space: Mapping[str, Any] | None = None
    preprocessing: Preprocessing = field(default_factory=Preprocessing)
    strategy: StrategySpec = field(default_factory=StrategySpec)
    evaluation: EvaluationSpec = field(default_factory=EvaluationSpec)
    metric: str | None = None
    budget: Budget = field(default_factory=Budget)
    base_dir: Path | None = field(default=None, compare=False)

    # -- derived values --------------------------------------------------
    @property
    def data_path(self) -> Path:
        path = Path(os.path.expanduser(self.data.path))
        if not path.is_absolute() and self.base_dir is not None:
            path = self.base_dir / path
        return path

    @property
    def models(self) -> tuple[str, ...]:
        return (self.model,) if isinstance(self.model, str) else tuple(self.model)

    @property
    def is_multi(self) -> bool:
        return len(self.models) > 1

    @property
    def model_spec(self):
        """The model of a one-model search (a several-model search has :meth:`choice`)."""
        if not isinstance(self.model, str) and len(self.model) != 1:
            raise ValueError("this setup searches several models; use choice(task) to see them")
        return get_model(self.models[0])

    def task_or(self, inferred: str | None = None) -> str:
        if self.data.task:
            return self.data.task
        if self.models == ("kmeans",):
            return "clustering"
        return inferred or "classification"

    def model_space(self, model: str, task: str) -> dict[str, Hyperparameter]:
        """One model's own space (plain names): the catalog's defaults when the file gives none."""
        if isinstance(self.model, str):
            given = self.space
        else:
            given = (self.space or {}).get(model)
        if given is None:
            return get_model(model).default_space(task)
        return dict(given)

    def choice(self, task: str) -> ModelChoice:
        return ModelChoice(task, {m: self.model_space(m, task) for m in self.models})

    def space_for(self, task: str) -> dict[str, Hyperparameter]:
        """The space as searched, with trial parameter names (``svm.C`` when several models)."""
        return self.choice(task).space

    def metric_for(self, task: str) -> str:
        return self.metric or DEFAULT_METRIC[task]

    def with_(self, **changes: Any) -> "SearchSetup":
        return replace(self, **changes)

    # -- validation ----------------------------------------------------------
    def validate(self, task: str | None = None) -> list[Problem]:
        """Every problem that can be found without reading the data, at once."""
        problems: list[Problem] = []
        task = task or self.task_or()
        if self.data.task is not None and self.data.task not in TASKS:
            problems.append(Problem("data.task", f"task must be one of {', '.join(TASKS)}"))
            return problems
        if not self.data.path:
            problems.append(Problem("data.path", "no data file given"))
        model_problems = self._model_problems(task)
        if model_problems:
            return problems + model_problems
        if task != "clustering" and not self.data.target:
            problems.append(Problem("data.target", "pick the target column to predict"))

        space = self.space_for(task)
        for name in self.models:
            found = get_model(name).validate_space(task, self.model_space(name, task), strategy=self.strategy.name)
            if self.is_multi:  # the field names the model's own object in the file: space.svm.C.low
                found = [Problem(p.field.replace("space", f"space.{name}", 1), p.message) for p in found]
            problems += found
        if not any(hp.enabled for hp in space.values()):
            problems.append(Problem("space", "no hyperparameter is switched on; enable at least one to search"))

        problems += strategy_problems(self.strategy.name)
        if self.strategy.name == "gradient":
            problems += self._gradient_problems(task)
        if self.strategy.name == "pbt":
            problems += self._pbt_problems(task)
        elif any(getattr(self.strategy, key) is not None for key in PBT_KEYS):
            problems.append(Problem("strategy.population", "population, rounds, round_units and quantile belong "
                                                           "to population-based training; remove them or set "
                                                           "the strategy name to pbt"))
        if self.strategy.pruner not in PRUNERS:
            problems.append(Problem("strategy.pruner", f"pruner must be one of {', '.join(PRUNERS)}"))
        problems += resource_problems(self.strategy.resource, self.strategy.pruner,
                                      [get_model(m) for m in self.models if m in MODELS])
        if not isinstance(self.strategy.seed, int) or isinstance(self.strategy.seed, bool) \
                or not 0 <= self.strategy.seed < 2**32:
            problems.append(Problem("strategy.seed", "seed must be a whole number from 0 to 4294967295"))
        problems += self.preprocessing.validate()
        problems += self.evaluation.validate()
        problems += column_problems(self, task)

        metric = self.metric_for(task)
        if metric not in METRICS:
            problems.append(Problem("metric", f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}"))
        elif task not in METRICS[metric].tasks:
            fits = [m for m, spec in METRICS.items() if task in spec.tasks]
            problems.append(Problem("metric", f"{METRICS[metric].label} is not a {task} metric; "
                                              f"use one of {', '.join(fits)}"))

        problems += self._budget_problems()
        if not problems and self.strategy.manual:
            # Only with manual configurations: checking them needs the estimator's defaults, which
            # imports scikit-learn, and the window validates on its GUI thread while it opens.
            problems += self._manual_problems(task, space)
        if not problems:
            if self.strategy.name == "grid":
                problems += self._grid_problems(task, space)
        return problems

    def _gradient_problems(self, task: str) -> list[Problem]:
        from .gradient_strategy import problems as gradient_problems

        starts = self.strategy.starts
        found = []
        if starts is not None and (not isinstance(starts, int) or isinstance(starts, bool) or not 1 <= starts <= 100):
            found.append(Problem("strategy.starts", "starts must be a whole number from 1 to 100, or null"))
        found += planning_problems(self.strategy, "gradient descent",
                                   pruner="needs every fold of every step; set the pruner to none",
                                   resource="needs every step trained to the end; stop poor trials by folds "
                                            "(no resource)")
        space = self.model_space(self.models[0], task) if len(self.models) == 1 else {}
        return found + gradient_problems(self.models, task, space)

    def _pbt_problems(self, task: str) -> list[Problem]:
        from .pbt import problems as pbt_problems, settings_problems

        space = self.model_space(self.models[0], task) if len(self.models) == 1 else {}
        return settings_problems(self.strategy) + pbt_problems(self.models, task, space)

    def _model_problems(self, task: str) -> list[Problem]:
        models = self.models
        if not models:
            return [Problem("model", "pick at least one model")]
        problems = []
        for name in models:
            if not isinstance(name, str) or name not in MODELS:
                hint = missing_hint(name) if isinstance(name, str) else None
                problems.append(Problem("model", hint or f"unknown model {name!r}; choose from {', '.join(MODELS)}"))
        if problems:
            return problems
        if len(set(models)) != len(models):
            twice = sorted({m for m in models if models.count(m) > 1})
            problems.append(Problem("model", f"{', '.join(twice)} is listed twice; list each model once"))
        for name in models:
            model = get_model(name)
            if not model.supports(task):
                hint = "" if self.data.task else \
                    " (the task was inferred from the target column; set the task to override)"
                problems.append(Problem("model", f"{model.label} does not do {task}; it does "
                                                 f"{', '.join(model.tasks)}{hint}"))
        if not isinstance(self.model, str):
            for key in self.space or {}:
                if key not in models:
                    problems.append(Problem(f"space.{key}", f"{key!r} is not one of the chosen models "
                                                            f"({', '.join(models)}); add it to \"model\" or "
                                                            "remove its space"))
        return problems

    def _budget_problems(self) -> list[Problem]:
        b = self.budget
        problems = []
        if b.trials is not None and (not isinstance(b.trials, int) or isinstance(b.trials, bool) or b.trials < 1):
            problems.append(Problem("budget.trials", "trials must be a whole number of at least 1, or null"))
        if b.timeout_s is not None and (not isinstance(b.timeout_s, (int, float)) or isinstance(b.timeout_s, bool)
                                        or b.timeout_s <= 0):
            problems.append(Problem("budget.timeout_s", "time limit must be a positive number of seconds, or null"))
        if b.patience is not None and (not isinstance(b.patience, int) or isinstance(b.patience, bool)
                                       or b.patience < 1):
            problems.append(Problem("budget.patience", "patience must be a whole number of trials, or null"))
        if b.target_score is not None and (not isinstance(b.target_score, (int, float))
                                           or not math.isfinite(b.target_score)):
            problems.append(Problem("budget.target_score", "target score must be a number, or null"))
        if b.trial_timeout_s is not None and (not isinstance(b.trial_timeout_s, (int, float))
                                              or isinstance(b.trial_timeout_s, bool) or b.trial_timeout_s <= 0):
            problems.append(Problem("budget.trial_timeout_s",
                                    "time limit per trial must be a positive number of seconds, or null"))
        if self.strategy.name != "grid" and b.trials is None and b.timeout_s is None:
            problems.append(Problem("budget", "set a number of trials or a time limit, or the search never ends"))
        return problems

    def manual_params(self, task: str, config: Mapping[str, Any]) -> dict[str, Any]:
        """A manual configuration as trial parameters.

        With several models a configuration names its model and that model's own
        hyperparameters (``{"model": "svm", "C": 1}``); names already qualified
        (``svm.C``, as a trial copied from the table has them) are kept.
        """
        choice = self.choice(task)
        if not choice.multi:
            return dict(config)
        model = config.get(MODEL_PARAM)
        out = {MODEL_PARAM: model}
        for name, value in config.items():
            if name != MODEL_PARAM:
                out[name if name.startswith(f"{model}.") else choice.qualified(model, name)] = value
        return out

    def _manual_problems(self, task: str, space: Mapping[str, Hyperparameter]) -> list[Problem]:
        choice = self.choice(task)
        conditions, defaults = choice.conditions, choice.defaults
        problems = []
        for i, config in enumerate(self.strategy.manual):
            where = f"strategy.manual.{i}"
            if not isinstance(config, Mapping):
                problems.append(Problem(where, "each manual configuration must be an object of values"))
                continue
            if choice.multi:
                if config.get(MODEL_PARAM) not in choice.models:
                    problems.append(Problem(f"{where}.model", f"name the model of this configuration, one of "
                                                              f"{', '.join(choice.models)}"))
                    continue
                config = self.manual_params(task, config)
            for name, value in config.items():
                hp = space.get(name)
                if hp is None or not hp.enabled:
                    problems.append(Problem(f"{where}.{name}", f"{name} is not being searched; enable it first"))
                elif not is_active(name, config, conditions, defaults):
                    problems.append(Problem(f"{where}.{name}", f"{name} does not apply with these other values"))
                elif not hp.contains(value):
                    problems.append(Problem(f"{where}.{name}", f"{value!r} is outside the range of {name}"))
            for name in ordered_names(space, conditions):
                if name not in config and is_active(name, config, conditions, defaults):
                    problems.append(Problem(f"{where}.{name}", f"give a value for {name}"))
        return problems

    def _grid_problems(self, task: str, space: Mapping[str, Hyperparameter]) -> list[Problem]:
        size = self.choice(task).grid_size()
        if size > GRID_LIMIT and not self.strategy.allow_large_grid:
            return [Problem("space", f"the grid has {format_count(size)} points, more than {format_count(GRID_LIMIT)}; "
                                     "use fewer values or a step, pick a sampling strategy, or set "
                                     "strategy.allow_large_grid to true")]
        return []

    # -- JSON ------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"format": FORMAT, "data": self.data.to_json()}
        if isinstance(self.model, str):
            out["model"] = self.model
            if self.space is not None:
                out["space"] = {name: hp.to_dict() for name, hp in self.space.items()}
        else:
            out["model"] = list(self.model)
            if self.space is not None:
                out["space"] = {model: {name: hp.to_dict() for name, hp in space.items()}
                                for model, space in self.space.items() if space is not None}
        out["preprocessing"] = self.preprocessing.to_json()
        out["strategy"] = self.strategy.to_json()
        out["evaluation"] = self.evaluation.to_json()
        out["metric"] = self.metric
        out["budget"] = self.budget.to_json()
        return out

    @classmethod
    def from_json(cls, data: Any, base_dir: Path | None = None, source: str | None = None) -> "SearchSetup":
        """Parse a setup, raising :class:`SetupError` with every structural problem."""
        problems: list[Problem] = []
        if not isinstance(data, Mapping):
            raise SetupError([Problem("", "the setup must be a JSON object")], source)
        fmt = data.get("format", FORMAT)
        if fmt != FORMAT:
            problems.append(Problem("format", f"this hpgui reads {FORMAT!r} files, not {fmt!r}"))
        for key in sorted(set(data) - TOP_KEYS):
            problems.append(Problem(key, f"unknown key {key!r}; known keys: {', '.join(sorted(TOP_KEYS))}"))

        data_spec = _parse(problems, "data", data_spec_from_json, data.get("data"))
        model = data.get("model")
        if isinstance(model, list) and model and all(isinstance(m, str) for m in model):
            model = tuple(model)
        elif not isinstance(model, str):
            problems.append(Problem("model", "model must be a name such as \"random_forest\", or a list of "
                                             "names such as [\"svm\", \"random_forest\"] to compare models"))
        space = None
        if data.get("space") is not None:
            raw = data["space"]
            if not isinstance(raw, Mapping):
                problems.append(Problem("space", "space must be an object of hyperparameter ranges"))
            elif isinstance(model, tuple):
                space = {}
                for name, own in raw.items():
                    if name not in model:
                        problems.append(Problem(f"space.{name}", f"with several models, space maps each chosen "
                                                                 f"model ({', '.join(model)}) to its ranges; "
                                                                 f"{name!r} is not one of them"))
                        continue
                    if own is None:
                        continue
                    if not isinstance(own, Mapping):
                        problems.append(Problem(f"space.{name}", f"with several models, space.{name} must be "
                                                                 f"the object of {name}'s hyperparameter ranges"))
                        continue
                    space[name] = _parse_space(problems, f"space.{name}", own)
            else:
                space = _parse_space(problems, "space", raw)
        preprocessing = _parse(problems, "preprocessing", Preprocessing.from_json, data.get("preprocessing"))
        strategy = _parse(problems, "strategy", _strategy_spec, data.get("strategy"))
        evaluation = _parse(problems, "evaluation", EvaluationSpec.from_json, data.get("evaluation"))
        metric = data.get("metric")
        if metric is not None and not isinstance(metric, str):
            problems.append(Problem("metric", "metric must be a name such as \"accuracy\""))
        budget = _parse(problems, "budget", _budget, data.get("budget"))
        if problems:
            raise SetupError(problems, source)
        return cls(data=data_spec, model=model, space=space, preprocessing=preprocessing, strategy=strategy,
                   evaluation=evaluation, metric=metric, budget=budget, base_dir=base_dir)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "SearchSetup":
        path = Path(path)
        if path.exists() and not path.is_file():  # a folder, or a pipe that would block the read
            raise SetupError([Problem("", f"setup file {path} is not a regular file; give the path of a "
                                          "setup JSON file")], str(path))
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SetupError([Problem("", f"setup file {path} does not exist")], str(path)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SetupError([Problem("", f"cannot read {path}: {exc}")], str(path)) from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SetupError([Problem("", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")],
                             str(path)) from None
        except RecursionError:
            raise SetupError([Problem("", "its JSON is nested too deeply to be a setup; a setup nests a few "
                                          "levels (see docs/setup-format.md)")], str(path)) from None
        try:
            return cls.from_json(data, base_dir=path.resolve().parent, source=str(path))
        except RecursionError:
            raise SetupError([Problem("", "a value in it is nested too deeply to be a setup; a setup nests a "
                                          "few levels (see docs/setup-format.md)")], str(path)) from None

    def save(self, path: str | os.PathLike, relative_data: bool = True) -> None:
        path = Path(path)
        data = self.to_json()
        if relative_data:
            try:
                data["data"]["path"] = os.path.relpath(self.data_path.resolve(), path.resolve().parent)
            except ValueError:  # another drive on Windows
                data["data"]["path"] = str(self.data_path.resolve())
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)


def _parse_space(problems: list[Problem], where: str, raw: Mapping[str, Any]) -> dict[str, Hyperparameter]:
    space = {}
    for name, spec in raw.items():
        hp = _parse(problems, f"{where}.{name}", Hyperparameter.from_dict, spec)
        if hp is not None:
            space[name] = hp
    return space


def _parse(problems: list[Problem], where: str, parse, value):
    try:
        return parse(value)
    except (TypeError, ValueError, KeyError) as exc:
        message = str(exc).strip("'\"") or type(exc).__name__
        problems.append(Problem(where, message))
        return None


def _strategy_spec(data: Any) -> StrategySpec:
    if data is None:
        return StrategySpec()
    if isinstance(data, str):
        return StrategySpec(name=data)
    if not isinstance(data, Mapping):
        raise ValueError("strategy must be an object such as {\"name\": \"tpe\", \"seed\": 0}")
    unknown = set(data) - {"name", "seed", "pruner", "manual", "allow_large_grid", "starts", "resource", *PBT_KEYS}
    if unknown:
        raise ValueError(f"unknown strategy key(s): {', '.join(sorted(unknown))}")
    manual = data.get("manual") or ()
    if not isinstance(manual, (list, tuple)):
        raise ValueError("strategy.manual must be a list of configurations")
    name = data.get("name", "tpe")
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")
    return StrategySpec(name=name, seed=data.get("seed", 0), pruner=data.get("pruner") or "none",
                        manual=tuple(manual), allow_large_grid=bool(data.get("allow_large_grid", False)),
                        starts=data.get("starts"), resource=data.get("resource") or "folds",
                        **{key: data.get(key) for key in PBT_KEYS})


def _budget(data: Any) -> Budget:
    if data is None:
        return Budget()
    if not isinstance(data, Mapping):
        raise ValueError("budget must be an object such as {\"trials\": 50}")
    unknown = set(data) - {"trials", "timeout_s", "patience", "target_score", "trial_timeout_s"}
    if unknown:
        raise ValueError(f"unknown budget key(s): {', '.join(sorted(unknown))}")
    return Budget(trials=data.get("trials", 50), timeout_s=data.get("timeout_s"),
                  patience=data.get("patience"), target_score=data.get("target_score"),
                  trial_timeout_s=data.get("trial_timeout_s"))
