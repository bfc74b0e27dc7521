"""The SQL schema, as SQLAlchemy Core tables.

Two kinds of table:

* the **log** — ``events``: append-only, one row per event, hash-chained. The database refuses
  UPDATE and DELETE on it (triggers created by the first migration; dialect-checked).
* **projections** — derived tables rebuilt deterministically from the log by
  :func:`factbase.store.projections.rebuild` and kept current on every append: ``entities``,
  ``entity_names``, ``sources``; the interval tables ``memberships``, ``roles``, ``units`` and
  ``metrics`` (one fold per organisation, :mod:`factbase.core.intervals`); ``event_sources``; and
  ``search_docs`` with its SQLite FTS5 index ``search_docs_fts``. Two views, ``timeline`` and
  ``citations``, read them (``docs/sql.md`` documents all of them).

Dates of valid time are stored as SQL ``DATE`` (ISO ``YYYY-MM-DD`` text on SQLite), so as-of
questions are plain comparisons: an event covering the closed interval ``[valid_from,
valid_to]`` is *certain* at as-of ``D`` when ``valid_to <= D``. Open bounds are stored as
``0001-01-01`` and ``9999-12-31``. The interval tables are versioned in recorded time
(:func:`recorded_columns`). Recorded time is UTC: ``TIMESTAMP WITH TIME ZONE`` on
PostgreSQL and fixed-width ISO text ending in ``Z`` on SQLite (which sorts as it compares).

The SQL is portable (SQLite and PostgreSQL); constraint names come from ``naming_convention``
so later migrations can drop them on SQLite too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    false,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator, TypeEngine

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC instant.

    PostgreSQL: ``TIMESTAMP WITH TIME ZONE``. SQLite: ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` text
    (fixed width, so string order is time order). Python values are always aware UTC; a naive
    value is refused (``ValueError``) rather than guessed.
    """

    impl = String(32)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs a timezone-aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return format_utc(value)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return parse_utc(value)
        assert isinstance(value, datetime)
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def format_utc(value: datetime) -> str:
    """``2026-02-11T00:05:00.000000Z`` — the stored and hashed form of an aware instant."""
    utc = value.astimezone(UTC)
    # strftime's %Y is not zero-padded for years before 1000 on glibc ("999-…"), which
    # parse_utc then cannot read: pad the year by hand.
    return f"{utc.year:04d}-{utc:%m-%dT%H:%M:%S.%f}Z"


@lru_cache(maxsize=4096)  # a load's rows share one recorded_at: parse it once
def parse_utc(text: str) -> datetime:
    """Inverse of :func:`format_utc` (``fromisoformat`` reads the trailing ``Z`` as UTC)."""
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


events = Table(
    "events",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=False, comment="Global recording order, 1, 2, 3… without gaps."),
    Column("event_id", String(200), nullable=False, unique=True,
           comment="Stable id: the author's, or derived from the event's canonical content."),
    Column("type", String(64), nullable=False, comment="Dotted event type, e.g. person.left."),
    Column("schema_version", Integer, nullable=False, comment="Payload schema version."),
    Column("stream", String(200), nullable=False,
           comment="The subject the event belongs to: an organisation, or an entity/source id."),
    Column("date_text", Text, comment="Valid time as written by the author."),
    Column("valid_from", Date, comment="First day the valid time covers (inclusive)."),
    Column("valid_to", Date, comment="Last day the valid time covers (inclusive)."),
    Column("precision", String(8), comment="day, month, year or range."),
    Column("qualifier", String(24), comment="EDTF qualifier: approximate, uncertain or both."),
    Column("instant", UTCDateTime(), comment="Exact instant when a source gives one (UTC)."),
    Column("evidence", String(16), comment="confirmed, reported or unconfirmed."),
    Column("payload", Text, nullable=False, comment="The type's fields as canonical JSON."),
    Column("sources", Text, nullable=False, comment="Cited source ids as a JSON list."),
    Column("recorded_at", UTCDateTime(), nullable=False,
           comment="Recorded (transaction) time, UTC, set by the store."),
    Column("content_hash", String(64), nullable=False,
           comment="SHA-256 of the event's canonical content (idempotent reloads)."),
    Column("prev_hash", String(64), nullable=False, comment="hash of the previous row."),
    Column("hash", String(64), nullable=False,
           comment="SHA-256 over this row's columns and prev_hash (the hash chain)."),
    comment="The log: every fact as an immutable, sourced event. Append-only.",
)
Index("ix_events_stream_valid_from", events.c.stream, events.c.valid_from)
Index("ix_events_type", events.c.type)
Index("ix_events_recorded_at", events.c.recorded_at)

