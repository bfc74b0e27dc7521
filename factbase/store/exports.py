"""The reads of the exports (:mod:`factbase.views.export` writes them): the last event to
export, the log's rows streamed in log order, the rows as outputs show them (standing
redactions applied) a batch at a time, display names of a batch's ids, and the organisations.

Every function takes a connection inside one read transaction, so the passes of one export
agree with each other; rows are streamed :data:`YIELD_PER` at a time, never the whole log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, RowMapping

from factbase.core.events import Event
from factbase.store import log, redact
from factbase.store import rows as stored_rows
from factbase.store.schema import entities, events

#: Rows fetched from the database at a time while streaming.
YIELD_PER = 1_000


def head(conn: Connection, known_at: datetime | None) -> int:
    """The last ``seq`` to export (recorded by ``known_at``, inclusive; None = now; 0 for an
    empty log): a fixed end, so appends made while exporting are left out."""
    q = select(func.max(events.c.seq))
    if known_at is not None:
        q = q.where(events.c.recorded_at <= known_at)
    return int(conn.execute(q).scalar() or 0)


def rows(conn: Connection, upto: int, types: Iterable[str] | None = None
         ) -> Iterator[RowMapping]:
    """Rows of the log up to ``seq`` ``upto`` (of ``types`` only, if given), in log order,
    as stored (:func:`factbase.store.log.select_events`), streamed ``YIELD_PER`` at a time.
    Each row is held to its hashes first, as every read is, unless ``conn`` says not to
    (``--no-check-hashes``): an export never copies a row changed outside factbase
    (:class:`factbase.store.rows.CorruptEvent` names it)."""
    q = log.select_events(types=list(types) if types is not None else None)
    q = q.where(events.c.seq <= upto)
    check = stored_rows.checking(conn)
    result = conn.execution_options(yield_per=YIELD_PER).execute(q)
    for row in result.mappings():
        if check:
            stored_rows.check(stored_rows.as_mapping_row(row))
        yield row


def shown_batches(conn: Connection, upto: int
                  ) -> Iterator[list[tuple[Mapping[Any, Any], dict[str, Any]]]]:
    """The log up to ``seq`` ``upto`` in log order, a batch of ``YIELD_PER`` rows at a time,
    each ``(row, payload)`` as outputs show it: with standing redactions the event id,
    stream, sources and payload of :meth:`factbase.store.redact.Redactor.event`."""
    q = log.select_events().where(events.c.seq <= upto)
    check = stored_rows.checking(conn)
    result = conn.execution_options(yield_per=YIELD_PER).execute(q)
    shown = redact.current(conn)
    for batch in result.mappings().partitions():
        if check:  # held to their hashes, as by rows()
            for row in batch:
                stored_rows.check(stored_rows.as_mapping_row(row))
        if shown:  # as outputs show them (factbase.store.redact)
            yield [(_shown_row(row, ev), ev.payload) for row, ev in
                   ((row, shown.event(log.to_event(row))) for row in batch)]
        else:
            yield [(row, json.loads(row["payload"])) for row in batch]


def _shown_row(row: Mapping[Any, Any], shown: Event) -> dict[Any, Any]:
    """An ``events`` row with the id, stream and sources outputs show."""
    return {**row, "event_id": shown.event_id, "stream": shown.stream,
            "sources": json.dumps(list(shown.sources))}


def names_for(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """The display name of each of ``ids`` that is an entity, 500 ids a query."""
    found: dict[str, str] = {}
    wanted = sorted(ids)
    for i in range(0, len(wanted), 500):
        q = select(entities.c.entity_id, entities.c.name).where(
            entities.c.entity_id.in_(wanted[i:i + 500]))
        found.update({r.entity_id: r.name for r in conn.execute(q)})
    return found


def organisations(conn: Connection) -> list[str]:
    """The ids of every organisation, sorted."""
    return [r[0] for r in conn.execute(
        select(entities.c.entity_id).where(entities.c.kind == "organization")
        .order_by(entities.c.entity_id))]
