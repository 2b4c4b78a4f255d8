"""Multi-fidelity search: trials trained by a resource on the study's fixed folds, pruned at rungs."""

from __future__ import annotations

import numpy as np
import pytest

from hpgui.core.fidelity import Savings, savings
from hpgui.core.records import TrialRecord
from hpgui.core.resources import schedule
from hpgui.core.runner import Search
from hpgui.core.setup import SearchSetup


@pytest.fixture
def digits_csv(tmp_path):
    from sklearn.datasets import load_digits

    frame = load_digits(as_frame=True).frame.iloc[:900]
    frame = frame.assign(probe=np.arange(len(frame)) * 0.5 + 0.25)  # which row a fit saw, as a feature
    path = tmp_path / "digits.csv"
    frame.to_csv(path, index=False)
    return path


def digits_setup(csv, model="mlp", resource="epochs", pruner="hyperband", trials=8, strategy="tpe", space=None):
    spaces = {
        "mlp": {"hidden_layer_sizes": {"type": "categorical", "choices": ["16", "32"]},
                "alpha": {"type": "float", "low": 1e-6, "high": 1e-1, "log": True},
                "learning_rate_init": {"type": "float", "low": 1e-5, "high": 3e-1, "log": True}},
        "sgd": {"alpha": {"type": "float", "low": 1e-6, "high": 1.0, "log": True}},
        "random_forest": {"max_depth": {"type": "int", "low": 1, "high": 12}},
        "hist_gradient_boosting": {"learning_rate": {"type": "float", "low": 0.01, "high": 0.5, "log": True}},
        "decision_tree": {"max_depth": {"type": "int", "low": 1, "high": 12}},
    }
    return SearchSetup.from_json({
        "format": "hpgui-setup/1",
        "data": {"path": str(csv), "target": "target"},
        "model": model,
        "space": space or spaces[model],
        "strategy": {"name": strategy, "seed": 3, "pruner": pruner, "resource": resource},
        "evaluation": {"folds": 3},
        "preprocessing": "none",
        "metric": "accuracy",
        "budget": {"trials": trials},
    })


@pytest.mark.parametrize("model,resource", [("mlp", "epochs"), ("sgd", "epochs"), ("random_forest", "trees"),
                                            ("decision_tree", "rows")])
def test_a_trial_at_the_full_resource_scores_as_plain_cross_validation(digits_csv, tmp_path, model, resource):
    search = Search(digits_setup(digits_csv, model, resource, pruner="none"), storage=str(tmp_path / "s.journal"))
    trial = search.study.ask()
    from hpgui.core.trial_run import sample
    params = sample(search, trial)
    from hpgui.core.fidelity import evaluate_by_resource

    steps: list[int] = []
    stepped = evaluate_by_resource(search, params, lambda value, step, last: steps.append(step))
    plain = search.evaluate(params)  # the pipeline with the full resource, fitted per fold as GridSearchCV does
    assert steps == search.fidelity.steps(model) and len(steps) >= 3
    assert stepped.score.value == pytest.approx(plain.value, abs=1e-9)
    assert stepped.score.folds == pytest.approx(plain.folds, abs=1e-9)
    assert stepped.resource["reached"] == stepped.resource["max"] == steps[-1]


@pytest.mark.parametrize("pruner", ["hyperband", "successive_halving", "median"])
def test_pruned_trials_stop_at_a_rung_and_record_how_far(digits_csv, tmp_path, pruner):
    search = Search(digits_setup(digits_csv, trials=14, pruner=pruner, strategy="random"),
                    storage=str(tmp_path / "s.journal"))
    result = search.run()
    steps = search.fidelity.steps("mlp")
    rungs = set(schedule(5, 200))  # minimum·3^k: where successive halving judges
    pruned = [r for r in result.trials if r.state == "pruned"]
    complete = [r for r in result.trials if r.state == "complete"]
    assert pruned and complete
    for r in pruned:
        assert r.resource["kind"] == "epochs" and r.resource["reached"] < 200
        assert r.resource["reached"] in (rungs if pruner != "median" else set(steps))
        assert r.resource["score"] == pytest.approx(r.curve[-1][1])
        assert [step for step, _ in r.curve] == steps[:len(r.curve)]
    for r in complete:
        assert r.resource["reached"] == 200 and [s for s, _ in r.curve] == steps
        assert r.curve[-1][1] == pytest.approx(r.value)
    saved = savings(result.trials)
    assert saved.trials == len(result.trials) and 0 < saved.fits < saved.full_fits == 3 * len(result.trials)


