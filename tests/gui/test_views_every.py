"""Every analysis tab copes with the studies users make: a minimised metric, one trial, nothing but failures."""

from __future__ import annotations

import pytest

from hpgui.core.metrics import get_metric
from hpgui.core.records import TrialRecord
from hpgui.core.space import Hyperparameter
from hpgui.core.trials import TrialStore
from hpgui.gui.views import VIEW_CLASSES

SPACE = {
    "alpha": Hyperparameter("float", 1e-4, 10.0, log=True),
    "fit_intercept": Hyperparameter("categorical", choices=(True, False)),
}
RMSE = get_metric("rmse")


def regression_records(count: int) -> list[TrialRecord]:
    return [TrialRecord(number=n, state="complete", value=30.0 + (n * 7919) % 13, std=1.5,
                        folds=[29.0 + n % 3, 31.0, 30.5], train_score=25.0 + n % 5,
                        params={"alpha": 10 ** (-4 + (n % 9) * 0.6), "fit_intercept": n % 2 == 0},
                        fit_time_s=0.01, worker="host:1")
            for n in range(count)]


@pytest.mark.parametrize("view_class", VIEW_CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("case", ["minimised metric", "one trial", "all failed"])
def test_every_view_draws_a_minimised_metric_a_single_trial_and_an_all_failed_study(qtbot, view_class, case):
    if case == "minimised metric":
        records = regression_records(30)
    elif case == "one trial":
        records = regression_records(1)
    else:
        records = [TrialRecord(number=n, state="failed", value=None, params={"alpha": 0.1, "fit_intercept": True},
                               error="ValueError: no") for n in range(4)]
    store = TrialStore(RMSE.direction, list(SPACE))
    store.add(records)
    view = view_class()
    qtbot.addWidget(view)
    view.resize(900, 560)
    view.show()
    view.set_context(SPACE, RMSE)
    assert view.refresh(store)
    assert not view.grab().isNull()  # painting must not raise either
    drawn = view.plotted()
    assert isinstance(drawn, dict) and drawn
    store.add(regression_records(40)[len(records):])  # more trials arrive, as in a live search
    assert view.refresh(store)
    view.grab()
