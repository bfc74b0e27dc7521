"""The same file at home in the SQL tools: Datasette 0.65 (run in the suite, its JSON API on
127.0.0.1) and sqlite-utils against a seeded database. SQLite only: both read SQLite files."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from factbase.api import FactBase
from factbase.store.schema import FTS_TABLE, format_utc
from factbase.store.sqlquery import datasette_metadata

pytestmark = pytest.mark.sqlite_only("Datasette and sqlite-utils read SQLite files")


@pytest.fixture(scope="module")
def tool_db(tmp_path_factory: pytest.TempPathFactory, seeded_template: Path | str,
            backend: str) -> Iterator[Path]:
    """A copy of the seeded database, with a correction of Tony Wu's departure recorded
    later (so the canned queries have two recorded times to tell apart)."""
    if backend != "sqlite":
        pytest.skip("Datasette and sqlite-utils read SQLite files")
    path = tmp_path_factory.mktemp("tools") / "factbase.db"
    shutil.copy(seeded_template, path)
    with FactBase.open(str(path)) as fb:
        fb.correct("tony-wu-left", {"date": "2026-02-10"}, why="dated in Asia",
                   sources=["hindustantimes-tony-wu-2026-02-10"])
    yield path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def datasette(tool_db: Path) -> Iterator[str]:
    """Datasette serving ``tool_db`` with factbase's metadata; yields the base URL."""
    pytest.importorskip("datasette")
    meta = tool_db.parent / "metadata.json"
    meta.write_text(json.dumps(datasette_metadata(tool_db.stem)), encoding="utf-8")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(tool_db), "-i",
                             str(tool_db), "--metadata", str(meta), "--host", "127.0.0.1",
                             "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # wait for it to listen (no timing asserted)
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=5).read()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "") \
                        from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait()


def get(base: str, path: str, **params: str) -> Any:
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{base}{path}?{query}", timeout=30) as r:
        return json.loads(r.read().decode("utf-8"))


def test_datasette_finds_the_full_text_index_and_searches_in_either_script(
        datasette: str) -> None:
    table = get(datasette, "/factbase/search_docs.json", _search="吳宇懷", _shape="objects")
    assert ("entity", "tony-wu") in {(r["kind"], r["ref"]) for r in table["rows"]}
    simplified = get(datasette, "/factbase/search_docs.json", _search="吴宇怀",
                     _shape="objects")
    assert {r["ref"] for r in simplified["rows"]} == {r["ref"] for r in table["rows"]}


def test_datasette_hides_the_internal_tables(datasette: str) -> None:
    tables = get(datasette, "/factbase.json")["tables"]
    hidden = {t["name"] for t in tables if t["hidden"]}
    assert {"alembic_version", FTS_TABLE, f"{FTS_TABLE}_data"} <= hidden
    shown = [t["name"] for t in tables if not t["hidden"]]
    assert "memberships" in shown and "alembic_version" not in shown


def test_datasette_shows_names_for_the_ids_of_the_interval_tables(datasette: str) -> None:
    rows = get(datasette, "/factbase/memberships.json", _labels="on", _shape="objects",
               person="tony-wu", _size="max")["rows"]
    assert rows
    assert {json.dumps(r["person"], ensure_ascii=False) for r in rows} == {
        json.dumps({"value": "tony-wu", "label": "Tony Wu"}, ensure_ascii=False)}
    assert {r["org"]["label"] for r in rows} == {"xAI"}


def test_datasette_runs_the_canned_queries_on_both_time_axes(datasette: str,
                                                             tool_db: Path) -> None:
    with FactBase.open(str(tool_db)) as fb:
        (first,) = fb.sql("SELECT min(recorded_at) FROM events").rows[0]
        loaded = fb.sql("SELECT recorded_at FROM events WHERE seq = 1").rows[0][0]
        day = date(2026, 2, 9)
        now = sorted(fb.org("xai", as_of=day).members)
        from factbase.store.schema import parse_utc

        before = sorted(fb.org("xai", as_of=day, known_at=parse_utc(loaded)).members)
    assert first == loaded and now != before

    def members(known_at: str) -> list[str]:
        rows = get(datasette, "/factbase/members_at.json", org="xai", as_of="2026-02-09",
                   known_at=known_at, _shape="objects")["rows"]
        return sorted(r["person"] for r in rows)

    assert members("") == now
    assert members(loaded) == before
    assert members(format_utc(parse_utc(loaded))) == before
    assert members("2999-01-01") == now
    for name in ("roles_at", "units_at", "figures_at"):
        rows = get(datasette, f"/factbase/{name}.json", org="xai", as_of="2026-02-11",
                   known_at="", _shape="objects")["rows"]
        assert rows, name


def test_sqlite_utils_detects_the_index_and_searches_it(tool_db: Path) -> None:
    sqlite_utils = pytest.importorskip("sqlite_utils")
    db = sqlite_utils.Database(tool_db)
    try:
        assert db["search_docs"].detect_fts() == FTS_TABLE
        refs = {r["ref"] for r in db["search_docs"].search("吳宇懷")}
    finally:
        db.close()
    assert "tony-wu" in refs
    out = subprocess.run([sys.executable, "-m", "sqlite_utils", "search", str(tool_db),
                          "search_docs", "吳宇懷", "-c", "ref", "--csv"],
                         capture_output=True, text=True, check=True).stdout
    assert "tony-wu" in out.splitlines()
