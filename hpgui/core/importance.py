"""Hyperparameter importance from finished trials, by Optuna's evaluators.

The window's trials are plain :class:`~hpgui.core.records.TrialRecord` values
(they may come from a child process or a database), so this module builds a
throw-away in-memory Optuna study from them, with each hyperparameter's
distribution taken from the search space (widened to any value the trials
hold outside it), and asks an evaluator:

- PED-ANOVA (the default; fast): which hyperparameters matter for reaching the
  best 10 % of scores. Since Optuna 5 it assesses conditional hyperparameters
  too (those that apply to only some trials).
- fANOVA (random-forest based; far slower, so it sees at most 300 trials): how much of the score's variance each
  hyperparameter explains. It needs every trial to carry every hyperparameter,
  so conditional ones are left out, and said so.

Nothing here touches Qt; the importance view runs :func:`compute` on a worker.
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from .records import TrialRecord
from .space import Hyperparameter
from .formatting import is_number

#: Fewer completed trials than this give importances that are mostly noise.
MIN_TRIALS = 10

#: Above this many completed trials, a random sample of them is used (the evaluators slow down with size).
MAX_TRIALS = {"ped-anova": 2_000, "fanova": 300}

METHODS = {"ped-anova": "PED-ANOVA", "fanova": "fANOVA"}


class ImportanceError(ValueError):
    """Importance cannot be computed for these trials; the message says why and what to do."""


@dataclass(frozen=True)
class Importances:
    """Importance per hyperparameter, largest first, summing to 1."""

    names: list[str]
    values: list[float]
    method: str          # a key of METHODS
    n_trials: int        # completed trials offered
    n_used: int          # trials the evaluator saw (a sample when there were many)
    skipped: dict[str, str] = field(default_factory=dict)  # hyperparameter -> why it was not assessed

    def as_dict(self) -> dict[str, float]:
        return dict(zip(self.names, self.values))


def _conditional_supported() -> bool:
    """Whether this Optuna's PED-ANOVA assesses hyperparameters missing from some trials (Optuna 5+)."""
    import optuna

    try:
        return int(optuna.__version__.split(".")[0]) >= 5
    except ValueError:
        return False


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def distributions(space: Mapping[str, Hyperparameter], records: Sequence[TrialRecord]) -> dict[str, Any]:
    """Optuna distributions that hold every value the trials took, shaped like the ones the search used."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    out: dict[str, Any] = {}
    for name, hp in space.items():
        seen = [r.params[name] for r in records if name in r.params]
        if hp.type == "categorical" or hp.values is not None:
            # The runner asks for explicit value lists as categorical too (see runner.suggest).
            choices = [_plain(c) for c in (hp.choices if hp.type == "categorical" else hp.values) or ()]
            for value in seen:
                value = _plain(value)
                if not any(value == c and type(value) is type(c) for c in choices):
                    choices.append(value)
            if choices:
                out[name] = CategoricalDistribution(choices)
            continue
        numbers = [float(v) for v in seen if is_number(v)]
        low = min([float(hp.low)] + numbers)
        high = max([float(hp.high)] + numbers)
        log = bool(hp.log) and low > 0
        if hp.type == "int":
            step = int(hp.step or 1)
            if log or any((v - low) % step for v in numbers):
                step = 1
            out[name] = IntDistribution(int(low), int(high), log=log, step=step)
        else:
            step = hp.step
            if step is not None and (log or any(abs((v - low) / step - round((v - low) / step)) > 1e-8
                                                for v in numbers)):
                step = None
            if step is not None:
                high = low + math.floor((high - low) / step + 1e-9) * step
            out[name] = FloatDistribution(low, high, log=log, step=step)
    return out


class _QuietStudyCreation(logging.Filter):
    """Drops Optuna's "A new study created in memory" line for our throw-away studies (one per recomputation)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return _STUDY_NAME not in record.getMessage()


_STUDY_NAME = "hpgui-importance"
logging.getLogger("optuna.storages._in_memory").addFilter(_QuietStudyCreation())


