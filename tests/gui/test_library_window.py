"""File → Studies…, File → Connect to study… and Compare, on real studies made by short searches."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from hpgui.core.best_curve import best_so_far_curve
from hpgui.core.library import list_studies, load_study
from hpgui.core.runner import Search
from hpgui.core.storage import journal_path
from hpgui.gui.library_dialog import COLUMNS
from tests_support import GRID, ROOT, iris_setup

TIMEOUT_MS = 120_000


def make_study(csv, name, storage=None, run_trials=None, **kwargs):
    return Search(iris_setup(csv, **kwargs), study_name=name, storage=storage, trials=run_trials).run()


def open_library(qtbot, window):
    window.open_library()
    dialog = window.library
    qtbot.waitUntil(lambda: dialog.refresh_button.isEnabled() and dialog.model.infos is not None, timeout=30_000)
    qtbot.waitUntil(lambda: "studies in" in dialog.status.text() or "No studies" in dialog.status.text(),
                    timeout=30_000)
    return dialog


def relist(qtbot, dialog):
    with qtbot.waitSignal(dialog.listed, timeout=30_000):
        dialog.refresh()


def rows(dialog):
    out = {}
    for row in range(dialog.proxy.rowCount()):
        cells = [dialog.proxy.index(row, c).data() for c in range(len(COLUMNS))]
        out[cells[0]] = dict(zip(COLUMNS, cells))
    return out


def test_the_library_lists_studies_and_open_fills_store_charts_and_forms(qtbot, window, iris_csv):
    result = make_study(iris_csv, "iris-random", trials=5)
    make_study(iris_csv, "iris-grid", strategy="grid", trials=None, space=GRID, run_trials=4)
    dialog = open_library(qtbot, window)
    table = rows(dialog)
    assert set(table) == {"iris-random", "iris-grid"}
    r = table["iris-random"]
    assert (r["Model"], r["Dataset"], r["Strategy"], r["Trials"], r["Metric"]) == \
           ("Decision tree", "iris.csv", "random", "5 / 5", "Accuracy")
    assert float(r["Best"]) == pytest.approx(result.best.value, abs=1e-4)
    assert table["iris-grid"]["Trials"] == "4"

    dialog.select("iris-random")
    assert dialog.open_button.isEnabled() and dialog.resume_button.isEnabled()
    with qtbot.waitSignal(window.data_panel.datasetLoaded, timeout=TIMEOUT_MS):
        with qtbot.waitSignal(window.studies.shown, timeout=TIMEOUT_MS):
            dialog.open_button.click()
    assert not dialog.isVisible()
    store = window.store
    assert [r.number for r in store.records] == [t.number for t in result.trials]
    assert store.best.number == result.best.number and store.best.value == result.best.value
    window.redraw()
    complete = [t for t in result.trials if t.state == "complete"]
    xs, ys = window.history.plotted()["complete"]
    assert sorted(xs) == [float(t.number) for t in complete]
    assert sorted(ys) == sorted(t.value for t in complete)
    assert window.table.model().rowCount() == 5
    assert window.best_panel.score_label.text().startswith(f"{result.best.value:.3f}"[:4])
    assert window.study_name == "iris-random" and window.study_storage is None
    assert window.windowTitle() == "iris-random — iris.csv — hpgui"
    # The setup went into the forms.
    assert window.model_panel.model_combo.currentData() == "decision_tree"
    assert window.data_panel.target() == "species"
    assert window.search_panel.strategy().name == "random"
    assert window.search_panel.budget().trials == 5
    assert window.actions.export_all.isEnabled()


def test_a_moved_dataset_is_said_clearly_and_the_trials_still_show(qtbot, window, iris_csv):
    make_study(iris_csv, "moved", trials=3)
    iris_csv.unlink()
    with qtbot.waitSignal(window.studies.shown, timeout=TIMEOUT_MS):
        window.studies.open(None, "moved")
    assert len(window.store) == 3
    title, text = window.messages[-1]
    assert title == "The dataset has moved" and str(iris_csv) in text and "put the file back" in text
    window.studies.resume(None, "moved")
    qtbot.waitUntil(lambda: len(window.messages) >= 2, timeout=TIMEOUT_MS)
    assert window.messages[-1][0] == "The dataset has moved"
    assert not window.controller.is_running()


def test_rename_keeps_the_trials_and_delete_asks_first(qtbot, window, iris_csv):
    make_study(iris_csv, "old-name", trials=4)
    make_study(iris_csv, "doomed", trials=2)
    dialog = open_library(qtbot, window)
    dialog.select("old-name")
    dialog.ask_name = lambda current: "new-name"
    with qtbot.waitSignal(dialog.listed, timeout=30_000):
        dialog.rename_button.click()
    table = rows(dialog)
    assert set(table) == {"new-name", "doomed"} and table["new-name"]["Trials"] == "4 / 4"
    assert len(load_study(None, "new-name").records) == 4

    asked = []
    dialog.confirm = lambda title, text: asked.append(text) or False
    dialog.select("doomed")
    dialog.delete_button.click()
    assert asked == ["Delete study 'doomed' and its 2 trials?\n\nThis cannot be undone."]
    assert journal_path("doomed").exists()
    dialog.confirm = lambda title, text: True
    with qtbot.waitSignal(dialog.listed, timeout=30_000):
        dialog.delete_button.click()
    assert set(rows(dialog)) == {"new-name"} and not journal_path("doomed").exists()

    # A damaged file is a row that says so; deleting it removes the file.
    from hpgui.core.storage import studies_dir

    (studies_dir() / "damaged.journal").write_bytes(b"\x00\x01 not json\n{]\n")
    relist(qtbot, dialog)
    assert rows(dialog)["⚠ damaged"]["Model"].startswith("damaged.journal is not a readable study journal")
    dialog.select("damaged")
    assert not dialog.open_button.isEnabled() and dialog.delete_button.isEnabled()
    asked.clear()
    dialog.confirm = lambda title, text: asked.append(text) or True
    with qtbot.waitSignal(dialog.listed, timeout=30_000):
        dialog.delete_button.click()
    assert "'damaged' and its file, which cannot be read" in asked[0]
    assert not (studies_dir() / "damaged.journal").exists() and set(rows(dialog)) == {"new-name"}
    dialog.close()


def test_resume_continues_to_the_budget_without_repeating_grid_points(qtbot, window, iris_csv):
    make_study(iris_csv, "grid-half", strategy="grid", trials=None, space=GRID, run_trials=3)
    dialog = open_library(qtbot, window)
    dialog.select("grid-half")
    with qtbot.waitSignal(window.searchFinished, timeout=TIMEOUT_MS) as finished:
        dialog.resume_button.click()
    assert finished.args == ["grid complete"]
    assert window.study_name == "grid-half"
    assert [r.number for r in window.store.records] == list(range(6))
    points = {tuple(sorted(r.params.items())) for r in window.store.records}
    assert len(points) == 6
    (info,) = list_studies()
    assert info.counts["complete"] == 6 and info.counts["waiting"] == 0


def test_export_from_the_library_writes_the_four_files(qtbot, window, iris_csv, tmp_path):
    result = make_study(iris_csv, "to-export", trials=3)
    dialog = open_library(qtbot, window)
    dialog.select("to-export")
    out = tmp_path / "out"
    dialog.choose_folder = lambda: str(out)
    with qtbot.waitSignal(window.exportFinished, timeout=TIMEOUT_MS) as done:
        dialog.export_button.click()
    assert done.args[0].startswith("Exported study to-export")
    import json

    best = json.loads((out / "best.json").read_text())
    assert best["study"] == "to-export" and best["score"] == pytest.approx(result.best.value)
    assert (out / "model.skops").exists() and (out / "best_pipeline.py").exists()
    assert (out / "trials.csv").read_text().count("\n") == 4
    assert [i.name for i in list_studies()] == ["to-export"]  # exporting made no new study
    dialog.close()


def test_compare_overlays_the_best_so_far_curves(qtbot, window, iris_csv, tmp_path):
    from PySide6.QtCore import QPointF

    from hpgui.core.records import TrialRecord

    make_study(iris_csv, "cmp-grid", strategy="grid", trials=None, space=GRID)
    make_study(iris_csv, "cmp-random", strategy="random", trials=6)
    dialog = open_library(qtbot, window)
    dialog.select("cmp-grid", "cmp-random")
    assert dialog.compare_button.isEnabled()
    view = window.compare_view()
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT_MS):
        dialog.compare_button.click()
    assert window.chart_tabs.currentWidget() is view and not dialog.isVisible()
    chart = view.chart
    plotted = view.plotted()
    assert set(plotted) == {"cmp-grid (grid)", "cmp-random (random)"}
    for name, label in (("cmp-grid", "cmp-grid (grid)"), ("cmp-random", "cmp-random (random)")):
        curve = best_so_far_curve(load_study(None, name).records, "maximize")
        x, y = plotted[label]
        np.testing.assert_array_equal(x, curve.numbers)
        np.testing.assert_array_equal(y, curve.best)
    chart.set_x_mode("time")
    x, y = view.plotted()["cmp-random (random)"]
    curve = best_so_far_curve(load_study(None, "cmp-random").records, "maximize")
    np.testing.assert_array_equal(x, curve.elapsed_s)
    assert np.all(np.diff(x) >= 0) and np.all(np.diff(y) >= 0)
    assert chart.plot.getAxis("bottom").labelText == "Elapsed time (s)"

    # Hovering a point names its study and trial.
    chart.set_x_mode("trials")
    chart.plot.getViewBox().setRange(xRange=(-1, 7), yRange=(0, 1.05), padding=0)
    i = [s.label for s in chart.series].index("cmp-random (random)")
    x, y = view.plotted()["cmp-random (random)"]
    scene = chart.plot.getViewBox().mapViewToScene(QPointF(x[2], y[2]))
    hit = chart.point_at(scene)
    assert hit is not None and hit[1] == 2  # the curves may coincide there; either is trial 2
    assert chart.point_at(chart.plot.getViewBox().mapViewToScene(QPointF(x[2] + 0.5, 0.1))) is None
    tip = chart.tooltip_for(i, 2)
    assert "cmp-random (random)" in tip and "after trial 2" in tip and "Accuracy" in tip
    for suffix in ("png", "svg"):
        view.export_image(str(tmp_path / f"compare.{suffix}"))
        assert (tmp_path / f"compare.{suffix}").stat().st_size > 1000

    # The window's own study is drawn live beside the stored ones, never twice.
    with qtbot.waitSignal(window.studies.shown, timeout=TIMEOUT_MS):
        window.studies.open(None, "cmp-random")
    window.redraw()
    plotted = view.plotted()
    assert set(plotted) == {"cmp-random (this window)", "cmp-grid (grid)"}
    np.testing.assert_array_equal(plotted["cmp-random (this window)"][1], curve.best)
    window.store.add([TrialRecord(number=6, state="complete", value=0.999, params={})])
    window.redraw()
    assert view.plotted()["cmp-random (this window)"][1][-1] == 0.999
    view.clear_studies()
    assert set(view.plotted()) == {"cmp-random (this window)"}


def test_connect_watches_trials_another_process_adds(qtbot, window, iris_csv, tmp_path):
    url = f"journal:///{(tmp_path / 'shared.journal').as_posix().lstrip('/')}"
    make_study(iris_csv, "shared", storage=url, trials=8, run_trials=2)
    window.open_connect_dialog()
    connect = window.connect_dialog
    connect.storage_field.set_storage(url)
    with qtbot.waitSignal(connect.listed, timeout=30_000):
        connect.list_button.click()
    assert [connect.study_combo.itemText(i) for i in range(connect.study_combo.count())] == ["shared"]
    with qtbot.waitSignal(window.studies.shown, timeout=TIMEOUT_MS):
        connect.watch_button.click()
    assert window.studies.watching and window.actions.stop_watching.isEnabled()
    assert len(window.store) == 2

    # Another process (a worker elsewhere) runs the rest of the budget on the same study.
    script = textwrap.dedent(f"""
        from hpgui.core.runner import Search
        from hpgui.core.setup import SearchSetup
        from hpgui.core.library import load_study
        setup = load_study({url!r}, "shared").setup
        Search(setup, storage={url!r}, study_name="shared").run()
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    worker = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        qtbot.waitUntil(lambda: len(window.store) == 8 and all(r.state == "complete" for r in window.store.records),
                        timeout=TIMEOUT_MS)
        assert worker.wait(60) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    qtbot.waitUntil(lambda: "— 8 trials" in window.status_label.text(), timeout=10_000)
    assert window.status_label.text().startswith(f"Watching study shared at {url}")
    window.redraw()
    assert len(window.history.plotted()["complete"][0]) == 8
    assert window.table.model().rowCount() == 8
    window.actions.stop_watching.trigger()
    assert not window.studies.watching and not window.live.timer.isActive()
    assert window.status_label.text() == "Stopped watching study shared: 8 trials."


