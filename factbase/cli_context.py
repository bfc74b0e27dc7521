"""What every ``factbase`` command shares: the root group's :class:`Settings` (the database,
opened lazily) and :func:`say`, the one way a status line reaches the terminal. Both
:mod:`factbase.cli` and :mod:`factbase.cli_add` build on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from factbase.api import FactBase


class Settings:
    """What the root group parsed; opens the database lazily."""

    def __init__(self, db: str, check_hashes: bool = True) -> None:
        self.db = db
        self.check_hashes = check_hashes
        self._fb: FactBase | None = None

    def fb(self, ctx: click.Context, *, create: bool = False) -> FactBase:
        if self._fb is None:
            from factbase.api import FactBase

            self._fb = FactBase.open(self.db, create=create, check_hashes=self.check_hashes)
            self._fb.on_busy = _note_busy
            ctx.call_on_close(self._fb.close)
        return self._fb


def say(message: str, *, err: bool = True) -> None:
    """Print one status, note or warning line (stderr; stdout with ``err=False``) with the
    names and texts in it made safe for a terminal (:func:`factbase.core.escape.terminal_text`:
    escape sequences, bidi controls and zero-width characters shown as ``[U+…]``, line
    breaks as spaces), whether or not the stream is a terminal. Every line the CLI writes
    around a rendered document goes through here; the documents escape themselves."""
    from factbase.core.escape import terminal_text

    click.echo(terminal_text(message), err=err)


def _note_busy(attempt: int, delay: float, message: str) -> None:
    from factbase.api import WRITE_ATTEMPTS

    say(f"note: the database is busy with other writers ({message}); trying again in "
        f"{delay:.1f} s (attempt {attempt + 1} of {WRITE_ATTEMPTS})")


def settings(ctx: click.Context) -> Settings:
    """The :class:`Settings` of the root group ``ctx`` runs under."""
    obj = ctx.find_object(Settings)
    assert obj is not None
    return obj
