"""One round of a population member: its parent's models continued for k units on every fold.

The models a trial trained stay in memory in the process that trained them (``ModelCache``); a
trial that continues a parent this process does not hold (another worker trained it, or the run
was killed and resumed) rebuilds the parent's models by replaying its schedule from unit 0 on the
same folds: the same calls in the same order, so the same models. Nothing is written to disk and
nothing is unpickled, so a study is continued from its storage alone, on any machine.
"""

from __future__ import annotations

import copy
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping

import numpy as np

from .evaluate import Interrupted, Score
from .pbt import Shape, Slot
from .pbt_train import PBT_MODELS, PBTModel, replay_schedule, set_hyperparameters, train_units

if TYPE_CHECKING:
    from .runner import Search


@dataclass
class FoldModel:
    model: Any
    reached: int


class ModelCache:
    """The last trials' trained fold models of this process, by trial number (a bounded number)."""

    def __init__(self, size: int):
        self.size = max(2, size)
        self._kept: OrderedDict[int, list[FoldModel]] = OrderedDict()
        self.replays = 0  # parents rebuilt by replay (for tests and the benchmark)

    def keys(self) -> list[int]:
        return list(self._kept)

    def put(self, number: int, models: list[FoldModel]) -> None:
        self._kept[number] = models
        self._kept.move_to_end(number)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)

    def take(self, number: int) -> list[FoldModel] | None:
        """A copy of the kept models (the parent may be continued by several members)."""
        kept = self._kept.get(number)
        return None if kept is None else copy.deepcopy(kept)


