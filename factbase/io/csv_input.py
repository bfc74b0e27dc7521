"""CSV in: spreadsheets of sources, entities and events, read into records; and the template.

A CSV file holds one kind of record per row; which kind is told by its header row (names are
matched without regard to case or surrounding spaces):

* a ``type`` column: **events**, one per row, with the envelope columns (``id``, ``type``,
  ``date``, ``at``, ``announced``, ``evidence``, ``sources``, ``note``) and the fields of each
  row's type as further columns (``person``, ``org``, ``reason``…); a row whose ``type`` is
  ``source`` or ``entity`` is a source or an entity, as in JSON Lines — so one sheet can hold
  a whole timeline;
* else a ``kind`` column: **entities** (``id``, ``kind``, ``name``, ``aliases``, ``note``);
* else an ``id`` column and one of ``url``, ``title``, ``publisher``, ``published``:
  **sources** (``id``, ``url``, ``title``, ``publisher``, ``published``, ``language``,
  ``note``).

Cells: an empty cell is an absent field (so a row leaves out the columns of other types);
surrounding whitespace is dropped; a field that is a list of ids or texts (``sources``,
``founders``, ``speakers``, ``topics``, ``aliases``) takes several values separated by ``;``,
or a JSON list (``["a", "b"]``); a field of records (``accounts``, ``media``, ``changes``,
``account``) is written as JSON. Everything else is text, read by the same validation as every
other input (a number as ``40`` or ``1.5e9``; dates as written, strictly).

What spreadsheet programs write is read as they write it: UTF-8 with or without a byte-order
mark, CRLF or LF line ends, cells with line breaks inside quotes, a ``;`` or tab delimiter
(told from the header row), trailing empty rows and empty unnamed columns. Rows are numbered
as a spreadsheet shows them: the header is row 1, so the first record is ``row 2``.

The CSV module of the standard library does the parsing. Pure module: no SQLAlchemy, no Click.
"""

from __future__ import annotations

import csv
import io
import json
import types
from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated, Any, Union, get_args, get_origin

from factbase.core.errors import InputError, InvalidRecord

#: Fields of the envelope and of the section records whose cells hold several values.
_LIST_FIELDS = {"sources", "aliases"}
_SOURCE_COLUMNS = ("id", "url", "title", "publisher", "published", "language", "note")
_ENTITY_COLUMNS = ("id", "kind", "name", "aliases", "note")
_SOURCE_HINTS = {"url", "title", "publisher", "published"}
_DELIMITERS = (",", ";", "\t")


