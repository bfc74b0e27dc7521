"""Output safety: making names and texts inert in every format factbase writes (issue 6).

Everything factbase prints comes from people's input: names, notes, accounts, source titles
and URLs. Each output format has its own way to be attacked, so each has one helper here,
and every renderer goes through them:

* **CSV** (:func:`csv_cell`): a spreadsheet runs a cell that starts with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return as a formula (OWASP "CSV Injection"). Such a *text* cell
  gets a leading ``'``, which spreadsheets read as "this is text" and do not show. Values that
  are numbers in the data (``int``/``float``: a sequence number, a metric value) are written
  as numbers, never guarded, so ``-5`` stays the number -5; text that merely looks like a
  number (``"-5"``) is text and is guarded (``'-5``). Decide by the value's type, never by
  its look.
* **Markdown table cells** (:func:`markdown_cell`): pipes would split the cell, newlines the
  row, and ``*_[]`<>~\\`` would turn text into emphasis, links, code or raw HTML. They are
  backslash-escaped (``&`` becomes ``&amp;`` so no entity is formed), newlines become
  ``<br>``.
* **HTML** (:func:`html_text`, :func:`html_attr`): ``& < > " '`` escaped; newlines become
  ``<br>`` in text.
* **Links** (:func:`safe_url`): only absolute ``http``/``https`` URLs with a host, and no
  whitespace or control characters, are ever written as links; anything else
  (``javascript:``, ``data:``, relative paths) is shown as text.

* **Terminal text** (:func:`terminal_text`, :func:`terminal_doc`): the text pages (``org``,
  ``timeline``, ``who``, ``diff``, ``search``, ``sql --format table``) go to a terminal, where
  an ESC (``\\x1b[2J`` clears the screen), a C1 CSI (U+009B) or a carriage return would act
  instead of showing. Controls are made visible and every line break or tab in a value becomes
  a space, so one fact stays one line.
* **JSON** (:func:`json_safe`): JSON already escapes C0 controls; DEL, the C1 controls, the
  bidi controls and U+2028/U+2029 are written as ``\\uXXXX`` escapes too, so ``jq`` or a
  terminal shows them inertly, while the parsed value stays **exactly** the text stored.

Every helper except the JSON one makes **invisible controls visible**
(:func:`visible_controls`): the bidi embedding, override and isolate controls (U+202A–U+202E,
U+2066–U+2069), which can reorder what a reader sees beyond the text they sit in ("Trojan
Source"), the C0/C1 control characters other than tab and newline (a terminal escape, a NUL),
and the **zero-width characters that have no use inside a name or a sentence**
(:data:`ZERO_WIDTH`: the zero-width space U+200B, the word joiner and invisible operators
U+2060–U+2064, the byte order mark U+FEFF, the Mongolian vowel separator U+180E and the
Hangul fillers U+115F, U+1160, U+3164, U+FFA0, which make a name look like another or like
nothing) are replaced by a visible ``[U+202E]``. This holds for files as for terminals: a
Markdown, HTML, CSV, Mermaid or DOT file shows ``[U+200B]`` where the text holds one, so a
reader of a published report sees what a reader of the terminal sees; JSON writes them as
``\\u200b`` (the parsed value stays the text stored) and the YAML export, which is the log as
it is, as YAML's ``\\u200b`` escape. The zero-width joiner and non-joiner (U+200C, U+200D),
the variation selectors and the soft hyphen are kept: Persian, Indic scripts and emoji
sequences need them, and look-ups ignore them (:func:`factbase.core.names.fold`). Visible escapes
were chosen over wrapping in isolates (U+2068…U+2069) because they also defuse a terminal and
show the reader that the text holds a control; the bidi *marks* (U+200E, U+200F, U+061C) are
kept, as right-to-left text uses them legitimately and they cannot reorder strong characters.
Text stays whole: nothing is cut, however long (only ``sql --format table`` shortens a cell,
visibly, with its length: ``nnn… (100,000 chars)``).

Pure module: no SQLAlchemy, no Click.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV Injection).
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: Zero-width and blank-looking characters shown as ``[U+…]`` (see the module docstring).
ZERO_WIDTH = frozenset("\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u180e"
                       "\u115f\u1160\u3164\uffa0")

#: Bidi embedding/override/isolate controls: they reorder text beyond themselves.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_INVISIBLE = "\u202a-\u202e\u2066-\u2069" + "".join(sorted(ZERO_WIDTH))
#: The bidi controls and :data:`ZERO_WIDTH` characters: printable to JSON and YAML, which
#: write them raw, yet invisible to a reader; the data formats write them as ``\\u`` escapes.
INVISIBLE = re.compile(f"[{_INVISIBLE}]")
# C0 controls except tab, newline and carriage return; DEL; C1 controls; the invisible ones.
_CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_INVISIBLE}]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_NEWLINE = re.compile(r"\r\n|\r|\n|\u2028|\u2029")


def _mark(match: re.Match[str]) -> str:
    return f"[U+{ord(match.group()):04X}]"


def visible_controls(text: str) -> str:
    """``text`` with bidi controls, C0/C1 control characters (but not tab, CR or LF) and the
    :data:`ZERO_WIDTH` characters replaced by a visible ``[U+XXXX]``; other text, in any
    script, unchanged."""
    return _CONTROL.sub(_mark, text)


_TERMINAL_BREAK = re.compile(r"\r\n|[\r\n\t\u2028\u2029]")
# Characters that JSON leaves raw but a terminal or a reader's eye would act on.
_JSON_RAW = re.compile(f"[\x7f-\x9f\u2028\u2029{_INVISIBLE}]")


def terminal_text(text: str) -> str:
    """``text`` safe to print on a terminal as part of one line: controls made visible
    (:func:`visible_controls`), each line break (CR, LF, CRLF, U+2028, U+2029) and tab
    turned into one space."""
    return _TERMINAL_BREAK.sub(" ", visible_controls(text))


def terminal_doc(value: Any) -> Any:
    """A copy of a document (dicts, lists, text, numbers) with every text, keys included,
    passed through :func:`terminal_text`: what the text renderers print from."""
    if isinstance(value, str):
        return terminal_text(value)
    if isinstance(value, dict):
        return {terminal_doc(k): terminal_doc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [terminal_doc(v) for v in value]
    return value


def json_safe(text: str) -> str:
    """JSON text (from :func:`json.dumps` with ``ensure_ascii=False``) with DEL, C1 and bidi
    controls, the :data:`ZERO_WIDTH` characters and U+2028/U+2029 written as ``\\uXXXX``
    escapes. Those characters can only stand inside JSON strings, so the result parses to
    exactly the same value."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def csv_cell(value: object) -> str | int | float:
    """A value ready for :mod:`csv`: numbers stay numbers; text is guarded against formulas.

    ``None`` is the empty cell, ``True``/``False`` are ``true``/``false``, an ``int`` or
    ``float`` is returned as is (a number in the spreadsheet), anything else is made text:
    controls made visible (:func:`visible_controls`) and, if it then starts with one of
    :data:`CSV_FORMULA_PREFIXES`, even after blanks or in a full-width form
    (:func:`starts_formula`), prefixed with ``'``. Tab and CR are still guarded as first
    characters; inside a cell they, and newlines, are kept (the csv module quotes the cell).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    text = visible_controls(str(value))
    if starts_formula(text):
        return "'" + text
    return text


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula: its first character, or its
    first after leading white space of any kind (spaces, no-break and ideographic spaces,
    line breaks), is one of :data:`CSV_FORMULA_PREFIXES` as written or in a compatibility
    form that Unicode NFKC folds to one (full-width ``＝ ＋ － ＠``, the small ``﹦``, the
    superscript ``⁺``): spreadsheets trim leading blanks and some read full-width signs as
    their ASCII forms. Zero-width characters, a BOM or a word joiner in front do not hide a
    formula either, as :func:`visible_controls` has already shown them as ``[U+…]``."""
    if text.startswith(CSV_FORMULA_PREFIXES):
        return True
    rest = text.lstrip()
    return bool(rest) and unicodedata.normalize("NFKC", rest[0]).startswith(
        CSV_FORMULA_PREFIXES)


