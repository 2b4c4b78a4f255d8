"""How a model grows by a step of its resource: epochs, trees, boosting stages, or rows.

A :class:`Trainer` holds one model on one fold and how far it has been trained;
``Trainer.advance(k)`` trains it from its current state for ``k`` more units. Trained to
the maximum, it is the same model as a plain fit of the estimator with that many units:

- ``partial_fit`` (the MLP): one epoch per call, with the plain fit's order of rows in each
  epoch and its stop on a stalled loss;
- ``warm_start`` (forests, gradient boosting, histogram gradient boosting): the count grows
  and the fit adds only the new trees or stages;
- ``refit`` (SGD, and the MLP's lbfgs solver, which cannot continue): fitted again with the
  new total, as these fit fast or keep no state worth continuing from;
- ``rows`` (any model): fitted afresh on a growing, stratified subsample of the training
  fold; at the maximum on the whole fold in its own order, so exactly the plain fit.

Population-based training and the rung loop (:mod:`hpgui.core.fidelity`) both build on
``Trainer``; nothing here knows of Optuna.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

FOLDS = "folds"
ROWS = "rows"
#: What the user may stop a trial by; the model kinds come from the catalog's ResourceSpec.
RESOURCES = (FOLDS, "epochs", "trees", "stages", ROWS)
RESOURCE_LABELS = {FOLDS: "folds", "epochs": "epochs", "trees": "trees", "stages": "boosting stages",
                   ROWS: "rows"}
METHODS = ("partial_fit", "warm_start", "refit")
#: Reduction factor of the rungs: a third of the trials go on to the next rung (Hyperband's default).
ETA = 3
#: A rows rung never has fewer rows than this (nor fewer than a few per class).
MIN_ROWS = 100


@dataclass(frozen=True)
class ResourceSpec:
    """A model's natural resource: what counts it, its range, and how it continues."""

    kind: str          # "epochs", "trees" or "stages"
    param: str         # the estimator argument that counts it (max_iter, n_estimators)
    minimum: int
    maximum: int
    method: str        # one of METHODS
    #: Estimator arguments while trained by resource: the model's own early stopping is off, as the
    #: pruner stops trials now and a validation split of its own would make each step a new split.
    fixed: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return RESOURCE_LABELS[self.kind]


