"""Fewer journal writes per trial: several records of one trial sent in one append.

Optuna's journal file backend locks the file, appends and fsyncs once per ``append_logs``
call, and ``JournalStorage`` makes one call per record: a trial's owner, each suggested
value, its result attribute and its state were 4 + (number of hyperparameters) locked,
fsynced writes. The backend takes a list, so records that need not be on disk one by one can
travel together: the owner with the suggested values (written before the fit starts, so a
worker that dies mid-fit still leaves them), and the result attribute with the state that
closes the trial. A trial then costs three writes whatever its number of hyperparameters.

Records held back are invisible to readers until they are sent, this process's own replay
included; Optuna's ``Trial`` keeps its own copy of what it suggested and set, which is all
the code in between reads. Any other write, from any thread (a heartbeat), sends the held
records first, so the journal keeps them in the order they were made. Storages other than a
journal file (a database) write as before.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterator


class BatchingBackend:
    """A journal backend that can hold the records one thread writes and send them in one append."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self._lock = threading.Lock()
        self._held: list[dict[str, Any]] = []
        self._holder: int | None = None
        self.appends = 0  # calls that reached the file, for tests and benchmarks

    def read_logs(self, log_number_from: int) -> Any:
        return self.inner.read_logs(log_number_from)

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        with self._lock:
            if self._holder == threading.get_ident():
                self._held.extend(logs)
                return
            batch, self._held = self._held + list(logs), []
        if batch:
            self.inner.append_logs(batch)
            self.appends += 1

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Records this thread writes inside the block wait for :meth:`flush` or the next write."""
        with self._lock:
            self._holder = threading.get_ident()
        try:
            yield
        finally:
            with self._lock:
                self._holder = None

    def flush(self) -> None:
        self.append_logs([])

    def discard(self) -> None:
        with self._lock:
            self._held = []

    def __getattr__(self, name: str) -> Any:
        # Anything else a caller asks of the backend (its path, its lock) is the wrapped one's.
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def __getstate__(self) -> dict[str, Any]:
        return {"inner": self.inner}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["inner"])


def install(storage: Any) -> BatchingBackend | None:
    """Put a batching backend under a journal storage (once); None for any other storage."""
    from optuna.storages import JournalStorage

    if not isinstance(storage, JournalStorage):
        return None
    backend = getattr(storage, "_backend", None)
    if isinstance(backend, BatchingBackend):
        return backend
    if backend is None or not hasattr(backend, "append_logs"):
        return None  # an Optuna that keeps its backend elsewhere: write record by record
    batching = BatchingBackend(backend)
    storage._backend = batching
    return batching


@contextmanager
def held(batch: BatchingBackend | None) -> Iterator[None]:
    if batch is None:
        yield
        return
    with batch.holding():
        yield
