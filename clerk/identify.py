"""Tell what a scanned or typed string is: a member code, a member card or a phone number.

Rules, in the order :func:`classify` applies them:

1. More than ``MAX_INPUT`` (4096) characters → ``too_long``, before any other work.
2. Control and format characters are removed (scanners add CR/LF/TAB, GS separators, BOMs),
   surrounding whitespace is stripped, and the text is NFKC-normalised so full-width digits
   typed with a Chinese IME (``１３８…``) read as ASCII. Nothing left → ``empty``.
3. ``MC1:…`` → a dynamic member code, verified offline (:mod:`clerk.shared.membercode`); a
   rejected code raises :class:`IdentifyError` with the codec's reason (``malformed``,
   ``unknown_key``, ``bad_signature``, ``expired``, ``not_yet_valid``).
4. ``http://`` / ``https://`` → ``not_member_url``; ``WIFI:`` → ``not_member_wifi``.
5. Digits with the spaces, dashes and brackets a person types (optionally a leading ``+``):

   * ``+`` and a mainland China mobile (``+86 1[3-9]xxxxxxxxx``), or ``86``/``0086`` and one,
     or a bare 11-digit ``1[3-9]…`` → phone, normalised to E.164 (``+8613812345678``);
   * ``+`` and 8–15 digits → phone (generic E.164);
   * a mobile number typed wrong — ``1`` and 9, 10 or 12 digits, ``1[0-2]`` and 10 digits,
     ``+86 1…`` of the wrong length → ``bad_phone`` (refused before anything is recorded;
     the cards we issue start ``62``);
   * 13 digits, or 12 not starting ``1``, and not starting ``62`` (our cards) → a product
     barcode (EAN-13 / UPC-A, :mod:`clerk.shared.gtin`): :class:`~clerk.errors.ProductScanned`
     with its EAN-13 when the check digit is right, else ``bad_barcode`` — never a member;
   * 10–19 digits → member card if the Luhn check digit is right, else ``bad_check_digit``;
   * any other digit string, or digits with a stray ``+`` → ``malformed`` (not a complete
     card or phone number).

   **Ambiguity, decided:** a bare 11-digit ``1[3-9]…`` string is a phone number even when it
   happens to pass Luhn, and so are ``86``/``0086`` followed by one (13 and 15 digits). The
   member cards we issue are 16 digits starting ``62``, so they never collide; a card number
   of another shape matching those patterns would be read as a phone number, and none is
   issued.
6. Anything else → ``not_member_other`` (some other QR payload or barcode).

A phone number is never written in clear: the identity carries the number only in memory (its
``value`` and ``proof`` — what a hub lookup sends), its 8-bit bucket under the key the hub gave
the terminal (what the cache is matched by, with the last four digits), the masked form people
see, and as ``ref`` the number sealed to the hub's public key — what a visit recorded offline
is recorded against, which only the hub can open (:mod:`clerk.shared.phones`). Sealing is
randomised; the same number typed again in the same run gets the same sealed ref, so it is the
same visit. A member code's proof is its whole text, a card's its digits.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping

from clerk.errors import ConfigError, IdentifyError, ProductScanned
from clerk.model import Identity
from clerk.shared import gtin, membercode
from clerk.shared.phones import (
    SEALED_PREFIX,
    TYPED_NUMBER,
    PhoneKeys,
    mask_phone,
    normalize_phone,
    phone_bucket,
    seal,
)

MAX_INPUT = 4096
CARD_MIN, CARD_MAX = 10, 19
# A mainland mobile number with a digit missing, one too many, or a wrong second digit (the
# right ones are normalised to phones before this is asked).
_MISTYPED_MOBILE = re.compile(r"(?:\+?86)?1[0-9]{9,11}|\+861[0-9]*")

# For every reason an IdentifyError (or a decode failure) can carry, what the associate does
# next. Plain English literals: the UI translates them by reason.
MESSAGES: dict[str, str] = {
    "empty": "Nothing was scanned — scan the member code again or type the card or phone number.",
    "malformed": (
        "This is not a complete member code, card or phone number — scan again or check the digits."
    ),
    "bad_phone": (
        "This looks like a mobile number typed wrong: a mobile number has 11 digits and starts "
        "with 13–19 — check the number."
    ),
    "bad_check_digit": (
        "The card number's check digit is wrong — check the digits or scan the card. "
        "Product barcodes are not member cards."
    ),
    "bad_barcode": (
        "This product barcode's check digit is wrong — scan it again or type the digits "
        "printed under it."
    ),
    "not_member_url": (
        "That is a web link, not a member code — ask the customer to open the member code "
        "in the app."
    ),
    "not_member_wifi": (
        "That is a Wi-Fi QR code, not a member code — ask the customer to open the member "
        "code in the app."
    ),
    "not_member_other": (
        "That is not a member code — ask the customer to open the member code in the app, "
        "or type the card or phone number."
    ),
    "too_long": "The scan is far too long to be a member code — scan the member code again.",
    "unknown_key": (
        "This member code was signed with a key this terminal does not know yet — connect to "
        "sync the keys, or type the card or phone number."
    ),
    "bad_signature": (
        "This member code is not genuine — ask the customer to refresh the member code in the "
        "app, or type the card or phone number."
    ),
    "expired": "This code has expired — ask the customer to refresh the member code in the app.",
    "not_yet_valid": (
        "This code is not valid yet — check this terminal's clock, or ask the customer to "
        "refresh the member code in the app."
    ),
    "no_phone_key": (
        "Phone lookup is not available until this terminal has synced once — scan the "
        "member code or type the card number."
    ),
    "no_code_found": (
        "No code was found in the image — hold the code steady and closer, or type the card "
        "or phone number."
    ),
    "unreadable_image": "The file is not a readable image — choose a PNG or JPEG file.",
}

_NUMBERISH = re.compile(r"[0-9 +\-()]*[0-9][0-9 +\-()]*")
_URL = re.compile(r"https?://", re.IGNORECASE)


def _reject(reason: str, message: str | None = None) -> IdentifyError:
    return IdentifyError(message or MESSAGES[reason], reason=reason)


# --- Luhn ------------------------------------------------------------------------------------


def _luhn_sum(digits: str, *, double_first: bool) -> int:
    total = 0
    double = double_first
    for ch in reversed(digits):
        d = ord(ch) - 48
        if double:
            d *= 2
            if d > 9:
                d -= 9
        total += d
        double = not double
    return total


def luhn_valid(digits: str) -> bool:
    """True if ``digits`` (ASCII digits only, check digit last) passes the Luhn check."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    return _luhn_sum(digits, double_first=False) % 10 == 0


