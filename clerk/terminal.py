"""The terminal as one object: identify → resolve → 360 view → record.

Qt-free and HTTP-free; the composition root (clerk/cli/) injects ``fetch_member`` (a cache
miss fetched from the hub) so this module never imports sync/. Both the CLI and the UI use it
(the UI through :class:`clerk.ports.TerminalPort`, which this class implements).

Threads: methods may be called from worker threads. Each thread reads through its own
connections; every write this process makes to outbox.db — a record, the audit log, sign-in,
a manager's settings change, export or decision — goes through one connection guarded by a
lock (:meth:`Terminal.write`). The sync engine, on its own thread, has its own writer
connections; SQLite's BEGIN IMMEDIATE and the busy timeout serialise the two
short-transaction writers.

A damaged cache.db is set aside and started afresh — at open when the cheap start-up check
fails, and when a lookup meets a damaged page later: that lookup raises CacheRebuildingError
("rebuilding the customer cache"), the sync engine notices the new file and pulls the store's
slice again from cursor 0. Any other storage failure (disk full, no memory, no permission,
I/O) keeps the cache and is raised as a StorageError that says so. outbox.db is never touched.

Over 700 lines, on purpose: this is the one object behind :class:`clerk.ports.TerminalPort`
(every method the UI and CLI use, each a few lines over the cache, outbox and staff modules);
the logic lives in those modules, and splitting the façade would split the port.
"""

from __future__ import annotations

import dataclasses
import functools
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import tzinfo
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

from clerk import audit as audit_mod
from clerk import cache as cache_mod
from clerk import db, logs
from clerk import outbox as outbox_mod
from clerk.db import Transaction
from clerk.errors import (
    CacheCorruptError,
    CacheRebuildingError,
    ClerkError,
    ConfigError,
    NotEnrolledError,
    PermissionDeniedError,
    RecordError,
    StorageError,
)
from clerk.outbox import Recorded, Settled
from clerk.ports import Opened, TerminalStatus
from clerk.settings import Settings

if TYPE_CHECKING:
    from clerk.dashboard import DashboardSource
    from clerk.jti import JtiTracker
    from clerk.model import (
        Client,
        CustomerView,
        Identity,
        PhoneCandidate,
        Product,
        Provisional,
        SignupText,
        TaskRow,
    )
    from clerk.outreach import Prepared
    from clerk.search_terms import Found
    from clerk.shared.interactions import Payload
    from clerk.shared.phones import PhoneKeys
    from clerk.staff import Session, StaffMember

# clerk.identify (with clerk.membercode and the cryptography it verifies with) and
# clerk.view360 are imported on first use: the app's first screen (sign-in) needs neither,
# and they are a good part of the terminal's import time.

STALE_AFTER_S = 24 * 3600
CLOCK_SUSPECT_S = 120

# A cache miss fetched from the hub: (identity, signed-in staff id) -> member id or None.
FetchMember = Callable[["Identity", "str | None"], "str | None"]
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def _reads_cache(method: F) -> F:
    """A Terminal method that reads cache.db: a damaged page met on the way sets the cache
    aside (CacheRebuildingError); other storage failures are said plainly (``_reading``)."""

    @functools.wraps(method)
    def reading(self: Terminal, *args: Any, **kwargs: Any) -> Any:
        with self._reading():
            return method(self, *args, **kwargs)

    return cast(F, reading)


def _int_or_none(value: str | None) -> int | None:
    try:
        return None if value is None else int(float(value))
    except ValueError:
        return None


