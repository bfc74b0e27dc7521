"""`factbase sql` and docs/sql.md: every documented query gives the documented rows on the seed;
writes are refused by the connection; formats; Datasette metadata covers every table and view."""

from __future__ import annotations

import json
import re
import shlex
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from factbase.api import FactBase
from factbase.cli import cli
from factbase.store.schema import FTS_TABLE, FTS_TABLES, VIEWS, metadata
from factbase.store.sqlquery import datasette_metadata, schema_markdown
from tests.backends import dump
from tests.conftest import ROOT

SQL_MD = ROOT / "docs" / "sql.md"
#: A `factbase sql` run, after an optional `<!-- dialect: sqlite|postgresql -->` line (a run
#: for one backend only).
_BLOCK = re.compile(r"(?:<!-- dialect: (\w+) -->\n)?```console\n(\$ factbase sql[^\n]*)\n(.*?)```",
                    re.S)


@dataclass(frozen=True)
class Example:
    args: list[str]
    stdin: str | None
    output: str
    dialect: str | None = None

    @property
    def label(self) -> str:
        return (" ".join(self.args)[:60] + (f" {self.stdin.splitlines()[0]}" if self.stdin else "")
                + (f" ({self.dialect})" if self.dialect else ""))


def examples(text: str) -> list[Example]:
    """The `factbase sql` runs of a document: the command (a heredoc's lines are the query
    on standard input) and the output shown after it."""
    found = []
    for dialect, command, rest in _BLOCK.findall(text):
        # `; echo "exit status $?"` shows the exit status when the page's sessions run in a shell
        command = command.replace('; echo "exit status $?"', "")
        args = shlex.split(command[2:].removesuffix(" <<'SQL'"))[1:]
        stdin = None
        if command.endswith("<<'SQL'"):
            stdin, _, rest = rest.partition("\nSQL\n")
            stdin += "\n"
        found.append(Example(args, stdin, rest, dialect or None))
    return found


DOCUMENTED = examples(SQL_MD.read_text(encoding="utf-8"))


def db_of(fb: FactBase) -> str:
    return fb.url.removeprefix("sqlite:///")


def test_the_page_documents_the_five_asked_for_queries() -> None:
    assert len(DOCUMENTED) >= 10
    text = SQL_MD.read_text(encoding="utf-8")
    for heading in ("Who was in an organisation on a date", "Co-founders who had left by a date",
                    "The unit tree on a date", "The latest value of a figure as of a date",
                    "Every fact citing a source"):
        assert f"### {heading}" in text


@pytest.mark.parametrize("example", DOCUMENTED, ids=lambda e: e.label)
def test_each_documented_query_gives_the_documented_output(seeded: FactBase, runner: CliRunner,
                                                           example: Example,
                                                           backend: str) -> None:
    if example.dialect not in (None, backend):
        pytest.skip(f"a {example.dialect} query")
    result = runner.invoke(cli, ["--db", db_of(seeded), *example.args], input=example.stdin)
    status = re.search(r"exit status (\d+)\n$", example.output)
    if status:
        assert result.exit_code == int(status.group(1))
        assert result.stdout == ""
        assert result.stderr == example.output[:status.start()]
    else:
        assert result.exit_code == 0, result.output
        assert result.stdout == example.output


def test_the_reference_section_is_the_schema() -> None:
    text = SQL_MD.read_text(encoding="utf-8")
    section = re.search(r"<!-- schema:start[^\n]*-->\n(.*)<!-- schema:end -->", text, re.S)
    assert section is not None
    assert section.group(1) == schema_markdown() + "\n"


def test_every_table_and_view_in_the_database_is_documented(seeded: FactBase) -> None:
    with seeded.engine.connect() as conn:
        insp = inspect(conn)
        names = set(insp.get_table_names()) | set(insp.get_view_names())
    names -= FTS_TABLES | {"alembic_version"}
    text = SQL_MD.read_text(encoding="utf-8")
    assert names == {t.name for t in metadata.sorted_tables} | set(VIEWS)
    for name in names:
        assert f"### `{name}`" in text


# --- Datasette -----------------------------------------------------------------------------------


