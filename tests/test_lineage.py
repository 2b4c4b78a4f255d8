"""A population's lineage from its trials' PBT attributes (core.lineage), without a display."""

from __future__ import annotations

import math

from hpgui.core.lineage import lineage_of, schedule_steps
from hpgui.core.records import TrialRecord
from hpgui.core.trials import TrialStore


def pbt(number, member, rnd, value, parent=None, exploited=False, units=None, schedule=None, state="complete",
        **params):
    units = 10 * (rnd + 1) if units is None else units
    info = {"member": member, "round": rnd, "parent": parent, "exploited": exploited, "units": units,
            "schedule": schedule if schedule is not None else [[0, {"lr": 0.1}]]}
    return TrialRecord(number, state, value if state == "complete" else None, params or {"lr": 0.1}, pbt=info)


def small_population():
    """Two members, three rounds; in round 2 member 1 copies member 0's round-1 models."""
    return [
        pbt(0, 0, 0, 0.60, schedule=[[0, {"lr": 0.1, "alpha": 1e-3}]]),
        pbt(1, 1, 0, 0.50, schedule=[[0, {"lr": 0.01, "alpha": 1e-2}]]),
        pbt(2, 0, 1, 0.70, parent=0, schedule=[[0, {"lr": 0.1, "alpha": 1e-3}]]),
        pbt(3, 1, 1, 0.52, parent=1, schedule=[[0, {"lr": 0.01, "alpha": 1e-2}]]),
        pbt(4, 0, 2, 0.75, parent=2, schedule=[[0, {"lr": 0.1, "alpha": 1e-3}]]),
        # Member 1 took trial 2's models (trained 20 units at lr 0.1) and goes on at lr 0.12.
        pbt(5, 1, 2, 0.78, parent=2, exploited=True,
            schedule=[[0, {"lr": 0.1, "alpha": 1e-3}], [20, {"lr": 0.12, "alpha": 1e-3}]]),
    ]


def test_members_edges_and_the_best_lineage():
    lineage = lineage_of(small_population())
    assert sorted(lineage.members) == [0, 1]
    assert [p.number for p in lineage.members[1]] == [1, 3, 5]
    assert lineage.rounds == 3
    edges = {(e.parent, e.child): e.exploit for e in lineage.edges}
    assert edges == {(0, 2): False, (1, 3): False, (2, 4): False, (2, 5): True}
    jump = next(e for e in lineage.edges if e.exploit)
    assert (jump.x0, jump.y0, jump.x1, jump.y1) == (1.0, 0.70, 2.0, 0.78)
    # The best at the end is member 1's last trial; its ancestry runs through member 0.
    assert lineage.best == 5 and lineage.best_path == [0, 2, 5]
    # Member 1's own line breaks at the exploit: rounds 0-1 joined, round 2 on its own.
    x, y = lineage.member_line(1)
    assert x[:2] == [0.0, 1.0] and math.isnan(x[2]) and x[3] == 2.0 and y[3] == 0.78


def test_a_minimised_metric_picks_the_lowest_final_score():
    records = [pbt(0, 0, 0, 3.0), pbt(1, 1, 0, 2.0), pbt(2, 0, 1, 1.5, parent=0), pbt(3, 1, 1, 2.5, parent=1)]
    assert lineage_of(records, "minimize").best == 2
    assert lineage_of(records, "maximize").best == 3


def test_schedules_become_step_lines_over_units():
    lineage = lineage_of(small_population())
    assert lineage.params == ["lr", "alpha"]
    steps = lineage.steps("lr")
    # Member 1's current lineage: 0.1 from unit 0 to 20 (member 0's training), then 0.12 until 30.
    assert steps[1] == ([0, 20, 20, 30], [0.1, 0.1, 0.12, 0.12])
    assert steps[0] == ([0, 30], [0.1, 0.1])
    assert lineage.steps("alpha")[1] == ([0, 30], [1e-3, 1e-3])


