"""The report's two drawings, as inline SVG made with matplotlib: the org chart on D and the
tenure timeline (who was where, when; departures marked).

Both are drawn from the report document (:func:`factbase.views.report.report_document`) with
matplotlib's SVG canvas, chosen explicitly (:class:`FigureCanvasSVG`; no pyplot, no global
backend switch) and with ``svg.fonttype = 'none'``, so every name stays text in the SVG: it
can be searched, selected and read by a screen reader, and a name in any script (吴宇怀)
renders with whatever font the reader's browser has for it even when this machine has no CJK
font (matplotlib then only measures it with a fallback font; the layout may be a little off,
the text is never lost). Names are drawn with ``parse_math=False`` (a ``$`` stays a dollar),
invisible controls made visible, and matplotlib's SVG writer escapes ``<``, ``>`` and ``&``.

Honest dates (DESIGN §2): a joining or departure known only to a span (a month, a range) is
drawn as a hatched segment over that span; a departure known to the month ends inside that
month with its mark (×) on the span's last day; a start known only as "on or before" is a
dotted line from the left edge; a departure that may have happened by D is hatched up to D
with a ``?``. Output is deterministic (fixed id salt, no creation date).
"""

from __future__ import annotations

import io
import re
import textwrap
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, cast

import matplotlib
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch, Rectangle
from matplotlib.transforms import blended_transform_factory

from factbase.core.dates import shift_day
from factbase.core.documents import reason_words
from factbase.core.escape import html_attr, html_text, visible_controls

Item = dict[str, Any]

#: Fonts with CJK glyphs, used (in this order) when installed, after DejaVu Sans.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Source Han Sans SC",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback",
             "AR PL UMing CN")
#: The most rows the tenure timeline draws (the rest are in the text and the JSON).
MAX_TENURE_ROWS = 60
#: The most names a unit box lists per role before "+N more".
MAX_NAMES = 4
UNIT_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#e15759", "#76b7b2",
                "#edc948", "#ff9da7", "#9c755f", "#bab0ac")
KIND_FILL = {"division": "#e8f0fa", "support_team": "#eaf5e6"}
INK, MUTED, PRESENT, COFOUNDER, GONE = "#1f2933", "#52606d", "#7b8794", "#3e4c59", "#c0392b"


def label(text: Any, width: int | None = None) -> str:
    """Text for a drawing: controls made visible, one line, shortened to ``width`` with an
    ellipsis (the full text is in the report's text sections)."""
    flat = " ".join(visible_controls(str(text)).split())
    if width is not None and len(flat) > width:
        return flat[: width - 1].rstrip() + "…"
    return flat


def cjk_fonts() -> list[str]:
    """The CJK-capable font families installed here (matplotlib's font list)."""
    have = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in CJK_FONTS if f in have]


@contextmanager
def _style(salt: str) -> Iterator[None]:
    with matplotlib.rc_context({
        "svg.fonttype": "none",  # text stays text
        "svg.hashsalt": salt,  # stable ids, distinct per drawing (two SVGs on one page)
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", *cjk_fonts()],
        "font.size": 9,
        "hatch.linewidth": 0.8,
        "axes.edgecolor": "#cbd2d9",
    }), warnings.catch_warnings():
        # Without a CJK font matplotlib warns per missing glyph; the SVG keeps the text.
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from")
        yield


#: The smallest scale a drawing is shown at (of its natural size): its 8 pt labels stay
#: 9 px or more; the report's ``<figure>`` scrolls sideways below that width.
READABLE = 0.85


def _svg(fig: Figure, title: str, tips: Sequence[str] = ()) -> str:
    """The figure as an ``<svg>`` element to inline in HTML: no XML prolog or DOCTYPE, no
    metadata, width 100% (scales with the page) between :data:`READABLE` of its natural size
    (96 px per inch) and that size, a ``<title>`` for screen readers. ``tips[k]`` becomes the
    ``<title>`` (the tooltip: full, unshortened text) of the artists drawn with the gid
    ``fbtip-k`` or ``fbtip-k-i``."""
    FigureCanvasSVG(fig)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None,
                                             "Format": None, "Type": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    head_end = svg.index(">")
    head = re.sub(r'\s(width|height)="[^"]*"', "", svg[:head_end])
    if tips:
        svg = re.sub(r'<g id="fbtip-(\d+)(-\d+)?">',
                     lambda m: f"{m.group()}<title>{html_attr(tips[int(m.group(1))])}</title>",
                     svg)
    # Scales down with the page, never up past its natural size (96 px per inch), nor below
    # READABLE of it: on a narrower screen (a phone) the figure scrolls sideways instead.
    natural = round(fig.get_figwidth() * 96)
    least = round(natural * READABLE)
    return (f'{head} width="100%" style="max-width: {natural}px; min-width: {least}px" '
            'role="img">'
            f"<title>{html_text(title)}</title>" + svg[head_end + 1:])


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _text(ax: Axes, x: float, y: float, s: str, **kw: Any) -> None:
    ax.text(x, y, s, parse_math=False, **kw)


