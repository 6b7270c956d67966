"""SQLite's writers on a busy disk, without HTTP: where a write transaction's stalls come from.

Two processes (the hub's two workers) each commit small write transactions at a steady pace
through :class:`~sync.hub.store.HubStore` — ~20 random index pages each, as an interaction group
dirties — against a copy of bench/hub_load.py's seeded hub database, while bench/disk_busy.py
appends and syncs beside it (``--disk-busy`` MB/s). Each transaction is timed from ``BEGIN
IMMEDIATE`` asked to ``COMMIT`` answered; ``CLERK_HUB_LOCK_TIMES`` splits off the ``COMMIT`` and
says whether WAL frames were copied back during it. The modes alternate in the same minutes:
``off`` — SQLite's own checkpoint in the committing writer (``CLERK_HUB_CHECKPOINTER=0``, what
main does) — and ``on`` — the process's checkpointer thread (sync/hub/checkpoint.py).

    python bench/wal_stall.py --rounds 3 --seconds 30 --disk-busy 32 --label disk

Writes bench/results/wal_stall[-LABEL].json. Without HTTP and terminals the CPU is the writers'
own: what it shows is the disk's share of a stall, not a hub's 503s (bench/hub_load.py).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.hub_load import DATA, RESULTS, DiskBusy, seeded  # noqa: E402


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]


def writer(db: str, keys: str, mode: str, rate: float, seconds: float, out: Any) -> None:
    """One process: a transaction every 1/rate s (never catching up in a burst), timed."""
    os.environ["CLERK_HUB_CHECKPOINTER"] = "0" if mode == "off" else "1"
    from sync.hub.store import HubStore

    store = HubStore.open(db, migrate=False, keys_file=keys)
    took: list[float] = []
    try:
        began = time.monotonic()
        next_at = began
        while time.monotonic() - began < seconds:
            rows = [(uuid.uuid4().hex, os.urandom(300)) for _ in range(10)]
            t0 = time.monotonic()
            with store.write() as tx:
                tx.conn.many("INSERT INTO wal_stall (k, v) VALUES (?, ?)", rows)
            took.append(time.monotonic() - t0)
            next_at += 1.0 / rate
            pause = next_at - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            else:
                next_at = time.monotonic()
    finally:
        store.close()
    out.put(took)


def lock_lines(path: Path) -> list[list[float]]:
    if not path.exists():
        return []
    return [
        [float(x) for x in line.split()]
        for line in path.read_text(encoding="ascii").splitlines()
        if len(line.split()) == 5
    ]


def one(args: argparse.Namespace, mode: str, k: int) -> dict[str, Any]:
    db, keys = seeded("sqlite", 3, 20_000)  # a fresh copy of the seeded hub
    from sync.hub.store import HubStore

    store = HubStore.open(str(db), keys_file=keys)
    with store.write() as tx:
        tx.conn.execute("CREATE TABLE wal_stall (k TEXT PRIMARY KEY, v BLOB)")
    store.close()
    times = DATA / "wal_stall.lock"
    ckpt = DATA / "wal_stall.ckpt"
    times.unlink(missing_ok=True)
    ckpt.unlink(missing_ok=True)
    os.environ["CLERK_HUB_LOCK_TIMES"] = str(times)
    os.environ["CLERK_HUB_CHECKPOINT_TIMES"] = str(ckpt)
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    busy = DiskBusy(DATA, args.disk_busy, 1024, args.seconds + 10) if args.disk_busy else None
    time.sleep(0.5)
    procs = [
        ctx.Process(target=writer, args=(str(db), keys, mode, args.rate, args.seconds, q))
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    took: list[float] = []
    for _ in procs:
        took += q.get(timeout=args.seconds + 120)
    for p in procs:
        p.join()
    disk = busy.stop() if busy is not None else None
    del os.environ["CLERK_HUB_LOCK_TIMES"]
    del os.environ["CLERK_HUB_CHECKPOINT_TIMES"]
    lines = lock_lines(times)
    commits = [x[2] for x in lines]
    copying = [x[2] for x in lines if x[4] > 0]
    ck = [
        line.split()
        for line in (ckpt.read_text().splitlines() if ckpt.exists() else [])
        if len(line.split()) == 6
    ]
    copies = [float(x[1]) for x in ck if x[2] == "PASSIVE" and int(x[3]) - int(x[4]) >= 1000]
    ms = [t * 1000 for t in took]
    result = {
        "mode": mode,
        "round": k,
        "transactions": len(ms),
        "txn_p50_ms": pct(ms, 50),
        "txn_p99_ms": pct(ms, 99),
        "txn_max_ms": max(ms),
        "txn_over_50ms": sum(1 for t in ms if t >= 50),
        "txn_over_100ms": sum(1 for t in ms if t >= 100),
        "commit_p99_ms": pct(commits, 99) if commits else None,
        "commit_max_ms": max(commits, default=None),
        "commits_copying": len(copying),
        "commit_copying_max_ms": max(copying, default=None),
        "commit_copying_sum_ms": sum(copying),
        "commit_over_100ms": sum(1 for c in commits if c >= 100),
        "commit_over_100ms_copying": sum(1 for c in copying if c >= 100),
        "ckpt_big_copies": len(copies),
        "ckpt_big_copy_max_ms": max(copies, default=None),
        "ckpt_big_copy_median_ms": statistics.median(copies) if copies else None,
        "disk_busy": disk,
        "load_avg": os.getloadavg()[0],
        "at": time.strftime("%H:%M:%S", time.gmtime()),
    }
    print(json.dumps(result), file=sys.stderr)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2, help="off/on pairs, alternated")
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--rate", type=float, default=60.0, help="transactions a second a process")
    ap.add_argument("--disk-busy", type=float, default=32.0, help="the neighbour's MB/s (0: none)")
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    runs = []
    for k in range(args.rounds):
        for mode in ("off", "on") if k % 2 == 0 else ("on", "off"):
            runs.append(one(args, mode, k))
    rows = []
    for mode in ("off", "on"):
        mine = [r for r in runs if r["mode"] == mode]
        for key in (
            "txn_p99_ms",
            "txn_max_ms",
            "txn_over_100ms",
            "commit_max_ms",
            "commits_copying",
            "commit_copying_max_ms",
            "commit_over_100ms",
            "commit_over_100ms_copying",
        ):
            vals = [r[key] for r in mine if r[key] is not None]
            rows.append(
                [f"{mode}: {key}", statistics.median(vals) if vals else None, "median", vals]
            )
    stem = "wal_stall" + (f"-{args.label}" if args.label else "")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(
        json.dumps({"name": "wal_stall", "rows": rows, "runs": runs}, indent=1)
    )
    for row in rows:
        print(" | ".join(str(x) for x in row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
