"""SyncEngine: the terminal side of sync — enrol, push the outbox, pull the store's slice.

* push: the outbox's oldest unsettled rows (bounded by count and bytes) are marked ``sent``,
  handed to the hub, and settled from its per-item answers. When the hub fails a whole batch
  with an answer that one item's content may cause (any 4xx but auth, wrong address, conflict,
  gone and rate limits; any 5xx but 502/503/504), the batch is bisected until the item(s) are
  found, so one bad row never blocks the rows behind it. An item refused alone with 400/413/422
  is rejected (the hub's verdict on its content); an item failing alone otherwise is a poison
  suspect: it goes to the back of the queue and, after ``outbox.MAX_ITEM_FAILURES`` such
  failures while the hub accepted other items, is parked in ``attention`` with the hub's answer.
  A batch whose halves all fail is the hub failing, not an item: bisection stops early (two
  items failing alone before anything succeeded) and nothing is parked without evidence that
  the hub takes other items. Transport failures and transient answers (408, 429, 502/503/504:
  Retry-After honoured by the scheduler) leave the rows unsettled for a retry, never parked.
* pull: pages of the changes feed, each applied together with the cursor that covers it in one
  cache.db transaction — a kill at any point resumes without gaps or duplicates. Pages are
  asked for in the compact row format (``format=rows``: runs of one entity and op, rows as
  arrays, checked column by column); a hub without it answers objects, applied as before. The
  next page is fetched while one is applied (one page of lookahead: at most two pages in
  memory). A first
  download of at least ``BULK_MIN_ROWS`` into an empty cache is a bulk load: the secondary
  indexes and the name search index are built once after the last page (``_apply_page``), and
  up to ``BULK_COMMIT_PAGES`` pages that arrive without a wait share one transaction, each
  with its cursor (a kill loses the uncommitted ones, refetched from the committed cursor).
* sync_once: push, then pull — a failed push never stops the pull (new members and key
  rotations still arrive); the push's error is raised after the pull.
* fetch_member: a cache miss looked up at the hub while the customer waits (≤ 1 s), by the
  proof of presence the identity carries (the member code, card or phone as read).
* credentials: the client renews its short-lived access token with the device secret (and
  the engine keeps each new one in outbox_meta). When the hub answers ``device_revoked``, the
  engine records it (outbox_meta ``device_revoked_at``) and from then on refuses every round
  itself — no request, the outbox untouched — until the terminal is enrolled again.

Facts for ``clerk status`` and the UI go into cache.db's ``sync_state`` (cursor, last_pull_at,
last_push_at, last_error, online, clock_offset_s); ``last_push_at`` also into outbox_meta.

``Scheduler`` (sync.scheduler, re-exported here) decides when the worker thread runs
``sync_once``: right after a record while online, every ``interval_s`` otherwise, with
full-jitter backoff after failures and Retry-After honoured; Qt-free, with an injectable clock.

Over 700 lines, on purpose for now: push, pull, fetch-by-proof and the live pull share one
lock, one cache connection and one online state; the seam for a split is push (batching,
bisection, parking) into its own module, once the live pull settles.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import math
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeGuard, cast

from clerk import cache as cache_mod
from clerk import logs
from clerk import outbox as outbox_mod
from clerk.db import Transaction, is_corruption
from clerk.errors import CacheRebuildingError, ClerkError, NotEnrolledError, StorageError
from clerk.model import Identity
from clerk.outbox import Recorded
from clerk.settings import check_hub_url
from clerk.shared.phones import tail
from sync.client import HubClient
from sync.credentials import (
    Credentials,
    adopt_legacy_secret,
    credentials,
    note_access_token,
    note_revoked,
    save_credentials,
)
from sync.errors import (
    AuthError,
    DeviceRevokedError,
    HubError,
    NoProofError,
    ProtocolError,
    RejectedError,
    SyncError,
    TransportError,
)
from sync.protocol import (
    INTEGER_KEYS,
    ChangeDict,
    ChangesPageDict,
    InteractionBatchResponse,
    MemberView,
    RowsPageDict,
    RowsRunDict,
)
from sync.scheduler import Scheduler as Scheduler

log = logging.getLogger(__name__)

# A whole batch refused with one of these is the hub's verdict on an item's content: bisected,
# and the item found alone is rejected.
REJECT_STATUSES = frozenset({400, 413, 422})
# Whole-batch failures that say nothing about the items: auth, a wrong address or method, a
# conflict of state, gone, and the transient ones (timeouts, rate limits, gateways, busy).
# Never bisected; every other 4xx or 5xx may be one item's doing and is.
NOT_ITEM_STATUSES = frozenset({401, 403, 404, 405, 408, 409, 410, 429, 502, 503, 504})
# Bisection stops when this many items failed alone before any request succeeded: the hub is
# failing everything, and the batch is retried later as a whole.
ABORT_AFTER_LONE_FAILURES = 2
STUCK_AFTER_S = 300
# No cached column holds more than this (names, titles, JSON tag lists): a longer value is a
# hostile or broken hub, and must not reach the cache.
MAX_VALUE_LEN = 4096
# The protocol's largest page: a quarter of the round trips and commits of 2000-row pages
# (a 5000-row page is under 1 MB of JSON and a few MB parsed; one page is held at a time).
DEFAULT_PULL_LIMIT = 5000
TOUCHED_ROWS = 1000  # pages up to this size report the members they touched (live repaint)
MAX_KEY_LEN = 256  # a change's key (protocol.Change.key)
# A changes page in either wire format: objects (ChangesResponse) or rows (RowsResponse).
Page = ChangesPageDict | RowsPageDict
# A first pull into an empty cache with at least this many changes to come is a bulk load:
# secondary indexes and the name search index are built once, after the last page.
BULK_MIN_ROWS = 50_000
# During a bulk load, up to this many pages commit as one transaction (each page's rows with
# its cursor, so a kill resumes from the last committed one): a commit writes every cache
# page the transaction dirtied to the WAL, and consecutive pages dirty many of the same ones.
# Pages join a transaction only while the next one has already arrived, so the transaction
# (and the engine's lock) is never held across a wait for the hub.
BULK_COMMIT_PAGES = 8
# During a bulk pull, the cyclic garbage collector's first threshold (see _fewer_collections):
# a page parsed is some 5,000 new lists that live until the page is written, so at Python's
# default (700) the collector runs every few hundred rows, walks the pages still in memory and
# promotes them, and every dozen pages or so walks everything the process holds (1,731 young,
# 158 middle and 13 full collections in a 1.06 M-row pull; about 15 % of the terminal's CPU).
BULK_GC_THRESHOLD = 50_000

# sync_state keys in cache.db (read by clerk.terminal)
STATE_CURSOR = "cursor"
STATE_LAST_PULL_AT = "last_pull_at"
STATE_LAST_PUSH_AT = "last_push_at"
STATE_LAST_ERROR = "last_error"
STATE_LAST_ERROR_AT = "last_error_at"
STATE_ONLINE = "online"
STATE_CLOCK_OFFSET = "clock_offset_s"
META_LAST_PUSH_AT = "last_push_at"

# progress(done, remaining, eta_s): rows applied so far in this pull, rows still to come
# (None when the hub does not say), estimated seconds left (None until a rate is known).
Progress = Callable[[int, int | None, float | None], None]


@dataclass(frozen=True)
class PushResult:
    sent: int = 0  # distinct items handed to the hub
    accepted: int = 0
    duplicate: int = 0
    conflict: int = 0
    rejected: int = 0
    requests: int = 0
    failed: int = 0  # items the hub failed on alone this time: left for a later retry
    parked: int = 0  # of those, parked in ``attention`` (no more retries)

    @property
    def settled(self) -> int:
        return self.accepted + self.duplicate + self.conflict + self.rejected

    def __add__(self, other: PushResult) -> PushResult:
        return PushResult(
            self.sent + other.sent,
            self.accepted + other.accepted,
            self.duplicate + other.duplicate,
            self.conflict + other.conflict,
            self.rejected + other.rejected,
            self.requests + other.requests,
            self.failed + other.failed,
            self.parked + other.parked,
        )


@dataclass
class _Round:
    """One push_once: did any request succeed, and which items failed alone (and how)."""

    succeeded: bool = False
    lone_failures: list[tuple[Recorded, str]] = field(default_factory=list)
    error: HubError | None = None  # the last lone failure's


@dataclass(frozen=True)
class PullResult:
    pages: int = 0
    changes: int = 0
    cursor: int = 0
    caught_up: bool = False  # the hub said has_more = false
    seconds: float = 0.0
    # The members whose rows the pull changed; None: too many rows to tell (anyone may be).
    members: frozenset[str] | None = frozenset()

    def touches(self, member_id: str) -> bool:
        return self.members is None or member_id in self.members


@dataclass(frozen=True)
class SyncReport:
    pushed: PushResult = field(default_factory=PushResult)
    pulled: PullResult = field(default_factory=PullResult)
    pending: int = 0
    caught_up: bool = False  # nothing left to push and nothing left to pull


class SyncEngine:
    def __init__(
        self,
        cache_conn: sqlite3.Connection,
        outbox_conn: sqlite3.Connection,
        client: HubClient,
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        batch_items: int = 500,
        batch_bytes: int = 900_000,
        bulk_min_rows: int = BULK_MIN_ROWS,
        bulk_commit_pages: int = BULK_COMMIT_PAGES,
        row_format: bool = True,
    ) -> None:
        self.cache = cache_conn
        self.outbox = outbox_conn
        self.client = client
        self.clock = clock
        self.rng = rng if rng is not None else random.Random()
        self.batch_items = batch_items
        self.batch_bytes = batch_bytes
        self.bulk_min_rows = bulk_min_rows
        self.bulk_commit_pages = bulk_commit_pages
        # Pages asked for in the compact row format (``format=rows``) while catching up — a
        # first download, a bulk one resumed, every page after a pull's first —; a hub without
        # it answers the object format, and that is applied as before. A pull's first page from
        # a cursor near the head (a few rows, the same for every terminal of the store) and
        # the live long-poll's stay in the object format, which the hub serves from each
        # store's rendered tail (sync/hub/feed_tail.py).
        self.row_format = row_format
        # Serialises this engine's writes: the worker thread syncs while the GUI thread may
        # fetch a member on a cache miss through the same connections.
        self._lock = threading.RLock()
        # One pull at a time (the scheduler's round, the live listener): pages never apply
        # out of order. Held while pages are fetched and applied, never while a long-poll waits.
        self._pull_lock = threading.Lock()
        self._saved_online: bool | None = None
        # cache.db may be set aside while this engine runs (a damaged page met by a lookup or
        # by this engine): it then moves to the new file and pulls again from cursor 0.
        self._cache_file = cache_mod.main_file(cache_conn)
        self._cache_id = None if self._cache_file is None else cache_mod.file_id(self._cache_file)
        creds = adopt_legacy_secret(outbox_conn)
        if creds is not None:
            if client.token is None:
                client.configure(base_url=creds.hub_url, token=creds.token)
            client.configure(device_id=creds.device_id, device_secret=creds.device_secret)
        client.on_token = self._keep_token

    # -- enrolment ----------------------------------------------------------------------------

    def credentials(self) -> Credentials | None:
        return credentials(self.outbox)

    def _require_enrolled(self) -> Credentials:
        creds = self.credentials()
        if creds is None:
            raise NotEnrolledError("this terminal is not enrolled to a store yet")
        if creds.revoked_at is not None:
            raise DeviceRevokedError.local(
                "this terminal was removed from the store — ask IT (its unsent records stay "
                "here: clerk outbox export)"
            )
        return creds

    def _keep_token(self, token: str) -> None:
        with self._lock:
            note_access_token(self.outbox, token)

    def _note_revoked(self) -> None:
        with self._lock:
            if self.credentials() is not None:
                note_revoked(self.outbox, int(self.clock()))
        log.warning("the hub says this terminal was revoked: syncing stops, the outbox is kept")

    def enroll(
        self, hub_url: str, store_id: str, code: str, device_name: str = "terminal"
    ) -> Credentials:
        """Enrol this terminal with a one-time code; store the token and the public keys.

        Enrolling to another store or hub empties the cache (its slice belongs to the old
        one); the outbox is kept and pushed under the new enrolment.
        """
        hub_url = check_hub_url(hub_url)  # https, or http to this machine only: ConfigError
        previous = self.credentials()
        old_url = self.client.base_url
        self.client.configure(base_url=hub_url)
        try:
            resp = self.client.enroll(store_id, code, device_name)
        except SyncError as exc:
            self.client.configure(base_url=old_url)  # still enrolled where it was
            self._note_error(exc)
            raise
        if resp.store_id != store_id:
            raise ProtocolError(f"enrolled to store {resp.store_id!r}, asked for {store_id!r}")
        creds = Credentials(
            device_id=resp.device_id,
            token=resp.token,
            store_id=resp.store_id,
            hub_url=hub_url.rstrip("/"),
            phone_bucket_key=resp.phone_bucket_key,
            phone_seal_key=resp.phone_seal_key,
            store_name=resp.store_name,
            device_name=device_name,
            enrolled_at=int(self.clock()),
            device_secret=resp.device_secret or resp.token,
        )
        with self._lock:
            save_credentials(self.outbox, creds)  # a revoked mark of the old enrolment goes
            self.client.configure(
                token=creds.token,
                expires_in=resp.token_expires_in,
                device_id=creds.device_id,
                device_secret=creds.device_secret,
            )
            moved = previous is not None and (
                previous.store_id != creds.store_id or previous.hub_url != creds.hub_url
            )
            keys = [
                {"entity": "key", "op": "upsert", "key": str(k.kid), "data": k.model_dump()}
                for k in resp.keys
            ]
            with Transaction(self.cache):
                if moved:
                    for table, _pk, _cols in cache_mod.TABLES.values():
                        self.cache.execute(f"DELETE FROM {table}")
                    self.cache.execute("DELETE FROM sync_state")
                cache_mod.apply_changes(self.cache, keys)
                self._write_state_in_tx(online=True)
        return creds

    def refresh_keys(self) -> int:
        """Fetch the hub's member-code public keys into the cache. Returns how many."""
        self._require_enrolled()
        self._follow_cache()
        try:
            resp = self.client.keys()
        except SyncError as exc:
            self._note_error(exc)
            raise
        rows = [
            {"entity": "key", "op": "upsert", "key": str(k.kid), "data": k.model_dump()}
            for k in resp.keys
        ]
        with self._lock:
            if resp.phone_bucket_key and resp.phone_seal_key:
                outbox_mod.set_meta(
                    self.outbox,
                    {
                        outbox_mod.META_PHONE_BUCKET_KEY: resp.phone_bucket_key,
                        outbox_mod.META_PHONE_SEAL_KEY: resp.phone_seal_key,
                    },
                )
            with Transaction(self.cache):
                cache_mod.apply_changes(self.cache, rows)
                self._write_state_in_tx(online=True)
        return len(rows)

    # -- push ---------------------------------------------------------------------------------

    def push_once(self) -> PushResult:
        """Push one batch of the outbox. Raises SyncError when the batch could not be settled
        (its rows stay unsettled, with the error noted, for a later retry)."""
        self._require_enrolled()
        self._follow_cache()
        with self._lock:
            batch = outbox_mod.next_batch(
                self.outbox, max_items=self.batch_items, max_bytes=self.batch_bytes
            )
            if not batch:
                return PushResult()
            outbox_mod.mark_sent(self.outbox, [r.id for r in batch], now=int(self.clock()))
        rnd = _Round()
        try:
            result = self._push(batch, rnd)
        finally:
            now = int(self.clock())
            if rnd.succeeded:
                with self._lock:
                    outbox_mod.set_meta(self.outbox, {META_LAST_PUSH_AT: str(now)})
            parked = self._settle_lone_failures(rnd, now)
        if rnd.error is not None and not rnd.succeeded and parked < len(rnd.lone_failures):
            # Nothing got through and an item is still failing: a failed push (backoff).
            self._note_error(rnd.error)
            raise rnd.error
        result = result + PushResult(failed=len(rnd.lone_failures), parked=parked)
        with self._lock, Transaction(self.cache):
            cache_mod.set_state(self.cache, STATE_LAST_PUSH_AT, str(now))
            last = rnd.lone_failures[-1][1] if rnd.lone_failures else None
            cache_mod.set_state(self.cache, STATE_LAST_ERROR, last)
            if last is not None:
                cache_mod.set_state(self.cache, STATE_LAST_ERROR_AT, str(now))
            self._write_state_in_tx(online=True)
        return result

    def _push(self, batch: Sequence[Recorded], rnd: _Round) -> PushResult:
        try:
            resp = self.client.push([r.wire() for r in batch])
        except HubError as exc:
            if not _item_may_cause(exc):
                self._fail(batch, exc)
                raise
            if len(batch) == 1:
                return self._failed_alone(batch[0], exc, rnd)
            mid = len(batch) // 2
            left = self._push(batch[:mid], rnd)
            right = self._push(batch[mid:], rnd)
            return PushResult(requests=1) + left + right
        except SyncError as exc:
            self._fail(batch, exc)
            raise
        try:
            results = _checked_results(batch, resp)
        except ProtocolError as exc:
            self._fail(batch, exc)
            raise
        rnd.succeeded = True
        with self._lock:
            counts = outbox_mod.apply_results(self.outbox, results, now=int(self.clock()))
        return PushResult(
            sent=len(batch),
            accepted=counts.get("accepted", 0),
            duplicate=counts.get("duplicate", 0),
            conflict=counts.get("conflict", 0),
            rejected=counts.get("rejected", 0),
            requests=1,
        )

    def _failed_alone(self, item: Recorded, exc: HubError, rnd: _Round) -> PushResult:
        """One item, pushed alone, failed: rejected when the hub refused its content; else a
        poison suspect (counted and maybe parked when the round ends) — unless nothing has
        succeeded yet and this is already the second such item: then the hub is failing
        everything, and the round stops with ``exc``."""
        answer = _answer_text(exc)
        if exc.status in REJECT_STATUSES:
            with self._lock:
                outbox_mod.apply_results(
                    self.outbox,
                    [{"id": item.id, "status": "rejected", "reason": answer}],
                    now=int(self.clock()),
                )
            return PushResult(sent=1, rejected=1, requests=1)
        rnd.lone_failures.append((item, answer))
        rnd.error = exc
        if not rnd.succeeded and len(rnd.lone_failures) >= ABORT_AFTER_LONE_FAILURES:
            self._note_error(exc)
            raise exc
        return PushResult(sent=1, requests=1)

    def _settle_lone_failures(self, rnd: _Round, now: int) -> int:
        """Count each lone failure on its row; park the rows that reached the bound while the
        hub took other items (in this round, or since the row first failed). Returns how many
        were parked."""
        if not rnd.lone_failures:
            return 0
        parked = 0
        with self._lock:
            last_ok = _int_or_none(outbox_mod.get_meta(self.outbox, META_LAST_PUSH_AT))
            for item, answer in rnd.lone_failures:
                failures = outbox_mod.note_item_failure(self.outbox, item.id, answer, now=now)
                since = outbox_mod.item_failed_since(self.outbox, item.id)
                hub_takes_others = rnd.succeeded or (
                    last_ok is not None and since is not None and last_ok >= since
                )
                if failures >= outbox_mod.MAX_ITEM_FAILURES and hub_takes_others:
                    outbox_mod.park(self.outbox, item.id, answer, now=now)
                    parked += 1
                    log.warning(
                        "interaction %s (%s) parked for a person after %d failures alone: %s",
                        item.id,
                        item.kind,
                        failures,
                        answer,
                    )
        return parked

    def _fail(self, batch: Sequence[Recorded], exc: SyncError) -> None:
        with self._lock:
            outbox_mod.mark_failed(self.outbox, [r.id for r in batch], _error_text(exc))
        self._note_error(exc)

    # -- pull ---------------------------------------------------------------------------------

    def cursor(self) -> int:
        try:
            value = cache_mod.get_state(self.cache, STATE_CURSOR)
        except sqlite3.DatabaseError as exc:
            if is_corruption(exc):
                raise self._cache_damaged(exc) from exc
            raise
        try:
            return int(value) if value is not None else 0
        except ValueError:
            return 0

    def pull_once(
        self,
        limit: int = DEFAULT_PULL_LIMIT,
        *,
        progress: Progress | None = None,
        max_pages: int | None = None,
    ) -> PullResult:
        """Pull pages of changes until the hub has no more (or ``max_pages``).

        While a page is applied, the next one is already being fetched (one page of
        lookahead, on a worker thread): the hub builds page n+1 while the cache writes
        page n. At most two pages are in memory; none is applied out of order, and an
        error fetching page n+1 surfaces only after page n is committed. In a bulk load,
        pages that follow one another without a wait commit together (BULK_COMMIT_PAGES):
        ``progress`` may then be called inside that transaction, with this engine's lock
        held — it must not wait on another thread that uses this engine.
        """
        self._require_enrolled()
        with self._pull_lock:
            return self._pull(limit, progress=progress, max_pages=max_pages)

    def pull_live(self, wait_s: float, limit: int = DEFAULT_PULL_LIMIT) -> PullResult | None:
        """Wait (long-poll, up to ``wait_s``) for the store's next change and pull it at once;
        None when nothing came. The wait holds no lock: a scheduled round may run meanwhile,
        and a page that no longer starts at the cursor is dropped for an ordinary pull."""
        self._require_enrolled()
        self._follow_cache()
        since = self.cursor()
        try:
            page = self.client.changes_page(since, limit, wait=wait_s, rows=False)
            _check_page(since, limit, page)
        except SyncError as exc:
            self._note_error(exc)
            raise
        if not _count(page):
            self._note_online(True)
            return None
        with self._pull_lock:
            if self.cursor() != since:  # a scheduled round got there first
                return self._pull(limit, progress=None, max_pages=None)
            started = self.clock()
            touched = self._apply_page(page, caught_up=not page["has_more"])
            first = PullResult(
                1,
                _count(page),
                page["next_cursor"],
                not page["has_more"],
                self.clock() - started,
                touched,
            )
            if first.caught_up:
                return first
            rest = self._pull(limit, progress=None, max_pages=None)
            members = None if rest.members is None or touched is None else touched | rest.members
            return PullResult(
                rest.pages + 1,
                rest.changes + first.changes,
                rest.cursor,
                rest.caught_up,
                rest.seconds + first.seconds,
                members,
            )

    def _pull(self, limit: int, *, progress: Progress | None, max_pages: int | None) -> PullResult:
        self._follow_cache()
        started = self.clock()
        cursor = self.cursor()
        first_download = cursor == 0
        done = pages = 0
        members: set[str] | None = set()
        caught_up = False
        start = cursor
        catching_up = self.row_format and (first_download or cache_mod.bulk_pending(self.cache))

        def fetch(since: int) -> Page:
            rows = catching_up or (self.row_format and since != start)
            return self.client.changes_page(since, limit, rows=rows)

        # A bulk load (begun by this pull's first page, or resumed) commits consecutive pages
        # together (BULK_COMMIT_PAGES); anything else commits page by page.
        in_bulk = catching_up and cache_mod.bulk_pending(self.cache)
        batch = _PageBatch(self)
        with _Lookahead(fetch) as ahead, _fewer_collections(catching_up):
            try:
                while not caught_up and (max_pages is None or pages < max_pages):
                    try:
                        page = ahead.take(cursor)
                        _check_page(cursor, limit, page)
                        caught_up = not page["has_more"]
                        if not caught_up and (max_pages is None or pages + 1 < max_pages):
                            ahead.start(page["next_cursor"])
                        bulk = first_download and pages == 0 and self._worth_bulk(page)
                        touched = self._apply_page(
                            page,
                            caught_up=caught_up,
                            start_bulk=bulk,
                            batch=batch if in_bulk else None,
                        )
                        members = None if members is None or touched is None else members | touched
                        if bulk and catching_up:
                            in_bulk = cache_mod.bulk_pending(self.cache)
                        if batch.pages and not (
                            batch.pages < self.bulk_commit_pages and ahead.ready()
                        ):
                            self._commit_batch(batch)
                    except SyncError as exc:
                        batch.close()  # the pages applied before the error are kept
                        self._note_error(exc)
                        raise
                    cursor = page["next_cursor"]
                    done += _count(page)
                    pages += 1
                    if progress is not None:
                        remaining = _remaining_after(page)
                        elapsed = self.clock() - started
                        eta = None
                        if remaining is not None and done and elapsed > 0:
                            eta = remaining * elapsed / done
                        progress(done, remaining, eta)
                    del page  # this page and the one being fetched: no more in memory
                self._commit_batch(batch)
            finally:
                batch.close()
        return PullResult(
            pages,
            done,
            cursor,
            caught_up,
            self.clock() - started,
            None if members is None else frozenset(members),
        )

    def _worth_bulk(self, page: Page) -> bool:
        """The first page of a first download says enough is to come for a bulk load."""
        if not page["has_more"]:
            return False
        remaining = page.get("remaining")
        return remaining is not None and _count(page) + remaining >= self.bulk_min_rows

    def _apply_page(
        self,
        page: Page,
        *,
        caught_up: bool,
        start_bulk: bool = False,
        batch: _PageBatch | None = None,
    ) -> frozenset[str] | None:
        """Apply a page with its cursor; returns the members it touched (None: a page too big
        to tell — a bulk pull, where no one screen is worth the look-ups).

        A bulk load (``start_bulk`` on the first page of a first download into an empty cache:
        ``cache.begin_bulk``) drops the secondary indexes and stops keeping the search index in
        the page's own transaction, and notes that in sync_state; every page after it is applied
        the same way, and the page that catches up is followed by ``cache.finish_bulk`` in a
        transaction of its own. A kill at any point resumes from the cursor, still in bulk,
        and whichever pull next catches up builds the indexes (``finish_bulk`` is all or
        nothing).

        ``batch``: the page joins the batch's open transaction (begun here if it is not) as a
        savepoint — a page refused or failing is undone alone, the pages before it stay for
        the batch's commit; the caller commits the batch, or this does when the page catches
        up (before ``finish_bulk``)."""
        # Grouped by entity (seq order kept within each): the feed interleaves a member's
        # rows across tables, and apply_changes writes one executemany per run of the same
        # (entity, op). Tables are independent and the page commits as one, so the order
        # across entities does not matter. The validated rows go to the cache as they are.
        # A page in the row format comes grouped so (its runs), its rows as arrays.
        if _is_rows(page):
            runs = page["runs"]
            count = _count(page)

            def small_changes() -> Iterable[Mapping[str, Any]]:
                return cache_mod.changes_of_runs(runs)

            def apply(search_index: bool) -> None:
                cache_mod.apply_runs(self.cache, runs, search_index=search_index)
        else:
            changes = cast(ChangesPageDict, page)["changes"]
            count = len(changes)
            by_entity: dict[str, list[ChangeDict]] = {}
            for c in changes:
                group = by_entity.get(c["entity"])
                if group is None:
                    group = by_entity[c["entity"]] = []
                group.append(c)
            rows = itertools.chain.from_iterable(by_entity.values())

            def small_changes() -> Iterable[Mapping[str, Any]]:
                return changes

            def apply(search_index: bool) -> None:
                cache_mod.apply_changes(self.cache, rows, search_index=search_index)

        touched: frozenset[str] | None = None
        with self._lock, self._cache_errors():
            if batch is not None:
                batch.begin()
            with Transaction(self.cache):  # a savepoint in an open batch
                if start_bulk and cache_mod.is_empty(self.cache):
                    cache_mod.begin_bulk(self.cache)
                bulk = cache_mod.bulk_pending(self.cache)
                if count <= TOUCHED_ROWS:
                    touched = frozenset(cache_mod.touched_members(self.cache, small_changes()))
                apply(not bulk)
                cache_mod.set_state(self.cache, STATE_CURSOR, str(page["next_cursor"]))
                if caught_up and not bulk:
                    cache_mod.set_state(self.cache, STATE_LAST_PULL_AT, str(int(self.clock())))
                    cache_mod.set_state(self.cache, STATE_LAST_ERROR, None)
                self._write_state_in_tx(online=True)
            if batch is not None:
                batch.pages += 1
                if caught_up:
                    batch.commit()
            if caught_up and bulk:
                with Transaction(self.cache):
                    cache_mod.finish_bulk(self.cache)
                    cache_mod.set_state(self.cache, STATE_LAST_PULL_AT, str(int(self.clock())))
                    cache_mod.set_state(self.cache, STATE_LAST_ERROR, None)
        return touched

    def _commit_batch(self, batch: _PageBatch) -> None:
        with self._lock, self._cache_errors():
            batch.commit()

    @contextlib.contextmanager
    def _cache_errors(self) -> Iterator[None]:
        """Writing pulled rows: what the cache refuses is the hub's doing (ProtocolError); a
        damaged cache is set aside (CacheRebuildingError); other storage errors pass."""
        try:
            yield
        except (ValueError, TypeError, OverflowError) as exc:
            raise ProtocolError(f"the hub sent rows the cache cannot take: {exc}") from exc
        except StorageError as exc:
            if _is_bad_data(exc):
                raise ProtocolError(f"the hub sent rows the cache cannot take: {exc}") from exc
            if is_corruption(exc):
                raise self._cache_damaged(exc) from exc
            raise

    # -- push + pull ----------------------------------------------------------------------------

    def sync_once(self, *, progress: Progress | None = None) -> SyncReport:
        """Push everything pending, then pull until caught up.

        A push that fails does not stop the pull: members, their changes and key rotations
        keep arriving while the hub refuses or fails on what this terminal sends. The push's
        error is raised once the pull is done (the pull's own error, if it failed too)."""
        pushed = PushResult()
        push_error: SyncError | None = None
        try:
            while True:
                step = self.push_once()
                pushed = pushed + step
                if step.sent == 0 or (step.settled == 0 and step.parked == 0):
                    break
        except SyncError as exc:
            push_error = exc
        pulled = self.pull_once(progress=progress)
        if push_error is not None:
            raise push_error
        pending = outbox_mod.status(self.outbox).pending
        return SyncReport(pushed, pulled, pending, pending == 0 and pulled.caught_up)

    def probe(self) -> float | None:
        """Offline: is the hub reachable again? (GET /healthz; notes the answer as the
        terminal's online state). Raises TransportError while it is not; returns the window
        the hub asks the first round to be spread over (None: it did not say)."""
        try:
            window = self.client.healthz()
        except SyncError as exc:
            self._note_online(not isinstance(exc, TransportError))
            raise
        self._note_online(True)
        return window

    # -- on-demand member ---------------------------------------------------------------------

    def fetch_member(self, identity: Identity, staff_id: str | None = None) -> str | None:
        """Look a cache miss up at the hub (≤ 1 s) and cache the member's slice.

        A member of this store by id; any other by the proof of presence the identity carries
        (the member code, card or phone as read), asked by the signed-in ``staff_id`` — the hub
        serves no member from elsewhere without both (:class:`NoProofError`). Returns the
        member id, None when the hub does not know the identity; raises TransportError when
        the hub cannot be reached (the caller shows "not cached").
        """
        self._require_enrolled()
        self._follow_cache()
        try:
            view = self._lookup(identity, staff_id)
        except SyncError as exc:
            if isinstance(exc, DeviceRevokedError):
                self._note_revoked()
            self._note_online(not isinstance(exc, TransportError))
            raise
        self._note_online(True)
        if view is None:
            return None
        member_id = _checked_member_view(identity, view)
        logs.remember_personal(view.member.get("name"), view.member.get("name_en"))
        with self._lock:
            try:
                cache_mod.store_member_view(self.cache, view.model_dump())
            except (ValueError, TypeError, OverflowError, KeyError) as exc:
                raise ProtocolError(f"the hub sent a member the cache cannot take: {exc}") from exc
            except StorageError as exc:
                if _is_bad_data(exc):
                    raise ProtocolError(
                        f"the hub sent a member the cache cannot take: {exc}"
                    ) from exc
                if is_corruption(exc):
                    raise self._cache_damaged(exc) from exc
                raise
        return member_id

    def _lookup(self, identity: Identity, staff_id: str | None) -> MemberView | None:
        if identity.kind == "member_id":
            try:
                return self.client.member(identity.value)
            except RejectedError as exc:
                if exc.status == 404 and not isinstance(exc, AuthError):
                    return None
                raise
        if not identity.proof or not staff_id:
            raise NoProofError(
                "a member from another store is looked up with what was scanned or typed, "
                "by a signed-in staff member"
            )
        if identity.kind == "code":
            return self.client.lookup_member(staff_id=staff_id, code=identity.proof)
        if identity.kind == "card":
            return self.client.lookup_member(staff_id=staff_id, card_no=identity.proof)
        return self.client.lookup_member(staff_id=staff_id, phone=identity.proof)

    # -- status -------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """Everything ``clerk status --json`` shows about sync."""
        self._follow_cache()
        now = self.clock()
        with self._lock:
            ob = outbox_mod.status(self.outbox)
            creds = self.credentials()
            state = dict(self.cache.execute("SELECT key, value FROM sync_state").fetchall())
            last_settled = outbox_mod.get_meta(self.outbox, META_LAST_PUSH_AT)
        online = self.client.online
        if online is None and state.get(STATE_ONLINE) is not None:
            online = state[STATE_ONLINE] == "1"
        offset = self.client.last_clock_offset
        if offset is None:
            offset = _float_or_none(state.get(STATE_CLOCK_OFFSET))
        return {
            "enrolled": creds is not None,
            "device_revoked": creds is not None and creds.revoked_at is not None,
            "device_id": creds.device_id if creds else None,
            "store_id": creds.store_id if creds else None,
            "store_name": creds.store_name if creds else None,
            "hub_url": creds.hub_url if creds else None,
            "pending": ob.pending,
            "oldest_pending_age_s": (
                None if ob.oldest_pending_at is None else max(0, int(now) - ob.oldest_pending_at)
            ),
            "acked": ob.acked,
            "rejected": ob.rejected,
            "conflict": ob.conflict,
            "attention": ob.attention,
            "last_push_at": _int_or_none(state.get(STATE_LAST_PUSH_AT)),
            "last_pull_at": _int_or_none(state.get(STATE_LAST_PULL_AT)),
            "cursor": _int_or_none(state.get(STATE_CURSOR)) or 0,
            "last_error": state.get(STATE_LAST_ERROR) or ob.last_error,
            "online": online,
            "clock_offset_s": None if offset is None else round(offset, 3),
            "stuck_since": stuck_since(
                ob.pending, ob.oldest_pending_at, _int_or_none(last_settled), now
            ),
        }

    # -- a damaged cache ------------------------------------------------------------------------

    def _follow_cache(self) -> None:
        """cache.db is another file now (set aside as damaged, or removed): move to the new
        one — created if need be; an empty cache pulls again from cursor 0."""
        if self._cache_file is None or cache_mod.file_id(self._cache_file) == self._cache_id:
            return
        with self._lock:
            if cache_mod.file_id(self._cache_file) == self._cache_id:
                return
            old = self.cache
            tuning = []
            for pragma in ("cache_size", "wal_autocheckpoint"):
                with contextlib.suppress(sqlite3.Error):
                    tuning.append((pragma, int(old.execute(f"PRAGMA {pragma}").fetchone()[0])))
            self.cache = cache_mod.open_cache(self._cache_file)
            for pragma, value in tuning:
                self.cache.execute(f"PRAGMA {pragma} = {value}")
            self._cache_id = cache_mod.file_id(self._cache_file)
            self._saved_online = None
            cache_mod.retire(old)
            log.warning("cache.db was set aside: pulling the store's slice again from the hub")

    def _cache_damaged(self, exc: BaseException) -> CacheRebuildingError:
        """This engine met a damaged page of cache.db: set it aside (unless a lookup already
        did), move to a fresh one; the error to raise for this round (the next pulls from 0)."""
        if self._cache_file is not None:
            cache_mod.set_aside(self._cache_file, stamp=int(self.clock()), expected=self._cache_id)
            self._follow_cache()
        return CacheRebuildingError(
            f"cache.db was damaged ({exc}); set aside, pulling the store's slice again"
        )

    # -- sync_state bookkeeping ---------------------------------------------------------------

    def _write_state_in_tx(self, *, online: bool) -> None:
        cache_mod.set_state(self.cache, STATE_ONLINE, "1" if online else "0")
        self._saved_online = online
        offset = self.client.last_clock_offset
        if offset is not None:
            cache_mod.set_state(self.cache, STATE_CLOCK_OFFSET, f"{offset:.3f}")

    def _note_online(self, online: bool) -> None:
        if self._saved_online == online:
            return
        with self._lock, Transaction(self.cache):
            self._write_state_in_tx(online=online)

    def _note_error(self, exc: SyncError) -> None:
        if isinstance(exc, DeviceRevokedError):
            self._note_revoked()
        with self._lock, Transaction(self.cache):
            cache_mod.set_state(self.cache, STATE_LAST_ERROR, _error_text(exc))
            cache_mod.set_state(self.cache, STATE_LAST_ERROR_AT, str(int(self.clock())))
            self._write_state_in_tx(online=not isinstance(exc, TransportError))


