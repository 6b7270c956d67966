"""Store staff: who may sign in at a store's terminals, with which role, and their PIN hash.

PINs are kept as Argon2id hashes (argon2-cffi format) that terminals verify offline. The
parameters are OWASP's minimum for Argon2id (19 MiB, 2 passes): a terminal checks a PIN in a
few tens of milliseconds, and the hash string carries its parameters, so they can be raised
later without breaking old hashes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher

from sync.hub.errors import NotFoundError

if TYPE_CHECKING:
    from sync.hub.store import HubStore

_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def hash_pin(pin: str) -> str:
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 12):
        raise ValueError("a PIN is 4 to 12 digits")
    return _HASHER.hash(pin)


class Staff:
    """The staff of a :class:`~sync.hub.store.HubStore` (``store.staff``); every change reaches
    the store's terminals as a ``staff`` row of the feed."""

    def __init__(self, store: HubStore) -> None:
        self.store = store

    def rows(self, store_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT id, store_id, name, role, active, updated_at FROM staff"
        params: tuple[Any, ...] = ()
        if store_id is not None:
            sql += " WHERE store_id = ?"
            params = (store_id,)
        with self.store.read() as conn:
            return conn.dicts(sql + " ORDER BY id", params)

    def upsert(self, rows: Iterable[Mapping[str, Any]], *, now: int | None = None) -> int:
        """Add or replace staff members (with ``pin_hash`` already computed)."""
        t = int(time.time()) if now is None else now
        count = 0
        with self.store.write() as tx:
            for s in rows:
                self.store.store_name(str(s["store_id"]))
                tx.conn.execute(
                    "INSERT INTO staff (id, store_id, name, role, pin_hash, active, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                    "store_id = excluded.store_id, name = excluded.name, role = excluded.role, "
                    "pin_hash = excluded.pin_hash, active = excluded.active, "
                    "updated_at = excluded.updated_at",
                    (
                        s["id"],
                        s["store_id"],
                        s["name"],
                        s["role"],
                        s.get("pin_hash"),
                        int(s.get("active", 1)),
                        t,
                    ),
                )
                tx.emit("staff", str(s["id"]), "upsert", str(s["store_id"]))
                count += 1
        return count

    def update(
        self,
        staff_id: str,
        *,
        active: bool | None = None,
        pin_hash: str | None = None,
        now: int | None = None,
    ) -> None:
        t = int(time.time()) if now is None else now
        with self.store.write() as tx:
            store_id = tx.conn.scalar("SELECT store_id FROM staff WHERE id = ?", (staff_id,))
            if store_id is None:
                raise NotFoundError(f"unknown staff member {staff_id}", reason="unknown_staff")
            if active is not None:
                tx.conn.execute(
                    "UPDATE staff SET active = ?, updated_at = ? WHERE id = ?",
                    (int(active), t, staff_id),
                )
            if pin_hash is not None:
                tx.conn.execute(
                    "UPDATE staff SET pin_hash = ?, updated_at = ? WHERE id = ?",
                    (pin_hash, t, staff_id),
                )
            tx.emit("staff", staff_id, "upsert", str(store_id))
