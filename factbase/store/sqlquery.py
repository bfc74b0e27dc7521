"""``factbase sql``: run one SQL query read-only, with ``:as_of`` and ``:known_at`` bound, and
render the rows.

Read-only by construction, not by inspecting the query: on SQLite the database is opened with
``mode=ro`` (:func:`factbase.store.engine.make_engine`), ``PRAGMA query_only`` is set, and an
authorizer refuses ``ATTACH``/``DETACH`` (which could otherwise create and write another file)
and ``load_extension()`` (native code), each with a message of its own; on
PostgreSQL the transaction is ``SET TRANSACTION READ ONLY``. A write attempt is refused by the
connection itself and becomes :class:`ReadOnlyQuery`.

The tables and views are documented in ``docs/sql.md``; :func:`datasette_metadata` gives the
same descriptions as Datasette metadata (``docs/datasette-metadata.json``).
"""

from __future__ import annotations

import itertools
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Date, bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import TextClause

from factbase.core.documents import plain
from factbase.core.errors import FactbaseError
from factbase.core.results import QueryResult as QueryResult
from factbase.store.schema import format_utc


class ReadOnlyQuery(FactbaseError):
    """The query tried to write; the connection refused it."""


class QueryFailed(FactbaseError):
    """The database could not run the query (a syntax error, an unknown table, …)."""


class QueryStopped(FactbaseError):
    """The query ran past its time limit (``--timeout``) and was stopped."""


class QueryInterrupted(FactbaseError):
    """The query was interrupted (Ctrl-C) and stopped."""

    exit_code = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C


class NotSetUp(FactbaseError):
    """PostgreSQL: the role ``sql`` runs as is not set up (:mod:`factbase.store.reader`)."""


#: Seconds a query may run (time spent in the database, not writing output) by default.
DEFAULT_TIMEOUT = 30.0
#: Rows fetched from the database at a time while streaming.
BATCH = 1_000
#: SQLite virtual-machine steps between two looks at the clock and at Ctrl-C.
_PROGRESS_STEPS = 10_000

T = TypeVar("T")
#: What a caller does with a running query: given the column names and an iterator over the
#: rows (fetched in batches as it is consumed), return anything.
Consumer = Callable[[list[str], Iterator[tuple[Any, ...]]], T]


def run(url: str, query: str, *, as_of: date, known_at: datetime | None = None,
        timeout: float | None = DEFAULT_TIMEOUT, limit: int | None = None) -> QueryResult:
    """Run ``query`` (one statement) on the database at ``url``, read-only, and return its
    rows (at most ``limit``; ``truncated`` says whether more followed).

    ``as_of`` (valid time, a day) is bound to ``:as_of`` and ``known_at`` (recorded time, an
    aware instant; None: now) to ``:known_at`` when the query uses them. Raises
    :class:`ReadOnlyQuery` when the query tries to write (or, on PostgreSQL, to do what its
    role may not), :class:`QueryFailed` when the database rejects it, :class:`QueryStopped`
    past ``timeout`` seconds (None or 0: no limit), :class:`QueryInterrupted` on Ctrl-C, and
    :class:`FactbaseError` for a parameter other than ``:as_of`` and ``:known_at``. Writes
    nothing.
    """
    def collect(columns: list[str], rows: Iterator[tuple[Any, ...]]) -> QueryResult:
        kept = list(itertools.islice(rows, limit)) if limit is not None else list(rows)
        more = limit is not None and next(rows, None) is not None
        return QueryResult(columns, kept, more)

    return stream(url, query, collect, as_of=as_of, known_at=known_at, timeout=timeout)


