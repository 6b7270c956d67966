"""Interaction batches: validation, idempotency and effects, in one write transaction.

Per item, in this order:

1. A known id with the same content → exactly the answer stored the first time.
   A known id with different content → ``rejected`` / ``id_reused`` (nothing stored).
2. The same (device, device_seq) under another id → ``duplicate`` / ``device_seq_reused``
   (a cloned terminal): stored for investigation, no effect.
3. Validation (member, payload shape, coupon) → ``rejected`` with a reason, stored so a repeat
   gets the same answer. A rejected item never blocks the items after it.
4. A redeem of a coupon already used → ``conflict`` with ``conflict_with`` = the first
   redemption; both are kept and listed for managers.
5. Otherwise ``accepted`` and applied: visits rows, coupon use, cart lines bought, consent
   flags — each with its change row so the member's store's terminals receive it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from pydantic import ValidationError

from sync.hub.db import Row
from sync.hub.devices import Device
from sync.hub.feed import browsing_keys
from sync.hub.store import HubStore, Tx
from sync.protocol import Interaction

MEMBER_KINDS = frozenset({"visit", "note", "interest", "redeem", "sale", "consent"})
VISIT_KINDS = frozenset({"visit", "note", "interest", "sale"})
COUPON_SKEW_S = 300  # a redeem recorded offline just around the expiry still counts


@dataclass(frozen=True)
class Result:
    id: str
    status: str
    reason: str | None = None
    conflict_with: str | None = None

    def wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "reason": self.reason,
            "conflict_with": self.conflict_with,
        }


class _Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def payload_json(item: Interaction) -> str:
    """The payload as stored: canonical JSON (sorted keys, no spaces)."""
    return json.dumps(item.payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def body_hash(item: Interaction, payload_text: str | None = None) -> str:
    """Hash of everything the terminal said about the interaction (not where it came from)."""
    head = json.dumps(
        [
            item.kind,
            item.member_id,
            item.member_ref,
            item.staff_id,
            item.created_at,
            item.device_seq,
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    text = head + (payload_json(item) if payload_text is None else payload_text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_items(raw: Sequence[Any]) -> list[Interaction | Result]:
    """Validate each item on its own: a malformed item becomes a rejected result if it has an
    id, so it does not sink the batch. Items without a usable id raise ValueError."""
    out: list[Interaction | Result] = []
    for n, obj in enumerate(raw):
        problem: str | None = None
        try:
            item = Interaction.model_validate(obj)
            if not (_INT64[0] <= item.created_at <= _INT64[1]) or not (
                _INT64[0] <= item.device_seq <= _INT64[1]
            ):
                problem = "created_at or device_seq out of range"
            elif not _encodable(obj):
                problem = "text that is not valid Unicode"
            else:
                out.append(item)
                continue
        except ValidationError as exc:
            problem = _first_error(exc)
        item_id = obj.get("id") if isinstance(obj, Mapping) else None
        if not isinstance(item_id, str) or not 1 <= len(item_id) <= 64 or not _encodable(item_id):
            raise ValueError(f"interaction {n} has no usable id: {problem}")
        out.append(Result(item_id, "rejected", "bad_item"))
    return out


_INT64 = (-(2**63), 2**63 - 1)


def _encodable(value: Any) -> bool:
    """False if ``value`` holds strings with lone surrogates (valid JSON, not valid UTF-8)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        return False
    return True


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    return f"{where}: {err.get('msg', 'invalid')}"


def ingest(
    store: HubStore,
    device: Device,
    items: Sequence[Interaction | Result],
    *,
    now: int | None = None,
) -> list[Result]:
    """Apply a batch from ``device`` in one transaction; one result per item, in order."""
    t = int(time.time()) if now is None else now
    results: list[Result] = []
    valid = [i for i in items if isinstance(i, Interaction)]
    with store.write() as tx:
        ctx = _Batch(store, tx, device, t, valid)
        for item in items:
            if isinstance(item, Result):
                results.append(item)
            else:
                results.append(ctx.one(item))
        ctx.flush()
    return results


