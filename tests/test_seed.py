"""Acceptance on the shipped seed timeline (issue: the main job runs on real input)."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from factbase.api import FactBase
from factbase.cli import cli

DIVISIONS = {"Grok Main & Voice", "Coding", "Imagine", "Macrohard"}
SUPPORT_TEAMS = {
    "API & Core Product Infrastructure",
    "Expert Tutors & Grokipedia",
    "ML & Data Infrastructure",
    "Compute & Network Infrastructure",
    "Physical Infrastructure",
}
COFOUNDERS = {
    "elon-musk", "igor-babuschkin", "manuel-kroiss", "tony-wu", "christian-szegedy", "jimmy-ba",
    "toby-pohlen", "ross-nordeen", "kyle-kosic", "greg-yang", "guodong-zhang", "zihang-dai",
}


def org_json(fb: FactBase, as_of: str, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["--db", fb.url, "org", "xai", "--as-of", as_of,
                                      "--format", "json", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_after_the_reorganisation_xai_has_four_divisions_and_five_support_teams(
        seeded: FactBase) -> None:
    doc = org_json(seeded, "2026-03-01")
    divisions = {u["name"] for u in doc["units"] if u["kind"] == "division"}
    support = {u["name"] for u in doc["units"] if u["kind"] == "support_team"}
    assert divisions == DIVISIONS
    assert support == SUPPORT_TEAMS
    assert len(doc["units"]) == 9


def test_guodong_zhang_leads_imagine_and_is_core_in_coding(seeded: FactBase) -> None:
    units = {u["name"]: u for u in org_json(seeded, "2026-03-01")["units"]}
    assert [lead["id"] for lead in units["Imagine"]["leads"]] == ["guodong-zhang"]
    assert "guodong-zhang" in [c["id"] for c in units["Coding"]["core_members"]]
    assert [c["id"] for c in units["Imagine"]["core_members"]] == ["haotian-liu"]
    assert sorted(c["id"] for c in units["ML & Data Infrastructure"]["core_members"]) == [
        "lianmin-zheng", "yunlong-liu"]


def test_twelve_cofounders_of_whom_six_departed_by_march(seeded: FactBase) -> None:
    cof = org_json(seeded, "2026-03-01")["cofounders"]
    assert cof["total"] == 12
    assert {p["id"] for p in cof["present"]} | {p["id"] for p in cof["departed"]} == COFOUNDERS
    assert [(p["id"], p["date"]) for p in cof["departed"]] == [
        ("kyle-kosic", "2024-04"),
        ("christian-szegedy", "2025-02"),
        ("igor-babuschkin", "2025-08-13"),
        ("greg-yang", "2026-01-20"),
        ("tony-wu", "2026-02-09"),
        ("jimmy-ba", "2026-02-10"),
    ]


def test_february_departures_are_listed_with_their_disputed_accounts(seeded: FactBase) -> None:
    doc = org_json(seeded, "2026-03-01")
    doc_sources = doc["sources"]
    departed = {d["id"]: d for d in doc["departed"]}
    for person in ("tony-wu", "jimmy-ba"):
        d = departed[person]
        assert d["disputed"] is True
        assert d["reason"] is None
        accounts = {(a["by"], a["reason"]) for a in d["accounts"]}
        assert accounts == {(person, "resigned"), ("elon-musk", "parted_ways")}
        assert all(a["source"] in doc_sources for a in d["accounts"])


def test_metrics_are_shown_with_units_and_sources(seeded: FactBase) -> None:
    doc = org_json(seeded, "2026-03-01")
    metrics = {(m["subject"], m["metric"]): m for m in doc["metrics"]}
    cluster = next(m for k, m in metrics.items() if k[0] == "xai" and m["value"] == 100_000)
    assert cluster["unit"] == "GPU"
    assert cluster["date"] == "2026-02-10"
    assert "huxiu-4835050" in cluster["sources"]
    values = {m["value"] for m in doc["metrics"]}
    for figure in (6_000_000, 1_000_000_000, 600_000_000, 50_000_000, 6_000_000_000, 2_000_000):
        assert figure in values, figure
    for m in doc["metrics"]:
        assert m["sources"], m
        assert m["unit"], m
        for sid in m["sources"]:
            assert sid in doc["sources"]


def test_before_the_reorganisation_none_of_the_new_structure_and_no_february_departure(
        seeded: FactBase) -> None:
    doc = org_json(seeded, "2026-01-01")
    assert doc["units"] == []
    departed = [d["id"] for d in doc["departed"]]
    assert departed == ["kyle-kosic", "christian-szegedy", "igor-babuschkin"]
    assert doc["cofounders"]["total"] == 12
    assert len(doc["cofounders"]["present"]) == 9
    assert {"tony-wu", "jimmy-ba"} <= {p["id"] for p in doc["cofounders"]["present"]}
    assert doc["metrics"] == []


def test_during_the_reorganisation_window_it_is_uncertain_not_applied(seeded: FactBase) -> None:
    # Effective 2026-02-01/2026-02-11 ("a few days" before the post of the 11th), announced at
    # the all-hands on the 10th: inside the window the changes may have happened.
    doc = org_json(seeded, "2026-02-05")
    assert doc["units"] == []
    reorg = [u for u in doc["uncertain"] if u["type"] == "reorg.announced"]
    assert [u["date"] for u in reorg] == ["2026-02-01/2026-02-11"]
    assert "reorg.announced" not in [e["type"] for e in doc["events"]]

    doc = org_json(seeded, "2026-02-10")
    assert doc["units"] == []
    assert "reorg.announced" in [e["type"] for e in doc["events"]]  # the announcement happened
    assert [u["date"] for u in doc["uncertain"] if u["type"] == "reorg.announced"] == [
        "2026-02-01/2026-02-11"]

    doc = org_json(seeded, "2026-02-11")
    assert {u["name"] for u in doc["units"]} == DIVISIONS | SUPPORT_TEAMS
    assert [u for u in doc["uncertain"] if u["type"] == "reorg.announced"] == []


def test_the_seed_replays_without_anomalies(seeded: FactBase) -> None:
    for day in ("2023-07-12", "2025-01-01", "2026-01-01", "2026-02-10", "2026-03-01"):
        assert org_json(seeded, day)["anomalies"] == [], day


def test_org_text_names_the_cofounder_count_and_the_dispute(seeded: FactBase) -> None:
    result = CliRunner().invoke(cli, ["--db", seeded.url, "org", "xai", "--as-of",
                                      "2026-03-01"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Co-founders: 12 in all — 6 present, 6 departed" in result.output
    assert "Tony Wu (co-founder) — left 2026-02-09; reason DISPUTED:" in result.output
    assert "lead: Guodong Zhang — Head of Imagine" in result.output


def test_seed_verifies(seeded: FactBase) -> None:
    report = seeded.verify(projections=True)
    assert report.ok, report.problems
    assert report.events == seeded.count()
