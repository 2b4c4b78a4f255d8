"""Everything a report needs, computed: the best trial's diagnostics, hyperparameter importance and,
if asked, nested cross-validation. Slow (it refits the model), so the window runs it on a worker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

from ..diagnostics import Diagnostics, diagnose
from ..records import TrialRecord
from .content import ReportContent, gather

if TYPE_CHECKING:
    from ..diagnostics.nested import NestedResult
    from ..runner import Search


class ReportError(ValueError):
    """The report cannot be made; the message says why and what to do."""


def build(search: "Search", records: Sequence[TrialRecord], *, diagnostics: Diagnostics | None = None,
          nested: "NestedResult | None" = None, nested_folds: int | None = None, nested_trials: int | None = None,
          should_stop: Callable[[], bool] = lambda: False,
          progress: Callable[[float, str], None] = lambda fraction, text: None) -> ReportContent:
    """The report's content for ``search``'s study; ``diagnostics``/``nested`` already computed are reused."""
    from ..importance import ImportanceError, compute

    records = list(records)
    best = search.best_of(records)
    if best is None:
        raise ReportError("no trial completed, so there is no best model to report on; run more trials or fix "
                          "the failing ones (their errors are in the trial table)")
    share = 0.5 if nested_folds and nested is None else 0.9
    if diagnostics is None or diagnostics.trial != best.number:
        diagnostics = diagnose(search, best.params, trial=best.number, should_stop=should_stop,
                               progress=lambda f, text: progress(f * share, text))
    test = diagnostics.part("test")
    test_score = test.score if test is not None else None
    if nested is None and nested_folds:
        from ..diagnostics.nested import nested_cv

        nested = nested_cv(search, outer_folds=nested_folds, trials=nested_trials, optimistic=best.value,
                           should_stop=should_stop,
                           progress=lambda f, text: progress(share + f * (0.9 - share), f"Nested CV: {text}"))
    progress(0.92, "Hyperparameter importance")
    importance, note = None, ""
    if search.space:
        try:
            importance = compute(records, search.space, search.metric.direction)
        except ImportanceError as exc:
            note = f"Hyperparameter importance was not computed: {exc}."
    else:
        note = "The search had no hyperparameters to vary."
    progress(1.0, "Done")
    return gather(search, records, diagnostics=diagnostics, nested=nested, test_score=test_score,
                  importance=importance, importance_note=note)
