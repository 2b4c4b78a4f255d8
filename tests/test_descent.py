"""The replayed descent: converges on smooth problems, respects the box, resumes from any prefix."""

from __future__ import annotations

import numpy as np
import pytest

from hpgui.core.descent import Evaluation, halton_starts, replay


def run(f, grad, start, limit=200):
    """Drive the planner as the search does: evaluate the point it asks for, until it converges."""
    evals: list[Evaluation] = []
    for _ in range(limit):
        state = replay(start, evals)
        if state.converged:
            return state, evals
        x = state.next_x
        evals.append(Evaluation(tuple(x), float(f(x)), tuple(grad(x))))
    raise AssertionError("did not converge")


def test_quadratic_inside_the_box_converges_to_its_minimum_in_few_steps():
    A = np.array([[3.0, 0.8], [0.8, 1.0]])
    c = np.array([0.3, 0.7])
    state, evals = run(lambda x: (x - c) @ A @ (x - c), lambda x: 2 * A @ (x - c), [0.5, 0.5])
    assert np.allclose(state.best.x, c, atol=1e-3)
    assert len(evals) < 25


def test_a_minimum_outside_the_box_ends_on_its_edge():
    c = np.array([1.6, 0.4])
    state, _ = run(lambda x: ((x - c) ** 2).sum(), lambda x: 2 * (x - c), [0.5, 0.5])
    assert state.best.x[0] == pytest.approx(1.0)
    assert state.best.x[1] == pytest.approx(0.4, abs=1e-3)


def test_rosenbrock_valley_in_the_unit_box():
    def f(x):
        u, v = 4 * x[0] - 2, 4 * x[1] - 1
        return (1 - u) ** 2 + 10 * (v - u * u) ** 2

    def g(x):
        u, v = 4 * x[0] - 2, 4 * x[1] - 1
        return np.array([(-2 * (1 - u) - 40 * u * (v - u * u)) * 4, 20 * (v - u * u) * 4])

    state, evals = run(f, g, [0.2, 0.6], limit=400)
    assert state.best.loss < 1e-3
    assert np.allclose(state.best.x, [0.75, 0.5], atol=0.02)


def test_failed_points_make_it_step_back():
    # The loss is undefined (the fit raised) right of 0.6: the search backtracks into the valid part.
    c = np.array([0.8])

    def f(x):
        return float("inf") if x[0] > 0.6 else float(((x - c) ** 2).sum())

    state, evals = run(f, lambda x: 2 * (x - c), [0.2])
    assert any(not np.isfinite(e.loss) for e in evals)
    assert 0.5 < state.best.x[0] <= 0.6


def test_replay_of_any_prefix_plans_the_same_next_point():
    c = np.array([0.2, 0.9, 0.4])
    f, g = (lambda x: ((x - c) ** 2 * [1, 5, 2]).sum()), (lambda x: 2 * (x - c) * [1, 5, 2])
    _, evals = run(f, g, [0.5, 0.5, 0.5])
    for k in range(1, len(evals)):
        assert np.allclose(replay([0.5, 0.5, 0.5], evals[:k]).next_x, evals[k].x)


def test_points_it_did_not_plan_are_ignored():
    c = np.array([0.3])
    f, g = (lambda x: float((x[0] - c[0]) ** 2)), (lambda x: [2 * (x[0] - c[0])])
    _, evals = run(f, g, [0.5])
    stray = Evaluation((0.99,), 0.0, (0.0,))
    mixed = evals[:2] + [stray] + evals[2:]
    assert replay([0.5], mixed).converged
    assert replay([0.5], mixed).best.x == replay([0.5], evals).best.x


def test_starts_are_the_centre_then_spread_out():
    starts = halton_starts(2, 4)
    assert starts.shape == (4, 2)
    assert np.allclose(starts[0], 0.5)
    assert len({tuple(s) for s in starts}) == 4
    assert ((starts > 0) & (starts < 1)).all()
