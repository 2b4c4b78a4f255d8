"""First run: the empty window offers "Open a CSV" and "Try an example", and the example is ready to start."""

from __future__ import annotations

import os
import subprocess
import sys

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
    assert not window.actions.start.isEnabled()
    window.close()


def test_open_a_csv_asks_for_a_file(qtbot, monkeypatch, penguins_csv):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    asked = []

    def pick(parent, caption, folder, filters):
        asked.append(filters)
        return str(penguins_csv), ""

    monkeypatch.setattr("hpgui.gui.window.opening.QFileDialog.getOpenFileName", pick)
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
    assert window.model_panel.model_combo.currentData() == "random_forest"
    assert window.search_panel.strategy().name == "tpe"
    window.validate()
    assert window.problems == [] and window.actions.start.isEnabled()

    with qtbot.waitSignal(window.controller.trials, timeout=SEARCH_TIMEOUT_MS):
        window.actions.start.trigger()
    qtbot.waitUntil(lambda: len(window.store) >= 1, timeout=5_000)
    record = window.store.records[0]
    assert record.state == "complete" and 0.5 < record.value <= 1.0
    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_TIMEOUT_MS):
        window.search.stop_search()


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
    with qtbot.waitSignal(window.warmedUp, timeout=120_000):
        window.warm_up()
        window.warm_up()  # once only
    spare = window.controller._spare
    assert spare is not None and spare.wait_ready(timeout=120)
    assert window._sklearn_ready
    assert window.controller._spare is spare
    window.close()


_SETTLE_SCRIPT = """
import gc, sys
from PySide6.QtWidgets import QApplication
from hpgui.gui import app

real = app.settle_heap

def settle():
    real()
    frozen = gc.get_freeze_count()
    # What comes after the freeze is still collected: a fresh cycle goes at the next collection.
    cycle = []
    cycle.append(cycle)
    del cycle
    print("frozen", frozen, "collected", gc.collect(), flush=True)
    QApplication.instance().quit()

app.settle_heap = settle
sys.exit(app.run_app(quit_after_ms=120_000))
"""


def test_the_app_takes_its_start_up_heap_out_of_the_collectors_walks_once_warmed_up(tmp_path):
    # A subprocess: freezing this test process's heap would change how every later test collects.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HPGUI_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", _SETTLE_SCRIPT], env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    words = done.stdout.split()
    assert words[0] == "frozen" and words[2] == "collected", done.stdout
    assert int(words[1]) > 50_000  # the imported libraries and the window
    assert int(words[3]) >= 1
