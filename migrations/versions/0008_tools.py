"""At home in the SQL tools: foreign keys from the interval tables to ``entities`` (Datasette
shows names for ids), and the full-text index declared as Datasette and sqlite-utils
recognise it.

Revision ID: 0008_tools
Revises: 0007_bitemporal
Create Date: 2026-12-05

* ``memberships``, ``roles``, ``units`` and ``metrics`` get foreign keys on their
  organisation, person and unit ids (``entities.entity_id``). They are projections, so the
  revision drops them and makes them again with the keys (SQLite cannot add a constraint to
  a table; no data is lost: :meth:`factbase.api.FactBase.open` rebuilds every projection
  after an upgrade). The definitions are frozen here, as of this revision.
* SQLite: ``search_docs_fts`` is made again as ``fts5(folded, content="search_docs", …)``
  (:data:`factbase.store.schema.FTS_SQL`): Datasette 0.65 and sqlite-utils look for the
  content table's name in double quotes, and ignored the index declared with single quotes.
* PostgreSQL: the reader role's grants are set again (the tables are new).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from factbase.store import reader
from factbase.store.schema import UTCDateTime

revision: str = "0008_tools"
down_revision: str | None = "0007_bitemporal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FTS_OLD = (
    "CREATE VIRTUAL TABLE search_docs_fts USING fts5(folded, content='search_docs', "
    "content_rowid='id', tokenize='trigram')"
)
_FTS_NEW = (
    'CREATE VIRTUAL TABLE search_docs_fts USING fts5(folded, content="search_docs", '
    'content_rowid="id", tokenize="trigram")'
)


def _span() -> list[sa.Column[Any]]:
    """The valid-time columns of a span (as revision 0002 made them)."""
    return [
        sa.Column(
            "valid_from_text",
            sa.Text,
            nullable=False,
            comment="Date of the event that opened the span, as written.",
        ),
        sa.Column(
            "valid_from",
            sa.Date,
            nullable=False,
            comment="First day of the event that opened the span (0001-01-01: open).",
        ),
        sa.Column(
            "valid_from_end",
            sa.Date,
            nullable=False,
            comment="Last day of the event that opened the span: the day it is certain to have opened. As-of D: valid_from_end <= D < valid_to_end.",
        ),
        sa.Column(
            "valid_from_precision",
            sa.String(8),
            nullable=False,
            comment="day, month, year or range.",
        ),
        sa.Column(
            "valid_to_text", sa.Text, comment="Date of the event that closed the span, as written."
        ),
        sa.Column(
            "valid_to",
            sa.Date,
            comment="First day of the event that closed the span (0001-01-01: open).",
        ),
        sa.Column(
            "valid_to_end",
            sa.Date,
            comment="Last day of the event that closed the span: the day it is certain to have closed. As-of D: valid_from_end <= D < valid_to_end.",
        ),
        sa.Column("valid_to_precision", sa.String(8), comment="day, month, year or range."),
        sa.Column(
            "opened_by",
            sa.String(200),
            nullable=False,
            comment="event_id of the event that opened the span.",
        ),
        sa.Column(
            "closed_by",
            sa.String(200),
            comment="event_id of the event that closed the span (NULL while open).",
        ),
    ]


def _recorded() -> list[sa.Column[Any]]:
    """The recorded-time columns (as revision 0007 made them)."""
    return [
        sa.Column(
            "recorded_from",
            UTCDateTime(),
            nullable=False,
            server_default=sa.text("'0001-01-01T00:00:00.000000Z'"),
            comment="Recorded time (UTC) from which the log says this row: the recorded_at of the load that made it so. As known at T: recorded_from <= T.",
        ),
        sa.Column(
            "recorded_to",
            UTCDateTime(),
            nullable=False,
            server_default=sa.text("'9999-12-31T00:00:00.000000Z'"),
            comment="Recorded time (UTC) from which the log no longer says it (a later fact, correction or retraction changed it), exclusive; 9999-12-31T00:00:00.000000Z while it still does. As known at T: T < recorded_to.",
        ),
    ]


def _tables(keys: bool) -> list[tuple[str, list[sa.Column[Any]], str, list[tuple[str, list[str]]]]]:
    """The interval tables as of this revision (``keys``: with their foreign keys)."""

    def fk() -> list[sa.ForeignKey]:
        return [sa.ForeignKey("entities.entity_id")] if keys else []

    return [
        (
            "memberships",
            [
                sa.Column(
                    "org",
                    sa.String(200),
                    *fk(),
                    nullable=False,
                    comment="The organisation (entity id; one merged into another is under its id).",
                ),
                sa.Column(
                    "person",
                    sa.String(200),
                    *fk(),
                    nullable=False,
                    comment="The person (entity id).",
                ),
                sa.Column(
                    "unit", sa.String(200), comment="The unit they were in (NULL: none recorded)."
                ),
                sa.Column("title", sa.Text, comment="Their title, when given."),
                *_span(),
                sa.Column(
                    "closed_reason",
                    sa.String(32),
                    comment="Why the span closed: the departure reason (resigned, parted_ways, …; disputed when accounts disagree), changed (the stay continues in another unit, title or leave status in the next span), or roles_ended (a person known only by roles holds none any more).",
                ),
                sa.Column(
                    "on_leave",
                    sa.Boolean,
                    nullable=False,
                    server_default=sa.false(),
                    comment="True while on a leave of absence (still a member).",
                ),
                *_recorded(),
            ],
            "Projection: who was in which organisation when — one row per stretch in one unit with one title. In the org on D: valid_from_end <= D AND (valid_to_end IS NULL OR valid_to_end > D).",
            [
                ("ix_memberships_org_valid_from_end", ["org", "valid_from_end"]),
                ("ix_memberships_person", ["person"]),
            ],
        ),
        (
            "roles",
            [
                sa.Column(
                    "org",
                    sa.String(200),
                    *fk(),
                    nullable=False,
                    comment="The organisation (entity id).",
                ),
                sa.Column(
                    "person",
                    sa.String(200),
                    *fk(),
                    nullable=False,
                    comment="The person (entity id).",
                ),
                sa.Column(
                    "unit",
                    sa.String(200),
                    comment="The unit the role is in (NULL: the organisation).",
                ),
                sa.Column(
                    "role",
                    sa.String(32),
                    nullable=False,
                    comment="cofounder, lead, core_member, member, executive; board_member, adviser or investor (affiliations, not staff).",
                ),
                sa.Column("title", sa.Text, comment="The title given with the role, if any."),
                sa.Column(
                    "capacity",
                    sa.String(16),
                    comment="acting or interim; NULL for a substantive holder.",
                ),
                sa.Column(
                    "holding",
                    sa.String(200),
                    comment="The explicit holding id the events give, if any.",
                ),
                *_span(),
                sa.Column(
                    "closed_reason",
                    sa.String(32),
                    comment="Why the span closed: ended (role.ended), changed (the holding continues under new terms in the next span), left (its holder left), merged (its unit was merged into another).",
                ),
                *_recorded(),
            ],
            "Projection: roles held over time, one row per stretch. A cofounder role ends when its holder leaves (they stay a co-founder: the row is kept).",
            [("ix_roles_org_role", ["org", "role"]), ("ix_roles_person", ["person"])],
        ),
        (
            "units",
            [
                sa.Column(
                    "org",
                    sa.String(200),
                    *fk(),
                    nullable=False,
                    comment="The organisation (entity id).",
                ),
                sa.Column(
                    "unit", sa.String(200), *fk(), nullable=False, comment="The unit (entity id)."
                ),
                sa.Column("name", sa.Text, nullable=False, comment="Its name during the span."),
                sa.Column(
                    "kind", sa.String(40), nullable=False, comment="division, team, support_team, …"
                ),
                sa.Column(
                    "parent",
                    sa.String(200),
                    comment="Parent unit during the span (NULL: top level).",
                ),
                sa.Column(
                    "status",
                    sa.String(16),
                    nullable=False,
                    comment="active, merged or dissolved (the last span of an ended unit).",
                ),
                sa.Column(
                    "merged_into", sa.String(200), comment="The unit it was merged into, if merged."
                ),
                *_span(),
                *_recorded(),
            ],
            "Projection: units over time, one row per name/parent/status stretch.",
            [("ix_units_org_unit", ["org", "unit"])],
        ),
        (
            "metrics",
            [
                sa.Column(
                    "org",
                    sa.String(200),
                    *fk(),
                    nullable=False,
                    comment="The organisation whose timeline reports the figure.",
                ),
                sa.Column(
                    "subject",
                    sa.String(200),
                    nullable=False,
                    comment="What the figure is about (an organisation or product id).",
                ),
                sa.Column(
                    "metric", sa.String(100), nullable=False, comment="e.g. monthly_active_users."
                ),
                sa.Column(
                    "value", sa.Numeric(asdecimal=False), nullable=False, comment="The figure."
                ),
                sa.Column(
                    "unit", sa.String(64), nullable=False, comment="Its unit: GPU, USD, users, …"
                ),
                sa.Column(
                    "qualifier",
                    sa.String(24),
                    comment="about, over, under, close_to, up_to, at_least.",
                ),
                sa.Column(
                    "period", sa.Text, comment="The period it covers, as written (e.g. monthly)."
                ),
                sa.Column("note", sa.Text, comment="The event's note, if any."),
                sa.Column("evidence", sa.String(16), comment="confirmed, reported or unconfirmed."),
                sa.Column(
                    "value_disputed",
                    sa.Integer,
                    nullable=False,
                    comment="1 when accounts give another value (see the event's accounts).",
                ),
                sa.Column("date_text", sa.Text, nullable=False, comment="Valid time as written."),
                sa.Column(
                    "valid_from", sa.Date, nullable=False, comment="First day the date covers."
                ),
                sa.Column(
                    "valid_to",
                    sa.Date,
                    nullable=False,
                    comment="Last day the date covers: the figure is certain from this day on.",
                ),
                sa.Column(
                    "precision", sa.String(8), nullable=False, comment="day, month, year or range."
                ),
                sa.Column(
                    "event_id", sa.String(200), nullable=False, comment="The metric.reported event."
                ),
                sa.Column(
                    "sources", sa.Text, nullable=False, comment="Cited source ids as a JSON list."
                ),
                sa.Column(
                    "position",
                    sa.Integer,
                    nullable=False,
                    comment="Place in the organisation's replay order: the latest value as of D has the largest position among rows with valid_to <= D.",
                ),
                *_recorded(),
            ],
            "Projection: every reported figure (corrections applied, retractions left out).",
            [("ix_metrics_org_subject_metric", ["org", "subject", "metric"])],
        ),
    ]


def _remake(keys: bool, fts: str) -> None:
    for name, columns, comment, indexes in _tables(keys):
        op.drop_table(name)
        op.create_table(name, *columns, comment=comment)
        for index, on in indexes:
            op.create_index(index, name, on)
    dialect = op.get_context().dialect.name
    if dialect == "sqlite" and sqlite3.sqlite_version_info >= (3, 34, 0):
        op.execute("DROP TABLE IF EXISTS search_docs_fts")
        op.execute(fts)
    if dialect == "postgresql":
        if op.get_context().as_sql:
            for sql in reader.setup_sql():
                op.execute(sql)
        else:
            reader.setup(op.get_bind())


def upgrade() -> None:
    _remake(True, _FTS_NEW)


def downgrade() -> None:
    _remake(False, _FTS_OLD)
