"""Fuzzing `factbase load`: valid, subtly invalid and garbage files in YAML, JSON and JSON Lines.

The contract, for every input (:meth:`Harness.load`):

* never a traceback: ``result.exception`` is None or the ``SystemExit`` of a clean exit;
* exit 0 (a clean load), or exit 1 with nothing on stdout and exactly one ``Error: …`` block
  on stderr;
* a refused file leaves the database byte for byte as it was (``iterdump`` before and after).

Valid timelines — built from strategies that mirror the vocabulary of :mod:`factbase.core.events`,
with dates at the edges of the calendar — must load whole (exit 0, every record new or already
present, ``verify`` clean) and loading them again adds nothing. Subtly invalid ones change one
thing; garbage is random bytes, mangled valid files, random JSON values and the hand-made
horrors of :data:`HORRORS` (10,000 levels of nesting, 1 MB strings, 1e400 and 10**400,
duplicate keys, alias bombs, NUL bytes, invalid UTF-8, tabs). The nastiest inputs found are
kept in ``tests/fuzz_corpus/`` (described in its ``MANIFEST.json``) and replayed by
:func:`test_corpus_case`. Examples are bounded (and derandomised) so the module runs in
about a minute; see :data:`SCALE` for longer campaigns.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factbase.api import FactBase
from factbase.cli import cli
from factbase.core.names import shows_nothing
from tests.backends import copy_sqlite
from tests.conftest import BASE_TIMELINE as BASE

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only(
    "the loader's validation does not depend on the backend; the harness compares SQLite "
    "file dumps")]

CORPUS = Path(__file__).parent / "fuzz_corpus"
MANIFEST = CORPUS / "MANIFEST.json"

BASE_EVENTS = 5

#: ``FACTBASE_FUZZ_SCALE=20 pytest tests/test_fuzz_loader.py`` runs a longer, randomised
#: campaign; the suite runs the same derandomised examples every time.
SCALE = int(os.environ.get("FACTBASE_FUZZ_SCALE", "1"))
FUZZ = settings(deadline=None, derandomize=SCALE == 1, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
#: Every input fed to `load` in this module, by test (printed at the end with `pytest -s`).
RUNS: dict[str, int] = {}


def dump(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


class Harness:
    """One database holding BASE, reused across examples: a refused load must leave it
    unchanged (which is checked), a clean one is undone by copying the template back."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.template = folder / "template.db"
        (folder / "base.yaml").write_text(BASE, encoding="utf-8")
        result = CliRunner().invoke(cli, ["--db", str(self.template), "load",
                                          str(folder / "base.yaml")], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        self.db = folder / "fuzz.db"
        copy_sqlite(self.template, self.db)
        self.clean = dump(self.db)
        self.dirty = False

    def reset(self) -> None:
        if self.dirty:
            copy_sqlite(self.template, self.db)
            self.dirty = False

    def load(self, name: str, content: bytes, *, how: str = "file", test: str = "") -> Result:
        """Feed ``content`` to `factbase load` (as file ``name``, or on stdin when ``how`` is
        "stdin") and check the contract; return the result."""
        self.reset()
        RUNS[test] = RUNS.get(test, 0) + 1
        if how == "stdin":
            args, stdin = ["-"], content
        else:
            path = self.folder / name
            path.write_bytes(content)
            args, stdin = [str(path)], None
        result = CliRunner().invoke(cli, ["--db", str(self.db), "load", *args], input=stdin)
        exc = result.exception
        assert exc is None or isinstance(exc, SystemExit), (
            f"traceback for {name}: {exc!r}\n{_tb(result)}")
        if result.exit_code == 0:
            self.dirty = True
            assert result.stdout.count("new,") == 1, result.output
        else:
            assert result.exit_code == 1, result.output
            assert result.stdout == "", result.stdout
            assert result.stderr.startswith("Error: "), result.stderr
            blocks = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
            assert len(blocks) == 1, result.stderr
            assert dump(self.db) == self.clean, "a refused load changed the database"
        return result

    def count(self) -> int:
        conn = sqlite3.connect(self.db)
        try:
            return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
        finally:
            conn.close()


def _tb(result: Result) -> str:
    import traceback

    if result.exc_info is None:
        return ""
    return "".join(traceback.format_exception(*result.exc_info))


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Harness:
    return Harness(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module", autouse=True)
def _report_runs() -> Any:
    yield
    print(f"\nfuzz_loader inputs fed to load: {sum(RUNS.values())} "
          + ", ".join(f"{k or 'other'}: {v}" for k, v in sorted(RUNS.items())))


# --- serialising a timeline -----------------------------------------------------------------

Timeline = dict[str, list[dict[str, Any]]]
FORMATS = ("yaml", "json", "jsonl")


def serialise(timeline: Timeline, fmt: str, *, ascii_only: bool = False) -> bytes:
    """``timeline`` ({sources, entities, events}) as a file of format ``fmt``."""
    if fmt == "yaml":
        return yaml.safe_dump(timeline, allow_unicode=not ascii_only, sort_keys=False,
                              width=10_000).encode("utf-8")
    if fmt == "json":
        return json.dumps(timeline, ensure_ascii=ascii_only, indent=1).encode("utf-8")
    lines = [{"type": "source", **r} for r in timeline.get("sources", [])]
    lines += [{"type": "entity", **r} for r in timeline.get("entities", [])]
    lines += timeline.get("events", [])
    return "".join(json.dumps(x, ensure_ascii=ascii_only) + "\n" for x in lines).encode("utf-8")


def records(timeline: Timeline) -> int:
    return sum(len(v) for v in timeline.values())


# --- strategies: the vocabulary -------------------------------------------------------------

#: Valid dates, many at the edges of the calendar (leap days, year 1 and 9999, open ranges).
EDGE_DATES = [
    "0001-01-01", "9999-12-31", "2024-02-29", "2000-02-29", "1900-02-28", "0001", "9999",
    "0001-01", "9999-12", "2026-02", "2026", "0001-01-01~", "9999-12-31~", "9999-12~", "0001~",
    "2026-02?", "2026-02%", "../9999-12-31", "0001-01-01/..", "../2026-02-10", "2026-02-10/..",
    "2026-02-01/2026-02-11", "0001-01-01/9999-12-31", "2024-02-29/2024-03-01", "2026-02-11",
    "10 Feb 2026", "February 2026", "2026年2月10日",
]
#: Dates that must be refused (or are instants, ambiguous, reversed, out of the calendar).
BAD_DATES = [
    "0000-01-01", "0000", "10000-01-01", "2023-02-29", "2026-02-30", "2026-13", "2026-00",
    "2026-02-11/2026-02-01", "9999-12-31/0001-01-01", "../..", "/", "", "  ", "2026-21",
    "03/02/2026", "2026-02-10T10:00:00Z", "2026-02-10 10:00", "yesterday", "2026-02-1",
    "-2026", "+2026", "2026-02-10/2026-02-11/2026-02-12", "9999-12-31~/..", "２０２６年２月",
]
EDGE_INSTANTS = [
    "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z", "2026-02-10T25:00:00Z", "2026-02-10T10:00:00",
    "2026-02-10T10:00:00+24:00", "2026-02-10T10:00:00.123456789Z", "2026-02-10T10:00Z",
    "2024-02-29T12:00:00-08:00", "2023-02-29T12:00:00Z", "T", "2026-02-10T",
]

SLUG = st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True)
#: Any Unicode text but surrogates (any script, controls, NUL, combining marks, emoji).
TEXT = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=24).filter(
    lambda s: s.strip() != "")
