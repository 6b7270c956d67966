"""One bulk pull, page by page, both sides timed (issue 16: where a new terminal's pull waits).

The hub is a real ``clerk hub serve`` subprocess whose change feed is timed per request (the
page's change rows and count, the rows' JSON from SQL, the row format's text); the terminal is
the real engine (``SyncEngine.pull_once``, row format, a first download in bulk) in this
process, timed per page: the HTTP exchange, parse + validation, the page checks, each table's
executemany, the commit, and the wait for the page fetched ahead. Both sides stamp
``time.monotonic`` (one clock for the machine), so the table also says how long the hub and the
terminal were busy at the same time.

    python bench/pull_timeline.py                 # the 20,000-member hub (~290k rows)
    python bench/pull_timeline.py --members 70000 # the sync bench's hub (~1.06 M rows)
    python bench/pull_timeline.py --members 70000 --code-root /work/wt/base --label base
        # the terminal's and the hub's code from another checkout (a before run), this
        # checkout's data; results in bench/results/pull_timeline-base.json
    python bench/pull_timeline.py --hub bench/.data/hub-slice-500k.db --max-pages 200
        # the first 200 pages of enrol_slice's hub (its mix: big runs of browse events)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# --code-root DIR: clerk/ and sync/ imported from DIR (read before the imports below).
CODE = ROOT
if "--code-root" in sys.argv[:-1]:
    CODE = Path(sys.argv[sys.argv.index("--code-root") + 1]).resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(CODE))

import httpx  # noqa: E402
from hubproc import START_TIMEOUT_S, free_port  # noqa: E402
from sync_push_pull import DATA, RESULTS, Till, enrol_codes, insert_reference, seeded_hub  # noqa: E402

from clerk import cache as cache_mod  # noqa: E402
from sync import engine as engine_mod  # noqa: E402
from sync import protocol  # noqa: E402
from sync.client import HubClient  # noqa: E402
from sync.engine import DEFAULT_PULL_LIMIT  # noqa: E402

# The hub's CLI with its change feed timed: one JSON line per changes_json call.
_HUB_TIMED = r"""
import json, os, runpy, sys, time
from sync.hub import feed
out = open(os.environ["CLERK_BENCH_TIMELINE"], "a", buffering=1)
F = feed.ChangeFeed
acc = {}
def timed(name, fn):
    def wrap(*a, **k):
        t = time.monotonic()
        try:
            return fn(*a, **k)
        finally:
            acc[name] = acc.get(name, 0.0) + time.monotonic() - t
    return wrap
for name in ("_page", "_current_rows", "_remaining"):
    setattr(F, name, timed(name, getattr(F, name)))
for name in ("_render_rows", "_render"):
    setattr(F, name, staticmethod(timed(name, getattr(F, name))))
whole = F.changes_json
def changes_json(self, store_id, since, limit, *, rows=False):
    acc.clear()
    t0 = time.monotonic()
    body = whole(self, store_id, since, limit, rows=rows)
    t1 = time.monotonic()
    out.write(json.dumps({"since": since, "t0": t0, "t1": t1, "bytes": len(body), **acc}) + "\n")
    return body
F.changes_json = changes_json
sys.argv = ["clerk-hub", *sys.argv[1:]]
runpy.run_module("sync.hub.cli", run_name="__main__")
"""


class TimedHub:
    """``clerk hub serve`` with its feed timed into ``log`` (see ``_HUB_TIMED``)."""

    def __init__(self, db: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(CODE), "CLERK_BENCH_TIMELINE": str(log)}
        cmd = [sys.executable, "-c", _HUB_TIMED, "hub", "serve", "--db", str(db)]
        cmd += ["--port", str(self.port), "--log-level", "warning"]
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub exited with {self.proc.returncode}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.url + "/readyz", timeout=1.0).status_code == 200:
                    return
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("hub did not become ready")
            time.sleep(0.05)

    def cpu(self) -> float:
        """The hub process's CPU seconds so far (user + system)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


