"""Behaviour-event ingest: 8 senders post Segment batches to the hub on loopback.

The hub runs as a real ``clerk hub serve`` subprocess (uvicorn; one worker, then
``--workers 2``) on SQLite, then on PostgreSQL when CLERK_TEST_PG_URL is set. 8 sender threads
(each its own httpx client, the source's write key as HTTP Basic user) post batches of 100
calls — Product Viewed (70 %) and Product Added (30 %) of members who consented to browsing —
to ``/segment/v1/batch`` as fast as the hub answers. We report events taken per second (median
of the runs) and, as references in the same run: the same batches through the intake's data
layer (``Intake.take`` called batch after batch from one thread, no HTTP: no two batches ever
share a transaction), and the rows it writes (browse events, cart lines, their change rows, the
message ids) inserted directly with executemany, one transaction per batch — and on PostgreSQL
the same rows with COPY from one connection, and the floor in the issue's shape: COPY from 8
connections side by side, a transaction per batch, change rows numbered at the commit as the
hub numbers them (``floor``) or not numbered (``floor_bare``; :func:`run_floor` says what they
write and leave out). The ratio is taken against the fastest reference. The senders share the
cores with the hub: their own CPU (this process's) is reported beside the hub's (its
processes', from /proc) for each HTTP run, and the floor's client and server CPU for its runs.
Targets (issue 16): ≥ 10,000 events/s on SQLite, ≥ 20,000/s on PostgreSQL.

    python bench/event_ingest.py            # the target sizes
    python bench/event_ingest.py --quick    # a small smoke run
    python bench/event_ingest.py --no-sqlite   # PostgreSQL only (CLERK_TEST_PG_URL)
    python bench/event_ingest.py --no-pg --workers 1   # SQLite, one hub worker only
    python bench/event_ingest.py --no-sqlite --workers 2 --refs floor,floor_bare \
        --hub-root /path/to/other/checkout    # another version's hub (and seed), this one's refs
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402
import psycopg.sql  # noqa: E402

from bench.hubproc import Hub, pg_database  # noqa: E402
from bench.wire import WireClient  # noqa: E402
from demoworld.seed import seed_demo  # noqa: E402
from sync.hub.db import pg_text_array  # noqa: E402
from sync.hub.segment.intake import Intake, _line_id  # noqa: E402
from sync.hub.segment.messages import message_key  # noqa: E402
from sync.hub.segment.sources import Sources  # noqa: E402
from sync.hub.store import HubStore  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "event_ingest.json"
SENDERS = 8
# The references: Intake.take batch after batch; the rows by executemany / COPY from one
# connection; on PostgreSQL the floor — the rows by COPY from SENDERS connections side by side,
# change rows numbered at the commit as the hub does (floor) or not (floor_bare).
REFS = ("layer", "bare", "copy", "floor", "floor_bare")
TARGETS = {"SQLite": 10_000, "PostgreSQL": 20_000}


def make_batch(
    rng: random.Random, members: list[str], skus: list[str], n: int
) -> list[dict[str, Any]]:
    stamp = datetime.now(UTC).isoformat()
    out = []
    for _ in range(n):
        viewed = rng.random() < 0.7
        props: dict[str, Any] = {"sku": rng.choice(skus)}
        if viewed:
            props["channel"] = rng.choice(("app", "web", "mini"))
        else:
            props.update(quantity=1 + int(rng.random() * 3), price=99.0)
        out.append(
            {
                "type": "track",
                "messageId": str(uuid.uuid4()),
                "userId": rng.choice(members),
                "event": "Product Viewed" if viewed else "Product Added",
                "properties": props,
                "timestamp": stamp,
                "context": {"library": {"name": "bench", "version": "1"}},
            }
        )
    return out


def process_cpu(pid: int, *, children: bool = True) -> float:
    """CPU seconds (user + system) of process ``pid`` and its children alive now (/proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir() if children else [Path(f"/proc/{pid}")]:
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if entry.name == str(pid) or fields[1] == str(pid):  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def backends_cpu(db: str) -> float:
    """CPU seconds of the PostgreSQL server processes serving database ``db`` now (the hub's
    connections; the server runs on this machine)."""
    with psycopg.connect(db, autocommit=True) as conn:
        pids = [
            int(r[0])
            for r in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ]
    return sum(process_cpu(pid, children=False) for pid in pids)


def run_http(
    hub: Hub,
    key: str,
    batches: list[list[list[dict[str, Any]]]],
    db: str | None = None,
    client: str = "wire",
) -> tuple[float, int, float, float, float]:
    """Every sender posts its batches; returns (seconds, events taken, the senders' CPU
    seconds, the hub's CPU seconds, the CPU seconds of the PostgreSQL server processes of
    database ``db`` — 0 without one).

    ``client``: ``wire`` — the senders are asyncio tasks on one thread, each with its own
    keep-alive connection (bench/wire.py: the bytes httpx sends, a fraction of its CPU; a
    chain's event router sends from its own machine, so the senders' weight is not the hub's);
    ``httpx`` — a thread per sender, each its own ``httpx.Client`` (the way of the sixth to
    ninth sessions' figures). Both encode each batch's JSON as they send it."""
    taken = [0] * len(batches)
    errors: list[str] = []

    def check(status: int, headers: Any, body: bytes) -> float | None:
        """Seconds to wait before sending the batch again, or None when it is done."""
        if status in (429, 503):
            return float(headers.get("retry-after", "1"))
        if status != 200:
            errors.append(f"{status}: {body[:200]!r}")
        return None

    def thread_sender(i: int, barrier: threading.Barrier) -> None:
        with httpx.Client(base_url=hub.url, auth=(key, ""), timeout=60.0) as http:
            barrier.wait()
            for batch in batches[i]:
                for _attempt in range(20):
                    resp = http.post("/segment/v1/batch", json={"batch": batch})
                    wait = check(resp.status_code, resp.headers, resp.content)
                    if wait is None:
                        break
                    threading.Event().wait(wait)
                if errors:
                    return
                taken[i] += resp.json()["accepted"]

    def wire_senders(barrier: threading.Barrier) -> None:
        auth = {"Authorization": httpx.BasicAuth(key, "")._auth_header}

        async def one(i: int, wire: WireClient) -> None:
            for batch in batches[i]:
                for _attempt in range(20):
                    resp = await wire.post("/segment/v1/batch", json={"batch": batch}, headers=auth)
                    wait = check(resp.status_code, resp.headers, resp.content)
                    if wait is None:
                        break
                    await asyncio.sleep(wait)
                if errors:
                    return
                taken[i] += resp.json()["accepted"]

        async def main() -> None:
            async with contextlib.AsyncExitStack() as stack:
                wires = [
                    await stack.enter_async_context(WireClient(hub.url, timeout=60.0))
                    for _ in batches
                ]
                await asyncio.to_thread(barrier.wait)
                await asyncio.gather(*(one(i, w) for i, w in enumerate(wires)))

        asyncio.run(main())

    if client == "wire":
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=wire_senders, args=(barrier,))]
    else:
        barrier = threading.Barrier(len(batches) + 1)
        threads = [
            threading.Thread(target=thread_sender, args=(i, barrier)) for i in range(len(batches))
        ]
    for t in threads:
        t.start()
    barrier.wait()
    db_cpu = backends_cpu(db) if db else 0.0
    hub_cpu = process_cpu(hub.proc.pid)
    cpu = time.process_time()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    hub_cpu = process_cpu(hub.proc.pid) - hub_cpu
    db_cpu = backends_cpu(db) - db_cpu if db else 0.0
    if errors:
        raise RuntimeError(f"send failed: {errors[0]}")
    return elapsed, sum(taken), cpu, hub_cpu, db_cpu