@pytest.mark.sqlite_only("Datasette reads SQLite files")
def test_datasette_metadata_describes_every_table_view_and_column(seeded: FactBase) -> None:
    meta = datasette_metadata()
    tables = meta["databases"]["factbase"]["tables"]
    conn = sqlite3.connect(db_of(seeded))
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                            "AND name != 'alembic_version'").fetchall()
        for (name,) in rows:
            if name in FTS_TABLES - {FTS_TABLE}:
                continue  # FTS5's shadow tables, which Datasette hides
            assert tables[name]["description"], name
            if name == FTS_TABLE:
                continue
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({name})")]
            assert set(columns) == set(tables[name]["columns"]), name
    finally:
        conn.close()


def test_the_shipped_datasette_metadata_is_current() -> None:
    shipped = json.loads((ROOT / "docs" / "datasette-metadata.json").read_text(encoding="utf-8"))
    assert shipped == datasette_metadata()


# --- the command ---------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [
    "DELETE FROM events",
    "INSERT INTO memberships (org) VALUES ('x')",
    "DROP VIEW timeline",
    "CREATE TABLE mine (x INTEGER)",
    "PRAGMA user_version = 7",
    "UPDATE sources SET title = 'x'",
])
def test_a_write_is_refused_by_the_connection(seeded: FactBase, runner: CliRunner,
                                              query: str, backend: str) -> None:
    db = db_of(seeded)
    before = dump(db)
    result = runner.invoke(cli, ["--db", db, "sql", query])
    assert result.exit_code == 1
    assert result.stdout == ""
    if backend == "sqlite":
        assert result.stderr == ("Error: the sql command is read-only: attempt to write a "
                                 "readonly database\n")
    elif query.startswith("PRAGMA"):
        assert result.stderr == 'Error: the query failed: syntax error at or near "PRAGMA"\n'
    else:  # the command is named: DELETE, INSERT, DROP VIEW, CREATE TABLE, UPDATE
        command = " ".join(query.split()[:2 if query.startswith(("DROP", "CREATE")) else 1])
        assert result.stderr == ("Error: the sql command is read-only: it runs queries that "
                                 "return rows (SELECT, WITH … SELECT, VALUES, TABLE), not "
                                 f"{command}\n")
    assert dump(db) == before


@pytest.mark.parametrize("query", [
    "COMMIT; CREATE TABLE mine (x INTEGER)",
    "SELECT 1; COMMIT; UPDATE sources SET title = 'forged'",
    "COMMIT; DELETE FROM memberships",
    "SELECT 1; SELECT 2",
])
def test_a_second_statement_is_refused_so_it_cannot_end_the_read_only_transaction(
        seeded: FactBase, runner: CliRunner, query: str) -> None:
    # On PostgreSQL a query string is run as one prepared statement; without that, COMMIT would
    # end the READ ONLY transaction and the rest would run outside it.
    db = db_of(seeded)
    before = dump(db)
    result = runner.invoke(cli, ["--db", db, "sql", query])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("Error: the query failed: the sql command runs one statement at a "
                             "time\n")
    assert dump(db) == before


