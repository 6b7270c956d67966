"""Issue 20's hold at 2×, the hub against its floor in the same minutes.

bench/hub_overload.py measures the hub's hold (the requests accepted a second at twice the
saturating terminals, as a share of those at the saturating count); bench/hold_floor.py measures
what *any* hub with the same CPU per accepted request could hold with the same generator on the
same cores. Run apart, minutes apart, the two moved ±15 % run to run on this shared machine and
their comparison said little. Here they alternate in cycles at fixed counts (``--pair N``: N and
2N terminals), the order turned each cycle (hub N, hub 2N, floor N, floor 2N; then floor, hub):

- the hub: bench/hub_load.py's hub and terminals (SQLite, ``--stores`` stores, no restart), its
  drain and integrity check (nothing lost, doubled or unacknowledged);
- the floor: bench/http_floor.py's bare app under the same generator, spending per accepted
  request the CPU the hub spent per request served in the same cycle's run at N (the hub's own
  figure, so the floor is the hub's weight without its shedding or its database), a door of
  ``--max-inflight`` a process answering 503 at once.

Reported: each cycle's hold of each (2N's accepted over N's), the medians, the ratio of the
hub's hold to the floor's — a hub at its floor reads 1.0 — and the generator's cores.

    python bench/hold_ab.py --pair 1200 --cycles 3
    python bench/hold_ab.py --pair 1200 --cycles 1 --duration 10 --hub-root /work/wt/base
    python bench/hold_ab.py --quick                  # 300 and 600 terminals, 8 s, one cycle

Writes bench/results/hold_ab[-quick][-LABEL].json.
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

from bench.hold_floor import one as floor_one  # noqa: E402
from bench.hub_load import MEMBERS, RESULTS, one_run  # noqa: E402
from bench.hub_overload import TARGET_HOLD, run_args, summary  # noqa: E402
from bench.loadgen import CLIENTS, use_client  # noqa: E402


def hold(one: dict[str, Any], two: dict[str, Any]) -> float:
    """Accepted a second at 2N over those at N (0 when N accepted nothing)."""
    return two["accepted_req_s"] / one["accepted_req_s"] if one["accepted_req_s"] else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pair", type=int, default=1200, help="N: the saturating terminals (in all)")
    ap.add_argument("--cycles", type=int, default=3)
    ap.add_argument("--stores", type=int, default=3)
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of load per run")
    ap.add_argument("--members", type=int, default=MEMBERS)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--max-inflight", type=int, default=48, help="the floor's door, a process")
    ap.add_argument("--hub-root", default=str(ROOT), help="the checkout whose hub is served")
    ap.add_argument("--label", default="", help="results file suffix")
    ap.add_argument("--client", choices=CLIENTS, default="wire", help="the terminals' client")
    ap.add_argument("--quick", action="store_true", help="300 and 600 terminals, 8 s, one cycle")
    args = ap.parse_args()
    use_client(args.client)
    if args.quick:
        args.pair, args.cycles, args.duration = 300, 1, 8.0
    args.start, args.rise, args.backend = args.pair // args.stores, 0.05, "sqlite"
    hub_args = run_args(args)
    n1, n2 = args.pair, 2 * args.pair
    load_start = os.getloadavg()
    cycles: list[dict[str, Any]] = []

    def hub_run(n: int) -> dict[str, Any]:
        r = summary(one_run(hub_args, "sqlite", args.stores, n // args.stores))
        print(
            f"hub {r['terminals']}: {r['accepted_req_s']:.0f} accepted/s, {r['shed']} 503s, "
            f"{r['hub_cpu_ms_per_req'] or 0:.2f} ms a request, generator "
            f"{r['generator_cpu']:.2f} cores, load {r['load_avg']:.1f}",
            file=sys.stderr,
            flush=True,
        )
        return r

    for c in range(args.cycles):
        runs: dict[str, Any] = {}
        order = ("hub", "floor") if c % 2 == 0 else ("floor", "hub")
        for side in order:
            if side == "hub":
                runs["hub1"], runs["hub2"] = hub_run(n1), hub_run(n2)
            else:
                # The floor spends what the hub spent a request: its last run at N's figure.
                last = runs.get("hub1") or (cycles[-1]["hub1"] if cycles else None)
                work = (last or {}).get("hub_cpu_ms_per_req") or 1.8
                args.work_ms = round(float(work), 2)
                runs["floor1"], runs["floor2"] = floor_one(args, n1), floor_one(args, n2)
                runs["work_ms"] = args.work_ms
        runs["hub_hold"] = hold(runs["hub1"], runs["hub2"])
        runs["floor_hold"] = hold(runs["floor1"], runs["floor2"])
        cycles.append(runs)
        print(
            f"cycle {c + 1}: hub holds {runs['hub_hold']:.0%}, floor {runs['floor_hold']:.0%}",
            file=sys.stderr,
            flush=True,
        )

    hub_holds = [float(c["hub_hold"]) for c in cycles]
    floor_holds = [float(c["floor_hold"]) for c in cycles]
    med = statistics.median
    hub_med = med(c["hub2"]["accepted_req_s"] for c in cycles) / med(
        c["hub1"]["accepted_req_s"] for c in cycles
    )
    floor_med = med(c["floor2"]["accepted_req_s"] for c in cycles) / med(
        c["floor1"]["accepted_req_s"] for c in cycles
    )
    integrity = [
        (c["hub2"]["lost"], c["hub2"]["doubled"], c["hub2"]["unacked"]) for c in cycles
    ] + [(c["hub1"]["lost"], c["hub1"]["doubled"], c["hub1"]["unacked"]) for c in cycles]
    rows: list[list[Any]] = [
        [
            f"cycle {i + 1}: accepted a second at {n1} → {n2}, hub / floor",
            f"{c['hub1']['accepted_req_s']:.0f} → {c['hub2']['accepted_req_s']:.0f} / "
            f"{c['floor1']['accepted_req_s']:.0f} → {c['floor2']['accepted_req_s']:.0f}",
            "req/s",
            f"hold {c['hub_hold']:.0%} / {c['floor_hold']:.0%}; floor work {c['work_ms']} ms; "
            f"generator {c['hub2']['generator_cpu']:.2f} / {c['floor2']['generator_cpu']:.2f} "
            f"cores at 2×; load {c['hub2']['load_avg']:.1f}",
        ]
        for i, c in enumerate(cycles)
    ]
    rows += [
        [
            f"hold at {n2} against {n1}, medians: hub / floor",
            f"{hub_med:.0%} / {floor_med:.0%}",
            "",
            f"cycle by cycle {', '.join(f'{h:.0%}' for h in hub_holds)} / "
            f"{', '.join(f'{f:.0%}' for f in floor_holds)} (target ≥ {TARGET_HOLD:.0%})",
        ],
        [
            "the hub's hold over its floor's (reference), median of the cycles",
            f"{med(h / f for h, f in zip(hub_holds, floor_holds, strict=True) if f):.2f}",
            "×",
            "1.0: the hub holds what a hub of its CPU a request with no shedding cost holds",
        ],
        [
            "hub: lost / doubled / unacknowledged after the drain, all runs",
            " / ".join(str(sum(x[i] or 0 for x in integrity)) for i in range(3)),
            "",
            f"{len(integrity)} runs",
        ],
    ]
    doc = {
        "name": "hold_ab",
        "pair": [n1, n2],
        "stores": args.stores,
        "duration_s": args.duration,
        "cycles": cycles,
        "hub_hold_median": hub_med,
        "floor_hold_median": floor_med,
        "targets": {"accepted at 2x, share of the peak": TARGET_HOLD},
        "reference": "bench/hold_floor.py's floor at the hub's CPU a request, same cycles",
        "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_avg": {"start": load_start, "end": os.getloadavg()},
        "rows": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "hold_ab" + ("-quick" if args.quick else "") + (f"-{args.label}" if args.label else "")
    (RESULTS / f"{stem}.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    for row in rows:
        print(" | ".join(str(x) for x in row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
