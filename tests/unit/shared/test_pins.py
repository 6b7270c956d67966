"""Staff PINs: how long each role's must be, and what one guess costs (clerk/shared/pins.py)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from clerk.shared import pins

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.mark.parametrize(
    ("pin", "role", "ok"),
    [
        ("1234", "associate", True),
        ("123456789012", "associate", True),
        ("123", "associate", False),
        ("1234", "manager", False),  # a manager's PIN has at least 6 digits
        ("12345", "manager", False),
        ("123456", "manager", True),
        ("1" * 13, "manager", False),
        ("12a456", "manager", False),
        ("１２３４５６", "manager", False),  # full-width digits are not ASCII
        ("123456", "janitor", False),
    ],
)
def test_pin_rules_by_role(pin: str, role: str, ok: bool) -> None:
    assert (pins.pin_problem(pin, role) is None) is ok
    if not ok:
        with pytest.raises(ValueError):
            pins.hash_pin(pin, role, FAST)


def test_hash_pin_is_argon2id_and_never_the_pin() -> None:
    h = pins.hash_pin("483920", "manager", FAST)
    assert h.startswith("$argon2id$") and "483920" not in h
    assert FAST.verify(h, "483920")
    with pytest.raises(VerifyMismatchError):
        FAST.verify(h, "483921")


def test_the_cost_of_a_guess_is_64_mib_and_3_passes_on_one_lane() -> None:
    """The parameters bench/pin_cost.py measures (≥ 24 core-hours for every 6-digit PIN on
    the reference machine: docs/benchmarks.md); lowering them is a decision, not a tweak."""
    ph = pins.hasher()
    assert (ph.memory_cost, ph.time_cost, ph.parallelism) == (64 * 1024, 3, 1)
    assert ph.hash("483920").startswith("$argon2id$v=19$m=65536,t=3,p=1$")


def test_older_hashes_still_verify_and_are_due_to_be_set_again() -> None:
    owasp = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash("483920")
    assert pins.hasher().verify(owasp, "483920")  # the hash carries its own parameters
    assert pins.needs_rehash(owasp)
    assert not pins.needs_rehash(pins.hash_pin("483920", "manager"))
    assert pins.needs_rehash("not a hash")
