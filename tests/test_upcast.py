"""Upcasting: rows stored in an older version of the vocabulary are read as the current one,
through the one decoder, and never rewritten; a row of a newer version is refused by name."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from factbase.api import FactBase
from factbase.cli import cli
from factbase.core import events as vocabulary
from factbase.core.dates import parse_date
from factbase.core.events import EventDraft, canonical_json, sha256, upcast, upcast_v1_v2
from factbase.store import log
from factbase.store.schema import events

SETUP: list[dict[str, Any]] = [
    {"type": "source.registered", "source": "s1", "url": "https://example.com/1"},
    {"type": "entity.registered", "entity": "acme", "kind": "organization", "name": "Acme"},
    {"id": "acme-founded", "type": "org.founded", "date": "2020-01-01", "sources": ["s1"],
     "org": "acme"},
    {"id": "lab-created", "type": "unit.created", "date": "2020-02-01", "sources": ["s1"],
     "unit": "lab", "org": "acme", "name": "Lab"},
]


def stored_draft(event_id: str, type_: str, stream: str, date: str,
                 payload: dict[str, Any]) -> EventDraft:
    """A draft as an older factbase validated it: its payload as given (no validation of the
    current vocabulary), its content hash computed as validation computes it."""
    when = parse_date(date)
    content = {"type": type_, "date": when.text, "at": None, "evidence": None,
               "payload": payload, "sources": ["s1"]}
    return EventDraft(event_id=event_id, type=type_, stream=stream, date=when, instant=None,
                      evidence=None, payload=payload, sources=("s1",),
                      content_hash=sha256(canonical_json(content)))


def append_as(fb: FactBase, version: int, draft: EventDraft,
              monkeypatch: pytest.MonkeyPatch) -> None:
    """Append ``draft`` through the log's own writer (a valid chain), stored as ``version``."""
    with monkeypatch.context() as m:
        m.setattr(log, "SCHEMA_VERSION", version)
        with fb._write() as conn:
            list(log.append(conn, [draft]))


#: Version 1 rows: a reorganisation whose unit change names no org (validation now fills in
#: the reorg's), and a unit dissolution naming no org (filed under the unit, as version 1 did).
V1_REORG = stored_draft("acme-reorg", "reorg.announced", "acme", "2021-01-10", {
    "org": "acme", "summary": "The lab becomes Research.",
    "changes": [{"type": "unit.renamed", "unit": "lab", "name": "Research"}]})
V1_DISSOLVED = stored_draft("lab-dissolved", "unit.dissolved", "lab", "2022-03-01",
                            {"unit": "lab"})


@pytest.fixture
def v1(fb: FactBase, monkeypatch: pytest.MonkeyPatch) -> FactBase:
    fb.add(SETUP)
    for draft in (V1_REORG, V1_DISSOLVED):
        append_as(fb, 1, draft, monkeypatch)
    return fb


def run(fb: FactBase, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--db", fb.url, *args], catch_exceptions=False)


def test_version_1_rows_are_read_as_version_2_by_org_rebuild_and_verify(v1: FactBase) -> None:
    state = v1.org("acme", as_of=parse_date("2021-06-01").end)
    assert state.units["lab"].name == "Research"
    assert state.units["lab"].former_names == ["Lab"]
    assert state.anomalies == []
    org = run(v1, "org", "acme", "--as-of", "2021-06-01", "--format", "json")
    assert org.exit_code == 0, org.output
    assert "Research" in org.output
    rebuilt = run(v1, "rebuild")
    assert (rebuilt.exit_code, rebuilt.output) == (0, "rebuilt projections from 6 events\n")
    verified = run(v1, "verify", "--projections")
    assert verified.exit_code == 0, verified.output
    timeline = run(v1, "timeline", "lab", "--format", "json")
    assert timeline.exit_code == 0, timeline.output
    assert "lab-dissolved" in timeline.output


def test_upcasting_never_rewrites_the_stored_row(v1: FactBase) -> None:
    with v1.engine.connect() as conn:
        stored = {r.event_id: (r.schema_version, r.payload) for r in conn.execute(
            select(events.c.event_id, events.c.schema_version, events.c.payload))}
        read = {e.event_id: e for e in log.read_events(conn, log.select_events())}
    assert stored["lab-dissolved"] == (1, '{"unit":"lab"}')
    assert stored["lab-created"][0] == vocabulary.SCHEMA_VERSION == 2
    assert read["lab-dissolved"].payload == {"unit": "lab", "org": "lab"}
    assert read["acme-reorg"].payload["changes"] == [
        {"type": "unit.renamed", "unit": "lab", "name": "Research", "org": "acme"}]


def test_a_row_of_a_newer_version_is_refused_naming_it(
        fb: FactBase, monkeypatch: pytest.MonkeyPatch) -> None:
    fb.add(SETUP)
    append_as(fb, 3, stored_draft("lab-renamed", "unit.renamed", "acme", "2021-01-10",
                                  {"unit": "lab", "org": "acme", "name": "Research"}),
              monkeypatch)
    result = CliRunner().invoke(cli, ["--db", fb.url, "org", "acme", "--as-of", "2021-06-01"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: event 'lab-renamed' (seq 5) was written in version 3 of the vocabulary, but "
        "this factbase reads versions 1 to 2; upgrade factbase to read it\n")


@pytest.mark.parametrize("version", [0, 3, -1])
def test_upcast_refuses_a_version_it_does_not_know(version: int) -> None:
    with pytest.raises(vocabulary.UnknownVersion, match=f"version {version} of"):
        upcast("unit.renamed", "acme", {"unit": "lab", "name": "R"}, version)


_SLUG = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
_TYPES = st.sampled_from(["unit.renamed", "unit.moved", "unit.merged", "unit.dissolved",
                          "person.joined", "org.founded", "reorg.announced"])


@given(_TYPES, _SLUG, st.dictionaries(_SLUG, _SLUG, max_size=4))
def test_upcasting_leaves_its_input_alone_and_a_current_payload_as_it_is(
        type_: str, stream: str, payload: dict[str, Any]) -> None:
    before = dict(payload)
    out = upcast(type_, stream, payload, 1)
    assert payload == before
    assert upcast(type_, stream, out, vocabulary.SCHEMA_VERSION) == out
    assert upcast_v1_v2(type_, stream, out) == out  # a step applied twice changes nothing
    if type_.startswith("unit."):
        assert out == {"org": stream, **payload}
