"""LightGBM, XGBoost and CatBoost in the catalog, each where it is installed.

``pip install "hpgui[boost]"`` brings all three. Whether a library is there is asked with
``importlib.util.find_spec``, which imports nothing, so the model picker stays quick to fill.
Each model is its library's scikit-learn estimator wrapped in hpgui.core.boosting's
BoostedClassifier/BoostedRegressor, which stops adding trees once a held-out tenth of the
training rows stops improving: the number of trees is then only a ceiling, and
``early_stopping_rounds`` (0 for off) says how patient the stopping is.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.util import find_spec
from typing import Any, Mapping

from .modelspec import H, ModelSpec, ParamSpec
from .recipe import Call
from .space import Condition

_CLASSES_ONLY = ("classification",)
#: The share of a fit's rows held out to decide when to stop adding trees.
VALIDATION_FRACTION = 0.1
EARLY_STOPPING_DEFAULT = 50

#: model name -> (module to find, what to install)
LIBRARIES = {"lightgbm": ("lightgbm", "lightgbm"), "xgboost": ("xgboost", "xgboost"),
             "catboost": ("catboost", "catboost")}


@dataclass(frozen=True)
class BoostSpec(ModelSpec):
    """A boosting library's model: its estimator inside an early-stopping wrapper.

    ``wrapper_params`` are hyperparameters of the wrapper, not of the library's estimator.
    """

    wrapper_params: tuple[str, ...] = ("early_stopping_rounds",)

    def recipe(self, task: str, params: Mapping[str, Any], seed: int | None = None,
               needs_proba: bool = False) -> Call:
        own = dict(params)
        mine = {name: own.pop(name) for name in self.wrapper_params if name in own}
        rounds = mine.pop("early_stopping_rounds", EARLY_STOPPING_DEFAULT)
        inner = super().recipe(task, own, seed, needs_proba)
        wrapper = "BoostedClassifier" if task == "classification" else "BoostedRegressor"
        return Call(f"hpgui.core.boosting.{wrapper}",
                    kwargs={"estimator": inner, "early_stopping_rounds": int(rounds),
                            "validation_fraction": VALIDATION_FRACTION, "random_state": seed, **mine})

    def estimator_defaults(self, task: str) -> dict[str, Any]:
        defaults = super().estimator_defaults(task)
        defaults["early_stopping_rounds"] = EARLY_STOPPING_DEFAULT
        return defaults


def _early_stopping(trees: str) -> ParamSpec:
    return ParamSpec(
        "early_stopping_rounds", "Early stopping (rounds)",
        f"Stop adding {trees} once this many in a row did not improve the score on a held-out tenth of the "
        f"training rows, and keep the best. Fewer rounds stop sooner and save time; 0 switches it off, so "
        f"every one of the {trees} is fitted. Off by default in the search: 50 rounds are used.",
        H("int", 10, 200, log=True, enabled=False),
        minimum=0,
    )


def _trees(name: str, label: str) -> ParamSpec:
    return ParamSpec(
        name, label,
        "The most trees added one after another. With early stopping this is only a ceiling: fitting stops "
        "when more trees no longer help. Lower the learning rate and raise this together.",
        H("int", 50, 1000, log=True),
        minimum=1,
        simpler="lower",
    )


def _learning_rate() -> ParamSpec:
    return ParamSpec(
        "learning_rate", "Learning rate",
        "How much each new tree's correction counts. Small values need more trees but usually generalise "
        "better; large values learn fast and overfit.",
        H("float", 0.01, 0.3, log=True),
        minimum=0.0, minimum_open=True,
    )


def _fraction(name: str, label: str, doc: str, enabled: bool = True, when: Condition | None = None) -> ParamSpec:
    return ParamSpec(name, label, doc, H("float", 0.5, 1.0, enabled=enabled), when=when,
                     minimum=0.0, minimum_open=True, maximum=1.0)


def _penalty(name: str, label: str, doc: str, enabled: bool = True, low: float = 1e-3) -> ParamSpec:
    return ParamSpec(name, label, doc, H("float", low, 10.0, log=True, enabled=enabled), minimum=0.0,
                     simpler="higher")


LIGHTGBM = BoostSpec(
    name="lightgbm",
    label="LightGBM",
    summary="Microsoft's gradient boosting: leaf-wise trees on binned features, very fast on large tables; "
            "stops adding trees by itself once they stop helping.",
    estimators={"classification": "lightgbm.LGBMClassifier", "regression": "lightgbm.LGBMRegressor"},
    seeded=True,
    # subsample only acts with bagging switched on (subsample_freq > 0); verbose=-1 keeps its log quiet.
    fixed={"*": {"verbose": -1, "subsample_freq": 1}},
    params=(
        _trees("n_estimators", "Trees (max)"),
        _learning_rate(),
        ParamSpec(
            "num_leaves", "Leaves per tree",
            "The most leaves each tree may have, LightGBM's main control of tree size (its trees grow leaf by "
            "leaf, not level by level). More leaves fit finer detail but overfit faster.",
            H("int", 8, 256, log=True),
            minimum=2,
            simpler="lower",
        ),
        ParamSpec(
            "min_child_samples", "Rows per leaf",
            "The fewest training rows a leaf may hold. Raise it on noisy or small data to keep leaves from "
            "fitting single rows; too high and the trees cannot fit small groups.",
            H("int", 5, 100, log=True),
            minimum=0,
            simpler="higher",
        ),
        _fraction("subsample", "Row fraction per tree",
                  "The share of rows each tree is fitted on (bagging). Below 1 adds randomness that often curbs "
                  "overfitting and speeds fitting up; too low makes every tree noisy."),
        _fraction("colsample_bytree", "Feature fraction per tree",
                  "The share of features each tree may use. Lower values make the trees differ more, which helps "
                  "with many correlated features; too low misses the useful ones."),
        _penalty("reg_lambda", "L2 regularisation",
                 "A penalty on large leaf values that makes each tree more cautious. Raise it when the model "
                 "overfits."),
        _penalty("reg_alpha", "L1 regularisation",
                 "A penalty that pushes small leaf values to zero. Helps with many noisy features.", enabled=False),
        ParamSpec(
            "boosting_type", "Boosting type",
            "Classic gradient boosting (gbdt), or dart, which drops random trees while fitting: it can "
            "generalise better but is slower and cannot stop early (its trees keep changing).",
            H("categorical", choices=("gbdt", "dart"), enabled=False),
            allowed=("gbdt", "dart"),
        ),
        ParamSpec(
            "drop_rate", "Dropout rate (dart)",
            "With dart, the share of trees dropped at each round. Higher values regularise more strongly.",
            H("float", 0.05, 0.5),
            when=Condition("boosting_type", ("dart",)),
            minimum=0.0, maximum=1.0,
        ),
        ParamSpec(
            "class_weight", "Class weights",
            "Whether every row counts the same (None) or rare classes count more (balanced). Balanced helps "
            "when one class is much rarer and you care about it; it can lower plain accuracy.",
            H("categorical", choices=(None, "balanced"), enabled=False),
            allowed=(None, "balanced"),
            tasks=_CLASSES_ONLY,
        ),
        _early_stopping("trees"),
    ),
)

XGBOOST = BoostSpec(
    name="xgboost",
    label="XGBoost",
    summary="The classic fast gradient boosting library: level-wise trees with strong regularisation; "
            "stops adding trees by itself once they stop helping.",
    estimators={"classification": "xgboost.XGBClassifier", "regression": "xgboost.XGBRegressor"},
    seeded=True,
    fixed={"*": {"tree_method": "hist", "verbosity": 0}},
    # XGBoost has no class weights of its own; the wrapper turns them into sample weights.
    wrapper_params=("early_stopping_rounds", "class_weight"),
    params=(
        _trees("n_estimators", "Trees (max)"),
        _learning_rate(),
        ParamSpec(
            "max_depth", "Tree depth",
            "How deep each tree grows. Deeper trees capture more interactions but overfit faster; 3 to 8 is "
            "usual.",
            H("int", 2, 10),
            minimum=0,
            simpler="lower",
        ),
        ParamSpec(
            "min_child_weight", "Minimum leaf weight",
            "The least total weight (for squared error: the number of rows) a leaf needs. Higher values make "
            "the trees more cautious on noisy data.",
            H("float", 0.1, 20.0, log=True),
            minimum=0.0,
            simpler="higher",
        ),
        _fraction("subsample", "Row fraction per tree",
                  "The share of rows each tree is fitted on. Below 1 adds randomness that often curbs "
                  "overfitting; too low makes every tree noisy."),
        _fraction("colsample_bytree", "Feature fraction per tree",
                  "The share of features each tree may use. Lower values make the trees differ more; too low "
                  "misses the useful features."),
        _penalty("reg_lambda", "L2 regularisation",
                 "A penalty on large leaf weights (XGBoost's lambda). Raise it when the model overfits."),
        _penalty("reg_alpha", "L1 regularisation",
                 "A penalty that pushes small leaf weights to zero (alpha).", enabled=False),
        _penalty("gamma", "Minimum split gain",
                 "A split is only made if it improves the loss by at least this much; higher values prune the "
                 "trees harder.", enabled=False),
        ParamSpec(
            "grow_policy", "Tree growth",
            "Level by level (depthwise, XGBoost's default), or the leaf that helps most first (lossguide, "
            "like LightGBM), which is then limited by the number of leaves.",
            H("categorical", choices=("depthwise", "lossguide"), enabled=False),
            allowed=("depthwise", "lossguide"),
        ),
        ParamSpec(
            "max_leaves", "Leaves per tree",
            "With lossguide growth, the most leaves each tree may have. More leaves fit finer detail but "
            "overfit faster.",
            H("int", 8, 256, log=True),
            when=Condition("grow_policy", ("lossguide",)),
            minimum=0,
            simpler="lower",
        ),
        ParamSpec(
            "class_weight", "Class weights",
            "Whether every row counts the same (None) or rare classes count more (balanced: each row weighed "
            "by the inverse of its class's share). Helps when one class is much rarer and you care about it.",
            H("categorical", choices=(None, "balanced"), enabled=False),
            allowed=(None, "balanced"),
            tasks=_CLASSES_ONLY,
        ),
        _early_stopping("trees"),
    ),
)

CATBOOST = BoostSpec(
    name="catboost",
    label="CatBoost",
    summary="Yandex's gradient boosting with symmetric trees; robust defaults that need little tuning; "
            "stops adding trees by itself once they stop helping.",
    estimators={"classification": "catboost.CatBoostClassifier", "regression": "catboost.CatBoostRegressor"},
    seeded=True,
    # It would write a catboost_info folder into the working directory after every fit otherwise.
    fixed={"*": {"verbose": False, "allow_writing_files": False}},
    params=(
        _trees("iterations", "Trees (max)"),
        _learning_rate(),
        ParamSpec(
            "depth", "Tree depth",
            "The depth of each symmetric tree (every level splits on one feature). 4 to 8 is usual; deeper "
            "trees fit more interactions but take much longer.",
            H("int", 3, 10),
            minimum=1, maximum=16,
            simpler="lower",
        ),
        _penalty("l2_leaf_reg", "L2 regularisation",
                 "A penalty on large leaf values. Raise it when the model overfits.", low=0.1),
        ParamSpec(
            "bootstrap_type", "Row sampling",
            "How rows are weighted for each tree: Bayesian gives every row a random weight (set by the "
            "bagging temperature); Bernoulli keeps a random share of rows (the subsample).",
            H("categorical", choices=("Bayesian", "Bernoulli"), enabled=False),
            allowed=("Bayesian", "Bernoulli", "MVS", "No"),
        ),
        ParamSpec(
            "bagging_temperature", "Bagging temperature",
            "With Bayesian sampling, how random the row weights are: 0 gives every row the same weight, "
            "higher values more randomness.",
            H("float", 0.0, 5.0),
            when=Condition("bootstrap_type", ("Bayesian",)),
            minimum=0.0,
        ),
        _fraction("subsample", "Row fraction per tree",
                  "With Bernoulli sampling, the share of rows each tree is fitted on.",
                  when=Condition("bootstrap_type", ("Bernoulli", "MVS"))),
        ParamSpec(
            "random_strength", "Split randomness",
            "How much randomness is added to the scores of candidate splits; it curbs overfitting.",
            H("float", 0.1, 10.0, log=True, enabled=False),
            minimum=0.0,
        ),
        ParamSpec(
            "auto_class_weights", "Class weights",
            "Whether every row counts the same (None) or rare classes count more (Balanced; SqrtBalanced is "
            "milder). Helps when one class is much rarer and you care about it.",
            H("categorical", choices=(None, "Balanced"), enabled=False),
            allowed=(None, "Balanced", "SqrtBalanced"),
            tasks=_CLASSES_ONLY,
        ),
        _early_stopping("trees"),
    ),
)

BOOST_MODELS = (LIGHTGBM, XGBOOST, CATBOOST)


def installed(name: str) -> bool:
    return find_spec(LIBRARIES[name][0]) is not None


def boost_models() -> list[ModelSpec]:
    return [m for m in BOOST_MODELS if installed(m.name)]


def missing_hint(name: str) -> str | None:
    """How to get a boosting model that is not installed; None for any other name."""
    if name in LIBRARIES and not installed(name):
        return (f"{name} is not installed; install the boosting libraries with pip install \"hpgui[boost]\" "
                f"(or pip install {LIBRARIES[name][1]})")
    return None
