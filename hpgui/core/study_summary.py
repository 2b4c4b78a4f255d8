"""A study's row in the library: counts by state, best, model, dataset, metric, dates.

Read from a study's attributes and trials without the search engine; a study made outside hpgui,
or one whose stored setup cannot be read, still gets a row (without a setup).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from .catalog import get_model
from .metrics import METRICS, Metric
from .records import ATTR_CREATED, ATTR_DATASET, ATTR_SETUP, STATE_NAMES, SURPLUS_ATTR
from .setup import SearchSetup, SetupError

STATES = ("complete", "failed", "pruned", "running", "waiting")


@dataclass(frozen=True)
class StudyInfo:
    """One row of the library."""

    name: str
    storage: str | None          # None: the embedded default storage
    path: Path | None = None     # the journal file, for the default storage
    made_by_hpgui: bool = False
    model: str | None = None
    task: str | None = None
    dataset: str | None = None   # the data file's name
    dataset_path: str | None = None
    strategy: str | None = None
    direction: str = "maximize"
    metric: str | None = None
    metric_label: str = "Value"
    budget: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    best: float | None = None
    best_trial: int | None = None
    created: datetime | None = None
    last_trial: datetime | None = None
    problem: str | None = None   # why the study could not be read, if it could not

    @property
    def trials(self) -> int:
        """Trials that ran or run (queued grid points not yet taken do not count)."""
        return sum(n for state, n in self.counts.items() if state != "waiting")

    @property
    def finished(self) -> int:
        return sum(self.counts.get(s, 0) for s in ("complete", "failed", "pruned"))

    def counts_text(self) -> str:
        parts = [f"{self.counts.get('complete', 0)} done"]
        for state, word in (("failed", "failed"), ("pruned", "pruned"), ("running", "running")):
            if self.counts.get(state):
                parts.append(f"{self.counts[state]} {word}")
        return ", ".join(parts)


def _guess_task(setup: SearchSetup | None, data: dict, param_names: Iterable[str]) -> str | None:
    """The task of a stored setup; old CLI setups leave it to inference, so infer it from what ran."""
    if setup is None:
        return None
    if setup.data.task:
        return setup.data.task
    if setup.metric in METRICS:
        return METRICS[setup.metric].tasks[0]
    try:
        # Several models searched together: the tasks they all do.
        tasks = [t for t in get_model(setup.models[0]).tasks if all(get_model(m).supports(t) for m in setup.models)]
    except Exception:  # noqa: BLE001 - an unknown model name: the setup cannot be used anyway
        return None
    if not tasks:
        return None
    if len(tasks) == 1:
        return tasks[0]
    seen = set(param_names)
    for task in tasks:
        choice = setup.choice(task)
        if seen <= set(choice.specs()) | set(choice.space):
            return task
    return tasks[0]


def _metric_for(setup: SearchSetup | None, task: str | None, direction: str) -> Metric:
    if setup is not None and task is not None:
        name = setup.metric_for(task)
        if name in METRICS:
            return METRICS[name]
    return Metric("value", "Value", (), direction == "maximize", None)


def _parse_setup(attrs: dict) -> tuple[SearchSetup | None, str | None]:
    raw = attrs.get(ATTR_SETUP)
    if raw is None:
        return None, "made outside hpgui: it has no stored setup"
    try:
        return SearchSetup.from_json(raw), None
    except SetupError as exc:
        return None, f"its stored setup cannot be read: {exc}"
    except Exception as exc:  # noqa: BLE001 - a foreign or damaged attribute
        return None, f"its stored setup cannot be read: {type(exc).__name__}: {exc}"


def _created(attrs: dict, trials: list) -> datetime | None:
    text = attrs.get(ATTR_CREATED)
    if isinstance(text, str):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    starts = [t.datetime_start for t in trials if t.datetime_start is not None]
    return min(starts) if starts else None


def _visible(trials: list) -> list:
    return [t for t in trials if not t.user_attrs.get(SURPLUS_ATTR)]


def _summary(frozen_study: Any, trials: list, storage: str | None, path: Path | None) -> StudyInfo:
    attrs = dict(frozen_study.user_attrs)
    setup, _ = _parse_setup(attrs)
    direction = frozen_study.directions[0].name.lower() if frozen_study.directions else "maximize"
    trials = _visible(trials)
    counts = {s: 0 for s in STATES}
    best = best_trial = None
    last = None
    maximize = direction == "maximize"
    param_names: dict[str, None] = {}
    for t in trials:
        state = STATE_NAMES.get(t.state.name, t.state.name.lower())
        counts[state] = counts.get(state, 0) + 1
        if state == "complete" and t.values:
            value = t.values[0]
            if value is not None and math.isfinite(value) and (
                    best is None or (value > best if maximize else value < best)):
                best, best_trial = value, t.number
        if t.datetime_complete is not None and (last is None or t.datetime_complete > last):
            last = t.datetime_complete
        if len(param_names) < 64:
            for name in t.params:
                param_names.setdefault(name)
    dataset = attrs.get(ATTR_DATASET) if isinstance(attrs.get(ATTR_DATASET), dict) else {}
    dataset_path = dataset.get("path") or (str(setup.data_path) if setup is not None else None)
    task = _guess_task(setup, dataset, param_names)
    metric = _metric_for(setup, task, direction)
    return StudyInfo(
        name=frozen_study.study_name, storage=storage, path=path, made_by_hpgui=setup is not None,
        model="+".join(setup.models) if setup is not None else None, task=task,
        dataset=Path(dataset_path).name if dataset_path else None, dataset_path=dataset_path,
        strategy=setup.strategy.name if setup is not None else None, direction=direction,
        metric=metric.name if setup is not None else None, metric_label=metric.label,
        budget=setup.budget.trials if setup is not None else None, counts=counts, best=best,
        best_trial=best_trial, created=_created(attrs, trials), last_trial=last,
    )
