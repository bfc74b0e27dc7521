"""HTML for ``factbase report --format html``: one self-contained page that works offline.

Renders the document of :func:`factbase.views.report.report_document` as a single file: inline CSS,
no script, no external font, stylesheet or image, and the two drawings (the org chart and the
tenure timeline, :mod:`factbase.render.charts`) as inline SVG. A Content-Security-Policy
meta tag forbids loading or running anything beyond the page itself, as a second wall.

Every text from the log goes through :func:`factbase.core.escape.html_text` (``& < > " '``
escaped, controls made visible); source links through :func:`factbase.core.escape.html_link`, so
only ``http``/``https`` URLs become ``<a href>`` and anything else (``javascript:…``) is shown
as text. Every fact ends with its source marks (``[3]``, linked to the numbered source list at
the end); the numbers are the document's, so they match the Markdown and JSON.
"""

from __future__ import annotations

from typing import Any

from factbase.core.documents import reason_words
from factbase.core.escape import html_link, html_text
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
figure { margin: 12px 0; }
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
@media print { main { max-width: none; padding: 0; } h2 { break-after: avoid; }
  figure { break-inside: avoid; } }
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def h(text: Any) -> str:
    """Escaped text (``None`` is empty)."""
    return html_text(text)


def marks(item: Item) -> str:
    """The evidence word when below confirmed, then ``[n]`` links to the numbered sources;
    ``[no source]`` when the fact cites none."""
    ev = f' <span class="ev">({h(item["evidence"])})</span>' \
        if item.get("evidence") in ("reported", "unconfirmed") else ""
    if "notes" not in item:
        return ev  # not a cited fact (a count of nothing)
    notes = item["notes"]
    if not notes:
        return f'{ev} <span class="nosrc">[no source]</span>'
    links = "".join(f'<a href="#src-{int(n)}">[{int(n)}]</a>' for n in notes)
    return f'{ev} <sup class="fn">{links}</sup>'


def _headline(doc: Item) -> str:
    cards = []
    for line in doc["headline"]:
        cards.append(f'<li><span class="num">{int(line["value"])}</span>'
                     f'<span class="what">{h(line["label"])}</span>'
                     f'<span class="line">{h(line["text"])}{marks(line)}</span></li>')
    return ('<section id="headline"><h2>Headline figures</h2><ul class="figures">'
            + "".join(cards) + "</ul></section>")


def _person(p: Item, role: str) -> str:
    title = f" — {h(p['title'])}" if p.get("title") else ""
    return f"<li>{h(role)}: <strong>{h(p['name'])}</strong>{title}{marks(p)}</li>"


def _chart(doc: Item, svg: str) -> str:
    chart = doc["org_chart"]
    root = chart["org"]
    founded = f" (founded {h(root['founded'])}){marks(root)}" if root.get("sources") else ""
    out = [f'<section id="org-chart"><h2>Org chart on {h(doc["as_of"])}</h2>',
           f"<figure>{svg}<figcaption>Units active at the end of {h(doc['as_of'])} with their "
           "leads, core members and members; the same, with sources, in the list below."
           "</figcaption></figure>",
           f"<p><strong>{h(root['name'])}</strong>{founded}</p>", '<ul class="facts cols">']
    for p in chart["leadership"]:
        out.append(_person(p, _role_word(p["role"])))

    def unit(u: Item) -> None:
        former = f", formerly {h(', '.join(u['former_names']))}" if u["former_names"] else ""
        out.append(f"<li><strong>{h(u['name'])}</strong> ({h(words(u['kind']))}{former}, "
                   f"since {h(u['since'])}){marks(u)}")
        inner = [*(_person(p, "lead") for p in u["leads"]),
                 *(_person(p, "core member") for p in u["core_members"]),
                 *(f"<li>member: <strong>{h(p['name'])}</strong>{marks(p)}</li>"
                   for p in u["members"])]
        if inner or u["children"]:
            out.append("<ul>" + "".join(inner))
            for k in u["children"]:
                unit(k)
            out.append("</ul>")
        out.append("</li>")

    for u in chart["units"]:
        unit(u)
    if not chart["units"]:
        out.append("<li>No units recorded on this date.</li>")
    if chart["unassigned"]:
        out.append("<li>In no unit:<ul>")
        for p in chart["unassigned"]:
            roles = ", ".join(_role_word(r) for r in p["roles"] if r != "member")
            out.append(f"<li><strong>{h(p['name'])}</strong>"
                       + (f" ({h(roles)})" if roles else "") + f"{marks(p)}</li>")
        out.append("</ul></li>")
    for u in chart["ended_units"]:
        how = f"merged into {u['merged_into']}" if u["status"] == "merged" else u["status"]
        out.append(f"<li>Ended: <strong>{h(u['name'])}</strong> — {h(how)} "
                   f"{h(u['ended'])}{marks(u)}</li>")
    out.append("</ul></section>")
    return "".join(out)


