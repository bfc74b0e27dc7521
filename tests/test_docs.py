"""The docs stay true: the example files load alike; every command is documented."""

from __future__ import annotations

import sqlite3
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
