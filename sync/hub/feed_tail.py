"""Each store's recent feed, rendered once per process and sliced for every terminal's cursor.

The terminals of a store pull the same new change rows, each from its own cursor, so the page
cache (:class:`~sync.hub.feed.PageCache`, keyed by the exact cursor) rarely hits under load and
every pull rendered its rows again: about 10 µs a row, the bulk of a busy hub's CPU. A
:class:`StoreTail` holds a store's change rows after a *base* cursor, each already rendered as
its entry of the page; a pull from any cursor at or past the base is a slice and a join.

Never a page that differs from the database (what :class:`~sync.hub.feed.ChangeFeed` promises
of its page cache): every pull first reads the store's validator after the base (newest own and
common seq, and the count: :func:`~sync.hub.feed.read_validator`) and compares it with the
tail's own. Unchanged, the tail is exactly the database's rows. Changed, the rows after the
tail's newest are read in one snapshot with the validator and the current data of what they
touch: a key logged again loses its earlier entry (:meth:`~sync.hub.store.Tx.emit` dropped its
earlier change row), the new entries are rendered, and so again is every entry of an entity
not in :data:`STABLE` (the feed only promises that a change it shows comes with *some* change
row of the store, not one of its own key) — unless what was added is only new visits of the
store (:func:`_others_may_change`): a visit is only ever inserted or deleted under its own key,
so its rendering stands, and a transaction that changes a row of any other entity logs a change
row of an entity other than ``visit`` for its store (the writers that log only visits — a
terminal's push of history records, the migration that rebuilt the history — change no other
entity's rows). If the validator then still differs (change rows dropped, a seq below the
newest appearing), the tail is dropped: the pull is rendered as before.

Once a tail has been checked, it knows the chain-wide seq it is exact through (``chain``): a
pull then reads the change rows of *every* store after it (the primary key's range, most often
empty or a few rows — :data:`CHAIN_ROWS_MAX` at most, else the validator as above) instead of
the validator, whose count walks the whole tail. A new own or common row is the tail's to add;
another store's row for a key the tail holds is that key's earlier row dropped (its store
changed); nothing else can change the store's rows: every change row dropped is dropped by the
transaction that logs its key again (:meth:`~sync.hub.store.Tx.emit`, the numbering at
commit), and seqs become visible in the order they were given (:mod:`sync.hub.db`). Rows of
other stores that touch nothing of the tail only move ``chain`` on, with no snapshot; when they
do touch it, the growth's snapshot reads only the rows after those the check saw (a row seen and
dropped since gives way to its key's newer one) and, on PostgreSQL, takes two round trips.

On PostgreSQL that read is not the pull's own: one :class:`ChainFollower` per process reads
the chain's new change rows, with the upserted rows' data, in one snapshot (two round trips)
and keeps them (:data:`FOLLOW_KEEP`) for every tail. A pull waits for a read that *started
after it arrived* — it never sees less than what was committed before it did — and the pulls
that arrive while a read runs wait for the next, which starts when it ends (group commit, for
reads). A tail then takes the rows after its chain seq as they are when they hold nothing of
its store's but new visits of its own, with no key it holds logged again — the visit rendered
from the snapshot that read its change row (a key seen in two reads keeps its newer row: the
older was dropped) — and on the event loop, with no thread (:meth:`StoreTails.page_async`);
otherwise its growth is read as above, those rows standing for the check's. A tail behind
what the follower keeps checks alone, as above.

A tail starts at the cursor of a page read whole from the database (a caught-up terminal's)
and keeps at most :data:`TAIL_ENTRIES` entries (its base moves up), for the
:data:`TAIL_STORES` stores pulled last (with a follower :data:`FOLLOWED_TAIL_STORES`, within
:data:`TAIL_CHARS` bytes of rendered entries in all); a cursor a little behind the base
lowers it (the rows in between read and rendered in one snapshot, then validated as above),
one further behind than the room left is rendered from the database as before.
"""

from __future__ import annotations

import array
import asyncio
import bisect
import collections
import contextlib
import os
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import TYPE_CHECKING

from sync.hub.db import Conn, Row
from sync.hub.feed import PG_CHAIN_ROWS, Validator, read_validator, snapshot

if TYPE_CHECKING:
    from sync.hub.feed import ChangeFeed