NAME = TEXT.filter(lambda s: not shows_nothing(s))  # a name needs a visible character
DATE = st.sampled_from(EDGE_DATES) | st.dates().map(lambda d: d.isoformat())
EVIDENCE = st.sampled_from(["confirmed", "reported", "unconfirmed"])
REASON = st.sampled_from(["resigned", "dismissed", "laid_off", "retired", "stepped_back",
                          "parted_ways", "died", "other", "unknown"])
ROLE = st.sampled_from(["cofounder", "lead", "core_member", "member", "executive"])
NUMBER = (st.integers(min_value=-(2**63), max_value=2**63 - 1)
          | st.floats(allow_nan=False, allow_infinity=False))


KINDS = ("org.founded", "unit.created", "unit.renamed", "person.joined", "person.left",
         "role.assigned", "role.ended", "role.confirmed", "statement.made", "metric.reported",
         "meeting.held", "product.announced", "reorg.announced", "entity.aliased",
         "event.corrected")


@st.composite
def timelines(draw: st.DrawFn, kinds: tuple[str, ...] = KINDS) -> Timeline:
    """A valid timeline: sources, people and organisations, and events of ``kinds`` that
    cite them (references resolve within the file or to BASE)."""
    n_src = draw(st.integers(1, 3))
    srcs = [f"fz-src-{i}" for i in range(n_src)] + ["article-1"]
    sources: list[dict[str, Any]] = []
    for s in srcs[:-1]:
        rec: dict[str, Any] = {"id": s}
        if draw(st.booleans()):
            rec["url"] = draw(st.sampled_from(["https://example.com/x", "http://a.b/é?q=1#f"]))
        if draw(st.booleans()):
            rec["title"] = draw(TEXT)
        if draw(st.booleans()):
            rec["published"] = draw(DATE | st.integers(1000, 9999))  # 75 is refused
        if draw(st.booleans()):
            rec["language"] = draw(st.sampled_from(["en", "zh-Hant", "de-CH-1996", "ZH"]))
        sources.append(rec)
    orgs = [f"fz-org-{i}" for i in range(draw(st.integers(1, 2)))] + ["acme"]
    people = [f"fz-p-{i}" for i in range(draw(st.integers(1, 3)))] + ["jane-doe"]
    entities: list[dict[str, Any]] = []
    for kind, ids in (("organization", orgs[:-1]), ("person", people[:-1])):
        for i in ids:
            ent: dict[str, Any] = {"id": i, "kind": kind, "name": draw(NAME)}
            if draw(st.booleans()):
                ent["aliases"] = draw(st.lists(NAME, min_size=1, max_size=3))
            entities.append(ent)
    units: list[tuple[str, str]] = [("acme-research", "acme")]
    products: list[tuple[str, str]] = []
    events: list[dict[str, Any]] = []

    def envelope(rec: dict[str, Any]) -> dict[str, Any]:
        date = draw(DATE)
        out: dict[str, Any] = {"date": date,
                               "sources": draw(st.lists(st.sampled_from(srcs), min_size=1,
                                                        max_size=3, unique=True))}
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) and draw(st.booleans()):
            out["at"] = f"{date}T{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}Z"
        if draw(st.booleans()):
            out["evidence"] = draw(EVIDENCE)
        if draw(st.booleans()):
            out["note"] = draw(TEXT)
        if draw(st.booleans()):
            out["announced"] = draw(DATE)
        if draw(st.booleans()):
            out["id"] = f"fz-ev-{len(events)}"
        return {**rec, **out}

    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(kinds))
        org = draw(st.sampled_from(orgs))
        person = draw(st.sampled_from(people))
        unit_of = [u for u, o in units if o == org]
        rec: dict[str, Any] = {"type": kind}
        if kind == "org.founded":
            rec |= {"org": org, "founders": draw(st.lists(st.sampled_from(people), unique=True))}
        elif kind == "unit.created":
            unit = f"fz-unit-{len(units)}"
            rec |= {"unit": unit, "org": org, "name": draw(NAME)}
            if draw(st.booleans()):
                rec["kind"] = draw(st.sampled_from(["team", "division", "lab_x"]))
            if unit_of and draw(st.booleans()):
                rec["parent"] = draw(st.sampled_from(unit_of))
            units.append((unit, org))
        elif kind == "unit.renamed":
            unit, uorg = draw(st.sampled_from(units))
            rec |= {"unit": unit, "org": uorg, "name": draw(NAME)}
        elif kind in ("person.joined", "role.assigned", "role.ended", "role.confirmed"):
            rec |= {"person": person, "org": org}
            if unit_of and draw(st.booleans()):
                rec["unit"] = draw(st.sampled_from(unit_of))
            if kind != "person.joined" and (kind != "role.confirmed" or draw(st.booleans())):
                rec["role"] = draw(ROLE)
            if kind in ("person.joined", "role.assigned") and draw(st.booleans()):
                rec["title"] = draw(TEXT)
        elif kind == "person.left":
            rec |= {"person": person, "org": org}
            if draw(st.booleans()):
                rec["reason"] = draw(REASON)
            if "reason" not in rec or draw(st.booleans()):
                rec["accounts"] = [
                    {"by": draw(st.sampled_from(people + orgs)), "says": draw(TEXT),
                     "source": draw(st.sampled_from(srcs)), "reason": draw(REASON),
                     **({"date": draw(DATE)} if draw(st.booleans()) else {}),
                     **({"value": draw(NUMBER)} if draw(st.booleans()) else {})}
                    for _ in range(draw(st.integers(1, 2)))]
        elif kind == "statement.made":
            rec |= {"person": person, "channel": draw(TEXT), "summary": draw(TEXT)}
            if draw(st.booleans()):
                rec["org"] = org
        elif kind == "metric.reported":
            rec |= {"subject": draw(st.sampled_from(orgs + people)),
                    "metric": draw(st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)),
                    "value": draw(NUMBER), "unit": draw(TEXT)}
            if draw(st.booleans()):
                rec["qualifier"] = draw(st.sampled_from(["about", "over", "up_to"]))
            if draw(st.booleans()):
                rec["period"] = draw(DATE)
        elif kind == "meeting.held":
            rec |= {"org": org, "speakers": draw(st.lists(st.sampled_from(people), unique=True)),
                    "topics": draw(st.lists(TEXT, max_size=3))}
            if draw(st.booleans()):
                rec["media"] = [{"kind": "recording", "url": "https://example.com/v",
                                 "length_minutes": draw(st.floats(0.5, 99_999))}]
        elif kind == "product.announced":
            product = f"fz-prod-{len(products)}"
            rec |= {"product": product, "org": org, "stage": draw(TEXT)}
            if draw(st.booleans()):
                rec["name"] = draw(NAME)
            products.append((product, org))
        elif kind == "reorg.announced":
            unit = f"fz-unit-{len(units)}"
            units.append((unit, org))
            rec |= {"org": org, "summary": draw(TEXT), "changes": [
                {"type": "unit.created", "unit": unit, "name": draw(NAME)},
                {"type": "person.joined", "person": person, "unit": unit},
                {"type": "role.assigned", "person": person, "unit": unit, "role": draw(ROLE)},
            ]}
            if draw(st.booleans()):
                rec["effective"] = draw(DATE)
        elif kind == "entity.aliased":
            events.append({"type": kind, "entity": draw(st.sampled_from(people + orgs)),
                           "aliases": draw(st.lists(NAME, min_size=1, max_size=2))})
            continue
        else:  # event.corrected, of BASE's founding
            change = draw(st.sampled_from(["note", "evidence", "date"]))
            value = {"note": draw(TEXT), "evidence": draw(EVIDENCE), "date": draw(DATE)}[change]
            events.append({"type": kind, "target": "acme-founded", "changes": {change: value},
                           "why": draw(TEXT), "sources": [draw(st.sampled_from(srcs))]})
            continue
        events.append(envelope(rec))
    return {"sources": sources, "entities": entities, "events": events}


