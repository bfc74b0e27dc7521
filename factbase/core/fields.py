"""Validation of input records: the fields of every event type, and :func:`validate_record`.

One pydantic model per type holds its own fields (the envelope — ``id``, ``type``, ``date``,
``at``, ``announced``, ``evidence``, ``sources``, ``note`` — is checked by
:func:`validate_record` itself); :data:`EVENT_TYPES` maps each type to its model. Only writing
needs this module: :mod:`factbase.core.events` reaches it on first use, so a query never imports
pydantic. See :mod:`factbase.core.events` for the record format.

Pure module: no SQLAlchemy, no Click.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import date as _date
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from factbase.core.dates import DateError, PartialDate, parse_date, parse_instant
from factbase.core.events import (
    ENVELOPE_FIELDS,
    EVIDENCE_LEVELS,
    MAX_DEPTH,
    MAX_VALUES,
    NAME_MAX,
    REGISTRATION_TYPES,
    SLUG_PATTERN,
    TYPES,
    UNDATED_TYPES,
    Capacity,
    EntityKind,
    EventDraft,
    EventType,
    Evidence,
    Qualifier,
    Reason,
    RecordProblems,
    Reference,
    RefKind,
    Role,
    canonical_json,
    sha256,
)
from factbase.core.names import shows_nothing

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=1_000_000)]


def _visible_name(value: str) -> str:
    """A name as stored: in Unicode NFC (composed: ``Rene\u0301e`` is kept as ``Renée``, so
    ``name = 'Renée'`` in SQL finds it however it was typed); refused when it holds no
    visible character (:func:`factbase.core.names.shows_nothing`: only invisible characters,
    controls or white space), which would show as nothing and be found by no look-up."""
    value = unicodedata.normalize("NFC", value)
    if shows_nothing(value):
        shown = " ".join(f"U+{ord(c):04X}" for c in value[:8])
        raise ValueError(f"holds only invisible characters ({shown}"
                         f"{' …' if len(value) > 8 else ''}); a name needs a visible letter")
    return value


#: A name or alias: NFC, at most NAME_MAX characters, at least one of them visible.
Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX),
                 AfterValidator(_visible_name)]
_INT_LIMIT = 1 << 63  # SQLite's INTEGER range, and what projections and JSON readers can hold
_SURROGATE = re.compile("[\ud800-\udfff]")


def _year_as_text(value: Any) -> Any:
    # YAML reads an unquoted year (`published: 2026`) as a number; `date: 2026` is accepted, so
    # the other date fields accept it too, kept as the text written ("2026"). A number that is
    # not a four-digit year (`published: 75`) is refused as `date: 75` is (parse_date says why).
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_date(value).text
    return value


#: A date field's text as written (checked by the date parser, not here).
DateText = Annotated[str, BeforeValidator(_year_as_text)]


class _Fields(BaseModel):
    """Base of every type's field model: unknown fields are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True,
                              allow_inf_nan=False)
    #: field name -> kind of entity it references (list fields reference each item).
    REFS: ClassVar[dict[str, RefKind]] = {}
    #: (id field, kind, name field) of an entity this event brings into being.
    DEFINES: ClassVar[tuple[str, EntityKind, str | None] | None] = None


# --- identity and sources ---------------------------------------------------------------


class EntityRegistered(_Fields):
    """A person, organisation, unit or product enters the log, with its names in any script."""

    entity: Slug
    kind: EntityKind
    name: Name
    aliases: list[Name] = []
    note: str | None = None
    DEFINES = ("entity", "person", "name")  # kind taken from the record, see defines()


class EntityAliased(_Fields):
    """More names for a known entity (a transliteration, a nickname, another script)."""

    entity: Slug
    aliases: list[Name] = Field(min_length=1)
    REFS = {"entity": "entity"}


class SourceRegistered(_Fields):
    """A source that events cite: an article, a post, a filing."""

    source: Slug
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: DateText | None = None
    language: Annotated[
        str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
    ] | None = None
    note: str | None = None


# --- organisations and units --------------------------------------------------------------


class OrgFounded(_Fields):
    """An organisation is founded; its founders are members and co-founders from that date."""

    org: Slug
    founders: list[Slug] = []
    REFS = {"org": "organization", "founders": "person"}