def _shape(annotation: Any) -> str:
    """``list`` (values split on ``;``), ``json`` (records written as JSON) or ``text``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _shape(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return _shape(args[0]) if len(args) == 1 else "text"
    if origin is list:
        inner = _shape(get_args(annotation)[0])
        return "list" if inner == "text" else "json"
    if origin is dict:
        return "json"
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "json"
    return "text"


@lru_cache(maxsize=256)
def field_shapes(type_: str) -> dict[str, str]:
    """Field name -> ``list``, ``json`` or ``text`` for an event type (``source`` and
    ``entity`` too); empty for a type factbase does not know (validation names it)."""
    from factbase.core.fields import EVENT_TYPES

    key = {"source": "source.registered", "entity": "entity.registered"}.get(type_, type_)
    model = EVENT_TYPES.get(key)
    if model is None:
        return {}
    return {name: _shape(f.annotation) for name, f in model.model_fields.items()}


def _cell_value(origin: str, row: int, column: str, text: str, shape: str) -> Any:
    if shape == "list":
        if text.startswith("["):
            return _json_cell(origin, row, column, text, "a JSON list")
        return [part.strip() for part in text.split(";") if part.strip()]
    if shape == "json":
        return _json_cell(origin, row, column, text, "JSON")
    return text


def _json_cell(origin: str, row: int, column: str, text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        example = ('[{"by": "ada-park", "says": "…", "source": "a-source-id"}]'
                   if what == "JSON" else '["first", "second"]')
        raise _CellError(f"{origin} row {row}: {column}: not valid JSON ({exc.msg} at "
                         f"character {exc.pos + 1}); write {what}, e.g. {example}") from None
    except RecursionError:
        raise _CellError(f"{origin} row {row}: {column}: nested too deeply") from None


class _CellError(ValueError):
    """A cell that cannot be read as its field needs (bad JSON)."""


def _text(raw: bytes, origin: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{origin}: the file is UTF-16 text; save it as UTF-8 CSV (in Excel: "
                         "Save As, \"CSV UTF-8 (Comma delimited)\")")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw.count(b"\n", 0, exc.start) + 1  # a line, as close to a row as bytes go
        raise InputError(f"{origin} line {row}: not UTF-8 text (byte 0x{raw[exc.start]:02X}); "
                         "save the file as UTF-8 CSV (in Excel: Save As, \"CSV UTF-8 (Comma "
                         "delimited)\")") from None
    return text.removeprefix("\ufeff")


def _delimiter(text: str) -> str:
    """The delimiter of the header row: the most frequent of ``,`` ``;`` and tab outside
    quotes (a spreadsheet in a locale that writes decimal commas saves with ``;``)."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "\r\n":
            break
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_kind(header: list[str]) -> str | None:
    """``events``, ``entities`` or ``sources`` from a header row's (folded) names, or None."""
    names = set(header)
    if "type" in names:
        return "events"
    if "kind" in names:
        return "entities"
    if "id" in names and names & _SOURCE_HINTS:
        return "sources"
    return None


def looks_like_csv(head: bytes) -> bool:
    """Whether the first line of an input is a CSV header factbase reads (for ``-`` without
    ``--format``): column names only, one of them ``type``, ``kind`` or ``id``."""
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    delimiter = _delimiter(first)
    if delimiter not in first:
        return False
    names = [n.strip().strip('"').strip().lower() for n in first.split(delimiter)]
    plain = all(n == "" or all(c.isalnum() or c in "_ " for c in n) for n in names)
    return plain and csv_kind(names) is not None


def read_csv(raw: bytes, origin: str) -> Iterator[tuple[str, Any]]:
    """The records of a CSV file: ``(locator, record)`` pairs, ``row N`` as a spreadsheet
    numbers rows. Sources and entities come as ``source.registered``/``entity.registered``
    records, as the other readers give them.

    Raises :class:`InputError` for a file that is not UTF-8, has no header, names a column
    twice or whose header says neither events, entities nor sources; and, once every row has
    been read, :class:`InvalidRecord` listing each cell that cannot be read (JSON that does
    not parse) and each row with more cells than the header has names.
    """
    from factbase.io.records import normalise

    text = _text(raw, origin)
    if not text.strip():
        raise InputError(f"{origin}: the file is empty; nothing to load (expected a header "
                         "row and one record per row)")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text),
                        strict=True)
    try:
        header_row = next(reader)
    except csv.Error as exc:
        raise InputError(f"{origin} row 1: not valid CSV ({exc})") from None
    header = [h.strip().lower() for h in header_row]
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        if name and name in seen:
            raise InputError(f"{origin} row 1: column '{name}' appears twice (columns "
                             f"{seen[name]} and {i}); keep one")
        seen.setdefault(name, i)
    kind = csv_kind(header)
    if kind is None:
        shown = ", ".join(h for h in header if h) or "none"
        raise InputError(
            f"{origin} row 1: cannot tell what this CSV holds from its header ({shown}); an "
            "events file has a 'type' column, an entities file 'kind' and 'name', a sources "
            "file 'id' and 'url', 'title' or 'published' (see docs/format.md, CSV)")
    section = {"events": "events", "entities": "entities", "sources": "sources"}[kind]
    problems: list[str] = []
    row = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(f"{origin} row {row + 1}: not valid CSV ({exc}); check the "
                            "quotes in this row")
            break
        row += 1
        cells = [c.replace("\r\n", "\n").replace("\r", "\n").strip() for c in cells]
        if not any(cells):
            continue  # an empty row (spreadsheets often end with some)
        if len(cells) > len(header) and any(cells[len(header):]):
            problems.append(f"{origin} row {row}: {len(cells)} cells but the header names "
                            f"{len(header)} columns; quote cells that hold a "
                            f"'{_delimiter(text)}'")
            continue
        record: dict[str, Any] = {}
        nameless = [i for i, c in enumerate(cells, start=1) if c and not header[i - 1]]
        if nameless:
            problems.append(f"{origin} row {row}: column {nameless[0]} holds a value but has "
                            "no name in the header row; name it or empty it")
            continue
        type_ = None
        if kind == "events":
            type_ = cells[header.index("type")] if header.index("type") < len(cells) else ""
        shapes = field_shapes(type_ or {"entities": "entity", "sources": "source"}.get(kind, ""))
        try:
            for name, cell in zip(header, cells, strict=False):
                if not name or not cell:
                    continue
                shape = "list" if name in _LIST_FIELDS else shapes.get(name, "text")
                if name == "id" and type_ in ("source", "entity"):
                    shape = "text"
                record[name] = _cell_value(origin, row, name, cell, shape)
        except _CellError as exc:
            problems.append(str(exc))
            continue
        if not problems:
            yield f"row {row}", normalise(section, record)
    if problems:
        raise InvalidRecord(problems)


