"""`factbase diff`: what changed between two dates, each change with its date and sources."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factbase.api import FactBase
from factbase.cli import cli
from factbase.core.diff import CHANGE_KEYS, diff_documents
from factbase.core.errors import InputError
from factbase.render.markdown import escape

REORG = "2026-02-01/2026-02-11"
REORG_SOURCES = ["x-elonmusk-2021673886157607383", "techcrunch-2026-02-11-all-hands",
                 "huxiu-4835050"]


def run(fb: FactBase, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--db", fb.url, "diff", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def diff_json(fb: FactBase, *args: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(run(fb, *args, "--format", "json").stdout)
    return doc


# --- the seed -----------------------------------------------------------------------------


def test_january_to_march_creates_the_nine_units_of_the_reorganisation(seeded: FactBase) -> None:
    doc = diff_json(seeded, "xai", "2026-01-01", "2026-03-01")
    assert (doc["org"], doc["from"], doc["to"], doc["known_at"]) == (
        {"id": "xai", "name": "xAI"}, "2026-01-01", "2026-03-01", None)
    assert [(u["name"], u["kind"], u["date"]) for u in doc["units_created"]] == [
        ("API & Core Product Infrastructure", "support_team", REORG),
        ("Coding", "division", REORG),
        ("Compute & Network Infrastructure", "support_team", REORG),
        ("Expert Tutors & Grokipedia", "support_team", REORG),
        ("Grok Main & Voice", "division", REORG),
        ("Imagine", "division", REORG),
        ("Macrohard", "division", REORG),
        ("ML & Data Infrastructure", "support_team", REORG),
        ("Physical Infrastructure", "support_team", REORG),
    ]
    for u in doc["units_created"]:
        assert (u["event"], u["sources"]) == ("xai-reorg-2026-02", REORG_SOURCES)
    for key in ("units_renamed", "units_moved", "units_ended", "returned", "roles_ended",
                "newly_uncertain"):
        assert doc[key] == [], key


def test_january_to_march_departures_have_reasons_and_both_accounts(seeded: FactBase) -> None:
    doc = diff_json(seeded, "xai", "2026-01-01", "2026-03-01")
    assert [(d["id"], d["date"], d["reason"], d["disputed"], d["cofounder"])
            for d in doc["departed"]] == [
        ("greg-yang", "2026-01-20", "stepped_back", False, True),
        ("tony-wu", "2026-02-09", None, True, True),
        ("jimmy-ba", "2026-02-10", None, True, True),
    ]
    departed = {d["id"]: d for d in doc["departed"]}
    assert departed["greg-yang"]["sources"] == ["x-thegregyang-2013652609455006006",
                                                "hindustantimes-tony-wu-2026-02-10"]
    assert departed["greg-yang"]["accounts"] == []
    assert [(a["by"], a["reason"], a["source"]) for a in departed["tony-wu"]["accounts"]] == [
        ("tony-wu", "resigned", "hindustantimes-tony-wu-2026-02-10"),
        ("elon-musk", "parted_ways", "x-elonmusk-2021673886157607383"),
    ]
    assert [(a["by"], a["reason"], a["source"]) for a in departed["jimmy-ba"]["accounts"]] == [
        ("jimmy-ba", "resigned", "x-jimmybajimmyba-2021374875793801447"),
        ("elon-musk", "parted_ways", "x-elonmusk-2021673886157607383"),
    ]
    assert departed["tony-wu"]["roles"] == [
        {"role": "cofounder", "unit": None, "unit_name": None, "title": None}]


def test_january_to_march_joins_and_roles_started(seeded: FactBase) -> None:
    doc = diff_json(seeded, "xai", "2026-01-01", "2026-03-01")
    assert [(p["id"], p["date"], p["evidence"]) for p in doc["joined"]] == [
        ("haotian-liu", "../2026-02-10", "reported"),
        ("lianmin-zheng", "../2026-02-10", "reported"),
        ("yunlong-liu", "../2026-02-10", "reported"),
    ]
    assert [(r["person"], r["role"], r["unit"], r["date"], r["event"])
            for r in doc["roles_started"]] == [
        ("guodong-zhang", "lead", None, "../2026-02-10", "guodong-zhang-post-training"),
        ("guodong-zhang", "lead", "xai-imagine", REORG, "xai-reorg-2026-02"),
        ("guodong-zhang", "core_member", "xai-coding", REORG, "xai-reorg-2026-02"),
        ("haotian-liu", "core_member", "xai-imagine", REORG, "xai-reorg-2026-02"),
        ("lianmin-zheng", "core_member", "xai-ml-data-infra", REORG, "xai-reorg-2026-02"),
        ("manuel-kroiss", "lead", "xai-coding", REORG, "manuel-kroiss-leads-coding"),
        ("toby-pohlen", "lead", "xai-macrohard", REORG, "xai-reorg-2026-02"),
        ("yunlong-liu", "core_member", "xai-ml-data-infra", REORG, "xai-reorg-2026-02"),
    ]
    imagine = doc["roles_started"][1]
    assert (imagine["person_name"], imagine["unit_name"], imagine["title"]) == (
        "Guodong Zhang", "Imagine", "Head of Imagine")


def test_january_to_march_fifteen_new_figures_with_sources(seeded: FactBase) -> None:
    doc = diff_json(seeded, "xai", "2026-01-01", "2026-03-01")
    metrics = doc["metrics_changed"]
    assert len(metrics) == 15
    assert all(m["old"] is None and m["date"] == "2026-02-10" and m["sources"] for m in metrics)
    gpus = next(m for m in metrics if m["metric"] == "training_cluster_gpus")
    assert gpus["new"] == {"value": 100_000, "unit": "GPU", "qualifier": None, "period": None,
                           "text": "100,000 GPU", "date": "2026-02-10"}
    assert gpus["sources"] == ["huxiu-4835050"]
    cited = {s for key in CHANGE_KEYS for item in doc[key] for s in item["sources"]}
    cited |= {a["source"] for d in doc["departed"] for a in d["accounts"]}
    assert set(doc["sources"]) == cited
    assert doc["sources"]["huxiu-4835050"]["url"] == "https://www.huxiu.com/article/4835050.html"


def test_january_to_march_cofounders_nine_present_then_six(seeded: FactBase) -> None:
    doc = diff_json(seeded, "xai", "2026-01-01", "2026-03-01")
    assert doc["cofounders"] == {
        "before": {"total": 12, "present": 9, "departed": 3, "may_have_left": 0},
        "after": {"total": 12, "present": 6, "departed": 6, "may_have_left": 0},
    }
    # The four facts known only as "by 10 February" were uncertain on 1 January.
    assert [u["event"] for u in doc["no_longer_uncertain"]] == [
        "guodong-zhang-post-training", "haotian-liu-at-xai", "lianmin-zheng-at-xai",
        "yunlong-liu-at-xai"]
    assert [e["type"] for e in doc["events"]].count("statement.made") == 5


def test_january_to_march_text_is_one_dated_line_per_change(seeded: FactBase) -> None:
    out = run(seeded, "xai", "2026-01-01", "2026-03-01").stdout.splitlines()
    pad = " " * 39
    assert out[:11] == [
        "xAI (xai): what changed from 2026-01-01 to 2026-03-01 — as recorded now",
        "",
        "2026-01-20             departed      Greg Yang (co-founder) — stepped back [1][2]",
        "2026-02-09             departed      Tony Wu (co-founder) — disputed: parted ways / "
        "resigned [2][3][4]",
        f"{pad}per Tony Wu (resigned): He resigned from xAI that day; it is time for a new "
        "chapter in an era of wide-open possibility. [2]",
        f"{pad}per Elon Musk (parted ways): xAI had been reorganised a few days earlier to "
        "execute faster, and this meant the company parted ways with some people. The post "
        "names no one. [5]",
        "../2026-02-10          joined        Haotian Liu (reported) [4]",
        "../2026-02-10          joined        Lianmin Zheng (reported) [4]",
        "../2026-02-10          joined        Yunlong Liu (reported) [4]",
        "../2026-02-10          role started  Guodong Zhang — lead (Lead of pre-training and "
        "post-training) (reported) [3][4]",
        "2026-02-10             departed      Jimmy Ba (co-founder) — disputed: parted ways / "
        "resigned [6][4]",
    ]
    assert "2026-02-01/2026-02-11  unit created  Imagine (division) [5][7][4]" in out
    assert "2026-02-01/2026-02-11  role started  Guodong Zhang — lead of Imagine (Head of " \
        "Imagine) [5][7][4]" in out
    assert "2026-02-10             metric new    xAI · training cluster gpus: 100,000 GPU " \
        "(reported) [4]" in out
    assert "Co-founders: 9 present, 3 departed of 12 on 2026-01-01 → 6 present, 6 departed " \
        "of 12 on 2026-03-01" in out
    assert "Announcements, meetings and statements (9)" in out
    sources = out[out.index("Sources") + 1:]
    assert len(sources) == 10
    assert sources[0].startswith("  [1] [post on X by Greg Yang (@TheGregYang)")


def test_the_same_date_twice_is_an_empty_diff(seeded: FactBase) -> None:
    doc = diff_json(seeded, "xai", "2026-03-01", "2026-03-01")
    assert all(doc[k] == [] for k in (*CHANGE_KEYS, "no_longer_uncertain"))
    assert doc["cofounders"]["before"] == doc["cofounders"]["after"]
    assert doc["sources"] == {}
    assert run(seeded, "xai", "2026-03-01", "2026-03-01").stdout == (
        "xAI (xai): what changed from 2026-03-01 to 2026-03-01 — as recorded now\n"
        "\n"
        "(no changes between these dates)\n")


def test_d1_after_d2_is_a_usage_error(seeded: FactBase) -> None:
    result = CliRunner().invoke(cli, ["--db", seeded.url, "diff", "xai", "2026-03-01",
                                      "2026-01-01"])
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for 'D1': D1 2026-03-01 is after D2 2026-01-01; D1 must be on or "
        "before D2\n")
    assert result.stdout == ""


def test_d1_after_d2_raises_from_the_api(seeded: FactBase) -> None:
    from datetime import date

    with pytest.raises(InputError, match=r"^D1 2026-03-01 is after D2 2026-01-01; D1 must be "
                                         r"on or before D2$"):
        seeded.diff("xai", date(2026, 3, 1), date(2026, 1, 1))


def test_known_at_before_the_seed_was_loaded_is_an_error(seeded: FactBase) -> None:
    result = CliRunner().invoke(cli, ["--db", seeded.url, "diff", "xai", "2026-01-01",
                                      "2026-03-01", "--known-at", "2020-01-01"])
    assert result.exit_code == 1
    assert re.fullmatch(r"Error: 'xai' was not yet in the log at 2020-01-01T23:59:59\.999999"
                        r"\+00:00 \(first recorded \S+\)\n", result.stderr), result.stderr
    assert result.stdout == ""


def test_unknown_org_is_an_error(seeded: FactBase) -> None:
    result = CliRunner().invoke(cli, ["--db", seeded.url, "diff", "xaj", "2026-01-01",
                                      "2026-03-01"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no organization named 'xaj'")


# --- a made-up timeline: merges, renames, ended roles, Markdown escaping -------------------

ACME = """
sources:
  - id: memo
    url: https://example.com/memo
    title: "Memo | *all* staff"
    publisher: Acme <internal>
    published: "2025-03-01"