class Terminal:
    def __init__(
        self,
        home: Path,
        *,
        clock: Callable[[], float] = time.time,
        fetch_member: FetchMember | None = None,
    ) -> None:
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.fetch_member = fetch_member
        self.settings = Settings(self.home / "settings.json")
        self.cache_path = self.home / "cache.db"
        self.outbox_path = self.home / "outbox.db"
        self.cache_rebuilt = False
        self.outbox = outbox_mod.open_outbox(self.outbox_path)
        try:
            self.cache = self._open_cache_or_rebuild()
        except BaseException:
            self.outbox.close()
            raise
        self._cache_id = cache_mod.file_id(self.cache_path)
        self._write_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._threads: dict[int, SimpleNamespace] = {}  # per OS thread: see _local
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._jtis: JtiTracker | None = None  # member-code ids seen (a rescan: same visit)

    @property
    def _local(self) -> SimpleNamespace:
        """This thread's readers, kept per OS thread (``threading.get_ident``) — not in a
        ``threading.local``: a Qt pool thread (the app's worker lanes) gets a fresh Python
        thread state for every task, which empties a ``threading.local`` each time; every
        lookup then opened a new pair of readers (four file descriptors) and kept it."""
        ident = threading.get_ident()
        slot = self._threads.get(ident)
        if slot is None:
            with self._readers_lock:
                slot = self._threads.setdefault(ident, SimpleNamespace())
        return slot

    # -- files -------------------------------------------------------------------------------

    def _open_cache_or_rebuild(self) -> sqlite3.Connection:
        """cache.db is disposable: a damaged one is moved aside and started afresh.

        The sync engine then pulls the store's slice again from cursor 0. A cache that cannot
        be opened for another reason (disk full, no permission …) is kept: StorageError.
        outbox.db is never touched here.
        """
        try:
            conn = cache_mod.open_cache(self.cache_path)
            try:
                sound = cache_mod.looks_sound(conn)
            except BaseException:
                conn.close()
                raise
            if sound:
                return conn
            conn.close()
        except CacheCorruptError:
            pass
        cache_mod.set_aside(self.cache_path, stamp=int(self.clock()))
        self.cache_rebuilt = True
        return cache_mod.open_cache(self.cache_path)

    def _reader(self) -> tuple[sqlite3.Connection, sqlite3.Connection]:
        current = cache_mod.file_id(self.cache_path)
        if current != self._cache_id:
            self._cache_replaced()
        pair: tuple[sqlite3.Connection, sqlite3.Connection] | None = getattr(
            self._local, "pair", None
        )
        if pair is not None and getattr(self._local, "cache_id", None) != self._cache_id:
            with self._readers_lock:
                self._readers.remove(pair[0])
            cache_mod.retire(pair[0])  # a file that was set aside
            pair = None
            c = self._open_reader()
            self._local.pair = pair = (c, self._local.outbox)
        if pair is None:
            c = self._open_reader()
            o = cache_mod.connect_readonly(self.outbox_path)
            with self._readers_lock:
                self._readers.append(o)
            self._local.outbox = o
            pair = (c, o)
            self._local.pair = pair
        return pair

    def _open_reader(self) -> sqlite3.Connection:
        while True:
            generation = self._cache_id
            if cache_mod.file_id(self.cache_path) != generation:
                self._cache_replaced()  # set aside (or removed) meanwhile: the new one
                continue
            try:
                c = cache_mod.open_cache(self.cache_path, readonly=True)
            except CacheCorruptError as exc:  # damaged since the start: set aside, afresh
                self._local.cache_id = generation
                self._set_cache_aside(exc)
            except StorageError:
                if cache_mod.file_id(self.cache_path) != generation:
                    continue  # moved away while opening
                raise
            if cache_mod.file_id(self.cache_path) == generation:
                break  # the file of this generation, opened as it was
            cache_mod.retire(c)  # set aside while opening: open the new one
        self._local.cache_id = generation
        with self._readers_lock:
            self._readers.append(c)
        return c

    def _cache_replaced(self) -> None:
        """cache.db is another file now (set aside by the sync engine, or removed): the writer
        moves to the new one (created if need be); readers follow on their next read."""
        with self._cache_lock:
            if cache_mod.file_id(self.cache_path) == self._cache_id:
                return
            old = self.cache
            self.cache = cache_mod.open_cache(self.cache_path)
            self._cache_id = cache_mod.file_id(self.cache_path)
            cache_mod.retire(old)

    def _set_cache_aside(self, exc: BaseException) -> NoReturn:
        """A query met a damaged page of cache.db: set it aside, start afresh (the sync engine
        pulls the slice again) and tell the lookup in progress."""
        # The file this thread read is the damaged one; if it was set aside already (another
        # thread met the damage first), the fresh cache is left alone.
        damaged = getattr(self._local, "cache_id", self._cache_id)
        with self._cache_lock:
            cache_mod.set_aside(self.cache_path, stamp=int(self.clock()), expected=damaged)
            self.cache_rebuilt = True
        self._cache_replaced()
        raise CacheRebuildingError(
            "rebuilding the customer cache: cache.db was damaged and has been set aside; "
            "the store's customers are being pulled again from the hub"
        ) from exc

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Around the reads of a lookup: a damaged cache.db is set aside and rebuilt
        (CacheRebuildingError); any other storage failure keeps it and is said plainly."""
        try:
            yield
        except CacheRebuildingError:
            raise  # set aside already (by a nested read)
        except (sqlite3.DatabaseError, MemoryError, StorageError) as exc:
            fault = db.storage_fault(exc)
            if fault is None:
                raise
            if fault == "corrupt" and self._is_cache_file(exc):
                self._set_cache_aside(exc)
            if isinstance(exc, StorageError):
                raise
            where = "outbox.db" if fault == "corrupt" else "cache.db or outbox.db"
            raise db.storage_error(exc, where) from exc

    def _is_cache_file(self, exc: BaseException) -> bool:
        """Did the damaged read come from cache.db (not outbox.db, which is never touched)?"""
        file = db.failed_file(exc)
        if file is not None:
            return Path(file).name == self.cache_path.name
        # Not named (a plain connection): the cache, unless the outbox is the damaged one.
        try:
            check = db.inspect(self.outbox_path)
            try:
                return cache_mod.check_integrity(check)
            finally:
                check.close()
        except sqlite3.Error:
            return False

    def close(self) -> None:
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        self.cache.close()
        self.outbox.close()

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` on the terminal's one outbox.db writer, the lock held: how the
        services of the core (the dashboard's export and decisions, settings changes,
        sign-in) write. Keep ``fn`` short — a record waits for it."""
        with self._write_lock:
            return fn(self.outbox)

    # -- identify and look up -----------------------------------------------------------------

    @_reads_cache
    def public_keys(self) -> dict[int, bytes]:
        cache, _ = self._reader()
        rows = cache.execute("SELECT kid, public_key, not_after FROM public_keys").fetchall()
        now = self.clock()
        return {
            int(r["kid"]): bytes.fromhex(r["public_key"])
            for r in rows
            if r["not_after"] is None or r["not_after"] >= now
        }

    def phone_keys(self) -> PhoneKeys | None:
        """The bucket key and the hub's sealing key (None before the hub gave them)."""
        from clerk.shared.phones import PhoneKeys

        _, outbox = self._reader()
        bucket = outbox_mod.get_meta(outbox, outbox_mod.META_PHONE_BUCKET_KEY)
        sealing = outbox_mod.get_meta(outbox, outbox_mod.META_PHONE_SEAL_KEY)
        return PhoneKeys(bucket, sealing) if bucket and sealing else None

    @_reads_cache
    def corrected_now(self) -> float:
        """The local clock corrected by the offset learned from the hub's Date headers."""
        cache, _ = self._reader()
        offset = cache_mod.get_state(cache, "clock_offset_s")
        try:
            return self.clock() + (float(offset) if offset is not None else 0.0)
        except ValueError:
            return self.clock()

    @_reads_cache
    def identify(self, text: str) -> Identity:
        """Classify scanned or typed text. Raises IdentifyError (with .reason) when it is not a
        member identity."""
        from clerk import identify

        return identify.classify(
            text, phone_keys=self.phone_keys(), keys=self.public_keys(), now=self.corrected_now()
        )

    @_reads_cache
    def resolve(self, identity: Identity) -> str | None:
        from clerk import view360

        cache, _ = self._reader()
        return view360.resolve(cache, identity)

    @_reads_cache
    def phone_candidates(self, identity: Identity) -> list[PhoneCandidate]:
        """The cached members a typed phone may be (the same last digits and bucket)."""
        from clerk import view360

        cache, _ = self._reader()
        return view360.phone_candidates(cache, identity)

    @_reads_cache
    def open_customer(self, identity: Identity, staff_id: str | None = None) -> Opened:
        """Resolve the identity (asking the hub on a miss when it can), record the visit once
        per visit window (a member's: someone unknown gets none, see :meth:`record_walk_in` and
        :meth:`record_unmatched_visit`),
        and return the 360 view.

        A typed phone that fits several cached members (the same last digits and bucket) is
        asked at the hub by proof when online; offline, the visit is recorded against the
        sealed number (the hub resolves it exactly) and the candidates are returned for the
        associate to pick from (reason ``choose``)."""
        member_id = self.resolve(identity)
        cached = member_id is not None
        reason: str | None = None
        candidates: tuple[PhoneCandidate, ...] = ()
        if member_id is None and identity.kind == "phone":
            candidates = tuple(self.phone_candidates(identity))
        if member_id is None and self.fetch_member is not None:
            try:
                member_id = self.fetch_member(identity, staff_id)
            except ClerkError:
                member_id = None
                reason = "choose" if candidates else "not_cached"
            else:
                candidates = ()
                if member_id is None:
                    reason = "unknown_member"
        elif member_id is None:
            reason = "choose" if candidates else "not_cached"
        # The visit (when this is a new one) and the audit row of the view: one transaction,
        # one fsync on the way from the scan to the screen. Someone no member matches (not
        # here offline, unknown at the hub) gets no visit yet: the associate decides — a
        # walk-in, another identity, or (offline) a member for the hub to match.
        unknown = member_id is None and reason in ("not_cached", "unknown_member")
        # The 360 is read first: the visit records which talking points it shows ("did it
        # work?"), and the view is shaped again with the visit, without reading again.
        raw = self._fetch_view(member_id) if member_id is not None else None
        view = self._shape_view(raw) if raw is not None else None
        shown = self._shown(view) if view is not None else ()
        with self._write_lock, Transaction(self.outbox):
            visit = (
                None
                if unknown
                else self._record_visit_once(identity, member_id, staff_id, shown=shown)
            )
            audit_mod.append(
                self.outbox,
                "view_customer",
                staff_id,
                {"member_id": member_id} if member_id else {"member_ref": identity.ref},
                int(self.clock()),
            )
        if raw is not None and visit is not None and visit.member_id is not None:
            view = self._shape_view(raw, visit)
        return Opened(identity, member_id, view, visit, cached, reason, candidates)

    def record_unmatched_visit(
        self, identity: Identity, staff_id: str | None = None
    ) -> Recorded | None:
        """The associate says the customer offline-unknown here is a member: the visit is
        recorded against the scanned identity (``member_ref``), for the hub to match when it
        syncs (None: this visit was already recorded)."""
        with self._write_lock, Transaction(self.outbox):
            return self._record_visit_once(identity, None, staff_id)

    # -- drafts (clerk/drafts.py) ------------------------------------------------------------

    def save_draft(
        self, staff_id: str | None, member_key: str, form: str, values: Mapping[str, Any]
    ) -> None:
        from clerk import drafts

        with self._write_lock:
            drafts.save(self.outbox, staff_id, member_key, form, values, int(self.clock()))

    def drafts(self, staff_id: str | None, member_key: str) -> dict[str, dict[str, Any]]:
        from clerk import drafts

        with self._write_lock:
            return drafts.load(self.outbox, staff_id, member_key)

    def discard_draft(self, staff_id: str | None, member_key: str, form: str) -> None:
        from clerk import drafts

        with self._write_lock:
            drafts.discard(self.outbox, staff_id, member_key, form)

    # -- records left for a person (clerk/rejected.py) -----------------------------------------

    def fix_record(
        self,
        iid: str,
        payload: Payload | Mapping[str, Any],
        *,
        staff_id: str | None,
        session: Session | None = None,
    ) -> Recorded:
        """Record the corrected copy of a rejected or parked record (a new id superseding it;
        the old one is ``corrected``), audited. RecordError when the payload is refused;
        PermissionDeniedError unless it is ``staff_id``'s own record or ``session`` a
        manager's."""
        from clerk import rejected
        from clerk.shared.interactions import InvalidInteraction

        with self._write_lock:
            try:
                return rejected.fix(
                    self.outbox,
                    iid,
                    payload,
                    staff_id=staff_id,
                    session=session,
                    now=int(self.clock()),
                )
            except InvalidInteraction as exc:
                raise RecordError(str(exc), problem=exc.reason, field=exc.field) from exc

    def withdraw_record(
        self,
        iid: str,
        *,
        staff_id: str | None,
        session: Session | None = None,
        reason: str | None = None,
    ) -> Settled:
        """Take back a rejected or parked record (the associate's own, or a manager); audited."""
        from clerk import rejected

        with self._write_lock:
            return rejected.withdraw(
                self.outbox,
                iid,
                staff_id=staff_id,
                session=session,
                reason=reason,
                now=int(self.clock()),
            )

    def left_for_a_person(self, iid: str) -> Settled | None:
        """The record ``iid`` as kept (its payload as recorded, even one the vocabulary now
        refuses), with its state and the hub's answer; None when unknown."""
        with self._write_lock:
            return outbox_mod.settled_row(self.outbox, iid)

    def dismiss_record(self, iid: str, *, session: Session | None, reason: str) -> Settled:
        """Close a rejected or parked record with a reason: managers only; audited."""
        from clerk import rejected

        with self._write_lock:
            return rejected.dismiss(
                self.outbox, iid, session=session, reason=reason, now=int(self.clock())
            )

    def record_walk_in(self, staff_id: str | None = None) -> Recorded:
        """A customer served who is not a member (or did not say): a visit naming no one,
        counted as a walk-in (the hub accepts it; it is in no one's history)."""
        return self.record("visit", member_id=None, staff_id=staff_id, payload={"via": "walk_in"})

    @_reads_cache
    def pick_candidate(self, opened: Opened, member_id: str, staff_id: str | None = None) -> Opened:
        """The associate picked ``member_id`` among a typed phone's candidates (``opened``
        said ``choose``): its 360, the view audited. No second visit: the one recorded against
        the sealed number is resolved by the hub to whoever the number belongs to."""
        if member_id not in {c.member_id for c in opened.candidates}:
            raise ValueError(f"{member_id!r} is not one of the candidates")
        self.audit(
            "view_customer",
            staff_id,
            {"member_id": member_id, "picked_among": len(opened.candidates)},
        )
        return dataclasses.replace(
            opened,
            member_id=member_id,
            view=self.view(member_id),
            cached=True,
            reason=None,
            candidates=(),
        )

    def _record_visit_once(
        self,
        identity: Identity,
        member_id: str | None,
        staff_id: str | None,
        *,
        shown: tuple[str, ...] = (),
    ) -> Recorded | None:
        """Inside open_customer's transaction (the write lock held)."""
        now = self.clock()
        if (
            identity.jti is not None
            and identity.expires_at is not None
            and self._jti_tracker().seen(identity.jti, identity.expires_at, now)
        ):
            return None
        window = int(self.settings.get("visit_window_minutes")) * 60
        recent = self.outbox.execute(
            "SELECT 1 FROM interactions WHERE kind = 'visit' AND created_at >= ? AND "
            "(member_id = ? OR member_ref = ?) LIMIT 1",
            (int(now) - window, member_id, identity.ref),
        ).fetchone()
        if recent is not None:
            return None
        payload: dict[str, Any] = {"via": identity.kind}
        if identity.jti:
            payload["jti"] = identity.jti
        # A member of another store is written about only with proof of presence: the visit
        # carries what was scanned or typed (the card, the sealed phone, the signed code).
        proven = identity.kind in ("code", "card", "phone") and (
            member_id is None or not self._of_this_store(member_id)
        )
        if proven and identity.kind == "code" and identity.proof:
            payload["code"] = identity.proof
        if shown:
            payload["shown"] = list(shown)
        return outbox_mod.record(
            self.outbox,
            "visit",
            member_id=member_id,
            member_ref=identity.ref if member_id is None or proven else None,
            staff_id=staff_id,
            payload=payload,
            now=int(now),
        )

    def _of_this_store(self, member_id: str) -> bool:
        """Whether the cached member's home is the store this terminal is enrolled to."""
        store_id = outbox_mod.get_meta(self.outbox, outbox_mod.META_STORE_ID)
        cache, _ = self._reader()
        row = cache.execute("SELECT home_store FROM members WHERE id = ?", (member_id,)).fetchone()
        return store_id is None or row is None or row[0] == store_id

    def _jti_tracker(self) -> JtiTracker:
        if self._jtis is None:
            from clerk.jti import JtiTracker

            self._jtis = JtiTracker()
        return self._jtis

    # -- find a customer without a code ------------------------------------------------------------

    @_reads_cache
    def search(self, text: str, staff_id: str | None) -> list[Found]:
        """This store's members that ``text`` finds — a name (hanzi or pinyin), the last four
        digits of a phone, a card — masked, best first, at most 20 (:mod:`clerk.search`).
        Only staff of this store search (PermissionDeniedError for anyone else); the search
        itself is not audited, opening a result is (:meth:`open_found`)."""
        from clerk import search

        cache, outbox = self._reader()
        self._require_staff(cache, staff_id)
        store = outbox_mod.get_meta(outbox, outbox_mod.META_STORE_ID)
        return search.search(cache, text, store_id=store)

    @_reads_cache
    def open_found(
        self, member_id: str, staff_id: str | None = None, via: str = "search"
    ) -> Opened:
        """Open a search result (or a client book's row, ``via="clientbook"``): its 360, the
        view audited (``view_customer``, ``via``). No visit is recorded — a search proves
        nobody's presence; what the associate then records is recorded as usual. A member
        this store's search cannot find (another store's, fetched by proof) is refused:
        PermissionDeniedError."""
        from clerk.model import Identity

        cache, outbox = self._reader()
        self._require_staff(cache, staff_id)
        store = outbox_mod.get_meta(outbox, outbox_mod.META_STORE_ID)
        row = cache.execute("SELECT home_store FROM members WHERE id = ?", (member_id,)).fetchone()
        if row is None or (store is not None and row[0] != store):
            raise PermissionDeniedError("not a member of this store: look them up by proof")
        self.audit("view_customer", staff_id, {"member_id": member_id, "via": via})
        identity = Identity(kind="member_id", value=member_id, ref=f"member:{member_id}")
        return Opened(identity, member_id, self.view(member_id), None, True, None)

    @_reads_cache
    def client_book(self, staff_id: str, signed_in: str | None) -> list[Client]:
        """The client book of associate ``staff_id`` (:func:`clerk.clientbook.my_customers`),
        as ``signed_in`` may see it: their own, or any associate's for a manager
        (PermissionDeniedError otherwise). Read from the cache alone: offline too."""
        from clerk import clientbook

        cache, outbox = self._reader()
        self._require_staff(cache, signed_in)
        if staff_id != signed_in and not self._is_manager(cache, signed_in):
            raise PermissionDeniedError("only a manager sees another associate's clients")
        return clientbook.my_customers(cache, outbox, staff_id, now=int(self.clock()))

    @_reads_cache
    def follow_ups(self, signed_in: str | None) -> list[TaskRow]:
        """The open follow-up tasks ``signed_in`` works on — theirs and the store's; a
        manager's: every one — by due time (the overdue first), this terminal's changes not
        yet synced laid over the cache's (``pending``). Offline too."""
        from clerk import tasks

        cache, outbox = self._reader()
        self._require_staff(cache, signed_in)
        manager = self._is_manager(cache, signed_in)
        return tasks.load(
            cache, outbox, now=int(self.clock()), staff_id=None if manager else signed_in
        )

    def change_task(
        self,
        task_id: str,
        action: str,
        signed_in: str | None,
        *,
        outcome: str | None = None,
        due_at: int | None = None,
        assignee: str | None = None,
    ) -> Recorded:
        """Record a change to an open task (done / snooze / reassign, :func:`clerk.tasks.change`:
        TaskError, PermissionDeniedError for an associate handing it to another associate)."""
        from clerk import tasks

        cache, outbox = self._reader()
        self._require_staff(cache, signed_in)
        member_id, payload = tasks.change(
            cache,
            outbox,
            task_id,
            action,
            outcome=outcome,
            due_at=due_at,
            assignee=assignee,
            by_manager=self._is_manager(cache, signed_in),
        )
        return self.record("task_update", member_id=member_id, staff_id=signed_in, payload=payload)

    def record_contacted(
        self,
        member_id: str,
        signed_in: str | None,
        *,
        task_id: str | None = None,
        template: str | None = None,
    ) -> Recorded:
        """Record outreach made to the member (``contacted``, :func:`clerk.tasks.contacted`:
        TaskError without marketing consent); the task it names is done, messaged; the
        template the message was drafted from, if any, goes with it."""
        from clerk import tasks

        cache, outbox = self._reader()
        self._require_staff(cache, signed_in)
        payload = tasks.contacted(cache, outbox, member_id, task_id=task_id, template=template)
        return self.record("contacted", member_id=member_id, staff_id=signed_in, payload=payload)

    @_reads_cache
    def outreach(
        self, member_id: str, signed_in: str | None, *, task_id: str | None = None
    ) -> Prepared:
        """What the screen drafts a message to the member from (:mod:`clerk.outreach`): the
        member's name and consent, the cached templates and the facts of the task named —
        or, with none named, of the member's first open task (none: reason ``any``)."""
        from clerk import outreach, tasks

        cache, outbox = self._reader()
        self._require_staff(cache, signed_in)
        row = cache.execute(
            "SELECT name, consent_marketing FROM members WHERE id = ?", (member_id,)
        ).fetchone()
        if row is None:
            raise tasks.TaskError(
                f"no member {member_id} on this terminal", reason="unknown_member"
            )
        now = int(self.clock())
        mine = sorted(
            (t for t in tasks.all_tasks(cache, outbox).values() if t.member_id == member_id),
            key=lambda t: (t.state != "open", t.due_at, t.id),
        )
        task = next((t for t in mine if t.id == task_id), None)
        if task is None and task_id is None:
            task = next((t for t in mine if t.state == "open"), None)
        if task is None:
            facts = outreach.Facts(outreach.ANY)
        else:
            coupon = task.facts.get("coupon_id")
            title = cache.execute(
                "SELECT title_zh, title_en FROM coupons WHERE id = ?", (str(coupon),)
            ).fetchone()
            facts = outreach.task_facts(
                task, now, coupon_title=None if title is None else {"zh": title[0], "en": title[1]}
            )
        return outreach.Prepared(
            member_id,
            str(row[0] or ""),
            bool(row[1]),
            tuple(outreach.templates(cache)),
            facts,
            None if task is None else task.id,
        )

    @staticmethod
    def _is_manager(cache: sqlite3.Connection, staff_id: str | None) -> bool:
        row = cache.execute("SELECT role FROM staff WHERE id = ?", (staff_id,)).fetchone()
        return row is not None and row[0] == "manager"

    @staticmethod
    def _require_staff(cache: sqlite3.Connection, staff_id: str | None) -> None:
        known = (
            staff_id is not None
            and cache.execute(
                "SELECT 1 FROM staff WHERE id = ? AND active = 1", (staff_id,)
            ).fetchone()
        )
        if not known:
            raise PermissionDeniedError("only this store's signed-in staff search its customers")

    # -- sign-up at the counter ---------------------------------------------------------------

    @_reads_cache
    def signup_text(self, lang: str) -> SignupText | None:
        """The chain's consent wording in ``lang`` ("zh" or "en"), as the hub sent it."""
        from clerk import signup

        cache, _ = self._reader()
        return signup.signup_text(cache, lang)

    def sign_up(
        self,
        *,
        phone: str,
        name: str,
        consent: SignupText,
        marketing: bool,
        browsing: bool,
        birthday: str | None = None,
        staff_id: str | None = None,
    ) -> Provisional:
        """Sign a new member up, offline too (:mod:`clerk.signup`): the provisional member is
        usable at once. Only this store's signed-in staff (PermissionDeniedError);
        RecordError for a number or field the hub would refuse; NotEnrolledError before the
        hub gave its phone keys (the number is sealed to it)."""
        from clerk import signup

        cache, _ = self._reader()
        self._require_staff(cache, staff_id)
        keys = self.phone_keys()
        if keys is None:
            raise NotEnrolledError("enrol this terminal first: the number is sealed to the hub")
        with self._write_lock:
            store = outbox_mod.get_meta(self.outbox, outbox_mod.META_STORE_ID)
            return signup.sign_up(
                self.outbox,
                phone=phone,
                name=name,
                consent=consent,
                marketing=marketing,
                browsing=browsing,
                keys=keys,
                birthday=birthday,
                store_id=store,
                staff_id=staff_id,
                now=int(self.clock()),
            )

    @_reads_cache
    def open_signed_up(self, provisional_id: str, staff_id: str | None = None) -> Opened:
        """Serve a member just signed up here: their visit recorded (``via: signup`` — they
        are at the counter), their 360 (pending sync) returned."""
        from clerk.model import Identity

        view = self.view(provisional_id)
        if view is None:
            raise PermissionDeniedError("no member signed up here under this id")
        member_id = view.profile.member_id
        visit = self.record(
            "visit", member_id=member_id, staff_id=staff_id, payload={"via": "signup"}
        )
        identity = Identity(kind="member_id", value=member_id, ref=f"member:{member_id}")
        return Opened(identity, member_id, self.view(member_id), visit, True, None)

    @_reads_cache
    def link(
        self,
        member_id: str,
        *,
        identity: str,
        value: str,
        proof: str,
        staff_id: str | None = None,
    ) -> Recorded:
        """Link an identity met at the counter (``identity``: card | phone | unionid, its
        ``value`` as typed or scanned) to the member, once the customer proved who they are
        (``proof``: their member code as scanned, or their full number as typed — which must
        fit what this terminal holds of the member's). The hub applies it; one another member
        holds is a conflict for a person. RecordError (``field``: value or proof) otherwise."""
        from clerk import identify
        from clerk.shared import phones

        cache, _ = self._reader()
        self._require_staff(cache, staff_id)
        keys = self.phone_keys()
        if keys is None:
            raise NotEnrolledError("enrol this terminal first: numbers are sealed to the hub")
        text = value.strip()
        if identity == "phone":
            e164 = phones.normalize_phone(text)
            if e164 is None:
                raise RecordError("not a phone number", problem="bad_phone", field="value")
            text = phones.seal(keys.seal_key, e164)
        elif identity == "card" and not identify.luhn_valid(text):
            raise RecordError("not a card number", problem="bad_card", field="value")
        payload: dict[str, Any] = {"identity": identity, "value": text}
        if proof.strip().upper().startswith("MC1:"):
            scanned = self.identify(proof.strip())
            if scanned.kind != "code" or self.resolve(scanned) != member_id:
                raise RecordError("not this member's code", problem="no_proof", field="proof")
            payload["code"] = proof.strip()
        else:
            e164 = phones.normalize_phone(proof.strip())
            row = cache.execute(
                "SELECT phone_last4, phone_bucket FROM members WHERE id = ?", (member_id,)
            ).fetchone()
            if (
                e164 is None
                or row is None
                or (row[0], row[1])
                != (phones.tail(e164), phones.phone_bucket(keys.bucket_key, e164))
            ):
                raise RecordError("not this member's number", problem="no_proof", field="proof")
            payload["phone_sealed"] = phones.seal(keys.seal_key, e164)
        return self.record("link", member_id=member_id, staff_id=staff_id, payload=payload)

    def current_member_id(self, member_id: str) -> str:
        """The id to serve ``member_id`` under now: for a member signed up here, the hub's
        real id once it answered and the member reached the cache; otherwise unchanged."""
        from clerk import signup

        if not signup.is_provisional(member_id):
            return member_id
        cache, outbox = self._reader()
        real = signup.real_id(outbox, member_id)
        if (
            real is not None
            and cache.execute("SELECT 1 FROM members WHERE id = ?", (real,)).fetchone()
        ):
            return real
        return member_id

    @_reads_cache
    def signups(self, since: int, until: int) -> int:
        """Members signed up at this terminal in [since, until)."""
        from clerk import signup

        _, outbox = self._reader()
        return signup.count(outbox, since, until)

    @_reads_cache
    def _fetch_view(self, member_id: str) -> Any:
        """The 360's rows (view360.fetch), None if the member is not cached."""
        from clerk import view360

        cache, outbox = self._reader()
        return view360.fetch(
            cache,
            outbox,
            member_id,
            now=int(self.clock()),
            browse_days=int(self.settings.get("retention_days")),
        )

    @staticmethod
    def _shown(view: CustomerView) -> tuple[str, ...]:
        from clerk import view360

        return view360.shown(view)

    @_reads_cache
    def _shape_view(self, raw: Any, visit: Recorded | None = None) -> CustomerView:
        """The 360 of :meth:`_fetch_view`'s rows (and a visit recorded since, overlaid)."""
        import json

        from clerk import view360

        if visit is not None:
            body = json.dumps(visit.payload, ensure_ascii=False, separators=(",", ":"))
            row = (visit.id, visit.kind, visit.staff_id, body, visit.created_at, "pending", None)
            raw = view360.with_record(raw, row)
        cache, _outbox = self._reader()
        view = view360.shape(
            raw,
            now=int(self.clock()),
            online=cache_mod.get_state(cache, "online") == "1",
            last_pull_at=_int_or_none(cache_mod.get_state(cache, "last_pull_at")),
        )
        logs.remember_personal(view.profile.name, view.profile.name_en)
        return view

    @_reads_cache
    def view(self, member_id: str) -> CustomerView | None:
        from clerk import view360

        member_id = self.current_member_id(member_id)
        cache, outbox = self._reader()
        # Only the two freshness facts: status() also counts the whole outbox, which has no
        # place on the path from a scan to the painted view.
        view = view360.lookup(
            cache,
            outbox,
            member_id,
            now=int(self.clock()),
            online=cache_mod.get_state(cache, "online") == "1",
            last_pull_at=_int_or_none(cache_mod.get_state(cache, "last_pull_at")),
            browse_days=int(self.settings.get("retention_days")),
        )
        if view is not None:  # the member being served: their names are masked in logs
            logs.remember_personal(view.profile.name, view.profile.name_en)
        return view

    # -- record ---------------------------------------------------------------------------------

    def record(
        self,
        kind: str,
        *,
        member_id: str | None,
        member_ref: str | None = None,
        staff_id: str | None = None,
        payload: Payload | Mapping[str, Any] | None = None,
    ) -> Recorded:
        """Durably record an interaction in the outbox (synchronous=FULL) and return it.

        The payload (typed, or its JSON object) is validated against its kind first: a record
        the hub would refuse for its shape is not saved (RecordError, with the problem and the
        field). A coupon redemption is also written to the audit log."""
        from clerk.shared.interactions import InvalidInteraction

        # One commit for the interaction and, for a redemption, its audit row.
        with self._write_lock, Transaction(self.outbox):
            if kind == "points_redeem":  # within the local balance (clerk/points.py)
                self._check_points(member_id, payload)
            try:
                rec = outbox_mod.record(
                    self.outbox,
                    kind,
                    member_id=member_id,
                    member_ref=member_ref,
                    staff_id=staff_id,
                    payload=payload,
                    now=int(self.clock()),
                )
            except InvalidInteraction as exc:
                raise RecordError(str(exc), problem=exc.reason, field=exc.field) from exc
            if rec.kind == "redeem":
                audit_mod.append(
                    self.outbox,
                    "redeem",
                    staff_id,
                    {
                        "interaction_id": rec.id,
                        "member_id": member_id,
                        "coupon_id": rec.payload.get("coupon_id"),
                    },
                    rec.created_at,
                )
            return rec

    def _check_points(
        self, member_id: str | None, payload: Payload | Mapping[str, Any] | None
    ) -> None:
        from clerk import points as points_mod
        from clerk.shared.interactions import InvalidInteraction, PointsRedeem, validate

        try:
            typed = validate("points_redeem", payload)
        except InvalidInteraction as exc:
            raise RecordError(str(exc), problem=exc.reason, field=exc.field) from exc
        assert isinstance(typed, PointsRedeem)
        with self._reading():
            cache, _outbox = self._reader()
            points_mod.check_redeem(cache, self.outbox, member_id, typed.points)

    def audit(self, action: str, staff_id: str | None, detail: Mapping[str, Any]) -> None:
        """Append to the tamper-evident audit log (outbox.db), through the terminal's writer."""
        with self._write_lock:
            audit_mod.append(self.outbox, action, staff_id, dict(detail), int(self.clock()))

    # -- staff ------------------------------------------------------------------------------------

    def roster(self) -> list[StaffMember]:
        """Everyone who may sign in here (active staff), by name."""
        from clerk.staff import StaffAuth

        cache, outbox = self._reader()
        return StaffAuth(cache, outbox, self.clock).roster()

    def sign_in(self, staff_id: str, pin: str) -> Session:
        """Check a PIN (:meth:`clerk.staff.StaffAuth.sign_in`: lockout, audit), writing
        through the terminal's writer — which is not held while the hash is checked. Raises
        SignInError with the reason."""
        from clerk.staff import StaffAuth

        cache, outbox = self._reader()
        return StaffAuth(cache, outbox, self.clock, write=self.write).sign_in(staff_id, pin)

    def sign_out(self, session: Session, reason: str = "manual") -> None:
        """Audit the end of a session (``reason``: manual | idle | command)."""
        from clerk.staff import StaffAuth

        cache, outbox = self._reader()
        StaffAuth(cache, outbox, self.clock, write=self.write).sign_out(session, reason)

    # -- the manager's ----------------------------------------------------------------------------

    def change_settings(
        self, session: Session | None, changes: Mapping[str, str]
    ) -> dict[str, Any]:
        """Set each of ``changes`` as the signed-in manager: validated, saved and audited
        (``settings_change``). Returns name → the new value, or the ConfigError refusing it
        (the others are saved). PermissionDeniedError, nothing changed, for anyone else."""
        from clerk.staff import require, set_setting

        require(session, "settings")
        now = int(self.clock())
        results: dict[str, Any] = {}
        for name, value in changes.items():
            try:
                with self._write_lock:
                    results[name] = set_setting(
                        session, self.settings, name, value, audit_conn=self.outbox, now=now
                    )
            except ConfigError as exc:
                results[name] = exc
        return results

    def dashboard(self, tz: tzinfo) -> DashboardSource:
        """The manager's figures, export and decisions for this terminal (store-local days in
        ``tz``); a source is used by one thread at a time."""
        from clerk.dashboard import DashboardSource

        return DashboardSource(self, tz=tz)

    # -- status ---------------------------------------------------------------------------------

    def device_id(self) -> str | None:
        """This terminal's id at the hub (None: not enrolled yet) — without the rest of
        :meth:`status`, which counts the outbox."""
        _, outbox = self._reader()
        return outbox_mod.get_meta(outbox, outbox_mod.META_DEVICE_ID)

    @_reads_cache
    def status(self) -> TerminalStatus:
        cache, outbox = self._reader()
        ob = outbox_mod.status(outbox)

        def state(key: str) -> str | None:
            return cache_mod.get_state(cache, key)

        last_pull = _int_or_none(state("last_pull_at"))
        offset_text = state("clock_offset_s")
        try:
            offset = float(offset_text) if offset_text is not None else None
        except ValueError:
            offset = None
        now = self.clock()
        return TerminalStatus(
            pending=ob.pending,
            rejected=ob.rejected,
            conflict=ob.conflict,
            oldest_pending_at=ob.oldest_pending_at,
            last_pull_at=last_pull,
            last_push_at=_int_or_none(state("last_push_at")),
            online=state("online") == "1",
            last_error=state("last_error") or ob.last_error,
            store_id=outbox_mod.get_meta(outbox, outbox_mod.META_STORE_ID),
            store_name=outbox_mod.get_meta(outbox, outbox_mod.META_STORE_NAME),
            device_id=outbox_mod.get_meta(outbox, outbox_mod.META_DEVICE_ID),
            cursor=_int_or_none(state("cursor")),
            cache_stale=last_pull is None or now - last_pull > STALE_AFTER_S,
            clock_offset_s=offset,
            clock_suspect=offset is not None and abs(offset) > CLOCK_SUSPECT_S,
            cache_rebuilt=self.cache_rebuilt,
            clone_suspected=ob.clone_suspected,
            attention=ob.attention,
            device_revoked=outbox_mod.get_meta(outbox, outbox_mod.META_DEVICE_REVOKED_AT)
            is not None,
        )

    @_reads_cache
    def products(self, query: str, limit: int = 20) -> list[Product]:
        """Active products of the catalogue (cache.db ``products``) matching ``query``: the
        sku exactly first, then skus starting with it, then titles (Chinese or English,
        any case) containing it; at most ``limit``."""
        words = query.strip()
        if not words:
            return []
        cache, _ = self._reader()
        like = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = cache.execute(
            "SELECT sku, title_zh, title_en, category, price_cents, image, active FROM products"
            " WHERE active = 1 AND (sku = ?1 COLLATE NOCASE OR sku LIKE ?2 ESCAPE '\\'"
            " OR title_zh LIKE ?3 ESCAPE '\\' OR title_en LIKE ?3 ESCAPE '\\')"
            " ORDER BY sku = ?1 COLLATE NOCASE DESC, sku LIKE ?2 ESCAPE '\\' DESC, title_en"
            " LIMIT ?4",
            (words, like[1:], like, limit),
        ).fetchall()
        from clerk.model import Product

        return [Product(r[0], r[1], r[2], r[3], int(r[4]), r[5], bool(r[6])) for r in rows]

    @_reads_cache
    def product_by_barcode(self, code: str) -> Product | None:
        """The catalogue's product with this barcode (an EAN-13, or a UPC-A read as its
        EAN-13), active or not; None when none has it. ValueError for a bad check digit."""
        from clerk.model import Product
        from clerk.shared import gtin

        cache, _ = self._reader()
        row = cache.execute(
            "SELECT sku, title_zh, title_en, category, price_cents, image, active FROM products"
            " WHERE barcode = ?",
            (gtin.normalize(code),),
        ).fetchone()
        if row is None:
            return None
        return Product(row[0], row[1], row[2], row[3], int(row[4]), row[5], bool(row[6]))

    @_reads_cache
    def staff_name(self, staff_id: str) -> str | None:
        """The name of a staff member of this store (cache.db ``staff``), or None."""
        cache, _ = self._reader()
        row = cache.execute("SELECT name FROM staff WHERE id = ?", (staff_id,)).fetchone()
        return None if row is None else str(row["name"])

    @_reads_cache
    def recent_customers(self, limit: int = 10) -> list[tuple[str, str, int]]:
        """(member_id, name, at) of the latest identified visits at this terminal."""
        cache, outbox = self._reader()
        rows = outbox.execute(
            "SELECT member_id, max(created_at) AS at FROM interactions WHERE kind = 'visit' "
            "AND member_id IS NOT NULL GROUP BY member_id ORDER BY at DESC LIMIT ?",
            (limit,),
        ).fetchall()
        out: list[tuple[str, str, int]] = []
        for r in rows:
            m = cache.execute("SELECT name FROM members WHERE id = ?", (r["member_id"],)).fetchone()
            out.append((r["member_id"], m["name"] if m else r["member_id"], int(r["at"])))
        return out