def stream(url: str, query: str, consume: Consumer[T], *, as_of: date,
           known_at: datetime | None = None, timeout: float | None = DEFAULT_TIMEOUT) -> T:
    """Run ``query`` as :func:`run` does and hand its columns and rows to ``consume`` while
    the query is open: rows are fetched :data:`BATCH` at a time as ``consume`` iterates, so
    memory stays bounded whatever the number of rows. Returns what ``consume`` returns.

    SQLite: the query runs under a progress handler that stops it at ``timeout`` (seconds
    spent in SQLite, not in ``consume``) or at Ctrl-C (SIGINT, caught while the query runs:
    Python cannot run its own handler while SQLite's code runs, so the progress handler
    gives it the chance). PostgreSQL: ``SET LOCAL statement_timeout``, and the query runs as
    the role ``factbase_reader`` through its security-definer function
    (:mod:`factbase.store.reader`); the transaction is rolled back at the end, whatever
    happened (a ``pg_notify`` is never delivered) and the connection closed.
    """
    from factbase.store.engine import make_engine
    from factbase.store.schema import UTCDateTime

    stmt = text(query)
    params = set(stmt.compile().params)
    unknown = sorted(params - {"as_of", "known_at"})
    if unknown:
        raise FactbaseError(f"the query uses :{unknown[0]}, but only :as_of (--as-of) and "
                            ":known_at (--known-at) are bound; write the value into the query "
                            "instead")
    known_at = known_at if known_at is not None else datetime.now(UTC)
    if "as_of" in params:
        stmt = stmt.bindparams(bindparam("as_of", value=as_of, type_=Date))
    if "known_at" in params:
        stmt = stmt.bindparams(bindparam("known_at", value=known_at, type_=UTCDateTime()))
    seconds = timeout if timeout else None
    engine = make_engine(url, read_only=True)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                return _postgresql(conn, stmt, as_of, known_at, seconds, consume)
            return _sqlite(conn, stmt, seconds, consume)
    finally:
        engine.dispose()


class _Clock:
    """Time spent in the database, and whether Ctrl-C was pressed, for SQLite's progress
    handler; the query is stopped when either says so."""

    def __init__(self, limit: float | None) -> None:
        self.limit = limit
        self.spent = 0.0
        self.since: float | None = None
        self.interrupted = False
        self.timed_out = False

    def __enter__(self) -> _Clock:
        self.since = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.since is not None:
            self.spent += time.monotonic() - self.since
        self.since = None

    def progress(self) -> int:
        """SQLite's progress handler: non-zero stops the statement ("interrupted")."""
        if self.interrupted:
            return 1
        if self.limit is not None and self.since is not None and \
                self.spent + time.monotonic() - self.since > self.limit:
            self.timed_out = True
            return 1
        return 0


