"""Exports: the log in factbase's own input format, CSV for spreadsheets, TimelineJS JSON.

* ``jsonl`` and ``yaml`` write every source, entity and event of the log as the records of a
  timeline file (docs/format.md) that load back into an empty database as the **same events
  with the same ids and the same content hashes**, so every question gets the same answer.
  Events keep their ids (derived ``ev-…`` ids too) and every envelope field: ``date`` and
  ``announced`` as written, ``at`` as the stored UTC instant (the hash covers the instant, not
  the text), ``evidence``, ``sources``, ``note``. Amendments (``event.corrected``,
  ``event.retracted``, ``account.added``) and identity decisions (``entity.aliased``,
  ``entity.merged``, ``entity.unmerged``) are events like any other. JSON Lines is in log
  order, sources as ``{"type": "source", …}`` lines and entities as ``{"type": "entity", …}``;
  YAML has the three sections ``sources``, ``entities`` and ``events``, each in log order.
  Both are streamed: rows are read ``yield_per`` at a time, never the whole log at once.
* ``csv`` writes one row per event (``--table events``) or one row per membership or role
  span of :func:`factbase.core.intervals.intervals_of` (``--table memberships``: the spans the
  ``memberships`` and ``roles`` projection tables hold), every text cell guarded against
  spreadsheet formulas
  and numbers left as numbers (:func:`factbase.core.escape.csv_cell`). UTF-8 with a byte-order
  mark so spreadsheets read names in any script.
* ``timelinejs`` writes the JSON that Knight Lab's TimelineJS3 reads, for readers
  (:mod:`factbase.views.timelinejs`): one slide per dated event, optionally of one
  organisation, naming one person or within a span of days.

``known_at`` (recorded time, inclusive; None = now) exports the log as it stood then.
Nothing here writes to the database.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, TextIO

import yaml

from factbase.core.documents import ROLE_ORDER, given_reasons, reason_words, summarize
from factbase.core.escape import INVISIBLE, csv_cell, json_safe
from factbase.core.events import Event
from factbase.core.fields import EVENT_TYPES
from factbase.core.intervals import MembershipSpan, RoleSpan
from factbase.core.replay import departure_reason
from factbase.views.report import Spans, spans_of

FORMATS = ("jsonl", "yaml", "csv", "timelinejs")
CSV_TABLES = ("events", "memberships")

EVENT_COLUMNS = ("seq", "id", "type", "stream", "date", "valid_from", "valid_to", "precision",
                 "evidence", "summary", "sources", "recorded_at")
MEMBERSHIP_COLUMNS = ("person", "person_name", "org", "unit", "unit_name", "role", "from",
                      "to", "reason")


def _iso(t: datetime | None) -> str | None:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z") if t else None


# --- the input format ---------------------------------------------------------------------


def input_record(row: Mapping[Any, Any]) -> dict[str, Any]:
    """The timeline-file record that loads back to the stored event ``row`` (same id, same
    content hash): a ``source`` or ``entity`` record for a registration under its usual id
    (``source.<id>``, ``entity.<id>``), else an event record with its ``id``, the envelope
    fields that are set, then the type's fields."""
    payload: dict[str, Any] = json.loads(row["payload"])
    type_, event_id = str(row["type"]), str(row["event_id"])
    record: dict[str, Any]
    if type_ == "source.registered" and event_id == f"source.{payload.get('source')}":
        record = {"type": "source", "id": payload.pop("source")}
    elif type_ == "entity.registered" and event_id == f"entity.{payload.get('entity')}":
        record = {"type": "entity", "id": payload.pop("entity")}
    else:
        record = {"type": type_, "id": event_id}
    if row["date_text"] is not None:
        record["date"] = row["date_text"]
    if row["instant"] is not None:
        record["at"] = _iso(row["instant"])
    if "announced" in payload:
        record["announced"] = payload.pop("announced")
    if row["evidence"] is not None:
        record["evidence"] = row["evidence"]
    sources = json.loads(row["sources"])
    if sources:
        record["sources"] = sources
    note = payload.pop("note", None)
    if note is not None and record["type"] not in ("source", "entity"):
        record["note"] = note  # after the envelope, as in docs/format.md
    record.update(_fields_in_order(type_, payload))
    if note is not None:
        record.setdefault("note", note)  # a source's or entity's note comes last
    return record


