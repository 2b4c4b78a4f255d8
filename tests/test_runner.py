"""The search loop: strategies, budgets, failures, stop, resume, storage."""

from __future__ import annotations

import importlib.util
import math

import pytest

from hpgui.core.catalog import get_model
from hpgui.core.runner import FAIL_FAST, Search, SearchFailed
from hpgui.core.setup import SearchSetup, SetupError
from hpgui.core.space import iter_grid


def penguin_setup(csv, **overrides) -> SearchSetup:
    data = {
        "format": "hpgui-setup/1",
        "data": {"path": str(csv), "target": "species"},
        "model": "decision_tree",
        "space": {
            "max_depth": {"type": "int", "low": 1, "high": 8},
            "min_samples_leaf": {"type": "int", "low": 1, "high": 20, "log": True},
        },
        "strategy": {"name": "tpe", "seed": 1},
        "evaluation": {"folds": 3},
        "metric": "accuracy",
        "budget": {"trials": 8},
    }
    for key, value in overrides.items():
        data[key] = value
    return SearchSetup.from_json(data)


GRID_SPACE = {
    "max_depth": {"type": "int", "values": [2, 3, 5]},
    "criterion": {"type": "categorical", "choices": ["gini", "entropy"]},
}


@pytest.mark.parametrize("strategy", ["grid", "random", "tpe", "gp", "cmaes", "qmc", "nsga2"])
def test_each_strategy_runs_on_penguins(penguins_csv, strategy):
    overrides = {"strategy": {"name": strategy, "seed": 3}}
    if strategy == "grid":
        overrides["space"] = GRID_SPACE
        overrides["budget"] = {"trials": None}
    if strategy == "gp" and importlib.util.find_spec("torch") is None:
        # Without PyTorch the GP strategy must refuse clearly, before any trial runs.
        with pytest.raises(SetupError, match="needs PyTorch"):
            Search(penguin_setup(penguins_csv, **overrides))
        return
    seen = []
    search = Search(penguin_setup(penguins_csv, **overrides), study_name=f"penguins-{strategy}")
    assert search.data.X.shape == (344, 7)  # species is the target; nothing is dropped
    result = search.run(on_trial=lambda record, progress: seen.append((record.number, progress.done)))
    expected = 6 if strategy == "grid" else 8
    assert len(result.trials) == expected
    assert [n for n, _ in seen] == sorted(n for n, _ in seen)
    assert [done for _, done in seen] == list(range(1, expected + 1))
    assert all(t.state == "complete" for t in result.trials), [t.error for t in result.trials]
    assert 0.85 < result.best.value <= 1.0
    assert result.best.value == max(t.value for t in result.trials)
    for trial in result.trials:
        assert len(trial.folds) == 3
        assert trial.train_score is not None and trial.duration_s > 0
        assert 1 <= trial.params["max_depth"] <= 8
    if strategy == "grid":
        points = {(t.params["max_depth"], t.params["criterion"]) for t in result.trials}
        assert len(points) == 6


def test_a_failing_configuration_is_recorded_and_the_search_goes_on(penguins_csv, monkeypatch):
    search = Search(penguin_setup(penguins_csv, budget={"trials": 10}), study_name="some-fail")
    recipe = search.recipe

    def flaky(params):
        if params["max_depth"] % 2 == 0:
            raise ValueError(f"depth {params['max_depth']} is cursed")
        return recipe(params)

    monkeypatch.setattr(search, "recipe", flaky)
    result = search.run()
    failed = [t for t in result.trials if t.state == "failed"]
    complete = [t for t in result.trials if t.state == "complete"]
    assert len(result.trials) == 10
    assert failed and complete
    assert all(t.error.startswith("ValueError: depth") and "cursed" in t.error for t in failed)
    assert all(t.params["max_depth"] % 2 == 0 for t in failed)
    assert result.best.params["max_depth"] % 2 == 1


