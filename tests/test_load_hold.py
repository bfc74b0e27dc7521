"""A load folds the streams it brings into the log from the events in hand (projections.on_append
with ``hold``), folding early the streams touched longest ago: the projections must come out
exactly as a rebuild of the log makes them, whatever the order of the lines."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from factbase import api
from factbase.api import FactBase
from factbase.store import projections
from factbase.store.schema import OPEN_RECORDED, PROJECTION_TABLES, parse_utc


def _records() -> list[dict[str, Any]]:
    recs: list[dict[str, Any]] = [{"type": "source", "id": "s1", "title": "A report"}]
    recs += [{"type": "entity", "id": f"p{i}", "kind": "person", "name": f"Person {i}"}
             for i in range(6)]
    recs += [{"type": "entity", "id": org, "kind": "organization", "name": org.upper()}
             for org in ("org-a", "org-b")]
    for org, first in (("org-a", 0), ("org-b", 3), ("org-c", 1)):
        recs.append({"id": f"{org}-founded", "type": "org.founded", "date": "2020-01-01",
                     "sources": ["s1"], "org": org, "founders": [f"p{first}"]})
        recs += [{"id": f"{org}-join-{p}", "type": "person.joined", "date": f"2020-0{p + 2}",
                  "sources": ["s1"], "person": f"p{p}", "org": org, "note": "joins"}
                 for p in (first + 1, first + 2)]
    # Late lines: a fact about org-a (folded by now), a correction in org-b, and org-c's
    # registration after every one of its events.
    recs.append({"id": "org-a-left", "type": "person.left", "date": "2021-05-01",
                 "sources": ["s1"], "person": "p1", "org": "org-a", "reason": "resigned"})
    recs.append({"type": "event.corrected", "target": "org-b-join-4",
                 "changes": {"date": "2020-08"}, "why": "A later report",
                 "sources": ["s1"]})
    recs.append({"type": "entity", "id": "org-c", "kind": "organization", "name": "ORG C"})
    return recs


def _write(path: Path, recs: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    return path


def _tables(db: Path) -> dict[str, Any]:
    """The projections of ``db``, each recorded time replaced by its rank in the database (a
    load is one recorded time; the databases compared were loaded at different moments)."""
    with FactBase.open(str(db)) as fb, fb.engine.connect() as conn:
        found = projections.contents(conn)
        times = sorted({str(t) for (t,) in conn.exec_driver_sql(
            "SELECT DISTINCT recorded_at FROM events")}, key=lambda t: t)
    rank = {fmt: str(i) for i, t in enumerate(times) for fmt in (t, str(parse_utc(t)))}
    rank[str(OPEN_RECORDED)] = "open"
    out: dict[str, Any] = {}
    for table in PROJECTION_TABLES:
        columns = sorted(c.name for c in table.columns if c.info.get("compared", True))
        at = [i for i, c in enumerate(columns) if c in ("recorded_from", "recorded_to")]
        out[table.name] = Counter({tuple(rank.get(v, v) if i in at else v
                                         for i, v in enumerate(row)): n
                                   for row, n in found[table.name].items()})
    return out


@pytest.mark.parametrize("hold_events", [0, 2, 4, 1_000])
def test_held_streams_fold_as_a_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        hold_events: int) -> None:
    monkeypatch.setattr(api, "LOAD_BATCH", 3)
    monkeypatch.setattr(projections, "HOLD_EVENTS", hold_events)
    recs = _records()
    db = tmp_path / "held.db"
    with FactBase.open(str(db), create=True) as fb:
        result = fb.load([str(_write(tmp_path / "all.jsonl", recs))])
        assert (result.new, result.present) == (len(recs), 0)
        assert fb.verify().problems == []
    loaded = _tables(db)
    assert len(loaded["memberships"]) > 0
    with FactBase.open(str(db)) as fb:
        fb.rebuild()
    assert _tables(db) == loaded
    # Reference: every line in one batch, nothing held.
    monkeypatch.setattr(api, "LOAD_BATCH", 1_000)
    ref = tmp_path / "ref.db"
    with FactBase.open(str(ref), create=True) as fb:
        fb.load([str(tmp_path / "all.jsonl")])
    assert _tables(ref) == loaded


def test_a_second_load_reads_back_the_streams_it_extends(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setattr(api, "LOAD_BATCH", 2)
    monkeypatch.setattr(projections, "HOLD_EVENTS", 2)
    recs = _records()
    db = tmp_path / "two.db"
    with FactBase.open(str(db), create=True) as fb:
        fb.load([str(_write(tmp_path / "one.jsonl", recs[:14]))])
        fb.load([str(_write(tmp_path / "two.jsonl", recs[14:]))])
        assert fb.count() == len(recs)
        assert fb.verify().problems == []
    loaded = _tables(db)
    with FactBase.open(str(db)) as fb:
        fb.rebuild()
    assert _tables(db) == loaded
