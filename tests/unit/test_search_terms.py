"""clerk/search_terms.py: a name's search keys (hanzi, pinyin run together, initials, English
words; the tail from each character, syllable or word on), surnames read as surnames, what a
typed text searches by, and the masks."""

from __future__ import annotations

import pytest

from clerk import search_terms


def test_keys_of_a_chinese_name_and_its_english_form() -> None:
    head, tail = search_terms.keys("林晓雯", "Lin Xiaowen")
    assert head.split() == ["林晓雯", "linxiaowen", "lxw", "lx"]
    assert tail.split() == ["晓雯", "雯", "xiaowen", "wen"]


def test_keys_read_surnames_as_surnames_and_fold_what_is_typed_otherwise() -> None:
    assert search_terms.keys("曾小贤", None)[0].split()[1] == "zengxiaoxian"
    assert search_terms.keys("吕方", None)[0].split()[1] == "lvfang"
    assert search_terms.keys("José García", None) == ("josegarcia jg", "garcia")
    assert search_terms.keys("ＷＡＮＧ 芳", None)[0].split() == ["芳", "wangfang", "wf"]


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("林晓雯", "林*雯"),
        ("林雯", "林*"),
        ("欧阳晓雯", "欧**雯"),
        ("Vivian Lin", "V****n L*n"),
        ("J Smith", "J S***h"),
    ],
)
def test_names_are_masked_keeping_first_and_last_character_per_word(name: str, masked: str) -> None:
    assert search_terms.mask_name(name) == masked


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("lin xiao", "name"),
        ("林", "name"),
        ("l", "none"),
        ("5678", "last4"),
        ("56 78", "last4"),
        ("6200 0000 0000 0019", "card"),
        ("13800138000", "card"),
        ("123", "none"),
        ("", "none"),
        ("MC1:ABC", "none"),  # a member code typed by hand is looked up, not searched
    ],
)
def test_what_a_typed_text_searches_by(text: str, kind: str) -> None:
    assert search_terms.query_kind(text) == kind
