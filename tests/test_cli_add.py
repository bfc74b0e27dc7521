"""`factbase add TYPE`: one event from the command line, validated and appended exactly as a
loaded file is; `--dry-run` prints the record and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from factbase.cli import cli
from tests import backends
from tests.conftest import BASE_TIMELINE


@pytest.fixture
def db(tmp_path: Path, new_db: Callable[[], str]) -> str:
    (tmp_path / "base.yaml").write_text(BASE_TIMELINE, encoding="utf-8")
    path = new_db()
    result = CliRunner().invoke(cli, ["--db", path, "load", str(tmp_path / "base.yaml")],
                                catch_exceptions=False)
    assert result.exit_code == 0
    return path


def add(runner: CliRunner, db: str, *args: str, ok: bool = True) -> Result:
    result = runner.invoke(cli, ["--db", db, "add", *args], catch_exceptions=not ok)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def refused(runner: CliRunner, db: str, *args: str, code: int = 1) -> str:
    before = backends.dump(db)
    result = runner.invoke(cli, ["--db", db, "add", *args])
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert result.stdout == ""
    assert backends.dump(db) == before
    return result.stderr


def _row(db: str, event_id: str) -> tuple[str, str, str]:
    ((type_, payload, content_hash),) = backends.select_rows(
        db, f"SELECT type, payload, content_hash FROM events WHERE event_id = '{event_id}'")
    return str(type_), str(payload), str(content_hash)


LEFT = ["person.left", "--person", "jane-doe", "--org", "acme", "--date", "2026-02-09",
        "--reason", "resigned", "--source", "article-1"]


def test_a_departure_from_the_command_line_is_the_event_a_file_gives(
        runner: CliRunner, db: str, tmp_path: Path, new_db: Callable[[], str]) -> None:
    result = add(runner, db, *LEFT, "--note", "Her post says so.", "--evidence", "confirmed")
    event_id = result.stdout.strip()
    assert result.stdout == f"{event_id}\n" and event_id.startswith("ev-")
    assert result.stderr == ""
    # The same record in a file, loaded into another copy: the same id and content hash.
    (tmp_path / "left.yaml").write_text(
        BASE_TIMELINE + "  - type: person.left\n    date: '2026-02-09'\n    sources: "
        "[article-1]\n    person: jane-doe\n    org: acme\n    reason: resigned\n    note: "
        "Her post says so.\n    evidence: confirmed\n", encoding="utf-8")
    other = new_db()
    runner.invoke(cli, ["--db", other, "load", str(tmp_path / "left.yaml")],
                  catch_exceptions=False)
    assert _row(db, event_id) == _row(other, event_id)


def test_adding_the_same_fact_again_adds_nothing(runner: CliRunner, db: str) -> None:
    first = add(runner, db, *LEFT).stdout
    again = add(runner, db, *LEFT)
    assert again.stdout == first
    assert again.stderr == (f"note: {first.strip()} is already in the log with this content; "
                            "nothing added\n")
    assert backends.select_rows(db, "SELECT count(*) FROM events")[0][0] == 6


def test_sources_and_entities_then_events_naming_them(runner: CliRunner, db: str) -> None:
    assert add(runner, db, "source", "--id", "ht-2026-02-10", "--url",
               "https://example.com/ht", "--title", "Jane Doe quits", "--publisher",
               "Hindustan Times", "--published", "2026-02-10").stdout == \
        "source.ht-2026-02-10\n"
    assert add(runner, db, "person", "--id", "wu-yu", "--name", "Wu Yu", "--alias", "吴宇",
               "--alias", "吳宇").stdout == "entity.wu-yu\n"
    assert add(runner, db, "organization", "--id", "beta", "--name", "Beta Labs").stdout == \
        "entity.beta\n"
    joined = add(runner, db, "person.joined", "--person", "wu-yu", "--org", "beta", "--date",
                 "../2026-02-10", "--title", "Engineer", "--source", "ht-2026-02-10",
                 "--id", "wu-yu-joined-beta")
    assert joined.stdout == "wu-yu-joined-beta\n"
    founded = add(runner, db, "org.founded", "--org", "beta", "--founder", "wu-yu",
                  "--founder", "jane-doe", "--date", "2024", "--source", "ht-2026-02-10")
    _, payload, _ = _row(db, founded.stdout.strip())
    assert json.loads(payload) == {"org": "beta", "founders": ["wu-yu", "jane-doe"]}
    who = runner.invoke(cli, ["--db", db, "who", "吳宇", "--as-of", "2026-03-01"],
                        catch_exceptions=False)
    assert who.stdout.startswith("Wu Yu (wu-yu) — person")


def test_accounts_are_given_as_json(runner: CliRunner, db: str) -> None:
    account = json.dumps({"by": "jane-doe", "says": "She resigned.", "source": "article-1",
                          "reason": "resigned"})
    result = add(runner, db, "person.left", "--person", "jane-doe", "--org", "acme", "--date",
                 "2026-02-09", "--source", "article-1", "--account", account)
    _, payload, _ = _row(db, result.stdout.strip())
    assert json.loads(payload)["accounts"] == [json.loads(account)]


def test_dry_run_prints_the_record_and_writes_nothing(runner: CliRunner, db: str) -> None:
    before = backends.dump(db)
    result = add(runner, db, *LEFT, "--at", "2026-02-09T18:00:00-08:00", "--dry-run")
    assert json.loads(result.stdout) == {
        "id": json.loads(result.stdout)["id"], "type": "person.left", "stream": "acme",
        "date": "2026-02-09", "at": "2026-02-10T02:00:00Z", "sources": ["article-1"],
        "person": "jane-doe", "org": "acme", "reason": "resigned", "accounts": []}
    assert result.stderr == "dry run: valid; its references are known; nothing written\n"
    assert backends.dump(db) == before
    # The id it shows is the id the event then gets.
    written = add(runner, db, *LEFT, "--at", "2026-02-09T18:00:00-08:00")
    assert written.stdout.strip() == json.loads(result.stdout)["id"]


def test_dry_run_checks_references_too(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, "person.left", "--person", "jane-do", "--org", "acme",
                  "--date", "2026-02-09", "--reason", "resigned", "--source", "articel-1",
                  "--dry-run")
    assert out == ("Error: add person.left: person: unknown person 'jane-do' (did you mean "
                   "'jane-doe'?); add it under entities:\n"
                   "add person.left: sources[0]: unknown source 'articel-1' (did you mean "
                   "'article-1'?); add it under sources:\n")


def test_bad_values_get_the_loaders_messages(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, "person.left", "--person", "jane-doe", "--org", "acme",
                  "--date", "2026-02-30", "--reason", "quit", "--source", "article-1")
    assert out == ("Error: add person.left: date: date '2026-02-30' is not a real calendar "
                   "date (February 2026 has 28 days); write it as YYYY-MM-DD, YYYY-MM or "
                   "YYYY\n"
                   "add person.left: reason: must be one of 'resigned', 'dismissed', "
                   "'laid_off', 'retired', 'stepped_back', 'parted_ways', 'died', 'other' or "
                   "'unknown'\n")
    out = refused(runner, db, "person.left", "--person", "jane-doe", "--org", "acme")
    assert out == (
        "Error: add person.left: date: missing: when did it happen? e.g. 2026-02-10, 2026-02, "
        "2026 or 2026-02-01/2026-02-11\n"
        "add person.left: sources: missing: every event cites at least one source id, e.g. "
        "sources: [huxiu-4835050]\n"
        "add person.left: reason: missing: give a reason (resigned, dismissed, laid_off, "
        "retired, stepped_back, parted_ways, died, other, unknown) or accounts\n")
    out = refused(runner, db, "person", "--id", "Jane Roe", "--name", "Jane Roe")
    assert out == ("Error: add person: entity: 'Jane Roe' is not a valid id or code; use "
                   "lowercase letters, digits, '-', '_' or '.' (e.g. tony-wu)\n")
    out = refused(runner, db, "organization", "--id", "acme", "--name", "Acme Inc.")
    assert out == ("Error: add organization: entity 'acme' is already registered with "
                   "different details; add names with an entity.aliased event instead of "
                   "changing the entity\n")


def test_bad_json_and_unknown_types_are_usage_errors(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, "person.left", "--person", "jane-doe", "--org", "acme",
                  "--account", "{by: jane}", code=2)
    assert out.endswith("Error: Invalid value for '--account': not valid JSON (Expecting "
                        "property name enclosed in double quotes at character 2): "
                        "'{by: jane}'\n")
    out = refused(runner, db, "person.lef", code=2)
    assert out.endswith("Error: no type 'person.lef' to add (did you mean 'person.left'?); "
                        "`factbase add --help` lists them\n")
    out = refused(runner, db, "event.corrected", code=2)
    assert out.endswith("Error: no type 'event.corrected' to add; use `factbase correct`; "
                        "`factbase add --help` lists them\n")


def test_help_lists_the_types_and_each_types_fields(runner: CliRunner) -> None:
    top = runner.invoke(cli, ["add", "--help"], catch_exceptions=False).stdout
    for name in ("source", "person", "organization", "person.left", "role.assigned",
                 "metric.reported"):
        assert f"\n  {name} " in top
    left = runner.invoke(cli, ["add", "person.left", "--help"], catch_exceptions=False).stdout
    assert left.startswith("Usage: cli add person.left [OPTIONS]\n\n  A person leaves "
                           "an organisation, for a reason")
    flat = " ".join(left.split())
    assert "--person PERSON_ID Who: a person id. [required]" in flat
    assert ("--reason REASON Why they left, when the sources agree. One of: resigned, "
            "dismissed, laid_off, retired, stepped_back, parted_ways, died, other, unknown. "
            "[required unless --account is given]") in flat
    assert "--source SOURCE_ID A source it cites: a registered source id; repeatable. " \
        "[required]" in flat
    assert "--dry-run" in flat and "--date DATE" in flat
    metric = " ".join(runner.invoke(cli, ["add", "metric.reported", "--help"]).stdout.split())
    assert "--unit TEXT Its unit: employees, USD, GPU, percent, ratio…" in metric
    assert "--value NUMBER The figure: an integer or a decimal. [required]" in metric
    aliased = " ".join(runner.invoke(cli, ["add", "entity.aliased", "--help"]).stdout.split())
    assert "--date" not in aliased and "--alias TEXT" in aliased


def test_every_type_but_the_amendments_can_be_added(runner: CliRunner) -> None:
    from factbase.core.fields import EVENT_TYPES

    listed = runner.invoke(cli, ["add", "--help"]).stdout
    for t in EVENT_TYPES:
        shown = f"\n  {t} " in listed
        assert shown == (t not in ("event.corrected", "event.retracted", "entity.registered",
                                   "source.registered")), t
        if shown:
            assert runner.invoke(cli, ["add", t, "--help"]).exit_code == 0, t


def test_the_list_of_types_keeps_each_first_sentence_whole(runner: CliRunner) -> None:
    listed = " ".join(runner.invoke(cli, ["add", "--help"]).stdout.split())
    # "e.g." is not the end of a sentence; a reST role shows its text
    assert ("metric.reported A figure is reported: value in unit for subject (e.g. 100000 "
            "GPU) ") in listed
    assert "product.announced An organisation announces a product, at a stage (e.g. " \
        "closed internal test) " in listed
    assert "(factbase.store.redact)" in listed and ":mod:" not in listed
    assert "unit.renamed A unit takes a new name; its id stays " in listed


def test_a_registration_without_its_id_or_name_is_a_usage_error(runner: CliRunner,
                                                                  db: str) -> None:
    out = refused(runner, db, "person", "--name", "Jane Roe", code=2)
    assert out.endswith("Error: Missing option '--id'.\n")
    out = refused(runner, db, "organization", "--id", "roe-inc", code=2)
    assert out.endswith("Error: Missing option '--name'.\n")
    out = refused(runner, db, "source", "--url", "https://example.com/a", code=2)
    assert out.endswith("Error: Missing option '--id'.\n")
    person = " ".join(runner.invoke(cli, ["add", "person", "--help"]).stdout.split())
    assert "--id ID The person's id (a slug, e.g. tony-wu). [required]" in person


def test_each_types_kind_and_new_unit_are_described_for_that_type(runner: CliRunner) -> None:
    unit = " ".join(runner.invoke(cli, ["add", "unit.created", "--help"]).stdout.split())
    assert "--unit ID The new unit's id. [required]" in unit
    assert "--kind ID A code for its kind: division, team, support_team, lab… --parent" in unit
    meeting = " ".join(runner.invoke(cli, ["add", "meeting.held", "--help"]).stdout.split())
    assert "--kind ID A code for its kind: all_hands, board… --speaker" in meeting
