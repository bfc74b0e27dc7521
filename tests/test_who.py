"""`factbase who`: a person or organisation found by any name, with their whole history; names
that two entities share are flagged at load and stay ambiguous, never merged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from factbase.api import FactBase
from factbase.cli import cli
from factbase.core.errors import NotFound


def who(runner: CliRunner, db: str, *args: str) -> Result:
    return runner.invoke(cli, ["--db", db, "who", *args], prog_name="factbase")


def ok(runner: CliRunner, db: str, *args: str) -> str:
    result = runner.invoke(cli, ["--db", db, "who", *args], prog_name="factbase",
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


# --- the seed ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["吴宇怀", "吳宇懷", "Wu Yuhuai", "Yuhuai Wu", "tony wu",
                                  "ＴＯＮＹ ＷＵ", "wuyuhuai", "tony-wu"])
def test_every_name_of_tony_wu_finds_him(seeded: FactBase, runner: CliRunner,
                                         name: str) -> None:
    out = ok(runner, seeded.url, name, "--as-of", "2026-03-01")
    assert out.startswith("Tony Wu (tony-wu) — person, as of 2026-03-01, as recorded now\n")
    assert "Also known as: 吳宇懷, 吴宇怀, Yuhuai Wu, Wu Yuhuai, Yuhuai (Tony) Wu\n" in out


@pytest.mark.parametrize("name", ["吴 宇 怀", "Tony\u200bWu", "Wu, Yuhuai", "TonyWu",
                                  "Tony\u200b Wu", "T\u00adony Wu", "Wu Yu-huai", "WuTony"])
def test_a_name_spelt_with_invisible_characters_spaces_or_run_together_finds_him(
        seeded: FactBase, runner: CliRunner, name: str) -> None:
    assert ok(runner, seeded.url, name, "--as-of", "2026-03-01") == \
        ok(runner, seeded.url, "tony-wu", "--as-of", "2026-03-01")


def test_who_shows_the_departure_with_both_accounts_and_their_sources(
        seeded: FactBase, runner: CliRunner) -> None:
    out = ok(runner, seeded.url, "吴宇怀", "--as-of", "2026-03-01")
    assert "  xAI (xai) — departed; co-founder\n" in out
    assert "    joined 2023-07-12 (co-founder at the founding) [1]\n" in out
    assert "    left 2026-02-09; reason DISPUTED: [2][3][4]\n" in out
    assert ("        per Tony Wu (resigned): He resigned from xAI that day; it is time for a new "
            "chapter in an era of wide-open possibility. [2]\n") in out
    assert "        per Elon Musk (parted ways): xAI had been reorganised" in out
    assert "The post names no one. [5]\n" in out
    assert "    roles on 2026-02-08, before leaving:\n      co-founder since 2023-07-12 [1]\n" \
        in out
    assert "Statements (1)\n  2026-02-09  xAI, post on X: Announces he has resigned" in out
    sources = out.split("\nSources\n")[1]
    assert "  [2] [Hindustan Times report: Tony Wu quits xAI" in sources
    assert "  [5] [post on X by Elon Musk (@elonmusk) on xAI's reorganisation]" in sources


def test_who_json_holds_names_memberships_accounts_and_sources(seeded: FactBase,
                                                               runner: CliRunner) -> None:
    doc = json.loads(ok(runner, seeded.url, "Yuhuai Wu", "--as-of", "2026-03-01",
                        "--format", "json"))
    assert doc["entity"] == {"id": "tony-wu", "kind": "person", "name": "Tony Wu",
                             "note": doc["entity"]["note"]}
    assert doc["names"] == ["Tony Wu", "吳宇懷", "吴宇怀", "Yuhuai Wu", "Wu Yuhuai",
                            "Yuhuai (Tony) Wu"]
    assert (doc["as_of"], doc["known_at"]) == ("2026-03-01", None)
    [xai] = doc["organisations"]
    assert (xai["id"], xai["status"], xai["cofounder"]) == ("xai", "departed", True)
    [spell] = xai["memberships"]
    assert (spell["joined"], spell["left"], spell["reason"], spell["disputed"]) == \
        ("2023-07-12", "2026-02-09", None, True)
    assert [(a["by"], a["reason"], a["source"]) for a in spell["accounts"]] == [
        ("tony-wu", "resigned", "hindustantimes-tony-wu-2026-02-10"),
        ("elon-musk", "parted_ways", "x-elonmusk-2021673886157607383")]
    assert {"hindustantimes-tony-wu-2026-02-10", "x-elonmusk-2021673886157607383",
            "ibtimes-2023-07-12"} <= set(doc["sources"])
    parts = [(e["type"], e["part"]) for e in doc["events"]]
    assert parts == [("org.founded", "founder"), ("person.left", "subject"),
                     ("statement.made", "statement")]


def test_who_before_the_departure_shows_him_present(seeded: FactBase,
                                                    runner: CliRunner) -> None:
    out = ok(runner, seeded.url, "Tony Wu", "--as-of", "2025-01-01")
    assert "  xAI (xai) — present; co-founder\n" in out
    assert "left 2026" not in out and "Statements: none recorded\n" in out


def test_who_zhang_guodong_leads_imagine_in_march(seeded: FactBase, runner: CliRunner) -> None:
    out = ok(runner, seeded.url, "张国栋", "--as-of", "2026-03-01")
    assert out.startswith("Guodong Zhang (guodong-zhang) — person, as of 2026-03-01")
    assert "  xAI (xai) — present; co-founder; last confirmed 2026-02-10\n" in out
    assert "      lead of Imagine — Head of Imagine, since 2026-02-01/2026-02-11 [" in out
    assert "      core member of Coding since 2026-02-01/2026-02-11 [" in out
    assert "Meetings spoken at (1)\n  2026-02-10  all-hands meeting of xAI [" in out
    assert "Confirmations (1)\n  2026-02-10  Guodong Zhang confirmed presence (reported) [" in out


def test_a_role_whose_interval_straddles_the_as_of_date_may_have_happened(
        seeded: FactBase, runner: CliRunner) -> None:
    out = ok(runner, seeded.url, "張國棟", "--as-of", "2026-02-05")
    assert "lead of Imagine —" not in out
    assert ("    may have happened by 2026-02-05 (2026-02-01/2026-02-11): Guodong Zhang takes "
            "lead in Imagine (Head of Imagine) [") in out


def test_accounts_given_about_others_are_listed_with_their_own_source(
        seeded: FactBase, runner: CliRunner) -> None:
    out = ok(runner, seeded.url, "马斯克", "--as-of", "2026-03-01")
    section = out.split("Accounts given about others (2)\n")[1].split("\n\n")[0]
    lines = section.splitlines()
    assert lines[0].startswith("  2026-02-09  about Tony Wu leaving xAI (parted ways): xAI had")
    assert lines[1].startswith("  2026-02-10  about Jimmy Ba leaving xAI (at 2026-02-11 00:05 "
                               "UTC) (parted ways): ")
    assert lines[0].endswith("[4]") and lines[1].endswith("[4]")
    assert "  [4] [post on X by Elon Musk (@elonmusk)" in out


def test_who_an_organisation_gives_a_summary_and_pointers(seeded: FactBase,
                                                          runner: CliRunner) -> None:
    out = ok(runner, seeded.url, "xAI", "--as-of", "2026-03-01")
    assert out.splitlines()[0] == "xAI (xai) — organization, as of 2026-03-01, as recorded now"
    assert "Founded 2023-07-12\n" in out
    assert "Units (9): Grok Main & Voice, Coding, Imagine, Macrohard," in out
    assert "Co-founders: 12 in all — 6 present, 6 departed\n" in out
    assert "See also: `factbase org xai --as-of 2026-03-01`; `factbase timeline xai`\n" in out
    doc = json.loads(ok(runner, seeded.url, "xai", "--as-of", "2026-03-01", "--format", "json"))
    assert doc["summary"]["cofounders"] == {"total": 12, "present": 6, "departed": 6}


def test_known_at_before_anything_was_recorded_shows_no_history(seeded: FactBase,
                                                                runner: CliRunner) -> None:
    out = ok(runner, seeded.url, "tony-wu", "--as-of", "2026-03-01", "--known-at", "2000-01-01")
    assert "as recorded by 2000-01-01T23:59:59" in out.splitlines()[0]
    assert "Organisations (0)\n  (none recorded)\n" in out


def test_an_unknown_name_is_an_error_with_suggestions(seeded: FactBase,
                                                      runner: CliRunner) -> None:
    result = who(runner, seeded.url, "Tony Woo")
    assert result.exit_code == 1
    assert result.stderr == ("Error: no person or organization named 'Tony Woo'; did you mean "
                             "'Tony Wu' (tony-wu)?\n")
    assert result.stdout == ""
    result = who(runner, seeded.url, "Zaphod Beeblebrox")
    assert (result.exit_code, result.stderr) == (
        1, "Error: no person or organization named 'Zaphod Beeblebrox'\n")


def test_other_characters_with_the_same_sound_are_not_the_person(seeded: FactBase,
                                                                 runner: CliRunner) -> None:
    # 吴雨怀 sounds like 吴宇怀 but is written differently: suggested, not taken.
    result = who(runner, seeded.url, "吴雨怀")
    assert (result.exit_code, result.stderr) == (
        1, "Error: no person or organization named '吴雨怀'; did you mean 'Tony Wu' "
           "(tony-wu)?\n")


def test_the_seed_has_no_name_collisions(seeded: FactBase) -> None:
    assert seeded.name_collisions() == []
    assert seeded.verify(projections=True).ok


# --- two people, one name ------------------------------------------------------------------

TIMELINE: dict[str, Any] = {
    "sources": [{"id": "paper", "publisher": "The Paper", "published": "2025-06-01"}],
    "entities": [
        {"id": "acme", "kind": "organization", "name": "Acme"},
        {"id": "beta", "kind": "organization", "name": "Beta Labs"},
        {"id": "li-wei-a", "kind": "person", "name": "Li Wei", "aliases": ["李伟"]},
        {"id": "li-wei-b", "kind": "person", "name": "Li Wei"},
        {"id": "zhang-wei-tw", "kind": "person", "name": "Zhang Wei", "aliases": ["張偉"]},
        {"id": "zhang-wei-cn", "kind": "person", "name": "张伟"},
        {"id": "chen-bo", "kind": "person", "name": "Chen Bo"},
    ],
    "events": [
        {"type": "person.joined", "date": "2024-01", "sources": ["paper"], "person": "li-wei-a",
         "org": "acme"},
        {"type": "person.joined", "date": "2025-03-01", "sources": ["paper"],
         "person": "li-wei-b", "org": "beta", "title": "Engineer"},
        {"type": "person.joined", "date": "2025-04-01", "sources": ["paper"],
         "person": "chen-bo", "org": "beta"},
    ],
}
WARNINGS = [
    "warning: 'Li Wei' (id li-wei-a) and 'Li Wei' (id li-wei-b) share the look-up name "
    "'li wei'; they stay two people — declare entity.merged if they are one",
    "warning: '張偉' (id zhang-wei-tw) and '张伟' (id zhang-wei-cn) share the look-up name "
    "'张伟'; they stay two people — declare entity.merged if they are one",
]


def write(tmp_path: Path, name: str, body: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return str(path)


def load(runner: CliRunner, db: str, path: str) -> Result:
    result = runner.invoke(cli, ["--db", db, "load", path], prog_name="factbase",
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_a_load_warns_once_per_new_collision_and_merges_nothing(
        fb: FactBase, runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "two.yaml", TIMELINE)
    result = load(runner, fb.url, path)
    assert result.stdout.endswith(": 11 new, 0 already present (the log holds 11 events)\n")
    assert result.stderr.splitlines() == WARNINGS
    assert sorted(fb.names()) == ["acme", "beta", "chen-bo", "li-wei-a", "li-wei-b",
                                  "zhang-wei-cn", "zhang-wei-tw"]
    again = load(runner, fb.url, path)
    assert again.stderr == ""
    assert fb.verify(projections=True).ok


def test_a_shared_name_is_ambiguous_and_lists_both(fb: FactBase, runner: CliRunner,
                                                   tmp_path: Path) -> None:
    fb.load([write(tmp_path, "two.yaml", TIMELINE)])
    for name in ("Li Wei", "li wei", "Wei Li"):
        result = who(runner, fb.url, name)
        assert result.exit_code == 1
        assert result.stderr == (f"Error: '{name}' names more than one person or organization: "
                                 "li-wei-a (Li Wei), li-wei-b (Li Wei); use an id\n")
    result = who(runner, fb.url, "張偉")
    assert result.stderr == ("Error: '張偉' names more than one person or organization: "
                             "zhang-wei-cn (张伟), zhang-wei-tw (Zhang Wei); use an id\n")
    with pytest.raises(NotFound, match="names more than one person"):
        fb.resolve("Li Wei", ["person"])
    a = ok(runner, fb.url, "li-wei-a", "--as-of", "2026-01-01")
    b = ok(runner, fb.url, "li-wei-b", "--as-of", "2026-01-01")
    assert "  Acme (acme) — present\n    joined 2024-01 [1]\n" in a and "Beta" not in a
    assert "  Beta Labs (beta) — present\n    joined 2025-03-01 [1]\n    Engineer\n" in b


def test_name_collisions_lists_the_pairs(fb: FactBase, tmp_path: Path) -> None:
    result = fb.load([write(tmp_path, "two.yaml", TIMELINE)])
    assert [c.warning() for c in result.collisions] == WARNINGS
    assert [c.warning() for c in fb.name_collisions()] == WARNINGS
    assert [(c.first, c.second, c.key) for c in fb.name_collisions(["zhang-wei-cn"])] == [
        ("zhang-wei-tw", "zhang-wei-cn", "张伟")]
    assert fb.name_collisions(["chen-bo"]) == []


def test_an_alias_added_later_that_brings_two_together_is_flagged(
        fb: FactBase, runner: CliRunner, tmp_path: Path) -> None:
    fb.load([write(tmp_path, "two.yaml", TIMELINE)])
    later = {"entities": [{"id": "wang-fang", "kind": "person", "name": "Wang Fang"}],
             "events": [{"type": "entity.aliased", "entity": "chen-bo", "aliases": ["Wang Fang"]}]}
    result = load(runner, fb.url, write(tmp_path, "later.yaml", later))
    assert result.stderr == (
        "warning: 'Wang Fang' (id wang-fang) and 'Wang Fang' (id chen-bo) share the look-up "
        "name 'wang fang'; they stay two people — declare entity.merged if they are one\n")


def test_a_new_person_named_like_another_but_for_a_zero_width_space_is_flagged(
        seeded: FactBase, runner: CliRunner, tmp_path: Path) -> None:
    body = {"entities": [{"id": "tony-wu-2", "kind": "person", "name": "Tony\u200bWu"}]}
    result = load(runner, seeded.url, write(tmp_path, "zw.yaml", body))
    assert result.stderr == (
        "warning: 'Tony Wu' (id tony-wu) and 'Tony[U+200B]Wu' (id tony-wu-2) share the look-up "
        "name 'tonywu'; they stay two people — declare entity.merged if they are one\n")
    assert who(runner, seeded.url, "TonyWu").stderr == (
        "Error: 'TonyWu' names more than one person or organization: tony-wu (Tony Wu), "
        "tony-wu-2 (Tony[U+200B]Wu); use an id\n")


def test_a_pair_declared_one_entity_is_not_a_collision(fb: FactBase, runner: CliRunner,
                                                       tmp_path: Path) -> None:
    body = json.loads(json.dumps(TIMELINE))
    body["events"].append({"type": "entity.merged", "entity": "li-wei-b", "into": "li-wei-a",
                           "why": "the same engineer", "sources": ["paper"]})
    result = load(runner, fb.url, write(tmp_path, "merged.yaml", body))
    assert result.stderr.splitlines() == WARNINGS[1:]


def test_pinyin_links_characters_and_romanised_names_both_ways(fb: FactBase,
                                                              tmp_path: Path) -> None:
    fb.load([write(tmp_path, "two.yaml", TIMELINE)])
    assert fb.resolve("陈波") == "chen-bo"  # recorded only as "Chen Bo"
    assert fb.resolve("Bo Chen") == "chen-bo"
    # 李薇 sounds like Li Wei: li-wei-a is written 李伟 (not her); li-wei-b's characters are
    # unknown, so she may be.
    assert fb.resolve("李薇") == "li-wei-b"


# --- views of the one fold (issue 10) -------------------------------------------------------


def _stays(runner: CliRunner, db: str, person: str, as_of: str) -> tuple[str, list[Any]]:
    doc = json.loads(ok(runner, db, person, "--as-of", as_of, "--format", "json"))
    [acme] = doc["organisations"]
    return acme["status"], [(s["joined"] or s["first_seen"], s["how"], s["left"],
                             s.get("reason"), s.get("disputed")) for s in acme["memberships"]]


def test_who_spells_are_the_stays_of_the_fold(fb: FactBase, runner: CliRunner) -> None:
    """dan resigned and came back the same day (two stays), fay joined and left the same day,
    bob the co-founder left and returned, eve's presence ended with her board seat, and cat's
    departure is disputed."""
    from tests.test_report import add_one_fold

    add_one_fold(fb)
    assert _stays(runner, fb.url, "dan", "2006-06-01") == ("present", [
        ("2001-03-01", "joined", "2003-03-03", "resigned", False),
        ("2003-03-03", "joined", None, None, None)])
    assert _stays(runner, fb.url, "fay", "2006-06-01") == ("departed", [
        ("2002-05-05", "joined", "2002-05-05", "parted_ways", False)])
    assert _stays(runner, fb.url, "bob", "2006-06-01") == ("present", [
        ("2000-01-01", "co-founder at the founding", "2002-01-01", "resigned", False),
        ("2004-01-01", "joined", None, None, None)])
    assert _stays(runner, fb.url, "eve", "2006-06-01") == ("not a member", [
        ("2001-06-01", None, "2004-06-30", "roles_ended", False)])
    assert _stays(runner, fb.url, "eve", "2004-06-29") == ("present", [
        ("2001-06-01", None, None, None, None)])
    assert _stays(runner, fb.url, "cat", "2006-06-01") == ("departed", [
        ("2000-02-01", "joined", "2006-01-01", None, True)])
    text = ok(runner, fb.url, "eve", "--as-of", "2006-06-01")
    assert "    left 2004-06-30; last role ended [1]\n" in text
    assert "    left 2002-01-01; resigned [1]\n    joined 2004-01-01 [1]\n" in \
        ok(runner, fb.url, "bob", "--as-of", "2006-06-01")


def test_who_lists_a_days_events_in_replays_order(fb: FactBase, runner: CliRunner) -> None:
    """dan's joining on 2003-03-03 was recorded before his departure that day; endings come
    first (replay.step_order), so he left Alpha and then came back in Beta."""
    from tests.test_report import add_one_fold

    add_one_fold(fb)
    doc = json.loads(ok(runner, fb.url, "dan", "--as-of", "2006-06-01", "--format", "json"))
    assert [(e["date"], e["type"]) for e in doc["events"]] == [
        ("2001-03-01", "person.joined"), ("2003-03-03", "person.left"),
        ("2003-03-03", "person.joined")]


def test_who_cites_a_reorganisations_changes_to_the_reorganisation(
        seeded: FactBase, runner: CliRunner) -> None:
    doc = json.loads(ok(runner, seeded.url, "guodong-zhang", "--as-of", "2026-03-01",
                        "--format", "json"))
    changes = [e for e in doc["events"] if e.get("reorganisation")]
    assert [(e["type"], e["date"], e["event"]) for e in changes] == [
        ("role.assigned", "2026-02-01/2026-02-11", "xai-reorg-2026-02")] * 2


def test_who_before_the_founding_lists_nothing_as_may_have_happened(
        seeded: FactBase, runner: CliRunner) -> None:
    """Haotian Liu joined on or before 2026-02-10; before xAI's founding that is not yet (as
    ``org`` says), not something that may have happened."""
    doc = json.loads(ok(runner, seeded.url, "haotian-liu", "--as-of", "2023-07-11",
                        "--format", "json"))
    [xai] = doc["organisations"]
    assert (xai["status"], xai["uncertain"], doc["events"]) == ("not a member", [], [])
    later = json.loads(ok(runner, seeded.url, "haotian-liu", "--as-of", "2023-07-12",
                          "--format", "json"))
    assert [i["type"] for i in later["organisations"][0]["uncertain"]] == ["person.joined"]
