"""The real window, driven the way a user drives it: open, pick, edit, start, watch, export, stop, close."""

from __future__ import annotations

import csv
import json
import time

import optuna
import pytest
from optuna.trial import TrialState
from PySide6.QtCore import Qt

from hpgui.core.storage import open_storage
from hpgui.gui.main_window import MainWindow
from tests_support import ROOT

SEARCH_TIMEOUT_MS = 180_000


def load(qtbot, window, path, target=None):
    with qtbot.waitSignal(window.data_panel.datasetLoaded, timeout=60_000):
        window.open_csv(path, target=target)
    qtbot.waitUntil(lambda: not window.binding.timer.isActive(), timeout=5_000)
    window.validate()


def pick_model(window, name):
    index = window.model_panel.model_combo.findData(name)
    assert index >= 0, f"{name} is not offered"
    window.model_panel.model_combo.setCurrentIndex(index)


def set_trials(window, n):
    panel = window.search_panel
    panel.trials_box.setChecked(True)
    panel.trials_spin.setValue(n)
    window.validate()


def test_a_whole_session_from_csv_to_exported_files(qtbot, window, penguins_csv, tmp_path):
    load(qtbot, window, penguins_csv)
    panel = window.data_panel
    panel.set_target("species")
    assert window.binding.current_task() == "classification"
    pick_model(window, "decision_tree")
    set_trials(window, 8)
    window.validate()
    assert window.actions.start.isEnabled(), window.problems

    # An impossible range disables Start and says why, next to the field; fixing it enables Start again.
    window.setup_tabs.setCurrentIndex(1)
    row = window.model_panel.space_form.row("max_depth")
    row.low.setValue(25)
    row.high.setValue(10)
    window.validate()
    assert not window.actions.start.isEnabled()
    assert row.error_label.isVisible() and "greater than high" in row.error_label.text()
    assert "⚠" in window.setup_tabs.tabText(1)
    row.low.setValue(2)
    window.validate()
    assert window.actions.start.isEnabled(), window.problems
    assert not row.error_label.isVisible()
    assert "⚠" not in window.setup_tabs.tabText(1)

    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_TIMEOUT_MS) as finished:
        window.actions.start.trigger()
        assert not window.actions.start.isEnabled()  # no second search by accident
    assert finished.args == ["budget"]
    store = window.store
    assert len(store) == 8
    complete = [r for r in store.records if r.state == "complete"]
    plotted = window.history.plotted()
    assert len(plotted["complete"][0]) == len(complete)
    assert sorted(plotted["complete"][0]) == [float(r.number) for r in complete]

    # The best panel shows what the core's study says is best.
    study = optuna.load_study(study_name=window.study_name, storage=open_storage(None, window.study_name))
    assert study.best_trial.number == store.best.number
    assert window.best_panel.score_label.text().startswith(f"{study.best_value:.4f}"[:5])
    assert window.table.model().rowCount() == 8

    out = tmp_path / "export"
    out.mkdir()
    with qtbot.waitSignal(window.exportFinished, timeout=120_000) as exported:
        window.exports.export_all(out)
    assert exported.args[0].startswith("Exported")
    best = json.loads((out / "best.json").read_text())
    assert best["score"] == pytest.approx(study.best_value, abs=1e-12)
    assert best["params"] == study.best_params
    rows = list(csv.DictReader(open(out / "trials.csv", newline="")))
    assert len(rows) == 8
    assert (out / "model.skops").stat().st_size > 0 and (out / "best_pipeline.py").exists()
    for name in ("history.png", "history.svg"):
        with qtbot.waitSignal(window.exportFinished, timeout=30_000):
            window.exports.export_one("chart", tmp_path / name)
        assert (tmp_path / name).stat().st_size > 0
    assert "<svg" in (tmp_path / "history.svg").read_text()[:2000]


def test_clicking_a_point_selects_its_row_and_back(qtbot, window, iris_csv):
    load(qtbot, window, iris_csv, target="species")
    pick_model(window, "knn")
    set_trials(window, 5)
    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_TIMEOUT_MS):
        window.start_search()
    window.history.trialClicked.emit(3)
    assert window.table.selected_number() == 3
    window.table.select_number(1)
    assert window.history.selected_point() is not None
    window.table.select_number(2)
    window.copy_selected_to_manual()
    assert window.search_panel.manual_configs()[-1] == window.store[window.store.index_of(2)].params


