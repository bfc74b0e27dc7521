"""Replay: the state of one organisation at an as-of date, as a pure fold over its events.

This module is the one home of the rules of an organisation's life: how a reorganisation
expands into its changes (:func:`expand`), the valid-time order of events and changes
(:func:`step_order`), and how a membership, a role holding, a leave and a unit start, change
and end (the ``apply`` rules below). Every output — ``org``, ``who``, ``diff``, ``report``, the
exports and the SQL projections (through :mod:`factbase.core.intervals`) — is a view of this fold.

``replay(org, events, as_of)`` keeps the events it is given (the caller has already cut them at
*known-at*, recorded time), expands each ``reorg.announced`` into the changes it carries, and
sorts what remains by valid time. For each event with valid interval ``[start, end]``
(DESIGN §2, :meth:`factbase.core.dates.PartialDate.certainty`):

* **certain** (``end <= as_of``): applied to the state, in :func:`step_order`;
* **uncertain** (``start <= as_of < end``): not applied, listed in ``uncertain``;
* **not yet** (``start > as_of``): ignored. Nothing of an organisation happens before its
  founding: while the founding is not yet, the state says so (``founding``) and an event
  known only as "on or before" a date is not yet either.

``--as-of D`` is the end of day D: a person who joins on D is present on D, one who leaves on D
is gone on D.

**Within one day** (docs/concepts.md, "Order within a day"): endings apply before beginnings —
a role that ends, a leave that ends and a departure come before joinings, assignments and
confirmations — so a title changed on a day (``role.ended`` CTO and ``role.assigned`` CEO on
2005-06-01) leaves the new title held whatever order the two were recorded in. An ending that
finds nothing to end waits until the end of that day: a beginning later that day that it
matches is ended by it at once (a one-day stint, kept as history), and if nothing matches, it
is applied then and noted as an anomaly. A person who left earlier that day and is seen again
the same day (a role, a confirmation) is closed again by that departure; only a
``person.joined`` is a return. So the state at the end of a day never depends on the order in
which that day's events were recorded (a property test shuffles them).

**Role holdings.** A holding is identified by its ``holding`` id when the event gives one, else
by (role, unit, title). Assigning:

* an untitled role already held in any title, or the same title again: a restatement, no change;
* a title to a holding held without one, a new title or capacity under the same ``holding`` id,
  or a new capacity (acting CEO confirmed as CEO) under the same title: a change — the holding
  continues under its new terms (the old stretch closes, a new one opens);
* another title in the same role and unit: a second holding held at the same time ("Head of
  Research" and "acting COO"). When neither is acting or interim the log may also mean a change
  of title with the ending left out, so an ``ambiguous_title`` anomaly names both events on that
  day; a ``role.ended`` of the old title (or a shared ``holding`` id) settles it.

``role.ended`` ends the holding named by ``holding``, else every holding of that role in that
unit with that ``title`` (any title when none is given). ``capacity`` marks acting and interim
holders. Roles ``board_member``, ``adviser`` and ``investor`` are affiliations, not staff.

**Presence.** A person is present from a joining, a founding, a confirmation, or a first role.
A person known only by roles (no joining, founding or role-less confirmation) is present while
they hold one: their presence ends with their last role, with no departure. A leave of absence
(``leave.started`` … ``leave.ended``) keeps the person present, shown on leave. Tags such as
co-founder belong to the person in the organisation and survive a departure and a return.

Odd but possible histories (a departure with no recorded joining, a role in a dissolved unit)
add :class:`Anomaly` entries, never exceptions.

Pure module: no SQLAlchemy, no Click.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from datetime import date as Day
from functools import singledispatch
from typing import Any

from factbase.core.dates import PartialDate, parse_date
from factbase.core.events import TYPES, Event, rank

_FAR = datetime.max.replace(tzinfo=None)

#: Roles that affiliate a person with the organisation without making them staff: their
#: presence, when known only through such roles, ends with the last of them.
AFFILIATION_ROLES = frozenset({"board_member", "adviser", "investor"})
#: How a role may be held besides substantively (``capacity``; None: substantive).
CAPACITIES = ("acting", "interim")


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
    """A role a person holds: ``role`` in ``unit`` (None: the organisation itself), with an
    optional ``title``, ``capacity`` (``acting``, ``interim``; None: substantive) and explicit
    ``holding`` id. ``since``: when this holding took its present terms."""

    role: str
    unit: str | None
    since: PartialDate
    cited: Citation
    title: str | None = None
    capacity: str | None = None
    holding: str | None = None

    @property
    def terms(self) -> tuple[str, str | None, str | None, str | None, str | None]:
        """What identifies the holding and its terms: (role, unit, title, capacity,
        holding); equal terms, nothing changed."""
        return (self.role, self.unit, self.title, self.capacity, self.holding)


@dataclass
class Member:
    """A person present in the organisation.

    ``since`` is the joining date, or None when no joining is recorded (then ``first_seen`` is
    the date of the first event that shows them there). ``last_confirmed`` is the latest
    ``role.confirmed`` date. ``basis``: what makes them present — ``joined`` (a joining),
    ``founder`` (the founding), ``seen`` (a confirmation with no role), or ``roles`` (only the
    roles they hold: they are present while they hold one). ``on_leave``: the start of a leave
    of absence under way, else None.
    """

    person: str
    since: PartialDate | None
    first_seen: PartialDate
    cited: Citation
    unit: str | None = None
    title: str | None = None
    roles: list[RoleHeld] = field(default_factory=list)
    last_confirmed: PartialDate | None = None
    basis: str = "joined"
    on_leave: PartialDate | None = None

    @property
    def affiliated(self) -> bool:
        """Present only through affiliation roles (board, adviser, investor): not staff."""
        return self.basis == "roles" and bool(self.roles) and all(
            r.role in AFFILIATION_ROLES or r.role == "cofounder" for r in self.roles) and any(
            r.role in AFFILIATION_ROLES for r in self.roles)


@dataclass(frozen=True)
class Account:
    """One attributed account of a departure: who says what, where."""

    by: str
    says: str
    source: str
    reason: str | None = None
    evidence: str | None = None


def departure_reason(payload: Mapping[str, Any]) -> tuple[str | None, bool]:
    """The reason of a ``person.left`` payload and whether it is disputed: ``(reason,
    False)`` when the event and its accounts agree (None when none gives one), ``(None,
    True)`` when they give different reasons (DESIGN §4, contested accounts)."""
    reasons = {r for r in [payload.get("reason"), *(a.get("reason") for a in
                                                    payload.get("accounts", []))] if r}
    if len(reasons) > 1:
        return None, True
    return next(iter(reasons), None), False


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

    @property
    def reasons(self) -> list[str]:
        """Every reason given (the event's and its accounts'), sorted; one unless disputed."""
        return sorted({r for r in [self.reason, *(a.reason for a in self.accounts)] if r})


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
    """An odd but possible history noted during replay: ``event_id`` the event (or
    reorganisation change) it was noted on, ``date`` that step's date, ``related`` the other
    events it names."""

    code: str
    message: str
    event_id: str
    date: PartialDate | None = None
    related: tuple[str, ...] = ()


@dataclass
class OrgState:
    """An organisation at the end of day ``as_of``, as known at ``known_at`` (None = now).

    Keys are entity ids; display names are the caller's business. ``founding``: the date of
    the organisation's founding when the log has one, and ``founding_status`` its certainty
    at ``as_of`` (``certain``, ``uncertain``, ``not_yet``; None without a founding).
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
    founding: PartialDate | None = None
    founding_status: str | None = None
    #: Facts certain at ``as_of`` as first recorded that were retracted or corrected by
    #: ``known_at`` (:class:`factbase.core.amend.Withdrawal`; the API fills it in).
    withdrawn: list[Any] = field(default_factory=list)
    #: The day being folded and what its endings left to settle (see :func:`applying`).
    _day: _DayLedger = field(default_factory=lambda: _DayLedger(), repr=False, compare=False)
    #: Each co-founder's co-founder holding, given back when they return.
    _tags: dict[str, RoleHeld] = field(default_factory=dict, repr=False, compare=False)

    @property
    def not_yet_founded(self) -> bool:
        """True when the log dates the founding after ``as_of``."""
        return self.founding_status == "not_yet"

    @property
    def staff(self) -> list[Member]:
        """Present members who are staff (not only affiliated: board, advisers, investors)."""
        return [m for m in self.members.values() if not m.affiliated]

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

    def note(self, code: str, message: str, event: Step, *related: str) -> None:
        self.anomalies.append(Anomaly(code, message, event.event_id, event.date,
                                      tuple(related)))


