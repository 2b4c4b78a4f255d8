"""The Lineage view of a population-based-training study, built from trials written through Optuna."""

from __future__ import annotations

import math

import numpy as np
import optuna
import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState, create_trial

from hpgui.core.metrics import get_metric
from hpgui.core.records import PBT_ATTR, records_from_frozen
from hpgui.core.session import StudyContext, StudyRef
from hpgui.core.space import Hyperparameter
from hpgui.core.trials import TrialStore
from hpgui.gui.views import VIEW_CLASSES, LineageView

SPACE = {"learning_rate_init": Hyperparameter("float", 1e-4, 1e-1, log=True),
         "momentum": Hyperparameter("float", 0.5, 0.99)}
DISTRIBUTIONS = {"learning_rate_init": FloatDistribution(1e-4, 1e-1, log=True),
                 "momentum": FloatDistribution(0.5, 0.99)}
UNITS = 5

# (member, round, score, parent trial, exploited, the round's hyperparameters); trial numbers follow the order.
# Three members over three rounds; in round 2 member 2 copies member 0's round-1 models (trial 3).
POPULATION = [
    (0, 0, 0.60, None, False, {"learning_rate_init": 0.01, "momentum": 0.9}),
    (1, 0, 0.55, None, False, {"learning_rate_init": 0.001, "momentum": 0.6}),
    (2, 0, 0.40, None, False, {"learning_rate_init": 0.0002, "momentum": 0.8}),
    (0, 1, 0.72, 0, False, {"learning_rate_init": 0.01, "momentum": 0.9}),
    (1, 1, 0.63, 1, False, {"learning_rate_init": 0.001, "momentum": 0.6}),
    (2, 1, 0.45, 2, False, {"learning_rate_init": 0.0002, "momentum": 0.8}),
    (0, 2, 0.80, 3, False, {"learning_rate_init": 0.01, "momentum": 0.9}),
    (1, 2, 0.70, 4, False, {"learning_rate_init": 0.001, "momentum": 0.6}),
    (2, 2, 0.83, 3, True, {"learning_rate_init": 0.012, "momentum": 0.72}),
]


def schedule_of(rows, index):
    """The schedule along a trial's lineage: its parent's, plus a segment where its hyperparameters changed."""
    member, rnd, _, parent, _, params = rows[index]
    if parent is None:
        return [[0, dict(params)]]
    schedule = [list(s) for s in schedule_of(rows, parent)]
    if schedule[-1][1] != params:
        schedule.append([rnd * UNITS, dict(params)])
    return schedule


def add(study, rows, index, state=TrialState.COMPLETE):
    member, rnd, score, parent, exploited, params = rows[index]
    info = {"member": member, "round": rnd, "parent": parent, "exploited": exploited, "units": (rnd + 1) * UNITS,
            "schedule": schedule_of(rows, index)}
    study.add_trial(create_trial(state=state, value=score if state == TrialState.COMPLETE else None,
                                 params=dict(params), distributions=DISTRIBUTIONS, user_attrs={PBT_ATTR: info}))


@pytest.fixture
def study():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", storage=optuna.storages.InMemoryStorage())
    for i in range(len(POPULATION)):
        add(study, POPULATION, i)
    return study


def records(study):
    return records_from_frozen(study.get_trials(deepcopy=False))


def plain_text(html):
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(html)
    return doc.toPlainText().replace("\xa0", " ")


def lineage_view(qtbot):
    view = LineageView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    view.set_context(SPACE, get_metric("accuracy"))
    return view


def test_the_view_is_listed_with_the_progress_views():
    assert LineageView in VIEW_CLASSES and LineageView.GROUP == "Progress"


def test_members_exploits_and_the_best_lineage_are_drawn(qtbot, study):
    view = lineage_view(qtbot)
    store = TrialStore("maximize", list(SPACE))
    store.add(records(study))
    assert view.refresh(store)
    drawn = view.plotted()
    assert drawn["trials"] == 9
    # Each member's own rounds joined; member 2's line breaks where it copied member 0.
    x0, y0 = drawn["members"][0]
    assert list(x0) == [0, 1, 2] and list(y0) == [0.60, 0.72, 0.80]
    x2, y2 = drawn["members"][2]
    assert list(x2[:2]) == [0, 1] and math.isnan(x2[2]) and x2[3] == 2 and y2[3] == 0.83
    # One exploit edge: from the copied trial (member 0, round 1, 0.72) to the copy (round 2, 0.83).
    assert drawn["exploits"] == [(1.0, 0.72, 2.0, 0.83)]
    assert drawn["best"] == 8 and drawn["best_path"] == [0, 3, 8]
    best_x, best_y = view.best_line.getData()
    assert list(best_x) == [0, 1, 2] and list(best_y) == [0.60, 0.72, 0.83]
    assert "3 members, 3 rounds; 1 exploit;" in view.summary.text()
    legend = plain_text(view.legend.text())
    assert "member 2" in legend and "member 3" not in legend and "exploit: copied a better member" in legend


