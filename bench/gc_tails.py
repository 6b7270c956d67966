"""How long one of Python's full garbage collections takes over a hub process's feed tails.

A full collection holds the whole hub process (every thread: no request is answered) while it
walks every container Python still tracks. Under the 1,000-terminal load a process keeps a
tail for each of the 100 stores, up to 4,096 entries each (sync/hub/feed_tail.py); this builds
that many tails with ``StoreTail.append`` — everything the process held before frozen
(``gc.freeze``), as a served hub does after its warm-up — lets one collection take its first
look, and times ``gc.collect()``: in this checkout and in ``--base`` (its code, this Python),
alternated A B A B in the same minutes, each in a fresh process; the ratio of the medians.

    python bench/gc_tails.py --base /work/wt/base [--stores 100] [--entries 4096] [--pairs 3]

Results: bench/results/gc_tails-<label>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

_PROBE = """
import gc, json, sys, time
from sync.hub.feed_tail import StoreTail
stores, entries, repeat = map(int, sys.argv[1:4])
gc.collect()
gc.freeze()
tails = []
for s in range(stores):
    tail = StoreTail(base=0)
    for j in range(entries):
        tail.append(s * 10**7 + j + 1, "visit", f"v-{s}-{j:06d}", "upsert", False)
    tails.append(tail)
gc.collect()  # the first look: what can be left out is
times = []
for _ in range(repeat):
    began = time.perf_counter()
    gc.collect()
    times.append((time.perf_counter() - began) * 1000)
print(json.dumps({"ms": times, "tracked": len(gc.get_objects())}))
"""


def probe(root: Path, stores: int, entries: int, repeat: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(stores), str(entries), str(repeat)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    found: dict[str, object] = json.loads(out.stdout)
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--base", required=True, help="the checkout to compare with")
    ap.add_argument("--stores", type=int, default=100)
    ap.add_argument("--entries", type=int, default=4096)
    ap.add_argument("--repeat", type=int, default=9, help="collections timed a process")
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    sides = {"base": Path(args.base).resolve(), "branch": ROOT}
    runs: dict[str, list[dict[str, object]]] = {"base": [], "branch": []}
    for n in range(args.pairs):
        order = ("base", "branch") if n % 2 == 0 else ("branch", "base")
        for side in order:
            got = probe(sides[side], args.stores, args.entries, args.repeat)
            got["median_ms"] = statistics.median(got["ms"])  # type: ignore[arg-type]
            got["load_avg"] = os.getloadavg()[0]
            runs[side].append(got)
            print(
                f"{side:6s} full collection median {got['median_ms']:.2f} ms, "
                f"{got['tracked']} containers tracked, load {got['load_avg']:.1f}",
                file=sys.stderr,
            )
    med = {s: statistics.median(float(r["median_ms"]) for r in runs[s]) for s in runs}  # type: ignore[arg-type]
    result = {
        "name": "gc_tails",
        "stores": args.stores,
        "entries": args.entries,
        "base": str(sides["base"]),
        "runs": runs,
        "median_ms": med,
        "ratio": med["branch"] / med["base"] if med["base"] else None,
    }
    print(
        f"full collection over {args.stores} tails × {args.entries}: base {med['base']:.2f} ms, "
        f"branch {med['branch']:.2f} ms (× {result['ratio']:.2f})"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"gc_tails-{args.label}.json" if args.label else "gc_tails.json"
    (RESULTS / name).write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
