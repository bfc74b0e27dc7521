"""What changed in an organisation between two dates: the difference of two ``org`` documents.

:func:`diff_documents` compares the documents :func:`factbase.core.documents.org_document` builds
for one organisation at the end of day D1 (``before``) and at the end of day D2 (``after``), both
as known at the same recorded time, and lists every change: people who joined, departed (with
the reason, or every account when it is disputed) or returned; roles started and ended; units
created, renamed, moved, merged or dissolved; reported figures that are new or changed; the
announcements, meetings and statements in between; events that may have happened by D2.

A change between D1 and D2 is something the state at D2 holds that the state at D1 did not:
an event counts when it is certain by the end of D2 and was not certain by the end of D1 (its
interval ends after D1, on or before D2) — the as-of rule of DESIGN §2 applied at both ends.
So a joining dated ``../2026-02-10`` (on or before the 10th), uncertain on 1 January, counts as
a change between 1 January and 1 March. A change undone inside the window (someone who left and
came back) leaves the two states alike and is not listed; ``factbase timeline`` lists every event.

The state documents date and cite joins, departures, roles started, units created and figures,
but not which event renamed or moved a unit, ended it, or ended a role. ``timeline`` (the
``factbase timeline --format json`` document of the organisation's events overlapping
[D1, D2], as known at the same time) supplies those; without it such entries keep the date the
state gives (a unit's end) or none, and cite no source.

Pure module: no SQLAlchemy, no Click.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from factbase.core.dates import DateError, parse_date
from factbase.core.documents import cited_ids
from factbase.core.errors import InputError
from factbase.core.replay import expand_changes, step_order

Doc = Mapping[str, Any]

#: The change lists of a diff document, in the order renderers show them for one date.
CHANGE_KEYS = (
    "units_created", "units_renamed", "units_moved", "units_ended", "joined", "returned",
    "roles_started", "roles_ended", "departed", "metrics_changed", "events", "newly_uncertain",
)

_NO_SOURCES: dict[str, Any] = {"url": None, "title": None, "publisher": None, "published": None}


def check_dates(d1: date | str, d2: date | str) -> None:
    """Raise :class:`InputError` unless ``d1`` is on or before ``d2`` (days or ISO texts)."""
    first = d1 if isinstance(d1, date) else date.fromisoformat(d1)
    second = d2 if isinstance(d2, date) else date.fromisoformat(d2)
    if first > second:
        raise InputError(f"D1 {first.isoformat()} is after D2 {second.isoformat()}; "
                         "D1 must be on or before D2")


def is_empty(doc: Doc) -> bool:
    """True when a diff document lists no change (co-founder counts alike)."""
    cof = doc["cofounders"]
    return not any(doc[k] for k in CHANGE_KEYS) and cof["before"] == cof["after"]


def diff_documents(before: Doc, after: Doc, timeline: Doc | None = None) -> dict[str, Any]:
    """What changed between two ``org`` documents of one organisation.

    Args:
        before: the ``org_document`` at the end of day D1 (its ``as_of``).
        after: the ``org_document`` at the end of day D2, as known at the same ``known_at``.
        timeline: optional ``timeline_document`` of the organisation's events overlapping
            [D1, D2]; used only to date and cite renames, moves, unit ends and ended roles.

    Returns:
        A JSON-ready dict: ``org``, ``from`` (D1), ``to`` (D2), ``known_at``; the lists
        ``joined``, ``departed``, ``returned``, ``roles_started``, ``roles_ended``,
        ``units_created``, ``units_renamed``, ``units_moved``, ``units_ended``,
        ``metrics_changed``, ``events``, ``newly_uncertain``, ``no_longer_uncertain`` — each
        ordered by date (the day the change is certain, then the start of its interval; undated
        entries last), each entry with ``date`` as written and its citation (``event``,
        ``sources``, ``evidence``); ``cofounders`` (``before``/``after`` counts);
        ``withdrawn`` (facts certain by D2 as first recorded that were retracted or corrected
        by ``known_at``, as :func:`factbase.core.documents.org_document` gives them); and
        ``sources``, describing every source cited, in order of first citation.

    Raises:
        InputError: when D1 is after D2, or the documents are of different organisations.
    """
    if before["org"]["id"] != after["org"]["id"]:
        raise InputError(f"cannot compare {before['org']['id']} with {after['org']['id']}: "
                         "a diff is of one organisation")
    check_dates(before["as_of"], after["as_of"])
    steps = _steps(timeline, date.fromisoformat(before["as_of"]),
                   date.fromisoformat(after["as_of"]))
    units_b = _units(before)
    units_a = _units(after)
    unit_names = {**{u: d["name"] for u, d in units_b.items()},
                  **{u: d["name"] for u, d in units_a.items()}}

    doc: dict[str, Any] = {
        "org": dict(after["org"]),
        "from": before["as_of"],
        "to": after["as_of"],
        "known_at": after["known_at"],
    }
    doc.update(_people(before, after, unit_names))
    doc.update(_roles(before, after, units_a, steps))
    doc.update(_unit_changes(units_b, units_a, unit_names, steps))
    doc["metrics_changed"] = _metrics(before, after)
    doc["cofounders"] = {"before": _cofounders(before), "after": _cofounders(after)}
    seen = {(e["event"], e["type"], e["date"]) for e in before["events"]}
    doc["events"] = _by_date(dict(e) for e in after["events"]
                             if (e["event"], e["type"], e["date"]) not in seen)
    was = {_ukey(u) for u in before["uncertain"]}
    now = {_ukey(u) for u in after["uncertain"]}
    doc["newly_uncertain"] = _by_date(dict(u) for u in after["uncertain"] if _ukey(u) not in was)
    doc["no_longer_uncertain"] = _by_date(dict(u) for u in before["uncertain"]
                                          if _ukey(u) not in now)
    # Facts that would have counted by D2 but were retracted or corrected by known_at.
    doc["withdrawn"] = [dict(w) for w in after.get("withdrawn", [])]
    known = {**(timeline or {}).get("sources", {}), **before["sources"], **after["sources"]}
    doc["sources"] = {sid: known.get(sid) or dict(_NO_SOURCES) for sid in cited_ids(doc)}
    return doc


# --- people -------------------------------------------------------------------------------


def _people(before: Doc, after: Doc, unit_names: Mapping[str, str]) -> dict[str, Any]:
    present_b = {p["id"]: p for p in before["people"]}
    present_a = {p["id"]: p for p in after["people"]}
    gone_b = {d["id"]: d for d in before["departed"]}
    joined, returned = [], []
    for pid, p in present_a.items():
        if pid in present_b:
            continue
        entry = {"id": pid, "name": p["name"], "date": p["since"] or p["first_seen"],
                 "joining_recorded": p["since"] is not None, "unit": p["unit"],
                 "unit_name": unit_names.get(p["unit"]) if p["unit"] else None,
                 "title": p["title"], **_citation(p)}
        if pid in gone_b:
            entry["left"] = gone_b[pid]["date"]
            returned.append(entry)
        else:
            joined.append(entry)
    departed = []
    for d in after["departed"]:
        if gone_b.get(d["id"], {}).get("event") == d["event"]:
            continue  # the same departure, already certain at D1
        held = present_b[d["id"]]["roles"] if d["id"] in present_b else []
        departed.append({
            "id": d["id"], "name": d["name"], "date": d["date"], "reason": d["reason"],
            "disputed": d["disputed"], "accounts": [dict(a) for a in d["accounts"]],
            "cofounder": d["cofounder"], "announced": d.get("announced"), "note": d.get("note"),
            "roles": [{"role": r["role"], "unit": r["unit"], "unit_name": r["unit_name"],
                       "title": r["title"]} for r in held],
            **_citation(d),
        })
    return {"joined": _by_date(joined), "departed": _by_date(departed),
            "returned": _by_date(returned)}


def _roles(before: Doc, after: Doc, units_a: Mapping[str, Doc],
           steps: list[_Change]) -> dict[str, Any]:
    """Holdings held at D2 and not at D1 (started) and the other way round (ended), as
    multisets of (person, role, unit, title) — a new title is a holding ended and one
    started; a unit followed through merges (a role carried into the unit that absorbed its
    own is no change). The roles of someone who departed meanwhile are in their departure;
    those of someone whose presence ended with their last role are listed as ended."""
    present_b = {p["id"]: p for p in before["people"]}
    present_a = {p["id"]: p for p in after["people"]}
    gone_b = {d["id"]: d["event"] for d in before["departed"]}
    departed = {d["id"] for d in after["departed"] if gone_b.get(d["id"]) != d["event"]}

    def key(r: Doc) -> tuple[Any, ...]:
        return (r["role"], _merged_chain(r["unit"], units_a)[-1], r["title"])

    started, ended = [], []
    for pid in dict.fromkeys([*present_a, *present_b]):
        if pid not in present_a and pid in departed:
            continue
        p = present_a.get(pid) or present_b[pid]
        held_b = list(present_b[pid]["roles"]) if pid in present_b else []
        held_a = list(present_a[pid]["roles"]) if pid in present_a else []
        left_b = Counter(key(r) for r in held_b)
        left_a = Counter(key(r) for r in held_a)
        for r in held_a:
            if left_b[key(r)] > 0:
                left_b[key(r)] -= 1
            else:
                started.append({**_role(p, r), "date": r["since"], **_citation(r)})
        for r in held_b:
            if left_a[key(r)] > 0:
                left_a[key(r)] -= 1
                continue
            # The ending may name the unit the role's unit was merged into meanwhile.
            step = _last(steps, "role.ended", person=pid, role=r["role"],
                         unit=_merged_chain(r["unit"], units_a))
            ended.append({**_role(p, r), "since": r["since"], **_step_citation(step)})
    return {"roles_started": _by_date(started), "roles_ended": _by_date(ended)}


def _role(p: Doc, r: Doc) -> dict[str, Any]:
    return {"person": p["id"], "person_name": p["name"], "role": r["role"], "unit": r["unit"],
            "unit_name": r["unit_name"], "title": r["title"]}


def _merged_chain(unit: str | None, units_a: Mapping[str, Doc]) -> list[str | None]:
    """``unit``, then the unit it was merged into, and so on (as of D2)."""
    chain = [unit]
    while unit is not None and unit in units_a and units_a[unit]["status"] == "merged" \
            and units_a[unit]["merged_into"] not in chain:
        unit = units_a[unit]["merged_into"]
        chain.append(unit)
    return chain


# --- units --------------------------------------------------------------------------------


def _units(doc: Doc) -> dict[str, Doc]:
    return {u["id"]: u for u in [*doc["units"], *doc["ended_units"]]}


def _unit_changes(units_b: Mapping[str, Doc], units_a: Mapping[str, Doc],
                  names: Mapping[str, str], steps: list[_Change]) -> dict[str, Any]:
    created, renamed, moved, ended = [], [], [], []
    for uid, u in units_a.items():
        old = units_b.get(uid)
        if old is not None and (old["event"], old["since"]) != (u["event"], u["since"]):
            old = None  # created again after it ended: a new unit
        if old is None:
            first_name = u["former_names"][0] if u["former_names"] else u["name"]
            created.append({"id": uid, "name": first_name, "kind": u["kind"],
                            "parent": u["parent"], "parent_name": names.get(u["parent"] or ""),
                            "date": u["since"], **_citation(u)})
        old_name = first_name if old is None else old["name"]
        if old_name != u["name"]:
            step = _last(steps, "unit.renamed", unit=uid, name=u["name"])
            renamed.append({"id": uid, "old_name": old_name, "new_name": u["name"],
                            **_step_citation(step)})
        if old is not None and old["parent"] != u["parent"] \
                and not _absorbed(old["parent"], u["parent"], units_a):
            step = _last(steps, "unit.moved", unit=uid)
            moved.append({"id": uid, "name": u["name"], "old_parent": old["parent"],
                          "old_parent_name": names.get(old["parent"] or ""),
                          "new_parent": u["parent"],
                          "new_parent_name": names.get(u["parent"] or ""),
                          **_step_citation(step)})
        if u["status"] != "active" and (old is None or old["status"] == "active"
                                        or old["ended"] != u["ended"]):
            step = _last(steps, f"unit.{u['status']}", unit=uid)
            cite = _step_citation(step)
            cite["date"] = cite["date"] or u["ended"]
            ended.append({"id": uid, "name": u["name"], "status": u["status"],
                          "merged_into": u["merged_into"],
                          "merged_into_name": names.get(u["merged_into"] or ""), **cite})
    return {"units_created": _by_date(created), "units_renamed": _by_date(renamed),
            "units_moved": _by_date(moved), "units_ended": _by_date(ended)}


def _absorbed(old_parent: str | None, new_parent: str | None,
              units_a: Mapping[str, Doc]) -> bool:
    """The old parent was merged (perhaps via others) into the new one: not a move."""
    return old_parent != new_parent and new_parent in _merged_chain(old_parent, units_a)


# --- figures, co-founders -----------------------------------------------------------------


def _metrics(before: Doc, after: Doc) -> list[dict[str, Any]]:
    old_values = {(m["subject"], m["metric"]): m for m in before["metrics"]}
    out = []
    for m in after["metrics"]:
        old = old_values.get((m["subject"], m["metric"]))
        if old is not None and _figure(old) == _figure(m):
            continue
        out.append({"subject": m["subject"], "subject_name": m["subject_name"],
                    "metric": m["metric"], "old": _value(old) if old else None,
                    "new": _value(m), "date": m["date"], **_citation(m)})
    return _by_date(out)


def _figure(m: Doc) -> tuple[Any, ...]:
    return (m["value"], m["unit"], m["qualifier"], m["period"])


def _value(m: Doc) -> dict[str, Any]:
    return {"value": m["value"], "unit": m["unit"], "qualifier": m["qualifier"],
            "period": m["period"], "text": m["text"], "date": m["date"]}


def _cofounders(doc: Doc) -> dict[str, int]:
    c = doc["cofounders"]
    return {"total": c["total"], "present": len(c["present"]), "departed": len(c["departed"]),
            "may_have_left": len(c.get("may_have_left", []))}


def _ukey(u: Doc) -> tuple[str, str, str]:
    return (u["event"], u["type"], u["date"])


# --- citations and order ------------------------------------------------------------------


def _citation(item: Doc) -> dict[str, Any]:
    return {"event": item["event"], "sources": list(item["sources"]),
            "evidence": item.get("evidence")}


@dataclass(frozen=True)
class _Change:
    """One event (or one change of a reorganisation) that became certain between the dates."""

    type: str
    event: str
    date_text: str
    order: tuple[Any, ...]
    payload: Mapping[str, Any]
    sources: tuple[str, ...]
    evidence: str | None


def _steps(timeline: Doc | None, d1: date, d2: date) -> list[_Change]:
    """The events of ``timeline`` and the changes of its reorganisations
    (:func:`factbase.core.replay.expand_changes`) certain by the end of ``d2`` and not by the end
    of ``d1``, in replay's order (:func:`factbase.core.replay.step_order`)."""
    out = []
    for e in (timeline or {}).get("events", []):
        try:
            when = parse_date(e.get("date") or "")
        except DateError:
            continue
        instant = datetime.fromisoformat(e["at"].replace("Z", "+00:00")) if e.get("at") \
            else None
        items = [(0, e["type"], when, e["payload"], e.get("evidence"))]
        items += expand_changes(e["type"], when, e["payload"], e.get("evidence"))
        for index, type_, d, payload, evidence in items:
            if d1 < d.end <= d2:
                order = step_order(d, None if index else instant, type_, e["id"], index)
                out.append(_Change(type_, e["id"], d.text, order, payload,
                                 tuple(e["sources"]), evidence))
    return sorted(out, key=lambda s: s.order)


