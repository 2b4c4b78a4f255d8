"""How fast the window opens: imports, then the window with the penguins example loaded and painted.

    python benchmarks/startup.py [--runs 5] [--exe PATH]

(a) Import time of the app modules: a fresh interpreter imports what ``hpgui``
    imports before it builds the window (hpgui.gui.app's run_app imports:
    PySide6, pyqtgraph, the window and its panels), timed inside the process,
    plus what the big libraries cost within that (``python -X importtime``);
    scikit-learn and Optuna must not be imported at all on this path.
(b) From process start to the window shown with the example loaded: the
    README's first command (``hpgui resources/examples/penguins-setup.json``)
    runs offscreen with HPGUI_STARTUP_PROBE=1, which makes the app print its
    marks once the window has painted with the example's forms filled and then
    quit. Reported: process start → imports done, imports done → window
    painted with the example (the < 2 s target), and process start → first
    paint with no file (the start page).

``--exe`` measures another ``hpgui`` executable instead of this environment's,
for example the PyInstaller bundle (``--exe dist/hpgui/hpgui``). Every run uses
a scratch data folder and scratch settings.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETUP = ROOT / "resources" / "examples" / "penguins-setup.json"
APP_IMPORTS = ("from hpgui.gui.app import run_app; import hpgui.gui.main_window, hpgui.gui.start_page, "
               "hpgui.gui.errors")
TARGET_AFTER_IMPORTS_S = 2.0


def scratch_env() -> dict[str, str]:
    scratch = Path(tempfile.mkdtemp(prefix="hpgui-bench-startup-"))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HPGUI_DATA_DIR=str(scratch / "data"),
               XDG_CONFIG_HOME=str(scratch / "config"))
    env.pop("HPGUI_STARTUP_PROBE", None)
    return env


def import_time(python: str, env: dict[str, str]) -> float:
    code = f"import time; t = time.perf_counter(); {APP_IMPORTS}; print(time.perf_counter() - t)"
    return float(subprocess.run([python, "-c", code], env=env, capture_output=True, text=True,
                                check=True).stdout)


WATCHED = ("PySide6", "pyqtgraph", "superqt", "numpy", "pandas", "pyarrow", "scipy", "sklearn", "optuna")


def heavy_imports(python: str, env: dict[str, str]) -> dict[str, float]:
    """Cumulative import time of the big libraries (seconds), from ``-X importtime``; 0 if not imported."""
    done = subprocess.run([python, "-X", "importtime", "-c", APP_IMPORTS], env=env, capture_output=True,
                          text=True, check=True)
    found: dict[str, float] = {}
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|\s*(\S+)$", line)
        if match and match.group(2) in WATCHED:
            found[match.group(2)] = int(match.group(1)) / 1e6
    return {name: found.get(name, 0.0) for name in WATCHED}


def window_marks(command: list[str], env: dict[str, str]) -> dict[str, float]:
    launched = time.time()
    done = subprocess.run(command, env={**env, "HPGUI_STARTUP_PROBE": "1"}, capture_output=True, text=True,
                          timeout=300)
    report = next((json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")), None)
    if done.returncode != 0 or report is None or report.get("error"):
        raise RuntimeError(f"{command} failed:\n{done.stdout}{done.stderr}")
    marks = {k: v - launched for k, v in report["marks"].items()}
    marks["exit"] = time.time() - launched
    return marks


def hpgui_command(exe: str | None) -> list[str]:
    if exe:
        return [str(Path(exe).resolve())]
    script = Path(sys.executable).with_name("hpgui")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "hpgui.cli"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--exe", help="an hpgui executable to time instead of this environment's")
    args = parser.parse_args()
    env = scratch_env()
    command = hpgui_command(args.exe)
    print(f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"{args.runs} runs, medians; command: {' '.join(command)}")

    if not args.exe:
        imports = [import_time(sys.executable, env) for _ in range(args.runs)]
        print(f"(a) app imports in a fresh interpreter: {statistics.median(imports):.2f} s "
              f"(min {min(imports):.2f}, max {max(imports):.2f})")
        print("    of which (first importer pays): " + ", ".join(
            f"{name} {secs:.2f} s" if secs else f"{name} not imported"
            for name, secs in heavy_imports(sys.executable, env).items()))

    with_example = [window_marks(command + [str(SETUP)], env) for _ in range(args.runs)]
    empty = [window_marks(command, env) for _ in range(args.runs)]

    def med(runs, key, since=None):
        return statistics.median(r[key] - (r[since] if since else 0.0) for r in runs)

    after_imports = [r["painted"] - r["imported"] for r in with_example]
    print(f"(b) process start → imports done:            {med(with_example, 'imported'):.2f} s")
    print(f"    imports done → window built:              {med(with_example, 'window', 'imported'):.2f} s")
    print(f"    imports done → window painted, example loaded: {statistics.median(after_imports):.2f} s "
          f"(max {max(after_imports):.2f}; target < {TARGET_AFTER_IMPORTS_S:.0f} s)")
    print(f"    process start → window painted, example loaded: {med(with_example, 'painted'):.2f} s")
    print(f"    process start → start page painted (no file): {med(empty, 'painted'):.2f} s")
    print(f"    process start → exit after closing:       {med(with_example, 'exit'):.2f} s")
    shutil.rmtree(Path(env["HPGUI_DATA_DIR"]).parent, ignore_errors=True)
    return 0 if max(after_imports) < TARGET_AFTER_IMPORTS_S else 1


if __name__ == "__main__":
    sys.exit(main())
