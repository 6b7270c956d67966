"""Staff sign-in, roles and the idle lock (Qt-free).

Staff rows come from the hub through the changes feed into cache.db ``staff`` (id, name, role,
pin_hash, active); ``pin_hash`` is an argon2id hash made at the hub
(:func:`clerk.shared.pins.hash_pin`: a manager's PIN has at least 6 digits, and one guess costs
about 0.15 s of a core) — a PIN itself never leaves the hub. :class:`StaffAuth` checks a PIN
against that hash, counts wrong PINs in outbox.db ``signin_failures`` (so neither a restart nor
losing the network resets them) and locks a staff id out after every :data:`MAX_ATTEMPTS` wrong
PINs, for 30 s, then 60 s, 120 s … up to :data:`LOCKOUT_CAP_S`. Every attempt is written to the
audit log. The hash is checked outside the writer (``write``): a sign-in does not hold up a
record for the tenth of a second argon2id takes.

Roles: ``associate`` serves customers; ``manager`` may also open the dashboard, export, resolve
conflicts and change settings. (No one unmasks a phone number at a terminal: it holds only the
last four digits — HQ sees numbers at the hub.) :func:`require` raises
:class:`~clerk.errors.PermissionDeniedError`; the data functions behind those actions call it
themselves, so no path around the UI reaches them without a manager session.

Errors::

    ClerkError
    ├── SignInError             reason: unknown_staff | disabled | wrong_pin | locked | no_pin
    └── PermissionDeniedError   reason: permission_denied | not_signed_in
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from clerk import audit
from clerk.db import Transaction
from clerk.errors import ClerkError, PermissionDeniedError
from clerk.settings import Settings
from clerk.shared import pins

if TYPE_CHECKING:  # argon2 is imported when a PIN is first hashed or checked, not at start-up
    from argon2 import PasswordHasher

Clock = Callable[[], float]

ROLES = pins.ROLES
ACTIONS = ("dashboard", "export", "conflicts", "settings")
PERMISSIONS: dict[str, frozenset[str]] = {
    "associate": frozenset(),
    "manager": frozenset(ACTIONS),
}

MAX_ATTEMPTS = 5  # wrong PINs in a row before a lockout
LOCKOUT_BASE_S = 30  # first lockout; each further one doubles
LOCKOUT_CAP_S = 15 * 60
Write = Callable[[Callable[[sqlite3.Connection], Any]], Any]


class SignInError(ClerkError):
    """A refused sign-in. ``reason`` is stable; ``attempts_left`` is set for ``wrong_pin`` and
    ``seconds_remaining`` for ``locked``."""

    reason = "signin"

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        attempts_left: int | None = None,
        seconds_remaining: int | None = None,
    ) -> None:
        super().__init__(message, reason=reason)
        self.attempts_left = attempts_left
        self.seconds_remaining = seconds_remaining


@dataclass(frozen=True)
class Session:
    staff_id: str
    name: str
    role: str
    started_at: int

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"


@dataclass(frozen=True)
class StaffMember:
    id: str
    name: str
    role: str
    active: bool
    has_pin: bool


@dataclass(frozen=True)
class LockState:
    failures: int
    locked_until: int | None

    def seconds_remaining(self, now: int) -> int:
        return max(0, (self.locked_until or 0) - now)


def lockout_seconds(failures: int) -> int:
    """The lockout after ``failures`` wrong PINs in a row (0 when it is not a multiple of 5)."""
    if failures <= 0 or failures % MAX_ATTEMPTS:
        return 0
    nth = failures // MAX_ATTEMPTS
    return int(min(LOCKOUT_BASE_S * 2 ** min(nth - 1, 30), LOCKOUT_CAP_S))


# -- roles --------------------------------------------------------------------------------------


def allowed(session: Session | None, action: str) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"unknown protected action: {action!r}")
    return session is not None and action in PERMISSIONS.get(session.role, frozenset())


def require(session: Session | None, action: str) -> Session:
    """Return the session if its role may do ``action``; raise PermissionDeniedError if not."""
    if allowed(session, action):
        assert session is not None
        return session
    if session is None:
        raise PermissionDeniedError(f"sign in as a manager to use {action}", reason="not_signed_in")
    raise PermissionDeniedError(
        f"{session.name} ({session.role}) may not use {action}: managers only"
    )


def set_setting(
    session: Session | None,
    settings: Settings,
    name: str,
    value: str,
    *,
    audit_conn: sqlite3.Connection | None = None,
    now: int | None = None,
) -> Any:
    """Change a setting as a manager; audited (``settings_change``) when ``audit_conn`` is given.

    Raises PermissionDeniedError for any other role and ConfigError for a bad name or value.
    """
    s = require(session, "settings")
    old = settings.get(name)
    new = settings.set(name, value)
    if audit_conn is not None:
        at = int(time.time()) if now is None else now
        audit.append(
            audit_conn, "settings_change", s.staff_id, {"name": name, "old": old, "new": new}, at
        )
    return new


# -- sign-in ------------------------------------------------------------------------------------


class StaffAuth:
    """Signs staff in against cache.staff; lockout state and the audit log live in outbox.db.

    ``outbox_conn`` must be a writable outbox.db connection used by one thread at a time (the
    UI gives the sign-in page its own connection and worker thread).
    """

    def __init__(
        self,
        cache_conn: sqlite3.Connection,
        outbox_conn: sqlite3.Connection,
        clock: Clock = time.time,
        *,
        hasher: PasswordHasher | None = None,
        write: Write | None = None,
    ) -> None:
        self.cache = cache_conn
        self.outbox = outbox_conn
        self.clock = clock
        self._given_hasher = hasher
        # How writes reach outbox.db: on ``outbox_conn`` itself, or through the terminal's
        # one writer (then ``outbox_conn`` may be a reader).
        self._write: Write = write if write is not None else (lambda fn: fn(self.outbox))
        self._owned: list[sqlite3.Connection] = []

    @classmethod
    def open(cls, home: Path | str, clock: Clock = time.time) -> StaffAuth:
        """A StaffAuth on its own connections to ``home``'s files; ``close()`` closes them."""
        from clerk.cache import open_cache
        from clerk.outbox import open_outbox

        home = Path(home)
        outbox = open_outbox(home / "outbox.db")
        try:
            cache = open_cache(home / "cache.db")
        except ClerkError:
            outbox.close()
            raise
        auth = cls(cache, outbox, clock)
        auth._owned = [cache, outbox]
        return auth

    def close(self) -> None:
        for conn in self._owned:
            conn.close()
        self._owned.clear()

    def now(self) -> int:
        return int(self.clock())

    def roster(self) -> list[StaffMember]:
        """Everyone who may try to sign in here (active staff), by name."""
        rows = self.cache.execute(
            "SELECT id, name, role, active, pin_hash FROM staff WHERE active = 1 ORDER BY name, id"
        ).fetchall()
        return [
            StaffMember(str(r[0]), str(r[1]), str(r[2]), bool(r[3]), r[4] is not None) for r in rows
        ]

    def lock_state(self, staff_id: str) -> LockState:
        return self._lock_state(self.outbox, staff_id)

    @staticmethod
    def _lock_state(conn: sqlite3.Connection, staff_id: str) -> LockState:
        row = conn.execute(
            "SELECT failures, locked_until FROM signin_failures WHERE staff_id = ?", (staff_id,)
        ).fetchone()
        if row is None:
            return LockState(0, None)
        return LockState(int(row[0]), None if row[1] is None else int(row[1]))

    def sign_in(self, staff_id: str, pin: str) -> Session:
        now = self.now()
        row = self.cache.execute(
            "SELECT id, name, role, pin_hash, active FROM staff WHERE id = ?", (staff_id,)
        ).fetchone()
        if row is None:
            self._refuse(staff_id, now, "unknown_staff", f"no staff member {staff_id!r} here")
        name, role, pin_hash, active = str(row[1]), str(row[2]), row[3], bool(row[4])
        if not active:
            self._refuse(staff_id, now, "disabled", f"{name} is disabled")
        self._refuse_if_locked(self.lock_state(staff_id), staff_id, name, now)
        if not pin_hash:
            self._refuse(staff_id, now, "no_pin", f"{name} has no PIN yet: ask HQ to set one")
        if not self._pin_matches(str(pin_hash), pin):  # the costly part: no writer held
            self._wrong_pin(staff_id, name, now)
        if role not in ROLES:
            self._refuse(staff_id, now, "unknown_role", f"{name} has an unknown role {role!r}")

        def accept(outbox: sqlite3.Connection) -> LockState:
            with Transaction(outbox):
                state = self._lock_state(outbox, staff_id)  # locked meanwhile by another try?
                if not (state.locked_until is not None and now < state.locked_until):
                    outbox.execute("DELETE FROM signin_failures WHERE staff_id = ?", (staff_id,))
                    audit.append(outbox, "signin", staff_id, {"role": role}, now)
            return state

        self._refuse_if_locked(self._write(accept), staff_id, name, now)
        return Session(staff_id=staff_id, name=name, role=role, started_at=now)

    def sign_out(self, session: Session, reason: str = "manual") -> None:
        """Record the end of a session (``reason``: manual | idle | command)."""
        now = self.now()
        self._write(
            lambda outbox: audit.append(
                outbox, "signout", session.staff_id, {"reason": reason}, now
            )
        )

    # -- internals -----------------------------------------------------------------------------

    def _pin_matches(self, pin_hash: str, pin: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        if len(pin) > 64:  # not a PIN; do not hash megabytes
            return False
        try:
            return bool(self._hasher.verify(pin_hash, pin))
        except VerifyMismatchError:
            return False
        except (InvalidHashError, VerificationError):
            return False

    @property
    def _hasher(self) -> PasswordHasher:
        if self._given_hasher is None:
            self._given_hasher = pins.hasher()
        return self._given_hasher

    def _refuse_if_locked(self, state: LockState, staff_id: str, name: str, now: int) -> None:
        if state.locked_until is not None and now < state.locked_until:
            wait = state.locked_until - now
            self._refuse(
                staff_id,
                now,
                "locked",
                f"{name} is locked out for {wait} s more",
                seconds_remaining=wait,
            )

    def _wrong_pin(self, staff_id: str, name: str, now: int) -> NoReturn:
        def count(outbox: sqlite3.Connection) -> tuple[int, int]:
            """One more failure, counted in the file (concurrent tries all count)."""
            with Transaction(outbox):
                failures = self._lock_state(outbox, staff_id).failures + 1
                wait = lockout_seconds(failures)
                outbox.execute(
                    "INSERT INTO signin_failures (staff_id, failures, locked_until)"
                    " VALUES (?, ?, ?) ON CONFLICT(staff_id) DO UPDATE SET"
                    " failures = excluded.failures, locked_until = coalesce("
                    "excluded.locked_until, signin_failures.locked_until)",
                    (staff_id, failures, now + wait if wait else None),
                )
                audit.append(
                    outbox,
                    "signin_failed",
                    staff_id,
                    {"reason": "wrong_pin", "failures": failures},
                    now,
                )
                if wait:
                    audit.append(
                        outbox, "lockout", staff_id, {"seconds": wait, "failures": failures}, now
                    )
            return failures, wait

        failures, wait = self._write(count)
        if wait:
            raise SignInError(
                f"wrong PIN {MAX_ATTEMPTS} times: {name} is locked out for {wait} s",
                reason="locked",
                seconds_remaining=wait,
            )
        left = MAX_ATTEMPTS - failures % MAX_ATTEMPTS
        raise SignInError(
            f"wrong PIN for {name} ({left} attempts left)", reason="wrong_pin", attempts_left=left
        )

    def _refuse(
        self,
        staff_id: str,
        now: int,
        reason: str,
        message: str,
        *,
        seconds_remaining: int | None = None,
    ) -> NoReturn:
        self._write(
            lambda outbox: audit.append(
                outbox, "signin_failed", staff_id[:64], {"reason": reason}, now
            )
        )
        raise SignInError(message, reason=reason, seconds_remaining=seconds_remaining)


# -- idle lock ----------------------------------------------------------------------------------


class IdleLock:
    """The idle auto-lock policy: ``touch()`` on every user input, ``expired()`` when it is time
    to lock (setting ``idle_lock_minutes``, default 5)."""

    def __init__(self, clock: Clock = time.monotonic, minutes: float = 5) -> None:
        if minutes <= 0:
            raise ValueError("idle lock minutes must be positive")
        self.clock = clock
        self.timeout_s = float(minutes) * 60.0
        self._last = clock()

    def touch(self) -> None:
        self._last = self.clock()

    def touched_at(self, at: float) -> None:
        """Input was seen at ``at`` (on this lock's clock): the idle time counts from then,
        unless the lock was touched later."""
        self._last = max(self._last, at)

    def idle_s(self) -> float:
        return max(0.0, self.clock() - self._last)

    def remaining_s(self) -> float:
        return max(0.0, self.timeout_s - self.idle_s())

    def expired(self) -> bool:
        return self.idle_s() >= self.timeout_s
