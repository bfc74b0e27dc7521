"""Query-side errors: one line, the right exit code, no traceback."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from factbase.api import FactBase
from factbase.cli import cli


def test_unknown_timeline_type_is_a_usage_error_with_a_suggestion(seeded: FactBase) -> None:
    result = CliRunner().invoke(cli, ["--db", seeded.url, "timeline", "--type", "person.lefft"])
    assert result.exit_code == 2
    assert "unknown event type 'person.lefft' (did you mean 'person.left'?)" in result.stderr


def test_from_after_to_is_a_usage_error(seeded: FactBase) -> None:
    result = CliRunner().invoke(cli, ["--db", seeded.url, "timeline", "--from", "2026-03",
                                      "--to", "2026-01"])
    assert result.exit_code == 2
    assert "--from 2026-03-01 is after --to 2026-01-31" in result.stderr


def test_a_db_that_is_not_a_database_is_one_error_line(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("just some text, not SQLite\n" * 100)
    result = CliRunner().invoke(cli, ["--db", str(bad), "org", "xai"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: database error ({bad}): file is not a database")
    assert result.stderr.count("\n") == 1


def test_cofounder_headline_names_who_may_have_left(seeded: FactBase) -> None:
    result = CliRunner().invoke(cli, ["--db", seeded.url, "org", "xai", "--as-of",
                                      "2024-04-15"], catch_exceptions=False)
    assert "Co-founders: 12 in all — 11 present, 1 departed" not in result.output
    assert "  of whom may have left by then (uncertain): Kyle Kosic" in result.output
