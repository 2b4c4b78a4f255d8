"""The models hpgui can tune.

Each :class:`ModelSpec` names the scikit-learn estimator per task, the
hyperparameters worth searching with a sensible default range, what values the
estimator accepts, which hyperparameters only apply under another's value, and
one or two plain sentences per hyperparameter for tooltips.

Estimators are named by import path and imported on first use, so importing the
catalog (for example to fill the model picker) stays cheap.
"""

from __future__ import annotations

from .catalog_linear import ELASTIC_NET, KERNEL_RIDGE, KNN, LASSO, LOGISTIC_REGRESSION, RIDGE, SGD, SVM
from .catalog_trees import ADABOOST, DECISION_TREE, EXTRA_TREES, GRADIENT_BOOSTING, HIST_GRADIENT_BOOSTING, RANDOM_FOREST
from .modelspec import _BOOL, TASKS, H, ModelSpec, ParamSpec, layers_from_text
from .resources import ResourceSpec
from .space import Condition

__all__ = ["TASKS", "H", "ModelSpec", "ParamSpec", "MODELS", "get_model", "models_for", "layers_from_text"]

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
    # By epochs the pruner does early stopping's work on the study's folds; early stopping's own split
    # would differ per call, and partial_fit refuses it.
    resource=ResourceSpec("epochs", "max_iter", minimum=5, maximum=200, method="partial_fit",
                          fixed={"early_stopping": False}),
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
    KERNEL_RIDGE,
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

# LightGBM, XGBoost and CatBoost, each where it is installed.
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
