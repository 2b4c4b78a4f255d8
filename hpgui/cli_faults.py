"""What `hpgui run` and `hpgui worker` say when the study storage or the output folder fails.

Each fault is one line naming the file or server and what to do (hpgui.core.storage_faults
words it); the trials written so far stay in the study, so the advice is to fix it and run the
same command again. Journal repairs and stale-lock removals (core.journal_repair) are printed
as notes.
"""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_FAILED = 1


def _error(message: str) -> None:
    sys.stderr.write(f"hpgui: {message}\n")


def storage_fault(exc: BaseException, storage: str | None, started: bool = True) -> str | None:
    from .core.storage_faults import describe

    return describe(exc, storage, started=started)


def tell_repairs() -> None:
    """Journal repairs and stale-lock removals are said in one line each (core.journal_repair)."""
    from .core import journal_repair

    if note not in journal_repair.listeners:
        journal_repair.listeners.append(note)


def note(text: str) -> None:
    _error(f"note: {text}")


def fault_after_start(exc: BaseException, storage: str | None, search, out: Path) -> int:
    message = storage_fault(exc, storage or search.storage_url)
    if message is None:
        raise exc
    _error(message)
    try:
        export_all_safely(search, out, "the trials so far are")
    except Exception:  # noqa: BLE001 - the same fault may stop the trial table too; the study has the trials
        pass
    return EXIT_FAILED


def export_fault(exc: OSError, out: Path) -> str:
    where = exc.filename or out
    return (f"the results could not be written to {where} ({exc.strerror or exc}). The search's trials are kept "
            f"in the study; give --out a folder you can write and run the same command again (it resumes the "
            f"study and exports without running more trials).")


def export_all_safely(search, out: Path, what: str = "the failed trials and their errors are") -> None:
    """After a failed search, keep the trial table so the errors can be read."""
    from .core.export import write_trials

    try:
        out.mkdir(parents=True, exist_ok=True)
        write_trials(out / "trials.csv", search.records(), list(search.order))
    except OSError as exc:
        _error(export_fault(exc, out))
        return
    sys.stderr.write(f"{what} in {out / 'trials.csv'}\n")
