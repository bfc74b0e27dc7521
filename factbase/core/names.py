"""Name folding for look-ups: one key for every way a name is written.

This module is the one home of the rule "how a name is folded for matching". Look-up
(:mod:`factbase.store.lookup`: ``who``, ``org NAME``, ``resolve``), the duplicate-name warning
(:func:`factbase.store.lookup.collisions`, over the keys stored in ``entity_names``), search
(:mod:`factbase.store.search` and the ``search_docs`` projection) and redaction
(:mod:`factbase.store.redact`, through :func:`fold_with_offsets`) all fold with it.

:func:`fold` maps a name (or any text) to its folded form, in this order:

1. **invisible characters removed**: every *default-ignorable* code point (Unicode Standard
   Annex #44, property ``Default_Ignorable_Code_Point``; UAX #31 §2.3 has identifiers ignore
   them) — here every character of general category ``Cf`` (format: zero-width space, joiner
   and non-joiner U+200B–U+200D, the bidi marks, embeddings and isolates U+200E–U+200F,
   U+202A–U+202E, U+2066–U+2069, word joiner and invisible operators U+2060–U+2064, the byte
   order mark U+FEFF, the soft hyphen U+00AD, the Mongolian vowel separator U+180E, tags),
   plus the variation selectors and the other default-ignorables that are not ``Cf``
   (combining grapheme joiner U+034F, Hangul fillers, U+17B4–U+17B5). The test is the
   category, not a list, so new format characters are covered as Unicode adds them; the few
   ``Cf`` characters UAX #44 does not call ignorable (Arabic number signs U+0600–U+0605,
   interlinear annotation marks, Egyptian hieroglyph format controls) are dropped too — no
   name needs them. An invisible character *joins* what it sits between: ``Tony\u200bWu``
   folds as ``tonywu`` (a run-together name, see below) and ``Tony\u200b Wu`` as
   ``tony wu``; ``T\u00adony`` as ``tony``;
2. **Unicode NFKC** (UAX #15: full-width forms become ASCII, compatibility characters are
   unified), **case folding** (Unicode ``casefold``, stronger than ``lower``), and
   **diacritics removed** (NFD, combining marks dropped, NFC again);
3. **whitespace** collapsed to one space and trimmed, and **spaces between two Chinese (Han)
   characters removed**: Chinese is written without spaces, so ``吴 宇 怀`` is ``吴宇怀``;
4. **traditional Chinese folded to simplified** with OpenCC's ``t2s`` table (phrase-aware:
   ``乾隆`` stays, ``乾燥`` becomes ``干燥``).

``吳宇懷``, ``吴 宇 怀`` and ``吴\u200b宇怀`` fold to ``吴宇怀``; ``ＴＯＮＹ  wu`` to ``tony wu``.
:func:`fold_with_offsets` gives the same folded text with, for each folded character, the span
of the original text it comes from — what redaction needs to mask a name found folded.

:func:`name_keys` gives every look-up key a name is found by — its folded form plus:

* **word order and punctuation** (Latin and other alphabetic names): hyphens, dots and
  apostrophes are removed (``Yu-huai`` = ``Yuhuai``, ``J.R.`` = ``JR``), commas, brackets and
  middle dots separate words (``Wu, Yuhuai`` = ``Wu Yuhuai``), and a key with the words sorted
  makes the order irrelevant, so ``Yuhuai Wu`` and ``Wu Yuhuai`` share a key. Names are written
  given-name first in English and family-name first in Chinese, Japanese, Korean and Hungarian,
  and sources mix both;
* **run together**: a name of several words (none of them in Chinese characters, which the
  pinyin keys below run together) is also keyed with its words concatenated, in the
  order written and reversed (and, for three or more words, with the last word first or the
  first word last: family name first or last), so ``TonyWu``, ``wutony`` and
  ``Tony\u200bWu`` find ``Tony Wu``;
* **Hanyu Pinyin** (names in Chinese characters): the reading without tones from the
  ``pypinyin`` library (its phrase dictionary picks the reading of a character in context),
  written as the Chinese standard for pinyin orthography has it for personal names (GB/T
  16159-2012 *Basic rules of the Chinese phonetic alphabet orthography*: family name, then
  the given name's syllables run together as one word), in both orders and run together:
  ``吴宇怀`` → ``wu yuhuai``, ``yuhuai wu``, ``wuyuhuai``. The family name is the first
  character, or the first two for the common compound surnames (``欧阳``, ``司马``…); a family
  name that has its own reading as a surname (``单`` Shan, ``曾`` Zeng, ``解`` Xie…) is keyed
  under both readings. ``ü`` is keyed as ``u`` (as diacritics fold), ``yu`` (GB/T 28039-2011,
  passports: ``Lyu``) and ``v`` (input methods: ``Lv``).

Keys are exact: ``Wu`` alone finds no one named ``Tony Wu``. Two different entities may share a
key (two people called Li Wei, or 李伟 and 李威, whose pinyin is the same); they stay two and a
look-up by that key is ambiguous — see :meth:`factbase.api.FactBase.name_collisions`.

Laws (held by property tests): ``fold(fold(x)) == fold(x)``; ``fold_with_offsets(x)[0] ==
fold(x)``; every key is folded and ``name_keys(fold(x)) == name_keys(x)``; inserting
invisible characters or soft hyphens anywhere, or spaces between Chinese characters, changes
no key.

Pure module: no SQLAlchemy, no Click.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache
from typing import Any

#: Han (Chinese) characters: the CJK unified ideographs (with extension A, and extensions B
#: and later in the supplementary planes) and the compatibility ideographs.
HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN = re.compile(f"[{HAN_CHARS}]")
_SPACES = re.compile(" {2,}")
_HAN_GAP = re.compile(f"(?<=[{HAN_CHARS}]) (?=[{HAN_CHARS}])")

#: Default-ignorable code points that are not of category Cf (DerivedCoreProperties.txt:
#: Other_Default_Ignorable_Code_Point and Variation_Selector; unassigned ones included).
_IGNORABLE_RANGES = (
    ("\u034f", "\u034f"), ("\u115f", "\u1160"), ("\u17b4", "\u17b5"),
    ("\u180b", "\u180f"), ("\u2065", "\u2065"), ("\u3164", "\u3164"),
    ("\ufe00", "\ufe0f"), ("\uffa0", "\uffa0"), ("\ufff0", "\ufff8"),
    ("\U000e0000", "\U000e0fff"),
)


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def has_han(text: str) -> bool:
    """Whether ``text`` holds any Chinese (Han) character."""
    return _HAN.search(text) is not None


def is_han(char: str) -> bool:
    """Whether the one character ``char`` is a Chinese (Han) character."""
    return _HAN.match(char) is not None


def shows_nothing(text: str) -> bool:
    """Whether ``text`` holds no visible character: only white space, control characters
    (category ``Cc``) and invisible ones (:func:`is_ignorable`), or nothing at all. Such a
    text is refused as a name (:mod:`factbase.core.fields`)."""
    return all(c.isspace() or is_ignorable(c) or unicodedata.category(c) == "Cc"
               for c in text)


def is_ignorable(char: str) -> bool:
    """Whether ``char`` is invisible and ignored in matching (see the module docstring:
    category ``Cf``, variation selectors and the other default-ignorable code points)."""
    return (unicodedata.category(char) == "Cf"
            or any(lo <= char <= hi for lo, hi in _IGNORABLE_RANGES))


def to_simplified(text: str) -> str:
    """Traditional Chinese characters in ``text`` folded to simplified (OpenCC ``t2s``)."""
    if not _HAN.search(text):
        return text
    return str(_t2s().convert(text))


def han_as_written(text: str) -> list[str]:
    """The runs of Chinese characters in ``text`` that folding changes (traditional forms), as
    written, each once, in order: what a tool that does not fold its query (Datasette,
    sqlite-utils) must find besides the folded text."""
    runs = ["".join(run) for han, run in itertools.groupby(text, is_han) if han]
    return list(dict.fromkeys(r for r in runs if to_simplified(r) != r))


@lru_cache(maxsize=1)
def _spoof_checker() -> Any:
    import icu  # PyICU: ICU, the reference implementation of Unicode TR39

    return icu.SpoofChecker()


@lru_cache(maxsize=65_536)
def skeleton(name: str) -> str:
    """The look-alike key of ``name``: the Unicode TR39 *skeleton* (Unicode Technical
    Standard #39, "Unicode Security Mechanisms", §4 Confusable Detection) of its folded form
    (:func:`fold`), computed by ICU's ``SpoofChecker`` through PyICU. Two names with the same
    skeleton look alike to a reader though their letters differ: ``Tоny Wu`` with a Cyrillic
    ``о`` and ``Tony Wu`` both give ``tony wu``; ``Kim`` and ``Kirn`` both ``kirn``. It is a
    key for warnings (:func:`factbase.store.lookup.collisions`), never for look-ups, and not
    for display (TR39: "not suitable for display to users"). The empty name gives ``""``."""
    folded = fold(name)
    return str(_spoof_checker().getSkeleton(0, folded)) if folded else ""


def fold(name: str) -> str:
    """The folded form of ``name`` (see the module docstring); ``fold(fold(x)) == fold(x)``."""
    if name.isascii():  # NFKC, diacritics, invisibles and Chinese leave ASCII alone
        return " ".join(name.lower().split())
    # What _fold does, on whole strings (faster; a property test holds the two equal).
    text = unicodedata.normalize("NFC", "".join(map(_fold_char, name)))
    return _simplified(_HAN_GAP.sub("", _SPACES.sub(" ", text).strip(" ")))


def fold_with_offsets(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``(fold(text), spans)``: ``spans[i]`` is the ``(start, end)`` slice of ``text`` the
    ``i``-th folded character comes from, so a match ``folded[a:b]`` covers
    ``text[spans[a][0]:spans[b - 1][1]]`` (with any invisible characters inside it)."""
    spans: list[tuple[int, int]] = []
    return _fold(text, spans), spans


@lru_cache(maxsize=16_384)
def _fold_char(c: str) -> str:
    """Steps 1-2 of the module docstring for one character ("" for an invisible one, " " for
    whitespace; a few characters become several: ``ﬁ`` → ``fi``, ``ß`` → ``ss``)."""
    out = _fold_step(c)
    for _ in range(4):  # until stable: NFKC after casefold can change a character again
        again = "".join(_fold_step(x) for x in out)
        if again == out:
            break
        out = again
    return out


def _fold_step(c: str) -> str:
    if c.isspace():
        return " "
    if c.isascii():
        return c.lower()
    if is_ignorable(c):
        return ""
    text = unicodedata.normalize("NFKC", c).casefold()
    return "".join(" " if x.isspace() else x for x in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(x) and not is_ignorable(x))


def _fold(text: str, spans: list[tuple[int, int]]) -> str:
    chars: list[str] = []
    origin: list[tuple[int, int]] = []
    for i, c in enumerate(text):
        for x in _fold_char(c):
            chars.append(x)
            origin.append((i, i + 1))
    if not unicodedata.is_normalized("NFC", "".join(chars)):
        chars, origin = _compose(chars, origin)
    # Whitespace: runs collapsed, ends trimmed, none between two Chinese characters.
    out: list[str] = []
    where: list[tuple[int, int]] = []
    i, n = 0, len(chars)
    while i < n:
        if chars[i] != " ":
            out.append(chars[i])
            where.append(origin[i])
            i += 1
            continue
        j = i
        while j < n and chars[j] == " ":
            j += 1
        if out and j < n and not (is_han(out[-1]) and is_han(chars[j])):
            out.append(" ")
            where.append(origin[i])
        i = j
    spans[:] = where
    return _simplified("".join(out))


def _simplified(folded: str) -> str:
    """Step 4, one character for one (so offsets stay true)."""
    if not has_han(folded):
        return folded
    simplified = to_simplified(folded)
    if len(simplified) != len(folded):  # never seen with t2s; keep offsets true regardless
        simplified = "".join(s if len(s := to_simplified(c)) == 1 else c for c in folded)
    return simplified


def _compose(chars: list[str], origin: list[tuple[int, int]]
             ) -> tuple[list[str], list[tuple[int, int]]]:
    """Canonical composition (NFC) of folded characters, keeping spans: with every combining
    mark gone, only pairs of starters compose (Hangul jamo into syllables, a few Indic vowel
    signs), each with the character just before it."""
    out: list[str] = []
    where: list[tuple[int, int]] = []
    for c, span in zip(chars, origin, strict=True):
        if out:
            pair = unicodedata.normalize("NFC", out[-1] + c)
            if len(pair) == 1:
                out[-1] = pair
                where[-1] = (where[-1][0], span[1])
                continue
        out.append(c)
        where.append(span)
    return out, where


# --- look-up keys ---------------------------------------------------------------------------

#: Removed inside a word: hyphens and dashes, dots, apostrophes (after NFKC, so full-width
#: forms are covered).
JOINERS = "-\u2010\u2011\u2012\u2013.'\u2019\u02bc"
_JOINERS = re.compile(f"[{re.escape(JOINERS)}]")
#: Word separators besides whitespace: commas, brackets, slashes, and the middle dots that
#: separate the parts of a foreign name written in Chinese (埃隆·马斯克) or Japanese.
_SEPARATORS = re.compile(r"[,\u3001()\[\]{}/\u00b7\u2027\u30fb\u2022\u2219]")
_HAN_ONLY = re.compile(f"^[{HAN_CHARS}]+$")

#: Two-character (compound) family names, from the Hundred Family Surnames (百家姓).
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯",
    "长孙", "宇文", "司徒", "司空", "轩辕", "澹台", "西门", "端木", "独孤", "南宫", "百里",
    "呼延", "闻人", "万俟", "申屠", "公冶", "太叔", "钟离", "宗政", "濮阳", "淳于", "单于",
    "赫连", "拓跋", "东郭", "左丘", "第五",
})

