"""What the terminal's parts share: its two files, the readers, the one outbox.db writer.

:class:`Storage` is the base of every part of :class:`clerk.terminal.Terminal` (the façade
sets it up: :meth:`Storage._open_files`). Each thread reads through its own connections;
every write this process makes to outbox.db goes through one connection guarded by a lock
(:meth:`Storage.write`). A damaged cache.db is set aside and started afresh — at open when the
cheap start-up check fails, and when a read meets a damaged page later (:func:`reads_cache`:
CacheRebuildingError); any other storage failure keeps the cache and is a StorageError.
outbox.db is never touched.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

from clerk import audit as audit_mod
from clerk import cache as cache_mod
from clerk import db
from clerk import outbox as outbox_mod
from clerk.errors import (
    CacheCorruptError,
    CacheRebuildingError,
    PermissionDeniedError,
    StorageError,
)

if TYPE_CHECKING:
    from clerk.model import Identity
    from clerk.settings import Settings
    from clerk.shared.phones import PhoneKeys

# A cache miss fetched from the hub: (identity, signed-in staff id) -> member id or None.
FetchMember = Callable[["Identity", "str | None"], "str | None"]
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def reads_cache(method: F) -> F:
    """A Terminal method that reads cache.db: a damaged page met on the way sets the cache
    aside (CacheRebuildingError); other storage failures are said plainly (``_reading``)."""

    @functools.wraps(method)
    def reading(self: Storage, *args: Any, **kwargs: Any) -> Any:
        with self._reading():
            return method(self, *args, **kwargs)

    return cast(F, reading)


def int_or_none(value: str | None) -> int | None:
    try:
        return None if value is None else int(float(value))
    except ValueError:
        return None


class Storage:
    """The files and the writer behind every part of the terminal."""

    home: Path
    clock: Callable[[], float]
    settings: Settings
    fetch_member: FetchMember | None

    def _open_files(self) -> None:
        """Open outbox.db (the one writer) and cache.db (set aside when damaged)."""
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

    # -- what every part reads -------------------------------------------------------------

    @reads_cache
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

    @reads_cache
    def corrected_now(self) -> float:
        """The local clock corrected by the offset learned from the hub's Date headers."""
        cache, _ = self._reader()
        offset = cache_mod.get_state(cache, "clock_offset_s")
        try:
            return self.clock() + (float(offset) if offset is not None else 0.0)
        except ValueError:
            return self.clock()

    def audit(self, action: str, staff_id: str | None, detail: Mapping[str, Any]) -> None:
        """Append to the tamper-evident audit log (outbox.db), through the terminal's writer."""
        with self._write_lock:
            audit_mod.append(self.outbox, action, staff_id, dict(detail), int(self.clock()))

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