# --- the org chart ------------------------------------------------------------------------

_BOX_W = 2.25  # inches
_GAP_X = 0.25
_LINE = 0.18
_PAD = 0.08
_PER_ROW = 5
_GAP_Y = 0.38


def _unit_lines(u: Item) -> list[tuple[str, str]]:
    """(style, text) lines of a unit box: its name, kind and date, then its people."""
    lines = [("name", t) for t in textwrap.wrap(label(u["name"]), 28) or [""]]
    lines.append(("meta", label(u["kind"].replace("_", " "), 36)))
    lines.append(("meta", label(f"since {u['since']}", 36)))

    def names(role: str, people: Sequence[Item]) -> None:
        shown = [label(p["name"], 24) for p in people[:MAX_NAMES]]
        more = f" +{len(people) - MAX_NAMES} more" if len(people) > MAX_NAMES else ""
        for i, n in enumerate(shown):
            end = more if i == len(shown) - 1 else ""
            # No-break spaces: SVG collapses ordinary ones, and the names should line up.
            lines.append(("person", f"{role if i == 0 else chr(0xA0) * (len(role) + 1)} "
                                    f"{n}{end}"))

    names("lead:", u["leads"])
    names("core:", u["core_members"])
    names("member:", u["members"])
    return lines


def _flatten(u: Item, depth: int = 0) -> list[tuple[int, Item]]:
    out = [(depth, u)]
    for k in u["children"]:
        out += _flatten(k, depth + 1)
    return out


def _box(ax: Axes, x: float, y_top: float, w: float, lines: list[tuple[str, str]],
         fill: str, dashed: bool = False, tip: int | None = None) -> float:
    """Draw a box whose top-left corner is (x, y_top) (y grows downwards); return its
    height. ``tip``: the index of its tooltip (:func:`_svg`)."""
    h = _PAD * 2 + _LINE * len(lines)
    patch = FancyBboxPatch((x, y_top), w, h, boxstyle="round,pad=0,rounding_size=0.06",
                           facecolor=fill, edgecolor="#9aa5b1",
                           linestyle="--" if dashed else "-", linewidth=0.8)
    if tip is not None:
        patch.set_gid(f"fbtip-{tip}")
    ax.add_patch(patch)
    for i, (style, text) in enumerate(lines):
        weight = "bold" if style in ("name", "root") else "normal"
        colour = MUTED if style == "meta" else INK
        size = 12 if style == "root" else 8.5 if style == "meta" else 9.5
        _text(ax, x + _PAD, y_top + _PAD + _LINE * (i + 0.5), text, va="center", ha="left",
              fontsize=size, fontweight=weight, color=colour,
              gid=None if tip is None else f"fbtip-{tip}-{i}")
    return h


def _unit_tip(u: Item) -> str:
    """A unit box's tooltip: its name, kind and date and all its people, unshortened."""
    people = [f"{role} {', '.join(' '.join(str(p['name']).split()) for p in u[key])}"
              for role, key in (("lead:", "leads"), ("core:", "core_members"),
                                ("member:", "members")) if u[key]]
    return "; ".join([f"{' '.join(str(u['name']).split())} ({u['kind'].replace('_', ' ')}, since "
                      f"{u['since']})", *people])


