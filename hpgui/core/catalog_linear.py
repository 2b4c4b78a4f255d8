"""The linear, kernel and neighbour models of the catalog: logistic regression, ridge, kernel ridge, lasso, elastic net,
the support vector machine, k-nearest neighbours and stochastic gradient descent."""

from __future__ import annotations

from .modelspec import _CLASSES_ONLY, _REGRESSION_ONLY, H, ModelSpec, ParamSpec, _class_weight
from .resources import ResourceSpec
from .space import Condition

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

KERNEL_RIDGE = ModelSpec(
    name="kernel_ridge",
    label="Kernel ridge regression",
    summary="Ridge regression in the feature space of a Gaussian (RBF) kernel: smooth non-linear fits, "
            "exact in closed form; best below a few thousand rows (it solves one system per row pair).",
    estimators={"regression": "sklearn.kernel_ridge.KernelRidge"},
    scale_sensitive=True,
    seeded=False,
    fixed={"*": {"kernel": "rbf"}},
    params=(
        ParamSpec(
            "alpha", "Regularisation alpha",
            "Strength of the penalty on the fitted function. Too high flattens it towards zero and underfits; "
            "too low follows every noisy point.",
            H("float", 1e-4, 10.0, log=True),
            minimum=0.0,
            simpler="higher",
        ),
        ParamSpec(
            "gamma", "Kernel width gamma",
            "How far one training point's influence reaches: small gamma gives smooth, wide bumps "
            "(underfits when too small), large gamma narrow ones around each point (overfits).",
            H("float", 1e-4, 10.0, log=True),
            minimum=0.0,
            simpler="lower",
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
    # Refitted per step: partial_fit draws a new shuffle seed per epoch where fit keeps one, so continuing
    # would not be the plain fit, and a linear model refits in moments. tol=None: exactly that many epochs.
    resource=ResourceSpec("epochs", "max_iter", minimum=2, maximum=54, method="refit", fixed={"tol": None}),
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