def test_passwords_stay_out_of_settings_title_status_and_messages(qtbot, window):
    from hpgui.gui.main_window import settings

    secret = "s3cret-pw"
    window.open_connect_dialog()
    connect = window.connect_dialog
    connect.storage_field.combo.setEditText(f"postgresql://ana:{secret}@127.0.0.1:1/hp")
    connect.study_combo.setEditText("remote")
    with qtbot.waitSignal(window.studies.watchingChanged, timeout=30_000):
        connect.watch_button.click()
    # The typed password moved to its masked field; the URL list shows none.
    assert connect.storage_field.password.text() == secret
    assert secret not in connect.storage_field.combo.currentText()
    qtbot.waitUntil(lambda: bool(window.messages), timeout=60_000)
    qtbot.waitUntil(lambda: not window.studies.watching, timeout=30_000)
    title, text = window.messages[-1]
    assert title == "Cannot watch the study" and "ana:***@127.0.0.1:1/hp" in text
    seen = [window.windowTitle(), window.status_label.text(), text]
    assert not any(secret in s for s in seen), seen
    from hpgui.core.session import StudyRef

    line = window.session.watch_text(StudyRef("remote", f"postgresql://ana:{secret}@db/hp"))
    assert line.startswith("Watching study remote at ") and secret not in line and "ana:***@db/hp" in line
    s = settings()
    s.sync()
    assert secret not in open(s.fileName(), encoding="utf-8").read()
    assert "postgresql://ana@127.0.0.1:1/hp" in s.value("studies/storages", [], type=list)


