"""Search strategies and pruners, by name, as Optuna samplers and pruners.

Grid search is not an Optuna sampler here: the runner enqueues every grid point
into the study once (see :mod:`hpgui.core.runner`), which copes with
conditional hyperparameters and lets several workers and resumed runs share the
remaining points through the storage.
"""

from __future__ import annotations

import importlib.util
import warnings
from dataclasses import dataclass
from typing import Any

from .space import Problem


@dataclass(frozen=True)
class StrategyOption:
    """A whole-number setting only some strategies have (a key of the setup's "strategy" object and the
    StrategySpec field of that name). The Search tab shows it only while such a strategy is picked."""

    key: str
    label: str
    low: int
    high: int
    doc: str
    #: The text for "no value: the strategy decides" (the spin box's lowest step), or None when a value
    #: is always given (then ``default`` is it).
    automatic: str | None = None
    default: int | None = None


@dataclass(frozen=True)
class Strategy:
    name: str
    label: str
    doc: str
    needs: str | None = None  # an optional module the strategy cannot run without
    options: tuple[StrategyOption, ...] = ()


STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in (
        Strategy("grid", "Grid", "Every combination of the listed values, each once."),
        Strategy("random", "Random", "Independent random draws from the ranges; a strong, simple baseline."),
        Strategy("tpe", "Bayesian (TPE)",
                 "Models which regions gave good scores and samples there more often; "
                 "handles conditional and categorical hyperparameters well."),
        Strategy("gp", "Bayesian (Gaussian process)",
                 "Fits a Gaussian process to the scores and picks the most promising point; "
                 "sample-efficient for small budgets of continuous hyperparameters.", needs="torch"),
        Strategy("cmaes", "Evolution strategy (CMA-ES)",
                 "Adapts a search distribution over the numeric hyperparameters generation by generation; "
                 "categorical ones are drawn at random."),
        Strategy("qmc", "Quasi-random (Sobol)", "Evenly spread points that cover the ranges better than random."),
        Strategy("nsga2", "Genetic (NSGA-II)", "A population evolved by crossover and mutation."),
        Strategy("gradient", "Gradient descent",
                 "Follows the gradient of the cross-validated loss with respect to the regularisation "
                 "(ridge, kernel ridge, lasso, elastic net, L2 logistic regression); each step is a trial, "
                 "and it stops when the loss stops improving. Few fits for smooth problems.",
                 options=(StrategyOption("starts", "Starting points", 1, 100,
                                         "How many descents run, each from its own spread-out starting "
                                         "point (automatic: three).", automatic="automatic"),)),
        Strategy("pbt", "Population-based training",
                 "Trains a population of models side by side in rounds of epochs or boosting stages; after "
                 "each round the weakest copy the models of the strongest and try nearby values (neural "
                 "network, SGD, histogram gradient boosting). Finds schedules, such as a learning rate "
                 "that falls, that no single setting gives.",
                 options=(StrategyOption("population", "Population", 2, 1000,
                                         "How many members train side by side (automatic: 8).",
                                         automatic="automatic (8)"),
                          StrategyOption("rounds", "Rounds", 1, 10_000,
                                         "How many rounds each member trains; after each, the weakest copy "
                                         "the strongest (automatic: 10, or as many as the units per round "
                                         "allow).", automatic="automatic"),
                          StrategyOption("round_units", "Units per round", 1, 1_000_000,
                                         "Epochs or boosting stages per round (automatic: the model's "
                                         "maximum shared out over the rounds).", automatic="automatic"))),
    )
}


def strategy_options() -> list[StrategyOption]:
    """Every strategy's options, each key once, in the order the strategies list them."""
    seen: dict[str, StrategyOption] = {}
    for strategy in STRATEGIES.values():
        for option in strategy.options:
            seen.setdefault(option.key, option)
    return list(seen.values())

PRUNERS = ("none", "median", "successive_halving", "hyperband", "wilcoxon")


