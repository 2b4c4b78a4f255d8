"""Predictions on held-out rows: out-of-fold on the study's folds, and on the test set.

Every row of the training part is predicted by the fold model that did not see it,
exactly as ``cross_val_predict`` does with the same folds. With repeated k-fold only
the first repetition is used (it already predicts every row once); a holdout split
predicts only its held-out rows.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ..evaluate import Interrupted

Step = Callable[[str], None]


@dataclass
class HeldOut:
    """Rows a model did not train on, what it predicted for them, and its scores where it has them."""

    kind: str                      # "cv" (out-of-fold) or "test"
    positions: np.ndarray          # positions of the rows in X (the search's training or test part)
    y_true: np.ndarray | None      # None for clustering
    y_pred: np.ndarray
    classes: np.ndarray | None = None   # class order of the columns of proba and decision
    proba: np.ndarray | None = None     # (rows, classes) from predict_proba
    decision: np.ndarray | None = None  # (rows,) binary or (rows, classes) from decision_function
    fold: np.ndarray | None = None      # the fold each row was held out in (cv)
    fold_models: list | None = None     # the fitted fold pipelines, in fold order (cv)

    @property
    def n(self) -> int:
        return len(self.positions)


def _take(data: Any, index: np.ndarray) -> Any:
    if data is None:
        return None
    return data.iloc[index] if hasattr(data, "iloc") else data[index]


def partition(splits: Sequence[tuple[np.ndarray, np.ndarray]], n_rows: int) -> list[int]:
    """The folds to predict from: in order, each adding rows no earlier one held out, until all are covered."""
    seen = np.zeros(n_rows, dtype=bool)
    chosen = []
    for i, (_, test) in enumerate(splits):
        if seen.all():
            break
        if not seen[test].all():
            chosen.append(i)
            seen[test] = True
    return chosen


def _columns(values: np.ndarray, own: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Scores whose columns follow ``own`` (a fold model's classes) laid out in ``classes`` order.

    A class missing from a fold's training rows gets a zero column, as cross_val_predict does."""
    out = np.zeros((len(values), len(classes)), dtype=float)
    where = {c: i for i, c in enumerate(classes.tolist())}
    for j, c in enumerate(own.tolist()):
        out[:, where[c]] = values[:, j]
    return out


def _scores(model: Any, X: Any, classes: np.ndarray | None) -> tuple[np.ndarray | None, np.ndarray | None]:
    if classes is None:
        return None, None
    own = np.asarray(model.classes_)
    proba = decision = None
    if hasattr(model, "predict_proba"):
        proba = _columns(np.asarray(model.predict_proba(X), dtype=float), own, classes)
    if hasattr(model, "decision_function"):
        values = np.asarray(model.decision_function(X), dtype=float)
        if values.ndim == 1:
            if len(own) == len(classes):
                decision = values
        else:
            decision = _columns(values, own, classes)
    return proba, decision


def _fit(model: Any, X: Any, y: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the search already recorded this configuration's warnings
        if y is None:
            model.fit(X)
        else:
            model.fit(X, y)
    return model


def out_of_fold(build: Callable[[], Any], X: Any, y: Any, splits: Sequence[tuple[np.ndarray, np.ndarray]],
                classes: np.ndarray | None, should_stop: Callable[[], bool] = lambda: False,
                step: Step = lambda text: None) -> HeldOut:
    """Fit a fresh pipeline per fold and predict the rows that fold held out."""
    chosen = partition(splits, len(X))
    parts: list[tuple[np.ndarray, np.ndarray, Any, Any, Any]] = []
    models = []
    for n, i in enumerate(chosen):
        if should_stop():
            raise Interrupted("stopped")
        step(f"fold {n + 1} of {len(chosen)}")
        train, test = splits[i]
        model = _fit(build(), _take(X, train), _take(y, train))
        X_test = _take(X, test)
        proba, decision = _scores(model, X_test, classes)
        parts.append((np.asarray(test), np.asarray(model.predict(X_test)), proba, decision, n))
        models.append(model)
    positions = np.concatenate([p[0] for p in parts])
    order = np.argsort(positions, kind="stable")  # rows in their own order, as cross_val_predict returns them
    y_pred = np.concatenate([p[1] for p in parts])[order]
    fold = np.concatenate([np.full(len(p[0]), p[4]) for p in parts])[order]
    proba = np.concatenate([p[2] for p in parts])[order] if parts[0][2] is not None else None
    decision = np.concatenate([p[3] for p in parts])[order] \
        if all(p[3] is not None for p in parts) else None
    positions = positions[order]
    y_true = None if y is None else np.asarray(_take(y, positions))
    return HeldOut("cv", positions, y_true, y_pred, classes, proba, decision, fold, models)


def on_test(fitted: Any, X_test: Any, y_test: Any, classes: np.ndarray | None) -> HeldOut:
    """The model fitted on all training rows, predicting the held-out test rows."""
    proba, decision = _scores(fitted, X_test, classes)
    positions = np.arange(len(X_test))
    y_true = None if y_test is None else np.asarray(y_test)
    return HeldOut("test", positions, y_true, np.asarray(fitted.predict(X_test)), classes, proba, decision)


def fit(build: Callable[[], Any], X: Any, y: Any) -> Any:
    return _fit(build(), X, y)
