"""Where a Segment batch's time goes in the hub: the hub in this process under cProfile (one
profile per thread, timed by the thread's own CPU clock), the 8 senders of
``bench/event_ingest.py`` in a child process so their work is not counted.

Prints the hub's CPU per step of the ingest path (inclusive, per event, and as a share of the
hub's CPU) and the functions with the most time of their own; the senders' CPU beside it.

cProfile's own cost per Python call (several µs) inflates the steps made of many small calls
(per-call validation) against those spent in C (JSON, the driver, the database): its µs are
those of a hub 8× slower than the real one. ``--py-spy PATH`` samples the hub instead (py-spy,
``pip install py-spy``; the hub runs at full speed, 500 samples/s of its busy threads) and
prints the µs per event of each part of the path, its share of the samples applied to the hub's
measured CPU — and on PostgreSQL the database server's CPU per event beside it.

    python bench/ingest_profile.py                 # SQLite
    python bench/ingest_profile.py --pg URL        # PostgreSQL (a fresh database on URL)
    python bench/ingest_profile.py --py-spy .venv/bin/py-spy [--pg URL]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import resource
import shutil
import signal
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

from bench.event_ingest import backends_cpu  # noqa: E402
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


# The parts of the path the sampled profile (--py-spy) splits the hub's CPU into: (part, the
# frames — "function (file" — a sample must hold, one of each group). A sample is counted in the
# first part it matches, from the innermost: a COPY under flush is "SQL: …", not "row building".
_INTAKE, _ROUTES, _CALLS, _DB = (
    "sync/hub/segment/intake.py",
    "sync/hub/segment/routes.py",
    "sync/hub/segment/calls.py",
    "sync/hub/db.py",
)


def _frame(func: str, file: str) -> str:
    return f";{func} ({file}:"


PARTS: list[tuple[str, tuple[tuple[str, ...], ...]]] = [
    ("commit (numbering the change rows, COMMIT)", ((_frame("Conn.commit", _DB),),)),
    ("begin (BEGIN, the shared write gate)", ((_frame("Conn.begin", _DB),),)),
    (
        "SQL: browse events (COPY / executemany)",
        ((_frame("Conn.bulk_insert", _DB),), ("#browse_events",)),
    ),
    (
        "SQL: change rows (COPY / executemany)",
        ((_frame("Conn.bulk_insert", _DB),), ("#changes",)),
    ),
    (
        "SQL: message ids (COPY / executemany)",
        ((_frame("Conn.bulk_insert", _DB),), ("#intake_message_keys",)),
    ),
    (
        "SQL: cart lines (COPY, UPDATE, their older change rows)",
        (
            (
                _frame("Conn.bulk_insert", _DB),
                _frame("Conn.many", _DB),
                _frame("_delete_in", _INTAKE),
            ),
            ("#cart_items", _frame("_Run.flush", _INTAKE)),
        ),
    ),
    (
        "SQL: counts (upsert)",
        ((_frame("_Run.finish", _INTAKE),), (_frame("Conn.many", _DB),)),
    ),
    ("de-dup probe (messageId query)", ((_frame("_Run.fresh", _INTAKE),),)),
    ("keyed locks (messageIds, identities)", ((_frame("_Run.lock", _INTAKE),),)),
    (
        "identity: prime (identities, members, cart lines, prices)",
        ((_frame("_Run.prime", _INTAKE),),),
    ),
    ("identity: member_for (per call)", ((_frame("_Run.member_for", _INTAKE),),)),
    (
        "row building (dispatch, effects, flush, counts)",
        ((_frame("Intake._apply", _INTAKE),),),
    ),
    ("per-call validation (parse_call)", ((_frame("parse_call", _CALLS),),)),
    ("per-call validation (check_mapped)", ((_frame("check_mapped", _INTAKE),),)),
    ("group commit, run_write (the rest)", ((_frame("Intake._submit", _INTAKE),),)),
    ("JSON parse + depth check (parse_body)", ((_frame("parse_body", _ROUTES),),)),
    ("write key → source", ((_frame("source_or_error", _INTAKE),),)),
    ("route: the rest of take()", ((_frame("add_segment_routes.<locals>.take", _ROUTES),),)),
    ("HTTP: uvicorn, starlette, FastAPI, response", ((),)),
]


def _table_of(stack: str) -> str:
    """The table a sample's bulk insert writes (the caller's line of source names it)."""
    for frame in reversed(stack.split(";")):
        m = re.search(r"\((\S+\.py):(\d+)\)$", frame)
        if not m or "segment/intake.py" not in m.group(1) or frame.startswith("load "):
            continue
        path, line = Path(m.group(1)), int(m.group(2))
        lines = _source_lines(str(path))
        text = " ".join(lines[line - 1 : line + 1]) if 0 < line <= len(lines) else ""
        for table in ("browse_events", "intake_message_keys", "cart_items", "changes"):
            if table in text:
                return "#" + table
        return ""
    return ""


_SOURCES: dict[str, list[str]] = {}


def _source_lines(path: str) -> list[str]:
    if path not in _SOURCES:
        full = Path(path) if Path(path).is_absolute() else ROOT / path
        try:
            _SOURCES[path] = full.read_text(encoding="utf-8").splitlines()
        except OSError:
            _SOURCES[path] = []
    return _SOURCES[path]


# Leaf frames of a thread waiting, not running: py-spy's --nonblocking samples count them busy.
# (psycopg's Connection.wait also holds the driver's C work of reading an answer: a little.)
WAITS = ("EpollSelector.select (", "Condition.wait (", "Connection.wait (", "Queue.get (")


def sampled_parts(raw: Path) -> tuple[dict[str, int], int]:
    """Samples per part (:data:`PARTS`) of a py-spy raw file (``stack count`` lines), and all
    (samples of waiting threads left out)."""
    counts = {label: 0 for label, _ in PARTS}
    total = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit() or stack.rpartition(";")[2].startswith(WAITS):
            continue
        total += int(n)
        marked = ";" + stack + ";" + _table_of(stack)
        for label, groups in PARTS:
            if all(any(f in marked for f in group) if group else True for group in groups):
                counts[label] += int(n)
                break
    return counts, total


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
    parser.add_argument(
        "--py-spy", dest="pyspy", help="sample the hub with this py-spy (no cProfile)"
    )
    parser.add_argument("--raw", help="--py-spy: keep its samples (stack count lines) here")
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
    if not args.pyspy:
        threading.setprofile(profiles.hook)
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    while not server.started:
        time.sleep(0.05)
    sampler = None
    raw = Path(tmp) / "pyspy.txt"
    if args.pyspy:
        sampler = subprocess.Popen(
            [
                args.pyspy,
                "record",
                "--pid",
                str(os.getpid()),
                "--rate",
                "500",
                "--format",
                "raw",
                "--nonblocking",
                "--output",
                str(raw),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.0)  # attached
    per = args.events // 8 // args.batch
    code = _SENDER.format(
        root=str(ROOT),
        url=f"http://127.0.0.1:{port}",
        ids=str(ids),
        batch=args.batch,
        per=per,
        key=key,
    )
    db_cpu0 = backends_cpu(db) if args.pg else 0.0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall, hub_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    db_cpu = backends_cpu(db) - db_cpu0 if args.pg else 0.0
    if sampler is not None:
        sampler.send_signal(signal.SIGINT)
        sampler.wait(timeout=60)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    sent = json.loads(out.stdout.strip().splitlines()[-1])
    threading.setprofile(None)
    server.should_exit = True
    serving.join(timeout=10)
    store.close()
    n = sent["taken"]
    if args.pyspy:
        report_sampled(args, raw, n, sent, hub_cpu, db_cpu, wall)
        drop_database(args, db, tmp)
        return 0
    stats = profiles.stats()
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
    drop_database(args, db, tmp)
    return 0


def report_sampled(
    args: argparse.Namespace,
    raw: Path,
    n: int,
    sent: dict[str, Any],
    hub_cpu: float,
    db_cpu: float,
    wall: float,
) -> None:
    counts, total = sampled_parts(raw)
    name = "PostgreSQL" if args.pg else "SQLite"
    print(
        f"\n{name}: {n} events in {sent['elapsed']:.2f}s ({n / sent['elapsed']:,.0f}/s, "
        f"sampled by py-spy: {total} samples of busy hub threads)"
    )
    db_note = (
        f", database server {db_cpu:.2f}s ({db_cpu / n * 1e6:.1f} µs/event)" if args.pg else ""
    )
    print(
        f"hub process CPU {hub_cpu:.2f}s ({hub_cpu / n * 1e6:.1f} µs/event){db_note}, "
        f"senders' CPU {sent['cpu']:.2f}s, wall {wall:.2f}s"
    )
    print("\n| part of the path | µs/event | share of hub CPU |\n|---|---:|---:|")
    for label, _groups in PARTS:
        share = counts[label] / total if total else 0.0
        print(f"| {label} | {share * hub_cpu / n * 1e6:.1f} | {share:.0%} |")
    print(f"| **hub, all** | **{hub_cpu / n * 1e6:.1f}** | 100% |")
    if args.pg:
        print(f"| database server (its processes of this database) | {db_cpu / n * 1e6:.1f} | |")


def drop_database(args: argparse.Namespace, db: str, tmp: str) -> None:
    if getattr(args, "raw", None) and (Path(tmp) / "pyspy.txt").exists():
        shutil.copy(Path(tmp) / "pyspy.txt", args.raw)
    if args.pg:
        import psycopg

        with psycopg.connect(args.pg, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS omni_profile_{os.getpid()} WITH (FORCE)")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
