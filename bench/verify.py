"""Member-code verification benchmark: time per verify, with bare Ed25519 as the reference.

    python bench/verify.py [--quick] [--count 10000]

Times each of ``--count`` distinct valid codes through ``clerk.membercode.verify`` (prefix and
length checks, Base45, unpack, cached key, Ed25519, time window) and through
``clerk.identify.classify`` (adds input cleaning), and the bare
``Ed25519PublicKey.verify(signature, message)`` of the same codes in the same run. Also times the
rejection of junk (a 1 MB string, a forged code). Target (issue 4): p99 ≤ 1 ms per verify.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from clerk import identify
from clerk.shared import base45, membercode

RESULTS = Path(__file__).resolve().parent / "results"
EXP = 1_750_000_000
NOW = EXP - 30


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def _time_each(fn: Callable[[int], object], n: int) -> list[float]:
    out = []
    clock = time.perf_counter_ns
    for i in range(n):
        t0 = clock()
        fn(i)
        out.append((clock() - t0) / 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 codes")
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args(argv)
    n = 1_000 if args.quick else args.count

    rng = random.Random(7)
    private, public = membercode.generate_keypair()
    keys = {1: public, 2: membercode.generate_keypair()[1]}
    codes = [
        membercode.issue(private, 1, rng.getrandbits(64), exp=EXP, jti=rng.randbytes(6))
        for _ in range(n)
    ]
    raws = [base45.decode(c[4:]) for c in codes]
    messages = [b"MC1:" + r[:20] for r in raws]
    signatures = [r[20:] for r in raws]
    bare_key = Ed25519PublicKey.from_public_bytes(public)
    junk = "MC1:" + "A" * 1_000_000
    forged = membercode.issue(membercode.generate_keypair()[0], 1, 1, exp=EXP)

    def ours(i: int) -> object:
        return membercode.verify(codes[i], keys, NOW)

    def bare(i: int) -> object:
        bare_key.verify(signatures[i], messages[i])
        return None

    def classify(i: int) -> object:
        return identify.classify(codes[i], phone_keys=None, keys=keys, now=NOW)

    def reject(text: str) -> Callable[[int], object]:
        def run(_: int) -> object:
            try:
                membercode.verify(text, keys, NOW)
            except membercode.CodeRejected as exc:
                return exc.reason
            raise AssertionError("accepted")

        return run

    for fn in (ours, bare, classify):  # warm up (key cache, imports)
        for i in range(min(200, n)):
            fn(i)
    # Interleave in blocks so drift on a shared machine hits every method alike.
    series: dict[str, list[float]] = {"verify": [], "bare": [], "classify": []}
    block = 500
    for start in range(0, n, block):
        idx = range(start, min(n, start + block))
        for name, fn in (("verify", ours), ("bare", bare), ("classify", classify)):
            series[name] += _time_each(lambda j, fn=fn, idx=idx: fn(idx[j]), len(idx))
    series["reject 1 MB junk"] = _time_each(reject(junk), min(n, 1000))
    series["reject forged"] = _time_each(reject(forged), min(n, 1000))

    print(f"\n### Member-code verification: {n:,} codes\n")
    print("| what | p50 µs | p99 µs | mean µs |")
    print("|---|---|---|---|")
    rows: list[list[Any]] = []
    for name, values in series.items():
        p50, p99, mean = _pct(values, 0.5), _pct(values, 0.99), statistics.fmean(values)
        print(f"| {name} | {p50:.1f} | {p99:.1f} | {mean:.1f} |")
        note = "target p99 ≤ 1000 µs" if name == "verify" else ""
        if name == "bare":
            note = "reference: Ed25519PublicKey.verify alone"
        rows.append([f"{name}: p50", round(p50, 1), "µs", note])
        rows.append([f"{name}: p99", round(p99, 1), "µs", note])
    ratio = _pct(series["verify"], 0.5) / _pct(series["bare"], 0.5)
    print(f"\n- verify/bare Ed25519 p50: {ratio:.2f}×")
    rows.append(["verify/bare p50", round(ratio, 3), "×", "overhead of parsing and checks"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {
        "name": "verify",
        "rows": rows,
        "reference": "bare Ed25519PublicKey.verify of the same codes, same run",
        "count": n,
        "quick": args.quick,
        "targets": {"verify p99 µs": 1000},
    }
    stem = "verify-quick" if args.quick else "verify"
    (RESULTS / f"{stem}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