_INSERT_INTERACTION = (
    "INSERT INTO interactions (id, device_id, store_id, device_seq, kind, member_id, "
    "member_ref, staff_id, created_at, received_at, payload, body_hash, status, reason, "
    "conflict_with) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_VISIT = (
    "INSERT INTO visits (id, member_id, store_id, store_name, staff_name, kind, text, at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


class _Batch:
    """One batch's transaction. Lookups for the whole batch are fetched up front (known ids,
    device sequence numbers, members); new interactions, visits and change rows are written
    with executemany at the end, in order. Updates (coupons, carts, members) run at once so
    later items in the same batch see them."""

    def __init__(
        self, store: HubStore, tx: Tx, device: Device, now: int, items: Sequence[Interaction]
    ) -> None:
        self.store = store
        self.tx = tx
        self.conn = tx.conn
        self.device = device
        self.now = now
        self.store_name = store.store_name(device.store_id)
        self._staff: dict[str, str | None] = {}
        self._interactions: list[tuple[Any, ...]] = []
        self._visits: list[tuple[Any, ...]] = []
        self._changes: dict[tuple[str, str], tuple[str | None, str, str, str]] = {}
        self._known: dict[str, tuple[str, str, str | None, str | None]] = {}
        self._seqs: dict[int, str] = {}
        self._members: dict[str, Row] = {}
        self._prefetch(items)

    def _prefetch(self, items: Sequence[Interaction]) -> None:
        ids = list({i.id for i in items})
        for chunk in _chunks(ids):
            for r in self.conn.rows(
                "SELECT id, body_hash, status, reason, conflict_with FROM interactions "
                f"WHERE id IN ({_marks(chunk)})",
                chunk,
            ):
                self._known[r[0]] = (r[1], r[2], r[3], r[4])
        seqs = list({i.device_seq for i in items if i.device_seq > 0})
        for chunk in _chunks(seqs):
            for r in self.conn.rows(
                "SELECT device_seq, id FROM interactions WHERE device_id = ? "
                f"AND device_seq IN ({_marks(chunk)})",
                [self.device.id, *chunk],
            ):
                self._seqs.setdefault(int(r[0]), str(r[1]))
        members = list({i.member_id for i in items if i.member_id})
        for chunk in _chunks(members):
            for r in self.conn.rows(
                f"SELECT id, home_store FROM members WHERE id IN ({_marks(chunk)})", chunk
            ):
                self._members[r[0]] = (r[0], r[1])

    def flush(self) -> None:
        """Write what the batch has gathered so far (in order)."""
        if self._interactions:
            self.conn.many(_INSERT_INTERACTION, self._interactions)
            self._interactions.clear()
        if self._visits:
            self.conn.many(_INSERT_VISIT, self._visits)
            self._visits.clear()
        self.tx.emit_many(list(self._changes.values()))
        self._changes.clear()

    def _emit(self, entity: str, key: str, store_id: str | None, *, new: bool = False) -> None:
        """Queue a change; an older change row for the key is dropped (unless the key is new)."""
        if not new:
            self.tx.drop_changes(entity, key)
        self._changes.pop((entity, key), None)  # re-queued at the end: its latest position
        self._changes[(entity, key)] = (store_id, entity, key, "upsert")

    # one item --------------------------------------------------------------------------------

    def one(self, item: Interaction) -> Result:
        text = payload_json(item)
        digest = body_hash(item, text)
        known = self._known.get(item.id)
        if known is not None:
            if known[0] != digest:
                return Result(item.id, "rejected", "id_reused")
            return Result(item.id, known[1], known[2], known[3])

        if item.device_seq > 0:
            clone = self._seqs.get(item.device_seq)
            if clone is not None:
                result = Result(item.id, "duplicate", "device_seq_reused", clone)
                self._store(item, text, digest, None, result)
                return result

        member: Row | None = None
        try:
            member = self._member(item)
            result = self._apply(item, member)
        except _Rejected as rej:
            result = Result(item.id, "rejected", rej.reason)
        self._store(item, text, digest, member, result)
        return result

    def _store(
        self, item: Interaction, text: str, digest: str, member: Row | None, result: Result
    ) -> None:
        self._interactions.append(
            (
                item.id,
                self.device.id,
                self.device.store_id,
                item.device_seq,
                item.kind,
                member[0] if member is not None else item.member_id,
                item.member_ref,
                item.staff_id,
                item.created_at,
                self.now,
                text,
                digest,
                result.status,
                result.reason,
                result.conflict_with,
            )
        )
        self._known[item.id] = (digest, result.status, result.reason, result.conflict_with)
        if item.device_seq > 0:
            self._seqs.setdefault(item.device_seq, item.id)

    # validation ------------------------------------------------------------------------------

    def _member(self, item: Interaction) -> Row | None:
        """(id, home_store) of the member the item is about; rejects an unknown one."""
        found: Row | None = None
        if item.member_id:
            found = self._members.get(item.member_id)
            if found is None:
                raise _Rejected("unknown_member")
        elif item.member_ref:
            found = self._member_by_ref(item.member_ref)
        if found is None and item.kind in MEMBER_KINDS:
            raise _Rejected("unknown_member")
        return found

    def _member_by_ref(self, ref: str) -> Row | None:
        kind, _, value = ref.partition(":")
        if kind == "card" and value.isdigit():
            return self.conn.row("SELECT id, home_store FROM members WHERE card_no = ?", (value,))
        if kind == "code" and value.isdigit() and int(value) < 2**63:
            return self.conn.row(
                "SELECT id, home_store FROM members WHERE code_id = ?", (int(value),)
            )
        if kind == "member" and value:
            return self.conn.row("SELECT id, home_store FROM members WHERE id = ?", (value,))
        if kind == "phone_hash" and value:
            return self.conn.row(
                "SELECT id, home_store FROM members WHERE phone_hash = ? ORDER BY id LIMIT 1",
                (value,),
            )
        return None

    def _staff_name(self, staff_id: str | None) -> str | None:
        if not staff_id:
            return None
        if staff_id not in self._staff:
            self._staff[staff_id] = self.conn.scalar(
                "SELECT name FROM staff WHERE id = ?", (staff_id,)
            )
        return self._staff[staff_id]

    # effects -----------------------------------------------------------------------------------

    def _apply(self, item: Interaction, member: Row | None) -> Result:
        p = item.payload
        kind = item.kind
        reason: str | None = None
        if kind == "redeem":
            assert member is not None
            return self._redeem(item, member)
        if kind in VISIT_KINDS:
            assert member is not None
            text = self._visit_text(kind, p)
            if kind == "sale":
                self._sale_cart(member, p)
            jti = p.get("jti")
            if jti is not None:
                if not isinstance(jti, str) or not 1 <= len(jti) <= 64:
                    raise _Rejected("bad_payload")
                if self._jti_seen_elsewhere(jti, item, member):
                    reason = "jti_seen_elsewhere"
            self._visits.append(
                (
                    item.id,
                    member[0],
                    self.device.store_id,
                    self.store_name,
                    self._staff_name(item.staff_id),
                    kind,
                    text,
                    item.created_at,
                )
            )
            self._emit("visit", item.id, member[1], new=True)
        elif kind == "consent":
            assert member is not None
            self._consent(item, member)
        elif kind == "resolve":
            self._resolve(item)
        # audit: stored as is.
        return Result(item.id, "accepted", reason)

    def _visit_text(self, kind: str, p: Mapping[str, Any]) -> str | None:
        text = p.get("text")
        if text is not None and (not isinstance(text, str) or len(text) > 4000):
            raise _Rejected("bad_payload")
        if kind == "note" and not (text and text.strip()):
            raise _Rejected("bad_payload")
        if kind == "interest":
            sku = p.get("sku")
            if not isinstance(sku, str) or not sku or len(sku) > 64:
                raise _Rejected("bad_payload")
            title = self.conn.scalar("SELECT title_zh FROM products WHERE sku = ?", (sku,))
            label = f"{title} ({sku})" if title else sku
            return f"{label} — {text}" if text else label
        if kind == "sale":
            return self._sale_text(p, text)
        return text

    def _sale_text(self, p: Mapping[str, Any], text: str | None) -> str:
        items = p.get("items")
        amount = p.get("amount_cents")
        if not isinstance(items, list) or not items or len(items) > 200:
            raise _Rejected("bad_payload")
        if not _is_int(amount) or amount < 0:
            raise _Rejected("bad_payload")
        count = 0
        for line in items:
            if not isinstance(line, Mapping):
                raise _Rejected("bad_payload")
            sku, qty, price = line.get("sku"), line.get("qty"), line.get("price_cents")
            if not isinstance(sku, str) or not sku or len(sku) > 64:
                raise _Rejected("bad_payload")
            if not _is_int(qty) or qty < 1 or not _is_int(price) or price < 0:
                raise _Rejected("bad_payload")
            count += qty
        ids = p.get("cart_item_ids", [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise _Rejected("bad_payload")
        summary = f"{count} item{'s' if count != 1 else ''}, ¥{amount / 100:,.2f}"
        return f"{summary} — {text}" if text else summary

    def _sale_cart(self, member: Row, p: Mapping[str, Any]) -> None:
        for cart_id in p.get("cart_item_ids", []) or []:
            changed = self.conn.execute(
                "UPDATE cart_items SET state = 'bought' WHERE id = ? AND member_id = ? "
                "AND state = 'open'",
                (cart_id, member[0]),
            )
            if changed:
                self._emit("cart", cart_id, member[1])

    def _redeem(self, item: Interaction, member: Row) -> Result:
        coupon_id = item.payload.get("coupon_id")
        if not isinstance(coupon_id, str) or not coupon_id or len(coupon_id) > 64:
            raise _Rejected("bad_payload")
        coupon = self.conn.row(
            "SELECT member_id, state, used_by, valid_from, expires_at FROM coupons WHERE id = ?",
            (coupon_id,),
        )
        if coupon is None:
            raise _Rejected("unknown_coupon")
        owner, state, used_by, valid_from, expires_at = coupon
        if owner != member[0]:
            raise _Rejected("coupon_not_member")
        if state == "void":
            raise _Rejected("coupon_void")
        if state == "used":
            return Result(item.id, "conflict", "coupon_already_used", used_by)
        if item.created_at > int(expires_at) + COUPON_SKEW_S:
            raise _Rejected("coupon_expired")
        if item.created_at < int(valid_from) - COUPON_SKEW_S:
            raise _Rejected("coupon_not_yet_valid")
        self.conn.execute(
            "UPDATE coupons SET state = 'used', used_at = ?, used_by = ? WHERE id = ?",
            (item.created_at, item.id, coupon_id),
        )
        self._emit("coupon", coupon_id, member[1])
        return Result(item.id, "accepted")

    def _consent(self, item: Interaction, member: Row) -> None:
        p = item.payload
        sets: list[str] = []
        values: list[Any] = []
        for field, column in (("marketing", "consent_marketing"), ("browsing", "consent_browsing")):
            if field in p:
                if not isinstance(p[field], bool):
                    raise _Rejected("bad_payload")
                sets.append(f"{column} = ?")
                values.append(int(p[field]))
        if not sets:
            raise _Rejected("bad_payload")
        self.conn.execute(
            f"UPDATE members SET {', '.join(sets)}, updated_at = ? WHERE id = ?",
            (*values, self.now, member[0]),
        )
        self._emit("member", member[0], member[1])
        if "browsing" in p:  # terminals drop (or get back) the member's browsing and cart
            for entity, key in browsing_keys(self.conn, member[0]):
                self._emit(entity, key, member[1])

    def _resolve(self, item: Interaction) -> None:
        target = item.payload.get("interaction_id")
        if not isinstance(target, str) or not target or len(target) > 64:
            raise _Rejected("bad_payload")
        self.flush()  # the target may be earlier in this batch
        changed = self.conn.execute(
            "UPDATE interactions SET resolved_by = ? WHERE id = ? AND resolved_by IS NULL",
            (item.id, target),
        )
        if (
            not changed
            and self.conn.row("SELECT 1 FROM interactions WHERE id = ?", (target,)) is None
        ):
            raise _Rejected("unknown_interaction")

    def _jti_seen_elsewhere(self, jti: str, item: Interaction, member: Row) -> bool:
        self.conn.execute(
            "INSERT INTO jti_sightings (jti, device_id, store_id, interaction_id, member_id, "
            "seen_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (jti, device_id) DO NOTHING",
            (jti, self.device.id, self.device.store_id, item.id, member[0], item.created_at),
        )
        other = self.conn.row(
            "SELECT 1 FROM jti_sightings WHERE jti = ? AND device_id <> ? LIMIT 1",
            (jti, self.device.id),
        )
        if other is None:
            return False
        self.conn.execute("UPDATE jti_sightings SET flagged = 1 WHERE jti = ?", (jti,))
        return True


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
