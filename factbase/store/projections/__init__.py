"""Projections: derived tables kept current on every append and rebuilt from the log.

Each projection row comes from one event by :func:`rows_for` — a pure function — so applying
events one by one as they are appended and rebuilding from the whole log give the same tables,
which :func:`check` proves (``factbase verify --projections``; plain ``verify`` runs the cheap
:func:`check_consistency`). Tables: ``entities``, ``entity_names``, ``sources``,
``event_sources`` and the entity and source rows of ``search_docs`` (see
:mod:`factbase.store.schema`).

The interval tables (``memberships``, ``roles``, ``units``, ``metrics``) and the event rows of
``search_docs`` depend on a whole stream (corrections, retractions and merges apply to earlier
events), so they are recomputed per stream: :func:`on_append` notes the streams a batch touched,
and :func:`settle`, called once before the load's transaction commits, deletes those streams'
rows and inserts the fold's (:mod:`factbase.core.intervals`, over the effective events of
:func:`factbase.core.amend.effective_view`, exactly as :meth:`factbase.api.FactBase.org` replays
them). An ``entity.merged`` or ``entity.unmerged`` recomputes every stream.

The interval rows are versions in recorded time (``recorded_from``/``recorded_to``, SQL:2011
system time): settling a load folds each touched stream as known at the load's recorded time
and compares with the versions in force — a row still given stays, one no longer given is
closed there (and kept), a new one opens there (:func:`_advance`). A rebuild walks every
recorded time of each stream the same way (:func:`_history`), so both give the same rows, and
SQL with ``recorded_from <= T AND T < recorded_to`` answers what ``--known-at T`` replays.

``entity_names`` holds one row per (entity, name, look-up key): every key of
:func:`factbase.core.names.name_keys` goes in the ``folded`` column (the name's folded form among
them), so ``Yuhuai Wu``, ``Wu Yuhuai`` and ``wuyuhuai`` find the rows of ``吴宇怀`` through the
index on ``folded``. ``is_primary`` is 1 on every row of the display name.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Table,
    column,
    create_engine,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy import table as table_clause
from sqlalchemy.engine import Connection

from factbase.core import intervals
from factbase.core.amend import effective_view, identities
from factbase.core.dates import parse_date
from factbase.core.events import AMEND_TYPES, IDENTITY_TYPES, Event
from factbase.core.names import fold, han_as_written, name_keys, skeleton
from factbase.core.replay import expand_changes
from factbase.store import bulk, redact
from factbase.store import rows as stored_rows
from factbase.store.log import read_events, select_events
from factbase.store.schema import (
    FTS_TABLE,
    INTERVAL_TABLES,
    OPEN_RECORDED,
    PROJECTION_TABLES,
    UTCDateTime,
    entities,
    entity_names,
    events,
    format_utc,
    has_fts,
    search_docs,
)

#: SQLite's external-content FTS5 index over ``search_docs.folded`` (no model describes it).
_fts = table_clause(FTS_TABLE, column(FTS_TABLE), column("rowid"), column("folded"))

Rows = dict[str, list[dict[str, Any]]]


def rows_for(event: Event) -> Rows:
    """The projection rows ``event`` adds by itself, by table name: its ``event_sources``
    rows, and for registrations, names and sources their ``entities``, ``entity_names``,
    ``sources`` and ``search_docs`` rows. (The rows that depend on the whole stream come from
    :func:`settle`.)"""
    rows = _identity_rows(event)
    cites = _citations(event)
    if cites:
        rows["event_sources"] = [{"event_id": event.event_id, "source_id": src,
                                  "cited_as": how} for src, how in cites]
    docs = _name_docs(event, rows)
    if docs:
        rows["search_docs"] = docs
    return rows


def _citations(event: Event) -> list[tuple[str, str]]:
    """(source id, cited as) pairs: the event's sources, then its accounts' (once each)."""
    out = [(src, "event") for src in event.sources]
    accounts = list(event.payload.get("accounts", []))
    if event.type == "account.added":
        accounts.append(event.payload["account"])
    out += [(a["source"], "account") for a in accounts if a.get("source")]
    return list(dict.fromkeys(out))


def _doc(kind: str, ref: str, body: str, *, type_: str | None = None,
         stream: str | None = None, date: Any = None,
         sources: Iterable[str] = ()) -> dict[str, Any]:
    return {"kind": kind, "ref": ref, "stream": stream, "type": type_,
            "date_text": date.text if date else None,
            "valid_from": date.start if date else None, "valid_to": date.end if date else None,
            "sources": json.dumps(list(sources), ensure_ascii=False), "body": body,
            "folded": search_text(body)}


def search_text(body: str) -> str:
    """The ``folded`` column of a search document: :func:`fold_text` of ``body``, then the
    traditional Chinese of ``body`` as written (:func:`factbase.core.names.han_as_written`),
    so that tools which search without folding their query (Datasette, sqlite-utils) find
    吳宇懷 as well as 吴宇怀; ``factbase search`` folds its query and finds both anyway."""
    extra = han_as_written(body.replace("\x00", " "))
    return " ".join([fold_text(body), *extra])


def fold_text(text: str) -> str:
    """:func:`factbase.core.names.fold` of a search text — the one folding look-ups and redaction
    use too. A NUL becomes a space first: SQLite's LIKE and FTS5 read text as C strings and
    would see nothing past it."""
    return fold(text.replace("\x00", " "))


def _name_docs(event: Event, rows: Rows) -> list[dict[str, Any]]:
    """Search documents for the names an event gives (entities) and for a source's title."""
    p = event.payload
    if event.type == "source.registered":
        body = " · ".join(x for x in (p.get("title"), p.get("publisher")) if x)
        published = parse_date(p["published"]) if p.get("published") else None
        return [_doc("source", p["source"], body, date=published)] if body else []
    if not rows.get("entity_names"):
        return []
    kinds = {r["entity_id"]: r["kind"] for r in rows.get("entities", [])}
    names: dict[str, list[str]] = {}
    for r in rows.get("entity_names", []):
        names.setdefault(r["entity_id"], []).append(r["name"])
    return [_doc("entity", eid, " · ".join(ns), type_=kinds.get(eid) or (
        "unit" if event.type == "unit.renamed" else None)) for eid, ns in names.items()]


