"""Metrics with their natural sign and direction.

scikit-learn's scorers are all "greater is better", so errors come out negated
(``neg_root_mean_squared_error``). hpgui shows and stores the natural value
(RMSE 3.2, minimise) and keeps the scorer only as the way to compute it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    tasks: tuple[str, ...]
    greater_is_better: bool
    scorer_name: str | None
    needs_proba: bool = False
    doc: str = ""

    @property
    def direction(self) -> str:
        return "maximize" if self.greater_is_better else "minimize"

    def sklearn_scoring(self, n_classes: int | None = None) -> str | None:
        """The scorer name to pass to scikit-learn (``GridSearchCV(scoring=...)``)."""
        if self.name == "roc_auc" and n_classes is not None and n_classes > 2:
            return "roc_auc_ovr"
        return self.scorer_name

    def scorer(self, n_classes: int | None = None) -> Callable[[Any, Any, Any], float]:
        """A callable ``(estimator, X, y) -> natural value``."""
        if self.name == "silhouette":
            return silhouette_of
        from sklearn.metrics import get_scorer

        sk = get_scorer(self.sklearn_scoring(n_classes))
        if self.greater_is_better:
            return sk

        def natural(estimator, X, y, **kwargs):
            return -sk(estimator, X, y, **kwargs)

        return natural

    def better(self, a: float, b: float) -> bool:
        """Whether score ``a`` beats score ``b``."""
        return a > b if self.greater_is_better else a < b


def silhouette_of(estimator: Any, X: Any, y: Any = None) -> float:
    """Silhouette of a fitted clusterer's labels, measured in the space it clustered in."""
    from sklearn.metrics import silhouette_score

    labels = estimator.predict(X)
    space = estimator[:-1].transform(X) if hasattr(estimator, "steps") and len(estimator.steps) > 1 else X
    if len(np.unique(labels)) < 2:
        raise ValueError("all points fell into one cluster, so the silhouette is undefined")
    return float(silhouette_score(space, labels))


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("accuracy", "Accuracy", ("classification",), True, "accuracy",
               doc="Share of rows whose class is predicted right."),
        Metric("balanced_accuracy", "Balanced accuracy", ("classification",), True, "balanced_accuracy",
               doc="Accuracy averaged over classes, so a rare class counts as much as a common one."),
        Metric("f1_macro", "F1 (macro)", ("classification",), True, "f1_macro",
               doc="Harmonic mean of precision and recall, averaged over classes."),
        Metric("roc_auc", "ROC AUC", ("classification",), True, "roc_auc",
               doc="How well the model ranks positives above negatives (one-vs-rest for several classes)."),
        Metric("log_loss", "Log loss", ("classification",), False, "neg_log_loss", needs_proba=True,
               doc="Penalises confident wrong probabilities; lower is better."),
        Metric("r2", "R²", ("regression",), True, "r2",
               doc="Share of the target's variance the model explains; 1 is perfect."),
        Metric("rmse", "RMSE", ("regression",), False, "neg_root_mean_squared_error",
               doc="Root mean squared error, in the target's units; lower is better."),
        Metric("mae", "MAE", ("regression",), False, "neg_mean_absolute_error",
               doc="Mean absolute error, in the target's units; lower is better."),
        Metric("silhouette", "Silhouette", ("clustering",), True, None,
               doc="How much closer points are to their own cluster than to the next; -1 to 1."),
    )
}

# The values each metric can take (None: unbounded on that side): charts never show room beyond them.
SCORE_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "accuracy": (0.0, 1.0), "balanced_accuracy": (0.0, 1.0), "f1_macro": (0.0, 1.0), "roc_auc": (0.0, 1.0),
    "log_loss": (0.0, None), "r2": (None, 1.0), "rmse": (0.0, None), "mae": (0.0, None), "silhouette": (-1.0, 1.0),
}


def score_bounds(name: str | None) -> tuple[float | None, float | None]:
    return SCORE_BOUNDS.get(name or "", (None, None))


DEFAULT_METRIC = {"classification": "accuracy", "regression": "r2", "clustering": "silhouette"}


def get_metric(name: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        raise KeyError(f"unknown metric {name!r}; known metrics: {', '.join(METRICS)}") from None


def metrics_for(task: str) -> list[Metric]:
    return [m for m in METRICS.values() if task in m.tasks]


#: Below this ratio of the rarest class to the commonest, accuracy is a poor default.
IMBALANCE_RATIO = 0.2


def default_metric(task: str, y: Any = None) -> tuple[str, str]:
    """The metric a search uses when none is chosen, and why (for the metric's tooltip).

    For a strongly imbalanced target (the rarest class under a fifth of the commonest) plain
    accuracy rewards always predicting the common class, so balanced accuracy is the default: it
    averages the recall of every class, so that trivial model scores 1 / classes, not 0.95.
    """
    name = DEFAULT_METRIC[task]
    if task != "classification" or y is None:
        return name, f"{METRICS[name].label} is the usual first choice for {task}."
    import pandas as pd

    counts = pd.Series(y).value_counts()
    if len(counts) < 2:
        return name, f"{METRICS[name].label} is the usual first choice for {task}."
    rare, common = counts.iloc[-1], counts.iloc[0]
    share = rare / counts.sum()
    if rare / common < IMBALANCE_RATIO:
        always = common / counts.sum()
        return "balanced_accuracy", (
            f"Balanced accuracy, because the classes are strongly imbalanced: the rarest, {counts.index[-1]!r}, is "
            f"{share:.1%} of the rows ({int(rare)} of {int(counts.sum())}). Plain accuracy would give "
            f"{always:.1%} to a model that always predicts {counts.index[0]!r}; balanced accuracy averages the "
            f"share found of every class, so that model scores {1 / len(counts):.0%}. F1 (macro) is the other "
            "good choice here.")
    return name, (f"Accuracy, because the classes are not far from balanced (the rarest is {share:.1%} of the "
                  "rows); with a rare class that matters, choose balanced accuracy or F1.")
