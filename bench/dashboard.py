"""Manager dashboard benchmark: a store day of 2,000 visits, and a month's report.

    python bench/dashboard.py [--quick] [--runs 25] [--visits 2000] [--days 30]

Builds (in a temporary directory) a cache.db and an outbox.db holding ``--days`` days of
``--visits`` visits each — half recorded at this terminal (outbox: visits, product interest,
notes, assisted sales, coupon redemptions, some walk-ins, the last day partly unsynced), half
at the store's other terminals (cache ``visits`` rows from the hub) — over 20,000 members with
online carts, coupons and earlier visit history. Then, in the same run:

* **day**: ``DashboardSource.load`` (opens its connections like the page's worker, then
  ``day_summary`` with last week's comparison + ``sync_health``, clerk/reports/), p50/p95 over
  ``--runs`` runs; **render**: ``DashboardController.apply`` + ``QWidget.grab`` of the page
  (offscreen, 1366×900); their sum per run. Target (issue 7): ≤ 200 ms.
* **month**: ``visits_report`` over the ``--days`` days (table; includes its audit
  append). Target: ≤ 1 s.
* **reference**: the raw aggregate SQL alone — visits per hour of the day (and per day of the
  month) from both files, ``GROUP BY`` in SQLite, rows fetched — and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from report import pct as _pct

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from clerk.cache import open_cache
from clerk.db import Transaction, connect
from clerk.ids import uuid7
from clerk.outbox import META_STORE_ID, open_outbox, set_meta
from clerk.reports.export import visits_report
from clerk.reports.kpis import day_bounds
from clerk.reports.load import REPORT_CACHE_KIB
from clerk.staff import Session

RESULTS = Path(__file__).resolve().parent / "results"
TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2025, 11, 20)
STORE = "S001"
MANAGER = Session("M01", "周建华", "manager", 0)
STAFF = [
    ("A01", "王芳"),
    ("A02", "陈浩然"),
    ("A03", "赵思雨"),
    ("A04", "李静"),
    ("A05", "张伟"),
    ("M01", "周建华"),
]


def _ts(d: date, seconds: int) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=TZ).timestamp()) + seconds


# -- data ---------------------------------------------------------------------------------------


def build(directory: Path, *, visits: int, days: int, members: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    skus = [f"P{n:05d}" for n in range(500)]
    member_ids = [f"M{n:08d}" for n in range(1, members + 1)]
    first_day = DAY - timedelta(days=days - 1)

    cache = open_cache(directory / "cache.db")
    try:
        with Transaction(cache):
            cache.executemany(
                "INSERT INTO staff (id, name, role, pin_hash, active) VALUES (?, ?, ?, NULL, 1)",
                [
                    (sid, name, "manager" if sid.startswith("M") else "associate")
                    for sid, name in STAFF
                ],
            )
            cache.executemany(
                "INSERT INTO products (sku, title_zh, title_en, category, price_cents) "
                "VALUES (?, ?, ?, 'x', ?)",
                [(s, f"商品{s}", f"Product {s}", rng.randint(50, 5000) * 100) for s in skus],
            )
            cache.executemany(
                "INSERT INTO members (id, name, tier, points) VALUES (?, ?, 'basic', 0)",
                [(m, f"会员{m[-5:]}") for m in member_ids],
            )
            carts, coupons, history = [], [], []
            for k, m in enumerate(member_ids):
                if rng.random() < 0.3:
                    for j in range(rng.randint(1, 3)):
                        carts.append(
                            (
                                f"K{k}-{j}",
                                m,
                                rng.choice(skus),
                                1,
                                rng.randint(50, 3000) * 100,
                                _ts(first_day, 0) - rng.randint(1, 60) * 86400,
                                rng.choice(("open", "open", "bought")),
                            )
                        )
                if rng.random() < 0.25:
                    coupons.append(
                        (
                            f"Q{k}",
                            m,
                            "券",
                            "Coupon",
                            rng.choice(("amount_off", "percent_off")),
                            rng.choice((2000, 5000, 10)),
                            0,
                            "{}",
                            0,
                            2_000_000_000,
                            "live",
                            None,
                        )
                    )
                if rng.random() < 0.5:  # visits before the month, some at other stores
                    history.append(
                        (
                            f"V{k}",
                            m,
                            rng.choice((STORE, "S002")),
                            "店",
                            "王芳",
                            "visit",
                            None,
                            _ts(first_day, 0) - rng.randint(1, 365) * 86400,
                        )
                    )
            cache.executemany(
                "INSERT INTO cart_items (id, member_id, sku, qty, price_cents, added_at, state) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                carts,
            )
            cache.executemany(
                "INSERT INTO coupons (id, member_id, title_zh, title_en, rule, value, "
                "min_spend_cents, applies_to, valid_from, expires_at, state, used_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                coupons,
            )
            cache.executemany(
                "INSERT INTO visits (id, member_id, store_id, store_name, staff_name, kind, "
                "text, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                history,
            )
        coupon_of = {c[1]: c[0] for c in coupons}

        ob = open_outbox(directory / "outbox.db")
        try:
            set_meta(ob, {META_STORE_ID: STORE})
            local: list[tuple[Any, ...]] = []
            hub: list[tuple[Any, ...]] = []
            seq = 0
            for n in range(days):
                d = first_day + timedelta(days=n)
                last = d == DAY
                for _ in range(visits):
                    at = _ts(d, int(rng.triangular(10 * 3600, 22 * 3600, 16 * 3600)))
                    here = rng.random() < 0.5
                    sid, sname = rng.choice(STAFF[:5])
                    walk_in = here and rng.random() < 0.15
                    member = None if walk_in else rng.choice(member_ids)
                    ref = f"card:62{rng.randint(10**8, 10**9)}" if walk_in else None
                    steps: list[tuple[str, dict[str, Any]]] = [("visit", {})]
                    for _ in range(rng.choice((0, 1, 1, 2, 3))):
                        kind = rng.choice(("interest", "interest", "note", "sale", "redeem"))
                        sku = rng.choice(skus)
                        if kind == "interest":
                            steps.append(("interest", {"sku": sku, "action": "asked_about"}))
                        elif kind == "note":
                            steps.append(("note", {"text": "size 42"}))
                        elif kind == "sale":
                            amount = rng.randint(50, 3000) * 100
                            line = {"sku": sku, "qty": 1, "price_cents": amount}
                            steps.append(("sale", {"items": [line], "amount_cents": amount}))
                        elif member and member in coupon_of and here:
                            steps.append(("redeem", {"coupon_id": coupon_of[member]}))
                    t = at
                    for kind, payload in steps:
                        iid = str(uuid7((t * 1000) + rng.randint(0, 999)))
                        if here:
                            seq += 1
                            state = rng.choice(("pending", "sent", "acked")) if last else "acked"
                            local.append(
                                (
                                    iid,
                                    seq,
                                    kind,
                                    member,
                                    ref,
                                    sid,
                                    json.dumps(payload, ensure_ascii=False),
                                    t,
                                    state,
                                )
                            )
                        elif member is not None:  # the hub's history row: text and facts
                            facts = {k: v for k, v in payload.items() if k != "text"}
                            row = (STORE, "店", sid, sname, kind, payload.get("text"))
                            hub.append((iid, member, *row, json.dumps(facts), t))
                        t += rng.randint(30, 600)
            with Transaction(ob):
                ob.executemany(
                    "INSERT INTO interactions (id, device_seq, kind, member_id, member_ref, "
                    "staff_id, payload, created_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    local,
                )
            ob.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            ob.close()
        with Transaction(cache):
            cache.executemany(
                "INSERT INTO visits (id, member_id, store_id, store_name, staff_id, staff_name, "
                "kind, text, facts, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                hub,
            )
        cache.execute("ANALYZE")
        cache.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        cache.close()


# -- measuring ----------------------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall ms, CPU ms of this process, result)."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return (time.perf_counter() - t0) * 1000.0, (time.process_time() - c0) * 1000.0, out


def month_report(home: Path, first: date, now: int) -> str:
    """What ``clerk report visits --from … --to …`` does after the sign-in: open both files
    (a writer on outbox.db for the audit row), compute, format, audit, close."""
    cache = open_cache(home / "cache.db")
    ob = open_outbox(home / "outbox.db")
    try:
        for conn in (cache, ob):
            conn.execute(f"PRAGMA cache_size = -{REPORT_CACHE_KIB}")
        return visits_report(
            MANAGER,
            cache,
            ob,
            store_id=STORE,
            date_from=first,
            date_to=DAY,
            tz=TZ,
            fmt="table",
            now=now,
        )
    finally:
        cache.close()
        ob.close()


def raw_day_sql(cache: sqlite3.Connection, ob: sqlite3.Connection, day: date) -> list[Any]:
    start, end = day_bounds(day, TZ)
    rows = ob.execute(
        "SELECT (created_at - ?) / 3600 AS h, count(*) FROM interactions WHERE kind = 'visit' "
        "AND state != 'rejected' AND created_at >= ? AND created_at < ? GROUP BY h",
        (start, start, end),
    ).fetchall()
    rows += cache.execute(
        "SELECT (at - ?) / 3600 AS h, count(*) FROM visits WHERE kind = 'visit' "
        "AND store_id = ? AND at >= ? AND at < ? GROUP BY h",
        (start, STORE, start, end),
    ).fetchall()
    return rows


def raw_month_sql(
    cache: sqlite3.Connection, ob: sqlite3.Connection, first: date, last: date
) -> list[Any]:
    start, _ = day_bounds(first, TZ)
    _, end = day_bounds(last, TZ)
    rows = ob.execute(
        "SELECT (created_at - ?) / 86400 AS d, kind, count(*) FROM interactions "
        "WHERE state != 'rejected' AND created_at >= ? AND created_at < ? GROUP BY d, kind",
        (start, start, end),
    ).fetchall()
    rows += cache.execute(
        "SELECT (at - ?) / 86400 AS d, kind, count(*) FROM visits WHERE store_id = ? "
        "AND at >= ? AND at < ? GROUP BY d, kind",
        (start, STORE, start, end),
    ).fetchall()
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="200 visits a day, 7 days, 5 runs")
    ap.add_argument("--runs", type=int, default=25, help="runs of the day (≥ 20)")
    ap.add_argument("--visits", type=int, default=2000, help="visits a day")
    ap.add_argument("--days", type=int, default=30, help="days in the month's report")
    ap.add_argument("--members", type=int, default=20_000)
    args = ap.parse_args()
    visits = 200 if args.quick else args.visits
    days = 7 if args.quick else args.days
    runs = 5 if args.quick else max(20, args.runs)
    month_runs = 3 if args.quick else 10
    members = 2_000 if args.quick else args.members

    from clerk.terminal import Terminal
    from ui.qt import QApplication
    from ui.screens import dashboard_screen

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        home = Path(tmp)
        t0 = time.perf_counter()
        build(home, visits=visits, days=days, members=members)
        build_s = time.perf_counter() - t0
        now = _ts(DAY, 22 * 3600)
        terminal = Terminal(home, clock=lambda: now)
        controller = dashboard_screen(MANAGER, terminal, tz=TZ, refresh_ms=3_600_000)
        page = controller.view
        page.resize(1366, 900)
        page.show()
        controller.runner.wait_idle()
        for _ in range(3):
            app.processEvents()
        source = controller.source
        cache = open_cache(home / "cache.db", readonly=True)
        ob = connect(home / "outbox.db", synchronous="FULL", readonly=True)
        load_before = os.getloadavg()[0]
        try:
            wall: dict[str, list[float]] = {k: [] for k in ("load", "render", "total", "raw")}
            cpu: dict[str, list[float]] = {k: [] for k in ("load", "render", "total")}
            data = None
            for k in range(runs):
                if k % 2:  # interleave: the reference first on odd runs
                    wall["raw"].append(timed(lambda: raw_day_sql(cache, ob, DAY))[0])
                w_load, c_load, data = timed(lambda: source.load(DAY))

                def render(d: Any = data) -> Any:
                    controller.apply(d)
                    return page.grab()

                w_render, c_render, _ = timed(render)
                for bucket, load_v, render_v in ((wall, w_load, w_render), (cpu, c_load, c_render)):
                    bucket["load"].append(load_v)
                    bucket["render"].append(render_v)
                    bucket["total"].append(load_v + render_v)
                if not k % 2:
                    wall["raw"].append(timed(lambda: raw_day_sql(cache, ob, DAY))[0])
            assert data is not None
            kpis = data.summary.kpis
            first = DAY - timedelta(days=days - 1)
            month_wall: list[float] = []
            month_cpu: list[float] = []
            month_raw: list[float] = []
            for k in range(month_runs):
                if k % 2:
                    month_raw.append(timed(lambda: raw_month_sql(cache, ob, first, DAY))[0])
                w, c, _ = timed(lambda: month_report(home, first, now))
                month_wall.append(w)
                month_cpu.append(c)
                if not k % 2:
                    month_raw.append(timed(lambda: raw_month_sql(cache, ob, first, DAY))[0])
        finally:
            cache.close()
            ob.close()
            controller.shutdown()
            page.deleteLater()
            app.processEvents()
            terminal.close()
        load_after = os.getloadavg()[0]

    def pct(values: list[float], q: float) -> float:
        return round(_pct(values, q), 1)

    raw50 = _pct(wall["raw"], 0.5)
    mraw50 = _pct(month_raw, 0.5)
    m50 = _pct(month_wall, 0.5)
    size = f"{visits:,} visits a day"
    rows: list[list[Any]] = [
        ["day: compute + render, p50", pct(wall["total"], 0.5), "ms", size],
        ["day: compute + render, p95", pct(wall["total"], 0.95), "ms", "target ≤ 200 ms"],
        [
            "day: compute + render, CPU p50",
            pct(cpu["total"], 0.5),
            "ms",
            "process CPU time of the same runs",
        ],
        ["day: compute + render, CPU p95", pct(cpu["total"], 0.95), "ms", ""],
        [
            "day: compute, p50",
            pct(wall["load"], 0.5),
            "ms",
            "DashboardSource.load on the page's worker connections: day_summary (with last "
            "week) + sync_health",
        ],
        ["day: compute, p95", pct(wall["load"], 0.95), "ms", ""],
        [
            "day: render, p50",
            pct(wall["render"], 0.5),
            "ms",
            "controller.apply + page.grab(), offscreen 1366×900",
        ],
        ["day: render, p95", pct(wall["render"], 0.95), "ms", ""],
        [
            "raw aggregate SQL (day), p50",
            round(raw50, 2),
            "ms",
            "reference: visits per hour, both files",
        ],
        [
            "day compute / raw SQL",
            round(_pct(wall["load"], 0.5) / raw50, 1) if raw50 else None,
            "×",
            "",
        ],
        [
            f"month report ({days} days), p50",
            round(m50, 1),
            "ms",
            f"as `clerk report visits` after sign-in: open, compute, format, audit; "
            f"{days * visits:,} visits",
        ],
        [f"month report ({days} days), p95", pct(month_wall, 0.95), "ms", "target ≤ 1,000 ms"],
        [f"month report ({days} days), CPU p50", pct(month_cpu, 0.5), "ms", ""],
        [
            "raw aggregate SQL (month), p50",
            round(mraw50, 2),
            "ms",
            "reference: per day and kind, both files",
        ],
        ["month report / raw SQL", round(m50 / mraw50, 1) if mraw50 else None, "×", ""],
        ["visits on the measured day", kpis.visits, "", f"{kpis.interactions:,} records"],
        ["runs", runs, "", f"month: {month_runs}; data built in {build_s:.1f} s"],
        [
            "load average (1 min)",
            round(load_before, 2),
            "",
            f"before; {load_after:.2f} after, on {os.cpu_count()} cores: above 1 per core, wall "
            "times include waiting for a CPU (compare the CPU rows)",
        ],
    ]
    print(f"## Manager dashboard ({size}, {days}-day month)\n")
    print("| measure | value | unit | note |\n| --- | ---: | --- | --- |")
    for label, value, unit, note in rows:
        print(f"| {label} | {value} | {unit} | {note} |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {
        "name": "dashboard",
        "rows": rows,
        "reference": "raw aggregate SQL (GROUP BY hour / day in SQLite on both files), "
        "interleaved in the same run",
        "targets": {"day_compute_render_p95_ms": 200, "month_report_ms": 1000},
    }
    out = RESULTS / ("dashboard-quick.json" if args.quick else "dashboard.json")
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
