"""hpgui against the tuning loop a user would write by hand, and against OptunaSearchCV.

Target (docs/benchmarks.md, issue 14): ``hpgui run`` takes at most 0.90 of the hand loop's wall time
on small data with fast fits, 0.70 on preprocessing-heavy data, 1.02 on slow fits, and at most
1.00 of ``OptunaSearchCV`` with the same sampler and folds.

Each side is a whole Python process, start-up and imports included, started the way a user
starts it:

* **hand loop**: the ten-line script a user writes instead of hpgui: ``pandas.read_csv``, an
  Optuna study with the default ``TPESampler(seed=...)``, an objective that builds the
  estimator (for the preprocessing-heavy data, the same ``Pipeline`` hpgui builds) and returns
  ``cross_val_score(model, X, y, cv=5, scoring=...).mean()``. No train scores, no storage, no
  refit, no files written. The script text is printed with ``--show``.
* **OptunaSearchCV** (optuna-integration): the same estimator, the same distributions in the
  same order, the same sampler, ``cv=5``, its defaults otherwise (in-memory study, refit on all
  rows at the end, no train scores).
* **hpgui run**: ``hpgui run setup.json --out DIR --quiet`` with strategy ``tpe`` and the same
  seed: it also computes the train score of every fold, writes every trial to its journal file,
  refits the best pipeline and exports best.json, trials.csv, the script and model.skops.

All three draw the same trials (the same sampler, seed, distributions and order) on the same
unshuffled stratified 5 folds, so their best scores must agree to the last digit; the script
checks it. Sides alternate (A B C, C B A, ...) over the seeds, and for each workload the table
gives the median wall time of each side, the median of the per-seed ratios (each seed's sides
ran back to back), and the ratio of CPU times. ``--window`` adds the window running one of the
searches (offscreen, ``HPGUI_STARTUP_PROBE=search-full``) against ``hpgui run``.

    python benchmarks/hand_loop.py            # every workload, 3 seeds (~15 min on 2 cores)
    python benchmarks/hand_loop.py --quick    # fewer trials, 2 seeds (~4 min)
    python benchmarks/hand_loop.py --only tree_breast_cancer --show
"""

from __future__ import annotations

import _common  # noqa: I001  (must come first: pins threads and HPGUI_DATA_DIR before numpy loads)

DATA_DIR = _common.prepare_environment("hand")

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from _common import EXAMPLES, environment_line, markdown_table, median  # noqa: E402

SEEDS = (0, 1, 2)
QUICK_SEEDS = (0, 1)


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "int", "float" or "cat"
    low: Any = None
    high: Any = None
    log: bool = False
    choices: tuple = ()

    def suggest(self) -> str:
        """The call a user writes in the objective (the distribution hpgui asks Optuna for too)."""
        if self.kind == "cat":
            return f"trial.suggest_categorical({self.name!r}, {list(self.choices)!r})"
        log = ", log=True" if self.log else ""
        return f"trial.suggest_{self.kind}({self.name!r}, {self.low!r}, {self.high!r}{log})"

    def distribution(self) -> str:
        if self.kind == "cat":
            return f"CategoricalDistribution({list(self.choices)!r})"
        cls = "IntDistribution" if self.kind == "int" else "FloatDistribution"
        return f"{cls}({self.low!r}, {self.high!r}, log={self.log!r})"

    def setup(self) -> dict[str, Any]:
        if self.kind == "cat":
            return {"type": "categorical", "choices": list(self.choices)}
        return {"type": self.kind, "low": self.low, "high": self.high, "log": self.log}


@dataclass(frozen=True)
class Workload:
    name: str
    label: str
    group: str  # the row of the table it belongs to
    target_ratio: float
    csv: str
    target: str
    model: str  # hpgui's model name
    estimator: str  # the estimator as a user writes it, with ``{params}`` where the suggestions go
    imports: tuple[str, ...]
    params: tuple[Param, ...]
    trials: int
    quick_trials: int
    preprocessing: str = "none"
    pipeline: str | None = None  # a user's Pipeline around ``{model}`` (preprocessing-heavy data)
    scoring: str = "accuracy"
    extra_imports: tuple[str, ...] = field(default_factory=tuple)


