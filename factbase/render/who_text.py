"""Plain-text rendering of the ``who`` document (:mod:`factbase.views.who`).

Sources are numbered footnotes, as in the other text pages: ``[3]`` after a fact points at the
numbered list at the end; ``(reported)``/``(unconfirmed)`` before it gives the evidence level.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from factbase.core.documents import reason_words
from factbase.render.text import _Notes

#: The sections after the organisations: a title and which items belong (the rest: History).
_SECTIONS: tuple[tuple[str, Callable[[dict[str, Any]], bool]], ...] = (
    ("Statements", lambda i: i["part"] == "statement"),
    ("Meetings spoken at", lambda i: i["part"] == "speaker"),
    ("Confirmations", lambda i: i["type"] == "role.confirmed" and i["part"] == "subject"),
    ("Accounts given about others", lambda i: i["part"] == "account"),
)


def _role(r: dict[str, Any]) -> str:
    word = "co-founder" if r["role"] == "cofounder" else r["role"].replace("_", " ")
    if r.get("capacity"):
        word = f"{r['capacity']} {word}"  # acting, interim
    where = f" of {r['unit_name']}" if r.get("unit") else ""
    title = f" — {r['title']}," if r.get("title") else ""
    return f"{word}{where}{title} since {r['since']}"


def render_who(doc: dict[str, Any]) -> str:
    """The text page for ``factbase who``."""
    notes = _Notes(doc["sources"])
    ent = doc["entity"]
    known = f"as recorded by {doc['known_at']}" if doc["known_at"] else "as recorded now"
    out = [f"{ent['name']} ({ent['id']}) — {ent['kind']}, as of {doc['as_of']}, {known}"]
    others = [n for n in doc["names"] if n != ent["name"]]
    if others:
        out.append("Also known as: " + ", ".join(others))
    if ent.get("note"):
        out.append(f"Note: {ent['note']}")
    if doc.get("summary") is not None:
        _summary(doc, out)
    else:
        _person(doc, out, notes)
    if doc.get("see_also"):
        out.append("")
        out.append("See also: " + "; ".join(f"`{c}`" for c in doc["see_also"]))
    if notes.order:
        out.append("")
        out.append("Sources")
        out += notes.render()
    return "\n".join(out) + "\n"


def _summary(doc: dict[str, Any], out: list[str]) -> None:
    s = doc["summary"]
    out.append("")
    if s.get("founded"):
        out.append(f"Founded {s['founded']}")
    if s.get("merged_into"):
        out.append(f"Merged into {s['merged_into']}")
    units = ", ".join(u["name"] for u in s["units"])
    out.append(f"Units ({len(s['units'])}){': ' + units if units else ''}")
    out.append(f"People present: {s['people']}; departed: {s['departed']}")
    c = s["cofounders"]
    if c["total"]:
        out.append(f"Co-founders: {c['total']} in all — {c['present']} present, "
                   f"{c['departed']} departed")
    if s.get("uncertain"):
        out.append(f"Uncertain on {doc['as_of']}: {s['uncertain']} event(s) may have happened")


def _person(doc: dict[str, Any], out: list[str], notes: _Notes) -> None:
    orgs = doc["organisations"]
    out.append("")
    out.append(f"Organisations ({len(orgs)})")
    if not orgs:
        out.append("  (none recorded)")
    for o in orgs:
        bits = [o["status"]]
        if o.get("cofounder"):
            bits.append("co-founder")
        if o.get("last_confirmed"):
            bits.append(f"last confirmed {o['last_confirmed']}")
        out.append(f"  {o['name']} ({o['id']}) — {'; '.join(bits)}")
        for s in o["memberships"]:
            if s.get("joined"):
                how = f" ({s['how']})" if s.get("how") == "co-founder at the founding" else ""
                out.append(f"    joined {s['joined']}{how}{notes.mark(s['joined_cited'] or {})}")
            elif s.get("first_seen"):
                out.append(f"    first recorded there {s['first_seen']} (no joining recorded)"
                           f"{notes.mark(s['joined_cited'] or {})}")
            if s.get("left"):
                src = s["left_cited"]
                ann = f" (announced {s['announced']})" if s.get("announced") else ""
                if s["disputed"]:
                    out.append(f"    left {s['left']}{ann}; reason DISPUTED:{notes.mark(src)}")
                else:
                    reason = reason_words(s["reason"])
                    out.append(f"    left {s['left']}{ann}; {reason}{notes.mark(src)}")
                for a in s["accounts"]:
                    why = f" ({a['reason'].replace('_', ' ')})" if a.get("reason") else ""
                    out.append(f"        per {a['by_name']}{why}: {a['says']}{notes.mark(a)}")
        if o.get("title") or o.get("unit_name"):
            where = ", ".join(x for x in (o.get("title"), o.get("unit_name")) if x)
            out.append(f"    {where}")
        if o["roles"]:
            label = f"roles on {o['roles_until']}, before leaving" if o.get("roles_until") \
                else "roles"
            out.append(f"    {label}:")
            for r in o["roles"]:
                out.append(f"      {_role(r)}{notes.mark(r)}")
        for u in o.get("uncertain", []):
            out.append(f"    may have happened by {doc['as_of']} ({u['date']}): "
                       f"{u['summary']}{notes.mark(u)}")
    shown: set[int] = set()
    for title, keep in _SECTIONS:
        items = [i for i in doc["events"] if keep(i)]
        shown |= {id(i) for i in items}
        out.append("")
        out.append(f"{title} ({len(items)})" if items else f"{title}: none recorded")
        for i in items:
            if i["part"] != "account":
                out.append(f"  {_line(i, title)}{notes.mark(i)}")
            for a in i.get("accounts_given", []):  # cited by the account's own source
                why = f" ({a['reason'].replace('_', ' ')})" if a.get("reason") else ""
                out.append(f"  {_line(i, title)}{why}: {a['says']}{notes.mark(a)}")
    rest = [i for i in doc["events"] if id(i) not in shown]
    out.append("")
    out.append(f"History ({len(rest)})" if rest else "History: none recorded")
    for i in rest:
        out.append(f"  {_line(i, 'History')}{notes.mark(i)}")


def _line(i: dict[str, Any], section: str) -> str:
    maybe = " (may have happened: uncertain)" if i["certainty"] == "uncertain" else ""
    at = f" (at {i['at'][:16].replace('T', ' ')} UTC)" if i.get("at") else ""
    if section == "Accounts given about others":
        text = f"about {i['about_name']} leaving {i['org_name'] or ''}".rstrip()
    elif section == "Meetings spoken at":
        kind = (i.get("meeting") or "meeting").replace("_", "-")
        text = f"{kind} meeting of {i['org_name']}" if i.get("org_name") else i["summary"]
    elif section == "Statements":
        where = ", ".join(x for x in (i.get("org_name"), i.get("channel")) if x)
        text = f"{where}: {i['said']}" if where else i["said"]
    else:
        text = i["summary"]
    return f"{i['date']}  {text}{at}{maybe}"
