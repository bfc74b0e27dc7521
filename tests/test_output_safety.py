"""Every output format renders hostile names and texts inert and whole.

A timeline whose every name, alias, unit name, title, note, statement, account, source title
and source URL is one hostile string (HTML, Markdown syntax, spreadsheet formulas, ``javascript:``
URLs, bidi controls, C0/C1 controls and ANSI escapes, a 100,000-character note) is loaded, then
rendered in every format of every command. Each (format, input) case checks, by the format's
own grammar, that nothing from the input became markup, a link other than http(s), a formula,
a terminal control or an extra line, and that the input is still shown whole (or, where a
format elides, visibly elided). The same timeline with a plain name is the baseline the
structure is compared with.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from markdown_it import MarkdownIt

from factbase.api import FactBase
from factbase.cli import cli
from factbase.core.escape import CSV_FORMULA_PREFIXES, visible_controls

#: The hostile inputs: each is put into every text field of one timeline.
HOSTILE: dict[str, str] = {
    "html-script": "<script>alert(1)</script>",
    "html-attr": '"><img src=x onerror=alert(1)>',
    "md-table": "a | b\nc || d\r\ne",
    "md-backticks": "``code`` `x` ```fence",
    "md-link": "[x](javascript:alert(1)) ![i](data:x) <javascript:alert(3)> *em* _u_ &amp;",
    "formula-eq": '=HYPERLINK("http://evil.example","x")',
    "formula-plus": "+1+2",
    "formula-minus": "-2+3",
    "formula-at": "@SUM(A1:A2)",
    "formula-tab": "\t=1+2",
    "formula-cr": "\r=1+2",
    "url-javascript": "javascript:alert(1)",
    "url-data": "data:text/html,<script>alert(1)</script>",
    "url-vbscript": "vbscript:msgbox(1)",
    "bidi": "abc\u202edcba \u2066x\u2069 \u202ay\u202c \u202bz\u202d \u2067w\u2068v\u2069",
    "c0-c1-controls": "nul\x00 bel\x07 bs\x08 vt\x0b ff\x0c so\x0e del\x7f nel\x85 csi\x9b",
    "ansi-escape": "\x1b[2J\x1b[31mred\x1b[0m \x1b]0;title\x07",
    "zero-width": "Tony\u200bWu \u2060x\ufeffy \u3164 \u180e=z",
    "long-note": "n" * 100_000,
}
#: The baseline: the same timeline with plain text everywhere.
PLAIN = "Plain text"
AS_OF = "2026-02-28"
SQL = ("SELECT s.title, s.url, s.note, e.name, e.entity_id, -5 AS neg, 2.5 AS half "
       "FROM sources s, entities e ORDER BY s.source_id, e.entity_id")

#: Every output format: a name -> the command line that writes it.
FORMATS: dict[str, list[str]] = {
    **{f"org-{f}": ["org", "acme", "--as-of", AS_OF, "--format", f]
       for f in ("text", "json", "mermaid", "dot")},
    **{f"timeline-{f}": ["timeline", "--history", "--format", f] for f in ("text", "json")},
    **{f"who-{f}": ["who", "p2", "--as-of", AS_OF, "--format", f] for f in ("text", "json")},
    **{f"diff-{f}": ["diff", "acme", "2026-01-01", AS_OF, "--format", f]
       for f in ("text", "json", "md")},
    **{f"report-{f}": ["report", "acme", "--as-of", AS_OF, "--since", "2026-01-01",
                       "--format", f] for f in ("md", "json", "html")},
    **{f"export-{f}": ["export", "--format", f] for f in ("jsonl", "yaml", "timelinejs")},
    **{f"export-csv-{t}": ["export", "--format", "csv", "--table", t]
       for t in ("events", "memberships")},
    **{f"sql-{f}": ["sql", SQL, "--format", f] for f in ("table", "csv", "json")},
    **{f"search-{f}": ["search", "alias", "--as-of", AS_OF, "--format", f]
       for f in ("text", "json")},
}
TEXT = {"org-text", "timeline-text", "who-text", "diff-text", "sql-table", "search-text"}
JSON = {"org-json", "timeline-json", "who-json", "diff-json", "report-json", "sql-json",
        "search-json"}
MARKDOWN = {"diff-md", "report-md"}
CSV = {"export-csv-events", "export-csv-memberships", "sql-csv"}
#: Formats that cut a long value to fit (a table column, a search snippet), with a visible ….
ELIDING = {"sql-table", "search-text"}


def timeline(h: str) -> dict[str, Any]:
    """A timeline with ``h`` in every text field: names and aliases (cut to 300 characters,
    as names are limited), unit names, titles, notes, statements, accounts, a correction's
    reason, a metric's unit, a meeting's topic, source titles, publishers and URLs. One
    source has a plain https URL, so links are rendered too."""
    s = h if len(h) <= 300 else h[:300]
    return {
        "sources": [
            {"id": "src-h", "url": h, "title": h, "publisher": h, "published": "2026-02-10",
             "note": h},
            {"id": "src-ok", "url": "https://example.com/ok?a=1&b=2", "title": h,
             "published": "2026-02-11"},
        ],
        "entities": [
            {"id": "acme", "kind": "organization", "name": s, "aliases": ["alias " + s],
             "note": h},
            {"id": "p1", "kind": "person", "name": s + " one", "aliases": ["alias " + s + " 1"]},
            {"id": "p2", "kind": "person", "name": s + " two", "note": h},
        ],
        "events": [
            {"id": "founded", "type": "org.founded", "date": "2026-01-05", "sources": ["src-h"],
             "note": h, "org": "acme", "founders": ["p1", "p2"]},
            {"id": "unit", "type": "unit.created", "date": "2026-01-06", "sources": ["src-ok"],
             "unit": "u1", "org": "acme", "name": s, "kind": "division"},
            {"id": "joined", "type": "person.joined", "date": "2026-01-10",
             "sources": ["src-ok"], "person": "p2", "org": "acme", "unit": "u1", "title": s},
            {"id": "lead", "type": "role.assigned", "date": "2026-01-10", "sources": ["src-h"],
             "person": "p1", "org": "acme", "unit": "u1", "role": "lead", "title": s},
            {"id": "core", "type": "role.assigned", "date": "2026-01-11", "sources": ["src-ok"],
             "person": "p2", "org": "acme", "unit": "u1", "role": "core_member", "title": s},
            {"id": "said", "type": "statement.made", "date": "2026-02-01", "sources": ["src-h"],
             "person": "p1", "org": "acme", "channel": h, "summary": h, "url": h},
            {"id": "renamed", "type": "unit.renamed", "date": "2026-02-03",
             "sources": ["src-ok"], "unit": "u1", "org": "acme",
             "name": s + " renamed"},
            {"id": "left", "type": "person.left", "date": "2026-02-05", "sources": ["src-h"],
             "note": h, "person": "p2", "org": "acme", "reason": "unknown", "accounts": [
                 {"by": "p2", "says": h, "reason": "resigned", "source": "src-h"},
                 {"by": "p1", "says": h, "reason": "parted_ways", "source": "src-ok"}]},
            {"id": "metric", "type": "metric.reported", "date": "2026-02-06",
             "sources": ["src-ok"], "subject": "acme", "metric": "users", "value": -5,
             "unit": h},
            {"id": "meeting", "type": "meeting.held", "date": "2026-02-07",
             "sources": ["src-ok"], "org": "acme", "speakers": ["p1"], "topics": [h]},
            {"id": "maybe", "type": "statement.made", "date": "2026-02", "sources": ["src-h"],
             "person": "p2", "org": "acme", "channel": s, "summary": h},
            {"id": "fix", "type": "event.corrected", "sources": ["src-ok"], "target": "said",
             "changes": {"channel": s + " corrected"}, "why": h},
        ],
    }


def stored(text: str) -> str:
    """What the log keeps of ``text``: the loader strips surrounding whitespace."""
    return text.strip()


def name_of(h: str) -> str:
    """The name form of an input (names are limited to 500 characters)."""
    return stored(h)[:300]


# --- loading and rendering, once per input ----------------------------------------------------

_cache: dict[str, dict[str, str]] = {}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], dict[str, str]]:
    """``outputs(input name)``: every format's output for the timeline of that input."""
    def get(key: str) -> dict[str, str]:
        if key not in _cache:
            h = PLAIN if key == "plain" else HOSTILE[key]
            folder = tmp_path_factory.mktemp(key)
            src = folder / "t.json"
            src.write_text(json.dumps(timeline(h)), encoding="utf-8")
            db = str(folder / "t.db")
            with FactBase.open(db, create=True) as fb:
                fb.load([str(src)])
            runner = CliRunner()
            got = {}
            for fmt, args in FORMATS.items():
                result = runner.invoke(cli, ["--db", db, *args], catch_exceptions=False)
                assert result.exit_code == 0, (key, fmt, result.output)
                got[fmt] = result.stdout_bytes.decode("utf-8")
            _cache[key] = got
        return _cache[key]
    return get