#: Family names read differently as surnames than as common words (a pinyin dictionary gives
#: the common reading): both readings are keyed.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan",), "曾": ("zeng",), "解": ("xie",), "区": ("ou",), "仇": ("qiu",),
    "朴": ("piao",), "查": ("zha",), "盖": ("ge",), "乐": ("yue", "le"), "缪": ("miao",),
    "覃": ("qin",), "翟": ("zhai",), "召": ("shao",), "种": ("chong",), "秘": ("bi",),
    "员": ("yun",), "句": ("gou",), "宿": ("su",), "任": ("ren",), "华": ("hua",),
    "纪": ("ji",), "尉迟": ("yuchi",), "万俟": ("moqi",), "长孙": ("zhangsun",),
    "单于": ("chanyu",),
}


def name_keys(name: str) -> set[str]:
    """Every look-up key ``name`` is found by (see the module docstring); never empty for a
    name with any letter. Each key is folded (``fold(k) == k``) and ``name_keys(fold(x)) ==
    name_keys(x)``. A query matches an entity when their key sets meet."""
    return set(_keys(fold(name)))


@lru_cache(maxsize=65_536)
def _keys(folded: str) -> frozenset[str]:
    keys = {folded} if folded else set()
    words = name_words(folded)
    if not words:
        return frozenset(keys)
    han = [w for w in words if _HAN.search(w)]
    if len(words) == 1 and _HAN_ONLY.match(words[0]):
        keys |= _chinese_name(words[0])
    elif han:
        romanised = ["".join(_pinyin(w)) for w in words]
        keys |= _orders(romanised) | {"".join(romanised)}
    keys |= _orders(words)
    if len(words) > 1 and not han:  # run together, given or family name first: TonyWu, WuTony
        keys |= {"".join(w) for w in (words, words[::-1], words[-1:] + words[:-1],
                                      words[1:] + words[:1])}
    # Folded again: joining words can close a gap between Chinese characters (埃隆 马斯克).
    return frozenset(fold(v) for k in keys if k for v in _u_variants(k))