class OrgMerged(_Fields):
    """An organisation merges into another (``into``) and continues as part of it."""

    org: Slug
    into: Slug
    REFS = {"org": "organization", "into": "organization"}


class UnitCreated(_Fields):
    """A unit (division, team) is created inside an organisation, under ``parent`` or at the top."""

    unit: Slug
    org: Slug
    name: Name
    kind: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,39}$")] = "team"
    parent: Slug | None = None
    REFS = {"org": "organization", "parent": "unit"}
    DEFINES = ("unit", "unit", "name")


class UnitRenamed(_Fields):
    """A unit takes a new name; its id stays."""

    unit: Slug
    name: Name
    org: Slug
    REFS = {"unit": "unit", "org": "organization"}


class UnitMoved(_Fields):
    """A unit moves under another parent (``parent: null``, or no parent, for the top level).

    ``parent`` defaults to None so a stored move to the top level (None is not stored)
    validates again when a correction rebuilds it."""

    unit: Slug
    parent: Slug | None = None
    org: Slug
    REFS = {"unit": "unit", "parent": "unit", "org": "organization"}


class UnitMerged(_Fields):
    """A unit is merged into another; its people and roles continue in ``into``."""

    unit: Slug
    into: Slug
    org: Slug
    REFS = {"unit": "unit", "into": "unit", "org": "organization"}


class UnitDissolved(_Fields):
    """A unit ceases to exist."""

    unit: Slug
    org: Slug
    REFS = {"unit": "unit", "org": "organization"}


# --- people -------------------------------------------------------------------------------


class AccountFields(BaseModel):
    """One attributed account of a fact: who says it, what they say, where."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    by: Slug
    says: Text
    source: Slug
    reason: Reason | None = None
    evidence: Evidence | None = None
    #: An account may claim another date or figure than the event's own (kept side by side).
    date: str | None = None
    value: int | float | None = None


class PersonJoined(_Fields):
    """A person joins an organisation (optionally a unit, with a title)."""

    person: Slug
    org: Slug
    unit: Slug | None = None
    title: str | None = None
    REFS = {"person": "person", "org": "organization", "unit": "unit"}


class PersonLeft(_Fields):
    """A person leaves an organisation, for a reason, possibly with disputed accounts.

    ``reason`` is required unless ``accounts`` are given; when the accounts disagree on the
    reason the departure is *disputed* and every account is shown.
    """

    person: Slug
    org: Slug
    reason: Reason | None = None
    accounts: list[AccountFields] = []
    REFS = {"person": "person", "org": "organization"}


class RoleAssigned(_Fields):
    """A person takes a role (cofounder, lead, core_member, member, executive; board_member,
    adviser, investor), maybe in a unit, with a title and a capacity (acting, interim).

    ``holding`` names the holding explicitly (any slug, e.g. ``pat-ceo``): a later assignment
    with the same ``holding`` changes its title or capacity, and a ``role.ended`` with it ends
    exactly that holding. Without it a holding is identified by (role, unit, title); see
    docs/concepts.md, "Roles, titles and leaves"."""

    person: Slug
    org: Slug
    role: Role
    unit: Slug | None = None
    title: str | None = None
    capacity: Capacity | None = None
    holding: Slug | None = None
    REFS = {"person": "person", "org": "organization", "unit": "unit"}


class RoleEnded(_Fields):
    """A person's role ends (the person may stay in the organisation): the holding named by
    ``holding``, else every holding of ``role`` in ``unit`` with ``title`` (any title when
    none is given)."""

    person: Slug
    org: Slug
    role: Role
    unit: Slug | None = None
    title: str | None = None
    holding: Slug | None = None
    REFS = {"person": "person", "org": "organization", "unit": "unit"}


class LeaveStarted(_Fields):
    """A person goes on a leave of absence: they stay a member, shown on leave."""

    person: Slug
    org: Slug
    REFS = {"person": "person", "org": "organization"}


class LeaveEnded(_Fields):
    """A person's leave of absence ends: they are back at work."""

    person: Slug
    org: Slug
    REFS = {"person": "person", "org": "organization"}


