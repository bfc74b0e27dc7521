"""SQL on both time axes: the interval tables are versioned in recorded time, and the
documented one-line predicates answer what ``--known-at`` replays (docs/sql.md, "Both time
axes"). The property test over random histories is in ``test_projections_sql.py``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from factbase.api import FactBase
from factbase.cli import cli
from factbase.store.schema import OPEN_RECORDED_TEXT, format_utc

ROOT = Path(__file__).resolve().parent.parent
SQL_MD = ROOT / "docs" / "sql.md"

#: The line of docs/sql.md: members of xAI on :as_of as known at :known_at.
MEMBERS = ("SELECT person FROM memberships WHERE org = 'xai' AND valid_from_end <= :as_of AND "
           "(valid_to_end IS NULL OR valid_to_end > :as_of) AND recorded_from <= :known_at AND "
           ":known_at < recorded_to ORDER BY person")


def db_arg(fb: FactBase) -> str:
    return fb.url.removeprefix("sqlite:///")


def sql_members(runner: CliRunner, fb: FactBase, *extra: str) -> list[str]:
    result = runner.invoke(cli, ["--db", db_arg(fb), "sql", "--format", "csv",
                                 "--as-of", "2026-02-09", *extra, MEMBERS],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[1:]


def test_the_seed_answers_members_before_and_after_a_correction_in_one_line(
        seeded: FactBase, runner: CliRunner) -> None:
    day = date(2026, 2, 9)
    loaded = seeded.anchor().recorded_at
    assert loaded is not None
    before = sorted(seeded.org("xai", as_of=day).members)
    assert "tony-wu" not in before
    assert sql_members(runner, seeded) == before
    result = runner.invoke(cli, ["--db", db_arg(seeded), "correct", "tony-wu-left", "--date",
                                 "2026-02-10", "--why", "dated in Asia", "--source",
                                 "hindustantimes-tony-wu-2026-02-10"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    after = sorted(seeded.org("xai", as_of=day).members)
    assert after == sorted([*before, "tony-wu"])
    known = format_utc(loaded)
    assert sql_members(runner, seeded) == after
    assert sql_members(runner, seeded, "--known-at", known) == before == sorted(
        seeded.org("xai", as_of=day, known_at=loaded).members)
    # A day as --known-at means its end (UTC), today's the log as it is now: after both loads.
    today = datetime.now(UTC).date().isoformat()
    assert sql_members(runner, seeded, "--known-at", today) == after


def test_a_load_is_one_recorded_time_and_versions_are_half_open(seeded: FactBase) -> None:
    (times,) = seeded.sql("SELECT count(DISTINCT recorded_at) FROM events").rows
    assert times == (1,)
    loaded = seeded.anchor().recorded_at
    assert loaded is not None
    rows = seeded.sql("SELECT DISTINCT recorded_from, recorded_to FROM memberships").rows
    assert rows == [(format_utc(loaded), OPEN_RECORDED_TEXT)]
    # [recorded_from, recorded_to): in force at its first instant, not a microsecond before.
    q = "SELECT count(*) FROM roles WHERE recorded_from <= :known_at AND :known_at < recorded_to"
    assert seeded.sql(q, known_at=loaded).rows[0][0] > 0
    earlier = datetime.fromtimestamp(loaded.timestamp() - 1e-6, UTC)
    assert seeded.sql(q, known_at=earlier).rows == [(0,)]


def test_known_at_is_bound_in_the_stored_form(seeded: FactBase) -> None:
    at = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
    assert seeded.sql("SELECT :known_at AS t", known_at=at).rows == [
        ("2026-02-10T09:00:00.000000Z",)]


def test_the_pandas_recipe_runs_and_prints_the_documented_members(
        seeded: FactBase, backend: str, capsys: pytest.CaptureFixture[str]) -> None:
    if backend != "sqlite":
        pytest.skip("the recipe reads a SQLite file")
    pytest.importorskip("pandas")
    text = SQL_MD.read_text(encoding="utf-8")
    found = re.search(r"<!-- recipe: pandas -->\n```python\n(.*?)```", text, re.S)
    assert found is not None
    code = found.group(1).replace('"file:factbase.db?mode=ro"',
                                  repr(f"file:{db_arg(seeded)}?mode=ro"))
    exec(compile(code, "docs/sql.md (pandas recipe)", "exec"), {})  # noqa: S102
    printed = capsys.readouterr().out
    assert printed == str(sorted(seeded.org("xai", as_of=date(2026, 2, 9)).members)) + "\n"
    assert f"prints `{printed.strip()[:40]}" in text.replace("\n", " ")
