"""Worker memory: an hpgui worker process against "the dataset plus one model".

Issue 5 asks that worker memory stay near the dataset size plus one model. This script
measures both, side by side, in one run:

* **worker**: ``hpgui run setup.json --workers 2`` on a generated CSV (200,000 rows × 20
  numeric features and a class target; logistic regression (lbfgs, C drawn at random), 3
  folds, accuracy). Each worker process's resident memory is sampled from ``/proc/<pid>/status``
  (``VmRSS`` every 20 ms, and ``VmHWM``, the kernel's own high-water mark, so a short
  spike between two samples is not missed). Its imports-only figure comes from a
  :class:`~hpgui.core.process.SearchProcess` that has imported everything and waits for a
  job, as a worker does before its search starts.
* **baseline**: a plain Python process with the same imports (``process._warm_up``) that
  reads the CSV with ``pandas.read_csv`` (one copy: the target is popped off the frame),
  builds the same pipeline with the best hyperparameters the search found (the recipe
  ``Search.fit_best`` builds) and fits it once on all rows. Sampled the same way, its
  imports-only figure taken before it reads.

Reported: imports-only RSS, the peak of each, and the ratio
``(worker peak - worker imports) / (baseline peak - baseline imports)``; target ≤ 1.25.
Linux only (it reads /proc).

    python benchmarks/worker_memory.py            # 200,000 × 20
    python benchmarks/worker_memory.py --quick    # 20,000 × 20, a check that it works
"""

from __future__ import annotations

import _common  # noqa: I001  (must come first: pins threads and HPGUI_DATA_DIR before numpy loads)

DATA_DIR = _common.prepare_environment("memory")

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

FULL = {"rows": 200_000, "trials": 6}
QUICK = {"rows": 20_000, "trials": 4}
WORKERS = 2
SAMPLE_S = 0.02


def setup_json(csv: Path, trials: int) -> dict:
    return {"format": "hpgui-setup/1", "data": {"path": str(csv), "target": "y", "task": "classification"},
            "model": "logistic_regression",
            # lbfgs only: which solver a worker draws (its sampler is seeded by its pid) must not change the figures.
            "space": {"C": {"type": "float", "low": 0.01, "high": 100, "log": True},
                      "solver": {"type": "categorical", "choices": ["lbfgs"]}},
            "strategy": {"name": "random", "seed": 0},
            "evaluation": {"folds": 3}, "metric": "accuracy", "budget": {"trials": trials}}


# -- reading /proc ------------------------------------------------------------------------------
def status_mb(pid: int) -> tuple[float, float] | None:
    """(VmRSS, VmHWM) of a process in MB, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    if "VmRSS" not in fields:  # a zombie
        return None
    return fields["VmRSS"], fields.get("VmHWM", fields["VmRSS"])


def spawned_children(parent: int) -> list[int]:
    """multiprocessing spawn children (the workers) of ``parent``; not its resource tracker."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        if ppid == parent and "spawn_main" in cmdline and "resource_tracker" not in cmdline:
            out.append(int(entry))
    return out


class Sampler:
    """Samples the RSS of some processes every SAMPLE_S seconds; keeps each one's peak."""

    def __init__(self, find_pids) -> None:
        self._find = find_pids
        self.peak_rss: dict[int, float] = {}
        self.hwm: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> "Sampler":
        self._thread.start()
        return self

    def _loop(self) -> None:
        last_scan = 0.0
        pids: list[int] = []
        while not self._stop.is_set():
            if time.monotonic() - last_scan > 0.25:
                pids, last_scan = self._find(), time.monotonic()
            for pid in pids:
                figures = status_mb(pid)
                if figures is not None:
                    rss, hwm = figures
                    self.peak_rss[pid] = max(self.peak_rss.get(pid, 0.0), rss)
                    self.hwm[pid] = max(self.hwm.get(pid, 0.0), hwm)
            time.sleep(SAMPLE_S)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, pid: int) -> float:
        return max(self.peak_rss.get(pid, 0.0), self.hwm.get(pid, 0.0))


# -- the two sides ----------------------------------------------------------------------------
def worker_imports_mb() -> float:
    """RSS of a worker that has imported everything and waits for its job."""
    from hpgui.core.process import SearchProcess

    process = SearchProcess()
    try:
        if not process.wait_ready(300):
            raise SystemExit("the worker process did not start")
        time.sleep(0.5)
        return status_mb(process._process.pid)[0]
    finally:
        process.close()


