"""Every CLI verb has a FactBase method: correct, retract, redact, redactions, who, export,
and the checks the CLI used to do itself (event types, --set values, a failed first load)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factbase.api import FactBase, check_types, parse_changes
from factbase.core.errors import FactbaseError, InputError, InvalidRecord, NotFound
from tests.conftest import BASE_TIMELINE


@pytest.fixture
def base(fb: FactBase, tmp_path: Path) -> FactBase:
    path = tmp_path / "base.yaml"
    path.write_text(BASE_TIMELINE, encoding="utf-8")
    fb.load([str(path)])
    return fb


def test_correct_appends_one_correction_and_replay_uses_it(base: FactBase) -> None:
    before = base.count()
    result = base.correct("acme-founded", {"date": "2026-01-04"}, why="dated in Asia",
                          sources=["article-1"])
    assert (result.new, base.count()) == (1, before + 1)
    [ev] = base.timeline("acme", types=["org.founded"])
    assert ev.date is not None and ev.date.text == "2026-01-04"
    again = base.correct("acme-founded", {"date": "2026-01-04"}, why="dated in Asia",
                         sources=["article-1"])
    assert (again.new, again.present, base.count()) == (0, 1, before + 1)


def test_a_rejected_correction_writes_nothing(base: FactBase) -> None:
    before = base.count()
    with pytest.raises(InputError, match="nothing to correct in acme-founded"):
        base.correct("acme-founded", {}, why="x", sources=["article-1"])
    with pytest.raises(InvalidRecord, match="no-such-source"):
        base.correct("acme-founded", {"date": "2026-01-04"}, why="x",
                     sources=["no-such-source"])
    with pytest.raises(InvalidRecord, match="no-such-event"):
        base.correct("no-such-event", {"date": "2026-01-04"}, why="x", sources=["article-1"])
    assert base.count() == before


def test_retract_hides_the_event_from_replay(base: FactBase) -> None:
    assert [e.event_id for e in base.timeline("acme", types=["org.founded"])] == [
        "acme-founded"]
    assert base.retract("acme-founded", why="no such founding",
                        sources=["article-1"]).new == 1
    assert base.timeline("acme", types=["org.founded"]) == []
    history = base.timeline_history("acme", types=["org.founded"], with_retracted=True)
    assert [e.event_id for e in history.events] == ["acme-founded"]
    assert list(history.retracted) == ["acme-founded"]


def test_redact_then_list_then_undo(base: FactBase) -> None:
    done = base.redact("Jane Doe", why="asked to be removed", sources=["article-1"])
    assert done.entity == "jane-doe" and done.event_id.startswith("redaction-")
    [standing] = base.redactions()
    assert (standing.event_id, standing.placeholder, standing.why) == (
        done.event_id, done.placeholder, "asked to be removed")
    assert base.redacted_count() == 1
    before = base.count()
    with pytest.raises(FactbaseError, match="'jane-doe' is already redacted"):
        base.redact("jane-doe", why="again", sources=["article-1"])
    with pytest.raises(FactbaseError, match="'acme' is an organization; only people"):
        base.redact("acme", why="x", sources=["article-1"])
    with pytest.raises(NotFound):
        base.redact("nobody at all", why="x", sources=["article-1"])
    assert base.count() == before
    base.retract(done.event_id, why="asked back", sources=["article-1"])
    assert base.redactions() == [] and base.redacted_count() == 0


def test_who_and_export_are_api_verbs(base: FactBase) -> None:
    doc = base.who("jane doe", as_of=date(2026, 3, 1))
    assert doc["entity"]["id"] == "jane-doe"
    out = io.StringIO(newline="")
    # Sources and entities are registrations in the log: one line per event.
    assert base.export("jsonl", out) == base.count() == len(out.getvalue().splitlines())
    base.redact("jane-doe", why="asked", sources=["article-1"])
    with pytest.raises(FactbaseError, match="redacted person"):
        base.export("jsonl", io.StringIO())


def test_check_types_names_the_unknown_type() -> None:
    check_types(["person.left", "person.*", "unit."])
    with pytest.raises(InputError) as exc:
        check_types(["person.left", "person.lefft"])
    assert str(exc.value).startswith(
        "unknown event type 'person.lefft' (did you mean 'person.left'?); types: ")


def test_parse_changes_reads_values_as_the_loader_does() -> None:
    assert parse_changes(["value=5000", "note=null", "date=2026-02", "why= text "]) == {
        "value": 5000, "note": None, "date": "2026-02", "why": "text"}
    assert parse_changes(["note="]) == {"note": None}
    for bad, message in (("nothing", "'nothing' is not FIELD=VALUE"),
                         ("=5", "'=5' is not FIELD=VALUE")):
        with pytest.raises(InputError) as exc:
            parse_changes([bad])
        assert str(exc.value) == message
    with pytest.raises(InputError, match="quote the value"):
        parse_changes(["note=["])


@given(st.from_regex(r"[a-z_]{1,10}", fullmatch=True), st.integers(-10**9, 10**9))
def test_parse_changes_keeps_whole_numbers(name: str, number: int) -> None:
    assert parse_changes([f"{name}={number}"]) == {name: number}


@pytest.mark.sqlite_only("about creating and removing SQLite files")
def test_a_failed_first_load_removes_the_file_it_created(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    bad = tmp_path / "bad.yaml"
    bad.write_text("events:\n  - type: person.lefft\n", encoding="utf-8")
    fb = FactBase.open(str(path), create=True)
    assert fb.created == path and path.exists()
    with pytest.raises(InvalidRecord):
        fb.load([str(bad)])
    fb.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]