# --- steps: events and reorganisation changes, in valid-time order ---------------------------


@dataclass(frozen=True)
class Step:
    """One thing to apply: an event, or one change of a reorganisation (``index`` >= 1, its
    ``event_id`` is the reorganisation's with ``#index``)."""

    type: str
    event_id: str
    date: PartialDate
    instant: datetime | None
    seq: int
    index: int
    payload: dict[str, Any]
    cited: Citation

    @property
    def order(self) -> tuple[Day, Day, int, datetime, str, int]:
        return step_order(self.date, self.instant, self.type, self.event_id, self.index)


def step_order(when: PartialDate, instant: datetime | None, type_: str, event_id: str,
               index: int = 0) -> tuple[Day, Day, int, datetime, str, int]:
    """The valid-time order of events and reorganisation changes, the one every output uses.

    By the day the step is certain to have happened (its interval's end), then its start (so
    ``../2026-02-10``, on or before, applies on 2026-02-10), then the kind (each type's rank
    in the registry, :func:`factbase.core.events.rank`: the organisation and its units first; then
    every ending of a holding, a leave or a presence; then the beginnings; then what only
    reports; merges and dissolutions last), then the exact instant where known (two figures
    reported the same day: the later stands; one without an instant comes after those with
    one), then the event id and the change's index. Recording order is deliberately not
    used: it differs between loads, and the state must not."""
    at = instant.replace(tzinfo=None) if instant else _FAR
    return (when.end, when.start, rank(type_), at, event_id, index)


