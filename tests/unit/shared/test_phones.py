"""Phones: E.164 normalisation, the hub's keyed hash, what a terminal holds (the last digits,
the bucket, the masked form) and sealing to the hub."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from clerk.shared.phones import (
    MIN_CANDIDATES,
    generate_seal_keypair,
    mask_phone,
    normalize_phone,
    open_sealed,
    phone_bucket,
    phone_hash,
    seal,
    seal_public_key,
    tail,
    visible_digits,
)

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
    assert mask_phone("+8613812345678") == "*******5678"
    assert mask_phone("+442079460958") == "+********0958"
    assert mask_phone("+49123456") == "+******56"
    assert mask_phone("+1234") == "+****"
    assert tail("+8613812345678") == "5678" and tail("+1234") == ""


@pytest.mark.parametrize("digits", range(8, 16))
def test_a_foreign_number_shows_no_more_digits_than_leave_enough_candidates(digits: int) -> None:
    """9 × 10^(n-1-k) numbers of n digits show the same k digits; a bucket keeps 1 in 256."""
    e164 = "+" + "9" * digits
    k = visible_digits(e164)
    assert 0 <= k <= 4 and len(tail(e164)) == k
    assert 9 * 10 ** (digits - 1 - k) / 256 >= MIN_CANDIDATES


def test_the_bucket_is_the_first_byte_of_an_hmac_under_the_bucket_key() -> None:
    want = hmac.new(bytes.fromhex(PHONE_KEY), b"+8613812345678", hashlib.sha256).digest()[0]
    assert phone_bucket(PHONE_KEY, "+8613812345678") == want
    buckets = {phone_bucket(PHONE_KEY, f"+86138{n:08d}") for n in range(4000)}
    assert len(buckets) == 256  # all 8 bits used
    with pytest.raises(ValueError):
        phone_bucket("not hex", "+8613812345678")


def test_sealed_numbers_open_only_with_the_hubs_key() -> None:
    private, public = generate_seal_keypair()
    assert seal_public_key(private) == public
    sealed = seal(public, "+8613812345678")
    assert sealed.startswith("v1.") and "5678" not in sealed and len(sealed) < 200
    assert seal(public, "+8613812345678") != sealed  # randomised: a guess confirms nothing
    assert open_sealed(private, sealed) == "+8613812345678"
    assert open_sealed(generate_seal_keypair()[0], sealed) is None  # another hub's key
    tampered = sealed[:-3] + ("A" if sealed[-3] != "A" else "B") + sealed[-2:]
    for bad in (tampered, "v1.", "v1.!!!", "v2." + sealed[3:], "x" * 300, sealed[:40]):
        assert open_sealed(private, bad) is None, bad
    with pytest.raises(ValueError):
        seal("ab" * 31, "+8613812345678")
