"""A population-based-training study's lineage, as plot-ready data.

Each trial of the ``pbt`` strategy carries its place in the population (``records.PBT_ATTR``):
its member slot, its round, the trial whose trained models it went on from (``parent``), whether
that was an exploit (a better member's models copied) and the hyperparameter schedule of its whole
lineage. From those records this module builds what the Lineage view draws:

- per member, its trials by round with the score at the round's end;
- the parent edges, "continue" (a member goes on from its own previous round) or "exploit" (an edge
  from the copied member's trial to the trial that copied it);
- per hyperparameter, each member's value over training units, as the vertices of a step line.

Studies are live and imperfect, so nothing here assumes a tidy population: trials may be running
(no score yet), failed or pruned; a parent may be missing (still running when its child was read,
failed, or from a study mixed with trials of other strategies); attributes written by another
version may lack fields. Such records still appear where they can, and edges without both ends
scored are left out rather than guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from .records import TrialRecord

__all__ = ["LineagePoint", "Edge", "Lineage", "lineage_of", "schedule_steps", "is_population_trial"]


def is_population_trial(record: TrialRecord) -> bool:
    """Whether a record belongs to a population (has a usable member and round)."""
    info = record.pbt
    return isinstance(info, Mapping) and _int(info.get("member")) is not None and _int(info.get("round")) is not None


@dataclass(frozen=True)
class LineagePoint:
    """One trial of the population: where it sits and the score it reached at its round's end."""

    number: int
    member: int
    round: int
    state: str
    score: float          # NaN without a score (running, failed, or pruned before it reported one)
    parent: int | None    # the trial it went on from (None in round 0 or when unknown)
    exploited: bool       # True when it copied another member's models
    units: float          # training units at its end, counted from the start of its lineage (NaN if unknown)


@dataclass(frozen=True)
class Edge:
    """A parent-to-child link between two scored trials (round and score at each end)."""

    parent: int
    child: int
    exploit: bool
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Lineage:
    """The whole population: points by trial, each member's trials by round, edges and schedules."""

    points: dict[int, LineagePoint] = field(default_factory=dict)
    members: dict[int, list[LineagePoint]] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    #: Children whose parent is not in the study (yet): child number -> parent number.
    missing_parents: dict[int, int] = field(default_factory=dict)
    #: The best of each member's latest scored trial (None before any trial scored).
    best: int | None = None
    #: The best trial's ancestry, round 0 first (follows exploits across members).
    best_path: list[int] = field(default_factory=list)
    #: Hyperparameter names found in any schedule, in first-seen order.
    params: list[str] = field(default_factory=list)
    #: Per member, the schedule of its latest trial that has one: [(from_unit, {param: value}), ...].
    schedules: dict[int, list[tuple[float, dict[str, Any]]]] = field(default_factory=dict)
    #: Per member, how far that schedule runs (the units at the end of that trial).
    schedule_ends: dict[int, float] = field(default_factory=dict)
    #: Every trial's schedule as stored, read only when asked for (``schedule_of``): a long study's
    #: schedules hold a segment per change along each lineage, and the view needs a few of them.
    raw_schedules: dict[int, Any] = field(default_factory=dict, repr=False)
    _parsed: dict[int, list[tuple[float, dict[str, Any]]]] = field(default_factory=dict, repr=False)

    @property
    def rounds(self) -> int:
        """How many rounds any member reached (the highest round + 1, 0 for no population)."""
        return 1 + max((p.round for p in self.points.values()), default=-1)

    def member_line(self, member: int) -> tuple[list[float], list[float]]:
        """The member's continue-line as (rounds, scores), NaN where it breaks.

        The line joins a trial to the one before it in the member when that one is its parent and
        both are scored; an exploit (the member took another's models) or a missing round breaks it,
        as the exploit edge is drawn on its own.
        """
        xs: list[float] = []
        ys: list[float] = []
        previous: LineagePoint | None = None
        for point in self.members.get(member, ()):
            if math.isnan(point.score):
                continue  # a failed try of a round is run again from the same parent: the line goes on
            joined = (previous is not None and not point.exploited and point.parent == previous.number)
            if xs and not joined:
                xs.append(math.nan)
                ys.append(math.nan)
            xs.append(float(point.round))
            ys.append(point.score)
            previous = point
        return xs, ys

    def schedule_of(self, number: int) -> list[tuple[float, dict[str, Any]]]:
        """One trial's schedule as (from_unit, params) segments in unit order ([] without a usable one)."""
        if number not in self._parsed:
            self._parsed[number] = _schedule(self.raw_schedules.get(number))
        return self._parsed[number]

    def trial_steps(self, number: int, name: str) -> tuple[list[float], list[Any]]:
        """The step line of hyperparameter ``name`` along one trial's own lineage, up to its end."""
        schedule = self.schedule_of(number)
        point = self.points.get(number)
        if not schedule or point is None:
            return [], []
        end = point.units if math.isfinite(point.units) else math.nan
        return schedule_steps(schedule, name, end)

    def steps(self, name: str) -> dict[int, tuple[list[float], list[Any]]]:
        """Each member's value of hyperparameter ``name`` over units: step-line vertices (x, value)."""
        out = {}
        for member, schedule in self.schedules.items():
            xs, values = schedule_steps(schedule, name, self.schedule_ends.get(member, math.nan))
            if xs:
                out[member] = (xs, values)
        return out


