"""Baselines for benchmarks/run.py: the same rows, without factbase's layers.

Every baseline reads its input from the factbase database the run just loaded, so all of them
work on exactly the rows factbase stored. Reading that input is *not* timed where the baseline
stands for writing (a, d); it is timed where reading is the work (b, c).

(a) :func:`raw_append` — ``sqlite3`` executemany of the same ``events`` rows (same table DDL,
    copied from the factbase database; the payload and sources JSON-encoded from dicts, as
    factbase does) with the hash chain computed by :func:`factbase.store.chain.row_hash`, in one
    transaction, 2,000 rows per executemany, with factbase's PRAGMAs (WAL, synchronous=NORMAL).
    Its head hash must equal factbase's: the same work, byte for byte.
(b) :func:`raw_build_intervals` — interval tables (memberships, roles, units) built from the
    log with raw sqlite3, json decode and a simple per-org fold; :data:`RAW_INTERVAL_SQL` is the
    indexed "members of org X on day D" query over it. :func:`raw_build_projections` builds
    factbase's current projections (entities, entity_names, sources) the raw way, reusing
    :func:`factbase.core.names.name_keys` and :func:`factbase.core.dates.parse_date` for
    identical work.
(c) :func:`time_raw_replay` — per-org replay: raw sqlite3 query of one stream, json decode and
    a simple fold (units, members, roles, departures, metrics, happenings; uncertain events
    listed, not applied) at an as-of day.
(d) :func:`eventsourcing_append` — the ``eventsourcing`` library (installed only for the
    benchmark; SQLite persistence module): one aggregate per stream (organisation), each event
    triggered on it, saved in bulk (one ``app.save(*aggregates)`` per 50,000 events), and one
    aggregate reconstructed by ``repository.get``.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from factbase.core.events import canonical_json
from factbase.store.chain import GENESIS, row_hash
from factbase.store.schema import format_utc, parse_utc

CHUNK = 50_000


class Stopwatch:
    """Accumulates wall time and this process's CPU time over the timed stretches (CPU time
    is what the ratios use: other processes on a shared machine inflate wall time)."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0
        self._t: tuple[float, float] | None = None

    def start(self) -> None:
        self._t = (time.perf_counter(), time.process_time())

    def stop(self) -> None:
        assert self._t is not None
        self.wall += time.perf_counter() - self._t[0]
        self.cpu += time.process_time() - self._t[1]
        self._t = None

    def result(self, **extra: Any) -> dict[str, Any]:
        return {"s": self.wall, "cpu": self.cpu, **extra}


def timed_call(fn: Any, *args: Any) -> tuple[tuple[float, float], Any]:
    """((wall seconds, CPU seconds), result) of one call."""
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args)
    return (time.perf_counter() - w, time.process_time() - c), out
COLUMNS = ("seq", "event_id", "type", "schema_version", "stream", "date_text", "valid_from",
           "valid_to", "precision", "qualifier", "instant", "evidence", "payload", "sources",
           "recorded_at", "content_hash")


