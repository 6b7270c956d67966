"""What one offline guess at a staff PIN costs: argon2id as PINs are hashed, on one core.

    python bench/pin_cost.py [--quick] [--samples N]

Anyone with a terminal's data directory holds the store's PIN hashes (the terminal checks PINs
offline) and can guess as fast as argon2id allows. This times one verify of a PIN hash made
with our parameters (``clerk.shared.pins``) on one core (the process is pinned to one CPU; CPU
time and wall time), p50 and p95, and projects the core-hours to try every 4-digit PIN (10^4:
an associate's) and every 6-digit one (10^6: a manager's). Target (issue 14): ≥ 24 core-hours
for 10^6. Reference in the same run: argon2-cffi's default parameters (RFC 9106's low-memory
profile, 4 lanes — their CPU time on the same one core).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

from argon2 import PasswordHasher
from report import pct, write

from clerk.shared import pins

TARGET_CORE_HOURS = 24.0


def _one_core() -> str:
    """Pin this process to one CPU (the one it runs on): a guess costs what one core does."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpu = sorted(os.sched_getaffinity(0))[0]
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def _time(verify: Callable[[], object], n: int) -> tuple[list[float], list[float]]:
    """(CPU seconds, wall seconds) of ``n`` verifies, after one warm-up."""
    verify()
    cpu, wall = [], []
    for _ in range(n):
        c0, w0 = time.process_time(), time.perf_counter()
        verify()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return cpu, wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 samples")
    parser.add_argument("--samples", type=int, default=25)
    args = parser.parse_args(argv)
    n = 5 if args.quick else args.samples
    pinned = _one_core()

    ours = pins.hasher()
    ours_hash = ours.hash("483920")
    cpu, wall = _time(lambda: ours.verify(ours_hash, "483920"), n)
    default = PasswordHasher()
    default_hash = default.hash("483920")
    ref_cpu, ref_wall = _time(lambda: default.verify(default_hash, "483920"), n)

    p50, p95 = pct(cpu, 0.5), pct(cpu, 0.95)
    hours = {k: p50 * 10**k / 3600 for k in (4, 6)}
    ref_hours = pct(ref_cpu, 0.5) * 10**6 / 3600
    params = (
        f"argon2id t={pins.ARGON2_TIME_COST}, m={pins.ARGON2_MEMORY_KIB // 1024} MiB, "
        f"p={pins.ARGON2_PARALLELISM}"
    )
    ref_params = (
        f"argon2id t={default.time_cost}, m={default.memory_cost // 1024} MiB, "
        f"p={default.parallelism}"
    )
    rows = [
        ["one guess, CPU p50", round(p50 * 1000, 1), "ms", f"{params}; {pinned}"],
        ["one guess, CPU p95", round(p95 * 1000, 1), "ms", ""],
        ["one guess, wall p50 (sign-in)", round(pct(wall, 0.5) * 1000, 1), "ms", ""],
        ["every 4-digit PIN (10^4)", round(hours[4], 2), "core-hours", "an associate's"],
        [
            "every 6-digit PIN (10^6)",
            round(hours[6], 1),
            "core-hours",
            f"a manager's; target ≥ {TARGET_CORE_HOURS:.0f}",
        ],
        [
            "reference: argon2 default, CPU p50",
            round(pct(ref_cpu, 0.5) * 1000, 1),
            "ms",
            ref_params,
        ],
        ["reference: argon2 default, 10^6 PINs", round(ref_hours, 1), "core-hours", ""],
    ]
    write(
        "pin_cost",
        "Offline PIN guessing",
        rows,
        quick=args.quick,
        reference=(
            f"argon2-cffi's default parameters ({ref_params}) cost "
            f"{pct(ref_cpu, 0.5) * 1000:.0f} ms of one core per guess "
            f"({pct(ref_wall, 0.5) * 1000:.0f} ms wall with its 4 lanes on one core); ours "
            f"{p50 * 1000:.0f} ms = {p50 / pct(ref_cpu, 0.5):.2f}× that"
        ),
        targets={"core_hours_10e6": TARGET_CORE_HOURS},
        samples=n,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
