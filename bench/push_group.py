"""Pushes through the hub's data layer on PostgreSQL, grouped or one transaction each (issue 20).

The write path of ``POST /v1/interactions`` without HTTP and without the load generator: ``--procs``
processes (the hub's workers) of ``--threads`` threads (a worker's route threads), each thread a
terminal of its own pushing batches of 1–10 visits of its store's members as fast as they are
answered, through :class:`sync.hub.ingest.Ingest` — with group commit (``group``: pushes that
arrive while a group is committing join the next one) and without (``alone``: each push its own
transaction, as main served PostgreSQL before this) — alternated A B A B in the same minutes.
Reported per run: pushes/s, the push's latency p50 / p99, the transactions and the chain-wide
lock's hold (``CLERK_HUB_LOCK_TIMES``: p50 and busy share, from the grant to the ``COMMIT``
answered). The ratio group / alone is the figure (medians over the pairs).

    CLERK_BENCH_PG_URL=postgresql://…  python bench/push_group.py [--pairs 3 --seconds 10]

The database (``push_group_bench`` on that cluster) is seeded once and reused; each run's rows are
new interactions. Results: bench/results/push_group-<label>.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from clerk.ids import uuid7_str  # noqa: E402
from demoworld.seed import seed_demo  # noqa: E402
from sync.hub import ingest as ingest_mod  # noqa: E402
from sync.hub.db import ADVISORY_LOCK_ID  # noqa: E402
from sync.hub.ingest import Ingest, parse_items  # noqa: E402
from sync.hub.store import HubStore  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DBNAME = "push_group_bench"
STORES = ("S001", "S002", "S003")
STAFF = {"S001": "A01", "S002": "A11", "S003": "A21"}


def database(base: str, members: int) -> str:
    """The bench's database on ``base``'s cluster (seeded once)."""
    url = urlunsplit(urlsplit(base)._replace(path="/" + DBNAME))
    with psycopg.connect(base, autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DBNAME,)).fetchone()
        if found is None:
            admin.execute(f"CREATE DATABASE {DBNAME}")
    keys = Path(tempfile.gettempdir()) / f"{DBNAME}.keys"
    os.environ["CLERK_HUB_KEYS_FILE"] = str(keys)
    store = HubStore.open(url)
    try:
        with store.read() as conn:
            seeded = conn.scalar("SELECT count(*) FROM members")
        if not seeded:
            seed_demo(store, members=members, events_per_member=0.0)
    finally:
        store.close()
    return url


def _worker(
    url: str,
    group: bool,
    leaders: int,
    threads: int,
    seconds: float,
    seed: int,
    out: Any,
    start_at: float,
) -> None:
    store = HubStore.open(url, migrate=False)
    ingest_mod.PG_COMMITTERS = leaders
    take = Ingest(store, group=group)
    rng = random.Random(seed)
    members: dict[str, list[str]] = {}
    with store.read() as conn:
        for s in STORES:
            rows = conn.rows("SELECT id FROM members WHERE home_store = ? LIMIT 500", (s,))
            members[s] = [str(r[0]) for r in rows]
    devices = []
    for n in range(threads):
        s = STORES[n % len(STORES)]
        code = store.devices.create_enrol_code(s)
        devices.append(store.devices.enroll(s, code, f"bench-{seed}-{n}")[0])
    latencies: list[list[float]] = [[] for _ in range(threads)]
    failed = [0] * threads

    def terminal(n: int) -> None:
        device = devices[n]
        r = random.Random(rng.random())
        seq = 0
        while time.time() < start_at:
            time.sleep(0.001)
        end = start_at + seconds
        while time.time() < end:
            items = []
            for _ in range(r.randint(1, 10)):
                seq += 1
                items.append(
                    {
                        "id": uuid7_str(),
                        "kind": "visit",
                        "member_id": r.choice(members[device.store_id]),
                        "member_ref": None,
                        "staff_id": STAFF[device.store_id],
                        "created_at": int(time.time()) - 5,
                        "device_seq": seq,
                        "payload": {"text": f"bench {seq}"},
                    }
                )
            began = time.perf_counter()
            try:
                take(device, parse_items(items))
            except Exception:
                failed[n] += 1
                continue
            latencies[n].append((time.perf_counter() - began) * 1000)

    ts = [threading.Thread(target=terminal, args=(n,)) for n in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    groups = take.committer.groups if take.committer is not None else None
    out.put({"lat": [x for lat in latencies for x in lat], "failed": sum(failed), "groups": groups})
    store.close()


def _waiters(url: str, start_at: float, seconds: float) -> float:
    """Sessions waiting for the chain-wide lock, on average (pg_locks sampled every 5 ms while
    the pushers run): above 0 most of the time, the lock is what the writes queue on."""
    counts = []
    with psycopg.connect(url, autocommit=True) as conn:
        while time.time() < start_at:
            time.sleep(0.01)
        while time.time() < start_at + seconds:
            row = conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND objid = %s AND classid = 0",
                (ADVISORY_LOCK_ID,),
            ).fetchone()
            counts.append(int(row[0]) if row else 0)
            time.sleep(0.005)
    return statistics.mean(counts) if counts else 0.0


def run(url: str, mode: str, args: argparse.Namespace, seed: int) -> dict[str, Any]:
    lock_file = Path(tempfile.gettempdir()) / f"push_group_lock_{os.getpid()}.txt"
    lock_file.unlink(missing_ok=True)
    os.environ["CLERK_HUB_LOCK_TIMES"] = str(lock_file)
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    start_at = time.time() + 6.0  # the workers open, enrol their devices, then all start
    procs = [
        ctx.Process(
            target=_worker,
            args=(
                url,
                mode == "group",
                args.leaders,
                args.threads,
                args.seconds,
                seed * 100 + p,
                out,
                start_at,
            ),
        )
        for p in range(args.procs)
    ]
    for p in procs:
        p.start()
    waiting = _waiters(url, start_at, args.seconds)
    parts = [out.get(timeout=args.seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    lat = sorted(x for part in parts for x in part["lat"])
    held = []
    if lock_file.exists():
        for line in lock_file.read_text().splitlines():
            at, ms = line.split()[:2]
            if start_at <= float(at) <= start_at + args.seconds:
                held.append(float(ms))
        lock_file.unlink()
    groups = [part["groups"] for part in parts]
    load = os.getloadavg()[0]
    return {
        "mode": mode,
        "pushes_s": len(lat) / args.seconds,
        "p50_ms": lat[len(lat) // 2] if lat else None,
        "p99_ms": lat[int(len(lat) * 0.99)] if lat else None,
        "failed": sum(part["failed"] for part in parts),
        "transactions": sum(groups) if None not in groups else len(lat),
        "lock_writes": len(held),
        "lock_p50_ms": statistics.median(held) if held else None,
        "lock_busy": sum(held) / 1000 / args.seconds,
        "lock_waiters": waiting,
        "load_avg": load,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument(
        "--leaders", type=int, default=ingest_mod.PG_COMMITTERS, help="groups a process"
    )
    ap.add_argument("--members", type=int, default=3000)
    ap.add_argument("--label", default="run")
    args = ap.parse_args()
    base = os.environ.get("CLERK_BENCH_PG_URL") or os.environ.get("CLERK_TEST_PG_URL")
    if not base:
        print("push_group.py: set CLERK_BENCH_PG_URL", file=sys.stderr)
        return 2
    url = database(base, args.members)
    runs = []
    for pair in range(args.pairs):
        for mode in ("alone", "group") if pair % 2 == 0 else ("group", "alone"):
            r = run(url, mode, args, seed=pair * 2 + (mode == "group"))
            runs.append(r)
            print(json.dumps(r), flush=True)
    summary = {}
    for mode in ("alone", "group"):
        mine = [r for r in runs if r["mode"] == mode]
        summary[mode] = {
            k: statistics.median([r[k] for r in mine if r[k] is not None])
            for k in (
                "pushes_s",
                "p50_ms",
                "p99_ms",
                "lock_p50_ms",
                "lock_busy",
                "lock_waiters",
                "transactions",
            )
        }
    ratio = summary["group"]["pushes_s"] / summary["alone"]["pushes_s"]
    print(
        f"pushes/s median: alone {summary['alone']['pushes_s']:.0f}, group "
        f"{summary['group']['pushes_s']:.0f} ({ratio:.2f}x); p99 {summary['alone']['p99_ms']:.0f}"
        f" / {summary['group']['p99_ms']:.0f} ms; lock busy {summary['alone']['lock_busy']:.0%}"
        f" / {summary['group']['lock_busy']:.0%}"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"push_group-{args.label}.json"
    path.write_text(
        json.dumps({"args": vars(args), "runs": runs, "summary": summary, "ratio": ratio}, indent=1)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