def valid_order(ev: Event) -> tuple[Day, Day, int, datetime, str, int]:
    """:func:`step_order` of a dated event (timelines list events in replay's order)."""
    assert ev.date is not None
    return step_order(ev.date, ev.instant, ev.type, ev.event_id)


Change = tuple[int, str, PartialDate, dict[str, Any], str | None]


def expand_changes(type_: str, when: PartialDate, payload: Mapping[str, Any],
                   evidence: str | None = None) -> list[Change]:
    """The changes a ``reorg.announced`` payload carries, as ``(index, type, effective date,
    fields, evidence)`` (index from 1; fields without ``type``/``evidence``, with the
    reorganisation's ``org`` when the change names none; evidence the change's own level, else
    the reorganisation's). They take effect together on ``effective`` (else the event's date).
    Any other type: an empty list. The one expansion of reorganisations: replay, intervals,
    reports, ``who``, ``diff`` and the exports all read changes through it."""
    if type_ != "reorg.announced":
        return []
    effective = parse_date(payload["effective"]) if payload.get("effective") else when
    out: list[Change] = []
    for i, change in enumerate(payload.get("changes", []), start=1):
        body = {k: v for k, v in change.items() if k not in ("type", "evidence")}
        if payload.get("org") is not None:
            body.setdefault("org", payload["org"])
        out.append((i, change["type"], effective, body, change.get("evidence") or evidence))
    return out


def expand(ev: Event) -> list[Step]:
    """``ev`` as steps: itself (index 0) and, for a reorganisation, each change it carries
    (:func:`expand_changes`), cited to the reorganisation. Undated events: no step."""
    if ev.date is None:
        return []
    cited = Citation(ev.event_id, ev.sources, ev.evidence)
    out = [Step(ev.type, ev.event_id, ev.date, ev.instant, ev.seq, 0, ev.payload, cited)]
    for i, type_, effective, body, evidence in expand_changes(ev.type, ev.date, ev.payload,
                                                              ev.evidence):
        out.append(Step(type_, f"{ev.event_id}#{i}", effective, None, ev.seq, i, body,
                         Citation(ev.event_id, ev.sources, evidence)))
    return out


def _steps(events: Iterable[Event]) -> Iterable[Step]:
    for ev in events:
        yield from expand(ev)


def _founding(org: str, steps: Iterable[Step]) -> PartialDate | None:
    found = [s.date for s in steps if s.type == "org.founded"
             and s.payload.get("org", org) == org]
    return min(found, key=lambda d: (d.end, d.start)) if found else None


