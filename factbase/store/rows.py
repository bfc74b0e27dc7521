"""Reading log rows into events, checked: every row a query uses is held to its hashes, and a
malformed value is one error naming the event and the column, never a traceback.

A query reads each ``events`` row whole (:data:`COLUMNS`) and :func:`decode` checks it before
anything is computed from it:

* its **chain hash**: ``hash`` must be the SHA-256 of ``prev_hash`` and the row's hashed
  columns (:func:`factbase.store.chain.row_hash`), which cover every column but the hashes
  themselves — a changed byte anywhere in the row (its date, its recorded time, its stream,
  its id) is found at that row, without walking the chain;
* its **content hash**: ``content_hash`` must be the SHA-256 of the event's canonical content
  (type, date as written, instant, evidence, payload, sources), recomputed from the stored
  columns as :func:`factbase.core.fields.validate_record` computed it on load — so a row
  rewritten with a recomputed chain hash but the old content hash is found too;
* its **form**: every column holds what the loader writes (text where text belongs, a day
  ``YYYY-MM-DD`` in ``valid_from``, an instant in ``recorded_at``, a JSON object holding the
  type's required fields in ``payload``, a JSON list of ids in ``sources``).

A row stored in an older version of the vocabulary (``schema_version``) is read through the
upcasters (:func:`factbase.core.events.upcast`), after its hashes are checked on the bytes as
stored; one written by a newer factbase is refused, naming the event and the versions known.

A row failing any of these raises :class:`CorruptEvent`, one line: ``event 'tony-wu-left' (seq
42) does not match its content hash: the log was changed outside factbase; run factbase
verify``, or for a malformed value ``event 'x' (seq 7) has a malformed valid_from
('2017-11-0x' is not a day YYYY-MM-DD): …``. The check costs a few microseconds a row
(benchmarks/RESULTS.md); it is skipped only when asked: ``FactBase.open(...,
check_hashes=False)`` or ``factbase --no-check-hashes``, which set the connection option
:data:`CHECK_OPTION`. The form is checked either way, so even unchecked reads never crash on
a malformed row. Only a whole log rewritten with every hash recomputed passes these checks:
``verify --check-anchor`` finds that.

Rows are read with their stored values (no SQLAlchemy type processing: a malformed date would
raise inside SQLAlchemy's result processing before this module could name it): text on SQLite,
the driver's types on PostgreSQL (whose typed columns cannot hold a malformed date).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import Select, Text, select, type_coerce
from sqlalchemy.engine import Connection

from factbase.core.dates import PartialDate
from factbase.core.errors import IntegrityError, SchemaError
from factbase.core.events import (
    EVIDENCE_LEVELS,
    KNOWN_VERSIONS,
    SCHEMA_VERSION,
    TYPES,
    UNDATED_TYPES,
    Event,
    EventType,
    UnknownVersion,
    upcast,
)
from factbase.store.chain import HASHED_COLUMNS
from factbase.store.schema import events, format_utc, parse_utc

#: The connection (or engine) execution option that turns the hash checks off when False.
CHECK_OPTION = "factbase_check_hashes"

#: Every column of ``events``, in table order: what a checked read selects.
COLUMNS: tuple[str, ...] = tuple(c.name for c in events.columns)
(_SEQ, _EVENT_ID, _TYPE, _SCHEMA_VERSION, _STREAM, _DATE_TEXT, _VALID_FROM, _VALID_TO,
 _PRECISION, _QUALIFIER, _INSTANT, _EVIDENCE, _PAYLOAD, _SOURCES, _RECORDED_AT, _CONTENT_HASH,
 _PREV_HASH, _HASH) = range(18)
assert COLUMNS == ("seq", "event_id", "type", "schema_version", "stream", "date_text",
                   "valid_from", "valid_to", "precision", "qualifier", "instant", "evidence",
                   "payload", "sources", "recorded_at", "content_hash", "prev_hash", "hash")

#: The same columns in SQLite SQL, for queries run on the DBAPI connection.
SQLITE_SELECT = f"SELECT {', '.join(COLUMNS)} FROM events"

_KINDS: dict[str, frozenset[type]] = {"text": frozenset({str}), "list": frozenset({list}),
                                      "object": frozenset({dict}),
                                      "number": frozenset({int, float})}
_PRECISIONS = frozenset({"day", "month", "year", "range"})
_QUALIFIERS = frozenset({None, "approximate", "uncertain", "approximate_uncertain"})
_HEX64 = re.compile(r"[0-9a-f]{64}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class CorruptEvent(IntegrityError):
    """A row of the log does not match its hashes, or holds a value factbase never writes:
    it was changed outside factbase. ``column`` names the malformed column, when one is."""

    def __init__(self, message: str, seq: int | None = None, column: str | None = None
                 ) -> None:
        self.column = column
        super().__init__(message, seq)


def checking(conn: Connection) -> bool:
    """Whether reads on ``conn`` check hashes (:data:`CHECK_OPTION`, default True)."""
    return bool(conn.get_execution_options().get(CHECK_OPTION, True))


def select_rows() -> Select[Any]:
    """``SELECT`` every column of ``events`` with the stored values: the date and instant
    columns untyped (SQLite gives their text, PostgreSQL its own date and timestamp values),
    so a malformed value reaches :func:`decode`, which names it."""
    cols: list[Any] = []
    for c in events.columns:
        if c.name in ("valid_from", "valid_to", "instant", "recorded_at"):
            cols.append(type_coerce(c, Text).label(c.name))
        else:
            cols.append(c)
    return select(*cols)


# --- hashes ------------------------------------------------------------------------------

_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
#: A string as that encoder writes it (its own string function, called directly).
_STRING = encode_basestring
#: The hashed columns in key order (canonical JSON sorts keys), as row indexes.
_SORTED = tuple((f'"{c}":', COLUMNS.index(c)) for c in sorted(HASHED_COLUMNS))


def _json_value(value: Any, column: str) -> str:
    """``value`` as canonical JSON writes it after :func:`factbase.store.chain._plain`."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is str:
        return _ENCODE(value)
    if kind is int:
        return str(value)
    if isinstance(value, datetime):
        return _ENCODE(format_utc(value))
    if isinstance(value, date):
        return f'"{value.isoformat()}"'
    if isinstance(value, bytes | bytearray | memoryview):
        raise _Malformed(column, "binary data (a BLOB) where factbase writes text")
    return _ENCODE(value)  # a float: hashed as JSON prints it (never written by factbase)


