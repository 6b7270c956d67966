"""The hub's data: :class:`HubStore` owns the connections, the write lock and the schema;
one module per aggregate holds its SQL and hangs off the store.

    store.devices       enrolment codes, devices, their secrets and access tokens,
                        revocation                                  (sync.hub.devices)
    store.admin_tokens  HQ admin tokens                             (sync.hub.admins)
    store.keys          member-code signing keys, issuing codes     (sync.hub.keys)
                        (private halves in the key file: ``store.key_source``)
    store.feed          the per-store change feed                   (sync.hub.feed)
    store.members       member views, lookups, erasure, export      (sync.hub.members)
    store.staff         store staff and their PIN hashes            (sync.hub.staff)
    store.interactions  conflicts, flagged jtis, export             (sync.hub.interactions)
    store.bulk          bulk loading with the big indexes dropped   (sync.hub.bulk)
    store.audit         each device's audit chain, checked          (sync.hub.audit)

Interaction batches are written by :mod:`sync.hub.ingest` through :meth:`HubStore.write`.
Connections, dialects and migrations files are :mod:`sync.hub.db`.

Concurrency: in-process writers queue on a lock (with a deadline:
:class:`~sync.hub.errors.BusyError` when it passes). Across processes, SQLite's
``BEGIN IMMEDIATE`` serialises writers; on PostgreSQL they run side by side, each check that
reads then writes taking the keyed locks of what it reads first (:meth:`~sync.hub.db.Conn.lock`:
``m:<member>``, ``i:<interaction id>``, ``id:<kind>:<value>``, ``task:<id>``, …), and a write
that meets another in a deadlock is run again (:meth:`HubStore.run_write`); the rare writes
that must be alone (migrations, bulk loads and imports, key rotation, merges) say
``exclusive``. Change sequence numbers are given at commit, under the chain-wide
advisory lock held only for that (:mod:`sync.hub.db`), so they commit in order: a reader that
has seen ``seq = n`` can never later find a new change below ``n``. Readers use their own
connections (one per thread on SQLite, a small pool on PostgreSQL).

Every data change writes a row to ``changes`` in the same transaction (see :meth:`Tx.emit`);
an older change row for the same (entity, key) is dropped so the feed carries each key once.
"""

from __future__ import annotations

import queue
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import psycopg

from sync.hub import history, keys
from sync.hub.admins import AdminTokens
from sync.hub.audit import AuditChains
from sync.hub.bulk import BulkLoad
from sync.hub.checkpoint import Checkpointer, checkpointer_enabled
from sync.hub.db import (
    PG_ASSIGN_SEQS,
    PG_BROWSE_IDS,
    PG_PENDING_SEQS,
    POSTGRES,
    SQLITE,
    SQLITE_WAL_PAGES,
    Conn,
    connect_pg,
    connect_sqlite,
    is_postgres_url,
    migrations,
    pg_warm,
    statements,
)
from sync.hub.devices import Devices
from sync.hub.errors import BusyError, InvalidInputError, NotFoundError, WriteRaced
from sync.hub.feed import PG_JSON_FUNCTION, ChangeFeed
from sync.hub.interactions import Interactions
from sync.hub.members import Members
from sync.hub.segment import messages
from sync.hub.staff import Staff

WRITE_LOCK_TIMEOUT_S = 15.0
PG_WRITERS = 4  # write connections of a process on PostgreSQL (SQLite: one)
WRITE_ATTEMPTS = 4  # run_write: a write that raced another is run again up to this many times
PENDING_SEQS_VERSION = 13  # the migration after which PostgreSQL numbers change rows at commit
BROWSE_IDS_VERSION = 14  # the migration after which PostgreSQL gives browse ids by a sequence
T = TypeVar("T")


