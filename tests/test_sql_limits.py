"""`factbase sql` on a team server and against runaway queries.

On PostgreSQL the query runs as the role factbase_reader through its security-definer function
(:mod:`factbase.store.reader`): each thing a superuser connection could do through `sql` — write
or read a server file, lock the log, take an advisory lock, make the transaction read-write,
notify listeners, reload the server's configuration, climb back to the connecting user — is
refused with one line, and the database is unchanged. On every backend a query stops at
`--timeout` and at Ctrl-C, the table format shows at most `--limit` rows and says so, and csv
and json stream their rows with flat memory.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from factbase.api import FactBase
from factbase.cli import cli
from factbase.store.engine import database_url
from factbase.store.sqlquery import QueryInterrupted, QueryStopped
from tests.backends import dump

ONLY_ROWS = ("Error: the sql command is read-only: it runs queries that return rows (SELECT, "
             "WITH … SELECT, VALUES, TABLE), not {}\n")
DENIED = ("Error: the sql command may not do that: {} (it runs as factbase_reader, which may "
          "read the documented tables only)\n")
#: A query of ``n`` rows, the same on SQLite and PostgreSQL.
SERIES = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {n}) " \
         "SELECT x FROM c"
#: Rows without end (SQLite streams them; PostgreSQL would gather them on disk).
RUNAWAY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
#: A count that takes hours (79^5 rows of the seed), holding nothing on any backend.
CROSS = "SELECT count(*) AS n FROM events a, events b, events c, events d, events e"


@pytest.fixture
def db(seeded_template: Path | str, clone_db: Any) -> str:
    return str(clone_db(seeded_template))


def sql(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db, "sql", *args])


# --- PostgreSQL: what a superuser connection could do through sql, refused ------------------


def _attacks(tmp: Path) -> list[tuple[str, str]]:
    return [
        (f"COPY (SELECT 'x') TO '{tmp / 'written-by-sql'}'", ONLY_ROWS.format("COPY")),
        ("SELECT pg_read_file('/etc/hostname')",
         DENIED.format("permission denied for function pg_read_file")),
        ("LOCK TABLE events IN ACCESS EXCLUSIVE MODE", ONLY_ROWS.format("LOCK TABLE")),
        ("SELECT pg_advisory_lock(1)::text",
         DENIED.format("advisory locks are not allowed")),
        ("SET TRANSACTION READ WRITE", ONLY_ROWS.format("SET TRANSACTION")),
        ("NOTIFY factbase_test", ONLY_ROWS.format("NOTIFY")),
        ("SELECT pg_reload_conf()", DENIED.format("permission denied for function "
                                                  "pg_reload_conf")),
        # ways back to the connecting user, and around the role
        ("SELECT set_config('role', 'none', true), query_to_xml('SELECT pg_read_file("
         "''/etc/hostname'')', true, false, '')",
         DENIED.format('cannot set parameter "role" within security-definer function')),
        ("SELECT set_config('session_authorization', 'postgres', true)",
         DENIED.format('cannot set parameter "session_authorization" within '
                       "security-definer function")),
        ("DO $$ BEGIN PERFORM pg_reload_conf(); END $$", ONLY_ROWS.format("DO")),
        ("SELECT pg_try_advisory_lock(42)", DENIED.format("advisory locks are not allowed")),
        ("SELECT pg_advisory_xact_lock(42)::text",
         DENIED.format("advisory locks are not allowed")),
        ("SELECT * FROM alembic_version",
         DENIED.format("permission denied for table alembic_version")),
        ("SELECT lo_import('/etc/hostname')",
         DENIED.format("permission denied for function lo_import")),
        ("RESET ROLE", ONLY_ROWS.format("RESET ROLE")),
        ("WITH gone AS (DELETE FROM events RETURNING seq) SELECT count(*) FROM gone",
         "Error: the sql command is read-only: cannot execute SELECT in a read-only "
         "transaction\n"),
    ]


@pytest.mark.postgresql_only("the role and the server's files are PostgreSQL's")
def test_each_thing_a_superuser_could_do_through_sql_is_refused(db: str, tmp_path: Path
                                                               ) -> None:
    before = dump(db)
    refused = 0
    for query, message in _attacks(tmp_path):
        result = sql(db, query)
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", message), query
        refused += 1
    assert refused == 16
    assert not (tmp_path / "written-by-sql").exists()
    assert dump(db) == before


def _admin(db: str) -> Any:
    return create_engine(database_url(db), isolation_level="AUTOCOMMIT")


@pytest.mark.postgresql_only("advisory locks are PostgreSQL's")
def test_no_advisory_lock_outlives_a_refused_query(db: str) -> None:
    assert sql(db, "SELECT pg_advisory_lock(1234567)::text").exit_code == 1
    engine = _admin(db)
    try:
        with engine.connect() as conn:
            held = conn.exec_driver_sql("SELECT count(*) FROM pg_locks WHERE locktype = "
                                        "'advisory' AND objid = 1234567").scalar_one()
            assert held == 0
            # the append lock factbase writers take is free: a writer does not wait
            assert conn.exec_driver_sql("SELECT pg_try_advisory_lock(1234567)").scalar_one()
            conn.exec_driver_sql("SELECT pg_advisory_unlock(1234567)")
    finally:
        engine.dispose()


@pytest.mark.postgresql_only("LISTEN/NOTIFY are PostgreSQL's")
def test_a_notification_sent_through_sql_is_never_delivered(db: str) -> None:
    import psycopg

    url = make_url(database_url(db))
    with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username,
                         dbname=url.database, autocommit=True) as listener:
        listener.execute("LISTEN factbase_test")
        result = sql(db, "SELECT pg_notify('factbase_test', 'hello')::text AS sent")
        assert result.exit_code == 0  # it runs, as the role, and is rolled back with it
        listener.execute("SELECT 1")
        assert list(listener.notifies(timeout=0.5, stop_after=1)) == []


@pytest.mark.postgresql_only("roles are PostgreSQL's")
def test_sql_refuses_to_run_unprotected_and_says_how_to_set_it_up(pg: Any, tmp_path: Path
                                                                  ) -> None:
    """A user who may not create or assume the role: sql refuses; once an administrator grants
    the role, `factbase init` finishes the set-up and sql runs."""
    user = f"fb_plain_{uuid.uuid4().hex[:8]}"
    name = f"fb_plain_db_{uuid.uuid4().hex[:8]}"
    admin = pg.admin
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {user} LOGIN NOSUPERUSER NOCREATEROLE")
        conn.exec_driver_sql(f"CREATE DATABASE {name} OWNER {user}")
    url = make_url(pg.base).set(database=name, username=user).render_as_string(
        hide_password=False)
    try:
        with FactBase.open(url, create=True) as fb:
            fb.load([str(Path(__file__).resolve().parents[1] / "seeds" / "xai.yaml")])
        result = sql(url, "SELECT count(*) FROM events")
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr == (
            "Error: sql on PostgreSQL runs queries as the role factbase_reader, so that they "
            "can read the documented tables and nothing else, but "
            f"{user} may not SET ROLE factbase_reader; ask an administrator to run "
            f"`CREATE ROLE factbase_reader NOLOGIN; GRANT factbase_reader TO {user};` (or "
            f"give {user} CREATEROLE), then run `factbase init`\n")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"GRANT factbase_reader TO {user}")
        init = CliRunner().invoke(cli, ["--db", url, "init"])
        assert "restored the sql reader role factbase_reader" in init.stderr
        done = sql(url, "SELECT count(*) AS n FROM events", "--format", "csv")
        assert (done.exit_code, done.stdout) == (0, "n\n79\n")
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {user}")


@pytest.mark.postgresql_only("the role is PostgreSQL's")
def test_verify_finds_a_reader_role_that_may_do_more(db: str) -> None:
    engine = _admin(db)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("GRANT INSERT ON sources TO factbase_reader")
    finally:
        engine.dispose()
    result = CliRunner().invoke(cli, ["--db", db, "verify"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Error: the sql reader role factbase_reader may do more than read "
                             "the documented tables (INSERT on sources); run `factbase init` "
                             "to reset its grants\n")
    assert CliRunner().invoke(cli, ["--db", db, "init"]).exit_code == 0
    assert CliRunner().invoke(cli, ["--db", db, "verify"]).exit_code == 0


# --- time limits and Ctrl-C ---------------------------------------------------------------


def test_a_runaway_query_stops_at_its_timeout(db: str) -> None:
    result = sql(db, CROSS, "--timeout", "1")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Error: the query ran longer than 1 s and was stopped; narrow it, "
                             "or give more time with --timeout SECONDS (0: no limit)\n")
    with FactBase.open(db) as fb, pytest.raises(QueryStopped):
        fb.sql(CROSS, timeout=0.5)


@pytest.fixture
def sigint_when(request: pytest.FixtureRequest) -> Iterator[Callable[[Callable[[], bool]], None]]:
    """``sigint_when(ready)``: send this process SIGINT once ``ready()`` is true (polled from a
    thread), as a user pressing Ctrl-C while the query runs."""
    threads: list[threading.Thread] = []

    def arm(ready: Callable[[], bool]) -> None:
        def watch() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if ready():
                    time.sleep(0.2)
                    os.kill(os.getpid(), signal.SIGINT)
                    return
                time.sleep(0.05)

        thread = threading.Thread(target=watch, daemon=True)
        thread.start()
        threads.append(thread)

    yield arm
    for thread in threads:
        thread.join(timeout=5)


@pytest.mark.sqlite_only("SQLite's progress handler; PostgreSQL: the test below")
def test_ctrl_c_stops_a_three_way_cross_join_on_sqlite(
        db: str, sigint_when: Callable[[Callable[[], bool]], None]) -> None:
    default = signal.getsignal(signal.SIGINT)
    sigint_when(lambda: signal.getsignal(signal.SIGINT) is not default)  # the query runs
    with FactBase.open(db) as fb, pytest.raises(QueryInterrupted) as exc:
        fb.sql(CROSS, timeout=120)  # far beyond the Ctrl-C; only so a failure cannot hang
    assert str(exc.value) == "interrupted (Ctrl-C): the query was stopped"
    assert exc.value.exit_code == 130
    assert signal.getsignal(signal.SIGINT) is default  # put back


@pytest.mark.postgresql_only("psycopg cancels on the server")
def test_ctrl_c_stops_a_runaway_query_on_postgresql(
        db: str, sigint_when: Callable[[Callable[[], bool]], None]) -> None:
    engine = _admin(db)
    since = _server_now(engine)
    try:
        sigint_when(lambda: _runaway_started(engine, since))
        with FactBase.open(db) as fb, pytest.raises(QueryInterrupted):
            fb.sql(CROSS, timeout=120)  # only so a failure cannot hang
    finally:
        engine.dispose()


def test_ctrl_c_stops_the_sql_command(db: str, backend: str) -> None:
    """The command itself, in its own process, stopped by Ctrl-C: exit status 130. On SQLite
    the rows stream out as it runs (the first one says it is running); on PostgreSQL the
    security-definer function gathers the rows before the first is sent (a long count, then),
    and the server's list of running queries says it runs."""
    query = RUNAWAY if backend == "sqlite" else CROSS
    proc = subprocess.Popen([sys.executable, "-m", "factbase", "--db", db, "sql", query,
                             "--format", "csv", "--timeout", "120"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        if backend == "sqlite":
            assert proc.stdout.readline() == b"x\n"  # the query is running: its rows come
            assert proc.stdout.readline() == b"1\n"
        else:
            _wait_until_running(db)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert err.decode() == "Error: interrupted (Ctrl-C): the query was stopped\n"


def _runaway_started(engine: Engine, since: Any) -> bool:
    """A factbase_sql query of this test's database started at or after ``since`` (the
    server's clock) is running: a query an earlier test left being cancelled, or one of
    another database on the server, does not count."""
    with engine.connect() as conn:
        return bool(conn.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE %s "
            "AND pid <> pg_backend_pid() AND datname = current_database() "
            "AND query_start >= %s", ("%factbase_sql%", since)).scalar_one())


def _server_now(engine: Engine) -> Any:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT clock_timestamp()").scalar_one()


def _wait_until_running(db: str) -> None:
    engine = _admin(db)
    try:
        since = _server_now(engine)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if _runaway_started(engine, since):
                time.sleep(0.2)
                return
            time.sleep(0.05)
    finally:
        engine.dispose()
    raise AssertionError("the query did not start")


# --- limits and streaming ---------------------------------------------------------------


def test_the_table_shows_10000_rows_and_says_it_cut(db: str) -> None:
    result = sql(db, SERIES.format(n=10_001))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:3] == ["    x", "-----", "    1"]
    assert lines[-2:] == ["10000", "… 10,000 of more rows shown; use --limit or --format csv"]
    assert len(lines) == 10_003
    exact = sql(db, SERIES.format(n=10_000))
    assert exact.stdout.splitlines()[-1] == "10000"  # all shown: nothing to say
    few = sql(db, SERIES.format(n=50), "--limit", "2")
    assert few.stdout == "x\n-\n1\n2\n… 2 of more rows shown; use --limit or --format csv\n"


