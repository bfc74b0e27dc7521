"""`factbase org --format mermaid|dot`: the org chart as a diagram, every label escaped."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner

from factbase.api import FactBase
from factbase.cli import cli
from factbase.core.documents import org_document
from factbase.render import RENDERERS, formats, render
from factbase.render.diagram import dot_text, mermaid_text, render_dot, render_mermaid

SEED_MERMAID = """\
flowchart TD
  root["xAI<br/>as of 2026-03-01"]
  u1["Grok Main #amp; Voice<br/>[division]"]
  u2["Coding<br/>[division]<br/>lead: Manuel Kroiss — Lead of Coding<br/>core: Guodong Zhang"]
  u3["Imagine<br/>[division]<br/>lead: Guodong Zhang — Head of Imagine<br/>core: Haotian Liu"]
  u4["Macrohard<br/>[division]<br/>lead: Toby Pohlen — Lead of Macrohard"]
  u5["API #amp; Core Product Infrastructure<br/>[support team]"]
  u6["Expert Tutors #amp; Grokipedia<br/>[support team]"]
  u7["ML #amp; Data Infrastructure<br/>[support team]<br/>core: Lianmin Zheng, Yunlong Liu"]
  u8["Compute #amp; Network Infrastructure<br/>[support team]"]
  u9["Physical Infrastructure<br/>[support team]"]
  root --> u1
  root --> u2
  root --> u3
  root --> u4
  root --> u5
  root --> u6
  root --> u7
  root --> u8
  root --> u9
