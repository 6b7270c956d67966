"""Store reports computed on the terminal, offline: the day's visits at a glance (Qt-free).

Sources, merged and de-duplicated by interaction id:

* outbox.db ``interactions`` — everything recorded at *this* terminal, synced or not (rows the
  hub rejected are left out of every figure);
* cache.db ``visits`` — the hub's visit rows for the other terminals of this store (``store_id``).
  They carry no payload: the product of an ``interest`` and the amount of a ``sale`` are read
  back from the text the hub writes (``"<title> (<sku>)"``, ``"<n> items, ¥1,999.00"``, see
  ``sync/hub/ingest.py``). Redemptions at other terminals have no visit row; they are counted
  from cache.db ``coupons`` used that day by members who visited this store that day.

Definitions (the tests compute a fixture day by hand with exactly these):

* a **visit** is an interaction of kind ``visit``; it is **identified** when it has a
  ``member_id`` and a **walk-in** when it only has a ``member_ref`` (a scanned identity the
  cache did not know). It is **returning** when the member was recorded in a store before —
  any earlier record of them anywhere in the data (both files, every store: a visit, a note, a
  sale …) — else **new**.
* a visit's **length** runs from the visit to the member's last interaction before their next
  visit on that day at the same terminal (hub rows: same associate); a lone scan lasts 0 s. The
  average is over all visits.
* a **coupon redeemed** is worth its ``value`` (``amount_off``) or ``value`` % of the sale
  (``percent_off``: the redeem's ``amount_cents``, else the sales of the same visit).
* an **online cart converted** is a cart item (state open or bought) of the member, added
  before an assisted sale whose items include its sku (or whose ``cart_item_ids`` name it).
* **unsynced** counts this terminal's rows in the figures that are still pending or sent.

Manager-only entry points take the :class:`~clerk.staff.Session` and check the role
themselves: :func:`visits_report`, :func:`export_csv`, :func:`resolve_conflict` (and the CLI
:func:`report_command`). Reports and exports are written to the audit log (``export``).
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import os
import re
import sqlite3
import sys
import time as time_mod
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from operator import attrgetter
from typing import Any, Literal

from clerk import audit
from clerk import outbox as outbox_mod
from clerk.errors import ClerkError
from clerk.outbox import Recorded
from clerk.staff import Session, require

LOCAL = "local"
HUB = "hub"
COUNTED_KINDS = ("visit", "note", "interest", "redeem", "sale", "consent")
TOP_PRODUCTS = 10
MAX_REPORT_DAYS = 366
_CHUNK = 500

Format = Literal["table", "csv", "json"]
FORMATS = ("table", "csv", "json")


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayKpis:
    visits: int = 0
    identified: int = 0
    walk_ins: int = 0
    new: int = 0
    returning: int = 0
    coupons_redeemed: int = 0
    coupons_value_cents: int = 0
    carts_converted: int = 0
    carts_converted_cents: int = 0
    sales: int = 0
    sales_cents: int = 0
    avg_visit_length_s: int | None = None
    interactions: int = 0
    unsynced: int = 0


@dataclass(frozen=True)
class AssociateStats:
    staff_id: str | None
    name: str
    visits: int
    interactions: int
    sales: int
    sales_cents: int
    coupons_redeemed: int


@dataclass(frozen=True)
class ProductInterest:
    sku: str
    title_zh: str | None
    title_en: str | None
    count: int

    def title(self, lang: str) -> str:
        text = self.title_zh if lang.startswith("zh") else self.title_en
        return text or self.title_en or self.title_zh or self.sku


@dataclass(frozen=True)
class VisitRow:
    id: str
    at: int
    hour: int  # store-local hour 0–23
    member_id: str | None
    member_ref: str | None
    member_name: str | None
    staff_id: str | None
    staff_name: str | None
    returning: bool
    length_s: int
    interactions: int  # including the visit itself
    source: str  # local | hub
    sync_state: str | None  # outbox state for this terminal's rows, None for hub rows

    @property
    def identified(self) -> bool:
        return self.member_id is not None


@dataclass(frozen=True)
class DaySummary:
    day: date
    store_id: str | None
    start: int  # unix s, store-local midnight
    end: int
    kpis: DayKpis
    last_week: DayKpis  # the same weekday one week earlier
    by_hour: tuple[int, ...]  # 24 visit counts
    by_associate: tuple[AssociateStats, ...]
    top_products: tuple[ProductInterest, ...]
    visits: tuple[VisitRow, ...] = field(default=(), repr=False)

    @property
    def unsynced(self) -> int:
        return self.kpis.unsynced


@dataclass(frozen=True)
class Conflict:
    """A coupon redemption of ours the hub flagged, side by side with the one it clashed with."""

    id: str  # our interaction id (the conflict_id of a resolve)
    member_id: str | None
    member_ref: str | None
    member_name: str | None
    staff_id: str | None
    at: int
    coupon_id: str | None
    coupon_title_zh: str | None
    coupon_title_en: str | None
    reason: str | None
    conflict_with: str | None
    other_at: int | None
    other_store: str | None
    other_staff: str | None
    decision: str | None  # accept | reverse once resolved here


@dataclass(frozen=True)
class RejectedItem:
    id: str
    kind: str
    member_id: str | None
    member_ref: str | None
    at: int
    reason: str | None


@dataclass(frozen=True)
class SyncHealth:
    pending: int
    oldest_pending_at: int | None
    oldest_pending_age_s: int | None
    last_push_at: int | None
    last_pull_at: int | None
    last_success_at: int | None
    last_error: str | None
    rejected: tuple[RejectedItem, ...]
    conflicts: tuple[Conflict, ...]


# -- loading ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Event:
    id: str
    kind: str
    at: int
    member_id: str | None
    member_ref: str | None
    staff_id: str | None
    staff_name: str | None
    raw: str | None  # this terminal: the payload JSON; the hub: the visit row's text
    source: str
    state: str | None
    lane: str  # local, or hub:<associate> — a visit's interactions stay in one lane
    key: str | None  # member id, or "ref:<member_ref>" for a walk-in
    parsed: dict[str, Any] | None = None

    @property
    def payload(self) -> dict[str, Any]:
        """The payload, parsed on first use (most rows are never asked)."""
        if self.parsed is None:
            if self.source == HUB:
                self.parsed = hub_payload(self.kind, self.raw)
            else:
                try:
                    body = json.loads(self.raw) if self.raw else {}
                except ValueError:
                    body = {}
                self.parsed = body if isinstance(body, dict) else {}
        return self.parsed


_SKU_IN_TEXT = re.compile(r"\(([^()\s]{1,64})\)$")
_AMOUNT_IN_TEXT = re.compile(r"¥([\d,]+(?:\.\d{1,2})?)")


def hub_payload(kind: str, text: str | None) -> dict[str, Any]:
    """What a hub visit row's text says about its payload (interest sku, sale amount)."""
    if not text:
        return {}
    head = text.split(" — ", 1)[0].strip()
    if kind == "interest":
        m = _SKU_IN_TEXT.search(head)
        return {"sku": m.group(1)} if m else {}
    if kind == "sale":
        m = _AMOUNT_IN_TEXT.search(head)
        if m:
            return {"amount_cents": round(float(m.group(1).replace(",", "")) * 100)}
    return {}


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


