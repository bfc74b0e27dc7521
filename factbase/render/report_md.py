"""Markdown for ``factbase report --format md``: the as-of report as a page to publish.

Renders the document of :func:`factbase.views.report.report_document`: a heading per section, one
bullet per fact, each ending with its source marks ``[n]`` (the numbers the document gives,
so Markdown, HTML and JSON agree), and the numbered sources last. Every text from the log goes
through :func:`md` — invisible controls made visible
(:func:`factbase.core.escape.visible_controls`),
then :func:`factbase.render.markdown.escape` — so a name such as ``A | B *C* [x](y)`` or one
with a line break shows as written and cannot start emphasis, a link or a new line. Only
``http``/``https`` URLs become links (:func:`factbase.core.escape.safe_url`); any other URL, such
as ``javascript:…``, is shown as escaped text.
"""

from __future__ import annotations

from typing import Any

from factbase.core.documents import reason_words
from factbase.core.escape import safe_url, visible_controls
from factbase.render.diff_text import (
    account_text,
    change_segments,
    claim_parts,
    words,
)
from factbase.render.markdown import escape
from factbase.render.text import WITHDRAWN_TITLE, withdrawal_text
from factbase.views.report import CHANGE_SECTIONS

Item = dict[str, Any]


def md(text: Any) -> str:
    """``text`` as literal, one-line inline Markdown (``None`` is empty)."""
    return "" if text is None else escape(visible_controls(str(text)))


def marks(item: Item) -> str:
    """`` (reported) [1][3]`` — the evidence word when below confirmed, then the source
    numbers; `` [no source]`` when the fact cites none; nothing for an item that is no cited
    fact (no ``notes``)."""
    ev = f" ({item['evidence']})" if item.get("evidence") in ("reported", "unconfirmed") \
        else ""
    if "notes" not in item:
        return ev  # not a cited fact (a count of nothing)
    notes = item["notes"]
    return ev + (" " + "".join(f"[{n}]" for n in notes) if notes else " [no source]")


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


def _person_role(h: Item, label: str) -> str:
    title = f" — {md(h['title'])}" if h.get("title") else ""
    return f"{label}: **{md(h['name'])}**{title}{marks(h)}"


def _chart(doc: Item, out: list[str]) -> None:
    chart = doc["org_chart"]
    out.extend(["", f"## Org chart on {doc['as_of']}", ""])
    root = chart["org"]
    founded = f" (founded {md(root['founded'])}){marks(root)}" if root.get("sources") else ""
    out.append(f"- **{md(root['name'])}**{founded}")
    for h in chart["leadership"]:
        out.append(f"  - {_person_role(h, role_word(h['role']))}")

    def unit(u: Item, depth: int) -> None:
        pad = "  " * depth
        former = f", formerly {md(', '.join(u['former_names']))}" if u["former_names"] else ""
        out.append(f"{pad}- **{md(u['name'])}** ({md(words(u['kind']))}{former}, since "
                   f"{md(u['since'])}){marks(u)}")
        for h in u["leads"]:
            out.append(f"{pad}  - {_person_role(h, 'lead')}")
        for h in u["core_members"]:
            out.append(f"{pad}  - {_person_role(h, 'core member')}")
        for m in u["members"]:
            out.append(f"{pad}  - member: **{md(m['name'])}**{marks(m)}")
        for k in u["children"]:
            unit(k, depth + 1)

    for u in chart["units"]:
        unit(u, 1)
    if not chart["units"]:
        out.append("  - (no units recorded on this date)")
    if chart["unassigned"]:
        out.append("- In no unit:")
        for p in chart["unassigned"]:
            roles = ", ".join(role_word(r) for r in p["roles"] if r != "member")
            out.append(f"  - **{md(p['name'])}**" + (f" ({md(roles)})" if roles else "")
                       + marks(p))
    for u in chart["ended_units"]:
        how = f"merged into {u['merged_into']}" if u["status"] == "merged" else u["status"]
        out.append(f"- Ended: **{md(u['name'])}** — {md(how)} {md(u['ended'])}{marks(u)}")


def _when(d: Item | None) -> str:
    return md(d["date"]) if d else "?"


def _tenure(doc: Item, out: list[str]) -> None:
    rows = doc["tenure"]
    people = f"{len(rows)} {'person' if len(rows) == 1 else 'people'}"
    out.extend(["", f"## Who was where, when ({people})", "",
                "Dates as the sources give them: `2024-04` is some day that month, "
                "`../2026-02-10` on or before that day, `A/B` some day between."])
    out.append("")
    if not rows:
        out.append("Nobody recorded by this date.")
    for r in rows:
        co = " (co-founder)" if r["cofounder"] else ""
        parts = []
        for s in r["spells"]:
            if s["joined"]:
                how = "uncertain: may have joined" if s["uncertain_start"] else "joined"
                parts.append(f"{how} {_when(s['joined'])}{marks(s['joined'])}")
            elif s["first_seen"]:
                parts.append(f"first recorded {_when(s['first_seen'])}"
                             f"{marks(s['first_seen'])}")
            for u in s["units"]:
                to = f" to {md(u['to']['date'])}" if u["to"] else ""
                parts.append(f"{md(role_word(u['role']))} of {md(u['unit_name'])} from "
                             f"{md(u['from']['date'])}{to}{marks(u)}")
            if s["left"]:
                left = s["left"]
                why = reason_words(left["reason"], left["disputed"], left.get("reasons", []))
                parts.append(f"left {_when(left)} ({md(why)}){marks(left)}")
            elif s["may_have_left"]:
                parts.append(f"may have left {_when(s['may_have_left'])} (uncertain)"
                             f"{marks(s['may_have_left'])}")
        out.append(f"- **{md(r['name'])}**{co} — {md(r['status'])}: " + "; ".join(parts))


