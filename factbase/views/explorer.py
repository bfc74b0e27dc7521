"""The explorer's data: one organisation's whole history as windows of valid time.

``factbase report ORG --format html --interactive`` writes one offline page with a date slider
(:mod:`factbase.render.explorer_html`). Its data is this module's document, embedded as JSON:
every record holds on the days ``D`` with ``from <= D < to`` (ISO days; ``from`` None: since
the beginning, ``to`` None: still), so the page's script only selects the records whose window
contains the chosen day. No rule of replay is re-derived in the page; the windows are:

* memberships, roles and units: the spans of :func:`factbase.core.intervals.intervals_of` (the
  fold the projection tables hold), ``from`` the last day of the event that opened the span
  and ``to`` the last day of the one that closed it — the bound rule of
  :mod:`factbase.core.intervals`;
* departures: from the last day of the departure that closed a stay to the opening of the
  next stay (or for good), with the reason, the accounts and whether they disagree;
* co-founders: from the first co-founder role on (a co-founder stays one after leaving);
* figures: the figures of :attr:`factbase.core.intervals.Intervals.metrics`, each from its last
  day until the next figure of the same subject and metric in the fold's order takes over
  (the latest certain one wins, as replay has it);
* uncertain facts: what :func:`factbase.core.replay.replay` lists as uncertain (an event whose
  interval straddles the day), read at every day where that list can change, so each entry
  holds on the days replay lists it.

Every record cites: ``event``, ``evidence`` and ``notes`` (numbers into ``sources``, which
lists each cited source once with its title, publisher, date and URL).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from factbase.core.anchor import Anchor
from factbase.core.dates import OPEN_END, OPEN_START, PartialDate
from factbase.core.documents import format_metric, given_reasons, org_document, reason_words
from factbase.core.events import Event
from factbase.core.replay import Citation, departure_reason, replay
from factbase.views.report import (
    number_sources,
    org_events,
    recorded_document,
    source_docs,
    spans_of,
)

if TYPE_CHECKING:
    from factbase.core.amend import Prefer

Doc = dict[str, Any]


def _day(d: date | None) -> str | None:
    return None if d is None or d in (OPEN_START, OPEN_END) else d.isoformat()


def _cite(c: Citation | None) -> Doc:
    if c is None:
        return {"event": None, "sources": [], "evidence": None}
    return {"event": c.event_id, "sources": list(c.sources), "evidence": c.evidence}


def _window(opened: PartialDate | None, closed: PartialDate | None) -> Doc:
    """``from``/``to`` of a span: the last days of the events that opened and closed it, and
    the dates as written (``since``, ``until``)."""
    return {"from": _day(opened.end) if opened else None,
            "to": _day(closed.end) if closed else None,
            "since": opened.text if opened else None, "until": closed.text if closed else None,
            # The closing event's first day: from then on the end may have come (uncertain).
            "ending": _day(closed.start) if closed and closed.start < closed.end else None}


def explorer_document(org_id: str, events: list[Event], *, as_of: date, anchor: Anchor,
                      names: Mapping[str, str], sources: Mapping[str, Any],
                      known_at: datetime | None = None, prefer: Prefer | None = None,
                      min_evidence: str | None = None) -> Doc:
    """The explorer's document for organisation ``org_id`` from ``events`` (its timeline,
    :meth:`FactBase.timeline`, read at recorded time ``known_at`` — the recorded time of
    ``anchor`` when none was asked — with ``prefer`` and ``min_evidence``, which are only cited
    here), the display ``names`` and the ``sources``;
    ``as_of`` (a valid-time day) is the day the page opens on. :meth:`FactBase.explorer`
    reads them all and calls this. Pure.

    Keys: ``org`` (``{"id", "name"}``), ``as_of``, ``recorded`` (the recorded time, chain
    anchor and reproducing command, :func:`factbase.views.report.recorded_document`), ``first``
    and ``last`` (the slider's range, ISO days), ``names`` (entity id → display name),
    ``founded``, ``units``, ``memberships``, ``roles``, ``departures``, ``cofounders``,
    ``figures``, ``uncertain`` (each a list of windows, see the module docstring) and
    ``sources`` (``{source id: {n, title, publisher, published, url}}``)."""
    evs = org_events(org_id, events)
    spans = spans_of(org_id, evs)
    iv = spans.intervals

    units = [{"unit": u.unit, "name": u.name, "kind": u.kind, "parent": u.parent,
              "status": u.status, "merged_into": u.merged_into,
              **_window(u.opened, u.closed), **_cite(u.opened_cite)} for u in iv.units]
    memberships = [{"person": m.person, "unit": m.unit, "title": m.title,
                    "on_leave": m.on_leave, **_window(m.opened, m.closed),
                    **_cite(m.opened_cite)} for m in iv.memberships]
    roles = [{"person": r.person, "role": r.role, "unit": r.unit, "title": r.title,
              "capacity": r.capacity, **_window(r.opened, r.closed), **_cite(r.opened_cite)}
             for r in iv.roles]
    cofounders: dict[str, Doc] = {}
    for r in iv.roles:
        if r.role == "cofounder":
            cofounders.setdefault(r.person, {"person": r.person, **_window(r.opened, None),
                                             **_cite(r.opened_cite)})
    departures = []
    for person, stays in spans.stays().items():
        for n, stay in enumerate(stays):
            last = stay[-1]
            payload = spans.departure(last)
            if last.closed is None or payload is None:
                continue
            following = stays[n + 1][0].opened if n + 1 < len(stays) else None
            reason, disputed = departure_reason(payload)
            departures.append({
                "person": person, "date": last.closed.text,
                "reason": reason_words(reason, disputed, given_reasons(payload)),
                "disputed": disputed,
                "accounts": [{"by": names.get(str(a.get("by")), a.get("by")),
                              "reason": a.get("reason"), "says": a.get("says"),
                              "sources": [a["source"]] if a.get("source") else []}
                             for a in payload.get("accounts") or []],
                **_window(last.closed, following), **_cite(last.closed_cite)})
    figures = _figures(iv.metrics, names)
    doc: Doc = {
        "org": {"id": org_id, "name": names.get(org_id, org_id)},
        "as_of": as_of.isoformat(),
        "recorded": recorded_document(anchor, org_id, as_of, as_of, prefer, min_evidence),
        "founded": None,
        "units": units, "memberships": memberships, "roles": roles,
        "departures": departures, "cofounders": list(cofounders.values()),
        "figures": figures,
        "uncertain": _uncertain(org_id, evs, names, known_at),
    }
    founding = [u for u in evs if u.type == "org.founded" and u.date is not None]
    if founding:
        doc["founded"] = founding[0].date.text if founding[0].date else None
    days = sorted({d for key in ("units", "memberships", "roles", "departures", "figures",
                                 "uncertain") for rec in doc[key]
                   for d in (rec.get("from"), rec.get("to")) if d})
    doc["first"] = days[0] if days else as_of.isoformat()
    doc["last"] = max(days[-1], as_of.isoformat()) if days else as_of.isoformat()
    doc["first"] = min(doc["first"], as_of.isoformat())
    cited = {p for key in ("memberships", "roles", "departures", "cofounders")
             for rec in doc[key] for p in [rec["person"]]}
    doc["names"] = {i: names.get(i, i) for i in sorted(cited | {org_id})}
    doc["sources"] = number_sources(
        {k: doc[k] for k in ("units", "memberships", "roles", "cofounders", "departures",
                             "figures", "uncertain")},
        source_docs(sources))
    return doc


def _figures(points: Iterable[Any], names: Mapping[str, str]) -> list[Doc]:
    """Each figure from its last day until the next one of its subject and metric in the
    fold's order (a later position wins at a date: :class:`factbase.core.intervals.MetricPoint`)."""
    by_key: dict[tuple[str, str], list[Any]] = {}
    for p in sorted(points, key=lambda p: p.position):
        by_key.setdefault((p.subject, p.metric), []).append(p)
    out = []
    for (subject, metric), pts in sorted(by_key.items()):
        for i, p in enumerate(pts):
            nxt = pts[i + 1].date.end if i + 1 < len(pts) else None
            out.append({
                "subject": subject, "subject_name": names.get(subject, subject),
                "metric": metric, "value": p.value, "unit": p.unit,
                "text": format_metric({"value": p.value, "unit": p.unit,
                                       "qualifier": p.qualifier, "period": p.period}),
                "date": p.date.text, "disputed": p.disputed,
                "from": _day(p.date.end), "to": _day(nxt), "event": p.event_id,
                "sources": list(p.sources), "evidence": p.evidence})
    return out


def _uncertain(org_id: str, evs: list[Event], names: Mapping[str, str],
               known_at: datetime | None) -> list[Doc]:
    """Replay's uncertain list as windows: read at every day where it can change (the first
    and last days of every event whose interval is longer than a day, and the day after)."""
    bounds: set[date] = set()
    for e in evs:
        if e.date is not None and (e.date.start < e.date.end or e.type == "org.founded"):
            bounds.update(d for d in (e.date.start, e.date.end) if d not in (OPEN_START, OPEN_END))
    out: list[Doc] = []
    listed: dict[tuple[str, str, str], Doc] = {}
    for day in sorted(bounds):
        state = replay(org_id, evs, day, known_at)
        now = {(u["event"], u["type"], u["date"]): u
               for u in org_document(state, names, {}, known_at)["uncertain"]}
        for key in set(listed) - set(now):
            listed.pop(key)["to"] = day.isoformat()
        for key, u in now.items():
            if key not in listed:
                listed[key] = {"type": u["type"], "date": u["date"], "summary": u["summary"],
                               "from": day.isoformat(), "to": None, "event": u["event"],
                               "sources": u["sources"], "evidence": u.get("evidence")}
                out.append(listed[key])
    return out
