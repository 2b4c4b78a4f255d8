"""Hyperparameter importance from TrialRecords: the in-memory study, and what the evaluators make of it."""

from __future__ import annotations

import random

import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from hpgui.core import importance
from hpgui.core.importance import ImportanceError, build_study, compute, distributions
from hpgui.core.records import TrialRecord
from hpgui.core.space import Hyperparameter

SPACE = {
    "x": Hyperparameter("float", 1e-3, 1e3, log=True),
    "noise": Hyperparameter("float", 0.0, 1.0),
    "kind": Hyperparameter("categorical", choices=("a", "b")),
    "depth": Hyperparameter("int", 1, 9, step=2),  # only when kind == "b"
}


def study_records(n: int = 60, seed: int = 1) -> list[TrialRecord]:
    """The score depends on x alone; noise and kind do nothing; depth applies to kind b only."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        x = 10 ** rng.uniform(-3, 3)
        params = {"x": x, "noise": rng.random(), "kind": rng.choice(["a", "b"])}
        if params["kind"] == "b":
            params["depth"] = rng.choice([1, 3, 5, 7, 9])
        score = -abs(__import__("math").log10(x) - 1.0)
        out.append(TrialRecord(i, "complete", score, params))
    out.append(TrialRecord(n, "failed", None, {"x": 1.0, "noise": 0.5, "kind": "a"}, error="boom"))
    out.append(TrialRecord(n + 1, "pruned", None, {"x": 1.0, "noise": 0.5, "kind": "a"}))
    return out


def test_distributions_follow_the_space_and_widen_to_values_outside_it():
    space = dict(SPACE, flag=Hyperparameter("categorical", choices=(True, None)),
                 listed=Hyperparameter("float", values=(0.1, 0.5)))
    records = [TrialRecord(0, "complete", 1.0, {"x": 5e3, "depth": 11, "flag": 1, "listed": 0.5, "kind": "c"})]
    d = distributions(space, records)
    assert d["x"] == FloatDistribution(1e-3, 5e3, log=True)  # 5e3 lies outside the searched range
    assert d["noise"] == FloatDistribution(0.0, 1.0)
    assert d["depth"] == IntDistribution(1, 11, step=2)
    assert d["kind"] == CategoricalDistribution(["a", "b", "c"])
    assert d["flag"].choices == (True, None, 1)  # 1 is not the choice True
    assert d["listed"] == CategoricalDistribution([0.1, 0.5])  # explicit values are categorical, as in the runner


def test_the_study_holds_completed_trials_with_conditional_params_absent():
    records = study_records(20)
    study = build_study(records, SPACE, "minimize")
    trials = study.trials
    assert len(trials) == 20  # the failed and the pruned trial have no score
    assert study.direction.name == "MINIMIZE"
    for trial, record in zip(trials, records):
        assert trial.value == record.value
        assert trial.params == record.params
        assert ("depth" in trial.params) == (record.params["kind"] == "b")


def test_ped_anova_finds_the_one_hyperparameter_that_matters():
    result = compute(study_records(80), SPACE, "maximize")
    assert result.method == "ped-anova"
    assert result.names[0] == "x"
    assert result.values[0] > 0.5
    assert sum(result.values) == pytest.approx(1.0)
    assert result.values == sorted(result.values, reverse=True)
    assert result.n_trials == result.n_used == 80
    if importance._conditional_supported():  # Optuna 5 assesses depth, which applies to some trials only
        assert set(result.names) == {"x", "noise", "kind", "depth"} and not result.skipped
    else:
        assert set(result.names) == {"x", "noise", "kind"} and "depth" in result.skipped


def test_fanova_leaves_conditional_hyperparameters_out_and_says_why():
    result = compute(study_records(40), SPACE, "maximize", method="fanova")
    assert result.method == "fanova"
    assert set(result.names) == {"x", "noise", "kind"}
    assert result.names[0] == "x"
    assert "some trials" in result.skipped["depth"]
    assert sum(result.values) == pytest.approx(1.0)


def test_too_few_trials_is_a_clear_message():
    with pytest.raises(ImportanceError, match="at least 10 completed trials; there are 9"):
        compute(study_records(9), SPACE)
    with pytest.raises(ImportanceError, match="unknown importance method"):
        compute(study_records(20), SPACE, method="shap")


def test_many_trials_are_sampled():
    result = compute(study_records(120), SPACE, "maximize", max_trials=50)
    assert result.n_trials == 120 and result.n_used == 50
    assert result.names[0] == "x"


def test_a_trial_whose_value_no_distribution_holds_is_left_out():
    records = study_records(30)
    records[0] = TrialRecord(0, "complete", 0.0, {"x": "auto", "noise": 0.1, "kind": "a"})
    assert len(build_study(records, SPACE, "maximize").trials) == 29
