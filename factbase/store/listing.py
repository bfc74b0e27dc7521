"""What the database holds: organisations, people, units, products and sources (``factbase ls``).

Everything is read from the projections (``entities``, ``entity_names``, ``sources``,
``memberships``, ``roles``, ``units``, ``event_sources``), as they stand now, so a redacted
person appears only as the projections show them (``[redacted person]`` under an opaque id).
Filters: a kind, an organisation (its people, units, products and the sources its events
cite) and a name (any name or alias of an entity, folded as look-ups fold them, or a part of
an id; for a source, a part of its id, title or publisher). Also here: :func:`nearest`, the
organisations closest to a name nothing matched, for the "no organization named …" error.

Functions take the caller's connection and write nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import func, select, union
from sqlalchemy.engine import Connection

from factbase.core.results import KINDS, Item, Listing, where_to_look
from factbase.store.schema import (
    entities,
    entity_names,
    event_sources,
    events,
    memberships,
    roles,
    sources,
    units,
)

#: Nearest organisations for a name nothing matched: at most this many, scoring at least this.
NEAREST = 3
NEAREST_CUTOFF = 60.0


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _members(conn: Connection, org: str | None) -> dict[str, set[str]]:
    """person -> the organisations they were in (memberships or roles)."""
    out: dict[str, set[str]] = defaultdict(set)
    q = union(select(memberships.c.person, memberships.c.org),
              select(roles.c.person, roles.c.org)).subquery()
    stmt = select(q.c.person, q.c.org)
    if org is not None:
        stmt = stmt.where(q.c.org == org)
    for r in conn.execute(stmt):
        out[r.person].add(r.org)
    return out


def listing(conn: Connection, *, kinds: list[str] | None = None, org: str | None = None,
            name: str | None = None, merged: dict[str, str] | None = None) -> Listing:
    """What the database holds, as the projections stand now (see the module docstring).

    ``kinds``: the kinds to list (None: all of :data:`KINDS`). ``org``: an organisation id
    (already resolved): only it, the people and units in it, its products and the sources its
    events cite. ``name``: only those with a name, alias or id containing it (folded). ``merged``:
    entity id -> the id it was declared one with (shown as ``merged_into``).
    """
    from factbase.core.names import fold

    kinds = [k for k in KINDS if kinds is None or k in kinds]
    merged = merged or {}
    totals = {k: 0 for k in KINDS}
    for r in conn.execute(select(entities.c.kind, func.count()).group_by(entities.c.kind)):
        if r[0] in totals:
            totals[r[0]] = int(r[1])
    totals["source"] = int(conn.execute(select(func.count()).select_from(sources)).scalar_one())
    wanted: set[str] | None = None
    if name is not None:
        needle = fold(name) or name.strip().casefold()
        wanted = {r.entity_id for r in conn.execute(
            select(entity_names.c.entity_id).where(
                entity_names.c.folded.like(_like(needle), escape="\\")).distinct())}
        wanted |= {r.entity_id for r in conn.execute(
            select(entities.c.entity_id).where(
                entities.c.entity_id.like(_like(name.strip().casefold()), escape="\\")))}
    people = _members(conn, None)
    unit_org: dict[str, str] = {}
    unit_name: dict[str, str] = {}  # a unit's latest name (unit.renamed), span by span
    for r in conn.execute(select(units.c.unit, units.c.org, units.c.name).order_by(
            units.c.valid_to_end.is_(None), units.c.valid_from_end, units.c.valid_from)):
        unit_org[r.unit] = r.org
        unit_name[r.unit] = r.name
    product_org: dict[str, set[str]] = defaultdict(set)
    for r in conn.execute(select(events.c.stream, events.c.payload)
                          .where(events.c.type.in_(["product.announced", "product.launched"]))):
        product_org[json.loads(r.payload)["product"]].add(r.stream)
    items: dict[str, list[Item]] = {k: [] for k in kinds}
    ent_kinds = [k for k in kinds if k != "source"]
    if ent_kinds:
        q = select(entities.c.entity_id, entities.c.kind, entities.c.name).where(
            entities.c.kind.in_(ent_kinds)).order_by(entities.c.kind, entities.c.entity_id)
        org_counts = _org_counts(conn, people, unit_org) if "organization" in kinds else {}
        for r in conn.execute(q):
            if wanted is not None and r.entity_id not in wanted:
                continue
            orgs: tuple[str, ...] = ()
            if r.kind == "person":
                orgs = tuple(sorted(people.get(r.entity_id, ())))
            elif r.kind == "unit" and r.entity_id in unit_org:
                orgs = (unit_org[r.entity_id],)
            elif r.kind == "product":
                orgs = tuple(sorted(product_org.get(r.entity_id, ())))
            if org is not None and (org not in orgs if r.kind != "organization"
                                    else r.entity_id != org):
                continue
            detail = {"merged_into": merged[r.entity_id]} if r.entity_id in merged else {}
            shown = r.name
            if r.kind == "unit" and unit_name.get(r.entity_id, r.name) != r.name:
                shown, detail["formerly"] = unit_name[r.entity_id], r.name
            items[r.kind].append(Item(r.kind, r.entity_id, shown, orgs,
                                      org_counts.get(r.entity_id, {}), detail))
    if "source" in kinds:
        items["source"] = _sources(conn, org, name)
    for k in items:
        items[k].sort(key=lambda i: (i.name.casefold(), i.id))
    return Listing(items, totals, org, name)


def _org_counts(conn: Connection, people: dict[str, set[str]],
                unit_org: dict[str, str]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"people": 0, "units": 0,
                                                              "events": 0})
    for orgs in people.values():
        for o in orgs:
            counts[o]["people"] += 1
    for o in unit_org.values():
        counts[o]["units"] += 1
    org_ids = select(entities.c.entity_id).where(entities.c.kind == "organization")
    for r in conn.execute(select(events.c.stream, func.count()).where(
            events.c.stream.in_(org_ids)).group_by(events.c.stream)):
        counts[r[0]]["events"] = int(r[1])
    return counts


def _sources(conn: Connection, org: str | None, name: str | None) -> list[Item]:
    from factbase.core.names import fold

    cited = select(event_sources.c.source_id, func.count(
        event_sources.c.event_id.distinct()).label("n")).group_by(event_sources.c.source_id)
    if org is not None:
        cited = cited.join(events, events.c.event_id == event_sources.c.event_id).where(
            events.c.stream == org)
    counts = {r.source_id: int(r.n) for r in conn.execute(cited)}
    q = select(sources.c.source_id, sources.c.title, sources.c.publisher,
               sources.c.published_text, sources.c.url)
    needle = (fold(name) or name.strip().casefold()) if name is not None else None
    out = []
    for r in conn.execute(q):
        if org is not None and r.source_id not in counts:
            continue
        if needle is not None and not any(
                needle in fold(text) for text in (r.source_id, r.title, r.publisher) if text):
            continue  # folded in Python: SQL's lower() leaves 'É' as it is
        detail = {k: v for k, v in (("publisher", r.publisher), ("published",
                                                                  r.published_text),
                                     ("url", r.url)) if v}
        out.append(Item("source", r.source_id, r.title or r.source_id, (),
                        {"cited_by": counts.get(r.source_id, 0)}, detail))
    return out


def nearest(conn: Connection, name: str, kind: str = "organization",
            limit: int = NEAREST) -> list[tuple[str, str]]:
    """The ``(id, display name)`` of up to ``limit`` entities of ``kind`` whose names come
    closest to ``name``, best first, each scoring at least :data:`NEAREST_CUTOFF` with
    rapidfuzz's ``ratio`` (edit distance, 0-100) on the folded names: the spelling slips
    (``xaj`` for ``xai``) that :func:`factbase.store.lookup.suggest`'s cutoff lets through, without
    its token matching, under which two names sharing a word (``Corp``) look alike."""
    from rapidfuzz import fuzz, process

    from factbase.core.names import fold

    owners: dict[str, set[str]] = defaultdict(set)
    shown: dict[str, str] = {}
    for r in conn.execute(select(entities.c.entity_id, entities.c.name, entity_names.c.folded)
                          .join(entity_names, entity_names.c.entity_id == entities.c.entity_id)
                          .where(entities.c.kind == kind)):
        owners[r.folded].add(r.entity_id)
        owners[r.entity_id].add(r.entity_id)
        shown[r.entity_id] = r.name
    best: dict[str, float] = {}
    query = fold(name) or name.strip()
    for choice, score, _ in process.extract(query, list(owners), scorer=fuzz.ratio,
                                            limit=limit * 5, score_cutoff=NEAREST_CUTOFF):
        for eid in owners[choice]:
            best[eid] = max(best.get(eid, 0.0), float(score))
    ranked = sorted(best, key=lambda e: (-best[e], shown[e].casefold(), e))[:limit]
    return [(e, shown[e]) for e in ranked]


__all__ = ["KINDS", "Item", "Listing", "listing", "nearest", "where_to_look"]
