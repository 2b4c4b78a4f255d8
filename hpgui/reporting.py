"""The report without a window: ``hpgui run --report FILE`` and ``hpgui report --study NAME``.

The content is computed by the core; the charts are drawn by the window's pyqtgraph code
on Qt's offscreen platform (see ``hpgui.gui.report_images``), so no display is needed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from .core.records import TrialRecord

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _error(message: str) -> None:
    sys.stderr.write(f"hpgui: {message}\n")


def _say(quiet: bool, text: str) -> None:
    if not quiet:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def write_report(search, records: Sequence[TrialRecord], path: str | Path, *, nested_folds: int | None = None,
                 nested_trials: int | None = None, quiet: bool = False) -> int:
    """Compute, draw and write the report; an exit status, with a message for anything that went wrong."""
    from .core.diagnostics.nested import NestedError
    from .core.report.build import ReportError, build

    path = Path(path)
    shown = {"text": ""}

    def progress(fraction: float, text: str) -> None:
        if text != shown["text"]:
            shown["text"] = text
            _say(quiet, f"report: {text}")

    try:
        content = build(search, records, nested_folds=nested_folds, nested_trials=nested_trials, progress=progress)
    except (ReportError, NestedError) as exc:
        _error(f"cannot write the report: {exc}")
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - a model that fails on refit: say so, keep the study
        _error(f"cannot write the report: refitting the best model failed ({type(exc).__name__}: "
               f"{' '.join(str(exc).split())[:300]})")
        return EXIT_FAILED
    try:
        from .gui.report_images import render_images
    except ImportError as exc:  # Qt missing or broken: the charts cannot be drawn
        _error(f"cannot draw the report's charts: {exc}. Install hpgui with its Qt dependency (PySide6).")
        return EXIT_FAILED
    from .core.report import render, write

    images = render_images(content, lambda text: None)
    try:
        write(path, render(content, images))
    except OSError as exc:
        _error(f"cannot write the report to {path}: {exc.strerror or exc}; choose another file or folder")
        return EXIT_FAILED
    print(f"wrote the report {path}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """Write the report of a stored study."""
    from .core.dataset import DatasetError
    from .core.library import LibraryError, load_study, study_names
    from .core.runner import Search
    from .core.setup import SetupError
    from .core.url_secrets import mask as redact, scrub

    where = redact(args.storage) if args.storage else "the default storage"
    try:
        names = study_names(args.storage)
    except LibraryError as exc:
        _error(scrub(str(exc), args.storage))
        return EXIT_BAD_INPUT
    if args.study not in names:
        known = ", ".join(sorted(names)[:10]) or "none"
        _error(f"there is no study named {args.study!r} in {where} (studies there: {known}); "
               "`hpgui report --study NAME` takes a name that File → Studies… or the output of `hpgui run` shows")
        return EXIT_BAD_INPUT
    try:
        loaded = load_study(args.storage, args.study)
    except LibraryError as exc:
        _error(scrub(str(exc), args.storage))
        return EXIT_BAD_INPUT
    if loaded.setup is None:
        _error(f"study {args.study!r} holds no hpgui setup ({loaded.setup_problem or 'it was not made by hpgui'}), "
               "so its model cannot be rebuilt for the report")
        return EXIT_BAD_INPUT
    setup = loaded.setup
    if not setup.data_path.exists():
        _error(f"the study's data file {setup.data_path} does not exist; the report refits the best model on it. "
               "Copy or mount the file at that path and run the command again.")
        return EXIT_BAD_INPUT
    try:
        search = Search(setup, storage=args.storage, study_name=args.study)
    except (SetupError, DatasetError) as exc:
        _error(scrub(str(exc), args.storage))
        return EXIT_BAD_INPUT
    out = Path(args.out) if args.out else Path(f"{args.study}-report.html")
    return write_report(search, loaded.records, out, nested_folds=args.nested, nested_trials=args.nested_trials,
                        quiet=args.quiet)


def add_report_parser(sub) -> None:
    report = sub.add_parser(
        "report", help="write the HTML report of a stored study",
        description="Write one self-contained HTML file about a stored study: its data, setup, best configuration, "
                    "the best model's results on held-out data (refitted on the study's folds), the history, the "
                    "top trials and the versions. Opens in any browser without a network.")
    report.add_argument("--study", required=True, help="the study's name")
    report.add_argument("--storage", help="its storage URL (default: the embedded storage under the user data "
                                          "folder)")
    report.add_argument("--out", help="the HTML file to write (default: STUDY-report.html)")
    report.add_argument("--nested", type=int, metavar="K",
                        help="also run nested cross-validation with K outer folds (the whole search again in each "
                             "fold; slow) for an honest estimate")
    report.add_argument("--nested-trials", type=int, metavar="N",
                        help="trials of each inner search (default: the study's trial budget)")
    report.add_argument("--quiet", action="store_true", help="no progress lines")
    report.set_defaults(func=cmd_report)


def check_report_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    nested = getattr(args, "nested", None)
    if nested is not None and nested < 2:
        parser.error("--nested must be at least 2 outer folds")
    trials = getattr(args, "nested_trials", None)
    if trials is not None and trials < 1:
        parser.error("--nested-trials must be at least 1")
