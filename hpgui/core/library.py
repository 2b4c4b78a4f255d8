"""The study library: what studies a storage holds, listing and opening them.

A storage is either the embedded default (``None``: one journal file per study
under the data folder) or an Optuna storage URL. Listing reads every study's
trials once to count them by state; journal files are summarised once per
change of size or modification time, so reopening the library over a hundred
unchanged studies costs a ``stat`` each.

Studies made outside hpgui (no ``hpgui:setup`` attribute) are listed and can be
watched, compared and deleted; files that are not journals are listed as broken.
Nothing here raises for a bad study file: it becomes a row with a ``problem``.

Every path that opens a study for the library goes through :func:`open_study`,
so housekeeping such as failing the trials of dead workers can be done there.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from .metrics import Metric
from . import snapshot
from .records import ATTR_BASELINE, ATTR_SETUP, TrialRecord, records_from_frozen
from .setup import SearchSetup
from .study_summary import StudyInfo, _metric_for, _parse_setup, _summary, _visible
from .storage import journal_file_storage, journal_path, open_storage, studies_dir
from .url_secrets import mask as redact, scrub

# Renaming and deleting live in study_edit, watching in study_watch, the best-so-far curve in best_curve.
__all__ = ["LibraryError", "LoadCancelled", "StudyInfo", "LoadedStudy", "list_studies", "load_study", "open_study",
           "study_names", "storage_label", "keep_snapshot"]

log = logging.getLogger(__name__)

#: ``progress(fraction, text)``: how far reading a study got (fraction None: unknown). It may raise
#: :class:`LoadCancelled` to stop the reading.
Progress = Callable[[float | None, str], None]

class LibraryError(RuntimeError):
    """A storage or study could not be read or changed; the message says which and what to do."""


class LoadCancelled(BaseException):
    """Raised by a progress callback to stop reading a study (a BaseException: nothing on the way swallows it)."""


def storage_label(storage: str | None) -> str:
    """How a storage is named to the user (never with its password)."""
    return "the default storage on this computer" if not storage else redact(storage)


@dataclass
class LoadedStudy:
    """A study read in full: its row, its setup (None if not made by hpgui) and its trials."""

    info: StudyInfo
    setup: SearchSetup | None
    setup_problem: str | None
    records: list[TrialRecord]
    param_names: list[str]
    metric: Metric
    # With load_study(defer_snapshot=True): writes the snapshot; call it after the study is shown.
    keep_snapshot: Callable[[], None] | None = field(default=None, repr=False, compare=False)
    baseline: Any = None  # the stored baseline's JSON (core.baseline.Baseline.from_json reads it)


# -- reading ---------------------------------------------------------------------------------------


def _storage_error(storage: str | None, exc: BaseException) -> LibraryError:
    detail = scrub(" ".join(str(exc).split())[:300], storage)
    return LibraryError(f"cannot read the study storage {storage_label(storage)}: {type(exc).__name__}: {detail}")


def _open(storage: str | None, study_name: str = "", path: Path | None = None, report: Progress | None = None) -> Any:
    if path is not None:
        wrap = None if report is None else (lambda backend: _replay_reporter(backend, path, report))
        return journal_file_storage(path, wrap)
    return open_storage(storage, study_name, for_writing=False)


def _count_lines(path: Path) -> int:
    lines = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            lines += chunk.count(b"\n")
    return lines


def _replay_reporter(backend: Any, path: Path, report: Progress) -> Any:
    """``backend`` that reports how far Optuna's replay of the journal got, about ten times a second.

    Optuna replays a journal while it builds the storage, in one call; its backend hands it the log
    entries one by one, which is the only place to see (and stop) the replay going.
    """
    from optuna.storages.journal import BaseJournalBackend

    total = _count_lines(path)
    name = f"{path.name} ({path.stat().st_size / 1e6:,.0f} MB)"

    class Reporting(BaseJournalBackend):
        def read_logs(self, log_number_from: int):
            remaining = max(total - log_number_from, 1)
            last = time.monotonic()
            for i, entry in enumerate(backend.read_logs(log_number_from)):
                if not i & 1023 and (i == 0 or time.monotonic() - last > 0.1):
                    last = time.monotonic()
                    report(min(i / remaining, 1.0), f"Reading {name}: {min(i / remaining, 1.0):.0%}")
                yield entry

        def append_logs(self, logs: list) -> None:
            backend.append_logs(logs)

    return Reporting()


def _summaries(store: Any, storage: str | None, path: Path | None,
               key: dict | None = None) -> list[StudyInfo]:
    """The row of each study in ``store``; with ``key`` (the journal file's before it was read), large
    studies also get a snapshot, so opening them next is quick."""
    from optuna.trial import TrialState

    out = []
    studies = store.get_all_studies()
    for frozen in studies:
        trials = store.get_all_trials(frozen._study_id, deepcopy=False)
        if any(t.state == TrialState.RUNNING for t in trials):
            import optuna

            # A study left behind by a killed app or worker is listed with its cut-off trials failed.
            if _recover(optuna.Study(study_name=frozen.study_name, storage=store)):
                trials = store.get_all_trials(frozen._study_id, deepcopy=False)
        info = _summary(frozen, trials, storage, path)
        out.append(info)
        if key is not None and path is not None and info.finished >= snapshot.MIN_TRIALS:
            _keep_snapshot(path, key, info, frozen.user_attrs, records_from_frozen(_visible(trials)),
                           [s.study_name for s in studies])
    return out


# -- snapshots of large studies (see core.snapshot) ------------------------------------------------


def _info_json(info: StudyInfo) -> dict:
    out = {f.name: getattr(info, f.name) for f in dataclasses.fields(StudyInfo) if f.name not in ("storage", "path")}
    for name in ("created", "last_trial"):
        out[name] = out[name].isoformat() if out[name] is not None else None
    out["counts"] = dict(info.counts)
    return out


def _info_from_json(data: dict, path: Path) -> StudyInfo:
    data = dict(data)
    for name in ("created", "last_trial"):
        data[name] = datetime.fromisoformat(data[name]) if data.get(name) is not None else None
    return StudyInfo(storage=None, path=path, **data)


def _keep_snapshot(path: Path, key: dict, info: StudyInfo, attrs: dict, records: list[TrialRecord],
                   studies_in_file: list[str], report: Progress | None = None) -> None:
    """Write a snapshot when the study is large, finished, and its journal did not change while it was read."""
    if len(records) < snapshot.MIN_TRIALS or any(r.state == "running" for r in records) \
            or snapshot.journal_key(path) != key:
        return
    if report is not None:
        report(None, f"Keeping a snapshot of {len(records):,} trials for quick reopening…")
    header = {"info": _info_json(info), "setup": attrs.get(ATTR_SETUP), "studies_in_file": studies_in_file,
              "baseline": attrs.get(ATTR_BASELINE)}
    snapshot.write(path, info.name, key, header, records)


def _infos_from_snapshots(path: Path) -> list[StudyInfo] | None:
    """The rows of a journal's studies from their current snapshots, if every study in it has one."""
    headers = {h["study"]: h for h in snapshot.current_headers(path)}
    for header in headers.values():
        names = header.get("studies_in_file")
        if isinstance(names, list) and set(names) == set(headers):
            try:
                return [_info_from_json(headers[n]["info"], path) for n in names]
            except (TypeError, ValueError, KeyError):
                return None
    return None


def _loaded_from_snapshot(snap: snapshot.Snapshot, path: Path) -> LoadedStudy | None:
    try:
        info = _info_from_json(snap.header["info"], path)
        setup, problem = _parse_setup({ATTR_SETUP: snap.header["setup"]} if snap.header.get("setup") is not None
                                      else {})
    except (TypeError, ValueError, KeyError):
        return None
    metric = _metric_for(setup, info.task, info.direction)
    records = snap.records
    return LoadedStudy(info, setup, problem, records, _param_order(setup, info.task, records), metric,
                       baseline=snap.header.get("baseline"))


def _recover(study: Any) -> list[int]:
    """Fail the trials of dead workers (see core.recovery); a storage we may not write to is left as is."""
    from .recovery import fail_stale_trials

    try:
        return fail_stale_trials(study)
    except Exception:  # noqa: BLE001 - listing and opening must work on read-only storage too
        return []


# Journal files already summarised, by (path, size, mtime): reopening the library reads only what changed.
_CACHE: dict[Path, tuple[tuple[int, int], list[StudyInfo]]] = {}
_CACHE_LOCK = threading.Lock()


def _summarise_file(path: Path) -> list[StudyInfo]:
    try:
        stat = path.stat()
    except OSError as exc:
        return [StudyInfo(name=path.stem, storage=None, path=path, problem=f"cannot read {path.name}: {exc}")]
    key = (stat.st_size, stat.st_mtime_ns)
    with _CACHE_LOCK:
        cached = _CACHE.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    from_snapshots = _infos_from_snapshots(path)
    if from_snapshots is not None:
        with _CACHE_LOCK:
            _CACHE[path] = (key, from_snapshots)
        return from_snapshots
    before = snapshot.journal_key(path)  # taken before the replay: a write during it voids the snapshot
    try:
        infos = _summaries(_open(None, path=path), None, path, key=before)
    except Exception as exc:  # noqa: BLE001 - a damaged or foreign file is a row, not a crash
        infos = [StudyInfo(name=path.stem, storage=None, path=path,
                           problem=f"{path.name} is not a readable study journal "
                                   f"({type(exc).__name__}: {' '.join(str(exc).split())[:200]})")]
    if not infos:
        infos = [StudyInfo(name=path.stem, storage=None, path=path,
                           problem=f"{path.name} holds no study (it is empty, or was cut off while being written)")]
    with _CACHE_LOCK:
        _CACHE[path] = (key, infos)
    return infos


def list_studies(storage: str | None = None) -> list[StudyInfo]:
    """Every study in ``storage`` (None: each journal file in the data folder), newest first.

    Raises :class:`LibraryError` only when a storage URL cannot be opened at all.
    """
    if not storage:
        infos: list[StudyInfo] = []
        for path in sorted(studies_dir().glob("*.journal")):
            infos.extend(_summarise_file(path))
    else:
        try:
            infos = _summaries(_open(storage), storage, None)
        except Exception as exc:  # noqa: BLE001 - a mistyped URL, a missing driver, a server that does not answer
            raise _storage_error(storage, exc) from None
    return sorted(infos, key=lambda i: (i.last_trial or i.created or datetime.min).isoformat(), reverse=True)


def study_names(storage: str | None) -> list[str]:
    """The names of the studies in a storage, cheaply (for pickers)."""
    if not storage:
        return [i.name for i in list_studies(None) if i.problem is None]
    import optuna

    try:
        return sorted(optuna.get_all_study_names(_open(storage)))
    except Exception as exc:  # noqa: BLE001
        raise _storage_error(storage, exc) from None


def _location(storage: str | None, name: str, report: Progress | None = None) -> tuple[Any, Path | None]:
    """The Optuna storage holding study ``name`` and, for the default storage, its file."""
    if storage:
        try:
            return _open(storage), None
        except Exception as exc:  # noqa: BLE001
            raise _storage_error(storage, exc) from None
    path = journal_path(name)
    if not path.exists():
        # A study whose name does not match its file (written by another tool): find its file.
        for info in list_studies(None):
            if info.name == name and info.problem is None:
                path = info.path
                break
        else:
            raise LibraryError(f"there is no study named {name!r} in {storage_label(None)}")
    try:
        return _open(None, path=path, report=report), path
    except Exception as exc:  # noqa: BLE001
        raise _storage_error(None, exc) from None


def _open_study(storage: str | None, name: str, report: Progress | None = None) -> tuple[Any, Path | None]:
    """The Optuna study ``name`` in ``storage`` and its journal file (default storage only).

    Every way the library opens a study comes through here.
    """
    import optuna

    store, path = _location(storage, name, report)
    try:
        study = optuna.load_study(study_name=name, storage=store)
    except KeyError:
        raise LibraryError(f"there is no study named {name!r} in {storage_label(storage)}") from None
    except Exception as exc:  # noqa: BLE001
        raise _storage_error(storage, exc) from None
    _recover(study)
    return study, path


def open_study(storage: str | None, name: str) -> Any:
    """The Optuna study ``name`` in ``storage``."""
    return _open_study(storage, name)[0]


def _param_order(setup: SearchSetup | None, task: str | None, records: list[TrialRecord]) -> list[str]:
    seen: dict[str, None] = {}
    for r in records:
        for name in r.params:
            seen.setdefault(name)
    if setup is None or task is None:
        return list(seen)
    try:
        names = setup.choice(task).order
    except Exception:  # noqa: BLE001 - a setup from a newer hpgui: fall back to what the trials hold
        return list(seen)
    return names + [n for n in seen if n not in names]


def load_study(storage: str | None, name: str, progress: Progress | None = None,
               defer_snapshot: bool = False) -> LoadedStudy:
    """A study's row, setup and every trial (queued grid points and surplus trials left out).

    A large study in the default storage comes from its snapshot while its journal is unchanged,
    and gets one when it is read in full (core.snapshot). ``progress`` hears how far reading got
    and may raise :class:`LoadCancelled`.
    """
    report = progress or (lambda fraction, text: None)
    journal = None if storage else journal_path(name)
    if journal is not None and not journal.exists():
        journal = None  # a study whose file has another name: found by listing, never snapshotted
    if journal is not None:
        snap = snapshot.read(journal, name)
        loaded = _loaded_from_snapshot(snap, journal) if snap is not None else None
        if loaded is not None:
            return loaded
    key = snapshot.journal_key(journal) if journal is not None else None
    report(0.0, f"Reading study {name}…")
    study, path = _open_study(storage, name, report if progress is not None else None)
    try:
        trials = study.get_trials(deepcopy=False)
        studies = study._storage.get_all_studies()
        frozen = next(s for s in studies if s.study_name == name)
    except Exception as exc:  # noqa: BLE001
        raise _storage_error(storage, exc) from None
    report(None, f"Preparing {len(trials):,} trials…")
    info = _summary(frozen, trials, storage, path)
    attrs = dict(study.user_attrs)
    setup, problem = _parse_setup(attrs)
    records = records_from_frozen(_visible(trials))
    keep = None
    if key is not None and path == journal:
        names = [s.study_name for s in studies]
        if defer_snapshot:
            # The window shows the study first and keeps the snapshot afterwards, in the background.
            keep = lambda: _keep_snapshot(journal, key, info, attrs, records, names)  # noqa: E731
        else:
            _keep_snapshot(journal, key, info, attrs, records, names, report)
    metric = _metric_for(setup, info.task, info.direction)
    return LoadedStudy(info, setup, problem, records, _param_order(setup, info.task, records), metric, keep,
                       baseline=attrs.get(ATTR_BASELINE))


def keep_snapshot(storage: str | None, name: str, trials: int) -> bool:
    """Give a study of ``trials`` trials in the default storage its snapshot now, so even its first
    open skips the journal replay (called when a search ends). True when a current snapshot exists.

    Only for studies of at least ``snapshot.MIN_TRIALS`` trials, as it costs one replay; a study still
    being written (another worker's trial running) gets none, as when it is opened. Never raises: a
    snapshot only spares a later replay.
    """
    journal = None if storage else journal_path(name)
    if journal is None or trials < snapshot.MIN_TRIALS or not journal.exists():
        return False
    try:
        if snapshot.read_header(journal, name) is None:
            load_study(storage, name)
    except Exception as exc:  # noqa: BLE001
        log.debug("no snapshot of %s: %s", name, exc)
        return False
    return snapshot.read_header(journal, name) is not None
