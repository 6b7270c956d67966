"""What every benchmark ends with: its table printed, its results written for run_all.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (linear between the two nearest; NaN when empty)."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def write(
    name: str,
    title: str,
    rows: list[list[Any]],
    *,
    quick: bool,
    reference: str,
    targets: dict[str, float],
    **extra: Any,
) -> Path:
    """Print ``rows`` ([label, value, unit, note]) as a markdown table under ``title`` and
    write bench/results/<name>[-quick].json (what run_all.py puts in docs/benchmarks.md)."""
    print(f"\n| {title} | value | unit | note |")
    print("|---|---:|---|---|")
    for label, value, unit, note in rows:
        print(f"| {label} | {value} | {unit} | {note} |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {"name": name, "rows": rows, "reference": reference, "targets": targets, **extra}
    out = RESULTS / (f"{name}-quick.json" if quick else f"{name}.json")
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return out
