"""The hub's data layer: one class over SQLite (default) or PostgreSQL (psycopg 3).

Every SQL statement of the hub lives here. SQL is written once, with ``?`` placeholders and
``INSERT … ON CONFLICT … DO UPDATE``, which both engines run; the small :class:`Dialect`
adapter swaps placeholders, the auto-increment column type and bulk loading (executemany on
SQLite, COPY on PostgreSQL).

Concurrency: one writer at a time. In-process writers queue on a lock (with a deadline:
:class:`~sync.hub.errors.BusyError` when it passes); across processes SQLite's
``BEGIN IMMEDIATE`` and a PostgreSQL transaction-level advisory lock serialise them. That also
makes change sequence numbers commit in order, so a reader that has seen ``seq = n`` can never
later find a new change below ``n``. Readers use their own connections (one per thread on
SQLite, a small pool on PostgreSQL).

Every data change writes a row to ``changes`` in the same transaction (see :meth:`Tx.emit`);
an older change row for the same (entity, key) is dropped so the feed carries each key once.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import queue
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib import resources
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, Literal

import psycopg

from clerk.cache import TABLES as CACHE_TABLES
from clerk.shared import membercode
from clerk.shared.entities import JSON_COLUMNS
from sync.hub.errors import (
    BusyError,
    ForbiddenError,
    HubError,
    InvalidInputError,
    NotFoundError,
    StorageFailure,
)

Row = tuple[Any, ...]

ENROL_CODE_TTL_S = 24 * 3600
WRITE_LOCK_TIMEOUT_S = 15.0
SQLITE_BUSY_TIMEOUT_MS = 15000
PG_POOL_SIZE = 12
ADVISORY_LOCK_ID = 0x0C1E4C  # serialises hub writers across processes on PostgreSQL
_IN_CHUNK = 900

# Feed entity -> (hub table, primary key column, cache columns, key from text).
_ENTITY_TABLE: dict[str, str] = {
    "member": "members",
    "product": "products",
    "browse": "browse_events",
    "cart": "cart_items",
    "coupon": "coupons",
    "visit": "visits",
    "key": "signing_keys",
    "staff": "staff",
}


def entity_columns(entity: str) -> tuple[str, ...]:
    """The columns a change row of ``entity`` carries: exactly the terminal cache's."""
    return CACHE_TABLES[entity][2]


def entity_pk(entity: str) -> str:
    return CACHE_TABLES[entity][1]


def _key_value(entity: str, key: str) -> Any:
    return int(key) if entity in ("browse", "key") else key


# --- dialects and connections ----------------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    name: Literal["sqlite", "postgres"]
    param: str
    serial: str
    bigint: str

    def sql(self, text: str) -> str:
        return text if self.param == "?" else text.replace("?", self.param)


SQLITE = Dialect("sqlite", "?", "INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER")
POSTGRES = Dialect("postgres", "%s", "BIGSERIAL PRIMARY KEY", "BIGINT")


