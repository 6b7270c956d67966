"""The cells of an import file: each format parsed exactly, or refused with a reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sync.hub.imports import fields
from sync.hub.imports.fields import RowError
from sync.hub.imports.kinds import KINDS

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("parse", "given", "expected"),
    [
        (fields.phone, "13812345678", "+8613812345678"),
        (fields.phone, "+86 138 1234 5678", "+8613812345678"),
        (fields.phone, "+4915112345678", "+4915112345678"),
        (fields.card, "79927398713", "79927398713"),
        (fields.money, "1999", 199900),
        (fields.money, "1,999.50", 199950),
        (fields.money, "¥0.01", 1),
        (fields.money, "12.3", 1230),  # JSONL numbers arrive as their text
        (fields.when, "1765000000", 1765000000),
        (fields.when, "2026-12-06T10:42:00+08:00", 1796524920),
        (fields.when, "2026-12-06T02:42:00Z", 1796524920),
        (fields.when, "2026-12-06T02:42:00", 1796524920),  # no offset: UTC
        (fields.flag, "Yes", 1),
        (fields.flag, "0", 0),
        (fields.flag, True, 1),
        (fields.day, "2024-02-29", "2024-02-29"),
        (fields.tags, "vip|新客", '["vip", "新客"]'),
        (fields.tags, '["a"]', '["a"]'),
        (fields.tags, ["a", "b"], '["a", "b"]'),
        (fields.barcode, "4006381333931", "4006381333931"),
        (fields.barcode, "036000291452", "036000291452"),
        (fields.count, "42", 42),
        (fields.json_object, '{"skus": ["A"]}', '{"skus": ["A"]}'),
    ],
)
def test_a_cell_is_parsed(parse: Callable[[Any], Any], given: Any, expected: Any) -> None:
    assert parse(given) == expected


@pytest.mark.parametrize(
    ("parse", "given", "reason"),
    [
        (fields.phone, "12345", "not a phone number"),
        (fields.phone, "+86 1381234567", "not a phone number"),  # a mobile one digit short
        (fields.card, "79927398714", "check digit is wrong"),
        (fields.card, "12345", "10 to 19 digits"),
        (fields.money, "12.345", "whole fen"),
        (fields.money, "-1", "negative"),
        (fields.money, "1e3", "not an amount"),
        (fields.money, True, "not an amount"),
        (fields.when, "1765000000000", "not milliseconds"),  # milliseconds
        (fields.when, "yesterday", "not a time"),
        (fields.flag, "maybe", "a flag"),
        (fields.day, "2023-02-29", "no such date"),
        (fields.day, "29/02/2024", "YYYY-MM-DD"),
        (fields.tags, "[1, 2]", "JSON list of text"),
        (fields.barcode, "4006381333932", "check digit is wrong"),
        (fields.barcode, "40063813339", "EAN-13"),
        (fields.count, "-3", "whole number"),
        (fields.ident, "a b", "no spaces"),
        (fields.text, "a\x00b", "control characters"),
        (fields.text, "   ", "empty"),
        (fields.json_object, "[1]", "JSON object"),
    ],
)
def test_a_bad_cell_is_refused_with_its_reason(
    parse: Callable[[Any], Any], given: Any, reason: str
) -> None:
    with pytest.raises(RowError, match=reason):
        parse(given)


def test_a_row_names_the_column_that_refused_it() -> None:
    members = KINDS["members"]
    with pytest.raises(RowError, match=r"^name: required$"):
        members.parse({"id": "a"})
    with pytest.raises(RowError, match=r"^card_no: the card number's check digit is wrong$"):
        members.parse({"id": "a", "name": "A", "card_no": "79927398714"})
    with pytest.raises(RowError, match=r"^pin: PINs are never imported in clear"):
        KINDS["staff"].parse(
            {"id": "s", "store": "S001", "name": "S", "role": "manager", "pin": "123456"}
        )
    assert members.parse({"id": "a", "name": " A ", "points": "3"}) == (
        "a",
        {"id": "a", "name": "A", "points": 3},
    )


def test_percent_off_coupons_take_a_whole_percent() -> None:
    coupons = KINDS["coupons"]
    row = {
        "id": "c",
        "member": "m",
        "title_zh": "九折",
        "rule": "percent_off",
        "expires_at": "2030-01-01",
    }
    assert coupons.parse({**row, "value": "10"})[1]["value"] == 10
    with pytest.raises(RowError, match="whole percent"):
        coupons.parse({**row, "value": "10.5"})
    with pytest.raises(RowError, match="whole percent"):
        coupons.parse({**row, "value": "100"})
    assert coupons.parse({**row, "rule": "amount_off", "value": "20"})[1]["value"] == 2000


def test_docs_list_every_column_of_every_kind() -> None:
    doc = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    for kind in KINDS.values():
        assert f"### {kind.name}" in doc
        section = doc.split(f"### {kind.name}", 1)[1].split("###", 1)[0]
        missing = [c.name for c in kind.columns if f"| `{c.name}` |" not in section]
        assert not missing, f"{kind.name} columns missing from docs/import.md: {missing}"
