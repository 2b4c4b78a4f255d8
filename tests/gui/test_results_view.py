"""The Results tab: computed on a worker for the best or the picked trial, CV and test side by side."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import cross_val_predict

from hpgui.core.diagnostics.classification import matrix_at
from hpgui.core.runner import Search
from hpgui.core.setup import SearchSetup
from hpgui.core.trials import TrialStore
from hpgui.gui import results_charts as rc
from hpgui.gui.views import ResultsView
from tests_support import EXAMPLES


def _setup(csv, target="diagnosis", trials=4, test_fraction=0.3):
    return SearchSetup.from_json({
        "format": "hpgui-setup/1", "data": {"path": str(csv), "target": target, "task": "classification"},
        "model": "logistic_regression", "space": {"C": {"type": "float", "low": 0.01, "high": 10, "log": True}},
        "strategy": {"name": "random", "seed": 5}, "evaluation": {"folds": 3, "test_fraction": test_fraction},
        "metric": "accuracy", "budget": {"trials": trials}})


@pytest.fixture
def study(tmp_path):
    csv = tmp_path / "breast_cancer.csv"
    shutil.copy(EXAMPLES / "breast_cancer.csv", csv)
    setup = _setup(csv)
    search = Search(setup, storage=str(tmp_path / "b.journal"), study_name="b")
    records = search.run().trials
    return setup, search, records


def _view(qtbot, search, records, source=None):
    view = ResultsView()
    qtbot.addWidget(view)
    view.resize(1000, 640)
    view.show()
    store = TrialStore(search.metric.direction, list(search.order))
    store.add(records)
    view.set_context(search.space, search.metric)
    view.set_source(source or (lambda: search), 4)
    return view, store


def test_the_best_trial_is_shown_beside_its_test_set_and_matches_scikit_learn(qtbot, study):
    setup, search, records = study
    view, store = _view(qtbot, search, records)
    with qtbot.waitSignal(view.resultsReady, timeout=120_000) as ready:
        view.refresh(store)
    best = store.best
    assert ready.args == [best.number]
    drawn = view.plotted()
    assert drawn["parts"] == ["cv", "test"]
    predicted = cross_val_predict(search.build_estimator(best.params), search.X, search.y, cv=search.splits)
    classes = np.unique(search.y)
    np.testing.assert_array_equal(drawn["matrix"]["cv"], confusion_matrix(search.y, predicted, labels=classes))
    fitted = search.fit_best(best.params)
    np.testing.assert_array_equal(drawn["matrix"]["test"],
                                  confusion_matrix(search.y_test, fitted.predict(search.X_test), labels=classes))
    assert {"Confusion matrix", "Per class", "ROC", "Precision–recall", "Calibration", "Threshold",
            "Permutation importance", "Honest estimate"} <= set(drawn["pages"])
    assert "Cross-validation (out-of-fold)" in view.note.text() and "Test set (held out)" in view.note.text()
    confusion = view.page("confusion")
    assert confusion.plots["cv"].titleLabel.text.startswith("Cross-validation")
    assert confusion.plots["test"].titleLabel.text.startswith("Test set")
    report = view.page("report")
    assert report.tables["cv"].rowCount() == len(classes) + 2  # each class, macro and weighted averages
    assert not view.grab().isNull()


def test_a_clicked_cell_lists_exactly_its_rows(qtbot, study):
    _, search, records = study
    view, store = _view(qtbot, search, records)
    with qtbot.waitSignal(view.resultsReady, timeout=120_000):
        view.refresh(store)
    page = view.page("confusion")
    view.pages.setCurrentWidget(page)
    qtbot.wait(50)
    matrix = view.plotted()["matrix"]["cv"]
    plot = page.plots["cv"]
    # The scene point at the middle of cell (actual 1, predicted 1) maps back to that cell.
    centre = plot.getViewBox().mapViewToScene(pg_point(1.5, 1.5))
    assert rc.cell_at(plot, centre, 2) == (1, 1)
    with qtbot.waitSignal(page.cellClicked, timeout=2_000) as clicked:
        page._clicked(_FakeClick(centre))
    assert clicked.args == ["cv", 1, 1]
    assert page.rows_table.rowCount() == matrix[1, 1]
    page.list_cell("cv", 0, 0)
    assert page.rows_table.rowCount() == matrix[0, 0]
    # Its rows are those rows of the data: the features shown are the rows' own values.
    positions = page.cell_positions("cv", 0, 0)
    first = search.X.iloc[positions[0]]
    header = [page.rows_table.horizontalHeaderItem(c).text() for c in range(page.rows_table.columnCount())]
    column = header.index(search.X.columns[0])
    assert float(page.rows_table.item(0, column).text()) == pytest.approx(float(first.iloc[0]), rel=1e-3)


def test_the_threshold_changes_the_matrix(qtbot, study):
    _, search, records = study
    view, store = _view(qtbot, search, records)
    with qtbot.waitSignal(view.resultsReady, timeout=120_000):
        view.refresh(store)
    page = view.page("threshold")
    held = view.shown.part("cv").held_out
    truth = (held.y_true == held.classes[1]).astype(int)
    at_default = page.matrices()["cv"]
    np.testing.assert_array_equal(at_default, view.shown.part("cv").classification.matrix)
    page.spin.setValue(0.9)
    np.testing.assert_array_equal(page.matrices()["cv"], matrix_at(truth, held.proba[:, 1], 0.9))
    assert page.matrices()["cv"][:, 1].sum() < at_default[:, 1].sum()
    page.markers[0].setValue(0.2)  # dragging the line moves the spin box and every matrix
    assert page.spin.value() == pytest.approx(0.2)
    np.testing.assert_array_equal(page.matrices()["test"],
                                  matrix_at((view.shown.part("test").held_out.y_true == held.classes[1]).astype(int),
                                            view.shown.part("test").held_out.proba[:, 1], 0.2))


def test_a_trial_picked_in_the_table_is_shown_and_show_best_returns(qtbot, study):
    _, search, records = study
    view, store = _view(qtbot, search, records)
    with qtbot.waitSignal(view.resultsReady, timeout=120_000):
        view.refresh(store)
    best = store.best.number
    other = next(r.number for r in records if r.state == "complete" and r.number != best)
    with qtbot.waitSignal(view.resultsReady, timeout=120_000) as ready:
        view.select_trial(other)
    assert ready.args == [other] and view.shown.trial == other
    assert "picked in the table" in view.target_label.text()
    with qtbot.waitSignal(view.resultsReady, timeout=5_000) as again:
        view.show_best()  # kept from before: shown at once
    assert again.args == [best]


def test_a_failure_is_a_message_not_a_traceback(qtbot, study):
    _, search, records = study

    def broken():
        raise FileNotFoundError("the data file moved")

    view, store = _view(qtbot, search, records, source=broken)
    with qtbot.waitSignal(view.resultsFailed, timeout=30_000) as failed:
        view.refresh(store)
    assert "could not be computed" in failed.args[0] and "the data file moved" in failed.args[0]
    qtbot.waitUntil(lambda: not view.busy, timeout=5_000)
    assert view.empty_label.isVisible() and "data file moved" in view.empty_label.text()
    store.add([])  # the next redraws say it again rather than refit again
    view.invalidate()
    assert not view.busy and "data file moved" in view.empty_label.text()


def test_nested_cv_runs_on_a_worker_and_can_be_cancelled(qtbot, study):
    _, search, records = study
    view, store = _view(qtbot, search, records)
    page = view.estimate
    page.folds_spin.setValue(2)
    page.trials_spin.setValue(2)
    with qtbot.waitSignal(page.finished, timeout=300_000):
        page.run_button.click()
    assert page.result is not None and len(page.result.folds) == 2
    assert page.table.rowCount() == 2 and "Expected Accuracy of a model tuned this way" in page.status.text()
    page.trials_spin.setValue(50)
    with qtbot.waitSignal(page.finished, timeout=300_000):
        page.start()
        page.cancel()
    assert page.message.startswith("Cancelled")


def test_the_window_exports_the_report_reusing_the_results(qtbot, window, study, tmp_path, monkeypatch):
    setup, search, records = study
    from hpgui.core.session import StudyContext, StudyRef

    window.session.show(StudyRef("b", str(tmp_path / "b.journal")),
                        StudyContext(tuple(search.order), dict(search.space), search.metric), records, setup=setup)
    window.actions.update()
    window.pages.setCurrentWidget(window.main_splitter)
    view = window.report_export.results_view()
    window.chart_tabs.setCurrentWidget(view)
    with qtbot.waitSignal(view.resultsComplete, timeout=120_000):
        window.redraw()
    assert window.report_export.action.isEnabled()

    def no_refit(*args, **kwargs):
        raise AssertionError("the report refitted although the Results tab had the best trial's results")

    monkeypatch.setattr("hpgui.core.report.build.diagnose", no_refit)
    path = tmp_path / "window-report.html"
    with qtbot.waitSignal(window.exportFinished, timeout=120_000) as done:
        assert window.report_export.export(path)
    assert done.args == [str(path)]
    html = path.read_text(encoding="utf-8")
    assert '<section id="results">' in html and "Test set (held out)" in html
    assert f"Trial {window.store.best.number} with" in html


class _FakeClick:
    def __init__(self, pos):
        self._pos = pos

    def button(self):
        from PySide6.QtCore import Qt

        return Qt.MouseButton.LeftButton

    def scenePos(self):
        return self._pos


def pg_point(x: float, y: float):
    from PySide6.QtCore import QPointF

    return QPointF(x, y)


@pytest.mark.parametrize("kind", ["regression", "clustering"])
def test_the_report_draws_every_chart_of_regression_and_clustering(qtbot, tmp_path, kind):
    from hpgui.core.report.build import build
    from hpgui.core.report.html import CHARTS, PERMUTATION, render
    from hpgui.gui.report_images import render_images

    if kind == "regression":
        csv = tmp_path / "diabetes.csv"
        shutil.copy(EXAMPLES / "diabetes.csv", csv)
        data = {"path": str(csv), "target": "progression", "task": "regression"}
        model, space, metric, test = "ridge", {"alpha": {"type": "float", "low": 0.1, "high": 10, "log": True}}, \
            "rmse", 0.25
    else:
        csv = tmp_path / "iris.csv"
        shutil.copy(EXAMPLES / "iris.csv", csv)
        data = {"path": str(csv), "target": None, "task": "clustering",
                "features": ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"]}
        model, space, metric, test = "kmeans", {"n_clusters": {"type": "int", "low": 2, "high": 4}}, \
            "silhouette", None
    setup = SearchSetup.from_json({
        "format": "hpgui-setup/1", "data": data, "model": model, "space": space,
        "strategy": {"name": "random", "seed": 2}, "evaluation": {"folds": 3, "test_fraction": test},
        "metric": metric, "budget": {"trials": 3}})
    search = Search(setup, storage=str(tmp_path / "k.journal"), study_name="k")
    records = search.run().trials
    content = build(search, records)
    images = render_images(content)
    parts = [p.kind for p in content.diagnostics.parts]
    assert parts == (["cv", "test"] if test else ["cv"])
    expected = {f"{part}-{key}" for part in parts for key, _ in [*CHARTS[kind], PERMUTATION]} | {"history"}
    assert set(images) == expected
    assert all(data.startswith(b"\x89PNG") for data in images.values())
    html = render(content, images)
    assert html.count("data:image/png;base64,") == len(expected)
