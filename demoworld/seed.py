"""Seed a hub with the demo world, streamed in chunks (``clerk hub seed``, the demo's hub).

Members are generated one at a time and written ``chunk`` members per transaction with bulk
inserts (executemany on SQLite, COPY on PostgreSQL), their change rows with them, so memory
stays flat and 500,000 members with 20 million browse events take minutes. On an empty
database a large seed drops the big secondary indexes first and builds them once at the end.
Staff get their demo PINs (``demoworld.world.staff``), hashed as the hub hashes any PIN.
"""

from __future__ import annotations

import functools
import json
import operator
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from clerk.shared.entities import ENTITIES
from demoworld import catalogue, world
from sync.hub import signups
from sync.hub.errors import InvalidInputError
from sync.hub.members import MEMBER_COLUMNS, phone_columns
from sync.hub.staff import hash_pin
from sync.hub.store import HubStore, Tx

CHANGE_COLUMNS = ("store_id", "entity", "key", "op")
PRODUCT_COLUMNS = ENTITIES["product"].columns
BROWSE_COLUMNS = ("id", "member_id", "sku", "channel", "at")
CART_COLUMNS = ("id", "member_id", "sku", "qty", "price_cents", "added_at", "state")
COUPON_COLUMNS = (
    "id",
    "member_id",
    "title_zh",
    "title_en",
    "rule",
    "value",
    "min_spend_cents",
    "applies_to",
    "valid_from",
    "expires_at",
    "state",
    "used_at",
)
VISIT_COLUMNS = (
    "id",
    "member_id",
    "store_id",
    "store_name",
    "staff_id",
    "staff_name",
    "kind",
    "text",
    "facts",
    "at",
)
BIG_SEED_MEMBERS = 20_000


@dataclass
class SeedStats:
    stores: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, table: str, n: int) -> None:
        self.counts[table] = self.counts.get(table, 0) + n


