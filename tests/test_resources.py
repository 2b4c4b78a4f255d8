"""The resource layer: a model trained step by step is the model a plain fit trains at the full resource."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (ExtraTreesClassifier, GradientBoostingClassifier, GradientBoostingRegressor,
                              HistGradientBoostingClassifier, RandomForestClassifier)
from sklearn.linear_model import LogisticRegression, SGDClassifier, SGDRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.tree import DecisionTreeClassifier

from hpgui.core.catalog import get_model
from hpgui.core.resources import ResourceSpec, Trainer, rows_spec, schedule, stratified_order


@pytest.fixture(autouse=True)
def _one_thread():
    # Histogram boosting's OpenMP threads spin-wait for each other; on a loaded machine that turns a
    # second's fit into minutes. One thread gives the same trees (the test is about equality, not speed).
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=900, n_features=12, n_informative=6, n_classes=3, random_state=0)
    return X[:600], y[:600], X[600:], y[600:]


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=700, n_features=8, noise=5.0, random_state=0)
    return X[:500], y[:500], X[500:], y[500:]


def _spec(model: str) -> ResourceSpec:
    return get_model(model).resource


CLASSIFIERS = [
    ("mlp", MLPClassifier, {"hidden_layer_sizes": (16,), "early_stopping": False, "random_state": 3}),
    # sgd with an adaptive schedule: stalled epochs divide the step, and a plain fit stops when it is tiny.
    ("mlp", MLPClassifier, {"hidden_layer_sizes": (8,), "solver": "sgd", "learning_rate": "adaptive",
                            "early_stopping": False, "random_state": 1, "n_iter_no_change": 2, "tol": 1e-2}),
    ("mlp", MLPClassifier, {"hidden_layer_sizes": (8,), "solver": "lbfgs", "early_stopping": False,
                            "random_state": 1}),
    ("sgd", SGDClassifier, {"loss": "log_loss", "tol": None, "random_state": 4}),
    ("random_forest", RandomForestClassifier, {"max_depth": 6, "random_state": 5}),
    ("extra_trees", ExtraTreesClassifier, {"max_features": 0.5, "random_state": 5}),
    ("gradient_boosting", GradientBoostingClassifier, {"subsample": 0.7, "max_depth": 2, "random_state": 6}),
    ("hist_gradient_boosting", HistGradientBoostingClassifier,
     {"early_stopping": False, "max_features": 0.5, "random_state": 7}),
]


def _grown(spec: ResourceSpec, cls, kwargs, X, y, steps):
    trainer = Trainer(spec, lambda units: cls(**{**kwargs, spec.param: units}), X, y)
    for step in steps:
        trainer.advance(step - trainer.reached)
    assert trainer.reached == steps[-1]
    return trainer.model


@pytest.mark.parametrize("model,cls,kwargs", CLASSIFIERS, ids=lambda v: getattr(v, "__name__", None))
def test_each_resource_trains_the_plain_fit_at_the_full_resource(data, model, cls, kwargs):
    X, y, X_val, y_val = data
    spec = _spec(model)
    maximum = min(spec.maximum, 60)  # fewer units keep the test quick; the steps are the real schedule's
    steps = schedule(spec.minimum, maximum, dense=spec.method != "refit")
    assert len(steps) >= 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grown = _grown(spec, cls, kwargs, X, y, steps)
        plain = cls(**{**kwargs, spec.param: maximum}).fit(X, y)
    assert np.abs(grown.predict_proba(X_val) - plain.predict_proba(X_val)).max() < 1e-9
    assert grown.score(X_val, y_val) == pytest.approx(plain.score(X_val, y_val), abs=1e-9)


def test_a_stalled_mlp_stops_where_the_plain_fit_stops(data):
    X, y, X_val, _ = data
    kwargs = {"hidden_layer_sizes": (4,), "early_stopping": False, "random_state": 0, "n_iter_no_change": 2,
              "tol": 0.5}  # a tolerance no epoch can meet: the plain fit stops after three epochs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = MLPClassifier(**kwargs, max_iter=50).fit(X, y)
        grown = _grown(_spec("mlp"), MLPClassifier, kwargs, X, y, [5, 15, 50])
    assert plain.n_iter_ < 50
    assert len(grown.loss_curve_) == len(plain.loss_curve_)
    assert np.abs(grown.predict_proba(X_val) - plain.predict_proba(X_val)).max() < 1e-9


@pytest.mark.parametrize("cls,kwargs,model", [
    (MLPRegressor, {"hidden_layer_sizes": (8,), "early_stopping": False, "random_state": 2}, "mlp"),
    (SGDRegressor, {"tol": None, "random_state": 2}, "sgd"),
    (GradientBoostingRegressor, {"random_state": 2}, "gradient_boosting"),
])
def test_regressors_grow_to_the_plain_fit(regression, cls, kwargs, model):
    X, y, X_val, _ = regression
    spec = _spec(model)
    steps = schedule(spec.minimum, min(spec.maximum, 40), dense=spec.method != "refit")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grown = _grown(spec, cls, kwargs, X, y, steps)
        plain = cls(**{**kwargs, spec.param: steps[-1]}).fit(X, y)
    assert np.abs(grown.predict(X_val) - plain.predict(X_val)).max() < 1e-9


@pytest.mark.parametrize("cls,kwargs", [(LogisticRegression, {"max_iter": 500}),
                                        (DecisionTreeClassifier, {"random_state": 0}),
                                        (SGDClassifier, {"random_state": 0})])
def test_rows_at_the_full_resource_are_the_plain_fit_and_before_it_a_stratified_prefix(data, cls, kwargs):
    X, y, X_val, _ = data
    spec = rows_spec(len(X), 3)
    order = stratified_order(y, seed=0, classification=True)
    fitted_on: list[int] = []
    trainer = Trainer(spec, lambda units: cls(**kwargs), X, y, order=order)
    original = trainer._fit

    def spy(model, Xs, ys, ws):
        fitted_on.append(len(Xs))
        # Each class keeps its share of the fold (within one row), however small the prefix.
        shares = np.bincount(ys, minlength=3) / len(ys)
        assert np.abs(shares - np.bincount(y, minlength=3) / len(y)).max() <= 1.5 / len(ys) + 1e-12
        original(model, Xs, ys, ws)

    trainer._fit = spy
    for step in schedule(spec.minimum, spec.maximum):
        trainer.advance(step - trainer.reached)
    assert fitted_on[0] == spec.minimum < fitted_on[-1] == len(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = cls(**kwargs).fit(X, y)
    assert np.array_equal(trainer.model.predict(X_val), plain.predict(X_val))
    scores = (lambda m: m.decision_function(X_val)) if hasattr(plain, "decision_function") \
        else (lambda m: m.predict_proba(X_val))
    assert np.abs(scores(trainer.model) - scores(plain)).max() < 1e-9


def test_stratified_order_grows_by_adding_rows_only():
    y = np.array([0] * 90 + [1] * 10)
    order = stratified_order(y, seed=3, classification=True)
    assert sorted(order) == list(range(100))
    first = set(order[:20])
    assert first <= set(order[:50])
    assert sum(y[i] for i in order[:20]) == 2  # a tenth of the prefix is the rare class, as in the fold


def test_schedule_holds_the_rungs_and_ends_at_the_maximum():
    assert schedule(5, 200) == [5, 15, 45, 135, 200]
    dense = schedule(5, 200, dense=True)
    assert set(schedule(5, 200)) <= set(dense) and dense == sorted(set(dense))
    assert schedule(10, 10) == [10]


def test_the_catalog_names_a_resource_for_the_models_that_have_one():
    kinds = {name: get_model(name).resource for name in
             ("mlp", "sgd", "random_forest", "extra_trees", "gradient_boosting", "hist_gradient_boosting", "svm")}
    assert kinds["mlp"].kind == kinds["sgd"].kind == "epochs"
    assert kinds["random_forest"].kind == kinds["extra_trees"].kind == "trees"
    assert kinds["gradient_boosting"].kind == kinds["hist_gradient_boosting"].kind == "stages"
    assert kinds["svm"] is None
    for spec in filter(None, kinds.values()):
        assert 1 <= spec.minimum < spec.maximum
