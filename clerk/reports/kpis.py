"""A day's figures from its events (the definitions are in :mod:`clerk.reports`): the
KPIs, visits with their length and interactions, by hour, by associate, the products asked
about — one day, a day with last week's for comparison, or each day of a range."""

from __future__ import annotations

import gc
import sqlite3
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from clerk import outbox as outbox_mod
from clerk import signup
from clerk.errors import ClerkError
from clerk.reports.load import Event, Reader
from clerk.reports.model import (
    AssociateStats,
    DayKpis,
    DaySummary,
    ProductInterest,
    VisitRow,
    Worked,
)
from clerk.shared.interactions import CONVERSION_KINDS

TOP_PRODUCTS = 10
MAX_REPORT_DAYS = 366


@contextmanager
def _bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while tens of thousands of short-lived row objects
    are made (none of them forms a cycle): measured a third off a month's report."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def day_bounds(day: date, tz: tzinfo) -> tuple[int, int]:
    """Unix seconds of the store-local midnight starting ``day`` and the next one."""
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return int(start.timestamp()), int(end.timestamp())


def _int(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    return 0


def _coupon_value(rule: str, value: int, basis: int) -> int:
    if rule == "amount_off":
        return value
    if rule == "percent_off":
        return basis * value // 100
    return 0


@dataclass(slots=True)
class _Visit:
    event: Event
    last_at: int
    records: int = 1  # the visit and the interactions that follow it
    followed_by_sale: bool = False  # a sale or a redemption among them


@dataclass(slots=True)
class _Day:
    kpis: DayKpis
    by_hour: tuple[int, ...]
    associates: tuple[AssociateStats, ...]
    products: tuple[ProductInterest, ...]
    visits: tuple[VisitRow, ...]
    worked: tuple[Worked, ...] = ()


@dataclass(slots=True)
class _Pass:
    """One walk over a day's events: visits with their interactions, and the rows by kind."""

    visits: list[_Visit] = field(default_factory=list)
    owner: dict[str, _Visit] = field(default_factory=dict)  # interaction id → its visit
    sales: list[Event] = field(default_factory=list)
    redeems: list[Event] = field(default_factory=list)
    interests: list[Event] = field(default_factory=list)
    points_redeemed: int = 0
    unsynced: int = 0


def _walk(events: list[Event]) -> _Pass:
    """A visit collects the member's later interactions in the same lane (terminal) until
    their next visit there."""
    p = _Pass()
    current: dict[tuple[str, str], _Visit] = {}
    unsettled = outbox_mod.UNSETTLED
    for e in events:
        kind = e.kind
        if e.state in unsettled:
            p.unsynced += 1
        if kind == "sale":
            p.sales.append(e)
        elif kind == "redeem":
            p.redeems.append(e)
        elif kind == "points_redeem":
            p.points_redeemed += _int(e.payload.get("points"))
        elif kind == "interest":
            p.interests.append(e)
        key = e.key
        if key is None:
            continue
        lane = (e.lane, key)
        if kind == "visit":
            v = _Visit(e, e.at)
            current[lane] = v
            p.visits.append(v)
        else:
            owning = current.get(lane)
            if owning is not None:
                if e.at > owning.last_at:
                    owning.last_at = e.at
                owning.records += 1
                p.owner[e.id] = owning
                if kind in FOLLOW_KINDS:
                    owning.followed_by_sale = True
    return p


def _compute(
    data: Reader,
    events: list[Event],
    tz: tzinfo,
    returning_ids: set[str],
    *,
    detail: bool = True,
    span: tuple[int, int] | None = None,
) -> _Day:
    """The day's figures; ``span``: its [start, end) for the hub's points ledger (points
    issued), None to leave them out (a drill-down)."""
    walk = _walk(events)
    visits, owner, sales, redeems = walk.visits, walk.owner, walk.sales, walk.redeems
    returning_ids = {v.event.id for v in visits if v.event.id in returning_ids}

    amounts = [_int(s.payload.get("amount_cents")) for s in sales]
    sale_basis: dict[int, int] = defaultdict(int)  # id(visit) → sales in that visit
    for s, amount in zip(sales, amounts, strict=True):
        owning = owner.get(s.id)
        if owning is not None:
            sale_basis[id(owning)] += amount

    # coupons: the redemptions of this terminal and of the store's others (the hub's rows)
    coupon_ids = [str(e.payload.get("coupon_id")) for e in redeems if e.payload.get("coupon_id")]
    rules = data.coupons(coupon_ids) if coupon_ids else {}
    coupon_value = 0
    for e in redeems:
        rule = rules.get(str(e.payload.get("coupon_id")))
        if rule is None:
            continue
        basis = _int(e.payload.get("amount_cents"))
        if not basis:
            owning = owner.get(e.id)
            basis = sale_basis.get(id(owning), 0) if owning is not None else 0
        coupon_value += _coupon_value(rule[0], rule[1], basis)
    redeemed = len(redeems)

    # online carts converted in store (a sale's items are read only if the member has a cart)
    sale_members = {s.member_id for s in sales if s.member_id}
    carts = data.carts(sale_members) if sale_members else {}
    converted: dict[str, int] = {}
    for s in sales:
        lines = carts.get(s.member_id or "")
        if not lines:
            continue
        items = s.payload.get("items")
        skus = (
            {str(i.get("sku")) for i in items if isinstance(i, dict) and i.get("sku")}
            if isinstance(items, list)
            else set()
        )
        named = s.payload.get("cart_item_ids")
        ids = {str(i) for i in named} if isinstance(named, list) else set()
        for cid, sku, qty, price, added in lines:
            if added < s.at and (sku in skus or cid in ids):
                converted[cid] = qty * price

    total_length = 0
    identified = 0
    for v in visits:
        total_length += v.last_at - v.event.at
        if v.event.member_id is not None:
            identified += 1
    kpis = DayKpis(
        visits=len(visits),
        identified=identified,
        walk_ins=len(visits) - identified,
        new=len(visits) - len(returning_ids),
        returning=len(returning_ids),
        coupons_redeemed=redeemed,
        coupons_value_cents=coupon_value,
        carts_converted=len(converted),
        carts_converted_cents=sum(converted.values()),
        sales=len(sales),
        sales_cents=sum(amounts),
        avg_visit_length_s=round(total_length / len(visits)) if visits else None,
        interactions=len(events),
        unsynced=walk.unsynced,
        points_issued=data.points_issued(*span) if span is not None else 0,
        points_redeemed=walk.points_redeemed,
    )
    if not detail:
        return _Day(kpis, (), (), (), ())

    by_hour = [0] * 24
    rows: list[VisitRow] = []
    names = data.member_names(v.event.member_id for v in visits if v.event.member_id)
    for v in visits:
        e = v.event
        hour = datetime.fromtimestamp(e.at, tz).hour
        by_hour[hour] += 1
        rows.append(
            VisitRow(
                id=e.id,
                at=e.at,
                hour=hour,
                member_id=e.member_id,
                member_ref=e.member_ref,
                member_name=names.get(e.member_id) if e.member_id else None,
                staff_id=e.staff_id,
                staff_name=e.staff_name,
                returning=e.id in returning_ids,
                length_s=v.last_at - e.at,
                interactions=v.records,
                source=e.source,
                sync_state=e.state,
            )
        )

    per: dict[tuple[str | None, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for e in events:
        name = e.staff_name or (e.staff_id or "")
        acc = per[(e.staff_id, name)]
        acc[1] += 1
        if e.kind == "visit":
            acc[0] += 1
        elif e.kind == "sale":
            acc[2] += 1
            acc[3] += _int(e.payload.get("amount_cents"))
        elif e.kind == "redeem":
            acc[4] += 1
    associates = tuple(
        sorted(
            (AssociateStats(sid, name, *acc) for (sid, name), acc in per.items()),
            key=lambda a: (-a.visits, -a.interactions, a.name, a.staff_id or ""),
        )
    )

    asked = Counter(str(e.payload["sku"]) for e in walk.interests if e.payload.get("sku"))
    top = sorted(asked.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_PRODUCTS]
    titles = data.products(sku for sku, _ in top)
    products = tuple(
        ProductInterest(
            sku,
            titles[sku][0] if sku in titles else None,
            titles[sku][1] if sku in titles else None,
            count,
        )
        for sku, count in top
    )
    return _Day(kpis, tuple(by_hour), associates, products, tuple(rows), _worked(walk))


FOLLOW_KINDS = CONVERSION_KINDS  # what "it worked" means: a sale or a redemption
ANY_SHOWN = "*"  # Worked.kind of the visits that showed any talking point


def _worked(walk: _Pass) -> tuple[Worked, ...]:
    """Per kind of talking point shown at a visit's scan (``Visit.shown``), the visits that
    showed it and those of them with a sale or a redemption in the same visit."""
    followed = {id(v) for v in walk.visits if v.followed_by_sale}
    shown: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for v in walk.visits:
        kinds = v.event.payload.get("shown")
        if not isinstance(kinds, list) or not kinds:
            continue
        for kind in {k for k in kinds if isinstance(k, str)} | {ANY_SHOWN}:
            shown[kind] += 1
            if id(v) in followed:
                hits[kind] += 1
    return tuple(
        Worked(kind, n, hits[kind])
        for kind, n in sorted(shown.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def _returning(data: Reader, events: Sequence[Event]) -> set[str]:
    """Ids of the visits among ``events`` (in time order) that are not the member's first
    visit ever: an earlier visit in ``events`` or anywhere before them in the data."""
    firsts: dict[str, int] = {}
    returning: set[str] = set()
    for e in events:
        if e.kind != "visit" or e.key is None:
            continue
        if e.key in firsts:
            returning.add(e.id)
        else:
            firsts[e.key] = e.at
    if not firsts:
        return returning
    before = data.seen_before(firsts)
    for e in events:
        if e.kind == "visit" and e.key in before:
            returning.add(e.id)
    return returning


def day_summary(
    cache: sqlite3.Connection,
    outbox: sqlite3.Connection,
    day: date,
    tz: tzinfo,
    store_id: str | None,
) -> DaySummary:
    """The day at this store, from this terminal's outbox and the hub's rows in the cache."""
    with _bulk():
        return _day_summary(cache, outbox, day, tz, store_id)


def _day_summary(
    cache: sqlite3.Connection,
    outbox: sqlite3.Connection,
    day: date,
    tz: tzinfo,
    store_id: str | None,
) -> DaySummary:
    data = Reader(cache, outbox, store_id)
    start, end = day_bounds(day, tz)
    lw_start, lw_end = day_bounds(day - timedelta(days=7), tz)
    events = data.events(start, end)
    lw_events = data.events(lw_start, lw_end)
    today = _compute(data, events, tz, _returning(data, events), span=(start, end))
    last_week = _compute(
        data, lw_events, tz, _returning(data, lw_events), detail=False, span=(lw_start, lw_end)
    )
    return DaySummary(
        day=day,
        store_id=store_id,
        start=start,
        end=end,
        kpis=replace(today.kpis, signups=signup.store_count(cache, outbox, start, end, store_id)),
        last_week=replace(
            last_week.kpis, signups=signup.store_count(cache, outbox, lw_start, lw_end, store_id)
        ),
        by_hour=today.by_hour,
        by_associate=today.associates,
        top_products=today.products,
        visits=today.visits,
        worked=today.worked,
    )


def filter_visits(
    visits: Iterable[VisitRow], *, hour: int | None = None, staff_id: str | None = None
) -> list[VisitRow]:
    """The drill-down: visits in one hour and/or served by one associate."""
    return [
        v
        for v in visits
        if (hour is None or v.hour == hour) and (staff_id is None or v.staff_id == staff_id)
    ]


def visits_for(
    cache: sqlite3.Connection,
    outbox: sqlite3.Connection,
    day: date,
    tz: tzinfo,
    store_id: str | None,
    *,
    hour: int | None = None,
    staff_id: str | None = None,
) -> list[VisitRow]:
    """Drill-down of one day: its visits, optionally of one hour and/or one associate."""
    with _bulk():
        data = Reader(cache, outbox, store_id)
        start, end = day_bounds(day, tz)
        events = data.events(start, end)
        result = _compute(data, events, tz, _returning(data, events))
    return filter_visits(result.visits, hour=hour, staff_id=staff_id)


def range_dates(date_from: date, date_to: date) -> list[date]:
    """The days of a report, first to last; a range that ends before it starts or covers more
    than :data:`MAX_REPORT_DAYS` is a usage error."""
    if date_to < date_from:
        raise ClerkError(
            f"the report ends ({date_to}) before it starts ({date_from})", reason="usage"
        )
    n = (date_to - date_from).days + 1
    if n > MAX_REPORT_DAYS:
        raise ClerkError(
            f"a report covers at most {MAX_REPORT_DAYS} days; asked for {n}", reason="usage"
        )
    return [date_from + timedelta(days=k) for k in range(n)]


def range_days(
    cache: sqlite3.Connection,
    outbox: sqlite3.Connection,
    date_from: date,
    date_to: date,
    tz: tzinfo,
    store_id: str | None,
    *,
    detail: bool = False,
) -> list[tuple[date, DayKpis, tuple[VisitRow, ...]]]:
    """Each day of a range: (day, figures, visits if ``detail``). Reads the range once."""
    days = range_dates(date_from, date_to)
    with _bulk():
        data = Reader(cache, outbox, store_id)
        bounds = [day_bounds(d, tz) for d in days]
        events = data.events(bounds[0][0], bounds[-1][1])
        returning = _returning(data, events)
        out: list[tuple[date, DayKpis, tuple[VisitRow, ...]]] = []
        times = [e.at for e in events]
        i = 0
        for d, (start, end) in zip(days, bounds, strict=True):
            j = bisect_left(times, end, i)
            day = _compute(data, events[i:j], tz, returning, detail=detail, span=(start, end))
            signups = signup.store_count(cache, outbox, start, end, store_id)
            out.append((d, replace(day.kpis, signups=signups), day.visits))
            i = j
    return out
