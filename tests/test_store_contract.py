"""The store contract: what the log promises, pinned once and run on every backend.

The ``eventsourcing`` library's pattern: one abstract test case (:class:`StoreContract`) states
the promises; one subclass per backend supplies an empty database migrated to head. The
promises: the log is append-only (the database itself refuses UPDATE and DELETE); positions
(``seq``) are unique and gapless, so each stream's events have unique positions and its
version is their count; an expected version that no longer holds is a conflict that writes
nothing; a batch lands whole or not at all; a read at a recorded time sees exactly what was
recorded by then; and both backends store the very same rows (same hashes).

The PostgreSQL subclass runs whenever a server answers: at ``FACTBASE_TEST_DATABASE_URL``
when the suite runs on PostgreSQL, else at :data:`DEFAULT_PG_URL`; it is skipped, saying so,
when none does.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError

from factbase.api import FactBase
from factbase.core.errors import ConflictError, InvalidRecord
from factbase.core.events import EventDraft
from factbase.core.fields import validate_record
from factbase.store import log
from factbase.store.engine import WRITE_OPTION, make_engine
from factbase.store.schema import events
from tests.backends import PgServer

#: Where the PostgreSQL contract looks for a server when the suite runs on SQLite.
DEFAULT_PG_URL = os.environ.get("FACTBASE_CONTRACT_PG_URL",
                                "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _draft(event_id: str, stream: str, day: str = "2026-01-05") -> EventDraft:
    """An event of ``stream`` (an organisation's founding: the stream is its org)."""
    return validate_record({"type": "org.founded", "id": event_id, "date": day,
                            "sources": ["article-1"], "org": stream,
                            "founders": ["jane-doe"]})


def _append(engine: Engine, drafts: Sequence[EventDraft], now: datetime | None = None,
            *, then: Callable[[Connection], Any] | None = None) -> list[dict[str, Any]]:
    """Append ``drafts`` in one write transaction (``then`` runs before the commit)."""
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        stored = list(log.append(conn, drafts, now=now))
        if then is not None:
            then(conn)
    return stored


def _rows(engine: Engine) -> list[tuple[Any, ...]]:
    """Every log row as the store keeps it, in log order, dates and instants as text."""
    cols = [c for c in events.columns]
    with engine.connect() as conn:
        return [tuple(str(v) if v is not None else None for v in r)
                for r in conn.execute(select(*cols).order_by(events.c.seq))]


def _seqs(engine: Engine, stream: str | None = None) -> list[int]:
    q = select(events.c.seq).order_by(events.c.seq)
    if stream is not None:
        q = q.where(events.c.stream == stream)
    with engine.connect() as conn:
        return [int(r.seq) for r in conn.execute(q)]


class StoreContract:
    """The promises of the log; a subclass provides ``url``: an empty migrated database."""

    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError  # each backend's subclass overrides this fixture

    @pytest.fixture
    def engine(self, url: str) -> Iterator[Engine]:
        engine = make_engine(url)
        yield engine
        engine.dispose()

    # --- append-only ------------------------------------------------------------------------

    def test_the_database_refuses_update_and_delete(self, engine: Engine) -> None:
        _append(engine, [_draft("a1", "acme"), _draft("b1", "beta")], T0)
        before = _rows(engine)
        for statement in ("UPDATE events SET stream = 'other' WHERE seq = 1",
                          "DELETE FROM events WHERE seq = 2",
                          "DELETE FROM events"):
            with pytest.raises(DBAPIError), engine.begin() as conn:
                conn.execute(text(statement))
        assert _rows(engine) == before

    def test_an_event_id_is_stored_once(self, engine: Engine) -> None:
        _append(engine, [_draft("a1", "acme")], T0)
        before = _rows(engine)
        with pytest.raises(IntegrityError):
            _append(engine, [_draft("a2", "acme"), _draft("a1", "acme", "2026-01-06")], T0)
        assert _rows(engine) == before

    # --- positions and versions -------------------------------------------------------------

    def test_positions_are_unique_and_gapless_and_versions_count_a_stream(
            self, engine: Engine) -> None:
        _append(engine, [_draft("a1", "acme"), _draft("b1", "beta")], T0)
        _append(engine, [_draft("a2", "acme", "2026-01-06")], T0 + timedelta(seconds=1))
        _append(engine, [_draft("b2", "beta", "2026-01-07"), _draft("a3", "acme", "2026-01-08")],
                T0 + timedelta(seconds=2))
        assert _seqs(engine) == [1, 2, 3, 4, 5]
        assert _seqs(engine, "acme") == [1, 3, 5]
        assert _seqs(engine, "beta") == [2, 4]
        with engine.connect() as conn:
            assert [log.stream_version(conn, s) for s in ("acme", "beta", "nobody")] == [3, 2, 0]
            assert log.count(conn) == 5
            assert log.verify_chain(conn).ok

    def test_an_expected_version_that_moved_is_a_conflict(self, engine: Engine) -> None:
        _append(engine, [_draft("a1", "acme")], T0)
        with engine.connect() as conn:
            log.check_versions(conn, {"acme": 1, "beta": 0})
            with pytest.raises(ConflictError) as exc:
                log.check_versions(conn, {"acme": 0, "beta": 0})
        assert (exc.value.stream, exc.value.expected, exc.value.actual) == ("acme", 0, 1)

    def test_a_writer_that_read_an_old_version_writes_nothing(self, url: str) -> None:
        with FactBase.open(url) as reader, FactBase.open(url) as other:
            other.add(_base_records())
            version = reader.stream_version("acme")
            other.add([_event("acme-unit", "2026-01-07")], expected_version=version)
            count = reader.count()
            with pytest.raises(ConflictError):
                reader.add([_event("acme-unit-2", "2026-01-08")], expected_version=version)
            assert reader.count() == count
            assert reader.stream_version("acme") == version + 1

    # --- atomic batches ---------------------------------------------------------------------

    def test_a_batch_that_fails_leaves_nothing(self, engine: Engine) -> None:
        _append(engine, [_draft("a1", "acme")], T0)
        before = _rows(engine)

        def fail(conn: Connection) -> None:
            raise RuntimeError("the disk filled up")

        with pytest.raises(RuntimeError):
            _append(engine, [_draft(f"x{i}", "acme", "2026-02-01") for i in range(2500)],
                    T0 + timedelta(seconds=1), then=fail)  # more than one INSERT batch
        assert _rows(engine) == before

    def test_a_load_with_one_bad_record_writes_nothing(self, url: str) -> None:
        with FactBase.open(url) as fb:
            fb.add(_base_records())
            count = fb.count()
            with pytest.raises(InvalidRecord):
                fb.add([_event("good-1", "2026-01-07"), {"type": "person.lefft"},
                        _event("good-2", "2026-01-08")])
            assert fb.count() == count

    # --- recorded time ----------------------------------------------------------------------

    def test_a_read_at_a_recorded_time_sees_what_was_recorded_by_then(
            self, engine: Engine) -> None:
        t1, t2 = T0, T0 + timedelta(hours=1)
        _append(engine, [_draft("a1", "acme"), _draft("b1", "beta")], t1)
        _append(engine, [_draft("a2", "acme", "2026-01-06")], t2)
        with engine.connect() as conn:
            def ids(known_at: datetime | None, **kw: Any) -> list[str]:
                return [e.event_id for e in
                        log.read_events(conn, log.select_events(known_at=known_at, **kw))]

            assert ids(t1 - timedelta(microseconds=1)) == []
            assert ids(t1) == ["a1", "b1"]  # inclusive
            assert ids(t2 - timedelta(seconds=1)) == ["a1", "b1"]
            assert ids(t2) == ids(None) == ["a1", "b1", "a2"]
            assert ids(t2, streams=["acme"]) == ["a1", "a2"]
            recorded = [e.recorded_at for e in log.read_events(conn, log.select_events())]
        assert recorded == [t1, t1, t2]
        assert all(r.tzinfo is not None and r.utcoffset() == timedelta(0) for r in recorded)

    def test_recorded_time_never_runs_backwards(self, engine: Engine) -> None:
        _append(engine, [_draft("a1", "acme")], T0)
        [row] = _append(engine, [_draft("a2", "acme", "2026-01-06")], T0 - timedelta(days=1))
        assert row["recorded_at"] == T0


def _base_records() -> list[dict[str, Any]]:
    return [
        {"type": "source.registered", "source": "article-1", "url": "https://example.com/a1",
         "title": "An article", "published": "2026-02-10"},
        {"type": "entity.registered", "entity": "acme", "kind": "organization",
         "name": "Acme"},
        {"type": "entity.registered", "entity": "jane-doe", "kind": "person",
         "name": "Jane Doe"},
        {"id": "acme-founded", "type": "org.founded", "date": "2026-01-05",
         "sources": ["article-1"], "org": "acme", "founders": ["jane-doe"]},
    ]


def _event(event_id: str, day: str) -> dict[str, Any]:
    return {"id": event_id, "type": "unit.created", "date": day, "sources": ["article-1"],
            "unit": event_id, "org": "acme", "name": event_id.title(), "kind": "division"}


# --- the backends ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_server(pg: PgServer | None) -> Iterator[PgServer]:
    """The suite's PostgreSQL server, else one answering at :data:`DEFAULT_PG_URL`."""
    if pg is not None:
        yield pg
        return
    probe = create_engine(DEFAULT_PG_URL, connect_args={"connect_timeout": 2})
    try:
        with probe.connect():
            pass
    except Exception as exc:  # noqa: BLE001 - no driver, no server, refused: all "skip"
        pytest.skip(f"no PostgreSQL server answers at {DEFAULT_PG_URL} "
                    f"({type(exc).__name__}); set FACTBASE_CONTRACT_PG_URL")
    finally:
        probe.dispose()
    server = PgServer(DEFAULT_PG_URL)
    try:
        yield server
    finally:
        server.close()


def _migrated(url: str) -> str:
    FactBase.open(url, create=True).close()
    return url


class TestSQLiteStore(StoreContract):
    @pytest.fixture
    def url(self, tmp_path: Path) -> str:
        return _migrated(f"sqlite:///{tmp_path / 'contract.db'}")


class TestPostgreSQLStore(StoreContract):
    @pytest.fixture
    def url(self, pg_server: PgServer) -> str:
        return _migrated(pg_server.create())


def test_both_backends_store_the_same_rows(tmp_path: Path, pg_server: PgServer) -> None:
    """The same appends at the same recorded times give the same rows, hashes included."""
    stored = []
    for url in (f"sqlite:///{tmp_path / 'same.db'}", pg_server.create()):
        engine = make_engine(_migrated(url))
        try:
            _append(engine, [_draft("a1", "acme"), _draft("b1", "beta", "2026-02")], T0)
            _append(engine, [_draft("a2", "acme", "2026-01-06~")], T0 + timedelta(hours=1))
            stored.append(_rows(engine))
        finally:
            engine.dispose()
    sqlite_rows, pg_rows = stored
    assert len(sqlite_rows) == 3
    assert sqlite_rows == pg_rows