def _role_word(role: str) -> str:
    return {"cofounder": "co-founder", "core_member": "core member"}.get(role, words(role))


def _tenure(doc: Item, svg: str) -> str:
    rows = doc["tenure"]
    if not rows:
        return ('<section id="tenure"><h2>Who was where, when</h2><p>Nobody recorded by this '
                "date.</p></section>")
    out = ['<section id="tenure"><h2>Who was where, when</h2>',
           f"<figure>{svg}<figcaption>Each bar is one person's time at "
           f"{h(doc['org']['name'])}; coloured bands are unit roles. Hatched: a date known only "
           "to a span (a month, or a range such as a reorganisation effective some day from the "
           "1st to the 11th) — the change happened somewhere inside it. Dotted: joined on or "
           "before the date shown, start not known. × marks a departure, on the last day of its "
           "span. Dates are as the sources give them.</figcaption></figure>",
           "<table><thead><tr><th>Person</th><th>Joined</th><th>Unit roles</th>"
           "<th>Left / status</th></tr></thead><tbody>"]
    for r in rows:
        for i, s in enumerate(r["spells"]):
            name = f"<strong>{h(r['name'])}</strong>" + (" (co-founder)" if r["cofounder"]
                                                          else "") if i == 0 else ""
            start = s["joined"] or s["first_seen"]
            if start is None:
                joined = "not recorded"
            else:
                how = "may have joined " if s["uncertain_start"] else \
                    "first recorded " if s["first_seen"] else ""
                joined = f'{how}<span class="when">{h(start["date"])}</span>{marks(start)}'
            units = "<br>".join(
                f"{h(_role_word(u['role']))}, {h(u['unit_name'])} from {h(u['from']['date'])}"
                + (f" to {h(u['to']['date'])}" if u["to"] else "") + marks(u)
                for u in s["units"]) or "—"
            if s["left"]:
                left = s["left"]
                why = h(reason_words(left["reason"], left["disputed"],
                                     left.get("reasons", [])))
                if left["disputed"]:
                    why = f'<span class="disputed">{why}</span>'
                status = (f'<span class="gone">left</span> <span class="when">'
                          f'{h(left["date"])}</span> ({why}){marks(left)}')
            elif s["may_have_left"]:
                m = s["may_have_left"]
                status = (f'may have left <span class="when">{h(m["date"])}</span> '
                          f"(uncertain){marks(m)}")
            else:
                status = h(r["status"])
            out.append(f"<tr><td>{name}</td><td>{joined}</td><td>{units}</td>"
                       f"<td>{status}</td></tr>")
    out.append("</tbody></table></section>")
    return "".join(out)


def _change_text(key: str, item: Item, to: str) -> str:
    return "".join(f"<strong>{h(t)}</strong>" if strong else h(t)
                   for t, strong in change_segments(key, item))


