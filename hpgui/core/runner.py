"""The search loop: budgets, stop, failures and progress callbacks.

:class:`Search` turns a :class:`~hpgui.core.setup.SearchSetup` into an Optuna
study and runs trials until a budget is spent. It knows nothing of Qt: the
window passes ``on_trial`` and ``should_stop`` callables and adapts them to
signals itself.

Every trial is written to the study storage as it finishes, so Stop, a crash
or a closed window never loses a finished trial, and running the same study
again continues where it stopped.
"""

from __future__ import annotations

import math
import secrets
import time
import warnings
import zlib
from datetime import datetime
from typing import Any, Callable, Mapping

from .baseline import study_baseline
from .catalog import ModelSpec, get_model
from .dataset import Dataset, TrainingData, read_table, release_arrow_memory
from .evaluate import Score, cross_validate, make_splits
from .fidelity import make_plan
from .foldcache import FoldCache
from . import grid_queue
from .journal_batch import held, install
from .metrics import default_metric, get_metric
from .progress import Progress, SearchResult  # noqa: F401  (re-exported: callers import them from here)
from .pipeline import check_preprocessing, pipeline_recipe, split_recipe, weight_kwargs
from .recipe import source
from .roles import prepare_study_data
from .splits import arrange
from .records import QUEUED_ATTR, SURPLUS_ATTR, TrialRecord, counted, records_from_frozen, requeue
from .recovery import OWNER_ATTR, fail_stale_trials, worker_id
from .setup import SearchSetup, SetupError
from .space import ordered_names
from .storage import storage_url
from .gradient_strategy import CHAIN_ATTR, CONVERGED, WAIT, GradientPlanner
from .pbt import DONE as PBT_DONE, WAIT as PBT_WAIT
from .pbt_round import population
from .records import PBT_ATTR
from .url_secrets import mask as redact
from .trial_run import read_closed_trial, run_trial, suggest  # noqa: F401  (suggest: used by benchmarks)

#: If this many trials in a row fail from the start, the setup is broken, not unlucky.
FAIL_FAST = 5

class SearchFailed(RuntimeError):
    """The search could not make progress: every trial so far failed."""

    def __init__(self, message: str, first_error: str | None = None):
        super().__init__(message)
        self.first_error = first_error


def default_study_name(setup: SearchSetup) -> str:
    # The random tail keeps two searches started in the same second from resuming each other.
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    models = setup.models
    head = "+".join(models) if len(models) <= 3 else f"{len(models)}-models"
    return f"{head}-{setup.data_path.stem}-{stamp}-{secrets.token_hex(2)}"


