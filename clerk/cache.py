"""cache.db — the disposable local copy of this store's slice of the CRM.

Rebuilt from the hub if lost or corrupt; WAL with ``synchronous=NORMAL``.
Row shapes are those of the changes feed (``sync.protocol.Change.data``): the hub sends
whole rows with exactly the columns of :mod:`clerk.shared.entities`, and the tables here have
exactly those columns; unknown columns are ignored, missing ones are NULL. One value is kept
in another shape: an order's lines, compact (:mod:`clerk.orderlines`).

Damage (SQLITE_CORRUPT, SQLITE_NOTADB — ``clerk.db.storage_fault``) is told apart from every
other failure: only a damaged cache is set aside (``set_aside``: ``cache.db.corrupt-<ts>``,
with its -wal and -shm) and started afresh, at open (``Terminal``) or when a query meets a
damaged page (``Terminal`` and the sync engine). A full disk, no memory, no permission or an
I/O error keep the cache and are raised as a StorageError that says so. Connections still
open on a file that was set aside notice (``file_id`` changed), close it (``retire``) and
open the new one. Old copies are pruned (``prune_copies``).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk import orderlines, search
from clerk.db import Transaction, connect, is_corruption, storage_error
from clerk.errors import CacheCorruptError, StorageError
from clerk.migrate import LazyMigrations
from clerk.shared.entities import ENTITIES, JSON_COLUMNS

if TYPE_CHECKING:
    from sqlite_utils.db import Database

# entity name in the changes feed -> its table here; key and columns are the feed's.
_TABLE_NAMES = {
    "member": "members",
    "product": "products",
    "browse": "browse_events",
    "cart": "cart_items",
    "coupon": "coupons",
    "visit": "visits",
    "wishlist": "wishlist_items",
    "order": "orders",
    "points": "points_ledger",
    "store_points": "store_points",
    "related": "product_related",
    "case": "cases",
    "consent_text": "consent_texts",
    "key": "public_keys",
    "staff": "staff",
    "signup_text": "signup_texts",
    "task": "tasks",
    "assignment": "assignments",
    "template": "message_templates",
}
# entity name in the changes feed -> (table, primary key column, columns)
TABLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    entity: (table, ENTITIES[entity].key, ENTITIES[entity].columns)
    for entity, table in _TABLE_NAMES.items()
}

migrations = LazyMigrations("clerk.cache")
_OPEN_LOCK = threading.Lock()


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE members (
            id TEXT PRIMARY KEY,
            code_id INTEGER,            -- pseudonymous member-code id (signed member codes)
            card_no TEXT,               -- static member card number (Luhn)
            phone_hash TEXT,            -- keyed hash of the E.164 phone number
            phone_masked TEXT,          -- e.g. 138****5678
            name TEXT NOT NULL,
            name_en TEXT,
            tier TEXT NOT NULL DEFAULT 'basic',
            points INTEGER NOT NULL DEFAULT 0,
            consent_marketing INTEGER NOT NULL DEFAULT 0,
            consent_browsing INTEGER NOT NULL DEFAULT 0,
            tags TEXT NOT NULL DEFAULT '[]',
            home_store TEXT,
            birthday TEXT,              -- YYYY-MM-DD
            joined_at INTEGER,
            last_seen INTEGER,
            updated_at INTEGER
        );
        CREATE UNIQUE INDEX members_code_id ON members(code_id);
        CREATE UNIQUE INDEX members_card_no ON members(card_no);
        CREATE INDEX members_phone_hash ON members(phone_hash);
        CREATE INDEX members_last_seen ON members(last_seen);

        CREATE TABLE products (
            sku TEXT PRIMARY KEY,
            title_zh TEXT NOT NULL,
            title_en TEXT NOT NULL,
            category TEXT NOT NULL,
            price_cents INTEGER NOT NULL,
            image TEXT,
            active INTEGER NOT NULL DEFAULT 1
        );

        CREATE TABLE browse_events (
            id INTEGER PRIMARY KEY,
            member_id TEXT NOT NULL,
            sku TEXT NOT NULL,
            channel TEXT NOT NULL,      -- app | web | mini
            at INTEGER NOT NULL
        );
        -- Covering index for the 360 query: a member's recent browsing never touches the table.
        CREATE INDEX browse_member_at ON browse_events(member_id, at, sku, channel);
        CREATE INDEX browse_at ON browse_events(at);

        CREATE TABLE cart_items (
            id TEXT PRIMARY KEY,
            member_id TEXT NOT NULL,
            sku TEXT NOT NULL,
            qty INTEGER NOT NULL DEFAULT 1,
            price_cents INTEGER NOT NULL,
            added_at INTEGER NOT NULL,
            state TEXT NOT NULL DEFAULT 'open'   -- open | bought | removed
        );
        CREATE INDEX cart_member ON cart_items(member_id);

        CREATE TABLE coupons (
            id TEXT PRIMARY KEY,
            member_id TEXT NOT NULL,
            title_zh TEXT NOT NULL,
            title_en TEXT NOT NULL,
            rule TEXT NOT NULL,            -- amount_off | percent_off
            value INTEGER NOT NULL,        -- minor units, or percent
            min_spend_cents INTEGER NOT NULL DEFAULT 0,
            applies_to TEXT NOT NULL DEFAULT '{}',  -- {"skus": [...], "categories": [...]}
            valid_from INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            state TEXT NOT NULL DEFAULT 'live',     -- live | used | void
            used_at INTEGER
        );
        CREATE INDEX coupons_member ON coupons(member_id);

        CREATE TABLE visits (
            id TEXT PRIMARY KEY,
            member_id TEXT NOT NULL,
            store_id TEXT,
            store_name TEXT,
            staff_name TEXT,
            kind TEXT NOT NULL,
            text TEXT,
            at INTEGER NOT NULL
        );
        CREATE INDEX visits_member_at ON visits(member_id, at);

        CREATE TABLE public_keys (
            kid INTEGER PRIMARY KEY,
            public_key TEXT NOT NULL,
            not_after INTEGER
        );

        CREATE TABLE staff (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            pin_hash TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            updated_at INTEGER
        );

        CREATE TABLE sync_state (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        """
    )