def _fields_in_order(type_: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The type's fields in the order its model declares them (the log stores them sorted),
    leaving out empty lists that are the field's default (they load back the same)."""
    model = EVENT_TYPES.get(type_)
    if model is None:
        return payload
    fields = model.model_fields
    ordered = [k for k in fields if k in payload] + [k for k in payload if k not in fields]
    return {k: payload[k] for k in ordered
            if not (payload[k] == [] and k in fields and fields[k].default == [])}


def _section(record: Mapping[str, Any]) -> str:
    return {"source": "sources", "entity": "entities"}.get(record["type"], "events")


def iter_records(rows: Iterable[Mapping[Any, Any]]) -> Iterator[dict[str, Any]]:
    """Each stored event row of ``rows`` (the log in log order) as a timeline-file record
    (:func:`input_record`). Streams: holds one row at a time."""
    for row in rows:
        yield input_record(row)


def write_jsonl(rows: Iterable[Mapping[Any, Any]], out: TextIO) -> int:
    """Write the log's ``rows`` as JSON Lines to ``out``; returns the number of records."""
    n = 0
    for record in iter_records(rows):
        out.write(json_safe(json.dumps(record, ensure_ascii=False)) + "\n")
        n += 1
    return n


try:  # libyaml's emitter, when PyYAML has it, is ten times faster
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class _Dumper(_BaseDumper):
    """PyYAML's safe dumper, with text holding a YAML 1.1 line break other than LF (NEL,
    U+2028, U+2029) or CR written double-quoted: in a single-quoted or plain scalar PyYAML's
    own emitter writes NEL raw and reads it back as a space."""


def _represent_str(dumper: _BaseDumper, value: str) -> yaml.ScalarNode:
    style = '"' if any(c in value for c in "\x85\u2028\u2029\r") or INVISIBLE.search(value) \
        else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _yaml_item(record: dict[str, Any]) -> str:
    text = yaml.dump([record], Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=False)
    # Bidi controls and zero-width characters are printable to YAML, so the emitter writes them
    # raw; they stand only in double-quoted scalars (above), where a \u escape reads back as
    # the same text.
    return INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04X}", text)


def write_yaml(rows: Callable[[list[str] | None], Iterable[Mapping[Any, Any]]], upto: int,
               out: TextIO) -> int:
    """Write the log up to event ``upto`` as a YAML timeline file (sections ``sources``,
    ``entities``, ``events``, each in log order; registrations under another id stay under
    ``events``) to ``out``; returns the number of records. ``rows(types)`` gives the log's
    rows of those types (None: all) in log order, once per section, all read in one
    transaction so the three agree."""
    n = 0
    out.write(f"# factbase export: the log up to event {upto}; load it with "
              "`factbase load FILE`\n")
    passes: list[tuple[str, list[str] | None]] = [
        ("sources", ["source.registered"]), ("entities", ["entity.registered"]),
        ("events", None)]
    for section, types in passes:
        started = False
        for row in rows(types):
            record = input_record(row)
            if _section(record) != section:
                continue
            if section != "events":
                del record["type"]  # implied by the section
            if not started:
                out.write(f"{section}:\n")
                started = True
            out.write(_yaml_item(record))
            n += 1
    if n == 0:
        out.write("events: []\n")
    return n


# --- CSV ----------------------------------------------------------------------------------


def _writer(out: TextIO) -> Any:
    out.write("\ufeff")  # a BOM: spreadsheets then read the UTF-8 (names in any script)
    return csv.writer(out, lineterminator="\r\n")


