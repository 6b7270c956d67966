"""Phone numbers as the terminal and the hub both handle them: normalised to E.164, hashed
under the hub's key, masked for display.

Neither side keeps a number in clear where it does not have to: the terminal holds only the
keyed hash (HMAC-SHA256 under the key the hub gave it at enrolment) and the masked form, which
shows at most the last four digits.
"""

from __future__ import annotations

import hashlib
import hmac
import re

# A number as a person types it: digits with spaces, dashes and brackets, optionally a "+".
TYPED_NUMBER = re.compile(r"[ (]*\+?[0-9][0-9 \-()]*")
_CN_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def normalize_phone(text: str) -> str | None:
    """The E.164 form of a typed phone number, or None if ``text`` is not one."""
    if not TYPED_NUMBER.fullmatch(text):
        return None
    compact = re.sub(r"[ \-()]", "", text)
    if compact.startswith("+"):
        digits = compact[1:]
        if digits.startswith("86") and _CN_MOBILE.fullmatch(digits[2:]):
            return compact
        if digits.startswith("86") and digits[2:3] == "1":
            return None  # +86 1… of the wrong length: a mistyped mobile, not generic E.164
        if 8 <= len(digits) <= 15 and digits[0] != "0":
            return compact
        return None
    if _CN_MOBILE.fullmatch(compact):
        return "+86" + compact
    for prefix in ("0086", "86"):
        if compact.startswith(prefix) and _CN_MOBILE.fullmatch(compact[len(prefix) :]):
            return "+86" + compact[len(prefix) :]
    return None


def phone_hash(key_hex: str, e164: str) -> str:
    """HMAC-SHA256 (hex) of the E.164 number under the hub's phone-hash key (hex);
    ``ValueError`` if the key is not hex."""
    key = bytes.fromhex(key_hex)
    return hmac.new(key, e164.encode("ascii"), hashlib.sha256).hexdigest()


def mask_phone(e164: str) -> str:
    """A display form that hides the middle: ``138****5678`` for mainland China mobiles,
    otherwise ``+`` and the first 3 and last 2 digits (``+491*********78``)."""
    if e164.startswith("+86") and _CN_MOBILE.fullmatch(e164[3:]):
        national = e164[3:]
        return national[:3] + "****" + national[-4:]
    digits = e164.lstrip("+")
    if len(digits) <= 5:
        return "+" + "*" * len(digits)
    return "+" + digits[:3] + "*" * (len(digits) - 5) + digits[-2:]
