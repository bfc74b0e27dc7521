"""Plain-text renderings of the documents in :mod:`factbase.core.documents`.

Sources are numbered footnotes: ``[3]`` after a fact points at the numbered list at the end.
"""

from __future__ import annotations

from typing import Any

from factbase.core.documents import reason_words


class _Notes:
    """Numbers sources in order of first use."""

    def __init__(self, sources: dict[str, Any]) -> None:
        self.sources = sources
        self.order: dict[str, int] = {}

    def mark(self, item: dict[str, Any]) -> str:
        ids = list(item.get("sources", []))
        if item.get("source"):
            ids.append(item["source"])
        nums = [self.order.setdefault(s, len(self.order) + 1) for s in dict.fromkeys(ids)]
        ev = f" ({item['evidence']})" if item.get("evidence") in ("reported", "unconfirmed") \
            else ""
        return (ev + " " + "".join(f"[{n}]" for n in nums)) if nums else ev

    def render(self) -> list[str]:
        lines = []
        for sid, n in self.order.items():
            s = self.sources.get(sid) or {}
            bits = [b for b in (s.get("title"), s.get("publisher"), s.get("published")) if b]
            desc = " — ".join(bits) if bits else sid
            url = f" <{s['url']}>" if s.get("url") else ""
            lines.append(f"  [{n}] {desc}{url}")
        return lines


def _since(p: dict[str, Any]) -> str:
    if p.get("since"):
        return f"since {p['since']}"
    return f"first recorded {p['first_seen']}"


def role_text(r: dict[str, Any]) -> str:
    """One role as read: ``acting executive (CEO)``, ``lead of Imagine``."""
    capacity = f"{r['capacity']} " if r.get("capacity") else ""
    where = f" of {r['unit_name']}" if r.get("unit") else ""
    title = f" ({r['title']})" if r.get("title") and not r.get("unit") else ""
    return f"{capacity}{r['role'].replace('_', ' ')}{where}{title}"


def _person_line(p: dict[str, Any], notes: _Notes) -> str:
    roles = "; ".join(role_text(r) for r in p["roles"]) if p["roles"] else "member"
    leave = f", on leave since {p['on_leave']}" if p.get("on_leave") else ""
    conf = f", last confirmed {p['last_confirmed']}" if p.get("last_confirmed") else ""
    return f"  {p['name']} — {roles}; {_since(p)}{leave}{conf}{notes.mark(p)}"