def _changes(doc: Item) -> str:
    ch = doc["changes"]
    out = [f'<section id="changes"><h2>Changes since {h(ch["from"])} '
           f'<span class="when">(to {h(ch["to"])})</span></h2>']
    shown = 0
    for key, title in CHANGE_SECTIONS:
        items = ch.get(key) or []
        if not items:
            continue
        shown += len(items)
        out.append(f'<h3>{h(title)} ({len(items)})</h3><ul class="facts">')
        for item in items:
            when = h(item["date"]) if item.get("date") else f"by {h(ch['to'])}"
            out.append(f'<li><span class="when">{when}</span> — '
                       f"{_change_text(key, item, ch['to'])}{marks(item)}")
            accounts = item.get("accounts") or []
            if accounts:
                out.append("<ul>" + "".join(f'<li class="acct">{h(account_text(a))}{marks(a)}'
                                            "</li>" for a in accounts) + "</ul>")
            out.append("</li>")
        out.append("</ul>")
    before, after = ch["cofounders"]["before"], ch["cofounders"]["after"]
    if before != after:
        out.append("<h3>Co-founders</h3><table><thead><tr><th>date</th><th>total</th>"
                   "<th>present</th><th>departed</th><th>sources</th></tr></thead><tbody>")
        for c in ch["cofounder_counts"]:
            out.append(f"<tr><td>{h(c['date'])}</td><td class=num>{int(c['total'])}</td>"
                       f"<td class=num>{int(c['present'])}</td>"
                       f"<td class=num>{int(c['departed'])}</td><td>{marks(c)}</td></tr>")
        out.append("</tbody></table>")
    if not shown and before == after:
        out.append("<p>No changes recorded between these dates.</p>")
    out.append("</section>")
    return "".join(out)


def _disputed(doc: Item) -> str:
    items = doc["disputed"]
    out = [f'<section id="disputed"><h2>Disputed facts ({len(items)})</h2>']
    if not items:
        out.append("<p>No fact is disputed between the sources on record.</p>")
    out.append('<ul class="facts">')
    for d in items:
        co = " (co-founder)" if d.get("cofounder") else ""
        out.append(f"<li><strong>{h(d['subject_name'])}</strong>{co}, "
                   f'<span class="when">{h(d["date"])}</span> — '
                   f'<span class="disputed">{h(d["question"])} is disputed</span>{marks(d)}<ul>')
        for a in d.get("accounts") or []:
            out.append(f'<li class="acct">{h(account_text(a))}{marks(a)}</li>')
        for c in d.get("claims") or []:
            value, who = claim_parts(c)
            out.append(f'<li class="acct">{h(value)} per {h(who)}{marks(c)}</li>')
        out.append("</ul></li>")
    out.append("</ul></section>")
    return "".join(out)


def _metrics(doc: Item) -> str:
    ms = doc["metrics"]
    out = [f'<section id="metrics"><h2>Figures, latest reported by {h(doc["as_of"])} '
           f"({len(ms)})</h2>"]
    if not ms:
        out.append("<p>No figures recorded.</p></section>")
        return "".join(out)
    out.append("<table><thead><tr><th>Subject</th><th>Figure</th><th>Value</th>"
               "<th>Reported</th><th>Sources</th></tr></thead><tbody>")
    for m in ms:
        flag = ' <span class="disputed">disputed</span>' if m.get("disputed") else ""
        out.append(f"<tr><td>{h(m['subject_name'])}</td><td>{h(words(m['metric']))}</td>"
                   f"<td>{h(m['text'])}{flag}</td>"
                   f'<td class="when">{h(m["date"])}</td><td>{marks(m)}</td></tr>')
    out.append("</tbody></table></section>")
    return "".join(out)


def _uncertain(doc: Item) -> str:
    items = doc["uncertain"]
    out = [f'<section id="uncertain"><h2>Uncertain on {h(doc["as_of"])} ({len(items)})</h2>']
    if not items:
        out.append("<p>Nothing recorded is uncertain on this date: every event so far is "
                   "dated to before its end.</p>")
    else:
        out.append("<p>Dated only to a span that includes this day: they may or may not "
                   "have happened by then, so they are listed, not applied.</p>"
                   '<ul class="facts">')
        out += [f'<li>may have happened, <span class="when">{h(u["date"])}</span>: '
                f"{h(u['summary'])}{marks(u)}</li>" for u in items]
        out.append("</ul>")
    out.append("</section>")
    return "".join(out)


