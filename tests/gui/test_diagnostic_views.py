"""Train vs validation, fold spread, timeline, and the best panel's advice, on small known studies."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import optuna
import pytest
from PySide6.QtCore import QPointF, Qt

from hpgui.core.catalog import get_model
from hpgui.core.metrics import get_metric
from hpgui.core.records import ATTR_SETUP, TrialRecord
from hpgui.core.space import Hyperparameter
from hpgui.core.storage import open_storage
from hpgui.core.trials import TrialStore
from hpgui.gui.best_panel import BestPanel
from hpgui.gui.trial_table import OVERFIT_MARK, TrialTableModel
from hpgui.gui.views import VIEW_CLASSES
from hpgui.gui.views.folds import FoldsView
from hpgui.gui.views.overfit import OverfitView
from hpgui.gui.views.timeline import UNKNOWN_WORKER, TimelineView

T0 = datetime(2026, 3, 1, 12, 0, 0)
SPACE = {"max_depth": Hyperparameter("int", 2, 20), "min_samples_leaf": Hyperparameter("int", 1, 50, log=True)}
TREE = {p.name: p for p in get_model("decision_tree").params_for("classification")}


def rec(number, value, train=None, folds=None, state="complete", worker="pc:1", start=None, length=1.0,
        params=None):
    started = T0 + timedelta(seconds=number if start is None else start)
    return TrialRecord(number=number, state=state, value=value, params=params or {"max_depth": 5 + number},
                       std=float(np.std(folds)) if folds else None, folds=folds, train_score=train,
                       started=started, finished=None if state == "running" else started + timedelta(seconds=length),
                       worker=worker)


def known_records():
    return [
        rec(0, 0.80, train=0.82, folds=[0.78, 0.80, 0.82]),
        rec(1, 0.85, train=0.99, folds=[0.83, 0.85, 0.87]),             # gap 0.14: over-fits
        rec(2, None, state="failed"),
        rec(3, 0.90, train=0.93, folds=[0.85, 0.90, 0.95]),             # the best; SE 0.0289
        rec(4, 0.88, train=0.98, folds=[0.86, 0.88, 0.90]),             # tied; gap 0.10: over-fits
        rec(5, 0.70, train=0.71, folds=[0.60, 0.70, 0.80]),
    ]


def make_view(qtbot, cls, metric="accuracy"):
    view = cls()
    qtbot.addWidget(view)
    view.resize(800, 500)
    view.show()
    view.set_context(SPACE, get_metric(metric))
    return view


@pytest.fixture
def store():
    s = TrialStore("maximize", list(SPACE))
    s.add(known_records())
    return s


def test_the_views_are_registered_for_the_window():
    for cls in (OverfitView, FoldsView, TimelineView):
        assert cls in VIEW_CLASSES


def test_overfit_view_plots_train_validation_and_flags_the_gap(qtbot, store):
    view = make_view(qtbot, OverfitView)
    view.set_gap_threshold(0.05)
    view.refresh(store)
    p = view.plotted()
    assert p["numbers"].tolist() == [0, 1, 3, 4, 5]
    assert p["train"].tolist() == [0.82, 0.99, 0.93, 0.98, 0.71]
    assert p["valid"].tolist() == [0.80, 0.85, 0.90, 0.88, 0.70]
    assert p["gap"] == pytest.approx([0.02, 0.14, 0.03, 0.10, 0.01])
    assert p["flagged"].tolist() == [1, 4]
    # The chart draws the flagged trials apart from the rest.
    assert sorted(view.flagged_points.getData()[0].tolist()) == [0.98, 0.99]
    assert "Over-fits" in view.tooltip_for(1) and "Over-fits" not in view.tooltip_for(0)
    # A higher threshold flags fewer; the dashed limit line moves with it.
    view.set_gap_threshold(0.12)
    assert view.plotted()["flagged"].tolist() == [1]
    x, y = view.limit_line.getData()
    assert (x - y) == pytest.approx([0.12, 0.12])
    # Live: a new trial appears on the next refresh.
    store.add([rec(6, 0.75, train=0.95, folds=[0.7, 0.75, 0.8])])
    assert view.refresh(store)
    assert view.plotted()["numbers"].tolist() == [0, 1, 3, 4, 5, 6]
    assert view.plotted()["flagged"].tolist() == [1, 6]
    # Top K keeps only the best K scores.
    view.top_k.setValue(2)
    assert view.plotted()["numbers"].tolist() == [3, 4]


def test_overfit_sign_follows_a_minimised_metric(qtbot):
    store = TrialStore("minimize", list(SPACE))
    store.add([rec(0, 3.0, train=1.0, folds=[2.9, 3.1]), rec(1, 3.0, train=2.9, folds=[2.9, 3.1]),
               rec(2, 3.0, train=3.5, folds=[2.9, 3.1])])
    view = make_view(qtbot, OverfitView, metric="rmse")
    view.refresh(store)
    p = view.plotted()
    # RMSE 3 on validation but 1 on train: training looks better by 2, which is a gap of +2.
    assert p["gap"] == pytest.approx([2.0, 0.1, -0.5])
    assert p["threshold"] == pytest.approx(0.3)  # 10 % of the typical RMSE
    assert p["flagged"].tolist() == [0]


def test_the_threshold_marks_the_trial_table(qtbot, store):
    view = make_view(qtbot, OverfitView)
    model = TrialTableModel(store)
    model.set_params(list(SPACE))
    view.thresholdChanged.connect(model.set_gap_threshold)
    view.set_gap_threshold(0.07)
    view.set_gap_threshold(0.05)  # a change, whatever an earlier test left in the settings
    train_column = 4
    marked = [model.index(row, train_column).data().startswith(OVERFIT_MARK) for row in range(model.rowCount())]
    assert marked == [False, True, False, False, True, False]
    tip = model.index(1, train_column).data(Qt.ItemDataRole.ToolTipRole)
    assert "0.14" in tip and "0.05" in tip
    view.set_gap_threshold(0.5)
    assert not any(model.index(row, train_column).data().startswith(OVERFIT_MARK) for row in range(6))


def test_fold_spread_draws_min_max_bars_and_the_tie_band(qtbot, store):
    view = make_view(qtbot, FoldsView)
    view.refresh(store)
    p = view.plotted()
    assert p["spread"] == "range"
    assert p["numbers"].tolist() == [0, 1, 3, 4, 5]
    assert p["mean"].tolist() == [0.80, 0.85, 0.90, 0.88, 0.70]
    assert p["low"].tolist() == [0.78, 0.83, 0.85, 0.86, 0.60]
    assert p["high"].tolist() == [0.82, 0.87, 0.95, 0.90, 0.80]
    assert p["best"] == 3 and p["tied"].tolist() == [4]
    assert p["se"] == pytest.approx(0.05 / np.sqrt(3))
    low, high = view.band.getRegion()
    assert (low, high) == pytest.approx((0.90 - p["se"], 0.90 + p["se"]))
    assert "1 trial tied with the best" in view.summary.text()
    # The bars are the ones the ErrorBarItem holds.
    assert view.bars.opts["top"] == pytest.approx(p["high"] - p["mean"])
    view.spread.setCurrentIndex(view.spread.findData("std"))
    p = view.plotted()
    assert p["high"] - p["mean"] == pytest.approx([np.std(f) for f in
                                                    ([0.78, 0.8, 0.82], [0.83, 0.85, 0.87], [0.85, 0.9, 0.95],
                                                     [0.86, 0.88, 0.9], [0.6, 0.7, 0.8])])
    view.top_k.setValue(3)
    assert view.plotted()["numbers"].tolist() == [1, 3, 4]
    # Live: a new best moves the band and the ties on the next refresh.
    view.top_k.setValue(0)
    store.add([rec(6, 0.95, folds=[0.94, 0.95, 0.96])])
    assert view.refresh(store)
    p = view.plotted()
    assert p["best"] == 6 and p["tied"].tolist() == [] and p["numbers"].tolist()[-1] == 6


def test_timeline_has_a_row_per_worker_and_honours_the_filters(qtbot):
    store = TrialStore("maximize", list(SPACE))
    store.add([
        rec(0, 0.8, worker="pc:10", start=0, length=2),
        rec(1, 0.9, worker="pc:11", start=0.5, length=1),
        rec(2, None, state="failed", worker="pc:10", start=2, length=1),
        rec(3, 0.7, worker="pc:11", start=1.5, length=3),
        rec(4, 0.6, worker=None, start=5, length=1),
        rec(5, None, state="running", worker="pc:10", start=3),
    ])
    view = make_view(qtbot, TimelineView)
    before = datetime.now().timestamp()
    view.refresh(store)
    p = view.plotted()
    assert p["workers"] == ["pc:10", "pc:11", UNKNOWN_WORKER]
    assert p["numbers"].tolist() == [0, 1, 2, 3, 4, 5]
    assert p["row"].tolist() == [0, 1, 0, 1, 2, 0]
    assert p["start"][:5] - T0.timestamp() == pytest.approx([0, 0.5, 2, 1.5, 5])
    assert p["end"][:5] - p["start"][:5] == pytest.approx([2, 1, 1, 3, 1])
    assert p["end"][5] >= before  # the running trial reaches now
    view.RUNNING_REDRAW_S = 0.0  # (normally at most once a second) ...
    assert view.refresh(store)  # ... it keeps growing with no new trial in the store
    assert view.plotted()["end"][5] >= p["end"][5]
    assert p["state"] == ["complete", "complete", "failed", "complete", "complete", "running"]
    assert p["bars"] == {"complete": 4, "failed": 1, "pruned": 0, "running": 1} and not p["merged"]
    x0 = view.state_bars["complete"].opts["x0"]
    assert sorted(np.asarray(x0) - T0.timestamp()) == pytest.approx([0, 0.5, 1.5, 5])
    store.add([rec(6, 0.5, worker="pc:12", start=6, length=1)])  # live: a new worker gets a row
    assert view.refresh(store)
    assert view.plotted()["workers"] == ["pc:10", "pc:11", UNKNOWN_WORKER, "pc:12"]
    view.failed_box.setChecked(False)
    assert 2 not in view.plotted()["numbers"].tolist()
    view.top_k.setValue(2)
    assert view.plotted()["numbers"].tolist() == [0, 1]


def test_timeline_joins_bars_past_a_pixel_but_hover_finds_each_trial(qtbot):
    store = TrialStore("maximize", list(SPACE))
    store.add([rec(i, 0.5, worker="pc:1", start=i * 1.0, length=1.0) for i in range(3000)])
    view = make_view(qtbot, TimelineView)
    view.refresh(store)
    p = view.plotted()
    assert p["merged"] and p["bars"]["complete"] == 1 and len(p["numbers"]) == 3000
    assert "3000 trials" in view.summary.text() and "joined" in view.summary.text()
    # Hover still resolves single trials: trial 1500 spans [1500 s, 1501 s].
    viewbox = view.plot.getViewBox()
    scene = viewbox.mapViewToScene(QPointF(T0.timestamp() + 1500.5, 0))
    number = view.picker.trial_at(scene)
    assert number is not None and abs(number - 1500) <= 3  # within the picker's pixel radius
    clicked = []
    view.trialClicked.connect(clicked.append)
    view.picker._on_click(number)
    assert clicked == [number]


def test_exports_write_png_and_svg(qtbot, store, tmp_path):
    for cls in (OverfitView, FoldsView, TimelineView):
        view = make_view(qtbot, cls)
        view.refresh(store)
        for suffix in ("png", "svg"):
            path = tmp_path / f"{cls.__name__}.{suffix}"
            view.export_image(str(path))
            assert path.stat().st_size > 500


def test_selection_marks_the_trial_in_each_view(qtbot, store):
    for cls in (OverfitView, FoldsView, TimelineView):
        view = make_view(qtbot, cls)
        view.refresh(store)
        view.select_trial(3)
        marks = getattr(view, "selection_marks", None) or [getattr(view, "selection_mark", None)
                                                           or view.selection_bar]
        assert all(m.isVisible() for m in marks), cls


# -- the best panel's advice ---------------------------------------------------------------------


def advice_panel(qtbot, store, space=SPACE):
    panel = BestPanel()
    qtbot.addWidget(panel)
    panel.set_metric(get_metric("accuracy"))
    panel.advice.set_context(space, TREE, True)
    panel.show_best(store.best, len(store))
    panel.advice.refresh(store)
    panel.show()
    return panel


def test_best_panel_marks_ties_and_offers_the_simplest_within_one_se(qtbot):
    store = TrialStore("maximize", list(SPACE))
    store.add([
        rec(0, 0.90, folds=[0.85, 0.90, 0.95], params={"max_depth": 12, "min_samples_leaf": 3}),
        rec(1, 0.88, folds=[0.87, 0.88, 0.89], params={"max_depth": 3, "min_samples_leaf": 10}),
        rec(2, 0.89, folds=[0.87, 0.89, 0.91], params={"max_depth": 8, "min_samples_leaf": 10}),
        rec(3, 0.80, folds=[0.79, 0.80, 0.81], params={"max_depth": 2, "min_samples_leaf": 50}),
    ])
    panel = advice_panel(qtbot, store)
    advice = panel.advice
    assert advice.tied_numbers == [1, 2]
    assert advice.ties_label.text().startswith("2 trials tied with the best")
    assert "one standard error" in advice.ties_label.toolTip()
    assert "Tied: trials 1, 2" in advice.ties_label.toolTip()
    assert advice.simplest.number == 1
    assert "trial 1" in advice.simplest_label.text()
    selected = []
    advice.selectTrialRequested.connect(selected.append)
    advice.simplest_button.click()
    assert selected == [1]
    copied = []
    advice.copyToManualRequested.connect(copied.append)
    advice.manual_action.trigger()
    assert copied == [{"max_depth": 3, "min_samples_leaf": 10}]


def test_best_panel_gives_range_advice_and_asks_to_widen(qtbot):
    store = TrialStore("maximize", list(SPACE))
    store.add([rec(0, 0.9, folds=[0.9, 0.9], params={"max_depth": 20, "min_samples_leaf": 7}),
               rec(1, 0.8, folds=[0.8, 0.8], params={"max_depth": 9, "min_samples_leaf": 7})])
    panel = advice_panel(qtbot, store)
    advice = panel.advice
    assert advice.range_label.isVisible()
    assert "max_depth = 20 is at the top of its range 2–20" in advice.range_label.text()
    assert advice.widen_button.isVisible() and advice.widen_button.isEnabled()
    asked = []
    advice.widenRequested.connect(asked.append)
    advice.widen_button.click()
    assert asked == [{"max_depth": Hyperparameter("int", 2, 38)}]
    advice.set_can_widen(False, "Wait until the search finishes")
    assert not advice.widen_button.isEnabled() and "Wait" in advice.widen_button.toolTip()
    # A best in the middle of its ranges gets no advice.
    store.add([rec(2, 0.95, folds=[0.95, 0.95], params={"max_depth": 9, "min_samples_leaf": 7})])
    advice.refresh(store)
    assert not advice.range_label.isVisible() and not advice.widen_button.isVisible()


# -- in the window: a real search, then widen and continue the same study --------------------------


def test_widen_and_continue_runs_more_trials_of_the_same_study(qtbot, window, penguins_csv):
    from test_main_window import SEARCH_TIMEOUT_MS, load, pick_model, set_trials

    load(qtbot, window, penguins_csv, target="species")
    pick_model(window, "decision_tree")
    for row in window.model_panel.space_form.rows():
        if row.spec.name != "max_depth":
            row.enabled_box.setChecked(False)
    depth = window.model_panel.space_form.row("max_depth")
    depth.low.setValue(1)
    depth.high.setValue(2)  # too shallow: the best depth sits at the top
    set_trials(window, 4)
    assert window.actions.start.isEnabled(), window.problems
    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_TIMEOUT_MS):
        window.start_search()
    study_name = window.study_name
    # "finished" arrives before the search thread has wound down; the window re-enables then.
    qtbot.waitUntil(lambda: not window.controller.is_running(), timeout=10_000)
    assert len(window.store) == 4
    assert window.store.best.params["max_depth"] == 2
    advice = window.best_panel.advice
    assert "max_depth = 2 is at the top of its range 1–2" in advice.range_label.text()
    assert advice.widen_button.isEnabled()

    # The analysis views in the window draw the search's trials.
    overfit = next(v for v in window.analysis_views if isinstance(v, OverfitView))
    window.chart_tabs.setCurrentWidget(overfit)
    complete = [r.number for r in window.store.records if r.state == "complete"]
    assert overfit.plotted()["numbers"].tolist() == complete

    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_TIMEOUT_MS) as finished:
        advice.widen_button.click()
    assert finished.args == ["budget"]
    assert window.model_panel.space_form.row("max_depth").hyperparameter() == Hyperparameter("int", 1, 3)
    assert window.study_name == study_name
    assert len(window.store) == 8  # the four trials it had, and four more
    study = optuna.load_study(study_name=study_name, storage=open_storage(None, study_name))
    assert len(study.trials) == 8
    assert study.user_attrs[ATTR_SETUP]["space"]["max_depth"] == {"type": "int", "low": 1, "high": 3}


def large_store(n):
    rng = np.random.default_rng(1)
    store = TrialStore("maximize", list(SPACE))
    values = rng.uniform(0.5, 0.9, n)
    values[123] = 0.95  # the best, with folds a standard error of 0.01 wide
    values[124:130] = 0.945  # tied with it
    records = []
    for i, v in enumerate(values):
        if i % 97 == 0:
            records.append(rec(i, None, state="failed"))
            continue
        spread = 0.01 + 0.05 * (i % 7 == 0)
        folds = [float(v) - spread, float(v), float(v) + spread] if i != 123 else [0.95 - 0.0173, 0.95, 0.95 + 0.0173]
        train = float(v) + (0.2 if i % 1000 == 1 else 0.02)  # one trial in a thousand over-fits
        records.append(TrialRecord(number=i, state="complete", value=float(v), params={"max_depth": 3},
                                   folds=folds, train_score=train))
    store.add(records)
    return store, records


def test_large_studies_draw_one_point_per_pixel_cell(qtbot):
    from hpgui.gui.views.overfit import THIN_ABOVE

    n = THIN_ABOVE + 5_000
    store, records = large_store(n)
    scored = [r for r in records if r.state == "complete"]
    overfit = make_view(qtbot, OverfitView)
    overfit.set_gap_threshold(0.1)
    overfit.refresh(store)
    p = overfit.plotted()
    assert p["thinned"] and len(p["numbers"]) == len(scored) and 0 < p["drawn"] < len(scored)
    assert p["numbers"].tolist() == [r.number for r in scored]  # every trial is kept for hover and selection
    assert p["flagged"].tolist() == [r.number for r in scored if r.number % 1000 == 1]
    drawn = len(overfit.points.data) + len(overfit.flagged_points.data)
    assert drawn == p["drawn"]
    # Over-fitting trials are thinned among themselves: each has a red dot drawn in its cell.
    from hpgui.gui.views.overfit import DOT_CELL_PX, _cells

    nx, ny = _cells(overfit.scatter_plot, DOT_CELL_PX)
    span = max(p["train"].max(), p["valid"].max()) - min(p["train"].min(), p["valid"].min())
    red_x, red_y = overfit.flagged_points.data["x"], overfit.flagged_points.data["y"]
    assert 0 < len(red_x) <= len(p["flagged"])
    for r in scored:
        if r.number % 1000 == 1:
            assert np.any((np.abs(red_x - r.train_score) <= span / nx) & (np.abs(red_y - r.value) <= span / ny))
    assert overfit.best_point.data["x"].tolist() == [records[123].train_score]
    assert "one per pixel cell" in overfit.summary.text()
    # Hover finds a trial that was not drawn: the picker searches every trial, not only the drawn ones.
    hidden = next(i for i, number in enumerate(p["numbers"])
                  if p["train"][i] not in set(overfit.points.data["x"].tolist()))
    box = overfit.scatter_plot.getViewBox()
    box.updateAutoRange()  # what the next paint would do
    spot = box.mapViewToScene(QPointF(p["train"][hidden], p["valid"][hidden]))
    found = overfit.pickers[0].trial_at(spot)
    assert found is not None
    i = int(np.flatnonzero(p["numbers"] == found)[0])
    px, py = box.viewPixelSize()
    assert abs(p["train"][i] - p["train"][hidden]) <= 8 * px and abs(p["valid"][i] - p["valid"][hidden]) <= 8 * py
    # Top K leaves few enough trials to draw each one.
    overfit.top_k.setValue(50)
    p = overfit.plotted()
    assert not p["thinned"] and len(p["numbers"]) == 50 == p["drawn"] and 123 in p["numbers"].tolist()

    folds = make_view(qtbot, FoldsView)
    folds.refresh(store)
    p = folds.plotted()
    assert p["thinned"] and 0 < p["drawn"] < len(scored) and len(folds.bars.opts["x"]) == p["drawn"]
    assert p["numbers"].tolist() == [r.number for r in scored]
    assert p["low"].tolist() == [min(r.folds) for r in scored] and p["high"].tolist() == [max(r.folds) for r in scored]
    # The bars drawn cover exactly what all bars would: the widest spread survives thinning.
    bars = folds.bars.opts
    assert (bars["y"] - bars["bottom"]).min() == pytest.approx(p["low"].min())
    assert (bars["y"] + bars["top"]).max() == pytest.approx(p["high"].max())
    assert p["best"] == 123 and p["tied"].tolist() == list(range(124, 130))
    assert folds.best.data["x"].tolist() == [123]
    assert sorted(folds.tied.data["x"].tolist()) and set(folds.tied.data["x"].tolist()) <= set(range(124, 130))
    assert 0 < len(folds.means.data) < len(scored) - 7
    assert "6 trials tied" in folds.summary.text() and "bars for" in folds.summary.text()
    # A live batch of 20 trials redraws from the store's columns, new trials included.
    store.add([TrialRecord(number=n + k, state="complete", value=0.7, params={"max_depth": 3},
                           folds=[0.6, 0.8], train_score=0.75) for k in range(20)])
    assert folds.refresh(store)
    p = folds.plotted()
    assert p["numbers"][-1] == n + 19 and p["low"][-1] == 0.6 and p["high"][-1] == 0.8
    folds.spread.setCurrentIndex(folds.spread.findData("std"))
    p = folds.plotted()
    assert p["high"][-1] - p["mean"][-1] == pytest.approx(0.1)
    # Clicking the best selects it; its mark sits on it.
    folds.select_trial(123)
    assert folds.selection_mark.isVisible() and folds.selection_mark.data["x"].tolist() == [123]


def test_an_unbounded_metric_sizes_its_threshold_even_while_the_tab_is_hidden(qtbot):
    store = TrialStore("minimize", list(SPACE))
    store.add([rec(0, 30.0, train=20.0, folds=[29.0, 31.0]), rec(1, 40.0, train=39.0, folds=[39.0, 41.0])])
    view = OverfitView()
    qtbot.addWidget(view)
    seen = []
    view.thresholdChanged.connect(seen.append)
    view.set_context(SPACE, get_metric("rmse"))
    assert seen[-1] == float("inf")  # no marks until the scale of the scores is known
    view.keep_up(store)  # the window calls this on every redraw, shown or not
    assert seen[-1] == pytest.approx(3.5)  # 10 % of the median RMSE
    assert view.plotted()["numbers"].tolist() == []  # hidden: nothing drawn yet
