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

DEFAULT_METRIC = {"classification": "accuracy", "regression": "r2", "clustering": "silhouette"}


def get_metric(name: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        raise KeyError(f"unknown metric {name!r}; known metrics: {', '.join(METRICS)}") from None


def metrics_for(task: str) -> list[Metric]:
    return [m for m in METRICS.values() if task in m.tasks]
