"""What ``verify`` checks besides the hash chain: that the database still guards the log, and
that the search index still indexes its documents. Each check reads only (``verify`` runs
beside writers, inside one read transaction) and returns ``(problems, what it checked)``.

* **The append-only guards** (:mod:`factbase.store.guards`). SQLite: both triggers exist on
  ``events`` with the very SQL factbase creates (a trigger of the same name that does nothing
  is not a guard). PostgreSQL: both triggers exist on ``events`` and are enabled (``ALTER
  TABLE … DISABLE TRIGGER`` or ``ENABLE REPLICA TRIGGER`` switch them off), their function
  still raises, and no rule rewrites commands on ``events``.
* **The search index.** SQLite: the FTS5 table ``search_docs_fts`` exists and indexes exactly
  the rows of ``search_docs`` — read from the shadow tables FTS5 documents ("Appendix B" of
  the FTS5 manual: ``%_docsize`` holds each row's token count, the ``%_data`` record with id 1
  the row count and the total), compared with the documents' lengths (the ``trigram``
  tokenizer makes ``length - 2`` tokens of a text), and a sample of documents looked up
  through the index. FTS5's own ``integrity-check`` command is an INSERT, which would wait for
  the write lock. PostgreSQL indexes an expression of ``search_docs.folded``, which the server
  keeps in step itself: the indexes must exist and be valid.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

from factbase.store.guards import create_statements
from factbase.store.schema import FTS_SQL, FTS_TABLE, PG_SEARCH_INDEXES, has_fts

#: Documents looked up through the full-text index by :func:`search_index`.
SAMPLE = 24
_SQLITE_GUARDS = ("events_no_update", "events_no_delete")
_PG_GUARDS = ("events_no_update_delete", "events_no_truncate")


def _normal(sql: str) -> str:
    """SQL text compared without its layout (and ``IF NOT EXISTS``, which SQLite drops)."""
    return " ".join(sql.replace("IF NOT EXISTS ", "").split())


# --- the guards ----------------------------------------------------------------------------


def guards(conn: Connection) -> tuple[list[str], str]:
    """The append-only guards of the log: problems (empty when every guard is in place) and
    what was checked."""
    if conn.dialect.name == "sqlite":
        return _sqlite_guards(conn)
    return _pg_guards(conn)


_RESTORE = ("run `factbase init` to put them back, then `factbase verify` again (it shows "
            "whether the log was changed meanwhile)")


def _sqlite_guards(conn: Connection) -> tuple[list[str], str]:
    expected = {name: _normal(sql) for name, sql in zip(_SQLITE_GUARDS,
                                                         create_statements("sqlite"),
                                                         strict=True)}
    found = {r[0]: _normal(r[1] or "") for r in conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'")}
    missing = [n for n in _SQLITE_GUARDS if n not in found]
    changed = [n for n in _SQLITE_GUARDS if n in found and found[n] != expected[n]]
    problems = []
    if missing:
        problems.append(_guards(missing, "is", "are", "missing from the database: UPDATE and "
                                "DELETE on the log are no longer refused"))
    if changed:
        problems.append(_guards(changed, "was", "were", "replaced by other SQL: UPDATE and "
                                "DELETE on the log may no longer be refused"))
    return problems, "append-only triggers in place"


def _guards(names: list[str], one: str, many: str, what: str) -> str:
    """One problem line about append-only guards ``names`` (``one``/``many``: the verb)."""
    return (f"the append-only guard{_s(names)} {_names(names)} "
            f"{one if len(names) == 1 else many} {what}; " + _RESTORE)


def _pg_guards(conn: Connection) -> tuple[list[str], str]:
    found = {r[0]: (r[1], r[2]) for r in conn.exec_driver_sql(
        "SELECT t.tgname, t.tgenabled, p.prosrc FROM pg_trigger t "
        "JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE t.tgrelid = to_regclass('events') AND NOT t.tgisinternal")}
    missing = [n for n in _PG_GUARDS if n not in found]
    off = [n for n in _PG_GUARDS if n in found and found[n][0] not in ("O", "A")]
    hollow = [n for n in _PG_GUARDS if n in found and "RAISE" not in found[n][1].upper()]
    rules = [r[0] for r in conn.exec_driver_sql(
        "SELECT rulename FROM pg_rules WHERE schemaname = current_schema() "
        "AND tablename = 'events'")]
    problems = []
    if missing:
        problems.append(_guards(missing, "is", "are", "missing from the database: UPDATE, "
                                "DELETE and TRUNCATE on the log are no longer refused"))
    if off:
        problems.append(_guards(off, "is", "are", "disabled (ALTER TABLE events DISABLE "
                                "TRIGGER): the log is no longer protected"))
    if hollow:
        problems.append(f"the function of the append-only guard{_s(hollow)} "
                        f"{_names(hollow)} no longer raises: the log is no longer protected; "
                        + _RESTORE)
    if rules:
        problems.append(f"rule{_s(rules)} {_names(rules)} rewrite{'s' if len(rules) == 1 else ''}"
                        " commands on the log: drop "
                        f"{'it' if len(rules) == 1 else 'them'} (DROP RULE … ON events)")
    return problems, "append-only triggers in place"


def _s(items: Sequence[Any]) -> str:
    return "" if len(items) == 1 else "s"


def _names(items: Sequence[str]) -> str:
    return ", ".join(items)


# --- the search index ----------------------------------------------------------------------


def search_index(conn: Connection) -> tuple[list[str], str]:
    """Whether the full-text index indexes exactly ``search_docs``: problems and what was
    checked."""
    if conn.dialect.name == "postgresql":
        return _pg_search_index(conn)
    if conn.dialect.name != "sqlite":
        return [], "no search index to check"
    import sqlite3

    if not has_fts(conn):
        if sqlite3.sqlite_version_info < (3, 34, 0):
            return [], "no search index (SQLite before 3.34 has no trigram tokenizer)"
        return [f"the search index {FTS_TABLE} is missing from the database: search reads "
                "every document instead; run `factbase init` to put it back"], ""
    from sqlalchemy.exc import DBAPIError

    try:
        return _sqlite_search_index(conn)
    except (sqlite3.DatabaseError, DBAPIError) as exc:  # FTS5 reports damage as corruption
        why = getattr(exc, "orig", None) or exc
        return [f"the search index {FTS_TABLE} is damaged ({why}); run `factbase rebuild`"], ""


#: The varint FTS5 writes for a count ``n`` (SQLite's varint: 7 bits a byte, high bit set on
#: all but the last), as upper-case hex — what ``hex()`` of a one-column docsize blob gives.
_VARINT_HEX = (
    "CASE WHEN n < 128 THEN printf('%02X', n) "
    "WHEN n < 16384 THEN printf('%02X%02X', 128 | (n >> 7), n & 127) "
    "WHEN n < 2097152 THEN printf('%02X%02X%02X', 128 | (n >> 14), 128 | ((n >> 7) & 127), "
    "n & 127) "
    "ELSE printf('%02X%02X%02X%02X', 128 | (n >> 21), 128 | ((n >> 14) & 127), "
    "128 | ((n >> 7) & 127), n & 127) END")
_TOKENS = "max(0, length(d.folded) - 2)"  # the trigram tokenizer: one token per 3 characters


def _varints(blob: bytes) -> list[int]:
    out, value = [], 0
    for byte in blob:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            out.append(value)
            value = 0
    return out


def _sqlite_search_index(conn: Connection) -> tuple[list[str], str]:
    def one(sql: str, *params: Any) -> Any:
        return conn.exec_driver_sql(sql, tuple(params)).first()

    docs, tokens = one(f"SELECT count(*), coalesce(sum({_TOKENS}), 0) FROM search_docs d")
    unindexed = one(f"SELECT count(*) FROM search_docs d WHERE NOT EXISTS (SELECT 1 FROM "
                    f"{FTS_TABLE}_docsize z WHERE z.id = d.id)")[0]
    stray = one(f"SELECT count(*) FROM {FTS_TABLE}_docsize z WHERE NOT EXISTS (SELECT 1 FROM "
                "search_docs d WHERE d.id = z.id)")[0]
    sized = one(f"SELECT count(*) FROM (SELECT hex(z.sz) AS sz, {_TOKENS} AS n FROM "
                f"search_docs d JOIN {FTS_TABLE}_docsize z ON z.id = d.id) WHERE sz != "
                f"{_VARINT_HEX}")[0]
    averages = one(f"SELECT block FROM {FTS_TABLE}_data WHERE id = 1")
    counts = _varints(bytes(averages[0])) if averages and averages[0] is not None else []
    indexed_rows, indexed_tokens = (counts + [0, 0])[:2]
    problems = []
    fix = "; run `factbase rebuild`"
    if unindexed or stray or sized:
        parts = [f"{unindexed} document{'s' if unindexed != 1 else ''} not indexed"] * bool(
            unindexed) + [f"{stray} indexed row{'s' if stray != 1 else ''} with no document"] \
            * bool(stray) + [f"{sized} indexed under another text"] * bool(sized)
        problems.append(f"the search index {FTS_TABLE} does not match search_docs "
                        f"({', '.join(parts)}){fix}")
    elif (indexed_rows, indexed_tokens) != (docs, tokens):
        problems.append(f"the search index {FTS_TABLE} does not match search_docs (it counts "
                        f"{indexed_rows} documents and {indexed_tokens} trigrams; search_docs "
                        f"holds {docs} and {tokens}){fix}")
    else:
        lost = _lookups(conn, docs)
        if lost:
            problems.append(f"the search index {FTS_TABLE} does not find {lost} of the "
                            f"documents looked up in it{fix}")
    return problems, f"search index matches its {docs} document{'s' if docs != 1 else ''}"


def _lookups(conn: Connection, docs: int) -> int:
    """Look up :data:`SAMPLE` documents, spread over ``search_docs``, through the index by
    their first trigram; how many it does not find."""
    step = max(1, docs // SAMPLE)
    sample = conn.exec_driver_sql(
        "SELECT id, folded FROM search_docs WHERE id % ? = 0 AND length(folded) >= 3 "
        "LIMIT ?", (step, SAMPLE)).fetchall()
    lost = 0
    for doc_id, folded in sample:
        trigram = folded[:3]
        if '"' in trigram or not re.search(r"\S", trigram):
            continue
        hit = conn.exec_driver_sql(
            f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? AND rowid = ?",
            (f'"{trigram}"', doc_id)).scalar()
        lost += not hit
    return lost


def _pg_search_index(conn: Connection) -> tuple[list[str], str]:
    found = {r[0]: bool(r[1]) for r in conn.exec_driver_sql(
        "SELECT c.relname, i.indisvalid AND i.indisready FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = to_regclass('search_docs')")}
    trgm = conn.exec_driver_sql(
        "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first() is not None
    wanted = sorted(n for n in PG_SEARCH_INDEXES if trgm or "trgm" not in n)
    missing = [n for n in wanted if n not in found]
    broken = [n for n in wanted if n in found and not found[n]]
    problems = []
    if missing:
        problems.append(f"the search index{'es' if len(missing) > 1 else ''} "
                        f"{_names(missing)} {'is' if len(missing) == 1 else 'are'} missing "
                        "from the database: search reads every document instead; run "
                        "`factbase init` to put "
                        f"{'it' if len(missing) == 1 else 'them'} back")
    if broken:
        problems.append(f"the search index{'es' if len(broken) > 1 else ''} {_names(broken)} "
                        f"{'is' if len(broken) == 1 else 'are'} not valid (a failed CREATE "
                        "INDEX CONCURRENTLY?); run REINDEX INDEX on "
                        f"{'it' if len(broken) == 1 else 'them'}")
    return problems, "search indexes in place (PostgreSQL keeps them in step)"



# --- putting them back (factbase init) -----------------------------------------------------

#: PostgreSQL's search indexes, as revision 0004_pg_search creates them (keep in step).
_PG_INDEX_SQL = {
    "ix_search_docs_folded_tsv": "CREATE INDEX IF NOT EXISTS ix_search_docs_folded_tsv ON "
                                 "search_docs USING gin (to_tsvector('simple', folded))",
    "ix_search_docs_folded_trgm": "CREATE INDEX IF NOT EXISTS ix_search_docs_folded_trgm ON "
                                  "search_docs USING gin (folded gin_trgm_ops)",
}


def restore(conn: Connection) -> list[str]:
    """Put back what :func:`guards` and :func:`search_index` find missing or changed, and on
    PostgreSQL the role ``sql`` runs as (:func:`factbase.store.reader.setup`, when the
    connecting user may), inside the caller's write transaction; returns what was restored
    (empty when all was in place). The log itself is not touched: ``verify`` still shows
    whether it was changed meanwhile."""
    from factbase.store.guards import create_log_guards, drop_log_guards

    done = []
    problems, _ = guards(conn)
    if problems:
        drop_log_guards(conn)
        create_log_guards(conn)
        done.append("the append-only triggers")
    if conn.dialect.name == "sqlite":
        import sqlite3

        if not has_fts(conn) and sqlite3.sqlite_version_info >= (3, 34, 0):
            conn.exec_driver_sql(FTS_SQL)
            conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
            done.append(f"the search index {FTS_TABLE}")
    elif conn.dialect.name == "postgresql":
        problems, _ = _pg_search_index(conn)
        if problems:
            trgm = conn.exec_driver_sql(
                "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first() is not None
            for name, sql in _PG_INDEX_SQL.items():
                if trgm or "trgm" not in name:
                    conn.exec_driver_sql(sql)
                    conn.exec_driver_sql(f"REINDEX INDEX {name}")
            done.append("the search indexes")
        from factbase.store import reader

        if (reader.missing(conn) is not None or reader.problems(conn)[0]) and \
                reader.setup(conn):
            done.append(f"the sql reader role {reader.ROLE}")
    return done


__all__ = ["guards", "restore", "search_index"]
