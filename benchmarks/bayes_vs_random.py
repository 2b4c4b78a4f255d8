"""Bayesian search (TPE, and GP when PyTorch is installed) against random search on the same budget.

Claim (docs/benchmarks.md): on a panel of problems with continuous / log-scaled
hyperparameters, hpgui's ``tpe`` strategy finds a better cross-validated score than
its ``random`` strategy with the same number of trials (median over seeds).

Every run goes through hpgui's own engine (``SearchSetup.from_json`` + ``Search.run``),
so the samplers are configured exactly as the app configures them. For each
problem and each seed in ``SEEDS`` each strategy gets the same trial budget; the
best cross-validated score of the run is recorded. The seed also shuffles the CV
folds, so runs are compared in pairs (same problem, same seed, same folds) and the
verdict rests on the paired differences:

    met  <=>  on every problem the median over seeds of (TPE best - random best),
              signed so that positive means TPE is better, is >= 0,
              and on at least half of the problems it is > 0.

"Trials to 99%" is the first trial whose running best is within 1% (relative) of
that run's own final best; it measures how early a run settles, not how good it is.

    python benchmarks/bayes_vs_random.py           # 5 problems x 7 seeds x 30 trials (~6 minutes on 2 cores)
    python benchmarks/bayes_vs_random.py --quick   # 5 problems x 3 seeds x 15 trials (~1 minute)

Runs are spread over ``--workers`` processes (default 2); this benchmark measures
scores, not time, so parallel runs do not bias it.
"""

from __future__ import annotations

import _common  # noqa: I001  (must come first: pins threads and HPGUI_DATA_DIR before numpy loads)

DATA_DIR = _common.prepare_environment("bayes")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import multiprocessing  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import date  # noqa: E402
from typing import Any  # noqa: E402

from _common import EXAMPLES, environment_line, markdown_table, median  # noqa: E402

SEEDS = (0, 1, 2, 3, 4, 5, 6)
QUICK_SEEDS = (0, 1, 2)
TRIALS = 30
QUICK_TRIALS = 15
FOLDS = 5


def _log(low: float, high: float) -> dict[str, Any]:
    return {"type": "float", "low": low, "high": high, "log": True}


def _intlog(low: int, high: int) -> dict[str, Any]:
    return {"type": "int", "low": low, "high": high, "log": True}


@dataclass(frozen=True)
class Problem:
    name: str
    label: str
    csv: str
    target: str
    task: str
    model: str
    metric: str
    space: dict[str, dict[str, Any]]

    def setup_json(self, strategy: str, seed: int, trials: int) -> dict[str, Any]:
        return {
            "format": "hpgui-setup/1",
            "data": {"path": self.csv, "target": self.target, "task": self.task},
            "model": self.model,
            "space": self.space,
            "preprocessing": "auto",
            "strategy": {"name": strategy, "seed": seed},
            "evaluation": {"method": "kfold", "folds": FOLDS, "shuffle": True},
            "metric": self.metric,
            "budget": {"trials": trials, "timeout_s": None},
        }


PANEL = (
    Problem("svm_breast_cancer", "SVM (C, gamma) · breast_cancer · accuracy",
            "breast_cancer.csv", "diagnosis", "classification", "svm", "accuracy",
            {"C": _log(1e-2, 1e3), "gamma": _log(1e-4, 10.0)}),
    Problem("svm_wine", "SVM (C, gamma) · wine · accuracy",
            "wine.csv", "cultivar", "classification", "svm", "accuracy",
            {"C": _log(1e-2, 1e3), "gamma": _log(1e-4, 10.0)}),
    Problem("svr_diabetes", "SVR (C, gamma, epsilon) · diabetes · RMSE",
            "diabetes.csv", "progression", "regression", "svm", "rmse",
            {"C": _log(1e-1, 1e4), "gamma": _log(1e-4, 1.0), "epsilon": _log(1e-2, 10.0)}),
    Problem("gb_diabetes", "gradient boosting (5 params) · diabetes · RMSE",
            "diabetes.csv", "progression", "regression", "gradient_boosting", "rmse",
            {"learning_rate": _log(0.01, 0.5), "n_estimators": _intlog(10, 100),
             "max_depth": {"type": "int", "low": 1, "high": 4},
             "subsample": {"type": "float", "low": 0.5, "high": 1.0},
             "min_samples_leaf": _intlog(1, 50)}),
    Problem("mlp_wine", "MLP (alpha, learning rate) · wine · log loss",
            "wine.csv", "cultivar", "classification", "mlp", "log_loss",
            {"alpha": _log(1e-6, 10.0), "learning_rate_init": _log(1e-4, 1e-1),
             "hidden_layer_sizes": {"type": "categorical", "choices": ["32"]},
             "solver": {"type": "categorical", "choices": ["adam"]},
             "max_iter": {"type": "int", "values": [100]}}),
)
PROBLEMS = {p.name: p for p in PANEL}


