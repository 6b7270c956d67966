"""Hub ingest throughput: 20 terminals push interaction batches to a hub on loopback.

The hub runs as a real ``clerk hub serve`` subprocess (uvicorn) on SQLite, then on PostgreSQL
when CLERK_TEST_PG_URL is set. 20 terminal threads (each its own enrolled device and httpx
client, enrolled to one of three stores) push batches of visits, notes and product interests
about their store's members, as its associate — and one visit in 20 of a customer from another
store, by the card typed at the counter (the hub checks what a device may write:
sync/hub/rules.py) — as fast as the hub answers. We
report accepted interactions per second (median of 3 runs) and, as the reference, the same
rows written straight into the hub's data layer (``sync.hub.ingest.ingest``, no HTTP) in the
same run. Target: ≥ 5,000 interactions/s on SQLite.

    python bench/hub_ingest.py            # the target sizes
    python bench/hub_ingest.py --quick    # a small smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from bench.hubproc import Hub, pg_database  # noqa: E402
from clerk.ids import uuid7_str  # noqa: E402
from demoworld.seed import seed_demo  # noqa: E402
from sync.hub.devices import Device  # noqa: E402
from sync.hub.ingest import ingest, parse_items  # noqa: E402
from sync.hub.store import HubStore  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "hub_ingest.json"


STORES = ("S001", "S002", "S003")


@dataclass(frozen=True)
class Shop:
    """What one terminal's records are about: its store's members and associate, and cards of
    other stores' members (customers walking in)."""

    members: list[str]
    staff_id: str
    cards: list[str]


def shops(store: HubStore) -> dict[str, Shop]:
    rows = list(store.members.iter_rows())
    with store.read() as conn:
        staff = dict(
            conn.rows(
                "SELECT store_id, min(id) FROM staff WHERE role = 'associate' AND active = 1 "
                "GROUP BY store_id"
            )
        )
    return {
        s: Shop(
            [m["id"] for m in rows if m["store"] == s],
            str(staff[s]),
            [m["card_no"] for m in rows if m["store"] != s and m["card_no"]],
        )
        for s in STORES
    }


def make_items(
    rng: random.Random, shop: Shop, skus: list[str], n: int, seq0: int
) -> list[dict[str, Any]]:
    now = int(time.time())
    out = []
    for k in range(n):
        r = rng.random()
        member: str | None = shop.members[int(rng.random() * len(shop.members))]
        ref = None
        payload: dict[str, Any]
        if r < 0.05:  # a customer of another store, by the card typed at the counter
            member, ref = None, "card:" + shop.cards[int(rng.random() * len(shop.cards))]
            kind, payload = "visit", {"via": "card"}
        elif r < 0.6:
            kind, payload = "visit", {"text": "walk-in"}
        elif r < 0.85:
            kind, payload = "note", {"text": f"asked about size {k % 7}"}
        else:
            kind, payload = "interest", {"sku": skus[int(rng.random() * len(skus))]}
        out.append(
            {
                "id": uuid7_str(),
                "kind": kind,
                "member_id": member,
                "member_ref": ref,
                "staff_id": shop.staff_id,
                "created_at": now,
                "device_seq": seq0 + k,
                "payload": payload,
            }
        )
    return out


