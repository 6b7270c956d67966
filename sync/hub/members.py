"""Members: one member's whole slice for a cache miss, lookups by identity, privacy erasure,
export, and their phones in the forms each side holds (:mod:`clerk.shared.phones`): the hub
keeps the number and its full keyed hash; terminals get the last digits, the 8-bit bucket and
the masked form."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from clerk.shared import phones
from sync.hub.db import Conn, Row
from sync.hub.errors import InvalidInputError, NotFoundError
from sync.hub.feed import ENTITY_TABLE, decode_row, entity_columns, rows_by_key

if TYPE_CHECKING:
    from sync.hub.store import HubStore, Tx

_FILL_BATCH = 5000


def phone_columns(phone: str | None, *, hash_key: str, bucket_key: str) -> dict[str, Any]:
    """A member's phone columns from its E.164 number (all None without one)."""
    if not phone:
        return {"phone_hash": None, "phone_last4": None, "phone_bucket": None, "phone_masked": None}
    return {
        "phone_hash": phones.phone_hash(hash_key, phone),
        "phone_last4": phones.tail(phone),
        "phone_bucket": phones.phone_bucket(bucket_key, phone),
        "phone_masked": phones.mask_phone(phone),
    }


# (entity, MemberView field, order, most rows sent) of a member's slice.
_VIEW_PARTS = (
    ("browse", "browse", "at DESC, id DESC", 5000),
    ("cart", "cart", "added_at DESC, id", 1000),
    ("coupon", "coupons", "expires_at, id", 1000),
    ("visit", "visits", "at DESC, id DESC", 1000),
)
_VIEW_PRODUCTS = 5000


