"""Grid points queued in the study a chunk at a time, so a huge allowed grid starts at once.

A grid search queues its points as waiting trials, which is what lets a stopped or crashed
grid resume exactly where it was. Up to GRID_LIMIT points are queued when the study is made,
as before; a larger grid (``allow_large_grid``) gets as many as its trial budget needs (at
least CHUNK), and the next chunk when those run out. The study remembers how many points it
queued (``hpgui:grid_queued``), so a resume continues the grid's order; a study without
that attribute queued its whole grid.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

from .records import QUEUED_ATTR
from .space import GRID_LIMIT, iter_grid

GRID_QUEUED_ATTR = "hpgui:grid_queued"
CHUNK = 1000


def first_chunk(size: int, budget: int | None) -> int:
    if size <= GRID_LIMIT:
        return size
    return min(size, max(CHUNK, budget or 0))


def queue(search: Any, study: Any, count: int) -> int:
    """Queue the next ``count`` points of ``search``'s grid; returns how many there were."""
    start = int(study.user_attrs.get(GRID_QUEUED_ATTR, 0))
    points = islice(iter_grid(search.space, search.conditions, search.defaults), start, start + count)
    queued = 0
    for config in points:
        study.enqueue_trial(config, user_attrs={QUEUED_ATTR: "grid"})
        queued += 1
    study.set_user_attr(GRID_QUEUED_ATTR, start + queued)
    return queued


def more(search: Any, study: Any) -> int:
    """Queue another chunk if the grid has points left that were never queued; returns how many."""
    queued = study.user_attrs.get(GRID_QUEUED_ATTR)
    if queued is None or int(queued) >= search.grid_points:
        return 0
    return queue(search, study, CHUNK)
