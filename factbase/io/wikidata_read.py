"""Reading Wikidata entity documents, and the values in them, for :mod:`factbase.store.wikidata`.

The shapes read: ``{"entities": {"Q…": {…}}}`` (``Special:EntityData/Q….json`` and
``wbgetentities`` responses, a redirect's target included), a bare entity object, and the lines
of the JSON dump (one entity per line, with or without the trailing commas and the ``[``/``]``
lines). The values: Wikidata time values as factbase dates (:func:`wikidata_date`), snaks,
qualifiers, labels and aliases, and references as ``source.registered`` records.

Pure: no database, no network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from factbase.core.errors import InputError

#: Calendar models Wikidata uses.
GREGORIAN = "http://www.wikidata.org/entity/Q1985727"
JULIAN = "http://www.wikidata.org/entity/Q1985786"
HUMAN = "Q5"
#: Files bigger than this are read line by line without trying them as one document.
WHOLE_DOCUMENT_LIMIT = 64 << 20
_GUID = re.compile(r"^[A-Za-z]\d+\$(.+)$")
_SLUG_OK = re.compile(r"[^a-z0-9._-]+")


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One entity document: where it came from (``origin``, e.g. ``Q2283.json`` or
    ``dump.json line 3``) and the entity object."""

    origin: str
    entity: dict[str, Any]

    @property
    def qid(self) -> str:
        return str(self.entity.get("id", ""))


def _entities_of(top: Any, origin: str) -> Iterator[Document]:
    if isinstance(top, dict) and isinstance(top.get("entities"), dict):
        for key, ent in top["entities"].items():
            if isinstance(ent, dict):
                yield Document(origin if len(top["entities"]) == 1 else f"{origin} {key}", ent)
        return
    if isinstance(top, dict) and "id" in top and ("claims" in top or "labels" in top):
        yield Document(origin, top)
        return
    if isinstance(top, list):
        for i, ent in enumerate(top):
            yield from _entities_of(ent, f"{origin} [{i}]")
        return
    raise InputError(f"{origin}: not a Wikidata entity document; expected {{\"entities\": "
                     "{\"Q…\": {…}}} (Special:EntityData/Q….json), an entity object with "
                     "\"id\" and \"claims\", or lines of the JSON dump")