def test_the_combo_picks_the_hyperparameter_drawn_over_units_on_a_log_axis_where_the_range_is_log(qtbot, study):
    view = lineage_view(qtbot)
    store = TrialStore("maximize", list(SPACE))
    store.add(records(study))
    view.refresh(store)
    combo = view.param_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["learning_rate_init", "momentum"]
    drawn = view.plotted()
    assert drawn["param"] == "learning_rate_init" and drawn["log"]
    # Member 2 now carries member 0's history: 0.01 for units 0-10, then its explored 0.012 until 15.
    x, y = drawn["steps"][2]
    assert list(x) == [0, 10, 10, 15]
    np.testing.assert_allclose(y, np.log10([0.01, 0.01, 0.012, 0.012]))  # log10: the plot's log coordinates
    assert view.param_plot.getAxis("left").logMode
    # The best trial's own schedule is drawn over the members' lines.
    best_x, best_y = view.best_steps.getData()
    assert list(best_x) == [0, 10, 10, 15] and best_y[-1] == pytest.approx(math.log10(0.012))
    assert view.show_param("momentum")
    drawn = view.plotted()
    assert drawn["param"] == "momentum" and not drawn["log"]
    assert list(drawn["steps"][2][1]) == [0.9, 0.9, 0.72, 0.72]
    assert list(drawn["steps"][1][1]) == [0.6, 0.6]
    assert not view.show_param("no_such_parameter")


def test_new_trials_are_drawn_as_they_arrive_running_and_failed_ones_without_a_point(qtbot, study):
    view = lineage_view(qtbot)
    store = TrialStore("maximize", list(SPACE))
    store.add(records(study))
    view.refresh(store)
    view.show_param("momentum")
    rows = POPULATION + [(0, 3, 0.84, 6, False, {"learning_rate_init": 0.01, "momentum": 0.9}),
                         (1, 3, None, 7, False, {"learning_rate_init": 0.001, "momentum": 0.7}),
                         (2, 3, None, 8, False, {"learning_rate_init": 0.012, "momentum": 0.72})]
    add(study, rows, 9)
    add(study, rows, 10, TrialState.RUNNING)
    add(study, rows, 11, TrialState.FAIL)
    store.add(records(study)[9:])
    assert view.refresh(store)
    drawn = view.plotted()
    assert drawn["trials"] == 12 and list(drawn["members"][0][0]) == [0, 1, 2, 3]
    assert list(drawn["members"][1][0]) == [0, 1, 2]  # the running trial has no score to draw yet
    assert drawn["param"] == "momentum"  # the pick stays across live updates
    # The running trial's schedule is member 1's now: momentum 0.7 from unit 15 (what it trains with).
    assert list(drawn["steps"][1][0]) == [0, 15, 15, 20] and drawn["steps"][1][1][-1] == 0.7
    assert "1 running" in view.summary.text() and "1 failed" in view.summary.text()
    assert drawn["best"] == 9
    # The running trial finishes.
    study_trials = records(study)
    finished = study_trials[10]
    finished.state, finished.value = "complete", 0.76
    store.add([finished])
    view.refresh(store)
    assert list(view.plotted()["members"][1][0]) == [0, 1, 2, 3]


def test_hover_names_the_member_round_and_parent_and_click_selects(qtbot, study):
    view = lineage_view(qtbot)
    store = TrialStore("maximize", list(SPACE))
    store.add(records(study))
    view.refresh(store)
    tip = view.tooltip_for(8)
    assert "Trial 8" in tip and "Member 2, round 2" in tip and "copied trial 3 (member 0)" in tip
    assert "learning_rate_init = 0.012" in tip and "15 units trained" in tip
    assert "continued trial 4 (member 1)" in view.tooltip_for(7)
    clicked = []
    view.trialClicked.connect(clicked.append)
    view.picker._on_click(8)
    view.select_trial(8)
    assert clicked == [8]
    ring_x, ring_y = view.ring.getData()
    assert list(ring_x) == [2] and list(ring_y) == [0.83]


