"""Names as they are loaded: composed (NFC), never invisible, look-alikes flagged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factbase.api import FactBase
from factbase.cli import cli


def _file(tmp_path: Path, *entities: dict[str, Any], name: str = "names.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"entities": list(entities)}), encoding="utf-8")
    return path


def _load(db: str, path: Path) -> Any:
    return CliRunner().invoke(cli, ["--db", db, "load", str(path)])


def test_a_decomposed_name_is_stored_composed_and_found_by_sql(
        fb: FactBase, tmp_path: Path) -> None:
    path = _file(tmp_path, {"id": "renee", "kind": "person", "name": "Rene\u0301e Dupont",
                            "aliases": ["Rene\u0301e"]})
    result = _load(fb.url, path)
    assert result.exit_code == 0, result.output
    names = CliRunner().invoke(cli, ["--db", fb.url, "sql", "--format", "json",
                                     "SELECT DISTINCT name FROM entity_names WHERE name IN "
                                     "('Renée Dupont', 'Renée') ORDER BY name"])
    assert json.loads(names.stdout) == [{"name": "Renée"}, {"name": "Renée Dupont"}]
    again = _load(fb.url, path)  # loading the same file again adds nothing
    assert again.stdout == f"{path}: 0 new, 1 already present (the log holds 1 events)\n"


@pytest.mark.parametrize(("name", "shown"), [
    ("\u200b\u200b", "U+200B U+200B"),
    ("\u3164", "U+3164"),
    ("\u2060 \ufeff", "U+2060 U+0020 U+FEFF"),
    ("\x1b", "U+001B"),
    ("\u200b" * 9, "U+200B U+200B U+200B U+200B U+200B U+200B U+200B U+200B …"),
])
def test_a_name_of_only_invisible_characters_is_refused_and_nothing_written(
        fb: FactBase, tmp_path: Path, name: str, shown: str) -> None:
    path = _file(tmp_path, {"id": "ok", "kind": "person", "name": "Ok"},
                 {"id": "ghost", "kind": "person", "name": "Ghost", "aliases": [name]},
                 {"id": "nobody", "kind": "person", "name": name})
    result = _load(fb.url, path)
    assert result.exit_code == 1
    why = f"holds only invisible characters ({shown}); a name needs a visible letter"
    assert result.stderr == (f"Error: {path} entities[1]: aliases[0]: {why}\n"
                             f"{path} entities[2]: name: {why}\n")
    assert fb.count() == 0


def test_a_name_with_an_invisible_character_inside_is_kept(fb: FactBase,
                                                           tmp_path: Path) -> None:
    result = _load(fb.url, _file(tmp_path, {"id": "tw", "kind": "person",
                                            "name": "Tony\u200bWu"}))
    assert result.exit_code == 0, result.output
    assert fb.resolve("Tony Wu") == "tw"
    shown = CliRunner().invoke(cli, ["--db", fb.url, "sql", "--format", "json",
                                     "SELECT name FROM entities"])
    assert json.loads(shown.stdout) == [{"name": "Tony\u200bWu"}]