def _db_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def _rows(records: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    return [tuple(_db_value(r.get(c)) for c in columns) for r in records]


def _plain_rows(
    records: Iterable[dict[str, Any]], columns: tuple[str, ...]
) -> list[tuple[Any, ...]]:
    """Rows whose values are already plain (no booleans, lists or dicts): the fast path for
    the millions of browse events."""
    get = operator.itemgetter(*columns)
    return [get(r) for r in records]


def seed_demo(
    store: HubStore,
    *,
    members: int,
    seed: int = 1,
    now: int | None = None,
    products: int = 3000,
    events_per_member: float = 40.0,
    chunk: int = 2000,
    progress: Callable[[int, int], None] | None = None,
    stores: int = len(world.STORES),
) -> SeedStats:
    """Write the demo world into an empty hub; InvalidInputError if it already has members.
    ``stores``: the chain's size — the three demo stores, then S004 … with two staff each
    (members are spread over them in turn)."""
    started = time.perf_counter()
    t = int(time.time()) if now is None else now
    if store.count("members"):
        raise InvalidInputError(
            "the hub already has members; seed an empty database", reason="already_seeded"
        )
    if stores < 1:
        raise InvalidInputError("a chain has at least one store")
    store_rows = chain_stores(stores)
    spec = world.WorldSpec(
        members=members,
        seed=seed,
        now=t,
        products=products,
        events_per_member=events_per_member,
        stores=tuple(s["id"] for s in store_rows),
    )
    stats = SeedStats(stores=list(spec.stores))
    stats.add("stores", store.upsert_stores(store_rows))
    staff_rows: list[dict[str, Any]] = []
    for store_id in spec.stores:
        for s in chain_staff(store_id):
            pin_hash = demo_pin_hash(s["pin"], s["role"])
            staff_rows.append({**s, "pin_hash": pin_hash, "active": 1})
    stats.add("staff", store.staff.upsert(staff_rows, now=t))
    with store.write() as tx:  # the wording a sign-up at the counter shows (clerk/signup.py)
        signups.publish_signup_text(tx, world.CONSENT_VERSION, dict(world.CONSENT_TEXTS), now=t)

    rebuild = store.bulk.drop_indexes() if members >= BIG_SEED_MEMBERS else []
    try:
        with store.bulk.transaction() as tx:
            rows = list(catalogue.products(spec))
            stats.add(
                "products", tx.load("products", PRODUCT_COLUMNS, _rows(rows, PRODUCT_COLUMNS))
            )
            tx.load(
                "changes", CHANGE_COLUMNS, [(None, "product", r["sku"], "upsert") for r in rows]
            )
        keys = (store.phone_hash_key, store.phone_bucket_key)
        bundles = world.members(spec)
        done = 0
        while done < members:
            batch = []
            for b in bundles:
                batch.append(b)
                if len(batch) >= chunk:
                    break
            if not batch:
                break
            with store.bulk.transaction() as tx:
                _load_members(tx, batch, keys, stats)
            done += len(batch)
            if progress is not None:
                progress(done, members)
    finally:
        if rebuild:
            store.bulk.create_indexes(rebuild)
    stats.seconds = time.perf_counter() - started
    return stats


def chain_stores(n: int) -> list[dict[str, str]]:
    """A chain of ``n`` stores: the demo stores first, then numbered ones (S004 …)."""
    out = [dict(s) for s in world.STORES[:n]]
    for k in range(len(out) + 1, n + 1):
        out.append(
            {"id": f"S{k:03d}", "name": f"门店{k:03d}", "name_en": f"Store {k:03d}", "city": "上海"}
        )
    return out


def chain_staff(store_id: str) -> list[dict[str, str]]:
    """A store's staff: the demo world's for its stores, an associate and a manager for the
    numbered ones (ids S004-A1, S004-M1; the same PINs, so hashed once)."""
    if store_id in {s["id"] for s in world.STORES}:
        return world.staff(store_id)
    return [
        {
            "id": f"{store_id}-A1",
            "store_id": store_id,
            "name": "店员",
            "role": "associate",
            "pin": "1357",
        },
        {
            "id": f"{store_id}-M1",
            "store_id": store_id,
            "name": "店长",
            "role": "manager",
            "pin": "135790",
        },
    ]


def _load_members(
    tx: Tx, batch: list[world.MemberBundle], keys: tuple[str, str], stats: SeedStats
) -> None:
    member_rows: list[tuple[Any, ...]] = []
    browse: list[dict[str, Any]] = []
    cart: list[dict[str, Any]] = []
    coupons: list[dict[str, Any]] = []
    visits: list[dict[str, Any]] = []
    changes: list[tuple[Any, ...]] = []
    for b in batch:
        m = dict(b.member)
        m.update(phone_columns(m.get("phone"), hash_key=keys[0], bucket_key=keys[1]))
        member_rows.append(tuple(_db_value(m.get(c)) for c in MEMBER_COLUMNS))
        home = m.get("home_store")
        changes.append((home, "member", m["id"], "upsert"))
        for entity, rows, sink in (
            ("browse", b.browse, browse),
            ("cart", b.cart, cart),
            ("coupon", b.coupons, coupons),
            ("visit", b.visits, visits),
        ):
            sink.extend(rows)
            changes.extend((home, entity, str(r["id"]), "upsert") for r in rows)
    stats.add("members", tx.load("members", MEMBER_COLUMNS, member_rows))
    stats.add(
        "browse_events",
        tx.load("browse_events", BROWSE_COLUMNS, _plain_rows(browse, BROWSE_COLUMNS)),
    )
    stats.add("cart_items", tx.load("cart_items", CART_COLUMNS, _plain_rows(cart, CART_COLUMNS)))
    stats.add("coupons", tx.load("coupons", COUPON_COLUMNS, _rows(coupons, COUPON_COLUMNS)))
    stats.add("visits", tx.load("visits", VISIT_COLUMNS, _rows(visits, VISIT_COLUMNS)))
    stats.add("changes", tx.load("changes", CHANGE_COLUMNS, changes))


@functools.lru_cache(maxsize=256)
def demo_pin_hash(pin: str, role: str) -> str:
    """Hash of a demo staff PIN, computed once per process (tests seed many hubs)."""
    return hash_pin(pin, role)


def seed_related(store: HubStore, *, seed: int = 1, products: int = 3000) -> int:
    """What to offer with each product, for a demo hub with no order history yet: each
    product's companions in the demo world (demoworld/orders.py), as ``clerk hub recommend
    build`` learns them from a chain's orders. Only into an empty ``product_related``."""
    from demoworld.home import related_changes

    with store.read() as conn:
        if int(conn.scalar("SELECT count(*) FROM product_related")):
            return 0
    spec = world.WorldSpec(members=1, seed=seed, now=int(time.time()), products=products)
    rows: list[dict[str, Any]] = [c["data"] for c in related_changes(spec)]
    with store.write() as tx:
        for r in rows:
            tx.conn.execute(
                "INSERT INTO product_related (sku, related, built_at) VALUES (?, ?, ?)",
                (r["sku"], json.dumps(r["related"], separators=(",", ":")), r["built_at"]),
            )
            tx.emit("related", str(r["sku"]), "upsert", None)
    return len(rows)


def seed_if_empty(db: str, *, members: int, seed: int = 1, now: int | None = None) -> None:
    """Open (and migrate) the hub database ``db`` and seed the demo world unless it already
    holds members: the embedded hub of ``clerk demo`` and of tests."""
    store = HubStore.open(db)
    try:
        if store.count("members") == 0:
            seed_demo(
                store, members=members, seed=seed, now=int(time.time()) if now is None else now
            )

    finally:
        store.close()
