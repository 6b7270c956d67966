"""Phones: E.164 normalisation, the keyed hash and the masked display form."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from clerk.shared.phones import mask_phone, normalize_phone, phone_hash

PHONE_KEY = "5e" * 32


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("13812345678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("0086 138 1234 5678", "+8613812345678"),
        ("(+86) 138-1234-5678", "+8613812345678"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+86 138 1234 567", None),
        ("138123456789", None),  # not 11 digits: not a mobile
        ("+0123456789", None),
        ("not a number", None),
    ],
)
def test_normalize_phone(typed: str, e164: str | None) -> None:
    assert normalize_phone(typed) == e164


def test_phone_hash_is_hmac_sha256_under_the_key() -> None:
    want = hmac.new(bytes.fromhex(PHONE_KEY), b"+8613812345678", hashlib.sha256).hexdigest()
    assert phone_hash(PHONE_KEY, "+8613812345678") == want
    with pytest.raises(ValueError):
        phone_hash("not hex", "+8613812345678")


def test_mask_phone_shows_at_most_the_last_four_digits() -> None:
    assert mask_phone("+8613812345678") == "138****5678"
    assert mask_phone("+442079460958") == "+442*******58"
    assert mask_phone("+1234") == "+****"
