"""entity.merged / entity.unmerged: identity decisions honoured as known at --known-at."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

import pytest

from factbase.api import FactBase
from factbase.core.errors import NotFound

BASE: list[dict[str, Any]] = [
    {"type": "source.registered", "source": "s1", "url": "https://example.org/1"},
    {"type": "entity.registered", "entity": "acme", "kind": "organization", "name": "Acme"},
    {"type": "entity.registered", "entity": "li-wei-a", "kind": "person", "name": "Li Wei"},
    {"type": "entity.registered", "entity": "li-wei-b", "kind": "person", "name": "Wei Li"},
    {"type": "org.founded", "date": "2020-01-01", "org": "acme", "sources": ["s1"]},
    {"type": "person.joined", "date": "2021-03-01", "person": "li-wei-a", "org": "acme",
     "sources": ["s1"]},
    {"type": "role.assigned", "date": "2022-05-01", "person": "li-wei-b", "org": "acme",
     "role": "lead", "sources": ["s1"]},
]
MERGE = {"type": "entity.merged", "entity": "li-wei-b", "into": "li-wei-a",
         "why": "same LinkedIn profile", "sources": ["s1"]}
UNMERGE = {"type": "entity.unmerged", "entity": "li-wei-b", "into": "li-wei-a",
           "why": "different birth years after all", "sources": ["s1"]}


def _now() -> datetime:
    time.sleep(0.01)
    t = datetime.now(UTC)
    time.sleep(0.01)
    return t


def people(fb: FactBase, known_at: datetime | None = None) -> set[str]:
    return set(fb.org("acme", as_of=date(2023, 1, 1), known_at=known_at).members)


def test_two_people_sharing_a_name_stay_two_until_merged(fb: FactBase) -> None:
    fb.add(BASE)
    assert people(fb) == {"li-wei-a", "li-wei-b"}
    with pytest.raises(NotFound, match="'Li Wei' names more than one"):
        fb.resolve("Li Wei")
    before_merge = _now()
    fb.add([MERGE])
    state = fb.org("acme", as_of=date(2023, 1, 1))
    assert set(state.members) == {"li-wei-a"}
    m = state.members["li-wei-a"]
    assert m.since is not None and m.since.text == "2021-03-01"
    assert [r.role for r in m.roles] == ["lead"]
    assert fb.resolve("Li Wei") == "li-wei-a"
    assert fb.resolve("li-wei-b") == "li-wei-a"
    assert people(fb, before_merge) == {"li-wei-a", "li-wei-b"}  # what we knew then
    with pytest.raises(NotFound):
        fb.resolve("Li Wei", known_at=before_merge)
    assert {e.payload.get("person") for e in fb.timeline("li-wei-b")} == {"li-wei-a"}
    assert fb.verify(projections=True).ok


def test_unmerge_takes_it_back_and_the_merge_stays_visible_at_its_time(fb: FactBase) -> None:
    fb.add(BASE)
    fb.add([MERGE])
    merged_at = _now()
    fb.add([UNMERGE])
    assert people(fb) == {"li-wei-a", "li-wei-b"}
    assert people(fb, merged_at) == {"li-wei-a"}
    assert fb.verify(projections=True).ok