entities:
  - {id: acme, kind: organization, name: "Acme | Co"}
  - {id: ana, kind: person, name: "Ana *Star* | Lee"}
  - {id: bo, kind: person, name: "Bo_Chen [ext]"}
  - {id: cy, kind: person, name: "Cy <Ops>\\nTeam"}
events:
  - {type: org.founded, date: "2024-01-01", sources: [memo], org: acme, founders: [ana, bo]}
  - {type: unit.created, date: "2024-02-01", sources: [memo], org: acme, unit: acme-lab,
     name: "R&D <lab>", kind: team}
  - {type: unit.created, date: "2024-02-01", sources: [memo], org: acme, unit: acme-core,
     name: Core, kind: team}
  - {type: role.assigned, date: "2024-03-01", sources: [memo], person: ana, org: acme,
     unit: acme-lab, role: lead}
  - {type: metric.reported, date: "2024-06-01", sources: [memo], subject: acme,
     metric: headcount, value: 10, unit: employees}
  - {id: cy-joined, type: person.joined, date: "2025-02-05", sources: [memo], person: cy,
     org: acme, unit: acme-core, title: "Head_of *ops*"}
  - {id: lab-merged, type: unit.merged, date: "2025-02-10", sources: [memo], org: acme,
     unit: acme-lab, into: acme-core}
  - {id: core-renamed, type: unit.renamed, date: "2025-02-11", sources: [memo], org: acme,
     unit: acme-core, name: "Core *2*"}
  - {id: ana-lead-ended, type: role.ended, date: "2025-02-12", sources: [memo], person: ana,
     org: acme, unit: acme-core, role: lead}
  - {id: headcount-2025, type: metric.reported, date: "2025-02-15", sources: [memo],
     subject: acme, metric: headcount, value: 12, unit: employees}
  - id: bo-left
    type: person.left
    date: "2025-02-20"
    sources: [memo]
    person: bo
    org: acme
    accounts:
      - {by: bo, reason: resigned, says: "I *chose* to go | bye\\nfor now", source: memo}
      - {by: ana, reason: dismissed, says: "We let <him> go", source: memo}
