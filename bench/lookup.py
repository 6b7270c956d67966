"""Customer 360 lookup benchmark on a cache at the design's scale, bare SQL as the reference.

    python bench/lookup.py [--quick] [--count 10000] [--members 500000]

Builds (or reuses) the cache with ``bench/build_cache.py`` — 500,000 members / ~20 M browse
events by default, 20,000 with ``--quick`` — opens it read-only like the terminal's reader, with
an outbox holding a few hundred interactions, and times ``--count`` random lookups:

* ``view360.lookup`` — the whole 360 (queries + shaping + talking points), and
* ``view360.fetch`` — the same queries, rows fetched, no Python shaping (the reference),

interleaved member by member in the same run (alternating which goes first). Also: identity
resolution (card), the process RSS with the cache open, the cache file size.
Targets (issue 3): p95 ≤ 2 ms, ≤ 3× bare SQL, RSS ≤ 200 MB; issue 18 keeps them with the new
panels — orders and returns (5 M orders), open service cases (200,000), the wishlist — and
the order talking points, the file ≤ 3 GB. The OS page cache is warm (the file was just built
or read); SQLite's own cache is the default 2 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from build_cache import BENCH_NOW, ensure_cache
from report import pct as _pct

from clerk import view360
from clerk.cache import open_cache
from clerk.model import Identity
from clerk.outbox import open_outbox, record
from demoworld import catalogue, world

RESULTS = Path(__file__).resolve().parent / "results"


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _seed_outbox(path: Path, spec: world.WorldSpec, rng: random.Random) -> None:
    conn = open_outbox(path)
    try:
        for k in range(300):
            mid = world.member_id(rng.randint(1, spec.members))
            kind = ("visit", "note", "interest", "redeem", "sale", "case_open")[k % 6]
            payload: dict[str, Any] = {"text": "demo note"} if kind == "note" else {}
            if kind == "sale":
                line = {"sku": catalogue.HERO_SKU, "qty": 1, "price_cents": 199_900}
                payload = {"items": [line], "amount_cents": 199_900}
            if kind == "case_open":
                payload = {"case_type": "repair", "subject": "screen replacement"}
            if kind == "redeem":
                payload = {"coupon_id": f"Q{int(mid[1:]):08d}00"}
            if kind == "interest":
                payload = {"sku": catalogue.HERO_SKU}
            record(
                conn,
                kind,
                member_id=mid,
                staff_id="A01",
                payload=payload,
                now=BENCH_NOW - rng.randint(0, 86_400),
            )
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 members, 2,000 lookups")
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args(argv)
    members = 20_000 if args.quick else args.members
    count = 2_000 if args.quick else args.count

    path, spec, info = ensure_cache(members)
    if not info["reused"]:
        # The build ran in this process and left its memory behind: measure (RSS included)
        # in a fresh process that only opens the cache, as the terminal does.
        os.execv(sys.executable, [sys.executable, *sys.argv])
    rng = random.Random(11)
    rss_before = _status_kb("VmRSS")
    with tempfile.TemporaryDirectory() as tmp:
        outbox_path = Path(tmp) / "outbox.db"
        _seed_outbox(outbox_path, spec, rng)
        cache = open_cache(path, readonly=True)
        outbox = open_outbox(outbox_path)
        try:
            ids = [world.member_id(rng.randint(1, spec.members)) for _ in range(count)]
            cards = [
                str(r[0])
                for r in cache.execute(
                    f"SELECT card_no FROM members WHERE id IN ({','.join('?' * 200)})",
                    ids[:200],
                )
            ]
            clock = time.perf_counter_ns
            now = BENCH_NOW
            # Warm-up (not measured): the first queries compile statements.
            for mid in ids[:200]:
                view360.lookup(cache, outbox, mid, now=now)
            full: list[float] = []
            bare: list[float] = []
            points = browse_rows = orders = cases = 0
            for i, mid in enumerate(ids):
                if i % 2:
                    t0 = clock()
                    view360.fetch(cache, outbox, mid, now=now)
                    t1 = clock()
                    v = view360.lookup(cache, outbox, mid, now=now)
                    t2 = clock()
                    bare.append((t1 - t0) / 1e6)
                    full.append((t2 - t1) / 1e6)
                else:
                    t0 = clock()
                    v = view360.lookup(cache, outbox, mid, now=now)
                    t1 = clock()
                    view360.fetch(cache, outbox, mid, now=now)
                    t2 = clock()
                    full.append((t1 - t0) / 1e6)
                    bare.append((t2 - t1) / 1e6)
                assert v is not None
                points += len(v.talking_points)
                browse_rows += len(v.browsing)
                orders += len(v.orders)
                cases += len(v.cases)
            resolve: list[float] = []
            for card in cards * 5:
                ident = Identity("card", card, "card:" + card)
                t0 = clock()
                found = view360.resolve(cache, ident)
                resolve.append((clock() - t0) / 1e6)
                assert found is not None
            rss = _status_kb("VmRSS")
            hwm = _status_kb("VmHWM")
        finally:
            cache.close()
            outbox.close()

    size = path.stat().st_size
    for suffix in ("-wal",):
        extra = Path(f"{path}{suffix}")
        if extra.exists():
            size += extra.stat().st_size
    p50, p95, p99 = (_pct(full, q) for q in (0.5, 0.95, 0.99))
    b50, b95, b99 = (_pct(bare, q) for q in (0.5, 0.95, 0.99))
    rows: list[list[Any]] = [
        ["lookup: p50", round(p50, 3), "ms", ""],
        ["lookup: p95", round(p95, 3), "ms", "target ≤ 2 ms"],
        ["lookup: p99", round(p99, 3), "ms", ""],
        ["bare SQL: p50", round(b50, 3), "ms", "reference: view360.fetch, same members"],
        ["bare SQL: p95", round(b95, 3), "ms", "reference"],
        ["bare SQL: p99", round(b99, 3), "ms", "reference"],
        ["lookup/bare p50", round(p50 / b50, 2), "×", "target ≤ 3×"],
        ["lookup/bare p95", round(p95 / b95, 2), "×", "target ≤ 3×"],
        ["resolve (card): p50", round(_pct(resolve, 0.5) * 1000, 1), "µs", ""],
        ["resolve (card): p99", round(_pct(resolve, 0.99) * 1000, 1), "µs", ""],
        ["RSS with cache open", round(rss / 1024, 1), "MB", "target ≤ 200 MB"],
        [
            "peak RSS (VmHWM)",
            round(hwm / 1024, 1),
            "MB",
            f"before opening: {rss_before / 1024:.0f}",
        ],
        ["cache file", round(size / 2**30, 3), "GiB", "target ≤ 3 GB (issue 18)"],
        ["members in cache", spec.members, "", f"{count:,} random lookups"],
        ["talking points / lookup", round(points / count, 2), "", ""],
        ["browsed products / lookup", round(browse_rows / count, 1), "", ""],
        ["orders / lookup", round(orders / count, 1), "", "last 12 months, online + in store"],
        ["open cases / lookup", round(cases / count, 3), "", ""],
    ]
    print(f"\n| 360 lookup ({spec.members:,} members) | value | unit | note |")
    print("|---|---:|---|---|")
    for label, value, unit, note in rows:
        shown = f"{value:,}" if isinstance(value, int) else value
        print(f"| {label} | {shown} | {unit} | {note} |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {
        "name": "lookup",
        "rows": rows,
        "reference": "view360.fetch: the same queries without Python shaping, same run",
        "members": spec.members,
        "count": count,
    }
    out = RESULTS / ("lookup-quick.json" if args.quick else "lookup.json")
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
