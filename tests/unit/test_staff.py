"""Staff sign-in, lockout, roles, settings changes and the idle lock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from clerk import audit, staff
from clerk.cache import apply_changes, open_cache
from clerk.db import Transaction
from clerk.errors import ConfigError, PermissionDeniedError
from clerk.outbox import open_outbox
from clerk.settings import Settings
from clerk.shared.pins import hash_pin
from clerk.staff import IdleLock, Session, SignInError, StaffAuth

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
T0 = 1_763_600_000


class FakeClock:
    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def _staff(
    sid: str, name: str, role: str, pin: str | None, active: bool = True
) -> dict[str, object]:
    return {
        "entity": "staff",
        "op": "upsert",
        "key": sid,
        "data": {
            "id": sid,
            "name": name,
            "role": role,
            "active": active,
            "pin_hash": hash_pin(pin, "manager" if role == "manager" else "associate", FAST)
            if pin
            else None,
            "updated_at": 0,
        },
    }


@pytest.fixture
def files(tmp_path: Path) -> Path:
    cache = open_cache(tmp_path / "cache.db")
    try:
        with Transaction(cache):
            apply_changes(
                cache,
                [
                    _staff("A01", "王芳", "associate", "1234"),
                    _staff("M01", "周建华", "manager", "246810"),
                    _staff("A09", "Gone", "associate", "5555", active=False),
                    _staff("A10", "New", "associate", None),
                    _staff("X01", "Odd", "janitor", "1111"),
                ],
            )
    finally:
        cache.close()
    open_outbox(tmp_path / "outbox.db").close()
    return tmp_path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def auth(files: Path, clock: FakeClock) -> Iterator[StaffAuth]:
    a = StaffAuth.open(files, clock)
    try:
        yield a
    finally:
        a.close()


def _actions(conn: sqlite3.Connection) -> list[tuple[str, str | None, str | None]]:
    return [(r.action, r.staff_id, r.detail.get("reason")) for r in audit.rows(conn)]


def test_sign_in_returns_a_session_and_audits(auth: StaffAuth) -> None:
    s = auth.sign_in("M01", "246810")
    assert s == Session("M01", "周建华", "manager", T0)
    assert s.is_manager
    auth.sign_out(s, "idle")
    assert _actions(auth.outbox) == [("signin", "M01", None), ("signout", "M01", "idle")]
    assert audit.verify(auth.outbox).ok


def test_roster_lists_active_staff(auth: StaffAuth) -> None:
    roster = auth.roster()
    assert [m.id for m in roster] == ["A10", "X01", "M01", "A01"]  # by name; A09 disabled
    assert {m.id: m.has_pin for m in roster}["A10"] is False


@pytest.mark.parametrize(
    ("sid", "pin", "reason"),
    [
        ("ZZZ", "1234", "unknown_staff"),
        ("A09", "5555", "disabled"),
        ("A10", "1234", "no_pin"),
        ("X01", "1111", "unknown_role"),
    ],
)
def test_refusals_carry_a_reason_and_are_audited(
    auth: StaffAuth, sid: str, pin: str, reason: str
) -> None:
    with pytest.raises(SignInError) as info:
        auth.sign_in(sid, pin)
    assert info.value.reason == reason
    assert _actions(auth.outbox)[-1][0] == "signin_failed"


def test_wrong_pins_count_down_then_lock_out_with_growing_delay(
    auth: StaffAuth, clock: FakeClock
) -> None:
    for left in (4, 3, 2, 1):
        with pytest.raises(SignInError) as info:
            auth.sign_in("A01", "0000")
        assert (info.value.reason, info.value.attempts_left) == ("wrong_pin", left)
    with pytest.raises(SignInError) as info:
        auth.sign_in("A01", "0000")
    assert (info.value.reason, info.value.seconds_remaining) == ("locked", 30)
    # locked: even the right PIN is refused, and the attempt does not count
    clock.advance(10)
    with pytest.raises(SignInError) as info:
        auth.sign_in("A01", "1234")
    assert (info.value.reason, info.value.seconds_remaining) == ("locked", 20)
    assert auth.lock_state("A01").failures == 5
    clock.advance(20)
    for left in (4, 3, 2, 1):
        with pytest.raises(SignInError) as info:
            auth.sign_in("A01", "0000")
        assert info.value.attempts_left == left
    with pytest.raises(SignInError) as info:
        auth.sign_in("A01", "0000")
    assert (info.value.reason, info.value.seconds_remaining) == ("locked", 60)
    clock.advance(60)
    assert auth.sign_in("A01", "1234").staff_id == "A01"
    assert auth.lock_state("A01") == staff.LockState(0, None)
    actions = [a for a, _, _ in _actions(auth.outbox)]
    assert actions.count("lockout") == 2 and actions[-1] == "signin"
    assert audit.verify(auth.outbox).ok


def test_lockout_survives_a_restart(files: Path, clock: FakeClock) -> None:
    first = StaffAuth.open(files, clock)
    try:
        for _ in range(5):
            with pytest.raises(SignInError):
                first.sign_in("M01", "1111")
    finally:
        first.close()
    clock.advance(5)
    again = StaffAuth.open(files, clock)
    try:
        with pytest.raises(SignInError) as info:
            again.sign_in("M01", "246810")
        assert (info.value.reason, info.value.seconds_remaining) == ("locked", 25)
    finally:
        again.close()


def test_lockout_delays_double_and_are_capped() -> None:
    assert [staff.lockout_seconds(n) for n in (1, 4, 5, 9, 10, 15, 20)] == [
        0,
        0,
        30,
        0,
        60,
        120,
        240,
    ]
    assert staff.lockout_seconds(5 * 40) == staff.LOCKOUT_CAP_S


def test_role_matrix() -> None:
    manager = Session("M01", "m", "manager", 0)
    associate = Session("A01", "a", "associate", 0)
    for action in staff.ACTIONS:
        assert staff.require(manager, action) is manager
        with pytest.raises(PermissionDeniedError) as info:
            staff.require(associate, action)
        assert info.value.reason == "permission_denied"
        with pytest.raises(PermissionDeniedError) as info:
            staff.require(None, action)
        assert info.value.reason == "not_signed_in"
    with pytest.raises(ValueError):
        staff.require(manager, "launch_rockets")
    with pytest.raises(ValueError):  # no one unmasks a phone at a terminal: it cannot
        staff.require(manager, "unmask_phone")
    assert not staff.allowed(Session("X", "x", "janitor", 0), "dashboard")


def test_set_setting_is_for_managers_and_audited(tmp_path: Path, files: Path) -> None:
    settings = Settings(tmp_path / "settings.json")
    conn = open_outbox(files / "outbox.db")
    try:
        associate = Session("A01", "a", "associate", 0)
        with pytest.raises(PermissionDeniedError):
            staff.set_setting(associate, settings, "idle_lock_minutes", "1", audit_conn=conn)
        assert settings.get("idle_lock_minutes") == 5
        manager = Session("M01", "m", "manager", 0)
        assert (
            staff.set_setting(manager, settings, "idle_lock_minutes", "2", audit_conn=conn, now=T0)
            == 2
        )
        assert Settings(tmp_path / "settings.json").get("idle_lock_minutes") == 2
        with pytest.raises(ConfigError):
            staff.set_setting(manager, settings, "idle_lock_minutes", "0", audit_conn=conn)
        [row] = audit.rows(conn)
        assert (row.action, row.staff_id, row.detail) == (
            "settings_change",
            "M01",
            {"name": "idle_lock_minutes", "old": 5, "new": 2},
        )
    finally:
        conn.close()


def test_idle_lock_with_a_fake_clock() -> None:
    clock = FakeClock(0)
    lock = IdleLock(clock, minutes=5)
    clock.advance(299)
    assert not lock.expired() and lock.remaining_s() == 1
    lock.touch()
    clock.advance(299)
    assert not lock.expired()
    clock.advance(1)
    assert lock.expired() and lock.remaining_s() == 0
    with pytest.raises(ValueError):
        IdleLock(clock, minutes=0)