entities = Table(
    "entities",
    metadata,
    Column("entity_id", String(200), primary_key=True),
    Column("kind", String(16), nullable=False, comment="person, organization, unit or product."),
    Column("name", Text, nullable=False, comment="Display name."),
    Column("note", Text),
    Column("seq", BigInteger, ForeignKey("events.seq"), nullable=False,
           comment="The event that registered the entity."),
    comment="Projection: every person, organisation, unit and product the log knows.",
)

entity_names = Table(
    "entity_names",
    metadata,
    Column("entity_id", String(200), ForeignKey("entities.entity_id"), nullable=False),
    Column("name", Text, nullable=False, comment="A name or alias, as written."),
    Column("folded", Text, nullable=False,
           comment="The name folded for look-up (NFKC, case, Chinese script)."),
    Column("is_primary", Integer, nullable=False, comment="1 for the display name."),
    Column("seq", BigInteger, ForeignKey("events.seq"), nullable=False),
    Column("skeleton", Text, nullable=True,
           comment="The name's look-alike key (Unicode TR39 skeleton of the folded name)."),
    comment="Projection: names and aliases of entities, in any script.",
)
Index("ix_entity_names_folded", entity_names.c.folded)
Index("ix_entity_names_skeleton", entity_names.c.skeleton)
Index("ix_entity_names_entity_id", entity_names.c.entity_id)

sources = Table(
    "sources",
    metadata,
    Column("source_id", String(200), primary_key=True),
    Column("url", Text),
    Column("title", Text),
    Column("publisher", Text),
    Column("published_text", Text, comment="Publication date as written."),
    Column("published_from", Date),
    Column("published_to", Date),
    Column("language", String(35), comment="BCP 47 tag, e.g. zh-Hant."),
    Column("note", Text),
    Column("seq", BigInteger, ForeignKey("events.seq"), nullable=False,
           comment="The event that registered the source."),
    comment="Projection: the sources events cite.",
)



# --- interval projections (revision 0002_intervals) -----------------------------------------
# Built by :mod:`factbase.core.intervals` from one fold per organisation. A span is in the state at
# as-of D exactly when ``valid_from_end <= D AND (valid_to_end IS NULL OR valid_to_end > D)``:
# the ``*_end`` columns are the days the opening and closing events are certain by (DESIGN §2).


def _span_columns() -> list[Column[Any]]:
    """The valid-time columns of a span: both ends of the events that opened and closed it."""
    cols: list[Column[Any]] = []
    for side, what, null in (("valid_from", "opened", False), ("valid_to", "closed", True)):
        cols += [
            Column(f"{side}_text", Text, nullable=null,
                   comment=f"Date of the event that {what} the span, as written."),
            Column(side, Date, nullable=null,
                   comment=f"First day of the event that {what} the span (0001-01-01: open)."),
            Column(f"{side}_end", Date, nullable=null,
                   comment=f"Last day of the event that {what} the span: the day it is certain "
                           f"to have {what}. As-of D: valid_from_end <= D < valid_to_end."),
            Column(f"{side}_precision", String(8), nullable=null,
                   comment="day, month, year or range."),
        ]
    cols += [
        Column("opened_by", String(200), nullable=False,
               comment="event_id of the event that opened the span."),
        Column("closed_by", String(200),
               comment="event_id of the event that closed the span (NULL while open)."),
    ]
    return cols


#: The recorded-time placeholder of a row version still in force (``recorded_to``): the stored
#: text on SQLite is :data:`OPEN_RECORDED_TEXT`. Midnight, not the last instant of 9999, so a
#: PostgreSQL session in any time zone can still show it as a timestamp.
OPEN_RECORDED = datetime(9999, 12, 31, tzinfo=UTC)
OPEN_RECORDED_TEXT = "9999-12-31T00:00:00.000000Z"
#: ``recorded_from`` of rows made before revision 0007 (rebuilt on the first open after it).
EARLIEST_RECORDED_TEXT = "0001-01-01T00:00:00.000000Z"