def _identity_rows(event: Event) -> Rows:
    p = event.payload
    if event.type == "entity.registered":
        names = [p["name"], *p.get("aliases", [])]
        return {
            "entities": [{"entity_id": p["entity"], "kind": p["kind"], "name": p["name"],
                          "note": p.get("note"), "seq": event.seq}],
            "entity_names": _name_rows(p["entity"], names, event.seq, primary=p["name"]),
        }
    if event.type in ("unit.created", "product.announced", "product.launched") or (
        event.type == "reorg.announced"
    ):
        # Units and products may be brought into being by the events that create them.
        out: Rows = {"entities": [], "entity_names": []}
        items = [(t, body) for _, t, _, body, _ in expand_changes(event.type, event.date, p)] \
            if event.type == "reorg.announced" and event.date is not None else [(event.type, p)]
        for type_, item in items:
            kind = "unit" if "unit" in item and type_ == "unit.created" \
                else ("product" if "product" in item else None)
            if kind is None:
                continue
            eid = item["unit"] if kind == "unit" else item["product"]
            name = item.get("name") or eid
            out["entities"].append({"entity_id": eid, "kind": kind, "name": name,
                                    "note": None, "seq": event.seq, "_implicit": True})
            out["entity_names"] += _name_rows(eid, [name], event.seq, primary=name,
                                              implicit=True)
        return out
    if event.type == "unit.renamed":
        return {"entity_names": _name_rows(p["unit"], [p["name"]], event.seq, primary=None)}
    if event.type == "entity.aliased":
        return {"entity_names": _name_rows(p["entity"], p["aliases"], event.seq, primary=None)}
    if event.type == "source.registered":
        published = parse_date(p["published"]) if p.get("published") else None
        return {"sources": [{
            "source_id": p["source"], "url": p.get("url"), "title": p.get("title"),
            "publisher": p.get("publisher"),
            "published_text": published.text if published else None,
            "published_from": published.start if published else None,
            "published_to": published.end if published else None,
            "language": p.get("language"), "note": p.get("note"), "seq": event.seq,
        }]}
    return {}


def _name_rows(entity_id: str, names: list[str], seq: int, *, primary: str | None,
               implicit: bool = False) -> list[dict[str, Any]]:
    rows = []
    for name in dict.fromkeys(names):
        # One row per look-up key; the keys travel with the name until it is inserted.
        row: dict[str, Any] = {"entity_id": entity_id, "name": name,
                               "is_primary": int(name == primary), "seq": seq,
                               "skeleton": skeleton(name),
                               "_keys": sorted(name_keys(name)) or [""]}
        if implicit:
            row["_implicit"] = True
        rows.append(row)
    return rows


_TABLES: dict[str, Table] = {t.name: t for t in PROJECTION_TABLES}


def on_append(conn: Connection, batch: Iterable[Event],
          redactor: redact.Redactor | None = None, *, hold: bool = False) -> None:
    """Add the projection rows of ``batch`` (events just appended, in seq order).

    Rows are made from the events as outputs show them (:mod:`factbase.store.redact`:
    ``redactor``, default the standing redactions of ``conn``'s log); a redacted person keeps
    an ``entities`` row under their placeholder, but no names and no search document.

    ``hold`` (a load's appends): keep the events of streams the log did not hold before this
    transaction in hand, so :func:`settle` folds them without reading them back (at most
    :data:`HOLD_EVENTS` of them; beyond that the streams touched longest ago are folded and
    written early, and read back at :func:`settle` only if touched again).

    An implicit entity (a unit or product named by the event that creates it) is added only
    when the id is not yet known; an explicit registration of an id that was implicit takes
    over its row (kind, display name). Rows are gathered per batch and written with one
    executemany per table; the rare take-overs are single UPDATEs.
    """
    batch = list(batch)
    red = redactor if redactor is not None else redact.current(conn)
    # A replay (redactor given) remakes everything anyway; an append checks whether it changes
    # what redactions hide.
    _note_streams(conn, batch, red if redactor is None else None, hold)
    pending: list[tuple[str, dict[str, Any]]] = []
    for event in batch:
        shown = red.event(event)
        for table_name, rows in rows_for(shown).items():
            pending += [(table_name, row) for row in rows
                        if not (table_name in ("entity_names", "search_docs") and
                                row.get("entity_id", row.get("ref")) in red.real)]
        if shown is not event:
            pending.append(("redacted_events", redact.shown_row(shown)))
    if not pending:
        return
    ids = sorted({row["entity_id"] for name, row in pending
                  if name in ("entities", "entity_names")})
    known: dict[str, bool] = {}  # entity id -> registered (True) or implicit-only (False)
    names: dict[tuple[str, str], int] = {}  # (entity id, name) -> is_primary
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for r in conn.execute(select(entities.c.entity_id).where(
                entities.c.entity_id.in_(chunk))):
            known[r.entity_id] = True
        for r in conn.execute(select(entity_names.c.entity_id, entity_names.c.name,
                                     entity_names.c.is_primary)
                              .where(entity_names.c.entity_id.in_(chunk))):
            names[(r.entity_id, r.name)] = r.is_primary
    named = {k[0] for k in names}
    inserts: dict[str, list[dict[str, Any]]] = {t: [] for t in _TABLES}
    for table_name, row in pending:
        implicit = row.pop("_implicit", False)
        if table_name == "entities":
            if row["entity_id"] in known:
                if not implicit:
                    _flush(conn, inserts)
                    conn.execute(update(entities)
                                 .where(entities.c.entity_id == row["entity_id"])
                                 .values(**{k: v for k, v in row.items() if k != "entity_id"}))
                continue
            known[row["entity_id"]] = True
        elif table_name == "entity_names":
            if row["entity_id"] not in known:
                # A name for an entity the log does not hold yet (a rename or alias recorded
                # before the event that defines it): skipped, on append and rebuild alike.
                continue
            key = (row["entity_id"], row["name"])
            if implicit and row["entity_id"] in named:
                continue  # a name implied by a creating event never overrides given ones
            if key in names:
                if row["is_primary"] and not names.get(key):
                    _flush(conn, inserts)
                    _set_primary(conn, row["entity_id"], row["name"])
                    names = {k: (int(k[1] == row["name"]) if k[0] == row["entity_id"] else v)
                             for k, v in names.items()}
                continue
            if row["is_primary"] and row["entity_id"] in named:
                _flush(conn, inserts)
                _set_primary(conn, row["entity_id"], None)
                names = {k: (0 if k[0] == row["entity_id"] else v) for k, v in names.items()}
            names[key] = row["is_primary"]
            named.add(row["entity_id"])
            inserts[table_name] += [{**row, "folded": k} for k in row.pop("_keys")]
            continue
        inserts[table_name].append(row)
    _flush(conn, inserts)