def render_org(doc: dict[str, Any]) -> str:
    """The text page for ``factbase org``."""
    notes = _Notes(doc["sources"])
    out: list[str] = []
    known = f"as recorded by {doc['known_at']}" if doc["known_at"] else "as recorded now"
    out.append(f"{doc['org']['name']} ({doc['org']['id']}) as of {doc['as_of']} — {known}")
    founding = doc.get("founding") or {}
    if founding.get("status") == "not_yet":
        out.append(f"Not yet founded on {doc['as_of']}: founded {founding['date']}")
    elif founding.get("status") == "uncertain":
        out.append(f"May not yet have been founded on {doc['as_of']}: founded "
                   f"{founding['date']}")
    elif doc.get("founded"):
        out.append(f"Founded {doc['founded']}")
    if doc.get("merged_into"):
        out.append(f"Merged into {doc['merged_into']}")

    units = doc["units"]
    out.append("")
    out.append(f"Units ({len(units)})")
    if not units:
        out.append("  (none recorded on this date)")
    children: dict[str | None, list[dict[str, Any]]] = {}
    ids = {u["id"] for u in units}
    for u in units:
        children.setdefault(u["parent"] if u["parent"] in ids else None, []).append(u)

    def walk(parent: str | None, depth: int) -> None:
        for u in sorted(children.get(parent, []), key=lambda u: (u["kind"] != "division",
                                                                  u["kind"], u["name"])):
            pad = "  " * depth
            former = f", formerly {', '.join(u['former_names'])}" if u["former_names"] else ""
            out.append(f"{pad}- {u['name']} [{u['kind'].replace('_', ' ')}{former}] since "
                       f"{u['since']}{notes.mark(u)}")
            for label, key in (("lead", "leads"), ("core", "core_members")):
                for h in u[key]:
                    title = f" — {h['title']}" if h.get("title") else ""
                    out.append(f"{pad}    {label}: {h['name']}{title}{notes.mark(h)}")
            if u["members"]:
                out.append(f"{pad}    members: {', '.join(m['name'] for m in u['members'])}")
            walk(u["id"], depth + 1)

    walk(None, 1)
    if doc["ended_units"]:
        out.append("  Ended:")
        for u in doc["ended_units"]:
            how = f"merged into {u['merged_into']}" if u["status"] == "merged" else u["status"]
            out.append(f"    - {u['name']}: {how} {u['ended']}{notes.mark(u)}")

    staff = [p for p in doc["people"] if not p.get("affiliated")]
    affiliated = [p for p in doc["people"] if p.get("affiliated")]
    out.append("")
    out.append(f"People present ({len(staff)})")
    for p in staff:
        out.append(_person_line(p, notes))
    if affiliated:
        out.append("")
        out.append(f"Board, advisers and investors ({len(affiliated)})")
        for p in affiliated:
            out.append(_person_line(p, notes))

    out.append("")
    out.append(f"Departed ({len(doc['departed'])})")
    for d in doc["departed"]:
        co = " (co-founder)" if d["cofounder"] else ""
        ann = f" (announced {d['announced']})" if d.get("announced") else ""
        if d["disputed"]:
            out.append(f"  {d['name']}{co} — left {d['date']}{ann}; reason DISPUTED:"
                       f"{notes.mark(d)}")
        else:
            reason = reason_words(d["reason"])
            out.append(f"  {d['name']}{co} — left {d['date']}{ann}; {reason}{notes.mark(d)}")
        if d.get("date_claims"):
            out.append("      dates claimed: " + "; ".join(
                f"{c['date']} per {c.get('by_name') or 'the event'}{notes.mark(c)}"
                for c in d["date_claims"]))
        for a in d["accounts"]:
            why = f" ({a['reason'].replace('_', ' ')})" if a.get("reason") else ""
            out.append(f"      per {a['by_name']}{why}: {a['says']}{notes.mark(a)}")
        if d.get("note"):
            out.append(f"      note: {d['note']}")

    c = doc["cofounders"]
    out.append("")
    out.append(f"Co-founders: {c['total']} in all — {len(c['present'])} present, "
               f"{len(c['departed'])} departed")
    if c["present"]:
        out.append("  present: " + ", ".join(p["name"] for p in c["present"]))
    if c.get("may_have_left"):
        out.append("  of whom may have left by then (uncertain): "
                   + ", ".join(p["name"] for p in c["may_have_left"]))
    if c["departed"]:
        out.append("  departed: " + ", ".join(f"{p['name']} ({p['date']})"
                                              for p in c["departed"]))

    out.append("")
    out.append(f"Metrics, latest as of {doc['as_of']} ({len(doc['metrics'])})")
    for m in doc["metrics"]:
        out.append(f"  {m['subject_name']} · {m['metric'].replace('_', ' ')}: {m['text']} "
                   f"— reported {m['date']}{notes.mark(m)}")
        if m.get("value_claims"):
            label = "DISPUTED, " if m.get("disputed") else ""
            out.append(f"      {label}figures claimed: " + "; ".join(
                f"{c['value']:,} per {c.get('by_name') or 'the event'}{notes.mark(c)}"
                for c in m["value_claims"]))

    if doc["events"]:
        out.append("")
        out.append(f"Announcements, meetings and statements ({len(doc['events'])})")
        for e in doc["events"]:
            ann = f" (announced {e['announced']})" if e.get("announced") else ""
            out.append(f"  {e['date']}  {e['summary']}{ann}{notes.mark(e)}")

    out.append("")
    out.append(f"Uncertain on {doc['as_of']} ({len(doc['uncertain'])})")
    for u in doc["uncertain"]:
        out.append(f"  may have happened, {u['date']}: {u['summary']}{notes.mark(u)}")
    out.append("")
    out.append(f"Anomalies ({len(doc['anomalies'])})")
    for a in doc["anomalies"]:
        when = f"{a['date']} " if a.get("date") else ""
        out.append(f"  {when}{a['code']}: {a['message']} (event {a['event']})")
    out += withdrawn_lines(doc.get("withdrawn", []), notes)

    if notes.order:
        out.append("")
        out.append("Sources")
        out += notes.render()
    return "\n".join(out) + "\n"