def replay(org: str, events: Iterable[Event], as_of: date,
           known_at: datetime | None = None) -> OrgState:
    """Fold ``events`` (one organisation's stream, already cut at known-at) into its state at
    the end of day ``as_of``. See the module docstring for the rules. Never raises for odd
    histories; they become anomalies."""
    state = OrgState(org=org, as_of=as_of, known_at=known_at)
    certain: list[Step] = []
    events = list(events)
    steps = list(_steps(events))
    founding = _founding(org, steps)
    if founding is not None:
        state.founding, state.founding_status = founding, founding.certainty(as_of)
    reorgs = {e.event_id: e for e in events if e.type == "reorg.announced"}
    for step in steps:
        c = step.date.certainty(as_of)
        if c == "uncertain" and founding is not None and founding.start > as_of:
            c = "not_yet"  # nothing of the organisation happens before its founding
        if c == "certain":
            certain.append(step)
        elif c == "uncertain" and step.index == 0:
            state.uncertain.append(Uncertain(step.type, step.date, step.cited, step.payload))
        elif c == "uncertain" and step.index == 1:
            # A reorganisation whose effective interval straddles the as-of date: listed once,
            # as the reorganisation, dated by when its changes took effect.
            parent = reorgs[step.cited.event_id]
            state.uncertain.append(Uncertain("reorg.announced", step.date, step.cited,
                                             parent.payload))
    for _ in applying(state, sorted(certain, key=lambda s: s.order)):
        pass
    state.uncertain.sort(key=lambda u: (u.date.end, u.date.start, u.type, u.cited.event_id))
    return state


def ordered_steps(events: Iterable[Event]) -> list[Step]:
    """Every dated step of ``events`` (reorganisations expanded into their changes) in the
    order replay applies them, whatever the as-of date: the state at the end of day ``D`` is
    the fold of the steps whose ``date.end <= D``, which are a prefix of this list (the order
    starts with the end day). :mod:`factbase.core.intervals` folds it once to get every date's
    state."""
    return sorted(_steps(events), key=lambda s: s.order)


# --- the fold: days, and the endings a day leaves to settle ---------------------------------


@dataclass
class _DayLedger:
    """What one day's endings left open: endings that found nothing to end yet (``waiting``),
    departures applied that day (``left``), and endings to apply again next (``ready``)."""

    day: Day | None = None
    waiting: list[Step] = field(default_factory=list)
    left: dict[str, Step] = field(default_factory=dict)
    bare: dict[str, Step] = field(default_factory=dict)
    ready: list[Step] = field(default_factory=list)
    settling: bool = False


def applying(state: OrgState, steps: Iterable[Step]) -> Iterator[Step]:
    """Apply ``steps`` (certain, in :func:`step_order`) to ``state`` one by one, yielding each
    step just before it is applied; the caller sees the state after a step at the next yield
    (or when the iteration ends). Besides the steps given, it yields an ending again right
    after a same-day beginning it matches (that ending closes it: a one-day stint), and at the
    end of each day the endings that found nothing all day (applied then as anomalies). The
    state after the last step of day ``D`` is the state at the end of ``D``."""
    ledger = state._day
    for step in steps:
        if ledger.day is not None and step.date.end != ledger.day:
            yield from _settle(state)
        ledger.day = step.date.end
        yield step
        apply_step(state, step)
        while ledger.ready:
            again = ledger.ready.pop(0)
            yield again
            apply_step(state, again)
    yield from _settle(state)


def _settle(state: OrgState) -> Iterator[Step]:
    ledger = state._day
    waiting, ledger.waiting = ledger.waiting, []
    ledger.settling = True
    try:
        for step in waiting:
            yield step
            apply_step(state, step)
    finally:
        ledger.settling = False
    bare, ledger.bare = ledger.bare, {}
    for step in bare.values():
        yield step
        apply_step(state, step)
    ledger.left.clear()


def _wait(state: OrgState, step: Step) -> bool:
    """Keep an ending that found nothing until the end of its day; False when the day is
    being settled (the caller then applies it as an anomaly)."""
    if state._day.settling:
        return False
    state._day.waiting.append(step)
    return True


