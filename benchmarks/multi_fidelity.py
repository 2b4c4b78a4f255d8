"""Stopping poor trials by a resource (epochs, trees, boosting stages) against training every trial to the end.

Claim (docs/benchmarks.md, issue 15): on four problems, the same TPE search with the same
trial budget and seeds, pruned by resource (Hyperband or ASHA on the model's own resource), spends
at least 40 % less fit time than the unpruned search at a best score within 0.5 % of it,
and beats scikit-learn's ``HalvingRandomSearchCV`` given as many candidates on time at an
equal score.

Each problem and seed runs four searches on the same folds and the same held-out test rows:

- ``full``: hpgui, no pruning (every trial trained to the end on every fold);
- ``folds``: hpgui, the median pruner between folds (what hpgui did before);
- ``hyperband``: hpgui, Hyperband on the model's resource, a step on every fold at a time;
- ``asha``: hpgui, asynchronous successive halving (Optuna's SuccessiveHalvingPruner) on the same steps;
- ``halving``: ``HalvingRandomSearchCV`` (factor 3) over the same resource from the catalog's
  minimum to its maximum, ``n_candidates`` = the trial budget, the same folds (``cv``).

Fit time is the sum of the fits' own seconds (hpgui: each trial's ``fit_time_s``; halving: its
``cv_results_`` fit times times the folds), which is what pruning saves; wall time is the whole
search. "Test" is the best configuration refitted on all training rows, scored on the test rows.

    python benchmarks/multi_fidelity.py --quick   # 4 problems x 1 seed x 16 trials, 3 folds
    python benchmarks/multi_fidelity.py           # 4 problems x 5 seeds x 30 trials, 5 folds (long)
"""

from __future__ import annotations

import _common  # noqa: I001  (must come first: pins threads and HPGUI_DATA_DIR before numpy loads)

DATA_DIR = _common.prepare_environment("fidelity")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from _common import classification_csv, environment_line, markdown_table, median  # noqa: E402

SEEDS, QUICK_SEEDS = (0, 1, 2, 3, 4), (0,)
TRIALS, QUICK_TRIALS = 30, 16
FOLDS, QUICK_FOLDS = 5, 3
MODES = ("full", "folds", "hyperband", "asha", "halving")


def _log(low: float, high: float, kind: str = "float") -> dict[str, Any]:
    return {"type": kind, "low": low, "high": high, "log": True}


# problem -> (data file, target, model, resource, hpgui space, halving distributions(scipy) built lazily)
PROBLEMS: dict[str, dict[str, Any]] = {
    "MLP on digits": {
        "data": "digits.csv", "target": "target", "model": "mlp", "resource": "epochs",
        "space": {"hidden_layer_sizes": {"type": "categorical", "choices": ["32", "64", "128"]},
                  "solver": {"type": "categorical", "choices": ["adam"]},
                  "alpha": _log(1e-6, 1e-1), "learning_rate_init": _log(1e-4, 1e-1),
                  "batch_size": _log(32, 256, "int")},
    },
    "HGB on 20k rows": {
        "data": "synthetic20k.csv", "target": "y", "model": "hist_gradient_boosting", "resource": "stages",
        # max_iter fixed at the resource's maximum, so the unpruned search may grow as many stages
        # (by resource it is not searched: the steps set it).
        "space": {"learning_rate": _log(0.01, 0.5), "max_leaf_nodes": _log(8, 64, "int"),
                  "min_samples_leaf": _log(5, 100, "int"), "l2_regularization": _log(1e-4, 10.0),
                  "max_iter": {"type": "int", "values": [300]}},
    },
    "Forest on 20k rows": {
        "data": "synthetic20k.csv", "target": "y", "model": "random_forest", "resource": "trees",
        "space": {"max_depth": _log(3, 20, "int"), "min_samples_leaf": _log(1, 20, "int"),
                  "max_features": _log(0.1, 0.6), "n_estimators": {"type": "int", "values": [200]}},
    },
    "SGD on 20k rows": {
        "data": "synthetic20k.csv", "target": "y", "model": "sgd", "resource": "epochs",
        "space": {"loss": {"type": "categorical", "choices": ["hinge", "log_loss", "modified_huber"]},
                  "penalty": {"type": "categorical", "choices": ["l2", "l1"]},
                  "alpha": _log(1e-6, 1e-1), "learning_rate": {"type": "categorical", "choices": ["optimal"]}},
    },
}


def write_data() -> None:
    import pandas as pd
    from sklearn.datasets import load_digits

    if not (DATA_DIR / "digits.csv").exists():
        frame: pd.DataFrame = load_digits(as_frame=True).frame
        frame.to_csv(DATA_DIR / "digits.csv", index=False)
    if not (DATA_DIR / "synthetic20k.csv").exists():
        classification_csv(DATA_DIR / "synthetic20k.csv", 20_000)


def setup_for(problem: dict[str, Any], mode: str, seed: int, trials: int, folds: int):
    from hpgui.core.setup import SearchSetup

    pruner = {"full": "none", "folds": "median", "hyperband": "hyperband", "asha": "successive_halving"}[mode]
    return SearchSetup.from_json({
        "format": "hpgui-setup/1",
        "data": {"path": str(DATA_DIR / problem["data"]), "target": problem["target"]},
        "model": problem["model"], "space": problem["space"],
        "strategy": {"name": "tpe", "seed": seed, "pruner": pruner,
                     "resource": problem["resource"] if mode in ("hyperband", "asha") else "folds"},
        "evaluation": {"folds": folds, "test_fraction": 0.2},
        "metric": "accuracy", "budget": {"trials": trials},
    })


@dataclass
class Run:
    problem: str
    mode: str
    seed: int
    wall_s: float
    fit_s: float
    best_cv: float
    test: float | None
    pruned: int


