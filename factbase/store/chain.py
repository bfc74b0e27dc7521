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

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from factbase.core.events import canonical_json, sha256
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
    """What :func:`check_chain` found: ``count`` rows checked, ``head`` hash, first ``bad_seq``.

    ``short``: the chain itself is sound but ends before the anchor's event (``bad_seq`` is
    then the first missing one), so the problem is the log's length, not a break.
    ``content``: the chain is sound up to ``bad_seq``, whose row does not match its content
    hash (a row rewritten with its chain hash recomputed)."""

    count: int
    head: str
    bad_seq: int | None = None
    problem: str | None = None
    short: bool = False
    content: bool = False

    @property
    def ok(self) -> bool:
        return self.bad_seq is None


def check_chain(rows: Iterable[Mapping[Any, Any]],
                anchor: tuple[int, str] | None = None,
                explain: Callable[[Mapping[Any, Any]], str | None] | None = None,
                content: Callable[[Mapping[Any, Any]], bool] | None = None) -> ChainReport:
    """Walk ``rows`` in ``seq`` order and report the first break, if any.

    Each row needs the hashed columns plus ``prev_hash`` and ``hash``. Rows must come sorted
    by ``seq`` (the query's ORDER BY); a gap or repeat in ``seq`` is itself a break.
    ``anchor`` (``(seq, hash)``, published earlier by ``verify --anchor``; a hash prefix of at
    least 16 hex digits is accepted) must match the chain at that ``seq``: a log rewritten
    from scratch, or cut short, passes the chain check but fails its anchor.
    ``explain(row)``, for a row that was changed, may say what is malformed in it (added to
    the problem in brackets). ``content(row)``, for a row whose chain hash matches, says
    whether its content hash matches its content too.
    """
    report = _walk(rows, anchor, explain, content)
    if report.ok and anchor is not None and report.count < anchor[0]:
        held = f"{report.count} event{'s' if report.count != 1 else ''}"
        return ChainReport(report.count, report.head, report.count + 1,
                           f"the anchor is at event {anchor[0]} but the log holds {held}: "
                           "events were removed, or the anchor is from another database",
                           short=True)
    return report


def _walk(rows: Iterable[Mapping[Any, Any]], anchor: tuple[int, str] | None,
          explain: Callable[[Mapping[Any, Any]], str | None] | None,
          content: Callable[[Mapping[Any, Any]], bool] | None) -> ChainReport:
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
        try:
            computed = row_hash(prev, row)
        except (TypeError, ValueError):  # a value JSON cannot hold (a BLOB): changed too
            computed = None
        if computed is None or computed != row["hash"]:
            why = explain(row) if explain is not None else None
            return ChainReport(count, prev, seq,
                               f"event {seq} was changed after it was recorded"
                               + (f" ({why})" if why else ""))
        if anchor is not None and seq == anchor[0] and not computed.startswith(anchor[1]):
            return ChainReport(count, prev, seq,
                               f"event {seq} does not match the published anchor: the log "
                               "was rewritten up to there")
        if content is not None and not content(row):
            return ChainReport(count, prev, seq,
                               f"event {seq} does not match its content hash, though its chain "
                               "hash does: the log was rewritten outside factbase with its "
                               "chain recomputed; check it against a published anchor "
                               "(verify --check-anchor)", content=True)
        prev = computed
        expected_seq += 1
        count += 1
    return ChainReport(count, prev)


# --- the fast path on SQLite ---------------------------------------------------------------
# Decoding each row and building its preimage in Python costs many times the SHA-256 itself.
# On SQLite the query can build the preimage: the canonical JSON of a flat object of strings,
# integers and NULLs is ``json_object`` of the columns with the keys in sorted order — it
# writes no spaces and escapes strings exactly as ``json.dumps(..., ensure_ascii=False)``
# does (quote, backslash and the control characters: the same short forms and lower-case
# ``\u00XX``; everything else as is). Dates and instants are stored as the very text
# ``_plain`` formats, so the bytes are the same. Anything this path cannot vouch for — a hash
# mismatch, a broken link, a gap in ``seq``, a value of another type (a REAL prints
# differently; json_object refuses a BLOB) — sends the caller to :func:`check_chain`, the
# exact walk, which finds and names the first bad row.


