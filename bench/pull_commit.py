"""What a bulk pull's commits cost on the terminal (issue 16: commit + state, WAL checkpoints).

The pages of a seeded hub's store slice are rendered once in the row format (``format=rows``,
``ChangeFeed.changes_json`` in this process, not timed) and kept as the bytes the hub would
send. Each run then pulls them into a fresh terminal — the real engine
(``SyncEngine.pull_once``: a first download in bulk, parse + validate on the pull-ahead
thread, the checks, ``apply_runs``, the cursor and state, the commits, ``finish_bulk``) into a
SQLCipher cache.db — with a client that answers from those bytes, so no HTTP and no hub share
the machine with it: the terminal's own work, the part that paces a real pull.

Per run: the whole pull, the applying thread's time (``_apply_page``: rows + state + commit),
the terminal's CPU and the applying thread's own, every COMMIT on cache.db timed, the WAL
frames (cache pages) each wrote (read from the ``-shm`` index), and the WAL checkpoints:
SQLite's own (``wal_autocheckpoint`` 1000, run by the committing thread) are taken over by this
bench — the same PASSIVE checkpoint after a commit that leaves ≥ 1000 frames in the WAL — so
their time and fsyncs are counted apart.

Variants alternate run by run (``--pages``: the engine's ``bulk_commit_pages``, 1 = a commit
per page as before issue 16's commit change):

    python bench/pull_commit.py --members 70000 --pages 1,8 --runs 3
    python bench/pull_commit.py --members 20000 --pages 1,8 --runs 1   # a quick look
    python bench/pull_commit.py --members 70000 --plain   # no SQLCipher: encryption's share
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import statistics
import struct
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sync_push_pull import DATA, RESULTS, STORE, seeded_hub  # noqa: E402

from clerk import cache as cache_mod  # noqa: E402
from clerk import db as db_mod  # noqa: E402
from clerk import outbox as outbox_mod  # noqa: E402
from sync import protocol  # noqa: E402
from sync.engine import DEFAULT_PULL_LIMIT, SyncEngine  # noqa: E402
from sync.hub.store import HubStore  # noqa: E402

AUTOCHECKPOINT = 1000  # SQLite's default, which cache.db keeps


def render(db: Path, limit: int, max_pages: int = 0) -> tuple[dict[int, bytes], int]:
    """Every page of the store's slice in the row format, by the cursor it starts at, and the
    rows they hold; with ``max_pages``, the first that many, the last one saying it has no more
    (so a pull of them ends as a whole one does: indexes and search index built)."""
    store = HubStore.open(str(db))
    bodies: dict[int, bytes] = {}
    rows = 0
    try:
        since = 0
        while True:
            body = store.feed.changes_json(STORE, since, limit, rows=True)
            body = body if isinstance(body, bytes) else body.encode()
            head = json.loads(body)
            rows += sum(len(r.get("rows") or r.get("keys") or ()) for r in head["runs"])
            last = not head["has_more"] or len(bodies) + 1 == max_pages
            if last and head["has_more"]:
                body = body.replace(b'"has_more":true', b'"has_more":false', 1)
            bodies[since] = body
            if last:
                return bodies, rows
            since = head["next_cursor"]
    finally:
        store.close()


class PagesClient:
    """A HubClient's ``changes_page`` answered from rendered pages (parsed and validated as
    the real client does: ``protocol.ROWS_PAGE``)."""

    token = "bench"
    last_clock_offset = None
    on_token = None

    def __init__(self, bodies: dict[int, bytes]) -> None:
        self.bodies = bodies

    def configure(self, **_: Any) -> None:
        pass

    def changes_page(
        self, since: int, limit: int = DEFAULT_PULL_LIMIT, *, wait: float = 0.0, rows: bool = True
    ) -> Any:
        return protocol.ROWS_PAGE.validate_json(self.bodies[since])

    def close(self) -> None:
        pass


class _PlainConnection(sqlite3.Connection):
    """A plain connection whose ``execute`` the Meter can wrap (a Python subclass has a dict)."""


def _open_plain(name: str, *, readonly: bool) -> sqlite3.Connection:
    if readonly:
        raise SystemExit("--plain: no read-only connections in this bench")
    return sqlite3.connect(
        name, isolation_level=None, check_same_thread=False, factory=_PlainConnection
    )


def wal_frames(shm: Path) -> int:
    """mxFrame of the WAL index header: the frames the WAL holds now (0 after a reset)."""
    try:
        with shm.open("rb") as f:
            head = f.read(24)
    except FileNotFoundError:
        return 0
    return int(struct.unpack_from("=I", head, 16)[0]) if len(head) == 24 else 0


class Meter:
    """Wraps the cache connection's ``execute``: every COMMIT timed, the WAL frames it left,
    and the auto-checkpoint run here, timed (see the module's docstring)."""

    def __init__(self, conn: Any, shm: Path) -> None:
        self.conn, self.shm = conn, shm
        self.commits: list[float] = []
        self.frames: list[int] = []
        self.checkpoints: list[float] = []
        self.checkpointed = 0
        self.state_writes = 0
        self._before = 0
        self._execute = conn.execute
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute = self.execute

    def execute(self, sql: Any, *args: Any, **kwargs: Any) -> Any:
        if sql == "BEGIN IMMEDIATE":
            self._before = wal_frames(self.shm)
        elif isinstance(sql, str) and sql.startswith("INSERT INTO sync_state"):
            self.state_writes += 1
        if sql != "COMMIT":
            return self._execute(sql, *args, **kwargs)
        t = time.perf_counter()
        out = self._execute(sql, *args, **kwargs)
        self.commits.append(time.perf_counter() - t)
        after = wal_frames(self.shm)
        self.frames.append(after - self._before if after >= self._before else after)
        if after >= AUTOCHECKPOINT:
            t = time.perf_counter()
            row = self._execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self.checkpoints.append(time.perf_counter() - t)
            self.checkpointed += int(row[2])
        return out


@contextlib.contextmanager
def timed_apply() -> Iterator[list[float]]:
    spans: list[float] = []
    original = SyncEngine._apply_page

    def apply(self: SyncEngine, *a: Any, **k: Any) -> Any:
        t = time.perf_counter()
        try:
            return original(self, *a, **k)
        finally:
            spans.append(time.perf_counter() - t)

    SyncEngine._apply_page = apply  # type: ignore[method-assign]
    try:
        yield spans
    finally:
        SyncEngine._apply_page = original  # type: ignore[method-assign]


def one_pull(tmp: Path, bodies: dict[int, bytes], pages: int) -> dict[str, Any]:
    tmp.mkdir(parents=True)
    cache = cache_mod.open_cache(tmp / "cache.db")
    outbox = outbox_mod.open_outbox(tmp / "outbox.db")
    try:
        engine = SyncEngine(cache, outbox, PagesClient(bodies))  # type: ignore[arg-type]
        engine._require_enrolled = lambda: None  # type: ignore[assignment,method-assign,return-value]
        has_knob = hasattr(engine, "bulk_commit_pages")
        if has_knob:
            engine.bulk_commit_pages = pages
        elif pages != 1:
            raise SystemExit("this tree's engine commits every page (no bulk_commit_pages)")
        meter = Meter(cache, tmp / "cache.db-shm")
        cpu0 = time.process_time()
        with timed_apply() as spans:
            t, own0 = time.perf_counter(), time.thread_time()
            result = engine.pull_once()
            whole, own = time.perf_counter() - t, time.thread_time() - own0
        cpu = time.process_time() - cpu0
        wal_bytes = (tmp / "cache.db-wal").stat().st_size
        db_bytes = (tmp / "cache.db").stat().st_size
    finally:
        cache.close()
        outbox.close()
    return {
        "pages_per_commit": pages,
        "changes": result.changes,
        "pages": result.pages,
        "whole_s": whole,
        "apply_s": sum(spans),
        "cpu_s": cpu,
        "applying_cpu_s": own,
        "commits": len(meter.commits),
        "commit_s": sum(meter.commits),
        "frames": sum(meter.frames),
        "checkpoints": len(meter.checkpoints),
        "checkpoint_s": sum(meter.checkpoints),
        "checkpointed": meter.checkpointed,
        "state_writes": meter.state_writes,
        "wal_mb": wal_bytes / 1e6,
        "db_mb": db_bytes / 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--limit", type=int, default=DEFAULT_PULL_LIMIT)
    parser.add_argument("--pages", default="1,8", help="bulk_commit_pages to alternate")
    parser.add_argument("--runs", type=int, default=3, help="pulls per variant")
    parser.add_argument(
        "--plain", action="store_true", help="a plain cache.db (no SQLCipher): encryption's share"
    )
    args = parser.parse_args()
    if args.plain:
        db_mod._auto_key = lambda name, *, readonly: None
        db_mod._open_plain = _open_plain
    variants = [int(p) for p in args.pages.split(",")]
    label = f"{args.members // 1000}k" if args.members % 1000 == 0 else str(args.members)
    db = seeded_hub(DATA / f"hub-pull-{label}.db", args.members)
    bodies, rows = render(db, args.limit)
    print(f"{rows:,} change rows in {len(bodies)} pages rendered", file=sys.stderr)
    loads = [os.getloadavg()[0]]
    results: dict[int, list[dict[str, Any]]] = {v: [] for v in variants}
    with tempfile.TemporaryDirectory(prefix="pull-commit-") as name:
        for run in range(args.runs):
            for v in variants if run % 2 == 0 else variants[::-1]:
                r = one_pull(Path(name) / f"{run}-{v}", bodies, v)
                if r["changes"] != rows:
                    raise RuntimeError(f"pulled {r['changes']:,} of {rows:,}")
                results[v].append(r)
                loads.append(os.getloadavg()[0])
                print(
                    f"run {run + 1}, {v} page(s) a commit: pull {r['whole_s']:.2f} s, applying "
                    f"{r['apply_s']:.2f} s, commits {r['commits']} ({r['commit_s']:.2f} s), "
                    f"checkpoints {r['checkpoints']} ({r['checkpoint_s']:.2f} s), "
                    f"load {loads[-1]:.1f}",
                    file=sys.stderr,
                )

    def med(v: int, key: str) -> float:
        return statistics.median(r[key] for r in results[v])

    def us(v: int, key: str) -> str:
        return f"{med(v, key) / rows * 1e6:.2f}"

    head = " | ".join(f"{v} page{'s' if v > 1 else ''} a commit" for v in variants)
    lines = [
        f"Commits of a bulk pull (`bench/pull_commit.py --members {args.members} --pages "
        f"{args.pages} --runs {args.runs}`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"load average {min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} cores): {rows:,} "
        f"change rows in {len(bodies)} pages of {args.limit}, the real engine into a "
        f"{'plain' if args.plain else 'SQLCipher'} cache.db from rendered pages (no HTTP), "
        "medians of the runs, variants alternated.",
        "",
        f"| measure | {head} | unit |",
        "| --- |" + " ---: |" * len(variants) + " --- |",
    ]
    table = [
        ("whole pull", "whole_s", "s"),
        ("applying thread (`_apply_page`)", "apply_s", "s"),
        ("terminal CPU (both threads)", "cpu_s", "s"),
        ("applying thread's CPU (the pull's own thread, commits included)", "applying_cpu_s", "s"),
        ("COMMIT statements (WAL writes of the pages left dirty)", "commit_s", "s"),
        ("WAL checkpoints (PASSIVE, each ≥ 1000 frames, with their fsyncs)", "checkpoint_s", "s"),
    ]
    for title, key, unit in table:
        lines.append(
            f"| {title} | " + " | ".join(f"{med(v, key):.2f}" for v in variants) + f" | {unit} |"
        )
        lines.append("| … per change row | " + " | ".join(us(v, key) for v in variants) + " | µs |")
    for title, key in (
        ("commits", "commits"),
        ("WAL frames written (4 KiB cache pages)", "frames"),
        ("checkpoints", "checkpoints"),
        ("frames checkpointed into cache.db", "checkpointed"),
        ("sync_state writes", "state_writes"),
    ):
        lines.append(f"| {title} | " + " | ".join(f"{med(v, key):,.0f}" for v in variants) + " | |")
    lines.append(
        "| cache.db / its WAL at the end | "
        + " | ".join(f"{med(v, 'db_mb'):.0f} / {med(v, 'wal_mb'):.1f}" for v in variants)
        + " | MB |"
    )
    note = "\n".join(lines)
    print(note)
    RESULTS.mkdir(parents=True, exist_ok=True)
    doc = {"name": "pull_commit", "note": note, "rows": rows, "runs": results}
    (RESULTS / "pull_commit.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
