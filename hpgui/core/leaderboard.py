"""Which model won? The best trial of each model of a study, against the overall best."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from .records import TrialRecord


@dataclass(frozen=True)
class Standing:
    """One model's place on the leaderboard."""

    model: str | None        # None: trials that do not say their model (studies from before models were recorded)
    best: TrialRecord | None  # None while the model has no completed trial
    trials: int               # trials of this model, in any state
    completed: int
    gap: float | None         # how far its best is behind the overall best (>= 0; 0 for the leader)


def standings(records: Sequence[TrialRecord], direction: str = "maximize", models: Iterable[str] = (),
              values: np.ndarray | None = None) -> list[Standing]:
    """Every model's best trial, best first; models with no completed trial last, in ``models`` order.

    ``models`` lists the models searched, so one that has not finished a trial yet still has a row.
    ``values`` may give each record's score (NaN where it has none), as ``TrialStore.arrays()`` keeps
    them: with 100,000 trials one pass over the records' models is the only Python loop.
    """
    maximize = direction == "maximize"
    index: dict[str | None, int] = {m: i for i, m in enumerate(models)}
    n = len(records)
    codes = np.fromiter((index.setdefault(r.model, len(index)) for r in records), dtype=np.int64, count=n)
    if values is None:
        values = np.fromiter((r.value if r.state == "complete" and r.value is not None else np.nan
                              for r in records), dtype=np.float64, count=n)
    scored = np.isfinite(values)
    trials = np.bincount(codes, minlength=len(index))
    completed = np.bincount(codes[scored], minlength=len(index))
    filled = np.where(scored, values, -np.inf if maximize else np.inf)
    best: dict[str | None, TrialRecord] = {}
    for model, code in index.items():
        if completed[code]:
            mine = np.where(codes == code, filled, -np.inf if maximize else np.inf)
            best[model] = records[int(np.argmax(mine) if maximize else np.argmin(mine))]
    top = None
    if best:
        top = max(b.value for b in best.values()) if maximize else min(b.value for b in best.values())
    rows = [Standing(model, best.get(model), int(trials[code]), int(completed[code]),
                     None if model not in best else abs(top - best[model].value))
            for model, code in index.items()]
    ranked = sorted((s for s in rows if s.best is not None),
                    key=lambda s: (-s.best.value if maximize else s.best.value, s.best.number))
    return ranked + [s for s in rows if s.best is None]
