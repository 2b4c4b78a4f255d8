"""How far random k-fold overestimates on grouped and time-ordered rows (docs/validation.md).

The data is Grunfeld's investment panel, shipped with statsmodels (11 US firms, 20 years each,
1935-1954): predict a firm's gross investment from its market value and capital stock, all three
on a log scale (the firms differ a hundredfold in size), scored by the mean absolute error of the
log, so 0.10 means predictions about 10 % off. Two questions a user really asks of it:

* **A new firm.** Is the model good for a firm it has never seen? Random 5-fold cannot tell: each
  firm's other years sit in the training folds. Group 5-fold by firm can: each fold holds out
  whole firms.
* **Next years.** Is it good for the years after the data ends? Time-ordered 5-fold by year trains
  every fold on earlier years only.

hpgui tunes a random forest (TPE, 25 trials) under each validation, then scores every search's
best configuration under the other validations too, so the table shows what random k-fold
promises and what the same configuration gets on new firms or later years.

Run it
with ``python benchmarks/grouped_validation.py`` (needs statsmodels: ``pip install statsmodels``).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from _common import prepare_environment

DATA_DIR = prepare_environment("validation")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from hpgui.core.runner import Search  # noqa: E402
from hpgui.core.setup import SearchSetup  # noqa: E402

TRIALS = 25
VALIDATIONS = {
    "random 5-fold": {"method": "kfold", "folds": 5, "shuffle": True},
    "group 5-fold by firm": {"method": "group_kfold", "group": "firm", "folds": 5, "shuffle": True},
    "time 5-fold by year": {"method": "time_series", "order": "year", "folds": 5},
}


def grunfeld() -> pd.DataFrame:
    try:
        from statsmodels.datasets import grunfeld as source
    except ImportError:
        sys.exit("this check needs statsmodels: pip install statsmodels")
    frame = source.load_pandas().data
    frame["year"] = frame["year"].astype(int)
    for column in ("value", "capital", "invest"):  # every value is positive
        frame[column] = np.log(frame[column])
    return frame[["firm", "year", "value", "capital", "invest"]]


def setup_for(path: Path, evaluation: dict) -> SearchSetup:
    return SearchSetup.from_json({
        "format": "hpgui-setup/1",
        "data": {"path": str(path), "target": "invest", "task": "regression", "features": ["value", "capital"]},
        "model": "random_forest",
        "strategy": {"name": "tpe", "seed": 0},
        "evaluation": evaluation,
        "metric": "mae",
        "budget": {"trials": TRIALS},
    })


def main() -> None:
    path = DATA_DIR / "grunfeld.csv"
    grunfeld().to_csv(path, index=False)
    searches = {name: Search(setup_for(path, evaluation), study_name=name.replace(" ", "-"))
                for name, evaluation in VALIDATIONS.items()}
    rows = []
    for tuned_by, search in searches.items():
        began = time.perf_counter()
        search.run()
        best = search.best_of(search.records())
        row = {"tuned by": tuned_by, "best": best.params, "seconds": round(time.perf_counter() - began, 1)}
        for scored_by, other in searches.items():
            score = best if other is search else other.evaluate(best.params)
            row[scored_by] = (round(score.value, 3), round(score.std, 3))
        rows.append(row)
        print(json.dumps(row), flush=True)
    names = list(VALIDATIONS)
    print()
    print("| best configuration of a search by | " + " | ".join(f"error by {n}" for n in names) + " |")
    print("| --- |" + " --- |" * len(names))
    for row in rows:
        cells = " | ".join(f"{row[n][0]:.3f} ± {row[n][1]:.3f}" for n in names)
        print(f"| {row['tuned by']} | {cells} |")


if __name__ == "__main__":
    main()