def test_csv_and_json_write_every_row_unless_limited(db: str) -> None:
    csv_out = sql(db, SERIES.format(n=12_345), "--format", "csv")
    assert csv_out.exit_code == 0
    assert csv_out.stdout == "x\n" + "".join(f"{i}\n" for i in range(1, 12_346))
    js = sql(db, SERIES.format(n=2_500), "--format", "json")
    assert js.stdout == json.dumps([{"x": i} for i in range(1, 2_501)], indent=2) + "\n"
    assert sql(db, SERIES.format(n=0) + " WHERE x > 1", "--format", "json").stdout == "[]\n"
    cut = sql(db, SERIES.format(n=10), "--format", "json", "--limit", "3")
    assert cut.stdout == json.dumps([{"x": 1}, {"x": 2}, {"x": 3}], indent=2) + "\n"
    assert cut.stderr == "note: stopped after 3 rows (--limit 3); more rows follow\n"
    whole = sql(db, SERIES.format(n=3), "--format", "csv", "--limit", "3")
    assert (whole.stdout, whole.stderr) == ("x\n1\n2\n3\n", "")


def test_the_api_limit_says_whether_more_followed(db: str) -> None:
    with FactBase.open(db) as fb:
        some = fb.sql(SERIES.format(n=5), limit=2, as_of=date(2026, 1, 1))
        assert (some.rows, some.truncated) == ([(1,), (2,)], True)
        every = fb.sql(SERIES.format(n=5))
        assert (len(every.rows), every.truncated) == (5, False)


def _peak_rss_kib(db: str, rows: int) -> int:
    """Peak RSS of `factbase sql` writing ``rows`` rows as csv to /dev/null (KiB): measured
    by a parent process of its own, whose only child is the command."""
    probe = ("import resource, subprocess, sys; "
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "factbase",
                          "--db", db, "sql", SERIES.format(n=rows), "--format", "csv",
                          "--timeout", "0"], capture_output=True, text=True, check=True)
    return int(out.stdout)


def test_a_million_rows_stream_in_flat_memory(db: str) -> None:
    small = _peak_rss_kib(db, 10_000)
    large = _peak_rss_kib(db, 1_000_000)
    # 10^6 rows of csv are about 7 MB of text; held in memory as Python rows they were over
    # 100 MB. Streamed, the peak does not grow with them (no timing is asserted).
    assert large - small < 30 * 1024, (small, large)
