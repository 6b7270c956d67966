"""Staff PINs as both ends treat them: how long each role's PIN must be, and what one guess
costs.

The hub hashes a PIN when it is set (``clerk hub staff …``); terminals get the hash with the
store's staff rows and check PINs offline — so anyone with a terminal's data directory holds
the hashes and can guess offline, as fast as argon2id lets them. The cost is set so that
trying every 6-digit manager PIN (10^6) takes at least 24 core-hours on the reference machine
(``bench/pin_cost.py``, docs/benchmarks.md, docs/security.md): argon2id with 64 MiB and 3
passes on one lane, about 0.15 s of one core per guess. A hash made with other parameters
still verifies (the hash string carries them) and is replaced when the hub next sets that PIN.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # argon2 is imported when a PIN is hashed or checked, not before
    from argon2 import PasswordHasher

ROLES = ("associate", "manager")
PIN_MIN = {"associate": 4, "manager": 6}
PIN_MAX = 12
ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PARALLELISM = 1


def pin_problem(pin: str, role: str) -> str | None:
    """Why ``pin`` cannot be the PIN of a staff member with ``role``; None when it can."""
    if role not in ROLES:
        return f"unknown role {role!r}: {' or '.join(ROLES)}"
    least = PIN_MIN[role]
    if not (pin.isascii() and pin.isdigit() and least <= len(pin) <= PIN_MAX):
        article = "an" if role[0] in "aeiou" else "a"
        return f"{article} {role}'s PIN is {least} to {PIN_MAX} digits"
    return None


def hasher() -> PasswordHasher:
    """The argon2id hasher PINs are hashed with (its parameters are the cost of a guess)."""
    from argon2 import PasswordHasher, Type

    return PasswordHasher(
        time_cost=ARGON2_TIME_COST,
        memory_cost=ARGON2_MEMORY_KIB,
        parallelism=ARGON2_PARALLELISM,
        type=Type.ID,
    )


def hash_pin(pin: str, role: str, ph: PasswordHasher | None = None) -> str:
    """The argon2id hash of a PIN for ``role``; ValueError when the PIN is not one for it."""
    problem = pin_problem(pin, role)
    if problem is not None:
        raise ValueError(problem)
    return (ph or hasher()).hash(pin)


def needs_rehash(pin_hash: str) -> bool:
    """Was this hash made with other (older) parameters than today's?"""
    from argon2.exceptions import InvalidHashError

    try:
        return bool(hasher().check_needs_rehash(pin_hash))
    except (InvalidHashError, ValueError):
        return True