# --- valid timelines ------------------------------------------------------------------------


@settings(FUZZ, max_examples=30 * SCALE)
@given(timeline=timelines(), fmt=st.sampled_from(FORMATS), ascii_only=st.booleans())
def test_valid_timelines_load_whole_and_once(harness: Harness, timeline: Timeline, fmt: str,
                                             ascii_only: bool) -> None:
    content = serialise(timeline, fmt, ascii_only=ascii_only)
    result = harness.load(f"valid.{fmt}", content, test="valid")
    assert result.exit_code == 0, result.stderr
    new, present, total = map(int, re.findall(
        r": (\d+) new, (\d+) already present \(the log holds (\d+) events\)", result.stdout)[0])
    assert new + present == records(timeline)
    assert total == harness.count() == BASE_EVENTS + new
    with FactBase.open(str(harness.db)) as fb:
        report = fb.verify(projections=True)
    assert report.ok, report.problems
    again = CliRunner().invoke(cli, ["--db", str(harness.db), "load",
                                     str(harness.folder / f"valid.{fmt}")])
    RUNS["valid"] += 1
    assert again.exit_code == 0, again.output
    assert f": 0 new, {records(timeline)} already present" in again.stdout


# --- one thing wrong ------------------------------------------------------------------------

#: Values that are wrong almost anywhere (or right in surprising places).
NASTY_VALUES: list[Any] = [
    None, True, False, 0, -1, 1.5, 2**63 - 1, 2**63, -(2**63) - 1, 10**400, 1e308, math.inf,
    -math.inf, math.nan, "", " ", "\t", "\x00", "a\x00b", "‮rtl", "x" * 10_000, [], {}, [None],
    {"a": {"b": {"c": []}}}, ["article-1"], "../..", "Jane Doe", "ACME", "acme", "jane-doe",
    "article-1", "resigned", "2026-02-30", "9999-12-31", 2026, 0.0, -0.0, [[[[[[]]]]]],
]


