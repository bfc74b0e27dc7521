"""The explorer (report --format html --interactive): its windows give, on every day, what
`org --as-of` gives; the page is offline and injection-safe; in headless Chromium its slider
shows the state `org --as-of` shows on each date."""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factbase.api import FactBase
from factbase.cli import cli
from factbase.core.documents import org_document
from factbase.render import render
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AS_OF = date(2026, 3, 1)
#: Before the reorganisation, while it may have happened, and after it.
SLIDER_DAYS = ("2025-06-01", "2026-02-05", "2026-03-01")


def _holds(rec: dict[str, Any], day: str) -> bool:
    """The page's one rule (explorer.js ``holds``): from <= D < to."""
    return (rec["from"] is None or rec["from"] <= day) and (rec["to"] is None or day < rec["to"])


def _org_view(fb: FactBase, day: str) -> dict[str, Any]:
    """What `org --as-of day` says, in the terms the page shows."""
    state = fb.org("xai", as_of=date.fromisoformat(day))
    odoc = org_document(state, fb.names(), {})
    return {
        "people": sorted(p["id"] for p in odoc["people"]),
        "units": sorted(u["id"] for u in odoc["units"]),
        "departed": sorted(d["id"] for d in odoc["departed"]),
        "figures": sorted(f"{m['subject']}/{m['metric']}" for m in odoc["metrics"]),
        "uncertain": sorted(u["event"] for u in odoc["uncertain"]),
        "cofounders": len(state.cofounders),
    }


def _doc_view(doc: dict[str, Any], day: str) -> dict[str, Any]:
    present = {m["person"] for m in doc["memberships"] if _holds(m, day)}
    return {
        "people": sorted(present),
        "units": sorted(u["unit"] for u in doc["units"]
                        if _holds(u, day) and u["status"] == "active"),
        "departed": sorted(d["person"] for d in doc["departures"]
                           if _holds(d, day) and d["person"] not in present),
        "figures": sorted(f"{f['subject']}/{f['metric']}" for f in doc["figures"]
                          if _holds(f, day)),
        "uncertain": sorted(u["event"] for u in doc["uncertain"] if _holds(u, day)),
        "cofounders": sum(_holds(c, day) for c in doc["cofounders"]),
    }


def test_the_windows_give_what_org_gives_on_every_day_that_matters(seeded: FactBase) -> None:
    """On every first and last day of any window, and the day before each (where the state
    can change), selecting the windows that hold gives what replay gives."""
    doc = seeded.explorer("xai", as_of=AS_OF)
    days = {d for key in ("units", "memberships", "roles", "departures", "figures",
                          "uncertain") for r in doc[key] for d in (r["from"], r["to"]) if d}
    days |= {date.fromordinal(date.fromisoformat(d).toordinal() - 1).isoformat() for d in days}
    assert len(days) >= 20
    for day in sorted(days):
        assert _doc_view(doc, day) == _org_view(seeded, day), day


def test_the_document_says_where_it_comes_from(seeded: FactBase) -> None:
    doc = seeded.explorer("xai", as_of=AS_OF)
    assert doc["org"] == {"id": "xai", "name": "xAI"}
    assert (doc["first"], doc["last"], doc["as_of"]) == ("2023-07-12", "2026-03-01", "2026-03-01")
    assert doc["recorded"]["anchor"].startswith("79:")
    assert doc["recorded"]["command"].startswith("factbase report xai --as-of 2026-03-01")
    assert [s["n"] for s in doc["sources"].values()] == list(range(1, len(doc["sources"]) + 1))
    tony = [d for d in doc["departures"] if d["person"] == "tony-wu"]
    assert [(d["date"], d["reason"], d["disputed"], d["from"], d["to"]) for d in tony] == [
        ("2026-02-09", "disputed: parted ways / resigned", True, "2026-02-09", None)]


def _page(doc: dict[str, Any]) -> str:
    return render("explorer", "html", doc)


def test_the_page_is_one_offline_file_with_one_script_allowed_by_hash(
        seeded: FactBase) -> None:
    page = _page(seeded.explorer("xai", as_of=AS_OF))
    assert not re.search(r"\b(src|href)=\"(?!#|https?://)", page)
    assert not re.search(r"<(link|img|iframe)\b", page)
    assert re.search(r"script-src &#39;sha256-[A-Za-z0-9+/=]+&#39;", page)  # ' in an attribute
    assert page.count("<script") == 2  # the JSON data and the script
    data = re.search(r'<script type="application/json" id="fb-data">(.*?)</script>', page, re.S)
    assert data is not None
    assert json.loads(data.group(1))["org"] == {"id": "xai", "name": "xAI"}