@contextmanager
def _catch_sigint(clock: _Clock) -> Iterator[None]:
    """While the query runs, Ctrl-C marks ``clock`` (the progress handler then stops the
    statement) instead of raising inside SQLite's callback, where it would be lost. Only the
    main thread may set a signal handler; elsewhere Ctrl-C is left as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(_signum: int, _frame: Any) -> None:
        clock.interrupted = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _stopped(clock: _Clock) -> FactbaseError:
    if clock.interrupted:
        return QueryInterrupted("interrupted (Ctrl-C): the query was stopped")
    return QueryStopped(f"the query ran longer than {_seconds(clock.limit)} and was stopped; "
                        "narrow it, or give more time with --timeout SECONDS (0: no limit)")


def _seconds(limit: float | None) -> str:
    return f"{limit:g} s" if limit is not None else "its time limit"


def _sqlite(conn: Connection, stmt: TextClause, timeout: float | None,
            consume: Consumer[T]) -> T:
    import sqlite3

    refused: list[str] = []  # what the SQLite authorizer denied, for the message
    raw: Any = conn.connection.dbapi_connection
    raw.set_authorizer(_sqlite_authorizer(refused))
    raw.execute("PRAGMA query_only = ON")  # outside the transaction
    clock = _Clock(timeout)
    raw.set_progress_handler(clock.progress, _PROGRESS_STEPS)
    try:
        with _catch_sigint(clock), conn.begin():
            try:
                with clock:
                    result = conn.execute(stmt)
            except DBAPIError as exc:
                if clock.interrupted or clock.timed_out:
                    raise _stopped(clock) from None
                raise _failure(exc.orig, refused) from None
            if not result.returns_rows:
                return consume([], iter(()))
            columns = list(result.keys())
            cursor = result.cursor

            def rows() -> Iterator[tuple[Any, ...]]:
                while True:
                    if clock.interrupted:
                        raise _stopped(clock)
                    try:
                        with clock:
                            batch = cursor.fetchmany(BATCH)
                    except sqlite3.Error as exc:
                        if clock.interrupted or clock.timed_out:
                            raise _stopped(clock) from None
                        raise _failure(exc, refused) from None
                    if not batch:
                        return
                    for r in batch:
                        yield tuple(_portable(v) for v in r)

            try:
                return consume(columns, rows())
            finally:
                result.close()
    finally:
        raw.set_progress_handler(None, 0)


def _sqlite_authorizer(refused: list[str]) -> Callable[..., int]:
    """A SQLite authorizer denying what ``mode=ro`` and ``query_only`` do not stop; it appends
    to ``refused`` why it denied, so the error names the action (SQLite only says "not
    authorized")."""
    import sqlite3

    def authorize(action: int, arg1: str | None, arg2: str | None, *_rest: Any) -> int:
        if action == sqlite3.SQLITE_ATTACH:
            refused.append("attaching other databases is not allowed")
        elif action == sqlite3.SQLITE_DETACH:
            refused.append("detaching databases is not allowed")
        elif action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() == "load_extension":
            refused.append("loading extensions is not allowed")
        else:
            return sqlite3.SQLITE_OK
        return sqlite3.SQLITE_DENY

    return authorize


#: How a refused write reads (PostgreSQL: "cannot execute DELETE in a read-only transaction").
_WRITE_SIGNS = ("readonly database", "read-only", "query_only", "not authorized")


def _postgresql(conn: Connection, stmt: TextClause, as_of: date, known_at: datetime,
                timeout: float | None, consume: Consumer[T]) -> T:
    """Run ``stmt`` on PostgreSQL as the role ``factbase_reader``, through its security-definer
    function (:mod:`factbase.store.reader`), in a READ ONLY transaction that is rolled back at
    the end; the connection is closed afterwards (a session advisory lock dies with it).

    The statement is first described (libpq's prepare and describe, as the role: parsing
    runs nothing) for its column names and types, which the function's caller must give; a
    string of several statements is refused there ("cannot insert multiple commands into a
    prepared statement"), so nothing can end the transaction. Rows are fetched through a
    server-side cursor, :data:`BATCH` at a time."""
    import psycopg

    from factbase.store import reader

    compiled = stmt.compile(dialect=conn.dialect)  # pyformat placeholders, literal % doubled
    numbers = {"%(as_of)s": "$1", "%(known_at)s": "$2"}
    sql = re.sub(r"%%|%\((?:as_of|known_at)\)s",
                 lambda m: "%" if m.group() == "%%" else numbers[m.group()], str(compiled))
    raw: Any = conn.connection.dbapi_connection
    trans = conn.begin()
    try:
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        why = reader.missing(conn)
        if why is not None:
            raise NotSetUp(why)
        if timeout is not None:
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, round(timeout * 1000))}")
        conn.exec_driver_sql(f"SET LOCAL ROLE {reader.ROLE}")
        columns, types = _describe(raw, sql)
        if not columns:
            raise ReadOnlyQuery(f"the sql command is read-only: it runs queries that return "
                                f"rows (SELECT, WITH … SELECT, VALUES, TABLE), not "
                                f"{_command(sql)}")
        pseudo = [(c, t) for c, t in zip(columns, types, strict=True)
                  if t in ("void", "record", "trigger", "event_trigger", "internal", "cstring")]
        if pseudo:
            raise QueryFailed(f'the query failed: column "{pseudo[0][0]}" has the pseudo-type '
                              f"{pseudo[0][1]}, which sql cannot return; select a value "
                              "instead (cast it to text)")
        defs = ", ".join(f"c{i} {t}" for i, t in enumerate(types))
        cursor = raw.cursor(name="factbase_sql")  # server-side: DECLARE, then FETCH batches
        try:
            cursor.execute(f"SELECT * FROM {reader.FUNCTION}(%s, %s, %s) AS t({defs})",
                           (sql, as_of, known_at))

            def rows() -> Iterator[tuple[Any, ...]]:
                while True:
                    try:
                        batch = cursor.fetchmany(BATCH)
                    except psycopg.Error as exc:
                        raise _pg_failure(exc, timeout) from None
                    if not batch:
                        return
                    for r in batch:
                        yield tuple(_portable(v) for v in r)

            return consume(columns, rows())
        finally:
            with suppress(psycopg.Error):
                cursor.close()
    except psycopg.Error as exc:
        raise _pg_failure(exc, timeout) from None
    except DBAPIError as exc:
        raise _pg_failure(exc.orig, timeout) from None
    except KeyboardInterrupt:
        raise QueryInterrupted("interrupted (Ctrl-C): the query was stopped") from None
    finally:
        with suppress(Exception):  # a broken connection: it is closed below anyway
            trans.rollback()
        conn.invalidate()  # closed, never reused: no session state or lock outlives the query