def _ids_in(value: Any, out: set[str]) -> None:
    if isinstance(value, str):
        if len(value) <= 200:
            out.add(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in ("note", "says", "summary", "why"):
                _ids_in(v, out)
    elif isinstance(value, list):
        for v in value:
            _ids_in(v, out)


def describe(type_: str, payload: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """One line in plain words for any event, amendments and registrations included."""
    def n(key: str) -> str:
        value = payload.get(key)
        return names.get(value, value) if isinstance(value, str) else ""

    if type_ == "event.corrected":
        fields = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}"
                           for k, v in payload.get("changes", {}).items())
        return f"correction of {payload['target']}: {fields} — {payload['why']}"
    if type_ == "event.retracted":
        return f"retraction of {payload['target']}: {payload['why']}"
    if type_ == "account.added":
        acc = payload.get("account", {})
        by = names.get(acc.get("by", ""), acc.get("by"))
        reason = f" ({acc['reason'].replace('_', ' ')})" if acc.get("reason") else ""
        return f"account of {payload['target']} by {by}{reason}: {acc.get('says', '')}"
    if type_ == "entity.merged":
        return f"{n('entity')} ({payload['entity']}) is the same as {n('into')} " \
               f"({payload['into']}): {payload['why']}"
    if type_ == "entity.unmerged":
        return f"{n('entity')} ({payload['entity']}) is not {n('into')} " \
               f"({payload['into']}) after all: {payload['why']}"
    if type_ == "source.registered":
        what = payload.get("title") or payload.get("url") or payload["source"]
        by = f" — {payload['publisher']}" if payload.get("publisher") else ""
        return f"source {what}{by}"
    return summarize(type_, payload, names)


def write_events_csv(batches: Iterable[Sequence[tuple[Mapping[Any, Any], Mapping[str, Any]]]],
                     names_for: Callable[[set[str]], Mapping[str, str]], out: TextIO) -> int:
    """One CSV row per event of the log (columns :data:`EVENT_COLUMNS`), in log order, as
    recorded (amendments are rows of their own), from ``batches`` of ``(row, payload)`` as
    outputs show them (:func:`factbase.store.exports.shown_batches`); display names are
    looked up one batch at a time with ``names_for(ids)``. Returns the number of rows."""
    w = _writer(out)
    w.writerow(EVENT_COLUMNS)
    n = 0
    for decoded in batches:
        ids: set[str] = set()
        for _, payload in decoded:
            _ids_in(payload, ids)
        names = names_for(ids)
        for row, payload in decoded:
            w.writerow([csv_cell(v) for v in (
                int(row["seq"]), row["event_id"], row["type"], row["stream"],
                row["date_text"], _day(row["valid_from"]), _day(row["valid_to"]),
                row["precision"], row["evidence"], describe(row["type"], payload, names),
                "; ".join(json.loads(row["sources"])), _iso(row["recorded_at"]))])
            n += 1
    return n


