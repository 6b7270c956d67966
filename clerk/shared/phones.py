"""Phone numbers as the terminal and the hub both handle them: normalised to E.164, shown
masked, matched on the terminal by a short bucket, sealed to the hub.

What each side holds (docs/security.md, "Phones"):

* The hub keeps the number and its full keyed hash (:func:`phone_hash`, HMAC-SHA256 under a
  key only the hub has) for its own lookups and for resolving identities.
* A terminal holds, per member, only the last digits (:func:`tail`: four for a mainland
  mobile, fewer for a short number) and an 8-bit keyed bucket (:func:`phone_bucket`, under a
  key every terminal has). With the last four digits known, a mainland mobile
  ``1[3-9]XXXXXXXXX`` has 700,000 candidates (530,000 on real carrier prefixes); the bucket
  keeps one in 256 of them: about 2,700 (2,070) numbers fit what a terminal holds, and nothing
  on it tells them apart. The masked form (:func:`mask_phone`) shows the same digits.
* A number typed at the counter for a customer the terminal cannot find is recorded sealed to
  the hub (:func:`seal`: X25519 + HKDF-SHA256 + AES-256-GCM under the hub's public sealing
  key, a fresh key pair each time): the hub opens it (:func:`open_sealed`) at ingest; nothing
  on the terminal can — and sealing a guess gives another ciphertext, so it confirms nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

# A number as a person types it: digits with spaces, dashes and brackets, optionally a "+".
TYPED_NUMBER = re.compile(r"[ (]*\+?[0-9][0-9 \-()]*")
_CN_MOBILE = re.compile(r"1[3-9][0-9]{9}")

BUCKET_BITS = 8
BUCKETS = 1 << BUCKET_BITS
# The fewest numbers that must fit what a terminal holds of one phone (its tail and bucket).
MIN_CANDIDATES = 1000
SEALED_PREFIX = "phone_sealed:"
_SEAL_VERSION = "v1."
_SEAL_INFO = b"omni-clerk phone seal v1"
_SEAL_AAD = b"phone_sealed:v1"
_KEY_LEN = 32
_NONCE_LEN = 12


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


def is_cn_mobile(e164: str) -> bool:
    return e164.startswith("+86") and _CN_MOBILE.fullmatch(e164[3:]) is not None


def phone_hash(key_hex: str, e164: str) -> str:
    """HMAC-SHA256 (hex) of the E.164 number under the hub's own phone-hash key (hex) — the
    hub's lookups only; never sent to a terminal. ``ValueError`` if the key is not hex."""
    key = bytes.fromhex(key_hex)
    return hmac.new(key, e164.encode("ascii"), hashlib.sha256).hexdigest()


def visible_digits(e164: str) -> int:
    """How many trailing digits a terminal may hold and show: four for a mainland mobile; for
    another number as many as leave at least :data:`MIN_CANDIDATES` numbers of its length per
    bucket (9 × 10^(n-1-k) / 256 ≥ 1,000 for n digits, k shown): two for 8 digits, three for
    9, four from 10."""
    if is_cn_mobile(e164):
        return 4
    return max(0, min(4, len(e164.lstrip("+")) - 6))


def tail(e164: str) -> str:
    """The last digits a terminal holds (``phone_last4``): ``5678`` for ``+8613812345678``."""
    n = visible_digits(e164)
    return e164[-n:] if n else ""


def phone_bucket(key_hex: str, e164: str) -> int:
    """The 8-bit keyed bucket of the E.164 number (0–255): the first byte of its HMAC-SHA256
    under the bucket key (hex) every terminal holds. ``ValueError`` if the key is not hex."""
    key = bytes.fromhex(key_hex)
    return hmac.digest(key, e164.encode("ascii"), "sha256")[0]


def mask_phone(e164: str) -> str:
    """A display form that shows only the digits a terminal holds: ``*******5678`` for a
    mainland mobile (the national number), ``+********58`` for a short foreign one."""
    shown = tail(e164)
    if is_cn_mobile(e164):
        return "*" * (11 - len(shown)) + shown
    digits = e164.lstrip("+")
    return "+" + "*" * (len(digits) - len(shown)) + shown


@dataclass(frozen=True)
class PhoneKeys:
    """What a terminal needs to take a typed phone number: the bucket key (hex) and the hub's
    public sealing key (X25519, hex)."""

    bucket_key: str
    seal_key: str


# -- sealing to the hub ------------------------------------------------------------------------


def generate_seal_keypair() -> tuple[str, str]:
    """A new X25519 sealing key pair as (private hex, public hex): the hub's."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    private = X25519PrivateKey.generate()
    raw = serialization.Encoding.Raw
    private_hex = private.private_bytes(
        raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    ).hex()
    public_hex = private.public_key().public_bytes(raw, serialization.PublicFormat.Raw).hex()
    return private_hex, public_hex


def seal_public_key(private_hex: str) -> str:
    """The public half (hex) of a sealing private key (hex)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    private = X25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex))
    raw = serialization.Encoding.Raw
    return private.public_key().public_bytes(raw, serialization.PublicFormat.Raw).hex()


def _key_for(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    hkdf = HKDF(hashes.SHA256(), _KEY_LEN, salt=ephemeral + recipient, info=_SEAL_INFO)
    return hkdf.derive(shared)


def seal(public_hex: str, e164: str) -> str:
    """The number sealed to the hub's public key: ``v1.`` and base64url of the ephemeral
    public key, the nonce and the AES-GCM ciphertext. Randomised: sealing the same number
    twice gives two different texts. ``ValueError`` for a key that is not an X25519 key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import (
        X25519PrivateKey,
        X25519PublicKey,
    )
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    recipient = bytes.fromhex(public_hex)
    if len(recipient) != 32:
        raise ValueError("a sealing key is 32 bytes")
    ephemeral = X25519PrivateKey.generate()
    eph_pub = ephemeral.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    nonce = os.urandom(_NONCE_LEN)
    box = AESGCM(_key_for(shared, eph_pub, recipient)).encrypt(
        nonce, e164.encode("ascii"), _SEAL_AAD
    )
    blob = base64.urlsafe_b64encode(eph_pub + nonce + box).rstrip(b"=").decode("ascii")
    return _SEAL_VERSION + blob


def open_sealed(private_hex: str, sealed: str) -> str | None:
    """The number in a :func:`seal`\\ ed text, opened with the hub's private key; None when the
    text is not one (malformed, another key, tampered with)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import (
        X25519PrivateKey,
        X25519PublicKey,
    )
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not sealed.startswith(_SEAL_VERSION) or len(sealed) > 200:
        return None
    body = sealed[len(_SEAL_VERSION) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        return None
    if len(raw) < 32 + _NONCE_LEN + 16 + 1:
        return None
    eph_pub, nonce, box = raw[:32], raw[32 : 32 + _NONCE_LEN], raw[32 + _NONCE_LEN :]
    try:
        private = X25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex))
        recipient = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        shared = private.exchange(X25519PublicKey.from_public_bytes(eph_pub))
        plain = AESGCM(_key_for(shared, eph_pub, recipient)).decrypt(nonce, box, _SEAL_AAD)
    except (InvalidTag, ValueError):
        return None
    try:
        text = plain.decode("ascii")
    except UnicodeDecodeError:
        return None
    return text if normalize_phone(text) == text else None