def read_file(path: str) -> list[Document]:
    """The entity documents of a file (see the module docstring for the shapes).

    Raises :class:`InputError` for a missing file, text that is not UTF-8, JSON that does not
    parse (naming the line, and saying so when the file stops before its JSON ends, as a cut
    short download does) and JSON that holds no entity.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: no such file")
    if p.is_dir():
        raise InputError(f"{path}: is a directory; give the entity files inside it")
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":
            raise InputError(f"{path}: the file stops in the middle of a character; is it "
                             "cut short (an interrupted download)?") from None
        raise InputError(f"{path}: not UTF-8 text (bad byte at offset {exc.start}); Wikidata "
                         "serves UTF-8 JSON") from None
    stripped = text.strip()
    if not stripped:
        raise InputError(f"{path}: the file is empty; nothing to import")
    first_line = stripped.split("\n", 1)[0].strip()
    whole: json.JSONDecodeError | None = None
    if len(raw) <= WHOLE_DOCUMENT_LIMIT and first_line not in ("[", "[\r"):
        try:
            top = json.loads(text)
        except json.JSONDecodeError as exc:
            top, whole = None, exc  # not one document: lines of a dump, or broken
        except RecursionError:
            raise InputError(f"{path}: nested too deeply to be an entity document") from None
        if top is not None:
            return list(_entities_of(top, path))
    lines = text.splitlines()
    last = max((n for n, line in enumerate(lines, start=1) if line.strip()), default=0)
    docs: list[Document] = []
    for n, line in enumerate(lines, start=1):
        line = line.strip().rstrip(",").strip()
        if line in ("", "[", "]"):
            continue
        try:
            top = json.loads(line)
        except json.JSONDecodeError as exc:
            if whole is not None and not docs and whole.lineno > 1:
                # Its first line is not a JSON value alone: one document over many lines.
                raise InputError(_not_json(path, whole, text, "")) from None
            raise InputError(_not_json(path, exc, line if n == last else None,
                                       "; a dump holds one entity per line", n)) from None
        except RecursionError:
            raise InputError(f"{path} line {n}: nested too deeply") from None
        docs += list(_entities_of(top, f"{path} line {n}"))
    if not docs:
        raise InputError(f"{path}: holds no entity; nothing to import")
    return docs


def _not_json(path: str, exc: json.JSONDecodeError, tail: str | None, hint: str,
              line: int | None = None) -> str:
    """The message for JSON that does not parse; ``tail`` is the text it was read from when
    that text ends the file: JSON that stops before it is complete there was cut short."""
    what = exc.msg.removesuffix(" at")  # "Unterminated string starting at"
    where = f"{path} line {line or exc.lineno}: not valid JSON ({what} at column {exc.colno})"
    end = tail.rstrip() if tail is not None else ""
    if end.lstrip().startswith(("{", "[")) and (exc.pos >= len(end) or not end.endswith(("}", "]"))
                                       or exc.msg.startswith("Unterminated string")):
        return (where + "; the file stops before its JSON is complete: is it cut short (an "
                "interrupted download)?")
    return where + hint


# --- values ------------------------------------------------------------------------------


def _julian_to_gregorian(y: int, m: int, d: int) -> date:
    """The proleptic Gregorian day of a Julian-calendar day (through the Julian Day Number)."""
    a = (14 - m) // 12
    yy, mm = y + 4800 - a, m + 12 * a - 3
    jdn = d + (153 * mm + 2) // 5 + 365 * yy + yy // 4 - 32083
    return date.fromordinal(jdn - 1721425)


def wikidata_date(value: Mapping[str, Any]) -> str | None:
    """A Wikidata time value as a factbase date, or None when factbase cannot hold it.

    Precision 11 is a day (``2014-02-04``), 10 a month (``1975-04``), 9 a year (``1960``);
    coarser ones become ranges: 8 a decade (``+1990`` → ``1990/1999``), 7 a century and 6 a
    millennium (counted as Wikidata's formatter counts them: ``+1900`` at precision 7 is the
    19th century, ``1801/1900``). A month or day written ``00`` at a finer precision falls back
    to the precision it has. A Julian-calendar date is converted to the Gregorian days it
    covers (a day to a day; a month or year to a range of days). Finer than a day is a day;
    coarser than a millennium, before year 1 or after 9999 is None.
    """
    text = str(value.get("time", ""))
    m = re.fullmatch(r"([+-])(\d+)-(\d\d)-(\d\d)T.*", text)
    precision = value.get("precision")
    if m is None or not isinstance(precision, int):
        return None
    sign, year, month, day = m[1], int(m[2]), int(m[3]), int(m[4])
    if sign == "-" or not 1 <= year <= 9999:
        return None
    precision = min(precision, 11)
    if precision == 11 and day == 0:
        precision = 10
    if precision == 10 and month == 0:
        precision = 9
    if precision < 6:
        return None
    if precision <= 8:
        size = {8: 10, 7: 100, 6: 1000}[precision]
        first = year // size * size if precision == 8 else (year - 1) // size * size + 1
        last = first + size - 1
        if first < 1 or last > 9999:
            return None
        return f"{first:04d}/{last:04d}"
    if value.get("calendarmodel") == JULIAN:
        import calendar

        if precision == 11:
            return _julian_to_gregorian(year, month, day).isoformat()
        start = (year, month, 1) if precision == 10 else (year, 1, 1)
        end_month = month if precision == 10 else 12
        # Julian months have the Gregorian lengths, but every fourth year is a leap year.
        last = 29 if end_month == 2 and year % 4 == 0 else calendar.monthrange(2001,
                                                                               end_month)[1]
        a = _julian_to_gregorian(*start)
        b = _julian_to_gregorian(year, end_month, last)
        return f"{a.isoformat()}/{b.isoformat()}"
    if precision == 11:
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return None
    if precision == 10:
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
    return f"{year:04d}"


def snak_value(snak: Mapping[str, Any]) -> tuple[str, Any]:
    """``("value", value)``, ``("somevalue", None)`` or ``("novalue", None)``."""
    kind = snak.get("snaktype", "value")
    if kind != "value":
        return str(kind), None
    dv = snak.get("datavalue") or {}
    return "value", dv.get("value")


def item_id(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("id"), str) and \
            re.fullmatch(r"Q\d+", value["id"]):
        return str(value["id"])
    if isinstance(value, dict) and isinstance(value.get("numeric-id"), int):
        return f"Q{value['numeric-id']}"
    return None


def qualifier_values(statement: Mapping[str, Any], prop: str) -> list[tuple[str, Any]]:
    return [snak_value(s) for s in (statement.get("qualifiers") or {}).get(prop, [])]


def statement_key(statement: Mapping[str, Any], qid: str, prop: str, index: int) -> str:
    """``<q-id>-<property>-<statement uuid>`` as an id (lower case): stable across imports."""
    sid = str(statement.get("id") or "")
    m = _GUID.match(sid)
    tail = m[1] if m else (sid or f"n{index}")
    return f"{qid.lower()}-{prop.lower()}-" + _SLUG_OK.sub("-", tail.lower()).strip("-")[:80]


def label_of(entity: Mapping[str, Any]) -> str | None:
    """The entity's label in English, else ``mul``, else an English variant, else the first
    language (sorted)."""
    labels = entity.get("labels") or {}
    for lang in ("en", "mul"):
        if lang in labels and str(labels[lang].get("value", "")).strip():
            return str(labels[lang]["value"]).strip()
    for lang in sorted(labels, key=lambda k: (not k.startswith("en-"), k)):
        text = str(labels[lang].get("value", "")).strip()
        if text:
            return text
    return None


def names_of(entity: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """``(labels, aliases)``: every label (the name first) and every alias, in language order,
    each once and at most :data:`factbase.core.events.NAME_MAX` characters."""
    from factbase.core.events import NAME_MAX

    name = label_of(entity)
    labels: list[str] = [name] if name else []
    for _lang, lab in sorted((entity.get("labels") or {}).items()):
        text = str(lab.get("value", "")).strip()
        if text and text not in labels and len(text) <= NAME_MAX:
            labels.append(text)
    aliases: list[str] = []
    for _lang, items in sorted((entity.get("aliases") or {}).items()):
        for a in items if isinstance(items, list) else []:
            text = str(a.get("value", "")).strip()
            if text and text not in labels and text not in aliases and len(text) <= NAME_MAX:
                aliases.append(text)
    return labels, aliases


def description_of(entity: Mapping[str, Any]) -> str | None:
    descs = entity.get("descriptions") or {}
    for lang in ("en", "mul"):
        if lang in descs and str(descs[lang].get("value", "")).strip():
            return str(descs[lang]["value"]).strip()
    return None


def kind_of(entity: Mapping[str, Any]) -> str:
    """``person`` for an instance of human (P31 Q5, rank not deprecated), else
    ``organization``."""
    for st in (entity.get("claims") or {}).get("P31", []):
        if st.get("rank") != "deprecated" and item_id(snak_value(st.get("mainsnak", {}))[1]) \
                == HUMAN:
            return "person"
    return "organization"


# --- references as sources ---------------------------------------------------------------


def item_source_id(qid: str) -> str:
    return f"wikidata-{qid.lower()}"


def item_source(qid: str, label: str | None) -> dict[str, Any]:
    title = f"Wikidata: {label} ({qid})" if label else f"Wikidata: {qid}"
    return {"type": "source.registered", "source": item_source_id(qid),
            "url": f"https://www.wikidata.org/wiki/{qid}", "title": title,
            "publisher": "Wikidata"}


def ref_snaks(ref: Mapping[str, Any], prop: str) -> list[Any]:
    return [v for kind, v in (snak_value(s) for s in (ref.get("snaks") or {}).get(prop, []))
            if kind == "value"]


def reference_source(ref: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``source.registered`` record of one reference (its id from the reference's hash),
    or None for a reference with nothing factbase can cite."""
    from factbase.core.events import canonical_json, sha256

    digest = str(ref.get("hash") or sha256(canonical_json(ref.get("snaks") or {})))
    urls = [u for u in ref_snaks(ref, "P854") if isinstance(u, str)]
    stated = [q for q in map(item_id, ref_snaks(ref, "P248")) if q]
    imported = [q for q in map(item_id, ref_snaks(ref, "P143")) if q]
    titles = [t.get("text") for t in ref_snaks(ref, "P1476") if isinstance(t, dict)]
    publishers = [q for q in map(item_id, ref_snaks(ref, "P123")) if q]
    retrieved = [d for d in (wikidata_date(t) for t in ref_snaks(ref, "P813")
                             if isinstance(t, dict)) if d]
    published = [d for d in (wikidata_date(t) for t in ref_snaks(ref, "P577")
                             if isinstance(t, dict)) if d]
    if not (urls or stated or imported or titles):
        return None
    what = urls[0] if urls else (f"stated in {stated[0]}" if stated else
                                 f"imported from {imported[0]}" if imported else "")
    title = titles[0] if titles and titles[0] else f"[Wikidata reference: {what}]"
    parts = [f"Wikidata reference {digest[:12]}"]
    if stated:
        parts.append("stated in " + ", ".join(stated) + " (P248)")
    if imported:
        parts.append("imported from " + ", ".join(imported) + " (P143)")
    if retrieved:
        parts.append(f"retrieved {retrieved[0]} (P813)")
    rec: dict[str, Any] = {"type": "source.registered", "source": f"wd-ref-{digest[:16]}",
                           "title": title, "note": "; ".join(parts) + "."}
    if urls:
        rec["url"] = urls[0]
    elif stated:
        rec["url"] = f"https://www.wikidata.org/wiki/{stated[0]}"
    if publishers:
        parts.insert(1, "publisher " + ", ".join(publishers) + " (P123)")
        rec["note"] = "; ".join(parts) + "."
    if published and "/" not in published[0]:
        rec["published"] = published[0]
    return rec