@pytest.mark.parametrize("resource,model", [("rows", "decision_tree"), ("epochs", "mlp")])
def test_no_validation_row_is_ever_trained_on_and_the_folds_stay_fixed(digits_csv, tmp_path, monkeypatch,
                                                                      resource, model):
    from hpgui.core import resources

    seen: list[np.ndarray] = []
    fit = resources.Trainer._fit
    partial = resources.Trainer._partial_fit

    def record_fit(self, estimator, X, y, w):
        seen.append(np.asarray(X)[:, -1].copy())  # the probe column
        fit(self, estimator, X, y, w)

    def record_partial(self, target):
        seen.append(np.asarray(self.X)[:, -1].copy())
        partial(self, target)

    monkeypatch.setattr(resources.Trainer, "_fit", record_fit)
    monkeypatch.setattr(resources.Trainer, "_partial_fit", record_partial)
    search = Search(digits_setup(digits_csv, model, resource, pruner="successive_halving", trials=6),
                    storage=str(tmp_path / "s.journal"))
    assert list(search.X.columns)[-1] == "probe"
    folds = [(set(search.X["probe"].iloc[train]), set(search.X["probe"].iloc[test]))
             for train, test in search.splits]
    search.run()
    assert len(seen) > 6
    for rows in seen:
        trained = set(rows)
        # Every fit trained on rows of one fold's training part, none of its validation rows.
        matches = [i for i, (train, test) in enumerate(folds) if trained <= train and not trained & test]
        assert matches, "a fit trained on rows outside every fold's training part"


def test_a_resumed_study_continues_its_rungs(digits_csv, tmp_path):
    storage = str(tmp_path / "s.journal")
    first = Search(digits_setup(digits_csv, trials=6, pruner="successive_halving", strategy="random"),
                   storage=storage)
    name = first.study_name
    first.run()
    again = Search(digits_setup(digits_csv, trials=14, pruner="successive_halving", strategy="random"),
                   storage=storage, study_name=name)
    result = again.run()
    assert len(result.trials) == 14 and result.new_trials == 8
    assert {r.state for r in result.trials} <= {"complete", "pruned"}
    assert any(r.state == "pruned" for r in result.trials[6:])
    for r in result.trials:
        assert r.resource["reached"] in set(schedule(5, 200)) | {200}
    # The pruner judged the new trials against the old ones: their rung values are in the same study.
    rung_keys = [k for t in again.study.get_trials() for k in t.system_attrs if "completed_rung" in k]
    assert rung_keys


def test_a_study_cannot_resume_with_another_resource(digits_csv, tmp_path):
    from hpgui.core.setup import SetupError

    storage = str(tmp_path / "s.journal")
    first = Search(digits_setup(digits_csv, trials=2), storage=storage)
    first.run()
    with pytest.raises(SetupError, match="resource"):
        Search(digits_setup(digits_csv, resource="rows", trials=2), storage=storage, study_name=first.study_name)


