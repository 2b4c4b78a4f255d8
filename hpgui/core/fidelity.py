"""Multi-fidelity trials: train on the study's fixed folds step by step and report after each step.

A trial trained by a resource (epochs, trees, boosting stages, rows) walks the steps of
:func:`~hpgui.core.resources.schedule`; at each step every fold's model is trained further
(:class:`~hpgui.core.resources.Trainer`), scored on that fold's validation rows, and the mean
reported to Optuna (``trial.report(score, step)``), whose pruner may stop it. The folds are
the study's own (:class:`~hpgui.core.foldcache.FoldCache`): the same rows for every trial and
every step, each fold's preprocessing fitted once; a rows step trains on a prefix of the
fold's fixed stratified order, never on a validation row.

What a trial reached is kept in its result attribute as ``resource``:
``{"kind", "reached", "max", "work", "folds"}`` (``work``: units trained in all, more than
``reached`` where each step fits afresh). :func:`savings` sums them into the compute a
search saved against training every trial to the end.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

import numpy as np

from .evaluate import Interrupted, Score
from .recipe import Call
from .resources import FOLDS, ROWS, ResourceSpec, Trainer, rows_spec, schedule, stratified_order
from .space import Problem

if TYPE_CHECKING:
    from .modelspec import ModelSpec
    from .records import TrialRecord
    from .runner import Search

#: Pruners that work between folds only (a paired test on the fold scores).
FOLD_ONLY_PRUNERS = ("wilcoxon",)


def model_resource(model: "ModelSpec", kind: str) -> ResourceSpec | None:
    """The model's own resource if it is of ``kind`` (None for folds, rows, or another kind)."""
    spec = model.resource
    return spec if spec is not None and spec.kind == kind else None


def resource_problems(kind: str, pruner: str, models: Iterable["ModelSpec"]) -> list[Problem]:
    """What is wrong with stopping trials by ``kind`` with ``pruner`` for these models."""
    from .resources import RESOURCES

    if kind not in RESOURCES:
        return [Problem("strategy.resource", f"resource must be one of {', '.join(RESOURCES)}")]
    problems = []
    if kind not in (FOLDS, ROWS):
        lacking = [m.label for m in models if model_resource(m, kind) is None]
        if lacking:
            problems.append(Problem(
                "strategy.resource",
                f"{', '.join(lacking)} {'is' if len(lacking) == 1 else 'are'} not trained in {kind}; "
                "stop trials by rows or folds instead, or pick a model that has them"))
    if kind != FOLDS and pruner in FOLD_ONLY_PRUNERS:
        problems.append(Problem("strategy.pruner", "the Wilcoxon pruner compares fold scores, so it works "
                                                   "between folds only; choose folds, or another pruner"))
    return problems


@dataclass(frozen=True)
class Plan:
    """How the trials of one search are stopped early: by which resource, over which steps."""

    kind: str
    #: The resource per model name (rows: the same for every model).
    specs: Mapping[str, ResourceSpec]
    #: Rows only: each training fold's fixed stratified order, made once per study.
    orders: dict[int, np.ndarray] = field(default_factory=dict, compare=False)

    def spec(self, model: str) -> ResourceSpec:
        return self.specs[model]

    def steps(self, model: str) -> list[int]:
        spec = self.specs[model]
        # Midpoints between rungs only where a step costs little more than its scoring: an epoch of
        # partial_fit, a batch of trees. A refit pays for every step again, and a warm-started boosting
        # fit bins the data and predicts with every stage so far each time.
        dense = spec.method == "partial_fit" or spec.kind == "trees"
        return schedule(spec.minimum, spec.maximum, dense=dense)

    @property
    def bounds(self) -> tuple[int, int]:
        """The smallest minimum and the largest maximum: the pruner's resource range."""
        return (min(s.minimum for s in self.specs.values()), max(s.maximum for s in self.specs.values()))

    def space_without(self, space: Mapping[str, Any], qualified: Callable[[str, str], str]) -> dict[str, Any]:
        """The searched space without the hyperparameters the resource now sets (max_iter, n_estimators)."""
        dropped = {qualified(model, name) for model, spec in self.specs.items() if spec.kind != ROWS
                   for name in (spec.param, *spec.fixed)}
        return {k: v for k, v in space.items() if k not in dropped}

    def estimator_params(self, model: str, own: Mapping[str, Any]) -> dict[str, Any]:
        """A trial's own hyperparameters plus what the resource sets: the full count, its early stopping off."""
        spec = self.specs.get(model)
        if spec is None or spec.kind == ROWS:
            return dict(own)
        return {**own, spec.param: spec.maximum, **spec.fixed}


