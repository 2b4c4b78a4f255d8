"""Permutation importance of the input columns on held-out rows (scikit-learn's permutation_importance).

The score drop is measured in the study's metric, with its natural sign turned so that a
larger drop always means a more important column (RMSE rising by 2 is an importance of 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

REPEATS = 5
#: Rows each permutation scores at most (scikit-learn's max_samples draws them, seeded).
MAX_ROWS = 5_000


@dataclass
class PermutationResult:
    columns: list[str]
    importances: np.ndarray      # (columns, repeats): every repeat of every fold
    repeats: int
    folds: int                   # how many fitted models the repeats came from

    @property
    def mean(self) -> np.ndarray:
        return self.importances.mean(axis=1)

    @property
    def std(self) -> np.ndarray:
        return self.importances.std(axis=1)

    def order(self) -> np.ndarray:
        """Columns from the most important down."""
        return np.argsort(-self.mean, kind="stable")


def rising(scorer: Callable[[Any, Any, Any], float], greater_is_better: bool) -> Callable[[Any, Any, Any], float]:
    """A scorer where higher is better, as permutation_importance expects."""
    if greater_is_better:
        return scorer
    return lambda estimator, X, y: -scorer(estimator, X, y)


def importance(model: Any, X: Any, y: Any, scorer: Callable[[Any, Any, Any], float], *, repeats: int = REPEATS,
               seed: int = 0) -> np.ndarray:
    """(columns, repeats) importances of one fitted model on its held-out rows."""
    from sklearn.inspection import permutation_importance

    max_samples = min(1.0, MAX_ROWS / max(len(X), 1))
    result = permutation_importance(model, X, y, scoring=scorer, n_repeats=repeats, random_state=seed,
                                    n_jobs=1, max_samples=max_samples)
    return np.asarray(result.importances, dtype=float)


def combine(columns: list[str], parts: list[np.ndarray], repeats: int) -> PermutationResult:
    return PermutationResult(list(columns), np.concatenate(parts, axis=1), repeats, len(parts))
