"""Renderers: a registry from (view, format) to a function turning a document into text.

Documents are built by :mod:`factbase.core.documents`; each format is a small module that
registers here, the same path any later format (csv, md, html) takes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from factbase.core.escape import json_safe, terminal_doc

Renderer = Callable[[dict[str, Any]], str]


def render_json(doc: dict[str, Any]) -> str:
    """Pretty JSON (UTF-8 kept, so names in any script stay readable and `jq` reads it;
    controls and bidi controls as ``\\u`` escapes, :func:`factbase.core.escape.json_safe`)."""
    return json_safe(json.dumps(doc, ensure_ascii=False, indent=2)) + "\n"


def _text(view: str) -> Renderer:
    def render(doc: dict[str, Any]) -> str:
        from factbase.render import text

        fn: Renderer = getattr(text, f"render_{view}")
        return fn(terminal_doc(doc))

    return render


def _terminal(renderer: Renderer) -> Renderer:
    """A text renderer fed a document whose every text is terminal-safe
    (:func:`factbase.core.escape.terminal_doc`): no escape sequence, control or line break from
    the log reaches the terminal."""
    def render(doc: dict[str, Any]) -> str:
        return renderer(terminal_doc(doc))

    return render


def _lazy(module: str, name: str) -> Renderer:
    """A renderer imported on first use (keeps ``factbase --help`` fast)."""
    def render(doc: dict[str, Any]) -> str:
        from importlib import import_module

        fn: Renderer = getattr(import_module(f"factbase.render.{module}"), name)
        return fn(doc)

    return render


RENDERERS: dict[tuple[str, str], Renderer] = {
    ("org", "text"): _text("org"),
    ("org", "json"): render_json,
    ("org", "mermaid"): _lazy("diagram", "render_mermaid"),
    ("org", "dot"): _lazy("diagram", "render_dot"),
    ("timeline", "text"): _text("timeline"),
    ("timeline", "json"): render_json,
    ("diff", "text"): _terminal(_lazy("diff_text", "render_diff")),
    ("diff", "json"): render_json,
    ("diff", "md"): _lazy("markdown", "render_diff"),
    ("report", "md"): _lazy("report_md", "render_report"),
    ("report", "html"): _lazy("report_html", "render_report"),
    ("report", "json"): render_json,
    ("explorer", "html"): _lazy("explorer_html", "render_explorer"),
    ("who", "text"): _terminal(_lazy("who_text", "render_who")),
    ("who", "json"): render_json,
}


def formats(view: str) -> list[str]:
    """The formats registered for ``view``."""
    return [f for v, f in RENDERERS if v == view]


def render(view: str, fmt: str, doc: dict[str, Any]) -> str:
    """Render ``doc`` of ``view`` in ``fmt``; KeyError if no renderer is registered."""
    return RENDERERS[(view, fmt)](doc)
