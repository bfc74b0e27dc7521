"""Interval projections (memberships, roles, units, metrics), event_sources, the search index
and the readable views timeline and citations.

Revision ID: 0002_intervals
Revises: 0001_log
Create Date: 2026-12-02

The new tables start empty; :meth:`factbase.api.FactBase.open` rebuilds the projections
after upgrading a database that already holds events. The FTS5 index ``search_docs_fts`` (trigram
tokenizer, SQLite >= 3.34) and its triggers exist on SQLite only; elsewhere ``factbase
search`` reads ``search_docs`` with LIKE. The views use SQLite's ``json_extract`` or
PostgreSQL's ``->>`` (dialect-checked).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_intervals"
down_revision: str | None = "0001_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _span_columns() -> list[sa.Column[object]]:
    cols: list[sa.Column[object]] = []
    for side, what, null in (("valid_from", "opened", False), ("valid_to", "closed", True)):
        cols += [
            sa.Column(f"{side}_text", sa.Text, nullable=null,
                      comment=f"Date of the event that {what} the span, as written."),
            sa.Column(side, sa.Date, nullable=null,
                      comment=f"First day of the event that {what} the span "
                              "(0001-01-01: open)."),
            sa.Column(f"{side}_end", sa.Date, nullable=null,
                      comment=f"Last day of the event that {what} the span: the day it is "
                              f"certain to have {what}. As-of D: valid_from_end <= D < "
                              "valid_to_end."),
            sa.Column(f"{side}_precision", sa.String(8), nullable=null,
                      comment="day, month, year or range."),
        ]
    cols += [
        sa.Column("opened_by", sa.String(200), nullable=False,
                  comment="event_id of the event that opened the span."),
        sa.Column("closed_by", sa.String(200),
                  comment="event_id of the event that closed the span (NULL while open)."),
    ]
    return cols


# An external-content FTS5 index over search_docs.folded. factbase keeps it in step itself
# (factbase.store.projections: one INSERT … SELECT per batch); per-row triggers were ten times
# slower on bulk loads.
_FTS = [
    """CREATE VIRTUAL TABLE search_docs_fts USING fts5(folded, content='search_docs',
        content_rowid='id', tokenize='trigram')""",
]


def _json(dialect: str, column: str, key: str) -> str:
    if dialect == "sqlite":
        return f"json_extract({column}, '$.{key}')"
    return f"({column}::json ->> '{key}')"


def _views(dialect: str) -> list[str]:
    person = _json(dialect, "e.payload", "person")
    return [
        f"""CREATE VIEW timeline AS
        SELECT e.seq, e.event_id, e.type, e.stream, s.name AS stream_name,
               e.date_text, e.valid_from, e.valid_to, e.precision, e.evidence,
               {person} AS person, p.name AS person_name,
               {_json(dialect, "e.payload", "summary")} AS summary,
               {_json(dialect, "e.payload", "note")} AS note,
               (SELECT MIN(r.event_id) FROM events r
                 WHERE r.type = 'event.retracted' AND r.stream = e.stream
                   AND {_json(dialect, "r.payload", "target")} = e.event_id) AS retracted_by,
               e.sources, e.payload, e.recorded_at
        FROM events e
        LEFT JOIN entities s ON s.entity_id = e.stream
        LEFT JOIN entities p ON p.entity_id = {person}
        WHERE e.date_text IS NOT NULL""",
        """CREATE VIEW citations AS
        SELECT es.event_id, e.type, e.stream, e.date_text, e.valid_from, e.valid_to,
               es.source_id, es.cited_as, s.title, s.publisher, s.url, s.published_text
        FROM event_sources es
        JOIN events e ON e.event_id = es.event_id
        LEFT JOIN sources s ON s.source_id = es.source_id""",
    ]


def upgrade() -> None:
    op.create_table(
        "memberships",
        sa.Column("org", sa.String(200), nullable=False,
                  comment="The organisation (entity id; one merged into another is under its "
                          "id)."),
        sa.Column("person", sa.String(200), nullable=False, comment="The person (entity id)."),
        sa.Column("unit", sa.String(200), comment="The unit they were in (NULL: none recorded)."),
        sa.Column("title", sa.Text, comment="Their title, when given."),
        *_span_columns(),
        sa.Column("closed_reason", sa.String(32),
                  comment="Why the span closed: the departure reason (resigned, parted_ways, …; "
                          "disputed when accounts disagree), or changed (the stay continues in "
                          "another unit or title in the next span)."),
        comment="Projection: who was in which organisation when — one row per stretch in one "
                "unit with one title. In the org on D: valid_from_end <= D AND (valid_to_end "
                "IS NULL OR valid_to_end > D).",
    )
    op.create_index("ix_memberships_org_valid_from_end", "memberships",
                    ["org", "valid_from_end"])
    op.create_index("ix_memberships_person", "memberships", ["person"])
    op.create_table(
        "roles",
        sa.Column("org", sa.String(200), nullable=False, comment="The organisation (entity id)."),
        sa.Column("person", sa.String(200), nullable=False, comment="The person (entity id)."),
        sa.Column("unit", sa.String(200),
                  comment="The unit the role is in (NULL: the organisation)."),
        sa.Column("role", sa.String(32), nullable=False,
                  comment="cofounder, lead, core_member, member or executive."),
        sa.Column("title", sa.Text, comment="The title given with the role, if any."),
        *_span_columns(),
        comment="Projection: roles held over time, one row per stretch. A cofounder role ends "
                "when its holder leaves (they stay a co-founder: the row is kept).",
    )
    op.create_index("ix_roles_org_role", "roles", ["org", "role"])
    op.create_index("ix_roles_person", "roles", ["person"])
    op.create_table(
        "units",
        sa.Column("org", sa.String(200), nullable=False, comment="The organisation (entity id)."),
        sa.Column("unit", sa.String(200), nullable=False, comment="The unit (entity id)."),
        sa.Column("name", sa.Text, nullable=False, comment="Its name during the span."),
        sa.Column("kind", sa.String(40), nullable=False,
                  comment="division, team, support_team, …"),
        sa.Column("parent", sa.String(200),
                  comment="Parent unit during the span (NULL: top level)."),
        sa.Column("status", sa.String(16), nullable=False,
                  comment="active, merged or dissolved (the last span of an ended unit)."),
        sa.Column("merged_into", sa.String(200), comment="The unit it was merged into, if merged."),
        *_span_columns(),
        comment="Projection: units over time, one row per name/parent/status stretch.",
    )
    op.create_index("ix_units_org_unit", "units", ["org", "unit"])
    op.create_table(
        "metrics",
        sa.Column("org", sa.String(200), nullable=False,
                  comment="The organisation whose timeline reports the figure."),
        sa.Column("subject", sa.String(200), nullable=False,
                  comment="What the figure is about (an organisation or product id)."),
        sa.Column("metric", sa.String(100), nullable=False, comment="e.g. monthly_active_users."),
        sa.Column("value", sa.Numeric(asdecimal=False), nullable=False, comment="The figure."),
        sa.Column("unit", sa.String(64), nullable=False,
                  comment="Its unit: GPU, USD, users, …"),
        sa.Column("qualifier", sa.String(24),
                  comment="about, over, under, close_to, up_to, at_least."),
        sa.Column("period", sa.Text, comment="The period it covers, as written (e.g. monthly)."),
        sa.Column("note", sa.Text, comment="The event's note, if any."),
        sa.Column("evidence", sa.String(16), comment="confirmed, reported or unconfirmed."),
        sa.Column("value_disputed", sa.Integer, nullable=False,
                  comment="1 when accounts give another value (see the event's accounts)."),
        sa.Column("date_text", sa.Text, nullable=False, comment="Valid time as written."),
        sa.Column("valid_from", sa.Date, nullable=False, comment="First day the date covers."),
        sa.Column("valid_to", sa.Date, nullable=False,
                  comment="Last day the date covers: the figure is certain from this day on."),
        sa.Column("precision", sa.String(8), nullable=False,
                  comment="day, month, year or range."),
        sa.Column("event_id", sa.String(200), nullable=False,
                  comment="The metric.reported event."),
        sa.Column("sources", sa.Text, nullable=False, comment="Cited source ids as a JSON list."),
        sa.Column("position", sa.Integer, nullable=False,
                  comment="Place in the organisation's replay order: the latest value as of D "
                          "has the largest position among rows with valid_to <= D."),
        comment="Projection: every reported figure (corrections applied, retractions left out).",
    )
    op.create_index("ix_metrics_org_subject_metric", "metrics", ["org", "subject", "metric"])
    op.create_table(
        "event_sources",
        sa.Column("event_id", sa.String(200), nullable=False, comment="The citing event."),
        sa.Column("source_id", sa.String(200), nullable=False, comment="The cited source."),
        sa.Column("cited_as", sa.String(16), nullable=False,
                  comment="event (in the event's sources) or account (an account's source)."),
        comment="Projection: which event cites which source (every event in the log, "
                "including corrections and retractions).",
    )
    op.create_index("ix_event_sources_source_id", "event_sources", ["source_id"])
    op.create_index("ix_event_sources_event_id", "event_sources", ["event_id"])
    op.create_table(
        "search_docs",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True,
                  comment="Row id (the full-text index's rowid; differs between rebuilds)."),
        sa.Column("kind", sa.String(16), nullable=False, comment="event, entity or source."),
        sa.Column("ref", sa.String(200), nullable=False,
                  comment="The event_id, entity_id or source_id the text belongs to."),
        sa.Column("stream", sa.String(200),
                  comment="The event's stream (NULL for entities, sources)."),
        sa.Column("type", sa.String(64), comment="The event type, or the entity kind."),
        sa.Column("date_text", sa.Text,
                  comment="Valid time as written (a source: publication date)."),
        sa.Column("valid_from", sa.Date, comment="First day of the date (NULL: undated)."),
        sa.Column("valid_to", sa.Date, comment="Last day of the date (NULL: undated)."),
        sa.Column("sources", sa.Text, nullable=False, comment="Cited source ids as a JSON list."),
        sa.Column("body", sa.Text, nullable=False,
                  comment="The searchable text: summary, note, accounts, names, aliases, title."),
        sa.Column("folded", sa.Text, nullable=False,
                  comment="body folded for search (NFKC, case, simplified Chinese)."),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_docs")),
        comment="Projection: the texts `factbase search` finds (effective events, entity names "
                "and aliases, source titles). On SQLite the FTS5 table `search_docs_fts` indexes "
                "`folded`.",
    )
    op.create_index("ix_search_docs_kind_stream", "search_docs", ["kind", "stream"])
    op.create_index("ix_search_docs_ref", "search_docs", ["ref"])

    dialect = op.get_context().dialect.name
    if dialect == "sqlite" and sqlite3.sqlite_version_info >= (3, 34, 0):
        for sql in _FTS:
            op.execute(sql)
    for sql in _views(dialect):
        op.execute(sql)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS citations")
    op.execute("DROP VIEW IF EXISTS timeline")
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_docs_fts")
    for index, table in (("ix_search_docs_ref", "search_docs"),
                         ("ix_search_docs_kind_stream", "search_docs"),
                         ("ix_event_sources_event_id", "event_sources"),
                         ("ix_event_sources_source_id", "event_sources"),
                         ("ix_metrics_org_subject_metric", "metrics"),
                         ("ix_units_org_unit", "units"),
                         ("ix_roles_person", "roles"), ("ix_roles_org_role", "roles"),
                         ("ix_memberships_person", "memberships"),
                         ("ix_memberships_org_valid_from_end", "memberships")):
        op.drop_index(index, table_name=table)
    for table in ("search_docs", "event_sources", "metrics", "units", "roles", "memberships"):
        op.drop_table(table)