# Entries a store's tail keeps per process (~4 MB of rendered entries; CLERK_HUB_TAIL_ENTRIES
# sets it; TAIL_CHARS bounds them all). A terminal shed by the door waits out its backoff and
# comes back that far behind its store's peers: at twice the saturating load (2,400 terminals
# of 3 stores, ~400 change rows a second a store) 4,096 entries were ~10 s, and 21-26 % of the
# pulls fell behind the tails and were rendered from the database again — the hub's CPU a
# request 2.5-2.8 ms; with 16,384 (~40 s) 99 % came from a tail, 1.4 ms (docs/benchmarks.md,
# thirteenth session).
TAIL_ENTRIES = int(os.environ.get("CLERK_HUB_TAIL_ENTRIES") or 16384)
# Stores with a tail per process (the least recently pulled dropped; CLERK_HUB_TAIL_STORES sets
# it). Every process serves every store's pulls, so with fewer tails than stores they thrash: at
# 100 stores × 10 terminals on PostgreSQL 64 tails answered 49-50 % of the pulls that asked one
# (the 128 tails of 2 processes held 0.8 MB), 128 answered 86-90 % (14-16 MB) — and cost the hub
# more CPU per request, not less (2.85-3.42 ms against 2.51-2.67, docs/benchmarks.md): a tail
# pulled about once a second reads every store's change rows since its last pull (the chain's
# ~150 a second), where a pull without one is rendered by the database. Kept at 64 — without a
# chain follower (with one, FOLLOWED_TAIL_STORES: its pulls read nothing of their own).
TAIL_STORES = int(os.environ.get("CLERK_HUB_TAIL_STORES") or 64)
# With a chain follower (below) a tail costs a pull no read of its own: a process keeps one for
# up to this many stores, within TAIL_CHARS bytes of rendered entries in all (the least
# recently pulled dropped past it; CLERK_HUB_TAIL_CHARS sets it).
FOLLOWED_TAIL_STORES = int(os.environ.get("CLERK_HUB_TAIL_STORES") or 1024)
TAIL_CHARS = int(os.environ.get("CLERK_HUB_TAIL_CHARS") or 64_000_000)
# CLERK_HUB_TAIL_STATS names a file: each process appends a line every STATS_EVERY pulls asked
# of the tails (capacity work, bench/hub_load.py): ``<unix time> <pid> <asked> <hits> <no tail>
# <rebuilt> <tails> <entries> <bytes>``, its counts since it started; with a follower, a
# second line ``<unix time> <pid> follow <reads> <pulls served> <pulls whose tail took its rows
# as they were>``.
TAIL_STATS_ENV = "CLERK_HUB_TAIL_STATS"
STATS_EVERY = 200
# Entities whose rows are only ever inserted or deleted, each logged under its own key: their
# rendering stays good until their key is logged again. Any other entity's rows in a tail are
# read again whenever the tail grows by a change row of another entity, a common one, or a key
# logged again (the feed's promise is only that *some* change row of the store comes with every
# change it shows; a transaction that logs only rows of these entities changes nothing else).
STABLE = frozenset({"visit"})
_TAIL_ROWS_SQL = (
    "SELECT seq, entity, key, op, store_id IS NULL FROM changes "
    "WHERE (store_id = ? OR store_id IS NULL) AND seq > ? ORDER BY seq"
)

CHAIN_ROWS_MAX = 512  # chain-wide change rows a pull reads past ``chain`` (more: the validator)
_CHAIN_ROWS_SQL = PG_CHAIN_ROWS  # the primary key's range: every store's rows after a seq
_SNAPSHOT = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

_OLDER_ROWS_SQL = (
    "SELECT seq, entity, key, op, store_id IS NULL FROM changes "
    "WHERE (store_id = ? OR store_id IS NULL) AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?"
)


_OPEN = b'{"changes":['  # a page's JSON up to its first entry


@dataclass(frozen=True)
class TailPage:
    body: bytes
    validator: Validator  # of the page's own cursor (for the page cache)


@dataclass
class StoreTail:
    """A store's change rows after ``base``, rendered: parallel lists by ascending seq."""

    base: int
    # The seqs and the common flags in an array and a bytearray, not lists: Python's full
    # garbage collections walk every item of every list (4,096 a tail, 100 tails a process),
    # never those of containers it does not track.
    seqs: array.array[int] = field(default_factory=lambda: array.array("q"))
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (entity, key, op)
    common: bytearray = field(default_factory=bytearray)  # 1: a change for every store
    # Each entry as the page's JSON, UTF-8 encoded once: a pull joins bytes. Kept as str, every
    # pull joined them and encoded the page (a name with a character past Latin-1 makes the
    # whole page UCS-2 first), ~21-25 % of a busy SQLite hub's CPU with the fresh pages' faults
    # (perf, docs/benchmarks.md, fifteenth session).
    parts: list[bytes] = field(default_factory=list)
    # -> seqs; tuples, not lists: a tuple of ints is left out of Python's garbage collections
    # after their first look (a list never is), and a process keeps ~100,000 of them
    by_key: dict[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)
    own_max: int = 0  # the newest own and common seq in the tail (0: none)
    common_max: int = 0
    chain: int = 0  # every store's change rows up to it: in the tail or not its (0: unknown)
    chars: int = 0  # the rendered entries' bytes (the tails' budget: TAIL_CHARS)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def append(self, seq: int, entity: str, key: str, op: str, common: bool) -> None:
        self.seqs.append(seq)
        self.rows.append((entity, key, op))
        self.common.append(1 if common else 0)
        part = _entry(seq, entity, key, op, None)  # rendered with its data next
        self.parts.append(part)
        self.chars += len(part)
        k = (entity, key)
        self.by_key[k] = (*self.by_key.get(k, ()), seq)
        if common:
            self.common_max = seq
        else:
            self.own_max = seq

    def remove(self, keys: set[tuple[str, str]]) -> None:
        """Drop the entries of ``keys``."""
        gone = {seq for k in keys for seq in self.by_key.pop(k, ())}
        keep = [i for i, seq in enumerate(self.seqs) if seq not in gone]
        self.seqs = array.array("q", [self.seqs[i] for i in keep])
        self.rows = [self.rows[i] for i in keep]
        self.common = bytearray(self.common[i] for i in keep)
        self.parts = [self.parts[i] for i in keep]
        self.chars = sum(len(p) for p in self.parts)
        own = [s for s, c in zip(self.seqs, self.common, strict=True) if not c]
        common = [s for s, c in zip(self.seqs, self.common, strict=True) if c]
        self.own_max = own[-1] if own else 0
        self.common_max = common[-1] if common else 0

    def validator(self, since: int | None = None, start: int = 0) -> Validator:
        """What :func:`read_validator` reads after ``since`` (``seqs[start]`` is the first
        entry after it; None: after ``base``)."""
        after = self.base if since is None else since
        return (
            self.own_max if self.own_max > after else 0,
            self.common_max if self.common_max > after else 0,
            len(self.seqs) - start,
        )


