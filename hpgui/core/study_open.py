"""Opening a search's study: made with its setup, dataset and queued points, or resumed and checked.

A study that exists must be the same search (same data, model, space, folds and metric);
only a space widened by range advice may continue. Opening fails the trials that a dead
worker left running. Storage faults on the way (a full disk, a read-only folder, a server
that does not answer) become a setup problem on the ``storage`` field, before any trial.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Mapping

from .. import __version__
from . import grid_queue
from .records import ATTR_CREATED, ATTR_DATASET, ATTR_SETUP, ATTR_VERSION, QUEUED_ATTR
from .recovery import fail_stale_trials
from .setup import SetupError
from .space import Problem, widens
from .storage import open_storage
from .strategies import make_pruner, make_sampler
from .url_secrets import mask as redact, scrub


def open_study(search: Any, optuna: Any) -> Any:
    """The search's study, made (with its setup, dataset and queued points) or opened and checked."""
    from .storage_faults import describe

    try:
        return _open_or_create(search, optuna)
    except SetupError:
        raise
    except Exception as exc:  # a full disk, a read-only folder, a server gone while the study was made
        message = describe(exc, search.storage_arg or search.storage_url, started=False)
        if message is None:
            raise
        raise SetupError([Problem("storage", message)]) from None

def _open_or_create(search: Any, optuna: Any) -> Any:
    from .journal_repair import JournalDamaged
    from .storage import StorageFolderError

    try:
        storage = open_storage(search.storage_arg, search.study_name)
        existing = set(optuna.get_all_study_names(storage))
    except (JournalDamaged, StorageFolderError):
        raise
    except Exception as exc:  # a mistyped URL, a missing driver, a server that does not answer
        raise SetupError([Problem("storage", f"cannot open the study storage {redact(search.storage_url)}: "
                                             f"{type(exc).__name__}: "
                                             f"{scrub(' '.join(str(exc).split())[:300], search.storage_arg)}")]) \
            from None
    sampler = make_sampler(search.setup.strategy.name, search.sampler_seed, search.budget_trials, parallel=search.shared)
    pruner = make_pruner(search.setup.strategy.pruner, len(search.splits),
                         None if search.fidelity is None else search.fidelity.bounds)
    def resume() -> Any:
        study = optuna.load_study(study_name=search.study_name, storage=storage, sampler=sampler, pruner=pruner)
        _check_same_search(search, study)
        search.recovered = fail_stale_trials(study)
        return study

    if search.study_name in existing:
        return resume()
    try:
        study = optuna.create_study(study_name=search.study_name, storage=storage, sampler=sampler, pruner=pruner,
                                    direction=search.metric.direction)
    except optuna.exceptions.DuplicatedStudyError:
        return resume()  # another `hpgui run` made it a moment ago: join it
    study.set_user_attr(ATTR_SETUP, search.stored_setup())
    study.set_user_attr(ATTR_DATASET, {"path": str(search.dataset.path), "sha256": search.dataset.sha256,
                                       "rows": search.dataset.rows, "columns": len(search.dataset.columns)})
    study.set_user_attr(ATTR_VERSION, __version__)
    study.set_user_attr(ATTR_CREATED, datetime.now().isoformat(timespec="seconds"))
    for config in search.setup.strategy.manual:
        study.enqueue_trial(search.setup.manual_params(search.task, config), user_attrs={QUEUED_ATTR: "manual"})
    if search.is_grid:
        grid_queue.queue(search, study, grid_queue.first_chunk(search.grid_points, search.budget_trials))
    return study


def _check_same_search(search: Any, study: Any) -> None:
    stored = study.user_attrs.get(ATTR_SETUP)
    if stored is None:
        return
    mine = search.stored_setup()
    keys = ("data", "model", "space", "preprocessing", "evaluation", "metric")
    differs = [k for k in keys if json.dumps(stored.get(k), sort_keys=True) != json.dumps(mine.get(k), sort_keys=True)]
    # The seed picks the folds: other folds give incomparable scores; so do other resources' steps.
    for key in ("name", "seed", "resource"):
        if stored.get("strategy", {}).get(key, 0) != mine["strategy"].get(key, 0):
            differs.append(f"strategy {key}")
    # The same search over wider ranges may continue (range advice's "Widen and continue"); a grid
    # queued its points when the study was created, so its space must stay as it was.
    wider = "space" in differs and not search.is_grid and _widens(search, stored.get("space"), mine.get("space"))
    if wider:
        differs.remove("space")
    if differs:
        raise SetupError([Problem("study", f"study {search.study_name!r} already exists with a different "
                                           f"{', '.join(differs)}; resume it with its own setup or "
                                           "choose a new study name")])
    if wider:
        study.set_user_attr(ATTR_SETUP, {**stored, "space": mine["space"]})

def _widens(search: Any, stored: Any, mine: Any) -> bool:
    if not search.setup.is_multi:
        return widens(stored, mine)
    # Several models: each model's own space may only have been widened.
    if not isinstance(stored, Mapping) or not isinstance(mine, Mapping) or set(stored) != set(mine):
        return False
    return all(widens(stored[model], mine[model]) for model in stored)
