"""The errors factbase raises on purpose.

Every expected failure is a :class:`FactbaseError`; the CLI turns one into a single
``Error: …`` line on stderr and exit status 1, and nothing is written. Anything else is a bug
and keeps its traceback.
"""

from __future__ import annotations


class FactbaseError(Exception):
    """An expected failure whose message names the input and the fix.

    ``exit_code`` is the CLI's exit status for it: 1, except for the retryable write failures
    below (:class:`ConflictError` 3, :class:`DatabaseBusy` 75) and :class:`UnknownStream` 2.
    """

    exit_code = 1

    def lines(self) -> list[str]:
        """The message as the lines it is printed in (one, except for
        :class:`InvalidRecord`); a value quoted in a line may hold any character, so a
        printer escapes each line (:func:`factbase.core.escape.terminal_text`)."""
        return [str(self)]


class InputError(FactbaseError):
    """A file, record or argument that cannot be accepted (validation happens before any write)."""


class InvalidRecord(InputError):
    """One or more records of an input failed validation.

    ``problems`` holds one line per problem, each already naming the file, the record (line or
    index) and the field; the message is their concatenation.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """The first 20 problems, then ``… and N more problems`` if there are more."""
        shown = self.problems[:20]
        more = len(self.problems) - len(shown)
        if more > 0:
            shown.append(f"… and {more} more problem{'s' if more != 1 else ''}")
        return shown


class NotFound(FactbaseError):
    """An organisation, person, event or source id that the log does not hold."""


class SchemaError(FactbaseError):
    """The database schema is not one this version of factbase can use."""


class IntegrityError(FactbaseError):
    """The log or its projections fail verification (hash chain broken, projection drift).

    ``seq`` is the first bad sequence number, when there is one.
    """

    def __init__(self, message: str, seq: int | None = None) -> None:
        self.seq = seq
        super().__init__(message)


class ConflictError(FactbaseError):
    """A write's expected stream version did not match: another writer appended to the stream
    after the caller read it (optimistic concurrency), or the number given was wrong. Nothing
    was written; read the version again and retry.

    ``stream``, the ``expected`` version and the ``actual`` one (versions count the events of
    the stream, 0 for a stream with none). CLI exit status 3.
    """

    exit_code = 3

    def __init__(self, stream: str, expected: int, actual: int) -> None:
        self.stream, self.expected, self.actual = stream, expected, actual
        super().__init__(f"stream {stream} is at version {actual}, expected {expected}: it "
                         "changed since you read it (or the number is wrong); check with "
                         f"`factbase stream {stream}` and retry")


class UnknownStream(InputError):
    """An expected version (``--expect-version STREAM=N``) names a stream that has no events
    in the log and gets none from the write: most likely a misspelled id (stream ids are
    entity ids, lower-case). Nothing was written. CLI exit status 2 (a usage error).

    ``stream``, the ``expected`` version and ``suggestion``, a close stream id or None.
    """

    exit_code = 2

    def __init__(self, stream: str, expected: int, suggestion: str | None) -> None:
        self.stream, self.expected, self.suggestion = stream, expected, suggestion
        example = suggestion if suggestion is not None else "an organisation's id"
        super().__init__(f"--expect-version {stream}={expected}: no stream {stream} in the "
                         f"log or in this load (stream ids are entity ids, e.g. {example})")


class DatabaseBusy(FactbaseError):
    """The database stayed locked by other writers through every retry of a write
    transaction (SQLite "database is locked"; PostgreSQL serialization failure or deadlock).
    Nothing was written; the write can be retried later. CLI exit status 75 (``EX_TEMPFAIL``
    of sysexits.h: a temporary failure).
    """

    exit_code = 75
