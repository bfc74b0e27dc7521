"""Bad input to `factbase load`: one `Error: …` naming the file, the record and the field,
exit 1, nothing on stdout, and the database exactly as it was (every table, byte for byte).

Each test starts from a database already holding a small valid timeline (BASE), so "nothing
written" is checked against a non-empty log, and compares a full `iterdump()` of the file
before and after. Click ≥ 8.2: `result.stderr` is stderr alone, `result.stdout` stdout alone
and `result.output` both, interleaved as a terminal shows them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from factbase.cli import cli
from tests import backends
from tests.conftest import BASE_TIMELINE as BASE

BASE_EVENTS = 5


def _event(**fields: object) -> str:
    """A YAML file holding one event: a person.joined that is valid unless ``fields`` change it
    (a value of None removes the field)."""
    record: dict[str, object] = {"type": "person.joined", "date": "2026-02-01",
                                 "sources": ["article-1"], "person": "jane-doe", "org": "acme"}
    record.update(fields)
    lines = ["events:", "  - type: " + str(record.pop("type"))]
    for key, value in record.items():
        if value is not None:
            lines.append(f"    {key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def dump(db: str | str) -> str:
    """Every table and row of the database, as text (SQLite: every index and trigger too)."""
    return backends.dump(db)


def count_events(db: str | str) -> int:
    return int(str(backends.select_rows(db, "SELECT count(*) FROM events")[0][0]))


@pytest.fixture(scope="module")
def base_template(tmp_path_factory: pytest.TempPathFactory,
                  pg: backends.PgServer | None) -> str:
    folder = tmp_path_factory.mktemp("base")
    (folder / "base.yaml").write_text(BASE, encoding="utf-8")
    db = backends.empty_database(pg, folder, "base.db")
    result = CliRunner().invoke(cli, ["--db", db, "load", str(folder / "base.yaml")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def db(base_template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
       clone_db: Callable[[Path | str], str]) -> str:
    """A copy of the base database (a SQLite path or a PostgreSQL URL); the working directory
    is ``tmp_path`` so that messages name files as the user typed them."""
    monkeypatch.chdir(tmp_path)
    path = clone_db(base_template)
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    return path


def load(runner: CliRunner, db: str, *files: str, input: str | bytes | None = None) -> Result:
    return runner.invoke(cli, ["--db", str(db), "load", *files], input=input)


def refused(runner: CliRunner, db: str, name: str, content: str | bytes | None) -> str:
    """Write ``content`` to ``name`` (None: leave it alone), load it, check the refusal is
    one `Error:` on stderr with exit 1 and an untouched database; return the message."""
    path = Path(name)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    before = dump(db)
    result = load(runner, db, name)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exc_info  # not a traceback
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert result.output == result.stderr
    assert dump(db) == before
    return result.stderr


# --- exact messages for representative cases ---------------------------------------------


def test_malformed_json_names_the_line_and_column(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, "bad.json", '{"events": [{"type": "org.founded",}]}')
    assert out == ("Error: bad.json line 1 column 36: not valid JSON: Expecting property name "
                   "enclosed in double quotes\n")


def test_bad_json_lines_line_is_named(runner: CliRunner, db: str) -> None:
    good = json.dumps({"type": "source", "id": "article-2", "url": "https://example.com/a2"})
    out = refused(runner, db, "bad.jsonl", good + '\n{"type": oops}\n')
    assert out == ("Error: bad.jsonl line 2: not valid JSON (Expecting value at column 10); "
                   "each line must be one JSON object\n")


def test_impossible_date_is_refused_not_rolled_over(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, "feb30.yaml", _event(date="2026-02-30"))
    assert out == ("Error: feb30.yaml line 2: date: date '2026-02-30' is not a real calendar "
                   "date (February 2026 has 28 days); write it as YYYY-MM-DD, YYYY-MM or "
                   "YYYY\n")


def test_ambiguous_numeric_date_is_refused(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, "slash.yaml", _event(date="03/02/2026"))
    assert out == ("Error: slash.yaml line 2: date: date '03/02/2026' is ambiguous (day/month "
                   "order); write it as YYYY-MM-DD, YYYY-MM or YYYY\n")


def test_unknown_source_is_named_with_a_suggestion(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, "src.yaml", _event(sources=["articel-1"]))
    assert out == ("Error: src.yaml line 2: sources[0]: unknown source 'articel-1' (did you "
                   "mean 'article-1'?); add it under sources:\n")


def test_event_without_sources_is_refused(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, "nosrc.yaml", _event(sources=None))
    assert out == ("Error: nosrc.yaml line 2: sources: missing: every event cites at least one "
                   "source id, e.g. sources: [huxiu-4835050]\n")


def test_missing_file_is_named(runner: CliRunner, db: str) -> None:
    assert refused(runner, db, "nope.yaml", None) == "Error: nope.yaml: no such file\n"


def test_directory_is_refused(runner: CliRunner, db: str) -> None:
    Path("timelines").mkdir()
    assert refused(runner, db, "timelines", None) == (
        "Error: timelines: is a directory; give the timeline files inside it\n")


def test_empty_file_is_refused(runner: CliRunner, db: str) -> None:
    assert refused(runner, db, "empty.yaml", "") == (
        "Error: empty.yaml: the file is empty; nothing to load (expected sources, entities "
        "and events)\n")


def test_duplicate_yaml_key_is_refused_not_overwritten(runner: CliRunner, db: str) -> None:
    text = _event() + '    date: "2026-02-02"\n'
    out = refused(runner, db, "dupkey.yaml", text)
    assert out == "Error: dupkey.yaml line 7: duplicate key 'date' (first on line 3)\n"


# --- key substrings for the rest ----------------------------------------------------------


def test_malformed_yaml_names_the_line(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, "bad.yaml", "events:\n  - type: org.founded\n    date: [2026\n")
    assert out.startswith("Error: bad.yaml line 4 column 1: YAML syntax error: ")
    assert "check the indentation and quoting there" in out


def test_unknown_event_type_suggests_the_close_one(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, "type.yaml", _event(type="person.joind"))
    assert out.startswith("Error: type.yaml line 2: type: unknown event type 'person.joind' "
                          "(did you mean 'person.joined'?); known types: ")
    assert "person.left" in out and out.count("\n") == 1


def test_missing_required_field_is_named(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, "missing.yaml", _event(person=None))
    assert out == "Error: missing.yaml line 2: person: missing required field\n"


def test_unknown_field_is_named(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, "extra.json", json.dumps({"events": [
        {"type": "person.joined", "date": "2026-02-01", "sources": ["article-1"],
         "person": "jane-doe", "org": "acme", "colour": "red"}]}))
    assert out == ("Error: extra.json events[0]: colour: unknown field; remove it or check its "
                   "spelling\n")


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("person", "jane-do",
     "person: unknown person 'jane-do' (did you mean 'jane-doe'?); add it under entities:"),
    ("org", "acmee",
     "org: unknown organization 'acmee' (did you mean 'acme'?); add it under entities:"),
    ("unit", "acme-reserch",
     "unit: unknown unit 'acme-reserch' (did you mean 'acme-research'?); create it with a "
     "unit.created event"),
    ("person", "zhang-wei", "person: unknown person 'zhang-wei'; add it under entities:"),
])
def test_unknown_reference_is_named_with_a_suggestion_when_close(
        runner: CliRunner, db: str, field: str, value: str, expected: str) -> None:
    out = refused(runner, db, "ref.yaml", _event(**{field: value}))
    assert out == f"Error: ref.yaml line 2: {expected}\n"


def test_duplicate_id_with_different_content_in_one_file_is_refused(
        runner: CliRunner, db: str) -> None:
    text = (_event(id="jane-joins") + _event(id="jane-joins", date="2026-02-02")
            .removeprefix("events:\n"))
    out = refused(runner, db, "dup.yaml", text)
    assert out == ("Error: dup.yaml line 8: id 'jane-joins' appears twice in this load with "
                   "different content (first at dup.yaml line 2); give each its own id\n")
    assert out.count("\n") == 1


def test_duplicate_id_with_different_content_than_the_log_is_refused(
        runner: CliRunner, db: str) -> None:
    out = refused(runner, db, "dup.yaml", _event(id="acme-founded"))
    assert out == ("Error: dup.yaml line 2: event id 'acme-founded' is already in the log with "
                   "different content; events are immutable: give this event a new id\n")


def test_source_reregistered_with_different_details_is_refused(
        runner: CliRunner, db: str) -> None:
    out = refused(runner, db, "src.yaml", "sources:\n  - id: article-1\n    url: https://x\n")
    assert out.startswith("Error: src.yaml line 2: source 'article-1' is already registered "
                          "with different details")


@pytest.mark.parametrize("name", ["blank.yaml", "blank.json", "blank.jsonl", "blank"])
def test_whitespace_only_file_is_empty(runner: CliRunner, db: str, name: str) -> None:
    out = refused(runner, db, name, "  \n\n\t \r\n")
    assert out == (f"Error: {name}: the file is empty; nothing to load (expected sources, "
                   "entities and events)\n")


@pytest.mark.parametrize(("name", "content", "offset"), [
    ("latin1.yaml", _event(title="café").encode("latin-1"), 136),
    ("latin1.json", '{"events": [{"title": "café"}]}'.encode("latin-1"), 26),
])
def test_non_utf8_bytes_are_refused(runner: CliRunner, db: str, name: str, content: bytes,
                                    offset: int) -> None:
    out = refused(runner, db, name, content)
    assert out == (f"Error: {name}: not UTF-8 text (bad byte at offset {offset}); save the file "
                   "as UTF-8\n")


def test_non_utf8_json_lines_names_the_line(runner: CliRunner, db: str) -> None:
    good = json.dumps({"type": "source", "id": "article-2"})
    out = refused(runner, db, "latin1.jsonl", (good + '\n{"note": "caf\xe9"}\n').encode("latin-1"))
    assert out == ("Error: latin1.jsonl line 2: not UTF-8 text (bad byte at offset 13); save "
                   "the file as UTF-8\n")


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("nulls.yaml", "events:\n",
     "Error: nulls.yaml line 1: 'events' must be a list of records (each starting with '- '); "
     "write 'events: []' for none\n"),
    ("one.yaml", "events:\n  type: org.founded\n",
     "Error: one.yaml line 2: 'events' must be a list of records (each starting with '- '); "
     "write 'events: []' for none\n"),
    ("top.yaml", "persons: []\n",
     "Error: top.yaml: unknown top-level key 'persons'; a file holds the lists sources, "
     "entities and events\n"),
    ("none.json", "[]", "Error: none.json: holds no records; nothing to load\n"),
    ("dupkey.json", '{"events": [], "events": []}',
     "Error: dupkey.json: duplicate key 'events' in a JSON object; each key may appear once\n"),
    ("dupkey.jsonl", '{"type": "source", "id": "a", "id": "b"}\n',
     "Error: dupkey.jsonl line 1: id: duplicate key; each key may appear once\n"),
    ("at.jsonl", json.dumps({"type": "org.founded", "date": "2026-01-05", "at": 5,
                             "sources": ["article-1"], "org": "acme"}) + "\n",
     "Error: at.jsonl line 1: at: '5' is not an instant; write it as ISO 8601 text with an "
     "offset, e.g. 2026-02-11T00:05:00Z\n"),
])
def test_wrong_shape_is_refused_with_the_fix(runner: CliRunner, db: str, name: str,
                                             content: str, expected: str) -> None:
    assert refused(runner, db, name, content) == expected


def test_every_problem_of_a_file_is_listed_in_one_error(runner: CliRunner, db: str) -> None:
    text = (_event(date="2026-02-30") + _event(colour="red").removeprefix("events:\n")
            + _event(person="jane-do").removeprefix("events:\n"))
    out = refused(runner, db, "many.yaml", text)
    assert out == (
        "Error: many.yaml line 2: date: date '2026-02-30' is not a real calendar date (February "
        "2026 has 28 days); write it as YYYY-MM-DD, YYYY-MM or YYYY\n"
        "many.yaml line 7: colour: unknown field; remove it or check its spelling\n"
        "many.yaml line 13: person: unknown person 'jane-do' (did you mean 'jane-doe'?); add it "
        "under entities:\n")


def test_bad_second_file_keeps_the_good_first_file_out(runner: CliRunner, db: str) -> None:
    Path("good.yaml").write_text("sources:\n  - id: article-2\n", encoding="utf-8")
    Path("bad.yaml").write_text(_event(date="2026-13"), encoding="utf-8")
    before = dump(db)
    result = load(runner, db, "good.yaml", "bad.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: bad.yaml line 2: date: ")
    assert dump(db) == before


def _jsonl_records(n: int) -> list[str]:
    out = []
    for i in range(n):
        if i % 2:
            out.append(json.dumps({"type": "entity", "id": f"person-{i}", "kind": "person",
                                   "name": f"Person {i}"}))
        else:
            out.append(json.dumps({"type": "statement.made", "date": "2026-02-10",
                                   "sources": ["article-1"], "person": "jane-doe",
                                   "channel": "X", "summary": f"post number {i}"}))
    return out


@pytest.mark.parametrize(("bad", "message"), [
    ('{"type": "statement.made", "date": "2026-02-10"', "not valid JSON"),
    (json.dumps({"type": "entity", "id": "p", "kind": "person", "name": "P", "colour": "red"}),
     "colour: unknown field"),
    (json.dumps({"type": "person.joined", "date": "2026-02-10", "sources": ["article-1"],
                 "person": "nobody", "org": "acme"}), "person: unknown person 'nobody'"),
])
def test_one_bad_line_among_a_thousand_good_ones_writes_nothing(
        runner: CliRunner, db: str, bad: str, message: str) -> None:
    # The bad line comes after the first batch of 1000 records has been appended inside the
    # transaction, so this checks the rollback, not only validation ahead of the write.
    lines = _jsonl_records(1000) + [bad] + _jsonl_records(10)
    before = count_events(db)
    out = refused(runner, db, "big.jsonl", "\n".join(lines) + "\n")
    assert out.startswith("Error: big.jsonl line 1001: ")
    assert message in out
    assert count_events(db) == before == BASE_EVENTS


def test_loading_the_same_file_twice_adds_nothing(runner: CliRunner, db: str) -> None:
    before = dump(db)
    result = runner.invoke(cli, ["--db", str(db), "load", "base.yaml"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == (f"base.yaml: 0 new, {BASE_EVENTS} already present (the log holds "
                             f"{BASE_EVENTS} events)\n")
    assert dump(db) == before


def test_bad_stdin_is_named_stdin(runner: CliRunner, db: str) -> None:
    before = dump(db)
    good = json.dumps({"type": "source", "id": "article-2"})
    result = load(runner, db, "-", input=good + '\n{"type": oops}\n')
    assert result.exit_code == 1
    assert result.stderr == ("Error: <stdin> line 2: not valid JSON (Expecting value at column "
                             "10); each line must be one JSON object\n")
    assert dump(db) == before


@pytest.mark.sqlite_only("about files: no database file, -wal or -shm is left")
def test_failed_load_into_a_new_path_creates_no_database(runner: CliRunner, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("bad.yaml").write_text(_event(date="2026-13"), encoding="utf-8")
    result = runner.invoke(cli, ["--db", "new.db", "load", "bad.yaml"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: bad.yaml line 2: date: date '2026-13' ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]  # no db, -wal or -shm


def test_failed_load_into_a_new_database_writes_no_event(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        new_db: Callable[[], str]) -> None:
    monkeypatch.chdir(tmp_path)
    db = new_db()
    Path("bad.yaml").write_text(_event(date="2026-13"), encoding="utf-8")
    result = runner.invoke(cli, ["--db", db, "load", "bad.yaml"])
    assert result.exit_code == 1
    if "://" in db:  # PostgreSQL: the database stays, with the schema but not an event
        assert count_events(db) == 0
    else:
        assert not Path(db).exists()
