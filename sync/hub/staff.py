"""Staff PINs as the terminal verifies them offline: Argon2id hashes (argon2-cffi format).

Parameters are OWASP's minimum for Argon2id (19 MiB, 2 passes): a terminal checks a PIN in a
few tens of milliseconds, and the hash string carries its parameters, so they can be raised
later without breaking old hashes.
"""

from __future__ import annotations

import functools

from argon2 import PasswordHasher

_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def hash_pin(pin: str) -> str:
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 12):
        raise ValueError("a PIN is 4 to 12 digits")
    return _HASHER.hash(pin)


def verify_pin(pin_hash: str, pin: str) -> bool:
    try:
        return bool(_HASHER.verify(pin_hash, pin))
    except Exception:  # argon2 raises VerifyMismatchError / InvalidHashError: both mean no
        return False


@functools.lru_cache(maxsize=256)
def demo_pin_hash(staff_id: str, pin: str) -> str:
    """Hash of a demo staff PIN, computed once per process (tests seed many hubs)."""
    return hash_pin(pin)
