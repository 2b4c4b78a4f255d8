"""Diagnostics agree with scikit-learn given the study's own folds, pipeline and seed."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from sklearn.inspection import permutation_importance
from sklearn.metrics import (average_precision_score, brier_score_loss, confusion_matrix,
                             precision_recall_fscore_support, roc_auc_score, root_mean_squared_error)
from sklearn.model_selection import cross_val_predict

from hpgui.core.diagnostics import diagnose
from hpgui.core.diagnostics import classification as cls
from hpgui.core.diagnostics.nested import NestedError, nested_cv
from hpgui.core.diagnostics.permutation import rising
from hpgui.core.evaluate import Interrupted
from hpgui.core.runner import Search
from hpgui.core.setup import SearchSetup
from tests_support import EXAMPLES


def _setup(csv, target, model, space, *, task, metric, test_fraction=None, folds=4, trials=4):
    return SearchSetup.from_json({
        "format": "hpgui-setup/1",
        "data": {"path": str(csv), "target": target, "task": task},
        "model": model, "space": space,
        "strategy": {"name": "random", "seed": 3},
        "evaluation": {"folds": folds, "test_fraction": test_fraction},
        "metric": metric, "budget": {"trials": trials},
    })


def _search(tmp_path, name, **kwargs):
    csv = tmp_path / name
    shutil.copy(EXAMPLES / name, csv)
    setup = _setup(csv, **kwargs)
    search = Search(setup, storage=str(tmp_path / "s.journal"), study_name="s")
    result = search.run()
    return search, result.best


@pytest.fixture
def binary(tmp_path):
    return _search(tmp_path, "breast_cancer.csv", target="diagnosis", model="logistic_regression",
                   space={"C": {"type": "float", "low": 0.01, "high": 10, "log": True}},
                   task="classification", metric="roc_auc", test_fraction=0.25)


@pytest.fixture
def multiclass(tmp_path):
    return _search(tmp_path, "wine.csv", target="cultivar", model="random_forest",
                   space={"n_estimators": {"type": "int", "low": 10, "high": 30},
                          "max_depth": {"type": "int", "low": 2, "high": 5}},
                   task="classification", metric="accuracy")


def test_binary_matrix_and_auc_equal_scikit_learns_with_the_same_folds(binary):
    search, best = binary
    diag = diagnose(search, best.params, trial=best.number)
    cv = diag.part("cv")
    model = search.build_estimator(best.params)
    predicted = cross_val_predict(model, search.X, search.y, cv=search.splits)
    proba = cross_val_predict(search.build_estimator(best.params), search.X, search.y, cv=search.splits,
                              method="predict_proba")
    classes = np.unique(search.y)
    assert cv.n == len(search.X)
    np.testing.assert_array_equal(cv.classification.matrix, confusion_matrix(search.y, predicted, labels=classes))
    positive = search.y.to_numpy() == classes[1]
    assert cv.classification.roc_auc == pytest.approx(roc_auc_score(positive, proba[:, 1]), abs=1e-12)
    assert cv.classification.average_precision == pytest.approx(average_precision_score(positive, proba[:, 1]))
    assert cv.classification.calibration[0].area == pytest.approx(brier_score_loss(positive, proba[:, 1]))
    p, r, f, s = precision_recall_fscore_support(search.y, predicted, labels=classes)
    np.testing.assert_allclose(cv.classification.report.recall, r)
    np.testing.assert_array_equal(cv.classification.report.support, s)
    # The study's score is the mean over folds; the out-of-fold AUC pools every row, so both are shown.
    assert cv.score == pytest.approx(roc_auc_score(positive, proba[:, 1]))


def test_the_test_set_part_is_the_model_refitted_on_all_training_rows(binary):
    search, best = binary
    diag = diagnose(search, best.params, importance=False)
    test = diag.part("test")
    assert test is not None and test.label.startswith("Test set")
    fitted = search.fit_best(best.params)
    classes = np.unique(search.y)
    np.testing.assert_array_equal(test.classification.matrix,
                                  confusion_matrix(search.y_test, fitted.predict(search.X_test), labels=classes))
    proba = fitted.predict_proba(search.X_test)[:, 1]
    assert test.classification.roc_auc == pytest.approx(roc_auc_score(search.y_test == classes[1], proba))
    assert test.score == pytest.approx(search.test_score(fitted))


def test_the_threshold_moves_the_matrix_as_scikit_learn_counts_it(binary):
    search, best = binary
    result = diagnose(search, best.params, importance=False).part("cv").classification
    held = diagnose(search, best.params, importance=False).part("cv").held_out
    classes = held.classes
    truth = (held.y_true == classes[1]).astype(int)
    scores = held.proba[:, 1]
    th = result.thresholds
    assert th.default == 0.5 and th.score_name == "probability"
    # At the default threshold the matrix is the model's own.
    np.testing.assert_array_equal(cls.matrix_at(truth, scores, th.default), result.matrix)
    for i in (0, len(th.values) // 3, len(th.values) // 2, len(th.values) - 1):
        t = th.values[i]
        p, r, f, _ = precision_recall_fscore_support(truth, (scores > t).astype(int), labels=[1], zero_division=0)
        assert (th.precision[i], th.recall[i], th.f1[i]) == pytest.approx((p[0], r[0], f[0]))
    low = cls.matrix_at(truth, scores, 0.05)
    high = cls.matrix_at(truth, scores, 0.95)
    assert low[:, 1].sum() > high[:, 1].sum()  # a lower threshold calls more rows positive


def test_one_vs_rest_auc_equals_roc_auc_score_for_several_classes(multiclass):
    search, best = multiclass
    cv = diagnose(search, best.params, importance=False).part("cv")
    proba = cross_val_predict(search.build_estimator(best.params), search.X, search.y, cv=search.splits,
                              method="predict_proba")
    classes = np.unique(search.y)
    result = cv.classification
    assert [c.label for c in result.roc] == [str(c) for c in classes]
    assert result.roc_auc == pytest.approx(roc_auc_score(search.y, proba, multi_class="ovr", labels=classes))
    for j, curve in enumerate(result.roc):
        assert curve.area == pytest.approx(roc_auc_score(search.y == classes[j], proba[:, j]))
    assert result.thresholds is None  # a threshold is a two-class notion
    np.testing.assert_allclose(result.normalised.sum(axis=1), 1.0)


def test_permutation_importances_equal_scikit_learns_with_the_same_seed(binary):
    search, best = binary
    diag = diagnose(search, best.params, repeats=3)
    scorer = rising(search.scorer, search.metric.greater_is_better)
    # Test set: the refitted model on the test rows.
    fitted = search.fit_best(best.params)
    expected = permutation_importance(fitted, search.X_test, search.y_test, scoring=scorer, n_repeats=3,
                                      random_state=search.seed, n_jobs=1)
    test = diag.part("test").importance
    assert test.columns == list(search.X.columns)
    np.testing.assert_allclose(test.importances, expected.importances)
    np.testing.assert_allclose(test.mean, expected.importances_mean)
    np.testing.assert_allclose(test.std, expected.importances_std)
    # Cross-validation: each fold's model on the rows it held out, its repeats side by side.
    cv = diag.part("cv").importance
    assert cv.folds == len(search.splits) and cv.importances.shape == (len(search.X.columns), 3 * cv.folds)
    train, held = search.splits[1]
    model = search.build_estimator(best.params).fit(search.X.iloc[train], search.y.iloc[train])
    fold = permutation_importance(model, search.X.iloc[held], search.y.iloc[held], scoring=scorer, n_repeats=3,
                                  random_state=search.seed, n_jobs=1)
    np.testing.assert_allclose(cv.importances[:, 3:6], fold.importances)
    assert cv.mean.max() > 0


def test_regression_residuals_and_deciles(tmp_path):
    search, best = _search(tmp_path, "diabetes.csv", target="progression", model="ridge",
                           space={"alpha": {"type": "float", "low": 0.01, "high": 10, "log": True}},
                           task="regression", metric="rmse", folds=5)
    diag = diagnose(search, best.params, repeats=2)
    result = diag.part("cv").regression
    predicted = cross_val_predict(search.build_estimator(best.params), search.X, search.y, cv=search.splits)
    np.testing.assert_allclose(result.predicted, predicted)
    np.testing.assert_allclose(result.residuals, search.y.to_numpy() - predicted)
    assert result.rmse == pytest.approx(root_mean_squared_error(search.y, predicted))
    assert sum(d.count for d in result.deciles) == len(search.y) and len(result.deciles) == 10
    lows = [d.low for d in result.deciles]
    assert lows == sorted(lows)
    order = np.argsort(search.y.to_numpy(), kind="stable")[: result.deciles[0].count]
    assert result.deciles[0].mae == pytest.approx(np.mean(np.abs(result.residuals[order])))
    assert int(result.histogram[0].sum()) == len(search.y)
    # RMSE is minimised: a column that matters raises it when shuffled, which counts as importance > 0.
    assert diag.part("cv").importance.mean.max() > 0


def test_clustering_sizes_and_silhouettes_match_the_folds_scores(tmp_path):
    csv = tmp_path / "iris.csv"
    shutil.copy(EXAMPLES / "iris.csv", csv)
    setup = SearchSetup.from_json({
        "format": "hpgui-setup/1", "data": {"path": str(csv), "target": None, "task": "clustering",
                                            "features": ["sepal_length_cm", "sepal_width_cm", "petal_length_cm",
                                                         "petal_width_cm"]},
        "model": "kmeans", "space": {"n_clusters": {"type": "int", "low": 2, "high": 4}},
        "strategy": {"name": "random", "seed": 1}, "evaluation": {"folds": 3}, "metric": "silhouette",
        "budget": {"trials": 3}})
    search = Search(setup, storage=str(tmp_path / "c.journal"), study_name="c")
    best = search.run().best
    diag = diagnose(search, best.params, repeats=2)
    result = diag.part("cv").clustering
    assert result.sizes.sum() == len(search.X) and len(result.sizes) == best.params["n_clusters"]
    # Within each fold the silhouettes average to the fold's own score in the study.
    means = [result.silhouette[result.silhouette_groups == k].mean() for k in range(3)]
    np.testing.assert_allclose(means, best.folds)
    assert diag.part("cv").importance.columns == list(setup.data.features)


def test_a_stop_request_interrupts_between_fits(binary):
    search, best = binary
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Interrupted):
        diagnose(search, best.params, should_stop=stop)


def test_nested_cv_runs_the_same_search_inside_outer_folds(multiclass, tmp_path):
    search, best = multiclass
    steps = []
    result = nested_cv(search, outer_folds=3, trials=3, optimistic=best.value,
                       progress=lambda fraction, text: steps.append(fraction))
    assert len(result.folds) == 3 and all(f.trials == 3 for f in result.folds)
    assert sum(f.rows for f in result.folds) == len(search.X)
    # Each outer score is the chosen configuration, refitted on the other outer folds, on its outer rows.
    from sklearn.model_selection import StratifiedKFold

    outer = list(StratifiedKFold(3, shuffle=True, random_state=search.seed).split(search.X, search.y))
    train, test = outer[0]
    model = search.build_estimator(result.folds[0].params).fit(search.X.iloc[train], search.y.iloc[train])
    assert result.folds[0].outer_score == pytest.approx(search.scorer(model, search.X.iloc[test],
                                                                      search.y.iloc[test]))
    assert result.mean == pytest.approx(np.mean([f.outer_score for f in result.folds]))
    assert steps[-1] == 1.0 and steps == sorted(steps)
    # The inner studies were scratch: the user's storage holds only the study itself.
    from hpgui.core.library import list_studies

    assert [s.name for s in list_studies(None)] == []


def test_nested_cv_says_what_is_wrong(multiclass):
    search, _ = multiclass
    with pytest.raises(NestedError, match="at least 2 outer folds"):
        nested_cv(search, outer_folds=1, trials=2)
    with pytest.raises(NestedError, match="rarest class"):
        nested_cv(search, outer_folds=100, trials=2)