def row_hash(row: Sequence[Any]) -> str:
    """The chain hash of ``row`` (a tuple of :data:`COLUMNS`): exactly
    :func:`factbase.store.chain.row_hash` of its values, without building a mapping."""
    parts = []
    for key, i in _SORTED:  # the common types inline: this runs for every row read
        value = row[i]
        kind = type(value)
        if kind is str:
            parts.append(key + _STRING(value))
        elif value is None:
            parts.append(key + "null")
        elif kind is int:
            parts.append(key + str(value))
        else:
            parts.append(key + _json_value(value, key[1:-2]))
    body = ",".join(parts)
    prev = row[_PREV_HASH]
    if type(prev) is not str:
        raise _Malformed("prev_hash", "not text")
    return hashlib.sha256(f"{prev}\n{{{body}}}".encode()).hexdigest()


def content_hash(row: Sequence[Any]) -> str:
    """The content hash of ``row`` recomputed from its stored columns: the SHA-256 of the
    canonical JSON of ``{type, date, at, evidence, payload, sources}``, as validation computed
    it (the payload and sources are stored as that very canonical JSON, so they are spliced
    in as stored)."""
    instant = row[_INSTANT]
    if instant is None:
        at = "null"
    else:
        moment = _instant(instant) if type(instant) is str else instant.astimezone(UTC)
        at = f'"{moment.isoformat()}"'
    payload, sources = row[_PAYLOAD], row[_SOURCES]
    if type(payload) is not str:
        raise _Malformed("payload", "binary data (a BLOB) where factbase writes JSON text"
                         if isinstance(payload, bytes) else "not JSON text")
    if type(sources) is not str:
        raise _Malformed("sources", "not JSON text")
    text = (f'{{"at":{at},"date":{_json_value(row[_DATE_TEXT], "date_text")},'
            f'"evidence":{_json_value(row[_EVIDENCE], "evidence")},"payload":{payload},'
            f'"sources":{sources},"type":{_json_value(row[_TYPE], "type")}}}')
    return hashlib.sha256(text.encode()).hexdigest()