class Timeline:
    """The terminal's side: (name, start, end) spans, recorded from any thread."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, float, float]] = []

    @contextlib.contextmanager
    def span(self, name: str) -> Iterator[None]:
        t = time.monotonic()
        try:
            yield
        finally:
            self.spans.append((name, t, time.monotonic()))

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*a: Any, **k: Any) -> Any:
            with self.span(name):
                return fn(*a, **k)

        return timed


@contextlib.contextmanager
def patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


class _TimedAdapter:
    def __init__(self, adapter: Any, timeline: Timeline) -> None:
        self.adapter, self.timeline = adapter, timeline

    def validate_json(self, body: bytes) -> Any:
        with self.timeline.span("terminal: parse + validate (ROWS_PAGE)"):
            return self.adapter.validate_json(body)


def timed_pull(till: Till, limit: int, max_pages: int | None) -> tuple[Timeline, float, int]:
    """The engine's pull with its stages timed (the same calls, in the same order)."""
    tl = Timeline()
    original_apply_runs = cache_mod.apply_runs

    def apply_runs(conn: Any, runs: Any, *, search_index: bool = True) -> int:
        n = 0
        for run in runs:
            table = cache_mod.TABLES[str(run["entity"])][0]
            with tl.span(f"terminal: executemany {table} ({run['op']}, with row prep)"):
                n += original_apply_runs(conn, [run], search_index=search_index)
        return n

    with contextlib.ExitStack() as stack:
        for obj, name, value in (
            (protocol, "ROWS_PAGE", _TimedAdapter(protocol.ROWS_PAGE, tl)),
            (HubClient, "_request", tl.wrap("terminal: HTTP exchange", HubClient._request)),
            (engine_mod, "_check_page", tl.wrap("terminal: page checks", engine_mod._check_page)),
            (cache_mod, "apply_runs", apply_runs),
            (cache_mod, "finish_bulk", tl.wrap("terminal: finish_bulk", cache_mod.finish_bulk)),
            (
                engine_mod._Lookahead,
                "take",
                tl.wrap("terminal: wait for the page (take)", engine_mod._Lookahead.take),
            ),
            (
                engine_mod.SyncEngine,
                "_apply_page",
                tl.wrap("terminal: apply page (transaction)", engine_mod.SyncEngine._apply_page),
            ),
        ):
            stack.enter_context(patched(obj, name, value))
        started = time.monotonic()
        with tl.span("whole pull"):
            result = till.engine.pull_once(limit=limit, max_pages=max_pages)
    return tl, started, result.changes