TREE = "DecisionTreeClassifier({params}, random_state={seed})"
TREE_PARAMS = (Param("criterion", "cat", choices=("gini", "entropy")), Param("max_depth", "int", 2, 20),
               Param("min_samples_leaf", "int", 1, 50, log=True))
KNN_PARAMS = (Param("n_neighbors", "int", 1, 30, log=True), Param("weights", "cat", choices=("uniform", "distance")),
              Param("p", "cat", choices=(1, 2)))
# The pipeline hpgui's "auto" preprocessing builds for numeric + text columns (core/pipeline.py).
HEAVY_PIPELINE = """Pipeline([
        ("preprocess", ColumnTransformer([
            ("numeric", Pipeline([("impute", SimpleImputer(strategy="median")){scale}]), NUMERIC),
            ("categorical", Pipeline([("impute", SimpleImputer(strategy="most_frequent")),
                                      ("encode", OneHotEncoder(handle_unknown="ignore", sparse_output=False))]),
             CATEGORICAL),
        ])),
        ("model", {model}),
    ])"""
HEAVY_IMPORTS = ("from sklearn.compose import ColumnTransformer", "from sklearn.impute import SimpleImputer",
                 "from sklearn.pipeline import Pipeline",
                 "from sklearn.preprocessing import OneHotEncoder, StandardScaler")
SCALED = """Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler()),
                      ("model", {model})])"""

WORKLOADS = (
    Workload("tree_breast_cancer", "decision tree · breast_cancer (569 rows)", "small data, fast fits", 0.90,
             "breast_cancer.csv", "diagnosis", "decision_tree", TREE,
             ("from sklearn.tree import DecisionTreeClassifier",), TREE_PARAMS, 200, 60),
    Workload("tree_iris", "decision tree · iris (150 rows)", "small data, fast fits", 0.90,
             "iris.csv", "species", "decision_tree", TREE,
             ("from sklearn.tree import DecisionTreeClassifier",), TREE_PARAMS, 100, 40),
    Workload("knn_wine", "k-NN · wine (178 rows)", "small data, fast fits", 0.90,
             "wine.csv", "cultivar", "knn", "KNeighborsClassifier({params})",
             ("from sklearn.neighbors import KNeighborsClassifier",), KNN_PARAMS, 100, 40),
    Workload("logistic_heavy", "logistic regression · 20,000 rows, 8 numeric with gaps + 5 text columns",
             "preprocessing-heavy", 0.70, "heavy.csv", "label", "logistic_regression",
             "LogisticRegression({params}, max_iter=1000, random_state={seed})",
             ("from sklearn.linear_model import LogisticRegression",),
             (Param("C", "float", 1e-3, 1e3, log=True),), 10, 5, preprocessing="auto",
             pipeline=HEAVY_PIPELINE.replace("{scale}", ', ("scale", StandardScaler())'),
             extra_imports=HEAVY_IMPORTS),
    Workload("forest_heavy", "small forest (10–40 trees) · the same 20,000 rows", "preprocessing-heavy", 0.70,
             "heavy.csv", "label", "random_forest", "RandomForestClassifier({params}, random_state={seed})",
             ("from sklearn.ensemble import RandomForestClassifier",),
             (Param("n_estimators", "int", 10, 40, log=True), Param("max_depth", "int", 2, 8)), 10, 5,
             preprocessing="auto", pipeline=HEAVY_PIPELINE.replace("{scale}", ""), extra_imports=HEAVY_IMPORTS),
    Workload("forest_breast_cancer", "random forest (50–200 trees) · breast_cancer", "slow fits", 1.02,
             "breast_cancer.csv", "diagnosis", "random_forest", "RandomForestClassifier({params}, random_state={seed})",
             ("from sklearn.ensemble import RandomForestClassifier",),
             (Param("n_estimators", "int", 50, 200, log=True), Param("max_depth", "int", 3, 30, log=True),
              Param("max_features", "float", 0.1, 1.0, log=True)), 20, 6),
    Workload("svm_breast_cancer", "RBF SVM, impute + scale · breast_cancer", "slow fits", 1.02,
             "breast_cancer.csv", "diagnosis", "svm", "SVC({params})", ("from sklearn.svm import SVC",),
             (Param("C", "float", 1e-2, 1e2, log=True), Param("gamma", "float", 1e-4, 10.0, log=True)), 60, 20,
             preprocessing="auto", pipeline=SCALED,
             extra_imports=("from sklearn.impute import SimpleImputer", "from sklearn.pipeline import Pipeline",
                            "from sklearn.preprocessing import StandardScaler")),
)
BY_NAME = {w.name: w for w in WORKLOADS}