# --- the template ------------------------------------------------------------------------

#: The records of the template: the made-up Kestrel Robotics of docs/format.md's complete
#: example (docs/examples/example.yaml), so a CSV filled in from it loads to the same log.
TEMPLATE_RECORDS: tuple[dict[str, Any], ...] = (
    {"type": "source", "id": "kestrel-blog-launch",
     "url": "https://example.com/kestrel/blog/hello-world",
     "title": "Hello, world: Kestrel Robotics is founded", "publisher": "Kestrel Robotics",
     "published": "2023-03-01", "language": "en"},
    {"type": "source", "id": "kestrel-team-page", "url": "https://example.com/kestrel/team",
     "title": "[Kestrel Robotics team page, as archived]", "publisher": "Kestrel Robotics",
     "published": "2024", "language": "en",
     "note": "The archived copy gives no day; the page lists the Perception team and its "
             "people."},
    {"type": "source", "id": "okafor-blog-moving-on",
     "url": "https://example.com/ben-okafor/moving-on",
     "title": "[post by Ben Okafor announcing he is leaving Kestrel]",
     "publisher": "Ben Okafor's blog", "published": "2025-10-31", "language": "en"},
    {"type": "source", "id": "tradepaper-park-interview",
     "url": "https://example.com/tradepaper/2025/11/kestrel-interview",
     "title": "[Trade Paper interview with Ada Park, Kestrel's CEO]",
     "publisher": "The Trade Paper", "published": "2025-11-20", "language": "en"},
    {"type": "entity", "id": "kestrel", "kind": "organization", "name": "Kestrel Robotics",
     "aliases": ["Kestrel"]},
    {"type": "entity", "id": "ada-park", "kind": "person", "name": "Ada Park",
     "note": "Co-founder and CEO."},
    {"type": "entity", "id": "ben-okafor", "kind": "person", "name": "Ben Okafor"},
    {"type": "entity", "id": "chen-li", "kind": "person", "name": "Chen Li",
     "aliases": ["陳力", "陈力"]},
    {"type": "entity", "id": "dana-ruiz", "kind": "person", "name": "Dana Ruiz"},
    {"type": "org.founded", "id": "kestrel-founded", "date": "2023-03-01",
     "evidence": "confirmed", "sources": ["kestrel-blog-launch"], "org": "kestrel",
     "founders": ["ada-park", "ben-okafor", "chen-li"]},
    {"type": "unit.created", "date": "2023-09", "evidence": "reported",
     "sources": ["kestrel-team-page"], "org": "kestrel", "unit": "kestrel-perception",
     "name": "Perception", "kind": "team"},
    {"type": "role.assigned", "date": "2023-09", "evidence": "reported",
     "sources": ["kestrel-team-page"], "person": "chen-li", "org": "kestrel",
     "unit": "kestrel-perception", "role": "lead", "title": "Head of Perception"},
    {"type": "person.joined", "id": "dana-ruiz-joined", "date": "2024-03~",
     "evidence": "reported", "sources": ["kestrel-team-page"],
     "note": "The team page says \"about a year ago\"; approximate month.",
     "person": "dana-ruiz", "org": "kestrel", "unit": "kestrel-perception",
     "title": "Research engineer"},
    {"type": "metric.reported", "id": "kestrel-headcount-2025-06", "date": "2025-06",
     "evidence": "reported", "sources": ["tradepaper-park-interview"],
     "note": "The CEO gave the June 2025 figure in the interview; no day.",
     "subject": "kestrel", "metric": "headcount", "value": 40, "unit": "employees",
     "qualifier": "about"},
    {"type": "person.left", "id": "ben-okafor-left", "date": "2025-11-14",
     "announced": "2025-10-31", "evidence": "confirmed",
     "sources": ["okafor-blog-moving-on", "tradepaper-park-interview"],
     "note": "Announced on 2025-10-31, effective 2025-11-14. The two accounts disagree.",
     "person": "ben-okafor", "org": "kestrel",
     "accounts": [
         {"by": "ben-okafor", "reason": "resigned",
          "says": "He decided to leave to start something new; his last day is 14 November.",
          "source": "okafor-blog-moving-on", "evidence": "confirmed"},
         {"by": "ada-park", "reason": "dismissed",
          "says": "The board asked him to go after the missed product deadline.",
          "source": "tradepaper-park-interview", "evidence": "reported"}]},
    {"type": "statement.made", "id": "park-interview-2025-11-20", "date": "2025-11-20",
     "at": "2025-11-20T15:00:00Z", "evidence": "confirmed",
     "sources": ["tradepaper-park-interview"], "person": "ada-park", "org": "kestrel",
     "channel": "interview with The Trade Paper",
     "summary": "Says Kestrel will ship its first warehouse robot in 2026 and is hiring."},
)

