"""Files factbase writes for the user (``report --out``, ``export --out``): whole or not at all.

One writer, one rule for the file's mode. The text goes to a temporary file in the target's
folder, which is renamed over the target only once the writer has finished, so an interrupted
or failed run never leaves half a file and never damages the file it would have replaced.

The mode is the one a shell redirection (``> FILE``) or ``cp`` would give: a new file gets
``0o666`` less the process umask (``0644`` under the usual umask 022, ``0600`` under 077); a
file that already exists keeps its mode. The temporary file is made ``0600`` by
:func:`tempfile.mkstemp` and changed to that mode before the rename, so the target is never
readable by more people than the rule allows, not even for a moment.

What may stand at the path: nothing (a new file), a regular file (replaced whole), or a
symbolic link, which is **followed**, as a shell redirection follows it: the file the link
points to (at the end of every link in a chain) is replaced and the link stays a link. A device
node (``/dev/sda``, ``/dev/full``), a named pipe (FIFO) or a socket is refused with one error
naming the path: renaming over it would turn it into a regular file, and writing into it is
what standard output and a redirection are for. A write that fails part-way (a full disk, a
quota, an I/O error) is one error naming the path and the reason, and leaves nothing behind.

:func:`output_error` names the write errors of an output stream (standard output to
``/dev/full``, a closed pipe) that the CLI reports in one line instead of a traceback.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TextIO, TypeVar

from factbase.core.errors import InputError

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

    Raises :class:`factbase.core.errors.InputError` naming the path when its folder is missing,
    when a folder, device, FIFO or socket stands at it (a symbolic link is followed), or when
    the file cannot be written (a full disk: :func:`output_error`); whatever else ``write``
    raises propagates. On any error ``path`` is left as it was (no partial file, no temporary
    file left behind).

    Example::

        write_atomic("xai.md", lambda f: f.write(text))
    """
    target = Path(os.path.realpath(path))  # a symbolic link is followed (module docstring)
    if not target.parent.is_dir():
        raise InputError(f"cannot write {path}: folder {target.parent} does not exist")
    _check_target(path, target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    try:
        try:
            with open(fd, "w", encoding="utf-8", newline="") as f:
                result = write(f)
        except OSError as exc:
            reason = output_error(exc)
            if reason is None:
                raise
            raise InputError(f"cannot write {path}: {reason}; nothing was written") from None
        os.chmod(tmp, file_mode(target))
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result


#: What :func:`write_atomic` refuses to replace, by the kind of thing at the path.
_NOT_A_FILE = ((stat.S_ISDIR, "it is a folder; give a file name"),
               (stat.S_ISFIFO, "it is a named pipe (FIFO), not a file; leave out --out and "
                               "redirect standard output to write into it"),
               (stat.S_ISCHR, "it is a device, not a file; leave out --out and redirect "
                              "standard output to write to it"),
               (stat.S_ISBLK, "it is a device, not a file; give a file name"),
               (stat.S_ISSOCK, "it is a socket, not a file; give a file name"))


def _check_target(path: str | Path, target: Path) -> None:
    """Refuse anything but a regular file or nothing at ``target`` (``path`` resolved)."""
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    for test, why in _NOT_A_FILE:
        if test(mode):
            raise InputError(f"cannot write {path}: {why}")


#: errno values of a write that fails for want of room or of a reader, by their message.
_OUTPUT_ERRORS = {errno.ENOSPC: "no space left on the device",
                  errno.EDQUOT: "the disk quota is exceeded",
                  errno.EFBIG: "the file is too large for the file system",
                  errno.EIO: "an input/output error",
                  errno.EPIPE: "the reader closed the pipe"}


def output_error(exc: BaseException) -> str | None:
    """The reason, in words, when ``exc`` is a failed write of output (full disk, quota, file
    too large, I/O error, closed pipe: an :class:`OSError` with one of those ``errno`` values
    and no file name, as a stream's ``write`` raises it); None for any other exception."""
    if isinstance(exc, OSError) and exc.filename is None:
        return _OUTPUT_ERRORS.get(exc.errno or 0)
    return None


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