# --- decoding ------------------------------------------------------------------------------


class _Malformed(Exception):
    def __init__(self, column: str, why: str) -> None:
        self.column = column
        self.why = why
        super().__init__(f"{column}: {why}")


def _shown(value: Any, limit: int = 40) -> str:
    from factbase.core.escape import terminal_text

    text = terminal_text(str(value))
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _who(row: Sequence[Any]) -> str:
    seq, event_id = row[_SEQ], row[_EVENT_ID]
    where = f"seq {seq}" if type(seq) is int else "seq unknown"
    if type(event_id) is str and event_id:
        return f"event {_shown(event_id, 80)} ({where})"
    return f"the event at {where}"


_CHANGED = "the log was changed outside factbase; run factbase verify"


def corrupt(row: Sequence[Any], problem: str, column: str | None = None) -> CorruptEvent:
    """The error for ``row``: ``problem`` after the event's name, then what to do."""
    seq = row[_SEQ] if type(row[_SEQ]) is int else None
    return CorruptEvent(f"{_who(row)} {problem}: {_CHANGED}", seq, column)


def malformed(row: Sequence[Any], column: str, why: str) -> CorruptEvent:
    return corrupt(row, f"has a malformed {column} ({why})", column)


@lru_cache(maxsize=8192)
def _partial_date(text: str, start: Any, end: Any, precision: str,
                  qualifier: str | None) -> PartialDate:
    # Many events share a date; PartialDate is immutable, so one object serves them all.
    return PartialDate(text=text, start=_day(start, "valid_from"), end=_day(end, "valid_to"),
                       precision=precision, qualifier=qualifier)  # type: ignore[arg-type]


