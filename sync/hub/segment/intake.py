"""Taking a batch of Segment calls in: de-duplication, identity, the e-commerce mapping.

A batch is written in one write transaction, alone or with the batches that arrived while
the one before was written (group commit, :class:`Intake`); each as if alone. Per call, in
order:

1. refused calls (:class:`~sync.hub.segment.calls.BadCall`) are counted with their reason and
   never sink the batch;
2. a ``messageId`` the source sent before (or earlier in the batch) is a duplicate: a no-op;
3. the call is applied by its type — ``identify`` and ``alias`` by the identity rules
   (:mod:`sync.hub.segment.identity`), a ``track`` whose event is mapped (:data:`EFFECTS`) to
   its member's rows; ``page``, ``screen`` and ``group`` are counted (``ignored``), tracks of
   other events too (``unknown``: kept out of the 360).

The mapping (Segment e-commerce spec v2):

=============================  ============================================================
Product Viewed                 a browse event (``channel`` from :func:`calls.channel_of`),
                               at the event's own time; dropped for members without
                               browsing consent (:data:`BROWSING_POLICY`)
Product Added / Removed        the member's online cart line of that sku: open / removed.
                               Per line the newest event time wins: an older event is a
                               no-op (``stale``), and a Removed with no line leaves a removed
                               line behind, so a late Added cannot reopen it
Product Added to Wishlist      a wishlist item (one per member and sku)
Order Completed                an order (``order_id``; its ``products``), the open cart lines
                               of its skus not newer than it become ``bought``
Order Refunded                 the order is ``refunded``
Coupon Applied                 the member's live coupon ``coupon_id`` is used (online); the
                               store's later redeem of it is then a conflict, as for a coupon
                               used at another store
Case Opened / Case Updated     the service case ``case_id`` as the CRM sees it
                               (:mod:`sync.hub.cases`): ``type`` (complaint | repair | other),
                               ``subject``, ``status`` (open | closed), ``sku``; what an update
                               leaves out stays as it was. Refused rows count as ``case_<why>``
=============================  ============================================================

Calls of identities no member has (browsing before login; a userId the hub does not know
while the source may not create members) are held (``intake_held``) and applied when an
identify or alias binds the identity.

Over 700 lines, on purpose: the steps one Segment call goes through inside one write
transaction (de-duplication, identity, mapping, consent), in the order they run; the
identity rules already live in :mod:`sync.hub.segment.identity`.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clerk.shared import phones
from sync.hub import cases, retention
from sync.hub.commits import GroupCommit
from sync.hub.db import pg_text_array
from sync.hub.errors import StorageFailure, WriteRaced
from sync.hub.feed import browsing_keys
from sync.hub.members import phone_columns
from sync.hub.segment import identity
from sync.hub.segment.calls import (
    BadCall,
    Call,
    cents,
    channel_of,
    int_prop,
    parse_call,
    text_prop,
)
from sync.hub.segment.identity import Identity
from sync.hub.segment.messages import message_key
from sync.hub.segment.sources import REJECTS_KEPT, Source, Sources

if TYPE_CHECKING:
    from sync.hub.db import Conn, Row
    from sync.hub.store import HubStore, Tx

# What the hub keeps of the browsing of members without browsing consent: nothing ("drop").
BROWSING_POLICY = "drop"
_BIRTHDAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CASE_EVENTS = frozenset({"Case Opened", "Case Updated"})
_CASE_KNOWN = "case_type, subject, status, sku, store_name, opened_at, closed_at"
_SKU_EVENTS = frozenset(
    {"Product Viewed", "Product Added", "Product Removed", "Product Added to Wishlist"}
)


@dataclass(frozen=True)
class Rejected:
    index: int
    message_id: str | None
    reason: str

    def wire(self) -> dict[str, Any]:
        return {"index": self.index, "messageId": self.message_id, "reason": self.reason}


@dataclass(frozen=True)
class TakeResult:
    accepted: int
    duplicates: int
    rejected: list[Rejected]

    def wire(self) -> dict[str, Any]:
        return {
            "success": True,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [r.wire() for r in self.rejected],
        }


def check_mapped(call: Call) -> None:
    """BadCall for a mapped event without what its mapping needs."""
    if call.type != "track":
        return
    props = call.properties
    if call.event in _SKU_EVENTS:
        call.sku = text_prop(props, "sku", "product_id")
        if call.sku is None:
            raise BadCall("no_product", call.message_id)
        return
    if call.event in ("Order Completed", "Order Refunded") and text_prop(props, "order_id") is None:
        raise BadCall("no_order_id", call.message_id)
    if call.event == "Coupon Applied" and text_prop(props, "coupon_id") is None:
        raise BadCall("no_coupon_id", call.message_id)
    if call.event in _CASE_EVENTS and text_prop(props, "case_id") is None:
        raise BadCall("no_case_id", call.message_id)


@dataclass
class _Job:
    """A batch waiting for the group commit (:meth:`Intake.take`)."""

    source: Source
    calls: list[Call]
    rejected: list[Rejected]
    now_ms: int
    # PostgreSQL: a message id of the batch met one recorded before (:meth:`_Run.fresh`): its
    # ids are then recorded one by one, each a duplicate or new.
    replayed: bool = False


@dataclass
class _Line:
    """An online cart line as a run holds it (written at the run's next flush when dirty)."""

    id: str
    member_id: str
    sku: str
    qty: int
    price_cents: int
    added_at: int
    state: str
    event_at: int | None
    new: bool = False
    dirty: bool = False

    @property
    def newest(self) -> int:
        return self.event_at if self.event_at is not None else self.added_at * 1000


_LINE_COLUMNS = "id, member_id, sku, qty, price_cents, added_at, state, event_at"


def _line_of(row: Sequence[Any]) -> _Line:
    """A cart line from a row of ``_LINE_COLUMNS``."""
    at = row[7]
    return _Line(
        str(row[0]),
        str(row[1]),
        str(row[2]),
        int(row[3]),
        int(row[4]),
        int(row[5]),
        str(row[6]),
        None if at is None else int(at),
    )


class Intake:
    """Behaviour events into a hub store (the Segment routes and the CLI use it).

    Group commit (:class:`~sync.hub.commits.GroupCommit`): batches that arrive while another
    is being written wait, and are written together in the next transaction, one after another
    in the order they came (each as if alone). A transaction costs a disk flush; under load
    many batches share one. Consecutive batches of one source in a group also share a run
    (:meth:`_apply`): their message ids, identities, members and cart lines are looked up in
    one go and their rows loaded together, so a group costs a few statements, not a few per
    batch. A group that fails is written again batch by batch, so one bad batch fails alone.

    On PostgreSQL :data:`PG_COMMITTERS` groups of a process are written side by side (as are
    other processes'), each of at most :data:`PG_GROUP_CALLS` calls; what they must not both
    do is kept apart by keyed locks (:meth:`_Run.lock`), not by the write gate.
    """

    def __init__(self, store: HubStore) -> None:
        self.store = store
        self.sources = Sources(store)
        self.browse_ids = BrowseIds()
        pg = store.dialect.name == "postgres"
        self.committer: GroupCommit[_Job, TakeResult] = GroupCommit(
            store,
            self._apply_group,
            max_leaders=PG_COMMITTERS if pg else 1,
            max_weight=PG_GROUP_CALLS if pg else None,  # the keyed locks of a group bounded
            weight=lambda job: len(job.calls),
        )

    def take(
        self,
        source: Source,
        docs: Sequence[Any],
        *,
        received_ms: int | None = None,
        batch_sent_at: Any = None,
        forced_type: str | None = None,
        check_text: bool = True,
    ) -> TakeResult:
        """Apply a batch of calls from ``source`` (see the module docstring)."""
        now_ms = int(time.time() * 1000) if received_ms is None else received_ms
        calls: list[Call] = []
        rejected: list[Rejected] = []
        for index, doc in enumerate(docs):
            try:
                call = parse_call(
                    doc,
                    received_ms=now_ms,
                    batch_sent_at=batch_sent_at,
                    forced_type=forced_type,
                    check_text=check_text,
                )
                check_mapped(call)
            except BadCall as exc:
                rejected.append(Rejected(index, exc.message_id, exc.reason))
                continue
            calls.append(call)
        return self.committer.submit(_Job(source, calls, rejected, now_ms))

    def _apply_group(self, tx: Tx, group: Sequence[_Job]) -> list[TakeResult]:
        results: list[TakeResult] = []
        start = 0
        while start < len(group):  # consecutive batches of one source share a run
            end = start + 1
            while end < len(group) and group[end].source == group[start].source:
                end += 1
            results.extend(self._apply(tx, group[start:end], last=end == len(group)))
            start = end
        return results

    def _apply(self, tx: Tx, jobs: Sequence[_Job], *, last: bool) -> list[TakeResult]:
        """Batches of one source, one after another, each as if alone — through one run: the
        message ids and identities of all of them looked up at once, their rows written
        together at the end (a run's caches follow what it writes, call after call). The
        ``last`` run of a transaction hands its last change rows to the commit
        (:meth:`_Run.finish`)."""
        run = _Run(self.store, tx, jobs[0].source, jobs[0].now_ms, self.browse_ids)
        calls = [call for job in jobs for call in job.calls]
        fresh = run.fresh(jobs)
        run.lock(calls)
        run.prime(calls)
        results: list[TakeResult] = []
        rejected: list[Rejected] = []
        for job in jobs:
            run.now_ms, run.now = job.now_ms, job.now_ms // 1000
            duplicates = 0
            for call in job.calls:
                if call.message_id not in fresh:
                    duplicates += 1
                    run.count("duplicate", call.label)
                    continue
                fresh.discard(call.message_id)  # a second copy (in this batch or a later one)
                run.seen(call)
                run.dispatch(call)
            for r in job.rejected:
                run.count("rejected", r.reason)
            rejected.extend(job.rejected)
            accepted = len(job.calls) - duplicates
            results.append(
                TakeResult(accepted, duplicates, sorted(job.rejected, key=lambda r: r.index))
            )
        run.finish(rejected, last=last)
        return results

    def settle(self, conflict_id: int, keep: Sequence[str], *, actor: str) -> str:
        """Settle an identity conflict (:func:`identity.settle`) and apply its call again."""
        now_ms = int(time.time() * 1000)
        with self.store.write(exclusive=True) as tx:  # a merge: alone in the chain
            found = identity.settle(tx, conflict_id, keep, actor=actor, now=now_ms // 1000)
            row = tx.conn.row(
                "SELECT id, name, allow_provisional FROM intake_sources WHERE id = ?",
                (found["source_id"],),
            )
            source = Source(str(row[0]), str(row[1]), bool(row[2])) if row else _NO_SOURCE
            run = _Run(self.store, tx, source, now_ms, self.browse_ids)
            call = _held_call(found["message"])
            if call is not None:
                run.dispatch(call)
            run.finish([])
        return str(found["survivor"])


_NO_SOURCE = Source("", "", False)
# PostgreSQL: transactions of one process's intake committing side by side (of the store's
# PG_WRITERS connections), and the calls one of them takes (two Segment batches of 100).
PG_COMMITTERS = 2
PG_GROUP_CALLS = 200


def _held_call(stored: dict[str, Any]) -> Call | None:
    """A call kept (held, or in a conflict) as it was parsed, its time as worked out then."""
    try:
        call = parse_call(stored["call"], received_ms=int(stored["at_ms"]))
    except (BadCall, KeyError, TypeError, ValueError):
        return None
    call.at_ms = int(stored["at_ms"])
    return call


class _Run:
    """One transaction's worth of calls: caches, buffered browse rows, counts."""

    def __init__(
        self, store: HubStore, tx: Tx, source: Source, now_ms: int, pool: BrowseIds | None = None
    ) -> None:
        self.store = store
        self._pool = BrowseIds() if pool is None else pool
        self.tx = tx
        self.conn = tx.conn
        self.source = source
        self.now_ms = now_ms
        self.now = now_ms // 1000
        self._resolved: dict[Identity, str] = {}
        self._members: dict[str, tuple[str | None, bool]] = {}  # id -> (home store, consent)
        self._browse: list[tuple[int, str, str, str, int]] = []
        self._new_changes: list[tuple[str | None, str, str, str]] = []
        self._next_browse_id: int | None = None  # SQLite: max(id) + 1 counted on
        self._browse_ids: list[int] = []  # PostgreSQL: taken from the pool, not used yet
        self._views = 0  # Product Viewed calls of the run: browse ids taken in one go
        self._seen: list[tuple[bytes, int]] = []  # SQLite: (message key, time) of new ids
        self._keys: dict[str, bytes] = {}  # SQLite: message id -> its key (fresh())
        self._held_users: set[str] = set()  # userIds of the batch with calls held
        self._lines: dict[tuple[str, str], _Line | None] = {}  # (member, sku) -> open/removed
        self._prices: dict[str, int] = {}
        self._bought: list[_Line] = []  # lines bought, written at the next flush
        self._counts: dict[tuple[str, str], int] = {}
        self._recorded = False  # the message ids are in intake_messages already (fresh())

    # bookkeeping ---------------------------------------------------------------------------

    def lock(self, calls: Sequence[Call]) -> None:
        """Lock what the calls' checks read before they read it (PostgreSQL's writers run side
        by side): the userIds and anonymousIds they name — alone for an identify or alias
        (they bind them), shared for the others, which only resolve them: batches of tracks
        about the same members run side by side, and wait for a bind or merge of them (which
        takes them alone). What a track then finds unresolved is locked alone as it is looked
        up (:func:`identity.lookup`), as are other identities; a cart line's (member, sku) and
        a coupon's member as they are read (:meth:`line`, :meth:`coupon`). Message ids are
        not locked: :meth:`fresh` records them first (see there)."""
        if not self.conn.keyed_locks:
            return
        alone: list[str] = []
        shared: list[str] = []
        for c in calls:
            keys = alone if c.type in ("identify", "alias") else shared
            for uid in (c.user_id, c.previous_id):
                if uid:
                    keys.append(f"id:user:{uid}")
            for aid in (c.anonymous_id, c.previous_id):
                if aid:
                    keys.append(f"id:anon:{aid}")
        self.conn.lock(*alone, shared=shared)

    def fresh(self, jobs: Sequence[_Job]) -> set[str]:
        """The message ids of the ``jobs``' calls this source has not sent before (each kept
        as its 16-byte key: :mod:`sync.hub.segment.messages`).

        PostgreSQL: found by recording them, in key order (two writers never wait for each
        other in a circle), before any keyed lock is taken — each with its batch's time of
        arrival. Recorded by a plain ``INSERT`` first: when it goes in, every id is new (the
        common case; no row comes back, and the server skips the check before each row and the
        speculative insertion that ``ON CONFLICT`` costs, ~3 µs an id). When one was recorded
        before (a replay), the unique key refuses the statement: the jobs are marked
        ``replayed`` and :class:`WriteRaced` makes the transaction run again, from the start,
        where an ``INSERT … ON CONFLICT DO NOTHING RETURNING`` tells the new from the
        duplicates. A repeat sent through another writer at the same instant waits for that
        one's commit and is then a duplicate (or new, if that one rolled back). SQLite (one
        writer): looked up; the new ones are recorded at :meth:`finish`."""
        source_id = self.source.id
        if self.conn.dialect.name == "postgres":
            keys: dict[str, str] = {}  # the key's hex -> the message id
            arrived: dict[str, int] = {}  # the key's hex -> its batch's time of arrival
            for job in jobs:
                now = job.now_ms // 1000
                for c in job.calls:
                    key = message_key(source_id, c.message_id).hex()
                    if key not in keys:
                        keys[key] = c.message_id
                        arrived[key] = now
            if not keys:
                return set()
            order = sorted(keys)
            params = (
                "{" + ",".join(order) + "}",
                "{" + ",".join([str(arrived[k]) for k in order]) + "}",
            )
            if any(job.replayed for job in jobs):
                rows = self.conn.rows(_RECORD_KEYS + _RECORD_KEYS_CHECKED, params)
                self._recorded = True
                return {keys[r[0]] for r in rows}
            try:
                self.conn.execute(_RECORD_KEYS, params)
            except StorageFailure as exc:
                if getattr(exc.__cause__, "sqlstate", None) != "23505":  # unique_violation
                    raise
                for job in jobs:
                    job.replayed = True
                raise WriteRaced("a message id was recorded before: run again, checked") from exc
            self._recorded = True
            return set(keys.values())
        by_key = {message_key(source_id, c.message_id): c.message_id for j in jobs for c in j.calls}
        listed = sorted(by_key)
        known: set[bytes] = set()
        for i in range(0, len(listed), _IN_CHUNK):
            chunk = listed[i : i + _IN_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            found = self.conn.rows(
                f"SELECT key FROM intake_message_keys WHERE key IN ({marks})", chunk
            )
            known.update(bytes(r[0]) for r in found)
        self._keys = {m: k for k, m in by_key.items()}
        return {m for k, m in by_key.items() if k not in known}

    def prime(self, calls: Sequence[Call]) -> None:
        """Resolve the batch's userIds and anonymousIds and read their members, a few queries
        for the whole batch instead of some per call."""
        conn = self.conn
        users = sorted({c.user_id for c in calls if c.user_id})
        anons = sorted({c.anonymous_id for c in calls if c.anonymous_id})
        for kind, values in (("user", users), ("anon", anons)):
            for value, member_id in _rows_in(
                conn, "value, member_id", "identities", "value", values, lead=("kind", kind)
            ):
                self._resolved[(kind, str(value))] = str(member_id)
        # held before the hub knew them (imported since)
        self._held_users.update(
            str(r[0])
            for r in _rows_in(
                conn, "DISTINCT value", "intake_held", "value", users, lead=("kind", "user")
            )
        )
        ids = sorted(set(self._resolved.values()) | set(users))
        for member_id, home, consent in _rows_in(
            conn, "id, home_store, consent_browsing", "members", "id", ids
        ):
            self._members[str(member_id)] = (home, bool(consent))
            self._resolved.setdefault(("user", str(member_id)), str(member_id))
        self._views = sum(1 for c in calls if c.event == "Product Viewed")
        carts = [c for c in calls if c.event in _CART_EVENTS]
        pairs = sorted(
            {
                (m, _sku(c))
                for c in carts
                if c.user_id and (m := self._resolved.get(("user", c.user_id)))
            }
        )
        if conn.keyed_locks:
            conn.lock(*(_line_key(p) for p in pairs))
        for row in _pair_rows(conn, pairs):  # the batch's lines only, not all of its members'
            line = _line_of(row)
            held = self._lines.get((line.member_id, line.sku))
            if held is None or (line.newest, held.id) > (held.newest, line.id):
                self._lines[(line.member_id, line.sku)] = line
        for pair in pairs:
            self._lines.setdefault(pair, None)  # none yet: line() need not look
        unpriced = sorted(
            {s for c in carts if cents(c.properties, "price") is None and (s := _sku(c))}
        )
        for sku, price in _rows_in(conn, "sku, price_cents", "products", "sku", unpriced):
            self._prices[str(sku)] = int(price)

    def browse_id(self) -> int:
        """The id of a new browse event: max(id) + 1 on SQLite (its one writer is alone); on
        PostgreSQL from the process's pool of the sequence's ids (:class:`BrowseIds`), the
        run's worth taken at once."""
        if self.conn.dialect.name == "postgres":
            if not self._browse_ids:
                self._browse_ids = self._pool.take(self.conn, max(self._views, 1))
                self._views = 0
            return self._browse_ids.pop()
        if self._next_browse_id is None:
            self._next_browse_id = int(
                self.conn.scalar("SELECT coalesce(max(id), 0) FROM browse_events")
            )
        self._next_browse_id += 1
        return self._next_browse_id

    def seen(self, call: Call) -> None:
        if not self._recorded:
            key = self._keys.get(call.message_id) or message_key(self.source.id, call.message_id)
            self._seen.append((key, self.now))

    def count(self, outcome: str, name: str) -> None:
        key = (outcome, name[:200])
        self._counts[key] = self._counts.get(key, 0) + 1

    def finish(self, rejected: Sequence[Rejected], *, last: bool = False) -> None:
        """Write what is held back, the message ids (SQLite), the counts and the refused calls.
        ``last``: nothing writes change rows after this in the transaction, so those of the
        last flush go to the commit (:meth:`~sync.hub.db.Conn.changes_at_commit`: written once,
        numbered, where a pending row is written and then updated)."""
        self.flush(final=last)
        conn = self.conn
        if self._seen and not self._recorded:  # new by fresh() (SQLite: its one writer)
            with raced_on_key("intake_message_keys"):
                self.tx.load("intake_message_keys", ("key", "received_at"), self._seen)
        if self._counts and self.source.id:
            counts = [  # in key order: writers counting side by side never wait in a circle
                (self.source.id, o, n, k, self.now) for (o, n), k in sorted(self._counts.items())
            ]
            # PostgreSQL: one statement for all of them, sent with the commit (nothing reads
            # the counts in the transaction) — where executemany's pipeline cost the hub more
            # Python than the rows; SQLite: executemany.
            values = ", ".join(["(?, ?, ?, ?, ?)"] * len(counts))
            if not conn.many_at_commit(
                _COUNTS.format(values), [[value for row in counts for value in row]]
            ):
                conn.many(_COUNTS.format("(?, ?, ?, ?, ?)"), counts)
        if rejected and self.source.id:
            conn.many(
                "INSERT INTO intake_rejects (source_id, message_id, reason, at) "
                "VALUES (?, ?, ?, ?)",
                [(self.source.id, r.message_id, r.reason, self.now) for r in rejected],
            )
            cut = conn.scalar(
                "SELECT id FROM intake_rejects WHERE source_id = ? ORDER BY id DESC "
                f"LIMIT 1 OFFSET {REJECTS_KEPT}",
                (self.source.id,),
            )
            if cut is not None:
                conn.execute(
                    "DELETE FROM intake_rejects WHERE source_id = ? AND id <= ?",
                    (self.source.id, cut),
                )

    def flush(self, *, final: bool = False) -> None:
        """Write what the run holds back: new browse events, the cart lines changed, and the
        change rows of new keys (and of those lines, their older change rows dropped); the
        ``final`` flush of a transaction hands those change rows to the commit when it can."""
        # New rows go in by the bulk loader (COPY on PostgreSQL: no statement per row).
        if self._browse:
            try:
                with raced_on_key("browse_events"):  # an id loaded by hand since the sequence's
                    self.tx.load(
                        "browse_events", ("id", "member_id", "sku", "channel", "at"), self._browse
                    )
            except WriteRaced:
                self._pool.clear()  # its ids may be taken: the next run's come past them
                raise
            self._browse = []
        dirty = [ln for ln in self._lines.values() if ln is not None and ln.dirty] + self._bought
        self._bought = []
        if dirty:
            values = [
                (ln.qty, ln.price_cents, ln.added_at, ln.state, ln.event_at, ln.id) for ln in dirty
            ]
            fresh = [v for v, ln in zip(values, dirty, strict=True) if ln.new]
            known = [v for v, ln in zip(values, dirty, strict=True) if not ln.new]
            if fresh:
                self.tx.load(
                    "cart_items",
                    (
                        "qty",
                        "price_cents",
                        "added_at",
                        "state",
                        "event_at",
                        "id",
                        "member_id",
                        "sku",
                    ),
                    [
                        (*v, ln.member_id, ln.sku)
                        for v, ln in zip(values, dirty, strict=True)
                        if ln.new
                    ],
                )
            if known:
                self.conn.many(
                    "UPDATE cart_items SET qty = ?, price_cents = ?, added_at = ?, state = ?, "
                    "event_at = ? WHERE id = ? AND state IN ('open', 'removed')",
                    known,
                )
                _delete_in(self.conn, "changes", "key", [v[-1] for v in known], ("entity", "cart"))
            for ln in dirty:
                home = self.member(ln.member_id)[0]
                if home is not None:
                    self._new_changes.append((home, "cart", ln.id, "upsert"))
                ln.new = ln.dirty = False
        if self._new_changes:  # keys without a change row yet (or whose rows were dropped)
            if not (final and self.conn.changes_at_commit(self._new_changes)):
                self.tx.load("changes", ("store_id", "entity", "key", "op"), self._new_changes)
            self._new_changes = []

    def emit(self, entity: str, key: str, member_id: str, *, new: bool = False) -> None:
        """Log an upsert of (entity, key) for the member's store. A ``new`` key has no change
        row yet: its row is buffered with the browse rows' (written at the next flush)."""
        home = self.member(member_id)[0]
        if home is None:  # a member of no store (provisional) reaches no terminal
            return
        if new:
            self._new_changes.append((home, entity, key, "upsert"))
            return
        self.flush()  # a buffered change row of this key must come first
        self.tx.emit(entity, key, "upsert", home)

    # members and identities ----------------------------------------------------------------

    def member(self, member_id: str) -> tuple[str | None, bool]:
        found = self._members.get(member_id)
        if found is None:
            row = self.conn.row(
                "SELECT home_store, consent_browsing FROM members WHERE id = ?", (member_id,)
            )
            found = (None, False) if row is None else (row[0], bool(row[1]))
            self._members[member_id] = found
        return found

    def resolve(self, ident: Identity) -> str | None:
        found = self._resolved.get(ident)
        if found is None:
            found = identity.lookup(self.conn, *ident)
            if found is not None:
                self._resolved[ident] = found
        return found

    def bind(self, ident: Identity, member_id: str) -> None:
        identity.bind(self.conn, ident, member_id, self.source.id or None, self.now)
        self._resolved[ident] = member_id

    def forget(self) -> None:
        """Drop what is cached of identities and members (after binding, merging, traits)."""
        self._resolved.clear()
        self._members.clear()

    def hold(self, ident: Identity, call: Call) -> None:
        self.conn.execute(
            "INSERT INTO intake_held (kind, value, source_id, message, at) VALUES (?, ?, ?, ?, ?)",
            (ident[0], ident[1], self.source.id, _stored(call), self.now),
        )
        self.count("held", call.label)

    def release(self, idents: Sequence[Identity]) -> None:
        """Apply the calls held under ``idents`` (now bound), in the order they came."""
        for kind, value in idents:
            self.conn.lock(f"id:{kind}:{value}")  # another writer may be releasing them too
            rows = self.conn.rows(
                "SELECT id, message FROM intake_held WHERE kind = ? AND value = ? ORDER BY id",
                (kind, value),
            )
            if not rows:
                continue
            self.conn.execute("DELETE FROM intake_held WHERE kind = ? AND value = ?", (kind, value))
            for _id, message in rows:
                call = _held_call(json.loads(message))
                if call is not None:
                    self.count("released", call.label)
                    self.dispatch(call)

    def provisional(self, call: Call) -> str:
        """A member for an unknown userId (sources allowed to create them): of no store."""
        member_id = "P" + secrets.token_hex(6).upper()
        name = _name(call.traits) or ""
        self.conn.execute(
            "INSERT INTO members (id, code_id, name, joined_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            (member_id, secrets.randbits(62), name, self.now, self.now),
        )
        self.count("provisional", call.type)
        return member_id

    def member_for(self, call: Call) -> str | None:
        """The member a track is about (binding its anonymousId to them), or None (held)."""
        uid = ("user", call.user_id) if call.user_id else None
        aid = ("anon", call.anonymous_id) if call.anonymous_id else None
        by_user = self.resolve(uid) if uid else None
        by_anon = self.resolve(aid) if aid else None
        if uid is not None and by_user is None and self.source.allow_provisional:
            by_user = by_anon or self.provisional(call)
            self.bind(uid, by_user)
        if by_user is not None:
            if uid is not None and uid[1] in self._held_users:  # known now: its calls go first
                self._held_users.discard(uid[1])
                self.flush()
                self.release([uid])
            if aid is not None and by_anon is None:
                self.bind(aid, by_user)
                self.flush()
                self.release([aid])
            return by_user
        if uid is not None:
            self.hold(uid, call)
            return None
        if by_anon is not None:
            return by_anon
        assert aid is not None
        self.hold(aid, call)
        return None

    # calls ---------------------------------------------------------------------------------

    def dispatch(self, call: Call) -> None:
        if call.type == "identify":
            self.identify(call)
        elif call.type == "alias":
            self.alias(call)
        elif call.type == "track":
            effect = EFFECTS.get(call.event or "")
            if effect is None:
                self.count("unknown", call.label)
                return
            member_id = self.member_for(call)
            if member_id is not None:
                outcome = effect(self, call, member_id)
                self.count(outcome, call.label)
        else:
            self.count("ignored", call.type)

    def identify(self, call: Call) -> None:
        self.flush()
        idents = _identities(call, self.store.phone_hash_key)
        found = {i: self.resolve(i) for i in idents}
        claimed = {m for m in found.values() if m is not None}
        if len(claimed) > 1:
            identity.flag_conflict(
                self.conn,
                source_id=self.source.id or None,
                message_id=call.message_id,
                identities=[i for i, m in found.items() if m is not None],
                members=claimed,
                message=json.loads(_stored(call)),
                now=self.now,
            )
            self.count("conflict", call.type)
            return
        if not claimed:
            uid = ("user", call.user_id) if call.user_id else None
            if uid is not None and self.source.allow_provisional:
                claimed = {self.provisional(call)}
            else:
                self.hold(uid or ("anon", call.anonymous_id or ""), call)
                return
        member_id = claimed.pop()
        for ident in idents:
            self.bind(ident, member_id)
        self.traits(member_id, call)
        self.forget()
        self.count("accepted", call.type)
        self.release(idents)

    def alias(self, call: Call) -> None:
        self.flush()
        assert call.user_id is not None and call.previous_id is not None
        uid: Identity = ("user", call.user_id)
        prev = [("anon", call.previous_id), ("user", call.previous_id)]
        by_user = self.resolve(uid)
        by_prev = next((m for m in (self.resolve(p) for p in prev) if m is not None), None)
        if by_user is None and by_prev is None:
            self.hold(uid, call)
            return
        if by_user is not None and by_prev is not None and by_user != by_prev:
            identity.flag_conflict(
                self.conn,
                source_id=self.source.id or None,
                message_id=call.message_id,
                identities=[uid, *(p for p in prev if self.resolve(p) is not None)],
                members={by_user, by_prev},
                message=json.loads(_stored(call)),
                now=self.now,
            )
            self.count("conflict", call.type)
            return
        member_id = by_user or by_prev
        assert member_id is not None
        for ident in (uid, *prev):
            if self.resolve(ident) is None:
                self.bind(ident, member_id)
        self.count("accepted", call.type)
        self.release([uid, *prev])

    def traits(self, member_id: str, call: Call) -> None:
        """Apply an identify's traits to the member (the phone hashed and masked here)."""
        t = call.traits
        values: dict[str, Any] = {}
        name = _name(t)
        if name:
            values["name"] = name
        for key, column, size in (("tier", "tier", 20), ("name_en", "name_en", 100)):
            value = t.get(key)
            if isinstance(value, str) and value.strip():
                values[column] = value.strip()[:size]
        points = t.get("points")
        if isinstance(points, int) and not isinstance(points, bool) and 0 <= points < 2**53:
            values["points"] = points
        birthday = t.get("birthday")
        if isinstance(birthday, str) and _BIRTHDAY.fullmatch(birthday[:10]):
            values["birthday"] = birthday[:10]
        e164 = _phone(t)
        if e164 is not None:
            values["phone"] = e164
            values.update(
                phone_columns(
                    e164,
                    hash_key=self.store.phone_hash_key,
                    bucket_key=self.store.phone_bucket_key,
                )
            )
        consent = _consent(t)
        before = self.member(member_id)
        for flag, value in consent.items():
            values[f"consent_{flag}"] = int(value)
        if not values:
            return
        values["updated_at"] = self.now
        self.conn.execute(
            f"UPDATE members SET {', '.join(f'{c} = ?' for c in values)} WHERE id = ?",
            (*values.values(), member_id),
        )
        self._members.pop(member_id, None)
        self.emit("member", member_id, member_id)
        browsing = consent.get("browsing")
        if browsing is None or browsing == before[1]:
            return
        if not browsing:
            withdraw_browsing(self.tx, member_id, before[0])
        # Terminals drop (or get back) the rows only consent lets out.
        for entity, key in browsing_keys(self.conn, member_id):
            if before[0] is not None:
                self.tx.emit(entity, key, "upsert", before[0])

    # effects -------------------------------------------------------------------------------

    def viewed(self, call: Call, member_id: str) -> str:
        home, consented = self.member(member_id)
        # Without consent: dropped, or kept at the hub only — no change row, read as gone by
        # the feed — for the chain's policy's days (sync.hub.retention).
        if not consented and retention.browsing_days(self.conn) == 0:
            return "dropped"
        key = self.browse_id()
        sku = _sku(call)
        self._browse.append((key, member_id, sku, channel_of(call), call.at))
        if not consented:
            return "kept"
        if home is not None:
            self._new_changes.append((home, "browse", str(key), "upsert"))
        return "accepted"

    def line(self, member_id: str, sku: str) -> _Line | None:
        """The member's online cart line of ``sku`` (open or removed; the newest), or None."""
        key = (member_id, sku)
        if key in self._lines:
            return self._lines.get(key)
        self.conn.lock(_line_key(key))
        row = self.conn.row(
            f"SELECT {_LINE_COLUMNS} FROM cart_items WHERE member_id = ? AND sku = ? "
            "AND state IN ('open', 'removed') ORDER BY coalesce(event_at, added_at * 1000) DESC, "
            "id LIMIT 1",
            key,
        )
        found = None if row is None else _line_of(row)
        self._lines[key] = found
        return found

    def cart(self, call: Call, member_id: str) -> str:
        props = call.properties
        sku = _sku(call)
        added = call.event == "Product Added"
        line = self.line(member_id, sku)
        if line is not None and line.event_at is not None and call.at_ms < line.event_at:
            return "stale"  # a newer event of this line is applied already
        qty = int_prop(props, "quantity", 1, low=1, high=9999)
        price = cents(props, "price")
        if price is None:
            if sku not in self._prices:
                found = self.conn.scalar("SELECT price_cents FROM products WHERE sku = ?", (sku,))
                self._prices[sku] = int(found or 0)
            price = self._prices[sku]
        if line is None:
            line = _Line(
                _line_id(self.now_ms, member_id, sku, call.message_id),
                member_id,
                sku,
                qty if added else 0,
                price,
                call.at,
                "open" if added else "removed",
                call.at_ms,
                new=True,
            )
            self._lines[(member_id, sku)] = line
        elif added:
            if line.state != "open":
                line.added_at = call.at
            line.qty, line.price_cents, line.state = qty, price, "open"
        else:
            line.state = "removed"
        line.event_at = call.at_ms
        line.dirty = True
        return "accepted"

    def wishlist(self, call: Call, member_id: str) -> str:
        sku = _sku(call)
        key = "ow-" + _digest(member_id, sku)
        if self.conn.execute(
            "INSERT INTO wishlist_items (id, member_id, sku, added_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO NOTHING",
            (key, member_id, sku, call.at),
        ):
            self.emit("wishlist", key, member_id)
        return "accepted"

    def order(self, call: Call, member_id: str) -> str:
        props = call.properties
        order_id = text_prop(props, "order_id") or ""
        if call.event == "Order Refunded":
            changed = self.conn.execute(
                "UPDATE orders SET state = 'refunded', refunded_at = ? WHERE id = ? "
                "AND member_id = ? AND state <> 'refunded'",
                (call.at, order_id, member_id),
            )
            if changed:
                self.emit("order", order_id, member_id)
            return "accepted" if changed else "stale"
        items: list[dict[str, Any]] = []
        for p in props.get("products") or []:
            if not isinstance(p, dict):
                continue
            sku = text_prop(p, "sku", "product_id")
            if sku is None:
                continue
            qty = int_prop(p, "quantity", 1, low=1, high=9999)
            items.append({"sku": sku, "qty": qty, "price_cents": cents(p, "price") or 0})
        total = cents(props, "total")
        if total is None:
            total = cents(props, "revenue")
        if total is None:
            total = sum(int(i["price_cents"]) * int(i["qty"]) for i in items)
        self.conn.execute(
            "INSERT INTO orders (id, member_id, total_cents, state, items, at) "
            "VALUES (?, ?, ?, 'completed', ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "total_cents = excluded.total_cents, items = excluded.items",
            (order_id, member_id, total, json.dumps(items, separators=(",", ":")), call.at),
        )
        self.emit("order", order_id, member_id)
        for item in items:  # the lines bought leave the cart (unless changed after the order)
            line = self.line(member_id, str(item["sku"]))
            if line is None or line.state != "open":
                continue
            if line.event_at is not None and line.event_at > call.at_ms:
                continue
            line.state, line.event_at, line.dirty = "bought", call.at_ms, True
            self._lines[(member_id, line.sku)] = None  # bought: the sku has no line now
            self._bought.append(line)
        return "accepted"

    def coupon(self, call: Call, member_id: str) -> str:
        coupon_id = text_prop(call.properties, "coupon_id") or ""
        self.conn.lock(f"m:{member_id}")  # as a store's redeem of it (sync.hub.ingest)
        row = self.conn.row("SELECT member_id, state FROM coupons WHERE id = ?", (coupon_id,))
        if row is None or str(row[0]) != member_id:
            return "unknown_coupon"
        if row[1] != "live":
            return "stale"  # used (online or in a store) or void already
        self.conn.execute(
            "UPDATE coupons SET state = 'used', used_at = ?, used_by = ? WHERE id = ?",
            (call.at, "online:" + call.message_id, coupon_id),
        )
        self.emit("coupon", coupon_id, member_id)
        return "accepted"

    def case(self, call: Call, member_id: str) -> str:
        """Case Opened / Updated: the case as the CRM sees it, through ``cases.upsert``."""
        props = call.properties
        case_id = text_prop(props, "case_id") or ""
        known = self.conn.row(f"SELECT {_CASE_KNOWN} FROM cases WHERE id = ?", (case_id,))
        row: dict[str, Any] = {"id": case_id, "member_id": member_id, "updated_at": call.at}
        if known is not None:
            row.update(zip(_CASE_KNOWN.split(", "), known, strict=True))
        else:
            row.update(status="open", opened_at=call.at)
        for column, names in (
            ("case_type", ("type", "case_type")),
            ("status", ("status",)),
            ("sku", ("sku", "product_id")),
        ):
            value = text_prop(props, *names)
            if value is not None:
                row[column] = value.lower() if column in ("case_type", "status") else value
        subject = props.get("subject", props.get("title"))
        if isinstance(subject, str) and subject.strip():
            row["subject"] = subject  # (cases.normalise bounds it)
        if row["status"] == "closed" and (known is None or known[2] != "closed"):
            row["closed_at"] = call.at
        self.flush()  # buffered change rows come before the case's
        done = cases.upsert(self.tx, [row])
        return "accepted" if done.written else f"case_{done.refused[0][1]}"


Effect = Callable[[_Run, Call, str], str]
EFFECTS: dict[str, Effect] = {
    "Product Viewed": _Run.viewed,
    "Product Added": _Run.cart,
    "Product Removed": _Run.cart,
    "Product Added to Wishlist": _Run.wishlist,
    "Order Completed": _Run.order,
    "Order Refunded": _Run.order,
    "Coupon Applied": _Run.coupon,
    "Case Opened": _Run.case,
    "Case Updated": _Run.case,
}


_IN_CHUNK = 500  # values per ``IN (…)`` on SQLite


def _in_condition(
    conn: Conn, column: str, values: Sequence[str], lead: tuple[str, str] | None
) -> tuple[str, list[Any]]:
    """``column`` is one of ``values`` (and ``lead``'s column is its value), as SQL and its
    parameters. PostgreSQL: one array parameter — the same text for every batch (psycopg
    prepares it after a few runs; no placeholder list to build and parse), and with ``lead``
    as pairs, so the plan is an index probe per value whatever the statistics say (without
    them the planner scanned every message id of the source). SQLite: a placeholder list."""
    if conn.dialect.name == "postgres":
        array = pg_text_array(values)
        if lead is None:
            return f"{column} = ANY(?::text[])", [array]
        return f"({lead[0]}, {column}) IN (SELECT ?, unnest(?::text[]))", [lead[1], array]
    marks = ", ".join("?" for _ in values)
    if lead is None:
        return f"{column} IN ({marks})", list(values)
    return f"{lead[0]} = ? AND {column} IN ({marks})", [lead[1], *values]


def _chunks(conn: Conn, values: Sequence[str]) -> list[Sequence[str]]:
    if conn.dialect.name == "postgres":
        return [values] if values else []
    return [values[i : i + _IN_CHUNK] for i in range(0, len(values), _IN_CHUNK)]


def _rows_in(
    conn: Conn,
    select: str,
    table: str,
    column: str,
    values: Sequence[str],
    *,
    lead: tuple[str, str] | None = None,
    where: str = "",
) -> list[Row]:
    """``SELECT select FROM table`` rows whose ``column`` is one of ``values``."""
    out: list[Row] = []
    for chunk in _chunks(conn, values):
        cond, params = _in_condition(conn, column, chunk, lead)
        extra = f" AND {where}" if where else ""
        out.extend(conn.rows(f"SELECT {select} FROM {table} WHERE {cond}{extra}", params))
    return out


def _pair_rows(conn: Conn, pairs: Sequence[tuple[str, str]]) -> list[Row]:
    """The open and removed cart lines of these (member, sku) pairs (index cart_member_sku)."""
    out: list[Row] = []
    where = f"SELECT {_LINE_COLUMNS} FROM cart_items WHERE state IN ('open', 'removed') AND "
    if conn.dialect.name == "postgres":
        if pairs:
            members = pg_text_array([p[0] for p in pairs])
            skus = pg_text_array([p[1] for p in pairs])
            out = conn.rows(
                where + "(member_id, sku) IN (SELECT unnest(?::text[]), unnest(?::text[]))",
                (members, skus),
            )
        return out
    # SQLite: the pairs first, each probed in the index (``(member_id, sku) IN (VALUES …)``
    # scanned every cart line: a cost that grew with the table).
    select = ", ".join(f"c.{c}" for c in _LINE_COLUMNS.split(", "))
    for i in range(0, len(pairs), _IN_CHUNK // 2):
        chunk = pairs[i : i + _IN_CHUNK // 2]
        marks = ", ".join("(?, ?)" for _ in chunk)
        params = [v for pair in chunk for v in pair]
        out.extend(
            conn.rows(
                f"SELECT {select} FROM (VALUES {marks}) AS p CROSS JOIN cart_items AS c "
                "ON c.member_id = p.column1 AND c.sku = p.column2 "
                "WHERE c.state IN ('open', 'removed')",
                params,
            )
        )
    return out


def _delete_in(
    conn: Conn, table: str, column: str, values: Sequence[str], lead: tuple[str, str]
) -> None:
    for chunk in _chunks(conn, values):
        cond, params = _in_condition(conn, column, chunk, lead)
        conn.execute(f"DELETE FROM {table} WHERE {cond}", params)


def withdraw_browsing(tx: Tx, member_id: str, home: str | None) -> int:
    """Consent to browsing withdrawn: the member's browse events are deleted at the hub, and
    on every terminal of its store through delete rows. Returns how many."""
    keys = [
        str(r[0])
        for r in tx.conn.rows("SELECT id FROM browse_events WHERE member_id = ?", (member_id,))
    ]
    tx.conn.execute("DELETE FROM browse_events WHERE member_id = ?", (member_id,))
    if home is not None:
        for key in keys:
            tx.emit("browse", key, "delete", home)
    return len(keys)


_CART_EVENTS = frozenset({"Product Added", "Product Removed"})
# PostgreSQL: a run's message ids recorded (:meth:`_Run.fresh`) — all new, or with the
# duplicates skipped and the new ones returned.
_RECORD_KEYS = (
    "INSERT INTO intake_message_keys (key, received_at) "
    "SELECT k, t FROM unnest(?::uuid[], ?::bigint[]) AS u(k, t)"
)
_RECORD_KEYS_CHECKED = " ON CONFLICT (key) DO NOTHING RETURNING replace(key::text, '-', '')"
_COUNTS = (  # {}: the rows' placeholders
    "INSERT INTO intake_counts (source_id, outcome, name, n, last_at) VALUES {} "
    "ON CONFLICT (source_id, outcome, name) DO UPDATE SET "
    "n = intake_counts.n + excluded.n, last_at = excluded.last_at"
)


def _sku(call: Call) -> str:
    if call.sku is not None:  # read by check_mapped (a held call is parsed again without it)
        return call.sku
    return text_prop(call.properties, "sku", "product_id") or ""


def _stored(call: Call) -> str:
    return json.dumps(
        {"call": call.raw, "at_ms": call.at_ms},
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


def _line_id(now_ms: int, member_id: str, sku: str, message_id: str) -> str:
    """A new online cart line's id: ``oc-``, the time it is written (hex ms), a digest of what
    it is. Lines written together sort together: their primary key and change-row index
    entries go on a few pages at the end of each index, not one page each anywhere in it."""
    return f"oc-{now_ms:011x}{_digest(member_id, sku, message_id)[:13]}"


def _line_key(pair: tuple[str, str]) -> str:
    """The keyed lock of a member's cart line of a sku (:meth:`_Run.line`)."""
    return f"cart:{pair[0]}\x1f{pair[1]}"


BROWSE_IDS_TAKEN = 1000  # PostgreSQL: browse event ids a process takes from the sequence at once


class BrowseIds:
    """A process's browse event ids on PostgreSQL: taken from the sequence
    :data:`BROWSE_IDS_TAKEN` at a time (:func:`browse_ids`: one statement, not one a run)
    and handed out to its writers. An id handed to a transaction that rolls back is not used
    again (a gap, as with any sequence); ids another process takes are its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._free: list[int] = []  # highest first: pop() gives the lowest

    def take(self, conn: Conn, n: int) -> list[int]:
        """``n`` ids, highest first (``pop()`` hands them out rising)."""
        with self._lock:
            if len(self._free) < n:
                more = browse_ids(conn, max(n - len(self._free), BROWSE_IDS_TAKEN))
                self._free = more + self._free
            out, self._free = self._free[-n:], self._free[:-n]
        return out

    def clear(self) -> None:
        """Forget the ids held (a browse row met one of them: rows were loaded with their own
        ids past the sequence; :func:`browse_ids` moves it past them)."""
        with self._lock:
            self._free = []


def browse_ids(conn: Conn, n: int) -> list[int]:
    """``n`` new browse event ids from PostgreSQL's sequence (hub migration 014), moved past
    the highest id first when rows loaded with their own ids (the demo seed) got ahead of it."""
    rows = conn.rows(
        "SELECT nextval('browse_events_id_seq'), (SELECT max(id) FROM browse_events) "
        "FROM generate_series(1, ?)",
        (n,),
    )
    top = rows[0][1]
    if top is not None and int(top) >= min(int(r[0]) for r in rows):
        conn.scalar(
            "SELECT setval('browse_events_id_seq', greatest(?, "
            "(SELECT last_value FROM browse_events_id_seq)))",
            (int(top),),
        )
        return browse_ids(conn, n)
    return sorted((int(r[0]) for r in rows), reverse=True)


@contextmanager
def raced_on_key(table: str) -> Iterator[None]:
    """A primary key of ``table`` met a row another writer committed at the same time (a
    message id sent twice at once): :class:`WriteRaced`, so the transaction runs again."""
    try:
        yield
    except StorageFailure as exc:
        if getattr(exc.__cause__, "sqlstate", None) != "23505":  # unique_violation
            raise
        raise WriteRaced(f"a row of {table} was written by another writer at once") from exc


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()[:24]


def _name(traits: dict[str, Any]) -> str | None:
    name = traits.get("name")
    if not isinstance(name, str) or not name.strip():
        first, last = traits.get("firstName"), traits.get("lastName")
        parts = [p.strip() for p in (last, first) if isinstance(p, str) and p.strip()]
        name = "".join(parts) if parts else None
    return name.strip()[:100] if isinstance(name, str) else None


def _phone(traits: dict[str, Any]) -> str | None:
    value = traits.get("phone")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value) > 40:
        return None
    return phones.normalize_phone(value.strip())


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _consent(traits: dict[str, Any]) -> dict[str, bool]:
    """Consent flags an identify carries: ``consent_browsing`` / ``consentBrowsing`` /
    ``consent.browsing`` (the same for marketing), booleans only."""
    nested = traits.get("consent") if isinstance(traits.get("consent"), dict) else {}
    assert isinstance(nested, dict)
    out: dict[str, bool] = {}
    for flag in ("browsing", "marketing"):
        for value in (
            traits.get(f"consent_{flag}"),
            traits.get(f"consent{flag.capitalize()}"),
            nested.get(flag),
        ):
            found = _flag(value)
            if found is not None:
                out[flag] = found
                break
    return out


def _identities(call: Call, phone_hash_key: str) -> list[Identity]:
    """The identities an identify names: userId, anonymousId, UnionID, phone (hash), card."""
    t = call.traits
    out: list[Identity] = []
    if call.user_id:
        out.append(("user", call.user_id))
    if call.anonymous_id:
        out.append(("anon", call.anonymous_id))
    union = text_prop(t, "unionid", "unionId", "union_id", "wechat_unionid", "wechatUnionId")
    if union:
        out.append(("unionid", union))
    e164 = _phone(t)
    if e164 is not None:
        out.append(("phone", phones.phone_hash(phone_hash_key, e164)))
    card = text_prop(t, "card_no", "cardNo", "card")
    if card and card.isdigit():
        out.append(("card", card))
    return out


def source_or_error(intake: Intake, key: str | None) -> Source:
    """The source of write key ``key``; UnauthenticatedError otherwise."""
    from sync.hub.errors import UnauthenticatedError

    if not key:
        raise UnauthenticatedError("a write key is required (HTTP Basic user)", reason="no_key")
    found = intake.sources.authenticate(key)
    if found is None:
        raise UnauthenticatedError("unknown or revoked write key", reason="bad_key")
    return found