"""

SEED_DOT_HEAD = """\
digraph "xai" {
  graph [rankdir=TB, charset="UTF-8", fontname="Helvetica"];
  node [shape=box, style=rounded, fontname="Helvetica"];
  edge [arrowhead=none];
  "org:xai" [label="xAI\\nas of 2026-03-01", style=bold];
  "unit:xai-grok-main-voice" [label="Grok Main &amp; Voice\\n[division]"];
  "unit:xai-coding" [label="Coding\\n[division]\\nlead: Manuel Kroiss — Lead of Coding\\ncore: \
Guodong Zhang"];
"""

#: A name meant to break out of each syntax (quotes, brackets, markup, entity codes,
#: Graphviz escapes, a newline, a bidi override, a Mermaid comment and click directive).
EVIL = ('Evil"] --> x\n%% click root call alert(1) <img src=x onerror=alert(1)> #quot; `md` '
        '\\N \u202e')

ACME: list[dict[str, Any]] = [
    {"type": "source.registered", "source": "s1"},
    {"type": "entity.registered", "entity": "acme", "kind": "organization",
     "name": 'Acme "<Corp>"'},
    {"type": "entity.registered", "entity": "eve", "kind": "person", "name": EVIL},
    {"type": "entity.registered", "entity": "bob", "kind": "person", "name": "Bob"},
    {"type": "org.founded", "date": "2020-01-01", "org": "acme", "founders": ["bob"]},
    # Ids in the order the units are created on the same day (replay's tie-break).
    {"type": "unit.created", "id": "c1", "date": "2020-02-01", "org": "acme", "unit": "eng",
     "name": "Engineering", "kind": "division"},
    {"type": "unit.created", "id": "c2", "date": "2020-02-01", "org": "acme", "unit": "evil-team",
     "name": EVIL, "parent": "eng"},
    {"type": "unit.created", "id": "c3", "date": "2020-02-01", "org": "acme", "unit": "gone",
     "name": "Gone"},
    {"type": "unit.created", "id": "c4", "date": "2020-02-01", "org": "acme", "unit": "orphan",
     "name": "Orphan", "parent": "gone"},
    {"type": "unit.dissolved", "date": "2020-03-01", "org": "acme", "unit": "gone"},
    {"type": "role.assigned", "date": "2020-02-01", "person": "eve", "org": "acme",
     "unit": "evil-team", "role": "lead", "title": 'Head "of" <things>'},
    {"type": "role.assigned", "date": "2020-02-01", "person": "bob", "org": "acme",
     "unit": "evil-team", "role": "core_member"},
]


@pytest.fixture
def acme(fb: FactBase) -> dict[str, Any]:
    fb.add([{**r, "sources": ["s1"]} if "date" in r else r for r in ACME])
    return org_document(fb.org("acme", as_of=date(2021, 1, 1)), fb.names(), fb.sources())


def _seed_doc(fb: FactBase) -> dict[str, Any]:
    return org_document(fb.org("xai", as_of=date(2026, 3, 1)), fb.names(), fb.sources())


def test_the_renderers_are_registered() -> None:
    assert formats("org") == ["text", "json", "mermaid", "dot"]
    assert ("org", "mermaid") in RENDERERS and ("org", "dot") in RENDERERS


def test_mermaid_org_chart_of_the_seed(seeded: FactBase) -> None:
    assert render("org", "mermaid", _seed_doc(seeded)) == SEED_MERMAID


def test_dot_org_chart_of_the_seed(seeded: FactBase) -> None:
    out = render("org", "dot", _seed_doc(seeded))
    assert out.startswith(SEED_DOT_HEAD)
    assert out.endswith('  "org:xai" -> "unit:xai-physical-infra";\n}\n')
    assert out.count(" -> ") == 9


def test_cli_org_formats(seeded: FactBase, runner: CliRunner) -> None:
    db = ["--db", seeded.url]
    for fmt in ("mermaid", "dot"):
        result = runner.invoke(cli, [*db, "org", "xai", "--as-of", "2026-03-01", "--format",
                                     fmt], catch_exceptions=False)
        assert result.exit_code == 0
        assert result.stdout == render("org", fmt, _seed_doc(seeded))


def test_mermaid_escaping() -> None:
    assert mermaid_text('a"b<c>d&e#f`g') == "a#quot;b#lt;c#gt;d#amp;e#35;f#96;g"
    assert mermaid_text("one\ntwo") == "one<br/>two"
    assert mermaid_text("x\u202ey") == "x[U+202E]y"
    # A literal backslash-n is two characters, not a line break; quotes stay inside.
    assert mermaid_text('Grid\\nOps "x"') == "Grid#92;nOps #quot;x#quot;"
    assert mermaid_text("a\\\\b\u200b") == "a#92;#92;b[U+200B]"


def test_mermaid_labels_cannot_break_out(acme: dict[str, Any]) -> None:
    out = render_mermaid(acme)
    lines = out.splitlines()
    assert lines[0] == "flowchart TD"
    assert lines[1] == '  root["Acme #quot;#lt;Corp#gt;#quot;<br/>as of 2021-01-01"]'
    evil = ("Evil#quot;] --#gt; x<br/>%% click root call alert(1) #lt;img src=x "
            "onerror=alert(1)#gt; #35;quot; #96;md#96; #92;N [U+202E]")
    assert lines[2] == '  u1["Engineering<br/>[division]"]'
    assert lines[3] == f'  u2["{evil}<br/>[team]<br/>lead: {evil} — Head #quot;of#quot; ' \
                       f'#lt;things#gt;<br/>core: Bob"]'
    assert lines[4] == '  u3["Orphan<br/>[team]"]'
    # Edges: parent -> child; a unit whose parent is gone hangs from the root.
    assert lines[5:] == ["  root --> u1", "  u1 --> u2", "  root --> u3"]
    # Structure: one node or edge per line, each label one quoted string, no raw < or >
    # but factbase's own line breaks.
    for line in lines[1:5]:
        assert re.fullmatch(r'  (root|u\d+)\["[^"]*"\]', line), line
        assert "<" not in line.replace("<br/>", "") and ">" not in line.replace("<br/>", "")


def test_dot_escaping() -> None:
    assert dot_text('a"b\\c') == 'a\\"b\\\\c'
    assert dot_text("one\ntwo\r\nthree") == "one\\ntwo\\nthree"
    assert dot_text("x\u202e\x1by") == "x[U+202E][U+001B]y"


def test_dot_labels_cannot_break_out(acme: dict[str, Any]) -> None:
    out = render_dot(acme)
    evil = ('Evil\\"] --> x\\n%% click root call alert(1) <img src=x onerror=alert(1)> '
            '#quot; `md` \\\\N [U+202E]')
    assert f'  "unit:evil-team" [label="{evil}\\n[team]\\nlead: {evil} — Head \\"of\\" ' \
           f'<things>\\ncore: Bob"];' in out.splitlines()
    assert '  "unit:eng" -> "unit:evil-team";' in out
    assert '  "org:acme" -> "unit:orphan";' in out
    assert 'digraph "acme" {' in out


needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz not installed")


def _svg_text(dot_source: str) -> list[str]:
    svg = subprocess.run(["dot", "-Tsvg"], input=dot_source.encode("utf-8"),
                         capture_output=True, check=True).stdout
    root = ET.fromstring(svg)
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


@needs_dot
def test_graphviz_accepts_the_seed_chart(seeded: FactBase) -> None:
    texts = _svg_text(render("org", "dot", _seed_doc(seeded)))
    assert texts[:2] == ["xAI", "as of 2026-03-01"]
    assert "lead: Manuel Kroiss — Lead of Coding" in texts


@needs_dot
def test_graphviz_draws_the_evil_names_as_plain_text(acme: dict[str, Any]) -> None:
    texts = _svg_text(render_dot(acme))
    # Each label line is one text element, exactly as written (the newline split it in two).
    assert 'Evil"] --> x' in texts
    assert "%% click root call alert(1) <img src=x onerror=alert(1)> #quot; `md` \\N " \
           "[U+202E]" in texts
    assert 'lead: Evil"] --> x' in texts
    assert '%% click root call alert(1) <img src=x onerror=alert(1)> #quot; `md` \\N ' \
           '[U+202E] — Head "of" <things>' in texts
    assert 'Acme "<Corp>"' in texts