def test_two_workers_stream_their_trials_into_one_window(qtbot, window, iris_csv):
    load(qtbot, window, iris_csv, target="species")
    pick_model(window, "random_forest")
    # Fits long enough (about a second each) that the second worker, started with the search, gets some.
    window.model_panel.space_form.row("n_estimators").values_edit.setText("150")
    set_trials(window, 12)
    window.search_panel.workers_spin.setValue(2)
    if window.search_panel.workers() < 2:
        pytest.fail("this test needs a machine with at least two CPU cores")
    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_TIMEOUT_MS):
        window.start_search()
    records = window.store.records
    assert sorted(r.number for r in records) == list(range(12))
    assert all(r.state == "complete" for r in records)
    assert len({r.worker for r in records}) == 2, "trials of both worker processes reached the window"
    assert window.store.best.value == max(r.value for r in records)
    assert window.progress_bar.value() == 12


def start_slow_search(qtbot, window, slow_csv):
    load(qtbot, window, slow_csv, target="y")
    pick_model(window, "random_forest")
    row = window.model_panel.space_form.row("n_estimators")
    row.values_edit.setText("4000")
    set_trials(window, 3)
    window.validate()
    assert window.actions.start.isEnabled(), window.problems
    with qtbot.waitSignal(window.controller.started, timeout=60_000):
        window.start_search()
    storage = open_storage(None, window.study_name)
    qtbot.waitUntil(lambda: bool(optuna.load_study(study_name=window.study_name, storage=storage)
                                 .get_trials(states=(TrialState.RUNNING,))), timeout=60_000)


def test_stop_during_a_long_fit_ends_within_two_seconds(qtbot, window, slow_csv):
    start_slow_search(qtbot, window, slow_csv)
    began = time.monotonic()
    with qtbot.waitSignal(window.searchFinished, timeout=10_000) as finished:
        window.actions.stop.trigger()
    assert time.monotonic() - began < 2.5
    assert finished.args == ["stopped"]
    study = optuna.load_study(study_name=window.study_name, storage=open_storage(None, window.study_name))
    assert [t.state for t in study.get_trials()] == [TrialState.FAIL]
    assert window.store.records[0].state == "failed"
    qtbot.waitUntil(window.actions.start.isEnabled, timeout=5_000)  # once the worker thread has ended


def test_closing_during_a_search_asks_then_stops_cleanly(qtbot, window, slow_csv):
    start_slow_search(qtbot, window, slow_csv)
    asked = []
    window.confirm = lambda title, text: asked.append(title) or False
    window.close()
    assert asked and window.isVisible() and window.controller.is_running()
    window.confirm = lambda title, text: True
    began = time.monotonic()
    window.close()
    assert not window.isVisible()
    assert time.monotonic() - began < 5
    assert not window.controller.is_running()


def test_a_broken_csv_gets_a_message_not_a_crash(qtbot, window, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"PK\x03\x04 this is a zip file really")
    with qtbot.waitSignal(window.data_panel.loadFailed, timeout=30_000):
        window.open_csv(bad)
    title, text = window.messages[-1]
    assert "bad.csv" in title and "Excel" in text
    assert window.data_panel.dataset is None
    assert not window.actions.start.isEnabled()


def test_a_model_whose_fits_all_fail_is_reported(qtbot, window, tmp_path):
    path = tmp_path / "holes.csv"
    path.write_text("a,b,y\n" + "".join(f"{i},{'' if i % 2 else i},{i % 2}\n" for i in range(60)))
    load(qtbot, window, path, target="y")
    pick_model(window, "knn")
    window.search_panel.mode_combo.setCurrentIndex(window.search_panel.mode_combo.findData("none"))
    set_trials(window, 10)
    assert window.actions.start.isEnabled(), window.problems
    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_TIMEOUT_MS) as finished:
        window.start_search()
    assert finished.args == ["failed"]
    title, text = window.messages[-1]
    assert "failed" in title.lower() and "NaN" in text
    assert len(window.store) == 5 and all(r.state == "failed" for r in window.store.records)


