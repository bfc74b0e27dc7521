"""Many writers at once: nothing lost, nothing doubled, the chain intact; a busy database is
retried, then refused clearly; expected stream versions let exactly one of two racing writers
win.

The stress tests start 8 processes (``spawn``) or 8 ``factbase load`` subprocesses that each
append their own organisation's 10^4 events (its source, its people, their joinings) at once,
on a log that already holds the seed. SQLite always; PostgreSQL too when
``FACTBASE_TEST_DATABASE_URL`` names a server (a throwaway ``fb_w_…`` database is created and
dropped). The CLI variant always runs at 10^4 events per writer; the two API variants at
1,000 unless ``FACTBASE_TEST_WRITERS_EVENTS`` says otherwise (10000 for the full size).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import factbase.api
import factbase.store.engine
from benchmarks.writers import records as writer_records
from factbase.api import FactBase
from factbase.cli import cli
from factbase.core.errors import ConflictError, DatabaseBusy, InputError, UnknownStream
from tests.conftest import SEED

WRITERS = 8
EVENTS = 10_000  # per writer, for the CLI variant (always)
#: Per writer for the API variants: 1,000 by default (CI time), 10^4 with the env switch.
API_EVENTS = int(os.environ.get("FACTBASE_TEST_WRITERS_EVENTS", 1_000))
SEED_EVENTS = 79
PG_URL = os.environ.get("FACTBASE_TEST_DATABASE_URL")
SPAWN = mp.get_context("spawn")

pytestmark = pytest.mark.slow  # many processes writing at once: not for the inner loop

NEWS = [{"type": "source.registered", "source": "late-news", "url": "https://example.com/late",
         "title": "Late news", "published": "2026-03-01"},
        {"type": "person.joined", "id": "jane-rejoined", "date": "2026-03-01",
         "sources": ["late-news"], "person": "jane-doe", "org": "acme"}]


# --- backends ---------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def writer_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database URL: a SQLite file, or a throwaway PostgreSQL database
    (skipped unless FACTBASE_TEST_DATABASE_URL is set)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'writers.db'}"
        FactBase.open(url, create=True).close()
        yield url
        return
    if not PG_URL:
        pytest.skip("FACTBASE_TEST_DATABASE_URL is not set")
    base = make_url(PG_URL)
    name = f"fb_w_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        FactBase.open(url, create=True).close()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _seed(url: str) -> None:
    with FactBase.open(url) as fb:
        assert fb.load([str(SEED)]).new == SEED_EVENTS


# --- one writer's events ----------------------------------------------------------------


def _records(k: int, n: int) -> list[dict[str, Any]]:
    """Writer ``k``'s ``n`` distinct records: its source, its organisation, then people, each
    registered and then joining (so every chunk of them loads on its own, in order); the same
    generator as ``benchmarks/writers.py``."""
    return writer_records(k, n, "w")


def _write_file(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _joined_ids(n: int) -> set[str]:
    return {r["id"] for k in range(WRITERS) for r in _records(k, n)
            if r["type"] == "person.joined"}


# --- workers (top level: spawned processes import them) ------------------------------------


def _api_small_appends(url: str, k: int, n: int, per_add: int) -> int:
    """Append writer ``k``'s records ``per_add`` at a time, one transaction each; returns the
    busy retries."""
    records = _records(k, n)
    with FactBase.open(url) as fb:
        for i in range(0, n, per_add):
            fb.add(records[i:i + per_add], origin=f"writer {k}")
        return fb.busy_retries


def _api_one_load(url: str, path: str) -> int:
    with FactBase.open(url) as fb:
        fb.load([path])
        return fb.busy_retries


def _racer(url: str, path: str, barrier: Any, results: Any) -> None:
    """Read the org's version, wait for every racer to have read it, then load expecting it."""
    with FactBase.open(url) as fb:
        version = fb.stream_version("acme")
        barrier.wait()
        try:
            fb.load([path], expected_version={"acme": version})
            results.put(("won", path, version))
        except ConflictError as exc:
            results.put(("conflict", path, str(exc)))


# --- checks -----------------------------------------------------------------------------


