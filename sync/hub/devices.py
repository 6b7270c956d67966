"""Terminals: one-time enrolment codes, enrolled devices, their credentials and access tokens.

A device holds two secrets:

* its **device secret** — long-lived, handed out once at enrolment and kept by the terminal
  in outbox.db; the hub keeps only its SHA-256 (``devices.token_hash``). It is good for one
  thing: ``POST /v1/devices/token`` (:meth:`Devices.exchange`), which answers an access token.
* an **access token** — short-lived (``HubConfig.token_ttl_s``, 15 minutes by default), the
  bearer of every other request: ``v1.<device id>.<expires at>.<signature>``, the signature
  an HMAC-SHA256 under the hub's token secret (in the key file, :mod:`sync.hub.keys`). Any
  hub process with the same key file checks it without a table of tokens; a copied token
  stops working at its expiry, and a copy of the database alone mints none.

Revocation is read from the database: each process re-reads the set of revoked devices when
it is ``DEVICE_CHECK_S`` old (one query for every device, not one per request), so a revoked
device gets 401 ``device_revoked`` on every hub process within a second, and it gets no new
access token. A device's identity (its store, its name) never changes: it is read once per
process. :meth:`Devices.authenticate_cached` checks a token without the database while both
are known (the hub's event loop does it without a thread): once the revoked set is due it still
answers from it, up to ``DEVICE_STALE_S`` old, while a background thread re-reads it — at the
hub's rate every request inside a re-read's window went the slow way (a thread, a read) before.
401 reasons: ``no_token``,
``bad_token`` (malformed, forged, unknown device), ``token_expired``, ``device_revoked``,
``bad_secret`` (the exchange: unknown device or wrong secret).

Before schema 3 a device had one long-lived bearer token (its hash in ``token_hash``): that
token is now its device secret, so a terminal enrolled before exchanges it for access tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sync.hub import admin_audit
from sync.hub.errors import (
    ForbiddenError,
    HubServiceError,
    NotFoundError,
    UnauthenticatedError,
)
from sync.hub.revoked import RevokedSet

if TYPE_CHECKING:
    from sync.hub.store import HubStore

log = logging.getLogger("sync.hub")

ENROL_CODE_TTL_S = 24 * 3600
DEFAULT_TOKEN_TTL_S = 15 * 60
DEVICE_CHECK_S = 0.5  # the revoked devices are re-read this often: a revoke reaches every process
# ... and a revoked set this old at most answers a token without the database (re-read meanwhile
# in the background): a revoke reaches every process within it (and a request's own time).
DEVICE_STALE_S = 0.8
TOKEN_VERSION = "v1"
_ENROL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_DEVICE_ID = re.compile(r"[A-Za-z0-9_\-]{1,64}")
_DIGITS = re.compile(r"[0-9]{1,12}")
_CHECKED_MAX = 10_000
# A device this process has not seen has every device read again (Devices.prime), at most this
# often: the fleet enrolled through the other processes (or since this one started) is then
# known at its first request — one read, not a read and FastAPI's route for each device.
LEARN_EVERY_S = 1.0


@dataclass(frozen=True)
class Device:
    id: str
    store_id: str
    name: str


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_at: int
    expires_in: int


class Devices:
    """The enrolled devices of a :class:`~sync.hub.store.HubStore` (``store.devices``)."""

    def __init__(self, store: HubStore) -> None:
        self.store = store
        self._known: dict[str, Device] = {}  # device id -> the device (never changes)
        self._known_lock = threading.Lock()
        self._revoked = RevokedSet(DEVICE_CHECK_S)
        self._rereading = False  # a background re-read of the revoked set is under way
        self._reread_lock = threading.Lock()
        self._primed_at = -LEARN_EVERY_S  # (time.monotonic) every device last read

    # -- enrolment ---------------------------------------------------------------------------

    def create_enrol_code(self, store_id: str, *, now: int | None = None) -> str:
        """A one-time enrolment code for ``store_id``, valid 24 hours. Only its hash is kept."""
        t = int(time.time()) if now is None else now
        self.store.store_name(store_id)  # NotFoundError for an unknown store
        raw = "".join(secrets.choice(_ENROL_ALPHABET) for _ in range(12))
        code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
        with self.store.write() as tx:
            tx.conn.execute(
                "INSERT INTO enrol_codes (code_hash, store_id, created_at, expires_at) "
                "VALUES (?, ?, ?, ?)",
                (_sha256(_normalise_enrol_code(code)), store_id, t, t + ENROL_CODE_TTL_S),
            )
        return code

    def enroll(
        self, store_id: str, code: str, device_name: str, *, now: int | None = None
    ) -> tuple[Device, str]:
        """Spend an enrolment code: a new device and its device secret (only its hash is
        kept). Access tokens come from :meth:`access_token` / :meth:`exchange`."""
        t = int(time.time()) if now is None else now
        code_hash = _sha256(_normalise_enrol_code(code))
        secret = secrets.token_urlsafe(32)
        device = Device(id="dev-" + secrets.token_hex(8), store_id=store_id, name=device_name)
        with self.store.write() as tx:
            tx.conn.lock(f"enrol:{code_hash}")  # spent once, whichever process is asked
            found = tx.conn.row(
                "SELECT store_id, expires_at, used_at FROM enrol_codes WHERE code_hash = ?",
                (code_hash,),
            )
            if found is None or found[0] != store_id:
                raise ForbiddenError(
                    "the enrolment code is not valid for this store", reason="enrol_code_invalid"
                )
            if found[2] is not None:
                raise ForbiddenError(
                    "the enrolment code has already been used", reason="enrol_code_used"
                )
            if int(found[1]) < t:
                raise ForbiddenError("the enrolment code has expired", reason="enrol_code_expired")
            tx.conn.execute(
                "UPDATE enrol_codes SET used_at = ?, device_id = ? WHERE code_hash = ?",
                (t, device.id, code_hash),
            )
            tx.conn.execute(
                "INSERT INTO devices (id, store_id, name, token_hash, created_at, last_seen_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (device.id, store_id, device_name, _sha256(secret), t, t),
            )
        return device, secret

    # -- access tokens -----------------------------------------------------------------------

    def access_token(
        self, device_id: str, *, now: int, ttl: int = DEFAULT_TOKEN_TTL_S
    ) -> AccessToken:
        """A fresh access token for ``device_id``, valid ``ttl`` seconds from ``now``."""
        expires = int(now) + ttl
        body = f"{TOKEN_VERSION}.{device_id}.{expires}"
        return AccessToken(f"{body}.{self._sign(body)}", expires, ttl)

    def exchange(
        self, device_id: str, secret: str, *, now: int, ttl: int = DEFAULT_TOKEN_TTL_S
    ) -> AccessToken:
        """A new access token against the device secret; 401 ``bad_secret`` for an unknown
        device or a wrong secret, ``device_revoked`` for a revoked device."""
        with self.store.read() as conn:
            found = conn.row(
                "SELECT token_hash, revoked_at FROM devices WHERE id = ?", (device_id[:64],)
            )
        if found is None or not hmac.compare_digest(str(found[0]), _sha256(secret)):
            raise UnauthenticatedError("unknown device or wrong device secret", reason="bad_secret")
        if found[1] is not None:
            raise UnauthenticatedError(
                "this device was revoked: it was removed from its store", reason="device_revoked"
            )
        with self.store.write() as tx:
            tx.conn.execute("UPDATE devices SET last_seen_at = ? WHERE id = ?", (now, device_id))
        return self.access_token(device_id, now=now, ttl=ttl)

    def authenticate(self, token: str, *, now: float | None = None) -> Device:
        """The device an access token belongs to; UnauthenticatedError (with its reason)
        when the token is malformed, forged, expired, or its device unknown or revoked."""
        device_id = self._verified_id(token, time.time() if now is None else now)
        return self._decide(device_id, *self._device_state(device_id))

    def authenticate_cached(self, token: str, *, now: float | None = None) -> Device | None:
        """:meth:`authenticate` without the database: None when it would have to read it
        (a device not seen by this process yet, or the revoked set due for its re-read)."""
        device_id = self._verified_id(token, time.time() if now is None else now)
        device = self._known.get(device_id)
        if device is None:
            return None
        if self._revoked.due():  # re-read in the background; answered from it till it is stale
            if self._revoked.age() >= DEVICE_STALE_S:
                return None
            self._reread_soon()
        return self._decide(device_id, device, self._revoked.known(device_id))

    def _reread_soon(self) -> None:
        """Re-read the revoked set on a thread of its own (one at a time): the caller goes on."""
        with self._reread_lock:
            if self._rereading:
                return
            self._rereading = True

        def reread() -> None:
            try:
                self._revoked.check("", self._read_revoked)
            except HubServiceError as exc:  # the first request past DEVICE_STALE_S reads it
                log.warning("revoked devices not re-read in the background: %s", exc)
            finally:
                with self._reread_lock:
                    self._rereading = False

        threading.Thread(target=reread, name="revoked-devices", daemon=True).start()

    def prime(self) -> int:
        """Every device not revoked (the most recently seen first, up to the cache's size)
        into this process's cache, and the revoked set read: a process that just started
        checks its terminals' first tokens on the event loop (:meth:`authenticate_cached`)
        instead of a read each — at a restart, every terminal at once. How many it holds."""
        with self._known_lock:
            self._primed_at = time.monotonic()
        with self.store.read() as conn:
            rows = conn.rows(
                "SELECT id, store_id, name FROM devices WHERE revoked_at IS NULL "
                "ORDER BY last_seen_at DESC LIMIT ?",
                (_CHECKED_MAX,),
            )
        with self._known_lock:
            for device_id, store_id, name in rows:
                self._known.setdefault(device_id, Device(device_id, store_id, name))
        self._revoked.check("", self._read_revoked)
        return len(rows)

    def _learn_due(self) -> bool:
        """Whether a device not seen here has every device read again (:meth:`prime`): at
        most every :data:`LEARN_EVERY_S` — the fleet enrolled through another process, or
        since this one started, known at its first request, not each device's read alone."""
        with self._known_lock:
            if time.monotonic() - self._primed_at < LEARN_EVERY_S:
                return False
            self._primed_at = time.monotonic()
            return True

    def _verified_id(self, token: str, t: float) -> str:
        """The device id of a well-formed access token of this hub that has not expired."""
        parts = token.split(".")
        if (
            len(parts) != 4
            or parts[0] != TOKEN_VERSION
            or not _DEVICE_ID.fullmatch(parts[1])
            or not _DIGITS.fullmatch(parts[2])
            or not parts[3].isascii()
        ):
            raise UnauthenticatedError("not an access token", reason="bad_token")
        body, signature = token.rpartition(".")[0], parts[3]
        if not hmac.compare_digest(self._sign(body), signature):
            raise UnauthenticatedError("not an access token of this hub", reason="bad_token")
        if int(parts[2]) < t:
            raise UnauthenticatedError(
                "the access token has expired: get a new one with the device secret",
                reason="token_expired",
            )
        return parts[1]

    @staticmethod
    def _decide(device_id: str, device: Device | None, revoked: bool) -> Device:
        if device is None:
            raise UnauthenticatedError("unknown device", reason="bad_token")
        if revoked:
            raise UnauthenticatedError(
                "this device was revoked: it was removed from its store", reason="device_revoked"
            )
        return device

    def _sign(self, body: str) -> str:
        mac = hmac.new(self.store.token_secret, body.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")

    def _device_state(self, device_id: str) -> tuple[Device | None, bool]:
        """The device (None if unknown) and whether it is revoked, as of at most
        ``DEVICE_CHECK_S`` ago: its row read once, the revoked set re-read when due."""
        device = self._known.get(device_id)
        if device is None and self._learn_due():
            self.prime()
            device = self._known.get(device_id)
        if device is None:
            with self.store.read() as conn:
                found = conn.row(
                    "SELECT id, store_id, name, revoked_at FROM devices WHERE id = ?", (device_id,)
                )
            if found is None:
                return None, False
            device = Device(found[0], found[1], found[2])
            with self._known_lock:
                if len(self._known) >= _CHECKED_MAX:
                    self._known.clear()
                self._known[device_id] = device
            if found[3] is not None:  # revoked: so it stays until the set is re-read
                return device, True
        return device, self._revoked.check(device_id, self._read_revoked)

    def _read_revoked(self) -> list[tuple[Any, ...]]:
        with self.store.read() as conn:
            return conn.rows("SELECT id FROM devices WHERE revoked_at IS NOT NULL")

    # -- administration ----------------------------------------------------------------------

    def get(self, device_id: str) -> Device:
        """A device, revoked or not; NotFoundError if unknown."""
        with self.store.read() as conn:
            found = conn.row("SELECT id, store_id, name FROM devices WHERE id = ?", (device_id,))
        if found is None:
            raise NotFoundError(f"unknown device {device_id}", reason="unknown_device")
        return Device(found[0], found[1], found[2])

    def rows(
        self, store_id: str | None = None, *, device_id: str | None = None
    ) -> list[dict[str, Any]]:
        """The devices (of one store, or one device), for ``clerk hub device list`` and the
        HQ API."""
        sql = (
            "SELECT id, store_id, name, created_at, last_seen_at, revoked_at, revoked_reason "
            "FROM devices WHERE 1 = 1"
        )
        params: list[Any] = []
        if store_id is not None:
            sql += " AND store_id = ?"
            params.append(store_id)
        if device_id is not None:
            sql += " AND id = ?"
            params.append(device_id)
        with self.store.read() as conn:
            return conn.dicts(sql + " ORDER BY store_id, created_at, id", params)

    def revoke(
        self,
        device_id: str,
        *,
        reason: str | None = None,
        actor: str = "hub",
        now: int | None = None,
    ) -> dict[str, Any]:
        """Revoke a device (audited): its tokens are refused on every hub process within a
        second and it gets no new one. Revoking it again keeps the first time and reason.
        Returns the device's row; NotFoundError if unknown."""
        t = int(time.time()) if now is None else now
        with self.store.write() as tx:
            changed = tx.conn.execute(
                "UPDATE devices SET revoked_at = ?, revoked_reason = ? "
                "WHERE id = ? AND revoked_at IS NULL",
                (t, reason, device_id),
            )
            known = changed or tx.conn.row("SELECT 1 FROM devices WHERE id = ?", (device_id,))
            if not known:
                raise NotFoundError(f"unknown device {device_id}", reason="unknown_device")
            if changed:
                admin_audit.record(tx, actor, "device_revoke", device_id, {"reason": reason}, now=t)
        self._revoked.revoke_here(device_id)  # refused by this process at once
        return self.rows(device_id=device_id)[0]


def _normalise_enrol_code(code: str) -> str:
    return re.sub(r"[\s\-]", "", code).upper()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