class _Data:
    """Reads the two files for one computation (the caller's connections, read only)."""

    def __init__(
        self, cache: sqlite3.Connection, outbox: sqlite3.Connection, store_id: str | None
    ) -> None:
        self.cache = cache
        self.outbox = outbox
        self.store_id = store_id
        self.staff_names: dict[str, str] = {}
        by_name: dict[str, list[str]] = defaultdict(list)
        for sid, name in cache.execute("SELECT id, name FROM staff"):
            self.staff_names[str(sid)] = str(name)
            by_name[str(name)].append(str(sid))
        self.staff_by_name = {n: ids[0] for n, ids in by_name.items() if len(ids) == 1}

    def events(self, start: int, end: int) -> list[_Event]:
        """The counted interactions of [start, end) from both files, by time then id."""
        out: list[_Event] = []
        append = out.append
        local_ids: set[str] = set()
        names = self.staff_names
        counted = frozenset(COUNTED_KINDS)
        cur = self.outbox.cursor()
        cur.row_factory = None  # plain tuples: this loop sees every row of the range
        cur.execute(
            "SELECT id, kind, member_id, member_ref, staff_id, payload, created_at, state "
            "FROM interactions WHERE created_at >= ? AND created_at < ? ORDER BY created_at",
            (start, end),
        )
        for iid, kind, mid, ref, sid, payload, at, state in cur:
            local_ids.add(iid)
            if kind not in counted or state == "rejected":
                continue
            append(
                _Event(
                    iid,
                    kind,
                    at,
                    mid,
                    ref,
                    sid,
                    names.get(sid, sid) if sid else None,
                    payload,
                    LOCAL,
                    state,
                    LOCAL,
                    mid if mid is not None else (None if ref is None else f"ref:{ref}"),
                )
            )
        cur.close()
        if self.store_id is not None:
            by_name = self.staff_by_name
            cur = self.cache.cursor()
            cur.row_factory = None
            cur.execute(
                "SELECT id, member_id, staff_name, kind, text, at FROM visits "
                "WHERE store_id = ? AND at >= ? AND at < ? ORDER BY at",
                (self.store_id, start, end),
            )
            for vid, mid, staff_name, kind, text, at in cur:
                if kind not in counted or vid in local_ids:
                    continue
                append(
                    _Event(
                        vid,
                        kind,
                        at,
                        mid,
                        None,
                        by_name.get(staff_name) if staff_name else None,
                        staff_name,
                        text,
                        HUB,
                        None,
                        f"{HUB}:{staff_name or ''}",
                        mid,
                    )
                )
            cur.close()
        out.sort(key=attrgetter("at", "id"))  # two sorted runs: a linear merge
        return out

    def seen_before(self, firsts: dict[str, int]) -> set[str]:
        """The member keys (member id, or ``ref:<member_ref>``) with any record anywhere in
        the data — both files, every store — earlier than the time given for them."""
        ids = [[k, at] for k, at in firsts.items() if not k.startswith("ref:")]
        refs = {k[4:]: at for k, at in firsts.items() if k.startswith("ref:")}
        found: set[str] = set()
        if ids:
            pairs = json.dumps(ids)
            # one seek per member in a covering index (interactions_member, visits_member_at):
            # any earlier record of the member in a store — a visit, a note, a sale — counts
            for (mid,) in self.outbox.execute(
                "SELECT p.value ->> 0 FROM json_each(?) AS p WHERE EXISTS (SELECT 1 FROM "
                "interactions i WHERE i.member_id = p.value ->> 0 AND i.created_at < "
                "p.value ->> 1)",
                (pairs,),
            ):
                found.add(str(mid))
            for (mid,) in self.cache.execute(
                "SELECT p.value ->> 0 FROM json_each(?) AS p WHERE EXISTS (SELECT 1 FROM "
                "visits v WHERE v.member_id = p.value ->> 0 AND v.at < p.value ->> 1)",
                (pairs,),
            ):
                found.add(str(mid))
        if refs:
            # walk-ins: member_ref has no index; one pass over the outbox
            for ref, at in self.outbox.execute(
                "SELECT member_ref, min(created_at) FROM interactions WHERE member_id IS NULL "
                "AND member_ref IN (SELECT value FROM json_each(?)) GROUP BY member_ref",
                (json.dumps(sorted(refs)),),
            ):
                if at is not None and int(at) < refs[str(ref)]:
                    found.add(f"ref:{ref}")
        return found

    def member_names(self, ids: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(ids))
        out: dict[str, str] = {}
        for chunk in _chunks(wanted):
            for mid, name in self.cache.execute(
                f"SELECT id, name FROM members WHERE id IN ({_marks(len(chunk))})", tuple(chunk)
            ):
                out[str(mid)] = str(name)
        return out

    def coupons(self, ids: Iterable[str]) -> dict[str, tuple[str, int, str, str]]:
        wanted = sorted(set(ids))
        out: dict[str, tuple[str, int, str, str]] = {}
        for chunk in _chunks(wanted):
            for cid, rule, value, tzh, ten in self.cache.execute(
                "SELECT id, rule, value, title_zh, title_en FROM coupons "
                f"WHERE id IN ({_marks(len(chunk))})",
                tuple(chunk),
            ):
                out[str(cid)] = (str(rule), int(value), str(tzh), str(ten))
        return out

    def used_coupons(
        self, member_ids: Iterable[str], start: int, end: int
    ) -> list[tuple[str, str, int, str, int]]:
        """(coupon id, member id, used_at, rule, value) used in [start, end) by these members."""
        wanted = sorted(set(member_ids))
        out: list[tuple[str, str, int, str, int]] = []
        for chunk in _chunks(wanted):
            for cid, mid, used_at, rule, value in self.cache.execute(
                "SELECT id, member_id, used_at, rule, value FROM coupons WHERE state = 'used' "
                f"AND used_at >= ? AND used_at < ? AND member_id IN ({_marks(len(chunk))})",
                (start, end, *chunk),
            ):
                out.append((str(cid), str(mid), int(used_at), str(rule), int(value)))
        return out

    def carts(self, member_ids: Iterable[str]) -> dict[str, list[tuple[str, str, int, int, int]]]:
        """member id → [(cart item id, sku, qty, price_cents, added_at)] of open/bought items."""
        wanted = sorted(set(member_ids))
        out: dict[str, list[tuple[str, str, int, int, int]]] = defaultdict(list)
        for chunk in _chunks(wanted):
            for cid, mid, sku, qty, price, added in self.cache.execute(
                "SELECT id, member_id, sku, qty, price_cents, added_at FROM cart_items "
                f"WHERE state IN ('open', 'bought') AND member_id IN ({_marks(len(chunk))})",
                tuple(chunk),
            ):
                out[str(mid)].append((str(cid), str(sku), int(qty), int(price), int(added)))
        return out

    def products(self, skus: Iterable[str]) -> dict[str, tuple[str, str]]:
        wanted = sorted(set(skus))
        out: dict[str, tuple[str, str]] = {}
        for chunk in _chunks(wanted):
            for sku, tzh, ten in self.cache.execute(
                f"SELECT sku, title_zh, title_en FROM products WHERE sku IN ({_marks(len(chunk))})",
                tuple(chunk),
            ):
                out[str(sku)] = (str(tzh), str(ten))
        return out


