"""The models hpgui can tune.

Each :class:`ModelSpec` names the scikit-learn estimator per task, the
hyperparameters worth searching with a sensible default range, what values the
estimator accepts, which hyperparameters only apply under another's value, and
one or two plain sentences per hyperparameter for tooltips.

Estimators are named by import path and imported on first use, so importing the
catalog (for example to fill the model picker) stays cheap.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Mapping

from .recipe import Call
from .space import Condition, Hyperparameter, Problem, grid_size, validate_range

TASKS = ("classification", "regression", "clustering")


def H(type: str, low=None, high=None, *, log=False, step=None, values=None, choices=None,
      enabled=True) -> Hyperparameter:
    """Shorthand for the catalog's default ranges."""
    return Hyperparameter(
        type=type, low=low, high=high, log=log, step=step,
        values=tuple(values) if values is not None else None,
        choices=tuple(choices) if choices is not None else None,
        enabled=enabled,
    )


def layers_from_text(text: Any) -> tuple[int, ...]:
    """``"64,32"`` -> ``(64, 32)``: hidden layer sizes are offered as short strings."""
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a list of layer sizes")
    if isinstance(text, (int, float)):
        if float(text) != int(text) or int(text) < 1:
            raise ValueError(f"a layer needs at least one neuron, not {text!r}")
        return (int(text),)
    parts = [p for p in str(text).replace("-", ",").replace("x", ",").split(",") if p.strip()]
    sizes = tuple(int(p) for p in parts)
    if not sizes or min(sizes) < 1:
        raise ValueError(f"{text!r} is not a list of layer sizes like \"64\" or \"128,64\"")
    return sizes


@dataclass(frozen=True)
class ParamSpec:
    """One hyperparameter of one model."""

    name: str
    label: str
    doc: str
    default: Hyperparameter
    when: Condition | None = None
    minimum: float | None = None
    minimum_open: bool = False
    maximum: float | None = None
    maximum_open: bool = False
    allowed: tuple | None = None
    to_estimator: Callable[[Any], Any] | None = None
    tasks: tuple[str, ...] | None = None
    #: How to describe the accepted values when min/max/allowed cannot.
    hint: str | None = None
    #: Which way the model gets simpler ("lower" or "higher"; None where it is not clear): less flexible or
    #: cheaper, as in smaller max_depth, fewer trees, smaller C, larger alpha. Used by "simplest within one
    #: standard error" (hpgui.core.analysis).
    simpler: str | None = None

    def accepts(self, value: Any) -> bool:
        if self.allowed is not None:
            return value in self.allowed
        if self.to_estimator is not None:
            # A value the decoder cannot turn into an estimator argument is not accepted.
            try:
                self.to_estimator(value)
            except (TypeError, ValueError):
                return False
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return True
        if self.minimum is not None and (value < self.minimum or (self.minimum_open and value == self.minimum)):
            return False
        if self.maximum is not None and (value > self.maximum or (self.maximum_open and value == self.maximum)):
            return False
        return True

    def accepted_text(self) -> str:
        if self.hint is not None:
            return self.hint
        if self.allowed is not None:
            return "one of " + ", ".join(repr(a) for a in self.allowed)
        parts = []
        if self.minimum is not None:
            parts.append(f"{'>' if self.minimum_open else '>='} {self.minimum:g}")
        if self.maximum is not None:
            parts.append(f"{'<' if self.maximum_open else '<='} {self.maximum:g}")
        return " and ".join(parts) or "any number"