@migrations()
def m002_visits_by_store_day(db: Database) -> None:
    """One store's visits of one day, for the manager's dashboard (clerk/reports/): without
    it every refresh reads the whole visits table."""
    db.execute("CREATE INDEX IF NOT EXISTS visits_store_at ON visits(store_id, at)")


@migrations()
def m003_visit_facts(db: Database) -> None:
    """History rows keep their facts as fields (clerk/shared/interactions/): who served, and
    the kind's structured facts as JSON — the hub sends its rows again with them."""
    db.executescript(
        """
        ALTER TABLE visits ADD COLUMN staff_id TEXT;
        ALTER TABLE visits ADD COLUMN facts TEXT NOT NULL DEFAULT '{}';
        """
    )


@migrations()
def m004_phone_tail_and_bucket(db: Database) -> None:
    """Members carry what a terminal may hold of a phone (clerk/shared/phones.py): its last
    digits and an 8-bit keyed bucket, instead of the full keyed hash (and a masked form with
    seven of eleven digits) that let anyone with the terminal recover every number. The old
    values are overwritten as they go (secure_delete); the masked form keeps its last four
    digits, and the bucket comes with the member's next row from the hub (which sends every
    member again when it takes the same step)."""
    conn = db.conn
    secure = int(conn.execute("PRAGMA secure_delete").fetchone()[0])
    conn.execute("PRAGMA secure_delete = ON")
    try:
        columns = {str(r[1]) for r in conn.execute("PRAGMA table_info(members)")}
        if "phone_hash" in columns:
            conn.execute("DROP INDEX IF EXISTS members_phone_hash")
            conn.execute("UPDATE members SET phone_hash = NULL")
            conn.execute("ALTER TABLE members DROP COLUMN phone_hash")
        if "phone_last4" not in columns:
            conn.execute("ALTER TABLE members ADD COLUMN phone_last4 TEXT")
            conn.execute("ALTER TABLE members ADD COLUMN phone_bucket INTEGER")
        # 138****5678 (mainland) → *******5678; a foreign +442*******58 → +**********58.
        conn.execute(
            "UPDATE members SET phone_last4 = substr(phone_masked, -4),"
            " phone_masked = '*******' || substr(phone_masked, -4)"
            " WHERE length(phone_masked) = 11 AND substr(phone_masked, 1, 1) <> '+'"
        )
        conn.execute(
            "UPDATE members SET phone_masked = '+' || replace(hex(zeroblob("
            "length(phone_masked) - 3)), '00', '*') || substr(phone_masked, -2)"
            " WHERE length(phone_masked) > 3 AND substr(phone_masked, 1, 1) = '+'"
        )
        conn.execute(
            "CREATE INDEX IF NOT EXISTS members_phone ON members(phone_last4, phone_bucket)"
        )
    finally:
        conn.execute(f"PRAGMA secure_delete = {secure}")


