"""Look-up keys: every way a name is written finds the same keys (factbase.core.names)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factbase.core.names import fold, fold_with_offsets, is_ignorable, name_keys, pinyin_given_names

TONY = {"吴宇怀", "wu yuhuai", "yuhuai wu", "wuyuhuai"}


def shares(a: str, b: str) -> bool:
    return bool(name_keys(a) & name_keys(b))


def test_a_name_in_simplified_characters_is_keyed_by_its_pinyin_in_both_orders() -> None:
    assert name_keys("吴宇怀") == TONY


def test_traditional_characters_give_the_keys_of_the_simplified_name() -> None:
    assert name_keys("吳宇懷") == TONY


@pytest.mark.parametrize("name", ["Wu Yuhuai", "Yuhuai Wu", "wu yuhuai", "WU YUHUAI",
                                  "Wu, Yuhuai", "Yu-huai Wu", "Wú Yǔhuái", "Ｙｕｈｕａｉ Ｗｕ"])
def test_romanised_names_in_either_order_meet_the_chinese_name(name: str) -> None:
    assert shares(name, "吴宇怀")
    assert shares(name, "吳宇懷")


def test_full_width_letters_fold_to_ascii() -> None:
    assert fold("ＴＯＮＹ ＷＵ") == "tony wu"
    assert name_keys("ＴＯＮＹ ＷＵ") == name_keys("tony wu") == name_keys("Tony Wu") == {
        "tony wu", "tonywu", "wutony"}


def test_diacritics_are_dropped() -> None:
    assert name_keys("Zoë") == {"zoe"}
    assert shares("Zoë Saldaña", "Saldana, Zoe")


def test_word_order_does_not_matter_for_longer_names() -> None:
    assert shares("Jimmy Lei Ba", "Ba Jimmy Lei")
    assert "jimmy lei ba" in name_keys("Jimmy Lei Ba")


def test_keys_are_exact_not_partial() -> None:
    assert not shares("Wu", "Tony Wu")
    assert not shares("Tony", "Tony Wu")


def test_compound_surnames_stay_together() -> None:
    assert {"ouyang nana", "nana ouyang", "ouyangnana"} <= name_keys("欧阳娜娜")
    assert shares("Nana Ouyang", "歐陽娜娜")


def test_a_surname_with_its_own_reading_is_keyed_under_both() -> None:
    keys = name_keys("单田芳")
    assert {"shan tianfang", "dan tianfang"} <= keys


def test_u_umlaut_is_keyed_as_u_yu_and_v() -> None:
    assert {"lu bu", "lyu bu", "lv bu"} <= name_keys("吕布")
    assert shares("Lü Bu", "吕布")
    assert shares("Lyu Bu", "呂布")


def test_foreign_names_written_in_chinese_split_at_the_middle_dot() -> None:
    keys = name_keys("埃隆·馬斯克")
    assert {"埃隆·马斯克", "埃隆马斯克", "ailong masike"} <= keys  # no space between characters
    assert shares("埃隆 马斯克", "埃隆·马斯克")


@pytest.mark.parametrize(("name", "folded"), [
    ("Tony\u200bWu", "tonywu"),  # an invisible character inside a word joins the word
    ("Tony\u200b Wu", "tony wu"),
    ("T\u00adony Wu", "tony wu"),  # soft hyphen
    ("\ufeffTony\u2060 W\u200du\u200c", "tony wu"),  # BOM, word joiner, ZWJ, ZWNJ
    ("\u202eTony Wu\u202c", "tony wu"),  # bidi override and pop
    ("\u2066Tony\u2069 \u200eWu\u200f", "tony wu"),  # bidi isolates and marks
    ("To\u034fny\ufe0f W\U000e0100u\u180e\u2064", "tony wu"),  # CGJ, variation selectors
    ("吴 宇 怀", "吴宇怀"),  # spaces between Chinese characters
    ("吴\u3000宇\u200b怀", "吴宇怀"),
    ("吳 宇 懷", "吴宇怀"),
    ("Tony 吴", "tony 吴"),  # a space between a Latin and a Chinese word stays
    ("乾隆", "乾隆"),  # t2s is phrase-aware, and spaces go before it
    ("乾 隆", "乾隆"),
    ("乾燥", "干燥"),
])
def test_fold_drops_invisible_characters_and_spaces_between_chinese_characters(
        name: str, folded: str) -> None:
    assert fold(name) == folded
    assert fold_with_offsets(name)[0] == folded


def test_the_default_ignorable_characters_are_ignorable() -> None:
    ignorable = ("\u00ad\u034f\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c"
                 "\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
                 "\ufe00\ufe0f\ufeff\U000e0001\U000e0100")
    assert [c for c in ignorable if not is_ignorable(c)] == []
    assert [c for c in "a ä-·吴\u0301\u3000\u00a0" if is_ignorable(c)] == []


@pytest.mark.parametrize("name", ["吴 宇 怀", "Tony\u200bWu", "Wu, Yuhuai", "TonyWu", "tonywu",
                                  "Wu Yu-huai", "Wu Yuhuai", "WuTony", "T\u00adony Wu",
                                  "Tony\u200b Wu"])
def test_every_spelling_shares_a_key_with_tony_wu(name: str) -> None:
    assert shares(name, "Tony Wu") or shares(name, "吳宇懷")


def test_a_name_written_run_together_is_keyed_in_both_orders() -> None:
    assert {"tonywu", "wutony"} <= name_keys("Tony Wu")
    assert {"jimmyleiba", "bajimmylei", "baleijimmy", "leibajimmy"} <= name_keys("Jimmy Lei Ba")
    assert shares("TonyWu", "Tony Wu") and shares("WuTony", "Tony Wu")
    assert shares("Wu Yu-huai", "Wu Yuhuai") and shares("Wu, Yuhuai", "Yuhuai Wu")
    assert not shares("Tony", "Tony Wu") and not shares("TonyWuhan", "Tony Wu")


def test_fold_with_offsets_points_each_folded_character_at_its_source() -> None:
    text = "據報 T\u00adony\u200b  Wu, 吴 宇 怀"
    folded, spans = fold_with_offsets(text)
    assert folded == "据报 tony wu, 吴宇怀"
    at = folded.index("tony wu")
    assert text[spans[at][0]:spans[at + len("tony wu") - 1][1]] == "T\u00adony\u200b  Wu"
    at = folded.index("吴宇怀")
    assert text[spans[at][0]:spans[at + 2][1]] == "吴 宇 怀"
    assert [text[a:b] for a, b in spans[:2]] == ["據", "報"]
    assert fold_with_offsets("ﬁle")[1] == [(0, 1), (0, 1), (1, 2), (2, 3)]  # ﬁ → f, i


def test_the_given_name_of_a_chinese_name_in_pinyin() -> None:
    assert pinyin_given_names("吳宇懷") == {"yuhuai"}
    assert pinyin_given_names("欧阳娜娜") == {"nana"}  # after a compound surname
    assert pinyin_given_names("Tony Wu") == pinyin_given_names("吴") == set()


def test_blank_names_have_no_keys() -> None:
    assert name_keys("") == set()
    assert name_keys(" \t ") == set()


_ALPHABET = st.sampled_from(list(
    "abcxyzABCXYZ éëüÜßİıǅﬁＡＢｃ１-.,'’·()\t\n"
    "吴吳宇怀懷张張国國栋棟欧阳陽单吕呂李伟偉马馬斯克"
))
NAMES = st.text(_ALPHABET, max_size=12) | st.text(max_size=8)


@given(NAMES)
def test_fold_is_idempotent(name: str) -> None:
    assert fold(fold(name)) == fold(name)


@given(NAMES)
def test_keys_are_folded_and_stable_under_folding(name: str) -> None:
    keys = name_keys(name)
    assert all(fold(k) == k for k in keys)
    assert name_keys(fold(name)) == keys
    if fold(name):
        assert fold(name) in keys


@given(NAMES)
def test_every_key_finds_the_name_it_came_from(name: str) -> None:
    keys = name_keys(name)
    for k in keys:
        assert k in name_keys(k)


# Invisible characters, soft hyphens and spaces between Chinese characters change no key.
_INVISIBLE = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",
                              "\u034f", "\ufe0f", "\u202a", "\u202c", "\u2066", "\u2069",
                              "\u180e"])
_HANZI = "吴吳宇怀懷张張国國栋棟欧阳陽单吕呂李伟偉马馬斯克乾隆燥"
_HAN_SET = frozenset(_HANZI)


@given(NAMES, st.data())
def test_keys_ignore_invisible_characters_soft_hyphens_and_spaces_between_chinese_characters(
        name: str, data: st.DataObject) -> None:
    noisy = []
    for i, c in enumerate(name):
        noisy.append(c)
        if data.draw(st.booleans()):
            noisy.append(data.draw(_INVISIBLE))
        if c in _HAN_SET and name[i + 1:i + 2] in _HAN_SET and data.draw(st.booleans()):
            noisy.append(data.draw(st.sampled_from([" ", "  ", "\u3000", " \u200b"])))
    assert name_keys("".join(noisy)) == name_keys(name)
    assert fold("".join(noisy)) == fold(name)


@given(st.text(st.sampled_from(list(
    "abZ 吴吳宇懷乾隆燥\u200b\u00ad\u034f\ufe0f\u3000\t-,·각가ｶﾞéß\u0301İﬁ\u0bc6\u0bbe")),
    max_size=14) | st.text(max_size=10))
def test_fold_with_offsets_folds_as_fold_does(text: str) -> None:
    folded, spans = fold_with_offsets(text)
    assert folded == fold(text)
    assert len(spans) == len(folded)
    assert all(0 <= a < b <= len(text) for a, b in spans)
    assert [a for a, _ in spans] == sorted(a for a, _ in spans)
