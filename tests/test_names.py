"""Look-up keys: every way a name is written finds the same keys (factbase.names)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factbase.names import fold, name_keys

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
    assert name_keys("ＴＯＮＹ ＷＵ") == name_keys("tony wu") == name_keys("Tony Wu") == {"tony wu"}


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
    assert {"埃隆·马斯克", "埃隆 马斯克", "ailong masike"} <= keys
    assert shares("埃隆 马斯克", "埃隆·马斯克")


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
