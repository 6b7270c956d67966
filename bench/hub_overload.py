"""Issue 20's third target: at twice the load that saturates the hub, 503s come back fast and
the accepted throughput holds.

The target: "at 2× the load that saturates: 503s answered in ≤ 50 ms p99, throughput of
accepted requests within 10 % of the peak, nothing lost". This bench finds the load that
saturates by doubling the terminals (bench/hub_load.py's terminals and hub, no restart) until
the requests accepted (200) a second stop rising — by less than ``--rise`` (5 %) from one count
to the next. The count before that step is the load that saturates, the count after it is twice
that load; both were measured. Reported: the peak of accepted requests a second over the sweep
and the 2× run's share of it, the 503s at 2× — p99 at the terminal, at the hub (its access log,
from its first ASGI layer) and the hub workers' event-loop lag (how long a request's bytes can
wait before the hub sees them) — and the integrity check (lost / doubled, and the pushes still
unacknowledged after the drain: bench/loadgen.py's terminals going on as their scheduler would).

The reference, measured in the same run: bench/http_floor.py's bare app (uvicorn, 2 workers, no
database, every request answered at once) under the same terminals at 2× — the p99 the HTTP
stack and the generator alone give on this machine. A 503 cannot come back faster than that.

    python bench/hub_overload.py                          # SQLite, 3 stores, from 3 × 100
    python bench/hub_overload.py --backend postgres --start 100
    python bench/hub_overload.py --quick                  # a short run (3 × 100 up, 8 s each)
    python bench/hub_overload.py --hub-root /other/checkout --label before

Writes bench/results/hub_overload[-quick][-LABEL].json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import http_floor  # noqa: E402
from bench.hub_load import MEMBERS, RESULTS, one_run  # noqa: E402
from bench.loadgen import CLIENTS, auto_procs, use_client  # noqa: E402

TARGET_SHED_P99_MS = 50.0
TARGET_HOLD = 0.90  # accepted at 2x within 10 % of the peak
MAX_STEPS = 5  # 300 -> 4,800 terminals from the default start


def run_args(args: argparse.Namespace) -> argparse.Namespace:
    """The arguments bench/hub_load.py's one_run reads: no restart, the sweep's duration."""
    return argparse.Namespace(
        members=args.members,
        workers=args.workers,
        profile="",
        hub_root=args.hub_root,
        hub_nice=0,
        duration=args.duration,
        no_restart=True,
        gen_procs=0,
        decode_all=False,
    )


def saturation(sweep: list[dict[str, Any]], rise: float) -> int | None:
    """The index of the run that saturates: the first whose next run accepted less than
    ``rise`` more a second (None: still rising at the sweep's end)."""
    for i in range(len(sweep) - 1):
        if sweep[i + 1]["accepted_req_s"] < sweep[i]["accepted_req_s"] * (1.0 + rise):
            return i
    return None


def hold_of(
    ones: list[dict[str, Any]], twos: list[dict[str, Any]]
) -> tuple[float, float, float, list[float]]:
    """Runs at the saturating load and at twice it, alternated: (the medians accepted a second
    at each, the hold as their ratio, each pair's own ratio) — 0 where the 1x run accepted
    nothing."""
    one_med = statistics.median(r["accepted_req_s"] for r in ones)
    two_med = statistics.median(r["accepted_req_s"] for r in twos)
    pairs = [
        b["accepted_req_s"] / a["accepted_req_s"] if a["accepted_req_s"] else 0.0
        for a, b in zip(ones, twos, strict=True)
    ]
    return one_med, two_med, two_med / one_med if one_med else 0.0, pairs


def summary(r: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "terminals",
        "accepted_req_s",
        "req_s",
        "shed",
        "shed_p99_ms",
        "hub_503_p99_ms",
        "hub_loop_lag_p50_ms",
        "hub_loop_lag_p99_ms",
        "pull_p99_ms",
        "push_p99_ms",
        "hub_push_p50_ms",
        "burst_in",
        "hub_cpu_ms_per_req",
        "lag_p99_ms",
        "generator_cpu",
        "lost",
        "doubled",
        "unacked",
        "unacked_at_hub",
        "drain_s",
        "drain_unfinished",
        "drain_behind",
        "feed_missing",
        "errors_5xx",
        "load_avg",
    )
    return {k: r.get(k) for k in keep}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a short run: 3 × 100 up, 8 s each")
    ap.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--stores", type=int, default=3)
    ap.add_argument("--start", type=int, default=100, help="terminals per store, first run")
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of load per run")
    ap.add_argument("--rise", type=float, default=0.05, help="'still rising': by this share")
    ap.add_argument(
        "--pair",
        type=int,
        default=0,
        metavar="N",
        help="no sweep: N terminals (in all) taken as the load that saturates, then 2N — on a "
        "busy machine one 20 s run moves enough to send the sweep on to 4N",
    )
    ap.add_argument("--members", type=int, default=MEMBERS)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--hub-root", default=str(ROOT), help="the checkout whose hub is served")
    ap.add_argument("--no-floor", action="store_true", help="skip the bare app's reference run")
    ap.add_argument(
        "--repeat",
        type=int,
        default=0,
        metavar="N",
        help="then N more runs each of the saturating and the 2× count, alternated: the hold is "
        "the ratio of their medians (one 20 s run moves ±15 %% on this machine)",
    )
    ap.add_argument("--label", default="", help="results file suffix (e.g. before)")
    ap.add_argument(
        "--client",
        choices=CLIENTS,
        default="wire",
        help="the terminals' HTTP client: bench/wire.py (lean, default) or httpx",
    )
    args = ap.parse_args()
    use_client(args.client)
    if args.quick:
        args.start, args.duration = 100, 8.0
    one = run_args(args)
    sweep: list[dict[str, Any]] = []
    per_store = args.pair // args.stores if args.pair else args.start
    at: int | None = None
    for step in range(2 if args.pair else MAX_STEPS):
        r = one_run(one, args.backend, args.stores, per_store)
        sweep.append(summary(r))
        print(
            f"{r['terminals']} terminals: {r['accepted_req_s']:.0f} accepted/s, "
            f"{r['shed']} 503s (p99 {r['shed_p99_ms'] or 0:.0f} ms at the terminal), "
            f"hub loop lag p99 {r['hub_loop_lag_p99_ms'] or 0:.0f} ms, load {r['load_avg']:.1f}",
            file=sys.stderr,
            flush=True,
        )
        at = 0 if args.pair and step == 1 else saturation(sweep, args.rise)
        if at is not None:
            break
        per_store *= 2
    peak = max(s["accepted_req_s"] for s in sweep)
    doc: dict[str, Any] = {
        "name": "hub_overload",
        "backend": args.backend,
        "stores": args.stores,
        "duration_s": args.duration,
        "sweep": sweep,
        "peak_accepted_req_s": peak,
        "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_avg": os.getloadavg()[0],
        "targets": {
            "503 p99 at 2x (ms)": TARGET_SHED_P99_MS,
            "accepted at 2x, share of the peak": TARGET_HOLD,
        },
        "reference": "bench/http_floor.py's bare app under the same terminals at 2x, same run",
    }
    rows: list[list[Any]] = [
        [
            f"{s['terminals']} terminals: accepted / answered",
            f"{s['accepted_req_s']:.0f} / {s['req_s']:.0f}",
            "req/s",
            f"{s['shed']} 503s; hub loop lag p99 {s['hub_loop_lag_p99_ms'] or 0:.1f} ms; "
            f"load {s['load_avg']:.1f}",
        ]
        for s in sweep
    ]
    if at is None:
        rows.append(["saturation", "not reached", "", f"still rising at {sweep[-1]['terminals']}"])
    else:
        sat, double = sweep[at], sweep[at + 1]
        n2 = double["terminals"]
        hold = double["accepted_req_s"] / peak if peak else 0.0
        doc.update(saturating=sat["terminals"], double=n2, hold=hold)
        if args.repeat > 0:
            ones, twos = [sat], [double]
            for _ in range(args.repeat):
                for runs, n in ((ones, sat["terminals"]), (twos, n2)):
                    r = one_run(one, args.backend, args.stores, n // args.stores)
                    runs.append(summary(r))
                    print(
                        f"again {n} terminals: {r['accepted_req_s']:.0f} accepted/s, "
                        f"{r['shed']} 503s, load {r['load_avg']:.1f}",
                        file=sys.stderr,
                        flush=True,
                    )
            one_med, two_med, hold_med, pairs = hold_of(ones, twos)
            doc.update(repeat=args.repeat, again_saturating=ones, again_double=twos)
            doc.update(hold_median=hold_med, hold_pairs=pairs)
            rows.append(
                [
                    f"{n2} terminals against {sat['terminals']}, {len(ones)} runs each: "
                    "accepted, median share",
                    f"{hold_med:.0%}",
                    "",
                    f"medians {two_med:.0f} of {one_med:.0f} a second; pair by pair "
                    f"{', '.join(f'{x:.0%}' for x in pairs)} (target ≥ {TARGET_HOLD:.0%}); "
                    f"503s at 2× {', '.join(str(r['shed']) for r in twos)}",
                ]
            )
        rows += [
            [
                "the load that saturates → twice it",
                f"{sat['terminals']} → {n2}",
                "terminals",
                f"given (--pair {args.pair})"
                if args.pair
                else f"accepted rose < {args.rise:.0%} from {sat['terminals']} to {n2}",
            ],
            [
                f"{n2} terminals: accepted, share of the peak",
                f"{hold:.0%}",
                "",
                f"{double['accepted_req_s']:.0f} of {peak:.0f} a second "
                f"(target ≥ {TARGET_HOLD:.0%})",
            ],
            [
                f"{n2} terminals: 503 p99 at the terminal / at the hub",
                f"{double['shed_p99_ms'] or 0:.0f} / {double['hub_503_p99_ms'] or 0:.0f}",
                "ms",
                f"{double['shed']} 503s; the hub's loop lag p99 "
                f"{double['hub_loop_lag_p99_ms'] or 0:.1f} ms (target ≤ {TARGET_SHED_P99_MS:.0f})",
            ],
            [
                f"{n2} terminals: lost / doubled / unacknowledged after the drain",
                f"{double['lost']} / {double['doubled']} / {double['unacked']}",
                "",
                f"sampled feeds missing {double['feed_missing']}; other 5xx "
                f"{double['errors_5xx']}; drain {double['drain_s'] or 0:.0f} s, "
                f"{double['drain_unfinished']} terminals still holding a batch at its bound",
            ],
        ]
        if not args.no_floor:
            with http_floor.BareServer(args.workers) as server:
                floor = http_floor.load(server.url, n2, args.duration, auto_procs(n2))
            doc["floor"] = floor
            worst = max(floor["pull_p99_ms"], floor["push_p99_ms"])
            rows.append(
                [
                    f"{n2} terminals, the bare app (reference): p99 pull / push",
                    f"{floor['pull_p99_ms']:.0f} / {floor['push_p99_ms']:.0f}",
                    "ms",
                    f"{floor['req_s']:.0f} req/s; the 503 p99 at the terminal is "
                    f"{(double['shed_p99_ms'] or 0) / max(worst, 1e-9):.1f}× the floor's p99; "
                    f"generator loop lag p99 {floor['lag_p99_ms']:.0f} ms",
                ]
            )
    doc["rows"] = rows
    stem = "hub_overload" + ("-quick" if args.quick else "")
    stem += f"-{args.label}" if args.label else ""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    for row in rows:
        print(" | ".join(str(x) for x in row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
