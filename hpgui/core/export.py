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
            "format": ds.format,
            **({"read": ds.description} if ds.description else {}),
            **({"weight": setup.data.weight} if setup.data.weight else {}),
            **({"dates": {c: list(p) for c, p in search.data.dates.items()}} if search.data.dates else {}),
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
    records = list(records)
    # A population's trials say where they sit in it (the schedule is in best.json and the study).
    population = any(r.pbt for r in records)
    if population:
        header += [f"pbt_{key}" for key in PBT_COLUMNS]
    rows = []
    for r in records:
        rows.append([
            r.number, r.state, _num(r.value), _num(r.std), _num(r.train_score), _num(r.duration_s),
            _num(r.fit_time_s), *[r.params.get(n, "") for n in param_names],
            json.dumps([float(v) for v in r.folds]) if r.folds else "",
            r.error or "", " | ".join(r.warnings), _time(r.started), _time(r.finished),
        ])
        if population:
            rows[-1] += [_cell((r.pbt or {}).get(key)) for key in PBT_COLUMNS]
    return header, rows


PBT_COLUMNS = ("member", "round", "parent", "exploited", "units")


def _cell(value: Any) -> Any:
    return "" if value is None else value


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

_SCRIPT = """#!/usr/bin/env python3
\"\"\"Rebuild, re-score and save the best {label} that hpgui found.

Trial {trial}: {metric_label} {score:.6g} ({evaluation}).

    python {script_name} [path/to/data file]

Needs pandas, numpy and scikit-learn (the same scikit-learn, {sklearn_version},
gives the same score to the last digit){needs}, and skops to save the model.
\"\"\"

import sys
from pathlib import Path

import numpy as np
import pandas as pd
{imports}

STUDY = {study}
DATA = Path(sys.argv[1]) if len(sys.argv) > 1 else Path({data_path})
READ_OPTIONS = {read_options}
TARGET = {target}
TASK = {task}
FEATURES = {features}
NUMERIC = {numeric}
CATEGORICAL = {categorical}
DATES = {dates}  # date column -> the parts it gives (the DateParts step)
WEIGHT = {weight}  # sample weights
GROUP = {group}  # rows of one group stay in one fold
ORDER = {order}  # rows sorted by this column; folds train on earlier rows only
SEED = {seed}
TEST_FRACTION = {test_fraction}
EXPECTED_SCORE = {score_literal}  # what hpgui measured


{helpers}
{read_data}
{coerce_features}

{coerce_target}

{score_function}

def build_pipeline():
    return {pipeline}


{train_function}

def fit(model, X, y, weight):
    if y is None:
        return model.fit(X)
    if weight is None:
        return model.fit(X, y)
    return model.fit(X, y, **{{{weight_key}: weight}})


def take(values, rows):
    if values is None:
        return None
    return values.iloc[rows].reset_index(drop=True) if hasattr(values, "iloc") else values[rows]


def main():
    frame = read_data(DATA)
    if TARGET is not None:
        frame = frame[frame[TARGET].notna()]
    X = coerce_features(frame[[f for f in FEATURES if f not in DATES]], NUMERIC, CATEGORICAL)
    for column in DATES:
        X[column] = coerce_date(frame[column])
    y = coerce_target(frame[TARGET], TASK) if TARGET is not None else None
    weight = pd.to_numeric(frame[WEIGHT], errors="coerce").to_numpy(dtype="float64") if WEIGHT else None
    groups = pd.factorize(frame[GROUP], sort=True)[0] if GROUP else None
    if ORDER is not None:
        rows = np.argsort(order_key(frame[ORDER]), kind="stable")
        X, y, weight, groups = take(X, rows), take(y, rows), take(weight, rows), take(groups, rows)
    if TEST_FRACTION:
{hold_out}
        X, X_test, y, y_test = take(X, train), take(X, test), take(y, train), take(y, test)
        weight, weight_test, groups = take(weight, train), take(weight, test), take(groups, train)
    splitter = {splitter}
    scores = []
    for train, test in splitter.split(X, y, groups):
        model = train_model(take(X, train), take(y, train), take(weight, train))
        scores.append(score(model, take(X, test), take(y, test), take(weight, test)))
    mean = float(np.mean(scores))
    print(f"{metric_label}: {{mean:.6f}} ± {{np.std(scores):.6f}} over {{len(scores)}} folds"
          f" (hpgui measured {{EXPECTED_SCORE:.6f}})")
    print(f"score={{mean!r}}")

    model = train_model(X, y, weight)
    if TEST_FRACTION:
        print(f"test {metric_label}: {{score(model, X_test, y_test, weight_test):.6f}}")
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
"""

