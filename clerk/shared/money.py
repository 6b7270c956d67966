"""Money as every boundary takes it: integer minor units (fen), never a float.

An amount typed by a person (``clerk record sale --amount 12.34``, the sale form) becomes cents
here, with :class:`~decimal.Decimal` — exactly, or not at all: no infinity or NaN, nothing
negative, nothing finer than a fen (``0.004``), nothing above :data:`MAX_CENTS`. The UI passes
its locale's decimal point and group separator (Qt's ``QLocale``); the CLI takes the plain form.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_CENTS = 10**10  # ¥100,000,000.00: above anything one record in a store is worth
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


class AmountError(ValueError):
    """Text that is not an amount of money. ``reason``: ``not_a_number`` (including infinity
    and NaN), ``negative``, ``sub_cent`` (finer than a fen) or ``too_large``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def parse_cents(text: str, *, decimal_point: str = ".", group_separator: str = ",") -> int:
    """``"1,999.50"`` → ``199950``. Raises :class:`AmountError` for anything that is not an
    amount from 0 to :data:`MAX_CENTS` fen in whole fen."""
    compact = text.strip().replace(" ", "").replace("\u00a0", "")
    if group_separator and group_separator != decimal_point:
        compact = compact.replace(group_separator, "")
    if decimal_point != ".":
        compact = compact.replace(".", "\0").replace(decimal_point, ".")
    compact = compact.removeprefix("¥").removeprefix("￥")
    if not _PLAIN.fullmatch(compact):  # also refuses inf, nan, exponents and stray marks
        raise AmountError("not_a_number", f"not an amount of money: {text!r}")
    try:
        value = Decimal(compact)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only decimals
        raise AmountError("not_a_number", f"not an amount of money: {text!r}") from exc
    if value < 0:
        raise AmountError("negative", f"an amount cannot be negative: {text!r}")
    cents = value * 100
    if cents != cents.to_integral_value():
        raise AmountError("sub_cent", f"an amount is in whole fen (0.01): {text!r}")
    if cents > MAX_CENTS:
        raise AmountError("too_large", f"an amount is at most {MAX_CENTS // 100:,}: {text!r}")
    return int(cents)