def test_a_study_mixed_with_other_trials_and_a_missing_parent(qtbot):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize")
    study.add_trial(create_trial(state=TrialState.COMPLETE, value=0.9, params={"momentum": 0.7},
                                 distributions={"momentum": DISTRIBUTIONS["momentum"]}))  # a TPE trial
    rows = [(0, 1, 0.7, 99, False, {"learning_rate_init": 0.01, "momentum": 0.9})]
    member, rnd, score, parent, exploited, params = rows[0]
    study.add_trial(create_trial(state=TrialState.COMPLETE, value=score, params=params, distributions=DISTRIBUTIONS,
                                 user_attrs={PBT_ATTR: {"member": 0, "round": 1, "parent": 99, "exploited": False,
                                                        "units": 10, "schedule": [[0, params]]}}))
    view = lineage_view(qtbot)
    store = TrialStore("maximize", list(SPACE))
    store.add(records(study))
    view.refresh(store)
    drawn = view.plotted()
    assert drawn["trials"] == 1 and drawn["exploits"] == [] and drawn["best"] == 1
    assert "1 parent not in the study" in view.summary.text()
    assert "continued trial 99 (not in the study)" in view.tooltip_for(1)


def test_the_window_lists_the_view_only_for_a_population(qtbot, window, study):
    area = window.chart_tabs
    index = area.indexOf(window.view(LineageView))
    assert not area.is_shown(index)  # nothing on screen: no population
    metric = get_metric("accuracy")
    plain = [r for r in records(study)]
    for r in plain:
        r.pbt = None
    window.session.show(StudyRef("plain"), StudyContext(tuple(SPACE), SPACE, metric), plain)
    window.live.redraw()
    assert not area.is_shown(index)
    window.session.show(StudyRef("population"), StudyContext(tuple(SPACE), SPACE, metric), records(study)[:3])
    window.live.redraw()
    assert area.is_shown(index)
    area.setCurrentIndex(index)
    window.live.redraw()
    view = window.view(LineageView)
    assert view.plotted()["trials"] == 3
    # Live: the next round arrives through the session and the shown view draws it on the next redraw.
    window.session.add_trials(records(study)[3:6])
    window.live.redraw()
    assert view.plotted()["trials"] == 6 and view.plotted()["exploits"] == []
    # Another study without a population takes its place: the view leaves the list, History comes to the front.
    window.session.show(StudyRef("plain"), StudyContext(tuple(SPACE), SPACE, metric), plain)
    window.live.redraw()
    assert not area.is_shown(index) and area.currentIndex() != index
    assert area.current_title() == "History"
    # A study that starts without population trials lists the view when the first one arrives.
    window.session.show(StudyRef("later"), StudyContext(tuple(SPACE), SPACE, metric), [])
    window.live.redraw()
    assert not area.is_shown(index)
    window.session.add_trials(records(study)[:1])
    window.live.redraw()
    assert area.is_shown(index)


def test_a_categorical_hyperparameter_is_drawn_by_choice_with_its_choices_as_ticks(qtbot):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize")
    choice = optuna.distributions.CategoricalDistribution(["adam", "sgd"])
    for number, (member, solver, parent) in enumerate([(0, "adam", None), (1, "sgd", None), (1, "sgd", 0)]):
        rnd = 0 if parent is None else 1
        schedule = [[0, {"solver": solver}]] if parent is None else [[0, {"solver": "adam"}], [5, {"solver": solver}]]
        study.add_trial(create_trial(state=TrialState.COMPLETE, value=0.5 + number / 10, params={"solver": solver},
                                     distributions={"solver": choice},
                                     user_attrs={PBT_ATTR: {"member": member, "round": rnd, "parent": parent,
                                                            "exploited": parent is not None, "units": 5 * (rnd + 1),
                                                            "schedule": schedule}}))
    view = LineageView()
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.set_context({"solver": Hyperparameter("categorical", choices=("adam", "sgd"))}, get_metric("accuracy"))
    store = TrialStore("maximize", ["solver"])
    store.add(records(study))
    view.refresh(store)
    drawn = view.plotted()
    assert drawn["param"] == "solver" and not drawn["log"]
    assert list(drawn["steps"][0][1]) == [0, 0]  # adam is choice 0
    assert list(drawn["steps"][1][0]) == [0, 5, 5, 10] and list(drawn["steps"][1][1]) == [0, 0, 1, 1]
    ticks = view.param_plot.getAxis("left")._tickLevels
    assert [label for _, label in ticks[0]] == ["adam", "sgd"]
    # Without the study's setup the choices come from the values themselves.
    view.set_context({}, get_metric("accuracy"))
    view.refresh(store)
    assert list(view.plotted()["steps"][1][1]) == [0, 0, 1, 1]