@st.composite
def one_wrong(draw: st.DrawFn) -> tuple[Timeline, str]:
    """A valid timeline with exactly one thing changed in one record, and a label."""
    timeline = draw(timelines())
    section = draw(st.sampled_from([k for k, v in timeline.items() if v]))
    rec = draw(st.sampled_from(timeline[section]))
    what = draw(st.sampled_from(["value", "drop", "extra", "date", "at", "type", "nested"]))
    keys = sorted(rec)
    if what == "value":
        key = draw(st.sampled_from(keys))
        rec[key] = draw(st.sampled_from(NASTY_VALUES))
    elif what == "drop":
        key = draw(st.sampled_from(keys))
        del rec[key]
    elif what == "extra":
        key = draw(st.sampled_from(["extra", "Type", "dates", "source", "id ", "", "sources2"]))
        rec[key] = draw(st.sampled_from(NASTY_VALUES))
    elif what == "date":
        key = draw(st.sampled_from(["date", "announced", "published", "effective", "period"]))
        rec[key] = draw(st.sampled_from(BAD_DATES + EDGE_DATES))
    elif what == "at":
        key = "at"
        rec[key] = draw(st.sampled_from(EDGE_INSTANTS))
    elif what == "type":
        key = "type"
        rec[key] = draw(st.sampled_from(["person.joined", "person.leftt", "source", "entity",
                                         "event.retracted", "PERSON.JOINED", "", "org"]))
    else:
        key = draw(st.sampled_from(keys))
        value: Any = rec[key]
        for _ in range(draw(st.sampled_from([2, 49, 50, 51, 60]))):
            value = [value]
        rec[key] = value
    return timeline, f"{section}:{what}:{key}"


