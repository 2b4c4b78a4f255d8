"""Renaming and deleting a study in a storage, for the library dialog.

Optuna cannot rename, so a rename is a copy under the new name and the deletion of the old one;
neither touches a study with running trials (workers elsewhere may be filling it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import snapshot
from .library import _CACHE, _CACHE_LOCK, LibraryError, _open, _open_study, storage_label
from .storage import journal_path


def _refuse_running(study: Any, what: str) -> None:
    from optuna.trial import TrialState

    running = len(study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)))
    if running:
        raise LibraryError(f"cannot {what} study {study.study_name!r}: {running} of its trials are running. "
                           "Stop its workers first (trials of workers that died are marked failed "
                           "when the study is opened).")


def _forget(path: Path | None) -> None:
    if path is not None:
        with _CACHE_LOCK:
            _CACHE.pop(path, None)
        snapshot.remove_all(path)


def rename_study(storage: str | None, old: str, new: str) -> None:
    """Give a study a new name, keeping its trials (numbers, states, attributes) and its setup.

    Optuna cannot rename, so the study is copied under the new name and the old one deleted. In the
    default storage the copy goes to the new name's own journal file, which is where hpgui looks for it.
    """
    import optuna

    new = new.strip()
    if not new:
        raise LibraryError("a study needs a name")
    if new == old:
        return
    source, src_path = _open_study(storage, old)
    _refuse_running(source, "rename")
    src_store = source._storage
    if storage:
        dst_store, dst_path = src_store, None
    else:
        dst_path = journal_path(new)
        dst_store = src_store if dst_path == src_path else _open(None, path=dst_path)
    if new in optuna.get_all_study_names(dst_store):
        raise LibraryError(f"there is already a study named {new!r} in {storage_label(storage)}; "
                           "choose another name")
    try:
        optuna.copy_study(from_study_name=old, from_storage=src_store, to_storage=dst_store, to_study_name=new)
    except Exception as exc:  # noqa: BLE001 - undo a half-made copy, keep the original
        try:
            dst_store.delete_study(dst_store.get_study_id_from_name(new))
        except Exception:  # noqa: BLE001
            pass
        raise LibraryError(f"could not rename {old!r}: {type(exc).__name__}: {exc}") from None
    src_store.delete_study(source._study_id)
    _drop_if_empty(src_store, src_path)
    _forget(src_path)
    _forget(dst_path)


def delete_study(storage: str | None, name: str) -> None:
    """Delete a study and its trials for good (in the default storage, its file too when it holds no other)."""
    study, path = _open_study(storage, name)
    _refuse_running(study, "delete")  # workers elsewhere (a terminal, other machines) may be filling it
    store = study._storage
    try:
        store.delete_study(study._study_id)
    except Exception as exc:  # noqa: BLE001
        raise LibraryError(f"could not delete {name!r}: {type(exc).__name__}: {exc}") from None
    _drop_if_empty(store, path)
    _forget(path)


def _drop_if_empty(store: Any, path: Path | None) -> None:
    if path is None:
        return
    if not store.get_all_studies():
        path.unlink(missing_ok=True)
        for leftover in (path.with_name(path.name + ".lock"),):
            leftover.unlink(missing_ok=True)


