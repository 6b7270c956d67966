"""The values of an import file's cells, parsed or refused with a reason (:class:`RowError`).

A cell is text (CSV) or a JSON value (JSONL); an empty cell, a JSON ``null`` or a missing key is
*not given* (``None``). Formats (docs/import.md):

* phone: E.164 (``+8613812345678``) or 11 mainland digits (``13812345678``);
* card: 10–19 digits whose last is a Luhn check digit;
* money: yuan (元) as decimal text, at most two decimals (``1999``, ``1999.50``, ``¥1,999.50``),
  kept as fen — a JSON number is read from its text, never through a float;
* time: ISO 8601 (``2026-12-06T10:42:00+08:00``; without an offset it is UTC) or unix seconds;
* flag: ``1 0 true false yes no y n`` (any case) or a JSON boolean;
* barcode: EAN-13 or UPC-A (12 digits) with a valid check digit.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from clerk.shared import phones
from clerk.shared.money import AmountError, parse_cents

CARD_LENGTHS = range(10, 20)
_BIRTHDAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTROL = re.compile(r"[\x00-\x1f]")
_SPACE = re.compile(r"\s")
_TRUE = frozenset({"1", "true", "yes", "y"})
_FALSE = frozenset({"0", "false", "no", "n"})
MIN_TIME = 946_684_800  # 2000-01-01: earlier "times" are a unit mistake (ms? days?)
MAX_TIME = 4_102_444_800  # 2100-01-01


class RowError(ValueError):
    """A row refused: ``reason`` is the sentence the report shows."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def text(value: Any, *, most: int = 200) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RowError("not text")
    out = str(value).strip()
    if not out:
        raise RowError("empty")
    if len(out) > most:
        raise RowError(f"longer than {most} characters")
    if _CONTROL.search(out):
        raise RowError("contains control characters")
    return out


def ident(value: Any) -> str:
    """An id: 1–64 printable characters without spaces."""
    out = text(value, most=64)
    if _SPACE.search(out):
        raise RowError("an id has no spaces")
    return out


def phone(value: Any) -> str:
    """The E.164 form of a phone number."""
    found = phones.normalize_phone(text(value, most=32))
    if found is None:
        raise RowError("not a phone number (E.164 or 11 mainland digits)")
    return found


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card(value: Any) -> str:
    digits = text(value, most=32)
    if not (digits.isascii() and digits.isdigit() and len(digits) in CARD_LENGTHS):
        raise RowError("a card number is 10 to 19 digits")
    if not luhn_valid(digits):
        raise RowError("the card number's check digit is wrong")
    return digits


def money(value: Any) -> int:
    """Yuan as text (or a JSON number, read from its text) → fen."""
    if isinstance(value, bool):
        raise RowError("not an amount of money")
    try:
        return parse_cents(text(value, most=32))
    except AmountError as exc:
        raise RowError(str(exc)) from exc


def count(value: Any, *, most: int = 2**53) -> int:
    """A whole number from 0 to ``most``."""
    if isinstance(value, bool):
        raise RowError("not a whole number")
    raw = text(value, most=20)
    if not (raw.isascii() and raw.isdigit()):
        raise RowError("not a whole number")
    n = int(raw)
    if n > most:
        raise RowError(f"at most {most}")
    return n


def when(value: Any) -> int:
    """ISO 8601 or unix seconds → unix seconds."""
    if isinstance(value, bool):
        raise RowError("not a time")
    raw = text(value, most=40)
    if raw.isascii() and raw.isdigit():
        t = int(raw)
    else:
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError as exc:
            raise RowError("not a time (ISO 8601 or unix seconds)") from exc
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        t = int(parsed.timestamp())
    if not MIN_TIME <= t < MAX_TIME:
        raise RowError("a time between 2000 and 2100 (unix seconds, not milliseconds)")
    return t


def day(value: Any) -> str:
    raw = text(value, most=10)
    if not _BIRTHDAY.fullmatch(raw):
        raise RowError("a date is YYYY-MM-DD")
    try:
        datetime.strptime(raw, "%Y-%m-%d")
    except ValueError as exc:
        raise RowError("no such date") from exc
    return raw


def flag(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    raw = text(value, most=5).lower()
    if raw in _TRUE:
        return 1
    if raw in _FALSE:
        return 0
    raise RowError("a flag is 1/0, true/false or yes/no")


def tags(value: Any) -> str:
    """A JSON list of text, or ``a|b|c`` → the list as JSON."""
    items: Any
    if isinstance(value, list):
        items = value
    else:
        raw = text(value, most=2000)
        if raw.startswith("["):
            try:
                items = json.loads(raw)
            except ValueError as exc:
                raise RowError("tags are a JSON list or a|b|c") from exc
        else:
            items = [t.strip() for t in raw.split("|") if t.strip()]
    if not isinstance(items, list) or not all(isinstance(t, str) and t for t in items):
        raise RowError("tags are a JSON list of text or a|b|c")
    return json.dumps(items, ensure_ascii=False)


def json_object(value: Any) -> str:
    if isinstance(value, dict):
        found: Any = value
    else:
        try:
            found = json.loads(text(value, most=4000))
        except ValueError as exc:
            raise RowError("not a JSON object") from exc
    if not isinstance(found, dict):
        raise RowError("not a JSON object")
    return json.dumps(found, ensure_ascii=False, sort_keys=True)


def barcode(value: Any) -> str:
    """An EAN-13 or UPC-A (12 digits) with its check digit; kept as written."""
    digits = text(value, most=13)
    if not (digits.isascii() and digits.isdigit() and len(digits) in (12, 13)):
        raise RowError("a barcode is EAN-13 (13 digits) or UPC-A (12 digits)")
    body, check = digits[:-1], int(digits[-1])
    weights = (3, 1) if len(body) % 2 else (1, 3)  # from the right: 3, 1, 3, … on the body
    total = sum(int(d) * weights[i % 2] for i, d in enumerate(body))
    if (10 - total % 10) % 10 != check:
        raise RowError("the barcode's check digit is wrong")
    return digits


def one_of(value: Any, choices: tuple[str, ...]) -> str:
    raw = text(value, most=40)
    if raw not in choices:
        raise RowError(f"one of {', '.join(choices)}")
    return raw
