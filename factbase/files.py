"""Files factbase writes for the user (``report --out``, ``export --out``): whole or not at all.

One writer, one rule for the file's mode. The text goes to a temporary file in the target's
folder, which is renamed over the target only once the writer has finished, so an interrupted
or failed run never leaves half a file and never damages the file it would have replaced.

The mode is the one a shell redirection (``> FILE``) or ``cp`` would give: a new file gets
``0o666`` less the process umask (``0644`` under the usual umask 022, ``0600`` under 077); a
file that already exists keeps its mode. The temporary file is made ``0600`` by
:func:`tempfile.mkstemp` and changed to that mode before the rename, so the target is never
readable by more people than the rule allows, not even for a moment.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TextIO, TypeVar

from factbase.errors import InputError

T = TypeVar("T")


def file_mode(target: Path) -> int:
    """The permission bits (e.g. ``0o644``) a file written to ``target`` gets: those of the
    existing file, else ``0o666`` less the current umask."""
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        pass
    umask = os.umask(0)  # the only portable way to read it: set it and put it back
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: str | Path, write: Callable[[TextIO], T]) -> T:
    """Run ``write`` on a UTF-8 text stream (``newline=""``: CSV keeps its CRLF, nothing is
    translated) whose text replaces ``path`` whole once ``write`` returns; returns what
    ``write`` returns. The file's mode follows :func:`file_mode`.

    Raises :class:`factbase.errors.InputError` naming the path when its folder is missing or
    the file cannot be written; whatever ``write`` raises propagates, and then ``path`` is
    left as it was (no partial file, no temporary file left behind).

    Example::

        write_atomic("xai.md", lambda f: f.write(text))
    """
    target = Path(os.path.abspath(path))
    if not target.parent.is_dir():
        raise InputError(f"cannot write {path}: folder {target.parent} does not exist")
    if target.is_dir():
        raise InputError(f"cannot write {path}: it is a folder; give a file name")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with open(fd, "w", encoding="utf-8", newline="") as f:
            result = write(f)
        os.chmod(tmp, file_mode(target))
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8, no newline translation) to ``path`` whole or not at all, as
    :func:`write_atomic` does."""
    write_atomic(path, lambda f: f.write(text))


def write_to(path: str | Path | None, write: Callable[[TextIO], T],
             stdout: BinaryIO | None = None) -> T:
    """Run ``write`` on ``path`` through :func:`write_atomic`, or, when ``path`` is None, on
    a UTF-8 text stream (``newline=""``) over the binary stream ``stdout`` (written through
    as ``write`` goes: bounded memory). Returns what ``write`` returns."""
    if path is not None:
        return write_atomic(path, write)
    if stdout is None:
        raise ValueError("write_to needs a path or a binary stdout")
    stream = io.TextIOWrapper(stdout, encoding="utf-8", newline="", write_through=True)
    try:
        return write(stream)
    finally:
        stream.flush()
        stream.detach()
