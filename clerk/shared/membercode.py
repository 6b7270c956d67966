"""Dynamic member codes: issue (hub side) and verify offline (terminal side).

Text format: ``MC1:`` + Base45 (RFC 9285) of 84 bytes::

    version (1, = 1) | kid (1) | member code id (uint64 BE) | exp (uint32 BE, unix s)
    | jti (6 random bytes) | Ed25519 signature (64) over b"MC1:" + the first 20 bytes

84 bytes make 126 Base45 characters, so a code is always exactly 130 characters, all in the
QR alphanumeric set (version 6 at ECC M). A code is valid from ``exp - VALIDITY_S`` to ``exp``;
the terminal allows ``SKEW_S`` of clock skew either side.

``verify`` never raises anything but :class:`CodeRejected`, whatever string it is given, and
checks in a fixed order so the reason is deterministic: malformed (prefix, Base45, length,
version) → unknown_key → bad_signature → expired / not_yet_valid. ``CodeRejected`` is a
``ValueError`` with a ``reason``; the terminal reports it as an ``IdentifyError`` with the same
reason (:mod:`clerk.identify`).
"""

from __future__ import annotations

import functools
import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from clerk.shared import base45

PREFIX = "MC1:"
VERSION = 1
VALIDITY_S = 120
SKEW_S = 60

_SIGNED = struct.Struct(">BBQI6s")  # version, kid, code id, exp, jti: 20 bytes
SIGNED_LEN = _SIGNED.size
SIG_LEN = 64
RAW_LEN = SIGNED_LEN + SIG_LEN  # 84
TEXT_LEN = len(PREFIX) + RAW_LEN // 2 * 3  # 130
_PREFIX_BYTES = PREFIX.encode("ascii")

RejectReason = Literal["malformed", "unknown_key", "bad_signature", "expired", "not_yet_valid"]
REJECT_REASONS: tuple[RejectReason, ...] = (
    "malformed",
    "unknown_key",
    "bad_signature",
    "expired",
    "not_yet_valid",
)


class CodeRejected(ValueError):
    """A string that is not a currently valid member code; ``reason`` says why."""

    def __init__(self, reason: RejectReason, message: str) -> None:
        super().__init__(message)
        self.reason: RejectReason = reason


@dataclass(frozen=True)
class VerifiedCode:
    kid: int
    code_id: int
    exp: int
    jti: str  # hex of the 6 random bytes


# --- keys -----------------------------------------------------------------------------------


def generate_keypair() -> tuple[Ed25519PrivateKey, bytes]:
    """A new signing key and its raw 32-byte public key."""
    private = Ed25519PrivateKey.generate()
    return private, public_key_bytes(private)


def public_key_bytes(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def private_key_to_hex(private: Ed25519PrivateKey) -> str:
    """The raw 32-byte private key as hex, for the hub to store."""
    return private.private_bytes_raw().hex()


def private_key_from_hex(text: str) -> Ed25519PrivateKey:
    """Inverse of :func:`private_key_to_hex`; ``ValueError`` if ``text`` is not 32 bytes of hex."""
    raw = bytes.fromhex(text)
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 private key is 32 bytes, got {len(raw)}")
    return Ed25519PrivateKey.from_private_bytes(raw)


def keys_from_hex(keys: Mapping[int, str]) -> dict[int, bytes]:
    """Turn ``{kid: hex public key}`` (as stored in cache.db / sent by the hub) into raw keys."""
    out: dict[int, bytes] = {}
    for kid, text in keys.items():
        raw = bytes.fromhex(text)
        if len(raw) != 32:
            raise ValueError(f"public key {kid} is {len(raw)} bytes, expected 32")
        out[int(kid)] = raw
    return out


@functools.lru_cache(maxsize=64)
def _load_public_key(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


# --- issue / verify -------------------------------------------------------------------------


def issue(
    private_key: Ed25519PrivateKey,
    kid: int,
    code_id: int,
    *,
    exp: int,
    jti: bytes | None = None,
) -> str:
    """Sign a member code for ``code_id`` that expires at ``exp`` (unix seconds)."""
    if not 0 <= kid <= 0xFF:
        raise ValueError(f"kid {kid} out of range 0..255")
    if not 0 <= code_id <= 0xFFFF_FFFF_FFFF_FFFF:
        raise ValueError(f"code id {code_id} out of range for uint64")
    if not 0 <= exp <= 0xFFFF_FFFF:
        raise ValueError(f"exp {exp} out of range for uint32")
    if jti is None:
        jti = os.urandom(6)
    if len(jti) != 6:
        raise ValueError(f"jti must be 6 bytes, got {len(jti)}")
    signed = _SIGNED.pack(VERSION, kid, code_id, exp, jti)
    signature = private_key.sign(_PREFIX_BYTES + signed)
    return PREFIX + base45.encode(signed + signature)


def verify(
    text: str,
    keys: Mapping[int, bytes],
    now: float,
    *,
    skew: int = SKEW_S,
) -> VerifiedCode:
    """Verify a member code offline against ``keys`` (kid → raw 32-byte Ed25519 public key).

    Raises :class:`CodeRejected` — and nothing else — when the code is not valid at ``now``.
    """
    # Cheap structural checks first: a huge or foreign string never reaches the decoder.
    if not isinstance(text, str) or len(text) != TEXT_LEN or not text.startswith(PREFIX):
        raise CodeRejected("malformed", "not a member code (wrong prefix or length)")
    try:
        raw = base45.decode(text[len(PREFIX) :])
    except ValueError as exc:
        raise CodeRejected("malformed", f"member code is not valid Base45: {exc}") from None
    if len(raw) != RAW_LEN:  # cannot happen for 126 valid characters; kept as a guard
        raise CodeRejected("malformed", f"member code decodes to {len(raw)} bytes, not 84")
    signed, signature = raw[:SIGNED_LEN], raw[SIGNED_LEN:]
    version, kid, code_id, exp, jti = _SIGNED.unpack(signed)
    if version != VERSION:
        raise CodeRejected("malformed", f"unsupported member code version {version}")

    raw_key = keys.get(kid)
    if raw_key is None:
        raise CodeRejected("unknown_key", f"no public key for kid {kid}")
    try:
        public_key = _load_public_key(bytes(raw_key))
    except (ValueError, TypeError):
        raise CodeRejected("unknown_key", f"public key for kid {kid} is unusable") from None
    try:
        public_key.verify(signature, _PREFIX_BYTES + signed)
    except InvalidSignature:
        raise CodeRejected("bad_signature", "member code signature does not verify") from None

    if now > exp + skew:
        raise CodeRejected("expired", f"member code expired at {exp} (now {int(now)})")
    if now < exp - VALIDITY_S - skew:
        raise CodeRejected(
            "not_yet_valid", f"member code valid from {exp - VALIDITY_S} (now {int(now)})"
        )
    return VerifiedCode(kid=kid, code_id=code_id, exp=exp, jti=jti.hex())
