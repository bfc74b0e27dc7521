"""The database backends the test suite runs on: SQLite files, or a PostgreSQL server.

``FACTBASE_TEST_DATABASE_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``)
switches the whole suite to PostgreSQL. The session creates one database on that server
(``fb_s_<pid>``, dropped at the end), and every test gets its own throwaway *schema* in it, a
"database" to factbase: its URL sets ``search_path`` to the schema (then ``public``, where the
``pg_trgm`` extension lives), so every unqualified name factbase uses lands there. A copy of a
template (migrated, or seeded) is the schema DDL of the migrations (Alembic's offline
``--sql`` script, captured once) plus the template's rows. Schemas rather than databases
because ``DROP DATABASE`` forces a checkpoint, about a second each on a busy machine, while
``DROP SCHEMA`` is instant. Unset, the suite runs on SQLite files under ``tmp_path``.
"""

from __future__ import annotations

import io
import itertools
import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from factbase.store.schema import metadata

#: The PostgreSQL server the suite runs on, or None for SQLite.
PG_URL = os.environ.get("FACTBASE_TEST_DATABASE_URL") or None
#: ``"postgresql"`` when :data:`PG_URL` is set, else ``"sqlite"``.
BACKEND = "postgresql" if PG_URL else "sqlite"


def _migrations_sql() -> str:
    """The migrations to head as one PostgreSQL script (Alembic offline mode)."""
    from alembic import command
    from alembic.config import Config

    from factbase.store.migrate import migrations_dir

    buf = io.StringIO()
    cfg = Config(output_buffer=buf)
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", "postgresql+psycopg://offline/offline")
    command.upgrade(cfg, "head", sql=True)
    return buf.getvalue()


class PgServer:
    """Throwaway factbase databases (schemas ``t<n>`` of one session database) on the
    PostgreSQL server at ``url``."""

    def __init__(self, url: str) -> None:
        server = make_url(url)
        self.admin: Engine = create_engine(url, isolation_level="AUTOCOMMIT")
        self.name = f"fb_s_{os.getpid()}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
            conn.exec_driver_sql(f"CREATE DATABASE {self.name}")
        self.base = server.set(database=self.name)
        self.engine: Engine = create_engine(self.base, isolation_level="AUTOCOMMIT")
        with self.engine.connect() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        self._numbers = itertools.count(1)
        self._schemas: dict[str, str] = {}  # url -> schema
        self._ddl: str | None = None

    def url_of(self, schema: str) -> str:
        """The SQLAlchemy URL of the factbase database in ``schema``."""
        return self.base.set(query={"options": f"-csearch_path={schema},public"}) \
            .render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        """A new database: empty, or a copy of the one at URL ``template``; returns its URL."""
        schema = f"t{next(self._numbers)}"
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
            if template is not None:
                source = self._schemas[template]
                if self._ddl is None:
                    self._ddl = _migrations_sql()
                conn.exec_driver_sql(f"SET search_path TO {schema}, public")
                conn.exec_driver_sql(self._ddl)
                conn.exec_driver_sql(f"DELETE FROM {schema}.alembic_version")
                for table in ["alembic_version", *(t.name for t in metadata.sorted_tables)]:
                    conn.exec_driver_sql(
                        f"INSERT INTO {schema}.{table} SELECT * FROM {source}.{table}")
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{schema}.search_docs', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {schema}.search_docs), false)")
        url = self.url_of(schema)
        self._schemas[url] = schema
        return url

    def drop(self, url: str) -> None:
        """Drop the database of ``url`` and everything in it."""
        schema = self._schemas.pop(url)
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    def close(self) -> None:
        """Drop the session database and release the pools."""
        self.engine.dispose()
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        self.admin.dispose()

    def version(self) -> str:
        with self.admin.connect() as conn:
            return str(conn.exec_driver_sql("SHOW server_version").scalar_one())


def copy_sqlite(src: Path, dst: Path) -> Path:
    """A consistent copy of the SQLite database ``src`` (WAL included) at ``dst``, made with the
    backup API over whatever was at ``dst``, with no stale -wal or -shm file left beside it."""
    for suffix in ("", "-wal", "-shm"):
        dst.with_name(dst.name + suffix).unlink(missing_ok=True)
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()
    return dst


def dump(db: Path | str) -> str:
    """Every table's rows, as text, to compare a database before and after a refused write:
    SQLite's ``iterdump``; on PostgreSQL each table of the current schema, rows sorted."""
    from sqlalchemy import inspect

    from factbase.store.engine import database_url

    url = database_url(db)
    if make_url(url).get_backend_name() == "sqlite":
        conn = sqlite3.connect(make_url(url).database or "")
        try:
            return "\n".join(conn.iterdump())
        finally:
            conn.close()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            out = []
            insp = inspect(conn)
            for name in sorted(insp.get_table_names()) + sorted(insp.get_view_names()):
                rows = conn.exec_driver_sql(f'SELECT * FROM "{name}"').fetchall()
                out.append(f"-- {name}")
                out += sorted(repr(tuple(r)) for r in rows)
            return "\n".join(out)
    finally:
        engine.dispose()


def copy_database(pg: PgServer | None, template: Path | str, folder: Path, name: str) -> str:
    """A copy of ``template`` that lives as long as the session: a SQLite file ``name`` in
    ``folder``, or a PostgreSQL copy (for module- and session-scoped fixtures)."""
    if pg is None:
        return str(copy_sqlite(Path(template), folder / name))
    return pg.create(str(template))


def empty_database(pg: PgServer | None, folder: Path, name: str) -> str:
    """A new database that lives as long as the session (a SQLite path not yet created, or
    an empty PostgreSQL database)."""
    return str(folder / name) if pg is None else pg.create()


def select_rows(db: Path | str, sql: str) -> list[tuple[object, ...]]:
    """The rows of ``sql`` on ``db`` (a path or URL), on a connection of its own."""
    from factbase.store.engine import database_url

    engine = create_engine(database_url(db))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql)]
    finally:
        engine.dispose()
