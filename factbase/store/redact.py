"""Redaction: a person asked to be removed, so outputs hide them — the log does not change.

``factbase redact PERSON --why … --source …`` appends an ``entity.redacted`` event. From then
on, whatever ``--known-at`` says (redaction applies by the time of the *output*), every output
— org, timeline, who, diff, report, export, search and the SQL projections and views — shows
the events through :meth:`Redactor.event`:

* the person's id becomes a stable opaque placeholder (``redacted-`` and 8 hex digits, from a
  hash of the redaction event's id) and their display name :data:`LABEL` (``[redacted
  person]``); their names and aliases are left out of ``entity_names`` and search, so a
  look-up by any of them finds nothing and suggests nothing;
* in an event *about* them (their id in its stream or in a :data:`SUBJECT_KEYS` field: a
  departure, a role, a statement, a figure about them), and in a reorg change or an account
  about or by them, every free-text field (:data:`HIDDEN_KEYS`: notes, summaries, what
  accounts say — whoever gives them —, topics, links, reasons given) reads :data:`HIDDEN`;
  an event that only lists them (a founding, a meeting's speakers) keeps its text, with their
  names replaced;
* in every other text (other events' notes and summaries, source titles, publishers and
  notes, unit names) each occurrence of one of their names or aliases is replaced by the
  label. Texts and names are matched as look-ups match them (:mod:`factbase.core.names`: the one
  folding, so case, width, diacritics, invisible characters such as a zero-width space or a
  soft hyphen, spaces between Chinese characters and traditional/simplified Chinese do not
  matter), on every look-up key of every name (word order, ``TonyWu`` run together, pinyin
  for a name in characters), as a whole word — no letter or digit right before or after it,
  though a Chinese character may touch it (``据报Tony Wu离职``) — and allowing what look-up
  keys ignore inside a name: a hyphen, dot or apostrophe between two letters (``Wu Yu-huai``) and
  the surname moved first with a comma (``Wu, Yuhuai``, ``Wu, Tony``). One word alone is
  hidden only as a **given name in pinyin** of one of their names in Chinese characters
  (``Yuhuai`` of 吳宇懷, written as one word as GB/T 16159-2012 has it) of at least
  :data:`MIN_GIVEN_NAME` letters, as a whole word. Other single words are not hidden: a
  family name alone (``Wu``, ``Musk``) names many people, and English given names (``Tony``,
  ``Jimmy``, ``Christian``) are common names and words; an alias recorded for the person
  (``Musk``) is hidden like any name;
* an event or source id that spells their id or name (``jimmy-ba-left``, a source named after
  their account) becomes an opaque ``redacted-…`` id, alike everywhere it is cited; such a
  source shows as :data:`SOURCE_LABEL` without its link, publisher or note.

Dates, types, roles, units, reasons given as codes, evidence levels and counts are kept, so a
fact keeps its shape: "a co-founder left on 2026-02-10".

**What redaction does not do.** The log rows are immutable and keep the original text: the
hash chain still verifies and the anchor hash is unchanged, and anyone who reads the
``events`` table (``factbase sql``, ``sqlite3``, Datasette), a backup, an earlier export or a
copy of the file still sees it. ``redact`` hides; it does not erase. Erasure would need the
payloads encrypted per person and the key destroyed (crypto-shredding), which factbase does
not do. Only people are redacted, one id at a time (an id merged with another by
``entity.merged`` is a separate request).

A redaction is undone by retracting its event (``factbase retract EVENT_ID``): outputs show
the person again. Appending a redaction or its retraction rebuilds every projection.

Pure except :func:`load` and :func:`redact_person` (which read and write the database).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from factbase.core.events import REDACTION_TYPES, Event
from factbase.core.names import (
    HAN_CHARS,
    JOINERS,
    fold,
    fold_with_offsets,
    has_han,
    is_han,
    name_keys,
    pinyin_given_names,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from factbase.core.amend import EffectiveView

#: The display name of a redacted person.
LABEL = "[redacted person]"
#: What a hidden free-text field reads.
HIDDEN = "[redacted]"
#: The title of a source named after a redacted person.
SOURCE_LABEL = "[redacted source]"
#: Payload fields hidden whole in an event about a redacted person.
HIDDEN_KEYS = frozenset({"note", "summary", "says", "topics", "url", "why"})
#: Fields naming whom a record (an event, a reorg's change, an account) is about or by: when
#: one names a redacted person, that record's free text is hidden whole.
SUBJECT_KEYS = ("person", "by", "subject", "entity")
#: Payload fields holding event or source ids (opaque when they spell a redacted name).
ID_KEYS = frozenset({"target", "source"})
#: Shortest name key (letters and digits run together) looked for inside ids, so a short
#: name does not hide unrelated ids.
MIN_ID_KEY = 6
#: Shortest given name (in pinyin, letters) hidden when it stands alone.
MIN_GIVEN_NAME = 5
_PREFIX = "redacted-"


@dataclass(frozen=True)
class Redaction:
    """One standing redaction: ``entity`` (the real id), its ``placeholder`` id, the
    redaction ``event_id``, every ``names`` and alias the log gives the entity, and its
    ``kind``."""

    entity: str
    placeholder: str
    event_id: str
    names: tuple[str, ...]
    kind: str = "person"


def placeholder_for(event_id: str) -> str:
    """The opaque id shown for the person a redaction event hides."""
    return _PREFIX + hashlib.sha256(f"entity:{event_id}".encode()).hexdigest()[:8]


class Redactor:
    """Applies standing redactions to events, texts and ids. Empty (``bool(r)`` is False)
    when nothing is redacted, and then every method returns its input unchanged."""

    def __init__(self, redactions: Iterable[Redaction] = ()) -> None:
        self.redactions = {r.entity: r for r in redactions}
        self.ids = {r.entity: r.placeholder for r in self.redactions.values()}
        self.real = {r.placeholder: r.entity for r in self.redactions.values()}
        keys: set[str] = set()
        compact: set[str] = set()
        for r in self.redactions.values():
            keys.add(fold(r.entity))
            compact.add(_compact(r.entity))
            for name in r.names:
                for k in name_keys(name):
                    keys.add(k)
                    compact.add(_compact(k))
                keys |= {g for g in pinyin_given_names(name) if len(g) >= MIN_GIVEN_NAME}
        self._names = _names_pattern(keys - {""})
        # A quick test first (most texts name no one): every match, squeezed, holds a form.
        self._squeezed = sorted({_squeeze(f) for k in keys if k
                                 for f in [(k,), *_comma_forms(k)]})
        self._compact = sorted(c for c in compact if len(c) >= MIN_ID_KEY or c in
                               {_compact(e) for e in self.ids})
        self._salt = "|".join(sorted(r.event_id for r in self.redactions.values()))

    def __bool__(self) -> bool:
        return bool(self.redactions)

    def kinds(self, ids: Iterable[str]) -> dict[str, str]:
        """Kinds of the redacted people among ``ids`` (real ids): the projections hold them
        under their placeholders, so the loader asks here whether a reference resolves."""
        return {i: self.redactions[i].kind for i in ids if i in self.redactions}

    def sources_known(self, conn: Connection, ids: Iterable[str]) -> set[str]:
        """The source ids among ``ids`` (real ids) that the ``sources`` projection holds
        under an opaque id (a source named after a redacted person)."""
        from sqlalchemy import select

        from factbase.store.schema import sources

        shown = {self.ident(i): i for i in ids if self.ident(i) != i}
        if not shown:
            return set()
        rows = conn.execute(select(sources.c.source_id)
                            .where(sources.c.source_id.in_(sorted(shown))))
        return {shown[r.source_id] for r in rows}

    # --- strings ---------------------------------------------------------------------------

    def text(self, value: str) -> str:
        """``value`` with every occurrence of a redacted name, alias or id replaced by
        :data:`LABEL` (see the module docstring for what matches)."""
        if self._names is None or not value:
            return value
        quick = _squeeze(fold(value))
        if not any(k in quick for k in self._squeezed):
            return value
        folded, spans = fold_with_offsets(value)
        out: list[str] = []
        last = 0
        for m in self._names.finditer(folded):
            start, end = spans[m.start()][0], spans[m.end() - 1][1]
            out += [value[last:start], LABEL]
            last = end
        out.append(value[last:])
        return "".join(out)

    def ident(self, value: str) -> str:
        """An event or source id: the placeholder for a redacted person's id; an opaque
        ``redacted-…`` id when it spells a redacted id or name; else ``value`` itself."""
        if not self.redactions:
            return value
        if value in self.ids:
            return self.ids[value]
        squeezed = _compact(value)
        if any(c in squeezed for c in self._compact):
            return _PREFIX + hashlib.sha256(f"{self._salt}:{value}".encode()).hexdigest()[:8]
        return value

    def shown_stream(self, stream: str) -> str:
        """A stream id as outputs show it (a redacted person's placeholder; opaque when it
        spells a redacted name)."""
        return self.ids.get(stream) or self.ident(stream)

    def _value(self, value: Any, key: str | None, about: bool) -> Any:
        if isinstance(value, Mapping):
            about = about or any(value.get(k) in self.ids for k in SUBJECT_KEYS)
            return {k: self._value(v, k, about) for k, v in value.items()}
        if isinstance(value, list):
            if about and key in HIDDEN_KEYS:
                return [HIDDEN] if value else value
            return [self._value(v, key, about) for v in value]
        if not isinstance(value, str):
            return value
        if value in self.ids:
            return self.ids[value]
        if about and key in HIDDEN_KEYS:
            return HIDDEN
        if key in ID_KEYS:
            return self.ident(value)
        return self.text(value)

    # --- events ----------------------------------------------------------------------------

    def event(self, ev: Event) -> Event:
        """``ev`` as outputs show it (see the module docstring); unchanged when it neither
        names a redacted person nor holds their names."""
        if not self.redactions:
            return ev
        p = ev.payload
        if ev.type == "entity.registered" and p.get("entity") in self.ids:
            payload: dict[str, Any] = {"entity": self.ids[p["entity"]], "kind": p["kind"],
                                       "name": LABEL}
        elif ev.type == "entity.aliased" and p.get("entity") in self.ids:
            payload = {"entity": self.ids[p["entity"]], "aliases": []}
        elif ev.type == "source.registered":
            payload = self._source(p)
        else:
            payload = self._value(p, None, ev.stream in self.ids)
        out = replace(ev, event_id=self.ident(ev.event_id),
                      stream=self.ids.get(ev.stream) or self.ident(ev.stream),
                      payload=payload, sources=tuple(self.ident(s) for s in ev.sources))
        return ev if out == ev else out

    def _source(self, p: Mapping[str, Any]) -> dict[str, Any]:
        # Opaque only when its id or URL spells the person (a source named after them);
        # a name in its title, publisher or note is replaced like in any other text.
        sid = self.ident(p["source"])
        url = p.get("url")
        named = sid != p["source"] or (
            isinstance(url, str) and (self.text(url) != url or self.ident(url) != url))
        if not named:
            return {k: self.text(v) if k in ("title", "publisher", "note") and
                    isinstance(v, str) else v for k, v in p.items()}
        return {"source": sid, "title": SOURCE_LABEL,
                **{k: p[k] for k in ("published", "language") if k in p}}

    def events(self, evs: Iterable[Event]) -> list[Event]:
        """:meth:`event` of each."""
        return [self.event(e) for e in evs] if self.redactions else list(evs)

    def redact_view(self, result: EffectiveView) -> EffectiveView:
        """An effective view (:class:`factbase.core.amend.EffectiveView`) with every event in it —
        effective, amendments, retractions and originals — redacted, keyed by shown ids."""
        if not self.redactions:
            return result
        from factbase.core.amend import EffectiveView

        return EffectiveView(
            events=self.events(result.events),
            history={self.ident(k): self.events(v) for k, v in result.history.items()},
            retracted={self.ident(k): self.event(v) for k, v in result.retracted.items()},
            originals={self.ident(k): self.event(v) for k, v in result.originals.items()})


def _compact(text: str) -> str:
    """Letters and digits only, folded: ``Jimmy Ba`` and ``jimmy-ba`` give ``jimmyba`` (what
    an id spelling a name holds)."""
    return "".join(c for c in fold(text) if c.isalnum())


#: Before and after a name: no letter or digit (a Chinese character may touch a name).
_BEFORE = f"(?<![^\\W{HAN_CHARS}])"
_AFTER = f"(?![^\\W{HAN_CHARS}])"
_JOINER = f"[{re.escape(JOINERS)}]?"
_PLAIN_WORDS = re.compile(r"\w+(?: \w+)+")
_SQUEEZE = str.maketrans("", "", JOINERS + ", ")


def _names_pattern(keys: set[str]) -> re.Pattern[str] | None:
    """One regular expression finding any of ``keys`` (folded names) in folded text: longest
    first, so "Jimmy Lei Ba" is replaced whole rather than in part; a key of two words or
    more also as "surname, given names" (its last word first, then a comma)."""
    forms: dict[tuple[str, ...], str] = {(k,): k for k in keys}
    forms.update({f: k for k in keys for f in _comma_forms(k)})
    if not forms:
        return None
    ordered = sorted(forms, key=lambda f: (-len(forms[f]), f))
    return re.compile("|".join(_form_pattern(f) for f in ordered))


def _comma_forms(key: str) -> list[tuple[str, ...]]:
    """``("wu", "yuhuai")`` for ``yuhuai wu``: the key with its last word first, before a
    comma (none for a key of one word or with Chinese characters)."""
    if not _PLAIN_WORDS.fullmatch(key) or has_han(key):
        return []
    *rest, last = key.split(" ")
    return [(last, " ".join(rest))]


def _squeeze(parts: Sequence[str]) -> str:
    """Folded text (or the parts of a form) without what :func:`_form_pattern` lets vary:
    joiners, commas, spaces."""
    return "".join(parts).translate(_SQUEEZE)


def _form_pattern(parts: tuple[str, ...]) -> str:
    """A name written ``parts[0]`` (or ``parts[0], parts[1]``), with a joiner allowed between
    two letters and word boundaries where the name begins or ends with a letter."""
    out: list[str] = []
    for part in parts:
        if out:
            out.append(", ?")
        for c, after in zip(part, part[1:] + " ", strict=True):
            out.append(re.escape(c))
            if c.isalnum() and after.isalnum() and not (is_han(c) or is_han(after)):
                out.append(_JOINER)
    first, last = parts[0][0], parts[-1][-1]
    return ((_BEFORE if first.isalnum() and not is_han(first) else "") + "".join(out)
            + (_AFTER if last.isalnum() and not is_han(last) else ""))


# --- reading and writing ----------------------------------------------------------------------


def load(conn: Connection) -> Redactor:
    """The redactions standing in ``conn``'s log *now* (every ``entity.redacted`` not
    retracted), whatever recorded-time cut a query uses. Reads only redactions, their
    retractions and the names of the people they hide (indexed by type and stream)."""
    from factbase.store.log import read_events, select_events
    from factbase.store.reads import typed_events

    reds = typed_events(conn, sorted(REDACTION_TYPES))  # on every query: the light read
    if not reds:
        return Redactor()
    people = sorted({r.payload["entity"] for r in reds})
    around = read_events(conn, select_events(
        streams=people, types=["event.retracted", "entity.registered", "entity.aliased"]))
    undone = {e.payload["target"] for e in around if e.type == "event.retracted"}
    names: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    for e in around:
        if e.type == "entity.registered":
            kinds[e.payload["entity"]] = e.payload["kind"]
            names.setdefault(e.payload["entity"], []).extend(
                [e.payload["name"], *e.payload.get("aliases", [])])
        elif e.type == "entity.aliased":
            names.setdefault(e.payload["entity"], []).extend(e.payload["aliases"])
    standing: dict[str, Redaction] = {}
    for r in reds:
        ent = r.payload["entity"]
        if r.event_id in undone or ent in standing:
            continue
        standing[ent] = Redaction(ent, placeholder_for(r.event_id), r.event_id,
                                  tuple(dict.fromkeys(names.get(ent, []))),
                                  kinds.get(ent, "person"))
    return Redactor(standing.values())


@dataclass(frozen=True)
class Standing:
    """One standing redaction as ``factbase redact --list`` shows it: the redaction
    ``event_id`` (as outputs show it), the ``placeholder`` of the person it hides, when it was
    ``recorded`` and ``why`` (their names in it replaced) — never the person's real id."""

    event_id: str
    placeholder: str
    recorded: str
    why: str


