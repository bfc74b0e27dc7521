"""Markdown for ``factbase report --format md``: the as-of report as a page to publish.

Renders the document of :func:`factbase.views.report.report_document` from the template
``templates/report.md`` (the shared Jinja2 environment, not HTML-autoescaped): a heading per
section, one bullet per fact, each ending with its source marks ``[n]`` (the numbers the
document gives, so Markdown, HTML and JSON agree), and the numbered sources last. Every text
from the log goes through the template's ``md`` filter, :func:`factbase.render.markdown.inline`
(invisible controls made visible, then Markdown escaping), so a name such as
``A | B *C* [x](y)`` or one with a line break shows as written and cannot start emphasis, a
link or a new line. Only ``http``/``https`` URLs become links
(:func:`factbase.core.escape.safe_url`); any other URL, such as ``javascript:…``, is shown as
escaped text.
"""

from __future__ import annotations

from typing import Any

from factbase.core.documents import reason_words
from factbase.core.escape import safe_url
from factbase.render.diff_text import (
    account_text,
    change_segments,
    claim_parts,
    words,
)
from factbase.render.markdown import inline as md
from factbase.render.text import WITHDRAWN_TITLE, withdrawal_text
from factbase.views.report import CHANGE_SECTIONS

Item = dict[str, Any]


def source_line(s: Item) -> str:
    """``[Title](<https://…>) — Publisher — published``: the title is the link, only for
    http(s) URLs; any other URL is shown as escaped text after the description."""
    url = s.get("url")
    title = s.get("title")
    bits = [b for b in (s.get("publisher"), s.get("published")) if b]
    rest = md(" — ".join(str(b) for b in bits))
    linkable = bool(url) and safe_url(url) and not any(c in str(url) for c in "<>")
    if title and linkable:
        return f"[{md(title)}](<{url}>)" + (f" — {rest}" if rest else "")
    if not title and linkable:
        return f"<{url}>" + (f" — {rest}" if rest else "")
    desc = " — ".join(x for x in (md(title) if title else "", rest) if x) \
        or "(source not described)"
    return f"{desc} (link not shown as a link: {md(url)})" if url else desc


def role_word(role: str) -> str:
    """``cofounder`` → ``co-founder``, ``core_member`` → ``core member``."""
    return {"cofounder": "co-founder"}.get(role, words(role))


def _unit_roles(roles: list[str]) -> str:
    return ", ".join(role_word(r) for r in roles if r != "member")


def render_report(doc: Item) -> str:
    """The Markdown page for ``factbase report --format md``, from the template
    ``templates/report.md`` in the shared Jinja2 environment
    (:func:`factbase.render.explorer_html.environment`; not HTML-autoescaped, texts through
    its ``md`` filter, :func:`md`)."""
    from factbase.render.explorer_html import environment

    page: str = environment().get_template("report.md").render(
        doc=doc, sections=CHANGE_SECTIONS, withdrawn_title=WITHDRAWN_TITLE, words=words,
        role_word=role_word, unit_roles=_unit_roles, reason_words=reason_words,
        account_text=account_text, claim_parts=claim_parts, change_segments=change_segments,
        withdrawal_text=withdrawal_text, source_line=source_line)
    return page
