"""The one atomic file writer (:mod:`factbase.io.files`): whole or not at all, one mode rule."""

from __future__ import annotations

import errno
import io
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from factbase.api import FactBase
from factbase.cli import cli
from factbase.core.errors import InputError
from factbase.io import files
from factbase.io.files import file_mode, output_error, write_atomic, write_text

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


# --- what may stand at the path ---------------------------------------------------------


def _export(runner: CliRunner, url: str, out: Path | str) -> Result:
    return runner.invoke(cli, ["--db", url, "export", "--out", str(out)])


def test_out_refuses_a_fifo_and_leaves_it_a_fifo(seeded: FactBase, runner: CliRunner,
                                                 tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    fifo = tmp_path / "out" / "pipe"
    os.mkfifo(fifo)
    result = _export(runner, seeded.url, fifo)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: cannot write {fifo}: it is a named pipe (FIFO), not a "
                             "file; leave out --out and redirect standard output to write "
                             "into it\n")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in fifo.parent.iterdir()) == ["pipe"]


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_out_refuses_a_device_and_a_link_to_one(seeded: FactBase, runner: CliRunner,
                                                tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    link = tmp_path / "out" / "null-link"
    link.symlink_to("/dev/null")
    for out in ("/dev/null", link):
        result = _export(runner, seeded.url, out)
        assert result.exit_code == 1
        assert result.stderr == (f"Error: cannot write {out}: it is a device, not a file; "
                                 "leave out --out and redirect standard output to write to "
                                 "it\n")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert link.is_symlink()
    assert sorted(p.name for p in link.parent.iterdir()) == ["null-link"]


def test_out_follows_a_symbolic_link_and_keeps_it_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "report.md"
    real.write_text("old\n", encoding="utf-8")
    link, chain, dangling = tmp_path / "link.md", tmp_path / "chain.md", tmp_path / "new.md"
    link.symlink_to(real)
    chain.symlink_to(link)
    dangling.symlink_to(tmp_path / "real" / "made.md")
    write_text(link, "one\n")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "one\n"
    write_text(chain, "two\n")
    assert chain.is_symlink() and link.is_symlink()
    assert real.read_text(encoding="utf-8") == "two\n"
    write_text(dangling, "three\n")
    assert dangling.is_symlink()
    assert (tmp_path / "real" / "made.md").read_text(encoding="utf-8") == "three\n"
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["made.md", "report.md"]


# --- a full disk --------------------------------------------------------------------------


class _FullDisk(io.StringIO):
    """A file that takes ``room`` characters, then fails as a full disk does."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def write(self, text: str) -> int:
        if self.tell() + len(text) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(text)


def test_a_full_disk_under_out_is_one_error_and_leaves_the_old_file(
        seeded: FactBase, runner: CliRunner, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "backup.jsonl"
    target.write_text("old\n", encoding="utf-8")
    real_open = open

    def full_open(file: Any, mode: str = "r", **kwargs: Any) -> Any:
        if isinstance(file, int) and "w" in mode:  # the temporary file's descriptor
            real_open(file, mode, **kwargs).close()
            return _FullDisk(room=1000)
        return real_open(file, mode, **kwargs)

    monkeypatch.setattr(files, "open", full_open, raising=False)
    for args in (["export", "--out", str(target)],
                 ["report", "xai", "--as-of", "2026-03-01", "--out", str(target)]):
        result = runner.invoke(cli, ["--db", seeded.url, *args])
        assert result.exit_code == 1
        assert result.stderr == (f"Error: cannot write {target}: no space left on the device; "
                                 "nothing was written\n")
        assert target.read_text(encoding="utf-8") == "old\n"
        assert sorted(p.name for p in target.parent.iterdir()) == ["backup.jsonl"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [
    ["org", "xai", "--as-of", "2026-03-01"],
    ["timeline", "--history", "--format", "json"],
    ["export", "--format", "jsonl"],
    ["sql", "SELECT * FROM events"],
])
def test_standard_output_on_a_full_disk_is_one_error_line(seeded: FactBase,
                                                          args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "factbase", "--db", seeded.url, *args],
                              stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    assert done.returncode == 1
    assert done.stderr == "Error: cannot write the output: no space left on the device\n"


def test_output_error_names_only_failed_writes() -> None:
    assert output_error(OSError(errno.ENOSPC, "x")) == "no space left on the device"
    assert output_error(OSError(errno.EPIPE, "x")) == "the reader closed the pipe"
    assert output_error(OSError(errno.ENOSPC, "x", "some/file")) is None  # an open, named
    assert output_error(OSError(errno.ENOENT, "x")) is None
    assert output_error(ValueError("x")) is None
