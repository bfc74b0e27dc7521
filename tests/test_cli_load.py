"""`factbase load` happy paths, and the CLI's behaviour around them: one timeline in YAML, JSON
and JSON Lines is the same events; `-` reads stdin; loading is idempotent; several files load
together; query commands never create a database; malformed options are usage errors; every
command's help has an example."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from factbase.api import FactBase
from factbase.cli import cli
from factbase.core.errors import FactbaseError
from tests.backends import BACKEND, select_rows

SOURCES: list[dict[str, Any]] = [
    {"id": "globe-2026-02-10", "url": "https://example.com/globe", "title": "Acme reorganises",
     "publisher": "The Globe", "published": "2026-02-10", "language": "en"},
    {"id": "annual-report", "publisher": "Acme", "published": "2026"},
]
ENTITIES: list[dict[str, Any]] = [
    {"id": "acme", "kind": "organization", "name": "Acme", "aliases": ["Acme Corp."]},
    {"id": "ada-li", "kind": "person", "name": "Ada Li", "aliases": ["李艾达"]},
    {"id": "bo-chen", "kind": "person", "name": "Bo Chen"},
]
EVENTS: list[dict[str, Any]] = [
    {"id": "acme-founded", "type": "org.founded", "date": "2024-05", "sources": ["annual-report"],
     "org": "acme", "founders": ["ada-li", "bo-chen"]},
    {"type": "unit.created", "date": "2024-06-01", "sources": ["annual-report"],
     "unit": "acme-labs", "org": "acme", "name": "Labs", "kind": "division"},
    {"type": "role.assigned", "date": "2024-06-01", "sources": ["annual-report"],
     "person": "ada-li", "org": "acme", "unit": "acme-labs", "role": "lead"},
    {"type": "person.left", "date": "2026-02-09", "at": "2026-02-10T01:30:00Z",
     "evidence": "reported", "sources": ["globe-2026-02-10"], "person": "bo-chen",
     "org": "acme", "reason": "resigned", "note": "Announced in a post; 辞职."},
    {"type": "metric.reported", "date": "2026", "sources": ["annual-report"], "subject": "acme",
     "metric": "employees", "value": 120, "unit": "people", "qualifier": "about"},
]

YAML = """\
# The same timeline as SOURCES, ENTITIES and EVENTS, as an author would type it.
sources:
  - id: globe-2026-02-10
    url: https://example.com/globe
    title: Acme reorganises
    publisher: The Globe
    published: 2026-02-10
    language: en
  - id: annual-report
    publisher: Acme
    published: 2026
entities:
  - {id: acme, kind: organization, name: Acme, aliases: [Acme Corp.]}
  - id: ada-li
    kind: person
    name: Ada Li
    aliases: [李艾达]
  - {id: bo-chen, kind: person, name: Bo Chen}
events:
  - id: acme-founded
    type: org.founded
    date: 2024-05
    sources: [annual-report]
    org: acme
    founders: [ada-li, bo-chen]
  - type: unit.created
    date: 2024-06-01
    sources: [annual-report]
    unit: acme-labs
    org: acme
    name: Labs
    kind: division
  - type: role.assigned
    date: 2024-06-01
    sources: [annual-report]
    person: ada-li
    org: acme
    unit: acme-labs
    role: lead
  - type: person.left
    date: 2026-02-09
    at: 2026-02-10T01:30:00Z
    evidence: reported
    sources: [globe-2026-02-10]
    person: bo-chen
    org: acme
    reason: resigned
    note: "Announced in a post; 辞职."
  - type: metric.reported
    date: 2026
    sources: [annual-report]
    subject: acme
    metric: employees
    value: 120
    unit: people
    qualifier: about
"""
N = len(SOURCES) + len(ENTITIES) + len(EVENTS)


def as_json() -> str:
    return json.dumps({"sources": SOURCES, "entities": ENTITIES, "events": EVENTS},
                      ensure_ascii=False, indent=2)


def as_jsonl() -> str:
    lines = [{"type": "source", **s} for s in SOURCES] + [{"type": "entity", **e}
                                                            for e in ENTITIES] + EVENTS
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines)


TEXTS = {"yaml": YAML, "json": as_json(), "jsonl": as_jsonl()}


def invoke(runner: CliRunner, *args: str, input: str | None = None) -> Result:
    return runner.invoke(cli, list(args), input=input, prog_name="factbase",
                         catch_exceptions=False)


def logged(db: Path | str) -> list[tuple[Any, ...]]:
    """The log's content, without recorded times and hashes (they differ per load)."""
    return select_rows(
        db, "SELECT seq, event_id, type, stream, date_text, valid_from, valid_to, precision, "
            "instant, evidence, payload, sources, content_hash FROM events ORDER BY seq")


Named = Callable[[str], str]


