"""The anchor: the head of the log as a published output cites it.

Pure module: the store finds the head (:func:`factbase.store.log.head_at`), the views cite it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple


class Anchor(NamedTuple):
    """The head of the log as it stood at a recorded time: what a published output cites so
    that it can be reproduced (``--known-at recorded_at``) and checked (``verify
    --check-anchor seq:hash``). ``seq`` 0 and ``recorded_at`` None for an empty log."""

    seq: int
    hash: str
    recorded_at: datetime | None

    @property
    def text(self) -> str:
        """``SEQ:HASH``, as ``factbase verify --anchor`` prints it."""
        return f"{self.seq}:{self.hash}"

    @property
    def known_at(self) -> str | None:
        """``recorded_at`` as an ISO 8601 UTC instant (``Z``) that ``--known-at`` reads back
        to the same microsecond; None for an empty log."""
        if self.recorded_at is None:
            return None
        return self.recorded_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
