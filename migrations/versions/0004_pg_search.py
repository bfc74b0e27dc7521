"""Full-text search indexes on PostgreSQL: a ``simple`` tsvector over ``search_docs.folded``
and, where the ``pg_trgm`` extension can be had, a trigram index for Chinese and substrings.

Revision ID: 0004_pg_search
Revises: 0003_redaction
Create Date: 2026-11-29

PostgreSQL only (SQLite keeps its FTS5 trigram index from 0002_intervals; nothing changes there).
``to_tsvector('simple', folded)`` splits on spaces and punctuation and neither stems nor drops
stop words, so names survive as written; but it keeps a run of Chinese characters as one
token, so words in Han script (and quoted phrases) are matched with ``LIKE`` instead, which
the ``pg_trgm`` GIN index serves. ``pg_trgm`` ships with PostgreSQL's contrib package and is
a trusted extension (PostgreSQL 13+): a user who may create objects in the database may
install it. Without it, ``LIKE`` still works, by a scan. The downgrade drops the indexes and
leaves the extension (other databases' objects may use it).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004_pg_search"
down_revision: str | None = "0003_redaction"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Keep in step with factbase.store.search (the query must repeat the indexed expression exactly).
_TSV_INDEX = ("CREATE INDEX ix_search_docs_folded_tsv ON search_docs "
              "USING gin (to_tsvector('simple', folded))")
_TRGM_INDEX = ("CREATE INDEX ix_search_docs_folded_trgm ON search_docs "
               "USING gin (folded gin_trgm_ops)")


def _can_have_pg_trgm() -> bool:
    """True when ``pg_trgm`` is installed, or available and this user may create it."""
    if op.get_context().as_sql:
        return True  # an offline script assumes it (the reader runs it as they see fit)
    bind = op.get_bind()
    row = bind.exec_driver_sql(
        "SELECT installed_version IS NOT NULL, "
        "has_database_privilege(current_database(), 'CREATE') "
        "FROM pg_available_extensions WHERE name = 'pg_trgm'").first()
    return row is not None and (bool(row[0]) or bool(row[1]))


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(_TSV_INDEX)
    if _can_have_pg_trgm():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(_TRGM_INDEX)


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_search_docs_folded_trgm")
    op.execute("DROP INDEX IF EXISTS ix_search_docs_folded_tsv")
