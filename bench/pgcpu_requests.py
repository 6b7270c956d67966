"""What each kind of terminal request costs the hub's Python and PostgreSQL's server (issue 20).

The requests of bench/hub_load.py's terminals — a push of 1–10 visits (57 % of the requests:
one every 1–5 s against a pull every 2–6 s) and a pull from the terminal's cursor — without HTTP
and without the load generator, one at a time on one thread, through the hub's own layer:
``parse_items`` and :class:`~sync.hub.ingest.Ingest` for a push (the body as JSON first, as the
route does), ``ChangeFeed.changes_json`` for a pull. ``--procs`` hub stores stand for the
hub's worker processes (each its own page cache and feed tails; every request goes to one at
random, as a balancer spreads them), every terminal starts caught up. Per request: this
thread's CPU (``time.thread_time``: the hub's Python, psycopg included) and the CPU of the
PostgreSQL server processes serving the stores' connections (``/proc/<pid>/schedstat``, read
around the request: the server runs on this machine; its background writers not counted).
Pulls are told apart after the fact: empty or with rows, and answered from the page cache, a
feed tail, or the database (the feed's counters).

    CLERK_BENCH_PG_URL=postgresql://…  python bench/pgcpu_requests.py \\
        [--stores 100 --per-store 10] [--requests 4000] [--pairs 2] [--base /work/wt/base]

The database is bench/hub_load.py's seeded world (its SQLite template copied in once; a run's
pushes stay); with ``--base`` each pair runs that checkout's hub code (``--hub-root``'s way: its
own venv and modules, this database) and then this checkout's, A B B A …, in the same minutes.
Each invocation copies the database in again: never run two at once (the second drops the
first's database under it).
Results: bench/results/pgcpu_requests-<label>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PUSH_SHARE = 1 / 3 / (1 / 3 + 1 / 4)  # pushes every 1-5 s (mean 3), pulls every 2-6 s (mean 4)
PAGE = 1000


def prepare(stores: int, members: int, per_store: int, state: Path) -> dict[str, Any]:
    """The seeded database (bench/hub_load.py's), its devices enrolled, as a state file."""
    sys.path.insert(0, str(ROOT))
    from bench.hub_load import seeded
    from sync.hub.store import HubStore

    db, keys = seeded("postgres", stores, members)
    store = HubStore.open(db, keys_file=keys)
    try:
        with store.read() as conn:
            by_store: dict[str, list[str]] = {}
            for mid, home in conn.rows("SELECT id, home_store FROM members ORDER BY id"):
                by_store.setdefault(str(home), []).append(str(mid))
            staff = {
                str(sid): str(aid)
                for aid, sid in conn.rows(
                    "SELECT id, store_id FROM staff WHERE role = 'associate' ORDER BY id DESC"
                )
            }
        terminals = []
        for k in range(stores * per_store):
            sid = f"S{k % stores + 1:03d}"
            code = store.devices.create_enrol_code(sid)
            dev, _secret = store.devices.enroll(sid, code, f"bench {k}")
            terminals.append({"id": dev.id, "store": sid, "name": dev.name, "staff": staff[sid]})
    finally:
        store.close()
    doc = {"db": db, "keys": keys, "terminals": terminals, "members": by_store}
    state.write_text(json.dumps(doc))
    return doc


def _schedstat(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/schedstat", encoding="ascii") as f:
            return int(f.read().split()[0])
    except OSError:
        return 0


def child(args: argparse.Namespace) -> None:
    """One run of the request mix, with the hub code of ``args.hub_root`` (first on the path)."""
    sys.path.insert(0, str(Path(args.hub_root).resolve()))
    from clerk.ids import uuid7_str
    from sync.hub.devices import Device
    from sync.hub.ingest import Ingest, parse_items
    from sync.hub.store import HubStore

    state = json.loads(Path(args.state).read_text())
    stores = [HubStore.open(state["db"], keys_file=state["keys"]) for _ in range(args.procs)]
    ingests = [Ingest(s) for s in stores]
    rng = random.Random(args.seed)
    terms = [
        {"dev": Device(t["id"], t["store"], t["name"]), "staff": t["staff"], "seq": 0, "cursor": 0}
        for t in state["terminals"]
    ]
    members: dict[str, list[str]] = state["members"]
    now = int(time.time())
    with stores[0].read() as conn:
        for t in terms:  # each device's seqs go on from what earlier runs pushed
            t["seq"] = int(
                conn.scalar(
                    "SELECT coalesce(max(device_seq), 0) FROM interactions WHERE device_id = ?",
                    (t["dev"].id,),
                )
            )

    def backends() -> list[int]:
        pids = []
        for s in stores:
            for c in list(s._all_conns):
                raw = c._raw
                if not raw.closed:
                    pids.append(raw.info.backend_pid)
        return pids

    def server_ns(pids: list[int]) -> int:
        return sum(_schedstat(p) for p in pids)

    def pull(t: dict[str, Any], feed: Any) -> tuple[str, int]:
        sid = t["dev"].store_id
        rows = 0
        while True:
            body = feed.changes_json(sid, t["cursor"], PAGE)
            at = body.rfind(b'"next_cursor":')
            tail = body[at + 14 :].split(b",")
            t["cursor"] = int(tail[0])
            more = tail[1].endswith(b"true")
            rows += body.count(b'{"seq":') if body.startswith(b'{"changes"') else 0
            if not more:
                return ("rows" if rows else "empty"), rows

    def push(t: dict[str, Any], ingest: Any) -> int:
        items = []
        for _ in range(rng.randint(1, 10)):
            t["seq"] += 1
            items.append(
                {
                    "id": uuid7_str(),
                    "kind": "visit",
                    "member_id": rng.choice(members[t["dev"].store_id]),
                    "staff_id": t["staff"],
                    "created_at": now,
                    "device_seq": t["seq"],
                    "payload": {"text": "walk-in"},
                }
            )
        body = json.dumps({"interactions": items}).encode()
        doc = json.loads(body)
        results = ingest(t["dev"], parse_items(doc["interactions"]), now=now)
        assert all(r.status == "accepted" for r in results), results
        return len(items)

    heads: dict[str, int] = {}
    for t in terms:  # caught up, as bench/hub_load.py starts them
        sid = t["dev"].store_id
        if sid not in heads:
            pull(t, stores[0].feed)
            heads[sid] = t["cursor"]
        t["cursor"] = heads[sid]
    samples: list[tuple[str, float, float, int]] = []  # (kind, hub µs, server µs, rows)
    total = args.warmup + args.requests
    pids = backends()
    for n in range(total):
        t = rng.choice(terms)
        k = rng.randrange(len(stores))
        feed = stores[k].feed
        is_push = rng.random() < PUSH_SHARE
        before = (feed.tails.hits, feed.pages.hits)
        s0 = server_ns(pids)
        c0 = time.thread_time()
        if is_push:
            rows = push(t, ingests[k])
            kind = "push"
        else:
            outcome, rows = pull(t, feed)
            if feed.pages.hits != before[1]:
                path = "page cache"
            elif feed.tails.hits != before[0]:
                path = "tail"
            else:
                path = "database"
            kind = f"pull {outcome}, {path}"
        c1 = time.thread_time()
        after = backends()
        if after != pids:  # a connection opened during the request: its CPU from 0
            pids = after
        s1 = server_ns(pids)
        if n >= args.warmup:
            samples.append((kind, (c1 - c0) * 1e6, (s1 - s0) / 1e3, rows))
    for s in stores:
        s.close()
    kinds: dict[str, Any] = {}
    for kind in sorted({s[0] for s in samples}):
        mine = [s for s in samples if s[0] == kind]
        kinds[kind] = {
            "n": len(mine),
            "hub_us_median": statistics.median(s[1] for s in mine),
            "hub_us_mean": statistics.fmean(s[1] for s in mine),
            "server_us_median": statistics.median(s[2] for s in mine),
            "server_us_mean": statistics.fmean(s[2] for s in mine),
            "rows_mean": statistics.fmean(s[3] for s in mine),
        }
    out = {
        "hub_root": args.hub_root,
        "requests": len(samples),
        "hub_us_per_request": statistics.fmean(s[1] for s in samples),
        "server_us_per_request": statistics.fmean(s[2] for s in samples),
        "kinds": kinds,
        "loadavg": os.getloadavg()[0],
    }
    print(json.dumps(out))


def run_child(python: str, hub_root: str, args: argparse.Namespace, seed: int) -> dict[str, Any]:
    cmd = [
        python,
        str(Path(__file__).resolve()),
        "--child",
        "--state",
        str(args.state),
        "--hub-root",
        hub_root,
        "--requests",
        str(args.requests),
        "--warmup",
        str(args.warmup),
        "--procs",
        str(args.procs),
        "--seed",
        str(seed),
    ]
    env = {**os.environ, "PYTHONPATH": hub_root}
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, cwd=hub_root)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def show(label: str, r: dict[str, Any]) -> None:
    print(
        f"{label:6} {r['hub_root']}: {r['hub_us_per_request']:7.0f} µs hub, "
        f"{r['server_us_per_request']:7.0f} µs server a request (load {r['loadavg']:.1f})"
    )
    for kind, k in r["kinds"].items():
        print(
            f"    {kind:28} n={k['n']:5}  hub {k['hub_us_median']:7.0f} med {k['hub_us_mean']:7.0f}"
            f" mean  server {k['server_us_median']:6.0f} med {k['server_us_mean']:6.0f} mean"
            f"  rows {k['rows_mean']:.1f}"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--stores", type=int, default=100)
    ap.add_argument("--per-store", type=int, default=10)
    ap.add_argument("--members", type=int, default=20_000)
    ap.add_argument("--requests", type=int, default=4000)
    ap.add_argument("--warmup", type=int, default=1000)
    ap.add_argument("--procs", type=int, default=2, help="hub processes stood for (stores)")
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--base", default="", help="a checkout to alternate with (its .venv)")
    ap.add_argument("--label", default="")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--state", default="", help=argparse.SUPPRESS)
    ap.add_argument("--hub-root", default=str(ROOT), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return 0
    args.state = ROOT / "bench" / ".data" / f"pgcpu_requests.{args.stores}x{args.per_store}.json"
    args.state.parent.mkdir(parents=True, exist_ok=True)
    prepare(args.stores, args.members, args.per_store, args.state)
    plan = [("after", str(ROOT), sys.executable)]
    if args.base:
        base = str(Path(args.base).resolve())
        plan = [("before", base, str(Path(base) / ".venv" / "bin" / "python")), *plan]
    runs: list[dict[str, Any]] = []
    for pair in range(args.pairs):
        order = plan if pair % 2 == 0 else plan[::-1]
        for label, root, python in order:
            r = run_child(python, root, args, args.seed + pair)
            r["label"] = label
            r["pair"] = pair
            runs.append(r)
            show(label, r)
    summary: dict[str, Any] = {}
    for label, _root, _python in plan:
        mine = [r for r in runs if r["label"] == label]
        summary[label] = {
            "hub_us_median": statistics.median(r["hub_us_per_request"] for r in mine),
            "server_us_median": statistics.median(r["server_us_per_request"] for r in mine),
        }
        print(
            f"{label}: hub {summary[label]['hub_us_median']:.0f} µs, server "
            f"{summary[label]['server_us_median']:.0f} µs a request (median of {len(mine)} runs)"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"pgcpu_requests-{args.stores}x{args.per_store}{'-' + args.label if args.label else ''}"
    (RESULTS / f"{name}.json").write_text(
        json.dumps(
            {"args": {k: str(v) for k, v in vars(args).items()}, "runs": runs, "summary": summary},
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