def standing(conn: Connection) -> list[Standing]:
    """The redactions standing now, in log order."""
    from factbase.store.reads import typed_events

    red = load(conn)
    if not red:
        return []
    ids = {r.event_id for r in red.redactions.values()}
    return [Standing(red.ident(e.event_id), placeholder_for(e.event_id),
                     e.recorded_at.strftime("%Y-%m-%d %H:%M UTC"),
                     red.text(e.payload["why"]))
            for e in typed_events(conn, sorted(REDACTION_TYPES)) if e.event_id in ids]


_CACHE = "factbase_redactor"


def current(conn: Connection) -> Redactor:
    """:func:`load`, cached on the connection for its current transaction."""
    txn = conn.get_transaction()
    cached = conn.info.get(_CACHE)
    if cached is not None and cached[0] is txn and txn is not None:
        return cached[1]  # type: ignore[no-any-return]
    redactor = load(conn)
    if txn is not None:
        conn.info[_CACHE] = (txn, redactor)
    return redactor


def forget(conn: Connection) -> None:
    """Drop the cached redactions (after a redaction or its retraction is appended)."""
    conn.info.pop(_CACHE, None)


def changes_redactions(conn: Connection, batch: Iterable[Event], red: Redactor) -> bool:
    """Whether appending ``batch`` changes what redactions hide, so every projection must be
    remade: it holds a redaction, the retraction of one, or a name for a redacted person."""
    targets = []
    for e in batch:
        if e.type in REDACTION_TYPES:
            return True
        if e.type in ("entity.aliased", "entity.registered") and e.payload["entity"] in red.ids:
            return True
        if e.type == "event.retracted":
            targets.append(e.payload["target"])
    if not targets:
        return False
    from sqlalchemy import select

    from factbase.store.schema import events

    return conn.execute(select(events.c.seq).where(
        events.c.event_id.in_(targets), events.c.type.in_(sorted(REDACTION_TYPES)))
        .limit(1)).first() is not None


