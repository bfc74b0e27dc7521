"""docs/format.md "Load limits" is what the loader does: each documented limit is refused
with the documented message, one step past it, and accepted at it, writing nothing on refusal."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factbase.api import FactBase
from factbase.cli import cli
from factbase.core.events import MAX_DEPTH, MAX_VALUES, NAME_MAX
from factbase.io.loader import MAX_DOCUMENT_BYTES, MAX_LINE_BYTES
from tests.conftest import ROOT

FORMAT_MD = ROOT / "docs" / "format.md"


def documented() -> dict[str, str]:
    """The rows of the Load limits table: limit -> the error, as documented."""
    text = FORMAT_MD.read_text(encoding="utf-8")
    section = text.split("## Load limits\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([a-z ]+) \| .* \| `(Error: .*)` \|$", section, re.MULTILINE)
    return dict(rows)


def _file(events: list[dict[str, Any]] | None = None, **entity: Any) -> str:
    return json.dumps({
        "sources": [{"id": "s1", "url": "https://example.com/a", "title": "A"}],
        "entities": [{"id": "acme", "kind": "organization", "name": "Acme", **entity}],
        "events": events or []})


def _metric(value: Any = 1, unit: str = "users", **extra: Any) -> str:
    return _file([{"type": "metric.reported", "date": "2026", "sources": ["s1"],
                   "subject": "acme", "metric": "users", "value": value, "unit": unit,
                   **extra}])


def _nested(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


def _alias_bomb(levels: int) -> str:
    lines = ["sources:", "  - id: s1", "    note: &n0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"    n{i}: &n{i} [" + ", ".join([f"*n{i - 1}"] * 10) + "]"
              for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def _text_bomb(aliases: int) -> str:
    """One 100,000-character note, written once and aliased ``aliases`` times."""
    lines = ["sources:", "  - {id: s1, url: 'https://example.com/a', note: &n " + "y" * 100_000
             + "}", "entities:"]
    lines += [f"  - {{id: p{i}, kind: person, name: P{i}, note: *n}}" for i in range(aliases)]
    return "\n".join(lines) + "\n"


def _long_line(size: int) -> str:
    """A JSON Lines file whose one record line is ``size`` bytes long, its newline included."""
    head = '{"type": "source", "id": "s1", "url": "https://example.com/a", "note": "'
    return head + "z" * (size - len(head) - 3) + '"}\n'


# limit -> (file name, the input one step past the limit, the input at the limit)
CASES: dict[str, tuple[str, Callable[[], str], Callable[[], str]]] = {
    "name": ("limits.json", lambda: _file(name="x" * (NAME_MAX + 1)),
             lambda: _file(name="x" * NAME_MAX)),
    "alias": ("limits.json", lambda: _file(aliases=["y" * (NAME_MAX + 1)]),
              lambda: _file(aliases=["y" * NAME_MAX])),
    "text": ("limits.json", lambda: _metric(unit="u" * 1_000_001),
             lambda: _metric(unit="u" * 1_000_000)),
    "id": ("limits.json", lambda: _file(id="a" * 201), lambda: _file(id="a" * 200)),
    "integer": ("limits.json", lambda: _metric(2**63), lambda: _metric(2**63 - 1)),
    "digits": ("limits.json", lambda: _metric().replace('"value": 1', '"value": ' + "9" * 4301),
               lambda: _metric().replace('"value": 1', '"value": ' + "9" * 18)),
    "float": ("limits.json", lambda: _metric().replace('"value": 1', '"value": 1e400'),
              lambda: _metric().replace('"value": 1', '"value": 1.7e308')),
    # The record is level 1 and `period` level 2, so the list inside holds the rest.
    "depth": ("limits.json", lambda: _metric(period=_nested(MAX_DEPTH - 1)),
              lambda: _metric(period=_nested(MAX_DEPTH - 2))),
    "parser depth": ("limits.json",
                     lambda: '{"events": [' + "[" * 100_000 + "]" * 100_000 + "]}",
                     lambda: _metric(period=_nested(MAX_DEPTH - 2))),
    # `period` is checked for values before its type: MAX_VALUES in all, the record included.
    "values": ("limits.json", lambda: _metric(period=list(range(MAX_VALUES))),
               lambda: _metric(period=list(range(MAX_VALUES - 15)))),
    "yaml aliases": ("limits.yaml", lambda: _alias_bomb(6), lambda: _alias_bomb(3)),
    "yaml alias text": ("limits.yaml", lambda: _text_bomb(200), lambda: _text_bomb(5)),
    "line": ("limits.jsonl", lambda: _long_line(MAX_LINE_BYTES + 1),
             lambda: _long_line(1 << 20)),
    "document": ("limits.yaml", lambda: "# " + "x" * MAX_DOCUMENT_BYTES + "\n",
                 lambda: "# " + "x" * (1 << 20) + "\n" + _file()),
}
_PLACEHOLDERS = {"<path>": r"[\w.\[\]]+", "<n>": r"[\d,]+", "<line>": r"\d+", "<id>": r"[a-z]+"}


def test_every_documented_limit_has_a_case_and_every_case_is_documented() -> None:
    assert set(documented()) == set(CASES)


@pytest.mark.parametrize("limit", sorted(CASES))
def test_a_documented_limit_is_what_the_loader_enforces(
        limit: str, tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    name, past, at = CASES[limit]
    expected = re.escape(documented()[limit])
    for placeholder, pattern in _PLACEHOLDERS.items():
        expected = expected.replace(re.escape(placeholder), pattern)
    monkeypatch.chdir(tmp_path)  # so the message names the file as the docs do
    FactBase.open("limits.db", create=True).close()
    Path(name).write_text(past(), encoding="utf-8")
    result = runner.invoke(cli, ["--db", "limits.db", "load", name])
    assert result.exit_code == 1
    assert re.fullmatch(expected, result.stderr.rstrip("\n")), result.stderr
    with FactBase.open("limits.db") as fb:
        assert fb.count() == 0  # refused whole: nothing written
    # At the limit this limit's message is not given (the file may still be refused for
    # another reason: no field takes a list nested 49 levels deep).
    Path(name).write_text(at(), encoding="utf-8")
    result = runner.invoke(cli, ["--db", "limits.db", "load", name])
    assert not re.fullmatch(expected, result.stderr.rstrip("\n")), result.stderr
    if limit not in ("depth", "parser depth", "values", "yaml aliases"):
        assert result.exit_code == 0, result.stderr
