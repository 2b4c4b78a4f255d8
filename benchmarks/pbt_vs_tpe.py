"""Population-based training against TPE with the same total epochs / boosting stages.

Claim looked at (issue 16): hpgui's ``pbt`` strategy finds a model at least as good as TPE's when
both may train the same number of units in all, on a neural network (digits) and on histogram
gradient boosting (breast cancer, scikit-learn's copy of the Wisconsin data).

Both run through hpgui's engine (``Search``) on the same folds and the same held-out test rows.
PBT trains N members for R rounds of k units; TPE gets N trials, each trained R·k units by a plain
fit (the resource fixed at R·k, the model's own early stopping off), so the units trained add up
to the same N·R·k per fold. For each, over seeds: the best trial's cross-validated score, the test
score of that trial's model refitted on all training rows (for PBT: its schedule replayed), and the
wall time of the search. The test score is the fair one: PBT picks its best among N·R validated
rounds and selects on the same folds, so its CV best is optimistic by more than TPE's is.

    python benchmarks/pbt_vs_tpe.py           # 5 seeds; MLP 8 members x 8 rounds x 10 epochs, HGB 8 x 10 x 20
    python benchmarks/pbt_vs_tpe.py --quick   # 3 seeds; 4 members x 5 rounds, fewer units
    python benchmarks/pbt_vs_tpe.py --workers # the MLP population by 1 and by 2 worker processes

``--workers`` measures what sharing a population costs: each worker keeps only the models it
trained, so continuing a member the other worker trained replays its schedule first. It reports
the wall time of ``hpgui run --workers N`` and the units replayed as a share of the units trained.
"""

from __future__ import annotations

import _common  # noqa: I001  (must come first: pins threads and HPGUI_DATA_DIR before numpy loads)

DATA_DIR = _common.prepare_environment("pbt")

import argparse  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from _common import environment_line, markdown_table, median  # noqa: E402

LOG = {"type": "float", "log": True}


@dataclass(frozen=True)
class Problem:
    name: str
    data: str
    model: str
    space: dict[str, Any]     # what both search
    plain: dict[str, Any]     # what TPE fixes beside it so that every trial trains the full length
    metric: str
    shape: tuple[int, int, int]        # members, rounds, units per round (full run)
    quick_shape: tuple[int, int, int]


PROBLEMS = (
    Problem("MLP (32 hidden), digits", "digits", "mlp",
            {"hidden_layer_sizes": {"type": "categorical", "choices": ["32"]},
             "solver": {"type": "categorical", "choices": ["adam"]},
             "alpha": {**LOG, "low": 1e-6, "high": 1e-1}, "learning_rate_init": {**LOG, "low": 1e-4, "high": 3e-1},
             "batch_size": {"type": "int", "low": 32, "high": 256, "log": True}},
            {"early_stopping": {"type": "categorical", "choices": [False]}}, "accuracy", (8, 8, 10), (4, 5, 6)),
    Problem("histogram gradient boosting, breast cancer", "cancer", "hist_gradient_boosting",
            {"learning_rate": {**LOG, "low": 0.01, "high": 0.5}, "max_leaf_nodes": {"type": "int", "low": 4, "high": 64},
             "l2_regularization": {**LOG, "low": 1e-4, "high": 10.0},
             "min_samples_leaf": {"type": "int", "low": 5, "high": 50}},
            {}, "log_loss", (8, 10, 20), (4, 5, 10)),
)


def write_data(kind: str, folder: Path) -> Path:
    from sklearn import datasets

    frame = (datasets.load_digits if kind == "digits" else datasets.load_breast_cancer)(as_frame=True).frame
    path = folder / f"{kind}.csv"
    frame.to_csv(path, index=False)
    return path


def setup(problem: Problem, csv: Path, strategy: str, seed: int, shape: tuple[int, int, int]):
    from hpgui.core.setup import SearchSetup

    members, rounds, units = shape
    space = dict(problem.space)
    if strategy == "pbt":
        spec = {"name": "pbt", "seed": seed, "population": members, "rounds": rounds, "round_units": units}
        trials = members * rounds
    else:
        spec = {"name": "tpe", "seed": seed}
        space.update(problem.plain)
        space["max_iter"] = {"type": "int", "values": [rounds * units]}
        trials = members
    return SearchSetup.from_json({
        "data": {"path": str(csv), "target": "target"}, "model": problem.model, "space": space,
        "metric": problem.metric, "strategy": spec, "evaluation": {"folds": 3, "test_fraction": 0.25},
        "budget": {"trials": trials},
    })


