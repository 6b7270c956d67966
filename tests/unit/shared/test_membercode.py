"""Member codes: issue → verify round trips, every rejection reason, skew edges, key rotation,
and property tests that no input makes verify raise anything but CodeRejected."""

from __future__ import annotations

import struct
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from clerk.shared import base45, membercode
from clerk.shared.membercode import CodeRejected

EXP = 1_750_000_000
KEY1, PUB1 = membercode.generate_keypair()
KEY2, PUB2 = membercode.generate_keypair()
KEYS = {1: PUB1, 2: PUB2}
JTI = bytes.fromhex("0a0b0c0d0e0f")
CODE = membercode.issue(KEY1, 1, 123_456_789_012, exp=EXP, jti=JTI)
RAW = base45.decode(CODE[4:])
NOW = EXP - 30  # inside the validity window


def reason_of(text: str, keys: dict[int, bytes] = KEYS, now: float = NOW, **kw: int) -> str:
    with pytest.raises(CodeRejected) as info:
        membercode.verify(text, keys, now, **kw)
    return info.value.reason


def encode(raw: bytes) -> str:
    return membercode.PREFIX + base45.encode(raw)


def sign_raw(key: Ed25519PrivateKey, signed: bytes) -> bytes:
    return signed + key.sign(b"MC1:" + signed)


# --- round trips ------------------------------------------------------------------------------


def test_round_trip() -> None:
    got = membercode.verify(CODE, KEYS, NOW)
    assert got == membercode.VerifiedCode(kid=1, code_id=123_456_789_012, exp=EXP, jti=JTI.hex())


def test_text_shape() -> None:
    assert len(CODE) == membercode.TEXT_LEN == 130
    assert CODE.startswith("MC1:")
    assert set(CODE) <= set(base45.ALPHABET)
    assert len(RAW) == 84
    assert RAW[0] == 1 and RAW[1] == 1
    assert struct.unpack(">Q", RAW[2:10])[0] == 123_456_789_012
    assert struct.unpack(">I", RAW[10:14])[0] == EXP
    assert RAW[14:20] == JTI


def test_signature_covers_prefix_and_first_20_bytes() -> None:
    KEY1.public_key().verify(RAW[20:], b"MC1:" + RAW[:20])  # raises if not


def test_random_jti_differs_between_codes() -> None:
    a = membercode.verify(membercode.issue(KEY1, 1, 5, exp=EXP), KEYS, NOW)
    b = membercode.verify(membercode.issue(KEY1, 1, 5, exp=EXP), KEYS, NOW)
    assert len(a.jti) == 12 and a.jti != b.jti


@pytest.mark.parametrize("code_id", [0, 1, 2**63, 2**64 - 1])
def test_code_id_extremes(code_id: int) -> None:
    code = membercode.issue(KEY2, 2, code_id, exp=EXP)
    assert membercode.verify(code, KEYS, NOW).code_id == code_id


@pytest.mark.parametrize(
    ("kid", "code_id", "exp", "jti"),
    [
        (256, 1, EXP, None),
        (-1, 1, EXP, None),
        (1, 2**64, EXP, None),
        (1, -1, EXP, None),
        (1, 1, 2**32, None),
        (1, 1, -1, None),
        (1, 1, EXP, b"12345"),
        (1, 1, EXP, b"1234567"),
    ],
)
def test_issue_rejects_out_of_range_fields(
    kid: int, code_id: int, exp: int, jti: bytes | None
) -> None:
    with pytest.raises(ValueError):
        membercode.issue(KEY1, kid, code_id, exp=exp, jti=jti)


# --- rejections -------------------------------------------------------------------------------


def test_code_rejected_is_a_value_error_with_a_reason() -> None:
    with pytest.raises(ValueError) as info:
        membercode.verify("nope", KEYS, NOW)
    assert isinstance(info.value, CodeRejected)
    assert info.value.reason == "malformed"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "MC1:",
        "MC2:" + CODE[4:],
        "mc1:" + CODE[4:],
        CODE.lower(),
        CODE[:-1],
        CODE + "0",
        CODE[:-3],
        " " + CODE[1:],
        CODE[:50] + "#" + CODE[51:],
        CODE[:50] + "é" + CODE[51:],
        CODE[:-3] + ":::",  # out-of-range Base45 group
        "MC1:" + "0" * 10**6,
        "https://example.com/" + "x" * 110,
    ],
)
def test_malformed(text: str) -> None:
    assert reason_of(text) == "malformed"


def test_wrong_version_is_malformed_even_if_signed() -> None:
    signed = bytes([2]) + RAW[1:20]
    assert reason_of(encode(sign_raw(KEY1, signed))) == "malformed"


def test_unknown_key() -> None:
    code = membercode.issue(KEY1, 7, 1, exp=EXP)
    assert reason_of(code) == "unknown_key"
    assert reason_of(CODE, keys={}) == "unknown_key"


@pytest.mark.parametrize("bad", [b"", b"\x00" * 31, b"\x01" * 33])
def test_unusable_public_key_counts_as_unknown(bad: bytes) -> None:
    assert reason_of(CODE, keys={1: bad}) == "unknown_key"


def test_bad_signature_from_another_key_with_same_kid() -> None:
    forged = membercode.issue(KEY2, 1, 123_456_789_012, exp=EXP, jti=JTI)
    assert reason_of(forged) == "bad_signature"