def sqlite_preimage_sql() -> str:
    """A SQLite expression for ``prev_hash + "\\n" + canonical JSON`` of a row's hashed
    columns, as UTF-8 bytes: the exact preimage :func:`row_hash` hashes, for well-formed rows."""
    fields = ", ".join(f"'{c}', \"{c}\"" for c in sorted(HASHED_COLUMNS))
    return f"CAST(prev_hash || char(10) || json_object({fields}) AS BLOB)"


def sqlite_content_preimage_sql() -> str:
    """A SQLite expression for the canonical JSON the content hash covers (see
    :func:`factbase.store.rows.content_hash`), as UTF-8 bytes, for well-formed rows: the
    payload and sources are stored as that canonical JSON, and an instant stored as
    ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` is hashed as Python's ``isoformat()`` writes it."""
    at = ("CASE WHEN instant IS NULL THEN 'null' "
          "WHEN substr(instant, 21, 6) = '000000' THEN '\"' || substr(instant, 1, 19) || "
          "'+00:00\"' ELSE '\"' || substr(instant, 1, 26) || '+00:00\"' END")
    return (f"CAST('{{\"at\":' || {at} || ',\"date\":' || json_quote(date_text) || "
            "',\"evidence\":' || json_quote(evidence) || ',\"payload\":' || payload || "
            "',\"sources\":' || sources || ',\"type\":' || json_quote(type) || '}' AS BLOB)")


def fast_check_sqlite(cursor: Any, anchor: tuple[int, str] | None = None,
                      batch: int = 20_000) -> ChainReport | None:
    """Check the whole chain of a SQLite log through a raw DBAPI ``cursor`` (inside the
    caller's transaction, so both queries see one snapshot), hashing preimages built by the
    query (:func:`sqlite_preimage_sql`).

    Returns the report when ``seq`` runs 1..n without a gap, every row links to the one
    before and hashes to its stored hash, its content hashes to its content hash
    (:func:`sqlite_content_preimage_sql`), and the ``anchor`` (if given) matches; otherwise
    None — then :func:`check_chain` over the decoded rows finds and names the first bad row.
    Never returns a report the exact walk would not give.
    """
    n, low, high = cursor.execute("SELECT count(*), min(seq), max(seq) FROM events").fetchone()
    if n and (low != 1 or high != n):  # seq is the primary key: 1..n exactly when this holds
        return None
    if anchor is not None and not 1 <= anchor[0] <= n:
        return None
    cursor.execute(f"SELECT CAST(hash AS BLOB), {sqlite_preimage_sql()}, "
                   f"CAST(content_hash AS BLOB), {sqlite_content_preimage_sql()} "
                   "FROM events ORDER BY seq")
    sha = hashlib.sha256
    prev, seen, anchored = GENESIS.encode(), 0, None
    while rows := cursor.fetchmany(batch):
        for stored, preimage, stored_content, content in rows:
            # preimage starts with this row's prev_hash: it must be the hash before it
            if (type(preimage) is not bytes or not preimage.startswith(prev)
                    or preimage[64:65] != b"\n"
                    or sha(preimage).hexdigest().encode() != stored
                    or type(content) is not bytes
                    or sha(content).hexdigest().encode() != stored_content):
                return None
            prev = stored
        seen += len(rows)
        if anchor is not None and anchored is None and seen >= anchor[0]:
            anchored = rows[anchor[0] - seen - 1][0].decode()
    if seen != n or (anchor is not None and not (anchored or "").startswith(anchor[1])):
        return None
    return ChainReport(n, prev.decode() if n else GENESIS)