def _release(state: OrgState, person: str, match: Callable[[Step], bool]) -> None:
    """Endings of ``person`` waiting today that ``match`` a beginning just applied: applied
    again next, so they close it."""
    ledger = state._day
    for step in [s for s in ledger.waiting if s.payload.get("person") == person and match(s)]:
        ledger.waiting.remove(step)
        ledger.ready.append(step)


def apply_step(state: OrgState, step: Step) -> None:
    """Apply one certain step to ``state`` as replay does (a step that changes no state is
    kept as a happening). Use :func:`applying` to fold many: it settles each day."""
    if not changes_state(step.type):
        if step.index == 0:
            state.happenings.append(Happening(step.type, step.date, step.cited, step.payload))
        return
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
def apply(kind: _Type, state: OrgState, step: Step) -> None:
    """Apply one certain step to ``state``. Types without a rule change nothing here."""


_Apply = Callable[[_Type, "OrgState", "Step"], None]


def _on(type_: str) -> Callable[[_Apply], _Apply]:
    """Register the decorated function as the rule for events of ``type_``."""

    def deco(fn: _Apply) -> _Apply:
        apply.register(type(_key(type_)), fn)
        return fn

    return deco


#: The public name of :func:`_on`: ``@rule("person.promoted")`` makes the decorated
#: ``fn(kind, state, step)`` the replay rule of a type registered with
#: :func:`factbase.core.events.register` (``state=True``).
rule = _on


def changes_state(type_: str) -> bool:
    """Whether replay has a state rule for ``type_`` (:attr:`factbase.core.events.EventType.state`,
    and the end of a presence through roles); any other type is kept as a happening."""
    t = TYPES.get(type_)
    return type_ == PRESENCE_ENDED if t is None else t.state


#: The step :func:`applying` adds at the end of a day for a person known only by roles whose
#: last role ended that day (cited to that ending): their presence ends, with no departure.
PRESENCE_ENDED = "presence.ended"


# --- presence ---------------------------------------------------------------------------------


def _enter(state: OrgState, person: str, step: Step, basis: str) -> Member:
    """The person's membership, begun by ``step`` if they were not present: a departure
    earlier that day closes again what anything but a joining begins; a departure waiting
    that day (it found no one) closes whatever begins; co-founder tags come back."""
    m = state.members.get(person)
    if m is not None:
        if basis in ("joined", "founder") and m.basis in ("roles", "seen"):
            m.basis = basis  # known by roles or sightings until now: a joining says more
        return m
    since = step.date if basis in ("joined", "founder") else None
    m = Member(person, since=since, first_seen=step.date, cited=step.cited, basis=basis)
    state.members[person] = m
    ledger = state._day
    left_today = ledger.left.get(person)
    if left_today is not None and basis != "joined":
        ledger.ready.append(left_today)  # seen on the day they left: still gone at its end
    else:
        state.departed.pop(person, None)
    _release(state, person, lambda s: s.type == "person.left")
    tag = state._tags.get(person)
    if tag is not None:
        m.roles.append(tag)
    return m


def _same_title(a: str | None, b: str | None) -> bool:
    return (a or "").casefold().strip() == (b or "").casefold().strip()


