"""What a 503 at the door costs the hub's app, in process (issue 20, third target).

At twice the load that saturates the hub, the requests it sheds cost CPU the accepted ones do
not get (docs/benchmarks.md, "Twice the load that saturates the hub": ~0.5 ms of the hub's CPU
per extra 503, from the whole run's figures). This bench takes the app's share of that apart:
a push arriving at a process whose door is full, answered 503 by the hub's own ASGI app
(``create_app`` over a fresh SQLite hub) — Starlette's outer layer, the guard, the answer, the
access log line (to a file, as ``clerk hub serve`` writes it to stderr) — called directly on
one event loop, without HTTP. Per 503: this process's CPU (``time.process_time``), with the
access log line and without it (its logger off). What is not here — uvicorn's parsing, the
transport, the kernel, the terminals' side — is the rest of the 0.5 ms.

    python bench/shed_cost.py                        # this checkout, 3 runs
    python bench/shed_cost.py --base /work/wt/base   # and that checkout's app, A B B A …

Each run is a child process with that checkout first on its path (its own modules, this
checkout's venv). Results: bench/results/shed_cost[-LABEL].json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def child(hub_root: str, n: int) -> dict[str, Any]:
    """``n`` 503s from the app of ``hub_root`` (first on the path): µs of CPU each, with the
    access log line and without."""
    sys.path.insert(0, str(Path(hub_root).resolve()))
    import asyncio
    import logging

    from sync.hub.app import HubConfig, create_app
    from sync.hub.store import HubStore

    with tempfile.TemporaryDirectory() as tmp:
        store = HubStore.open(str(Path(tmp) / "hub.db"))
        log_file = open(Path(tmp) / "access.log", "a", encoding="utf-8")  # noqa: SIM115
        handler = logging.StreamHandler(log_file)
        handler.setFormatter(logging.Formatter("%(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        access = logging.getLogger("sync.hub.access")
        try:
            app = create_app(store, HubConfig())
            load = app.state.load
            body = b'{"interactions":[' + b",".join([b'{"id":"x"}'] * 40) + b"]}"
            head = [
                (b"host", b"127.0.0.1:8000"),
                (b"accept", b"*/*"),
                (b"accept-encoding", b"gzip, deflate"),
                (b"connection", b"keep-alive"),
                (b"user-agent", b"python-httpx/0.28.1"),
                (b"authorization", b"Bearer " + b"t" * 43),
                (b"content-length", str(len(body)).encode()),
                (b"content-type", b"application/json"),
            ]

            async def receive() -> dict[str, Any]:
                return {"type": "http.request", "body": body, "more_body": False}

            statuses: list[int] = []

            async def send(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    statuses.append(message["status"])

            async def shed(count: int) -> float:
                load.inflight = load.max_inflight  # the door is full
                t0 = time.process_time()
                for _ in range(count):
                    scope = {
                        "type": "http",
                        "asgi": {"version": "3.0", "spec_version": "2.3"},
                        "http_version": "1.1",
                        "server": ("127.0.0.1", 8000),
                        "client": ("127.0.0.1", 40000),
                        "scheme": "http",
                        "method": "POST",
                        "root_path": "",
                        "path": "/v1/interactions",
                        "raw_path": b"/v1/interactions",
                        "query_string": b"",
                        "headers": head,
                        "state": {},
                    }
                    await app(scope, receive, send)
                took = time.process_time() - t0
                load.inflight = 0
                return took / count * 1e6

            async def run() -> dict[str, float]:
                await shed(2000)  # warm: the middleware stack built, caches filled
                with_log = await shed(n)
                access.disabled = True
                without = await shed(n)
                access.disabled = False
                return {"us_per_503": with_log, "us_per_503_no_log": without}

            out = asyncio.run(run())
        finally:
            root.removeHandler(handler)
            log_file.close()
            store.close()
    if set(statuses) != {503}:
        raise RuntimeError(f"not every answer was a 503: {sorted(set(statuses))}")
    return {"hub_root": hub_root, **out}


def run_child(hub_root: str, n: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", "--hub-root", hub_root, "--n", str(n)]
    env = {**os.environ, "PYTHONPATH": hub_root}
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, cwd=hub_root)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--base", default="", help="another checkout: its app measured alternately")
    ap.add_argument("--runs", type=int, default=3, help="runs of each checkout")
    ap.add_argument("--n", type=int, default=20_000, help="503s a run")
    ap.add_argument("--label", default="", help="results file suffix")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--hub-root", default=str(ROOT), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.hub_root, args.n)))
        return 0
    roots = [str(ROOT)] + ([str(Path(args.base).resolve())] if args.base else [])
    runs: dict[str, list[dict[str, Any]]] = {r: [] for r in roots}
    for k in range(args.runs):
        order = roots if k % 2 == 0 else roots[::-1]  # A B B A …
        for root in order:
            r = run_child(root, args.n)
            runs[root].append(r)
            print(
                f"{root}: {r['us_per_503']:.1f} µs a 503, {r['us_per_503_no_log']:.1f} without "
                f"its log line (load {os.getloadavg()[0]:.1f})",
                file=sys.stderr,
                flush=True,
            )
    doc: dict[str, Any] = {
        "name": "shed_cost",
        "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "n": args.n,
        "load_avg": os.getloadavg()[0],
        "runs": runs,
        "medians": {
            root: {
                k: statistics.median(r[k] for r in rs) for k in ("us_per_503", "us_per_503_no_log")
            }
            for root, rs in runs.items()
        },
    }
    if args.base:
        this, base = (doc["medians"][r]["us_per_503"] for r in roots)
        doc["ratio"] = this / base
        print(f"this / base: {doc['ratio']:.2f} ({this:.1f} / {base:.1f} µs a 503)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "shed_cost" + (f"-{args.label}" if args.label else "")
    (RESULTS / f"{name}.json").write_text(json.dumps(doc, indent=1) + "\n")
    for root, m in doc["medians"].items():
        print(
            f"{root}: median {m['us_per_503']:.1f} µs a 503, {m['us_per_503_no_log']:.1f} without"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