def test_start_while_watching_joins_the_watched_study(qtbot, window, iris_csv, tmp_path):
    url = f"sqlite:///{(tmp_path / 'team.db').as_posix()}"
    make_study(iris_csv, "team", storage=url, trials=5, run_trials=2)
    with qtbot.waitSignal(window.data_panel.datasetLoaded, timeout=TIMEOUT_MS):
        with qtbot.waitSignal(window.studies.shown, timeout=TIMEOUT_MS):
            window.studies.watch(url, "team")
    assert len(window.store) == 2
    with qtbot.waitSignal(window.searchFinished, timeout=TIMEOUT_MS) as finished:
        assert window.start_search()
    assert finished.args == ["budget"]
    assert (window.study_name, window.study_storage) == ("team", url)
    assert [r.number for r in window.store.records] == [0, 1, 2, 3, 4]
    assert all(r.state == "complete" for r in window.store.records)
    (info,) = list_studies(url)
    assert info.counts["complete"] == 5
    assert window.studies.watching and window.live.timer.isActive()  # still following the study
    window.studies.stop_watching()
    qtbot.waitUntil(lambda: not window.live.timer.isActive(), timeout=10_000)


def test_stop_watching_and_closing_do_not_wait_for_a_storage_that_stopped_answering(qtbot, iris_csv, monkeypatch):
    """A poll or a read stuck on a silent database holds its own thread; the window never waits for it."""
    import threading

    from hpgui.core import library, study_watch
    from hpgui.gui import watch
    from hpgui.gui.main_window import MainWindow
    from hpgui.gui.window import studies

    make_study(iris_csv, "silent", trials=3)
    stuck, release = threading.Event(), threading.Event()
    real_poll = study_watch.StudyWatcher.poll
    polls = []

    def poll(self):
        polls.append(1)
        if len(polls) > 1:  # the first look answers; then the server goes quiet
            stuck.set()
            release.wait(60)
        return real_poll(self)

    monkeypatch.setattr(watch.StudyWatcher, "poll", poll)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    try:
        with qtbot.waitSignal(window.studies.shown, timeout=TIMEOUT_MS):
            window.studies.watch(None, "silent")
        poller = window.studies._poller
        qtbot.waitUntil(stuck.is_set, timeout=TIMEOUT_MS)
        window.studies.stop_watching()
        assert not window.studies.watching and not window.session.watching
        assert poller.is_alive(), "stop watching waited for the stuck poll to return"
        assert "Stopped watching study silent" in window.status_label.text()

        # Reading a study that never arrives: closing the window does not wait for it either.
        reading = threading.Event()

        def never(storage, name, progress=None, **options):
            progress(None, "Reading…")
            reading.set()
            release.wait(60)
            return library.load_study(storage, name, **options)

        monkeypatch.setattr(studies, "load_study", never)
        window.studies.open(None, "silent")
        assert window.studies.opening
        # closed once the read is under way (closed before it starts, the read is simply cancelled)
        qtbot.waitUntil(reading.is_set, timeout=TIMEOUT_MS)
        window.close()
        assert not window.isVisible()
        assert window.studies.loading.unfinished == 1, "closing waited for the stuck read"
    finally:
        release.set()
    qtbot.waitUntil(lambda: not poller.is_alive(), timeout=TIMEOUT_MS)


def test_a_damaged_journal_is_repaired_when_listed_and_the_window_says_so_in_one_message(qtbot, window, iris_csv):
    from hpgui.core.storage import journal_path

    make_study(iris_csv, "damaged", run_trials=4)
    path = journal_path("damaged")
    path.write_bytes(path.read_bytes()[:-30])  # a write cut off mid-record
    dialog = open_library(qtbot, window)
    qtbot.waitUntil(lambda: any(title == "Study storage" for title, _ in window.notifier.messages), timeout=30_000)
    text = next(text for title, text in window.notifier.messages if title == "Study storage")
    copies = list(path.parent.glob("damaged.journal.damaged-*"))
    assert len(copies) == 1 and str(copies[0]) in text and "kept" in text and "\n" not in text
    listed = rows(dialog)["damaged"]
    assert listed["Trials"].startswith("3 / 6 (1 running)")  # the cut-off trial's end is lost, the rest kept
    assert not any(title.startswith("The search ended unexpectedly") for title, _ in window.notifier.messages)
