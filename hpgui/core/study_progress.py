"""One progress for a study that several workers feed.

Each worker reports the study's progress as it read it from storage after its own trial; the reports
arrive out of order ("29/30" from one worker, then "27/30" read earlier by another, with an older
best). The pool passes every report through :class:`MergedProgress`, so what the user sees only moves
forward: the count never falls, and the best is the one from the most recent read of the study.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any


class MergedProgress:
    def __init__(self) -> None:
        self.done = 0
        self.best: Any = None
        self._finished: set[int] = set()

    def update(self, record: Any, progress: Any) -> Any:
        """``progress`` as one worker reported it with ``record`` -> the study's, never behind an earlier one."""
        if record is not None and record.state in ("complete", "failed", "pruned"):
            self._finished.add(record.number)
        if progress is None:
            return None
        # The worker that read the study last (the highest count) saw its newest best.
        if progress.done >= self.done:
            self.best = progress.best
        self.done = max(self.done, progress.done, len(self._finished))
        return replace(progress, done=self.done, best=self.best)