def _take(
    tail: StoreTail,
    rows: Sequence[tuple[int, str, str, str, bool]],
    wanted: Iterable[tuple[str, str]],
    data: dict[tuple[str, str], str],
) -> None:
    """Append the store's new change ``rows`` (seq, entity, key, op, common) to ``tail`` and
    render again the entries of the ``wanted`` keys from ``data``."""
    for seq, entity, key, op, common in rows:
        tail.append(seq, entity, key, op, common)
    for k in wanted:
        for seq in tail.by_key[k]:
            i = bisect.bisect_left(tail.seqs, seq)
            entity, key, op = tail.rows[i]
            part = _entry(seq, entity, key, op, data.get(k))
            tail.chars += len(part) - len(tail.parts[i])
            tail.parts[i] = part


FOLLOW_ROWS = 2048  # chain rows one read of the follower takes (more: the tails check alone)
FOLLOW_KEEP = 4096  # chain rows the follower keeps (a tail behind them checks alone)
FOLLOW_IDLE_S = 2.0  # the reader thread ends after this long with no pull waiting
# CLERK_HUB_FOLLOW=0: no follower (the tails read the chain pull by pull, as before); "thread":
# a follower, every pull answered on a thread (no page_async: to measure the loop's part). A
# follower serves PostgreSQL only: on SQLite a pull's chain read is in process (no round trip,
# no server), and the reader thread, ending when idle, would leave its thread's connection open
# behind it (tests give one to a SQLite hub's tails by hand: StoreTails(follower=True)).
FOLLOW_ENV = "CLERK_HUB_FOLLOW"

# A chain row as the follower hands it on: (seq, store_id or None, entity, key, op, data JSON).
FollowRow = tuple[int, str | None, str, str, str, str | None]


@dataclass(frozen=True)
class _Chunk:
    """What one read of the follower found: every change row after ``after`` up to ``head``
    (the newest seq it saw), as of its snapshot, with the upserted rows' data from it."""

    after: int
    head: int
    rows: tuple[FollowRow, ...]
    # Indexed once, by the follower's thread, for every pull that takes the chunk
    # (StoreTails._follow_view): each store's rows, whether any is for every store, every key.
    by_store: dict[str, tuple[FollowRow, ...]] = field(default_factory=dict, compare=False)
    common: bool = False
    keys: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of(cls, after: int, head: int, rows: tuple[FollowRow, ...]) -> _Chunk:
        by_store: dict[str, list[FollowRow]] = {}
        common = False
        for row in rows:
            if row[1] is None:
                common = True
            else:
                by_store.setdefault(row[1], []).append(row)
        return cls(
            after,
            head,
            rows,
            {sid: tuple(mine) for sid, mine in by_store.items()},
            common,
            frozenset((r[2], r[3]) for r in rows),
        )


@dataclass(frozen=True)
class FollowView:
    """The chain as the follower's latest read left it: every change row after ``base`` up to
    ``head``, in the chunks its reads found them (a row may have been dropped since its read:
    its key's newer row is then in a later chunk)."""

    base: int
    head: int
    chunks: tuple[_Chunk, ...] = ()
    heads: tuple[int, ...] = ()  # each chunk's head
    kept: int = 0  # rows in the chunks

    def then(self, chunk: _Chunk, keep: int) -> FollowView:
        """This view with ``chunk`` read after it, the oldest chunks dropped past ``keep``
        rows (the last one stays)."""
        chunks, heads, kept = (*self.chunks, chunk), (*self.heads, chunk.head), self.kept
        kept += len(chunk.rows)
        drop = 0
        while kept > keep and drop < len(chunks) - 1:
            kept -= len(chunks[drop].rows)
            drop += 1
        if drop:
            chunks, heads = chunks[drop:], heads[drop:]
        return FollowView(chunks[0].after, chunk.head, chunks, heads, kept)

    def after(self, seq: int) -> list[FollowRow] | None:
        """The rows after ``seq``, each key's newest only; None when ``seq`` is below what the
        follower holds."""
        if seq < self.base:
            return None
        i = bisect.bisect_right(self.heads, seq)
        rows: list[FollowRow] = []
        for chunk in self.chunks[i:]:
            if chunk.after >= seq:
                rows.extend(chunk.rows)
            else:
                rows.extend(r for r in chunk.rows if r[0] > seq)
        if len(self.chunks) - i > 1:  # a key seen in two reads: its older row was dropped
            last = {(r[2], r[3]): n for n, r in enumerate(rows)}
            if len(last) < len(rows):
                rows = [r for n, r in enumerate(rows) if last[(r[2], r[3])] == n]
        return rows


