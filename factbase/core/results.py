"""What the look-up reads return: the items of a listing (``factbase ls``), the hits of a
search (``factbase search``) and the rows of a query (``factbase sql``), as plain dataclasses
— the store fills them (:mod:`factbase.store.listing`, :mod:`factbase.store.search`,
:mod:`factbase.store.sqlquery`), the renderers show them (:mod:`factbase.render.listing`,
:mod:`factbase.render.search`, :mod:`factbase.render.sql`), and neither imports the other.

Pure module: no SQLAlchemy, no Click.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

#: The kinds ``ls`` lists, in its order, with their plural for headings.
KINDS = {"organization": "organizations", "person": "people", "unit": "units",
         "product": "products", "source": "sources"}
#: What ``--kind`` accepts for each kind.
KIND_WORDS = {"organization": "organization", "organizations": "organization",
              "org": "organization", "orgs": "organization", "person": "person",
              "people": "person", "persons": "person", "unit": "unit", "units": "unit",
              "product": "product", "products": "product", "source": "source",
              "sources": "source"}


@dataclass(frozen=True)
class Item:
    """One thing the database holds.

    ``kind`` (``organization``, ``person``, ``unit``, ``product`` or ``source``), ``id``,
    ``name`` (a source's title, or its id when it has none); ``orgs``: the organisations a
    person, unit or product belongs to; ``counts``: for an organisation ``people``, ``units``
    and ``events`` (in its stream), for a source ``cited_by`` (events citing it); ``detail``:
    a source's publisher and publication date, an entity's ``merged_into`` id, a renamed
    unit's name when registered (``formerly``; ``name`` is then its latest).
    """

    kind: str
    id: str
    name: str
    orgs: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    detail: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Listing:
    """``items`` by kind (every kind asked for, empty lists included), and ``totals``: how
    many of each kind the database holds before the ``org``/``name`` filters."""

    items: dict[str, list[Item]]
    totals: dict[str, int]
    org: str | None = None
    name: str | None = None


def where_to_look(name: str) -> str:
    """The pointer an unknown organisation's error ends with."""
    return (f" (`factbase ls --kind organization` lists them; `factbase search "
            f"{shlex.quote(name)}` searches every name and text)")


@dataclass
class Hit:
    """One search hit.

    ``kind``: ``event``, ``entity`` or ``source``; ``ref``: its id. ``title``: a one-line
    label (an event's type and stream name, an entity's display name and kind, a source's
    title). ``text``: the matching text, cut around the first match. ``date``: valid time as
    written (a source: its publication date; None for entities). ``certainty``: for an event,
    ``certain`` or ``uncertain`` at the as-of date (None otherwise). ``sources``: the cited
    sources as ``{"id", "title"}``. ``rank``: lower is better (bm25, or the text length).
    """

    kind: str
    ref: str
    title: str
    text: str
    date: str | None
    certainty: str | None
    rank: float
    stream: str | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.ref, "title": self.title, "text": self.text,
                "date": self.date, "certainty": self.certainty, "stream": self.stream,
                "sources": self.sources, "rank": self.rank}


@dataclass(frozen=True)
class QueryResult:
    """Rows of a query: ``columns`` (names, in order) and ``rows`` (tuples of text, numbers
    and None). Values read the same on every backend: PostgreSQL's dates become ISO text
    (``2026-02-10``), its instants UTC text ending in ``Z`` (as SQLite stores them) and its
    exact numerics ``int`` or ``float``. ``truncated``: a ``limit`` cut the rows short (more
    followed)."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool = False
