"""`factbase verify`: any change made to the log behind factbase's back is found, and the
first bad sequence number is named; the database itself refuses UPDATE and DELETE on the log;
projection drift is found and `factbase rebuild` repairs it.

Tampering goes through raw SQL on a connection of its own (as an outsider would), after
dropping the guard triggers with :func:`factbase.store.guards.drop_log_guards`; on PostgreSQL
the outsider also turns off the foreign keys from the projections to the log
(``session_replication_role = replica``, as a superuser may) to renumber or delete rows.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from factbase.cli import cli
from factbase.store.chain import HASHED_COLUMNS, check_chain, row_hash
from factbase.store.engine import database_url
from factbase.store.guards import (
    GUARD_MESSAGE,
    create_log_guards,
    drop_log_guards,
    log_guards_present,
)
from factbase.store.log import _PG_APPEND_LOCK
from factbase.store.rows import COLUMNS, content_hash
from factbase.store.schema import format_utc


@pytest.fixture
def db(seeded_template: Path | str, clone_db: Any) -> str:
    """A private copy of the seeded database (a SQLite path or a PostgreSQL URL)."""
    return str(clone_db(seeded_template))


def raw(db: Path | str) -> Engine:
    """A plain engine in autocommit mode (no transaction holding a lock between statements)."""
    return create_engine(database_url(str(db)), isolation_level="AUTOCOMMIT")


def run(db: Path | str, sql: str, params: dict[str, Any] | None = None) -> int:
    """Run one statement on its own connection; its rowcount."""
    engine = raw(db)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql), params or {}).rowcount)
    finally:
        engine.dispose()


def rows(db: Path | str) -> list[dict[str, Any]]:
    engine = raw(db)
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(text("SELECT * FROM events ORDER BY seq"))
                    .mappings()]
    finally:
        engine.dispose()


def count(db: Path | str) -> int:
    return len(rows(db))


def drop_guards(db: Path | str) -> None:
    engine = create_engine(database_url(str(db)))
    try:
        with engine.begin() as conn:
            drop_log_guards(conn)
            assert not log_guards_present(conn)
    finally:
        engine.dispose()


def tamper(db: Path | str, *statements: tuple[str, dict[str, Any]]) -> None:
    """Change the log as an outsider would: drop the guards, run ``statements``, and put the
    guards back (so only the changed rows give the outsider away)."""
    drop_guards(db)
    engine = create_engine(database_url(str(db)))
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for sql, params in statements:
                conn.execute(text(sql), params)
            create_log_guards(conn)
    finally:
        engine.dispose()


def verify(db: Path | str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "verify", *args])


def assert_broken_at(db: Path | str, seq: int, problem: str) -> None:
    result = verify(db)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: hash chain broken at event {seq}: {problem}\n"
    as_json = verify(db, "--format", "json")
    assert as_json.exit_code == 1
    assert f'"bad_seq": {seq}' in as_json.stdout and '"ok": false' in as_json.stdout


# --- an intact log ------------------------------------------------------------------------


def test_verify_on_an_intact_log_exits_0_and_counts_every_event(db: str, backend: str) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db), "verify"], catch_exceptions=False)
    assert result.exit_code == 0
    index = (r"search index matches its 90 documents" if backend == "sqlite" else
             r"search indexes in place \(PostgreSQL keeps them in step\), sql reader role "
             r"limited to SELECT on 13 tables and views")
    assert re.fullmatch(rf"ok: {count(db)} events, hash chain intact, registrations and names "
                        r"consistent, other projections unchecked \(head [0-9a-f]{16}\)\n"
                        r"also checked: content hashes match, append-only triggers in place, "
                        rf"{index}\n", result.stdout)
    assert result.stderr == ""


def test_the_stored_hashes_are_the_chain_formula_over_the_raw_rows(db: str) -> None:
    # The tamper tests below forge rows with row_hash(); this proves that is the real formula.
    prev = "0" * 64
    for row in rows(db):
        assert row["prev_hash"] == prev
        assert row_hash(prev, row) == row["hash"]
        prev = row["hash"]


# --- the database refuses changes to the log ------------------------------------------------


@pytest.mark.parametrize("sql", [
    "UPDATE events SET payload = '{}' WHERE seq = 5",
    "UPDATE events SET recorded_at = '2020-01-01T00:00:00.000000Z'",
    "DELETE FROM events WHERE seq = 5",
    "DELETE FROM events",
])
def test_the_database_refuses_update_and_delete_on_the_log(db: str, sql: str) -> None:
    before = rows(db)
    with pytest.raises(DBAPIError) as exc:
        run(db, sql)
    # SQLite: the trigger's RAISE message; PostgreSQL: the same, then a CONTEXT line.
    assert str(exc.value.orig).splitlines()[0] == GUARD_MESSAGE
    assert GUARD_MESSAGE == "the events log is append-only: its rows cannot be changed or deleted"
    assert rows(db) == before
    assert verify(db).exit_code == 0


@pytest.mark.postgresql_only("SQLite has no TRUNCATE")
def test_postgresql_refuses_truncate_on_the_log(db: str) -> None:
    before = rows(db)
    with pytest.raises(DBAPIError) as exc:
        run(db, "TRUNCATE events CASCADE")
    assert str(exc.value.orig).splitlines()[0] == GUARD_MESSAGE
    assert rows(db) == before


# --- tampering behind factbase's back --------------------------------------------------------


def test_one_changed_byte_of_a_payload_is_found_at_its_row(db: str) -> None:
    payload = rows(db)[4]["payload"]
    i = payload.index(":") + 2
    changed = payload[:i] + ("x" if payload[i] != "x" else "y") + payload[i + 1:]
    assert len(changed) == len(payload) and changed != payload
    tamper(db, ("UPDATE events SET payload = :p WHERE seq = 5", {"p": changed}))
    assert_broken_at(db, 5, "event 5 was changed after it was recorded")


def test_a_deleted_middle_row_is_found_at_its_sequence_number(db: str) -> None:
    tamper(db, ("DELETE FROM events WHERE seq = 40", {}))
    assert_broken_at(db, 40, "sequence number 40 is missing (found 41)")


def test_two_swapped_rows_are_found_at_the_first_of_them(db: str) -> None:
    # Swapping seq values swaps the rows' contents between positions 10 and 11.
    tamper(db,
           ("UPDATE events SET seq = -1 WHERE seq = 10", {}),
           ("UPDATE events SET seq = 10 WHERE seq = 11", {}),
           ("UPDATE events SET seq = 11 WHERE seq = -1", {}))
    assert_broken_at(db, 10, "event 10 does not link to the event before it")


def test_a_row_inserted_in_the_middle_is_found_even_with_a_forged_hash(db: str) -> None:
    # Make room at 30 by renumbering 30.. upwards, then insert a row whose own hash and link
    # are correct: the chain still breaks at the next row, whose prev_hash cannot match.
    before = rows(db)
    n = len(before)
    forged = dict(before[28], seq=30, event_id="forged-event", payload='{"org":"xai"}')
    forged["content_hash"] = content_hash(tuple(forged[c] for c in COLUMNS))
    forged["prev_hash"] = before[28]["hash"]
    forged["hash"] = row_hash(forged["prev_hash"], forged)
    columns = ", ".join(forged)
    tamper(db,
           ("UPDATE events SET seq = -seq WHERE seq >= 30", {}),
           ("UPDATE events SET seq = 1 - seq WHERE seq < 0", {}),
           (f"INSERT INTO events ({columns}) VALUES ({', '.join(':' + c for c in forged)})",
            forged))
    assert count(db) == n + 1
    assert_broken_at(db, 31, "event 31 does not link to the event before it")


def test_a_changed_recorded_at_is_found_at_its_row(db: str) -> None:
    tamper(db, ("UPDATE events SET recorded_at = '2020-01-01T00:00:00.000000Z' WHERE seq = 20",
                {}))
    assert_broken_at(db, 20, "event 20 was changed after it was recorded")


# --- the chain rule, for any row and any column --------------------------------------------


@pytest.fixture(scope="module")
def chain_rows(seeded_template: Path | str) -> list[dict[str, Any]]:
    # As plain values (PostgreSQL gives dates and instants as objects): the hashed forms.
    return [{k: format_utc(v) if isinstance(v, datetime) else
             v.isoformat() if isinstance(v, date) else v for k, v in r.items()}
            for r in rows(seeded_template)]


def _edited(value: Any) -> Any:
    if value is None:
        return "x"
    if isinstance(value, int):
        return value + 1
    return value[:-1] + ("x" if value[-1:] != "x" else "y") if value else "x"


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_any_edited_hashed_column_breaks_the_chain_at_that_row(
        chain_rows: list[dict[str, Any]], data: st.DataObject) -> None:
    assert check_chain(chain_rows).ok
    seq = data.draw(st.integers(1, len(chain_rows)), label="seq")
    column = data.draw(st.sampled_from([c for c in HASHED_COLUMNS if c != "seq"]), label="col")
    edited = [dict(r) for r in chain_rows]
    edited[seq - 1][column] = _edited(edited[seq - 1][column])
    report = check_chain(edited)
    assert report.bad_seq == seq


# --- projections -----------------------------------------------------------------------------


@pytest.mark.parametrize(("table", "sql"), [
    ("entities", "UPDATE entities SET name = 'Tampered' WHERE entity_id = 'xai'"),
    ("entity_names", "DELETE FROM entity_names WHERE entity_id = 'tony-wu' AND name = '吴宇怀' "
                     "AND folded = 'wuyuhuai'"),
    ("sources", "UPDATE sources SET url = 'https://example.com/' "
                "WHERE source_id = 'huxiu-4835050'"),
])
def test_a_tampered_projection_fails_verify_until_rebuilt(db: str, table: str,
                                                          sql: str) -> None:
    assert run(db, sql) == 1
    result = verify(db, "--projections")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: projection '{table}' differs from a rebuild of "
                                    "the log (")
    assert result.stderr.endswith("); run `factbase rebuild`\n")
    assert result.stderr.count("\n") == 1

    n = count(db)
    rebuilt = CliRunner().invoke(cli, ["--db", str(db), "rebuild"], catch_exceptions=False)
    assert rebuilt.exit_code == 0
    assert rebuilt.stdout == f"rebuilt projections from {n} events\n"
    assert verify(db).exit_code == 0
    engine = raw(db)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql(
                "SELECT name FROM entities WHERE entity_id = 'xai'").scalar_one() == "xAI"
    finally:
        engine.dispose()


def test_rebuild_does_not_touch_the_log(db: str) -> None:
    before = rows(db)
    result = CliRunner().invoke(cli, ["--db", str(db), "rebuild"], catch_exceptions=False)
    assert result.exit_code == 0
    assert rows(db) == before


@pytest.fixture
def busy_writer(db: str) -> Iterator[None]:
    """Another connection holds the write lock (as a running load does) for half a second:
    SQLite's (BEGIN IMMEDIATE), or on PostgreSQL the advisory lock appends take."""
    engine = raw(db)
    conn = engine.connect()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        release = "ROLLBACK"
    else:
        conn.exec_driver_sql(f"SELECT pg_advisory_lock({_PG_APPEND_LOCK})")
        release = f"SELECT pg_advisory_unlock({_PG_APPEND_LOCK})"
    timer = threading.Timer(0.5, lambda: conn.exec_driver_sql(release))
    timer.start()
    try:
        yield
    finally:
        timer.join()
        conn.close()
        engine.dispose()


def test_verify_runs_while_another_writer_holds_the_lock(db: str, busy_writer: None) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db), "verify"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout.startswith("ok: ")


def test_an_unknown_evidence_level_is_one_error_line(db: str) -> None:
    """An evidence level the loader would refuse, written behind factbase's back, stops a read
    that ranks evidence with one clear error naming the event, not a traceback."""
    tamper(db, ("UPDATE events SET evidence = 'bogus' WHERE seq = 15", {}))
    result = CliRunner().invoke(cli, ["--db", db, "org", "xai", "--as-of", "2026-03-01",
                                      "--min-evidence", "confirmed"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: event 'entity.xai' (seq 15) has a malformed evidence ('bogus' is not confirmed, "
        "reported or unconfirmed): the log was changed outside factbase; run factbase verify\n")
    unchecked = CliRunner().invoke(cli, ["--db", db, "--no-check-hashes", "org", "xai",
                                         "--as-of", "2026-03-01", "--min-evidence", "confirmed"])
    assert (unchecked.exit_code, unchecked.stdout, unchecked.stderr) == (
        1, "", result.stderr)
