"""The score-history chart and the best-hyperparameters chart draw exactly what the store holds."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QCheckBox, QLabel

from hpgui.core.records import TrialRecord
from hpgui.core.space import Hyperparameter
from hpgui.core.trials import TrialStore
from hpgui.core.formatting import format_number
from hpgui.gui.views import BestParamsChart, HistoryChart


def rec(n, value=None, state="complete", std=None, **params):
    return TrialRecord(number=n, state=state, value=value if state == "complete" else None, params=params,
                       std=std)


@pytest.fixture
def store():
    s = TrialStore("maximize")
    s.add([
        rec(0, state="failed"),
        rec(1, 0.50, C=1.0, kernel="rbf", gamma=0.1),
        rec(2, 0.70, std=0.02, C=10.0, kernel="linear"),
        rec(3, state="pruned", C=0.1, kernel="rbf", gamma=1.0),
        rec(4, 0.60, C=100.0, kernel="poly", gamma=0.01),
        rec(5, state="running", C=3.0, kernel="rbf", gamma=0.3),
        rec(6, 0.90, C=0.05, kernel="rbf", gamma=0.003),
        rec(7, 0.80, C=5.0, kernel="linear"),
    ])
    return s


@pytest.fixture
def history(qtbot):
    chart = HistoryChart()
    qtbot.addWidget(chart)
    chart.resize(900, 400)
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def settle(chart) -> None:
    """Paint once: pyqtgraph applies auto-range (and the edge row follows it) when it paints."""
    chart.grab()


def drawn_polyline(item) -> np.ndarray:
    """The vertices Qt actually strokes for a PlotDataItem (after pyqtgraph's step expansion)."""
    path = item.curve.getPath()
    return np.array([(path.elementAt(i).x, path.elementAt(i).y) for i in range(path.elementCount())])


def step_value_at(polyline: np.ndarray, n: float) -> float:
    """The y of the horizontal stretch of a step line that covers x = n."""
    for (xa, ya), (xb, yb) in zip(polyline[:-1], polyline[1:]):
        if ya == yb and xa <= n < xb:
            return ya
    last_x, last_y = polyline[-1]
    return last_y if n == last_x else math.nan


# -- HistoryChart --------------------------------------------------------------------------------


def test_one_point_per_completed_trial_and_failed_pruned_apart(history, store):
    assert history.refresh(store) is True
    settle(history)
    drawn = history.plotted()
    np.testing.assert_array_equal(drawn["complete"][0], [1, 2, 4, 6, 7])
    np.testing.assert_array_equal(drawn["complete"][1], [0.5, 0.7, 0.6, 0.9, 0.8])
    np.testing.assert_array_equal(drawn["failed"][0], [0])
    np.testing.assert_array_equal(drawn["pruned"][0], [3])
    # Both sit on one row along the bottom edge of the view, below every score.
    edge = drawn["failed"][1][0]
    assert drawn["pruned"][1][0] == edge
    bottom, top = history._plot.getViewBox().viewRange()[1]
    assert bottom <= edge < min(drawn["complete"][1]) and edge < bottom + 0.1 * (top - bottom)


def test_best_line_is_the_best_so_far_at_every_trial(history, store):
    history.refresh(store)
    arrays = store.arrays()
    bx, by = history.plotted()["best"]
    polyline = drawn_polyline(history._best)
    for number, best in zip(arrays.numbers, arrays.best_so_far):
        if math.isnan(best):  # no score yet: the line starts at the first completed trial
            assert number < bx[0]
            continue
        assert step_value_at(polyline, number) == best, number
    assert bx[-1] == arrays.numbers[-1]  # the line runs to the latest trial
    np.testing.assert_array_equal(by, [0.5, 0.7, 0.9, 0.9])  # corners only: each improvement, then the end


def test_best_line_follows_a_minimising_metric(history):
    s = TrialStore("minimize")
    s.add([rec(0, 5.0), rec(1, 3.0), rec(2, 4.0), rec(3, state="failed"), rec(4, 1.0)])
    history.set_metric("RMSE", greater_is_better=False)
    history.refresh(s)
    polyline = drawn_polyline(history._best)
    assert [step_value_at(polyline, n) for n in range(5)] == list(s.arrays().best_so_far)
    assert "RMSE (lower is better)" in history._plot.getAxis("left").labelText


def test_refresh_only_when_the_store_changed(history, store):
    assert history.refresh(store) is True
    assert history.refresh(store) is False
    store.add([rec(8, 0.95)])
    assert history.refresh(store) is True
    assert history.plotted()["complete"][0][-1] == 8
    other = TrialStore()
    assert history.refresh(other) is True  # another store is a change even at the same version
    assert len(history.plotted()["complete"][0]) == 0


def test_trials_arriving_out_of_order_or_replaced_are_drawn_exactly(history):
    s = TrialStore("maximize")
    s.add([rec(0, 0.1), rec(2, 0.3)])
    history.refresh(s)
    s.add([rec(1, 0.2), rec(4, 0.5)])  # fills a gap: only new points are added
    history.refresh(s)
    np.testing.assert_array_equal(history.plotted()["complete"][0], [0, 1, 2, 4])
    np.testing.assert_array_equal(history.plotted()["complete"][1], [0.1, 0.2, 0.3, 0.5])
    s.add([rec(2, 0.35), rec(3, state="failed")])  # a score changed: the scatter is rebuilt
    history.refresh(s)
    np.testing.assert_array_equal(history.plotted()["complete"][1], [0.1, 0.2, 0.35, 0.5])
    np.testing.assert_array_equal(history.plotted()["failed"][0], [3])
    s.add([rec(4, state="failed")])  # a completed trial became failed
    history.refresh(s)
    np.testing.assert_array_equal(history.plotted()["complete"][0], [0, 1, 2])
    np.testing.assert_array_equal(history.plotted()["failed"][0], [3, 4])


def test_hiding_failed_removes_them_from_the_chart(history, store, qtbot):
    history.refresh(store)
    box = history.findChild(QCheckBox, "showFailedBox")
    assert box is not None and box.isChecked()
    with qtbot.waitSignal(history.showFailedChanged) as blocker:
        history.set_show_failed(False)
    assert blocker.args == [False]
    assert not box.isChecked()
    assert not history._failed.isVisible() and not history._pruned.isVisible()
    drawn = history.plotted()
    assert len(drawn["failed"][0]) == 0 and len(drawn["pruned"][0]) == 0
    assert len(drawn["complete"][0]) == 5
    with qtbot.waitSignal(history.showFailedChanged) as blocker:
        box.setChecked(True)  # the toolbar switch does the same, and says so
    assert blocker.args == [True] and history.show_failed()
    np.testing.assert_array_equal(history.plotted()["failed"][0], [0])
    box.setChecked(False)
    assert not history.show_failed() and len(history.plotted()["pruned"][0]) == 0


def test_clicking_a_point_emits_its_trial_number(history, store, qtbot):
    history.refresh(store)
    spots = history._complete.points()
    spot = next(s for s in spots if s.pos().x() == 6)
    with qtbot.waitSignal(history.trialClicked) as blocker:
        history._complete.sigClicked.emit(history._complete, [spot], None)
    assert blocker.args == [6]
    failed_spot = history._failed.points()[0]
    with qtbot.waitSignal(history.trialClicked) as blocker:
        history._failed.sigClicked.emit(history._failed, [failed_spot], None)
    assert blocker.args == [0]


def test_a_real_mouse_click_on_a_point_emits_its_number(history, store, qtbot):
    history.refresh(store)
    settle(history)
    viewbox = history._plot.getViewBox()
    scene_pos = viewbox.mapViewToScene(QPointF(4, 0.6))
    widget_pos = history._view.mapFromScene(scene_pos)
    with qtbot.waitSignal(history.trialClicked, timeout=2000) as blocker:
        qtbot.mouseClick(history._view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(widget_pos))
    assert blocker.args == [4]


def test_hover_finds_the_trial_and_its_tooltip_names_score_and_params(history, store):
    history.refresh(store)
    history.set_metric("Accuracy", True)
    assert history._trial_near(QPointF(2, 0.7)) == 2
    tip = history.tooltip_for(2)
    assert "Trial 2" in tip and "Accuracy: 0.7 ± 0.02" in tip and "C = 10" in tip and "kernel = linear" in tip
    assert "failed" in history.tooltip_for(0)
    settle(history)
    viewbox = history._plot.getViewBox()
    history._on_mouse_moved(viewbox.mapViewToScene(QPointF(6, 0.9)))
    assert "Trial 6" in viewbox.toolTip()


def test_select_trial_puts_the_ring_on_that_trial(history, store):
    history.refresh(store)
    history.select_trial(4)
    assert history.selected_point() == (4.0, 0.6)
    history.select_trial(3)  # pruned: on the bottom row
    assert history.selected_point() == (3.0, history.plotted()["pruned"][1][0])
    history.set_show_failed(False)
    assert history.selected_point() is None
    history.select_trial(99)
    assert history.selected_point() is None
    store.add([rec(99, 0.2)])  # the selected trial arrives later
    history.refresh(store)
    assert history.selected_point() == (99.0, 0.2)
    history.select_trial(None)
    assert history.selected_point() is None


def test_clear_empties_the_chart_and_the_next_refresh_redraws(history, store):
    empty = history.findChild(QLabel, "historyEmpty")
    assert empty.isVisibleTo(history)  # "No trials yet" before any trial
    history.refresh(store)
    assert not empty.isVisibleTo(history)
    history.clear()
    assert all(len(x) == 0 for x, _ in history.plotted().values())
    assert empty.isVisibleTo(history)
    assert history.refresh(store) is True
    assert len(history.plotted()["complete"][0]) == 5


def test_export_png_and_svg(history, store, tmp_path):
    history.refresh(store)
    png, svg = tmp_path / "history.png", tmp_path / "history.svg"
    history.export_image(str(png))
    history.export_image(str(svg))
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 1000
    assert "<svg" in svg.read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        history.export_image(str(tmp_path / "history.doc"))


def test_colours_come_from_the_palette(history):
    dark = QPalette(history.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor(20, 20, 20))
    dark.setColor(QPalette.ColorRole.Text, QColor(235, 235, 235))
    history.setPalette(dark)
    assert history._view.backgroundBrush().color() == QColor(20, 20, 20)
    assert history._plot.getAxis("left").textPen().color() == QColor(235, 235, 235)


def test_ten_thousand_trials_draw(history):
    """Smoke test for the large case (timing is measured outside the test run)."""
    rng = np.random.default_rng(0)
    s = TrialStore()
    states = rng.choice(["complete", "failed", "pruned"], p=[0.9, 0.05, 0.05], size=10_000)
    s.add([rec(i, float(rng.random()), state=str(st)) for i, st in enumerate(states)])
    assert history.refresh(s)
    assert len(history.plotted()["complete"][0]) == int((states == "complete").sum())


# -- BestParamsChart -----------------------------------------------------------------------------

SPACE = {
    "C": Hyperparameter("float", 1e-2, 1e3, log=True),
    "kernel": Hyperparameter("categorical", choices=("linear", "rbf", "poly")),
    "gamma": Hyperparameter("float", 1e-4, 10.0, log=True),
    "degree": Hyperparameter("int", 2, 5, enabled=False),
}


@pytest.fixture
def params_chart(qtbot):
    chart = BestParamsChart()
    qtbot.addWidget(chart)
    chart.resize(900, 400)
    chart.set_space(SPACE)
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def test_one_row_per_enabled_hyperparameter(params_chart):
    assert list(params_chart.plotted()) == ["C", "kernel", "gamma"]


def test_trajectory_follows_the_best_trail(params_chart, store):
    assert params_chart.refresh(store) is True
    trail = store.best_trail
    numbers = [n for n, _ in trail]
    assert numbers == [1, 2, 6]
    drawn = params_chart.plotted()
    np.testing.assert_array_equal(drawn["C"][0], [r.params["C"] for _, r in trail])
    np.testing.assert_array_equal(drawn["C"][1], numbers)
    np.testing.assert_array_equal(drawn["kernel"][0], [1, 0, 1])  # rbf, linear, rbf as choice indices
    # gamma does not apply to the linear-kernel best: that point is missing.
    gx = drawn["gamma"][0]
    assert gx[0] == 0.1 and math.isnan(gx[1]) and gx[2] == 0.003
    assert params_chart.refresh(store) is False


def test_current_best_is_marked_and_held_to_the_latest_trial(params_chart, store):
    params_chart.refresh(store)
    row = params_chart._rows["C"]
    x, y = row.current.getData()
    assert list(y) == [6] and x[0] == pytest.approx(math.log10(0.05))  # PlotDataItem gives log-mapped x
    _, hold_y = row.hold.getData()
    assert list(hold_y) == [6, 7]


def test_log_range_uses_log_mode_and_the_range_as_x_limits(params_chart):
    plot = params_chart.plot_for("C")
    assert plot.getAxis("bottom").logMode
    assert not params_chart.plot_for("kernel").getAxis("bottom").logMode
    lo, hi = plot.getViewBox().viewRange()[0]
    assert lo < -2 < 3 < hi and hi - lo < 5.5
    assert params_chart._rows["C"].band.getRegion() == pytest.approx((-2.0, 3.0))


def test_categorical_axis_shows_the_choice_names(params_chart):
    axis = params_chart.plot_for("kernel").getAxis("bottom")
    major = axis._tickLevels[0]  # what setTicks stored: [(position, label), ...]
    assert major == [(0, "linear"), (1, "rbf"), (2, "poly")]


def test_a_hidden_chart_makes_its_plots_at_its_first_draw(qtbot, store):
    # Opening a study points every tab at it; a hidden tab must not pay for its plots until shown.
    chart = BestParamsChart()
    qtbot.addWidget(chart)
    chart.set_space(SPACE)
    assert chart._graphics.ci.items == {}
    assert chart.refresh(store) is True
    assert len([i for i in chart._graphics.ci.items if isinstance(i, pg.PlotItem)]) == 3
    np.testing.assert_array_equal(chart.plotted()["C"][1], [1, 2, 6])
    chart.set_space({"C": SPACE["C"]})  # another study, still hidden: the old plots go, no new ones yet
    assert chart._graphics.ci.items == {}
    assert list(chart.plotted()) == ["C"]  # asking for them makes them


def test_a_shown_chart_makes_its_plots_at_once(params_chart):
    params_chart.set_space({"gamma": SPACE["gamma"]})
    assert len([i for i in params_chart._graphics.ci.items if isinstance(i, pg.PlotItem)]) == 1


def test_explicit_values_and_booleans(qtbot):
    chart = BestParamsChart()
    qtbot.addWidget(chart)
    chart.set_space({"trees": Hyperparameter("int", values=(10, 50, 200)),
                     "fit_intercept": Hyperparameter("categorical", choices=(True, False)),
                     "max_depth": Hyperparameter("categorical", choices=(None, 3, 1))})
    s = TrialStore()
    s.add([rec(0, 0.1, trees=50, fit_intercept=False, max_depth=1),
           rec(1, 0.2, trees=200, fit_intercept=True, max_depth=None)])
    chart.refresh(s)
    drawn = chart.plotted()
    np.testing.assert_array_equal(drawn["trees"][0], [50, 200])
    np.testing.assert_array_equal(drawn["fit_intercept"][0], [1, 0])
    np.testing.assert_array_equal(drawn["max_depth"][0], [2, 0])  # 1 is the choice 1, not True
    assert chart._rows["trees"].band.getRegion() == pytest.approx((10, 200))


def test_clear_and_set_space_again(params_chart, store):
    params_chart.refresh(store)
    params_chart.clear()
    assert all(len(x) == 0 for x, _ in params_chart.plotted().values())
    params_chart.refresh(store)
    params_chart.set_space({"C": SPACE["C"]})  # a new space redraws from the last store
    assert list(params_chart.plotted()) == ["C"] and len(params_chart.plotted()["C"][0]) == 3
    params_chart.set_space({})
    assert params_chart.findChild(type(params_chart._empty), "bestParamsEmpty").isVisibleTo(params_chart)


def test_best_params_export(params_chart, store, tmp_path):
    params_chart.refresh(store)
    png, svg = tmp_path / "best.png", tmp_path / "best.svg"
    params_chart.export_image(str(png))
    params_chart.export_image(str(svg))
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 1000
    assert "<svg" in svg.read_text(encoding="utf-8")


@pytest.mark.parametrize("value, text", [
    (0.1234567, "0.1235"), (75.8123, "75.81"), (1e-5, "10⁻⁵"), (2.5e-6, "2.5·10⁻⁶"), (12345.6, "12346"),
    (3, "3"), ("rbf", "rbf"), (None, "None"), (True, "True"), (0.0, "0"),
])
def test_format_number(value, text):
    assert format_number(value) == text


def test_log_axis_labels_one_two_five_and_no_raw_exponents():
    from hpgui.gui.plotting import ValueAxis

    axis = ValueAxis("bottom")
    axis.setLogMode(True)
    values = [math.log10(v) for v in (0.01, 0.03, 1, 2, 5, 7, 1000, 1e-5)]
    assert axis.tickStrings(values, 1.0, 1.0) == ["0.01", "", "1", "2", "5", "", "1000", "10⁻⁵"]


def test_choice_labels_are_cut_to_their_room_and_no_decade_is_labelled_twice(qtbot):
    from PySide6.QtGui import QFontMetrics, QImage, QPainter

    from hpgui.gui.plotting import fit_labels

    chart = BestParamsChart()
    qtbot.addWidget(chart)
    chart.resize(420, 300)
    models = ("logistic_regression", "svm", "knn", "random_forest")
    chart.set_space({"model": Hyperparameter("categorical", choices=models),
                     "C": Hyperparameter("float", 1e-3, 1e3, log=True)})
    chart.show()
    qtbot.waitExposed(chart)
    axis = chart.plot_for("model").getAxis("bottom")
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)[2]
        metrics = QFontMetrics(painter.font())
    finally:
        painter.end()
    fitted = fit_labels(specs, metrics, axis.LABEL_GAP)
    texts = [text for _, _, text in fitted]
    assert "svm" in texts and "knn" in texts  # short names stay whole
    assert "logistic_regression" not in texts and any(t.endswith("…") for t in texts)
    spans = sorted((rect.center().x() - metrics.horizontalAdvance(text) / 2,
                    rect.center().x() + metrics.horizontalAdvance(text) / 2) for rect, _, text in fitted)
    assert all(left_end <= right_start for (_, left_end), (right_start, _) in zip(spans, spans[1:]))
    log_axis = chart.plot_for("C").getAxis("bottom")
    values = [v for _, level in log_axis.tickValues(-3, 3, 400) for v in level]
    assert len(values) == len(set(round(v, 9) for v in values)) and 0.0 in values