def _last(steps: list[_Change], type_: str, **match: Any) -> _Change | None:
    """The latest step of ``type_`` whose payload has the ``match`` values (None = absent; a
    list = any of its values)."""
    def fits(payload: Mapping[str, Any], key: str, want: Any) -> bool:
        return payload.get(key) in want if isinstance(want, list) else payload.get(key) == want

    found = None
    for s in steps:
        if s.type == type_ and all(fits(s.payload, k, v) for k, v in match.items()):
            found = s
    return found


def _step_citation(step: _Change | None) -> dict[str, Any]:
    if step is None:
        return {"date": None, "event": None, "sources": [], "evidence": None}
    return {"date": step.date_text, "event": step.event, "sources": list(step.sources),
            "evidence": step.evidence}


def date_order(text: str | None) -> tuple[date, date]:
    """Sort key of a date as written: ``(end, start)`` of its interval — the day it is certain
    to have happened, then the first day it may have: the first keys of
    :func:`factbase.core.replay.step_order` (entries carry no kind or instant to go further); an
    absent or unreadable date sorts last."""
    if not text:
        return (date.max, date.max)
    try:
        d = parse_date(text)
    except DateError:
        return (date.max, date.max)
    return (d.end, d.start)


def _by_date(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    def key(item: dict[str, Any]) -> tuple[Any, ...]:
        label = item.get("name") or item.get("person_name") or item.get("subject_name") \
            or item.get("new_name") or item.get("summary") or ""
        return (*date_order(item.get("date")), str(label).casefold(), item.get("metric") or "")

    return sorted(items, key=key)
