"""`factbase ls`: what the database holds; an unknown organisation points to the nearest
names, to `ls` and to `search`; an as-of day in the future says what the answer is."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from factbase.cli import cli
from tests import backends

SEED_TOTALS = "2 organizations, 15 people, 9 units, 6 products, 14 sources"


@pytest.fixture
def db(seeded_template: Path | str, clone_db: Callable[[Path | str], str]) -> str:
    return clone_db(seeded_template)


def run(runner: CliRunner, db: str, *args: str) -> Result:
    result = runner.invoke(cli, ["--db", db, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_ls_lists_every_kind_with_totals_and_ids(runner: CliRunner, db: str) -> None:
    out = run(runner, db, "ls").stdout
    assert out.startswith(SEED_TOTALS + "\n\nOrganizations (2)\n")
    lines = out.splitlines()
    assert "  xai     xAI — 15 people, 9 units, 43 events" in lines
    assert "People (15)" in lines and "Units (9)" in lines and "Sources (14)" in lines
    assert "  tony-wu            Tony Wu — in xai" in lines
    assert "  xai-imagine                Imagine — in xai" in lines
    assert any(ln.startswith("  huxiu-4835050 ") and ln.endswith("; cited by 30 events")
               for ln in lines)


def test_filters_by_kind_org_and_name_in_any_script(runner: CliRunner, db: str) -> None:
    out = run(runner, db, "ls", "--kind", "people", "--org", "xAI", "--name", "吳宇懷").stdout
    assert out == (f"{SEED_TOTALS}; showing those in xai and named like '吳宇懷'\n\n"
                   "People (1)\n  tony-wu  Tony Wu — in xai\n")
    out = run(runner, db, "ls", "--kind", "unit", "--name", "infra").stdout
    assert out.count(" — in xai") == 4  # the four infrastructure support teams
    out = run(runner, db, "ls", "--kind", "org", "--name", "nobody").stdout
    assert out.endswith("Organizations (0)\n  (none)\n")


def test_json_and_csv_hold_the_same(runner: CliRunner, db: str) -> None:
    doc = json.loads(run(runner, db, "ls", "--format", "json").stdout)
    assert doc["totals"] == {"organizations": 2, "people": 15, "units": 9, "products": 6,
                             "sources": 14}
    (xai,) = [o for o in doc["organizations"] if o["id"] == "xai"]
    assert xai == {"kind": "organization", "id": "xai", "name": "xAI",
                   "counts": {"people": 15, "units": 9, "events": 43}, "detail": {},
                   "orgs": []}
    rows = list(csv.DictReader(io.StringIO(run(runner, db, "ls", "--format", "csv").stdout)))
    assert len(rows) == 2 + 15 + 9 + 6 + 14
    (tony,) = [r for r in rows if r["id"] == "tony-wu"]
    assert tony["kind"] == "person" and tony["orgs"] == "xai" and tony["name"] == "Tony Wu"


def test_sources_of_one_organisation(runner: CliRunner, db: str) -> None:
    doc = json.loads(run(runner, db, "ls", "--kind", "source", "--org", "xai",
                         "--format", "json").stdout)
    assert len(doc["sources"]) == 14 and all(s["counts"]["cited_by"] >= 1
                                             for s in doc["sources"])
    assert set(doc) == {"totals", "org", "name", "sources"}
    # SpaceX has only its registration: nothing cites a source in its stream.
    assert run(runner, db, "ls", "--kind", "source", "--org", "spacex").stdout.endswith(
        "Sources (0)\n  (none)\n")


def test_a_source_is_found_by_a_name_with_accents_in_any_case(runner: CliRunner,
                                                               db: str) -> None:
    run(runner, db, "add", "source", "--id", "eco-1", "--title", "Économie du réseau",
        "--publisher", "Le Monde Économique")
    for needle in ("économie", "ÉCONOMIE", "Économie", "economie", "RÉSEAU", "monde éco"):
        out = run(runner, db, "ls", "--kind", "source", "--name", needle).stdout
        assert out.endswith("Sources (1)\n  eco-1  Économie du réseau — Le Monde Économique; "
                            "cited by 0 events\n"), needle
    assert run(runner, db, "ls", "--kind", "source", "--name", "HUXIU").stdout.count(
        "huxiu-") == 1


def test_a_renamed_unit_is_listed_by_its_latest_name(runner: CliRunner, db: str) -> None:
    for day, name in (("2026-03-01", "Imagine Studio"), ("2026-04-01", "Imagine Labs")):
        run(runner, db, "add", "unit.renamed", "--org", "xai", "--unit", "xai-imagine",
            "--name", name, "--date", day, "--source", "huxiu-4835050")
    lines = run(runner, db, "ls", "--kind", "unit").stdout.splitlines()
    assert "  xai-imagine                Imagine Labs — in xai; formerly Imagine" in lines
    doc = json.loads(run(runner, db, "ls", "--kind", "unit", "--name", "imagine studio",
                         "--format", "json").stdout)
    assert [(u["id"], u["name"], u["detail"]) for u in doc["units"]] == [
        ("xai-imagine", "Imagine Labs", {"formerly": "Imagine"})]
    rows = list(csv.DictReader(io.StringIO(run(runner, db, "ls", "--kind", "unit",
                                               "--format", "csv").stdout)))
    assert {r["id"]: r["name"] for r in rows}["xai-imagine"] == "Imagine Labs"


def test_ls_shows_a_redacted_person_only_as_the_projections_do(
        runner: CliRunner, db: str) -> None:
    run(runner, db, "redact", "jimmy-ba", "--why", "asked", "--source", "huxiu-4835050")
    out = run(runner, db, "ls", "--kind", "person").stdout
    assert "Jimmy" not in out and "jimmy-ba" not in out
    assert "[redacted person]" in out
    assert run(runner, db, "ls", "--name", "Jimmy Ba").stdout.count("(none)") == 5


def test_an_unknown_organisation_suggests_the_nearest_and_where_to_look(
        runner: CliRunner, db: str) -> None:
    before = backends.dump(db)
    for args in (["org", "xaj", "--as-of", "2026-03-01"], ["diff", "xaj", "2026-01-01",
                                                           "2026-02-01"],
                 ["report", "xaj", "--as-of", "2026-03-01"], ["ls", "--org", "xaj"]):
        result = runner.invoke(cli, ["--db", db, *args])
        assert result.exit_code == 1, args
        assert result.stderr == (
            "Error: no organization named 'xaj'; did you mean 'xAI' (xai)? (`factbase ls "
            "--kind organization` lists them; `factbase search xaj` searches every name and "
            "text)\n"), args
    result = runner.invoke(cli, ["--db", db, "org", "Qqqq Zzzz Labs"])
    assert result.stderr == (
        "Error: no organization named 'Qqqq Zzzz Labs' (`factbase ls --kind organization` "
        "lists them; `factbase search 'Qqqq Zzzz Labs'` searches every name and text)\n")
    assert backends.dump(db) == before


def test_an_as_of_day_after_today_is_answered_with_a_note(runner: CliRunner, db: str) -> None:
    result = run(runner, db, "org", "xai", "--as-of", "9999-12-31")
    assert result.stderr.startswith("note: --as-of 9999-12-31 is after today (")
    assert result.stderr.endswith("); this is the latest known state, as recorded now, not a "
                                  "forecast\n")
    assert result.stdout == run(runner, db, "org", "xai", "--as-of", "9999-12-30").stdout \
        .replace("9999-12-30", "9999-12-31")
    assert run(runner, db, "org", "xai", "--as-of", "2026-03-01").stderr == ""
