"""Random organisation histories for property tests, recorded in any order.

A :class:`History` is abstract: drafts of events on a few days (so that many fall on the same
day), people ``p0``..``p5``, units ``u0``..``u2``, and later amendments that name their target
by its place in the history. :func:`materialise` turns it into the records of one organisation
(ids prefixed by the organisation's id) recorded in a given order, cut into one to three loads;
:func:`recording_orders` draws the orders a history may be recorded in. The same history
recorded in two orders must give the same answers everywhere: the state at the end of a day
never depends on the order in which that day's events were recorded (docs/concepts.md, "Order
within a day"); ties are broken by the event id, which :func:`materialise` keeps with the draft.

What the drafts cover, on purpose: same-day changes of title (``role.ended`` and
``role.assigned`` on one day), two titles held at once, acting and interim capacities, explicit
``holding`` ids, people known only by roles (affiliations: board, adviser, investor), departures
and returns of co-founders, leaves of absence, confirmations, units created, renamed, moved,
merged and dissolved, reorganisations carrying changes, a founding (sometimes after other
events), figures, day, month and "on or before" dates, and later corrections and retractions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

#: The days events fall on: few, so that same-day events are common.
DAYS = [date(2021, 1, 4) + timedelta(days=30 * k) for k in range(6)]
PEOPLE = [f"p{i}" for i in range(6)]
UNITS = [f"u{i}" for i in range(3)]
#: Roles drawn ("member" is left out: the memberships CSV export names membership rows so).
ROLES = ["lead", "executive", "core_member", "cofounder", "board_member", "adviser", "investor"]
TITLES = [None, "CTO", "CEO"]


@dataclass(frozen=True)
class Draft:
    """One event of a history: ``type``, its fields with person and unit ids unprefixed
    (``p0``, ``u1``), and its date (text, unprefixed days of :data:`DAYS` or partial forms)."""

    type: str
    when: str | None
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Amendment:
    """A later correction (``changes``) or retraction (``changes`` None) of draft ``target``."""

    target: int
    changes: dict[str, Any] | None


@dataclass(frozen=True)
class History:
    drafts: tuple[Draft, ...]
    amendments: tuple[Amendment, ...]

    @property
    def change_days(self) -> list[date]:
        """The days worth asking about: every day something may change and the day after it
        (a month-precision date ends on the month's last day), the day before the first and
        a day long after the last."""
        ends = {d for d in DAYS} | {date(d.year, d.month + 1, 1) - timedelta(days=1)
                                    for d in DAYS}
        days = {DAYS[0] - timedelta(days=1), DAYS[-1] + timedelta(days=40)}
        days |= ends | {d + timedelta(days=1) for d in ends}
        return sorted(days)


@st.composite
def when(draw: st.DrawFn) -> str:
    day = draw(st.sampled_from(DAYS))
    form = draw(st.sampled_from(["day"] * 8 + ["month", "before"]))
    if form == "month":
        return day.strftime("%Y-%m")
    if form == "before":
        return f"../{day.isoformat()}"
    return day.isoformat()


@st.composite
def drafts(draw: st.DrawFn) -> Draft:
    people = st.sampled_from(PEOPLE)
    units = st.sampled_from(UNITS)
    maybe_unit = st.none() | units
    titles = st.sampled_from(TITLES)
    kind = draw(st.sampled_from([
        "joined", "joined", "joined", "left", "left", "role", "role", "role", "title_change",
        "role_ended", "confirmed", "leave", "leave_ended", "renamed", "moved", "merged",
        "dissolved", "metric", "reorg", "founded"]))
    person = draw(people)
    day = draw(when())
    f: dict[str, Any]
    if kind == "joined":
        return Draft("person.joined", day, {"person": person, "unit": draw(maybe_unit),
                                            "title": draw(titles)})
    if kind == "left":
        if draw(st.integers(0, 3)) == 0:
            return Draft("person.left", day, {"person": person, "accounts": [
                {"by": person, "says": "I resigned.", "reason": "resigned"},
                {"by": draw(people), "says": "We parted ways.",
                 "reason": draw(st.sampled_from(["parted_ways", "resigned"]))}]})
        return Draft("person.left", day, {"person": person, "reason": draw(
            st.sampled_from(["resigned", "dismissed", "unknown"]))})
    if kind == "role":
        f = {"person": person, "role": draw(st.sampled_from(ROLES)), "unit": draw(maybe_unit),
             "title": draw(titles)}
        if draw(st.integers(0, 4)) == 0:
            f["capacity"] = draw(st.sampled_from(["acting", "interim"]))
        if draw(st.integers(0, 5)) == 0:
            f["holding"] = "h1"
        return Draft("role.assigned", day, f)
    if kind == "title_change":  # the same day: the old title ends, the new one begins
        return Draft("title_change", day, {"person": person, "unit": draw(maybe_unit),
                                           "old": draw(titles), "new": draw(titles)})
    if kind == "role_ended":
        f = {"person": person, "role": draw(st.sampled_from(ROLES)), "unit": draw(maybe_unit)}
        if draw(st.booleans()):
            f["title"] = draw(titles)
        return Draft("role.ended", day, f)
    if kind == "confirmed":
        return Draft("role.confirmed", day, {"person": person, "unit": draw(maybe_unit),
                                             "role": draw(st.none() | st.sampled_from(ROLES))})
    if kind == "leave":
        return Draft("leave.started", day, {"person": person})
    if kind == "leave_ended":
        return Draft("leave.ended", day, {"person": person})
    if kind == "renamed":
        return Draft("unit.renamed", day, {"unit": draw(units),
                                           "name": draw(st.sampled_from(["Alpha", "Beta"]))})
    if kind == "moved":
        return Draft("unit.moved", day, {"unit": draw(units), "parent": draw(maybe_unit)})
    if kind == "merged":
        a, b = draw(st.lists(units, min_size=2, max_size=2, unique=True))
        return Draft("unit.merged", day, {"unit": a, "into": b})
    if kind == "dissolved":
        return Draft("unit.dissolved", day, {"unit": draw(units)})
    if kind == "metric":
        return Draft("metric.reported", day, {"metric": draw(st.sampled_from(["headcount",
                                                                             "gpus"])),
                                              "value": draw(st.integers(1, 99)), "unit": "n"})
    if kind == "founded":
        return Draft("org.founded", day, {"founders": draw(
            st.lists(people, min_size=1, max_size=3, unique=True))})
    return Draft("reorg.announced", day, {"summary": "A reorganisation.", "changes": [
        {"type": "role.assigned", "person": person, "unit": draw(units),
         "role": draw(st.sampled_from(ROLES)), "title": draw(titles)},
        {"type": "unit.renamed", "unit": draw(units), "name": "Renamed in reorg"},
        {"type": "person.left", "person": draw(people), "reason": "dismissed"}]})


@st.composite
def histories(draw: st.DrawFn, max_events: int = 18) -> History:
    found = draw(st.lists(drafts(), min_size=2, max_size=max_events))
    amendments: dict[int, Amendment] = {}  # one per target: two would depend on their order
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.integers(0, len(found) - 1))
        if found[target].type in ("title_change", "unit.moved"):
            continue  # a title change is two events; a move to the top cannot be corrected
        if draw(st.booleans()):
            amendments[target] = Amendment(target, None)
        else:
            amendments[target] = Amendment(target, {"date": draw(when())})
    return History(tuple(found), tuple(amendments.values()))


@st.composite
def recording_orders(draw: st.DrawFn, history: History) -> tuple[list[int], list[int]]:
    """A recording order of the history's drafts (a permutation of their places) and where
    to cut it into loads (places in that order)."""
    order = draw(st.permutations(range(len(history.drafts))))
    cuts = sorted(draw(st.lists(st.integers(1, len(order)), max_size=2, unique=True)))
    return list(order), cuts


def _ids(org: str, value: Any) -> Any:
    """Prefix person and unit ids (``p0``, ``u1``) and holdings with the organisation's id."""
    if isinstance(value, str) and (value in PEOPLE or value in UNITS or value == "h1"):
        return f"{org}-{value}"
    if isinstance(value, list):
        return [_ids(org, v) for v in value]
    if isinstance(value, dict):
        return {k: (_ids(org, v) if k not in ("says", "summary", "name", "reason") else v)
                for k, v in value.items()}
    return value


def event_id(org: str, place: int, part: int = 0) -> str:
    return f"{org}-e{place}" + (f"-{part}" if part else "")


def _records(org: str, place: int, draft: Draft) -> list[dict[str, Any]]:
    base = {"org": org, "sources": [f"{org}-s"], "date": draft.when}
    if draft.type == "title_change":
        f = _ids(org, draft.fields)
        ended = {"person": f["person"], "role": "executive", "unit": f["unit"],
                 "title": f["old"]}
        assigned = {"person": f["person"], "role": "executive", "unit": f["unit"],
                    "title": f["new"]}
        return [{"id": event_id(org, place, 1), "type": "role.ended", **base, **ended},
                {"id": event_id(org, place, 2), "type": "role.assigned", **base, **assigned}]
    fields = _ids(org, draft.fields)
    if draft.type == "metric.reported":
        fields["subject"] = org
    if draft.type == "person.left" and "accounts" in fields:
        fields["accounts"] = [{**a, "source": f"{org}-s"} for a in fields["accounts"]]
    if draft.type == "reorg.announced":
        fields["effective"] = draft.when
        fields["changes"] = [{**c, "org": org} for c in fields["changes"]]
    fields = {k: v for k, v in fields.items() if v is not None or k == "parent"}
    return [{"id": event_id(org, place), "type": draft.type, **base, **fields}]


def materialise(history: History, org: str, order: list[int], cuts: list[int]
                ) -> list[list[dict[str, Any]]]:
    """The loads that record ``history`` as organisation ``org`` in recording ``order``:
    the source, the organisation, its people and its units first; then the drafts in
    ``order`` (a title change's two events together, ending first), cut at ``cuts``; then the
    amendments, in the last load. Event ids follow the drafts (``{org}-e{place}``), whatever
    the order."""
    head: list[dict[str, Any]] = [
        {"type": "source.registered", "source": f"{org}-s", "title": f"Source of {org}"},
        {"type": "entity.registered", "entity": org, "kind": "organization",
         "name": f"Org {org}"}]
    head += [{"type": "entity.registered", "entity": f"{org}-{p}", "kind": "person",
              "name": f"Person {org} {p}"} for p in PEOPLE]
    head += [{"id": f"{org}-c{u}", "type": "unit.created", "org": org, "date": "2020-12-01",
              "sources": [f"{org}-s"], "unit": f"{org}-{u}", "name": f"Unit {u}",
              "kind": "team", "parent": None} for u in UNITS]
    body = [_records(org, place, history.drafts[place]) for place in order]
    loads: list[list[dict[str, Any]]] = []
    start = 0
    for cut in [*cuts, len(body)]:
        if cut > start:
            loads.append([r for records in body[start:cut] for r in records])
            start = cut
    if not loads:
        loads = [[]]
    loads[0] = head + loads[0]
    amends: list[dict[str, Any]] = []
    for a in history.amendments:
        target = event_id(org, a.target)
        if a.changes is None:
            amends.append({"id": f"{org}-a{a.target}", "type": "event.retracted",
                           "target": target, "why": "wrong",
                           "sources": [f"{org}-s"]})
        else:
            amends.append({"id": f"{org}-a{a.target}", "type": "event.corrected",
                           "target": target, "changes": a.changes,
                           "why": "misdated", "sources": [f"{org}-s"]})
    loads[-1] = loads[-1] + amends
    return loads