def recorded_columns() -> list[Column[Any]]:
    """The recorded-time columns of a row version (SQL:2011 system time, revision
    0007_bitemporal): the half-open interval ``[recorded_from, recorded_to)`` of recorded time
    during which the log said it. As known at T: ``recorded_from <= T AND T < recorded_to``."""
    return [
        Column("recorded_from", UTCDateTime(), nullable=False,
               server_default=text(f"'{EARLIEST_RECORDED_TEXT}'"),
               comment="Recorded time (UTC) from which the log says this row: the recorded_at "
                       "of the load that made it so. As known at T: recorded_from <= T."),
        Column("recorded_to", UTCDateTime(), nullable=False,
               server_default=text(f"'{OPEN_RECORDED_TEXT}'"),
               comment="Recorded time (UTC) from which the log no longer says it (a later "
                       "fact, correction or retraction changed it), exclusive; "
                       f"{OPEN_RECORDED_TEXT} while it still does. As known at T: "
                       "T < recorded_to."),
    ]


memberships = Table(
    "memberships",
    metadata,
    Column("org", String(200), ForeignKey("entities.entity_id"), nullable=False,
           comment="The organisation (entity id; one merged into another is under its id)."),
    Column("person", String(200), ForeignKey("entities.entity_id"), nullable=False,
           comment="The person (entity id)."),
    Column("unit", String(200), comment="The unit they were in (NULL: none recorded)."),
    Column("title", Text, comment="Their title, when given."),
    *_span_columns(),
    Column("closed_reason", String(32),
           comment="Why the span closed: the departure reason (resigned, parted_ways, …; "
                   "disputed when accounts disagree), changed (the stay continues in "
                   "another unit, title or leave status in the next span), or roles_ended "
                   "(a person known only by roles holds none any more)."),
    Column("on_leave", Boolean, nullable=False, server_default=false(),
           comment="True while on a leave of absence (still a member)."),
    *recorded_columns(),
    comment="Projection: who was in which organisation when — one row per stretch in one unit "
            "with one title. In the org on D: valid_from_end <= D AND (valid_to_end IS NULL "
            "OR valid_to_end > D).",
)
Index("ix_memberships_org_valid_from_end", memberships.c.org, memberships.c.valid_from_end)
Index("ix_memberships_person", memberships.c.person)

roles = Table(
    "roles",
    metadata,
    Column("org", String(200), ForeignKey("entities.entity_id"), nullable=False,
           comment="The organisation (entity id)."),
    Column("person", String(200), ForeignKey("entities.entity_id"), nullable=False,
           comment="The person (entity id)."),
    Column("unit", String(200), comment="The unit the role is in (NULL: the organisation)."),
    Column("role", String(32), nullable=False,
           comment="cofounder, lead, core_member, member, executive; board_member, adviser "
                   "or investor (affiliations, not staff)."),
    Column("title", Text, comment="The title given with the role, if any."),
    Column("capacity", String(16),
           comment="acting or interim; NULL for a substantive holder."),
    Column("holding", String(200),
           comment="The explicit holding id the events give, if any."),
    *_span_columns(),
    Column("closed_reason", String(32),
           comment="Why the span closed: ended (role.ended), changed (the holding continues "
                   "under new terms in the next span), left (its holder left), merged (its "
                   "unit was merged into another)."),
    *recorded_columns(),
    comment="Projection: roles held over time, one row per stretch. A cofounder role ends "
            "when its holder leaves (they stay a co-founder: the row is kept).",
)
Index("ix_roles_org_role", roles.c.org, roles.c.role)
Index("ix_roles_person", roles.c.person)

units = Table(
    "units",
    metadata,
    Column("org", String(200), ForeignKey("entities.entity_id"), nullable=False,
           comment="The organisation (entity id)."),
    Column("unit", String(200), ForeignKey("entities.entity_id"), nullable=False,
           comment="The unit (entity id)."),
    Column("name", Text, nullable=False, comment="Its name during the span."),
    Column("kind", String(40), nullable=False, comment="division, team, support_team, …"),
    Column("parent", String(200), comment="Parent unit during the span (NULL: top level)."),
    Column("status", String(16), nullable=False,
           comment="active, merged or dissolved (the last span of an ended unit)."),
    Column("merged_into", String(200), comment="The unit it was merged into, if merged."),
    *_span_columns(),
    *recorded_columns(),
    comment="Projection: units over time, one row per name/parent/status stretch.",
)
Index("ix_units_org_unit", units.c.org, units.c.unit)

