"""Interaction batches: validation, idempotency and effects, in one write transaction.

Per item, in this order:

1. A known id with the same content → exactly the answer stored the first time.
   A known id with different content → ``rejected`` / ``id_reused`` (nothing stored).
2. The same (device, device_seq) under another id → ``duplicate`` / ``device_seq_reused``
   (a cloned terminal): stored for investigation, no effect.
3. Validation → ``rejected`` with a reason, stored so a repeat gets the same answer: the
   bounds of what the device may write (:mod:`sync.hub.rules`: the time window, the staff
   member — active staff of the device's store with a role that records the kind —, the
   member — unknown (``unknown_member``; a walk-in visit names none and is accepted, in no
   history; a member merged into another since is the survivor), or neither of the device's
   slice nor served to it by proof), the payload against its kind's type — the wire
   schema's discriminated union, ``sync.protocol.INTERACTION`` over
   ``clerk.shared.interactions`` (``bad_payload``) —, then the kind's own checks (a coupon's
   owner, state and dates; a resolve's target in the device's store …). An audit row is kept
   as sent (its chain is checked). A rejected item never blocks the items after it.
4. A redeem of a coupon already used → ``conflict`` with ``conflict_with`` = the first
   redemption; both are kept and listed for managers. A ``points_redeem`` that overdraws the
   member's balance (another terminal redeemed too) → applied, and ``conflict`` /
   ``points_overdraft`` (:mod:`sync.hub.points`).
5. Otherwise ``accepted`` and applied by its kind's effect (:data:`EFFECTS`): coupon use,
   cart lines bought and points earned (a sale), points taken (a points redemption), consent
   flags, a conflict resolved (an overdraft reversed gives its points back), a service case
   opened, noted or closed (:mod:`sync.hub.cases`: a note or close of a case the hub does not
   have for that member is rejected, ``unknown_case``), a follow-up task made or changed and a
   member assigned (:mod:`sync.hub.tasks`); and, for a kind that shows in the
   customer's history, its history row (``visits``: kind, typed text and structured facts —
   :mod:`sync.hub.history`). Each change with its change row, so the member's store's
   terminals receive it.

An item's body hash is taken over the item as sent (its payload's canonical JSON), so a repeat
is recognised whatever the hub's schema makes of it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from clerk.shared import interactions as vocabulary
from clerk.shared import membercode, phones
from clerk.shared.interactions import (
    PROVISIONAL_PREFIX,
    CaseClose,
    CaseNote,
    CaseOpen,
    Consent,
    Link,
    PointsRedeem,
    Redeem,
    Resolve,
    Sale,
    Signup,
    Visit,
)
from sync.hub import cases, history, signups, tasks
from sync.hub import points as points_mod
from sync.hub.commits import GroupCommit
from sync.hub.db import Row
from sync.hub.devices import Device
from sync.hub.feed import browsing_keys
from sync.hub.rules import PROOF_REFS, DeviceBounds, WriteBounds
from sync.hub.segment import identity
from sync.hub.segment.intake import withdraw_browsing
from sync.hub.staff import staff_problem
from sync.hub.store import HubStore, Tx
from sync.protocol import INTERACTION, Envelope, Interaction

COUPON_SKEW_S = 300  # a redeem recorded offline just around the expiry still counts


@dataclass(frozen=True)
class Result:
    id: str
    status: str
    reason: str | None = None
    conflict_with: str | None = None
    member_id: str | None = None  # a sign-up's member (the real id of its provisional one)

    def wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "reason": self.reason,
            "conflict_with": self.conflict_with,
        }
        if self.member_id is not None:
            out["member_id"] = self.member_id
        return out


class _Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Item:
    """One item of a batch as the hub read it: its envelope and typed payload (``head``: an
    :class:`~sync.protocol.Interaction` of its kind) — or, when only the payload is not what
    its kind takes, the envelope alone (an :class:`~sync.protocol.Envelope`: rejected
    ``bad_payload`` after the checks before it) — and the payload as sent, as canonical JSON
    (what is stored and hashed)."""

    head: Interaction | Envelope
    payload_text: str


def payload_json(payload: Any) -> str:
    """A payload as stored: canonical JSON (sorted keys, no spaces) of the object as sent."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def body_hash(item: Interaction | Envelope, payload_text: str) -> str:
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
    text = head + payload_text
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_items(raw: Sequence[Any]) -> list[Item | Result]:
    """Validate each item on its own, through the wire schema: a malformed item becomes a
    rejected result if it has an id (``bad_item``; one whose payload alone is malformed is
    kept for its ``bad_payload`` answer), so it does not sink the batch. Items without a
    usable id raise ValueError."""
    out: list[Item | Result] = []
    for n, obj in enumerate(raw):
        problem: str | None = None
        head: Interaction | Envelope | None = None
        try:
            head = INTERACTION.validate_python(obj)
        except ValidationError as exc:
            problem = _first_error(exc)
            try:
                head = Envelope.model_validate(obj)  # the payload alone is not its kind's
            except ValidationError:
                head = None
        if head is not None:
            if not (_INT64[0] <= head.created_at <= _INT64[1]) or not (
                _INT64[0] <= head.device_seq <= _INT64[1]
            ):
                problem = "created_at or device_seq out of range"
            elif not _encodable(obj):
                problem = "text that is not valid Unicode"
            else:
                sent = obj.get("payload", {}) if isinstance(obj, Mapping) else {}
                out.append(Item(head, payload_json(sent)))
                continue
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
    items: Sequence[Item | Result],
    *,
    now: int | None = None,
    bounds: WriteBounds | None = None,
) -> list[Result]:
    """Apply a batch from ``device`` in one transaction; one result per item, in order.
    ``bounds``: the hub's windows for what a device writes (the defaults when None)."""
    batch = Batch(device, items, int(time.time()) if now is None else now, bounds)
    return store.run_write(lambda tx: apply_batch(store, tx, batch))