def test_when_every_trial_fails_the_search_stops_quoting_the_error(tmp_path):
    csv = tmp_path / "holes.csv"
    csv.write_text("a,b,y\n" + "".join(f"{i},{'' if i % 3 else i},{i % 2}\n" for i in range(60)))
    setup = SearchSetup.from_json({
        "data": {"path": str(csv), "target": "y", "task": "classification"},
        "model": "svm", "preprocessing": "none",
        "space": {"C": {"type": "float", "low": 0.1, "high": 10, "log": True}},
        "strategy": {"name": "random"}, "budget": {"trials": 50},
    })
    search = Search(setup, study_name="all-fail")
    with pytest.raises(SearchFailed, match="NaN") as info:
        search.run()
    assert f"first {FAIL_FAST} trials all failed" in str(info.value)
    records = search.records()
    assert len(records) == FAIL_FAST
    assert all(r.state == "failed" and "NaN" in r.error for r in records)


def test_stop_keeps_finished_trials_and_leaves_none_running(penguins_csv):
    search = Search(penguin_setup(penguins_csv, budget={"trials": 50}), study_name="stop")
    done = []
    result = search.run(on_trial=lambda r, p: done.append(r), should_stop=lambda: len(done) >= 3)
    assert result.stop_reason == "stopped"
    assert len(result.trials) == 3
    assert {t.state for t in result.trials} == {"complete"}


def test_stop_between_folds_marks_the_interrupted_trial_failed(penguins_csv):
    search = Search(penguin_setup(penguins_csv, budget={"trials": 50}), study_name="stop-mid")
    calls = []

    def should_stop():
        calls.append(1)
        return len(calls) > 4  # loop, folds 1-2 of trial 0 (not the last), loop; then trial 1's first fold

    result = search.run(should_stop=should_stop)
    assert result.stop_reason == "stopped"
    states = [t.state for t in result.trials]
    assert states == ["complete", "failed"]
    assert "stopped" in result.trials[1].error
    assert all(t.state != "running" for t in search.records())


def test_timeout_patience_and_target_end_the_search(penguins_csv):
    result = Search(penguin_setup(penguins_csv, budget={"trials": None, "timeout_s": 0.5}),
                    study_name="timeout").run()
    assert result.stop_reason == "timeout"
    assert result.elapsed_s < 10

    setup = penguin_setup(penguins_csv, strategy={"name": "random", "seed": 0},
                          budget={"trials": 200, "patience": 4})
    result = Search(setup, study_name="patience").run()
    assert result.stop_reason == "no improvement"
    numbers = [t.number for t in result.trials]
    assert numbers[-1] - result.best.number == 4

    setup = penguin_setup(penguins_csv, budget={"trials": 200, "target_score": 0.9})
    result = Search(setup, study_name="target").run()
    assert result.stop_reason == "target reached"
    assert result.best.value >= 0.9
    assert result.trials[-1].number == result.best.number


def test_a_stopped_grid_resumes_without_repeating_points(penguins_csv):
    setup = penguin_setup(penguins_csv, strategy={"name": "grid"}, space=GRID_SPACE, budget={"trials": None})
    first = Search(setup, study_name="resume-grid")
    done = []
    first.run(on_trial=lambda r, p: done.append(r), should_stop=lambda: len(done) >= 2)
    assert len(first.records()) == 2

    again = Search(setup, study_name="resume-grid")
    result = again.run()
    assert result.new_trials == 4
    assert result.stop_reason == "grid complete"
    points = [(t.params["max_depth"], t.params["criterion"]) for t in result.trials]
    assert len(points) == len(set(points)) == 6


def test_a_grid_cut_off_mid_trial_resumes_every_point_within_a_budget_of_its_size(penguins_csv):
    # The budget equals the grid's size: the cut-off trial must not use up the retry of its point.
    setup = penguin_setup(penguins_csv, strategy={"name": "grid"}, space=GRID_SPACE, budget={"trials": 6})
    first = Search(setup, study_name="cut-grid")
    calls = []

    def should_stop():
        calls.append(1)
        return len(calls) > 4  # as above: trial 1 is cut off in its first fold

    first.run(should_stop=should_stop)
    assert [r.state for r in first.records()] == ["complete", "failed"]

    result = Search(setup, study_name="cut-grid").run()
    complete = [t for t in result.trials if t.state == "complete"]
    points = {(t.params["max_depth"], t.params["criterion"]) for t in complete}
    assert len(complete) == len(points) == 6
    assert len(result.trials) == 7  # the six points and the one failed trial