@settings(FUZZ, max_examples=120 * SCALE)
@given(case=one_wrong(), fmt=st.sampled_from(FORMATS))
def test_one_wrong_field_loads_or_is_refused_cleanly(harness: Harness,
                                                     case: tuple[Timeline, str],
                                                     fmt: str) -> None:
    timeline, _label = case
    harness.load(f"wrong.{fmt}", serialise(timeline, fmt), test="one wrong")


# --- garbage --------------------------------------------------------------------------------

#: Bytes that confuse parsers when spliced in.
SPLICES = [b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\t", b"\r", b"\n", b"[", b"{", b"]",
           b"}", b'"', b"'", b"\\", b"&a ", b"*a", b"!!binary ", b"<<: ", b"- ", b": ", b"---\n",
           b"\xef\xbb\xbf", b"1e400", b"9" * 30, b"NaN", b"-Infinity", b"\\ud800", b"#",
           b"%YAML 1.1\n", b"? ", b"|", b">", b"@", b"`", b"\x1b[31m", b"\xe2\x80\xae"]


@st.composite
def mangled(draw: st.DrawFn) -> tuple[bytes, str]:
    """A valid file's bytes, cut, spliced and flipped a few times."""
    fmt = draw(st.sampled_from(FORMATS))
    data = bytearray(serialise(draw(timelines()), fmt))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["splice", "delete", "flip", "truncate", "repeat"]))
        if op == "splice":
            data[at:at] = draw(st.sampled_from(SPLICES) | st.binary(min_size=1, max_size=4))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 8))]
        elif op == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del data[at:]
        elif op == "repeat":
            data[at:at] = data[max(0, at - 40):at] * draw(st.integers(1, 3))
    return bytes(data), fmt


@settings(FUZZ, max_examples=180 * SCALE)
@given(case=mangled(), how=st.sampled_from(["file", "file", "noext", "stdin"]))
def test_mangled_files_load_or_are_refused_cleanly(harness: Harness, case: tuple[bytes, str],
                                                   how: str) -> None:
    data, fmt = case
    name = "mangled" if how == "noext" else f"mangled.{fmt}"
    harness.load(name, data, how=how, test="mangled")


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT
    | st.sampled_from(["person.joined", "source", "entity", "2026-02-10", "article-1", "acme"]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["type", "id", "date", "sources", "org", "person",
                                       "events", "changes", "name", "kind", "value"]) | TEXT,
                      inner, max_size=5),
    max_leaves=20)


