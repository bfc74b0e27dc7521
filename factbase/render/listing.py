"""The pages of ``factbase ls``: text, JSON and CSV renderings of a
:class:`factbase.core.results.Listing` (:meth:`factbase.FactBase.ls`)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Any

from factbase.core.results import KIND_WORDS, KINDS, Item, Listing


def _total_line(listing: Listing) -> str:
    return ", ".join(f"{listing.totals[k]:,} {KINDS[k] if listing.totals[k] != 1 else k}"
                     for k in KINDS)


def render_text(listing: Listing) -> str:
    """The page ``factbase ls`` prints: the totals, then each kind with its items."""
    from factbase.core.escape import terminal_text as t

    lines = [_total_line(listing)]
    if listing.org or listing.name:
        shown = [f"in {listing.org}"] if listing.org else []
        shown += [f"named like {listing.name!r}"] if listing.name else []
        lines[0] += "; showing those " + " and ".join(t(s) for s in shown)
    for kind, items in listing.items.items():
        lines += ["", f"{KINDS[kind].capitalize()} ({len(items):,})"]
        if not items:
            lines.append("  (none)")
        width = min(max((len(i.id) for i in items), default=0), 40)
        for i in items:
            lines.append(f"  {t(i.id).ljust(width)}  {t(i.name)}{_extra(i)}")
    return "\n".join(lines) + "\n"


def _extra(i: Item) -> str:
    from factbase.core.escape import terminal_text as t

    bits: list[str] = []
    if i.kind == "organization":
        c = i.counts or {"people": 0, "units": 0, "events": 0}
        bits.append(f"{c['people']:,} {'person' if c['people'] == 1 else 'people'}, "
                    f"{c['units']:,} unit{'s' if c['units'] != 1 else ''}, "
                    f"{c['events']:,} event{'s' if c['events'] != 1 else ''}")
    elif i.kind == "source":
        bits += [t(i.detail[k]) for k in ("publisher", "published") if k in i.detail]
        n = i.counts.get("cited_by", 0)
        bits.append(f"cited by {n:,} event{'s' if n != 1 else ''}")
    elif i.orgs:
        bits.append("in " + ", ".join(t(o) for o in i.orgs))
    if "formerly" in i.detail:
        bits.append(f"formerly {t(i.detail['formerly'])}")
    if "merged_into" in i.detail:
        bits.append(f"merged into {t(i.detail['merged_into'])}")
    return (" — " + "; ".join(bits)) if bits else ""


def render_json(listing: Listing) -> str:
    """The same as JSON: ``{"totals": {...}, "org", "name", "<plural kind>": [items]}``."""
    from factbase.core.escape import json_safe

    doc: dict[str, Any] = {"totals": {KINDS[k]: v for k, v in listing.totals.items()},
                           "org": listing.org, "name": listing.name}
    for kind, items in listing.items.items():
        doc[KINDS[kind]] = [{**{k: v for k, v in asdict(i).items() if k != "orgs"},
                             "orgs": list(i.orgs)} for i in items]
    return json_safe(json.dumps(doc, ensure_ascii=False, indent=2)) + "\n"


CSV_COLUMNS = ("kind", "id", "name", "orgs", "people", "units", "events", "cited_by",
               "publisher", "published", "url", "merged_into")


def render_csv(listing: Listing) -> str:
    """The same as one CSV table, a row per item (columns :data:`CSV_COLUMNS`; ``orgs``
    joined by ``;``), cells guarded for spreadsheets."""
    from factbase.core.escape import csv_cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for items in listing.items.values():
        for i in items:
            row: dict[str, Any] = {"kind": i.kind, "id": i.id, "name": i.name,
                                   "orgs": ";".join(i.orgs), **i.counts, **i.detail}
            writer.writerow([csv_cell(row.get(c)) for c in CSV_COLUMNS])
    return out.getvalue()



__all__ = ["CSV_COLUMNS", "KIND_WORDS", "render_csv", "render_json", "render_text"]
