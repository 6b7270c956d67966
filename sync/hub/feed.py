"""The change feed: each store's slice of the CRM as upserts and deletes in sequence order.

A change row (``changes``: seq, store_id — NULL for every store —, entity, key, op) is written
with every data change, in the same transaction (:class:`~sync.hub.store.Tx`). A page of the
feed carries each change with the row's *current* data, exactly the columns of
:mod:`clerk.shared.entities` (what the terminal's cache holds), so an upsert whose row is gone
by the time it is read is sent as a delete (its delete comes later anyway).

Browsing and cart rows of a member without browsing consent (``CONSENT_ENTITIES``) are never
sent: read as gone, their upserts go out as deletes. When a member's browsing consent changes,
every such key of theirs is logged again (:func:`browsing_keys`), so terminals drop what they
hold — or get it back.

:meth:`ChangeFeed.changes_json` is the hot path of every pull: the rows are rendered as JSON by
the database itself (SQLite's ``json_object``, PostgreSQL's ``row_to_json``) and the page is
assembled as text, never as Python dicts. On SQLite a page's change rows come with their rows'
JSON from one statement (:func:`_sqlite_page_sql`); PostgreSQL reads the rows by key after the
change rows, in two round trips — its statements prepared by name on each read connection and
sent several to a message (:func:`_pg_statements`). A page is read in one snapshot of the
database.

The tail of a store's feed — the page a caught-up terminal asks for, the same for all of the
store's terminals — is cached per process (:class:`PageCache`), keyed by (store, cursor, limit)
and stamped with a *validator* read with it: the newest seq of the store's own and common
changes after the cursor, and how many there are. A request for a page cached before reads the
current validator (two index range scans) and is served the cached text only when it is
unchanged (any other request renders, as before), so
several hub processes never serve a page that differs from the database (a store with a feed
tail in this process is answered by the tail, whose own check takes the validator's place). That
holds because
every write that changes what the feed shows logs a change row (a new, higher seq) or drops
one (a lower count): a data change that logs nothing never reaches a terminal anyway.
Behind the page cache, :mod:`sync.hub.feed_tail` keeps each store's recent rows rendered for
terminals at other cursors, under the same validator.
"""

from __future__ import annotations

import collections
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from clerk.shared.entities import ENTITIES, JSON_COLUMNS
from sync.hub.db import IN_CHUNK, Conn, Row, pg_text_array, translated

if TYPE_CHECKING:
    from sync.hub.store import HubStore

# Feed entity -> the hub table that holds it.
ENTITY_TABLE: dict[str, str] = {
    "member": "members",
    "product": "products",
    "browse": "browse_events",
    "cart": "cart_items",
    "coupon": "coupons",
    "visit": "visits",
    "wishlist": "wishlist_items",
    "order": "orders",
    "points": "points_ledger",
    "store_points": "points_ledger",  # its earn rows, to the store of the sale
    "related": "product_related",
    "case": "cases",
    "consent_text": "consent_texts",
    "key": "signing_keys",
    "staff": "staff",
    "signup_text": "signup_texts",
    "task": "tasks",
    "assignment": "assignments",
    "template": "message_templates",
}
_INTEGER_KEYS = frozenset({"browse", "key"})  # keys travel as text; these columns are integers
# Rows only sent for members who consented to browsing use (members.consent_browsing).
CONSENT_ENTITIES = frozenset({"browse", "cart", "wishlist"})
_REMAINING_MEMO_SIZE = 4096
PAGE_CACHE_BYTES = 32 * 1024 * 1024  # cached feed tails per process
# PostgreSQL: a JSON column's text as JSON when valid, else as a JSON string (decode_row's rule).
PG_JSON_FUNCTION = """
CREATE OR REPLACE FUNCTION clerk_json_or_text(v text) RETURNS json
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
    RETURN v::json;
EXCEPTION WHEN invalid_text_representation THEN
    RETURN to_json(v);
END
$fn$
"""


def entity_columns(entity: str) -> tuple[str, ...]:
    """The columns a change row of ``entity`` carries: exactly the terminal cache's."""
    return ENTITIES[entity].columns


def entity_pk(entity: str) -> str:
    return ENTITIES[entity].key


def key_value(entity: str, key: str) -> Any:
    """A change row's key (text) as the value of its primary key column."""
    return int(key) if entity in _INTEGER_KEYS else key


