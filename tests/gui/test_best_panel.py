"""The best panel: score ± spread, train gap, the trial it came from, and its hyperparameters."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from hpgui.core.metrics import get_metric
from hpgui.core.records import TrialRecord
from hpgui.gui.best_panel import BestPanel, format_param, format_score


@pytest.fixture
def panel(qtbot):
    widget = BestPanel()
    qtbot.addWidget(widget)
    widget.set_metric(get_metric("accuracy"))
    widget.show()
    return widget


def best_record(**overrides):
    values = dict(number=17, state="complete", value=0.98123, std=0.01234, folds=[0.97, 0.99, 0.984],
                  train_score=0.995, params={"C": 12.3456789, "kernel": "rbf", "gamma": 0.000123456,
                                             "shrinking": True, "max_iter": 1000})
    values.update(overrides)
    return TrialRecord(**values)


def table_rows(panel):
    table = panel.params_table
    return [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]


def test_empty_state_before_any_best(panel):
    assert panel.empty_label.isVisibleTo(panel)
    assert panel.empty_label.text() == "No completed trial yet"
    assert not panel.score_label.isVisibleTo(panel)
    assert not panel.export_button.isEnabled()
    assert panel.export_button.objectName() == "exportBestButton"
    assert panel.params_table.rowCount() == 0


def test_shows_score_std_trial_and_one_row_per_param(panel):
    panel.show_best(best_record(), 40)
    assert panel.score_label.objectName() == "bestScore"
    assert panel.score_label.text() == "0.9812 ± 0.0123"
    assert panel.score_label.isVisibleTo(panel) and not panel.empty_label.isVisibleTo(panel)
    assert panel.trial_label.text() == "trial 17 of 40"
    assert table_rows(panel) == [("C", "12.35"), ("kernel", "rbf"), ("gamma", "0.0001235"),
                                 ("shrinking", "True"), ("max_iter", "1000")]
    assert panel.export_button.isEnabled()
    assert "higher is better" in panel.metric_caption.text() and "Accuracy" in panel.metric_caption.text()
    assert "0.97" in panel.score_label.toolTip()  # per-fold scores on hover


def test_train_score_and_gap(panel):
    panel.show_best(best_record(), 40)
    text = panel.train_label.text()
    assert "train 0.9950" in text and "gap +0.0138" in text
    panel.show_best(best_record(train_score=None), 40)
    assert not panel.train_label.isVisibleTo(panel)


def test_minimising_metric_says_lower_is_better(panel):
    panel.set_metric(get_metric("rmse"))
    panel.show_best(best_record(value=3.2, std=0.25, train_score=2.9), 12)
    assert "lower is better" in panel.metric_caption.text() and "RMSE" in panel.metric_caption.text()
    assert panel.score_label.text() == "3.2000 ± 0.2500"
    assert "gap +0.3000" in panel.train_label.text()  # train error below validation error: positive gap


def test_no_std_shows_the_score_alone(panel):
    panel.show_best(best_record(std=None, folds=None), 3)
    assert panel.score_label.text() == "0.9812"


def test_clearing_returns_to_the_empty_state(panel):
    panel.show_best(best_record(), 40)
    panel.clear()
    assert panel.empty_label.isVisibleTo(panel)
    assert not panel.export_button.isEnabled()
    panel.show_best(best_record(), 40)
    panel.show_best(None, 41)
    assert not panel.export_button.isEnabled() and panel.params_table.rowCount() == 0


def test_buttons_emit(panel, qtbot):
    panel.show_best(best_record(), 40)
    with qtbot.waitSignal(panel.exportRequested):
        qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.copyToManualRequested) as blocker:
        qtbot.mouseClick(panel.manual_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [best_record().params]


def test_changing_the_metric_rewrites_the_labels(panel):
    panel.show_best(best_record(), 40)
    panel.set_metric(get_metric("log_loss"))
    assert "lower is better" in panel.metric_caption.text()
    assert panel.score_label.text() == "0.9812 ± 0.0123"


@pytest.mark.parametrize("value, std, text", [
    (0.98123, 0.01234, "0.9812 ± 0.0123"),
    (31234.56, 812.3, "31235 ± 812"),
    (123.456, None, "123.46"),
    (-0.5, 0.1, "-0.5000 ± 0.1000"),
    (None, None, "—"),
    (2.5e-6, None, "2.5·10⁻⁶"),
])
def test_format_score(value, std, text):
    assert format_score(value, std) == text


@pytest.mark.parametrize("value, text", [
    (12.3456789, "12.35"), (0.000123456, "0.0001235"), (1e-6, "1e-06"), (12345.678, "12346"), (100, "100"),
    (100.0, "100"), ("rbf", "rbf"), (None, "None"), (False, "False"),
])
def test_format_param(value, text):
    assert format_param(value) == text


def test_trial_count_and_metric_name(panel):
    assert panel.metric_label() == "Accuracy"
    panel.show_best(best_record(), 40)
    panel.set_trial_count(55)
    assert panel.trial_label.text() == "trial 17 of 55"
    panel.clear()
    panel.set_trial_count(60)
    assert panel.trial_label.text() == ""
