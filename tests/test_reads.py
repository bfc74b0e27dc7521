"""The as-of read of one organisation (factbase.store.reads): leaving events that are not yet
at the as-of date in the database changes nothing that replay shows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from factbase.api import FactBase
from factbase.core.amend import effective_view, identities
from factbase.core.replay import OrgState, replay
from factbase.store import log, reads
from tests.backends import BACKEND

SETUP: list[dict[str, Any]] = [
    {"type": "source.registered", "source": "s1", "url": "https://example.com/1",
     "title": "An article", "published": "2026-07-01"},
    {"type": "entity.registered", "entity": "acme", "kind": "organization", "name": "Acme"},
    {"type": "entity.registered", "entity": "jane", "kind": "person", "name": "Jane Doe"},
    {"type": "entity.registered", "entity": "bob", "kind": "person", "name": "Bob Roe"},
    {"id": "acme-founded", "type": "org.founded", "date": "2026-01-05", "sources": ["s1"],
     "org": "acme", "founders": ["jane"]},
]


def whole_stream(fb: FactBase, org: str, as_of: date, **policy: Any) -> OrgState:
    """Replay over every event of the stream, as FactBase.org did before the as-of cut."""
    with fb.engine.connect() as conn:
        evs = log.read_events(conn, log.select_events(streams=[org]))
        ident = identities(log.read_events(conn, log.select_events(
            types=["entity.merged", "entity.unmerged"])))
    return replay(org, effective_view(evs, identity=ident, **policy).events, as_of)


def test_an_event_corrected_to_an_earlier_date_applies_from_that_date(fb: FactBase) -> None:
    fb.add([*SETUP, {"id": "bob-joined", "type": "person.joined", "date": "2026-06-01",
                     "sources": ["s1"], "person": "bob", "org": "acme"}])
    fb.add([{"type": "event.corrected", "target": "bob-joined", "sources": ["s1"],
             "changes": {"date": "2026-02-01"}, "why": "misread"}])
    state = fb.org("acme", as_of=date(2026, 3, 1))
    assert "bob" in state.members
    assert state == whole_stream(fb, "acme", date(2026, 3, 1))


def test_an_account_claiming_an_earlier_date_makes_a_later_event_uncertain(
        fb: FactBase) -> None:
    fb.add([*SETUP, {"id": "jane-left", "type": "person.left", "date": "2026-06",
                     "sources": ["s1"], "person": "jane", "org": "acme",
                     "accounts": [{"by": "jane", "says": "I left in February.", "source": "s1",
                                   "reason": "resigned", "date": "2026-02"}]}])
    state = fb.org("acme", as_of=date(2026, 3, 1))
    assert [u.cited.event_id for u in state.uncertain] == ["jane-left"]
    assert state == whole_stream(fb, "acme", date(2026, 3, 1))
    picked = fb.org("acme", as_of=date(2026, 3, 1), prefer="confirmed")
    assert picked == whole_stream(fb, "acme", date(2026, 3, 1), prefer="confirmed")


def test_an_added_account_claiming_an_earlier_date_is_read(fb: FactBase) -> None:
    fb.add([*SETUP, {"id": "jane-left", "type": "person.left", "date": "2026-06",
                     "sources": ["s1"], "person": "jane", "org": "acme", "reason": "resigned"}])
    fb.add([{"type": "account.added", "target": "jane-left", "sources": ["s1"],
             "account": {"by": "jane", "says": "February.", "source": "s1", "date": "2026-02"}}])
    state = fb.org("acme", as_of=date(2026, 3, 1))
    assert [u.cited.event_id for u in state.uncertain] == ["jane-left"]
    assert state == whole_stream(fb, "acme", date(2026, 3, 1))


def test_a_reorganisation_effective_before_its_announcement_applies_from_then(
        fb: FactBase) -> None:
    fb.add([*SETUP, {"id": "acme-reorg", "type": "reorg.announced", "date": "2026-06-10",
                     "effective": "2026-02-01", "sources": ["s1"], "org": "acme",
                     "summary": "New labs.",
                     "changes": [{"type": "unit.created", "unit": "acme-lab", "org": "acme",
                                  "name": "Lab", "kind": "division"}]}])
    state = fb.org("acme", as_of=date(2026, 3, 1))
    assert list(state.units) == ["acme-lab"]
    assert state == whole_stream(fb, "acme", date(2026, 3, 1))


def test_the_as_of_read_equals_replaying_the_whole_stream_on_the_seed(
        seeded: FactBase, monkeypatch: pytest.MonkeyPatch) -> None:
    days = [date(2023, 7, 1) + timedelta(days=17 * i) for i in range(60)]
    fast = [seeded.org("xai", as_of=d) for d in days]
    assert fast == [whole_stream(seeded, "xai", d) for d in days]
    # The portable (SQLAlchemy Core) query gives the same as the SQLite DBAPI one.
    monkeypatch.setattr(reads, "_sqlite", lambda conn: None)
    assert [seeded.org("xai", as_of=d) for d in days] == fast


def test_the_names_and_sources_of_a_state_render_as_all_of_them_do(seeded: FactBase) -> None:
    from factbase.core.documents import ids_in, org_document

    for d in (date(2024, 4, 15), date(2026, 2, 11), date(2026, 3, 1)):
        state = seeded.org("xai", as_of=d)
        ids = ids_in(state)
        assert org_document(state, seeded.names(ids), seeded.sources(ids)) == \
            org_document(state, seeded.names(), seeded.sources())


def test_names_and_sources_of_many_ids_leave_unknown_ids_out(seeded: FactBase) -> None:
    ids = [f"nobody-{i}" for i in range(1200)] + ["xai", "tony-wu", "huxiu-4835050"]
    assert seeded.names(ids) == {"xai": "xAI", "tony-wu": seeded.names()["tony-wu"]}
    assert list(seeded.sources(ids)) == ["huxiu-4835050"]


# --- the SQLite hot path and the portable query give the same rows ----------------------------


def _core_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the readers take their SQLAlchemy Core branch, as on PostgreSQL."""
    monkeypatch.setattr(reads, "_sqlite", lambda conn: None)