def run_layer(store: HubStore, batches: list[list[dict[str, Any]]]) -> float:
    intake = Intake(store)
    source = intake.sources.add(f"layer-{uuid.uuid4().hex[:6]}")[0]
    started = time.perf_counter()
    for batch in batches:
        result = intake.take(source, batch)
        assert result.accepted == len(batch) and not result.rejected
    return time.perf_counter() - started


def _rows(
    batch: list[dict[str, Any]], next_id: int, now: int
) -> tuple[
    list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]
]:
    """The rows the intake writes for ``batch``: browse events, cart lines, change rows, ids."""
    browse, cart, changes, seen = [], [], [], []
    for call in batch:
        sku = call["properties"]["sku"]
        if call["event"] == "Product Viewed":
            browse.append((next_id, call["userId"], sku, "app", now))
            changes.append(("S001", "browse", str(next_id), "upsert"))
            next_id += 1
        else:
            key = "bare-" + call["messageId"]
            cart.append((key, call["userId"], sku, 1, 9900, now, "open", now * 1000))
            changes.append(("S001", "cart", key, "upsert"))
        seen.append((message_key("bare", call["messageId"]), now))
    return browse, cart, changes, seen


_CART = ("id", "member_id", "sku", "qty", "price_cents", "added_at", "state", "event_at")


