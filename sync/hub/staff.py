"""Store staff: who may sign in at a store's terminals, with which role, and their PIN hash;
and who may record what, re-checked against this roster when interactions arrive.

PINs are kept as argon2id hashes (:mod:`clerk.shared.pins`: a manager's PIN has at least 6
digits; one guess costs about 0.15 s of a core) that terminals verify offline. The hash string
carries its parameters: a hash made with older ones still verifies, and is replaced when the
hub next sets that PIN (``clerk hub staff list`` says which PINs are due).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from clerk.shared import pins
from clerk.shared.interactions import EVERYONE, KINDS
from sync.hub.db import Conn
from sync.hub.errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from sync.hub.store import HubStore

# Interaction kinds only some roles may record (the vocabulary's spec per kind): for these the
# hub checks its own roster, not the terminal's word.
RESTRICTED_KINDS = frozenset(k for k, spec in KINDS.items() if spec.roles != EVERYONE)


def hash_pin(pin: str, role: str) -> str:
    """The argon2id hash of ``pin`` for a staff member with ``role``; InvalidInputError
    (reason ``bad_pin``) when it is not a PIN for that role."""
    try:
        return pins.hash_pin(pin, role)
    except ValueError as exc:
        raise InvalidInputError(str(exc), reason="bad_pin") from exc


def role_problem(conn: Conn, staff_id: str | None, store_id: str, kind: str) -> str | None:
    """Why ``staff_id`` may not record ``kind`` at ``store_id``'s terminals, by the hub's own
    roster (None: may): ``unknown_staff`` (not active staff of that store) or
    ``staff_role``."""
    if kind not in RESTRICTED_KINDS:
        return None
    row = (
        conn.row(
            "SELECT role, active FROM staff WHERE id = ? AND store_id = ?", (staff_id, store_id)
        )
        if staff_id
        else None
    )
    if row is None or not row[1]:
        return "unknown_staff"
    return None if row[0] in KINDS[kind].roles else "staff_role"


class Staff:
    """The staff of a :class:`~sync.hub.store.HubStore` (``store.staff``); every change reaches
    the store's terminals as a ``staff`` row of the feed."""

    def __init__(self, store: HubStore) -> None:
        self.store = store

    def rows(self, store_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT id, store_id, name, role, active, updated_at, pin_hash FROM staff"
        params: tuple[Any, ...] = ()
        if store_id is not None:
            sql += " WHERE store_id = ?"
            params = (store_id,)
        with self.store.read() as conn:
            rows = conn.dicts(sql + " ORDER BY id", params)
        for r in rows:  # never the hash itself: whether the PIN is due to be set again
            pin_hash = r.pop("pin_hash")
            r["pin"] = (
                "none" if not pin_hash else ("reset" if pins.needs_rehash(pin_hash) else "ok")
            )
        return rows

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

    def role(self, staff_id: str) -> str:
        """The role of ``staff_id``; NotFoundError if there is no such staff member."""
        with self.store.read() as conn:
            role = conn.scalar("SELECT role FROM staff WHERE id = ?", (staff_id,))
        if role is None:
            raise NotFoundError(f"unknown staff member {staff_id}", reason="unknown_staff")
        return str(role)

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
