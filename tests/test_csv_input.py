"""CSV in: `factbase load x.csv` reads spreadsheets as they are saved, and refuses bad ones
whole, naming the file, the row and the column; `factbase template csv` writes a template
that loads as it is."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from factbase.api import FactBase
from factbase.cli import cli
from factbase.io.csv_input import looks_like_csv, read_csv, template_sheets
from factbase.io.loader import detect_format
from tests import backends
from tests.conftest import BASE_TIMELINE, ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "csv"
#: Tidewater Analytics (made up), as Excel saves "CSV UTF-8": a byte-order mark, CRLF rows,
#: a note with a line break inside quotes, 30 facts (sources, entities and events in one sheet,
#: lists split by ';', a disputed departure's accounts as JSON), an empty unnamed last column
#: and three empty rows at the end.
TIDEWATER = FIXTURES / "tidewater.csv"


def _events(db: str) -> list[tuple[str, str]]:
    return [(str(r[0]), str(r[1])) for r in backends.select_rows(
        db, "SELECT event_id, content_hash FROM events ORDER BY event_id")]


def _load(runner: CliRunner, db: str, *args: str, input: str | bytes | None = None) -> Result:
    return runner.invoke(cli, ["--db", db, "load", *args], input=input)


# --- spreadsheets as saved -----------------------------------------------------------------


def test_the_spreadsheet_fixture_is_what_excel_writes() -> None:
    raw = TIDEWATER.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw and raw.count(b"\r\n") == raw.count(b"\n") - 1  # one LF in a cell
    assert raw.endswith(b",,,,\r\n")


def test_a_spreadsheet_of_30_facts_loads_and_org_cites_every_fact(
        runner: CliRunner, new_db: Callable[[], str]) -> None:
    db = new_db()
    result = runner.invoke(cli, ["--db", db, "load", str(TIDEWATER)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{TIDEWATER}: 30 new, 0 already present (the log holds 30 events)\n"
    again = _load(runner, db, str(TIDEWATER))
    assert again.stdout == f"{TIDEWATER}: 0 new, 30 already present (the log holds 30 events)\n"
    org = runner.invoke(cli, ["--db", db, "org", "Tidewater", "--as-of", "2025-10-01"],
                        catch_exceptions=False)
    assert org.exit_code == 0
    lines = org.stdout.splitlines()
    assert "  - Platform & Data [team, formerly Platform] since 2024-06 (reported) [1]" in lines
    assert "      lead: Priya Nair — Head of Research (reported) [2]" in lines
    assert "  Wang Fang — executive (Chief technology officer); since 2024-09~ (reported) [1]" \
        in lines
    assert ("  Ifeoma Okoye (co-founder) — left 2025-09-01; reason DISPUTED: [4][5]") in lines
    assert "  Tidewater Analytics · headcount: 25 employees — reported 2025-09-05 (reported) " \
        "[5]" in lines
    # Every fact line of the page carries a footnote, and every footnote is listed.
    body = org.stdout.split("\nSources\n")[0]
    facts = [ln for ln in body.splitlines() if ln.startswith("  ") and " — " in ln
             and not ln.startswith(("  present:", "  departed:"))]
    assert facts and all("[" in ln for ln in facts), facts
    assert org.stdout.split("\nSources\n")[1].count("\n  [") == 4  # [1]..[5], first unindented


def test_the_note_with_a_line_break_keeps_it(new_db: Callable[[], str]) -> None:
    db = new_db()
    with FactBase.open(db, create=True) as fb:
        fb.load([str(TIDEWATER)])
        (ev,) = [e for e in fb.timeline("wang-fang") if e.type == "person.joined"]
    assert ev.note == ('The team page says she joined "last autumn";\nthe month is '
                       "approximate.")
    assert ev.date is not None and ev.date.text == "2024-09~"


def test_lf_no_bom_semicolon_and_tab_files_load_the_same(
        tmp_path: Path, new_db: Callable[[], str]) -> None:
    text = TIDEWATER.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    variants = {"lf.csv": ",", "semicolon.csv": ";", "tabs.tsv": "\t"}
    logs = []
    for name, delimiter in variants.items():
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
        (tmp_path / name).write_text(out.getvalue(), encoding="utf-8")
        db = new_db()
        with FactBase.open(db, create=True) as fb:
            assert fb.load([str(tmp_path / name)]).new == 30
        logs.append(_events(db))
    db = new_db()
    with FactBase.open(db, create=True) as fb:
        fb.load([str(TIDEWATER)])
    assert logs[0] == logs[1] == logs[2] == _events(db)


def test_standard_input_with_format_csv_or_told_from_its_header(
        runner: CliRunner, new_db: Callable[[], str]) -> None:
    raw = TIDEWATER.read_bytes()
    db = new_db()
    result = _load(runner, db, "-", "--format", "csv", input=raw)
    assert result.exit_code == 0, result.output
    assert result.stdout == "<stdin>: 30 new, 0 already present (the log holds 30 events)\n"
    result = _load(runner, db, "-", input=raw)
    assert result.stdout == "<stdin>: 0 new, 30 already present (the log holds 30 events)\n"


def test_the_shape_is_told_from_the_name_or_the_header() -> None:
    assert detect_format("x.csv", b"anything") == "csv"
    assert detect_format("x.TSV", b"anything") == "csv"
    assert detect_format("", b"\xef\xbb\xbftype,id,date\r\nperson.left,a,2026\r\n") == "csv"
    assert detect_format("", b"Id;Kind;Name\n") == "csv"
    assert detect_format("", b"sources:\n  - id: a\n") == "yaml"
    assert detect_format("", b"# a, b, type\nevents: []\n") == "yaml"
    assert not looks_like_csv(b"type: person.left\n")


def test_sources_entities_and_events_in_three_files_load_together(
        tmp_path: Path, runner: CliRunner, new_db: Callable[[], str]) -> None:
    sheets = template_sheets(split=True)
    for name, text in sheets.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    db = new_db()
    files = [str(tmp_path / n) for n in ("events.csv", "sources.csv", "entities.csv")]
    result = runner.invoke(cli, ["--db", db, "load", *files], catch_exceptions=False)
    assert result.stdout == (f"{', '.join(files)}: 16 new, 0 already present (the log holds "
                             "16 events)\n")


def test_header_names_are_read_without_case_or_spaces() -> None:
    raw = b"Id , KIND,Name,Aliases\nacme,organization,Acme,ACME; Acme Corp\n"
    ((where, record),) = list(read_csv(raw, "e.csv"))
    assert where == "row 2"
    assert record == {"type": "entity.registered", "entity": "acme", "kind": "organization",
                      "name": "Acme", "aliases": ["ACME", "Acme Corp"]}


def test_list_cells_take_json_too() -> None:
    raw = (b'type,date,sources,org,founders\norg.founded,2026,"[""s1"", ""s2""]",acme,'
           b'"[""a; b""]"\n')
    ((_, record),) = list(read_csv(raw, "e.csv"))
    assert record["sources"] == ["s1", "s2"] and record["founders"] == ["a; b"]


# --- the template ------------------------------------------------------------------------


def test_the_template_loads_as_the_format_reference_example(
        tmp_path: Path, runner: CliRunner, new_db: Callable[[], str]) -> None:
    out = tmp_path / "timeline.csv"
    made = runner.invoke(cli, ["template", "csv", "--out", str(out)], catch_exceptions=False)
    assert made.stderr == f"{out}: CSV template written (16 rows)\n"
    assert out.read_bytes().startswith(b"\xef\xbb\xbftype,id,date,")
    db, reference = new_db(), new_db()
    assert _load(runner, db, str(out)).exit_code == 0
    assert _load(runner, reference, str(ROOT / "docs" / "examples" / "example.yaml")
                 ).exit_code == 0
    assert _events(db) == _events(reference)


def test_the_template_on_standard_output_is_the_shipped_example(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["template", "csv"], catch_exceptions=False)
    assert result.stdout.startswith("type,id,date,announced,at,evidence,sources,note,org,")
    shipped = (ROOT / "docs" / "examples" / "example.csv").read_bytes().decode("utf-8-sig")
    assert shipped.replace("\r\n", "\n") == result.stdout


def test_the_template_never_overwrites(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "mine.csv").write_text("precious", encoding="utf-8")
    result = runner.invoke(cli, ["template", "csv", "--out", str(tmp_path / "mine.csv")])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {tmp_path / 'mine.csv'}: the file exists; the template "
                             "never overwrites a file: choose another name\n")
    assert (tmp_path / "mine.csv").read_text(encoding="utf-8") == "precious"
    split = runner.invoke(cli, ["template", "csv", "--split", str(tmp_path / "parts")],
                          catch_exceptions=False)
    assert sorted(p.name for p in (tmp_path / "parts").iterdir()) == [
        "entities.csv", "events.csv", "sources.csv"]
    assert split.exit_code == 0


# --- bad input: one Error naming file, row and column; exit 1; the database unchanged ------


@pytest.fixture
def db(tmp_path: Path, new_db: Callable[[], str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base.yaml").write_text(BASE_TIMELINE, encoding="utf-8")
    path = new_db()
    result = CliRunner().invoke(cli, ["--db", path, "load", "base.yaml"],
                                catch_exceptions=False)
    assert result.exit_code == 0
    return path


def refused(runner: CliRunner, db: str, files: dict[str, str | bytes],
            *extra: str) -> str:
    """Write ``files``, load them together, check the refusal (exit 1, one Error on stderr,
    nothing on stdout, every table as it was); return stderr."""
    for name, content in files.items():
        if isinstance(content, bytes):
            Path(name).write_bytes(content)
        else:
            Path(name).write_text(content, encoding="utf-8", newline="")
    before = backends.dump(db)
    result = _load(runner, db, *files, *extra)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert backends.dump(db) == before
    return result.stderr


JOINED = ("type,date,sources,person,org,reason\r\n"
          "person.joined,2026-02-01,article-1,jane-doe,acme,\r\n")


def test_a_field_of_another_type_names_row_and_column(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, {"events.csv": JOINED.replace("acme,\r\n", "acme,resigned\r\n")})
    assert out == ("Error: events.csv row 2: reason: unknown field; remove it or check its "
                   "spelling\n")


def test_a_date_a_spreadsheet_reformatted_is_refused(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, {"events.csv": JOINED.replace("2026-02-01", "01/02/2026")})
    assert out == ("Error: events.csv row 2: date: date '01/02/2026' is ambiguous (day/month "
                   "order); write it as YYYY-MM-DD, YYYY-MM or YYYY\n")


def test_every_bad_row_is_listed_with_its_row(runner: CliRunner, db: str) -> None:
    content = ("type,date,sources,person,org,reason\r\n"
               "person.joined,2026-02-01,article-1,jane-doe,acme,\r\n"
               "person.left,2026-02-30,article-1,jane-doe,acme,quit\r\n"
               "\r\n"
               "person.left,2026-03-01,articel-1,jane-doe,acme-corp,resigned\r\n")
    out = refused(runner, db, {"events.csv": content})
    assert out == (
        "Error: events.csv row 3: date: date '2026-02-30' is not a real calendar date (February "
        "2026 has 28 days); write it as YYYY-MM-DD, YYYY-MM or YYYY\n"
        "events.csv row 3: reason: must be one of 'resigned', 'dismissed', 'laid_off', "
        "'retired', 'stepped_back', 'parted_ways', 'died', 'other' or 'unknown'\n"
        "events.csv row 5: org: unknown organization 'acme-corp' (did you mean 'acme'?); add "
        "it under entities:\n"
        "events.csv row 5: sources[0]: unknown source 'articel-1' (did you mean "
        "'article-1'?); add it under sources:\n")


def test_a_cell_of_bad_json_is_named(runner: CliRunner, db: str) -> None:
    content = ("type,date,sources,person,org,accounts\r\n"
               "person.left,2026-02-01,article-1,jane-doe,acme,\"[{by: jane-doe}]\"\r\n")
    out = refused(runner, db, {"events.csv": content})
    assert out == ("Error: events.csv row 2: accounts: not valid JSON (Expecting property "
                   "name enclosed in double quotes at character 3); write JSON, e.g. "
                   '[{"by": "ada-park", "says": "…", "source": "a-source-id"}]\n')


def test_a_header_that_says_nothing_is_refused(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, {"people.csv": "who,when\r\njane,2026\r\n"})
    assert out == ("Error: people.csv row 1: cannot tell what this CSV holds from its header "
                   "(who, when); an events file has a 'type' column, an entities file 'kind' "
                   "and 'name', a sources file 'id' and 'url', 'title' or 'published' (see "
                   "docs/format.md, CSV)\n")


def test_a_column_named_twice_is_refused(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, {"events.csv": "type,date,Date\r\norg.founded,2026,2025\r\n"})
    assert out == ("Error: events.csv row 1: column 'date' appears twice (columns 2 and 3); "
                   "keep one\n")


def test_a_row_longer_than_the_header_is_refused(runner: CliRunner, db: str) -> None:
    content = "id,kind,name\r\nacme-2,organization,Acme, Inc.\r\n"
    out = refused(runner, db, {"entities.csv": content})
    assert out == ("Error: entities.csv row 2: 4 cells but the header names 3 columns; quote "
                   "cells that hold a ','\n")


def test_a_value_in_an_unnamed_column_is_refused(runner: CliRunner, db: str) -> None:
    content = "id,kind,name,\r\nacme-2,organization,Acme 2,stray\r\n"
    out = refused(runner, db, {"entities.csv": content})
    assert out == ("Error: entities.csv row 2: column 4 holds a value but has no name in the "
                   "header row; name it or empty it\n")


def test_a_file_not_in_utf8_is_refused_with_the_fix(runner: CliRunner, db: str) -> None:
    out = refused(runner, db, {"entities.csv": "id,kind,name\r\nzoe,person,Zoë\r\n"
                               .encode("cp1252")})
    assert out == ("Error: entities.csv line 2: not UTF-8 text (byte 0xEB); save the file as "
                   "UTF-8 CSV (in Excel: Save As, \"CSV UTF-8 (Comma delimited)\")\n")
    out = refused(runner, db, {"entities.csv": "id,kind,name\r\n".encode("utf-16")})
    assert out == ("Error: entities.csv: the file is UTF-16 text; save it as UTF-8 CSV (in "
                   "Excel: Save As, \"CSV UTF-8 (Comma delimited)\")\n")


def test_an_empty_csv_is_refused(runner: CliRunner, db: str) -> None:
    assert refused(runner, db, {"events.csv": "\ufeff\r\n"}) == (
        "Error: events.csv: the file is empty; nothing to load (expected a header row and "
        "one record per row)\n")
    assert refused(runner, db, {"events.csv": "type,date,sources\r\n,,\r\n"}) == (
        "Error: events.csv: holds no records; nothing to load\n")


def test_one_bad_file_of_three_writes_nothing(runner: CliRunner, db: str) -> None:
    files = {
        "sources.csv": "id,url,title,published\r\nnew-article,https://example.com/n,New,"
                       "2026-03-01\r\n",
        "entities.csv": "id,kind,name,aliases\r\njohn-roe,person,John Roe,Johnny\r\n",
        "events.csv": ("type,date,sources,person,org,reason\r\n"
                       "person.joined,2026-03-01,new-article,john-roe,acme,\r\n"
                       "person.left,2026-03-05,new-article,john-roe,acme,fired\r\n"),
    }
    out = refused(runner, db, files)
    assert out == ("Error: events.csv row 3: reason: must be one of 'resigned', 'dismissed', "
                   "'laid_off', 'retired', 'stepped_back', 'parted_ways', 'died', 'other' or "
                   "'unknown'\n")
    assert json.loads(json.dumps(backends.select_rows(db, "SELECT count(*) FROM events"))) \
        == [[5]]


@pytest.mark.sqlite_only("about a SQLite file not being left behind")
def test_a_refused_csv_leaves_a_new_database_file_uncreated(
        tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "bad.csv").write_text("type,date\r\norg.founded,2026\r\n", encoding="utf-8")
    db = tmp_path / "new.db"
    result = _load(runner, str(db), str(tmp_path / "bad.csv"))
    assert result.exit_code == 1
    assert not db.exists()
