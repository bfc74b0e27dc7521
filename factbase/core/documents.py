"""Turning replayed state and events into plain, JSON-ready documents.

Every output format renders these documents, so text and JSON always say the same thing.
Facts carry their sources as ids; each document ends with a ``sources`` map describing every
source it cites. Dates are shown as written (``2026-02``, ``2026-02-01/2026-02-11``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from factbase.core.amend import Withdrawal
from factbase.core.events import TYPES, Event
from factbase.core.replay import Citation, Member, OrgState, Unit, departure_reason

Names = Mapping[str, str]

ROLE_ORDER = {"cofounder": 0, "executive": 1, "lead": 2, "core_member": 3, "member": 4}


def _name(names: Names, entity_id: str | None) -> str | None:
    if entity_id is None:
        return None
    return names.get(entity_id, entity_id)


def _cite(c: Citation) -> dict[str, Any]:
    out: dict[str, Any] = {"event": c.event_id, "sources": list(c.sources)}
    if c.evidence:
        out["evidence"] = c.evidence
    return out


def _iso(t: datetime | None) -> str | None:
    return t.isoformat().replace("+00:00", "Z") if t else None


def _value(v: float | int) -> float | int:
    return int(v) if isinstance(v, float) and v.is_integer() else v


def summarize(type_: str, p: Mapping[str, Any], names: Names) -> str:
    """One line saying what an event states, in plain words with display names: the type's own
    summary when its registry entry gives one (:attr:`factbase.core.events.EventType.summary`),
    else the built-in wording below, else the type itself."""
    def n(key: str) -> str:
        return _name(names, p.get(key)) or ""

    entry = TYPES.get(type_)
    if entry is not None and entry.summary is not None:
        return entry.summary(p, n)

    if type_ == "org.founded":
        return f"{n('org')} founded with {len(p.get('founders', []))} co-founders: " + \
            ", ".join(_name(names, f) or f for f in p.get("founders", []))
    if type_ == "org.merged":
        return f"{n('org')} merges into {n('into')}"
    if type_ == "unit.created":
        under = f" under {n('parent')}" if p.get("parent") else ""
        return f"unit {p['name']} ({p.get('kind', 'team')}) created{under}"
    if type_ == "unit.renamed":
        return f"unit {p['unit']} renamed {p['name']}"
    if type_ == "unit.moved":
        return f"unit {n('unit')} moved under {n('parent') or 'the top level'}"
    if type_ == "unit.merged":
        return f"unit {n('unit')} merged into {n('into')}"
    if type_ == "unit.dissolved":
        return f"unit {n('unit')} dissolved"
    if type_ == "person.joined":
        where = f" ({n('unit')})" if p.get("unit") else ""
        title = f" as {p['title']}" if p.get("title") else ""
        return f"{n('person')} joined {n('org')}{where}{title}"
    if type_ == "person.left":
        reason, disputed = departure_reason(p)
        why = reason_words(reason, disputed, given_reasons(p), unknown="reason unknown")
        return f"{n('person')} left {n('org')} ({why})"
    if type_ in ("role.assigned", "role.ended", "role.confirmed"):
        role = p.get("role", "presence")
        where = f" in {n('unit')}" if p.get("unit") else ""
        verbs = {"role.assigned": "takes", "role.ended": "ends", "role.confirmed": "confirmed"}
        title = f" ({p['title']})" if p.get("title") else ""
        return f"{n('person')} {verbs[type_]} {role}{where}{title}"
    if type_ == "reorg.announced":
        eff = f" (effective {p['effective']})" if p.get("effective") else ""
        return f"reorganisation announced{eff}: {p['summary']} [{len(p['changes'])} changes]"
    if type_ == "meeting.held":
        text = f"{p.get('kind', 'meeting').replace('_', '-')} meeting of {n('org')}"
        speakers = [_name(names, s) or s for s in p.get("speakers", [])]
        if speakers:
            text += f"; speakers: {', '.join(speakers)}"
        topics = list(p.get("topics", []))
        if topics:
            more = f" (+{len(topics) - 3} more)" if len(topics) > 3 else ""
            text += f"; topics: {'; '.join(topics[:3])}{more}"
        return text
    if type_ == "statement.made":
        return f"{n('person')} ({p['channel']}): {p['summary']}"
    if type_ == "metric.reported":
        return f"{n('subject')} {p['metric']}: {format_metric(p)}"
    if type_ in ("product.announced", "product.launched"):
        verb = "announced" if type_ == "product.announced" else "launched"
        return f"{p.get('name') or n('product')} {verb} by {n('org')} — {p['stage']}"
    if type_ == "entity.registered":
        return f"{p['kind']} {p['name']} registered"
    if type_ == "entity.aliased":
        return f"{n('entity')} also known as " + ", ".join(p["aliases"])
    return type_


def given_reasons(p: Mapping[str, Any]) -> list[str]:
    """Every reason a ``person.left`` payload gives (its own and its accounts'), as given."""
    return [r for r in [p.get("reason"), *(a.get("reason") for a in p.get("accounts", []))]
            if r]


def reason_words(reason: str | None, disputed: bool = False, reasons: Iterable[str] = (),
                 *, unknown: str = "reason not given", short: bool = False) -> str:
    """Why a stay ended, in words: the one wording of departure reasons every output uses.

    ``reason``, ``disputed``: as :func:`factbase.core.replay.departure_reason` gives them (or a
    :class:`~factbase.core.replay.Departure`'s). ``stepped_back`` → ``stepped back``; disputed →
    ``disputed: parted ways / resigned`` (every reason in ``reasons``, e.g.
    :attr:`Departure.reasons <factbase.core.replay.Departure.reasons>` or :func:`given_reasons`,
    in words, sorted), or ``reason disputed`` when ``short``; no reason → ``unknown``;
    ``roles_ended`` (a presence that ended with the last role held, with no departure:
    :class:`factbase.core.intervals.MembershipSpan`) → ``last role ended``."""
    if disputed:
        if short:
            return "reason disputed"
        return "disputed: " + " / ".join(sorted({r.replace("_", " ") for r in reasons if r}))
    if reason == "roles_ended":
        return "last role ended"
    return reason.replace("_", " ") if reason else unknown


def format_metric(p: Mapping[str, Any]) -> str:
    """``about 600,000,000 users (monthly)`` from a metric's fields."""
    value = _value(p["value"])
    shown = f"{value:,}" if isinstance(value, int) else f"{value:,.6g}"
    q = p.get("qualifier")
    q_text = {"close_to": "close to", "up_to": "up to", "at_least": "at least"}.get(q or "", q)
    unit = str(p["unit"])
    period = _period(p.get("period"), unit.replace("_", " "))
    if unit in ("percent", "%"):
        amount = f"{shown}%"
    elif unit in ("ratio", "times", "x"):
        amount = f"×{shown}"
    else:
        amount = f"{shown} {unit.replace('_', ' ')}"
    return f"{q_text + ' ' if q_text else ''}{amount}{period}"


def _period(period: Any, said: str) -> str:
    """`` (monthly)``: a figure's period in brackets, unless the words already shown say it
    (``videos per day`` is never followed by ``(per day)``); empty without a period."""
    text = str(period or "")
    return f" ({text})" if text and text.lower() not in said.lower() else ""


_CURRENCIES = {"USD": "US$", "EUR": "€", "GBP": "£", "CNY": "CN¥", "JPY": "¥"}
_LARGE = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"))


def _amount_words(value: float | int) -> str:
    """``1 billion``, ``2.5 million``, ``600 million``; under a million as digits."""
    for size, word in _LARGE:
        if abs(value) >= size and round(value / size, 2) * size == value:
            return f"{_value(round(value / size, 2))} {word}"
    shown = _value(value)
    return f"{shown:,}" if isinstance(shown, int) else f"{shown:,.6g}"


def figure_words(p: Mapping[str, Any], names: Names) -> str:
    """A ``metric.reported`` payload for readers: ``X monthly active users: about 600 million
    users (monthly)`` becomes ``X: monthly active users, about 600 million``.

    The metric's key in words (``annual_recurring_revenue`` → ``annual recurring
    revenue``); round large values in words (``1 billion``); a currency unit as its sign
    (``USD`` → ``US$1 billion``); a unit or period the metric's name already says is not
    repeated (``videos per day``, never ``(per day)`` again); the qualifier as words."""
    metric = str(p["metric"]).replace("_", " ")
    value = _value(p["value"])
    unit = str(p.get("unit") or "")
    amount = _amount_words(value)
    if unit.upper() in _CURRENCIES:
        amount = f"{_CURRENCIES[unit.upper()]}{amount}"
    elif unit in ("percent", "%"):
        amount = f"{amount}%"
    elif unit in ("ratio", "times", "x"):
        amount = f"{amount} times"
    elif unit and unit.replace("_", " ").lower() not in metric.lower():
        words = unit.replace("_", " ")
        if words.isupper() and value != 1:  # GPU → GPUs
            words += "s"
        amount = f"{amount} {words}"
    q = str(p.get("qualifier") or "")
    q_text = {"close_to": "close to", "up_to": "up to", "at_least": "at least"}.get(q, q)
    shown_period = _period(p.get("period"), f"{metric} {unit.replace('_', ' ')}")
    subject = _name(names, p.get("subject")) or ""
    return f"{subject}: {metric}, {q_text + ' ' if q_text else ''}{amount}{shown_period}"


def _person(m: Member, names: Names, state: OrgState) -> dict[str, Any]:
    roles = sorted(m.roles, key=lambda r: (ROLE_ORDER.get(r.role, 9), r.unit or ""))
    return {
        "id": m.person,
        "name": _name(names, m.person),
        "since": m.since.text if m.since else None,
        "first_seen": m.first_seen.text if m.since is None else None,
        "last_confirmed": m.last_confirmed.text if m.last_confirmed else None,
        "unit": m.unit,
        "title": m.title,
        "on_leave": m.on_leave.text if m.on_leave else None,
        "affiliated": m.affiliated,
        # A unit's name as of the date (renamed units), else its registered name.
        "roles": [{"role": r.role, "unit": r.unit,
                   "unit_name": state.units[r.unit].name if r.unit in state.units
                   else _name(names, r.unit),
                   "title": r.title, "capacity": r.capacity, "holding": r.holding,
                   "since": r.since.text, **_cite(r.cited)} for r in roles],
        **_cite(m.cited),
    }


def _unit(u: Unit, state: OrgState, names: Names) -> dict[str, Any]:
    def holders(role: str) -> list[dict[str, Any]]:
        out = []
        for m in state.members.values():
            for r in m.roles:
                if r.unit == u.id and r.role == role:
                    out.append({"id": m.person, "name": _name(names, m.person),
                                "title": r.title, "since": r.since.text, **_cite(r.cited)})
        return sorted(out, key=lambda x: str(x["name"]))

    members = sorted({m.person for m in state.members.values() if m.unit == u.id or any(
        r.unit == u.id and r.role == "member" for r in m.roles)})
    return {
        "id": u.id, "name": u.name, "kind": u.kind, "parent": u.parent,
        "since": u.since.text, "status": u.status, "former_names": u.former_names,
        "merged_into": u.merged_into, "ended": u.ended.text if u.ended else None,
        "leads": holders("lead"), "core_members": holders("core_member"),
        "members": [{"id": p, "name": _name(names, p)} for p in members],
        **_cite(u.cited),
    }


def org_document(state: OrgState, names: Names, sources: Mapping[str, Any],
                 known_at: datetime | None = None) -> dict[str, Any]:
    """The JSON document for ``factbase org``: keys ``org``, ``as_of``, ``known_at``,
    ``founded``, ``founding`` (``{"date", "status"}``: the founding date the log gives and its
    certainty on ``as_of`` — ``not_yet`` before it; None without one), ``units``,
    ``ended_units``, ``people`` (each with ``roles`` — role, unit, title, capacity, holding —
    ``on_leave`` and ``affiliated``: present only through board, adviser or investor roles),
    ``departed``, ``cofounders`` (``{"total", "present", "departed"}``), ``metrics``,
    ``events``, ``uncertain``, ``anomalies`` (code, message, event, date, related events),
    ``withdrawn`` (facts that would have counted on ``as_of`` but were retracted or corrected
    by ``known_at``, each with the amendment's recorded time, why and sources), ``sources``."""
    units = [_unit(u, state, names) for u in state.units.values()]
    people = sorted((_person(m, names, state) for m in state.members.values()),
                    key=lambda d: (min([ROLE_ORDER.get(r["role"], 9) for r in d["roles"]] or [9]),
                                   str(d["name"]).casefold()))
    departed = sorted(state.departed.values(), key=lambda d: (d.date.start, d.date.end))
    cof_present = [{"id": p, "name": _name(names, p)} for p in state.cofounders_present]
    cof_departed = [{"id": p, "name": _name(names, p), "date": state.departed[p].date.text,
                     "reason": state.departed[p].reason, "disputed": state.departed[p].disputed}
                    for p in sorted(state.cofounders_departed,
                                    key=lambda p: state.departed[p].date.start)]
    doc: dict[str, Any] = {
        "org": {"id": state.org, "name": _name(names, state.org)},
        "as_of": state.as_of.isoformat(),
        "known_at": _iso(known_at or state.known_at),
        "founded": state.founded.text if state.founded else None,
        "founding": {"date": state.founding.text, "status": state.founding_status}
        if state.founding else None,
        "merged_into": state.merged_into,
        "units": [u for u in units if u["status"] == "active"],
        "ended_units": [u for u in units if u["status"] != "active"],
        "people": people,
        "departed": [{
            "id": d.person, "name": _name(names, d.person), "date": d.date.text,
            "reason": d.reason, "disputed": d.disputed,
            "accounts": [{"by": a.by, "by_name": _name(names, a.by), "says": a.says,
                          "reason": a.reason, "source": a.source, "evidence": a.evidence}
                         for a in d.accounts],
            "cofounder": d.person in state.cofounders, "announced": d.announced,
            "date_claims": [{**c, "by_name": _name(names, c.get("by"))} for c in d.date_claims],
            "note": d.note, **_cite(d.cited),
        } for d in departed],
        "cofounders": {"total": len(state.cofounders), "present": cof_present,
                       "departed": cof_departed,
                       "may_have_left": [{"id": p, "name": _name(names, p)}
                                         for p in state.cofounders_uncertain]},
        "metrics": [{
            "subject": m.subject, "subject_name": _name(names, m.subject), "metric": m.metric,
            "value": _value(m.value), "unit": m.unit, "qualifier": m.qualifier,
            "period": m.period, "date": m.date.text, "text": format_metric(
                {"value": m.value, "unit": m.unit, "qualifier": m.qualifier,
                 "period": m.period}),
            "note": m.note, **_cite(m.cited),
            "value_claims": [{**c, "by_name": _name(names, c.get("by"))}
                             for c in m.value_claims],
            "disputed": len({c["value"] for c in m.value_claims}) > 1,
        } for m in sorted(state.metrics.values(), key=lambda m: (m.subject, m.metric))],
        "events": [{"type": h.type, "date": h.date.text,
                    "announced": h.payload.get("announced"),
                    "summary": summarize(h.type, h.payload, names), **_cite(h.cited)}
                   for h in state.happenings],
        "uncertain": [{"type": u.type, "date": u.date.text,
                       "announced": u.payload.get("announced"),
                       "summary": summarize(u.type, u.payload, names), **_cite(u.cited)}
                      for u in state.uncertain],
        "anomalies": [{"code": a.code, "message": a.message, "event": a.event_id,
                       "date": a.date.text if a.date else None, "related": list(a.related)}
                      for a in state.anomalies],
        "withdrawn": [_withdrawal(w, names) for w in state.withdrawn],
    }
    doc["sources"] = sources_map(doc, sources)
    return doc


def _withdrawal(w: Withdrawal, names: Names) -> dict[str, Any]:
    """A fact taken back (:class:`factbase.core.amend.Withdrawal`): the fact as first recorded
    (``event``, ``type``, ``date``, ``summary``), ``kind``, and the amendment: its ``by`` id,
    ``recorded_at``, ``why``, ``changes`` (corrections) and ``sources``."""
    return {"event": w.event.event_id, "type": w.event.type, "date": w.event.date.text
            if w.event.date else None, "summary": summarize(w.event.type, w.event.payload, names),
            "kind": w.kind, "by": w.by.event_id, "recorded_at": _iso(w.by.recorded_at),
            "why": w.by.payload.get("why"), "changes": w.by.payload.get("changes"),
            "sources": list(w.by.sources)}


def ids_in(value: Any, out: set[str] | None = None) -> set[str]:
    """Every string held anywhere in ``value`` — dataclasses (an :class:`OrgState`, events),
    mappings (keys too), lists, tuples — among them every entity and source id a document
    made from it can name or cite. Fetch the display names and sources of just these
    (:meth:`factbase.api.FactBase.names`, ``sources``) instead of every one in the log; a
    string that is no id finds nothing. Iterative, so deep values cannot exhaust the stack."""
    out = set() if out is None else out
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            out.add(v)
        elif isinstance(v, dict):
            stack += v.keys()
            stack += v.values()
        elif isinstance(v, list | tuple | set | frozenset):
            stack += v
        elif hasattr(v, "__dataclass_fields__"):
            stack += [getattr(v, f) for f in v.__dataclass_fields__]
    return out


def cited_ids(value: Any, out: dict[str, None] | None = None) -> list[str]:
    """Source ids cited anywhere in ``value`` (``sources`` lists, ``source`` fields), in order
    of first citation."""
    out = {} if out is None else out
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "sources" and isinstance(v, list):
                out.update(dict.fromkeys(x for x in v if isinstance(x, str)))
            elif k == "source" and isinstance(v, str):
                out[v] = None
            else:
                cited_ids(v, out)
    elif isinstance(value, list):
        for v in value:
            cited_ids(v, out)
    return list(out)


def sources_map(doc: Any, sources: Mapping[str, Any]) -> dict[str, Any]:
    """``{source id: {url, title, publisher, published, language}}`` for every source ``doc``
    cites, in order of first citation."""
    out = {}
    for sid in cited_ids(doc):
        s = sources.get(sid)
        out[sid] = {"url": getattr(s, "url", None), "title": getattr(s, "title", None),
                    "publisher": getattr(s, "publisher", None),
                    "published": getattr(s, "published", None)}
    return out


def event_document(e: Event, names: Names) -> dict[str, Any]:
    """One event as a JSON-ready mapping, with a plain-words ``summary``."""
    return {
        "seq": e.seq, "id": e.event_id, "type": e.type, "stream": e.stream,
        "date": e.date.text if e.date else None,
        "valid_from": e.date.start.isoformat() if e.date else None,
        "valid_to": e.date.end.isoformat() if e.date else None,
        "precision": e.date.precision if e.date else None,
        "at": _iso(e.instant), "recorded_at": _iso(e.recorded_at),
        "evidence": e.evidence, "announced": e.payload.get("announced"),
        "summary": summarize(e.type, e.payload, names),
        "payload": e.payload, "sources": list(e.sources),
    }


def _amendment(a: Event) -> dict[str, Any]:
    p = a.payload
    out: dict[str, Any] = {"type": a.type, "id": a.event_id,
                           "recorded_at": _iso(a.recorded_at), "sources": list(a.sources)}
    if a.type == "event.corrected":
        out["changes"] = p["changes"]
    if a.type == "account.added":
        out["account"] = p["account"]
    if p.get("why"):
        out["why"] = p["why"]
    return out


def _chain(event_id: str, history: Any) -> list[dict[str, Any]]:
    """Amendments of ``event_id`` and, nested, of those amendments, in log order."""
    return [{**_amendment(a), "history": _chain(a.event_id, history)}
            for a in history.history.get(event_id, [])]


def timeline_document(evs: Iterable[Event], names: Names, sources: Mapping[str, Any],
                      history: Any = None, **query: Any) -> dict[str, Any]:
    """The JSON document for ``factbase timeline``: ``query``, ``events``, ``sources``.

    With ``history`` (a :class:`factbase.core.amend.EffectiveView`), each event carries
    ``retracted`` and ``history``: its corrections, retractions and added accounts with recorded
    times."""
    items = []
    for e in evs:
        item = event_document(e, names)
        if history is not None:
            item["retracted"] = e.event_id in history.retracted
            item["history"] = _chain(e.event_id, history)
            original = history.originals.get(e.event_id)
            if original is not None and original.date is not None and e.date is not None \
                    and original.date.text != e.date.text:
                item["recorded_date"] = original.date.text
        items.append(item)
    doc: dict[str, Any] = {"query": query, "count": len(items), "events": items}
    doc["sources"] = sources_map(items, sources)
    return doc


def plain(value: Any) -> Any:
    """A database value as JSON and CSV show it: an exact number as ``int`` or ``float``, a
    date as ISO text, bytes as hex, anything else but numbers and text as ``str``."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value if isinstance(value, int | float | str) else str(value)
