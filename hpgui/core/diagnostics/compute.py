"""One trial's diagnostics: out-of-fold on the study's folds, and on the test set where one is held out.

The pipeline is the study's own (``Search.recipe``), fitted on the study's folds
(``Search.splits`` over ``Search.X``/``Search.y``) and, for the test set, on all
training rows (``Search.fit_best``); nothing is re-split or rebuilt another way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

import numpy as np

from ..evaluate import Interrupted
from . import classification, clustering, permutation, regression
from .predictions import HeldOut, fit, on_test, out_of_fold

if TYPE_CHECKING:
    from ..runner import Search

Progress = Callable[[float, str], None]

PART_LABELS = {"cv": "Cross-validation (out-of-fold)", "test": "Test set (held out)"}


@dataclass
class Part:
    """What one set of held-out rows says about the model."""

    kind: str                          # "cv" or "test"
    held_out: HeldOut
    score: float                       # the study's metric over these rows pooled
    classification: classification.ClassificationResult | None = None
    regression: regression.RegressionResult | None = None
    clustering: clustering.ClusteringResult | None = None
    importance: permutation.PermutationResult | None = None
    importance_note: str = ""

    @property
    def label(self) -> str:
        return PART_LABELS[self.kind]

    @property
    def n(self) -> int:
        return self.held_out.n


@dataclass
class Diagnostics:
    task: str
    trial: int | None
    params: dict[str, Any]
    metric: str                        # the metric's label
    greater_is_better: bool
    parts: list[Part]
    columns: list[str]
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    # The fitted fold models and the model fitted on all training rows, kept (when importance was
    # left for later) until add_importance has used them.
    models: tuple[list, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def complete(self) -> bool:
        """Whether permutation importance was measured (or never will be: no model kept for it)."""
        return self.models is None

    def part(self, kind: str) -> Part | None:
        return next((p for p in self.parts if p.kind == kind), None)


def _rows(X: Any, positions: np.ndarray) -> Any:
    return X.iloc[positions] if hasattr(X, "iloc") else X[positions]


def diagnose(search: "Search", params: Mapping[str, Any], *, trial: int | None = None,
             importance: bool = True, repeats: int = permutation.REPEATS,
             should_stop: Callable[[], bool] = lambda: False,
             progress: Progress = lambda fraction, text: None) -> Diagnostics:
    """Diagnostics of the configuration ``params`` of ``search``'s study.

    ``should_stop`` is asked between fits; when it says yes :class:`Interrupted` is raised.
    """
    started = time.monotonic()
    task = search.task
    params = dict(params)
    build = lambda: search.build_estimator(params)  # noqa: E731
    if getattr(search, "pbt", None) is not None:  # a population's trial is trained by its schedule
        build = search.pbt.builder(params, search.records())
    classes = np.unique(search.y) if task == "classification" else None
    X, y = search.X, search.y
    n_folds = len(_fold_list(search))
    has_test = search.X_test is not None
    steps = (n_folds * (2 if importance else 1) + (has_test or task == "clustering")
             + has_test * (2 if importance else 1))
    done = [0]

    def step(text: str) -> None:
        if should_stop():
            raise Interrupted("stopped")
        progress(min(done[0] / max(steps, 1), 0.99), text)
        done[0] += 1

    seed = search.seed if search.seed is not None else 0
    notes: list[str] = []
    if search.setup.evaluation.method == "repeated_kfold":
        notes.append("out-of-fold predictions come from the first repetition of the folds")
    elif search.setup.evaluation.method == "holdout":
        notes.append("out-of-fold predictions cover only the rows the holdout split held out")

    cv = out_of_fold(build, X, y, search.splits, classes, should_stop,
                     lambda text: step(f"Fitting {text} (cross-validation)"))
    full = None
    if has_test or task == "clustering":
        step("Fitting on all training rows")
        full = fit(build, X, y)
    parts = [_part(search, cv, X, y, classes, full, seed)]
    if has_test:
        step("Predicting the test set")
        test = on_test(full, search.X_test, search.y_test, classes)
        parts.append(_part(search, test, search.X_test, search.y_test, classes, full, seed))

    diagnostics = Diagnostics(task, trial, params, search.metric.label, search.metric.greater_is_better, parts,
                              list(X.columns), time.monotonic() - started, notes, (cv.fold_models or [], full))
    cv.fold_models = None
    if importance:
        add_importance(search, diagnostics, repeats=repeats, should_stop=should_stop,
                       progress=lambda fraction, text: progress(min(0.99, (done[0] + fraction * (steps - done[0]))
                                                                     / max(steps, 1)), text))
    progress(1.0, "Done")
    return diagnostics


def add_importance(search: "Search", diagnostics: Diagnostics, *, repeats: int = permutation.REPEATS,
                   should_stop: Callable[[], bool] = lambda: False,
                   progress: Progress = lambda fraction, text: None) -> Diagnostics:
    """Permutation importance of each part, from the models ``diagnose(importance=False)`` kept.

    It is the slow half (every column shuffled and predicted ``repeats`` times per model), so the
    window shows the rest first and adds this when it is ready."""
    if diagnostics.models is None:
        raise ValueError("these diagnostics kept no models; run diagnose(importance=True) instead")
    fold_models, full = diagnostics.models
    X, y = search.X, search.y
    scorer = permutation.rising(search.scorer, search.metric.greater_is_better)
    seed = search.seed if search.seed is not None else 0
    columns = list(X.columns)
    cv = diagnostics.parts[0].held_out
    test = diagnostics.part("test")
    total = len(fold_models) + (test is not None)
    fold_parts = []
    for n, model in enumerate(fold_models):
        if should_stop():
            raise Interrupted("stopped")
        progress(n / total, f"Permutation importance, fold {n + 1} of {len(fold_models)}")
        rows = cv.positions[cv.fold == n]
        fold_parts.append(permutation.importance(model, _rows(X, rows), None if y is None else _rows(y, rows),
                                                 scorer, repeats=repeats, seed=seed))
    cv_importance = permutation.combine(columns, fold_parts, repeats)
    test_importance = None
    if test is not None:
        if should_stop():
            raise Interrupted("stopped")
        progress(len(fold_models) / total, "Permutation importance, test set")
        test_importance = permutation.combine(
            columns, [permutation.importance(full, search.X_test, search.y_test, scorer, repeats=repeats,
                                             seed=seed)], repeats)
    # Set only once all are measured, so a reader on another thread sees none or all of them.
    diagnostics.parts[0].importance = cv_importance
    if test is not None:
        test.importance = test_importance
    diagnostics.models = None
    progress(1.0, "Done")
    return diagnostics


def _fold_list(search: "Search") -> list[int]:
    from .predictions import partition

    return partition(search.splits, len(search.X))


def _part(search: "Search", held: HeldOut, X: Any, y: Any, classes: np.ndarray | None, full: Any,
          seed: int) -> Part:
    task = search.task
    if task == "classification":
        result = classification.summarise(held.y_true, held.y_pred, classes, held.proba, held.decision)
        return Part(held.kind, held, _pooled(search, held), classification=result)
    if task == "regression":
        result = regression.summarise(held.y_true, held.y_pred)
        return Part(held.kind, held, _pooled(search, held), regression=result)
    clustering_result = _clusters(held, X, full, seed)
    return Part(held.kind, held, clustering_result.score, clustering=clustering_result)


def _pooled(search: "Search", held: HeldOut) -> float:
    """The study's metric over all these rows at once (the study's own score is the mean over folds)."""
    from sklearn import metrics

    name = search.metric.name
    y, pred = held.y_true, held.y_pred
    if name == "accuracy":
        return float(metrics.accuracy_score(y, pred))
    if name == "balanced_accuracy":
        return float(metrics.balanced_accuracy_score(y, pred))
    if name == "f1_macro":
        return float(metrics.f1_score(y, pred, average="macro"))
    if name == "r2":
        return float(metrics.r2_score(y, pred))
    if name == "rmse":
        return float(metrics.root_mean_squared_error(y, pred))
    if name == "mae":
        return float(metrics.mean_absolute_error(y, pred))
    scores, _ = classification.class_scores(held.proba, held.decision, len(held.classes))
    if scores is None:
        return float("nan")
    if name == "roc_auc":
        if len(held.classes) == 2:
            return float(metrics.roc_auc_score(y == held.classes[1], scores))
        return float(metrics.roc_auc_score(y, scores, multi_class="ovr", labels=held.classes)) \
            if held.proba is not None else float("nan")
    if name == "log_loss" and held.proba is not None:
        return float(metrics.log_loss(y, held.proba, labels=held.classes))
    return float("nan")


def _clusters(held: HeldOut, X: Any, full: Any, seed: int) -> clustering.ClusteringResult:
    if held.kind == "test":
        space = np.asarray(clustering.space_of(full, X))
        labels = np.asarray(held.y_pred, dtype=np.int64)
        return clustering.summarise(labels, [(space, labels, labels)], seed)
    # Out of fold: each fold's rows in its own model's space, its labels matched to the full model's.
    reference = np.asarray(full.predict(X), dtype=np.int64)
    matched = np.empty(held.n, dtype=np.int64)
    groups = []
    for n, model in enumerate(held.fold_models or []):
        mask = held.fold == n
        rows = held.positions[mask]
        own = np.asarray(held.y_pred[mask], dtype=np.int64)
        shown = clustering.match_labels(own, reference[rows])
        matched[mask] = shown
        groups.append((np.asarray(clustering.space_of(model, _rows(X, rows))), own, shown))
    return clustering.summarise(matched, groups, seed)