#: Classes of hpgui a pipeline may hold, written into the script instead of imported from hpgui
#: (the script needs no hpgui), with what their source needs.
INLINED = {
    "hpgui.core.dates.DateParts": (("from sklearn.base import BaseEstimator, TransformerMixin",), ()),
    "hpgui.core.boosting.BoostedClassifier": (
        ("from sklearn.base import BaseEstimator, ClassifierMixin, clone",), ("fit_with_early_stopping",)),
    "hpgui.core.boosting.BoostedRegressor": (
        ("from sklearn.base import BaseEstimator, RegressorMixin, clone",), ("fit_with_early_stopping",)),
}

_PLAIN_TRAIN = """def train_model(X, y, weight):
    return fit(build_pipeline(), X, y, weight)
"""

_HOLD_OUT = {
    "time_series": ("        cut = len(X) - max(1, int(np.ceil(len(X) * TEST_FRACTION)))\n"
                    "        train, test = np.arange(cut), np.arange(cut, len(X))"),
    "group": ("        train, test = next(GroupShuffleSplit(n_splits=1, test_size=TEST_FRACTION, random_state=SEED)\n"
              "                           .split(np.arange(len(X)), y, groups))\n"
              "        train, test = np.sort(train), np.sort(test)"),
    "random": ("        train, test = train_test_split(np.arange(len(X)), test_size=TEST_FRACTION, random_state=SEED,\n"
               "                                       stratify=y if TASK == \"classification\" else None)"),
}


def _score_function_source(search: "Search") -> tuple[str, set[str]]:
    metric = search.metric
    if metric.name == "silhouette":
        body = inspect.getsource(silhouette_of).replace("def silhouette_of(", "def _silhouette(", 1)
        return body + "\n\ndef score(estimator, X, y, weight=None):\n    return _silhouette(estimator, X, y)\n", set()
    scoring = metric.sklearn_scoring(search.n_classes)
    sign = "" if metric.greater_is_better else "-"
    text = (f"_SCORER = get_scorer({scoring!r})\n\n\n"
            f"def score(estimator, X, y, weight=None):\n"
            f"    # {metric.label}, {('higher' if metric.greater_is_better else 'lower')} is better.\n"
            f"    if weight is None:\n"
            f"        return {sign}_SCORER(estimator, X, y)\n"
            f"    return {sign}_SCORER(estimator, X, y, sample_weight=weight)\n")
    return text, {"from sklearn.metrics import get_scorer"}


def _inline(needed: set[str]) -> tuple[set[str], str]:
    """Swap ``from hpgui... import X`` lines for X's source; returns the imports left and the sources."""
    import importlib

    kept, sources = set(), []
    for line in sorted(needed):
        words = line.split()
        path = f"{words[1]}.{words[3]}" if len(words) == 4 and words[0] == "from" else ""
        if path in INLINED:
            lines, helpers = INLINED[path]
            kept.update(lines)
            module = importlib.import_module(words[1])
            for name in (*helpers, words[3]):
                text = inspect.getsource(getattr(module, name)).rstrip()
                if text not in sources:
                    sources.append(text)
        else:
            kept.add(line)
    return kept, "".join(f"{text}\n\n\n" for text in sources)