"""


@pytest.fixture
def acme(fb: FactBase, tmp_path: Path) -> FactBase:
    path = tmp_path / "acme.yaml"
    path.write_text(ACME, encoding="utf-8")
    fb.load([str(path)])
    return fb


def test_merge_rename_and_ended_role_are_dated_and_cited_by_their_events(
        acme: FactBase) -> None:
    doc = diff_json(acme, "acme", "2025-01-01", "2025-03-01")
    assert [(u["id"], u["status"], u["merged_into"], u["date"], u["event"])
            for u in doc["units_ended"]] == [
        ("acme-lab", "merged", "acme-core", "2025-02-10", "lab-merged")]
    assert [(u["old_name"], u["new_name"], u["date"], u["event"])
            for u in doc["units_renamed"]] == [("Core", "Core *2*", "2025-02-11", "core-renamed")]
    # Ana's lead moved with the merge (not a change), then ended naming the surviving unit.
    assert [(r["person"], r["role"], r["unit"], r["since"], r["date"], r["event"])
            for r in doc["roles_ended"]] == [
        ("ana", "lead", "acme-lab", "2024-03-01", "2025-02-12", "ana-lead-ended")]
    assert doc["roles_started"] == []
    assert [(p["id"], p["date"], p["unit_name"], p["event"]) for p in doc["joined"]] == [
        ("cy", "2025-02-05", "Core *2*", "cy-joined")]
    [m] = doc["metrics_changed"]
    assert (m["old"]["text"], m["old"]["date"], m["new"]["text"], m["date"], m["event"]) == (
        "10 employees", "2024-06-01", "12 employees", "2025-02-15", "headcount-2025")
    assert [d["id"] for d in doc["departed"]] == ["bo"]


def test_markdown_escapes_names_and_texts(acme: FactBase) -> None:
    out = run(acme, "acme", "2025-01-01", "2025-03-01", "--format", "md").stdout
    assert out.splitlines() == [
        r"# Acme \| Co (acme): what changed from 2025-01-01 to 2025-03-01",
        "",
        "Changes between the end of 2025-01-01 and the end of 2025-03-01, as recorded now.",
        "",
        "## Departed (1)",
        "",
        r"- 2025-02-20 — **Bo\_Chen \[ext\]** (co-founder) — disputed: dismissed / resigned [1]",
        r"  - per Bo\_Chen \[ext\] (resigned): I \*chose\* to go \| bye for now [1]",
        r"  - per Ana \*Star\* \| Lee (dismissed): We let \<him\> go [1]",
        "",
        "## Joined (1)",
        "",
        r"- 2025-02-05 — **Cy \<Ops\> Team** (Core \*2\*, Head\_of \*ops\*) [1]",
        "",
        "## Roles ended (1)",
        "",
        r"- 2025-02-12 — **Ana \*Star\* \| Lee** — lead of R&D \<lab\>, held since 2024-03-01 [1]",
        "",
        "## Units renamed (1)",
        "",
        r"- 2025-02-11 — **Core** → **Core \*2\*** [1]",
        "",
        "## Units merged or dissolved (1)",
        "",
        r"- 2025-02-10 — **R&D \<lab\>** merged into Core \*2\* [1]",
        "",
        "## Figures new or changed (1)",
        "",
        r"- 2025-02-15 — Acme \| Co · headcount: 10 employees (2024-06-01) → 12 employees [1]",
        "",
        "## Co-founders",
        "",
        "| | total | present | departed |",
        "|---|---:|---:|---:|",
        "| 2025-01-01 | 2 | 2 | 0 |",
        "| 2025-03-01 | 2 | 1 | 1 |",
        "",
        "## Sources",
        "",
        r"1. Memo \| \*all\* staff — Acme \<internal\> — 2025-03-01 <https://example.com/memo>",
    ]


def test_text_keeps_each_account_on_one_line(acme: FactBase) -> None:
    out = run(acme, "acme", "2025-01-01", "2025-03-01").stdout
    assert "per Bo_Chen [ext] (resigned): I *chose* to go | bye for now [1]\n" in out
    assert "2025-02-05  joined          Cy <Ops> Team (Core *2*, Head_of *ops*) [1]\n" in out


@pytest.mark.parametrize(("text", "shown"), [
    ("a|b", r"a\|b"), ("*x*", r"\*x\*"), ("_y_", r"\_y\_"), ("[l](u)", r"\[l\](u)"),
    ("<b>", r"\<b\>"), ("two\nlines", "two lines"), ("a\\b", r"a\\b"), ("`c`", r"\`c\`"),
    ("&amp;", r"\&amp;"), ("R&D", "R&D"),
])
def test_escape(text: str, shown: str) -> None:
    assert escape(text) == shown


# --- diff_documents on hand-made documents ------------------------------------------------


def org_doc(as_of: str, units: list[dict[str, Any]],
            metrics: list[dict[str, Any]]) -> dict[str, Any]:
    return {"org": {"id": "lab", "name": "Lab"}, "as_of": as_of, "known_at": None,
            "founded": None, "merged_into": None, "units": units, "ended_units": [],
            "people": [], "departed": [],
            "cofounders": {"total": 0, "present": [], "departed": [], "may_have_left": []},
            "metrics": metrics, "events": [], "uncertain": [], "anomalies": [],
            "sources": {"s0": {"url": "https://example.com/s0", "title": "S0",
                               "publisher": None, "published": None},
                        "s2": {"url": None, "title": "S2", "publisher": None,
                               "published": None}}}


def unit(name: str, former: list[str]) -> dict[str, Any]:
    return {"id": "u1", "name": name, "kind": "team", "parent": None, "since": "2024",
            "status": "active", "former_names": former, "merged_into": None, "ended": None,
            "leads": [], "core_members": [], "members": [], "event": "u1-created",
            "sources": ["s0"], "evidence": None}


def metric(value: int, day: str, event: str, source: str) -> dict[str, Any]:
    return {"subject": "lab", "subject_name": "Lab", "metric": "headcount", "value": value,
            "unit": "employees", "qualifier": None, "period": None, "date": day,
            "text": f"{value} employees", "note": None, "event": event, "sources": [source],
            "evidence": "reported"}


BEFORE = org_doc("2025-12-31", [unit("Research", [])], [metric(10, "2025-06", "m1", "s0")])
AFTER = org_doc("2026-02-01", [unit("Research & Models", ["Research"])],
                [metric(12, "2026-01-15", "m2", "s2")])
RENAME: dict[str, Any] = {"events": [{"type": "unit.renamed", "id": "r1", "date": "2026-01-10",
                      "payload": {"org": "lab", "unit": "u1", "name": "Research & Models"},
                      "sources": ["s1"], "evidence": "confirmed"}],
          "sources": {"s1": {"url": None, "title": "S1", "publisher": None, "published": None}}}


def test_diff_documents_finds_a_rename_and_a_changed_figure() -> None:
    doc = diff_documents(BEFORE, AFTER, RENAME)
    assert doc["units_renamed"] == [{"id": "u1", "old_name": "Research",
                                     "new_name": "Research & Models", "date": "2026-01-10",
                                     "event": "r1", "sources": ["s1"],
                                     "evidence": "confirmed"}]
    assert doc["metrics_changed"] == [{
        "subject": "lab", "subject_name": "Lab", "metric": "headcount",
        "old": {"value": 10, "unit": "employees", "qualifier": None, "period": None,
                "text": "10 employees", "date": "2025-06"},
        "new": {"value": 12, "unit": "employees", "qualifier": None, "period": None,
                "text": "12 employees", "date": "2026-01-15"},
        "date": "2026-01-15", "event": "m2", "sources": ["s2"], "evidence": "reported"}]
    assert doc["units_created"] == []
    assert list(doc["sources"]) == ["s1", "s2"]
    assert doc["sources"]["s1"]["title"] == "S1"


def test_diff_documents_without_a_timeline_leaves_the_rename_undated() -> None:
    [renamed] = diff_documents(BEFORE, AFTER)["units_renamed"]
    assert (renamed["date"], renamed["event"], renamed["sources"]) == (None, None, [])


def test_diff_documents_ignores_a_rename_outside_the_window() -> None:
    late = {**RENAME, "events": [{**RENAME["events"][0], "date": "2026-02-02"}]}
    [renamed] = diff_documents(BEFORE, AFTER, late)["units_renamed"]
    assert renamed["event"] is None


def test_diff_documents_refuses_d1_after_d2() -> None:
    with pytest.raises(InputError, match="D1 2026-02-01 is after D2 2025-12-31"):
        diff_documents(AFTER, BEFORE)


def test_diff_documents_of_a_document_with_itself_is_empty() -> None:
    doc = diff_documents(AFTER, AFTER)
    assert all(doc[k] == [] for k in CHANGE_KEYS) and doc["sources"] == {}


# --- holdings compared as replay holds them (issue 10) ---------------------------------------


def test_a_title_changed_on_one_day_is_a_holding_ended_and_one_started(fb: FactBase) -> None:
    """ann's executive title went from CTO to CEO with role.ended + role.assigned on one day:
    the CTO holding ended, the CEO one started (a diff keyed by role and unit saw neither)."""
    from tests.test_report import add_one_fold

    doc = diff_json(add_one_fold(fb), "acme", "2005-05-31", "2005-06-01")
    assert [(r["person"], r["role"], r["title"], r["date"]) for r in doc["roles_started"]] == [
        ("ann", "executive", "CEO", "2005-06-01")]
    assert [(r["person"], r["role"], r["title"], r["since"], r["date"])
            for r in doc["roles_ended"]] == [("ann", "executive", "CTO", "2001-01-01",
                                              "2005-06-01")]


def test_the_roles_of_someone_whose_presence_ended_with_them_are_ended(fb: FactBase) -> None:
    """eve was on the board only; when her seat ended her presence did too, with no
    departure: her role is listed as ended (it was in no list)."""
    from tests.test_report import add_one_fold

    doc = diff_json(add_one_fold(fb), "acme", "2004-06-29", "2004-06-30")
    assert [(r["person"], r["role"], r["since"], r["date"]) for r in doc["roles_ended"]] == [
        ("eve", "board_member", "2001-06-01", "2004-06-30")]
    assert (doc["departed"], doc["joined"], doc["roles_started"]) == ([], [], [])


def test_a_role_ended_by_a_reorganisation_is_dated_by_its_effective_date(
        acme: FactBase) -> None:
    """The reorganisation's changes come from replay.expand_changes: effective on the 1st,
    announced on the 11th, cited to the reorganisation with the change's own evidence."""
    acme.add([{"id": "cy-lead", "type": "role.assigned", "date": "2025-03-01",
               "sources": ["memo"], "person": "cy", "org": "acme", "role": "lead",
               "unit": "acme-core"},
              {"id": "reorg-25", "type": "reorg.announced", "date": "2025-04-11",
               "sources": ["memo"], "org": "acme", "summary": "Cy steps down",
               "effective": "2025-04-01", "changes": [
                   {"type": "role.ended", "person": "cy", "role": "lead", "unit": "acme-core",
                    "evidence": "reported"}]}])
    doc = diff_json(acme, "acme", "2025-03-15", "2025-04-30")
    assert [(r["person"], r["role"], r["since"], r["date"], r["event"], r["evidence"])
            for r in doc["roles_ended"]] == [
        ("cy", "lead", "2025-03-01", "2025-04-01", "reorg-25", "reported")]
