"""Name folding for look-ups: one key for every way a name is written.

:func:`fold` maps a name to its look-up key: Unicode NFKC (full-width forms become ASCII,
compatibility characters are unified; Unicode Standard Annex #15), case folding (Unicode
``casefold``, which is stronger than ``lower``), diacritics removed (NFD, combining marks
dropped), whitespace collapsed, and traditional Chinese characters folded to simplified with
OpenCC's ``t2s`` table. ``吳宇懷``, ``吴宇怀`` and ``ＴＯＮＹ  wu`` fold to the keys of their
simplified, lower-case forms.

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
