"""The SQL schema, as SQLAlchemy Core tables.

Two kinds of table:

* the **log** — ``events``: append-only, one row per event, hash-chained. The database refuses
  UPDATE and DELETE on it (triggers created by the first migration; dialect-checked).
* **projections** — derived tables rebuilt deterministically from the log by
  :func:`factbase.projections.rebuild` and kept current on every append: ``entities``,
  ``entity_names``, ``sources``.

Dates of valid time are stored as SQL ``DATE`` (ISO ``YYYY-MM-DD`` text on SQLite), so as-of
questions are plain comparisons: an event covering the closed interval ``[valid_from,
valid_to]`` is *certain* at as-of ``D`` when ``valid_to <= D``. Open bounds are stored as
``0001-01-01`` and ``9999-12-31``. Recorded time is UTC: ``TIMESTAMP WITH TIME ZONE`` on
PostgreSQL and fixed-width ISO text ending in ``Z`` on SQLite (which sorts as it compares).

The SQL is portable (SQLite and PostgreSQL); constraint names come from ``naming_convention``
so later migrations can drop them on SQLite too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
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
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(text: str) -> datetime:
    """Inverse of :func:`format_utc`."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


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
    comment="Projection: names and aliases of entities, in any script.",
)
Index("ix_entity_names_folded", entity_names.c.folded)
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

#: Projection tables, in the order a rebuild fills them (parents first).
PROJECTION_TABLES = (entities, entity_names, sources)
