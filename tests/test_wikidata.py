"""`factbase import wikidata`: real Wikidata entity documents (tests/fixtures/wikidata, see its
PROVENANCE.md) become sourced, dated events; importing again adds nothing; a changed statement
becomes a correction; nothing needs the network."""

from __future__ import annotations

import copy
import hashlib
import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from factbase.cli import cli
from factbase.core.errors import InputError
from factbase.io.wikidata import read_file, wikidata_date
from tests import backends
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "wikidata"
MICROSOFT = FIXTURES / "Q2283__wetneb+openrefine-wikibase.json"
SUPREME_COURT = FIXTURES / "Q11201__wetneb+openrefine-wikibase.json"
ALCATEL = FIXTURES / "Q881333__wetneb+openrefine-wikibase.json"
BEATLES = FIXTURES / "Q1299__dahlia+wikidata.json"
PUTIN = FIXTURES / "Q7747__opensanctions+nomenklatura.json"
BULLOCK = FIXTURES / "Q24015__wetneb+openrefine-wikibase.json"
KARLSRUHE = FIXTURES / "Q1040-via-redirect-Q32063953__Wikidata+Wikidata-Toolkit.json"
SWPS = FIXTURES / "Q7970913__wetneb+openrefine-wikibase.json"
ENS = FIXTURES / "Q83259__wetneb+openrefine-wikibase.json"
ALL = [MICROSOFT, SUPREME_COURT, ALCATEL, BEATLES, PUTIN, BULLOCK, KARLSRUHE, SWPS, ENS]
#: Events each document gives (sources and entities aside).
EVENTS = {"Q2283": 7, "Q11201": 34, "Q881333": 1, "Q1299": 1, "Q7747": 37, "Q24015": 5,
          "Q1040": 0, "Q7970913": 5, "Q83259": 1}
NADELLA = "wd-q2283-p169-f994314e-4727-222c-c9ae-4404274f1c9b"


