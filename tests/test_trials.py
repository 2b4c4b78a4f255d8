"""The trial store every view reads from."""

from __future__ import annotations

import math

import numpy as np

from hpgui.core.records import TrialRecord
from hpgui.core.trials import TrialStore


def rec(n, value=None, state="complete", **params):
    return TrialRecord(number=n, state=state, value=value if state == "complete" else None, params=params)


def test_best_and_best_so_far_follow_the_direction():
    store = TrialStore("minimize")
    store.add([rec(0, 5.0), rec(1, state="failed"), rec(2, 3.0), rec(3, 4.0), rec(4, 1.0)])
    arrays = store.arrays()
    assert store.best.number == 4
    np.testing.assert_array_equal(arrays.best_so_far, [5, 5, 3, 3, 1])
    assert math.isnan(arrays.values[1])
    assert list(arrays.states) == [0, 1, 0, 0, 0]
    assert [n for n, _ in store.best_trail] == [0, 2, 4]


def test_out_of_order_batches_are_sorted_and_the_best_recomputed():
    store = TrialStore("maximize")
    store.add([rec(2, 0.7), rec(0, 0.5)])
    store.add([rec(1, 0.9), rec(3, state="pruned")])
    assert [r.number for r in store.records] == [0, 1, 2, 3]
    assert store.best.number == 1
    np.testing.assert_array_equal(store.arrays().best_so_far, [0.5, 0.9, 0.9, 0.9])
    assert store.index_of(3) == 3 and store.index_of(7) is None


def test_a_record_sent_twice_replaces_the_first_and_versions_count_changes():
    store = TrialStore()
    v0 = store.version
    assert store.add([rec(0, state="running")]) == 1
    assert store.add([rec(0, 0.8)]) == 0
    assert len(store) == 1 and store.best.value == 0.8
    assert store.version == v0 + 2
    assert store.arrays() is store.arrays()  # cached until the next change


def test_no_score_yet_means_nan_best_so_far():
    store = TrialStore()
    store.add([rec(0, state="failed"), rec(1, 0.4)])
    best = store.arrays().best_so_far
    assert math.isnan(best[0]) and best[1] == 0.4
    assert store.param_values("x") == [None, None]


def test_reset_never_reuses_a_version_and_infinite_scores_are_not_best():
    store = TrialStore()
    store.add([rec(0, 0.5), rec(1, 0.6)])
    seen = store.version
    store.reset("maximize")
    store.add([rec(0, 0.1)])
    assert store.version > seen
    store.add([rec(1, float("inf")), rec(2, 0.7)])
    assert store.best.number == 2
    np.testing.assert_array_equal(store.arrays().best_so_far, [0.1, 0.1, 0.7])


def with_folds(n, value, folds=None, train=None, state="complete"):
    return TrialRecord(number=n, state=state, value=value if state == "complete" else None, params={},
                       folds=folds, train_score=train)


def test_details_give_train_and_fold_columns_and_follow_changes():
    store = TrialStore("maximize")
    store.add([with_folds(0, 0.8, [0.7, 0.9], train=0.95), with_folds(1, None, state="running"),
               with_folds(2, 0.6, [0.5, float("nan"), 0.7, None]), with_folds(3, 0.7, [])])
    d = store.details()
    np.testing.assert_array_equal(d.train, [0.95, np.nan, np.nan, np.nan])
    np.testing.assert_array_equal(d.fold_low, [0.7, np.nan, 0.5, np.nan])
    np.testing.assert_array_equal(d.fold_high, [0.9, np.nan, 0.7, np.nan])
    np.testing.assert_allclose(d.fold_std, [0.1, np.nan, 0.1, np.nan])  # NaN and None folds are left out
    assert d.fold_count.tolist() == [2, 0, 2, 0]
    assert store.details() is d  # nothing changed: nothing recomputed
    # A running trial finishes (replaced in place), one arrives after the last and one fills a gap.
    store.add([with_folds(1, 0.9, [0.8, 1.0], train=0.99)])
    store.add([with_folds(5, 0.5, [0.4, 0.6, 0.5])])
    store.add([with_folds(4, 0.4, [0.3])])
    d = store.details()
    assert d.fold_count.tolist() == [2, 2, 2, 0, 1, 3]
    np.testing.assert_array_equal(d.train, [0.95, 0.99, np.nan, np.nan, np.nan, np.nan])
    np.testing.assert_array_equal(d.fold_low, [0.7, 0.8, 0.5, np.nan, 0.3, 0.4])
    np.testing.assert_array_equal(d.fold_high, [0.9, 1.0, 0.7, np.nan, 0.3, 0.6])
    np.testing.assert_allclose(d.fold_std[5], np.std([0.4, 0.6, 0.5]))
    # Every column matches a fresh computation over the same records.
    fresh = TrialStore("maximize")
    fresh.add(list(store.records))
    for name in ("train", "fold_low", "fold_high", "fold_std", "fold_count"):
        np.testing.assert_array_equal(getattr(fresh.details(), name), getattr(d, name))
    store.reset("maximize")
    assert len(store.details().train) == 0
