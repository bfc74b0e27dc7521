"""Schema versions: upgrade a database to the code's head, refuse one that is newer.

The query path never imports Alembic: :func:`schema_state` reads ``alembic_version`` with one
query and compares it with :data:`HEAD_REVISION`. Alembic is imported only to upgrade (on
``factbase init``, on the first write to a new database, and when opening a database that is
behind). The migrations ship inside the wheel as ``factbase/migrations``; in a source checkout
they are the top-level ``migrations/`` folder.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from factbase.core.errors import SchemaError

#: Every revision, oldest first. A test holds this equal to Alembic's own history.
REVISIONS: tuple[str, ...] = ("0001_log", "0002_intervals", "0003_redaction", "0004_pg_search",
                                  "0005_holdings", "0006_sql_reader", "0007_bitemporal",
                                  "0008_tools", "0009_name_skeletons")
HEAD_REVISION = REVISIONS[-1]

SchemaState = Literal["empty", "current", "behind"]

_VERSION = text("SELECT version_num FROM alembic_version")


def migrations_dir() -> Path:
    """The Alembic script directory: packaged (wheel) or the source checkout's."""
    packaged = resources.files("factbase") / "migrations"
    if packaged.is_dir():
        return Path(str(packaged))
    here = Path(__file__).resolve().parents[2] / "migrations"
    if here.is_dir():
        return here
    raise SchemaError("factbase's migrations are missing from this installation; reinstall it")


def schema_state(conn: Connection) -> SchemaState:
    """Where ``conn``'s database stands against the code.

    Returns ``"empty"`` (no factbase tables yet), ``"current"`` or ``"behind"``.
    Raises :class:`SchemaError` for a database that is newer than the code, or one holding
    other tables but no factbase schema.

    A factbase database is answered by one query (its ``alembic_version`` row); only when
    that table is missing does the schema get inspected further.
    """
    try:
        if conn.dialect.name == "sqlite":
            rows = conn.execute(_VERSION).fetchall()
        else:
            with conn.begin_nested():  # a failed statement would abort the transaction
                rows = conn.execute(_VERSION).fetchall()
    except DBAPIError:
        rows = None  # no such table (or no database at all: inspecting says which)
    if rows is None:
        insp = inspect(conn)
        if not insp.has_table("alembic_version"):
            if insp.get_table_names():
                raise SchemaError(
                    "this database has tables but no factbase schema; "
                    "point --db at a new file or a factbase database"
                )
            return "empty"
        rows = conn.execute(_VERSION).fetchall()
    versions = [r[0] for r in rows]
    if not versions:
        return "empty"
    version = versions[0]
    if version == HEAD_REVISION:
        return "current"
    if version in REVISIONS:
        return "behind"
    raise SchemaError(
        f"database schema revision '{version}' is newer than this factbase "
        f"(it knows up to '{HEAD_REVISION}'); upgrade factbase: pip install -U factbase"
    )


def upgrade_to_head(conn: Connection) -> None:
    """Run every pending migration on ``conn`` (in its transaction; the caller commits)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
