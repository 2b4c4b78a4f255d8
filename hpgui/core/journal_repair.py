"""A damaged study journal is cut back to its last complete record before anything writes to it.

Optuna's journal is one JSON record per line, appended under a lock. A crash or a full disk
mid-append leaves a last line cut off; Optuna reads past such a tail, but its next append
lands after the broken bytes, the broken line is then in the middle, and every later read
fails. So before a journal is opened, its tail is checked (the last few kilobytes, cheap),
and one whose tail is not a complete record, or whose replay fails on a bad line, is
repaired under the journal's own lock: the damaged file is first copied beside it
(``NAME.journal.damaged-YYYYmmdd-HHMMSS``), then truncated to the last complete record
before the first bad line. Records after a bad line in the middle are not replayed (a
dropped record would renumber every later trial), but they stay in the copy. Without room
for the copy nothing is changed and :class:`JournalDamaged` says what to do.

The journal lock is Optuna's symlink lock with this process named in the link, so a lock
left by a killed process is recognised at once (its process is gone) and removed with a
notice, instead of stalling every open for Optuna's 30 s grace period.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .owners import owner_is_dead

#: How much of the end of a journal the quick check reads: more than any one record.
TAIL_BYTES = 1 << 16
DAMAGED_INFIX = ".damaged-"
_LOCK_SUFFIX = ".lock"
_OWNER_MARK = "#hpgui-owner="

#: Listeners told, in one line each, what a repair or a stale lock removal did (the CLI prints them,
#: the window shows them). With none, notices go to the log.
listeners: list[Callable[[str], None]] = []


class JournalDamaged(RuntimeError):
    """A journal is damaged and could not be repaired safely; the message says why and what to do."""


@dataclass(frozen=True)
class Repair:
    path: Path
    copy: Path
    kept_records: int
    kept_trials: int
    dropped_bytes: int
    bad_line: int | None  # 1-based line of the first bad record, when it was not the last one

    def message(self) -> str:
        where = f"a bad record at line {self.bad_line}" if self.bad_line else "an incomplete last record"
        return (f"{self.path.name} had {where}: kept {self.kept_records} complete records "
                f"({self.kept_trials} trials), dropped {self.dropped_bytes} bytes; the original is kept as "
                f"{self.copy}")


def notify(text: str) -> None:
    if not listeners:
        import logging

        logging.getLogger(__name__).warning(text)
    for listener in list(listeners):
        listener(text)


# -- finding the damage ----------------------------------------------------------------------------


def _complete(line: bytes) -> bool:
    if not line.endswith(b"\n"):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def tail_is_sound(path: Path) -> bool:
    """True when the file is empty or ends with a complete record (reads only its last bytes)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return True
    if size == 0:
        return True
    with open(path, "rb") as fh:
        fh.seek(max(0, size - TAIL_BYTES))
        tail = fh.read()
    if not tail.endswith(b"\n"):
        return False
    lines = tail.splitlines(keepends=True)
    # With the whole file read, the first line is whole too; else it may be a record's second half.
    return _complete(lines[-1]) if lines else True


def scan(path: Path) -> tuple[int, int, int, int | None]:
    """(bytes of sound records, their count, trials they create, 1-based line of the first bad one)."""
    from optuna.storages.journal._storage import JournalOperation

    good = records = trials = 0
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not _complete(line):
                return good, records, trials, number
            good += len(line)
            records += 1
            if b'"op_code":%d' % JournalOperation.CREATE_TRIAL in line:
                trials += 1
    return good, records, trials, None


# -- repairing -------------------------------------------------------------------------------------


