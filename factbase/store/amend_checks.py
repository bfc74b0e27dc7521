"""Load-time checks for amendments (corrections, retractions, added accounts).

An amendment must name an event the log holds (or one appended earlier in the same load);
a retraction may not target a retraction or an event already retracted; a correction or an
added account may not target a retracted event; identity and source registrations are not
amended (they change through ``entity.aliased`` and new registrations). A correction's
``changes`` must leave its target a valid event: the target is rebuilt as a record, the changes
applied, and the result validated like any input record. An amendment takes its target's
stream, so replaying one organisation reads its amendments with it.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from factbase.core.amend import FIXED_FIELDS as FIXED_FIELDS
from factbase.core.events import (
    AMEND_TYPES,
    IDENTITY_TYPES,
    REDACTION_TYPES,
    REGISTRATION_TYPES,
    EventDraft,
    RecordProblems,
    canonical_json,
)
from factbase.core.fields import validate_record
from factbase.store import rows
from factbase.store.schema import events


def _checked(conn: Connection, query: Any) -> Mapping[str, Any] | None:
    """The first row of ``query`` (every column of the log, as stored), checked like every
    read (:mod:`factbase.store.rows`: a row changed outside factbase, or malformed, is named),
    with its instants as aware datetimes."""
    row = conn.execute(query.limit(1)).first()
    if row is None:
        return None
    event = rows.decode_all(conn, [row])[0]
    return {**dict(zip(rows.COLUMNS, row, strict=True)), "instant": event.instant,
            "recorded_at": event.recorded_at}


def _row(conn: Connection, event_id: str) -> Mapping[str, Any] | None:
    return _checked(conn, rows.select_rows().where(events.c.event_id == event_id))


def _retraction_of(conn: Connection, event_id: str) -> Mapping[str, Any] | None:
    needle = canonical_json({"target": event_id})[1:-1]  # as stored: no spaces
    return _checked(conn, rows.select_rows().where(events.c.type == "event.retracted",
                                                   events.c.payload.contains(needle))
                    .order_by(events.c.seq))


def record_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """An input record equivalent to a stored event (its fields as a user would write them)."""
    payload = json.loads(row["payload"])
    record: dict[str, Any] = {"type": row["type"], **payload}
    if row["date_text"] is not None:
        record["date"] = row["date_text"]
    if row["instant"] is not None:
        record["at"] = row["instant"].isoformat()
    if row["evidence"] is not None:
        record["evidence"] = row["evidence"]
    record["sources"] = json.loads(row["sources"])
    return record


def _suggest(conn: Connection, event_id: str) -> str:
    ids = [r[0] for r in conn.execute(select(events.c.event_id).limit(200_000))]
    close = difflib.get_close_matches(event_id, ids, n=1, cutoff=0.7)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _base_changes(conn: Connection, row: Mapping[str, Any],
                  changes: dict[str, Any]) -> tuple[Mapping[str, Any], dict[str, Any]] | None:
    """Follow a chain of corrections down to the event they correct, merging their changes
    (earlier ones first). None if the chain is broken (it never is for loaded data)."""
    merged = dict(changes)
    seen = set()
    while row["type"] == "event.corrected" and row["event_id"] not in seen:
        seen.add(row["event_id"])
        merged = {**json.loads(row["payload"])["changes"], **merged}
        target = _row(conn, json.loads(row["payload"])["target"])
        if target is None:
            return None
        row = target
    return row, merged


def check(conn: Connection, amendments: list[tuple[str, EventDraft]]
          ) -> tuple[list[tuple[str, EventDraft]], list[tuple[str, EventDraft]], list[str]]:
    """Split ``amendments`` into those ready to append (stream set to their target's),
    those waiting for a target that is itself among them, and problems (one line each)."""
    pending_ids = {d.event_id for _, d in amendments}
    ready: list[tuple[str, EventDraft]] = []
    waiting: list[tuple[str, EventDraft]] = []
    problems: list[str] = []
    retracting: set[str] = set()
    for where, draft in amendments:
        target_id = draft.payload["target"]
        row = _row(conn, target_id)
        if row is None:
            if target_id in pending_ids and target_id != draft.event_id:
                waiting.append((where, draft))
            else:
                problems.append(f"{where}: target: no event '{target_id}' in the log"
                                f"{_suggest(conn, target_id)}; `factbase timeline` lists ids")
            continue
        if row["type"] in REGISTRATION_TYPES or row["type"] in IDENTITY_TYPES:
            problems.append(f"{where}: target: '{target_id}' is a {row['type']} event; "
                            "registrations are not amended (add names with entity.aliased, "
                            "register a changed source under a new id)")
            continue
        if row["type"] in REDACTION_TYPES and draft.type != "event.retracted":
            problems.append(f"{where}: target: '{target_id}' is a redaction; a redaction is "
                            "not corrected: retract it to undo it (then redact again)")
            continue
        retraction = _retraction_of(conn, target_id)
        if draft.type == "event.retracted" and row["type"] == "event.retracted":
            problems.append(f"{where}: target: '{target_id}' is itself a retraction; "
                            "a retraction cannot be retracted")
            continue
        if retraction is None and target_id in retracting:
            problems.append(f"{where}: target: event '{target_id}' is retracted twice in this "
                            "load; keep one retraction")
            continue
        if retraction is not None:
            problems.append(f"{where}: target: event '{target_id}' is already retracted "
                            f"(by '{retraction['event_id']}', recorded "
                            f"{retraction['recorded_at'].isoformat()}); nothing to "
                            f"{'retract' if draft.type == 'event.retracted' else 'amend'}")
            continue
        if draft.type == "event.corrected":
            changes = draft.payload["changes"]
            fixed = [k for k in changes if k in FIXED_FIELDS]
            if fixed:
                problems.append(f"{where}: changes.{fixed[0]}: cannot be corrected; retract the "
                                "event and record a new one instead")
                continue
            if row["type"] == "event.retracted":
                problems.append(f"{where}: target: '{target_id}' is a retraction; retractions "
                                "are not corrected")
                continue
            if row["type"] == "account.added":
                problems.append(f"{where}: target: '{target_id}' adds an account; retract it "
                                "and add a corrected account instead")
                continue
            base = _base_changes(conn, row, changes)
            if base is not None:
                base_row, merged = base
                record = {**record_of(base_row), **merged}
                record = {k: v for k, v in record.items() if v is not None}
                record.pop("id", None)
                try:
                    amended = validate_record(record)
                except RecordProblems as exc:
                    problems += [f"{where}: changes.{p or 'record'}: {m}" for p, m in exc.problems]
                    continue
                draft = replace(draft, references=draft.references + amended.references)
        if draft.type == "event.retracted":
            retracting.add(target_id)
        ready.append((where, replace(draft, stream=row["stream"])))
    return ready, waiting, problems


def redactions(conn: Connection, drafts: list[tuple[str, EventDraft]]
               ) -> tuple[list[tuple[str, EventDraft]], list[str]]:
    """Split the ``entity.redacted`` drafts among ``drafts`` from the rest: a redaction of a
    person already redacted (by a standing redaction in the log, or earlier in this load) is
    a problem, as ``factbase redact`` refuses it: two standing redactions would make
    retracting one no longer show the person. Returns (drafts to append, problems)."""
    if not any(d.type in REDACTION_TYPES for _, d in drafts):
        return drafts, []
    from factbase.store import redact

    standing = redact.load(conn).redactions
    seen: dict[str, str] = {}
    keep: list[tuple[str, EventDraft]] = []
    problems: list[str] = []
    for where, draft in drafts:
        if draft.type not in REDACTION_TYPES:
            keep.append((where, draft))
            continue
        entity = draft.payload["entity"]
        if entity in standing:
            r = standing[entity]
            problems.append(f"{where}: entity: '{entity}' is already redacted (by event "
                            f"{r.event_id}; shown as {r.placeholder}); nothing to do — "
                            f"`factbase retract {r.event_id}` undoes it")
        elif entity in seen:
            problems.append(f"{where}: entity: '{entity}' is redacted twice in this load "
                            f"(first at {seen[entity]}); keep one redaction")
        else:
            seen[entity] = where
            keep.append((where, draft))
    return keep, problems


__all__ = ["AMEND_TYPES", "check", "record_of", "redactions"]
