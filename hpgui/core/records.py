"""What a trial is once it ran, and the names hpgui keeps in a study's attributes.

Views, snapshots, the library and recovery need these without the search loop, so
they live here and import nothing of the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from .choice import MODEL_PARAM

ATTR_SETUP = "hpgui:setup"
ATTR_DATASET = "hpgui:dataset"
ATTR_VERSION = "hpgui:version"
ATTR_CREATED = "hpgui:created"
ATTR_BASELINE = "hpgui:baseline"  # the dummy model's score on the study's folds (core.baseline)
TRIAL_ATTR = "hpgui"
QUEUED_ATTR = "hpgui:queued"
SURPLUS_ATTR = "hpgui:surplus"
RETRY_ATTR = "hpgui:retry_of"
#: The descent a gradient-strategy trial belongs to (0, 1, ... for each starting point).
CHAIN_ATTR = "hpgui:chain"
#: A population-based-training trial's place in the population (hpgui.core.pbt): a dict with
#: ``member`` (0..N-1), ``round`` (0, 1, ...), ``parent`` (the trial number whose trained models it
#: continued from, None in round 0), ``exploited`` (True when it copied a better member's models
#: instead of continuing its own), ``units`` (resource units trained at its end, counted from the
#: start of its lineage) and ``schedule`` ([[from_unit, {param: value, ...}], ...] from unit 0: the
#: hyperparameters its models were trained with, segment by segment, along its whole lineage).
PBT_ATTR = "hpgui:pbt"
#: Optuna state name -> the name hpgui shows and exports
STATE_NAMES = {"COMPLETE": "complete", "FAIL": "failed", "PRUNED": "pruned", "RUNNING": "running",
               "WAITING": "waiting"}


@dataclass
class TrialRecord:
    """One trial as hpgui shows and exports it."""

    number: int
    state: str
    value: float | None
    params: dict[str, Any]
    std: float | None = None
    folds: list[float] | None = None
    train_score: float | None = None
    duration_s: float | None = None
    fit_time_s: float | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    started: datetime | None = None
    finished: datetime | None = None
    worker: str | None = None  # "host:pid" of the process that ran it
    model: str | None = None   # the model it fitted (None in studies made before models were recorded)
    chain: int | None = None   # the gradient descent it is a step of (gradient strategy only)
    pbt: dict[str, Any] | None = None  # its place in a population (PBT_ATTR), pbt strategy only
    #: How far it trained when stopped by a resource or by folds (hpgui.core.fidelity), else None.
    resource: dict[str, Any] | None = None
    #: The scores it reported, as [step, score] pairs (its learning curve), else None.
    curve: list[list[float]] | None = None

    @classmethod
    def from_frozen(cls, trial: Any) -> "TrialRecord":
        # Called once per stored trial when a study opens (100,000 of them for a large study), so it
        # reads each FrozenTrial attribute once.
        info = trial.user_attrs.get(TRIAL_ATTR) or {}
        started, finished = trial.datetime_start, trial.datetime_complete
        state = STATE_NAMES.get(trial.state.name) or trial.state.name.lower()
        params = trial.params
        return cls(
            number=trial.number,
            state=state,
            value=trial.value if state == "complete" else None,
            params=dict(params),
            std=info.get("std"),
            folds=info.get("folds"),
            train_score=info.get("train"),
            duration_s=(finished - started).total_seconds() if started is not None and finished is not None
            else None,
            fit_time_s=info.get("fit_time_s"),
            error=info.get("error"),
            warnings=list(info["warnings"]) if "warnings" in info else [],
            started=started,
            finished=finished,
            worker=info.get("worker"),
            model=info.get("model") or _model_param(params),
            chain=trial.user_attrs.get(CHAIN_ATTR),
            pbt=trial.user_attrs.get(PBT_ATTR),
            resource=info.get("resource"),
            curve=_curve(trial.intermediate_values),
        )


STOPPED_PREFIX = "Interrupted: the search was stopped"


def shown_state(record: TrialRecord) -> str:
    """The state as a user reads it: a trial cut off by Stop is "stopped", not "failed" (it did not fail;
    its point is queued again). Storage keeps it as failed, which is all Optuna has."""
    if record.state == "failed" and (record.error or "").startswith(STOPPED_PREFIX):
        return "stopped"
    return record.state


def records_from_frozen(trials: Any) -> list[TrialRecord]:
    """Records of finished and running trials (not waiting or surplus ones), in the order given.

    The cyclic garbage collector is paused meanwhile: 100,000 new records would set off
    full collections over every object alive, which took more time than the conversion.
    """
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return [TrialRecord.from_frozen(t) for t in trials
                if t.state.name != "WAITING" and not t.user_attrs.get(SURPLUS_ATTR)]
    finally:
        if enabled:
            gc.enable()


def _curve(values: Mapping[int, float]) -> list[list[float]] | None:
    if not values:
        return None
    return [[step, values[step]] for step in sorted(values)]


def _model_param(params: Mapping[str, Any]) -> str | None:
    value = params.get(MODEL_PARAM)
    return value if isinstance(value, str) else None


def requeue(study: Any, trial: Any) -> None:
    """Put a queued (grid or manual) point cut off by Stop back in the queue, so a resumed study runs it."""
    kind = trial.user_attrs.get(QUEUED_ATTR)
    # A trial cut off before it sampled has no params yet; its queued point is still in fixed_params.
    params = trial.params or trial.system_attrs.get("fixed_params")
    if kind and params:
        # The retry names the trial it replaces, so the cut-off one is not counted against the budget.
        study.enqueue_trial(dict(params), user_attrs={QUEUED_ATTR: kind, RETRY_ATTR: trial.number})


def counted(trials: list) -> list:
    """The trials without those whose queued point was run again (the retry counts instead)."""
    retried = {t.user_attrs.get(RETRY_ATTR) for t in trials}
    return [t for t in trials if t.number not in retried]