@settings(FUZZ, max_examples=120 * SCALE)
@given(value=JSONISH, fmt=st.sampled_from(FORMATS), wrap=st.booleans())
def test_random_values_load_or_are_refused_cleanly(harness: Harness, value: Any, fmt: str,
                                                   wrap: bool) -> None:
    doc: Any = {"events": [value]} if wrap else value
    if fmt == "yaml":
        content = yaml.safe_dump(doc, allow_unicode=True).encode("utf-8")
    elif fmt == "json":
        content = json.dumps(doc).encode("utf-8")
    else:
        content = (json.dumps(value) + "\n").encode("utf-8")
    harness.load(f"values.{fmt}", content, test="random values")


@settings(FUZZ, max_examples=120 * SCALE)
@given(data=st.binary(max_size=300), fmt=st.sampled_from([*FORMATS, "noext"]))
def test_random_bytes_are_refused_cleanly(harness: Harness, data: bytes, fmt: str) -> None:
    name = "bytes" if fmt == "noext" else f"bytes.{fmt}"
    harness.load(name, data, test="random bytes")


# --- hand-made horrors ----------------------------------------------------------------------

DEEP = 10_000
MB = 1_000_000


def _event(**fields: Any) -> dict[str, Any]:
    return {"type": "person.joined", "date": "2026-02-01", "sources": ["article-1"],
            "person": "jane-doe", "org": "acme", **fields}


def _correction(changes: str) -> str:
    """A YAML event.corrected of BASE's founding whose ``changes`` is the YAML text given."""
    return ("events:\n  - type: event.corrected\n    target: acme-founded\n    why: fuzz\n"
            f"    sources: [article-1]\n    changes: {changes}\n")


