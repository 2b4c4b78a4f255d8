"""The running search, seen from the window.

:class:`SearchWorker` is a plain QObject moved to a QThread. It owns one
:class:`~hpgui.core.process.WorkerPool` (one or more supervised worker
processes on one study), waits on its events and relays
what arrives as queued signals, batched so that the GUI thread gets at most one
``trials`` signal per :data:`BATCH_S` however fast trials finish.

:class:`SearchController` lives on the GUI thread: it keeps a child process
started ahead of time (so Start does not pay for importing scikit-learn),
starts one search at a time, and stops and waits for everything on quit.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from ..core.process import Job, SearchProcess, WorkerPool

BATCH_S = 0.05
STOP_GRACE_S = 1.5


class SearchWorker(QObject):
    started = Signal(str, str, list, object)  # study name, storage (password hidden), trials it had, Baseline
    trials = Signal(list)               # a batch of TrialRecord
    progress = Signal(object)           # the newest runner.Progress
    trialStep = Signal(int, int, int)   # trial number, folds done (0: it just began), folds in all
    finished = Signal(str, int)         # stop reason, trials run
    failed = Signal(str)                # no trial could succeed; the message quotes the error
    invalid = Signal(str)               # the setup or data was refused before any trial
    fault = Signal(str)                 # the study storage failed mid-search (disk full, database gone)
    note = Signal(str)                  # a journal repaired, a dead process's lock removed
    crashed = Signal(str)               # something unexpected; details for the log
    done = Signal()                     # always last, whatever happened

    def __init__(self, process: SearchProcess | WorkerPool, job: Job):
        super().__init__()
        self._process = process
        self._job = job
        self._stop = threading.Event()

    def request_stop(self) -> None:
        """Thread-safe: the run loop notices within one poll."""
        self._stop.set()

    def set_paused(self, paused: bool) -> None:
        self._process.pause(paused)

    @Slot()
    def run(self) -> None:
        try:
            self._loop()
        finally:
            self.done.emit()

    def _loop(self) -> None:
        process = self._process
        process.submit(self._job)
        batch: list = []
        latest = None
        last_emit = 0.0
        ran = 0
        while True:
            if self._stop.is_set():
                process.stop(STOP_GRACE_S)
                events = process.poll()
                batch += [e[1] for e in events if e[0] == "trial"] + process.interrupted
                if batch:  # trials first, so views are complete when "finished" arrives
                    self.trials.emit(batch)
                if self._relay([e for e in events if e[0] != "trial"], None) is None:
                    self.finished.emit("stopped", ran + sum(1 for e in events if e[0] == "trial")
                                       + len(process.interrupted))
                return
            events = process.poll(timeout=BATCH_S)
            for event in events:
                if event[0] == "trial":
                    batch.append(event[1])
                    if event[2] is not None:  # a trial the supervisor failed carries no progress
                        latest = event[2]
                    ran += 1
            others = [e for e in events if e[0] != "trial"]
            ending = any(e[0] in ("done", "failed", "invalid", "fault", "crash") for e in others)
            now = time.monotonic()
            # Trials go out before the event that ends the search, so views are complete when it arrives.
            if batch and (now - last_emit >= BATCH_S or ending):
                self.trials.emit(batch)
                if latest is not None:
                    self.progress.emit(latest)
                batch, last_emit = [], now
            if self._relay(others, None) is not None:
                return
            if not process.is_alive():
                # Died: killed from outside, out of memory, or exiting right after its last word.
                events = process.poll()
                closed = [e[1] for e in events if e[0] == "trial"] + batch
                batch = []
                final_words = [e for e in events if e[0] != "trial"]
                if not any(e[0] in ("done", "failed", "invalid", "fault", "crash") for e in final_words):
                    closed += process.fail_interrupted()
                if closed:
                    self.trials.emit(closed)
                if self._relay(final_words, None) is not None:
                    return
                self.crashed.emit(f"The search process ended unexpectedly (exit code {process.exitcode}). "
                                  "Finished trials are kept.")
                return

    def _relay(self, events: list[tuple], batch: list | None) -> str | None:
        """Emit the non-trial events; returns the kind of the final one, if any arrived."""
        final = None
        for event in events:
            kind = event[0]
            if kind == "trial":
                if batch is not None:
                    batch.append(event[1])
            elif kind == "begin":
                self.trialStep.emit(int(event[1]), 0, int(event[2]) if len(event) > 2 else 0)
            elif kind == "fold":
                self.trialStep.emit(int(event[1]), int(event[2]), int(event[3]))
            elif kind == "started":
                self.started.emit(event[1], event[2], list(event[3]), event[4] if len(event) > 4 else None)
            elif kind == "done":
                self.finished.emit(event[1], int(event[2]))
                final = kind
            elif kind == "failed":
                self.failed.emit(event[1])
                final = kind
            elif kind == "invalid":
                self.invalid.emit(event[1])
                final = kind
            elif kind == "note":
                self.note.emit(event[1])
            elif kind == "fault":
                self.fault.emit(event[1])
                final = kind
            elif kind == "crash":
                self.crashed.emit(event[1])
                final = kind
        return final


class SearchController(QObject):
    """One search at a time, on its own thread, with a child process kept warm."""

    started = Signal(str, str, list, object)
    trials = Signal(list)
    progress = Signal(object)
    trialStep = Signal(int, int, int)
    finished = Signal(str, int)
    failed = Signal(str)
    invalid = Signal(str)
    fault = Signal(str)
    note = Signal(str)
    crashed = Signal(str)
    runningChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, prewarm: bool = True):
        super().__init__(parent)
        self._spare: SearchProcess | None = None
        self._thread: QThread | None = None
        self._worker: SearchWorker | None = None
        self._process: SearchProcess | None = None
        self._prewarm = prewarm
        self._paused = False
        if prewarm:
            self._spare = SearchProcess()

    def prewarm(self) -> None:
        """Start the spare child now, for a controller made with ``prewarm=False`` (the app does this
        once its window shows its first content, so the child's imports do not slow that down)."""
        self._prewarm = True
        if self._spare is None and self._thread is None:
            self._spare = SearchProcess()

    def is_running(self) -> bool:
        return self._thread is not None

    def is_paused(self) -> bool:
        return self._paused

    def start(self, job: Job) -> None:
        if self._thread is not None:
            raise RuntimeError("a search is already running")
        # The warm spare becomes the first worker; the pool starts the others (and replaces any that die).
        process, self._spare = WorkerPool(max(1, job.workers), spare=self._spare), None
        worker = SearchWorker(process, job)
        thread = QThread()
        thread.setObjectName("hpgui-search")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        for name in ("started", "trials", "progress", "trialStep", "finished", "failed", "invalid", "fault", "note",
                     "crashed"):
            getattr(worker, name).connect(getattr(self, name))
        # Direct: quit() is thread-safe, and the GUI thread may be blocked in wait() during shutdown.
        worker.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker, self._process = thread, worker, process
        self._paused = False
        thread.start()
        self.runningChanged.emit(True)

    def pause(self, paused: bool) -> None:
        if self._worker is not None:
            self._worker.set_paused(paused)
            self._paused = paused

    def stop(self) -> None:
        """Ask the search to stop; ``finished`` follows within about two seconds."""
        if self._worker is not None:
            self._worker.request_stop()

    def _on_thread_finished(self) -> None:
        if self._thread is None:
            return  # already cleaned up by shutdown()
        thread, worker, process = self._thread, self._worker, self._process
        self._thread = self._worker = self._process = None
        self._paused = False
        if worker is not None:
            worker.deleteLater()
        if thread is not None:
            # finished is emitted while the thread is still winding down; dropping it then can crash.
            thread.wait()
            thread.deleteLater()
        if process is not None:
            process.close()
        if self._prewarm and self._spare is None:
            self._spare = SearchProcess()
        self.runningChanged.emit(False)

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Stop any search and wait for its thread; end the spare process. Safe to call twice."""
        self._prewarm = False
        if self._worker is not None:
            self._worker.request_stop()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(timeout_ms)
            self._on_thread_finished()
        if self._spare is not None:
            self._spare.close()
            self._spare = None

    @property
    def process(self) -> Any:
        return self._process
