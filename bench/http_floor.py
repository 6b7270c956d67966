"""The floor under bench/hub_load.py: the same terminals against a hub that does nothing.

Issue 20's targets (pull and push p99 ≤ 500 ms at 500 terminals, ≤ 250 ms at 1,000) are
measured by bench/hub_load.py with its load generator on the same 2 cores as the hub. This
bench asks what those cores give before any hub work: the very same generator
(bench/loadgen.py's terminals — push 1–10 visits every 1–5 s, pull every 2–6 s, asyncio + httpx,
split over ``--gen-procs`` processes) against a bare FastAPI app served the way the hub is
(uvicorn, ``--workers 2``) that parses each push's JSON and answers every visit accepted, and
answers every pull with an empty page — no database, no authentication, no validation.
Whatever p99 this shows at N terminals, the hub cannot beat on this machine: it is the HTTP
stack, the framework and the generator alone.

    python bench/http_floor.py                       # 150, 300, 500 and 1,000 terminals, 30 s each
    python bench/http_floor.py --terminals 500 --duration 60 --gen-procs 2
    python bench/http_floor.py --quick               # 100 terminals, 8 s

Writes bench/results/http_floor.json (or http_floor-quick.json).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from fastapi import FastAPI, Request  # noqa: E402

from bench.hubproc import free_port  # noqa: E402
from bench.loadgen import (  # noqa: E402
    CLIENTS,
    Terminal,
    auto_procs,
    breakdown,
    generate,
    generator_rows,
    pct,
    use_client,
)

RESULTS = ROOT / "bench" / "results"

# The capacity floor (bench/hold_floor.py): every accepted push and pull spends WORK_MS of its
# thread's CPU, and a door on the event loop answers 503 + Retry-After past MAX_INFLIGHT
# requests in flight in the process — a hub that does nothing but cost what the hub costs and
# shed as cheaply as this stack can. Unset: the plain floor above (no work, no door).
WORK_ENV = "CLERK_FLOOR_WORK_MS"
DOOR_ENV = "CLERK_FLOOR_MAX_INFLIGHT"
WORK_S = float(os.environ.get(WORK_ENV) or 0) / 1000.0
MAX_INFLIGHT = int(os.environ.get(DOOR_ENV) or 0)
_BUSY = b'{"error":"busy"}'


def spend(seconds: float) -> None:
    """Spin until this thread has used ``seconds`` of CPU (holding the GIL, as Python work does)."""
    if seconds <= 0:
        return
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


class Door:
    """At most ``MAX_INFLIGHT`` requests in flight in this process; the others 503 at once."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.inflight = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not MAX_INFLIGHT or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        if self.inflight >= MAX_INFLIGHT:
            headers = [
                (b"content-type", b"application/json"),
                (b"retry-after", b"1"),
                (b"content-length", str(len(_BUSY)).encode()),
            ]
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": _BUSY})
            return
        self.inflight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.inflight -= 1


app = FastAPI()
app.add_middleware(Door)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v1/interactions")
def interactions(body: dict[str, Any]) -> dict[str, Any]:
    # A sync route, as the hub's are (a worker thread each): the JSON parsed, every visit accepted.
    spend(WORK_S)
    return {"results": [{"id": i["id"], "status": "accepted"} for i in body["interactions"]]}


@app.get("/v1/changes")
def changes(request: Request, since: int = 0, limit: int = 1000) -> dict[str, Any]:
    spend(WORK_S)
    return {"changes": [], "next_cursor": since, "has_more": False}


class BareServer:
    def __init__(self, workers: int, *, work_ms: float = 0.0, max_inflight: int = 0) -> None:
        """``work_ms`` / ``max_inflight``: the capacity floor's (see :data:`WORK_ENV`)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = {WORK_ENV: str(work_ms), DOOR_ENV: str(max_inflight)}
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BareServer:
        cmd = [sys.executable, "-m", "uvicorn", "bench.http_floor:app", "--host", "127.0.0.1"]
        cmd += ["--port", str(self.port), "--workers", str(self.workers), "--log-level", "warning"]
        env = {**os.environ, "PYTHONPATH": str(ROOT), **self.env}
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("the bare server did not start")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


def load(url: str, n: int, duration: float, procs: int) -> dict[str, Any]:
    terminals = [Terminal(f"S{i % 3:03d}", "x", [f"M{i:08d}"], "A01", 0) for i in range(n)]
    gen = generate(url, terminals, duration, procs)
    stats = gen.stats
    failed = sum(v for k, v in stats.statuses.items() if not k.endswith(":200"))
    return {
        "terminals": n,
        "req_s": round(stats.answered / gen.elapsed, 1),
        "accepted_req_s": round((len(stats.pull) + len(stats.push)) / gen.elapsed, 1),
        "shed": len(stats.shed),
        "shed_p99_ms": round(pct(stats.shed, 99) * 1000, 1) if stats.shed else None,
        "pull_p50_ms": round(pct(stats.pull, 50) * 1000, 1),
        "pull_p99_ms": round(pct(stats.pull, 99) * 1000, 1),
        "push_p50_ms": round(pct(stats.push, 50) * 1000, 1),
        "push_p99_ms": round(pct(stats.push, 99) * 1000, 1),
        "not_200": failed,
        **breakdown(gen, n),
        "load_avg": round(os.getloadavg()[0], 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="100 terminals, 8 s")
    ap.add_argument("--terminals", default="150,300,500,1000", help="comma-separated counts")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds of load per count")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--gen-procs",
        type=int,
        default=0,
        metavar="N",
        help="load generator processes (default: one per 250 terminals, at most 4)",
    )
    ap.add_argument("--client", choices=CLIENTS, default="wire", help="the terminals' HTTP client")
    args = ap.parse_args()
    use_client(args.client)
    counts = [100] if args.quick else [int(x) for x in args.terminals.split(",")]
    duration = 8.0 if args.quick else args.duration
    rows = []
    with BareServer(args.workers) as server:
        for n in counts:
            r = load(server.url, n, duration, args.gen_procs or auto_procs(n))
            rows.append(r)
            print(
                f"{n} terminals: {r['req_s']} req/s, pull p99 {r['pull_p99_ms']} ms, push p99 "
                f"{r['push_p99_ms']} ms, not 200: {r['not_200']}, generator "
                f"{r['generator_cpu']:.2f} cores in {r['gen_procs']} process(es), loop lag p99 "
                f"{r['lag_p99_ms']:.0f} ms, load {r['load_avg']}",
                flush=True,
            )
    doc = {
        "name": "http_floor",
        "rows": [
            row
            for r in rows
            for row in [
                *(
                    [f"{r['terminals']} terminals: {m}", r[k], u, f"load avg {r['load_avg']}"]
                    for m, k, u in (
                        ("requests answered", "req_s", "req/s"),
                        ("pull p99", "pull_p99_ms", "ms"),
                        ("push p99", "push_p99_ms", "ms"),
                    )
                ),
                *generator_rows(f"{r['terminals']} terminals", r),
            ]
        ],
        "runs": rows,
        "reference": "this is the reference: the same generator against a hub doing nothing",
        "targets": {"issue 20": "p99 ≤ 500 ms at 500 terminals, ≤ 250 ms at 1,000 (the hub)"},
        "quick": args.quick,
        "duration_s": duration,
        "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    out = RESULTS / ("http_floor-quick.json" if args.quick else "http_floor.json")
    out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
