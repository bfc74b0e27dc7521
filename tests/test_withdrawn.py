"""Withdrawn facts are shown: org, diff and report say when a fact that would have counted
was retracted or corrected by the recorded time asked about, with the amendment's source."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from factbase.api import FactBase
from factbase.cli import cli

SOURCE = "hindustantimes-tony-wu-2026-02-10"


def db_arg(fb: FactBase) -> str:
    return fb.url.removeprefix("sqlite:///")


def amend(fb: FactBase) -> tuple[str, str]:
    """Correct Tony Wu's departure and retract a figure; the recorded times before and after
    (as --known-at reads them)."""
    before = fb.anchor().recorded_at
    fb.correct("tony-wu-left", {"date": "2026-02-10"}, why="dated in Asia", sources=[SOURCE])
    fb.retract("metric-x-mau", why="not in the source", sources=[SOURCE])
    after = fb.anchor().recorded_at
    assert before is not None and after is not None
    return before.isoformat(), after.date().isoformat()


def test_org_names_what_was_withdrawn_with_its_source(seeded: FactBase,
                                                      runner: CliRunner) -> None:
    before, day = amend(seeded)
    result = runner.invoke(cli, ["--db", db_arg(seeded), "org", "xai", "--as-of", "2026-02-11"],
                           catch_exceptions=False)
    assert result.exit_code == 0
    section = result.stdout.split("\n\nWithdrawn or corrected since first recorded (2)\n")[1]
    lines = section.split("\n\nSources\n")[0].splitlines()
    mark = "[" + lines[0].rsplit("[", 1)[1]
    assert lines[0] == ("  2026-02-09  Tony Wu left xAI (disputed: parted ways / resigned) — "
                        f"corrected; date now 2026-02-10 (recorded {day}): dated in Asia {mark}")
    assert lines[1].startswith("  2026-02-10  ")
    assert lines[1].endswith(f" — retracted (recorded {day}): not in the source {mark}")
    cited = result.stdout.split(f"\n  {mark} ")[1].splitlines()[0]
    assert "hindustantimes.com" in cited
    # As known before the amendments nothing was withdrawn; on a day before the departure's
    # date it would not have counted yet (and the figure was not reported yet).
    for args in (["--as-of", "2026-02-11", "--known-at", before], ["--as-of", "2026-02-08"]):
        out = runner.invoke(cli, ["--db", db_arg(seeded), "org", "xai", *args],
                            catch_exceptions=False).stdout
        assert "Withdrawn or corrected" not in out


def test_the_documents_carry_the_withdrawals(seeded: FactBase) -> None:
    amend(seeded)
    state = seeded.org("xai", as_of=date(2026, 2, 11))
    assert [(w.event.event_id, w.kind) for w in state.withdrawn] == [
        ("tony-wu-left", "corrected"), ("metric-x-mau", "retracted")]
    assert [(w.event.event_id, w.kind) for w in seeded.org(
        "xai", as_of=date(2026, 2, 9)).withdrawn] == [("tony-wu-left", "corrected")]
    diff = seeded.diff("xai", date(2026, 2, 1), date(2026, 2, 11))
    assert [(w["event"], w["kind"], w["why"], w["sources"]) for w in diff["withdrawn"]] == [
        ("tony-wu-left", "corrected", "dated in Asia", [SOURCE]),
        ("metric-x-mau", "retracted", "not in the source", [SOURCE])]
    assert diff["withdrawn"][0]["changes"] == {"date": "2026-02-10"}
    report = seeded.report("xai", as_of=date(2026, 2, 11))
    assert [w["event"] for w in report["withdrawn"]] == ["tony-wu-left", "metric-x-mau"]
    assert "withdrawn" not in report["changes"]


def test_diff_and_report_pages_show_them(seeded: FactBase, runner: CliRunner) -> None:
    amend(seeded)
    diff = runner.invoke(cli, ["--db", db_arg(seeded), "diff", "xai", "2026-02-01",
                               "2026-02-11"], catch_exceptions=False).stdout
    assert "\nWithdrawn or corrected since first recorded (2)\n  2026-02-09  Tony Wu left" in diff
    md = runner.invoke(cli, ["--db", db_arg(seeded), "report", "xai", "--as-of", "2026-02-11",
                             "--format", "md"], catch_exceptions=False).stdout
    assert "\n## Withdrawn or corrected since first recorded (2)\n\n- 2026-02-09  Tony Wu" in md
    html = runner.invoke(cli, ["--db", db_arg(seeded), "report", "xai", "--as-of",
                               "2026-02-11", "--format", "html"], catch_exceptions=False).stdout
    assert '<section id="withdrawn"><h2>Withdrawn or corrected since first recorded (2)' in html
