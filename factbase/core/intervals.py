"""Intervals: one organisation's whole history as spans, from a single fold of its events.

Replay applies the certain events of an as-of date ``D`` — those whose valid interval ends on
or before ``D`` — in one fixed order that starts with that end day
(:func:`factbase.core.replay.ordered_steps`). So the events applied at ``D`` are a prefix of one
list, the same list for every date, and folding the list once, noting after each step which
memberships, roles and units began and ended, gives the state at every date at once:

* a span opened by a step whose date ends on day ``E1`` and closed by one ending on ``E2`` is
  in the state at ``D`` exactly when ``E1 <= D < E2`` (or ``E1 <= D`` while still open);
* so SQL over the projection tables built from these spans answers "who was there on ``D``"
  with ``valid_from_end <= :d AND (valid_to_end IS NULL OR valid_to_end > :d)`` and agrees
  with :func:`factbase.core.replay.replay` for every date (a property test holds them to it).

Spans keep both ends of each bounding event's interval: ``valid_from``/``valid_from_end`` are
the first and last day of the event that opened the span (a joining "../2026-02-10" opens a
span from 0001-01-01, certain by 2026-02-10), ``valid_to``/``valid_to_end`` those of the event
that closed it. A span opened and closed by steps ending on the same day is kept (it is
history) but is in no day's state.

A membership span is one stretch with the same unit, title and leave status: a move to another
unit (a unit merged into another), a new title or a leave of absence closes the span with reason
``changed`` and opens the next; consecutive spans of one stay share its ``stay`` number. Roles:
one span per holding and its terms (role, unit, title, capacity, holding id; replay's rules).
Units: one span per (name, kind, parent, status, merged into) — a renamed unit gets a new
span, and a merged or dissolved unit a last, open span with that status. Metrics are points,
each with its place in the fold: the latest certain one at ``D`` has the largest ``position``
among those with ``valid_to <= D``.

Pure module: no SQLAlchemy, no Click.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from factbase.core.dates import PartialDate
from factbase.core.events import TYPES, Event
from factbase.core.replay import (
    PRESENCE_ENDED,
    Citation,
    OrgState,
    Step,
    applying,
    changes_state,
    ordered_steps,
)

__all__ = ["Intervals", "MembershipSpan", "MetricPoint", "RoleSpan", "Span", "UnitSpan",
           "intervals_of"]


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
    #: The citations of the opening and closing steps (event, sources, evidence).
    opened_cite: Citation | None = None
    closed_cite: Citation | None = None
    #: The types of the opening and closing steps (``person.joined``, ``role.ended``, …).
    opened_type: str = ""
    closed_type: str | None = None

    def holds_on(self, day: date) -> bool:
        """Whether the span is in the state at the end of ``day`` (see the module docstring)."""
        return self.opened.end <= day and (self.closed is None or self.closed.end > day)


@dataclass
class MembershipSpan(Span):
    """A person in the organisation, in one unit with one title and leave status.
    ``closed_reason``: the departure's reason (``disputed`` when the accounts disagree,
    ``unknown`` when none is given), ``changed`` when the next span continues the stay in
    another unit, title or leave status, or ``roles_ended`` when a person known only by roles
    holds none any more. ``stay``: the person's stays numbered from 1 (spans of one stay, from
    an arrival to a departure, share it)."""

    person: str = ""
    unit: str | None = None
    title: str | None = None
    on_leave: bool = False
    closed_reason: str | None = None
    stay: int = 0


@dataclass
class RoleSpan(Span):
    """A role held by a person, in a unit (None: the organisation itself), with its title,
    capacity (``acting``, ``interim``; None: substantive) and explicit holding id.
    ``closed_reason``: ``ended`` (a ``role.ended``), ``changed`` (the holding continues under
    new terms in the next span), ``left`` (its holder left), ``merged`` (its unit was merged:
    it continues in the other unit)."""

    person: str = ""
    role: str = ""
    unit: str | None = None
    title: str | None = None
    capacity: str | None = None
    holding: str | None = None
    closed_reason: str | None = None


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


#: Types with a rule of their own below; any other type replay has a state rule for says
#: what it may change in the registry (:attr:`factbase.core.events.EventType.touches`), else it is
#: "wide": every person and unit is compared before and after it (correct, only slower).
_OWN_RULE = frozenset({"org.founded", "unit.merged"})


def _touches(type_: str) -> str | None:
    if type_ == PRESENCE_ENDED:
        return "person"
    t = TYPES.get(type_)
    return None if t is None else t.touches

_MemberView = tuple[str | None, str | None, bool] | None
_UnitView = tuple[str, str, str | None, str, str | None] | None
_RoleKey = tuple[str, str | None, str | None, str | None, str | None]


def _member_view(state: OrgState, person: str) -> _MemberView:
    m = state.members.get(person)
    return None if m is None else (m.unit, m.title, m.on_leave is not None)


def _role_view(state: OrgState, person: str) -> tuple[_RoleKey, ...]:
    """The holdings as held, with their terms, in order (equal tuples: nothing changed;
    compared as multisets only when they differ)."""
    m = state.members.get(person)
    return () if m is None else tuple(r.terms for r in m.roles)


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
        self.stays: Counter[str] = Counter()
        # What the open spans say, indexed by unit: who is in it, who holds a role in it,
        # which units sit under it (the views equal the state after every step).
        self.in_unit: dict[str, set[str]] = {}
        self.roles_in_unit: dict[str, Counter[str]] = {}
        self.children: dict[str, set[str]] = {}

    def touched(self, step: Step) -> tuple[set[str], set[str]]:
        """The people and units ``step`` may change (all of them for the wide types)."""
        p = step.payload
        touches = _touches(step.type)
        if touches == "person":
            return {p["person"]}, set()
        if step.type == "org.founded":
            return set(p.get("founders", [])), set()
        if touches == "unit":
            return set(), {p["unit"]}
        if touches == "nothing":
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
        rule for that neither this module nor the registry knows more narrowly (none of the
        built-in types)."""
        return changes_state(type_) and type_ not in _OWN_RULE and _touches(type_) is None

    def begin(self, step: Step) -> None:
        """Note the views ``step`` may change, before it is applied."""
        people, units = self.touched(step)
        self.before = (step, people, {p: _member_view(self.state, p) for p in people},
                       {p: _role_view(self.state, p) for p in people},
                       {u: _unit_view(self.state, u) for u in units})

    def finish(self, position: int) -> None:
        """Turn what the step just applied changed into span edges."""
        step, people, before_m, before_r, before_u = self.before
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
            _close(span, step)
            span.closed_reason = "changed" if after is not None else \
                self.departure(person) if step.type == "person.left" else "roles_ended"
            if span.unit is not None:
                self.in_unit[span.unit].discard(person)
        if after is not None:
            if span is None:
                self.stays[person] += 1
            span = MembershipSpan(step.date, step.cited.event_id, person=person,
                                  unit=after[0], title=after[1], on_leave=after[2],
                                  stay=self.stays[person])
            _open(span, step)
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
        reason = {"role.ended": "ended", "person.left": "left", "unit.merged": "merged",
                  PRESENCE_ENDED: "ended"}.get(step.type, "changed")
        for key in sorted(before | after, key=repr):
            diff = after[key] - before[key]
            spans = self.open_roles.setdefault((person, key), deque())
            role, unit, title, capacity, holding = key
            for _ in range(-diff):  # ended: close the oldest first
                span = spans.popleft()
                _close(span, step)
                span.closed_reason = reason
            for _ in range(diff):
                new = RoleSpan(step.date, step.cited.event_id, person=person, role=role,
                               unit=unit, title=title, capacity=capacity, holding=holding)
                _open(new, step)
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
            _close(span, step)
            if span.parent is not None:
                self.children[span.parent].discard(unit_id)
        if after is not None:
            name, kind, parent, status, into = after
            new = UnitSpan(step.date, step.cited.event_id, unit=unit_id, name=name, kind=kind,
                           parent=parent, status=status, merged_into=into)
            _open(new, step)
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


