"""Projections: derived tables kept current on every append and rebuilt from the log.

Each projection row comes from one event by :func:`rows_for` — a pure function — so applying
events one by one as they are appended and rebuilding from the whole log give the same tables,
which :func:`check` proves (``factbase verify``). Tables: ``entities``, ``entity_names`` and
``sources`` (see :mod:`factbase.store.schema`).

``entity_names`` holds one row per (entity, name, look-up key): every key of
:func:`factbase.names.name_keys` goes in the ``folded`` column (the name's folded form among
them), so ``Yuhuai Wu``, ``Wu Yuhuai`` and ``wuyuhuai`` find the rows of ``吴宇怀`` through the
index on ``folded``. ``is_primary`` is 1 on every row of the display name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.engine import Connection

from factbase.dates import parse_date
from factbase.events import Event
from factbase.names import name_keys
from factbase.store.log import to_event
from factbase.store.schema import PROJECTION_TABLES, entities, entity_names, events

Rows = dict[str, list[dict[str, Any]]]


def rows_for(event: Event) -> Rows:
    """The projection rows ``event`` adds, by table name (empty for most event types)."""
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
        items = p.get("changes", [p]) if event.type == "reorg.announced" else [p]
        for item in items:
            kind = "unit" if "unit" in item and item.get("type", event.type) == "unit.created" \
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
                               "_keys": sorted(name_keys(name)) or [""]}
        if implicit:
            row["_implicit"] = True
        rows.append(row)
    return rows


_TABLES: dict[str, Table] = {t.name: t for t in PROJECTION_TABLES}


def apply(conn: Connection, batch: Iterable[Event]) -> None:
    """Add the projection rows of ``batch`` (events just appended, in seq order).

    An implicit entity (a unit or product named by the event that creates it) is added only
    when the id is not yet known; an explicit registration of an id that was implicit takes
    over its row (kind, display name). Rows are gathered per batch and written with one
    executemany per table; the rare take-overs are single UPDATEs.
    """
    pending: list[tuple[str, dict[str, Any]]] = []
    for event in batch:
        for table_name, rows in rows_for(event).items():
            pending += [(table_name, row) for row in rows]
    if not pending:
        return
    ids = sorted({row["entity_id"] for name, row in pending if name != "sources"})
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
            key = (row["entity_id"], row["name"])
            has_names = implicit and row["entity_id"] in named
            if key in names or has_names:
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
        if rows:
            conn.execute(insert(table), rows)
            rows.clear()


def rebuild(conn: Connection) -> int:
    """Empty every projection table and refill it from the whole log (in the caller's
    transaction). Returns the number of events replayed."""
    for table in reversed(PROJECTION_TABLES):
        conn.execute(delete(table))
    n = 0
    result = conn.execution_options(yield_per=5_000).execute(
        select(events).order_by(events.c.seq)
    )
    batch: list[Event] = []
    for row in result.mappings():
        batch.append(to_event(row))
        n += 1
        if len(batch) >= 2_000:
            apply(conn, batch)
            batch = []
    apply(conn, batch)
    return n


def snapshot(conn: Connection) -> dict[str, Counter[tuple[Any, ...]]]:
    """The contents of every projection table, as multisets of rows (for comparison)."""
    out: dict[str, Counter[tuple[Any, ...]]] = {}
    for table in PROJECTION_TABLES:
        cols = sorted(c.name for c in table.columns)
        rows = conn.execute(select(*[table.c[c] for c in cols]))
        out[table.name] = Counter(tuple(str(v) for v in r) for r in rows)
    return out


def check(conn: Connection) -> list[str]:
    """Compare every projection with a fresh rebuild, writing nothing to the database.

    The rebuild runs into a scratch SQLite file (the same :func:`apply` code, the log
    streamed in batches), so ``verify`` needs no write lock and never waits on or blocks a
    writer. Returns one line per table that differs (empty when all match).
    """
    import tempfile
    from pathlib import Path

    from sqlalchemy import create_engine

    before = snapshot(conn)
    with tempfile.TemporaryDirectory(prefix="factbase-verify-") as tmp:
        scratch = create_engine(f"sqlite:///{Path(tmp) / 'rebuild.db'}")
        try:
            with scratch.begin() as sc:
                PROJECTION_TABLES[0].metadata.create_all(sc, tables=list(PROJECTION_TABLES))
                result = conn.execution_options(yield_per=5_000).execute(
                    select(events).order_by(events.c.seq))
                batch: list[Event] = []
                for row in result.mappings():
                    batch.append(to_event(row))
                    if len(batch) >= 2_000:
                        apply(sc, batch)
                        batch = []
                apply(sc, batch)
                after = snapshot(sc)
        finally:
            scratch.dispose()
    problems = []
    for name, rows in before.items():
        if rows != after[name]:
            extra = sum((rows - after[name]).values())
            missing = sum((after[name] - rows).values())
            problems.append(f"projection '{name}' differs from a rebuild of the log "
                            f"({extra} unexpected row(s), {missing} missing); "
                            "run `factbase rebuild`")
    return problems
