"""Classification on held-out rows: confusion matrix, per-class report, ROC, precision–recall,
calibration and, for two classes, the decision threshold.

Every number comes from scikit-learn's metrics (the same functions its Display classes
call); this module only lays them out per class, one-vs-rest where there are several.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: At most this many thresholds are kept for the threshold chart (quantiles of the scores).
THRESHOLD_POINTS = 400
CALIBRATION_BINS = 10


@dataclass
class Curve:
    label: str          # the class (one-vs-rest) or "" for the binary positive class
    x: np.ndarray
    y: np.ndarray
    area: float         # AUC, average precision, or the Brier score for calibration


@dataclass
class ClassReport:
    labels: list[str]
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    accuracy: float
    macro: tuple[float, float, float]
    weighted: tuple[float, float, float]


@dataclass
class Thresholds:
    """Precision, recall and F1 of the positive class as the decision threshold moves."""

    positive: str
    score_name: str      # "probability" or "decision score"
    default: float       # the threshold the model's own predict uses
    values: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray

    @property
    def best_f1(self) -> float:
        return float(self.values[int(np.nanargmax(self.f1))]) if len(self.values) else self.default


@dataclass
class ClassificationResult:
    classes: list[str]
    matrix: np.ndarray              # counts, rows = actual, columns = predicted
    report: ClassReport
    roc: list[Curve] = field(default_factory=list)
    pr: list[Curve] = field(default_factory=list)
    roc_auc: float | None = None    # binary AUC, or the one-vs-rest macro average
    average_precision: float | None = None
    calibration: list[Curve] = field(default_factory=list)
    thresholds: Thresholds | None = None
    score_name: str | None = None   # where the curves' scores came from
    note: str = ""                  # why a curve is missing

    @property
    def normalised(self) -> np.ndarray:
        return normalise(self.matrix)


def normalise(matrix: np.ndarray) -> np.ndarray:
    """Each row (actual class) as shares of its rows; an empty row stays zero."""
    totals = matrix.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, matrix / np.where(totals == 0, 1, totals), 0.0)


def class_scores(proba: np.ndarray | None, decision: np.ndarray | None,
                 n_classes: int) -> tuple[np.ndarray | None, str | None]:
    """The scores curves are drawn from: probabilities if the model gives them, else decision scores.

    Binary: one column, the positive (second) class. Several classes: one column per class."""
    if proba is not None:
        return (proba[:, 1] if n_classes == 2 else proba), "probability"
    if decision is not None:
        if n_classes == 2:
            return (decision if decision.ndim == 1 else decision[:, 1]), "decision score"
        return decision, "decision score"
    return None, None


def summarise(y_true: np.ndarray, y_pred: np.ndarray, classes: np.ndarray, proba: np.ndarray | None,
              decision: np.ndarray | None) -> ClassificationResult:
    from sklearn.metrics import (accuracy_score, average_precision_score, confusion_matrix,
                                 precision_recall_fscore_support, roc_auc_score)

    labels = [str(c) for c in classes]
    matrix = confusion_matrix(y_true, y_pred, labels=classes)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=classes, zero_division=0)
    macro = precision_recall_fscore_support(y_true, y_pred, labels=classes, average="macro", zero_division=0)[:3]
    weighted = precision_recall_fscore_support(y_true, y_pred, labels=classes, average="weighted",
                                               zero_division=0)[:3]
    report = ClassReport(labels, p, r, f, s, float(accuracy_score(y_true, y_pred)),
                         tuple(map(float, macro)), tuple(map(float, weighted)))
    result = ClassificationResult(labels, matrix, report)
    scores, name = class_scores(proba, decision, len(classes))
    result.score_name = name
    if scores is None:
        result.note = "this model gives neither probabilities nor decision scores, so there are no curves"
        return result
    present = [c for c in classes if np.any(y_true == c)]
    if len(present) < 2:
        result.note = "these rows hold a single class, so ROC and precision–recall are undefined"
        return result
    if len(classes) == 2:
        positive = classes[1]
        truth = (y_true == positive).astype(int)
        result.roc = [_roc(truth, scores, labels[1])]
        result.pr = [_pr(truth, scores, labels[1])]
        result.roc_auc = float(roc_auc_score(truth, scores))
        result.average_precision = float(average_precision_score(truth, scores))
        if name == "probability":
            result.calibration = [_calibration(truth, scores, labels[1])]
        result.thresholds = thresholds(truth, scores, labels[1], name)
        return result
    for j, c in enumerate(classes):
        truth = (y_true == c).astype(int)
        if 0 < truth.sum() < len(truth):
            result.roc.append(_roc(truth, scores[:, j], labels[j]))
            result.pr.append(_pr(truth, scores[:, j], labels[j]))
            if name == "probability":
                result.calibration.append(_calibration(truth, scores[:, j], labels[j]))
    if result.roc:
        # The one-vs-rest macro average: the mean of the per-class AUCs, as roc_auc_score(multi_class="ovr").
        result.roc_auc = float(np.mean([c.area for c in result.roc]))
        result.average_precision = float(np.mean([c.area for c in result.pr]))
    if len(result.roc) < len(classes):
        result.note = "a class absent from these rows has no one-vs-rest curve"
    return result


def _roc(truth: np.ndarray, scores: np.ndarray, label: str) -> Curve:
    from sklearn.metrics import roc_auc_score, roc_curve

    fpr, tpr, _ = roc_curve(truth, scores)
    return Curve(label, fpr, tpr, float(roc_auc_score(truth, scores)))


def _pr(truth: np.ndarray, scores: np.ndarray, label: str) -> Curve:
    from sklearn.metrics import average_precision_score, precision_recall_curve

    precision, recall, _ = precision_recall_curve(truth, scores)
    return Curve(label, recall, precision, float(average_precision_score(truth, scores)))


def _calibration(truth: np.ndarray, proba: np.ndarray, label: str) -> Curve:
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss

    observed, predicted = calibration_curve(truth, proba, n_bins=CALIBRATION_BINS, strategy="uniform")
    return Curve(label, predicted, observed, float(brier_score_loss(truth, proba)))


def positive_scores(proba: np.ndarray | None, decision: np.ndarray | None) -> np.ndarray | None:
    """A two-class model's scores for its positive (second) class, as its threshold sees them."""
    scores, _ = class_scores(proba, decision, 2)
    return scores