def _day(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


# --- memberships, from the spans ------------------------------------------------------------


def close_reason(s: MembershipSpan | RoleSpan, following: MembershipSpan | None, spans: Spans,
                 names: Mapping[str, str]) -> str | None:
    """Why span ``s`` closed, in words (None while open): the departure's reason
    (:func:`factbase.core.documents.reason_words`: ``laid off``, ``disputed: parted ways /
    resigned``, ``unknown`` when none is given), ``unit merged into …``, ``unit dissolved``,
    ``last role ended`` (present only through roles, the last of which ended); for a role,
    ``role ended`` or ``changed`` (the holding goes on under new terms: the next row); for a
    membership going on in ``following`` (the next span of the stay), ``moved to …``,
    ``moved out of the unit``, ``went on leave``, ``back from leave``, ``title changed``."""
    if s.closed is None:
        return None
    payload = spans.departure(s)
    if payload is not None:
        reason, disputed = departure_reason(payload)
        return reason_words(reason, disputed, given_reasons(payload), unknown="unknown")
    if s.closed_type == "unit.merged":
        into = next((u.merged_into for u in spans.intervals.units if u.unit == s.unit
                     and u.opened_by == s.closed_by and u.merged_into), None)
        return f"unit merged into {names.get(into, into)}" if into else "unit merged"
    if s.closed_type == "unit.dissolved":
        return "unit dissolved"
    if isinstance(s, RoleSpan):
        return "role ended" if s.closed_reason == "ended" else "changed"
    if s.closed_reason != "changed" or following is None:
        return reason_words(s.closed_reason, unknown="unknown")
    if following.unit != s.unit:
        return f"moved to {names.get(following.unit, following.unit)}" if following.unit \
            else "moved out of the unit"
    if following.on_leave != s.on_leave:
        return "went on leave" if following.on_leave else "back from leave"
    return "title changed" if following.title != s.title else "changed"


def memberships_of(spans: Spans, org: str, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """The rows of :func:`membership_rows` for one organisation: one per membership span
    (role ``member``, ``unit`` the person's unit in it) and one per role span, in the order
    they became certain (then by name, ``member`` first, role, unit)."""
    keyed: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def add(s: MembershipSpan | RoleSpan, role: str, following: MembershipSpan | None) -> None:
        name = names.get(s.person, s.person)
        keyed.append(((s.opened.end, name.casefold(), s.person,
                       -1 if role == "member" else ROLE_ORDER.get(role, 9), s.unit or ""), {
            "person": s.person, "person_name": name, "org": org, "unit": s.unit,
            "unit_name": names.get(s.unit, s.unit) if s.unit else None, "role": role,
            "from": s.opened.text, "to": s.closed.text if s.closed else None,
            "reason": close_reason(s, following, spans, names)}))

    for stays in spans.stays().values():
        for stay in stays:
            for i, m in enumerate(stay):
                add(m, "member", stay[i + 1] if i + 1 < len(stay) else None)
    for r in spans.intervals.roles:
        add(r, r.role, None)
    return [row for _, row in sorted(keyed, key=lambda x: x[0])]


def membership_rows(orgs: Iterable[str], evs: Iterable[Event], identity: Mapping[str, str],
                    names: Mapping[str, str]) -> Iterator[dict[str, Any]]:
    """Intervals of membership and of roles in every organisation of ``orgs``: the spans of
    :func:`factbase.core.intervals.intervals_of` over each organisation's effective events among
    ``evs`` (the whole log as known at one recorded time, :meth:`FactBase.timeline`; the fold
    the ``memberships`` and ``roles`` projection tables hold). Each row: ``person``,
    ``person_name``, ``org``, ``unit`` (id; the person's unit for ``member``), ``unit_name``,
    ``role`` (``member`` for being in the organisation, else the role), ``from`` and ``to``
    (dates as written by the events that opened and closed the span; ``to`` None while open;
    a span opened and closed on one day is a row too) and ``reason`` (why it closed:
    :func:`close_reason`). A span counts from the day its ``from`` is certain, as in replay.
    Organisations merged into another (``identity``: merged id → surviving id) are listed
    under that one."""
    by_stream: dict[str, list[Event]] = {}
    for e in evs:
        by_stream.setdefault(e.stream, []).append(e)
    for org in orgs:
        if org not in identity and org in by_stream:
            yield from memberships_of(spans_of(org, by_stream[org]), org, names)


def write_memberships_csv(rows: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    """Membership and role intervals (:func:`membership_rows`) as CSV (columns
    :data:`MEMBERSHIP_COLUMNS`); returns the number of rows."""
    w = _writer(out)
    w.writerow(MEMBERSHIP_COLUMNS)
    n = 0
    for row in rows:
        w.writerow([csv_cell(row[c]) for c in MEMBERSHIP_COLUMNS])
        n += 1
    return n


def redacted_refusal(fmt: str, hidden: int) -> str:
    """Why a ``jsonl`` or ``yaml`` export of a log with ``hidden`` redacted people is refused
    without ``include_redacted``: it is the log as it is, and would show them."""
    return (f"the log holds {hidden} redacted {'person' if hidden == 1 else 'people'}: a "
            f"{fmt} export is the log as it is and would show what `redact` hides; pass "
            "--include-redacted to export it all the same, or use --format csv or "
            "timelinejs, which hide them")


__all__ = [
    "CSV_TABLES", "EVENT_COLUMNS", "FORMATS", "MEMBERSHIP_COLUMNS", "describe",
    "input_record", "iter_records", "membership_rows", "redacted_refusal",
    "write_events_csv", "write_jsonl", "write_memberships_csv", "write_yaml",
]
