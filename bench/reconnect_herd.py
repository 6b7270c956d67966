"""When a fleet of terminals comes back to a restarted hub: the arrivals of their first rounds.

The terminals' own decisions only — sync/scheduler.py's Scheduler, driven by a simulated clock
(no hub, no network, no machine load: the figures do not move with what else runs). N terminals
each run a round every ``--every`` seconds (phases spread), the hub is down from 0 to ``--down``
seconds; each terminal's round fails while it is down, it goes offline and probes at its
probe's pace, and comes back as the scheduler decides. Reported: the first rounds that reach
the hub in each 0.25 s after it is back, the busiest quarter-second and second, and the busiest
second of *every* round (the returned terminals' own too: what the hub serves) until the last
terminal is back, for the scheduler as it is (offline, no round until a probe answers; then one
within the window the hub's answer asks, ``reconnect_s`` — what ``sync.hub.app.ReconnectWindow``
computes for N devices at the default ``HubConfig.reconnect_rate`` — drawn for the terminals'
pace, ``sync.scheduler.reconnect_delay``), as it was in the ninth session (drawn uniformly in
that window), as it was before (the window always ``RECONNECT_SPREAD_S``: a hub that does not
say) and before that (offline, rounds also at their own backoff; the round at once after a
probe's answer) — the same code with ``due_in`` for ``round_due_in`` and the spread 0 — in the
same run, as ratios.

    python bench/reconnect_herd.py                      # 501 terminals, down 3 s and 15 s
    python bench/reconnect_herd.py --terminals 1000 --down 3
    python bench/reconnect_herd.py --rate 100           # the hub's reconnect_rate
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sync.backoff import Backoff  # noqa: E402
from sync.engine import PullResult, PushResult, SyncReport  # noqa: E402
from sync.errors import TransportError  # noqa: E402
from sync.hub.app import HubConfig, ReconnectWindow  # noqa: E402
from sync.scheduler import PROBE_BASE_S, PROBE_CAP_S, RECONNECT_SPREAD_S, Scheduler  # noqa: E402

RESULTS = ROOT / "bench" / "results"
BIN_S = 0.25
REPORT = SyncReport(PushResult(), PullResult(caught_up=True), 0, True)


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def arrivals(
    n: int, down: float, every: float, spread: float, seed: int, before: bool,
    asked: float | None = None, pace: float | None = None,
) -> tuple[list[float], list[float]]:  # fmt: skip
    """When each terminal's first round after the outage reaches the hub (seconds after 0),
    and every round that reaches it until the last first one (the returned terminals' own
    rounds too: what the hub serves). ``asked``: the window the hub's /healthz answer asks
    (None: it does not say, the terminal's own ``spread``). ``pace``: the scheduler's
    ``reconnect_every_s`` (None: its interval; ``math.inf``: uniformly in the window, as the
    ninth session's). ``before``: as the scheduler did before the spread — offline, rounds
    still ran at their own backoff, and the round after a probe's answer at once (``spread``
    0)."""
    clock = Clock()
    first: dict[int, float] = {}
    rounds: list[float] = []

    def engine(i: int) -> Any:
        class Engine:
            def sync_once(self) -> SyncReport:
                if clock.t < down:
                    raise TransportError("refused")
                first.setdefault(i, clock.t)
                rounds.append(clock.t)
                return REPORT

        return Engine()

    def probe() -> float | None:
        if clock.t < down:
            raise TransportError("refused")
        return asked

    rng = random.Random(seed)
    scheds = []
    for i in range(n):
        r = random.Random(rng.random())
        s = Scheduler(
            engine(i),
            interval_s=every,
            clock=clock,
            backoff=Backoff(rng=r),
            probe=probe,
            probe_backoff=Backoff(base=PROBE_BASE_S, cap=PROBE_CAP_S, rng=r),
            reconnect_spread_s=spread,
            reconnect_every_s=pace,
        )
        s._next_run_at = r.uniform(0, every)  # each terminal's phase in its interval
        scheds.append(s)
    # Events: (time, terminal); each step does what Scheduler.run_forever would at that time.
    queue = [(s.next_run_at, i) for i, s in enumerate(scheds)]
    heapq.heapify(queue)
    while queue and len(first) < n:
        t, i = heapq.heappop(queue)
        clock.t = max(clock.t, t)
        s = scheds[i]
        probe_in = s.probe_due_in()
        round_in = s.due_in() if before else s.round_due_in()
        if round_in <= 0:
            s.run_once()
        elif probe_in is not None and probe_in <= 0:
            s.probe_once()
        nxt = clock.t + (s.due_in() if before else s.round_due_in())
        probe_in = s.probe_due_in()
        if probe_in is not None:
            nxt = min(nxt, clock.t + probe_in)
        heapq.heappush(queue, (max(nxt, clock.t + 1e-6), i))
    return sorted(first.values()), sorted(rounds)


def shape(times: list[float], down: float, rounds: list[float]) -> dict[str, float]:
    after = [t - down for t in times]
    bins: dict[int, int] = {}
    for t in after:
        bins[int(t // BIN_S)] = bins.get(int(t // BIN_S), 0) + 1
    per_s = [sum(1 for t in after if k <= t < k + 1) for k in range(int(max(after)) + 1)]
    # Every round in each whole second until the last first one: returning and returned.
    every_round = [t - down for t in rounds]
    all_s = [sum(1 for t in every_round if k <= t < k + 1) for k in range(int(max(after)))]
    return {
        "peak_quarter_s": max(bins.values()),
        "peak_second": max(per_s),
        "peak_second_all": max(all_s, default=per_s[0]),
        "first_second": per_s[0],
        "all_back_s": max(after),
        "median_back_s": after[len(after) // 2],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--terminals", type=int, default=501)
    ap.add_argument("--down", type=float, action="append", default=None, help="seconds down")
    ap.add_argument("--every", type=float, default=3.0, help="a round every S seconds")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument(
        "--rate",
        type=float,
        default=HubConfig.reconnect_rate,
        help="the hub's reconnect_rate (returning rounds a second): its window is N / this",
    )
    ap.add_argument("--label", default="", help="results file suffix")
    args = ap.parse_args()
    window = ReconnectWindow(args.rate)
    window.add(args.terminals)
    asked = window.seconds()  # what the hub's /healthz answers N enrolled terminals
    variants = (  # name, the terminal's own spread, the hub's window, as before, pace
        ("now", RECONNECT_SPREAD_S, asked, False, None),
        ("uniform", RECONNECT_SPREAD_S, asked, False, math.inf),
        ("spread_2s", RECONNECT_SPREAD_S, None, False, math.inf),
        ("before", 0.0, None, True, math.inf),
    )
    rows, runs = [], []
    for down in args.down or [3.0, 15.0]:
        got: dict[str, list[dict[str, float]]] = {name: [] for name, *_ in variants}
        for seed in range(args.seeds):
            for name, spread, hub_asks, before, pace in variants:
                times, rounds = arrivals(
                    args.terminals, down, args.every, spread, seed, before, hub_asks, pace
                )
                got[name].append(shape(times, down, rounds))
        med = {
            name: {k: sorted(r[k] for r in rs)[len(rs) // 2] for k in rs[0]}
            for name, rs in got.items()
        }
        runs.append(
            {"terminals": args.terminals, "down_s": down, "reconnect_s": asked, "median": med}
        )
        for k, unit in (
            ("peak_quarter_s", "rounds"),
            ("peak_second", "rounds"),
            ("peak_second_all", "rounds"),
            ("all_back_s", "s"),
            ("median_back_s", "s"),
        ):
            now, flat, last, before = (
                med[name][k] for name in ("now", "uniform", "spread_2s", "before")
            )
            rows.append(
                [
                    f"{args.terminals} terminals, hub down {down:.0f} s: {k.replace('_', ' ')}",
                    round(now, 2),
                    unit,
                    f"the hub asking a {asked:.1f} s window, drawn for the terminals' pace of a "
                    f"round every {args.every:.0f} s; drawn uniformly in it (ninth session): "
                    f"{round(flat, 2)}, ratio {now / flat:.2f}; "
                    f"within {RECONNECT_SPREAD_S:.0f} s "
                    f"(a hub that does not say): {round(last, 2)}, ratio {now / last:.2f}; "
                    f"before the spread (rounds at their own backoff offline too, at once after "
                    f"a probe): {round(before, 2)}, ratio {now / before:.2f} "
                    f"(medians of {args.seeds} seeds; the steady load: "
                    f"{args.terminals / args.every:.0f} rounds a second)",
                ]
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "reconnect_herd" + (f"-{args.label}" if args.label else "")
    (RESULTS / f"{stem}.json").write_text(
        json.dumps({"name": "reconnect_herd", "rows": rows, "runs": runs}, indent=1)
    )
    for row in rows:
        print(" | ".join(str(x) for x in row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