def org_chart_svg(doc: Item) -> str:
    """The org chart on D as an ``<svg>`` element: the organisation at the top (with its
    organisation-level roles and the people in no unit beside it), then its top-level units in
    rows by kind, each with its sub-units stacked beneath it."""
    chart = doc["org_chart"]
    tops = chart["units"]
    rows: list[list[Item]] = []
    for u in tops:
        if rows and rows[-1][0]["kind"] == u["kind"] and len(rows[-1]) < _PER_ROW:
            rows[-1].append(u)
        else:
            rows.append([u])
    columns = max([len(r) for r in rows] or [1])
    width = max(columns * (_BOX_W + _GAP_X) + 0.6, 7.0)

    root = [("root", label(chart["org"]["name"], 30)),
            ("meta", f"as of {doc['as_of']}"),
            ("meta", f"{_count(doc['figures']['people_present'], 'person', 'people')} · "
                     f"{_count(doc['figures']['units'], 'unit', 'units')}")]
    if doc["figures"]["cofounders_total"]:
        root.append(("meta", f"co-founders: {doc['figures']['cofounders_present']} present, "
                             f"{doc['figures']['cofounders_departed']} departed"))
    side: list[tuple[str, str]] = []
    for h in chart["leadership"][:MAX_NAMES]:
        title = h.get("title") or h["role"].replace("_", " ")
        wrapped = textwrap.wrap(label(f"{h['name']} — {title}"), 44)
        side += [("person", t if i == 0 else "   " + t) for i, t in enumerate(wrapped[:3])]
    if len(chart["leadership"]) > MAX_NAMES:
        side.append(("meta", f"+{len(chart['leadership']) - MAX_NAMES} more"))
    if chart["unassigned"]:
        side.append(("meta", "in no unit:"))
        for p in chart["unassigned"][:MAX_NAMES * 2]:
            side.append(("person", label(p["name"], 40)))
        if len(chart["unassigned"]) > MAX_NAMES * 2:
            side.append(("meta", f"+{len(chart['unassigned']) - MAX_NAMES * 2} more"))
    if chart["leadership"]:
        side.insert(0, ("name", "Organisation-level roles"))

    # Heights first (y grows downwards; inverted axis below).
    row_boxes = [[[_unit_lines(s) for _, s in _flatten(u)] for u in r] for r in rows]
    root_h = _PAD * 2 + _LINE * len(root)
    side_h = _PAD * 2 + _LINE * len(side) if side else 0
    top_h = max(root_h, side_h)
    row_h = [max(sum(_PAD * 2 + _LINE * len(b) + 0.2 for b in col) for col in r)
             for r in row_boxes]
    height = 0.3 + top_h + sum(h + _GAP_Y for h in row_h) + (0.1 if rows else 0.5)
    with _style("orgchart"):
        fig = Figure(figsize=(width, height))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)
        ax.axis("off")
        root_x = 0.3
        _box(ax, root_x, 0.2, _BOX_W + 0.4, root, "#d9e2ec")
        if side:
            _box(ax, root_x + _BOX_W + 0.4 + _GAP_X * 2, 0.2, _BOX_W * 1.45, side, "#f5f7fa",
                 dashed=True)
        trunk_x = root_x + 0.15
        tips: list[str] = []
        y = 0.2 + top_h + _GAP_Y
        last_bus = 0.2 + root_h
        for r, cols, rh in zip(rows, row_boxes, row_h, strict=True):
            bus_y = y - 0.2
            centres = [0.3 + i * (_BOX_W + _GAP_X) + _BOX_W / 2 for i in range(len(r))]
            ax.plot([trunk_x, trunk_x], [last_bus, bus_y], color="#9aa5b1", lw=0.8)
            ax.plot([trunk_x, max(centres)], [bus_y, bus_y], color="#9aa5b1", lw=0.8)
            last_bus = bus_y
            for i, (u, col) in enumerate(zip(r, cols, strict=True)):
                x = 0.3 + i * (_BOX_W + _GAP_X)
                ax.plot([centres[i], centres[i]], [bus_y, y], color="#9aa5b1", lw=0.8)
                yy = y
                for (depth, sub), lines in zip(_flatten(u), col, strict=True):
                    indent = min(depth, 3) * 0.18
                    if depth:
                        ax.plot([x + indent - 0.09, x + indent - 0.09, x + indent],
                                [yy - 0.2, yy + 0.15, yy + 0.15], color="#9aa5b1", lw=0.8)
                    tips.append(_unit_tip(sub))
                    yy += _box(ax, x + indent, yy, _BOX_W - indent, lines,
                               KIND_FILL.get(sub["kind"], "#f0f4f8"), tip=len(tips) - 1) + 0.2
            y += rh + _GAP_Y
        if not rows:
            _text(ax, root_x, 0.2 + top_h + 0.3, "No units recorded on this date.",
                  color=MUTED, va="center")
        return _svg(fig, f"Org chart of {label(chart['org']['name'])} on {doc['as_of']}", tips)


# --- the tenure timeline ------------------------------------------------------------------