@migrations()
def m006_orders_and_wishlist(db: Database) -> None:
    """Orders placed online (their lines as JSON) and wishlist items: new entities of the feed,
    sent by a hub that takes behaviour events in (issue 16). The 360 shows them later."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS wishlist_items (
            id TEXT PRIMARY KEY,
            member_id TEXT NOT NULL,
            sku TEXT NOT NULL,
            added_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS wishlist_member ON wishlist_items(member_id);

        CREATE TABLE IF NOT EXISTS orders (
            id TEXT PRIMARY KEY,
            member_id TEXT NOT NULL,
            total_cents INTEGER NOT NULL,
            state TEXT NOT NULL,           -- completed | refunded
            items TEXT NOT NULL DEFAULT '[]',  -- [[sku, qty, price_cents], …] (m014)
            at INTEGER NOT NULL,
            refunded_at INTEGER
        );
        CREATE INDEX IF NOT EXISTS orders_member ON orders(member_id, at);
        """
    )


@migrations()
def m009_member_search(db: Database) -> None:
    """The index that finds a store's members by name (clerk/search.py), built for the members
    already cached, a chunk at a time; the apply path keeps it from then on."""
    search.create(db.conn)
    search.rebuild(db.conn)


@migrations()
def m005_product_barcodes(db: Database) -> None:
    """A product's barcode (EAN-13) from the feed: a scanned product barcode names the product
    or adds a sale line (clerk/shared/gtin.py); products already cached get theirs when the hub
    sends them again."""
    columns = {str(r[1]) for r in db.conn.execute("PRAGMA table_info(products)")}
    if "barcode" not in columns:
        db.conn.execute("ALTER TABLE products ADD COLUMN barcode TEXT")
    db.conn.execute(
        "CREATE INDEX IF NOT EXISTS products_barcode ON products(barcode) WHERE barcode IS NOT NULL"
    )


@migrations()
def m011_cases(db: Database) -> None:
    """Service cases (issue 18): the feed entity ``case``; the 360 lists a member's open ones
    first. And the consent texts (``consent_text``): the wording and version of each consent."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS cases (
            id TEXT PRIMARY KEY,
            member_id TEXT NOT NULL,
            case_type TEXT NOT NULL,       -- complaint | repair | other
            subject TEXT NOT NULL,
            status TEXT NOT NULL,          -- open | closed
            sku TEXT,
            store_name TEXT,
            opened_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            closed_at INTEGER
        );
        CREATE INDEX IF NOT EXISTS cases_member ON cases(member_id, status, opened_at);

        CREATE TABLE IF NOT EXISTS consent_texts (
            id TEXT PRIMARY KEY,
            purpose TEXT NOT NULL,         -- marketing | browsing
            version TEXT NOT NULL,
            text_zh TEXT NOT NULL,
            text_en TEXT NOT NULL,
            effective_at INTEGER NOT NULL
        );
        """
    )


@migrations()
def m012_points_and_related(db: Database) -> None:
    """The member's points ledger as the hub keeps it (earned, redeemed, refunded, with the
    balance and tier after each: clerk/points.py) and, per product, what to offer with it
    (clerk/recommend.py): new entities of the feed (issue 18)."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS points_ledger (
            id TEXT PRIMARY KEY,
            member_id TEXT NOT NULL,
            store_id TEXT,
            kind TEXT NOT NULL,             -- earn | redeem | refund
            points INTEGER NOT NULL,        -- signed
            balance INTEGER NOT NULL,       -- after it
            tier_from TEXT NOT NULL,
            tier_to TEXT NOT NULL,
            at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS points_ledger_member ON points_ledger(member_id, at);
        CREATE INDEX IF NOT EXISTS points_ledger_store_at ON points_ledger(store_id, at);

        CREATE TABLE IF NOT EXISTS product_related (
            sku TEXT PRIMARY KEY,
            related TEXT NOT NULL DEFAULT '[]',  -- [{"sku", "reason", "score"}, …]
            built_at INTEGER NOT NULL
        );
        """
    )


