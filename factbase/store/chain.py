"""The hash chain over the log: each row's hash covers its content and the previous row's hash.

``hash(n) = SHA-256(hash(n-1) + "\\n" + canonical JSON of row n's hashed columns)``, with
``hash(0)`` = 64 zeros (:data:`GENESIS`). Because ``seq`` is hashed and must run 1, 2, 3…, a
changed byte in any column, a deleted row, a swapped pair and an inserted row all break the
chain at the first affected ``seq``. (A cut-off *tail* needs an anchor: a head hash published
earlier.)

This module is the one seam for the chain: a chain per stream with a Merkle root over stream
heads could replace it without touching the rest (DESIGN §7).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from factbase.events import canonical_json, sha256
from factbase.store.schema import format_utc

GENESIS = "0" * 64

HASHED_COLUMNS = (
    "seq", "event_id", "type", "schema_version", "stream", "date_text", "valid_from",
    "valid_to", "precision", "qualifier", "instant", "evidence", "payload", "sources",
    "recorded_at", "content_hash",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def row_hash(prev_hash: str, row: Mapping[Any, Any]) -> str:
    """The chain hash of ``row`` (a mapping with every :data:`HASHED_COLUMNS` key)."""
    body = canonical_json({c: _plain(row[c]) for c in HASHED_COLUMNS})
    return sha256(prev_hash + "\n" + body)


@dataclass(frozen=True)
class ChainReport:
    """What :func:`check_chain` found: ``count`` rows checked, ``head`` hash, first ``bad_seq``."""

    count: int
    head: str
    bad_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.bad_seq is None


def check_chain(rows: Iterable[Mapping[Any, Any]],
                anchor: tuple[int, str] | None = None) -> ChainReport:
    """Walk ``rows`` in ``seq`` order and report the first break, if any.

    Each row needs the hashed columns plus ``prev_hash`` and ``hash``. Rows must come sorted
    by ``seq`` (the query's ORDER BY); a gap or repeat in ``seq`` is itself a break.
    ``anchor`` (``(seq, hash)``, published earlier by ``verify --anchor``; a hash prefix of at
    least 16 hex digits is accepted) must match the chain at that ``seq``: a log rewritten
    from scratch, or cut short, passes the chain check but fails its anchor.
    """
    report = _walk(rows, anchor)
    if report.ok and anchor is not None and report.count < anchor[0]:
        return ChainReport(report.count, report.head, report.count + 1,
                           f"the log holds {report.count} events but the anchor names event "
                           f"{anchor[0]}: events were removed from its end")
    return report


def _walk(rows: Iterable[Mapping[Any, Any]], anchor: tuple[int, str] | None) -> ChainReport:
    expected_seq = 1
    prev = GENESIS
    count = 0
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            what = "missing" if seq > expected_seq else "repeated or out of order"
            return ChainReport(count, prev, expected_seq,
                               f"sequence number {expected_seq} is {what} (found {seq})")
        if row["prev_hash"] != prev:
            return ChainReport(count, prev, seq,
                               f"event {seq} does not link to the event before it")
        computed = row_hash(prev, row)
        if computed != row["hash"]:
            return ChainReport(count, prev, seq,
                               f"event {seq} was changed after it was recorded")
        if anchor is not None and seq == anchor[0] and not computed.startswith(anchor[1]):
            return ChainReport(count, prev, seq,
                               f"event {seq} does not match the published anchor: the log "
                               "was rewritten up to there")
        prev = computed
        expected_seq += 1
        count += 1
    return ChainReport(count, prev)