def test_resuming_with_a_different_setup_is_refused(penguins_csv):
    Search(penguin_setup(penguins_csv, budget={"trials": 1}), study_name="mine").run()
    other = penguin_setup(penguins_csv, metric="balanced_accuracy", budget={"trials": 1})
    with pytest.raises(SetupError, match="already exists with a different metric"):
        Search(other, study_name="mine")


def test_trial_budget_counts_the_whole_study(penguins_csv):
    setup = penguin_setup(penguins_csv, budget={"trials": 3})
    Search(setup, study_name="budget").run()
    result = Search(setup, study_name="budget", trials=5).run()
    assert result.new_trials == 2
    assert len(result.trials) == 5


def test_manual_configurations_run_first(penguins_csv):
    manual = [{"max_depth": 7, "min_samples_leaf": 2}, {"max_depth": 1, "min_samples_leaf": 19}]
    setup = penguin_setup(penguins_csv, strategy={"name": "tpe", "seed": 0, "manual": manual},
                          budget={"trials": 4})
    result = Search(setup, study_name="manual").run()
    assert [t.params for t in result.trials[:2]] == manual


def test_a_conditional_grid_never_crosses_gamma_with_a_linear_kernel(iris_csv):
    space = {"kernel": {"type": "categorical", "choices": ["linear", "rbf"]},
             "C": {"type": "float", "values": [0.5, 5]},
             "gamma": {"type": "float", "values": [0.01, 0.1, 1]}}
    setup = SearchSetup.from_json({"data": {"path": str(iris_csv), "target": "species"}, "model": "svm",
                                   "space": space, "strategy": {"name": "grid"}, "budget": {"trials": None}})
    model = get_model("svm")
    expected = list(iter_grid(setup.space, model.conditions("classification"),
                              model.estimator_defaults("classification")))
    assert len(expected) == 2 + 2 * 3
    result = Search(setup, study_name="cond").run()
    assert sorted(map(repr, (t.params for t in result.trials))) == sorted(map(repr, expected))
    assert all("gamma" not in t.params for t in result.trials if t.params["kernel"] == "linear")


def test_pruning_stops_poor_trials_between_folds(penguins_csv):
    setup = penguin_setup(penguins_csv, strategy={"name": "random", "seed": 0, "pruner": "median"},
                          evaluation={"folds": 5}, budget={"trials": 30})
    result = Search(setup, study_name="prune").run()
    pruned = [t for t in result.trials if t.state == "pruned"]
    assert pruned, "the median pruner pruned nothing in 30 random trees"
    assert result.best.state == "complete"


@pytest.mark.parametrize("evaluation, folds", [
    ({"method": "repeated_kfold", "folds": 3, "repeats": 2}, 6),
    ({"method": "holdout", "holdout_fraction": 0.25}, 1),
    ({"folds": 4, "shuffle": False}, 4),
])
def test_evaluation_methods(penguins_csv, evaluation, folds):
    setup = penguin_setup(penguins_csv, evaluation=evaluation, budget={"trials": 2})
    result = Search(setup, study_name="eval").run()
    assert all(len(t.folds) == folds for t in result.trials)


def test_held_out_test_rows_are_scored_once_at_the_end(penguins_csv):
    setup = penguin_setup(penguins_csv, evaluation={"folds": 3, "test_fraction": 0.25}, budget={"trials": 3})
    search = Search(setup, study_name="test-fraction")
    assert len(search.X) + len(search.X_test) == 344
    assert len(search.X_test) == 86
    result = search.run()
    fitted = search.fit_best(result.best.params)
    score = search.test_score(fitted)
    assert 0.8 < score <= 1.0
    assert score == pytest.approx((fitted.predict(search.X_test) == search.y_test).mean())


def test_regression_metrics_keep_their_natural_sign(tmp_path):
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True).frame
    csv = tmp_path / "diabetes.csv"
    frame.to_csv(csv, index=False)
    setup = SearchSetup.from_json({"data": {"path": str(csv), "target": "target"}, "model": "ridge",
                                   "metric": "rmse", "strategy": {"name": "random"}, "budget": {"trials": 4}})
    search = Search(setup, study_name="rmse")
    assert search.task == "regression"
    assert search.metric.direction == "minimize"
    result = search.run()
    assert all(30 < t.value < 100 for t in result.trials)  # diabetes RMSE is ~55, not -55
    assert result.best.value == min(t.value for t in result.trials)