def _assert_whole_log(url: str, n: int) -> None:
    """Every writer's every event present exactly once after the seed, seq 1..total without
    gaps, the hash chain and projections sound."""
    total = SEED_EVENTS + WRITERS * n
    with FactBase.open(url) as fb:
        assert fb.count() == total
        with fb.engine.connect() as conn:
            row = conn.execute(text("SELECT min(seq), max(seq), count(*), "
                                    "count(DISTINCT event_id) FROM events")).one()
            joined = {r[0] for r in conn.execute(
                text("SELECT event_id FROM events WHERE event_id LIKE 'w_-p%-joined'"))}
        assert tuple(row) == (1, total, total, total)
        assert joined == _joined_ids(n)
        for k in range(WRITERS):
            assert fb.stream_version(f"w{k}-org") == 1 + (n - 2) // 2  # its entity + joinings
        report = fb.verify()
        assert report.ok, report.problems
        assert report.events == total


def _run_all(target: Any, args: list[tuple[Any, ...]]) -> list[int]:
    with SPAWN.Pool(len(args)) as pool:
        return pool.starmap(target, args)


# --- 8 writers at once ------------------------------------------------------------------


def test_eight_cli_loads_at_once_lose_nothing(writer_url: str, tmp_path: Path) -> None:
    """8 `factbase load FILE` processes of 10^4 events each, started together."""
    _seed(writer_url)
    files = [_write_file(tmp_path / f"w{k}.jsonl", _records(k, EVENTS)) for k in range(WRITERS)]
    procs = [subprocess.Popen([sys.executable, "-m", "factbase", "--db", writer_url, "load",
                               str(f)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for f in files]
    outs = [p.communicate() for p in procs]
    retries = 0
    for (out, err), p, f in zip(outs, procs, files, strict=True):
        assert p.returncode == 0, err
        assert out.startswith(f"{f}: {EVENTS} new, 0 already present (the log holds ")
        notes = err.splitlines()
        assert all(line.startswith("note: the database is busy") for line in notes), err
        retries += len(notes)
    print(f"busy retries: {retries}")
    _assert_whole_log(writer_url, EVENTS)


def test_eight_api_writers_in_small_transactions_lose_nothing(writer_url: str) -> None:
    """8 processes, each appending its events 100 at a time with FactBase.add."""
    _seed(writer_url)
    per_add = max(1, API_EVENTS // 100)
    retries = _run_all(_api_small_appends,
                       [(writer_url, k, API_EVENTS, per_add) for k in range(WRITERS)])
    print(f"busy retries: {sum(retries)}")
    _assert_whole_log(writer_url, API_EVENTS)


def test_eight_api_writers_each_loading_one_big_file_lose_nothing(writer_url: str,
                                                                  tmp_path: Path) -> None:
    """8 processes, each loading its whole file in one transaction with FactBase.load."""
    _seed(writer_url)
    files = [_write_file(tmp_path / f"w{k}.jsonl", _records(k, API_EVENTS))
             for k in range(WRITERS)]
    retries = _run_all(_api_one_load, [(writer_url, str(f)) for f in files])
    print(f"busy retries: {sum(retries)}")
    _assert_whole_log(writer_url, API_EVENTS)


# --- optimistic concurrency: racing writers -----------------------------------------------


def test_racing_writers_expecting_the_same_version_exactly_one_wins(writer_url: str,
                                                                    tmp_path: Path) -> None:
    """4 processes read acme's version, then all append expecting it: one wins, three get
    the conflict, and the log holds the winner's events only."""
    with FactBase.open(writer_url) as fb:
        fb.load([str(_write_file(tmp_path / "base.jsonl", _base_records()))])
        version = fb.stream_version("acme")
        before = fb.count()
    files = []
    for k in range(4):
        files.append(str(_write_file(tmp_path / f"r{k}.jsonl", [
            {"type": "person.joined", "id": f"racer-{k}-joined", "date": "2026-03-01",
             "sources": ["article-1"], "person": "jane-doe", "org": "acme"}])))
    barrier = SPAWN.Barrier(len(files))
    results = SPAWN.Queue()
    procs = [SPAWN.Process(target=_racer, args=(writer_url, f, barrier, results))
             for f in files]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join()
        assert p.exitcode == 0
    won = [o for o in outcomes if o[0] == "won"]
    lost = [o for o in outcomes if o[0] == "conflict"]
    assert len(won) == 1 and len(lost) == 3
    assert won[0][2] == version
    assert {o[2] for o in lost} == {f"stream acme is at version {version + 1}, expected "
                                    f"{version}: it changed since you read it (or the number "
                                    "is wrong); check with `factbase stream acme` and retry"}
    winner = Path(won[0][1]).stem
    with FactBase.open(writer_url) as fb:
        assert fb.count() == before + 1
        assert fb.stream_version("acme") == version + 1
        with fb.engine.connect() as conn:
            ids = {r[0] for r in conn.execute(
                text("SELECT event_id FROM events WHERE event_id LIKE 'racer-%'"))}
        assert ids == {f"racer-{winner[1:]}-joined"}
        assert fb.verify().ok


def _base_records() -> list[dict[str, Any]]:
    """The conftest base timeline as JSON records (acme, jane-doe, article-1)."""
    return [
        {"type": "source.registered", "source": "article-1", "url": "https://example.com/a1",
         "title": "An article", "published": "2026-02-10"},
        {"type": "entity.registered", "entity": "acme", "kind": "organization", "name": "Acme"},
        {"type": "entity.registered", "entity": "jane-doe", "kind": "person", "name": "Jane Doe"},
        {"type": "org.founded", "id": "acme-founded", "date": "2026-01-05",
         "sources": ["article-1"], "org": "acme", "founders": ["jane-doe"]},
    ]


# --- optimistic concurrency: the API ------------------------------------------------------


@pytest.fixture
def acme(fb: FactBase) -> FactBase:
    fb.add(_base_records(), origin="base")
    return fb


def test_stream_version_counts_the_events_of_the_stream(acme: FactBase) -> None:
    # acme: its registration and its founding; a stream with no events is at version 0.
    assert acme.stream_version("acme") == 2
    assert acme.stream_version("jane-doe") == 1
    assert acme.stream_version("source:article-1") == 1
    assert acme.stream_version("no-such-stream") == 0


def test_the_second_writer_expecting_a_stale_version_gets_a_conflict(acme: FactBase,
                                                                     db_url: str) -> None:
    other = FactBase.open(db_url)
    try:
        seen = acme.stream_version("acme")  # both writers read version 2
        assert other.stream_version("acme") == seen == 2
        result = acme.add([{**NEWS[1], "sources": ["article-1"]}], expected_version=seen)
        assert result.new == 1
        before = other.count()
        with pytest.raises(ConflictError) as caught:
            other.add([{**NEWS[1], "id": "jane-joined-again", "sources": ["article-1"]}],
                      expected_version=seen)
        assert str(caught.value) == ("stream acme is at version 3, expected 2: it changed "
                                     "since you read it (or the number is wrong); check with "
                                     "`factbase stream acme` and retry")
        assert (caught.value.stream, caught.value.expected, caught.value.actual) == ("acme", 2, 3)
        assert other.count() == before
        assert other.stream_version("acme") == 3
    finally:
        other.close()


def test_a_mapping_checks_every_stream_named_before_anything_is_written(acme: FactBase) -> None:
    before = acme.count()
    with pytest.raises(ConflictError, match="stream jane-doe is at version 1, expected 0"):
        acme.add(NEWS, expected_version={"acme": 2, "jane-doe": 0})
    assert acme.count() == before
    result = acme.add(NEWS, expected_version={"acme": 2, "jane-doe": 1, "source:late-news": 0})
    assert result.new == 2


def test_one_expected_version_needs_a_one_stream_write(acme: FactBase) -> None:
    before = acme.count()
    with pytest.raises(InputError) as caught:
        acme.add(NEWS, expected_version=0)  # a source (stream source:late-news) and a joining
    assert str(caught.value) == (
        "<command line> record 2: an expected version given as one number applies to one "
        "stream, but this write appends to source:late-news and acme; give the version of "
        "each stream (STREAM=N)")
    assert acme.count() == before


def test_an_expected_version_of_a_new_stream_is_zero(fb: FactBase) -> None:
    fb.add(_base_records()[:1])
    fb.add(_base_records()[1:2], expected_version=0)
    with pytest.raises(ConflictError, match="stream acme is at version 1, expected 0"):
        fb.add([{"type": "org.founded", "id": "acme-founded", "date": "2026-01-05",
                 "sources": ["article-1"], "org": "acme", "founders": []}], expected_version=0)


def test_a_load_expecting_the_current_versions_writes(acme: FactBase, tmp_path: Path) -> None:
    path = _write_file(tmp_path / "news.jsonl", NEWS)
    result = acme.load([str(path)], expected_version={"acme": 2})
    assert (result.new, acme.stream_version("acme")) == (2, 3)
    again = acme.load([str(path)], expected_version={"acme": 3})  # nothing new: nothing moves
    assert (again.new, again.present) == (0, 2)


# --- optimistic concurrency: the CLI ------------------------------------------------------


@pytest.fixture
def acme_db(acme: FactBase, db_url: str) -> str:
    return db_url


def test_cli_stream_prints_the_version(runner: CliRunner, acme_db: str) -> None:
    result = runner.invoke(cli, ["--db", acme_db, "stream", "acme"], catch_exceptions=False)
    assert (result.exit_code, result.output) == (0, "acme: version 2\n")
    result = runner.invoke(cli, ["--db", acme_db, "stream", "acme", "--format", "json"],
                           catch_exceptions=False)
    assert json.loads(result.output) == {"stream": "acme", "version": 2}


def test_cli_stream_with_no_events_says_so_and_suggests_a_close_id(runner: CliRunner,
                                                                   acme_db: str) -> None:
    result = runner.invoke(cli, ["--db", acme_db, "stream", "ACME"], catch_exceptions=False)
    assert (result.exit_code, result.output) == (
        0, "ACME: version 0 (no events in the log; did you mean acme?)\n")
    result = runner.invoke(cli, ["--db", acme_db, "stream", "globex"], catch_exceptions=False)
    assert (result.exit_code, result.output) == (0, "globex: version 0 (no events in the log)\n")
    result = runner.invoke(cli, ["--db", acme_db, "stream", "ACME", "--format", "json"],
                           catch_exceptions=False)
    assert json.loads(result.output) == {"stream": "ACME", "version": 0}


def test_an_expected_stream_with_no_events_before_or_after_the_load_is_refused(
        runner: CliRunner, acme_db: str, tmp_path: Path) -> None:
    # A misspelled id is at version 0, so "=0" would pass the version check and write.
    path = _write_file(tmp_path / "news.jsonl", NEWS)
    result = runner.invoke(cli, ["--db", acme_db, "load", str(path), "--expect-version",
                                 "ACME=0"])
    assert result.exit_code == 2
    assert result.stderr == ("Error: --expect-version ACME=0: no stream ACME in the log or in "
                             "this load (stream ids are entity ids, e.g. acme)\n")
    assert result.stdout == ""
    with FactBase.open(acme_db) as fb:
        assert fb.count() == 4
        with pytest.raises(UnknownStream) as caught:
            fb.load([str(path)], expected_version={"acme": 2, "globex": 0})
        assert str(caught.value).endswith("(stream ids are entity ids, e.g. an organisation's id)")
        assert fb.count() == 4
        # A stream that this very load starts may be expected at 0.
        assert fb.load([str(path)], expected_version={"source:late-news": 0}).new == 2


def test_cli_load_with_a_stale_expected_version_exits_3_and_writes_nothing(
        runner: CliRunner, acme_db: str, tmp_path: Path) -> None:
    path = _write_file(tmp_path / "news.jsonl", NEWS)
    result = runner.invoke(cli, ["--db", acme_db, "load", str(path), "--expect-version",
                                 "acme=1"])
    assert result.exit_code == 3
    assert result.stderr == ("Error: stream acme is at version 2, expected 1: it changed since "
                             "you read it (or the number is wrong); check with `factbase "
                             "stream acme` and retry\n")
    assert result.stdout == ""
    with FactBase.open(acme_db) as fb:
        assert fb.count() == 4
    result = runner.invoke(cli, ["--db", acme_db, "load", str(path), "--expect-version",
                                 "acme=2", "--expect-version", "source:late-news=0"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}: 2 new, 0 already present (the log holds 6 events)\n"


def test_cli_expect_version_must_be_stream_equals_number(runner: CliRunner,
                                                         acme_db: str) -> None:
    result = runner.invoke(cli, ["--db", acme_db, "load", "x.jsonl", "--expect-version",
                                 "acme"])
    assert result.exit_code == 2
    assert ("'acme' is not STREAM=N (a stream id and a version, e.g. xai=42; "
            "`factbase stream xai` prints it)") in result.stderr


def test_cli_correct_and_retract_check_the_target_stream(runner: CliRunner,
                                                         acme_db: str) -> None:
    args = ["--db", acme_db, "correct", "acme-founded", "--date", "2026-01-06", "--why",
            "typo", "--source", "article-1", "--expect-version", "1"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 3
    assert result.stderr == ("Error: stream acme is at version 2, expected 1: it changed since "
                             "you read it (or the number is wrong); check with `factbase "
                             "stream acme` and retry\n")
    result = runner.invoke(cli, [*args[:-1], "2"], catch_exceptions=False)
    assert (result.exit_code, result.output) == (0, "corrected acme-founded: date=2026-01-06\n")
    result = runner.invoke(cli, ["--db", acme_db, "retract", "acme-founded", "--why", "no",
                                 "--source", "article-1", "--expect-version", "2"])
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: stream acme is at version 3, expected 2:")
    with FactBase.open(acme_db) as fb:
        assert fb.stream_version("acme") == 3


# --- a busy database: bounded retry, then a clear error -----------------------------------


@pytest.fixture
def quick_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 10 ms busy timeout and no backoff sleep, so a held lock shows at once."""
    monkeypatch.setattr(factbase.store.engine, "BUSY_TIMEOUT_MS", 10)
    monkeypatch.setattr(factbase.api, "RETRY_BASE_S", 0.0)


def _hold_write_lock(db_path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


@pytest.mark.sqlite_only("holds SQLite's write lock with a raw sqlite3 connection")
def test_a_write_refused_as_busy_is_retried_whole_and_lands(quick_busy: None, acme: FactBase,
                                                           db_path: Path) -> None:
    holder = _hold_write_lock(db_path)
    seen: list[tuple[int, str]] = []

    def on_busy(attempt: int, delay: float, message: str) -> None:
        seen.append((attempt, message))
        if attempt == 2:
            holder.rollback()  # the other writer finishes before the third attempt

    acme.on_busy = on_busy
    try:
        result = acme.add(NEWS)
    finally:
        holder.close()
    assert seen == [(1, "database is locked"), (2, "database is locked")]
    assert (result.new, acme.busy_retries) == (2, 2)
    assert acme.verify().ok


@pytest.mark.sqlite_only("holds SQLite's write lock with a raw sqlite3 connection")
def test_a_database_busy_through_every_attempt_is_a_clear_error(quick_busy: None,
                                                                acme: FactBase,
                                                                db_path: Path) -> None:
    holder = _hold_write_lock(db_path)
    try:
        with pytest.raises(DatabaseBusy) as caught:
            acme.add(NEWS)
    finally:
        holder.close()
    assert str(caught.value) == ("the database stayed busy with other writers (database is "
                                 "locked) through 6 attempts; nothing was written; try again "
                                 "later")
    assert acme.busy_retries == 5
    assert acme.count() == 4


@pytest.mark.sqlite_only("holds SQLite's write lock with a raw sqlite3 connection")
def test_cli_busy_through_every_attempt_exits_75_with_notes(quick_busy: None, runner: CliRunner,
                                                            acme_db: str, db_path: Path,
                                                            tmp_path: Path) -> None:
    path = _write_file(tmp_path / "news.jsonl", NEWS)
    holder = _hold_write_lock(db_path)
    try:
        result = runner.invoke(cli, ["--db", acme_db, "load", str(path)])
    finally:
        holder.close()
    assert result.exit_code == 75
    lines = result.stderr.splitlines()
    assert lines[:-1] == [f"note: the database is busy with other writers (database is locked); "
                          f"trying again in 0.0 s (attempt {n} of 6)" for n in range(2, 7)]
    assert lines[-1] == ("Error: the database stayed busy with other writers (database is "
                         "locked) through 6 attempts; nothing was written; try again later")
    assert result.stdout == ""
    with FactBase.open(acme_db) as fb:
        assert fb.count() == 4


@pytest.mark.sqlite_only("holds SQLite's write lock with a raw sqlite3 connection")
def test_load_from_stdin_is_read_once_and_survives_a_retry(quick_busy: None, runner: CliRunner,
                                                           acme_db: str, db_path: Path) -> None:
    holder = _hold_write_lock(db_path)
    original = FactBase._retry

    def release_after_first_refusal(self: FactBase, work: Any) -> Any:
        self.on_busy = lambda attempt, delay, message: holder.rollback()
        return original(self, work)

    stdin = "".join(json.dumps(r) + "\n" for r in NEWS)
    with pytest.MonkeyPatch.context() as mp_:
        mp_.setattr(FactBase, "_retry", release_after_first_refusal)
        result = runner.invoke(cli, ["--db", acme_db, "load", "-"], input=stdin,
                               catch_exceptions=False)
    holder.close()
    assert result.exit_code == 0, result.output
    assert result.stdout == "<stdin>: 2 new, 0 already present (the log holds 6 events)\n"
