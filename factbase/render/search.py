"""The pages of ``factbase search``: text and JSON renderings of the hits
(:class:`factbase.core.results.Hit`) of :meth:`factbase.FactBase.search`."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date

from factbase.core.escape import json_safe, terminal_doc, terminal_text
from factbase.core.results import Hit


def render_text(hits: list[Hit], query: str) -> str:
    """Hits as numbered blocks: label, date and certainty; the text; the sources."""
    if not hits:
        return f"no hits for '{terminal_text(query)}'\n"
    lines = []
    for i, hit in enumerate(hits, start=1):
        h = Hit(**terminal_doc(asdict(hit)))  # printed on a terminal: no controls, one line
        when = f" · {h.date}" if h.date else ""
        maybe = " (uncertain at the as-of date)" if h.certainty == "uncertain" else ""
        lines.append(f"{i}. [{h.kind}] {h.ref} · {h.title}{when}{maybe}")
        lines.append(f"   {h.text}")
        if h.sources:
            cited = "; ".join(f"{s['title']} ({s['id']})" if s.get("title") else s["id"]
                              for s in h.sources[:2])
            more = f"; and {len(h.sources) - 2} more" if len(h.sources) > 2 else ""
            lines.append(f"   {'source' if len(h.sources) == 1 else 'sources'}: {cited}{more}")
    return "\n".join(lines) + "\n"


def render_json(hits: list[Hit], query: str, as_of: date | None) -> str:
    return json_safe(json.dumps({"query": query, "as_of": as_of.isoformat() if as_of else None,
                                 "hits": [h.as_dict() for h in hits]},
                                ensure_ascii=False, indent=2)) + "\n"


__all__ = ["render_json", "render_text"]
