"""Training one member of a population: new hyperparameters mid-training, k more units, and replay.

Population-based training changes a model's hyperparameters while it trains. Not every
estimator reads a changed value on its next unit, so each model PBT applies to lists what it
honours (``PBT_MODELS``, checked in tests/test_pbt.py and tabled in docs/architecture.md):

- MLP by ``partial_fit``: ``alpha`` and ``batch_size`` are read on every call. The learning rate is
  not: the first call builds the optimiser with ``learning_rate_init`` and later calls keep it (its
  Adam moments or SGD velocities with it), so a new value set on the estimator alone would be
  silently ignored. ``set_hyperparameters`` writes it into the live optimiser as well (and SGD's
  ``momentum``), so the moments are kept and the new step size is used. ``warm_start`` + ``fit``
  would honour it only by building a new optimiser, losing the moments.
- SGD by ``partial_fit``: ``alpha``, ``eta0``, ``l1_ratio`` and ``epsilon`` are passed to every epoch's
  pass; the schedule's own counter (``t_``) goes on.
- Histogram gradient boosting by ``warm_start``: every tree added later is grown with the current
  ``learning_rate`` (its shrinkage), ``l2_regularization``, ``max_leaf_nodes``, ``min_samples_leaf``,
  ``max_depth`` and ``max_features``; trees already grown keep theirs.

Hyperparameters that shape the model itself (layers, activation, solver, loss, penalty, the
schedule's kind) stay what a member drew in its first round; a member that exploits another takes
them with the other's models.

The functions below the table are written into the exported script as source (they import
nothing of hpgui), so the script replays a schedule exactly as the search trained it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PBTModel:
    """How PBT trains one model: by which method and count, and which values may change mid-training."""

    method: str             # "partial_fit" (one unit per call) or "warm_start" (the count grows)
    param: str              # the estimator argument that counts a unit (max_iter)
    mutable: tuple[str, ...]
    #: Set while trained by PBT: the model's own early stopping would hold out rows of its own.
    fixed: dict[str, Any]


PBT_MODELS: dict[str, PBTModel] = {
    "mlp": PBTModel("partial_fit", "max_iter", ("alpha", "learning_rate_init", "batch_size", "momentum"),
                    {"early_stopping": False}),
    "sgd": PBTModel("partial_fit", "max_iter", ("alpha", "eta0", "l1_ratio", "epsilon"),
                    {"early_stopping": False}),
    "hist_gradient_boosting": PBTModel(
        "warm_start", "max_iter",
        ("learning_rate", "l2_regularization", "max_leaf_nodes", "min_samples_leaf", "max_depth", "max_features"),
        {"early_stopping": False}),
}


def set_hyperparameters(model, params):
    """Give a model in training new hyperparameters, so that the units trained next use them.

    An MLP's optimiser, once built, keeps its own copy of the learning rate (and SGD's momentum);
    it is changed in place, so Adam's moments and SGD's velocities carry on. SGD's step size after
    its adaptive decays keeps its ratio to the initial rate.
    """
    model.set_params(**params)
    optimizer = getattr(model, "_optimizer", None)
    if optimizer is not None:
        if "learning_rate_init" in params:
            new, old = float(params["learning_rate_init"]), float(optimizer.learning_rate_init)
            optimizer.learning_rate = optimizer.learning_rate * new / old
            optimizer.learning_rate_init = new
        if "momentum" in params and hasattr(optimizer, "momentum"):
            optimizer.momentum = float(params["momentum"])
    return model


def train_units(model, X, y, weight, reached, units, method, param, classes):
    """Train ``units`` more units from ``reached`` (one partial_fit call per unit, or a warm start to the
    new count); returns the units reached. ``classes``: every class of the problem (classifiers only)."""
    kwargs = {} if weight is None else {"sample_weight": weight}
    if method == "warm_start":
        model.set_params(warm_start=True, **{param: reached + units})
        model.fit(X, y, **kwargs)
        return reached + units
    for _ in range(units):
        if classes is not None and not hasattr(model, "classes_"):
            model.partial_fit(X, y, classes=classes, **kwargs)
        else:
            model.partial_fit(X, y, **kwargs)
    return reached + units


def segment_at(schedule, unit):
    """The hyperparameters a schedule ([[from_unit, params], ...]) trains with at ``unit``."""
    current = schedule[0][1]
    for start, params in schedule:
        if start <= unit:
            current = params
    return current


def replay_schedule(model, X, y, weight, schedule, units, round_units, method, param, classes, start=0):
    """Train ``model`` from unit ``start`` to ``units`` in rounds of ``round_units``, each round with the
    schedule's hyperparameters at its first unit: the same calls, in the same order, as the search made."""
    reached = start
    while reached < units:
        step = min(round_units, units - reached)
        set_hyperparameters(model, segment_at(schedule, reached))
        reached = train_units(model, X, y, weight, reached, step, method, param, classes)
    return model
