"""Crash safety: `factbase load`, `correct` and `rebuild` killed with SIGKILL at random moments.

Each command runs as a real subprocess (``python -m factbase``, the installed entry point) and
is killed with SIGKILL — no handler, no ``finally``, no rollback in Python — at a moment drawn
from a seeded random, stratified over the command's measured run time so the kills cover
start-up, validation, the write transaction, the commit and the exit. After every kill:

* the file is a sound SQLite database (``PRAGMA integrity_check``) that factbase opens;
* ``factbase verify`` passes: the hash chain is whole and the projections equal a rebuild
  (so a half-done rebuild must have rolled back);
* the log holds the base timeline plus either every event of the file or none of them (for
  ``correct``: the correction whole or absent; for ``rebuild``: the log unchanged).

Trials run two at a time (one per core) where the checks are light. On a shared machine the
timings drift from the calibration run, so a campaign is topped up with kills from the second
half of the span until enough runs were really killed, some of them inside the write
transaction (:func:`campaign`). Sizes are tuned so the module runs in well under a minute on
a quiet 2-core machine. SQLite's WAL recovery does the real work (a kill is not a power cut,
so ``synchronous=NORMAL`` is enough); ``pytest -s`` prints what the kills hit.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from factbase.cli import cli
from tests.backends import copy_sqlite
from tests.conftest import BASE_TIMELINE as BASE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL"),
    pytest.mark.sqlite_only("kills writers of a SQLite file and checks its WAL recovery; "
                            "PostgreSQL's own crash recovery is the server's"),
]

SEED = 20260211
#: The big JSON Lines file the load kills interrupt: a full load takes 2-3 s here.
BIG_EVENTS, BIG_SOURCES, BIG_PEOPLE = 5_000, 1_000, 1_000
#: The log the rebuild kills interrupt: mostly sources with long notes, so the projections
#: outgrow SQLite's 2 MB page cache and a rebuild spills uncommitted pages into the WAL before
#: it commits (the case recovery must undo), while `verify` stays quick.
REBUILD_EVENTS, REBUILD_SOURCES, REBUILD_PEOPLE = 3_200, 2_500, 100
LOAD_KILLS = 20
NEW_FILE_KILLS = 3
CORRECT_KILLS = 10
REBUILD_KILLS = 10
#: Load kills that must land inside the write transaction (after the WAL took pages).
MID_WRITE = 4

BASE_EVENTS = 5


def big_timeline(path: Path, n: int, *, sources: int, people: int) -> int:
    """Write ``n`` JSON Lines records: ``sources`` sources (with long notes), organisations,
    ``people`` people (with aliases, so the name projections have work to do), units, and
    joinings, roles and departures citing them. Returns ``n``."""
    n_src, n_org, n_person = sources, max(2, n // 500), people
    lines: list[dict[str, object]] = []
    lines += [{"type": "source", "id": f"big-src-{i}", "url": f"https://example.com/big/{i}",
               "title": f"Report {i}", "published": "2025-06",
               "note": f"Source {i}: " + "a long note kept in the sources projection. " * 45}
              for i in range(n_src)]
    lines += [{"type": "entity", "id": f"big-org-{i}", "kind": "organization",
               "name": f"Big Org {i}"} for i in range(n_org)]
    lines += [{"type": "entity", "id": f"big-p-{i}", "kind": "person", "name": f"Person {i}",
               "aliases": [f"P. {i}"]} for i in range(n_person)]
    lines += [{"type": "unit.created", "date": "2020-01", "sources": [f"big-src-{i % n_src}"],
               "unit": f"big-unit-{i}", "org": f"big-org-{i}", "name": f"Unit {i}"}
              for i in range(n_org)]
    i = 0
    while len(lines) < n:
        person, org, src = f"big-p-{i % n_person}", f"big-org-{i % n_org}", f"big-src-{i % n_src}"
        day = f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        kind = i % 3
        if kind == 0:
            rec: dict[str, object] = {"type": "person.joined", "person": person, "org": org,
                                      "unit": f"big-unit-{i % n_org}", "title": "Engineer"}
        elif kind == 1:
            rec = {"type": "role.assigned", "person": person, "org": org, "role": "member"}
        else:
            rec = {"type": "person.left", "person": person, "org": org, "reason": "resigned"}
        lines.append({**rec, "date": day, "sources": [src], "note": f"record {i}"})
        i += 1
    with path.open("w", encoding="utf-8") as f:
        for line in lines[:n]:
            f.write(json.dumps(line) + "\n")
    return n


def factbase(db: Path, *args: str) -> list[str]:
    """The real entry point as a user runs it."""
    return [sys.executable, "-m", "factbase", "--db", str(db), *args]


def run_to_end(cmd: list[str], cwd: Path) -> float:
    """Run ``cmd`` uninterrupted; return its wall time (it must succeed)."""
    t0 = time.monotonic()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return time.monotonic() - t0


def run_side_by_side(cmds: list[list[str]], cwd: Path) -> float:
    """Run ``cmds`` at the same time, uninterrupted (all must succeed); return their mean wall
    time — the run time of a command when the kill trials run two at a time."""
    t0 = time.monotonic()
    procs = [subprocess.Popen(c, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for c in cmds]
    took = []
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        took.append(time.monotonic() - t0)
    return sum(took) / len(took)


def kill_at(cmd: list[str], cwd: Path, delay: float) -> tuple[bool, float]:
    """Start ``cmd`` and SIGKILL it ``delay`` seconds later. Returns whether it was killed
    (False if it finished first) and how long it ran."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True, time.monotonic() - t0
    return False, time.monotonic() - t0


