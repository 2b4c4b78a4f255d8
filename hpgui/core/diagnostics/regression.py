"""Regression on held-out rows: predicted against actual, residuals, their histogram, error by decile."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Decile:
    low: float          # the actual values this tenth of the rows spans
    high: float
    count: int
    mae: float
    rmse: float
    bias: float         # mean residual (actual − predicted): positive means the model predicts too low


@dataclass
class RegressionResult:
    actual: np.ndarray
    predicted: np.ndarray
    residuals: np.ndarray        # actual − predicted
    r2: float
    rmse: float
    mae: float
    histogram: tuple[np.ndarray, np.ndarray]  # counts, bin edges
    deciles: list[Decile]


def summarise(actual: np.ndarray, predicted: np.ndarray) -> RegressionResult:
    from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error

    actual = np.asarray(actual, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    residuals = actual - predicted
    counts, edges = np.histogram(residuals, bins="auto") if len(residuals) else (np.zeros(0), np.zeros(1))
    if len(counts) > 60:  # "auto" gives hundreds of bins for long-tailed residuals; 60 read on any chart
        counts, edges = np.histogram(residuals, bins=60)
    return RegressionResult(actual, predicted, residuals,
                            float(r2_score(actual, predicted)) if len(actual) > 1 else float("nan"),
                            float(root_mean_squared_error(actual, predicted)),
                            float(mean_absolute_error(actual, predicted)), (counts, edges),
                            deciles(actual, residuals))


def deciles(actual: np.ndarray, residuals: np.ndarray, groups: int = 10) -> list[Decile]:
    """The error in each tenth of the rows ordered by their actual value (fewer groups when values repeat)."""
    if len(actual) == 0:
        return []
    order = np.argsort(actual, kind="stable")
    out = []
    for chunk in np.array_split(order, min(groups, len(actual))):
        if len(chunk) == 0:
            continue
        r = residuals[chunk]
        out.append(Decile(float(actual[chunk].min()), float(actual[chunk].max()), len(chunk),
                          float(np.mean(np.abs(r))), float(np.sqrt(np.mean(r ** 2))), float(np.mean(r))))
    return out