def _is_postgres_url(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


_DRIVER_ERRORS = (sqlite3.Error, psycopg.Error, UnicodeEncodeError, OverflowError)


def _translate(exc: Exception, what: str) -> HubError:
    """A driver error as a hub error: busy/unreachable → BusyError, values the database cannot
    hold (bad Unicode, integers out of range) → InvalidInputError, others → StorageFailure."""
    if isinstance(exc, (UnicodeEncodeError, OverflowError, psycopg.DataError)):
        return InvalidInputError(f"a value cannot be stored: {exc}", reason="bad_value")
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return BusyError(f"database busy during {what}: {exc}")
    if isinstance(exc, psycopg.OperationalError):
        return BusyError(f"database unavailable during {what}: {exc}")
    return StorageFailure(f"database error during {what}: {exc}")


@contextmanager
def _translated(what: str) -> Iterator[None]:
    try:
        yield
    except _DRIVER_ERRORS as exc:
        raise _translate(exc, what) from exc


class Conn:
    """One database connection and the dialect it speaks. SQL uses ``?`` placeholders.

    The per-statement methods catch driver errors inline (no context manager): they run
    several times per ingested interaction.
    """

    def __init__(self, raw: Any, dialect: Dialect) -> None:
        self.raw = raw
        self.dialect = dialect
        self._pg = dialect.name == "postgres"
        self._sql_cache: dict[str, str] = {}

    def _sql(self, sql: str) -> str:
        out = self._sql_cache.get(sql)
        if out is None:
            out = self._sql_cache[sql] = self.dialect.sql(sql)
        return out

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        try:
            cur = self.raw.execute(self._sql(sql), params)
            count = int(cur.rowcount)
            if self._pg:
                cur.close()
            return count
        except _DRIVER_ERRORS as exc:
            raise _translate(exc, "execute") from exc

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        try:
            cur = self.raw.execute(self._sql(sql), params)
            result = [tuple(r) for r in cur.fetchall()]
            cur.close()
            return result
        except _DRIVER_ERRORS as exc:
            raise _translate(exc, "query") from exc

    def row(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        try:
            cur = self.raw.execute(self._sql(sql), params)
            found = cur.fetchone()
            cur.close()
            return None if found is None else tuple(found)
        except _DRIVER_ERRORS as exc:
            raise _translate(exc, "query") from exc

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        found = self.row(sql, params)
        return None if found is None else found[0]

    def dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with _translated("query"):
            cur = self.raw.execute(self._sql(sql), params)
            names = [d[0] for d in cur.description]
            result = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
            cur.close()
            return result

    def many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with _translated("executemany"):
            if self.dialect.name == "sqlite":
                self.raw.executemany(self._sql(sql), rows)
            else:
                with self.raw.cursor() as cur:
                    cur.executemany(self._sql(sql), list(rows))

    def bulk_insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Insert many rows fast: executemany on SQLite, COPY on PostgreSQL."""
        count = 0
        with _translated(f"bulk insert into {table}"):
            if self.dialect.name == "sqlite":
                marks = ", ".join("?" for _ in columns)
                cur = self.raw.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
                )
                count = int(cur.rowcount)
                cur.close()
            else:
                with self.raw.cursor() as cur:
                    stmt = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                    with cur.copy(stmt) as copy:
                        for r in rows:
                            copy.write_row(r)
                            count += 1
        return count

    def begin(self) -> None:
        with _translated("begin"):
            if self.dialect.name == "sqlite":
                self.raw.execute("BEGIN IMMEDIATE")
            else:
                self.raw.execute("BEGIN")
                self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_ID,))

    def commit(self) -> None:
        with _translated("commit"):
            self.raw.execute("COMMIT")

    def rollback(self) -> None:
        try:
            if self.dialect.name == "sqlite":
                if self.raw.in_transaction:
                    self.raw.execute("ROLLBACK")
            else:
                self.raw.execute("ROLLBACK")
        except _DRIVER_ERRORS:
            # The connection is broken and its transaction gone with it; the error that
            # caused the rollback is the one the caller needs to see.
            pass

    def close(self) -> None:
        with suppress(*_DRIVER_ERRORS):
            self.raw.close()


def _connect_sqlite(path: str, *, readonly: bool = False) -> Conn:
    with _translated(f"open {path}"):
        if readonly:
            raw = sqlite3.connect(
                f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
            )
        else:
            raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if not readonly:
            raw.execute("PRAGMA journal_mode = WAL")
        # FULL: an acknowledged interaction survives a power cut (the terminal then drops it).
        raw.execute("PRAGMA synchronous = FULL")
        raw.execute("PRAGMA cache_size = -65536")
        raw.execute("PRAGMA temp_store = MEMORY")
    return Conn(raw, SQLITE)


def _connect_pg(url: str) -> Conn:
    with _translated("connect to PostgreSQL"):
        raw = psycopg.connect(url, autocommit=True, connect_timeout=10)
    return Conn(raw, POSTGRES)


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Device:
    id: str
    store_id: str
    name: str


@dataclass(frozen=True)
class SigningKey:
    kid: int
    private_key: str
    public_key: str
    created_at: int
    not_after: int | None


@dataclass(frozen=True)
class ChangesPage:
    changes: list[dict[str, Any]]
    next_cursor: int
    has_more: bool
    remaining: int


@dataclass(frozen=True)
class _Feed:
    """One page of the feed: change rows, the upserted rows' data as JSON text by key."""

    rows: list[Row]  # (seq, entity, key, op)
    data: dict[tuple[str, str], str]
    next_cursor: int
    has_more: bool
    remaining: int

    def entries(self) -> Iterator[tuple[int, str, str, str, str | None]]:
        """(seq, entity, key, op, data JSON or None) per change. An upsert whose row is gone
        (deleted after the change was read; its delete comes later) reads as a delete."""
        data = self.data
        for seq, entity, key, op in self.rows:
            row = data.get((entity, key)) if op == "upsert" else None
            if op == "upsert" and row is None:
                op = "delete"
            yield int(seq), entity, key, op, row


def _json_object_sql(entity: str) -> str:
    """SQLite: an entity's rows as the feed's JSON objects (JSON columns embedded when valid,
    as strings otherwise — what :func:`_decode_row` does)."""
    args = []
    for c in entity_columns(entity):
        value = f"CASE WHEN json_valid({c}) THEN json({c}) ELSE {c} END" if c in JSON_COLUMNS else c
        args.append(f"'{c}', {value}")
    pk = entity_pk(entity)
    return f"SELECT {pk}, json_object({', '.join(args)}) FROM {_ENTITY_TABLE[entity]} WHERE {pk} IN"


def _decode_row(entity: str, columns: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c, v in zip(columns, values, strict=True):
        if c in JSON_COLUMNS and isinstance(v, str):
            with suppress(ValueError):
                v = json.loads(v)
        out[c] = v
    return out


def _normalise_enrol_code(code: str) -> str:
    return re.sub(r"[\s\-]", "", code).upper()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the store -----------------------------------------------------------------------------------


class HubStore:
    """The hub's database. Open with :meth:`open`; close with :meth:`close`."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.dialect = POSTGRES if _is_postgres_url(db) else SQLITE
        self._write_lock = threading.Lock()
        self._closed = False
        self._all_conns: list[Conn] = []
        self._conns_lock = threading.Lock()
        self._local = threading.local()
        self._pg_pool: queue.LifoQueue[Conn] = queue.LifoQueue()
        self._pg_open = 0
        self._writer = self._new_conn()
        self._auth_cache: dict[str, tuple[Device, float]] = {}
        self._remaining_memo: collections.OrderedDict[tuple[str, int], tuple[int, int]] = (
            collections.OrderedDict()
        )
        self._memo_lock = threading.Lock()
        self._settings: dict[str, str] = {}
        self._json_sql: dict[str, str] | None = None
        self._store_names: dict[str, str] = {}

    @classmethod
    def open(cls, db: str, *, migrate: bool = True) -> HubStore:
        """Open the hub database (a SQLite path or a postgresql:// URL) and migrate it."""
        if not _is_postgres_url(db):
            parent = Path(db).expanduser().resolve().parent
            if not parent.is_dir():
                raise InvalidInputError(f"directory {parent} does not exist", reason="bad_db")
            db = str(Path(db).expanduser())
        store = cls(db)
        try:
            if migrate:
                store.migrate()
        except BaseException:
            store.close()
            raise
        return store

    # connections -----------------------------------------------------------------------------

    def _new_conn(self) -> Conn:
        conn = _connect_pg(self.db) if self.dialect.name == "postgres" else _connect_sqlite(self.db)
        with self._conns_lock:
            self._all_conns.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection this store opened (from any thread)."""
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
    def write(self, timeout: float = WRITE_LOCK_TIMEOUT_S) -> Iterator[Tx]:
        """One write transaction, serialised with every other writer. Commits on success."""
        if not self._write_lock.acquire(timeout=timeout):
            raise BusyError("the hub is busy writing; retry shortly")
        try:
            if self._closed:
                raise BusyError("the hub is shutting down", reason="shutting_down")
            conn = self._writer
            if self.dialect.name == "postgres" and (conn.raw.closed or conn.raw.broken):
                conn = self._writer = self._new_conn()
            conn.begin()
            try:
                yield Tx(self, conn)
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
        finally:
            self._write_lock.release()

    def ping(self) -> None:
        with self.read() as conn:
            conn.scalar("SELECT 1")

    # migrations ------------------------------------------------------------------------------

    def schema_version(self) -> int:
        with self.read() as conn:
            exists = self._has_table(conn, "schema_version")
            if not exists:
                return 0
            return int(conn.scalar("SELECT coalesce(max(version), 0) FROM schema_version"))

    def _has_table(self, conn: Conn, name: str) -> bool:
        if self.dialect.name == "sqlite":
            sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        else:
            sql = (
                "SELECT 1 FROM information_schema.tables WHERE table_name = ? "
                "AND table_schema = current_schema()"
            )
        return conn.row(sql, (name,)) is not None

    def migrate(self) -> list[int]:
        """Apply pending migrations (sync/hub/schema/NNN_*.sql); returns the versions applied."""
        applied: list[int] = []
        with self.write() as tx:
            conn = tx.conn
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                f"applied_at {self.dialect.bigint} NOT NULL)"
            )
            current = int(conn.scalar("SELECT coalesce(max(version), 0) FROM schema_version"))
            for version, _name, text in _migrations():
                if version <= current:
                    continue
                for statement in _statements(text, self.dialect):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                    (version, int(time.time())),
                )
                applied.append(version)
            self._bootstrap(tx)
        return applied

    def _bootstrap(self, tx: Tx) -> None:
        """Create the phone-hash key and a first signing key on a new database."""
        conn = tx.conn
        if conn.row("SELECT 1 FROM settings WHERE key = 'phone_hash_key'") is None:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES ('phone_hash_key', ?)",
                (secrets.token_hex(32),),
            )
        if conn.row("SELECT 1 FROM signing_keys WHERE not_after IS NULL") is None:
            tx.add_signing_key(int(time.time()))

    # settings, stores --------------------------------------------------------------------------

    def setting(self, key: str) -> str:
        value = self._settings.get(key)
        if value is None:
            with self.read() as conn:
                value = conn.scalar("SELECT value FROM settings WHERE key = ?", (key,))
            if value is None:
                raise NotFoundError(f"setting {key} is not set")
            self._settings[key] = value
        return value

    @property
    def phone_hash_key(self) -> str:
        return self.setting("phone_hash_key")

    def count(self, table: str) -> int:
        if not re.fullmatch(r"[a-z_]+", table):
            raise InvalidInputError(f"bad table name {table!r}")
        with self.read() as conn:
            return int(conn.scalar(f"SELECT count(*) FROM {table}"))

    def stores(self) -> list[dict[str, Any]]:
        with self.read() as conn:
            return conn.dicts("SELECT id, name, name_en, city FROM stores ORDER BY id")

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

    # keys ------------------------------------------------------------------------------------

    def signing_keys(self) -> list[SigningKey]:
        with self.read() as conn:
            rows = conn.rows(
                "SELECT kid, private_key, public_key, created_at, not_after "
                "FROM signing_keys ORDER BY kid"
            )
        return [SigningKey(int(r[0]), r[1], r[2], int(r[3]), r[4]) for r in rows]

    def active_key(self) -> SigningKey:
        keys = [k for k in self.signing_keys() if k.not_after is None]
        if not keys:
            raise NotFoundError("no active signing key", reason="no_signing_key")
        return max(keys, key=lambda k: k.created_at)

    def public_keys(self) -> list[dict[str, Any]]:
        return [
            {"kid": k.kid, "public_key": k.public_key, "not_after": k.not_after}
            for k in self.signing_keys()
        ]

    def rotate_key(self, *, now: int | None = None, grace_s: int = 300) -> SigningKey:
        """Make a new active key; the old one signs no more and expires after ``grace_s``."""
        t = int(time.time()) if now is None else now
        with self.write() as tx:
            for kid in [
                int(r[0])
                for r in tx.conn.rows("SELECT kid FROM signing_keys WHERE not_after IS NULL")
            ]:
                tx.conn.execute(
                    "UPDATE signing_keys SET not_after = ? WHERE kid = ?", (t + grace_s, kid)
                )
                tx.emit("key", str(kid), "upsert", None)
            key = tx.add_signing_key(t)
        return key

    # enrolment and devices -------------------------------------------------------------------

    def create_enrol_code(self, store_id: str, *, now: int | None = None) -> str:
        """A one-time enrolment code for ``store_id``, valid 24 hours. Only its hash is kept."""
        t = int(time.time()) if now is None else now
        self.store_name(store_id)  # NotFoundError for an unknown store
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        raw = "".join(secrets.choice(alphabet) for _ in range(12))
        code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
        with self.write() as tx:
            tx.conn.execute(
                "INSERT INTO enrol_codes (code_hash, store_id, created_at, expires_at) "
                "VALUES (?, ?, ?, ?)",
                (_sha256(_normalise_enrol_code(code)), store_id, t, t + ENROL_CODE_TTL_S),
            )
        return code

    def enroll_device(
        self, store_id: str, code: str, device_name: str, *, now: int | None = None
    ) -> tuple[Device, str]:
        """Spend an enrolment code: a new device and its bearer token (only its hash is kept)."""
        t = int(time.time()) if now is None else now
        code_hash = _sha256(_normalise_enrol_code(code))
        token = secrets.token_urlsafe(32)
        device = Device(id="dev-" + secrets.token_hex(8), store_id=store_id, name=device_name)
        with self.write() as tx:
            found = tx.conn.row(
                "SELECT store_id, expires_at, used_at FROM enrol_codes WHERE code_hash = ?",
                (code_hash,),
            )
            if found is None or found[0] != store_id:
                raise ForbiddenError(
                    "the enrolment code is not valid for this store", reason="enrol_code_invalid"
                )
            if found[2] is not None:
                raise ForbiddenError(
                    "the enrolment code has already been used", reason="enrol_code_used"
                )
            if int(found[1]) < t:
                raise ForbiddenError("the enrolment code has expired", reason="enrol_code_expired")
            tx.conn.execute(
                "UPDATE enrol_codes SET used_at = ?, device_id = ? WHERE code_hash = ?",
                (t, device.id, code_hash),
            )
            tx.conn.execute(
                "INSERT INTO devices (id, store_id, name, token_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (device.id, store_id, device_name, _sha256(token), t),
            )
        return device, token

    def authenticate(self, token: str) -> Device | None:
        """The device a bearer token belongs to, or None. Positive answers cached 30 s."""
        token_hash = _sha256(token)
        cached = self._auth_cache.get(token_hash)
        now = time.monotonic()
        if cached is not None and cached[1] > now:
            return cached[0]
        with self.read() as conn:
            found = conn.row(
                "SELECT id, store_id, name FROM devices WHERE token_hash = ? "
                "AND revoked_at IS NULL",
                (token_hash,),
            )
        if found is None:
            self._auth_cache.pop(token_hash, None)
            return None
        device = Device(found[0], found[1], found[2])
        if len(self._auth_cache) > 10000:
            self._auth_cache.clear()
        self._auth_cache[token_hash] = (device, now + 30.0)
        return device

    def revoke_device(self, device_id: str, *, now: int | None = None) -> None:
        t = int(time.time()) if now is None else now
        with self.write() as tx:
            if (
                tx.conn.execute("UPDATE devices SET revoked_at = ? WHERE id = ?", (t, device_id))
                == 0
            ):
                raise NotFoundError(f"unknown device {device_id}", reason="unknown_device")
        self._auth_cache.clear()

    # changes feed ----------------------------------------------------------------------------

    def changes(self, store_id: str, since: int, limit: int) -> ChangesPage:
        """The store's slice after ``since``, in sequence order, with each row's current data."""
        feed = self._feed(store_id, since, limit)
        changes: list[dict[str, Any]] = []
        for seq, entity, key, op, data in feed.entries():
            row = None if data is None else json.loads(data)
            changes.append({"seq": seq, "entity": entity, "op": op, "key": key, "data": row})
        return ChangesPage(changes, feed.next_cursor, feed.has_more, feed.remaining)

    def changes_json(self, store_id: str, since: int, limit: int) -> bytes:
        """The page :meth:`changes` returns, as the wire's UTF-8 JSON (``ChangesResponse``;
        the same text ``json.dumps(page, ensure_ascii=False, separators=(",", ":"))`` gives).
        On SQLite each row's data is rendered by SQLite itself (``json_object``), so a page
        of the feed never becomes Python dicts on the hub: ~2× less hub CPU per row."""
        feed = self._feed(store_id, since, limit)
        enc = encode_basestring  # a str as a JSON literal, non-ASCII kept (C)
        parts = [
            f'{{"seq":{seq},"entity":{enc(entity)},"op":{enc(op)},"key":{enc(key)},'
            f'"data":{"null" if data is None else data}}}'
            for seq, entity, key, op, data in feed.entries()
        ]
        body = (
            f'{{"changes":[{",".join(parts)}],"next_cursor":{feed.next_cursor},'
            f'"has_more":{"true" if feed.has_more else "false"},"remaining":{feed.remaining}}}'
        )
        return body.encode("utf-8")

    def _feed(self, store_id: str, since: int, limit: int) -> _Feed:
        with self.read() as conn:
            max_seq = int(conn.scalar("SELECT coalesce(max(seq), 0) FROM changes"))
            own = conn.rows(
                "SELECT seq, entity, key, op FROM changes WHERE store_id = ? AND seq > ? "
                "AND seq <= ? ORDER BY seq LIMIT ?",
                (store_id, since, max_seq, limit + 1),
            )
            common = conn.rows(
                "SELECT seq, entity, key, op FROM changes WHERE store_id IS NULL AND seq > ? "
                "AND seq <= ? ORDER BY seq LIMIT ?",
                (since, max_seq, limit + 1),
            )
            merged = sorted(own + common) if common else own
            page = merged[:limit]
            has_more = len(merged) > limit
            data = self._current_rows(conn, page)
            remaining_since = self._remaining(conn, store_id, since, max_seq)
        next_cursor = int(page[-1][0]) if page else since
        remaining = max(0, remaining_since - len(page))
        with self._memo_lock:
            self._remaining_memo[(store_id, next_cursor)] = (remaining, max_seq)
            while len(self._remaining_memo) > 4096:
                self._remaining_memo.popitem(last=False)
        return _Feed(page, data, next_cursor, has_more, remaining)

    def _remaining(self, conn: Conn, store_id: str, since: int, max_seq: int) -> int:
        """Changes for the store in (since, max_seq]. Counted once per sync, then carried on."""
        with self._memo_lock:
            memo = self._remaining_memo.get((store_id, since))
        low = since
        base = 0
        if memo is not None:
            base, low = memo[0], max(since, memo[1])
        if low >= max_seq:
            return base
        counted = conn.scalar(
            "SELECT (SELECT count(*) FROM changes WHERE store_id = ? AND seq > ? AND seq <= ?) "
            "+ (SELECT count(*) FROM changes WHERE store_id IS NULL AND seq > ? AND seq <= ?)",
            (store_id, low, max_seq, low, max_seq),
        )
        return base + int(counted)

    def _current_rows(self, conn: Conn, page: Sequence[Row]) -> dict[tuple[str, str], str]:
        """The current data of the page's upserted keys, each row as JSON text."""
        wanted: dict[str, list[str]] = {}
        for _seq, entity, key, op in page:
            if op == "upsert":
                wanted.setdefault(entity, []).append(key)
        out: dict[tuple[str, str], str] = {}
        for entity, keys in wanted.items():
            for key, data in self._json_rows_by_key(conn, entity, keys):
                out[(entity, key)] = data
        return out

    def _json_rows_by_key(
        self, conn: Conn, entity: str, keys: Sequence[str]
    ) -> Iterator[tuple[str, str]]:
        """(key, the row as JSON text) for those of ``keys`` that exist."""
        in_sql = self._sqlite_json_sql(conn, entity)
        if in_sql is None:
            pk = entity_pk(entity)
            for row in self._rows_by_key(conn, entity, keys):
                yield str(row[pk]), json.dumps(row, ensure_ascii=False, separators=(",", ":"))
            return
        for i in range(0, len(keys), _IN_CHUNK):
            chunk = [_key_value(entity, k) for k in keys[i : i + _IN_CHUNK]]
            marks = ", ".join("?" for _ in chunk)
            for key, data in conn.rows(f"{in_sql} ({marks})", chunk):
                yield str(key), data

    def _rows_by_key(self, conn: Conn, entity: str, keys: Sequence[str]) -> list[dict[str, Any]]:
        table = _ENTITY_TABLE[entity]
        columns = entity_columns(entity)
        pk = entity_pk(entity)
        out: list[dict[str, Any]] = []
        for i in range(0, len(keys), _IN_CHUNK):
            chunk = [_key_value(entity, k) for k in keys[i : i + _IN_CHUNK]]
            marks = ", ".join("?" for _ in chunk)
            for r in conn.rows(
                f"SELECT {', '.join(columns)} FROM {table} WHERE {pk} IN ({marks})", chunk
            ):
                out.append(_decode_row(entity, columns, r))
        return out

    def _sqlite_json_sql(self, conn: Conn, entity: str) -> str | None:
        """``SELECT pk, json_object(...) FROM table WHERE pk IN`` for ``entity`` when the
        database renders JSON itself (SQLite with its JSON functions); None otherwise."""
        if self._json_sql is None:
            self._json_sql = {}
            if self.dialect.name == "sqlite":
                try:
                    conn.raw.execute("SELECT json_object('a', json('[1]'), 'b', json_valid('x'))")
                except sqlite3.Error:
                    pass  # a SQLite built without JSON: rows are rendered in Python
                else:
                    self._json_sql = {e: _json_object_sql(e) for e in _ENTITY_TABLE}
        return self._json_sql.get(entity)

    # members ---------------------------------------------------------------------------------

    def member_view(self, member_id: str) -> dict[str, Any]:
        """One member's whole slice (MemberView shape); NotFoundError if unknown."""
        with self.read() as conn:
            members = self._rows_by_key(conn, "member", [member_id])
            if not members:
                raise NotFoundError(f"unknown member {member_id}", reason="unknown_member")
            view: dict[str, Any] = {"member": members[0]}
            for entity, field, order, cap in (
                ("browse", "browse", "at DESC, id DESC", 5000),
                ("cart", "cart", "added_at DESC, id", 1000),
                ("coupon", "coupons", "expires_at, id", 1000),
                ("visit", "visits", "at DESC, id DESC", 1000),
            ):
                columns = entity_columns(entity)
                rows = conn.rows(
                    f"SELECT {', '.join(columns)} FROM {_ENTITY_TABLE[entity]} "
                    f"WHERE member_id = ? ORDER BY {order} LIMIT {cap}",
                    (member_id,),
                )
                view[field] = [_decode_row(entity, columns, r) for r in rows]
            skus = sorted({r["sku"] for r in view["browse"]} | {r["sku"] for r in view["cart"]})
            view["products"] = self._rows_by_key(conn, "product", skus[:5000])
        return view

    def lookup_member(
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
        with self.read() as conn:
            found = conn.scalar(sql + " LIMIT 1", (value,))
        if found is None:
            raise NotFoundError("no member has this identity", reason="unknown_member")
        return str(found)

    def member_ids(self, store_id: str, *, limit: int = 10) -> list[str]:
        """The first members (by id) whose home is ``store_id``."""
        with self.read() as conn:
            rows = conn.rows(
                "SELECT id FROM members WHERE home_store = ? ORDER BY id LIMIT ?", (store_id, limit)
            )
        return [str(r[0]) for r in rows]

    def member_code_id(self, member_id: str) -> int:
        with self.read() as conn:
            found = conn.scalar("SELECT code_id FROM members WHERE id = ?", (member_id,))
        if found is None:
            raise NotFoundError(f"unknown member {member_id}", reason="unknown_member")
        return int(found)

    def delete_member(self, member_id: str) -> int:
        """Erase a member and every row about them (privacy erasure); deletes reach terminals.

        Interactions are kept (they are the stores' records) but no longer name the member.
        Returns the number of rows deleted.
        """
        with self.write() as tx:
            home = tx.conn.row("SELECT home_store FROM members WHERE id = ?", (member_id,))
            if home is None:
                raise NotFoundError(f"unknown member {member_id}", reason="unknown_member")
            store_id = home[0]
            deleted = 0
            for entity in ("browse", "cart", "coupon", "visit"):
                table = _ENTITY_TABLE[entity]
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

    # conflicts -------------------------------------------------------------------------------

    def conflicts(self, store_id: str, *, include_resolved: bool = False) -> list[dict[str, Any]]:
        """Interactions a manager should look at: conflicts and duplicates touching the store."""
        sql = (
            "SELECT i.id, i.kind, i.member_id, i.device_id, i.store_id, i.staff_id, "
            "i.created_at, i.received_at, i.status, i.reason, i.conflict_with, i.resolved_by, "
            "i.payload FROM interactions i "
            "WHERE i.status IN ('conflict', 'duplicate') AND (i.store_id = ? OR i.conflict_with "
            "IN (SELECT f.id FROM interactions f WHERE f.store_id = ?))"
        )
        if not include_resolved:
            sql += " AND i.resolved_by IS NULL"
        with self.read() as conn:
            rows = conn.dicts(
                sql + " ORDER BY i.received_at, i.id LIMIT 1000", (store_id, store_id)
            )
        for r in rows:
            r["payload"] = json.loads(r["payload"])
        return rows

    def jti_flags(self, store_id: str) -> list[dict[str, Any]]:
        with self.read() as conn:
            return conn.dicts(
                "SELECT jti, device_id, store_id, interaction_id, member_id, seen_at "
                "FROM jti_sightings WHERE flagged = 1 AND jti IN "
                "(SELECT jti FROM jti_sightings WHERE store_id = ?) ORDER BY jti, seen_at",
                (store_id,),
            )

    # export ----------------------------------------------------------------------------------

    def iter_members(self, batch: int = 5000) -> Iterator[dict[str, Any]]:
        """Members for export (keyset pagination: constant memory)."""
        last = ""
        while True:
            with self.read() as conn:
                rows = conn.dicts(
                    "SELECT id, card_no, name, home_store AS store, phone_masked, code_id "
                    "FROM members WHERE id > ? ORDER BY id LIMIT ?",
                    (last, batch),
                )
            if not rows:
                return
            yield from rows
            last = rows[-1]["id"]

    def iter_interactions(self, batch: int = 5000) -> Iterator[dict[str, Any]]:
        last = ""
        while True:
            with self.read() as conn:
                rows = conn.dicts(
                    "SELECT id, device_id, store_id, device_seq, kind, member_id, member_ref, "
                    "staff_id, created_at, received_at, status, reason, conflict_with, "
                    "resolved_by, payload FROM interactions WHERE id > ? ORDER BY id LIMIT ?",
                    (last, batch),
                )
            if not rows:
                return
            yield from rows
            last = rows[-1]["id"]

    # staff -----------------------------------------------------------------------------------

    def staff_rows(self, store_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT id, store_id, name, role, active, updated_at FROM staff"
        params: tuple[Any, ...] = ()
        if store_id is not None:
            sql += " WHERE store_id = ?"
            params = (store_id,)
        with self.read() as conn:
            return conn.dicts(sql + " ORDER BY id", params)

    def upsert_staff(self, rows: Iterable[Mapping[str, Any]], *, now: int | None = None) -> int:
        """Add or replace staff members (with ``pin_hash`` already computed)."""
        t = int(time.time()) if now is None else now
        count = 0
        with self.write() as tx:
            for s in rows:
                self.store_name(str(s["store_id"]))
                tx.conn.execute(
                    "INSERT INTO staff (id, store_id, name, role, pin_hash, active, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                    "store_id = excluded.store_id, name = excluded.name, role = excluded.role, "
                    "pin_hash = excluded.pin_hash, active = excluded.active, "
                    "updated_at = excluded.updated_at",
                    (
                        s["id"],
                        s["store_id"],
                        s["name"],
                        s["role"],
                        s.get("pin_hash"),
                        int(s.get("active", 1)),
                        t,
                    ),
                )
                tx.emit("staff", str(s["id"]), "upsert", str(s["store_id"]))
                count += 1
        return count

    def update_staff(
        self,
        staff_id: str,
        *,
        active: bool | None = None,
        pin_hash: str | None = None,
        now: int | None = None,
    ) -> None:
        t = int(time.time()) if now is None else now
        with self.write() as tx:
            store_id = tx.conn.scalar("SELECT store_id FROM staff WHERE id = ?", (staff_id,))
            if store_id is None:
                raise NotFoundError(f"unknown staff member {staff_id}", reason="unknown_staff")
            if active is not None:
                tx.conn.execute(
                    "UPDATE staff SET active = ?, updated_at = ? WHERE id = ?",
                    (int(active), t, staff_id),
                )
            if pin_hash is not None:
                tx.conn.execute(
                    "UPDATE staff SET pin_hash = ?, updated_at = ? WHERE id = ?",
                    (pin_hash, t, staff_id),
                )
            tx.emit("staff", staff_id, "upsert", str(store_id))

    # bulk loading (seed) ---------------------------------------------------------------------

    @contextmanager
    def bulk(self) -> Iterator[Tx]:
        """A write transaction for bulk loading; use :meth:`Tx.load`."""
        with self.write(timeout=600.0) as tx:
            yield tx

    def drop_bulk_indexes(self) -> list[tuple[str, str]]:
        """Drop the big secondary indexes before a large load; returns what to recreate."""
        indexes = [
            ("browse_member_at", "CREATE INDEX browse_member_at ON browse_events(member_id, at)"),
            ("changes_store_seq", "CREATE INDEX changes_store_seq ON changes(store_id, seq)"),
            ("changes_entity_key", "CREATE INDEX changes_entity_key ON changes(entity, key)"),
        ]
        with self.write() as tx:
            for name, _create in indexes:
                tx.conn.execute(f"DROP INDEX IF EXISTS {name}")
        return indexes

    def create_indexes(self, indexes: Sequence[tuple[str, str]]) -> None:
        with self.write(timeout=600.0) as tx:
            for _name, create in indexes:
                tx.conn.execute(create.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
        with self.read() as conn:
            if self.dialect.name == "sqlite":
                conn.execute("PRAGMA analysis_limit = 1000")  # sampled: seconds, not minutes
            conn.execute("ANALYZE")


class Tx:
    """A write transaction: the statements ingest and admin commands need, on one connection."""

    def __init__(self, store: HubStore, conn: Conn) -> None:
        self.store = store
        self.conn = conn

    def emit(self, entity: str, key: str, op: str, store_id: str | None) -> None:
        """Log a change of (entity, key) for ``store_id`` (None: every store)."""
        self.conn.execute("DELETE FROM changes WHERE entity = ? AND key = ?", (entity, key))
        self.conn.execute(
            "INSERT INTO changes (store_id, entity, key, op) VALUES (?, ?, ?, ?)",
            (store_id, entity, key, op),
        )

    def emit_many(self, changes: Sequence[tuple[str | None, str, str, str]]) -> None:
        """Log several changes (store_id, entity, key, op) in order, for keys whose older change
        rows were already dropped (see :meth:`drop_changes`) or that are new."""
        if changes:
            self.conn.many(
                "INSERT INTO changes (store_id, entity, key, op) VALUES (?, ?, ?, ?)", changes
            )

    def drop_changes(self, entity: str, key: str) -> None:
        self.conn.execute("DELETE FROM changes WHERE entity = ? AND key = ?", (entity, key))

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        return self.conn.bulk_insert(table, columns, rows)

    def add_signing_key(self, now: int) -> SigningKey:
        kids = {int(r[0]) for r in self.conn.rows("SELECT kid FROM signing_keys")}
        free = [k for k in range(256) if k not in kids]
        if not free:
            # Reuse the oldest retired kid: its codes expired long ago.
            oldest = self.conn.row(
                "SELECT kid FROM signing_keys WHERE not_after IS NOT NULL "
                "ORDER BY not_after LIMIT 1"
            )
            if oldest is None:
                raise StorageFailure("no free key id", reason="no_free_kid")
            free = [int(oldest[0])]
            self.conn.execute("DELETE FROM signing_keys WHERE kid = ?", (free[0],))
        kid = (max(kids) + 1) % 256 if kids and (max(kids) + 1) % 256 in free else free[0]
        private, public = membercode.generate_keypair()
        key = SigningKey(kid, membercode.private_key_to_hex(private), public.hex(), now, None)
        self.conn.execute(
            "INSERT INTO signing_keys (kid, private_key, public_key, created_at, not_after) "
            "VALUES (?, ?, ?, ?, NULL)",
            (key.kid, key.private_key, key.public_key, key.created_at),
        )
        self.emit("key", str(kid), "upsert", None)
        return key


# --- migrations ------------------------------------------------------------------------------


def _migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("sync.hub") / "schema"
    found: list[tuple[int, str, str]] = []
    for entry in folder.iterdir():
        m = re.fullmatch(r"(\d{3})_(\w+)\.sql", entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def _statements(text: str, dialect: Dialect) -> list[str]:
    lines = [line.split("--", 1)[0] for line in text.splitlines()]
    body = "\n".join(lines)
    body = body.replace("{{SERIAL}}", dialect.serial).replace("{{BIGINT}}", dialect.bigint)
    return [s.strip() for s in body.split(";") if s.strip()]


def new_phone_key() -> str:
    return os.urandom(32).hex()