def test_schedule_steps_keep_a_value_a_segment_leaves_out_and_skip_repeats():
    schedule = [(0, {"lr": 0.1, "alpha": 1.0}), (5, {"alpha": 2.0}), (10, {"lr": 0.2}), (15, {"lr": 0.2})]
    assert schedule_steps(schedule, "lr", 20) == ([0, 10, 10, 20], [0.1, 0.1, 0.2, 0.2])
    assert schedule_steps(schedule, "alpha", 20) == ([0, 5, 5, 20], [1.0, 1.0, 2.0, 2.0])
    assert schedule_steps(schedule, "missing", 20) == ([], [])
    assert schedule_steps(schedule, "lr") == ([0, 10, 10], [0.1, 0.1, 0.2])  # no known end: stops at the last change


def test_running_failed_and_pruned_trials_and_missing_parents():
    records = small_population()[:4] + [
        pbt(4, 0, 2, None, parent=2, state="running"),
        pbt(5, 1, 2, None, parent=3, state="failed"),
        TrialRecord(6, "pruned", None, {"lr": 0.1}, curve=[[0, 0.4], [5, 0.45]],
                    pbt={"member": 2, "round": 1, "parent": 99, "exploited": False, "units": 20,
                         "schedule": [[0, {"lr": 0.3}]]}),
    ]
    lineage = lineage_of(records)
    assert set(lineage.points) == {0, 1, 2, 3, 4, 5, 6}
    assert math.isnan(lineage.points[4].score) and math.isnan(lineage.points[5].score)
    assert lineage.points[6].score == 0.45  # a pruned trial's last reported score
    # No edge reaches an unscored trial, and a parent that is not in the study is noted, not drawn.
    assert {(e.parent, e.child) for e in lineage.edges} == {(0, 2), (1, 3)}
    assert lineage.missing_parents == {6: 99}
    # The best final trial is a completed one: running and failed trials are not "final".
    assert lineage.best == 2 and lineage.best_path == [0, 2]
    # The member's schedule comes from its latest trial, even a running one (it shows what trains now).
    assert lineage.schedule_ends[0] == 30


def test_trials_of_other_strategies_and_malformed_attributes_are_left_out():
    records = [
        TrialRecord(0, "complete", 0.9, {"lr": 0.1}),  # a TPE trial of the same study
        pbt(1, 0, 0, 0.5),
        TrialRecord(2, "complete", 0.6, {}, pbt={"member": "x", "round": 0}),
        TrialRecord(3, "complete", 0.6, {}, pbt={"member": 1, "round": 0, "schedule": [["bad"], [0, "x"], 7]}),
        TrialRecord(4, "complete", 0.6, {}, pbt="not a dict"),
    ]
    lineage = lineage_of(records)
    assert set(lineage.points) == {1, 3}
    assert lineage.points[3].units != lineage.points[3].units  # NaN: no units recorded
    assert 1 not in lineage.schedules and lineage.schedules[0] == [(0.0, {"lr": 0.1})]


def test_an_exploit_edge_is_one_even_without_the_flag_and_cycles_do_not_hang():
    records = [pbt(0, 0, 0, 0.5), pbt(1, 1, 0, 0.4), pbt(2, 1, 1, 0.6, parent=0),
               # A corrupt study where two trials name each other as parent.
               pbt(3, 2, 0, 0.9, parent=4), pbt(4, 2, 1, 0.95, parent=3)]
    lineage = lineage_of(records)
    assert next(e for e in lineage.edges if e.child == 2).exploit
    assert lineage.best == 4 and lineage.best_path == [3, 4]


def test_the_store_knows_when_it_holds_a_population():
    store = TrialStore("maximize")
    store.add([TrialRecord(0, "complete", 0.5, {})])
    assert not store.has_population and store.population() == []
    store.add(small_population()[1:3])
    assert store.has_population and [r.number for r in store.population()] == [1, 2]
    store.reset()
    assert not store.has_population


def test_a_round_run_again_after_a_failure_continues_the_member_s_line():
    records = [pbt(0, 0, 0, 0.5), pbt(1, 0, 1, None, parent=0, state="failed"), pbt(2, 0, 1, 0.6, parent=0),
               pbt(3, 0, 2, 0.7, parent=2)]
    lineage = lineage_of(records)
    assert lineage.member_line(0) == ([0.0, 1.0, 2.0], [0.5, 0.6, 0.7])
    assert [p.number for p in lineage.members[0]] == [0, 1, 2, 3]
    assert lineage.best_path == [0, 2, 3]
