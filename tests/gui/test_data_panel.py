"""DataPanel: background loading, the preview and column models, target / task / feature choice."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QTableView, QToolButton

import hpgui.gui.data_panel as data_panel_module
from hpgui.core.dataset import DatasetError, read_table
from hpgui.gui.data_panel import ColumnListModel, DataFrameModel, DataPanel, load_dataset
from tests_support import EXAMPLES

PENGUINS = EXAMPLES / "penguins.csv"
DISPLAY, TOOLTIP, FOREGROUND, USER = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                                      Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.UserRole)
LOAD_TIMEOUT = 60_000


@pytest.fixture
def panel(qtbot):
    widget = DataPanel()
    qtbot.addWidget(widget)  # closed at teardown: closeEvent -> shutdown()
    yield widget
    widget.shutdown()


def load(qtbot, panel: DataPanel, path) -> object:
    with qtbot.waitSignal(panel.datasetLoaded, timeout=LOAD_TIMEOUT) as blocker:
        panel.load(path)
    return blocker.args[0]


def load_failing(qtbot, panel: DataPanel, path) -> tuple[str, str]:
    with qtbot.waitSignal(panel.loadFailed, timeout=LOAD_TIMEOUT) as blocker:
        panel.load(path)
    return tuple(blocker.args)


def column_row(model: ColumnListModel, name: str) -> int:
    return model.row_of(name)


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    """300,000 rows: large enough that reading and profiling take a noticeable while."""
    rng = np.random.default_rng(7)
    n = 300_000
    frame = pd.DataFrame({
        "x1": rng.normal(size=n).round(4),
        "x2": rng.integers(0, 1000, size=n),
        "colour": rng.choice(["red", "green", "blue"], size=n),
        "y": rng.normal(size=n).round(3),
    })
    path = tmp_path_factory.mktemp("big") / "big.csv"
    frame.to_csv(path, index=False)
    return path


# ----------------------------------------------------------------------------- loading


def test_loading_penguins_fills_both_views(qtbot, panel):
    states = []
    panel.loadingChanged.connect(states.append)
    dataset = load(qtbot, panel, PENGUINS)

    assert states == [True, False]
    assert not panel.is_loading()
    assert panel.dataset is dataset
    assert dataset.rows == 344
    preview, columns = panel.previewModel, panel.columnModel
    assert panel.findChild(QTableView, "previewTable").model() is preview
    assert panel.findChild(QTableView, "columnList").model() is columns
    assert (preview.rowCount(), preview.columnCount()) == (344, 8)
    assert (columns.rowCount(), columns.columnCount()) == (8, 5)

    for name, profile in dataset.profiles.items():
        row = column_row(columns, name)
        assert columns.index(row, ColumnListModel.NAME).data(DISPLAY) == name
        assert columns.index(row, ColumnListModel.KIND).data(DISPLAY) == profile.kind
        assert columns.index(row, ColumnListModel.MISSING).data(USER) == profile.missing
        assert columns.index(row, ColumnListModel.DISTINCT).data(USER) == profile.distinct
    sex = column_row(columns, "sex")
    assert dataset.profiles["sex"].missing == 11
    assert columns.index(sex, ColumnListModel.MISSING).data(DISPLAY) == "11"
    assert columns.index(column_row(columns, "bill_length_mm"), ColumnListModel.MISSING).data(DISPLAY) == "2"

    # the default target is the last column; everything else usable is a feature
    assert panel.target() == "year"
    assert panel.features() == ["species", "island", "bill_length_mm", "bill_depth_mm",
                                "flipper_length_mm", "body_mass_g", "sex"]
    assert panel.task() == "classification" and panel.task_is_inferred()
    assert panel.fileLabel.text() == "penguins.csv"
    assert "344 rows × 8 columns" in panel.infoLabel.text()
    assert panel.findChild(QComboBox, "targetCombo").currentText() == "year"
    assert panel.targetCombo.isEnabled()


def test_the_target_row_shows_target_and_cannot_be_ticked(qtbot, panel):
    load(qtbot, panel, PENGUINS)
    columns = panel.columnModel
    panel.set_target("species")
    row = column_row(columns, "species")
    use = columns.index(row, ColumnListModel.USE)
    assert use.data(DISPLAY) == "target"
    assert use.data(Qt.ItemDataRole.CheckStateRole) is None
    assert not columns.flags(use) & Qt.ItemFlag.ItemIsUserCheckable
    assert columns.index(row, ColumnListModel.NAME).data(Qt.ItemDataRole.FontRole).bold()
    assert not columns.setData(use, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert "species" not in panel.features()

    island = columns.index(column_row(columns, "island"), ColumnListModel.USE)
    assert columns.flags(island) & Qt.ItemFlag.ItemIsUserCheckable
    assert island.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    with qtbot.waitSignal(panel.selectionChanged):
        assert columns.setData(island, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert "island" not in panel.features()
    assert panel.featureCountLabel.text() == "Features: 6 of 7"

    # the keyboard toggles a tick too
    panel.show()
    panel.columnList.setFocus()
    panel.columnList.setCurrentIndex(island)
    with qtbot.waitSignal(panel.selectionChanged):
        qtbot.keyClick(panel.columnList, Qt.Key.Key_Space)
    assert "island" in panel.features()


# ----------------------------------------------------------------------------- the preview model


def test_dataframe_model_formats_the_cells_it_is_asked_for():
    frame = read_table(PENGUINS).frame
    model = DataFrameModel()
    model.set_frame(frame)
    cell = lambda r, c, role=DISPLAY: model.data(model.index(r, c), role)  # noqa: E731

    assert (model.rowCount(), model.columnCount()) == (344, 8)
    assert cell(0, 0) == "Adelie"
    assert cell(0, 2) == "39.1"
    assert cell(0, 5) == "3750"  # body_mass_g is float64 in the file (it has missing values)
    assert cell(0, 7) == "2007"
    # row 4 of the file (index 3) is missing everything but species, island and year
    assert cell(3, 2) == ""
    assert cell(3, 2, TOOLTIP) == "missing"
    assert isinstance(cell(3, 2, FOREGROUND), QColor)
    assert cell(3, 6) == ""  # a missing text cell (sex)
    assert cell(3, 6, TOOLTIP) == "missing"
    assert cell(0, 2, TOOLTIP) is None and cell(0, 2, FOREGROUND) is None
    assert cell(0, 2, Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert model.headerData(0, Qt.Orientation.Horizontal) == "species"
    assert model.headerData(0, Qt.Orientation.Vertical) == "1"
    assert model.headerData(343, Qt.Orientation.Vertical) == "344"
    assert not model.index(0, 0).flags() & Qt.ItemFlag.ItemIsEditable

    dates = pd.to_datetime(["2024-05-01", None, "2024-05-02 10:30", "2024-05-03"], format="ISO8601")
    model.set_frame(pd.DataFrame({"f": [1 / 3, 123456789.0, 1e-7, np.nan], "b": [True, False, None, True],
                                  "d": dates}))
    assert [cell(r, 0) for r in range(4)] == ["0.333333", "1.23457e+08", "1e-07", ""]
    assert cell(0, 1) == "True" and cell(2, 1) == ""
    assert cell(0, 2) == "2024-05-01" and cell(1, 2) == ""  # midnight shown as a date
    assert cell(2, 2) == "2024-05-02 10:30:00"

    model.set_frame(None)
    assert (model.rowCount(), model.columnCount()) == (0, 0)


def test_dataframe_model_is_instant_for_a_million_rows():
    n = 1_000_000
    frame = pd.DataFrame({"a": np.arange(n, dtype="float64") / 7, "b": np.arange(n),
                          "s": pd.Series(["x", "y"] * (n // 2), dtype="str")})
    model = DataFrameModel()
    start = time.perf_counter()
    model.set_frame(frame)
    for row in (0, 1, n // 2, n - 1):
        for col in range(3):
            model.data(model.index(row, col))
    elapsed = time.perf_counter() - start
    assert model.rowCount() == n
    assert model.data(model.index(n - 1, 1)) == str(n - 1)
    assert model.data(model.index(n - 1, 2)) == "y"
    assert elapsed < 0.25, f"set_frame + 12 cells took {elapsed:.3f} s"


# ----------------------------------------------------------------------------- target, task, features


def test_picking_a_target_updates_features_and_task(qtbot, panel):
    load(qtbot, panel, PENGUINS)
    with qtbot.waitSignal(panel.selectionChanged):
        panel.set_target("species")
    assert panel.target() == "species"
    assert "species" not in panel.features()
    assert "year" in panel.features()  # the old target becomes a ticked feature
    assert panel.task() == "classification" and panel.task_is_inferred()

    # through the combo box, as a user does it
    combo = panel.targetCombo
    index = combo.findText("body_mass_g")
    with qtbot.waitSignal(panel.selectionChanged):
        combo.setCurrentIndex(index)
        combo.activated.emit(index)
    assert panel.target() == "body_mass_g"
    assert panel.task() == "regression" and panel.task_is_inferred()
    assert "body_mass_g" not in panel.features() and "species" in panel.features()
    assert panel.taskCombo.currentText() == "regression"
    assert panel.inferredLabel.isVisibleTo(panel) and not panel.resetTaskButton.isVisibleTo(panel)

    panel.set_target(None)
    assert panel.target() is None and panel.task() == "clustering"
    assert "body_mass_g" in panel.features()
    with pytest.raises(ValueError):
        panel.set_target("no such column")


def test_a_task_override_sticks_when_the_target_changes(qtbot, panel):
    load(qtbot, panel, PENGUINS)
    panel.set_target("species")
    combo = panel.taskCombo
    with qtbot.waitSignal(panel.selectionChanged):
        combo.setCurrentIndex(combo.findText("clustering"))
        combo.activated.emit(combo.findText("clustering"))
    assert panel.task() == "clustering" and not panel.task_is_inferred()
    assert panel.resetTaskButton.isVisibleTo(panel) and not panel.inferredLabel.isVisibleTo(panel)

    panel.set_target("body_mass_g")  # would infer regression
    assert panel.task() == "clustering" and not panel.task_is_inferred()
    panel.set_target("island")
    assert panel.task() == "clustering"

    with qtbot.waitSignal(panel.selectionChanged):
        panel.resetTaskButton.click()
    assert panel.task() == "classification" and panel.task_is_inferred()


def test_the_message_names_missing_target_rows_and_a_text_regression_target(qtbot, panel):
    load(qtbot, panel, PENGUINS)
    assert not panel.dataMessage.isVisibleTo(panel)
    panel.set_target("sex")
    assert panel.dataMessage.isVisibleTo(panel)
    assert "11 of 344 rows have no value in the target 'sex'" in panel.dataMessage.text()
    panel.set_selection("species", None, "regression")
    assert "regression cannot predict" in panel.dataMessage.text()
    panel.set_selection("species", None, None)
    assert not panel.dataMessage.isVisibleTo(panel)


def test_set_selection(qtbot, panel):
    load(qtbot, panel, PENGUINS)
    with qtbot.waitSignal(panel.selectionChanged):
        notes = panel.set_selection("body_mass_g", ["sex", "bill_length_mm", "body_mass_g"], None)
    assert notes == []
    assert panel.target() == "body_mass_g"
    assert panel.features() == ["bill_length_mm", "sex"]  # file order, never the target
    assert panel.task() == "regression" and panel.task_is_inferred()
    assert panel.targetCombo.currentText() == "body_mass_g"

    panel.set_selection("species", None, "regression")
    assert panel.task() == "regression" and not panel.task_is_inferred()
    assert panel.features() == ["island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm",
                                "body_mass_g", "sex", "year"]
    panel.set_selection("species", None, "classification")  # equal to the inferred task
    assert panel.task() == "classification" and panel.task_is_inferred()

    panel.set_selection(None, None, "clustering")
    assert panel.target() is None and panel.task() == "clustering"
    assert len(panel.features()) == 8

    notes = panel.set_selection("Species", ["island", "beak"], None)
    assert len(notes) == 2
    assert panel.target() == "year" and panel.features() == ["island"]
    assert "'beak'" in panel.dataMessage.text() and "'Species'" in panel.dataMessage.text()


def test_set_selection_while_loading_applies_to_the_file_being_read(qtbot, panel):
    with qtbot.waitSignal(panel.datasetLoaded, timeout=LOAD_TIMEOUT):
        panel.load(PENGUINS)
        assert panel.set_selection("species", ["island", "sex"], "regression") == []
    assert panel.target() == "species"
    assert panel.features() == ["island", "sex"]
    assert panel.task() == "regression" and not panel.task_is_inferred()


def test_unusable_columns_start_unticked_with_a_reason(qtbot, panel, tmp_path):
    n = 60
    path = tmp_path / "mixed.csv"
    pd.DataFrame({
        "customer_id": np.arange(1000, 1000 + n),
        "comment": [f"a long and wordy free text comment, number {i}" for i in range(n)],
        "const": 1,
        "colour": ["red", "green", "blue"] * (n // 3),
        "y": np.linspace(0, 1, n),
    }).to_csv(path, index=False)
    dataset = load(qtbot, panel, path)
    columns = panel.columnModel
    assert {name: p.kind for name, p in dataset.profiles.items()} == {
        "customer_id": "id", "comment": "text", "const": "constant", "colour": "categorical", "y": "numeric"}
    assert panel.features() == ["colour"]
    for name in ("customer_id", "comment", "const"):
        row = column_row(columns, name)
        kind = columns.index(row, ColumnListModel.KIND)
        assert isinstance(kind.data(FOREGROUND), QColor)  # muted
        assert "by default" in kind.data(TOOLTIP) or "even if ticked" in kind.data(TOOLTIP)
        use = columns.index(row, ColumnListModel.USE)
        assert use.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert columns.index(column_row(columns, "colour"), ColumnListModel.KIND).data(FOREGROUND) is None

    # the user may still tick one
    use = columns.index(column_row(columns, "customer_id"), ColumnListModel.USE)
    assert columns.setData(use, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert panel.features() == ["customer_id", "colour"]
    # and an unusable old target does not come back ticked
    panel.set_target("comment")
    panel.set_target("y")
    assert "comment" not in panel.features()

    panel.allButton.click()
    assert panel.features() == ["customer_id", "comment", "const", "colour"]
    panel.noneButton.click()
    assert panel.features() == []
    assert "No feature column is ticked" in panel.dataMessage.text()
    panel.defaultsButton.click()
    assert panel.features() == ["colour"]


# ----------------------------------------------------------------------------- failures


def test_bad_files_report_the_dataset_error_and_keep_the_previous_dataset(qtbot, panel, tmp_path):
    previous = load(qtbot, panel, PENGUINS)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    binary = tmp_path / "image.csv"
    binary.write_bytes(bytes(range(256)) * 8)

    for path in (empty, binary):
        with pytest.raises(DatasetError) as expected:
            read_table(path)
        states = []
        panel.loadingChanged.connect(states.append)
        failed_path, message = load_failing(qtbot, panel, path)
        panel.loadingChanged.disconnect(states.append)
        assert failed_path == str(path)
        assert message == str(expected.value)
        assert states == [True, False]
        assert panel.dataset is previous
        assert panel.previewModel.rowCount() == 344
        assert panel.target() == "year"
        assert panel.dataMessage.isVisibleTo(panel) and message in panel.dataMessage.text()
        assert panel.targetCombo.isEnabled()

    load(qtbot, panel, PENGUINS)
    assert not panel.dataMessage.isVisibleTo(panel)  # a good load clears the error


def test_an_unexpected_error_becomes_a_message_without_a_traceback(qtbot, panel, monkeypatch):
    def broken(path, **options):
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(data_panel_module, "read_table", broken)
    _, message = load_failing(qtbot, panel, PENGUINS)
    assert "penguins.csv" in message and "RuntimeError: parser exploded" in message
    assert "Traceback" not in message
    assert panel.dataset is None


def test_the_load_function_works_on_the_calling_thread(tmp_path):
    assert load_dataset(PENGUINS).rows == 344
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DatasetError, match="empty"):
        load_dataset(tmp_path / "empty.csv")
    (tmp_path / "zip.csv").write_bytes(b"PK\x03\x04 really a zip")
    with pytest.raises(DatasetError) as raised:
        load_dataset(tmp_path / "zip.csv")
    assert "zip.csv" in str(raised.value) and "Traceback" not in str(raised.value)


# ----------------------------------------------------------------------------- threads


def test_a_second_load_cancels_the_first(qtbot, panel, big_csv):
    loaded = []
    panel.datasetLoaded.connect(loaded.append)
    with qtbot.waitSignal(panel.datasetLoaded, timeout=LOAD_TIMEOUT):
        panel.load(big_csv)
        assert panel.is_loading()
        panel.load(PENGUINS)
        assert panel.is_loading()
    assert panel.dataset.path == PENGUINS
    panel.shutdown()  # waits for the abandoned read of big.csv to end
    qtbot.wait(50)  # give a stale queued result every chance to arrive
    assert [d.path for d in loaded] == [PENGUINS]
    assert panel.dataset.path == PENGUINS and panel.previewModel.rowCount() == 344
    assert not panel.is_loading()


def test_a_large_file_loads_without_blocking_the_event_loop(qtbot, panel, big_csv):
    ticks = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    at_load = []
    panel.datasetLoaded.connect(lambda _: at_load.append(len(ticks)))
    timer.start()
    try:
        with qtbot.waitSignal(panel.datasetLoaded, timeout=LOAD_TIMEOUT):
            panel.load(big_csv)
            assert panel.progress.isVisibleTo(panel)
            assert panel.loadingLabel.text().startswith("Reading big.csv (")
            assert not panel.targetCombo.isEnabled() and not panel.splitter.isEnabled()
    finally:
        timer.stop()
    assert at_load and at_load[0] >= 3, f"the GUI timer fired only {at_load} times while loading"
    assert panel.previewModel.rowCount() == 300_000
    assert panel.columnModel.rowCount() == 4
    assert not panel.progress.isVisibleTo(panel) and panel.targetCombo.isEnabled()
    assert panel.target() == "y" and panel.task() == "regression"


def test_shutdown_is_idempotent_and_stops_a_running_load(qtbot, panel, big_csv):
    panel.shutdown()
    states = []
    panel.loadingChanged.connect(states.append)
    panel.load(big_csv)
    with qtbot.assertNotEmitted(panel.datasetLoaded, wait=50):
        panel.shutdown()
        panel.shutdown()
    assert states == [True, False]
    assert not panel.is_loading() and panel.dataset is None
    load(qtbot, panel, PENGUINS)  # still usable afterwards


def test_many_loads_in_a_row_reap_their_threads_safely(qtbot, panel, tmp_path):
    # Each load's thread is forgotten while the next one starts; forgetting a thread that is
    # still finishing used to crash the process now and then.
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    for i in range(15):
        load(qtbot, panel, PENGUINS)
        load_failing(qtbot, panel, empty)
    with qtbot.waitSignal(panel.datasetLoaded, timeout=LOAD_TIMEOUT):
        for _ in range(10):  # back to back: only the last one counts
            panel.load(PENGUINS)
    assert panel.dataset.rows == 344
    panel.shutdown()
    assert not panel.is_loading()


# ----------------------------------------------------------------------------- accessibility


def test_controls_have_names_tooltips_and_a_tab_order(qtbot, panel):
    load(qtbot, panel, PENGUINS)
    assert panel.targetCombo.accessibleName() == "Target column"
    controls = [w for kind in (QComboBox, QToolButton, QTableView) for w in panel.findChildren(kind)]
    assert len(controls) == 12  # target, task, sheet, weight, group, order; 4 tool buttons; 2 tables
    for widget in controls:
        assert widget.accessibleName(), widget.objectName()
        assert widget.toolTip(), widget.objectName()
    assert panel.dataMessage.objectName() == "dataMessage" and panel.dataMessage.wordWrap()
    assert panel.splitter.objectName() == "dataSplitter"
    chain, widget = [], panel.targetCombo
    for _ in range(10):
        chain.append(widget.objectName())
        widget = widget.nextInFocusChain()
        while not widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget is not panel.targetCombo:
            widget = widget.nextInFocusChain()
    assert chain == ["targetCombo", "taskCombo", "resetTask", "weightCombo", "groupCombo", "orderCombo",
                     "allFeatures", "noFeatures", "defaultFeatures", "columnList"]


def test_a_narrow_data_tab_puts_the_preview_under_the_columns(qtbot, panel):
    # The Data tab of a 1600 x 1000 window is about 520 px wide: side by side, the preview was a sliver.
    panel.show()
    qtbot.waitExposed(panel)
    load(qtbot, panel, PENGUINS)
    panel.resize(520, 800)
    qtbot.waitUntil(lambda: panel.splitter.orientation() == Qt.Orientation.Vertical, timeout=5_000)
    columns, preview = panel.splitter.sizes()
    assert panel.previewTable.width() >= 480 and preview > columns
    assert columns >= panel.columnModel.rowCount() * panel.columnList.verticalHeader().defaultSectionSize()
    panel.resize(1300, 800)
    qtbot.waitUntil(lambda: panel.splitter.orientation() == Qt.Orientation.Horizontal, timeout=5_000)
    assert panel.previewTable.width() >= DataPanel.PREVIEW_MIN_WIDTH


@pytest.mark.parametrize("name", ["penguins.xlsx", "penguins.parquet"])
def test_a_spreadsheet_or_parquet_file_opens_like_the_csv(qtbot, panel, tmp_path, name):
    frame = pd.read_csv(PENGUINS)
    path = tmp_path / name
    frame.to_excel(path, index=False) if name.endswith(".xlsx") else frame.to_parquet(path)
    dataset = load(qtbot, panel, path)
    assert dataset.format in ("spreadsheet", "parquet") and dataset.rows == len(frame)
    assert panel.infoLabel.toolTip().startswith(str(path))
    assert "separated" not in panel.infoLabel.toolTip()
    assert {c: p.kind for c, p in dataset.profiles.items()} == \
        {c: p.kind for c, p in read_table(PENGUINS).profiles.items()}


def test_a_broken_workbook_gets_a_message(qtbot, panel, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    failed_path, text = load_failing(qtbot, panel, path)
    assert failed_path == str(path) and "broken.xlsx" in text and "damaged" in text
