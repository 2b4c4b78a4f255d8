"""The ``gradient`` strategy: descend the cross-validated loss along its hypergradient.

Which models it applies to and which of their hyperparameters it moves (``MOVABLE``), the
problems of a setup that cannot use it, the mean fold loss and its gradient of one trial
(from the models the trial fitted on the study's own folds), and the planner that turns the
study's trials into the next point (:mod:`hpgui.core.descent`), handed to Optuna by
:class:`PlannedSampler` so that every step is an ordinary trial in storage.

Classification metrics other than log loss are not smooth in C; there the descent minimises
the validation log loss of the same folds, and the trials record the study's metric as usual.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from .descent import Evaluation, halton_starts, replay
from .records import CHAIN_ATTR, TRIAL_ATTR
from .space import Hyperparameter, Problem

if TYPE_CHECKING:
    from .runner import Search

#: Per model (and its task): the hyperparameters the descent moves, in the order of the gradient.
MOVABLE: dict[str, tuple[str, ...]] = {
    "ridge": ("alpha",),
    "kernel_ridge": ("alpha", "gamma"),
    "lasso": ("alpha",),
    "elastic_net": ("alpha", "l1_ratio"),
    "logistic_regression": ("C",),
}
#: Hyperparameters that may be searched beside them only at one value, and the values that keep the
#: loss smooth (None: any one value).
_FIXED_ONLY: dict[str, dict[str, tuple | None]] = {
    "logistic_regression": {"solver": ("lbfgs", "newton-cg", "newton-cholesky"), "l1_ratio": (0.0,),
                            "class_weight": (None, "balanced")},
    "lasso": {"selection": None},
    "elastic_net": {"selection": None},
    "kernel_ridge": {"kernel": ("rbf",)},
}
DEFAULT_STARTS = 3


def movable(model: str) -> tuple[str, ...]:
    return MOVABLE.get(model, ())


def unavailable(models: Sequence[str], task: str | None, space: Mapping[str, Hyperparameter] | None = None,
                weighted: bool = False) -> str | None:
    """Why gradient descent cannot search this, in a sentence (None: it can)."""
    found = problems(models, task, space or {}, weighted)
    return found[0].message if found else None


def problems(models: Sequence[str], task: str | None, space: Mapping[str, Hyperparameter],
             weighted: bool = False) -> list[Problem]:
    names = ", ".join(sorted(MOVABLE))
    if len(models) != 1:
        return [Problem("strategy.name", "gradient descent searches one model at a time; pick one of " + names)]
    model = models[0]
    if model not in MOVABLE:
        return [Problem("strategy.name", f"gradient descent needs a model whose validation loss is smooth in its "
                                         f"regularisation; {model} is not one of them ({names})")]
    moves = MOVABLE[model]
    out: list[Problem] = []
    searched = {n: hp for n, hp in space.items() if hp.enabled}
    if not any(n in moves for n in searched):
        out.append(Problem("space", f"gradient descent moves {', '.join(moves)}; switch at least one of them on"))
    for name, hp in searched.items():
        if name in moves:
            if hp.type != "float" or hp.values is not None or hp.step is not None:
                out.append(Problem(f"space.{name}", f"gradient descent moves {name} continuously; give it a "
                                                    "range (low, high) without a step or a list of values"))
            continue
        allowed = _FIXED_ONLY.get(model, {})
        values = list(hp.choices or ()) if hp.type == "categorical" else list(hp.values or ())
        if name not in allowed or len(values) != 1 or (allowed[name] is not None and values[0] not in allowed[name]):
            keep = allowed.get(name)
            hint = f" (one of {', '.join(map(str, keep))})" if keep else ""
            out.append(Problem(f"space.{name}", f"gradient descent cannot move {name}; switch it off or fix it "
                                                f"to one value{hint}"))
    return out


@dataclass(frozen=True)
class Coordinates:
    """Unit-box coordinates of the moved hyperparameters (log ranges by their logarithm)."""

    names: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray
    log: np.ndarray

    @classmethod
    def of(cls, names: Sequence[str], space: Mapping[str, Hyperparameter]) -> "Coordinates":
        hps = [space[n] for n in names]
        log = np.array([bool(hp.log) for hp in hps])
        low = np.array([math.log(hp.low) if hp.log else float(hp.low) for hp in hps])
        high = np.array([math.log(hp.high) if hp.log else float(hp.high) for hp in hps])
        return cls(tuple(names), low, high, log)

    def to_params(self, u: np.ndarray) -> dict[str, float]:
        t = self.low + np.clip(u, 0.0, 1.0) * (self.high - self.low)
        values = np.where(self.log, np.exp(t), t)
        # Exactly the bounds at the edges (exp(log(x)) may miss them by one ulp, out of the range).
        values = np.where(u <= 0.0, np.where(self.log, np.exp(self.low), self.low), values)
        values = np.where(u >= 1.0, np.where(self.log, np.exp(self.high), self.high), values)
        return {n: float(v) for n, v in zip(self.names, values)}

    def to_unit(self, params: Mapping[str, Any]) -> np.ndarray:
        t = np.array([math.log(params[n]) if lg else float(params[n]) for n, lg in zip(self.names, self.log)])
        span = np.where(self.high > self.low, self.high - self.low, 1.0)
        return np.clip((t - self.low) / span, 0.0, 1.0)

    def unit_grad(self, grad_t: np.ndarray) -> np.ndarray:
        """A gradient in each hyperparameter's own coordinate (log or not) -> in the unit box."""
        return np.asarray(grad_t, dtype=float) * (self.high - self.low)


