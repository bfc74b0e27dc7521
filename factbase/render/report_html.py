"""HTML for ``factbase report --format html``: one self-contained page that works offline.

Renders the document of :func:`factbase.views.report.report_document` as a single file: inline CSS,
no script, no external font, stylesheet or image, and the two drawings (the org chart and the
tenure timeline, :mod:`factbase.render.charts`) as inline SVG. A Content-Security-Policy
meta tag forbids loading or running anything beyond the page itself, as a second wall.

The page is the template ``templates/report.html`` in the one autoescaping Jinja2 environment
(:func:`factbase.render.explorer_html.environment`). Every text from the log goes through its
``h`` filter, :func:`factbase.core.escape.html_text` (``& < > " '`` escaped, controls made
visible), and anything the template forgets is still escaped by autoescaping; source links
through :func:`factbase.core.escape.html_link`, so only ``http``/``https`` URLs become
``<a href>`` and anything else (``javascript:…``) is shown as text. Every fact ends with its
source marks (``[3]``, linked to the numbered source list at the end); the numbers are the
document's, so they match the Markdown and JSON.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from factbase.core.documents import reason_words
from factbase.core.escape import html_link
from factbase.render.diff_text import (
    account_text,
    change_segments,
    claim_parts,
    words,
)
from factbase.render.text import WITHDRAWN_TITLE, withdrawal_text
from factbase.views.report import CHANGE_SECTIONS

Item = dict[str, Any]

CSS = """
:root { --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --accent: #334e68;
  --gone: #c0392b; --bg: #ffffff; --soft: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans",
  "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 48px; }
h1 { font-size: 30px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 20px; margin: 30px 0 10px; padding-bottom: 4px;
  border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 20px 0 6px; color: var(--accent); }
.lede { color: var(--muted); margin: 0 0 8px; max-width: 60em; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(165px, 1fr));
  gap: 12px; margin: 14px 0 0; padding: 0; list-style: none; }
.figures li { background: var(--soft); border: 1px solid var(--line); border-radius: 8px;
  padding: 12px 14px; }
.figures .num { display: block; font-size: 32px; font-weight: 700; line-height: 1.1;
  color: var(--accent); }
.figures .what { display: block; font-weight: 600; }
.figures .line { display: block; color: var(--muted); font-size: 12.5px; margin-top: 4px; }
figure { margin: 12px 0; overflow-x: auto; }
figure svg { display: block; height: auto; border: 1px solid var(--line); border-radius: 8px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
ul.facts { padding-left: 20px; margin: 6px 0; }
ul.facts li { margin: 3px 0; }
ul.facts ul { padding-left: 20px; }
ul.cols { columns: 2 320px; column-gap: 36px; }
ul.cols > li { break-inside: avoid; }
.acct { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px;
  border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
.gone { color: var(--gone); font-weight: 600; }
.disputed { color: var(--gone); font-weight: 600; }
.ev { color: var(--muted); font-style: italic; }
sup.fn { font-size: 11px; white-space: nowrap; }
sup.fn a { color: var(--accent); text-decoration: none; }
.nosrc { color: var(--gone); font-size: 11px; }
ol.sources li { margin: 4px 0; overflow-wrap: anywhere; }
ol.sources li:target { background: #fff3c4; }
.when { white-space: nowrap; color: var(--muted); }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
footer code { overflow-wrap: anywhere; }
@media (max-width: 600px) { table { display: block; overflow-x: auto; } }
@media print { main { max-width: none; padding: 0; } h2 { break-after: avoid; }
  figure { break-inside: avoid; } }
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _link(url: Any, text: Any) -> Markup:
    return Markup(html_link(url, text))  # noqa: S704 - escaped by html_link


def _role_word(role: str) -> str:
    return {"cofounder": "co-founder", "core_member": "core member"}.get(role, words(role))


def _unit_roles(roles: list[str]) -> str:
    return ", ".join(_role_word(r) for r in roles if r != "member")


def render_report(doc: Item) -> str:
    """The HTML page for ``factbase report --format html`` (one self-contained file), from the
    template ``templates/report.html`` in the shared autoescaping environment
    (:func:`factbase.render.explorer_html.environment`)."""
    from factbase.render.charts import org_chart_svg, tenure_svg
    from factbase.render.explorer_html import environment

    page: str = environment().get_template("report.html").render(
        doc=doc, css=Markup(CSS), csp=Markup(_CSP),  # noqa: S704 - constants
        org_svg=Markup(org_chart_svg(doc)),  # noqa: S704 - drawn with escaped text
        tenure_svg=Markup(tenure_svg(doc) if doc["tenure"] else ""),  # noqa: S704 - as above
        sections=CHANGE_SECTIONS, withdrawn_title=WITHDRAWN_TITLE, words=words,
        role_word=_role_word, unit_roles=_unit_roles, reason_words=reason_words,
        account_text=account_text, claim_parts=claim_parts, change_segments=change_segments,
        withdrawal_text=withdrawal_text, link=_link)
    return page + "\n"  # Jinja drops the template's final newline
