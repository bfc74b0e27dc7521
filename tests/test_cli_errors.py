"""Query-side errors: one line, the right exit code, no traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
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


def test_known_at_in_the_future_is_refused_and_today_means_now(seeded: FactBase) -> None:
    import re
    from datetime import UTC, datetime, timedelta

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    for cut in (tomorrow, "2099-01-01T00:00:00Z"):
        result = CliRunner().invoke(cli, ["--db", seeded.url, "org", "xai", "--known-at", cut])
        assert result.exit_code == 2
        assert re.fullmatch(
            r"Usage: .*\n.*\n\nError: Invalid value for '--known-at': recorded time "
            + re.escape(f"'{cut}'") + r" is in the future \(it is now \d{4}-\d\d-\d\dT\d\d:\d\d:"
            r"\d\dZ\); the log holds only what has been recorded, so the answer could still "
            r"change: leave out --known-at for the log as it is now\n", result.stderr)
    today = datetime.now(UTC).date().isoformat()
    result = CliRunner().invoke(cli, ["--db", seeded.url, "org", "xai", "--known-at", today,
                                      "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0
    known = datetime.fromisoformat(json.loads(result.stdout)["known_at"].replace("Z", "+00:00"))
    assert known <= datetime.now(UTC)


def test_as_of_says_what_is_wrong_with_the_day(seeded: FactBase) -> None:
    for day, why in (("2026-02-30", "date '2026-02-30' is not a real calendar date (February "
                      "2026 has 28 days); write it as YYYY-MM-DD, YYYY-MM or YYYY"),
                     ("2026年2月10日10点", "date '2026年2月10日10点' has a time of day; write the "
                      "day alone, as YYYY-MM-DD")):
        result = CliRunner().invoke(cli, ["--db", seeded.url, "org", "xai", "--as-of", day])
        assert result.exit_code == 2
        assert result.stderr.endswith(f"Error: Invalid value for '--as-of': {why} (e.g. "
                                      "2026-03-01: the state at the end of that day)\n")


def test_an_unquoted_short_yaml_year_is_refused_and_nothing_written(fb: FactBase,
                                                                    tmp_path: Path) -> None:
    path = tmp_path / "old.yaml"
    path.write_text("sources: [{id: s1, url: 'https://example.com/a', title: A, "
                    "published: 26}]\n"
                    "entities: [{id: acme, kind: organization, name: Acme}]\n"
                    "events:\n"
                    "  - {type: org.founded, date: 75, sources: [s1], org: acme, founders: []}\n",
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", fb.url, "load", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path} line 1: published: date 26 is a bare number, which would be the "
        "year 0026; write a year with its four digits (1975), and in YAML quote dates ('0075' "
        "if the year 75 is meant)\n"
        f"{path} line 4: date: date 75 is a bare number, which would be the year 0075; write a "
        "year with its four digits (1975), and in YAML quote dates ('0075' if the year 75 is "
        "meant)\n")
    assert fb.count() == 0


@pytest.mark.sqlite_only("SQLite keeps its WAL files in the database's folder")
@pytest.mark.parametrize("wal", [False, True])
def test_a_database_in_a_folder_it_cannot_write_is_queried_read_only(
        seeded: FactBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wal: bool) -> None:
    """The folder of a database cannot be made read-only for root (which runs the tests), so
    the test says it is: factbase asks ``os.access`` before it opens the file."""
    import os
    import sqlite3

    from factbase.store.engine import sqlite_path
    from tests.backends import copy_sqlite

    expected = CliRunner().invoke(cli, ["--db", seeded.url, "org", "xai", "--as-of",
                                        "2026-03-01"], catch_exceptions=False).stdout
    folder = tmp_path / "readonly"
    folder.mkdir()
    db = copy_sqlite(sqlite_path(seeded.url) or Path(), folder / "news.db")
    keep = None
    if wal:  # a -wal file with content waits beside the database: it must be read too
        keep = sqlite3.connect(db)
        keep.execute("PRAGMA journal_mode = WAL")
        keep.execute("PRAGMA wal_autocheckpoint = 0")
        keep.execute("PRAGMA user_version = 7")  # a write that stays in the -wal file
        keep.commit()
        assert (folder / "news.db-wal").stat().st_size > 0
    real_access = os.access

    def access(path: Any, mode: int, **kwargs: Any) -> bool:
        if mode & os.W_OK and Path(path) == folder:
            return False
        return real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    before = sorted(p.name for p in folder.iterdir())
    result = CliRunner().invoke(cli, ["--db", str(db), "org", "xai", "--as-of", "2026-03-01"],
                                catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == expected
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing made beside it
    if keep is not None:
        keep.close()


def test_a_date_decades_after_it_is_recorded_loads_with_a_warning(fb: FactBase,
                                                                   tmp_path: Path) -> None:
    from datetime import UTC, datetime

    today = datetime.now(UTC).date()
    path = tmp_path / "typo.yaml"
    path.write_text("sources: [{id: s1, url: 'https://example.com/a', title: A}]\n"
                    "entities: [{id: acme, kind: organization, name: Acme}]\n"
                    "events:\n"
                    "  - {type: org.founded, date: '2099-02-10', sources: [s1], org: acme, "
                    "founders: []}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", fb.url, "load", str(path)],
                                catch_exceptions=False)
    assert result.exit_code == 0
    years = 2099 - today.year - ((today.month, today.day) > (2, 10))
    assert result.stderr == (f"warning: {path} line 4: date 2099-02-10 is {years} years after "
                             f"the day it is recorded ({today.isoformat()}); check the year\n")
    assert fb.count() == 3