@dataclass(frozen=True)
class Batch:
    """A device's batch as :func:`apply_batch` takes it (``now``: the hub's time for it)."""

    device: Device
    items: Sequence[Item | Result]
    now: int
    bounds: WriteBounds | None = None


def apply_batch(store: HubStore, tx: Tx, batch: Batch, *, last: bool = True) -> list[Result]:
    """Apply ``batch`` inside ``tx`` (which may hold batches before it: each sees what those
    wrote, as if it came after them alone); one result per item, in order. ``last``: nothing
    more is written or read in ``tx`` after it (its writes may go with the commit)."""
    valid = [i.head for i in batch.items if isinstance(i, Item)]
    results: list[Result] = []
    ctx = _Batch(store, tx, batch.device, batch.now, valid, batch.bounds or WriteBounds())
    for item in batch.items:
        if isinstance(item, Result):
            results.append(item)
        else:
            results.append(ctx.one(item))
    ctx.flush(final=last)
    return results


# PostgreSQL: groups of pushes of one process committed side by side (of the store's PG_WRITERS
# connections), and a group's keyed locks at most (a batch's device, its items' ids and
# members: :func:`batch_locks`), under KEYED_LOCKS_MAX (past it a transaction takes the write
# gate alone) with room for members resolved later (merged, signed up at a counter).
PG_COMMITTERS = 4
PG_GROUP_LOCKS = 240


def batch_locks(device: Device, items: Sequence[Interaction | Envelope]) -> list[str]:
    """The keyed locks a batch's checks take before they read (PostgreSQL): the device (its
    seqs, bounds, audit chain), the interaction ids (a duplicate from another device), the
    members named (coupons, points, tasks)."""
    return [
        f"d:{device.id}",
        *(f"i:{i.id}" for i in items),
        *(f"m:{i.member_id}" for i in items if i.member_id),
    ]


def _weight(batch: Batch) -> int:
    """A batch's keyed locks at most (:func:`batch_locks`)."""
    return 1 + 2 * sum(isinstance(i, Item) for i in batch.items)