# -- computing one day ------------------------------------------------------------------------


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
    event: _Event
    last_at: int
    records: int = 1  # the visit and the interactions that follow it


@dataclass(slots=True)
class _Day:
    kpis: DayKpis
    by_hour: tuple[int, ...]
    associates: tuple[AssociateStats, ...]
    products: tuple[ProductInterest, ...]
    visits: tuple[VisitRow, ...]


@dataclass(slots=True)
class _Pass:
    """One walk over a day's events: visits with their interactions, and the rows by kind."""

    visits: list[_Visit] = field(default_factory=list)
    owner: dict[str, _Visit] = field(default_factory=dict)  # sale/redeem id → its visit
    sales: list[_Event] = field(default_factory=list)
    redeems: list[_Event] = field(default_factory=list)
    interests: list[_Event] = field(default_factory=list)
    hub_members: set[str] = field(default_factory=set)
    unsynced: int = 0


def _walk(events: list[_Event]) -> _Pass:
    """A visit collects the member's later interactions in the same lane (terminal) until
    their next visit there."""
    p = _Pass()
    current: dict[tuple[str, str], _Visit] = {}
    unsettled = outbox_mod.UNSETTLED
    for e in events:
        kind = e.kind
        if e.state in unsettled:
            p.unsynced += 1
        if e.source == HUB:
            p.hub_members.add(e.member_id or "")
        if kind == "sale":
            p.sales.append(e)
        elif kind == "redeem":
            p.redeems.append(e)
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
                if kind in ("sale", "redeem"):
                    p.owner[e.id] = owning
    return p


