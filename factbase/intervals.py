"""Intervals: one organisation's whole history as spans, from a single fold of its events.

Replay applies the certain events of an as-of date ``D`` — those whose valid interval ends on
or before ``D`` — in one fixed order that starts with that end day
(:func:`factbase.replay.ordered_steps`). So the events applied at ``D`` are a prefix of one
list, the same list for every date, and folding the list once, noting after each step which
memberships, roles and units began and ended, gives the state at every date at once:

* a span opened by a step whose date ends on day ``E1`` and closed by one ending on ``E2`` is
  in the state at ``D`` exactly when ``E1 <= D < E2`` (or ``E1 <= D`` while still open);
* so SQL over the projection tables built from these spans answers "who was there on ``D``"
  with ``valid_from_end <= :d AND (valid_to_end IS NULL OR valid_to_end > :d)`` and agrees
  with :func:`factbase.replay.replay` for every date (a property test holds them to it).

Spans keep both ends of each bounding event's interval: ``valid_from``/``valid_from_end`` are
the first and last day of the event that opened the span (a joining "../2026-02-10" opens a
span from 0001-01-01, certain by 2026-02-10), ``valid_to``/``valid_to_end`` those of the event
that closed it. A span opened and closed by steps ending on the same day is kept (it is
history) but is in no day's state.

A membership span is one stretch with the same unit and title: a move to another unit (a
unit merged into another) or a new title closes the span with reason ``changed`` and opens
the next. Roles: one span per (role, unit, title). Units: one span per (name, kind, parent,
status, merged into) — a renamed unit gets a new span, and a merged or dissolved unit a last,
open span with that status. Metrics are points, each with its place in the fold: the latest
certain one at ``D`` has the largest ``position`` among those with ``valid_to <= D``.

Pure module: no SQLAlchemy, no Click.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from factbase.dates import PartialDate
from factbase.events import Event
from factbase.replay import _STATE_TYPES, OrgState, Step, apply_step, ordered_steps

__all__ = ["Intervals", "MembershipSpan", "MetricPoint", "RoleSpan", "Span", "UnitSpan",
           "fold"]


@dataclass
class Span:
    """A stretch of valid time bounded by the steps that opened and closed it.

    ``opened``/``closed``: the dates of those steps (``closed`` None while open);
    ``opened_by``/``closed_by``: their event ids (a reorganisation's change carries the
    reorganisation's id).
    """

    opened: PartialDate
    opened_by: str
    closed: PartialDate | None = None
    closed_by: str | None = None

    def holds_on(self, day: date) -> bool:
        """Whether the span is in the state at the end of ``day`` (see the module docstring)."""
        return self.opened.end <= day and (self.closed is None or self.closed.end > day)


@dataclass
class MembershipSpan(Span):
    """A person in the organisation, in one unit with one title. ``closed_reason``: the
    departure's reason (``disputed`` when the accounts disagree, ``unknown`` when none is
    given), or ``changed`` when the next span continues the stay in another unit or title."""

    person: str = ""
    unit: str | None = None
    title: str | None = None
    closed_reason: str | None = None


@dataclass
class RoleSpan(Span):
    """A role held by a person, in a unit (None: the organisation itself)."""

    person: str = ""
    role: str = ""
    unit: str | None = None
    title: str | None = None


@dataclass
class UnitSpan(Span):
    """A unit with one name, kind, parent and status (active, merged or dissolved)."""

    unit: str = ""
    name: str = ""
    kind: str = ""
    parent: str | None = None
    status: str = "active"
    merged_into: str | None = None


@dataclass
class MetricPoint:
    """One reported figure. ``position``: its place in the fold (later wins at a date)."""

    subject: str
    metric: str
    value: float | int
    unit: str
    date: PartialDate
    event_id: str
    sources: tuple[str, ...]
    position: int
    evidence: str | None = None
    period: str | None = None
    qualifier: str | None = None
    note: str | None = None
    disputed: bool = False


@dataclass
class Intervals:
    """Every span of one organisation, in the order they opened."""

    org: str
    memberships: list[MembershipSpan] = field(default_factory=list)
    roles: list[RoleSpan] = field(default_factory=list)
    units: list[UnitSpan] = field(default_factory=list)
    metrics: list[MetricPoint] = field(default_factory=list)


_PERSON_TYPES = frozenset({"person.joined", "person.left", "role.assigned", "role.ended",
                           "role.confirmed"})
_UNIT_TYPES = frozenset({"unit.created", "unit.renamed", "unit.moved", "unit.dissolved"})
_NO_SPANS = frozenset({"metric.reported", "org.merged"})
#: Types with a narrower rule below; any other type replay has a state rule for is "wide":
#: every person and unit is compared before and after it (correct, only slower).
_KNOWN = _PERSON_TYPES | _UNIT_TYPES | _NO_SPANS | {"org.founded", "unit.merged"}

_MemberView = tuple[str | None, str | None] | None
_UnitView = tuple[str, str, str | None, str, str | None] | None
_RoleKey = tuple[str, str | None, str | None]


def _member_view(state: OrgState, person: str) -> _MemberView:
    m = state.members.get(person)
    return None if m is None else (m.unit, m.title)


def _role_view(state: OrgState, person: str) -> tuple[_RoleKey, ...]:
    """The roles as held, in order (equal tuples: nothing changed; compared as multisets
    only when they differ)."""
    m = state.members.get(person)
    return () if m is None else tuple((r.role, r.unit, r.title) for r in m.roles)


def _unit_view(state: OrgState, unit_id: str) -> _UnitView:
    u = state.units.get(unit_id)
    return None if u is None else (u.name, u.kind, u.parent, u.status, u.merged_into)


class _Folder:
    """Applies steps one by one and turns each change of the views into span edges."""

    def __init__(self, org: str) -> None:
        self.state = OrgState(org=org, as_of=date.max, known_at=None)
        self.out = Intervals(org)
        self.open_member: dict[str, MembershipSpan] = {}
        self.open_roles: dict[tuple[str, _RoleKey], deque[RoleSpan]] = {}
        self.open_unit: dict[str, UnitSpan] = {}
        # What the open spans say, indexed by unit: who is in it, who holds a role in it,
        # which units sit under it (the views equal the state after every step).
        self.in_unit: dict[str, set[str]] = {}
        self.roles_in_unit: dict[str, Counter[str]] = {}
        self.children: dict[str, set[str]] = {}

    def touched(self, step: Step) -> tuple[set[str], set[str]]:
        """The people and units ``step`` may change (all of them for the wide types)."""
        p = step.payload
        if step.type in _PERSON_TYPES:
            return {p["person"]}, set()
        if step.type == "org.founded":
            return set(p.get("founders", [])), set()
        if step.type in _UNIT_TYPES:
            return set(), {p["unit"]}
        if step.type in _NO_SPANS:
            return set(), set()
        if step.type == "unit.merged":  # its people and roles move, its children re-parent
            gone = p["unit"]
            people = set(self.in_unit.get(gone, ())) | set(self.roles_in_unit.get(gone, ()))
            return people, {gone, p["into"], *self.children.get(gone, ())}
        if self.wide(step.type):
            people = set(self.state.members) | set(self.open_member)
            people |= {person for person, _ in self.open_roles}
            return people, set(self.state.units)
        return set(), set()

    @staticmethod
    def wide(type_: str) -> bool:
        """Whether ``type_``'s rule may change any person or unit: a type replay has a state
        rule for that this module does not know more narrowly (none today)."""
        return type_ in _STATE_TYPES and type_ not in _KNOWN

    def step(self, step: Step, position: int) -> None:
        people, units = self.touched(step)
        before_m = {p: _member_view(self.state, p) for p in people}
        before_r = {p: _role_view(self.state, p) for p in people}
        before_u = {u: _unit_view(self.state, u) for u in units}
        apply_step(self.state, step)
        if step.type == "metric.reported":
            self.metric(step, position)
        if self.wide(step.type):  # people and units it brought into being
            for person in set(self.state.members) - people:
                people.add(person)
                before_m[person], before_r[person] = None, ()
            for u in self.state.units:
                before_u.setdefault(u, None)
        for person in sorted(people):
            self.member_edge(step, person, before_m[person], _member_view(self.state, person))
            self.role_edges(step, person, before_r[person], _role_view(self.state, person))
        for unit_id in sorted(before_u):
            self.unit_edge(step, unit_id, before_u[unit_id], _unit_view(self.state, unit_id))

    def member_edge(self, step: Step, person: str, before: _MemberView,
                    after: _MemberView) -> None:
        if before == after:
            return
        span = self.open_member.pop(person, None)
        if span is not None:
            span.closed, span.closed_by = step.date, step.cited.event_id
            span.closed_reason = "changed" if after is not None else self.departure(person)
            if span.unit is not None:
                self.in_unit[span.unit].discard(person)
        if after is not None:
            span = MembershipSpan(step.date, step.cited.event_id, person=person,
                                  unit=after[0], title=after[1])
            self.open_member[person] = span
            self.out.memberships.append(span)
            if span.unit is not None:
                self.in_unit.setdefault(span.unit, set()).add(person)

    def departure(self, person: str) -> str:
        dep = self.state.departed.get(person)
        if dep is None:
            return "unknown"
        return "disputed" if dep.disputed else (dep.reason or "unknown")

    def role_edges(self, step: Step, person: str, held_before: tuple[_RoleKey, ...],
                   held_after: tuple[_RoleKey, ...]) -> None:
        if held_before == held_after:
            return
        before, after = Counter(held_before), Counter(held_after)
        for key in sorted(before | after, key=repr):
            diff = after[key] - before[key]
            spans = self.open_roles.setdefault((person, key), deque())
            role, unit, title = key
            for _ in range(-diff):  # ended: close the oldest first
                span = spans.popleft()
                span.closed, span.closed_by = step.date, step.cited.event_id
            for _ in range(diff):
                new = RoleSpan(step.date, step.cited.event_id, person=person, role=role,
                               unit=unit, title=title)
                spans.append(new)
                self.out.roles.append(new)
            if unit is not None and diff:
                held = self.roles_in_unit.setdefault(unit, Counter())
                held[person] += diff
                if held[person] <= 0:
                    del held[person]
            if not spans:
                del self.open_roles[(person, key)]

    def unit_edge(self, step: Step, unit_id: str, before: _UnitView, after: _UnitView) -> None:
        if before == after:
            return
        span = self.open_unit.pop(unit_id, None)
        if span is not None:
            span.closed, span.closed_by = step.date, step.cited.event_id
            if span.parent is not None:
                self.children[span.parent].discard(unit_id)
        if after is not None:
            name, kind, parent, status, into = after
            new = UnitSpan(step.date, step.cited.event_id, unit=unit_id, name=name, kind=kind,
                           parent=parent, status=status, merged_into=into)
            self.open_unit[unit_id] = new
            self.out.units.append(new)
            if parent is not None:
                self.children.setdefault(parent, set()).add(unit_id)

    def metric(self, step: Step, position: int) -> None:
        p = step.payload
        self.out.metrics.append(MetricPoint(
            p["subject"], p["metric"], p["value"], p["unit"], step.date, step.cited.event_id,
            step.cited.sources, position, step.cited.evidence, p.get("period"),
            p.get("qualifier"), p.get("note"), bool(p.get("value_disputed"))))


def fold(org: str, events: Iterable[Event]) -> Intervals:
    """Every membership, role and unit span and every figure of organisation ``org``.

    ``events``: the organisation's effective events (its stream, with corrections,
    retractions and identity merges already applied by :func:`factbase.amend.resolve`), in any
    order. Returns :class:`Intervals`; never raises for odd histories (replay's anomalies are
    simply not recorded here).
    """
    folder = _Folder(org)
    for position, step in enumerate(ordered_steps(events)):
        folder.step(step, position)
    return folder.out


def as_row(value: Any) -> dict[str, Any]:
    """A span or point as a flat mapping (dates split into text, first day, last day,
    precision) for the projection tables; see :mod:`factbase.projections`."""
    if isinstance(value, MetricPoint):
        return {"subject": value.subject, "metric": value.metric, "value": value.value,
                "unit": value.unit, "qualifier": value.qualifier, "period": value.period,
                "note": value.note, "evidence": value.evidence,
                "value_disputed": int(value.disputed), "date_text": value.date.text,
                "valid_from": value.date.start, "valid_to": value.date.end,
                "precision": value.date.precision, "event_id": value.event_id,
                "sources": list(value.sources), "position": value.position}
    assert isinstance(value, Span)
    row: dict[str, Any] = {k: v for k, v in vars(value).items()
                           if k not in ("opened", "closed", "opened_by", "closed_by")}
    row.update(_ends("valid_from", value.opened))
    row.update(_ends("valid_to", value.closed))
    row["opened_by"], row["closed_by"] = value.opened_by, value.closed_by
    return row


def _ends(prefix: str, d: PartialDate | None) -> dict[str, Any]:
    return {f"{prefix}_text": d.text if d else None, prefix: d.start if d else None,
            f"{prefix}_end": d.end if d else None,
            f"{prefix}_precision": d.precision if d else None}
