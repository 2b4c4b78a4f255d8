"""Which model won? The best trial of each model of a study, against the overall best."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from .runner import TrialRecord


@dataclass(frozen=True)
class Standing:
    """One model's place on the leaderboard."""

    model: str | None        # None: trials that do not say their model (studies from before models were recorded)
    best: TrialRecord | None  # None while the model has no completed trial
    trials: int               # trials of this model, in any state
    completed: int
    gap: float | None         # how far its best is behind the overall best (>= 0; 0 for the leader)


def standings(records: Iterable[TrialRecord], direction: str = "maximize",
              models: Iterable[str] = ()) -> list[Standing]:
    """Every model's best trial, best first; models with no completed trial last, in ``models`` order.

    ``models`` lists the models searched, so one that has not finished a trial yet still has a row.
    """
    maximize = direction == "maximize"
    best: dict[str | None, TrialRecord] = {}
    counts: dict[str | None, list[int]] = {m: [0, 0] for m in models}
    for r in records:
        count = counts.setdefault(r.model, [0, 0])
        count[0] += 1
        if r.state != "complete" or r.value is None or not math.isfinite(r.value):
            continue
        count[1] += 1
        held = best.get(r.model)
        if held is None or (r.value > held.value if maximize else r.value < held.value):
            best[r.model] = r
    if not best:
        top = None
    else:
        top = max(b.value for b in best.values()) if maximize else min(b.value for b in best.values())
    rows = []
    for model, (trials, completed) in counts.items():
        b = best.get(model)
        gap = None if b is None else abs(top - b.value)
        rows.append(Standing(model, b, trials, completed, gap))
    ranked = sorted((s for s in rows if s.best is not None),
                    key=lambda s: (-s.best.value if maximize else s.best.value, s.best.number))
    return ranked + [s for s in rows if s.best is None]