def test_a_name_is_shortened_only_when_the_widest_label_column_cannot_hold_it(qtbot):
    long = "random_forest." + "very_long_hyperparameter_name_" * 3 + "leaf"
    chart = BestParamsChart()
    qtbot.addWidget(chart)
    chart.set_space({"min_samples_leaf": Hyperparameter("int", 1, 20), long: Hyperparameter("int", 1, 20)})
    chart.show()
    qtbot.waitExposed(chart)
    assert list(chart.plotted()) == ["min_samples_leaf", long]  # made at the first look
    assert chart._rows["min_samples_leaf"].label.text == "min_samples_leaf"
    shown = chart._rows[long].label
    assert shown.text.startswith("…") and long.endswith(shown.text[1:]) and shown.toolTip() == long


def test_the_legend_names_only_what_the_chart_shows_and_fits_beside_the_switch_on_a_laptop(history, qtbot):
    from hpgui.core.baseline import Baseline

    legend = history.findChild(QLabel, "historyLegend")
    switch = history.findChild(QCheckBox, "showFailedBox")
    s = TrialStore("maximize")
    s.add([rec(0, 0.5), rec(1, 0.6)])
    history.refresh(s)
    assert "completed" in legend.text() and "best so far" in legend.text()
    assert "failed" not in legend.text() and "pruned" not in legend.text() and "baseline" not in legend.text()
    history.set_baseline(Baseline("most_frequent", 0.4, 0.01, (0.4, 0.4)))
    assert "baseline" in legend.text()
    # The chart's width on a 1366-pixel screen: the usual legend is not cut beside the switch.
    history.resize(455, 400)
    history.layout().activate()  # lay the toolbar out at the new width now, not at the next event
    assert legend.sizeHint().width() <= legend.width(), (legend.sizeHint().width(), legend.width())
    assert legend.geometry().right() < switch.geometry().left()
    s.add([rec(2, state="failed"), rec(3, state="pruned")])
    history.refresh(s)
    assert "failed" in legend.text() and "pruned" in legend.text()
    history.clear()
    assert "failed" not in legend.text() and "baseline" not in legend.text()
