"""RFC 9285 Base45: the RFC's vectors, strict decoding, round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerk.shared import base45


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"", ""),
        (b"AB", "BB8"),
        (b"Hello!!", "%69 VD92EX0"),
        (b"base-45", "UJCLQE7W581"),
        (b"ietf!", "QED8WEX0"),
        (b"\x00", "00"),
        (b"\xff", "U5"),
        (b"\xff\xff", "FGW"),
        (b"\x00\x00", "000"),
    ],
)
def test_rfc_vectors_both_ways(raw: bytes, text: str) -> None:
    assert base45.encode(raw) == text
    assert base45.decode(text) == raw


def test_decode_ietf() -> None:
    assert base45.decode("QED8WEX0") == b"ietf!"


@pytest.mark.parametrize("text", ["A", "ABCD", "0000"])
def test_length_leaving_one_character_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="length"):
        base45.decode(text)


@pytest.mark.parametrize("text", ["qed8wex0", "AB#", "BB8=", "ÄBC", "\x00AB", "GGW"[:2] + "é"])
def test_characters_outside_the_alphabet_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match=r"character|length"):
        base45.decode(text)


@pytest.mark.parametrize("text", ["GGW", ":::", "FGW"[:2] + "X", "V5", "::"])
def test_out_of_range_groups_are_rejected(text: str) -> None:
    # "GGW" = 16 + 16*45 + 32*2025 = 65536 > 0xFFFF; "V5" = 31 + 5*45 = 256 > 0xFF
    with pytest.raises(ValueError, match="out of range"):
        base45.decode(text)


def test_largest_valid_groups() -> None:
    assert base45.decode("FGW") == b"\xff\xff"
    assert base45.decode("U5") == b"\xff"


def test_alphabet_is_the_qr_alphanumeric_set() -> None:
    assert len(base45.ALPHABET) == 45
    assert set(base45.ALPHABET) == set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


@given(st.binary(max_size=300))
def test_round_trip(data: bytes) -> None:
    text = base45.encode(data)
    assert len(text) == len(data) // 2 * 3 + len(data) % 2 * 2
    assert set(text) <= set(base45.ALPHABET)
    assert base45.decode(text) == data


@given(st.text(max_size=60))
def test_decode_raises_only_value_error(text: str) -> None:
    try:
        data = base45.decode(text)
    except ValueError:
        return
    assert base45.encode(data) == text  # anything accepted is canonical