@pytest.fixture
def dbs(new_db: Callable[[], str]) -> Named:
    """``--db`` arguments by name: the file name itself on SQLite (relative to ``cwd``), one
    new PostgreSQL database per name on PostgreSQL."""
    made: dict[str, str] = {}

    def named(name: str) -> str:
        if BACKEND == "sqlite":
            return name
        if name not in made:
            made[name] = new_db()
        return made[name]

    return named


def org_json(runner: CliRunner, db: Path | str) -> dict[str, Any]:
    result = invoke(runner, "--db", str(db), "org", "acme", "--as-of", "2026-03-01",
                    "--format", "json")
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def loaded(fmt: str, n: int = N, total: int = N, name: str | None = None) -> str:
    return f"{name or 'timeline.' + fmt}: {n} new, {N - n} already present " \
           f"(the log holds {total} events)\n"


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- one timeline, three formats ---------------------------------------------------------


def test_yaml_json_and_jsonl_of_one_timeline_are_the_same_events(runner: CliRunner,
                                                                 cwd: Path, dbs: Named) -> None:
    logs, docs = {}, {}
    for fmt, text in TEXTS.items():
        Path(f"timeline.{fmt}").write_text(text, encoding="utf-8")
        db = dbs(f"{fmt}.db")
        result = invoke(runner, "--db", db, "load", f"timeline.{fmt}")
        assert result.exit_code == 0
        assert result.stdout == loaded(fmt)
        assert result.stderr == ""
        logs[fmt] = logged(db)
        doc = org_json(runner, db)
        doc.pop("known_at")
        docs[fmt] = doc
    assert len(logs["yaml"]) == N
    assert logs["yaml"] == logs["json"] == logs["jsonl"]
    assert docs["yaml"] == docs["json"] == docs["jsonl"]
    assert [r[1] for r in logs["yaml"]][:N - len(EVENTS) + 1] == [
        "source.globe-2026-02-10", "source.annual-report", "entity.acme", "entity.ada-li",
        "entity.bo-chen", "acme-founded"]
    assert docs["yaml"]["cofounders"]["total"] == 2
    assert [p["id"] for p in docs["yaml"]["departed"]] == ["bo-chen"]


@pytest.mark.parametrize("fmt", list(TEXTS))
def test_dash_reads_standard_input(runner: CliRunner, cwd: Path, dbs: Named, fmt: str) -> None:
    Path("timeline.yaml").write_text(YAML, encoding="utf-8")
    invoke(runner, "--db", dbs("file.db"), "load", "timeline.yaml")
    result = invoke(runner, "--db", dbs("stdin.db"), "load", "-", input=TEXTS[fmt])
    assert result.exit_code == 0
    assert result.stdout == loaded(fmt, name="<stdin>")
    assert logged(dbs("stdin.db")) == logged(dbs("file.db"))


def test_a_one_line_json_document_on_stdin_is_json_not_json_lines(runner: CliRunner,
                                                                  cwd: Path, dbs: Named) -> None:
    one_line = json.dumps({"sources": SOURCES, "entities": ENTITIES, "events": EVENTS})
    result = invoke(runner, "--db", dbs("stdin.db"), "load", "-", input=one_line)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == loaded("json", name="<stdin>")


