"""The vocabulary: event types, stored events, and the drafts validation produces.

An input record is a mapping (from YAML, JSON or JSON Lines) with an *envelope* — ``id``,
``type``, ``date``, ``at``, ``announced``, ``evidence``, ``sources``, ``note`` — and the
type's own fields, flat beside it (DESIGN §4)::

    {"type": "person.left", "date": "2026-02-10", "sources": ["ba-post"],
     "person": "jimmy-ba", "org": "xai", "reason": "resigned"}

:func:`validate_record` turns one record into an :class:`EventDraft` or raises
:class:`RecordProblems` listing *every* problem with its field. References to other entities
and to sources are checked later, against the whole batch and the database
(:mod:`factbase.io.loader`), because a file may define an entity after the event that names it.

The field models of each type (pydantic), :data:`~factbase.core.fields.EVENT_TYPES`,
:data:`~factbase.core.fields.CHANGE_TYPES` and :func:`~factbase.core.fields.validate_record`
live in :mod:`factbase.core.fields`, which builds on this module; only writing imports it, so
reading the log never loads pydantic.

Pure module: no SQLAlchemy, no Click.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from factbase.core.dates import PartialDate

#: The version of the vocabulary this factbase writes: every row of the log stores the version
#: its payload was written in (``schema_version``), and reading upcasts older payloads to this
#: one (:func:`upcast`). The history is in docs/concepts.md, "Versions of the vocabulary".
SCHEMA_VERSION = 2

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

# --- the registry: each event type declared once -------------------------------------------

#: What kind of fact a type records, which decides its envelope: ``dated`` (a fact about the
#: world: a date and sources), ``registration`` (identity and bibliography: no date, no source
#: needed), ``amend`` (about another event, filed under its stream: no date), ``identity``
#: (two ids are one entity, or not: no date, sourced), ``redaction`` (what outputs show: no
#: date, sourced, undone by retraction).
TypeKind = Literal["dated", "registration", "amend", "identity", "redaction"]
#: The JSON kind of a required field: ``text``, ``list``, ``object`` or ``number``.
FieldKind = Literal["text", "list", "object", "number"]
#: Renders a payload in one line of plain words: ``summary(payload, name)``, where ``name(key)``
#: is the display name of the entity the payload's field ``key`` names ("" when none).
Summary = Callable[[Mapping[str, Any], Callable[[str], str]], str]


@dataclass(frozen=True)
class EventType:
    """One event type of the vocabulary, declared once; every module reads it from here.

    ``name``: the dotted type (``person.left``). ``model``: its field model (pydantic), by
    its class name in :mod:`factbase.core.fields` (so reading the log never imports pydantic)
    or as the class itself. ``required``: the fields a stored payload must hold and their JSON
    kinds, checked on every read (a test holds them equal to the model's). ``stream``: the
    fields naming the stream an event is filed under, in order of preference. ``rank``: its
    place among a day's events (docs/concepts.md, "Order within a day": endings before
    beginnings). ``kind``: see :data:`TypeKind`. ``state``: replay has a state rule for it
    (else replay keeps it as a happening, shown as it is). ``touches``: what its state rule
    may change, for the interval projections — ``person`` (only the payload's person), ``unit``
    (only the payload's unit), ``nothing``, or None (a rule of its own there, or for a state
    type: everyone, compared before and after). ``change``: it may be one of a
    reorganisation's changes. ``identity_fields``: payload fields naming people and
    organisations that identity merges rewrite. ``words``: what ``diff`` calls it among
    events. ``summary``: its one-line summary in reports (None: the built-in ones of
    :func:`factbase.core.documents.summarize`, else the type itself)."""

    name: str
    model: str | type[Any]
    required: tuple[tuple[str, FieldKind], ...]
    stream: tuple[str, ...] = ("org",)
    rank: int = 500
    kind: TypeKind = "dated"
    state: bool = False
    touches: Literal["person", "unit", "nothing"] | None = None
    change: bool = False
    identity_fields: tuple[str, ...] = ()
    words: str | None = None
    summary: Summary | None = None


#: type -> its :class:`EventType`, in the order types are listed to users. Extend it with
#: :func:`register` (and give a state type its rule with :func:`factbase.core.replay.rule`).
TYPES: dict[str, EventType] = {}


def register(*types: EventType) -> None:
    """Add event types to the vocabulary (:data:`TYPES`). Raises ValueError for a name
    already registered."""
    for t in types:
        if t.name in TYPES:
            raise ValueError(f"event type {t.name!r} is registered already")
    for t in types:
        TYPES[t.name] = t


def unregister(name: str) -> None:
    """Remove a registered type (for tests and plugins that registered it)."""
    del TYPES[name]


_PERSON_IN_ORG: tuple[tuple[str, FieldKind], ...] = (("person", "text"), ("org", "text"))
_UNIT_IN_ORG: tuple[tuple[str, FieldKind], ...] = (("unit", "text"), ("org", "text"))
register(
    EventType("entity.registered", "EntityRegistered",
              (("entity", "text"), ("kind", "text"), ("name", "text")), stream=("entity",),
              kind="registration"),
    EventType("entity.aliased", "EntityAliased", (("entity", "text"), ("aliases", "list")),
              stream=("entity",), kind="registration"),
    EventType("source.registered", "SourceRegistered", (("source", "text"),),
              stream=("source",), kind="registration"),
    EventType("org.founded", "OrgFounded", (("org", "text"),), rank=0, state=True,
              identity_fields=("org", "founders")),
    EventType("org.merged", "OrgMerged", (("org", "text"), ("into", "text")), rank=190,
              state=True, touches="nothing", identity_fields=("org", "into"),
              words="org merged"),
    EventType("unit.created", "UnitCreated", (("unit", "text"), ("org", "text"),
                                              ("name", "text")),
              rank=10, state=True, touches="unit", change=True, identity_fields=("org",)),
    EventType("unit.renamed", "UnitRenamed", (("unit", "text"), ("name", "text"),
                                              ("org", "text")),
              rank=20, state=True, touches="unit", change=True, identity_fields=("org",)),
    EventType("unit.moved", "UnitMoved", _UNIT_IN_ORG, rank=30, state=True, touches="unit",
              change=True, identity_fields=("org",)),
    EventType("unit.merged", "UnitMerged", (("unit", "text"), ("into", "text"),
                                            ("org", "text")),
              rank=170, state=True, change=True, identity_fields=("org",)),
    EventType("unit.dissolved", "UnitDissolved", _UNIT_IN_ORG, rank=180, state=True,
              touches="unit", change=True, identity_fields=("org",)),
    EventType("person.joined", "PersonJoined", _PERSON_IN_ORG, rank=70, state=True,
              touches="person", change=True, identity_fields=("person", "org")),
    EventType("person.left", "PersonLeft", _PERSON_IN_ORG, rank=60, state=True,
              touches="person", change=True, identity_fields=("person", "org", "by")),
    EventType("role.assigned", "RoleAssigned", (*_PERSON_IN_ORG, ("role", "text")), rank=80,
              state=True, touches="person", change=True, identity_fields=("person", "org")),
    EventType("role.ended", "RoleEnded", (*_PERSON_IN_ORG, ("role", "text")), rank=40,
              state=True, touches="person", change=True, identity_fields=("person", "org")),
    EventType("leave.started", "LeaveStarted", _PERSON_IN_ORG, rank=100, state=True,
              touches="person", change=True, identity_fields=("person", "org")),
    EventType("leave.ended", "LeaveEnded", _PERSON_IN_ORG, rank=50, state=True,
              touches="person", change=True, identity_fields=("person", "org")),
    EventType("role.confirmed", "RoleConfirmed", _PERSON_IN_ORG, rank=90, state=True,
              touches="person", identity_fields=("person", "org")),
    EventType("reorg.announced", "ReorgAnnounced",
              (("org", "text"), ("summary", "text"), ("changes", "list")), rank=120,
              identity_fields=("org",), words="reorg"),
    EventType("meeting.held", "MeetingHeld", (("org", "text"),), rank=130,
              identity_fields=("org", "speakers"), words="meeting"),
    EventType("statement.made", "StatementMade",
              (("person", "text"), ("channel", "text"), ("summary", "text")),
              stream=("org", "person"), rank=140, identity_fields=("person", "org"),
              words="statement"),
    EventType("metric.reported", "MetricReported",
              (("subject", "text"), ("metric", "text"), ("value", "number"),
               ("unit", "text")),
              stream=("org", "subject"), rank=110, state=True, touches="nothing",
              identity_fields=("subject", "org")),
    EventType("product.announced", "ProductAnnounced",
              (("product", "text"), ("org", "text"), ("stage", "text")), rank=150,
              identity_fields=("org",), words="product"),
    EventType("product.launched", "ProductLaunched",
              (("product", "text"), ("org", "text"), ("stage", "text")), rank=160,
              identity_fields=("org",), words="product"),
    EventType("event.corrected", "EventCorrected",
              (("target", "text"), ("changes", "object"), ("why", "text")),
              stream=("target",), kind="amend"),
    EventType("event.retracted", "EventRetracted", (("target", "text"), ("why", "text")),
              stream=("target",), kind="amend"),
    EventType("account.added", "AccountAdded", (("target", "text"), ("account", "object")),
              stream=("target",), kind="amend", identity_fields=("by",)),
    EventType("entity.merged", "EntityMerged",
              (("entity", "text"), ("into", "text"), ("why", "text")), stream=("into",),
              kind="identity"),
    EventType("entity.unmerged", "EntityUnmerged",
              (("entity", "text"), ("into", "text"), ("why", "text")), stream=("into",),
              kind="identity"),
    EventType("entity.redacted", "EntityRedacted", (("entity", "text"), ("why", "text")),
              stream=("entity",), kind="redaction"),
)


def _of_kind(kind: TypeKind) -> frozenset[str]:
    return frozenset(t.name for t in TYPES.values() if t.kind == kind)


#: Types that carry no valid time and may cite no source (identity and bibliography).
REGISTRATION_TYPES = _of_kind("registration")
#: Types about other events: their stream is their target's; they carry no valid time.
AMEND_TYPES = _of_kind("amend")
#: Identity decisions: undated (they are about knowledge), but they cite sources.
IDENTITY_TYPES = _of_kind("identity")
#: Redactions: undated (they are about what outputs show), sourced; undone by retraction.
REDACTION_TYPES = _of_kind("redaction")
UNDATED_TYPES = REGISTRATION_TYPES | AMEND_TYPES | IDENTITY_TYPES | REDACTION_TYPES


def rank(type_: str) -> int:
    """The place of ``type_`` among one day's events (:attr:`EventType.rank`; 500 for a type
    the vocabulary does not know)."""
    t = TYPES.get(type_)
    return 500 if t is None else t.rank


def identity_fields() -> frozenset[str]:
    """Every payload field, of any type, that names a person or organisation an identity
    merge rewrites (:attr:`EventType.identity_fields`)."""
    return frozenset(f for t in TYPES.values() for f in t.identity_fields)


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


# --- upcasting: stored payloads of older versions, read as the current vocabulary -----------

#: The unit changes that gained a required ``org`` in version 2.
_UNIT_CHANGES = ("unit.renamed", "unit.moved", "unit.merged", "unit.dissolved")


def upcast_v1_v2(type_: str, stream: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Version 1 -> 2: ``unit.renamed``, ``unit.moved``, ``unit.merged`` and
    ``unit.dissolved`` name their ``org`` (it was optional in version 1).

    A version 1 unit change that named no organisation was filed under the stream of its unit
    (version 1's stream rule: ``org``, else ``unit``), where no organisation's replay reads it;
    it gets that stream as its ``org``, so it stays where version 1 filed it. A change inside
    a ``reorg.announced`` that named none gets the reorganisation's ``org`` (what replay
    already assumed, and what validation now writes)."""
    if type_ in _UNIT_CHANGES and "org" not in payload:
        return {**payload, "org": stream}
    changes = payload.get("changes")
    if type_ == "reorg.announced" and isinstance(changes, list) and isinstance(
            payload.get("org"), str):
        fixed = [{**c, "org": payload["org"]} if isinstance(c, dict)
                 and c.get("type") in _UNIT_CHANGES and "org" not in c else c
                 for c in changes]
        if fixed != changes:
            return {**payload, "changes": fixed}
    return payload