#: Columns of the one-sheet template (events, with sources and entities as rows), in order.
EVENT_COLUMNS = (
    "type", "id", "date", "announced", "at", "evidence", "sources", "note",
    "org", "person", "unit", "role", "title", "reason", "accounts", "founders", "name",
    "kind", "parent", "subject", "metric", "value", "qualifier", "channel", "summary",
    "url", "publisher", "published", "language", "aliases",
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) and ";" not in v for v in value):
        return "; ".join(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def template_sheets(split: bool = False) -> dict[str, str]:
    """The CSV template as text: ``{"timeline.csv": …}`` (one sheet: sources, entities and
    events as rows, told apart by ``type``), or with ``split`` three files, ``sources.csv``,
    ``entities.csv`` and ``events.csv``. Rows end in CRLF, as spreadsheets write them."""
    def sheet(columns: tuple[str, ...], records: list[dict[str, Any]]) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for rec in records:
            writer.writerow([_cell(rec.get(c)) for c in columns])
        return out.getvalue()

    records = list(TEMPLATE_RECORDS)
    if not split:
        return {"timeline.csv": sheet(EVENT_COLUMNS, records)}
    events = [r for r in records if r["type"] not in ("source", "entity")]
    used = [c for c in EVENT_COLUMNS if any(c in r for r in events)]
    return {
        "sources.csv": sheet(_SOURCE_COLUMNS, [r for r in records if r["type"] == "source"]),
        "entities.csv": sheet(_ENTITY_COLUMNS, [r for r in records if r["type"] == "entity"]),
        "events.csv": sheet(tuple(used), events),
    }
