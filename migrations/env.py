"""Alembic environment for factbase.

Runs on a connection handed in by factbase (``config.attributes["connection"]``, the path
``factbase init`` and upgrade-on-open take) or, for a developer running ``alembic`` by hand,
on factbase's engine (:func:`factbase.store.engine.make_engine`: foreign keys on for SQLite)
built from ``-x url=…`` or ``sqlalchemy.url`` in alembic.ini.
``render_as_batch`` lets autogenerate write SQLite-safe table rebuilds; it is a no-op elsewhere.
Every online upgrade or downgrade ends by re-asserting the log's append-only guards
(:func:`reassert_log_guards`), so a revision that rebuilds ``events`` cannot drop them.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from factbase.store.engine import WRITE_OPTION, database_url, make_engine
from factbase.store.guards import create_log_guards, drop_log_guards, log_guards_present
from factbase.store.schema import include_name, metadata

config = context.config


def reassert_log_guards(connection: Connection) -> None:
    """Re-create the append-only guards on ``events`` if a migration lost them.

    A batch rebuild (SQLite has little ALTER TABLE, so Alembic copies the table, drops the old
    one and renames the copy) drops the table's triggers with it; running this after every
    upgrade and downgrade means no revision can leave the log unguarded, whatever it forgot.
    A no-op when the guards are there or ``events`` is not (below the first revision)."""
    if inspect(connection).has_table("events") and not log_guards_present(connection):
        drop_log_guards(connection)  # whatever part is left, so creating cannot clash
        create_log_guards(connection)


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,  # the FTS5 index has no model
    )
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite >= 3.26 checks the views while renaming a table, so the last step of a batch
        # rebuild of `events` (rename the copy into place) fails: the views timeline and
        # citations name the table just dropped. The legacy rule renames without that check;
        # the views then find the rebuilt table by its name.
        connection.exec_driver_sql("PRAGMA legacy_alter_table = ON")
    try:
        with context.begin_transaction():
            context.run_migrations()
            reassert_log_guards(connection)
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA legacy_alter_table = OFF")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    assert url, "give -x url=… or sqlalchemy.url in alembic.ini"
    # factbase's own engine, so a connection made here is set up as factbase's are: on SQLite
    # foreign keys on (SQLite's default is off), WAL, a busy timeout and BEGIN IMMEDIATE.
    engine = make_engine(database_url(url))
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
        run_on(conn)
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
