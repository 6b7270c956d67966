"""Members: one member's whole view for a cache miss, look-ups by proof of presence, privacy
erasure, export, and their phones in the forms each side holds (:mod:`clerk.shared.phones`):
the hub keeps the number and its full keyed hash; terminals get the last digits, the 8-bit
bucket and the masked form.

Who may read a member (``docs/security.md``):

* a device reads the members of its own store's slice (the change feed; :meth:`Members.view`
  with its ``store_id`` for a cache miss) — any other member is "unknown" to it, exactly as a
  member id that does not exist (no oracle);
* a member from elsewhere is served only against **proof of presence**
  (:meth:`Members.lookup_by_proof`): the whole member code as scanned (signature, key and
  validity window checked here — a code id alone proves nothing), the exact card number
  (Luhn-valid), or the full phone number as typed (normalised and hashed here). The request
  names the signed-in staff member, who must be active staff of the device's store. Each
  attempt is audited (``member_lookups``: device, store, staff, proof kind, outcome, member,
  time) and counts against the device's rate (``LOOKUP_LIMITS``, across hub processes: the
  audit rows are the count). A member served is remembered per device (``members_served``)
  for the write checks.
* browsing and cart of a member without browsing consent never leave the hub: not in any
  view, not in the feed (:mod:`sync.hub.feed`).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from clerk.shared import membercode, phones
from sync.hub.db import Conn, Row
from sync.hub.errors import ForbiddenError, InvalidInputError, NotFoundError, RateLimitedError
from sync.hub.feed import ENTITY_TABLE, decode_row, entity_columns, rows_by_key

if TYPE_CHECKING:
    from sync.hub.devices import Device
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


ProofKind = Literal["code", "card", "phone"]
CARD_LENGTHS = range(10, 20)
# Sliding windows of look-ups by proof per device: (seconds, most allowed) — a small burst,
# then 30 a minute.
LOOKUP_LIMITS: tuple[tuple[int, int], ...] = ((10, 10), (60, 30))
_HIDDEN_WITHOUT_CONSENT = frozenset({"browse", "cart"})


# The hub's members table as its loaders write it (demo seed, master-data import, benches).
MEMBER_COLUMNS = (
    "id",
    "code_id",
    "card_no",
    "phone",
    "phone_hash",
    "phone_last4",
    "phone_bucket",
    "phone_masked",
    "name",
    "name_en",
    "tier",
    "points",
    "consent_marketing",
    "consent_browsing",
    "tags",
    "home_store",
    "birthday",
    "joined_at",
    "last_seen",
    "updated_at",
)


@dataclass(frozen=True)
class Proof:
    """What was presented at the counter: one kind and its text, as read or typed."""

    kind: ProofKind
    text: str


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

    def view(self, member_id: str, *, store_id: str | None = None) -> dict[str, Any]:
        """One member's whole view (MemberView shape) — of ``store_id``'s slice only, when
        given; NotFoundError if unknown (or of another store: the same answer). Browsing and
        cart are left out when the member has not consented to browsing use."""
        with self.store.read() as conn:
            members = rows_by_key(conn, "member", [member_id])
            if not members or (store_id is not None and members[0]["home_store"] != store_id):
                raise NotFoundError("no such member in this store", reason="unknown_member")
            view: dict[str, Any] = {"member": members[0]}
            consented = bool(members[0].get("consent_browsing"))
            for entity, field, order, cap in _VIEW_PARTS:
                if entity in _HIDDEN_WITHOUT_CONSENT and not consented:
                    view[field] = []
                    continue
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

    def lookup_by_proof(
        self,
        device: Device,
        staff_id: str,
        proof: Proof,
        *,
        now: int | None = None,
        limits: tuple[tuple[int, int], ...] = LOOKUP_LIMITS,
    ) -> dict[str, Any]:
        """The view of the member ``proof`` identifies, for ``device`` (see the module
        docstring). RateLimitedError over the device's rate; ForbiddenError (``unknown_staff``)
        unless ``staff_id`` is active staff of the device's store; InvalidInputError
        (``bad_proof``) for a code that does not verify, a card failing its check digit or
        text that is no phone number; NotFoundError when no member has it. Every attempt
        past the rate check is audited."""
        t = int(time.time()) if now is None else now
        with self.store.write() as tx:
            conn = tx.conn
            conn.lock(f"d:{device.id}")  # its rate: counted, then written
            _check_rate(conn, device.id, t, limits)
            staff_ok = conn.row(
                "SELECT 1 FROM staff WHERE id = ? AND store_id = ? AND active = 1",
                (staff_id, device.store_id),
            )
            problem: InvalidInputError | None = None
            member_id: str | None = None
            if staff_ok is None:
                outcome = "refused"
            else:
                try:
                    member_id = self._resolve(conn, proof, t)
                except InvalidInputError as exc:
                    problem = exc
                outcome = "bad_proof" if problem else "served" if member_id else "not_found"
            conn.execute(
                "INSERT INTO member_lookups (device_id, store_id, staff_id, proof, outcome, "
                "member_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (device.id, device.store_id, staff_id, proof.kind, outcome, member_id, t),
            )
            if member_id is not None:
                conn.execute(
                    "INSERT INTO members_served (device_id, member_id, served_at) "
                    "VALUES (?, ?, ?) ON CONFLICT (device_id, member_id) "
                    "DO UPDATE SET served_at = excluded.served_at",
                    (device.id, member_id, t),
                )
        if staff_ok is None:
            raise ForbiddenError(
                f"{staff_id!r} is not active staff of store {device.store_id}",
                reason="unknown_staff",
            )
        if problem is not None:
            raise problem
        if member_id is None:
            raise NotFoundError("no member has this identity", reason="unknown_member")
        return self.view(member_id)

    def _resolve(self, conn: Conn, proof: Proof, now: int) -> str | None:
        """The member id ``proof`` identifies (None: nobody); InvalidInputError for no proof."""
        if proof.kind == "code":
            keys = membercode.keys_from_hex(
                {k["kid"]: k["public_key"] for k in self.store.keys.public()}
            )
            try:
                code = membercode.verify(proof.text.strip(), keys, now)
            except membercode.CodeRejected as exc:
                raise InvalidInputError(
                    f"the member code is no proof: {exc.reason}", reason="bad_proof"
                ) from exc
            found = conn.scalar("SELECT id FROM members WHERE code_id = ?", (code.code_id,))
        elif proof.kind == "card":
            digits = proof.text.strip()
            if not (digits.isascii() and digits.isdigit() and len(digits) in CARD_LENGTHS):
                raise InvalidInputError("not a card number", reason="bad_proof")
            if not _luhn_valid(digits):
                raise InvalidInputError(
                    "the card number's check digit is wrong", reason="bad_proof"
                )
            found = conn.scalar("SELECT id FROM members WHERE card_no = ?", (digits,))
        else:
            e164 = phones.normalize_phone(proof.text.strip())
            if e164 is None:
                raise InvalidInputError("not a whole phone number", reason="bad_proof")
            hashed = phones.phone_hash(self.store.phone_hash_key, e164)
            found = None
            for member_id, number in conn.rows(  # the keyed hash finds; the number decides
                "SELECT id, phone FROM members WHERE phone_hash = ? ORDER BY id LIMIT 50",
                (hashed,),
            ):
                if number is None or hmac.compare_digest(str(number), e164):
                    found = member_id
                    break
        return None if found is None else str(found)

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
            for entity in ("browse", "cart", "coupon", "visit", "wishlist", "order", "points"):
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
            tx.conn.execute("DELETE FROM identities WHERE member_id = ?", (member_id,))
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


def _check_rate(conn: Any, device_id: str, now: int, limits: tuple[tuple[int, int], ...]) -> None:
    """RateLimitedError (with the seconds until a look-up is allowed again) when the device
    made ``most`` look-ups in the last ``window`` seconds, for any of ``limits``. Counted from
    the audit rows: the same limit on every hub process."""
    longest = max(window for window, _most in limits)
    ats = [
        int(r[0])
        for r in conn.rows(
            "SELECT at FROM member_lookups WHERE device_id = ? AND at > ? ORDER BY at",
            (device_id, now - longest),
        )
    ]
    for window, most in limits:
        recent = [a for a in ats if a > now - window]
        if len(recent) >= most:
            wait = recent[len(recent) - most] + window - now
            raise RateLimitedError(
                f"at most {most} member look-ups in {window} s from one device",
                retry_after=max(1, wait),
            )


def _luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0
