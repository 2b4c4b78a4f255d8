"""Gradient descent against TPE and a dense grid: fits needed to come within 0.1 % of the grid's best.

Claim (docs/benchmarks.md, issue 16): on ridge / logistic-type problems with one and with
several regularisation hyperparameters, hpgui's ``gradient`` strategy reaches a cross-validated
score within 0.1 % of the best point of a dense grid in at most a fifth of the trials (fits of
every fold) that the ``tpe`` strategy needs.

Everything runs through hpgui's engine (``Search``), with the same folds for all three (k-fold
without shuffling, so the strategy seed only changes what TPE draws). The grid is the baseline
of what the best score is: a dense grid over the same ranges, scored by the same folds. For each
problem the table gives the grid's best, the trials gradient descent needed (it is deterministic),
the median over seeds of the trials TPE needed (a run that never gets there counts as its budget
plus one, shown as ">N"), and the ratio of the two.

    python benchmarks/gradient_vs_tpe.py           # 6 problems, TPE over 5 seeds x 100 trials
    python benchmarks/gradient_vs_tpe.py --quick   # 3 seeds x 60 trials, coarser grids
"""

from __future__ import annotations

import _common  # noqa: I001  (must come first: pins threads and HPGUI_DATA_DIR before numpy loads)

DATA_DIR = _common.prepare_environment("gradient")

import argparse  # noqa: E402
import itertools  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from _common import environment_line, markdown_table, median  # noqa: E402

TOLERANCE = 1e-3


def _log(low: float, high: float) -> dict[str, Any]:
    return {"type": "float", "low": low, "high": high, "log": True}


@dataclass(frozen=True)
class Problem:
    name: str
    data: str  # a function below that writes the CSV
    model: str
    space: dict[str, Any]
    metric: str
    note: str


PROBLEMS = (
    Problem("ridge, wide (200 rows, 150 features)", "wide", "ridge", {"alpha": _log(1e-4, 1e4)}, "r2",
            "1 hyperparameter"),
    Problem("ridge, diabetes", "diabetes", "ridge", {"alpha": _log(1e-4, 1e4)}, "r2", "1 hyperparameter"),
    Problem("L2 logistic, breast cancer", "cancer", "logistic_regression",
            {"C": _log(1e-4, 1e4), "solver": {"type": "categorical", "choices": ["lbfgs"]}}, "log_loss",
            "1 hyperparameter"),
    Problem("L2 logistic, digits (10 classes)", "digits", "logistic_regression",
            {"C": _log(1e-4, 1e2), "solver": {"type": "categorical", "choices": ["lbfgs"]}}, "log_loss",
            "1 hyperparameter"),
    Problem("kernel ridge (RBF), Friedman #1", "friedman", "kernel_ridge",
            {"alpha": _log(1e-4, 10.0), "gamma": _log(1e-4, 10.0)}, "r2", "2 hyperparameters"),
    Problem("elastic net, wide", "wide", "elastic_net",
            {"alpha": _log(1e-4, 10.0), "l1_ratio": {"type": "float", "low": 0.05, "high": 1.0}}, "r2",
            "2 hyperparameters"),
)


def write_data(kind: str, folder: Path) -> tuple[Path, str]:
    path = folder / f"{kind}.csv"
    from sklearn import datasets

    if kind == "diabetes":
        frame = datasets.load_diabetes(as_frame=True).frame
    elif kind == "cancer":
        frame = datasets.load_breast_cancer(as_frame=True).frame
    elif kind == "digits":
        frame = datasets.load_digits(as_frame=True).frame
    elif kind == "friedman":
        X, y = datasets.make_friedman1(n_samples=400, noise=1.0, random_state=0)
        frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])]).assign(target=y)
    elif kind == "wide":
        X, y = datasets.make_regression(n_samples=200, n_features=150, n_informative=40, effective_rank=30,
                                        noise=5.0, random_state=0)
        frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])]).assign(target=y)
    else:
        raise ValueError(kind)
    frame.to_csv(path, index=False)
    return path, "target"


def setup(problem: Problem, csv: Path, strategy: str, seed: int, trials: int):
    from hpgui.core.setup import SearchSetup

    return SearchSetup.from_json({
        "data": {"path": str(csv), "target": "target"}, "model": problem.model, "space": problem.space,
        "metric": problem.metric, "strategy": {"name": strategy, "seed": seed},
        "evaluation": {"folds": 5, "shuffle": False}, "budget": {"trials": trials},
    })