@migrations()
def m008_signup_texts(db: Database) -> None:
    """The chain's consent wording a sign-up shows (clerk/signup.py): a new entity of the feed,
    one row per version and language."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS signup_texts (
            id TEXT PRIMARY KEY,           -- "version/lang"
            version TEXT NOT NULL,
            lang TEXT NOT NULL,
            text TEXT NOT NULL,
            published_at INTEGER NOT NULL
        );
        """
    )


@migrations()
def m010_tasks_and_client_book(db: Database) -> None:
    """Follow-up tasks and the client book's assignments: feed entities of a hub that keeps
    them (issue 17; clerk/tasks.py, clerk/clientbook.py read them)."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS tasks (
            id TEXT PRIMARY KEY,
            store_id TEXT NOT NULL,
            member_id TEXT NOT NULL,
            title TEXT NOT NULL,
            reason TEXT NOT NULL,          -- manual or the hub rule's name
            facts TEXT NOT NULL DEFAULT '{}',
            assignee TEXT,                 -- a staff id; NULL: the store
            due_at INTEGER NOT NULL,
            state TEXT NOT NULL,           -- open | done
            outcome TEXT,
            outreach INTEGER NOT NULL DEFAULT 1,
            created_by TEXT,
            created_at INTEGER NOT NULL,
            done_by TEXT,
            done_at INTEGER,
            escalated_at INTEGER,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS tasks_member ON tasks(member_id);
        CREATE INDEX IF NOT EXISTS tasks_assignee ON tasks(state, assignee, due_at);

        CREATE TABLE IF NOT EXISTS assignments (
            member_id TEXT PRIMARY KEY,
            store_id TEXT NOT NULL,
            staff_id TEXT,
            assigned_by TEXT,
            assigned_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS assignments_staff ON assignments(staff_id);
        """
    )


@migrations()
def m013_templates(db: Database) -> None:
    """The outreach messages' wording per reason (issue 17 item 6): the feed entity
    ``template``; clerk/outreach.py drafts a message from them."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS message_templates (
            id TEXT PRIMARY KEY,
            reason TEXT NOT NULL,          -- a task reason, manual or any
            text_zh TEXT NOT NULL,
            text_en TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        );
        """
    )


@migrations()
def m014_compact_orders(db: Database) -> None:
    """A 500,000-member cache was over 3 GB (issue 18). Order lines are kept compact
    (clerk/orderlines.py: ``[[sku, qty, price_cents], …]``, no keys, no names): the rows
    cached before are rewritten once. And the index of browse events by time goes: no query
    of the 360 uses it, only the purge did (which now walks the table in rowid batches:
    clerk/purge.py) — 9 % of the file. An existing file keeps its size (a VACUUM of gigabytes
    has no place at start-up): the index's pages go to the free list and are reused as the
    cache grows; the room freed inside the order pages comes back with a rebuilt cache. At
    500,000 members with 5 M orders: 104 s under load average 8.6, 283 MB left free."""
    conn = db.conn
    conn.create_function("clerk_compact_lines", 1, orderlines.compact, deterministic=True)
    conn.execute(
        "UPDATE orders SET items = clerk_compact_lines(items)"
        " WHERE items NOT LIKE '[[%' AND items <> '[]'"
    )
    conn.execute("DROP INDEX IF EXISTS browse_at")


@migrations()
def m015_store_points(db: Database) -> None:
    """The points each sale made at this store earned, whoever's home store the member's is
    (the feed entity ``store_points``: no member, no balance): the dashboard's points issued
    (clerk/reports/load.py)."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS store_points (
            id TEXT PRIMARY KEY,            -- the sale's id
            store_id TEXT NOT NULL,
            points INTEGER NOT NULL,
            at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS store_points_store_at ON store_points(store_id, at);
        """
    )


