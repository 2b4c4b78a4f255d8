"""The trial table model: sorting, appending, the best row, selection that survives sorting."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt

from hpgui.core.records import TrialRecord
from hpgui.core.trials import TrialStore
from hpgui.gui.trial_table import NUMBER_ROLE, TrialTable


def rec(n, value, state="complete", **params):
    return TrialRecord(number=n, state=state, value=value if state == "complete" else None, params=params,
                       error="ValueError: bad" if state == "failed" else None)


def column_numbers(model):
    return [model.index(r, 0).data(NUMBER_ROLE) for r in range(model.rowCount())]


def test_sorting_by_score_puts_missing_scores_last_both_ways(qtbot):
    store = TrialStore("maximize")
    store.add([rec(0, 0.5, C=1.0), rec(1, None, "failed", C=2.0), rec(2, 0.9, C=0.5), rec(3, 0.7, C=3.0)])
    table = TrialTable(store)
    qtbot.addWidget(table)
    model = table.source
    model.set_params(["C"])
    assert column_numbers(model) == [0, 1, 2, 3]
    table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert column_numbers(model) == [2, 3, 0, 1]
    table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    assert column_numbers(model) == [0, 3, 2, 1]
    table.sortByColumn(6, Qt.SortOrder.AscendingOrder)  # the C column
    assert column_numbers(model) == [2, 0, 1, 3]
    assert model.headerData(6, Qt.Orientation.Horizontal) == "C"
    assert model.index(2, 7).data() == "ValueError: bad"


def test_new_trials_are_appended_or_sorted_in_and_the_selection_follows_its_trial(qtbot):
    store = TrialStore("minimize")
    store.add([rec(0, 3.0), rec(1, 1.0)])
    table = TrialTable(store)
    qtbot.addWidget(table)
    model = table.source
    model.set_params([])
    table.select_number(0)
    assert table.selected_number() == 0
    table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    assert table.selected_number() == 0  # still trial 0, now in another row
    store.add([rec(2, 2.0), rec(3, 0.5)])
    model.sync()
    assert column_numbers(model) == [3, 1, 2, 0]
    assert table.selected_number() == 0
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()  # trial 3 is the new best
    assert model.index(1, 0).data(Qt.ItemDataRole.FontRole) is None
    assert not model.sync()  # nothing new


def test_ten_thousand_rows_sort_without_asking_python_per_comparison(qtbot):
    store = TrialStore("maximize")
    store.add([rec(i, math.sin(i)) for i in range(10_000)])
    table = TrialTable(store)
    qtbot.addWidget(table)
    model = table.source
    model.set_params([])
    table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    values = [store[store.index_of(n)].value for n in column_numbers(model)[:50]]
    assert values == sorted(values, reverse=True)
    assert column_numbers(model)[0] == store.best.number
