"""The org chart as a diagram: a Mermaid flowchart and a Graphviz DOT graph.

Both render the ``factbase org`` document (:func:`factbase.core.documents.org_document`): the
organisation is the root; each active unit is a node labelled with its name, its kind, its
leads (with their titles) and its core members; edges run from parent to child, and units at
the top level (or whose parent is not an active unit on that date) hang from the root.

Labels are names and titles people typed, so each syntax gets its own escaping (and every
label has its invisible controls made visible, :func:`factbase.core.escape.visible_controls`):

* **Mermaid**: node ids are generated (``root``, ``u1``, ``u2``…), never taken from the data;
  labels are always quoted, and ``#``, ``"``, ``<``, ``>``, ``&``, backticks and backslashes
  in the text are written as Mermaid entity codes (``#35;``, ``#quot;``, ``#lt;``, ``#gt;``,
  ``#amp;``, ``#96;``, ``#92;``), so no raw ``<``/``>`` from the data reaches the diagram's
  HTML labels, no text can close a quote or start a Markdown string, and a literal ``\\n`` in
  a name stays two characters instead of breaking the label's line. The only markup is
  factbase's own line break ``<br/>``.
* **DOT**: ids and labels are double-quoted strings with ``"`` written ``\\"`` and ``\\``
  written ``\\\\`` (so a name cannot inject Graphviz escapes such as ``\\N``), and ``&`` written
  ``&amp;`` (Graphviz decodes HTML entities in every string, so a name holding ``&lt;`` would
  otherwise show as ``<``); line breaks in labels are ``\\n``.
"""

from __future__ import annotations

import re
from typing import Any

from factbase.core.escape import visible_controls

_NEWLINE = re.compile(r"\r\n|\r|\n|\u2028|\u2029")


def _lines(unit: dict[str, Any]) -> list[str]:
    """The label lines of a unit node: name, [kind], leads, core members."""
    lines = [str(unit["name"]), f"[{str(unit.get('kind') or 'unit').replace('_', ' ')}]"]
    for lead in unit.get("leads", []):
        title = f" — {lead['title']}" if lead.get("title") else ""
        lines.append(f"lead: {lead['name']}{title}")
    core = [str(c["name"]) for c in unit.get("core_members", [])]
    if core:
        lines.append("core: " + ", ".join(core))
    return lines


def _root_lines(doc: dict[str, Any]) -> list[str]:
    org = doc["org"]
    return [str(org["name"]), f"as of {doc['as_of']}"]


def _edges(doc: dict[str, Any]) -> list[tuple[str | None, str]]:
    """(parent unit id or None for the root, child unit id), in the document's unit order."""
    ids = {u["id"] for u in doc["units"]}
    return [(u["parent"] if u.get("parent") in ids and u["parent"] != u["id"] else None,
             u["id"]) for u in doc["units"]]


# --- Mermaid ------------------------------------------------------------------------------

# A backslash too: Mermaid reads a literal "\n" in a label as a line break.
_MERMAID_CODES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;",
                  "`": "#96;", "\\": "#92;"}
_MERMAID_SPECIAL = re.compile("[#\"<>&`\\\\]")


def mermaid_text(text: str) -> str:
    """``text`` safe inside a quoted Mermaid label: entity codes for ``# " < > & ` \\``, line
    breaks as ``<br/>``, controls made visible."""
    out = _MERMAID_SPECIAL.sub(lambda m: _MERMAID_CODES[m.group()], visible_controls(text))
    return _NEWLINE.sub("<br/>", out)


def _mermaid_label(lines: list[str]) -> str:
    return '"' + "<br/>".join(mermaid_text(line) for line in lines) + '"'


def render_mermaid(doc: dict[str, Any]) -> str:
    """The org chart of an ``org`` document as a Mermaid flowchart (top-down)."""
    node = {u["id"]: f"u{i}" for i, u in enumerate(doc["units"], start=1)}
    out = ["flowchart TD", f"  root[{_mermaid_label(_root_lines(doc))}]"]
    for u in doc["units"]:
        out.append(f"  {node[u['id']]}[{_mermaid_label(_lines(u))}]")
    for parent, child in _edges(doc):
        out.append(f"  {node[parent] if parent else 'root'} --> {node[child]}")
    return "\n".join(out) + "\n"


# --- Graphviz DOT -------------------------------------------------------------------------


def dot_text(text: str) -> str:
    """``text`` safe inside a DOT double-quoted string: ``\\`` and ``"`` escaped, ``&`` as
    ``&amp;``, line breaks as ``\\n``, controls made visible."""
    out = (visible_controls(text).replace("\\", "\\\\").replace('"', '\\"')
           .replace("&", "&amp;"))  # Graphviz reads HTML entities (&amp;, &lt;…) in any string
    return _NEWLINE.sub("\\\\n", out)


def _dot_id(text: str) -> str:
    return '"' + dot_text(text) + '"'


def _dot_label(lines: list[str]) -> str:
    return '"' + "\\n".join(dot_text(line) for line in lines) + '"'


def render_dot(doc: dict[str, Any]) -> str:
    """The org chart of an ``org`` document as a Graphviz DOT digraph (render it with
    ``dot -Tsvg``)."""
    org_id = str(doc["org"]["id"])
    root = _dot_id(f"org:{org_id}")
    out = [
        f"digraph {_dot_id(org_id)} {{",
        '  graph [rankdir=TB, charset="UTF-8", fontname="Helvetica"];',
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [arrowhead=none];',
        f"  {root} [label={_dot_label(_root_lines(doc))}, style=bold];",
    ]
    for u in doc["units"]:
        out.append(f"  {_dot_id('unit:' + str(u['id']))} [label={_dot_label(_lines(u))}];")
    for parent, child in _edges(doc):
        src = _dot_id("unit:" + parent) if parent else root
        out.append(f"  {src} -> {_dot_id('unit:' + child)};")
    out.append("}")
    return "\n".join(out) + "\n"
