"""The vocabulary registry: each event type declared once (factbase.core.events.TYPES), read by
validation, the store's decoder, replay, the interval projections and the renderers.

A type added here, in the test, with one registry entry and one replay rule, is validated,
loaded, replayed, projected and shown without any other module knowing it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner

from factbase.api import FactBase
from factbase.cli import cli
from factbase.core import events as vocabulary
from factbase.core.amend import effective_view, identities
from factbase.core.errors import InvalidRecord
from factbase.core.events import EventType, register, unregister
from factbase.core.fields import CHANGE_TYPES, EVENT_TYPES, Slug, Text, _Fields
from factbase.core.replay import OrgState, Step, rule
from factbase.store import log


class PersonPromoted(_Fields):
    """A member takes a new title (a promotion), without a role of its own."""

    person: Slug
    org: Slug
    title: Text
    REFS = {"person": "person", "org": "organization"}


PROMOTED = EventType(
    "person.promoted", PersonPromoted, (("person", "text"), ("org", "text"), ("title", "text")),
    rank=85, state=True, touches="person", identity_fields=("person", "org"),
    words="promotion", summary=lambda p, name: f"{name('person')} promoted to {p['title']}")


@rule("person.promoted")
def _promoted(kind: Any, state: OrgState, step: Step) -> None:
    m = state.members.get(step.payload["person"])
    if m is None:
        state.note("promoted_not_member", f"{step.payload['person']} was promoted but is not "
                   "a member on this date", step)
    else:
        m.title = step.payload["title"]


@pytest.fixture
def promoted() -> Iterator[EventType]:
    register(PROMOTED)
    try:
        yield PROMOTED
    finally:
        unregister(PROMOTED.name)


SETUP: list[dict[str, Any]] = [
    {"type": "source.registered", "source": "s1", "url": "https://example.com/1"},
    {"type": "entity.registered", "entity": "acme", "kind": "organization", "name": "Acme"},
    {"type": "entity.registered", "entity": "bob", "kind": "person", "name": "Bob Roe"},
    {"id": "acme-founded", "type": "org.founded", "date": "2020-01-01", "sources": ["s1"],
     "org": "acme"},
    {"id": "bob-joined", "type": "person.joined", "date": "2020-02-01", "sources": ["s1"],
     "person": "bob", "org": "acme", "title": "Engineer"},
]
PROMOTION = {"id": "bob-promoted", "type": "person.promoted", "date": "2021-03-01",
             "sources": ["s1"], "person": "bob", "org": "acme", "title": "Head of Research"}


def run(fb: FactBase, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--db", fb.url, *args], catch_exceptions=False)


def test_a_type_registered_here_is_validated_loaded_replayed_projected_and_shown(
        fb: FactBase, promoted: EventType) -> None:
    assert "person.promoted" in EVENT_TYPES and "person.promoted" not in CHANGE_TYPES
    with pytest.raises(InvalidRecord, match="title: missing required field"):
        fb.add([*SETUP, {k: v for k, v in PROMOTION.items() if k != "title"}])
    fb.add([*SETUP, PROMOTION])

    before = fb.org("acme", as_of=date(2021, 2, 28))
    after = fb.org("acme", as_of=date(2021, 3, 1))
    assert (before.members["bob"].title, after.members["bob"].title) == (
        "Engineer", "Head of Research")
    assert after.happenings == [] and after.anomalies == []

    org = run(fb, "org", "acme", "--as-of", "2021-03-01", "--format", "json")
    assert org.exit_code == 0
    assert [(p["id"], p["title"]) for p in json.loads(org.output)["people"]] == [
        ("bob", "Head of Research")]
    timeline = run(fb, "timeline", "acme")
    assert timeline.exit_code == 0
    assert ("2021-03-01  person.promoted  Bob Roe promoted to Head of Research [1]  "
            "(bob-promoted)") in timeline.output
    assert run(fb, "rebuild").exit_code == 0
    verified = run(fb, "verify", "--projections")
    assert verified.exit_code == 0, verified.output
    titles = run(fb, "sql", "SELECT title, opened_by FROM memberships WHERE person = 'bob' "
                 "ORDER BY opened_by", "--format", "json")
    assert [(r["title"], r["opened_by"]) for r in json.loads(titles.output)] == [
        ("Engineer", "bob-joined"), ("Head of Research", "bob-promoted")]


def test_a_registered_type_orders_by_its_rank_within_a_day(promoted: EventType) -> None:
    assert vocabulary.rank("person.joined") < vocabulary.rank("person.promoted") \
        < vocabulary.rank("role.confirmed")
    assert vocabulary.rank("no.such-type") == 500


def test_a_stored_row_of_a_type_no_longer_registered_still_reads(
        fb: FactBase, promoted: EventType) -> None:
    """Reading never needs the model: a row whose type the vocabulary no longer knows is
    read as stored and kept by replay as a happening."""
    fb.add([*SETUP, PROMOTION])
    unregister("person.promoted")
    try:
        with fb.engine.connect() as conn:
            evs = log.read_events(conn, log.select_events(streams=["acme"]))
        state = fb.org("acme", as_of=date(2021, 3, 1))
    finally:
        register(PROMOTED)
    assert [e.type for e in evs][-1] == "person.promoted"
    assert [h.type for h in state.happenings] == ["person.promoted"]
    assert state.members["bob"].title == "Engineer"


def test_registering_a_type_twice_is_refused(promoted: EventType) -> None:
    with pytest.raises(ValueError, match="'person.promoted' is registered already"):
        register(PROMOTED)


def test_identity_merges_rewrite_the_fields_the_registry_names() -> None:
    assert vocabulary.identity_fields() == {"person", "founders", "speakers", "by", "subject",
                                            "org", "into"}
    merged = [log_event("entity.merged", {"entity": "bobby", "into": "bob", "why": "same"})]
    ev = log_event("statement.made", {"person": "bobby", "channel": "x", "summary": "Hi",
                                      "org": "acme"}, date_="2021")
    out = effective_view([ev], identity=identities(merged)).events
    assert out[0].payload["person"] == "bob"


def log_event(type_: str, payload: dict[str, Any], date_: str | None = None) -> Any:
    from datetime import UTC, datetime

    from factbase.core.dates import parse_date
    from factbase.core.events import Event

    return Event(seq=1, event_id=f"e-{type_}", type=type_, stream="acme",
                 date=parse_date(date_) if date_ else None, instant=None, evidence=None,
                 payload=payload, sources=("s1",), recorded_at=datetime(2026, 1, 1, tzinfo=UTC))
