"""The Learning curves view, the trial table's resource column and the Search tab's "Stop poor trials early"."""

from __future__ import annotations

import numpy as np

from hpgui.core.metrics import get_metric
from hpgui.core.records import TrialRecord
from hpgui.core.trials import TrialStore
from hpgui.gui.trial_table import TrialTableModel
from hpgui.gui.views import VIEW_CLASSES, LearningCurvesView

STEPS = [5, 9, 15, 26, 45, 78, 135, 200]


def _records(n: int, seed: int = 0) -> list[TrialRecord]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        reach = len(STEPS) if i % 4 == 0 else int(rng.integers(1, len(STEPS)))
        ceiling = rng.uniform(0.6, 0.95)
        curve = [[s, float(ceiling * (1 - np.exp(-s / 30)))] for s in STEPS[:reach]]
        state = "complete" if reach == len(STEPS) else "pruned"
        out.append(TrialRecord(i, state, curve[-1][1] if state == "complete" else None, {"alpha": 0.1},
                               resource={"kind": "epochs", "reached": STEPS[reach - 1], "max": 200,
                                         "work": STEPS[reach - 1], "folds": 3, "score": curve[-1][1]},
                               curve=curve))
    return out


def test_the_view_is_listed_with_the_others():
    assert LearningCurvesView in VIEW_CLASSES


def test_ten_thousand_trials_are_drawn_pruned_ones_ending_early_and_the_best_on_top(qtbot):
    view = LearningCurvesView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.set_context({}, get_metric("accuracy"))
    records = _records(10_000)
    store = TrialStore("maximize")
    store.add(records)
    assert view.refresh(store)
    drawn = view.plotted()
    assert drawn["trials"] == 10_000 and drawn["kind"] == "epochs"
    complete_x, complete_y = drawn["complete"]
    pruned_x, _ = drawn["pruned"]
    n_complete = sum(r.state == "complete" for r in records)
    # Every point of every curve, a NaN gap after each trial.
    assert len(complete_x) == n_complete * (len(STEPS) + 1)
    assert np.isnan(complete_x).sum() == n_complete
    assert len(pruned_x) == sum(len(r.curve) + 1 for r in records if r.state == "pruned")
    assert np.nanmax(pruned_x) < 200  # pruned lines end before the full resource
    assert drawn["best"] == store.best.number
    best_x, best_y = view.best_line.getOriginalDataset()  # (the axis is logarithmic)
    assert list(best_x) == STEPS and best_y[-1] == store.best.value
    assert view.plot.getAxis("bottom").labelText == "Epochs"

    store.add([TrialRecord(10_000, "pruned", None, {}, curve=[[5, 0.1]],
                           resource={"kind": "epochs", "reached": 5, "max": 200})])
    view.refresh(store)  # live: a new trial arrives and is drawn
    assert view.plotted()["trials"] == 10_001


def test_studies_without_curves_say_where_curves_come_from(qtbot):
    view = LearningCurvesView()
    qtbot.addWidget(view)
    view.set_context({}, get_metric("accuracy"))
    store = TrialStore("maximize")
    store.add([TrialRecord(0, "complete", 0.9, {})])
    view.refresh(store)
    assert "Stop poor trials early" in view.empty_label.text()


def test_the_trial_table_shows_the_resource_reached():
    store = TrialStore("maximize")
    store.add(_records(8))
    model = TrialTableModel(store)
    model.set_params(["alpha"], resource=True)
    from PySide6.QtCore import Qt

    column = 6  # after the fixed columns, before the hyperparameters
    assert model.headerData(column, Qt.Orientation.Horizontal) == "reached"
    assert model.index(0, column).data() == "200 / 200 epochs"
    pruned_row = next(i for i, r in enumerate(store.records) if r.state == "pruned")
    reached = store.records[pruned_row].resource["reached"]
    assert model.index(pruned_row, column).data() == f"{reached} / 200 epochs"
    assert model.headerData(column + 1, Qt.Orientation.Horizontal) == "alpha"
    model.set_params(["alpha"])
    assert model.headerData(column, Qt.Orientation.Horizontal) == "alpha"


def test_the_search_tab_offers_stopping_by_resource(qtbot):
    from hpgui.gui.search_panel import SearchPanel
    from hpgui.core.setup import SearchSetup

    panel = SearchPanel()
    qtbot.addWidget(panel)
    assert [panel.resource_combo.itemData(i) for i in range(panel.resource_combo.count())] == \
        ["folds", "epochs", "trees", "stages", "rows"]
    assert panel.pruner_combo.findData("wilcoxon") >= 0
    setup = SearchSetup.from_json({"format": "hpgui-setup/1", "data": {"path": "x.csv", "target": "y"},
                                   "model": "mlp", "strategy": {"name": "tpe", "pruner": "hyperband",
                                                                "resource": "epochs"}})
    panel.apply(setup)
    assert panel.strategy().resource == "epochs" and panel.strategy().pruner == "hyperband"
    panel.set_problems([])


def test_the_budget_group_says_what_stopping_early_saved(window):
    label = window.search_panel.savings_label
    window.live.redraw()
    assert label.isHidden()  # nothing stopped, nothing to say
    records = _records(8)
    for r in records:
        r.fit_time_s = 0.5 if r.state == "pruned" else 4.0
    window.session.store.add(records)
    window.live.redraw()
    from hpgui.core.fidelity import savings

    expected = savings(records)
    assert not label.isHidden() and label.text() == expected.describe()
    assert f"{expected.fits_saved:,.0f} of {expected.full_fits:,.0f} fits" in label.text()
