"""``factbase who``: one person's (or organisation's) whole history, found by any name.

:func:`who_document` builds a JSON-ready document from what :meth:`FactBase.who` reads and
hands it (the entity, names, sources and :class:`Reads`); it imports no store and no API:

* the entity is found by :meth:`FactBase.resolve` (any name, alias or id, in any script;
  people and organisations);
* for a **person**, :meth:`FactBase.timeline` gives every event naming them (as known at
  ``known_at``, corrections applied). Each becomes one *item* with the person's ``part`` in it
  — ``subject`` (joined, left, roles, confirmations), ``founder``, ``statement``, ``speaker``
  (meetings), ``account`` (an account they gave of someone else's departure) or ``mentioned``
  — and its certainty at ``as_of``: items not yet happened are left out (so is what may have
  happened in an organisation not yet founded, as replay has it), items whose interval
  straddles ``as_of`` are kept as ``uncertain`` and applied to nothing. A reorganisation
  contributes the changes naming the person (:func:`factbase.core.replay.expand`), dated by when
  they took effect; items are in replay's order (:func:`factbase.core.replay.step_order`);
* for each organisation in those items, :meth:`FactBase.org` gives its replayed state at
  ``as_of``: whether the person is present (on leave) or departed, their current roles (or,
  once departed, the roles held on the day before leaving); the organisation's spans
  (:func:`factbase.views.report.org_spans`) give the person's stays — joined/left spells with
  reasons and every account of a disputed departure;
* for an **organisation**, a short summary of its state at ``as_of`` and pointers to
  ``factbase org`` and ``factbase timeline``.

Document keys: ``entity`` (id, kind, name, note), ``names`` (every name and alias, display name
first), ``as_of``, ``known_at``, ``organisations``, ``events``, ``summary`` (organisations
only, else None), ``see_also``, ``sources`` (every source cited, as in the other documents).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from factbase.core.dates import PartialDate, shift_day
from factbase.core.documents import ROLE_ORDER, _cite, _iso, sources_map, summarize
from factbase.core.errors import NotFound
from factbase.core.events import Event
from factbase.core.replay import Citation, Departure, Member, OrgState, departure_reason, expand
from factbase.views.report import Spans, org_spans

#: The kinds ``who`` finds.
KINDS = ("person", "organization")
_MEMBERSHIP = ("org.founded", "person.joined", "person.left", "role.assigned", "role.ended",
               "role.confirmed")


class Entity(Protocol):
    """The entity ``who`` is about, as the projections hold it
    (:class:`factbase.store.lookup.Entity`)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def note(self) -> str | None: ...
    @property
    def names(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Reads:
    """What ``who`` reads as it goes — it learns which organisations to read from the
    person's events, and which days from their departures — every read at the one recorded
    time the document is cut at. :meth:`factbase.FactBase.who` hands them over.

    ``org(org_id, day)``: the replayed state of an organisation at the end of ``day``
    (:class:`factbase.core.errors.NotFound` for one not recorded); ``timeline(entity_id)``:
    the effective events naming an entity (an organisation's: of it and the organisations
    merged into it), in replay's order; ``kinds(ids)``: the kind of each of ``ids`` that is a
    known entity."""

    org: Callable[[str, date], OrgState]
    timeline: Callable[[str], list[Event]]
    kinds: Callable[[Sequence[str]], Mapping[str, str]]


def who_document(ent: Entity, reads: Reads, *, as_of: date, names: Mapping[str, str],
                 sources: Mapping[str, Any], known_at: datetime | None = None
                 ) -> dict[str, Any]:
    """The ``who`` document for entity ``ent`` (a person or an organisation) at the end of
    valid-time day ``as_of``, as the log stood at recorded time ``known_at`` (None = now;
    only cited: ``reads`` are cut at it), with the display ``names`` and the ``sources``
    (source id → source) of the projections as they stand now. Pure but for ``reads``."""
    entity_id = ent.id
    doc: dict[str, Any] = {
        "entity": {"id": ent.id, "kind": ent.kind, "name": ent.name, "note": ent.note},
        "names": list(ent.names),
        "as_of": as_of.isoformat(),
        "known_at": _iso(known_at),
        "organisations": [],
        "events": [],
        "summary": None,
        "see_also": [],
    }
    if ent.kind == "organization":
        state = reads.org(entity_id, as_of)
        doc["summary"] = _org_summary(state, names)
        doc["see_also"] = [f"factbase org {entity_id} --as-of {as_of.isoformat()}",
                           f"factbase timeline {entity_id}"]
    else:
        items = _items(entity_id, reads.timeline(entity_id), as_of, names)
        org_ids = list(dict.fromkeys(i["org"] for i in items if i.get("org")))
        kinds = reads.kinds(org_ids)
        states: dict[str, OrgState | None] = {}
        for org_id in org_ids:
            if kinds.get(org_id) == "organization":
                try:
                    states[org_id] = reads.org(org_id, as_of)
                except NotFound:
                    states[org_id] = None
        # Nothing of an organisation happens before its founding (replay's rule): what may
        # have happened there by as_of is not yet while its founding is not yet.
        items = [i for i in items if not (i["certainty"] == "uncertain" and _not_founded(
            states.get(i.get("org") or "")))]
        doc["events"] = items
        for org_id, found in states.items():
            doc["organisations"].append(
                _organisation(reads, org_id, found, entity_id, items, names))
        doc["see_also"] = [f"factbase timeline {entity_id}"] + [
            f"factbase org {o['id']} --as-of {as_of.isoformat()}" for o in doc["organisations"]]
    doc["sources"] = sources_map({k: v for k, v in doc.items() if k != "see_also"}, sources)
    return doc


# --- items: the events naming the person ----------------------------------------------------


def _not_founded(state: OrgState | None) -> bool:
    return state is not None and state.founding is not None \
        and state.founding.start > state.as_of


def _items(person: str, evs: list[Event], as_of: date,
           names: Mapping[str, str]) -> list[dict[str, Any]]:
    """One item per event (or reorganisation change: :func:`factbase.core.replay.expand`) naming
    ``person`` that has happened, or may have happened, by ``as_of``; in replay's valid-time
    order (:func:`factbase.core.replay.step_order`)."""
    out: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    for e in evs:
        for step in expand(e):
            if step.index == 0 and step.type == "reorg.announced":
                continue  # its changes naming the person are the items
            if step.index and step.payload.get("person") != person:
                continue
            item = _item(person, step.type, step.date, step.payload, step.cited, as_of,
                         names, e.stream)
            if item is None:
                continue
            if step.index:
                item["reorganisation"] = e.payload.get("summary")
            elif e.instant is not None:
                item["at"] = _iso(e.instant)
            out.append((step.order, item))
    return [item for _, item in sorted(out, key=lambda x: x[0])]


def _item(person: str, type_: str, when: PartialDate, p: Mapping[str, Any], cited: Citation,
          as_of: date, names: Mapping[str, str], stream: str) -> dict[str, Any] | None:
    certainty = when.certainty(as_of)
    if certainty == "not_yet":
        return None
    org = p.get("org") or (stream if type_ in ("org.founded", "meeting.held") else None)
    item: dict[str, Any] = {
        "type": type_, "date": when.text, "certainty": certainty,
        "part": _part(person, type_, p), "org": org, "org_name": names.get(org, org)
        if org else None,
        "summary": summarize(type_, p, names),
    }
    if p.get("announced"):
        item["announced"] = p["announced"]
    if type_ == "person.left":
        item.update(_departure_fields(p, names))
    if type_ == "statement.made":
        item.update({"channel": p.get("channel"), "url": p.get("url"),
                     "said": p.get("summary")})
    if type_ == "meeting.held":
        item["meeting"] = p.get("kind")
    if item["part"] == "account":
        item["accounts_given"] = [_account(a, names) for a in p.get("accounts", [])
                                  if a.get("by") == person]
        item["about"] = p.get("person")
        item["about_name"] = names.get(p.get("person", ""), p.get("person"))
    if p.get("note"):
        item["note"] = p["note"]
    item.update(_cite(cited))
    return item


def _part(person: str, type_: str, p: Mapping[str, Any]) -> str:
    if type_ == "org.founded" and person in p.get("founders", []):
        return "founder"
    if type_ == "statement.made" and p.get("person") == person:
        return "statement"
    if type_ == "meeting.held" and person in p.get("speakers", []):
        return "speaker"
    if p.get("person") == person:
        return "subject"
    if any(a.get("by") == person for a in p.get("accounts", [])):
        return "account"
    return "mentioned"


def _departure_fields(p: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """Reason (None when the accounts disagree), ``disputed``
    (:func:`factbase.core.replay.departure_reason`) and every account."""
    reason, disputed = departure_reason(p)
    return {"reason": reason, "disputed": disputed,
            "accounts": [_account(a, names) for a in p.get("accounts", [])]}


def _account(a: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    return {"by": a.get("by"), "by_name": names.get(a.get("by", ""), a.get("by")),
            "says": a.get("says"), "reason": a.get("reason"), "source": a.get("source"),
            "evidence": a.get("evidence")}


# --- organisations: the person in each organisation's replayed state -----------------------


def _organisation(reads: Reads, org: str, state: OrgState | None, person: str,
                  items: list[dict[str, Any]], names: Mapping[str, str]) -> dict[str, Any]:
    mine = [i for i in items if i.get("org") == org]
    out: dict[str, Any] = {"id": org, "name": names.get(org, org)}
    if state is None:
        return {**out, "status": "not recorded", "cofounder": False, "memberships": [],
                "roles": [], "uncertain": []}
    member = state.members.get(person)
    gone = state.departed.get(person)
    maybe_left = any(i["type"] == "person.left" and i["part"] == "subject"
                     and i["certainty"] == "uncertain" for i in mine)
    on_leave = member.on_leave.text if member is not None and member.on_leave else None
    if member is not None:
        status = "present, may have left" if maybe_left else \
            "present, on leave" if on_leave else "present"
    elif gone is not None:
        status = "departed"
    else:
        status = "may have left" if maybe_left else "not a member"
    out.update({
        "status": status,
        "cofounder": person in state.cofounders,
        "memberships": _spells(org_spans(org, reads.timeline(org)), state, person, names),
        "on_leave": on_leave,
        "last_confirmed": member.last_confirmed.text if member and member.last_confirmed
        else None,
        "unit": member.unit if member else None,
        "unit_name": names.get(member.unit, member.unit) if member and member.unit else None,
        "title": member.title if member else None,
        "roles": _roles(member, state, names) if member else [],
        "roles_until": None,
        "uncertain": [i for i in mine if i["certainty"] == "uncertain"
                      and i["type"] in _MEMBERSHIP],
    })
    if member is None and gone is not None:
        out["roles"], out["roles_until"] = _roles_before(reads, org, person, gone, names)
    return out


def _spells(spans: Spans, state: OrgState, person: str,
            names: Mapping[str, str]) -> list[dict[str, Any]]:
    """The person's stays in the organisation (:meth:`Spans.stays`) cut at ``state.as_of``:
    a stay counts once its first span opened by then, and ends when its last span closed by
    then. Each: ``joined`` (with ``how``: ``joined``, ``co-founder at the founding``) or
    ``first_seen`` (a role or confirmation with no recorded joining), ``joined_cited``, and
    once ended ``left`` with ``reason`` (``roles_ended``: present only through roles, the last
    of which ended), ``disputed``, ``accounts``, ``announced``, ``note``, ``left_cited``."""
    as_of = state.as_of
    spells: list[dict[str, Any]] = []
    for stay in spans.stays(person).get(person, []):
        stay = [s for s in stay if s.opened.end <= as_of]
        if not stay:
            continue
        first, last = stay[0], stay[-1]
        how = {"org.founded": "co-founder at the founding",
               "person.joined": "joined"}.get(first.opened_type)
        spell: dict[str, Any] = {
            "joined": first.opened.text if how else None, "how": how,
            "first_seen": None if how else first.opened.text,
            "joined_cited": _cite(first.opened_cite) if first.opened_cite else None,
            "left": None}
        if last.closed is not None and last.closed.end <= as_of:
            spell.update(_left(last.closed, spans.departure(last), last.closed_reason,
                               last.closed_cite, names))
        spells.append(spell)
    gone = state.departed.get(person)
    if gone is not None and person not in state.members and not any(
            (s.get("left_cited") or {}).get("event") == gone.cited.event_id for s in spells):
        # A departure that closed no stay (none recorded, or presence through roles had
        # ended already): replay keeps it, and notes the anomaly.
        spells.append({"joined": None, "how": None, "first_seen": None, "joined_cited": None,
                       **_left(gone.date, spans.departures.get((gone.cited.event_id, person)),
                               None, gone.cited, names)})
    return spells


def _left(when: PartialDate, payload: Mapping[str, Any] | None, closed_reason: str | None,
          cited: Citation | None, names: Mapping[str, str]) -> dict[str, Any]:
    p = payload or {}
    fields = _departure_fields(p, names) if payload is not None else {
        "reason": closed_reason, "disputed": False, "accounts": []}
    return {"left": when.text, **fields, "announced": p.get("announced"), "note": p.get("note"),
            "left_cited": _cite(cited) if cited else None}


def _roles(member: Member, state: OrgState, names: Mapping[str, str]) -> list[dict[str, Any]]:
    roles = sorted(member.roles, key=lambda r: (ROLE_ORDER.get(r.role, 9), r.unit or ""))
    return [{"role": r.role, "unit": r.unit,
             "unit_name": (state.units[r.unit].name if r.unit in state.units
                           else names.get(r.unit, r.unit)) if r.unit else None,
             "title": r.title, "capacity": r.capacity, "holding": r.holding,
             "since": r.since.text, **_cite(r.cited)} for r in roles]


def _roles_before(reads: Reads, org: str, person: str, gone: Departure,
                  names: Mapping[str, str]
                  ) -> tuple[list[dict[str, Any]], str | None]:
    """The roles a departed person held on the day before their departure could have begun
    (the state replayed then), and that day."""
    day = shift_day(gone.date.start, -1)
    try:
        before = reads.org(org, day)
    except NotFound:
        return [], None
    member = before.members.get(person)
    if member is None:
        return [], None
    return _roles(member, before, names), day.isoformat()


# --- organisations looked up themselves ----------------------------------------------------


def _org_summary(state: OrgState, names: Mapping[str, str]) -> dict[str, Any]:
    active = [u for u in state.units.values() if u.status == "active"]
    return {
        "founded": state.founded.text if state.founded else None,
        "merged_into": state.merged_into,
        "units": [{"id": u.id, "name": u.name, "kind": u.kind} for u in active],
        "people": len(state.members),
        "departed": len(state.departed),
        "cofounders": {"total": len(state.cofounders),
                       "present": len(state.cofounders_present),
                       "departed": len(state.cofounders_departed)},
        "uncertain": len(state.uncertain),
    }


def _cited(item: Mapping[str, Any]) -> dict[str, Any]:
    """The citation fields of an item (event id, sources, evidence)."""
    return {k: item[k] for k in ("event", "sources", "evidence") if k in item}