def make_plan(kind: str, models: Iterable["ModelSpec"], splits: list, n_classes: int | None) -> Plan | None:
    """The plan for stopping by ``kind``; None for folds (the trial loop reports between folds itself)."""
    models = list(models)
    if kind == FOLDS:
        return None
    if kind == ROWS:
        largest = max(len(train) for train, _ in splits)
        spec = rows_spec(largest, n_classes)
        return Plan(kind, {m.name: spec for m in models})
    return Plan(kind, {m.name: m.resource for m in models})


def pruner_bounds(plan: Plan | None, folds: int) -> tuple[int, int]:
    return plan.bounds if plan is not None else (1, max(folds, 1))


@dataclass
class StepResult:
    score: Score
    resource: dict[str, Any]


def evaluate_by_resource(search: "Search", params: Mapping[str, Any],
                         report: Callable[[float, int, bool], None]) -> StepResult:
    """Cross-validate one configuration step by step of its resource on the study's folds.

    ``report(score, step, last)`` runs after every step with the mean validation score; it may raise
    :class:`~hpgui.core.evaluate.Interrupted` (pruned, stopped), which leaves here carrying what the
    trial reached. The last step is the full resource: the scores are those of a plain fit. Warnings
    of the fits are collected into the score, as Search.evaluate does.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _evaluate(search, params, report)
    seen: list[str] = []
    for w in caught:
        text = f"{w.category.__name__}: {' '.join(str(w.message).split())}"[:300]
        if text not in seen:
            seen.append(text)
    result.score.warnings = seen[:3]
    return result


def _evaluate(search: "Search", params: Mapping[str, Any],
              report: Callable[[float, int, bool], None]) -> StepResult:
    from sklearn import config_context

    from .pipeline import split_recipe
    from .recipe import source

    plan = search.fidelity
    chosen, _ = search.model_of(params)
    spec = plan.spec(chosen.name)
    steps = plan.steps(chosen.name)
    prefix, model = split_recipe(search.recipe(params))
    key = "" if prefix is None else source(prefix)
    n = len(search.splits)
    folds = [search.folds.fold(key, i, None if prefix is None else prefix.build) for i in range(n)]

    def make(units: int) -> Any:
        if spec.kind == ROWS:
            return model.build()
        return Call(model.path, model.args, {**model.kwargs, spec.param: units}).build()

    classification = search.task == "classification"
    trainers = [Trainer(spec, make, f.X_train, f.y_train, f.w_train, seed=search.seed,
                        order=_row_order(search, i, f.y_train, classification) if spec.kind == ROWS else None)
                for i, f in enumerate(folds)]
    fit_time = score_time = 0.0
    work = 0
    scores: list[float] = []
    progress = {"kind": spec.kind, "reached": 0, "max": spec.maximum, "work": 0, "folds": n}
    for data in folds:
        data.replay_warnings()
    for step in steps:
        scores = []
        for trainer, data in zip(trainers, folds):
            started = time.perf_counter()
            with config_context(assume_finite=data.finite):
                trainer.advance(step - trainer.reached)
            fitted = time.perf_counter()
            with config_context(skip_parameter_validation=True):
                scores.append(_score(search.scorer, trainer.model, data.X_test, data.y_test, data.w_test))
            fit_time += fitted - started
            score_time += time.perf_counter() - fitted
        work += step if spec.method == "refit" or spec.kind == ROWS else step - progress["reached"]
        value = float(np.mean(scores))
        progress.update(reached=step, work=work, score=value, fit_time_s=fit_time)
        try:
            report(value, step, step == steps[-1])
        except Interrupted as exc:
            exc.progress = dict(progress)
            raise
    train_scores = []
    with config_context(skip_parameter_validation=True):
        for trainer, data in zip(trainers, folds):
            train_scores.append(_score(search.scorer, trainer.model, data.X_train, data.y_train, data.w_train))
    values = np.asarray(scores, dtype=float)
    score = Score(value=float(values.mean()), std=float(values.std()), folds=scores,
                  train=float(np.mean(train_scores)), fit_time_s=fit_time, score_time_s=score_time)
    progress.pop("score", None)
    progress.pop("fit_time_s", None)
    return StepResult(score, progress)


def _row_order(search: "Search", index: int, y_train: Any, classification: bool) -> np.ndarray:
    orders = search.fidelity.orders
    if index not in orders:
        seed = (int(search.seed or 0) * 7919 + index) % 2 ** 32
        orders[index] = stratified_order(y_train, seed, classification)
    return orders[index]


def _score(scorer: Callable[..., float], model: Any, X: Any, y: Any, weight: Any) -> float:
    if weight is None:
        return float(scorer(model, X, y))
    return float(scorer(model, X, y, sample_weight=weight))


@dataclass(frozen=True)
class Savings:
    """Compute a search spent against training each of its trials to the end."""

    trials: int
    fits: float          # fold fits done (a pruned trial's partial fits as fractions)
    full_fits: float     # fold fits a run without stopping would have done
    seconds: float       # fit seconds spent
    full_seconds: float  # fit seconds the same trials would have taken to the end (estimated)

    @property
    def fits_saved(self) -> float:
        return self.full_fits - self.fits

    @property
    def seconds_saved(self) -> float:
        return self.full_seconds - self.seconds

    def describe(self) -> str:
        if not self.trials or self.full_fits <= 0:
            return ""
        share = self.fits_saved / self.full_fits
        return (f"Stopping early saved {self.fits_saved:,.0f} of {self.full_fits:,.0f} fits ({share:.0%}) "
                f"and about {_seconds(self.seconds_saved)} of fitting")


def _seconds(s: float) -> str:
    return f"{s:,.0f} s" if abs(s) >= 10 else f"{s:.1f} s"


def savings(records: Iterable["TrialRecord"]) -> Savings:
    """What stopping early saved: the fits and seconds of the trials as run, against running them to the end.

    A stopped trial's time to the end is taken from the trials that did reach the end (their median, per
    full resource); before any did, from its own time per unit, which overstates it for models whose
    early units cost the most. The units of a complete trial trained by refits add up to more than one
    full fit, which counts against the savings, as it should.
    """
    kept = []
    for r in records:
        res = r.resource
        if res and r.state in ("complete", "pruned") and res.get("max"):
            kept.append((r, res, max(res.get("work") or res["reached"], 1)))
    full_times = [(r.fit_time_s or 0.0) * res["max"] / work for r, res, work in kept
                  if r.state == "complete" and r.fit_time_s]
    typical = float(np.median(full_times)) if full_times else None
    fits = full_fits = seconds = full_seconds = 0.0
    for r, res, work in kept:
        per_unit = res["folds"] / res["max"] if res["kind"] != FOLDS else 1.0
        fits += per_unit * work
        full_fits += per_unit * res["max"]
        spent = r.fit_time_s or 0.0
        seconds += spent
        own = spent * res["max"] / work
        full_seconds += own if r.state == "complete" or typical is None else max(typical, spent)
    return Savings(len(kept), fits, full_fits, seconds, full_seconds)
