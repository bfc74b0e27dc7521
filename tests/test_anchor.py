"""verify --anchor: a published head hash proves later that the log was not rewritten."""

from __future__ import annotations

from click.testing import CliRunner

from factbase.api import FactBase
from factbase.cli import cli
from factbase.store.guards import create_log_guards, drop_log_guards


def _verify(db: str, *args: str) -> object:
    return CliRunner().invoke(cli, ["--db", db, "verify", *args])


def anchor_of(db: str) -> str:
    out = _verify(db, "--anchor").stdout  # type: ignore[attr-defined]
    (line,) = [x for x in out.splitlines() if x.startswith("anchor: ")]
    return line.removeprefix("anchor: ")


def test_an_anchor_matches_its_own_log_and_later_appends(seeded: FactBase) -> None:
    anchor = anchor_of(seeded.url)
    assert anchor.startswith(f"{seeded.count()}:") and len(anchor.split(":")[1]) == 64
    seeded.add([{"type": "entity.registered", "entity": "newco", "kind": "organization",
                 "name": "NewCo"}])
    r = _verify(seeded.url, "--check-anchor", anchor)
    assert r.exit_code == 0  # type: ignore[attr-defined]
    assert f"anchor {anchor[:len(anchor.split(':')[0]) + 17]}… matches" in r.stdout  # type: ignore[attr-defined]


def test_a_log_cut_short_passes_the_chain_but_fails_its_anchor(seeded: FactBase) -> None:
    anchor = anchor_of(seeded.url)
    n = seeded.count()
    with seeded.engine.begin() as conn:  # an outsider: guards dropped, foreign keys off
        drop_log_guards(conn)
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        else:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.exec_driver_sql(f"DELETE FROM events WHERE seq = {n}")
        create_log_guards(conn)  # and puts the guards back
    # Without an anchor the chain itself cannot see the cut (projections may still differ).
    assert "hash chain" not in _verify(seeded.url).stderr  # type: ignore[attr-defined]
    r = _verify(seeded.url, "--check-anchor", anchor)
    assert r.exit_code == 1  # type: ignore[attr-defined]
    assert r.stderr == (  # type: ignore[attr-defined]
        f"Error: the anchor is at event {n} but the log holds {n - 1} events: events were "
        "removed, or the anchor is from another database\n")


def test_a_rewritten_log_fails_the_anchor_at_the_first_rewritten_event(
        seeded: FactBase, fb: FactBase) -> None:
    anchor = anchor_of(seeded.url)
    fb.add([{"type": "entity.registered", "entity": f"p{i}", "kind": "person",
             "name": f"P {i}"} for i in range(seeded.count())])
    r = _verify(fb.url, "--check-anchor", anchor)
    assert r.exit_code == 1  # type: ignore[attr-defined]
    seq = anchor.split(":")[0]
    assert r.stderr == (f"Error: hash chain broken at event {seq}: event {seq} does not "  # type: ignore[attr-defined]
                        "match the published anchor: the log was rewritten up to there\n")


def test_a_malformed_anchor_is_a_usage_error(seeded: FactBase) -> None:
    r = _verify(seeded.url, "--check-anchor", "abc")
    assert r.exit_code == 2  # type: ignore[attr-defined]
    assert "'abc' is not an anchor; give SEQ:HASH" in r.stderr  # type: ignore[attr-defined]


def test_an_anchor_beyond_the_log_says_the_log_is_shorter(seeded: FactBase) -> None:
    """An anchor past the log's end is not a break in the chain: the message says the log is
    shorter than the anchor (the JSON still names the first missing event)."""
    n = seeded.count()
    r = _verify(seeded.url, "--check-anchor", "999:deadbeefdeadbeef")
    assert r.exit_code == 1  # type: ignore[attr-defined]
    assert r.stdout == ""  # type: ignore[attr-defined]
    assert r.stderr == (  # type: ignore[attr-defined]
        f"Error: the anchor is at event 999 but the log holds {n} events: events were "
        "removed, or the anchor is from another database\n")
    js = _verify(seeded.url, "--check-anchor", "999:deadbeefdeadbeef", "--format", "json")
    assert js.exit_code == 1  # type: ignore[attr-defined]
    assert f'"bad_seq": {n + 1}' in js.stdout  # type: ignore[attr-defined]
    assert "hash chain" not in js.stdout  # type: ignore[attr-defined]
