"""Finding entities by name: matches on look-up keys, suggestions, and name collisions.

The ``entity_names`` projection holds one row per (entity, name, look-up key) — the keys of
:func:`factbase.core.names.name_keys`. A query matches an entity when one of the query's keys is one
of the entity's keys, with one exception: **a query in Chinese characters must agree in
characters** with an entity whose name in characters is known (traditional = simplified), not
just in sound: 李伟, 李威 and 李薇 are all *Li Wei*, and 吴雨怀 does not find 吴宇怀 (it is
suggested instead). Pinyin keys link a name in characters with a romanised one both ways: 吴宇怀
finds a person recorded only as *Wu Yuhuai*, and *Yuhuai Wu* finds one recorded as 吴宇怀.

Two different entities whose names share a key (two people called Li Wei, a traditional name
whose simplified form is another person's name) are never merged: a look-up by that key is
ambiguous and lists both, and :func:`collisions` reports the pair so the loader can warn.
Collisions are reported between people and between organisations (units of different
organisations share names such as "Research" by nature). A pair declared one entity by
``entity.merged`` (and not taken back by ``entity.unmerged``) is not a collision.

Functions take the caller's connection and write nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from factbase.core.names import fold, has_han, name_keys
from factbase.store.schema import entities, entity_names, events, sources

#: Kinds whose shared names are reported as collisions.
COLLISION_KINDS = ("person", "organization")
#: Suggestions: at most this many entities, each scoring at least the cutoff (0-100).
SUGGESTIONS = 3
SUGGEST_CUTOFF = 75.0
_CHUNK = 500
_PLURAL = {"person": "people", "organization": "organizations", "unit": "units",
           "product": "products"}


@dataclass(frozen=True)
class Entity:
    """An entity as the projections hold it: ``names`` lists every name and alias, the
    display name first, then in the order they were recorded."""

    id: str
    kind: str
    name: str
    note: str | None
    names: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    """An entity a name was matched to (``name``: its display name)."""

    id: str
    kind: str
    name: str


@dataclass(frozen=True)
class NameCollision:
    """Two different entities of one ``kind`` found by the same look-up ``key``: ``first``
    (an id) under its name ``first_name``, and ``second`` under ``second_name``."""

    key: str
    kind: str
    first: str
    first_name: str
    second: str
    second_name: str
    #: True when the two share no look-up key but look alike (the same look-alike key,
    #: :func:`factbase.core.names.skeleton`: ``Tony Wu`` and ``Tоny Wu`` with a Cyrillic о).
    look_alike: bool = False

    def warning(self) -> str:
        """The line ``factbase load`` prints on stderr."""
        people = _PLURAL.get(self.kind, self.kind + "s")
        if self.look_alike:
            return (f"warning: '{self.first_name}' (id {self.first}) and '{self.second_name}' "
                    f"(id {self.second}) look alike: they differ only in characters that look "
                    f"the same ({_differing(self.first_name, self.second_name)}); they stay two "
                    f"{people} — declare entity.merged if they are one, or correct the name")
        return (f"warning: '{self.first_name}' (id {self.first}) and '{self.second_name}' "
                f"(id {self.second}) share the look-up name '{self.key}'; they stay two "
                f"{people} — declare entity.merged if they are one")


def _differing(a: str, b: str) -> str:
    """The characters in which two look-alike names differ, each with its Unicode name:
    ``о U+043E CYRILLIC SMALL LETTER O``, at most three."""
    import unicodedata

    diff = [c for c in dict.fromkeys(a + b) if (c in a) != (c in b) and not c.isspace()]
    shown = [f"{c} U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in diff[:3]]
    return ", ".join(shown) + (" …" if len(diff) > 3 else "")


def matches(conn: Connection, query: str, kinds: Sequence[str] | None = None) -> list[Match]:
    """The distinct entities ``query`` names (see the module docstring), by id."""
    keys = name_keys(query)
    if not keys:
        return []
    han = has_han(query)
    q = (select(entities.c.entity_id, entities.c.kind, entities.c.name,
                entity_names.c.name.label("alias"), entity_names.c.folded)
         .join(entity_names, entity_names.c.entity_id == entities.c.entity_id)
         .where(entity_names.c.folded.in_(sorted(keys))))
    if kinds is not None:
        q = q.where(entities.c.kind.in_(list(kinds)))
    found: dict[str, Match] = {}
    by_sound: dict[str, Match] = {}
    for r in conn.execute(q):
        m = Match(r.entity_id, r.kind, r.name)
        if han and not has_han(r.folded):
            by_sound.setdefault(r.entity_id, m)  # a query in characters matched by pinyin
        else:
            found.setdefault(r.entity_id, m)
    # A query in characters finds by sound only entities whose characters are not known: an
    # entity with names in characters must be named by them (吴雨怀 is not 吴宇怀).
    sound_only = sorted(set(by_sound) - set(found))
    written = {r.entity_id for chunk in _chunks(sound_only) for r in conn.execute(
        select(entity_names.c.entity_id, entity_names.c.name)
        .where(entity_names.c.entity_id.in_(chunk))) if has_han(r.name)}
    found.update({e: by_sound[e] for e in sound_only if e not in written})
    return [found[k] for k in sorted(found)]


def suggest(conn: Connection, query: str, kinds: Sequence[str] | None = None,
            limit: int = SUGGESTIONS) -> list[Match]:
    """Entities whose names or keys (or ids) come close to ``query``: up to ``limit``, best
    first, one per entity. Scored with rapidfuzz's ``WRatio`` (0-100, token order and
    partial matches weighed) between each key of the query and each stored key."""
    from rapidfuzz import fuzz, process

    q = (select(entities.c.entity_id, entities.c.kind, entities.c.name, entity_names.c.folded)
         .join(entity_names, entity_names.c.entity_id == entities.c.entity_id))
    if kinds is not None:
        q = q.where(entities.c.kind.in_(list(kinds)))
    owners: dict[str, set[str]] = defaultdict(set)
    info: dict[str, Match] = {}
    for r in conn.execute(q):
        info.setdefault(r.entity_id, Match(r.entity_id, r.kind, r.name))
        owners[r.folded].add(r.entity_id)
        owners[r.entity_id].add(r.entity_id)
    choices = list(owners)
    best: dict[str, float] = {}
    for key in name_keys(query) | {query.strip()}:
        for choice, score, _ in process.extract(key, choices, scorer=fuzz.WRatio,
                                                limit=limit * 5, score_cutoff=SUGGEST_CUTOFF):
            for eid in owners[choice]:
                best[eid] = max(best.get(eid, 0.0), float(score))
    ranked = sorted(best, key=lambda e: (-best[e], info[e].name.casefold(), e))
    return [info[e] for e in ranked[:limit]]


def entity_info(conn: Connection, ids: Sequence[str]) -> dict[str, Entity]:
    """The :class:`Entity` of each of ``ids`` the projections know (unknown ids are left
    out)."""
    out: dict[str, Entity] = {}
    for chunk in _chunks(sorted(set(ids))):
        rows = conn.execute(select(entities).where(entities.c.entity_id.in_(chunk))).all()
        names: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
        for r in conn.execute(select(entity_names.c.entity_id, entity_names.c.name,
                                     entity_names.c.is_primary, entity_names.c.seq)
                              .where(entity_names.c.entity_id.in_(chunk))):
            have = names[r.entity_id].get(r.name)
            mark = (0 if r.is_primary else 1, int(r.seq))
            names[r.entity_id][r.name] = min(have, mark) if have else mark
        order = _written_order(conn, {s for d in names.values() for _, s in d.values()})
        for r in rows:
            by_name = names.get(r.entity_id, {})
            ranked = sorted((*mark, order.get((mark[1], n), 0), n) for n, mark in by_name.items())
            listed = [n for *_, n in ranked]
            if r.name not in listed:
                listed.insert(0, r.name)
            out[r.entity_id] = Entity(r.entity_id, r.kind, r.name, r.note, tuple(listed))
    return out


def _written_order(conn: Connection, seqs: set[int]) -> dict[tuple[int, str], int]:
    """``(seq, name) -> position`` of each name in the event that recorded it, so aliases keep
    the order their author wrote them in."""
    out: dict[tuple[int, str], int] = {}
    for chunk in _chunks(sorted(seqs)):
        for r in conn.execute(select(events.c.seq, events.c.payload)
                              .where(events.c.seq.in_(chunk))):
            p = json.loads(r.payload)
            written = [p.get("name"), *p.get("aliases", [])]
            for i, n in enumerate(x for x in written if isinstance(x, str)):
                out.setdefault((int(r.seq), n), i)
    return out


def collisions(conn: Connection, *, entity_ids: Sequence[str] | None = None,
               since_seq: int | None = None) -> list[NameCollision]:
    """Different people (or organisations) found by the same look-up key.

    Of the entities of one kind sharing a key, each is paired with the first one (in log
    order) that had it — so *k* namesakes give *k - 1* pairs, not *k²/2*, and a bulk load of
    common names stays linear. Each pair is reported once, under one shared key: a folded name
    of either if there is one, else the shortest; in the order the pairs arose.

    ``entity_ids``: only pairs involving one of them. ``since_seq``: only pairs that are new
    since that log position — a name recorded after it brings the two together and they shared
    no key before (``factbase load`` passes the log's length before the load). Neither: every
    pair. Pairs declared one entity by ``entity.merged`` are left out.
    """

    found = _collisions(conn, "folded", entity_ids, since_seq)
    seen = {(c.first, c.second) for c in found}
    found += [c for c in _collisions(conn, "skeleton", entity_ids, since_seq)
              if (c.first, c.second) not in seen]
    return found


def _collisions(conn: Connection, by: str, entity_ids: Sequence[str] | None,
                since_seq: int | None) -> list[NameCollision]:
    """:func:`collisions` by one column of ``entity_names``: ``folded`` (look-up keys) or
    ``skeleton`` (look-alike keys; such pairs are marked ``look_alike``)."""
    from sqlalchemy import func

    n, e = entity_names, entities
    col = n.c[by]
    grouped = (select(col.label("key"), e.c.kind).join(e, e.c.entity_id == n.c.entity_id)
               .where(e.c.kind.in_(COLLISION_KINDS), col != "")
               .group_by(col, e.c.kind)
               .having(func.count(n.c.entity_id.distinct()) > 1))
    if since_seq is not None:
        grouped = grouped.having(func.max(n.c.seq) > since_seq)
    groups: set[tuple[str, str]] = set()
    if entity_ids is not None:
        mine: set[str] = set()
        for chunk in _chunks(sorted(set(entity_ids))):
            mine |= {r.key for r in conn.execute(
                select(col.label("key")).where(n.c.entity_id.in_(chunk), col.is_not(None))
                .distinct())}
        for chunk in _chunks(sorted(mine)):
            groups |= {(r.key, r.kind) for r in conn.execute(grouped.where(col.in_(chunk)))}
    else:
        groups = {(r.key, r.kind) for r in conn.execute(grouped)}
    if not groups:
        return []
    # (key, kind) -> entity -> (first seq it had the key, a name of it with that key)
    holders: dict[tuple[str, str], dict[str, tuple[int, str]]] = defaultdict(dict)
    for chunk in _chunks(sorted({k for k, _ in groups})):
        q = (select(e.c.entity_id, e.c.kind, n.c.name, col.label("key"), n.c.seq)
             .join(e, e.c.entity_id == n.c.entity_id)
             .where(col.in_(chunk), e.c.kind.in_(COLLISION_KINDS))
             .order_by(n.c.seq, n.c.is_primary.desc()))
        for r in conn.execute(q):
            if (r.key, r.kind) in groups:
                holders[(r.key, r.kind)].setdefault(r.entity_id, (int(r.seq), r.name))
    # (first, other) -> shared keys, and when the pair arose
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    arose: dict[tuple[str, str], int] = {}
    for (key, _kind), by_entity in holders.items():
        order = sorted(by_entity, key=lambda x: (by_entity[x][0], x))
        for other in order[1:]:
            pair = (order[0], other)
            pairs[pair].append(key)
            arose[pair] = min(by_entity[other][0], arose.get(pair, by_entity[other][0]))
    if entity_ids is not None:
        wanted = set(entity_ids)
        pairs = defaultdict(list, {p: k for p, k in pairs.items() if wanted & set(p)})
    merged = _merged_groups(conn)
    old: dict[str, set[str]] = {}
    if since_seq is not None:
        old = _keys_by_entity(conn, {x for p in pairs for x in p}, by, until_seq=since_seq)
    kinds = {x: kind for (_, kind), by_entity in holders.items() for x in by_entity}
    out = []
    for (a, b) in sorted(pairs, key=lambda p: (arose[p], p)):
        if merged.get(a, a) == merged.get(b, b):
            continue
        if old.get(a, set()) & old.get(b, set()):
            continue  # they already shared a key before: not new
        kind = kinds[a]

        def rank(k: str, a: str = a, b: str = b, kind: str = kind) -> tuple[bool, int, str]:
            named = {fold(holders[(k, kind)][x][1]) for x in (a, b)}
            return (k not in named, len(k), k)

        key = min(pairs[(a, b)], key=rank)
        out.append(NameCollision(key, kind, a, holders[(key, kind)][a][1],
                                 b, holders[(key, kind)][b][1], look_alike=by == "skeleton"))
    return out


def _keys_by_entity(conn: Connection, ids: Iterable[str], by: str,
                    until_seq: int) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    col = entity_names.c[by]
    for chunk in _chunks(sorted(set(ids))):
        for r in conn.execute(select(entity_names.c.entity_id, col.label("key"))
                              .where(entity_names.c.entity_id.in_(chunk),
                                     entity_names.c.seq <= until_seq, col.is_not(None))):
            out[r.entity_id].add(r.key)
    return out


def _merged_groups(conn: Connection) -> dict[str, str]:
    """``entity -> representative`` for entities declared one by ``entity.merged`` (in log
    order, ``entity.unmerged`` taking a merge back)."""
    links: set[tuple[str, str]] = set()
    for r in conn.execute(select(events.c.type, events.c.payload)
                          .where(events.c.type.in_(["entity.merged", "entity.unmerged"]))
                          .order_by(events.c.seq)):
        p = json.loads(r.payload)
        pair = (p["entity"], p["into"])
        if r.type == "entity.merged":
            links.add(pair)
        else:
            links.discard(pair)
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in sorted(links):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in {e for link in links for e in link}}


def _rows_of(conn: Connection, q: Any, key: Any, ids: Iterable[str] | None) -> list[Any]:
    """Rows of ``q`` whose column ``key`` is one of ``ids`` (500 ids a query), or every row
    (None)."""
    if ids is None:
        return list(conn.execute(q))
    return [r for part in _chunks(sorted(set(ids))) for r in conn.execute(q.where(key.in_(part)))]


def kinds(conn: Connection, ids: Iterable[str] | None = None) -> dict[str, str]:
    """Entity id -> kind, of ``ids`` (those that are entities) or of every entity (None)."""
    q = select(entities.c.entity_id, entities.c.kind)
    return {r.entity_id: r.kind for r in _rows_of(conn, q, entities.c.entity_id, ids)}


def source_ids(conn: Connection, ids: Iterable[str] | None = None) -> list[str]:
    """The registered source ids among ``ids``, or every one (None), in the database's
    order."""
    q = select(sources.c.source_id)
    return [r.source_id for r in _rows_of(conn, q, sources.c.source_id, ids)]


def display_names(conn: Connection, ids: Iterable[str] | None = None) -> dict[str, str]:
    """Entity id -> display name, of ``ids`` (those that are entities) or of every entity."""
    q = select(entities.c.entity_id, entities.c.name)
    return {r.entity_id: r.name for r in _rows_of(conn, q, entities.c.entity_id, ids)}


def source_rows(conn: Connection, ids: Iterable[str] | None = None) -> list[Any]:
    """Rows (``source_id``, ``url``, ``title``, ``publisher``, ``published_text``,
    ``language``) of the sources ``ids`` (those that are sources) or of every source."""
    q = select(sources.c.source_id, sources.c.url, sources.c.title, sources.c.publisher,
               sources.c.published_text, sources.c.language)
    return _rows_of(conn, q, sources.c.source_id, ids)


def published(conn: Connection) -> dict[str, date]:
    """Source id -> first day of its publication date, for sources that state one."""
    return {r.source_id: r.published_from for r in conn.execute(
        select(sources.c.source_id, sources.c.published_from)
        .where(sources.c.published_from.is_not(None)))}


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]