def _add_role(state: OrgState, step: Step, person: str, role: str, unit: str | None,
              title: str | None, capacity: str | None = None,
              holding: str | None = None) -> None:
    """Assign a holding (see the module docstring, "Role holdings")."""
    m = _enter(state, person, step, "roles")
    if unit is not None and unit not in state.units:
        state.note("unknown_unit", f"{person} holds {role} in unit '{unit}', which does not "
                   "exist on this date", step)
    elif unit is not None and state.units[unit].status != "active":
        state.note("ended_unit", f"{person} holds {role} in unit '{unit}', which was "
                   f"{state.units[unit].status}", step)
    if holding is not None:
        same = [h for h in m.roles if h.holding == holding]
        title = title if title is not None or not same else same[0].title
    else:
        same = [h for h in m.roles if h.holding is None and h.role == role and h.unit == unit]
    new = RoleHeld(role, unit, step.date, step.cited, title, capacity, holding)
    old: RoleHeld | None = None
    if holding is not None and same:
        old = same[0]
    elif same and title is None:
        return  # the role restated: held already, in some title
    else:
        exact = [h for h in same if _same_title(h.title, title)]
        untitled = [h for h in same if h.title is None]
        if exact:
            old = exact[0]
        elif untitled:
            old = untitled[0]  # a title given to a holding held without one
        elif same and capacity is None and all(h.capacity is None for h in same):
            other = same[0]
            state.note("ambiguous_title", f"{person} is assigned {role} '{title}' while "
                       f"holding {role} '{other.title}' (event {other.cited.event_id}); both "
                       "are held. If the title changed, end the old one with role.ended on "
                       "this date", step, other.cited.event_id)
    if old is not None:
        if old.terms == new.terms:
            return
        m.roles[m.roles.index(old)] = new  # the holding continues under new terms
    else:
        m.roles.append(new)
    if role == "cofounder":
        state._tags.setdefault(person, new)
        if person not in state.cofounders:
            state.cofounders.append(person)
    _release(state, person, lambda s: s.type == "role.ended" and _ends(s.payload, new))


def _ends(p: Mapping[str, Any], h: RoleHeld) -> bool:
    """Whether a ``role.ended`` payload ends holding ``h``."""
    if p.get("holding"):
        return h.holding == str(p["holding"])
    return h.role == p["role"] and h.unit == p.get("unit") and (
        not p.get("title") or _same_title(h.title, p.get("title")))


@_on("org.founded")
def _(kind: _Type, state: OrgState, step: Step) -> None:
    state.founded = step.date
    for person in step.payload.get("founders", []):
        m = _enter(state, person, step, "founder")
        if m.since is None:
            m.since = step.date
        _add_role(state, step, person, "cofounder", None, None)


@_on("org.merged")
def _(kind: _Type, state: OrgState, step: Step) -> None:
    if step.payload["org"] == state.org:
        state.merged_into = step.payload["into"]


@_on("unit.created")
def _(kind: _Type, state: OrgState, step: Step) -> None:
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


def _unit(state: OrgState, step: Step, verb: str) -> Unit | None:
    unit = state.units.get(step.payload["unit"])
    if unit is None:
        state.note("unknown_unit", f"unit '{step.payload['unit']}' is {verb} but was never "
                   "created", step)
    return unit


@_on("unit.renamed")
def _(kind: _Type, state: OrgState, step: Step) -> None:
    unit = _unit(state, step, "renamed")
    if unit is not None and unit.name != step.payload["name"]:
        unit.former_names.append(unit.name)
        unit.name = step.payload["name"]


@_on("unit.moved")
def _(kind: _Type, state: OrgState, step: Step) -> None:
    unit = _unit(state, step, "moved")
    if unit is not None:
        unit.parent = step.payload.get("parent")


def _people_in(state: OrgState, unit_id: str) -> list[str]:
    return sorted({m.person for m in state.members.values()
                   if m.unit == unit_id or any(r.unit == unit_id for r in m.roles)})


@_on("unit.merged")
def _(kind: _Type, state: OrgState, step: Step) -> None:
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
def _(kind: _Type, state: OrgState, step: Step) -> None:
    unit = _unit(state, step, "dissolved")
    if unit is None:
        return
    unit.status, unit.ended = "dissolved", step.date
    people = _people_in(state, unit.id)
    if people:
        state.note("dissolved_with_people", f"unit '{unit.id}' was dissolved while "
                   f"{len(people)} people were still in it: {', '.join(people)}", step)


@_on("person.joined")
def _(kind: _Type, state: OrgState, step: Step) -> None:
    p = step.payload
    m = state.members.get(p["person"])
    if m is not None and m.basis in ("joined", "founder") and m.since is not None:
        state.note("joined_twice", f"{p['person']} joined again while already a member "
                   f"(since {m.since})", step, m.cited.event_id)
    m = _enter(state, p["person"], step, "joined")
    m.since = m.since or step.date
    if p.get("unit"):
        m.unit = p["unit"]
    if p.get("title"):
        m.title = p["title"]


