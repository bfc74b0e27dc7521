"""The log (events, hash-chained, append-only) and the entity and source projections.

Revision ID: 0001_log
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from factbase.store.guards import create_statements, drop_statements
from factbase.store.schema import UTCDateTime

revision: str = "0001_log"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False,
                  autoincrement=False, comment="Global recording order, 1, 2, 3… without gaps."),
        sa.Column("event_id", sa.String(200), nullable=False,
                  comment="Stable id: the author's, or derived from the event's canonical content."),
        sa.Column("type", sa.String(64), nullable=False,
                  comment="Dotted event type, e.g. person.left."),
        sa.Column("schema_version", sa.Integer, nullable=False, comment="Payload schema version."),
        sa.Column("stream", sa.String(200), nullable=False,
                  comment="The subject the event belongs to: an organisation, or an entity/source id."),
        sa.Column("date_text", sa.Text, comment="Valid time as written by the author."),
        sa.Column("valid_from", sa.Date, comment="First day the valid time covers (inclusive)."),
        sa.Column("valid_to", sa.Date, comment="Last day the valid time covers (inclusive)."),
        sa.Column("precision", sa.String(8), comment="day, month, year or range."),
        sa.Column("qualifier", sa.String(24),
                  comment="EDTF qualifier: approximate, uncertain or both."),
        sa.Column("instant", UTCDateTime(), comment="Exact instant when a source gives one (UTC)."),
        sa.Column("evidence", sa.String(16), comment="confirmed, reported or unconfirmed."),
        sa.Column("payload", sa.Text, nullable=False,
                  comment="The type's fields as canonical JSON."),
        sa.Column("sources", sa.Text, nullable=False, comment="Cited source ids as a JSON list."),
        sa.Column("recorded_at", UTCDateTime(), nullable=False,
                  comment="Recorded (transaction) time, UTC, set by the store."),
        sa.Column("content_hash", sa.String(64), nullable=False,
                  comment="SHA-256 of the event's canonical content (idempotent reloads)."),
        sa.Column("prev_hash", sa.String(64), nullable=False, comment="hash of the previous row."),
        sa.Column("hash", sa.String(64), nullable=False,
                  comment="SHA-256 over this row's columns and prev_hash (the hash chain)."),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_events_event_id")),
        comment="The log: every fact as an immutable, sourced event. Append-only.",
    )
    op.create_index("ix_events_stream_valid_from", "events", ["stream", "valid_from"])
    op.create_index("ix_events_type", "events", ["type"])
    op.create_index("ix_events_recorded_at", "events", ["recorded_at"])

    op.create_table(
        "entities",
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False,
                  comment="person, organization, unit or product."),
        sa.Column("name", sa.Text, nullable=False, comment="Display name."),
        sa.Column("note", sa.Text),
        sa.Column("seq", sa.BigInteger, nullable=False,
                  comment="The event that registered the entity."),
        sa.ForeignKeyConstraint(["seq"], ["events.seq"], name=op.f("fk_entities_seq_events")),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_entities")),
        comment="Projection: every person, organisation, unit and product the log knows.",
    )
    op.create_table(
        "entity_names",
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("name", sa.Text, nullable=False, comment="A name or alias, as written."),
        sa.Column("folded", sa.Text, nullable=False,
                  comment="The name folded for look-up (NFKC, case, Chinese script)."),
        sa.Column("is_primary", sa.Integer, nullable=False, comment="1 for the display name."),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.entity_id"],
                                name=op.f("fk_entity_names_entity_id_entities")),
        sa.ForeignKeyConstraint(["seq"], ["events.seq"], name=op.f("fk_entity_names_seq_events")),
        comment="Projection: names and aliases of entities, in any script.",
    )
    op.create_index("ix_entity_names_folded", "entity_names", ["folded"])
    op.create_index("ix_entity_names_entity_id", "entity_names", ["entity_id"])
    op.create_table(
        "sources",
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("publisher", sa.Text),
        sa.Column("published_text", sa.Text, comment="Publication date as written."),
        sa.Column("published_from", sa.Date),
        sa.Column("published_to", sa.Date),
        sa.Column("language", sa.String(35), comment="BCP 47 tag, e.g. zh-Hant."),
        sa.Column("note", sa.Text),
        sa.Column("seq", sa.BigInteger, nullable=False,
                  comment="The event that registered the source."),
        sa.ForeignKeyConstraint(["seq"], ["events.seq"], name=op.f("fk_sources_seq_events")),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_sources")),
        comment="Projection: the sources events cite.",
    )
    for sql in create_statements(op.get_context().dialect.name):
        op.execute(sql)


def downgrade() -> None:
    for sql in drop_statements(op.get_context().dialect.name):
        op.execute(sql)
    op.drop_table("sources")
    op.drop_index("ix_entity_names_entity_id", table_name="entity_names")
    op.drop_index("ix_entity_names_folded", table_name="entity_names")
    op.drop_table("entity_names")
    op.drop_table("entities")
    op.drop_index("ix_events_recorded_at", table_name="events")
    op.drop_index("ix_events_type", table_name="events")
    op.drop_index("ix_events_stream_valid_from", table_name="events")
    op.drop_table("events")