class _Lookahead:
    """Fetches the next page of the changes feed on a worker thread (one page ahead, never
    more) while the caller applies the current one.

    ``take(since)`` returns the page fetched ahead for ``since``, or fetches it now. Leaving
    the ``with`` block waits for a fetch still in flight (bounded by the client's timeouts)
    and drops its result, so no request outlives ``pull_once``.
    """

    def __init__(self, fetch: Callable[[int], Page]) -> None:
        self._fetch = fetch
        self._pool: ThreadPoolExecutor | None = None
        self._ahead: tuple[int, Future[Page]] | None = None

    def start(self, since: int) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pull-ahead")
        self._drop()
        self._ahead = (since, self._pool.submit(self._fetch, since))

    def take(self, since: int) -> Page:
        ahead, self._ahead = self._ahead, None
        if ahead is None or ahead[0] != since:
            if ahead is not None:
                ahead[1].cancel()
            return self._fetch(since)
        return ahead[1].result()

    def ready(self) -> bool:
        """The page fetched ahead has arrived (or failed): taking it will not wait."""
        return self._ahead is not None and self._ahead[1].done()

    def _drop(self) -> None:
        if self._ahead is not None:
            self._ahead[1].cancel()
            self._ahead = None

    def __enter__(self) -> _Lookahead:
        return self

    def __exit__(self, *exc: object) -> None:
        self._drop()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class _PageBatch:
    """Consecutive pages of a bulk load in one transaction on the engine's cache connection,
    the engine's lock held from ``begin`` to ``commit`` (no other write of this engine can
    land inside it). Each page is applied in it with its cursor, so whatever it commits — or
    a kill loses — is whole pages, and the cursor says where the next pull resumes.

    ``close`` ends one left open by an error: it commits the pages applied before it (each
    one whole: a failing page's savepoint was rolled back), or rolls back if that fails —
    unless SQLite already rolled the whole transaction back (a full disk, an I/O error).
    """

    def __init__(self, engine: SyncEngine) -> None:
        self._engine = engine
        self._tx: Transaction | None = None
        self.pages = 0

    def begin(self) -> None:
        if self._tx is not None:
            return
        lock = self._engine._lock
        lock.acquire()
        try:
            tx = Transaction(self._engine.cache)
            tx.__enter__()
        except BaseException:
            lock.release()
            raise
        self._tx, self.pages = tx, 0

    def commit(self) -> None:
        tx, self._tx, self.pages = self._tx, None, 0
        if tx is None:
            return
        try:
            tx.__exit__(None, None, None)  # COMMIT; on failure ROLLBACK and StorageError
        finally:
            self._engine._lock.release()

    def close(self) -> None:
        tx = self._tx
        if tx is None:
            return
        if tx.conn is not self._engine.cache or not tx.conn.in_transaction:
            # A damaged cache, set aside and closed; or an error that made SQLite roll the
            # whole transaction back itself (SQLITE_FULL, an I/O error): nothing to commit,
            # the next pull fetches those pages again from the committed cursor.
            self._tx, self.pages = None, 0
            self._engine._lock.release()
            return
        try:
            self.commit()
        except StorageError:  # rolled back: the next pull fetches those pages again
            log.warning("a bulk pull's last pages could not be committed", exc_info=True)