@_on("person.left")
def _(kind: _Type, state: OrgState, step: Step) -> None:
    p = step.payload
    person = p["person"]
    m = state.members.pop(person, None)
    if m is None and _wait(state, step):
        return  # no one to close yet: a joining later today may be a one-day stint
    if m is None and person in state.departed:
        first = state.departed[person]
        state.note("left_twice", f"{person} left again on {step.date} but had already left on "
                   f"{first.date} (event {first.cited.event_id}); the first departure is kept",
                   step, first.cited.event_id)
        return
    if m is None:
        state.note("left_without_joining", f"{person} left with no recorded joining", step)
    accounts = [Account(a["by"], a["says"], a["source"], a.get("reason"), a.get("evidence"))
                for a in p.get("accounts", [])]
    reason, disputed = departure_reason(p)
    held = [r.role for r in m.roles] if m else []
    state.departed[person] = Departure(person, step.date, step.cited, reason, disputed,
                                       accounts, p.get("note"), held, p.get("announced"),
                                       list(p.get("date_claims", [])))
    state._day.left[person] = step


@_on("role.assigned")
def _(kind: _Type, state: OrgState, step: Step) -> None:
    p = step.payload
    _add_role(state, step, p["person"], p["role"], p.get("unit"), p.get("title"),
              p.get("capacity"), p.get("holding"))


@_on("role.ended")
def _(kind: _Type, state: OrgState, step: Step) -> None:
    p = step.payload
    m = state.members.get(p["person"])
    kept = [r for r in m.roles if not _ends(p, r)] if m is not None else []
    if m is None or len(kept) == len(m.roles):
        if _wait(state, step):
            return  # nothing held yet: an assignment later today may be a one-day holding
        what = f" '{p['title']}'" if p.get("title") else ""
        state.note("role_not_held", f"{p['person']}'s role {p['role']}{what} ended but was "
                   "not held", step)
        return
    m.roles = kept
    if m.basis == "roles" and not m.roles:
        # Known only by roles and holding none now: presence ends at the end of the day,
        # unless a role begins later that day (a board seat exchanged for the chair).
        state._day.bare[m.person] = Step(PRESENCE_ENDED, step.event_id, step.date,
                                          step.instant, step.seq, step.index,
                                          {"person": m.person, "org": state.org}, step.cited)


@_on("role.confirmed")
def _(kind: _Type, state: OrgState, step: Step) -> None:
    p = step.payload
    person = p["person"]
    if person in state.departed and person not in state.members \
            and person not in state._day.left:
        state.note("confirmed_after_leaving", f"{person} was seen at the organisation "
                   f"after leaving on {state.departed[person].date}", step,
                   state.departed[person].cited.event_id)
    m = _enter(state, person, step, "roles" if p.get("role") else "seen")
    if not p.get("role") and m.basis == "roles":
        m.basis = "seen"
    m.last_confirmed = step.date
    if p.get("role"):
        _add_role(state, step, person, p["role"], p.get("unit"), None)
    elif p.get("unit") and m.unit is None:
        m.unit = p["unit"]


@_on("leave.started")
def _(kind: _Type, state: OrgState, step: Step) -> None:
    person = step.payload["person"]
    m = state.members.get(person)
    if m is None:
        state.note("leave_not_member", f"{person} went on leave but is not a member on this "
                   "date", step)
        return
    if m.on_leave is None:
        m.on_leave = step.date
    _release(state, person, lambda s: s.type == "leave.ended")


@_on("leave.ended")
def _(kind: _Type, state: OrgState, step: Step) -> None:
    person = step.payload["person"]
    m = state.members.get(person)
    if m is None or m.on_leave is None:
        if _wait(state, step):
            return
        state.note("leave_not_started", f"{person}'s leave ended but no leave was under way",
                   step)
        return
    m.on_leave = None


@_on(PRESENCE_ENDED)
def _(kind: _Type, state: OrgState, step: Step) -> None:
    m = state.members.get(step.payload["person"])
    if m is not None and m.basis == "roles" and not m.roles:
        del state.members[m.person]


@_on("metric.reported")
def _(kind: _Type, state: OrgState, step: Step) -> None:
    p = step.payload
    state.metrics[(p["subject"], p["metric"])] = MetricValue(
        p["subject"], p["metric"], p["value"], p["unit"], step.date, step.cited,
        p.get("period"), p.get("qualifier"), p.get("note"), list(p.get("value_claims", [])))
