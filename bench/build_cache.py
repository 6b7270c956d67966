"""Build a terminal cache.db at the design's scale straight from the demo world (no hub).

    python bench/build_cache.py [--quick] [--members 500000] [--force]

Default: 500,000 members (~20 M browse events, ~1.3 M cart items, ~0.9 M coupons, 5 M orders,
200,000 service cases) into ``bench/.data/cache-500k.db``; ``--quick``: 20,000 members into
``bench/.data/cache-20k.db``. Orders (10 a member on average, over the 365 days a terminal keeps
— clerk/purge.py —, 5 % returned; their lines compact as the cache keeps them) and
cases (0.4 a member, a third open) are drawn here, per member from the seed, for the 360's
orders and cases panels (issue 18): the demo world itself has none.
An existing file is reused when it was built from the same spec and its row counts still match.

Bulk load: the schema comes from ``clerk.cache.open_cache`` (the real migrations); the secondary
indexes are dropped, rows go in with ``executemany`` in big chunks under ``synchronous=OFF`` and
no journal, then the indexes are recreated and the file is switched to WAL like the terminal's.
The build happens in a temporary file renamed into place only when complete. The file is
encrypted (SQLCipher, the key of ``bench/.data``) exactly like a terminal's cache.db.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from clerk import db, keystore
from clerk.cache import TABLES, open_cache, row_values
from clerk.view360 import ORDERS_DAYS
from demoworld import catalogue, world

DATA = Path(__file__).resolve().parent / ".data"
RESULTS = Path(__file__).resolve().parent / "results"
BENCH_NOW = 1_763_900_000  # fixed so the world (and the reuse check) is deterministic
BENCH_SEED = 2025
BUCKET_KEY = "62656e63682d70686f6e652d6275636b65742d6b6579"  # hex
CHUNK = 100_000
COUNTED = (
    "members",
    "products",
    "browse_events",
    "cart_items",
    "coupons",
    "visits",
    "orders",
    "cases",
)
ORDERS_PER_MEMBER = 10  # on average: 5 M at 500,000 members, all within the 12 months kept
CASES_PER_MEMBER = 0.4  # 200,000 at 500,000 members
CASE_SUBJECTS = ("screen replacement", "strap broken", "late delivery", "wrong size", "refund")


def spec_for(members: int) -> world.WorldSpec:
    return world.WorldSpec(members=members, seed=BENCH_SEED, now=BENCH_NOW)


def default_path(members: int) -> Path:
    label = f"{members // 1000}k" if members % 1000 == 0 else str(members)
    return DATA / f"cache-{label}.db"


def _spec_text(spec: world.WorldSpec) -> str:
    return json.dumps(
        {
            "members": spec.members,
            "seed": spec.seed,
            "now": spec.now,
            "products": spec.products,
            "events_per_member": spec.events_per_member,
            "stores": list(spec.stores),
            "generator": 3,
        },
        sort_keys=True,
    )


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in COUNTED}


def existing(path: Path, spec: world.WorldSpec) -> dict[str, int] | None:
    """Row counts of a reusable cache at ``path``, or None if it must be (re)built."""
    if not path.exists() or keystore.is_plaintext(path):
        return None  # built before the cache was encrypted at rest: measure the real thing
    conn = db.inspect(path)  # encrypted with the key of bench/.data
    try:
        rows = dict(
            conn.execute("SELECT key, value FROM sync_state WHERE key LIKE 'bench_%'").fetchall()
        )
        if rows.get("bench_spec") != _spec_text(spec) or "bench_counts" not in rows:
            return None
        stored: dict[str, int] = json.loads(rows["bench_counts"])
        return stored if counts(conn) == stored else None
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


def _rows(spec: world.WorldSpec) -> Iterator[tuple[str, tuple[Any, ...]]]:
    skus = [p["sku"] for p in catalogue.products(spec)]
    for b in world.members(spec):
        yield "member", row_values("member", world.member_row(b.member, BUCKET_KEY))
        for e in b.browse:
            yield "browse", (e["id"], e["member_id"], e["sku"], e["channel"], e["at"])
        for c in b.cart:
            yield "cart", row_values("cart", c)
        for q in b.coupons:
            yield "coupon", row_values("coupon", q)
        for v in b.visits:
            yield "visit", row_values("visit", v)
        yield from _orders_and_cases(spec, b.member["id"], skus)


def _orders_and_cases(
    spec: world.WorldSpec, member_id: str, skus: list[str]
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """One member's orders and service cases, drawn from the seed and the member's id."""
    rng = random.Random(f"{spec.seed}:{member_id}")
    for k in range(rng.randint(0, 2 * ORDERS_PER_MEMBER)):
        at = spec.now - rng.randint(3_600, ORDERS_DAYS * 86_400)
        items = [
            {
                "sku": rng.choice(skus),
                "qty": rng.randint(1, 2),
                "price_cents": rng.randint(990, 99_900),
            }
            for _ in range(rng.randint(1, 3))
        ]
        total = sum(i["qty"] * i["price_cents"] for i in items)
        refunded = rng.random() < 0.05
        yield (
            "order",
            row_values(
                "order",
                {
                    "id": f"O{member_id[1:]}{k:02d}",
                    "member_id": member_id,
                    "total_cents": total,
                    "state": "refunded" if refunded else "completed",
                    "items": items,
                    "at": at,
                    "refunded_at": at + 7 * 86_400 if refunded else None,
                },
            ),
        )
    if rng.random() < CASES_PER_MEMBER:
        opened = spec.now - rng.randint(3_600, 120 * 86_400)
        closed = rng.random() < 2 / 3
        yield (
            "case",
            row_values(
                "case",
                {
                    "id": f"K{member_id[1:]}",
                    "member_id": member_id,
                    "case_type": rng.choice(("repair", "complaint", "other")),
                    "subject": rng.choice(CASE_SUBJECTS),
                    "status": "closed" if closed else "open",
                    "sku": rng.choice(skus),
                    "store_name": None,
                    "opened_at": opened,
                    "updated_at": opened,
                    "closed_at": opened + 86_400 if closed else None,
                },
            ),
        )


def _insert_sql(entity: str) -> str:
    table, _pk, columns = TABLES[entity]
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def build(path: Path, spec: world.WorldSpec, *, progress: bool = True) -> dict[str, Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building.db")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    t0 = time.perf_counter()
    open_cache(tmp).close()  # the real schema, through the real migrations
    conn = db.connect(tmp, synchronous="NORMAL")  # SQLCipher, as the terminal's cache
    conn.row_factory = None
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")  # 256 MB while building
        conn.execute("PRAGMA temp_store = MEMORY")
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
        for name, _sql in indexes:
            conn.execute(f"DROP INDEX {name}")

        conn.execute("BEGIN")
        conn.executemany(
            _insert_sql("product"), (row_values("product", p) for p in catalogue.products(spec))
        )
        batches: dict[str, list[tuple[Any, ...]]] = {
            e: [] for e in ("member", "browse", "cart", "coupon", "visit", "order", "case")
        }
        sql = {e: _insert_sql(e) for e in batches}
        done = 0
        for entity, row in _rows(spec):
            batch = batches[entity]
            batch.append(row)
            if len(batch) >= CHUNK:
                conn.executemany(sql[entity], batch)
                batch.clear()
            if entity == "member":
                done += 1
                if progress and done % 50_000 == 0:
                    el = time.perf_counter() - t0
                    print(f"  {done:,} members in {el:.0f} s", file=sys.stderr, flush=True)
        for entity, batch in batches.items():
            conn.executemany(sql[entity], batch)
        conn.execute("COMMIT")
        t_load = time.perf_counter() - t0

        for _name, index_sql in indexes:
            conn.execute(index_sql)
        t_index = time.perf_counter() - t0 - t_load

        found = counts(conn)
        conn.executemany(
            "INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)",
            [("bench_spec", _spec_text(spec)), ("bench_counts", json.dumps(found))],
        )
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    os.replace(tmp, path)
    total = time.perf_counter() - t0
    return {"counts": found, "load_s": t_load, "index_s": t_index, "total_s": total}


def ensure_cache(
    members: int, *, path: Path | None = None, force: bool = False, progress: bool = True
) -> tuple[Path, world.WorldSpec, dict[str, Any]]:
    """The bench cache for ``members`` members, built if missing or stale."""
    spec = spec_for(members)
    target = path or default_path(members)
    found = None if force else existing(target, spec)
    if found is not None:
        return target, spec, {"counts": found, "reused": True}
    if progress:
        print(f"building {target} ({members:,} members) …", file=sys.stderr, flush=True)
    info = build(target, spec, progress=progress)
    info["reused"] = False
    return target, spec, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 members")
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--force", action="store_true", help="rebuild even if reusable")
    args = parser.parse_args(argv)
    members = 20_000 if args.quick else args.members

    path, _spec, info = ensure_cache(members, force=args.force)
    size = path.stat().st_size
    c = info["counts"]
    rows: list[list[Any]] = [
        ["members", c["members"], "rows", ""],
        ["browse events", c["browse_events"], "rows", "design: 20 M at 500k members"],
        ["cart items", c["cart_items"], "rows", "design: 1.5 M"],
        ["coupons", c["coupons"], "rows", "design: 1 M"],
        ["orders", c.get("orders", 0), "rows", "issue 18: 5 M"],
        ["service cases", c.get("cases", 0), "rows", "issue 18: 200,000"],
        ["products", c["products"], "rows", ""],
        ["file size", round(size / 2**30, 3), "GiB", "target ≤ 3 GB (issue 18)"],
    ]
    if not info["reused"]:
        rows += [
            ["build: load", round(info["load_s"], 1), "s", "generate + insert, no indexes"],
            ["build: indexes", round(info["index_s"], 1), "s", ""],
            ["build: total", round(info["total_s"], 1), "s", "single process"],
        ]
    print(f"\n| {path.name} | value | unit | note |\n|---|---:|---|---|")
    for label, value, unit, note in rows:
        shown = f"{value:,}" if isinstance(value, int) else value
        print(f"| {label} | {shown} | {unit} | {note} |")
    if not info["reused"]:
        RESULTS.mkdir(parents=True, exist_ok=True)
        result = {
            "name": "build_cache",
            "rows": rows,
            "reference": "none (a one-off build; file size is the figure that matters)",
            "members": members,
            "path": str(path.relative_to(Path(__file__).resolve().parent.parent)),
        }
        out = RESULTS / ("build_cache-quick.json" if args.quick else "build_cache.json")
        out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    else:
        print("(reused an existing build: timings not re-measured)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
