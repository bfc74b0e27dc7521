"""The output of ``factbase sql``: rows as an aligned ``table``, ``csv`` or ``json``, written
as they come (:meth:`factbase.FactBase.sql_stream`) or from a whole
:class:`factbase.core.results.QueryResult` (:meth:`factbase.FactBase.sql`)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from factbase.core.documents import plain as _plain
from factbase.core.errors import FactbaseError
from factbase.core.escape import csv_cell, json_safe, visible_controls
from factbase.core.results import QueryResult

FORMATS = ("table", "csv", "json")
#: Longest cell the table format shows (csv and json give every value whole).
MAX_CELL = 80
#: Rows the table format shows by default (it must hold them all to align the columns).
TABLE_LIMIT = 10_000
#: Rows written at a time (csv and json).
BATCH = 1_000


def render(result: QueryResult, fmt: str) -> str:
    """``result`` as ``table`` (aligned columns), ``csv`` (a header row, then the rows) or
    ``json`` (a list of objects, one per row). Ends with a newline unless empty; a table
    cut short by a limit (``truncated``) ends with a line saying so."""
    out: list[str] = []
    write(result.columns, iter(result.rows), fmt, out.append)
    if result.truncated and fmt == "table":
        out.append(truncation_note(len(result.rows)))
    return "".join(out)


def truncation_note(shown: int) -> str:
    """The line under a table that a limit cut short."""
    return f"… {shown:,} of more rows shown; use --limit or --format csv\n"


def write(columns: list[str], rows: Iterator[tuple[Any, ...]], fmt: str,
          out: Callable[[str], object], limit: int | None = None) -> tuple[int, bool]:
    """Write ``rows`` as ``fmt`` (see :func:`render`) through ``out``, at most ``limit`` of
    them; returns how many were written and whether more followed. csv and json are
    written as the rows come, a batch at a time (memory bounded whatever their number); the
    table needs every row it shows to align the columns, so the caller bounds it with
    ``limit``."""
    kept = itertools.islice(rows, limit) if limit is not None else rows
    n = 0
    if fmt == "table":
        shown = list(kept)
        n = len(shown)
        out(_table(columns, shown))
    elif fmt == "csv":
        # Text guarded against spreadsheet formulas; numbers stay numbers (by type).
        out(_csv_line(columns))
        for batch in _batches(kept):
            out("".join(_csv_line([csv_cell(None if v is None else _plain(v)) for v in row])
                        for row in batch))
            n += len(batch)
    elif fmt == "json":
        # json.dumps(list, indent=2) written one object at a time: the same text.
        for batch in _batches(kept):
            text = ",\n".join(
                "  " + json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False,
                                  indent=2, default=_plain).replace("\n", "\n  ")
                for row in batch)
            out(json_safe(("[\n" if n == 0 else ",\n") + text))
            n += len(batch)
        out("[]\n" if n == 0 else "\n]\n")
    else:
        raise FactbaseError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    more = limit is not None and next(rows, None) is not None
    return n, more


def _batches(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    while batch := list(itertools.islice(rows, BATCH)):
        yield batch


def _csv_line(values: Sequence[Any]) -> str:
    """One CSV row ending in ``\\n``. Written with a ``\\r\\n`` terminator and cut back, because
    the csv module quotes a cell only for the terminator's characters: with ``\\n`` alone, a
    cell holding a lone CR would be written bare and split the row in a spreadsheet."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(values)
    return buf.getvalue()[:-2] + "\n"


def _cell(value: Any) -> str:
    """A table cell: one line, controls made visible (the table goes to a terminal), and a
    value wider than :data:`MAX_CELL` cut, visibly and with its length: ``nnn… (100,000
    chars)``. Linear in the value's length."""
    if value is None:
        return ""
    text = str(_plain(value))
    shown = " ".join(visible_controls(text).split())  # one line per row
    if width(shown) > MAX_CELL:
        more = f"… ({len(text):,} chars)"
        keep = MAX_CELL - width(more)
        shown = shown[:keep]  # at most `keep` characters, so at most `keep` columns wide...
        while width(shown) > keep:  # ...then drop wide ones until it fits
            shown = shown[:-1]
        shown += more
    return shown


def width(text: str) -> int:
    """Display width in a terminal: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    numeric = [bool(rows) and all(isinstance(r[i], int | float | Decimal) or r[i] is None
                                  for r in rows) for i in range(len(columns))]
    widths = [max([width(c), *(width(r[i]) for r in cells)]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        padded = []
        for i, v in enumerate(values):
            pad = " " * (widths[i] - width(v))
            padded.append(pad + v if numeric[i] else v + pad)
        return "  ".join(padded).rstrip()

    out = [line(columns), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    return "\n".join(out) + "\n"
