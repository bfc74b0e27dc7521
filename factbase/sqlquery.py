"""``factbase sql``: run one SQL query read-only, with ``:as_of`` bound, and render the rows.

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

import csv
import io
import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import TextClause

from factbase.errors import FactbaseError
from factbase.safety import csv_cell, json_safe, visible_controls
from factbase.store.schema import format_utc

FORMATS = ("table", "csv", "json")
#: Longest cell the table format shows (csv and json give every value whole).
MAX_CELL = 80


class ReadOnlyQuery(FactbaseError):
    """The query tried to write; the connection refused it."""


class QueryFailed(FactbaseError):
    """The database could not run the query (a syntax error, an unknown table, …)."""


@dataclass(frozen=True)
class QueryResult:
    """Rows of a query: ``columns`` (names, in order) and ``rows`` (tuples of text, numbers
    and None). Values read the same on every backend: PostgreSQL's dates become ISO text
    (``2026-02-10``), its instants UTC text ending in ``Z`` (as SQLite stores them) and its
    exact numerics ``int`` or ``float``."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


def run(url: str, query: str, *, as_of: date) -> QueryResult:
    """Run ``query`` (one statement) on the database at ``url``, read-only.

    ``as_of`` (valid time, a day) is bound to ``:as_of`` when the query uses it. Raises
    :class:`ReadOnlyQuery` when the query tries to write, :class:`QueryFailed` when the database
    rejects it, and :class:`FactbaseError` for a parameter other than ``:as_of``. Writes
    nothing.
    """
    from factbase.store.engine import make_engine

    stmt = text(query)
    params = set(stmt.compile().params)
    unknown = sorted(params - {"as_of"})
    if unknown:
        raise FactbaseError(f"the query uses :{unknown[0]}, but only :as_of is bound (to "
                            "--as-of); write the value into the query instead")
    if params:
        stmt = stmt.bindparams(bindparam("as_of", value=as_of, type_=Date))
    engine = make_engine(url, read_only=True)
    try:
        with engine.connect() as conn:
            refused: list[str] = []  # what the SQLite authorizer denied, for the message
            if conn.dialect.name == "sqlite":
                raw: Any = conn.connection.dbapi_connection
                raw.set_authorizer(_sqlite_authorizer(refused))
                raw.execute("PRAGMA query_only = ON")  # outside the transaction
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                try:
                    if conn.dialect.name == "postgresql":
                        columns, rows = _run_prepared(conn, stmt)
                    else:
                        result = conn.execute(stmt)
                        columns = list(result.keys()) if result.returns_rows else []
                        rows = ([tuple(_portable(v) for v in r) for r in result]
                                if result.returns_rows else [])
                except DBAPIError as exc:
                    raise _failure(exc.orig, refused) from None
    finally:
        engine.dispose()
    return QueryResult(columns, rows)


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


def _run_prepared(conn: Connection, stmt: TextClause
                  ) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run ``stmt`` on PostgreSQL as one server-side prepared statement (psycopg's
    ``prepare=True``: the extended query protocol, whose Parse step refuses more than one
    command). Without it a query such as ``COMMIT; DELETE FROM memberships`` would end the READ
    ONLY transaction and run the rest outside it: psycopg sends a query without parameters by
    the simple protocol, which runs every statement in the string (psycopg 3 docs, "Multiple
    statements in the same query")."""
    import psycopg

    compiled = stmt.compile(dialect=conn.dialect)  # pyformat placeholders, literal % doubled
    params = dict(compiled.construct_params())
    cursor: Any = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), params, prepare=True)
        if cursor.description is None:
            return [], []
        columns = [str(d[0]) for d in cursor.description]
        return columns, [tuple(_portable(v) for v in r) for r in cursor.fetchall()]
    except psycopg.Error as exc:
        raise _failure(exc) from None
    finally:
        cursor.close()


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


def render(result: QueryResult, fmt: str) -> str:
    """``result`` as ``table`` (aligned columns), ``csv`` (a header row, then the rows) or
    ``json`` (a list of objects, one per row). Ends with a newline unless empty."""
    if fmt == "csv":
        # Text guarded against spreadsheet formulas; numbers stay numbers (by type).
        return "".join([_csv_line(result.columns),
                        *(_csv_line([csv_cell(None if v is None else _plain(v)) for v in row])
                          for row in result.rows)])
    if fmt == "json":
        objects = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        return json_safe(json.dumps(objects, ensure_ascii=False, indent=2, default=_plain)) + "\n"
    if fmt == "table":
        return _table(result.columns, result.rows)
    raise FactbaseError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")


def _portable(value: Any) -> Any:
    """``value`` as SQLite would give it (see :class:`QueryResult`); others unchanged."""
    if isinstance(value, datetime):
        return format_utc(value) if value.tzinfo else value.isoformat()
    if isinstance(value, date | Decimal):
        return _plain(value)
    return value


def _csv_line(values: Sequence[Any]) -> str:
    """One CSV row ending in ``\\n``. Written with a ``\\r\\n`` terminator and cut back, because
    the csv module quotes a cell only for the terminator's characters: with ``\\n`` alone, a
    cell holding a lone CR would be written bare and split the row in a spreadsheet."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(values)
    return buf.getvalue()[:-2] + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value if isinstance(value, int | float | str) else str(value)


def _cell(value: Any) -> str:
    """A table cell: one line, controls made visible (the table goes to a terminal), and a
    value wider than :data:`MAX_CELL` cut, visibly and with its length: ``nnn… (100,000
    chars)``. Linear in the value's length."""
    if value is None:
        return ""
    text = str(_plain(value))
    shown = " ".join(visible_controls(text).split())  # one line per row
    if width(shown) > MAX_CELL:
        more = f"… ({len(text):,} chars)"
        keep = MAX_CELL - width(more)
        shown = shown[:keep]  # at most `keep` characters, so at most `keep` columns wide...
        while width(shown) > keep:  # ...then drop wide ones until it fits
            shown = shown[:-1]
        shown += more
    return shown


def width(text: str) -> int:
    """Display width in a terminal: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    numeric = [bool(rows) and all(isinstance(r[i], int | float | Decimal) or r[i] is None
                                  for r in rows) for i in range(len(columns))]
    widths = [max([width(c), *(width(r[i]) for r in cells)]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        padded = []
        for i, v in enumerate(values):
            pad = " " * (widths[i] - width(v))
            padded.append(pad + v if numeric[i] else v + pad)
        return "  ".join(padded).rstrip()

    out = [line(columns), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    return "\n".join(out) + "\n"


# --- Datasette ------------------------------------------------------------------------------


def datasette_metadata(database: str = "factbase") -> dict[str, Any]:
    """Datasette metadata describing every table and view (from the schema's comments and
    :data:`factbase.store.schema.VIEWS`), for ``datasette factbase.db -m metadata.json``.
    ``database``: the name Datasette gives the database (the file name without ``.db``)."""
    from factbase.store.schema import COLUMN_NOTES, FTS_TABLE, VIEWS, metadata

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
    for name, (description, columns) in sorted(VIEWS.items()):
        tables[name] = {"description": description, "columns": dict(columns)}
    return {
        "title": "factbase",
        "description": "An event-sourced, bitemporal fact database: the log (events), its "
                       "projections and views. See docs/sql.md for as-of queries.",
        "databases": {database: {"tables": tables}},
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
