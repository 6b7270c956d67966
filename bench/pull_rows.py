"""The terminal's CPU per row in a bulk pull, two checkouts alternated (issue 16: the slice pull
≤ 3× a bare executemany; what is left is the terminal's Python per row).

The pages of a seeded hub's store slice are rendered once in the row format (as
``bench/pull_commit.py`` does) and written to a file; each run is then a fresh subprocess that
imports the terminal's code from one checkout (``--roots``: this one and, say, main's at
/work/wt/base) and pulls those pages into a fresh SQLCipher cache.db through the real path —
``HubClient.changes_page`` (its ``_request`` answers the rendered bytes: the client's own parse
+ validation), ``SyncEngine.pull_once`` (a first download in bulk, the page checks,
``apply_runs``, the cursor and state, the commits, ``finish_bulk``). No HTTP and no hub share
the cores with it, so what is timed is the terminal's own work. The checkouts alternate run by
run (A B B A A B …); medians are printed, and the two trees' caches are compared row for row.

    python bench/pull_rows.py --members 70000 --roots .,/work/wt/base --runs 4
    python bench/pull_rows.py --members 70000 --profile   # this tree under cProfile, once
    python bench/pull_rows.py --hub bench/.data/hub-slice-500k.db --max-pages 200 \
        --roots .,/work/wt/base   # the full slice's mix (big runs of browse events), 1 M rows

Python's garbage collector runs here as in a real pull (a page parsed is some 5,000 new
lists): a checkout that collects less shows it in both benches (see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# The worker imports the terminal's code from --root before anything of this checkout's.
if __name__ == "__main__" and "--worker" in sys.argv:
    sys.path.insert(0, sys.argv[sys.argv.index("--worker") + 1])
sys.path.append(str(ROOT))
sys.path.append(str(ROOT / "bench"))


def worker(pages_file: Path, tmp: Path, profile: bool) -> dict[str, Any]:
    """One pull of the rendered pages with the code on sys.path[0]; its figures as a dict."""
    import hashlib
    import threading

    import sync.engine
    from clerk import cache as cache_mod
    from clerk import outbox as outbox_mod
    from sync.client import HubClient
    from sync.engine import SyncEngine

    print(f"terminal code: {Path(sync.engine.__file__).parent.parent}", file=sys.stderr)
    bodies: dict[int, bytes] = pickle.loads(pages_file.read_bytes())
    client = HubClient("http://127.0.0.1:9")

    def answer(method: str, path: str, *, params: dict[str, Any], **_: Any) -> bytes:
        return bodies[params["since"]]

    client._request = answer  # type: ignore[assignment,method-assign]
    client.token = "bench"
    tmp.mkdir(parents=True)
    cache = cache_mod.open_cache(tmp / "cache.db")
    outbox = outbox_mod.open_outbox(tmp / "outbox.db")
    try:
        engine = SyncEngine(cache, outbox, client)
        engine._require_enrolled = lambda: None  # type: ignore[assignment,method-assign,return-value]
        threads: dict[str, float] = {}
        fetch_cpu = 0.0
        original_fetch = HubClient.changes_page

        def timed_fetch(self: Any, *a: Any, **k: Any) -> Any:
            nonlocal fetch_cpu
            t = time.thread_time()
            try:
                return original_fetch(self, *a, **k)
            finally:
                fetch_cpu += time.thread_time() - t

        HubClient.changes_page = timed_fetch  # type: ignore[method-assign]
        prof = None
        if profile:
            import cProfile

            prof = cProfile.Profile()
            threading.setprofile(lambda *a: None)
            prof.enable()
        cpu0 = time.process_time()
        t, own0 = time.perf_counter(), time.thread_time()
        result = engine.pull_once()
        whole, own = time.perf_counter() - t, time.thread_time() - own0
        cpu = time.process_time() - cpu0
        if prof is not None:
            import io
            import pstats

            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(25)
            threads["profile"] = 0.0
            print(out.getvalue(), file=sys.stderr)
        digest = hashlib.sha256()
        for _entity, (table, pk, _cols) in sorted(cache_mod.TABLES.items()):
            for row in cache.execute(f"SELECT * FROM {table} ORDER BY {pk}"):
                digest.update(repr(tuple(row)).encode())
    finally:
        cache.close()
        outbox.close()
    return {
        "changes": result.changes,
        "pages": result.pages,
        "whole_s": whole,
        "cpu_s": cpu,
        "applying_cpu_s": own,
        "fetch_cpu_s": fetch_cpu,
        "digest": digest.hexdigest(),
    }


def render_pages(members: int, limit: int, out: Path, hub: str | None, max_pages: int) -> int:
    """Render the slice's pages (the 70k sync bench hub, or ``hub``: e.g. enrol_slice's
    500k one) into ``out`` (:func:`pull_commit.render`: with ``max_pages``, the first that
    many, the last one saying it has no more)."""
    from pull_commit import render
    from sync_push_pull import DATA, seeded_hub

    label = f"{members // 1000}k" if members % 1000 == 0 else str(members)
    db = Path(hub) if hub else seeded_hub(DATA / f"hub-pull-{label}.db", members)
    bodies, rows = render(db, limit, max_pages)
    out.write_bytes(pickle.dumps(bodies))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--limit", type=int, default=5000)
    parser.add_argument("--roots", default=".", help="checkouts to alternate, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="pulls per checkout")
    parser.add_argument("--hub", help="a hub database to render from (default: the 70k one)")
    parser.add_argument("--max-pages", type=int, default=0, help="only the first N pages")
    parser.add_argument("--profile", action="store_true", help="one pull of the first root")
    parser.add_argument("--label", default="pull-rows", help="results: pull_rows-LABEL.json")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--pages-file", help=argparse.SUPPRESS)
    parser.add_argument("--tmp", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        r = worker(Path(args.pages_file), Path(args.tmp), args.profile)
        print(json.dumps(r))
        return 0
    roots = [str(Path(r).resolve()) for r in args.roots.split(",")]
    with tempfile.TemporaryDirectory(prefix="pull-rows-") as name:
        tmp = Path(name)
        pages_file = tmp / "pages.pickle"
        rows = render_pages(args.members, args.limit, pages_file, args.hub, args.max_pages)
        print(f"{rows:,} change rows rendered", file=sys.stderr)
        results: dict[str, list[dict[str, Any]]] = {r: [] for r in roots}
        loads = [os.getloadavg()[0]]
        runs = 1 if args.profile else args.runs
        for run in range(runs):
            order = roots if run % 2 == 0 else roots[::-1]
            for root in order[:1] if args.profile else order:
                cmd = [sys.executable, __file__, "--worker", root, "--pages-file", str(pages_file)]
                cmd += ["--tmp", str(tmp / f"{run}-{roots.index(root)}")]
                if args.profile:
                    cmd.append("--profile")
                done = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
                r = json.loads(done.stdout.splitlines()[-1])
                if r["changes"] != rows:
                    raise RuntimeError(f"{root}: pulled {r['changes']:,} of {rows:,}")
                results[root].append(r)
                loads.append(os.getloadavg()[0])
                print(
                    f"run {run + 1} {root}: pull {r['whole_s']:.2f} s, CPU {r['cpu_s']:.2f} s "
                    f"(applying thread {r['applying_cpu_s']:.2f}, fetch + parse "
                    f"{r['fetch_cpu_s']:.2f}), load {loads[-1]:.1f}",
                    file=sys.stderr,
                )
    digests = {r["digest"] for v in results.values() for r in v}
    same = len(digests) == 1

    def med(root: str, key: str) -> float:
        return statistics.median(r[key] for r in results[root]) if results[root] else 0.0

    lines = [
        f"The terminal's work in a bulk pull (`bench/pull_rows.py "
        f"{(args.hub and Path(args.hub).name) or f'--members {args.members}'}"
        f"{f' --max-pages {args.max_pages}' if args.max_pages else ''} --runs {runs}`, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
        f"{min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} cores): {rows:,} change rows "
        f"from rendered pages (no HTTP, no hub), the real client parse and engine into a "
        f"SQLCipher cache.db, checkouts alternated, medians; same rows in every cache: {same}.",
        "",
        "| checkout | whole pull s | terminal CPU s | µs/row | applying thread CPU s | "
        "fetch + parse CPU s |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for root in roots:
        if not results[root]:
            continue
        lines.append(
            f"| {root} | {med(root, 'whole_s'):.2f} | {med(root, 'cpu_s'):.2f} | "
            f"{med(root, 'cpu_s') / rows * 1e6:.2f} | {med(root, 'applying_cpu_s'):.2f} | "
            f"{med(root, 'fetch_cpu_s'):.2f} |"
        )
    note = "\n".join(lines)
    print(note)
    if not same:
        print("the caches differ between runs", file=sys.stderr)
        return 1
    if args.profile:
        return 0
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    doc = {"name": "pull_rows", "note": note, "rows": rows, "loads": loads, "runs": results}
    (results_dir / f"pull_rows-{args.label}.json").write_text(
        json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
