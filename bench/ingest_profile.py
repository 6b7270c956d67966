"""Where a Segment batch's time goes in the hub: the hub in this process under cProfile (one
profile per thread, timed by the thread's own CPU clock), the 8 senders of
``bench/event_ingest.py`` in a child process so their work is not counted.

Prints the hub's CPU per step of the ingest path (inclusive, per event, and as a share of the
hub's CPU) and the functions with the most time of their own; the senders' CPU beside it.

    python bench/ingest_profile.py                 # SQLite
    python bench/ingest_profile.py --pg URL        # PostgreSQL (a fresh database on URL)
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402

from bench.hubproc import free_port, pg_database  # noqa: E402
from demoworld.seed import seed_demo  # noqa: E402
from sync.hub.app import create_app  # noqa: E402
from sync.hub.segment.sources import Sources  # noqa: E402
from sync.hub.store import HubStore  # noqa: E402

# (step, file suffix, function name): inclusive CPU of each, in the order a batch meets them.
STEPS = [
    ("HTTP + ASGI (uvicorn, starlette, middleware), whole request", "base.py", "__call__"),
    ("route: inflate + json.loads + depth check", "routes.py", "parse_body"),
    ("route: write key → source", "intake.py", "source_or_error"),
    ("Intake.take (parse + queue + write)", "intake.py", "take"),
    ("  parse_call (per call)", "calls.py", "parse_call"),
    ("  check_mapped (per call)", "intake.py", "check_mapped"),
    ("  store.write: begin", "db.py", "begin"),
    ("  store.write: commit", "db.py", "commit"),
    ("  _apply (one batch in the transaction)", "intake.py", "_apply"),
    ("    fresh: messageId dedup query", "intake.py", "fresh"),
    ("    prime: identities, members, cart lines, prices", "intake.py", "prime"),
    ("    dispatch (per call)", "intake.py", "dispatch"),
    ("      member_for (identity resolution)", "intake.py", "member_for"),
    ("      viewed", "intake.py", "viewed"),
    ("      cart", "intake.py", "cart"),
    ("    finish (flush + message ids + counts)", "intake.py", "finish"),
    ("      flush (browse rows, cart lines, change rows)", "intake.py", "flush"),
    ("      bulk_insert (COPY / executemany)", "db.py", "bulk_insert"),
    ("      Conn.many (counts, cart updates)", "db.py", "many"),
    ("route: JSONResponse of the result", "responses.py", "render"),
]

_SENDER = """
import json, os, random, sys, time
sys.path.insert(0, {root!r})
from bench.event_ingest import make_batch, run_http
class P: pid = os.getppid()
class H: url, proc = {url!r}, P
members, skus = json.load(open({ids!r}))
rng = random.Random(42)
work = [[make_batch(rng, members, skus, {batch}) for _ in range({per})] for _ in range(8)]
t0 = time.process_time()
elapsed, taken = run_http(H(), {key!r}, work)[:2]
print(json.dumps({{"elapsed": elapsed, "taken": taken, "cpu": time.process_time() - t0}}))
"""


class Profiles:
    """A cProfile per thread (thread CPU time), started by threading.setprofile."""

    def __init__(self, clock: Any = time.thread_time) -> None:
        self.clock = clock
        self.all: list[cProfile.Profile] = []
        self.lock = threading.Lock()

    def hook(self, *_args: Any) -> None:
        prof = cProfile.Profile(self.clock)
        with self.lock:
            self.all.append(prof)
        prof.enable()  # replaces this hook in this thread

    def start_here(self) -> None:
        self.hook()

    def stats(self) -> pstats.Stats:
        for p in self.all:
            p.disable()
        stats = pstats.Stats(self.all[0])
        for p in self.all[1:]:
            try:
                stats.add(p)
            except TypeError:  # a thread that never ran anything
                continue
        return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", help="a PostgreSQL URL (CLERK_TEST_PG_URL); SQLite otherwise")
    parser.add_argument("--events", type=int, default=16_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--wall", action="store_true", help="time by the wall clock (waits count), not thread CPU"
    )
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="ingest-profile-")
    os.environ.setdefault("CLERK_HUB_KEYS_FILE", str(Path(tmp) / "hub.keys"))
    db = (
        pg_database(args.pg, f"omni_profile_{os.getpid()}")
        if args.pg
        else str(Path(tmp) / "hub.db")
    )
    store = HubStore.open(db)
    seed_demo(store, members=args.members, seed=7, events_per_member=4.0, products=500)
    with store.read() as conn:
        members = [
            str(r[0]) for r in conn.rows("SELECT id FROM members WHERE consent_browsing = 1")
        ]
        skus = [str(r[0]) for r in conn.rows("SELECT sku FROM products")]
    key = Sources(store).add("profile")[1]
    ids = Path(tmp) / "ids.json"
    ids.write_text(json.dumps([members, skus]))

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(store), host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
    )
    profiles = Profiles(time.perf_counter if args.wall else time.thread_time)
    threading.setprofile(profiles.hook)
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    while not server.started:
        time.sleep(0.05)
    per = args.events // 8 // args.batch
    code = _SENDER.format(
        root=str(ROOT),
        url=f"http://127.0.0.1:{port}",
        ids=str(ids),
        batch=args.batch,
        per=per,
        key=key,
    )
    wall0, cpu0 = time.perf_counter(), time.process_time()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall, hub_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    sent = json.loads(out.stdout.strip().splitlines()[-1])
    threading.setprofile(None)
    server.should_exit = True
    serving.join(timeout=10)
    stats = profiles.stats()
    store.close()
    n = sent["taken"]
    total_cpu = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    print(
        f"\n{'PostgreSQL' if args.pg else 'SQLite'}: {n} events in {sent['elapsed']:.2f}s "
        f"(under the profiler: {n / sent['elapsed']:,.0f}/s)"
    )
    print(
        f"hub process CPU {hub_cpu:.2f}s (profiled threads {total_cpu:.2f}s), senders' CPU "
        f"{sent['cpu']:.2f}s (child rusage {children.ru_utime + children.ru_stime:.2f}s), "
        f"wall {wall:.2f}s"
    )
    print("\n| step | CPU s | µs/event | share of hub CPU |\n|---|---:|---:|---:|")
    inclusive: dict[tuple[str, str], float] = {}
    for (path, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        k = (Path(path).name, func)
        inclusive[k] = inclusive.get(k, 0.0) + ct
    for label, path, func in STEPS:
        ct = inclusive.get((path, func), 0.0)
        print(f"| {label} | {ct:.2f} | {ct / n * 1e6:.1f} | {ct / total_cpu:.0%} |")
    print(f"\nTop {args.top} by own time:")
    own = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[: args.top]  # type: ignore[attr-defined]
    for (path, line, func), (_cc, nc, tt, ct, _c) in own:
        where = "/".join(Path(path).parts[-2:])
        print(f"  {tt:6.2f}s own {ct:6.2f}s incl {nc:8d} calls  {where}:{line} {func}")
    if args.pg:
        import psycopg

        with psycopg.connect(args.pg, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS omni_profile_{os.getpid()} WITH (FORCE)")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