def busy(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The union of the spans, as disjoint sorted intervals."""
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def overlap(x: list[tuple[float, float]], y: list[tuple[float, float]]) -> float:
    total, i, j = 0.0, 0, 0
    while i < len(x) and j < len(y):
        a, b = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        total += max(0.0, b - a)
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--limit", type=int, default=DEFAULT_PULL_LIMIT)
    parser.add_argument("--no-reference", action="store_true", help="skip the executemany")
    parser.add_argument("--hub", help="a hub database to pull from (default: the seeded one)")
    parser.add_argument(
        "--max-pages", type=int, help="stop after N pages (no finish_bulk: not caught up)"
    )
    parser.add_argument("--code-root", help="clerk/ and sync/ from this checkout")
    parser.add_argument("--label", help="results: bench/results/pull_timeline-LABEL.json")
    args = parser.parse_args()
    label = f"{args.members // 1000}k" if args.members % 1000 == 0 else str(args.members)
    db = Path(args.hub) if args.hub else seeded_hub(DATA / f"hub-pull-{label}.db", args.members)
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="pull-timeline-") as name:
        tmp = Path(name)
        log = tmp / "hub.jsonl"
        hub = TimedHub(db, log)
        try:
            till = Till(tmp / "t", hub.url, enrol_codes(db, 1)[0])
            try:
                log.write_text("")  # enrolment's requests are not the pull's
                hub_cpu, own_cpu = hub.cpu(), time.process_time()
                tl, started, rows = timed_pull(till, args.limit, args.max_pages)
                hub_cpu, own_cpu = hub.cpu() - hub_cpu, time.process_time() - own_cpu
            finally:
                till.close()
        finally:
            hub.stop()
        hub_pages = [json.loads(line) for line in log.read_text().splitlines() if line]
        ref = None if args.no_reference else insert_reference(tmp / "t" / "cache.db", tmp / "r.db")
    hub_pages = [p for p in hub_pages if p["t0"] >= started]
    whole = next(b - a for n, a, b in tl.spans if n == "whole pull")
    pages = len(hub_pages)
    sums: dict[str, list[float]] = defaultdict(list)
    for n, a, b in tl.spans:
        if n != "whole pull":
            sums[n].append(b - a)
    for p in hub_pages:
        sums["hub: changes_json (whole)"].append(p["t1"] - p["t0"])
        sums["hub: page query (_page − _remaining; SQL, rows' JSON)"].append(
            p.get("_page", 0.0) - p.get("_remaining", 0.0)
        )
        if "_current_rows" in p:  # the rows' JSON read apart from the change rows
            sums["hub: of which the rows' JSON by key (_current_rows)"].append(p["_current_rows"])
        sums["hub: remaining count (_remaining)"].append(p.get("_remaining", 0.0))
        sums["hub: row format text (_render_rows)"].append(p.get("_render_rows", 0.0))
    hub_busy = busy([(p["t0"], p["t1"]) for p in hub_pages])
    apply_busy = busy([(a, b) for n, a, b in tl.spans if n.endswith("(transaction)")])
    recv_busy = busy([(a, b) for n, a, b in tl.spans if n == "terminal: HTTP exchange"])
    both = overlap(hub_busy, apply_busy)
    hub_s = sum(b - a for a, b in hub_busy)
    apply_s = sum(b - a for a, b in apply_busy)

    def per_row(s: float) -> str:
        return f"{s / rows * 1e6:.2f}" if rows else ""

    lines = [
        f"One bulk pull timed on both sides (`bench/pull_timeline.py "
        f"{f'--hub {Path(args.hub).name}' if args.hub else f'--members {args.members}'}"
        f"{f' --max-pages {args.max_pages}' if args.max_pages else ''}"
        f"{f' --code-root {CODE}' if CODE != ROOT else ''}`, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {load_start:.1f} → "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores): {rows:,} change rows in {pages} "
        f"pages of {args.limit}, row format, first download in bulk; whole pull {whole:.2f} s.",
        "",
        "| stage | s | µs/row | ms/page (median) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for n in sorted(sums):
        v = sums[n]
        lines.append(
            f"| {n} | {sum(v):.2f} | {per_row(sum(v))} | {statistics.median(v) * 1e3:.1f} |"
        )
    lines += [
        f"| hub busy rendering (union) | {hub_s:.2f} | {per_row(hub_s)} | |",
        f"| terminal busy applying (union) | {apply_s:.2f} | {per_row(apply_s)} | |",
        f"| both busy at once | {both:.2f} | {per_row(both)} | |",
        f"| HTTP exchanges on the pull-ahead thread (union) | "
        f"{sum(b - a for a, b in recv_busy):.2f} | | |",
        f"| hub process CPU during the pull | {hub_cpu:.2f} | {per_row(hub_cpu)} | |",
        f"| terminal process CPU during the pull | {own_cpu:.2f} | {per_row(own_cpu)} | |",
        f"| whole pull | {whole:.2f} | {per_row(whole)} | |",
    ]
    if ref:
        lines.append(f"| reference: executemany, plain file | {ref[0]:.2f} | {per_row(ref[0])} | |")
        lines.append(f"| pull / executemany | {whole / ref[0]:.2f} | | |")
    note = "\n".join(lines)
    print(note)
    RESULTS.mkdir(parents=True, exist_ok=True)
    doc = {
        "name": "pull_timeline",
        "note": note,
        "rows": rows,
        "pull_s": whole,
        "hub_cpu_s": hub_cpu,
        "terminal_cpu_s": own_cpu,
        "executemany_s": ref[0] if ref else None,
    }
    name = f"pull_timeline-{args.label}.json" if args.label else "pull_timeline.json"
    (RESULTS / name).write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
