"""classify(): member codes, cards, phones, and every reason a scan is not a member."""

from __future__ import annotations

import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clerk.errors import ConfigError, IdentifyError, ProductScanned
from clerk.identify import MESSAGES, classify, luhn_check_digit, luhn_valid
from clerk.model import Identity
from clerk.shared import gtin, membercode
from clerk.shared.membercode import CodeRejected
from clerk.shared.phones import PhoneKeys, generate_seal_keypair, normalize_phone, open_sealed

SEAL_PRIVATE, SEAL_PUBLIC = generate_seal_keypair()
PHONE_KEYS = PhoneKeys(bucket_key="5e" * 32, seal_key=SEAL_PUBLIC)
EXP = 1_750_000_000
NOW = EXP - 10
KEY, PUB = membercode.generate_keypair()
KEYS = {3: PUB}
CODE = membercode.issue(KEY, 3, 42, exp=EXP, jti=b"\x01\x02\x03\x04\x05\x06")
CARD = "620000000000000" + luhn_check_digit("620000000000000")

ALL_REASONS = {
    "empty",
    "malformed",
    "bad_check_digit",
    "bad_phone",
    "bad_barcode",
    "not_member_url",
    "not_member_wifi",
    "not_member_other",
    "too_long",
    "no_phone_key",
    *membercode.REJECT_REASONS,
}


def run(text: str, *, phone_keys: PhoneKeys | None = PHONE_KEYS, now: float = NOW) -> Identity:
    return classify(text, phone_keys=phone_keys, keys=KEYS, now=now)


def reason_of(text: str, **kw: object) -> str:
    with pytest.raises(IdentifyError) as info:
        run(text, **kw)  # type: ignore[arg-type]
    return info.value.reason


def expected_bucket(e164: str) -> int:
    return hmac.digest(bytes.fromhex(PHONE_KEYS.bucket_key), e164.encode(), "sha256")[0]


def check_phone(got: Identity, e164: str, masked: str) -> None:
    """A typed phone: the number only in memory (not in repr), its bucket, the masked form,
    and as ref the number sealed to the hub — which the hub opens, and nothing else shows."""
    assert (got.kind, got.value, got.display) == ("phone", e164, f"phone:{masked}")
    assert got.phone_bucket == expected_bucket(e164)
    assert got.ref.startswith("phone_sealed:v1.")
    assert open_sealed(SEAL_PRIVATE, got.ref.removeprefix("phone_sealed:")) == e164
    assert e164[1:] not in repr(got) and e164[-8:] not in got.ref


# --- Luhn ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "ok"),
    [
        ("79927398713", True),
        ("79927398710", False),
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("0", True),
        ("", False),
        ("12a4", False),
        ("١٢٣", False),  # non-ASCII digits
    ],
)
def test_luhn_valid(digits: str, ok: bool) -> None:
    assert luhn_valid(digits) is ok


def test_luhn_check_digit_known() -> None:
    assert luhn_check_digit("7992739871") == "3"
    assert luhn_check_digit("411111111111111") == "1"
    with pytest.raises(ValueError):
        luhn_check_digit("12x")


@given(st.text(alphabet="0123456789", min_size=1, max_size=25), st.data())
def test_luhn_detects_every_single_digit_error(body: str, data: st.DataObject) -> None:
    full = body + luhn_check_digit(body)
    assert luhn_valid(full)
    pos = data.draw(st.integers(0, len(full) - 1))
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != full[pos]]))
    assert not luhn_valid(full[:pos] + new + full[pos + 1 :])


# --- cards --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        CARD,
        f"{CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:]}",
        f"{CARD[:8]}-{CARD[8:]}",
        f"\r\n{CARD}\r\n",
        f"\x02{CARD}\x03",
        "\ufeff" + CARD,
    ],
)
def test_card(typed: str) -> None:
    assert run(typed) == Identity(kind="card", value=CARD, ref=f"card:{CARD}")


@pytest.mark.parametrize("n", [10, 19])
def test_card_length_limits(n: int) -> None:
    body = "9" * (n - 1)
    card = body + luhn_check_digit(body)
    assert run(card).value == card