def _day(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


# matplotlib.dates is not annotated; typed aliases keep mypy --strict meaningful here.
_date2num = cast(Callable[[date], float], mdates.date2num)
_AutoDateLocator = cast(Callable[..., Any], mdates.AutoDateLocator)
_ConciseDateFormatter = cast(Callable[[Any], Any], mdates.ConciseDateFormatter)


def _x(d: date) -> float:
    return float(_date2num(d))


def _segments(spell: Item, as_of: date, left_edge: date) -> list[tuple[str, date, date]]:
    """(style, from, to) pieces of one spell, ``to`` exclusive: ``solid`` (certainly present),
    ``span`` (a date known only to this span), ``open`` (start unknown: on or before)."""
    start = spell["joined"] or spell["first_seen"] or {}
    a, b = _day(start.get("start")), _day(start.get("end"))
    end_of_day = shift_day(as_of, 1)
    out: list[tuple[str, date, date]] = []
    if spell.get("uncertain_start"):
        return [("span", a or left_edge, end_of_day)]
    if b is None:  # no start at all (a departure with no joining): nothing certain to draw
        b = left_edge
    elif a is None:
        out.append(("open", left_edge, b))
    elif a < b:
        out.append(("span", a, b))
    solid_from = b
    if spell["left"]:
        c = _day(spell["left"]["start"]) or solid_from
        e = shift_day(_day(spell["left"]["end"]) or c, 1)
        out.append(("solid", solid_from, max(c, solid_from)))
        if e > shift_day(c, 1):
            out.append(("span", max(c, solid_from), e))
    elif spell["may_have_left"]:
        c = _day(spell["may_have_left"]["start"]) or solid_from
        out.append(("solid", solid_from, max(c, solid_from)))
        out.append(("span", max(c, solid_from), end_of_day))
    else:
        out.append(("solid", solid_from, end_of_day))
    return [s for s in out if s[2] > s[1]]


def _right_label(row: Item) -> str:
    last = row["spells"][-1]
    if last["left"]:
        left = last["left"]
        why = reason_words(left["reason"], left["disputed"], short=True)
        return label(f"left {left['date']} · {why}", 40)
    if last["may_have_left"]:
        return label(f"may have left {last['may_have_left']['date']}", 40)
    units = [u for u in last["units"] if u["to"] is None]
    if units:
        return label("; ".join(f"{u['role'].replace('_', ' ')}, {u['unit_name']}"
                               for u in units), 40)
    return "may have joined" if row["status"] == "may have joined" else "present"


def tenure_svg(doc: Item) -> str:
    """The tenure timeline as an ``<svg>`` element: one row per person (up to
    :data:`MAX_TENURE_ROWS`), the whole history on the left and the window since D0 enlarged on
    the right; unit roles as coloured bands inside the bars."""
    rows = doc["tenure"][:MAX_TENURE_ROWS]
    as_of, since = date.fromisoformat(doc["as_of"]), date.fromisoformat(doc["since"])
    starts = [_day(s.get("start") or s.get("end")) for r in rows for sp in r["spells"]
              for s in (sp["joined"], sp["first_seen"]) if s]
    first = min([d for d in starts if d] + [since])
    left_edge = shift_day(min(first, since), -30)
    right_edge = shift_day(as_of, 12)
    unit_ids = list(dict.fromkeys(u["unit"] for r in rows for sp in r["spells"]
                                  for u in sp["units"]))
    colour = {u: UNIT_COLOURS[i % len(UNIT_COLOURS)] for i, u in enumerate(unit_ids)}
    unit_name = {u["unit"]: u["unit_name"] for r in rows for sp in r["spells"]
                 for u in sp["units"]}
    n = max(len(rows), 1)
    height = 1.1 + 0.3 * n
    with _style("tenure"):
        fig = Figure(figsize=(12, height))
        bottom, top = 0.75 / height, 1 - 0.35 / height
        wide = fig.add_axes((0.17, bottom, 0.43, top - bottom))
        zoom = fig.add_axes((0.615, bottom, 0.165, top - bottom), sharey=wide)
        for ax, (lo, hi) in ((wide, (left_edge, right_edge)),
                             (zoom, (shift_day(since, -3), right_edge))):
            ax.set_xlim(_x(lo), _x(hi))
            ax.set_ylim(n - 0.4, -0.6)
            ax.tick_params(axis="y", left=False, labelleft=False)
            locator = _AutoDateLocator(minticks=3, maxticks=8 if ax is wide else 4)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(_ConciseDateFormatter(locator))
            ax.grid(axis="x", color="#e4e7eb", lw=0.6)
            ax.set_axisbelow(True)
            ax.axvline(_x(shift_day(since, 1)), color=MUTED, lw=0.8, ls="--")
            ax.axvline(_x(shift_day(as_of, 1)), color=MUTED, lw=0.8)
            for i, r in enumerate(rows):
                _draw_row(ax, i, r, as_of, left_edge, colour)
        names = blended_transform_factory(wide.transAxes, wide.transData)
        status = blended_transform_factory(zoom.transAxes, zoom.transData)
        for i, r in enumerate(rows):
            co = " ★" if r["cofounder"] else ""
            _text(wide, -0.015, i, label(r["name"], 26) + co, transform=names, ha="right",
                  va="center", fontsize=9, color=INK)
            gone = bool(r["spells"][-1]["left"])
            _text(zoom, 1.04, i, _right_label(r), transform=status, ha="left", va="center",
                  fontsize=8, color=GONE if gone else MUTED)
        _text(wide, 0.0, 1.01, f"whole history to {doc['as_of']} (dashed: {doc['since']})",
              transform=wide.transAxes, fontsize=8, color=MUTED, va="bottom")
        _text(zoom, 0.0, 1.01, f"{doc['since']} to {doc['as_of']}, enlarged",
              transform=zoom.transAxes, fontsize=8, color=MUTED, va="bottom")
        handles: list[Any] = [
            Patch(facecolor=COFOUNDER, label="present (co-founder ★)"),
            Patch(facecolor=PRESENT, label="present"),
            Patch(facecolor="white", edgecolor=COFOUNDER, hatch="////",
                  label="date known only to this span"),
            Line2D([], [], color=PRESENT, ls=":", lw=1.5, label="start not known (on or before)"),
            Line2D([], [], color=GONE, marker="X", ls="none", label="departed"),
            Line2D([], [], color=GONE, marker="$?$", ls="none", label="may have left"),
        ]
        handles += [Patch(facecolor=colour[u], label=label(unit_name[u], 28))
                    for u in unit_ids[:len(UNIT_COLOURS)]]
        fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 6),
                   frameon=False, fontsize=8, bbox_to_anchor=(0.5, 0.0))
        more = len(doc["tenure"]) - len(rows)
        if more > 0:
            fig.text(0.19, 0.2 / height, f"+{more} more people: see the list below",
                     fontsize=8, color=MUTED, parse_math=False)
        return _svg(fig, f"Tenure timeline of {label(doc['org']['name'])} to {doc['as_of']}")


