"""Startup timings and a self-driving first run, for benchmarks/startup.py and the bundle's smoke test.

With ``HPGUI_STARTUP_PROBE`` in the environment, ``hpgui [FILE]`` prints one
JSON line on stdout and then closes its window as a user would:

- ``HPGUI_STARTUP_PROBE=1``: once the window has painted with FILE loaded (or,
  with no file, once it has painted at all).
- ``HPGUI_STARTUP_PROBE=search``: without a file it clicks "Try an example" on
  the start page; once the data is shown it presses Start, waits for the first
  finished trial, presses Stop, and reports when the search has stopped. In a
  frozen bundle this is the run that proves the spawned search child works.
- ``HPGUI_STARTUP_PROBE=search-full``: like ``search``, but lets the search run
  to its end ("started" and "finished" marks), for benchmarks/hand_loop.py's
  comparison of the window with ``hpgui run``.

The marks are wall-clock times (``time.time()``), so the caller can measure
from the moment it started the process.
"""

from __future__ import annotations

import json
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer

ENV = "HPGUI_STARTUP_PROBE"
GIVE_UP_MS = 180_000
GIVE_UP_FULL_MS = 3_600_000  # a whole search may take a while


class StartupProbe(QObject):
    def __init__(self, app, window, marks: dict[str, float], mode: str, has_file: bool):
        super().__init__(window)
        self.window = window
        self.marks = dict(marks)
        self.search = mode in ("search", "search-full")
        self.full = mode == "search-full"
        self._click_example = self.search and not has_file
        self._waiting_for_data = has_file or self.search
        self._done = False
        self._painted = False
        window.data_panel.datasetLoaded.connect(self._on_loaded)
        window.data_panel.loadFailed.connect(lambda *_: self._finish(error="the file did not load"))
        self._give_up = QTimer(self)
        self._give_up.setSingleShot(True)
        limit_ms = GIVE_UP_FULL_MS if self.full else GIVE_UP_MS
        self._give_up.timeout.connect(lambda: self._finish(error=f"gave up after {limit_ms // 1000} s"))
        self._give_up.start(limit_ms)
        app.installEventFilter(self)

    def _on_loaded(self, _dataset) -> None:
        # Connected after the window's own handler, which fills the forms; the next paint shows them.
        self.marks.setdefault("loaded", time.time())
        self._waiting_for_data = False

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint and not self._painted:
            self.marks.setdefault("first_paint", time.time())
            if self._click_example:
                self._click_example = False
                QTimer.singleShot(0, self.window.start_page.example_button.click)
            elif not self._waiting_for_data:
                self._painted = True
                self.marks["painted"] = time.time()
                # Let the rest of this paint pass finish first.
                QTimer.singleShot(0, self._start_search if self.search else self._finish)
        return False

    def _start_search(self) -> None:
        window = self.window
        if self.full:
            # A user sets a search up before pressing Start, and the window's search child warms up
            # meanwhile; the benchmark times the search itself, so it starts once the child is ready.
            controller = window.controller
            if getattr(controller, "_spare", None) is None:
                controller.prewarm()
            spare = getattr(controller, "_spare", None)
            if spare is not None:
                spare.wait_ready(120.0)
            self.marks["child_ready"] = time.time()
        window.controller.trials.connect(self._on_trials)
        window.searchFinished.connect(lambda reason: self._finish(reason=reason))
        if not window.start_search():
            self._finish(error=f"Start refused: {[p.message for p in window.problems]}")
            return
        self.marks["started"] = time.time()

    def _on_trials(self, _batch) -> None:
        if "first_trial" not in self.marks:
            self.marks["first_trial"] = time.time()
            if not self.full:
                self.window.search.stop_search()

    def _finish(self, error: str | None = None, reason: str | None = None) -> None:
        if self._done:
            return
        self._done = True
        self.marks["finished"] = time.time()
        self._give_up.stop()
        window = self.window
        report = {"marks": self.marks, "page": "start" if window.pages.currentIndex() == 0 else "work",
                  "model": window.model_panel.model_combo.currentData(), "error": error, "stop_reason": reason,
                  "trials": [[r.number, r.state, r.value] for r in window.store.records]}
        sys.stdout.write(json.dumps(report) + "\n")
        sys.stdout.flush()
        window.close()
