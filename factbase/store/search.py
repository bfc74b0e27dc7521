"""``factbase search``: ranked full-text hits over events, entity names and source titles.

The texts live in the ``search_docs`` projection (:mod:`factbase.store.projections`): each
effective event's summary, note, accounts and other text, every entity's names and aliases,
every source's title and publisher — each with its folded form (:func:`factbase.core.names.fold`,
the one folding look-ups and redaction use: NFKC, case, diacritics, invisible characters,
spaces between Chinese characters, traditional to simplified Chinese). The query is folded the
same way, so ``吳宇懷`` and ``吴 宇 怀`` find ``吴宇怀`` and ``TONY`` finds ``Tony``.

**Names first.** A query that names an entity — as ``factbase who`` would find it, by the
look-up keys of :func:`factbase.store.lookup.matches` (word order, ``Wu, Yuhuai``, ``Wu Yu-huai``,
``TonyWu``, pinyin) — lists that entity first, whether or not its words occur in the text;
such hits share the best rank of the result (0 when no text hit ranks better).

On SQLite the FTS5 table ``search_docs_fts`` indexes the folded text with the ``trigram`` tokenizer
(SQLite >= 3.34), which finds any substring of three or more characters — Chinese needs no
word segmentation — and ranks hits by bm25. Words of the query must all occur (in any order);
a query in double quotes is one phrase. Words shorter than three characters, and SQLite
databases without FTS5, use ``LIKE`` on the folded text instead, ranked by the length of the
text (shorter, more specific texts first).

On PostgreSQL (revision 0004_pg_search) a word in Latin or another spaced script matches the
start of a word of the text (``to_tsvector('simple', folded) @@ 'word':*``: no stemming, no
stop words, so names match as written), and hits are ranked by ``ts_rank`` (normalised by the
text's length, so short, dense texts such as names come first), then by length. Words in Han
script, quoted phrases and words without letters or digits match as substrings with ``LIKE``
(served by a ``pg_trgm`` index where the extension is installed): the ``simple`` parser keeps
a run of Chinese characters as one token, so ``吴宇怀`` would not be found inside a sentence.
The one difference from SQLite: a word never matches in the middle of another word there
(``ony`` does not find ``Tony``).

``as_of`` (valid time) hides events that had not yet happened by then (their interval starts
after it); events that may or may not have happened are shown as uncertain. Entities and
sources are not in valid time and are always searched.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.engine import Connection

from factbase.core.names import has_han, to_simplified
from factbase.core.results import Hit
from factbase.store.lookup import matches
from factbase.store.projections import fold_text
from factbase.store.schema import FTS_TABLE, entities, has_fts, search_docs, sources

__all__ = ["Hit", "search"]

#: The FTS5 index (SQLite only; created by a migration, outside the models).
_fts = table(FTS_TABLE, column("rowid"), column("rank"), column(FTS_TABLE))


_QUOTED = re.compile(r'"([^"]*)"')


def terms(query: str) -> list[str]:
    """The folded search terms of ``query``: quoted phrases whole, other words one by one."""
    folded = fold_text(query)
    phrases = [p.strip() for p in _QUOTED.findall(folded) if p.strip()]
    rest = _QUOTED.sub(" ", folded).replace('"', " ")
    return phrases + rest.split()


def search(conn: Connection, query: str, *, as_of: date | None = None,
           limit: int = 20) -> list[Hit]:
    """Hits for ``query`` in ``conn``'s search projection, best first (at most ``limit``, one
    per event, entity or source). ``as_of``: see the module docstring (None: no cut).
    Returns an empty list for a query with no words. Reads only."""
    words = terms(query)
    if not words:
        return []
    long_words = [w for w in words if len(w) >= 3]
    use_fts = bool(long_words) and has_fts(conn)
    cond: list[ColumnElement[bool]] = [search_docs.c.folded.like(f"%{_escape(w)}%", escape="\\")
            for w in words if not (use_fts and len(w) >= 3)]
    when: list[ColumnElement[bool]] = []
    if as_of is not None:
        when.append(or_(search_docs.c.valid_from.is_(None), search_docs.c.kind != "event",
                        search_docs.c.valid_from <= as_of))
    q: Select[Any]
    if conn.dialect.name == "postgresql":
        q = _pg_query(words, when)
    elif use_fts:
        match = " AND ".join('"' + w.replace('"', '""') + '"' for w in long_words)
        score: ColumnElement[Any] = _fts.c.rank
        q = (select(search_docs, score.label("score"))
             .join_from(search_docs, _fts, _fts.c.rowid == search_docs.c.id)
             .where(_fts.c[FTS_TABLE].op("MATCH")(match), *cond, *when)
             .order_by(score, search_docs.c.id))
    else:
        score = func.length(search_docs.c.folded)
        q = (select(search_docs, score.label("score")).where(and_(true(), *cond, *when))
             .order_by(score, search_docs.c.id))
    by_text: dict[tuple[str, str], Hit] = {}
    for row in conn.execute(q.limit(limit * 4)).mappings():
        key = (row["kind"], row["ref"])
        if key not in by_text:
            by_text[key] = _hit(row, words, as_of)
        if len(by_text) >= limit:
            break
    best = min([0.0, *(h.rank for h in by_text.values())])
    hits: dict[tuple[str, str], Hit] = {}
    for row in _named(conn, query):  # the entities the query names come first
        key = ("entity", row["ref"])
        if key not in hits:
            hits[key] = by_text.get(key) or _hit({**row, "score": best}, words, as_of)
            hits[key].rank = best
    for key, hit in by_text.items():
        hits.setdefault(key, hit)
    found = list(hits.values())[:limit]
    _label(conn, found)
    return found


def _named(conn: Connection, query: str) -> list[Any]:
    """The search documents of the entities ``query`` names (as look-ups find them), by
    entity id, each entity's documents in the order they were made."""
    ids = [m.id for m in matches(conn, query)]
    if not ids:
        return []
    return list(conn.execute(
        select(search_docs).where(search_docs.c.kind == "entity", search_docs.c.ref.in_(ids))
        .order_by(search_docs.c.ref, search_docs.c.id)).mappings())