def build_study(records: Sequence[TrialRecord], space: Mapping[str, Hyperparameter], direction: str):
    """An in-memory Optuna study holding the completed, scored ``records`` with the space's distributions."""
    import optuna
    from optuna.trial import TrialState, create_trial

    dists = distributions(space, records)
    from optuna.study import StudyDirection

    storage = optuna.storages.InMemoryStorage()
    storage.create_new_study([StudyDirection.MAXIMIZE if direction == "maximize" else StudyDirection.MINIMIZE],
                             _STUDY_NAME)
    study = optuna.study.Study(_STUDY_NAME, storage)
    trials = []
    for record in records:
        if record.state != "complete" or record.value is None or not math.isfinite(record.value):
            continue
        params = {n: _plain(v) for n, v in record.params.items() if n in dists}
        try:
            trials.append(create_trial(state=TrialState.COMPLETE, value=float(record.value), params=params,
                                       distributions={n: dists[n] for n in params}))
        except (ValueError, TypeError):
            continue  # a value no distribution can hold (text where numbers are expected): leave the trial out
    study.add_trials(trials)
    return study


def compute(records: Sequence[TrialRecord], space: Mapping[str, Hyperparameter], direction: str = "maximize",
            method: str = "ped-anova", max_trials: int | None = None, seed: int = 0) -> Importances:
    """Importance of each searched hyperparameter from the completed trials among ``records``.

    Raises :class:`ImportanceError` with a message for the user when it cannot be computed.
    """
    if method not in METHODS:
        raise ImportanceError(f"unknown importance method {method!r}; use one of {', '.join(METHODS)}")
    complete = [r for r in records
                if r.state == "complete" and r.value is not None and math.isfinite(r.value)]
    n_trials = len(complete)
    if n_trials < MIN_TRIALS:
        raise ImportanceError(f"importance needs at least {MIN_TRIALS} completed trials; there are {n_trials} "
                              "so far")
    limit = max_trials or MAX_TRIALS[method]
    if n_trials > limit:
        chosen = np.sort(np.random.default_rng(seed).choice(n_trials, size=limit, replace=False))
        complete = [complete[i] for i in chosen]

    names = [n for n in space if any(n in r.params for r in complete)]
    skipped: dict[str, str] = {n: "no completed trial used it" for n in space if n not in names}
    conditional = [n for n in names if not all(n in r.params for r in complete)]
    if conditional and not (method == "ped-anova" and _conditional_supported()):
        for n in conditional:
            skipped[n] = (f"applies to only some trials; {METHODS[method]} needs it in every trial"
                          + ("" if method == "fanova" else " (Optuna 5 assesses it)"))
        names = [n for n in names if n not in conditional]
    if not names:
        raise ImportanceError("no hyperparameter applies to every trial, so none can be assessed; "
                              "try PED-ANOVA" if method == "fanova" else "no hyperparameter can be assessed")

    import optuna
    from optuna.importance import FanovaImportanceEvaluator, PedAnovaImportanceEvaluator

    study = build_study(complete, {n: space[n] for n in names}, direction)
    n_used = len(study.trials)
    if n_used < MIN_TRIALS:
        raise ImportanceError(f"importance needs at least {MIN_TRIALS} usable trials; {n_used} hold values "
                              "inside the search space")
    evaluator = PedAnovaImportanceEvaluator() if method == "ped-anova" else FanovaImportanceEvaluator(n_trees=32, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        warnings.simplefilter("ignore", UserWarning)
        try:
            result = optuna.importance.get_param_importances(study, evaluator=evaluator, params=names)
        except (RuntimeError, ValueError, ZeroDivisionError) as exc:
            raise ImportanceError(f"{METHODS[method]} could not assess these trials ({exc}); "
                                  "wait for more trials or try the other method") from exc
    ordered = sorted(result.items(), key=lambda item: (-item[1], names.index(item[0])))
    for n in names:
        if n not in result:  # e.g. fANOVA drops a hyperparameter that took a single value
            skipped[n] = "took a single value in these trials"
    return Importances([n for n, _ in ordered], [float(v) for _, v in ordered], method, n_trials, n_used,
                       skipped)


__all__ = ["MIN_TRIALS", "MAX_TRIALS", "METHODS", "ImportanceError", "Importances", "build_study", "compute",
           "distributions"]
