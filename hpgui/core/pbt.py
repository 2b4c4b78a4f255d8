"""The ``pbt`` strategy: population-based training (Jaderberg et al. 2017), asynchronous, by truncation.

A population of N members trains in rounds of k resource units (epochs, boosting stages). Each
(member, round) is one Optuna trial: it continues the models of its parent trial on every fold of
the study, with its own hyperparameters, for k more units, and its value is the mean validation
score. When a member finishes a round in the bottom quantile of the members that finished that
round, its next trial *exploits* (copies the models of a top-quantile member) and *explores*
(each mutable numeric hyperparameter times 0.8 or 1.2 within the searched range, or drawn anew
with probability ``RESAMPLE``; mutable categoricals drawn anew). Otherwise it continues its own.

The planner keeps no state: it reads the study's trials (a running trial claims its slot), so
several workers and a resumed study plan from the same population. Its draws are seeded by
(seed, member, round), so one worker plans the same population every time. Each trial's place,
parent and whole schedule are its ``PBT_ATTR`` (:mod:`hpgui.core.records`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Collection, Mapping, Sequence

import numpy as np

from .pbt_train import PBT_MODELS, PBTModel
from .records import PBT_ATTR, SURPLUS_ATTR
from .space import Hyperparameter, Problem, is_active
from .strategies import planning_problems

if TYPE_CHECKING:
    from .runner import Search

DEFAULT_POPULATION = 8
DEFAULT_ROUNDS = 10
DEFAULT_QUANTILE = 0.25
#: How often explore draws a mutable numeric value anew instead of scaling it (the paper's "resample").
RESAMPLE = 0.25
FACTORS = (0.8, 1.2)
#: How many rounds a member may be ahead of the slowest one (asynchronous PBT with several workers).
AHEAD = 1
WAIT = "wait"
DONE = "population complete"


def pbt_model(model: str) -> PBTModel | None:
    return PBT_MODELS.get(model)


def unavailable(models: Sequence[str], task: str | None, space: Mapping[str, Hyperparameter] | None = None) -> str | None:
    """Why population-based training cannot search this, in a sentence (None: it can)."""
    found = problems(models, task, space or {})
    return found[0].message if found else None


def problems(models: Sequence[str], task: str | None, space: Mapping[str, Hyperparameter]) -> list[Problem]:
    names = ", ".join(sorted(PBT_MODELS))
    if len(models) != 1:
        return [Problem("strategy.name", "population-based training trains one model at a time; pick one of "
                                         + names)]
    model = models[0]
    spec = PBT_MODELS.get(model)
    if spec is None:
        return [Problem("strategy.name", f"population-based training needs a model that keeps training with "
                                         f"new hyperparameters; {model} is not one of them ({names})")]
    if task == "clustering":
        return [Problem("strategy.name", "population-based training needs a target to score; pick a task "
                                         "with a target column")]
    out = []
    solver = space.get("solver")
    if model == "mlp" and solver is not None and solver.enabled and "lbfgs" in (solver.choices or ()):
        out.append(Problem("space.solver", "population-based training continues a network epoch by epoch, "
                                           "which lbfgs cannot; keep the solver to adam and sgd"))
    if space and not any(hp.enabled for name, hp in space.items() if name in spec.mutable):
        out.append(Problem("space", f"population-based training changes {', '.join(spec.mutable)} while "
                                    "training; switch at least one of them on"))
    return out


def settings_problems(strategy: Any) -> list[Problem]:
    """Problems of the strategy's own keys (population, rounds, round_units, quantile)."""
    out = []

    def whole(value: Any, low: int, high: int) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high

    if strategy.population is not None and not whole(strategy.population, 2, 1000):
        out.append(Problem("strategy.population", "population must be a whole number from 2 to 1000"))
    if strategy.rounds is not None and not whole(strategy.rounds, 1, 10_000):
        out.append(Problem("strategy.rounds", "rounds must be a whole number from 1 to 10000, or null"))
    if strategy.round_units is not None and not whole(strategy.round_units, 1, 1_000_000):
        out.append(Problem("strategy.round_units", "round_units must be a whole number of at least 1, or null"))
    q = strategy.quantile
    if q is not None and (not isinstance(q, (int, float)) or isinstance(q, bool) or not 0 < q <= 0.5):
        out.append(Problem("strategy.quantile", "quantile must be a fraction above 0 and at most 0.5 "
                                                "(0.25: the bottom quarter copies the top quarter)"))
    return out + planning_problems(strategy, "population-based training",
                                   pruner="decides itself which members go on; set the pruner to none",
                                   resource="trains by the model's own resource in rounds; leave the resource "
                                            "at folds")