@pytest.fixture
def db(new_db: Callable[[], str]) -> str:
    return new_db()


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The importer must not need the network: any connection attempt fails the test."""
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the Wikidata importer tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def run(runner: CliRunner, db: str, *args: str) -> Result:
    result = runner.invoke(cli, ["--db", db, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def imported(runner: CliRunner, db: str, *paths: Path) -> Result:
    return run(runner, db, "import", "wikidata", *map(str, paths))


def rows(db: str, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in backends.select_rows(db, sql)]


def events_like(db: str, prefix: str) -> list[tuple[str, str, dict[str, Any]]]:
    """``(type, date as written, payload)`` of the events whose id starts with ``prefix``,
    by valid time, then a departure or ending before a joining or start on the same day."""
    got = [(str(t), str(d), json.loads(p), str(v)) for t, d, p, v in rows(
        db, f"SELECT type, date_text, payload, valid_from FROM events WHERE "
            f"substr(event_id, 1, {len(prefix)}) = '{prefix}'")]
    order = {"person.left": 0, "role.ended": 0}
    got.sort(key=lambda r: (r[3], order.get(r[0], 1), r[0]))
    return [(t, d, p) for t, d, p, _ in got]


def test_the_fixtures_are_the_documented_copies() -> None:
    text = (FIXTURES / "PROVENANCE.md").read_text(encoding="utf-8")
    for path in ALL:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"`{path.name}`" in text and f"`{digest}`" in text, path.name


# --- dates -------------------------------------------------------------------------------


def _t(time: str, precision: int, julian: bool = False) -> dict[str, Any]:
    model = "Q1985786" if julian else "Q1985727"
    return {"time": time, "precision": precision,
            "calendarmodel": f"http://www.wikidata.org/entity/{model}"}


@pytest.mark.parametrize(("time", "precision", "text"), [
    ("+2014-02-04T00:00:00Z", 11, "2014-02-04"),
    ("+1975-04-00T00:00:00Z", 10, "1975-04"),     # month precision, written with -00
    ("+1960-00-00T00:00:00Z", 9, "1960"),
    ("+1810-01-01T00:00:00Z", 9, "1810"),         # the precision wins over the digits
    ("+1995-00-00T00:00:00Z", 8, "1990/1999"),    # a decade
    ("+1900-00-00T00:00:00Z", 7, "1801/1900"),    # the 19th century, as Wikidata counts it
    ("+1901-00-00T00:00:00Z", 7, "1901/2000"),
    ("+2000-00-00T00:00:00Z", 6, "1001/2000"),    # a millennium
    ("+2014-02-00T00:00:00Z", 11, "2014-02"),     # a day written 00: the month it has
    ("+2014-02-04T13:45:00Z", 14, "2014-02-04"),  # finer than a day: the day
])
def test_wikidata_precision_becomes_factbase_precision(time: str, precision: int,
                                                       text: str) -> None:
    assert wikidata_date(_t(time, precision)) == text


@pytest.mark.parametrize(("time", "precision"), [
    ("-0044-03-15T00:00:00Z", 11), ("+10000-01-01T00:00:00Z", 9), ("+1950-00-00T00:00:00Z", 5),
    ("+0000-00-00T00:00:00Z", 9), ("garbage", 11),
])
def test_times_factbase_cannot_hold_are_none(time: str, precision: int) -> None:
    assert wikidata_date(_t(time, precision)) is None


def test_julian_dates_become_the_gregorian_days_they_are() -> None:
    assert wikidata_date(_t("+1582-10-05T00:00:00Z", 11, julian=True)) == "1582-10-15"
    assert wikidata_date(_t("+1700-02-29T00:00:00Z", 11, julian=True)) == "1700-03-11"
    assert wikidata_date(_t("+1600-02-00T00:00:00Z", 10, julian=True)) == \
        "1600-02-11/1600-03-10"


# --- reading the shapes ------------------------------------------------------------------


def test_every_shape_of_the_fixtures_is_read() -> None:
    (ms,) = read_file(str(MICROSOFT))       # a bare entity object (the dump-line shape)
    (beatles,) = read_file(str(BEATLES))    # {"entities": {...}} from Special:EntityData
    (putin,) = read_file(str(PUTIN))        # a wbgetentities response with "success": 1
    (karlsruhe,) = read_file(str(KARLSRUHE))  # a redirect: requested Q32063953, got Q1040
    assert [d.qid for d in (ms, beatles, putin, karlsruhe)] == ["Q2283", "Q1299", "Q7747",
                                                                 "Q1040"]


@pytest.mark.parametrize("commas", [True, False])
def test_lines_of_the_json_dump_are_read(tmp_path: Path, commas: bool) -> None:
    entities = [json.loads(p.read_text(encoding="utf-8")) for p in (MICROSOFT, SWPS)]
    if commas:  # as in latest-all.json: [, one entity per line ending in a comma, ]
        text = "[\n" + ",\n".join(json.dumps(e) for e in entities) + "\n]\n"
    else:
        text = "\n".join(json.dumps(e) for e in entities) + "\n"
    (tmp_path / "dump.json").write_text(text, encoding="utf-8")
    docs = read_file(str(tmp_path / "dump.json"))
    assert [d.qid for d in docs] == ["Q2283", "Q7970913"]
    assert docs[1].origin == f"{tmp_path / 'dump.json'} line {3 if commas else 2}"


def test_unreadable_files_are_named(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('[\n{"id": "Q1", "claims": {}},\n{"id": \n]\n',
                                          encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.json line 3: not valid JSON \(Expecting "
                                         r"value at column 7\); a dump holds one entity per "
                                         r"line"):
        read_file(str(tmp_path / "broken.json"))
    (tmp_path / "other.json").write_text('{"hello": "world"}', encoding="utf-8")
    with pytest.raises(InputError, match="other.json: not a Wikidata entity document"):
        read_file(str(tmp_path / "other.json"))


def test_a_file_cut_short_says_so_on_the_line_it_stops(tmp_path: Path) -> None:
    pretty = json.dumps(json.loads(BEATLES.read_text(encoding="utf-8")), indent=2)
    cut = pretty[:pretty.index('"value": "The Beatles"') + 14]  # inside a string
    (tmp_path / "pretty.json").write_text(cut, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_file(str(tmp_path / "pretty.json"))
    assert str(err.value) == (
        f"{tmp_path / 'pretty.json'} line {cut.count(chr(10)) + 1}: not valid JSON "
        f"(Unterminated string starting at column {len(cut.splitlines()[-1]) - 4}); the "
        "file stops before its JSON is complete: is it cut short (an interrupted download)?")
    one_line = SWPS.read_bytes()
    (tmp_path / "line.json").write_bytes(one_line[:5000])
    with pytest.raises(InputError, match=r"line.json line 1: not valid JSON \(.* at column "
                                         r"\d+\); the file stops before its JSON is complete"):
        read_file(str(tmp_path / "line.json"))
    (tmp_path / "dump.json").write_bytes(MICROSOFT.read_bytes().strip() + b"\n"
                                         + one_line[:5000])
    with pytest.raises(InputError, match=r"dump.json line 2: .*: is it cut short"):
        read_file(str(tmp_path / "dump.json"))
    (tmp_path / "char.json").write_bytes('{"id": "Q1", "labels": "é'.encode()[:-1])
    with pytest.raises(InputError, match=r"char.json: the file stops in the middle of a "
                                         r"character; is it cut short"):
        read_file(str(tmp_path / "char.json"))
    # a mistake inside a document of many lines is named on its line, with no guess
    lines = pretty.splitlines()
    lines[10] += " oops"
    (tmp_path / "typo.json").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_file(str(tmp_path / "typo.json"))
    assert str(err.value).startswith(f"{tmp_path / 'typo.json'} line 11: not valid JSON (")
    assert str(err.value).endswith(")")


# --- importing ---------------------------------------------------------------------------


def test_the_fixtures_import_and_again_add_nothing(runner: CliRunner, db: str) -> None:
    first = imported(runner, db, *ALL).stdout
    for qid, n in EVENTS.items():
        line = next(ln for ln in first.splitlines() if ln.startswith(f"{qid} ("))
        assert f": {n} event" in line, line
    total = rows(db, "SELECT count(*) FROM events")[0][0]
    assert first.endswith(f"wikidata: 9 documents, {total} new, 0 already present (the log "
                          f"holds {total} events)\n")
    again = imported(runner, db, *reversed(ALL)).stdout
    assert again.endswith(f"wikidata: 9 documents, 0 new, {total} already present (the log "
                          f"holds {total} events)\n")
    assert "7 events (1 org.founded, 4 role.assigned, 2 role.ended); 0 new, 7 already " \
        "imported" in again
    assert run(runner, db, "verify").stdout.startswith(f"ok: {total} events, hash chain intact")


def test_microsoft_its_founding_chief_executives_and_chair(runner: CliRunner, db: str) -> None:
    out = imported(runner, db, MICROSOFT).stdout
    assert out.startswith("Q2283 (Microsoft) → q2283, organization: 7 events (1 org.founded, "
                          "4 role.assigned, 2 role.ended)\n")
    got = rows(db, "SELECT event_id, type, date_text, evidence, sources FROM events WHERE "
                   "substr(event_id, 1, 10) = 'wd-q2283-p' ORDER BY valid_from, event_id")
    assert sorted((r[1], r[2], r[3]) for r in got) == [
        ("org.founded", "1976-11-26", "reported"),
        ("role.assigned", "1975-04", "unconfirmed"),     # Gates: month precision, no reference
        ("role.assigned", "2000-01", "unconfirmed"),     # Ballmer: imported from a Wikipedia
        ("role.assigned", "2014-02-04", "reported"),     # Nadella: preferred, SEC reference
        ("role.assigned", "2014-02-04", "unconfirmed"),  # Thompson, chairperson: no reference
        ("role.ended", "2000-01", "unconfirmed"),
        ("role.ended", "2014-02-04", "unconfirmed"),
    ]
    by_id = {r[0]: r for r in got}
    assert by_id[f"{NADELLA}-start"][1:] == ("role.assigned", "2014-02-04", "reported",
                                             '["wd-ref-d1ab9f85ec5ad31a"]')
    assert f"{NADELLA}-end" not in by_id  # still in office: no P582
    (payload,) = rows(db, f"SELECT payload FROM events WHERE event_id = '{NADELLA}-start'")[0]
    assert json.loads(payload) == {
        "person": "wd-q7426870", "org": "q2283", "role": "executive",
        "title": "chief executive officer", "holding": NADELLA,
        "note": "From Wikidata Q2283, P169 statement Q2283$f994314e-4727-222c-c9ae-"
                "4404274f1c9b (preferred rank)."}
    ((url, title, note),) = rows(db, "SELECT url, title, note FROM sources WHERE source_id = "
                                     "'wd-ref-d1ab9f85ec5ad31a'")
    assert url.startswith("https://www.sec.gov/Archives/edgar/data/789019/")
    assert note == ("Wikidata reference d1ab9f85ec5a; stated in Q7252898 (P248); retrieved "
                    "2019-12-28 (P813).")
    (founded,) = rows(db, "SELECT payload FROM events WHERE type = 'org.founded'")[0]
    assert json.loads(founded)["founders"] == ["wd-q5284", "wd-q162005"]


def test_org_as_of_any_date_with_every_fact_cited(runner: CliRunner, db: str) -> None:
    imported(runner, db, MICROSOFT, SUPREME_COURT)
    page = run(runner, db, "org", "Microsoft", "--as-of", "2010-01-01").stdout
    assert "Founded 1976-11-26" in page
    assert "  Q181162 — executive (chief executive officer); first recorded 2000-01 " \
        "(unconfirmed) [3]" in page
    assert "Co-founders: 2 in all — 2 present, 0 departed" in page
    later = run(runner, db, "org", "q2283", "--as-of", "2020-01-01").stdout
    assert "  Q7426870 — executive (chief executive officer); first recorded 2014-02-04 " \
        "(reported)" in later
    assert "Q181162" not in later.split("Sources")[0]  # Ballmer's tenure ended 2014-02-04
    court = run(runner, db, "org", "Supreme Court of the United States", "--as-of",
                "1990-01-01").stdout
    assert ("  Q311562 — board member (chairperson); first recorded 1986-09-25 "
            "(unconfirmed) [1]") in court
    for text in (page, later, court):
        body, sources = text.split("\nSources\n")
        assert "[1]" in sources


def test_names_in_every_language_find_the_entity(runner: CliRunner, db: str) -> None:
    imported(runner, db, MICROSOFT)
    for name in ("微软", "微軟", "Майкрософт", "Microsoft Corporation", "MSFT"):
        out = run(runner, db, "who", name).stdout
        assert out.startswith("Microsoft (q2283) — organization"), name


def test_ranks_deprecated_skipped_and_dissolution_parent_in_the_note(
        runner: CliRunner, db: str) -> None:
    out = imported(runner, db, PUTIN, ALCATEL, ENS).stdout
    assert "Q7747 (Vladimir Putin) → q7747, person: 37 events (4 person.joined, 4 person.left,"\
        " 16 role.assigned, 13 role.ended)\n  1 × deprecated statements skipped\n" in out
    assert rows(db, "SELECT note FROM entities WHERE entity_id = 'q881333'") == [(
        "Wikidata Q881333 (https://www.wikidata.org/wiki/Q881333). Dissolved 2017-08-17 "
        "(P576). Parent organisation (P749): Q509404.",)]
    ((ens,),) = rows(db, "SELECT note FROM entities WHERE entity_id = 'q83259'")
    assert ens.startswith('Wikidata Q83259 (https://www.wikidata.org/wiki/Q83259): French '
                          '"grande école" (ENS Paris). Parent organisation (P749): Q64813494 '
                          "2010–2015, Q1163431 from 2015. Subsidiaries (P355): Q30261370, ")
    # The registration cites the statements' references beside the item.
    assert rows(db, "SELECT sources FROM events WHERE event_id = 'entity.q881333'") == [
        ('["wikidata-q881333","wd-ref-20a03ced3543c56b"]',)]


def test_employers_become_joinings_and_departures(runner: CliRunner, db: str) -> None:
    imported(runner, db, PUTIN, BULLOCK)
    got = [(t, d, p["org"], p.get("reason")) for t, d, p in events_like(db, "wd-q7747-p108-")]
    assert got[:2] == [("person.joined", "1975", "wd-q80919", None),
                       ("person.joined", "1985", "wd-q2031025", None)]
    assert ("person.joined", "1996-08", "wd-q4476368", None) in got
    assert ("person.left", "1998-07", "wd-q2060629", "unknown") in got


def test_positions_held_go_to_the_organisation_the_office_directs_or_is_of(
        runner: CliRunner, db: str) -> None:
    imported(runner, db, BULLOCK)
    got = [(t, d, p["org"], p["role"]) for t, d, p in events_like(db, "wd-q24015-p39-")]
    assert got == [("role.assigned", "2009-01-05", "wd-q1212", "member"),  # of Montana (P642)
                   ("role.ended", "2013-01-07", "wd-q1212", "member"),
                   ("role.assigned", "2013-01-07", "wd-q20801646", "member")]  # the office


# --- placeholders, somevalue/novalue, changes ----------------------------------------------


def _entity(path: Path) -> dict[str, Any]:
    return (read_file(str(path))[0]).entity


def _write(tmp_path: Path, name: str, entity: dict[str, Any]) -> Path:
    (tmp_path / name).write_text(json.dumps({"entities": {entity["id"]: entity}}),
                                 encoding="utf-8")
    return tmp_path / name


def _statement(entity: dict[str, Any], sid: str) -> dict[str, Any]:
    for sts in entity["claims"].values():
        for st in sts:
            if st["id"].lower() == sid.lower():
                return dict(st)
    raise KeyError(sid)


GATES = {"type": "item", "id": "Q5284", "labels": {"en": {"language": "en",
                                                          "value": "Bill Gates"}},
         "aliases": {}, "descriptions": {},
         "claims": {"P31": [{"mainsnak": {"snaktype": "value", "property": "P31", "datavalue": {
             "value": {"entity-type": "item", "numeric-id": 5, "id": "Q5"},
             "type": "wikibase-entityid"}}, "type": "statement", "rank": "normal",
             "id": "Q5284$test-p31"}]}}


def test_a_placeholder_is_named_when_its_document_comes(
        runner: CliRunner, db: str, tmp_path: Path) -> None:
    out = imported(runner, db, MICROSOFT).stdout
    assert ("5 entities named by their Q-id, their documents not being given (wd-q162005, "
            "wd-q181162, wd-q3443484, wd-q5284, wd-q7426870): import their documents to name "
            "them\n") in out
    # A minimal document for Bill Gates (made for this test: the fixtures do not hold one).
    gates = _write(tmp_path, "Q5284.json", GATES)
    later = imported(runner, db, gates).stdout
    assert later.startswith("Q5284 (Bill Gates) → q5284, person: 0 events\n")
    assert [(json.loads(p)["entity"], json.loads(p)["into"]) for (p,) in rows(
        db, "SELECT payload FROM events WHERE type = 'entity.merged'")] == [("wd-q5284", "q5284")]
    page = run(runner, db, "org", "Microsoft", "--as-of", "1990-01-01").stdout
    assert "  Bill Gates — cofounder; executive (chief executive officer); since 1976-11-26" \
        in page
    assert "wd-q5284" not in imported(runner, db, MICROSOFT).stdout  # named now
    total = rows(db, "SELECT count(*) FROM events")[0][0]
    assert imported(runner, db, gates, MICROSOFT).stdout.endswith(
        f"0 new, 23 already present (the log holds {total} events)\n")


def test_somevalue_and_novalue_are_handled_on_purpose(
        runner: CliRunner, db: str, tmp_path: Path) -> None:
    ms = copy.deepcopy(_entity(MICROSOFT))
    ballmer = _statement(ms, "Q2283$022683a3-3c93-4f23-998a-699ef27b173e")
    ballmer["qualifiers"] = dict(ballmer["qualifiers"])
    ballmer["qualifiers"]["P582"] = [{"snaktype": "somevalue", "property": "P582"}]
    unknown = {"mainsnak": {"snaktype": "somevalue", "property": "P169"}, "type": "statement",
               "rank": "normal", "id": "Q2283$test-somevalue",
               "qualifiers": {"P580": ballmer["qualifiers"]["P580"]}}
    nobody = {"mainsnak": {"snaktype": "novalue", "property": "P112"}, "type": "statement",
              "rank": "normal", "id": "Q2283$test-novalue"}
    ms["claims"]["P169"] = [s if s["id"] != ballmer["id"] else ballmer
                            for s in ms["claims"]["P169"]] + [unknown]
    ms["claims"]["P112"] = [nobody]
    out = imported(runner, db, _write(tmp_path, "ms.json", ms)).stdout
    assert "  1 × unknown values (somevalue) skipped\n" in out
    assert "  1 × ended at an unknown date (somevalue): an open range\n" in out
    assert "  1 × 'no founders' (P112 novalue): none listed\n" in out
    ended = rows(db, "SELECT date_text FROM events WHERE event_id = "
                     "'wd-q2283-p169-022683a3-3c93-4f23-998a-699ef27b173e-end'")
    assert ended == [("2000-01/..",)]  # ended some time after it began: never guessed
    (founded,) = rows(db, "SELECT payload FROM events WHERE type = 'org.founded'")[0]
    assert json.loads(founded)["founders"] == []


def test_an_id_missing_from_wikidata_is_skipped_not_registered(
        runner: CliRunner, db: str, tmp_path: Path) -> None:
    # wbgetentities answers a deleted or unknown id with {"id": …, "missing": ""}
    beatles = json.loads(BEATLES.read_text(encoding="utf-8"))["entities"]["Q1299"]
    (tmp_path / "two.json").write_text(json.dumps({"entities": {
        "Q1299": beatles, "Q999999999": {"id": "Q999999999", "missing": ""}},
        "success": 1}), encoding="utf-8")
    out = imported(runner, db, tmp_path / "two.json").stdout
    assert (f"{tmp_path / 'two.json'} Q999999999: Q999999999 is missing from Wikidata "
            "(deleted, or no such item): skipped\n") in out
    assert rows(db, "SELECT count(*) FROM entities WHERE entity_id IN ('q999999999', "
                    "'wd-q999999999')") == [(0,)]
    assert rows(db, "SELECT name FROM entities WHERE entity_id = 'q1299'") == [("The Beatles",)]


def test_a_changed_statement_becomes_a_correction(
        runner: CliRunner, db: str, tmp_path: Path) -> None:
    imported(runner, db, MICROSOFT)
    ms = copy.deepcopy(_entity(MICROSOFT))
    nadella = _statement(ms, NADELLA.split("-p169-")[1].join(["Q2283$", ""]))
    nadella["qualifiers"] = {**nadella["qualifiers"], "P580": [{
        "snaktype": "value", "property": "P580", "datavalue": {"type": "time", "value": _t(
            "+2014-02-05T00:00:00Z", 11)}}]}
    ms["claims"]["P169"] = [nadella if s["id"] == nadella["id"] else s
                            for s in ms["claims"]["P169"]]
    changed = _write(tmp_path, "ms-changed.json", ms)
    out = imported(runner, db, changed).stdout
    assert out.startswith("Q2283 (Microsoft) → q2283, organization: 7 events (1 org.founded, "
                          "4 role.assigned, 2 role.ended); 0 new, 6 already imported, 1 "
                          "corrected\n")
    fixes = [json.loads(p) for (p,) in rows(
        db, "SELECT payload FROM events WHERE type = 'event.corrected' ORDER BY seq")]
    assert [(f["target"], f["changes"]) for f in fixes] == [(f"{NADELLA}-start",
                                                             {"date": "2014-02-05"})]
    timeline = run(runner, db, "timeline", "q2283", "--type", "role.assigned").stdout
    assert "2014-02-05  role.assigned  Q7426870 takes executive" in timeline
    # Importing the changed document again adds nothing: the correction is in the log.
    assert imported(runner, db, changed).stdout.endswith(
        "wikidata: 1 document, 0 new, 24 already present (the log holds 25 events)\n")
    # Wikidata changes back: a second correction restores the first date.
    imported(runner, db, MICROSOFT)
    last = rows(db, "SELECT payload FROM events WHERE type = 'event.corrected' ORDER BY seq")
    assert json.loads(last[-1][0])["changes"] == {"date": "2014-02-04"}


def test_dry_run_prints_a_timeline_file_and_writes_nothing(
        runner: CliRunner, db: str, tmp_path: Path, new_db: Callable[[], str]) -> None:
    run(runner, db, "init")
    before = backends.dump(db)
    result = run(runner, db, "import", "wikidata", str(MICROSOFT), "--dry-run")
    assert backends.dump(db) == before
    assert result.stderr.endswith("dry run: 24 records checked; nothing written\n")
    (tmp_path / "ms.jsonl").write_text(result.stdout, encoding="utf-8")
    other = new_db()
    run(runner, other, "load", str(tmp_path / "ms.jsonl"))
    imported(runner, db, MICROSOFT)
    ids = "SELECT event_id, content_hash FROM events ORDER BY event_id"
    assert rows(db, ids) == rows(other, ids)


def test_a_bad_file_writes_nothing(runner: CliRunner, db: str, tmp_path: Path) -> None:
    imported(runner, db, SWPS)
    before = backends.dump(db)
    (tmp_path / "notes.txt").write_text("not json at all\n", encoding="utf-8")
    result = runner.invoke(cli, ["--db", db, "import", "wikidata", str(MICROSOFT),
                                 str(tmp_path / "notes.txt")])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"Error: {tmp_path / 'notes.txt'} line 1: not valid JSON "
                             "(Expecting value at column 1); a dump holds one entity per "
                             "line\n")
    assert backends.dump(db) == before
    missing = runner.invoke(cli, ["--db", db, "import", "wikidata", "nope.json"])
    assert missing.exit_code == 1 and missing.stderr == "Error: nope.json: no such file\n"
    assert backends.dump(db) == before


def test_the_readme_intake_example_is_real_output(tmp_path: Path) -> None:
    import shlex
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("### From a spreadsheet, or from Wikidata\n", 1)[1]
    block = block.split("```console\n", 1)[1].split("```", 1)[0]
    steps = [ln[2:] for ln in block.splitlines() if ln.startswith("$ ")]
    outputs = [ln for ln in block.splitlines() if not ln.startswith("$ ")]
    got: list[str] = []
    for step in steps:
        args, *pipe = step.split(" | ")
        argv = shlex.split(args)[1:]
        argv[argv.index("--db") + 1] = str(tmp_path / argv[argv.index("--db") + 1])
        proc = subprocess.run([sys.executable, "-m", "factbase", *argv], cwd=ROOT,
                              capture_output=True, text=True, timeout=120, check=True)
        lines = proc.stdout.splitlines()
        if pipe == ["tail -1"]:
            lines = lines[-1:]
        elif pipe and pipe[0].startswith("grep "):
            lines = [ln for ln in lines if shlex.split(pipe[0])[1] in ln]
        got += lines
    assert got == outputs
