"""HTML for ``factbase report ORG --format html --interactive``: the explorer, one offline page.

The page (template ``templates/explorer.html``, Jinja2 with autoescaping) holds the document
of :func:`factbase.views.explorer.explorer_document` as JSON in a
``<script type="application/json">`` block and a small script (``templates/explorer.js``)
that, as the date slider moves, selects the records whose window holds the chosen day and
shows them: the org chart, the people and their roles, the departures, the figures and the
uncertain facts, each with its source marks linked to the numbered source list. Nothing is
loaded from elsewhere: no server, no network, no CDN.

Injection: every text reaches the page either through Jinja2's autoescaping or, in the
script, through ``textContent`` (never ``innerHTML``); the JSON is embedded with ``<``, ``>``
and ``&`` written as ``\\u`` escapes (:func:`script_json`), so no text can close the block;
only ``http``/``https`` URLs become links (:func:`factbase.core.escape.safe_url`). A
Content-Security-Policy allows the one script by its SHA-256 hash and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from importlib.resources import files
from typing import Any

from markupsafe import Markup

from factbase.core.escape import html_text, json_safe, safe_url


def _template_text(name: str) -> str:
    return files("factbase.render").joinpath("templates", name).read_text(encoding="utf-8")


@cache
def environment() -> Any:
    """The Jinja2 environment of factbase's HTML templates (package data under
    ``factbase/render/templates``), autoescaping every variable of its HTML templates; ``*.md``
    templates (Markdown, where HTML escaping is wrong) are not autoescaped and escape with
    the ``md`` filter, :func:`factbase.render.markdown.inline`. The filter ``h`` escapes as
    :func:`factbase.core.escape.html_text` does (controls made visible, newlines as ``<br>``,
    ``None`` empty)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    from factbase.render.markdown import inline

    env = Environment(loader=PackageLoader("factbase.render", "templates"),
                      autoescape=select_autoescape(disabled_extensions=("md",), default=True,
                                                   default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["h"] = html_filter
    env.filters["md"] = inline
    return env


def html_filter(text: Any) -> Markup:
    """``text`` escaped by :func:`factbase.core.escape.html_text`, marked safe so autoescaping
    does not escape it twice."""
    return Markup(html_text(text))  # noqa: S704 - escaped by html_text


def script_json(value: Any) -> Markup:
    """``value`` as JSON safe inside an HTML ``<script>`` element: ``<``, ``>`` and ``&``
    written as ``\\u003c``, ``\\u003e``, ``\\u0026`` (so ``</script>`` or ``<!--`` in any
    text cannot end the block), controls, bidi controls and U+2028/U+2029 escaped
    (:func:`factbase.core.escape.json_safe`). It parses to exactly ``value``."""
    text = json_safe(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above for the script context


def render_explorer(doc: dict[str, Any]) -> str:
    """The explorer page for ``doc`` (:func:`factbase.views.explorer.explorer_document`)."""
    script = _template_text("explorer.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    sources = [{**s, "url": s["url"] if safe_url(s.get("url")) else None,
                "shown_url": s.get("url")} for s in doc["sources"].values()]
    data = {k: v for k, v in doc.items() if k != "sources"}
    data["sources"] = {sid: s["n"] for sid, s in doc["sources"].items()}
    page: str = environment().get_template("explorer.html").render(
        doc=doc, sources=sources, data=script_json(data), script=Markup(script),
        csp=f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'")
    return page