def run_bare(store: HubStore, batches: list[list[dict[str, Any]]], *, copy: bool = False) -> float:
    """The rows the intake writes, inserted with executemany (or, ``copy``, with COPY on
    PostgreSQL — ``Tx.load``): one transaction per batch."""
    with store.read() as conn:
        next_id = int(conn.scalar("SELECT coalesce(max(id), 0) FROM browse_events")) + 1
    now = int(time.time())
    started = time.perf_counter()
    for batch in batches:
        browse, cart, changes, seen = _rows(batch, next_id, now)
        next_id += len(browse)
        with store.write() as tx:
            if copy:
                tx.load("browse_events", ("id", "member_id", "sku", "channel", "at"), browse)
                tx.load("cart_items", _CART, cart)
                tx.load("changes", ("store_id", "entity", "key", "op"), changes)
                tx.load("intake_message_keys", ("key", "received_at"), seen)
                continue
            c = tx.conn
            c.many(
                "INSERT INTO browse_events (id, member_id, sku, channel, at) "
                "VALUES (?, ?, ?, ?, ?)",
                browse,
            )
            c.many(
                f"INSERT INTO cart_items ({', '.join(_CART)}) VALUES ({', '.join('?' * 8)})", cart
            )
            c.many("INSERT INTO changes (store_id, entity, key, op) VALUES (?, ?, ?, ?)", changes)
            c.many("INSERT INTO intake_message_keys (key, received_at) VALUES (?, ?)", seen)
    return time.perf_counter() - started


def run_copy(store: HubStore, batches: list[list[dict[str, Any]]]) -> float:
    return run_bare(store, batches, copy=True)


Rows = list[tuple[Any, ...]]


def _floor_rows(
    batch: list[dict[str, Any]], ids: Iterator[int], now_ms: int, homes: dict[str, str]
) -> tuple[Rows, Rows, list[tuple[str, str, str, str]], list[str]]:
    """What the intake writes for a batch of new calls of consenting members: browse events
    (ids from ``ids``), new open cart lines (the hub's id form), the change row of each for
    the member's store (``homes``), the message ids."""
    now = now_ms // 1000
    browse, cart, changes, seen = [], [], [], []
    for call in batch:
        member, sku = call["userId"], call["properties"]["sku"]
        if call["event"] == "Product Viewed":
            key = next(ids)
            browse.append((key, member, sku, call["properties"]["channel"], now))
            changes.append((homes[member], "browse", str(key), "upsert"))
        else:
            line = _line_id(now_ms, member, sku, call["messageId"])
            qty = call["properties"]["quantity"]
            cart.append((line, member, sku, qty, 9900, now, "open", now_ms))
            changes.append((homes[member], "cart", line, "upsert"))
        seen.append(call["messageId"])
    return browse, cart, changes, seen


