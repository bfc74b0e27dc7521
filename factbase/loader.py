"""Reading input files: YAML, JSON and JSON Lines, into records that know where they came from.

File shapes (docs/format.md has the full reference and an example):

* **YAML** or **JSON**: a mapping with any of the lists ``sources``, ``entities`` and
  ``events``; or a plain list of event records.
* **JSON Lines** (``.jsonl``/``.ndjson``, or ``-`` whose first line is an object): one record
  per line; a source line has ``"type": "source"``, an entity line ``"type": "entity"``.

YAML is read with PyYAML's safe loader minus its timestamp resolver, so ``2026-02-10`` stays
the text the author wrote (the date parser, not YAML, decides what a date means), and with
duplicate keys refused (YAML 1.2 §3.2.1.1 requires mapping keys to be unique). Each record
carries a locator: ``line 14`` for YAML and JSON Lines, ``events[3]`` for JSON.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from factbase.errors import InputError

SECTIONS = ("sources", "entities", "events")
#: How much of an input is read to tell its format (its first line must fit, see detect_format).
SNIFF_BYTES = 1 << 16


@dataclass(frozen=True)
class RawRecord:
    """One record of an input: ``origin`` (file name), ``locator`` (``line 14``), ``data``."""

    origin: str
    locator: str
    data: Any

    @property
    def where(self) -> str:
        return f"{self.origin} {self.locator}" if self.locator else self.origin


class _Loader(yaml.SafeLoader):
    """Safe YAML loader: dates stay text; duplicate keys are errors."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


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


def _to_source(data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    out = {k: v for k, v in data.items() if k not in ("id", "type")}
    return {"type": "source.registered", "source": data.get("id"), **out}


def _to_entity(data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    out = {k: v for k, v in data.items() if k not in ("id", "type")}
    return {"type": "entity.registered", "entity": data.get("id"), **out}


def normalise(section: str, data: Any) -> Any:
    """A record of ``section`` as an event record (sources and entities become registrations)."""
    if section == "sources":
        return _to_source(data)
    if section == "entities":
        return _to_entity(data)
    if isinstance(data, dict) and data.get("type") == "source":
        return _to_source(data)
    if isinstance(data, dict) and data.get("type") == "entity":
        return _to_entity(data)
    return data


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
    # them, as the YAML loader does (RFC 8259 §4: names SHOULD be unique).
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _json_loads(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_unique_keys)


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


def read_yaml(text: str, origin: str) -> Iterator[RawRecord]:
    """Records of a YAML document, each with the line its mapping starts on."""
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            at = f" line {mark.line + 1} column {mark.column + 1}" if mark else ""
            raise InputError(f"{origin}{at}: YAML syntax error: {exc.problem}; "
                             "check the indentation and quoting there") from None
        except yaml.YAMLError as exc:
            raise InputError(f"{origin}: YAML error: {exc}") from None
        if node is None:
            raise _empty(origin)
        items: list[tuple[str, yaml.Node]] = []
        if isinstance(node, yaml.MappingNode):
            keys = [str(k.value) for k, _ in node.value]
            _sections({k: [] for k in keys}, origin, "")
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
            yield RawRecord(origin, f"line {line}", normalise(section, data))
    finally:
        loader.dispose()


def read_json(text: str, origin: str) -> Iterator[RawRecord]:
    """Records of a JSON document, each located by its path (``events[3]``)."""
    try:
        top = _json_loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{origin} line {exc.lineno} column {exc.colno}: not valid JSON: "
                         f"{exc.msg}") from None
    except _DuplicateKey as exc:
        raise InputError(f"{origin}: duplicate key '{exc}' in a JSON object; each key may "
                         "appear once") from None
    _sections(top, origin, "")
    if isinstance(top, list):
        for i, data in enumerate(top):
            yield RawRecord(origin, f"events[{i}]", normalise("events", data))
        return
    for section in SECTIONS:
        for i, data in enumerate(top.get(section, [])):
            yield RawRecord(origin, f"{section}[{i}]", normalise(section, data))


def read_jsonl(stream: BinaryIO, origin: str) -> Iterator[RawRecord]:
    """Records of a JSON Lines stream, read one line at a time (bounded memory)."""
    for n, raw in enumerate(stream, start=1):
        line = _decode(raw, f"{origin} line {n}").strip()
        if not line:
            continue
        try:
            data = _json_loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{origin} line {n}: not valid JSON ({exc.msg} at column "
                             f"{exc.colno}); each line must be one JSON object") from None
        except _DuplicateKey as exc:
            raise InputError(f"{origin} line {n}: {exc}: duplicate key; each key may appear "
                             "once") from None
        yield RawRecord(origin, f"line {n}", normalise("events", data))


def detect_format(name: str, head: bytes) -> str:
    """``yaml``, ``json`` or ``jsonl`` from the file name, else from the first bytes."""
    suffix = Path(name).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        first_line = stripped.split(b"\n", 1)[0].strip()
        try:
            first = json.loads(first_line)
        except ValueError:
            return "json"
        # A whole JSON document on one line parses too; a JSON Lines record has a type.
        if isinstance(first, dict) and "type" not in first and any(k in first for k in SECTIONS):
            return "json"
        return "jsonl"
    if stripped.startswith(b"["):
        return "json"
    return "yaml"


def count_records_hint(path: Path, fmt: str) -> int | None:
    """A cheap upper bound on the number of records (lines of a JSON Lines file), for progress."""
    if fmt != "jsonl":
        return None
    with path.open("rb") as f:
        return sum(buf.count(b"\n") for buf in iter(lambda: f.read(1 << 20), b"")) + 1


def read_input(name: str) -> tuple[str, Iterator[RawRecord], int | None]:
    """Open ``name`` (a path, or ``-`` for standard input) and return
    ``(format, records, length hint)``. Raises :class:`InputError` for a missing, empty,
    unreadable or malformed file; records are produced lazily (a later malformed line
    raises when reached)."""
    origin = "<stdin>" if name == "-" else name
    if name == "-":
        data = sys.stdin.buffer.read()
        fmt = detect_format("", data[:SNIFF_BYTES])
        return fmt, _records(fmt, io.BytesIO(data), origin), None
    path = Path(name)
    if not path.exists():
        raise InputError(f"{name}: no such file")
    if path.is_dir():
        raise InputError(f"{name}: is a directory; give the timeline files inside it")
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    if len(head) < SNIFF_BYTES and not head.strip():  # a longer one may start with blank lines
        raise _empty(origin)
    fmt = detect_format(name, head)
    return fmt, _records(fmt, path, origin), count_records_hint(path, fmt)


def _records(fmt: str, src: Path | BinaryIO, origin: str) -> Iterator[RawRecord]:
    if fmt == "jsonl":
        if isinstance(src, Path):
            with src.open("rb") as f:
                yield from read_jsonl(f, origin)
        else:
            yield from read_jsonl(src, origin)
        return
    raw = src.read_bytes() if isinstance(src, Path) else src.read()
    text = _decode(raw, origin)
    if not text.strip():
        raise _empty(origin)
    if fmt == "json":
        yield from read_json(text, origin)
    else:
        yield from read_yaml(text, origin)