def test_the_legend_names_each_member_only_where_that_fits_in_two_lines(qtbot):
    from hpgui.core.records import TrialRecord

    population = [TrialRecord(m, "complete", 0.5 + m / 100, {"momentum": 0.9},
                              pbt={"member": m, "round": 0, "parent": None, "exploited": False, "units": 5,
                                   "schedule": [[0, {"momentum": 0.9}]]}) for m in range(12)]
    view = lineage_view(qtbot)
    store = TrialStore("maximize", list(SPACE))
    store.add(population)
    view.resize(1800, 600)
    view.refresh(store)
    assert "member 11" in plain_text(view.legend.text())
    view.resize(420, 600)
    qtbot.waitUntil(lambda: "member 0" not in plain_text(view.legend.text()), timeout=2_000)
    assert "best final lineage" in plain_text(view.legend.text())
    assert view.legend.height() <= 3 * view.legend.fontMetrics().lineSpacing()


def test_an_exported_chart_carries_the_legend_and_the_view_is_left_as_it_was(qtbot, study, tmp_path):
    view = lineage_view(qtbot)
    store = TrialStore("maximize", list(SPACE))
    store.add(records(study))
    view.refresh(store)
    layout = view.view.ci.layout
    before = layout.count()
    added = []
    original = view.view.ci.addItem

    def spy(item, *args, **kwargs):  # what export puts into the scene beside the two plots
        added.append(item)
        return original(item, *args, **kwargs)

    view.view.ci.addItem = spy
    for suffix in ("png", "svg"):
        view.export_image(str(tmp_path / f"lineage.{suffix}"))
        assert (tmp_path / f"lineage.{suffix}").stat().st_size > 1000
    assert len(added) == 2 and "member 2" in plain_text(added[0].text)
    assert layout.count() == before  # the legend left the scene again
    assert "best final lineage" in (tmp_path / "lineage.svg").read_text(encoding="utf-8").replace("\xa0", " ")


def test_the_first_hyperparameter_drawn_is_one_that_changes(qtbot):
    from hpgui.core.records import TrialRecord

    population = [TrialRecord(m, "complete", 0.5 + m / 10, {"layers": "16", "lr": 0.01 * (m + 1)},
                              pbt={"member": m, "round": 0, "parent": None, "exploited": False, "units": 5,
                                   "schedule": [[0, {"layers": "16", "lr": 0.01 * (m + 1)}]]}) for m in range(3)]
    view = lineage_view(qtbot)
    view.set_context({}, get_metric("accuracy"))  # a study read without its setup: the schedules' order
    store = TrialStore("maximize")
    store.add(population)
    view.refresh(store)
    combo = view.param_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["layers", "lr"]
    assert view.plotted()["param"] == "lr"  # every member has layers "16": a flat line is not the first view
    view.show_param("layers")
    store.add([TrialRecord(3, "running", None, {}, pbt={"member": 0, "round": 1, "parent": 0, "exploited": False,
                                                        "units": 10, "schedule": population[0].pbt["schedule"]})])
    view.refresh(store)
    assert view.plotted()["param"] == "layers"  # a pick is kept as trials arrive


def test_a_member_that_learnt_nothing_at_the_start_does_not_squeeze_the_rest_and_is_counted(qtbot, study):
    view = lineage_view(qtbot)
    store = TrialStore("maximize", list(SPACE))
    store.add(records(study))
    view.refresh(store)
    low, high = view.score_plot.getViewBox().viewRange()[1]
    assert low <= 0.45 and high >= 0.83  # the rounds after the start: every later score in view
    assert low > 0.40  # member 2's first score (0.40) is below the later ones: left out of the range
    assert "1 first-round score off the chart" in view.summary.text()
    # With one round only there is nothing after the start: everything is in range.
    single = optuna.create_study(direction="maximize", storage=optuna.storages.InMemoryStorage())
    for i in range(3):
        add(single, POPULATION, i)
    store = TrialStore("maximize", list(SPACE))
    store.add(records(single))
    view.refresh(store)
    view.grab()
    low, high = view.score_plot.getViewBox().viewRange()[1]
    assert low <= 0.40 and high >= 0.60 and "off the chart" not in view.summary.text()
