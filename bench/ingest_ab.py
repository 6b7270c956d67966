"""Two hubs' Segment ingest on PostgreSQL, alternated run by run: the CPU an event of each.

``bench/event_ingest.py`` runs one hub for a minute and then the other: on shared cores the
machine's load moves by half between the two, and with it every CPU figure. Here both hubs
(this checkout's and ``--base``'s, each with its own database seeded by its own code, each
``--workers`` processes) are up at once, and short runs alternate between them — A B, B A, …
— so each pair shares its minutes. Per run: events/s and the CPU an event of the senders
(this process, bench/wire.py), of the hub's processes and of the database server's processes
of its database; the medians of each side and, per pair, the ratio of this checkout's CPU an
event (hub + server) to the base's — the reference, measured in the same run.

    python bench/ingest_ab.py --base /work/wt/base            # CLERK_TEST_PG_URL
    python bench/ingest_ab.py --base ../main --pairs 10 --events 16000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.event_ingest import SENDERS, make_batch, run_http, seed  # noqa: E402
from bench.hubproc import Hub, pg_database  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "ingest_ab.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--base",
        type=lambda text: Path(text).resolve(),
        required=True,
        help="the other checkout (its hub, its .venv's Python, its seed)",
    )
    parser.add_argument("--pairs", type=int, default=8)
    parser.add_argument("--events", type=int, default=16_000, help="per run, all senders")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--workers", type=int, default=2, help="each hub's worker processes")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    pg = os.environ.get("CLERK_TEST_PG_URL")
    if not pg:
        parser.error("CLERK_TEST_PG_URL is not set (scripts/postgres.sh start)")

    load_start = os.getloadavg()
    sides = {"base": args.base, "this": ROOT}
    runs: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    hubs: dict[str, Hub] = {}
    dbs = {side: pg_database(pg, f"omni_ab_{side}_{os.getpid()}") for side in sides}
    with tempfile.TemporaryDirectory(prefix="ingest-ab-") as tmp:
        os.environ["CLERK_HUB_KEYS_FILE"] = str(Path(tmp) / "hub.keys")
        try:
            work: dict[str, tuple[list[str], list[str], str]] = {}
            for side, root in sides.items():
                print(f"[{side}] seeding {args.members} members …", file=sys.stderr)
                members, skus, _source, key = seed(dbs[side], args.members, root)
                work[side] = (members, skus, key)
                hubs[side] = Hub(dbs[side], args.workers, root=root)
            rng = random.Random(42)
            per_sender = max(1, args.events // SENDERS // args.batch)

            def one(side: str) -> dict[str, float]:
                members, skus, key = work[side]
                batches = [
                    [make_batch(rng, members, skus, args.batch) for _ in range(per_sender)]
                    for _ in range(SENDERS)
                ]
                n = sum(len(b) for s in batches for b in s)
                elapsed, taken, senders, hub, server = run_http(hubs[side], key, batches, dbs[side])
                if taken != n:
                    raise RuntimeError(f"{side}: taken {taken} of {n}")
                return {
                    "events_s": n / elapsed,
                    "senders_us": senders / n * 1e6,
                    "hub_us": hub / n * 1e6,
                    "server_us": server / n * 1e6,
                    "load": os.getloadavg()[0],
                }

            for side in sides:  # warm-up: connections, prepared statements, the collector
                one(side)
            for pair in range(args.pairs):
                order = list(sides) if pair % 2 == 0 else list(reversed(sides))
                for side in order:
                    r = one(side)
                    runs[side].append(r)
                    print(
                        f"pair {pair + 1} {side}: {r['events_s']:,.0f}/s; CPU an event: "
                        f"senders {r['senders_us']:.1f}, hub {r['hub_us']:.1f}, "
                        f"server {r['server_us']:.1f} µs (load {r['load']:.1f})",
                        file=sys.stderr,
                    )
        finally:
            for hub in hubs.values():
                hub.stop()
            with psycopg.connect(pg, autocommit=True) as admin:
                for db in dbs.values():
                    name = db.rpartition("/")[2]
                    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def med(side: str, field: str) -> float:
        return statistics.median(r[field] for r in runs[side])

    ratios = [
        (t["hub_us"] + t["server_us"]) / (b["hub_us"] + b["server_us"])
        for t, b in zip(runs["this"], runs["base"], strict=True)
    ]
    rows = []
    for side in sides:
        cpu = [r["hub_us"] + r["server_us"] for r in runs[side]]
        rows.append(
            [
                side,
                round(med(side, "events_s")),
                round(med(side, "hub_us"), 1),
                round(med(side, "server_us"), 1),
                round(statistics.median(cpu), 1),
                round(med(side, "senders_us"), 1),
            ]
        )
    print("| hub | events/s | hub µs/event | server µs/event | hub + server | senders |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print("| " + " | ".join(f"{v:,}" if isinstance(v, (int, float)) else v for v in row) + " |")
    print(
        f"\nThis checkout's CPU an event (hub + server) over the base's, per pair: "
        f"{', '.join(f'{r:.2f}' for r in ratios)}; median {statistics.median(ratios):.2f} "
        f"({sum(r < 1 for r in ratios)} of {len(ratios)} pairs below 1)."
    )
    print(f"Load average: {load_start} at the start, {os.getloadavg()} at the end.")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "name": "ingest_ab",
                "base": str(args.base),
                "reference": "the base checkout's hub, alternated run by run in the same minutes",
                "events_per_run": per_sender * SENDERS * args.batch,
                "workers": args.workers,
                "runs": runs,
                "ratios_hub_server": ratios,
                "median_ratio": statistics.median(ratios),
                "load_average": {"start": load_start, "end": os.getloadavg()},
            },
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
