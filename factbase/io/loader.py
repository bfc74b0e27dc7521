"""Reading input files: YAML, JSON and JSON Lines, into records that know where they came from.

File shapes (docs/format.md has the full reference and an example):

* **YAML** or **JSON**: a mapping with any of the lists ``sources``, ``entities`` and
  ``events``; or a plain list of event records.
* **JSON Lines** (``.jsonl``/``.ndjson``, or ``-`` whose first line is an object): one record
  per line; a source line has ``"type": "source"``, an entity line ``"type": "entity"``.
* **CSV** (``.csv``/``.tsv``, or ``-`` whose first line is a header of column names): one
  record per row, read by :mod:`factbase.io.csv_input`.

YAML is read with PyYAML's safe loader minus its timestamp resolver, so ``2026-02-10`` stays
the text the author wrote (the date parser, not YAML, decides what a date means), and with
duplicate keys refused (YAML 1.2 §3.2.1.1 requires mapping keys to be unique). Each record
carries a locator: ``line 14`` for YAML and JSON Lines, ``events[3]`` for JSON.

Hostile input gets one clear error, never a traceback: nesting deeper than
:data:`~factbase.core.events.MAX_DEPTH` levels (which would exhaust Python's stack in the parsers),
YAML aliases that stand for more than :data:`ALIAS_BUDGET` nodes beyond ten per node written
(a "billion laughs" file is a few hundred bytes), an alias inside the node it names, characters
YAML forbids (NUL and other control characters), and numbers too long to read. Values JSON
cannot hold (1e400, NaN, bytes, sets) are refused by :func:`factbase.core.fields.validate_record`.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

import yaml

from factbase.core.errors import InputError
from factbase.core.events import MAX_DEPTH
from factbase.io.records import normalise

SECTIONS = ("sources", "entities", "events")
#: How much of an input is read to tell its format (its first line must fit, see detect_format).
SNIFF_BYTES = 1 << 16
#: The longest JSON Lines line (one record) read, in bytes: 64 MiB. A longer line is refused
#: before it is held in memory whole.
MAX_LINE_BYTES = 64 << 20
#: The largest YAML, JSON or CSV input, in bytes: 64 MiB. Those formats are parsed whole (a
#: YAML parser holds several times the text); a larger load goes in as JSON Lines, which is
#: read one line at a time.
MAX_DOCUMENT_BYTES = 64 << 20
#: Characters of text YAML aliases may stand for in one file, beyond ten per character written.
ALIAS_TEXT_BUDGET = 1_000_000
#: Standard input and pipes are copied to a temporary file, kept in memory up to this size.
_SPOOL_IN_MEMORY = 8 << 20


@dataclass(frozen=True)
class RawRecord:
    """One record of an input: ``origin`` (file name), ``locator`` (``line 14``), ``data``."""

    origin: str
    locator: str
    data: Any

    @property
    def where(self) -> str:
        return f"{self.origin} {self.locator}" if self.locator else self.origin


#: Nodes YAML aliases may stand for in one file, beyond ten per node actually written: enough
#: for any real reuse of anchors, far too few for an exponential alias bomb.
ALIAS_BUDGET = 100_000
#: Levels of YAML nesting above a record: the document's mapping and its section's list.
_ABOVE_RECORDS = 2


class _TooComplex(yaml.composer.ComposerError):
    """A YAML document nested too deeply or expanding too far through its aliases."""


class _Loader(yaml.SafeLoader):
    """Safe YAML loader: dates stay text; duplicate keys are errors; nesting and aliases are
    bounded.

    PyYAML composes and constructs nodes recursively (10,000 nested ``[`` exhaust Python's
    stack) and has no limit on aliases: an alias is one node shared, but anything that walks
    the values (validation, hashing) expands it, so nine aliases of nine aliases of … grow
    exponentially. :meth:`compose_node` therefore keeps, for every node, its size and height
    *as expanded*, and refuses a document deeper than :data:`MAX_DEPTH` levels per record,
    whose aliases stand for more than :data:`ALIAS_BUDGET` + 10 × (nodes written) nodes, or
    for more than :data:`ALIAS_TEXT_BUDGET` + 10 × (characters written) characters of text
    (one long string aliased a thousand times is few nodes but gigabytes once expanded).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._written = 0  # nodes in the text
        self._expanded = 0  # nodes that aliases stand for
        self._written_text = 0  # characters of scalars in the text
        self._expanded_text = 0  # characters of scalars that aliases stand for
        # id(node) -> (size, height, characters)
        self._anchored: dict[int, tuple[int, int, int]] = {}
        # [size, height, characters] of each collection being composed
        self._open: list[list[int]] = []

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        mark: Any = event.start_mark
        limit = MAX_DEPTH + _ABOVE_RECORDS
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            stats = self._anchored.get(id(node))
            if stats is None:  # its anchor's node is still being composed
                raise _TooComplex(None, None, f"alias *{event.anchor} is inside the node it "
                                  "names (a recursive structure); write the value out", mark)
            self._expanded += stats[0]
            if self._expanded > ALIAS_BUDGET + 10 * self._written:
                raise _TooComplex(None, None, "YAML aliases here expand to more than "
                                  f"{self._expanded:,} values (an alias bomb?); write the "
                                  "values out instead of repeating aliases", mark)
            self._expanded_text += stats[2]
            if self._expanded_text > ALIAS_TEXT_BUDGET + 10 * self._written_text:
                raise _TooComplex(None, None, "YAML aliases here expand to more than "
                                  f"{self._expanded_text:,} characters of text (an alias "
                                  "bomb?); write the text out instead of repeating aliases",
                                  mark)
        else:
            if len(self._open) >= limit:
                raise _TooComplex(None, None, f"nested more than {MAX_DEPTH} levels deep; "
                                  "a record needs a few", mark)
            self._open.append([1, 0, 0])
            try:
                node = super().compose_node(parent, index)
            finally:
                size, height, text = self._open.pop()
            if isinstance(node, yaml.ScalarNode):
                text = len(node.value)
                self._written_text += text
            stats = (size, height + 1, text)
            self._written += 1
            if getattr(event, "anchor", None) is not None:
                self._anchored[id(node)] = stats
        if len(self._open) + stats[1] > limit:
            raise _TooComplex(None, None, f"nested more than {MAX_DEPTH} levels deep once its "
                              "aliases are expanded; a record needs a few", mark)
        if self._open:
            outer = self._open[-1]
            outer[0] += stats[0]
            outer[1] = max(outer[1], stats[1])
            outer[2] += stats[2]
        return node


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_scalar(text: str) -> Any:
    """One value written as YAML, as the loader reads a field: ``5000`` is a number, ``null``
    (or nothing) is None, anything else text; dates stay text (the date parser decides what
    they mean). Raises :class:`yaml.YAMLError` for text YAML cannot read (``[``, a control
    character, nesting past :data:`MAX_DEPTH`)."""
    return yaml.load(text, Loader=_Loader) if text.strip() else None  # noqa: S506


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be plain text", key_node.start_mark)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}' (first on line {seen[key]})",
                key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _decode(raw: bytes, origin: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{origin}: not UTF-8 text (bad byte at offset {exc.start}); "
                         "save the file as UTF-8") from None
    return text.removeprefix("\ufeff")


class _DuplicateKey(ValueError):
    """A JSON object names the same key twice."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys and drops the first without a word; refuse
    # them, as the YAML loader does (RFC 8259 §4: names SHOULD be unique). The dict is built
    # in C; only an object whose dict came out shorter than its pairs is looked at again.
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


class _Unreadable(ValueError):
    """JSON that parses by the grammar but not in Python: too deep, or a number too long."""


def _json_loads(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except (json.JSONDecodeError, _DuplicateKey):
        raise
    except RecursionError:
        # The C scanner recurses per nesting level; 10,000 nested `[` exhaust the stack.
        raise _Unreadable(f"nested too deeply (a record may be {MAX_DEPTH} levels deep)"
                          ) from None
    except ValueError as exc:  # int() past the 4,300-digit limit (CVE-2020-10735)
        raise _Unreadable(_unreadable_value(exc)) from None


def _msg(exc: json.JSONDecodeError) -> str:
    # Some of json's messages end in " at", expecting the position to follow.
    return exc.msg.removesuffix(" at")


def _unreadable_value(exc: Exception) -> str:
    if "integer string conversion" in str(exc):
        return ("a number has more than 4,300 digits and cannot be read; whole numbers are "
                "limited to 64 bits (19 digits)")
    return f"a value cannot be read ({exc}); check its tag, or write it as quoted text"


def _empty(origin: str) -> InputError:
    return InputError(f"{origin}: the file is empty; nothing to load "
                      "(expected sources, entities and events)")


def _sections(top: Any, origin: str, where: str) -> None:
    if isinstance(top, dict):
        unknown = [k for k in top if k not in SECTIONS]
        if unknown:
            raise InputError(f"{origin}: unknown top-level key '{unknown[0]}'; a file holds the "
                             "lists sources, entities and events")
        for k in SECTIONS:
            if k in top and not isinstance(top[k], list):
                raise InputError(f"{origin}: '{k}' must be a list of records")
    elif not isinstance(top, list):
        raise InputError(f"{origin}{where}: expected a mapping with sources, entities and events, "
                         f"or a list of events, not {type(top).__name__}")


def _unprintable(text: str, origin: str, exc: yaml.reader.ReaderError) -> InputError:
    # The reader refuses NUL, other C0/C1 control characters and U+FFFE/U+FFFF (YAML 1.1
    # §5.1) before parsing anything; name the character and where it is.
    line = text.count("\n", 0, exc.position) + 1
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    escape = f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}"
    return InputError(f"{origin} line {line}: character U+{code:04X} is not allowed in YAML; "
                      f"remove it (inside double quotes it may be written {escape})")


def read_yaml(text: str, origin: str) -> Iterator[RawRecord]:
    """Records of a YAML document, each with the line its mapping starts on."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        raise _unprintable(text, origin, exc) from None
    try:
        try:
            node = loader.get_single_node()
        except _TooComplex as exc:
            mark = exc.problem_mark
            at = f" line {mark.line + 1}" if mark else ""
            raise InputError(f"{origin}{at}: {exc.problem}") from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            at = f" line {mark.line + 1} column {mark.column + 1}" if mark else ""
            raise InputError(f"{origin}{at}: YAML syntax error: {exc.problem}; "
                             "check the indentation and quoting there") from None
        except yaml.reader.ReaderError as exc:
            raise _unprintable(text, origin, exc) from None
        except yaml.YAMLError as exc:
            raise InputError(f"{origin}: YAML error: {exc}") from None
        except ValueError as exc:
            # PyYAML's scanner calls chr() on a "\U…" escape without checking its range.
            line = loader.get_mark().line + 1
            raise InputError(f"{origin} line {line}: YAML error: {exc}; check the escapes "
                             "(\\x, \\u, \\U) in double-quoted text there") from None
        if node is None:
            raise _empty(origin)
        items: list[tuple[str, yaml.Node]] = []
        if isinstance(node, yaml.MappingNode):
            keys = [str(k.value) for k, _ in node.value]
            _sections({k: [] for k in keys}, origin, "")
            for key_node, _ in node.value:
                if keys.count(str(key_node.value)) > 1:  # the sections are few: this is cheap
                    raise InputError(f"{origin} line {key_node.start_mark.line + 1}: duplicate "
                                     f"key '{key_node.value}'; give each section once")
            for key_node, value_node in node.value:
                if not isinstance(value_node, yaml.SequenceNode):
                    line = value_node.start_mark.line + 1
                    raise InputError(f"{origin} line {line}: '{key_node.value}' must be a list "
                                     "of records (each starting with '- '); write "
                                     f"'{key_node.value}: []' for none")
                items += [(str(key_node.value), n) for n in value_node.value]
        elif isinstance(node, yaml.SequenceNode):
            items = [("events", n) for n in node.value]
        else:
            raise InputError(f"{origin}: expected a mapping with sources, entities and events, "
                             "or a list of events")
        for section, item in items:
            if section not in SECTIONS:
                continue
            line = item.start_mark.line + 1
            try:
                data = loader.construct_object(item, deep=True)
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark or item.start_mark
                raise InputError(f"{origin} line {mark.line + 1}: {exc.problem}") from None
            except (ValueError, OverflowError) as exc:
                # A scalar its tag cannot read: an int past Python's 4,300-digit limit,
                # `!!int abc`, `!!timestamp 2026-13-45`.
                raise InputError(f"{origin} line {line}: {_unreadable_value(exc)}") from None
            yield RawRecord(origin, f"line {line}", normalise(section, data))
    finally:
        loader.dispose()


def read_json(text: str, origin: str) -> Iterator[RawRecord]:
    """Records of a JSON document, each located by its path (``events[3]``)."""
    try:
        top = _json_loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{origin} line {exc.lineno} column {exc.colno}: not valid JSON: "
                         f"{_msg(exc)}") from None
    except _DuplicateKey as exc:
        raise InputError(f"{origin}: duplicate key '{exc}' in a JSON object; each key may "
                         "appear once") from None
    except _Unreadable as exc:
        raise InputError(f"{origin}: {exc}") from None
    _sections(top, origin, "")
    if isinstance(top, list):
        for i, data in enumerate(top):
            yield RawRecord(origin, f"events[{i}]", normalise("events", data))
        return
    for section in SECTIONS:
        for i, data in enumerate(top.get(section, [])):
            yield RawRecord(origin, f"{section}[{i}]", normalise(section, data))


