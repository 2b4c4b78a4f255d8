"""The tree models of the catalog: a decision tree, forests, boosting (gradient, histogram, AdaBoost)."""

from __future__ import annotations

from .modelspec import _BOOL, _CLASSES_ONLY, _REGRESSION_ONLY, H, ModelSpec, ParamSpec, _class_weight
from .resources import ResourceSpec
from .space import Hyperparameter


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


# Every fold's forest is kept while a trial grows, so the most trees stay well below what memory allows
# for five deep forests at once; past 200 trees a forest's score rarely moves.
_FOREST_TREES = ResourceSpec("trees", "n_estimators", minimum=10, maximum=200, method="warm_start")

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
    resource=_FOREST_TREES,
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
    resource=_FOREST_TREES,
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
    resource=ResourceSpec("stages", "n_estimators", minimum=10, maximum=300, method="warm_start"),
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
    # Its own early stopping (on by itself above 10,000 rows) holds out rows of its own; the pruner stops
    # trials instead, on the study's folds.
    resource=ResourceSpec("stages", "max_iter", minimum=10, maximum=300, method="warm_start",
                          fixed={"early_stopping": False}),
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
