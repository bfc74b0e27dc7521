"""Alembic environment for factbase.

Runs on a connection handed in by factbase (``config.attributes["connection"]``, the path
``factbase init`` and upgrade-on-open take) or, for a developer running ``alembic`` by hand,
on an engine built from ``-x url=…`` or ``sqlalchemy.url`` in alembic.ini.
``render_as_batch`` lets autogenerate write SQLite-safe table rebuilds; it is a no-op elsewhere.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from factbase.store.schema import include_name, metadata

config = context.config


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,  # the FTS5 index has no model
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    assert url, "give -x url=… or sqlalchemy.url in alembic.ini"
    engine = create_engine(url)
    with engine.connect() as conn:
        run_on(conn)
        conn.commit()


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