def run_hpgui(name: str, mode: str, seed: int, trials: int, folds: int) -> Run:
    from hpgui.core.runner import Search

    search = Search(setup_for(PROBLEMS[name], mode, seed, trials, folds),
                    storage=str(DATA_DIR / f"{name}-{mode}-{seed}-{time.time_ns()}.journal"))
    started = time.perf_counter()
    result = search.run()
    wall = time.perf_counter() - started
    fit = sum(r.fit_time_s or 0.0 for r in result.trials)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        test = search.test_score(search.fit_best(result.best.params))
    return Run(name, mode, seed, wall, fit, result.best.value, test,
               sum(r.state == "pruned" for r in result.trials))


def _distributions(problem: dict[str, Any], prefix: str) -> dict[str, Any]:
    from scipy.stats import loguniform, randint

    from hpgui.core.catalog import get_model

    resource = get_model(problem["model"]).resource.param
    out: dict[str, Any] = {}
    for key, hp in problem["space"].items():
        if key == resource:
            continue  # halving sets it, from the minimum to the maximum
        if "values" in hp:
            out[prefix + key] = list(hp["values"])
        elif hp["type"] == "categorical":
            values = hp["choices"]
            if key == "hidden_layer_sizes":
                values = [tuple(int(v) for v in c.split(",")) for c in values]
            out[prefix + key] = values
        elif hp["type"] == "int":
            out[prefix + key] = randint(hp["low"], hp["high"] + 1) if not hp.get("log") \
                else [int(round(v)) for v in loguniform(hp["low"], hp["high"]).rvs(200, random_state=0)]
        else:
            out[prefix + key] = loguniform(hp["low"], hp["high"])
    return out


def run_halving(name: str, seed: int, trials: int, folds: int) -> Run:
    """HalvingRandomSearchCV on the same rows, folds and preprocessing as hpgui's unpruned search."""
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV

    from hpgui.core.catalog import get_model
    from hpgui.core.runner import Search

    problem = PROBLEMS[name]
    search = Search(setup_for(problem, "full", seed, trials, folds),
                    storage=str(DATA_DIR / f"{name}-halving-{seed}-{time.time_ns()}.journal"))
    spec = get_model(problem["model"])
    resource = spec.resource
    # The pipeline hpgui fits, with the resource's own settings (its early stopping off), as the base.
    base = search.build_estimator({})
    prefix = "model__" if hasattr(base, "steps") else ""
    base.set_params(**{prefix + k: v for k, v in resource.fixed.items()})
    halving = HalvingRandomSearchCV(
        base, _distributions(problem, prefix), n_candidates=trials, factor=3,
        resource=prefix + resource.param, min_resources=resource.minimum, max_resources=resource.maximum,
        cv=search.splits, scoring=search.scorer, random_state=seed, refit=True, error_score=float("nan"))
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        halving.fit(search.X, search.y)
    wall = time.perf_counter() - started
    fit = float(sum(halving.cv_results_["mean_fit_time"]) * len(search.splits))
    test = float(search.scorer(halving.best_estimator_, search.X_test, search.y_test))
    # Its best_score_ is the best at the last iteration's resource, as hpgui's best is at the full resource.
    return Run(name, "halving", seed, wall, fit, float(halving.best_score_), test, 0)


def summarise(runs: list[Run]) -> str:
    rows = []
    for name in PROBLEMS:
        mine = [r for r in runs if r.problem == name]
        if not mine:
            continue
        full = {r.seed: r for r in mine if r.mode == "full"}
        for mode in MODES:
            these = [r for r in mine if r.mode == mode]
            if not these:
                continue
            fit_ratio = median([r.fit_s / full[r.seed].fit_s for r in these if r.seed in full])
            gap = median([(full[r.seed].best_cv - r.best_cv) / full[r.seed].best_cv for r in these if r.seed in full])
            rows.append([name, mode, f"{median([r.wall_s for r in these]):.1f}", f"{median([r.fit_s for r in these]):.1f}",
                         f"{fit_ratio:.2f}", f"{median([r.best_cv for r in these]):.4f}", f"{gap:+.2%}",
                         f"{median([r.test for r in these if r.test is not None]):.4f}",
                         f"{median([r.pruned for r in these]):.0f}"])
    return markdown_table(["problem", "search", "wall s", "fit s", "fit / full", "best CV", "CV behind full",
                           "test", "pruned"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 16 trials, 3 folds")
    parser.add_argument("--problems", nargs="*", default=list(PROBLEMS), help="a subset of the problems")
    parser.add_argument("--trials", type=int, default=None, help="the trial budget (default 30, quick 16)")
    parser.add_argument("--modes", nargs="*", default=list(MODES), help="a subset of " + ", ".join(MODES))
    parser.add_argument("--out", type=Path, default=None, help="write the runs as JSON here too")
    args = parser.parse_args()
    seeds, trials, folds = (QUICK_SEEDS, QUICK_TRIALS, QUICK_FOLDS) if args.quick else (SEEDS, TRIALS, FOLDS)
    trials = args.trials or trials
    write_data()
    runs: list[Run] = []
    print(environment_line(), flush=True)
    for name in args.problems:
        for seed in seeds:
            for mode in args.modes:
                run = run_halving(name, seed, trials, folds) if mode == "halving" \
                    else run_hpgui(name, mode, seed, trials, folds)
                runs.append(run)
                print(json.dumps(asdict(run)), flush=True)
                if args.out is not None:
                    args.out.write_text(json.dumps([asdict(r) for r in runs], indent=1))
    print()
    print(f"{len(seeds)} seed(s), {trials} trials, {folds} folds, TPE; medians over seeds")
    print(summarise(runs))


if __name__ == "__main__":
    main()