def test_opening_the_documented_setup_fills_every_form(qtbot, window):
    with qtbot.waitSignal(window.data_panel.datasetLoaded, timeout=60_000):
        window.open_setup(ROOT / "examples" / "iris-svm-grid.json")
    window.validate()
    assert window.model_panel.model_combo.currentData() == "svm"
    assert window.data_panel.target() == "species"
    space = window.model_panel.space_form.space()
    assert space["C"].values == (1, 10) and space["gamma"].enabled is False
    assert window.search_panel.strategy().name == "grid"
    assert window.search_panel.evaluation().shuffle is False
    assert window.problems == []
    assert "4" in window.search_panel.grid_size_label.text()


def test_examples_menu_opens_every_bundled_dataset(qtbot, window):
    for action in window.actions.examples_menu.actions():
        with qtbot.waitSignal(window.data_panel.datasetLoaded, timeout=60_000):
            action.trigger()
        window.validate()
        assert window.data_panel.dataset.rows > 100
        assert window.problems == [], (action.text(), window.problems)


def test_an_unexpected_error_is_shown_with_the_log_file_and_the_app_goes_on(qtbot, window):
    from hpgui.gui.errors import ErrorReporter, log_file

    reporter = ErrorReporter(window)
    reporter.quiet = True
    reporter.install()
    try:
        reporter._excepthook(ZeroDivisionError, ZeroDivisionError("boom"), None)
        qtbot.waitUntil(lambda: bool(reporter.shown), timeout=5_000)
    finally:
        reporter.uninstall()
    assert reporter.shown == ["ZeroDivisionError: boom"]
    assert "boom" in log_file().read_text()
    assert window.isVisible()


def test_an_unexpected_error_quoting_a_storage_url_loses_its_password(qtbot, window):
    from hpgui.gui.errors import ErrorReporter, log_file

    reporter = ErrorReporter(window)
    reporter.quiet = True
    reporter.install()
    try:
        reporter.report("OperationalError: postgresql://ana:pw-123@db/hp refused",
                        "Traceback ...\nconnect('postgresql://ana:pw-123@db/hp')")
        qtbot.waitUntil(lambda: bool(reporter.shown), timeout=5_000)
    finally:
        reporter.uninstall()
    assert "pw-123" not in reporter.shown[0]
    text = log_file().read_text()
    assert "postgresql://ana:***@db/hp" in text
    assert "pw-123" not in text


