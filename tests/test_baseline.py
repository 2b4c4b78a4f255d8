"""The dummy baseline: scored on the study's folds, stored with the study, read back when it is opened."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.model_selection import cross_val_score

from hpgui.core.baseline import ATTR_BASELINE, Baseline, compare
from hpgui.core.library import load_study
from hpgui.core.runner import Search
from hpgui.core.session import Session
from hpgui.core.setup import SearchSetup


def _setup(csv, target, metric, model="decision_tree", folds=4, trials=2):
    return SearchSetup.from_json({
        "format": "hpgui-setup/1", "data": {"path": str(csv), "target": target}, "model": model,
        "strategy": {"name": "random", "seed": 3}, "evaluation": {"folds": folds}, "metric": metric,
        "budget": {"trials": trials}})


def test_majority_share_on_the_same_folds_as_sklearn(survey_csv):
    search = Search(_setup(survey_csv, "answer", "accuracy"))
    baseline = search.baseline
    assert baseline is not None and baseline.strategy == "prior"
    expected = cross_val_score(DummyClassifier(strategy="prior"), search.X, search.y, cv=search.splits,
                               scoring="accuracy")
    assert baseline.folds == pytest.approx(tuple(expected))
    assert baseline.value == pytest.approx(189 / 236, abs=0.01)
    stored = Baseline.from_json(search.study.user_attrs[ATTR_BASELINE])
    assert stored == baseline


def test_regression_baseline_is_the_better_of_mean_and_median(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=200)
    # A skewed target: the median beats the mean on MAE.
    frame = pd.DataFrame({"x": x, "y": rng.exponential(size=200) ** 3})
    path = tmp_path / "skew.csv"
    frame.to_csv(path, index=False)
    search = Search(_setup(path, "y", "mae", model="ridge"))
    for strategy in ("mean", "median"):
        score = -cross_val_score(DummyRegressor(strategy=strategy), search.X, search.y, cv=search.splits,
                                 scoring="neg_mean_absolute_error").mean()
        assert search.baseline.value <= score + 1e-12
    assert search.baseline.strategy == "median"


def test_reopened_study_shows_its_baseline(survey_csv):
    search = Search(_setup(survey_csv, "answer", "accuracy"))
    search.run()
    loaded = load_study(None, search.study_name)
    session = Session()
    seen = []
    session.events.baseline.connect(seen.append)
    session.show_loaded(loaded, None, data_follows=False)
    assert session.baseline == search.baseline and seen == [search.baseline]


def test_verdict_warns_when_the_best_is_within_the_spread():
    baseline = Baseline("prior", 0.8008, 0.01, (0.79, 0.81))
    close = compare(0.8009, 0.02, baseline, greater_is_better=True, label="accuracy")
    assert close.text.startswith("+0.0001 over always guessing the majority class")
    assert "barely beats" in close.warning
    clear = compare(0.95, 0.01, baseline, greater_is_better=True)
    assert clear.warning == ""
    lower = compare(2.0, 0.1, Baseline("mean", 3.0, 0.2, ()), greater_is_better=False)
    assert lower.text.startswith("+1 over always predicting the mean") and lower.warning == ""


def test_clustering_has_no_baseline(tmp_path):
    frame = pd.DataFrame({"a": np.arange(60.0) % 7, "b": np.arange(60.0) % 5})
    path = tmp_path / "c.csv"
    frame.to_csv(path, index=False)
    setup = SearchSetup.from_json({"format": "hpgui-setup/1", "data": {"path": str(path), "task": "clustering"},
                                   "model": "kmeans", "budget": {"trials": 1}, "evaluation": {"folds": 3}})
    assert Search(setup).baseline is None


def test_merged_progress_never_goes_backwards():
    from hpgui.core.records import TrialRecord
    from hpgui.core.runner import Progress
    from hpgui.core.study_progress import MergedProgress

    def record(number, value):
        return TrialRecord(number=number, state="complete", value=value, params={})

    merged = MergedProgress()
    late = merged.update(record(28, 0.9), Progress(done=29, budget=30, elapsed_s=10, best=record(20, 0.95)))
    # Another worker's report, read from storage before the one above, arrives after it.
    stale = merged.update(record(26, 0.8), Progress(done=27, budget=30, elapsed_s=11, best=record(3, 0.91)))
    assert (late.done, stale.done) == (29, 29)
    assert stale.best.value == 0.95 and stale.elapsed_s == 11
