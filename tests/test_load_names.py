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


def test_a_look_alike_of_a_recorded_name_is_flagged_in_either_order(
        new_db: Any, tmp_path: Path) -> None:
    latin = {"id": "tony-wu", "kind": "person", "name": "Tony Wu"}
    cyrillic = {"id": "tony-wu-2", "kind": "person", "name": "T\u043eny Wu"}
    for first, second in ((latin, cyrillic), (cyrillic, latin)):
        db = new_db()
        assert _load(db, _file(tmp_path, first, name="a.json")).exit_code == 0
        result = _load(db, _file(tmp_path, second, name="b.json"))
        assert result.exit_code == 0, result.output
        assert result.stderr == (
            f"warning: '{first['name']}' (id {first['id']}) and '{second['name']}' (id "
            f"{second['id']}) look alike: they differ only in characters that look the same "
            "(o U+006F LATIN SMALL LETTER O, \u043e U+043E CYRILLIC SMALL LETTER O); they stay "
            "two people — declare entity.merged if they are one, or correct the name\n"
            if first is latin else
            f"warning: '{first['name']}' (id {first['id']}) and '{second['name']}' (id "
            f"{second['id']}) look alike: they differ only in characters that look the same "
            "(\u043e U+043E CYRILLIC SMALL LETTER O, o U+006F LATIN SMALL LETTER O); they stay "
            "two people — declare entity.merged if they are one, or correct the name\n")
        # A look-alike is flagged, never matched: each name still finds only its own.
        with FactBase.open(db) as fb:
            assert fb.resolve("Tony Wu") == "tony-wu"
            assert fb.resolve("T\u043eny Wu") == "tony-wu-2"


def test_look_alikes_loaded_together_and_a_name_sharing_a_key_are_flagged_once(
        fb: FactBase, tmp_path: Path) -> None:
    result = _load(fb.url, _file(
        tmp_path, {"id": "kim", "kind": "person", "name": "Ann Kim"},
        {"id": "kirn", "kind": "person", "name": "Ann Kirn"},
        {"id": "ann-kim", "kind": "person", "name": "ANN KIM"},
        {"id": "acme", "kind": "organization", "name": "Ann Kirn"}))  # another kind: no pair
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "warning: 'Ann Kim' (id kim) and 'ANN KIM' (id ann-kim) share the look-up name "
        "'ann kim'; they stay two people — declare entity.merged if they are one\n"
        "warning: 'Ann Kim' (id kim) and 'Ann Kirn' (id kirn) look alike: they differ only in "
        "characters that look the same (m U+006D LATIN SMALL LETTER M, r U+0072 LATIN SMALL "
        "LETTER R); they stay two people — declare entity.merged if they are one, or correct "
        "the name\n")


def test_the_look_alike_key_is_the_tr39_skeleton_of_the_folded_name() -> None:
    from factbase.core.names import skeleton

    assert skeleton("T\u043eny Wu") == skeleton("Tony Wu") == skeleton("TONY  WU") == "tony wu"
    assert skeleton("Kim") == skeleton("Kirn") == "kirn"
    assert skeleton("p\u0430ypal") == skeleton("paypal")
    assert skeleton("吳宇懷") == skeleton("吴宇怀")
    assert skeleton("Tony Wu") != skeleton("Tony Wo")
    assert skeleton("") == ""