class HubStore:
    """The hub's database. Open with :meth:`open`; close with :meth:`close`."""

    def __init__(self, db: str, *, keys_file: str | None = None) -> None:
        self.db = db
        self.dialect = POSTGRES if is_postgres_url(db) else SQLITE
        self.key_source = keys.key_source(db, keys_file)
        self._token_secret: bytes | None = None
        self._phone_seal: str | None = None
        pg = is_postgres_url(db)
        self._write_slots = threading.BoundedSemaphore(PG_WRITERS if pg else 1)
        self._idle_writers: list[Conn] = []  # guarded by _conns_lock
        self._closed = False
        self._all_conns: list[Conn] = []
        self._conns_lock = threading.Lock()
        self._local = threading.local()
        self._pg_pool: queue.LifoQueue[Conn] = queue.LifoQueue()
        self._idle_writers.append(self._new_conn())
        # SQLite: the WAL copied back on a thread of this process, not in a writer's COMMIT.
        self.checkpointer: Checkpointer | None = None
        if not pg and checkpointer_enabled():
            self.checkpointer = Checkpointer(db, pages=SQLITE_WAL_PAGES)
            self.checkpointer.start()
        self._settings: dict[str, str] = {}
        self._store_names: dict[str, str] = {}
        self._commit_hooks: list[Callable[[], None]] = []
        self._assign_seqs = False  # PostgreSQL: the numbering function is installed
        self.devices = Devices(self)
        self.admin_tokens = AdminTokens(self)
        self.keys = keys.SigningKeys(self)
        self.feed = ChangeFeed(self)
        self.members = Members(self)
        self.staff = Staff(self)
        self.interactions = Interactions(self)
        self.bulk = BulkLoad(self)
        self.audit = AuditChains(self)

    @classmethod
    def open(cls, db: str, *, migrate: bool = True, keys_file: str | None = None) -> HubStore:
        """Open the hub database (a SQLite path or a postgresql:// URL) and migrate it; its
        key file is ``keys_file`` or found as :func:`sync.hub.keys.key_source` says."""
        if not is_postgres_url(db):
            parent = Path(db).expanduser().resolve().parent
            if not parent.is_dir():
                raise InvalidInputError(f"directory {parent} does not exist", reason="bad_db")
            db = str(Path(db).expanduser())
        store = cls(db, keys_file=keys_file)
        try:
            if migrate:
                store.migrate()
        except BaseException:
            store.close()
            raise
        return store

    # connections -----------------------------------------------------------------------------

    def _new_conn(self) -> Conn:
        conn = connect_pg(self.db) if self.dialect.name == "postgres" else connect_sqlite(self.db)
        with self._conns_lock:
            self._all_conns.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection this store opened (from any thread)."""
        if self.checkpointer is not None:
            self.checkpointer.stop()  # (its last copy back first)
        with self._conns_lock:
            self._closed = True
            conns, self._all_conns = self._all_conns, []
        for conn in conns:
            conn.close()

    @contextmanager
    def read(self) -> Iterator[Conn]:
        """A connection for reads (autocommit: each statement sees the latest commit)."""
        if self._closed:
            raise BusyError("the hub is shutting down", reason="shutting_down")
        if self.dialect.name == "sqlite":
            conn: Conn | None = getattr(self._local, "conn", None)
            if conn is None:
                conn = self._new_conn()
                self._local.conn = conn
            yield conn
            return
        try:
            conn = self._pg_pool.get_nowait()
        except queue.Empty:
            conn = self._new_conn()
        try:
            yield conn
        finally:
            raw = conn.raw
            healthy = not (raw.closed or raw.broken)
            if healthy and raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
                if self._closed:
                    conn.close()
                else:
                    self._pg_pool.put(conn)
            else:
                conn.close()

    @contextmanager
    def write(
        self, timeout: float = WRITE_LOCK_TIMEOUT_S, *, exclusive: bool = False
    ) -> Iterator[Tx]:
        """One write transaction. Commits on success. SQLite: this process's writers one at a
        time; PostgreSQL: up to :data:`PG_WRITERS` side by side, each on its own connection.
        ``exclusive``: alone in the chain until it commits (migrations, bulk loads, merges)."""
        if not self._write_slots.acquire(timeout=timeout):
            raise BusyError("the hub is busy writing; retry shortly")
        conn: Conn | None = None
        try:
            if self._closed:
                raise BusyError("the hub is shutting down", reason="shutting_down")
            with self._conns_lock:
                conn = self._idle_writers.pop() if self._idle_writers else None
            if self.dialect.name == "postgres":
                if conn is None or conn.raw.closed or conn.raw.broken:
                    conn = self._new_conn()
                conn.assign_seqs = self._pg_assigns_seqs()
            assert conn is not None  # SQLite: its one writer connection, always idle here
            conn.begin(exclusive=exclusive)
            try:
                yield Tx(conn)
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
        finally:
            if conn is not None:
                with self._conns_lock:
                    self._idle_writers.append(conn)
            self._write_slots.release()
        for hook in self._commit_hooks:
            hook()

    def warm(self, readers: int) -> int:
        """PostgreSQL: open this process's connections before its first request — its
        :data:`PG_WRITERS` writers and ``readers`` read connections in the pool, each server
        process with the tables' catalog entries read (:func:`~sync.hub.db.pg_warm`), the read
        connections with the pull's statements prepared
        (:meth:`~sync.hub.feed.ChangeFeed.named`) — so a hub's first second is not spent
        connecting (a connection and its first statements on each table cost milliseconds,
        while a fleet's first requests queue behind them). The number of
        connections opened; SQLite (a connection per thread, opened in microseconds): 0."""
        if self.dialect.name != "postgres" or self._closed:
            return 0
        opened = 0
        slots = 0
        try:  # every writer slot: no write runs on the writers while they are warmed
            while slots < PG_WRITERS and self._write_slots.acquire(blocking=False):
                slots += 1
            if slots == PG_WRITERS:
                with self._conns_lock:
                    writers, self._idle_writers = self._idle_writers, []
                try:
                    writers = [w for w in writers if not (w.raw.closed or w.raw.broken)]
                    while len(writers) < PG_WRITERS:
                        writers.append(self._new_conn())
                        opened += 1
                    for conn in writers:
                        pg_warm(conn)
                finally:
                    with self._conns_lock:
                        self._idle_writers.extend(writers)
        finally:
            for _ in range(slots):
                self._write_slots.release()
        pooled: list[Conn] = []
        try:
            while True:
                pooled.append(self._pg_pool.get_nowait())
        except queue.Empty:
            pass
        try:
            while len(pooled) < readers:
                pooled.append(self._new_conn())
                opened += 1
            for conn in pooled:
                pg_warm(conn)
                self.feed.named(conn)
        finally:
            for conn in pooled:
                if conn.raw.closed or conn.raw.broken:
                    conn.close()
                else:
                    self._pg_pool.put(conn)
        return opened

    def run_write(self, fn: Callable[[Tx], T], *, attempts: int = WRITE_ATTEMPTS) -> T:
        """``fn(tx)`` in a write transaction, run again (from the start, in a new transaction)
        when it raced another writer (:class:`~sync.hub.errors.WriteRaced`: a deadlock, a
        serialisation failure) — up to ``attempts`` times, then
        the WriteRaced (503, retry) goes to the caller. ``fn`` must have no effect outside
        the transaction."""
        for attempt in range(1, attempts + 1):
            try:
                with self.write() as tx:
                    return fn(tx)
            except WriteRaced:
                if attempt == attempts:
                    raise
        raise AssertionError("unreachable")

    def _pg_assigns_seqs(self) -> bool:
        """Whether this PostgreSQL database numbers change rows at commit (migration 013)."""
        if not self._assign_seqs:  # asked again until it is (another process may migrate)
            with self.read() as conn:
                found = conn.scalar("SELECT to_regprocedure('clerk_assign_seqs()') IS NOT NULL")
            self._assign_seqs = bool(found)
        return self._assign_seqs

    def on_commit(self, hook: Callable[[], None]) -> None:
        """Call ``hook()`` (on the writer's thread, after the lock is released) whenever a
        write transaction of this store commits: the live feed's notifier looks at once."""
        self._commit_hooks.append(hook)

    def ping(self) -> None:
        with self.read() as conn:
            conn.scalar("SELECT 1")

    # migrations ------------------------------------------------------------------------------

    def schema_version(self) -> int:
        with self.read() as conn:
            if not conn.has_table("schema_version"):
                return 0
            return int(conn.scalar("SELECT coalesce(max(version), 0) FROM schema_version"))

    def migrate(self) -> list[int]:
        """Apply pending migrations (sync/hub/schema/NNN_*.sql) and their data steps; returns
        the versions applied."""
        applied: list[int] = []
        with self.write(exclusive=True) as tx:
            conn = tx.conn
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                f"applied_at {self.dialect.bigint} NOT NULL)"
            )
            done = {int(r[0]) for r in conn.rows("SELECT version FROM schema_version")}
            for version, _name, text in migrations():
                if version in done:  # by version, not "above the highest": none is ever skipped
                    continue
                for statement in statements(text, self.dialect):
                    conn.execute(statement)
                if version == history.FACTS_VERSION:  # the rows written before, with facts
                    history.rebuild(tx)
                if version == PENDING_SEQS_VERSION and self.dialect.name == "postgres":
                    conn.execute(PG_ASSIGN_SEQS)  # change rows numbered at commit
                    for statement in PG_PENDING_SEQS:
                        conn.execute(statement)
                if version == BROWSE_IDS_VERSION and self.dialect.name == "postgres":
                    for statement in PG_BROWSE_IDS:
                        conn.execute(statement)
                if version == messages.MESSAGE_KEYS_VERSION:  # the ids kept, moved to their keys
                    messages.backfill(tx)
                conn.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                    (version, int(time.time())),
                )
                applied.append(version)
            if self.dialect.name == "postgres":  # the feed's JSON rendering (not a migration:
                conn.execute(PG_JSON_FUNCTION)  # a function body is not one-dialect SQL)
                if PENDING_SEQS_VERSION in done or PENDING_SEQS_VERSION in applied:
                    conn.execute(PG_ASSIGN_SEQS)  # its newest body
                    conn.assign_seqs = self._assign_seqs = True
            self._bootstrap(tx)
            self._settings.clear()
            if 4 in applied:  # members' phones as terminals may hold them, sent to them again
                self.members.fill_phone_columns(tx)
        return applied

    def _bootstrap(self, tx: Tx) -> None:
        """Create the hub's secrets on a new database — the phone-hash key (the hub's own), the
        phone bucket key (terminals get it) and the X25519 key pair numbers typed offline are
        sealed to (terminals get the public half) — and make the key file whole (a token
        secret, a first signing key, private keys of an older database moved out)."""
        conn = tx.conn
        # The sealing key pair is made by keys.bootstrap: its private half is a secret like the
        # signing keys and lives in the key file with them.
        makers: dict[str, Callable[[], str]] = {
            "phone_hash_key": lambda: secrets.token_hex(32),
            "phone_bucket_key": lambda: secrets.token_hex(32),
        }
        for key, make in makers.items():
            if conn.row("SELECT 1 FROM settings WHERE key = ?", (key,)) is None:
                conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (key, make()))
        material = keys.bootstrap(tx, self.key_source, int(time.time()))
        self._token_secret = bytes.fromhex(material.token_secret or "")
        self._phone_seal = material.phone_seal

    @property
    def token_secret(self) -> bytes:
        """The secret that signs device access tokens (from the key file)."""
        if self._token_secret is None:
            secret = self.key_source.load().token_secret
            if not secret:
                raise NotFoundError(
                    f"the key file ({self.key_source.describe()}) has no token secret: "
                    "run `clerk hub migrate`",
                    reason="no_token_secret",
                )
            self._token_secret = bytes.fromhex(secret)
        return self._token_secret

    # settings, stores, counts -------------------------------------------------------------------

    def _setting(self, key: str) -> str:
        value = self._settings.get(key)
        if value is None:
            with self.read() as conn:
                found = conn.scalar("SELECT value FROM settings WHERE key = ?", (key,))
            if found is None:
                raise NotFoundError(f"setting {key} is not set")
            value = self._settings[key] = str(found)
        return value

    @property
    def phone_hash_key(self) -> str:
        """The key (hex) of the members' full phone hashes: the hub's own, never sent."""
        return self._setting("phone_hash_key")

    @property
    def phone_bucket_key(self) -> str:
        """The key (hex) of the phones' 8-bit buckets; terminals get it at enrolment."""
        return self._setting("phone_bucket_key")

    @property
    def phone_seal_private(self) -> str:
        """The X25519 private key (hex) that opens numbers sealed at terminals (key file)."""
        if self._phone_seal is None:
            seal = self.key_source.load().phone_seal
            if not seal:
                raise NotFoundError(
                    f"the key file ({self.key_source.describe()}) has no phone-sealing key: "
                    "run `clerk hub migrate`",
                    reason="no_seal_key",
                )
            self._phone_seal = seal
        return self._phone_seal

    @property
    def phone_seal_public(self) -> str:
        """Its public half (hex); terminals get it at enrolment and with the keys."""
        return self._setting("phone_seal_public")

    def count(self, table: str) -> int:
        if not re.fullmatch(r"[a-z_]+", table):
            raise InvalidInputError(f"bad table name {table!r}")
        with self.read() as conn:
            return int(conn.scalar(f"SELECT count(*) FROM {table}"))

    def store_name(self, store_id: str) -> str:
        name = self._store_names.get(store_id)
        if name is None:
            with self.read() as conn:
                name = conn.scalar("SELECT name FROM stores WHERE id = ?", (store_id,))
            if name is None:
                raise NotFoundError(f"unknown store {store_id}", reason="unknown_store")
            self._store_names[store_id] = name
        return name

    def upsert_stores(self, stores: Iterable[Mapping[str, Any]]) -> int:
        rows = [(s["id"], s["name"], s.get("name_en"), s.get("city")) for s in stores]
        with self.write() as tx:
            tx.conn.many(
                "INSERT INTO stores (id, name, name_en, city) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                "name_en = excluded.name_en, city = excluded.city",
                rows,
            )
        self._store_names.clear()
        return len(rows)