def _withdrawn(doc: Item) -> str:
    items = doc.get("withdrawn", [])
    if not items:
        return ""
    return (f'<section id="withdrawn"><h2>{h(WITHDRAWN_TITLE)} ({len(items)})</h2>'
            '<ul class="facts">'
            + "".join(f"<li>{h(withdrawal_text(w))}{marks(w)}</li>" for w in items)
            + "</ul></section>")


def _sources(doc: Item) -> str:
    out = ['<section id="sources"><h2>Sources</h2><ol class="sources">']
    for _sid, s in sorted(doc["sources"].items(), key=lambda kv: kv[1]["n"]):
        title = s.get("title") or s.get("url")
        shown = html_link(s.get("url"), title) if title else "(source not described)"
        bits = [b for b in (s.get("publisher"), s.get("published")) if b]
        rest = f" — {h(' — '.join(str(b) for b in bits))}" if bits else ""
        out.append(f'<li id="src-{int(s["n"])}" value="{int(s["n"])}">{shown}{rest}</li>')
    out.append("</ol></section>")
    return "".join(out)


def _footer(doc: Item) -> str:
    rec = doc["recorded"]
    if rec["at"] is None:
        return ("<footer>Made with factbase from an empty log.</footer>")
    return (f"<footer><p>Made with factbase from the log as recorded at "
            f"<time>{h(rec['at'])}</time> (event {int(rec['seq'])}). Every fact above is "
            "replayed from sourced, immutable events.</p>"
            f"<p>Chain anchor <code>{h(rec['anchor'])}</code>: "
            f"<code>factbase verify --check-anchor {h(rec['anchor'])}</code> checks that a "
            "copy of the log still holds this history.</p>"
            f"<p>To reproduce this report: <code>{h(rec['command'])} --format html</code></p>"
            "</footer>")


def render_report(doc: Item) -> str:
    """The HTML page for ``factbase report --format html`` (one self-contained file)."""
    from factbase.render.charts import org_chart_svg, tenure_svg

    org = h(doc["org"]["name"])
    at = doc["recorded"]["at"]
    known = f"as recorded at {h(at)}" if at else "from an empty log"
    founded = f" Founded {h(doc['founded'])}." if doc.get("founded") else ""
    title = f"{org} on {h(doc['as_of'])} — factbase report"
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="generator" content="factbase">', f"<title>{title}</title>",
        f"<style>{CSS}</style></head><body><main>",
        f"<header><h1>{org} on {h(doc['as_of'])}</h1>",
        f'<p class="lede">The organisation at the end of {h(doc["as_of"])}, {known}, with the '
        f"changes since {h(doc['since'])}.{founded} Numbers in brackets are sources, listed at "
        'the end; <span class="ev">(reported)</span> marks a fact from one secondary source, '
        '<span class="ev">(unconfirmed)</span> a rumour or inference. Dates are as the sources '
        "give them (<code>2024-04</code>: some day that month; <code>../2026-02-10</code>: on "
        "or before that day).</p></header>",
        _headline(doc),
        _chart(doc, org_chart_svg(doc)),
        _tenure(doc, tenure_svg(doc) if doc["tenure"] else ""),
        _changes(doc),
        _disputed(doc),
        _metrics(doc),
        _uncertain(doc),
        _withdrawn(doc),
    ]
    if doc["anomalies"]:
        parts.append(f'<section id="anomalies"><h2>Anomalies ({len(doc["anomalies"])})</h2>'
                     '<ul class="facts">' + "".join(
                         f"<li>{h(a['code'])}: {h(a['message'])} (event {h(a['event'])})</li>"
                         for a in doc["anomalies"]) + "</ul></section>")
    parts.append(_sources(doc))
    parts.append(_footer(doc))
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
