"""Parallel workers: hpgui with 1 and N worker processes, against GridSearchCV(n_jobs=N).

Targets (docs/benchmarks.md, "Parallel workers"):

* on CPU-bound fits, 2 workers finish at least 1.8 times as fast as 1;
* on the same grid with the same folds, hpgui with N workers takes at most as long as
  ``GridSearchCV(n_jobs=N)`` (ratio <= 1.0).

Both sides do the same work: an RBF SVM grid (C x gamma) on a synthetic classification CSV,
no preprocessing, the same 5 unshuffled stratified folds, accuracy, train scores computed too
(``return_train_score=True``), and no refit. The script checks that hpgui's scores equal
GridSearchCV's, point by point.

Each measurement runs in a fresh Python process, so neither side profits from the other's
warm worker pool or imports: hpgui is timed from creating its ``WorkerPool`` (which spawns the
worker processes, each reading the CSV once) to the pool's "done" ("cold"), and also from the
moment its workers have started and imported scikit-learn ("warm": what the window sees, since it
starts a worker ahead of time); GridSearchCV from the start
of ``fit`` (which spawns joblib's worker processes for n_jobs > 1) to its end, with the data
already in memory. Measurements are interleaved and repeated; medians are reported.

    python benchmarks/parallel_scaling.py            # full run (3 repeats, 24-point grid, 4,000 rows)
    python benchmarks/parallel_scaling.py --quick    # a check that it works (1 repeat, small grid)
"""

from __future__ import annotations

import _common  # noqa: I001  (must come first: pins threads and HPGUI_DATA_DIR before numpy loads)

DATA_DIR = _common.prepare_environment("parallel")

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

FULL = {"rows": 4000, "C": [0.1, 1, 10, 100], "gamma": [0.001, 0.01, 0.03, 0.1, 0.3, 1.0], "repeats": 3}
QUICK = {"rows": 800, "C": [0.1, 1, 10], "gamma": [0.01, 0.1, 1.0], "repeats": 1}


def setup_json(csv: Path, grid: dict) -> dict:
    return {"format": "hpgui-setup/1", "data": {"path": str(csv), "target": "y", "task": "classification"},
            "model": "svm",
            "space": {"kernel": {"type": "categorical", "choices": ["rbf"]},
                      "C": {"type": "float", "values": grid["C"]},
                      "gamma": {"type": "float", "values": grid["gamma"]}},
            "preprocessing": "none", "strategy": {"name": "grid", "seed": 0},
            "evaluation": {"folds": 5, "shuffle": False}, "metric": "accuracy", "budget": {"trials": None}}


# -- one measurement, in its own process ----------------------------------------------------
def child_hpgui(csv: Path, grid: dict, workers: int) -> dict:
    from hpgui.core.process import Job, WorkerPool

    study = f"scaling-{workers}-{os.getpid()}"
    started = time.perf_counter()
    pool = WorkerPool(workers)
    if not pool.wait_ready(300):
        raise SystemExit("the worker processes did not start")
    ready = time.perf_counter()
    pool.submit(Job(setup=setup_json(csv, grid), base_dir=None, study_name=study, storage=None))
    scores, end = {}, None
    while end is None:
        for event in pool.poll(timeout=0.05):
            if event[0] == "trial" and event[1].state == "complete":
                scores[f"{event[1].params['C']}|{event[1].params['gamma']}"] = event[1].value
            elif event[0] in ("done", "failed", "invalid", "crash"):
                end = event
    finished = time.perf_counter()
    pool.close()
    if end[0] != "done":
        raise SystemExit(f"hpgui search failed: {end}")
    return {"wall": finished - started, "warm": finished - ready, "scores": scores}


