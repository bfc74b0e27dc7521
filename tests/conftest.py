"""Shared fixtures: a migrated database per test, an open FactBase, a CLI runner, the seed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from factbase.api import FactBase

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


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A path for a SQLite database file (not yet created)."""
    return tmp_path / "factbase.db"


@pytest.fixture
def db_url(db_path: Path) -> str:
    """A SQLite URL of a database migrated to head."""
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
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the seed timeline loaded, built once per session."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    with FactBase.open(str(path), create=True) as base:
        base.load([str(SEED)])
    return path


@pytest.fixture
def seeded(seeded_template: Path, tmp_path: Path) -> Iterator[FactBase]:
    """An open FactBase holding the seed timeline (a fresh copy per test)."""
    import sqlite3

    path = tmp_path / "seeded.db"
    src = sqlite3.connect(seeded_template)
    dst = sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    with FactBase.open(str(path)) as base:
        yield base
