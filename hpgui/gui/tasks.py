"""Background work for the window: one helper on superqt's workers.

A :class:`BackgroundTask` is a slot for work that must not run on the GUI thread (reading a file, a
study, a storage's list of studies, computing importance, refitting for an export). By default the
latest request wins: starting a task cancels the one before and drops its result when it arrives,
so a stale answer never lands on new settings (the bug Orange's ``ConcurrentMixin`` avoids). Errors
go to one place: the task's ``on_error``, or else the notifier as a message, never a traceback.

A work function that wants to report progress or notice a cancel takes a :class:`TaskState` as its
first argument (``with_state=True``): ``state.report(fraction, text)`` is safe from the worker
thread and raises :class:`Cancelled` once the task was cancelled, so the work stops at its next
report.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from shiboken6 import isValid


class Cancelled(BaseException):
    """Raised in the worker by :meth:`TaskState.report` after a cancel. A BaseException, so no
    ``except Exception`` in a library on the way can swallow it."""


class TaskState:
    """One run of a task, as its work function and the GUI thread see it."""

    def __init__(self, relay: Callable[["TaskState", float | None, str], None]):
        self._cancel = threading.Event()
        self._relay = relay

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def report(self, fraction: float | None, text: str = "") -> None:
        """From the worker thread: how far the work is (None: unknown). Raises Cancelled after a cancel."""
        if self._cancel.is_set():
            raise Cancelled
        self._relay(self, fraction, text)


def describe(exc: BaseException) -> str:
    """A user's line for an exception: hpgui's own errors speak for themselves; anything else is named
    by its type and message, without a traceback."""
    from ..core.dataset import DatasetError
    from ..core.library import LibraryError
    from ..core.setup import SetupError

    if isinstance(exc, (LibraryError, DatasetError, SetupError)):
        return str(exc)
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class BackgroundTask(QObject):
    """Runs work off the GUI thread and delivers its result on the GUI thread."""

    _progress = Signal(object, object, str)  # (state, fraction, text), queued from a worker thread

    def __init__(self, parent: QObject | None = None, *, notifier: Any = None, title: str = "Something went wrong",
                 latest_wins: bool = True):
        super().__init__(parent)
        self.notifier = notifier
        self.title = title
        self.latest_wins = latest_wins
        self._current: TaskState | None = None
        self._running: dict[TaskState, Any] = {}  # every started run whose worker has not finished
        self._pending: set[TaskState] = set()     # runs whose outcome has not been delivered (nor dropped)
        self._progress.connect(self._on_progress)
        self._on_progress_callbacks: dict[TaskState, Callable] = {}

    @property
    def busy(self) -> bool:
        """A run whose result still counts has not finished."""
        if self.latest_wins:
            return self._current is not None
        return bool(self._pending)

    @property
    def unfinished(self) -> int:
        """Started runs whose worker has not ended yet (cancelled ones included)."""
        return len(self._running)

    def start(self, work: Callable[..., Any], *args: Any, on_result: Callable[[Any], None] | None = None,
              on_error: Callable[[BaseException], None] | None = None,
              on_done: Callable[[], None] | None = None,
              on_progress: Callable[[float | None, str], None] | None = None,
              with_state: bool = False, **kwargs: Any) -> TaskState:
        """Run ``work(*args, **kwargs)`` (``work(state, ...)`` with ``with_state``) on a worker thread.

        ``on_result`` gets its return value, ``on_error`` its exception (default: the notifier shows
        it), ``on_done`` is called after either; none of them is called for a run that was cancelled
        or replaced by a later one."""
        from superqt.utils import create_worker

        if self.latest_wins:
            self.cancel()
        state = TaskState(self._progress.emit)
        if on_progress is not None:
            self._on_progress_callbacks[state] = on_progress

        def run() -> Any:
            if state.cancelled:
                raise Cancelled
            return work(state, *args, **kwargs) if with_state else work(*args, **kwargs)

        def guarded() -> tuple[bool, Any]:
            # Cancelled is a BaseException, which superqt's worker would let escape the thread.
            try:
                return True, run()
            except Cancelled:
                return False, None

        worker = create_worker(guarded, _ignore_errors=True)  # errors go to on_error or the notifier
        self._running[state] = worker
        self._pending.add(state)
        if self.latest_wins:
            self._current = state

        def counts() -> bool:
            return isValid(self) and not state.cancelled and (not self.latest_wins or state is self._current)

        def returned(outcome: tuple[bool, Any]) -> None:
            finished_ok, value = outcome
            if counts() and finished_ok:
                self._finish(state)
                if on_result is not None:
                    on_result(value)
                if on_done is not None:
                    on_done()

        def errored(exc: BaseException) -> None:
            if counts():
                self._finish(state)
                if on_error is not None:
                    on_error(exc)
                else:
                    self.report(exc)
                if on_done is not None:
                    on_done()

        def finished() -> None:
            if isValid(self):
                self._running.pop(state, None)
                self._on_progress_callbacks.pop(state, None)
                self._finish(state)  # cancelled, or Cancelled inside: nothing was delivered

        worker.returned.connect(returned)
        worker.errored.connect(errored)
        worker.finished.connect(finished)
        # superqt's worker runs on a daemon thread of its own rather than Qt's global pool: the pool makes
        # the process wait at exit for every task, so one stuck on a server that stopped answering would
        # keep the closed app alive. Its signals still arrive queued on the GUI thread.
        threading.Thread(target=worker.run, name="hpgui-task", daemon=True).start()
        return state

    def _finish(self, state: TaskState) -> None:
        self._pending.discard(state)
        if self._current is state:
            self._current = None

    def report(self, exc: BaseException) -> None:
        if self.notifier is not None:
            self.notifier.warn(self.title, describe(exc))

    def cancel(self) -> None:
        """Drop the current run: its result and error are never delivered, and its work stops at its next
        ``state.report``."""
        state, self._current = self._current, None
        if state is not None:
            state.cancel()
        if not self.latest_wins:
            for other in list(self._running):
                other.cancel()
            self._pending.clear()

    def wait(self, timeout_ms: int) -> bool:
        """Wait at most ``timeout_ms`` for every started run to end (delivering what they send meanwhile);
        True if they all did. Work stuck on an unresponsive server is left to end on its own."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self._running and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.01)
        QCoreApplication.processEvents()
        return not self._running

    @Slot(object, object, str)
    def _on_progress(self, state: TaskState, fraction: float | None, text: str) -> None:
        callback = self._on_progress_callbacks.get(state)
        if callback is not None and not state.cancelled and (not self.latest_wins or state is self._current):
            callback(fraction, text)