def test_a_long_first_json_lines_record_on_stdin_is_still_json_lines(runner: CliRunner,
                                                                     cwd: Path, dbs: Named) -> None:
    first = {"type": "source", "id": "long", "note": "x" * 10_000}
    result = invoke(runner, "--db", dbs("stdin.db"), "load", "-",
                    input=json.dumps(first) + "\n" + TEXTS["jsonl"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (f"<stdin>: {N + 1} new, 0 already present "
                             f"(the log holds {N + 1} events)\n")


# --- idempotence and several files -------------------------------------------------------


@pytest.mark.parametrize("fmt", list(TEXTS))
def test_loading_a_file_twice_adds_nothing(runner: CliRunner, cwd: Path, dbs: Named,
                                           fmt: str) -> None:
    Path(f"timeline.{fmt}").write_text(TEXTS[fmt], encoding="utf-8")
    first = invoke(runner, "--db", dbs("fb.db"), "load", f"timeline.{fmt}")
    log = logged(dbs("fb.db"))
    second = invoke(runner, "--db", dbs("fb.db"), "load", f"timeline.{fmt}")
    assert first.stdout == loaded(fmt)
    assert second.exit_code == 0
    assert second.stdout == loaded(fmt, n=0)
    assert logged(dbs("fb.db")) == log


def test_another_format_of_a_loaded_timeline_adds_nothing(runner: CliRunner, cwd: Path,
                                                          dbs: Named) -> None:
    for fmt, text in TEXTS.items():
        Path(f"timeline.{fmt}").write_text(text, encoding="utf-8")
    invoke(runner, "--db", dbs("fb.db"), "load", "timeline.yaml")
    result = invoke(runner, "--db", dbs("fb.db"), "load", "timeline.json", "timeline.jsonl")
    assert result.exit_code == 0
    assert result.stdout == (f"timeline.json, timeline.jsonl: 0 new, {2 * N} already present "
                             f"(the log holds {N} events)\n")


@pytest.mark.parametrize("order", [("defs.yaml", "events.jsonl"), ("events.jsonl", "defs.yaml")])
def test_several_files_load_in_one_command_whatever_their_order(
        runner: CliRunner, cwd: Path, dbs: Named, order: tuple[str, str]) -> None:
    # Events may name entities defined in a later file of the same command.
    Path("defs.yaml").write_text(YAML.split("events:\n")[0], encoding="utf-8")
    Path("events.jsonl").write_text("".join(json.dumps(e, ensure_ascii=False) + "\n"
                                            for e in EVENTS), encoding="utf-8")
    result = invoke(runner, "--db", dbs("fb.db"), "load", *order)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (f"{order[0]}, {order[1]}: {N} new, 0 already present (the log "
                             f"holds {N} events)\n")
    doc = org_json(runner, dbs("fb.db"))
    assert doc["org"] == {"id": "acme", "name": "Acme"}


def test_load_then_verify_is_ok(runner: CliRunner, cwd: Path, dbs: Named) -> None:
    Path("timeline.yaml").write_text(YAML, encoding="utf-8")
    invoke(runner, "--db", dbs("fb.db"), "load", "timeline.yaml")
    result = invoke(runner, "--db", dbs("fb.db"), "verify", "--projections")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"ok: {N} events, hash chain intact, projections match")


# --- no database is created by mistake ----------------------------------------------------


@pytest.mark.parametrize("args", [["org", "acme"], ["timeline"], ["verify"], ["rebuild"]])
def test_a_query_on_a_missing_database_is_an_error_and_creates_nothing(
        runner: CliRunner, tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "typo.db"
    result = runner.invoke(cli, ["--db", str(db), *args], prog_name="factbase")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"Error: no factbase database at {db}; load a timeline first "
                             "(factbase load FILE) or pass --db\n")
    assert list(tmp_path.iterdir()) == []


# --- usage errors -------------------------------------------------------------------------


def test_an_impossible_as_of_date_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--db", str(tmp_path / "fb.db"), "org", "acme", "--as-of",
                                 "2026-13-01"], prog_name="factbase")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Usage: factbase org [OPTIONS] ORG\n"
        "Try 'factbase org --help' for help.\n\n"
        "Error: Invalid value for '--as-of': date '2026-13-01' is not a real calendar date "
        "(there is no month 13; months run 01-12); write it as YYYY-MM-DD, YYYY-MM or YYYY "
        "(e.g. 2026-03-01: the state at the end of that day)\n")
    assert list(tmp_path.iterdir()) == []


def test_load_without_files_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--db", str(tmp_path / "fb.db"), "load"], prog_name="factbase")
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: factbase load [OPTIONS] FILE... | -\n")
    assert "Error: Missing argument 'FILE... | -'." in result.stderr
    assert list(tmp_path.iterdir()) == []


# --- help ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(cli.commands))  # type: ignore[attr-defined]
def test_every_command_has_help_with_an_example(runner: CliRunner, command: str) -> None:
    result = invoke(runner, command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: factbase {command} ")
    section = re.search(r"^  Examples?:\n((?:    .*\n)+)", result.stdout, re.M)
    assert section is not None, result.stdout
    examples = section.group(1).splitlines()
    assert all("factbase " in line for line in examples)
    assert any(f" {command}" in line for line in examples)


def test_top_level_help_lists_every_command(runner: CliRunner) -> None:
    result = invoke(runner, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: factbase [OPTIONS] COMMAND [ARGS]...\n")
    listed = result.stdout.split("\nCommands:\n", 1)[1]
    for name in cli.commands:  # type: ignore[attr-defined]
        assert f"\n  {name} " in "\n" + listed


def test_only_one_of_two_loaders_into_a_new_path_counts_as_its_creator(tmp_path: Path) -> None:
    # A failed load removes the file only if it created it (atomically, O_EXCL) and the log is
    # still empty, so a failing loader never deletes a database another loader is filling.
    from factbase.store.engine import claim_new_file

    path = tmp_path / "new.db"
    assert claim_new_file(path) is True
    assert claim_new_file(path) is False
    with FactBase.open(str(path), create=True) as fb:
        assert fb.created is None  # another process (the claim above) made the file
        with pytest.raises(FactbaseError):
            fb.load([])
        assert path.exists()
    path.unlink()
    with FactBase.open(str(path), create=True) as fb:
        assert fb.created == path
        with pytest.raises(FactbaseError):
            fb.load([str(tmp_path / "missing.yaml")])
        assert not path.exists()