HAND = '''import json
import sys

import optuna
import pandas as pd
from sklearn.model_selection import cross_val_score
{imports}

df = pd.read_csv({csv!r})
X, y = df.drop(columns={target!r}), df[{target!r}]
NUMERIC = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
CATEGORICAL = [c for c in X.columns if c not in NUMERIC]


def objective(trial):
{suggestions}
    model = {model}
    return cross_val_score(model, X, y, cv=5, scoring={scoring!r}).mean()


optuna.logging.set_verbosity(optuna.logging.WARNING)
study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed={seed}))
study.optimize(objective, n_trials={trials})
print(json.dumps({{"best": study.best_value, "params": study.best_params}}))
'''

OSCV = '''import json
import warnings

import optuna
import pandas as pd
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna_integration import OptunaSearchCV
{imports}

df = pd.read_csv({csv!r})
X, y = df.drop(columns={target!r}), df[{target!r}]
NUMERIC = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
CATEGORICAL = [c for c in X.columns if c not in NUMERIC]

warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
optuna.logging.set_verbosity(optuna.logging.WARNING)
study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed={seed}))
search = OptunaSearchCV(
    {model},
    {{{distributions}}},
    cv=5, scoring={scoring!r}, n_trials={trials}, study=study,
)
search.fit(X, y)
print(json.dumps({{"best": search.best_score_, "params": {{k.split("__")[-1]: v for k, v in search.best_params_.items()}}}}))
'''


def _model_source(w: Workload, params: str, seed: int) -> str:
    # hpgui seeds a seeded model with the search's seed; a user's loop does the same here.
    model = w.estimator.replace("{params}", params).replace("{seed}", str(seed))
    return w.pipeline.replace("{model}", model) if w.pipeline else model


def hand_script(w: Workload, seed: int, trials: int, csv: Path) -> str:
    suggestions = "\n".join(f"    {p.name} = {p.suggest()}" for p in w.params)
    model = _model_source(w, ", ".join(f"{p.name}={p.name}" for p in w.params), seed)
    return HAND.format(imports="\n".join((*w.extra_imports, *w.imports)), csv=str(csv), target=w.target,
                       suggestions=suggestions, model=model, scoring=w.scoring, seed=seed, trials=trials)


def oscv_script(w: Workload, seed: int, trials: int, csv: Path) -> str:
    # A Pipeline's parameters are addressed through its step: model__C.
    prefix = "model__" if w.pipeline else ""
    no_params = w.estimator.replace("{params}, ", "").replace("{params}", "").replace("{seed}", str(seed))
    model = w.pipeline.replace("{model}", no_params) if w.pipeline else no_params
    distributions = ", ".join(f"{prefix + p.name!r}: {p.distribution()}" for p in w.params)
    return OSCV.format(imports="\n".join((*w.extra_imports, *w.imports)), csv=str(csv), target=w.target,
                       model=model, distributions=distributions, scoring=w.scoring, seed=seed, trials=trials)


