"""What a population-based search exports: the best trial's schedule, and its replay in the script.

A PBT trial's model is not one configuration but the values it was trained with, unit by unit,
along its lineage (its parent, the parent's parent, ... back to round 0). ``best.json`` keeps that
schedule and the lineage; ``best_pipeline.py`` replays it on the study's folds (and then on all
rows) with the very functions the search trained with, written in as source, and the schedule as
literals.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Iterable

from . import pbt_round, pbt_train
from .recipe import literal, source

if TYPE_CHECKING:
    from .records import TrialRecord
    from .runner import Search

#: What the script needs from hpgui to replay a schedule, in the order they are written.
_REPLAY = ((pbt_train, "set_hyperparameters"), (pbt_train, "train_units"), (pbt_train, "segment_at"),
           (pbt_train, "replay_schedule"), (pbt_round, "fit_replayed"))


def lineage(best: "TrialRecord", records: Iterable["TrialRecord"]) -> list[int]:
    """The trial numbers from round 0 to ``best``, parent by parent."""
    by_number = {r.number: r for r in records}
    chain, current = [], best
    while current is not None and current.pbt is not None:
        chain.append(current.number)
        parent = current.pbt.get("parent")
        current = by_number.get(parent) if parent is not None else None
    return chain[::-1]


def best_schedule(search: "Search", best: "TrialRecord", records: Iterable["TrialRecord"]) -> dict[str, Any]:
    """The ``schedule`` entry of best.json: the values by unit along the best trial's lineage."""
    info = best.pbt or {}
    spec = search.model_of(best.params)[0].resource
    return {
        "resource": spec.label if spec is not None else "units",
        "parameter": search.pbt.model.param,
        "units": info.get("units"),
        "round_units": search.pbt.shape.round_units,
        "segments": [{"from_unit": int(start), "params": dict(params)} for start, params in info.get("schedule", [])],
        "lineage": lineage(best, records),
    }


def first_params(best: "TrialRecord") -> dict[str, Any]:
    """The values the best trial's models were built with (round 0 of its lineage)."""
    return dict(best.pbt["schedule"][0][1])


def train_source(search: "Search", best: "TrialRecord") -> str:
    """The script's ``train()``: the schedule as literals and the replay that trains by it."""
    run = search.pbt
    schedule = run.schedule_applied(best.pbt["schedule"])
    helpers = "\n\n\n".join(inspect.getsource(getattr(module, name)).rstrip() for module, name in _REPLAY)
    segments = ",\n".join(f"    [{int(start)}, {source(dict(params))}]" for start, params in schedule)
    return (
        f"{helpers}\n\n\n"
        "# The model was trained in rounds; each segment gives the values it trained with from that unit on\n"
        "# (only those that change during training; the rest are in build_pipeline()).\n"
        f"SCHEDULE = [\n{segments},\n]\n"
        f"UNITS = {literal(int(best.pbt['units']))}\n"
        f"ROUND_UNITS = {literal(int(run.shape.round_units))}\n"
        f"METHOD = {literal(run.model.method)}\n"
        f"PARAM = {literal(run.model.param)}\n\n\n"
        "def train_model(X, y, weight):\n"
        "    return fit_replayed(build_pipeline(), X, y, weight, SCHEDULE, UNITS, ROUND_UNITS, METHOD, PARAM)\n"
    )
