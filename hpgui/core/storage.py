"""Where studies live.

By default each study is one append-only journal file under the user's data
folder: Optuna's journal backend takes a file lock per write, so several worker
processes on one machine can share a study, and a crash loses at most the trial
that was running. Any Optuna storage URL (``postgresql://…``, ``sqlite:///…``)
can be given instead, and ``journal:///path/file.journal`` names a journal file.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any

APP_NAME = "hpgui"
#: Database heartbeat: a running trial writes one every HEARTBEAT_S seconds; after GRACE_S of silence its
#: worker is taken for dead (a lost machine cannot say so itself).
HEARTBEAT_S = 30
GRACE_S = 120


def data_dir() -> Path:
    """The user's hpgui data folder (``HPGUI_DATA_DIR`` overrides it, for tests and portable use)."""
    override = os.environ.get("HPGUI_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def studies_dir() -> Path:
    path = data_dir() / "studies"
    _check_folder(path)
    return path


def safe_name(name: str) -> str:
    """A study name made safe to use as a file name."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned or "study"


def journal_path(study_name: str) -> Path:
    return studies_dir() / f"{safe_name(study_name)}.journal"


def storage_url(storage: str | None, study_name: str) -> str:
    """The URL a study is (or will be) stored at, for messages and for other workers."""
    if storage:
        return storage
    return "journal:///" + journal_path(study_name).as_posix().lstrip("/")


def journal_storage(backend: Any) -> Any:
    """Optuna's JournalStorage over ``backend``, with its replay's distribution parsing cached."""
    from optuna.storages import JournalStorage

    _cache_journal_distributions()
    return JournalStorage(backend)


def journal_file_storage(path: str | Path, wrap: Any = None, for_writing: bool = False) -> Any:
    """The journal storage of the file ``path``, repaired first if its tail or a record is damaged.

    ``wrap(backend)`` may put a layer over the file backend (progress while replaying). A replay that
    fails on a bad record in the middle is repaired (see core.journal_repair) and replayed once more.
    ``for_writing``: a folder or file that cannot be written is said now, before a search starts.
    """
    from . import journal_repair

    path = Path(path)
    _check_folder(path.parent)
    journal_repair.repair(path)

    def build() -> Any:
        if for_writing or not path.exists():
            try:
                open(path, "ab").close()
                if not os.access(path.parent, os.W_OK):  # the lock is a link made in the folder
                    raise PermissionError(13, os.strerror(13), str(path.parent))
            except OSError as exc:
                raise _folder_error(path.parent, exc) from None
        backend = journal_repair.file_backend(path)
        return journal_storage(backend if wrap is None else wrap(backend))

    try:
        return build()
    except ValueError:  # a bad record before the end: Optuna's replay stops there
        if journal_repair.repair(path, force=True) is None:
            raise
        return build()


class StorageFolderError(OSError):
    """The folder a study journal belongs in cannot be made or written; the message says which."""


def _folder_error(folder: Path, exc: OSError) -> StorageFolderError:
    return StorageFolderError(exc.errno, f"the study folder {folder} cannot be written ({exc.strerror or exc}); "
                                         "make it writable, free some space, or set HPGUI_DATA_DIR to a folder "
                                         "you can write")


def _check_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _folder_error(folder, exc) from None


@functools.cache  # once per process
def _cache_journal_distributions() -> None:
    """Replaying a journal parses every trial's distributions from JSON, although a study has only a
    few distinct ones: that parsing was half of opening a 10,000-trial study. The journal module's
    parser is replaced by a cached one (same strings, equal distributions; Optuna never mutates a
    distribution). If a later Optuna moves it, replay is only slower."""
    try:
        from optuna.storages.journal import _storage as journal
    except ImportError:
        return
    parse = getattr(journal, "json_to_distribution", None)
    if parse is None:
        return
    journal.json_to_distribution = functools.lru_cache(maxsize=4096)(parse)


def open_storage(storage: str | None, study_name: str, for_writing: bool = True) -> Any:
    """An Optuna storage object for ``storage`` (None: the embedded default for this study)."""
    import optuna

    if not storage:
        return journal_file_storage(journal_path(study_name), for_writing=for_writing)
    if storage.startswith("journal://"):
        return journal_file_storage(journal_url_path(storage), for_writing=for_writing)
    if storage.endswith(".journal") and "://" not in storage:
        return journal_file_storage(storage, for_writing=for_writing)
    storage = database_url(storage)
    from .db_retry import open_rdb
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        # Workers beat every HEARTBEAT_S; a trial silent for GRACE_S is failed by whoever looks next.
        return open_rdb(storage, heartbeat_interval=HEARTBEAT_S, grace_period=GRACE_S)


def database_url(url: str) -> str:
    """``postgresql://…`` with the driver the ``[postgres]`` extra installs, whatever SQLAlchemy's default.

    SQLAlchemy 2.1 made psycopg 3 the default for a bare ``postgresql://``; the documented URL must keep
    working with psycopg2 installed. A URL naming its driver (``postgresql+psycopg://``) is left alone.
    """
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("postgresql", "postgres"):
        return url
    import importlib.util

    for module, driver in (("psycopg2", "psycopg2"), ("psycopg", "psycopg")):
        if importlib.util.find_spec(module) is not None:
            return f"postgresql+{driver}://{rest}"
    return url


def journal_url_path(url: str) -> Path:
    """``journal:///home/a/s.journal`` -> ``/home/a/s.journal``; ``journal:///C:/s.journal`` -> ``C:/s.journal``."""
    rest = url[len("journal://"):].lstrip("/")
    if re.match(r"^[A-Za-z]:[/\\]", rest):
        return Path(rest)
    return Path("/" + rest)


def file_storage_url(path: str | Path) -> str:
    """A storage URL for a study file: a journal file, or an SQLite database."""
    path = Path(path).resolve()
    if path.suffix.lower() == ".journal":
        return "journal:///" + path.as_posix().lstrip("/")
    return "sqlite:///" + path.as_posix()
