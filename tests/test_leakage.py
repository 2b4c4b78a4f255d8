"""Leakage hints: a feature that alone gives the target away is flagged, ordinary features are not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hpgui.core.leakage import leakage_hints, summary


@pytest.fixture
def patients():
    rng = np.random.default_rng(0)
    n = 2000
    dead = rng.random(n) < 0.3
    severity = np.where(dead, "S4", rng.choice(["S1", "S2", "S3"], n))
    flip = rng.random(n) < 0.03  # the code is wrong for 3 % of rows
    severity = np.where(flip, rng.choice(["S1", "S2", "S3", "S4"], n), severity)
    age = rng.normal(60, 10, n) + 5 * dead  # helps, as a real feature does, but far from perfectly
    weight = rng.normal(3200, 500, n)
    return pd.DataFrame({"age": age, "severity": severity, "noise": rng.normal(size=n),
                         "outcome": np.where(dead, "dead", "alive"), "weight": weight,
                         "low_birth_weight": (weight < 2500).astype(int), "parity": rng.integers(0, 4, n),
                         "gestation": weight / 100 + rng.normal(0, 4, n)})


def test_a_code_that_means_the_outcome_is_flagged(patients):
    hints = leakage_hints(patients, "outcome", "classification", ["age", "severity", "noise", "parity"])
    assert [h.column for h in hints] == ["severity"]
    assert hints[0].score > 0.9 and "alone predicts 'outcome' almost perfectly" in hints[0].reason


def test_a_flag_cut_from_the_target_is_flagged(patients):
    hints = leakage_hints(patients, "weight", "regression", ["low_birth_weight", "parity", "gestation", "noise"])
    assert [h.column for h in hints] == ["low_birth_weight"]
    assert "looks derived from 'weight'" in hints[0].reason


def test_a_copy_of_a_numeric_target_is_flagged_by_its_score(patients):
    frame = patients.assign(weight_kg=patients["weight"] / 1000)
    hints = leakage_hints(frame, "weight", "regression", ["weight_kg", "noise"])
    assert [h.column for h in hints] == ["weight_kg"] and hints[0].score > 0.95


def test_the_message_lists_are_capped(patients):
    frame = patients.copy()
    for i in range(6):
        frame[f"copy{i}"] = frame["severity"]
    hints = leakage_hints(frame, "outcome", "classification", [f"copy{i}" for i in range(6)])
    lines = summary(hints)
    assert len(hints) == 6 and len(lines) == 4 and lines[-1].startswith("⚠ Also suspiciously strong alone")


def test_clustering_and_missing_targets_give_nothing(patients):
    assert leakage_hints(patients, "outcome", "clustering", ["severity"]) == []
    assert leakage_hints(patients, "nope", "classification", ["severity"]) == []
