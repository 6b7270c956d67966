"""What to offer next, measured: hit rate at 3 on a held-back week of the demo world's orders,
the recommender against a popularity baseline.

    python bench/recommend.py [--quick] [--members 50000] [--seeds 1 2 3]

For each seed, the demo world (``demoworld/orders.py``: each member's orders of the last 180
days, deterministic by seed) is split at a week before its ``now``: the recommender learns from
the orders and browsing before (``sync.hub.recommend.learn``), and each of the week's buyers is
offered three products as the terminal would (``clerk.recommend``: the online cart, the latest
orders and browsing as anchors; nothing they own). A hit: one of the three was bought that
week. Popularity offers the three most bought products the buyer does not have. Both are
reported; the recommender must beat popularity (issue 18).
"""

from __future__ import annotations

import argparse
import time

from report import write

from demoworld.orders import held_back_week
from demoworld.world import WorldSpec

NOW = 1_764_000_000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="6,000 members, 1,000 products")
    ap.add_argument("--members", type=int, default=50_000)
    ap.add_argument("--products", type=int, default=3000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = ap.parse_args()
    members, products = (6000, 1000) if args.quick else (args.members, args.products)
    rows: list[list[object]] = []
    wins = 0
    for seed in args.seeds:
        spec = WorldSpec(
            members=members, seed=seed, now=NOW, products=products, events_per_member=20
        )
        t0 = time.perf_counter()
        r = held_back_week(spec)
        took = time.perf_counter() - t0
        wins += r.recommended > r.popular
        note = f"{r.members} buyers, {r.week_orders} orders in the week, {r.train_orders} before"
        rows.append([f"seed {seed}: recommended, hit@{r.k}", f"{r.recommended:.1%}", "", note])
        rows.append([f"seed {seed}: popularity, hit@{r.k}", f"{r.popular:.1%}", "", ""])
        rows.append([f"seed {seed}: learn + score", f"{took:.1f}", "s", ""])
    rows.append(
        ["seeds where the recommender wins", f"{wins}/{len(args.seeds)}", "", "target: all"]
    )
    write(
        "recommend",
        f"Recommendations vs popularity ({members:,} members, {products:,} products)",
        rows,
        quick=args.quick,
        reference="popularity: the three most bought products the buyer does not have",
        targets={"wins": len(args.seeds)},
    )


if __name__ == "__main__":
    main()