def _set_primary(conn: Connection, entity_id: str, name: str | None) -> None:
    """Make ``name`` the entity's only primary name (None: clear every primary flag)."""
    conn.execute(update(entity_names).where(entity_names.c.entity_id == entity_id)
                 .values(is_primary=0))
    if name is not None:
        conn.execute(update(entity_names)
                     .where(entity_names.c.entity_id == entity_id,
                            entity_names.c.name == name)
                     .values(is_primary=1))


def _flush(conn: Connection, inserts: dict[str, list[dict[str, Any]]]) -> None:
    for table in PROJECTION_TABLES:  # parents first (foreign keys)
        rows = inserts[table.name]
        if rows and table is search_docs:
            _insert_docs(conn, rows)
        elif rows:
            _bulk_insert(conn, table, rows)
        rows.clear()


# --- search_docs and its full-text index ----------------------------------------------------
# On SQLite the FTS5 table ``search`` indexes search_docs.folded (external content). It is kept
# in step here, one INSERT … SELECT per batch, rather than by per-row triggers, which made bulk
# loads ten times slower. Other databases (and verify's scratch copy) have no such table.


def _insert_docs(conn: Connection, rows: list[dict[str, Any]]) -> None:
    fts = has_fts(conn)
    last = conn.execute(select(func.max(search_docs.c.id))).scalar() or 0 if fts else 0
    bulk.insert_rows(conn, search_docs, rows)
    if fts:  # rowids of new rows are above the old maximum (INTEGER PRIMARY KEY)
        conn.execute(insert(_fts).from_select(
            ["rowid", "folded"],
            select(search_docs.c.id, search_docs.c.folded).where(search_docs.c.id > last)))


def _delete_docs(conn: Connection, where: ColumnElement[bool] | None) -> None:
    """Delete search documents (``where`` None: all), and their full-text entries."""
    if has_fts(conn):
        if where is None:
            conn.execute(insert(_fts).values({FTS_TABLE: "delete-all"}))
        else:
            conn.execute(insert(_fts).from_select(
                [FTS_TABLE, "rowid", "folded"],
                select(literal("delete"), search_docs.c.id, search_docs.c.folded).where(where)))
    conn.execute(delete(search_docs) if where is None else delete(search_docs).where(where))


# --- the per-stream projections ------------------------------------------------------------

_PENDING = "factbase_projection_streams"


#: Most events :func:`on_append` holds in hand for :func:`settle` (about 1.5 kB each).
HOLD_EVENTS = 20_000


@dataclass
class _Pending:
    """Streams touched in one transaction (``full``: an identity decision touched them all).

    ``streams`` are read back from the log at :func:`settle`. ``held``: the events, by
    stream, of streams new in this transaction (the log held none of their events at
    ``base_seq``), in the order they were last touched; ``folded``: held streams already
    folded and written; ``checked``: streams looked up for being new. ``holding`` is False
    when the log holds identity decisions (folding a stream then needs the whole log).
    """

    transaction: Any
    streams: set[str] = field(default_factory=set)
    full: bool = False
    rebuild: bool = False  # a redaction changed: every projection is remade
    base_seq: int | None = None
    holding: bool = True
    held: dict[str, list[Event]] = field(default_factory=dict)
    held_count: int = 0
    folded: set[str] = field(default_factory=set)
    checked: set[str] = field(default_factory=set)
    #: The recorded times of this transaction's events (an add with amendments has two).
    times: set[datetime] = field(default_factory=set)


