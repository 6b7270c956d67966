"""HQ admin tokens: the bearer tokens of the HQ API (``/v1/admin/…``).

``clerk hub admin-token create NAME`` prints a new token once; the hub keeps its SHA-256.
Admin tokens start with ``oca_``; a device's access token is never one (and an admin token
is no device's), so each kind of route takes its own kind of token only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import TYPE_CHECKING, Any

from sync.hub import admin_audit
from sync.hub.errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from sync.hub.store import HubStore

PREFIX = "oca_"


class AdminTokens:
    """The HQ admin tokens of a :class:`~sync.hub.store.HubStore` (``store.admin_tokens``)."""

    def __init__(self, store: HubStore) -> None:
        self.store = store

    def create(self, name: str, *, actor: str = "hub", now: int | None = None) -> str:
        """A new admin token named ``name`` (audited); only its hash is kept."""
        t = int(time.time()) if now is None else now
        name = name.strip()
        if not 1 <= len(name) <= 64:
            raise InvalidInputError("an admin token's name is 1 to 64 characters", reason="usage")
        token = PREFIX + secrets.token_urlsafe(32)
        with self.store.write() as tx:
            if tx.conn.row(
                "SELECT 1 FROM admin_tokens WHERE name = ? AND revoked_at IS NULL", (name,)
            ):
                raise InvalidInputError(
                    f"an admin token named {name!r} exists: revoke it first", reason="usage"
                )
            tx.conn.execute(
                "INSERT INTO admin_tokens (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
                ("adm-" + secrets.token_hex(8), name, _sha256(token), t),
            )
            admin_audit.record(tx, actor, "admin_token_create", name, now=t)
        return token

    def authenticate(self, token: str) -> str | None:
        """The name of the live admin token ``token`` is, or None."""
        if not token.startswith(PREFIX):
            return None
        digest = _sha256(token)
        with self.store.read() as conn:
            found = conn.row(
                "SELECT name, token_hash FROM admin_tokens WHERE token_hash = ? "
                "AND revoked_at IS NULL",
                (digest,),
            )
        if found is None or not hmac.compare_digest(str(found[1]), digest):
            return None
        return str(found[0])

    def rows(self) -> list[dict[str, Any]]:
        with self.store.read() as conn:
            return conn.dicts(
                "SELECT name, created_at, revoked_at FROM admin_tokens ORDER BY created_at, name"
            )

    def revoke(self, name: str, *, actor: str = "hub", now: int | None = None) -> None:
        t = int(time.time()) if now is None else now
        with self.store.write() as tx:
            if not tx.conn.execute(
                "UPDATE admin_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                (t, name),
            ):
                raise NotFoundError(f"no live admin token named {name!r}", reason="unknown_token")
            admin_audit.record(tx, actor, "admin_token_revoke", name, now=t)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
