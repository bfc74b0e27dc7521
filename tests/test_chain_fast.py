"""The SQLite fast path of the chain check builds the very preimage :func:`row_hash` hashes,
and never passes a log the exact walk would reject (it only ever defers to it)."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from factbase.core.events import canonical_json
from factbase.store.chain import (
    GENESIS,
    HASHED_COLUMNS,
    check_chain,
    fast_check_sqlite,
    row_hash,
    sqlite_content_preimage_sql,
    sqlite_preimage_sql,
)
from factbase.store.rows import COLUMNS, content_hash
from factbase.store.schema import format_utc

_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
_ROW = st.fixed_dictionaries({
    c: (_TEXT | st.none()) for c in HASHED_COLUMNS
    if c not in ("seq", "schema_version", "payload", "sources")
} | {"schema_version": st.integers(0, 3), "payload": _TEXT, "sources": _TEXT})


def _content_hash(conn: sqlite3.Connection, row: dict[str, Any]) -> str:
    """The content hash the fast path recomputes for ``row`` (payload and sources are NOT
    NULL in the real table; whether the SQL content preimage is Python's is tested below)."""
    columns = ("instant", "date_text", "evidence", "payload", "sources", "type")
    (preimage,) = conn.execute(
        f"SELECT {sqlite_content_preimage_sql()} FROM (SELECT "
        + ", ".join(f"? AS {c}" for c in columns) + ")",
        tuple(row[c] for c in columns)).fetchone()
    return hashlib.sha256(preimage).hexdigest()


def _log(rows: list[dict[str, Any]]) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    """An in-memory ``events`` table holding ``rows`` chained with :func:`row_hash`, each with
    the content hash of its content."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, "
                 + ", ".join(f'"{c}"' for c in HASHED_COLUMNS if c != "seq")
                 + ", prev_hash TEXT, hash TEXT)")
    prev, out = GENESIS, []
    for seq, body in enumerate(rows, 1):
        row = {**body, "seq": seq, "prev_hash": prev}
        row["content_hash"] = _content_hash(conn, row)
        row["hash"] = prev = row_hash(prev, row)
        out.append(row)
        names = ", ".join(f'"{c}"' for c in row)
        conn.execute(f"INSERT INTO events ({names}) VALUES ({', '.join('?' * len(row))})",
                     tuple(row.values()))
    return conn, out


@settings(max_examples=100, deadline=None)
@given(st.lists(_ROW, min_size=1, max_size=4))
def test_the_sql_preimage_is_the_python_preimage_for_any_text(rows: list[dict[str, Any]]
                                                                ) -> None:
    conn, stored = _log(rows)
    built = conn.execute(f"SELECT {sqlite_preimage_sql()} FROM events ORDER BY seq").fetchall()
    prev = GENESIS
    for (preimage,), row in zip(built, stored, strict=True):
        assert row_hash(prev, row) == row["hash"]
        assert preimage.decode() == prev + "\n" + canonical_json(
            {c: row[c] for c in HASHED_COLUMNS})
        prev = row["hash"]
    report = fast_check_sqlite(conn.cursor())
    assert report == check_chain(stored)
    assert report is not None and report.ok


@settings(max_examples=100, deadline=None)
@given(st.lists(_ROW, min_size=2, max_size=4), st.data())
def test_the_fast_path_defers_on_any_edited_column(rows: list[dict[str, Any]],
                                                   data: st.DataObject) -> None:
    conn, stored = _log(rows)
    seq = data.draw(st.integers(1, len(stored)), label="seq")
    column = data.draw(st.sampled_from([*(c for c in HASHED_COLUMNS if c != "seq"),
                                        "prev_hash", "hash"]), label="column")
    value = stored[seq - 1][column]
    new: Any = (value + 1 if isinstance(value, int) else
                "x" if value is None else value[:-1] + ("x" if value[-1:] != "x" else "y"))
    conn.execute(f'UPDATE events SET "{column}" = ? WHERE seq = ?', (new, seq))
    assert fast_check_sqlite(conn.cursor()) is None


def test_a_missing_row_is_left_to_the_exact_walk() -> None:
    conn, _ = _log([{c: str(i) for c in HASHED_COLUMNS if c != "seq"} for i in range(3)])
    conn.execute("DELETE FROM events WHERE seq = 2")
    assert fast_check_sqlite(conn.cursor()) is None
    conn.execute("DELETE FROM events WHERE seq = 1")
    assert fast_check_sqlite(conn.cursor()) is None  # 3 alone: does not start at 1


def test_values_the_fast_path_cannot_vouch_for_are_left_to_the_exact_walk() -> None:
    conn, _ = _log([{c: "a" for c in HASHED_COLUMNS if c != "seq"}])
    conn.execute("UPDATE events SET payload = 1.0e20")  # a REAL: printed unlike json.dumps
    assert fast_check_sqlite(conn.cursor()) is None
    conn.execute("UPDATE events SET payload = x'00'")  # a BLOB: json_object refuses it
    try:
        result = fast_check_sqlite(conn.cursor())
    except sqlite3.Error:
        result = None
    assert result is None


def test_an_anchor_is_checked_at_its_seq() -> None:
    conn, stored = _log([{c: str(i) for c in HASHED_COLUMNS if c != "seq"} for i in range(5)])
    cur = conn.cursor()
    assert fast_check_sqlite(cur, (3, stored[2]["hash"][:16])) == check_chain(stored)
    assert fast_check_sqlite(cur, (3, stored[1]["hash"][:16])) is None
    assert fast_check_sqlite(cur, (6, stored[4]["hash"][:16])) is None  # past the head


_CONTENT = st.fixed_dictionaries({
    "instant": st.none() | st.datetimes(timezones=st.just(UTC)).map(format_utc),
    "date_text": _TEXT | st.none(), "evidence": _TEXT | st.none(), "type": _TEXT,
    "payload": st.dictionaries(_TEXT, _TEXT | st.integers(), max_size=3).map(canonical_json),
    "sources": st.lists(_TEXT, max_size=3).map(canonical_json)})


@settings(max_examples=200, deadline=None)
@given(_CONTENT)
def test_the_sql_content_preimage_is_the_python_one(content: dict[str, Any]) -> None:
    """For the values factbase stores (an instant as format_utc writes it, canonical JSON
    payload and sources), the fast path's content hash is the exact one of rows.py."""
    conn = sqlite3.connect(":memory:")
    row = tuple(content.get(c) for c in COLUMNS)
    assert _content_hash(conn, content) == content_hash(row)
