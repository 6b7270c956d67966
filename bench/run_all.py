"""`make bench`: run every benchmark and rewrite docs/benchmarks.md from their results.

Each bench/<name>.py prints its own table and writes bench/results/<name>.json:
``{"name", "rows": [[label, value, unit, note], ...], "reference": "...", "targets": {...}}``.
This script runs them one after another (they are not tests: they neither pass nor fail),
then rewrites the page's header (the machine, the date) and each benchmark's table. A
benchmark that crashes is reported as such on the page, with the tail of its output — never
silently left out.

The page is also where the sessions' measurements are written down by hand (quiet re-runs,
before/after pairs, what was tried and not kept). Each section's table sits between the
markers ``<!-- make bench: bench/<name>.py -->`` and ``<!-- /make bench: … -->``: only that
is replaced (:func:`assemble`); the text around it stays as written, and a section without
markers gets them under its heading. A benchmark without a section gets a new one at the end.

    python bench/run_all.py [--quick] [--only lookup,decode]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "benchmarks.md"

# Order: the cheap ones first, the big cache build (lookup) after, the UI last.
BENCHES = [
    ("verify", "Member-code verification"),
    ("pin_cost", "Offline PIN guessing"),
    ("decode", "Barcode decoding on a degraded corpus"),
    ("hub_ingest", "Hub ingest"),
    ("event_ingest", "Behaviour events in (Segment HTTP Tracking API)"),
    ("import", "Master data in (clerk hub import)"),
    ("member_fetch", "Member fetch by proof (cache miss at the hub)"),
    ("sync_push_pull", "Sync: push and pull"),
    ("enrol_slice", "A new terminal for a 500k-member / 20M-event store slice"),
    ("hub_load", "A chain's terminals against one hub (load, shedding, restart, integrity)"),
    ("http_floor", "The floor under the load benchmark: the same terminals, a hub doing nothing"),
    ("hub_overload", "Twice the load that saturates the hub: 503s fast, accepted throughput held"),
    ("hold_floor", "The floor under the 2× hold: a hub that only costs and sheds"),
    ("hold_ab", "The 2× hold against its floor, in the same minutes"),
    ("live_repaint", "Online change → open customer repainted (live)"),
    ("lookup", "Customer 360 lookup at 500k members / 20M events"),
    ("search", "Finding a customer without a code (name, last four, card) at 500k members"),
    ("recommend", "What to offer next: hit rate at 3 vs popularity on a held-back week"),
    ("signup", "Sign-up at the counter → provisional member usable"),
    ("dashboard", "Manager dashboard"),
    ("ui_paint", "Identification → customer view painted"),
    ("wedge_x11", "Scanner on a real X server → customer view painted"),
    ("camera_paint", "Camera frame → customer view painted"),
    ("ui_start", "App start to ready-to-scan"),
    ("all_day", "All day long: 10,000 scans, records and syncs through one app"),
    ("dist", "Terminal bundle"),
]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores{mem}; {system}; Python {platform.python_version()}"


def run(name: str, quick: bool) -> tuple[int, str, float]:
    script = ROOT / "bench" / f"{name}.py"
    if not script.exists():
        return 127, f"bench/{name}.py does not exist", 0.0
    cmd = [sys.executable, str(script)] + (["--quick"] if quick else [])
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    out = proc.stdout + ("\n" + proc.stderr if proc.returncode else "")
    print(proc.stdout, end="")
    if proc.returncode:
        print(proc.stderr[-3000:], file=sys.stderr)
    return proc.returncode, out, time.monotonic() - start


def table(result: dict[str, object]) -> str:
    rows = result.get("rows") or []
    lines = ["| measure | value | unit | note |", "| --- | ---: | --- | --- |"]
    for row in rows:  # type: ignore[union-attr]
        label, value, unit, note = ([*list(row), "", "", "", ""])[:4]
        if isinstance(value, float):
            value = f"{value:,.3f}" if value < 100 else f"{value:,.1f}"
        lines.append(f"| {label} | {value} | {unit} | {note} |")
    return "\n".join(lines)


HEADER_END = "\n## "  # the page's header runs to its first section


def markers(name: str) -> tuple[str, str]:
    return f"<!-- make bench: bench/{name}.py -->", f"<!-- /make bench: bench/{name}.py -->"


def split_sections(text: str) -> list[tuple[str, str]]:
    """The page's sections after its header: (title, body), the body being everything after
    the ``## title`` line up to the next one."""
    out: list[tuple[str, str]] = []
    for part in ("\n" + text).split(HEADER_END)[1:]:
        title, _, body = part.partition("\n")
        out.append((title, body))
    return out