def test_percent_signs_and_semicolons_inside_literals_are_fine(seeded: FactBase,
                                                              runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--db", db_of(seeded), "sql", "--format", "csv",
                                 "SELECT 'a;b' AS s, '100%' AS p, :as_of AS d",
                                 "--as-of", "2026-02-11"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "s,p,d\na;b,100%,2026-02-11\n"


@pytest.mark.sqlite_only("ATTACH is SQLite's")
def test_attaching_another_database_is_refused(seeded: FactBase, runner: CliRunner,
                                               tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    result = runner.invoke(cli, ["--db", db_of(seeded), "sql",
                                 f"ATTACH DATABASE '{other}' AS other"])
    assert result.exit_code == 1
    assert result.stderr == ("Error: the sql command is read-only: attaching other databases "
                             "is not allowed\n")
    assert not other.exists()


@pytest.mark.sqlite_only("load_extension and DETACH are SQLite's")
@pytest.mark.parametrize(("query", "why"), [
    ("SELECT load_extension('x')", "loading extensions is not allowed"),
    ("SELECT Load_Extension('x', 'entry')", "loading extensions is not allowed"),
    ("DETACH DATABASE main", "detaching databases is not allowed"),
])
def test_each_refused_action_has_its_own_message(seeded: FactBase, runner: CliRunner,
                                                 query: str, why: str) -> None:
    """SQLite says only "not authorized"; the message names the action that was refused."""
    result = runner.invoke(cli, ["--db", db_of(seeded), "sql", query])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: the sql command is read-only: {why}\n"


def test_a_bad_query_names_the_problem(seeded: FactBase, runner: CliRunner,
                                      backend: str) -> None:
    result = runner.invoke(cli, ["--db", db_of(seeded), "sql", "SELEC 1"])
    assert result.exit_code == 1
    assert result.stderr == {
        "sqlite": 'Error: the query failed: near "SELEC": syntax error\n',
        "postgresql": 'Error: the query failed: syntax error at or near "SELEC"\n'}[backend]
    result = runner.invoke(cli, ["--db", db_of(seeded), "sql", "SELECT * FROM nowhere"])
    assert result.stderr == {
        "sqlite": "Error: the query failed: no such table: nowhere\n",
        "postgresql": 'Error: the query failed: relation "nowhere" does not exist\n'}[backend]
    result = runner.invoke(cli, ["--db", db_of(seeded), "sql", "SELECT :who"])
    assert result.stderr == ("Error: the query uses :who, but only :as_of (--as-of) and "
                             ":known_at (--known-at) are bound; write the value into the query "
                             "instead\n")
    result = runner.invoke(cli, ["--db", db_of(seeded), "sql", "  "])
    assert result.exit_code == 2
    assert "the query is empty" in result.stderr


def test_as_of_defaults_to_today_and_is_a_date(seeded: FactBase, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--db", db_of(seeded), "sql", "--format", "csv",
                                 "SELECT :as_of AS d"], catch_exceptions=False)
    assert result.stdout == f"d\n{date.today().isoformat()}\n"
    bad = runner.invoke(cli, ["--db", db_of(seeded), "sql", "SELECT 1", "--as-of", "2026-13"])
    assert bad.exit_code == 2


def test_formats(seeded: FactBase, runner: CliRunner) -> None:
    db = db_of(seeded)
    query = ("SELECT entity_id, name, 12 AS n, NULL AS missing FROM entities "
             "WHERE entity_id IN ('tony-wu', 'xai') ORDER BY entity_id")
    table = runner.invoke(cli, ["--db", db, "sql", query], catch_exceptions=False)
    assert table.stdout == ("entity_id  name      n  missing\n"
                            "---------  -------  --  -------\n"
                            "tony-wu    Tony Wu  12\n"
                            "xai        xAI      12\n")
    csv_out = runner.invoke(cli, ["--db", db, "sql", query, "--format", "csv"])
    assert csv_out.stdout == "entity_id,name,n,missing\ntony-wu,Tony Wu,12,\nxai,xAI,12,\n"
    js = runner.invoke(cli, ["--db", db, "sql", query, "--format", "json"])
    assert json.loads(js.stdout) == [
        {"entity_id": "tony-wu", "name": "Tony Wu", "n": 12, "missing": None},
        {"entity_id": "xai", "name": "xAI", "n": 12, "missing": None}]


def test_wide_characters_line_up(seeded: FactBase, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--db", db_of(seeded), "sql",
                                 "SELECT name, entity_id FROM entity_names WHERE entity_id = "
                                 "'tony-wu' AND name IN ('吴宇怀', 'Tony Wu') GROUP BY name, "
                                 "entity_id ORDER BY name"], catch_exceptions=False)
    assert result.stdout == ("name     entity_id\n"
                             "-------  ---------\n"
                             "Tony Wu  tony-wu\n"
                             "吴宇怀   tony-wu\n")


def test_the_python_api_returns_columns_and_rows(seeded: FactBase) -> None:
    result = seeded.sql("SELECT count(*) AS n FROM memberships WHERE org = 'xai' AND "
                        "valid_from_end <= :as_of AND (valid_to_end IS NULL OR "
                        "valid_to_end > :as_of)", as_of=date(2026, 2, 11))
    assert result.columns == ["n"]
    assert result.rows == [(9,)]


@pytest.mark.sqlite_only("reads the file with the sqlite3 module")
def test_the_views_work_on_plain_sqlite3(seeded: FactBase) -> None:
    conn = sqlite3.connect(f"file:{db_of(seeded)}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT person_name, summary FROM timeline WHERE event_id = "
                           "'spacex-xai-merger-announced'").fetchone()
        assert row == ("Elon Musk", "SpaceX and xAI are to combine in an all-stock deal.")
        assert conn.execute("SELECT count(*) FROM citations WHERE cited_as = 'account'"
                            ).fetchone() == (4,)
    finally:
        conn.close()
