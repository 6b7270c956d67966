"""The visits report (per-day figures as a text table, CSV or JSON) and the export of every
visit row as CSV: managers only, each one written to the audit log (``export``)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time as time_mod
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime, tzinfo
from typing import Literal

from clerk import audit
from clerk.errors import ClerkError
from clerk.reports.kpis import range_days
from clerk.reports.model import DayKpis
from clerk.staff import Session, require

Format = Literal["table", "csv", "json"]
FORMATS = ("table", "csv", "json")


REPORT_COLUMNS = (
    "date",
    "visits",
    "identified",
    "walk_ins",
    "new",
    "returning",
    "coupons_redeemed",
    "coupons_value_cents",
    "carts_converted",
    "carts_converted_cents",
    "sales",
    "sales_cents",
    "avg_visit_length_s",
    "interactions",
    "unsynced",
    "points_issued",
    "points_redeemed",
    "signups",
)


def _total(rows: Sequence[DayKpis]) -> DayKpis:
    visits = sum(r.visits for r in rows)
    weighted = sum((r.avg_visit_length_s or 0) * r.visits for r in rows)
    sums = {
        name: sum(getattr(r, name) for r in rows)
        for name in DayKpis.__dataclass_fields__
        if name != "avg_visit_length_s"
    }
    return DayKpis(**sums, avg_visit_length_s=round(weighted / visits) if visits else None)


def _money(cents: int) -> str:
    return f"¥{cents / 100:,.2f}"


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds // 60}:{seconds % 60:02d}"


def _table(store_id: str | None, rows: list[tuple[str, DayKpis]]) -> str:
    head = (
        "date",
        "visits",
        "ident",
        "walk-in",
        "new",
        "return",
        "coupons",
        "coupon ¥",
        "carts",
        "cart ¥",
        "sales",
        "sales ¥",
        "avg len",
        "unsynced",
        "pts in",
        "pts out",
        "sign-ups",
    )
    body = [
        (
            label,
            str(k.visits),
            str(k.identified),
            str(k.walk_ins),
            str(k.new),
            str(k.returning),
            str(k.coupons_redeemed),
            _money(k.coupons_value_cents),
            str(k.carts_converted),
            _money(k.carts_converted_cents),
            str(k.sales),
            _money(k.sales_cents),
            _duration(k.avg_visit_length_s),
            str(k.unsynced),
            str(k.points_issued),
            str(k.points_redeemed),
            str(k.signups),
        )
        for label, k in rows
    ]
    widths = [max(len(r[c]) for r in [head, *body]) for c in range(len(head))]
    lines = [f"Visits — store {store_id or '(this terminal only)'}"]
    for n, r in enumerate([head, *body]):
        cells = [r[0].ljust(widths[0])] + [r[c].rjust(widths[c]) for c in range(1, len(r))]
        lines.append("  ".join(cells))
        if n == 0 or n == len(body) - 1:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def visits_report(
    session: Session | None,
    cache: sqlite3.Connection,
    outbox: sqlite3.Connection,
    *,
    store_id: str | None,
    date_from: date,
    date_to: date,
    tz: tzinfo,
    fmt: Format = "table",
    now: int | None = None,
) -> str:
    """Per-day figures for a date range, as a text table, CSV or JSON (managers only).

    ``outbox`` must be writable: the report is recorded in the audit log (``export``).
    """
    s = require(session, "dashboard")
    if fmt != "table":
        require(s, "export")
    if fmt not in FORMATS:
        raise ClerkError(f"unknown report format {fmt!r}: table, csv or json", reason="usage")
    days = range_days(cache, outbox, date_from, date_to, tz, store_id)
    per_day = [(d.isoformat(), k) for d, k, _ in days]
    total = _total([k for _, k in per_day])
    rows = [*per_day, ("total", total)] if len(per_day) > 1 else per_day
    if fmt == "table":
        text = _table(store_id, rows)
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(REPORT_COLUMNS)
        for label, k in rows:
            w.writerow([label, *(getattr(k, c) for c in REPORT_COLUMNS[1:])])
        text = buf.getvalue()
    else:
        text = (
            json.dumps(
                {
                    "store_id": store_id,
                    "from": date_from.isoformat(),
                    "to": date_to.isoformat(),
                    "days": [{"date": label, **asdict(k)} for label, k in per_day],
                    "total": asdict(total),
                },
                ensure_ascii=False,
            )
            + "\n"
        )
    audit.append(
        outbox,
        "export",
        s.staff_id,
        {
            "report": "visits",
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "format": fmt,
            "store_id": store_id,
        },
        int(time_mod.time()) if now is None else now,
    )
    return text


EXPORT_COLUMNS = (
    "date",
    "time",
    "visit_id",
    "member_id",
    "member_ref",
    "member_name",
    "staff_id",
    "staff_name",
    "returning",
    "length_s",
    "interactions",
    "source",
    "sync_state",
)


def export_csv(
    session: Session | None,
    cache: sqlite3.Connection,
    outbox: sqlite3.Connection,
    *,
    store_id: str | None,
    date_from: date,
    date_to: date,
    tz: tzinfo,
    now: int | None = None,
) -> str:
    """Every visit of a date range, one CSV row each (managers only; audited as ``export``)."""
    s = require(session, "export")
    days = range_days(cache, outbox, date_from, date_to, tz, store_id, detail=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(EXPORT_COLUMNS)
    count = 0
    for d, _k, visits in days:
        for v in visits:
            local = datetime.fromtimestamp(v.at, tz)
            w.writerow(
                [
                    d.isoformat(),
                    local.strftime("%H:%M:%S"),
                    v.id,
                    v.member_id or "",
                    v.member_ref or "",
                    v.member_name or "",
                    v.staff_id or "",
                    v.staff_name or "",
                    int(v.returning),
                    v.length_s,
                    v.interactions,
                    v.source,
                    v.sync_state or "",
                ]
            )
            count += 1
    audit.append(
        outbox,
        "export",
        s.staff_id,
        {
            "report": "visit_rows",
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "format": "csv",
            "rows": count,
            "store_id": store_id,
        },
        int(time_mod.time()) if now is None else now,
    )
    return buf.getvalue()