def predict_at(scores: np.ndarray, threshold: float) -> np.ndarray:
    """1 where the positive class is predicted. Strictly above, as a model's own predict decides
    (argmax of two probabilities that tie picks the first class; a decision score of 0 is negative)."""
    return (np.asarray(scores) > threshold).astype(int)


def matrix_at(truth: np.ndarray, scores: np.ndarray, threshold: float) -> np.ndarray:
    """The 2×2 confusion matrix (negative, positive) at ``threshold``."""
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(truth, predict_at(scores, threshold), labels=[0, 1])


def thresholds(truth: np.ndarray, scores: np.ndarray, positive: str, name: str) -> Thresholds:
    scores = np.asarray(scores, dtype=float)
    values = np.unique(scores)
    if len(values) > THRESHOLD_POINTS:
        values = np.unique(np.quantile(scores, np.linspace(0, 1, THRESHOLD_POINTS)))
    # Just below each distinct score, so that score itself counts as positive; then the top one (none positive).
    grid = np.append(np.nextafter(values, -np.inf), values[-1]) if len(values) else np.array([0.5])
    # Counts above each threshold from sorted scores: the same numbers as confusion_matrix at each
    # threshold (tests/test_diagnostics.py checks), without 400 calls of it.
    ordered = np.sort(scores)
    positives = np.sort(scores[truth == 1])
    predicted = len(ordered) - np.searchsorted(ordered, grid, side="right")
    tp = len(positives) - np.searchsorted(positives, grid, side="right")
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(predicted > 0, tp / np.maximum(predicted, 1), 0.0)
        recall = tp / len(positives) if len(positives) else np.zeros(len(grid))
        f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-300), 0.0)
    default = 0.5 if name == "probability" else 0.0
    return Thresholds(positive, name, default, grid, precision, recall, f1)