def run_one(problem_name: str, strategy: str, seed: int, trials: int) -> dict[str, Any]:
    """One hpgui search; returns the trial values in trial order and the metric's direction."""
    warnings.simplefilter("ignore")
    from hpgui.core.runner import Search
    from hpgui.core.setup import SearchSetup

    from hpgui.core import study_open as runner  # where the study (and its sampler) is made

    problem = PROBLEMS[problem_name]
    name = strategy
    if strategy in TPE_VARIANTS:
        # The same engine with another TPE configuration in place of hpgui's.
        name, runner.make_sampler = "tpe", TPE_VARIANTS[strategy]
    setup = SearchSetup.from_json(problem.setup_json(name, seed, trials), base_dir=EXAMPLES)
    started = time.perf_counter()
    try:
        result = Search(setup, study_name=f"{problem_name}-{strategy}-{seed}").run()
    finally:
        from hpgui.core import strategies

        runner.make_sampler = strategies.make_sampler
    records = sorted(result.trials, key=lambda r: r.number)
    return {"problem": problem_name, "strategy": strategy, "seed": seed,
            "values": [r.value if r.state == "complete" else None for r in records],
            "maximize": result.metric.greater_is_better, "label": result.metric.label,
            "seconds": time.perf_counter() - started}


def _optuna_default_tpe(name: str, seed: int | None, budget: int | None = None, parallel: bool = False) -> Any:
    import optuna

    return optuna.samplers.TPESampler(seed=seed)


