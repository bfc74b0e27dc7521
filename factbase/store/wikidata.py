"""What an import from Wikidata depends on in the database (:func:`known_state`); the
planner that turns Wikidata's documents into records is :mod:`factbase.io.wikidata`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select

from factbase.core.amend import identities
from factbase.io.wikidata import Document, Known
from factbase.store import reads
from factbase.store.amend_checks import record_of
from factbase.store.schema import entities, entity_names, events, sources


def known_state(conn: Any, docs: Iterable[Document]) -> Known:
    """What the database holds that an import of ``docs`` depends on: the ``q…``/``wd-q…``
    entities (kinds and names), the sources, the importer's events as they stand
    (corrections applied), its registrations, and merges of placeholders. Reads only."""
    del docs  # the importer's ids share prefixes: read those, whatever the documents
    known = Known()
    for r in conn.execute(select(entities.c.entity_id, entities.c.kind).where(or_(
            entities.c.entity_id.like("q%"), entities.c.entity_id.like("wd-q%")))):
        known.kinds[r.entity_id] = r.kind
    for r in conn.execute(select(entity_names.c.entity_id, entity_names.c.name).where(
            entity_names.c.entity_id.in_(list(known.kinds) or [""]))):
        known.names.setdefault(r.entity_id, set()).add(r.name)
    known.sources = {r.source_id for r in conn.execute(select(sources.c.source_id).where(
        or_(sources.c.source_id.like("wikidata-q%"), sources.c.source_id.like("wd-ref-%"))))}
    rows = conn.execute(select(events).where(or_(
        events.c.event_id.like("wd-q%"), events.c.event_id.like("entity.q%"),
        events.c.event_id.like("entity.wd-q%"), events.c.event_id.like("source.wikidata-q%"),
        events.c.event_id.like("source.wd-ref-%"))).order_by(events.c.seq)).mappings().all()
    corrections: dict[str, dict[str, Any]] = {}
    for row in rows:
        known.hashes[row["event_id"]] = row["content_hash"]
        if row["type"] == "source.registered":
            known.registrations[row["event_id"]] = row["content_hash"]
        elif row["type"] == "event.corrected":
            p = json.loads(row["payload"])
            corrections[p["target"]] = {**corrections.get(p["target"], {}), **p["changes"]}
        elif row["type"] in ("entity.registered", "entity.aliased"):
            known.registrations[row["event_id"]] = row["content_hash"]
        else:
            known.events[row["event_id"]] = record_of(row)
    for target, changes in corrections.items():
        if target in known.events:
            merged = {**known.events[target], **changes}
            known.events[target] = {k: v for k, v in merged.items() if v is not None}
    known.merged = identities(reads.identity_events(conn, None))
    return known


__all__ = ["known_state"]
