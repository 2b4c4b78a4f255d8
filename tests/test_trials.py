"""The trial store every view reads from."""

from __future__ import annotations

import math

import numpy as np

from hpgui.core.runner import TrialRecord
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