def _note_streams(conn: Connection, batch: list[Event],
                  red: redact.Redactor | None = None, hold: bool = False) -> None:
    """Remember, on the connection, which streams ``batch`` changes for :func:`settle`
    (and, with ``hold``, keep the events of new streams in hand, see :func:`on_append`)."""
    pending = conn.info.get(_PENDING)
    txn = conn.get_transaction()
    if pending is None or pending.transaction is not txn:  # left over from a rolled-back load
        pending = conn.info[_PENDING] = _Pending(txn)
    if red is not None and redact.changes_redactions(conn, batch, red):
        pending.rebuild = True
        redact.forget(conn)
    pending.times |= {e.recorded_at for e in batch}
    if pending.held_count > HOLD_EVENTS and not pending.rebuild:
        _fold_held(conn, pending, HOLD_EVENTS // 2)  # the rows of the batches before are in
    touched: list[Event] = []
    for event in batch:
        if event.type in IDENTITY_TYPES:
            pending.full = True
        elif event.date is not None or event.type in AMEND_TYPES:
            touched.append(event)
        elif event.type == "entity.registered" and event.stream in pending.folded:
            pending.streams.add(event.stream)  # folded before it was known as an organisation
        elif red is not None and event.type == "entity.registered" and \
                event.payload.get("kind") == "organization" and \
                _recorded_earlier(conn, event):  # (red: an append, not a replay)
            # Its events came in an earlier load, when it was not known as an organisation:
            # its versions from then on are remade, as a rebuild makes them.
            pending.rebuild = True
            redact.forget(conn)
    if pending.full or pending.rebuild:
        pending.held.clear()
        pending.held_count = 0
        return
    if hold and batch and pending.base_seq is None:
        pending.base_seq = batch[0].seq - 1
        pending.holding = conn.execute(select(events.c.seq).where(
            events.c.type.in_(sorted(IDENTITY_TYPES))).limit(1)).first() is None
    if not (hold and pending.holding):
        for event in touched:
            if event.stream in pending.held:
                pending.held_count -= len(pending.held.pop(event.stream))
            pending.streams.add(event.stream)
        return
    new = {e.stream for e in touched} - pending.checked - pending.streams
    pending.checked |= new
    for chunk in _chunks(sorted(new)):
        old = {r[0] for r in conn.execute(
            select(events.c.stream).distinct()
            .where(events.c.stream.in_(chunk), events.c.seq <= pending.base_seq))}
        pending.streams |= old
        pending.held.update((s, []) for s in chunk if s not in old)
    for event in touched:
        held = pending.held.pop(event.stream, None)
        if held is None:
            pending.streams.add(event.stream)
        else:
            held.append(event)
            pending.held[event.stream] = held  # last touched: to the end of the order
            pending.held_count += 1


def _recorded_earlier(conn: Connection, event: Event) -> bool:
    """Whether the log holds events of ``event``'s stream recorded before it."""
    return conn.execute(select(events.c.seq).where(
        events.c.stream == event.stream, events.c.recorded_at < event.recorded_at,
        events.c.valid_from.is_not(None)).limit(1)).first() is not None


def _fold_held(conn: Connection, pending: _Pending, keep: int) -> None:
    """Fold and write held streams, those touched longest ago first, until at most ``keep``
    events are held. A folded stream touched again is read back at :func:`settle`."""
    red = redact.current(conn)
    streams: list[tuple[str, list[Event]]] = []
    while pending.held_count > keep:
        stream = next(iter(pending.held))
        evs = pending.held.pop(stream)
        pending.held_count -= len(evs)
        pending.folded.add(stream)
        streams.append((stream, evs))
    for chunk in _chunks([s for s, _ in streams]):
        orgs = {r[0] for r in conn.execute(select(entities.c.entity_id).where(
            entities.c.kind == "organization", entities.c.entity_id.in_(chunk)))}
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for stream, evs in streams:
            if stream in chunk:  # a new stream: its versions from this transaction only
                _history(evs, [], red, orgs, out)
        _write_folds(conn, out)


def settle(conn: Connection) -> None:
    """Recompute the per-stream projections of every stream :func:`on_append` saw in this
    transaction (all of them after an identity decision). Call once, after the last
    :func:`on_append` of a load and before commit; a no-op when nothing is pending."""
    pending = conn.info.pop(_PENDING, None)
    if pending is None or pending.transaction is not conn.get_transaction():
        return
    if pending.rebuild:
        rebuild(conn)
        return
    if pending.full:
        refresh(conn, conn, None, pending.times)
        return
    if pending.held:
        _fold_held(conn, pending, 0)
    if pending.streams:
        refresh(conn, conn, pending.streams, pending.times)


def refresh(source: Connection, target: Connection, streams: Iterable[str] | None,
            times: Iterable[datetime] = ()) -> None:
    """Bring the interval rows and event search documents of ``streams`` (None: all) to the
    log as it stands, made from the effective events as outputs show them
    (:mod:`factbase.store.redact`).

    The interval rows are versions (``recorded_from``/``recorded_to``, SQL:2011 system time).
    ``times``: the recorded times of the transaction being settled (default: the log's last).
    The versions from its first time on are set aside, and the log is folded as known at each
    of them in turn (:func:`_history`): a row a fold still gives stays as it is, one it no
    longer gives closes then and is kept, a new one opens then. The search documents are
    replaced.

    Events are read from ``source``; rows are written to ``target``, and which streams are
    organisations is read from ``target``'s ``entities``. Merged streams are handled under
    the id they were merged into, like :meth:`factbase.api.FactBase.org` does: the rows of
    a stream merged away are closed.
    """
    idents = read_events(source, select_events(types=sorted(IDENTITY_TYPES)))
    identity = identities(idents)
    red = redact.load(source)
    at = sorted(times) or [source.execute(select(func.max(events.c.recorded_at))).scalar_one()]
    orgs = {r[0] for r in target.execute(
        select(entities.c.entity_id).where(entities.c.kind == "organization"))}
    if streams is None:
        _delete_docs(target, search_docs.c.kind == "event")
        streams = [r[0] for r in source.execute(select(events.c.stream).distinct())]
        wanted = sorted({identity.get(s, s) for s in streams})
        closing = set(_open_orgs(target, at[0]))
    else:
        streams = list(streams)
        wanted = sorted({identity.get(s, s) for s in streams})
        for chunk in _chunks(wanted):
            _delete_docs(target, (search_docs.c.kind == "event") & search_docs.c.stream.in_(chunk))
        closing = set(streams)
    gone = sorted(closing - set(wanted))
    for chunk in _chunks(gone):  # merged away: their versions close
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        _history(read_events(source, select_events(streams=chunk)), idents, red, orgs, out,
                 times=at, held=_reopen(target, chunk, at[0]), only=set(chunk))
        out.pop("search_docs", None)
        _write_folds(target, out)
    aliases: dict[str, list[str]] = defaultdict(list)
    for merged, into in identity.items():
        aliases[into].append(merged)
    for chunk in _chunks_by_events(source, wanted, aliases):
        read = [*chunk, *(a for c in chunk for a in aliases.get(c, []))]
        out = defaultdict(list)
        _history(read_events(source, select_events(streams=read)), idents, red, orgs, out,
                 times=at, held=_reopen(target, chunk, at[0]), only=set(chunk))
        _write_folds(target, out)


def _open_orgs(conn: Connection, since: datetime) -> list[str]:
    """Organisations with rows in force at recorded time ``since`` or later."""
    found: set[str] = set()
    for table in INTERVAL_TABLES:
        found |= {r[0] for r in conn.execute(select(table.c.org).distinct().where(
            table.c.recorded_to >= since))}
    return sorted(found)


def _reopen(conn: Connection, orgs: list[str],
            since: datetime) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Set aside the versions of ``orgs`` from recorded time ``since`` on: delete every row in
    force at ``since`` or later, and return (by org, then table name) those made before it,
    as in force again. :func:`_history` folds from there."""
    held: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(dict)
    for table in INTERVAL_TABLES:
        later = table.c.org.in_(orgs) & (table.c.recorded_to >= since)
        for r in _rows_where(conn, table, later):
            if r["recorded_from"] < since:
                held[r["org"]].setdefault(table.name, []).append(
                    {**r, "recorded_to": OPEN_RECORDED})
        conn.execute(delete(table).where(later))
    return held


def _rows_where(conn: Connection, table: Table, where: ColumnElement[bool]
                ) -> list[dict[str, Any]]:
    """The rows of ``table`` that match ``where``, as mappings of every column."""
    return [dict(r._mapping) for r in conn.execute(select(table).where(where))]


def _fold_stream(stream: str, evs: list[Event], identity: dict[str, str],
                 red: redact.Redactor, is_org: bool,
                 out: dict[str, list[dict[str, Any]]] | None
                 ) -> dict[str, list[dict[str, Any]]]:
    """Add to ``out`` (None: nowhere) the event search documents of ``stream`` (all its
    events ``evs``, in seq order, as outputs show them: ``red``) and return, for an
    organisation, its interval rows by table name (without recorded time; empty lists
    otherwise)."""
    effective = red.events(effective_view(evs, identity=identity).events)
    if out is not None:
        out["search_docs"] += [d for ev in effective if (d := _event_doc(ev)) is not None]
    rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in INTERVAL_TABLES}
    if is_org:
        _interval_rows(intervals.intervals_of(stream, effective), rows)
    return rows


def _write_folds(target: Connection, out: dict[str, list[dict[str, Any]]]) -> None:
    for table in INTERVAL_TABLES:
        if out[table.name]:  # rows read back and rows folded: every column, in one shape
            bulk.insert_rows(target, table, [{c.name: r.get(c.name) for c in table.columns}
                                             for r in out[table.name]])
    if out["search_docs"]:
        _insert_docs(target, out["search_docs"])


def _interval_rows(found: intervals.Intervals, out: dict[str, list[dict[str, Any]]]) -> None:
    for table_name, items in (("memberships", found.memberships), ("roles", found.roles),
                              ("units", found.units), ("metrics", found.metrics)):
        for item in items:
            row = intervals.as_row(item)
            row["org"] = found.org
            if table_name == "metrics":
                row["sources"] = json.dumps(row["sources"], ensure_ascii=False)
            out[table_name].append(row)


# --- recorded time: row versions ------------------------------------------------------------
# Each interval row is one version of what the log said, in force over the recorded time
# [recorded_from, recorded_to). Versions advance by comparing the rows in force with a new
# fold, row by row (as multisets of every other column): the same rule for a load settled now
# (:func:`refresh`) and for a rebuild walking the log's recorded times (:func:`_history`), so
# both give the same rows.

_RECORDED = ("recorded_from", "recorded_to")


def _version_key(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    """Every column but recorded time, as Python values: a row read back and a row folded
    compare equal (a figure read back as 5.0 equals 5, and hashes alike)."""
    return tuple(map(row.get, _KEY_COLUMNS[table.name]))


_KEY_COLUMNS = {t.name: [c.name for c in t.columns if c.name not in _RECORDED]
                for t in INTERVAL_TABLES}


def _advance(table: Table, held: list[dict[str, Any]], new: list[dict[str, Any]],
             at: datetime, keys: dict[int, tuple[Any, ...]] | None = None
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The versions of one organisation's rows of ``table`` once the log says ``new`` (rows
    without recorded time) at recorded time ``at``, ``held`` being the versions in force:
    ``(closed, in_force)``. A held row ``new`` still has stays as it is; the others close at
    ``at`` (dropped if they opened at ``at``: no one ever saw them); the rest of ``new``
    open at ``at``. ``keys``: the comparison keys of the rows in force, by ``id``, kept
    across calls (:func:`_history` advances one organisation many times)."""
    keys = {} if keys is None else keys
    pool: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in held:
        key = keys.get(id(row))
        pool[key if key is not None else _version_key(table, row)].append(row)
    in_force = []
    for row in new:
        key = _version_key(table, row)
        kept = pool.get(key)
        if kept:
            in_force.append(kept.pop())
        else:
            version = {**row, "recorded_from": at, "recorded_to": OPEN_RECORDED}
            keys[id(version)] = key
            in_force.append(version)
    closed = []
    for rows in pool.values():
        for row in rows:
            keys.pop(id(row), None)  # its id may be reused once it is gone
            if row["recorded_from"] < at:
                closed.append({**row, "recorded_to": at})
    return closed, in_force


def _history(evs: list[Event], idents: list[Event], red: redact.Redactor, orgs: set[str],
             out: dict[str, list[dict[str, Any]]], *, times: Iterable[datetime] = (),
             held: dict[str, dict[str, list[dict[str, Any]]]] | None = None,
             only: set[str] | None = None) -> None:
    """Add to ``out`` the versions of the interval rows of the streams of ``evs`` (all their
    events, in seq order) and the event search documents of the log as it stands.
    ``idents``: every identity decision.

    The log is folded as known at each recorded time (``times``; default: every time its
    events and ``idents`` have — a load shares one), exactly as
    :meth:`factbase.api.FactBase.org` reads it with ``known_at``: events and identity
    decisions recorded by then, merged streams under one id. ``held``: the versions in force
    before the first time (by org, then table name). ``only``: the organisations to write
    (None: all those ``evs`` give)."""
    steps = sorted(times) or sorted({e.recorded_at for e in evs} |
                                    {e.recorded_at for e in idents})
    held = dict(held or {})
    keys: dict[str, dict[int, tuple[Any, ...]]] = defaultdict(dict)  # by table name
    for i, at in enumerate(steps):
        identity = identities([e for e in idents if e.recorded_at <= at])
        grouped: dict[str, list[Event]] = defaultdict(list)
        for ev in evs:
            if ev.recorded_at > at:
                break
            grouped[identity.get(ev.stream, ev.stream)].append(ev)
        # Search documents are of the log as it stands: made at the last step only.
        docs: dict[str, list[dict[str, Any]]] | None = \
            defaultdict(list) if i == len(steps) - 1 else None
        for org in sorted(set(grouped) | set(held)):
            if only is not None and org not in only:
                continue
            folds = _fold_stream(org, grouped[org], identity, red, org in orgs, docs) \
                if grouped.get(org) else {}
            versions = held.setdefault(org, {})
            for table in INTERVAL_TABLES:
                closed, versions[table.name] = _advance(
                    table, versions.get(table.name, []), folds.get(table.name, []), at,
                    keys[table.name])
                out[table.name] += closed
        if docs is not None:
            out["search_docs"] += docs["search_docs"]
    for versions in held.values():
        for name, rows in versions.items():
            out[name] += rows


def _event_doc(ev: Event) -> dict[str, Any] | None:
    """The search document of a dated event: its summary, note, accounts and other text."""
    if ev.date is None:
        return None
    p = ev.payload
    parts: list[str] = [p["summary"]] if isinstance(p.get("summary"), str) else []
    for key in ("name", "title", "stage"):
        if isinstance(p.get(key), str):
            parts.append(p[key])
    if ev.type == "metric.reported":
        parts.append(f"{p['metric'].replace('_', ' ')}: {p['value']} {p['unit']}")
    parts += [t for t in p.get("topics", []) if isinstance(t, str)]
    for change in p.get("changes", []):
        parts += [change[k] for k in ("name", "title") if isinstance(change.get(k), str)]
    if ev.note:
        parts.append(ev.note)
    accounts = p.get("accounts", [])
    parts += [f"{a['by']}: {a['says']}" for a in accounts if a.get("says")]
    if not parts:
        return None
    cited = dict.fromkeys([*ev.sources, *(a["source"] for a in accounts if a.get("source"))])
    return _doc("event", ev.event_id, " · ".join(parts), type_=ev.type, stream=ev.stream,
                date=ev.date, sources=cited)


#: Most events :func:`refresh` holds at once (with their folds' rows): bounds its memory.
REFRESH_EVENTS = 5_000


def _chunks_by_events(source: Connection, wanted: list[str], aliases: dict[str, list[str]],
                      limit: int = REFRESH_EVENTS) -> Iterator[list[str]]:
    """``wanted`` streams in order, in chunks of at most ``limit`` events (counting the
    streams merged into each; a larger stream is a chunk by itself)."""
    counts: dict[str, int] = {}
    for chunk in _chunks([*wanted, *(a for w in wanted for a in aliases.get(w, []))]):
        counts.update((r[0], int(r[1])) for r in source.execute(
            select(events.c.stream, func.count()).where(events.c.stream.in_(chunk))
            .group_by(events.c.stream)))
    out: list[str] = []
    size = 0
    for stream in wanted:
        n = counts.get(stream, 0) + sum(counts.get(a, 0) for a in aliases.get(stream, []))
        if out and size + n > limit:
            yield out
            out, size = [], 0
        out.append(stream)
        size += n
    if out:
        yield out


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _replay_log(source: Connection, target: Connection,
                later: list[Any] | None = None) -> int:
    """Fill ``target``'s (empty) projections from every event of ``source``'s log: the
    per-event rows through :func:`on_append`, in batches in log order, then the per-stream rows
    (:func:`_refresh_all`). The secondary indexes the fill does not read are dropped first
    (``later``: already dropped by the caller) and created again at the end: one sort per
    index instead of a B-tree insert per row."""
    n = 0
    later = _drop_bulk_indexes(target) if later is None else later
    # yield_per on the statement, not the connection: a connection-wide option would make
    # PostgreSQL's later executemany (the projection inserts) use a server-side cursor.
    result = source.execute(select(*_EVENT_COLUMNS).order_by(events.c.seq)
                            .execution_options(yield_per=5_000))
    batch: list[Event] = []
    red = redact.load(source)
    for row in result:
        batch.append(_event(row))
        n += 1
        if len(batch) >= 5_000:
            on_append(target, batch, red)
            batch = []
    on_append(target, batch, red)
    target.info.pop(_PENDING, None)
    _refresh_all(source, target)
    for index in later:
        index.create(target)
    return n


#: The indexes a rebuild does not read while it fills the tables (the fill reads
#: ``entities`` by key and ``entity_names`` by entity only).
_BULK_INDEXES = ("ix_entity_names_folded", "ix_memberships_org_valid_from_end",
                 "ix_memberships_person", "ix_roles_org_role", "ix_roles_person",
                 "ix_units_org_unit", "ix_metrics_org_subject_metric",
                 "ix_event_sources_event_id", "ix_event_sources_source_id",
                 "ix_search_docs_kind_stream", "ix_search_docs_ref")


def _drop_bulk_indexes(conn: Connection) -> list[Any]:
    """Drop :data:`_BULK_INDEXES` (inside the caller's transaction) and return them."""
    dropped = []
    for table in PROJECTION_TABLES:
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            if index.name in _BULK_INDEXES:
                index.drop(conn, checkfirst=True)
                dropped.append(index)
    return dropped


#: Every column of the log, as stored (:func:`factbase.store.rows.select_rows`).
_EVENT_COLUMNS = list(stored_rows.select_rows().selected_columns)
_STREAM = stored_rows.COLUMNS.index("stream")


def _event(row: Any) -> Event:
    """An :class:`Event` from a row of :data:`_EVENT_COLUMNS`, through the one decoder of
    stored events (:func:`factbase.store.rows.decode`: upcast to the current vocabulary, a
    malformed value named). Hashes are ``verify``'s business here, not the rebuild's."""
    return stored_rows.decode(row, check_hashes=False)


def _refresh_all(source: Connection, target: Connection) -> None:
    """Every version of the interval rows (:func:`_history`) and the event search documents
    of every stream, into empty tables, reading the log once in stream order (the ``(stream,
    valid_from)`` index) instead of 500 streams at a time, and inserting in large batches.
    The streams any identity decision names are folded together at the end."""
    idents = read_events(source, select_events(types=sorted(IDENTITY_TYPES)))
    merged = {e.payload[k] for e in idents for k in ("entity", "into")}
    red = redact.load(source)
    orgs = {r[0] for r in target.execute(
        select(entities.c.entity_id).where(entities.c.kind == "organization"))}
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    pending = 0
    fts = has_fts(target)
    last_doc = target.execute(select(func.max(search_docs.c.id))).scalar() or 0 if fts else 0

    def flush() -> None:
        for table in (*INTERVAL_TABLES, search_docs):
            if out[table.name]:
                _bulk_insert(target, table, out[table.name])
        out.clear()

    def fold_stream(stream: str, evs: list[Event]) -> int:
        evs.sort(key=lambda e: e.seq)
        before = sum(len(out[t.name]) for t in (*INTERVAL_TABLES, search_docs))
        _history(evs, idents, red, orgs, out)
        return sum(len(out[t.name]) for t in (*INTERVAL_TABLES, search_docs)) - before

    result = source.execute(select(*_EVENT_COLUMNS)
                            .order_by(events.c.stream, events.c.valid_from)
                            .execution_options(yield_per=5_000))
    current: str | None = None
    group: list[Event] = []
    for row in result:
        stream = row[_STREAM]
        if stream != current:
            if current is not None and current not in merged:
                pending += fold_stream(current, group)
                if pending >= 20_000:
                    flush()
                    pending = 0
            current, group = stream, []
        if stream not in merged:
            group.append(_event(row))
    if current is not None and current not in merged:
        fold_stream(current, group)
    if merged:
        fold_stream("", read_events(source, select_events(streams=sorted(merged))))
    flush()
    if fts:  # index the event documents in one pass, after the first ``last_doc``
        target.execute(insert(_fts).from_select(
            ["rowid", "folded"],
            select(search_docs.c.id, search_docs.c.folded).where(search_docs.c.id > last_doc)))


def _bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (mappings with the same keys) into ``table`` with one executemany. On
    SQLite through the driver (dates as ISO text, as SQLAlchemy's ``Date`` stores them):
    SQLAlchemy's per-row parameter processing costs more than SQLite's insert."""
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    names = list(rows[0])
    dates = [i for i, c in enumerate(names) if isinstance(table.c[c].type, Date)]
    instants = [i for i, c in enumerate(names) if isinstance(table.c[c].type, UTCDateTime)]
    values = []
    for row in rows:
        v = [row[c] for c in names]
        for i in dates:
            if v[i] is not None:
                v[i] = v[i].isoformat()
        for i in instants:
            if v[i] is not None:
                v[i] = format_utc(v[i])
        values.append(tuple(v))
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(names)}) "
                         f"VALUES ({', '.join('?' * len(names))})", values)


def rebuild(conn: Connection) -> int:
    """Empty every projection table and refill it from the whole log (in the caller's
    transaction). Returns the number of events replayed."""
    later = _drop_bulk_indexes(conn)
    for table in reversed(PROJECTION_TABLES):
        if table is search_docs:
            _delete_docs(conn, None)
        else:
            conn.execute(delete(table))
    return _replay_log(conn, conn, later)


def contents(conn: Connection) -> dict[str, Counter[tuple[Any, ...]]]:
    """The contents of every projection table, as multisets of rows (for comparison; row ids
    that differ between rebuilds are left out). Holds every row in memory: :func:`check`
    compares in SQL instead where it can."""
    out: dict[str, Counter[tuple[Any, ...]]] = {}
    for table in PROJECTION_TABLES:
        rows = conn.execute(select(*[table.c[c] for c in _compared_columns(table)]))
        out[table.name] = Counter(tuple(_comparable(v) for v in r) for r in rows)
    return out


def _compared_columns(table: Table) -> list[str]:
    return sorted(c.name for c in table.columns if c.info.get("compared", True))


def _comparable(value: Any) -> str:
    """A value as text, alike on every database (verify compares with a SQLite rebuild: a
    figure may come back as 1000000000.0 from PostgreSQL and 1000000000 from SQLite)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _differs(name: str, extra: int, missing: int) -> str:
    return (f"projection '{name}' differs from a rebuild of the log ({extra} unexpected "
            f"row(s), {missing} missing); run `factbase rebuild`")


def _json_text(conn: Connection, doc: Any, key: str) -> ColumnElement[Any]:
    """The text of field ``key`` of the JSON object in column ``doc`` (NULL when absent)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy import cast
        from sqlalchemy.dialects.postgresql import JSONB

        field_text: ColumnElement[Any] = cast(doc, JSONB)[key].astext
        return field_text
    return func.json_extract(doc, f"$.{key}")


def check_consistency(conn: Connection) -> list[str]:
    """Cheap checks of the projections against the log, in a few set-wise SQL queries (no
    rebuild, nothing held in memory): every ``entities`` row of a registered entity and every
    ``sources`` row agrees with the event that registered it (id, kind, name, note; url,
    title, publisher, language, note) and no registration lacks its row; every entity has a
    name in ``entity_names``, and no name belongs to an unknown entity. While a redaction
    stands (:mod:`factbase.store.redact`) the projections show placeholders the log does not hold,
    and only the last check is made. What only a rebuild shows (a look-up key, an interval or
    a search document gone astray) is left to :func:`check`. Returns one line per table
    found inconsistent (empty when none is)."""
    v, e, n, s = events.alias("v"), entities.alias("e"), entity_names.alias("n"), \
        _TABLES["sources"].alias("s")
    problems = []

    def j(key: str) -> ColumnElement[Any]:
        return _json_text(conn, v.c.payload, key)

    def found(name: str, bad: int, what: str) -> None:
        if bad:
            problems.append(f"projection '{name}' disagrees with the log ({bad} {what}); "
                            "run `factbase rebuild`")

    stray = conn.execute(select(func.count()).select_from(n).where(
        ~select(e.c.entity_id).where(e.c.entity_id == n.c.entity_id).exists())).scalar_one()
    if redact.load(conn):
        # Redacted people (and what names them) are projected under placeholders, unlike
        # the log's registrations: only a full comparison (verify --projections) can tell.
        found("entity_names", stray, "names of unknown entities")
        return problems
    registered = v.c.type == "entity.registered"
    unlike = conn.execute(select(func.count()).select_from(e.outerjoin(v, v.c.seq == e.c.seq))
                          .where(v.c.seq.is_(None)
                                 | registered & (j("entity").is_distinct_from(e.c.entity_id)
                                                 | j("kind").is_distinct_from(e.c.kind)
                                                 | j("name").is_distinct_from(e.c.name)
                                                 | j("note").is_distinct_from(e.c.note)))
                          ).scalar_one()
    missing = conn.execute(select(func.count()).select_from(v).where(
        registered, ~select(e.c.entity_id).where(e.c.entity_id == j("entity")).exists())
    ).scalar_one()
    found("entities", unlike + missing, "row(s) unlike or missing for the events that "
          "registered them")

    registered = v.c.type == "source.registered"
    unlike = conn.execute(select(func.count()).select_from(s.outerjoin(v, v.c.seq == s.c.seq))
                          .where((v.c.seq.is_(None)) | (v.c.type != "source.registered")
                                 | j("source").is_distinct_from(s.c.source_id)
                                 | j("url").is_distinct_from(s.c.url)
                                 | j("title").is_distinct_from(s.c.title)
                                 | j("publisher").is_distinct_from(s.c.publisher)
                                 | j("language").is_distinct_from(s.c.language)
                                 | j("note").is_distinct_from(s.c.note))).scalar_one()
    missing = conn.execute(select(func.count()).select_from(v).where(
        registered, ~select(s.c.source_id).where(s.c.source_id == j("source")).exists())
    ).scalar_one()
    found("sources", unlike + missing, "row(s) unlike or missing for the events that "
          "registered them")

    unnamed = conn.execute(select(func.count()).select_from(e).where(
        ~select(n.c.entity_id).where(n.c.entity_id == e.c.entity_id).exists())).scalar_one()
    found("entity_names", unnamed + stray, "entities without a name, or names of unknown "
          "entities")
    return problems


@contextmanager
def scratch_attached(conn: Connection) -> Iterator[Path | None]:
    """A scratch SQLite file for :func:`check`, attached to ``conn`` as ``factbase_rebuild``
    (SQLite only; yields None on other databases). Enter it *before* ``conn``'s transaction
    begins: SQLite refuses to DETACH a database a still-open transaction has read."""
    if conn.dialect.name != "sqlite":
        yield None
        return
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    with tempfile.TemporaryDirectory(prefix="factbase-verify-") as tmp:
        path = Path(tmp) / "rebuild.db"
        dbapi.execute(f"ATTACH DATABASE ? AS {_SCRATCH}", (str(path),))
        try:
            yield path
        finally:
            dbapi.execute(f"DETACH DATABASE {_SCRATCH}")


def check(conn: Connection, scratch: Path | None = None) -> list[str]:
    """Compare every projection with a fresh rebuild, writing nothing to the database.

    The rebuild runs into a scratch SQLite file (the same code as :func:`rebuild`, the log
    streamed), so ``verify --projections`` needs no write lock and never waits on or blocks a
    writer. With ``scratch`` (the file :func:`scratch_attached` attached to ``conn``; SQLite)
    each table is compared in SQL, as multisets, in ``conn``'s snapshot: memory stays bounded
    whatever the size of the log. Without it (other databases) both sides are read into
    memory (:func:`contents`). Returns one line per table that differs (empty when all match).
    """
    with tempfile.TemporaryDirectory(prefix="factbase-verify-") as tmp:
        scratch_engine = create_engine(f"sqlite:///{scratch or Path(tmp) / 'rebuild.db'}")
        try:
            with scratch_engine.begin() as sc:
                PROJECTION_TABLES[0].metadata.create_all(sc, tables=list(PROJECTION_TABLES))
                _replay_log(conn, sc)
                after = None if scratch is not None else contents(sc)
        finally:
            scratch_engine.dispose()
    if after is None:
        return _compare_attached(conn)
    before = contents(conn)
    problems = []
    for name, rows in before.items():
        if rows != after[name]:
            problems.append(_differs(name, sum((rows - after[name]).values()),
                                     sum((after[name] - rows).values())))
    return problems


_SCRATCH = "factbase_rebuild"


def _compare_attached(conn: Connection) -> list[str]:
    """SQLite: compare each projection with the rebuild attached as ``factbase_rebuild``.
    Rows count +1 in the live table and -1 in the rebuild, grouped by every compared column,
    so duplicates count as they would in a multiset."""
    problems = []
    for table in PROJECTION_TABLES:
        cols = ", ".join(f'"{c}"' for c in _compared_columns(table))
        extra, missing = conn.exec_driver_sql(
            "SELECT coalesce(sum(CASE WHEN d > 0 THEN d END), 0), "
            "coalesce(sum(CASE WHEN d < 0 THEN -d END), 0) FROM ("
            f"SELECT sum(n) AS d FROM (SELECT {cols}, 1 AS n FROM main.{table.name} "
            f"UNION ALL SELECT {cols}, -1 AS n FROM {_SCRATCH}.{table.name}) "
            f"GROUP BY {cols})").one()
        if extra or missing:
            problems.append(_differs(table.name, int(extra), int(missing)))
    return problems