def test_bad_signature_when_payload_edited() -> None:
    edited = RAW[:2] + struct.pack(">Q", 999) + RAW[10:]
    assert reason_of(encode(edited)) == "bad_signature"


def test_bad_signature_when_prefix_not_signed() -> None:
    signed = RAW[:20]
    raw = signed + KEY1.sign(signed)  # signed without the "MC1:" prefix
    assert reason_of(encode(raw)) == "bad_signature"


def test_expired_and_not_yet_valid() -> None:
    assert reason_of(CODE, now=EXP + 3600) == "expired"
    assert reason_of(CODE, now=EXP - 3600) == "not_yet_valid"


def test_check_order_is_deterministic() -> None:
    # unknown key beats bad signature and time; bad signature beats time
    assert reason_of(membercode.issue(KEY1, 9, 1, exp=1), now=EXP) == "unknown_key"
    forged = membercode.issue(KEY2, 1, 1, exp=1)
    assert reason_of(forged, now=EXP) == "bad_signature"
    version2 = encode(sign_raw(KEY1, bytes([2, 9]) + RAW[2:20]))
    assert reason_of(version2, keys={}) == "malformed"


# --- clock skew edges ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "ok"),
    [
        (EXP - 120 - 60, True),
        (EXP - 120 - 61, False),
        (EXP - 120 - 60.5, False),
        (EXP - 120, True),
        (EXP, True),
        (EXP + 60, True),
        (EXP + 60.5, False),
        (EXP + 61, False),
    ],
)
def test_skew_edges(now: float, ok: bool) -> None:
    if ok:
        assert membercode.verify(CODE, KEYS, now).exp == EXP
    else:
        assert reason_of(CODE, now=now) == ("expired" if now > EXP else "not_yet_valid")


def test_custom_skew() -> None:
    assert reason_of(CODE, now=EXP + 1, skew=0) == "expired"
    assert reason_of(CODE, now=EXP - 121, skew=0) == "not_yet_valid"
    assert membercode.verify(CODE, KEYS, EXP - 120, skew=0).exp == EXP


# --- key rotation -------------------------------------------------------------------------------


def test_rotation_two_kids_verify_side_by_side() -> None:
    old = membercode.issue(KEY1, 1, 11, exp=EXP)
    new = membercode.issue(KEY2, 2, 22, exp=EXP)
    assert membercode.verify(old, KEYS, NOW).kid == 1
    assert membercode.verify(new, KEYS, NOW).kid == 2
    # the old key retired: its codes become unknown, the new ones still verify
    assert reason_of(old, keys={2: PUB2}) == "unknown_key"
    assert membercode.verify(new, {2: PUB2}, NOW).code_id == 22
    # a kid re-used with another key: the old codes no longer verify
    assert reason_of(old, keys={1: PUB2}) == "bad_signature"


def test_key_helpers_round_trip() -> None:
    text = membercode.private_key_to_hex(KEY1)
    assert len(text) == 64
    again = membercode.private_key_from_hex(text)
    assert membercode.public_key_bytes(again) == PUB1
    code = membercode.issue(again, 1, 3, exp=EXP)
    assert membercode.verify(code, KEYS, NOW).code_id == 3
    assert membercode.keys_from_hex({1: PUB1.hex(), 2: PUB2.hex()}) == KEYS


@pytest.mark.parametrize("text", ["00" * 31, "zz" * 32, ""])
def test_key_helpers_reject_bad_hex(text: str) -> None:
    with pytest.raises(ValueError):
        membercode.private_key_from_hex(text)
    with pytest.raises(ValueError):
        membercode.keys_from_hex({1: text})


# --- nothing but CodeRejected -----------------------------------------------------------------


def test_every_single_bit_flip_is_rejected() -> None:
    reasons: set[str] = set()
    for i in range(len(RAW)):
        for bit in range(8):
            flipped = bytearray(RAW)
            flipped[i] ^= 1 << bit
            reason = reason_of(encode(bytes(flipped)))
            reasons.add(reason)
            if i == 0:
                assert reason == "malformed"
            elif i >= 2:
                assert reason == "bad_signature"
    assert reasons == {"malformed", "unknown_key", "bad_signature"}


def test_every_truncation_is_rejected() -> None:
    for n in range(len(CODE)):
        assert reason_of(CODE[:n]) == "malformed"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_text_only_raises_code_rejected(text: str) -> None:
    with pytest.raises(CodeRejected):
        membercode.verify(text, KEYS, NOW)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=base45.ALPHABET + "abcé\x00", min_size=126, max_size=126))
def test_random_base45_bodies_are_rejected(body: str) -> None:
    with pytest.raises(CodeRejected):
        membercode.verify("MC1:" + body, KEYS, NOW)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=84, max_size=84))
def test_random_84_bytes_are_rejected(raw: bytes) -> None:
    with pytest.raises(CodeRejected):
        membercode.verify(encode(raw), KEYS, NOW)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 129), st.sampled_from(base45.ALPHABET))
def test_any_single_character_substitution_is_rejected(pos: int, ch: str) -> None:
    if CODE[pos] == ch:
        return
    mutated = CODE[:pos] + ch + CODE[pos + 1 :]
    with pytest.raises(CodeRejected):
        membercode.verify(mutated, KEYS, NOW)


def test_huge_input_is_rejected_without_decoding() -> None:
    huge = "MC1:" + "A" * 5_000_000
    start = time.perf_counter()
    assert reason_of(huge) == "malformed"
    assert time.perf_counter() - start < 0.05