def grid_points(problem: Problem, per_axis: int) -> list[dict[str, float]]:
    axes = {}
    for name, hp in problem.space.items():
        if hp["type"] != "float":
            continue
        if hp.get("log"):
            axes[name] = np.geomspace(hp["low"], hp["high"], per_axis)
        else:
            axes[name] = np.linspace(hp["low"], hp["high"], per_axis)
    fixed = {n: hp["choices"][0] for n, hp in problem.space.items() if hp["type"] == "categorical"}
    return [{**fixed, **{n: float(v) for n, v in zip(axes, values)}} for values in itertools.product(*axes.values())]


def trials_to_reach(values: list[float], target: float, maximize: bool) -> int | None:
    best = None
    for i, v in enumerate(values, start=1):
        if v is None or not np.isfinite(v):
            continue
        best = v if best is None else (max(best, v) if maximize else min(best, v))
        if (best >= target) if maximize else (best <= target):
            return i
    return None


def run_problem(problem: Problem, folder: Path, seeds: tuple[int, ...], trials: int, per_axis: int) -> dict:
    from hpgui.core.runner import Search

    csv, _ = write_data(problem.data, folder)
    reference = Search(setup(problem, csv, "random", 0, 1), study_name=f"grid-{problem.model}-{problem.data}")
    started = time.perf_counter()
    scores = [reference.evaluate(p).value for p in grid_points(problem, per_axis)]
    grid_s = time.perf_counter() - started
    maximize = reference.metric.direction == "maximize"
    grid_best = max(scores) if maximize else min(scores)
    target = grid_best - TOLERANCE * abs(grid_best) if maximize else grid_best + TOLERANCE * abs(grid_best)

    def values(result) -> list[float | None]:
        return [t.value if t.state == "complete" else None for t in sorted(result.trials, key=lambda t: t.number)]

    gd = Search(setup(problem, csv, "gradient", 0, trials), study_name=f"gd-{problem.model}-{problem.data}").run()
    gd_needed = trials_to_reach(values(gd), target, maximize)
    tpe_needed = []
    for seed in seeds:
        result = Search(setup(problem, csv, "tpe", seed, trials),
                        study_name=f"tpe-{problem.model}-{problem.data}-{seed}").run()
        found = trials_to_reach(values(result), target, maximize)
        tpe_needed.append(found if found is not None else trials + 1)
    return {"problem": problem, "grid_points": len(scores), "grid_best": grid_best, "grid_s": grid_s,
            "gd_needed": gd_needed, "gd_trials": len(gd.trials), "gd_best": gd.best.value if gd.best else None,
            "gd_stop": gd.stop_reason, "tpe_needed": tpe_needed, "trials": trials}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seeds, trials, per_axis_1, per_axis_2 = ((0, 1, 2), 60, 121, 25) if args.quick else ((0, 1, 2, 3, 4), 100, 241, 41)
    warnings.filterwarnings("ignore")
    rows, met = [], 0
    for problem in PROBLEMS:
        per_axis = per_axis_1 if sum(hp["type"] == "float" for hp in problem.space.values()) == 1 else per_axis_2
        r = run_problem(problem, DATA_DIR, seeds, trials, per_axis)
        tpe_median = median(r["tpe_needed"])
        gd = r["gd_needed"]
        ratio = gd / tpe_median if gd is not None else None
        met += ratio is not None and ratio <= 0.2
        tpe_text = f"{tpe_median:g}" if tpe_median <= trials else f">{trials}"
        rows.append([problem.name, problem.note, f"{r['grid_best']:.5g} ({r['grid_points']} points)",
                     f"{gd if gd is not None else 'not reached'} (stopped after {r['gd_trials']}: {r['gd_stop']})",
                     f"{tpe_text} ({', '.join(str(n) if n <= trials else f'>{trials}' for n in r['tpe_needed'])})",
                     f"{ratio:.2f}" if ratio is not None else "–"])
        print(rows[-1], flush=True)
    print()
    print(f"{date.today().isoformat()} · {environment_line()} · {'--quick' if args.quick else 'full'} run · "
          f"TPE seeds {list(seeds)}, budget {trials} trials · within {TOLERANCE:.1%} of the grid's best")
    print()
    print(markdown_table(["problem", "", "grid's best (points)", "gradient: trials to reach", "TPE: median trials "
                          "(per seed)", "gradient / TPE"], rows))
    print()
    print(f"target gradient / TPE <= 0.20 met on {met} of {len(PROBLEMS)} problems")


if __name__ == "__main__":
    main()
