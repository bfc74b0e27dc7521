"""``factbase who``: one person's (or organisation's) whole history, found by any name.

:func:`who_document` builds a JSON-ready document from the log, through the API only:

* the entity is found by :meth:`FactBase.resolve` (any name, alias or id, in any script;
  people and organisations);
* for a **person**, :meth:`FactBase.timeline` gives every event naming them (as known at
  ``known_at``, corrections applied). Each becomes one *item* with the person's ``part`` in it
  — ``subject`` (joined, left, roles, confirmations), ``founder``, ``statement``, ``speaker``
  (meetings), ``account`` (an account they gave of someone else's departure) or ``mentioned``
  — and its certainty at ``as_of``: items not yet happened are left out, items whose interval
  straddles ``as_of`` are kept as ``uncertain`` and applied to nothing. A reorganisation
  contributes the changes naming the person, dated by when they took effect;
* for each organisation in those items, :meth:`FactBase.org` gives its replayed state at
  ``as_of``: whether the person is present or departed, their current roles (or, once
  departed, the roles held on the day before leaving), joined/left spells with reasons and
  every account of a disputed departure;
* for an **organisation**, a short summary of its state at ``as_of`` and pointers to
  ``factbase org`` and ``factbase timeline``.

Document keys: ``entity`` (id, kind, name, note), ``names`` (every name and alias, display name
first), ``as_of``, ``known_at``, ``organisations``, ``events``, ``summary`` (organisations
only, else None), ``see_also``, ``sources`` (every source cited, as in the other documents).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from factbase.dates import PartialDate, parse_date, shift_day
from factbase.errors import NotFound
from factbase.events import Event
from factbase.replay import Citation, Departure, Member, OrgState
from factbase.reports.model import ROLE_ORDER, _cite, _iso, sources_map, summarize

if TYPE_CHECKING:
    from factbase.api import FactBase

#: The kinds ``who`` finds.
KINDS = ("person", "organization")
_MEMBERSHIP = ("org.founded", "person.joined", "person.left", "role.assigned", "role.ended",
               "role.confirmed")


def who_document(fb: FactBase, name: str, *, as_of: date,
                 known_at: datetime | None = None) -> dict[str, Any]:
    """The ``who`` document for ``name`` (an id or any name of a person or organisation) at
    the end of valid-time day ``as_of``, as the log stood at recorded time ``known_at`` (None
    = now). Names come from the projections as they stand now. Writes nothing. Raises
    :class:`NotFound` for an unknown name (with suggestions) or one naming several entities
    (listing them)."""
    entity_id = fb.resolve(name, KINDS)
    ent = fb.entities([entity_id])[entity_id]
    names = fb.names()
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
        state = fb.org(entity_id, as_of=as_of, known_at=known_at)
        doc["summary"] = _org_summary(state, names)
        doc["see_also"] = [f"factbase org {entity_id} --as-of {as_of.isoformat()}",
                           f"factbase timeline {entity_id}"]
    else:
        items = _items(entity_id, fb.timeline(entity_id, known_at=known_at), as_of, names)
        doc["events"] = items
        org_ids = list(dict.fromkeys(i["org"] for i in items if i.get("org")))
        kinds = fb.entities(org_ids)
        for org_id in org_ids:
            if org_id in kinds and kinds[org_id].kind == "organization":
                doc["organisations"].append(
                    _organisation(fb, org_id, entity_id, items, as_of, known_at, names))
        doc["see_also"] = [f"factbase timeline {entity_id}"] + [
            f"factbase org {o['id']} --as-of {as_of.isoformat()}" for o in doc["organisations"]]
    doc["sources"] = sources_map({k: v for k, v in doc.items() if k != "see_also"},
                                 fb.sources())
    return doc


# --- items: the events naming the person ----------------------------------------------------


def _items(person: str, evs: list[Event], as_of: date,
           names: Mapping[str, str]) -> list[dict[str, Any]]:
    """One item per event (or reorganisation change) naming ``person`` that has happened, or
    may have happened, by ``as_of``; in valid-time order."""
    out: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    for e in evs:
        if e.date is None:
            continue
        if e.type == "reorg.announced":
            effective = parse_date(e.payload["effective"]) if e.payload.get("effective") \
                else e.date
            for i, change in enumerate(e.payload.get("changes", []), start=1):
                if change.get("person") != person:
                    continue
                body = {k: v for k, v in change.items() if k not in ("type", "evidence")}
                body.setdefault("org", e.payload.get("org"))
                cited = Citation(f"{e.event_id}#{i}", e.sources,
                                 change.get("evidence") or e.evidence)
                item = _item(person, change["type"], effective, body, cited, as_of, names,
                             e.stream)
                if item is not None:
                    item["reorganisation"] = e.payload.get("summary")
                    out.append(((effective.end, effective.start, e.seq, i), item))
            continue
        item = _item(person, e.type, e.date, e.payload,
                     Citation(e.event_id, e.sources, e.evidence), as_of, names, e.stream)
        if item is None:
            continue
        if e.instant is not None:
            item["at"] = _iso(e.instant)
        out.append(((e.date.end, e.date.start, e.seq, 0), item))
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
    """Reason (None when the accounts disagree), ``disputed`` and every account — the rule
    replay applies to ``person.left``."""
    accounts = [_account(a, names) for a in p.get("accounts", [])]
    reasons = {r for r in [p.get("reason"), *(a["reason"] for a in accounts)] if r}
    disputed = len(reasons) > 1
    return {"reason": None if disputed else next(iter(reasons), None), "disputed": disputed,
            "accounts": accounts}


def _account(a: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    return {"by": a.get("by"), "by_name": names.get(a.get("by", ""), a.get("by")),
            "says": a.get("says"), "reason": a.get("reason"), "source": a.get("source"),
            "evidence": a.get("evidence")}


# --- organisations: the person in each organisation's replayed state -----------------------


def _organisation(fb: FactBase, org: str, person: str, items: list[dict[str, Any]],
                  as_of: date, known_at: datetime | None,
                  names: Mapping[str, str]) -> dict[str, Any]:
    mine = [i for i in items if i.get("org") == org]
    out: dict[str, Any] = {"id": org, "name": names.get(org, org)}
    try:
        state = fb.org(org, as_of=as_of, known_at=known_at)
    except NotFound:
        return {**out, "status": "not recorded", "cofounder": False, "memberships": [],
                "roles": [], "uncertain": []}
    member = state.members.get(person)
    gone = state.departed.get(person)
    maybe_left = any(i["type"] == "person.left" and i["part"] == "subject"
                     and i["certainty"] == "uncertain" for i in mine)
    if member is not None:
        status = "present, may have left" if maybe_left else "present"
    elif gone is not None:
        status = "departed"
    else:
        status = "may have left" if maybe_left else "not a member"
    out.update({
        "status": status,
        "cofounder": person in state.cofounders,
        "memberships": _spells(mine, member),
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
        out["roles"], out["roles_until"] = _roles_before(fb, org, person, gone, known_at, names)
    return out


def _spells(mine: list[dict[str, Any]], member: Member | None) -> list[dict[str, Any]]:
    """Joined/left spells from the certain items, folded as replay folds them: a founding or a
    joining opens a spell, a departure closes it (a second departure with no return in
    between is replay's ``left_twice`` anomaly and is skipped here too), and a role or a
    confirmation with no recorded joining opens one ``first seen`` on that date."""
    spells: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for i in mine:
        if i["certainty"] != "certain" or i["part"] not in ("founder", "subject") \
                or i["type"] not in _MEMBERSHIP:
            continue
        if i["type"] in ("org.founded", "person.joined"):
            if current is None:
                current = {"joined": i["date"], "how": "co-founder at the founding"
                           if i["type"] == "org.founded" else "joined",
                           "first_seen": None, "joined_cited": _cited(i), "left": None}
                spells.append(current)
        elif i["type"] == "person.left":
            if current is None:
                if spells and spells[-1]["left"] is not None:
                    continue
                current = {"joined": None, "how": None, "first_seen": None,
                           "joined_cited": None, "left": None}
                spells.append(current)
            current.update({"left": i["date"], "reason": i["reason"],
                            "disputed": i["disputed"], "accounts": i["accounts"],
                            "announced": i.get("announced"), "note": i.get("note"),
                            "left_cited": _cited(i)})
            current = None
        elif current is None:  # a role or confirmation with no recorded joining
            current = {"joined": None, "how": None, "first_seen": i["date"],
                       "joined_cited": _cited(i), "left": None}
            spells.append(current)
    if member is not None and (not spells or spells[-1]["left"] is not None):
        spells.append({"joined": member.since.text if member.since else None,
                       "how": "joined" if member.since else None,
                       "first_seen": None if member.since else member.first_seen.text,
                       "joined_cited": _cite(member.cited), "left": None})
    return spells


def _roles(member: Member, state: OrgState, names: Mapping[str, str]) -> list[dict[str, Any]]:
    roles = sorted(member.roles, key=lambda r: (ROLE_ORDER.get(r.role, 9), r.unit or ""))
    return [{"role": r.role, "unit": r.unit,
             "unit_name": (state.units[r.unit].name if r.unit in state.units
                           else names.get(r.unit, r.unit)) if r.unit else None,
             "title": r.title, "since": r.since.text, **_cite(r.cited)} for r in roles]


def _roles_before(fb: FactBase, org: str, person: str, gone: Departure,
                  known_at: datetime | None, names: Mapping[str, str]
                  ) -> tuple[list[dict[str, Any]], str | None]:
    """The roles a departed person held on the day before their departure could have begun
    (the state replayed then), and that day."""
    day = shift_day(gone.date.start, -1)
    try:
        before = fb.org(org, as_of=day, known_at=known_at)
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