def _previous_hpgui_tpe(name: str, seed: int | None, budget: int | None = None, parallel: bool = False) -> Any:
    """The TPE hpgui used before issue 14 (kept here to compare against)."""
    import optuna

    startup = 10 if budget is None else max(5, min(10, budget // 5))
    return optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True, n_startup_trials=startup,
                                      constant_liar=True)


#: ``--compare-tpe``: TPE configurations run through the same engine, besides hpgui's own ("tpe").
TPE_VARIANTS = {"tpe-optuna-default": _optuna_default_tpe, "tpe-multivariate": _previous_hpgui_tpe}


# -- summaries ------------------------------------------------------------------------

def running_best(values: list[float | None], maximize: bool) -> list[float | None]:
    out, best = [], None
    for v in values:
        if v is not None and math.isfinite(v) and (best is None or (v > best if maximize else v < best)):
            best = v
        out.append(best)
    return out


def trials_to_99(values: list[float | None], maximize: bool) -> int | None:
    """1-based index of the first trial within 1% (relative) of the run's final best."""
    curve = running_best(values, maximize)
    final = curve[-1] if curve else None
    if final is None:
        return None
    slack = 0.01 * abs(final)
    for i, b in enumerate(curve, start=1):
        if b is not None and (b >= final - slack if maximize else b <= final + slack):
            return i
    return None


def sign_test_p(wins: int, losses: int) -> float:
    """Two-sided binomial sign test (ties dropped)."""
    n = wins + losses
    if n == 0:
        return 1.0
    k = min(wins, losses)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def fmt(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{len(QUICK_SEEDS)} seeds x {QUICK_TRIALS} trials")
    parser.add_argument("--workers", type=int, default=2, help="parallel worker processes (default 2)")
    parser.add_argument("--problems", nargs="*", choices=list(PROBLEMS), help="a subset of the panel")
    parser.add_argument("--json", metavar="PATH", help="also write every run's trial values to PATH")
    parser.add_argument("--compare-tpe", action="store_true",
                        help="instead: Optuna's default TPE against the multivariate TPE hpgui used before")
    parser.add_argument("--trials", type=int, help="trials per run (overrides the default)")
    args = parser.parse_args()

    seeds = QUICK_SEEDS if args.quick else SEEDS
    trials = args.trials or (QUICK_TRIALS if args.quick else TRIALS)
    panel = [PROBLEMS[n] for n in args.problems] if args.problems else list(PANEL)
    has_gp = importlib.util.find_spec("torch") is not None and not args.compare_tpe
    strategies = ["random", "tpe"] + (["gp"] if has_gp else [])
    if args.compare_tpe:
        strategies = list(TPE_VARIANTS)

    jobs = [(p.name, s, seed, trials) for p in panel for seed in seeds for s in strategies]
    started = time.perf_counter()
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    results: dict[tuple[str, str, int], dict[str, Any]] = {}
    with ProcessPoolExecutor(max_workers=max(1, args.workers), mp_context=context) as pool:
        futures = [pool.submit(run_one, *job) for job in jobs]
        for i, future in enumerate(futures, start=1):
            r = future.result()
            results[(r["problem"], r["strategy"], r["seed"])] = r
            print(f"  [{i}/{len(jobs)}] {r['problem']} {r['strategy']} seed {r['seed']}: "
                  f"best {running_best(r['values'], r['maximize'])[-1]:.4f} ({r['seconds']:.1f}s)", flush=True)
    elapsed = time.perf_counter() - started
    if args.compare_tpe:
        compare_tpe(panel, seeds, trials, results, elapsed, args.workers)
        return

    rows, verdicts = [], []
    total_wins = total_ties = total_losses = 0
    rel_diffs: list[float] = []
    failed = 0
    for p in panel:
        first = results[(p.name, "random", seeds[0])]
        maximize, label = first["maximize"], first["label"]
        best = {s: [running_best(results[(p.name, s, seed)]["values"], maximize)[-1] for seed in seeds]
                for s in strategies}
        t99 = {s: [trials_to_99(results[(p.name, s, seed)]["values"], maximize) for seed in seeds]
               for s in strategies}
        failed += sum(v is None for s in strategies for seed in seeds for v in results[(p.name, s, seed)]["values"])
        sign = 1.0 if maximize else -1.0
        # Positive = TPE better, in the metric's own units.
        diffs = [sign * (t - r) for t, r in zip(best["tpe"], best["random"])]
        wins = sum(d > 0 for d in diffs)
        ties = sum(d == 0 for d in diffs)
        losses = sum(d < 0 for d in diffs)
        total_wins, total_ties, total_losses = total_wins + wins, total_ties + ties, total_losses + losses
        rel_diffs += [d / abs(r) for d, r in zip(diffs, best["random"]) if r]
        med = {s: median(best[s]) for s in strategies}
        verdicts.append(median(diffs))
        digits = 4 if abs(med["random"]) < 10 else 2
        row = [p.label, f"{label} ({'max' if maximize else 'min'})",
               fmt(med["random"], digits), fmt(med["tpe"], digits)]
        row.append(fmt(med["gp"], digits) if has_gp else "n/a¹")
        row += [f"{wins + ties}/{len(seeds)} ({wins} better, {ties} equal)",
                f"{median(diffs):+.{digits}f}",
                f"{median([t for t in t99['random'] if t is not None]):.0f}",
                f"{median([t for t in t99['tpe'] if t is not None]):.0f}"]
        rows.append(row)

    n_runs = total_wins + total_ties + total_losses
    problems_better = sum(g > 0 for g in verdicts)
    problems_not_worse = sum(g >= 0 for g in verdicts)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump([results[key] for key in sorted(results)], fh, indent=1)
    met = problems_not_worse == len(verdicts) and problems_better * 2 >= len(verdicts)
    rows.append([f"**overall ({len(panel)} problems)**", "—", "—", "—", "—" if has_gp else "n/a¹",
                 f"{total_wins + total_ties}/{n_runs} ({total_wins} better, {total_ties} equal)",
                 f"{median(rel_diffs) * 100:+.2f}% (relative)", "—", "—"])

    print()
    print(f"### Bayesian vs random search — {date.today().isoformat()}{' (quick)' if args.quick else ''}")
    print()
    print(f"{environment_line()}. {trials} trials per run, seeds {', '.join(map(str, seeds))}; "
          f"{FOLDS}-fold shuffled CV (folds depend on the seed), preprocessing auto; \"random\", \"TPE\": "
          f"the best cross-validated score of a run, median over seeds.")
    print()
    print(markdown_table(
        ["problem", "metric", "random", "TPE", "GP", "TPE ≥ random (seeds)", "median paired TPE − random²",
         "trials to 99%: random", "trials to 99%: TPE"],
        rows, align="llrrrlrrr"))
    print()
    if not has_gp:
        print("¹ GP not run: `import torch` fails here (hpgui's `gp` strategy needs PyTorch: "
              "`pip install \"hpgui[gp]\"`).  ")
    print("² Per-seed paired difference, signed so that positive means TPE found the better score "
          "(for RMSE and log loss: random's minus TPE's).")
    print()
    p_value = sign_test_p(total_wins, total_losses)
    print(f"TPE better on {total_wins}, equal on {total_ties}, worse on {total_losses} of {n_runs} paired runs "
          f"(two-sided sign test, ties dropped: p = {p_value:.3g}). Median paired difference in TPE's favour on "
          f"{problems_better} of {len(verdicts)} problems, zero or better on {problems_not_worse}. "
          f"Failed trials: {failed}. Target: {'**met**' if met else '**not met**'} (rule: median paired "
          f"difference >= 0 on every problem and > 0 on at least half).")
    print()
    print(f"Total benchmark time: {elapsed:.0f} s with {args.workers} worker process(es).")


def compare_tpe(panel, seeds, trials, results, elapsed: float, workers: int) -> None:
    """Optuna's default TPE against hpgui's former multivariate TPE: paired best scores per seed."""
    a, b = "tpe-optuna-default", "tpe-multivariate"
    rows, wins, ties, losses = [], 0, 0, 0
    for p in panel:
        maximize = results[(p.name, a, seeds[0])]["maximize"]
        sign = 1.0 if maximize else -1.0
        curves = {s: [running_best(results[(p.name, s, seed)]["values"], maximize) for seed in seeds]
                  for s in (a, b)}
        final = {s: [c[-1] for c in curves[s]] for s in (a, b)}
        early = {s: [c[min(19, len(c) - 1)] for c in curves[s]] for s in (a, b)}
        diffs = [sign * (x - y) for x, y in zip(final[a], final[b])]  # positive: the default is better
        w, t, l = sum(d > 0 for d in diffs), sum(d == 0 for d in diffs), sum(d < 0 for d in diffs)
        wins, ties, losses = wins + w, ties + t, losses + l
        digits = 4 if abs(median(final[b])) < 10 else 2
        rows.append([p.label, fmt(median(early[a]), digits), fmt(median(final[a]), digits),
                     fmt(median(early[b]), digits), fmt(median(final[b]), digits),
                     f"{w} better, {t} equal, {l} worse", f"{median(diffs):+.{digits}f}"])
    print()
    print(f"### TPE settings: Optuna's defaults vs multivariate + group + constant liar — {date.today().isoformat()}")
    print()
    print(f"{environment_line()}. {trials} trials per run, seeds {', '.join(map(str, seeds))}; best score after "
          f"trial 20 and at the end, median over seeds.")
    print()
    print(markdown_table(["problem", "default @20", "default @end", "multivariate @20", "multivariate @end",
                          "default vs multivariate (seeds)", "median paired difference¹"], rows,
                         align="lrrrrlr"))
    print()
    print(f"¹ Positive: Optuna's default TPE found the better score. Overall: default better in {wins}, equal in "
          f"{ties}, worse in {losses} of {wins + ties + losses} paired runs (sign test p = "
          f"{sign_test_p(wins, losses):.3g}). {elapsed:.0f} s with {workers} worker process(es).")


if __name__ == "__main__":
    main()
