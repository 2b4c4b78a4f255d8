"""Kept folds give exactly the scores of fitting the whole pipeline per fold, and stay in budget."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hpgui.core.foldcache import FoldCache, PreparedFold, train_sample_rows
from hpgui.core.runner import Search
from hpgui.core.setup import SearchSetup
from tests_support import EXAMPLES

CASES = [
    # file, target, task, model, params, preprocessing, metric
    ("penguins", "species", "classification", "logistic_regression", {"C": 0.3}, "auto", "log_loss"),
    ("penguins", "species", "classification", "knn", {"n_neighbors": 7, "weights": "distance"},
     {"impute_numeric": "mean", "scaler": "minmax", "encode": "ordinal"}, "f1_macro"),
    ("breast_cancer", "diagnosis", "classification", "svm", {"C": 3.0, "gamma": 0.01, "kernel": "rbf"},
     "auto", "roc_auc"),
    ("wine", "cultivar", "classification", "random_forest", {"n_estimators": 15, "max_depth": 4}, "none",
     "roc_auc"),
    ("diabetes", "progression", "regression", "ridge", {"alpha": 2.0}, "auto", "rmse"),
    ("iris", "species", "classification", "decision_tree", {"max_depth": 3}, "none", "balanced_accuracy"),
    ("iris", None, "clustering", "kmeans", {"n_clusters": 3}, "auto", "silhouette"),
]


def _search(name, target, task, model, params, preprocessing, metric) -> Search:
    setup = SearchSetup.from_json({
        "format": "hpgui-setup/1",
        "data": {"path": str(EXAMPLES / f"{name}.csv"), "target": target, "task": task},
        "model": model,
        "preprocessing": preprocessing,
        "strategy": {"name": "random", "seed": 3},
        "evaluation": {"folds": 4, "shuffle": True},
        "metric": metric,
        "budget": {"trials": 1},
    })
    return Search(setup, study_name=f"cache-{name}-{model}")


def _uncached(search: Search, params) -> tuple[list[float], float]:
    """The plain loop: the whole pipeline fitted on each fold's DataFrame rows, scored on them."""
    X, y = search.X, search.y
    folds, train = [], []
    for i, (tr, te) in enumerate(search.splits):
        rows = train_sample_rows(i, len(tr), len(te))
        sample = tr if rows is None else tr[rows]  # the training rows the train score is measured on
        pipeline = search.build_estimator(params)
        if y is None:
            pipeline.fit(X.iloc[tr])
            folds.append(float(search.scorer(pipeline, X.iloc[te], None)))
            train.append(float(search.scorer(pipeline, X.iloc[sample], None)))
        else:
            pipeline.fit(X.iloc[tr], y.iloc[tr])
            folds.append(float(search.scorer(pipeline, X.iloc[te], y.iloc[te])))
            train.append(float(search.scorer(pipeline, X.iloc[sample], y.iloc[sample])))
    return folds, float(np.mean(train))


@pytest.mark.parametrize("case", CASES, ids=[f"{c[3]}-{c[0]}-{c[6]}" for c in CASES])
def test_kept_folds_score_exactly_like_the_whole_pipeline(case):
    search = _search(*case)
    params = case[4]
    folds, train = _uncached(search, params)

    first = search.evaluate(params)      # prepares and keeps every fold
    assert len(search.folds) == len(search.splits) and search.folds.misses == len(search.splits)
    second = search.evaluate(params)     # every fold from the cache
    assert search.folds.hits == len(search.splits)
    for score in (first, second):
        assert score.folds == folds
        assert score.train == train
        assert score.value == float(np.mean(folds))


def test_a_cache_too_small_to_keep_anything_scores_the_same(monkeypatch):
    search = _search(*CASES[0])
    params = CASES[0][4]
    kept = search.evaluate(params).folds
    search.folds = FoldCache(search.X, search.y, search.splits, classification=True, budget_bytes=0)
    for _ in range(2):
        assert search.evaluate(params).folds == kept
    assert len(search.folds) == 0 and search.folds.nbytes == 0
    assert search.folds.misses == 2 * len(search.splits) and search.folds.hits == 0


def test_prepared_labels_are_codes_in_sorted_class_order():
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]})
    y = pd.Series(["b", "a", "c", "b", "a", "c"])
    cache = FoldCache(X, y, [(np.arange(4), np.arange(4, 6))], classification=True)
    fold = cache.fold("", 0, None)
    assert list(cache.classes) == ["a", "b", "c"]
    assert fold.y_train.tolist() == [1, 0, 2, 1] and fold.y_test.tolist() == [0, 2]
    assert isinstance(fold.X_train, np.ndarray) and fold.X_train[:, 0].tolist() == [0.0, 1.0, 2.0, 3.0]


def _splits(n: int, k: int):
    index = np.arange(n)
    return [(np.setdiff1d(index, part), part) for part in np.array_split(index, k)]


@pytest.mark.parametrize("folds_that_fit", [0, 1, 3, 5])
def test_the_cache_never_grows_past_its_budget(folds_that_fit):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(200, 6)), columns=list("abcdef"))
    y = pd.Series(rng.integers(0, 3, size=200))
    splits = _splits(200, 5)
    one_fold = FoldCache(X, y, splits, classification=True).fold("", 0, None).nbytes
    budget = folds_that_fit * one_fold + one_fold // 2
    cache = FoldCache(X, y, splits, classification=True, budget_bytes=budget)

    from sklearn.preprocessing import StandardScaler

    for _ in range(3):  # three trials over two preprocessings, each visiting every fold
        for key, make in (("none", None), ("scaled", StandardScaler)):
            for i in range(5):
                fold = cache.fold(key, i, make)
                assert isinstance(fold, PreparedFold)
                assert cache.nbytes <= budget
    assert len(cache) == folds_that_fit
    assert cache.nbytes == sum(f.nbytes for f in cache._kept.values())
    # What is kept is served from memory; every other request prepared its fold again.
    assert cache.hits == 2 * folds_that_fit and cache.misses == 30 - cache.hits