def test_wilcoxon_prunes_between_folds_on_the_fold_scores(penguins_csv, tmp_path):
    setup = SearchSetup.from_json({
        "format": "hpgui-setup/1", "data": {"path": str(penguins_csv), "target": "species"},
        "model": "decision_tree", "space": {"max_depth": {"type": "int", "low": 1, "high": 6}},
        # The deep tree first, so the stump is tested against it.
        "strategy": {"name": "random", "seed": 0, "pruner": "wilcoxon", "manual": [{"max_depth": 6}, {"max_depth": 1}]},
        "evaluation": {"folds": 10}, "metric": "accuracy", "budget": {"trials": 2}})
    search = Search(setup, storage=str(tmp_path / "s.journal"))
    result = search.run()
    deep, stump = result.trials
    assert deep.params["max_depth"] == 6 and deep.state == "complete"
    assert stump.params["max_depth"] == 1
    assert stump.state == "pruned", "a stump scores far below a 6-deep tree on every fold"
    assert stump.resource["kind"] == "folds" and 3 <= stump.resource["reached"] < 10
    # Wilcoxon pairs fold scores: each reported value is one fold's score, not a running mean.
    frozen = search.study.trials[stump.number]
    assert len(set(frozen.intermediate_values.values())) > 1


def test_setup_checks_the_resource_against_the_model_and_pruner(digits_csv):
    problems = digits_setup(digits_csv, "random_forest", "epochs").validate(task="classification")
    assert any(p.field == "strategy.resource" and "not trained in epochs" in p.message for p in problems)
    problems = digits_setup(digits_csv, "mlp", "rows", pruner="wilcoxon").validate(task="classification")
    assert any(p.field == "strategy.pruner" and "between folds" in p.message for p in problems)
    problems = digits_setup(digits_csv, "mlp", "chunks").validate(task="classification")
    assert any(p.field == "strategy.resource" for p in problems)
    setup = digits_setup(digits_csv, "random_forest", "trees")
    assert setup.validate(task="classification") == []
    assert SearchSetup.from_json(setup.to_json()).strategy.resource == "trees"


def test_the_resource_hyperparameter_is_not_searched_and_the_export_trains_it_fully(digits_csv, tmp_path):
    space = {"hidden_layer_sizes": {"type": "categorical", "choices": ["8"]},
             "alpha": {"type": "float", "low": 1e-5, "high": 1e-2, "log": True},
             "max_iter": {"type": "int", "low": 20, "high": 40},
             "early_stopping": {"type": "categorical", "choices": [True, False]}}
    search = Search(digits_setup(digits_csv, space=space, trials=2, pruner="none"),
                    storage=str(tmp_path / "s.journal"))
    assert "max_iter" not in search.space
    result = search.run()
    assert all("max_iter" not in r.params for r in result.trials)
    estimator = search.build_estimator(result.best.params)  # what the exports fit: the full resource
    assert estimator.get_params()["max_iter"] == 200
    assert estimator.get_params()["early_stopping"] is False


def test_savings_add_up_fits_and_seconds():
    def rec(n, state, reached, fit):
        return TrialRecord(n, state, 0.9 if state == "complete" else None, {}, fit_time_s=fit,
                           resource={"kind": "epochs", "reached": reached, "max": 100, "work": reached, "folds": 5})
    saved = savings([rec(0, "complete", 100, 10.0), rec(1, "pruned", 10, 1.0), rec(2, "pruned", 30, 3.0)])
    assert saved == Savings(3, fits=5 * 1.4, full_fits=15.0, seconds=14.0, full_seconds=30.0)
    assert "8 of 15 fits (53%)" in saved.describe()


def test_grid_search_runs_as_successive_halving_over_the_grid(digits_csv, tmp_path):
    space = {"max_depth": {"type": "int", "values": [1, 2, 3, 6, 10, 14]},
             "criterion": {"type": "categorical", "choices": ["gini", "entropy"]}}
    setup = digits_setup(digits_csv, "decision_tree", "rows", pruner="successive_halving", strategy="grid",
                         space=space, trials=None)
    result = Search(setup, storage=str(tmp_path / "s.journal")).run()
    assert result.stop_reason == "grid complete"
    points = sorted((r.params["max_depth"], r.params["criterion"]) for r in result.trials)
    assert points == sorted((d, c) for d in (1, 2, 3, 6, 10, 14) for c in ("gini", "entropy"))
    pruned = [r for r in result.trials if r.state == "pruned"]
    assert pruned and all(r.resource["kind"] == "rows" and r.resource["reached"] < r.resource["max"]
                          for r in pruned)
    assert result.best.params["max_depth"] >= 6  # stumps on digits never win
