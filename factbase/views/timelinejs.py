"""The TimelineJS export: Knight Lab's TimelineJS3 JSON, written for readers.

One slide per dated event (as corrected; retracted ones left out), optionally only those of one
organisation (``org``), naming one person (``person``) or overlapping a span of days
(``start``/``end``). The title and description say what was chosen and how many events, as
the log stood at which recorded time. Each slide has:

* a headline of at most :data:`HEADLINE_MAX` characters (the event in plain words, shortened
  at a word with ``…``), and in the text the full summary, the accounts of a disputed fact,
  the note, the announced date, the evidence and the footnotes (source titles as links);
* dates as TimelineJS places them (:func:`timelinejs_dates`) and shown in words
  (:func:`factbase.core.dates.display_date`: "on or before 10 February 2026", "February 2026");
* figures with readable names and units (:func:`factbase.core.documents.figure_words`);
* no internal ids anywhere a reader looks (``unique_id`` is a slide anchor, not shown).

With an organisation chosen and reorganisations in its log, ``eras`` mark its periods: from
the founding (or first event) to the first reorganisation, between reorganisations, and
after the last. Every text is HTML-escaped (TimelineJS renders these fields as HTML), only
``http(s)`` sources become links, ``autolink`` is off. Reads only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date
from typing import Any, TextIO

from factbase.core.anchor import Anchor
from factbase.core.dates import PartialDate, display_date, parse_date
from factbase.core.documents import figure_words, reason_words, summarize
from factbase.core.escape import html_link, html_text, json_safe
from factbase.core.events import Event
from factbase.core.replay import departure_reason

#: The longest headline, in characters (TimelineJS shows it in large type on one or two lines).
HEADLINE_MAX = 90


def _tl_date(day: date, precision: str) -> dict[str, int]:
    out = {"year": day.year}
    if precision in ("month", "day"):
        out["month"] = day.month
    if precision == "day":
        out["day"] = day.day
    return out


def timelinejs_dates(d: PartialDate) -> dict[str, Any]:
    """``start_date`` (and ``end_date``) and ``display_date`` of a TimelineJS slide for ``d``.

    A plain day, month or year gives only the parts it has (``2026-02`` → year and month). An
    approximate or uncertain date (``2026-02~``) is placed at its nominal date. A range is
    ``start_date``/``end_date`` (days); an open side is left out (``../2026-02-10`` is placed
    on 2026-02-10). ``display_date`` is always the date in words (:func:`display_date`), so
    readers never see EDTF."""
    shown = {"display_date": html_text(display_date(d))}
    if d.precision != "range" and d.qualifier is None:
        return {"start_date": _tl_date(d.start, d.precision), **shown}
    if d.precision != "range":
        try:
            start = parse_date(d.edtf.rstrip("~?%")).start
        except ValueError:
            start = d.start
        return {"start_date": _tl_date(start, d.precision), **shown}
    out: dict[str, Any] = {}
    if d.start == date.min:
        out["start_date"] = _tl_date(d.end, "day")
    else:
        out["start_date"] = _tl_date(d.start, "day")
        if d.end not in (date.max, d.start):
            out["end_date"] = _tl_date(d.end, "day")
    return {**out, **shown}


def shorten(text: str, limit: int = HEADLINE_MAX) -> str:
    """``text`` itself if it has at most ``limit`` characters, else cut at the last word that
    fits with ``…`` added (at most ``limit`` characters in all)."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:—-([") + "…"


def _n(names: Mapping[str, str], value: Any) -> str:
    return names.get(value, value) if isinstance(value, str) else ""


def headline(e: Event, names: Mapping[str, str]) -> str:
    """The slide's headline: what happened, in words, at most :data:`HEADLINE_MAX` characters.
    Long kinds (a founding with its co-founders, a reorganisation, a meeting, a statement, a
    figure) get a short form of their own; any other summary is shortened at a word."""
    p = e.payload
    org = _n(names, p.get("org") or e.stream)
    if e.type == "org.founded":
        text = f"{org} founded by {len(p.get('founders', []))} co-founders"
    elif e.type == "reorg.announced":
        text = f"{org} announces a reorganisation"
    elif e.type == "meeting.held":
        text = f"{str(p.get('kind', 'meeting')).replace('_', '-')} meeting of {org}"
    elif e.type == "statement.made":
        text = f"{_n(names, p.get('person'))}: {p.get('summary', '')}"
    elif e.type == "metric.reported":
        text = figure_words(p, names)
    elif e.type == "person.left":
        reason, disputed = departure_reason(p)
        why = "reason disputed" if disputed else reason_words(reason, unknown="reason unknown")
        text = f"{_n(names, p.get('person'))} left {org} ({why})"
    else:
        text = summarize(e.type, p, names)
    return shorten(text)


def _source_html(sid: str, sources: Mapping[str, Any]) -> str:
    s = sources.get(sid)
    if s is None:
        return "a source no longer in the log"
    title = s.title or s.url or "untitled source"
    extra = ", ".join(x for x in (s.publisher, display_date(parse_date(s.published))
                                  if s.published else None) if x)
    return html_link(s.url, title) + (f" — {html_text(extra)}" if extra else "")