def test_warnings_of_a_kept_preprocessing_reach_every_trial(tmp_path):
    # A column known only in the first two rows: the first unshuffled fold trains without them,
    # so its SimpleImputer warns that it skips a feature with no observed value.
    sparse = [1.0, 2.0] + [np.nan] * 38
    frame = pd.DataFrame({"a": np.arange(40.0), "sparse": sparse, "y": [0, 1] * 20})
    csv = tmp_path / "sparse.csv"
    frame.to_csv(csv, index=False)
    setup = SearchSetup.from_json({
        "data": {"path": str(csv), "target": "y", "task": "classification", "features": ["a", "sparse"]},
        "model": "logistic_regression", "strategy": {"name": "random"},
        "evaluation": {"folds": 3, "shuffle": False},
        "budget": {"trials": 1},
    })
    search = Search(setup, study_name="warns")
    first, second = search.evaluate({"C": 1.0}), search.evaluate({"C": 1.0})
    assert any("observed" in w for w in first.warnings), first.warnings
    assert first.warnings == second.warnings
    assert search.folds.hits == 3


def test_sample_weights_reach_the_fit_and_both_scores():
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, get_scorer

    from hpgui.core.evaluate import cross_validate

    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(120, 3)), columns=list("abc"))
    y = pd.Series((X["a"] + rng.normal(scale=0.8, size=120) > 0).astype(int))
    w = rng.uniform(0.1, 3.0, size=120)
    splits = _splits(120, 4)
    cache = FoldCache(X, y, splits, classification=True, sample_weight=w)
    score = cross_validate(LogisticRegression, lambda i: cache.fold("", i, None), 4, get_scorer("accuracy"))
    expected, train = [], []
    for i, (tr, te) in enumerate(splits):
        model = LogisticRegression().fit(X.iloc[tr], y.iloc[tr], sample_weight=w[tr])
        expected.append(accuracy_score(y.iloc[te], model.predict(X.iloc[te]), sample_weight=w[te]))
        s = tr[train_sample_rows(i, len(tr), len(te))]
        train.append(accuracy_score(y.iloc[s], model.predict(X.iloc[s]), sample_weight=w[s]))
    assert score.folds == pytest.approx(expected, abs=1e-12)
    assert score.train == pytest.approx(float(np.mean(train)), abs=1e-12)
    unweighted = cross_validate(LogisticRegression, lambda i: FoldCache(X, y, splits, classification=True)
                                .fold("", i, None), 4, get_scorer("accuracy"))
    assert unweighted.folds != score.folds


def test_a_fold_is_marked_finite_only_when_every_feature_value_is():
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, np.nan, 0.5, 2.0]})
    y = pd.Series([0, 1, 0, 1])
    splits = [(np.array([0, 1]), np.array([2, 3])), (np.array([2, 3]), np.array([0, 1]))]
    cache = FoldCache(X, y, splits, classification=True)
    assert [cache.fold("", i, None).finite for i in range(2)] == [False, False]
    assert FoldCache(X[["a"]], y, splits, classification=True).fold("", 0, None).finite
    text = pd.DataFrame({"t": np.array(["x", "y", "x", "y"], dtype=object)})
    assert not FoldCache(text, y, splits, classification=True).fold("", 0, None).finite


def test_the_train_score_is_measured_on_a_fixed_sample_as_large_as_the_validation_fold():
    from sklearn.metrics import accuracy_score, get_scorer
    from sklearn.neighbors import KNeighborsClassifier

    from hpgui.core.evaluate import cross_validate
    rng = np.random.default_rng(4)
    n = 6000
    X = pd.DataFrame(rng.normal(size=(n, 4)), columns=list("abcd"))
    y = pd.Series((X["a"] - X["b"] + rng.normal(scale=1.0, size=n) > 0).astype(int))
    splits = _splits(n, 5)
    cache = FoldCache(X, y, splits, classification=True)
    first = cross_validate(KNeighborsClassifier, lambda i: cache.fold("", i, None), 5, get_scorer("accuracy"))
    again = cross_validate(KNeighborsClassifier, lambda i: cache.fold("", i, None), 5, get_scorer("accuracy"))
    assert first.train == again.train  # the same rows in every trial, so train scores compare
    full, sampled = [], []
    for i, (tr, te) in enumerate(splits):
        fold = cache.fold("", i, None)
        Xs, ys, ws = fold.train_score_rows
        assert len(ys) == len(te) < len(tr) and ws is None
        assert set(map(tuple, Xs)) <= set(map(tuple, fold.X_train))  # rows of this training fold only
        model = KNeighborsClassifier().fit(X.iloc[tr], y.iloc[tr])
        sampled.append(accuracy_score(ys, model.predict(Xs)))
        full.append(accuracy_score(y.iloc[tr], model.predict(X.iloc[tr])))
    assert first.train == pytest.approx(float(np.mean(sampled)), abs=1e-12)
    # An estimate of the whole fold's train score, as precise as the validation score (1,200 rows here).
    assert first.train == pytest.approx(float(np.mean(full)), abs=0.02)
    # A holdout whose validation part is as large as its training part keeps every training row.
    half = [(np.arange(0, n, 2), np.arange(1, n, 2))]
    whole = FoldCache(X, y, half, classification=True).fold("", 0, None)
    assert whole.train_sample is None and whole.train_score_rows[0] is whole.X_train
