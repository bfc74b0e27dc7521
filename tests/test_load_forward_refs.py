"""Records may come in any order: names for entities defined batches later load cleanly."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from factbase.api import LOAD_BATCH
from factbase.cli import cli


def test_a_rename_and_an_alias_before_their_entity_across_batches_load(tmp_path: Path) -> None:
    lines = [
        {"type": "source", "id": "s1", "url": "https://example.org/s1"},
        {"type": "entity", "id": "acme", "kind": "organization", "name": "Acme"},
        {"type": "entity.aliased", "entity": "bob", "aliases": ["Bobby"]},
        {"type": "unit.renamed", "date": "2021-01-01", "unit": "lab", "org": "acme",
         "name": "Research", "sources": ["s1"]},
        *({"type": "entity", "id": f"p{i}", "kind": "person", "name": f"P {i}"}
          for i in range(LOAD_BATCH + 10)),
        {"type": "entity", "id": "bob", "kind": "person", "name": "Bob"},
        {"type": "unit.created", "date": "2020-01-01", "unit": "lab", "org": "acme",
         "name": "Lab", "sources": ["s1"]},
    ]
    f = tmp_path / "late.jsonl"
    f.write_text("".join(json.dumps(x) + "\n" for x in lines))
    db = str(tmp_path / "late.db")
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db, "load", str(f)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{f}: {len(lines)} new")
    assert runner.invoke(cli, ["--db", db, "verify"]).exit_code == 0
    org = runner.invoke(cli, ["--db", db, "org", "acme", "--as-of", "2022-01-01"]).stdout
    assert "  - Research [team, formerly Lab] since 2020-01-01 [1]" in org