def wal_bytes(db: Path) -> int:
    wal = db.with_name(db.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def hash_at(db: Path, seq: int) -> str | None:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT hash FROM events WHERE seq = ?", (seq,)).fetchone()
    finally:
        conn.close()
    return None if row is None else str(row[0])


def survived(db: Path) -> int:
    """Check the database after a kill; return the number of events in its log."""
    conn = sqlite3.connect(db)
    try:  # opening runs SQLite's WAL recovery: uncommitted frames are dropped
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        n = int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()
    result = CliRunner().invoke(cli, ["--db", str(db), "verify", "--projections"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"ok: {n} events, hash chain intact, projections match")
    return n


def moments(rng: random.Random, n: int, startup: float, took: float) -> list[float]:
    """``n`` kill delays, one drawn from each n-th of the span from half-way through Python's
    start-up (nothing has touched the database yet) to just past the command's usual end (so
    the commit and the exit are covered too)."""
    lo, hi = startup / 2, took * 1.05
    return [lo + (hi - lo) * (i + rng.random()) / n for i in range(n)]


@dataclass(frozen=True)
class Kill:
    """One trial: the delay, whether the process was still running to be killed, how long
    it ran, whether the WAL held frames when it died (the write transaction had begun
    spilling or had committed), and the events in the log after recovery."""

    delay: float
    killed: bool
    ran: float
    wal: bool
    events: int

    def outcome(self, none: int) -> str:
        if not self.killed:
            return "finished before the kill"
        what = "none" if self.events == none else "all"
        return what + (" (WAL written)" if self.wal else "")


def kill_trials(delays: list[float], prepare: Callable[[int], Path],
                command: Callable[[Path], list[str]], cwd: Path, *, running: int = 2
                ) -> list[Kill]:
    """For each delay: a fresh database from ``prepare(i)``, ``command(db)`` SIGKILLed after
    the delay, then :func:`survived`. Two trials go on at a time (the machine has two cores),
    with at most ``running`` commands at once: while one command runs, the other trial's
    command runs too, or its database is checked (checks take turns: CliRunner swaps
    ``sys.stdout``). Where checks are heavy, ``running=1`` keeps a command and a check on each
    core, so commands are not slowed and the kills land where the calibration says."""
    slots = threading.Semaphore(running)

    def trial(i: int, delay: float) -> Kill:
        db = prepare(i)
        with slots:
            killed, ran = kill_at(command(db), cwd, delay)
        wal = wal_bytes(db) > 0  # before anything opens the file again (opening recovers it)
        with _CHECKS:
            return Kill(delay, killed, ran, wal, survived(db))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(trial, range(len(delays)), delays))


_CHECKS = threading.Lock()


def campaign(rng: random.Random, n: int, startup: float, took: float,
             prepare: Callable[[int], Path], command: Callable[[Path], list[str]], cwd: Path,
             *, running: int = 2, enough: Callable[[list[Kill]], bool] = lambda _: True
             ) -> list[Kill]:
    """``n`` kill trials at :func:`moments` over the command's span, then more, with delays
    drawn from the span's second half, until ``n`` runs were really killed and ``enough``
    holds (or twice as many trials and ten more were made). The top-up is what keeps the test
    steady on a shared machine, whose timings drift from the calibration run: a run that
    finished before its kill shows the command is quicker now, and shortens the span."""
    kills: list[Kill] = []

    def trials(delays: list[float]) -> list[Kill]:
        first = len(kills)
        return kill_trials(delays, lambda i: prepare(first + i), command, cwd, running=running)

    kills += trials(moments(rng, n, startup, took))
    while not (sum(k.killed for k in kills) >= n and enough(kills)) and len(kills) < 2 * n + 10:
        span = min([took, *[k.ran for k in kills if not k.killed]])
        kills += trials([rng.uniform(span / 2, span * 0.95) for _ in range(2)])
    return kills


def tally(kills: list[Kill], none: int) -> str:
    counts = Counter(k.outcome(none) for k in kills)
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("crash")


@pytest.fixture(scope="module")
def base_db(work: Path) -> Path:
    """A database holding the small base timeline."""
    (work / "base.yaml").write_text(BASE, encoding="utf-8")
    db = work / "base.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "load", str(work / "base.yaml")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture(scope="module")
def startup(work: Path, base_db: Path) -> float:
    """Wall time of a command that only starts, opens the database and reads a little."""
    return min(run_to_end(factbase(base_db, "verify"), work) for _ in range(2))


@pytest.fixture(scope="module")
def big_file(work: Path) -> Path:
    path = work / "big.jsonl"
    big_timeline(path, BIG_EVENTS, sources=BIG_SOURCES, people=BIG_PEOPLE)
    return path


@pytest.fixture(scope="module")
def load_time(work: Path, base_db: Path, big_file: Path) -> float:
    """Wall time of the big load, uninterrupted, by the real entry point, two at a time as the
    trials run (the span the load kills are spread over); each must hold base and file."""
    dbs = [copy_sqlite(base_db, work / f"full-{i}.db") for i in range(2)]
    took = run_side_by_side([factbase(db, "load", str(big_file)) for db in dbs], work)
    assert survived(dbs[0]) == BASE_EVENTS + BIG_EVENTS
    assert hash_at(dbs[1], BASE_EVENTS + BIG_EVENTS) is not None
    return took


@pytest.fixture(scope="module")
def rebuild_db(work: Path, base_db: Path) -> Path:
    """The base plus a log whose projections outgrow SQLite's page cache (see above)."""
    path = work / "rebuild.jsonl"
    big_timeline(path, REBUILD_EVENTS, sources=REBUILD_SOURCES, people=REBUILD_PEOPLE)
    db = copy_sqlite(base_db, work / "rebuild.db")
    result = CliRunner().invoke(cli, ["--db", str(db), "load", str(path)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return db


# --- the kills -----------------------------------------------------------------------------


def test_killed_load_leaves_the_base_and_all_or_none_of_the_file(
        work: Path, base_db: Path, big_file: Path, load_time: float, startup: float) -> None:
    def mid_write(kills: list[Kill]) -> int:  # killed after the WAL took pages of this load
        return sum(k.killed and k.wal and k.events == BASE_EVENTS for k in kills)

    kills = campaign(random.Random(SEED), LOAD_KILLS, startup, load_time,
                     lambda i: copy_sqlite(base_db, work / f"load-kill-{i}.db"),
                     lambda db: factbase(db, "load", str(big_file)), work,
                     enough=lambda ks: mid_write(ks) >= MID_WRITE)
    summary = tally(kills, BASE_EVENTS)
    print(f"\nload, {len(kills)} trials at {load_time:.1f} s per load: {summary}")
    for k in kills:
        assert k.events in (BASE_EVENTS, BASE_EVENTS + BIG_EVENTS), (k, summary)
    base_head = hash_at(base_db, BASE_EVENTS)  # the base timeline is kept as it was
    assert all(hash_at(work / f"load-kill-{i}.db", BASE_EVENTS) == base_head
               for i in range(len(kills)))
    assert sum(k.killed for k in kills) >= LOAD_KILLS, summary
    # The kills reach into the write transaction, not only Python's start-up.
    assert mid_write(kills) >= MID_WRITE, summary


def test_killed_load_into_a_new_file_leaves_nothing_or_a_sound_database(
        work: Path, big_file: Path, startup: float) -> None:
    db = work / "new-kill.db"
    # Early kills: around creating the file and migrating it (a transaction of its own).
    for delay in moments(random.Random(SEED + 1), NEW_FILE_KILLS, startup, startup * 1.5):
        for suffix in ("", "-wal", "-shm", "-journal"):
            db.with_name(db.name + suffix).unlink(missing_ok=True)
        kill_at(factbase(db, "load", str(big_file)), work, delay)
        tables: set[str] = set()
        if db.exists():
            conn = sqlite3.connect(db)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            conn.close()
        if "events" in tables:  # the schema landed (its own transaction): the log is sound
            assert survived(db) in (0, BIG_EVENTS)
        else:  # killed before the schema committed: nothing half-made is left
            assert not tables
        # … and the next load just works.
        result = CliRunner().invoke(cli, ["--db", str(db), "load", str(work / "base.yaml")])
        assert result.exit_code == 0, result.output
        assert survived(db) in (BASE_EVENTS, BASE_EVENTS + BIG_EVENTS)


def test_killed_correct_leaves_the_correction_whole_or_absent(
        work: Path, base_db: Path, startup: float) -> None:
    def command(db: Path) -> list[str]:
        return factbase(db, "correct", "acme-founded", "--date", "2026-01-04", "--set",
                        "founders=[jane-doe]", "--why", "the filing is dated a day earlier",
                        "--source", "article-1")

    took = min(run_to_end(command(copy_sqlite(base_db, work / f"correct-{i}.db")), work)
               for i in range(2))
    kills = campaign(random.Random(SEED + 2), CORRECT_KILLS, startup, took,
                     lambda i: copy_sqlite(base_db, work / f"correct-kill-{i}.db"), command, work)
    summary = tally(kills, BASE_EVENTS)
    print(f"\ncorrect, {len(kills)} trials at {took:.1f} s per correction: {summary}")
    assert sum(k.killed for k in kills) >= CORRECT_KILLS, summary
    for i, k in enumerate(kills):
        assert k.events in (BASE_EVENTS, BASE_EVENTS + 1), (k, summary)
        if k.events == BASE_EVENTS + 1:
            conn = sqlite3.connect(work / f"correct-kill-{i}.db")
            type_, payload = conn.execute(
                "SELECT type, payload FROM events ORDER BY seq DESC LIMIT 1").fetchone()
            conn.close()
            assert type_ == "event.corrected"
            assert json.loads(payload)["changes"] == {"date": "2026-01-04",
                                                      "founders": ["jane-doe"]}


def test_killed_rebuild_rolls_back_and_verify_passes(
        work: Path, rebuild_db: Path, startup: float) -> None:
    def spilled(kills: list[Kill]) -> bool:  # killed after the rebuild spilled into the WAL
        return any(k.killed and k.wal for k in kills)

    took = min(run_to_end(factbase(copy_sqlite(rebuild_db, work / f"rebuild-run-{i}.db"),
                                   "rebuild"), work) for i in range(2))
    kills = campaign(random.Random(SEED + 3), REBUILD_KILLS, startup, took,
                     lambda i: copy_sqlite(rebuild_db, work / f"rebuild-kill-{i}.db"),
                     lambda db: factbase(db, "rebuild"), work, running=1, enough=spilled)
    size = BASE_EVENTS + REBUILD_EVENTS
    summary = tally(kills, size).replace("none", "unchanged")
    print(f"\nrebuild, {len(kills)} trials at {took:.1f} s per rebuild: {summary}")
    assert all(k.events == size for k in kills), summary
    assert sum(k.killed for k in kills) >= REBUILD_KILLS, summary
    assert spilled(kills), summary
