"""The database's own refusal to change the log: UPDATE and DELETE on ``events`` abort.

SQLite: ``BEFORE UPDATE``/``BEFORE DELETE`` triggers calling ``RAISE(ABORT, …)`` (SQLite
documentation, "CREATE TRIGGER", the RAISE() function). PostgreSQL: a PL/pgSQL function raising
``insufficient_privilege`` bound by ``BEFORE UPDATE OR DELETE … FOR EACH ROW`` and ``BEFORE
TRUNCATE`` triggers. Migrations create them; every later migration that rebuilds ``events``
must call :func:`create_log_guards` again (batch mode drops triggers with the old table).
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

GUARD_MESSAGE = (
    "the events log is append-only: its rows cannot be changed or deleted"
)

_SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, '{GUARD_MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, '{GUARD_MESSAGE}'); END""",
]
_POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION factbase_events_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION '{GUARD_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
        END $$""",
    """CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION factbase_events_append_only()""",
    """CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION factbase_events_append_only()""",
]


def create_statements(dialect: str) -> list[str]:
    """The SQL that creates the guards on ``dialect`` (``sqlite`` or ``postgresql``).

    Migrations run these with ``op.execute`` so offline mode (``alembic upgrade --sql``)
    prints them too."""
    return list(_SQLITE if dialect == "sqlite" else _POSTGRESQL)


def drop_statements(dialect: str) -> list[str]:
    """The SQL that drops the guards on ``dialect``."""
    if dialect == "sqlite":
        return ["DROP TRIGGER IF EXISTS events_no_update",
                "DROP TRIGGER IF EXISTS events_no_delete"]
    return ["DROP TRIGGER IF EXISTS events_no_update_delete ON events",
            "DROP TRIGGER IF EXISTS events_no_truncate ON events",
            "DROP FUNCTION IF EXISTS factbase_events_append_only()"]


def create_log_guards(conn: Connection) -> None:
    """Create the append-only guards on ``events`` for this connection's dialect."""
    for sql in create_statements(conn.dialect.name):
        conn.exec_driver_sql(sql)


def drop_log_guards(conn: Connection) -> None:
    """Drop the guards (used by downgrades and by tamper tests only)."""
    for sql in drop_statements(conn.dialect.name):
        conn.exec_driver_sql(sql)


def log_guards_present(conn: Connection) -> bool:
    """True when every guard trigger exists."""
    if conn.dialect.name == "sqlite":
        names = {
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='events'"
            )
        }
        return {"events_no_update", "events_no_delete"} <= names
    names = {
        r[0]
        for r in conn.exec_driver_sql(
            # to_regclass: NULL rather than an error when there is no events table yet
            "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass('events')"
        )
    }
    return {"events_no_update_delete", "events_no_truncate"} <= names