def fold_loss(model: str, own: Mapping[str, Any], fitted: Any, fold: Any, metric: str, n_classes: int | None):
    """One fold's loss and its gradient in the log (or linear) coordinate of each moved hyperparameter."""
    from . import hypergrad

    if model == "logistic_regression":
        w = fold.w_train
        if own.get("class_weight") == "balanced":
            bal = hypergrad.balanced_weights(fold.y_train, n_classes)
            w = bal if w is None else w * bal
        return hypergrad.logistic(fold.X_train, fold.y_train, fold.X_test, fold.y_test, fitted.coef_,
                                  fitted.intercept_, float(own["C"]), int(n_classes), w, fold.w_test)
    if model == "ridge":
        pred = hypergrad.ridge(fold.X_train, fold.y_train, fold.X_test, float(own["alpha"]), fold.w_train)
    elif model == "kernel_ridge":
        pred = hypergrad.kernel_ridge(fold.X_train, fold.y_train, fold.X_test, float(own["alpha"]),
                                      float(own["gamma"]), fold.w_train)
    elif model == "lasso":
        pred = hypergrad.elastic_net(fold.X_train, fold.y_train, fold.X_test, fitted.coef_, float(own["alpha"]),
                                     1.0, fold.w_train, with_ratio=False)
    elif model == "elastic_net":
        pred = hypergrad.elastic_net(fold.X_train, fold.y_train, fold.X_test, fitted.coef_, float(own["alpha"]),
                                     float(own["l1_ratio"]), fold.w_train)
    else:
        raise ValueError(f"no hypergradient for {model}")
    return hypergrad.regression_loss(metric, fold.y_test, pred, fold.w_test)


@dataclass(frozen=True)
class Plan:
    params: dict[str, float]
    chain: int


WAIT = "wait"
CONVERGED = "converged"