def pipeline_script(search: "Search", best: "TrialRecord", script_name: str = "best_pipeline.py") -> str:
    from . import dates as dates_module
    from .readers import script_reader

    data, setup = search.data, search.setup
    evaluation = setup.evaluation
    model = search.model_of(best.params)[0]
    if search.pbt is not None:
        from .pbt_export import first_params, train_source

        recipe = search.recipe(first_params(best))
        train_function = train_source(search, best)
    else:
        recipe = search.recipe(best.params)
        train_function = _PLAIN_TRAIN
    splitter = splitter_recipe(evaluation, search.task, search.seed)
    score_source, score_imports = _score_function_source(search)
    reader_source, reader_imports = script_reader(search.dataset)
    needed = imports(recipe) | imports(splitter) | score_imports | reader_imports
    needed, helpers = _inline(needed)
    if data.dates or evaluation.order:
        helpers += inspect.getsource(dates_module.coerce_date).rstrip() + "\n\n\n"
    else:
        helpers += "def coerce_date(values):\n    raise AssertionError(\"no date column is used\")\n\n\n"
    if evaluation.order:
        helpers += inspect.getsource(dates_module.order_key).rstrip() + "\n\n\n"
    rule = ("time_series" if evaluation.method == "time_series" else
            "group" if evaluation.method in ("group_kfold", "stratified_group_kfold") else "random")
    if evaluation.test_fraction:
        needed.add("from sklearn.model_selection import GroupShuffleSplit" if rule == "group" else
                   "from sklearn.model_selection import train_test_split" if rule == "random" else "")
    needed.discard("")
    needs = {"lightgbm", "xgboost", "catboost"} & {line.split()[1].split(".")[0] for line in needed}
    return _SCRIPT.format(
        label=model.label.lower(),
        trial=best.number,
        metric_label=search.metric.label,
        score=best.value,
        evaluation=evaluation.describe().replace("\\", "/").replace('"', "'"),
        script_name=script_name,
        sklearn_version=versions()["scikit-learn"],
        needs="".join(f", {name}" for name in sorted(needs)),
        imports="\n".join(sorted(needed)),
        study=literal(search.study_name),
        data_path=literal(str(search.dataset.path.resolve())),
        read_options=source(search.dataset.read_options),
        target=literal(data.target),
        task=literal(search.task),
        features=source(list(data.features)),
        numeric=source(list(data.numeric)),
        categorical=source(list(data.categorical)),
        dates=source({column: list(parts) for column, parts in data.dates.items()}),
        weight=literal(setup.data.weight),
        group=literal(evaluation.group),
        order=literal(evaluation.order),
        seed=literal(search.seed),
        test_fraction=literal(evaluation.test_fraction),
        score_literal=literal(best.value),
        helpers=helpers,
        read_data=reader_source,
        coerce_features=inspect.getsource(dataset_module.coerce_features).rstrip() + "\n",
        coerce_target=inspect.getsource(dataset_module.coerce_target).rstrip() + "\n",
        score_function=score_source,
        pipeline=source(recipe, indent=1),
        weight_key=literal("model__sample_weight" if recipe.path == "sklearn.pipeline.Pipeline" else "sample_weight"),
        hold_out=_HOLD_OUT[rule],
        splitter=source(splitter, indent=1),
        train_function=train_function,
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
    # A population's best model is its schedule replayed on all rows, not one configuration refitted.
    fitted = search.fit_best(best.params) if search.pbt is None else search.pbt.fit_schedule(best.params, best.pbt)
    test_score = search.test_score(fitted)
    n_trials = sum(1 for r in records if r.state in ("complete", "failed", "pruned"))
    best_json = out_dir / "best.json"
    config = best_config(search, best, n_trials, test_score)
    if search.pbt is not None:
        from .pbt_export import best_schedule

        config["schedule"] = best_schedule(search, best, records)
    write_best(best_json, config)
    script = out_dir / "best_pipeline.py"
    _atomic_write_text(script, pipeline_script(search, best, script.name))
    model = out_dir / "model.skops"
    save_model(model, fitted)
    return Exported(best_json, trials_csv, script, model, test_score)