def markdown_cell(text: object) -> str:
    """Text made inert inside a Markdown (GFM) table cell: whole, on one line.

    Backslash-escapes ``\\ ` * _ [ ] < > | ~``, turns ``&`` into ``&amp;`` (no entity can
    form) and each line break into ``<br>``; controls made visible. ``None`` is empty.
    """
    if text is None:
        return ""
    out = visible_controls(str(text)).replace("&", "&amp;")
    out = _MARKDOWN_SPECIAL.sub(r"\\\1", out)
    return _NEWLINE.sub("<br>", out)


def html_text(text: object) -> str:
    """Text made inert in HTML element content: ``& < > " '`` escaped, line breaks as
    ``<br>``, controls made visible. ``None`` is empty."""
    if text is None:
        return ""
    return _NEWLINE.sub("<br>", html.escape(visible_controls(str(text)), quote=True))


def html_attr(text: object) -> str:
    """Text made inert in a double- or single-quoted HTML attribute value."""
    if text is None:
        return ""
    return html.escape(visible_controls(str(text)), quote=True)


def safe_url(url: object) -> bool:
    """True only for an absolute ``http://`` or ``https://`` URL with a host and no
    whitespace or control characters: the only URLs factbase writes as links."""
    if not isinstance(url, str) or not url:
        return False
    if any(c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in url):
        return False
    if BIDI_CONTROLS.intersection(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an invalid IPv6 host
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def html_link(url: object, text: object) -> str:
    """``<a href="URL">text</a>`` when :func:`safe_url` allows ``url``; else the escaped
    text alone (followed by the escaped URL, if there is one, so nothing is hidden)."""
    if safe_url(url):
        return f'<a href="{html_attr(url)}">{html_text(text)}</a>'
    if url and str(url) != str(text):
        return f"{html_text(text)} ({html_text(url)})"
    return html_text(text)


__all__ = [
    "BIDI_CONTROLS", "CSV_FORMULA_PREFIXES", "INVISIBLE", "ZERO_WIDTH", "csv_cell", "html_attr",
    "html_link", "html_text", "json_safe", "markdown_cell", "safe_url", "starts_formula",
    "terminal_doc", "terminal_text", "visible_controls",
]