def open_cache(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    """Open (and migrate) cache.db. Raises CacheCorruptError if the file is damaged or not a
    database (it is rebuilt); StorageError, saying what happened, for anything else (a full
    disk, no permission …: the file is kept)."""
    # A new cache is created and migrated under this lock: a thread opening it at the same
    # moment waits, and never sees the file without its tables.
    with _OPEN_LOCK:
        return _open_cache(path, readonly=readonly)


def _open_cache(path: Path | str, *, readonly: bool) -> sqlite3.Connection:
    try:
        conn = connect(path, synchronous="NORMAL", readonly=readonly)
    except StorageError as exc:
        if exc.reason == "db_key" or is_corruption(exc):
            raise CacheCorruptError(f"cache.db is unreadable: {exc}") from exc
        raise
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if not readonly:
            migrations.ensure(conn)
    except (sqlite3.DatabaseError, StorageError, MemoryError) as exc:
        conn.close()
        if is_corruption(exc):
            raise CacheCorruptError(f"cache.db is unreadable: {exc}") from exc
        if isinstance(exc, StorageError):
            raise
        raise storage_error(exc, "cache.db", path) from exc
    return conn


def connect_readonly(path: Path | str) -> sqlite3.Connection:
    """A read-only connection to any of the terminal's files (readers use their own)."""
    return connect(path, synchronous="NORMAL", readonly=True)


def looks_sound(conn: sqlite3.Connection) -> bool:
    """A start-up check that costs milliseconds at any size: the schema, the sync state and the
    first and last pages of the big tables can be read. (``PRAGMA quick_check`` reads every
    page: about a minute on a 2 GB cache — that belongs in ``clerk doctor``, not in the path of
    an associate waiting for the app; a damaged page elsewhere is found by the query that
    reads it.) False when the file is damaged; StorageError for any other failure."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("SELECT key, value FROM sync_state LIMIT 1").fetchall()
        for table, pk, _cols in TABLES.values():
            conn.execute(f"SELECT * FROM {table} ORDER BY {pk} LIMIT 1").fetchall()
            conn.execute(f"SELECT * FROM {table} ORDER BY {pk} DESC LIMIT 1").fetchall()
    except (sqlite3.DatabaseError, MemoryError) as exc:
        if is_corruption(exc) or _not_our_schema(exc):
            return False
        raise storage_error(exc, "cache.db") from exc  # full, busy, no permission …: kept
    return True


def _not_our_schema(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and (
        "no such table" in str(exc) or "no such column" in str(exc)
    )


# -- a damaged cache, set aside --------------------------------------------------------------

CORRUPT_TAG = ".corrupt-"
MAX_COPIES = 3  # sets of set-aside files kept (the newest always)
MAX_COPY_BYTES = 1024**3  # older sets are removed once all sets together are bigger than this
_SET_ASIDE_LOCK = threading.Lock()

FileId = tuple[int, int]


def file_id(path: Path | str) -> FileId | None:
    """The identity of the file at ``path`` (device, inode), None when there is none: a
    connection opened on another identity is on a file that was set aside."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def main_file(conn: sqlite3.Connection) -> Path | None:
    """The file of a connection's main database (None: in memory or temporary)."""
    for row in conn.execute("PRAGMA database_list").fetchall():
        if row[1] == "main":
            return Path(row[2]) if row[2] else None
    return None


def retire(conn: sqlite3.Connection) -> None:
    """Close a connection to a file that was set aside (by the thread that used it). Safe
    while the new cache is in use: SQLite sees the old file was moved (SQLITE_READONLY_DBMOVED)
    and neither checkpoints it nor deletes "cache.db-wal" — the new cache's — on close."""
    with contextlib.suppress(sqlite3.Error, MemoryError):
        conn.close()


def set_aside(path: Path | str, *, stamp: int, expected: FileId | None = None) -> Path | None:
    """Move a damaged cache.db (and its -wal and -shm) aside as ``cache.db.corrupt-<stamp>``
    — kept for support, older copies pruned — so a fresh one is made at the next open.

    ``expected``: the identity of the file found damaged; if another thread already set it
    aside (the file is another one now), nothing is moved and None is returned. Returns the
    set-aside main file. outbox.db is never touched."""
    main = Path(path)
    with _SET_ASIDE_LOCK:
        if expected is not None and file_id(main) != expected:
            return None
        if not main.exists():
            return None
        tag = f"{CORRUPT_TAG}{stamp}"
        n = 1
        while main.with_name(main.name + tag).exists():
            n += 1
            tag = f"{CORRUPT_TAG}{stamp}-{n}"
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(main) + suffix)
            if p.exists():
                p.replace(p.with_name(p.name + tag))
        prune_copies(main)
        return main.with_name(main.name + tag)


@dataclass(frozen=True)
class CorruptCopy:
    """One set-aside cache: its tag (``.corrupt-<stamp>[-n]``), files and total size."""

    tag: str
    stamp: int
    files: tuple[Path, ...]
    size: int


_COPY_RE = re.compile(r"^(?P<base>.+?)(?P<tag>\.corrupt-(?P<stamp>\d+)(?:-(?P<n>\d+))?)$")