def _compute(
    data: _Data,
    events: list[_Event],
    start: int,
    end: int,
    tz: tzinfo,
    returning_ids: set[str],
    *,
    detail: bool = True,
) -> _Day:
    walk = _walk(events)
    visits, owner, sales, redeems = walk.visits, walk.owner, walk.sales, walk.redeems
    returning_ids = {v.event.id for v in visits if v.event.id in returning_ids}

    amounts = [_int(s.payload.get("amount_cents")) for s in sales]
    sale_basis: dict[int, int] = defaultdict(int)  # id(visit) → sales in that visit
    for s, amount in zip(sales, amounts, strict=True):
        owning = owner.get(s.id)
        if owning is not None:
            sale_basis[id(owning)] += amount

    # coupons: our redeems, then other terminals' as seen in cache.coupons
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
    hub_members = walk.hub_members - {""}
    if hub_members:
        local_coupons = set(coupon_ids)
        hub_sales: dict[str, int] = defaultdict(int)
        for s, amount in zip(sales, amounts, strict=True):
            if s.source == HUB and s.member_id:
                hub_sales[s.member_id] += amount
        for cid, mid, _used_at, rule_name, value in data.used_coupons(hub_members, start, end):
            if cid in local_coupons:
                continue
            redeemed += 1
            coupon_value += _coupon_value(rule_name, value, hub_sales.get(mid, 0))

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
    return _Day(kpis, tuple(by_hour), associates, products, tuple(rows))


