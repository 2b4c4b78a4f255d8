"""hpgui's engine overhead against a bare Optuna + cross-validation loop.

Target (docs/benchmarks.md): hpgui / baseline wall time <= 1.10 with storage on.

Both sides do the same work: the same CSV, the same estimator (the same
scikit-learn Pipeline hpgui builds), the same hyperparameters suggested in the
same order from ``RandomSampler(seed)``, the same folds, the same scorer, the
train score computed too, and the same number of trials. The script checks that
the two sides produce identical scores, trial by trial.

* baseline: ``pandas.read_csv`` + ``optuna.create_study(sampler=RandomSampler(seed))``
  (in-memory) + ``study.optimize`` with an objective that calls
  ``sklearn.model_selection.cross_validate(..., return_train_score=True)``.
* hpgui: ``SearchSetup.from_json`` + ``Search(setup)`` + ``Search.run()`` with the
  default storage (one Optuna journal file per study under ``HPGUI_DATA_DIR``).
* hpgui, in memory: the same, with ``open_storage`` patched in this script to
  return ``optuna.storages.InMemoryStorage()``. The ``Search`` API takes only a
  storage URL, and Optuna's in-memory storage has no URL, so this column is a
  diagnostic (engine cost without storage cost), not a supported mode.

Runs are interleaved (baseline, hpgui, hpgui in memory, then the reverse order,
...), repeated with a fixed seed list, and the medians are reported, together with
the median of the per-repeat (paired) ratios, which is less sensitive to other
work on the machine, and the ratio of CPU times, which ignores it (and also
ignores the time spent waiting for fsync). Wall time covers everything from
reading the CSV to the last trial's result.

    python benchmarks/engine_overhead.py            # full run (~6 minutes on 2 cores)
    python benchmarks/engine_overhead.py --quick    # smaller run (~1 minute)
    python benchmarks/engine_overhead.py --profile  # also cProfile hpgui on the tiny workload
"""

from __future__ import annotations

import _common  # noqa: I001  (must come first: pins threads and HPGUI_DATA_DIR before numpy loads)

DATA_DIR = _common.prepare_environment("overhead")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import cProfile  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import date  # noqa: E402
from typing import Any, Callable  # noqa: E402

import numpy as np  # noqa: E402
import optuna  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_validate  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

from hpgui.core import study_open as hp_runner  # noqa: E402  (where the study storage is opened)
from hpgui.core.runner import Search  # noqa: E402
from hpgui.core.setup import SearchSetup  # noqa: E402

from _common import EXAMPLES, environment_line, filesystem_of, markdown_table, median  # noqa: E402

SEEDS = (0, 1, 2, 3, 4, 5, 6)
FOLDS = 5
TARGET_RATIO = 1.10

LOG = {"log": True}


@dataclass(frozen=True)
class Workload:
    name: str
    label: str
    csv: str
    target: str
    model: str
    preprocessing: str
    space: dict[str, dict[str, Any]]
    trials: int
    quick_trials: int
    suggest: Callable[[Any], dict[str, Any]]      # the baseline's hand-written suggestions
    build: Callable[[dict[str, Any], int], Any]  # the baseline's hand-written estimator
    scoring: str = "accuracy"

    def setup(self, seed: int, trials: int) -> SearchSetup:
        return SearchSetup.from_json({
            "format": "hpgui-setup/1",
            "data": {"path": self.csv, "target": self.target, "task": "classification"},
            "model": self.model,
            "space": self.space,
            "preprocessing": self.preprocessing,
            "strategy": {"name": "random", "seed": seed},
            "evaluation": {"method": "kfold", "folds": FOLDS, "shuffle": True},
            "metric": self.scoring,
            "budget": {"trials": trials, "timeout_s": None},
        }, base_dir=EXAMPLES)


def _tree_suggest(trial):
    return {"criterion": trial.suggest_categorical("criterion", ["gini", "entropy"]),
            "max_depth": trial.suggest_int("max_depth", 1, 10),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 20, log=True)}


def _tree_build(params, seed):
    return DecisionTreeClassifier(random_state=seed, **params)


