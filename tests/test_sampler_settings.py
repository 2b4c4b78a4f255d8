"""hpgui's TPE is Optuna's default TPE: a hand-written loop with the same seed draws the same trials."""

from __future__ import annotations

import optuna

from hpgui.core.runner import Search
from hpgui.core.strategies import make_sampler
from tests_support import iris_setup

SPACE = {"max_depth": {"type": "int", "low": 1, "high": 8},
         "min_samples_leaf": {"type": "int", "low": 1, "high": 20, "log": True},
         "criterion": {"type": "categorical", "choices": ["gini", "entropy"]}}


def test_tpe_draws_the_trials_of_a_plain_optuna_loop_with_the_same_seed(iris_csv):
    trials = 14  # past Optuna's 10 random start-up trials, so TPE itself draws the last four
    result = Search(iris_setup(iris_csv, strategy="tpe", trials=trials, space=SPACE), study_name="tpe-same").run()
    ours = [(t.params, t.value) for t in sorted(result.trials, key=lambda t: t.number)]

    by_params = {tuple(sorted(p.items())): v for p, v in ours}

    def objective(trial):
        params = {"max_depth": trial.suggest_int("max_depth", 1, 8),
                  "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 20, log=True),
                  "criterion": trial.suggest_categorical("criterion", ["gini", "entropy"])}
        return by_params[tuple(sorted(params.items()))]  # a KeyError here means another trial was drawn

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=2))
    study.optimize(objective, n_trials=trials)
    assert [t.params for t in study.trials] == [p for p, _ in ours]


def test_the_constant_liar_is_on_only_beside_other_workers():
    assert make_sampler("tpe", 0)._constant_liar is False
    assert make_sampler("tpe", 0, parallel=True)._constant_liar is True
