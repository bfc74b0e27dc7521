"""The lines the CLI prints around its documents (status lines, notes, warnings, `did you
mean`, errors, `redact --list`) show stored and typed text through the one escaping home,
:func:`factbase.core.escape.terminal_text`: an escape sequence, a bidi control or a zero-width
character in a name is shown as ``[U+…]``, whether or not the stream is a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from factbase.cli import cli

#: A name that clears the screen, reverses the text after it and hides a character.
EVIL = "Ev\x1b[2Jil\u202eRLO\u200bZW"
SHOWN = "Ev[U+001B][2Jil[U+202E]RLO[U+200B]ZW"
RAW = ("\x1b", "\u202e", "\u200b")


def _timeline(name: str = EVIL) -> str:
    return json.dumps({
        "sources": [{"id": "s1", "url": "https://example.com/a", "title": "A"}],
        "entities": [{"id": "acme", "kind": "organization", "name": "Acme " + name},
                     {"id": "p1", "kind": "person", "name": "Tony " + name},
                     {"id": "p2", "kind": "person", "name": "Tony " + name}],
        "events": [{"type": "org.founded", "date": "2026-01-05", "sources": ["s1"],
                    "org": "acme", "founders": ["p1", "p2"]}]})


def _run(db: str, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--db", db, *args])
    for raw in RAW:
        assert raw not in result.stdout and raw not in result.stderr, (args, result.stderr)
    return result


@pytest.fixture
def db(tmp_path: Path, db_url: str) -> str:
    path = tmp_path / "evil.json"
    path.write_text(_timeline(), encoding="utf-8")
    result = _run(db_url, "load", str(path))
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"warning: 'Tony {SHOWN}' (id p1) and 'Tony {SHOWN}' (id p2) share the look-up name "
        "'tony ev[U+001B][2jilrlozw'; they stay two people — declare entity.merged if they "
        "are one\n")
    return db_url


def test_the_report_status_line_shows_the_name_escaped(db: str, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    result = _run(db, "report", "acme", "--as-of", "2026-02-01", "--out", str(out))
    assert result.exit_code == 0
    assert result.stderr == (f"{out}: report on Acme {SHOWN} as of 2026-02-01 written "
                             "(md, 1 sources)\n")
    assert "\x1b" not in out.read_text(encoding="utf-8")


def test_did_you_mean_shows_the_names_escaped(db: str) -> None:
    result = _run(db, "who", "tonyx")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: no person or organization named 'tonyx'; did you mean "
                             f"'Tony {SHOWN}' (p1), 'Tony {SHOWN}' (p2)?\n")


def test_redact_list_shows_the_reason_escaped(db: str) -> None:
    result = _run(db, "redact", "p1", "--why", "asked " + EVIL, "--source", "s1")
    assert result.exit_code == 0, result.output
    listed = _run(db, "redact", "--list")
    assert listed.exit_code == 0
    assert listed.stdout.count("\n") == 1
    assert listed.stdout.endswith(f"  why: asked {SHOWN}\n")


def test_an_error_quoting_a_typed_value_shows_it_escaped(db: str) -> None:
    result = _run(db, "org", "\x1b[2Jacme\u202e")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no organization named '[U+001B][2Jacme[U+202E]'")
    assert result.stderr.count("\n") == 1


def test_a_usage_error_quoting_a_typed_value_shows_it_escaped(db: str) -> None:
    result = _run(db, "org", "acme", "--as-of", "\x1b[2J\u202e")
    assert result.exit_code == 2
    # The date parser quotes the value as Python writes it: escapes, never the characters.
    assert ("Error: Invalid value for '--as-of': date '\\x1b[2J\\u202e' is not a date "
            "factbase reads" in result.stderr)
    # A usage error that quotes the value as typed has it escaped on its way out.
    typed = _run(db, "timeline", "--type", "\x1b[2Jx\u202e")
    assert typed.exit_code == 2
    assert ("Error: Invalid value for '--type': unknown event type '[U+001B][2Jx[U+202E]'; "
            "types: " in typed.stderr)


def test_every_line_of_a_rejected_file_is_escaped_and_stays_one_line(
        db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"events": [
        {"type": "person.left", "date": "2026-02", "sources": ["s1"],
         "person": "p\n\x1b[2J\u202e", "org": "acme", "reason": "resigned"},
        {"type": "person.left", "date": "2026-02", "sources": ["s1"], "person": "x\u200b",
         "org": "acme", "reason": "resigned"}]}), encoding="utf-8")
    result = _run(db, "load", str(bad))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines == [
        f"Error: {bad} events[0]: person: 'p [U+001B][2J[U+202E]' is not a valid id or code; "
        "use lowercase letters, digits, '-', '_' or '.' (e.g. tony-wu)",
        f"{bad} events[1]: person: 'x[U+200B]' is not a valid id or code; use lowercase "
        "letters, digits, '-', '_' or '.' (e.g. tony-wu)"]
