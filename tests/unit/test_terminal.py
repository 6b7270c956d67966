"""The terminal's one outbox.db writer: sign-in, a manager's settings changes, the dashboard's
export and decisions all go through ``Terminal.write`` — none opens a writer of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

import clerk.cache
import clerk.db
import clerk.outbox
from clerk import audit
from clerk import outbox as outbox_mod
from clerk.cache import apply_changes, open_cache
from clerk.db import Transaction
from clerk.errors import ConfigError, PermissionDeniedError
from clerk.outbox import open_outbox
from clerk.shared.pins import hash_pin
from clerk.staff import Session, SignInError
from clerk.terminal import Terminal

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
NOW = 1_763_900_000
MANAGER = Session("M01", "周建华", "manager", NOW)
ASSOCIATE = Session("A01", "王芳", "associate", NOW)


def _staff(sid: str, name: str, role: str, pin: str) -> dict[str, Any]:
    row = {
        "id": sid,
        "name": name,
        "role": role,
        "active": True,
        "pin_hash": hash_pin(pin, role, FAST),
    }
    return {"entity": "staff", "op": "upsert", "key": sid, "data": {**row, "updated_at": 0}}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    cache = open_cache(tmp_path / "cache.db")
    try:
        with Transaction(cache):
            apply_changes(
                cache,
                [
                    _staff("A01", "王芳", "associate", "1234"),
                    _staff("M01", "周建华", "manager", "246810"),
                ],
            )
    finally:
        cache.close()
    open_outbox(tmp_path / "outbox.db").close()
    return tmp_path


@pytest.fixture
def writers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every file a writable connection is opened on, from now."""
    opened: list[str] = []
    real = clerk.db.connect

    def spy(path: Any, **kw: Any) -> Any:
        if not kw.get("readonly", False):
            opened.append(Path(path).name)
        return real(path, **kw)

    for module in (clerk.db, clerk.cache, clerk.outbox):
        monkeypatch.setattr(module, "connect", spy)
    return opened


@pytest.fixture
def terminal(home: Path) -> Iterator[Terminal]:
    t = Terminal(home, clock=lambda: NOW)
    try:
        yield t
    finally:
        t.close()


def _actions(home: Path) -> list[str]:
    conn = open_outbox(home / "outbox.db")
    try:
        assert audit.verify(conn).ok
        return [r.action for r in audit.rows(conn)]
    finally:
        conn.close()


def test_the_writes_of_sign_in_settings_and_the_dashboard_use_the_terminals_writer(
    terminal: Terminal, home: Path, writers: list[str]
) -> None:
    # A redemption the hub flagged: a conflict for the manager to decide.
    redeem = terminal.record("redeem", member_id="M00000001", payload={"coupon_id": "Q1"})
    terminal.write(
        lambda conn: outbox_mod.apply_results(
            conn, [{"id": redeem.id, "status": "conflict", "reason": "coupon_used"}]
        )
    )
    with pytest.raises(SignInError) as refused:
        terminal.sign_in("A01", "0000")
    assert refused.value.reason == "wrong_pin"
    assert {m.id for m in terminal.roster()} == {"A01", "M01"}
    session = terminal.sign_in("M01", "246810")
    assert (session.staff_id, session.role) == ("M01", "manager")
    changed = terminal.change_settings(session, {"idle_lock_minutes": "7", "retention_days": "1"})
    assert changed["idle_lock_minutes"] == 7 and terminal.settings.get("idle_lock_minutes") == 7
    assert isinstance(changed["retention_days"], ConfigError)  # refused, the other one saved
    source = terminal.dashboard(UTC)
    try:
        day = datetime.fromtimestamp(NOW, UTC).date()
        assert source.export(session, day, day, home / "visits.csv") == 0
        decided = source.resolve(session, redeem.id, "accept")
        assert decided.kind == "resolve" and decided.payload["conflict_id"] == redeem.id
        assert source.load(day).health.conflicts == ()  # decided: no longer open
    finally:
        source.close()
    terminal.sign_out(session, "manual")
    assert writers == []  # not one writer besides the terminal's own
    assert _actions(home) == [
        "redeem",
        "signin_failed",
        "signin",
        "settings_change",
        "export",
        "signout",
    ]


def test_the_writer_check_sees_a_writer_of_its_own(home: Path, writers: list[str]) -> None:
    """Positive control: a service opening its own outbox writer is seen."""
    open_outbox(home / "outbox.db").close()
    assert writers == ["outbox.db"]


def test_settings_are_a_managers_and_nothing_changes_otherwise(
    terminal: Terminal, home: Path
) -> None:
    for session in (ASSOCIATE, None):
        with pytest.raises(PermissionDeniedError):
            terminal.change_settings(session, {"idle_lock_minutes": "7"})
    assert terminal.settings.get("idle_lock_minutes") == 5
    assert _actions(home) == []


def test_write_holds_the_terminals_lock(terminal: Terminal) -> None:
    assert terminal.write(lambda conn: terminal._write_lock.locked()) is True
    assert not terminal._write_lock.locked()


def test_a_sign_in_does_not_hold_the_writer_while_the_pin_hash_is_checked(
    terminal: Terminal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """argon2id takes a tenth of a second or more: a record made meanwhile (the scan of the
    customer at the next till) does not wait for it."""
    import threading

    from clerk.shared import pins

    checking, release = threading.Event(), threading.Event()

    class SlowHasher:
        def verify(self, pin_hash: str, pin: str) -> bool:
            checking.set()
            assert release.wait(10)
            return bool(FAST.verify(pin_hash, pin))

    monkeypatch.setattr(pins, "hasher", SlowHasher)
    signed: list[Any] = []
    worker = threading.Thread(target=lambda: signed.append(terminal.sign_in("M01", "246810")))
    worker.start()
    try:
        assert checking.wait(10)
        recorded = terminal.record("visit", member_id="M00000001")  # not blocked
        assert recorded.device_seq == 1 and not signed
    finally:
        release.set()
        worker.join(10)
    assert signed and signed[0].staff_id == "M01"
