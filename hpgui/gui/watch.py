"""Follow a stored study while other workers fill it: a poller on a daemon thread.

:class:`StudyPoller` opens a study (which may sit on a database server across the network), sends
all its trials once, and then every :data:`POLL_S` only the trials that are new or changed. Its
thread is a daemon: a database that stops answering can hold it in a call for minutes, and neither
Stop Watching nor closing the window waits for that. Stopping disconnects the poller at once, and
its thread ends on its own when the call returns (or with the process).
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from ..core.library import LibraryError, load_study, scrub, storage_label
from ..core.study_watch import StudyWatcher

POLL_S = 1.0
RETRY_S = 5.0


class PollerSignals(QObject):
    """Lives on the GUI thread; the poller's thread emits these, so they arrive queued."""

    loaded = Signal(object)     # LoadedStudy, once, first
    trials = Signal(list)       # new or changed TrialRecords
    total = Signal(int)         # trials in the study now
    problem = Signal(str)       # the storage did not answer (the poller keeps trying); "" when it answers again
    failed = Signal(str)        # the study could not be opened at all; the poller has stopped


class StudyPoller:
    def __init__(self, storage: str | None, name: str, interval_s: float = POLL_S):
        self.storage = storage
        self.name = name
        self.interval_s = interval_s
        self.signals = PollerSignals()
        self._stop = threading.Event()
        self._resend = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"hpgui-watch {self.name}", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Returns at once; nothing is emitted after this."""
        self._stop.set()

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self, timeout_s: float) -> bool:
        if self._thread is not None:
            self._thread.join(timeout_s)
        return not self.is_alive()

    def resend(self) -> None:
        """Send every trial again at the next look (the window cleared its store)."""
        self._resend.set()

    def _emit(self, name: str, *args) -> None:
        if not self._stop.is_set():
            getattr(self.signals, name).emit(*args)

    def _run(self) -> None:
        try:
            watcher = StudyWatcher(self.storage, self.name)
            study = load_study(self.storage, self.name)
        except LibraryError as exc:
            self._emit("failed", str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - reported as a message, never a traceback
            self._emit("failed", f"cannot open study {self.name!r} in {storage_label(self.storage)}: "
                                 f"{type(exc).__name__}: {scrub(str(exc), self.storage)[:300]}")
            return
        first = watcher.poll()
        self._emit("loaded", study)
        # Trials that finished between the load and the first look would otherwise be missed.
        known = {r.number: r.state for r in study.records}
        late = [r for r in first if known.get(r.number) != r.state]
        if late:
            self._emit("trials", late)
        self._emit("total", watcher.total)
        troubled = False
        while not self._stop.wait(RETRY_S if troubled else self.interval_s):
            if self._resend.is_set():
                self._resend.clear()
                watcher.reset()
            try:
                changed = watcher.poll()
            except Exception as exc:  # noqa: BLE001 - a dropped connection: say so and keep trying
                troubled = True
                self._emit("problem", f"{type(exc).__name__}: {scrub(' '.join(str(exc).split()), self.storage)[:200]}")
                continue
            if troubled:
                troubled = False
                self._emit("problem", "")
            if changed:
                self._emit("trials", changed)
            self._emit("total", watcher.total)
