"""The Segment intake's CPU per event, step by step, run after run as the database grows.

In this process, no HTTP: ``bench/event_ingest.py``'s batches (8 senders' worth, batches of
100) go through the intake's group commit as the hub writes them under load — 8 batches a
transaction (``GroupCommit.write_group``). Each step is timed by this thread's CPU clock
(the database's own work included: SQLite runs in this thread), and the bytes this process
wrote (``/proc/self/io``: the WAL and its checkpoints on SQLite) are counted per event, for
each run of ``--events`` — so what grows with the database shows. On PostgreSQL (``--pg``) the
server's CPU per event is printed beside it.

    python bench/intake_phases.py                  # SQLite, 4 runs of 48,000 events
    python bench/intake_phases.py --pg URL         # PostgreSQL (a fresh database on URL)
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.event_ingest import SENDERS, backends_cpu, make_batch, seed_world  # noqa: E402
from bench.hubproc import pg_database  # noqa: E402
from sync.hub import db as hub_db  # noqa: E402
from sync.hub.segment import intake as hub_intake  # noqa: E402
from sync.hub.segment.calls import parse_call  # noqa: E402
from sync.hub.store import HubStore  # noqa: E402

CPU: dict[str, float] = defaultdict(float)
# (class, method, step): timed inclusively, the time of each call of the method.
STEPS = [
    (hub_intake._Run, "fresh", "message ids (recorded, the new ones returned)"),
    (hub_intake._Run, "prime", "identities, members, cart lines, prices (read)"),
    (hub_intake._Run, "finish", "rows written (browse, cart, change rows), counts"),
    (hub_db.Conn, "commit", "COMMIT (SQLite: the WAL, its fsync, checkpoints)"),
]
PARSE = "parse_call + check_mapped (per call)"
REST = "the rest: BEGIN, identity per call, row building"


def _timed(fn: Callable[..., Any], step: str) -> Callable[..., Any]:
    @functools.wraps(fn)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            CPU[step] += time.thread_time() - started

    return timed


def _written() -> int:
    fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(fields["wchar"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", help="a PostgreSQL URL (CLERK_TEST_PG_URL); SQLite otherwise")
    parser.add_argument("--events", type=int, default=48_000, help="per run")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--members", type=int, default=5_000)
    args = parser.parse_args()
    for cls, name, step in STEPS:
        setattr(cls, name, _timed(getattr(cls, name), step))
    name = f"omni_phases_{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="intake-phases-") as tmp:
        os.environ.setdefault("CLERK_HUB_KEYS_FILE", str(Path(tmp) / "hub.keys"))
        db = pg_database(args.pg, name) if args.pg else str(Path(tmp) / "hub.db")
        store = HubStore.open(db)
        try:
            members, skus = seed_world(store, args.members)
            intake = hub_intake.Intake(store)
            source = intake.sources.add("phases")[0]
            rng = random.Random(42)
            print(f"load average {os.getloadavg()}")
            for run in range(args.runs):
                groups = [
                    [make_batch(rng, members, skus, 100) for _ in range(SENDERS)]
                    for _ in range(args.events // (100 * SENDERS))
                ]
                CPU.clear()
                server = backends_cpu(db) if args.pg else 0.0
                written, cpu, started = _written(), time.thread_time(), time.perf_counter()
                for group in groups:
                    now = int(time.time() * 1000)
                    jobs = []
                    parsing = time.thread_time()
                    for batch in group:
                        calls = [parse_call(c, received_ms=now, check_text=False) for c in batch]
                        for call in calls:
                            hub_intake.check_mapped(call)
                        jobs.append(hub_intake._Job(source, calls, [], now))
                    writing = time.thread_time()
                    CPU[PARSE] += writing - parsing
                    for result in intake.committer.write_group(jobs):
                        assert isinstance(result, hub_intake.TakeResult), result
                    CPU[REST] += time.thread_time() - writing
                elapsed = time.perf_counter() - started
                cpu = time.thread_time() - cpu
                written = _written() - written
                server = backends_cpu(db) - server if args.pg else 0.0
                n = len(groups) * 100 * SENDERS
                print(
                    f"run {run + 1}: {n / elapsed:,.0f} events/s (one writer), "
                    f"CPU {cpu / n * 1e6:.1f} µs/event (this thread)"
                    + (f" + database server {server / n * 1e6:.1f}" if args.pg else "")
                    + f", {written / n:,.0f} bytes written/event"
                )
                CPU[REST] -= sum(CPU[step] for _cls, _name, step in STEPS)
                for step in [PARSE, *(step for _cls, _name, step in STEPS), REST]:
                    print(f"    {step:55s} {CPU[step] / n * 1e6:6.1f} µs/event")
        finally:
            store.close()
    if args.pg:
        with psycopg.connect(args.pg, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