def test_window_layout_and_recent_files_are_remembered(qtbot, iris_csv):
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    with qtbot.waitSignal(first.data_panel.datasetLoaded, timeout=60_000):
        first.open_csv(iris_csv)
    total = sum(first.main_splitter.sizes())
    first.main_splitter.setSizes([total // 2 + 37, total - total // 2 - 37])
    state = first.main_splitter.saveState()
    first.actions.show_failed.setChecked(False)
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    # Compared before showing: the offscreen screen is 800 px wide and would clamp a shown window.
    assert second.main_splitter.saveState() == state
    assert not second.actions.show_failed.isChecked()
    assert second.recent_files()[0] == str(iris_csv.resolve())
    second.close()


def test_keyboard_shortcuts_are_set_and_distinct(qtbot):
    from PySide6.QtGui import QAction, QKeySequence

    win = MainWindow()
    qtbot.addWidget(win)
    try:
        actions = win.actions
        assert actions.start.shortcut().toString() == "F5"
        assert actions.stop.shortcut().toString() == "Shift+F5"
        ctrl_o = QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_O)
        assert actions.open.shortcut().matches(ctrl_o) == QKeySequence.SequenceMatch.ExactMatch
        assert actions.save_setup.shortcut().matches(ctrl_o) == QKeySequence.SequenceMatch.NoMatch
        # No two actions of the window answer the same keys (one would silently never fire).
        keys = [k.toString() for a in win.findChildren(QAction) for k in a.shortcuts() if not k.isEmpty()]
        assert len(keys) == len(set(keys)), sorted(keys)
        assert len(keys) >= 12
    finally:
        win.close()


def test_opening_another_csv_after_a_search_leaves_nothing_of_the_old_study(qtbot, window, iris_csv):
    # As a new user does it: Try an example (penguins with a ready setup), Start, then File → Open another CSV.
    with qtbot.waitSignal(window.data_panel.datasetLoaded, timeout=60_000):
        window.opener.try_example()
    window.validate()
    set_trials(window, 4)
    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_TIMEOUT_MS):
        assert window.start_search(), window.problems
    assert len(window.store) == 4 and window.store.best is not None
    window.chart_tabs.setCurrentWidget(window.best_chart)
    window.redraw()
    assert window.best_chart.plotted(), "the old study's best parameters were drawn"
    old = window.study_name
    assert window.best_panel.score_label.text() != "—" and window.table.model().rowCount() == 4

    load(qtbot, window, iris_csv, target="species")
    window.redraw()
    assert window.study_name is None and old not in window.windowTitle()
    assert window.windowTitle() == "iris.csv — hpgui"
    assert len(window.store) == 0 and window.table.model().rowCount() == 0
    assert window.best_panel.score_label.text() == "—" and window.best_panel.params_table.rowCount() == 0
    assert all(len(x) == 0 for x, _ in window.best_chart.plotted().values())
    window.chart_tabs.setCurrentWidget(window.history)
    window.redraw()
    assert all(len(x) == 0 for x, _ in window.history.plotted().values())
    assert not window.actions.export_all.isEnabled() and not window.actions.export_trials.isEnabled()
    # And the new data can be searched at once.
    assert window.actions.start.isEnabled(), window.problems


def test_the_window_fits_a_1366_pixel_screen_with_a_study_on_screen(qtbot, window, penguins_csv):
    import random

    from hpgui.core.metrics import get_metric
    from hpgui.core.records import TrialRecord
    from hpgui.core.session import StudyContext, StudyRef
    from hpgui.core.space import Hyperparameter

    load(qtbot, window, penguins_csv, target="species")
    space = {"n_estimators": Hyperparameter("int", 20, 300, log=True),
             "learning_rate": Hyperparameter("float", 0.01, 0.5, log=True),
             "max_depth": Hyperparameter("int", 2, 6), "subsample": Hyperparameter("float", 0.5, 1.0)}
    rng = random.Random(0)
    records = [TrialRecord(i, "complete", 0.9 + rng.random() / 20, {n: hp.low for n, hp in space.items()},
                           std=0.01, folds=[0.9, 0.95, 0.92], train_score=1.0, worker="host:1") for i in range(40)]
    window.session.show(StudyRef("a-long-study-name-of-gradient-boosting-on-penguins"),
                        StudyContext(tuple(space), space, get_metric("accuracy")), records)
    widths = {}
    for i in range(window.chart_tabs.count()):
        window.chart_tabs.setCurrentIndex(i)
        window.redraw()
        widths[window.chart_tabs.tabText(i)] = window.minimumSizeHint().width()
    # A laptop screen: the window with every view, the best panel and its advice must fit it.
    assert max(widths.values()) <= 1366, widths


def test_a_data_folder_that_cannot_be_written_is_a_message_not_the_crash_dialog(qtbot, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("HPGUI_DATA_DIR", str(blocker / "data"))  # before the window starts its search process
    window = MainWindow()
    window.confirm = lambda title, text: True
    qtbot.addWidget(window)
    window.show()
    shutil_copy = __import__("shutil").copy
    shutil_copy(ROOT / "resources" / "examples" / "iris.csv", tmp_path / "iris.csv")
    load(qtbot, window, tmp_path / "iris.csv", target="species")
    pick_model(window, "decision_tree")
    set_trials(window, 3)
    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_TIMEOUT_MS) as finished:
        window.start_search()
    assert finished.args == ["invalid"]
    title, text = window.messages[-1]
    assert title == "The search could not start"
    assert str(blocker / "data") in text and "HPGUI_DATA_DIR" in text and "Traceback" not in text
    assert not any("unexpectedly" in t for t, _ in window.messages)