def test_kmeans_is_scored_with_silhouette(iris_csv):
    setup = SearchSetup.from_json({"data": {"path": str(iris_csv), "target": None, "task": "clustering"},
                                   "model": "kmeans", "strategy": {"name": "random"}, "budget": {"trials": 3},
                                   "space": {"n_clusters": {"type": "int", "low": 2, "high": 6}}})
    search = Search(setup, study_name="kmeans")
    assert "species" in search.data.features  # no target: every usable column is a feature
    result = search.run()
    assert search.metric.name == "silhouette"
    assert all(-1 <= t.value <= 1 and math.isfinite(t.value) for t in result.trials)


def test_probability_metrics_work_for_an_svm_without_deprecated_options(iris_csv):
    setup = SearchSetup.from_json({"data": {"path": str(iris_csv), "target": "species"}, "model": "svm",
                                   "metric": "log_loss", "strategy": {"name": "random"}, "budget": {"trials": 2},
                                   "space": {"C": {"type": "float", "low": 0.1, "high": 10, "log": True}}})
    search = Search(setup, study_name="svm-proba")
    result = search.run()
    assert search.metric.direction == "minimize"
    assert all(t.state == "complete" and 0 < t.value < 1.2 for t in result.trials)
    assert not any("FutureWarning" in w for t in result.trials for w in t.warnings)
    assert type(search.build_estimator({"C": 1.0})[-1]).__name__ == "CalibratedClassifierCV"


def test_resuming_with_another_seed_is_refused_because_the_folds_differ(penguins_csv):
    Search(penguin_setup(penguins_csv, budget={"trials": 1}), study_name="seeded").run()
    other = penguin_setup(penguins_csv, strategy={"name": "tpe", "seed": 99}, budget={"trials": 2})
    with pytest.raises(SetupError, match="strategy seed"):
        Search(other, study_name="seeded")


def test_default_study_names_do_not_collide(penguins_csv):
    from hpgui.core.runner import default_study_name

    setup = penguin_setup(penguins_csv)
    assert len({default_study_name(setup) for _ in range(50)}) == 50


def test_a_grid_point_cut_off_by_stop_runs_again_on_resume(penguins_csv):
    setup = penguin_setup(penguins_csv, strategy={"name": "grid"}, space=GRID_SPACE, budget={"trials": None})
    calls = []

    def should_stop():
        calls.append(1)
        return len(calls) > 2  # the loop check, then the first fold of trial 0: stop mid-trial

    first = Search(setup, study_name="grid-cut")
    assert first.run(should_stop=should_stop).stop_reason == "stopped"
    assert [t.state for t in first.records()] == ["failed"]
    result = Search(setup, study_name="grid-cut").run()
    points = {(t.params["max_depth"], t.params["criterion"]) for t in result.trials if t.state == "complete"}
    assert len(points) == 6, "the interrupted grid point was never scored"


def test_an_unreachable_storage_is_a_setup_problem_not_a_traceback(penguins_csv):
    with pytest.raises(SetupError, match="cannot open the study storage postgresql://u:\\*\\*\\*@"):
        Search(penguin_setup(penguins_csv), storage="postgresql://u:secret@127.0.0.1:1/none", study_name="x")


def test_a_trial_closed_by_another_process_mid_fit_does_not_end_the_search(penguins_csv):
    # Another worker may judge this one dead (a lagging heartbeat) and fail its trial while it still fits.
    from optuna.trial import TrialState

    search = Search(penguin_setup(penguins_csv, budget={"trials": 3}), study_name="closed-elsewhere")

    def on_begin(number):
        if number == 1:
            trial_id = search.study.get_trials(deepcopy=False)[number]._trial_id
            search.study._storage.set_trial_state_values(trial_id, TrialState.FAIL)

    result = search.run(on_begin=on_begin)
    assert [t.state for t in result.trials] == ["complete", "failed", "complete"]
    assert result.stop_reason == "budget"
