"""Features that give the answer away: each one scored alone against the target.

A column that predicts the target almost perfectly by itself is rarely a discovery; usually it was
recorded after the outcome (a severity code that means "dead") or computed from the target (a "low
birth weight" flag made from the weight). A model trained with it scores well here and fails on new
data. Each usable feature gets a quick one-feature model, cross-validated on at most
:data:`MAX_ROWS` rows: a category predicts its training rows' majority class or mean (that is the
most any model can get from a category alone), a number goes through a shallow decision tree.
Suspiciously strong ones come back as :class:`LeakHint` with a plain explanation.

No Qt here: the window runs :func:`leakage_hints` on a background task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np

from .formatting import capped_list

MAX_ROWS = 5000          # a sample is plenty to see that one column alone gives the answer away
FOLDS = 3
CLASSIFICATION_LIMIT = 0.95  # balanced accuracy of one feature alone
REGRESSION_LIMIT = 0.95      # R² of one feature alone
MIN_GROUP_ROWS = 5           # a "derived flag" needs groups big enough to mean something


@dataclass(frozen=True)
class LeakHint:
    column: str
    score: float     # the one-feature model's cross-validated score (balanced accuracy or R²)
    measure: str     # "balanced accuracy" or "R²"
    reason: str      # a sentence a user understands


def _category_codes(values: Any) -> np.ndarray:
    import pandas as pd

    codes, _ = pd.factorize(pd.Series(values).astype("string"), use_na_sentinel=True)
    return codes


def _numbers(values: Any) -> np.ndarray | None:
    import pandas as pd

    series = pd.Series(values)
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype(float).to_numpy()
    if not pd.api.types.is_numeric_dtype(series.dtype):
        return None
    x = series.to_numpy(dtype="float64", na_value=np.nan)
    finite = np.isfinite(x)
    if not finite.any():
        return None
    # Missing as its own value below every number, so the tree can split it off.
    return np.where(finite, x, np.nanmin(x[finite]) - 1.0)


def _group_predict(train_codes, train_y, test_codes, classification: bool) -> np.ndarray:
    """What a category alone can predict: its training rows' majority class (or mean)."""
    if classification:
        fallback = np.bincount(train_y).argmax()
        table: dict[int, Any] = {}
        for code in np.unique(train_codes):
            table[int(code)] = np.bincount(train_y[train_codes == code]).argmax()
    else:
        fallback = float(np.mean(train_y))
        table = {int(code): float(np.mean(train_y[train_codes == code])) for code in np.unique(train_codes)}
    return np.array([table.get(int(c), fallback) for c in test_codes])


def _score_alone(x_codes: np.ndarray | None, x_numbers: np.ndarray | None, y: np.ndarray, splits,
                 classification: bool) -> float:
    from sklearn.metrics import balanced_accuracy_score, r2_score
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    scores = []
    for train, test in splits:
        if x_numbers is not None:
            model = (DecisionTreeClassifier(max_depth=4, random_state=0) if classification
                     else DecisionTreeRegressor(max_depth=4, random_state=0))
            model.fit(x_numbers[train, None], y[train])
            predicted = model.predict(x_numbers[test, None])
        else:
            predicted = _group_predict(x_codes[train], y[train], x_codes[test], classification)
        scores.append(balanced_accuracy_score(y[test], predicted) if classification else r2_score(y[test], predicted))
    return float(np.mean(scores))


def _derived_flag(codes: np.ndarray, y: np.ndarray) -> bool:
    """A few categories whose target values never overlap: the column looks cut from the target."""
    groups = [y[codes == c] for c in np.unique(codes) if c >= 0]
    if not 2 <= len(groups) <= 10 or min(len(g) for g in groups) < MIN_GROUP_ROWS:
        return False
    spans = sorted((float(g.min()), float(g.max())) for g in groups)
    return all(high < low for (_, high), (low, _) in zip(spans, spans[1:]))


def leakage_hints(frame: Any, target: str, task: str, features: Iterable[str], *, seed: int = 0,
                  should_stop: Callable[[], None] | None = None) -> list[LeakHint]:
    """The features of ``frame`` that alone predict ``target`` suspiciously well, strongest first.

    ``should_stop`` is called before each feature (it may raise to abandon the work, as the window's
    background tasks do when the user picks another target)."""
    from sklearn.model_selection import KFold, StratifiedKFold

    if task not in ("classification", "regression") or target not in frame.columns:
        return []
    classification = task == "classification"
    present = frame[target].notna().to_numpy()
    rows = np.flatnonzero(present)
    if len(rows) > MAX_ROWS:
        rows = np.sort(np.random.default_rng(seed).choice(rows, MAX_ROWS, replace=False))
    if len(rows) < 3 * FOLDS:
        return []
    raw_y = frame[target].to_numpy()[rows]
    if classification:
        y = _category_codes(raw_y)
        counts = np.bincount(y)
        if len(counts) < 2 or counts.min() < FOLDS:
            return []  # the column checks say why; a hint would only add noise
        splits = list(StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(rows, y))
    else:
        y = np.asarray(raw_y, dtype=float)
        if not np.isfinite(y).all() or np.std(y) == 0:
            return []
        splits = list(KFold(FOLDS, shuffle=True, random_state=seed).split(rows))

    hints: list[LeakHint] = []
    for column in features:
        if should_stop is not None:
            should_stop()
        if column == target or column not in frame.columns:
            continue
        values = frame[column].to_numpy()[rows]
        numbers = _numbers(values)
        codes = _category_codes(values)
        distinct = len(np.unique(codes))
        # A number with few values is scored as categories too: a 0/1 flag is one.
        use_numbers = numbers is not None and distinct > 10
        score = _score_alone(None if use_numbers else codes, numbers if use_numbers else None, y, splits,
                             classification)
        measure = "balanced accuracy" if classification else "R²"
        if classification and score >= CLASSIFICATION_LIMIT:
            hints.append(LeakHint(column, score, measure,
                                  f"{column!r} alone predicts {target!r} almost perfectly ({measure} {score:.2f} "
                                  "from this one column). If it is recorded after the outcome or derived from "
                                  "it, untick it: a model that needs it will not work on new data."))
        elif not classification and (score >= REGRESSION_LIMIT or (not use_numbers and _derived_flag(codes, y))):
            why = (f"({measure} {score:.2f} from this one column)" if score >= REGRESSION_LIMIT else
                   f"(each of its values covers a range of {target!r} that no other value reaches)")
            hints.append(LeakHint(column, score, measure,
                                  f"{column!r} looks derived from {target!r} {why}. If it is computed from the "
                                  "target or recorded after it, untick it: a model that needs it will not work "
                                  "on new data."))
    return sorted(hints, key=lambda h: -h.score)


def summary(hints: list[LeakHint], limit: int = 3) -> list[str]:
    """At most ``limit`` hints as message lines, the rest counted on one more line."""
    lines = [f"⚠ Possible leak: {h.reason}" for h in hints[:limit]]
    if len(hints) > limit:
        lines.append("⚠ Also suspiciously strong alone: " + capped_list([repr(h.column) for h in hints[limit:]]))
    return lines
