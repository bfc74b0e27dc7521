"""The vocabulary: event types, stored events, and the drafts validation produces.

An input record is a mapping (from YAML, JSON or JSON Lines) with an *envelope* — ``id``,
``type``, ``date``, ``at``, ``announced``, ``evidence``, ``sources``, ``note`` — and the
type's own fields, flat beside it (DESIGN §4)::

    {"type": "person.left", "date": "2026-02-10", "sources": ["ba-post"],
     "person": "jimmy-ba", "org": "xai", "reason": "resigned"}

:func:`validate_record` turns one record into an :class:`EventDraft` or raises
:class:`RecordProblems` listing *every* problem with its field. References to other entities
and to sources are checked later, against the whole batch and the database
(:mod:`factbase.loader`), because a file may define an entity after the event that names it.

The field models of each type (pydantic), :data:`EVENT_TYPES`, :data:`CHANGE_TYPES` and
:func:`validate_record` live in :mod:`factbase.validation` and are reached through this module
too (``from factbase.events import validate_record``); that module, and pydantic with it, is
imported the first time one of them is asked for, so reading the log never loads it.

Pure module: no SQLAlchemy, no Click.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from factbase.dates import PartialDate

if TYPE_CHECKING:
    from factbase.validation import CHANGE_TYPES as CHANGE_TYPES
    from factbase.validation import EVENT_TYPES as EVENT_TYPES
    from factbase.validation import validate_record as validate_record
    from factbase.validation import value_problems as value_problems

SCHEMA_VERSION = 1

SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,199}$"

#: Longest name or alias: look-up keys are computed for every name (pinyin for Chinese ones,
#: about 0.3 ms a character), so a megabyte of 吳宇懷 would take minutes to fold; no real name
#: comes near this.
NAME_MAX = 500

#: Deepest nesting of a record's values (the record itself is level 1; the deepest record the
#: vocabulary needs, a reorg change's account, is at level 5). Deeper input is refused before
#: anything recurses through it (the loaders enforce it too, for their parsers' sake).
MAX_DEPTH = 50
#: Most values (strings, numbers, lists, mappings, counted as expanded) in one record.
MAX_VALUES = 1_000_000

EntityKind = Literal["person", "organization", "unit", "product"]
Evidence = Literal["confirmed", "reported", "unconfirmed"]
EVIDENCE_LEVELS: tuple[str, ...] = ("unconfirmed", "reported", "confirmed")
Reason = Literal[
    "resigned", "dismissed", "laid_off", "retired", "stepped_back", "parted_ways", "died",
    "other", "unknown",
]
#: Roles: staff roles, then affiliations (board, adviser, investor: not staff; a person known
#: only by them is present while holding one).
Role = Literal["cofounder", "lead", "core_member", "member", "executive",
               "board_member", "adviser", "investor"]
#: How a role is held besides substantively: an acting or interim holder.
Capacity = Literal["acting", "interim"]
Qualifier = Literal["about", "over", "under", "close_to", "up_to", "at_least"]

ENVELOPE_FIELDS = ("id", "type", "date", "at", "announced", "evidence", "sources", "note")

#: How a reference field is resolved: the kind of entity it names, or "source".
RefKind = Literal["person", "organization", "unit", "product", "entity", "source"]

#: Types that carry no valid time and may cite no source (identity and bibliography).
REGISTRATION_TYPES = frozenset({"entity.registered", "entity.aliased", "source.registered"})
#: Types about other events: their stream is their target's; they carry no valid time.
AMEND_TYPES = frozenset({"event.corrected", "event.retracted", "account.added"})
#: Identity decisions: undated (they are about knowledge), but they cite sources.
IDENTITY_TYPES = frozenset({"entity.merged", "entity.unmerged"})
#: Redactions: undated (they are about what outputs show), sourced; undone by retraction.
REDACTION_TYPES = frozenset({"entity.redacted"})
UNDATED_TYPES = REGISTRATION_TYPES | AMEND_TYPES | IDENTITY_TYPES | REDACTION_TYPES


# --- validated drafts -------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A reference from a record to an entity or source, to be resolved against the batch."""

    path: str  # field path in the record, e.g. "founders[3]" or "changes[2].unit"
    kind: RefKind
    id: str


@dataclass(frozen=True)
class EventDraft:
    """A validated event, not yet in the log.

    ``payload`` is the type's fields plus ``note``/``announced`` (and, for a reorg, its
    validated ``changes``), JSON-ready. ``content_hash`` is the SHA-256 of the canonical
    content (:func:`canonical_json` of everything but the id), so re-loading is idempotent.
    """

    event_id: str
    type: str
    stream: str
    date: PartialDate | None
    instant: datetime | None
    evidence: str | None
    payload: dict[str, Any]
    sources: tuple[str, ...]
    content_hash: str
    references: tuple[Reference, ...] = ()
    defines: tuple[tuple[str, str, str], ...] = ()  # (kind, id, name)
    given_id: bool = False


class RecordProblems(Exception):
    """A record failed validation; ``problems`` are ``(field path, message)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p}: {m}" if p else m for p, m in problems))


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              allow_nan=False)


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 kept (the hashed and stored form).

    Exactly ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    allow_nan=False)``, with the encoder made once rather than per call."""
    return _CANONICAL.encode(value)


def sha256(text: str) -> str:
    """Hex SHA-256 of UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Event:
    """An event as stored in the log.

    ``date`` is the valid time (None for registrations); ``instant`` the exact UTC instant when
    known; ``recorded_at`` the recorded (transaction) time, aware UTC; ``seq`` the log position.
    """

    seq: int
    event_id: str
    type: str
    stream: str
    date: PartialDate | None
    instant: datetime | None
    evidence: str | None
    payload: dict[str, Any]
    sources: tuple[str, ...]
    recorded_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def note(self) -> str | None:
        note = self.payload.get("note")
        return note if isinstance(note, str) else None


def __getattr__(name: str) -> Any:
    """The names that moved to :mod:`factbase.validation` (``EVENT_TYPES``,
    ``validate_record``, the field models, …), imported on first use."""
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from factbase import validation

    try:
        return getattr(validation, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