def corrupt_copies(path: Path | str) -> list[CorruptCopy]:
    """The set-aside copies of the cache at ``path``, newest first."""
    main = Path(path)
    groups: dict[str, list[Path]] = {}
    order: dict[str, tuple[int, int]] = {}
    try:
        entries = list(main.parent.iterdir())
    except OSError:
        return []
    for p in entries:
        m = _COPY_RE.match(p.name)
        if m is None or m["base"] not in (main.name, main.name + "-wal", main.name + "-shm"):
            continue
        groups.setdefault(m["tag"], []).append(p)
        order[m["tag"]] = (int(m["stamp"]), int(m["n"] or 1))
    copies = []
    for tag, files in groups.items():
        size = 0
        for f in files:
            with contextlib.suppress(OSError):
                size += f.stat().st_size
        copies.append(CorruptCopy(tag, order[tag][0], tuple(sorted(files)), size))
    copies.sort(key=lambda c: order[c.tag], reverse=True)
    return copies


def prune_copies(
    path: Path | str, *, max_copies: int = MAX_COPIES, max_bytes: int = MAX_COPY_BYTES
) -> list[Path]:
    """Remove old set-aside copies: the newest is always kept; older ones go once there are
    more than ``max_copies`` or together they take more than ``max_bytes``. Returns the
    removed files."""
    removed: list[Path] = []
    total = 0
    for i, copy in enumerate(corrupt_copies(path)):
        total += copy.size
        if i == 0 or (i < max_copies and total <= max_bytes):
            continue
        for f in copy.files:
            with contextlib.suppress(FileNotFoundError):
                f.unlink()
                removed.append(f)
    return removed


def check_integrity(conn: sqlite3.Connection) -> bool:
    """``PRAGMA quick_check``: every page read — thorough and slow (for doctor and tests)."""
    try:
        row = conn.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError:
        return False
    return bool(row and row[0] == "ok")


# json.dumps(value, ensure_ascii=False, separators=(",", ":")), without a new encoder per call.
_JSON_TEXT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _encode(column: str, value: Any) -> Any:
    if column in JSON_COLUMNS and not isinstance(value, str) and value is not None:
        return _JSON_TEXT(value)
    if isinstance(value, bool):
        return int(value)
    return value


# entity -> (columns, positions of its JSON columns): row_values' plan, built once.
_ROW_PLANS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    entity: (columns, tuple(i for i, c in enumerate(columns) if c in JSON_COLUMNS))
    for entity, (_table, _pk, columns) in TABLES.items()
}


def row_values(entity: str, data: Mapping[str, Any]) -> tuple[Any, ...]:
    """The row's values in the table's column order (missing columns are None), ready to
    bind: JSON columns given as objects are encoded, an order's lines compact
    (:func:`clerk.orderlines.compact`). Booleans bind as the integers 0/1 (the
    sqlite3 module binds ``bool`` as an integer), so the other columns are passed as they are
    — a million rows of a bulk pull are not touched one value at a time."""
    if entity == "order":  # its lines kept compact (clerk/orderlines.py)
        data = {**data, "items": orderlines.compact(data.get("items"))}
    columns, json_at = _ROW_PLANS[entity]
    values = tuple(map(data.get, columns))
    for i in json_at:
        v = values[i]
        if v is not None and not isinstance(v, str):
            encoded = list(values)
            for j in json_at:
                encoded[j] = _encode(columns[j], values[j])
            return tuple(encoded)
    return values


def _upsert_sql(entity: str) -> str:
    table, _pk, columns = TABLES[entity]
    marks = ", ".join("?" for _ in columns)
    return f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) VALUES ({marks})"


def _delete_sql(entity: str) -> str:
    table, pk, _columns = TABLES[entity]
    return f"DELETE FROM {table} WHERE {pk} = ?"


