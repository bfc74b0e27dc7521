"""The as-of report: what a journalist would publish about an organisation on a date.

:func:`report_document` builds one JSON-ready document from three documents the rest of
factbase already makes, through the API only:

* the ``org`` document at the end of day D (:func:`factbase.core.documents.org_document`):
  units, people, departures, co-founders, metrics, uncertain items, anomalies;
* the ``diff`` document from D0 to D (:meth:`FactBase.diff`): the changes since D0;
* the organisation's spans (:class:`Spans`: :func:`factbase.core.intervals.intervals_of` over its
  effective events, the fold the projection tables hold) cut at D: who was where, when — the
  tenure of everyone who has been a member, with each joining, departure and unit role dated
  as written (interval bounds kept, never guessed).

Both times are the caller's: ``as_of`` and ``since`` are valid time (ends of days);
``known_at`` is recorded time (None = now). Every section is cut at the same ``known_at``.

Sources are numbered once for the whole document, in reading order (the order of the keys
below, which is the order the Markdown and HTML renderers show them), and every cited item
carries ``notes``: the numbers of its sources, so JSON, Markdown and HTML agree on ``[3]``.

Document keys, in reading order: ``org``, ``as_of``, ``since``, ``known_at`` (as asked; None =
now), ``recorded`` (:func:`recorded_document`: the recorded time, chain anchor and command
that reproduce the report), ``founded``,
``merged_into``, ``figures`` (the plain headline numbers), ``headline`` (one cited line per
figure: people, units, co-founders, departures since D0 always; joined, disputed and uncertain
when there are any; a count of nothing cites nothing and has no ``notes``), ``org_chart`` (the
unit tree on D with leads, core members and members; org-level roles; people in no unit; units
that ended), ``tenure`` (one row per person present by D, or who left by then, with spells and
unit roles: :func:`tenure`), ``changes`` (the diff document without its ``org`` and
``sources``, plus ``cofounder_counts``: the co-founder counts at D0 and D with their sources),
``disputed`` (facts whose sources disagree, each account or claim with its source),
``metrics``, ``uncertain``, ``anomalies``, ``sources`` (``{source id: {n, title, publisher,
published, url}}``).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from factbase.core import intervals
from factbase.core.anchor import Anchor
from factbase.core.dates import OPEN_END, OPEN_START, PartialDate, shift_day
from factbase.core.documents import ROLE_ORDER, given_reasons, org_document
from factbase.core.events import Event
from factbase.core.intervals import Intervals, MembershipSpan, RoleSpan
from factbase.core.replay import Citation, OrgState, departure_reason, expand, expand_changes

if TYPE_CHECKING:
    from factbase.core.amend import Prefer

#: The default window of "changes since": this many days before the as-of date.
DEFAULT_WINDOW_DAYS = 90

#: The change lists of the diff document, in the order the report shows them, with titles.
CHANGE_SECTIONS: tuple[tuple[str, str], ...] = (
    ("departed", "Departed"),
    ("returned", "Returned"),
    ("joined", "Joined"),
    ("roles_started", "Roles started"),
    ("roles_ended", "Roles ended"),
    ("units_created", "Units created"),
    ("units_renamed", "Units renamed"),
    ("units_moved", "Units moved"),
    ("units_ended", "Units merged or dissolved"),
    ("metrics_changed", "Figures new or changed"),
    ("events", "Announcements, meetings and statements"),
    ("newly_uncertain", "May have happened (uncertain)"),
)

Doc = dict[str, Any]


def default_since(as_of: date) -> date:
    """The start of the default window: :data:`DEFAULT_WINDOW_DAYS` days before ``as_of``."""
    return shift_day(as_of, -DEFAULT_WINDOW_DAYS)


def report_document(state: OrgState, *, changes: Doc, events: list[Event],
                    names: Mapping[str, str], sources: Mapping[str, Any], anchor: Anchor,
                    since: date, known_at: datetime | None = None,
                    prefer: Prefer | None = None, min_evidence: str | None = None
                    ) -> dict[str, Any]:
    """The report on the organisation replayed in ``state`` (at the end of its valid-time
    day ``state.as_of``), with ``changes`` (the ``diff`` document from ``since`` to that day),
    from ``events`` (the organisation's effective events, :meth:`FactBase.timeline`), the
    display ``names`` and ``sources`` (source id → :class:`factbase.store.lookup.Source`),
    every section read at the recorded time of ``anchor`` (the head of the log the caller read
    first). ``known_at`` is the recorded time as asked (None = now), ``prefer`` and
    ``min_evidence`` the policy every section was read with; all three are only cited.
    :meth:`FactBase.report` reads them all and calls this. Pure.

    Returns the document described in the module docstring."""
    as_of = state.as_of
    odoc = org_document(state, names, sources, anchor.recorded_at if known_at is None
                        else known_at)
    org_id = odoc["org"]["id"]
    evs = [e for e in events if e.date is not None and e.date.start <= as_of]
    changes = dict(changes)
    changes.pop("withdrawn", None)  # the report lists them once, from the org document
    known_sources = {**changes.pop("sources", {}), **odoc["sources"]}
    changes.pop("org", None)
    # The change lists in the report's order, then the rest of the diff document.
    ordered = {k: changes.pop(k) for k, _ in CHANGE_SECTIONS if k in changes}
    changes = {"from": changes.pop("from"), "to": changes.pop("to"), **ordered, **changes}

    doc: dict[str, Any] = {
        "org": odoc["org"],
        "as_of": odoc["as_of"],
        "since": since.isoformat(),
        "known_at": known_at.isoformat().replace("+00:00", "Z") if known_at else None,
        "recorded": recorded_document(anchor, org_id, as_of, since, prefer, min_evidence),
        "founded": odoc["founded"],
        "merged_into": odoc["merged_into"],
    }
    founding = next(({"event": e.event_id, "sources": list(e.sources),
                      "evidence": e.evidence} for e in evs if e.type == "org.founded"
                     and e.payload.get("org", e.stream) == org_id), None) \
        if odoc["founded"] else None
    recorded = {e.event_id: e.payload.get("reason") for e in evs if e.type == "person.left"}
    disputed = _disputed(odoc, recorded)
    doc["figures"] = _figures(odoc, changes, disputed)
    doc["headline"] = _headline(odoc, changes, doc["figures"], founding, disputed)
    doc["org_chart"] = _org_chart(odoc, founding)
    doc["tenure"] = tenure(org_spans(org_id, events), state, names)
    doc["changes"] = changes
    changes["cofounder_counts"] = _cofounder_counts(odoc, changes, founding)
    doc["disputed"] = disputed
    doc["metrics"] = odoc["metrics"]
    doc["uncertain"] = odoc["uncertain"]
    doc["withdrawn"] = odoc["withdrawn"]
    doc["anomalies"] = odoc["anomalies"]
    doc["sources"] = number_sources(doc, {**source_docs(sources), **known_sources})
    return doc


def recorded_document(anchor: Anchor, org_id: str, as_of: date, since: date,
                      prefer: str | None = None, min_evidence: str | None = None
                      ) -> dict[str, Any]:
    """What a published report cites so that anyone can reproduce and check it: ``at`` (the
    recorded time of the last event it reflects, ISO 8601 UTC; None for an empty log),
    ``seq`` and ``anchor`` (``SEQ:HASH``, for ``factbase verify --check-anchor``) and
    ``command``: the ``factbase report`` invocation (without ``--format``) that gives the same
    report from this log or any later copy of it."""
    words = ["factbase", "report", shlex.quote(org_id), "--as-of", as_of.isoformat(),
             "--since", since.isoformat()]
    if anchor.known_at:
        words += ["--known-at", anchor.known_at]
    if prefer:
        words += ["--prefer", prefer]
    if min_evidence:
        words += ["--min-evidence", min_evidence]
    return {"at": anchor.known_at, "seq": anchor.seq, "anchor": anchor.text,
            "command": " ".join(words)}


# --- headline figures ---------------------------------------------------------------------


def _figures(odoc: Doc, changes: Doc, disputed: list[dict[str, Any]]) -> dict[str, int]:
    c = odoc["cofounders"]
    return {
        "people_present": len(odoc["people"]),
        "units": len(odoc["units"]),
        "cofounders_total": c["total"],
        "cofounders_present": len(c["present"]),
        "cofounders_departed": len(c["departed"]),
        "cofounders_may_have_left": len(c.get("may_have_left", [])),
        "departed_total": len(odoc["departed"]),
        "departures_since": len(changes["departed"]),
        "cofounder_departures_since": sum(1 for d in changes["departed"] if d["cofounder"]),
        "joined_since": len(changes["joined"]) + len(changes["returned"]),
        "disputed": len(disputed),
        "uncertain": len(odoc["uncertain"]),
    }


def _union(items: Iterable[Mapping[str, Any]]) -> list[str]:
    out: dict[str, None] = {}
    for item in items:
        out.update(dict.fromkeys(item.get("sources") or []))
        if item.get("source"):
            out[item["source"]] = None
    return list(out)


def _headline(odoc: Doc, changes: Doc, f: Mapping[str, int],
              founding: Mapping[str, Any] | None,
              disputed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per headline figure, each citing the sources of the facts it counts."""
    as_of, since = odoc["as_of"], changes["from"]
    cof_ids = {p["id"] for p in odoc["cofounders"]["present"]} | {
        p["id"] for p in odoc["cofounders"]["departed"]}
    cof_people = [p for p in odoc["people"] if p["id"] in cof_ids]
    cof_gone = [d for d in odoc["departed"] if d["id"] in cof_ids]
    lines = [
        {"key": "people_present", "value": f["people_present"],
         # Counts of what the sources name, not a headcount: the wording says so.
         "label": _w(f["people_present"], "person named in the sources, present",
                     "people named in the sources, present"),
         "text": f"{_n(f['people_present'], 'person', 'people')} named in the sources "
                 f"present on {as_of}",
         "sources": _union(odoc["people"])},
        {"key": "units", "value": f["units"],
         "label": _w(f["units"], "unit named in the sources", "units named in the sources"),
         "text": f"{_n(f['units'], 'unit')} named in the sources on {as_of}",
         "sources": _union(odoc["units"])},
    ]
    if f["cofounders_total"]:
        maybe = f", {f['cofounders_may_have_left']} of whom may have left" \
            if f["cofounders_may_have_left"] else ""
        lines.append({
            "key": "cofounders", "value": f["cofounders_departed"],
            "label": f"of {f['cofounders_total']} co-founders departed",
            "text": f"{f['cofounders_departed']} of {f['cofounders_total']} co-founders had "
                    f"departed by {as_of}; {f['cofounders_present']} present{maybe}",
            "sources": _union([*([founding] if founding else []), *cof_people, *cof_gone])})
    co = f" ({_n(f['cofounder_departures_since'], 'co-founder')})" \
        if f["cofounder_departures_since"] else ""
    lines.append({"key": "departures_since", "value": f["departures_since"],
                  "label": f"{_w(f['departures_since'], 'departure')} since {since}",
                  "text": f"{_n(f['departures_since'], 'departure')}{co} since {since}",
                  "sources": _union(changes["departed"])})
    if f["joined_since"]:
        lines.append({"key": "joined_since", "value": f["joined_since"],
                      "label": f"joined since {since}",
                      "text": f"{_n(f['joined_since'], 'person', 'people')} joined or "
                              f"returned since {since}",
                      "sources": _union([*changes["joined"], *changes["returned"]])})
    if f["disputed"]:
        lines.append({"key": "disputed", "value": f["disputed"],
                      "label": f"disputed {_w(f['disputed'], 'fact')}",
                      "text": f"{_n(f['disputed'], 'fact')} disputed between sources",
                      "sources": _union(disputed)})
    if f["uncertain"]:
        lines.append({"key": "uncertain", "value": f["uncertain"],
                      "label": f"uncertain {_w(f['uncertain'], 'event')}",
                      "text": f"{_n(f['uncertain'], 'event')} that may or may not have "
                              f"happened by {as_of} (dates known only to a span around it)",
                      "sources": _union(odoc["uncertain"])})
    for line in lines:
        if not line["value"] and not line["sources"]:
            del line["sources"]  # "0 units": a count of nothing cites nothing
    return lines


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {_w(count, one, many)}"


def _w(count: int, one: str, many: str | None = None) -> str:
    return one if count == 1 else (many or one + "s")


def _cofounder_counts(odoc: Doc, changes: Doc,
                      founding: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The co-founder counts at D0 and at D (the diff's), each citing the founding and the
    departures it counts."""
    gone_now = [d for d in odoc["departed"] if d["cofounder"]]
    in_window = {d["id"] for d in changes["departed"] if d["cofounder"]}
    gone_before = [d for d in gone_now if d["id"] not in in_window]
    base = [founding] if founding else []
    c = changes["cofounders"]
    return [{"date": changes["from"], **c["before"], "sources": _union([*base, *gone_before])},
            {"date": changes["to"], **c["after"], "sources": _union([*base, *gone_now])}]


# --- the org chart ------------------------------------------------------------------------


def _org_chart(odoc: Doc, founding: Mapping[str, Any] | None) -> dict[str, Any]:
    """The unit tree on D: each unit with its leads, core members and other members (each
    person with the citation of their role or membership), children nested; the people
    holding organisation-level roles; present people in no unit; units that ended."""
    people = {p["id"]: p for p in odoc["people"]}
    units = {u["id"]: u for u in odoc["units"]}
    children: dict[str | None, list[Doc]] = {}
    for u in odoc["units"]:
        children.setdefault(u["parent"] if u["parent"] in units else None, []).append(u)
    placed: set[str] = set()

    def node(u: Doc) -> dict[str, Any]:
        leads = [dict(h) for h in u["leads"]]
        core = [dict(h) for h in u["core_members"]]
        named = {h["id"] for h in [*leads, *core]}
        members = [_cited_person(people.get(m["id"]), m) for m in u["members"]
                   if m["id"] not in named]
        placed.update(named | {m["id"] for m in members})
        kids = sorted(children.get(u["id"], []), key=_unit_order)
        return {"id": u["id"], "name": u["name"], "kind": u["kind"], "since": u["since"],
                "former_names": u["former_names"], "leads": leads, "core_members": core,
                "members": members, "event": u["event"], "sources": list(u["sources"]),
                "evidence": u.get("evidence"), "children": [node(k) for k in kids]}

    tree = [node(u) for u in sorted(children.get(None, []), key=_unit_order)]
    leadership = []
    for p in odoc["people"]:
        for r in p["roles"]:
            if r["unit"] is None and r["role"] not in ("cofounder", "member"):
                leadership.append({"id": p["id"], "name": p["name"], "role": r["role"],
                                   "title": r["title"], "since": r["since"],
                                   "event": r["event"], "sources": list(r["sources"]),
                                   "evidence": r.get("evidence")})
    unassigned = [_cited_person(p, p) for p in odoc["people"] if p["id"] not in placed]
    ended = [{"id": u["id"], "name": u["name"], "status": u["status"],
              "merged_into": u["merged_into"], "ended": u["ended"], "event": u["event"],
              "sources": list(u["sources"]), "evidence": u.get("evidence")}
             for u in odoc["ended_units"]]
    root = {**odoc["org"], "founded": odoc["founded"], **(founding or {})}
    return {"org": root, "leadership": leadership, "units": tree,
            "unassigned": unassigned, "ended_units": ended}


def _unit_order(u: Mapping[str, Any]) -> tuple[bool, str, str]:
    return (u["kind"] != "division", str(u["kind"]), str(u["name"]).casefold())


def _cited_person(p: Mapping[str, Any] | None, fallback: Mapping[str, Any]) -> dict[str, Any]:
    """A person's id, name, roles in words and the citation of their membership."""
    if p is None:
        return {"id": fallback["id"], "name": fallback["name"], "roles": [],
                "event": None, "sources": [], "evidence": None}
    roles = [r["role"] for r in sorted(p["roles"], key=lambda r: ROLE_ORDER.get(r["role"], 9))]
    return {"id": p["id"], "name": p["name"], "roles": roles, "since": p["since"],
            "first_seen": p["first_seen"], "event": p["event"],
            "sources": list(p["sources"]), "evidence": p.get("evidence")}


# --- disputed facts -----------------------------------------------------------------------


def _disputed(odoc: Doc, recorded: Mapping[str, str | None]) -> list[dict[str, Any]]:
    """Facts whose sources disagree (DESIGN §4: shown with every account, none picked): the
    reason for a departure, its date, a reported figure. ``recorded``: the reason each
    departure event states itself (event id -> reason), listed first as its own account when
    no account gives it, so no side is dropped."""
    out: list[dict[str, Any]] = []
    for d in odoc["departed"]:
        cite = {"event": d["event"], "sources": list(d["sources"]),
                "evidence": d.get("evidence")}
        if d["disputed"]:
            accounts = [dict(a) for a in d["accounts"]]
            own = recorded.get(d["event"])
            if own and own not in {a.get("reason") for a in accounts}:
                accounts.insert(0, {"by": None, "by_name": "the departure as recorded",
                                    "says": "the reason the event itself states",
                                    "reason": own, **cite})
            out.append({"kind": "departure reason", "subject": d["id"],
                        "subject_name": d["name"], "date": d["date"],
                        "question": "why they left", "cofounder": d["cofounder"],
                        "accounts": accounts, **cite})
        claims = d.get("date_claims") or []
        if len({c.get("date") for c in claims}) > 1:
            out.append({"kind": "departure date", "subject": d["id"],
                        "subject_name": d["name"], "date": d["date"],
                        "question": "when they left", "cofounder": d["cofounder"],
                        "claims": [dict(c) for c in claims], **cite})
    for m in odoc["metrics"]:
        if m.get("disputed"):
            out.append({"kind": "figure", "subject": m["subject"],
                        "subject_name": m["subject_name"], "date": m["date"],
                        "question": m["metric"].replace("_", " "),
                        "claims": [dict(c) for c in m.get("value_claims") or []],
                        "event": m["event"], "sources": list(m["sources"]),
                        "evidence": m.get("evidence")})
    return out


# --- the spans: one organisation's history, from the one fold ----------------------------


@dataclass
class Spans:
    """One organisation's history as spans (:func:`factbase.core.intervals.intervals_of` over its
    effective events, as the projections fold them) and the departures that closed them.
    ``tenure``, ``who`` and the memberships export are views of it."""

    intervals: Intervals
    #: ``(event id, person)`` → the ``person.left`` payload (a reorganisation's change under
    #: the reorganisation's id, as spans cite it).
    departures: dict[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict)

    def departure(self, s: MembershipSpan | RoleSpan) -> Mapping[str, Any] | None:
        """The payload of the departure that closed ``s``, or None."""
        if s.closed_type != "person.left" or s.closed_by is None:
            return None
        return self.departures.get((s.closed_by, s.person))

    def stays(self, person: str | None = None) -> dict[str, list[list[MembershipSpan]]]:
        """Each person's stays (of ``person`` only, if given), in order: the membership spans
        of one stay, from an arrival to a departure."""
        out: dict[str, dict[int, list[MembershipSpan]]] = {}
        for s in self.intervals.memberships:
            if person is None or s.person == person:
                out.setdefault(s.person, {}).setdefault(s.stay, []).append(s)
        return {p: [by_stay[n] for n in sorted(by_stay)] for p, by_stay in out.items()}


def spans_of(org: str, evs: Iterable[Event]) -> Spans:
    """:class:`Spans` of ``org`` from its effective events ``evs`` (its stream's)."""
    evs = list(evs)
    departures: dict[tuple[str, str], Mapping[str, Any]] = {
        (s.cited.event_id, str(s.payload.get("person"))): s.payload
        for e in evs for s in expand(e) if s.type == "person.left"}
    return Spans(intervals.intervals_of(org, evs), departures)


def org_events(org_id: str, evs: Iterable[Event]) -> list[Event]:
    """The events of organisation ``org_id``'s own stream among ``evs`` (its timeline, which
    also holds the organisations merged into it): what replay and the projections fold."""
    return [e for e in evs if e.stream == org_id]


def org_spans(org_id: str, evs: Iterable[Event]) -> Spans:
    """:func:`spans_of` the events of ``org_id``'s own stream among ``evs``
    (:func:`org_events`)."""
    return spans_of(org_id, org_events(org_id, evs))


def departure_fields(payload: Mapping[str, Any] | None, closed_reason: str | None
                     ) -> dict[str, Any]:
    """``reason``, ``disputed`` and ``reasons`` (every reason given, sorted; several only
    when disputed) of a stay's end: the departure's (:func:`factbase.core.replay.departure_reason`)
    or, with no departure, the span's ``closed_reason`` (``roles_ended``)."""
    if payload is None:
        return {"reason": closed_reason, "disputed": False, "reasons": []}
    reason, disputed = departure_reason(payload)
    return {"reason": reason, "disputed": disputed,
            "reasons": sorted(set(given_reasons(payload)))}


# --- tenure: who was where, when ----------------------------------------------------------


def span(d: PartialDate) -> dict[str, Any]:
    """A date as written with its interval: ``{"date", "start", "end"}`` (ISO days; None for
    an open side, as in ``../2026-02-10``)."""
    return {"date": d.text, "start": None if d.start == OPEN_START else d.start.isoformat(),
            "end": None if d.end == OPEN_END else d.end.isoformat()}


def _cite(c: Citation | None) -> dict[str, Any]:
    if c is None:
        return {"event": None, "sources": [], "evidence": None}
    return {"event": c.event_id, "sources": list(c.sources), "evidence": c.evidence}


_HOW = {"org.founded": "co-founder at the founding", "person.joined": "joined"}


def _uncertain(state: OrgState, type_: str) -> dict[str, dict[str, Any]]:
    """Person → the first ``type_`` event (or reorganisation change) naming them that may
    have happened by the as-of date (replay's ``uncertain`` list), as a dated citation."""
    out: dict[str, dict[str, Any]] = {}
    for u in state.uncertain:
        people = [u.payload.get("person")] if u.type == type_ else [
            body.get("person") for _, t, _, body, _ in
            expand_changes(u.type, u.date, u.payload, u.cited.evidence) if t == type_]
        for person in people:
            if isinstance(person, str):
                out.setdefault(person, {**span(u.date), **_cite(u.cited)})
    return out


def tenure(spans: Spans, state: OrgState, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per person who has been in the organisation by the end of ``state.as_of``,
    read from the spans (:class:`Spans`) cut at that day: a span counts once it opened by
    then (its opening event certain), and one closed later is open then.

    Each row: ``id``, ``name``, ``cofounder``, ``status`` (``present``, ``present, on leave``,
    ``present, may have left``, ``departed``, ``roles ended`` — present only through roles,
    the last of which ended —, ``may have joined``), ``on_leave`` (the start of a leave under
    way, else None) and ``spells``, one per stay: ``joined`` (or ``first_seen`` when no
    joining is recorded; ``how`` says which) and ``left`` (with ``reason``, ``disputed`` and
    ``reasons``: every reason given) as :func:`span` dates with their citations,
    ``may_have_left`` when a departure's interval straddles the date, ``uncertain_start`` when
    a joining itself straddles it (a spell of its own), and ``units``: the unit memberships
    (role ``member``) and unit roles held in the stay (``unit``, ``unit_name``, ``role``,
    ``title``, ``from``, ``to``, citation). Uncertain events come from replay's ``state``
    (DESIGN §2), as do co-founders."""
    as_of = state.as_of
    maybe_left = _uncertain(state, "person.left")
    maybe_joined = _uncertain(state, "person.joined")
    unit_names = {u.id: u.name for u in state.units.values()}
    roles: dict[str, list[RoleSpan]] = {}
    for r in spans.intervals.roles:
        if r.opened.end <= as_of and r.unit is not None:
            roles.setdefault(r.person, []).append(r)

    def to(s: MembershipSpan | RoleSpan) -> dict[str, Any] | None:
        return span(s.closed) if s.closed is not None and s.closed.end <= as_of else None

    def seg(s: MembershipSpan | RoleSpan, role: str, title: str | None) -> dict[str, Any]:
        assert s.unit is not None
        return {"unit": s.unit, "unit_name": unit_names.get(s.unit) or names.get(s.unit, s.unit),
                "role": role, "title": title, "from": span(s.opened), "to": to(s),
                **_cite(s.opened_cite)}

    rows: dict[str, list[dict[str, Any]]] = {}
    present: set[str] = set()
    for person, stays in spans.stays().items():
        stays = [[s for s in stay if s.opened.end <= as_of] for stay in stays]
        stays = [stay for stay in stays if stay]
        for n, stay in enumerate(stays):
            first, last = stay[0], stay[-1]
            how = _HOW.get(first.opened_type, "first seen")
            start = {**span(first.opened), **_cite(first.opened_cite)}
            spell: dict[str, Any] = {
                "joined": None if how == "first seen" else start,
                "first_seen": start if how == "first seen" else None, "how": how,
                "uncertain_start": False, "left": None, "may_have_left": None, "units": []}
            if to(last) is not None:
                assert last.closed is not None
                spell["left"] = {**span(last.closed),
                                 **departure_fields(spans.departure(last), last.closed_reason),
                                 **_cite(last.closed_cite)}
            else:
                present.add(person)
                spell["may_have_left"] = maybe_left.get(person)
            following = stays[n + 1][0].opened.end if n + 1 < len(stays) else None
            units: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
            for i, s in enumerate(stay):
                if s.unit is None:
                    continue
                prev = units[-1][1] if units else None
                if prev is not None and prev["role"] == "member" and prev["unit"] == s.unit \
                        and prev["title"] == s.title and stay[i - 1].unit == s.unit:
                    prev["to"] = to(s)  # the same unit and title: on leave, or back
                    continue
                units.append(((s.opened.end, s.opened.start, 0, i), seg(s, "member", s.title)))
            for i, r in enumerate(roles.get(person, [])):
                if first.opened.end <= r.opened.end and (following is None
                                                         or r.opened.end < following):
                    units.append(((r.opened.end, r.opened.start, 1, i), seg(r, r.role, r.title)))
            spell["units"] = [u for _, u in sorted(units, key=lambda x: x[0])]
            rows.setdefault(person, []).append(spell)
    for person, d in state.departed.items():
        if person not in present and not any(
                (s["left"] or {}).get("event") == d.cited.event_id for s in rows.get(person, [])):
            # A departure that closed no stay (none recorded, or presence through roles had
            # ended already): replay keeps it, and notes the anomaly.
            rows.setdefault(person, []).append({
                "joined": None, "first_seen": None, "how": None, "uncertain_start": False,
                "left": {**span(d.date), "reason": d.reason, "disputed": d.disputed,
                         "reasons": d.reasons, **_cite(d.cited)},
                "may_have_left": None, "units": []})
    for person, start in maybe_joined.items():
        if person not in present:
            rows.setdefault(person, []).append({
                "joined": start, "first_seen": None, "how": "joined", "uncertain_start": True,
                "left": None, "may_have_left": None, "units": []})
    out = []
    for person, spells in rows.items():
        final = spells[-1]
        member = state.members.get(person)
        leave = member.on_leave.text if member is not None and member.on_leave else None
        if person in present:
            status = "present, may have left" if final["may_have_left"] else \
                "present, on leave" if leave else "present"
        elif final["uncertain_start"]:
            status = "may have joined"
        elif person not in state.departed and \
                (final["left"] or {}).get("reason") == "roles_ended":
            status = "roles ended"
        else:
            status = "departed"
        out.append({"id": person, "name": names.get(person, person),
                    "cofounder": person in state.cofounders, "status": status,
                    "on_leave": leave, "spells": spells})
    return sorted(out, key=_row_order)


def _row_order(row: Mapping[str, Any]) -> tuple[Any, ...]:
    first = row["spells"][0]
    start = first["joined"] or first["first_seen"] or first["left"] or {}
    begin = start.get("start") or start.get("end") or "9999"
    last = row["spells"][-1]
    end = (last["left"] or {}).get("end") or "9999"
    return (begin, end, str(row["name"]).casefold())


# --- sources and footnote numbers ---------------------------------------------------------


def source_docs(srcs: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{source id: {url, title, publisher, published}}`` of the sources ``srcs``
    (:meth:`FactBase.sources`), as :func:`number_sources` takes them."""
    return {sid: {"url": getattr(s, "url", None), "title": getattr(s, "title", None),
                  "publisher": getattr(s, "publisher", None),
                  "published": getattr(s, "published", None)} for sid, s in srcs.items()}


def number_sources(doc: Any, known: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Number every source ``doc`` cites in reading order (a depth-first walk, keys in their
    order), add ``notes`` (those numbers) to every item that cites, and return
    ``{source id: {n, title, publisher, published, url}}`` in number order."""
    order: dict[str, int] = {}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            many, one = value.get("sources"), value.get("source")
            cited = [s for s in many if isinstance(s, str)] if isinstance(many, list) else []
            if isinstance(one, str):
                cited.append(one)
            if isinstance(many, list) or isinstance(one, str):
                value["notes"] = [order.setdefault(s, len(order) + 1)
                                  for s in dict.fromkeys(cited)]
            for k, v in list(value.items()):
                if k not in ("sources", "notes"):
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(doc)
    out = {}
    for sid, n in order.items():
        s = known.get(sid) or {}
        out[sid] = {"n": n, "title": s.get("title"), "publisher": s.get("publisher"),
                    "published": s.get("published"), "url": s.get("url")}
    return out