class Run:
    """What a PBT search needs beside its planner: the model's rules, the shape, the fold models."""

    def __init__(self, search: "Search", shape: Shape, model: PBTModel):
        self.search, self.shape, self.model = search, shape, model
        self.cache = ModelCache(2 * shape.population)
        self.current: Slot | None = None  # the slot of the trial being asked (set by the runner)
        self.replayed = 0  # units per fold the last trial replayed to rebuild its parent (0: kept in memory)

    # -- estimators ------------------------------------------------------------------------
    def estimator_params(self, own: Mapping[str, Any]) -> dict[str, Any]:
        return {**own, self.model.param: self.shape.round_units, **self.model.fixed}

    def applied(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """A trial's values as the estimator takes them, only those that may change mid-training."""
        spec, own = self.search.model_of(params)
        decoded = spec.decode(self.search.task, own)
        return {k: v for k, v in decoded.items() if k in self.model.mutable}

    def schedule_applied(self, schedule: list) -> list:
        """A stored schedule with estimator values (what the script replays)."""
        return [[int(start), self.applied(params)] for start, params in schedule]

    def classes(self, y: Any) -> Any:
        return np.unique(y) if self.search.task == "classification" else None

    # -- one round -------------------------------------------------------------------------
    def evaluate(self, trial_params: Mapping[str, Any], slot: Slot, trial_number: int,
                 should_stop: Callable[[], bool]) -> Score:
        from sklearn import config_context

        from .fidelity import _score
        from .pipeline import split_recipe
        from .recipe import source

        search = self.search
        prefix, last = split_recipe(search.recipe(dict(slot.schedule[0][1])))
        key = "" if prefix is None else source(prefix)
        folds = [search.folds.fold(key, i, None if prefix is None else prefix.build)
                 for i in range(len(search.splits))]
        start = slot.units - self.shape.round_units
        self.replayed = 0
        models = self.parent_models(slot, last.build, folds, start)
        values = self.applied(trial_params)
        scores, train_scores = [], []
        fit_time = score_time = 0.0
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for held, data in zip(models, folds):
                if should_stop():
                    raise Interrupted("stopped")
                data.replay_warnings()
                began = time.perf_counter()
                with config_context(assume_finite=data.finite):
                    set_hyperparameters(held.model, values)
                    held.reached = train_units(held.model, data.X_train, data.y_train, data.w_train, held.reached,
                                               self.shape.round_units, self.model.method, self.model.param,
                                               self.classes(data.y_train))
                fitted = time.perf_counter()
                with config_context(skip_parameter_validation=True):
                    scores.append(_score(search.scorer, held.model, data.X_test, data.y_test, data.w_test))
                    train_scores.append(_score(search.scorer, held.model, *data.train_score_rows))
                fit_time += fitted - began
                score_time += time.perf_counter() - fitted
        self.cache.put(trial_number, models)
        seen: list[str] = []
        for w in caught:
            text = f"{w.category.__name__}: {' '.join(str(w.message).split())}"[:300]
            if text not in seen:
                seen.append(text)
        arr = np.asarray(scores, dtype=float)
        return Score(value=float(arr.mean()), std=float(arr.std()), folds=[float(s) for s in scores],
                     train=float(np.mean(train_scores)), fit_time_s=fit_time, score_time_s=score_time,
                     warnings=seen[:3])

    def parent_models(self, slot: Slot, make: Callable[[], Any], folds: list, start: int) -> list[FoldModel]:
        """The parent's models at unit ``start``: kept in this process, or replayed from its schedule."""
        if slot.parent is None:
            return [FoldModel(make(), 0) for _ in folds]
        kept = self.cache.take(slot.parent)
        if kept is not None and all(m.reached == start for m in kept):
            return kept
        self.cache.replays += 1
        self.replayed = start
        schedule = self.schedule_applied(slot.schedule)
        out = []
        for data in folds:
            model = make()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                replay_schedule(model, data.X_train, data.y_train, data.w_train, schedule, start,
                                self.shape.round_units, self.model.method, self.model.param,
                                self.classes(data.y_train))
            out.append(FoldModel(model, start))
        return out

    # -- after the search --------------------------------------------------------------------
    def builder(self, params: Mapping[str, Any], records: list) -> Callable[[], Any]:
        """Fresh pipelines whose ``fit`` replays the schedule of the best complete trial with these values.

        Diagnostics fit "the configuration" per fold and on all rows by calling ``fit``; for a population's
        trial that must be its schedule, or they would describe another model.
        """
        matching = [r for r in records if r.state == "complete" and r.pbt and r.params == dict(params)]
        if not matching:
            raise ValueError("no complete trial of the population has these values")
        info = self.search.best_of(matching).pbt
        schedule = self.schedule_applied(info["schedule"])
        first = dict(info["schedule"][0][1])

        def build() -> Any:
            pipeline = self.search.recipe(first).build()

            def fit(X: Any, y: Any = None, sample_weight: Any = None) -> Any:
                return fit_replayed(pipeline, X, y, sample_weight, schedule, int(info["units"]),
                                    self.shape.round_units, self.model.method, self.model.param)

            pipeline.fit = fit  # this object only: predict, predict_proba and the rest stay the pipeline's
            return pipeline

        return build

    def fit_trial(self, params: Mapping[str, Any], records: list) -> Any:
        """The schedule of the best complete trial with these values, replayed on all training rows."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.builder(params, records)().fit(self.search.X, self.search.y, self.search.weight)

    def fit_schedule(self, params: Mapping[str, Any], info: Mapping[str, Any]) -> Any:
        """The whole pipeline trained on all training rows by the trial's schedule (its lineage's values)."""
        search = self.search
        schedule = info["schedule"]
        pipeline = search.recipe(dict(schedule[0][1])).build()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit_replayed(pipeline, search.X, search.y, search.weight, self.schedule_applied(schedule),
                         int(info["units"]), self.shape.round_units, self.model.method, self.model.param)
        return pipeline


def fit_replayed(pipeline, X, y, weight, schedule, units, round_units, method, param):
    """Fit a pipeline's preprocessing once, then replay the schedule on its last step (the model).

    Written into the exported script as source, with the functions of hpgui.core.pbt_train it calls.
    """
    from sklearn.base import is_classifier

    steps = pipeline.steps if hasattr(pipeline, "steps") else None
    if steps is not None and len(steps) > 1:
        Xt = pipeline[:-1].fit_transform(X, y)
        model = steps[-1][1]
    else:
        Xt, model = X, (steps[-1][1] if steps is not None else pipeline)
    yt = np.asarray(y)
    classes = np.unique(yt) if is_classifier(model) else None
    replay_schedule(model, Xt, yt, weight, schedule, units, round_units, method, param, classes)
    return pipeline


def population(search: "Search") -> tuple[Any, Any]:
    """The run and the planner of a population-based search (None, None for any other strategy)."""
    if search.setup.strategy.name != "pbt":
        return None, None
    from .catalog import get_model
    from .pbt import Planner

    name = search.choice.models[0]
    rules = PBT_MODELS[name]
    shape = Shape.of(search.setup.strategy, get_model(name).resource.maximum)
    # The count of units is the rounds' business, and the model's own early stopping is off.
    dropped = {rules.param, *rules.fixed}
    search.space = {k: v for k, v in search.space.items() if k not in dropped}
    search.order = [n for n in search.order if n in search.space]
    search.budget_trials = shape.trials
    return Run(search, shape, rules), Planner(search, shape, rules)


__all__ = ["FoldModel", "ModelCache", "Run", "fit_replayed", "population"]
