"""Redaction (``factbase redact``): every output hides the person; the log and its chain stay.

The person is the seed's Jimmy Ba (``jimmy-ba``). The strings that must vanish are collected
from the seed itself — his names and aliases, his id, the ids that spell it, the free text of
the events about him (notes, his statement, his account of his departure), the source named
after his account — and each is first shown to appear in the unredacted outputs, so a check
can't pass by looking in the wrong place.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from factbase.api import FactBase
from factbase.cli import cli
from factbase.store.redact import HIDDEN, LABEL, Redaction, Redactor, placeholder_for
from tests.backends import select_rows
from tests.conftest import SEED

PERSON = "jimmy-ba"
REQUEST = """\
sources:
  - id: removal-request
    title: Removal request received by the desk
    published: "2026-03-01"
"""


def _secrets() -> list[str]:
    """Every name, alias, id and free text of the person in the seed (texts cut to their
    first 40 characters, as text outputs may wrap or cut the rest)."""
    seed = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    person = next(e for e in seed["entities"] if e["id"] == PERSON)
    out = [person["name"], *person["aliases"], person["note"], PERSON, "jimmyba"]
    for src in seed["sources"]:
        if "jimmyba" in src["id"]:
            out += [src["id"], src["url"], src["title"], src["publisher"], src["note"]]
    for ev in seed["events"]:
        if ev.get("person") != PERSON:
            continue
        out += [ev["id"], ev.get("note"), ev.get("summary"), ev.get("url")]
        # His own account (Musk's, in the same words, is about Tony Wu's departure too).
        out += [a["says"] for a in ev.get("accounts", []) if a["by"] == PERSON]
    texts = [" ".join(s.split()) for s in out if s]
    return sorted({t[:40] for t in texts})


SECRETS = _secrets()


def _run(runner: CliRunner, db: str, *args: str) -> Result:
    return runner.invoke(cli, ["--db", db, *args], catch_exceptions=False)


def _ok(runner: CliRunner, db: str, *args: str) -> str:
    result = _run(runner, db, *args)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


SQL_TABLES = ("entities", "entity_names", "sources", "memberships", "roles", "units", "metrics",
              "event_sources", "search_docs", "redacted_events", "timeline", "citations")


def _outputs(runner: CliRunner, db: str, placeholder: str | None,
             known_at: str | None = None) -> dict[str, str]:
    """Every output of the seed base, by a short name."""
    cut = ["--known-at", known_at] if known_at else []
    runs: dict[str, list[str]] = {}
    for fmt in ("text", "json", "mermaid", "dot"):
        runs[f"org {fmt}"] = ["org", "xai", "--as-of", "2026-03-01", "--format", fmt, *cut]
    runs["org before leaving"] = ["org", "xai", "--as-of", "2026-02-01", "--format", "json",
                                  *cut]
    for fmt in ("text", "json"):
        runs[f"timeline {fmt}"] = ["timeline", "--format", fmt, *cut]
        runs[f"timeline history {fmt}"] = ["timeline", "xai", "--history", "--format", fmt,
                                           *cut]
        runs[f"who musk {fmt}"] = ["who", "Elon Musk", "--as-of", "2026-03-01", "--format", fmt,
                                   *cut]
        if placeholder:
            runs[f"who placeholder {fmt}"] = ["who", placeholder, "--as-of", "2026-03-01",
                                              "--format", fmt, *cut]
    for fmt in ("text", "json", "md"):
        runs[f"diff {fmt}"] = ["diff", "xai", "2026-01-01", "2026-03-01", "--format", fmt, *cut]
    for fmt in ("md", "json", "html"):
        runs[f"report {fmt}"] = ["report", "xai", "--as-of", "2026-03-01", "--since",
                                 "2025-12-01", "--format", fmt, *cut]
    if not known_at:
        runs["export csv"] = ["export", "--format", "csv"]
        runs["export csv memberships"] = ["export", "--format", "csv", "--table", "memberships"]
        runs["export timelinejs"] = ["export", "--format", "timelinejs"]
        for query in ("xai", "post", "left", "ba", "co-founder", "gradient"):
            runs[f"search {query}"] = ["search", query, "--limit", "1000", "--format", "json",
                                       "--as-of", "2026-03-01"]
        for table in SQL_TABLES:
            runs[f"sql {table}"] = ["sql", f"SELECT * FROM {table}", "--format", "json"]
    return {name: _ok(runner, db, *args) for name, args in runs.items()}


def _leaks(outputs: dict[str, str]) -> list[tuple[str, str]]:
    found = []
    for name, text in outputs.items():
        folded = text.casefold()
        # JSON escapes nothing here (ensure_ascii=False); the sql json output may: decode it.
        found += [(name, s) for s in SECRETS if s.casefold() in folded]
    return found


def _last_seq_recorded_at(db: Path | str) -> str:
    ((at,),) = select_rows(db, "SELECT recorded_at FROM events ORDER BY seq DESC LIMIT 1")
    return datetime.fromisoformat(str(at)).isoformat().replace("+00:00", "Z")


@pytest.fixture
def base(seeded: FactBase, runner: CliRunner, tmp_path: Path) -> tuple[str, Path | str]:
    """The seed plus the source of the removal request (nothing redacted yet)."""
    request = tmp_path / "request.yaml"
    request.write_text(REQUEST, encoding="utf-8")
    db = seeded.url
    path: Path | str = Path(db.removeprefix("sqlite:///")) if db.startswith("sqlite") else db
    seeded.close()
    _ok(runner, db, "load", str(request))
    return db, path


def _redact(runner: CliRunner, db: str) -> tuple[str, str]:
    """Redact the person; returns (redaction event id, placeholder)."""
    out = _ok(runner, db, "redact", PERSON, "--why", "asked to be removed", "--source",
              "removal-request")
    event_id = out.rsplit("factbase retract ", 1)[1].rstrip("`\n")
    placeholder = placeholder_for(event_id)
    assert out == (f"redacted {PERSON}: outputs show {placeholder}; undo with "
                   f"`factbase retract {event_id}`\n")
    return event_id, placeholder


def _count(path: Path | str) -> int:
    ((n,),) = select_rows(path, "SELECT COUNT(*) FROM events")
    return int(str(n))


# --- every output hides the person --------------------------------------------------------


def test_every_output_hides_every_name_alias_id_and_text_of_the_person(
        base: tuple[str, Path | str], runner: CliRunner) -> None:
    db, path = base
    before = _outputs(runner, db, None)
    shown = {s for _, s in _leaks(before)}
    assert shown == set(SECRETS)  # each string is really there before the redaction
    known_before = _last_seq_recorded_at(path)

    _, placeholder = _redact(runner, db)
    after = _outputs(runner, db, placeholder)
    assert _leaks(after) == []
    # --known-at before the redaction shows the old log, still redacted.
    earlier = _outputs(runner, db, placeholder, known_at=known_before)
    assert _leaks(earlier) == []
    assert (len(after), len(earlier), len(SECRETS)) == (40, 19, 15)  # 59 x 15 = 885 checks


def test_the_shape_of_the_facts_stays(base: tuple[str, Path | str], runner: CliRunner) -> None:
    db, _ = base
    org_before = _ok(runner, db, "org", "xai", "--as-of", "2026-03-01")
    report_before = _ok(runner, db, "report", "xai", "--as-of", "2026-03-01", "--format", "json")
    _, placeholder = _redact(runner, db)
    org_after = _ok(runner, db, "org", "xai", "--as-of", "2026-03-01")
    assert "Co-founders: 12 in all — 6 present, 6 departed" in org_after
    assert "Departed (6)" in org_after and "People present (9)" in org_after
    assert (f"  {LABEL} (co-founder) — left 2026-02-10; reason DISPUTED: [11][3]\n"
            f"      per {LABEL} (resigned): {HIDDEN} [11]\n"
            f"      per Elon Musk (parted ways): {HIDDEN} [1]\n"
            f"      note: {HIDDEN}\n") in org_after
    assert len(org_after.splitlines()) == len(org_before.splitlines())
    doc = json.loads(_ok(runner, db, "org", "xai", "--as-of", "2026-03-01", "--format", "json"))
    left = [d for d in doc["departed"] if d["id"] == placeholder]
    assert [(d["name"], d["date"], d["disputed"], d["note"]) for d in left] == [
        (LABEL, "2026-02-10", True, HIDDEN)]
    assert [(a["by_name"], a["says"], a["reason"]) for a in left[0]["accounts"]] == [
        (LABEL, HIDDEN, "resigned"), ("Elon Musk", HIDDEN, "parted_ways")]
    report_after = json.loads(_ok(runner, db, "report", "xai", "--as-of", "2026-03-01",
                                  "--format", "json"))
    assert _counts(report_after) == _counts(json.loads(report_before))
    assert [(h["key"], h["value"], h["notes"]) for h in report_after["headline"]] == [
        (h["key"], h["value"], h["notes"]) for h in json.loads(report_before)["headline"]]
    timeline = _ok(runner, db, "timeline", "--from", "2026-02-10", "--to", "2026-02-10")
    assert f"{LABEL} left xAI (disputed: parted ways / resigned)" in timeline
    assert f"{LABEL} (post on X): {HIDDEN}" in timeline


def _counts(doc: dict[str, Any]) -> dict[str, int]:
    """How many items each section of a document holds."""
    return {k: len(v) for k, v in doc.items() if isinstance(v, list | dict)}


def test_names_in_other_events_text_are_replaced_not_the_text(
        base: tuple[str, Path | str], runner: CliRunner) -> None:
    db, _ = base
    _redact(runner, db)
    founded = json.loads(_ok(runner, db, "timeline", "--type", "org.founded", "--format",
                             "json"))
    event = founded["events"][0]
    # The founding only lists him: its note stays, with his name replaced.
    assert event["payload"]["note"].startswith("Musk announced the company on X")
    assert LABEL in event["summary"]


def test_verify_passes_and_an_earlier_anchor_still_matches(
        base: tuple[str, Path | str], runner: CliRunner) -> None:
    db, path = base
    anchor = _ok(runner, db, "verify", "--anchor").splitlines()[-1].removeprefix("anchor: ")
    n = _count(path)
    _redact(runner, db)
    assert _count(path) == n + 1
    lines = _ok(runner, db, "verify", "--check-anchor", anchor).splitlines()
    assert lines[1].endswith("matches")
    # While a redaction stands the quick check compares the names only, and says so.
    assert lines[0].startswith(f"ok: {n + 1} events, hash chain intact, entity names "
                               "consistent, other projections unchecked (head ")
    _ok(runner, db, "rebuild")
    assert _ok(runner, db, "verify", "--projections").startswith(
        f"ok: {n + 1} events, hash chain intact, projections match")


def test_the_log_rows_still_hold_the_original_text(base: tuple[str, Path | str],
                                                  runner: CliRunner) -> None:
    db, _ = base
    _redact(runner, db)
    rows = json.loads(_ok(runner, db, "sql", "SELECT payload FROM events WHERE event_id = "
                                             "'jimmy-ba-left'", "--format", "json"))
    assert json.loads(rows[0]["payload"])["person"] == PERSON


def test_who_and_search_find_nothing_by_a_redacted_name(base: tuple[str, Path | str],
                                                        runner: CliRunner) -> None:
    db, path = base
    _redact(runner, db)
    for name in ("Jimmy Ba", "jimmy lei ba", PERSON, "Jimmy"):
        result = _run(runner, db, "who", name)
        assert result.exit_code == 1
        assert result.output == f"Error: no person or organization named '{name}'\n"
    result = _run(runner, db, "timeline", "Jimmy Ba")
    assert result.output == "Error: no entity named 'Jimmy Ba'\n"
    for query in ("Jimmy Ba", "Lei Ba", "hundredfold"):
        hits = json.loads(_ok(runner, db, "search", query, "--format", "json"))
        assert hits["hits"] == []


def test_known_at_before_the_redaction_still_hides(base: tuple[str, Path | str],
                                                   runner: CliRunner) -> None:
    db, path = base
    cut = _last_seq_recorded_at(path)
    _, placeholder = _redact(runner, db)
    doc = json.loads(_ok(runner, db, "org", "xai", "--as-of", "2026-02-01", "--known-at", cut,
                         "--format", "json"))
    people = [p for p in doc["people"] if p["id"] == placeholder]
    assert [p["name"] for p in people] == [LABEL]


# --- undo -----------------------------------------------------------------------------------


def test_redact_list_shows_standing_redactions_without_the_person(
        base: tuple[str, Path | str], runner: CliRunner) -> None:
    db, path = base
    assert _ok(runner, db, "redact", "--list") == "(no redactions stand)\n"
    out = _ok(runner, db, "redact", PERSON, "--why", "Jimmy Ba asked to be removed",
              "--source", "removal-request")
    event_id = out.rsplit("factbase retract ", 1)[1].rstrip("`\n")
    n = _count(path)
    listed = _ok(runner, db, "redact", "--list")
    assert re.fullmatch(rf"{event_id}  {placeholder_for(event_id)}  recorded "
                        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC  why: "
                        + re.escape(f"{LABEL} asked to be removed") + "\n", listed)
    assert "jimmy" not in listed.lower()
    _ok(runner, db, "retract", event_id, "--why", "request withdrawn", "--source",
        "removal-request")
    assert _ok(runner, db, "redact", "--list") == "(no redactions stand)\n"
    result = _run(runner, db, "redact", "--list", PERSON)
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: --list takes no PERSON, --why or --source\n")
    result = _run(runner, db, "redact")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: Missing argument 'PERSON'.\n")
    assert _count(path) == n + 1  # the retraction only


def _unanchored(text: str) -> str:
    """``text`` without the recorded time and chain anchor a report cites (both move with
    every append)."""
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "<time>", text)
    return re.sub(r"\d+:[0-9a-f]{64}|\(event \d+\)", "<anchor>", text)


def test_retracting_the_redaction_shows_the_person_again(base: tuple[str, Path | str],
                                                         runner: CliRunner) -> None:
    db, path = base
    before = _outputs(runner, db, None)
    event_id, _ = _redact(runner, db)
    assert _ok(runner, db, "retract", event_id, "--why", "request withdrawn", "--source",
               "removal-request") == f"retracted {event_id}\n"
    again = _outputs(runner, db, None)
    assert {s for _, s in _leaks(again)} == set(SECRETS)
    for name in ("org text", "timeline json", "report md", "diff json", "who musk json"):
        assert _unanchored(again[name]) == _unanchored(before[name])
    assert _ok(runner, db, "verify").startswith("ok:")
    # Redacting again gives a new placeholder; the retracted one is not reused.
    _, second = _redact(runner, db)
    assert second != placeholder_for(event_id)
    assert _leaks(_outputs(runner, db, second)) == []


# --- export ---------------------------------------------------------------------------------


def test_export_of_the_log_is_refused_unless_asked_and_then_round_trips(
        base: tuple[str, Path | str], runner: CliRunner, tmp_path: Path) -> None:
    db, path = base
    _, placeholder = _redact(runner, db)
    for fmt in ("jsonl", "yaml"):
        result = _run(runner, db, "export", "--format", fmt)
        assert result.exit_code == 1
        assert result.output == (
            f"Error: the log holds 1 redacted person: a {fmt} export is the log as it is and "
            "would show what `redact` hides; pass --include-redacted to export it all the "
            "same, or use --format csv or timelinejs, which hide them\n")
    out = tmp_path / "all.jsonl"
    result = _run(runner, db, "export", "--include-redacted", "--out", str(out))
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: --include-redacted: this export holds the names")
    assert "Jimmy Ba" in out.read_text(encoding="utf-8")
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    _ok(runner, copy, "load", str(out))
    assert _ok(runner, copy, "verify").startswith(f"ok: {_count(path)} events")
    # The copy holds the redaction too, so its outputs hide the person as well.
    assert _leaks({"org": _ok(runner, copy, "org", "xai", "--as-of", "2026-03-01")}) == []
    assert placeholder in _ok(runner, copy, "org", "xai", "--as-of", "2026-03-01",
                              "--format", "json")


# --- bad input writes nothing ----------------------------------------------------------------


@pytest.mark.parametrize(("args", "code", "message"), [
    (["Nobody Here", "--why", "x", "--source", "removal-request"], 1,
     "Error: no entity named 'Nobody Here'\n"),
    (["xai", "--why", "x", "--source", "removal-request"], 1,
     "Error: 'xai' is an organization; only people can be redacted\n"),
    (["jimmy-ba", "--why", "x", "--source", "no-such-source"], 1, None),
    (["jimmy-ba", "--why", "", "--source", "removal-request"], 1, None),
    (["jimmy-ba", "--source", "removal-request"], 2, None),
    (["jimmy-ba", "--why", "x"], 2, None),
])
def test_bad_redactions_write_nothing(base: tuple[str, Path | str], runner: CliRunner,
                                      args: list[str], code: int, message: str | None) -> None:
    db, path = base
    n = _count(path)
    result = _run(runner, db, "redact", *args)
    assert result.exit_code == code
    if message is not None:
        assert result.output == message
    elif code == 2:
        assert "Missing option" in result.output
    else:
        assert result.output.startswith("Error: redact jimmy-ba: ")
    assert _count(path) == n


def test_redacting_twice_is_refused_by_id_name_or_placeholder(base: tuple[str, Path | str],
                                                              runner: CliRunner) -> None:
    db, path = base
    event_id, placeholder = _redact(runner, db)
    n = _count(path)
    for name in (PERSON, "Jimmy Ba", "JIMMY LEI BA", placeholder):
        result = _run(runner, db, "redact", name, "--why", "x", "--source", "removal-request")
        assert result.exit_code == 1
        assert result.output == (
            f"Error: '{name}' is already redacted (by event {event_id}; shown as "
            f"{placeholder}); nothing to do — `factbase retract {event_id}` undoes it\n")
    result = _run(runner, db, "correct", event_id, "--set", "why=other", "--why", "x",
                  "--source", "removal-request")
    assert result.exit_code == 1
    assert "is a redaction; a redaction is not corrected" in result.output
    assert _count(path) == n


def test_loading_a_redaction_of_a_person_already_redacted_is_refused(
        base: tuple[str, Path | str], runner: CliRunner, tmp_path: Path) -> None:
    # Two standing redactions would make retracting one no longer show the person.
    db, path = base
    event_id, placeholder = _redact(runner, db)
    again = tmp_path / "again.yaml"
    again.write_text("""\
