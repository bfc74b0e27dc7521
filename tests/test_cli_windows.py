"""Relative windows on the command line: `diff ORG --last 3m`, `report --since 90d` (calendar
arithmetic from dates.days_before), refused unless they follow the strict N d|w|m|y grammar."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from factbase.cli import cli


@pytest.fixture
def db(seeded_template: Path | str, clone_db: Callable[[Path | str], str]) -> str:
    return clone_db(seeded_template)


def run(runner: CliRunner, db: str, *args: str) -> Result:
    return runner.invoke(cli, ["--db", db, *args])


def test_diff_last_ends_at_the_date_given(runner: CliRunner, db: str) -> None:
    result = run(runner, db, "diff", "xai", "2026-03-01", "--last", "3m", "--format", "json")
    assert result.exit_code == 0, result.output
    window = run(runner, db, "diff", "xai", "2025-12-01", "2026-03-01", "--format", "json")
    assert json.loads(result.stdout) == json.loads(window.stdout)
    text = run(runner, db, "diff", "xai", "2026-02-28", "--last", "1m").stdout
    assert text.startswith("xAI (xai): what changed from 2026-01-28 to 2026-02-28")


def test_diff_last_without_a_date_ends_today(runner: CliRunner, db: str) -> None:
    from factbase.cli import _today
    from factbase.core.dates import days_before

    result = run(runner, db, "diff", "xai", "--last", "90d")
    assert result.exit_code == 0, result.output
    end = _today()
    assert result.stdout.startswith(f"xAI (xai): what changed from "
                                    f"{days_before(end, '90d')} to {end}")


@pytest.mark.parametrize(("args", "message"), [
    (["--last", "3 months"], "Error: Invalid value for '--last': period '3 months' is not one "
                             "factbase reads; write a whole number from 1 to 9999 and d "
                             "(days), w (weeks), m (months) or y (years), e.g. 90d or 3m\n"),
    (["--last", "0m"], "Error: Invalid value for '--last': period '0m' is not one factbase "
                       "reads; write a whole number from 1 to 9999 and d (days), w (weeks), m "
                       "(months) or y (years), e.g. 90d or 3m\n"),
    (["2026-01-01", "2026-03-01", "--last", "3m"], "Error: with --last give one date, the end "
                                                   "(or none: today), not D1 and D2\n"),
    (["2026-01-01"], "Error: Missing argument 'D2' (or give --last PERIOD).\n"),
    ([], "Error: Missing argument 'D1' (or give --last PERIOD).\n"),
])
def test_diff_refuses_bad_windows(runner: CliRunner, db: str, args: list[str],
                                  message: str) -> None:
    result = run(runner, db, "diff", "xai", *args)
    assert result.exit_code == 2
    assert result.stderr.endswith(message)


def test_report_since_a_period_before_the_as_of_day(runner: CliRunner, db: str) -> None:
    doc = json.loads(run(runner, db, "report", "xai", "--as-of", "2026-03-01", "--since", "3m",
                         "--format", "json").stdout)
    assert doc["since"] == "2025-12-01"
    doc = json.loads(run(runner, db, "report", "xai", "--as-of", "2026-03-31", "--since", "1m",
                         "--format", "json").stdout)
    assert doc["since"] == "2026-02-28"
    same = json.loads(run(runner, db, "report", "xai", "--as-of", "2026-03-01", "--since",
                          "2026-01-01", "--format", "json").stdout)
    assert same["since"] == "2026-01-01"
    bad = run(runner, db, "report", "xai", "--as-of", "2026-03-01", "--since", "3q")
    assert bad.exit_code == 2
    assert bad.stderr.endswith("Error: Invalid value for '--since': '3q' is neither a day "
                               "(YYYY-MM-DD, e.g. 2026-01-01) nor a period (a number and d, w, "
                               "m or y, e.g. 90d or 3m)\n")