def planning_problems(spec: Any, who: str, pruner: str, resource: str) -> list[Problem]:
    """What a strategy that plans its own trials (gradient, pbt) cannot take from a setup: a pruner,
    a resource other than folds, manual configurations. ``pruner`` and ``resource`` say why, after
    ``who`` ("gradient descent needs every fold of every step; set the pruner to none")."""
    found = []
    if spec.pruner != "none":
        found.append(Problem("strategy.pruner", f"{who} {pruner}"))
    if spec.resource != "folds":
        found.append(Problem("strategy.resource", f"{who} {resource}"))
    if spec.manual:
        found.append(Problem("strategy.manual", f"{who} plans its own points; remove the manual configurations "
                                                "or pick another strategy"))
    return found


def strategy_problems(name: str) -> list[Problem]:
    strategy = STRATEGIES.get(name)
    if strategy is None:
        return [Problem("strategy.name", f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")]
    if strategy.needs and importlib.util.find_spec(strategy.needs) is None:
        return [Problem("strategy.name",
                        f"{strategy.label} needs PyTorch, which is not installed; "
                        "install it with: pip install \"hpgui[gp]\" (or pick TPE)")]
    return []


def make_sampler(name: str, seed: int | None, budget: int | None = None, parallel: bool = False) -> Any:
    """An Optuna sampler for ``name``; grid points come from the queue, so grid gets a plain sampler.

    ``parallel``: other workers run trials of the same study at the same time.
    """
    import optuna

    samplers = optuna.samplers
    with warnings.catch_warnings():
        # Several samplers are labelled experimental; that is Optuna's policy note, not our user's concern.
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if name in ("gradient", "pbt"):
            from .gradient_strategy import make_planned_sampler

            return make_planned_sampler(seed)
        if name in ("grid", "random"):
            return samplers.RandomSampler(seed=seed)
        if name == "tpe":
            # Optuna's defaults: on the bayes_vs_random panel they found scores at least as good as the
            # multivariate, grouped TPE with fewer start-up trials hpgui used before (docs/benchmarks.md),
            # and they draw exactly the trials a hand-written Optuna loop with the same seed draws. The
            # constant liar only changes anything while other trials run beside this one.
            return samplers.TPESampler(seed=seed, constant_liar=parallel)
        if name == "gp":
            startup = 10 if budget is None else max(5, min(10, budget // 5))
            return samplers.GPSampler(seed=seed, n_startup_trials=startup)
        if name == "cmaes":
            return samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False,
                                         independent_sampler=samplers.RandomSampler(seed=seed))
        if name == "qmc":
            return samplers.QMCSampler(qmc_type="sobol", scramble=True, seed=seed,
                                       warn_independent_sampling=False)
        if name == "nsga2":
            population = 20 if budget is None else max(8, min(50, budget // 5))
            return samplers.NSGAIISampler(seed=seed, population_size=population)
    raise ValueError(f"unknown strategy {name!r}")


def make_pruner(name: str, folds: int, bounds: tuple[int, int] | None = None) -> Any:
    """The pruner ``name``; ``bounds`` is the (minimum, maximum) resource a trial reports steps in,
    by default its folds (steps 0 .. folds-1 between folds)."""
    import optuna

    pruners = optuna.pruners
    low, high = bounds if bounds is not None else (1, max(folds, 1))
    if name in (None, "none"):
        return pruners.NopPruner()
    if name == "median":
        return pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0)
    if name == "successive_halving":
        # Optuna's successive halving is asynchronous (ASHA): a trial is judged against the trials that
        # reached its rung so far, so no worker waits for a rung to fill.
        return pruners.SuccessiveHalvingPruner(min_resource=low, reduction_factor=4 if bounds is None else 3)
    if name == "hyperband":
        return pruners.HyperbandPruner(min_resource=low, max_resource=high, reduction_factor=3)
    if name == "wilcoxon":
        # A paired test of the fold scores so far against the best trial's on the same folds.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return pruners.WilcoxonPruner(p_threshold=0.1, n_startup_steps=2)
    raise ValueError(f"unknown pruner {name!r}")