def measure_workers(setup: Path, out: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(_common.ROOT), os.environ.get("PYTHONPATH", "")]))
    started = time.perf_counter()
    run = subprocess.Popen([sys.executable, "-m", "hpgui.cli", "run", str(setup), "--workers", str(WORKERS),
                            "--out", str(out), "--quiet"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    sampler = Sampler(lambda: spawned_children(run.pid)).start()
    stdout, stderr = run.communicate(timeout=3600)
    sampler.stop()
    if run.returncode != 0:
        raise SystemExit(f"hpgui run failed ({run.returncode}):\n{stderr}")
    # Workers that ran trials; a replacement or a worker that only waited would show as a small one.
    peaks = sorted((sampler.peak(pid) for pid in sampler.peak_rss), reverse=True)
    return {"peaks": peaks, "seconds": time.perf_counter() - started, "summary": stdout.strip().splitlines()[0]}


def measure_baseline(csv: Path, best_json: Path) -> dict:
    child = subprocess.Popen([sys.executable, __file__, "--baseline-child", str(csv), str(best_json)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    sampler = Sampler(lambda: [child.pid]).start()
    if child.stdout.readline().strip() != "imported":
        raise SystemExit("the baseline process did not start")
    time.sleep(0.5)
    imports = status_mb(child.pid)[0]
    child.stdin.write("go\n")
    child.stdin.flush()
    line = child.stdout.readline().strip()
    if not line.startswith("fitted"):
        raise SystemExit(f"the baseline process failed: {line!r}")
    time.sleep(0.1)
    sampler.stop()
    peak = max(sampler.peak(child.pid), status_mb(child.pid)[1])
    child.stdin.write("exit\n")
    child.stdin.flush()
    child.wait(30)
    return {"imports": imports, "peak": peak, "fit": line}


def baseline_child(csv: str, best_json: str) -> None:
    """Same imports as a worker; then read the CSV, fit the best pipeline once on all rows."""
    from hpgui.core import process, runner  # noqa: F401  (runner: what a worker imports too)

    process._warm_up()
    print("imported", flush=True)
    sys.stdin.readline()

    import pandas as pd

    from hpgui.core.catalog import get_model
    from hpgui.core.pipeline import Preprocessing, pipeline_recipe

    best = json.loads(Path(best_json).read_text())
    frame = pd.read_csv(csv)
    y = frame.pop("y")
    model = pipeline_recipe(get_model(best["model"]), best["task"], best["params"], numeric=list(frame.columns),
                            categorical=[], preprocessing=Preprocessing(), seed=0).build()
    started = time.perf_counter()
    model.fit(frame, y)
    print(f"fitted in {time.perf_counter() - started:.1f} s", flush=True)
    sys.stdin.readline()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 rows: a check that the script works")
    parser.add_argument("--baseline-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_child:
        baseline_child(*args.baseline_child)
        return
    if not Path("/proc/self/status").exists():
        raise SystemExit("this benchmark reads /proc and runs on Linux only")

    config = QUICK if args.quick else FULL
    csv = DATA_DIR / "memory.csv"
    _common.classification_csv(csv, config["rows"])
    setup = DATA_DIR / "setup.json"
    setup.write_text(json.dumps(setup_json(csv, config["trials"])))
    out = DATA_DIR / "out"

    import pandas as pd

    frame_mb = pd.read_csv(csv).memory_usage(deep=True).sum() / 2 ** 20
    worker_imports = worker_imports_mb()
    workers = measure_workers(setup, out)
    baseline = measure_baseline(csv, out / "best.json")

    worker_peak = workers["peaks"][0]
    worker_above = worker_peak - worker_imports
    baseline_above = baseline["peak"] - baseline["imports"]
    ratio = worker_above / baseline_above
    rows = [["worker (`hpgui run --workers 2`)", f"{worker_imports:.0f}",
             " / ".join(f"{p:.0f}" for p in workers["peaks"]), f"+{worker_above:.0f}"],
            ["baseline (pandas read + one fit)", f"{baseline['imports']:.0f}", f"{baseline['peak']:.0f}",
             f"+{baseline_above:.0f}"]]
    print(f"## Worker memory ({date.today().isoformat()}{', quick' if args.quick else ''})\n")
    print(f"{config['rows']:,} rows × 20 features, CSV {csv.stat().st_size / 2 ** 20:.0f} MB, "
          f"frame {frame_mb:.0f} MB; logistic regression, random search, {config['trials']} trials, 3 folds; "
          f"{_common.environment_line()}\n")
    print(_common.markdown_table(["process", "imports only (MB)", "peak RSS (MB)", "peak above imports (MB)"],
                                 rows, "lrrr"))
    print(f"\nratio (worker above imports) / (baseline above imports): **{ratio:.2f}** (target ≤ 1.25); "
          f"hpgui run: {workers['seconds']:.0f} s, {workers['summary']}; baseline {baseline['fit']}")


if __name__ == "__main__":
    main()