class RoleConfirmed(_Fields):
    """A source saw the person there, in that unit or role, on that date: no change."""

    person: Slug
    org: Slug
    unit: Slug | None = None
    role: Role | None = None
    REFS = {"person": "person", "org": "organization", "unit": "unit"}


# --- announcements, meetings, statements, figures, products ---------------------------------


class Media(BaseModel):
    """A recording, transcript or slides of a meeting."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    kind: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,39}$")]
    url: str | None = None
    length_minutes: Annotated[float, Field(gt=0, lt=100_000)] | None = None
    note: str | None = None


class MeetingHeld(_Fields):
    """A meeting of an organisation (an all-hands, a board meeting) with speakers and topics."""

    org: Slug
    kind: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,39}$")] = "all_hands"
    speakers: list[Slug] = []
    topics: list[Text] = []
    media: list[Media] = []
    REFS = {"org": "organization", "speakers": "person"}


class StatementMade(_Fields):
    """A person says something in public (a post on X, an interview), summarised."""

    person: Slug
    channel: Text
    summary: Text
    org: Slug | None = None
    url: str | None = None
    REFS = {"person": "person", "org": "organization"}


class MetricReported(_Fields):
    """A figure is reported: ``value`` in ``unit`` for ``subject`` (e.g. 100000 GPU)."""

    subject: Slug
    metric: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,79}$")]
    value: int | float
    unit: Text
    period: str | None = None
    qualifier: Qualifier | None = None
    org: Slug | None = None
    REFS = {"subject": "entity", "org": "organization"}


class ProductAnnounced(_Fields):
    """An organisation announces a product, at a stage (e.g. closed internal test)."""

    product: Slug
    org: Slug
    stage: Text
    name: Name | None = None
    summary: str | None = None
    REFS = {"product": "product", "org": "organization"}


class ProductLaunched(ProductAnnounced):
    """A product becomes available, at a stage (e.g. limited external test, general release)."""


class _Models(Mapping[str, "type[_Fields]"]):
    """type -> field model, read live from the registry (:data:`factbase.core.events.TYPES`), in
    its order; ``changes_only``: the types that may be a reorganisation's changes."""

    def __init__(self, changes_only: bool = False) -> None:
        self.changes_only = changes_only

    def _types(self) -> list[EventType]:
        return [t for t in TYPES.values() if t.change or not self.changes_only]

    def __getitem__(self, type_: str) -> type[_Fields]:
        t = TYPES.get(type_)
        if t is None or (self.changes_only and not t.change):
            raise KeyError(type_)
        model = globals()[t.model] if isinstance(t.model, str) else t.model
        assert isinstance(model, type) and issubclass(model, _Fields), t.model
        return model

    def __iter__(self) -> Iterator[str]:
        return iter([t.name for t in self._types()])

    def __len__(self) -> int:
        return len(self._types())


#: Event types that may appear inside a ``reorg.announced`` (they take effect together).
CHANGE_TYPES: Mapping[str, type[_Fields]] = _Models(changes_only=True)


class ReorgAnnounced(_Fields):
    """A reorganisation is announced: one citation, many changes taking effect together.

    ``effective`` is when the changes took effect (a date or an EDTF range such as
    ``2026-02-01/2026-02-11``); it defaults to the event's ``date`` (the announcement).
    ``changes`` are records of :data:`CHANGE_TYPES` without date, sources or id.
    """

    org: Slug
    summary: Text
    effective: DateText | None = None
    changes: list[dict[str, Any]] = Field(min_length=1)
    REFS = {"org": "organization"}


# --- amendments and identity decisions: about other events and entities, not the world ----

EventId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:#-]{0,199}$")]


class EventCorrected(_Fields):
    """An earlier event was wrong: ``changes`` gives the corrected fields, ``why`` says why.

    ``changes`` maps field names of the target (``date``, ``at``, ``evidence``, ``note`` or
    any of its type's fields) to their corrected values; ``null`` removes an optional field.
    A correction of a correction amends that correction's ``changes``. The target keeps its id
    and its place in the log; replay as known at T uses the corrections recorded by T.
    """

    target: EventId
    changes: dict[str, Any] = Field(min_length=1)
    why: Text


class EventRetracted(_Fields):
    """An earlier event should never have been recorded: replay ignores it from now on."""

    target: EventId
    why: Text


