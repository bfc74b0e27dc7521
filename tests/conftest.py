"""Shared fixtures: a migrated database per test, an open FactBase, a CLI runner, the seed.

Every database fixture follows the backend of the session (:mod:`tests.backends`): SQLite
files by default, PostgreSQL when ``FACTBASE_TEST_DATABASE_URL`` is set. ``db_url``, ``fb``,
``seeded`` and the factories ``new_db`` (a new, empty database) and ``clone_db`` (a copy of a
template such as ``seeded_template``) give a SQLite path/URL or a PostgreSQL URL, both good
for ``--db`` and :meth:`FactBase.open`. Mark a test ``@pytest.mark.sqlite_only("why")`` when
it is about SQLite files, ``@pytest.mark.postgresql_only("why")`` when it needs the server;
``backend`` names the one in use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings
from sqlalchemy.engine import make_url

from factbase.api import FactBase
from tests.backends import BACKEND, PG_URL, PgServer, copy_sqlite

# No per-example deadline: the machines are shared and noisy; speed is measured in benchmarks/.
settings.register_profile("factbase", deadline=None)
settings.load_profile("factbase")

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "xai.yaml"

#: A small valid timeline (5 events) that error, crash and fuzz tests start from.
BASE_TIMELINE = """\
sources:
  - id: article-1
    url: https://example.com/a1
    title: An article
    published: "2026-02-10"
entities:
  - id: acme
    kind: organization
    name: Acme
  - id: jane-doe
    kind: person
    name: Jane Doe
events:
  - id: acme-founded
    type: org.founded
    date: "2026-01-05"
    sources: [article-1]
    org: acme
    founders: [jane-doe]
  - type: unit.created
    date: "2026-01-06"
    sources: [article-1]
    unit: acme-research
    org: acme
    name: Research
    kind: division
"""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): the test is about SQLite files (WAL, mode=ro, raw "
        "sqlite3, crashes of the file); skipped when the suite runs on PostgreSQL")
    config.addinivalue_line(
        "markers", "slow: many writers, crashes and fuzzing; `pytest -m \"not slow\"` is the "
        "inner loop, CI runs everything")
    config.addinivalue_line(
        "markers", "postgresql_only(reason): the test needs a PostgreSQL server; skipped on "
        "SQLite")


def pytest_report_header(config: pytest.Config) -> str:
    return f"factbase test backend: {BACKEND}" + (
        f" ({make_url(PG_URL).render_as_string()})" if PG_URL else "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_marker = "sqlite_only" if BACKEND == "postgresql" else "postgresql_only"
    for item in items:
        mark = item.get_closest_marker(skip_marker)
        if mark is not None:
            why = mark.args[0] if mark.args else mark.kwargs.get("reason", "")
            item.add_marker(pytest.mark.skip(reason=f"{skip_marker}: {why}"))


@pytest.fixture(scope="session")
def backend() -> str:
    """``"sqlite"``, or ``"postgresql"`` when ``FACTBASE_TEST_DATABASE_URL`` is set."""
    return BACKEND


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer | None]:
    """The PostgreSQL server of ``FACTBASE_TEST_DATABASE_URL`` (None on SQLite)."""
    if PG_URL is None:
        yield None
        return
    server = PgServer(PG_URL)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def pg_template(pg: PgServer | None) -> str | None:
    """PostgreSQL only: the URL of a database migrated to head, to copy per test."""
    if pg is None:
        return None
    url = pg.create()
    FactBase.open(url, create=True).close()
    return url


@pytest.fixture
def new_db(tmp_path: Path, pg: PgServer | None) -> Iterator[Callable[[], str]]:
    """A factory of ``--db`` arguments for new databases: a SQLite path under ``tmp_path``
    (no file yet), or the URL of a new empty PostgreSQL database (dropped after the test)."""
    made: list[str] = []
    names = count(1)

    def make() -> str:
        if pg is None:
            return str(tmp_path / f"new-{next(names)}.db")
        made.append(pg.create())
        return made[-1]

    yield make
    for url in made:
        assert pg is not None
        pg.drop(url)


@pytest.fixture
def clone_db(tmp_path: Path, pg: PgServer | None) -> Iterator[Callable[[Path | str], str]]:
    """A factory copying a database: ``clone_db(template)`` gives the ``--db`` argument of a
    fresh copy (SQLite: a file under ``tmp_path``; PostgreSQL: ``CREATE DATABASE … TEMPLATE``,
    dropped after the test). ``template``: a SQLite path or a PostgreSQL URL."""
    made: list[str] = []
    names = count(1)

    def clone(template: Path | str) -> str:
        if pg is None:
            return str(copy_sqlite(Path(template), tmp_path / f"copy-{next(names)}.db"))
        made.append(pg.create(str(template)))
        return made[-1]

    yield clone
    for url in made:
        assert pg is not None
        pg.drop(url)


@pytest.fixture
def db_path(tmp_path: Path, new_db: Callable[[], str]) -> Path | str:
    """Where a new database goes: a SQLite file path (not yet created), or on PostgreSQL
    the URL of a new empty database."""
    return tmp_path / "factbase.db" if BACKEND == "sqlite" else new_db()


@pytest.fixture
def db_url(db_path: Path | str, pg: PgServer | None, pg_template: str | None,
           clone_db: Callable[[Path | str], str]) -> str:
    """A URL of a database migrated to head (SQLite file, or a PostgreSQL database)."""
    if pg is not None:
        assert pg_template is not None
        return clone_db(pg_template)
    url = f"sqlite:///{db_path}"
    FactBase.open(url, create=True).close()
    return url


@pytest.fixture
def fb(db_url: str) -> Iterator[FactBase]:
    """An open FactBase on an empty, migrated database."""
    with FactBase.open(db_url) as base:
        yield base


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, pg: PgServer | None,
                    pg_template: str | None) -> Path | str:
    """A database with the seed timeline loaded, built once per session: a SQLite path, or a
    PostgreSQL URL (copy it with ``clone_db``; never write to it)."""
    if pg is not None:
        target: Path | str = pg.create(pg_template)
    else:
        target = tmp_path_factory.mktemp("seed") / "seed.db"
    with FactBase.open(str(target), create=True) as base:
        base.load([str(SEED)])
    return target


@pytest.fixture
def seeded(seeded_template: Path | str,
           clone_db: Callable[[Path | str], str]) -> Iterator[FactBase]:
    """An open FactBase holding the seed timeline (a fresh copy per test)."""
    with FactBase.open(clone_db(seeded_template)) as base:
        yield base
