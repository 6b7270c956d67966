"""Terminals: one-time enrolment codes, enrolled devices and their bearer tokens.

Only hashes are kept: SHA-256 of the normalised enrolment code and of the token. A device is
authenticated by its token; a positive answer is cached for ``AUTH_CACHE_S`` in this process,
and revoking a device clears this process's cache.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sync.hub.errors import ForbiddenError, NotFoundError

if TYPE_CHECKING:
    from sync.hub.store import HubStore

ENROL_CODE_TTL_S = 24 * 3600
AUTH_CACHE_S = 30.0
_ENROL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Device:
    id: str
    store_id: str
    name: str


class Devices:
    """The enrolled devices of a :class:`~sync.hub.store.HubStore` (``store.devices``)."""

    def __init__(self, store: HubStore) -> None:
        self.store = store
        self._auth_cache: dict[str, tuple[Device, float]] = {}

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
        """Spend an enrolment code: a new device and its bearer token (only its hash is kept)."""
        t = int(time.time()) if now is None else now
        code_hash = _sha256(_normalise_enrol_code(code))
        token = secrets.token_urlsafe(32)
        device = Device(id="dev-" + secrets.token_hex(8), store_id=store_id, name=device_name)
        with self.store.write() as tx:
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
                "INSERT INTO devices (id, store_id, name, token_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (device.id, store_id, device_name, _sha256(token), t),
            )
        return device, token

    def authenticate(self, token: str) -> Device | None:
        """The device a bearer token belongs to, or None. Positive answers cached 30 s."""
        token_hash = _sha256(token)
        cached = self._auth_cache.get(token_hash)
        now = time.monotonic()
        if cached is not None and cached[1] > now:
            return cached[0]
        with self.store.read() as conn:
            found = conn.row(
                "SELECT id, store_id, name FROM devices WHERE token_hash = ? "
                "AND revoked_at IS NULL",
                (token_hash,),
            )
        if found is None:
            self._auth_cache.pop(token_hash, None)
            return None
        device = Device(found[0], found[1], found[2])
        if len(self._auth_cache) > 10000:
            self._auth_cache.clear()
        self._auth_cache[token_hash] = (device, now + AUTH_CACHE_S)
        return device

    def revoke(self, device_id: str, *, now: int | None = None) -> None:
        t = int(time.time()) if now is None else now
        with self.store.write() as tx:
            if (
                tx.conn.execute("UPDATE devices SET revoked_at = ? WHERE id = ?", (t, device_id))
                == 0
            ):
                raise NotFoundError(f"unknown device {device_id}", reason="unknown_device")
        self._auth_cache.clear()


def _normalise_enrol_code(code: str) -> str:
    return re.sub(r"[\s\-]", "", code).upper()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
