"""Over-fitting gaps, ties with the best, the one-standard-error choice, range edges and timeline merging."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hpgui.core import analysis
from hpgui.core.catalog import get_model
from hpgui.core.runner import Search
from hpgui.core.records import TrialRecord
from hpgui.core.setup import SetupError
from hpgui.core.space import Hyperparameter
from test_runner import penguin_setup

TREE = {p.name: p for p in get_model("decision_tree").params_for("classification")}
SVM = {p.name: p for p in get_model("svm").params_for("classification")}
SPACE = {"max_depth": Hyperparameter("int", 2, 20), "min_samples_leaf": Hyperparameter("int", 1, 50, log=True),
         "criterion": Hyperparameter("categorical", choices=("gini", "entropy"))}


def rec(number, value, folds=None, params=None, train=None, state="complete"):
    return TrialRecord(number=number, state=state, value=value, params=params or {},
                       std=float(np.std(folds)) if folds else None, folds=folds, train_score=train)


def test_gap_is_positive_when_training_looks_better_whatever_the_direction():
    assert analysis.gap(0.99, 0.90, greater_is_better=True) == pytest.approx(0.09)
    assert analysis.gap(2.0, 3.5, greater_is_better=False) == pytest.approx(1.5)  # RMSE: lower on train
    assert analysis.gap(0.80, 0.85, greater_is_better=True) < 0


def test_default_gap_threshold_is_in_metric_units():
    assert analysis.default_gap_threshold("accuracy") == 0.05
    assert analysis.default_gap_threshold("rmse", [30.0, 40.0, 50.0]) == pytest.approx(4.0)
    assert analysis.default_gap_threshold("rmse", []) == 0.05


def test_standard_error_uses_the_sample_std_of_the_folds():
    folds = [0.8, 0.9, 1.0]
    assert analysis.standard_error(rec(0, 0.9, folds)) == pytest.approx(0.1 / math.sqrt(3))
    assert analysis.standard_error(rec(0, 0.9, [0.9])) is None
    assert analysis.standard_error(rec(0, 0.9)) is None


def test_ties_are_within_one_standard_error_of_the_best():
    best = rec(3, 0.90, [0.85, 0.90, 0.95])  # SE = 0.05/sqrt(3) = 0.0289
    records = [rec(0, 0.88), rec(1, 0.85), rec(2, 0.872), best, rec(4, 0.871), rec(5, None, state="failed")]
    tied = analysis.tied_with_best(records, best)
    assert [r.number for r in tied] == [0, 2]
    # A minimised metric: the band lies above the best (worse), the rule is symmetric in distance.
    low = rec(1, 2.0, [1.9, 2.0, 2.1])
    assert [r.number for r in analysis.tied_with_best([rec(0, 2.05), low, rec(2, 2.2)], low)] == [0]


def test_one_se_choice_takes_the_simplest_tied_trial():
    best = rec(0, 0.95, [0.93, 0.95, 0.97], {"max_depth": 12, "min_samples_leaf": 1, "criterion": "gini"})
    records = [
        best,
        rec(1, 0.94, None, {"max_depth": 3, "min_samples_leaf": 2, "criterion": "gini"}),   # tied, simple
        rec(2, 0.945, None, {"max_depth": 6, "min_samples_leaf": 2, "criterion": "gini"}),  # tied, less simple
        rec(3, 0.90, None, {"max_depth": 2, "min_samples_leaf": 50, "criterion": "gini"}),  # simplest, not tied
    ]
    choice = analysis.one_se_choice(records, best, SPACE, TREE, greater_is_better=True)
    assert choice.number == 1
    # Equal complexity: the better score wins, then the earlier trial.
    twin = rec(4, 0.945, None, {"max_depth": 3, "min_samples_leaf": 2, "criterion": "entropy"})
    assert analysis.one_se_choice(records + [twin], best, SPACE, TREE, True).number == 4
    same = rec(5, 0.94, None, {"max_depth": 3, "min_samples_leaf": 2, "criterion": "entropy"})
    assert analysis.one_se_choice(records + [same], best, SPACE, TREE, True).number == 1


def test_complexity_follows_the_catalog_directions_on_log_scales():
    assert analysis.complexity({"max_depth": 2, "min_samples_leaf": 50}, SPACE, TREE) == 0.0
    assert analysis.complexity({"max_depth": 20, "min_samples_leaf": 1}, SPACE, TREE) == 2.0
    # min_samples_leaf is log-scaled: 7 is about half-way between 1 and 50, and larger is simpler.
    half = analysis.complexity({"max_depth": 2, "min_samples_leaf": 7}, SPACE, TREE)
    assert half == pytest.approx(1 - math.log10(7) / math.log10(50))
    assert get_model("ridge").param("regression", "alpha").simpler == "higher"
    assert get_model("svm").param("classification", "C").simpler == "lower"
    assert get_model("svm").param("classification", "kernel").simpler is None


def test_range_advice_names_the_edge_and_widens_within_the_hard_limits():
    space = {"C": Hyperparameter("float", 0.01, 100.0, log=True),
             "gamma": Hyperparameter("float", 1e-4, 10.0, log=True)}
    advice = analysis.range_advice({"C": 99.1, "gamma": 0.01}, space, SVM)
    assert [a.name for a in advice] == ["C"]
    assert advice[0].text == "C = 99.1 is at the top of its range 0.01–100"
    assert advice[0].widened == Hyperparameter("float", 0.01, 1000.0, log=True)
    low = analysis.range_advice({"C": 0.0101}, space, SVM)[0]
    assert low.side == "low" and low.widened.low == pytest.approx(0.001)
    # Linear int range: by its width, clipped at the minimum of 1.
    tree = analysis.range_advice({"max_depth": 2}, {"max_depth": Hyperparameter("int", 2, 20)}, TREE)[0]
    assert tree.widened == Hyperparameter("int", 1, 20)
    top = analysis.range_advice({"max_depth": 20}, {"max_depth": Hyperparameter("int", 2, 20)}, TREE)[0]
    assert top.widened == Hyperparameter("int", 2, 38)
    # Already at the hard limit: nothing to offer.
    assert analysis.range_advice({"min_samples_leaf": 1}, {"min_samples_leaf": Hyperparameter("int", 1, 50, log=True)},
                                 TREE) == []
    forest = {p.name: p for p in get_model("random_forest").params_for("classification")}
    assert analysis.range_advice({"max_features": 1.0}, {"max_features": Hyperparameter("float", 0.1, 1.0, log=True)},
                                 forest) == []
    # An open limit (subsample > 0) is approached half way, never reached.
    gb = {p.name: p for p in get_model("gradient_boosting").params_for("classification")}
    wider = analysis.widen(Hyperparameter("float", 0.5, 1.0), "low", gb["subsample"])
    assert wider.low == pytest.approx(0.25)


def test_widens_accepts_only_wider_numeric_ranges():
    old = {"C": {"type": "float", "low": 0.01, "high": 100.0, "log": True},
           "kernel": {"type": "categorical", "choices": ["linear", "rbf"]}}
    wider = {**old, "C": {"type": "float", "low": 0.001, "high": 1000.0, "log": True}}
    assert analysis.widens(old, wider)
    assert not analysis.widens(old, {**old, "C": {"type": "float", "low": 0.1, "high": 1000.0, "log": True}})
    assert not analysis.widens(old, {**old, "C": {"type": "float", "low": 0.001, "high": 1000.0}})
    assert not analysis.widens(old, {**old, "kernel": {"type": "categorical", "choices": ["linear"]}})
    assert not analysis.widens(old, {"C": old["C"]})


def test_a_study_continues_with_wider_ranges_and_refuses_other_changes(penguins_csv):
    setup = penguin_setup(penguins_csv, budget={"trials": 3})
    Search(setup, study_name="widen").run()
    space = {"max_depth": {"type": "int", "low": 1, "high": 16},
             "min_samples_leaf": {"type": "int", "low": 1, "high": 20, "log": True}}
    wider = penguin_setup(penguins_csv, budget={"trials": 5}, space=space)
    result = Search(wider, study_name="widen").run()
    assert result.new_trials == 2 and len(result.trials) == 5
    # The wider range is now the study's own: the old, narrower one no longer matches it.
    with pytest.raises(SetupError, match="different space"):
        Search(setup, study_name="widen")
    narrower = penguin_setup(penguins_csv, space={**space, "max_depth": {"type": "int", "low": 2, "high": 16}})
    with pytest.raises(SetupError, match="different space"):
        Search(narrower, study_name="widen")
    log = penguin_setup(penguins_csv, space={**space, "max_depth": {"type": "int", "low": 1, "high": 16, "log": True}})
    with pytest.raises(SetupError, match="different space"):
        Search(log, study_name="widen")


def test_merge_bars_joins_back_to_back_bars_per_row_and_state():
    row = np.array([0, 0, 0, 0, 1, 1])
    start = np.array([0.0, 1.0, 2.0, 5.0, 0.0, 1.5])
    end = np.array([1.0, 2.0, 3.0, 6.0, 1.0, 2.0])
    state = np.array([0, 0, 1, 0, 0, 0])
    r, s, e, st, n = analysis.merge_bars(row, start, end, state, min_gap=0.6)
    assert r.tolist() == [0, 0, 0, 1]
    assert s.tolist() == [0.0, 2.0, 5.0, 0.0]
    assert e.tolist() == [2.0, 3.0, 6.0, 2.0]
    assert st.tolist() == [0, 1, 0, 0]
    assert n.tolist() == [2, 1, 1, 2]


def test_thin_keeps_one_point_per_cell_and_every_occupied_cell():
    rng = np.random.default_rng(0)
    x, y = rng.random(50_000), rng.random(50_000)
    x[0], y[0] = 0.999, 0.001  # a lone corner point survives thinning
    keep = analysis.thin(x, y, (0, 1), (0, 1), (20, 10))
    cells = {(int(a * 20), int(b * 10)) for a, b in zip(x, y)}
    assert len(keep) == len(cells) == 200
    assert 0 in keep.tolist()
    assert len({(int(x[i] * 20), int(y[i] * 10)) for i in keep}) == len(keep)
    assert analysis.thin(np.empty(0), np.empty(0), (0, 1), (0, 1), (5, 5)).tolist() == []


def test_spread_per_cell_spans_every_bar_of_its_cell():
    rng = np.random.default_rng(3)
    x = rng.random(20_000)
    y = rng.random(20_000)
    low, high = y - rng.random(20_000) * 0.2, y + rng.random(20_000) * 0.2
    first, lows, highs = analysis.spread_per_cell(x, y, low, high, (0, 1), (0, 1), (10, 5))
    cell = np.minimum((x * 10).astype(int), 9) * 5 + np.minimum((y * 5).astype(int), 4)
    assert len(first) == len(np.unique(cell)) == 50
    assert np.all(np.diff(first) > 0)  # in trial order
    for i, lo, hi in zip(first, lows, highs):
        members = cell == cell[i]
        assert i == np.flatnonzero(members)[0]  # the cell's first trial carries its bar
        assert (lo, hi) == (low[members].min(), high[members].max())
    assert [len(a) for a in analysis.spread_per_cell(*(np.empty(0),) * 4, (0, 1), (0, 1), (2, 2))] == [0, 0, 0]


def test_tied_mask_matches_tied_with_best():
    records = [rec(0, 0.80, folds=[0.78, 0.8, 0.82]), rec(1, 0.90, folds=[0.85, 0.9, 0.95]),
               rec(2, 0.88, folds=[0.86, 0.88, 0.9]), rec(3, None, state="failed")]
    values = np.array([0.80, 0.90, 0.88, np.nan])
    assert analysis.tied_mask(values, records[1]).tolist() == [False, True, True, False]
    assert [r.number for r in analysis.tied_with_best(records, records[1], values)] == [2]
    assert analysis.tied_mask(values, None).tolist() == [False] * 4
