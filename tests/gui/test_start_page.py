"""First run: the empty window offers "Open a CSV" and "Try an example", and the example is ready to start."""

from __future__ import annotations

from PySide6.QtCore import Qt

from hpgui.gui.main_window import MainWindow
from hpgui.gui.start_page import StartPage, app_icon

SEARCH_TIMEOUT_MS = 180_000


def test_an_empty_window_shows_the_start_page(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert window.pages.currentWidget() is window.start_page
    assert window.start_page.open_button.text() == "Open a CSV…"
    assert window.start_page.example_button.text() == "Try an example"
    assert window.start_page.isVisible() and not window.main_splitter.isVisible()
    assert not window.start_action.isEnabled()
    window.close()


def test_open_a_csv_asks_for_a_file(qtbot, monkeypatch, penguins_csv):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    asked = []

    def pick(parent, caption, folder, filters):
        asked.append(filters)
        return str(penguins_csv), ""

    monkeypatch.setattr("hpgui.gui.main_window.QFileDialog.getOpenFileName", pick)
    with qtbot.waitSignal(window.data_panel.datasetLoaded, timeout=60_000):
        qtbot.mouseClick(window.start_page.open_button, Qt.MouseButton.LeftButton)
    assert "*.csv" in asked[0]
    assert window.pages.currentWidget() is window.main_splitter
    assert window.data_panel.dataset.path == penguins_csv
    window.close()


def test_try_an_example_then_one_click_on_start_runs_a_live_search(qtbot, window):
    with qtbot.waitSignal(window.data_panel.datasetLoaded, timeout=60_000):
        qtbot.mouseClick(window.start_page.example_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.main_splitter
    assert window.data_panel.dataset.path.name == "penguins.csv"
    assert window.data_panel.target() == "species"
    assert window.model_combo.currentData() == "random_forest"
    assert window.search_panel.strategy().name == "tpe"
    window.validate()
    assert window.problems == [] and window.start_action.isEnabled()

    with qtbot.waitSignal(window.controller.trials, timeout=SEARCH_TIMEOUT_MS):
        window.start_action.trigger()
    qtbot.waitUntil(lambda: len(window.store) >= 1, timeout=5_000)
    record = window.store.records[0]
    assert record.state == "complete" and 0.5 < record.value <= 1.0
    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_TIMEOUT_MS):
        window.stop_search()


def test_recent_files_that_exist_are_offered(qtbot, tmp_path, penguins_csv):
    page = StartPage([str(tmp_path / "gone.csv"), str(penguins_csv)])
    qtbot.addWidget(page)
    assert [link.toolTip() for link in page.recent_links] == [str(penguins_csv)]
    with qtbot.waitSignal(page.recentRequested) as opened:
        page.recent_links[0].linkActivated.emit(str(penguins_csv))
    assert opened.args == [str(penguins_csv)]


def test_the_app_icon_has_every_packaged_size():
    sizes = {size.width() for size in app_icon().availableSizes()}
    assert {16, 32, 48, 256, 512} <= sizes


def test_a_window_that_defers_its_warm_up_starts_it_when_asked(qtbot):
    # run_app opens the window this way and warms up once the first content is shown.
    window = MainWindow(defer_warm_up=True)
    qtbot.addWidget(window)
    window.show()
    assert window.controller._spare is None and not window._sklearn_ready
    window.warm_up()
    window.warm_up()  # once only
    spare = window.controller._spare
    assert spare is not None and spare.wait_ready(timeout=120)
    qtbot.waitUntil(lambda: window._sklearn_ready, timeout=120_000)
    assert window.controller._spare is spare
    window.close()
