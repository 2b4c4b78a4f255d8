"""An honest estimate: nested cross-validation of the whole tuning procedure.

The best trial's CV score is optimistic: it is the maximum of many noisy scores on the
same folds. Here the study's training rows are cut into outer folds; inside each outer
training part the same search runs again (the same setup, strategy, budget and inner
folds, through :class:`~hpgui.core.runner.Search`), and its best model, refitted on that
part, is scored once on the outer rows it never saw. The mean of those scores is what a
model tuned this way can be expected to score.

The inner studies live in a scratch folder that is removed afterwards; the user's study
is only read.
"""

from __future__ import annotations

import dataclasses
import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ..dataset import DatasetError, read_table
from ..evaluate import EvaluationSpec, Interrupted, splitter_recipe

if TYPE_CHECKING:
    from ..runner import Search

OUTER_FOLDS = 3
Progress = Callable[[float, str], None]


class NestedError(ValueError):
    """Nested cross-validation cannot run; the message says why and what to do."""


@dataclass
class OuterFold:
    fold: int
    rows: int                 # outer held-out rows
    params: dict[str, Any]    # what the inner search chose
    inner_score: float        # its best (optimistic) CV score inside the outer training part
    outer_score: float        # its score on the outer held-out rows
    trials: int


@dataclass
class NestedResult:
    metric: str
    greater_is_better: bool
    folds: list[OuterFold]
    trials_per_search: int
    optimistic: float | None  # the study's best CV score, for comparison
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def scores(self) -> np.ndarray:
        return np.array([f.outer_score for f in self.folds], dtype=float)

    @property
    def mean(self) -> float:
        return float(np.mean(self.scores))

    @property
    def std(self) -> float:
        return float(np.std(self.scores))


def nested_cv(search: "Search", *, outer_folds: int = OUTER_FOLDS, trials: int | None = None,
              optimistic: float | None = None, should_stop: Callable[[], bool] = lambda: False,
              progress: Progress = lambda fraction, text: None) -> NestedResult:
    """Run the study's search inside ``outer_folds`` outer folds of its training rows.

    ``trials``: the budget of each inner search (default: the study's trial budget). Raises
    :class:`NestedError` for a setup that cannot be nested and :class:`Interrupted` when stopped.
    """
    from ..runner import Search

    if not isinstance(outer_folds, int) or outer_folds < 2:
        raise NestedError("nested cross-validation needs at least 2 outer folds")
    setup = search.setup
    trials = trials if trials is not None else setup.budget.trials
    if trials is None:
        raise NestedError("the study has no trial budget (it stops on time); give the number of trials each "
                          "inner search should run")
    if trials < 1:
        raise NestedError("each inner search needs at least 1 trial")
    X, y = search.X, search.y
    if search.task == "classification":
        smallest = int(y.value_counts().min())
        if smallest < outer_folds:
            raise NestedError(f"the rarest class has {smallest} training rows, fewer than the {outer_folds} outer "
                              "folds; use fewer outer folds")
    try:
        dataset = read_table(setup.data_path)
    except DatasetError as exc:
        raise NestedError(f"cannot read the study's data file again: {exc}") from None
    if search.dataset.sha256 and dataset.sha256 != search.dataset.sha256:
        raise NestedError(f"{setup.data_path} changed since the study was made (its checksum differs), so its "
                          "rows are not the ones the study searched; restore the file or start a new study")
    started = time.monotonic()
    seed = search.seed if search.seed is not None else 0
    outer = splitter_recipe(EvaluationSpec(method="kfold", folds=outer_folds, shuffle=True), search.task, seed)
    splits = list(outer.build().split(X, y))
    inner_setup = dataclasses.replace(setup, evaluation=dataclasses.replace(setup.evaluation, test_fraction=None))
    folds: list[OuterFold] = []
    total = outer_folds * trials
    with tempfile.TemporaryDirectory(prefix="hpgui-nested-") as scratch:
        for k, (train, test) in enumerate(splits):
            if should_stop():
                raise Interrupted("stopped")
            progress(k * trials / total, f"Outer fold {k + 1} of {outer_folds}: searching")
            part = dataclasses.replace(dataset, frame=dataset.frame.loc[X.index[train]])
            try:
                inner = Search(inner_setup, dataset=part, storage=str(Path(scratch) / f"outer-{k}.journal"),
                               study_name=f"outer-{k}", trials=trials)
            except DatasetError as exc:
                raise NestedError(f"outer fold {k + 1}: {exc}; use fewer outer folds") from None

            def on_trial(record: Any, state: Any, k: int = k) -> None:
                progress(min(0.999, (k * trials + state.done) / total),
                         f"Outer fold {k + 1} of {outer_folds}: trial {state.done} of {trials}")

            result = inner.run(on_trial=on_trial, should_stop=should_stop)
            if result.stop_reason == "stopped":
                raise Interrupted("stopped")
            if result.best is None:
                raise NestedError(f"no trial of the search in outer fold {k + 1} succeeded")
            fitted = inner.fit_best(result.best.params)
            rows_X = X.iloc[test]
            rows_y = None if y is None else y.iloc[test]
            score = float(inner.scorer(fitted, rows_X, rows_y))
            if not math.isfinite(score):
                raise NestedError(f"the model chosen in outer fold {k + 1} scored {score} on its outer rows")
            folds.append(OuterFold(k, len(test), dict(result.best.params), float(result.best.value), score,
                                   len(result.trials)))
    progress(1.0, "Done")
    notes = []
    if setup.evaluation.test_fraction:
        notes.append("the outer folds split the training rows; the test set stays untouched")
    return NestedResult(search.metric.label, search.metric.greater_is_better, folds, trials, optimistic,
                        time.monotonic() - started, notes)