def read_jsonl(stream: BinaryIO, origin: str) -> Iterator[RawRecord]:
    """Records of a JSON Lines stream, read one line at a time (bounded memory: a line longer
    than :data:`MAX_LINE_BYTES` is refused when that much of it has been read)."""
    for n, raw in enumerate(iter(lambda: stream.readline(MAX_LINE_BYTES + 1), b""), start=1):
        if len(raw) > MAX_LINE_BYTES:
            raise InputError(f"{origin} line {n}: longer than {MAX_LINE_BYTES >> 20} MiB; a "
                             f"record may be at most {MAX_LINE_BYTES >> 20} MiB (split it, or "
                             "check that the file has one record a line)")
        line = _decode(raw, f"{origin} line {n}").strip()
        if not line:
            continue
        try:
            data = _json_loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{origin} line {n}: not valid JSON ({_msg(exc)} at column "
                             f"{exc.colno}); each line must be one JSON object") from None
        except _DuplicateKey as exc:
            raise InputError(f"{origin} line {n}: {exc}: duplicate key; each key may appear "
                             "once") from None
        except _Unreadable as exc:
            raise InputError(f"{origin} line {n}: {exc}") from None
        yield RawRecord(origin, f"line {n}", normalise("events", data))


def detect_format(name: str, head: bytes) -> str:
    """``yaml``, ``json``, ``jsonl`` or ``csv`` from the file name, else from the first
    bytes."""
    suffix = Path(name).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        first_line = stripped.split(b"\n", 1)[0].strip()
        try:
            first = json.loads(first_line)
        except (ValueError, RecursionError):  # the reader that follows says what is wrong
            return "json"
        # A whole JSON document on one line parses too; a JSON Lines record has a type.
        if isinstance(first, dict) and "type" not in first and any(k in first for k in SECTIONS):
            return "json"
        return "jsonl"
    if stripped.startswith(b"["):
        return "json"
    from factbase.io.csv_input import looks_like_csv

    if looks_like_csv(stripped):
        return "csv"
    return "yaml"


