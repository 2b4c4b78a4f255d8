"""How far random k-fold overestimates on grouped and time-ordered rows (docs/validation.md).

The data is Grunfeld's investment panel, shipped with statsmodels (11 US firms, 20 years each,
1935-1954): predict a firm's gross investment from its market value and capital stock. Two
questions a user really asks of it:

* **New firms.** Three firms are held out whole. On the other eight, hpgui tunes a random forest
  twice, once scored by shuffled 5-fold and once by 4-fold group folds by firm. Each search's best
  configuration is refitted on the eight firms and scored on the three it never saw.
* **Next years.** The last four years (1951-1954) are held out. On 1935-1950, the same forest is
  tuned by shuffled 5-fold and by 4 time-ordered folds by year; each best is scored on 1951-1954.

For each: the score the search reported, the score on the held-out rows, and the gap. Run it
with ``python benchmarks/grouped_validation.py`` (needs statsmodels: ``pip install statsmodels``).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from _common import prepare_environment

DATA_DIR = prepare_environment("validation")

import pandas as pd  # noqa: E402

from hpgui.core.runner import Search  # noqa: E402
from hpgui.core.setup import SearchSetup  # noqa: E402

TRIALS = 25
TEST_FIRMS = ("IBM", "Westinghouse", "Goodyear")
TEST_FROM_YEAR = 1951


def grunfeld() -> pd.DataFrame:
    try:
        from statsmodels.datasets import grunfeld as source
    except ImportError:
        sys.exit("this check needs statsmodels: pip install statsmodels")
    frame = source.load_pandas().data
    frame["year"] = frame["year"].astype(int)
    return frame[["firm", "year", "value", "capital", "invest"]]


def tune(path: Path, evaluation: dict, name: str) -> Search:
    setup = SearchSetup.from_json({
        "format": "hpgui-setup/1",
        "data": {"path": str(path), "target": "invest", "task": "regression", "features": ["value", "capital"]},
        "model": "random_forest",
        "strategy": {"name": "tpe", "seed": 0},
        "evaluation": evaluation,
        "metric": "r2",
        "budget": {"trials": TRIALS},
    })
    search = Search(setup, study_name=name)
    search.run()
    return search


def check(train: pd.DataFrame, test: pd.DataFrame, schemes: dict[str, dict], label: str) -> list[dict]:
    path = DATA_DIR / f"{label}.csv"
    train.to_csv(path, index=False)
    X_test, y_test = test[["value", "capital"]].astype("float64"), test["invest"].astype("float64")
    rows = []
    for scheme, evaluation in schemes.items():
        began = time.perf_counter()
        search = tune(path, {"shuffle": True, **evaluation}, f"{label}-{scheme}")
        best = search.best_of(search.records())
        fitted = search.fit_best(best.params)
        held_out = float(search.scorer(fitted, X_test, y_test))
        rows.append({"question": label, "validation": scheme, "reported_r2": round(best.value, 3),
                     "held_out_r2": round(held_out, 3), "overestimate": round(best.value - held_out, 3),
                     "best": best.params, "seconds": round(time.perf_counter() - began, 1)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> None:
    frame = grunfeld()
    new_firms = frame["firm"].isin(TEST_FIRMS)
    rows = check(frame[~new_firms], frame[new_firms], {
        "random 5-fold": {"method": "kfold", "folds": 5},
        "group 4-fold by firm": {"method": "group_kfold", "group": "firm", "folds": 4},
    }, "new-firms")
    later = frame["year"] >= TEST_FROM_YEAR
    rows += check(frame[~later], frame[later], {
        "random 5-fold": {"method": "kfold", "folds": 5},
        "time 4-fold by year": {"method": "time_series", "order": "year", "folds": 4},
    }, "next-years")
    print()
    print("| question | validation | R² the search reported | R² on the held-out rows | overestimate |")
    print("| --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['question']} | {r['validation']} | {r['reported_r2']:.3f} | {r['held_out_r2']:.3f} | "
              f"{r['overestimate']:+.3f} |")


if __name__ == "__main__":
    main()
