"""The docs stay true: the example files load alike; every command is documented; every
`$ factbase` session of README.md and docs/*.md runs and gives the output it shows."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from factbase.api import FactBase
from factbase.cli import cli
from tests.conftest import ROOT

EXAMPLES = ROOT / "docs" / "examples"


def _events(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        sql = "SELECT event_id, content_hash FROM events ORDER BY event_id"
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_the_three_example_files_are_the_same_timeline(tmp_path: Path) -> None:
    logs = []
    for name in ("example.yaml", "example.json", "example.jsonl"):
        db = tmp_path / f"{name}.db"
        with FactBase.open(str(db), create=True) as fb:
            result = fb.load([str(EXAMPLES / name)])
            assert result.new == result.total > 0
            assert fb.verify(projections=True).ok
        logs.append(_events(db))
    assert logs[0] == logs[1] == logs[2]


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented(command: str) -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert f"factbase {command}" in text


# --- docs that run: every `$ factbase` session of README.md and docs/*.md ------------------

from tests import doc_sessions  # noqa: E402

#: The doc files whose sessions run, and what each session needs first (the page says so):
#: nothing for a page that loads its own data, else the seed loaded into ./factbase.db.
SESSIONS: dict[str, tuple[str, ...]] = {
    "README.md": (),
    "docs/cli.md": (),
    "docs/concepts.md": ("factbase load seeds/xai.yaml",),
    "docs/format.md": ("factbase --db /tmp/kestrel.db load docs/examples/example.yaml",),
    "docs/sql.md": ("factbase load seeds/xai.yaml",),
}

#: Commands whose output still differs from what their page shows (the page drifted, or shows
#: an input it never creates), by their first 72 characters: each is to be fixed in its page,
#: then taken off this list. The test fails on any other difference, and on a listed command
#: that now gives what its page shows (so the list only shrinks).
KNOWN_DRIFT: dict[str, list[str]] = {}


def test_every_doc_with_a_session_is_run() -> None:
    pages = [p for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
             if doc_sessions.read_session(p).commands]
    assert sorted(str(p.relative_to(ROOT)) for p in pages) == sorted(SESSIONS)


@pytest.mark.slow  # a process per command: about 150 commands, two minutes on a shared machine
@pytest.mark.sqlite_only("the sessions run on SQLite files, as the docs show them")
@pytest.mark.parametrize("page", sorted(SESSIONS))
def test_the_sessions_of_the_docs_give_the_output_they_show(page: str, tmp_path: Path) -> None:
    """Run every command of the page in order, in a fresh folder (doc_sessions), and compare
    what it prints with what the page shows."""
    env = doc_sessions.prepare(tmp_path, ROOT)
    for setup in SESSIONS[page]:
        doc_sessions.run(doc_sessions.Command(0, setup, []), tmp_path, env, {})
    seen: dict[str, str] = {}
    differ, drifted = [], []
    session = doc_sessions.read_session(ROOT / page)
    for command in session.commands:
        if doc_sessions.runnable(command) is not None:
            continue
        out = doc_sessions.run(command, tmp_path, env, seen)
        if not doc_sessions.matches(command.expected, out, seen):
            key = command.text.splitlines()[0][:72]
            drifted.append(key)
            if drifted.count(key) > KNOWN_DRIFT.get(page, []).count(key):
                differ.append(f"{page}:{command.line}: $ {command.text.splitlines()[0]}\n  "
                              f"{doc_sessions.first_difference(command.expected, out)}\n"
                              "  got: " + "\n  got: ".join(out[:8]))
    assert not differ, "\n".join(differ)
    fixed = Counter(KNOWN_DRIFT.get(page, [])) - Counter(drifted)
    assert not fixed, f"now as shown, take off KNOWN_DRIFT: {sorted(fixed)}"


def test_the_seed_cites_its_article_by_url_publisher_and_date_only() -> None:
    header = (ROOT / "seeds" / "xai.yaml").read_text(encoding="utf-8").split("\nsources:")[0]
    assert "https://www.huxiu.com/article/4835050.html" in header
    assert "Huxiu" in header and "2026" in header
    assert "/work/" not in header and ".txt" not in header and "xai_facts" not in header