class ChainFollower:
    """One reader of the chain's change rows per process, for every tail: a pull waits for a
    read that *started after it arrived* (so it sees everything committed before it did), and
    the pulls that arrive while a read runs wait for the next one, which starts when it ends
    (group commit, for reads). Each read takes the change rows after the last one's newest seq
    and the upserted rows' data in one snapshot (PostgreSQL: two round trips); the tails take
    from the rows kept (:meth:`StoreTails.page`) instead of each pull reading the chain."""

    def __init__(
        self,
        feed: ChangeFeed,
        max_rows: int = FOLLOW_ROWS,
        keep: int = FOLLOW_KEEP,
        idle_s: float = FOLLOW_IDLE_S,
    ) -> None:
        self.feed = feed
        self.max_rows = max_rows
        self.keep = keep
        self.idle_s = idle_s
        self._cond = threading.Condition()
        self._started = 0  # reads started (numbered from 1)
        self._done = 0  # the newest read finished
        self._wanted = 0  # the newest read a waiter needs
        self._thread: threading.Thread | None = None
        self._view: FollowView | None = None  # None: nothing read yet
        self._error: BaseException | None = None  # the newest read's, if it failed
        self._async: list[tuple[int, asyncio.AbstractEventLoop, asyncio.Future[FollowView]]] = []
        self.reads = 0  # reads made
        self.served = 0  # pulls they served

    def wait(self) -> FollowView:
        """The chain as a read that started after this call left it (blocks)."""
        with self._cond:
            need = self._need()
            while self._done < need:
                self._cond.wait()
            self.served += 1
            if self._error is not None:
                raise self._error
            assert self._view is not None
            return self._view

    async def wait_async(self) -> FollowView | None:
        """:meth:`wait` on an event loop: no thread held while the read runs. None when the
        follower's lock is held (by a thread that may be off the CPU: the loop does not wait)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[FollowView] = loop.create_future()
        if not self._cond.acquire(blocking=False):
            return None
        try:
            self._async.append((self._need(), loop, future))
        finally:
            self._cond.release()
        return await future

    def _need(self) -> int:
        """(Under ``_cond``.) The read a pull arriving now waits for: the next to start."""
        need = self._started + 1
        if need > self._wanted:
            self._wanted = need
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="clerk-feed-follower", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()
        return need

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._wanted <= self._done:
                    if not self._cond.wait(self.idle_s) and self._wanted <= self._done:
                        self._thread = None  # idle: a pull starts another
                        return
                self._started += 1
                n = self._started
                view = self._view
            error: BaseException | None = None
            try:
                view = self._read(view)
            except BaseException as exc:  # handed to the pulls that waited for this read
                error = exc
            with self._cond:
                self.reads += 1
                self._done = n
                self._error = error
                self._view = view if error is None else self._view
                self._cond.notify_all()
                ready = [w for w in self._async if w[0] <= n]
                self._async = [w for w in self._async if w[0] > n]
                self.served += len(ready)
            for _need, loop, future in ready:
                with contextlib.suppress(RuntimeError):  # its loop closed meanwhile
                    loop.call_soon_threadsafe(_settle, future, view, error)

    def _read(self, view: FollowView | None) -> FollowView:
        """Read the chain after ``view``'s head (the first read: only the newest seq)."""
        feed = self.feed
        with feed.store.read() as conn:
            if view is None:
                head = int(conn.scalar("SELECT coalesce(max(seq), 0) FROM changes"))
                return FollowView(base=head, head=head)
            named = feed.named(conn)
            begin = _SNAPSHOT if conn.dialect.name == "postgres" else "BEGIN"
            chain = "EXECUTE clerk_feed_chain(?, ?)" if named else _CHAIN_ROWS_SQL
            try:
                found = conn.rows_batch([(begin, ()), (chain, (view.head, self.max_rows + 1))])[1]
                if len(found) > self.max_rows:  # a burst: the tails behind it check alone
                    top = "EXECUTE clerk_feed_max" if named else "SELECT max(seq) FROM changes"
                    head = int(conn.rows_batch([(top, ()), ("COMMIT", ())])[0][0][0])
                    return FollowView(base=head, head=head)
                data = feed._rows_then_commit(conn, [(r[0], r[2], r[3], r[4]) for r in found])[0]
            except BaseException:
                conn.rollback()
                raise
        if not found:
            return view
        rows = tuple(
            (
                int(seq),
                None if sid is None else str(sid),
                str(entity),
                str(key),
                str(op),
                data.get((str(entity), str(key))) if op == "upsert" else None,
            )
            for seq, sid, entity, key, op in found
        )
        return view.then(_Chunk.of(view.head, rows[-1][0], rows), self.keep)


def _settle(
    future: asyncio.Future[FollowView], view: FollowView | None, error: BaseException | None
) -> None:
    if future.done():  # the pull was cancelled (its client went away)
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert view is not None
        future.set_result(view)


