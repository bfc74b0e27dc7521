"""Replay: the state of one organisation at an as-of date, as a pure fold over its events.

``replay(org, events, as_of)`` keeps the events it is given (the caller has already cut them at
*known-at*, recorded time), expands each ``reorg.announced`` into the changes it carries, and
sorts what remains by valid time. For each event with valid interval ``[start, end]``
(DESIGN §2, :meth:`factbase.dates.PartialDate.certainty`):

* **certain** (``end <= as_of``): applied to the state, in order of ``(end, start, instant,
  seq)`` — the exact instant where known orders events within a day, then recording order, so
  every replay gives the same state;
* **uncertain** (``start <= as_of < end``): not applied, listed in ``uncertain``;
* **not yet** (``start > as_of``): ignored.

``--as-of D`` is the end of day D: a person who joins on D is present on D, one who leaves on D
is gone on D. Odd but possible histories (a departure with no recorded joining, a role in a
dissolved unit) add :class:`Anomaly` entries, never exceptions.

Pure module: no SQLAlchemy, no Click.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from datetime import date as Day
from functools import singledispatch
from typing import Any

from factbase.dates import PartialDate, parse_date
from factbase.events import Event

_FAR = datetime.max.replace(tzinfo=None)


@dataclass(frozen=True)
class Citation:
    """Where a fact comes from: the event and the sources it cites."""

    event_id: str
    sources: tuple[str, ...]
    evidence: str | None = None


@dataclass
class Unit:
    """A unit of the organisation as of the date: its current name and parent, and its fate."""

    id: str
    name: str
    kind: str
    parent: str | None
    since: PartialDate
    cited: Citation
    status: str = "active"  # active | merged | dissolved
    merged_into: str | None = None
    ended: PartialDate | None = None
    former_names: list[str] = field(default_factory=list)


@dataclass
class RoleHeld:
    """A role a person holds: ``role`` in ``unit`` (None: the organisation itself)."""

    role: str
    unit: str | None
    since: PartialDate
    cited: Citation
    title: str | None = None


@dataclass
class Member:
    """A person present in the organisation.

    ``since`` is the joining date, or None when no joining is recorded (then ``first_seen`` is
    the date of the first event that shows them there). ``last_confirmed`` is the latest
    ``role.confirmed`` date.
    """

    person: str
    since: PartialDate | None
    first_seen: PartialDate
    cited: Citation
    unit: str | None = None
    title: str | None = None
    roles: list[RoleHeld] = field(default_factory=list)
    last_confirmed: PartialDate | None = None


@dataclass(frozen=True)
class Account:
    """One attributed account of a departure: who says what, where."""

    by: str
    says: str
    source: str
    reason: str | None = None
    evidence: str | None = None


@dataclass
class Departure:
    """A person who has left the organisation by the as-of date.

    ``reason`` is the agreed reason, or None when ``disputed`` (the accounts disagree; each is
    in ``accounts``).
    """

    person: str
    date: PartialDate
    cited: Citation
    reason: str | None
    disputed: bool
    accounts: list[Account]
    note: str | None = None
    roles_held: list[str] = field(default_factory=list)
    announced: str | None = None
    #: When sources disagree on the date: every claim (``date``, ``by``, ``source``, …).
    date_claims: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class MetricValue:
    """The latest reported value of one metric of one subject as of the date."""

    subject: str
    metric: str
    value: float | int
    unit: str
    date: PartialDate
    cited: Citation
    period: str | None = None
    qualifier: str | None = None
    note: str | None = None
    #: When sources disagree on the figure: every claim (``value``, ``by``, ``source``, …).
    value_claims: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Happening:
    """A dated event shown as it is (meetings, statements, products, announcements)."""

    type: str
    date: PartialDate
    cited: Citation
    payload: dict[str, Any]


@dataclass(frozen=True)
class Uncertain(Happening):
    """An event whose interval straddles the as-of date: it may or may not have happened."""


@dataclass(frozen=True)
class Anomaly:
    """An odd but possible history noted during replay."""

    code: str
    message: str
    event_id: str


@dataclass
class OrgState:
    """An organisation at the end of day ``as_of``, as known at ``known_at`` (None = now).

    Keys are entity ids; display names are the caller's business.
    """

    org: str
    as_of: date
    known_at: datetime | None
    founded: PartialDate | None = None
    units: dict[str, Unit] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    departed: dict[str, Departure] = field(default_factory=dict)
    cofounders: list[str] = field(default_factory=list)
    metrics: dict[tuple[str, str], MetricValue] = field(default_factory=dict)
    happenings: list[Happening] = field(default_factory=list)
    uncertain: list[Uncertain] = field(default_factory=list)
    anomalies: list[Anomaly] = field(default_factory=list)
    merged_into: str | None = None

    @property
    def cofounders_present(self) -> list[str]:
        return [p for p in self.cofounders if p in self.members]

    @property
    def cofounders_uncertain(self) -> list[str]:
        """Co-founders present now whose departure straddles the as-of date (may have left)."""
        maybe = {u.payload.get("person") for u in self.uncertain if u.type == "person.left"}
        return [p for p in self.cofounders if p in self.members and p in maybe]

    @property
    def cofounders_departed(self) -> list[str]:
        """Co-founders with a certain departure and no later certain return (DESIGN §4)."""
        return [p for p in self.cofounders if p not in self.members and p in self.departed]

    def note(self, code: str, message: str, event: _Step) -> None:
        self.anomalies.append(Anomaly(code, message, event.event_id))


@dataclass(frozen=True)
class _Step:
    """One thing to apply: an event, or one change of a reorganisation."""

    type: str
    event_id: str
    date: PartialDate
    instant: datetime | None
    seq: int
    index: int
    payload: dict[str, Any]
    cited: Citation

    @property
    def order(self) -> tuple[Day, Day, datetime, int, str, int]:
        # By the day it is certain to have happened (the interval's end), then its start, so
        # "../2026-02-10" (on or before) applies on 2026-02-10, not before the founding; then
        # the exact instant where known; then a fixed order of kinds (beginnings before
        # endings on the same day); then the event id. Recording order is deliberately not
        # used: it differs between loads, and the state must not.
        instant = self.instant.replace(tzinfo=None) if self.instant else _FAR
        return (self.date.end, self.date.start, instant, TYPE_RANK.get(self.type, 50),
                self.event_id, self.index)


#: One thing replay applies (public name for :func:`ordered_steps` callers).
Step = _Step

#: Same-day order of kinds: what opens comes before what it enables, endings last.
TYPE_RANK: dict[str, int] = {t: i for i, t in enumerate([
    "org.founded", "unit.created", "unit.renamed", "unit.moved", "person.joined",
    "role.assigned", "role.confirmed", "metric.reported", "reorg.announced", "meeting.held",
    "statement.made", "product.announced", "product.launched", "role.ended", "unit.merged",
    "person.left", "unit.dissolved", "org.merged",
])}


def _steps(events: Iterable[Event]) -> Iterable[_Step]:
    for ev in events:
        if ev.date is None:
            continue
        cited = Citation(ev.event_id, ev.sources, ev.evidence)
        yield _Step(ev.type, ev.event_id, ev.date, ev.instant, ev.seq, 0, ev.payload, cited)
        if ev.type == "reorg.announced":
            effective = parse_date(ev.payload["effective"]) if ev.payload.get("effective") \
                else ev.date
            for i, change in enumerate(ev.payload.get("changes", []), start=1):
                body = {k: v for k, v in change.items() if k not in ("type", "evidence")}
                # A change may state its own evidence level (one named lead only reported).
                own = Citation(ev.event_id, ev.sources, change["evidence"]) \
                    if change.get("evidence") else cited
                yield _Step(change["type"], f"{ev.event_id}#{i}", effective, None, ev.seq, i,
                            body, own)


def replay(org: str, events: Iterable[Event], as_of: date,
           known_at: datetime | None = None) -> OrgState:
    """Fold ``events`` (one organisation's stream, already cut at known-at) into its state at
    the end of day ``as_of``. See the module docstring for the rules. Never raises for odd
    histories; they become anomalies."""
    state = OrgState(org=org, as_of=as_of, known_at=known_at)
    certain: list[_Step] = []
    events = list(events)
    reorgs = [e for e in events if e.type == "reorg.announced"]
    for step in _steps(events):
        c = step.date.certainty(as_of)
        if c == "certain":
            certain.append(step)
        elif c == "uncertain" and step.index == 0:
            state.uncertain.append(Uncertain(step.type, step.date, step.cited, step.payload))
        elif c == "uncertain" and step.index == 1:
            # A reorganisation whose effective interval straddles the as-of date: listed once,
            # as the reorganisation, dated by when its changes took effect.
            parent = next(e for e in reorgs if e.event_id == step.cited.event_id)
            state.uncertain.append(Uncertain("reorg.announced", step.date, step.cited,
                                             parent.payload))
    for step in sorted(certain, key=lambda s: s.order):
        apply_step(state, step)
    state.uncertain.sort(key=lambda u: (u.date.end, u.date.start, u.type, u.cited.event_id))
    return state


def ordered_steps(events: Iterable[Event]) -> list[Step]:
    """Every dated step of ``events`` (reorganisations expanded into their changes) in the
    order replay applies them, whatever the as-of date: the state at the end of day ``D`` is
    the fold of the steps whose ``date.end <= D``, which are a prefix of this list (the order
    starts with the end day). :mod:`factbase.intervals` folds it once to get every date's
    state."""
    return sorted(_steps(events), key=lambda s: s.order)


def apply_step(state: OrgState, step: Step) -> None:
    """Apply one certain step to ``state`` as replay does (a step that changes no state is
    kept as a happening)."""
    if step.index == 0 and step.type not in _STATE_TYPES:
        state.happenings.append(Happening(step.type, step.date, step.cited, step.payload))
    apply(_key(step.type), state, step)


# --- apply, one function per event type ---------------------------------------------------


class _Type:
    """Dispatch key: singledispatch on a per-type marker class."""


_MARKERS: dict[str, type[_Type]] = {}


def _key(type_: str) -> _Type:
    cls = _MARKERS.get(type_)
    if cls is None:
        cls = type(type_, (_Type,), {})
        _MARKERS[type_] = cls
    return cls()


@singledispatch
def apply(kind: _Type, state: OrgState, step: _Step) -> None:
    """Apply one certain step to ``state``. Types without a rule change nothing here."""


_Apply = Callable[[_Type, "OrgState", "_Step"], None]


def _on(type_: str) -> Callable[[_Apply], _Apply]:
    """Register the decorated function as the rule for events of ``type_``."""

    def deco(fn: _Apply) -> _Apply:
        apply.register(type(_key(type_)), fn)
        return fn

    return deco


_STATE_TYPES = frozenset({
    "org.founded", "unit.created", "unit.renamed", "unit.moved", "unit.merged", "unit.dissolved",
    "person.joined", "person.left", "role.assigned", "role.ended", "role.confirmed",
    "metric.reported",
})


def _member(state: OrgState, person: str, step: _Step) -> Member:
    m = state.members.get(person)
    if m is None:
        m = Member(person, since=None, first_seen=step.date, cited=step.cited)
        state.members[person] = m
        state.departed.pop(person, None)
    return m


def _add_role(state: OrgState, step: _Step, person: str, role: str, unit: str | None,
              title: str | None) -> None:
    m = _member(state, person, step)
    if unit is not None and unit not in state.units:
        state.note("unknown_unit", f"{person} holds {role} in unit '{unit}', which does not "
                   "exist on this date", step)
    elif unit is not None and state.units[unit].status != "active":
        state.note("ended_unit", f"{person} holds {role} in unit '{unit}', which was "
                   f"{state.units[unit].status}", step)
    for held in m.roles:
        if held.role == role and held.unit == unit:
            return
    m.roles.append(RoleHeld(role, unit, step.date, step.cited, title))
    if role == "cofounder" and person not in state.cofounders:
        state.cofounders.append(person)


@_on("org.founded")
def _(kind: _Type, state: OrgState, step: _Step) -> None:
    state.founded = step.date
    for person in step.payload.get("founders", []):
        m = state.members.get(person)
        if m is None:
            state.members[person] = m = Member(person, step.date, step.date, step.cited)
        elif m.since is None:
            m.since = step.date
        _add_role(state, step, person, "cofounder", None, None)


@_on("org.merged")
def _(kind: _Type, state: OrgState, step: _Step) -> None:
    if step.payload["org"] == state.org:
        state.merged_into = step.payload["into"]


@_on("unit.created")
def _(kind: _Type, state: OrgState, step: _Step) -> None:
    p = step.payload
    existing = state.units.get(p["unit"])
    if existing is not None and existing.status == "active":
        state.note("unit_exists", f"unit '{p['unit']}' created again while it exists", step)
    parent = p.get("parent")
    if parent is not None and parent not in state.units:
        state.note("unknown_unit", f"unit '{p['unit']}' is created under '{parent}', which "
                   "does not exist on this date", step)
    state.units[p["unit"]] = Unit(p["unit"], p["name"], p.get("kind", "team"), parent,
                                  step.date, step.cited)


def _unit(state: OrgState, step: _Step, verb: str) -> Unit | None:
    unit = state.units.get(step.payload["unit"])
    if unit is None:
        state.note("unknown_unit", f"unit '{step.payload['unit']}' is {verb} but was never "
                   "created", step)
    return unit


@_on("unit.renamed")
def _(kind: _Type, state: OrgState, step: _Step) -> None:
    unit = _unit(state, step, "renamed")
    if unit is not None and unit.name != step.payload["name"]:
        unit.former_names.append(unit.name)
        unit.name = step.payload["name"]


@_on("unit.moved")
def _(kind: _Type, state: OrgState, step: _Step) -> None:
    unit = _unit(state, step, "moved")
    if unit is not None:
        unit.parent = step.payload.get("parent")


def _people_in(state: OrgState, unit_id: str) -> list[str]:
    return sorted({m.person for m in state.members.values()
                   if m.unit == unit_id or any(r.unit == unit_id for r in m.roles)})


@_on("unit.merged")
def _(kind: _Type, state: OrgState, step: _Step) -> None:
    unit = _unit(state, step, "merged")
    into = step.payload["into"]
    if unit is None:
        return
    if into not in state.units:
        state.note("unknown_unit", f"unit '{unit.id}' is merged into '{into}', which does "
                   "not exist on this date", step)
    unit.status, unit.merged_into, unit.ended = "merged", into, step.date
    gone = unit.id
    for m in state.members.values():
        if m.unit == gone:
            m.unit = into
        for r in m.roles:  # rebuild the list only when a role is in the merged unit
            if r.unit == gone:
                m.roles = [replace(x, unit=into) if x.unit == gone else x for x in m.roles]
                break
    for other in state.units.values():
        if other.parent == unit.id:
            other.parent = into


@_on("unit.dissolved")
def _(kind: _Type, state: OrgState, step: _Step) -> None:
    unit = _unit(state, step, "dissolved")
    if unit is None:
        return
    unit.status, unit.ended = "dissolved", step.date
    people = _people_in(state, unit.id)
    if people:
        state.note("dissolved_with_people", f"unit '{unit.id}' was dissolved while "
                   f"{len(people)} people were still in it: {', '.join(people)}", step)


@_on("person.joined")
def _(kind: _Type, state: OrgState, step: _Step) -> None:
    p = step.payload
    m = state.members.get(p["person"])
    if m is not None and m.since is not None:
        state.note("joined_twice", f"{p['person']} joined again while already a member "
                   f"(since {m.since})", step)
    if m is None:
        m = Member(p["person"], step.date, step.date, step.cited)
        state.members[p["person"]] = m
        state.departed.pop(p["person"], None)
    else:
        m.since = m.since or step.date
    if p.get("unit"):
        m.unit = p["unit"]
    if p.get("title"):
        m.title = p["title"]


@_on("person.left")
def _(kind: _Type, state: OrgState, step: _Step) -> None:
    p = step.payload
    person = p["person"]
    m = state.members.pop(person, None)
    if m is None and person in state.departed:
        first = state.departed[person]
        state.note("left_twice", f"{person} left again on {step.date} but had already left on "
                   f"{first.date} (event {first.cited.event_id}); the first departure is kept",
                   step)
        return
    if m is None:
        state.note("left_without_joining", f"{person} left with no recorded joining", step)
    accounts = [Account(a["by"], a["says"], a["source"], a.get("reason"), a.get("evidence"))
                for a in p.get("accounts", [])]
    reasons = {r for r in [p.get("reason"), *(a.reason for a in accounts)] if r}
    disputed = len(reasons) > 1
    reason = None if disputed else (next(iter(reasons)) if reasons else None)
    held = [r.role for r in m.roles] if m else []
    state.departed[person] = Departure(person, step.date, step.cited, reason, disputed,
                                       accounts, p.get("note"), held, p.get("announced"),
                                       list(p.get("date_claims", [])))
    if m is not None and any(r.role == "cofounder" for r in m.roles) and \
            person not in state.cofounders:
        state.cofounders.append(person)


@_on("role.assigned")
def _(kind: _Type, state: OrgState, step: _Step) -> None:
    p = step.payload
    _add_role(state, step, p["person"], p["role"], p.get("unit"), p.get("title"))


@_on("role.ended")
def _(kind: _Type, state: OrgState, step: _Step) -> None:
    p = step.payload
    m = state.members.get(p["person"])
    before = len(m.roles) if m else 0
    if m is not None:
        m.roles = [r for r in m.roles if not (r.role == p["role"] and r.unit == p.get("unit"))]
    if m is None or len(m.roles) == before:
        state.note("role_not_held", f"{p['person']}'s role {p['role']} ended but was not held",
                   step)


@_on("role.confirmed")
def _(kind: _Type, state: OrgState, step: _Step) -> None:
    p = step.payload
    if p["person"] in state.departed and p["person"] not in state.members:
        state.note("confirmed_after_leaving", f"{p['person']} was seen at the organisation "
                   f"after leaving on {state.departed[p['person']].date}", step)
    m = _member(state, p["person"], step)
    m.last_confirmed = step.date
    if p.get("role"):
        _add_role(state, step, p["person"], p["role"], p.get("unit"), None)
    elif p.get("unit") and m.unit is None:
        m.unit = p["unit"]


@_on("metric.reported")
def _(kind: _Type, state: OrgState, step: _Step) -> None:
    p = step.payload
    state.metrics[(p["subject"], p["metric"])] = MetricValue(
        p["subject"], p["metric"], p["value"], p["unit"], step.date, step.cited,
        p.get("period"), p.get("qualifier"), p.get("note"), list(p.get("value_claims", [])))
