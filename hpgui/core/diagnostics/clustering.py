"""Clustering on held-out rows: cluster sizes and the silhouette of every row.

Silhouettes are measured where the model clusters (after its preprocessing), as the
study's silhouette score is. Fold models number their clusters as they please, so each
fold's labels are matched to the model fitted on all rows (the assignment that agrees
on most rows) before sizes are added up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: silhouette_samples costs rows² distances; above this many rows a seeded sample is drawn.
MAX_SILHOUETTE_ROWS = 6_000


@dataclass
class ClusteringResult:
    labels: np.ndarray           # cluster of each row (matched to the full model's numbering)
    sizes: np.ndarray            # rows per cluster, indexed by cluster number
    silhouette: np.ndarray       # silhouette of each sampled row
    silhouette_labels: np.ndarray  # the cluster of each of those rows
    silhouette_groups: np.ndarray  # the group (fold) each of those rows was measured in
    score: float                 # mean silhouette
    sampled: int | None = None   # rows the silhouettes were drawn from, when a sample was used
    note: str = ""


def space_of(model, X):
    """The features as the model's last step sees them."""
    return model[:-1].transform(X) if hasattr(model, "steps") and len(model.steps) > 1 else X


def match_labels(labels: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``labels`` renumbered to agree with ``reference`` on as many rows as possible."""
    from scipy.optimize import linear_sum_assignment

    own, ref = np.unique(labels), np.unique(reference)
    table = np.zeros((len(own), len(ref)), dtype=np.int64)
    np.add.at(table, (np.searchsorted(own, labels), np.searchsorted(ref, reference)), 1)
    rows, cols = linear_sum_assignment(-table)
    mapping = {int(own[r]): int(ref[c]) for r, c in zip(rows, cols)}
    spare = iter(range(int(max(ref.max(), own.max())) + 1, 10 ** 9))
    return np.array([mapping[int(v)] if int(v) in mapping else mapping.setdefault(int(v), next(spare))
                     for v in labels], dtype=np.int64)


def silhouettes(spaces_and_labels: list[tuple[np.ndarray, np.ndarray, np.ndarray]], total: int,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, int | None, str]:
    """Silhouette of each row within its own group (a fold or the test set), a sample if there are many.

    ``spaces_and_labels``: (features in the model's space, own labels, labels to report) per group."""
    from sklearn.metrics import silhouette_samples

    rng = np.random.default_rng(seed)
    share = min(1.0, MAX_SILHOUETTE_ROWS / max(total, 1))
    values, labels, groups, notes = [], [], [], []
    for group, (space, own, shown) in enumerate(spaces_and_labels):
        keep = np.arange(len(own))
        if share < 1.0:
            keep = np.sort(rng.choice(len(own), size=max(2, int(round(len(own) * share))), replace=False))
        if len(np.unique(own[keep])) < 2:
            notes.append("a group whose rows fell into one cluster has no silhouette")
            continue
        values.append(silhouette_samples(space[keep], own[keep]))
        labels.append(shown[keep])
        groups.append(np.full(len(keep), group))
    note = "; ".join(dict.fromkeys(notes))
    if not values:
        return np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), None, note
    sample = int(sum(len(v) for v in values)) if share < 1.0 else None
    return np.concatenate(values), np.concatenate(labels), np.concatenate(groups), sample, note


def summarise(labels: np.ndarray, groups: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
              seed: int = 0) -> ClusteringResult:
    labels = np.asarray(labels, dtype=np.int64)
    sizes = np.bincount(labels) if len(labels) else np.zeros(0, dtype=np.int64)
    values, shown, where, sampled, note = silhouettes(groups, len(labels), seed)
    score = float(np.mean(values)) if len(values) else float("nan")
    return ClusteringResult(labels, sizes, values, shown, where, score, sampled, note)