def _follows(feed: ChangeFeed) -> bool:
    """Whether ``feed``'s tails take the chain from a :class:`ChainFollower`: on PostgreSQL,
    unless :data:`FOLLOW_ENV` is ``0``."""
    return feed.store.dialect.name == "postgres" and os.environ.get(FOLLOW_ENV) != "0"


class StoreTails:
    """The :class:`StoreTail` of each store, for :meth:`ChangeFeed.changes_json`."""

    def __init__(
        self,
        feed: ChangeFeed,
        max_entries: int = TAIL_ENTRIES,
        max_stores: int | None = None,
        follower: ChainFollower | bool | None = None,
        max_chars: int = TAIL_CHARS,
    ) -> None:
        self.feed = feed
        self.max_entries = max_entries
        if follower is None or isinstance(follower, bool):  # None: as FOLLOW_ENV says
            on = _follows(feed) if follower is None else follower
            follower = ChainFollower(feed) if on else None
        self.follower = follower
        if max_stores is None:
            max_stores = TAIL_STORES if follower is None else FOLLOWED_TAIL_STORES
        self.max_stores = max_stores
        self.max_chars = max_chars
        self.followed = 0  # pulls whose tail took the follower's rows (no read of their own)
        self.on_loop = os.environ.get(FOLLOW_ENV) != "thread"  # (page_async; "thread": never)
        self._tails: collections.OrderedDict[str, StoreTail] = collections.OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0  # pulls answered from a tail
        self.rebuilt = 0  # tails dropped because the database changed otherwise
        self.asked = 0  # pulls that asked for a tail
        self.no_tail = 0  # of them, for a store with no tail here
        self._stats = os.environ.get(TAIL_STATS_ENV)

    def has(self, store_id: str) -> bool:
        """Whether the store has a tail here (it may still not answer a pull: :meth:`page`)."""
        with self._lock:
            return store_id in self._tails

    def page(self, store_id: str, since: int, limit: int) -> TailPage | None:
        """The page after ``since`` from the store's tail (extended first when the database has
        more), or None: the caller renders it from the database."""
        tail = self._tail(store_id)
        if tail is None:
            return None
        if since < tail.base:
            with tail.lock:
                if since < tail.base and not self._prepend(tail, store_id, since):
                    return None
        chain = tail.chain
        view = seen = None
        if self.follower is not None and chain:
            view = self.follower.wait()
        elif chain:  # what every store logged since: one statement, its own snapshot
            with self.feed.store.read() as conn:
                seen = conn.rows(_CHAIN_ROWS_SQL, (chain, CHAIN_ROWS_MAX + 1))
        with tail.lock:
            if not self._check(tail, store_id, view, chain, seen):
                with self._lock:
                    if self._tails.get(store_id) is tail:
                        del self._tails[store_id]  # the next pull starts one from its cursor
                self.rebuilt += 1
                return None
            if since < tail.base:
                return None
            page = self._slice(tail, since, limit)
        self.hits += 1
        return page

    async def page_async(self, store_id: str, since: int, limit: int) -> TailPage | None:
        """:meth:`page` on the event loop, for a store whose tail takes the follower's rows as
        they are (no read of its own); None when it would need one: the caller then asks
        :meth:`page` on a thread."""
        if self.follower is None or not self.on_loop:
            return None
        # The loop never waits for a lock a thread holds (that thread may be off the CPU): each
        # is tried, and a pull that finds one held goes the thread's way.
        tail = self._tails.get(store_id)  # (one step under the GIL)
        if tail is None or not tail.chain or since < tail.base:
            return None
        view = await self.follower.wait_async()
        if view is None:
            return None
        if not tail.lock.acquire(blocking=False):  # a thread is reading for it
            return None
        try:
            if not self._follow(tail, store_id, view) or since < tail.base:
                return None
            page = self._slice(tail, since, limit)
        finally:
            tail.lock.release()
        if self._lock.acquire(blocking=False):  # (else the counts and the order wait a pull)
            try:
                self.asked += 1
                if self.asked % STATS_EVERY == 0:
                    self._every()
                if self._tails.get(store_id) is tail:
                    self._tails.move_to_end(store_id)
            finally:
                self._lock.release()
        self.hits += 1
        return page

    def _tail(self, store_id: str) -> StoreTail | None:
        """The store's tail (counted as asked), if it has one."""
        with self._lock:
            self.asked += 1
            if self.asked % STATS_EVERY == 0:
                self._every()
            tail = self._tails.get(store_id)
            if tail is None:
                self.no_tail += 1
                return None
            self._tails.move_to_end(store_id)
            return tail

    def _check(
        self,
        tail: StoreTail,
        store_id: str,
        view: FollowView | None,
        chain: int,
        seen: Sequence[Row] | None,
    ) -> bool:
        """(Under the tail's lock.) Bring the tail to the database's rows: from the follower's
        ``view`` when it holds the rows after the tail's chain seq, else from what every store
        logged after ``chain`` (the tail's chain seq before: ``seen``, read just before) or by
        a read of its own. False when the tail is no good."""
        if view is not None and tail.chain:
            rows = view.after(tail.chain)
            if rows is not None:
                if self._follow(tail, store_id, view, rows):
                    return True
                return self._advance(tail, store_id, [r[:5] for r in rows])
        if seen is not None and len(seen) <= CHAIN_ROWS_MAX:
            if tail.chain != chain:  # advanced meanwhile: past all that was seen?
                if (int(seen[-1][0]) if seen else chain) <= tail.chain:
                    return True
            elif self._unaffected(tail, store_id, seen):
                return True
            else:
                return self._advance(tail, store_id, seen)
        return self._advance(tail, store_id, ())

    def _follow(
        self,
        tail: StoreTail,
        store_id: str,
        view: FollowView,
        rows: Sequence[FollowRow] | None = None,
    ) -> bool:
        """(Under the tail's lock.) Take the follower's rows after the tail's chain seq as
        they are: when they hold nothing of the store's, or only new rows of :data:`STABLE`
        entities of its own (a visit is rendered once, from the snapshot that read its change
        row, and stands until its key is logged again), with no key the tail holds logged
        again. False (the tail untouched) when the tail needs a read of its own. ``rows``: the
        rows after the chain seq as :meth:`FollowView.after` gives them; None — the event
        loop's pull — has the chunks' indexes read instead (:meth:`_own_in_view`)."""
        if rows is None:
            mine = self._own_in_view(tail, store_id, view)
            if mine is None:
                return False
            rows = mine  # the store's own rows alone: the checks below are theirs
        own: list[tuple[int, str, str, str, bool]] = []
        data: dict[tuple[str, str], str] = {}
        by_key = tail.by_key
        for seq, sid, entity, key, op, doc in rows:
            if (entity, key) in by_key:
                return False  # logged again: its earlier row dropped (the validator's way)
            if sid is None:
                return False  # a change for every store: others may change
            if sid == store_id:
                if entity not in STABLE:
                    return False
                own.append((seq, entity, key, op, False))
                if doc is not None:
                    data[(entity, key)] = doc
        if own:
            _take(tail, own, {(r[1], r[2]) for r in own if r[3] == "upsert"}, data)
        if view.head > tail.chain:
            tail.chain = view.head
        if own:
            self._trim(tail)
        self.followed += 1
        return True

    def _own_in_view(
        self, tail: StoreTail, store_id: str, view: FollowView
    ) -> list[FollowRow] | None:
        """(Under the tail's lock.) The rows :meth:`_follow` takes after the tail's chain seq —
        the store's own, each key's newest — from the chunks' indexes (each store's rows, the
        keys, whether one is for every store: made once a read, by the follower's thread)
        instead of every store's rows walked and each key's newest found, pull by pull (a
        third of a worker's time on the event loop at 1,000 terminals); None when the tail
        needs a read of its own — also, conservatively, for a row for every store that a later
        row of its key superseded."""
        seq = tail.chain
        if seq < view.base:
            return None
        chunks = view.chunks[bisect.bisect_right(view.heads, seq) :]
        held = tail.by_key.keys()
        found: list[tuple[int, FollowRow]] = []
        for n, chunk in enumerate(chunks):
            if chunk.after >= seq:
                if chunk.common or not held.isdisjoint(chunk.keys):
                    return None  # a change for every store, or a key the tail holds again
                mine: Sequence[FollowRow] = chunk.by_store.get(store_id, ())
            else:  # the first chunk, read partly before the chain seq: its later rows
                mine = []
                for row in chunk.rows:
                    if row[0] <= seq:
                        continue
                    if row[1] is None or (row[2], row[3]) in held:
                        return None
                    if row[1] == store_id:
                        mine.append(row)
            for row in mine:
                if row[2] not in STABLE:
                    return None
                found.append((n, row))
        if len(chunks) > 1 and found:  # a key in a later chunk: its row here was dropped
            found = [
                (n, r)
                for n, r in found
                if not any((r[2], r[3]) in later.keys for later in chunks[n + 1 :])
            ]
        return [r for _n, r in found]

    def _slice(self, tail: StoreTail, since: int, limit: int) -> TailPage:
        """(Under the tail's lock.) The page after ``since`` (at or past the tail's base)."""
        start = bisect.bisect_right(tail.seqs, since)
        end = min(len(tail.seqs), start + limit)
        after = len(tail.seqs) - end
        next_cursor = tail.seqs[end - 1] if end > start else since
        close = (
            f'],"next_cursor":{next_cursor},"has_more":{"true" if after else "false"},'
            f'"remaining":{after}}}'
        ).encode()
        # One join makes the page: the head and the close go on its first and last entries
        # (a few hundred bytes copied), not around the joined entries (the page copied again).
        if end - start > 1:
            parts = tail.parts
            entries = [_OPEN + parts[start], *parts[start + 1 : end - 1], parts[end - 1] + close]
            body = b",".join(entries)
        elif end > start:
            body = _OPEN + tail.parts[start] + close
        else:
            body = _OPEN + close
        return TailPage(body, tail.validator(since, start))

    def _every(self) -> None:
        """(Under ``_lock``, every :data:`STATS_EVERY` pulls asked.) The tails within
        ``max_chars``; the stats line (:data:`TAIL_STATS_ENV`)."""
        self._budget()
        if self._stats:
            self._write_stats(self._stats)

    def _budget(self) -> None:
        """(Under ``_lock``.) Drop the least recently pulled tails past ``max_stores`` or
        ``max_chars`` (each tail's count read without its lock: a figure; the newest kept)."""
        while len(self._tails) > self.max_stores:
            self._tails.popitem(last=False)
        total = sum(t.chars for t in self._tails.values())
        while total > self.max_chars and len(self._tails) > 1:
            total -= self._tails.popitem(last=False)[1].chars

    def _write_stats(self, path: str) -> None:
        """One line of :data:`TAIL_STATS_ENV` (under ``_lock``; the sizes read without the
        tails' own locks: a figure)."""
        tails = list(self._tails.values())
        entries = sum(len(t.parts) for t in tails)
        chars = sum(t.chars for t in tails)
        line = (
            f"{time.time():.3f} {os.getpid()} {self.asked} {self.hits} {self.no_tail} "
            f"{self.rebuilt} {len(tails)} {entries} {chars}\n"
        )
        follower = self.follower
        if follower is not None:  # the follower's: reads made, pulls they served, tails fed
            line += (
                f"{time.time():.3f} {os.getpid()} follow {follower.reads} {follower.served} "
                f"{self.followed}\n"
            )
        with open(path, "a", encoding="ascii") as out:
            out.write(line)

    def start(self, store_id: str, since: int) -> None:
        """Keep the store's tail from ``since`` on (a page there was just read whole)."""
        with self._lock:
            if store_id not in self._tails:
                self._tails[store_id] = StoreTail(base=since)
                self._budget()

    def _unaffected(self, tail: StoreTail, store_id: str, seen: Sequence[Row]) -> bool:
        """Whether the change rows ``seen`` after the tail's chain seq (every store's, read in
        one statement) leave the tail as it is; if so its chain seq moves past them."""
        if len(seen) > CHAIN_ROWS_MAX:
            return False
        for _seq, sid, entity, key, _op in seen:
            if sid is None or sid == store_id or (entity, key) in tail.by_key:
                return False
        if seen:
            tail.chain = int(seen[-1][0])
        return True

    def _advance(self, tail: StoreTail, store_id: str, prior: Sequence[Row] = ()) -> bool:
        """Bring the tail to the database's rows from what every store logged after its chain
        seq (see the module's docstring), in one snapshot with the data it renders; the
        validator's way (:meth:`_extend`) when the chain seq is unknown or far behind. False
        when the tail is no good. ``prior``: what every store logged after the chain seq as the
        caller read it just before (outside the snapshot): the snapshot reads only what came
        after it — seqs become visible in order, so nothing new can appear below; a row of
        ``prior`` dropped since was dropped by the transaction that logged its key again, whose
        row is among those read after (and replaces it)."""
        if not tail.chain:
            return self._extend(tail, store_id)
        after_seq = int(prior[-1][0]) if prior else tail.chain
        with self.feed.store.read() as conn:
            begin = _SNAPSHOT if conn.dialect.name == "postgres" else "BEGIN"  # (feed.snapshot)
            # PostgreSQL: two round trips, the statements prepared (ChangeFeed._rows_then_commit)
            chain = "EXECUTE clerk_feed_chain(?, ?)" if self.feed.named(conn) else _CHAIN_ROWS_SQL
            try:
                later = conn.rows_batch([(begin, ()), (chain, (after_seq, CHAIN_ROWS_MAX + 1))])[1]
                new = _newest_of_each_key([*prior, *later]) if prior and later else prior or later
                if len(later) > CHAIN_ROWS_MAX:
                    data = None
                    conn.execute("COMMIT")
                else:
                    own = [
                        (int(r[0]), str(r[2]), str(r[3]), str(r[4]), r[1] is None)
                        for r in new
                        if r[1] is None or r[1] == store_id
                    ]
                    # A key the tail holds logged again — for this store or another: its
                    # earlier row was dropped (Tx.emit).
                    again = {(str(r[2]), str(r[3])) for r in new} & tail.by_key.keys()
                    if again:
                        tail.remove(again)
                    wanted: set[tuple[str, str]] = set()
                    if own or again:
                        wanted = {(r[1], r[2]) for r in own if r[3] == "upsert"}
                        if _others_may_change(own, again):
                            wanted.update(k for k in tail.by_key if k[0] not in STABLE)
                    data = self._data(conn, sorted(wanted), commit=True)
            except BaseException:
                conn.rollback()
                raise
        if data is None:  # far behind: the validator's way
            tail.chain = 0
            return self._extend(tail, store_id)
        _take(tail, own, wanted, data)
        if new:
            tail.chain = int(new[-1][0])
        self._trim(tail)
        return True

    def _extend(self, tail: StoreTail, store_id: str) -> bool:
        """Bring the tail to the database's rows (see the module's docstring) by the
        validator; False when it cannot be (the tail is no good)."""
        head = tail.seqs[-1] if tail.seqs else tail.base
        with self.feed.store.read() as conn, snapshot(conn):
            current = read_validator(conn, store_id, tail.base)
            if current == tail.validator():  # (a tail just started, or its chain seq unknown)
                tail.chain = int(conn.scalar("SELECT coalesce(max(seq), 0) FROM changes"))
                return True
            if current[2] - len(tail.seqs) > self.max_entries:
                return False  # far behind (a first pull, a bulk change): render as before
            new = [
                (int(r[0]), str(r[1]), str(r[2]), str(r[3]), bool(r[4]))
                for r in conn.rows(_TAIL_ROWS_SQL, (store_id, head))
            ]
            # A key logged again had its earlier change row dropped (Tx.emit): so here.
            again = {(r[1], r[2]) for r in new} & tail.by_key.keys()
            if again:
                tail.remove(again)
            wanted = {(r[1], r[2]) for r in new if r[3] == "upsert"}
            if _others_may_change(new, again):
                wanted.update(k for k in tail.by_key if k[0] not in STABLE)
            data = self._data(conn, sorted(wanted))
            chain = int(conn.scalar("SELECT coalesce(max(seq), 0) FROM changes"))
        _take(tail, new, wanted, data)
        if current != tail.validator():
            return False
        tail.chain = chain
        self._trim(tail)
        return True

    def _prepend(self, tail: StoreTail, store_id: str, since: int) -> bool:
        """Lower the tail's base to ``since`` (a terminal a little behind it): the rows in
        between read and rendered in one snapshot; False when there are too many."""
        room = self.max_entries - len(tail.seqs)
        if room <= 0:
            return False
        with self.feed.store.read() as conn, snapshot(conn):
            older = [
                (int(r[0]), str(r[1]), str(r[2]), str(r[3]), bool(r[4]))
                for r in conn.rows(_OLDER_ROWS_SQL, (store_id, since, tail.base, room + 1))
            ]
            if len(older) > room:
                return False
            data = self._data(conn, sorted({(r[1], r[2]) for r in older if r[3] == "upsert"}))
        if not older:
            tail.base = since
            return True
        head = StoreTail(base=since)
        for seq, entity, key, op, common in older:
            head.append(seq, entity, key, op, common)
            head.parts[-1] = _entry(seq, entity, key, op, data.get((entity, key)))
        for k, seqs in tail.by_key.items():
            head.by_key[k] = (*head.by_key.get(k, ()), *seqs)
        tail.seqs[:0], tail.rows[:0] = head.seqs, head.rows
        tail.common[:0], tail.parts[:0] = head.common, head.parts
        tail.chars += sum(len(p) for p in head.parts)
        tail.by_key = head.by_key
        tail.base = since
        tail.own_max = tail.own_max or head.own_max
        tail.common_max = tail.common_max or head.common_max
        return True

    def _data(
        self, conn: Conn, keys: Sequence[tuple[str, str]], *, commit: bool = False
    ) -> dict[tuple[str, str], str]:
        """The current data (JSON text) of those ``keys`` whose rows exist and may be sent;
        ``commit``: then the snapshot's ``COMMIT`` (PostgreSQL: in the same message)."""
        rows: list[Row] = [(0, entity, key, "upsert") for entity, key in sorted(keys)]
        if commit:
            return self.feed._rows_then_commit(conn, rows)[0]
        return self.feed._current_rows(conn, rows)

    def _trim(self, tail: StoreTail) -> None:
        drop = len(tail.seqs) - self.max_entries
        if drop <= 0:
            return
        drop = max(drop, self.max_entries // 4)  # in steps, not one entry a pull
        for (entity, key, _op), seq in zip(tail.rows[:drop], tail.seqs[:drop], strict=True):
            k = (entity, key)
            left = tuple(s for s in tail.by_key[k] if s != seq)
            if left:
                tail.by_key[k] = left
            else:
                del tail.by_key[k]
        tail.base = tail.seqs[drop - 1]
        tail.chars -= sum(len(p) for p in tail.parts[:drop])
        del tail.seqs[:drop], tail.rows[:drop], tail.common[:drop], tail.parts[:drop]
        if tail.own_max <= tail.base:
            tail.own_max = 0
        if tail.common_max <= tail.base:
            tail.common_max = 0


def _newest_of_each_key(rows: Sequence[Row]) -> list[Row]:
    """Change rows (seq, store, entity, key, op) in seq order, each key's newest only (the
    feed's: an older row of a key logged again is dropped)."""
    last = {(r[2], r[3]): i for i, r in enumerate(rows)}
    return [r for i, r in enumerate(rows) if last[(r[2], r[3])] == i]


def _others_may_change(
    new: Sequence[tuple[int, str, str, str, bool]], again: set[tuple[str, str]]
) -> bool:
    """Whether the store's ``new`` change rows (seq, entity, key, op, common) and the keys
    logged ``again`` may come with changes to a tail's rows of entities not in :data:`STABLE`
    (those are then read again): anything but new rows of :data:`STABLE` entities of the
    store's own."""
    return bool(again) or any(r[1] not in STABLE or r[4] for r in new)


def _entry(seq: int, entity: str, key: str, op: str, data: str | None) -> bytes:
    """One change as the page's JSON: what :meth:`ChangeFeed._render` writes (an upsert whose
    row is gone is a delete)."""
    if op == "upsert" and data is None:
        op = "delete"
    if op != "upsert":
        data = None
    enc = encode_basestring
    return (
        f'{{"seq":{seq},"entity":{enc(entity)},"op":{enc(op)},"key":{enc(key)},'
        f'"data":{"null" if data is None else data}}}'
    ).encode()
