"""Real local data in the window: workbook sheets and header rows, weight / group / time-order columns,
date parts, the validation methods they allow, the default metric's reason, and setups that keep it all."""

from __future__ import annotations

import csv
import json

import numpy as np
import optuna
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from hpgui.cli import main as cli_main
from hpgui.core.roles import DATE_PARTS
from hpgui.core.setup import SearchSetup
from hpgui.core.storage import open_storage

LOAD_MS = 60_000
SEARCH_MS = 240_000


def _frame(n: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    patient = np.repeat(np.arange(n // 6), 6)
    effect = rng.normal(size=n // 6)[patient]  # what a patient shares: random folds leak it
    x = rng.normal(size=n)
    return pd.DataFrame({
        "row_id": [f"R{i:05d}" for i in range(n)],
        "patient": patient,
        "visit": pd.date_range("2024-01-01", periods=n, freq="D"),
        "x": x.round(4),
        "noise": rng.normal(size=n).round(4),
        "w": rng.uniform(0.5, 2.0, size=n).round(3),
        "y": np.where(x + effect + rng.normal(scale=0.5, size=n) > 0, "yes", "no"),
    })


@pytest.fixture
def workbook(tmp_path):
    """A cover sheet with a title, and a data sheet whose header is in row 3 under two note rows."""
    path = tmp_path / "visits.xlsx"
    frame = _frame()
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({"About": ["Visits of 20 patients", "exported 2024-05-01"]}).to_excel(
            book, sheet_name="Cover", index=False)
        notes = pd.DataFrame([["Clinic visits"] + [None] * (frame.shape[1] - 1), [None] * frame.shape[1]])
        notes.to_excel(book, sheet_name="Visits", index=False, header=False)
        frame.to_excel(book, sheet_name="Visits", index=False, startrow=2)
    return path


@pytest.fixture
def visits_csv(tmp_path):
    path = tmp_path / "visits.csv"
    _frame().to_csv(path, index=False)
    return path


def _open(qtbot, window, path):
    with qtbot.waitSignal(window.data_panel.datasetLoaded, timeout=LOAD_MS):
        window.open_csv(path)
    window.validate()


def _reread(qtbot, panel, act):
    with qtbot.waitSignal(panel.datasetLoaded, timeout=LOAD_MS):
        act()


def _choose(combo, value):
    """Pick ``value`` the way a user does: the item is activated."""
    index = combo.findData(value)
    assert index >= 0, f"{value!r} is not offered by {combo.objectName()}"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def _method_enabled(panel, method):
    combo = panel.method_combo
    return combo.model().item(combo.findData(method)).isEnabled()


def _method_tip(panel, method):
    combo = panel.method_combo
    return combo.itemData(combo.findData(method), Qt.ItemDataRole.ToolTipRole)


# ----------------------------------------------------------------------------- 1 sheets and header rows


def test_a_workbook_offers_its_sheets_and_header_row_and_reads_again_on_change(qtbot, window, workbook):
    window.resize(1366, 768)
    _open(qtbot, window, workbook)
    panel, bar = window.data_panel, window.data_panel.sheetBar
    assert bar.isVisible()
    assert [bar.sheetCombo.itemText(i) for i in range(bar.sheetCombo.count())] == ["Cover", "Visits"]
    assert panel.sheet() == "Cover" and list(panel.dataset.profiles) == ["About"]

    _reread(qtbot, panel, lambda: _choose(bar.sheetCombo, "Visits"))
    assert panel.sheet() == "Visits"
    assert list(panel.dataset.profiles) == ["row_id", "patient", "visit", "x", "noise", "w", "y"]
    assert panel.dataset.rows == 120 and panel.header_row() is None
    assert bar.detectedLabel.text() == "(found: row 3)"  # detected under the two note rows
    assert window.width() <= 1366  # reading another sheet does not push the window past a laptop screen

    # Choosing the header row by hand reads from there: row 4 is the first data row, so the names are values.
    _reread(qtbot, panel, lambda: bar.headerSpin.setValue(4))
    assert panel.header_row() == 4 and panel.dataset.rows == 119 and "R00000" in panel.dataset.profiles
    _reread(qtbot, panel, lambda: bar.headerSpin.setValue(0))  # back to "detect"
    assert bar.headerSpin.text() == "detect" and panel.header_row() is None and "row_id" in panel.dataset.profiles

    # A header row under the table is a clear message; the table read before stays.
    with qtbot.waitSignal(panel.loadFailed, timeout=LOAD_MS) as failed:
        bar.headerSpin.setValue(500)
    assert "no data rows below row 500" in failed.args[1] and "damaged" not in failed.args[1]
    assert panel.dataMessage.isVisible() and "header row inside the table" in panel.dataMessage.text()
    assert panel.dataset.rows == 120


def test_a_csv_shows_no_sheet_choice(qtbot, window, visits_csv):
    _open(qtbot, window, visits_csv)
    assert not window.data_panel.sheetBar.isVisible()
    assert window.data_panel.sheet() is None and window.binding.build_setup().data.sheet is None


# ----------------------------------------------------------------------------- 2 column roles and their checks


def test_weight_group_and_order_pickers_with_the_cores_checks(qtbot, window, tmp_path):
    frame = _frame()
    frame["bad_w"] = frame["w"]
    frame.loc[7, "bad_w"] = -1.5
    path = tmp_path / "weights.csv"
    frame.to_csv(path, index=False)
    _open(qtbot, window, path)
    panel, roles = window.data_panel, window.data_panel.rolesBox
    panel.set_target("y")
    # Only numbers are offered as weights; the target is offered for no part.
    weights = [roles.combos["weight"].itemData(i) for i in range(roles.combos["weight"].count())]
    assert "bad_w" in weights and "row_id" not in weights and "y" not in weights

    _choose(roles.combos["weight"], "bad_w")
    problems = window.validate()
    assert any(p.field == "data.weight" and "negative" in p.message for p in problems)
    assert roles.problemLabel.isVisible() and "bad_w" in roles.problemLabel.text()
    assert "-1.5" in roles.problemLabel.text() and "negative" in roles.combos["weight"].toolTip()
    assert not window.actions.start.isEnabled()
    assert "bad_w" not in panel.features()  # a weight weighs rows; it is no feature

    _choose(roles.combos["weight"], "w")
    assert window.validate() == [] and not roles.problemLabel.isVisible()
    assert window.actions.start.isEnabled()

    # A model whose fit takes no sample weights: the setup's own check, said under the pickers.
    models = window.model_panel.model_combo
    current = models.currentData()
    models.setCurrentIndex(models.findData("knn"))
    problems = window.validate()
    assert any(p.field == "data.weight" and "cannot weigh rows" in p.message for p in problems)
    assert "cannot weigh rows" in roles.problemLabel.text() and not window.actions.start.isEnabled()
    models.setCurrentIndex(models.findData(current))
    assert window.validate() == []

    # Too few groups for the folds: said next to the group picker, with the fix.
    window.search_panel.folds_spin.setValue(25)
    _choose(roles.combos["group"], "patient")
    window.search_panel.method_combo.setCurrentIndex(window.search_panel.method_combo.findData("group_kfold"))
    problems = window.validate()
    assert any(p.field == "evaluation.group" and "20 groups, fewer than the 25 folds" in p.message for p in problems)
    assert "Lower the folds" in roles.problemLabel.text()
    window.search_panel.folds_spin.setValue(5)
    assert window.validate() == []
    assert "patient" not in panel.features()

    # Picking the target's column as the group clears the group: one column plays one part.
    panel.set_target("patient")
    assert roles.group() is None


# ----------------------------------------------------------------------------- 3 validation methods


def test_validation_methods_follow_the_columns_picked(qtbot, window, visits_csv):
    _open(qtbot, window, visits_csv)
    panel, search, roles = window.data_panel, window.search_panel, window.data_panel.rolesBox
    panel.set_target("y")
    methods = [search.method_combo.itemData(i) for i in range(search.method_combo.count())]
    assert methods == ["kfold", "repeated_kfold", "holdout", "group_kfold", "stratified_group_kfold", "time_series"]
    for method in ("group_kfold", "stratified_group_kfold", "time_series"):
        assert not _method_enabled(search, method)
    assert "Choose a group column in the Data tab" in _method_tip(search, "group_kfold")
    assert "Choose a time-order column" in _method_tip(search, "time_series")
    assert "stratified" in _method_tip(search, "kfold").lower()  # k-fold stratifies a class target

    _choose(roles.combos["group"], "patient")
    assert _method_enabled(search, "group_kfold") and _method_enabled(search, "stratified_group_kfold")
    assert not _method_enabled(search, "time_series")
    _select_method(search, "stratified_group_kfold")
    assert search.evaluation().group == "patient" and search.evaluation().order is None
    assert window.validate() == []

    # Regression has no classes to stratify: that method is disabled and says why.
    panel.set_target("x")
    assert window.binding.current_task() == "regression"
    assert not _method_enabled(search, "stratified_group_kfold") and _method_enabled(search, "group_kfold")
    assert "for classification" in _method_tip(search, "stratified_group_kfold")
    assert any(p.field == "evaluation.method" for p in window.validate())

    panel.set_target("y")
    _choose(roles.combos["order"], "visit")
    assert _method_enabled(search, "time_series")
    gap = search._fields["evaluation.gap"]
    assert not gap.isVisibleTo(search)
    _select_method(search, "time_series")
    assert gap.isVisibleTo(search) and not search._fields["evaluation.shuffle"].isVisibleTo(search)
    search.gap_spin.setValue(3)
    spec = search.evaluation()
    assert (spec.method, spec.order, spec.gap, spec.group) == ("time_series", "visit", 3, None)
    assert window.validate() == []

    _choose(roles.combos["order"], None)  # the column removed while its method is chosen: a message, no crash
    problems = window.validate()
    assert any(p.field == "evaluation.order" for p in problems) and not window.actions.start.isEnabled()


def _select_method(search, method):
    search.method_combo.setCurrentIndex(search.method_combo.findData(method))


# ----------------------------------------------------------------------------- 4 and 6 dates, notes


def test_date_parts_per_column_and_notes_on_columns_left_out(qtbot, window, visits_csv):
    _open(qtbot, window, visits_csv)
    panel, roles = window.data_panel, window.data_panel.rolesBox
    panel.set_target("y")
    text = panel.dataMessage.text()
    assert "identifiers" in text and "'row_id'" in text
    assert "Date columns left out: 'visit'" in text
    assert "row_id" not in panel.features() and "visit" not in panel.features()

    button = roles.dateButtons["visit"]
    assert button.text() == "visit: ignored"
    actions = {a.data(): a for a in button.menu().actions() if a.isCheckable()}
    assert list(actions) == list(DATE_PARTS)
    assert actions["day_of_week"].toolTip() == DATE_PARTS["day_of_week"]
    actions["month"].trigger()
    actions["day_of_week"].trigger()
    assert panel.dates() == {"visit": ("month", "day_of_week")}
    assert button.text() == "visit: month, day of week"
    assert "Date columns left out" not in panel.dataMessage.text()
    setup = window.binding.build_setup()
    assert setup.data.dates == {"visit": ("month", "day_of_week")} and window.validate() == []

    ignore = [a for a in button.menu().actions() if a.data() == ""][0]
    ignore.trigger()
    assert panel.dates() == {} and button.text() == "visit: ignored"
    assert window.binding.build_setup().data.dates is None


def test_long_column_names_elide_instead_of_widening_the_window(qtbot, window, tmp_path):
    long = "measured_" + "very_long_" * 12 + "name"
    frame = _frame().rename(columns={"patient": long, "visit": long + "_date"})
    path = tmp_path / "long.csv"
    frame.to_csv(path, index=False)
    before = window.data_panel.minimumSizeHint().width()
    _open(qtbot, window, path)
    _choose(window.data_panel.rolesBox.combos["group"], long)
    window.data_panel.rolesBox.set_date_parts(long + "_date", ["year"])
    qtbot.wait(10)
    assert window.data_panel.minimumSizeHint().width() <= max(before, 520)
    assert len(window.data_panel.rolesBox.dateButtons[long + "_date"].text()) < 40


# ----------------------------------------------------------------------------- 5 metric default, class weights


def test_the_default_metric_for_an_imbalanced_target_says_why(qtbot, window, tmp_path):
    frame = _frame()
    frame["rare"] = ["fraud" if i % 12 == 0 else "ok" for i in range(len(frame))]
    path = tmp_path / "rare.csv"
    frame.to_csv(path, index=False)
    _open(qtbot, window, path)
    search = window.search_panel
    window.data_panel.set_target("rare")
    assert search.metric() == "balanced_accuracy"
    assert "strongly imbalanced" in search.metric_combo.toolTip() and "'fraud'" in search.metric_combo.toolTip()
    item_tip = search.metric_combo.itemData(search.metric_combo.findData("balanced_accuracy"),
                                            Qt.ItemDataRole.ToolTipRole)
    assert "The default here" in item_tip

    window.data_panel.set_target("y")  # near balance: accuracy, and why
    assert search.metric() == "accuracy" and "not far from balanced" in search.metric_combo.toolTip()

    _choose(search.metric_combo, "f1_macro")  # the user's pick stays over the default
    window.data_panel.set_target("rare")
    assert search.metric() == "f1_macro"
    assert "The default here" not in search.metric_combo.toolTip()


def test_class_weighting_is_a_searchable_choice_in_the_model_form(qtbot, window, visits_csv):
    _open(qtbot, window, visits_csv)
    window.data_panel.set_target("y")
    model_combo = window.model_panel.model_combo
    model_combo.setCurrentIndex(model_combo.findData("logistic_regression"))
    window.setup_tabs.setCurrentIndex(1)
    row = window.model_panel.space_form.row("class_weight")
    assert row is not None and row.isVisibleTo(window.model_panel)
    space = window.model_panel.space_form.space()
    assert space["class_weight"].type == "categorical" and "balanced" in space["class_weight"].choices
    assert "class" in row.toolTip().lower() or "class" in row.name_label.toolTip().lower()


# ----------------------------------------------------------------------------- 7 setups keep every key


def _choose_everything(qtbot, window, workbook):
    _open(qtbot, window, workbook)
    panel = window.data_panel
    _reread(qtbot, panel, lambda: _choose(panel.sheetBar.sheetCombo, "Visits"))
    _reread(qtbot, panel, lambda: panel.sheetBar.headerSpin.setValue(3))
    panel.set_target("y")
    roles = panel.rolesBox
    _choose(roles.combos["weight"], "w")
    _choose(roles.combos["order"], "visit")
    roles.set_date_parts("visit", ["year", "hour"])
    search = window.search_panel
    _select_method(search, "time_series")
    search.gap_spin.setValue(2)


def test_a_saved_setup_keeps_sheet_header_roles_dates_method_and_gap(qtbot, window, workbook, tmp_path):
    from hpgui.gui.main_window import MainWindow

    _choose_everything(qtbot, window, workbook)
    assert window.validate() == []
    path = tmp_path / "setup.json"
    window.opener.save_setup(path)
    saved = json.loads(path.read_text())
    assert {k: saved["data"].get(k) for k in ("sheet", "header_row", "weight", "dates")} == {
        "sheet": "Visits", "header_row": 3, "weight": "w", "dates": {"visit": ["year", "hour"]}}
    assert (saved["evaluation"]["method"], saved["evaluation"]["order"], saved["evaluation"]["gap"]) == \
        ("time_series", "visit", 2)

    other = MainWindow()
    other.confirm = lambda title, text: True
    qtbot.addWidget(other)
    with qtbot.waitSignal(other.data_panel.datasetLoaded, timeout=LOAD_MS):
        other.open_setup(path)
    other.validate()
    assert other.data_panel.sheet() == "Visits" and other.data_panel.header_row() == 3
    assert other.data_panel.sheetBar.headerSpin.value() == 3
    assert other.data_panel.weight() == "w" and other.data_panel.order() == "visit"
    assert other.data_panel.rolesBox.dateButtons["visit"].text() == "visit: year, hour"
    assert other.search_panel.gap_spin.value() == 2
    again = other.binding.build_setup().to_json()
    assert again["evaluation"] == saved["evaluation"]
    assert {**again["data"], "path": None} == {**saved["data"], "path": None}  # the file saves its path relative
    assert again["data"]["path"] == str(workbook.resolve())

    # And a group setup, through the same round trip.
    roles = other.data_panel.rolesBox
    _choose(roles.combos["order"], None)
    _choose(roles.combos["group"], "patient")
    _select_method(other.search_panel, "stratified_group_kfold")
    other.search_panel.shuffle_box.setChecked(False)
    assert other.validate() == []
    other.opener.save_setup(path)
    loaded = SearchSetup.load(path)
    assert (loaded.evaluation.method, loaded.evaluation.group, loaded.evaluation.gap, loaded.evaluation.shuffle) \
        == ("stratified_group_kfold", "patient", 0, False)
    with qtbot.waitSignal(window.data_panel.datasetLoaded, timeout=LOAD_MS):
        window.open_setup(path)
    window.validate()
    assert window.data_panel.group() == "patient" and window.data_panel.order() is None
    assert window.binding.build_setup().to_json()["evaluation"] == loaded.to_json()["evaluation"]


# ----------------------------------------------------------------------------- a search with group folds


def test_a_group_fold_search_from_the_window_scores_as_the_cli_does(qtbot, window, visits_csv, tmp_path):
    _open(qtbot, window, visits_csv)
    panel, search = window.data_panel, window.search_panel
    panel.set_target("y")
    _choose(panel.rolesBox.combos["group"], "patient")
    _choose(panel.rolesBox.combos["weight"], "w")
    _select_method(search, "group_kfold")
    search.folds_spin.setValue(4)
    model_combo = window.model_panel.model_combo
    model_combo.setCurrentIndex(model_combo.findData("decision_tree"))
    search.trials_box.setChecked(True)
    search.trials_spin.setValue(4)
    assert window.validate() == [], window.problems
    setup_path = tmp_path / "group.json"
    window.opener.save_setup(setup_path)

    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_MS):
        window.actions.start.trigger()
    gui_study = optuna.load_study(study_name=window.study_name, storage=open_storage(None, window.study_name))
    gui = [(t.params, t.value) for t in sorted(gui_study.trials, key=lambda t: t.number)]
    assert len(gui) == 4 and all(v is not None for _, v in gui)

    out = tmp_path / "cli-out"
    assert cli_main(["run", str(setup_path), "--out", str(out), "--study", "cli-group", "--quiet"]) == 0
    cli_study = optuna.load_study(study_name="cli-group", storage=open_storage(None, "cli-group"))
    cli = [(t.params, t.value) for t in sorted(cli_study.trials, key=lambda t: t.number)]
    assert [p for p, _ in cli] == [p for p, _ in gui]  # same seed, same sampler: the same configurations
    assert [v for _, v in cli] == pytest.approx([v for _, v in gui], abs=1e-12)
    best = json.loads((out / "best.json").read_text())
    assert best["score"] == pytest.approx(gui_study.best_value, abs=1e-12)
    with open(out / "trials.csv", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 4
