"""Bulk INSERTs: one executemany per batch of rows, as cheaply as the database allows.

SQLAlchemy's ``conn.execute(insert(table), rows)`` builds a parameter dict per row and runs
every column's bind processor through the compiled statement; over the hundreds of thousands of
rows of a large load that was a third of the load's time. On SQLite, :func:`insert_rows` forms
the parameter tuples itself — with the same bind processors SQLAlchemy would apply, so a
``DATE`` is stored as ISO text and a UTC instant in its fixed-width form exactly as before —
and hands them to the sqlite3 cursor's ``executemany``, inside the caller's transaction (the
same DBAPI connection). Other databases keep SQLAlchemy's ``insert()`` (dialect-checked).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

_Plan = tuple[str, tuple[str, ...], tuple[Callable[[Any], Any] | None, ...]]
_PLANS: dict[tuple[Table, tuple[str, ...]], _Plan] = {}  # SQLite's, by table and keys


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT ``rows`` (mappings of column name to value, all with the keys of the first;
    keys that are not columns of ``table`` are ignored) into ``table`` in one executemany.

    Values are Python values, as for ``conn.execute(insert(table), rows)``, and are stored
    identically. Errors are SQLAlchemy's (:class:`sqlalchemy.exc.DBAPIError` subclasses, e.g.
    ``IntegrityError``), as from ``conn.execute``.
    """
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), list(rows))
        return
    sql, keys, procs = _plan(conn, table, tuple(rows[0]))
    if any(procs):
        params: list[tuple[Any, ...]] = [
            tuple(v if p is None or v is None else p(v)
                  for v, p in zip([r[k] for k in keys], procs, strict=True))
            for r in rows]
    else:
        params = [tuple([r[k] for k in keys]) for r in rows]
    executemany(conn, sql, params)


def executemany(conn: Connection, sql: str, params: Sequence[Sequence[Any]]) -> None:
    """Run ``sql`` (the DBAPI's paramstyle) once per tuple of ``params`` on the DBAPI cursor
    of ``conn``, inside its transaction; DBAPI errors come back as SQLAlchemy's."""
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(sql, params)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(sql, None, exc, conn.dialect.loaded_dbapi.Error,
                                  dialect=conn.dialect, ismulti=True) from exc
    finally:
        cursor.close()


def _plan(conn: Connection, table: Table, given: tuple[str, ...]) -> _Plan:
    """The INSERT text, column keys and bind processors for rows with the keys ``given``."""
    key = (table, given)
    plan = _PLANS.get(key)
    if plan is None:
        dialect = conn.dialect
        columns = [c for c in table.columns if c.key in given]
        quote = dialect.identifier_preparer.quote
        sql = (f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
               f"({', '.join(quote(c.name) for c in columns)}) "
               f"VALUES ({', '.join('?' for _ in columns)})")
        procs = tuple(c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns)
        plan = _PLANS[key] = (sql, tuple(c.key for c in columns), procs)
    return plan


#: Events a load must add before :func:`analyze` runs (small loads leave the plans alone).
ANALYZE_AFTER = 10_000


def analyze(conn: Connection, added: int) -> None:
    """After a load that added ``added`` events, give SQLite's query planner statistics
    (``ANALYZE``: about 1% of the load's time), so that, e.g., a query naming a stream and a
    type uses the stream index rather than the type index. SQLite only, and only from
    :data:`ANALYZE_AFTER` events; inside the caller's transaction."""
    if conn.dialect.name != "sqlite" or added < ANALYZE_AFTER:
        return
    conn.exec_driver_sql("ANALYZE")
