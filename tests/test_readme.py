"""The README's promises: its first command runs the main job; its examples are true."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _first_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    return [b.strip() for b in blocks[:2]]


def test_readme_starts_with_install_and_run_then_install_and_test() -> None:
    main, tests = _first_commands()
    assert "pip install ." in main and "factbase load seeds/xai.yaml" in main
    assert "factbase org xai --as-of 2026-03-01" in main
    assert "pip install -e '.[test]'" in tests and "pytest" in tests
    assert "pytest" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.sqlite_only("the README's first command writes ./factbase.db")
def test_readme_main_job_runs_on_the_seed(tmp_path: Path) -> None:
    """Run the factbase steps of the first command exactly, from a fresh working directory."""
    main = _first_commands()[0]
    steps = [s.strip() for s in main.split("&&") if s.strip().startswith(".venv/bin/factbase")]
    assert len(steps) == 2
    (tmp_path / "seeds").symlink_to(ROOT / "seeds")
    outputs = []
    for step in steps:
        args = step.split()[1:]
        proc = subprocess.run([sys.executable, "-m", "factbase", *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == "seeds/xai.yaml: 79 new, 0 already present (the log holds 79 events)\n"
    assert "Co-founders: 12 in all — 6 present, 6 departed" in outputs[1]
    assert (tmp_path / "factbase.db").exists()


def test_readme_tour_lines_are_real_output(tmp_path: Path, backend: str,
                                           new_db: Callable[[], str]) -> None:
    (tmp_path / "seeds").symlink_to(ROOT / "seeds")
    # On PostgreSQL the tour runs as the "For a team" section sets it up: FACTBASE_DB.
    env = dict(os.environ, FACTBASE_DB=new_db()) if backend == "postgresql" else None

    def run(*args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "factbase", *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120, env=env)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    run("load", "seeds/xai.yaml")
    shown = {
        ("org", "xai", "--as-of", "2026-03-01"): None,
        ("org", "xai", "--as-of", "2026-01-01"): None,
        ("timeline", "--type", "person.left", "--from", "2026-01"): None,
        ("verify",): None,
    }
    for args in shown:
        out = run(*args)
        block = README.split("$ factbase " + " ".join(args) + "\n", 1)[1].split("```", 1)[0]
        block = block.split("\n$ ", 1)[0]  # up to the next command
        for line in block.splitlines():
            if "…" in line:
                continue
            assert line in out.splitlines(), (args, line)


def test_for_a_team_points_factbase_at_a_server_in_one_command() -> None:
    section = README.split("## For a team\n", 1)[1].split("\n## ", 1)[0]
    (command,) = re.findall(r"```sh\n(.*?)\n```", section, re.S)
    assert command == (".venv/bin/pip install '.[postgresql]' && "
                       "export FACTBASE_DB=postgresql+psycopg://user@host/db && "
                       ".venv/bin/factbase init")
    assert '"psycopg[binary]>=3.1"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


@pytest.mark.postgresql_only("needs a PostgreSQL server")
def test_for_a_team_init_through_factbase_db_makes_a_database_at_head(
        tmp_path: Path, new_db: Callable[[], str]) -> None:
    url = new_db()
    proc = subprocess.run([sys.executable, "-m", "factbase", "init"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, FACTBASE_DB=url))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == f"factbase database ready at {url} (0 events)\n"
    assert list(tmp_path.iterdir()) == []  # no SQLite file made on the side