def _describe(raw: Any, sql: str) -> tuple[list[str], list[str]]:
    """The column names and SQL types of ``sql`` (``$1``: the ``as_of`` date, ``$2``: the
    ``known_at`` instant), from libpq's prepare and describe: the statement is parsed, not
    run."""
    import psycopg
    from psycopg import pq

    pgconn = raw.pgconn
    name = b"factbase_sql_describe"
    prepared = pgconn.prepare(name, sql.encode(), [1082, 1184])  # date, timestamptz
    if prepared.status != pq.ExecStatus.COMMAND_OK:
        raise _pg_failure(psycopg.errors.lookup(  # the server's error, as psycopg raises it
            prepared.error_field(pq.DiagnosticField.SQLSTATE).decode())(
            (prepared.error_field(pq.DiagnosticField.MESSAGE_PRIMARY) or b"").decode()), None)
    described = pgconn.describe_prepared(name)
    fields = [(described.fname(i).decode(), described.ftype(i), described.fmod(i))
              for i in range(described.nfields)]
    pgconn.exec_(b"DEALLOCATE factbase_sql_describe")
    cursor = raw.cursor()
    try:
        types = [cursor.execute("SELECT format_type(%s, %s)",
                                (oid, None if mod < 0 else mod)).fetchone()[0]
                 for _, oid, mod in fields]
    finally:
        cursor.close()
    return [f[0] for f in fields], types


def _command(sql: str) -> str:
    """The command a statement starts with (for a message): ``DELETE``, ``COPY``, ``DROP
    VIEW``, ``SET TRANSACTION``…"""
    words = re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S).replace("(", " ").split()
    first = [w.upper() for w in words[:2] if w.isalpha()]
    if not first:
        return "this statement"
    two = first[0] in ("CREATE", "DROP", "ALTER", "SET", "LOCK", "RESET") and len(first) > 1
    return " ".join(first[:2] if two else first[:1])


def _pg_failure(orig: BaseException | None, timeout: float | None) -> FactbaseError:
    """The error for a query PostgreSQL refused (``orig``: psycopg's exception)."""
    import psycopg

    from factbase.store import reader

    if not isinstance(orig, psycopg.Error):
        return _failure(orig)
    message = (orig.diag.message_primary or str(orig).strip() or type(orig).__name__
               ).splitlines()[0]
    state = orig.sqlstate or ""
    if isinstance(orig, psycopg.errors.QueryCanceled) and "timeout" in message:
        return QueryStopped(f"the query ran longer than {_seconds(timeout)} and was stopped; "
                            "narrow it, or give more time with --timeout SECONDS (0: no "
                            "limit)")
    if state == "42501":  # insufficient_privilege
        return ReadOnlyQuery(f"the sql command may not do that: {message} (it runs as "
                             f"{reader.ROLE}, which may read the documented tables only)")
    if state == "25006" or "data-modifying" in message:  # read_only_sql_transaction
        return ReadOnlyQuery(f"the sql command is read-only: {message}")
    if "cannot open" in message and "as cursor" in message:
        return ReadOnlyQuery("the sql command is read-only: it runs queries that return rows "
                             f"(SELECT, WITH … SELECT, VALUES, TABLE); {message}")
    return _failure(orig)


