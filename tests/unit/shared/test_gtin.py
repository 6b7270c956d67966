"""EAN-13 / UPC-A check digits (clerk/shared/gtin.py), against published codes."""

from __future__ import annotations

import pytest

from clerk.shared import gtin


@pytest.mark.parametrize(
    "code",
    [
        "4006381333931",  # EAN-13, the textbook example
        "9780306406157",  # an ISBN-13
        "6901234567892",  # a Chinese (690–699) EAN-13
        "036000291452",  # UPC-A, the textbook example
    ],
)
def test_published_codes_are_valid(code: str) -> None:
    assert gtin.is_valid(code)
    assert gtin.check_digit(code[:-1]) == code[-1]


@pytest.mark.parametrize("code", ["4006381333932", "036000291453", "400638133393", "40063813339a"])
def test_a_wrong_digit_or_length_is_refused(code: str) -> None:
    assert not gtin.is_valid(code)
    with pytest.raises(ValueError):
        gtin.normalize(code)


def test_upc_a_is_kept_as_its_ean_13() -> None:
    assert gtin.normalize("036000291452") == "0036000291452"
    assert gtin.is_valid(gtin.normalize("036000291452"))
    assert gtin.ean13("400638133393") == "4006381333931"


def test_which_digits_are_product_barcodes() -> None:
    assert gtin.is_product_shape("6901234567892") and gtin.is_product_shape("6901234567899")
    assert gtin.is_product_shape("036000291452")
    assert not gtin.is_product_shape("6222000011112222"[:13])  # our member cards start 62
    assert not gtin.is_product_shape("138001380001")  # a mobile number with a digit too many
    assert not gtin.is_product_shape("62220000111")  # 11 digits
    assert not gtin.is_product_shape("１２３４５６７８９０１２８")  # only ASCII digits (after NFKC)
