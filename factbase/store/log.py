"""The log: append events in one transaction, read them back, walk the hash chain.

Only this module writes to ``events``. Appends serialise on the head of the log (SQLite:
``BEGIN IMMEDIATE`` from :mod:`factbase.store.engine`; PostgreSQL: a transaction-scoped
advisory lock), so sequence numbers run without gaps and each row links to the one before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.engine import Connection, RowMapping

from factbase.core.anchor import Anchor as Anchor
from factbase.core.errors import ConflictError
from factbase.core.events import SCHEMA_VERSION, Event, EventDraft, canonical_json
from factbase.store import bulk, rows
from factbase.store.chain import (
    GENESIS,
    ChainReport,
    check_chain,
    fast_check_sqlite,
    row_hash,
)
from factbase.store.schema import events, format_utc

#: Rows per INSERT executemany batch (bounded memory on large loads).
BATCH = 2_000
_PG_APPEND_LOCK = 0x66616374  # "fact": advisory lock key serialising appends on PostgreSQL


def head(conn: Connection) -> tuple[int, str, datetime | None]:
    """``(last seq, last hash, last recorded_at)`` of the log; ``(0, GENESIS, None)`` if empty.

    The last row is checked against its hashes (:func:`factbase.store.rows.decode`) unless
    ``conn`` was opened with ``check_hashes=False``: an append never extends a chain whose
    head was changed outside factbase, and a malformed ``recorded_at`` is named, not raised.
    """
    row = conn.execute(rows.select_rows().order_by(events.c.seq.desc()).limit(1)).first()
    if row is None:
        return 0, GENESIS, None
    last = rows.decode_all(conn, [row])[0]
    return last.seq, str(row.hash), last.recorded_at


def head_at(conn: Connection, known_at: datetime | None = None) -> Anchor:
    """:class:`Anchor` of the last event recorded by ``known_at`` (recorded time, inclusive;
    None = now), checked like every read (:func:`factbase.store.rows.decode`)."""
    q = rows.select_rows()
    if known_at is not None:
        q = q.where(events.c.recorded_at <= known_at)
    row = conn.execute(q.order_by(events.c.seq.desc()).limit(1)).first()
    if row is None:
        return Anchor(0, GENESIS, None)
    last = rows.decode_all(conn, [row])[0]
    return Anchor(last.seq, str(row.hash), last.recorded_at)


def stream_version(conn: Connection, stream: str) -> int:
    """The version of ``stream``: how many events the log holds in it (0 for none).

    This is the number optimistic concurrency compares (:func:`check_versions`): a writer
    reads it, decides, and appends expecting it unchanged.
    """
    return int(conn.execute(
        select(func.count()).select_from(events).where(events.c.stream == stream)
    ).scalar_one())


def close_stream(conn: Connection, stream: str, shown: Callable[[str], str] = str
                 ) -> str | None:
    """A stream id of the log close to ``stream`` (the same id in another case first, then the
    closest by :func:`difflib.get_close_matches`), or None. ``shown`` maps each stream id to
    the id outputs show (a redacted person's placeholder), so no hidden id is suggested."""
    import difflib

    ids = sorted({shown(r[0]) for r in conn.execute(select(events.c.stream).distinct())}
                 - {stream})
    same = [i for i in ids if i.lower() == stream.lower()]
    if same:
        return same[0]
    close = difflib.get_close_matches(stream, ids, n=1, cutoff=0.7)
    return close[0] if close else None


def check_versions(conn: Connection, expected: Mapping[str, int]) -> None:
    """Raise :class:`factbase.core.errors.ConflictError` for the first stream (in name order) of
    ``expected`` (stream -> version) whose version differs. Call it inside the write
    transaction after the append lock is taken, before appending, so no other writer can move
    a stream between the check and the append."""
    for stream in sorted(expected):
        actual = stream_version(conn, stream)
        if actual != expected[stream]:
            raise ConflictError(stream, expected[stream], actual)


def lock_for_append(conn: Connection) -> None:
    """Serialise appenders. SQLite already holds the write lock (BEGIN IMMEDIATE)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_APPEND_LOCK})")


def draft_row(draft: EventDraft, seq: int, recorded_at: datetime) -> dict[str, Any]:
    """The ``events`` row (without hashes) for ``draft`` at position ``seq``."""
    d = draft.date
    return {
        "seq": seq,
        "event_id": draft.event_id,
        "type": draft.type,
        "schema_version": SCHEMA_VERSION,
        "stream": draft.stream,
        "date_text": d.text if d else None,
        "valid_from": d.start if d else None,
        "valid_to": d.end if d else None,
        "precision": d.precision if d else None,
        "qualifier": d.qualifier if d else None,
        "instant": draft.instant,
        "evidence": draft.evidence,
        "payload": canonical_json(draft.payload),
        "sources": canonical_json(list(draft.sources)),
        "recorded_at": recorded_at,
        "content_hash": draft.content_hash,
    }


#: Key of ``conn.info``: (transaction, the recorded time its appends share).
_RECORDED_AT = "factbase_recorded_at"


def append(
    conn: Connection, drafts: Iterable[EventDraft], *, now: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Append ``drafts`` to the log inside the caller's transaction, yielding each stored row.

    Every row gets the next ``seq``, the same ``recorded_at`` (the store's clock, UTC, never
    earlier than the log's last ``recorded_at`` so recorded time never runs backwards; every
    append of one transaction shares the first one's, so a load enters the log at one
    recorded time, as it commits: whole), and its place in the hash chain. Rows are inserted
    in batches of :data:`BATCH` as the caller consumes the iterator; the caller commits or
    rolls back the whole transaction.
    """
    lock_for_append(conn)
    seq, prev, last_recorded = head(conn)
    txn = conn.get_transaction()
    held = conn.info.get(_RECORDED_AT)
    if now is None and held is not None and held[0] is txn:
        recorded_at = held[1]
    else:
        recorded_at = now or datetime.now(UTC)
        if last_recorded is not None and recorded_at < last_recorded:
            recorded_at = last_recorded
        conn.info[_RECORDED_AT] = (txn, recorded_at)
    recorded_text = format_utc(recorded_at)  # every row shares it: format it once
    batch: list[dict[str, Any]] = []
    stored: list[tuple[Any, ...]] = []
    for draft in drafts:
        seq += 1
        row = draft_row(draft, seq, recorded_at)
        plain = _stored_form(row, recorded_text)
        row["prev_hash"] = plain["prev_hash"] = prev
        row["hash"] = plain["hash"] = prev = row_hash(prev, plain)
        batch.append(row)
        stored.append(tuple([plain[c] for c in _INSERT_COLUMNS]))
        if len(batch) >= BATCH:
            _insert(conn, batch, stored)
            yield from batch
            batch, stored = [], []
    if batch:
        _insert(conn, batch, stored)
        yield from batch


_INSERT_COLUMNS = tuple(c.name for c in events.columns)
_INSERT_SQL = (f"INSERT INTO events ({', '.join(_INSERT_COLUMNS)}) "
               f"VALUES ({', '.join('?' for _ in _INSERT_COLUMNS)})")


def _stored_form(row: dict[str, Any], recorded_text: str) -> dict[str, Any]:
    """``row`` with its dates and instants as SQLite stores them (and the chain hashes them:
    :func:`factbase.store.chain.row_hash` hashes a date as ISO text, an instant as
    :func:`format_utc` text)."""
    plain = dict(row)
    for key in ("valid_from", "valid_to"):
        if plain[key] is not None:
            plain[key] = plain[key].isoformat()
    if plain["instant"] is not None:
        plain["instant"] = format_utc(plain["instant"])
    plain["recorded_at"] = recorded_text
    return plain


def _insert(conn: Connection, rows: list[dict[str, Any]], stored: list[tuple[Any, ...]]
            ) -> None:
    """INSERT one batch of log rows: on SQLite the pre-formatted tuples in ``stored``,
    straight to the DBAPI's executemany; elsewhere ``rows`` through SQLAlchemy."""
    if conn.dialect.name == "sqlite":
        bulk.executemany(conn, _INSERT_SQL, stored)
    else:
        conn.execute(insert(events), rows)


def stored_event(draft: EventDraft, row: dict[str, Any]) -> Event:
    """The :class:`Event` that :func:`append` stored for ``draft`` as ``row`` — what
    :func:`to_event` would read back, built from the draft without decoding its JSON again."""
    return Event(seq=row["seq"], event_id=draft.event_id, type=draft.type, stream=draft.stream,
                 date=draft.date, instant=draft.instant, evidence=draft.evidence,
                 payload=draft.payload, sources=draft.sources, recorded_at=row["recorded_at"])


def to_event(row: RowMapping | dict[str, Any], *, check_hashes: bool = False) -> Event:
    """An :class:`Event` from a whole ``events`` row (a mapping, typed by SQLAlchemy or as
    stored). A malformed value raises :class:`factbase.store.rows.CorruptEvent` naming the
    event and the column; ``check_hashes`` also holds the row to its hashes."""
    return rows.decode(rows.as_mapping_row(row), check_hashes)


def select_events(
    *,
    streams: Sequence[str] | None = None,
    known_at: datetime | None = None,
    types: Sequence[str] | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Select[Any]:
    """The query for events, in log order, filtered by the arguments.

    ``known_at`` keeps events recorded at or before it (recorded time, inclusive).
    ``valid_from``/``valid_to`` keep events whose valid interval overlaps that closed range
    (undated registrations are kept only when neither bound is given).
    """
    q = select(events).order_by(events.c.seq)
    if streams is not None:
        q = q.where(events.c.stream.in_(list(streams)))
    if known_at is not None:
        q = q.where(events.c.recorded_at <= known_at)
    if types is not None:
        q = q.where(events.c.type.in_(list(types)))
    if valid_from is not None:
        q = q.where(events.c.valid_to >= valid_from)
    if valid_to is not None:
        q = q.where(events.c.valid_from <= valid_to)
    return q


def read_events(conn: Connection, query: Select[Any]) -> list[Event]:
    """Run a :func:`select_events` query and decode the rows, each checked against its
    hashes unless ``conn`` was opened with ``check_hashes=False``
    (:func:`factbase.store.rows.decode`). The rows are read as stored (no type processing),
    so a malformed value is named rather than raised from deep inside SQLAlchemy."""
    raw = query.with_only_columns(*rows.select_rows().selected_columns)
    return rows.decode_all(conn, conn.execute(raw))


def existing(conn: Connection, event_ids: Sequence[str]) -> dict[str, str]:
    """``event_id -> content_hash`` for those of ``event_ids`` already in the log."""
    found: dict[str, str] = {}
    ids = list(dict.fromkeys(event_ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        rows = conn.execute(
            select(events.c.event_id, events.c.content_hash).where(events.c.event_id.in_(chunk))
        )
        found.update({r.event_id: r.content_hash for r in rows})
    return found


def count(conn: Connection) -> int:
    """Number of events in the log."""
    return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def verify_chain(conn: Connection, anchor: tuple[int, str] | None = None) -> ChainReport:
    """Walk the whole log in ``seq`` order, streaming, and check the hash chain, each row's
    content hash (:func:`factbase.store.rows.content_hash`), and the ``anchor`` (see
    :func:`factbase.store.chain.check_chain`).

    On SQLite the query builds each row's preimage (:func:`factbase.store.chain.
    fast_check_sqlite`) and only a doubt falls back to the exact walk over decoded rows,
    which names the first bad row; other databases take the exact walk."""
    if conn.dialect.name == "sqlite":
        fast = _fast_chain(conn, anchor)
        if fast is not None:
            return fast
        # The exact walk reads the stored text (SQLAlchemy would parse dates and instants,
        # and a malformed one would raise before the walk could name its row).
        cursor = conn.connection.cursor()
        try:
            cursor.execute(rows.SQLITE_SELECT + " ORDER BY seq")
            return check_chain(_mappings(cursor), anchor, explain=_explain,
                               content=_content_matches)
        finally:
            cursor.close()
    result = conn.execute(rows.select_rows().order_by(events.c.seq)
                          .execution_options(yield_per=5_000))
    return check_chain((dict(zip(rows.COLUMNS, r, strict=True)) for r in result), anchor,
                       explain=_explain, content=_content_matches)


def _mappings(cursor: Any) -> Iterator[dict[str, Any]]:
    while batch := cursor.fetchmany(5_000):
        for r in batch:
            yield dict(zip(rows.COLUMNS, r, strict=True))


def _content_matches(row: Mapping[str, Any]) -> bool:
    try:
        return bool(rows.content_hash(tuple(row[c] for c in rows.COLUMNS)) == row["content_hash"])
    except Exception:  # noqa: BLE001 - any value content_hash cannot read does not match
        return False


def _explain(row: Mapping[str, Any]) -> str | None:
    """What is malformed in a row that broke the chain, if anything (for the message)."""
    found = rows.problem(tuple(row[c] for c in rows.COLUMNS))
    return None if found is None else f"its {found[0]} is malformed: {found[1]}"


def _fast_chain(conn: Connection, anchor: tuple[int, str] | None) -> ChainReport | None:
    import sqlite3

    cursor = conn.connection.cursor()  # the raw DBAPI cursor, in the caller's transaction
    try:
        return fast_check_sqlite(cursor, anchor)
    except sqlite3.Error:  # e.g. json_quote refuses a BLOB written behind our back
        return None
    finally:
        cursor.close()


__all__ = [
    "Anchor", "append", "check_versions", "count", "existing", "head", "head_at", "read_events",
    "select_events", "stored_event", "stream_version", "to_event", "verify_chain",
]
