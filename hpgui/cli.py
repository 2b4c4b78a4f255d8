"""The ``hpgui`` command: the window, and the same search without one.

Exit status: 0 done; 1 the search ran but no trial succeeded; 2 a bad setup,
data file or command line; 130 interrupted (finished trials are kept and
exported).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Sequence

from . import __version__

from .cli_faults import export_all_safely, export_fault, fault_after_start, note, storage_fault, tell_repairs

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class ProgressPrinter:
    """A one-line progress bar on stderr (a line per trial when stderr is not a terminal)."""

    def __init__(self, stream=None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last = 0.0

    def __call__(self, record, progress) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        final = progress.budget is not None and progress.done >= progress.budget
        if self.tty and not final and now - self._last < 0.1:
            return
        self._last = now
        best = progress.best
        best_text = f"best {best.value:.6g}" if best is not None else "no score yet"
        total = f"/{progress.budget}" if progress.budget else ""
        fraction = progress.fraction
        bar = ""
        if fraction is not None:
            filled = int(round(24 * fraction))
            bar = "[" + "#" * filled + "-" * (24 - filled) + "] "
        left = progress.remaining_s
        eta = f"  ~{_clock(left)} left" if left is not None and not final else ""
        line = (f"{bar}{progress.done}{total} trials  {best_text}  "
                f"{_clock(progress.elapsed_s)} elapsed{eta}")
        if self.tty:
            self.stream.write("\r" + line.ljust(78))
        else:
            state = "" if record.state == "complete" else f"  (trial {record.number} {record.state})"
            self.stream.write(line + state + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def _error(message: str) -> None:
    sys.stderr.write(f"hpgui: {message}\n")


def cmd_run(args: argparse.Namespace) -> int:
    from .core.dataset import DatasetError
    from .core.export import export_all
    from .core.process import Job
    from .core.runner import Search, SearchFailed
    from .core.setup import SearchSetup, SetupError
    from .core.url_secrets import mask as redact

    tell_repairs()
    try:
        setup = SearchSetup.load(args.setup)
        search = Search(setup, storage=args.storage, study_name=args.study, trials=args.trials,
                        timeout_s=args.timeout)
        if search.pbt is not None and args.trials is not None and args.trials != search.budget_trials:
            note(f"--trials does not apply to population-based training: it runs population × rounds = "
                 f"{search.budget_trials} trials; change strategy.population or strategy.rounds instead")
    except SetupError as exc:
        _error(str(exc))
        return EXIT_BAD_INPUT
    except DatasetError as exc:
        _error(f"{setup.data_path}: {exc}")
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - a storage fault is a message; anything else stays a bug
        message = storage_fault(exc, args.storage, started=False)
        if message is None:
            raise
        _error(message)
        return EXIT_BAD_INPUT

    out = Path(args.out)
    printer = ProgressPrinter(quiet=args.quiet)
    if not args.quiet:
        sys.stderr.write(f"study {search.study_name!r} in {redact(search.storage_url)}\n")
        for warning in [*search.dataset.warnings, *search.data.warnings]:
            sys.stderr.write(f"note: {warning}\n")
        if search.metric_reason and search.metric.name != "accuracy" and setup.metric is None:
            sys.stderr.write(f"metric: {search.metric_reason}\n")
    if search.recovered and not args.quiet:
        sys.stderr.write(f"trial(s) {', '.join(map(str, search.recovered))} were left running by a worker that "
                         "ended; marked failed\n")
    status = EXIT_OK
    workers = getattr(args, "workers", 1) or 1
    trial_timeout = getattr(args, "trial_timeout", None)
    if workers > 1 or trial_timeout is not None or setup.budget.trial_timeout_s is not None:
        job = Job(setup=search.stored_setup(), base_dir=None, study_name=search.study_name, storage=args.storage,
                  trials=args.trials, timeout_s=args.timeout, workers=workers, trial_timeout_s=trial_timeout)
        before = _finished_count(search)
        outcome = run_pool(job, printer)
        if outcome.fatal is not None:
            _error(outcome.fatal)
            export_all_safely(search, out)
            return EXIT_FAILED
        try:
            # Counted in the study: a worker that was replaced never reported its own count.
            new = max(outcome.new_trials, _finished_count(search) - before)
            result = search.result(outcome.reason, new, outcome.elapsed_s)
        except Exception as exc:  # noqa: BLE001
            return fault_after_start(exc, args.storage, search, out)
        if outcome.reason == "interrupted":
            status = EXIT_INTERRUPTED
        return _report_after(args, search, _finish(search, result, out, status))
    try:
        result = search.run(on_trial=printer)
    except SearchFailed as exc:
        printer.close()
        _error(str(exc))
        export_all_safely(search, out)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return _interrupted(args, search, out, printer)
    except Exception as exc:  # noqa: BLE001 - a full disk, a database gone: say so, keep what finished
        printer.close()
        return fault_after_start(exc, args.storage, search, out)
    finally:
        printer.close()
    if result.stop_reason == "interrupted":
        status = EXIT_INTERRUPTED
    return _report_after(args, search, _finish(search, result, out, status))


def _interrupted(args: argparse.Namespace, search, out: Path, printer) -> int:
    from .core.export import export_all

    # Ctrl+C outside a fit (asking the sampler, writing a result): keep what finished.
    from .core.process import fail_owned_trials
    from .core.recovery import worker_id

    printer.close()
    fail_owned_trials(args.storage, search.study_name, [worker_id()], "Interrupted: Ctrl+C")
    _error("interrupted; exporting the trials that finished")
    try:
        export_all(search, out)
    except ValueError as exc:
        _error(str(exc))
    except OSError as exc:
        _error(export_fault(exc, out))
    return EXIT_INTERRUPTED


def _finished_count(search) -> int:
    return sum(1 for r in search.records() if r.state in ("complete", "failed", "pruned"))


def _report_after(args: argparse.Namespace, search, status: int) -> int:
    """``--report FILE``: the HTML report of the finished search (not after a search with no best)."""
    if not getattr(args, "report", None) or status not in (EXIT_OK, EXIT_INTERRUPTED):
        return status
    from .reporting import write_report

    written = write_report(search, search.records(), args.report, quiet=args.quiet)
    return status if written == EXIT_OK else written


def _finish(search, result, out: Path, status: int) -> int:
    from .core.export import export_all
    from .core.library import keep_snapshot

    if result.best is None:
        _error(f"no trial succeeded ({len(result.trials)} trials, stopped: {result.stop_reason})")
        export_all_safely(search, out)
        return EXIT_FAILED
    try:
        exported = export_all(search, out, result.trials)
    except ValueError as exc:
        _error(str(exc))
        return EXIT_FAILED
    except OSError as exc:
        _error(export_fault(exc, out))
        return EXIT_FAILED
    best = result.best
    summary = (f"{len(result.trials)} trials ({result.new_trials} new, stopped: {result.stop_reason}); "
               f"best {result.metric.label} {best.value:.6g} ± {best.std or 0:.3g} "
               f"(trial {best.number}) with {best.params}")
    if exported.test_score is not None:
        summary += f"; test {result.metric.label} {exported.test_score:.6g}"
    print(summary)
    baseline = getattr(search, "baseline", None)
    if baseline is not None:
        from .core.baseline import compare

        verdict = compare(best.value, best.std, baseline, greater_is_better=result.metric.greater_is_better,
                          label=result.metric.label)
        print(f"baseline: {verdict.text}")
        if verdict.warning:
            _error(verdict.warning)
    print(f"wrote {exported.best_json}, {exported.trials_csv.name}, {exported.script.name}, {exported.model.name}")
    keep_snapshot(search.storage_arg, search.study_name, len(result.trials))  # the window then opens it quickly
    return status


class PoolOutcome:
    def __init__(self) -> None:
        self.reason = "stopped"
        self.new_trials = 0
        self.fatal: str | None = None
        self.elapsed_s = 0.0


def run_pool(job, printer) -> PoolOutcome:
    """Run ``job`` on supervised worker processes, printing each trial; Ctrl+C stops them all."""
    from .core.process import WorkerPool

    from .core.setup import SearchSetup

    outcome = PoolOutcome()
    started = time.monotonic()
    pool = WorkerPool(job.workers, models=SearchSetup.from_json(job.setup).models)
    try:
        pool.submit(job)
        while not pool.finished:
            for event in pool.poll(timeout=0.2):
                kind = event[0]
                if kind == "trial" and event[2] is not None:
                    printer(event[1], event[2])
                elif kind == "trial" and event[1].error and not printer.quiet:
                    printer.stream.write(f"trial {event[1].number} failed: {event[1].error}\n")
                elif kind == "note":
                    note(event[1])
                elif kind == "done":
                    outcome.reason, outcome.new_trials = event[1], int(event[2])
                elif kind in ("failed", "invalid", "fault", "crash"):
                    outcome.fatal = event[1]
    except KeyboardInterrupt:
        printer.close()
        _error("interrupted; stopping the workers and exporting the trials that finished")
        pool.stop()
        outcome.reason = "interrupted"
    finally:
        printer.close()
        pool.close()
    outcome.elapsed_s = time.monotonic() - started
    return outcome


def cmd_worker(args: argparse.Namespace) -> int:
    """Join a study stored in a database: run its trials until its budget is spent."""
    from .core.dataset import DatasetError
    from .core.process import Job
    from .core.recovery import load_study
    from .core.runner import Search, SearchFailed
    from .core.records import ATTR_SETUP
    from .core.setup import SearchSetup, SetupError
    from .core.url_secrets import mask as redact, scrub

    where = redact(args.storage)
    tell_repairs()
    try:
        study = load_study(args.storage, args.study)
    except Exception as exc:  # noqa: BLE001 - a wrong URL, a missing driver, a server that does not answer
        _error(f"cannot open the study storage {where}: {scrub(' '.join(str(exc).split())[:300], args.storage)}")
        return EXIT_BAD_INPUT
    if study is None:
        _error(f"there is no study named {args.study!r} in {where}; create it with "
               f"`hpgui run SETUP.json --storage URL --study {args.study}`")
        return EXIT_BAD_INPUT
    stored = study.user_attrs.get(ATTR_SETUP)
    if not stored:
        _error(f"study {args.study!r} was not made by hpgui (it stores no setup), so a worker cannot run it")
        return EXIT_BAD_INPUT
    try:
        setup = SearchSetup.from_json(stored)
    except SetupError as exc:
        _error(str(exc))
        return EXIT_BAD_INPUT
    if not setup.data_path.exists():
        _error(f"the study's data file {setup.data_path} does not exist on this machine. A worker reads the "
               "data from the same path the study was created with: copy or mount the file there, then start "
               "the worker again.")
        return EXIT_BAD_INPUT
    printer = ProgressPrinter(quiet=args.quiet)
    if not args.quiet:
        sys.stderr.write(f"worker joining study {args.study!r} in {where}\n")
    trial_timeout = args.trial_timeout if args.trial_timeout is not None else setup.budget.trial_timeout_s
    if args.workers > 1 or trial_timeout is not None:
        job = Job(setup=stored, base_dir=None, study_name=args.study, storage=args.storage, workers=args.workers,
                  trial_timeout_s=trial_timeout, max_new=args.trials, shared=True, timeout_s=args.timeout)
        outcome = run_pool(job, printer)
        if outcome.fatal is not None:
            _error(scrub(outcome.fatal, args.storage))
            return EXIT_FAILED
        print(f"worker ran {outcome.new_trials} trial(s); stopped: {outcome.reason}")
        return EXIT_INTERRUPTED if outcome.reason == "interrupted" else EXIT_OK
    try:
        search = Search(setup, storage=args.storage, study_name=args.study, timeout_s=args.timeout, shared=True)
        result = search.run(on_trial=printer, max_new=args.trials)
    except (SetupError, DatasetError) as exc:
        printer.close()
        _error(scrub(str(exc), args.storage))
        return EXIT_BAD_INPUT
    except SearchFailed as exc:
        printer.close()
        _error(scrub(str(exc), args.storage))
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - mostly the database going away mid-search
        printer.close()
        message = storage_fault(exc, args.storage)
        if message is not None:
            _error(message)
            return EXIT_FAILED
        _error(f"the study storage {where} failed: "
               f"{scrub(type(exc).__name__ + ': ' + ' '.join(str(exc).split())[:300], args.storage)}. "
               "Finished trials are kept; start the worker again when the storage is back.")
        return EXIT_FAILED
    finally:
        printer.close()
    best = result.best
    best_text = f"; study best {result.metric.label} {best.value:.6g} (trial {best.number})" if best else ""
    print(f"worker ran {result.new_trials} trial(s); stopped: {result.stop_reason}{best_text}")
    return EXIT_INTERRUPTED if result.stop_reason == "interrupted" else EXIT_OK


def cmd_example(args: argparse.Namespace) -> int:
    """Run the bundled penguins example without a window."""
    from importlib.resources import as_file, files

    example = files("hpgui.resources.examples") / "penguins-setup.json"
    with as_file(example) as path:
        run_args = argparse.Namespace(setup=str(path), out=args.out, trials=args.trials, timeout=None,
                                      storage=None, study=None, quiet=args.quiet, workers=1, trial_timeout=None)
        return cmd_run(run_args)


def cmd_models(args: argparse.Namespace) -> int:
    """List the models, or one model's hyperparameters with their default ranges and meaning."""
    import textwrap

    from .core.catalog import MODELS
    from .core.catalog_boost import LIBRARIES

    if not args.name:
        width = max(map(len, MODELS))
        for model in MODELS.values():
            print(f"{model.name:<{width}}  {model.label} ({', '.join(model.tasks)})")
        for name in LIBRARIES:
            if name not in MODELS:
                print(f"{name:<{width}}  not installed: pip install \"hpgui[boost]\"")
        return EXIT_OK
    model = MODELS.get(args.name)
    if model is None:
        _error(f"unknown model {args.name!r}; known models: {', '.join(MODELS)}")
        return EXIT_BAD_INPUT
    print(f"{model.label} ({model.name}): {model.summary}")
    resource = model.resource
    if resource is not None:
        print(f"Trials can be stopped early by {resource.label} ({resource.param}, "
              f"{resource.minimum} .. {resource.maximum}), by rows or by folds.")
    else:
        print("Trials can be stopped early by rows or by folds.")
    for task in model.tasks:
        print(f"\n{task}: {model.estimator_path(task)}")
        for spec in model.params_for(task):
            hp = spec.default
            if hp.type == "categorical":
                rng = "one of " + " | ".join(map(str, hp.choices))
            elif hp.values is not None:
                rng = "values " + ", ".join(map(str, hp.values))
            else:
                rng = f"{hp.type} {hp.low:g} .. {hp.high:g}" + (" (log)" if hp.log else "")
            flags = "" if hp.enabled else "  [off by default]"
            when = f"  [only when {spec.when.parent} is {'/'.join(map(str, spec.when.values))}]" if spec.when else ""
            print(f"  {spec.name}: {rng}{flags}{when}")
            print(textwrap.indent(textwrap.fill(spec.doc, 76), "      "))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hpgui",
        description="Tune the hyperparameters of scikit-learn models, in a window or from the command line.",
        epilog="Without a command, hpgui opens its window: `hpgui`, `hpgui data.csv` or `hpgui setup.json`.",
    )
    parser.add_argument("--version", action="version", version=f"hpgui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run a search from a setup file, without a window",
                         description="Run the search a setup file describes and export the best model.")
    run.add_argument("setup", help="an hpgui-setup/1 JSON file (see docs/setup-format.md)")
    run.add_argument("--out", default="hpgui-out", help="folder for best.json, trials.csv, best_pipeline.py "
                                                         "and model.skops (default: %(default)s)")
    run.add_argument("--trials", type=int, help="total trials in the study (overrides the setup's budget)")
    run.add_argument("--timeout", type=float, help="stop starting new trials after this many seconds")
    run.add_argument("--storage", help="an Optuna storage URL (default: a journal file under the user data "
                                       "folder)")
    run.add_argument("--study", help="study name; an existing study of that name is resumed")
    run.add_argument("--workers", type=int, default=1, metavar="N",
                     help="worker processes sharing the study (default: %(default)s)")
    run.add_argument("--trial-timeout", type=float, metavar="S",
                     help="end a trial whose fit runs longer than S seconds and record it as failed")
    run.add_argument("--report", metavar="FILE", help="also write the HTML report of the study to FILE (the "
                                                      "best model's results on held-out data, history, top trials)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)

    worker = sub.add_parser(
        "worker", help="join a study in a database and run its trials",
        description="Run trials of an existing study (created by `hpgui run --storage URL --study NAME`) until "
                    "its budget is spent. The study holds the whole setup; this machine only needs the data "
                    "file at the path the study names. Put the database password in ~/.pgpass or the "
                    "PGPASSWORD environment variable rather than in the URL.")
    worker.add_argument("--storage", required=True, help="the study's storage URL, e.g. "
                                                         "postgresql://user@host/db")
    worker.add_argument("--study", required=True, help="the study's name")
    worker.add_argument("--trials", type=int, help="run at most this many trials from this worker "
                                                   "(the study's own budget always holds)")
    worker.add_argument("--timeout", type=float, help="stop starting new trials after this many seconds")
    worker.add_argument("--workers", type=int, default=1, metavar="N",
                        help="worker processes on this machine (default: %(default)s)")
    worker.add_argument("--trial-timeout", type=float, metavar="S",
                        help="end a trial whose fit runs longer than S seconds (default: the setup's)")
    worker.add_argument("--quiet", action="store_true", help="no progress bar")
    worker.set_defaults(func=cmd_worker)

    example = sub.add_parser("example", help="run the bundled penguins example without a window")
    example.add_argument("--out", default="hpgui-example", help="output folder (default: %(default)s)")
    example.add_argument("--trials", type=int, help="number of trials (default: the example's budget)")
    example.add_argument("--quiet", action="store_true", help="no progress bar")
    example.set_defaults(func=cmd_example)

    from .reporting import add_report_parser

    add_report_parser(sub)

    models = sub.add_parser("models", help="list the models, or one model's hyperparameters")
    models.add_argument("name", nargs="?", help="a model name, such as svm")
    models.set_defaults(func=cmd_models)
    return parser


COMMANDS = ("run", "worker", "example", "models", "report")


def open_window(paths: Sequence[str]) -> int:
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        _error(f"no such file: {', '.join(missing)}")
        return EXIT_BAD_INPUT
    from .first_launch import check

    problem = check()
    if problem:  # instead of Qt's abort, which names no package
        print(problem, file=sys.stderr)
        return EXIT_FAILED
    try:
        from .gui.app import run_app
    except ImportError as exc:  # a broken Qt install should say so, not dump a traceback
        _error(f"the window cannot start: {exc}. `hpgui run SETUP.json` works without it.")
        return EXIT_FAILED
    return run_app(list(paths))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and not argv[0].startswith("-")):
        return open_window(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    if getattr(args, "trials", None) is not None and args.trials < 1:
        parser.error("--trials must be at least 1")
    if getattr(args, "timeout", None) is not None and args.timeout <= 0:
        parser.error("--timeout must be a positive number of seconds")
    if getattr(args, "trial_timeout", None) is not None and args.trial_timeout <= 0:
        parser.error("--trial-timeout must be a positive number of seconds")
    if getattr(args, "workers", 1) < 1:
        parser.error("--workers must be at least 1")
    from .reporting import check_report_args

    check_report_args(parser, args)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