def _returning(data: _Data, events: Sequence[_Event]) -> set[str]:
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
    data = _Data(cache, outbox, store_id)
    start, end = day_bounds(day, tz)
    lw_start, lw_end = day_bounds(day - timedelta(days=7), tz)
    events = data.events(start, end)
    lw_events = data.events(lw_start, lw_end)
    today = _compute(data, events, start, end, tz, _returning(data, events))
    last_week = _compute(
        data, lw_events, lw_start, lw_end, tz, _returning(data, lw_events), detail=False
    )
    return DaySummary(
        day=day,
        store_id=store_id,
        start=start,
        end=end,
        kpis=today.kpis,
        last_week=last_week.kpis,
        by_hour=today.by_hour,
        by_associate=today.associates,
        top_products=today.products,
        visits=today.visits,
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
        data = _Data(cache, outbox, store_id)
        start, end = day_bounds(day, tz)
        events = data.events(start, end)
        result = _compute(data, events, start, end, tz, _returning(data, events))
    return filter_visits(result.visits, hour=hour, staff_id=staff_id)


def _days(date_from: date, date_to: date) -> list[date]:
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
    days = _days(date_from, date_to)
    with _bulk():
        data = _Data(cache, outbox, store_id)
        bounds = [day_bounds(d, tz) for d in days]
        events = data.events(bounds[0][0], bounds[-1][1])
        returning = _returning(data, events)
        out: list[tuple[date, DayKpis, tuple[VisitRow, ...]]] = []
        times = [e.at for e in events]
        i = 0
        for d, (start, end) in zip(days, bounds, strict=True):
            j = bisect_left(times, end, i)
            day = _compute(data, events[i:j], start, end, tz, returning, detail=detail)
            out.append((d, day.kpis, day.visits))
            i = j
    return out


# -- reports and exports (managers only, audited) ----------------------------------------------

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


# -- sync health and conflicts ----------------------------------------------------------------


def conflicts(
    cache: sqlite3.Connection, outbox: sqlite3.Connection, *, include_resolved: bool = False
) -> list[Conflict]:
    """Our interactions the hub answered ``conflict``, newest first, with the other side."""
    rows = outbox.execute(
        "SELECT id, member_id, member_ref, staff_id, payload, created_at, reason, conflict_with "
        "FROM interactions WHERE state = 'conflict' ORDER BY created_at DESC, id DESC LIMIT 500"
    ).fetchall()
    if not rows:
        return []
    decisions = _decisions(outbox, min(int(r[5]) for r in rows))
    coupon_ids: list[str] = []
    bodies: list[dict[str, Any]] = []
    for r in rows:
        try:
            body = json.loads(r[4])
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        bodies.append(body)
        if body.get("coupon_id"):
            coupon_ids.append(str(body["coupon_id"]))
    data = _Data(cache, outbox, None)
    coupons = data.coupons(coupon_ids)
    names = data.member_names(r[1] for r in rows if r[1])
    out: list[Conflict] = []
    for r, body in zip(rows, bodies, strict=True):
        decision = decisions.get(r[0])
        if decision is not None and not include_resolved:
            continue
        other = None
        if r[7]:
            other = cache.execute(
                "SELECT at, store_name, staff_name FROM visits WHERE id = ?", (r[7],)
            ).fetchone()
        coupon_id = str(body["coupon_id"]) if body.get("coupon_id") else None
        coupon = coupons.get(coupon_id or "")
        out.append(
            Conflict(
                id=r[0],
                member_id=r[1],
                member_ref=r[2],
                member_name=names.get(r[1]) if r[1] else None,
                staff_id=r[3],
                at=int(r[5]),
                coupon_id=coupon_id,
                coupon_title_zh=coupon[2] if coupon else None,
                coupon_title_en=coupon[3] if coupon else None,
                reason=r[6],
                conflict_with=r[7],
                other_at=int(other[0]) if other else None,
                other_store=other[1] if other else None,
                other_staff=other[2] if other else None,
                decision=decision,
            )
        )
    return out


def _decisions(outbox: sqlite3.Connection, since: int) -> dict[str, str]:
    """conflict id → decision, from the resolve interactions recorded since ``since`` (a day
    of slack for a clock that stepped back): an index range, not a scan of the outbox."""
    decisions: dict[str, str] = {}
    for (payload,) in outbox.execute(
        "SELECT payload FROM interactions WHERE created_at >= ? AND kind = 'resolve' "
        "AND state != 'rejected' ORDER BY device_seq",
        (since - 86_400,),
    ):
        try:
            body = json.loads(payload)
        except ValueError:
            continue
        if isinstance(body, dict) and body.get("conflict_id"):
            decisions[str(body["conflict_id"])] = str(body.get("decision"))
    return decisions


DECISIONS = ("accept", "reverse")


def resolve_conflict(
    session: Session | None,
    outbox: sqlite3.Connection,
    conflict_id: str,
    decision: str,
    *,
    now: int | None = None,
) -> Recorded:
    """Record a manager's decision on a conflict: an interaction of kind ``resolve`` with
    payload ``{conflict_id, decision}`` (``accept`` keeps both redemptions, ``reverse`` undoes
    ours). ``outbox`` must be writable."""
    s = require(session, "conflicts")
    if decision not in DECISIONS:
        raise ClerkError(f"a decision is accept or reverse, not {decision!r}", reason="usage")
    row = outbox.execute(
        "SELECT member_id, member_ref, state, created_at FROM interactions WHERE id = ?",
        (conflict_id,),
    ).fetchone()
    if row is None or row[2] != "conflict":
        raise ClerkError(f"no conflict {conflict_id} to resolve", reason="unknown_conflict")
    if conflict_id in _decisions(outbox, int(row[3])):
        raise ClerkError(f"conflict {conflict_id} is already resolved", reason="already_resolved")
    return outbox_mod.record(
        outbox,
        "resolve",
        member_id=row[0],
        member_ref=row[1],
        staff_id=s.staff_id,
        payload={"conflict_id": conflict_id, "decision": decision},
        now=int(time_mod.time()) if now is None else now,
    )


def _state_int(cache: sqlite3.Connection, key: str) -> int | None:
    row = cache.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    if row is None or row[0] is None:
        return None
    try:
        return int(float(row[0]))
    except ValueError:
        return None


def sync_health(cache: sqlite3.Connection, outbox: sqlite3.Connection, now: int) -> SyncHealth:
    """What the manager's sync panel shows: backlog, last syncs, rejections, open conflicts."""
    st = outbox_mod.status(outbox)
    push, pull = _state_int(cache, "last_push_at"), _state_int(cache, "last_pull_at")
    successes = [t for t in (push, pull) if t is not None]
    err = cache.execute("SELECT value FROM sync_state WHERE key = 'last_error'").fetchone()
    rejected = tuple(
        RejectedItem(str(r[0]), str(r[1]), r[2], r[3], int(r[4]), r[5])
        for r in outbox.execute(
            "SELECT id, kind, member_id, member_ref, created_at, reason FROM interactions "
            "WHERE state = 'rejected' ORDER BY id DESC LIMIT 100"
        )
    )
    return SyncHealth(
        pending=st.pending,
        oldest_pending_at=st.oldest_pending_at,
        oldest_pending_age_s=None
        if st.oldest_pending_at is None
        else max(0, now - st.oldest_pending_at),
        last_push_at=push,
        last_pull_at=pull,
        last_success_at=max(successes) if successes else None,
        last_error=(err[0] if err and err[0] else None) or st.last_error,
        rejected=rejected,
        conflicts=tuple(conflicts(cache, outbox)),
    )


# -- CLI ----------------------------------------------------------------------------------------

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
# A report reads a month of both files, some pages twice: a page cache that holds them means
# each encrypted page is decrypted once (SQLite's default would evict and decrypt again).
REPORT_CACHE_KIB = 64 * 1024


def add_report_parser(sub: Any) -> argparse.ArgumentParser:
    """``clerk report visits …``: build the subcommand on ``sub`` (argparse subparsers)."""
    p: argparse.ArgumentParser = sub.add_parser(
        "report",
        help="store reports (managers only)",
        description="Reports computed on this terminal, offline, from its outbox and the "
        "store's visits in the cache. Managers only: sign in with --staff and --pin. Every "
        "report is written to the audit log.",
    )
    rsub = p.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    v = rsub.add_parser(
        "visits",
        help="visits per day: identified/walk-in, new/returning, coupons, carts converted",
        description="Visits per day for one day (--date, default today) or a range "
        "(--from D --to D, at most 366 days), with a total row. Dates are YYYY-MM-DD in the "
        "store's time zone.",
    )
    v.add_argument("--date", metavar="D", help="one day, YYYY-MM-DD (default: today)")
    v.add_argument("--from", dest="date_from", metavar="D", help="first day of a range")
    v.add_argument("--to", dest="date_to", metavar="D", help="last day of a range (inclusive)")
    v.add_argument(
        "--format", choices=FORMATS, default="table", help="table (default), csv or json"
    )
    v.add_argument("--staff", required=True, metavar="ID", help="manager's staff id")
    v.add_argument(
        "--pin",
        metavar="PIN",
        help="manager's PIN (default: $CLERK_PIN, else asked on the terminal)",
    )
    v.add_argument(
        "--tz",
        metavar="ZONE",
        help="IANA time zone of the store, e.g. Asia/Shanghai (default: this system's)",
    )
    v.add_argument(
        "--store", metavar="ID", help="store id (default: the store this terminal is enrolled to)"
    )
    v.set_defaults(func=report_command)
    return p


def _parse_date(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        msg = f"{flag} wants a date as YYYY-MM-DD, got {text!r}"
        raise ClerkError(msg, reason="usage") from None


def _zone(name: str | None) -> tzinfo:
    if not name:
        local = datetime.now().astimezone().tzinfo
        assert local is not None
        return local
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ClerkError(f"unknown time zone {name!r}", reason="usage") from None


def _pin(args: argparse.Namespace) -> str:
    if args.pin:
        return str(args.pin)
    env = os.environ.get("CLERK_PIN")
    if env:
        return env
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("PIN: ")
    raise ClerkError("a PIN is needed: --pin, $CLERK_PIN or a terminal to type it", reason="usage")


def _range(args: argparse.Namespace, tz: tzinfo) -> tuple[date, date]:
    if args.date and (args.date_from or args.date_to):
        raise ClerkError("use either --date or --from/--to, not both", reason="usage")
    if bool(args.date_from) != bool(args.date_to):
        raise ClerkError("--from and --to go together", reason="usage")
    if args.date_from:
        return _parse_date(args.date_from, "--from"), _parse_date(args.date_to, "--to")
    if args.date:
        d = _parse_date(args.date, "--date")
        return d, d
    today = datetime.now(tz).date()
    return today, today


def report_command(args: argparse.Namespace) -> int:
    """``clerk report visits``: sign in (manager), compute, print, audit. Errors: one line on
    stderr and exit 1 (refused, storage) or 2 (usage)."""
    from clerk import paths
    from clerk.cache import open_cache
    from clerk.outbox import META_STORE_ID, get_meta, open_outbox
    from clerk.staff import StaffAuth

    try:
        tz = _zone(getattr(args, "tz", None))
        date_from, date_to = _range(args, tz)
        _days(date_from, date_to)
        pin = _pin(args)
        outbox = open_outbox(paths.outbox_path())
    except ClerkError as exc:
        return _cli_fail(exc)
    try:
        cache = open_cache(paths.cache_path())
    except ClerkError as exc:
        outbox.close()
        return _cli_fail(exc)
    try:
        for conn in (cache, outbox):
            conn.execute(f"PRAGMA cache_size = -{REPORT_CACHE_KIB}")
        store_id = getattr(args, "store", None) or get_meta(outbox, META_STORE_ID)
        auth = StaffAuth(cache, outbox)
        session = auth.sign_in(str(args.staff), pin)
        text = visits_report(
            session,
            cache,
            outbox,
            store_id=store_id,
            date_from=date_from,
            date_to=date_to,
            tz=tz,
            fmt=args.format,
        )
    except ClerkError as exc:
        return _cli_fail(exc)
    finally:
        cache.close()
        outbox.close()
    sys.stdout.write(text)
    return EXIT_OK


def _cli_fail(exc: ClerkError) -> int:
    print(f"clerk: {exc}", file=sys.stderr)
    return EXIT_USAGE if exc.reason in ("usage", "config") else EXIT_ERROR