def put_block(body: str, name: str, block: str) -> str:
    """``body`` with benchmark ``name``'s table replaced by ``block`` (under the heading when the
    section has no markers yet)."""
    start, end = markers(name)
    wrapped = f"{start}\n{block.strip()}\n{end}"
    i, j = body.find(start), body.find(end)
    if i >= 0 and j > i:
        return body[:i] + wrapped + body[j + len(end) :]
    return "\n" + wrapped + "\n" + body


def assemble(old: str, header: str, blocks: dict[str, str]) -> str:
    """The new page: ``header``, then the old page's sections in their order, each benchmark's
    table replaced by its block in ``blocks`` (name → text), then new sections for the
    benchmarks the page had none for."""
    names = {title: name for name, title in BENCHES}
    sections = []
    placed = set()
    for title, body in split_sections(old):
        name = names.get(title)
        if name is not None and name in blocks:
            body = put_block(body, name, blocks[name])
            placed.add(name)
        sections.append(f"## {title}\n{body.rstrip()}\n")
    for name, title in BENCHES:
        if name in blocks and name not in placed:
            sections.append(f"## {title}\n{put_block('', name, blocks[name]).rstrip()}\n")
    return header.rstrip() + "\n\n" + "\n".join(sections)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    ap.add_argument("--only", default="", help="comma-separated benchmark names")
    args = ap.parse_args()
    only = {n for n in args.only.split(",") if n}
    RESULTS.mkdir(parents=True, exist_ok=True)
    blocks: dict[str, str] = {}
    for name, _title in BENCHES:
        if only and name not in only:
            kept = RESULTS / (f"{name}-quick.json" if args.quick else f"{name}.json")
            if kept.exists():
                when = dt.datetime.fromtimestamp(kept.stat().st_mtime, dt.UTC)
                result = json.loads(kept.read_text())
                body = table(result)
                if result.get("reference"):
                    body += f"\n\nReference measured in the same run: {result['reference']}"
                blocks[name] = (
                    f"`bench/{name}.py`, not re-run this time: results of "
                    f"{when:%Y-%m-%d %H:%M} UTC.\n\n{body}"
                )
            continue
        print(f"== {name} ==", flush=True)
        stem = f"{name}-quick" if args.quick else name
        path = RESULTS / f"{stem}.json"
        fallback = RESULTS / f"{name}.json"  # a bench without a separate quick file
        stamps = {p: p.stat().st_mtime if p.exists() else 0.0 for p in (path, fallback)}
        code, out, secs = run(name, args.quick)
        if not (path.exists() and path.stat().st_mtime > stamps[path]):
            path = fallback
        before = stamps.get(path, 0.0)
        if code == 0 and path.exists() and path.stat().st_mtime > before:
            result = json.loads(path.read_text())
            ref = result.get("reference")
            body = table(result)
            if ref:
                body += f"\n\nReference measured in the same run: {ref}"
            for note in result.get("notes", []) or []:
                body += f"\n\n{note}"
            blocks[name] = f"`bench/{name}.py`, {secs:.0f} s.\n\n{body}"
        else:
            tail = "\n".join(out.strip().splitlines()[-15:])
            blocks[name] = (
                f"`bench/{name}.py` did not produce results (exit {code}).\n\n```\n{tail}\n```"
            )
    header = (
        "# Benchmarks\n\n"
        "Each section's table between its `make bench` markers is written by `make bench` "
        "(bench/run_all.py) — do not edit it by hand; the text around it is the sessions' own "
        "measurements and findings, kept as written. Benchmarks are not "
        "tests: they measure and print, they do not pass or fail. The machine is shared and "
        "noisy, so figures are medians and percentiles over repeated runs, and each table "
        "carries a reference measured in the same run, as a ratio.\n\n"
        f"- Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}\n"
        f"- Machine: {machine()}\n"
        f"- Mode: {'quick (small sizes)' if args.quick else 'full (the issues target sizes)'}\n"
    )
    old = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    DOC.write_text(assemble(old, header, blocks), encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