@pytest.mark.skipif(BACKEND != "sqlite", reason="the raw branch runs on SQLite only")
def test_the_raw_sqlite_reads_equal_the_portable_ones(seeded: FactBase,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """org_events, typed_events and entity_kind run raw SQL on SQLite's DBAPI connection (a
    measured hot path, see the module docstring) and SQLAlchemy Core elsewhere; on the seed,
    with a correction and a retraction recorded later, both branches read the same events
    (every field, in order) for every as-of date around the seed's events and two recorded
    times."""
    first = seeded.anchor().recorded_at
    seeded.add([{"type": "event.corrected", "target": "tony-wu-left", "why": "misdated",
                 "changes": {"date": "2026-02-08"}, "sources": ["huxiu-4835050"]},
                {"type": "event.retracted", "target": "jimmy-ba-left", "why": "wrong",
                 "sources": ["huxiu-4835050"]}])
    days = [date(2023, 7, 11), date(2024, 4, 30), date(2026, 2, 9), date(2026, 2, 10),
            date(2026, 3, 1)]

    def read() -> list[Any]:
        out: list[Any] = []
        with seeded.engine.connect() as conn:
            for known_at in (None, first):
                for day in days:
                    out.append([e for e in
                                reads.org_events(conn, ["xai"], day, known_at)])
                out.append([e for e in reads.typed_events(
                    conn, ["event.corrected", "event.retracted", "org.founded"], known_at)])
            out += [reads.entity_kind(conn, i) for i in ("xai", "tony-wu", "nobody")]
        return out

    raw = read()
    _core_only(monkeypatch)
    assert read() == raw
    assert raw[-3:] == ["organization", "person", None]
    assert any(len(r) > 1 for r in raw[:5])  # the reads are not trivially empty
