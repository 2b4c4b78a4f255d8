"""The model catalog: its metadata, its ranges against scikit-learn, and real fits."""

from __future__ import annotations

import math
import warnings
from dataclasses import replace

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from threadpoolctl import threadpool_limits

from hpgui.core.catalog import (
    KMEANS,
    MODELS,
    TASKS,
    H,
    get_model,
    layers_from_text,
    models_for,
)
from hpgui.core.catalog_boost import LIBRARIES
from hpgui.core.space import is_active, iter_grid, ordered_names

EXPECTED_ORDER = [
    "logistic_regression", "ridge", "kernel_ridge", "lasso", "elastic_net", "svm", "knn", "decision_tree",
    "random_forest", "extra_trees", "gradient_boosting", "hist_gradient_boosting", "mlp", "sgd",
    "adaboost", "kmeans",
]

# scikit-learn's own models; LightGBM, XGBoost and CatBoost (where installed) are checked against their
# libraries in tests/test_boosting.py, since only scikit-learn validates parameters this way.
SKLEARN_MODELS = [m for m in MODELS.values() if m.name not in LIBRARIES]
MODEL_TASKS = [(m.name, t) for m in SKLEARN_MODELS for t in m.tasks]
PARAMS = [(m.name, t, p.name) for m in SKLEARN_MODELS for t in m.tasks for p in m.params_for(t)]

# SVC takes random_state, but it only drives probability=True, which 1.9 deprecates (and SVR has none).
SEED_NOT_NEEDED = {"svm"}

# Sampled configurations take the low end of these ranges so the whole file runs in seconds.
FAST_LOW = {"n_estimators", "max_iter"}


def _id(case) -> str:
    return "-".join(map(str, case))


# -- helpers ------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Fits on tiny data: OpenMP threads only add overhead (and stall badly on a busy machine)."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def data():
    iris_X, iris_y = load_iris(return_X_y=True)
    dia_X, dia_y = load_diabetes(return_X_y=True)
    return {
        "classification": (iris_X, iris_y),
        "regression": (dia_X[:200], dia_y[:200]),
        "clustering": (iris_X, None),
    }


def sklearn_accepts(model, task, name, value) -> bool:
    """Whether scikit-learn's own parameter validation takes ``value`` for ``name``."""
    estimator = model.estimator_class(task)(**{name: value})
    try:
        estimator._validate_params()
    except InvalidParameterError:
        return False
    return True


def decoded(spec, value):
    return spec.to_estimator(value) if spec.to_estimator is not None else value


