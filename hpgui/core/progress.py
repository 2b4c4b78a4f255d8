"""How far a search is (Progress, for progress bars and status lines) and what it came to (SearchResult)."""

from __future__ import annotations

from dataclasses import dataclass

from .metrics import Metric
from .records import TrialRecord


@dataclass
class Progress:
    """How far the search is, for progress bars and status lines."""

    done: int
    budget: int | None
    elapsed_s: float
    best: TrialRecord | None
    timeout_s: float | None = None

    @property
    def fraction(self) -> float | None:
        parts = []
        if self.budget:
            parts.append(self.done / self.budget)
        if self.timeout_s:
            parts.append(self.elapsed_s / self.timeout_s)
        return min(1.0, max(parts)) if parts else None

    @property
    def remaining_s(self) -> float | None:
        fraction = self.fraction
        if not fraction or self.elapsed_s <= 0:
            return None
        return self.elapsed_s * (1 - fraction) / fraction


@dataclass
class SearchResult:
    study_name: str
    storage: str
    metric: Metric
    trials: list[TrialRecord]
    best: TrialRecord | None
    stop_reason: str
    elapsed_s: float
    new_trials: int
