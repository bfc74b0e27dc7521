"""`factbase export`: the log round-trips through its own input format; CSV for spreadsheets is
formula-safe; memberships come from replay; TimelineJS JSON is escaped."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

from factbase.api import FactBase
from factbase.cli import cli
from factbase.core.dates import parse_date
from factbase.core.documents import figure_words, org_document
from factbase.core.fields import EVENT_TYPES
from factbase.core.names import shows_nothing
from factbase.io.loader import _Loader
from factbase.store import exports
from factbase.views import export, timelinejs
from tests.backends import PgServer, copy_database, empty_database, select_rows

HUXIU = ["huxiu-4835050"]

#: Added to the seed: nasty text, a registration under its own id, an alias, a duplicate
#: person merged into another, a correction (and a correction of it), a retraction, an added
#: account, an instant with an offset, an announced date, a sub-unit.
EXTRA: list[list[dict[str, Any]]] = [
    [
        {"type": "source.registered", "source": "evil-src", "url": "javascript:alert(1)",
         "title": "<script>alert('t')</script>", "publisher": "=HYPERLINK(\"http://x\")"},
        {"type": "source.registered", "id": "custom-reg-id", "source": "other-src",
         "url": "https://example.org/a?b=1&c=<2>", "title": "Other"},
        {"type": "entity.registered", "entity": "mallory", "kind": "person",
         "name": "=cmd|' /C calc'!A0", "aliases": ["@SUM(1)"],
         "note": "line one\nline two: \"quoted\" # not a comment\n- not a list"},
        {"type": "entity.registered", "entity": "tony-wu-dup", "kind": "person",
         "name": "Tony Wu (duplicate)"},
        {"type": "entity.aliased", "entity": "tony-wu", "aliases": ["Wu Yuhuai", "T. Wu"]},
        {"type": "person.joined", "id": "mallory-joined", "date": "2025-03~",
         "evidence": "unconfirmed", "sources": ["evil-src"], "person": "mallory", "org": "xai",
         "title": "<b>Chief</b> & \"Officer\"", "note": "<script>alert(1)</script>\r\nnull"},
        {"type": "statement.made", "date": "2026-02-10", "at": "2026-02-10T16:05:00-08:00",
         "announced": "2026-02", "sources": HUXIU, "person": "mallory", "org": "xai",
         "channel": "X", "summary": "-5 is a number\ttab"},
        {"type": "role.confirmed", "date": "2025-06", "sources": HUXIU, "person": "tony-wu-dup",
         "org": "xai"},
        {"type": "unit.created", "date": "2026-02-20", "sources": HUXIU, "org": "xai",
         "unit": "xai-coding-evals", "name": "Evals \"<team>\"", "parent": "xai-coding"},
    ],
    [
        {"type": "entity.merged", "entity": "tony-wu-dup", "into": "tony-wu",
         "why": "same person", "sources": HUXIU},
        {"type": "event.corrected", "id": "fix-kosic", "target": "kyle-kosic-left",
         "changes": {"date": "2024-05"}, "why": "LinkedIn says May",
         "sources": ["fortune-2024-06-28-kosic"]},
        {"type": "event.retracted", "target": "metric-x-installs",
         "why": "not in the recording", "sources": HUXIU},
    ],
    [
        {"type": "event.corrected", "target": "fix-kosic", "changes": {"date": "2024-06"},
         "why": "typo", "sources": HUXIU},
        {"type": "account.added", "target": "greg-yang-left",
         "account": {"by": "elon-musk", "says": "He was pushed out.", "source": "huxiu-4835050",
                     "reason": "dismissed", "evidence": "unconfirmed"}, "sources": HUXIU},
    ],
]

COLUMNS = ("event_id", "content_hash", "type", "stream", "date_text", "valid_from", "valid_to",
           "precision", "qualifier", "instant", "evidence", "payload", "sources",
           "schema_version")
AMEND = ("event.corrected", "event.retracted", "account.added")


@pytest.fixture(scope="module")
def amended_path(seeded_template: Path | str, tmp_path_factory: pytest.TempPathFactory,
                 pg: PgServer | None) -> str:
    """The seed plus :data:`EXTRA`, each list loaded on its own (so recorded at its own time):
    a SQLite path or a PostgreSQL URL."""
    path = copy_database(pg, seeded_template, tmp_path_factory.mktemp("amended"), "amended.db")
    with FactBase.open(str(path)) as fb:
        for batch in EXTRA:
            fb.add(batch)
    return path


@pytest.fixture
def amended(amended_path: str) -> Iterator[FactBase]:
    with FactBase.open(str(amended_path)) as fb:
        yield fb


def _text(fb: FactBase, fmt: str, **kw: Any) -> str:
    buf = io.StringIO(newline="")
    fb.export(fmt, buf, **kw)
    return buf.getvalue()


@pytest.fixture(scope="module")
def reloaded(amended_path: str, tmp_path_factory: pytest.TempPathFactory,
             pg: PgServer | None) -> dict[str, str]:
    """The amended log exported as jsonl and as yaml, each loaded into an empty database."""
    out: dict[str, str] = {}
    tmp = tmp_path_factory.mktemp("reloaded")
    with FactBase.open(str(amended_path)) as fb:
        for fmt in ("jsonl", "yaml"):
            file = tmp / f"export.{fmt}"
            file.write_text(_text(fb, fmt), encoding="utf-8")
            db = empty_database(pg, tmp, f"{fmt}.db")
            with FactBase.open(db, create=True) as fresh:
                result = fresh.load([str(file)])
                assert result.new == result.total == fb.count()
            out[fmt] = db
    return out


def _rows(path: str) -> list[tuple[Any, ...]]:
    return select_rows(path, f"SELECT {', '.join(COLUMNS)} FROM events ORDER BY seq")


# --- round trip -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "yaml"])
def test_export_loads_back_to_the_same_events_ids_and_hashes(
        amended_path: str, reloaded: dict[str, str], fmt: str) -> None:
    before, after = _rows(amended_path), _rows(reloaded[fmt])
    assert sorted(after) == sorted(before)
    assert len(before) == 79 + sum(len(b) for b in EXTRA)
    # Log order is kept, but: a load appends amendments after the other events of its batch
    # (an amendment of an amendment after the one it amends), and YAML puts the sources and
    # entities first.
    registrations = ("source.registered", "entity.registered")
    others = [t for t in EVENT_TYPES if t not in registrations]
    for kinds in ([registrations[0]], [registrations[1]], others):
        assert [r[0] for r in after if r[2] in kinds and r[2] not in AMEND] == \
            [r[0] for r in before if r[2] in kinds and r[2] not in AMEND]
    if fmt == "jsonl":
        assert [r[0] for r in after if r[2] not in AMEND] == [r[0] for r in before
                                                              if r[2] not in AMEND]
    with FactBase.open(str(reloaded[fmt])) as fb:
        assert fb.verify(projections=True).ok


@pytest.mark.parametrize("fmt", ["jsonl", "yaml"])
def test_loading_the_export_into_its_own_database_adds_nothing(
        amended: FactBase, tmp_path: Path, fmt: str) -> None:
    file = tmp_path / f"x.{fmt}"
    file.write_text(_text(amended, fmt), encoding="utf-8")
    total = amended.count()
    result = amended.load([str(file)])
    assert (result.new, result.present, result.total) == (0, total, total)


def _doc(fb: FactBase, day: date) -> dict[str, Any]:
    doc = org_document(fb.org("xai", as_of=day), fb.names(), fb.sources())
    for w in doc["withdrawn"]:  # a reloaded log records its amendments anew
        w.pop("recorded_at")
    return doc


@pytest.fixture(scope="module")
def bases(amended_path: str, reloaded: dict[str, str]) -> Iterator[list[FactBase]]:
    """The amended database and its two reloaded copies, open."""
    opened = [FactBase.open(str(p)) for p in (amended_path, *reloaded.values())]
    yield opened
    for fb in opened:
        fb.close()


@given(day=st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 12, 31)))
@example(day=date(2024, 5, 15))  # the correction, and its correction, of a departure date
@example(day=date(2024, 6, 15))
@example(day=date(2024, 6, 30))
@example(day=date(2025, 6, 30))  # a confirmation under the merged duplicate id
@example(day=date(2026, 2, 20))  # the added account, the retraction, the sub-unit
def test_the_reloaded_log_gives_the_same_org_on_every_date(bases: list[FactBase],
                                                           day: date) -> None:
    original, *copies = bases
    want = _doc(original, day)
    for copy in copies:
        assert _doc(copy, day) == want


def test_the_amendments_show_on_the_dates_checked(amended: FactBase) -> None:
    # What the examples above would miss if an amendment were lost in the round trip.
    def org(day: str) -> Any:
        return amended.org("xai", as_of=date.fromisoformat(day))

    assert "kyle-kosic" in org("2024-05-15").members  # left 2024-04, corrected to 2024-06
    assert "kyle-kosic" in [u.payload.get("person") for u in org("2024-06-15").uncertain]
    assert "kyle-kosic" not in org("2024-06-30").members
    june = org("2025-06-30")
    last = june.members["tony-wu"].last_confirmed
    assert last is not None and last.text == "2025-06"  # seen under the duplicate's id
    assert "tony-wu-dup" not in june.members
    feb = org("2026-02-20")
    assert ("x", "installs") not in feb.metrics  # retracted
    assert feb.departed["greg-yang"].disputed  # an account added later disagrees
    assert feb.units["xai-coding-evals"].parent == "xai-coding"


def test_jsonl_records_carry_ids_and_every_envelope_field(amended: FactBase) -> None:
    lines = [json.loads(line) for line in _text(amended, "jsonl").splitlines()]
    assert lines[0] == {
        "type": "source", "id": "huxiu-4835050", **{k: v for k, v in lines[0].items()
                                                    if k not in ("type", "id")}}
    assert [r["type"] for r in lines[:15]] == ["source"] * 14 + ["entity"]
    by_id = {r["id"]: r for r in lines}
    assert by_id["jimmy-ba-left"]["at"] == "2026-02-11T00:05:00Z"
    statement = next(r for r in lines if r.get("person") == "mallory"
                     and r["type"] == "statement.made")
    assert statement == {
        "type": "statement.made", "id": statement["id"], "date": "2026-02-10",
        "at": "2026-02-11T00:05:00Z", "announced": "2026-02", "sources": ["huxiu-4835050"],
        "person": "mallory", "channel": "X", "summary": "-5 is a number\ttab", "org": "xai"}
    assert statement["id"].startswith("ev-")
    assert by_id["custom-reg-id"] == {"type": "source.registered", "id": "custom-reg-id",
                                      "source": "other-src", "url": "https://example.org/a?b=1&c=<2>",
                                      "title": "Other"}
    assert by_id["mallory"] == {
        "type": "entity", "id": "mallory",
        "note": "line one\nline two: \"quoted\" # not a comment\n- not a list",
        "kind": "person", "name": "=cmd|' /C calc'!A0", "aliases": ["@SUM(1)"]}
    assert by_id["mallory-joined"] == {
        "type": "person.joined", "id": "mallory-joined", "date": "2025-03~",
        "evidence": "unconfirmed", "sources": ["evil-src"],
        "note": "<script>alert(1)</script>\r\nnull", "person": "mallory", "org": "xai",
        "title": "<b>Chief</b> & \"Officer\""}
    assert by_id["fix-kosic"] == {
        "type": "event.corrected", "id": "fix-kosic",
        "sources": ["fortune-2024-06-28-kosic"], "target": "kyle-kosic-left",
        "changes": {"date": "2024-05"}, "why": "LinkedIn says May"}
    types = [r["type"] for r in lines]
    for t in ("entity.aliased", "entity.merged", "event.corrected", "event.retracted",
              "account.added"):
        assert t in types
    # Log order: the merge comes after the alias, the correction of the correction last but one.
    assert types.index("entity.aliased") < types.index("entity.merged")
    assert types[-2:] == ["event.corrected", "account.added"]


def test_yaml_has_the_three_sections_each_in_log_order(amended: FactBase) -> None:
    text = _text(amended, "yaml")
    assert text.startswith("# factbase export: the log up to event 93; load it with "
                           "`factbase load FILE`\nsources:\n- id: huxiu-4835050\n")
    doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - the loader's own safe loader
    assert list(doc) == ["sources", "entities", "events"]
    assert [s["id"] for s in doc["sources"]][-1] == "evil-src"
    assert "type" not in doc["sources"][0] and "type" not in doc["entities"][0]
    assert doc["entities"][-1]["id"] == "tony-wu-dup"
    # A registration under an id of its own stays an event, where it was in the log: after
    # the seed's 42 events.
    ids = [e["id"] for e in doc["events"]]
    assert ids[0] == "xai-founded"
    assert ids[41:43] == ["zihang-dai-confirmed-2026-02", "custom-reg-id"]
    assert doc["events"][42]["type"] == "source.registered"


def test_known_at_exports_the_log_as_it_stood(amended: FactBase, seeded: FactBase) -> None:
    seed_end = max(e.recorded_at for e in seeded.timeline())
    lines = _text(amended, "jsonl", known_at=seed_end).splitlines()
    assert len(lines) == 79
    assert _text(amended, "jsonl", known_at=seed_end) == _text(seeded, "jsonl")


def test_an_empty_log_exports_as_an_empty_file(fb: FactBase) -> None:
    assert _text(fb, "jsonl") == ""
    assert _text(fb, "yaml") == "# factbase export: the log up to event 0; load it with " \
                                "`factbase load FILE`\nevents: []\n"


@given(note=st.text(min_size=1, max_size=300).filter(lambda s: "\x00" not in s),
       name=st.text(min_size=1, max_size=80).filter(lambda s: not shows_nothing(s)))
def test_any_text_round_trips_through_both_formats(note: str, name: str) -> None:
    from factbase.core.fields import validate_record

    records = [
        {"type": "entity.registered", "entity": "p", "kind": "person", "name": name,
         "note": note},
        {"type": "statement.made", "date": "2026-02-10", "sources": ["s"], "person": "p",
         "channel": "X", "summary": name, "note": note},
    ]
    for record in records:
        draft = validate_record(record)
        row = {"event_id": draft.event_id, "type": draft.type, "payload": json.dumps(
            draft.payload), "date_text": draft.date.text if draft.date else None,
            "instant": None, "evidence": None, "sources": json.dumps(list(draft.sources))}
        rec = export.input_record(row)
        from factbase.io.records import normalise

        via_json = normalise("events", json.loads(json.dumps(rec, ensure_ascii=False)))
        via_yaml = normalise("events", yaml.load(export._yaml_item(rec),  # noqa: S506
                                                 Loader=_Loader)[0])
        for back in (via_json, via_yaml):
            again = validate_record(back)
            assert (again.event_id, again.content_hash) == (draft.event_id, draft.content_hash)


def test_export_streams_in_batches(amended: FactBase, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = {fmt: _text(amended, fmt) for fmt in ("jsonl", "yaml", "csv")}
    monkeypatch.setattr(exports, "YIELD_PER", 7)
    for fmt, text in whole.items():
        assert _text(amended, fmt) == text


# --- CSV of events --------------------------------------------------------------------------


def _csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_events_csv_has_one_row_per_event(amended: FactBase) -> None:
    text = _text(amended, "csv")
    rows = _csv(text)
    assert rows[0] == ["seq", "id", "type", "stream", "date", "valid_from", "valid_to",
                       "precision", "evidence", "summary", "sources", "recorded_at"]
    assert len(rows) == 1 + amended.count()
    by_id = {r[1]: r for r in rows[1:]}
    ba = by_id["jimmy-ba-left"]
    assert ba[:9] == ["49", "jimmy-ba-left", "person.left", "xai", "2026-02-10", "2026-02-10",
                      "2026-02-10", "day", "confirmed"]
    assert ba[9] == "Jimmy Ba left xAI (disputed: parted ways / resigned)"
    assert ba[10] == "x-jimmybajimmyba-2021374875793801447; huxiu-4835050"
    assert ba[11].endswith("Z")
    assert by_id["manuel-kroiss-leads-coding"][4:8] == ["2026-02-01/2026-02-11", "2026-02-01",
                                                        "2026-02-11", "range"]
    assert by_id["fix-kosic"][9] == 'correction of kyle-kosic-left: date="2024-05" — ' \
                                    "LinkedIn says May"
    # seq is a number in the file (bare), never guarded.
    assert "\r\n49,jimmy-ba-left,person.left," in text


def test_events_csv_guards_text_cells_against_formulas(amended: FactBase) -> None:
    rows = _csv(_text(amended, "csv"))
    summaries = {r[1]: r[9] for r in rows[1:]}
    statement = next(r for r in rows[1:] if r[2] == "statement.made" and "mallory" not in r[1]
                     and r[9].startswith("'"))
    assert statement[9] == "'=cmd|' /C calc'!A0 (X): -5 is a number\ttab"
    assert summaries["mallory-joined"] == \
        "'=cmd|' /C calc'!A0 joined xAI as <b>Chief</b> & \"Officer\""
    assert summaries["source.evil-src"] == \
        "source <script>alert('t')</script> — =HYPERLINK(\"http://x\")"
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    memberships = _csv(_text(amended, "csv", table="memberships"))
    assert ["mallory", "'=cmd|' /C calc'!A0", "xai", "", "", "member", "2025-03~", "", ""] \
        in memberships


# --- CSV of memberships ---------------------------------------------------------------------


def test_memberships_csv_on_the_seed(seeded: FactBase) -> None:
    rows = _csv(_text(seeded, "csv", table="memberships"))
    assert rows[0] == ["person", "person_name", "org", "unit", "unit_name", "role", "from",
                       "to", "reason"]
    assert len(rows) == 36
    assert ["tony-wu", "Tony Wu", "xai", "", "", "member", "2023-07-12", "2026-02-09",
            "disputed: parted ways / resigned"] in rows
    assert ["tony-wu", "Tony Wu", "xai", "", "", "cofounder", "2023-07-12", "2026-02-09",
            "disputed: parted ways / resigned"] in rows
    assert ["kyle-kosic", "Kyle Kosic", "xai", "", "", "member", "2023-07-12", "2024-04",
            "other"] in rows
    assert ["elon-musk", "Elon Musk", "xai", "", "", "cofounder", "2023-07-12", "", ""] in rows
    tail = [r for r in rows if r[6] == "2026-02-01/2026-02-11"]
    assert [(r[0], r[3], r[5]) for r in tail] == [
        ("guodong-zhang", "xai-imagine", "lead"), ("guodong-zhang", "xai-coding", "core_member"),
        ("haotian-liu", "xai-imagine", "core_member"),
        ("lianmin-zheng", "xai-ml-data-infra", "core_member"),
        ("manuel-kroiss", "xai-coding", "lead"), ("toby-pohlen", "xai-macrohard", "lead"),
        ("yunlong-liu", "xai-ml-data-infra", "core_member")]


ACME: list[dict[str, Any]] = [
    {"type": "source.registered", "source": "s1"},
    {"type": "entity.registered", "entity": "acme", "kind": "organization", "name": "Acme"},
    *[{"type": "entity.registered", "entity": p, "kind": "person", "name": p.title()}
      for p in ("ann", "bob", "cat", "dan")],
    {"type": "org.founded", "date": "2020-01-01", "org": "acme", "founders": ["ann"]},
    {"type": "unit.created", "date": "2020-02-01", "org": "acme", "unit": "u-a",
     "name": "Alpha"},
    {"type": "unit.created", "date": "2020-02-01", "org": "acme", "unit": "u-b", "name": "Beta"},
    {"type": "person.joined", "date": "2020-03", "person": "bob", "org": "acme", "unit": "u-a"},
    {"type": "person.joined", "date": "2020-03-01", "person": "dan", "org": "acme"},
    {"type": "role.assigned", "date": "2020-04-01", "person": "bob", "org": "acme",
     "unit": "u-a", "role": "lead"},
    {"type": "role.assigned", "date": "2020-05-01", "person": "cat", "org": "acme",
     "unit": "u-a", "role": "core_member"},
    {"type": "role.confirmed", "date": "2020-09-01", "person": "dan", "org": "acme",
     "unit": "u-b"},
    {"type": "role.ended", "date": "2021-01-15", "person": "bob", "org": "acme", "unit": "u-a",
     "role": "lead"},
    {"type": "unit.merged", "date": "2021-06-01", "org": "acme", "unit": "u-a", "into": "u-b"},
    {"type": "person.left", "date": "2022-02-01", "person": "bob", "org": "acme",
     "reason": "laid_off"},
]


def test_memberships_follow_roles_moves_merges_and_departures(fb: FactBase) -> None:
    fb.add([{**r, "sources": ["s1"]} if "date" in r else r for r in ACME])
    rows = list(fb.memberships())
    got = [(r["person"], r["unit"], r["role"], r["from"], r["to"], r["reason"]) for r in rows]
    assert got == [
        ("ann", None, "member", "2020-01-01", None, None),
        ("ann", None, "cofounder", "2020-01-01", None, None),
        ("dan", None, "member", "2020-03-01", "2020-09-01", "moved to Beta"),
        ("bob", "u-a", "member", "2020-03", "2021-06-01", "unit merged into Beta"),
        ("bob", "u-a", "lead", "2020-04-01", "2021-01-15", "role ended"),
        ("cat", None, "member", "2020-05-01", None, None),
        ("cat", "u-a", "core_member", "2020-05-01", "2021-06-01", "unit merged into Beta"),
        ("dan", "u-b", "member", "2020-09-01", None, None),
        ("bob", "u-b", "member", "2021-06-01", "2022-02-01", "laid off"),
        ("cat", "u-b", "core_member", "2021-06-01", None, None),
    ]
    assert rows[0] == {"person": "ann", "person_name": "Ann", "org": "acme", "unit": None,
                       "unit_name": None, "role": "member", "from": "2020-01-01", "to": None,
                       "reason": None}


def test_memberships_agree_with_replay_on_every_date(seeded: FactBase) -> None:
    rows = list(seeded.memberships())
    for day in [date(2023, 7, 11), date(2023, 7, 12), date(2024, 4, 30), date(2025, 8, 13),
                date(2026, 2, 9), date(2026, 2, 10), date(2026, 2, 11), date(2026, 3, 1)]:
        state = seeded.org("xai", as_of=day)
        open_then = {r["person"] for r in rows if r["role"] == "member"
                     and parse_date(r["from"]).end <= day
                     and (r["to"] is None or parse_date(r["to"]).end > day)}
        assert open_then == set(state.members), day


# --- TimelineJS -----------------------------------------------------------------------------


def test_timelinejs_has_one_slide_per_dated_event_with_dates_in_words(
        seeded: FactBase) -> None:
    doc = json.loads(_text(seeded, "timelinejs"))
    anchor = seeded.anchor()
    assert anchor.seq == seeded.count()
    assert doc["title"]["text"]["headline"] == "A timeline"
    assert doc["title"]["text"]["text"] == (
        f"<p>{len(doc['events'])} events, as the log stood at "
        f"{timelinejs.recorded_words(anchor)}.</p>")
    assert "eras" not in doc  # no organisation chosen
    slides = {s["unique_id"]: s for s in doc["events"]}
    assert len(slides) == len(doc["events"]) == len(seeded.timeline())
    assert slides["xai-founded"]["start_date"] == {"year": 2023, "month": 7, "day": 12}
    assert slides["xai-founded"]["display_date"] == "12 July 2023"
    assert "end_date" not in slides["xai-founded"]
    assert slides["kyle-kosic-left"]["start_date"] == {"year": 2024, "month": 4}
    assert slides["kyle-kosic-left"]["display_date"] == "April 2024"
    assert slides["manuel-kroiss-leads-coding"]["start_date"] == \
        {"year": 2026, "month": 2, "day": 1}
    assert slides["manuel-kroiss-leads-coding"]["end_date"] == \
        {"year": 2026, "month": 2, "day": 11}
    assert slides["manuel-kroiss-leads-coding"]["display_date"] == \
        "between 1 and 11 February 2026"
    assert slides["haotian-liu-at-xai"]["start_date"] == {"year": 2026, "month": 2, "day": 10}
    assert "end_date" not in slides["haotian-liu-at-xai"]
    assert slides["haotian-liu-at-xai"]["display_date"] == "on or before 10 February 2026"
    assert slides["xai-founded"]["group"] == "xAI"
    assert slides["xai-founded"]["autolink"] is False
    assert slides["xai-founded"]["text"]["headline"] == "xAI founded by 12 co-founders"
    assert slides["metric-x-arr"]["text"]["headline"] == \
        "X: annual recurring revenue, US$1 billion"
    ba = slides["jimmy-ba-left"]["text"]
    assert ba["headline"] == "Jimmy Ba left xAI (reason disputed)"
    assert ba["text"].startswith(
        "<p>Jimmy Ba left xAI (disputed: parted ways / resigned)</p>"
        "<p>The accounts differ:</p><p>Per ")
    assert "<p>Per Elon Musk (parted ways): xAI had been reorganised" in ba["text"]
    assert "<p>Sources:</p><ol><li><a href=" in ba["text"]
    text = json.dumps([s["text"] for s in doc["events"]], ensure_ascii=False) + \
        json.dumps(doc["title"], ensure_ascii=False)
    for internal in ("jimmy-ba-left", "src-", "_", "../", "/.."):
        assert internal not in text, internal  # no ids, keys or EDTF for readers
    assert all(len(s["text"]["headline"]) <= timelinejs.HEADLINE_MAX for s in doc["events"])


def test_timelinejs_filters_by_org_person_and_dates_and_says_so(seeded: FactBase) -> None:
    doc = json.loads(_text(seeded, "timelinejs", org="xAI"))
    assert doc["title"]["text"]["headline"] == "xAI: a timeline"
    assert [e["text"]["headline"] for e in doc["eras"]] == [
        "xAI from its founding", "after the reorganisation of 10 February 2026"]
    assert doc["eras"][0]["start_date"] == {"year": 2023, "month": 7, "day": 12}
    assert doc["eras"][0]["end_date"] == doc["eras"][1]["start_date"] == \
        {"year": 2026, "month": 2, "day": 10}
    ba = json.loads(_text(seeded, "timelinejs", org="xai", person="Jimmy Ba"))
    assert ba["title"]["text"]["headline"] == "Jimmy Ba at xAI"
    assert ba["title"]["text"]["text"].startswith(
        f"<p>{len(ba['events'])} events of xAI naming Jimmy Ba, as the log stood at ")
    assert {e["unique_id"] for e in ba["events"]} == {
        e.event_id for e in seeded.timeline("jimmy-ba") if e.stream == "xai"}
    assert "jimmy-ba-left" in {e["unique_id"] for e in ba["events"]}
    feb = json.loads(_text(seeded, "timelinejs", start=date(2026, 2, 11),
                           end=date(2026, 2, 28)))
    assert feb["title"]["text"]["text"].startswith(
        f"<p>{len(feb['events'])} events from 11 February 2026 to 28 February 2026, ")
    assert {e["unique_id"] for e in feb["events"]} == {
        e.event_id for e in seeded.timeline(start=date(2026, 2, 11), end=date(2026, 2, 28))}


def test_timelinejs_headlines_are_short_for_any_summary() -> None:
    long = "word " * 60
    assert timelinejs.shorten(long) == ("word " * 17).rstrip() + "…"
    assert len(timelinejs.shorten(long)) <= timelinejs.HEADLINE_MAX
    assert timelinejs.shorten("short") == "short"
    assert timelinejs.shorten("x" * 200) == "x" * 89 + "…"


def test_figures_read_with_names_and_units_said_once() -> None:
    names = {"x": "X"}
    assert figure_words({"subject": "x", "metric": "videos_generated", "value": 5e7,
                         "unit": "videos_per_day", "period": "per day",
                         "qualifier": "close_to"}, names) == \
        "X: videos generated, close to 50 million videos per day"
    assert figure_words({"subject": "x", "metric": "monthly_active_users", "value": 6e8,
                         "unit": "users", "period": "monthly"}, names) == \
        "X: monthly active users, 600 million"
    assert figure_words({"subject": "x", "metric": "cluster", "value": 100000,
                         "unit": "GPU"}, names) == "X: cluster, 100,000 GPUs"
    assert figure_words({"subject": "x", "metric": "revenue", "value": 2.5e9,
                         "unit": "EUR"}, names) == "X: revenue, €2.5 billion"


def test_timelinejs_escapes_html_and_links_only_http(amended: FactBase) -> None:
    doc = json.loads(_text(amended, "timelinejs"))
    slides = {s["unique_id"]: s for s in doc["events"]}
    joined = slides["mallory-joined"]
    assert joined["start_date"] == {"year": 2025, "month": 3}  # the nominal month of 2025-03~
    assert joined["display_date"] == "about March 2025"
    assert joined["text"] == {
        "headline": "=cmd|&#x27; /C calc&#x27;!A0 joined xAI as &lt;b&gt;Chief&lt;/b&gt; &amp; "
                    "&quot;Officer&quot;",
        "text": "<p>&lt;script&gt;alert(1)&lt;/script&gt;<br>null</p>"
                "<p>Evidence: unconfirmed.</p>"
                "<p>Sources:</p><ol><li>&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt; "
                "(javascript:alert(1)) — =HYPERLINK(&quot;http://x&quot;)</li></ol>"}
    text = json.dumps(doc)
    assert "<script" not in text and "<b>" not in text
    assert 'href=\\"javascript' not in text
    assert "kyle-kosic-left" in slides and slides["kyle-kosic-left"]["start_date"] == \
        {"year": 2024, "month": 6}  # as corrected twice
    assert "metric-x-installs" not in slides  # retracted


def test_timelinejs_date_forms() -> None:
    d = timelinejs.timelinejs_dates
    assert d(parse_date("2026")) == {"start_date": {"year": 2026}, "display_date": "2026"}
    assert d(parse_date("2026-02~")) == {"start_date": {"year": 2026, "month": 2},
                                         "display_date": "about February 2026"}
    assert d(parse_date("2026-02-10?")) == {
        "start_date": {"year": 2026, "month": 2, "day": 10},
        "display_date": "perhaps 10 February 2026"}
    assert d(parse_date("2026-02-10/..")) == {"start_date": {"year": 2026, "month": 2,
                                                             "day": 10},
                                              "display_date": "on or after 10 February 2026"}
    assert d(parse_date("2026-02/2026-03")) == {
        "start_date": {"year": 2026, "month": 2, "day": 1},
        "end_date": {"year": 2026, "month": 3, "day": 31},
        "display_date": "between February and March 2026"}


def test_cli_export_timelinejs_filters_apply_to_timelinejs_only(
        amended_path: str, amended: FactBase, runner: CliRunner) -> None:
    db = ["--db", str(amended_path)]
    r = runner.invoke(cli, [*db, "export", "--format", "timelinejs", "--org", "xai",
                            "--from", "2026-02", "--to", "2026-02"], catch_exceptions=False)
    assert r.exit_code == 0
    assert r.stdout == _text(amended, "timelinejs", org="xai", start=date(2026, 2, 1),
                             end=date(2026, 2, 28))
    r = runner.invoke(cli, [*db, "export", "--format", "csv", "--person", "jimmy-ba"])
    assert r.exit_code == 2
    assert "Error: --person applies to --format timelinejs only" in r.output
    r = runner.invoke(cli, [*db, "export", "--format", "timelinejs", "--org", "nobody-inc"])
    assert r.exit_code == 1
    assert r.output.startswith("Error: ")


# --- the command --------------------------------------------------------------------------


def test_cli_export_to_stdout_and_to_a_file(amended_path: str, amended: FactBase,
                                            runner: CliRunner, tmp_path: Path) -> None:
    db = ["--db", str(amended_path)]
    result = runner.invoke(cli, [*db, "export"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == _text(amended, "jsonl")
    out = tmp_path / "x.csv"
    result = runner.invoke(cli, [*db, "export", "--format", "csv", "--table", "memberships",
                                 "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"{out}: 36 rows written\n"
    assert out.read_bytes().decode("utf-8") == _text(amended, "csv", table="memberships")
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]  # no temporary file left


def test_cli_export_refuses_table_without_csv(amended_path: str, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--db", str(amended_path), "export", "--format", "yaml",
                                 "--table", "memberships"])
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: --table applies to --format csv only\n")


def test_cli_export_into_a_missing_folder_is_one_error(amended_path: str, runner: CliRunner,
                                                       tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--db", str(amended_path), "export", "--out",
                                 str(tmp_path / "nope" / "x.jsonl")])
    assert result.exit_code == 1
    assert result.output == f"Error: cannot write {tmp_path / 'nope' / 'x.jsonl'}: folder " \
                            f"{tmp_path / 'nope'} does not exist\n"


def test_a_failed_export_leaves_the_old_file_alone(amended_path: str, runner: CliRunner,
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "backup.jsonl"
    out.write_text("old\n", encoding="utf-8")

    def boom(fb: FactBase, stream: Any, known_at: Any = None) -> int:
        stream.write("half a line")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(export, "write_jsonl", boom)
    result = runner.invoke(cli, ["--db", str(amended_path), "export", "--out", str(out)])
    assert isinstance(result.exception, RuntimeError)
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["backup.jsonl"]


# --- memberships: views of the one fold (issue 10) ------------------------------------------


def test_memberships_are_the_spans_of_the_fold(fb: FactBase) -> None:
    """One row per membership span and per role span, each closed for its own reason: dan
    resigned and came back in Beta the same day (the CSV said "moved to Beta" where the
    projection says resigned), fay joined and left the same day (no row at all), ann's title
    changed with role.ended + role.assigned on one day (one executive row, never closed)."""
    from tests.test_report import add_one_fold

    add_one_fold(fb)
    got = [(r["person"], r["unit"], r["role"], r["from"], r["to"], r["reason"])
           for r in fb.memberships()]
    assert got == [
        ("ann", None, "member", "2000-01-01", None, None),
        ("ann", None, "cofounder", "2000-01-01", None, None),
        ("bob", None, "member", "2000-01-01", "2002-01-01", "resigned"),
        ("bob", None, "cofounder", "2000-01-01", "2002-01-01", "resigned"),
        ("cat", "u-a", "member", "2000-02-01", "2006-01-01", "disputed: dismissed / resigned"),
        ("ann", None, "executive", "2001-01-01", "2005-06-01", "role ended"),
        ("dan", "u-a", "member", "2001-03-01", "2003-03-03", "resigned"),
        ("eve", None, "member", "2001-06-01", "2004-06-30", "last role ended"),
        ("eve", None, "board_member", "2001-06-01", "2004-06-30", "role ended"),
        ("fay", "u-b", "member", "2002-05-05", "2002-05-05", "parted ways"),
        ("dan", "u-b", "member", "2003-03-03", None, None),
        ("bob", None, "member", "2004-01-01", None, None),
        ("bob", None, "cofounder", "2004-01-01", None, None),
        ("ann", None, "executive", "2005-06-01", None, None),
    ]


def test_a_same_day_move_and_resignation_closes_with_the_resignation(fb: FactBase) -> None:
    from tests.test_report import add_one_fold

    add_one_fold(fb)
    rows = [r for r in fb.memberships() if r["person"] == "dan"]
    assert [(r["unit_name"], r["from"], r["to"], r["reason"]) for r in rows] == [
        ("Alpha", "2001-03-01", "2003-03-03", "resigned"), ("Beta", "2003-03-03", None, None)]
    memberships = fb.sql("SELECT unit, valid_to_text, closed_reason FROM memberships "
                         "WHERE person = 'dan' ORDER BY valid_from_end").rows
    assert [tuple(m) for m in memberships] == [("u-a", "2003-03-03", "resigned"),
                                               ("u-b", None, None)]


def test_a_same_day_join_and_leave_is_a_row(fb: FactBase, runner: CliRunner) -> None:
    from tests.test_report import add_one_fold

    add_one_fold(fb)
    result = runner.invoke(cli, ["--db", fb.url, "export", "--format", "csv", "--table",
                                 "memberships"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "\nfay,Fay,acme,u-b,Beta,member,2002-05-05,2002-05-05,parted ways\n" in result.stdout


def test_a_move_a_leave_and_a_merge_say_what_changed(fb: FactBase) -> None:
    """A stay that goes on in its next span says how (the projection: ``changed``)."""
    fb.add([{**r, "sources": ["s1"]} if "date" in r else r for r in [
        {"type": "source.registered", "source": "s1"},
        {"type": "entity.registered", "entity": "acme", "kind": "organization",
         "name": "Acme"},
        {"type": "entity.registered", "entity": "gus", "kind": "person", "name": "Gus"},
        {"type": "org.founded", "date": "2000-01-01", "org": "acme", "founders": []},
        {"type": "unit.created", "date": "2000-01-01", "org": "acme", "unit": "u-a",
         "name": "Alpha"},
        {"type": "unit.created", "date": "2000-01-01", "org": "acme", "unit": "u-b",
         "name": "Beta"},
        {"type": "person.joined", "date": "2001-01-01", "person": "gus", "org": "acme",
         "title": "Engineer"},
        {"type": "role.confirmed", "date": "2002-01-01", "person": "gus", "org": "acme",
         "unit": "u-a"},
        {"type": "leave.started", "date": "2003-01-01", "person": "gus", "org": "acme"},
        {"type": "leave.ended", "date": "2003-06-01", "person": "gus", "org": "acme"},
        {"type": "unit.merged", "date": "2004-01-01", "org": "acme", "unit": "u-a",
         "into": "u-b"},
        {"type": "person.left", "date": "2005-01-01", "person": "gus", "org": "acme",
         "reason": "unknown"},
    ]])
    got = [(r["unit"], r["from"], r["to"], r["reason"]) for r in fb.memberships()]
    assert got == [
        (None, "2001-01-01", "2002-01-01", "moved to Alpha"),
        ("u-a", "2002-01-01", "2003-01-01", "went on leave"),
        ("u-a", "2003-01-01", "2003-06-01", "back from leave"),
        ("u-a", "2003-06-01", "2004-01-01", "unit merged into Beta"),
        ("u-b", "2004-01-01", "2005-01-01", "unknown"),
    ]