class Members:
    """The members of a :class:`~sync.hub.store.HubStore` (``store.members``)."""

    def __init__(self, store: HubStore) -> None:
        self.store = store

    def view(self, member_id: str) -> dict[str, Any]:
        """One member's whole slice (MemberView shape); NotFoundError if unknown."""
        with self.store.read() as conn:
            members = rows_by_key(conn, "member", [member_id])
            if not members:
                raise NotFoundError(f"unknown member {member_id}", reason="unknown_member")
            view: dict[str, Any] = {"member": members[0]}
            for entity, field, order, cap in _VIEW_PARTS:
                columns = entity_columns(entity)
                rows = conn.rows(
                    f"SELECT {', '.join(columns)} FROM {ENTITY_TABLE[entity]} "
                    f"WHERE member_id = ? ORDER BY {order} LIMIT {cap}",
                    (member_id,),
                )
                view[field] = [decode_row(columns, r) for r in rows]
            skus = sorted({r["sku"] for r in view["browse"]} | {r["sku"] for r in view["cart"]})
            view["products"] = rows_by_key(conn, "product", skus[:_VIEW_PRODUCTS])
        return view

    def lookup(
        self,
        *,
        code_id: int | None = None,
        card_no: str | None = None,
        phone_hash: str | None = None,
    ) -> str:
        """The member id for one identity; NotFoundError if no member has it."""
        value: int | str
        if code_id is not None:
            sql, value = "SELECT id FROM members WHERE code_id = ?", code_id
        elif card_no is not None:
            sql, value = "SELECT id FROM members WHERE card_no = ?", card_no
        elif phone_hash is not None:
            sql, value = "SELECT id FROM members WHERE phone_hash = ? ORDER BY id", phone_hash
        else:
            raise InvalidInputError("give code_id, card_no or phone_hash", reason="no_identity")
        with self.store.read() as conn:
            found = conn.scalar(sql + " LIMIT 1", (value,))
        if found is None:
            raise NotFoundError("no member has this identity", reason="unknown_member")
        return str(found)

    def by_sealed_phone(self, conn: Conn, sealed: str) -> Row | None:
        """(id, home_store) of the member whose number a terminal sealed (a visit recorded
        offline by phone); None when it does not open or nobody has that number."""
        e164 = phones.open_sealed(self.store.phone_seal_private, sealed)
        if e164 is None:
            return None
        return conn.row(
            "SELECT id, home_store FROM members WHERE phone_hash = ? ORDER BY id LIMIT 1",
            (phones.phone_hash(self.store.phone_hash_key, e164),),
        )

    def fill_phone_columns(self, tx: Tx) -> int:
        """Schema 4's data step: every member's phone columns computed from its number (the
        masked form with four digits at most, the last digits and the bucket), each member
        sent to its store's terminals again. Returns how many were filled."""
        conn = tx.conn
        hash_key = str(conn.scalar("SELECT value FROM settings WHERE key = 'phone_hash_key'"))
        bucket_key = str(conn.scalar("SELECT value FROM settings WHERE key = 'phone_bucket_key'"))
        done = 0
        last = ""
        while True:
            rows = conn.rows(
                "SELECT id, phone, home_store FROM members WHERE id > ? AND phone IS NOT NULL "
                "ORDER BY id LIMIT ?",
                (last, _FILL_BATCH),
            )
            if not rows:
                return done
            updates = []
            for member_id, phone, _home in rows:
                cols = phone_columns(phone, hash_key=hash_key, bucket_key=bucket_key)
                updates.append(
                    (
                        cols["phone_hash"],
                        cols["phone_last4"],
                        cols["phone_bucket"],
                        cols["phone_masked"],
                        member_id,
                    )
                )
            conn.many(
                "UPDATE members SET phone_hash = ?, phone_last4 = ?, phone_bucket = ?, "
                "phone_masked = ? WHERE id = ?",
                updates,
            )
            for member_id, _phone, home in rows:
                tx.emit("member", str(member_id), "upsert", home)
            done += len(rows)
            last = str(rows[-1][0])

    def ids(self, store_id: str, *, limit: int = 10) -> list[str]:
        """The first members (by id) whose home is ``store_id``."""
        with self.store.read() as conn:
            rows = conn.rows(
                "SELECT id FROM members WHERE home_store = ? ORDER BY id LIMIT ?", (store_id, limit)
            )
        return [str(r[0]) for r in rows]

    def code_id(self, member_id: str) -> int:
        """The pseudonym a member code carries for ``member_id``."""
        with self.store.read() as conn:
            found = conn.scalar("SELECT code_id FROM members WHERE id = ?", (member_id,))
        if found is None:
            raise NotFoundError(f"unknown member {member_id}", reason="unknown_member")
        return int(found)

    def delete(self, member_id: str) -> int:
        """Erase a member and every row about them (privacy erasure); deletes reach terminals.

        Interactions are kept (they are the stores' records) but no longer name the member.
        Returns the number of rows deleted.
        """
        with self.store.write() as tx:
            home = tx.conn.row("SELECT home_store FROM members WHERE id = ?", (member_id,))
            if home is None:
                raise NotFoundError(f"unknown member {member_id}", reason="unknown_member")
            store_id = home[0]
            deleted = 0
            for entity in ("browse", "cart", "coupon", "visit"):
                table = ENTITY_TABLE[entity]
                keys = [
                    str(r[0])
                    for r in tx.conn.rows(
                        f"SELECT id FROM {table} WHERE member_id = ?", (member_id,)
                    )
                ]
                tx.conn.execute(f"DELETE FROM {table} WHERE member_id = ?", (member_id,))
                for key in keys:
                    tx.emit(entity, key, "delete", store_id)
                deleted += len(keys)
            tx.conn.execute("DELETE FROM members WHERE id = ?", (member_id,))
            tx.conn.execute(
                "UPDATE interactions SET member_id = NULL, member_ref = NULL WHERE member_id = ?",
                (member_id,),
            )
            tx.conn.execute(
                "UPDATE jti_sightings SET member_id = NULL WHERE member_id = ?", (member_id,)
            )
            tx.emit("member", member_id, "delete", store_id)
        return deleted + 1

    def iter_rows(self, batch: int = 5000) -> Iterator[dict[str, Any]]:
        """Members for export (keyset pagination: constant memory)."""
        last = ""
        while True:
            with self.store.read() as conn:
                rows = conn.dicts(
                    "SELECT id, card_no, name, home_store AS store, phone_masked, code_id "
                    "FROM members WHERE id > ? ORDER BY id LIMIT ?",
                    (last, batch),
                )
            if not rows:
                return
            yield from rows
            last = rows[-1]["id"]