def _body(e: Event, head: str, names: Mapping[str, str], sources: Mapping[str, Any]) -> str:
    p = e.payload
    parts = []
    full = figure_words(p, names) if e.type == "metric.reported" else \
        summarize(e.type, p, names)
    if e.type == "person.left":
        full = summarize(e.type, p, names)
    if full != head:
        parts.append(f"<p>{html_text(full)}</p>")
    if e.type == "person.left" and p.get("accounts"):
        if departure_reason(p)[1]:
            parts.append("<p>The accounts differ:</p>")
        for a in p.get("accounts", []):
            said = f" ({a['reason'].replace('_', ' ')})" if a.get("reason") else ""
            parts.append(f"<p>Per {html_text(_n(names, a.get('by')))}{html_text(said)}: "
                         f"{html_text(a.get('says', ''))} "
                         f"[{_source_html(a.get('source', ''), sources)}]</p>")
    if p.get("note"):
        parts.append(f"<p>{html_text(p['note'])}</p>")
    facts = []
    if p.get("announced"):
        try:
            facts.append(f"Announced {html_text(display_date(parse_date(p['announced'])))}.")
        except ValueError:
            facts.append(f"Announced {html_text(p['announced'])}.")
    if e.evidence:
        facts.append(f"Evidence: {html_text(e.evidence)}.")
    if facts:
        parts.append(f"<p>{' '.join(facts)}</p>")
    if e.sources:
        notes = "".join(f"<li>{_source_html(s, sources)}</li>" for s in e.sources)
        parts.append(f"<p>Sources:</p><ol>{notes}</ol>")
    return "".join(parts)


def _eras(evs: list[Event], org: str, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """The organisation's periods between its reorganisations (none without one)."""
    reorgs = [e for e in evs if e.type == "reorg.announced" and e.stream == org]
    if not reorgs:
        return []
    founding = next((e for e in evs if e.type == "org.founded" and e.stream == org), None)
    first = founding or evs[0]
    assert first.date is not None
    last_day = max(e.date.end if e.date.end != date.max else e.date.start
                   for e in evs if e.date is not None)
    name = _n(names, org)
    eras = []
    start, label = first.date.start, f"{name} from its founding" if founding else name
    for r in reorgs:
        assert r.date is not None
        day = r.date.end if r.date.end != date.max else r.date.start
        if day > start:
            eras.append((start, day, label))
        start = day
        label = f"after the reorganisation of {display_date(r.date)}"
    if last_day > start:
        eras.append((start, last_day, label))
    return [{"start_date": _tl_date(a, "day"), "end_date": _tl_date(b, "day"),
             "text": {"headline": html_text(shorten(lbl))}} for a, b, lbl in eras]


def _title(count: int, org: str | None, person: str | None, start: date | None,
           end: date | None, recorded: str, names: Mapping[str, str]) -> dict[str, Any]:
    who = _n(names, person) if person else None
    where = _n(names, org) if org else None
    headline = f"{who} at {where}" if who and where else \
        f"{who or where}: a timeline" if who or where else "A timeline"
    when = ""
    if start and end:
        when = f" from {display_date(parse_date(start))} to {display_date(parse_date(end))}"
    elif start:
        when = f" from {display_date(parse_date(start))}"
    elif end:
        when = f" up to {display_date(parse_date(end))}"
    what = f"{count} event{'' if count == 1 else 's'}"
    about = f" naming {who}" if who else ""
    of = f" of {where}" if where else ""
    line = f"{what}{of}{about}{when}, as the log stood at {recorded}."
    return {"text": {"headline": html_text(shorten(headline)),
                     "text": f"<p>{html_text(line)}</p>"}}


def recorded_words(anchor: Anchor) -> str:
    """When the log stood as an output shows it, for readers: ``4 December 2026, 22:31:05
    UTC (entry 79)``; ``an empty log`` when nothing was recorded."""
    if anchor.recorded_at is None:
        return "an empty log"
    t = anchor.recorded_at.astimezone(UTC)
    return f"{display_date(parse_date(t.date()))}, {t:%H:%M:%S} UTC (entry {anchor.seq})"


def timelinejs_document(evs: list[Event], *, anchor: Anchor, names: Mapping[str, str],
                        sources: Mapping[str, Any], org: str | None = None,
                        person: str | None = None, start: date | None = None,
                        end: date | None = None) -> dict[str, Any]:
    """The TimelineJS3 JSON document (``title``, ``events``, and ``eras`` when ``org`` has
    reorganisations) for the dated events ``evs`` (:meth:`FactBase.timeline` as known at the
    recorded time of ``anchor``: corrections applied, retractions left out, disputed accounts
    shown), with the display ``names`` and ``sources``. ``org`` and ``person`` (ids) and
    ``start``/``end`` (days, inclusive) are what chose ``evs``, said in the title.
    :meth:`FactBase.export` reads them all and calls this. Pure."""
    slides = []
    for e in evs:
        assert e.date is not None
        head = headline(e, names)
        group = _n(names, e.payload.get("org") or e.stream)
        slides.append({
            **timelinejs_dates(e.date),
            "text": {"headline": html_text(head), "text": _body(e, head, names, sources)},
            "group": html_text(group),
            "unique_id": e.event_id,
            "autolink": False,
        })
    recorded = recorded_words(anchor)
    doc: dict[str, Any] = {
        "title": _title(len(slides), org, person, start, end, recorded, names),
        "events": slides,
    }
    eras = _eras(evs, org, names) if org and evs else []
    if eras:
        doc["eras"] = eras
    return doc


def write_timelinejs(doc: Mapping[str, Any], out: TextIO) -> int:
    """Write :func:`timelinejs_document` ``doc`` as JSON to ``out``; returns the number of
    slides."""
    out.write(json_safe(json.dumps(doc, ensure_ascii=False, indent=2)) + "\n")
    return len(doc["events"])


__all__ = ["HEADLINE_MAX", "headline", "shorten", "timelinejs_dates", "timelinejs_document",
           "write_timelinejs"]
