"""What a finished search leaves behind.

``best.json`` (the best configuration and where it came from), ``trials.csv``
(every trial), ``best_pipeline.py`` (a standalone script that rebuilds the best
pipeline, prints its cross-validated score and saves the fitted model) and
``model.skops`` (that pipeline refitted on all training rows). The window and
``hpgui run`` both write them through this module, so the files are the same.
"""

from __future__ import annotations

import csv
import inspect
import json
import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .. import __version__
from . import dataset as dataset_module
from .choice import MODEL_PARAM
from .metrics import silhouette_of
from .recipe import imports, literal, source
from .evaluate import splitter_recipe

if TYPE_CHECKING:
    from .runner import Search
    from .records import TrialRecord

BEST_FORMAT = "hpgui-best/1"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def versions() -> dict[str, str]:
    import numpy
    import optuna
    import pandas
    import sklearn

    return {"hpgui": __version__, "python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "optuna": optuna.__version__, "pandas": pandas.__version__, "numpy": numpy.__version__}


def _atomic_write_text(path: Path, text: str) -> None:
    # A reader (or a crash) never sees half a file.
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, path)


# -- best.json -----------------------------------------------------------------

def best_config(search: "Search", best: "TrialRecord", n_trials: int, test_score: float | None) -> dict[str, Any]:
    setup, ds = search.setup, search.dataset
    model, params = search.model_of(best.params)
    config = {
        "format": BEST_FORMAT,
        "model": model.name,
        "task": search.task,
        "params": params,
        "metric": search.metric.name,
        "score": best.value,
        "score_std": best.std,
        "direction": search.metric.direction,
        "test_score": test_score,
        "n_trials": n_trials,
        "trial": best.number,
        "strategy": setup.strategy.name,
        "study": search.study_name,
        "evaluation": setup.evaluation.to_json(),
        "preprocessing": setup.preprocessing.to_json(),
        "dataset": {
            "path": str(ds.path),
            "sha256": ds.sha256,
            "rows": ds.rows,
            "columns": len(ds.columns),
            "target": search.data.target,
            "features": list(search.data.features),
        },
        "versions": versions(),
    }
    if setup.is_multi:
        # The winner's own hyperparameters are in "params", ready for its estimator; these say what it beat.
        config["models"] = list(setup.models)
        config["trial_params"] = dict(best.params)
    return config


def write_best(path: Path, config: dict[str, Any]) -> None:
    _atomic_write_text(Path(path), json.dumps(config, indent=2, default=str) + "\n")


# -- trials.csv ----------------------------------------------------------------

def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def trial_rows(records: Iterable["TrialRecord"], param_names: list[str]) -> tuple[list[str], list[list[Any]]]:
    # A study over several models has a plain "model" column; each model's own hyperparameters are
    # params_<model>.<name>, empty where another model ran.
    header = ["number", "state", "value", "std", "train_score", "duration_s", "fit_time_s",
              *["model" if n == MODEL_PARAM else f"params_{n}" for n in param_names],
              "fold_scores", "error", "warnings", "started", "finished"]
    rows = []
    for r in records:
        rows.append([
            r.number, r.state, _num(r.value), _num(r.std), _num(r.train_score), _num(r.duration_s),
            _num(r.fit_time_s), *[r.params.get(n, "") for n in param_names],
            json.dumps([float(v) for v in r.folds]) if r.folds else "",
            r.error or "", " | ".join(r.warnings), _time(r.started), _time(r.finished),
        ])
    return header, rows


def _num(value: Any) -> Any:
    return "" if value is None else float(value)


def _time(value: Any) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""


def write_trials(path: Path, records: Iterable["TrialRecord"], param_names: list[str]) -> None:
    header, rows = trial_rows(records, param_names)
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([spreadsheet_safe(v) for v in row])
    os.replace(tmp, path)


# -- model.skops ---------------------------------------------------------------

_TORCH_SHIM = "sklearn.externals.array_api_compat.torch"


def skops_io() -> Any:
    """``skops.io``, imported without importing PyTorch.

    Importing skops.io lists every scikit-learn estimator (``all_estimators``), which imports
    each subpackage of scikit-learn on the way, including the array-API shim for PyTorch; with
    PyTorch installed (hpgui[gp]) that imports PyTorch itself: 2-7 s of an export, for a shim
    that holds no estimator. An empty module stands in for the shim while skops.io is imported,
    so the list comes out the same without it, and is removed again afterwards.
    """
    import sys
    import types

    if "skops.io" in sys.modules or _TORCH_SHIM in sys.modules:
        import skops.io

        return skops.io
    sys.modules[_TORCH_SHIM] = types.ModuleType(_TORCH_SHIM)
    try:
        import skops.io
    finally:
        sys.modules.pop(_TORCH_SHIM, None)
    return skops.io


def save_model(path: Path, fitted: Any) -> None:
    sio = skops_io()

    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    sio.dump(fitted, tmp)
    os.replace(tmp, path)


def load_model(path: Path, trusted: list[str] | None = None) -> Any:
    """Load a model we saved; types outside skops' trusted set must be named by the caller."""
    sio = skops_io()

    return sio.load(path, trusted=trusted or sio.get_untrusted_types(file=path))


# -- best_pipeline.py ------------------------------------------------------------