def test_card_full_width_digits_are_normalised() -> None:
    full_width = "".join(chr(ord(c) - 48 + 0xFF10) for c in CARD)
    assert run(full_width).value == CARD


@pytest.mark.parametrize(
    "typed",
    [
        "1380013800",
        "138 0013 8000 1",
        "12800138000",
        "+86 138 0013 800",
        "86138001380001",
        "+86 138 1234 567",
        "+861381234567890",
    ],
)
def test_a_mobile_number_typed_wrong_is_refused_as_one(typed: str) -> None:
    """A digit missing or one too many, or a wrong second digit: refused as a phone typed
    wrong (never read as a card that no one has, recorded, then rejected by the hub)."""
    assert reason_of(typed) == "bad_phone"


def test_bad_check_digit() -> None:
    wrong = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
    assert reason_of(wrong) == "bad_check_digit"


@pytest.mark.parametrize("digits", ["12345", "123456789", "9" * 20, "+12", "(12)"])
def test_digits_of_no_usable_length_are_malformed(digits: str) -> None:
    assert reason_of(digits) == "malformed"


# --- phones -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+8613812345678",
        "+86 138 1234 5678",
        "(+86) 138-1234-5678",
        "8613812345678",
        "008613812345678",
        "0086 138 1234 5678",
        "１３８１２３４５６７８",  # full-width, typed with a Chinese IME
        "\t13812345678\n",
    ],
)
def test_china_mobile(typed: str) -> None:
    check_phone(run(typed), "+8613812345678", "*******5678")


def test_the_same_number_typed_again_is_sealed_the_same_in_one_run() -> None:
    """So typing it twice is one visit; in another run (or for another number) the sealed
    text differs, and sealing a guess confirms nothing."""
    assert run("13812345678").ref == run("+86 138 1234 5678").ref
    assert run("13812345678").ref != run("13812345679").ref


def test_eleven_digits_are_a_phone_even_when_luhn_valid() -> None:
    body = "1381234567"
    ambiguous = body + luhn_check_digit(body)
    assert luhn_valid(ambiguous)
    assert run(ambiguous).kind == "phone"


@pytest.mark.parametrize(
    ("typed", "e164", "masked"),
    [
        ("+44 20 7946 0958", "+442079460958", "+********0958"),
        ("+1-202-555-0143", "+12025550143", "+*******0143"),
        ("+85212345678", "+85212345678", "+*******5678"),
        ("+49 1234 567", "+491234567", "+******567"),
        ("+35312345", "+35312345", "+******45"),
    ],
)
def test_generic_e164(typed: str, e164: str, masked: str) -> None:
    assert normalize_phone(typed) == e164
    check_phone(run(typed), e164, masked)


@pytest.mark.parametrize("typed", ["+1234567", "+0123456789", "+1" + "2" * 15])
def test_bad_international_numbers_are_malformed(typed: str) -> None:
    assert normalize_phone(typed) is None
    assert reason_of(typed) == "malformed"


def test_phone_without_key() -> None:
    assert reason_of("13812345678", phone_keys=None) == "no_phone_key"


@pytest.mark.parametrize(
    "keys", [PhoneKeys("not hex", SEAL_PUBLIC), PhoneKeys("5e" * 32, "ab" * 31)]
)
def test_phone_keys_that_are_not_keys_are_a_config_error(keys: PhoneKeys) -> None:
    with pytest.raises(ConfigError):
        run("13812345679", phone_keys=keys)


# --- member codes -------------------------------------------------------------------------------


@pytest.mark.parametrize("wrap", ["{}", "{}\r\n", "\x1b]Q1{}", "  {}\t"])
def test_member_code(wrap: str) -> None:
    got = run(wrap.format(CODE).replace("\x1b]Q1", "\x1b"))
    assert got == Identity(
        kind="code", value="42", ref="code:42", jti="010203040506", expires_at=EXP
    )


@pytest.mark.parametrize(("now", "reason"), [(EXP + 61, "expired"), (EXP - 181, "not_yet_valid")])
def test_member_code_out_of_time(now: float, reason: str) -> None:
    with pytest.raises(IdentifyError) as info:
        run(CODE, now=now)
    assert info.value.reason == reason
    assert isinstance(info.value.__cause__, CodeRejected)