metrics = Table(
    "metrics",
    metadata,
    Column("org", String(200), ForeignKey("entities.entity_id"), nullable=False,
           comment="The organisation whose timeline reports the figure."),
    Column("subject", String(200), nullable=False,
           comment="What the figure is about (an organisation or product id)."),
    Column("metric", String(100), nullable=False, comment="e.g. monthly_active_users."),
    Column("value", Numeric(asdecimal=False), nullable=False, comment="The figure."),
    Column("unit", String(64), nullable=False, comment="Its unit: GPU, USD, users, …"),
    Column("qualifier", String(24), comment="about, over, under, close_to, up_to, at_least."),
    Column("period", Text, comment="The period it covers, as written (e.g. monthly)."),
    Column("note", Text, comment="The event's note, if any."),
    Column("evidence", String(16), comment="confirmed, reported or unconfirmed."),
    Column("value_disputed", Integer, nullable=False,
           comment="1 when accounts give another value (see the event's accounts)."),
    Column("date_text", Text, nullable=False, comment="Valid time as written."),
    Column("valid_from", Date, nullable=False, comment="First day the date covers."),
    Column("valid_to", Date, nullable=False,
           comment="Last day the date covers: the figure is certain from this day on."),
    Column("precision", String(8), nullable=False, comment="day, month, year or range."),
    Column("event_id", String(200), nullable=False, comment="The metric.reported event."),
    Column("sources", Text, nullable=False, comment="Cited source ids as a JSON list."),
    Column("position", Integer, nullable=False,
           comment="Place in the organisation's replay order: the latest value as of D has "
                   "the largest position among rows with valid_to <= D."),
    *recorded_columns(),
    comment="Projection: every reported figure (corrections applied, retractions left out).",
)
Index("ix_metrics_org_subject_metric", metrics.c.org, metrics.c.subject, metrics.c.metric)

event_sources = Table(
    "event_sources",
    metadata,
    Column("event_id", String(200), nullable=False, comment="The citing event."),
    Column("source_id", String(200), nullable=False, comment="The cited source."),
    Column("cited_as", String(16), nullable=False,
           comment="event (in the event's sources) or account (an account's source)."),
    comment="Projection: which event cites which source (every event in the log, including "
            "corrections and retractions).",
)
Index("ix_event_sources_source_id", event_sources.c.source_id)
Index("ix_event_sources_event_id", event_sources.c.event_id)

search_docs = Table(
    "search_docs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True,
           comment="Row id (the full-text index's rowid; differs between rebuilds).",
           info={"compared": False}),
    Column("kind", String(16), nullable=False, comment="event, entity or source."),
    Column("ref", String(200), nullable=False,
           comment="The event_id, entity_id or source_id the text belongs to."),
    Column("stream", String(200), comment="The event's stream (NULL for entities, sources)."),
    Column("type", String(64), comment="The event type, or the entity kind."),
    Column("date_text", Text, comment="Valid time as written (a source: publication date)."),
    Column("valid_from", Date, comment="First day of the date (NULL: undated)."),
    Column("valid_to", Date, comment="Last day of the date (NULL: undated)."),
    Column("sources", Text, nullable=False, comment="Cited source ids as a JSON list."),
    Column("body", Text, nullable=False,
           comment="The searchable text: summary, note, accounts, names, aliases, title."),
    Column("folded", Text, nullable=False,
           comment="body folded for search (NFKC, case, simplified Chinese)."),
    comment="Projection: the texts `factbase search` finds (effective events, entity names "
            "and aliases, source titles). On SQLite the FTS5 table `search_docs_fts` indexes "
            "`folded`.",
)
Index("ix_search_docs_kind_stream", search_docs.c.kind, search_docs.c.stream)
Index("ix_search_docs_ref", search_docs.c.ref)

redacted_events = Table(
    "redacted_events",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=False, comment="The event's place in the log (events.seq)."),
    Column("shown_id", String(200), nullable=False,
           comment="The id outputs show for it (opaque when the id spells a redacted name)."),
    Column("stream", String(200), nullable=False, comment="Its stream as shown."),
    Column("person", String(200), comment="Its person as shown (a placeholder id if redacted)."),
    Column("summary", Text, comment="Its summary as shown."),
    Column("note", Text, comment="Its note as shown."),
    Column("sources", Text, nullable=False, comment="Cited source ids as shown, a JSON list."),
    Column("payload", Text, nullable=False, comment="All fields as shown, as JSON."),
    comment="Projection: the events a standing redaction changes (`factbase redact`), as "
            "outputs show them; the views timeline and citations read them in place of the "
            "log's text. The log itself keeps the original rows.",
)
Index("ix_redacted_events_shown_id", redacted_events.c.shown_id)

#: Projection tables, in the order a rebuild fills them (parents first).
PROJECTION_TABLES = (entities, entity_names, sources, memberships, roles, units, metrics,
                     event_sources, search_docs, redacted_events)
#: The projections recomputed per organisation (delete its rows, insert the fold's).
INTERVAL_TABLES = (memberships, roles, units, metrics)

