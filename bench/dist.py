"""Benchmark: the Linux bundle's size and start-up time against the venv.

Measures dist/omni-clerk (build it first: `make dist`):
  * bundle size (the folder) and tarball size, MB;
  * `omni-clerk --version` wall time, median of N runs;
  * `omni-clerk demo --screenshot FILE --exit-after 20` wall time (offscreen, warm demo data),
    median of N runs;
and the same two commands from the venv (`.venv/bin/clerk`, or `python -m clerk.cli`) in the
same run as the reference, with the ratio bundle / venv.

    .venv/bin/python bench/dist.py            # N = 5
    .venv/bin/python bench/dist.py --quick    # N = 1, smoke run

Prints a markdown table and writes bench/results/dist.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist" / "omni-clerk"
BUNDLE = DIST / "omni-clerk"
RESULTS = ROOT / "bench" / "results" / "dist.json"


def tarball() -> Path:
    return ROOT / "dist" / f"omni-clerk-linux-{platform.machine()}.tar.gz"


def venv_command() -> list[str]:
    script = ROOT / ".venv" / "bin" / "clerk"
    if script.exists():
        return [str(script)]
    return [str(ROOT / ".venv" / "bin" / "python"), "-m", "clerk.cli"]


def folder_mb(path: Path) -> float:
    total = 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            total += p.stat().st_size
    return total / 1024**2


def env_for(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(CLERK_HOME=str(home), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    return env


def timed(cmd: list[str], home: Path, timeout: float) -> float:
    """Wall seconds of one run; raises RuntimeError with stderr when it fails."""
    start = time.perf_counter()
    proc = subprocess.run(
        cmd,
        env=env_for(home),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[-4:])} exited {proc.returncode}: {proc.stderr[-400:]}")
    return elapsed


def median_of(cmd: list[str], home: Path, runs: int, timeout: float) -> float:
    return statistics.median(timed(cmd, home, timeout) for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run each (smoke)")
    parser.add_argument("--runs", type=int, default=None, help="runs per command (default 5)")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 5)
    if not BUNDLE.exists():
        print(f"bench/dist.py: {BUNDLE} is absent; build it with `make dist`", file=sys.stderr)
        return 1

    rows: list[list[object]] = []
    rows.append(["bundle size (dist/omni-clerk)", round(folder_mb(DIST), 1), "MB", ""])
    tb = tarball()
    if tb.exists():
        rows.append([f"tarball ({tb.name})", round(tb.stat().st_size / 1024**2, 1), "MB", ""])

    work = Path(tempfile.mkdtemp(prefix="bench-dist-"))
    try:
        commands = {"bundle": [str(BUNDLE)], "venv": venv_command()}
        version: dict[str, float] = {}
        for label, cmd in commands.items():
            version[label] = median_of([*cmd, "--version"], work / f"v-{label}", runs, 60)
        rows.append(
            [f"--version, bundle (median of {runs})", round(version["bundle"] * 1000), "ms", ""]
        )
        rows.append(
            [
                f"--version, venv (median of {runs})",
                round(version["venv"] * 1000),
                "ms",
                "reference",
            ]
        )
        rows.append(
            [
                "--version ratio bundle / venv",
                round(version["bundle"] / version["venv"], 2),
                "×",
                "",
            ]
        )

        shot: dict[str, float] = {}
        notes: dict[str, str] = {}
        for label, cmd in commands.items():
            home = work / f"demo-{label}"
            demo = [
                *cmd,
                "demo",
                "--screenshot",
                str(home / "shot.png"),
                "--exit-after",
                "20",
                "--members",
                "300",
            ]
            try:
                timed(demo, home, 300)  # warm-up: seeds the demo hub, enrols, first sync
                shot[label] = median_of(demo, home, runs, 300)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                notes[label] = f"failed: {exc}"[:200]
        for label in commands:
            if label in shot:
                rows.append(
                    [
                        f"demo screenshot run, {label} (median of {runs})",
                        round(shot[label], 2),
                        "s",
                        "reference" if label == "venv" else "warm demo data",
                    ]
                )
            else:
                rows.append([f"demo screenshot run, {label}", None, "s", notes[label]])
        if len(shot) == 2:
            rows.append(
                ["screenshot ratio bundle / venv", round(shot["bundle"] / shot["venv"], 2), "×", ""]
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("| measure | value | unit | note |")
    print("|---|---:|---|---|")
    for label, value, unit, note in rows:
        print(f"| {label} | {'—' if value is None else value} | {unit} | {note} |")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "name": "dist",
                "rows": rows,
                "reference": "the same commands from the venv ("
                + " ".join(Path(c).name if i == 0 else c for i, c in enumerate(venv_command()))
                + "), measured in the same run",
                "runs": runs,
                "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cpus",
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
