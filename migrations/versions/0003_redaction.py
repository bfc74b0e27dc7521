"""Redaction: the redacted_events projection, and the views timeline and citations reading it.

Revision ID: 0003_redaction
Revises: 0002_intervals
Create Date: 2026-11-29

``factbase redact`` hides a person in every output while the log keeps its rows
(:mod:`factbase.store.redact`). ``redacted_events`` holds the events a standing redaction changes,
as outputs show them; the views take their id, stream, person, summary, note, sources and
payload from it when a row is there, and from the log otherwise. The table starts empty;
:meth:`factbase.api.FactBase.open` rebuilds the projections after an upgrade.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_redaction"
down_revision: str | None = "0002_intervals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json(dialect: str, column: str, key: str) -> str:
    if dialect == "sqlite":
        return f"json_extract({column}, '$.{key}')"
    return f"({column}::json ->> '{key}')"


def _shown(column: str, logged: str) -> str:
    """The redacted value when the event has a redacted_events row, else the log's."""
    return f"CASE WHEN x.seq IS NULL THEN {logged} ELSE x.{column} END"


def _views(dialect: str, redacted: bool) -> list[str]:
    person = _json(dialect, "e.payload", "person")
    summary = _json(dialect, "e.payload", "summary")
    note = _json(dialect, "e.payload", "note")
    target = _json(dialect, "r.payload", "target")
    if not redacted:  # as revision 0002_intervals made them
        return [
            f"""CREATE VIEW timeline AS
            SELECT e.seq, e.event_id, e.type, e.stream, s.name AS stream_name,
                   e.date_text, e.valid_from, e.valid_to, e.precision, e.evidence,
                   {person} AS person, p.name AS person_name,
                   {summary} AS summary, {note} AS note,
                   (SELECT MIN(r.event_id) FROM events r
                     WHERE r.type = 'event.retracted' AND r.stream = e.stream
                       AND {target} = e.event_id) AS retracted_by,
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
    shown_person = _shown("person", person)
    return [
        f"""CREATE VIEW timeline AS
        SELECT e.seq, COALESCE(x.shown_id, e.event_id) AS event_id, e.type,
               COALESCE(x.stream, e.stream) AS stream, s.name AS stream_name,
               e.date_text, e.valid_from, e.valid_to, e.precision, e.evidence,
               {shown_person} AS person, p.name AS person_name,
               {_shown("summary", summary)} AS summary,
               {_shown("note", note)} AS note,
               (SELECT MIN(COALESCE(rx.shown_id, r.event_id)) FROM events r
                 LEFT JOIN redacted_events rx ON rx.seq = r.seq
                 WHERE r.type = 'event.retracted' AND r.stream = e.stream
                   AND {target} = e.event_id) AS retracted_by,
               {_shown("sources", "e.sources")} AS sources,
               {_shown("payload", "e.payload")} AS payload, e.recorded_at
        FROM events e
        LEFT JOIN redacted_events x ON x.seq = e.seq
        LEFT JOIN entities s ON s.entity_id = COALESCE(x.stream, e.stream)
        LEFT JOIN entities p ON p.entity_id = {shown_person}
        WHERE e.date_text IS NOT NULL""",
        """CREATE VIEW citations AS
        SELECT es.event_id, e.type, COALESCE(x.stream, e.stream) AS stream, e.date_text,
               e.valid_from, e.valid_to,
               es.source_id, es.cited_as, s.title, s.publisher, s.url, s.published_text
        FROM event_sources es
        LEFT JOIN redacted_events x ON x.shown_id = es.event_id
        JOIN events e ON e.seq = COALESCE(x.seq, (SELECT r.seq FROM events r
                                                  WHERE r.event_id = es.event_id))
        LEFT JOIN sources s ON s.source_id = es.source_id""",
    ]


def upgrade() -> None:
    op.create_table(
        "redacted_events",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False,
                  autoincrement=False, comment="The event's place in the log (events.seq)."),
        sa.Column("shown_id", sa.String(200), nullable=False,
                  comment="The id outputs show for it (opaque when the id spells a redacted "
                          "name)."),
        sa.Column("stream", sa.String(200), nullable=False, comment="Its stream as shown."),
        sa.Column("person", sa.String(200),
                  comment="Its person as shown (a placeholder id if redacted)."),
        sa.Column("summary", sa.Text, comment="Its summary as shown."),
        sa.Column("note", sa.Text, comment="Its note as shown."),
        sa.Column("sources", sa.Text, nullable=False,
                  comment="Cited source ids as shown, a JSON list."),
        sa.Column("payload", sa.Text, nullable=False, comment="All fields as shown, as JSON."),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_redacted_events")),
        comment="Projection: the events a standing redaction changes (`factbase redact`), as "
                "outputs show them; the views timeline and citations read them in place of the "
                "log's text. The log itself keeps the original rows.",
    )
    op.create_index("ix_redacted_events_shown_id", "redacted_events", ["shown_id"])
    dialect = op.get_context().dialect.name
    op.execute("DROP VIEW IF EXISTS citations")
    op.execute("DROP VIEW IF EXISTS timeline")
    for sql in _views(dialect, redacted=True):
        op.execute(sql)


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    op.execute("DROP VIEW IF EXISTS citations")
    op.execute("DROP VIEW IF EXISTS timeline")
    for sql in _views(dialect, redacted=False):
        op.execute(sql)
    op.drop_index("ix_redacted_events_shown_id", table_name="redacted_events")
    op.drop_table("redacted_events")