def test_no_text_from_the_log_can_close_the_data_block_or_make_a_link(
        seeded: FactBase) -> None:
    evil = '</script><script>alert(1)</script><!-- & "\u2028'
    doc = seeded.explorer("xai", as_of=AS_OF)
    doc["names"]["elon-musk"] = evil
    first = next(iter(doc["sources"]))
    doc["sources"][first].update(title=evil, url="javascript:alert(1)")
    page = _page(doc)
    assert page.count("<script") == 2 and "alert(1)</script>" not in page
    assert 'href="javascript' not in page
    data = re.search(r'<script type="application/json" id="fb-data">(.*?)</script>', page, re.S)
    assert data is not None and json.loads(data.group(1))["names"]["elon-musk"] == evil
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the source title


def test_interactive_goes_with_html_only(seeded: FactBase, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--db", seeded.url, "report", "xai", "--interactive"])
    assert result.exit_code == 2
    assert "Invalid value for '--interactive': --interactive goes with --format html, not md" \
        in result.output


def test_report_interactive_writes_the_explorer(seeded: FactBase, runner: CliRunner,
                                               tmp_path: Path) -> None:
    out = tmp_path / "xai.html"
    result = runner.invoke(cli, ["--db", seeded.url, "report", "xai", "--as-of", "2026-03-01",
                                 "--format", "html", "--interactive", "--out", str(out)],
                           catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output == f"{out}: explorer on xAI as of 2026-03-01 written (html, 12 sources)\n"
    assert "<title>xAI: explorer — factbase</title>" in out.read_text(encoding="utf-8")


# --- in a browser -------------------------------------------------------------------------


def _driver(tmp_path: Path, width: int) -> Any:
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--disable-background-networking", "--no-first-run",
                f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={width},1600",
                "--host-resolver-rules=MAP * ~NOTFOUND"):
        options.add_argument(arg)
    service = webdriver.ChromeService(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(options=options, service=service)
    # A window is at least 500 px wide; a phone's screen is set through the DevTools protocol.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 1600, "deviceScaleFactor": 1, "mobile": width < 600})
    return driver


_READ_PAGE = """
const ids = (sel, attr) => [...document.querySelectorAll(sel)].map(e => e.getAttribute(attr));
return {shown: document.getElementById('shown').textContent,
        people: ids('#people-body tr[data-person]', 'data-person').sort(),
        units: ids('#chart-body li[data-unit]', 'data-unit').sort(),
        departed: ids('#departures-body li[data-person]', 'data-person').sort(),
        figures: ids('#figures-body li[data-figure]', 'data-figure').sort(),
        uncertain: ids('#uncertain-body li[data-event]', 'data-event').sort(),
        summary: document.getElementById('summary').textContent};
"""


@pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                    reason="Debian's chromium and chromium-driver are not installed")
def test_the_slider_shows_what_org_shows_in_headless_chromium(seeded: FactBase,
                                                              tmp_path: Path) -> None:
    """The slider moved to three dates shows the people, units, departures, figures and
    uncertain facts of `org --as-of` on each. Screenshots are taken; with
    FACTBASE_UPDATE_SCREENSHOT=1 they replace docs/images/explorer-xai-*.png."""
    page = tmp_path / "explorer-xai.html"
    page.write_text(_page(seeded.explorer("xai", as_of=AS_OF)), encoding="utf-8")
    for width in (1280, 390):
        driver = _driver(tmp_path, width)
        try:
            driver.get(page.as_uri())
            assert driver.find_element("id", "shown").text == "2026-03-01"
            for day in SLIDER_DAYS if width == 1280 else SLIDER_DAYS[1:2]:
                driver.execute_script(
                    "const s = document.getElementById('day');"
                    "s.value = String(Math.round(Date.parse(arguments[0] + 'T00:00:00Z')"
                    " / 86400000)); s.dispatchEvent(new Event('input'));", day)
                seen = driver.execute_script(_READ_PAGE)
                expected = _org_view(seeded, day)
                assert seen["shown"] == day
                for key in ("people", "units", "departed", "figures", "uncertain"):
                    assert seen[key] == expected[key], (day, key)
                assert f"co-founders: {expected['cofounders']} in all" in seen["summary"]
            shot = tmp_path / f"explorer-xai-{width}.png"
            driver.save_screenshot(str(shot))
            head = shot.read_bytes()[:24]
            assert head[:8] == b"\x89PNG\r\n\x1a\n"
            assert int.from_bytes(head[16:20], "big") == width
            logs = driver.get_log("browser")
            assert [entry for entry in logs if entry["level"] == "SEVERE"] == []
            if os.environ.get("FACTBASE_UPDATE_SCREENSHOT") == "1":
                shutil.copyfile(shot, ROOT / "docs" / "images" / shot.name)
        finally:
            driver.quit()
