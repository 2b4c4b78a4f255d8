"""Run the built bundle as a user would, and fail on any ImportError or traceback in its output.

    python3 packaging/smoke_test.py [dist/hpgui]

Needs only the standard library: the bundle brings its own Python. Every run uses a scratch data
folder and a scratch settings folder, so the user's studies and settings are never touched.

1. ``hpgui --version`` and ``hpgui --help``.
2. The window, offscreen, with no file: the start page shows; "Try an example" is clicked; the
   example appears; Start runs the search in its spawned child until the first trial finishes;
   Stop; the window closes (HPGUI_STARTUP_PROBE=search, hpgui/gui/startup_probe.py).
3. The window opened on an example CSV as a file argument.
4. ``hpgui run`` on the example setup, headless, on two worker processes, exporting best.json,
   trials.csv, best_pipeline.py and model.skops; then one trial into a SQLite database (Optuna's
   database storage, the one several machines share) and one more from ``hpgui worker``.
5. ``hpgui models svm``.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Anything that says Python or the loader failed. Qt's "This plugin does not support ..." notes on the
# offscreen platform are not failures.
BAD_OUTPUT = re.compile(r"Traceback \(most recent call last\)|ImportError|ModuleNotFoundError|"
                        r"cannot open shared object|Failed to execute script|"
                        r"Could not load the Qt platform plugin|undefined symbol")
TIMEOUT_S = 300


class SmokeFailure(Exception):
    pass


def run(exe: Path, args: list[str], env: dict[str, str], name: str) -> subprocess.CompletedProcess:
    started = time.monotonic()
    try:
        done = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=TIMEOUT_S,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        # What was captured before the timeout arrives as bytes even with text=True.
        so_far = b"".join(x if isinstance(x, bytes) else (x or "").encode() for x in (exc.stdout, exc.stderr))
        raise SmokeFailure(f"{name}: no exit within {TIMEOUT_S} s\n{so_far.decode(errors='replace')}") from None
    output = done.stdout + done.stderr
    match = BAD_OUTPUT.search(output)
    if match:
        raise SmokeFailure(f"{name}: {match.group(0)!r} in the output:\n{output}")
    if done.returncode != 0:
        raise SmokeFailure(f"{name}: exit status {done.returncode}\n{output}")
    print(f"ok   {name} ({time.monotonic() - started:.1f} s)")
    return done


def probe_report(done: subprocess.CompletedProcess, name: str) -> dict:
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            report = json.loads(line)
            if report.get("error"):
                raise SmokeFailure(f"{name}: {report['error']}\n{done.stdout}{done.stderr}")
            return report
    raise SmokeFailure(f"{name}: the window printed no report\n{done.stdout}{done.stderr}")


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def main(argv: list[str]) -> int:
    bundle = Path(argv[0] if argv else Path(__file__).resolve().parent.parent / "dist" / "hpgui")
    exe = bundle / ("hpgui.exe" if os.name == "nt" else "hpgui")
    if not exe.exists():
        print(f"no bundle at {bundle}; build it with packaging/build.sh", file=sys.stderr)
        return 2
    examples = next(bundle.rglob("hpgui/resources/examples"), None)
    if examples is None:
        print(f"the bundle {bundle} holds no hpgui/resources/examples", file=sys.stderr)
        return 1
    scratch = Path(tempfile.mkdtemp(prefix="hpgui-smoke-"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "HPGUI_STARTUP_PROBE")}
    env.update(QT_QPA_PLATFORM="offscreen", HPGUI_DATA_DIR=str(scratch / "data"),
               XDG_CONFIG_HOME=str(scratch / "config"), HOME=str(scratch / "home"))
    started = time.monotonic()
    try:
        version = run(exe, ["--version"], env, "hpgui --version").stdout.strip()
        check(re.fullmatch(r"hpgui \d+\.\d+\.\d+\S*", version) is not None, f"odd version output {version!r}")
        helptext = run(exe, ["--help"], env, "hpgui --help").stdout
        check("run" in helptext and "usage: hpgui" in helptext, f"odd help output:\n{helptext}")

        name = "window: start page → Try an example → Start → first trial → Stop → close"
        report = probe_report(run(exe, [], {**env, "HPGUI_STARTUP_PROBE": "search"}, name), name)
        check(report["page"] == "work" and report["model"] == "random_forest", f"{name}: {report}")
        states = [state for _, state, _ in report["trials"]]
        check("complete" in states, f"{name}: no trial completed in the spawned child: {report}")
        check(report["stop_reason"] == "stopped", f"{name}: the search ended with {report['stop_reason']!r}")

        name = "window opened on iris.csv"
        report = probe_report(run(exe, [str(examples / "iris.csv")], {**env, "HPGUI_STARTUP_PROBE": "1"}, name),
                              name)
        check(report["page"] == "work" and "loaded" in report["marks"], f"{name}: {report}")

        out = scratch / "out"
        # Two workers: spawned processes of the frozen executable, as on a workstation.
        done = run(exe, ["run", str(examples / "penguins-setup.json"), "--trials", "4", "--workers", "2",
                         "--out", str(out)], env, "hpgui run penguins-setup.json --trials 4 --workers 2")
        for artefact in ("best.json", "trials.csv", "best_pipeline.py", "model.skops"):
            check((out / artefact).is_file(), f"hpgui run wrote no {artefact}:\n{done.stdout}{done.stderr}")
        with open(out / "trials.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        check(len(rows) == 4, f"trials.csv has {len(rows)} rows, not 4")
        best = json.loads((out / "best.json").read_text())
        check(best["n_trials"] == 4 and 0.5 < best["score"] <= 1.0, f"implausible best.json: {best}")

        # A database storage: Optuna's RDB backend runs alembic migrations from files in the bundle.
        database = scratch / "studies.db"
        run(exe, ["run", str(examples / "penguins-setup.json"), "--trials", "1",
                  "--storage", f"sqlite:///{database}", "--study", "smoke", "--out", str(scratch / "out-db"),
                  "--quiet"], env, "hpgui run --storage sqlite:///… --trials 1")
        check(database.is_file() and (scratch / "out-db" / "best.json").is_file(),
              "hpgui run --storage sqlite wrote no database or no best.json")
        done = run(exe, ["worker", "--storage", f"sqlite:///{database}", "--study", "smoke", "--trials", "1",
                         "--quiet"], env, "hpgui worker --storage sqlite:///… --study smoke --trials 1")
        check("worker ran 1 trial" in done.stdout, f"hpgui worker did not run its trial:\n{done.stdout}")

        models = run(exe, ["models", "svm"], env, "hpgui models svm").stdout
        check("C:" in models, f"hpgui models svm printed no C:\n{models}")
    except SmokeFailure as exc:
        print(f"FAIL {exc}", file=sys.stderr)
        return 1
    size = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"bundle smoke test passed in {time.monotonic() - started:.0f} s; bundle {size / 2**20:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