def _ro(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def _fresh(db: Path) -> sqlite3.Connection:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    con = sqlite3.connect(str(db), isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    return con


def _ddl(src: sqlite3.Connection, tables: Sequence[str]) -> list[str]:
    """CREATE statements of ``tables`` and their indexes, as the factbase database has them."""
    marks = ",".join("?" * len(tables))
    return [r[0] for r in src.execute(
        f"SELECT sql FROM sqlite_master WHERE tbl_name IN ({marks}) AND sql IS NOT NULL "
        "AND type IN ('table', 'index') ORDER BY type = 'index', name", tuple(tables))]


def _chunks(src: sqlite3.Connection, sql: str, size: int = CHUNK,
            params: Sequence[Any] = ()) -> Iterator[list[Any]]:
    cur = src.execute(sql, tuple(params))
    while True:
        rows = cur.fetchmany(size)
        if not rows:
            return
        yield rows


def _as_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text is not None else None


# --- (a) raw executemany with the hash chain ------------------------------------------------


def raw_append(fb_db: Path, out_db: Path) -> dict[str, Any]:
    """Append the factbase log's rows to a fresh copy of the ``events`` table, raw."""
    src = _ro(fb_db)
    dst = _fresh(out_db)
    for stmt in _ddl(src, ["events"]):
        dst.execute(stmt)
    insert = f"INSERT INTO events ({', '.join(COLUMNS)}, prev_hash, hash) VALUES " \
             f"({', '.join('?' * (len(COLUMNS) + 2))})"
    prev = GENESIS
    sw = Stopwatch()
    n = 0
    dst.execute("BEGIN IMMEDIATE")
    for chunk in _chunks(src, f"SELECT {', '.join(COLUMNS)} FROM events ORDER BY seq"):
        # Untimed: turn stored rows back into what factbase has in hand before it appends
        # (payload and sources as Python values, dates and instants as objects).
        ready = []
        for r in chunk:
            row = dict(zip(COLUMNS, r, strict=True))
            row["payload"] = json.loads(row["payload"])
            row["sources"] = json.loads(row["sources"])
            row["valid_from"] = _as_date(row["valid_from"])
            row["valid_to"] = _as_date(row["valid_to"])
            row["instant"] = parse_utc(row["instant"]) if row["instant"] else None
            row["recorded_at"] = parse_utc(row["recorded_at"])
            ready.append(row)
        sw.start()
        batch: list[tuple[Any, ...]] = []
        for row in ready:
            row["payload"] = canonical_json(row["payload"])
            row["sources"] = canonical_json(row["sources"])
            h = row_hash(prev, row)
            vf, vt, inst = row["valid_from"], row["valid_to"], row["instant"]
            batch.append((row["seq"], row["event_id"], row["type"], row["schema_version"],
                          row["stream"], row["date_text"],
                          vf.isoformat() if vf else None, vt.isoformat() if vt else None,
                          row["precision"], row["qualifier"],
                          format_utc(inst) if inst else None, row["evidence"],
                          row["payload"], row["sources"], format_utc(row["recorded_at"]),
                          row["content_hash"], prev, h))
            prev = h
            if len(batch) >= 2_000:
                dst.executemany(insert, batch)
                batch = []
        if batch:
            dst.executemany(insert, batch)
        sw.stop()
        n += len(chunk)
    sw.start()
    dst.execute("COMMIT")
    sw.stop()
    fb_head = src.execute("SELECT hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()[0]
    src.close()
    dst.close()
    return sw.result(events=n, head_matches_factbase=prev == fb_head)


# --- (b) raw interval tables and the indexed interval query ---------------------------------

RAW_INTERVAL_DDL = [
    "CREATE TABLE memberships (org TEXT NOT NULL, person TEXT NOT NULL, unit TEXT, "
    "valid_from_end DATE NOT NULL, valid_to_end DATE)",
    "CREATE INDEX ix_memberships_org_valid_from_end ON memberships (org, valid_from_end)",
    "CREATE TABLE roles (org TEXT NOT NULL, person TEXT NOT NULL, unit TEXT, role TEXT NOT NULL,"
    " valid_from_end DATE NOT NULL, valid_to_end DATE)",
    "CREATE INDEX ix_roles_org_role ON roles (org, role)",
    "CREATE TABLE units (org TEXT NOT NULL, unit TEXT NOT NULL, name TEXT, parent TEXT, "
    "status TEXT NOT NULL, valid_from_end DATE NOT NULL, valid_to_end DATE)",
    "CREATE INDEX ix_units_org_unit ON units (org, unit)",
]

#: Members of org X at the end of day D, over the raw interval table (indexed on org, from).
RAW_INTERVAL_SQL = ("SELECT person FROM memberships WHERE org = :org AND valid_from_end <= :d "
                    "AND (valid_to_end IS NULL OR valid_to_end > :d)")

#: The same question over factbase's interval projection (docs/sql.md), when it exists.
FB_MEMBERSHIPS_SQL = ("SELECT DISTINCT person FROM memberships WHERE org = :org "
                      "AND valid_from_end <= :d AND (valid_to_end IS NULL OR valid_to_end > :d)")

#: The same question over the log, in the style docs/cli.md documents (json_extract, valid_to
#: <= D for certain events), for a factbase without interval projections: the latest certain
#: joining or leaving of each person decides, founders count from the founding. (``+e.type``
#: keeps SQLite on the stream index: without ANALYZE statistics it would otherwise pick
#: ix_events_type and scan every organisation's founding.)
FB_EVENTS_SQL = """
SELECT person FROM (
  SELECT person, type, row_number() OVER (PARTITION BY person ORDER BY valid_to DESC, rank DESC,
                                          seq DESC) AS rn
  FROM (
    SELECT json_extract(payload, '$.person') AS person, type, valid_to, seq,
           CASE type WHEN 'person.left' THEN 2 ELSE 1 END AS rank
    FROM events
    WHERE stream = :org AND type IN ('person.joined', 'person.left') AND valid_to <= :d
    UNION ALL
    SELECT f.value, 'person.joined', e.valid_to, e.seq, 0
    FROM events e, json_each(e.payload, '$.founders') f
    WHERE e.stream = :org AND +e.type = 'org.founded' AND e.valid_to <= :d))
WHERE rn = 1 AND type = 'person.joined'
"""


def factbase_asof_sql(tables: set[str]) -> tuple[str, str]:
    """The as-of SQL a factbase user would run: over the memberships projection when the
    database has one, else over the log."""
    if "memberships" in tables:
        return "memberships projection", FB_MEMBERSHIPS_SQL
    return "events table + json_extract; no interval projection in this schema", FB_EVENTS_SQL


def _fetch(con: sqlite3.Connection, sql: str, params: dict[str, str]) -> list[Any]:
    return con.execute(sql, params).fetchall()


def time_query(con: sqlite3.Connection, sql: str, pairs: Sequence[tuple[str, date]]
               ) -> tuple[list[tuple[float, float]], list[int]]:
    """Run ``sql`` for every (org, day) pair (the day bound as ``:d`` and ``:as_of``);
    per-call (wall, CPU) seconds and result sizes."""
    day0 = pairs[0][1].isoformat()
    con.execute(sql, {"org": pairs[0][0], "d": day0, "as_of": day0}).fetchall()  # warm
    times, counts = [], []
    for org, day in pairs:
        params = {"org": org, "d": day.isoformat(), "as_of": day.isoformat()}
        t, rows = timed_call(_fetch, con, sql, params)
        times.append(t)
        counts.append(len(rows))
    return times, counts


_INTERVAL_TYPES = ("org.founded", "person.joined", "person.left", "role.assigned", "role.ended",
                   "unit.created", "unit.renamed", "unit.moved", "unit.merged", "unit.dissolved",
                   "reorg.announced")


def _effective_end(payload: dict[str, Any], valid_to: str) -> str:
    text = payload.get("effective")
    if not text:
        return valid_to
    end = text.rsplit("/", 1)[-1]
    return end if len(end) == 10 and end[4] == "-" else valid_to


def _expand(type_: str, payload: dict[str, Any], valid_to: str
            ) -> Iterator[tuple[str, dict[str, Any], str]]:
    if type_ == "reorg.announced":
        end = _effective_end(payload, valid_to)
        for change in payload.get("changes", []):
            yield change["type"], change, end
    else:
        yield type_, payload, valid_to


class _Spans:
    """A simple fold of one organisation's certain events into interval rows."""

    def __init__(self, org: str) -> None:
        self.org = org
        self.members: dict[str, tuple[str | None, str]] = {}
        self.roles: dict[tuple[str, str, str | None], str] = {}
        self.units: dict[str, list[Any]] = {}
        self.rows_m: list[tuple[Any, ...]] = []
        self.rows_r: list[tuple[Any, ...]] = []
        self.rows_u: list[tuple[Any, ...]] = []

    def _close_unit(self, unit: str, day: str, status: str | None = None) -> None:
        name, parent, st, since = self.units[unit]
        self.rows_u.append((self.org, unit, name, parent, st, since, day))
        if status is not None:
            self.units[unit] = [name, parent, status, day]

    def apply(self, type_: str, p: dict[str, Any], day: str) -> None:
        if type_ == "org.founded":
            for f in p.get("founders", []):
                self.members.setdefault(f, (None, day))
                self.roles.setdefault((f, "cofounder", None), day)
        elif type_ == "person.joined":
            self.members.setdefault(p["person"], (p.get("unit"), day))
        elif type_ == "person.left":
            person = p["person"]
            if person in self.members:
                unit, since = self.members.pop(person)
                self.rows_m.append((self.org, person, unit, since, day))
            for key in [k for k in self.roles if k[0] == person]:
                self.rows_r.append((self.org, person, key[2], key[1], self.roles.pop(key), day))
        elif type_ == "role.assigned":
            self.members.setdefault(p["person"], (p.get("unit"), day))
            self.roles.setdefault((p["person"], p["role"], p.get("unit")), day)
        elif type_ == "role.ended":
            key = (p["person"], p["role"], p.get("unit"))
            if key in self.roles:
                self.rows_r.append((self.org, key[0], key[2], key[1], self.roles.pop(key), day))
        elif type_ == "unit.created":
            self.units[p["unit"]] = [p["name"], p.get("parent"), "active", day]
        elif type_ in ("unit.renamed", "unit.moved") and p["unit"] in self.units:
            self._close_unit(p["unit"], day)
            u = self.units[p["unit"]]
            if type_ == "unit.renamed":
                u[0] = p["name"]
            else:
                u[1] = p.get("parent")
            u[3] = day
        elif type_ in ("unit.merged", "unit.dissolved") and p["unit"] in self.units:
            self._close_unit(p["unit"], day,
                             "merged" if type_ == "unit.merged" else "dissolved")

    def finish(self) -> None:
        for person, (unit, since) in self.members.items():
            self.rows_m.append((self.org, person, unit, since, None))
        for (person, role, unit), since in self.roles.items():
            self.rows_r.append((self.org, person, unit, role, since, None))
        for unit, (name, parent, status, since) in self.units.items():
            self.rows_u.append((self.org, unit, name, parent, status, since, None))


def raw_build_intervals(fb_db: Path, out_db: Path) -> dict[str, Any]:
    """Build memberships/roles/units interval tables from the log, raw (all timed)."""
    sw = Stopwatch()
    sw.start()
    src = _ro(fb_db)
    dst = _fresh(out_db)
    for stmt in RAW_INTERVAL_DDL:
        dst.execute(stmt)
    dst.execute("BEGIN IMMEDIATE")
    marks = ",".join("?" * len(_INTERVAL_TYPES))
    cur = src.execute(
        "SELECT stream, type, valid_to, payload FROM events "
        f"WHERE type IN ({marks}) AND valid_to IS NOT NULL "
        "ORDER BY stream, valid_to, valid_from, seq", _INTERVAL_TYPES)
    spans: _Spans | None = None
    counts = [0, 0, 0]

    def flush(s: _Spans) -> None:
        s.finish()
        dst.executemany("INSERT INTO memberships VALUES (?,?,?,?,?)", s.rows_m)
        dst.executemany("INSERT INTO roles VALUES (?,?,?,?,?,?)", s.rows_r)
        dst.executemany("INSERT INTO units VALUES (?,?,?,?,?,?,?)", s.rows_u)
        counts[0] += len(s.rows_m)
        counts[1] += len(s.rows_r)
        counts[2] += len(s.rows_u)

    # Changes of a reorganisation take effect at its effective end, which may sort before
    # its announcement; a per-org buffer keeps the fold in certain-day order.
    buffered: list[tuple[str, int, str, dict[str, Any]]] = []

    def fold(s: _Spans) -> None:
        buffered.sort(key=lambda t: (t[0], t[1]))
        for day, _i, type_, p in buffered:
            s.apply(type_, p, day)
        buffered.clear()
        flush(s)

    i = 0
    while True:
        rows = cur.fetchmany(CHUNK)
        if not rows:
            break
        for stream, type_, valid_to, payload in rows:
            if spans is None or stream != spans.org:
                if spans is not None:
                    fold(spans)
                spans = _Spans(stream)
            for t, p, day in _expand(type_, json.loads(payload), valid_to):
                i += 1
                buffered.append((day, i, t, p))
    if spans is not None:
        fold(spans)
    dst.execute("COMMIT")
    sw.stop()
    src.close()
    dst.close()
    return sw.result(memberships=counts[0], roles=counts[1], units=counts[2])


_PROJECTION_TYPES = ("entity.registered", "entity.aliased", "source.registered", "unit.created",
                     "unit.renamed", "reorg.announced", "product.announced", "product.launched")


def raw_build_projections(fb_db: Path, out_db: Path) -> dict[str, Any]:
    """Build factbase's entities / entity_names / sources tables from the log, raw (timed):
    the same rows factbase's projections hold (look-up keys from ``name_keys``)."""
    from factbase.core.dates import parse_date
    from factbase.core.names import name_keys

    sw = Stopwatch()
    sw.start()
    src = _ro(fb_db)
    dst = _fresh(out_db)
    for stmt in _ddl(src, ["entities", "entity_names", "sources"]):
        dst.execute(stmt)
    dst.execute("BEGIN IMMEDIATE")
    marks = ",".join("?" * len(_PROJECTION_TYPES))
    known: set[str] = set()
    ents: list[tuple[Any, ...]] = []
    names: list[tuple[Any, ...]] = []
    srcs: list[tuple[Any, ...]] = []

    def name_rows(entity: str, ns: list[str], seq: int, primary: str | None) -> None:
        for name in dict.fromkeys(ns):
            for key in sorted(name_keys(name)) or [""]:
                names.append((entity, name, key, int(name == primary), seq))

    def flush() -> None:
        dst.executemany("INSERT INTO entities (entity_id, kind, name, note, seq) "
                        "VALUES (?,?,?,?,?)", ents)
        dst.executemany("INSERT INTO entity_names (entity_id, name, folded, is_primary, seq) "
                        "VALUES (?,?,?,?,?)", names)
        dst.executemany("INSERT INTO sources (source_id, url, title, publisher, published_text,"
                        " published_from, published_to, language, note, seq) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?)", srcs)
        ents.clear()
        names.clear()
        srcs.clear()

    for chunk in _chunks(src, f"SELECT type, payload, seq FROM events WHERE type IN ({marks}) "
                              "ORDER BY seq", 20_000, _PROJECTION_TYPES):
        for type_, payload, seq in chunk:
            p = json.loads(payload)
            if type_ == "entity.registered":
                known.add(p["entity"])
                ents.append((p["entity"], p["kind"], p["name"], p.get("note"), seq))
                name_rows(p["entity"], [p["name"], *p.get("aliases", [])], seq, p["name"])
            elif type_ == "source.registered":
                d = parse_date(p["published"]) if p.get("published") else None
                srcs.append((p["source"], p.get("url"), p.get("title"), p.get("publisher"),
                             d.text if d else None, d.start.isoformat() if d else None,
                             d.end.isoformat() if d else None, p.get("language"),
                             p.get("note"), seq))
            elif type_ == "unit.renamed":
                name_rows(p["unit"], [p["name"]], seq, None)
            elif type_ == "entity.aliased":
                name_rows(p["entity"], p["aliases"], seq, None)
            else:
                items = p.get("changes", []) if type_ == "reorg.announced" else [p]
                for item in items:
                    if type_ == "reorg.announced" and item.get("type") != "unit.created":
                        continue
                    eid = item.get("unit") or item.get("product")
                    if eid and eid not in known:
                        known.add(eid)
                        kind = "unit" if "unit" in item else "product"
                        nm = item.get("name") or eid
                        ents.append((eid, kind, nm, None, seq))
                        name_rows(eid, [nm], seq, nm)
        flush()
    dst.execute("COMMIT")
    sw.stop()
    src.close()
    dst.close()
    return sw.result()


# --- (c) raw per-org replay ------------------------------------------------------------------


def raw_replay(con: sqlite3.Connection, org: str, as_of: date) -> dict[str, Any]:
    """One organisation at the end of ``as_of``: raw query, json decode, a simple fold."""
    d = as_of.isoformat()
    rows = con.execute("SELECT type, valid_from, valid_to, payload, event_id FROM events "
                       "WHERE stream = ? AND valid_to IS NOT NULL "
                       "ORDER BY valid_to, valid_from, seq", (org,)).fetchall()
    units: dict[str, dict[str, Any]] = {}
    members: dict[str, dict[str, Any]] = {}
    departed: dict[str, dict[str, Any]] = {}
    metrics: dict[tuple[str, str], Any] = {}
    happenings: list[tuple[str, str]] = []
    uncertain: list[str] = []
    steps: list[tuple[str, int, str, dict[str, Any], str]] = []
    for i, (type_, valid_from, valid_to, payload, event_id) in enumerate(rows):
        if valid_from > d:
            continue
        p = json.loads(payload)
        for t, body, end in _expand(type_, p, valid_to):
            if end <= d:
                steps.append((end, i, t, body, event_id))
            else:
                uncertain.append(event_id)
    steps.sort(key=lambda s: (s[0], s[1]))
    m: dict[str, Any] | None
    for _end, _i, t, p, event_id in steps:
        if t == "org.founded":
            for f in p.get("founders", []):
                members[f] = {"since": _end, "roles": {("cofounder", None)}, "unit": None}
        elif t == "person.joined":
            m = members.setdefault(p["person"], {"since": _end, "roles": set(), "unit": None})
            m["unit"] = p.get("unit") or m["unit"]
            departed.pop(p["person"], None)
        elif t == "person.left":
            m = members.pop(p["person"], None)
            departed[p["person"]] = {"date": _end, "reason": p.get("reason"),
                                     "roles": m["roles"] if m else set()}
        elif t in ("role.assigned", "role.confirmed"):
            m = members.setdefault(p["person"], {"since": _end, "roles": set(), "unit": None})
            if p.get("role"):
                m["roles"].add((p["role"], p.get("unit")))
        elif t == "role.ended":
            m = members.get(p["person"])
            if m:
                m["roles"].discard((p["role"], p.get("unit")))
        elif t == "unit.created":
            units[p["unit"]] = {"name": p["name"], "parent": p.get("parent"),
                                "status": "active"}
        elif t == "unit.renamed" and p["unit"] in units:
            units[p["unit"]]["name"] = p["name"]
        elif t == "unit.moved" and p["unit"] in units:
            units[p["unit"]]["parent"] = p.get("parent")
        elif t == "unit.merged" and p["unit"] in units:
            units[p["unit"]]["status"] = "merged"
            for m in members.values():
                if m["unit"] == p["unit"]:
                    m["unit"] = p["into"]
        elif t == "unit.dissolved" and p["unit"] in units:
            units[p["unit"]]["status"] = "dissolved"
        elif t == "metric.reported":
            metrics[(p["subject"], p["metric"])] = p["value"]
        else:
            happenings.append((t, event_id))
    return {"units": units, "members": members, "departed": departed, "metrics": metrics,
            "happenings": happenings, "uncertain": uncertain}


def time_raw_replay(fb_db: Path, pairs: Sequence[tuple[str, date]]
                    ) -> tuple[list[tuple[float, float]], list[int]]:
    con = _ro(fb_db)
    raw_replay(con, *pairs[0])  # warm
    times, counts = [], []
    for org, day in pairs:
        t, state = timed_call(raw_replay, con, org, day)
        times.append(t)
        counts.append(len(state["members"]))
    con.close()
    return times, counts


# --- (d) the eventsourcing library ---------------------------------------------------------


def eventsourcing_append(fb_db: Path, out_db: Path, orgs: Sequence[str]) -> dict[str, Any]:
    """Append the log's events to ``eventsourcing`` aggregates (one per stream), saved in bulk
    per 50,000 events; then reconstruct each of ``orgs``. Appending is timed; reading the
    factbase database for input is not."""
    from uuid import NAMESPACE_URL, UUID, uuid5

    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    class Stream(Aggregate):
        """One factbase stream (an organisation, or an entity/source registration)."""

        @staticmethod
        def create_id(name: str) -> UUID:
            return uuid5(NAMESPACE_URL, f"factbase:{name}")

        @event("Started")
        def __init__(self, name: str) -> None:
            self.name = name
            self.counts: dict[str, int] = {}

        @event("Recorded")
        def record(self, event_id: str, type: str, date_text: str | None,
                   valid_from: str | None, valid_to: str | None, evidence: str | None,
                   payload: dict[str, Any], sources: list[str]) -> None:
            self.counts[type] = self.counts.get(type, 0) + 1

    for suffix in ("", "-wal", "-shm"):
        Path(str(out_db) + suffix).unlink(missing_ok=True)
    app: Application[UUID] = Application(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                                              "SQLITE_DBNAME": str(out_db)})
    src = _ro(fb_db)
    aggs: dict[str, Stream] = {}
    sw = Stopwatch()
    n = 0
    for chunk in _chunks(src, "SELECT stream, event_id, type, date_text, valid_from, valid_to, "
                              "evidence, payload, sources FROM events ORDER BY seq"):
        ready = [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]), json.loads(r[8]))
                 for r in chunk]
        sw.start()
        touched: dict[str, Stream] = {}
        for stream, eid, type_, dtext, vf, vt, ev, payload, sources in ready:
            agg = aggs.get(stream)
            if agg is None:
                agg = aggs[stream] = Stream(stream)
            agg.record(eid, type_, dtext, vf, vt, ev, payload, sources)
            touched[stream] = agg
        app.save(*touched.values())
        sw.stop()
        n += len(chunk)
    src.close()
    aggs.clear()
    times = [timed_call(app.repository.get, Stream.create_id(org))[0] for org in orgs]
    app.close()
    ms = sorted(t * 1000 for t, _ in times)
    cpu = sorted(c * 1000 for _, c in times)
    return sw.result(events=n, reconstruct={"median": statistics.median(ms),
                                            "cpu_median": statistics.median(cpu),
                                            "max": ms[-1], "n": len(ms)})


__all__ = ["FB_EVENTS_SQL", "FB_MEMBERSHIPS_SQL", "RAW_INTERVAL_SQL", "eventsourcing_append",
           "factbase_asof_sql", "raw_append", "raw_build_intervals", "raw_build_projections",
           "raw_replay", "time_query", "time_raw_replay"]