def schedule_steps(schedule: Sequence[tuple[float, Mapping[str, Any]]], name: str,
                   end: float = math.nan) -> tuple[list[float], list[Any]]:
    """The vertices of one hyperparameter's step line: each segment's value held from its start to
    the next segment's (or to ``end``). A segment without the hyperparameter keeps the value before it
    (the engine may record only what changed); before its first value the line does not start."""
    xs: list[float] = []
    values: list[Any] = []
    current: Any = None
    have = False
    for start, params in schedule:
        if name in params:
            value = params[name]
            if have and value == current:
                continue  # the same value goes on: no corner
            if have:
                xs.append(start)
                values.append(current)
            current, have = value, True
            xs.append(start)
            values.append(value)
    if have:
        last = xs[-1]
        stop = end if isinstance(end, (int, float)) and math.isfinite(end) and end > last else None
        if stop is not None:
            xs.append(float(stop))
            values.append(current)
    return xs, values


def lineage_of(records: Iterable[TrialRecord], direction: str = "maximize") -> Lineage:
    """The lineage of the population trials among ``records`` (other trials are ignored)."""
    out = Lineage()
    for record in records:
        point = _point(record)
        if point is None:
            continue
        out.points[point.number] = point
        raw = record.pbt.get("schedule")
        if raw:
            out.raw_schedules[point.number] = raw
    for point in out.points.values():
        out.members.setdefault(point.member, []).append(point)
    for member, points in out.members.items():
        points.sort(key=lambda p: (p.round, p.number))
    out.members = dict(sorted(out.members.items()))
    for point in sorted(out.points.values(), key=lambda p: p.number):
        if point.parent is None:
            continue
        parent = out.points.get(point.parent)
        if parent is None:
            out.missing_parents[point.number] = point.parent
            continue
        if math.isnan(parent.score) or math.isnan(point.score):
            continue
        # An edge from another member is an exploit even if the flag was not written.
        exploit = point.exploited or parent.member != point.member
        out.edges.append(Edge(parent.number, point.number, exploit, float(parent.round), parent.score,
                              float(point.round), point.score))
    _member_schedules(out)
    out.best = _best_final(out, direction)
    out.best_path = _ancestry(out, out.best)
    return out


def _best_final(lineage: Lineage, direction: str) -> int | None:
    better = (lambda a, b: a > b) if direction == "maximize" else (lambda a, b: a < b)
    best: LineagePoint | None = None
    for points in lineage.members.values():
        scored = [p for p in points if p.state == "complete" and not math.isnan(p.score)]
        if not scored:
            continue
        last = scored[-1]
        # The furthest-trained wins over a better score from fewer rounds: "final" is the end of training.
        if best is None or last.round > best.round or (last.round == best.round and better(last.score, best.score)):
            best = last
    return None if best is None else best.number


def _ancestry(lineage: Lineage, number: int | None) -> list[int]:
    path: list[int] = []
    seen: set[int] = set()
    while number is not None and number in lineage.points and number not in seen:
        seen.add(number)
        path.append(number)
        number = lineage.points[number].parent
    return path[::-1]


def _member_schedules(out: Lineage) -> None:
    """Each member's current schedule: that of its latest trial with a usable one (a later round first,
    then the one that trained further, then the later trial: one run again after its first try)."""
    for member, points in out.members.items():
        ranked = sorted((p for p in points if p.number in out.raw_schedules),
                        key=lambda p: (p.round, p.units if math.isfinite(p.units) else -math.inf, p.number),
                        reverse=True)
        for point in ranked:
            schedule = out.schedule_of(point.number)
            if schedule:
                out.schedules[member] = schedule
                out.schedule_ends[member] = point.units if math.isfinite(point.units) else schedule[-1][0]
                for _, params in schedule:
                    for name in params:
                        if name not in out.params:
                            out.params.append(name)
                break


def _point(record: TrialRecord) -> LineagePoint | None:
    if not is_population_trial(record):
        return None
    info = record.pbt
    return LineagePoint(
        number=int(record.number),
        member=_int(info.get("member")),
        round=_int(info.get("round")),
        state=record.state,
        score=_score(record),
        parent=_int(info.get("parent")),
        exploited=bool(info.get("exploited")),
        units=_float(info.get("units")),
    )


def _score(record: TrialRecord) -> float:
    """The score at the round's end: a completed trial's value; a pruned one's last reported score."""
    if record.state == "complete":
        return _float(record.value)
    if record.state == "pruned" and record.curve:
        return _float(record.curve[-1][1])
    return math.nan


def _schedule(raw: Any) -> list[tuple[float, dict[str, Any]]]:
    """A stored schedule as (from_unit, params) pairs in unit order; malformed segments are dropped."""
    if not isinstance(raw, (list, tuple)):
        return []
    out = []
    for segment in raw:
        if not isinstance(segment, (list, tuple)) or len(segment) != 2 or not isinstance(segment[1], Mapping):
            continue
        start = _float(segment[0])
        if math.isfinite(start):
            out.append((start, dict(segment[1])))
    out.sort(key=lambda s: s[0])
    return out


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if math.isfinite(number) and number == int(number) else None


def _float(value: Any) -> float:
    if isinstance(value, bool) or value is None:
        return math.nan
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan
