"""Storage faults told as one line: a full disk, a read-only folder, a database that went away.

Writing a study can fail for reasons no setup can prevent. Each such error becomes a
:class:`StorageFault` whose message names the file or server and what to do; the trials
written before it stay in the study (every trial is written when it ends), so the advice is
always "fix this, then run the same command again to resume".
"""

from __future__ import annotations

import errno
from pathlib import Path

from .url_secrets import mask, scrub

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


class StorageFault(RuntimeError):
    """A study could not be read or written; ``str()`` says where and what to do."""


def _where(storage_url: str | None) -> str:
    if not storage_url:
        return "the study storage"
    if storage_url.startswith("journal://"):
        from .storage import journal_url_path

        return str(journal_url_path(storage_url))
    return mask(storage_url)


def _is_database_error(exc: BaseException) -> bool:
    names = {c.__name__ for c in type(exc).__mro__}
    modules = {(c.__module__ or "").split(".")[0] for c in type(exc).__mro__}
    return bool(names & {"StorageInternalError", "OperationalError", "InterfaceError", "DisconnectionError"}) \
        or bool(modules & {"sqlalchemy", "psycopg2", "psycopg"})


def describe(exc: BaseException, storage_url: str | None, started: bool = True) -> str | None:
    """The one-line message for a storage fault, or None when ``exc`` is not one."""
    from .journal_repair import JournalDamaged

    resume = ("Finished trials are kept; run the same command again to resume." if started
              else "Nothing was written.")
    if isinstance(exc, (StorageFault, JournalDamaged)):
        return str(exc)
    from .storage import StorageFolderError

    if isinstance(exc, StorageFolderError):
        return f"{exc.strerror}. {resume}"
    if isinstance(exc, OSError) and exc.errno in _DISK_FULL:
        target = exc.filename or _where(storage_url)
        return f"the disk holding {target} is full. Free some space. {resume}"
    if isinstance(exc, OSError) and exc.errno in _READ_ONLY:
        target = Path(exc.filename).parent if exc.filename else _where(storage_url)
        return (f"{target} cannot be written ({exc.strerror}). Make it writable or set HPGUI_DATA_DIR (or "
                f"--storage) to a folder you can write. {resume}")
    if _is_database_error(exc):
        from .db_retry import connection_lost

        cause = exc.__cause__ or exc
        detail = scrub(f"{type(cause).__name__}: " + " ".join(str(cause).split())[:200], storage_url)
        if connection_lost(exc):
            return (f"the database {_where(storage_url)} stopped answering ({detail}). Check that the server "
                    f"runs and can be reached. {resume}")
        return f"the database {_where(storage_url)} refused a write ({detail}). {resume}"
    return None