@contextlib.contextmanager
def _fewer_collections(bulk: bool) -> Iterator[None]:
    """During a bulk pull (``bulk``), the garbage collector's first threshold raised to
    BULK_GC_THRESHOLD (process-wide; the others kept): it then collects when that many more
    containers are alive than at its last collection, rather than 700 — not while pages merely
    come and go. Left as it was if collection is off (0) or the threshold already that high,
    and put back after unless someone changed it meanwhile."""
    before = gc.get_threshold()
    if not bulk or before[0] == 0 or before[0] >= BULK_GC_THRESHOLD:
        yield
        return
    gc.set_threshold(BULK_GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        if gc.get_threshold()[0] == BULK_GC_THRESHOLD:
            gc.set_threshold(*before)


def stuck_since(
    pending: int, oldest_pending_at: int | None, last_settled_at: int | None, now: float
) -> int | None:
    """When the outbox stopped moving, if pending rows have waited longer than STUCK_AFTER_S
    without any row settling; None while sync is healthy."""
    if pending == 0 or oldest_pending_at is None:
        return None
    since = max(oldest_pending_at, last_settled_at or 0)
    return since if now - since > STUCK_AFTER_S else None


def _error_text(exc: ClerkError) -> str:
    return f"{exc.reason}: {exc}"[:500]


def _item_may_cause(exc: HubError) -> bool:
    """A whole-batch failure that one item's content may have caused (see NOT_ITEM_STATUSES)."""
    return 400 <= exc.status <= 599 and exc.status not in NOT_ITEM_STATUSES


def _answer_text(exc: HubError) -> str:
    """The hub's answer about one item, as kept with it: its reason (or the HTTP status) and
    the problem's detail."""
    reason = exc.hub_reason or f"http_{exc.status}"
    detail = exc.problem.detail or exc.problem.title
    return f"{reason}: {detail}"[:500]


def _is_bad_data(exc: StorageError) -> bool:
    """A StorageError caused by the rows themselves (constraint, unbindable value), not the disk."""
    return isinstance(
        exc.__cause__, sqlite3.IntegrityError | sqlite3.InterfaceError | sqlite3.ProgrammingError
    )


def _int_or_none(value: str | None) -> int | None:
    try:
        return None if value is None else int(float(value))
    except ValueError:
        return None


def _float_or_none(value: str | None) -> float | None:
    try:
        return None if value is None else float(value)
    except ValueError:
        return None


def _checked_results(
    batch: Sequence[Recorded], resp: InteractionBatchResponse
) -> list[dict[str, Any]]:
    """The hub's answers as dicts for outbox.apply_results; an answer about an item that was
    not sent is hostile. Items without an answer stay ``sent`` and are pushed again."""
    sent = {r.id for r in batch}
    out: list[dict[str, Any]] = []
    for res in resp.results:
        if res.id not in sent:
            raise ProtocolError(f"the hub answered for an interaction not sent: {res.id[:40]!r}")
        out.append(
            {
                "id": res.id,
                "status": res.status,
                "reason": None if res.reason is None else res.reason[:500],
                "conflict_with": None if res.conflict_with is None else res.conflict_with[:64],
                "member_id": res.member_id,
            }
        )
    return out


def _is_rows(page: Page) -> TypeGuard[RowsPageDict]:
    """A page in the row format (``protocol.RowsResponse``)."""
    return "runs" in page


def _count(page: Page) -> int:
    """How many changes a page carries."""
    if _is_rows(page):
        return sum(len(run["seqs"]) for run in page["runs"])
    return len(cast(ChangesPageDict, page)["changes"])


def _check_page(since: int, limit: int, page: Page) -> None:
    """A page must move forward: seqs increasing after ``since``, a cursor that covers them."""
    if _is_rows(page):
        _check_rows_page(since, limit, page)
        return
    page = cast(ChangesPageDict, page)
    changes = page["changes"]
    if len(changes) > limit:
        raise ProtocolError(f"the hub sent {len(changes)} changes, limit was {limit}")
    last = since
    sized, plain = _SIZED, _PLAIN_NOT_FLOAT
    for c in changes:  # a million rows in a first download: one plain loop, no call per row
        seq = c["seq"]
        if seq <= last:
            raise ProtocolError(f"change seq {seq} does not follow {last}")
        data = c.get("data")
        if data is None:
            if c["op"] == "upsert":
                raise ProtocolError(f"upsert without data for {c['entity']} {c['key'][:40]!r}")
        else:
            for value in data.values():
                cls = value.__class__
                if (cls in sized and len(value) > MAX_VALUE_LEN) or cls not in plain:
                    _check_values(f"{c['entity']} {c['key'][:40]!r}", data)
        last = seq
    next_cursor = page["next_cursor"]
    if next_cursor < last:
        raise ProtocolError(f"cursor {next_cursor} behind the page's last seq {last}")
    if page["has_more"] and next_cursor <= since:
        raise ProtocolError("the hub says there is more but the cursor did not move")


def _check_rows_page(since: int, limit: int, page: RowsPageDict) -> None:
    """:func:`_check_page` for a page in the row format, refusing what it refuses, run by run
    and column by column rather than row by row: seqs unique in the page, after ``since``,
    increasing within each entity and covered by the cursor; an upsert run's rows each of its
    columns' arity, its column names unique and its key column there, of the key's type
    (bounded like ``Change.key``); no value longer than MAX_VALUE_LEN, no number that is not
    finite; a delete run a key per seq."""
    seqs: list[int] = []
    by_entity: dict[str, list[int]] = {}
    for run in page["runs"]:
        entity, run_seqs = run["entity"], run["seqs"]
        what = f"{entity} {run['op']} run"
        if run["op"] == "upsert":
            _check_run_rows(what, run)
        else:
            keys = run.get("keys")
            if keys is None or len(keys) != len(run_seqs):
                raise ProtocolError(f"{what}: a key for each of its {len(run_seqs)} seqs wanted")
        by_entity.setdefault(entity, []).extend(run_seqs)
        seqs.extend(run_seqs)
    if len(seqs) > limit:
        raise ProtocolError(f"the hub sent {len(seqs)} changes, limit was {limit}")
    if len(set(seqs)) != len(seqs):
        raise ProtocolError("a change seq is repeated in the page")
    for entity, entity_seqs in by_entity.items():
        if entity_seqs != sorted(entity_seqs):
            raise ProtocolError(f"{entity} change seqs do not follow one another")
    last = since
    if seqs:
        if min(seqs) <= since:
            raise ProtocolError(f"change seq {min(seqs)} does not follow {since}")
        last = max(seqs)
    next_cursor = page["next_cursor"]
    if next_cursor < last:
        raise ProtocolError(f"cursor {next_cursor} behind the page's last seq {last}")
    if page["has_more"] and next_cursor <= since:
        raise ProtocolError("the hub says there is more but the cursor did not move")


def _check_run_rows(what: str, run: RowsRunDict) -> None:
    """An upsert run's columns and rows (see :func:`_check_rows_page`): each column's values
    are looked at together, never one row at a time, in as few passes as tell: a column whose
    values all have a length (text, what JSON decodes to: str, list, dict) is one pass for its
    longest; any other column one pass for its types, then its floats or its longest if it
    holds any; the key column one pass for its type (and one for its longest, if text)."""
    columns, rows = run.get("columns"), run.get("rows")
    if columns is None or rows is None:
        raise ProtocolError(f"{what} without columns or rows")
    if len(rows) != len(run["seqs"]):
        raise ProtocolError(f"{what}: {len(rows)} rows for {len(run['seqs'])} seqs")
    if len(set(columns)) != len(columns):
        raise ProtocolError(f"{what}: a column is named twice")
    pk = cache_mod.TABLES[run["entity"]][1]
    if pk not in columns:
        raise ProtocolError(f"{what} without its key column {pk!r}")
    if not rows:
        return
    try:
        values = list(zip(*rows, strict=True))
    except ValueError:
        raise ProtocolError(f"{what}: rows of different lengths") from None
    if len(rows[0]) != len(columns):
        raise ProtocolError(f"{what}: rows of {len(rows[0])} values for {len(columns)} columns")
    key_type = int if run["entity"] in INTEGER_KEYS else str
    key_at = columns.index(pk)
    key_values = values[key_at]
    if set(map(type, key_values)) != {key_type}:
        raise ProtocolError(f"{what}: a key {pk!r} that is not {key_type.__name__}")
    if key_type is str and max(map(len, key_values)) > MAX_KEY_LEN:
        raise ProtocolError(f"{what}: a key {pk!r} longer than {MAX_KEY_LEN}")
    for at, (column, column_values) in enumerate(zip(columns, values, strict=True)):
        if at == key_at:
            continue  # an int, or text no longer than MAX_KEY_LEN (< MAX_VALUE_LEN): seen above
        try:
            longest = max(map(len, column_values))  # TypeError: a value without a length
        except TypeError:
            kinds = set(map(type, column_values))
            if float in kinds:
                _check_finite(what, column, column_values)
            if not kinds & _SIZED and kinds <= _PLAIN:
                continue  # numbers, booleans and nulls: nothing to measure
            if kinds <= _SIZED_OR_NONE:
                longest = max(map(len, filter(None, column_values)), default=0)
            else:
                longest = max(
                    (len(v) for v in column_values if isinstance(v, str | list | dict)),
                    default=0,
                )
        if longest > MAX_VALUE_LEN:
            raise ProtocolError(
                f"{what}: {column[:40]!r} is {longest} long (at most {MAX_VALUE_LEN})"
            )


def _remaining_after(page: Page) -> int | None:
    """Changes still to come after this page (the hub counts from the page's next_cursor)."""
    if not page["has_more"]:
        return 0
    remaining = page.get("remaining")
    return None if remaining is None else max(0, remaining)


# The value types whose length is bounded (what JSON decodes to: str, list, dict).
_SIZED = frozenset({str, list, dict})
_PLAIN = _SIZED | {int, float, bool, type(None)}  # anything else: the thorough check
_SIZED_OR_NONE = _SIZED | {type(None)}
_PLAIN_NOT_FLOAT = _PLAIN - {float}  # an object page's floats: the thorough check (finite)


def _check_values(what: str, row: Mapping[str, Any]) -> None:
    """No value of a row bound for the cache may be longer than MAX_VALUE_LEN, nor a number
    that is not finite (NaN, or past a double: SQLite would keep NULL or Inf)."""
    for column, value in row.items():
        if isinstance(value, str | list | dict) and len(value) > MAX_VALUE_LEN:
            raise ProtocolError(
                f"{what}: {column[:40]!r} is {len(value)} long (at most {MAX_VALUE_LEN})"
            )
        if value.__class__ is float and not math.isfinite(value):
            raise ProtocolError(f"{what}: {column[:40]!r} is {value}, not a finite number")


def _check_finite(what: str, column: str, values: Iterable[Any]) -> None:
    """A column's floats (see :func:`_check_values`)."""
    for value in values:
        if value.__class__ is float and not math.isfinite(value):
            raise ProtocolError(f"{what}: {column[:40]!r} is {value}, not a finite number")


def _checked_member_view(identity: Identity, view: MemberView) -> str:
    """The member id of a looked-up view, after checking the view is about that identity."""
    member = view.member
    for name, rows in (
        ("member", [member]),
        ("product", view.products),
        ("browse", view.browse),
        ("cart", view.cart),
        ("coupon", view.coupons),
        ("visit", view.visits),
    ):
        for row in rows:
            _check_values(name, row)
    member_id = member.get("id")
    if not isinstance(member_id, str) or not member_id or len(member_id) > 64:
        raise ProtocolError("the hub sent a member without a valid id")
    if identity.kind == "phone":
        fits = (member.get("phone_last4"), member.get("phone_bucket")) in (
            (tail(identity.value), identity.phone_bucket),
            (None, None),
        )
        if not fits:
            raise ProtocolError("the hub answered a phone lookup with another member")
    else:
        field_for = {"code": "code_id", "card": "card_no", "member_id": "id"}
        got = member.get(field_for[identity.kind])
        if got is not None and str(got) != identity.value:
            raise ProtocolError(f"the hub answered a {identity.kind} lookup with another member")
    for p in view.products:
        if not isinstance(p.get("sku"), str):
            raise ProtocolError("the hub sent a product without a sku")
    for rows in (view.browse, view.cart, view.coupons, view.visits):
        for row in rows:
            if not isinstance(row.get("id"), str | int):
                raise ProtocolError("the hub sent a row without an id")
            if row.get("member_id", member_id) != member_id:
                raise ProtocolError("the hub sent another member's rows")
    return member_id
