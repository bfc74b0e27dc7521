"""Role holdings and leaves: roles.capacity, roles.holding, roles.closed_reason and
memberships.on_leave.

Revision ID: 0005_holdings
Revises: 0004_pg_search
Create Date: 2026-12-04

Replay identifies a role holding by its ``holding`` id or by (role, unit, title), so two titles
can be held at once and a new title is a change or an addition, never dropped; acting and
interim holders carry a ``capacity``; a leave of absence keeps a person a member, shown on
leave (docs/concepts.md, "Roles, titles and leaves"). The interval tables gain the columns
that say so. The new columns start empty: :meth:`factbase.api.FactBase.open` rebuilds every
projection after an upgrade, so the rows are derived again under the new rules.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_holdings"
down_revision: str | None = "0004_pg_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite and PostgreSQL alike), so the offline --sql script works too.
    op.add_column("roles", sa.Column(
        "capacity", sa.String(16), comment="acting or interim; NULL for a substantive holder."))
    op.add_column("roles", sa.Column(
        "holding", sa.String(200), comment="The explicit holding id the events give, if any."))
    op.add_column("roles", sa.Column(
        "closed_reason", sa.String(32),
        comment="Why the span closed: ended (role.ended), changed (the holding continues "
                "under new terms in the next span), left (its holder left), merged (its "
                "unit was merged into another)."))
    if op.get_context().dialect.name != "sqlite":  # SQLite keeps no column comments
        op.alter_column("roles", "role", existing_type=sa.String(32), existing_nullable=False,
                        comment="cofounder, lead, core_member, member, executive; "
                                "board_member, adviser or investor (affiliations, not staff).")
        op.alter_column(
            "memberships", "closed_reason", existing_type=sa.String(32), existing_nullable=True,
            comment="Why the span closed: the departure reason (resigned, parted_ways, …; "
                    "disputed when accounts disagree), changed (the stay continues in "
                    "another unit, title or leave status in the next span), or roles_ended "
                    "(a person known only by roles holds none any more).")
    op.add_column("memberships", sa.Column(
        "on_leave", sa.Boolean, nullable=False, server_default=sa.false(),
        comment="True while on a leave of absence (still a member)."))


def downgrade() -> None:
    with op.batch_alter_table("memberships") as batch:
        batch.drop_column("on_leave")
    with op.batch_alter_table("roles") as batch:
        batch.drop_column("closed_reason")
        batch.drop_column("holding")
        batch.drop_column("capacity")
