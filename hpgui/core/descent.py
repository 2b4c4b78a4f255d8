"""Where a gradient descent goes next, replayed from the trials it has run.

The planner keeps no state of its own: given the evaluated points of a chain, in order, it
replays the descent (quasi-Newton BFGS directions, a backtracking line search with the Armijo
condition, steps kept inside the box) and says which point comes next, or that the chain has
converged. A search that was stopped or killed therefore continues exactly where it was, from
the trials in its storage, and two processes that read the same trials plan the same point.

Coordinates are the unit box: each hyperparameter's range (its logarithm for a log range)
mapped to [0, 1], so one step size suits every hyperparameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

ARMIJO = 1e-4
#: Stop when the projected gradient's norm (in unit-box coordinates) is below this ...
GRAD_TOL = 1e-4
#: ... or an accepted step gains less than this share of the loss ...
GAIN_TOL = 1e-5
#: ... or the step is this short (in unit-box coordinates): no more progress is possible here.
STEP_TOL = 1e-4
#: The longest step, so one bad curvature estimate cannot throw the search across the box ...
MAX_STEP = 0.5
#: ... and the longest first step, taken before any curvature is known (a quarter of each range:
#: two decades of a 1e-4 to 1e4 range), so that it does not land on a flat plateau far away.
FIRST_STEP = 0.25


@dataclass(frozen=True)
class Evaluation:
    """One evaluated point: unit-box coordinates, loss (inf for a failed fit) and gradient."""

    x: tuple[float, ...]
    loss: float
    grad: tuple[float, ...] | None


@dataclass
class ChainState:
    converged: bool = False
    next_x: np.ndarray | None = None
    best: Evaluation | None = None
    accepted: list[Evaluation] = field(default_factory=list)
    why: str = ""


def _project(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0.0, 1.0)


def _free(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Coordinates not held at a bound by a gradient pushing out of the box."""
    return ~(((x <= 0.0) & (g > 0)) | ((x >= 1.0) & (g < 0)))


def replay(start: Sequence[float], evaluations: Sequence[Evaluation]) -> ChainState:
    """The state of one chain after ``evaluations`` (the first at ``start``), and its next point."""
    state = ChainState()
    x0 = _project(np.asarray(start, dtype=float))
    if not evaluations:
        state.next_x = x0
        return state
    first = evaluations[0]
    if not math.isfinite(first.loss) or first.grad is None:
        state.converged, state.why = True, "the starting point failed"
        return state
    n = len(x0)
    x, f, g = np.asarray(first.x, dtype=float), first.loss, np.asarray(first.grad, dtype=float)
    state.best, state.accepted = first, [first]
    H = np.eye(n)
    scaled = False
    direction, t, pending = None, 1.0, None

    def new_direction() -> tuple[np.ndarray | None, str]:
        free = _free(x, g)
        pg = np.where(free, g, 0.0)
        if np.linalg.norm(pg) < GRAD_TOL:
            return None, "the gradient vanished"
        Hf = H[np.ix_(free, free)]
        d = np.zeros(n)
        d[free] = -Hf @ g[free]
        if d @ g >= 0:  # not a descent direction (a poor curvature estimate): steepest descent
            d = -pg
        length = np.linalg.norm(d)
        limit = MAX_STEP if scaled else FIRST_STEP
        if length > limit:
            d *= limit / length
        return d, ""

    direction, why = new_direction()
    if direction is None:
        state.converged, state.why = True, why
        return state
    pending = _project(x + t * direction)

    for ev in evaluations[1:]:
        x_new = np.asarray(ev.x, dtype=float)
        if pending is None or not np.allclose(x_new, pending, atol=1e-12):
            continue  # a point this replay did not plan (another version's, or a duplicate): ignore it
        step = x_new - x
        ok = math.isfinite(ev.loss) and ev.grad is not None and ev.loss <= f + ARMIJO * (g @ step)
        if ok:
            g_new = np.asarray(ev.grad, dtype=float)
            y = g_new - g
            sy = float(step @ y)
            if sy > 1e-12:
                if not scaled:
                    H = np.eye(n) * (sy / float(y @ y))
                    scaled = True
                rho = 1.0 / sy
                V = np.eye(n) - rho * np.outer(step, y)
                H = V @ H @ V.T + rho * np.outer(step, step)
            gain = f - ev.loss
            x, f, g = x_new, ev.loss, g_new
            state.accepted.append(ev)
            if state.best is None or ev.loss < state.best.loss:
                state.best = ev
            if gain <= GAIN_TOL * max(abs(f), 1e-12) or np.linalg.norm(step) < STEP_TOL:
                state.converged, state.why = True, "the loss stopped improving"
                return state
            t = 1.0
            direction, why = new_direction()
            if direction is None:
                state.converged, state.why = True, why
                return state
        else:
            # Backtrack to the minimum of the cubic through both ends' losses and slopes (the
            # quadratic when the probe's gradient is missing), kept between a tenth and a half
            # of the step that failed.
            t *= _shrink(float(g @ step), ev.loss - f,
                         None if ev.grad is None else float(np.asarray(ev.grad, dtype=float) @ step))
            if t * np.linalg.norm(direction) < STEP_TOL:
                if scaled:
                    # The curvature estimate led nowhere: forget it and try steepest descent once.
                    H, scaled, t = np.eye(n), False, 1.0
                    direction, why = new_direction()
                    if direction is None:
                        state.converged, state.why = True, why
                        return state
                else:
                    state.converged, state.why = True, "no shorter step improves the loss"
                    return state
        pending = _project(x + t * direction)
    state.next_x = pending
    return state


def _shrink(slope0: float, rise: float, slope1: float | None) -> float:
    """The share of a failed step to try next: the minimiser of the interpolating cubic on [0, 1]
    (losses 0 and ``rise``, slopes ``slope0`` < 0 and ``slope1``), as in Nocedal & Wright (3.59)."""
    if not math.isfinite(rise):
        return 0.1
    t = None
    if slope1 is not None and math.isfinite(slope1):
        d1 = slope0 + slope1 - 3.0 * rise
        disc = d1 * d1 - slope0 * slope1
        if disc >= 0:
            d2 = math.sqrt(disc)
            denominator = slope1 - slope0 + 2.0 * d2
            if denominator != 0:
                t = 1.0 - (slope1 + d2 - d1) / denominator
    if t is None or not math.isfinite(t):
        curvature = rise - slope0
        t = -slope0 / (2.0 * curvature) if curvature > 0 else 0.1
    return min(0.5, max(0.1, t))


def halton_starts(dimensions: int, count: int) -> np.ndarray:
    """Start points of the chains: the box's centre, then a Halton sequence's points (not the centre)."""
    from scipy.stats import qmc

    centre = np.full(dimensions, 0.5)
    starts = [centre]
    if count > 1:
        points = qmc.Halton(d=dimensions, scramble=False).random(count + 2)[1:]
        starts += [p for p in points if not np.allclose(p, centre)][:count - 1]
    return np.asarray(starts)