def _pg_word(word: str) -> bool:
    """True when PostgreSQL's ``simple`` tsvector can match ``word`` (see the module
    docstring): one word, with a letter or digit, in no Han script."""
    return (" " not in word and not has_han(word)
            and any(ch.isalnum() for ch in word))


def _pg_query(words: list[str], when: list[ColumnElement[bool]]) -> Select[Any]:
    """The PostgreSQL search: tsvector prefix matches ranked by ``ts_rank``, ``LIKE`` for the
    rest; ``when``: the as-of condition, if any."""
    folded = search_docs.c.folded
    # The same expression as the index of revision 0004_pg_search, so the planner uses it.
    vector = func.to_tsvector(literal_column("'simple'"), folded)
    cond = list(when)
    queries: list[ColumnElement[Any]] = []
    for w in words:
        if _pg_word(w):
            # A quoted lexeme with a prefix mark: to_tsquery reads no operator inside quotes.
            queries.append(func.to_tsquery(literal_column("'simple'"),
                                           "'" + w.replace("'", "''") + "':*"))
        else:
            cond.append(folded.like(f"%{_escape(w)}%", escape="\\"))
    length = func.length(folded)
    if not queries:
        return (select(search_docs, length.label("score")).where(and_(true(), *cond))
                .order_by(length, search_docs.c.id))
    query = queries[0]
    for more in queries[1:]:
        query = query.op("&&")(more)
    # Normalisation 2: the rank divided by the text's length in words (short texts first).
    score = -func.ts_rank(vector, query, 2)
    return (select(search_docs, score.label("score"))
            .where(vector.op("@@")(query), *cond)
            .order_by(score, length, search_docs.c.id))


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _hit(row: Any, words: list[str], as_of: date | None) -> Hit:
    certainty = None
    if row["kind"] == "event" and row["valid_to"] is not None:
        certainty = "certain" if as_of is None or row["valid_to"] <= as_of else "uncertain"
    return Hit(row["kind"], row["ref"], row["type"] or "", _snippet(row["body"], words),
               row["date_text"], certainty, float(row["score"]), row["stream"],
               [{"id": s} for s in json.loads(row["sources"])])


def _snippet(body: str, words: list[str], around: int = 70) -> str:
    """``body`` cut to about ``2 * around`` characters around the first matching word."""
    if len(body) <= 2 * around:
        return body
    seen = body.lower()
    if has_han(seen):
        simplified = to_simplified(seen)
        seen = simplified if len(simplified) == len(seen) else seen
    at = next((i for w in [" ".join(words), *words] if (i := seen.find(w)) >= 0), 0)
    start = max(0, at - around // 2)
    end = min(len(body), start + 2 * around)
    return ("…" if start else "") + body[start:end].strip() + ("…" if end < len(body) else "")


def _label(conn: Connection, hits: list[Hit]) -> None:
    """Fill in titles: entity names and kinds, source titles, the names of event streams."""
    ids = {h.ref for h in hits if h.kind == "entity"} | {h.stream for h in hits if h.stream}
    names = {r.entity_id: (r.name, r.kind) for r in conn.execute(
        select(entities.c.entity_id, entities.c.name, entities.c.kind)
        .where(entities.c.entity_id.in_(sorted(i for i in ids if i))))}
    src_ids = {h.ref for h in hits if h.kind == "source"} | {
        s["id"] for h in hits for s in h.sources}
    titles = {r.source_id: r.title for r in conn.execute(
        select(sources.c.source_id, sources.c.title)
        .where(sources.c.source_id.in_(sorted(src_ids))))}
    for h in hits:
        if h.kind == "entity":
            name, kind = names.get(h.ref, (h.ref, h.title or "entity"))
            h.title = f"{name} ({kind})"
        elif h.kind == "source":
            h.title = titles.get(h.ref) or h.ref
        else:
            stream = names.get(h.stream or "", (h.stream, ""))[0]
            h.title = f"{h.title} · {stream}" if stream else h.title
        for s in h.sources:
            s["title"] = titles.get(s["id"])
