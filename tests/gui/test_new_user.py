"""The window as a new user meets it (issue 13): honest defaults, a baseline, state that does not carry over,
room to read, a window that fits the screen."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hpgui.core.library import load_study

SEARCH_TIMEOUT_MS = 180_000


def load(qtbot, window, path, target=None):
    with qtbot.waitSignal(window.data_panel.datasetLoaded, timeout=60_000):
        window.open_csv(path, target=target)
    qtbot.waitUntil(lambda: not window.binding.timer.isActive(), timeout=5_000)
    window.validate()


def pick_model(window, name):
    index = window.model_panel.model_combo.findData(name)
    assert index >= 0, f"{name} is not offered"
    window.model_panel.model_combo.setCurrentIndex(index)


def set_trials(window, n):
    window.search_panel.trials_box.setChecked(True)
    window.search_panel.trials_spin.setValue(n)
    window.validate()


def run(qtbot, window):
    assert window.actions.start.isEnabled(), window.problems
    with qtbot.waitSignal(window.searchFinished, timeout=SEARCH_TIMEOUT_MS):
        window.start_search()


@pytest.fixture
def id_last_csv(tmp_path):
    """A file whose last column is a text ID (every other row shares one), the target is in the middle."""
    rng = np.random.default_rng(0)
    n = 600
    frame = pd.DataFrame({
        "age": rng.integers(18, 90, n), "dose": rng.normal(size=n),
        "outcome": rng.choice(["alive", "dead"], n),
        "visit": pd.date_range("2020-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
        "record": [f"R{i // 2:05d}x" for i in range(n)],  # 300 distinct text ids
    })
    path = tmp_path / "records.csv"
    frame.to_csv(path, index=False)
    return path


def test_target_never_defaults_to_an_id_or_a_date(qtbot, window, id_last_csv):
    load(qtbot, window, id_last_csv)
    panel = window.data_panel
    profiles = panel.dataset.profiles
    assert profiles["record"].kind in ("id", "text") and profiles["visit"].kind == "datetime"
    assert panel.target() == "outcome"
    assert window.binding.current_task() == "classification"


def test_a_message_lists_at_most_a_few_classes(qtbot, window, id_last_csv):
    load(qtbot, window, id_last_csv)
    window.data_panel.set_target("record")  # the user picks the ID anyway: 300 classes of two rows
    window.validate()
    texts = " ".join(str(p.message) for p in window.problems) + window.data_panel.dataMessage.text()
    assert "… and 29" in texts, texts[:500]
    assert texts.count("has 2 rows") <= 8


@pytest.fixture
def survey_csv(tmp_path):
    """Features that say nothing about the answer; 189 of 236 answered 'no'."""
    rng = np.random.default_rng(4)
    answer = np.array(["no"] * 189 + ["yes"] * 47)
    rng.shuffle(answer)
    frame = pd.DataFrame({"age": rng.integers(18, 80, 236), "noise": rng.normal(size=236), "answer": answer})
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    return path


def test_baseline_on_history_and_in_the_best_panel(qtbot, window, survey_csv):
    load(qtbot, window, survey_csv, target="answer")
    pick_model(window, "decision_tree")
    window.search_panel.metric_combo.setCurrentIndex(window.search_panel.metric_combo.findData("accuracy"))
    set_trials(window, 6)
    run(qtbot, window)
    baseline = window.session.baseline
    assert baseline is not None and baseline.strategy == "prior"
    assert baseline.value == pytest.approx(189 / 236, abs=0.02)
    assert window.history.baseline_value() == pytest.approx(baseline.value)
    text = window.best_panel.baseline_text()
    assert "over always guessing the majority class" in text
    best = window.store.best.value
    gain = best - baseline.value
    assert text.startswith(("⚠ " if gain <= max(baseline.std, window.store.best.std or 0) else "")
                           + ("+" if gain >= 0 else "−"))

    # Reopened from storage, the study shows the same line.
    name = window.study_name
    window.session.clear()
    assert window.history.baseline_value() is None and window.best_panel.baseline_text() == ""
    window.session.show_loaded(load_study(None, name), None, data_follows=False)
    assert window.history.baseline_value() == pytest.approx(baseline.value)
    assert window.best_panel.baseline_text() == text


def test_compared_models_do_not_carry_over_to_the_next_dataset(qtbot, window, survey_csv, id_last_csv):
    from hpgui.gui.window.model_panel import DEFAULT_MODEL

    load(qtbot, window, survey_csv, target="answer")
    panel = window.model_panel
    pick_model(window, "decision_tree")
    panel.compare_list.set_checked(["knn"])
    window.search_panel.metric_combo.setCurrentIndex(window.search_panel.metric_combo.findData("f1_macro"))
    window.validate()
    assert window.binding.build_setup().models == ("decision_tree", "knn")

    load(qtbot, window, id_last_csv)
    assert panel.compare_list.checked() == []
    assert panel.model() == DEFAULT_MODEL["classification"]
    assert window.search_panel.metric() == "accuracy"
    assert window.binding.build_setup().models == (DEFAULT_MODEL["classification"],)
