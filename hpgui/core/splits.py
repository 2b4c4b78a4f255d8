"""Folds that follow the data: whole groups, or time order.

Random k-fold on rows of one patient, customer or site lets a model be scored on the groups it
was trained on, and random k-fold on time-ordered rows lets it train on the future; both report
scores the model will never reach. Here the splitters keep every group in one fold
(``GroupKFold``, ``StratifiedGroupKFold``) or train only on rows before the test rows
(``TimeSeriesSplit``: an expanding window with an optional gap), and the held-out test set
follows the same rule: whole groups, or the last period.

Unshuffled, each splitter is exactly the one ``GridSearchCV(cv=...)`` is given, so the
scores match it (tests/test_gridsearch_parity.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .recipe import Call

if TYPE_CHECKING:
    from .evaluate import EvaluationSpec


def column_splitter_recipe(spec: "EvaluationSpec", seed: int) -> Call:
    if spec.method == "time_series":
        kwargs: dict[str, Any] = {"n_splits": spec.folds}
        if spec.gap:
            kwargs["gap"] = spec.gap
        return Call("sklearn.model_selection.TimeSeriesSplit", kwargs=kwargs)
    name = "StratifiedGroupKFold" if spec.method == "stratified_group_kfold" else "GroupKFold"
    if spec.shuffle:
        return Call(f"sklearn.model_selection.{name}",
                    kwargs={"n_splits": spec.folds, "shuffle": True, "random_state": seed})
    return Call(f"sklearn.model_selection.{name}", kwargs={"n_splits": spec.folds})


def test_split_recipe(spec: "EvaluationSpec", task: str, seed: int) -> Call | None:
    """How the held-out test rows are chosen when they must follow the folds' rule; None for the
    plain (stratified) random split. A time series holds out its last rows, not a recipe."""
    if spec.method in ("group_kfold", "stratified_group_kfold"):
        # The share is of groups, not rows: a group is never cut in two.
        return Call("sklearn.model_selection.GroupShuffleSplit",
                    kwargs={"n_splits": 1, "test_size": spec.test_fraction, "random_state": seed})
    return None


def hold_out(spec: "EvaluationSpec", task: str, y: Any, groups: Any, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training rows, test rows) as positions, for a spec with a test fraction."""
    n = len(y) if y is not None else len(groups)
    positions = np.arange(n)
    if spec.method == "time_series":
        test = max(1, math.ceil(n * spec.test_fraction))
        return positions[: n - test], positions[n - test:]
    recipe = test_split_recipe(spec, task, seed)
    if recipe is not None:
        train, test = next(recipe.build().split(positions, y, groups))
        return np.sort(train), np.sort(test)
    from sklearn.model_selection import train_test_split

    # The positions stand in for the rows: train_test_split permutes by count, labels and seed only,
    # so these are the rows train_test_split(X, y, ...) picks (and the exported script picks).
    stratify = y if task == "classification" else None
    train, test = train_test_split(positions, test_size=spec.test_fraction, random_state=seed, stratify=stratify)
    return train, test


@dataclass
class StudyRows:
    """The rows a study trains and scores on, in the order the folds see them."""

    X: Any
    y: Any
    weight: np.ndarray | None
    groups: np.ndarray | None
    X_test: Any = None
    y_test: Any = None
    weight_test: np.ndarray | None = None
    groups_test: np.ndarray | None = None


def arrange(spec: "EvaluationSpec", task: str, X: Any, y: Any, *, weight: np.ndarray | None,
            groups: np.ndarray | None, order: np.ndarray | None, seed: int) -> StudyRows:
    """Sort by time (stable, so equal times keep the file's order) and hold out the test rows."""
    if order is not None:
        perm = np.argsort(order, kind="stable")
        X, y = _take(X, perm), _take(y, perm)
        weight, groups = _take(weight, perm), _take(groups, perm)
    rows = StudyRows(X, y, weight, groups)
    if not spec.test_fraction:
        return rows
    train, test = hold_out(spec, task, y if y is not None else np.zeros(len(X)), groups, seed)
    return StudyRows(_take(X, train), _take(y, train), _take(weight, train), _take(groups, train),
                     _take(X, test), _take(y, test), _take(weight, test), _take(groups, test))


def _take(data: Any, index: np.ndarray) -> Any:
    if data is None:
        return None
    if hasattr(data, "iloc"):
        return data.iloc[index].reset_index(drop=True)
    return np.asarray(data)[index]
