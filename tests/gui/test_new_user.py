"""The window as a new user meets it (issue 13): honest defaults, a baseline, state that does not carry over,
room to read, a window that fits the screen."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hpgui.core.library import load_study

from test_main_window import SEARCH_TIMEOUT_MS, load, pick_model, set_trials  # noqa: F401


def run(qtbot, window):
    assert window.actions.start.isEnabled(), window.problems
    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_TIMEOUT_MS):
        window.start_search()


@pytest.fixture
def id_last_csv(tmp_path):
    """A file whose last column is a text ID (every other row shares one), the target is in the middle."""
    rng = np.random.default_rng(0)
    n = 600
    frame = pd.DataFrame({
        "age": rng.integers(18, 90, n), "dose": rng.normal(size=n),
        "outcome": rng.choice(["alive", "dead"], n),
        "visit": pd.date_range("2020-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
        "record": [f"R{i // 2:05d}x" for i in range(n)],  # 300 distinct text ids
    })
    path = tmp_path / "records.csv"
    frame.to_csv(path, index=False)
    return path


def test_target_never_defaults_to_an_id_or_a_date(qtbot, window, id_last_csv):
    load(qtbot, window, id_last_csv)
    panel = window.data_panel
    profiles = panel.dataset.profiles
    assert profiles["record"].kind in ("id", "text") and profiles["visit"].kind == "datetime"
    assert panel.target() == "outcome"
    assert window.binding.current_task() == "classification"


def test_a_message_lists_at_most_a_few_classes(qtbot, window, id_last_csv):
    load(qtbot, window, id_last_csv)
    window.data_panel.set_target("record")  # the user picks the ID anyway: 300 classes of two rows
    window.validate()
    texts = " ".join(str(p.message) for p in window.problems) + window.data_panel.dataMessage.text()
    assert "… and 29" in texts, texts[:500]
    assert texts.count("has 2 rows") <= 8


def test_baseline_on_history_and_in_the_best_panel(qtbot, window, survey_csv):
    load(qtbot, window, survey_csv, target="answer")
    pick_model(window, "decision_tree")
    window.search_panel.metric_combo.setCurrentIndex(window.search_panel.metric_combo.findData("accuracy"))
    set_trials(window, 6)
    run(qtbot, window)
    baseline = window.session.baseline
    assert baseline is not None and baseline.strategy == "prior"
    assert baseline.value == pytest.approx(189 / 236, abs=0.02)
    assert window.history.baseline_value() == pytest.approx(baseline.value)
    text = window.best_panel.baseline_text()
    assert "always guessing the majority class (Accuracy" in text
    best = window.store.best.value
    gain = best - baseline.value
    warned = gain <= max(baseline.std, window.store.best.std or 0)
    assert text.startswith("⚠ ") == warned
    assert ("the same as" if abs(gain) < 5e-7 else ("+" if gain > 0 else "−")) in text

    # Reopened from storage, the study shows the same line.
    name = window.study_name
    window.session.clear()
    assert window.history.baseline_value() is None and window.best_panel.baseline_text() == ""
    window.session.show_loaded(load_study(None, name), None, data_follows=False)
    assert window.history.baseline_value() == pytest.approx(baseline.value)
    assert window.best_panel.baseline_text() == text


def test_compared_models_do_not_carry_over_to_the_next_dataset(qtbot, window, survey_csv, id_last_csv):
    from hpgui.gui.window.model_panel import DEFAULT_MODEL

    load(qtbot, window, survey_csv, target="answer")
    panel = window.model_panel
    pick_model(window, "decision_tree")
    panel.compare_list.set_checked(["knn"])
    window.search_panel.metric_combo.setCurrentIndex(window.search_panel.metric_combo.findData("f1_macro"))
    window.validate()
    assert window.binding.build_setup().models == ("decision_tree", "knn")

    load(qtbot, window, id_last_csv)
    assert panel.compare_list.checked() == []
    assert panel.model() == DEFAULT_MODEL["classification"]
    assert window.search_panel.metric() == "accuracy"
    assert window.binding.build_setup().models == (DEFAULT_MODEL["classification"],)


@pytest.fixture
def wide_csv(tmp_path):
    """Long column names, a long file name, thousands of rows and a text ID: everything that widened the
    window before its rooms were bounded."""
    rng = np.random.default_rng(2)
    n = 5000
    frame = pd.DataFrame({f"a_rather_long_measurement_name_number_{i}_in_units": rng.normal(size=n)
                          for i in range(14)})
    frame["site"] = rng.choice([f"site with a long name {i}" for i in range(30)], n)
    frame["label"] = rng.choice(["low", "medium", "high"], n)
    frame["record_identifier"] = [f"R{i:07d}-{i % 97:02d}" for i in range(n)]
    path = tmp_path / "a-spreadsheet-export-with-a-very-long-file-name-from-the-lab-2024.csv"
    frame.to_csv(path, index=False)
    return path


def _fits(window, where, limit=(1280, 720)):
    hint, minimum = window.minimumSizeHint(), window.minimumSize()
    width, height = max(hint.width(), minimum.width()), max(hint.height(), minimum.height())
    assert width <= limit[0] and height <= limit[1], f"{where}: minimum {width}x{height}"


def test_the_window_minimum_stays_within_1280_by_720(qtbot, window, penguins_csv, id_last_csv, survey_csv,
                                                      wide_csv):
    import random

    from hpgui.core.metrics import get_metric
    from hpgui.core.records import TrialRecord
    from hpgui.core.session import StudyContext, StudyRef
    from hpgui.core.space import Hyperparameter

    _fits(window, "empty window")
    space = {"min_samples_leaf_with_a_long_name": Hyperparameter("int", 1, 300, log=True),
             "learning_rate": Hyperparameter("float", 0.001, 10.0, log=True),
             "max_depth": Hyperparameter("int", 2, 6), "criterion": Hyperparameter("categorical",
                                                                                   choices=("gini", "entropy"))}
    rng = random.Random(0)
    for path, target in ((penguins_csv, "species"), (id_last_csv, None), (survey_csv, "answer"), (wide_csv, None)):
        load(qtbot, window, path, target=target)
        _fits(window, f"{path.name} loaded")
        if path is id_last_csv:
            window.data_panel.set_target("record")  # hundreds of classes in the message
            window.validate()
            _fits(window, "an ID as target")
        for i in range(window.setup_tabs.count()):
            window.setup_tabs.setCurrentIndex(i)
            qtbot.wait(10)
            _fits(window, f"{path.name}, setup tab {window.setup_tabs.tabText(i)}")
        records = [TrialRecord(i, "complete" if i % 7 else "failed", 0.5 + rng.random() / 2,
                               {"min_samples_leaf_with_a_long_name": rng.randint(1, 300),
                                "learning_rate": 10 ** rng.uniform(-3, 1), "max_depth": rng.randint(2, 6),
                                "criterion": rng.choice(["gini", "entropy"])},
                               std=0.01, folds=[0.5, 0.6, 0.7], train_score=1.0, worker=f"host:{i % 3}",
                               error=None if i % 7 else "ValueError: " + "a long error message " * 20)
                   for i in range(60)]
        window.session.show(StudyRef(f"a-long-study-name-for-{path.stem}-with-several-models-compared"),
                            StudyContext(tuple(space), space, get_metric("balanced_accuracy")), records)
        window.session.say(f"A very long status line about {path.name} " * 6)
        for i in range(window.chart_tabs.count()):
            window.chart_tabs.setCurrentIndex(i)
            window.redraw()
            qtbot.wait(10)
            _fits(window, f"{path.name}, view {window.chart_tabs.tabText(i)}")
    window.resize(1280, 720)
    qtbot.wait(50)
    assert window.width() <= 1280 and window.height() <= 720
    # The Export button stays reachable: inside the window, not cut off to its right.
    button = window.best_panel.export_button
    right = button.mapTo(window, button.rect().topRight()).x()
    assert right <= window.width()


def test_the_data_tab_flags_a_feature_that_gives_the_target_away(qtbot, window, tmp_path):
    rng = np.random.default_rng(5)
    n = 800
    dead = rng.random(n) < 0.3
    frame = pd.DataFrame({"age": rng.normal(60, 10, n), "severity": np.where(dead, "S4", rng.choice(["S1", "S2"], n)),
                          "outcome": np.where(dead, "dead", "alive")})
    path = tmp_path / "icu.csv"
    frame.to_csv(path, index=False)
    load(qtbot, window, path, target="outcome")
    qtbot.waitUntil(lambda: bool(window.leak_check.last), timeout=60_000)
    assert [h.column for h in window.leak_check.last] == ["severity"]
    qtbot.waitUntil(lambda: "Possible leak: 'severity'" in window.data_panel.dataMessage.text(), timeout=5_000)
    # Without the column, nothing is flagged.
    window.data_panel.set_selection("outcome", ["age"], None)
    qtbot.waitUntil(lambda: "Possible leak" not in window.data_panel.dataMessage.text(), timeout=60_000)
    qtbot.waitUntil(lambda: not window.leak_check.task.busy, timeout=60_000)
    assert window.leak_check.last == []


def test_room_to_read(qtbot, window, penguins_csv, tmp_path, monkeypatch):
    from PySide6.QtCore import Qt

    from hpgui.core.metrics import get_metric
    from hpgui.core.records import TrialRecord
    from hpgui.core.session import StudyContext, StudyRef
    from hpgui.core.space import Hyperparameter
    from hpgui.gui.folder_dialog import FolderDialog

    load(qtbot, window, penguins_csv, target="species")
    space = {"min_samples_leaf": Hyperparameter("int", 1, 20), "max_features": Hyperparameter("float", 0.1, 1.0)}
    records = [TrialRecord(0, "complete", 0.9, {"min_samples_leaf": 2, "max_features": 0.5}, model="random_forest"),
               TrialRecord(1, "complete", 0.8, {"min_samples_leaf": 3, "max_features": 0.5}, model="knn"),
               TrialRecord(2, "failed", None, {"min_samples_leaf": 4, "max_features": 0.5},
                           error="Interrupted: the search was stopped while this trial ran")]
    window.session.show(StudyRef("room"), StudyContext(tuple(space), space, get_metric("accuracy")), records)
    window.redraw()

    # Whole parameter names in the table's headers.
    table, header = window.table, window.table.horizontalHeader()
    for section in range(table.model().columnCount() - 1):
        text = str(table.model().headerData(section, Qt.Orientation.Horizontal))
        assert header.sectionSize(section) >= header.fontMetrics().horizontalAdvance(text), text
    # A trial cut off by Stop reads "stopped", not a red "failed".
    state = table.model().index(table.source.row_of_number(2), 1)
    assert state.data() == "stopped"
    # The trial table gets room for more than a handful of rows.
    window.reset_layout()
    qtbot.wait(20)
    assert table.height() >= 8 * table.verticalHeader().defaultSectionSize()

    # Multi-model History colours each model's points.
    window.chart_tabs.setCurrentWidget(window.history)
    window.redraw()
    colours = window.history.model_colours()
    assert set(colours) == {"random_forest", "knn"} and len(set(colours.values())) == 2

    # Save Setup suggests a name from the data and the model.
    assert window.opener.setup_name() == f"penguins-{window.model_panel.model()}-setup.json"

    # The export-folder dialog takes a new folder's name, and makes it.
    dialog = FolderDialog(window, "Export into folder", str(tmp_path), "penguins-export")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.accept()
    assert (tmp_path / "penguins-export").is_dir() and dialog.selectedFiles()[0].endswith("penguins-export")

    # The View menu: panels to hide and a way back.
    actions = window.actions
    actions.panel_table.trigger()
    assert not window.table.isVisibleTo(window)
    actions.reset_layout.trigger()
    assert window.table.isVisibleTo(window) and actions.panel_table.isChecked()

    # Arrow keys move between the views.
    picker = window.chart_tabs.picker
    picker.setFocus()
    first = window.chart_tabs.currentIndex()
    qtbot.keyClick(picker, Qt.Key.Key_Down)
    assert window.chart_tabs.currentIndex() != first


def test_axes_hold_only_what_the_data_can_be(qtbot):
    from hpgui.core.metrics import get_metric
    from hpgui.core.records import TrialRecord
    from hpgui.core.trials import TrialStore
    from hpgui.gui.views import FoldsView, HistoryChart

    metric = get_metric("balanced_accuracy")
    store = TrialStore("maximize", ["C"])
    store.add([TrialRecord(i, "complete", min(1.0, 0.9 + i / 100), {"C": 1.0}, std=0.2, folds=[0.6, 1.0, 1.0])
               for i in range(30)])
    history = HistoryChart()
    qtbot.addWidget(history)
    history.resize(700, 400)
    history.show()
    history.set_context({}, metric)
    history.set_trial_budget(30)
    history.refresh(store)
    (x_low, x_high), (y_low, y_high) = history._plot.getViewBox().viewRange()
    assert x_high <= 30.5, "30 trials: the trial axis ends at the last one, not at 42"
    assert y_high <= 1.03 + 1e-9, "balanced accuracy cannot pass 1"
    assert history._plot.getViewBox().state["limits"]["yLimits"] == pytest.approx([-0.03, 1.03])

    folds = FoldsView()
    qtbot.addWidget(folds)
    folds.resize(700, 400)
    folds.show()
    folds.set_context({}, metric)
    folds.refresh(store)
    assert folds.plot.getViewBox().viewRange()[1][1] <= 1.03 + 1e-9
    assert folds.plot.getViewBox().state["limits"]["yLimits"] == pytest.approx([-0.03, 1.03])
    # A metric without bounds leaves the axis free.
    folds.set_context({}, get_metric("rmse"))
    assert folds.plot.getViewBox().state["limits"]["yLimits"] == pytest.approx([-0.03, None]) or \
        folds.plot.getViewBox().state["limits"]["yLimits"][1] is None


def test_date_parts_are_offered_and_reach_the_search(qtbot, window, id_last_csv):
    from hpgui.core.runner import Search

    load(qtbot, window, id_last_csv, target="outcome")
    roles = window.data_panel.rolesBox
    assert window.binding.build_setup().data.dates is None
    roles.set_date_parts("visit", ["year", "day_of_week"])
    setup = window.binding.build_setup()
    assert dict(setup.data.dates) == {"visit": ("year", "day_of_week")}
    search = Search(setup)
    assert search.data.dates == {"visit": ("year", "day_of_week")}
    # A saved setup brings its parts back; a new file starts with none chosen.
    path = id_last_csv.with_name("with-dates.json")
    setup.save(path)
    load(qtbot, window, id_last_csv, target="outcome")
    assert not window.data_panel.dates()
    with qtbot.waitSignal(window.data_panel.datasetLoaded, timeout=60_000):
        window.open_setup(path)
    assert dict(window.data_panel.dates()) == {"visit": ("year", "day_of_week")}