def _failure(orig: BaseException | None, refused: Sequence[str] = ()) -> FactbaseError:
    """The error for a query the database rejected (``orig``: the driver's exception);
    ``refused``: what the SQLite authorizer denied (its own message for the action, instead of
    SQLite's "not authorized")."""
    # PostgreSQL adds LINE and caret lines under its message: keep the one-line message.
    message = (str(orig).strip() or type(orig).__name__).splitlines()[0]
    if ("one statement at a time" in message  # sqlite3's ProgrammingError
            or "multiple commands" in message):  # PostgreSQL, for a prepared statement
        return QueryFailed("the query failed: the sql command runs one statement at a time")
    if any(sign in message.lower() for sign in _WRITE_SIGNS):
        if "not authorized" in message and refused:
            message = refused[0]
        return ReadOnlyQuery(f"the sql command is read-only: {message}")
    return QueryFailed(f"the query failed: {message}")


# --- rendering --------------------------------------------------------------------------------


def _portable(value: Any) -> Any:
    """``value`` as SQLite would give it (see :class:`QueryResult`); others unchanged."""
    if isinstance(value, datetime):
        return format_utc(value) if value.tzinfo else value.isoformat()
    if isinstance(value, date | Decimal):
        return plain(value)
    return value


# --- Datasette ------------------------------------------------------------------------------


def datasette_metadata(database: str = "factbase") -> dict[str, Any]:
    """Datasette metadata describing every table and view (from the schema's comments and
    :data:`factbase.store.schema.VIEWS`), for ``datasette factbase.db -m metadata.json``.
    ``database``: the name Datasette gives the database (the file name without ``.db``)."""
    from factbase.store.schema import COLUMN_NOTES, FTS_TABLE, FTS_TABLES, VIEWS, metadata

    tables: dict[str, Any] = {}
    for table in sorted(metadata.sorted_tables, key=lambda t: t.name):
        notes = {c.name: c.comment or COLUMN_NOTES.get((table.name, c.name))
                 for c in table.columns}
        tables[table.name] = {"description": table.comment or "",
                              "columns": {k: v for k, v in notes.items() if v}}
    tables["search_docs"]["fts_table"] = FTS_TABLE
    tables["search_docs"]["fts_pk"] = "id"
    tables[FTS_TABLE] = {"description": "SQLite FTS5 full-text index (trigram) over "
                                        "search_docs.folded; use it through search_docs.",
                         "hidden": True}
    for shadow in sorted(FTS_TABLES - {FTS_TABLE}):
        tables[shadow] = {"hidden": True}
    tables["alembic_version"] = {"description": "The schema's revision (Alembic).",
                                 "hidden": True}
    tables["entities"]["label_column"] = "name"  # people, organisations and units by name
    tables["sources"]["label_column"] = "title"
    for name, (description, columns) in sorted(VIEWS.items()):
        tables[name] = {"description": description, "columns": dict(columns)}
    return {
        "title": "factbase",
        "description": "An event-sourced, bitemporal fact database: the log (events), its "
                       "projections and views. See docs/sql.md for as-of queries.",
        "databases": {database: {"tables": tables, "queries": canned_queries()}},
    }


#: ``:known_at`` as the canned queries read it: empty means now (every version in force), a
#: day means its end in UTC (as ``--known-at`` reads one), an instant is given in the stored
#: form (``2026-02-10T09:00:00.000000Z``). SQLite only (Datasette serves SQLite files).
_KNOWN_AT = ("(SELECT CASE WHEN coalesce(:known_at, '') = '' THEN "
             "'9999-12-30T00:00:00.000000Z' WHEN length(:known_at) = 10 THEN "
             ":known_at || 'T23:59:59.999999Z' ELSE :known_at END)")


def _as_known(alias: str) -> str:
    return (f"{alias}.recorded_from <= {_KNOWN_AT} AND {_KNOWN_AT} < {alias}.recorded_to")


