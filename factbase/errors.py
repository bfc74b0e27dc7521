"""The errors factbase raises on purpose.

Every expected failure is a :class:`FactbaseError`; the CLI turns one into a single
``Error: …`` line on stderr and exit status 1, and nothing is written. Anything else is a bug
and keeps its traceback.
"""

from __future__ import annotations


class FactbaseError(Exception):
    """An expected failure whose message names the input and the fix."""


class InputError(FactbaseError):
    """A file, record or argument that cannot be accepted (validation happens before any write)."""


class InvalidRecord(InputError):
    """One or more records of an input failed validation.

    ``problems`` holds one line per problem, each already naming the file, the record (line or
    index) and the field; the message is their concatenation.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        shown = self.problems[:20]
        more = len(self.problems) - len(shown)
        text = "\n".join(shown)
        if more > 0:
            text += f"\n… and {more} more problem{'s' if more != 1 else ''}"
        super().__init__(text)


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
