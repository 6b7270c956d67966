"""What the name search reads: the keys of a name, what a typed text searches by, and the masks.

Pure functions and plain data (no storage): ``clerk.search`` indexes and queries cache.db with
them, and the UI asks :func:`query_kind` whether what is being typed searches at all.

A name's keys (:func:`keys`): the hanzi name, its pinyin run together and its initials, an
English name's words run together (``head``: what a name starts with), and the same from the
second character, syllable or word on (``tail``). Pinyin comes from pypinyin's table of
characters, read one character at a time and remembered (a name costs a few dictionary
look-ups), with the surname readings of the characters read otherwise as surnames.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Match = Literal["card", "phone", "name", "prefix", "part"]
QueryKind = Literal["last4", "card", "name", "none"]
_TIERS: dict[Match, int] = {"card": 0, "phone": 0, "name": 1, "prefix": 2, "part": 3}


_HANZI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ALL_HANZI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_WORD = re.compile(r"[^\W_]+")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
# Surnames read otherwise than the character's most common reading.
_SURNAMES = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "翟": "zhai",
    "尉": "yu",
    "缪": "miao",
    "召": "shao",
    "褚": "chu",
    "覃": "qin",
    "秘": "bi",
    "长": "chang",
    "员": "yun",
    "柏": "bai",
}
_READINGS: dict[str, str] = {}
_TABLE: dict[str, str] = {}


def _reading(ch: str) -> str:
    """The toneless pinyin of one hanzi — its first reading, ü as v ("" when there is none)."""
    got = _READINGS.get(ch)
    if got is None:
        if not _TABLE:
            _TABLE.update(_pinyin_table())
        first = _TABLE.get(str(ord(ch)), "").split(",")[0]
        got = _fold(unicodedata.normalize("NFD", first).replace("u\u0308", "v"))
        _READINGS[ch] = got
    return got


def _pinyin_table() -> dict[str, str]:
    """pypinyin's table of single characters (code point → readings with tones), read from its
    data file: importing the package loads its phrase dictionary too — 55 MB and 0.2 s for
    phrases a name does not need; the table alone is 8 MB."""
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("pypinyin is not installed: the name search needs it")
    path = Path(spec.origin).with_name("pinyin_dict.json")
    table: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return table


def _fold(text: str) -> str:
    """Lower case, without diacritics, compatibility forms folded (全角 → ASCII)."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def _units(name: str) -> tuple[str, list[str]]:
    """(the name's hanzi, its syllables and words): ``林晓雯`` → ("林晓雯", [lin, xiao, wen]);
    ``Vivian Lin`` → ("", [vivian, lin])."""
    if name.isascii():  # the common cases first: an English name …
        return "", _ASCII_WORD.findall(name.lower())
    if _ALL_HANZI.fullmatch(name):  # … and a Chinese one
        first = _SURNAMES.get(name[0]) or _reading(name[0])
        return name, [u for u in (first, *map(_reading, name[1:])) if u]
    hanzi: list[str] = []
    units: list[str] = []
    for word in _WORD.findall(unicodedata.normalize("NFKC", name)):
        latin: list[str] = []
        for ch in word:
            if _HANZI.match(ch):
                if latin:
                    units.append(_fold("".join(latin)))
                    latin = []
                reading = _SURNAMES.get(ch) if not hanzi else None
                hanzi.append(ch)
                reading = reading or _reading(ch)
                if reading:
                    units.append(reading)
            else:
                latin.append(ch)
        if latin:
            units.append(_fold("".join(latin)))
    return "".join(hanzi), [u for u in units if u]


def keys(name: str | None, name_en: str | None) -> tuple[str, str]:
    """The index's (head, tail) texts of a member's names: space-separated keys.

    head: the hanzi name, the syllables or words run together, their initials (two or more);
    tail: the same from the second character, syllable or word on."""
    head: list[str] = []
    tail: list[str] = []
    for text in (name, name_en):
        if not text:
            continue
        hanzi, units = _units(text)
        if hanzi:
            head.append(hanzi)
            tail.extend(hanzi[i:] for i in range(1, len(hanzi)))
        if units:
            head.append("".join(units))
            if len(units) > 1:
                head.append("".join([u[0] for u in units]))
                tail.extend("".join(units[i:]) for i in range(1, len(units)))
    heads = dict.fromkeys(head)
    return " ".join(heads), " ".join([k for k in dict.fromkeys(tail) if k not in heads])


# -- results and queries -------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """One search result, masked: what a list of results shows and the id that opens it."""

    member_id: str
    name: str  # masked: 林*雯
    name_en: str | None  # masked per word: V****n L*n
    phone_masked: str | None  # *******5678
    card_masked: str | None  # ************0019
    tier: str
    match: Match  # what matched: card, phone (last four), name (whole), prefix, part


def mask_word(word: str) -> str:
    """First and last character kept: 林晓雯 → 林*雯, 林雯 → 林*, Lin → L*n."""
    if len(word) <= 1:
        return word
    if len(word) == 2:
        return word[0] + "*"
    return word[0] + "*" * (len(word) - 2) + word[-1]


def mask_name(name: str) -> str:
    """A name masked word by word (a Chinese name is one word)."""
    return " ".join(mask_word(w) for w in name.split())


def mask_card(card_no: str) -> str:
    return "*" * max(len(card_no) - 4, 0) + card_no[-4:]


_DIGITS = re.compile(r"[\d\s\-]+")


def query_kind(text: str) -> QueryKind:
    """What ``text`` searches by: the last four phone digits, a card, a name, or nothing (too
    short: one Latin letter; or digits that are neither)."""
    t = unicodedata.normalize("NFKC", text).strip()
    if not t or t[:4].upper() == "MC1:":  # a member code is looked up, not searched
        return "none"
    if _DIGITS.fullmatch(t):
        digits = re.sub(r"\D", "", t)
        if len(digits) == 4:
            return "last4"
        return "card" if 10 <= len(digits) <= 19 else "none"
    key = query_key(t)
    if not key or (len(key) < 2 and not _HANZI.match(key)):
        return "none"
    return "name"


def query_key(text: str) -> str:
    """A typed name as one key: words run together, folded (``Lin Xiao`` → ``linxiao``)."""
    return "".join(_fold(w) for w in _WORD.findall(unicodedata.normalize("NFKC", text)))


def name_queries(key: str) -> list[tuple[Match, str]]:
    """The FTS5 queries of a name key, tier by tier (the key is letters and digits only)."""
    return [
        ("name", f'head : "{key}"'),
        ("prefix", f'head : "{key}"*'),
        ("part", f'tail : "{key}"*'),
    ]


def tier_of(match: Match) -> int:
    """The rank tier of a match (0 first)."""
    return _TIERS[match]