def _changes(doc: Item, out: list[str]) -> None:
    ch = doc["changes"]
    out.extend(["", f"## Changes since {ch['from']} (to {ch['to']})"])

    def text(key: str, item: Item) -> str:
        return "".join(f"**{md(t)}**" if strong else md(t)
                       for t, strong in change_segments(key, item))

    shown = 0
    for key, title in CHANGE_SECTIONS:
        items = ch.get(key) or []
        if not items:
            continue
        shown += len(items)
        out.extend(["", f"### {title} ({len(items)})", ""])
        for item in items:
            when = md(item["date"]) if item.get("date") else f"by {ch['to']}"
            out.append(f"- {when} — {text(key, item)}{marks(item)}")
            for a in item.get("accounts") or []:
                out.append(f"  - {md(account_text(a))}{marks(a)}")
    before, after = ch["cofounders"]["before"], ch["cofounders"]["after"]
    if before != after:
        out.extend(["", "### Co-founders", "", "| | total | present | departed | sources |",
                    "|---|---:|---:|---:|---|"])
        for c in ch["cofounder_counts"]:
            out.append(f"| {c['date']} | {c['total']} | {c['present']} | {c['departed']} "
                       f"|{marks(c)} |")
    if not shown and before == after:
        out.extend(["", "No changes recorded between these dates."])


def _disputed(doc: Item, out: list[str]) -> None:
    items = doc["disputed"]
    out.extend(["", f"## Disputed facts ({len(items)})", ""])
    if not items:
        out.append("No fact is disputed between the sources on record.")
    for d in items:
        co = " (co-founder)" if d.get("cofounder") else ""
        out.append(f"- **{md(d['subject_name'])}**{co}, {md(d['date'])} — "
                   f"{md(d['question'])} is disputed{marks(d)}")
        for a in d.get("accounts") or []:
            out.append(f"  - {md(account_text(a))}{marks(a)}")
        for c in d.get("claims") or []:
            value, who = claim_parts(c)
            out.append(f"  - {md(value)} per {md(who)}{marks(c)}")


def _metrics(doc: Item, out: list[str]) -> None:
    out.extend(["", f"## Figures, latest reported by {doc['as_of']} ({len(doc['metrics'])})",
                ""])
    if not doc["metrics"]:
        out.append("No figures recorded.")
    for m in doc["metrics"]:
        flag = " — DISPUTED" if m.get("disputed") else ""
        out.append(f"- {md(m['subject_name'])} · {md(words(m['metric']))}: {md(m['text'])} "
                   f"— reported {md(m['date'])}{flag}{marks(m)}")


def _uncertain(doc: Item, out: list[str]) -> None:
    items = doc["uncertain"]
    out.extend(["", f"## Uncertain on {doc['as_of']} ({len(items)})", ""])
    if not items:
        out.append("Nothing recorded is uncertain on this date.")
    for u in items:
        out.append(f"- may have happened, {md(u['date'])}: {md(u['summary'])}{marks(u)}")


def _withdrawn(doc: Item, out: list[str]) -> None:
    items = doc.get("withdrawn", [])
    if items:
        out.extend(["", f"## {WITHDRAWN_TITLE} ({len(items)})", ""])
        out += [f"- {md(withdrawal_text(w))}{marks(w)}" for w in items]


def render_report(doc: Item) -> str:
    """The Markdown page for ``factbase report --format md``."""
    org = f"{md(doc['org']['name'])} ({md(doc['org']['id'])})"
    at = doc["recorded"]["at"]
    known = f"as recorded at {at}" if at else "from an empty log"
    out = [f"# {org} on {doc['as_of']}", "",
           f"The organisation at the end of {doc['as_of']}, {known}, with the changes since "
           f"{doc['since']}."
           + (f" Founded {md(doc['founded'])}." if doc.get("founded") else "")
           + " Numbers in brackets are sources, listed at the end; *(reported)* marks a fact "
             "from one secondary source, *(unconfirmed)* a rumour or inference."]
    out.extend(["", "## Headline figures", ""])
    for h in doc["headline"]:
        out.append(f"- {md(h['text'])}{marks(h)}")
    _chart(doc, out)
    _tenure(doc, out)
    _changes(doc, out)
    _disputed(doc, out)
    _metrics(doc, out)
    _uncertain(doc, out)
    _withdrawn(doc, out)
    if doc["anomalies"]:
        out.extend(["", f"## Anomalies ({len(doc['anomalies'])})", ""])
        for a in doc["anomalies"]:
            out.append(f"- {md(a['code'])}: {md(a['message'])} (event {md(a['event'])})")
    if doc["sources"]:
        out.extend(["", "## Sources", ""])
        for _sid, s in sorted(doc["sources"].items(), key=lambda kv: kv[1]["n"]):
            out.append(f"{s['n']}. {source_line(s)}")
    rec = doc["recorded"]
    out.extend(["", "---", ""])
    if rec["at"] is None:
        out.append("Made with factbase from an empty log.")
    else:
        out.extend([
            f"Made with factbase from the log as recorded at {rec['at']} (event {rec['seq']}). "
            f"Chain anchor `{rec['anchor']}`: `factbase verify --check-anchor {rec['anchor']}` "
            "checks that a copy of the log still holds this history. To reproduce this "
            "report:", "", "```", f"{rec['command']} --format md", "```"])
    return "\n".join(out) + "\n"
