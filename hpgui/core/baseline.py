"""The score of a model that learns nothing, on the study's own folds: the line a search must beat.

A survey's best accuracy of 0.8009 was exactly the majority class's share; without a baseline
nothing said so. Each study scores scikit-learn's dummy models (``DummyClassifier`` with the class
priors and with stratified guesses, ``DummyRegressor`` with the mean and the median) with the
study's metric on the study's folds, keeps the better one, and stores it with the study (a study
user attribute), so a reopened or watched study shows it too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Mapping

import numpy as np

from .evaluate import cross_validate
from .foldcache import PreparedFold
from .records import ATTR_BASELINE

__all__ = ["ATTR_BASELINE", "Baseline", "Verdict", "compare", "score_baseline"]

# What each dummy does, in words for "+0.01 over ...".
DESCRIPTIONS = {
    "prior": "always guessing the majority class",
    "stratified": "guessing classes at random in their proportions",
    "mean": "always predicting the mean",
    "median": "always predicting the median",
}
STRATEGIES = {"classification": ("prior", "stratified"), "regression": ("mean", "median")}


@dataclass(frozen=True)
class Baseline:
    strategy: str
    value: float
    std: float
    folds: tuple[float, ...]

    @property
    def description(self) -> str:
        return DESCRIPTIONS.get(self.strategy, self.strategy)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["folds"] = list(self.folds)
        return data

    @staticmethod
    def from_json(data: Any) -> "Baseline | None":
        """None for anything that is not a stored baseline (an older study, a foreign attribute)."""
        if not isinstance(data, Mapping):
            return None
        try:
            value, std = float(data["value"]), float(data["std"])
            folds = tuple(float(v) for v in data.get("folds", ()))
            strategy = str(data["strategy"])
        except (KeyError, TypeError, ValueError):
            return None
        if not (np.isfinite(value) and np.isfinite(std)):
            return None
        return Baseline(strategy, value, std, folds)


def _dummy(strategy: str, seed: int | None) -> Any:
    from sklearn.dummy import DummyClassifier, DummyRegressor

    if strategy in ("mean", "median"):
        return DummyRegressor(strategy=strategy)
    return DummyClassifier(strategy=strategy, random_state=seed)


def score_baseline(task: str, y: Any, splits, scorer, *, greater_is_better: bool, weight: Any = None,
                   seed: int | None = 0) -> Baseline | None:
    """The better dummy's cross-validated score on ``splits``; None for clustering or when it cannot
    be scored (a metric a dummy cannot be scored with is no reason to stop a search)."""
    strategies = STRATEGIES.get(task)
    if not strategies or y is None:
        return None
    values = np.asarray(y)
    if task == "classification":
        values = np.unique(values, return_inverse=True)[1]  # codes, as the trials' folds hold them
    weights = None if weight is None else np.asarray(weight, dtype=float)
    # A dummy never looks at X: one zero column keeps the folds tiny.
    blank = np.zeros((len(values), 1))

    def fold(index: int) -> PreparedFold:
        train, test = splits[index]
        return PreparedFold(blank[train], values[train], blank[test], values[test],
                            None if weights is None else weights[train], None if weights is None else weights[test],
                            finite=True)

    best: Baseline | None = None
    for strategy in strategies:
        try:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # an ill-defined precision of a dummy is expected
                score = cross_validate(lambda s=strategy: _dummy(s, seed), fold, len(splits), scorer,
                                       train_score=False)
        except Exception:  # noqa: BLE001 - e.g. ROC AUC of a fold with one class: no baseline
            continue
        if not np.isfinite(score.value):
            continue
        found = Baseline(strategy, score.value, score.std, tuple(score.folds))
        if best is None or (found.value > best.value if greater_is_better else found.value < best.value):
            best = found
    return best


@dataclass(frozen=True)
class Verdict:
    text: str       # "+0.0001 over always guessing the majority class (0.8008)"
    warning: str    # "" when the best beats the baseline clearly


def compare(best_value: float, best_std: float | None, baseline: Baseline, *, greater_is_better: bool,
            label: str = "score") -> Verdict:
    """How far the best is from the baseline, and a warning when that is within the folds' spread."""
    gain = best_value - baseline.value if greater_is_better else baseline.value - best_value
    sign = "+" if gain >= 0 else "−"
    # Plain decimals: "+0.0001" reads at a glance, where 10⁻⁴ would need a second look.
    if abs(gain) < 5e-7 * max(1.0, abs(baseline.value)):
        text = f"the same as {baseline.description} ({label} {baseline.value:.4g})"
    else:
        text = f"{sign}{abs(gain):.4g} over {baseline.description} ({label} {baseline.value:.4g})"
    spread = max(baseline.std, best_std or 0.0)
    warning = ""
    if gain <= spread:
        how = "does not beat" if gain <= 0 else "barely beats"
        warning = (f"The best {how} {baseline.description}: its gain of {max(gain, 0.0):.4g} is not more "
                   f"than the folds' spread ({spread:.4g}). The features may not predict the target; "
                   "check the Data tab, try other models or features, or a metric that weighs the rare classes.")
    return Verdict(text, warning)


def study_baseline(search: Any) -> Baseline | None:
    """The baseline of ``search``'s study: the stored one, or scored now and stored (first worker wins;
    a second one scoring the same folds gets the same numbers)."""
    stored = Baseline.from_json(search.study.user_attrs.get(ATTR_BASELINE))
    if stored is not None:
        return stored
    found = score_baseline(search.task, search.y, search.splits, search.scorer,
                           greater_is_better=search.metric.greater_is_better, weight=search.weight,
                           seed=search.seed if search.seed is not None else 0)
    if found is not None:
        try:
            search.study.set_user_attr(ATTR_BASELINE, found.to_json())
        except Exception:  # noqa: BLE001 - a read-only storage: the baseline is still shown this run
            pass
    return found
