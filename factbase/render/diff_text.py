"""Plain text for ``factbase diff``: one line per change, in date order, sources at the end.

Each line is ``DATE  KIND  WHAT [n]``; ``[n]`` points at the numbered sources listed last (the
same notes as ``org`` and ``timeline``, :class:`factbase.render.text._Notes`). A disputed
departure is followed by one line per account, each with its own source. Lines are built from
the document of :func:`factbase.core.diff.diff_documents`, so text and JSON say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from factbase.core.diff import CHANGE_KEYS, date_order, is_empty
from factbase.core.documents import reason_words
from factbase.core.events import TYPES
from factbase.render.text import _Notes, withdrawn_lines

Item = dict[str, Any]
#: The lists that are changes of state, shown as one list in date order.
STATE_KEYS = tuple(k for k in CHANGE_KEYS if k not in ("events", "newly_uncertain"))
def event_words(type_: str) -> str:
    """What an event of ``type_`` is called under "events": its registry entry's ``words``
    (:attr:`factbase.core.events.EventType.words`), else the type itself."""
    t = TYPES.get(type_)
    return type_ if t is None or t.words is None else t.words


def flat(text: str) -> str:
    """One line: line breaks inside a name or an account become spaces."""
    return " ".join(text.splitlines())


def words(code: str | None) -> str:
    """``stepped_back`` → ``stepped back``."""
    return (code or "").replace("_", " ")


def role_text(r: Item) -> str:
    """``lead of Imagine (Head of Imagine)``; the title only when it says more than that."""
    where = f" of {r['unit_name'] or r['unit']}" if r.get("unit") else ""
    text = f"{words(r['role'])}{where}"
    if r.get("title") and r["title"].casefold() != text.casefold():
        text += f" ({r['title']})"
    return text


def departure_text(d: Item) -> str:
    """``Tony Wu (co-founder) — disputed: parted ways / resigned (announced …)``."""
    return f"{d['name']}{departure_detail(d)}"


def departure_detail(d: Item) -> str:
    """What :func:`departure_text` says after the name."""
    co = " (co-founder)" if d["cofounder"] else ""
    why = reason_words(d["reason"], d["disputed"],
                       [a["reason"] for a in d["accounts"] if a.get("reason")])
    ann = f" (announced {d['announced']})" if d.get("announced") else ""
    return f"{co} — {why}{ann}"


def claim_parts(c: Item) -> tuple[Any, str]:
    """``(claimed date or value, who claims it)`` of one claim of a disputed fact."""
    value = c.get("date") if "date" in c else c.get("value")
    return value, c.get("by_name") or c.get("by") or "the event's own source"


def account_text(a: Item) -> str:
    why = f" ({words(a['reason'])})" if a.get("reason") else ""
    return f"per {a['by_name'] or a['by']}{why}: {a['says']}"


def metric_text(m: Item) -> str:
    """``X · monthly active users: 500 users (2025-06) → about 600,000,000 users``."""
    what = f"{m['subject_name'] or m['subject']} · {words(m['metric'])}: "
    if m["old"] is None:
        return f"{what}{m['new']['text']}"
    return what + f"{m['old']['text']} ({m['old']['date']}) → {m['new']['text']}"


def change_segments(key: str, item: Item) -> list[tuple[str, bool]]:
    """One change line of a report as ``(text, emphasised)`` segments, so the Markdown and
    HTML renderers say the same words and differ only in markup and escaping."""
    if key == "departed":
        return [(item["name"], True), (departure_detail(item), False)]
    if key == "returned":
        return [(item["name"], True), (f" (had left {item['left']})", False)]
    if key == "joined":
        extra = ", ".join(x for x in (item["unit_name"], item["title"]) if x)
        seen = "" if item["joining_recorded"] else " — first recorded (no joining event)"
        return [(item["name"], True), ((f" ({extra})" if extra else "") + seen, False)]
    if key in ("roles_started", "roles_ended"):
        held = f", held since {item['since']}" if key == "roles_ended" else ""
        return [(item["person_name"], True), (f" — {role_text(item)}{held}", False)]
    if key == "units_created":
        under = f", under {item['parent_name'] or item['parent']}" if item["parent"] else ""
        return [(item["name"], True), (f" ({words(item['kind']) + under})", False)]
    if key == "units_renamed":
        return [(item["old_name"], True), (" → ", False), (item["new_name"], True)]
    if key == "units_moved":
        def at(name: str | None) -> str:
            return f"under {name}" if name else "at the top level"
        return [(item["name"], True),
                (f": {at(item['old_parent_name'])} → {at(item['new_parent_name'])}", False)]
    if key == "units_ended":
        into = f" into {item['merged_into_name'] or item['merged_into']}" \
            if item["merged_into"] else ""
        return [(item["name"], True), (f" {item['status'] + into}", False)]
    if key == "metrics_changed":
        return [(metric_text(item), False)]
    return [(item["summary"], False)]


def _parent(name: str | None) -> str:
    return f"under {name}" if name else "at the top level"


#: (document key, kind label or a function of the item, text of the item).
LINES: dict[str, tuple[str | Callable[[Item], str], Callable[[Item], str]]] = {
    "units_created": ("unit created", lambda u: f"{u['name']} ({words(u['kind'])}"
                      + (f", under {u['parent_name'] or u['parent']})" if u["parent"] else ")")),
    "units_renamed": ("unit renamed", lambda u: f"{u['old_name']} → {u['new_name']}"),
    "units_moved": ("unit moved", lambda u: f"{u['name']}: {_parent(u['old_parent_name'])} → "
                    f"{_parent(u['new_parent_name'])}"),
    "units_ended": (lambda u: f"unit {u['status']}", lambda u: u["name"] + (
        f" into {u['merged_into_name'] or u['merged_into']}" if u["merged_into"] else "")),
    "joined": (lambda p: "joined" if p["joining_recorded"] else "first seen", lambda p: p["name"]
               + (f" ({', '.join(x for x in (p['unit_name'], p['title']) if x)})"
                  if p["unit_name"] or p["title"] else "")),
    "returned": ("returned", lambda p: f"{p['name']} (had left {p['left']})"),
    "roles_started": ("role started", lambda r: f"{r['person_name']} — {role_text(r)}"),
    "roles_ended": ("role ended", lambda r: f"{r['person_name']} — {role_text(r)}, held "
                    f"since {r['since']}"),
    "departed": ("departed", departure_text),
    "metrics_changed": (lambda m: "metric new" if m["old"] is None else "metric changed",
                        metric_text),
    "events": (lambda e: event_words(e["type"]), lambda e: str(e["summary"])
               + (f" (announced {e['announced']})" if e.get("announced") else "")),
    "newly_uncertain": ("may have happened", lambda u: str(u["summary"])),
}


def render_diff(doc: dict[str, Any]) -> str:
    """The text page for ``factbase diff``: the changes in date order, then the co-founder
    count before and after, the announcements, meetings and statements in between, what may
    have happened by D2, and the sources."""
    notes = _Notes(doc["sources"])
    known = f"as recorded by {doc['known_at']}" if doc["known_at"] else "as recorded now"
    out = [f"{doc['org']['name']} ({doc['org']['id']}): what changed from {doc['from']} to "
           f"{doc['to']} — {known}"]

    def block(keys: tuple[str, ...], title: str | None) -> None:
        rows: list[tuple[Any, ...]] = []
        for rank, key in enumerate(keys):
            kind, text = LINES[key]
            for i, item in enumerate(doc[key]):
                label = kind(item) if callable(kind) else kind
                date = item["date"] or f"by {doc['to']}"  # not dated: sometime in the window
                rows.append((*date_order(item["date"]), rank, i, date, label, text(item), item))
        if not rows:
            return
        rows.sort(key=lambda r: r[:4])
        width = min(24, max(len(r[4]) for r in rows))
        kw = max(len(r[5]) for r in rows)
        out.append("")
        if title:
            out.append(f"{title} ({len(rows)})")
        for *_, date, label, text, item in rows:
            out.append(f"{date:<{width}}  {label:<{kw}}  {flat(text)}{notes.mark(item)}")
            for a in item.get("accounts") or []:
                out.append(f"{'':<{width}}  {'':<{kw}}    {flat(account_text(a))}"
                           f"{notes.mark(a)}")

    block(STATE_KEYS, None)
    if is_empty(doc):
        out += ["", "(no changes between these dates)"]
    before, after = doc["cofounders"]["before"], doc["cofounders"]["after"]
    if before != after:
        out.append("")
        out.append(f"Co-founders: {before['present']} present, {before['departed']} departed "
                   f"of {before['total']} on {doc['from']} → {after['present']} present, "
                   f"{after['departed']} departed of {after['total']} on {doc['to']}")
    block(("events",), "Announcements, meetings and statements")
    block(("newly_uncertain",), f"May have happened by {doc['to']} (uncertain)")
    out += withdrawn_lines(doc.get("withdrawn", []), notes)
    if notes.order:
        out.append("")
        out.append("Sources")
        out += notes.render()
    return "\n".join(out) + "\n"
