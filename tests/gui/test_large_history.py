"""A study with more completed trials than the history chart draws one by one."""

from __future__ import annotations

import numpy as np

from hpgui.core.records import TrialRecord
from hpgui.gui.plotting import MAX_SCATTER, thin
from hpgui.gui.views import HistoryChart
from hpgui.core.trials import TrialStore


def test_thin_keeps_each_runs_extremes_and_stays_near_the_limit():
    rng = np.random.default_rng(0)
    y = rng.normal(size=100_000)
    keep = thin(y, 2_000)
    assert len(keep) <= 2_200 and np.all(np.diff(keep) > 0)
    assert np.argmax(y) in keep and np.argmin(y) in keep
    np.testing.assert_array_equal(thin(y[:50], 2_000), np.arange(50))


def test_a_large_study_is_drawn_thinned_and_new_trials_still_arrive_one_by_one(qtbot):
    chart = HistoryChart()
    qtbot.addWidget(chart)
    n = MAX_SCATTER + 5_000
    rng = np.random.default_rng(1)
    values = rng.uniform(0.5, 0.9, size=n)
    values[12_345] = 0.99
    store = TrialStore("maximize")
    store.add([TrialRecord(number=i, state="complete", value=float(v), params={}) for i, v in enumerate(values)])
    chart.refresh(store)
    x, y = chart.plotted()["complete"]
    assert len(x) <= MAX_SCATTER * 1.1
    assert 12_345 in x and y[np.searchsorted(x, 12_345)] == 0.99  # the best trial is always drawn
    np.testing.assert_array_equal(y, values[x.astype(int)])
    bx, by = chart.plotted()["best"]
    assert by[-1] == 0.99  # the best-so-far line still covers every trial

    store.add([TrialRecord(number=n + k, state="complete", value=0.5, params={}) for k in range(20)])
    chart.refresh(store)
    x2, _ = chart.plotted()["complete"]
    assert len(x2) == len(x) + 20 and set(x2[-20:]) == set(range(n, n + 20))
