"""Several models in one search from the window: tick, search, leaderboard."""

from __future__ import annotations

import numpy as np

from hpgui.core.choice import MODEL_PARAM
from hpgui.core.leaderboard import standings
from hpgui.core.metrics import get_metric
from hpgui.core.records import TrialRecord
from hpgui.core.space import Hyperparameter
from hpgui.core.trials import TrialStore
from hpgui.gui.views.leaderboard import LeaderboardView

SEARCH_TIMEOUT_MS = 180_000


def _load(qtbot, window, path, target):
    with qtbot.waitSignal(window.data_panel.datasetLoaded, timeout=60_000):
        window.open_csv(path, target=target)
    qtbot.waitUntil(lambda: not window.binding.timer.isActive(), timeout=5_000)


def test_ticking_a_second_model_searches_both_and_the_leaderboard_shows_each_best(qtbot, window, iris_csv):
    _load(qtbot, window, iris_csv, "species")
    window.model_panel.model_combo.setCurrentIndex(window.model_panel.model_combo.findData("logistic_regression"))
    assert window.model_panel.model_forms.tabBar().isHidden()  # one model: the form as always
    window.model_panel.compare_list.boxes["knn"].setChecked(True)
    assert window.model_panel.model_forms.count() == 2 and window.model_panel.model_forms.tabText(1) == "k-nearest neighbours"
    knn_form = window.model_panel.model_forms.extra["knn"]
    assert set(knn_form.space()) == {"n_neighbors", "weights", "p"}

    # A bad range in the compared model's form is shown on its own row and tab.
    knn_form.row("n_neighbors").low.setValue(40)
    knn_form.row("n_neighbors").high.setValue(5)
    problems = window.validate()
    assert any(p.field.startswith("space.knn.n_neighbors") for p in problems)
    assert knn_form.row("n_neighbors").error_label.text()
    assert "⚠" in window.model_panel.model_forms.tabText(1)
    knn_form.row("n_neighbors").low.setValue(1)
    window.search_panel.trials_box.setChecked(True)
    window.search_panel.trials_spin.setValue(10)
    window.search_panel.strategy_combo.setCurrentIndex(window.search_panel.strategy_combo.findData("random"))
    assert window.validate() == []
    setup = window.binding.build_setup()
    assert setup.models == ("logistic_regression", "knn")

    board = next(v for v in window.analysis_views if isinstance(v, LeaderboardView))
    window.chart_tabs.setCurrentWidget(board)
    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_TIMEOUT_MS) as finished:
        assert window.start_search()
    assert finished.args == ["budget"]
    records = window.store.records
    assert len(records) == 10
    models = {r.params[MODEL_PARAM] for r in records}
    assert models == {"logistic_regression", "knn"}
    assert all(r.model == r.params[MODEL_PARAM] for r in records)
    assert "model" in window.table.source.params  # the trial table has a model column

    expected = {}
    for r in records:
        if r.state == "complete" and (r.model not in expected or r.value > expected[r.model].value):
            expected[r.model] = r
    drawn = board.plotted()
    ranked = sorted(expected.values(), key=lambda r: (-r.value, r.number))
    np.testing.assert_array_equal(drawn["numbers"], [r.number for r in ranked])
    np.testing.assert_allclose(drawn["scores"], [r.value for r in ranked])
    np.testing.assert_allclose(drawn["gaps"], [ranked[0].value - r.value for r in ranked])
    assert board.table.rowCount() == 2
    assert board.table.item(0, 5).text() == str(ranked[0].number)

    # Every chart tab draws a several-model study (the model is a categorical, the rest conditional).
    for index in range(window.chart_tabs.count()):
        window.chart_tabs.setCurrentIndex(index)
        window.redraw()
        assert not window.chart_tabs.currentWidget().grab().isNull()
    window.chart_tabs.setCurrentWidget(board)

    # The best panel names the winning model and its own hyperparameters.
    best_table = window.best_panel.params_table
    assert best_table.item(0, 0).text() == "model"
    assert best_table.item(0, 1).text() in ("Logistic regression", "k-nearest neighbours")

    # A click on the second row selects that trial in the table.
    with qtbot.waitSignal(board.trialClicked) as clicked:
        board.table.cellClicked.emit(1, 0)
    assert clicked.args == [ranked[1].number]
    assert window.table.selected_number() == ranked[1].number


def test_the_leaderboard_follows_the_store_live_and_lists_models_without_trials(qtbot):
    view = LeaderboardView()
    qtbot.addWidget(view)
    space = {MODEL_PARAM: Hyperparameter("categorical", choices=("svm", "knn", "ridge")),
             "svm.C": Hyperparameter("float", 0.1, 10, log=True)}
    view.set_context(space, get_metric("rmse"))  # lower is better
    store = TrialStore("minimize", list(space))

    def rec(n, model, value, state="complete"):
        return TrialRecord(number=n, state=state, value=value, params={MODEL_PARAM: model}, std=0.1,
                           fit_time_s=0.01 * n, model=model)

    store.add([rec(0, "svm", 3.0), rec(1, "knn", 2.5), rec(2, "svm", 2.0)])
    view.refresh(store)
    drawn = view.plotted()
    assert drawn["models"] == ["svm", "knn", "ridge"]  # ridge has no trial yet: listed last
    np.testing.assert_array_equal(drawn["numbers"], [2, 1])
    np.testing.assert_allclose(drawn["gaps"], [0.0, 0.5])
    assert view.table.item(2, 1).text() == "—"

    store.add([rec(3, "ridge", 1.5), rec(4, "knn", None, state="failed")])
    view.refresh(store)
    drawn = view.plotted()
    np.testing.assert_array_equal(drawn["numbers"], [3, 2, 1])
    assert view.table.item(2, 4).text() == "1 / 2"  # knn: one of two trials completed
    assert [s.best.number for s in standings(store.records, "minimize")] == [3, 2, 1]


def test_opening_a_several_model_setup_ticks_its_models_and_fills_their_forms(qtbot, window, tmp_path):
    import shutil

    from tests_support import ROOT

    for name in ("iris-compare-models.json", "iris.csv"):
        shutil.copy(ROOT / "examples" / name, tmp_path / name)
    with qtbot.waitSignal(window.data_panel.datasetLoaded, timeout=60_000):
        window.open_setup(tmp_path / "iris-compare-models.json")
    assert window.model_panel.model_combo.currentData() == "logistic_regression"
    assert window.model_panel.compare_list.checked() == ["svm", "knn"]
    assert list(window.model_panel.model_forms.forms()) == ["logistic_regression", "svm", "knn"]
    assert list(window.model_panel.space_form.space()) and window.model_panel.space_form.space()["C"].high == 1000
    svm = window.model_panel.model_forms.extra["svm"].space()
    assert svm["kernel"].choices == ("linear", "rbf") and svm["degree"].enabled is False
    assert window.validate() == []
    window.opener.save_setup(tmp_path / "again.json")
    from hpgui.core.setup import SearchSetup

    again = SearchSetup.load(tmp_path / "again.json")
    assert again.models == ("logistic_regression", "svm", "knn")
    assert again.model_space("svm", "classification")["C"].high == 100

    # Unticking every compared model gives back a plain one-model setup.
    window.model_panel.compare_list.set_checked([])
    assert window.model_panel.model_forms.count() == 1 and window.binding.build_setup().model == "logistic_regression"