def _day(value: Any, column: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if type(value) is str and _DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Malformed(column, f"{_shown(value)} is not a day YYYY-MM-DD")


@lru_cache(maxsize=4096)
def _sources(text: str) -> tuple[str, ...]:
    value = json.loads(text)
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise ValueError("not a JSON list of source ids")
    return tuple(value)


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return parse_utc(value)


def _payload(type_: str, text: str, version: int, stream: str) -> dict[str, Any]:
    """The payload stored as ``text`` in ``version``, upcast to the current vocabulary
    (:func:`factbase.core.events.upcast`) and holding the fields its type requires."""
    loaded = json.loads(text)
    if type(loaded) is not dict:
        raise _Malformed("payload", "not a JSON object")
    value: dict[str, Any] = loaded
    if version != SCHEMA_VERSION:
        value = upcast(type_, stream, value, version)
    spec = _spec(type_)
    if spec is not None:
        keys, kinds = spec
        if not keys <= value.keys():
            missing = next(k for k, _, _ in kinds if k not in value)
            raise _Malformed("payload", f"{type_} needs the field '{missing}', which is "
                             "missing")
        for key, kind, allowed in kinds:
            if type(value[key]) not in allowed:
                raise _Malformed("payload", f"its field '{key}' is not {_A[kind]}")
    return value


_Spec = tuple[frozenset[str], tuple[tuple[str, str, frozenset[type]], ...]]
#: Per type: its registry entry and the fields it requires (the keys, then each key with its
#: JSON kind and the Python types that kind decodes to), made once per entry.
_SPECS: dict[str, tuple[EventType, _Spec]] = {}
_A = {"text": "text", "list": "a list", "object": "an object", "number": "a number"}


def _spec(type_: str) -> _Spec | None:
    """The required fields of ``type_`` (:attr:`factbase.core.events.EventType.required`), or None
    for a type the vocabulary does not know."""
    entry = TYPES.get(type_)
    if entry is None:
        return None
    made = _SPECS.get(type_)
    if made is None or made[0] is not entry:
        made = _SPECS[type_] = (entry, (frozenset(k for k, _ in entry.required),
                                        tuple((k, kind, _KINDS[kind])
                                              for k, kind in entry.required)))
    return made[1]


def _event(row: Sequence[Any]) -> Event:
    """The :class:`Event` of a well-formed ``row`` (raises on anything malformed)."""
    (seq, event_id, type_, version, stream, date_text, valid_from, valid_to, precision,
     qualifier, instant, evidence, payload, sources, recorded_at) = row[:15]
    when = None if date_text is None else _partial_date(date_text, valid_from, valid_to,
                                                       precision, qualifier)
    if evidence is not None and evidence not in EVIDENCE_LEVELS:
        raise _Malformed("evidence", f"{_shown(evidence)} is not confirmed, reported or "
                         "unconfirmed")
    if type(payload) is not str or type(sources) is not str:  # json.loads would take bytes
        raise ValueError("payload or sources not text")
    return Event(seq=seq, event_id=event_id, type=type_, stream=stream, date=when,
                 instant=None if instant is None else _instant(instant), evidence=evidence,
                 payload=_payload(type_, payload, version, stream), sources=_sources(sources),
                 recorded_at=_instant(recorded_at))


def problem(row: Sequence[Any]) -> tuple[str, str] | None:
    """The first malformed column of ``row`` and why, or None when every value has the form
    factbase writes (dates, precision and qualifier agreeing with the date as written)."""
    def text(i: int, column: str, nullable: bool = False) -> bool:
        value = row[i]
        if value is None and nullable:
            return False
        if isinstance(value, bytes | bytearray | memoryview):
            raise _Malformed(column, "binary data (a BLOB) where factbase writes text")
        if type(value) is not str or (not value and not nullable):
            raise _Malformed(column, "not text" if value is None or type(value) is not str
                             else "empty")
        return True

    try:
        if type(row[_SEQ]) is not int:
            raise _Malformed("seq", "not an integer")
        text(_EVENT_ID, "event_id")
        text(_TYPE, "type")
        if type(row[_SCHEMA_VERSION]) is not int:
            raise _Malformed("schema_version", "not an integer")
        text(_STREAM, "stream")
        for i, column in ((_CONTENT_HASH, "content_hash"), (_PREV_HASH, "prev_hash"),
                          (_HASH, "hash")):
            text(i, column)
            if not _HEX64.fullmatch(row[i]):
                raise _Malformed(column, "not a SHA-256 hex digest")
        if text(_DATE_TEXT, "date_text", nullable=True):
            start = _day(row[_VALID_FROM], "valid_from")
            end = _day(row[_VALID_TO], "valid_to")
            if row[_PRECISION] not in _PRECISIONS:
                raise _Malformed("precision", f"{_shown(row[_PRECISION])} is not day, month, "
                                 "year or range")
            if row[_QUALIFIER] not in _QUALIFIERS:
                raise _Malformed("qualifier", f"{_shown(row[_QUALIFIER])} is not a date "
                                 "qualifier")
            if start > end:
                raise _Malformed("valid_from", f"{start} is after valid_to {end}")
            _derived(row, start, end)
        else:
            for i, column in ((_VALID_FROM, "valid_from"), (_VALID_TO, "valid_to"),
                              (_PRECISION, "precision"), (_QUALIFIER, "qualifier")):
                if row[i] is not None:
                    raise _Malformed(column, "set on an event without a date")
            if row[_TYPE] not in UNDATED_TYPES:
                raise _Malformed("date_text", f"missing: a {row[_TYPE]} event has a date")
        for i, column in ((_INSTANT, "instant"), (_RECORDED_AT, "recorded_at")):
            if i == _INSTANT and row[i] is None:
                continue
            if isinstance(row[i], datetime):
                continue
            text(i, column)
            try:
                parse_utc(row[i])
            except (ValueError, OverflowError):
                raise _Malformed(column, f"{_shown(row[i])} is not an instant") from None
        text(_EVIDENCE, "evidence", nullable=True)
        if row[_EVIDENCE] is not None and row[_EVIDENCE] not in EVIDENCE_LEVELS:
            raise _Malformed("evidence", f"{_shown(row[_EVIDENCE])} is not confirmed, "
                             "reported or unconfirmed")
        for i, column in ((_PAYLOAD, "payload"), (_SOURCES, "sources")):
            if isinstance(row[i], bytes | bytearray | memoryview):
                raise _Malformed(column, "binary data (a BLOB) where factbase writes JSON "
                                 "text")
            text(i, column)
            try:
                json.loads(row[i])
            except ValueError:
                raise _Malformed(column, "not valid JSON") from None
        if row[_SCHEMA_VERSION] in KNOWN_VERSIONS:  # a newer one: see decode
            _payload(row[_TYPE], row[_PAYLOAD], row[_SCHEMA_VERSION], row[_STREAM])
        try:
            _sources(row[_SOURCES])
        except ValueError:
            raise _Malformed("sources", "not a JSON list of source ids") from None
    except _Malformed as exc:
        return exc.column, exc.why
    return None


def _derived(row: Sequence[Any], start: date, end: date) -> None:
    """The date columns must be what the date as written gives (``valid_from``/``valid_to``
    are not in the content hash, only in the chain hash)."""
    from factbase.core.dates import DateError, parse_date

    try:
        parsed = parse_date(row[_DATE_TEXT])
    except (DateError, ValueError):
        raise _Malformed("date_text", f"{_shown(row[_DATE_TEXT])} is not a date") from None
    for column, stored, expected in (("valid_from", start, parsed.start),
                                     ("valid_to", end, parsed.end),
                                     ("precision", row[_PRECISION], parsed.precision),
                                     ("qualifier", row[_QUALIFIER], parsed.qualifier)):
        if stored != expected:
            raise _Malformed(column, f"{_shown(stored)} does not agree with the date "
                             f"{_shown(row[_DATE_TEXT])}")


def diagnose(row: Sequence[Any]) -> CorruptEvent:
    """Why ``row`` fails its checks, as precisely as can be told: a malformed column, else a
    content hash that does not match its content, else a chain hash that does not match the
    row (some column outside the content: its id, stream, dates, recorded time, …)."""
    found = problem(row)
    if found is not None:
        return malformed(row, *found)
    if content_hash(row) != row[_CONTENT_HASH]:
        return corrupt(row, "does not match its content hash", "content_hash")
    return corrupt(row, "does not match its chain hash", "hash")


def check(row: Sequence[Any]) -> None:
    """Raise :class:`CorruptEvent` unless ``row`` matches its chain hash and its content
    hash."""
    try:
        ok = row_hash(row) == row[_HASH] and content_hash(row) == row[_CONTENT_HASH]
    except (_Malformed, ValueError, TypeError, AttributeError, OverflowError):
        ok = False
    if not ok:
        raise diagnose(row)


def decode(row: Sequence[Any], check_hashes: bool = True) -> Event:
    """The :class:`Event` of ``row`` (a tuple of :data:`COLUMNS`), after :func:`check` when
    ``check_hashes``, its payload upcast from the row's ``schema_version`` to the current
    vocabulary (:func:`factbase.core.events.upcast`; the stored row is not changed). The one
    decoder of stored events: every read of the log goes through it.

    Raises :class:`factbase.core.errors.SchemaError` naming the event (id, seq) and the versions
    this factbase reads when a newer factbase wrote the row, and :class:`CorruptEvent` naming
    the event (and the column, for a malformed value) instead of any other exception."""
    if check_hashes:
        check(row)
    version = row[_SCHEMA_VERSION]
    if type(version) is int and version not in KNOWN_VERSIONS:
        raise SchemaError(f"{_who(row)} {UnknownVersion(version)}")
    try:
        return _event(row)
    except _Malformed as exc:
        raise malformed(row, exc.column, exc.why) from None
    except (ValueError, TypeError, AttributeError, KeyError, OverflowError,
            RecursionError):
        found = problem(row)
        if found is not None:
            raise malformed(row, *found) from None
        raise corrupt(row, "could not be read") from None


def decode_all(conn: Connection, rows: Iterable[Sequence[Any]]) -> list[Event]:
    """:func:`decode` each row, checking hashes unless ``conn`` says not to."""
    check_hashes = checking(conn)
    return [decode(r, check_hashes) for r in rows]


def as_mapping_row(row: Any) -> tuple[Any, ...]:
    """A tuple of :data:`COLUMNS` from a mapping row (``select(events)`` with ``.mappings()``)
    or a plain row in column order."""
    if hasattr(row, "keys"):
        return tuple(row[c] for c in COLUMNS)
    return tuple(row)


__all__ = [
    "CHECK_OPTION", "COLUMNS", "SQLITE_SELECT", "CorruptEvent", "check",
    "checking", "content_hash", "decode", "decode_all", "diagnose", "problem", "row_hash",
    "select_rows",
]