# --- what each grammar allows -------------------------------------------------------------------

#: Characters no output may carry raw: C0 controls but line feed (and tab, which is plain
#: whitespace outside a terminal's columns; CR only inside a quoted CSV cell), DEL, C1
#: controls (U+009B is an 8-bit ANSI escape), the bidi embedding/override/isolate controls.
_RAW_CONTROL_TEXT = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_RAW_CONTROL_CSV = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINK_ATTRS = {"href", "src", "xlink:href", "action", "formaction", "background", "poster"}


def norm(text: str) -> str:
    """Text as a reader sees it: controls made visible, any run of whitespace one space."""
    return " ".join(visible_controls(text).split())


def shows(out: str, h: str) -> bool:
    return norm(h) in norm(out)


class Html(HTMLParser):
    """Elements, attribute names, link targets and text of an HTML document."""

    def __init__(self, doc: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: set[str] = set()
        self.links: list[str] = []
        self.text: list[str] = []
        self.feed(doc)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "br":
            self.text.append("\n")
        for k, v in attrs:
            self.attrs.add(k)
            if k in _LINK_ATTRS:
                self.links.append(v or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_html(doc: str, baseline: str) -> str:
    """No element or attribute the baseline lacks, links only http(s) or in-page; returns
    the text a reader sees."""
    page, base = Html(doc), Html(baseline)
    # <br> is factbase's own markup for a line break inside a text.
    assert set(page.tags) <= set(base.tags) | {"br"}, set(page.tags) - set(base.tags)
    assert page.attrs <= base.attrs, page.attrs - base.attrs
    assert not any(a.startswith("on") for a in page.attrs)
    for link in page.links:
        assert link.startswith("#") or re.match(r"https?://[^\s]+$", link), link
    return "".join(page.text)


def markdown_html(text: str) -> str:
    """Markdown as a GitHub-like renderer shows it (tables, strikethrough, raw HTML passed
    through), with every link target allowed, so an unescaped ``javascript:`` link shows."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md.render(text)


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


_MERMAID_LABEL = re.compile(r'"([^"]*)"')
_MERMAID_TEXT = re.compile(r"(?:[^\"<>&`#]|#\w+;|<br/>)*")
_MERMAID_CODES = {"35": "#", "quot": '"', "lt": "<", "gt": ">", "amp": "&", "96": "`"}
_DOT_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def check_csv(out: str, baseline: str, s: str, numeric: set[str]) -> None:
    csv.field_size_limit(1 << 24)  # the reader's default (128 KiB) is below a long note
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    base = list(csv.reader(io.StringIO(baseline.removeprefix("\ufeff"))))
    assert len(rows) == len(base) and rows[0] == base[0]
    header, cells = rows[0], []
    for row in rows[1:]:
        assert len(row) == len(header)
        for col, cell in zip(header, row, strict=True):
            if col in numeric:
                assert re.fullmatch(r"-?\d+(\.\d+)?", cell), (col, cell)  # numbers stay numbers
            else:
                assert not cell.startswith(CSV_FORMULA_PREFIXES), (col, cell)
                cells.append(cell.removeprefix("'"))
    assert any(norm(s) in norm(c) for c in cells)


# --- the matrix -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(HOSTILE))
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_renders_hostile_input_inert_and_whole(
        fmt: str, key: str, outputs: Callable[[str], dict[str, str]]) -> None:
    out, baseline = outputs(key)[fmt], outputs("plain")[fmt]
    h = HOSTILE[key]
    s = name_of(h)
    bad = _RAW_CONTROL_CSV if fmt in CSV else _RAW_CONTROL_TEXT if fmt in TEXT else _RAW_CONTROL
    assert not bad.search(out), repr(bad.search(out))
    if fmt in TEXT:
        assert len(out.splitlines()) == len(baseline.splitlines())  # a name is never a line
        assert shows(out, s) or (fmt in ELIDING and "…" in out)
    elif fmt in JSON:
        found = set(strings(json.loads(out)))
        assert s in found if fmt != "search-json" else any(s in x for x in found)
    elif fmt == "export-jsonl":
        found = {x for line in out.splitlines() for x in strings(json.loads(line))}
        assert stored(h) in found and s in found
    elif fmt == "export-yaml":
        assert stored(h) in set(strings(yaml.safe_load(out)))
    elif fmt in MARKDOWN:
        assert len(out.splitlines()) == len(baseline.splitlines())
        page, base = markdown_html(out), markdown_html(baseline)
        assert shows(check_html(page, base), s)
        for tag in ("<li>", "<tr>", "<td>", "<h1>", "<h2>", "<h3>", "<p>"):
            assert page.count(tag) == base.count(tag), tag  # a row stays a row
    elif fmt == "report-html":
        assert shows(check_html(out, baseline), s)
    elif fmt == "export-timelinejs":  # JSON whose texts TimelineJS shows as HTML
        doc, base = json.loads(out), json.loads(baseline)
        shown = []
        for slide, plain in zip(doc["events"], base["events"], strict=True):
            for field in ("headline", "text"):
                shown.append(check_html(slide["text"][field], plain["text"][field]))
            shown.append(check_html(slide["group"], plain["group"]))
        assert shows("\n".join(shown), s)
    elif fmt in CSV:
        check_csv(out, baseline, s, {"seq", "neg", "half"})
    elif fmt == "org-mermaid":
        skeleton = _MERMAID_LABEL.sub('"L"', out)
        assert skeleton == _MERMAID_LABEL.sub('"L"', baseline)
        labels = _MERMAID_LABEL.findall(out)
        assert all(_MERMAID_TEXT.fullmatch(x) for x in labels)
        shown = re.sub(r"#(\w+);", lambda m: _MERMAID_CODES.get(m.group(1), m.group()),
                       "\n".join(labels).replace("<br/>", "\n"))
        assert shows(shown, s)
    elif fmt == "org-dot":
        assert _DOT_STRING.sub('"Q"', out) == _DOT_STRING.sub('"Q"', baseline)
        shown = "\n".join(re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), x)
                          for x in _DOT_STRING.findall(out))
        assert shows(shown, s)
    else:  # pragma: no cover
        raise AssertionError(f"no check for {fmt}")


@pytest.mark.parametrize("key", list(HOSTILE))
def test_the_dot_output_renders_with_graphviz(
        key: str, outputs: Callable[[str], dict[str, str]]) -> None:
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz (dot) is not installed")

    def svg(text: str) -> str:
        proc = subprocess.run([dot, "-Tsvg"], input=text.encode("utf-8"), capture_output=True,
                              timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.decode("utf-8")

    shown = check_html(svg(outputs(key)["org-dot"]), svg(outputs("plain")["org-dot"]))
    assert shows(shown, name_of(HOSTILE[key]))
