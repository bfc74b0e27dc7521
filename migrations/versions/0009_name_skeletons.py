"""``entity_names.skeleton``: each name's look-alike key (the Unicode TR39 skeleton of its folded
form, :func:`factbase.core.names.skeleton`), indexed, so a load can flag a new name that looks
like one already recorded (``Tоny Wu`` with a Cyrillic ``о`` beside ``Tony Wu``).

Revision ID: 0009_name_skeletons
Revises: 0008_tools
Create Date: 2026-12-05

The column is filled for the names already recorded, here (so a database upgraded by the
``alembic`` command is whole) and again by the projection rebuild that follows an upgrade.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from factbase.core.names import skeleton

revision: str = "0009_name_skeletons"
down_revision: str | None = "0008_tools"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite and PostgreSQL alike), so the offline --sql script works too.
    op.add_column("entity_names", sa.Column(
        "skeleton", sa.Text, nullable=True,
        comment="The name's look-alike key (Unicode TR39 skeleton of the folded name)."))
    op.create_index("ix_entity_names_skeleton", "entity_names", ["skeleton"])
    if op.get_context().as_sql:
        return  # an offline script: the rebuild after `factbase init` fills the column
    conn = op.get_bind()
    names = sa.table("entity_names", sa.column("name", sa.Text), sa.column("skeleton", sa.Text))
    rows = [{"n": name, "s": skeleton(name)}
            for (name,) in conn.execute(sa.select(names.c.name).distinct())]
    if rows:
        conn.execute(names.update().where(names.c.name == sa.bindparam("n"))
                     .values(skeleton=sa.bindparam("s")), rows)


def downgrade() -> None:
    op.drop_index("ix_entity_names_skeleton", table_name="entity_names")
    with op.batch_alter_table("entity_names") as batch:
        batch.drop_column("skeleton")