def test_member_code_unknown_key_and_bad_signature() -> None:
    other, _ = membercode.generate_keypair()
    assert reason_of(membercode.issue(KEY, 4, 1, exp=EXP)) == "unknown_key"
    assert reason_of(membercode.issue(other, 3, 1, exp=EXP)) == "bad_signature"


@pytest.mark.parametrize("text", [CODE.lower(), "mc1:" + CODE[4:], CODE[:-2], "MC1:"])
def test_mangled_member_codes_are_malformed(text: str) -> None:
    assert reason_of(text) == "malformed"


# --- not members ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   \r\n\t", "empty"),
        ("\x00\x01\x1d", "empty"),
        ("https://shop.example.com/p/123", "not_member_url"),
        ("HTTP://EXAMPLE.COM", "not_member_url"),
        ("WIFI:S:StoreGuest;T:WPA;P:secret;;", "not_member_wifi"),
        ("wifi:S:x;;", "not_member_wifi"),
        ("BEGIN:VCARD\nFN:Li Wei\nEND:VCARD", "not_member_other"),
        ("hello", "not_member_other"),
        ("6200 abc", "not_member_other"),
        ("1.5", "not_member_other"),
        ("x" * 4097, "too_long"),
        (" " * 5000, "too_long"),
    ],
)
def test_not_a_member(text: str, reason: str) -> None:
    assert reason_of(text) == reason


def test_every_reason_has_a_message() -> None:
    assert set(MESSAGES) >= ALL_REASONS
    for reason, message in MESSAGES.items():
        assert message and message[0].isupper() and message.endswith("."), reason
        assert "—" in message, reason  # says what happened — and what to do next


def test_raised_errors_carry_the_message() -> None:
    with pytest.raises(IdentifyError) as info:
        run("WIFI:S:x;;")
    assert info.value.message == MESSAGES["not_member_wifi"]


# --- properties ---------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_an_identity_or_an_identify_error(text: str) -> None:
    try:
        got = run(text)
    except IdentifyError as exc:
        assert exc.reason in ALL_REASONS
    else:
        assert got.kind in ("card", "phone")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789 -+()", max_size=40))
def test_any_number_like_text_is_classified(text: str) -> None:
    try:
        got = run(text)
    except IdentifyError as exc:
        digits = "".join(c for c in text if c not in " -()")
        if exc.reason in ("bad_barcode", "product_barcode"):  # only a barcode's shape
            assert gtin.is_product_shape(digits)
            assert gtin.is_valid(digits) is (exc.reason == "product_barcode")
        elif any(c.isdigit() for c in text):
            assert exc.reason in {"malformed", "bad_check_digit", "bad_phone"}
        else:
            assert exc.reason in {"empty", "not_member_other"}
    else:
        assert got.kind in ("card", "phone")
        if got.kind == "card":
            assert luhn_valid(got.value) and 10 <= len(got.value) <= 19


@pytest.mark.parametrize(
    ("typed", "ean"),
    [
        ("6901234567892", "6901234567892"),  # EAN-13
        ("690 1234 56789 2", "6901234567892"),
        ("036000291452", "0036000291452"),  # UPC-A, kept as its EAN-13
        ("４００６３８１３３３９３１", "4006381333931"),  # full-width, as an IME types it
    ],
)
def test_a_product_barcode_is_a_product_never_a_member(typed: str, ean: str) -> None:
    with pytest.raises(ProductScanned) as scanned:
        run(typed)
    assert (scanned.value.reason, scanned.value.gtin) == ("product_barcode", ean)


@pytest.mark.parametrize("typed", ["6901234567891", "036000291453"])
def test_a_product_barcode_with_a_wrong_check_digit_is_refused(typed: str) -> None:
    with pytest.raises(IdentifyError) as refused:
        run(typed)
    assert refused.value.reason == "bad_barcode"
    assert not isinstance(refused.value, ProductScanned)


def test_our_cards_and_phones_are_not_read_as_barcodes() -> None:
    body = "622200001111"  # a 13-digit card starting 62, as we issue them
    card = body + luhn_check_digit(body)
    assert run(card).kind == "card"
    assert run("8613800138000").kind == "phone"  # 86 and a mobile: 13 digits, a phone