def _svm_suggest(trial):
    return {"C": trial.suggest_float("C", 1e-2, 1e3, log=True),
            "gamma": trial.suggest_float("gamma", 1e-4, 10.0, log=True)}


def _svm_build(params, seed):
    return Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler()),
                     ("model", SVC(**params))])


def _forest_suggest(trial):
    return {"n_estimators": trial.suggest_int("n_estimators", 10, 50, log=True),
            "max_depth": trial.suggest_int("max_depth", 3, 30, log=True),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 20, log=True),
            "max_features": trial.suggest_float("max_features", 0.1, 1.0)}


def _forest_build(params, seed):
    return Pipeline([("impute", SimpleImputer(strategy="median")),
                     ("model", RandomForestClassifier(random_state=seed, **params))])


WORKLOADS = (
    Workload(
        name="tiny", label="tiny: decision tree, iris (150 rows), no preprocessing",
        csv="iris.csv", target="species", model="decision_tree", preprocessing="none",
        space={"criterion": {"type": "categorical", "choices": ["gini", "entropy"]},
               "max_depth": {"type": "int", "low": 1, "high": 10},
               "min_samples_leaf": {"type": "int", "low": 1, "high": 20, **LOG}},
        trials=100, quick_trials=30, suggest=_tree_suggest, build=_tree_build),
    Workload(
        name="svm", label="realistic: SVM (C, gamma), breast_cancer (569 rows), impute + scale",
        csv="breast_cancer.csv", target="diagnosis", model="svm", preprocessing="auto",
        space={"C": {"type": "float", "low": 1e-2, "high": 1e3, **LOG},
               "gamma": {"type": "float", "low": 1e-4, "high": 10.0, **LOG}},
        trials=30, quick_trials=10, suggest=_svm_suggest, build=_svm_build),
    Workload(
        name="forest", label="realistic: random forest (10-50 trees), breast_cancer, impute",
        csv="breast_cancer.csv", target="diagnosis", model="random_forest", preprocessing="auto",
        space={"n_estimators": {"type": "int", "low": 10, "high": 50, **LOG},
               "max_depth": {"type": "int", "low": 3, "high": 30, **LOG},
               "min_samples_leaf": {"type": "int", "low": 1, "high": 20, **LOG},
               "max_features": {"type": "float", "low": 0.1, "high": 1.0}},
        trials=20, quick_trials=5, suggest=_forest_suggest, build=_forest_build),
)


# -- the two sides --------------------------------------------------------------

def run_baseline(w: Workload, seed: int, trials: int) -> tuple[float, float, list[float]]:
    """A bare Optuna loop: in-memory study, RandomSampler, sklearn cross_validate."""
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    frame = pd.read_csv(EXAMPLES / w.csv)
    X, y = frame.drop(columns=[w.target]), frame[w.target]
    cv = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=seed))

    def objective(trial):
        params = w.suggest(trial)
        scores = cross_validate(w.build(params, seed), X, y, cv=cv, scoring=w.scoring, return_train_score=True)
        return float(np.mean(scores["test_score"]))

    study.optimize(objective, n_trials=trials)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, cpu, [t.value for t in study.trials]


@contextlib.contextmanager
def in_memory_storage():
    """Make ``Search`` use Optuna's InMemoryStorage (there is no URL for it)."""
    original = hp_runner.open_storage
    hp_runner.open_storage = lambda storage, study_name: optuna.storages.InMemoryStorage()
    try:
        yield
    finally:
        hp_runner.open_storage = original


_run_counter = 0


def run_hpgui(w: Workload, seed: int, trials: int, memory: bool = False) -> tuple[float, float, list[float]]:
    global _run_counter
    _run_counter += 1
    name = f"{w.name}-{seed}-{'mem' if memory else 'file'}-{_run_counter}"
    gc.collect()
    with in_memory_storage() if memory else contextlib.nullcontext():
        started, cpu = time.perf_counter(), time.process_time()
        search = Search(w.setup(seed, trials), study_name=name)
        result = search.run()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, cpu, [r.value for r in sorted(result.trials, key=lambda r: r.number)]