class GradientPlanner:
    """The descent of one study: which point the next trial evaluates, from the trials so far."""

    def __init__(self, search: "Search"):
        model = search.choice.models[0]
        self.model = model
        self.moved = tuple(n for n in movable(model) if n in search.space and search.space[n].enabled)
        self.coords = Coordinates.of(self.moved, search.space)
        self.starts = halton_starts(len(self.moved), max(1, search.setup.strategy.starts or DEFAULT_STARTS))
        self.metric = search.metric.name
        self.n_classes = search.n_classes

    # -- after a trial's folds are fitted ---------------------------------------------------
    def measure(self, params: Mapping[str, Any], own: Mapping[str, Any], fitted: Sequence[Any],
                folds: Sequence[Any]) -> dict[str, Any]:
        """The trial's mean fold loss and its gradient in unit-box coordinates (stored with the trial)."""
        moved = [movable(self.model).index(n) for n in self.moved]
        losses, grads = [], []
        for model, fold in zip(fitted, folds):
            out = fold_loss(self.model, own, model, fold, self.metric, self.n_classes)
            losses.append(out.loss)
            grads.append(np.asarray(out.grad, dtype=float)[moved])
        grad = self.coords.unit_grad(np.mean(grads, axis=0))
        return {"loss": float(np.mean(losses)), "grad": [float(g) for g in grad],
                "x": [float(v) for v in self.coords.to_unit(params)]}

    # -- before a trial is asked -------------------------------------------------------------
    def chains(self, trials: Sequence[Any]) -> dict[int, tuple[list[Evaluation], bool]]:
        """Each chain's evaluated points in trial order, and whether one of its trials is running."""
        out: dict[int, tuple[list[Evaluation], bool]] = {}
        for t in sorted(trials, key=lambda t: t.number):
            chain = t.user_attrs.get(CHAIN_ATTR)
            if chain is None:
                continue
            evals, busy = out.setdefault(int(chain), ([], False))
            info = t.user_attrs.get(TRIAL_ATTR) or {}
            state = t.state.name
            if state == "RUNNING":
                out[int(chain)] = (evals, True)
            elif state == "COMPLETE" and "descent" in info:
                d = info["descent"]
                if d.get("loss") is None:  # the hypergradient could not be computed there
                    evals.append(Evaluation(tuple(d["x"]), math.inf, None))
                else:
                    evals.append(Evaluation(tuple(d["x"]), float(d["loss"]), tuple(d["grad"])))
            elif state == "FAIL" and info.get("error") and not _cut_off(info["error"]):
                # The model raised at this point: it is a point where the loss is not defined.
                evals.append(Evaluation(tuple(self.coords.to_unit(t.params)), math.inf, None))
            # A trial cut off by Stop or by its worker's death is planned again.
        return out

    def next(self, trials: Sequence[Any]) -> Plan | str:
        chains = self.chains(trials)
        # A point any descent evaluated is not fitted again: a chain that reaches it (a start on
        # another chain's path, or two chains meeting) takes that trial's result as its own step.
        known = {_key(e.x): e for evals, _ in chains.values() for e in evals}
        pending = False
        for index, start in enumerate(self.starts):
            evals, busy = chains.get(index, ([], False))
            if busy:
                pending = True
                continue
            evals = list(evals)
            state = replay(start, evals)
            while not state.converged and _key(state.next_x) in known:
                evals.append(known[_key(state.next_x)])
                state = replay(start, evals)
            if state.converged:
                continue
            return Plan(self.coords.to_params(state.next_x), index)
        return WAIT if pending else CONVERGED

    def path(self, trials: Sequence[Any]) -> dict[int, list[int]]:
        """Each chain's trial numbers in order (what the charts draw as the descent)."""
        out: dict[int, list[int]] = {}
        for t in sorted(trials, key=lambda t: t.number):
            chain = t.user_attrs.get(CHAIN_ATTR)
            if chain is not None and t.state.name == "COMPLETE":
                out.setdefault(int(chain), []).append(t.number)
        return out


def _key(x: Any) -> tuple[float, ...]:
    # Planned points are stored through their parameters and read back, a round trip that may
    # move the last digit or so; 12 decimals of the unit box are far finer than any step.
    return tuple(round(float(v), 12) for v in x)


def _cut_off(error: str) -> bool:
    from .recovery import DEAD_WORKER_ERROR

    return error.startswith("Interrupted") or error == DEAD_WORKER_ERROR


def make_planned_sampler(seed: int | None) -> Any:
    """An Optuna sampler that gives each trial the point the planner chose for it."""
    import optuna

    class PlannedSampler(optuna.samplers.BaseSampler):
        def __init__(self) -> None:
            self.plan: dict[str, float] = {}
            self._fallback = optuna.samplers.RandomSampler(seed=seed)

        def infer_relative_search_space(self, study, trial):
            return {}

        def sample_relative(self, study, trial, search_space):
            return {}

        def sample_independent(self, study, trial, param_name, param_distribution):
            if param_name in self.plan:
                return self.plan[param_name]
            # Hyperparameters fixed to one value (a one-choice categorical): nothing to choose.
            return self._fallback.sample_independent(study, trial, param_name, param_distribution)

    return PlannedSampler()
