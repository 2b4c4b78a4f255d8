"""Scoring one configuration: folds, a metric, the train score, the time taken.

The folds are computed once per study and reused by every trial, so scores of
different trials are comparable and match ``GridSearchCV`` given the same ``cv``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

import numpy as np

from .recipe import Call
from .space import Problem

if TYPE_CHECKING:
    from .foldcache import PreparedFold

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
        #: How far the trial got (hpgui.core.fidelity's resource record), when it is known.
        self.progress: dict[str, Any] | None = None


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


def cross_validate(make_model: Callable[[], Any], fold: Callable[[int], "PreparedFold"], n_folds: int,
                   scorer: Callable[..., float], *, train_score: bool = True,
                   on_fold: Callable[[int, list[float]], None] | None = None,
                   keep: list | None = None) -> Score:
    """Fit a fresh model per fold on the prepared fold and score it.

    ``fold(i)`` gives fold ``i`` as the model sees it (:class:`~hpgui.core.foldcache.PreparedFold`:
    preprocessing already applied), ``make_model()`` a fresh unfitted model. The validation score
    and the train score come from the same scorer, each from one prediction on its rows (for a
    large fold, the train score's rows are a seeded sample: ``PreparedFold.train_score_rows``). A fold
    carrying sample weights passes them to the fit and to both scores. ``on_fold`` runs after
    every fold with the scores so far; it may raise :class:`Interrupted` to abandon the trial
    (pruning, Stop). ``keep``, a list, receives each fold's fitted model with its prepared fold.
    """
    from sklearn import config_context

    scores: list[float] = []
    train_scores: list[float] = []
    fit_time = score_time = 0.0
    for i in range(n_folds):
        started = time.perf_counter()
        data = fold(i)
        data.replay_warnings()
        model = make_model()
        fit_kwargs = {} if data.w_train is None else {"sample_weight": data.w_train}
        # The same hyperparameters were validated by the first fold's fit, and a fold's finiteness was
        # checked once when it was prepared; checks that cannot fail again are skipped, nothing else.
        with config_context(assume_finite=data.finite, skip_parameter_validation=i > 0):
            if data.y_train is None:
                model.fit(data.X_train, **fit_kwargs)
            else:
                model.fit(data.X_train, data.y_train, **fit_kwargs)
        fitted = time.perf_counter()
        # Metric arguments are arrays made here, always of valid types; the values are still checked.
        with config_context(skip_parameter_validation=True):
            scores.append(_score(scorer, model, data.X_test, data.y_test, data.w_test))
            if train_score:
                train_scores.append(_score(scorer, model, *data.train_score_rows))
        fit_time += fitted - started  # preparing a fold not kept yet counts as fitting, as in a Pipeline
        score_time += time.perf_counter() - fitted
        if keep is not None:
            keep.append((model, data))
        if on_fold is not None:
            try:
                on_fold(i, scores)
            except Interrupted as exc:
                if exc.progress is not None:  # a pruned trial keeps the time its folds took
                    exc.progress["fit_time_s"] = fit_time
                raise
    values = np.asarray(scores, dtype=float)
    return Score(
        value=float(np.mean(values)),
        std=float(np.std(values)),
        folds=scores,
        train=float(np.mean(train_scores)) if train_scores else None,
        fit_time_s=fit_time,
        score_time_s=score_time,
    )


def _score(scorer: Callable[..., float], model: Any, X: Any, y: Any, weight: Any) -> float:
    if weight is None:
        return float(scorer(model, X, y))
    return float(scorer(model, X, y, sample_weight=weight))