def withdrawn_lines(items: list[dict[str, Any]], notes: Any) -> list[str]:
    """The text of a document's ``withdrawn`` facts (none: no lines): each fact as first
    recorded, what was done to it, when it was recorded, why, and the amendment's sources."""
    if not items:
        return []
    out = ["", f"{WITHDRAWN_TITLE} ({len(items)})"]
    out += [f"  {withdrawal_text(w)}{notes.mark(w)}" for w in items]
    return out


#: The heading of the withdrawn facts in every output.
WITHDRAWN_TITLE = "Withdrawn or corrected since first recorded"


def withdrawal_text(w: dict[str, Any]) -> str:
    """One withdrawn fact in words (no citation marks): its date and summary as first
    recorded, then what was done to it, the day that was recorded and why."""
    what = "retracted" if w["kind"] == "retracted" else "corrected" + "".join(
        f"; {k} now {v}" for k, v in (w.get("changes") or {}).items())
    why = f": {w['why']}" if w.get("why") else ""
    return (f"{w['date']}  {w['summary']} — {what} (recorded {str(w['recorded_at'])[:10]})"
            f"{why}")


def render_timeline(doc: dict[str, Any]) -> str:
    """The text listing for ``factbase timeline``: one line per event, sources at the end."""
    notes = _Notes(doc["sources"])
    out = []
    width = min(24, max([len(e["date"]) for e in doc["events"]] or [10]))
    tw = max([len(e["type"]) for e in doc["events"]] or [10])
    for e in doc["events"]:
        accounts = e.get("payload", {}).get("accounts", [])
        e = {**e, "sources": [*e["sources"], *(a["source"] for a in accounts)]}
        at = f" (at {e['at'][:16].replace('T', ' ')} UTC)" if e.get("at") else ""
        if e.get("announced"):
            at += f" (announced {e['announced']})"
        gone = "[RETRACTED] " if e.get("retracted") else ""
        out.append(f"{e['date']:<{width}}  {e['type']:<{tw}}  {gone}{e['summary']}{at}"
                   f"{notes.mark(e)}  ({e['id']})")
        out += _history_lines(e.get("history", []), notes, " " * (width + 2))
    if not out:
        out.append("(no events match)")
    if notes.order:
        out.append("")
        out.append("Sources")
        out += notes.render()
    return "\n".join(out) + "\n"


def _history_lines(chain: list[dict[str, Any]], notes: _Notes, pad: str) -> list[str]:
    """Indented lines for an event's corrections, retractions and added accounts."""
    lines = []
    for a in chain:
        when = f"recorded {a['recorded_at'][:19].replace('T', ' ')} UTC"
        why = f" — {a['why']}" if a.get("why") else ""
        if a["type"] == "event.corrected":
            what = ", ".join(f"{k} → {v}" for k, v in a["changes"].items())
            head = f"corrected ({a['id']}, {when}): {what}"
        elif a["type"] == "event.retracted":
            head = f"retracted ({a['id']}, {when})"
        else:
            acc = a.get("account", {})
            head = f"account added ({a['id']}, {when}): per {acc.get('by')}: {acc.get('says')}"
        lines.append(f"{pad}↳ {head}{why}{notes.mark(a)}")
        lines += _history_lines(a.get("history", []), notes, pad + "  ")
    return lines