class Ingest:
    """The hub's intake of interaction batches (``POST /v1/interactions``), with group commit
    (:class:`~sync.hub.commits.GroupCommit`): batches that arrive while the writer is busy are
    written together, in the order they came, one transaction and one disk flush for the
    group, each batch as if alone (its device's store, idempotency, conflicts, change rows and
    audit rows exactly as one by one); a batch that fails is written again alone, so it fails
    alone; each is answered once its group committed. On PostgreSQL :data:`PG_COMMITTERS`
    groups of a process are written side by side, each of at most :data:`PG_GROUP_LOCKS` keyed
    locks, taken for the whole group in one statement before its first batch reads (in key
    order, as one batch takes its own: two groups do not deadlock on them); the chain-wide lock
    that numbers the change rows at commit, and the WAL flush it is held across, are paid once
    per group instead of once per push."""

    def __init__(self, store: HubStore, *, group: bool = True) -> None:
        self.store = store
        self.committer: GroupCommit[Batch, list[Result]] | None = None
        if group and store.dialect.name == "sqlite":
            self.committer = GroupCommit(store, self._apply_group)
        elif group:
            self.committer = GroupCommit(
                store,
                self._apply_group,
                max_leaders=PG_COMMITTERS,
                max_weight=PG_GROUP_LOCKS,
                weight=_weight,
            )

    def __call__(
        self,
        device: Device,
        items: Sequence[Item | Result],
        *,
        now: int | None = None,
        bounds: WriteBounds | None = None,
    ) -> list[Result]:
        if self.committer is None:
            return ingest(self.store, device, items, now=now, bounds=bounds)
        batch = Batch(device, items, int(time.time()) if now is None else now, bounds)
        return self.committer.submit(batch)

    def _apply_group(self, tx: Tx, batches: Sequence[Batch]) -> list[list[Result]]:
        last = len(batches) - 1
        if last > 0 and tx.conn.keyed_locks:  # the group's locks at once, in key order
            tx.conn.lock_behind(
                *(
                    key
                    for b in batches
                    for key in batch_locks(
                        b.device, [i.head for i in b.items if isinstance(i, Item)]
                    )
                )
            )
        return [
            apply_batch(self.store, tx, batch, last=n == last) for n, batch in enumerate(batches)
        ]


