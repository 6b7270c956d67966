"""Members: one member's whole slice for a cache miss, lookups by identity, privacy erasure,
export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sync.hub.errors import InvalidInputError, NotFoundError
from sync.hub.feed import ENTITY_TABLE, decode_row, entity_columns, rows_by_key

if TYPE_CHECKING:
    from sync.hub.store import HubStore

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
