"""Markdown renderings of the documents in :mod:`factbase.core.documents` and
:mod:`factbase.core.diff`.

A heading per section, a bullet per fact, sources as a numbered list at the end that the
``[n]`` after each fact points at. Every text that comes from the log (names, summaries,
accounts, titles, dates as written) goes through :func:`escape`, so a name such as
``A | B *C*`` shows as written and cannot break a table, start emphasis or a link.
"""

from __future__ import annotations

import re
from typing import Any

from factbase.core.diff import is_empty
from factbase.core.escape import safe_url, visible_controls
from factbase.render.diff_text import (
    account_text,
    departure_detail,
    metric_text,
    role_text,
    words,
)
from factbase.render.text import _Notes

# CommonMark backslash-escapes any ASCII punctuation; these are the ones that can change the
# meaning of inline text: emphasis, code, links, HTML, tables, strikethrough, escapes.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_ENTITY = re.compile(r"&(?=#?\w+;)")  # "&amp;" would otherwise render as "&"


def escape(text: Any) -> str:
    """``text`` as literal inline Markdown: invisible controls made visible
    (:func:`factbase.core.escape.visible_controls`), special characters backslash-escaped, line
    breaks (any kind) turned into spaces so one fact stays one bullet."""
    flat = " ".join(visible_controls(str(text)).splitlines())
    return _ENTITY.sub(r"\\&", _SPECIAL.sub(r"\\\1", flat))


def inline(text: Any) -> str:
    """``text`` as literal, one-line inline Markdown (:func:`escape`; ``None`` is empty): the
    ``md`` filter of the Markdown templates."""
    return "" if text is None else escape(text)


def _source_line(s: dict[str, Any], sid: str) -> str:
    bits = [b for b in (s.get("title"), s.get("publisher"), s.get("published")) if b]
    desc = escape(" — ".join(bits) if bits else sid)
    url = s.get("url")
    if isinstance(url, str) and safe_url(url) and not re.search(r"[\s<>]", url):  # http(s) only
        return f"{desc} <{url}>"
    return f"{desc} ({escape(url)})" if url else desc


def render_diff(doc: dict[str, Any]) -> str:
    """The Markdown document for ``factbase diff --format md``."""
    notes = _Notes(doc["sources"])
    org = f"{escape(doc['org']['name'])} ({escape(doc['org']['id'])})"
    known = f"as recorded by {doc['known_at']}" if doc["known_at"] else "as recorded now"
    out = [f"# {org}: what changed from {doc['from']} to {doc['to']}", "",
           f"Changes between the end of {doc['from']} and the end of {doc['to']}, {known}."]

    def section(title: str, items: list[dict[str, Any]], text: Any) -> None:
        if not items:
            return
        out.extend(["", f"## {title} ({len(items)})", ""])
        for item in items:
            date = escape(item["date"]) if item.get("date") else f"by {doc['to']}"
            out.append(f"- {date} — {text(item)}{notes.mark(item)}")
            for a in item.get("accounts") or []:
                out.append(f"  - {escape(account_text(a))}{notes.mark(a)}")

    def unit_created(u: dict[str, Any]) -> str:
        under = f", under {u['parent_name'] or u['parent']}" if u["parent"] else ""
        return f"**{escape(u['name'])}** ({escape(words(u['kind']) + under)})"

    def joined(p: dict[str, Any]) -> str:
        extra = ", ".join(x for x in (p["unit_name"], p["title"]) if x)
        seen = "" if p["joining_recorded"] else " — first recorded (no joining event)"
        return f"**{escape(p['name'])}**" + (f" ({escape(extra)})" if extra else "") + seen

    def unit_ended(u: dict[str, Any]) -> str:
        into = f" into {u['merged_into_name'] or u['merged_into']}" if u["merged_into"] else ""
        return f"**{escape(u['name'])}** {escape(u['status'] + into)}"

    def parent(name: str | None) -> str:
        return f"under {name}" if name else "at the top level"

    section("Departed", doc["departed"],
            lambda d: f"**{escape(d['name'])}**{escape(departure_detail(d))}")
    section("Returned", doc["returned"],
            lambda p: f"**{escape(p['name'])}** (had left {escape(p['left'])})")
    section("Joined", doc["joined"], joined)
    section("Roles started", doc["roles_started"],
            lambda r: f"**{escape(r['person_name'])}** — {escape(role_text(r))}")
    section("Roles ended", doc["roles_ended"],
            lambda r: f"**{escape(r['person_name'])}** — {escape(role_text(r))}, held since "
                      f"{escape(r['since'])}")
    section("Units created", doc["units_created"], unit_created)
    section("Units renamed", doc["units_renamed"],
            lambda u: f"**{escape(u['old_name'])}** → **{escape(u['new_name'])}**")
    section("Units moved", doc["units_moved"],
            lambda u: f"**{escape(u['name'])}**: {escape(parent(u['old_parent_name']))} → "
                      f"{escape(parent(u['new_parent_name']))}")
    section("Units merged or dissolved", doc["units_ended"], unit_ended)
    section("Figures new or changed", doc["metrics_changed"], lambda m: escape(metric_text(m)))
    before, after = doc["cofounders"]["before"], doc["cofounders"]["after"]
    if before != after:
        out.extend(["", "## Co-founders", "", "| | total | present | departed |",
                    "|---|---:|---:|---:|",
                    f"| {doc['from']} | {before['total']} | {before['present']} | "
                    f"{before['departed']} |",
                    f"| {doc['to']} | {after['total']} | {after['present']} | "
                    f"{after['departed']} |"])
    section("Announcements, meetings and statements", doc["events"],
            lambda e: escape(e["summary"]))
    section(f"May have happened by {doc['to']} (uncertain)", doc["newly_uncertain"],
            lambda u: escape(u["summary"]))
    if is_empty(doc):
        out.extend(["", "No changes between these dates."])
    if notes.order:
        out.extend(["", "## Sources", ""])
        for sid, n in notes.order.items():
            out.append(f"{n}. {_source_line(notes.sources.get(sid) or {}, sid)}")
    return "\n".join(out) + "\n"