INSERT_CHANGE = "INSERT INTO changes (store_id, entity, key, op) VALUES (?, ?, ?, ?)"


class Tx:
    """A write transaction (:meth:`HubStore.write`): its connection and the change log."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def emit(self, entity: str, key: str, op: str, store_id: str | None) -> None:
        """Log a change of (entity, key) for ``store_id`` (None: every store)."""
        self.conn.execute("DELETE FROM changes WHERE entity = ? AND key = ?", (entity, key))
        self.conn.execute(INSERT_CHANGE, (store_id, entity, key, op))

    def emit_many(
        self, changes: Sequence[tuple[str | None, str, str, str]], *, at_commit: bool = False
    ) -> None:
        """Log several changes (store_id, entity, key, op) in order, for keys whose older change
        rows were already dropped (see :meth:`drop_changes`) or that are new. ``at_commit``:
        the transaction's last write — on PostgreSQL the rows go with the commit
        (:meth:`~sync.hub.db.Conn.changes_at_commit`, else
        :meth:`~sync.hub.db.Conn.many_at_commit`); else they go with the transaction's next
        message (:meth:`~sync.hub.db.Conn.many_behind`)."""
        if not changes:
            return
        conn = self.conn
        if at_commit and (
            conn.changes_at_commit(changes) or conn.many_at_commit(INSERT_CHANGE, changes)
        ):
            return
        conn.many_behind(INSERT_CHANGE, changes)

    def drop_changes(self, entity: str, key: str) -> None:
        """Drop the change rows of (entity, key), which this transaction logs again: a change
        row is never dropped otherwise (the feed tails rely on it: :mod:`sync.hub.feed_tail`)."""
        self.conn.execute("DELETE FROM changes WHERE entity = ? AND key = ?", (entity, key))

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Bulk-insert rows: executemany on SQLite, COPY on PostgreSQL (:mod:`sync.hub.bulk`)."""
        return self.conn.bulk_insert(table, columns, rows)