def luhn_check_digit(body: str) -> str:
    """The Luhn check digit to append to ``body``."""
    if not body or not body.isascii() or not body.isdigit():
        raise ValueError(f"not a digit string: {body!r}")
    return str((10 - _luhn_sum(body, double_first=True) % 10) % 10)


# --- classify --------------------------------------------------------------------------------


def clean(text: str) -> str:
    """Scanner/typing noise removed: control and format characters, outer whitespace, NFKC."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))
    return unicodedata.normalize("NFKC", kept).strip()


def classify(
    text: str,
    *,
    phone_keys: PhoneKeys | None,
    keys: Mapping[int, bytes],
    now: float,
) -> Identity:
    """The member identity ``text`` stands for; :class:`IdentifyError` (with a reason) if none."""
    if len(text) > MAX_INPUT:
        raise _reject("too_long")
    s = clean(text)
    if not s:
        raise _reject("empty")
    if len(s) > MAX_INPUT:  # NFKC can expand a few characters
        raise _reject("too_long")

    if s[:4].upper() == membercode.PREFIX:
        try:
            code = membercode.verify(s, keys, now)
        except membercode.CodeRejected as exc:
            raise IdentifyError(str(exc), reason=exc.reason) from exc
        return Identity(
            kind="code",
            value=str(code.code_id),
            ref=f"code:{code.code_id}",
            jti=code.jti,
            expires_at=code.exp,
            proof=s,
        )
    if _URL.match(s):
        raise _reject("not_member_url")
    if s[:5].upper() == "WIFI:":
        raise _reject("not_member_wifi")

    if _NUMBERISH.fullmatch(s):
        if not TYPED_NUMBER.fullmatch(s):
            raise _reject("malformed")  # digits with a stray "+" and the like
        e164 = normalize_phone(s)
        if e164 is not None:
            return _phone(e164, phone_keys)
        digits = re.sub(r"[ \-()]", "", s)
        if _MISTYPED_MOBILE.fullmatch(digits):
            raise _reject("bad_phone")
        if gtin.is_product_shape(digits):  # a product's barcode: never a member lookup
            if not gtin.is_valid(digits):
                raise _reject("bad_barcode")
            raise ProductScanned(gtin.normalize(digits))
        if digits.startswith("+") or not CARD_MIN <= len(digits) <= CARD_MAX:
            raise _reject("malformed")
        if not luhn_valid(digits):
            raise _reject("bad_check_digit")
        return Identity(kind="card", value=digits, ref=f"card:{digits}", proof=digits)

    raise _reject("not_member_other")


def _phone(e164: str, phone_keys: PhoneKeys | None) -> Identity:
    if phone_keys is None:
        raise _reject("no_phone_key")
    try:
        bucket = phone_bucket(phone_keys.bucket_key, e164)
        sealed = _sealed(phone_keys.seal_key, e164)
    except ValueError as exc:
        raise ConfigError("the phone keys this terminal got from the hub are not valid") from exc
    return Identity(
        kind="phone",
        value=e164,
        ref=SEALED_PREFIX + sealed,
        display=f"phone:{mask_phone(e164)}",
        phone_bucket=bucket,
        proof=e164,
    )


@functools.lru_cache(maxsize=64)
def _sealed(seal_key: str, e164: str) -> str:
    """The number sealed to the hub, once per number per run (memory only): typed twice, it
    is one visit."""
    return seal(seal_key, e164)
