"""What ``factbase import wikidata`` prints of an import
(:meth:`factbase.FactBase.import_wikidata`)."""

from __future__ import annotations

from factbase.io.wikidata import ImportResult


def summary_lines(result: ImportResult) -> list[str]:
    """The report ``factbase import wikidata`` prints: a line per document (its entity, the
    events it gave, what was skipped or noted and why), then the totals."""
    lines = []
    for r in result.plan.reports:
        by_type = ", ".join(f"{n} {t}" for t, n in sorted(r.events.items()))
        fresh = r.total - r.present - r.corrected
        head = (f"{r.qid} ({r.name or 'no label'}) → {r.entity}, {r.kind}: {r.total} event"
                f"{'s' if r.total != 1 else ''}" + (f" ({by_type})" if by_type else ""))
        if r.present or r.corrected:
            head += f"; {fresh} new, {r.present} already imported"
            if r.corrected:
                head += f", {r.corrected} corrected"
        lines.append(head)
        for note, n in sorted(r.notes.items()):
            lines.append(f"  {n} × {note}")
    for note, n in sorted(result.plan.notes.items()):
        lines.append(f"{n} × {note}" if n > 1 else note)
    if result.plan.placeholders:
        shown = ", ".join(result.plan.placeholders[:8])
        more = len(result.plan.placeholders) - 8
        lines.append(f"{len(result.plan.placeholders)} entities named by their Q-id, their "
                     f"documents not being given ({shown}{f', … {more} more' if more > 0 else ''}"
                     "): import their documents to name them")
    return lines


__all__ = ["summary_lines"]
