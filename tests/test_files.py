"""The one atomic file writer (:mod:`factbase.files`): whole or not at all, one mode rule."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from factbase.api import FactBase
from factbase.cli import cli
from factbase.errors import InputError
from factbase.files import file_mode, write_atomic, write_text

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _set_umask(mask: int) -> None:
    os.umask(mask)


def test_a_new_file_gets_0666_less_the_umask(tmp_path: Path, umask: None) -> None:
    for mask, mode in ((0o022, 0o644), (0o077, 0o600), (0o002, 0o664), (0o000, 0o666)):
        _set_umask(mask)
        target = tmp_path / f"r{mask:o}.md"
        write_text(target, "# report\n")
        assert target.stat().st_mode & 0o777 == mode
        assert target.read_text(encoding="utf-8") == "# report\n"


def test_an_existing_file_keeps_its_mode(tmp_path: Path, umask: None) -> None:
    target = tmp_path / "shared.csv"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    _set_umask(0o000)
    write_text(target, "new\n")
    assert target.stat().st_mode & 0o777 == 0o640
    assert target.read_text(encoding="utf-8") == "new\n"
    assert file_mode(target) == 0o640


@given(st.text())
def test_the_text_is_written_as_given(text: str) -> None:
    """No newline translation, any Unicode (CSV keeps its CRLF)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "out.txt"
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        assert write_atomic(target, lambda f: f.write(text)) == len(text)
        assert target.read_bytes() == text.encode("utf-8")
        assert os.listdir(folder) == ["out.txt"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "backup.jsonl"
    target.write_text("old\n", encoding="utf-8")

    def boom(f: TextIO) -> int:
        f.write("half a line")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        write_atomic(target, boom)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["backup.jsonl"]


def test_a_missing_folder_or_a_folder_target_is_one_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as missing:
        write_text(tmp_path / "nope" / "x.md", "x")
    assert str(missing.value) == (f"cannot write {tmp_path / 'nope' / 'x.md'}: folder "
                                  f"{tmp_path / 'nope'} does not exist")
    with pytest.raises(InputError) as folder:
        write_text(tmp_path, "x")
    assert str(folder.value) == f"cannot write {tmp_path}: it is a folder; give a file name"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mask", [0o022, 0o077])
def test_report_and_export_write_files_of_one_mode(seeded: FactBase, runner: CliRunner,
                                                   tmp_path: Path, umask: None,
                                                   mask: int) -> None:
    db = ["--db", seeded.url]
    report, export = tmp_path / "xai.md", tmp_path / "backup.jsonl"
    _set_umask(mask)
    for args in (["report", "xai", "--as-of", "2026-03-01", "--out", str(report)],
                 ["export", "--out", str(export)]):
        result = runner.invoke(cli, [*db, *args], catch_exceptions=False)
        assert result.exit_code == 0
    assert report.stat().st_mode & 0o777 == export.stat().st_mode & 0o777 == 0o666 & ~mask