def run_floor(
    db: str, source_id: str, work: list[list[list[dict[str, Any]]]], *, numbered: bool
) -> tuple[float, int, float, float]:
    """The floor on PostgreSQL: the rows the intake writes, put in directly in the issue's shape —
    one connection per sender (``work``: a list of batches per sender, run side by side in
    threads), a transaction per batch, every table by COPY into the hub's schema (its
    indexes). ``numbered``: the change rows go with the ``COMMIT`` to
    ``clerk_assign_seqs_given`` as the intake hands them (the chain-wide lock, each key's
    pending rows looked for); otherwise COPYed with seqs this process hands out (no numbering,
    no chain-wide lock). Browse ids come from a range reserved on the hub's sequence; every
    Product Added is a new open line. Left out — what the intake decides: its reads
    (identities, held calls, members, cart lines, prices), keyed locks and the write gate, the
    message ids' de-dup (``INSERT … ON CONFLICT``), the counts, updates of existing lines.
    Returns (seconds, events, this process's CPU seconds, the server processes' CPU seconds of
    these connections)."""
    conns = [psycopg.connect(db, autocommit=True) for _ in work]
    events = sum(len(b) for s in work for b in s)
    base_id = int(conns[0].execute("SELECT nextval('browse_events_id_seq')").fetchone()[0])
    conns[0].execute("SELECT setval('browse_events_id_seq', %s)", (base_id + events + 1,))
    base_seq = int(conns[0].execute("SELECT nextval('changes_seq_seq')").fetchone()[0])
    conns[0].execute("SELECT setval('changes_seq_seq', %s)", (base_seq + events + 1,))
    homes = {
        str(m): str(h)
        for m, h in conns[0].execute(
            "SELECT id, home_store FROM members WHERE home_store IS NOT NULL"
        )
    }
    pids = [c.info.backend_pid for c in conns]
    keyed = conns[0].execute("SELECT to_regclass('intake_message_keys')").fetchone()[0] is not None
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(work) + 1)

    def sender(i: int) -> None:
        conn = conns[i]
        per = sum(len(b) for b in work[i])
        start = sum(len(b) for s in work[:i] for b in s)
        ids = iter(range(base_id + start, base_id + start + per))
        seqs = iter(range(base_seq + start, base_seq + start + per))
        barrier.wait()
        try:
            for batch in work[i]:
                browse, cart, changes, seen = _floor_rows(
                    batch, ids, int(time.time() * 1000), homes
                )
                now = int(time.time())
                with conn.cursor() as cur:
                    cur.execute("BEGIN")
                    if keyed:
                        with cur.copy(
                            "COPY intake_message_keys (key, received_at) FROM STDIN"
                        ) as cp:
                            for m in seen:
                                cp.write_row((message_key(source_id, m).hex(), now))
                    else:  # a hub of before migration 015 (--hub-root): its message ids' table
                        with cur.copy(
                            "COPY intake_messages (source_id, message_id, received_at) FROM STDIN"
                        ) as cp:
                            for m in seen:
                                cp.write_row((source_id, m, now))
                    with cur.copy(
                        "COPY browse_events (id, member_id, sku, channel, at) FROM STDIN"
                    ) as cp:
                        for r in browse:
                            cp.write_row(r)
                    with cur.copy(f"COPY cart_items ({', '.join(_CART)}) FROM STDIN") as cp:
                        for r in cart:
                            cp.write_row(r)
                    if numbered:
                        given = ", ".join(
                            psycopg.sql.Literal(pg_text_array([r[k] for r in changes])).as_string(
                                conn
                            )
                            for k in range(4)
                        )
                        cur.execute(f"SELECT clerk_assign_seqs_given({given}); COMMIT")
                    else:
                        with cur.copy(
                            "COPY changes (seq, store_id, entity, key, op) FROM STDIN"
                        ) as cp:
                            for r in changes:
                                cp.write_row((next(seqs), *r))
                        cur.execute("COMMIT")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(len(work))]
    for t in threads:
        t.start()
    server = sum(process_cpu(p, children=False) for p in pids)
    cpu = time.process_time()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    server = sum(process_cpu(p, children=False) for p in pids) - server
    for c in conns:
        c.close()
    if errors:
        raise RuntimeError(f"floor run failed: {errors[0]!r}") from errors[0]
    return elapsed, events, cpu, server