def _same(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(x == y for x, y in zip(a, b))


# -- the benchmark ----------------------------------------------------------------

SIDES = ("base", "file", "memory")


def measure(w: Workload, trials: int, seeds: tuple[int, ...]) -> dict[str, Any]:
    # Warm up every side (imports, caches), untimed.
    run_baseline(w, seeds[0], 2)
    run_hpgui(w, seeds[0], 2)
    run_hpgui(w, seeds[0], 2, memory=True)
    runs = {
        "base": lambda seed: run_baseline(w, seed, trials),
        "file": lambda seed: run_hpgui(w, seed, trials),
        "memory": lambda seed: run_hpgui(w, seed, trials, memory=True),
    }
    wall: dict[str, list[float]] = {side: [] for side in SIDES}
    cpu: dict[str, list[float]] = {side: [] for side in SIDES}
    same = True
    for i, seed in enumerate(seeds):
        # Interleaved, and the order flips every repeat (A B C, C B A, ...) so drift in the
        # machine's load does not always favour the same side. Both sides of a repeat share the seed.
        values = {}
        for side in (SIDES if i % 2 == 0 else SIDES[::-1]):
            t_wall, t_cpu, values[side] = runs[side](seed)
            wall[side].append(t_wall)
            cpu[side].append(t_cpu)
        same = same and _same(values["base"], values["file"]) and _same(values["base"], values["memory"])
        print(f"  {w.name} seed {seed}: baseline {wall['base'][-1]:.2f}s  hpgui {wall['file'][-1]:.2f}s  "
              f"hpgui(mem) {wall['memory'][-1]:.2f}s  (cpu {cpu['base'][-1]:.2f} / {cpu['file'][-1]:.2f} / "
              f"{cpu['memory'][-1]:.2f}s)", flush=True)
    out: dict[str, Any] = {"same": same, "trials": trials}
    for side in SIDES:
        out[side] = median(wall[side])
        out[f"{side}_cpu"] = median(cpu[side])
    for side in ("file", "memory"):
        out[f"{side}_paired"] = [a / b for a, b in zip(wall[side], wall["base"])]
    return out


def journal_append_ms(samples: int = 60) -> float:
    """Median cost of one journal write (lock, append, fsync, unlock) in the data folder, in ms."""
    from optuna.storages.journal import JournalFileBackend

    backend = JournalFileBackend(str(DATA_DIR / "fsync-probe.journal"))
    times = []
    for i in range(samples):
        started = time.perf_counter()
        backend.append_logs([{"op_code": 0, "probe": i}])
        times.append(time.perf_counter() - started)
    (DATA_DIR / "fsync-probe.journal").unlink()
    return median(times) * 1000


def profile_tiny(trials: int, top: int) -> str:
    """cProfile one hpgui run of the tiny workload; hpgui's and Optuna's functions by cumulative time."""
    w = WORKLOADS[0]
    run_hpgui(w, 0, 2)  # warm
    profiler = cProfile.Profile()
    search_setup = w.setup(0, trials)
    gc.collect()
    profiler.enable()
    search = Search(search_setup, study_name="profile-tiny")
    search.run()
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # (file, line, name) -> (cc, nc, tottime, cumtime, callers)
    total = max(ct for (_, _, _, ct, _) in stats.values())
    marks = (f"{os.sep}hpgui{os.sep}", f"{os.sep}optuna{os.sep}")
    rows = []
    for (path, line, func), (cc, nc, tt, ct, _) in stats.items():
        if not any(m in path for m in marks):
            continue
        package = "hpgui" if marks[0] in path else "optuna"
        short = path.split(f"{os.sep}{package}{os.sep}", 1)[1]
        rows.append((ct, tt, nc, f"{package}/{short}:{line}", func))
    rows.sort(reverse=True)
    table = markdown_table(
        ["#", "function", "where", "calls", "tottime s", "cumtime s", "cum ms / trial"],
        [[i + 1, f"`{func}`", f"`{where}`", calls, f"{tt:.3f}", f"{ct:.3f}", f"{ct / trials * 1000:.2f}"]
         for i, (ct, tt, calls, where, func) in enumerate(rows[:top])],
        align="rllrrrr")
    return (f"cProfile of one hpgui run, tiny workload, {trials} trials, default journal storage "
            f"(profiled total {total:.2f} s, {total / trials * 1000:.1f} ms per trial under the profiler); "
            f"hpgui and Optuna functions only, by cumulative time:\n\n{table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer trials and repeats")
    parser.add_argument("--profile", action="store_true", help="also profile hpgui on the tiny workload")
    parser.add_argument("--top", type=int, default=25, help="rows of the profile table (default 25)")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore")

    seeds = SEEDS[:3] if args.quick else SEEDS[:5]
    started = time.perf_counter()
    load_before = os.getloadavg()
    append_before = journal_append_ms()
    results = []
    for w in WORKLOADS:
        trials = w.quick_trials if args.quick else w.trials
        results.append((w, trials, measure(w, trials, seeds)))
    append_after = journal_append_ms()
    load_after = os.getloadavg()

    def paired(values: list[float]) -> str:
        return f"{median(values):.2f} ({min(values):.2f}–{max(values):.2f})"

    main_rows, memory_rows = [], []
    for w, trials, r in results:
        ratio = r["file"] / r["base"]
        main_rows.append([
            w.label, trials, f"{r['base']:.2f}", f"{r['file']:.2f}", f"**{ratio:.2f}**", paired(r["file_paired"]),
            f"{(r['file'] - r['base']) / trials * 1000:+.1f}", f"{r['file_cpu'] / r['base_cpu']:.2f}",
            "yes" if r["same"] else "**NO**", "met" if ratio <= TARGET_RATIO else "**not met**",
        ])
        memory_rows.append([
            w.label, f"{r['memory']:.2f}", f"{r['memory'] / r['base']:.2f}", paired(r["memory_paired"]),
            f"{(r['memory'] - r['base']) / trials * 1000:+.1f}", f"{r['memory_cpu'] / r['base_cpu']:.2f}",
            f"{(r['file'] - r['memory']) / trials * 1000:+.1f}",
        ])
    print()
    print(f"### Engine overhead — {date.today().isoformat()}{' (quick)' if args.quick else ''}")
    print()
    print(f"{environment_line()}. Median of {len(seeds)} interleaved repeats (seeds {', '.join(map(str, seeds))}; "
          f"order A B C, C B A, ...); {FOLDS}-fold shuffled stratified CV, accuracy, train score on; random "
          f"sampler; wall time from reading the CSV to the last result. Data folder: a temporary folder on "
          f"{filesystem_of(DATA_DIR)}; one journal write (lock, append, fsync, unlock) took "
          f"{append_before:.1f} ms before the runs and {append_after:.1f} ms after. Load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after.")
    print()
    print(markdown_table(
        ["workload", "trials", "baseline s", "hpgui s", "ratio", "paired ratio: median (range)",
         "overhead ms/trial", "CPU-time ratio", "identical scores", f"target <= {TARGET_RATIO:.2f}"],
        main_rows, align="lrrrrrrrll"))
    print()
    print("Diagnostic, not a supported mode: hpgui with `open_storage` patched by this benchmark to return "
          "`optuna.storages.InMemoryStorage()` (the `Search` API only takes a storage URL, and Optuna's "
          "in-memory storage has none):")
    print()
    print(markdown_table(
        ["workload", "hpgui in-memory s", "ratio", "paired ratio: median (range)", "overhead ms/trial",
         "CPU-time ratio", "journal cost ms/trial (journal − in-memory)"],
        memory_rows, align="lrrrrrr"))
    print()
    print(f"Total benchmark time: {time.perf_counter() - started:.0f} s.")
    if args.profile:
        print()
        print(profile_tiny(WORKLOADS[0].quick_trials if args.quick else WORKLOADS[0].trials, args.top))


if __name__ == "__main__":
    main()
