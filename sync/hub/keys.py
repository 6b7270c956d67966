"""Member-code signing keys: the active key signs codes, a rotated key is accepted a while
longer, terminals get the public keys (``key`` rows of the change feed, ``GET /v1/keys``)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clerk.shared import membercode
from sync.hub.errors import NotFoundError, StorageFailure

if TYPE_CHECKING:
    from sync.hub.store import HubStore, Tx

DEFAULT_TTL_S = membercode.VALIDITY_S


@dataclass(frozen=True)
class SigningKey:
    kid: int
    private_key: str
    public_key: str
    created_at: int
    not_after: int | None


class SigningKeys:
    """The signing keys of a :class:`~sync.hub.store.HubStore` (``store.keys``)."""

    def __init__(self, store: HubStore) -> None:
        self.store = store

    def all(self) -> list[SigningKey]:
        with self.store.read() as conn:
            rows = conn.rows(
                "SELECT kid, private_key, public_key, created_at, not_after "
                "FROM signing_keys ORDER BY kid"
            )
        return [SigningKey(int(r[0]), r[1], r[2], int(r[3]), r[4]) for r in rows]

    def active(self) -> SigningKey:
        """The key that signs new codes (the newest without ``not_after``)."""
        keys = [k for k in self.all() if k.not_after is None]
        if not keys:
            raise NotFoundError("no active signing key", reason="no_signing_key")
        return max(keys, key=lambda k: k.created_at)

    def public(self) -> list[dict[str, Any]]:
        """Every key's public half, as ``PublicKey`` on the wire."""
        return [
            {"kid": k.kid, "public_key": k.public_key, "not_after": k.not_after} for k in self.all()
        ]

    def rotate(self, *, now: int | None = None, grace_s: int = 300) -> SigningKey:
        """Make a new active key; the old one signs no more and expires after ``grace_s``."""
        t = int(time.time()) if now is None else now
        with self.store.write() as tx:
            for kid in [
                int(r[0])
                for r in tx.conn.rows("SELECT kid FROM signing_keys WHERE not_after IS NULL")
            ]:
                tx.conn.execute(
                    "UPDATE signing_keys SET not_after = ? WHERE kid = ?", (t + grace_s, kid)
                )
                tx.emit("key", str(kid), "upsert", None)
            key = add_signing_key(tx, t)
        return key

    def member_code(
        self, member_id: str, *, ttl: int = DEFAULT_TTL_S, now: int | None = None
    ) -> str:
        """An MC1 member code for ``member_id``, signed by the active key, expiring in ``ttl`` s."""
        t = int(time.time()) if now is None else now
        key = self.active()
        code_id = self.store.members.code_id(member_id)
        private = membercode.private_key_from_hex(key.private_key)
        return membercode.issue(private, key.kid, code_id, exp=t + ttl)


def add_signing_key(tx: Tx, now: int) -> SigningKey:
    """A new active key (with its change row) in ``tx``: the next free kid after the newest,
    else the lowest free one, else the oldest retired one (its codes expired long ago)."""
    kids = {int(r[0]) for r in tx.conn.rows("SELECT kid FROM signing_keys")}
    free = [k for k in range(256) if k not in kids]
    if not free:
        oldest = tx.conn.row(
            "SELECT kid FROM signing_keys WHERE not_after IS NOT NULL ORDER BY not_after LIMIT 1"
        )
        if oldest is None:
            raise StorageFailure("no free key id", reason="no_free_kid")
        free = [int(oldest[0])]
        tx.conn.execute("DELETE FROM signing_keys WHERE kid = ?", (free[0],))
    kid = (max(kids) + 1) % 256 if kids and (max(kids) + 1) % 256 in free else free[0]
    private, public = membercode.generate_keypair()
    key = SigningKey(kid, membercode.private_key_to_hex(private), public.hex(), now, None)
    tx.conn.execute(
        "INSERT INTO signing_keys (kid, private_key, public_key, created_at, not_after) "
        "VALUES (?, ?, ?, ?, NULL)",
        (key.kid, key.private_key, key.public_key, key.created_at),
    )
    tx.emit("key", str(kid), "upsert", None)
    return key
