"""Name folding for look-ups: one key for every way a name is written.

:func:`fold` maps a name to its look-up key: Unicode NFKC (full-width forms become ASCII,
compatibility characters are unified; Unicode Standard Annex #15), case folding (Unicode
``casefold``, which is stronger than ``lower``), diacritics removed (NFD, combining marks
dropped), whitespace collapsed, and traditional Chinese characters folded to simplified with
OpenCC's ``t2s`` table. ``吳宇懷``, ``吴宇怀`` and ``ＴＯＮＹ  wu`` fold to the keys of their
simplified, lower-case forms.

:func:`name_keys` gives every look-up key a name is found by — its folded form plus:

* **word order and punctuation** (Latin and other alphabetic names): hyphens, dots and
  apostrophes are removed (``Yu-huai`` = ``Yuhuai``, ``J.R.`` = ``JR``), commas, brackets and
  middle dots separate words (``Wu, Yuhuai`` = ``Wu Yuhuai``), and a key with the words sorted
  makes the order irrelevant, so ``Yuhuai Wu`` and ``Wu Yuhuai`` share a key. Names are written
  given-name first in English and family-name first in Chinese, Japanese, Korean and Hungarian,
  and sources mix both;
* **Hanyu Pinyin** (names in Chinese characters): the reading without tones from the
  ``pypinyin`` library (its phrase dictionary picks the reading of a character in context),
  written as the Chinese standard for personal names in pinyin has it (GB/T 16159-2012: family
  name, then the given name's syllables run together), in both orders and run together:
  ``吴宇怀`` → ``wu yuhuai``, ``yuhuai wu``, ``wuyuhuai``. The family name is the first character,
  or the first two for the common compound surnames (``欧阳``, ``司马``…); a family name that has
  its own reading as a surname (``单`` Shan, ``曾`` Zeng, ``解`` Xie…) is keyed under both readings.
  ``ü`` is keyed as ``u`` (as diacritics fold), ``yu`` (GB/T 28039-2011, passports: ``Lyu``) and
  ``v`` (input methods: ``Lv``).

Keys are exact: ``Wu`` alone finds no one named ``Tony Wu``. Two different entities may share a
key (two people called Li Wei, or 李伟 and 李威, whose pinyin is the same); they stay two and a
look-up by that key is ambiguous — see :meth:`factbase.api.FactBase.name_collisions`.

Pure module: no SQLAlchemy, no Click.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

_SPACE = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def has_han(text: str) -> bool:
    """Whether ``text`` holds any Chinese (Han) character."""
    return _HAN.search(text) is not None


def to_simplified(text: str) -> str:
    """Traditional Chinese characters in ``text`` folded to simplified (OpenCC ``t2s``)."""
    if not _HAN.search(text):
        return text
    return str(_t2s().convert(text))


def fold(name: str) -> str:
    """The look-up key of ``name`` (see the module docstring); fold(fold(x)) == fold(x)."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", text)
    text = to_simplified(text)
    return _SPACE.sub(" ", text).strip()


# --- look-up keys ---------------------------------------------------------------------------

#: Removed inside a word: hyphens and dashes, dots, apostrophes (after NFKC, so full-width
#: forms are covered).
_JOINERS = re.compile(r"[\-\u2010\u2011\u2012\u2013.'\u2019\u02bc]")
#: Word separators besides whitespace: commas, brackets, slashes, and the middle dots that
#: separate the parts of a foreign name written in Chinese (埃隆·马斯克) or Japanese.
_SEPARATORS = re.compile(r"[,\u3001()\[\]{}/\u00b7\u2027\u30fb\u2022\u2219]")
_HAN_ONLY = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")

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
    words = _SEPARATORS.sub(" ", _JOINERS.sub("", folded)).split()
    if not words:
        return frozenset(keys)
    han = [w for w in words if _HAN.search(w)]
    if len(words) == 1 and _HAN_ONLY.match(words[0]):
        keys |= _chinese_name(words[0])
    elif han:
        romanised = ["".join(_pinyin(w)) for w in words]
        keys |= _orders(romanised) | {"".join(romanised)}
    keys |= _orders(words)
    return frozenset(v for k in keys if k for v in _u_variants(k))


def _orders(words: list[str]) -> set[str]:
    """The words as written and sorted (any order finds any other)."""
    return {" ".join(words), " ".join(sorted(words))}


def _chinese_name(word: str) -> set[str]:
    """Pinyin keys of a name written in Chinese characters only (family name first)."""
    syllables = _pinyin(word)
    if not 2 <= len(word) <= 4 or len(syllables) != len(word):
        return {"".join(syllables), " ".join(syllables)}
    n = 2 if len(word) > 2 and word[:2] in COMPOUND_SURNAMES else 1
    given = "".join(syllables[n:])
    family = ["".join(syllables[:n]), *SURNAME_READINGS.get(word[:n], ())]
    out = set()
    for f in dict.fromkeys(family):
        out |= {f"{f} {given}", f"{given} {f}", f + given}
    return out


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
