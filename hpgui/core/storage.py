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
from urllib.parse import urlsplit, urlunsplit

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
    path.mkdir(parents=True, exist_ok=True)
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


def open_storage(storage: str | None, study_name: str) -> Any:
    """An Optuna storage object for ``storage`` (None: the embedded default for this study)."""
    import optuna
    from optuna.storages.journal import JournalFileBackend

    if not storage:
        return journal_storage(JournalFileBackend(str(journal_path(study_name))))
    if storage.startswith("journal://"):
        path = journal_url_path(storage)
        path.parent.mkdir(parents=True, exist_ok=True)
        return journal_storage(JournalFileBackend(str(path)))
    if storage.endswith(".journal") and "://" not in storage:
        Path(storage).parent.mkdir(parents=True, exist_ok=True)
        return journal_storage(JournalFileBackend(storage))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        # Workers beat every HEARTBEAT_S; a trial silent for GRACE_S is failed by whoever looks next.
        return optuna.storages.RDBStorage(storage, heartbeat_interval=HEARTBEAT_S, grace_period=GRACE_S)


def journal_url_path(url: str) -> Path:
    """``journal:///home/a/s.journal`` -> ``/home/a/s.journal``; ``journal:///C:/s.journal`` -> ``C:/s.journal``."""
    rest = url[len("journal://"):].lstrip("/")
    if re.match(r"^[A-Za-z]:[/\\]", rest):
        return Path(rest)
    return Path("/" + rest)


# libpq and SQLAlchemy also take a password as a query parameter: ?password=... (or &password=...)
_QUERY_PASSWORD = re.compile(r"([?&](?:password|passwd|pwd)=)[^&#\s]*", re.IGNORECASE)


def _query_passwords(url: str) -> list[str]:
    return [m.group(0).split("=", 1)[1] for m in _QUERY_PASSWORD.finditer(url) if m.group(0).split("=", 1)[1]]


def redact(url: str | None) -> str:
    """``postgresql://user:secret@host/db?password=x`` -> ``postgresql://user:***@host/db?password=***``."""
    if not url:
        return ""
    url = _QUERY_PASSWORD.sub(r"\1***", url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[-1]}"))


def scrub(text: str, url: str | None) -> str:
    """``text`` with the password of ``url`` (plain or %-encoded) and any URL credentials replaced by ***.

    For messages and tracebacks that may quote a storage URL or a driver's error.
    """
    from urllib.parse import quote, unquote

    if url:
        try:
            password = urlsplit(url).password
        except ValueError:
            password = None
        secrets = [password] if password else []
        secrets += _query_passwords(url)
        for secret in secrets:
            for form in {secret, unquote(secret), quote(secret, safe="")}:
                if form:
                    text = text.replace(form, "***")
    text = _QUERY_PASSWORD.sub(r"\1***", text)
    return re.sub(r"(\w[\w+.-]*://[^:/@\s]+):[^@\s]+@", r"\1:***@", text)