def count_records_hint(path: Path, fmt: str) -> int | None:
    """A cheap upper bound on the number of records (lines of a JSON Lines file), for progress."""
    if fmt not in ("jsonl", "csv"):
        return None
    with path.open("rb") as f:
        return sum(buf.count(b"\n") for buf in iter(lambda: f.read(1 << 20), b"")) + 1


#: The input formats, for a caller that names one (``load --format``).
FORMATS = ("yaml", "json", "jsonl", "csv")


def needs_spool(name: str) -> bool:
    """Whether input ``name`` can be read only once: standard input (``-``), or a path that
    is neither a regular file nor a folder (a named pipe, ``<(command)``, a device)."""
    if name == "-":
        return True
    try:
        mode = os.stat(name).st_mode
    except OSError:
        return False  # read_input names the problem
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def spool(name: str) -> BinaryIO:
    """Standard input (``-``) or the pipe or device ``name``, read once to its end into a
    temporary file (held in memory up to 8 MiB, on disk beyond it: bounded memory whatever
    the size), rewound. Such an input can be read only once, while a load reads an input
    to tell its format, then for its records, and again if a busy database makes the write
    start over. The caller closes it."""
    out = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115  # returned
    try:
        if name == "-":
            shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
        else:
            with open(name, "rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
    except OSError as exc:
        out.close()
        raise InputError(f"{name}: cannot read it: {exc.strerror}") from None
    out.seek(0)
    return cast(BinaryIO, out)


def read_input(name: str, spooled: BinaryIO | None = None, fmt: str | None = None
               ) -> tuple[str, Iterator[RawRecord], int | None]:
    """Open ``name`` (a path, or ``-`` for standard input) and return
    ``(format, records, length hint)``. Raises :class:`InputError` for a missing, empty,
    unreadable or malformed file, or a YAML, JSON or CSV input larger than
    :data:`MAX_DOCUMENT_BYTES`; records are produced lazily (a later malformed line raises
    when reached). ``spooled``: the input as :func:`spool` copied it, for standard input and
    pipes (None: spool it here when :func:`needs_spool` says so). ``fmt``: one of
    :data:`FORMATS` to read the input as, whatever its name and content say (None: tell from
    them)."""
    origin = "<stdin>" if name == "-" else name
    if spooled is None and needs_spool(name):
        spooled = spool(name)
    if spooled is not None:
        spooled.seek(0)
        head = spooled.read(SNIFF_BYTES)
        spooled.seek(0, os.SEEK_END)
        size = spooled.tell()
        spooled.seek(0)
        if size == 0 or (len(head) == size and not head.strip()):
            raise _empty(origin)
        fmt = fmt or detect_format("" if name == "-" else name, head)
        _check_size(fmt, size, origin)
        return fmt, _records(fmt, spooled, origin), None
    path = Path(name)
    if not path.exists():
        raise InputError(f"{name}: no such file")
    if path.is_dir():
        raise InputError(f"{name}: is a directory; give the timeline files inside it")
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    if len(head) < SNIFF_BYTES and not head.strip():  # a longer one may start with blank lines
        raise _empty(origin)
    fmt = fmt or detect_format(name, head)
    _check_size(fmt, path.stat().st_size, origin)
    return fmt, _records(fmt, path, origin), count_records_hint(path, fmt)


def _check_size(fmt: str, size: int, origin: str) -> None:
    """Refuse a YAML, JSON or CSV input larger than :data:`MAX_DOCUMENT_BYTES` (parsed whole)."""
    if fmt != "jsonl" and size > MAX_DOCUMENT_BYTES:
        raise InputError(f"{origin}: {size / (1 << 20):,.0f} MiB of {fmt.upper()} is more than "
                         f"the {MAX_DOCUMENT_BYTES >> 20} MiB read whole; split it, or load it as "
                         "JSON Lines, read a line at a time (export --format jsonl shows the "
                         "form)")


def _records(fmt: str, src: Path | BinaryIO, origin: str) -> Iterator[RawRecord]:
    if fmt == "jsonl":
        if isinstance(src, Path):
            with src.open("rb") as f:
                yield from read_jsonl(f, origin)
        else:
            yield from read_jsonl(src, origin)
        return
    raw = src.read_bytes() if isinstance(src, Path) else src.read()
    if fmt == "csv":
        from factbase.io.csv_input import read_csv

        for locator, data in read_csv(raw, origin):
            yield RawRecord(origin, locator, data)
        return
    text = _decode(raw, origin)
    if not text.strip():
        raise _empty(origin)
    if fmt == "json":
        yield from read_json(text, origin)
    else:
        yield from read_yaml(text, origin)