class AccountAdded(_Fields):
    """Another attributed account of an earlier event (who says what, where), added later.

    An account may claim a different ``date`` or ``value``; the two are shown side by side.
    """

    target: EventId
    account: AccountFields


class EntityMerged(_Fields):
    """Two ids are one entity: ``entity`` is the same person or organisation as ``into``."""

    entity: Slug
    into: Slug
    why: Text
    REFS = {"entity": "entity", "into": "entity"}


class EntityUnmerged(_Fields):
    """A merge is taken back: ``entity`` and ``into`` are two after all."""

    entity: Slug
    into: Slug
    why: Text
    REFS = {"entity": "entity", "into": "entity"}


class EntityRedacted(_Fields):
    """A person asked to be removed: from now on every output hides their names, aliases, the
    free text of events about them and their accounts (:mod:`factbase.store.redact`). The log keeps
    the original rows; retracting this event undoes the redaction."""

    entity: Slug
    why: Text
    REFS = {"entity": "person"}


#: type -> field model, for every type of the registry (:data:`factbase.core.events.TYPES`, which
#: :func:`factbase.core.events.register` extends).
EVENT_TYPES: Mapping[str, type[_Fields]] = _Models()


def _suggest(word: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _pydantic_problems(exc: ValidationError, prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for err in exc.errors():
        loc = err["loc"]
        path = prefix
        for part in loc:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        kind = err["type"]
        if kind == "missing":
            msg = "missing required field"
        elif kind == "extra_forbidden":
            msg = "unknown field; remove it or check its spelling"
        elif kind == "literal_error":
            msg = f"must be one of {err.get('ctx', {}).get('expected', '')}"
        elif kind == "value_error":  # a validator's own message, as written
            msg = str(err.get("ctx", {}).get("error", err["msg"]))
        elif kind == "string_pattern_mismatch":
            val = err.get("input")
            msg = (f"'{val}' is not a valid id or code; use lowercase letters, digits, '-', '_' "
                   "or '.' (e.g. tony-wu)")
        else:
            msg = err["msg"][0].lower() + err["msg"][1:]
        out.append((path, msg))
    return out


def _refs(model: _Fields, prefix: str = "") -> list[Reference]:
    refs: list[Reference] = []
    for name, kind in model.REFS.items():
        value = getattr(model, name)
        if value is None:
            continue
        if isinstance(value, list):
            refs += [Reference(f"{prefix}{name}[{i}]", kind, v) for i, v in enumerate(value)]
        else:
            refs.append(Reference(prefix + name, kind, value))
    accounts: list[tuple[str, AccountFields]] = []
    if isinstance(model, PersonLeft):
        accounts = [(f"{prefix}accounts[{i}]", acc) for i, acc in enumerate(model.accounts)]
    if isinstance(model, AccountAdded):
        accounts = [(f"{prefix}account", model.account)]
    for path, acc in accounts:
        refs.append(Reference(f"{path}.by", "entity", acc.by))
        refs.append(Reference(f"{path}.source", "source", acc.source))
    return refs


def _account_dates(model: _Fields) -> list[tuple[str, str]]:
    """Problems with dates claimed by accounts (each must be a date factbase reads)."""
    accounts: list[tuple[str, AccountFields]] = []
    if isinstance(model, PersonLeft):
        accounts = [(f"accounts[{i}].date", a) for i, a in enumerate(model.accounts)]
    if isinstance(model, AccountAdded):
        accounts = [("account.date", model.account)]
    problems = []
    for path, acc in accounts:
        if acc.date is not None:
            try:
                parse_date(acc.date)
            except DateError as exc:
                problems.append((path, str(exc)))
    return problems


def _defines(model: _Fields) -> list[tuple[str, str, str]]:
    if model.DEFINES is None:
        return []
    id_field, kind, name_field = model.DEFINES
    if isinstance(model, EntityRegistered):
        kind = model.kind
    name = getattr(model, name_field) if name_field else getattr(model, id_field)
    return [(kind, getattr(model, id_field), name)]


def _stream(model: _Fields, type_: str) -> str:
    if isinstance(model, SourceRegistered):
        return f"source:{model.source}"
    for name in TYPES[type_].stream:
        value = getattr(model, name, None)
        if value:
            return str(value)
    raise AssertionError(f"{type_} has no stream field")  # every model has one required


def _validate_fields(
    type_: str, data: Mapping[str, Any], prefix: str
) -> tuple[_Fields | None, list[tuple[str, str]]]:
    cls = EVENT_TYPES[type_]
    try:
        return cls.model_validate(dict(data)), []
    except ValidationError as exc:
        return None, _pydantic_problems(exc, prefix)


def _validate_person_left(model: PersonLeft, prefix: str) -> list[tuple[str, str]]:
    if model.reason is None and not model.accounts:
        return [(prefix + "reason", "missing: give a reason (resigned, dismissed, laid_off, "
                 "retired, stepped_back, parted_ways, died, other, unknown) or accounts")]
    return []


def _validate_changes(model: ReorgAnnounced) -> tuple[list[dict[str, Any]], list[Reference],
                                                      list[tuple[str, str, str]],
                                                      list[tuple[str, str]]]:
    changes: list[dict[str, Any]] = []
    refs: list[Reference] = []
    defines: list[tuple[str, str, str]] = []
    problems: list[tuple[str, str]] = []
    for i, raw in enumerate(model.changes):
        prefix = f"changes[{i}]."
        if not isinstance(raw, Mapping):
            problems.append((f"changes[{i}]", "must be a mapping with a type and its fields"))
            continue
        ctype = raw.get("type")
        if not isinstance(ctype, str) or ctype not in CHANGE_TYPES:
            allowed = ", ".join(CHANGE_TYPES)
            problems.append((prefix + "type", f"'{ctype}' cannot be a reorg change; use one of "
                             f"{allowed}{_suggest(str(ctype), list(CHANGE_TYPES))}"))
            continue
        stray = [k for k in raw if k in ENVELOPE_FIELDS and k not in ("type", "note",
                                                                        "evidence")]
        for k in stray:
            problems.append((prefix + k, "a reorg change takes the reorg's date, sources and "
                             "id; remove this field"))
        extra: dict[str, Any] = {}
        if raw.get("note") is not None:
            if isinstance(raw["note"], str):
                extra["note"] = raw["note"]
            else:
                problems.append((prefix + "note", "must be text"))
        if raw.get("evidence") is not None:
            if raw["evidence"] in EVIDENCE_LEVELS:
                extra["evidence"] = raw["evidence"]
            else:
                problems.append((prefix + "evidence", "must be one of confirmed, reported, "
                                 f"unconfirmed, not '{raw['evidence']}'"))
        fields = {k: v for k, v in raw.items() if k not in ENVELOPE_FIELDS}
        if "org" in CHANGE_TYPES[ctype].model_fields:
            fields.setdefault("org", model.org)  # a change belongs to the reorg's organisation
        sub, errs = _validate_fields(ctype, fields, f"changes[{i}]")
        problems += errs
        if sub is None:
            continue
        if isinstance(sub, PersonLeft):
            problems += _validate_person_left(sub, prefix)
        if getattr(sub, "org", None) not in (None, model.org):
            problems.append((prefix + "org", f"must be the reorg's org '{model.org}'"))
        refs += _refs(sub, prefix)
        defines += _defines(sub)
        changes.append({"type": ctype, **sub.model_dump(mode="json", exclude_none=True),
                        **extra})
    return changes, refs, defines, problems


def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def value_problems(data: Mapping[Any, Any]) -> list[tuple[str, str]]:
    """What in a record's values cannot be stored, each ``(field path, message)``; at most 5.

    Every value must be one JSON holds exactly: text without unpaired surrogates, a whole
    number within 64 bits, a finite float, true/false/null, a list, or a mapping with text keys
    (a date from YAML's ``!!timestamp`` may stand as a field of the record itself, where the
    date parser reads it). Nesting is limited to :data:`MAX_DEPTH` levels and a record to
    :data:`MAX_VALUES` values. Without this, ``1e400`` (read as infinity) and ``!!binary`` would
    be turned into null and base64 text by serialisation — silently changing the fact — and an
    unpaired surrogate (``"\\ud800"`` in JSON) would fail only when hashed. Iterative, so deep
    input cannot exhaust the stack.
    """
    problems: list[tuple[str, str]] = []
    seen = 0
    stack: list[tuple[str, Any, int]] = [("", data, 1)]
    while stack and len(problems) < 5:
        path, value, depth = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            problems.append(("", f"the record holds more than {MAX_VALUES:,} values; split it"))
            break
        if depth > MAX_DEPTH:
            problems.append((path, f"nested more than {MAX_DEPTH} levels deep; a record needs "
                             "a few"))
        elif isinstance(value, str):
            if _SURROGATE.search(value):
                problems.append((path, "text holds an unpaired surrogate (such as \\ud800), "
                                 "which is not a character; remove it"))
        elif value is None or isinstance(value, bool):
            pass
        elif isinstance(value, int):
            if not -_INT_LIMIT <= value < _INT_LIMIT:
                problems.append((path, f"a {value.bit_length()}-bit whole number is too large "
                                 "to store (the limit is 64 bits); write a large figure as a "
                                 "decimal, e.g. 1.5e21"))
        elif isinstance(value, float):
            if not math.isfinite(value):
                why = "" if math.isnan(value) else " (1e400 and beyond overflow to infinity)"
                problems.append((path, f"{value} is not a finite number{why}; write a number "
                                 "between -1.7e308 and 1.7e308"))
        elif isinstance(value, Mapping):
            items = list(value.items())
            for key, item in reversed(items):
                if isinstance(key, str):
                    stack.append((_key_path(path, key), item, depth + 1))
                else:
                    shown = json.dumps(key) if key is None or isinstance(key, int | float) \
                        else repr(key)[:40]
                    problems.append((path, f"key {shown} is not text; quote it"))
        elif isinstance(value, list | tuple):
            stack += [(f"{path}[{i}]", item, depth + 1) for i, item in
                      reversed(list(enumerate(value)))]
        elif depth == 2 and isinstance(value, _date):
            pass  # a field of the record itself: the date parser (or its type) decides
        else:
            problems.append((path, f"a {type(value).__name__} value (from a YAML tag such as "
                             "!!binary, !!set or !!timestamp) cannot be stored; write text, a "
                             "number, a list or a mapping"))
    return problems


def validate_record(data: Any) -> EventDraft:
    """Validate one input record (a mapping) into an :class:`EventDraft`.

    Checks the envelope (type known, date and instant readable, sources present unless a
    registration), the type's fields (required, typed, no unknown ones), and a reorg's
    changes. Does **not** resolve references (see :mod:`factbase.io.loader`).

    Raises :class:`RecordProblems` with every problem found, each with its field path.
    """
    if not isinstance(data, Mapping):
        raise RecordProblems([("", f"a record must be a mapping of fields, not "
                                   f"{type(data).__name__}")])
    unstorable = value_problems(data)
    if unstorable:
        raise RecordProblems(unstorable)
    problems: list[tuple[str, str]] = []
    type_ = data.get("type")
    if type_ is None:
        raise RecordProblems([("type", "missing: every record needs a type, e.g. person.left")])
    if not isinstance(type_, str) or type_ not in EVENT_TYPES:
        known = list(EVENT_TYPES)
        raise RecordProblems([("type", f"unknown event type '{type_}'"
                               f"{_suggest(str(type_), known)}; known types: "
                               + ", ".join(known))])
    registration = type_ in REGISTRATION_TYPES
    undated = type_ in UNDATED_TYPES

    # Envelope.
    given = data.get("id")
    if given is not None and (not isinstance(given, str) or not re.match(SLUG_PATTERN, given)):
        problems.append(("id", f"'{given}' is not a valid id; use lowercase letters, digits, "
                         "'-', '_' or '.'"))
        given = None
    date: PartialDate | None = None
    raw_date = data.get("date")
    if raw_date is not None and undated and type_ not in REGISTRATION_TYPES:
        problems.append(("date", f"{type_} is about the log, not the world, and takes no date; "
                         "remove it"))
    elif raw_date is None:
        if not undated:
            problems.append(("date", "missing: when did it happen? e.g. 2026-02-10, 2026-02, "
                             "2026 or 2026-02-01/2026-02-11"))
    else:
        try:
            date = parse_date(raw_date)
        except DateError as exc:
            problems.append(("date", str(exc)))
    instant: datetime | None = None
    if data.get("at") is not None and not isinstance(data["at"], str):
        problems.append(("at", f"'{data['at']}' is not an instant; write it as ISO 8601 text "
                         "with an offset, e.g. 2026-02-11T00:05:00Z"))
    elif data.get("at") is not None:
        try:
            instant = parse_instant(data["at"])
        except DateError as exc:
            problems.append(("at", str(exc)))
        except OverflowError:  # dates.parse_instant: 9999-12-31T23:59-12:00 is year 10000 UTC
            problems.append(("at", f"instant {data['at']!r} falls outside the years 0001-9999 "
                             "in UTC; check its date and offset"))
        else:
            # The date is the local calendar day; the instant is UTC: allow one day apart.
            if date is not None and not date.start <= instant.date() <= date.end and \
                    abs((instant.date() - date.start).days) > 1 and \
                    abs((instant.date() - date.end).days) > 1:
                problems.append(("at", f"instant {data['at']} is not on or beside the "
                                 f"date {date.text}"))
    announced = data.get("announced")
    if announced is not None:
        try:
            announced = parse_date(announced).text
        except DateError as exc:
            problems.append(("announced", str(exc)))
    evidence = data.get("evidence")
    if evidence is not None and evidence not in EVIDENCE_LEVELS:
        problems.append(("evidence", f"must be one of confirmed, reported, unconfirmed, not "
                         f"'{evidence}'"))
    raw_sources = data.get("sources")
    sources: list[str] = []
    if raw_sources is None or raw_sources == []:
        if not registration:
            problems.append(("sources", "missing: every event cites at least one source id, "
                             "e.g. sources: [huxiu-4835050]"))
    elif not isinstance(raw_sources, list) or not all(isinstance(s, str) for s in raw_sources):
        problems.append(("sources", "must be a list of source ids"))
    else:
        sources = list(dict.fromkeys(raw_sources))
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        problems.append(("note", "must be text"))

    # The type's own fields.
    fields = {k: v for k, v in data.items() if k not in ENVELOPE_FIELDS}
    model, errs = _validate_fields(type_, fields, "")
    problems += errs
    refs: list[Reference] = []
    defines: list[tuple[str, str, str]] = []
    payload: dict[str, Any] = {}
    if model is not None:
        refs = _refs(model)
        defines = _defines(model)
        payload = model.model_dump(mode="json", exclude_none=True)
        if isinstance(model, PersonLeft):
            problems += _validate_person_left(model, "")
        problems += _account_dates(model)
        if isinstance(model, ReorgAnnounced):
            changes, crefs, cdefs, cprobs = _validate_changes(model)
            payload["changes"] = changes
            refs += crefs
            defines += cdefs
            problems += cprobs
            if model.effective is not None:
                try:
                    payload["effective"] = parse_date(model.effective).text
                except DateError as exc:
                    problems.append(("effective", str(exc)))
        if isinstance(model, SourceRegistered) and model.published is not None:
            try:
                parse_date(model.published)
            except DateError as exc:
                problems.append(("published", str(exc)))
    refs += [Reference(f"sources[{i}]", "source", s) for i, s in enumerate(sources)]
    if problems:
        raise RecordProblems(problems)
    assert model is not None
    if note:
        payload["note"] = note
    if announced is not None:
        payload["announced"] = announced

    content = {
        "type": type_,
        "date": date.text if date else None,
        "at": instant.isoformat() if instant else None,
        "evidence": evidence,
        "payload": payload,
        "sources": sources,
    }
    content_hash = sha256(canonical_json(content))
    if given is not None:
        event_id = given
    elif isinstance(model, EntityRegistered):
        event_id = f"entity.{model.entity}"
    elif isinstance(model, SourceRegistered):
        event_id = f"source.{model.source}"
    else:
        event_id = f"ev-{content_hash[:20]}"
    return EventDraft(
        event_id=event_id,
        type=type_,
        stream=_stream(model, type_),
        date=date,
        instant=instant,
        evidence=evidence,
        payload=payload,
        sources=tuple(sources),
        content_hash=content_hash,
        references=tuple(refs),
        defines=tuple(defines),
        given_id=given is not None,
    )