def intervals_of(org: str, events: Iterable[Event]) -> Intervals:
    """Every membership, role and unit span and every figure of organisation ``org``.

    ``events``: the organisation's effective events (its stream, with corrections, retractions
    and identity merges already applied by :func:`factbase.core.amend.effective_view`), in any
    order. Returns :class:`Intervals`; never raises for odd histories (replay's anomalies are
    simply not recorded here)."""
    folder = _Folder(org)
    position = -1
    for position, step in enumerate(applying(folder.state, ordered_steps(events))):
        if position:
            folder.finish(position - 1)
        folder.begin(step)
    if position >= 0:
        folder.finish(position)
    return folder.out


def _open(span: Span, step: Step) -> None:
    span.opened_cite, span.opened_type = step.cited, step.type


def _close(span: Span, step: Step) -> None:
    span.closed, span.closed_by = step.date, step.cited.event_id
    span.closed_cite, span.closed_type = step.cited, step.type


def as_row(value: Any) -> dict[str, Any]:
    """A span or point as a flat mapping (dates split into text, first day, last day,
    precision) for the projection tables; see :mod:`factbase.store.projections`."""
    if isinstance(value, MetricPoint):
        return {"subject": value.subject, "metric": value.metric, "value": value.value,
                "unit": value.unit, "qualifier": value.qualifier, "period": value.period,
                "note": value.note, "evidence": value.evidence,
                "value_disputed": int(value.disputed), "date_text": value.date.text,
                "valid_from": value.date.start, "valid_to": value.date.end,
                "precision": value.date.precision, "event_id": value.event_id,
                "sources": list(value.sources), "position": value.position}
    assert isinstance(value, Span)
    row: dict[str, Any] = {k: v for k, v in vars(value).items() if k not in _NOT_COLUMNS}
    row.update(_ends("valid_from", value.opened))
    row.update(_ends("valid_to", value.closed))
    row["opened_by"], row["closed_by"] = value.opened_by, value.closed_by
    return row


#: Span fields that are not projection columns (views read them from :func:`intervals_of`).
_NOT_COLUMNS = frozenset({"opened", "closed", "opened_by", "closed_by", "opened_cite",
                          "closed_cite", "opened_type", "closed_type", "stay"})


def _ends(prefix: str, d: PartialDate | None) -> dict[str, Any]:
    return {f"{prefix}_text": d.text if d else None, prefix: d.start if d else None,
            f"{prefix}_end": d.end if d else None,
            f"{prefix}_precision": d.precision if d else None}
