"""A compact copy of a large study's trials beside its journal file, so it reopens without a replay.

Optuna reads a journal file by replaying every operation in it (~200 µs a trial:
20 s for 100,000 trials). Once hpgui has read a large study whose trials have all
finished, it writes what it read (the library row, the stored setup and every
trial record) to ``<journal>.<study>.snapshot.json``; the next open reads that
instead (under a second for 100,000 trials). Optuna's own journal snapshots are
pickles and only for Redis, so they are not used.

The snapshot is JSON lines: a header (format, the journal's size, modification
time and a hash of its last 64 KiB, the studies the file held, a SHA-256 of the
rest) and then the trials as columns, 5,000 trials a line. It is used only while the
journal is exactly as it was when the snapshot was written: any write to the
journal (a trial added, a trial changed, a study renamed) makes it stale, and the
next open replays the journal and writes a new one. A snapshot that cannot be
read, is cut off, was edited, or was written by another version of hpgui is
ignored, never trusted: opening then costs one replay, as without it.
"""

from __future__ import annotations

import dataclasses
import gc
import glob
import hashlib
import json
import logging
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from .records import TrialRecord
from .storage import safe_name

__all__ = ["FORMAT", "MIN_TRIALS", "Snapshot", "current_headers", "journal_key", "read", "read_header", "remove_all", "snapshot_path",
           "write"]

log = logging.getLogger(__name__)

FORMAT = "hpgui-study-snapshot/1"
#: Smaller studies replay in well under a second; a snapshot would only be one more file.
MIN_TRIALS = 2000
CHUNK = 5000  # trials per line of the snapshot
_TAIL_BYTES = 64 * 1024
_FIELDS = [f.name for f in dataclasses.fields(TrialRecord)]
_DATES = ("started", "finished")
_STATES = {"complete", "failed", "pruned", "running", "waiting"}


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """What a snapshot holds: its header (see the module docstring) and the study's trial records."""

    header: dict[str, Any]
    records: list[TrialRecord]


def snapshot_path(journal: Path, study: str) -> Path:
    return journal.with_name(f"{journal.name}.{safe_name(study)}.snapshot.json")


def journal_key(journal: Path) -> dict[str, Any] | None:
    """What identifies the journal's content now: size, modification time, hash of its tail (None: unreadable)."""
    try:
        with open(journal, "rb") as f:
            stat = os.fstat(f.fileno())
            f.seek(max(0, stat.st_size - _TAIL_BYTES))
            tail = f.read(_TAIL_BYTES)
    except OSError:
        return None
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "tail_sha256": hashlib.sha256(tail).hexdigest()}


def _encode(records: Sequence[TrialRecord]) -> dict[str, list]:
    columns: dict[str, list] = {}
    for name in _FIELDS:
        values = [getattr(r, name) for r in records]
        if name in _DATES:
            values = [None if v is None else v.isoformat() for v in values]
        columns[name] = values
    return columns


def _decode(columns: dict[str, list]) -> list[TrialRecord]:
    if not isinstance(columns, dict) or list(columns) != _FIELDS:
        raise ValueError("the trial columns are not the ones this hpgui writes")
    n = len(columns["number"])
    if any(not isinstance(c, list) or len(c) != n for c in columns.values()):
        raise ValueError("the trial columns differ in length")
    if any(type(x) is not int for x in columns["number"]) or not set(columns["state"]) <= _STATES \
            or any(type(p) is not dict for p in columns["params"]):
        raise ValueError("a trial's number, state or parameters have the wrong type")
    for name in _DATES:
        columns[name] = [None if v is None else datetime.fromisoformat(v) for v in columns[name]]
    return [TrialRecord(*row) for row in zip(*columns.values())]


def _chunks(records: Sequence[TrialRecord]) -> bytes:
    # One JSON line per CHUNK trials: json.loads holds the interpreter lock for a whole document, and a
    # window reading 100,000 trials on a worker thread would freeze for as long as one line takes.
    lines = [json.dumps(_encode(records[i:i + CHUNK]), separators=(",", ":"), allow_nan=True).encode()
             for i in range(0, len(records), CHUNK)]
    return b"\n".join(lines)


def write(journal: Path, study: str, key: dict[str, Any], header: dict[str, Any],
          records: Sequence[TrialRecord]) -> bool:
    """Write the snapshot of ``study`` for the journal content ``key`` describes; False if it could not be."""
    path = snapshot_path(journal, study)
    payload = _chunks(records)
    head = {**header, "format": FORMAT, "study": study, "journal": key, "fields": _FIELDS, "trials": len(records),
            "trials_sha256": hashlib.sha256(payload).hexdigest()}
    # A name of its own per writer, then an atomic rename: a reader never sees half a snapshot, and two
    # windows writing the same one at once each leave a whole one.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(json.dumps(head, separators=(",", ":")).encode() + b"\n")
            f.write(payload + b"\n")
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError) as exc:  # a read-only folder, a value JSON cannot hold
        log.debug("no snapshot for %s: %s", study, exc)
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return False
    return True


def _valid_header(line: bytes, journal: Path, study: str) -> dict[str, Any] | None:
    try:
        header = json.loads(line)
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("study") != study \
            or header.get("fields") != _FIELDS:
        return None
    key = journal_key(journal)
    if key is None or header.get("journal") != key:
        return None  # the journal changed since: the snapshot is stale
    return header


def read_header(journal: Path, study: str) -> dict[str, Any] | None:
    """The header of a current snapshot of ``study`` (None when there is none, or it is stale or unreadable)."""
    try:
        with open(snapshot_path(journal, study), "rb") as f:
            return _valid_header(f.readline(), journal, study)
    except OSError:
        return None


def current_headers(journal: Path) -> list[dict[str, Any]]:
    """The headers of every current snapshot of the studies in ``journal``."""
    out = []
    for path in journal.parent.glob(f"{glob.escape(journal.name)}.*.snapshot.json"):
        try:
            with open(path, "rb") as f:
                line = f.readline()
            study = json.loads(line).get("study")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(study, str) and snapshot_path(journal, study) == path:
            header = _valid_header(line, journal, study)
            if header is not None:
                out.append(header)
    return out


def read(journal: Path, study: str) -> Snapshot | None:
    """The current snapshot of ``study``, checked whole; None when there is none or it cannot be trusted."""
    try:
        with open(snapshot_path(journal, study), "rb") as f:
            header = _valid_header(f.readline(), journal, study)
            if header is None:
                return None
            payload = f.read().rstrip(b"\n")
    except OSError:
        return None
    if hashlib.sha256(payload).hexdigest() != header.get("trials_sha256"):
        log.debug("snapshot of %s ignored: its trials do not match its checksum", study)
        return None
    # 100,000 new records would set off full collections over every object alive (see records_from_frozen).
    enabled = gc.isenabled()
    gc.disable()
    try:
        records = []
        for line in payload.split(b"\n") if payload else ():
            records.extend(_decode(json.loads(line)))
    except (ValueError, TypeError) as exc:
        log.debug("snapshot of %s ignored: %s", study, exc)
        return None
    finally:
        if enabled:
            gc.enable()
    if len(records) != header.get("trials"):
        return None
    return Snapshot(header, records)


def remove_all(journal: Path) -> None:
    """Delete every snapshot of the studies in ``journal`` (it was deleted or its studies renamed)."""
    for path in journal.parent.glob(f"{glob.escape(journal.name)}.*.snapshot.json"):
        try:
            path.unlink()
        except OSError:
            pass