def _as_of(alias: str) -> str:
    return (f"{alias}.valid_from_end <= :as_of AND ({alias}.valid_to_end IS NULL "
            f"OR {alias}.valid_to_end > :as_of)")


def canned_queries() -> dict[str, dict[str, str]]:
    """The as-of queries of docs/sql.md as Datasette canned queries, on both time axes:
    ``:org`` (an organisation id), ``:as_of`` (a day, ``YYYY-MM-DD``) and ``:known_at``
    (empty: now; a day: its end in UTC; or an instant in the stored form)."""
    return {
        "members_at": {
            "title": "Members of an organisation on a date, as known at a time",
            "sql": "SELECT p.name, m.person, m.valid_from_text AS since, u.name AS unit, "
                   "m.title, m.on_leave, m.opened_by FROM memberships m "
                   "JOIN entities p ON p.entity_id = m.person "
                   "LEFT JOIN entities u ON u.entity_id = m.unit "
                   f"WHERE m.org = :org AND {_as_of('m')} AND {_as_known('m')} "
                   "ORDER BY p.name",
        },
        "roles_at": {
            "title": "Roles held in an organisation on a date, as known at a time",
            "sql": "SELECT p.name, r.person, r.role, r.title, u.name AS unit, "
                   "r.valid_from_text AS since FROM roles r "
                   "JOIN entities p ON p.entity_id = r.person "
                   "LEFT JOIN entities u ON u.entity_id = r.unit "
                   f"WHERE r.org = :org AND {_as_of('r')} AND {_as_known('r')} "
                   "ORDER BY r.role, p.name",
        },
        "units_at": {
            "title": "Units of an organisation on a date, as known at a time",
            "sql": "SELECT u.unit, u.name, u.kind, u.parent, u.status FROM units u "
                   f"WHERE u.org = :org AND {_as_of('u')} AND {_as_known('u')} "
                   "ORDER BY u.kind, u.name",
        },
        "figures_at": {
            "title": "The latest figures of an organisation on a date, as known at a time",
            "sql": "SELECT m.subject, m.metric, m.value, m.unit, m.qualifier, m.date_text, "
                   "m.event_id FROM metrics m WHERE m.org = :org AND m.valid_to <= :as_of "
                   f"AND {_as_known('m')} AND m.position = (SELECT MAX(l.position) FROM "
                   "metrics l WHERE l.org = m.org AND l.subject = m.subject AND "
                   f"l.metric = m.metric AND l.valid_to <= :as_of AND {_as_known('l')}) "
                   "ORDER BY m.subject, m.metric",
        },
    }


def _type_word(column: Any) -> str:
    from sqlalchemy import Date, Integer, Numeric, String, Text

    from factbase.store.schema import UTCDateTime

    kind = column.type
    if isinstance(kind, UTCDateTime):
        return "timestamp (UTC)"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, Integer):
        return "integer"
    if isinstance(kind, Numeric):
        return "number"
    if isinstance(kind, String | Text):
        return "text"
    return str(kind).lower()  # pragma: no cover - every column is one of the above


def schema_markdown() -> str:
    """The reference section of ``docs/sql.md``: every table and view with its columns, from
    the schema's comments (a test holds the document equal to this)."""
    from factbase.store.schema import COLUMN_NOTES, PROJECTION_TABLES, VIEWS, events

    out: list[str] = []
    for table in (events, *PROJECTION_TABLES):
        out += [f"### `{table.name}`", "", table.comment or "", "",
                "| column | type | meaning |", "|---|---|---|"]
        for c in table.columns:
            note = c.comment or COLUMN_NOTES.get((table.name, c.name), "")
            out.append(f"| `{c.name}` | {_type_word(c)} | {note.replace('|', '&#124;')} |")
        out.append("")
    for name, (description, columns) in VIEWS.items():
        out += [f"### `{name}` (view)", "", description, "", "| column | meaning |",
                "|---|---|"]
        out += [f"| `{col}` | {note} |" for col, note in columns.items()]
        out.append("")
    return "\n".join(out)
