"""Output safety helpers: CSV formula guard, Markdown cells, HTML, links, invisible controls."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factbase.core.escape import (
    CSV_FORMULA_PREFIXES,
    ZERO_WIDTH,
    csv_cell,
    html_attr,
    html_link,
    html_text,
    json_safe,
    markdown_cell,
    safe_url,
    terminal_text,
    visible_controls,
)

# --- CSV ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "=1+2", "=HYPERLINK(\"http://evil.example\",\"x\")", "+1", "-1", "-5", "@SUM(A1)",
    "\t=1", "\r=1", "=cmd|' /C calc'!A0",
])
def test_a_text_cell_starting_with_a_formula_prefix_gets_a_quote(text: str) -> None:
    assert csv_cell(text) == "'" + text


def test_every_owasp_prefix_is_guarded() -> None:
    assert CSV_FORMULA_PREFIXES == ("=", "+", "-", "@", "\t", "\r")
    for prefix in CSV_FORMULA_PREFIXES:
        assert csv_cell(prefix + "x") == "'" + prefix + "x"


@pytest.mark.parametrize("text", ["Tony Wu", "吳宇懷", "2026-02-10", "a=b", "5", "x-5",
                                  "'quoted", "", "   ", "\u3000x=1", "Ｔony"])
def test_other_text_is_left_alone(text: str) -> None:
    assert csv_cell(text) == text


@pytest.mark.parametrize(("text", "cell"), [
    # Leading blanks: spreadsheets trim them before looking for a formula.
    (" =1+2", "' =1+2"), ("  +1", "'  +1"), ("\n=1", "'\n=1"),
    ("\u00a0@SUM(A1)", "'\u00a0@SUM(A1)"),
    ("\u3000-1", "'\u3000-1"), (" \t=1", "' \t=1"), (" \r=1", "' \r=1"),
    # Full-width and other compatibility forms of the signs.
    ("\uff1d1+2", "'\uff1d1+2"), ("\uff0b1", "'\uff0b1"), ("\uff0d1", "'\uff0d1"),
    ("\uff20SUM(A1)", "'\uff20SUM(A1)"), ("\ufe661", "'\ufe661"), (" \uff1d1", "' \uff1d1"),
    # Invisible characters in front are shown, so the cell no longer starts with the sign.
    ("\u200b=1+2", "[U+200B]=1+2"), ("\ufeff=1+2", "[U+FEFF]=1+2"),
    ("\u2060=1+2", "[U+2060]=1+2"), ("\u202e=1", "[U+202E]=1"),
])
def test_a_formula_behind_blanks_full_width_signs_or_invisible_characters_is_guarded(
        text: str, cell: str) -> None:
    assert csv_cell(text) == cell


@given(st.text(alphabet=st.sampled_from(" \t\r\n\u00a0\u2000\u3000\u200b\ufeff\u2060\u202e"),
               max_size=4),
       st.sampled_from(["=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\ufe66"]),
       st.text(max_size=10))
def test_no_prefix_of_blanks_and_invisibles_lets_a_formula_through(
        blanks: str, sign: str, rest: str) -> None:
    """Whatever blanks and invisible characters stand before a formula sign, the cell either
    starts with a quote or, after its leading blanks, with a visible ``[U+…]``."""
    cell = csv_cell(blanks + sign + rest)
    assert isinstance(cell, str)
    assert cell.startswith("'") or cell.lstrip().startswith("[U+")


def test_numbers_stay_numbers_and_are_never_guarded() -> None:
    assert csv_cell(-5) == -5
    assert csv_cell(-2.5) == -2.5
    assert csv_cell(0) == 0
    assert csv_cell(100_000) == 100_000
    # Written by the csv module, a number is a bare number; guarded text is text.
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([csv_cell(-5), csv_cell("-5"), csv_cell(1.5)])
    assert buf.getvalue() == "-5,'-5,1.5\n"


def test_none_and_booleans() -> None:
    assert csv_cell(None) == ""
    assert csv_cell(True) == "true"
    assert csv_cell(False) == "false"


def test_a_guarded_cell_survives_the_csv_module_whole() -> None:
    text = "=1+2,\"three\"\nfour" + "x" * 100_000
    buf = io.StringIO()
    csv.writer(buf).writerow([csv_cell(text)])
    (row,) = list(csv.reader(io.StringIO(buf.getvalue())))
    assert row == ["'" + text]


def test_a_bidi_override_in_a_cell_is_made_visible() -> None:
    assert csv_cell("abc\u202edcba") == "abc[U+202E]dcba"
    assert csv_cell("\u202e=1") == "[U+202E]=1"


# --- invisible controls -------------------------------------------------------------------


def test_visible_controls() -> None:
    assert visible_controls("a\u202eb\u2066c\u2069d") == "a[U+202E]b[U+2066]c[U+2069]d"


def test_zero_width_characters_are_made_visible_in_every_helper() -> None:
    text = "To\u200bny\u2060W\ufeffu\u3164\u180e"
    shown = "To[U+200B]ny[U+2060]W[U+FEFF]u[U+3164][U+180E]"
    assert visible_controls(text) == shown
    assert terminal_text(text) == shown
    assert csv_cell(text) == shown
    assert markdown_cell(text) == shown.replace("[", "\\[").replace("]", "\\]")
    assert html_text(text) == shown
    assert json_safe(json.dumps(text, ensure_ascii=False)) == (
        '"To\\u200bny\\u2060W\\ufeffu\\u3164\\u180e"')
    assert json.loads(json_safe(json.dumps(text, ensure_ascii=False))) == text


def test_joiners_variation_selectors_and_soft_hyphens_are_kept() -> None:
    """Persian (ZWNJ), emoji sequences (ZWJ, VS16) and hyphenation hints are text."""
    text = ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \U0001f469\u200d\U0001f4bb "
            "\u2764\ufe0f Ren\u00e9e co\u00adop")
    assert visible_controls(text) == text
    assert json.loads(json_safe(json.dumps(text, ensure_ascii=False))) == text
    assert ZERO_WIDTH.isdisjoint(text)
    assert visible_controls("bell\x07 nul\x00 esc\x1b[31m del\x7f c1\x85") == \
        "bell[U+0007] nul[U+0000] esc[U+001B][31m del[U+007F] c1[U+0085]"
    assert visible_controls("tab\tnewline\ncr\r") == "tab\tnewline\ncr\r"
    assert visible_controls("مرحبا שלום 吳宇懷") == "مرحبا שלום 吳宇懷"  # RTL letters are fine


# --- Markdown -------------------------------------------------------------------------------


def test_markdown_cell_escapes_table_and_inline_syntax() -> None:
    assert markdown_cell("a | b") == "a \\| b"
    assert markdown_cell("*bold* _it_ `code` [link](javascript:x) ~del~") == \
        "\\*bold\\* \\_it\\_ \\`code\\` \\[link\\](javascript:x) \\~del\\~"
    assert markdown_cell("<img src=x onerror=alert(1)>") == "\\<img src=x onerror=alert(1)\\>"
    assert markdown_cell("&lt; &amp;") == "&amp;lt; &amp;amp;"
    assert markdown_cell("back\\slash") == "back\\\\slash"


def test_markdown_cell_keeps_lines_as_br_on_one_row() -> None:
    assert markdown_cell("one\ntwo\r\nthree\rfour") == "one<br>two<br>three<br>four"
    assert markdown_cell(None) == ""


# --- HTML and links -------------------------------------------------------------------------


def test_html_text_and_attr() -> None:
    assert html_text("<script>alert('x')</script> & \"q\"") == \
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;"
    assert html_text("a\nb") == "a<br>b"
    assert html_attr('x" onclick="evil') == "x&quot; onclick=&quot;evil"
    assert html_text(None) == ""
    long = "x" * 100_000
    assert html_text(long) == long


@pytest.mark.parametrize("url", [
    "https://example.com/a?b=1&c=2", "http://example.com", "HTTPS://EXAMPLE.COM/x",
])
def test_safe_urls(url: str) -> None:
    assert safe_url(url)


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
    "java\nscript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x",
    "//example.com/x", "/relative", "https://", "https://exa mple.com", "http://[::1",
    "https://example.com/\u202e", "mailto:a@example.com", "", None, 5,
])
def test_unsafe_urls(url: object) -> None:
    assert not safe_url(url)


def test_html_link_only_links_http() -> None:
    assert html_link("https://example.com/?a=1&b=\"2\"", "<T>") == \
        '<a href="https://example.com/?a=1&amp;b=&quot;2&quot;">&lt;T&gt;</a>'
    assert html_link("javascript:alert(1)", "Title") == "Title (javascript:alert(1))"
    assert html_link("javascript:alert(1)", "javascript:alert(1)") == "javascript:alert(1)"
    assert html_link(None, "Title") == "Title"


@given(st.text(max_size=200))
def test_escaped_html_never_holds_markup(text: str) -> None:
    out = html_text(text)
    assert "<" not in out.replace("<br>", "")
    assert ">" not in out.replace("<br>", "")
    assert '"' not in out and "'" not in out


@given(st.text(max_size=200))
def test_a_markdown_cell_is_one_line_without_a_bare_pipe(text: str) -> None:
    out = markdown_cell(text)
    assert "\n" not in out and "\r" not in out
    assert "|" not in out.replace("\\|", "")
