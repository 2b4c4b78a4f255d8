"""The parameter views (slices, parallel coordinates, contour, importance), their sampling, and the
window's list of views."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from hpgui.core.importance import compute
from hpgui.core.metrics import get_metric
from hpgui.core.records import TrialRecord
from hpgui.core.space import Hyperparameter
from hpgui.core.trials import TrialStore
from hpgui.gui.views import VIEW_CLASSES, ResultsView
from hpgui.gui.views.contour import ContourView, surface
from hpgui.gui.views.common import ParamAxis, choose_shown, shown_by_state
from hpgui.gui.views.importance import ImportanceView
from hpgui.gui.views.parallel import NA_Y, ParallelView
from hpgui.gui.views.slices import SlicesView

SPACE = {
    "C": Hyperparameter("float", 0.01, 100.0, log=True),
    "kernel": Hyperparameter("categorical", choices=("linear", "rbf")),
    "gamma": Hyperparameter("float", 0.001, 1.0, log=True),  # rbf only
    "depth": Hyperparameter("int", 1, 5),
}
ACCURACY = get_metric("accuracy")


def rec(n, value=None, state="complete", **params):
    return TrialRecord(number=n, state=state, value=value if state == "complete" else None, params=params,
                       std=0.01 if state == "complete" else None)


def known_records():
    return [
        rec(0, 0.70, C=0.1, kernel="linear", depth=2),
        rec(1, state="failed", C=1.0, kernel="rbf", gamma=0.01, depth=3),
        rec(2, 0.80, C=1.0, kernel="rbf", gamma=0.1, depth=3),
        rec(3, state="pruned", C=10.0, kernel="linear", depth=1),
        rec(4, 0.90, C=10.0, kernel="rbf", gamma=0.01, depth=4),
        rec(5, 0.60, C=100.0, kernel="linear", depth=5),
        rec(6, 0.85, C=0.01, kernel="rbf", gamma=1.0, depth=1),
    ]


COMPLETE = [0, 2, 4, 5, 6]
VALUES = {0: 0.70, 2: 0.80, 4: 0.90, 5: 0.60, 6: 0.85}


@pytest.fixture
def store():
    s = TrialStore("maximize", list(SPACE))
    s.add(known_records())
    return s


def make(qtbot, cls):
    view = cls()
    qtbot.addWidget(view)
    view.resize(1000, 650)
    view.show()
    qtbot.waitExposed(view)
    view.set_context(SPACE, ACCURACY)
    return view


def scene_pos(plot, x, y) -> QPointF:
    return plot.getViewBox().mapViewToScene(QPointF(x, y))


def click(qtbot, view, graphics, plot, x, y) -> list:
    """A real left click at view coordinates (x, y) of ``plot``; returns the trialClicked arguments."""
    view.grab()  # lay out and auto-range before mapping coordinates
    widget_pos = graphics.mapFromScene(scene_pos(plot, x, y))
    with qtbot.waitSignal(view.trialClicked, timeout=2000) as blocker:
        qtbot.mouseClick(graphics.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(widget_pos))
    return blocker.args


def exports(view, tmp_path):
    for suffix in ("png", "svg"):
        path = tmp_path / f"{view.TITLE.replace(' ', '-')}.{suffix}"
        view.export_image(str(path))
        assert path.stat().st_size > 1000, path


# -- slices ---------------------------------------------------------------------------------------


def test_slices_one_chart_per_hyperparameter_with_score_against_value(qtbot, store):
    view = make(qtbot, SlicesView)
    view.refresh(store)
    p = view.plotted()
    assert list(p["slices"]) == ["C", "kernel", "gamma", "depth"]
    c = p["slices"]["C"]
    assert c["log"] is True
    np.testing.assert_array_equal(c["numbers"], COMPLETE)
    np.testing.assert_allclose(c["x"], [-1, 0, 1, 2, -2])  # log10 of C: the axis is logarithmic
    np.testing.assert_allclose(c["y"], [VALUES[n] for n in COMPLETE])
    np.testing.assert_array_equal(c["failed_numbers"], [1])
    np.testing.assert_allclose(c["failed_x"], [0.0])
    np.testing.assert_array_equal(c["pruned_numbers"], [3])
    np.testing.assert_allclose(c["pruned_x"], [1.0])
    # Failed and pruned trials have no score: they sit on a row below the lowest score.
    assert p["floor"] < 0.60
    kernel = p["slices"]["kernel"]
    assert kernel["categories"] == ["linear", "rbf"]
    np.testing.assert_array_equal(np.round(kernel["x"]), [0, 1, 1, 0, 1])
    assert np.all(np.abs(kernel["x"] - np.round(kernel["x"])) <= 0.15)  # a little jitter, never onto the next
    gamma = p["slices"]["gamma"]  # only where it applied (rbf)
    np.testing.assert_array_equal(gamma["numbers"], [2, 4, 6])
    np.testing.assert_allclose(gamma["x"], [-1, -2, 0])
    np.testing.assert_array_equal(gamma["failed_numbers"], [1])
    assert len(gamma["pruned_numbers"]) == 0
    np.testing.assert_allclose(p["slices"]["depth"]["x"], [2, 3, 4, 5, 1])
    assert p["colour_range"] == (0.0, 6.0)  # colours run from the first trial to the last
    assert view.plot_for("C").getAxis("bottom").logMode
    # The drawn scatter items hold exactly these points.
    drawn = np.sort(np.concatenate([item.getData()[0] for item in view._slices["C"].complete]))
    np.testing.assert_allclose(drawn, np.sort(c["x"]))


def test_slices_update_live_and_honour_filters_and_top_k(qtbot, store):
    view = make(qtbot, SlicesView)
    view.refresh(store)
    assert not view.refresh(store)  # nothing changed: no redraw
    store.add([rec(7, 0.95, C=3.0, kernel="rbf", gamma=0.3, depth=2)])
    assert view.refresh(store)
    c = view.plotted()["slices"]["C"]
    np.testing.assert_array_equal(c["numbers"], COMPLETE + [7])
    assert c["x"][-1] == pytest.approx(math.log10(3.0))
    view.failed_box.setChecked(False)
    c = view.plotted()["slices"]["C"]
    assert len(c["failed_numbers"]) == 0 and list(c["pruned_numbers"]) == [3]
    view.pruned_box.setChecked(False)
    assert len(view.plotted()["slices"]["C"]["pruned_numbers"]) == 0
    view.top_k.setValue(2)
    c = view.plotted()["slices"]["C"]
    np.testing.assert_array_equal(c["numbers"], [4, 7])
    np.testing.assert_allclose(c["y"], [0.90, 0.95])


def test_slices_hover_click_select_and_export(qtbot, store, tmp_path):
    view = make(qtbot, SlicesView)
    view.refresh(store)
    view.grab()
    plot = view.plot_for("C")
    picker = view.picker_for("C")
    assert picker.trial_at(scene_pos(plot, 1.0, 0.90)) == 4
    tip = view.tooltip_for(4)
    assert "Trial 4" in tip and "Accuracy: 0.9" in tip and "C = 10" in tip and "gamma = 0.01" in tip
    picker._moved(scene_pos(plot, 1.0, 0.90))
    assert "Trial 4" in plot.getViewBox().toolTip()
    assert click(qtbot, view, view._graphics, plot, 2.0, 0.60) == [5]
    assert click(qtbot, view, view._graphics, plot, 0.0, view.plotted()["floor"]) == [1]  # a failed trial
    view.select_trial(6)
    ring = view._slices["C"].ring
    assert ring.isVisible() and ring.getData()[0][0] == pytest.approx(-2.0)
    assert not view._slices["kernel"].ring.getData()[0][0] == pytest.approx(-2.0)
    view.select_trial(None)
    assert not ring.isVisible()
    exports(view, tmp_path)


# -- parallel coordinates -------------------------------------------------------------------------


def test_parallel_one_line_per_trial_through_every_axis(qtbot, store):
    view = make(qtbot, ParallelView)
    view.refresh(store)
    p = view.plotted()
    assert p["axes"] == ["C", "kernel", "gamma", "depth", "Accuracy"]
    np.testing.assert_array_equal(p["numbers"], COMPLETE)
    v = p["vertices"]
    assert v.shape == (5, 5)
    (c_lo, c_hi), _, (g_lo, g_hi), (d_lo, d_hi) = p["ranges"]
    assert c_lo < -2 and c_hi > 2  # the searched range, log10, with a margin
    np.testing.assert_allclose(v[:, 0], (np.log10([0.1, 1, 10, 100, 0.01]) - c_lo) / (c_hi - c_lo))
    np.testing.assert_allclose(v[:, 1], [0.25, 0.75, 0.75, 0.25, 0.75])  # two choices, evenly spaced
    np.testing.assert_allclose(v[:, 2], [NA_Y, (-1 - g_lo) / (g_hi - g_lo), (-2 - g_lo) / (g_hi - g_lo), NA_Y,
                                         (0 - g_lo) / (g_hi - g_lo)])  # gamma: n/a for linear kernels
    np.testing.assert_allclose(v[:, 3], (np.array([2, 3, 4, 5, 1]) - d_lo) / (d_hi - d_lo))
    np.testing.assert_allclose(v[:, 4], (np.array([0.7, 0.8, 0.9, 0.6, 0.85]) - 0.6) / 0.3)
    assert p["score_range"] == pytest.approx((0.6, 0.9))
    np.testing.assert_array_equal(p["failed_numbers"], [1])
    assert p["failed_vertices"][0, 4] == NA_Y  # no score
    np.testing.assert_array_equal(p["pruned_numbers"], [3])
    # Colour follows the score and the best lines lie on top.
    best_curve = [c for c in view._curves if len(c.getData()[1]) and
                  np.any(np.isclose(c.getData()[1], 1.0))][0]
    worst_curve = [c for c in view._curves if len(c.getData()[1]) and
                   np.any(np.isclose(c.getData()[1], 0.0))][0]
    assert best_curve.zValue() > worst_curve.zValue()
    drawn = sum(int(np.isnan(c.getData()[1]).sum()) for c in view._curves)  # one NaN break per line
    assert drawn == 5


def test_parallel_live_filters_top_k_hover_click_export(qtbot, store, tmp_path):
    view = make(qtbot, ParallelView)
    view.refresh(store)
    store.add([rec(7, 0.95, C=3.0, kernel="rbf", gamma=0.3, depth=2)])
    view.refresh(store)
    p = view.plotted()
    np.testing.assert_array_equal(p["numbers"], COMPLETE + [7])
    assert p["vertices"][-1, 4] == pytest.approx(1.0)  # the new best tops the score axis
    view.failed_box.setChecked(False)
    view.pruned_box.setChecked(False)
    assert len(view.plotted()["failed_numbers"]) == 0 and len(view.plotted()["pruned_numbers"]) == 0
    view.failed_box.setChecked(True)
    view.top_k.setValue(3)
    p = view.plotted()
    np.testing.assert_array_equal(p["numbers"], [4, 6, 7])
    assert len(p["failed_numbers"]) == 0
    view.top_k.setValue(0)

    view.grab()
    row = view.plotted()["vertices"][list(view.plotted()["numbers"]).index(4)]
    assert view.picker.trial_at(scene_pos(view.plot, 0, row[0])) in (4, 7)  # C=10 and C=3 are close
    assert view.picker.trial_at(scene_pos(view.plot, 4, row[4])) == 4
    assert click(qtbot, view, view._graphics, view.plot, 4, row[4]) == [4]
    view.select_trial(4)
    np.testing.assert_allclose(view.plotted()["selected"], row)
    exports(view, tmp_path)


# -- contour -------------------------------------------------------------------------------------


def test_contour_surface_and_points_over_the_default_pair(qtbot, store):
    view = make(qtbot, ContourView)
    view.refresh(store)
    p = view.plotted()
    assert p["pair"] == ("C", "gamma")  # the first two numeric hyperparameters
    assert p["method"] == "interpolated"
    pts = p["points"]
    np.testing.assert_array_equal(pts["numbers"], [2, 4, 6])  # gamma does not apply to linear kernels
    np.testing.assert_allclose(pts["x"], [0, 1, -2])
    np.testing.assert_allclose(pts["y"], [-1, -2, 0])
    np.testing.assert_allclose(pts["values"], [0.80, 0.90, 0.85])
    assert p["z"].shape == (len(p["grid_x"]), len(p["grid_y"])) == (100, 100)
    finite = p["z"][np.isfinite(p["z"])]
    assert len(finite) > 100
    assert finite.min() >= 0.80 - 1e-9 and finite.max() <= 0.90 + 1e-9  # linear: between the trials' scores
    # The cell nearest the best trial holds (nearly) its score.
    i, j = np.argmin(np.abs(p["grid_x"] - 1)), np.argmin(np.abs(p["grid_y"] + 2))
    assert abs(p["z"][i, j] - 0.90) < 0.02 or not np.isfinite(p["z"][i, j])
    np.testing.assert_array_equal(p["failed"]["numbers"], [1])
    np.testing.assert_allclose([p["failed"]["x"][0], p["failed"]["y"][0]], [0, -2])
    assert "2 trial(s) where C or gamma did not apply" in p["note"]
    assert view.plot.getAxis("bottom").logMode and view.plot.getAxis("left").logMode


def test_contour_categorical_pair_interpolates_within_each_choice(qtbot, store):
    view = make(qtbot, ContourView)
    view.refresh(store)
    view.set_pair("C", "kernel")
    p = view.plotted()
    assert p["method"] == "by choice"
    np.testing.assert_allclose(p["grid_y"], [0, 1])
    gx = p["grid_x"]
    linear = p["z"][:, 0]
    inside = (gx >= -1) & (gx <= 2)  # linear kernels were tried at C = 0.1, 100 (and 10 pruned)
    np.testing.assert_allclose(linear[inside], np.interp(gx[inside], [-1, 2], [0.70, 0.60]))
    assert np.all(np.isnan(linear[~inside]))
    assert np.all(np.abs(p["points"]["y"] - np.round(p["points"]["y"])) <= 0.125)  # jittered choices
    # Picking the other axis's hyperparameter swaps the two.
    view.x_combo.setCurrentText("kernel")
    assert view.pair == ("kernel", "C")
    assert view.plotted()["method"] == "by choice" and view.plotted()["z"].shape == (2, 100)


def test_surface_of_two_categorical_axes_is_the_mean_per_cell():
    a = ParamAxis("a", Hyperparameter("categorical", choices=("x", "y")))
    b = ParamAxis("b", Hyperparameter("categorical", choices=(True, False, None)))
    x = np.array([0, 0, 1, 1])
    y = np.array([0, 0, 2, 1])
    gx, gy, z, method = surface(a, b, x, y, np.array([1.0, 3.0, 5.0, 7.0]), (-0.5, 1.5), (-0.5, 2.5))
    assert method == "cells"
    np.testing.assert_allclose(z, [[2.0, np.nan, np.nan], [np.nan, 7.0, 5.0]])


def test_contour_live_filters_hover_click_export(qtbot, store, tmp_path):
    view = make(qtbot, ContourView)
    view.refresh(store)
    store.add([rec(7, 0.95, C=3.0, kernel="rbf", gamma=0.3, depth=2)])
    view.refresh(store)
    np.testing.assert_array_equal(view.plotted()["points"]["numbers"], [2, 4, 6, 7])
    view.failed_box.setChecked(False)
    assert len(view.plotted()["failed"]["numbers"]) == 0
    view.top_k.setValue(2)
    np.testing.assert_array_equal(view.plotted()["points"]["numbers"], [4, 7])
    view.top_k.setValue(0)
    view.grab()
    assert view.picker.trial_at(scene_pos(view.plot, 1, -2)) == 4
    assert "Trial 4" in view.tooltip_for(4)
    assert click(qtbot, view, view._graphics, view.plot, -2, 0) == [6]
    view.select_trial(6)
    assert view._ring.isVisible() and view._ring.getData()[0][0] == pytest.approx(-2)
    exports(view, tmp_path)


# -- importance ----------------------------------------------------------------------------------


def importance_records(n, start=0, seed=3):
    """The score depends on C alone."""
    rng = random.Random(seed + start)
    out = []
    for i in range(start, start + n):
        C = 10 ** rng.uniform(-2, 2)
        kernel = rng.choice(["linear", "rbf"])
        params = {"C": C, "kernel": kernel, "depth": rng.randint(1, 5)}
        if kernel == "rbf":
            params["gamma"] = 10 ** rng.uniform(-3, 0)
        out.append(rec(i, 1.0 - abs(math.log10(C)) / 4, **params))
    return out


def wait_idle(qtbot, view):
    qtbot.waitUntil(lambda: not view.busy, timeout=60_000)


def test_importance_waits_for_ten_trials_then_computes_off_the_gui_thread(qtbot):
    view = make(qtbot, ImportanceView)
    store = TrialStore("maximize", list(SPACE))
    store.add(importance_records(9) + [rec(9, state="failed", C=1.0, kernel="linear", depth=1)])
    view.refresh(store)
    assert not view.busy
    assert "at least 10 completed trials; there are 9" in view.plotted()["message"]
    assert view.empty_label.isVisible()

    store.add(importance_records(21, start=10))
    view.refresh(store)
    assert view.busy  # running on a worker; the GUI thread is free
    wait_idle(qtbot, view)
    p = view.plotted()
    expected = compute(store.records, SPACE, "maximize", "ped-anova")
    assert p["names"] == expected.names and p["names"][0] == "C"
    np.testing.assert_allclose(p["values"], expected.values)
    assert p["n_trials"] == 30 and p["method"] == "ped-anova"
    assert sum(p["values"]) == pytest.approx(1.0)
    np.testing.assert_allclose(view._bars.opts["width"], np.array(expected.values) * 100)
    assert "30 completed trials" in p["note"]


def test_importance_is_throttled_and_follows_method_and_top_k(qtbot, tmp_path):
    view = make(qtbot, ImportanceView)
    store = TrialStore("maximize", list(SPACE))
    store.add(importance_records(30))
    view.refresh(store)
    wait_idle(qtbot, view)
    assert view.plotted()["n_trials"] == 30
    store.add(importance_records(4, start=30))
    view.refresh(store)
    assert not view.busy and view.plotted()["n_trials"] == 30  # 4 new trials: not yet worth it
    store.add(importance_records(1, start=34))
    view.refresh(store)
    assert view.busy  # 5 new trials
    wait_idle(qtbot, view)
    assert view.plotted()["n_trials"] == 35

    view.set_method("fanova")
    assert view.busy
    wait_idle(qtbot, view)
    p = view.plotted()
    assert p["method"] == "fanova" and set(p["names"]) == {"C", "kernel", "depth"}
    assert "some trials" in p["skipped"]["gamma"] and "gamma" in p["note"]
    assert p["names"][0] == "C"

    view.set_method("ped-anova")
    wait_idle(qtbot, view)
    view.top_k.setValue(12)
    wait_idle(qtbot, view)
    assert view.plotted()["n_trials"] == 12

    view.grab()
    rank = 0
    bar_y = len(view.plotted()["names"]) - 1
    assert view.row_at(scene_pos(view.plot, 1.0, bar_y)) == rank
    tip = view.bar_tooltip(rank)
    assert view.plotted()["names"][0] in tip and "%" in tip and "best trial" in tip
    view._on_mouse_moved(scene_pos(view.plot, 1.0, bar_y))
    assert view.plot.getViewBox().toolTip() == tip
    # A bar is a hyperparameter: clicking it selects the best trial.
    assert click(qtbot, view, view._view, view.plot, 1.0, bar_y) == [store.best.number]
    exports(view, tmp_path)


def test_a_result_for_old_settings_is_dropped(qtbot, monkeypatch):
    import threading

    from hpgui.gui.views import importance as importance_view

    gates = [threading.Event(), threading.Event()]
    calls = []

    def gated(records, *args):
        gate = gates[min(len(calls), 1)]
        calls.append(len(records))
        gate.wait(30)
        return compute(records, *args)

    monkeypatch.setattr(importance_view, "compute", gated)
    view = make(qtbot, ImportanceView)
    store = TrialStore("maximize", list(SPACE))
    store.add(importance_records(20))
    view.refresh(store)
    assert view.busy
    qtbot.waitUntil(lambda: calls == [20], timeout=60_000)
    view.top_k.setValue(10)  # while the first computation runs
    gates[0].set()
    # The first computation ends and the second (for top 10) starts: the first's result was for
    # settings no longer shown, so it must not be on screen meanwhile.
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=60_000)
    assert calls == [20, 10]
    assert view.plotted()["n_trials"] == 0, "a result for the old settings was shown"
    gates[1].set()
    wait_idle(qtbot, view)
    assert view.plotted()["n_trials"] == 10


# -- shared pieces and the window ----------------------------------------------------------------


def test_large_studies_are_sampled_stably_keeping_the_best():
    numbers = np.arange(100_000)
    values = np.random.default_rng(0).random(100_000)
    shown = choose_shown(numbers, values, True, 5_000, 1_000)
    assert len(shown.index) == 5_000 and shown.sampled
    best = np.argsort(-values)[:1_000]
    assert set(best) <= set(shown.index)
    assert shown.describe() == "showing 5,000 of 100,000 trials: the best 1,000 and a sample"
    # More trials arriving keeps most of the sample in place (no reshuffle at every redraw).
    more = choose_shown(np.arange(101_000), np.append(values, np.zeros(1_000)), True, 5_000, 1_000)
    assert len(set(shown.index) & set(more.index)) > 4_500


def test_visible_trials_split_by_state_and_thin_each_part(store):
    arrays = store.arrays()
    everything = np.arange(len(store))
    split = shown_by_state(arrays, everything, True, limit=3, best=2, edge_limit=5)
    drawn = [int(n) for n in arrays.numbers[split.complete]]
    assert len(drawn) == 3 and drawn == sorted(drawn) and {4, 6} < set(drawn) <= set(COMPLETE)  # the best two
    assert list(arrays.numbers[split.failed]) == [1] and list(arrays.numbers[split.pruned]) == [3]
    assert split.sampling_notes() == ["showing 3 of 5 completed trials: the best 2 and a sample"]
    none_spare = shown_by_state(arrays, everything, True, limit=10, best=2, edge_limit=0)
    assert len(none_spare.complete) == 5 and len(none_spare.failed) == len(none_spare.pruned) == 0
    assert none_spare.sampling_notes() == ["0 of 2 failed/pruned"]


def test_every_view_says_when_it_samples(qtbot):
    rng = random.Random(0)
    records = [rec(i, rng.random(), C=10 ** rng.uniform(-2, 2), kernel=rng.choice(["linear", "rbf"]),
                   depth=rng.randint(1, 5)) for i in range(6_000)]
    store = TrialStore("maximize", list(SPACE))
    store.add(records)
    for cls in (SlicesView, ParallelView, ContourView):
        view = make(qtbot, cls)
        if cls is ContourView:
            view.set_pair("C", "depth")  # gamma never applied here
        view.refresh(store)
        assert "of 6,000 completed trials: the best" in view.note.text(), cls
    slices = make(qtbot, SlicesView)
    slices.refresh(store)
    assert len(slices.plotted()["slices"]["C"]["numbers"]) == SlicesView.MAX_POINTS


def test_the_views_are_registered_in_order():
    from hpgui.gui.views import BestParamsChart, HistoryChart

    assert VIEW_CLASSES[:7] == [HistoryChart, BestParamsChart, ResultsView, SlicesView, ParallelView, ContourView,
                               ImportanceView]
    assert all(getattr(cls, "TITLE", "") and getattr(cls, "GROUP", "") for cls in VIEW_CLASSES)


def test_every_view_is_one_click_away_and_listed_under_its_group(qtbot, window):
    from PySide6.QtTest import QTest

    window.resize(1366, 768)
    window.pages.setCurrentWidget(window.main_splitter)
    area = window.chart_tabs
    picker = area.picker
    qtbot.waitUntil(picker.isVisible, timeout=5_000)
    shown = []
    # A view that applies only to some studies (Lineage: a population) is left out of the list until then.
    hidden = [area.tabText(i) for i in range(area.count()) if not area.is_shown(i)]
    assert hidden == ["Lineage"]
    for i in range(area.count()):
        if not area.is_shown(i):
            continue
        title = area.tabText(i)
        row = next(r for r in range(picker.count()) if picker.item(r).text().strip() == title)
        rect = picker.visualItemRect(picker.item(row))
        assert picker.viewport().rect().contains(rect), f"{title} is not visible in the list"
        QTest.mouseClick(picker.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert area.currentWidget() is area.widget(i), title
        shown.append((area.group_of(i), title))
    assert len(shown) == len(VIEW_CLASSES) - len(hidden) == len({t for _, t in shown})
    assert ("Progress", "History") in shown and ("Parameters", "Slices") in shown
    # A heading is not a view: clicking it changes nothing.
    current = area.currentWidget()
    heading = next(r for r in range(picker.count()) if picker.item(r).text() == "Parameters")
    QTest.mouseClick(picker.viewport(), Qt.MouseButton.LeftButton,
                     pos=picker.visualItemRect(picker.item(heading)).center())
    assert area.currentWidget() is current


def test_the_window_shows_the_views_and_a_real_search_fills_them(qtbot, window, penguins_csv):
    titles = [window.chart_tabs.tabText(i) for i in range(window.chart_tabs.count())]
    assert {"Slices", "Parallel coordinates", "Contour", "Importance"} <= set(titles)
    with qtbot.waitSignal(window.data_panel.datasetLoaded, timeout=60_000):
        window.open_csv(penguins_csv)
    qtbot.waitUntil(lambda: not window.binding.timer.isActive(), timeout=5_000)
    window.data_panel.set_target("species")
    window.model_panel.model_combo.setCurrentIndex(window.model_panel.model_combo.findData("decision_tree"))
    window.search_panel.trials_box.setChecked(True)
    window.search_panel.trials_spin.setValue(12)
    window.validate()
    assert window.actions.start.isEnabled(), window.problems
    with qtbot.waitSignal(window.searchFinished, timeout=180_000):
        window.actions.start.trigger()
    store = window.store
    names = store.param_names
    complete = sorted(r.number for r in store.records if r.state == "complete")
    assert len(names) >= 2 and len(complete) >= 10

    views = {type(v): v for v in window.analysis_views}
    for cls in (SlicesView, ParallelView, ContourView, ImportanceView):
        window.chart_tabs.setCurrentWidget(views[cls])  # a tab catches up when it is shown
    slices = views[SlicesView].plotted()["slices"]
    assert list(slices) == names
    first = slices[names[0]]
    assert sorted(first["numbers"]) == complete  # decision-tree hyperparameters apply to every trial
    parallel = views[ParallelView].plotted()
    assert parallel["axes"][:-1] == names and sorted(parallel["numbers"]) == complete
    contour = views[ContourView].plotted()
    assert contour["pair"][0] in names and len(contour["points"]["numbers"]) > 0
    importance = views[ImportanceView]
    qtbot.waitUntil(lambda: not importance.busy and bool(importance.plotted()["names"]), timeout=60_000)
    assert set(importance.plotted()["names"]) <= set(names)
    assert importance.plotted()["n_trials"] == len(complete)

    # Clicking a trial in a view selects it in the table and in every view.
    views[ParallelView].trialClicked.emit(complete[-1])
    assert window.table.selected_number() == complete[-1]
    assert views[SlicesView].selected == complete[-1]
    assert len(views[ParallelView].plotted()["selected"]) == len(names) + 1


def test_given_values_spanning_decades_are_drawn_on_log_axes(qtbot):
    """C in 0.01, 0.1, 1, 10, 100 (a grid typed by hand) is spread evenly, not crowded at 0."""
    from hpgui.gui.plotting import log_scaled
    from hpgui.gui.views import BestParamsChart

    decades = (0.01, 0.1, 1.0, 10.0, 100.0)
    space = {"C": Hyperparameter("float", values=decades), "depth": Hyperparameter("int", values=(1, 2, 3, 4)),
             "alpha": Hyperparameter("float", values=(0.0, 1.0, 100.0))}
    assert log_scaled(space["C"]) and not log_scaled(space["depth"])
    assert not log_scaled(space["alpha"]), "a zero cannot sit on a log axis"
    store = TrialStore("maximize", list(space))
    store.add([rec(i, 0.5 + i / 10, C=c, depth=1 + i % 4, alpha=1.0) for i, c in enumerate(decades)])

    def evenly_spread(coords):
        steps = np.diff(np.sort(np.asarray(coords, dtype=float)))
        return len(steps) == 4 and np.allclose(steps, steps[0]) and steps[0] > 0

    slices = make(qtbot, SlicesView)
    slices.set_context(space, ACCURACY)
    slices.refresh(store)
    drawn = slices.plotted()["slices"]["C"]
    assert drawn["log"] and evenly_spread(drawn["x"])
    assert not slices.plotted()["slices"]["depth"]["log"]

    parallel = make(qtbot, ParallelView)
    parallel.set_context(space, ACCURACY)
    parallel.refresh(store)
    drawn = parallel.plotted()
    column = drawn["axes"].index("C")
    assert evenly_spread(drawn["vertices"][:, column])

    best = BestParamsChart()
    qtbot.addWidget(best)
    best.resize(800, 600)
    best.show()
    best.set_context(space, ACCURACY)
    best.refresh(store)
    assert best.plot_for("C").getAxis("bottom").logMode
    assert not best.plot_for("depth").getAxis("bottom").logMode
