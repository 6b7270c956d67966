"""Where the database server's CPU goes for a Segment batch on PostgreSQL, statement by statement.

Batches of 100 calls of ``bench/event_ingest.py``'s mix go through ``Intake.take`` (one writer,
no HTTP, a transaction per batch) on a fresh database of CLERK_TEST_PG_URL's server. Every
statement the driver sends is timed, and the CPU its server process spent on it is read from
that process's ``/proc/<pid>/schedstat`` before and after (the server runs on this machine;
``pg_stat_statements`` needs a server restart to load). The numbering at commit is split from
its ``COMMIT``. Prints per statement kind: calls, wall ms and server CPU ms per batch; and the
CPU per event of this process and of the server.

    python bench/ingest_statements.py [--batches 300] [--changes-pending]

``--changes-pending``: change rows written pending and numbered at commit, as before
``Conn.changes_at_commit`` (the before of an A/B in the same period).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.event_ingest import backends_cpu, make_batch, seed_world  # noqa: E402
from bench.hubproc import pg_database  # noqa: E402
from sync.hub import db as hub_db  # noqa: E402
from sync.hub.segment.intake import Intake  # noqa: E402
from sync.hub.store import HubStore  # noqa: E402

NUMBERING = "SELECT clerk_assign_seqs(); COMMIT"


class Statements:
    """Per statement kind: [calls, wall seconds, server CPU seconds]."""

    def __init__(self) -> None:
        self.stats: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])

    @staticmethod
    def server_cpu(conn: psycopg.Connection[Any]) -> float:
        try:
            with open(f"/proc/{conn.info.backend_pid}/schedstat") as f:
                return int(f.read().split()[0]) / 1e9
        except OSError:
            return 0.0

    @contextlib.contextmanager
    def timed(self, conn: psycopg.Connection[Any], label: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), self.server_cpu(conn)
        try:
            yield
        finally:
            kind = re.sub(r"\d+", "N", " ".join(label.split()))[:72]
            st = self.stats[kind]
            st[0] += 1
            st[1] += time.perf_counter() - wall
            st[2] += self.server_cpu(conn) - cpu

    def install(self) -> None:
        execute, executemany, copy = (
            psycopg.Connection.execute,
            psycopg.Cursor.executemany,
            psycopg.Cursor.copy,
        )

        def timed_execute(conn: Any, query: Any, params: Any = None, **kw: Any) -> Any:
            if query == NUMBERING:  # the numbering apart from its COMMIT
                cur = timed_execute(conn, "SELECT clerk_assign_seqs()")
                timed_execute(conn, "COMMIT")
                return cur
            with self.timed(conn, str(query)):
                return execute(conn, query, params, **kw)

        def timed_many(cur: Any, query: Any, params: Any, **kw: Any) -> Any:
            with self.timed(cur.connection, "many: " + str(query)):
                return executemany(cur, query, params, **kw)

        @contextlib.contextmanager
        def timed_copy(cur: Any, statement: Any, *a: Any, **kw: Any) -> Iterator[Any]:
            with self.timed(cur.connection, str(statement)), copy(cur, statement, *a, **kw) as cp:
                yield cp

        psycopg.Connection.execute = timed_execute  # type: ignore[method-assign]
        psycopg.Cursor.executemany = timed_many  # type: ignore[method-assign]
        psycopg.Cursor.copy = timed_copy  # type: ignore[method-assign,assignment]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=300, help="measured, after 10 to warm")
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--changes-pending", action="store_true", help="the before of an A/B")
    args = parser.parse_args()
    pg = os.environ.get("CLERK_TEST_PG_URL")
    if not pg:
        print("CLERK_TEST_PG_URL is not set (scripts/postgres.sh start)", file=sys.stderr)
        return 2
    if args.changes_pending:
        hub_db.Conn.changes_at_commit = (  # type: ignore[method-assign]
            lambda self, rows: False
        )
    name = f"omni_statements_{os.getpid()}"
    url = pg_database(pg, name)
    with tempfile.TemporaryDirectory(prefix="ingest-statements-") as tmp:
        os.environ["CLERK_HUB_KEYS_FILE"] = str(Path(tmp) / "hub.keys")
        store = HubStore.open(url)
        try:
            members, skus = seed_world(store, args.members)
            rng = random.Random(1)
            batches = [make_batch(rng, members, skus, 100) for _ in range(args.batches + 10)]
            intake = Intake(store)
            source = intake.sources.add("statements")[0]
            for batch in batches[:10]:
                intake.take(source, batch)
            server = backends_cpu(url)
            statements = Statements()
            statements.install()
            cpu, started = time.process_time(), time.perf_counter()
            for batch in batches[10:]:
                intake.take(source, batch)
            elapsed = time.perf_counter() - started
            measured = {kind: list(st) for kind, st in statements.stats.items()}
            cpu, server = time.process_time() - cpu, backends_cpu(url) - server
        finally:
            store.close()
    with psycopg.connect(pg, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    n = args.batches
    events = n * 100
    print(f"{events} events in {elapsed:.2f}s = {events / elapsed:,.0f}/s, load {os.getloadavg()}")
    print(
        f"CPU per event: this process {cpu / events * 1e6:.1f} µs (timing included), "
        f"database server {server / events * 1e6:.1f} µs"
    )
    print("| statement | calls/batch | wall ms/batch | server CPU ms/batch |")
    print("| --- | ---: | ---: | ---: |")
    total = 0.0
    for kind, (calls, wall, used) in sorted(measured.items(), key=lambda kv: -kv[1][2]):
        total += used
        print(f"| {kind} | {calls / n:.2f} | {wall / n * 1000:.3f} | {used / n * 1000:.3f} |")
    print(f"| all statements | | | {total / n * 1000:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
