"""`factbase verify` checks the projections cheaply (registered entities and sources agree
with the log, every entity is named); `verify --projections` compares them with a rebuild."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine

from factbase.cli import cli
from factbase.store.engine import database_url


@pytest.fixture
def db(seeded_template: Path | str, clone_db: Callable[[Path | str], str]) -> str:
    """A private copy of the seeded database (a SQLite path or a PostgreSQL URL)."""
    return clone_db(seeded_template)


def change(db: str, sql: str) -> int:
    """Run ``sql`` on its own autocommit connection (as an outsider would); its rowcount."""
    engine = create_engine(database_url(db), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":  # foreign keys off, as sqlite3's default is
                conn.exec_driver_sql("SET session_replication_role = replica")
            return int(conn.exec_driver_sql(sql).rowcount)
    finally:
        engine.dispose()


def verify(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "verify", *args])


def test_verify_with_projections_on_a_sound_database_says_they_match_a_rebuild(db: str
                                                                               ) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db), "verify", "--projections"],
                                catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout.startswith("ok: 79 events, hash chain intact, projections match a "
                                    "rebuild (head ")
    assert result.stderr == ""


@pytest.mark.parametrize(("table", "sql", "what"), [
    ("entities", "UPDATE entities SET name = 'Tampered' WHERE entity_id = 'xai'",
     "1 row(s) unlike or missing for the events that registered them"),
    ("entities", "DELETE FROM entities WHERE entity_id = 'tony-wu'",
     "1 row(s) unlike or missing for the events that registered them"),
    ("sources", "UPDATE sources SET url = 'https://example.com/' "
                "WHERE source_id = 'huxiu-4835050'",
     "1 row(s) unlike or missing for the events that registered them"),
    ("entity_names", "DELETE FROM entity_names WHERE entity_id = 'xai'",
     "1 entities without a name, or names of unknown entities"),
])
def test_quick_checks_find_a_tampered_registration(db: str, table: str, sql: str,
                                                   what: str) -> None:
    assert change(db, sql) >= 1
    result = verify(db)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert f"Error: projection '{table}' disagrees with the log ({what}); run `factbase " \
           "rebuild`" in lines
    assert CliRunner().invoke(cli, ["--db", str(db), "rebuild"]).exit_code == 0
    assert verify(db).exit_code == 0


def test_a_lost_look_up_key_needs_the_full_comparison(db: str) -> None:
    assert change(db, "DELETE FROM entity_names WHERE entity_id = 'tony-wu' AND "
                      "name = '吴宇怀' AND folded = 'wuyuhuai'") == 1
    assert verify(db).exit_code == 0  # the quick checks cannot know every look-up key
    result = verify(db, "--projections")
    assert result.exit_code == 1
    assert result.stderr == ("Error: projection 'entity_names' differs from a rebuild of the "
                             "log (0 unexpected row(s), 1 missing); run `factbase rebuild`\n")