def apply_changes(
    conn: sqlite3.Connection,
    changes: Iterable[Mapping[str, Any]],
    *,
    search_index: bool = True,
) -> int:
    """Apply change rows (dicts with entity, op, key, data) inside the caller's transaction.

    Rows are grouped per run of the same (entity, op) and written with executemany. Returns
    the count applied. An unknown entity raises ValueError: a newer hub must not silently
    lose rows. ``search_index`` False: the name search index is not kept (a bulk load, see
    :func:`begin_bulk`, builds it once at the end).
    """
    count = 0
    for (entity_v, op_v), run in itertools.groupby(changes, _entity_op):
        entity, op = str(entity_v), str(op_v)
        if entity not in TABLES:
            raise ValueError(f"unknown entity in changes feed: {entity!r}")
        if op == "upsert":
            batch = [row_values(entity, _upsert_data(entity, change)) for change in run]
            conn.executemany(_UPSERT_SQL[entity], batch)
        elif op == "delete":
            batch = [(change["key"],) for change in run]
            conn.executemany(_DELETE_SQL[entity], batch)
        else:
            raise ValueError(f"unknown op in changes feed: {op!r}")
        if entity == "member" and search_index:  # the name search index follows the members
            search.on_members(conn, op, batch)
        count += len(batch)
    return count


def apply_runs(
    conn: sqlite3.Connection,
    runs: Iterable[Mapping[str, Any]],
    *,
    search_index: bool = True,
) -> int:
    """Apply a changes page in the row format (``sync.protocol.RowsRun``: entity, op, and
    columns + rows as arrays, or keys) inside the caller's transaction, one executemany per
    run — what :func:`apply_changes` does with the same changes as objects, to the same rows.
    Rows whose columns are the table's, in its order (what the hub sends), are bound as they
    are; otherwise they are put in that order (an unknown column ignored, a missing one
    NULL). An order's lines are made compact and JSON columns given as objects are encoded,
    in place: the arrays are the caller's to give away. The caller has checked the runs'
    shape (``sync.engine``); an unknown entity or op raises ValueError. Returns the count."""
    count = 0
    for run in runs:
        entity, op = str(run["entity"]), str(run["op"])
        if entity not in TABLES:
            raise ValueError(f"unknown entity in changes feed: {entity!r}")
        batch: list[Any]
        if op == "upsert":
            batch = _rows_in_table_order(entity, run["columns"], run["rows"])
            conn.executemany(_UPSERT_SQL[entity], batch)
        elif op == "delete":
            batch = [(key,) for key in run["keys"]]
            conn.executemany(_DELETE_SQL[entity], batch)
        else:
            raise ValueError(f"unknown op in changes feed: {op!r}")
        if entity == "member" and search_index:
            search.on_members(conn, op, [tuple(row) for row in batch])
        count += len(batch)
    return count


def _rows_in_table_order(
    entity: str, columns: Sequence[str], rows: list[list[Any]]
) -> list[list[Any]]:
    """Rows of ``columns`` as the table's rows, ready to bind (see :func:`apply_runs`)."""
    table_columns, json_at = _ROW_PLANS[entity]
    if tuple(columns) != table_columns:
        at = {c: i for i, c in enumerate(columns)}
        pad = len(columns)  # a column the rows lack: the None appended to each
        picks = [at.get(c, pad) for c in table_columns]
        rows = [[(*row, None)[i] for i in picks] for row in rows]
    for i in json_at:
        column = table_columns[i]
        if entity == "order" and column == "items":  # its lines kept compact (clerk/orderlines.py)
            for row in rows:
                row[i] = orderlines.compact(row[i])
            continue
        for row in rows:  # given as an object (not text): encoded
            v = row[i]
            if v is not None and not isinstance(v, str):
                row[i] = _JSON_TEXT(v)
    return rows


