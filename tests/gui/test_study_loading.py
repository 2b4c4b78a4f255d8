"""Opening a stored study: progress in the status bar while it is read, Cancel, and the snapshot path."""

from __future__ import annotations

import threading

import pytest

from hpgui.core import library, snapshot
from hpgui.core.storage import journal_path
from hpgui.gui.window import studies
from test_library_window import TIMEOUT_MS, make_study


@pytest.fixture
def gated_load(monkeypatch):
    """load_study that reports half way, then waits for the test before it reads the study for real."""
    gate = threading.Event()
    reached = threading.Event()

    def load(storage, name, progress=None, **options):
        progress(0.5, f"Reading {name}.journal: 50%")
        reached.set()
        gate.wait(30)
        progress(None, f"Preparing trials of {name}…")  # raises Cancelled if Cancel was pressed
        return library.load_study(storage, name, progress=progress, **options)

    monkeypatch.setattr(studies, "load_study", load)
    yield gate, reached
    gate.set()  # never leave the worker waiting


def test_opening_shows_progress_and_the_window_stays_usable(qtbot, window, iris_csv, gated_load):
    gate, reached = gated_load
    result = make_study(iris_csv, "progress", trials=4)
    window.studies.open(None, "progress")
    bar = window.findChild(type(window.progress_bar), "studyLoadProgress")
    cancel = window.studies._load_cancel_button
    qtbot.waitUntil(lambda: reached.is_set() and bar.value() == 500, timeout=TIMEOUT_MS)
    assert bar.isVisible() and cancel.isVisible() and window.studies.opening
    assert window.status_label.text() == "Reading progress.journal: 50%"
    # The GUI thread is free while the worker reads: the chart tabs still switch.
    window.chart_tabs.setCurrentIndex(1)
    assert window.chart_tabs.currentIndex() == 1
    with qtbot.waitSignal(window.studies.shown, timeout=TIMEOUT_MS):
        gate.set()
    assert not bar.isVisible() and not cancel.isVisible() and not window.studies.opening
    assert [r.number for r in window.store.records] == [t.number for t in result.trials]
    assert window.status_label.text().startswith("Study progress: 4 trials")


def test_cancel_stops_reading_and_keeps_what_was_shown(qtbot, window, iris_csv, gated_load):
    gate, reached = gated_load
    make_study(iris_csv, "cancelled", trials=3)
    window.studies.open(None, "cancelled")
    qtbot.waitUntil(reached.is_set, timeout=TIMEOUT_MS)
    window.studies._load_cancel_button.click()
    assert not window.studies.opening and not window.studies._load_bar.isVisible()
    gate.set()
    # The cancelled read runs to its next report, stops there, and delivers nothing.
    qtbot.waitUntil(lambda: window.studies.loading.unfinished == 0, timeout=TIMEOUT_MS)
    assert len(window.store) == 0 and window.study_name is None
    assert "cancelled" in window.status_label.text()


def test_a_large_study_opens_from_its_snapshot_the_second_time(qtbot, window, iris_csv, monkeypatch):
    monkeypatch.setattr(snapshot, "MIN_TRIALS", 1)
    make_study(iris_csv, "again", trials=3)
    with qtbot.waitSignal(window.studies.shown, timeout=TIMEOUT_MS):
        window.studies.open(None, "again")
    first = list(window.store.records)
    # The snapshot is kept in the background once the study is shown.
    qtbot.waitUntil(lambda: snapshot.read(journal_path("again"), "again") is not None, timeout=TIMEOUT_MS)
    replays = []
    real_open = library._open_study
    monkeypatch.setattr(library, "_open_study", lambda *a, **k: replays.append(a) or real_open(*a, **k))
    with qtbot.waitSignal(window.studies.shown, timeout=TIMEOUT_MS):
        window.studies.open(None, "again")
    assert replays == [] and window.store.records == first


def test_a_large_search_run_in_the_window_keeps_its_snapshot_when_it_ends(qtbot, window, iris_csv, monkeypatch):
    from test_library_window import GRID

    make_study(iris_csv, "grown", strategy="grid", trials=None, space=GRID, run_trials=3)
    monkeypatch.setattr(snapshot, "MIN_TRIALS", 6)  # the whole grid, not the three trials it has now
    with qtbot.waitSignal(window.searchFinished, timeout=TIMEOUT_MS):
        window.studies.resume(None, "grown")
    assert len(window.store) == 6
    qtbot.waitUntil(lambda: snapshot.read_header(journal_path("grown"), "grown") is not None, timeout=TIMEOUT_MS)
    assert snapshot.read_header(journal_path("grown"), "grown")["trials"] == 6
