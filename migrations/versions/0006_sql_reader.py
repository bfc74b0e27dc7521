"""The role ``factbase sql`` runs as on PostgreSQL: ``factbase_reader``, its SELECT grants on
the documented tables and views, and its security-definer function ``factbase_sql.run_query``.

Revision ID: 0006_sql_reader
Revises: 0005_holdings
Create Date: 2026-12-04

PostgreSQL only; nothing changes on SQLite (whose ``sql`` opens the file read-only). See
:mod:`factbase.store.reader`. Creating the role needs ``CREATEROLE`` (or a superuser); when the
migrating user has neither and the role does not exist yet, the revision sets nothing up and
``factbase sql`` refuses to run, saying what an administrator must do (then ``factbase init``
finishes the set-up). The downgrade revokes this database's grants and keeps the role (it
belongs to the server) and the function (other factbase databases may use it).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from factbase.store import reader

revision: str = "0006_sql_reader"
down_revision: str | None = "0005_holdings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    if op.get_context().as_sql:  # the script runs as someone who may (it says so first)
        op.execute(f"-- factbase sql runs as the role {reader.ROLE}: creating it needs "
                   "CREATEROLE (or the role, granted to the user running this script)")
        for sql in reader.setup_sql():
            op.execute(sql)
        return
    reader.setup(op.get_bind())


def downgrade() -> None:
    # The schema factbase_sql and its function stay: other factbase databases kept as
    # schemas of this PostgreSQL database may use them (they run queries as the role only).
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(
        f"DO $$ DECLARE s text := quote_ident(current_schema()); BEGIN "
        f"IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{reader.ROLE}') THEN "
        f"EXECUTE 'REVOKE ALL ON ALL TABLES IN SCHEMA ' || s || ' FROM {reader.ROLE}'; "
        f"EXECUTE 'REVOKE ALL ON SCHEMA ' || s || ' FROM {reader.ROLE}'; "
        "END IF; END $$")
