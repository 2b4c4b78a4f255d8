"""One trial of a search: its values, its cross-validation, its result in the study.

A trial's records reach a journal file in three appends (see :mod:`hpgui.core.journal_batch`):
the new trial (``Study.ask``); its owner and suggested values, sent before the fit so that a
worker dying mid-fit leaves them; its result attribute with its final state.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .evaluate import Interrupted
from .fidelity import evaluate_by_resource
from .journal_batch import held
from .records import TRIAL_ATTR, TrialRecord, requeue
from .recovery import heartbeat, worker_id
from .space import Hyperparameter, is_active

if TYPE_CHECKING:
    from .runner import Search


def _sanitize(value: Any) -> Any:
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    return value


def suggest(trial: Any, name: str, hp: Hyperparameter) -> Any:
    """Ask the trial for one value; explicit value lists are categorical to Optuna."""
    if hp.type == "categorical":
        return trial.suggest_categorical(name, list(hp.choices))
    if hp.values is not None:
        return trial.suggest_categorical(name, [_sanitize(v) for v in hp.values])
    if hp.type == "int":
        return trial.suggest_int(name, int(hp.low), int(hp.high), step=int(hp.step or 1), log=hp.log)
    return trial.suggest_float(name, float(hp.low), float(hp.high), step=hp.step, log=hp.log)


def error_text(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    text = " ".join(text.split())
    if len(text) > 500:
        text = text[:497] + "…"
    return f"{type(exc).__name__}: {text}"


def sample(search: "Search", trial: Any) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name in search.order:
        if is_active(name, params, search.conditions, search.defaults):
            params[name] = suggest(trial, name, search.space[name])
    return params

def run_trial(search: "Search", trial: Any, should_stop: Callable[[], bool]) -> tuple[TrialRecord, str | None]:
    """Evaluate one asked trial and tell the study; returns the record and a stop reason, if any."""
    from optuna.trial import TrialState

    pruner = search.setup.strategy.pruner
    prune = pruner != "none"
    n_folds = len(search.splits)

    report = getattr(search, "fold_callback", None)

    def on_fold(index: int, scores: list[float]) -> None:
        if report is not None:
            report(trial.number, index + 1, n_folds)
        if index == n_folds - 1:
            return  # the trial is complete; stopping now would only throw it away
        if should_stop():
            raise Interrupted("stopped")
        if prune:
            # Wilcoxon pairs each fold's own score with the best trial's on that fold; the others
            # compare running means.
            trial.report(float(scores[-1] if pruner == "wilcoxon" else np.mean(scores)), step=index)
            if trial.should_prune():
                exc = Interrupted("pruned")
                exc.progress = {"kind": "folds", "reached": index + 1, "max": n_folds, "work": index + 1,
                                "folds": n_folds, "score": float(np.mean(scores))}
                raise exc

    def on_step(value: float, step: int, last: bool) -> None:
        trial.report(value, step=step)
        if last:
            return
        if should_stop():
            raise Interrupted("stopped")
        if prune and trial.should_prune():
            raise Interrupted("pruned")

    stop_reason = None
    info: dict[str, Any] = {"worker": worker_id()}
    try:
        with held(search._batch):  # the suggested values go with the owner, in one append
            params = sample(search, trial)
        if search._batch is not None:
            search._batch.flush()  # on disk before the fit: a worker that dies mid-fit leaves them
        info["model"] = search.choice.split(params)[0]
        resource = None
        fitted: list | None = [] if search.planner is not None else None
        with heartbeat(search.study, trial._trial_id):
            if search.pbt is not None:
                score = search.pbt.evaluate(params, search.pbt.current, trial.number, should_stop)
            elif search.fidelity is not None:
                stepped = evaluate_by_resource(search, params, on_step)
                score, resource = stepped.score, stepped.resource
            else:
                # Only a descent needs the fitted fold models (tests and benchmarks wrap evaluate).
                score = (search.evaluate(params, on_fold) if fitted is None
                         else search.evaluate(params, on_fold, keep=fitted))
                if prune:
                    resource = {"kind": "folds", "reached": n_folds, "max": n_folds, "work": n_folds,
                                "folds": n_folds}
    except Interrupted as exc:
        if exc.reason == "pruned":
            state = TrialState.PRUNED
            if exc.progress is not None:  # how far it got, and its last score
                info["resource"] = {k: v for k, v in exc.progress.items() if k != "fit_time_s"}
                if "fit_time_s" in exc.progress:
                    info["fit_time_s"] = exc.progress["fit_time_s"]
        else:
            state, stop_reason = TrialState.FAIL, "stopped"
            info["error"] = "Interrupted: the search was stopped while this trial ran"
        frozen = close(search, trial, info, state=state)
        if state == TrialState.FAIL:
            requeue(search.study, frozen)
    except KeyboardInterrupt:
        info["error"] = "Interrupted: the search was stopped while this trial ran"
        frozen = close(search, trial, info, state=TrialState.FAIL)
        requeue(search.study, frozen)
        stop_reason = "interrupted"
    except Exception as exc:  # a model that raises is data, not a crash
        info["error"] = error_text(exc)
        frozen = close(search, trial, info, state=TrialState.FAIL)
    else:
        info = {"std": score.std, "folds": score.folds, "train": score.train,
                "fit_time_s": score.fit_time_s, "worker": worker_id(), "model": info["model"]}
        if resource is not None:
            info["resource"] = resource
        if search.pbt is not None and search.pbt.replayed:
            info["replayed"] = search.pbt.replayed  # units its parent's models were rebuilt by (not kept here)
        if score.warnings:
            info["warnings"] = score.warnings
        if fitted is not None:
            info["descent"] = descent_step(search, params, fitted)
        if not math.isfinite(score.value):
            info["error"] = f"the {search.metric.label} score is not a number ({score.value})"
            frozen = close(search, trial, info, state=TrialState.FAIL)
        else:
            frozen = close(search, trial, info, value=score.value)
    return TrialRecord.from_frozen(frozen), stop_reason

def descent_step(search: "Search", params: dict[str, Any], fitted: list) -> dict[str, Any]:
    """The loss and hypergradient the planner needs, kept with the trial (its point only, if they fail)."""
    own = {**search.choice.defaults, **search.model_of(params)[1]}
    try:
        return search.planner.measure(params, own, [m for m, _ in fitted], [f for _, f in fitted])
    except (ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
        # A singular system at an extreme point: the descent treats the point as a failed step and
        # steps back, while the trial keeps its score.
        return {"x": [float(v) for v in search.planner.coords.to_unit(params)], "loss": None,
                "error": error_text(exc)}


def close(search: "Search", trial: Any, info: dict[str, Any], *, state: Any = None, value: float | None = None) -> Any:
    """Record the trial's result attribute and tell the study, in one journal append."""
    try:
        with held(search._batch):
            trial.set_user_attr(TRIAL_ATTR, info)
        return search.study.tell(trial, value, state=state)
    finally:
        if search._batch is not None:
            # Still held only if the storage refused before tell wrote: another process closed the trial.
            search._batch.discard()

def read_closed_trial(search: "Search", trial_id: int) -> Any:
    """The stored trial after another process closed it while this one was still writing to it.

    Records this process sent together (the suggested values) are each refused once by the
    journal's replay, one per read, as "already finished"; read until they are all passed.
    """
    from optuna.exceptions import UpdateFinishedTrialError

    while True:
        try:
            return search.study._storage.get_trial(trial_id)
        except UpdateFinishedTrialError:
            continue