@dataclass(frozen=True)
class ModelSpec:
    """One model: its estimator per task and its hyperparameters."""

    name: str
    label: str
    summary: str
    estimators: Mapping[str, str]
    params: tuple[ParamSpec, ...]
    fixed: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    scale_sensitive: bool = False
    seeded: bool = False
    proba_params: Mapping[str, Any] = field(default_factory=dict)
    # An estimator with no probabilities of its own gets them from this wrapper when a metric needs them.
    proba_wrapper: tuple[str, Mapping[str, Any]] | None = None

    @property
    def tasks(self) -> tuple[str, ...]:
        return tuple(self.estimators)

    def supports(self, task: str) -> bool:
        return task in self.estimators

    def estimator_path(self, task: str) -> str:
        try:
            return self.estimators[task]
        except KeyError:
            raise ValueError(f"{self.label} does not do {task}") from None

    def estimator_class(self, task: str) -> type:
        return _import(self.estimator_path(task))

    def params_for(self, task: str) -> list[ParamSpec]:
        return [p for p in self.params if p.tasks is None or task in p.tasks]

    def param(self, task: str, name: str) -> ParamSpec | None:
        for p in self.params_for(task):
            if p.name == name:
                return p
        return None

    def default_space(self, task: str) -> dict[str, Hyperparameter]:
        return {p.name: p.default for p in self.params_for(task)}

    def conditions(self, task: str) -> dict[str, Condition]:
        return {p.name: p.when for p in self.params_for(task) if p.when is not None}

    def estimator_defaults(self, task: str) -> dict[str, Any]:
        """The values an unsearched hyperparameter keeps: the estimator's own, then ours."""
        defaults = dict(_default_params(self.estimator_path(task)))
        defaults.update(self.fixed_params(task, seed=None, needs_proba=False))
        return defaults

    def fixed_params(self, task: str, seed: int | None, needs_proba: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {}
        out.update(self.fixed.get("*", {}))
        out.update(self.fixed.get(task, {}))
        if self.seeded and seed is not None:
            out["random_state"] = seed
        if needs_proba:
            out.update(self.proba_params)
        return out

    def decode(self, task: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Sampled values -> estimator keyword arguments."""
        out = {}
        for name, value in params.items():
            spec = self.param(task, name)
            if spec is not None and spec.to_estimator is not None:
                value = spec.to_estimator(value)
            out[name] = value
        return out

    def recipe(self, task: str, params: Mapping[str, Any], seed: int | None = None,
               needs_proba: bool = False) -> Call:
        """The estimator with ``params`` set, as a buildable (and printable) description."""
        kwargs = self.fixed_params(task, seed, needs_proba)
        kwargs.update(self.decode(task, params))
        estimator = Call(self.estimator_path(task), kwargs=kwargs)
        if needs_proba and self.proba_wrapper is not None and task == "classification":
            path, wrapper_kwargs = self.proba_wrapper
            return Call(path, kwargs={"estimator": estimator, **wrapper_kwargs})
        return estimator

    def build(self, task: str, params: Mapping[str, Any], seed: int | None = None,
              needs_proba: bool = False) -> Any:
        """A fresh, unfitted estimator with ``params`` set."""
        return self.recipe(task, params, seed, needs_proba).build()

    def validate_space(self, task: str, space: Mapping[str, Hyperparameter],
                       strategy: str | None = None) -> list[Problem]:
        """Every problem with ``space`` for this model, each tied to its field."""
        problems: list[Problem] = []
        known = {p.name: p for p in self.params_for(task)}
        for name, hp in space.items():
            spec = known.get(name)
            if spec is None:
                problems.append(Problem(
                    f"space.{name}",
                    f"{self.label} has no hyperparameter {name!r} here; known: {', '.join(known)}",
                ))
                continue
            if not hp.enabled:
                continue
            # A range that can never apply (degree without a poly kernel) has nothing for a grid to enumerate.
            grid = strategy if self._can_apply(task, name, space) else None
            shape = validate_range(name, hp, strategy=grid)
            problems.extend(shape)
            if shape:
                continue
            if hp.type != spec.default.type:
                problems.append(Problem(
                    f"space.{name}.type", f"{name} is {spec.default.type}, not {hp.type}"))
                continue
            problems.extend(_check_accepted(name, hp, spec))
        return problems

    def _can_apply(self, task: str, name: str, space: Mapping[str, Hyperparameter]) -> bool:
        """Whether some value of its parent (searched or default) switches ``name`` on."""
        cond = self.conditions(task).get(name)
        if cond is None:
            return True
        parent = space.get(cond.parent)
        if parent is None or not parent.enabled:
            options = [self.estimator_defaults(task).get(cond.parent)]
        elif parent.type == "categorical":
            options = list(parent.choices or ())
        else:
            return True
        return any(o in cond.values for o in options) and self._can_apply(task, cond.parent, space)

    def grid_size(self, task: str, space: Mapping[str, Hyperparameter]) -> int:
        return grid_size(space, self.conditions(task), self.estimator_defaults(task))


def _check_accepted(name: str, hp: Hyperparameter, spec: ParamSpec) -> list[Problem]:
    if hp.type == "categorical":
        bad = [c for c in hp.choices or () if not spec.accepts(c)]
        if bad:
            return [Problem(f"space.{name}.choices",
                            f"{', '.join(map(repr, bad))} not accepted; {name} must be {spec.accepted_text()}")]
        return []
    if hp.values is not None:
        bad = [v for v in hp.values if not spec.accepts(v)]
        if bad:
            return [Problem(f"space.{name}.values",
                            f"{', '.join(f'{v:g}' for v in bad)} not accepted; {name} must be {spec.accepted_text()}")]
        return []
    problems = []
    for bound in ("low", "high"):
        value = getattr(hp, bound)
        if not spec.accepts(value):
            problems.append(Problem(f"space.{name}.{bound}",
                                    f"{bound} {value:g} is not accepted; {name} must be {spec.accepted_text()}"))
    return problems


@lru_cache(maxsize=None)
def _import(path: str) -> type:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


@lru_cache(maxsize=None)
def _default_params(path: str) -> Mapping[str, Any]:
    return dict(_import(path)().get_params(deep=False))


# -- the models ---------------------------------------------------------------

# Shared pieces. Each model still gets its own ParamSpec objects where the advice differs.

_CLASSES_ONLY = ("classification",)
_REGRESSION_ONLY = ("regression",)
_BOOL = (True, False)


def _class_weight(*extra: str) -> ParamSpec:
    return ParamSpec(
        "class_weight", "Class weights",
        "Whether every row counts the same (None) or rare classes count more (balanced). "
        "Balanced helps when one class is much rarer and you care about it; it can lower plain accuracy.",
        H("categorical", choices=(None, "balanced"), enabled=False),
        allowed=(None, "balanced") + extra,
        tasks=_CLASSES_ONLY,
    )


_SVM_KERNELS = ("linear", "poly", "rbf", "sigmoid")

SVM = ModelSpec(
    name="svm",
    label="Support vector machine",
    summary="Finds the widest margin between classes (or around a regression line); "
            "kernels let it bend the boundary.",
    estimators={"classification": "sklearn.svm.SVC", "regression": "sklearn.svm.SVR"},
    scale_sensitive=True,
    seeded=False,
    # SVC(probability=True) is deprecated since scikit-learn 1.9; calibration on top of the
    # decision function is its replacement, used only when the metric needs probabilities.
    proba_wrapper=("sklearn.calibration.CalibratedClassifierCV", {"ensemble": False}),
    params=(
        ParamSpec(
            "kernel", "Kernel",
            "The shape of the decision boundary: linear is a flat plane, rbf and poly bend it. "
            "Try linear first on wide data; rbf is the usual default otherwise.",
            H("categorical", choices=("linear", "rbf")),
            allowed=_SVM_KERNELS,
        ),
        ParamSpec(
            "C", "Regularisation C",
            "How hard the model tries to get every training point right. Too high overfits "
            "noisy data; too low underfits and ignores real structure.",
            H("float", 1e-2, 1e2, log=True),
            minimum=0.0, minimum_open=True,
            simpler="lower",
        ),
        ParamSpec(
            "gamma", "Kernel width gamma",
            "How far one training point's influence reaches for the rbf, poly and sigmoid kernels. "
            "High gamma makes a wiggly boundary that overfits; low gamma makes it almost linear.",
            H("float", 1e-4, 10.0, log=True),
            when=Condition("kernel", ("rbf", "poly", "sigmoid")),
            minimum=0.0,
            simpler="lower",
        ),
        ParamSpec(
            "degree", "Polynomial degree",
            "The degree of the poly kernel. Higher degrees fit more complex boundaries but are "
            "slow and overfit quickly; 2 or 3 is usually enough.",
            H("int", 2, 5, enabled=False),
            when=Condition("kernel", ("poly",)),
            minimum=0,
            simpler="lower",
        ),
        ParamSpec(
            "coef0", "Kernel offset coef0",
            "The constant term of the poly and sigmoid kernels; it shifts how much low-degree "
            "terms count against high-degree ones.",
            H("float", 0.0, 1.0, enabled=False),
            when=Condition("kernel", ("poly", "sigmoid")),
        ),
        ParamSpec(
            "epsilon", "Tube width epsilon",
            "Errors smaller than epsilon cost nothing in regression. Larger values give a "
            "simpler, flatter model; too large ignores real variation.",
            H("float", 1e-3, 1.0, log=True),
            minimum=0.0,
            tasks=("regression",),
            simpler="higher",
        ),
        _class_weight(),
    ),
)

def _max_features(default: Hyperparameter, what: str) -> ParamSpec:
    return ParamSpec(
        "max_features", "Features per split",
        f"The fraction of features {what} considers at each split. Lower values make the trees "
        "more random and less alike, which can curb overfitting; too low misses the useful features.",
        default,
        minimum=0.0, minimum_open=True, maximum=1.0,
        # An integer here would mean a count of features, so 1 must stay the fraction 1.0.
        to_estimator=float,
    )


_TREE_CRITERIA_CLF = ("gini", "entropy", "log_loss")
# "friedman_mse" is deprecated for trees and forests since scikit-learn 1.9 (it equals squared_error).
_TREE_CRITERIA_REG = ("squared_error", "absolute_error", "poisson")

_LOGISTIC_SOLVERS = ("lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga")

LOGISTIC_REGRESSION = ModelSpec(
    name="logistic_regression",
    label="Logistic regression",
    summary="A linear model that turns a weighted sum of the features into class probabilities; "
            "fast, well calibrated and easy to explain.",
    estimators={"classification": "sklearn.linear_model.LogisticRegression"},
    scale_sensitive=True,
    seeded=True,
    # lbfgs stops at 100 iterations by default, which scaled but hard problems often need more than.
    # `penalty` is deprecated since scikit-learn 1.8: the penalty type comes from l1_ratio (and C).
    fixed={"*": {"max_iter": 1000}},
    params=(
        ParamSpec(
            "C", "Inverse regularisation C",
            "How weakly the coefficients are held back: small C keeps them small and the model simple. "
            "Too high overfits noisy data; too low underfits and pulls every prediction towards the class mix.",
            H("float", 1e-3, 1e3, log=True),
            minimum=0.0, minimum_open=True,
            simpler="lower",
        ),
        ParamSpec(
            "solver", "Solver",
            "The algorithm that fits the coefficients. lbfgs is fast for the plain L2 penalty; saga also "
            "handles L1 and elastic-net mixes (l1_ratio). liblinear only works for two classes.",
            H("categorical", choices=("lbfgs", "saga")),
            allowed=_LOGISTIC_SOLVERS,
        ),
        ParamSpec(
            "l1_ratio", "L1 share of the penalty",
            "The mix of L1 and L2 penalty (saga only): 0 is pure L2, which shrinks all coefficients; "
            "1 is pure L1, which sets some to exactly zero and so drops features.",
            H("float", 0.0, 1.0),
            when=Condition("solver", ("saga",)),
            minimum=0.0, maximum=1.0,
        ),
        _class_weight(),
    ),
)

RIDGE = ModelSpec(
    name="ridge",
    label="Ridge regression",
    summary="Least-squares linear regression with an L2 penalty that keeps coefficients small and stable.",
    estimators={"regression": "sklearn.linear_model.Ridge"},
    scale_sensitive=True,
    seeded=True,
    params=(
        ParamSpec(
            "alpha", "Regularisation alpha",
            "Strength of the L2 penalty that shrinks the coefficients towards zero. Too high flattens the "
            "model and underfits; too low lets correlated features get large, unstable weights.",
            H("float", 1e-3, 1e3, log=True),
            minimum=0.0,
            simpler="higher",
        ),
    ),
)

_CD_SELECTION = ParamSpec(
    "selection", "Coordinate order",
    "The order in which coordinate descent updates the coefficients: cyclic goes feature by feature, "
    "random picks them at random and often converges faster with many features.",
    H("categorical", choices=("cyclic", "random"), enabled=False),
    allowed=("cyclic", "random"),
)

LASSO = ModelSpec(
    name="lasso",
    label="Lasso regression",
    summary="Linear regression with an L1 penalty that sets unhelpful coefficients to exactly zero, "
            "so it also selects features.",
    estimators={"regression": "sklearn.linear_model.Lasso"},
    scale_sensitive=True,
    seeded=True,
    # Coordinate descent needs more than the default 1000 sweeps for small alpha on correlated features.
    fixed={"*": {"max_iter": 5000}},
    params=(
        ParamSpec(
            "alpha", "Regularisation alpha",
            "Strength of the L1 penalty, which pushes coefficients to exactly zero and so drops features. "
            "Too high removes useful features (even all of them); too low keeps everything and can overfit.",
            H("float", 1e-4, 10.0, log=True),
            minimum=0.0,
            simpler="higher",
        ),
        _CD_SELECTION,
    ),
)

ELASTIC_NET = ModelSpec(
    name="elastic_net",
    label="Elastic net",
    summary="Linear regression with a mix of L1 and L2 penalties: it drops features like the lasso "
            "but keeps groups of correlated features together.",
    estimators={"regression": "sklearn.linear_model.ElasticNet"},
    scale_sensitive=True,
    seeded=True,
    fixed={"*": {"max_iter": 5000}},
    params=(
        ParamSpec(
            "alpha", "Regularisation alpha",
            "Overall strength of the penalty on the coefficients. Too high shrinks the model to a constant "
            "and underfits; too low barely regularises and can overfit.",
            H("float", 1e-4, 10.0, log=True),
            minimum=0.0,
            simpler="higher",
        ),
        ParamSpec(
            "l1_ratio", "L1 share of the penalty",
            "The mix of the two penalties: 1 is the pure lasso, which drops features; values near 0 behave "
            "like ridge, which shrinks all of them. Low values keep correlated features together.",
            H("float", 0.05, 1.0),
            minimum=0.0, maximum=1.0,
        ),
        _CD_SELECTION,
    ),
)

KNN = ModelSpec(
    name="knn",
    label="k-nearest neighbours",
    summary="Predicts from the most similar training rows: a vote for classes, an average for numbers.",
    estimators={"classification": "sklearn.neighbors.KNeighborsClassifier",
                "regression": "sklearn.neighbors.KNeighborsRegressor"},
    scale_sensitive=True,
    seeded=False,
    params=(
        ParamSpec(
            "n_neighbors", "Neighbours",
            "How many nearest training rows decide each prediction. Few neighbours follow the noise and "
            "overfit; many smooth everything out and underfit.",
            H("int", 1, 50, log=True),
            minimum=1,
            simpler="higher",
        ),
        ParamSpec(
            "weights", "Neighbour weighting",
            "Whether every neighbour counts the same (uniform) or closer ones count more (distance). "
            "Distance weighting helps when neighbourhoods are uneven, but it fits the training rows perfectly.",
            H("categorical", choices=("uniform", "distance")),
            allowed=("uniform", "distance"),
        ),
        ParamSpec(
            "p", "Distance power p",
            "The distance used to find neighbours: 1 is Manhattan distance (sum of absolute differences), "
            "2 is ordinary straight-line distance. Manhattan is often more robust with many features.",
            H("categorical", choices=(1, 2)),
            minimum=0.0, minimum_open=True,
        ),
    ),
)

DECISION_TREE = ModelSpec(
    name="decision_tree",
    label="Decision tree",
    summary="A single tree of yes/no questions about the features; easy to read, quick to fit, "
            "and prone to overfitting unless kept small.",
    estimators={"classification": "sklearn.tree.DecisionTreeClassifier",
                "regression": "sklearn.tree.DecisionTreeRegressor"},
    scale_sensitive=False,
    seeded=True,
    params=(
        ParamSpec(
            "criterion", "Split criterion",
            "How a candidate split is scored: gini and entropy both measure how mixed the classes are in "
            "each branch. They rarely differ much; entropy is slightly slower.",
            H("categorical", choices=("gini", "entropy")),
            allowed=_TREE_CRITERIA_CLF,
            tasks=_CLASSES_ONLY,
        ),
        ParamSpec(
            "criterion", "Split criterion",
            "How a candidate split is scored: squared_error follows the mean and is fast; absolute_error "
            "follows the median and resists outliers but is slower. poisson suits non-negative counts.",
            H("categorical", choices=("squared_error", "absolute_error")),
            allowed=_TREE_CRITERIA_REG,
            tasks=_REGRESSION_ONLY,
        ),
        ParamSpec(
            "max_depth", "Maximum depth",
            "The most questions asked on the way from the root to a leaf. Deep trees memorise the "
            "training data and overfit; shallow trees miss interactions and underfit.",
            H("int", 2, 20),
            minimum=1,
            simpler="lower",
        ),
        ParamSpec(
            "min_samples_leaf", "Rows per leaf",
            "The fewest training rows a leaf may hold. Higher values smooth the predictions and curb "
            "overfitting; too high and the tree cannot capture real detail.",
            H("int", 1, 50, log=True),
            minimum=1,
            simpler="higher",
        ),
        ParamSpec(
            "min_samples_split", "Rows to split",
            "A node is only split if it holds at least this many rows. Higher values stop the tree from "
            "chasing tiny groups; too high underfits.",
            H("int", 2, 40, log=True, enabled=False),
            minimum=2,
            simpler="higher",
        ),
        _max_features(H("float", 0.3, 1.0, enabled=False), "the tree"),
        _class_weight(),
    ),
)


def _forest_params(bootstrap_default: bool) -> tuple[ParamSpec, ...]:
    return (
        ParamSpec(
            "n_estimators", "Trees",
            "The number of trees averaged together. More trees give steadier predictions and do not "
            "overfit by themselves, but take longer; past a few hundred the gain is usually tiny.",
            H("int", 20, 300, log=True),
            minimum=1,
            simpler="lower",
        ),
        ParamSpec(
            "criterion", "Split criterion",
            "How a candidate split is scored: gini and entropy both measure how mixed the classes are in "
            "each branch. They rarely differ much; entropy is slightly slower.",
            H("categorical", choices=("gini", "entropy")),
            allowed=_TREE_CRITERIA_CLF,
            tasks=_CLASSES_ONLY,
        ),
        ParamSpec(
            "criterion", "Split criterion",
            "How a candidate split is scored: squared_error follows the mean and is fast; absolute_error "
            "resists outliers but is several times slower to fit. poisson suits non-negative counts.",
            H("categorical", choices=("squared_error", "absolute_error"), enabled=False),
            allowed=_TREE_CRITERIA_REG,
            tasks=_REGRESSION_ONLY,
        ),
        ParamSpec(
            "max_depth", "Maximum depth",
            "How deep each tree may grow. Forests usually do well with deep trees; limiting the depth "
            "makes them faster and smoother, but too shallow underfits.",
            H("int", 3, 30, log=True),
            minimum=1,
            simpler="lower",
        ),
        ParamSpec(
            "min_samples_leaf", "Rows per leaf",
            "The fewest training rows a leaf may hold. Higher values smooth the predictions, which helps "
            "on noisy data; too high and the trees cannot capture real detail.",
            H("int", 1, 20, log=True),
            minimum=1,
            simpler="higher",
        ),
        _max_features(H("float", 0.1, 1.0, log=True), "each tree"),
        ParamSpec(
            "bootstrap", "Resample rows",
            "Whether each tree is trained on a random resample of the rows (True) or on all rows (False). "
            "Resampling makes the trees more different from each other, which usually helps the average.",
            H("categorical", choices=(bootstrap_default, not bootstrap_default), enabled=False),
            allowed=_BOOL,
        ),
        _class_weight("balanced_subsample"),
    )


RANDOM_FOREST = ModelSpec(
    name="random_forest",
    label="Random forest",
    summary="Many deep decision trees, each on a resample of the rows and a random subset of features, "
            "averaged into one robust prediction.",
    estimators={"classification": "sklearn.ensemble.RandomForestClassifier",
                "regression": "sklearn.ensemble.RandomForestRegressor"},
    scale_sensitive=False,
    seeded=True,
    params=_forest_params(bootstrap_default=True),
)

EXTRA_TREES = ModelSpec(
    name="extra_trees",
    label="Extra trees",
    summary="Like a random forest, but each split threshold is drawn at random, which is faster "
            "and often smoother.",
    estimators={"classification": "sklearn.ensemble.ExtraTreesClassifier",
                "regression": "sklearn.ensemble.ExtraTreesRegressor"},
    scale_sensitive=False,
    seeded=True,
    params=_forest_params(bootstrap_default=False),
)

GRADIENT_BOOSTING = ModelSpec(
    name="gradient_boosting",
    label="Gradient boosting",
    summary="Adds small trees one after another, each correcting the errors of the ones before; "
            "accurate but fitted one tree at a time.",
    estimators={"classification": "sklearn.ensemble.GradientBoostingClassifier",
                "regression": "sklearn.ensemble.GradientBoostingRegressor"},
    scale_sensitive=False,
    seeded=True,
    params=(
        ParamSpec(
            "n_estimators", "Boosting stages",
            "The number of trees added one after another. Too many with a high learning rate overfits; "
            "too few underfits. When you lower the learning rate, raise this.",
            H("int", 20, 300, log=True),
            minimum=1,
            simpler="lower",
        ),
        ParamSpec(
            "learning_rate", "Learning rate",
            "How much each new tree's correction counts. Small values need more trees but generalise "
            "better; large values learn fast and overfit.",
            H("float", 0.01, 0.5, log=True),
            minimum=0.0,
        ),
        ParamSpec(
            "max_depth", "Tree depth",
            "The depth of each small tree: 1 allows no interaction between features, 3 to 5 is typical. "
            "Deeper trees capture more interactions but overfit faster and fit slower.",
            H("int", 2, 6),
            minimum=1,
            simpler="lower",
        ),
        ParamSpec(
            "subsample", "Row fraction per tree",
            "The fraction of rows each tree is fitted on. Below 1.0 adds randomness that often reduces "
            "overfitting; too low makes every tree noisy.",
            H("float", 0.5, 1.0),
            minimum=0.0, minimum_open=True, maximum=1.0,
        ),
        ParamSpec(
            "min_samples_leaf", "Rows per leaf",
            "The fewest training rows a leaf may hold. Higher values make each tree more cautious on "
            "noisy data; too high and the trees cannot fit small groups.",
            H("int", 1, 50, log=True, enabled=False),
            minimum=1,
            simpler="higher",
        ),
        _max_features(H("float", 0.3, 1.0, enabled=False), "each tree"),
        ParamSpec(
            "loss", "Loss",
            "The error the boosting minimises: squared_error chases the mean, absolute_error the median "
            "and huber is in between. The last two are less thrown by outliers in the target.",
            H("categorical", choices=("squared_error", "absolute_error", "huber"), enabled=False),
            allowed=("squared_error", "absolute_error", "huber", "quantile"),
            tasks=_REGRESSION_ONLY,
        ),
    ),
)

HIST_GRADIENT_BOOSTING = ModelSpec(
    name="hist_gradient_boosting",
    label="Histogram gradient boosting",
    summary="Fast gradient boosting on binned features (like LightGBM); the best first choice for "
            "tables with many thousands of rows.",
    estimators={"classification": "sklearn.ensemble.HistGradientBoostingClassifier",
                "regression": "sklearn.ensemble.HistGradientBoostingRegressor"},
    scale_sensitive=False,
    seeded=True,
    params=(
        ParamSpec(
            "learning_rate", "Learning rate",
            "How much each new tree's correction counts. Small values need more rounds but generalise "
            "better; large values learn fast and overfit.",
            H("float", 0.01, 0.5, log=True),
            minimum=0.0, minimum_open=True,
        ),
        ParamSpec(
            "max_iter", "Boosting rounds",
            "The number of trees added one after another. More rounds fit the data more closely; with "
            "early stopping (on by itself above 10,000 rows) it is only an upper limit.",
            H("int", 20, 300, log=True),
            minimum=1,
            simpler="lower",
        ),
        ParamSpec(
            "max_leaf_nodes", "Leaves per tree",
            "The most leaves each tree may have, the main control of tree size. More leaves capture "
            "finer interactions but overfit faster.",
            H("int", 8, 128, log=True),
            minimum=2,
            simpler="lower",
        ),
        ParamSpec(
            "min_samples_leaf", "Rows per leaf",
            "The fewest training rows a leaf may hold. Higher values make the model more cautious on noisy "
            "data; too high and it cannot fit small groups.",
            H("int", 5, 100, log=True),
            minimum=1,
            simpler="higher",
        ),
        ParamSpec(
            "l2_regularization", "L2 regularisation",
            "A penalty on large leaf values that makes each tree's contribution more cautious. Raise it "
            "when the model overfits; too high slows learning down.",
            H("float", 1e-4, 10.0, log=True),
            minimum=0.0,
            simpler="higher",
        ),
        ParamSpec(
            "max_depth", "Maximum depth",
            "A cap on how deep each tree grows, on top of the leaf limit. Lower values stop long, narrow "
            "branches that fit single rows; too low misses interactions.",
            H("int", 3, 15, enabled=False),
            minimum=1,
            simpler="lower",
        ),
        _max_features(H("float", 0.3, 1.0, enabled=False), "each tree"),
        _class_weight(),
    ),
)

_MLP_SOLVERS = ("lbfgs", "sgd", "adam")
_MLP_GRADIENT = Condition("solver", ("sgd", "adam"))
_MLP_SGD = Condition("solver", ("sgd",))

MLP = ModelSpec(
    name="mlp",
    label="Neural network (multilayer perceptron)",
    summary="A small fully connected neural network trained by gradient descent; flexible, but it "
            "needs scaled features and some tuning.",
    estimators={"classification": "sklearn.neural_network.MLPClassifier",
                "regression": "sklearn.neural_network.MLPRegressor"},
    scale_sensitive=True,
    seeded=True,
    # Early stopping makes max_iter a ceiling instead of the usual length of a trial and
    # guards against overfitting; it can still be searched (or switched off) below.
    fixed={"*": {"early_stopping": True}},
    params=(
        ParamSpec(
            "hidden_layer_sizes", "Hidden layers",
            "The neurons in each hidden layer, separated by commas: \"64,32\" is two layers. Bigger and "
            "deeper networks fit more complex patterns but train slower and overfit small datasets.",
            H("categorical", choices=("64", "128", "64,32", "128,64")),
            to_estimator=layers_from_text,
            hint="layer sizes of at least 1 separated by commas, such as \"64\" or \"128,64\"",
        ),
        ParamSpec(
            "activation", "Activation",
            "The function applied inside each neuron. relu is the usual choice and trains fast; tanh can "
            "do better on small, smooth problems; logistic trains slowly.",
            H("categorical", choices=("relu", "tanh")),
            allowed=("identity", "logistic", "tanh", "relu"),
        ),
        ParamSpec(
            "solver", "Optimiser",
            "The method that trains the weights. adam works well out of the box; sgd needs a tuned "
            "learning rate and momentum; lbfgs suits small datasets and ignores the batch settings.",
            H("categorical", choices=("adam", "sgd")),
            allowed=_MLP_SOLVERS,
        ),
        ParamSpec(
            "alpha", "L2 penalty alpha",
            "Strength of the penalty on large weights. Raise it when the network overfits; too high "
            "keeps the weights tiny and the network underfits.",
            H("float", 1e-6, 1e-1, log=True),
            minimum=0.0,
            simpler="higher",
        ),
        ParamSpec(
            "learning_rate_init", "Learning rate",
            "The step size of the weight updates at the start of training. Too high makes training jump "
            "around or diverge; too low makes it crawl and stop before it has learned.",
            H("float", 1e-4, 1e-1, log=True),
            when=_MLP_GRADIENT,
            minimum=0.0, minimum_open=True,
        ),
        ParamSpec(
            "learning_rate", "Learning-rate schedule",
            "How the sgd step size changes: constant keeps it, adaptive divides it by 5 whenever the loss "
            "stops improving, invscaling shrinks it steadily. Adaptive is a safe choice.",
            H("categorical", choices=("constant", "adaptive")),
            when=_MLP_SGD,
            allowed=("constant", "invscaling", "adaptive"),
        ),
        ParamSpec(
            "momentum", "Momentum",
            "How much of the previous update carries into the next one with sgd. High momentum speeds "
            "training through flat stretches; too close to 1 overshoots and oscillates.",
            H("float", 0.5, 0.99),
            when=_MLP_SGD,
            minimum=0.0, maximum=1.0,
        ),
        ParamSpec(
            "nesterovs_momentum", "Nesterov momentum",
            "Whether sgd uses Nesterov's look-ahead form of momentum, which usually converges a little "
            "faster and more smoothly. It has no effect when momentum is 0.",
            H("categorical", choices=(True, False), enabled=False),
            when=_MLP_SGD,
            allowed=_BOOL,
        ),
        ParamSpec(
            "batch_size", "Batch size",
            "How many rows each weight update looks at with sgd or adam. Small batches give noisy updates "
            "that can generalise well but are slow; large batches are faster per epoch but may need more epochs.",
            H("int", 32, 512, log=True),
            when=_MLP_GRADIENT,
            minimum=1,
        ),
        ParamSpec(
            "max_iter", "Epochs (max)",
            "The most passes over the training data. Too few stops before the network has learned; "
            "with early stopping on, more epochs only cost time when they still help.",
            H("int", 20, 300, log=True),
            minimum=1,
            simpler="lower",
        ),
        ParamSpec(
            "early_stopping", "Early stopping",
            "Whether to hold out 10% of the training rows and stop once the score on them stops improving. "
            "It saves time and curbs overfitting, at the cost of training on slightly less data.",
            H("categorical", choices=(True, False), enabled=False),
            when=_MLP_GRADIENT,
            allowed=_BOOL,
        ),
    ),
)

_SGD_SCHEDULES = ("constant", "optimal", "invscaling", "adaptive", "pa1", "pa2")

SGD = ModelSpec(
    name="sgd",
    label="Linear model (stochastic gradient descent)",
    summary="A linear model (SVM, logistic or least squares, depending on the loss) trained one row at a "
            "time, so it scales to very large tables.",
    estimators={"classification": "sklearn.linear_model.SGDClassifier",
                "regression": "sklearn.linear_model.SGDRegressor"},
    scale_sensitive=True,
    seeded=True,
    # No proba_params: the loss is searched, and a searched value overrides anything fixed here.
    # Probability-based metrics therefore need loss "log_loss" or "modified_huber" (the only ones
    # with predict_proba); with hinge the metric fails and the trial is reported as failed.
    params=(
        ParamSpec(
            "loss", "Loss",
            "The error the model minimises: hinge gives a linear SVM, log_loss gives logistic regression "
            "with probabilities, and modified_huber is a smoothed hinge that also gives probabilities.",
            H("categorical", choices=("hinge", "log_loss", "modified_huber")),
            allowed=("hinge", "log_loss", "modified_huber", "squared_hinge", "perceptron", "squared_error",
                     "huber", "epsilon_insensitive", "squared_epsilon_insensitive"),
            tasks=_CLASSES_ONLY,
        ),
        ParamSpec(
            "loss", "Loss",
            "The error the model minimises: squared_error is ordinary least squares; huber and "
            "epsilon_insensitive reduce the pull of outliers, starting at the size set by epsilon.",
            H("categorical", choices=("squared_error", "huber", "epsilon_insensitive")),
            allowed=("squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive"),
            tasks=_REGRESSION_ONLY,
        ),
        ParamSpec(
            "penalty", "Penalty",
            "The kind of penalty on the coefficients: l2 shrinks them all, l1 sets some to exactly zero "
            "(feature selection), and elasticnet mixes the two.",
            H("categorical", choices=("l2", "l1", "elasticnet")),
            allowed=("l2", "l1", "elasticnet", None),
        ),
        ParamSpec(
            "alpha", "Regularisation alpha",
            "Strength of the penalty; with the optimal schedule it also sets the step size. Too high "
            "underfits; too low overfits and can make training unstable.",
            H("float", 1e-6, 1e-1, log=True),
            minimum=0.0,
            simpler="higher",
        ),
        ParamSpec(
            "l1_ratio", "L1 share of the penalty",
            "The mix of the elastic-net penalty: 0 is pure L2, which shrinks all coefficients; 1 is pure "
            "L1, which sets some to zero. Values in between do a little of both.",
            H("float", 0.0, 1.0),
            when=Condition("penalty", ("elasticnet",)),
            minimum=0.0, maximum=1.0,
        ),
        ParamSpec(
            "learning_rate", "Learning-rate schedule",
            "How the step size changes during training: optimal derives it from alpha and is the usual "
            "choice; adaptive keeps eta0 until progress stalls, then shrinks it.",
            H("categorical", choices=("optimal", "adaptive")),
            allowed=_SGD_SCHEDULES,
            tasks=_CLASSES_ONLY,
        ),
        ParamSpec(
            "learning_rate", "Learning-rate schedule",
            "How the step size changes during training: invscaling shrinks eta0 steadily; adaptive keeps "
            "eta0 until progress stalls, then shrinks it. optimal can diverge on regression targets.",
            H("categorical", choices=("invscaling", "adaptive")),
            allowed=_SGD_SCHEDULES,
            tasks=_REGRESSION_ONLY,
        ),
        ParamSpec(
            "eta0", "Initial step size eta0",
            "The starting step size for every schedule except optimal. Too high makes training unstable "
            "or diverge; too low stops before the model has learned.",
            H("float", 1e-4, 1e-1, log=True),
            when=Condition("learning_rate", tuple(s for s in _SGD_SCHEDULES if s != "optimal")),
            minimum=0.0, minimum_open=True,
        ),
        ParamSpec(
            "epsilon", "Epsilon",
            "With huber, errors larger than epsilon count linearly instead of squared; with "
            "epsilon_insensitive, errors smaller than epsilon are ignored. It is in the units of the target.",
            H("float", 1e-3, 1.0, log=True, enabled=False),
            when=Condition("loss", ("huber", "epsilon_insensitive", "squared_epsilon_insensitive")),
            minimum=0.0,
            tasks=_REGRESSION_ONLY,
        ),
        _class_weight(),
    ),
)

ADABOOST = ModelSpec(
    name="adaboost",
    label="AdaBoost",
    summary="Adds small trees one after another, each giving more weight to the rows the earlier ones "
            "got wrong.",
    estimators={"classification": "sklearn.ensemble.AdaBoostClassifier",
                "regression": "sklearn.ensemble.AdaBoostRegressor"},
    scale_sensitive=False,
    seeded=True,
    params=(
        ParamSpec(
            "n_estimators", "Learners (max)",
            "The most small trees added one after another. Too many can overfit noisy labels; too few "
            "underfit. Boosting stops early if the fit becomes perfect.",
            H("int", 20, 200, log=True),
            minimum=1,
            simpler="lower",
        ),
        ParamSpec(
            "learning_rate", "Learning rate",
            "How much each new learner's vote counts. Lower values need more learners but are more "
            "robust; higher values learn fast and overfit noisy data.",
            H("float", 0.01, 2.0, log=True),
            minimum=0.0, minimum_open=True,
        ),
        ParamSpec(
            "loss", "Loss",
            "How a row's error turns into its weight for the next learner. square and exponential focus "
            "harder on the worst rows, which helps on clean data and hurts with outliers.",
            H("categorical", choices=("linear", "square", "exponential")),
            allowed=("linear", "square", "exponential"),
            tasks=_REGRESSION_ONLY,
        ),
    ),
)

KMEANS = ModelSpec(
    name="kmeans",
    label="k-means clustering",
    summary="Splits the rows into k groups around k centres, each row joining its nearest centre.",
    estimators={"clustering": "sklearn.cluster.KMeans"},
    scale_sensitive=True,
    seeded=True,
    # The default n_init="auto" means a single start with k-means++, which makes the score of a
    # configuration depend on luck; ten starts keep the best and are cheap at these sizes.
    fixed={"*": {"n_init": 10}},
    params=(
        ParamSpec(
            "n_clusters", "Clusters k",
            "How many clusters to find. Too few merges distinct groups; too many splits real groups into "
            "pieces. Compare a score such as the silhouette across values.",
            H("int", 2, 20),
            minimum=1,
            simpler="lower",
        ),
        ParamSpec(
            "init", "Starting centres",
            "How the starting centres are chosen: k-means++ spreads them out and usually reaches a better "
            "result sooner; random picks rows at random.",
            H("categorical", choices=("k-means++", "random")),
            allowed=("k-means++", "random"),
        ),
        ParamSpec(
            "algorithm", "Algorithm",
            "The variant of the algorithm: lloyd is the classic one; elkan can be faster on well-separated "
            "clusters but uses more memory. Both reach the same result.",
            H("categorical", choices=("lloyd", "elkan"), enabled=False),
            allowed=("lloyd", "elkan"),
        ),
    ),
)

_MODELS: tuple[ModelSpec, ...] = (
    LOGISTIC_REGRESSION,
    RIDGE,
    LASSO,
    ELASTIC_NET,
    SVM,
    KNN,
    DECISION_TREE,
    RANDOM_FOREST,
    EXTRA_TREES,
    GRADIENT_BOOSTING,
    HIST_GRADIENT_BOOSTING,
    MLP,
    SGD,
    ADABOOST,
    KMEANS,
)

MODELS: dict[str, ModelSpec] = {m.name: m for m in _MODELS}

# LightGBM, XGBoost and CatBoost, each where it is installed. Imported here, at the end, because
# catalog_boost builds its models from the classes above.
from .catalog_boost import boost_models, missing_hint  # noqa: E402

MODELS.update({m.name: m for m in boost_models()})


def get_model(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        hint = missing_hint(name)
        raise KeyError(hint or f"unknown model {name!r}; known models: {', '.join(MODELS)}") from None


def models_for(task: str) -> list[ModelSpec]:
    return [m for m in MODELS.values() if m.supports(task)]
