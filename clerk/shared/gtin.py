"""Product barcodes: EAN-13 and UPC-A (GTIN-13 and GTIN-12), their check digit, and how a
scanned string is told apart from a member card.

A GTIN's last digit is a check digit: weights 3 and 1 alternate from the digit next to it,
leftwards; the check digit brings the weighted sum to a multiple of 10. A UPC-A is an EAN-13
with a leading 0, and is kept as that EAN-13 (one form to store and compare).

Which digit strings are product barcodes (:func:`is_product_shape`), decided beside the member
identities of :mod:`clerk.identify`: 13 digits, or 12 digits not starting ``1`` (a mobile
number typed with a digit too many stays ``bad_phone``), and in both cases not starting ``62``
(the member cards we issue) — a phone number written ``86 1…`` is normalised to a phone
before this is asked. Pure: no I/O.
"""

from __future__ import annotations

LENGTHS = (12, 13)
CARD_PREFIX = "62"  # the member cards we issue start so (clerk/identify.py)


def check_digit(body: str) -> str:
    """The check digit of ``body`` (the digits before it, 11 or 12 of them)."""
    if not body.isascii() or not body.isdigit():
        raise ValueError(f"a GTIN is digits only: {body!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def is_valid(code: str) -> bool:
    """A 12- or 13-digit GTIN with the right check digit."""
    return (
        len(code) in LENGTHS
        and code.isascii()
        and code.isdigit()
        and check_digit(code[:-1]) == code[-1]
    )


def is_product_shape(digits: str) -> bool:
    """Digits a scan reads as a product barcode (valid or not) — never as a member card."""
    if not digits.isascii() or not digits.isdigit() or len(digits) not in LENGTHS:
        return False
    if digits.startswith(CARD_PREFIX):
        return False
    return not (len(digits) == 12 and digits.startswith("1"))


def normalize(code: str) -> str:
    """The EAN-13 of a valid GTIN (a UPC-A gets its leading 0); ValueError if not valid."""
    if not is_valid(code):
        raise ValueError(f"not a valid EAN-13 or UPC-A: {code!r}")
    return code if len(code) == 13 else "0" + code


def ean13(body: str) -> str:
    """``body`` (12 digits) with its check digit: an EAN-13."""
    if len(body) != 12:
        raise ValueError(f"an EAN-13 body is 12 digits: {body!r}")
    return body + check_digit(body)
