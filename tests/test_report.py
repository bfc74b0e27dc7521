"""``factbase report``: the as-of report document, its Markdown and HTML, and the page as a
browser shows it (headless Chromium, when installed)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from collections import Counter
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from factbase.api import FactBase
from factbase.cli import cli
from factbase.render import render
from factbase.render.charts import _segments
from tests.conftest import ROOT

AS_OF = date(2026, 3, 1)
CHROMIUM = Path("/usr/bin/chromium")
SCRIPT = "<script>alert(1)</script>"
MARKDOWNY = "A | B *C* _d_ [x](y) `e` <b>\nsecond line"


# --- the seed -----------------------------------------------------------------------------


def test_headline_figures_on_the_seed(seeded: FactBase) -> None:
    doc = seeded.report("xai", as_of=AS_OF)
    assert doc["since"] == "2025-12-01"  # 90 days before the as-of date
    assert doc["figures"] == {
        "people_present": 9, "units": 9, "cofounders_total": 12, "cofounders_present": 6,
        "cofounders_departed": 6, "cofounders_may_have_left": 0, "departed_total": 6,
        "departures_since": 3, "cofounder_departures_since": 3, "joined_since": 3,
        "disputed": 2, "uncertain": 0,
    }
    texts = [h["text"] for h in doc["headline"]]
    assert texts[:4] == [
        "9 people named in the sources present on 2026-03-01",
        "9 units named in the sources on 2026-03-01",
        "6 of 12 co-founders had departed by 2026-03-01; 6 present",
        "3 departures (3 co-founders) since 2025-12-01",
    ]


def test_changes_are_the_diff_since_d0(seeded: FactBase) -> None:
    doc = seeded.report("xai", as_of=AS_OF, since=date(2026, 1, 1))
    diff = seeded.diff("xai", date(2026, 1, 1), AS_OF)
    for key in ("departed", "joined", "roles_started", "units_created", "metrics_changed",
                "events"):
        assert [_no_notes(i) for i in doc["changes"][key]] == diff[key], key
    assert [d["name"] for d in doc["changes"]["departed"]] == ["Greg Yang", "Tony Wu",
                                                               "Jimmy Ba"]
    assert doc["changes"]["cofounders"] == diff["cofounders"]


def test_disputed_departures_keep_every_account_and_its_source(seeded: FactBase) -> None:
    doc = seeded.report("xai", as_of=AS_OF)
    tony = next(d for d in doc["disputed"] if d["subject"] == "tony-wu")
    assert tony["kind"] == "departure reason"
    assert [(a["by"], a["reason"], a["source"]) for a in tony["accounts"]] == [
        ("tony-wu", "resigned", "hindustantimes-tony-wu-2026-02-10"),
        ("elon-musk", "parted_ways", "x-elonmusk-2021673886157607383")]
    assert all(a["notes"] == [doc["sources"][a["source"]]["n"]] for a in tony["accounts"])


def test_tenure_rows_agree_with_the_replayed_state(seeded: FactBase) -> None:
    doc = seeded.report("xai", as_of=AS_OF)
    rows = {r["id"]: r for r in doc["tenure"]}
    assert len(rows) == 15
    assert sum(r["status"] == "departed" for r in rows.values()) == 6
    kyle = rows["kyle-kosic"]["spells"][0]
    assert kyle["joined"]["date"] == "2023-07-12"
    assert (kyle["left"]["date"], kyle["left"]["start"], kyle["left"]["end"]) == (
        "2024-04", "2024-04-01", "2024-04-30")
    haotian = rows["haotian-liu"]["spells"][0]
    assert (haotian["joined"]["start"], haotian["joined"]["end"]) == (None, "2026-02-10")
    assert [(u["unit_name"], u["role"]) for u in haotian["units"]] == [
        ("Imagine", "core_member")]


def test_every_cited_item_carries_its_footnote_numbers(seeded: FactBase) -> None:
    doc = seeded.report("xai", as_of=AS_OF)
    numbers = {s["n"] for s in doc["sources"].values()}
    assert numbers == set(range(1, len(numbers) + 1))
    by_id = {sid: s["n"] for sid, s in doc["sources"].items()}
    cited = 0
    for item in _walk({k: v for k, v in doc.items() if k != "sources"}):
        if isinstance(item.get("sources"), list):
            cited += 1
            ids = list(dict.fromkeys([*item["sources"], *([item["source"]] if isinstance(
                item.get("source"), str) else [])]))
            assert item["notes"] == [by_id[s] for s in ids], item
    assert cited > 50
    s = doc["sources"]["ibtimes-2023-07-12"]
    assert s["publisher"] == "International Business Times UK"
    assert s["published"] == "2023-07-12/2023-07-14" and s["url"].startswith("https://")


def test_every_fact_line_of_the_markdown_ends_with_its_footnotes(seeded: FactBase) -> None:
    md = render("report", "md", seeded.report("xai", as_of=AS_OF))
    facts = [line for line in md.splitlines()
             if line.lstrip().startswith("- ") and not line.endswith(":")]
    assert len(facts) > 60
    for line in facts:
        assert re.search(r"(\[\d+\])+$", line), line
    sources = md.split("\n## Sources\n\n", 1)[1].split("\n\n---\n", 1)[0].splitlines()
    assert len(sources) == 13
    assert sources[0] == (
        "1. [\\[IBTimes UK report: Elon Musk announces his new all-male AI company xAI\\]]"
        "(<https://www.ibtimes.co.uk/elon-musk-announces-his-new-all-male-ai-company-xai-1717636>)"
        " — International Business Times UK — 2023-07-12/2023-07-14")


def test_every_fact_in_the_html_ends_with_its_footnotes(seeded: FactBase) -> None:
    page = render("report", "html", seeded.report("xai", as_of=AS_OF))
    body = page.split("<body>", 1)[1].split('<section id="sources">', 1)[0]
    items = re.findall(r"<li>(?:(?!<li>).)*?</li>|<li class=\"acct\">.*?</li>", body, re.S)
    rows = re.findall(r"<tr><td>.*?</tr>", body, re.S)
    assert len(items) > 40 and len(rows) > 25
    for fact in items + rows:
        if "In no unit:" in fact:
            continue
        assert 'class="fn"' in fact, fact


def test_the_default_window_and_an_explicit_one(seeded: FactBase) -> None:
    # A change since D0 is certain by D and was not by the end of D0 (Jimmy Ba: the 10th).
    assert seeded.report("xai", as_of=AS_OF, since=date(2026, 2, 10))[
        "figures"]["departures_since"] == 0
    assert seeded.report("xai", as_of=AS_OF, since=date(2026, 2, 9))[
        "figures"]["departures_since"] == 1
    assert seeded.report("xai", as_of=AS_OF, since=date(2026, 2, 8))[
        "figures"]["departures_since"] == 2


# --- a made-up timeline with hostile names ------------------------------------------------


def _hostile() -> dict[str, Any]:
    return {
        "sources": [
            {"id": "good", "url": "https://example.com/story", "title": "A story",
             "publisher": "Example Paper", "published": "2024-05-01"},
            {"id": "evil", "url": "javascript:alert(1)", "title": f"T {SCRIPT}",
             "publisher": "P | *q*", "published": "2024-06"},
        ],
        "entities": [
            {"id": "acme", "kind": "organization", "name": "Acme $1 <Co>"},
            {"id": "eve", "kind": "person", "name": SCRIPT},
            {"id": "mal", "kind": "person", "name": MARKDOWNY},
            {"id": "wu", "kind": "person", "name": "吴宇怀"},
            {"id": "rtl", "kind": "person", "name": "Ann \u202egnp.exe"},
        ],
        "events": [
            {"id": "acme-founded", "type": "org.founded", "date": "2023-01-10",
             "sources": ["good"], "org": "acme", "founders": ["eve", "mal", "wu"]},
            {"id": "lab", "type": "unit.created", "date": "2023-02", "sources": ["evil"],
             "org": "acme", "unit": "acme-lab", "name": "Lab <i>x</i> | *y*", "kind": "team"},
            {"id": "wu-lead", "type": "role.assigned", "date": "2023-03-01",
             "sources": ["good"], "person": "wu", "org": "acme", "unit": "acme-lab",
             "role": "lead"},
            {"id": "rtl-joined", "type": "person.joined", "date": "2023-04-01",
             "sources": ["good"], "person": "rtl", "org": "acme"},
            {"id": "mal-left", "type": "person.left", "date": "2024-04", "sources": ["evil"],
             "person": "mal", "org": "acme", "reason": "resigned",
             "accounts": [{"by": "eve", "says": f"fired {SCRIPT}", "reason": "dismissed",
                           "source": "good"}]},
            {"id": "rtl-left", "type": "person.left", "date": "2024-06", "sources": ["good"],
             "person": "rtl", "org": "acme", "reason": "resigned"},
        ],
    }


@pytest.fixture
def hostile(fb: FactBase, tmp_path: Path) -> FactBase:
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(_hostile(), allow_unicode=True), encoding="utf-8")
    fb.load([str(path)])
    return fb


def test_markdown_renders_hostile_names_inert(hostile: FactBase) -> None:
    md = render("report", "md", hostile.report("acme", as_of=date(2024, 6, 15)))
    assert "A \\| B \\*C\\* \\_d\\_ \\[x\\](y) \\`e\\` \\<b\\> second line" in md
    assert SCRIPT not in md and "\\<script\\>alert(1)\\</script\\>" in md
    assert "Lab \\<i\\>x\\</i\\> \\| \\*y\\*" in md
    assert "Acme $1 \\<Co\\>" in md
    assert "<javascript:" not in md and "javascript:alert(1)" in md  # text, not a link
    assert "<https://example.com/story>" in md
    assert "\u202e" not in md and "Ann \\[U+202E\\]gnp.exe" in md
    # Disputed: the event's own reason and the account that contradicts it, each cited.
    assert "  - per the departure as recorded (resigned): the reason the event itself states " \
        "[2]" in md
    assert "  - per \\<script\\>alert(1)\\</script\\> (dismissed): fired " \
        "\\<script\\>alert(1)\\</script\\> [1]" in md
    for line in md.splitlines():  # no fact spills onto a second line
        assert not line.startswith("second line")


def test_html_escapes_every_name_and_links_only_http(hostile: FactBase) -> None:
    page = render("report", "html", hostile.report("acme", as_of=date(2024, 6, 15)))
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Lab &lt;i&gt;x&lt;/i&gt;" in page and "<i>" not in page
    assert "\u202e" not in page and "[U+202E]" in page
    links = _Links.of(page)
    assert links.anchors and all(h.startswith(("#src-", "https://", "http://"))
                                 for h in links.anchors)
    assert "javascript:" not in " ".join(links.anchors)
    assert "javascript:alert(1)" in page  # shown, as text
    assert [h for h in links.anchors if h.startswith("http")] == ["https://example.com/story"]


def test_html_is_self_contained(hostile: FactBase, seeded: FactBase) -> None:
    for fb, org, day in ((hostile, "acme", date(2024, 6, 15)), (seeded, "xai", AS_OF)):
        page = render("report", "html", fb.report(org, as_of=day))
        links = _Links.of(page)
        assert links.loads == [], links.loads  # no src/href on link, script, img, use, …
        external = [h for h in links.anchors if h.startswith("http")]
        sources_list = page.split('<section id="sources">', 1)[1]
        assert all(f'href="{h}"' in sources_list for h in external)  # footnotes only
        assert "@import" not in page and not re.search(r"url\((?!#)", page)
        assert page.count("<svg") == 2 and "<?xml" not in page and "<!DOCTYPE svg" not in page
        assert "Content-Security-Policy" in page


def test_svg_keeps_text_as_text_in_any_script(hostile: FactBase) -> None:
    page = render("report", "html", hostile.report("acme", as_of=date(2024, 6, 15)))
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(svgs) == 2
    assert "吴宇怀" in svgs[0] and "吴宇怀" in svgs[1]  # <text>, not glyph paths
    assert "&lt;script&gt;" in svgs[1] and "Acme $1 &lt;Co&gt;" in svgs[0]


def test_a_month_departure_ends_inside_its_month(hostile: FactBase) -> None:
    doc = hostile.report("acme", as_of=date(2024, 6, 15))
    rows = {r["id"]: r for r in doc["tenure"]}
    mal = rows["mal"]["spells"][0]
    assert mal["left"]["disputed"] and mal["left"]["date"] == "2024-04"
    assert _segments(mal, date(2024, 6, 15), date(2022, 12, 1)) == [
        ("solid", date(2023, 1, 10), date(2024, 4, 1)),
        ("span", date(2024, 4, 1), date(2024, 5, 1))]
    # June 2024 straddles 15 June: he may have left; hatched up to the end of the as-of day.
    rtl = rows["rtl"]
    assert rtl["status"] == "present, may have left"
    assert _segments(rtl["spells"][0], date(2024, 6, 15), date(2022, 12, 1)) == [
        ("solid", date(2023, 4, 1), date(2024, 6, 1)),
        ("span", date(2024, 6, 1), date(2024, 6, 16))]
    assert [u["summary"] for u in doc["uncertain"]] == [
        "Ann \u202egnp.exe left Acme $1 <Co> (resigned)"]


def test_known_at_cuts_every_section(fb: FactBase, tmp_path: Path) -> None:
    data = _hostile()
    first = {**data, "events": data["events"][:4]}
    rest = {"events": data["events"][4:]}
    for name, part in (("a.yaml", first), ("b.yaml", rest)):
        (tmp_path / name).write_text(yaml.safe_dump(part, allow_unicode=True), "utf-8")
    fb.load([str(tmp_path / "a.yaml")])
    between = datetime.now(UTC)
    fb.load([str(tmp_path / "b.yaml")])
    then = fb.report("acme", as_of=date(2024, 12, 31), known_at=between)
    now = fb.report("acme", as_of=date(2024, 12, 31))
    assert then["figures"]["departed_total"] == 0 and now["figures"]["departed_total"] == 2
    assert then["known_at"] is not None and not then["disputed"] and now["disputed"]


def test_an_organisation_with_nothing_yet_still_reports(fb: FactBase, tmp_path: Path) -> None:
    data = {"sources": [{"id": "s", "publisher": "Paper", "published": "2020"}],
            "entities": [{"id": "org1", "kind": "organization", "name": "Org One"}],
            "events": [{"type": "org.founded", "date": "2020", "sources": ["s"],
                        "org": "org1", "founders": []}]}
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    fb.load([str(tmp_path / "t.yaml")])
    doc = fb.report("org1", as_of=date(2020, 6, 1))  # the founding is uncertain
    assert doc["figures"]["people_present"] == 0 and doc["figures"]["uncertain"] == 1
    assert "notes" not in doc["headline"][0]  # "0 people present" cites nothing
    md = render("report", "md", doc)
    assert "- 0 people named in the sources present on 2020-06-01\n" in md
    assert "Nobody recorded by this date." in md
    page = render("report", "html", doc)
    assert page.count("<svg") == 1 and "No units recorded on this date." in page


def test_rendering_is_deterministic(hostile: FactBase) -> None:
    doc = hostile.report("acme", as_of=date(2024, 6, 15))
    assert render("report", "html", doc) == render("report", "html", doc)


# --- the command --------------------------------------------------------------------------


def test_report_command_writes_md_html_json(seeded: FactBase, runner: CliRunner,
                                            tmp_path: Path) -> None:
    db = ["--db", seeded.url]
    md = runner.invoke(cli, [*db, "report", "xai", "--as-of", "2026-03-01"],
                       catch_exceptions=False)
    assert md.exit_code == 0 and md.output.startswith("# xAI (xai) on 2026-03-01\n")
    js = runner.invoke(cli, [*db, "report", "xAI", "--as-of", "2026-03-01", "--since",
                             "2026-01-01", "--format", "json"], catch_exceptions=False)
    assert js.exit_code == 0 and '"departures_since": 3' in js.output
    out = tmp_path / "xai.html"
    html = runner.invoke(cli, [*db, "report", "xai", "--as-of", "2026-03-01", "--format",
                               "html", "--out", str(out)], catch_exceptions=False)
    assert html.exit_code == 0 and html.stdout == ""
    assert "xai.html: report on xAI as of 2026-03-01 written (html, 13 sources)" in html.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_command_errors(seeded: FactBase, runner: CliRunner, tmp_path: Path) -> None:
    db = ["--db", seeded.url]
    late = runner.invoke(cli, [*db, "report", "xai", "--as-of", "2026-03-01", "--since",
                               "2026-04-01"])
    assert late.exit_code == 2 and "--since 2026-04-01 is after --as-of 2026-03-01" in \
        late.output
    unknown = runner.invoke(cli, [*db, "report", "no-such-org", "--as-of", "2026-03-01"])
    assert unknown.exit_code == 1
    assert unknown.output.startswith("Error: no organization named 'no-such-org'")
    missing = tmp_path / "no-folder" / "r.md"
    bad = runner.invoke(cli, [*db, "report", "xai", "--as-of", "2026-03-01", "--out",
                              str(missing)])
    assert bad.exit_code == 1 and "folder" in bad.output and not missing.exists()


# --- the page in a browser ----------------------------------------------------------------


def _chromium(tmp_path: Path, *args: str) -> str:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
           # Offline: any attempt to reach a host fails, so the page must need none.
           "--host-resolver-rules=MAP * ~NOTFOUND", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=tmp_path,
                          env={**os.environ, "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_the_html_report_in_headless_chromium(seeded: FactBase, tmp_path: Path) -> None:
    """Chromium loads the page offline and shows the title, the org chart SVG and the
    co-founder figures; a screenshot is taken (FACTBASE_UPDATE_SCREENSHOT=1 copies it to
    docs/images/report-xai.png, the one the README shows)."""
    page = tmp_path / "report-xai.html"
    page.write_text(render("report", "html", seeded.report("xai", as_of=AS_OF)),
                    encoding="utf-8")
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert "<title>xAI on 2026-03-01 — factbase report</title>" in dom
    assert re.search(r'<svg[^>]*role="img"[^>]*><title>Org chart of xAI on 2026-03-01</title>',
                     dom)
    assert "<title>Tenure timeline of xAI to 2026-03-01</title>" in dom
    assert "6 of 12 co-founders had departed by 2026-03-01; 6 present" in dom
    assert "of 12 co-founders departed" in dom
    shot = tmp_path / "report-xai.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri())
    head = shot.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(head[16:20], "big") == 1280
    assert int.from_bytes(head[20:24], "big") == 2000
    if os.environ.get("FACTBASE_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, ROOT / "docs" / "images" / "report-xai.png")


def test_the_readme_shows_the_screenshot() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/images/report-xai.png" in readme
    assert (ROOT / "docs" / "images" / "report-xai.png").read_bytes()[:4] == b"\x89PNG"


# --- helpers ------------------------------------------------------------------------------


def _no_notes(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _no_notes(v) for k, v in value.items() if k != "notes"}
    if isinstance(value, list):
        return [_no_notes(v) for v in value]
    return value


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


class _Links(HTMLParser):
    """Every ``<a href>`` (``anchors``) and every attribute that would load something
    (``loads``: src, href or xlink:href on any other element, including SVG's)."""

    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[str] = []
        self.loads: list[tuple[str, str, str]] = []

    @classmethod
    def of(cls, page: str) -> _Links:
        parser = cls()
        parser.feed(page)
        return parser

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if tag == "a" and name == "href":
                self.anchors.append(value or "")
            elif name in ("src", "href", "xlink:href", "srcset", "data", "poster") and not (
                    tag == "use" and (value or "").startswith("#")):
                self.loads.append((tag, name, value or ""))


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-20", "9999-12-31"])
@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_report_at_the_calendars_edges(seeded: FactBase, runner: CliRunner, fmt: str,
                                       as_of: str) -> None:
    """Every valid date works, the first and last days included: the default window and the
    chart margins are clamped to the calendar instead of overflowing."""
    res = runner.invoke(cli, ["--db", seeded.url, "report", "xai", "--as-of", as_of,
                              "--format", fmt], catch_exceptions=False)
    assert res.exit_code == 0, res.output


# --- one fold: tenure, who, the memberships CSV and the projections are views of the spans --

#: A small history with what the views used to tell apart (issue 10): a same-day move that is
#: a resignation and a return (dan), a same-day join-and-leave (fay), a title changed on one
#: day by role.ended + role.assigned (ann), a co-founder who leaves and returns (bob), a board
#: member known only by that role, which ends (eve), a disputed departure (cat).
ONE_FOLD: list[dict[str, Any]] = [
    {"type": "source.registered", "source": "s1"},
    {"type": "entity.registered", "entity": "acme", "kind": "organization", "name": "Acme"},
    *[{"type": "entity.registered", "entity": p, "kind": "person", "name": p.title()}
      for p in ("ann", "bob", "cat", "dan", "eve", "fay")],
    {"type": "org.founded", "date": "2000-01-01", "org": "acme", "founders": ["ann", "bob"]},
    {"type": "unit.created", "date": "2000-01-01", "org": "acme", "unit": "u-a",
     "name": "Alpha"},
    {"type": "unit.created", "date": "2000-01-01", "org": "acme", "unit": "u-b",
     "name": "Beta"},
    {"type": "person.joined", "date": "2000-02-01", "person": "cat", "org": "acme",
     "unit": "u-a"},
    {"type": "role.assigned", "date": "2001-01-01", "person": "ann", "org": "acme",
     "role": "executive", "title": "CTO"},
    {"type": "person.joined", "date": "2001-03-01", "person": "dan", "org": "acme",
     "unit": "u-a"},
    {"type": "role.assigned", "date": "2001-06-01", "person": "eve", "org": "acme",
     "role": "board_member"},
    {"type": "person.left", "date": "2002-01-01", "person": "bob", "org": "acme",
     "reason": "resigned"},
    {"type": "person.joined", "date": "2002-05-05", "person": "fay", "org": "acme",
     "unit": "u-b"},
    {"type": "person.left", "date": "2002-05-05", "person": "fay", "org": "acme",
     "reason": "parted_ways"},
    # Recorded joining first, leaving second: the day's endings still come first.
    {"type": "person.joined", "date": "2003-03-03", "person": "dan", "org": "acme",
     "unit": "u-b"},
    {"type": "person.left", "date": "2003-03-03", "person": "dan", "org": "acme",
     "reason": "resigned"},
    {"type": "person.joined", "date": "2004-01-01", "person": "bob", "org": "acme"},
    {"type": "role.ended", "date": "2004-06-30", "person": "eve", "org": "acme",
     "role": "board_member"},
    {"type": "role.assigned", "date": "2005-06-01", "person": "ann", "org": "acme",
     "role": "executive", "title": "CEO"},
    {"type": "role.ended", "date": "2005-06-01", "person": "ann", "org": "acme",
     "role": "executive", "title": "CTO"},
    {"type": "person.left", "date": "2006-01-01", "person": "cat", "org": "acme",
     "accounts": [{"by": "cat", "says": "I resigned.", "source": "s1", "reason": "resigned"},
                  {"by": "acme", "says": "We let her go.", "source": "s1",
                   "reason": "dismissed"}]},
]
ONE_FOLD_PEOPLE = ("ann", "bob", "cat", "dan", "eve", "fay")


def add_one_fold(fb: FactBase) -> FactBase:
    """``fb`` with :data:`ONE_FOLD` added (and no anomaly in it)."""
    fb.add([{**r, "sources": ["s1"]} if "date" in r else r for r in ONE_FOLD])
    assert fb.org("acme", as_of=date(2006, 6, 1)).anomalies == []
    return fb


def _spells(doc: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    """Each tenure row's spells as (start, how, left, reason, units (unit, role, from, to))."""
    return {r["id"]: [((s["joined"] or s["first_seen"] or {}).get("date"), s["how"],
                       (s["left"] or {}).get("date"), (s["left"] or {}).get("reason"),
                       [(u["unit"], u["role"], u["from"]["date"], (u["to"] or {}).get("date"))
                        for u in s["units"]]) for s in r["spells"]] for r in doc["tenure"]}


def test_tenure_files_a_same_day_move_under_the_new_spell(fb: FactBase) -> None:
    """dan resigned from Alpha and came back in Beta on one day (issue 10: report tenure filed
    Beta under the closed spell); fay joined and left on one day (her unit stayed open)."""
    doc = add_one_fold(fb).report("acme", as_of=date(2006, 6, 1))
    spells = _spells(doc)
    assert spells["dan"] == [
        ("2001-03-01", "joined", "2003-03-03", "resigned",
         [("u-a", "member", "2001-03-01", "2003-03-03")]),
        ("2003-03-03", "joined", None, None, [("u-b", "member", "2003-03-03", None)])]
    assert spells["fay"] == [("2002-05-05", "joined", "2002-05-05", "parted_ways",
                              [("u-b", "member", "2002-05-05", "2002-05-05")])]
    assert spells["bob"] == [
        ("2000-01-01", "co-founder at the founding", "2002-01-01", "resigned", []),
        ("2004-01-01", "joined", None, None, [])]
    assert spells["eve"] == [("2001-06-01", "first seen", "2004-06-30", "roles_ended", [])]
    assert spells["cat"] == [("2000-02-01", "joined", "2006-01-01", None,
                              [("u-a", "member", "2000-02-01", "2006-01-01")])]
    rows = {r["id"]: r for r in doc["tenure"]}
    assert {p: (r["status"], r["cofounder"]) for p, r in rows.items()} == {
        "ann": ("present", True), "bob": ("present", True), "cat": ("departed", False),
        "dan": ("present", False), "eve": ("roles ended", False), "fay": ("departed", False)}
    left = rows["cat"]["spells"][0]["left"]
    assert (left["disputed"], left["reasons"]) == (True, ["dismissed", "resigned"])
    md = render("report", "md", doc)
    assert "left 2006-01-01 (disputed: dismissed / resigned)" in md
    assert "left 2004-06-30 (last role ended)" in md


def test_tenure_before_a_same_day_change_is_cut_at_the_as_of_day(fb: FactBase) -> None:
    """The day before dan's move his first spell is open in Alpha; on the day, it is closed."""
    add_one_fold(fb)
    before = _spells(fb.report("acme", as_of=date(2003, 3, 2)))
    assert before["dan"] == [("2001-03-01", "joined", None, None,
                              [("u-a", "member", "2001-03-01", None)])]
    assert before["eve"] == [("2001-06-01", "first seen", None, None, [])]
    assert "fay" in before and "cat" in before


def _day(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def _table(fb: FactBase, table: str, org: str) -> list[dict[str, Any]]:
    result = fb.sql(f"SELECT * FROM {table} WHERE org = '{org}'")
    return [{k: _day(v) for k, v in zip(result.columns, row, strict=True)}
            for row in result.rows]


def _sql_views(fb: FactBase, org: str, as_of: date) -> dict[str, Counter[tuple[Any, ...]]]:
    """The ``memberships`` and ``roles`` projection rows cut at ``as_of`` (a span counts once
    its from-date is certain; one closed later is open), as ``stays`` (person, start, end,
    closed reason; spans chained through ``changed``, the next opened by the step that closed
    the last) and ``units`` (person, unit, role — ``member`` for a membership —, from, to)."""
    day = as_of.isoformat()
    members = [m for m in _table(fb, "memberships", org) if m["valid_from_end"] <= day]
    roles = [r for r in _table(fb, "roles", org) if r["valid_from_end"] <= day]

    def closed(s: dict[str, Any]) -> bool:
        return s["valid_to_end"] is not None and s["valid_to_end"] <= day

    def after(s: dict[str, Any]) -> dict[str, Any] | None:
        return next((n for n in members if n["person"] == s["person"]
                     and n["opened_by"] == s["closed_by"] and n is not s
                     and n["valid_from_text"] == s["valid_to_text"]), None)

    followers = [n for s in members if closed(s) and s["closed_reason"] == "changed"
                 for n in [after(s)] if n is not None]
    stays: Counter[tuple[Any, ...]] = Counter()
    for first in members:
        if any(first is n for n in followers):
            continue
        last = first
        while closed(last) and last["closed_reason"] == "changed":
            nxt = after(last)
            assert nxt is not None
            last = nxt
        stays[(first["person"], first["valid_from_text"],
               last["valid_to_text"] if closed(last) else None,
               last["closed_reason"] if closed(last) else None)] += 1
    units = Counter((s["person"], s["unit"], s.get("role", "member"), s["valid_from_text"],
                     s["valid_to_text"] if closed(s) else None)
                    for s in [*members, *roles] if s["unit"] is not None)
    return {"stays": stays, "units": units}


def _code(left: dict[str, Any]) -> str:
    """A spell's end as the projection writes it: the reason, ``disputed``, ``unknown``."""
    return "disputed" if left["disputed"] else (left["reason"] or "unknown")


def _report_views(doc: dict[str, Any]) -> dict[str, Counter[tuple[Any, ...]]]:
    stays: Counter[tuple[Any, ...]] = Counter()
    units: Counter[tuple[Any, ...]] = Counter()
    for r in doc["tenure"]:
        for s in r["spells"]:
            start = s["joined"] or s["first_seen"]
            if start is None or s["uncertain_start"]:
                continue  # a departure with no stay, or a joining that may have happened
            left = s["left"]
            stays[(r["id"], start["date"], left["date"] if left else None,
                   _code(left) if left else None)] += 1
            units.update((r["id"], u["unit"], u["role"], u["from"]["date"],
                          (u["to"] or {}).get("date")) for u in s["units"])
    return {"stays": stays, "units": units}


def _who_stays(runner: CliRunner, url: str, org: str, people: list[str],
               as_of: date) -> Counter[tuple[Any, ...]]:
    stays: Counter[tuple[Any, ...]] = Counter()
    for person in people:
        res = runner.invoke(cli, ["--db", url, "who", person, "--as-of", as_of.isoformat(),
                                  "--format", "json"], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        for o in json.loads(res.stdout)["organisations"]:
            if o["id"] != org:
                continue
            for s in o["memberships"]:
                start = s["joined"] or s["first_seen"]
                if start is not None:
                    stays[(person, start, s["left"], _code(s) if s["left"] else None)] += 1
    return stays


#: A memberships-CSV reason in the projections' words (:func:`factbase.views.export.close_reason`).
def _csv_code(role: str, reason: str) -> str:
    if reason.startswith("disputed: "):
        return "disputed" if role == "member" else "left"
    if reason == "last role ended":
        return "roles_ended"
    if reason.startswith("unit merged into"):
        return "merged" if role != "member" else "changed"
    if reason == "role ended":
        return "ended"
    if reason.startswith(("moved ", "title changed", "went on leave", "back from leave",
                          "changed")):
        return "changed"
    return reason.replace(" ", "_") if role == "member" else "left"


def _csv_rows(runner: CliRunner, url: str, org: str) -> Counter[tuple[Any, ...]]:
    res = runner.invoke(cli, ["--db", url, "export", "--format", "csv", "--table",
                              "memberships"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rows = csv.DictReader(io.StringIO(res.stdout.lstrip("\ufeff")))
    return Counter((r["person"], r["unit"] or None, r["role"], r["from"], r["to"] or None,
                    _csv_code(r["role"], r["reason"]) if r["to"] else None)
                   for r in rows if r["org"] == org)


def _sql_rows(fb: FactBase, org: str) -> Counter[tuple[Any, ...]]:
    return Counter((s["person"], s["unit"], s.get("role", "member"), s["valid_from_text"],
                    s["valid_to_text"], s["closed_reason"])
                   for s in [*_table(fb, "memberships", org), *_table(fb, "roles", org)])


def _check_views_agree(fb: FactBase, runner: CliRunner, org: str, people: list[str],
                       days: list[date]) -> None:
    assert _csv_rows(runner, fb.url, org) == _sql_rows(fb, org)
    for day in days:
        want = _sql_views(fb, org, day)
        res = runner.invoke(cli, ["--db", fb.url, "report", org, "--as-of", day.isoformat(),
                                  "--format", "json"], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        assert _report_views(json.loads(res.stdout)) == want, day
        assert _who_stays(runner, fb.url, org, people, day) == want["stays"], day


def test_report_who_and_the_csv_agree_with_the_projections_on_a_small_history(
        fb: FactBase, runner: CliRunner) -> None:
    add_one_fold(fb)
    assert _sql_views(fb, "acme", date(2006, 6, 1))["stays"] == Counter({
        ("ann", "2000-01-01", None, None): 1,
        ("bob", "2000-01-01", "2002-01-01", "resigned"): 1,
        ("bob", "2004-01-01", None, None): 1,
        ("cat", "2000-02-01", "2006-01-01", "disputed"): 1,
        ("dan", "2001-03-01", "2003-03-03", "resigned"): 1,
        ("dan", "2003-03-03", None, None): 1,
        ("eve", "2001-06-01", "2004-06-30", "roles_ended"): 1,
        ("fay", "2002-05-05", "2002-05-05", "parted_ways"): 1})
    days = [date(2002, 5, 4), date(2002, 5, 5), date(2003, 3, 3), date(2004, 6, 30),
            date(2005, 6, 1), date(2006, 6, 1)]
    _check_views_agree(fb, runner, "acme", list(ONE_FOLD_PEOPLE), days)


def test_report_who_and_the_csv_agree_with_the_projections_on_the_seed(
        seeded: FactBase, runner: CliRunner) -> None:
    people = [r["id"] for r in seeded.report("xai", as_of=AS_OF)["tenure"]]
    assert len(people) == 15
    _check_views_agree(seeded, runner, "xai", people,
                       [date(2024, 4, 30), date(2026, 2, 9), date(2026, 2, 10), AS_OF])


# --- a report a newsroom can publish: reproducible and checkable ---------------------------


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_footer_names_the_recorded_time_anchor_and_the_command_that_reproduces_it(
        seeded: FactBase, runner: CliRunner, fmt: str) -> None:
    db = ["--db", seeded.url]
    first = runner.invoke(cli, [*db, "report", "xai", "--as-of", "2026-03-01", "--format",
                                fmt], catch_exceptions=False)
    assert first.exit_code == 0
    anchor = seeded.anchor()
    rec = seeded.report("xai", as_of=AS_OF)["recorded"]
    assert rec == {"at": anchor.known_at, "seq": seeded.count(), "anchor": anchor.text,
                   "command": "factbase report xai --as-of 2026-03-01 --since 2025-12-01 "
                              f"--known-at {anchor.known_at}"}
    assert f"{rec['command']} --format {fmt}" in first.stdout
    assert f"factbase verify --check-anchor {anchor.text}" in first.stdout
    assert f"recorded at {anchor.known_at}" in first.stdout.replace("<time>", "").replace(
        "</time>", "")
    # Later facts change the report as of now, never the one the footer reproduces.
    seeded.add([{"type": "person.joined", "date": "2026-02-20", "person": "guodong-zhang",
                 "org": "xai", "sources": ["huxiu-4835050"]}])
    command = rec["command"].split()[1:]  # without "factbase"
    again = runner.invoke(cli, [*db, *command, "--format", fmt], catch_exceptions=False)
    assert again.exit_code == 0, again.output
    assert again.stdout == first.stdout
    check = runner.invoke(cli, [*db, "verify", "--check-anchor", anchor.text],
                          catch_exceptions=False)
    assert check.exit_code == 0, check.output


def test_source_titles_are_links(seeded: FactBase) -> None:
    doc = seeded.report("xai", as_of=AS_OF)
    page = render("report", "html", doc)
    assert '<li id="src-1" value="1"><a href="https://www.ibtimes.co.uk/elon-musk-announces-' \
           'his-new-all-male-ai-company-xai-1717636">[IBTimes UK report: Elon Musk announces ' \
           'his new all-male AI company xAI]</a> — International Business Times UK — ' \
           '2023-07-12/2023-07-14</li>' in page


@pytest.mark.parametrize(("fields", "shown"), [
    ({"value": 5e7, "unit": "videos_per_day", "period": "per day", "qualifier": "close_to"},
     "close to 50,000,000 videos per day"),
    ({"value": 6e8, "unit": "users", "period": "monthly", "qualifier": "about"},
     "about 600,000,000 users (monthly)"),
    ({"value": 40, "unit": "people", "period": None, "qualifier": None}, "40 people"),
])
def test_a_figure_says_its_period_once(fields: dict[str, Any], shown: str) -> None:
    from factbase.core.documents import format_metric

    assert format_metric(fields) == shown


def test_the_drawings_keep_a_readable_size_and_scroll_on_a_narrow_screen(
        seeded: FactBase) -> None:
    page = render("report", "html", seeded.report("xai", as_of=date(2026, 3, 1)))
    sizes = re.findall(r'<svg [^>]*style="max-width: (\d+)px; min-width: (\d+)px"', page)
    assert len(sizes) == 2
    assert all(int(least) == round(int(most) * 0.85) for most, least in sizes)
    assert "figure { margin: 12px 0; overflow-x: auto; }" in page
    assert "@media (max-width: 600px) { table { display: block; overflow-x: auto; } }" in page


def test_each_unit_box_has_its_full_text_as_a_tooltip(seeded: FactBase) -> None:
    page = render("report", "html", seeded.report("xai", as_of=date(2026, 3, 1)))
    tip = ("<title>Coding (division, since 2026-02-01/2026-02-11); lead: Manuel Kroiss; "
           "core: Guodong Zhang</title>")
    assert f'<g id="fbtip-0">{tip}' in page and f'<g id="fbtip-0-0">{tip}' in page
