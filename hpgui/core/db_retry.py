"""A database storage that waits out a lost connection: each call is retried with backoff.

A database server restarting, or a network hiccup, should not end a search that runs for
hours. Every storage call that fails because the connection is gone is tried again after
0.5, 1, 2, 4, 8, 8… seconds, for up to ``HPGUI_DB_RETRY_S`` seconds in all (default 120);
then the error goes up and the caller says the server stopped answering. The engine checks a
pooled connection before using it (``pool_pre_ping``), so once the server is back the next
try gets a fresh connection. A write whose commit reached the server just before the
connection died may be sent twice; Optuna's writes are either idempotent (attributes, state
changes of a finished trial are refused) or create a trial that the heartbeat fails later.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from typing import Any, Callable

DEFAULT_RETRY_S = 120.0
_MAX_PAUSE_S = 8.0
_state = threading.local()


def retry_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get("HPGUI_DB_RETRY_S", DEFAULT_RETRY_S)))
    except ValueError:
        return DEFAULT_RETRY_S


def connection_lost(exc: BaseException) -> bool:
    """True when ``exc`` (or what it wraps) says the connection to the database is gone."""
    from sqlalchemy import exc as sa

    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, (sa.OperationalError, sa.InterfaceError, sa.DisconnectionError)):
            return True
        if isinstance(exc, sa.DBAPIError) and exc.connection_invalidated:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _retrying(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(_state, "inside", False):  # a storage call made by another: the outer one retries
            return method(self, *args, **kwargs)
        _state.inside = True
        try:
            return _with_retries(method, self, *args, **kwargs)
        finally:
            _state.inside = False

    return call


def _with_retries(method: Callable[..., Any], self: Any, *args: Any, **kwargs: Any) -> Any:
    deadline = time.monotonic() + retry_seconds()
    pause = 0.5
    while True:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - only a lost connection is retried; the rest goes up
            if not connection_lost(exc) or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, _MAX_PAUSE_S)


@functools.cache
def retrying_rdb_storage() -> type:
    """Optuna's RDBStorage with every public storage call retried on a lost connection."""
    from optuna.storages import BaseStorage, RDBStorage

    names = [n for n in dir(BaseStorage) if not n.startswith("_") and callable(getattr(BaseStorage, n))]
    names += ["record_heartbeat", "_get_stale_trial_ids", "get_heartbeat_interval"]
    body = {n: _retrying(getattr(RDBStorage, n)) for n in names if hasattr(RDBStorage, n)}
    body["record_heartbeat"] = _quiet(body["record_heartbeat"])
    return type("RetryingRDBStorage", (RDBStorage,), body)


def _quiet(record: Callable[..., Any]) -> Callable[..., Any]:
    # Optuna beats the heart on a thread of its own, and an error there is printed as a raw
    # traceback. A missed beat harms nothing: the search thread's next call meets the same
    # lost server and says so in one line.
    @functools.wraps(record)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return record(self, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - see above; anything else still goes up
            if not connection_lost(exc):
                raise
            return None

    return call


def open_rdb(url: str, **kwargs: Any) -> Any:
    engine = dict(kwargs.pop("engine_kwargs", None) or {})
    engine.setdefault("pool_pre_ping", True)
    # The first connection is not retried: a mistyped host or password should be said at once.
    return retrying_rdb_storage()(url, engine_kwargs=engine, **kwargs)
