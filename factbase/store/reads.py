"""Reading the log for queries: one organisation's events cut at an as-of date, and the
identity decisions, each row checked against its hashes before it is used.

Every row is read whole and decoded by :func:`factbase.store.rows.decode`: a row that does not
match its chain hash or its content hash, or that holds a malformed value, stops the query
with one error naming the event (and the column), unless the database was opened with
``check_hashes=False``. The as-of read of one organisation (:meth:`factbase.api.FactBase.org`)
does not need the events that cannot matter at the as-of date: an event whose valid interval
starts after the end of day ``as_of`` is *not yet* (DESIGN §2) and changes neither the state
nor the uncertain list. :func:`org_events` leaves such events in the database unless something
could move their date to ``as_of`` or earlier — so the replayed state is the same as over the
whole stream:

* a correction may change an event's ``date``: every target of an amendment is read;
* accounts that claim another date widen the effective interval (:mod:`factbase.core.amend`): an
  event whose payload holds ``"accounts"`` is read;
* a reorganisation applies its changes on its ``effective`` date, which may precede the
  announcement: ``reorg.announced`` events are always read;
* nothing of an organisation happens before its founding, so an event known only as "on or
  before" a date is not yet while the founding is (:func:`factbase.core.replay.replay`):
  ``org.founded`` events are always read;
* undated events (corrections, retractions, added accounts, registrations) are always read.

Portable SQL through SQLAlchemy Core. On SQLite the same queries run on the DBAPI connection
(inside the caller's transaction): a query that fetches a few dozen rows spends most of its
time in SQLAlchemy's statement building, compiling and result processing otherwise.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.engine import Connection

from factbase.core.events import AMEND_TYPES, Event
from factbase.store import rows
from factbase.store.schema import entities, events, format_utc

#: IN lists are sent in chunks of this many ids.
_CHUNK = 500
#: Every column of the log in SQLite SQL (dates and instants come back as the stored text).
_SQLITE_COLUMNS = rows.SQLITE_SELECT + " WHERE "


def decode(row: Sequence[Any], check_hashes: bool = True) -> Event:
    """An :class:`Event` from a row of :data:`factbase.store.rows.COLUMNS` (typed by the
    driver, or as SQLite's DBAPI returns it: dates and instants as the stored text), checked
    against its hashes unless ``check_hashes`` is False (:func:`factbase.store.rows.decode`)."""
    return rows.decode(row, check_hashes)


def decode_rows(conn: Connection, found: Iterable[Sequence[Any]]) -> list[Event]:
    """:func:`decode` each of ``found`` (rows of :func:`select_event_rows` run on ``conn``),
    checking hashes unless ``conn`` was opened with ``check_hashes=False``."""
    return rows.decode_all(conn, found)


def _sqlite(conn: Connection) -> Any:
    """The DBAPI connection when ``conn`` is SQLite, else None."""
    if conn.dialect.name != "sqlite":
        return None
    return conn.connection.driver_connection


def _known_at_sql(known_at: datetime | None, params: list[Any]) -> str:
    if known_at is None:
        return ""
    params.append(format_utc(known_at))
    return " AND recorded_at <= ?"


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def select_event_rows(known_at: datetime | None = None) -> Select[Any]:
    """The query for every column of the log (:func:`factbase.store.rows.select_rows`), cut
    at ``known_at`` (recorded time, inclusive), unordered; decode its rows with
    :func:`decode_rows`."""
    q = rows.select_rows()
    if known_at is not None:
        q = q.where(events.c.recorded_at <= known_at)
    return q


def org_events(conn: Connection, streams: Sequence[str], as_of: date,
               known_at: datetime | None = None) -> list[Event]:
    """The events of ``streams`` recorded by ``known_at`` (None: all), in log order, less
    those that are *not yet* at the end of day ``as_of`` and that nothing can move earlier
    (see the module docstring): replaying the result at ``as_of`` gives the state replaying
    the whole streams gives. Reads only."""
    streams = list(streams)
    dbapi = _sqlite(conn)
    if dbapi is not None:
        params: list[Any] = [*streams, as_of.isoformat()]
        sql = (_SQLITE_COLUMNS + f"stream IN ({_marks(len(streams))}) AND (valid_from IS NULL "
               "OR valid_from <= ? OR type IN ('reorg.announced', 'org.founded') OR payload LIKE "
               "'%\"accounts\"%')" + _known_at_sql(known_at, params) + " ORDER BY seq")
        found = decode_rows(conn, dbapi.execute(sql, params))
    else:
        cut = or_(events.c.valid_from.is_(None), events.c.valid_from <= as_of,
                  events.c.type.in_(("reorg.announced", "org.founded")),
                  events.c.payload.contains('"accounts"'))
        q = select_event_rows(known_at).where(events.c.stream.in_(streams), cut)
        found = decode_rows(conn, conn.execute(q.order_by(events.c.seq)))
    have = {e.event_id for e in found}
    targets = sorted({e.payload["target"] for e in found if e.type in AMEND_TYPES} - have)
    if not targets:
        return found
    for i in range(0, len(targets), _CHUNK):
        chunk = targets[i:i + _CHUNK]
        if dbapi is not None:
            params = [*streams, *chunk]
            sql = (_SQLITE_COLUMNS + f"stream IN ({_marks(len(streams))}) AND event_id IN "
                   f"({_marks(len(chunk))})" + _known_at_sql(known_at, params))
            found += decode_rows(conn, dbapi.execute(sql, params))
        else:
            q = select_event_rows(known_at).where(events.c.stream.in_(streams),
                                                  events.c.event_id.in_(chunk))
            found += decode_rows(conn, conn.execute(q))
    found.sort(key=lambda e: e.seq)
    return found


def typed_events(conn: Connection, types: Sequence[str],
                 known_at: datetime | None = None) -> list[Event]:
    """The events of ``types`` recorded by ``known_at`` (None: all), in log order."""
    dbapi = _sqlite(conn)
    if dbapi is not None:
        params: list[Any] = list(types)
        # INDEXED BY: after ANALYZE, sqlite_stat1 gives ix_events_type only an average rows per
        # type (tens of thousands at 10^6), so for ORDER BY seq the planner prefers scanning the
        # whole log in seq order; the types asked for here (merges, redactions) are rare, and
        # the scan cost 200 ms per query at 10^6 events. (SQLite "The INDEXED BY Clause".)
        sql = (_SQLITE_COLUMNS.replace("FROM events", "FROM events INDEXED BY ix_events_type")
               + f"type IN ({_marks(len(params))})"
               + _known_at_sql(known_at, params) + " ORDER BY seq")
        return decode_rows(conn, dbapi.execute(sql, params))
    q = select_event_rows(known_at).where(events.c.type.in_(list(types)))
    return decode_rows(conn, conn.execute(q.order_by(events.c.seq)))


def identity_events(conn: Connection, known_at: datetime | None = None) -> list[Event]:
    """The ``entity.merged``/``entity.unmerged`` events recorded by ``known_at``, in log
    order (the input of :func:`factbase.core.amend.identities`)."""
    return typed_events(conn, ["entity.merged", "entity.unmerged"], known_at)


def amendments(conn: Connection, streams: Collection[str] | None,
               known_at: datetime | None = None) -> list[Event]:
    """The corrections, retractions and added accounts recorded by ``known_at`` in
    ``streams`` (None: in every stream), in log order. An amendment is filed under its
    target's stream, so these are all that can amend the events of ``streams``."""
    q = select_event_rows(known_at).where(events.c.type.in_(sorted(AMEND_TYPES)))
    if streams is None:
        return decode_rows(conn, conn.execute(q.order_by(events.c.seq)))
    ordered = sorted(streams)
    found = [e for i in range(0, len(ordered), _CHUNK) for e in decode_rows(conn, conn.execute(
        q.where(events.c.stream.in_(ordered[i:i + _CHUNK]))))]
    found.sort(key=lambda e: e.seq)
    return found


def dated_events(conn: Connection, known_at: datetime | None = None, *,
                 exact: Sequence[str] = (), prefixes: Sequence[str] = (),
                 naming: Sequence[str] | None = None) -> list[Event]:
    """The dated events recorded by ``known_at`` (None = now), in log order: of the types
    ``exact`` or starting with one of ``prefixes`` (neither: every type), and with
    ``naming`` of the streams ``naming`` or holding one of those ids in their payload (the
    caller keeps those that name it in a field). Checked like every read."""
    q = select_event_rows(known_at).where(events.c.date_text.is_not(None))
    if exact or prefixes:
        q = q.where(or_(events.c.type.in_(exact),
                        *[events.c.type.startswith(p) for p in prefixes]))
    if naming is not None:
        q = q.where(or_(events.c.stream.in_(naming),
                        *[events.c.payload.contains(f'"{i}"') for i in naming]))
    return decode_rows(conn, conn.execute(q.order_by(events.c.seq)))


def first_recorded(conn: Connection, stream: str) -> datetime | None:
    """When the first event of ``stream`` was recorded (None: the stream has none)."""
    row = conn.execute(rows.select_rows().where(events.c.stream == stream)
                       .order_by(events.c.seq).limit(1)).first()
    return decode_rows(conn, [row])[0].recorded_at if row else None


def entity_kind(conn: Connection, entity_id: str) -> str | None:
    """The kind of entity ``entity_id`` (``person``, ``organization``, …), None if unknown."""
    dbapi = _sqlite(conn)
    if dbapi is not None:
        row = dbapi.execute("SELECT kind FROM entities WHERE entity_id = ?",
                            (entity_id,)).fetchone()
    else:
        row = conn.execute(select(entities.c.kind)
                           .where(entities.c.entity_id == entity_id)).first()
    return None if row is None else str(row[0])


__all__ = [
    "amendments", "dated_events", "decode", "decode_rows", "entity_kind", "first_recorded",
    "identity_events", "org_events", "select_event_rows", "typed_events",
]