class Search:
    """One study: its data, folds, sampler and storage, ready to run trials.

    Construction reads and checks everything (the setup, the data file, the
    stored study if it exists) and raises :class:`SetupError` or
    :class:`~hpgui.core.dataset.DatasetError` with every problem it finds, before any
    trial is spent.
    """

    def __init__(self, setup: SearchSetup, *, dataset: Dataset | None = None, storage: str | None = None,
                 study_name: str | None = None, trials: int | None = None, timeout_s: float | None = None,
                 shared: bool = False):
        """``shared``: other workers run trials of the same study at the same time, so the budgets
        count the whole study's trials (re-read before each trial), not only this worker's."""
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        if setup.data.task or setup.models == ("kmeans",):
            # Catch a broken setup before paying for reading a large file.
            problems = setup.validate()
            if problems:
                raise SetupError(problems)

        self.setup = setup
        self.dataset = dataset if dataset is not None else read_table(
            setup.data_path, sheet=setup.data.sheet, header_row=setup.data.header_row)
        evaluation = setup.evaluation
        # X and y, plus the weight, group and time-order columns and the date columns' parts.
        self.data: TrainingData
        self.data, self.roles = prepare_study_data(self.dataset, setup)
        # X and y are what every trial reads; the frame's rows are not needed again (the study and the
        # exports only describe the file), and keeping them would hold the data twice in every worker.
        self.dataset = self.dataset.header_only()
        release_arrow_memory()  # the frame's columns were pyarrow's
        self.task = self.data.task
        problems = setup.validate(task=self.task) + check_preprocessing(setup.preprocessing, self.data.categorical,
                                                                        self.data.dates)
        if problems:
            raise SetupError(problems)

        self.choice = setup.choice(self.task)
        # The one model of a one-model search; None when the model is itself searched (see model_of).
        self.model: ModelSpec | None = None if self.choice.multi else get_model(self.choice.models[0])
        # No metric chosen: the task's usual one, or balanced accuracy for a strongly imbalanced target.
        name, self.metric_reason = (setup.metric, None) if setup.metric else default_metric(self.task, self.data.y)
        self.metric = get_metric(name)
        self.space = self.choice.space
        self.conditions = self.choice.conditions
        self.defaults = self.choice.defaults
        self.order = ordered_names(self.space, self.conditions)
        self.seed = setup.strategy.seed
        self.budget_trials = trials if trials is not None else setup.budget.trials
        self.timeout_s = timeout_s if timeout_s is not None else setup.budget.timeout_s
        self.is_grid = setup.strategy.name == "grid"
        self.grid_points = self.choice.grid_size() if self.is_grid else 0
        self.shared = shared
        # Workers sharing a study must not draw the same configurations: each seeds its sampler from
        # the study's seed and its own identity. The folds keep the study's seed, so scores compare.
        self.sampler_seed = self.seed
        if shared and self.seed is not None:
            self.sampler_seed = (self.seed * 1_000_003 + zlib.crc32(worker_id().encode())) % 2 ** 32
        self.recovered: list[int] = []  # trials a dead worker left running, failed when the study opened

        # In time order for time folds; the test rows held out by the folds' own rule (hpgui.core.splits).
        rows = arrange(evaluation, self.task, self.data.X, self.data.y, weight=self.roles.weight,
                       groups=self.roles.groups, order=self.roles.order, seed=self.seed)
        X, y = rows.X, rows.y
        self.X_test, self.y_test, self.weight_test = rows.X_test, rows.y_test, rows.weight_test
        self.X, self.y, self.weight, self.groups = X, y, rows.weight, rows.groups
        self.groups_test = rows.groups_test
        self.n_classes = int(y.nunique()) if self.task == "classification" else None
        self.needs_proba = self.metric.needs_proba or (self.metric.name == "roc_auc" and (self.n_classes or 0) > 2)
        self.scorer = self.metric.scorer(self.n_classes)
        self.splits = make_splits(evaluation, self.task, X, y, self.seed, groups=rows.groups)
        self.folds = FoldCache(X, y, self.splits, classification=self.task == "classification",
                               sample_weight=self.weight)
        # Gradient descent: the planner that picks each trial's point from the study's trials.
        self.planner = GradientPlanner(self) if setup.strategy.name == "gradient" else None
        # Trials stopped by a resource: the hyperparameters it sets (max_iter, n_estimators) are not searched.
        self.fidelity = make_plan(setup.strategy.resource, [get_model(m) for m in self.choice.models],
                                  self.splits, self.n_classes)
        if self.fidelity is not None:
            self.space = self.fidelity.space_without(self.space, self.choice.qualified)
            self.order = [name for name in self.order if name in self.space]
        # Population-based training: the planner of the population and the members' trained models.
        self.pbt, self.pbt_planner = population(self)

        self.study_name = study_name or default_study_name(setup)
        self.storage_arg = storage
        self.storage_url = storage_url(storage, self.study_name)
        self.study = self._open_study(optuna)
        self.baseline = study_baseline(self)  # what learning nothing scores on these folds
        # A trial's records reach a journal file in three appends instead of one per record.
        self._batch = install(self.study._storage)

    # -- the study -----------------------------------------------------------
    def stored_setup(self) -> dict[str, Any]:
        """The setup as the study stores it: an absolute data path, so any worker can find the file."""
        data = self.setup.to_json()
        data["data"]["path"] = str(self.setup.data_path.resolve())
        return data

    def _open_study(self, optuna: Any) -> Any:
        from .study_open import open_study

        return open_study(self, optuna)

    # -- trials --------------------------------------------------------------
    def records(self) -> list[TrialRecord]:
        return records_from_frozen(self.study.get_trials(deepcopy=False))

    def best_of(self, records: list[TrialRecord]) -> TrialRecord | None:
        best = None
        for record in records:
            if record.state == "complete" and record.value is not None and math.isfinite(record.value):
                if best is None or self.metric.better(record.value, best.value):
                    best = record
        return best

    def model_of(self, params: Mapping[str, Any]) -> tuple[ModelSpec, dict[str, Any]]:
        """The model a trial's parameters choose, and its own hyperparameters (plain names)."""
        name, own = self.choice.split(params)
        return get_model(name), own

    def recipe(self, params: Mapping[str, Any]) -> Any:
        """The whole pipeline for a trial's parameters, as a buildable (and printable) recipe."""
        model, own = self.model_of(params)
        if self.fidelity is not None:
            own = self.fidelity.estimator_params(model.name, own)
        if self.pbt is not None:
            own = self.pbt.estimator_params(own)
        return pipeline_recipe(model, self.task, own, numeric=self.data.numeric,
                               categorical=self.data.categorical, preprocessing=self.setup.preprocessing,
                               seed=self.seed, needs_proba=self.needs_proba, dates=self.data.dates)

    def build_estimator(self, params: Mapping[str, Any]) -> Any:
        return self.recipe(params).build()

    def evaluate(self, params: Mapping[str, Any],
                 on_fold: Callable[[int, list[float]], None] | None = None, keep: list | None = None) -> Score:
        """Cross-validate one configuration on the study's folds.

        The preprocessing before the model has no searched hyperparameter, so each fold's output
        of it is taken from ``self.folds`` (fitted by the first trial that needed it) and only the
        model is fitted; the scores are those of fitting the whole pipeline per fold.
        """
        prefix, model = split_recipe(self.recipe(params))
        key = "" if prefix is None else source(prefix)

        def fold(index: int):
            return self.folds.fold(key, index, None if prefix is None else prefix.build)

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            score = cross_validate(model.build, fold, len(self.splits), self.scorer, on_fold=on_fold, keep=keep)
        seen: list[str] = []
        for w in caught:
            text = f"{w.category.__name__}: {' '.join(str(w.message).split())}"[:300]
            if text not in seen:
                seen.append(text)
        score.warnings = seen[:3]
        return score

    def study_progress(self) -> tuple[int, TrialRecord | None, int, int]:
        """Finished trials in the whole study, its best, finished trials since the best, running trials.

        A trial cut off by Stop or a dead worker whose point was queued again is not counted: its
        retry is, so a resumed grid with a budget of exactly its size still runs every point.
        """
        records = records_from_frozen(counted(self.study.get_trials(deepcopy=False)))
        finished = [r for r in records if r.state in ("complete", "failed", "pruned")]
        best = self.best_of(records)
        since_best = 0
        for r in finished:
            since_best = 0 if (best is not None and r.number == best.number) else since_best + 1
        return len(finished), best, since_best, sum(r.state == "running" for r in records)

    def _beyond_budget(self, number: int, budget: int) -> bool:
        """True if ``budget`` counted trials were asked before trial ``number`` (numbers follow the order of asking)."""
        if number < budget:
            return False  # fewer trials than that were asked before it at all; no need to read the study
        ahead = sum(1 for t in counted(self.study.get_trials(deepcopy=False))
                    if t.number < number and t.state.name != "WAITING" and not t.user_attrs.get(SURPLUS_ATTR))
        return ahead >= budget

    def _waiting(self) -> int:
        from optuna.trial import TrialState

        return len(self.study.get_trials(deepcopy=False, states=(TrialState.WAITING,)))

    def run(self, on_trial: Callable[[TrialRecord, Progress], None] | None = None,
            should_stop: Callable[[], bool] | None = None,
            paused: Callable[[], bool] | None = None,
            on_begin: Callable[[int], None] | None = None, max_new: int | None = None,
            on_fold: Callable[[int, int, int], None] | None = None) -> SearchResult:
        """Run trials until a budget is spent, the grid is done, or ``should_stop()`` is true.

        While ``paused()`` is true no new trial starts (a running one finishes).
        ``on_begin(number)`` is called when a trial starts (a supervisor times it);
        ``max_new`` caps the trials this call runs, whatever the study's budget;
        ``on_fold(number, folds done, folds)`` after each fold of a trial (a long trial's progress).
        """
        self.fold_callback = on_fold
        should_stop = should_stop or (lambda: False)
        started = time.monotonic()
        done, best, since_best, running = self.study_progress()
        waiting = self._waiting() if self.is_grid else 0
        # Remote workers die without anyone noticing at once; look for their trials now and then.
        watch_remote = self.shared and _has_heartbeat(self.study)
        last_watch = time.monotonic()
        # A population ends when its planner says so; its size is the budget shown.
        budget = None if self.pbt is not None else self.budget_trials
        new = failures = 0
        first_error = None
        reason = "budget"

        while True:
            if watch_remote and time.monotonic() - last_watch > 5.0:
                last_watch = time.monotonic()
                fail_stale_trials(self.study)
            if self.shared:
                done, best, since_best, running = self.study_progress()
                if self.is_grid:
                    waiting = self._waiting()
                reached = self._budget_reached(best, since_best)
                if reached:
                    reason = reached
                    break
            elapsed = time.monotonic() - started
            if max_new is not None and new >= max_new:
                reason = "worker trial limit"
                break
            if budget is not None and done >= budget:
                reason = "budget"
                break
            if self.timeout_s is not None and elapsed >= self.timeout_s:
                reason = "timeout"
                break
            if self.is_grid and waiting <= 0 and not self.shared:
                waiting += grid_queue.more(self, self.study)
            if self.is_grid and waiting <= 0 and not (self.shared and running):
                reason = "grid complete"
                break
            if self.shared and ((self.is_grid and waiting <= 0) or (budget is not None and done + running >= budget)):
                # Other workers run the last trials. Wait rather than leave: if one of them dies, its
                # trial is failed here (and a grid point queued again) and this worker takes over.
                if should_stop():
                    reason = "stopped"
                    break
                time.sleep(0.5)
                fail_stale_trials(self.study)
                continue
            while paused is not None and paused() and not should_stop():
                time.sleep(0.05)
            if should_stop():
                reason = "stopped"
                break
            plan = None
            if self.planner is not None:
                plan = self.planner.next(self.study.get_trials(deepcopy=False))
                if plan == CONVERGED:
                    reason = "converged"
                    break
                if plan == WAIT:  # every unfinished descent waits for another worker's step
                    time.sleep(0.5)
                    fail_stale_trials(self.study)
                    continue
                self.study.sampler.plan = plan.params
            slot = None
            if self.pbt_planner is not None:
                slot = self.pbt_planner.next(self.study.get_trials(deepcopy=False), self.pbt.cache.keys())
                if slot == PBT_DONE:
                    reason = PBT_DONE
                    break
                if slot == PBT_WAIT:  # every unfinished member trains in another worker
                    if should_stop():
                        reason = "stopped"
                        break
                    time.sleep(0.2)
                    fail_stale_trials(self.study)
                    continue
                self.study.sampler.plan = slot.params
                self.pbt.current = slot
            with warnings.catch_warnings():
                # We keep the heartbeat ourselves around each fit (recovery.heartbeat), not through optimize().
                warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed")
                trial = self.study.ask()
            with held(self._batch):  # sent with the trial's suggested values (or whatever is written next)
                trial.set_user_attr(OWNER_ATTR, worker_id())
                if plan is not None:
                    trial.set_user_attr(CHAIN_ATTR, plan.chain)
                if slot is not None:
                    trial.set_user_attr(PBT_ATTR, slot.attr())
            if slot is not None and not self._holds_slot(trial, slot):
                # Another worker asked for the same member's round first: this trial gives way.
                trial.set_user_attr(SURPLUS_ATTR, True)
                self.study.tell(trial, state=_fail_state())
                continue
            if self.is_grid and not trial.user_attrs.get(QUEUED_ATTR):
                # Another worker took the last grid point between our check and our ask.
                trial.set_user_attr(SURPLUS_ATTR, True)
                self.study.tell(trial, state=_fail_state())
                reason = "grid complete"
                break
            if self.shared and budget is not None and self._beyond_budget(trial.number, budget):
                # Other workers asked too between our count and our ask, and the budget had room for fewer
                # trials than were asked: the later ones give way, so the study runs exactly its budget.
                # This worker then waits like any other; if a counted trial's worker dies, it takes over.
                trial.set_user_attr(SURPLUS_ATTR, True)
                requeue(self.study, self.study.tell(trial, state=_fail_state()))
                continue
            if on_begin is not None:
                on_begin(trial.number)
            if self.is_grid:
                waiting -= 1
            try:
                record, stop = run_trial(self, trial, should_stop)
            except (RuntimeError, ValueError) as exc:
                from optuna.exceptions import UpdateFinishedTrialError

                if not (isinstance(exc, UpdateFinishedTrialError) or str(exc).startswith("Cannot tell")):
                    raise
                # Another process closed this trial first (it took this worker for dead); its record stands,
                # and whatever this process still held back for the trial is dropped.
                if self._batch is not None:
                    self._batch.discard()
                record, stop = TrialRecord.from_frozen(read_closed_trial(self, trial._trial_id)), None
            new += 1
            done += 1
            if record.state == "failed" and stop is None:
                failures += 1
                first_error = first_error or record.error
            if record.state == "complete":
                if best is None or self.metric.better(record.value, best.value):
                    best, since_best = record, 0
                else:
                    since_best += 1
            elif stop is None:
                since_best += 1
            if on_trial is not None:
                on_trial(record, Progress(done, self.budget_trials if budget is None else budget,
                                          time.monotonic() - started, best, self.timeout_s))
            if stop is not None:
                reason = stop
                break
            if failures == new and new >= FAIL_FAST:
                raise SearchFailed(
                    f"The first {new} trials all failed, so the search was stopped. The first error was:\n"
                    f"{first_error}", first_error)
            reached = self._budget_reached(best, since_best)
            if reached:
                reason = reached
                break

        if new and failures == new and best is None:
            raise SearchFailed(f"All {new} trials failed. The first error was:\n{first_error}", first_error)
        return self.result(reason, new, time.monotonic() - started)

    def _holds_slot(self, trial: Any, slot: Any) -> bool:
        """Whether this trial keeps its (member, round): its claim is written, then the study re-read.

        Trials are numbered in the order they were asked, so of two claims to one slot the earlier
        stands. An earlier running trial whose claim is not written yet is waited for, briefly.
        """
        if self._batch is not None:
            self._batch.flush()
        for _ in range(100):
            holds = self.pbt_planner.holds(self.study.get_trials(deepcopy=False), trial.number, slot.member,
                                           slot.round)
            if holds is not None:
                return holds
            time.sleep(0.05)
        return True

    def result(self, reason: str, new_trials: int, elapsed_s: float) -> SearchResult:
        """The study as it is now, summed up (also for a search that worker processes ran)."""
        all_records = self.records()
        return SearchResult(
            study_name=self.study_name,
            storage=redact(self.storage_url),
            metric=self.metric,
            trials=all_records,
            best=self.best_of(all_records),
            stop_reason=reason,
            elapsed_s=elapsed_s,
            new_trials=new_trials,
        )

    def _budget_reached(self, best: TrialRecord | None, since_best: int) -> str | None:
        target = self.setup.budget.target_score
        if target is not None and best is not None and not self.metric.better(target, best.value):
            return "target reached"
        patience = self.setup.budget.patience
        if patience is not None and since_best >= patience:
            return "no improvement"
        return None

    # -- after the search ------------------------------------------------------
    def fit_best(self, params: Mapping[str, Any]) -> Any:
        """The pipeline with ``params`` refitted on all training rows (the test rows stay unseen)."""
        if self.pbt is not None:
            # A population's model is its schedule, not one configuration: the best trial with these values.
            return self.pbt.fit_trial(params, self.records())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator = self.build_estimator(params)
            if self.y is None:
                estimator.fit(self.X)
            else:
                estimator.fit(self.X, self.y, **weight_kwargs(estimator, self.weight))
        return estimator

    def test_score(self, fitted: Any) -> float | None:
        """The held-out test score of a fitted pipeline, or None when no rows were held out."""
        if self.X_test is None:
            return None
        weights = {} if self.weight_test is None else {"sample_weight": self.weight_test}
        return float(self.scorer(fitted, self.X_test, self.y_test, **weights))


def _has_heartbeat(study: Any) -> bool:
    from optuna.storages._heartbeat import is_heartbeat_enabled

    return is_heartbeat_enabled(study._storage)


def _fail_state() -> Any:
    from optuna.trial import TrialState

    return TrialState.FAIL