def _billion_laughs() -> str:
    """Ten anchors, each a list of nine aliases of the one before: 10**9 "lol"s expanded."""
    anchors = ["&x0 [" + ", ".join(['"lol"'] * 9) + "]"]
    anchors += [f"&x{i} [" + ", ".join([f"*x{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return _correction("{note: [" + ", ".join(anchors) + "]}")


def _nest(value: Any, levels: int) -> Any:
    for _ in range(levels):
        value = [value]
    return value


EDGE_EVENTS = ("0001-01-01", "9999-12-31", "2024-02-29", "0001-01-01~", "9999-12-31~",
               "9999-12~", "0001~", "9999~", "../9999-12-31", "0001-01-01/..",
               "0001-01-01/9999-12-31")


def _merge_bomb() -> str:
    body = "      k0: &m0 {a: 1, b: 2}\n"
    body += "".join(f"      k{i}: &m{i} {{<<: [" + ", ".join([f"*m{i - 1}"] * 9) + "]}\n"
                    for i in range(1, 10))
    return ("events:\n  - type: event.corrected\n    target: acme-founded\n    why: fuzz\n"
            "    sources: [article-1]\n    changes:\n" + body)


#: name -> (file name, content builder, expected exit code or None for "either").
HORRORS: dict[str, tuple[str, Callable[[], bytes], int | None]] = {
    "deep-json-document": ("deep.json", lambda: b"[" * DEEP + b"]" * DEEP, 1),
    "deep-json-record": ("deep.json", lambda: json.dumps({"events": [_event(title="X")]})
                         .replace('"X"', "[" * DEEP + "]" * DEEP).encode(), 1),
    "deep-jsonl-line-3": ("deep.jsonl", lambda: (
        json.dumps({"type": "source", "id": "s2"}) + "\n\n"
        + '{"type": "entity", "id": "x", "note": ' + "{\"a\":" * DEEP + "1" + "}" * DEEP
        + "}\n").encode(), 1),
    "deep-sniffed-first-line": ("deep", lambda: b'{"type": ' + b"[" * DEEP + b"]" * DEEP
                                + b"}\n", 1),
    "deep-yaml-flow": ("deep.yaml", lambda: b"events:\n  - " + b"[" * DEEP + b"]" * DEEP, 1),
    "deep-yaml-block": ("deep.yaml", lambda: ("events:\n" + "".join(
        " " * i + "- " + "\n" for i in range(0, 2 * 400, 2)) + " " * 800 + "- x\n").encode(),
        1),
    "deep-json-51-levels": ("d51.json", lambda: json.dumps(
        {"events": [_event(title=_nest("x", 50))]}).encode(), 1),
    "string-1mb-note": ("big.json", lambda: json.dumps(
        {"events": [_event(note="ü" * MB)]}).encode(), 0),
    "string-1mb-name": ("big.yaml", lambda: yaml.safe_dump(
        {"entities": [{"id": "big", "kind": "person", "name": "吳" * MB}]},
        allow_unicode=True).encode(), 1),
    "string-1mb-plus-one-summary": ("big.jsonl", lambda: (json.dumps(
        {"type": "statement.made", "date": "2026", "sources": ["article-1"],
         "person": "jane-doe", "channel": "x", "summary": "s" * (MB + 1)}) + "\n").encode(), 1),
    "string-1mb-type": ("big.json", lambda: json.dumps(
        {"events": [{"type": "t" * MB}]}).encode(), 1),
    "float-1e400-json": ("inf.json", lambda: json.dumps({"events": [_event(title=1)]})
                         .replace("1}", "1e400}").encode(), 1),
    "float-1e400-correction": ("inf.json", lambda: b'{"events": [{"type": "event.corrected", '
                               b'"target": "acme-founded", "why": "x", "sources": '
                               b'["article-1"], "changes": {"founders": 1e400}}]}', 1),
    "float-nan-infinity-json": ("nan.jsonl", lambda: b'{"type": "metric.reported", "date": '
                                b'"2026", "sources": ["article-1"], "subject": "acme", '
                                b'"metric": "gpus", "unit": "GPU", "value": NaN}\n', 1),
    "float-inf-yaml-account": ("inf.yaml", lambda: (
        b"events:\n  - {type: person.left, date: '2026', sources: [article-1], person: jane-doe,"
        b" org: acme, accounts: [{by: jane-doe, says: x, source: article-1, value: -.inf}]}\n"
    ), 1),
    "int-10-400-metric": ("big.json", lambda: (
        '{"events": [{"type": "metric.reported", "date": "2026", "sources": ["article-1"], '
        '"subject": "acme", "metric": "gpus", "unit": "GPU", "value": 1' + "0" * 400 + "}]}"
    ).encode(), 1),
    "int-10-5000-json": ("big.json", lambda: ('{"events": [' + json.dumps(_event(title=1))
                                              .replace("1}", "1" + "0" * 5000 + "}") + "]}")
                         .encode(), 1),
    "int-10-5000-yaml": ("big.yaml", lambda: ("events:\n  - {type: person.joined, title: 1"
                                              + "0" * 5000 + "}\n").encode(), 1),
    "int-hex-yaml": ("hex.yaml", lambda: ("events:\n  - {type: person.joined, date: 0x"
                                          + "f" * 5000 + "}\n").encode(), 1),
    "duplicate-key-json-nested": ("dup.json", lambda: b'{"events": [{"type": "event.corrected",'
                                  b' "target": "acme-founded", "why": "x", "sources": '
                                  b'["article-1"], "changes": {"note": "a", "note": "b"}}]}', 1),
    "duplicate-key-yaml-top": ("dup.yaml", lambda: (
        "events:\n  - " + json.dumps(_event(id="a")) + "\nevents:\n  - "
        + json.dumps(_event(id="b")) + "\n").encode(), 1),
    "duplicate-key-yaml-bool": ("dup.yaml", lambda: b"events:\n  - {type: x, yes: 1, true: 2}\n",
                                1),
    "yaml-billion-laughs": ("bomb.yaml", lambda: _billion_laughs().encode(), 1),
    "yaml-merge-bomb": ("bomb.yaml", lambda: _merge_bomb().encode(), 1),
    "yaml-recursive-alias": ("rec.yaml", lambda: _correction("&c {note: [*c]}").encode(), 1),
    "yaml-alias-reuse-is-fine": ("reuse.yaml", lambda: (
        "events:\n" + "".join(f"  - {{type: person.joined, date: '2026-02-{d:02d}', sources: "
                              f"{'&s [article-1]' if d == 1 else '*s'}, person: jane-doe, "
                              "org: acme}\n" for d in range(1, 29))).encode(), 0),
    "yaml-tabs": ("tabs.yaml", lambda: b"events:\n\t- type: person.joined\n", 1),
    "yaml-nul-byte": ("nul.yaml", lambda: b"events:\n  - {type: person.joined\x00}\n", 1),
    "yaml-escaped-nul-is-text": ("nul.yaml", lambda: (
        "events:\n  - " + json.dumps(_event(title="a\x00b")) + "\n").encode(), 0),
    "yaml-bell": ("bell.yaml", lambda: b"# \x07\nevents: []\n", 1),
    "yaml-binary-tag": ("tag.yaml", lambda: _correction("{note: !!binary aGVsbG8=}").encode(),
                        1),
    "yaml-set-tag": ("tag.yaml", lambda: _correction("{note: !!set {a, b}}").encode(), 1),
    "yaml-python-tag": ("tag.yaml", lambda: _correction(
        "{note: !!python/object/apply:os.system [echo pwned]}").encode(), 1),
    "yaml-timestamp-tag": ("tag.yaml", lambda: _correction("{note: !!timestamp 2026-01-01}")
                           .encode(), 1),
    "yaml-bad-timestamp-tag": ("tag.yaml", lambda: _correction("{note: !!timestamp 2026-13-45}")
                               .encode(), 1),
    "yaml-int-and-null-keys": ("keys.yaml", lambda: _correction("{note: {1: a, ~: b}}").encode(),
                               1),
    "yaml-two-documents": ("docs.yaml", lambda: b"events: []\n---\nevents: []\n", 1),
    "nul-bytes-json": ("nul.json", lambda: b'{"events": [\x00]}', 1),
    "nul-bytes-jsonl": ("nul.jsonl", lambda: b"\x00\x00\x00\n", 1),
    "utf8-invalid-json": ("bad.json", lambda: b'{"events": [{"type": "\xff\xfe"}]}', 1),
    "utf8-invalid-yaml-late": ("bad.yaml", lambda: b"events: []\n# \xc3\x28\n", 1),
    "utf8-overlong-jsonl": ("bad.jsonl", lambda: b'{"type": "\xc0\xaf"}\n', 1),
    "utf8-surrogate-bytes": ("bad.yaml", lambda: b"events: [\xed\xa0\x80]\n", 1),
    "utf16-file": ("u16.json", lambda: json.dumps({"events": []}).encode("utf-16"), 1),
    "lone-surrogate-escape": ("sur.json", lambda: b'{"events": [{"type": "person.joined", '
                              b'"date": "2026", "sources": ["article-1"], "person": "jane-doe",'
                              b' "org": "acme", "title": "\\udc00"}]}', 1),
    "instant-past-9999": ("at.yaml", lambda: (
        "events:\n  - " + json.dumps(_event(date="9999-12-31", at="9999-12-31T23:59:59-12:00"))
        + "\n").encode(), 1),
    "instant-before-0001": ("at.yaml", lambda: (
        "events:\n  - " + json.dumps(_event(date="0001-01-01", at="0001-01-01T00:00:00+14:00"))
        + "\n").encode(), 1),
    "calendar-edges-load": ("edges.jsonl", lambda: "".join(
        json.dumps(_event(date=d)) + "\n" for d in EDGE_EVENTS).encode(), 0),
    "only-a-bom": ("bom.yaml", lambda: b"\xef\xbb\xbf", 1),
    "crlf-yaml": ("crlf.yaml", lambda: BASE.replace("\n", "\r\n").encode(), 0),
}


@pytest.mark.parametrize("case", sorted(HORRORS))
def test_horror(harness: Harness, case: str) -> None:
    name, build, expected = HORRORS[case]
    result = harness.load(name, build(), test="horrors")
    if expected is not None:
        assert result.exit_code == expected, result.output[:2000]


# --- the corpus -----------------------------------------------------------------------------


def _manifest() -> dict[str, dict[str, Any]]:
    return dict(json.loads(MANIFEST.read_text(encoding="utf-8")))


def test_every_corpus_file_is_described() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.name != MANIFEST.name}
    assert files == set(_manifest())


@pytest.mark.parametrize("name", sorted(_manifest()))
def test_corpus_case(harness: Harness, name: str) -> None:
    """Each file of the corpus: the contract, and the exit code and message it once broke."""
    case = _manifest()[name]
    result = harness.load(name, (CORPUS / name).read_bytes(), test="corpus")
    assert result.exit_code == case["exit"], result.output[:2000]
    if "error" in case:
        assert case["error"] in result.stderr, result.stderr[:2000]