#: ``N -> upcast_vN_vN+1``: the step that reads a payload of version N as version N + 1. A
#: change to the vocabulary that older rows do not satisfy bumps :data:`SCHEMA_VERSION` and
#: adds one step here; stored rows are never rewritten (the hash chain covers them).
UPCASTERS: dict[int, Callable[[str, str, dict[str, Any]], dict[str, Any]]] = {
    1: upcast_v1_v2,
}

#: The versions this factbase reads: 1 to :data:`SCHEMA_VERSION`.
KNOWN_VERSIONS = range(1, SCHEMA_VERSION + 1)


class UnknownVersion(ValueError):
    """A stored payload's ``schema_version`` is not one this factbase reads (a newer factbase
    wrote it)."""

    def __init__(self, version: object) -> None:
        self.version = version
        super().__init__(f"was written in version {version} of the vocabulary, but this "
                         f"factbase reads versions {KNOWN_VERSIONS.start} to "
                         f"{KNOWN_VERSIONS.stop - 1}; upgrade factbase to read it")


def upcast(type_: str, stream: str, payload: dict[str, Any], version: int) -> dict[str, Any]:
    """``payload`` (of an event of ``type_`` filed under ``stream``, stored in ``version``)
    read as the current vocabulary (:data:`SCHEMA_VERSION`): each ``upcast_vN_vN+1`` step
    from ``version`` on, in turn. The input is not changed. Raises :class:`UnknownVersion`
    for a version outside :data:`KNOWN_VERSIONS`."""
    if type(version) is not int or version not in KNOWN_VERSIONS:
        raise UnknownVersion(version)
    while version < SCHEMA_VERSION:
        payload = UPCASTERS[version](type_, stream, payload)
        version += 1
    return payload