def seed_world(store: HubStore, members: int) -> tuple[list[str], list[str]]:
    """Seed the benches' demo world (``members``, 4 events each, 500 products); returns the
    members with browsing consent (the events' users) and the catalogue's skus."""
    seed_demo(store, members=members, seed=7, events_per_member=4.0, products=500)
    with store.read() as conn:
        consenting = [
            str(r[0]) for r in conn.rows("SELECT id FROM members WHERE consent_browsing = 1")
        ]
        skus = [str(r[0]) for r in conn.rows("SELECT sku FROM products")]
    return consenting, skus


# Seeding by the served checkout's own code (--hub-root): its schema, which this checkout's may
# have moved past (the references then migrate the database after the HTTP runs).
_SEED = """
import json, sys
from bench.event_ingest import seed_world
from sync.hub.segment.sources import Sources
from sync.hub.store import HubStore
store = HubStore.open(sys.argv[1])
members, skus = seed_world(store, int(sys.argv[2]))
source, key = Sources(store).add("bench")
store.close()
print(json.dumps([members, skus, source.id, key]))
"""


def seed(db: str, members: int, root: Path) -> tuple[list[str], list[str], str, str]:
    """Seed the benches' world into ``db`` and add the bench's source, by the code of checkout
    ``root`` (its .venv's Python): (consenting members, skus, the source's id, its write key)."""
    if root == ROOT:
        store = HubStore.open(db)
        try:
            found, skus = seed_world(store, members)
            source, key = Sources(store).add("bench")
        finally:
            store.close()
        return found, skus, source.id, key
    python = root / ".venv" / "bin" / "python"
    out = subprocess.run(
        [str(python) if python.exists() else sys.executable, "-c", _SEED, db, str(members)],
        env={**os.environ, "PYTHONPATH": str(root)},
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    found, skus, source_id, key = json.loads(out.stdout.strip().splitlines()[-1])
    return found, skus, source_id, key


def bench_backend(label: str, db: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"[{label}] seeding {args.members} members …", file=sys.stderr)
    members, skus, source_id, key = seed(db, args.members, args.hub_root)
    rng = random.Random(42)
    per_sender = args.events // SENDERS // args.batch

    def batches() -> list[list[list[dict[str, Any]]]]:
        return [
            [make_batch(rng, members, skus, args.batch) for _ in range(per_sender)]
            for _ in range(SENDERS)
        ]

    out: dict[str, Any] = {}
    for workers in args.workers:
        hub = Hub(db, workers, root=args.hub_root)
        rates, shares, hub_us, db_us = [], [], [], []
        try:
            for run in range(args.runs):
                work = batches()
                total = sum(len(b) for s in work for b in s)
                elapsed, taken, cpu, hub_cpu, db_cpu = run_http(
                    hub, key, work, db if label == "PostgreSQL" else None, args.client
                )
                if taken != total:
                    raise RuntimeError(f"taken {taken} of {total}")
                rates.append(total / elapsed)
                used = cpu + hub_cpu + db_cpu
                shares.append(cpu / used if used else 0.0)
                hub_us.append(hub_cpu / total * 1e6)
                db_us.append(db_cpu / total * 1e6)
                print(
                    f"[{label}] workers {workers} run {run + 1}: {total} in {elapsed:.2f}s "
                    f"= {total / elapsed:,.0f}/s; CPU: senders {cpu:.2f}s, hub {hub_cpu:.2f}s "
                    f"({hub_cpu / total * 1e6:.0f} µs/event), database server {db_cpu:.2f}s",
                    file=sys.stderr,
                )
        finally:
            hub.stop()
        out[f"http_w{workers}"] = statistics.median(rates)
        out[f"http_w{workers}_runs"] = rates
        out[f"senders_cpu_share_w{workers}"] = statistics.median(shares)
        out[f"hub_cpu_us_w{workers}"] = statistics.median(hub_us)
        out[f"db_cpu_us_w{workers}"] = statistics.median(db_us)
    if label == "PostgreSQL":
        for name, numbered in (("floor", True), ("floor_bare", False)):
            if name not in args.refs:
                continue
            rates, client_us, server_us = [], [], []
            for run in range(args.runs):
                elapsed, total, cpu, server = run_floor(db, source_id, batches(), numbered=numbered)
                rates.append(total / elapsed)
                client_us.append(cpu / total * 1e6)
                server_us.append(server / total * 1e6)
                print(
                    f"[{label}] {name} run {run + 1}: {total} in {elapsed:.2f}s = "
                    f"{total / elapsed:,.0f}/s; CPU: client {cpu:.2f}s "
                    f"({cpu / total * 1e6:.0f} µs/event), database server {server:.2f}s "
                    f"({server / total * 1e6:.0f} µs/event)",
                    file=sys.stderr,
                )
            out[name] = statistics.median(rates)
            out[f"{name}_runs"] = rates
            out[f"{name}_client_cpu_us"] = statistics.median(client_us)
            out[f"{name}_db_cpu_us"] = statistics.median(server_us)
    store = HubStore.open(db)
    try:
        refs = [("layer", run_layer), ("bare", run_bare)]
        if label == "PostgreSQL":
            refs.append(("copy", run_copy))
        for name, fn in refs:
            if name not in args.refs:
                continue
            rates = []
            for _run in range(args.runs):
                flat = [b for s in batches() for b in s]
                n = sum(len(b) for b in flat)
                rates.append(n / fn(store, flat))
            out[name] = statistics.median(rates)
            out[f"{name}_runs"] = rates
            print(f"[{label}] {name}: {out[name]:,.0f}/s", file=sys.stderr)
    finally:
        store.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--batch", type=int, default=100, help="calls per batch")
    parser.add_argument("--events", type=int, default=48_000, help="per run, all senders")
    parser.add_argument("--members", type=int, default=5_000, help="members seeded in the hub")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--refs",
        type=lambda text: set(text.split(",")) if text else set(),
        default=set(REFS),
        help="the references to run, of " + ",".join(REFS) + " (all by default; '' none)",
    )
    parser.add_argument(
        "--hub-root",
        type=lambda text: Path(text).resolve(),
        default=ROOT,
        help="the checkout whose hub is served over HTTP (its .venv's Python), the database "
        "seeded by its code (its schema); the references run this checkout's code",
    )
    parser.add_argument(
        "--out", type=Path, help=f"the results file (default {RESULTS.relative_to(ROOT)})"
    )
    parser.add_argument(
        "--client",
        choices=("wire", "httpx"),
        default="wire",
        help="the senders' HTTP client: bench/wire.py (lean, default) or httpx, a thread each",
    )
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--workers",
        type=lambda text: [int(w) for w in text.split(",")],
        default=[1, 2],
        help="the hub's worker counts to run, e.g. 1 or 1,2 (the default)",
    )
    args = parser.parse_args()
    if args.quick:
        args.events, args.members, args.runs = 8_000, 500, 1

    load_start = os.getloadavg()
    rows: list[list[Any]] = []
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="event-bench-") as tmp:
        backends: list[tuple[str, str]] = (
            [] if args.no_sqlite else [("SQLite", str(Path(tmp) / "hub.db"))]
        )
        pg = None if args.no_pg else os.environ.get("CLERK_TEST_PG_URL")
        if pg:
            backends.append(("PostgreSQL", pg_database(pg, f"omni_events_{os.getpid()}")))
        for label, db in backends:
            if label == "PostgreSQL":
                os.environ["CLERK_HUB_KEYS_FILE"] = str(Path(tmp) / "pg-hub.keys")
            r = bench_backend(label, db, args)
            results[label] = r
            note = (
                f"{SENDERS} senders ({args.client}), batches of {args.batch}, median of {args.runs}"
            )
            for workers in args.workers:
                rows.append(
                    [
                        f"{label}: events over HTTP, "
                        + ("1 worker" if workers == 1 else f"--workers {workers}"),
                        round(r[f"http_w{workers}"]),
                        "events/s",
                        note,
                    ]
                )
            described = {
                "layer": ("same batches through Intake.take", "reference: no HTTP, one writer"),
                "bare": (
                    "the rows it writes, executemany",
                    "reference: bare inserts, a transaction per batch",
                ),
                "copy": ("the rows it writes, COPY", "reference: COPY, a transaction per batch"),
                "floor": (
                    f"the rows it writes, COPY from {SENDERS} connections, numbered at commit",
                    "reference (the floor): a transaction per batch, side by side",
                ),
                "floor_bare": (
                    f"the rows it writes, COPY from {SENDERS} connections, change rows not "
                    "numbered",
                    "reference: as the floor, change rows COPYed with seqs given out here",
                ),
            }
            for name, (what, note) in described.items():
                if name in r:
                    rows.append([f"{label}: {what}", round(r[name]), "events/s", note])
                if f"{name}_db_cpu_us" in r:
                    client, server = r[f"{name}_client_cpu_us"], r[f"{name}_db_cpu_us"]
                    rows.append(
                        [
                            f"{label}: CPU per event, {name}",
                            round(client + server),
                            "µs",
                            f"client {client:.0f} + database server {server:.0f}",
                        ]
                    )
            present = [n for n in ("bare", "copy", "floor", "floor_bare") if n in r]
            if present:
                fastest = max(present, key=lambda n: r[n])
                best = max(r[f"http_w{w}"] for w in args.workers)
                rows.append(
                    [
                        f"{label}: best HTTP / fastest reference",
                        round(best / r[fastest], 2),
                        "ratio",
                        f"reference: {fastest}",
                    ]
                )
            for workers in args.workers:
                rows.append(
                    [
                        f"{label}: senders' share of the CPU used, {workers} worker(s)",
                        round(100 * r[f"senders_cpu_share_w{workers}"]),
                        "%",
                        "senders' CPU / all CPU of the run (senders, hub"
                        + (", database server)" if label == "PostgreSQL" else ")")
                        + ", median",
                    ]
                )
                cpu_us = r[f"hub_cpu_us_w{workers}"] + r[f"db_cpu_us_w{workers}"]
                rows.append(
                    [
                        f"{label}: CPU per event, {workers} worker(s)",
                        round(cpu_us),
                        "µs",
                        f"hub {r[f'hub_cpu_us_w{workers}']:.0f}"
                        + (
                            f" + database server {r[f'db_cpu_us_w{workers}']:.0f}"
                            if label == "PostgreSQL"
                            else ""
                        )
                        + f"; one core's worth: {1e6 / cpu_us:,.0f} events/s",
                    ]
                )
        if pg:
            with psycopg.connect(pg, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS omni_events_{os.getpid()} WITH (FORCE)")

    print("| measure | value | unit | note |")
    print("| --- | ---: | --- | --- |")
    for label, value, unit, note in rows:
        print(f"| {label} | {value:,} | {unit} | {note} |")
    for label, target in TARGETS.items():
        if label in results:
            best = max(results[label][f"http_w{w}"] for w in args.workers)
            verdict = "meets" if best >= target else "misses"
            print(f"\nTarget ≥ {target:,}/s on {label}: {verdict} ({best:,.0f}/s).")
    print(f"\nLoad average: {load_start} at the start, {os.getloadavg()} at the end.")
    out = args.out or (RESULTS.with_name("event_ingest-quick.json") if args.quick else RESULTS)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "name": "event_ingest",
                "rows": rows,
                "reference": "the same batches through the intake's data layer (no HTTP), and "
                "the rows it writes inserted with executemany (and COPY on PostgreSQL), in the "
                "same run",
                "client": args.client,
                "load_average": {"start": load_start, "end": os.getloadavg()},
                "target": {f"{k} events/s": v for k, v in TARGETS.items()},
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
