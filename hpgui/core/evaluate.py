"""Scoring one configuration: folds, a metric, the train score, the time taken.

The folds are computed once per study and reused by every trial, so scores of
different trials are comparable and match ``GridSearchCV`` given the same ``cv``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .recipe import Call
from .space import Problem

METHODS = ("kfold", "repeated_kfold", "holdout")
#: Methods that need a column of the data (hpgui.core.splits): rows of a group kept together, or time order.
COLUMN_METHODS = ("group_kfold", "stratified_group_kfold", "time_series")
GROUP_METHODS = ("group_kfold", "stratified_group_kfold")


class Interrupted(BaseException):
    """Raised between folds to abandon a trial (Stop pressed, pruned).

    A ``BaseException`` so that no ``except Exception`` on the way, in our code
    or a library's, can swallow it.
    """

    def __init__(self, reason: str = "stopped"):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class EvaluationSpec:
    method: str = "kfold"
    folds: int = 5
    shuffle: bool = True
    repeats: int = 3
    holdout_fraction: float = 0.2
    test_fraction: float | None = None
    group: str | None = None  # the column whose rows stay in one fold (group methods)
    order: str | None = None  # the column that orders the rows in time (time_series)
    gap: int = 0  # rows left out between each training window and its test rows (time_series)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"method": self.method, "folds": self.folds, "shuffle": self.shuffle}
        if self.method == "repeated_kfold":
            out["repeats"] = self.repeats
        if self.method == "holdout":
            out["holdout_fraction"] = self.holdout_fraction
        if self.group is not None:
            out["group"] = self.group
        if self.order is not None:
            out["order"] = self.order
        if self.gap:
            out["gap"] = self.gap
        out["test_fraction"] = self.test_fraction
        return out

    @classmethod
    def from_json(cls, data: Any) -> "EvaluationSpec":
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise ValueError("evaluation must be an object")
        unknown = set(data) - {"method", "folds", "shuffle", "repeats", "holdout_fraction", "test_fraction",
                               "group", "order", "gap"}
        if unknown:
            raise ValueError(f"unknown evaluation key(s): {', '.join(sorted(unknown))}")
        return cls(**dict(data))

    @property
    def min_class_size(self) -> int:
        """How many rows each class needs for these splits to be possible."""
        return 2 if self.method == "holdout" else int(self.folds)

    def validate(self) -> list[Problem]:
        problems = []
        if self.method not in METHODS + COLUMN_METHODS:
            problems.append(Problem("evaluation.method",
                                    f"method must be one of {', '.join(METHODS + COLUMN_METHODS)}"))
        problems += _column_problems(self)
        if self.method != "holdout" and (not isinstance(self.folds, int) or isinstance(self.folds, bool)
                                         or self.folds < 2):
            problems.append(Problem("evaluation.folds", "folds must be a whole number of at least 2"))
        elif self.method != "holdout" and self.folds > 100:
            problems.append(Problem("evaluation.folds", "more than 100 folds is almost surely a typo"))
        if self.method == "repeated_kfold" and (not isinstance(self.repeats, int) or isinstance(self.repeats, bool)
                                                or self.repeats < 1):
            problems.append(Problem("evaluation.repeats", "repeats must be a whole number of at least 1"))
        if self.method == "holdout" and not (isinstance(self.holdout_fraction, (int, float))
                                             and 0 < self.holdout_fraction < 1):
            problems.append(Problem("evaluation.holdout_fraction", "holdout fraction must be between 0 and 1"))
        if self.test_fraction is not None and not (isinstance(self.test_fraction, (int, float))
                                                   and 0 < self.test_fraction < 0.9):
            problems.append(Problem("evaluation.test_fraction",
                                    "test fraction must be between 0 and 0.9, or null for none"))
        if not isinstance(self.shuffle, bool):
            problems.append(Problem("evaluation.shuffle", "shuffle must be true or false"))
        return problems

    def describe(self) -> str:
        if self.method == "holdout":
            return f"holdout {self.holdout_fraction:.0%}"
        if self.method == "time_series":
            return f"{self.folds} time-ordered folds by {self.order}" + (f", gap {self.gap}" if self.gap else "")
        if self.method in GROUP_METHODS:
            kind = "stratified group" if self.method == "stratified_group_kfold" else "group"
            return f"{self.folds}-fold {kind} by {self.group}" + (" (shuffled)" if self.shuffle else "")
        text = f"{self.folds}-fold"
        if self.method == "repeated_kfold":
            text += f" × {self.repeats}"
        return text + (" (shuffled)" if self.shuffle else "")


def _column_problems(spec: EvaluationSpec) -> list[Problem]:
    problems = []
    for key in ("group", "order"):
        value = getattr(spec, key)
        if value is not None and (not isinstance(value, str) or not value):
            problems.append(Problem(f"evaluation.{key}", f"{key} must be a column name, or null"))
    if spec.method in GROUP_METHODS and spec.group is None:
        problems.append(Problem("evaluation.group", "group folds need the column whose rows belong together "
                                                    "(a patient, customer or site); set evaluation.group"))
    if spec.method == "time_series" and spec.order is None:
        problems.append(Problem("evaluation.order", "time-ordered folds need the column that orders the rows "
                                                    "(a date or a time step); set evaluation.order"))
    if spec.group is not None and spec.method not in GROUP_METHODS:
        problems.append(Problem("evaluation.group", "a group column is only used by group_kfold and "
                                                    "stratified_group_kfold; choose one of them or remove it"))
    if spec.order is not None and spec.method != "time_series":
        problems.append(Problem("evaluation.order", "an order column is only used by time_series; "
                                                    "choose that method or remove it"))
    if not isinstance(spec.gap, int) or isinstance(spec.gap, bool) or spec.gap < 0:
        problems.append(Problem("evaluation.gap", "gap must be a whole number of rows, 0 or more"))
    elif spec.gap and spec.method != "time_series":
        problems.append(Problem("evaluation.gap", "a gap is only used by time_series"))
    return problems


def splitter_recipe(spec: EvaluationSpec, task: str, seed: int) -> Call:
    """The scikit-learn splitter for ``spec``; stratified for classification."""
    if spec.method in COLUMN_METHODS:
        from .splits import column_splitter_recipe

        return column_splitter_recipe(spec, seed)
    stratified = task == "classification"
    if spec.method == "holdout":
        name = "StratifiedShuffleSplit" if stratified else "ShuffleSplit"
        return Call(f"sklearn.model_selection.{name}",
                    kwargs={"n_splits": 1, "test_size": spec.holdout_fraction, "random_state": seed})
    if spec.method == "repeated_kfold":
        name = "RepeatedStratifiedKFold" if stratified else "RepeatedKFold"
        return Call(f"sklearn.model_selection.{name}",
                    kwargs={"n_splits": spec.folds, "n_repeats": spec.repeats, "random_state": seed})
    name = "StratifiedKFold" if stratified else "KFold"
    if spec.shuffle:
        return Call(f"sklearn.model_selection.{name}",
                    kwargs={"n_splits": spec.folds, "shuffle": True, "random_state": seed})
    # Exactly what GridSearchCV(cv=k) builds through check_cv.
    return Call(f"sklearn.model_selection.{name}", kwargs={"n_splits": spec.folds})


def make_splits(spec: EvaluationSpec, task: str, X: Any, y: Any, seed: int,
                groups: Any = None) -> list[tuple[np.ndarray, np.ndarray]]:
    splitter = splitter_recipe(spec, task, seed).build()
    return list(splitter.split(X, y, groups))


@dataclass
class Score:
    value: float
    std: float
    folds: list[float]
    train: float | None
    fit_time_s: float
    score_time_s: float
    warnings: list[str] = field(default_factory=list)


def _score_kwargs(weight: np.ndarray | None, index: np.ndarray) -> dict[str, Any]:
    return {} if weight is None else {"sample_weight": weight[index]}


def _take(data: Any, index: np.ndarray) -> Any:
    if data is None:
        return None
    return data.iloc[index] if hasattr(data, "iloc") else data[index]


def cross_validate(build: Callable[[], Any], X: Any, y: Any, splits: Sequence[tuple[np.ndarray, np.ndarray]],
                   scorer: Callable[[Any, Any, Any], float], *, train_score: bool = True,
                   on_fold: Callable[[int, list[float]], None] | None = None,
                   sample_weight: np.ndarray | None = None) -> Score:
    """Fit a fresh estimator per fold and score it.

    ``on_fold`` runs after every fold with the scores so far; it may raise
    :class:`Interrupted` to abandon the trial (pruning, Stop). ``sample_weight`` (one per row of
    ``X``) goes to every fit and every score, cut to the fold's rows.
    """
    from .pipeline import weight_kwargs  # sample weights (#18)

    scores: list[float] = []
    train_scores: list[float] = []
    fit_time = score_time = 0.0
    for i, (train, test) in enumerate(splits):
        estimator = build()
        X_train, y_train = _take(X, train), _take(y, train)
        # sample weights (#18): the fold's share of them for the fit and for each score
        fit_kw, test_kw = weight_kwargs(estimator, _take(sample_weight, train)), _score_kwargs(sample_weight, test)
        started = time.perf_counter()
        if y_train is None:
            estimator.fit(X_train, **fit_kw)
        else:
            estimator.fit(X_train, y_train, **fit_kw)
        fitted = time.perf_counter()
        scores.append(float(scorer(estimator, _take(X, test), _take(y, test), **test_kw)))
        if train_score:
            train_scores.append(float(scorer(estimator, X_train, y_train, **_score_kwargs(sample_weight, train))))
        fit_time += fitted - started
        score_time += time.perf_counter() - fitted
        if on_fold is not None:
            on_fold(i, scores)
    values = np.asarray(scores, dtype=float)
    return Score(
        value=float(np.mean(values)),
        std=float(np.std(values)),
        folds=scores,
        train=float(np.mean(train_scores)) if train_scores else None,
        fit_time_s=fit_time,
        score_time_s=score_time,
    )
