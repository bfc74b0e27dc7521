"""Bitemporal interval projections: recorded_from and recorded_to on memberships, roles,
units and metrics; ``factbase_sql.run_query`` takes ``known_at`` too (PostgreSQL).

Revision ID: 0007_bitemporal
Revises: 0006_sql_reader
Create Date: 2026-12-05

Each row of the interval tables is one version: the half-open interval of recorded time
``[recorded_from, recorded_to)`` during which the log said it (SQL:2011 system time). A later
fact, correction or retraction closes the old version (its ``recorded_to``) and opens a new one
instead of rewriting it, so SQL answers "as known at T" as ``--known-at`` does
(docs/sql.md). The new columns start with placeholders: :meth:`factbase.api.FactBase.open`
rebuilds every projection after an upgrade, which derives the versions from the log.
On PostgreSQL the reader role's function gains a third argument (``known_at``); the old
two-argument function stays for databases of the same server not yet upgraded.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from factbase.store import reader
from factbase.store.schema import EARLIEST_RECORDED_TEXT, OPEN_RECORDED_TEXT, UTCDateTime

revision: str = "0007_bitemporal"
down_revision: str | None = "0006_sql_reader"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("memberships", "roles", "units", "metrics")


def upgrade() -> None:
    # Plain ADD COLUMN with a default (SQLite and PostgreSQL alike), so the offline --sql
    # script works too.
    for table in TABLES:
        op.add_column(table, sa.Column(
            "recorded_from", UTCDateTime(), nullable=False,
            server_default=sa.text(f"'{EARLIEST_RECORDED_TEXT}'"),
            comment="Recorded time (UTC) from which the log says this row: the recorded_at "
                    "of the load that made it so. As known at T: recorded_from <= T."))
        op.add_column(table, sa.Column(
            "recorded_to", UTCDateTime(), nullable=False,
            server_default=sa.text(f"'{OPEN_RECORDED_TEXT}'"),
            comment="Recorded time (UTC) from which the log no longer says it (a later "
                    "fact, correction or retraction changed it), exclusive; "
                    f"{OPEN_RECORDED_TEXT} while it still does. As known at T: "
                    "T < recorded_to."))
    if op.get_context().dialect.name != "postgresql":
        return
    if op.get_context().as_sql:
        for sql in reader.setup_sql():
            op.execute(sql)
        return
    reader.setup(op.get_bind())


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("recorded_to")
            batch.drop_column("recorded_from")