def hpgui_setup(w: Workload, seed: int, trials: int, csv: Path) -> dict[str, Any]:
    return {
        "format": "hpgui-setup/1",
        "data": {"path": str(csv), "target": w.target, "task": "classification"},
        "model": w.model,
        "space": {p.name: p.setup() for p in w.params},
        "preprocessing": w.preprocessing,
        "strategy": {"name": "tpe", "seed": seed},
        "evaluation": {"method": "kfold", "folds": 5, "shuffle": False},
        "metric": w.scoring,
        "budget": {"trials": trials, "timeout_s": None},
    }


def heavy_csv(path: Path, rows: int = 20_000) -> None:
    """Seeded synthetic data: 8 numeric columns with ~6 % gaps and 5 text columns of 4-25 categories."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(14)
    frame = pd.DataFrame({f"n{i}": rng.normal(size=rows) * (i + 1) for i in range(8)})
    logit = frame["n0"] - 0.5 * frame["n1"] / 2 + 0.3 * frame["n2"] / 3
    for i, levels in enumerate((4, 7, 12, 18, 25)):
        codes = rng.integers(0, levels, size=rows)
        effect = rng.normal(size=levels)
        logit = logit + effect[codes]
        frame[f"c{i}"] = np.array([f"{'abcde'[i]}{k:02d}" for k in range(levels)], dtype=object)[codes]
    for column in frame.columns:
        frame.loc[rng.random(rows) < 0.06, column] = np.nan
    frame["label"] = np.where(logit + rng.logistic(size=rows) > 0, "yes", "no")
    frame.to_csv(path, index=False)


@dataclass
class Run:
    wall: float
    cpu: float
    best: float
    params: dict[str, Any]


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_process(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    cpu = _cpu_children()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=3600)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return wall, _cpu_children() - cpu, done.stdout


def hpgui_command() -> list[str]:
    script = Path(sys.executable).with_name("hpgui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hpgui.cli"]


def run_side(side: str, w: Workload, seed: int, trials: int, csv: Path, work: Path) -> Run:
    tag = f"{w.name}-{side}-{seed}"
    if side == "hpgui":
        setup = work / f"{tag}.json"
        setup.write_text(json.dumps(hpgui_setup(w, seed, trials, csv)))
        out = work / f"{tag}-out"
        wall, cpu, _ = run_process(hpgui_command() + ["run", str(setup), "--out", str(out), "--quiet"], work)
        best = json.loads((out / "best.json").read_text())
        return Run(wall, cpu, best["score"], best["params"])
    script = work / f"{tag}.py"
    script.write_text((hand_script if side == "hand" else oscv_script)(w, seed, trials, csv))
    wall, cpu, stdout = run_process([sys.executable, str(script)], work)
    found = json.loads(stdout.strip().splitlines()[-1])
    return Run(wall, cpu, found["best"], found["params"])


def window_side(w: Workload, seed: int, trials: int, csv: Path, work: Path) -> tuple[float, float]:
    """The window running the same search offscreen: (launch to finished, Start to finished) in seconds."""
    setup = work / f"{w.name}-window-{seed}.json"
    setup.write_text(json.dumps(hpgui_setup(w, seed, trials, csv)))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HPGUI_STARTUP_PROBE="search-full",
               XDG_CONFIG_HOME=str(work / "config"))
    launched = time.time()
    wall, _, stdout = run_process(hpgui_command() + [str(setup)], work, env)
    report = next(json.loads(line) for line in stdout.splitlines() if line.startswith("{"))
    if report.get("error"):
        raise RuntimeError(f"the window's search failed: {report['error']}")
    marks = report["marks"]
    return marks["finished"] - launched, marks["finished"] - marks["started"]


def journal_append_ms(samples: int = 40) -> float:
    """Median cost of one journal append (lock, write, fsync, unlock) in the data folder, in ms."""
    from optuna.storages.journal import JournalFileBackend

    path = DATA_DIR / "fsync-probe.journal"
    backend = JournalFileBackend(str(path))
    times = []
    for i in range(samples):
        started = time.perf_counter()
        backend.append_logs([{"op_code": 0, "probe": i}])
        times.append(time.perf_counter() - started)
    path.unlink()
    return median(times) * 1000


#: (where, function) pairs shown by --profile, in the order of a run; "where" is a path fragment.
PROFILED = (
    ("hpgui/cli.py", "cmd_run", "the whole `hpgui run`"),
    ("hpgui/core/runner.py", "__init__", "`Search(setup)`: read the CSV, prepare X and y, folds, open the study"),
    ("hpgui/core/dataset.py", "read_table", "— `read_table` (pandas + pyarrow import and read)"),
    ("hpgui/core/catalog.py", "_default_params", "— the estimator's defaults (imports scikit-learn)"),
    ("hpgui/core/runner.py", "run", "`Search.run`: every trial"),
    ("hpgui/core/trial_run.py", "sample", "— suggesting the values (TPE)"),
    ("hpgui/core/runner.py", "evaluate", "— `evaluate`: cross-validation"),
    ("hpgui/core/foldcache.py", "_prepare", "—— preparing folds (first trial only when kept)"),
    ("sklearn/base.py", "wrapper", "—— model `fit` (scikit-learn's fit wrapper)"),
    ("hpgui/core/evaluate.py", "_score", "—— scoring: one predict + one metric call, validation and train"),
    ("sklearn/utils/_response.py", "_get_response_values", "——— of which predict / predict_proba"),
    ("hpgui/core/trial_run.py", "close", "— result attribute + tell (one journal append)"),
    ("optuna/storages/journal/_file.py", "append_logs", "— journal appends that reach the file (lock, write, fsync)"),
    ("hpgui/cli.py", "_finish", "export: refit, best.json, trials.csv, script, model.skops"),
    ("hpgui/core/export.py", "skops_io", "— importing skops.io"),
    ("hpgui/core/runner.py", "fit_best", "— the refit on all rows"),
)


def profile_run(w: Workload, seed: int, trials: int, csv: Path, work: Path) -> str:
    """cProfile one whole `hpgui run` in this process and say where its time goes."""
    import cProfile
    import pstats

    setup = work / f"{w.name}-profile.json"
    setup.write_text(json.dumps(hpgui_setup(w, seed, trials, csv)))
    from hpgui.cli import main as hpgui_main

    profiler = cProfile.Profile()
    profiler.enable()
    hpgui_main(["run", str(setup), "--out", str(work / "profile-out"), "--quiet"])
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    found: dict[tuple[str, str], tuple[int, float]] = {}
    for (path, _, func), (_, calls, _, cum, _) in stats.items():
        for where, name, _ in PROFILED:
            if func == name and where.replace("/", os.sep) in path:
                old = found.get((where, name), (0, 0.0))
                found[(where, name)] = (old[0] + calls, max(old[1], cum))
    total = found.get(("hpgui/cli.py", "cmd_run"), (1, 1.0))[1]
    rows = []
    for where, name, label in PROFILED:
        calls, cum = found.get((where, name), (0, 0.0))
        rows.append([label, f"`{where}` `{name}`", calls, f"{cum:.2f}", f"{cum / trials * 1000:.1f}",
                     f"{100 * cum / total:.0f} %"])
    return (f"cProfile of one `hpgui run` ({w.label}, {trials} trials, seed {seed}), in-process; "
            f"{total:.2f} s under the profiler:\n\n"
            + markdown_table(["part", "function", "calls", "cum s", "ms / trial", "share"], rows,
                             align="llrrrr"))


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer trials, 2 seeds")
    parser.add_argument("--only", nargs="*", choices=list(BY_NAME), help="a subset of the workloads")
    parser.add_argument("--seeds", type=int, nargs="*", help="seeds (default 0 1 2; quick 0 1)")
    parser.add_argument("--no-oscv", action="store_true", help="leave OptunaSearchCV out")
    parser.add_argument("--window", action="store_true",
                        help="also time the window running the first workload's search (needs PySide6)")
    parser.add_argument("--show", action="store_true", help="print the scripts of the first seed and exit")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile one `hpgui run` of the first workload and exit")
    args = parser.parse_args()
    seeds = tuple(args.seeds) if args.seeds else (QUICK_SEEDS if args.quick else SEEDS)
    chosen = [BY_NAME[n] for n in args.only] if args.only else list(WORKLOADS)

    work = Path(tempfile.mkdtemp(prefix="hpgui-hand-", dir=DATA_DIR))
    csvs = {}
    for w in chosen:
        if w.csv not in csvs:
            path = work / w.csv
            if w.csv == "heavy.csv":
                heavy_csv(path)
            else:
                path.write_bytes((EXAMPLES / w.csv).read_bytes())
            csvs[w.csv] = path
    if args.show:
        w = chosen[0]
        trials = w.quick_trials if args.quick else w.trials
        print(hand_script(w, seeds[0], trials, csvs[w.csv]))
        print(oscv_script(w, seeds[0], trials, csvs[w.csv]))
        print(json.dumps(hpgui_setup(w, seeds[0], trials, csvs[w.csv]), indent=1))
        return 0

    if args.profile:
        w = chosen[0]
        print(profile_run(w, seeds[0], w.quick_trials if args.quick else w.trials, csvs[w.csv], work))
        return 0

    sides = ["hand", "hpgui"] + ([] if args.no_oscv else ["oscv"])
    append_before = journal_append_ms()
    load_before = os.getloadavg()
    started = time.perf_counter()
    rows, pair_lines, all_agree = [], [], True
    flip = False
    for w in chosen:
        trials = w.quick_trials if args.quick else w.trials
        runs: dict[str, list[Run]] = {s: [] for s in sides}
        for seed in seeds:
            order = list(reversed(sides)) if flip else sides
            flip = not flip
            got = {side: run_side(side, w, seed, trials, csvs[w.csv], work) for side in order}
            for side in sides:
                runs[side].append(got[side])
            agree = all(abs(got[s].best - got["hand"].best) <= 1e-12 for s in sides)
            all_agree &= agree
            line = (f"{w.name} seed {seed}: hand {got['hand'].wall:.2f} s (CPU {got['hand'].cpu:.2f}), "
                    f"hpgui {got['hpgui'].wall:.2f} s (CPU {got['hpgui'].cpu:.2f}; "
                    f"ratio {ratio(got['hpgui'].wall, got['hand'].wall):.3f})")
            if "oscv" in got:
                line += (f", OptunaSearchCV {got['oscv'].wall:.2f} s (CPU {got['oscv'].cpu:.2f}; "
                         f"hpgui/OSCV {ratio(got['hpgui'].wall, got['oscv'].wall):.3f})")
            line += f"; best {got['hand'].best:.6f}{'' if agree else ' DISAGREE: ' + str({s: got[s].best for s in sides})}"
            pair_lines.append(line)
            print("  " + line, flush=True)
        med = {s: median([r.wall for r in runs[s]]) for s in sides}
        cpu = {s: median([r.cpu for r in runs[s]]) for s in sides}
        pairs = [ratio(h.wall, b.wall) for h, b in zip(runs["hpgui"], runs["hand"])]
        paired = median(pairs)
        row = [w.label, w.group, trials, f"{med['hand']:.2f}", f"{med['hpgui']:.2f}",
               f"**{paired:.2f}** ({min(pairs):.2f}–{max(pairs):.2f})", f"{ratio(cpu['hpgui'], cpu['hand']):.2f}",
               f"≤ {w.target_ratio:.2f}: {'met' if paired <= w.target_ratio else 'not met'}"]
        if "oscv" in sides:
            opairs = [ratio(h.wall, o.wall) for h, o in zip(runs["hpgui"], runs["oscv"])]
            row += [f"{med['oscv']:.2f}", f"**{median(opairs):.2f}** ({min(opairs):.2f}–{max(opairs):.2f})",
                    f"{ratio(cpu['hpgui'], cpu['oscv']):.2f}", f"≤ 1.00: {'met' if median(opairs) <= 1.0 else 'not met'}"]
        same = all(abs(r.best - h.best) <= 1e-12 for s in sides for r, h in zip(runs[s], runs["hand"]))
        row.append("yes" if same else "**no**")
        rows.append(row)

    window_rows = []
    if args.window:
        w = chosen[0]
        trials = w.quick_trials if args.quick else w.trials
        for seed in seeds:
            order = ("window", "hpgui") if flip else ("hpgui", "window")
            flip = not flip
            got: dict[str, Any] = {}
            try:
                for side in order:
                    got[side] = (window_side(w, seed, trials, csvs[w.csv], work) if side == "window"
                                 else run_side("hpgui", w, seed, trials, csvs[w.csv], work).wall)
            except Exception as exc:  # noqa: BLE001 - keep the table measured so far
                print(f"  the window run failed: {exc}", flush=True)
                break
            window_rows.append((seed, got["hpgui"], *got["window"]))
            print(f"  window seed {seed}: hpgui run {got['hpgui']:.2f} s, window launch→finished "
                  f"{got['window'][0]:.2f} s, Start→finished {got['window'][1]:.2f} s", flush=True)

    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()
    append_after = journal_append_ms()
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print()
    print(f"### hpgui run vs the hand loop{' and OptunaSearchCV' if 'oscv' in sides else ''} — {stamp}"
          f"{' (quick)' if args.quick else ''}")
    print()
    print(f"{environment_line()}. Seeds {', '.join(map(str, seeds))}; whole processes, sides alternated; "
          f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after; {elapsed:.0f} s in all. "
          f"One journal append (lock, write, fsync) took {append_before:.1f} ms before and "
          f"{append_after:.1f} ms after.")
    print()
    headers = ["workload", "row of the target table", "trials", "hand loop s", "hpgui run s",
               "hpgui / hand (per-seed median, range)", "CPU ratio", "target"]
    if "oscv" in sides:
        headers += ["OptunaSearchCV s", "hpgui / OSCV (median, range)", "CPU ratio", "target"]
    headers.append("same best score")
    print(markdown_table(headers, rows, align="l" + "l" + "r" * (len(headers) - 3) + "l"))
    print()
    print("Per-seed pairs:")
    print()
    for line in pair_lines:
        print(f"- {line}")
    if window_rows:
        print()
        ratios_launch = [launch / run for _, run, launch, _ in window_rows]
        ratios_start = [start / run for _, run, _, start in window_rows]
        print(markdown_table(
            ["seed", "hpgui run s", "window: launch → finished s", "window: Start → finished s",
             "launch→finished / hpgui run", "Start→finished / hpgui run"],
            [[s, f"{r:.2f}", f"{a:.2f}", f"{b:.2f}", f"{a / r:.3f}", f"{b / r:.3f}"] for s, r, a, b in window_rows]))
        print()
        print(f"Window ({chosen[0].label}): Start → finished / hpgui run, median **{median(ratios_start):.3f}**; "
              f"launch → finished / hpgui run, median {median(ratios_launch):.3f} (target ≤ 1.05).")
    print()
    print("Best scores agree on every seed." if all_agree else "**Best scores differ on some seed (see above).**")
    return 0 if all_agree else 1


if __name__ == "__main__":
    sys.exit(main())