def rows_spec(n_train: int, n_classes: int | None) -> ResourceSpec:
    """The rows resource of a study: from a small stratified share of the smallest training fold to all of it."""
    floor = max(MIN_ROWS, 5 * (n_classes or 0))
    maximum = max(int(n_train), 1)
    minimum = min(maximum, max(floor, maximum // ETA ** 3))
    return ResourceSpec(ROWS, "", minimum, maximum, "refit")


def schedule(minimum: int, maximum: int, eta: int = ETA, dense: bool = False) -> list[int]:
    """The steps a trial reports at: the rungs minimum·eta^k below the maximum, then the maximum.

    ``dense`` adds the geometric midpoints between rungs (for a continuing model a step costs only
    its scoring, and the learning curve gets twice the points).
    """
    minimum, maximum = max(1, int(minimum)), max(1, int(maximum))
    if minimum >= maximum:
        return [maximum]
    steps: list[int] = []
    r = float(minimum)
    ratio = eta ** 0.5 if dense else float(eta)
    while round(r) < maximum:
        step = int(round(r))
        if not steps or step > steps[-1]:
            steps.append(step)
        r *= ratio
    steps.append(maximum)
    return steps


class _EpochOrder(np.random.RandomState):
    """The random state of a model trained by ``partial_fit``, giving each epoch the plain fit's row order.

    A plain ``fit`` shuffles its index array again every epoch, so epoch k sees the k-th composition of
    the shuffles; ``partial_fit`` starts each call from ``arange`` and would see only the k-th shuffle.
    The draws are the same (one generator for the initial weights and every shuffle); this keeps the
    composed order and hands it out, so the epochs match the plain fit's row for row.
    """

    def __init__(self, seed: Any):
        super().__init__(seed)
        self._order: np.ndarray | None = None

    def shuffle(self, x: Any) -> None:  # noqa: D102 - numpy's
        super().shuffle(x)
        if isinstance(x, np.ndarray) and x.ndim == 1 and x.dtype.kind in "iu":
            if self._order is None or len(self._order) != len(x):
                self._order = np.arange(len(x))
            x[:] = self._order[x]
            self._order = x.copy()


def stratified_order(y: Any, seed: int, classification: bool) -> np.ndarray:
    """A fixed order of a training fold's rows whose every prefix holds each class in its share.

    Rows of each class are shuffled and spread evenly over [0, 1); sorting by that position interleaves
    the classes, so the first n rows are a stratified subsample and a larger n only adds rows.
    """
    rng = np.random.RandomState(seed)
    n = len(y)
    if not classification or y is None:
        return rng.permutation(n)
    y = np.asarray(y)
    position = np.empty(n, dtype=float)
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        members = members[rng.permutation(len(members))]
        position[members] = (np.arange(len(members)) + rng.uniform(0, 1)) / len(members)
    return np.argsort(position, kind="stable")


class Trainer:
    """One model on one fold, trained as far as ``reached`` units of its resource.

    ``make_model(units)`` builds a fresh unfitted estimator that a plain fit would train for ``units``
    (it is called once for continuing methods, once per step for refits). ``X``, ``y`` and ``w`` are the
    prepared training fold; ``order`` the fold's stratified row order (rows only).
    """

    def __init__(self, spec: ResourceSpec, make_model: Callable[[int], Any], X: Any, y: Any, w: Any = None,
                 *, order: np.ndarray | None = None, seed: int | None = None):
        self.spec, self.make_model = spec, make_model
        self.X, self.y, self.w, self.order, self.seed = X, y, w, order, seed
        self.model: Any = None
        self.reached = 0
        #: The model stopped by itself (its loss stalled) before the units asked; more units change nothing.
        self.converged = False

    def advance(self, units: int) -> Any:
        """Train ``units`` more units from the current state; returns the model."""
        if units <= 0:
            return self.model
        target = self.reached + int(units)
        spec = self.spec
        if spec.kind == ROWS:
            self._fit_rows(target)
        elif spec.method == "partial_fit" and self._continues():
            self._partial_fit(target)
        elif spec.method == "warm_start":
            self._warm_start(target)
        else:
            self.model = self.make_model(target)
            self._fit(self.model, self.X, self.y, self.w)
        self.reached = target
        return self.model

    def _continues(self) -> bool:
        if self.model is None:
            self.model = self.make_model(self.spec.maximum)
        return getattr(self.model, "solver", "adam") != "lbfgs"

    def _fit(self, model: Any, X: Any, y: Any, w: Any) -> None:
        kwargs = {} if w is None else {"sample_weight": w}
        if y is None:
            model.fit(X, **kwargs)
        else:
            model.fit(X, y, **kwargs)

    def _fit_rows(self, target: int) -> None:
        self.model = self.make_model(target)
        if target >= len(self.X) or self.order is None:
            self._fit(self.model, self.X, self.y, self.w)
            return
        rows = np.sort(self.order[:target])  # the subsample in the fold's own order
        take = (lambda a: None if a is None else a[rows])
        self._fit(self.model, take(self.X), take(self.y), take(self.w))

    def _partial_fit(self, target: int) -> None:
        model = self.model
        if self.reached == 0:
            model.set_params(random_state=_EpochOrder(model.random_state))
        kwargs = {} if self.w is None else {"sample_weight": self.w}
        if hasattr(model, "classes_") or not hasattr(model, "predict_proba"):
            extra: dict[str, Any] = {}
        else:
            extra = {"classes": np.unique(self.y)}
        for _ in range(target - self.reached):
            if self.converged:
                break
            model.partial_fit(self.X, self.y, **kwargs, **extra)
            extra = {}
            # Where a plain fit would have stopped (and a stalled adaptive schedule given up).
            self.converged = model._no_improvement_count > model.n_iter_no_change
        model.max_iter = target  # what a plain fit of this model was asked for

    def _warm_start(self, target: int) -> None:
        if self.model is None:
            self.model = self.make_model(target)
        self.model.set_params(warm_start=True, **{self.spec.param: target})
        self._fit(self.model, self.X, self.y, self.w)