def decode_row(columns: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
    """A row as the feed's object: JSON columns decoded when valid, kept as strings otherwise."""
    out: dict[str, Any] = {}
    for c, v in zip(columns, values, strict=True):
        if c in JSON_COLUMNS and isinstance(v, str):
            with suppress(ValueError):
                v = json.loads(v)
        out[c] = v
    return out


def rows_by_key(conn: Conn, entity: str, keys: Sequence[str]) -> list[dict[str, Any]]:
    """The current rows of ``entity`` for those of ``keys`` that exist, as the feed's objects."""
    table = ENTITY_TABLE[entity]
    columns = entity_columns(entity)
    pk = entity_pk(entity)
    out: list[dict[str, Any]] = []
    for i in range(0, len(keys), IN_CHUNK):
        chunk = [key_value(entity, k) for k in keys[i : i + IN_CHUNK]]
        marks = ", ".join("?" for _ in chunk)
        for r in conn.rows(
            f"SELECT {', '.join(columns)} FROM {table} WHERE {pk} IN ({marks})", chunk
        ):
            out.append(decode_row(columns, r))
    return out


def browsing_keys(conn: Conn, member_id: str) -> list[tuple[str, str]]:
    """(entity, key) of a member's rows that only consent lets out (``CONSENT_ENTITIES``):
    logged again when the member's browsing consent changes."""
    out: list[tuple[str, str]] = []
    for entity in sorted(CONSENT_ENTITIES):
        pk = entity_pk(entity)
        out.extend(
            (entity, str(r[0]))
            for r in conn.rows(
                f"SELECT {pk} FROM {ENTITY_TABLE[entity]} WHERE member_id = ? ORDER BY {pk}",
                (member_id,),
            )
        )
    return out


def consented(conn: Conn, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Those of ``rows`` (of a ``CONSENT_ENTITIES`` entity) whose member consented."""
    members = sorted({str(r["member_id"]) for r in rows})
    ok: set[str] = set()
    for i in range(0, len(members), IN_CHUNK):
        chunk = members[i : i + IN_CHUNK]
        marks = ", ".join("?" for _ in chunk)
        ok.update(
            str(r[0])
            for r in conn.rows(
                f"SELECT id FROM members WHERE consent_browsing = 1 AND id IN ({marks})", chunk
            )
        )
    return [r for r in rows if str(r["member_id"]) in ok]


def _sqlite_row_json(entity: str, *, arrays: bool) -> tuple[str, str]:
    """SQLite: the expression that renders a row ``t`` of ``entity`` as the feed's JSON — an
    object, or with ``arrays`` the row format's array (values in :func:`entity_columns`
    order); JSON columns embedded when valid, as strings otherwise (what :func:`decode_row`
    does) — and the source it reads: browsing and cart only of members who consented."""
    values = []
    for c in entity_columns(entity):
        col = f"t.{c}"
        value = (
            f"CASE WHEN json_valid({col}) THEN json({col}) ELSE {col} END"
            if c in JSON_COLUMNS
            else col
        )
        values.append(value if arrays else f"'{c}', {value}")
    source = f"{ENTITY_TABLE[entity]} t"
    if entity in CONSENT_ENTITIES:
        source += " JOIN members m ON m.id = t.member_id AND m.consent_browsing = 1"
    return f"json_{'array' if arrays else 'object'}({', '.join(values)})", source


def _json_object_sql(entity: str) -> str:
    """SQLite: ``SELECT pk, <the row as the feed's JSON object> … WHERE pk IN``."""
    expr, source = _sqlite_row_json(entity, arrays=False)
    pk = entity_pk(entity)
    return f"SELECT t.{pk}, {expr} FROM {source} WHERE t.{pk} IN"


def _json_array_sql(entity: str) -> str:
    """SQLite: the rows of :func:`_json_object_sql` as the row format's arrays
    (``format=rows``)."""
    expr, source = _sqlite_row_json(entity, arrays=True)
    pk = entity_pk(entity)
    return f"SELECT t.{pk}, {expr} FROM {source} WHERE t.{pk} IN"


# The entities of a first download's bulk first: the page query tests them in this order.
_BY_VOLUME = ("browse", "member", *(e for e in ENTITY_TABLE if e not in ("browse", "member")))


def _sqlite_page_sql(*, arrays: bool) -> str:
    """SQLite: a page of a store's feed in one statement — its change rows in seq order, each
    with its row's current JSON (:func:`_sqlite_row_json`; NULL for a delete, and for an
    upsert whose row is gone or not sent), rendered by a subquery on the entity's primary key
    for the rows of the page only: no key goes through Python. The store's own and the common
    change rows are merged by seq from their index (``changes_store_seq``), so the ``LIMIT``
    stops both scans. ``?1`` store, ``?2`` after this seq, ``?3`` up to this one, ``?4``
    rows at most."""
    branches = []
    for entity in _BY_VOLUME:
        expr, source = _sqlite_row_json(entity, arrays=arrays)
        pk = entity_pk(entity)
        key = "CAST(c.key AS INTEGER)" if entity in _INTEGER_KEYS else "c.key"
        branches.append(f"WHEN '{entity}' THEN (SELECT {expr} FROM {source} WHERE t.{pk} = {key})")
    return (
        "SELECT c.seq, c.entity, c.key, c.op, CASE WHEN c.op = 'upsert' THEN CASE c.entity "
        f"{' '.join(branches)} END END FROM ("
        "SELECT seq, entity, key, op FROM changes WHERE store_id = ?1 AND seq > ?2 AND seq <= ?3 "
        "UNION ALL SELECT seq, entity, key, op FROM changes WHERE store_id IS NULL "
        "AND seq > ?2 AND seq <= ?3) c ORDER BY c.seq LIMIT ?4"
    )


def _pg_array_sql(entity: str) -> str:
    """PostgreSQL: the arrays of :func:`_json_array_sql` (``json_build_array``), ``… WHERE
    pk = ANY(?)``."""
    values = [
        f"clerk_json_or_text(t.{c})" if c in JSON_COLUMNS else f"t.{c}"
        for c in entity_columns(entity)
    ]
    pk = entity_pk(entity)
    source = f"{ENTITY_TABLE[entity]} t"
    if entity in CONSENT_ENTITIES:
        source += " JOIN members m ON m.id = t.member_id AND m.consent_browsing = 1"
    return (
        f"SELECT t.{pk}, json_build_array({', '.join(values)})::text "
        f"FROM {source} WHERE t.{pk} = ANY({_pg_keys(entity)})"
    )


def _pg_json_sql(entity: str) -> str:
    """PostgreSQL: ``SELECT pk, row_to_json(...)::text … WHERE pk = ANY(?)`` — the same objects
    as :func:`_json_object_sql` (``row_to_json`` writes compact JSON, keys in column order)."""
    cols = []
    for c in entity_columns(entity):
        cols.append(f"clerk_json_or_text(t.{c}) AS {c}" if c in JSON_COLUMNS else f"t.{c} AS {c}")
    pk = entity_pk(entity)
    source = f"{ENTITY_TABLE[entity]} t"
    if entity in CONSENT_ENTITIES:
        source += " JOIN members m ON m.id = t.member_id AND m.consent_browsing = 1"
    return (
        f"SELECT t.{pk}, (SELECT row_to_json(r)::text FROM (SELECT {', '.join(cols)}) r) "
        f"FROM {source} WHERE t.{pk} = ANY({_pg_keys(entity)})"
    )


def _pg_keys(entity: str) -> str:
    """PostgreSQL: the keys' parameter — a text[] literal (:func:`~sync.hub.db.pg_text_array`,
    built in a few joins where psycopg's list dumper takes a Python step per key) cast to the
    primary key's type."""
    return f"?::{'bigint' if entity in _INTEGER_KEYS else 'text'}[]"


PG_SNAPSHOT = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"  # (snapshot)
PG_CHAIN_ROWS = (  # every store's change rows after a seq (feed_tail: a tail's growth)
    "SELECT seq, store_id, entity, key, op FROM changes WHERE seq > ? ORDER BY seq LIMIT ?"
)


def _pg_statements() -> dict[str, str]:
    """PostgreSQL: a pull's statements, prepared by name on each read connection
    (:meth:`~sync.hub.db.Conn.prepare`) and run as ``EXECUTE`` in two messages — the change
    rows after the ``BEGIN``, then the rows' JSON before the ``COMMIT``
    (:meth:`ChangeFeed._pg_page`). Inside the snapshot the newest seq bounds nothing: the own
    and common rows are read after the cursor only."""
    out = {
        "clerk_feed_max": "AS SELECT coalesce(max(seq), 0) FROM changes",
        "clerk_feed_own": "(text, bigint, bigint) AS SELECT seq, entity, key, op FROM changes "
        "WHERE store_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        "clerk_feed_common": "(bigint, bigint) AS SELECT seq, entity, key, op FROM changes "
        "WHERE store_id IS NULL AND seq > $1 ORDER BY seq LIMIT $2",
        "clerk_feed_count": "(text, bigint, bigint) AS SELECT (SELECT count(*) FROM changes "
        "WHERE store_id = $1 AND seq > $2 AND seq <= $3) + (SELECT count(*) FROM changes "
        "WHERE store_id IS NULL AND seq > $2 AND seq <= $3)",
        "clerk_feed_chain": "(bigint, bigint) AS "
        + PG_CHAIN_ROWS.replace("?", "$1", 1).replace("?", "$2", 1),
    }
    for entity in ENTITY_TABLE:
        keys = f"({'bigint' if entity in _INTEGER_KEYS else 'text'}[]) AS "
        out[_pg_json_name(entity, arrays=False)] = keys + _pg_json_sql(entity).replace("?", "$1")
        out[_pg_json_name(entity, arrays=True)] = keys + _pg_array_sql(entity).replace("?", "$1")
    return out


def _pg_json_name(entity: str, *, arrays: bool) -> str:
    return f"clerk_feed_{entity}_{'a' if arrays else 'o'}"


# (store_id, since, limit) -> the tail page's validator and text
PageKey = tuple[str, int, int]
Validator = tuple[int, int, int]  # after the cursor: newest own seq, newest common seq, count

_VALIDATOR_SQL = (  # two index range scans on changes(store_id, seq), both bounded by the cursor
    "SELECT * FROM (SELECT coalesce(max(seq), 0), count(*) FROM changes "
    "WHERE store_id = ? AND seq > ?) own, (SELECT coalesce(max(seq), 0), count(*) FROM changes "
    "WHERE store_id IS NULL AND seq > ?) common"
)


def read_validator(conn: Conn, store_id: str, since: int) -> Validator:
    """What a store's feed tail after ``since`` depends on (see the module's docstring): the
    newest own and common seq after the cursor and how many changes there are after it."""
    row = conn.row(_VALIDATOR_SQL, (store_id, since, since))
    assert row is not None
    return int(row[0]), int(row[2]), int(row[1]) + int(row[3])


class PageCache:
    """Rendered feed tails by (store, cursor, limit), each with its validator; LRU within a
    byte budget. Thread-safe; one rendering per key at a time (:meth:`flight`)."""

    def __init__(self, max_bytes: int = PAGE_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._pages: collections.OrderedDict[PageKey, tuple[Validator, bytes]] = (
            collections.OrderedDict()
        )
        self._bytes = 0
        self._lock = threading.Lock()
        self._flights: dict[PageKey, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def has(self, key: PageKey) -> bool:
        with self._lock:
            return key in self._pages

    def get(self, key: PageKey, validator: Validator) -> bytes | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None or found[0] != validator:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return found[1]

    def put(self, key: PageKey, validator: Validator, body: bytes) -> None:
        if len(body) > self.max_bytes // 8:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1])
            self._pages[key] = (validator, body)
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                _k, (_v, dropped) = self._pages.popitem(last=False)
                self._bytes -= len(dropped)

    @contextmanager
    def flight(self, key: PageKey) -> Iterator[None]:
        """Held while rendering ``key``: the store's other terminals asking for the same page
        wait for that rendering instead of doing it again."""
        with self._lock:
            lock = self._flights.get(key)
            if lock is None:
                lock = self._flights[key] = threading.Lock()
        with lock:
            try:
                yield
            finally:
                with self._lock:
                    if self._flights.get(key) is lock:
                        del self._flights[key]


@dataclass(frozen=True)
class ChangesPage:
    changes: list[dict[str, Any]]
    next_cursor: int
    has_more: bool
    remaining: int


@dataclass(frozen=True)
class _Page:
    """One page of the feed: change rows, the upserted rows' data as JSON text by key — or,
    ``data`` None, change rows that carry their row's JSON (``_sqlite_page_sql``)."""

    rows: list[Row]  # (seq, entity, key, op), or (seq, entity, key, op, JSON or None)
    data: dict[tuple[str, str], str] | None
    next_cursor: int
    has_more: bool
    remaining: int
    validator: Validator | None  # read with a tail page (has_more false): it may be cached

    def entries(self) -> Iterator[tuple[int, str, str, str, str | None]]:
        """(seq, entity, key, op, data JSON or None) per change. An upsert whose row is gone
        (deleted after the change was read; its delete comes later) reads as a delete."""
        data = self.data
        if data is None:
            for seq, entity, key, op, row in self.rows:
                if op == "upsert" and row is None:
                    op = "delete"
                yield seq, entity, key, op, row
            return
        for seq, entity, key, op in self.rows:
            row = data.get((entity, key)) if op == "upsert" else None
            if op == "upsert" and row is None:
                op = "delete"
            yield int(seq), entity, key, op, row


class ChangeFeed:
    """The change feed of a :class:`~sync.hub.store.HubStore` (``store.feed``)."""

    def __init__(self, store: HubStore) -> None:
        self.store = store
        # (store_id, cursor) -> (changes remaining after it, max seq when counted)
        self._remaining_memo: collections.OrderedDict[tuple[str, int], tuple[int, int]] = (
            collections.OrderedDict()
        )
        self._memo_lock = threading.Lock()
        self._json_sql: dict[str, str] | None = None
        self._array_sql: dict[str, str] = {}
        self._page_sql: dict[bool, str] = {}  # arrays -> _sqlite_page_sql
        self._pg_named: dict[str, str] | None = None  # (_pg_prepared)
        self.pages = PageCache()
        self.row_pages = PageCache()  # the same tails in the row format (``format=rows``)
        from sync.hub.feed_tail import StoreTails  # it builds on this module

        self.tails = StoreTails(self)  # the object format's (feed_tail renders that one)

    def changes(self, store_id: str, since: int, limit: int) -> ChangesPage:
        """The store's slice after ``since``, in sequence order, with each row's current data."""
        page = self._page(store_id, since, limit)
        changes: list[dict[str, Any]] = []
        for seq, entity, key, op, data in page.entries():
            row = None if data is None else json.loads(data)
            changes.append({"seq": seq, "entity": entity, "op": op, "key": key, "data": row})
        return ChangesPage(changes, page.next_cursor, page.has_more, page.remaining)

    def changes_json(self, store_id: str, since: int, limit: int, *, rows: bool = False) -> bytes:
        """The page :meth:`changes` returns, as the wire's UTF-8 JSON (``ChangesResponse``;
        the same document ``json.dumps(page, ensure_ascii=False, separators=(",", ":"))``
        gives) — with ``rows``, the same page in the row format (``RowsResponse``,
        :meth:`_render_rows`). Each row's data is rendered by the database (``json_object`` /
        ``row_to_json``, ``json_array`` / ``json_build_array``), so a page never becomes
        Python dicts on the hub; the store's tail is served from :attr:`pages` (
        :attr:`row_pages`) while its validator is unchanged."""
        pages = self.row_pages if rows else self.pages
        key = (store_id, since, limit)
        # A store with a tail here is answered from it (its check is one round trip, as the
        # page's validator is, and the page is most often stale by then: it would be two).
        if (rows or not self.tails.has(store_id)) and pages.has(key):  # a tail asked for before
            cached = self._cached(pages, key)
            if cached is not None:
                return cached
        sliced = None if rows else self.tails.page(store_id, since, limit)  # its rendered tail
        if sliced is not None:
            self.pages.put(key, sliced.validator, sliced.body)
            return sliced.body
        with pages.flight(key):
            if pages.has(key):  # rendered meanwhile by another thread
                cached = self._cached(pages, key)
                if cached is not None:
                    return cached
            page = self._page(store_id, since, limit, arrays=rows)
            body = self._render_rows(page) if rows else self._render(page)
            if page.validator is not None:
                pages.put(key, page.validator, body)
                if not rows:
                    self.tails.start(store_id, since)
        return body

    async def changes_json_async(self, store_id: str, since: int, limit: int) -> bytes | None:
        """:meth:`changes_json` on the event loop for a store whose tail here takes the chain
        follower's rows as they are (:meth:`~sync.hub.feed_tail.StoreTails.page_async`: no
        thread, no read of its own); None otherwise — then :meth:`changes_json`, on a thread."""
        sliced = await self.tails.page_async(store_id, since, limit)
        return None if sliced is None else sliced.body  # (no page cache: a tail answers)

    def _cached(self, pages: PageCache, key: PageKey) -> bytes | None:
        store_id, since, _limit = key
        with self.store.read() as conn:
            current = read_validator(conn, store_id, since)
        return pages.get(key, current)

    @staticmethod
    def _render(page: _Page) -> bytes:
        enc = encode_basestring  # a str as a JSON literal, non-ASCII kept (C)
        parts = [
            f'{{"seq":{seq},"entity":{enc(entity)},"op":{enc(op)},"key":{enc(key)},'
            f'"data":{"null" if data is None else data}}}'
            for seq, entity, key, op, data in page.entries()
        ]
        body = (
            f'{{"changes":[{",".join(parts)}],"next_cursor":{page.next_cursor},'
            f'"has_more":{"true" if page.has_more else "false"},"remaining":{page.remaining}}}'
        )
        return body.encode("utf-8")

    @staticmethod
    def _render_rows(page: _Page) -> bytes:
        """A page (its data as the database's arrays) in the row format: per entity, in the
        order entities first appear, its runs of one op in sequence order — an upsert run with
        the entity's column names once and its rows as arrays, a delete run with its keys."""
        enc = encode_basestring
        runs: dict[str, list[tuple[str, list[str], list[str]]]] = {}
        for seq, entity, key, op, data in page.entries():
            entity_runs = runs.get(entity)
            if entity_runs is None:
                entity_runs = runs[entity] = []
            if not entity_runs or entity_runs[-1][0] != op:
                entity_runs.append((op, [], []))
            _op, seqs, items = entity_runs[-1]
            seqs.append(str(seq))
            items.append(enc(key) if data is None else data)
        parts: list[str] = []
        for entity, entity_runs in runs.items():
            name = enc(entity)
            for op, seqs, items in entity_runs:
                head = f'{{"entity":{name},"op":"{op}","seqs":[{",".join(seqs)}],'
                if op == "upsert":
                    parts.append(
                        f'{head}"columns":{_columns_json(entity)},"rows":[{",".join(items)}]}}'
                    )
                else:
                    parts.append(f'{head}"keys":[{",".join(items)}]}}')
        body = (
            f'{{"format":"rows","runs":[{",".join(parts)}],"next_cursor":{page.next_cursor},'
            f'"has_more":{"true" if page.has_more else "false"},"remaining":{page.remaining}}}'
        )
        return body.encode("utf-8")

    def _page(self, store_id: str, since: int, limit: int, *, arrays: bool = False) -> _Page:
        since = max(since, 0)  # below 0: change rows not numbered yet (store.py), never shown
        with self.store.read() as conn:
            if self.named(conn):
                return self._pg_page(conn, store_id, since, limit, arrays)
        with self.store.read() as conn, snapshot(conn):
            max_seq = int(conn.scalar("SELECT coalesce(max(seq), 0) FROM changes"))
            page_sql = self._sqlite_page(conn, arrays=arrays)
            if page_sql is not None:
                with translated("query"):
                    page = conn.raw.execute(
                        page_sql, (store_id, since, max_seq, limit + 1)
                    ).fetchall()
                has_more = len(page) > limit
                del page[limit:]
                data = None
            else:
                page, has_more, data = self._page_rows(
                    conn, store_id, since, max_seq, limit, arrays
                )
            remaining_since = self._remaining(conn, store_id, since, max_seq)
            validator = None if has_more else read_validator(conn, store_id, since)
        return self._paged(
            store_id, since, page, data, has_more, max_seq, remaining_since, validator
        )

    def _paged(
        self,
        store_id: str,
        since: int,
        page: list[Row],
        data: dict[tuple[str, str], str] | None,
        has_more: bool,
        max_seq: int,
        remaining_since: int,
        validator: Validator | None,
    ) -> _Page:
        """The page read, its cursor and what remains after it (memoised for the next)."""
        next_cursor = int(page[-1][0]) if page else since
        remaining = max(0, remaining_since - len(page))
        with self._memo_lock:
            self._remaining_memo[(store_id, next_cursor)] = (remaining, max_seq)
            while len(self._remaining_memo) > _REMAINING_MEMO_SIZE:
                self._remaining_memo.popitem(last=False)
        return _Page(page, data, next_cursor, has_more, remaining, validator)

    def _pg_page(self, conn: Conn, store_id: str, since: int, limit: int, arrays: bool) -> _Page:
        """PostgreSQL: a page in two round trips, its statements prepared on the connection
        (:func:`_pg_statements`) — ``BEGIN``, the newest seq, the own and the common change rows;
        then the upserted rows' JSON, what remains when more follow (not memoised) and
        ``COMMIT``. A page with nothing after it (a tail) holds every own and common row after
        the cursor: its validator and the count of what remains are those rows'."""
        try:
            _begin, top, own, common = conn.rows_batch(
                [
                    (PG_SNAPSHOT, ()),
                    ("EXECUTE clerk_feed_max", ()),
                    ("EXECUTE clerk_feed_own(?, ?, ?)", (store_id, since, limit + 1)),
                    ("EXECUTE clerk_feed_common(?, ?)", (since, limit + 1)),
                ]
            )
            max_seq = int(top[0][0])
            merged = sorted(own + common) if common else own
            has_more = len(merged) > limit
            page = merged[:limit]
            counted: list[tuple[str, Sequence[Any]]] = []
            base = 0
            if has_more:
                base, low = self._memo(store_id, since)
                if low < max_seq:
                    counted = [("EXECUTE clerk_feed_count(?, ?, ?)", (store_id, low, max_seq))]
            data, found = self._rows_then_commit(conn, page, arrays=arrays, extra=counted)
        except BaseException:
            conn.rollback()
            raise
        validator: Validator | None = None
        if has_more:
            remaining_since = base + (int(found[0][0][0]) if counted else 0)
        else:
            remaining_since = len(merged)
            validator = (
                int(own[-1][0]) if own else 0,
                int(common[-1][0]) if common else 0,
                len(merged),
            )
        return self._paged(
            store_id, since, page, data, has_more, max_seq, remaining_since, validator
        )

    def named(self, conn: Conn) -> bool:
        """Whether ``conn`` runs the pull's statements by name (PostgreSQL with
        ``clerk_json_or_text``): if so they are prepared on it (:func:`_pg_statements`)."""
        if conn.dialect.name != "postgres" or self._db_json_sql(conn, "member") is None:
            return False
        found = self._pg_named
        if found is None:
            found = self._pg_named = _pg_statements()
        conn.prepare(found)
        return True

    def _rows_then_commit(
        self,
        conn: Conn,
        page: Sequence[Row],
        *,
        arrays: bool = False,
        extra: Sequence[tuple[str, Sequence[Any]]] = (),
    ) -> tuple[dict[tuple[str, str], str], list[list[Row]]]:
        """The page's upserted rows' JSON (:meth:`_current_rows`) and the rows of the
        ``extra`` queries, then ``COMMIT`` — on PostgreSQL (the rows' statements prepared:
        :meth:`named`) in one message."""
        if not self.named(conn):
            rendered = self._current_rows(conn, page, arrays=arrays)
            found = [conn.rows(sql, params) for sql, params in extra]
            conn.execute("COMMIT")
            return rendered, found
        wanted: dict[str, list[str]] = {}
        for _seq, entity, key, op in page:
            if op == "upsert":
                wanted.setdefault(entity, []).append(key)
        queries: list[tuple[str, Sequence[Any]]] = [
            (f"EXECUTE {_pg_json_name(entity, arrays=arrays)}(?)", (pg_text_array(keys),))
            for entity, keys in wanted.items()
        ]
        results = conn.rows_batch([*queries, *extra, ("COMMIT", ())])
        data: dict[tuple[str, str], str] = {}
        for entity, rows in zip(wanted, results, strict=False):
            for key, doc in rows:
                data[(entity, str(key))] = doc
        return data, results[len(queries) : len(queries) + len(extra)]

    def _sqlite_page(self, conn: Conn, *, arrays: bool) -> str | None:
        """The one-statement page query (:func:`_sqlite_page_sql`) on SQLite with its JSON
        functions; None elsewhere (:meth:`_page_rows`)."""
        if conn.dialect.name != "sqlite" or self._db_json_sql(conn, "member") is None:
            return None
        sql = self._page_sql.get(arrays)
        if sql is None:
            sql = self._page_sql[arrays] = _sqlite_page_sql(arrays=arrays)
        return sql

    def _page_rows(
        self, conn: Conn, store_id: str, since: int, max_seq: int, limit: int, arrays: bool
    ) -> tuple[list[Row], bool, dict[tuple[str, str], str]]:
        """A page's change rows, whether more follow, and the upserted rows' JSON by key —
        read apart (PostgreSQL, a SQLite without JSON)."""
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
        return page, len(merged) > limit, self._current_rows(conn, page, arrays=arrays)

    def _memo(self, store_id: str, since: int) -> tuple[int, int]:
        """What remains after ``since`` as memoised by the page before (0: nothing known) and
        the seq it was counted up to (the cursor when nothing is known)."""
        with self._memo_lock:
            memo = self._remaining_memo.get((store_id, since))
        if memo is None:
            return 0, since
        return memo[0], max(since, memo[1])

    def _remaining(self, conn: Conn, store_id: str, since: int, max_seq: int) -> int:
        """Changes for the store in (since, max_seq]. Counted once per sync, then carried on."""
        base, low = self._memo(store_id, since)
        if low >= max_seq:
            return base
        counted = conn.scalar(
            "SELECT (SELECT count(*) FROM changes WHERE store_id = ? AND seq > ? AND seq <= ?) "
            "+ (SELECT count(*) FROM changes WHERE store_id IS NULL AND seq > ? AND seq <= ?)",
            (store_id, low, max_seq, low, max_seq),
        )
        return base + int(counted)

    def _current_rows(
        self, conn: Conn, page: Sequence[Row], *, arrays: bool = False
    ) -> dict[tuple[str, str], str]:
        """The current data of the page's upserted keys, each row as JSON text: an object, or
        with ``arrays`` an array of the values in :func:`entity_columns` order."""
        wanted: dict[str, list[str]] = {}
        for _seq, entity, key, op in page:
            if op == "upsert":
                wanted.setdefault(entity, []).append(key)
        out: dict[tuple[str, str], str] = {}
        for entity, keys in wanted.items():
            for key, data in self._json_rows_by_key(conn, entity, keys, arrays=arrays):
                out[(entity, key)] = data
        return out

    def _json_rows_by_key(
        self, conn: Conn, entity: str, keys: Sequence[str], *, arrays: bool = False
    ) -> Iterator[tuple[str, str]]:
        """(key, the row as JSON text — an object, or with ``arrays`` an array) for those of
        ``keys`` that exist."""
        in_sql = self._db_json_sql(conn, entity)
        if in_sql is not None and arrays:
            in_sql = self._array_sql.get(entity)
            if in_sql is None:
                in_sql = self._array_sql[entity] = (
                    _pg_array_sql(entity)
                    if conn.dialect.name == "postgres"
                    else _json_array_sql(entity)
                )
        if in_sql is not None and conn.dialect.name == "postgres":  # keys as one array literal
            for key, data in conn.rows(in_sql, (pg_text_array(keys),)):
                yield str(key), data
            return
        if in_sql is None:
            pk = entity_pk(entity)
            rows = rows_by_key(conn, entity, keys)
            if entity in CONSENT_ENTITIES:
                rows = consented(conn, rows)
            for row in rows:
                doc = list(row.values()) if arrays else row
                yield str(row[pk]), json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
            return
        for i in range(0, len(keys), IN_CHUNK):
            chunk = [key_value(entity, k) for k in keys[i : i + IN_CHUNK]]
            marks = ", ".join("?" for _ in chunk)
            for key, data in conn.rows(f"{in_sql} ({marks})", chunk):
                yield str(key), data

    def _db_json_sql(self, conn: Conn, entity: str) -> str | None:
        """The query that has the database render ``entity``'s rows as JSON (SQLite with its
        JSON functions: ``… WHERE pk IN``; PostgreSQL with ``clerk_json_or_text``, made by
        :meth:`~sync.hub.store.HubStore.migrate`: ``… WHERE pk = ANY(?)``); None otherwise."""
        if self._json_sql is None:
            found: dict[str, str] = {}
            if self.store.dialect.name == "sqlite":
                try:
                    conn.raw.execute("SELECT json_object('a', json('[1]'), 'b', json_valid('x'))")
                except sqlite3.Error:
                    pass  # a SQLite built without JSON: rows are rendered in Python
                else:
                    found = {e: _json_object_sql(e) for e in ENTITY_TABLE}
            elif conn.scalar("SELECT to_regprocedure('clerk_json_or_text(text)') IS NOT NULL"):
                found = {e: _pg_json_sql(e) for e in ENTITY_TABLE}
            self._json_sql = found
        return self._json_sql.get(entity)


_COLUMNS_JSON: dict[str, str] = {
    e: json.dumps(list(entity_columns(e)), separators=(",", ":")) for e in ENTITY_TABLE
}


def _columns_json(entity: str) -> str:
    """An entity's column names as the row format's JSON list (built once)."""
    return _COLUMNS_JSON[entity]


@contextmanager
def snapshot(conn: Conn) -> Iterator[None]:
    """Reads on ``conn`` (autocommit) from one snapshot of the database: a read-only
    repeatable-read transaction on PostgreSQL, a deferred read transaction on SQLite (WAL)."""
    begin = (
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        if conn.dialect.name == "postgres"
        else "BEGIN"
    )
    conn.execute(begin)
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    conn.execute("COMMIT")