def run_one(problem: Problem, csv: Path, strategy: str, seed: int, shape) -> tuple[float, float, float]:
    from hpgui.core.runner import Search

    search = Search(setup(problem, csv, strategy, seed, shape), study_name=f"{strategy}-{problem.data}-{seed}")
    started = time.perf_counter()
    result = search.run()
    wall = time.perf_counter() - started
    best = result.best
    fitted = search.pbt.fit_schedule(best.params, best.pbt) if strategy == "pbt" else search.fit_best(best.params)
    return best.value, search.test_score(fitted), wall


def run_workers(problem: Problem, csv: Path, workers: int, seed: int, shape) -> tuple[float, float, float]:
    """Wall time, best CV score and replayed share of ``hpgui run --workers N`` on the population."""
    import json
    import subprocess
    import sys

    import optuna

    from hpgui.core.records import PBT_ATTR
    from hpgui.core.storage import open_storage

    path = DATA_DIR / f"workers-{workers}-{seed}.json"
    path.write_text(json.dumps(setup(problem, csv, "pbt", seed, shape).to_json()))
    name = f"workers-{workers}-{seed}"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "hpgui.cli", "run", str(path), "--quiet", "--workers", str(workers),
                    "--study", name, "--out", str(DATA_DIR / name)], check=True, capture_output=True,
                   cwd=_common.ROOT)
    wall = time.perf_counter() - started
    trials = [t for t in optuna.load_study(study_name=name, storage=open_storage(None, name)).get_trials()
              if t.state.name == "COMPLETE" and PBT_ATTR in t.user_attrs]
    replayed = sum((t.user_attrs.get("hpgui") or {}).get("replayed", 0) for t in trials)
    trained = len(trials) * shape[2]
    return wall, max(t.value for t in trials), replayed / trained


def workers_table(seeds) -> None:
    problem = PROBLEMS[0]
    csv = write_data(problem.data, DATA_DIR)
    rows = []
    got = {}
    for workers in (1, 2):
        got[workers] = [run_workers(problem, csv, workers, seed, problem.shape) for seed in seeds]
        print(workers, got[workers], flush=True)
    for workers in (1, 2):
        wall, best, share = (median([r[i] for r in got[workers]]) for i in range(3))
        rows.append([problem.name, workers, f"{best:.4f}", f"{wall:.1f}", f"{share:.0%}"])
    print()
    print(f"{date.today().isoformat()} · {environment_line()} · seeds {list(seeds)} · "
          f"load average at start {os.getloadavg()[0]:.1f}")
    print()
    print(markdown_table(["problem", "workers", "median best CV", "median wall s (hpgui run)",
                          "units replayed / units trained"], rows))
    print(f"\nwall time 2 workers / 1 worker: {median([r[0] for r in got[2]]) / median([r[0] for r in got[1]]):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", action="store_true", help="only the 1 vs 2 worker processes table")
    args = parser.parse_args()
    if args.workers:
        warnings.filterwarnings("ignore")
        workers_table((0, 1, 2))
        return
    seeds = (0, 1, 2) if args.quick else (0, 1, 2, 3, 4)
    warnings.filterwarnings("ignore")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows = []
    for problem in PROBLEMS:
        shape = problem.quick_shape if args.quick else problem.shape
        csv = write_data(problem.data, DATA_DIR)
        got: dict[str, list[tuple[float, float, float]]] = {"pbt": [], "tpe": []}
        for seed in seeds:
            for strategy in ("pbt", "tpe"):
                got[strategy].append(run_one(problem, csv, strategy, seed, shape))
                print(problem.data, strategy, seed, got[strategy][-1], flush=True)
        members, rounds, units = shape
        for strategy in ("pbt", "tpe"):
            cv, test, wall = (median([r[i] for r in got[strategy]]) for i in range(3))
            how = (f"{members} members x {rounds} rounds x {units}" if strategy == "pbt"
                   else f"{members} trials x {rounds * units}")
            rows.append([problem.name, problem.metric, strategy, how, f"{cv:.4f}", f"{test:.4f}", f"{wall:.1f}",
                         ", ".join(f"{r[1]:.4f}" for r in got[strategy])])
        pbt_wall, tpe_wall = (median([r[2] for r in got[s]]) for s in ("pbt", "tpe"))
        rows.append([problem.name, "", "PBT / TPE wall time", "", "", "", f"{pbt_wall / tpe_wall:.2f}", ""])
    print()
    print(f"{date.today().isoformat()} · {environment_line()} · {'--quick' if args.quick else 'full'} run · "
          f"seeds {list(seeds)} · load average at start {load:.1f}")
    print()
    print(markdown_table(["problem", "metric", "strategy", "units per fold", "median best CV", "median test",
                          "median wall s", "test per seed"], rows, align="lllrrrrl"))


if __name__ == "__main__":
    main()