#: SQLite's full-text index over ``search_docs.folded`` (FTS5, trigram tokenizer; created by
#: a migration, outside this metadata) and the shadow tables FTS5 keeps for it. Named
#: ``<table>_fts`` as sqlite-utils does, which Datasette recognises.
FTS_TABLE = "search_docs_fts"
FTS_TABLES = frozenset({FTS_TABLE, *(f"{FTS_TABLE}_{s}" for s in
                                     ("data", "idx", "content", "docsize", "config"))})
#: Its definition (revision 0008_tools). ``content="search_docs"`` in double quotes: how
#: Datasette and sqlite-utils recognise the table a full-text index belongs to.
FTS_SQL = (f'CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(folded, content="search_docs", '
           'content_rowid="id", tokenize="trigram")')


def has_fts(conn: Connection) -> bool:
    """Whether this database has :data:`FTS_TABLE` (SQLite databases made by the migrations;
    not PostgreSQL, nor verify's scratch copy)."""
    if conn.dialect.name != "sqlite":
        return False
    return conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (FTS_TABLE,)
    ).first() is not None

#: The readable views (revision 0002_intervals; 0003_redaction shows redacted events as
#: redacted_events has them): name -> (description, column descriptions).
VIEWS: dict[str, tuple[str, dict[str, str]]] = {
    "timeline": (
        "Every dated event as recorded, with the names of its stream and person and its "
        "summary and note pulled out of the payload. Corrections and retractions are events of "
        "their own: retracted_by names the retraction, if any. Events a redaction changes "
        "show as redacted_events has them.",
        {"seq": "Recording order.", "event_id": "The event's id.",
         "type": "Dotted event type.", "stream": "Its stream (normally the organisation).",
         "stream_name": "Display name of the stream's entity.",
         "date_text": "Valid time as written.", "valid_from": "First day covered.",
         "valid_to": "Last day covered (certain from this day).",
         "precision": "day, month, year or range.",
         "evidence": "confirmed, reported or unconfirmed.",
         "person": "The person the event is about (payload person), if any.",
         "person_name": "That person's display name.",
         "summary": "The payload's summary, if any.", "note": "The event's note, if any.",
         "retracted_by": "The event.retracted that took it back, if any.",
         "sources": "Cited source ids as a JSON list.", "payload": "All fields as JSON.",
         "recorded_at": "Recorded time (UTC)."},
    ),
    "citations": (
        "Every event with every source it cites (in its sources or in an account), with the "
        "source's title, publisher and URL: 'every fact citing a source'.",
        {"event_id": "The citing event.", "type": "Its type.", "stream": "Its stream.",
         "date_text": "Its valid time as written.", "valid_from": "First day covered.",
         "valid_to": "Last day covered.", "source_id": "The cited source.",
         "cited_as": "event or account.", "title": "The source's title.",
         "publisher": "The source's publisher.", "url": "The source's URL.",
         "published_text": "The source's publication date as written."},
    ),
}


#: Descriptions of the columns revision 0001 left without a comment (for docs and Datasette).
COLUMN_NOTES: dict[tuple[str, str], str] = {
    ("entities", "entity_id"): "The entity's id (a slug), used by every event.",
    ("entities", "note"): "A note on the entity, if any.",
    ("entity_names", "entity_id"): "The entity (entities.entity_id).",
    ("entity_names", "seq"): "The event that gave the name.",
    ("sources", "source_id"): "The source's id (a slug), cited by events.",
    ("sources", "url"): "Where to read it.",
    ("sources", "title"): "Its title ([in brackets] when described rather than quoted).",
    ("sources", "publisher"): "Who published it.",
    ("sources", "published_from"): "First day of the publication date.",
    ("sources", "published_to"): "Last day of the publication date.",
    ("sources", "note"): "A note on the source, if any.",
}


#: PostgreSQL's full-text indexes over ``search_docs.folded`` (revision 0004_pg_search): a
#: ``simple`` tsvector expression index and a ``pg_trgm`` trigram index (no model describes
#: an expression or operator-class index).
PG_SEARCH_INDEXES = frozenset({"ix_search_docs_folded_tsv", "ix_search_docs_folded_trgm"})


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's ``include_name`` hook: leave the full-text indexes (SQLite's FTS5 table and
    its shadow tables, PostgreSQL's tsvector and trigram indexes), which no SQLAlchemy model
    describes, out of autogenerate comparisons."""
    if type_ == "index":
        return name not in PG_SEARCH_INDEXES
    return not (type_ == "table" and name in FTS_TABLES)
