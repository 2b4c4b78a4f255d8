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
    from .core.runner import Search, SearchFailed
    from .core.setup import SearchSetup, SetupError
    from .core.storage import redact

    try:
        setup = SearchSetup.load(args.setup)
        search = Search(setup, storage=args.storage, study_name=args.study, trials=args.trials,
                        timeout_s=args.timeout)
    except SetupError as exc:
        _error(str(exc))
        return EXIT_BAD_INPUT
    except DatasetError as exc:
        _error(f"{setup.data_path}: {exc}")
        return EXIT_BAD_INPUT

    out = Path(args.out)
    printer = ProgressPrinter(quiet=args.quiet)
    if not args.quiet:
        sys.stderr.write(f"study {search.study_name!r} in {redact(search.storage_url)}\n")
    status = EXIT_OK
    try:
        result = search.run(on_trial=printer)
    except SearchFailed as exc:
        printer.close()
        _error(str(exc))
        export_all_safely(search, out)
        return EXIT_FAILED
    except KeyboardInterrupt:
        # Ctrl+C outside a fit (asking the sampler, writing a result): keep what finished.
        from .core.process import fail_running_trials

        printer.close()
        fail_running_trials(args.storage, search.study_name, "Interrupted: Ctrl+C")
        _error("interrupted; exporting the trials that finished")
        try:
            export_all(search, out)
        except ValueError as exc:
            _error(str(exc))
        return EXIT_INTERRUPTED
    finally:
        printer.close()
    if result.stop_reason == "interrupted":
        status = EXIT_INTERRUPTED
    try:
        exported = export_all(search, out, result.trials)
    except ValueError as exc:
        _error(str(exc))
        return EXIT_FAILED
    best = result.best
    summary = (f"{len(result.trials)} trials ({result.new_trials} new, stopped: {result.stop_reason}); "
               f"best {result.metric.label} {best.value:.6g} ± {best.std or 0:.3g} "
               f"(trial {best.number}) with {best.params}")
    if exported.test_score is not None:
        summary += f"; test {result.metric.label} {exported.test_score:.6g}"
    print(summary)
    print(f"wrote {exported.best_json}, {exported.trials_csv.name}, {exported.script.name}, {exported.model.name}")
    return status


def export_all_safely(search, out: Path) -> None:
    """After a failed search, keep the trial table so the errors can be read."""
    from .core.export import write_trials

    out.mkdir(parents=True, exist_ok=True)
    write_trials(out / "trials.csv", search.records(), list(search.order))
    sys.stderr.write(f"the failed trials and their errors are in {out / 'trials.csv'}\n")


def cmd_example(args: argparse.Namespace) -> int:
    """Run the bundled penguins example without a window."""
    from importlib.resources import as_file, files

    example = files("hpgui.resources.examples") / "penguins-setup.json"
    with as_file(example) as path:
        run_args = argparse.Namespace(setup=str(path), out=args.out, trials=args.trials, timeout=None,
                                      storage=None, study=None, quiet=args.quiet)
        return cmd_run(run_args)


def cmd_models(args: argparse.Namespace) -> int:
    """List the models, or one model's hyperparameters with their default ranges and meaning."""
    import textwrap

    from .core.catalog import MODELS

    if not args.name:
        width = max(map(len, MODELS))
        for model in MODELS.values():
            print(f"{model.name:<{width}}  {model.label} ({', '.join(model.tasks)})")
        return EXIT_OK
    model = MODELS.get(args.name)
    if model is None:
        _error(f"unknown model {args.name!r}; known models: {', '.join(MODELS)}")
        return EXIT_BAD_INPUT
    print(f"{model.label} ({model.name}): {model.summary}")
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
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)

    example = sub.add_parser("example", help="run the bundled penguins example without a window")
    example.add_argument("--out", default="hpgui-example", help="output folder (default: %(default)s)")
    example.add_argument("--trials", type=int, help="number of trials (default: the example's budget)")
    example.add_argument("--quiet", action="store_true", help="no progress bar")
    example.set_defaults(func=cmd_example)

    models = sub.add_parser("models", help="list the models, or one model's hyperparameters")
    models.add_argument("name", nargs="?", help="a model name, such as svm")
    models.set_defaults(func=cmd_models)
    return parser


COMMANDS = ("run", "example", "models")


def open_window(paths: Sequence[str]) -> int:
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        _error(f"no such file: {', '.join(missing)}")
        return EXIT_BAD_INPUT
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
    try:
        return args.func(args)
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
