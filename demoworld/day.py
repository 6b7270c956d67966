"""A business day at the demo store, for the manager's dashboard and the recent customers.

Demo only: the app's demo (``clerk demo``) writes it through the terminal like any record, so
it syncs to the demo hub.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from clerk import outbox as outbox_mod
from clerk import view360
from clerk.cache import open_cache

DEMO_NOTES = (
    "想看新款的其他颜色",
    "问了会员积分怎么抵现",
    "下周带家人再来试穿",
    "对比了线上价格，当场下单",
    "需要大一码，已帮忙调货",
)


def seed_demo_day(terminal: Any, *, now: int | None = None) -> date:
    """Demo only: a business day of this terminal's work — visits through the day by the
    store's associates, notes, products asked about, coupons redeemed on online carts and the
    sales that followed — and a quieter one a week before, so the manager's dashboard has a
    day to show and to compare. Today when it is afternoon already, else yesterday (10:00 to
    21:30). Written to the outbox (they sync to the demo hub like any record), once per day
    (a day with records of the seeded members is left as it is); the first ten members (the
    demo's member codes, the hero) are left alone. Returns the day to show."""
    now = int(terminal.clock()) if now is None else now
    local = datetime.fromtimestamp(now).astimezone()
    day = local.date() if local.hour >= 13 else local.date() - timedelta(days=1)
    for offset, visits, skip in ((0, 28, 10), (7, 19, 40)):
        opening = datetime.combine(day - timedelta(days=offset), datetime.min.time())
        start = int(opening.astimezone().timestamp())
        _seed_day(terminal, start, min(now - 600, start + 21 * 3600 + 1800), visits, skip)
    return day


def _seed_day(terminal: Any, day_start: int, closing: int, visits: int, skip: int) -> int:
    outbox = terminal.outbox
    cache = open_cache(terminal.cache_path, readonly=True)
    try:
        staff = [
            str(r[0])
            for r in cache.execute(
                "SELECT id FROM staff WHERE role = 'associate' AND active = 1 ORDER BY id"
            )
        ]
        members = [
            str(r[0])
            for r in cache.execute(
                "SELECT id FROM members ORDER BY id LIMIT ? OFFSET ?", (visits, skip)
            )
        ]
    finally:
        cache.close()
    if not staff or not members:
        return 0
    marks = ",".join("?" * len(members))
    if outbox.execute(  # seeded before (the hero's scans today do not count)
        f"SELECT 1 FROM interactions WHERE created_at >= ? AND created_at < ? "
        f"AND member_id IN ({marks}) LIMIT 1",
        (day_start, day_start + 86_400, *members),
    ).fetchone():
        return 0
    rng = random.Random(day_start)
    opening = day_start + 10 * 3600
    written = 0

    def put(kind: str, member_id: str, sid: str, at: int, payload: dict[str, Any]) -> None:
        nonlocal written
        outbox_mod.record(
            outbox, kind, member_id=member_id, staff_id=sid, payload=payload, now=min(at, closing)
        )
        written += 1

    span = max(600, closing - 900 - opening)
    for i, member_id in enumerate(members):
        at = opening + int(span * rng.betavariate(2.2, 1.6))  # busier in the afternoon
        sid = staff[i % len(staff)]
        via = ("member_code", "member_code", "card", "phone")[i % 4]
        view = terminal.view(member_id)
        visit: dict[str, Any] = {"via": via}
        if view is not None and view.talking_points:  # what the scan showed ("did it work?")
            visit["shown"] = list(view360.shown(view))
        put("visit", member_id, sid, at, visit)
        if view is None:
            continue
        # Usable now, and already valid when this (perhaps last week's) redemption happens:
        # the hub refuses a coupon redeemed before its start.
        redeem_at = min(at + 240, closing)
        usable = {
            c.id
            for c in view.coupons
            if c.status in ("usable", "expiring") and c.valid_from <= redeem_at < c.expires_at
        }
        line = next((c for c in view.cart if c.coupon_id in usable), None)
        if line is not None and rng.random() < 0.6:
            put("redeem", member_id, sid, at + 240, {"coupon_id": line.coupon_id})
            items = [{"sku": line.product.sku, "qty": line.qty, "price_cents": line.price_cents}]
            sale = {
                "items": items,
                "amount_cents": line.price_cents * line.qty,
                "cart_item_ids": [line.id],
            }
            put("sale", member_id, sid, at + 420, sale)
        elif view.browsing and rng.random() < 0.7:
            browsed = view.browsing[int(rng.random() * min(3, len(view.browsing)))]
            action = "tried_on" if rng.random() < 0.5 else "asked_about"
            wish = {"sku": browsed.product.sku, "action": action}
            put("interest", member_id, sid, at + 120, wish)
        if rng.random() < 0.35:
            put("note", member_id, sid, at + 60, {"text": DEMO_NOTES[i % len(DEMO_NOTES)]})
    return written