def middle(name, hp):
    """A value from the middle of a numeric range (the low end for the slow knobs)."""
    if hp.values is not None:
        return hp.values[len(hp.values) // 2]
    if name in FAST_LOW:
        value = hp.low
    elif hp.log:
        value = math.sqrt(hp.low * hp.high)
    else:
        value = (hp.low + hp.high) / 2
    if hp.step is not None:
        value = hp.low + round((value - hp.low) / hp.step) * hp.step
    return int(round(value)) if hp.type == "int" else float(value)


def sampled_configs(model, task, limit=24):
    """Configurations from the middle of every default range (disabled ones switched on).

    Categorical choices rotate, least-tried first, until every choice of every categorical
    has been used at least once in a configuration where it is active. Inactive
    hyperparameters are left out, as the runner leaves them out.
    """
    space = {n: replace(hp, enabled=True) for n, hp in model.default_space(task).items()}
    conditions = model.conditions(task)
    defaults = model.estimator_defaults(task)
    names = ordered_names(space, conditions)
    tried = {(n, c): 0 for n, hp in space.items() if hp.type == "categorical" for c in hp.choices}
    configs = []
    while not configs or any(count == 0 for count in tried.values()):
        if len(configs) >= limit:
            never = [key for key, count in tried.items() if count == 0]
            raise AssertionError(f"{model.name}/{task}: choices never active: {never}")
        config = {}
        for name in names:
            if not is_active(name, config, conditions, defaults):
                continue
            hp = space[name]
            if hp.type == "categorical":
                value = min(hp.choices, key=lambda c: tried[(name, c)])
                tried[(name, value)] += 1
            else:
                value = middle(name, hp)
            config[name] = value
        configs.append(config)
    return configs


# -- the list of models ---------------------------------------------------------


def test_models_in_order():
    assert list(MODELS) == EXPECTED_ORDER + [name for name in LIBRARIES if name in MODELS]


def test_get_model_unknown_lists_known_models():
    with pytest.raises(KeyError) as info:
        get_model("random_jungle")
    message = str(info.value)
    assert "random_jungle" in message
    for name in EXPECTED_ORDER:
        assert name in message
    assert get_model("mlp") is MODELS["mlp"]


def test_models_for_each_task():
    regression = [m.name for m in models_for("regression")]
    assert "logistic_regression" not in regression and "kmeans" not in regression
    assert {"ridge", "lasso", "elastic_net", "svm", "knn", "mlp", "sgd", "adaboost"} <= set(regression)
    classification = [m.name for m in models_for("classification")]
    assert not {"ridge", "lasso", "elastic_net", "kmeans"} & set(classification)
    assert "logistic_regression" in classification
    assert models_for("clustering") == [KMEANS]


@pytest.mark.parametrize("name", EXPECTED_ORDER)
def test_model_metadata(name):
    model = MODELS[name]
    assert model.name == name
    assert model.label.strip() and model.summary.strip().endswith(".")
    assert model.tasks and set(model.tasks) <= set(TASKS)
    for task in model.tasks:
        assert model.params_for(task), f"{name} has nothing to tune for {task}"
        assert model.estimator_class(task).__module__.startswith("sklearn.")


# -- each hyperparameter ----------------------------------------------------------


@pytest.mark.parametrize("case", MODEL_TASKS, ids=_id)
def test_param_names_are_unique_and_real(case):
    model = MODELS[case[0]]
    task = case[1]
    names = [p.name for p in model.params_for(task)]
    assert len(names) == len(set(names)), f"a hyperparameter is listed twice for {task}: {names}"
    real = set(model.estimator_class(task)().get_params())
    assert set(names) <= real, set(names) - real
    fixed = set(model.fixed.get("*", {})) | set(model.fixed.get(task, {}))
    if task == "classification":
        fixed |= set(model.proba_params)
    assert fixed <= real, fixed - real
    if model.seeded:
        assert "random_state" in real
    elif model.name not in SEED_NOT_NEEDED:
        assert "random_state" not in real, "the estimator takes random_state: mark the model seeded"


@pytest.mark.parametrize("case", PARAMS, ids=_id)
def test_param_doc(case):
    spec = MODELS[case[0]].param(case[1], case[2])
    assert spec.label.strip()
    doc = spec.doc.strip()
    assert len(doc) >= 40, doc
    assert doc.endswith("."), doc
    assert doc[0].isupper(), doc


@pytest.mark.parametrize("case", MODEL_TASKS, ids=_id)
def test_default_space_is_valid(case):
    model, task = MODELS[case[0]], case[1]
    assert model.validate_space(task, model.default_space(task)) == []
    everything = {n: replace(hp, enabled=True) for n, hp in model.default_space(task).items()}
    assert model.validate_space(task, everything) == []


@pytest.mark.parametrize("case", MODEL_TASKS, ids=_id)
def test_conditions_name_real_parents(case):
    model, task = MODELS[case[0]], case[1]
    conditions = model.conditions(task)
    defaults = model.estimator_defaults(task)
    for child, cond in conditions.items():
        parent = model.param(task, cond.parent)
        assert parent is not None, f"{child} depends on unknown {cond.parent}"
        assert parent.name != child
        choices = parent.allowed if parent.allowed is not None else parent.default.choices
        assert choices is not None, f"{cond.parent} is not a set of choices"
        assert cond.values and set(cond.values) <= set(choices), (child, cond.values, choices)
        # The parent's value when it is not searched must be one the catalog knows.
        assert defaults[cond.parent] in choices, (cond.parent, defaults[cond.parent])
    # No cycles: ordering puts every parent before its children.
    order = ordered_names({n: replace(hp, enabled=True) for n, hp in model.default_space(task).items()},
                          conditions)
    for child, cond in conditions.items():
        assert order.index(cond.parent) < order.index(child)


@pytest.mark.parametrize("case", PARAMS, ids=_id)
def test_defaults_accepted_by_sklearn(case):
    model, task = MODELS[case[0]], case[1]
    spec = model.param(task, case[2])
    hp = spec.default
    if hp.type == "categorical":
        values = list(hp.choices)
    elif hp.values is not None:
        values = list(hp.values)
    else:
        values = [hp.low, hp.high]
    for value in values:
        if hp.type == "int":
            value = int(value)
        assert spec.accepts(value)
        assert sklearn_accepts(model, task, spec.name, decoded(spec, value)), (spec.name, value)


@pytest.mark.parametrize("case", PARAMS, ids=_id)
def test_accepted_values_agree_with_sklearn(case):
    """``allowed``/``minimum``/``maximum`` say what scikit-learn 1.9 itself accepts."""
    model, task = MODELS[case[0]], case[1]
    spec = model.param(task, case[2])
    if spec.allowed is not None:
        for value in spec.allowed:
            assert sklearn_accepts(model, task, spec.name, value), (spec.name, value)
        assert not spec.accepts("no-such-value")
        assert not sklearn_accepts(model, task, spec.name, "no-such-value")
    is_int = spec.default.type == "int"
    tiny = 1 if is_int else 1e-6

    def both(value):
        value = int(value) if is_int else float(value)
        return spec.accepts(value), sklearn_accepts(model, task, spec.name, decoded(spec, value))

    if spec.minimum is not None:
        assert both(spec.minimum) == (not spec.minimum_open,) * 2, f"{spec.name} at its minimum"
        assert both(spec.minimum + tiny) == (True, True), f"{spec.name} just above its minimum"
        assert both(spec.minimum - tiny) == (False, False), f"{spec.name} below its minimum"
    if spec.maximum is not None:
        assert both(spec.maximum) == (not spec.maximum_open,) * 2, f"{spec.name} at its maximum"
        assert both(spec.maximum - tiny) == (True, True), f"{spec.name} just below its maximum"
        assert both(spec.maximum + tiny) == (False, False), f"{spec.name} above its maximum"


# -- building and fitting -------------------------------------------------------------


def strict_fit(estimator, X, y=None):
    """Fit with deprecated or misused parameters failing (not in a user's search later)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X) if y is None else estimator.fit(X, y)


def test_strict_fit_catches_deprecations(data):
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.svm import SVC

    X, y = data["regression"]
    with pytest.raises(FutureWarning):
        strict_fit(GradientBoostingRegressor(n_estimators=5, criterion="friedman_mse"), X, y)
    X, y = data["classification"]
    with pytest.raises(FutureWarning):
        strict_fit(SVC(probability=True), X, y)


@pytest.mark.parametrize("case", MODEL_TASKS, ids=_id)
def test_sampled_configurations_fit(case, data):
    model, task = MODELS[case[0]], case[1]
    X, y = data[task]
    if model.scale_sensitive:
        X = StandardScaler().fit_transform(X)
    for config in sampled_configs(model, task):
        estimator = strict_fit(model.build(task, config, seed=0), X, y)
        if y is None:
            assert len(np.unique(estimator.labels_)) == config.get("n_clusters", 8)
        else:
            assert estimator.predict(X).shape == y.shape
        for name, value in config.items():
            assert estimator.get_params()[name] == decoded(model.param(task, name), value)


@pytest.mark.parametrize("case", MODEL_TASKS, ids=_id)
def test_build_applies_seed_and_fixed_values(case):
    model, task = MODELS[case[0]], case[1]
    params = model.build(task, {}, seed=123).get_params()
    if "random_state" in params:
        assert params["random_state"] == (123 if model.seeded else None)
        assert model.build(task, {}).get_params()["random_state"] is None
    for name, value in {**model.fixed.get("*", {}), **model.fixed.get(task, {})}.items():
        assert params[name] == value


def test_searched_value_overrides_fixed_value():
    mlp = MODELS["mlp"]
    assert mlp.build("classification", {}).early_stopping is True
    assert mlp.build("classification", {"early_stopping": False}).early_stopping is False
    assert mlp.estimator_defaults("classification")["early_stopping"] is True


# SGD's loss is searched (hinge by default), so it has no predict_proba unless the search picks
# log_loss or modified_huber; a probability metric then fails that trial with a clear message.
NO_PROBA = {"sgd"}


@pytest.mark.parametrize("model", [m for m in models_for("classification") if m.name not in LIBRARIES],
                         ids=lambda m: m.name)
def test_probabilities_when_a_metric_needs_them(model, data):
    X, y = data["classification"]
    X = StandardScaler().fit_transform(X)
    config = {"n_estimators": 10} if model.param("classification", "n_estimators") else {}
    estimator = model.build("classification", config, seed=0, needs_proba=True)
    strict_fit(estimator, X, y)
    if model.name in NO_PROBA:
        assert not hasattr(estimator, "predict_proba")
        return
    proba = estimator.predict_proba(X)
    assert proba.shape == (len(y), 3)
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_sgd_gives_probabilities_with_a_probabilistic_loss(data):
    X, y = data["classification"]
    X = StandardScaler().fit_transform(X)
    for loss in ("log_loss", "modified_huber"):
        estimator = strict_fit(MODELS["sgd"].build("classification", {"loss": loss}, seed=0), X, y)
        assert estimator.predict_proba(X).shape == (len(y), 3)


def test_hidden_layers_decode():
    mlp = MODELS["mlp"]
    assert mlp.build("regression", {"hidden_layer_sizes": "128,64"}).hidden_layer_sizes == (128, 64)
    assert mlp.build("regression", {"hidden_layer_sizes": "64"}).hidden_layer_sizes == (64,)
    assert layers_from_text(32) == (32,)
    assert layers_from_text("100x50") == (100, 50)
    for bad in ("0", "", "64,0", "abc", 0, -3, True):
        with pytest.raises(ValueError):
            layers_from_text(bad)


def test_max_features_stays_a_fraction():
    """1 from a JSON file must mean all features (1.0), not one feature."""
    forest = MODELS["random_forest"]
    value = forest.build("regression", {"max_features": 1}).max_features
    assert isinstance(value, float) and value == 1.0


# -- conditional hyperparameters -----------------------------------------------------------


def only(model, task, **ranges):
    """The default space with every hyperparameter off except the given ones."""
    space = {n: replace(hp, enabled=False) for n, hp in model.default_space(task).items()}
    space.update(ranges)
    return space


def test_mlp_grid_counts_sgd_only_values_only_for_sgd():
    mlp = MODELS["mlp"]
    space = only(
        mlp, "classification",
        solver=H("categorical", choices=("adam", "sgd", "lbfgs")),
        learning_rate_init=H("float", values=(1e-3, 1e-2)),
        momentum=H("float", values=(0.8, 0.9, 0.95)),
        learning_rate=H("categorical", choices=("constant", "adaptive")),
        alpha=H("float", values=(1e-4, 1e-3)),
    )
    assert mlp.validate_space("classification", space) == []
    # adam: 2 rates; sgd: 2 rates x 3 momenta x 2 schedules; lbfgs: none of those. Times 2 alphas.
    expected = (2 + 2 * 3 * 2 + 1) * 2
    assert mlp.grid_size("classification", space) == expected
    grid = list(iter_grid(space, mlp.conditions("classification"), mlp.estimator_defaults("classification")))
    assert len(grid) == expected
    assert len({tuple(sorted(c.items())) for c in grid}) == expected
    for config in grid:
        if config["solver"] != "sgd":
            assert "momentum" not in config and "learning_rate" not in config
        if config["solver"] == "lbfgs":
            assert "learning_rate_init" not in config
    # A solver that is not searched keeps the default (adam): momentum counts for nothing.
    space["solver"] = replace(space["solver"], enabled=False)
    assert mlp.grid_size("classification", space) == 2 * 2


def test_svm_grid_never_pairs_gamma_with_linear_kernel():
    svm = MODELS["svm"]
    space = only(
        svm, "classification",
        kernel=H("categorical", choices=("linear", "rbf")),
        C=H("float", values=(1.0, 10.0)),
        gamma=H("float", values=(0.1, 1.0)),
    )
    grid = list(iter_grid(space, svm.conditions("classification"), svm.estimator_defaults("classification")))
    assert len(grid) == 2 + 2 * 2 == svm.grid_size("classification", space)
    assert not [c for c in grid if c["kernel"] == "linear" and "gamma" in c]
    assert sum(1 for c in grid if "gamma" in c) == 4


def test_sgd_conditions():
    sgd = MODELS["sgd"]
    space = only(
        sgd, "classification",
        penalty=H("categorical", choices=("l2", "elasticnet")),
        l1_ratio=H("float", values=(0.2, 0.8)),
        learning_rate=H("categorical", choices=("optimal", "adaptive", "constant")),
        eta0=H("float", values=(0.001, 0.01)),
    )
    assert sgd.grid_size("classification", space) == (1 + 2) * (1 + 2 + 2)
    # With the schedule not searched, the classifier's default "optimal" makes eta0 moot.
    space["learning_rate"] = replace(space["learning_rate"], enabled=False)
    assert sgd.grid_size("classification", space) == 1 + 2
    # The regressor's default schedule is "invscaling", which does use eta0.
    reg_space = only(sgd, "regression", eta0=H("float", values=(0.001, 0.01)))
    assert sgd.grid_size("regression", reg_space) == 2


def test_logistic_l1_ratio_only_with_saga():
    lr = MODELS["logistic_regression"]
    space = only(
        lr, "classification",
        solver=H("categorical", choices=("lbfgs", "saga")),
        l1_ratio=H("float", values=(0.0, 0.5, 1.0)),
        C=H("float", values=(0.1, 1.0)),
    )
    grid = list(iter_grid(space, lr.conditions("classification"), lr.estimator_defaults("classification")))
    assert len(grid) == (1 + 3) * 2 == lr.grid_size("classification", space)
    assert all("l1_ratio" not in c for c in grid if c["solver"] == "lbfgs")


# -- validation against what the estimator accepts --------------------------------------------


@pytest.mark.parametrize(
    "model, task, name, hp, field",
    [
        ("svm", "classification", "C", H("float", -1.0, 10.0), "space.C.low"),
        ("logistic_regression", "classification", "C", H("float", values=(0.0, 1.0)), "space.C.values"),
        ("lasso", "regression", "alpha", H("float", -0.5, 1.0), "space.alpha.low"),
        ("ridge", "regression", "alpha", H("float", values=(-1.0, 1.0)), "space.alpha.values"),
        ("knn", "classification", "n_neighbors", H("int", 0, 10), "space.n_neighbors.low"),
        ("svm", "regression", "kernel", H("categorical", choices=("rbf", "cubic")), "space.kernel.choices"),
        ("mlp", "classification", "hidden_layer_sizes", H("categorical", choices=("64", "0,8")),
         "space.hidden_layer_sizes.choices"),
        ("mlp", "regression", "momentum", H("float", 0.5, 1.5), "space.momentum.high"),
        ("random_forest", "classification", "max_features", H("float", 0.5, 2.0), "space.max_features.high"),
        ("hist_gradient_boosting", "regression", "learning_rate", H("float", 0.0, 0.1),
         "space.learning_rate.low"),
        ("decision_tree", "regression", "criterion", H("categorical", choices=("gini",)),
         "space.criterion.choices"),
        ("sgd", "classification", "loss", H("categorical", choices=("hinge", "quantile")), "space.loss.choices"),
        ("kmeans", "clustering", "n_clusters", H("int", 0, 5), "space.n_clusters.low"),
    ],
)
def test_validate_space_rejects_values_the_estimator_refuses(model, task, name, hp, field):
    spec = MODELS[model]
    space = dict(spec.default_space(task))
    space[name] = hp
    problems = spec.validate_space(task, space)
    assert [p.field for p in problems] == [field], problems
    assert name in problems[0].message


def test_validate_space_names_unknown_and_wrong_type():
    ridge = MODELS["ridge"]
    problems = ridge.validate_space("regression", {"gamma": H("float", 0.1, 1.0)})
    assert [p.field for p in problems] == ["space.gamma"]
    assert "alpha" in problems[0].message  # lists what is known
    problems = ridge.validate_space("regression", {"alpha": H("int", 1, 10)})
    assert [p.field for p in problems] == ["space.alpha.type"]
    # A task-specific hyperparameter is unknown for the other task.
    svm = MODELS["svm"]
    assert [p.field for p in svm.validate_space("classification", {"epsilon": H("float", 0.1, 1.0)})] == [
        "space.epsilon"]