def shown_row(shown: Event) -> dict[str, Any]:
    """The ``redacted_events`` row of an event a redaction changes, as outputs show it (keyed
    by its ``seq``, so the real id appears nowhere but in the log)."""
    from factbase.core.events import canonical_json

    p = shown.payload
    return {"seq": shown.seq, "shown_id": shown.event_id, "stream": shown.stream,
            "person": p["person"] if isinstance(p.get("person"), str) else None,
            "summary": p["summary"] if isinstance(p.get("summary"), str) else None,
            "note": shown.note, "sources": canonical_json(list(shown.sources)),
            "payload": canonical_json(p)}


def new_redaction_id() -> str:
    """A fresh redaction event id (``redaction-`` and 20 hex digits): a redaction undone and
    asked for again is a new event, never the retracted one found again."""
    return f"redaction-{uuid.uuid4().hex[:20]}"


def already(redactor: Redactor, name: str) -> Redaction | None:
    """The standing redaction that already hides ``name`` (its real id, its placeholder or
    any of its names, folded as look-ups fold them), or None."""
    if name in redactor.redactions:
        return redactor.redactions[name]
    if name in redactor.real:
        return redactor.redactions[redactor.real[name]]
    keys = name_keys(name)
    for r in redactor.redactions.values():
        if any(keys & name_keys(n) for n in r.names):
            return r
    return None
