"""Engines: turning ``--db`` into a SQLAlchemy engine with the right per-dialect settings.

SQLite gets WAL journaling, foreign keys, a busy timeout, and explicit transaction control
(the pysqlite driver's own implicit BEGIN is switched off, as the SQLAlchemy documentation's
"Serializable isolation / Savepoints / Transactional DDL" recipe for pysqlite describes), so
that a write transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock up front, and
two writers wait for each other instead of failing half-way with "database is locked".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url

BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "factbase_write"


def database_url(db: str | os.PathLike[str]) -> str:
    """A SQLAlchemy URL for ``db``: a URL is kept; anything else is a SQLite file path."""
    text = os.fspath(db)
    if "://" in text:
        return text
    return "sqlite:///" + str(Path(text).expanduser().absolute())


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for other dialects and in-memory databases."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def claim_new_file(path: Path) -> bool:
    """Create ``path`` empty if it does not exist (``O_CREAT | O_EXCL``: atomic, so of two
    processes creating the same new database only one is its creator); True if this call
    made it. SQLite treats an empty file as an empty database. A missing folder answers
    False: opening the database then reports it."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except OSError:  # FileExistsError, or e.g. a missing directory
        return False
    return True


def remove_sqlite_files(path: Path) -> None:
    """Remove the SQLite database at ``path`` with its WAL, shared-memory and journal files
    (those that exist). The caller closes every connection to it first."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def folder_read_only(path: Path) -> bool:
    """Whether the SQLite database ``path`` sits in a folder this process may not write to.
    SQLite in WAL mode keeps two files beside the database (``-wal``, ``-shm``) and creates
    them when the first connection opens it, so such a database can be read only through a
    read-only connection (:func:`make_engine` with ``read_only``) and written not at all."""
    return not os.access(path.parent, os.W_OK)


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """Create an engine for ``url`` (see the module docstring for the SQLite settings).

    ``read_only`` opens SQLite with ``mode=ro`` (the connection itself refuses writes); when
    the database has no ``-wal`` file beside it (closed cleanly: nothing waits to be written
    into it), also ``immutable=1``, which lets SQLite read it without creating the ``-shm``
    file, so a database in a read-only folder can still be queried.
    """
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True)
    kwargs: dict[str, Any] = {}
    if read_only and u.database and u.database != ":memory:":
        path = Path(u.database).absolute()
        wal = path.with_name(path.name + "-wal")
        extra = "" if wal.exists() and wal.stat().st_size else "&immutable=1"
        url = f"sqlite:///file:{path.as_posix()}?mode=ro{extra}&uri=true"
    engine = create_engine(url, future=True, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see module docstring)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