_INSERT_INTERACTION = (
    "INSERT INTO interactions (id, device_id, store_id, device_seq, kind, member_id, "
    "member_ref, staff_id, created_at, received_at, payload, body_hash, status, reason, "
    "conflict_with) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class _Batch:
    """One batch's transaction. Lookups for the whole batch are fetched up front (known ids,
    device sequence numbers, members); new interactions, visits and change rows are written
    with executemany at the end, in order. Updates (coupons, carts, members) run at once so
    later items in the same batch see them."""

    def __init__(
        self,
        store: HubStore,
        tx: Tx,
        device: Device,
        now: int,
        items: Sequence[Interaction | Envelope],
        bounds: WriteBounds,
    ) -> None:
        self.store = store
        self.tx = tx
        self.conn = tx.conn
        self.device = device
        self.now = now
        self.store_name = store.store_name(device.store_id)
        # What the batch's checks read, locked before they read it (PostgreSQL's writers run
        # side by side): the device (its seqs, bounds, audit chain), the interaction ids (a
        # duplicate from another device), the members named (coupons, points, tasks). The
        # locks and the reads go in one round trip (:meth:`~sync.hub.db.Conn.locked_rows`).
        locks = batch_locks(device, items) if self.conn.keyed_locks else []
        ids = list({i.id for i in items})
        seqs = list({i.device_seq for i in items if i.device_seq > 0})
        members = list({i.member_id for i in items if i.member_id})
        queries: list[tuple[str, Sequence[Any]]] = [
            ("SELECT created_at FROM devices WHERE id = ?", (device.id,)),
            ("SELECT id, name, role, active FROM staff WHERE store_id = ?", (device.store_id,)),
        ]
        queries += [
            (
                "SELECT id, body_hash, status, reason, conflict_with, kind, member_id "
                f"FROM interactions WHERE id IN ({_marks(chunk)})",
                chunk,
            )
            for chunk in _chunks(ids)
        ]
        queries += [
            (
                "SELECT device_seq, id FROM interactions WHERE device_id = ? "
                f"AND device_seq IN ({_marks(chunk)})",
                [device.id, *chunk],
            )
            for chunk in _chunks(seqs)
        ]
        queries += [
            (f"SELECT id, home_store FROM members WHERE id IN ({_marks(chunk)})", chunk)
            for chunk in _chunks(members)
        ]
        found = self.conn.locked_rows(locks, queries)
        enrolled = found[0][0][0] if found[0] else None
        self.bounds = DeviceBounds(
            self.conn,
            device.id,
            device.store_id,
            now,
            bounds,
            self._public_keys,
            enrolled=None if enrolled is None else int(enrolled),
        )
        self._staff: dict[str, Row] = {str(r[0]): (r[1], r[2], r[3]) for r in found[1]}
        self._interactions: list[tuple[Any, ...]] = []
        self._visits: list[tuple[Any, ...]] = []
        self._changes: dict[tuple[str, str], tuple[str | None, str, str, str]] = {}
        self._known: dict[str, tuple[str, str, str | None, str | None, str | None]] = {}
        self._seqs: dict[int, str] = {}
        self._members: dict[str, Row] = {}
        rows = iter(found[2:])
        for _chunk in _chunks(ids):
            for r in next(rows):
                signed_up = r[6] if r[5] == "signup" and r[2] == "accepted" else None
                self._known[r[0]] = (r[1], r[2], r[3], r[4], signed_up)
        for _chunk in _chunks(seqs):
            for r in next(rows):
                self._seqs.setdefault(int(r[0]), str(r[1]))
        for _chunk in _chunks(members):
            for r in next(rows):
                self._members[r[0]] = (r[0], r[1])
        self._resolve_members(members)

    def _resolve_members(self, members: list[str]) -> None:
        """The members named that are not found by their id: signed up at a counter, merged."""
        # Records naming a member signed up at the counter by their provisional id: the real one.
        provisional = [m for m in members if m.startswith(PROVISIONAL_PREFIX)]
        for pid, (real, home) in signups.resolve(self.conn, provisional).items():
            self._members[pid] = (real, home)
        # Records naming a member merged into another since (OneID: its id is an identity of
        # the survivor's), recorded before the terminal heard of the merge: the survivor.
        gone = [m for m in members if m not in self._members]
        for chunk in _chunks(gone):
            for r in self.conn.rows(
                "SELECT i.value, m.id, m.home_store FROM identities i JOIN members m "
                f"ON m.id = i.member_id WHERE i.kind = 'user' AND i.value IN ({_marks(chunk)})",
                chunk,
            ):
                self._members[str(r[0])] = (r[1], r[2])
        if self.conn.keyed_locks:
            self.conn.lock(*(f"m:{m}" for m, _home in self._members.values()))
        elsewhere = [m for m, home in self._members.values() if home != self.device.store_id]
        if elsewhere:
            self.bounds.prefetch_served(elsewhere)

    def _public_keys(self) -> dict[int, bytes]:
        return membercode.keys_from_hex(
            {k["kid"]: k["public_key"] for k in self.store.keys.public()}
        )

    def flush(self, *, final: bool = False) -> None:
        """Write what the batch has gathered so far (in order). ``final``: the transaction's
        last writes (nothing in it reads after them) — on PostgreSQL they go with the commit:
        one round trip for the rows, the change rows in the numbering's
        (:meth:`~sync.hub.db.Conn.many_at_commit`, :meth:`~sync.hub.db.Conn.changes_at_commit`)."""
        conn = self.conn
        changes = list(self._changes.values())
        self._changes.clear()
        if final and conn.many_at_commit(_INSERT_INTERACTION, self._interactions):
            conn.many_at_commit(history.INSERT_VISIT, self._visits)
            self.tx.emit_many(changes, at_commit=True)
            self._interactions.clear()
            self._visits.clear()
            return
        if self._interactions:  # (a group's batch before its last: sent with the next reads)
            conn.many_behind(_INSERT_INTERACTION, self._interactions)
            self._interactions.clear()
        if self._visits:
            conn.many_behind(history.INSERT_VISIT, self._visits)
            self._visits.clear()
        self.tx.emit_many(changes)

    def _emit(self, entity: str, key: str, store_id: str | None, *, new: bool = False) -> None:
        """Queue a change; an older change row for the key is dropped (unless the key is new)."""
        if not new:
            self.tx.drop_changes(entity, key)
        self._changes.pop((entity, key), None)  # re-queued at the end: its latest position
        self._changes[(entity, key)] = (store_id, entity, key, "upsert")

    # one item --------------------------------------------------------------------------------

    def one(self, item: Item) -> Result:
        head = item.head
        text = item.payload_text
        digest = body_hash(head, text)
        known = self._known.get(head.id)
        if known is not None:
            if known[0] != digest:
                if head.kind == "audit":  # an acknowledged audit row, rewritten: flagged
                    self.store.audit.rewritten_id(
                        self.conn,
                        device_id=self.device.id,
                        store_id=self.device.store_id,
                        item_id=head.id,
                        payload=json.loads(text),
                        now=self.now,
                    )
                return Result(head.id, "rejected", "id_reused")
            return Result(head.id, known[1], known[2], known[3], known[4])

        if head.device_seq > 0:
            clone = self._seqs.get(head.device_seq)
            if clone is not None:
                result = Result(head.id, "duplicate", "device_seq_reused", clone)
                self._store(head, text, digest, None, result)
                return result

        member: Row | None = None
        try:
            if head.kind == "audit":  # kept as sent, even malformed: the chain check flags it
                member = self._member(head)[0]
                return self._kept(head, text, digest, self._audit(head, json.loads(text)))
            member, proven = self._within_bounds(head)
            if not isinstance(head, Interaction):  # the envelope alone: a malformed payload
                raise _Rejected("bad_payload")
            result = EFFECTS[head.kind](self, head, member)
            if result.status != "rejected" and proven and member is not None:
                self.bounds.serve(str(member[0]), head.created_at)
            # (a walk-in visit, about no member, is in no one's history)
            if (
                result.status == "accepted"
                and vocabulary.KINDS[head.kind].history
                and member is not None
            ):
                self._history(head, member)
        except _Rejected as rej:
            result = Result(head.id, "rejected", rej.reason)
        return self._kept(head, text, digest, result, member)

    def _kept(
        self,
        head: Interaction | Envelope,
        text: str,
        digest: str,
        result: Result,
        member: Row | None = None,
    ) -> Result:
        self._store(head, text, digest, member, result)
        return result

    def _store(
        self,
        item: Interaction | Envelope,
        text: str,
        digest: str,
        member: Row | None,
        result: Result,
    ) -> None:
        self._interactions.append(
            (
                item.id,
                self.device.id,
                self.device.store_id,
                item.device_seq,
                item.kind,
                member[0] if member is not None else (result.member_id or item.member_id),
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
        self._known[item.id] = (
            digest,
            result.status,
            result.reason,
            result.conflict_with,
            result.member_id,
        )
        if item.device_seq > 0:
            self._seqs.setdefault(item.device_seq, item.id)

    # validation ------------------------------------------------------------------------------

    def _within_bounds(self, item: Interaction | Envelope) -> tuple[Row | None, bool]:
        """The member the item is about and whether it carries proof of their presence, once
        the item is within the device's bounds (:mod:`sync.hub.rules`); else _Rejected."""
        problem = self.bounds.time_problem(item.created_at)
        if problem is None:
            staff = self._staff.get(item.staff_id) if item.staff_id else None
            problem = staff_problem(None if staff is None else (staff[1], staff[2]), item.kind)
        if problem is not None:
            raise _Rejected(problem)
        member, proven = self._member(item)
        if member is not None and not proven:
            problem = self.bounds.member_problem(str(member[0]), member[1], item.created_at)
            if problem is not None:
                raise _Rejected(problem)
        return member, proven

    def _member(self, item: Interaction | Envelope) -> tuple[Row | None, bool]:
        """(id, home_store) of the member the item is about (None: a walk-in, or a kind not
        about a member), and whether the item proves their presence (:func:`_proves`);
        rejects an unknown one."""
        found: Row | None = None
        proven = False
        if item.member_id:
            found = self._members.get(item.member_id)
            if found is None:
                raise _Rejected("unknown_member")
            if item.member_ref:  # the member as cached, with what was scanned: proof if it fits
                by_ref = self._member_by_ref(item.member_ref)
                proven = by_ref is not None and by_ref[0] == found[0] and self._proves(item)
            elif isinstance(item, Interaction) and isinstance(item.payload, Link):
                proven = self._link_proves(item.payload, str(found[0]), item.created_at)
        elif item.member_ref:
            found = self._member_by_ref(item.member_ref)
            proven = found is not None and self._proves(item)
            if found is not None:
                self.conn.lock(f"m:{found[0]}")
        # Unmatched: rejected for a kind about a member — unless it names no one at all and
        # its kind takes walk-ins (a walk-in visit).
        if (
            found is None
            and vocabulary.KINDS[item.kind].member
            and (item.member_ref or vocabulary.needs_member(item.kind, None, None))
        ):
            raise _Rejected("unknown_member")
        return found, proven

    def _proves(self, item: Interaction | Envelope) -> bool:
        """Whether the item's member_ref (found to be its member) is proof of presence: a card
        or a sealed phone as typed, or a code id with its member code as scanned (a visit's
        ``code``, valid when the item was made)."""
        kind, _, value = (item.member_ref or "").partition(":")
        if kind in PROOF_REFS:
            return True
        code = item.payload.code if isinstance(item.payload, Visit) else None
        if kind != "code" or code is None or not (value.isascii() and value.isdigit()):
            return False
        return self.bounds.code_proves(code, int(value), item.created_at)

    def _link_proves(self, link: Link, member_id: str, created_at: int) -> bool:
        """Whether a link's proof is the member's: their member code, valid when the link was
        made, or their number (the member's own or one linked to them)."""
        if link.code is not None:
            code_id = self.conn.scalar("SELECT code_id FROM members WHERE id = ?", (member_id,))
            return code_id is not None and self.bounds.code_proves(
                link.code, int(code_id), created_at
            )
        if link.phone_sealed is None:
            return False
        digest = self._sealed_phone_hash(link.phone_sealed)
        return digest is not None and identity.lookup(self.conn, "phone", digest) == member_id

    def _sealed_phone_hash(self, sealed: str) -> str | None:
        e164 = phones.open_sealed(self.store.phone_seal_private, sealed)
        return None if e164 is None else phones.phone_hash(self.store.phone_hash_key, e164)

    def _member_by_ref(self, ref: str) -> Row | None:
        kind, _, value = ref.partition(":")
        if kind == "card" and value.isascii() and value.isdigit():
            found = self.conn.row("SELECT id, home_store FROM members WHERE card_no = ?", (value,))
            if found is None:  # a card linked at a counter (OneID)
                found = self.conn.row(
                    "SELECT m.id, m.home_store FROM identities i JOIN members m "
                    "ON m.id = i.member_id WHERE i.kind = 'card' AND i.value = ?",
                    (value,),
                )
            return found
        if kind == "code" and value.isascii() and value.isdigit() and int(value) < 2**63:
            return self.conn.row(
                "SELECT id, home_store FROM members WHERE code_id = ?", (int(value),)
            )
        if kind == "member" and value:
            return self.conn.row("SELECT id, home_store FROM members WHERE id = ?", (value,))
        if kind == "phone_sealed" and value:  # a number typed offline, sealed to the hub
            return self.store.members.by_sealed_phone(self.conn, value)
        if kind == "phone_hash" and value:  # from terminals of before the sealed form
            return self.conn.row(
                "SELECT id, home_store FROM members WHERE phone_hash = ? ORDER BY id LIMIT 1",
                (value,),
            )
        return None

    # effects: one per kind (EFFECTS) -----------------------------------------------------------

    def _accept(self, item: Interaction, _member: Row | None) -> Result:
        """A kind with no effect beyond its history row (note, interest), or none (audit)."""
        return Result(item.id, "accepted")

    def _visit(self, item: Interaction, member: Row | None) -> Result:
        assert isinstance(item.payload, Visit)
        jti = item.payload.jti
        if member is None:  # a walk-in (the vocabulary's walk_in kinds only)
            return Result(item.id, "accepted")
        if jti is not None and self._jti_seen_elsewhere(jti, item, member):
            return Result(item.id, "accepted", "jti_seen_elsewhere")
        return Result(item.id, "accepted")

    def _history(self, item: Interaction, member: Row) -> None:
        """The customer's history row of an accepted record, for the member's store."""
        staff = self._staff.get(item.staff_id) if item.staff_id else None
        self._visits.append(
            history.visit_row(
                item.id,
                member[0],
                self.device.store_id,
                self.store_name,
                item.staff_id,
                None if staff is None else staff[0],
                item.kind,
                item.payload,
                item.created_at,
            )
        )
        self._emit("visit", item.id, member[1], new=True)

    def _audit(self, item: Interaction | Envelope, payload: Mapping[str, Any]) -> Result:
        """An audit row, kept as sent: the device's hash chain checked and moved on."""
        reason = self.store.audit.check(
            self.conn,
            device_id=self.device.id,
            store_id=self.device.store_id,
            item_id=item.id,
            created_at=item.created_at,
            staff_id=item.staff_id,
            payload=payload,
            now=self.now,
        )
        return Result(item.id, "accepted", reason)

    def _sale(self, item: Interaction, member: Row | None) -> Result:
        assert member is not None and isinstance(item.payload, Sale)
        for cart_id in item.payload.cart_item_ids:
            changed = self.conn.execute(
                "UPDATE cart_items SET state = 'bought' WHERE id = ? AND member_id = ? "
                "AND state = 'open'",
                (cart_id, member[0]),
            )
            if changed:
                self._emit("cart", cart_id, member[1])
        points_mod.earn(
            self.conn,
            self._emit,
            sale_id=item.id,
            member_id=member[0],
            home_store=member[1],
            store_id=self.device.store_id,
            amount_cents=item.payload.amount_cents,
            at=item.created_at,
            now=self.now,
        )
        return Result(item.id, "accepted")

    def _points_redeem(self, item: Interaction, member: Row | None) -> Result:
        assert member is not None and isinstance(item.payload, PointsRedeem)
        overdraft = points_mod.redeem(
            self.conn,
            self._emit,
            redeem_id=item.id,
            member_id=member[0],
            home_store=member[1],
            store_id=self.device.store_id,
            points=item.payload.points,
            at=item.created_at,
            now=self.now,
        )
        if overdraft is not None:
            return Result(item.id, "conflict", "points_overdraft", overdraft[1])
        return Result(item.id, "accepted")

    def _case_open(self, item: Interaction, member: Row | None) -> Result:
        assert member is not None and isinstance(item.payload, CaseOpen)
        p = item.payload
        if not cases.open_case(
            self.conn,
            item.id,
            str(member[0]),
            case_type=p.case_type,
            subject=p.subject,
            sku=p.sku,
            store_name=self.store_name,
            at=item.created_at,
        ):
            raise _Rejected("case_exists")
        self._emit("case", item.id, member[1], new=True)
        return Result(item.id, "accepted")

    def _case_change(self, item: Interaction, member: Row | None) -> Result:
        assert member is not None and isinstance(item.payload, CaseNote | CaseClose)
        case_id = item.payload.case_id
        owner = cases.case_owner(self.conn, case_id)
        if owner is None or owner[0] != member[0]:
            raise _Rejected("unknown_case")
        if isinstance(item.payload, CaseClose):
            changed = cases.close_case(self.conn, case_id, at=item.created_at)
        else:
            changed = cases.note_case(self.conn, case_id, at=item.created_at)
        if changed:
            self._emit("case", case_id, member[1])
        return Result(item.id, "accepted")

    def _redeem(self, item: Interaction, member: Row | None) -> Result:
        assert member is not None and isinstance(item.payload, Redeem)
        coupon_id = item.payload.coupon_id
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

    def _consent(self, item: Interaction, member: Row | None) -> Result:
        assert member is not None and isinstance(item.payload, Consent)
        flags = {
            "consent_marketing": item.payload.marketing,
            "consent_browsing": item.payload.browsing,
        }
        given = {column: int(value) for column, value in flags.items() if value is not None}
        self.conn.execute(
            f"UPDATE members SET {', '.join(f'{c} = ?' for c in given)}, updated_at = ? "
            "WHERE id = ?",
            (*given.values(), self.now, member[0]),
        )
        self._emit("member", member[0], member[1])
        if item.payload.browsing is False:  # withdrawn: browsing deleted here and on terminals
            withdraw_browsing(self.tx, member[0], member[1])
        if item.payload.browsing is not None:  # terminals drop (or get back) browsing and cart
            for entity, key in browsing_keys(self.conn, member[0]):
                self._emit(entity, key, member[1])
        return Result(item.id, "accepted")

    def _signup(self, item: Interaction, _member: Row | None) -> Result:
        """A member signed up at the counter (:mod:`sync.hub.signups`): made, or joined to
        the member who has the number; the result names them. Later items of the batch naming
        the provisional id are theirs."""
        assert isinstance(item.payload, Signup)
        self.flush()  # the member's change row after those of the items before
        done = signups.sign_up(
            self.tx,
            self.store,
            item.payload,
            signup_id=item.id,
            device_id=self.device.id,
            store_id=self.device.store_id,
            created_at=item.created_at,
            now=self.now,
        )
        if done is None:
            raise _Rejected("bad_phone")
        self._members[item.payload.provisional_id] = (done.member_id, done.home_store)
        self.bounds.serve(done.member_id, item.created_at)  # the customer was at the counter
        reason = "member_exists" if done.merged else None
        return Result(item.id, "accepted", reason, member_id=done.member_id)

    def _link(self, item: Interaction, member: Row | None) -> Result:
        """An identity linked to the member who proved who they are (OneID): a card becomes
        the member's card when they have none (terminals get it), else an identity of theirs;
        one another member holds is a conflict for a person (``identity_taken``), never
        moved. Without a proof of this member: ``no_proof``."""
        assert isinstance(item.payload, Link)
        link = item.payload
        if member is None:
            raise _Rejected("unknown_member")
        if not self._link_proves(link, str(member[0]), item.created_at):
            raise _Rejected("no_proof")
        value = link.value
        if link.identity == "card":
            if not (value.isascii() and value.isdigit() and 10 <= len(value) <= 19):
                raise _Rejected("bad_card")
        elif link.identity == "phone":
            digest = self._sealed_phone_hash(value)
            if digest is None:
                raise _Rejected("bad_phone")
            value = digest
        ident = (link.identity, value)
        owner = identity.lookup(self.conn, *ident)
        if owner is not None and owner != member[0]:
            identity.flag_conflict(
                self.conn,
                source_id=None,
                message_id=item.id,
                identities=[ident],
                members=[owner, str(member[0])],
                message={"link": item.id, "device_id": self.device.id, "kind": link.identity},
                now=self.now,
            )
            return Result(item.id, "conflict", "identity_taken")
        if owner is None:
            has_card = self.conn.scalar("SELECT card_no FROM members WHERE id = ?", (member[0],))
            if link.identity == "card" and has_card is None:
                self.conn.execute(
                    "UPDATE members SET card_no = ?, updated_at = ? WHERE id = ?",
                    (value, self.now, member[0]),
                )
            else:
                identity.bind(self.conn, ident, str(member[0]), None, self.now)
                self.conn.execute(
                    "UPDATE members SET updated_at = ? WHERE id = ?", (self.now, member[0])
                )
            self._emit("member", str(member[0]), member[1])
        return Result(item.id, "accepted")

    def _resolve(self, item: Interaction, _member: Row | None) -> Result:
        """A record of the device's store, or one in conflict with one of its records (the
        store's conflicts list): another store's is as unknown as an id that never was."""
        assert isinstance(item.payload, Resolve)
        target = item.payload.conflict_id
        self.flush()  # the target may be earlier in this batch
        ours = (
            "(store_id = ? OR conflict_with IN "
            "(SELECT f.id FROM interactions f WHERE f.store_id = ?))"
        )
        store = self.device.store_id
        changed = self.conn.execute(
            f"UPDATE interactions SET resolved_by = ? WHERE id = ? AND {ours} "
            "AND resolved_by IS NULL",
            (item.id, target, store, store),
        )
        if not changed and (
            self.conn.row(
                f"SELECT 1 FROM interactions WHERE id = ? AND {ours}", (target, store, store)
            )
            is None
        ):
            raise _Rejected("unknown_interaction")
        if changed and item.payload.decision == "reverse":  # an overdraft: its points back
            points_mod.refund(
                self.conn,
                self._emit,
                resolve_id=item.id,
                target_id=target,
                store_id=store,
                at=item.created_at,
                now=self.now,
            )
        return Result(item.id, "accepted")

    def _followup(self, item: Interaction, member: Row | None) -> Result:
        """A follow-up task created or changed, or a member assigned (sync/hub/tasks.py)."""
        assert member is not None
        try:
            reason = tasks.apply(
                self.tx,
                item,
                member,
                store_id=self.device.store_id,
                staff=self._staff,
                now=self.now,
            )
        except tasks.Refused as exc:
            raise _Rejected(exc.reason) from None
        return Result(item.id, "accepted", reason)

    def _jti_seen_elsewhere(self, jti: str, item: Interaction, member: Row) -> bool:
        self.conn.lock(f"jti:{jti}")
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


Effect = Callable[[_Batch, Interaction, Row | None], Result]
# What accepting each kind of the vocabulary does (its history row is written by ``one``).
EFFECTS: dict[str, Effect] = {
    "visit": _Batch._visit,
    "note": _Batch._accept,
    "interest": _Batch._accept,
    "redeem": _Batch._redeem,
    "sale": _Batch._sale,
    "points_redeem": _Batch._points_redeem,
    "consent": _Batch._consent,
    "case_open": _Batch._case_open,
    "case_note": _Batch._case_change,
    "case_close": _Batch._case_change,
    "signup": _Batch._signup,
    "link": _Batch._link,
    "resolve": _Batch._resolve,
    "audit": _Batch._accept,  # never called: an audit row is checked against its chain (_audit)
    "task": _Batch._followup,
    "task_update": _Batch._followup,
    "assign": _Batch._followup,
    "contacted": _Batch._followup,
}