def run_http(
    hub: Hub, tokens: list[str], batches: list[list[list[dict[str, Any]]]]
) -> tuple[float, int]:
    """Every terminal pushes its batches; returns (seconds, accepted)."""
    accepted = [0] * len(tokens)
    errors: list[str] = []
    barrier = threading.Barrier(len(tokens) + 1)

    def terminal(i: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[i]}"}
        with httpx.Client(base_url=hub.url, headers=headers, timeout=60.0) as client:
            barrier.wait()
            for batch in batches[i]:
                for _attempt in range(20):
                    resp = client.post("/v1/interactions", json={"interactions": batch})
                    if resp.status_code in (429, 503):
                        threading.Event().wait(float(resp.headers.get("retry-after", "1")))
                        continue
                    break
                if resp.status_code != 200:
                    errors.append(f"{resp.status_code}: {resp.text[:200]}")
                    return
                accepted[i] += sum(r["status"] == "accepted" for r in resp.json()["results"])

    threads = [threading.Thread(target=terminal, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"push failed: {errors[0]}")
    return elapsed, sum(accepted)


def run_direct(store: HubStore, device: Device, batches: list[list[dict[str, Any]]]) -> float:
    started = time.perf_counter()
    for batch in batches:
        results = ingest(store, device, parse_items(batch))
        assert all(r.status == "accepted" for r in results)
    return time.perf_counter() - started


def bench_backend(label: str, db: str, args: argparse.Namespace) -> dict[str, Any]:
    store = HubStore.open(db)
    try:
        print(f"[{label}] seeding {args.members} members …", file=sys.stderr)
        seed_demo(store, members=args.members, seed=7, events_per_member=4.0, products=500)
        by_store = shops(store)
        with store.read() as conn:
            skus = [r[0] for r in conn.rows("SELECT sku FROM products")]
        codes = [store.devices.create_enrol_code(STORES[i % 3]) for i in range(args.terminals)]
    finally:
        store.close()

    hub = Hub(db)
    rng = random.Random(42)
    http_rates: list[float] = []
    direct_rates: list[float] = []
    try:
        tokens = []
        for i, code in enumerate(codes):
            resp = httpx.post(
                hub.url + "/v1/devices/enroll",
                json={"store_id": STORES[i % 3], "code": code},
                timeout=30,
            )
            resp.raise_for_status()
            tokens.append(resp.json()["token"])
        per_terminal = args.interactions // args.terminals
        seq = 1
        for run in range(args.runs):
            batches = []
            for t in range(args.terminals):
                items = make_items(rng, by_store[STORES[t % 3]], skus, per_terminal, seq)
                batches.append(
                    [items[k : k + args.batch] for k in range(0, len(items), args.batch)]
                )
            seq += per_terminal
            elapsed, accepted = run_http(hub, tokens, batches)
            total = per_terminal * args.terminals
            if accepted != total:
                raise RuntimeError(f"accepted {accepted} of {total}")
            http_rates.append(total / elapsed)
            print(
                f"[{label}] run {run + 1}: {total} via HTTP in {elapsed:.2f}s "
                f"= {total / elapsed:,.0f}/s",
                file=sys.stderr,
            )
    finally:
        hub.stop()

    store = HubStore.open(db)
    try:
        device, _token = store.devices.enroll(
            "S001", store.devices.create_enrol_code("S001"), "direct"
        )
        for run in range(args.runs):
            n = per_terminal * args.terminals
            items = make_items(rng, by_store["S001"], skus, n, 1 + run * n)
            batches_flat = [items[k : k + args.batch] for k in range(0, len(items), args.batch)]
            elapsed = run_direct(store, device, batches_flat)
            direct_rates.append(len(items) / elapsed)
            print(
                f"[{label}] run {run + 1}: {len(items)} direct in {elapsed:.2f}s "
                f"= {len(items) / elapsed:,.0f}/s",
                file=sys.stderr,
            )
    finally:
        store.close()
    return {
        "http": statistics.median(http_rates),
        "direct": statistics.median(direct_rates),
        "http_runs": http_rates,
        "direct_runs": direct_rates,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--terminals", type=int, default=20)
    parser.add_argument("--batch", type=int, default=100, help="interactions per request")
    parser.add_argument("--interactions", type=int, default=60_000, help="per run, all terminals")
    parser.add_argument("--members", type=int, default=5_000, help="members seeded in the hub")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.quick:
        args.interactions, args.members = 4_000, 500

    rows: list[list[Any]] = []
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        backends = [("SQLite", str(Path(tmp) / "hub.db"))]
        pg = os.environ.get("CLERK_TEST_PG_URL")
        if pg:
            backends.append(("PostgreSQL", pg_database(pg, f"omni_bench_{os.getpid()}")))
        for label, db in backends:
            if label == "PostgreSQL":  # told where its key file is (here and in `hub serve`)
                os.environ["CLERK_HUB_KEYS_FILE"] = str(Path(tmp) / "pg-hub.keys")
            r = bench_backend(label, db, args)
            results[label] = r
            note = f"{args.terminals} terminals, batches of {args.batch}, median of {args.runs}"
            rows.append([f"{label}: ingest over HTTP", round(r["http"]), "interactions/s", note])
            rows.append(
                [
                    f"{label}: same rows into the store directly",
                    round(r["direct"]),
                    "interactions/s",
                    "reference: no HTTP, one writer",
                ]
            )
            rows.append([f"{label}: HTTP / direct", round(r["http"] / r["direct"], 2), "ratio", ""])
        if pg:
            with psycopg.connect(pg, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS omni_bench_{os.getpid()} WITH (FORCE)")

    target = 5000
    print("| measure | value | unit | note |")
    print("| --- | ---: | --- | --- |")
    for label, value, unit, note in rows:
        print(f"| {label} | {value:,} | {unit} | {note} |")
    sqlite_rate = results["SQLite"]["http"]
    verdict = "meets" if sqlite_rate >= target else "misses"
    print(f"\nTarget ≥ {target:,}/s on SQLite: {verdict} ({sqlite_rate:,.0f}/s).")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    # a smoke run never overwrites a full run's results
    out = RESULTS.with_name("hub_ingest-quick.json") if args.quick else RESULTS
    out.write_text(
        json.dumps(
            {
                "name": "hub_ingest",
                "rows": rows,
                "reference": "the same interactions written straight into the hub's data layer "
                "(sync.hub.ingest.ingest, no HTTP) in the same run",
                "target": {"SQLite interactions/s": target},
                "quick": args.quick,
                "runs": results,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