def name_words(name: str) -> list[str]:
    """The words of ``name`` once folded, as keys see them: joiners (hyphens, dots,
    apostrophes) removed, separators (commas, brackets, slashes, middle dots) and spaces
    splitting words: ``Wu, Yu-huai`` → ``["wu", "yuhuai"]``."""
    return _SEPARATORS.sub(" ", _JOINERS.sub("", fold(name))).split()


def _orders(words: list[str]) -> set[str]:
    """The words as written and sorted (any order finds any other)."""
    return {" ".join(words), " ".join(sorted(words))}


def _split_chinese(word: str) -> tuple[list[str], str] | None:
    """A name in Chinese characters only (folded, 2-4 characters) as ``(family, given)`` in
    pinyin: the family name's readings and the given name's syllables run together; None
    for a word that is not such a name."""
    syllables = _pinyin(word)
    if not 2 <= len(word) <= 4 or len(syllables) != len(word):
        return None
    n = 2 if len(word) > 2 and word[:2] in COMPOUND_SURNAMES else 1
    family = ["".join(syllables[:n]), *SURNAME_READINGS.get(word[:n], ())]
    return list(dict.fromkeys(family)), "".join(syllables[n:])


def _chinese_name(word: str) -> set[str]:
    """Pinyin keys of a name written in Chinese characters only (family name first)."""
    split = _split_chinese(word)
    if split is None:
        syllables = _pinyin(word)
        return {"".join(syllables), " ".join(syllables)}
    family, given = split
    out = set()
    for f in family:
        out |= {f"{f} {given}", f"{given} {f}", f + given}
    return out


def pinyin_given_names(name: str) -> set[str]:
    """The given name of a name written in Chinese characters, in Hanyu Pinyin as one word
    (GB/T 16159-2012), with ``ü`` spelled every way :func:`name_keys` spells it: ``吳宇懷`` →
    ``{"yuhuai"}``. Empty for any other name."""
    words = name_words(name)
    if len(words) != 1 or not _HAN_ONLY.match(words[0]):
        return set()
    split = _split_chinese(words[0])
    if split is None or not split[1]:
        return set()
    return {fold(v) for v in _u_variants(split[1])}


def _pinyin(text: str) -> list[str]:
    """Toneless pinyin syllables of ``text`` (non-Chinese runs kept as they are)."""
    from pypinyin import Style, lazy_pinyin

    return [s for s in lazy_pinyin(text, style=Style.NORMAL, v_to_u=True,
                                   errors=lambda chars: chars) if s.strip()]


def _u_variants(key: str) -> set[str]:
    """``ü`` as ``u``, ``yu`` and ``v``; any other key as it is."""
    if "ü" not in key:
        return {key}
    return {key.replace("ü", u) for u in ("u", "yu", "v")}