def _copy_path(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    copy = path.with_name(f"{path.name}{DAMAGED_INFIX}{stamp}")
    n = 1
    while copy.exists():
        n += 1
        copy = path.with_name(f"{path.name}{DAMAGED_INFIX}{stamp}-{n}")
    return copy


def _repair_locked(path: Path) -> Repair | None:
    good, records, trials, bad = scan(path)
    size = path.stat().st_size
    if bad is None and good == size:
        return None
    if records == 0:  # not a journal that went wrong but something else: leave it as it is
        raise JournalDamaged(f"{path.name} is not a readable study journal: its first line is not a journal record")
    with open(path, "rb") as fh:
        fh.seek(good)
        rest = fh.read()
    last_line_bad = rest.count(b"\n") <= 1 and (rest.endswith(b"\n") or b"\n" not in rest)
    copy = _copy_path(path)
    try:
        shutil.copy2(path, copy)
        with open(copy, "rb") as fh:  # the copy must be whole before the original is cut
            os.fsync(fh.fileno())
    except OSError as exc:
        try:
            copy.unlink()
        except OSError:
            pass
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            raise JournalDamaged(
                f"the disk holding {path} is full, and a write it cut short left the journal's last record "
                f"incomplete. Free some space; the next open keeps its {records} complete records ({trials} "
                "trials) and a copy of the damaged file. Finished trials are kept; run the same command again "
                "to resume.") from None
        raise JournalDamaged(
            f"{path} is damaged after its {records} complete records ({trials} trials), and a copy could not "
            f"be kept beside it before repairing it ({exc.strerror or exc}). Free some space or make the "
            "folder writable, then open the study again; nothing was changed.") from None
    with open(path, "r+b") as fh:
        fh.truncate(good)
        os.fsync(fh.fileno())
    return Repair(path=path, copy=copy, kept_records=records, kept_trials=trials, dropped_bytes=size - good,
                  bad_line=None if last_line_bad else bad)


def repair(path: str | Path, force: bool = False) -> Repair | None:
    """Repair ``path`` if its tail (or, with ``force``, any line) is damaged; None when it was sound.

    Safe while other processes use the journal: the check is repeated under the journal's lock,
    which every writer holds while it appends.
    """
    path = Path(path)
    if not path.exists() or (not force and tail_is_sound(path)):
        return None
    lock = OwnerLock(str(path))
    lock.acquire()
    try:
        if not force and tail_is_sound(path):
            return None  # a writer was mid-append when we looked
        done = _repair_locked(path)
    finally:
        lock.release()
    if done is not None:
        notify(done.message())
    return done


def _ends_mid_record(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        if fh.tell() == 0:
            return False
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) != b"\n"


def file_backend(path: str | Path) -> "object":
    """Optuna's journal file backend that, holding the lock, repairs a cut-off tail before it appends.

    Another process may have been cut off mid-append (a full disk, a kill) after this one opened
    the journal; appending after its broken bytes would break the file for every reader.
    """
    from optuna.storages.journal import JournalFileBackend
    from optuna.storages.journal._file import get_lock_file

    class _RepairingBackend(JournalFileBackend):
        def append_logs(self, logs: list) -> None:
            with get_lock_file(self._lock):
                if _ends_mid_record(Path(self._file_path)):
                    done = _repair_locked(Path(self._file_path))
                    if done is not None:
                        notify(done.message())
                text = "\n".join(json.dumps(log, separators=(",", ":")) for log in logs) + "\n"
                with open(self._file_path, "ab") as f:
                    f.write(text.encode("utf-8"))
                    f.flush()
                    os.fsync(f.fileno())

    return _RepairingBackend(str(path), lock_obj=OwnerLock(str(path)))


# -- the journal lock ------------------------------------------------------------------------------


def _lock_class():
    from optuna.storages.journal import JournalFileSymlinkLock

    class _OwnerLock(JournalFileSymlinkLock):
        """Optuna's symlink lock whose link names its owner ("host:pid"), so a dead owner's lock is seen."""

        def __init__(self, filepath: str, grace_period: int | None = 30) -> None:
            super().__init__(filepath, grace_period)
            self._journal = filepath
            self._lock_target_file = f"{filepath}{_OWNER_MARK}{socket.gethostname()}:{os.getpid()}"

        def acquire(self) -> bool:
            while True:
                try:
                    os.symlink(self._lock_target_file, self._lock_file)
                    return True
                except FileExistsError:
                    if not self._remove_if_dead():
                        return super().acquire()  # a live (or unknown) owner: Optuna's own wait
                except OSError as exc:
                    raise _lock_error(self._journal, exc) from None

        def _remove_if_dead(self) -> bool:
            try:
                target = os.readlink(self._lock_file)
            except OSError:
                return True  # released meanwhile: try again
            owner = target.rpartition(_OWNER_MARK)[2] if _OWNER_MARK in target else None
            if not owner_is_dead(owner):
                return False
            moved = f"{self._lock_file}.stale-{os.getpid()}"
            try:
                os.rename(self._lock_file, moved)
                os.unlink(moved)
            except OSError:
                return True  # another process removed it first
            notify(f"removed a lock on {Path(self._journal).name} left by process {owner.rpartition(':')[2]}, "
                   "which is no longer running")
            return True

    return _OwnerLock


class _LazyLock:
    def __new__(cls, filepath: str, grace_period: int | None = 30):
        return _lock_class()(filepath, grace_period)


OwnerLock = _LazyLock


def _lock_error(path: str, exc: OSError) -> OSError:
    folder = Path(path).parent
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return PermissionError(exc.errno, f"the study folder {folder} is not writable ({exc.strerror}); "
                                          "make it writable or set HPGUI_DATA_DIR to a folder you can write")
    return exc