def _draw_row(ax: Axes, i: int, row: Item, as_of: date, left_edge: date,
              colour: dict[str, str]) -> None:
    base = COFOUNDER if row["cofounder"] else PRESENT
    for spell in row["spells"]:
        for style, a, b in _segments(spell, as_of, left_edge):
            if style == "open":
                ax.plot([_x(a), _x(b)], [i, i], color=base, ls=":", lw=1.5)
            elif style == "span":
                ax.add_patch(Rectangle((_x(a), i - 0.3), _x(b) - _x(a), 0.6, facecolor="white",
                                       edgecolor=base, hatch="////", lw=0.6))
            else:
                ax.add_patch(Rectangle((_x(a), i - 0.3), _x(b) - _x(a), 0.6, facecolor=base,
                                       edgecolor="none"))
        lanes = max(len(spell["units"]), 1)
        band = 0.36 / lanes
        for lane, u in enumerate(spell["units"]):
            y0 = i - 0.18 + lane * band
            a = _day(u["from"]["start"]) or left_edge
            b = _day(u["from"]["end"]) or a
            stop_at = u["to"] or spell["left"] or spell["may_have_left"]
            end = (_day(stop_at["start"]) if stop_at else None) or shift_day(as_of, 1)
            c = colour[u["unit"]]
            if b > a:
                ax.add_patch(Rectangle((_x(a), y0), _x(b) - _x(a), band,
                                       facecolor="white", edgecolor=c, hatch="////", lw=0.5))
            if end > b:
                ax.add_patch(Rectangle((_x(b), y0), _x(end) - _x(b), band,
                                       facecolor=c, edgecolor="none"))
        if spell["left"]:
            last = _day(spell["left"]["end"]) or _day(spell["left"]["start"])
            if last is not None:
                # On the span's last day: a departure known to the month ends in that month.
                ax.plot([_x(last)], [i], marker="X", color=GONE, markersize=7,
                        markeredgecolor="white", markeredgewidth=0.6)
        elif spell["may_have_left"]:
            ax.plot([_x(as_of)], [i], marker="$?$", color=GONE, markersize=8)