events:
  - id: redact-again
    type: entity.redacted
    entity: jimmy-ba
    why: asked again
    sources: [removal-request]
  - id: redact-wu
    type: entity.redacted
    entity: tony-wu
    why: asked
    sources: [removal-request]
  - id: redact-wu-twice
    type: entity.redacted
    entity: tony-wu
    why: asked twice
    sources: [removal-request]
""", encoding="utf-8")
    n = _count(path)
    result = runner.invoke(cli, ["--db", db, "load", str(again)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {again} line 2: entity: 'jimmy-ba' is already redacted (by event {event_id}; "
        f"shown as {placeholder}); nothing to do — `factbase retract {event_id}` undoes it\n"
        f"{again} line 12: entity: 'tony-wu' is redacted twice in this load (first at "
        f"{again} line 7); keep one redaction\n")
    assert _count(path) == n


def test_the_stream_of_a_redacted_person_answers_by_its_placeholder_only(
        base: tuple[str, Path | str], runner: CliRunner) -> None:
    db, _ = base
    assert _ok(runner, db, "stream", PERSON) == f"{PERSON}: version 1\n"
    _, placeholder = _redact(runner, db)  # the redaction joins the person's stream
    assert _ok(runner, db, "stream", PERSON) == f"{PERSON}: version 0 (no events in the log)\n"
    assert _ok(runner, db, "stream", placeholder) == f"{placeholder}: version 2\n"
    assert _ok(runner, db, "stream", placeholder[:-1]) == (
        f"{placeholder[:-1]}: version 0 (no events in the log; did you mean {placeholder}?)\n")


def test_a_source_whose_title_alone_names_the_person_keeps_its_url_and_publisher(
        base: tuple[str, Path | str], runner: CliRunner) -> None:
    db, _ = base
    _ok(runner, db, "redact", "tony-wu", "--why", "asked to be removed", "--source",
        "removal-request")
    with FactBase.open(db) as fb:
        src = fb.sources(["businessinsider-africa-93ccnt9"])["businessinsider-africa-93ccnt9"]
        named = fb.sources(["hindustantimes-tony-wu-2026-02-10"])
    assert src.title == ("[Business Insider report: Elon Musk's xAI loses another cofounder "
                         "([redacted person])]")
    assert src.url == ("https://africa.businessinsider.com/news/"
                       "elon-musks-xai-loses-another-cofounder/93ccnt9")
    assert src.publisher == "Business Insider Africa (syndicating Business Insider)"
    assert named == {}  # its id spells the name: shown under an opaque id, as before
    out = _ok(runner, db, "timeline", "--from", "2026-02-10", "--to", "2026-02-10")
    assert ("[Business Insider report: Elon Musk's xAI loses another cofounder ([redacted "
            "person])] — Business Insider Africa") in out
    assert "Tony Wu" not in out


# --- the text rules -------------------------------------------------------------------------


def _redactor(*names: str) -> Redactor:
    return Redactor([Redaction("tony-wu", "redacted-00000000", "ev-1", names)])


@pytest.mark.parametrize(("text", "expected"), [
    ("Tony Wu resigned", f"{LABEL} resigned"),
    ("TONY  WU resigned", f"{LABEL} resigned"),
    ("吴宇怀离职", f"{LABEL}离职"),
    ("據報吳宇懷離職", f"據報{LABEL}離職"),
    ("Yuhuai (Tony) Wu and Wu Yuhuai", f"{LABEL} and {LABEL}"),
    ("tony-wu-left", LABEL + "-left"),
    ("Tony\u200bWu resigned", f"{LABEL} resigned"),  # a zero-width space between the words
    ("据报吴 宇 怀离职", f"据报{LABEL}离职"),  # spaces between Chinese characters
    ("Tony Wuhan", "Tony Wuhan"),
    ("Stony Wu", "Stony Wu"),
    ("", ""),
])
def test_names_are_found_folded_on_word_boundaries(text: str, expected: str) -> None:
    red = _redactor("Tony Wu", "吳宇懷", "吴宇怀", "Yuhuai Wu", "Wu Yuhuai", "Yuhuai (Tony) Wu")
    assert red.text(text) == expected


TONY_NAMES = ("Tony Wu", "吳宇懷", "吴宇怀", "Yuhuai Wu", "Wu Yuhuai", "Yuhuai (Tony) Wu")


@pytest.mark.parametrize(("text", "expected"), [
    ("Tony\u200b Wu resigned", f"{LABEL} resigned"),  # a zero-width space before the space
    ("T\u00adony Wu resigned", f"{LABEL} resigned"),  # a soft hyphen inside the name
    ("As Wu, Yuhuai put it", f"As {LABEL} put it"),  # surname first, with a comma
    ("Wu, Tony (Yuhuai)", f"{LABEL} ({LABEL})"),
    ("Yuhuai resigned", f"{LABEL} resigned"),  # his given name in pinyin, a whole word
    ("said Wu Yu-huai.", f"said {LABEL}."),  # a hyphenated given name
    ("TonyWu resigned", f"{LABEL} resigned"),  # run together
    ("tonywu, wutony", f"{LABEL}, {LABEL}"),
    ("据报Tony Wu离职", f"据报{LABEL}离职"),  # a Latin name inside Chinese text
    ("吴\u200b宇怀", LABEL),
    # Not his names: a surname or an English given name alone, a longer word, a list.
    ("Wu said", "Wu said"),
    ("Tony said", "Tony said"),
    ("Yuhuaiwen, Yuhuai_x, TonyWuhan", "Yuhuaiwen, Yuhuai_x, TonyWuhan"),
    ("Tony, Wu Yi and others", "Tony, Wu Yi and others"),
])
def test_every_spelling_of_a_name_is_hidden(text: str, expected: str) -> None:
    assert _redactor(*TONY_NAMES).text(text) == expected


def test_a_given_name_alone_is_hidden_only_in_pinyin_and_long_enough() -> None:
    # Greg Yang's given name in characters, 格, is "ge": too short to hide alone; a Western
    # given name (Jimmy) is never hidden alone.
    red = Redactor([Redaction("greg-yang", "redacted-00000001", "ev-1", ("Greg Yang", "楊格")),
                    Redaction("jimmy-ba", "redacted-00000002", "ev-2", ("Jimmy Ba",))])
    assert red.text("Ge and Jimmy met Greg Yang and 杨格") == \
        f"Ge and Jimmy met {LABEL} and {LABEL}"


def test_ids_that_spell_the_person_become_opaque_and_stable() -> None:
    red = _redactor("Tony Wu")
    assert red.ident("tony-wu") == "redacted-00000000"
    assert red.ident("tony-wu-left") == red.ident("tony-wu-left") != "tony-wu-left"
    assert red.ident("x-tonywu-123") != "x-tonywu-123"
    assert red.ident("xai-founded") == "xai-founded"
    assert Redactor().text("Tony Wu") == "Tony Wu"


def test_a_chinese_named_person_is_hidden_in_every_script(
        base: tuple[str, Path | str], runner: CliRunner) -> None:
    db, _ = base
    _ok(runner, db, "redact", "吳宇懷", "--why", "asked", "--source", "removal-request")
    texts: dict[str, Any] = {
        "org": _ok(runner, db, "org", "xai", "--as-of", "2026-03-01", "--format", "json"),
        "names": _ok(runner, db, "sql", "SELECT * FROM entity_names", "--format", "json"),
        "search": _ok(runner, db, "search", "xai", "--limit", "1000", "--format", "json"),
        "timeline": _ok(runner, db, "timeline"),
    }
    for name, text in texts.items():
        for secret in ("Tony Wu", "吳宇懷", "吴宇怀", "Yuhuai", "tony-wu"):
            assert secret not in text, (name, secret)


def _people() -> list[tuple[str, list[str]]]:
    seed = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    return [(e["id"], [e["name"], *e.get("aliases", [])]) for e in seed["entities"]
            if e["kind"] == "person"]


@pytest.mark.parametrize(("person", "names"), _people(), ids=[p for p, _ in _people()])
def test_any_person_of_the_seed_is_hidden_and_the_counts_stay(
        base: tuple[str, Path | str], runner: CliRunner, person: str, names: list[str]) -> None:
    db, _ = base
    org = ["org", "xai", "--as-of", "2026-03-01", "--format", "json"]
    before = json.loads(_ok(runner, db, *org))
    _ok(runner, db, "redact", person, "--why", "asked", "--source", "removal-request")
    texts = {"org": _ok(runner, db, *org), "timeline": _ok(runner, db, "timeline"),
             "names": _ok(runner, db, "sql", "SELECT name FROM entity_names"),
             "search": _ok(runner, db, "search", "xai", "--limit", "1000", "--format", "json")}
    for where, text in texts.items():
        for name in [*names, person]:
            assert name.casefold() not in text.casefold(), (where, name)
    after = json.loads(texts["org"])
    assert _counts(after) == _counts(before)
    for doc in (before, after):
        assert {k: len(v) if isinstance(v, list) else v for k, v in doc["cofounders"].items()
                } == {"total": 12, "present": 6, "departed": 6, "may_have_left": 0}


def test_an_alias_added_after_the_redaction_is_hidden_too(
        base: tuple[str, Path | str], runner: CliRunner, tmp_path: Path) -> None:
    db, path = base
    _ok(runner, db, "redact", "Elon Musk", "--why", "asked", "--source", "removal-request")
    org = ["org", "xai", "--as-of", "2026-03-01"]
    assert "Musk's post" in _ok(runner, db, *org)  # a surname alone is not one of his names
    alias = tmp_path / "alias.yaml"
    alias.write_text("events:\n  - type: entity.aliased\n    entity: elon-musk\n"
                     "    aliases: [Musk]\n", encoding="utf-8")
    _ok(runner, db, "load", str(alias))
    shown = _ok(runner, db, *org)
    assert "Musk" not in shown and f"{LABEL}'s post" in shown
    assert _ok(runner, db, "verify").startswith("ok:")


def test_other_events_hide_every_spelling_of_the_redacted_name(
        base: tuple[str, Path | str], runner: CliRunner, tmp_path: Path) -> None:
    db, _ = base
    spellings = ["Tony\u200b Wu", "T\u00adony Wu", "Wu, Yuhuai", "Yuhuai", "Wu Yu-huai",
                 "TonyWu"]
    said = tmp_path / "said.yaml"
    said.write_text(yaml.safe_dump({"events": [
        {"id": f"musk-said-{i}", "type": "statement.made", "date": "2026-02-20",
         "person": "elon-musk", "org": "xai", "channel": "post on X",
         "summary": f"Thanks to {name} for the years at xAI", "sources": ["removal-request"]}
        for i, name in enumerate(spellings)]}, allow_unicode=True), encoding="utf-8")
    _ok(runner, db, "load", str(said))
    _ok(runner, db, "redact", "Tony Wu", "--why", "asked", "--source", "removal-request")
    doc = json.loads(_ok(runner, db, "timeline", "--type", "statement.made", "--from",
                         "2026-02-20", "--format", "json"))
    assert [e["payload"]["summary"] for e in doc["events"]] == [
        f"Thanks to {LABEL} for the years at xAI"] * len(spellings)
