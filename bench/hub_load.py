"""A chain's terminals against one hub (issue 20): throughput, latency, shedding, integrity.

N simulated terminals (bench/loadgen.py: asyncio + httpx, split over ``--gen-procs``
processes, on the same cores as the hub) each push 1–10 visits every 1–5 s and pull their
store's changes every 2–6 s (pages until caught up), against ``clerk hub serve --workers 2`` on
SQLite or PostgreSQL (the fleet enrolled through it; ``--restart-first`` starts it again before
the load, as a hub that read its devices at its start). A push that
fails (503, 429, a timeout, a refused connection) is retried — same ids, jittered backoff,
Retry-After honoured — as the terminal's outbox does. Half way
through the hub is stopped and started again. Reported per run: requests/s answered, pull and
push p99 (200s) at the terminal and at the hub (its access log), the 503s and how fast they came
back, the generator's own share (its CPU per process, its event loop's lag, actions due against
requests sent, each request's phases), then the integrity check after a drain: every id pushed
is at the hub exactly once (lost / doubled), and the sampled terminals' feeds hold every visit
the hub has for their store's members. Only the sampled terminals decode the rows they pull
(the others read a page's cursor and ``has_more``): see bench/loadgen.py.

    python bench/hub_load.py                 # the short run (make bench): 3 stores × 50, SQLite
    python bench/hub_load.py --long          # the issue's matrix (both backends, both shapes)
    python bench/hub_load.py --quick         # a smoke run
    python bench/hub_load.py --runs sqlite:3x167,postgres:100x10 --duration 60
    python bench/hub_load.py --hub-root /path/to/other/checkout   # serve another version

PostgreSQL comes from CLERK_BENCH_PG_URL (else CLERK_TEST_PG_URL): a database per run is made
there. The test cluster (scripts/postgres.sh) runs with fsync off; for production commit settings
point CLERK_BENCH_PG_URL at a cluster with fsync, synchronous_commit and full_page_writes on:
``CLERK_BENCH_PG_URL=$(PG_DURABLE=1 scripts/postgres.sh start)`` starts one of its own (port
55494; ``PG_DURABLE=1 scripts/postgres.sh stop`` when done). On PostgreSQL the chain-wide lock is
reported two ways: its hold per write (from the grant to the ``COMMIT`` answered) and the sessions
waiting for it (``pg_locks`` sampled every 10 ms) — the second says whether writes queue on it.
The seeded databases are kept under bench/.data/ and reused.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from bench.event_ingest import process_cpu  # noqa: E402
from bench.loadgen import (  # noqa: E402
    CLIENTS,
    DRAWS,
    TIMEOUT_S,
    Generated,
    Stats,
    Terminal,
    auto_procs,
    breakdown,
    generate,
    generator_rows,
    pct,
    pull,
    use_client,
    use_draw,
)
from demoworld.seed import seed_demo  # noqa: E402
from sync.hub.db import ADVISORY_LOCK_ID  # noqa: E402
from sync.hub.store import HubStore  # noqa: E402

DATA = ROOT / "bench" / ".data"
RESULTS = ROOT / "bench" / "results"
MEMBERS = 20_000
SAMPLE = 10  # terminals whose feeds are checked row by row


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# -- the hub -------------------------------------------------------------------------------------


def terminate(proc: subprocess.Popen[Any]) -> None:
    """Stop a child: SIGTERM, then SIGKILL if it has not ended within 30 s."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class HubProcess:
    """``clerk hub serve --workers W`` (from ``root``) on a fixed loopback port."""

    def __init__(
        self,
        root: Path,
        db: str,
        workers: int,
        keys: str,
        log: Path,
        lock_times: Path,
        profile: str = "",
        nice: int = 0,
    ) -> None:
        self.root, self.db, self.workers, self.keys = root, db, workers, keys
        self.nice = nice  # the hub's niceness above the generator's (terminals are other machines)
        self.profile = profile  # CLERK_HUB_PROFILE: each worker's CPU profile (pstats)
        self.cpu_s = 0.0  # the hub workers' CPU seconds while serving, over its starts
        self._cpu_at_start: dict[int, float] = {}
        self.lock_times = lock_times  # each write's hold of the chain-wide lock (PostgreSQL)
        lock_times.unlink(missing_ok=True)
        self.loop_lag = lock_times.with_suffix(".lag")  # the workers' event-loop lateness
        self.loop_lag.unlink(missing_ok=True)
        self.gc_times = lock_times.with_suffix(".gc")  # the workers' garbage collections
        self.gc_times.unlink(missing_ok=True)
        lock_times.with_suffix(".tails").unlink(missing_ok=True)
        lock_times.with_suffix(".ckpt").unlink(missing_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = log  # the hub's access log (one JSON line per request, its own timing)
        log.unlink(missing_ok=True)

    def start(self) -> float:
        env = {
            **os.environ,
            "PYTHONPATH": str(self.root),
            "CLERK_HUB_KEYS_FILE": self.keys,
            "CLERK_HUB_LOCK_TIMES": str(self.lock_times),
            "CLERK_HUB_LOOP_LAG": str(self.loop_lag),
            "CLERK_HUB_GC_TIMES": str(self.gc_times),
            "CLERK_HUB_TAIL_STATS": str(self.lock_times.with_suffix(".tails")),
            # SQLite: each checkpoint of the hub's checkpointer thread (sync.hub.checkpoint)
            "CLERK_HUB_CHECKPOINT_TIMES": str(self.lock_times.with_suffix(".ckpt")),
        }
        if self.profile:
            env["CLERK_HUB_PROFILE"] = self.profile
        # The served checkout's own venv when it has one: its dependencies, not this one's (a
        # hub served with uvicorn's "auto" loop takes uvloop if its Python has it).
        own = self.root / ".venv" / "bin" / "python"
        python = str(own) if own.exists() else sys.executable
        cmd = [python, "-m", "sync.hub.cli", "hub", "serve", "--db", self.db]
        cmd += ["--port", str(self.port), "--workers", str(self.workers), "--log-level", "info"]
        started = time.monotonic()
        with self.log.open("ab") as err:
            nice = self.nice
            self.proc = subprocess.Popen(
                cmd,
                env=env,
                cwd=self.root,
                stdout=subprocess.DEVNULL,
                stderr=err,
                preexec_fn=(lambda: os.nice(nice)) if nice else None,
            )
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub exited with {self.proc.returncode}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    self._cpu_at_start = self.workers_cpu()
                    return time.monotonic() - started
            if time.monotonic() - started > 60:
                raise RuntimeError("hub did not start")
            time.sleep(0.05)

    def workers_cpu(self) -> dict[int, float]:
        """CPU seconds (user + system) so far of each worker process of the hub (Linux)."""
        out: dict[int, float] = {}
        if self.proc is None:
            return out
        tick = os.sysconf("SC_CLK_TCK")
        with contextlib.suppress(OSError):
            kids = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
            for pid in (int(p) for p in kids.split()):
                with contextlib.suppress(OSError, ValueError, IndexError):
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    out[pid] = (int(fields[11]) + int(fields[12])) / tick
        return out

    def stop(self) -> float:
        started = time.monotonic()
        now = self.workers_cpu()  # the workers' CPU while serving (from ready to stop)
        self.cpu_s += sum(v - self._cpu_at_start.get(pid, 0.0) for pid, v in now.items())
        if self.proc is not None:
            terminate(self.proc)
        return time.monotonic() - started


# -- databases -----------------------------------------------------------------------------------


def pg_base() -> str | None:
    return os.environ.get("CLERK_BENCH_PG_URL") or os.environ.get("CLERK_TEST_PG_URL")


_data_lock: Any = None  # held while this process uses bench/.data's run files


def hold_data() -> None:
    """Take this checkout's bench/.data for this process, or stop with a clear message: two
    runs in one checkout share the run's database copy, its key file and its logs (a second
    run's copy once replaced the first's key file mid-run, and the first's terminals got 401s)."""
    global _data_lock
    if _data_lock is not None:
        return
    DATA.mkdir(parents=True, exist_ok=True)
    f = (DATA / "hub_load.running").open("a+")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.seek(0)
        raise SystemExit(
            f"another hub_load / hub_overload run (pid {f.read().strip() or '?'}) is using "
            f"{DATA}: one at a time per checkout (or run it from another worktree)"
        ) from None
    f.truncate(0)
    f.write(str(os.getpid()))
    f.flush()
    _data_lock = f


def seeded(backend: str, stores: int, members: int, *, settle: bool = True) -> tuple[str, str]:
    """A seeded database copy for one run (SQLite path or PostgreSQL URL) and its key file
    (PostgreSQL: settled before its load unless ``settle`` is false: :func:`settle_pg`)."""
    hold_data()
    name = f"hubload_{stores}s_{members}m"
    template = DATA / f"{name}.db"
    keys = DATA / f"{name}.keys"
    if not template.exists():
        tmp = DATA / f"{name}.tmp.db"
        tmp.unlink(missing_ok=True)
        store = HubStore.open(str(tmp), keys_file=str(keys))
        try:
            print(f"seeding {members} members in {stores} stores …", file=sys.stderr)
            seed_demo(
                store, members=members, seed=20, events_per_member=4.0, products=500, stores=stores
            )
        finally:
            store.close()
        tmp.rename(template)
    run_keys = DATA / f"{name}.run.keys"
    shutil.copyfile(keys, run_keys)
    if backend == "sqlite":
        path = DATA / f"{name}.run.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        shutil.copyfile(template, path)
        return str(path), str(run_keys)
    base = pg_base()
    if not base:
        raise RuntimeError("no PostgreSQL: set CLERK_BENCH_PG_URL")
    # One database per checkout: benchmarks of two worktrees on one cluster do not collide.
    name += "_" + hashlib.sha1(str(ROOT).encode()).hexdigest()[:8]
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    url = urlunsplit(urlsplit(base)._replace(path="/" + name))
    copy_sqlite_to_pg(str(template), url, str(run_keys))
    if settle:
        settle_pg(url)
    return url, str(run_keys)


def copy_sqlite_to_pg(src: str, url: str, keys: str) -> None:
    """The seeded SQLite world into a fresh PostgreSQL hub database (same rows, same seqs)."""
    pg = HubStore.open(url, keys_file=keys)
    pg.close()
    lite = HubStore.open(src, keys_file=keys)
    try:
        with lite.read() as s, psycopg.connect(url, autocommit=False) as d:
            tables = [
                "stores",
                "staff",
                "products",
                "members",
                "browse_events",
                "cart_items",
                "coupons",
                "visits",
                "changes",
            ]
            d.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")
            for table in tables:
                cols = [c[1] for c in s.raw.execute(f"PRAGMA table_info({table})")]
                with (
                    d.cursor() as cur,
                    cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy,
                ):
                    for row in s.raw.execute(f"SELECT {', '.join(cols)} FROM {table}"):
                        copy.write_row(row)
            d.execute(
                "SELECT setval(pg_get_serial_sequence('changes', 'seq'), "
                "(SELECT max(seq) FROM changes))"
            )
            d.execute("ANALYZE")
            d.commit()
    finally:
        lite.close()


# A database just copied in is settled before its load: VACUUM (the copied rows' hint bits and
# visibility map, which the first reads and autovacuum would otherwise set during the load)
# and CHECKPOINT (the copy's dirty pages written now, not by a checkpoint in the load's first
# minutes), so a run does not start while PostgreSQL works through the copy. No difference was
# seen in two alternated pairs at 1,000 terminals (docs/benchmarks.md, fourteenth session);
# --pg-fresh: not settled.
def settle_pg(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as c:
        c.execute("VACUUM (ANALYZE)")
        c.execute("CHECKPOINT")


# -- one run -------------------------------------------------------------------------------------


async def enrol(url: str, db: str, keys: str, stores: list[str], n: int) -> list[Terminal]:
    store = HubStore.open(db, keys_file=keys)
    try:
        codes = [
            (stores[i % len(stores)], store.devices.create_enrol_code(stores[i % len(stores)]))
            for i in range(n)
        ]
        with store.read() as conn:
            members: dict[str, list[str]] = {}
            for mid, home in conn.rows("SELECT id, home_store FROM members"):
                members.setdefault(home, []).append(mid)
            staff = {
                sid: aid
                for aid, sid in conn.rows(
                    "SELECT id, store_id FROM staff WHERE role = 'associate' ORDER BY id DESC"
                )
            }
    finally:
        store.close()
    sem = asyncio.Semaphore(16)
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:

        async def one(store_id: str, code: str) -> Terminal:
            async with sem:
                r = await client.post(
                    "/v1/devices/enroll", json={"store_id": store_id, "code": code}
                )
                r.raise_for_status()
                return Terminal(store_id, r.json()["token"], members[store_id], staff[store_id], 0)

        terminals = list(await asyncio.gather(*(one(s, c) for s, c in codes)))
        tails: dict[str, int] = {}
        stats = Stats()
        for t in terminals:  # start caught up: the steady state, not n first pulls
            if t.store_id not in tails:
                await pull(client, t, stats)
                tails[t.store_id] = t.cursor
            t.cursor = tails[t.store_id]
    return terminals


def load(
    hub: HubProcess, terminals: list[Terminal], duration: float, procs: int, *, restart: bool
) -> Generated:
    """The load from ``procs`` generator processes, the hub restarted half way (unless told
    not to), then the drain."""

    def restart_midway() -> dict[str, float]:
        t0 = time.monotonic()
        out = {"at": t0, "stop_s": hub.stop(), "start_s": hub.start()}
        out["down_s"] = time.monotonic() - t0
        out["until"] = time.monotonic()
        return out

    midway = restart_midway if restart else None
    return generate(hub.url, terminals, duration, procs, midway=midway, drain=True)


def server_side(
    log: Path, since: float, until: float, served_since: float = 0.0
) -> dict[str, float | None]:
    """The hub's own timing of the requests answered during the load (its access log)."""
    by: dict[str, list[float]] = {"pull": [], "push": [], "503": []}
    served = 0  # every request the hub logged, the drain too (for its CPU per request)
    burst = 0  # batches the write door let in past its floor (a burst into a quiet process)
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        served += doc.get("status") != 503 and doc.get("ts", 0) >= served_since
        if not since <= doc.get("ts", 0) <= until:
            continue
        burst += doc.get("door") == "burst"
        if doc.get("status") == 503:
            by["503"].append(doc["ms"])
        elif doc.get("status") == 200 and doc.get("path") == "/v1/changes":
            by["pull"].append(doc["ms"])
        elif doc.get("status") == 200 and doc.get("path") == "/v1/interactions":
            by["push"].append(doc["ms"])
    out: dict[str, float | None] = {}
    for k, v in by.items():
        out[f"hub_{k}_p50_ms"] = pct(v, 50) if v else None
        out[f"hub_{k}_p99_ms"] = pct(v, 99) if v else None
    out["hub_served"] = served
    out["burst_in"] = burst
    return out


STALL_S = 0.15  # a process that answered nothing for this long while requests were inside


def by_process(
    log: Path, since: float, until: float, back_at: float | None, lock_times: Path
) -> dict[str, Any]:
    """Where the 503s came from, from the hub's access log (unix times ``since``..``until``,
    the load; ``back_at``: when the restarted hub answered again): each 503 by its process,
    door and route; each process's share of the requests (all, and the 10 s after the hub was
    back); its *stalls* — ``STALL_S`` or more without answering anything while requests were
    inside (from the log: a gap between two answers of the process that a request answered
    after it spans) — and how many 503s came during or within 0.5 s after one; and the slowest
    writes (``CLERK_HUB_LOCK_TIMES``: SQLite's ``COMMIT`` or PostgreSQL's lock). A per-second
    timeline from 2 s before the restart on (each process's answers and 503s)."""
    rows: list[dict[str, Any]] = []
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                doc = json.loads(line)
                if since <= doc.get("ts", 0) <= until:
                    rows.append(doc)
    rows.sort(key=lambda d: d["ts"])
    pids = sorted({d.get("pid", 0) for d in rows})
    ordinal = {pid: k for k, pid in enumerate(pids)}  # 0, 1 the first start's; 2, 3 the restart's
    shed: dict[str, int] = {}
    share: dict[str, int] = {}
    share_back: dict[str, int] = {}
    stalls: dict[int, list[tuple[float, float]]] = {pid: [] for pid in pids}
    last: dict[int, float] = {}
    for d in rows:
        pid, at = d.get("pid", 0), d["ts"]
        route = "push" if d.get("path") == "/v1/interactions" else "pull"
        if d.get("status") == 503:
            key = f"p{ordinal[pid]}/{d.get('door', '?')}/{route}"
            shed[key] = shed.get(key, 0) + 1
        else:
            share[f"p{ordinal[pid]}"] = share.get(f"p{ordinal[pid]}", 0) + 1
            if back_at is not None and back_at <= at <= back_at + 10:
                share_back[f"p{ordinal[pid]}"] = share_back.get(f"p{ordinal[pid]}", 0) + 1
        if d.get("status") == 503 or d.get("path") == "/healthz":
            continue  # answered on the event loop: what stalls is the threads' work
        started = at - d.get("ms", 0) / 1000
        prev = last.get(pid)
        # A gap between this process's answers that a request inside all along spans.
        if prev is not None and at - prev >= STALL_S and started < prev:
            stalls[pid].append((prev, at))
        last[pid] = at
    in_stall = 0
    for d in rows:
        if d.get("status") == 503:
            at = d["ts"]
            if any(a <= at <= b + 0.5 for a, b in stalls.get(d.get("pid", 0), [])):
                in_stall += 1
    origin = back_at if back_at is not None else since
    timeline: list[list[Any]] = []
    if back_at is not None:
        for k in range(int(back_at - 2 - since), int(until - since) + 1):
            lo = since + k
            sec = [d for d in rows if lo <= d["ts"] < lo + 1]
            timeline.append(
                [
                    round(lo - origin),
                    *(
                        f"{sum(1 for d in sec if d.get('pid') == p)}"
                        f"/{sum(1 for d in sec if d.get('pid') == p and d.get('status') == 503)}"
                        for p in pids
                    ),
                ]
            )
    slow: list[tuple[float, ...]] = []  # (after the hub was back, ms held, …) of slow writes
    commits: list[float] = []  # SQLite: the COMMIT's own ms; PostgreSQL: the numbering's
    waited: list[float] = []  # SQLite: BEGIN IMMEDIATE's wait for the lock
    copying: list[float] = []  # SQLite: COMMITs during which WAL frames were copied back
    plain: list[float] = []  # … and those without (the 5th field; older hubs write 4)
    held: list[float] = []  # SQLite: BEGIN IMMEDIATE granted to the COMMIT answered
    cpu: list[float] = []  # … the writer thread's own CPU in it (the 6th field; older hubs: none)
    if lock_times.exists():
        for line in lock_times.read_text(encoding="ascii").splitlines():
            parts = line.split()
            if len(parts) in (2, 3, 4, 5, 6) and since <= float(parts[0]) <= until:
                held.append(float(parts[1]))
                commits.append(float(parts[2]) if len(parts) >= 3 else float(parts[1]))
                waited.append(float(parts[3]) if len(parts) >= 4 else 0.0)
                if len(parts) >= 5 and int(parts[4]) >= 0:
                    (copying if int(parts[4]) > 0 else plain).append(commits[-1])
                if len(parts) == 6:
                    cpu.append(float(parts[5]))
                if float(parts[1]) + waited[-1] >= STALL_S * 1000:  # (when, held, waited)
                    slow.append((round(float(parts[0]) - origin, 2), *map(float, parts[1:])))
    all_stalls = [(round(a - origin, 2), round((b - a) * 1000)) for p in pids for a, b in stalls[p]]
    return {
        "shed_by": shed,
        "share": share,
        "share_back": share_back,
        "stalls": len(all_stalls),
        "stall_max_ms": max((ms for _, ms in all_stalls), default=0),
        "stall_list": sorted(all_stalls)[:40],
        "shed_in_stall": in_stall,
        "slow_writes": len(slow),
        "slow_write_list": slow[:40],
        "commit_p99_ms": pct(commits, 99) if commits else None,
        "commit_max_ms": max(commits, default=None),
        "lock_wait_p99_ms": pct(waited, 99) if waited else None,
        "lock_wait_max_ms": max(waited, default=None),
        # SQLite: the COMMITs in which the WAL was copied back (by this writer's own checkpoint
        # or another connection's, during it) against the others
        "commit_copying": len(copying),
        "commit_copying_p50_ms": pct(copying, 50) if copying else None,
        "commit_copying_max_ms": max(copying, default=None),
        "commit_plain_p99_ms": pct(plain, 99) if plain else None,
        "commit_plain_max_ms": max(plain, default=None),
        "commit_over_100ms": sum(1 for c in commits if c >= 100),
        "commit_over_100ms_copying": sum(1 for c in copying if c >= 100),
        # SQLite: the write lock's hold a transaction, and what of it was the writer's own CPU
        # and its COMMIT (the rest: waiting for the GIL, the disk)
        "write_held_p50_ms": pct(held, 50) if cpu else None,
        "write_busy": round(sum(held) / 1000 / (until - since), 3) if cpu else None,
        "write_cpu_share": round(sum(cpu) / sum(held), 3) if cpu and sum(held) else None,
        "write_commit_share": round(sum(commits) / sum(held), 3) if cpu and sum(held) else None,
        "per_second": timeline,
    }


def lock_held(path: Path, since: float, until: float) -> dict[str, float | None]:
    """The chain-wide lock's hold per write transaction in the run (``CLERK_HUB_LOCK_TIMES``
    lines ``<unix time> <ms>``, PostgreSQL only): p50, p99 and the share of the time it was
    held."""
    held: list[float] = []
    numbering: list[float] = []  # of a numbering at commit: from the grant to the rows numbered
    if path.exists():
        for line in path.read_text(encoding="ascii").splitlines():
            parts = line.split()
            if len(parts) in (2, 3, 4) and since <= float(parts[0]) <= until:
                held.append(float(parts[1]))
                numbering += [float(parts[2])] if len(parts) >= 3 else []
    return {
        "lock_writes": len(held),
        "lock_p50_ms": pct(held, 50) if held else None,
        "lock_p99_ms": pct(held, 99) if held else None,
        "lock_busy": sum(held) / 1000 / (until - since) if held else None,
        "lock_numbering_p50_ms": pct(numbering, 50) if numbering else None,
        "lock_numbering_p99_ms": pct(numbering, 99) if numbering else None,
    }


def checkpoint_stats(path: Path, since: float, until: float) -> dict[str, float | int | None]:
    """The hub's checkpointer threads during the load (``CLERK_HUB_CHECKPOINT_TIMES`` lines
    ``<unix time> <ms> <mode> <frames> <copied> <busy>``, SQLite): passive copies and their
    time, RESTARTs done and given up (a writer or reader in the way), the WAL's most frames."""
    passive: list[float] = []
    restarts = busy = 0
    most = 0
    if path.exists():
        for line in path.read_text(encoding="ascii").splitlines():
            parts = line.split()
            if len(parts) != 6 or not since <= float(parts[0]) <= until:
                continue
            most = max(most, int(parts[3]))
            if parts[2] == "PASSIVE":
                passive.append(float(parts[1]))
            elif parts[5] == "1":
                busy += 1
            else:
                restarts += 1
    return {
        "ckpt_passive": len(passive),
        "ckpt_p50_ms": pct(passive, 50) if passive else None,
        "ckpt_p99_ms": pct(passive, 99) if passive else None,
        "ckpt_max_ms": max(passive, default=None),
        "ckpt_restarts": restarts,
        "ckpt_restart_rounds_busy": busy,
        "wal_most_frames": most if path.exists() else None,
    }


class DiskBusy:
    """bench/disk_busy.py beside the hub's database while the load runs (``--disk-busy``): a
    neighbour appending and syncing ``mb_s`` MB a second in ``chunk_kb`` chunks; its figures
    (what it wrote, its own fsyncs' times) once stopped."""

    def __init__(self, folder: Path, mb_s: float, chunk_kb: int, seconds: float) -> None:
        self.report = folder / "disk_busy.report.json"
        self.report.unlink(missing_ok=True)
        cmd = [sys.executable, str(ROOT / "bench" / "disk_busy.py"), "--dir", str(folder)]
        cmd += ["--mb-s", str(mb_s), "--chunk-kb", str(chunk_kb), "--seconds", str(seconds)]
        self.proc = subprocess.Popen([*cmd, "--report", str(self.report)])

    def stop(self) -> dict[str, Any]:
        terminate(self.proc)
        if not self.report.exists():
            return {"error": f"disk_busy exited {self.proc.returncode} without a report"}
        figures: dict[str, Any] = json.loads(self.report.read_text())
        return figures


class LockWaiters:
    """Sessions waiting for the chain-wide lock (PostgreSQL), sampled from ``pg_locks`` every
    10 ms on a thread of this process while the load runs: how many on average, and the share
    of samples with one or more. Unlike the hold per write (which runs to the ``COMMIT``
    answered, the writer's wake-up included) it says whether writes queue on the lock."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.counts: list[tuple[float, int]] = []
        # The database's server processes (the hub's connections), their CPU seconds (/proc:
        # the server runs on this machine) when first seen and last, sampled every 0.5 s.
        self.cpu_first: dict[int, float] = {}
        self.cpu_last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LockWaiters:
        if self.db.startswith("postgresql"):
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            with psycopg.connect(self.db, autocommit=True) as conn:
                self._server_cpu(conn, first=True)
                n = 0
                while not self._stop.wait(0.01):
                    n += 1
                    if n % 50 == 0:
                        self._server_cpu(conn, first=False)
                    row = conn.execute(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                        "AND NOT granted AND classid = 0 AND objid = %s",
                        (ADVISORY_LOCK_ID,),
                    ).fetchone()
                    self.counts.append((time.time(), int(row[0]) if row else 0))
        except psycopg.Error:  # the hub's restart does not touch it; a lost server ends it
            return

    def _server_cpu(self, conn: psycopg.Connection[Any], *, first: bool) -> None:
        pids = [
            int(r[0])
            for r in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ]
        for pid in pids:
            cpu = process_cpu(pid, children=False)
            if first:
                self.cpu_first[pid] = cpu
            self.cpu_last[pid] = cpu

    @property
    def server_cpu_s(self) -> float:
        """The server processes' CPU seconds from the first sample to the last (those that
        started since counted from 0; one that ended counts to its last sample)."""
        return sum(v - self.cpu_first.get(pid, 0.0) for pid, v in self.cpu_last.items())

    def figures(self, since: float, until: float) -> dict[str, float | None]:
        counts = [n for at, n in self.counts if since <= at <= until]
        if not counts:
            return {"lock_waiters": None, "lock_waited": None}
        return {
            "lock_waiters": sum(counts) / len(counts),
            "lock_waited": sum(1 for n in counts if n) / len(counts),
        }


def tail_stats(path: Path) -> dict[str, float | None]:
    """The feed tails' figures over the run (``CLERK_HUB_TAIL_STATS``, a hub that writes them):
    the share of pulls asking a tail that it answered, of them the share finding no tail for
    their store (more stores pulled than a process keeps tails for), and the rendered entries the
    tails held last (tails, entries, MB), summed over the worker processes' last lines."""
    last: dict[str, list[int]] = {}
    if path.exists():
        for line in path.read_text(encoding="ascii").splitlines():
            parts = line.split()
            if len(parts) == 9:
                last[parts[1]] = [int(x) for x in parts[2:]]
    if not last:
        return {"tail_hit": None, "tail_none": None, "tails": None, "tail_mb": None}
    asked, hits, none, _rebuilt, tails, _entries, chars = (
        sum(v[i] for v in last.values()) for i in range(7)
    )
    return {
        "tail_hit": hits / asked if asked else None,
        "tail_none": none / asked if asked else None,
        "tails": tails,
        "tail_mb": chars / 1e6,
    }


def follow_stats(path: Path) -> dict[str, float | None]:
    """The feed's chain follower over the run (the ``follow`` lines of ``CLERK_HUB_TAIL_STATS``,
    a hub that has one): its reads, the pulls they served (how many one read serves), and the
    pulls whose tail took its rows as they were (no read of their own), summed over the worker
    processes' last lines."""
    last: dict[str, list[int]] = {}
    if path.exists():
        for line in path.read_text(encoding="ascii").splitlines():
            parts = line.split()
            if len(parts) == 6 and parts[2] == "follow":
                last[parts[1]] = [int(x) for x in parts[3:]]
    if not last:
        return {"follow_reads": None, "follow_served": None, "follow_taken": None}
    reads, served, taken = (sum(v[i] for v in last.values()) for i in range(3))
    return {"follow_reads": reads, "follow_served": served, "follow_taken": taken}


def id_counts(pushed: set[str], found: dict[str, int], acked: set[str]) -> dict[str, int]:
    """Every id pushed against how many times the hub holds it (``found``; absent: 0)."""
    return {
        "pushed": len(pushed),
        "lost": sum(1 for i in pushed if found.get(i, 0) == 0),
        "doubled": sum(1 for n in found.values() if n > 1),
        "unacked": len(pushed - acked),
        # of those, the ones the hub holds: taken, but the terminal never had its answer
        "unacked_at_hub": sum(1 for i in pushed - acked if found.get(i, 0) > 0),
    }


def feed_missing(want: list[str], seen: dict[tuple[str, str], str]) -> int:
    """Visits of the terminal's store (``want``) its pulls did not bring as an upsert."""
    return sum(seen.get(("visit", k)) != "upsert" for k in want)


def integrity(db: str, keys: str, terminals: list[Terminal]) -> dict[str, Any]:
    pushed = set().union(*(t.pushed for t in terminals))
    detail: list[dict[str, Any]] = []
    store = HubStore.open(db, keys_file=keys)
    try:
        found: dict[str, int] = {}
        with store.read() as conn:
            ids = sorted(pushed)
            for i in range(0, len(ids), 900):
                chunk = ids[i : i + 900]
                marks = ", ".join("?" for _ in chunk)
                for iid, n in conn.rows(
                    f"SELECT id, count(*) FROM interactions WHERE id IN ({marks}) GROUP BY id",
                    chunk,
                ):
                    found[iid] = int(n)
                for iid, n in conn.rows(
                    f"SELECT id, count(*) FROM visits WHERE id IN ({marks}) GROUP BY id", chunk
                ):
                    found[iid] = max(found.get(iid, 0), int(n))
            missing_in_feeds = 0
            for t in (t for t in terminals if t.sampled):
                want = [
                    r[0]
                    for r in conn.rows(
                        "SELECT v.id FROM visits v JOIN members m ON m.id = v.member_id "
                        "WHERE m.home_store = ? AND v.kind = 'visit'",
                        (t.store_id,),
                    )
                    if r[0] in pushed
                ]
                missing = feed_missing(want, t.seen)
                missing_in_feeds += missing
                if missing:  # where in the feed they are: for whoever looks into it next
                    gone = [k for k in want if t.seen.get(("visit", k)) != "upsert"]
                    seqs = [
                        int(r[0])
                        for k in gone[:900]
                        for r in conn.rows(
                            "SELECT seq FROM changes WHERE entity = 'visit' AND key = ?", (k,)
                        )
                    ]
                    detail.append(
                        {
                            "store": t.store_id,
                            "cursor": t.cursor,
                            "missing": missing,
                            "seen": len(t.seen),
                            "missing_seq_min": min(seqs, default=None),
                            "missing_seq_max": max(seqs, default=None),
                            "missing_without_change_row": len(gone) - len(seqs),
                        }
                    )
    finally:
        store.close()
    acked: set[str] = set().union(*(t.acked for t in terminals))
    out: dict[str, Any] = {**id_counts(pushed, found, acked), "feed_missing": missing_in_feeds}
    if detail:
        out["feed_missing_detail"] = detail
    return out


def sample(terminals: list[Terminal], n: int = SAMPLE) -> None:
    """Mark the integrity sample (before the run: these terminals decode every row)."""
    for t in random.Random(1).sample(terminals, min(n, len(terminals))):
        t.sampled = t.decode = True


def loop_lag(path: Path, since: float, until: float) -> dict[str, float | None]:
    """The hub workers' event-loop lateness during the load (``CLERK_HUB_LOOP_LAG`` samples:
    a task sleeping 20 ms, how late it woke) — the time a request waits unseen by the hub."""
    lags: list[float] = []
    if path.exists():
        for line in path.read_text().splitlines():
            at, _, ms = line.partition(" ")
            with contextlib.suppress(ValueError):
                if since <= float(at) <= until:
                    lags.append(float(ms))
    if not lags:
        return {"hub_loop_lag_p50_ms": None, "hub_loop_lag_p99_ms": None}
    return {"hub_loop_lag_p50_ms": pct(lags, 50), "hub_loop_lag_p99_ms": pct(lags, 99)}


def gc_pauses(path: Path, since: float, until: float, stalls: list[Any]) -> dict[str, Any]:
    """The hub workers' garbage collections during the load (``CLERK_HUB_GC_TIMES``: each
    collection's generation and pause; a hub without it writes nothing): how many of each
    generation, the full ones' (generation 2) p50 and longest pause, and how many of the
    ``stalls`` (``by_process``: seconds from ``since``, ms) a collection of 20 ms or more
    overlapped."""
    found: list[tuple[float, int, float]] = []
    if path.exists():
        for line in path.read_text().splitlines():
            parts = line.split()
            with contextlib.suppress(ValueError, IndexError):
                if since <= float(parts[0]) <= until:
                    found.append((float(parts[0]), int(parts[1]), float(parts[2])))
    if not found:
        return {"gc_runs": None}
    full = [ms for _, gen, ms in found if gen == 2]
    long = [(at - ms / 1000, at) for at, _, ms in found if ms >= 20]
    hit = sum(
        1
        for start, ms in stalls
        if any(a <= since + start + ms / 1000 and b >= since + start for a, b in long)
    )
    return {
        "gc_runs": [sum(1 for _, gen, _ in found if gen == g) for g in (0, 1, 2)],
        "gc_full_p50_ms": pct(full, 50) if full else None,
        "gc_full_max_ms": max(full, default=None),
        "gc_max_ms": max(ms for _, _, ms in found),
        "gc_ms_s": sum(ms for _, _, ms in found) / (until - since),
        "gc_long": sorted((round(b - since, 2), round((b - a) * 1000)) for a, b in long)[:40],
        "stalls_in_gc": hit,
    }


def one_run(args: argparse.Namespace, backend: str, stores: int, per_store: int) -> dict[str, Any]:
    db, keys = seeded(backend, stores, args.members, settle=not getattr(args, "pg_fresh", False))
    log = DATA / f"hub_load.{backend}.{stores}x{per_store}.log"
    lock_times = DATA / f"hub_load.{backend}.{stores}x{per_store}.lock"
    profile = ""
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
        profile = str(Path(args.profile).resolve() / f"{backend}.{stores}x{per_store}.prof")
    hub = HubProcess(
        Path(args.hub_root).resolve(),
        db,
        args.workers,
        keys,
        log,
        lock_times,
        profile,
        nice=args.hub_nice,
    )
    hub.start()
    try:
        store_ids = [f"S{k:03d}" for k in range(1, stores + 1)]
        n = stores * per_store
        terminals = asyncio.run(enrol(hub.url, db, keys, store_ids, n))
        served_since = 0.0
        if getattr(args, "restart_first", False):
            # Each process then knows the fleet (Devices.prime) — enrolled through the running
            # hub, it is unknown to the process each terminal's first request reaches. Not the
            # default: the load then meets a cold hub at full rate, and shed more in its first
            # 5 s (docs/benchmarks.md, ninth session).
            hub.stop()
            hub.start()  # one worker answered: give the others the moment they take too
            time.sleep(2.0)
            hub.cpu_s = 0.0  # the workers' CPU from the load's hub start on …
            served_since = time.time()  # … over the requests it served
        print(
            f"[{backend} {stores}x{per_store}] {n} terminals, {args.duration:.0f} s …",
            file=sys.stderr,
        )
        sample(terminals)
        for t in terminals:
            t.decode = t.decode or args.decode_all
        procs = args.gen_procs or auto_procs(n)
        mb_s = getattr(args, "disk_busy", 0.0)  # (bench/hub_overload.py's runs: none)
        chunk_kb = getattr(args, "disk_chunk_kb", 1024)
        busy = DiskBusy(DATA, mb_s, chunk_kb, args.duration + 10) if mb_s else None
        try:
            with LockWaiters(db) as waiters:
                out = load(hub, terminals, args.duration, procs, restart=not args.no_restart)
        finally:
            disk = busy.stop() if busy is not None else None
        began, ended = out.began, out.began + out.elapsed
    finally:
        hub.stop()
    hub_side = server_side(log, began, ended, served_since)
    to_unix = time.time() - time.monotonic()
    back_unix = out.restart["until"] + to_unix if "until" in out.restart else None
    story = by_process(log, began, ended, back_unix, lock_times)
    lock = {**lock_held(lock_times, began, ended), **waiters.figures(began, ended)}
    lock |= tail_stats(lock_times.with_suffix(".tails"))
    lock |= follow_stats(lock_times.with_suffix(".tails"))
    lock |= checkpoint_stats(lock_times.with_suffix(".ckpt"), began, ended)
    lag = loop_lag(hub.loop_lag, began, ended)
    lag |= gc_pauses(hub.gc_times, began, ended, story["stall_list"] if back_unix is None else [])
    check = integrity(db, keys, terminals)
    s: Stats = out.stats
    # Accepted (200) per second of the load itself, the drain left out: the throughput that
    # issue 20's 2x-overload target compares with the peak (bench/hub_overload.py).
    load_from = out.began + (time.monotonic() - time.time())  # the load's start, monotonic
    accepted = sum(
        1 for at, _, status, _ in s.timeline if status == 200 and at <= load_from + args.duration
    )
    # Away from the restart (from its start to 5 s after the hub is back): the steady state.
    lo, hi = out.restart.get("at", 0.0), out.restart.get("until", 0.0) + 5.0
    steady: dict[str, list[float]] = {"pull": [], "push": []}
    steady_shed = 0
    origin = lo - args.duration / 2 if lo else min((e[0] for e in s.timeline), default=0.0)
    shed_by_5s: dict[int, int] = {}  # 503s by when they were sent, 5 s bins from the load's start
    shed_took: dict[int, list[float]] = {}  # … and how long each took at the terminal
    for at, what, status, took in s.timeline:
        away = not lo - TIMEOUT_S <= at <= hi
        if status == 200 and away:
            steady[what].append(took)
        elif status == 503:
            steady_shed += away
            k = int((at - origin) // 5) * 5
            shed_by_5s[k] = shed_by_5s.get(k, 0) + 1
            shed_took.setdefault(k, []).append(took)
    result = {
        "backend": backend,
        "stores": stores,
        "terminals": n,
        "req_s": s.answered / out.elapsed,
        "accepted_req_s": accepted / args.duration,
        "pull_p99_ms": pct(s.pull, 99) * 1000,
        "push_p99_ms": pct(s.push, 99) * 1000,
        "pull_p50_ms": pct(s.pull, 50) * 1000,
        "push_p50_ms": pct(s.push, 50) * 1000,
        "steady_pull_p99_ms": pct(steady["pull"], 99) * 1000,
        "steady_push_p99_ms": pct(steady["push"], 99) * 1000,
        "shed": len(s.shed),
        "steady_shed": steady_shed,
        # the 503s sent in the load's first 5 s, from the restart to the load's end, the rest
        **shed_parts(s, origin, lo, args.duration),
        # terminals back from the restart: when each had its first 200 after the hub was back
        **returned(s, out.restart),
        "shed_by_5s": {str(k): v for k, v in sorted(shed_by_5s.items())},
        # the 503s' p99 at the terminal by the same bins: when the slow ones came
        "shed_p99_by_5s": {
            str(k): round(pct(v, 99) * 1000, 1) for k, v in sorted(shed_took.items())
        },
        "restart_at_s": lo - origin if lo else None,
        "shed_p99_ms": pct(s.shed, 99) * 1000 if s.shed else None,
        "errors_5xx": sum(
            v
            for k, v in s.statuses.items()
            if k.split(":")[1].startswith("5") and not k.endswith(":503")
        ),
        "failed": sum(  # requests with no answer (an offline terminal's probes apart)
            v for k, v in s.statuses.items() if k.endswith(":0") and not k.startswith("probe:")
        ),
        "probes": sum(v for k, v in s.statuses.items() if k.startswith("probe:")),
        "statuses": s.statuses,
        "restart": {k: v for k, v in out.restart.items() if k.endswith("_s")},
        **hub_side,
        **lock,
        **lag,
        # The hub's CPU per request it served (not 503): robust to a busy shared machine.
        "hub_cpu_ms_per_req": hub.cpu_s * 1000 / max(1, int(hub_side["hub_served"] or 0)),
        "hub_cpu_s": hub.cpu_s,
        # PostgreSQL's server processes for the hub's connections, per request served (the
        # load and its drain; the server's background processes not counted)
        "pg_cpu_ms_per_req": (
            waiters.server_cpu_s * 1000 / max(1, int(hub_side["hub_served"] or 0))
            if backend == "postgres"
            else None
        ),
        "pg_cpu_s": waiters.server_cpu_s if backend == "postgres" else None,
        # the load generator's own share: cores (in all, per process), loop lag, schedule
        **breakdown(out, n),
        **story,
        "load_avg": os.getloadavg()[0],  # the machine's 1-min load at the end (shared machine)
        "disk_busy": disk,  # the neighbour's own figures (--disk-busy), None without one
        **check,
        **drain_figures(out),
    }
    print(json.dumps(result), file=sys.stderr)
    return result


def drain_figures(out: Generated) -> dict[str, Any]:
    """The drain after the load: how long, when the terminals had delivered what they held
    and pulled after it, those still holding some at the bound (``drain_unfinished``) or not
    caught up at the end (``drain_behind``), its requests by status, and the traces of (at most
    10) terminals left with pushes unacknowledged."""
    d = out.drain
    if d is None:
        return {}
    return {
        "drain_s": d.elapsed,
        "drained_p50_s": pct(d.drained, 50) if d.drained else None,
        "drained_max_s": max(d.drained, default=None),
        "drain_unfinished": d.unfinished,
        "drain_behind": d.behind,
        "drain_statuses": out.drain_stats.statuses if out.drain_stats is not None else {},
        "unacked_traces": {
            str(i): [(round(at, 3), w, st, round(took, 3)) for at, w, st, took in tr]
            for i, tr in sorted(d.traces.items())[:10]
        },
        "unacked_terminals": len(d.traces),
    }


def shed_parts(s: Stats, origin: float, restart_at: float, duration: float) -> dict[str, int]:
    """The 503s by when they were sent: in the load's first 5 s (``shed_start``), from the
    restart on (``shed_restart``: the hub down, back, and its fleet's return), and the rest."""
    parts = {"shed_start": 0, "shed_restart": 0, "shed_other": 0}
    for at, _, status, _ in s.timeline:
        if status != 503:
            continue
        if at < origin + 5.0:
            parts["shed_start"] += 1
        elif restart_at and at >= restart_at:
            parts["shed_restart"] += 1
        else:
            parts["shed_other"] += 1
    return parts


def returned(s: Stats, restart: dict[str, float]) -> dict[str, float | int | None]:
    """How long after the restarted hub was back (its /healthz answered the bench) the
    terminals that found it down had their first request answered 200: the fleet's return."""
    if "until" not in restart:
        return {"returned": 0} | {f"returned_{k}_s": None for k in ("p50", "p90", "max")}
    after = sorted(r - restart["until"] for r in s.returns if r >= restart["at"])
    return {
        "returned": len(after),
        "returned_p50_s": pct(after, 50) if after else None,
        "returned_p90_s": pct(after, 90) if after else None,
        "returned_max_s": after[-1] if after else None,
    }


def _ms(v: float | None) -> str:
    return "–" if v is None else f"{v:.0f}"


def _lag(v: float | None) -> str:
    return "–" if v is None else f"{v:.1f}"


def row_label(r: dict[str, Any]) -> str:
    return f"{r['backend']} {r['stores']} stores × {r['terminals'] // r['stores']}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a smoke run (SQLite, 3 × 20, 10 s)")
    ap.add_argument("--long", action="store_true", help="the issue's matrix, 60 s each")
    ap.add_argument("--runs", default="", help="backend:STORESxPER_STORE,… (overrides)")
    ap.add_argument("--duration", type=float, default=None, help="seconds of load per run")
    ap.add_argument("--members", type=int, default=MEMBERS)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--gen-procs",
        type=int,
        default=0,
        metavar="N",
        help="load generator processes (default: one per 250 terminals, at most 4)",
    )
    ap.add_argument("--no-restart", action="store_true", help="no hub restart half way")
    ap.add_argument(
        "--pg-fresh",
        action="store_true",
        help="PostgreSQL: start the load right after the copy, without VACUUM and CHECKPOINT",
    )
    ap.add_argument(
        "--restart-first",
        action="store_true",
        help="restart the hub between the enrolment and the load (each process then knows the "
        "devices; tried as the default and not kept: a cold hub's start shed more)",
    )
    ap.add_argument(
        "--hub-nice",
        type=int,
        default=0,
        help="run the hub this much nicer than the generator (the terminals are other machines)",
    )
    ap.add_argument(
        "--decode-all",
        action="store_true",
        help="every terminal decodes every row it pulls (as the generator did before)",
    )
    ap.add_argument("--hub-root", default=str(ROOT), help="the checkout whose hub is served")
    ap.add_argument("--label", default="", help="results file suffix (e.g. before)")
    ap.add_argument(
        "--client",
        choices=CLIENTS,
        default="wire",
        help="the terminals' HTTP client: bench/wire.py (lean, default) or httpx",
    )
    ap.add_argument(
        "--draw",
        choices=DRAWS,
        default="paced",
        help="how a returning terminal draws its round in the hub's reconnect window: as the "
        "scheduler does (paced, default) or uniformly (the ninth session's, for comparisons)",
    )
    ap.add_argument(
        "--disk-busy",
        type=float,
        default=0.0,
        metavar="MB_S",
        help="a neighbour on the hub's filesystem appending and syncing this many MB a second "
        "while the load runs (bench/disk_busy.py; 0: none)",
    )
    ap.add_argument(
        "--disk-chunk-kb",
        type=int,
        default=1024,
        help="with --disk-busy: the neighbour's bytes appended per fsync",
    )
    ap.add_argument(
        "--profile",
        default="",
        metavar="DIR",
        help="the hub's CPU profile per worker process into DIR (CLERK_HUB_PROFILE)",
    )
    args = ap.parse_args()
    use_client(args.client)
    use_draw(args.draw)
    if args.quick:
        plan, duration = "sqlite:3x20", 10.0
    elif args.long:
        plan = "sqlite:3x167,postgres:3x167,postgres:100x10"
        duration = 60.0
    else:
        plan, duration = "sqlite:3x50", 20.0
    plan = args.runs or plan
    args.duration = args.duration or duration
    results = []
    for item in plan.split(","):
        backend, shape = item.split(":")
        stores, per_store = (int(x) for x in shape.split("x"))
        results.append(one_run(args, backend, stores, per_store))
    rows = []
    for r in results:
        label = row_label(r)
        rows += [
            [
                f"{label}: requests answered",
                round(r["req_s"]),
                "req/s",
                f"{r['accepted_req_s']:.0f} a second accepted (200) during the load",
            ],
            [f"{label}: pull p99", round(r["pull_p99_ms"], 1), "ms", f"p50 {r['pull_p50_ms']:.1f}"],
            [f"{label}: push p99", round(r["push_p99_ms"], 1), "ms", f"p50 {r['push_p50_ms']:.1f}"],
            [
                f"{label}: pull / push p99 away from the restart",
                f"{_ms(r['steady_pull_p99_ms'])} / {_ms(r['steady_push_p99_ms'])}",
                "ms",
                "at the terminal, leaving out requests from 10 s before the restart to 5 s after",
            ],
            [
                f"{label}: pull / push p99 at the hub",
                f"{_ms(r['hub_pull_p99_ms'])} / {_ms(r['hub_push_p99_ms'])}",
                "ms",
                "the hub's own timing (access log), without the load generator's lag",
            ],
            [
                f"{label}: chain-wide lock held per write, p99",
                _ms(r["lock_p99_ms"]) if r["lock_p99_ms"] is None else f"{r['lock_p99_ms']:.1f}",
                "ms",
                "–"
                if r["lock_p50_ms"] is None
                else f"p50 {r['lock_p50_ms']:.1f} ms over {r['lock_writes']} writes, "
                f"held {r['lock_busy']:.0%} of the time (PostgreSQL)"
                + (
                    ""
                    if r.get("lock_numbering_p50_ms") is None
                    else f"; the numbering in it p50 {r['lock_numbering_p50_ms']:.2f} ms, "
                    f"p99 {r['lock_numbering_p99_ms']:.2f} ms"
                )
                + (
                    ""
                    if r.get("lock_waiters") is None
                    else f"; sessions waiting for it {r['lock_waiters']:.2f} on average, "
                    f"one or more {r['lock_waited']:.0%} of the time"
                ),
            ],
            [
                f"{label}: hub CPU per request served",
                round(r["hub_cpu_ms_per_req"], 2),
                "ms",
                f"{r['hub_cpu_s']:.0f} s of the workers' CPU (ready to stop) over "
                f"{r['hub_served']} requests answered other than 503",
            ],
            [
                f"{label}: PostgreSQL CPU per request served",
                "–" if r.get("pg_cpu_ms_per_req") is None else round(r["pg_cpu_ms_per_req"], 2),
                "ms",
                "–"
                if r.get("pg_cpu_s") is None
                else f"{r['pg_cpu_s']:.0f} s of the server processes of the hub's connections",
            ],
            [
                f"{label}: feed tails: pulls they answered",
                "–" if r.get("tail_hit") is None else f"{r['tail_hit']:.0%}",
                "",
                "–"
                if r.get("tail_hit") is None
                else f"{r['tail_none']:.0%} found no tail for their store; at the end "
                f"{r['tails']} tails holding {r['tail_mb']:.1f} MB of rendered entries (all "
                "processes)",
            ],
            [
                f"{label}: feed follower: pulls a read served",
                "–"
                if not r.get("follow_reads")
                else round(r["follow_served"] / r["follow_reads"], 1),
                "",
                "–"
                if not r.get("follow_reads")
                else f"{r['follow_reads']} reads of the chain for {r['follow_served']} pulls; "
                f"{r['follow_taken']} tails took its rows as they were (no read of their own)",
            ],
            [
                f"{label}: 503 answers",
                r["shed"],
                "",
                ""
                if r["shed_p99_ms"] is None
                else f"{r['steady_shed']} away from the restart; "
                f"p99 {r['shed_p99_ms']:.0f} ms at the terminal, "
                f"{_ms(r['hub_503_p99_ms'])} ms at the hub",
            ],
            [
                f"{label}: hub event-loop lag p50 / p99",
                f"{_lag(r['hub_loop_lag_p50_ms'])} / {_lag(r['hub_loop_lag_p99_ms'])}",
                "ms",
                "how late the workers' loops ran (a request's unseen wait, not in the access log)",
            ],
            [
                f"{label}: 503s sent in the first 5 s / from the restart on / elsewhere",
                f"{r['shed_start']} / {r['shed_restart']} / {r['shed_other']}",
                "",
                "–"
                if r.get("returned_p50_s") is None
                else f"{r['returned']} terminals found the hub down; their first 200 came "
                f"p50 {r['returned_p50_s']:.1f} s, p90 {r['returned_p90_s']:.1f} s, "
                f"at the latest {r['returned_max_s']:.1f} s after it was back",
            ],
            [
                f"{label}: 503s at the write door / the all-requests door; stalls",
                f"{sum(v for k, v in r['shed_by'].items() if '/writes/' in k)} / "
                f"{sum(v for k, v in r['shed_by'].items() if '/all/' in k)}; {r['stalls']}",
                "",
                f"{r.get('burst_in', 0)} batches let in past the write door's floor (a burst "
                f"into a quiet process); "
                f"{r['shed_in_stall']} of the 503s in a stall (a process answering nothing "
                f"{STALL_S * 1000:.0f} ms while a request was inside) or 0.5 s after; the longest "
                f"{r['stall_max_ms']} ms; writes held or waited {STALL_S * 1000:.0f} ms or more: "
                f"{r['slow_writes']} (COMMIT max {_ms(r['commit_max_ms'])} ms, lock wait max "
                f"{_ms(r['lock_wait_max_ms'])} ms); each process's answers {r['share']}",
            ],
            *(
                []
                if r.get("gc_runs") is None
                else [
                    [
                        f"{label}: garbage collections gen 0/1/2; full p50 / longest",
                        f"{'/'.join(map(str, r['gc_runs']))}; {_ms(r['gc_full_p50_ms'])} / "
                        f"{_ms(r['gc_full_max_ms'])}",
                        "ms",
                        f"longest of all {r['gc_max_ms']:.0f} ms, {r['gc_ms_s']:.1f} ms a "
                        f"second; stalls a collection of 20 ms+ overlapped: {r['stalls_in_gc']}",
                    ]
                ]
            ),
            [
                f"{label}: COMMITs of 100 ms or more (copying the WAL back in them)",
                f"{r.get('commit_over_100ms', 0)} ({r.get('commit_over_100ms_copying', 0)})",
                "",
                f"{r.get('commit_copying', 0)} COMMITs copied WAL frames back, p50 "
                f"{_ms(r.get('commit_copying_p50_ms'))} / max {_ms(r.get('commit_copying_max_ms'))}"
                f" ms; the others p99 {_ms(r.get('commit_plain_p99_ms'))} / max "
                f"{_ms(r.get('commit_plain_max_ms'))} ms; checkpointer: {r.get('ckpt_passive')} "
                f"copies p99 {_ms(r.get('ckpt_p99_ms'))} / max {_ms(r.get('ckpt_max_ms'))} ms, "
                f"{r.get('ckpt_restarts')} restarts ({r.get('ckpt_restart_rounds_busy')} rounds "
                f"given up), WAL at most {r.get('wal_most_frames')} frames",
            ],
            *(
                []
                if r.get("write_busy") is None
                else [
                    [
                        f"{label}: SQLite's write lock held / a write's hold p50",
                        f"{r['write_busy']:.0%} / {_ms(r['write_held_p50_ms'])} ms",
                        "",
                        f"of the time held: the writer thread's CPU {r['write_cpu_share']:.0%}, "
                        f"its COMMITs {r['write_commit_share']:.0%} (their CPU in both); what "
                        "neither covers, the writer waited (for the GIL)",
                    ]
                ]
            ),
            [
                f"{label}: disk neighbour (--disk-busy)",
                "–" if not r.get("disk_busy") else f"{r['disk_busy'].get('mb_s')} MB/s",
                "",
                "–"
                if not r.get("disk_busy")
                else f"{r['disk_busy'].get('mb_written')} MB in {r['disk_busy'].get('chunks')} "
                f"chunks of {r['disk_busy'].get('chunk_kb')} KB, its fsync p50 "
                f"{r['disk_busy'].get('fsync_p50_ms')} / p99 {r['disk_busy'].get('fsync_p99_ms')} "
                f"/ max {r['disk_busy'].get('fsync_max_ms')} ms",
            ],
            [
                f"{label}: other 5xx / no answer",
                f"{r['errors_5xx']} / {r['failed']}",
                "",
                f"restart: down {r['restart'].get('down_s', 0):.1f} s",
            ],
            [
                f"{label}: lost / doubled",
                f"{r['lost']} / {r['doubled']}",
                "",
                f"{r['pushed']} ids pushed; sampled feeds missing {r['feed_missing']}",
            ],
            *generator_rows(label, r),
        ]
    stem = "hub_load" + ("-quick" if args.quick else "") + (f"-{args.label}" if args.label else "")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(
        json.dumps(
            {
                "name": "hub_load",
                "rows": rows,
                "runs": results,
                "reference": "the hub before this change (main), same machine, when given",
                "targets": {"p99 ms (3 stores × 500)": 500, "p99 ms (100 × 10, PG)": 250},
            },
            indent=1,
        )
    )
    for row in rows:
        print(" | ".join(str(x) for x in row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