def changes_of_runs(runs: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """Runs of the row format as the change objects they stand for (entity, op, key, data):
    for a small page's :func:`touched_members`."""
    for run in runs:
        entity, op = str(run["entity"]), str(run["op"])
        if op != "upsert":
            for key in run.get("keys") or ():
                yield {"entity": entity, "op": op, "key": key}
            continue
        columns = run["columns"]
        pk = TABLES[entity][1] if entity in TABLES else None
        for row in run["rows"]:
            data = dict(zip(columns, row, strict=False))
            yield {"entity": entity, "op": op, "key": str(data.get(pk)), "data": data}


# -- a first download in bulk ---------------------------------------------------------------

STATE_BULK = "bulk_indexes"  # sync_state: the indexes a bulk load dropped (JSON), while it runs
_IF_NOT_EXISTS = re.compile(r"^\s*CREATE\s+INDEX\s+(IF\s+NOT\s+EXISTS\s+)?", re.I)


def is_empty(conn: sqlite3.Connection) -> bool:
    """No row in any table of the feed but the signing keys (enrolment fetches those): a cache
    never pulled into."""
    return all(
        conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None
        for entity, (table, _pk, _cols) in TABLES.items()
        if entity != "key"
    )


def bulk_pending(conn: sqlite3.Connection) -> bool:
    """A bulk load was begun and not finished (its indexes are still to be built)."""
    return get_state(conn, STATE_BULK) is not None


def begin_bulk(conn: sqlite3.Connection) -> list[str]:
    """Start a bulk load into an empty cache, inside the caller's transaction: drop the
    secondary indexes that are not UNIQUE (the unique ones decide what ``INSERT OR REPLACE``
    replaces, so they stay) and note them in sync_state, so :func:`finish_bulk` builds them once
    — also after a kill, from any later pull. The caller stops keeping the search index
    (``apply_changes(…, search_index=False)``) until then. Returns the names dropped."""
    found = [
        (str(r[0]), str(r[1]))
        for r in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND upper(sql) NOT LIKE 'CREATE UNIQUE %' ORDER BY name"
        )
    ]
    previous = json.loads(get_state(conn, STATE_BULK) or "[]")
    for name, _sql in found:
        conn.execute(f'DROP INDEX "{name}"')
    set_state(conn, STATE_BULK, json.dumps(previous + [sql for _n, sql in found]))
    return [name for name, _sql in found]


def finish_bulk(conn: sqlite3.Connection) -> int:
    """End a bulk load inside the caller's transaction: build the indexes it dropped and the
    name search index, each once over the whole cache; returns the number of indexes built
    (0: no bulk load was under way)."""
    noted = get_state(conn, STATE_BULK)
    if noted is None:
        return 0
    statements: list[str] = json.loads(noted)
    for sql in statements:
        conn.execute(_IF_NOT_EXISTS.sub("CREATE INDEX IF NOT EXISTS ", sql, count=1))
    search.rebuild(conn)
    conn.execute("DELETE FROM sync_state WHERE key = ?", (STATE_BULK,))
    return len(statements)


def touched_members(conn: sqlite3.Connection, changes: Iterable[Mapping[str, Any]]) -> set[str]:
    """The member ids change rows touch: a member's own row, and rows that belong to a member
    (their ``member_id``: from the upserted data, or read from the cache for a delete — so
    call this before the rows are applied)."""
    out: set[str] = set()
    for change in changes:
        entity = str(change["entity"])
        if entity == "member":
            out.add(str(change["key"]))
            continue
        data = change.get("data")
        if isinstance(data, Mapping) and data.get("member_id") is not None:
            out.add(str(data["member_id"]))
        elif entity in TABLES and "member_id" in TABLES[entity][2]:
            table, pk, _columns = TABLES[entity]
            found = conn.execute(
                f"SELECT member_id FROM {table} WHERE {pk} = ?", (change["key"],)
            ).fetchone()
            if found is not None and found[0] is not None:
                out.add(str(found[0]))
    return out


def _entity_op(change: Mapping[str, Any]) -> tuple[Any, Any]:
    return change["entity"], change["op"]


def _upsert_data(entity: str, change: Mapping[str, Any]) -> Mapping[str, Any]:
    data = change.get("data")
    if type(data) is not dict and not isinstance(data, Mapping):
        raise ValueError(f"upsert without data for {entity} {change.get('key')!r}")
    return data


_UPSERT_SQL = {entity: _upsert_sql(entity) for entity in TABLES}
_DELETE_SQL = {entity: _delete_sql(entity) for entity in TABLES}


def get_state(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return default if row is None else row[0]


def set_state(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    """Write a sync_state value inside the caller's transaction (or autocommit)."""
    conn.execute(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def store_member_view(conn: sqlite3.Connection, view: Mapping[str, Any]) -> None:
    """Cache one member's whole slice fetched on demand (a cache miss while online)."""
    changes: list[dict[str, Any]] = []
    for p in view.get("products", []):
        changes.append({"entity": "product", "op": "upsert", "key": p["sku"], "data": p})
    changes.append(
        {"entity": "member", "op": "upsert", "key": view["member"]["id"], "data": view["member"]}
    )
    for entity, field in (
        ("browse", "browse"),
        ("cart", "cart"),
        ("coupon", "coupons"),
        ("visit", "visits"),
    ):
        for row in view.get(field, []):
            changes.append({"entity": entity, "op": "upsert", "key": str(row["id"]), "data": row})
    with Transaction(conn):
        apply_changes(conn, changes)
