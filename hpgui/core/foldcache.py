"""Each fold's training and validation rows, prepared once and reused by every trial.

Preprocessing without a searched hyperparameter (imputing, encoding, scaling) comes out the
same in every trial, so it is fitted once per fold and its output kept: a trial then fits
only the model. Without preprocessing the kept arrays are the rows the estimator would have
converted from the DataFrame itself, every time it is called. Class labels are kept as
integer codes in the order of ``np.unique``, the order every scikit-learn classifier sorts
its ``classes_`` in, so fits, predictions and label metrics see the same problem and give the
same scores while sparing each call the decoding of text labels.

The kept folds live in memory under a byte budget. Trials visit the folds in the same order
over and over, a pattern that evicts every entry from a least-recently-used cache just before
it is needed again; so nothing is evicted: folds are kept while they fit, and a fold that does
not fit is prepared afresh each time it is used (the uncached cost, never more memory).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

#: The budget is this many times the training data's own size ...
BUDGET_FACTOR = 2.0
#: ... but never less than this, so small data sets are always kept whole.
MIN_BUDGET_BYTES = 64 * 2 ** 20
#: The train score is measured on as many training rows as the validation fold has (a seeded
#: sample, the same in every trial): its estimate is then as precise as the validation score's,
#: and it costs one prediction of the validation fold's size instead of one four times as large.


@dataclass(frozen=True)
class PreparedFold:
    """One fold as the model sees it: features after preprocessing, targets as codes."""

    X_train: Any
    y_train: Any
    X_test: Any
    y_test: Any
    #: Sample weights of the training and validation rows (None: every row counts the same).
    w_train: Any = None
    w_test: Any = None
    #: Warnings the preprocessing raised while it was fitted, repeated to every trial that uses it.
    warnings: tuple[tuple[str, type], ...] = ()
    #: Every feature value is a finite number (checked once here, so fits need not check it again).
    finite: bool = False
    #: The training rows the train score is measured on (features, targets, weights): a seeded
    #: sample as large as the validation fold, or None when that is every training row.
    train_sample: tuple[Any, Any, Any] | None = None

    @property
    def train_score_rows(self) -> tuple[Any, Any, Any]:
        if self.train_sample is not None:
            return self.train_sample
        return self.X_train, self.y_train, self.w_train

    @property
    def nbytes(self) -> int:
        return sum(_nbytes(a) for a in (self.X_train, self.y_train, self.X_test, self.y_test,
                                        self.w_train, self.w_test, *(self.train_sample or ())))

    def replay_warnings(self) -> None:
        for message, category in self.warnings:
            warnings.warn(message, category, stacklevel=2)


def _nbytes(value: Any) -> int:
    if value is None:
        return 0
    if hasattr(value, "data") and hasattr(value, "indices") and hasattr(value, "indptr"):  # a sparse matrix
        return int(value.data.nbytes + value.indices.nbytes + value.indptr.nbytes)
    if hasattr(value, "memory_usage"):
        return int(np.sum(value.memory_usage(deep=True)))
    return int(getattr(value, "nbytes", 0))


def _all_finite(X: Any) -> bool:
    values = X.data if hasattr(X, "indptr") else X
    if not isinstance(values, np.ndarray) or values.dtype.kind not in "fiub":
        return False
    return values.dtype.kind != "f" or bool(np.isfinite(values).all())


def data_bytes(X: Any) -> int:
    """The size of a feature table in memory (text cells counted with their strings)."""
    return _nbytes(X)


def default_budget(X: Any) -> int:
    return max(int(BUDGET_FACTOR * data_bytes(X)), MIN_BUDGET_BYTES)


def _take(data: Any, index: np.ndarray) -> Any:
    if data is None:
        return None
    return data.iloc[index] if hasattr(data, "iloc") else data[index]


def _as_array(X: Any) -> Any:
    # The conversion scikit-learn's check_array applies to a DataFrame (np.asarray with no order
    # asked), done once here instead of in every fit and predict, so the layout is the same too.
    if hasattr(X, "iloc"):
        return np.asarray(X)
    return X


def train_sample_rows(index: int, n_train: int, n_test: int) -> np.ndarray | None:
    """Fold ``index``'s training rows its train score is measured on (positions in the training fold)."""
    size = max(int(n_test), 1)
    if n_train <= size:
        return None
    return np.sort(np.random.default_rng(index).choice(n_train, size, replace=False))


def train_score_sample(index: int, X: Any, y: Any, w: Any, n_test: int) -> tuple[Any, Any, Any] | None:
    """That sample of a prepared training fold (None: all of its rows)."""
    rows = train_sample_rows(index, X.shape[0], n_test)
    if rows is None:
        return None
    take = (lambda a: None if a is None else (a.iloc[rows] if hasattr(a, "iloc") else a[rows]))
    return take(X), take(y), take(w)


class FoldCache:
    """Prepared folds of one search, keyed by the preprocessing that made them.

    ``key`` names a preprocessing (equal keys mean equal, deterministic transformers) and
    ``make_prefix`` builds a fresh unfitted copy of it, or is None for no preprocessing.
    """

    def __init__(self, X: Any, y: Any, splits: Sequence[tuple[np.ndarray, np.ndarray]], *,
                 classification: bool, budget_bytes: int | None = None, sample_weight: Any = None):
        self.X, self.y, self.splits = X, y, list(splits)
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.budget_bytes = default_budget(X) if budget_bytes is None else int(budget_bytes)
        self.classes: np.ndarray | None = None
        self._codes: np.ndarray | None = None
        if y is not None:
            values = np.asarray(y)
            if classification:
                self.classes, self._codes = np.unique(values, return_inverse=True)
            else:
                self._codes = values
        self._kept: dict[tuple[str, int], PreparedFold] = {}
        self.nbytes = 0
        self.hits = self.misses = 0

    def fold(self, key: str, index: int, make_prefix: Callable[[], Any] | None) -> PreparedFold:
        found = self._kept.get((key, index))
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        prepared = self._prepare(index, make_prefix)
        size = prepared.nbytes
        if self.nbytes + size <= self.budget_bytes:
            self._kept[(key, index)] = prepared
            self.nbytes += size
        return prepared

    def _prepare(self, index: int, make_prefix: Callable[[], Any] | None) -> PreparedFold:
        train, test = self.splits[index]
        X_train, X_test = _take(self.X, train), _take(self.X, test)
        caught: list = []
        if make_prefix is not None:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                prefix = make_prefix()
                # What Pipeline.fit does with its transformers (fit_transform, the raw target beside
                # it) and Pipeline.predict with the validation rows (transform).
                X_train = prefix.fit_transform(X_train, _take(self.y, train))
                X_test = prefix.transform(X_test)
        seen: list[tuple[str, type]] = []
        for w in caught:
            item = (str(w.message), w.category)
            if item not in seen:
                seen.append(item)
        y_train = y_test = None
        if self._codes is not None:
            y_train, y_test = self._codes[train], self._codes[test]
        w_train = w_test = None
        if self.sample_weight is not None:
            w_train, w_test = self.sample_weight[train], self.sample_weight[test]
        X_train, X_test = _as_array(X_train), _as_array(X_test)
        return PreparedFold(X_train, y_train, X_test, y_test, w_train, w_test, tuple(seen),
                            _all_finite(X_train) and _all_finite(X_test),
                            train_score_sample(index, X_train, y_train, w_train, len(test)))

    def __len__(self) -> int:
        return len(self._kept)