@dataclass(frozen=True)
class Shape:
    """The population's size and rounds: N members, R rounds of k units each."""

    population: int
    rounds: int
    round_units: int
    quantile: float

    @property
    def trials(self) -> int:
        return self.population * self.rounds

    @classmethod
    def of(cls, strategy: Any, maximum: int) -> "Shape":
        population = strategy.population or DEFAULT_POPULATION
        k, rounds = strategy.round_units, strategy.rounds
        if k is None:
            rounds = rounds or DEFAULT_ROUNDS
            k = max(1, maximum // rounds)   # rounds × k = the model's maximum (or just under it)
        elif rounds is None:
            rounds = max(1, maximum // k)
        return cls(population, rounds, k, float(strategy.quantile or DEFAULT_QUANTILE))


@dataclass(frozen=True)
class Slot:
    """The next trial the population needs: who, which round, from which models, with which values."""

    member: int
    round: int
    parent: int | None
    exploited: bool
    params: dict[str, Any]
    units: int
    schedule: list

    def attr(self) -> dict[str, Any]:
        return {"member": self.member, "round": self.round, "parent": self.parent, "exploited": self.exploited,
                "units": self.units, "schedule": self.schedule}


@dataclass
class _Member:
    done: dict[int, Any]    # round -> its finished trial (complete, or failed by its model)
    busy: bool = False


def _cut_off(trial: Any) -> bool:
    from .recovery import DEAD_WORKER_ERROR

    error = ((trial.user_attrs.get("hpgui") or {}).get("error") or "")
    return error.startswith("Interrupted") or error == DEAD_WORKER_ERROR or not error


class Planner:
    """The population of one study: which slot the next trial fills, read from the study's trials."""

    def __init__(self, search: "Search", shape: Shape, model: PBTModel):
        self.shape, self.model = shape, model
        self.space = {n: hp for n, hp in search.space.items() if hp.enabled}
        self.order = [n for n in search.order if n in self.space]
        self.conditions, self.defaults = search.conditions, search.defaults
        self.seed = int(search.seed or 0)
        self.better = search.metric.better

    # -- reading the population ---------------------------------------------------------
    def members(self, trials: Sequence[Any]) -> dict[int, _Member]:
        out = {m: _Member({}) for m in range(self.shape.population)}
        for t in sorted(trials, key=lambda t: t.number):
            info = t.user_attrs.get(PBT_ATTR)
            if not info or t.user_attrs.get(SURPLUS_ATTR) or info.get("member") not in out:
                continue
            member, state = out[info["member"]], t.state.name
            if state == "RUNNING":
                member.busy = True
            elif state == "COMPLETE" or (state == "FAIL" and not _cut_off(t)):
                member.done.setdefault(int(info["round"]), t)
            # A trial cut off by Stop or by its worker's death leaves its slot to be filled again.
        return out

    def holds(self, trials: Sequence[Any], number: int, member: int, round_: int) -> bool | None:
        """Whether trial ``number`` keeps its slot: False if an earlier trial claimed the same one, None
        while an earlier running trial has not yet written whose slot it is."""
        unknown = False
        for t in trials:
            if t.number >= number or t.user_attrs.get(SURPLUS_ATTR):
                continue
            info = t.user_attrs.get(PBT_ATTR)
            state = t.state.name
            if info is None:
                unknown = unknown or (state == "RUNNING" and not t.params)
                continue
            if (info.get("member"), info.get("round")) == (member, round_) and (
                    state in ("RUNNING", "COMPLETE") or (state == "FAIL" and not _cut_off(t))):
                return False
        return None if unknown else True

    # -- planning -----------------------------------------------------------------------
    def next(self, trials: Sequence[Any], cached: Collection[int] = ()) -> Slot | str:
        """The next slot; ``WAIT`` while every unfinished member runs elsewhere; ``DONE`` at the end.

        Members that are furthest behind go first, which keeps one worker's population in step (each
        round decided once every member finished the one before). While other workers run, a member up to
        ``AHEAD`` rounds ahead whose models this process holds (``cached`` trial numbers) goes before
        one it would have to replay.
        """
        members = self.members(trials)
        R = self.shape.rounds
        ready, pending = [], False
        for m, member in members.items():
            nxt = max(member.done) + 1 if member.done else 0
            if nxt >= R or self._dead(member, nxt, members):
                continue
            if member.busy or self._orphan(member, nxt, members):
                pending = True
                continue
            ready.append((nxt, m))
        if not ready:
            return WAIT if pending else DONE
        first = min(r for r, _ in ready)
        # While other workers train, a member one round ahead whose models this process holds goes before
        # one another worker trained (it would be replayed first). Alone, a process keeps members in step,
        # so that one worker, resumed or not, trains the same population.
        ahead = AHEAD if pending else 0
        slots = [self._slot(m, r, members) for r, m in sorted(ready) if r <= first + ahead]
        for slot in slots:
            if slot.parent is None or slot.parent in cached:
                return slot
        return slots[0]

    def _dead(self, member: _Member, nxt: int, members: dict[int, _Member]) -> bool:
        # A member whose model failed with nobody at that round to copy from has nothing to continue.
        if nxt == 0:
            return False
        last = member.done[nxt - 1]
        return last.state.name != "COMPLETE" and not self._peers(members, nxt - 1) and not any(
            m.busy for m in members.values())

    def _orphan(self, member: _Member, nxt: int, members: dict[int, _Member]) -> bool:
        # Its model failed and nobody finished that round yet to copy from: wait for a member that runs.
        return nxt > 0 and member.done[nxt - 1].state.name != "COMPLETE" and not self._peers(members, nxt - 1)

    def _peers(self, members: dict[int, _Member], round_: int) -> list[tuple[int, Any]]:
        """Members that completed ``round_``, best first."""
        done = [(m, member.done[round_]) for m, member in members.items()
                if round_ in member.done and member.done[round_].state.name == "COMPLETE"]
        ranked = sorted(done, key=lambda mt: mt[1].value, reverse=self.better(1.0, 0.0))
        return ranked

    def _slot(self, m: int, r: int, members: dict[int, _Member]) -> Slot:
        k = self.shape.round_units
        rng = np.random.default_rng([self.seed, m, r])
        if r == 0:
            params = self.draw_all(rng)
            return Slot(m, 0, None, False, params, k, [[0, params]])
        previous = members[m].done[r - 1]
        peers = self._peers(members, r - 1)
        donor = self.exploit(m, previous, peers, rng)
        if donor is None:
            parent, params = previous, dict(previous.params)
        else:
            parent, params = donor, self.explore(donor.params, rng)
        schedule = [list(s) for s in parent.user_attrs[PBT_ATTR]["schedule"]]
        if params != schedule[-1][1]:
            schedule.append([k * r, params])
        return Slot(m, r, parent.number, donor is not None, params, k * (r + 1), schedule)

    def exploit(self, m: int, previous: Any, peers: list[tuple[int, Any]], rng: np.random.Generator) -> Any:
        """The trial whose models member ``m`` copies, or None when it continues its own (truncation)."""
        n = len(peers)
        cut = max(1, int(math.floor(n * self.shape.quantile)))
        if previous.state.name != "COMPLETE":  # its model failed: nothing of its own to continue
            return peers[int(rng.integers(cut))][1] if peers else None
        if n < 2:
            return None
        bottom = {member for member, _ in peers[n - cut:]}
        if m not in bottom:
            return None
        top = peers[:cut]
        return top[int(rng.integers(len(top)))][1]

    # -- values -------------------------------------------------------------------------
    def draw(self, hp: Hyperparameter, rng: np.random.Generator) -> Any:
        if hp.type == "categorical":
            return hp.choices[int(rng.integers(len(hp.choices)))]
        if hp.values is not None:
            return hp.values[int(rng.integers(len(hp.values)))]
        low, high = float(hp.low), float(hp.high)
        if hp.log:
            value = math.exp(rng.uniform(math.log(low), math.log(high)))
        else:
            value = rng.uniform(low, high)
        return self._fit_to(hp, value)

    def _fit_to(self, hp: Hyperparameter, value: float) -> Any:
        low, high = float(hp.low), float(hp.high)
        value = min(max(value, low), high)
        if hp.step is not None:
            value = low + round((value - low) / float(hp.step)) * float(hp.step)
            value = min(value, high)
        if hp.type == "int":
            return int(min(max(round(value), math.ceil(low)), math.floor(high)))
        return float(value)

    def draw_all(self, rng: np.random.Generator) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for name in self.order:
            if is_active(name, params, self.conditions, self.defaults):
                params[name] = self.draw(self.space[name], rng)
        return params

    def explore(self, params: Mapping[str, Any], rng: np.random.Generator) -> dict[str, Any]:
        """The donor's values, each mutable one scaled by 0.8 or 1.2 (within its range) or drawn anew."""
        out = dict(params)
        for name in self.order:
            if name not in self.model.mutable or name not in out:
                continue
            hp = self.space[name]
            if hp.type == "categorical" or hp.values is not None or rng.random() < RESAMPLE:
                out[name] = self.draw(hp, rng)
                continue
            factor = FACTORS[int(rng.integers(2))]
            value = self._fit_to(hp, float(out[name]) * factor)
            if hp.type == "int" and value == out[name]:  # a small count that rounds back: step by one
                value = self._fit_to(hp, float(out[name]) + (1 if factor > 1 else -1))
            out[name] = value
        # Values that apply only beside another's value follow it (none of the mutable ones change that
        # today; kept so that a future mutable categorical cannot leave a stale or missing value).
        active: dict[str, Any] = {}
        for name in self.order:
            if is_active(name, active, self.conditions, self.defaults):
                active[name] = out[name] if name in out else self.draw(self.space[name], rng)
        return active