def child_gridsearch(csv: Path, grid: dict, workers: int) -> dict:
    import pandas as pd
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.svm import SVC

    frame = pd.read_csv(csv)
    X, y = frame.drop(columns="y"), frame["y"]
    search = GridSearchCV(SVC(kernel="rbf"), {"C": grid["C"], "gamma": grid["gamma"]}, cv=StratifiedKFold(5),
                          scoring="accuracy", n_jobs=workers, refit=False, return_train_score=True)
    started = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - started
    scores = {f"{p['C']}|{p['gamma']}": float(s)
              for p, s in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"])}
    return {"wall": wall, "scores": scores}


def measure(kind: str, workers: int, csv: Path, grid: dict) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--workers", str(workers), "--csv", str(csv),
               "--grid", json.dumps(grid)]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{kind} with {workers} worker(s) failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repeat of a small grid: checks it works")
    parser.add_argument("--workers", type=int, default=2, help="N for the comparison (default: 2)")
    parser.add_argument("--child", choices=("hpgui", "gridsearch"), help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--grid", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        grid = json.loads(args.grid)
        run = child_hpgui if args.child == "hpgui" else child_gridsearch
        print(json.dumps(run(Path(args.csv), grid, args.workers)))
        return

    plan = QUICK if args.quick else FULL
    grid = {"C": plan["C"], "gamma": plan["gamma"]}
    csv = DATA_DIR / "scaling.csv"
    _common.classification_csv(csv, plan["rows"])
    n = args.workers
    variants = [("hpgui", 1), ("hpgui", n), ("gridsearch", 1), ("gridsearch", n)]
    walls: dict[tuple[str, int], list[float]] = {v: [] for v in variants}
    warm: dict[tuple[str, int], list[float]] = {}
    paired_scaling, paired_vs_gs, warm_scaling, warm_vs_gs = [], [], [], []
    worst_diff = 0.0
    for repeat in range(plan["repeats"]):
        order = variants if repeat % 2 == 0 else list(reversed(variants))
        got = {v: measure(v[0], v[1], csv, grid) for v in order}
        for v in variants:
            walls[v].append(got[v]["wall"])
        reference = got[("gridsearch", 1)]["scores"]
        for v in variants:
            scores = got[v]["scores"]
            if set(scores) != set(reference):
                raise SystemExit(f"{v} scored other points than GridSearchCV: {sorted(set(scores) ^ set(reference))}")
            worst_diff = max(worst_diff, max(abs(scores[k] - reference[k]) for k in reference))
        paired_scaling.append(got[("hpgui", 1)]["wall"] / got[("hpgui", n)]["wall"])
        paired_vs_gs.append(got[("hpgui", n)]["wall"] / got[("gridsearch", n)]["wall"])
        warm_scaling.append(got[("hpgui", 1)]["warm"] / got[("hpgui", n)]["warm"])
        warm_vs_gs.append(got[("hpgui", n)]["warm"] / got[("gridsearch", n)]["wall"])
        for v in variants:
            warm.setdefault(v, []).append(got[v].get("warm", got[v]["wall"]))

    points = len(grid["C"]) * len(grid["gamma"])
    print(f"## Parallel workers ({date.today().isoformat()}{', quick' if args.quick else ''})\n")
    print(_common.environment_line())
    print(f"RBF SVM grid of {points} points x 5 folds on {plan['rows']} rows x 20 features; "
          f"{plan['repeats']} repeat(s), median wall time; each run in a fresh process.\n")
    rows = [[("hpgui" if kind == "hpgui" else "GridSearchCV"), workers,
             f"{_common.median(walls[(kind, workers)]):.2f}",
             f"{_common.median(warm[(kind, workers)]):.2f}" if kind == "hpgui" else "(same)"]
            for kind, workers in variants]
    print(_common.markdown_table(["engine", "workers / n_jobs", "wall s (cold)", "wall s (warm workers)"], rows,
                                 "lrrr"))
    print()
    print(f"hpgui speed-up, {n} workers vs 1: {_common.median(paired_scaling):.2f}x cold, "
          f"{_common.median(warm_scaling):.2f}x warm (target >= 1.8 for n=2)")
    print(f"hpgui {n} workers / GridSearchCV(n_jobs={n}): {_common.median(paired_vs_gs):.2f} cold, "
          f"{_common.median(warm_vs_gs):.2f} warm (target <= 1.0)")
    print(f"largest score difference hpgui vs GridSearchCV: {worst_diff:.1e}")


if __name__ == "__main__":
    main()