_SCRIPT = '''#!/usr/bin/env python3
"""Rebuild, re-score and save the best {label} that hpgui found.

Study {study!r}, trial {trial}: {metric_label} {score:.6g} ({evaluation}).

    python {script_name} [path/to/data.csv]

Needs pandas, numpy and scikit-learn (the same scikit-learn, {sklearn_version},
gives the same score to the last digit), and skops to save the model.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
{imports}

DATA = Path(sys.argv[1]) if len(sys.argv) > 1 else Path({data_path!r})
READ_OPTIONS = {read_options}
TARGET = {target!r}
TASK = {task!r}
FEATURES = {features}
NUMERIC = {numeric}
CATEGORICAL = {categorical}
SEED = {seed!r}
TEST_FRACTION = {test_fraction!r}
EXPECTED_SCORE = {score_literal}  # what hpgui measured


{coerce_features}

{coerce_target}

{score_function}

def build_pipeline():
    return {pipeline}


def main():
    frame = pd.read_csv(DATA, **READ_OPTIONS)
    if TARGET is not None:
        frame = frame[frame[TARGET].notna()]
    X = coerce_features(frame[FEATURES], NUMERIC, CATEGORICAL)
    y = coerce_target(frame[TARGET], TASK) if TARGET is not None else None
    if TEST_FRACTION:
        X, X_test, y, y_test = train_test_split(
            X, y, test_size=TEST_FRACTION, random_state=SEED,
            stratify=y if TASK == "classification" else None,
        )
    splitter = {splitter}
    scores = []
    for train, test in splitter.split(X, y):
        model = build_pipeline()
        if y is None:
            model.fit(X.iloc[train])
            scores.append(score(model, X.iloc[test], None))
        else:
            model.fit(X.iloc[train], y.iloc[train])
            scores.append(score(model, X.iloc[test], y.iloc[test]))
    mean = float(np.mean(scores))
    print(f"{metric_label}: {{mean:.6f}} ± {{np.std(scores):.6f}} over {{len(scores)}} folds"
          f" (hpgui measured {{EXPECTED_SCORE:.6f}})")
    print(f"score={{mean!r}}")

    model = build_pipeline()
    model.fit(X) if y is None else model.fit(X, y)
    if TEST_FRACTION:
        print(f"test {metric_label}: {{score(model, X_test, y_test):.6f}}")
    out = Path(__file__).with_name("model.skops")
    try:
        import skops.io
    except ImportError:
        print("skops is not installed; the fitted model was not saved (pip install skops)")
    else:
        skops.io.dump(model, out)
        print(f"saved the fitted model to {{out}}")


if __name__ == "__main__":
    main()
'''


def _score_function_source(search: "Search") -> tuple[str, set[str]]:
    metric = search.metric
    if metric.name == "silhouette":
        body = inspect.getsource(silhouette_of).replace("def silhouette_of(", "def score(", 1)
        return body, set()
    scoring = metric.sklearn_scoring(search.n_classes)
    sign = "" if metric.greater_is_better else "-"
    text = (f"_SCORER = get_scorer({scoring!r})\n\n\n"
            f"def score(estimator, X, y):\n"
            f"    # {metric.label}, {('higher' if metric.greater_is_better else 'lower')} is better.\n"
            f"    return {sign}_SCORER(estimator, X, y)\n")
    return text, {"from sklearn.metrics import get_scorer"}


def pipeline_script(search: "Search", best: "TrialRecord", script_name: str = "best_pipeline.py") -> str:
    data, setup = search.data, search.setup
    model = search.model_of(best.params)[0]
    recipe = search.recipe(best.params)
    splitter = splitter_recipe(setup.evaluation, search.task, search.seed)
    score_source, score_imports = _score_function_source(search)
    needed = imports(recipe) | imports(splitter) | score_imports
    if setup.evaluation.test_fraction:
        needed.add("from sklearn.model_selection import train_test_split")
    return _SCRIPT.format(
        label=model.label.lower(),
        study=search.study_name,
        trial=best.number,
        metric_label=search.metric.label,
        score=best.value,
        evaluation=setup.evaluation.describe(),
        script_name=script_name,
        sklearn_version=versions()["scikit-learn"],
        imports="\n".join(sorted(needed)),
        data_path=str(search.dataset.path.resolve()),
        read_options=source(search.dataset.read_options),
        target=data.target,
        task=search.task,
        features=source(list(data.features)),
        numeric=source(list(data.numeric)),
        categorical=source(list(data.categorical)),
        seed=search.seed,
        test_fraction=setup.evaluation.test_fraction,
        score_literal=literal(best.value),
        coerce_features=inspect.getsource(dataset_module.coerce_features).rstrip() + "\n",
        coerce_target=inspect.getsource(dataset_module.coerce_target).rstrip() + "\n",
        score_function=score_source,
        pipeline=source(recipe, indent=1),
        splitter=source(splitter, indent=1),
    )


# -- all of it -------------------------------------------------------------------

@dataclass
class Exported:
    best_json: Path
    trials_csv: Path
    script: Path
    model: Path
    test_score: float | None


def export_all(search: "Search", out_dir: Path, records: list["TrialRecord"] | None = None) -> Exported:
    """Write every artefact of a search into ``out_dir``; needs at least one completed trial."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    records = records if records is not None else search.records()
    best = search.best_of(records)
    trials_csv = out_dir / "trials.csv"
    write_trials(trials_csv, records, list(search.order))
    if best is None:
        raise ValueError("no trial completed, so there is no best configuration to export")
    fitted = search.fit_best(best.params)
    test_score = search.test_score(fitted)
    n_trials = sum(1 for r in records if r.state in ("complete", "failed", "pruned"))
    best_json = out_dir / "best.json"
    write_best(best_json, best_config(search, best, n_trials, test_score))
    script = out_dir / "best_pipeline.py"
    _atomic_write_text(script, pipeline_script(search, best, script.name))
    model = out_dir / "model.skops"
    save_model(model, fitted)
    return Exported(best_json, trials_csv, script, model, test_score)
