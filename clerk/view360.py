"""The customer 360 from the local cache (and this terminal's outbox): no network, few queries.

:func:`lookup` runs a fixed set of index-driven queries — one per panel, plus one ``IN`` query
for every product the panels mention — and shapes them into a :class:`~clerk.model.CustomerView`.
:func:`fetch` is the SQL half alone (the benchmark's reference); :func:`explain` returns the
query plans, so a test can fail when a query stops using an index.

The outbox is this terminal's own truth and is overlaid on the cache:

* a ``redeem`` recorded here (payload ``{"coupon_id": …}``) makes its coupon ``used``; while the
  hub has not acknowledged it (pending / sent) the coupon also carries ``pending_redeem``. A
  redemption the hub *rejected* has no effect; a *conflict* (redeemed elsewhere too) stays used.
* the history is the cache's visit rows ∪ the outbox rows for this member of the kinds that
  show in it (``clerk.shared.interactions.HISTORY_KINDS``), deduplicated by id (the hub's
  visit id *is* the interaction id), newest first; outbox rows carry their ``sync_state``.
  Each entry carries its kind's typed facts (the hub's row: ``facts`` and ``text``; ours: the
  payload) and the titles, in both languages, of the products and coupon they name — never
  text the hub wrote: a view renders entries in its own language.
* freshness counts this member's interactions not yet acknowledged (pending or sent).

Orders (:func:`_fetch_orders`, :func:`_orders`): the last 12 months of the cache's ``orders``
(placed online; a refunded one is a return) ∪ the in-store sales of the history — the hub's
``sale`` rows and this terminal's own not yet in them (a rejected sale is no order) — newest
first. The wishlist is the cache's ``wishlist_items``, newest first. The consent texts: the
newest wording in force of each consent (a few rows, read whole).

Service cases (:func:`_fetch_cases`, :func:`_cases`): the member's open cases in the cache,
newest first, with this terminal's own overlaid — a ``case_open`` the cache does not have yet
is open (with its sync state), a ``case_close`` recorded here closes its case at once; a
rejected record has no effect.

Privacy: when the member has not consented to browsing analytics the browsing panel is empty
and the browse table is not even read. Interactions recorded only against a scanned reference
(``member_ref``, before the member was cached) are not matched to the member here.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from clerk import orderlines, talking_points
from clerk import points as points_mod
from clerk import recommend as recommend_mod
from clerk.model import (
    BrowsedProduct,
    CartLine,
    ConsentText,
    Coupon,
    CouponStatus,
    CustomerView,
    Freshness,
    Identity,
    Localised,
    Order,
    OrderLine,
    PhoneCandidate,
    Product,
    Profile,
    Recommendation,
    ServiceCase,
    TalkingPoint,
    VisitEntry,
    WishlistItem,
)
from clerk.shared import interactions
from clerk.shared.phones import tail

DAY = 86_400
BROWSE_PRODUCTS_LIMIT = 50  # products in the browsing panel (most recently viewed first)
VISITS_LIMIT = 50  # entries in the previous-visits panel
OUTBOX_LIMIT = 500  # this member's interactions read from the outbox
ORDERS_DAYS = 365  # orders (online and in store) of the last 12 months
ORDERS_LIMIT = 50  # orders of each source read (newest first)
WISHLIST_LIMIT = 50  # entries in the wishlist panel
CASES_LIMIT = 20  # open cases read
EXPIRING_DAYS = talking_points.EXPIRING_DAYS
UNSETTLED = frozenset({"pending", "sent"})

# --- the queries (every one is answered from an index; see explain()) -------------------------

Q_MEMBER = (
    "SELECT id, name, name_en, tier, points, phone_masked, card_no, consent_marketing,"
    " consent_browsing, tags, home_store, birthday, joined_at FROM members WHERE id = ?"
)
# Grouped by product inside SQLite from the covering index browse_member_at.
Q_BROWSE = (
    "SELECT sku, count(*), sum(at >= ?), min(at), max(at) AS last_at,"
    " group_concat(DISTINCT channel) FROM browse_events WHERE member_id = ? AND at >= ?"
    " GROUP BY sku ORDER BY last_at DESC, sku LIMIT ?"
)
Q_CART = (
    "SELECT id, sku, qty, price_cents, added_at FROM cart_items"
    " WHERE member_id = ? AND state = 'open' ORDER BY added_at DESC, id"
)
Q_COUPONS = (
    "SELECT id, title_zh, title_en, rule, value, min_spend_cents, applies_to, valid_from,"
    " expires_at, state, used_at FROM coupons WHERE member_id = ?"
)
Q_VISITS = (
    "SELECT id, store_name, staff_name, kind, text, at, facts FROM visits WHERE member_id = ?"
    " ORDER BY at DESC LIMIT ?"
)
Q_PRODUCTS = (
    "SELECT sku, title_zh, title_en, category, price_cents, image, active FROM products"
    " WHERE sku IN ({marks})"
)
Q_STAFF = "SELECT id, name FROM staff WHERE id IN ({marks})"
Q_OUTBOX = (
    "SELECT id, kind, staff_id, payload, created_at, state, reason FROM interactions"
    " WHERE member_id = ? AND state NOT IN ('corrected', 'withdrawn', 'dismissed')"
    " ORDER BY created_at DESC, id DESC LIMIT ?"
)
# The latest online orders' lines: what to offer goes with what was bought (clerk/recommend.py).
Q_BOUGHT = (
    "SELECT items FROM orders WHERE member_id = ? AND state = 'completed' ORDER BY at DESC LIMIT 3"
)
Q_OUTBOX_STORE = "SELECT value FROM outbox_meta WHERE key = 'store_name'"
Q_ORDERS = (
    "SELECT id, total_cents, state, items, at, refunded_at FROM orders"
    " WHERE member_id = ? AND at >= ? ORDER BY at DESC LIMIT ?"
)
Q_STORE_SALES = (
    "SELECT id, store_name, at, facts FROM visits"
    " WHERE member_id = ? AND at >= ? AND kind = 'sale' ORDER BY at DESC LIMIT ?"
)
Q_WISHLIST = (
    "SELECT id, sku, added_at FROM wishlist_items WHERE member_id = ?"
    " ORDER BY added_at DESC, id LIMIT ?"
)
Q_CASES = (
    "SELECT id, case_type, subject, sku, store_name, opened_at, updated_at FROM cases"
    " WHERE member_id = ? AND status = 'open' ORDER BY opened_at DESC LIMIT ?"
)
Q_CASES_KNOWN = "SELECT id FROM cases WHERE id IN ({marks})"
# A handful of rows (a version or two per purpose): read whole.
Q_CONSENT_TEXTS = (
    "SELECT purpose, version, text_zh, text_en FROM consent_texts WHERE effective_at <= ?"
    " ORDER BY purpose, effective_at DESC, version DESC"
)

# Tables a 360 query must never scan.
GUARDED_TABLES = (
    "members",
    "browse_events",
    "cart_items",
    "coupons",
    "visits",
    "products",
    "interactions",
    "points_ledger",
    "product_related",
    "orders",
    "wishlist_items",
    "cases",
)


def _marks(n: int) -> str:
    return ", ".join("?" * n)


# --- identity --------------------------------------------------------------------------------


def resolve(cache: sqlite3.Connection, identity: Identity) -> str | None:
    """The cached member an identity stands for, or None (not in this terminal's cache)."""
    if identity.kind == "code":
        try:
            code_id = int(identity.value)
        except ValueError:
            return None
        row = cache.execute("SELECT id FROM members WHERE code_id = ?", (code_id,)).fetchone()
    elif identity.kind == "card":
        row = cache.execute(
            "SELECT id FROM members WHERE card_no = ?", (identity.value,)
        ).fetchone()
    elif identity.kind == "phone":
        # The cache holds a phone's last digits and 8-bit bucket, not the number: the member
        # only when exactly one fits; several are for the associate to pick from.
        found = phone_candidates(cache, identity)
        return found[0].member_id if len(found) == 1 else None
    elif identity.kind == "member_id":
        row = cache.execute("SELECT id FROM members WHERE id = ?", (identity.value,)).fetchone()
    else:
        raise ValueError(f"unknown identity kind: {identity.kind!r}")
    return None if row is None else str(row[0])


Q_RESOLVE_PHONE = (
    "SELECT id, name, name_en, phone_masked FROM members WHERE phone_last4 = ?"
    " AND phone_bucket = ? ORDER BY last_seen DESC, id LIMIT ?"
)
PHONE_CANDIDATES_LIMIT = 20


def phone_candidates(cache: sqlite3.Connection, identity: Identity) -> list[PhoneCandidate]:
    """The cached members whose phone fits a typed number (the same last digits and bucket),
    most recently seen first: usually none or one."""
    if identity.kind != "phone" or identity.phone_bucket is None:
        return []
    rows = cache.execute(
        Q_RESOLVE_PHONE, (tail(identity.value), identity.phone_bucket, PHONE_CANDIDATES_LIMIT)
    ).fetchall()
    return [PhoneCandidate(str(r[0]), str(r[1]), r[2], r[3]) for r in rows]


# --- SQL half --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """The rows of one 360 lookup, as SQLite returned them."""

    member: Sequence[Any]
    browse: list[Any]
    cart: list[Any]
    coupons: list[Any]
    visits: list[Any]
    products: list[Any]
    outbox: list[Any]
    staff: list[Any]
    store_name: str | None
    ledger: list[Any] = field(default_factory=list)  # clerk/points.py
    confirmed: set[str] = field(default_factory=set)  # our redemptions the ledger holds
    offers: list[recommend_mod.Offer] = field(default_factory=list)  # clerk/recommend.py
    orders: list[Any] = field(default_factory=list)  # Q_ORDERS rows
    sales: list[Any] = field(default_factory=list)  # Q_STORE_SALES rows
    wishlist: list[Any] = field(default_factory=list)  # Q_WISHLIST rows
    cases: list[Any] = field(default_factory=list)  # Q_CASES rows
    cases_known: frozenset[str] = frozenset()  # cases opened here that the cache has
    consent_texts: list[Any] = field(default_factory=list)  # Q_CONSENT_TEXTS rows


def fetch(
    cache: sqlite3.Connection,
    outbox: sqlite3.Connection | None,
    member_id: str,
    *,
    now: int,
    browse_days: int = 90,
) -> Raw | None:
    """Run the 360 queries; None if the member is not cached (nor signed up here, pending
    sync: a provisional member, clerk/signup.py)."""
    member = cache.execute(Q_MEMBER, (member_id,)).fetchone()
    if member is None and outbox is not None and member_id.startswith("P-"):
        from clerk import signup

        member = signup.member_row(outbox, member_id)
    if member is None:
        return None
    browse: list[Any] = []
    if member[8]:  # consent_browsing
        recent_since = now - talking_points.VIEWED_OFTEN_DAYS * DAY
        browse = cache.execute(
            Q_BROWSE, (recent_since, member_id, now - browse_days * DAY, BROWSE_PRODUCTS_LIMIT)
        ).fetchall()
    cart = cache.execute(Q_CART, (member_id,)).fetchall()
    coupons = cache.execute(Q_COUPONS, (member_id,)).fetchall()
    visits = cache.execute(Q_VISITS, (member_id, VISITS_LIMIT)).fetchall()
    out_rows: list[Any] = []
    store_name: str | None = None
    if outbox is not None:
        out_rows = outbox.execute(Q_OUTBOX, (member_id, OUTBOX_LIMIT)).fetchall()
        if out_rows:
            row = outbox.execute(Q_OUTBOX_STORE).fetchone()
            store_name = None if row is None else row[0]
    orders, sales, wishlist = _fetch_orders(cache, member_id, now=now)
    cases, cases_known = _fetch_cases(cache, member_id, out_rows)
    skus = {r[0] for r in browse}
    skus.update(r[1] for r in cart)
    offers = _offers(cache, member_id, cart, browse)
    skus.update(sku for o in offers for sku in (o.sku, o.because))
    skus.update(r[1] for r in wishlist)
    for r in orders:
        skus.update(orderlines.skus(r[3]))
    for r in sales:
        skus.update(_named_skus(r[3]))
    skus.update(r[3] for r in cases if r[3])
    staff_ids: set[str] = set()
    for r in out_rows:
        if r[2]:
            staff_ids.add(r[2])
        if '"sku"' in r[3]:
            skus.update(_named_skus(r[3]))
    for r in visits:
        if r[6] and '"sku"' in r[6]:
            skus.update(_named_skus(r[6]))
    products: list[Any] = []
    if skus:
        products = cache.execute(Q_PRODUCTS.format(marks=_marks(len(skus))), tuple(skus)).fetchall()
    staff: list[Any] = []
    if staff_ids:
        staff = cache.execute(
            Q_STAFF.format(marks=_marks(len(staff_ids))), tuple(staff_ids)
        ).fetchall()
    ledger, confirmed = points_mod.fetch(cache, member_id, out_rows)
    return Raw(
        member,
        browse,
        cart,
        coupons,
        visits,
        products,
        out_rows,
        staff,
        store_name,
        ledger,
        confirmed,
        offers,
        orders,
        sales,
        wishlist,
        cases,
        cases_known,
        cache.execute(Q_CONSENT_TEXTS, (now,)).fetchall(),
    )


def _offers(
    cache: sqlite3.Connection, member_id: str, cart: Sequence[Any], browse: Sequence[Any]
) -> list[recommend_mod.Offer]:
    """What to offer (clerk/recommend.py): related to the cart, the latest orders and the
    latest browsing; never what the customer bought."""
    bought: list[str] = []
    for (items,) in cache.execute(Q_BOUGHT, (member_id,)):
        bought.extend(orderlines.skus(items))
    anchors = recommend_mod.anchors([r[1] for r in cart], [r[0] for r in browse], bought)
    if not anchors:
        return []
    related = recommend_mod.fetch(cache, [sku for sku, _ in anchors])
    if not related:
        return []
    # a few more than shown: a product no longer sold is skipped when shaping
    return recommend_mod.offers(
        related, anchors, exclude=bought, limit=2 * recommend_mod.MAX_OFFERS
    )


SCORE_OFFER = 30.0  # after the customer's own cart, coupons and browsing


def _recommendations(
    offers: Sequence[recommend_mod.Offer], products: dict[str, Product]
) -> tuple[tuple[Recommendation, ...], tuple[TalkingPoint, ...]]:
    """The offers as the view's recommendations and as talking points (rule ``offer``);
    a product the cache does not know, or no longer sells, is not offered."""
    recs: list[Recommendation] = []
    points: list[TalkingPoint] = []
    for o in offers:
        product, because = products.get(o.sku), products.get(o.because)
        if product is None or not product.active:
            continue
        if len(recs) == recommend_mod.MAX_OFFERS:
            break
        because = because or _placeholder(o.because)
        recs.append(Recommendation(product, o.reason, because, o.score, o.source))
        facts = {
            "sku": product.sku,
            "title_zh": product.title_zh,
            "title_en": product.title_en,
            "price_cents": product.price_cents,
            "reason": o.reason,
            "because_sku": because.sku,
            "because_title_zh": because.title_zh,
            "because_title_en": because.title_en,
            "because_source": o.source,
            "score": round(o.score, 4),
        }
        points.append(TalkingPoint("offer", SCORE_OFFER + o.score, facts))
    return tuple(recs), tuple(points)


def _fetch_cases(
    cache: sqlite3.Connection, member_id: str, out_rows: Sequence[Any]
) -> tuple[list[Any], frozenset[str]]:
    """The member's open cases, and which of the cases opened here the cache has."""
    rows = cache.execute(Q_CASES, (member_id, CASES_LIMIT)).fetchall()
    mine = [r[0] for r in out_rows if r[1] == "case_open" and r[5] != "rejected"]
    known: set[str] = set()
    if mine:
        found = cache.execute(Q_CASES_KNOWN.format(marks=_marks(len(mine))), tuple(mine))
        known = {str(r[0]) for r in found}
    return rows, frozenset(known)


def _fetch_orders(
    cache: sqlite3.Connection, member_id: str, *, now: int
) -> tuple[list[Any], list[Any], list[Any]]:
    """The rows of the orders and wishlist panels: online orders, in-store sales, wishlist."""
    since = now - ORDERS_DAYS * DAY
    orders = cache.execute(Q_ORDERS, (member_id, since, ORDERS_LIMIT)).fetchall()
    sales = cache.execute(Q_STORE_SALES, (member_id, since, ORDERS_LIMIT)).fetchall()
    wishlist = cache.execute(Q_WISHLIST, (member_id, WISHLIST_LIMIT)).fetchall()
    return orders, sales, wishlist


def _named_skus(facts_json: str) -> set[str]:
    """The products a record's facts (or payload) name: an interest's, a sale's lines."""
    try:
        facts = json.loads(facts_json)
    except ValueError:
        return set()
    if not isinstance(facts, dict):
        return set()
    named = {facts.get("sku")}
    items = facts.get("items")
    if isinstance(items, list):
        named.update(line.get("sku") for line in items if isinstance(line, dict))
    return {sku for sku in named if isinstance(sku, str)}


# --- shaping ---------------------------------------------------------------------------------


def coupon_status(state: str, valid_from: int, expires_at: int, *, now: int) -> CouponStatus | None:
    """Classify a cached coupon at ``now``; None for a void coupon (not shown)."""
    if state == "used":
        return "used"
    if state == "void":
        return None
    if now < valid_from:
        return "not_yet_valid"
    if now > expires_at:
        return "expired"
    if expires_at - now <= EXPIRING_DAYS * DAY:
        return "expiring"
    return "usable"


_STATUS_ORDER = {"expiring": 0, "usable": 1, "not_yet_valid": 2, "used": 3, "expired": 4}


def _coupon_sort_key(c: Coupon) -> tuple[int, int, str]:
    if c.status == "used":
        return (_STATUS_ORDER[c.status], -(c.used_at or 0), c.id)
    if c.status == "expired":
        return (_STATUS_ORDER[c.status], -c.expires_at, c.id)
    return (_STATUS_ORDER[c.status], c.expires_at, c.id)


def _product(row: Any) -> Product:
    return Product(
        sku=row[0],
        title_zh=row[1],
        title_en=row[2],
        category=row[3],
        price_cents=row[4],
        image=row[5],
        active=bool(row[6]),
    )


def _placeholder(sku: str, price_cents: int = 0) -> Product:
    """A product the cache does not know (yet): its sku stands in for the title."""
    return Product(sku, sku, sku, "", price_cents, None, True)


def _redemptions(outbox_rows: Iterable[Any]) -> dict[str, tuple[int, bool]]:
    """coupon id → (redeemed at, still pending) from this terminal's redeem interactions."""
    out: dict[str, tuple[int, bool]] = {}
    for r in outbox_rows:
        if r[1] != "redeem" or r[5] == "rejected":
            continue
        coupon_id = json.loads(r[3]).get("coupon_id")
        if not isinstance(coupon_id, str):
            continue
        pending = r[5] in UNSETTLED
        prev = out.get(coupon_id)
        # Several redeems of one coupon: any settled one wins over pending ones.
        if prev is None or (prev[1] and not pending):
            out[coupon_id] = (int(r[4]), pending)
    return out


def _coupons(rows: Iterable[Any], outbox_rows: Sequence[Any], now: int) -> list[Coupon]:
    redeemed = _redemptions(outbox_rows)
    out: list[Coupon] = []
    for r in rows:
        (
            cid,
            title_zh,
            title_en,
            rule,
            value,
            min_spend,
            applies,
            valid_from,
            expires_at,
            state,
            used_at,
        ) = r
        status = coupon_status(state, valid_from, expires_at, now=now)
        if status is None:
            continue
        pending = False
        local = redeemed.get(cid)
        if local is not None:
            pending = local[1] and status != "used"
            if status != "used":
                used_at = local[0]
            status = "used"
        target = json.loads(applies) if applies else {}
        out.append(
            Coupon(
                id=cid,
                title_zh=title_zh,
                title_en=title_en,
                rule=rule,
                value=value,
                min_spend_cents=min_spend,
                skus=tuple(target.get("skus") or ()),
                categories=tuple(target.get("categories") or ()),
                valid_from=valid_from,
                expires_at=expires_at,
                status=status,
                used_at=used_at,
                pending_redeem=pending,
            )
        )
    out.sort(key=_coupon_sort_key)
    return out


def _visits(
    raw: Raw, products: dict[str, Product], coupon_titles: dict[str, Localised]
) -> tuple[VisitEntry, ...]:
    def entry(
        iid: str,
        kind: str,
        at: int,
        facts: interactions.Payload | None,
        store_name: str | None,
        staff_name: str | None,
        sync_state: str | None = None,
        sync_reason: str | None = None,
    ) -> VisitEntry:
        skus: list[str] = []
        coupon: Localised | None = None
        if isinstance(facts, interactions.Interest):
            skus = [facts.sku]
        elif isinstance(facts, interactions.Sale):
            skus = [line.sku for line in facts.items]
        elif isinstance(facts, interactions.Redeem):
            coupon = coupon_titles.get(facts.coupon_id)
        return VisitEntry(
            id=iid,
            kind=kind,
            at=at,
            store_name=store_name,
            staff_name=staff_name,
            facts=facts,
            products={sku: products[sku].title for sku in skus if sku in products},
            coupon=coupon,
            sync_state=sync_state,
            sync_reason=sync_reason,
        )

    # The newest VISITS_LIMIT of both sources, then their facts read (only those are shown).
    rows: list[tuple[int, str, Any, bool]] = [
        (r[5], r[0], r, True) for r in raw.visits if r[3] in interactions.HISTORY_KINDS
    ]
    seen = {r[0] for r in raw.visits}
    rows += [
        (r[4], r[0], r, False)
        for r in raw.outbox
        if r[1] in interactions.HISTORY_KINDS and r[0] not in seen
    ]
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    staff = {r[0]: r[1] for r in raw.staff}
    entries: list[VisitEntry] = []
    for at, iid, r, from_hub in rows[:VISITS_LIMIT]:
        if from_hub:
            facts = interactions.from_history(r[3], r[4], _object(r[6]))
            entries.append(entry(iid, r[3], at, facts, r[1], r[2]))
        else:
            _iid, kind, staff_id, payload, _at, state, reason = r
            facts = interactions.from_history(kind, None, _object(payload))
            staff_name = staff.get(staff_id, staff_id) if staff_id else None
            entries.append(entry(iid, kind, at, facts, raw.store_name, staff_name, state, reason))
    return tuple(entries)


def _object(text: str | None) -> dict[str, Any]:
    """A JSON object stored as text ({} for anything else)."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _lines(items: Any, products: dict[str, Product]) -> tuple[OrderLine, ...]:
    out: list[OrderLine] = []
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict) or not isinstance(item.get("sku"), str):
            continue
        sku = item["sku"]
        qty, price = item.get("qty"), item.get("price_cents")
        qty = qty if isinstance(qty, int) and not isinstance(qty, bool) else 1
        price = price if isinstance(price, int) and not isinstance(price, bool) else 0
        out.append(OrderLine(products.get(sku) or _placeholder(sku, price), qty, price))
    return tuple(out)


def _order_lines(text: str | None, products: dict[str, Product]) -> tuple[OrderLine, ...]:
    """An online order's lines as the cache keeps them (clerk/orderlines.py)."""
    return tuple(
        OrderLine(products.get(sku) or _placeholder(sku, price), qty, price)
        for sku, qty, price in orderlines.lines(text)
    )


def _orders(raw: Raw, products: dict[str, Product], *, now: int) -> tuple[Order, ...]:
    """Online orders ∪ in-store sales (the hub's, then this terminal's own), newest first."""
    out: list[Order] = [
        Order(
            id=str(oid),
            channel="online",
            at=int(at),
            total_cents=int(total),
            state=str(state),
            lines=_order_lines(items, products),
            refunded_at=refunded_at,
        )
        for oid, total, state, items, at, refunded_at in raw.orders
    ]
    seen: set[str] = set()
    for sid, store_name, at, facts in raw.sales:
        seen.add(sid)
        data = _object(facts)
        out.append(
            Order(
                id=str(sid),
                channel="store",
                at=int(at),
                total_cents=_cents(data.get("amount_cents")),
                state="completed",
                lines=_lines(data.get("items"), products),
                store_name=store_name,
            )
        )
    since = now - ORDERS_DAYS * DAY
    for iid, kind, _staff, payload, at, state, _reason in raw.outbox:
        if kind != "sale" or state == "rejected" or iid in seen or at < since:
            continue
        data = _object(payload)
        out.append(
            Order(
                id=str(iid),
                channel="store",
                at=int(at),
                total_cents=_cents(data.get("amount_cents")),
                state="completed",
                lines=_lines(data.get("items"), products),
                store_name=raw.store_name,
                sync_state=str(state),
            )
        )
    out.sort(key=lambda o: (o.at, o.id), reverse=True)
    return tuple(out[:ORDERS_LIMIT])


def _cents(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _cases(raw: Raw, products: dict[str, Product]) -> tuple[ServiceCase, ...]:
    """Open cases: the cache's, this terminal's not yet in it, less those closed here."""

    def product(sku: Any) -> Product | None:
        return (products.get(sku) or _placeholder(sku)) if isinstance(sku, str) and sku else None

    out = [
        ServiceCase(
            id=str(cid),
            case_type=str(case_type),
            subject=str(subject),
            opened_at=int(opened_at),
            updated_at=int(updated_at),
            store_name=store_name,
            product=product(sku),
        )
        for cid, case_type, subject, sku, store_name, opened_at, updated_at in raw.cases
    ]
    closed: set[str] = set()
    for iid, kind, _staff, payload, at, state, _reason in raw.outbox:
        if state == "rejected":
            continue
        data = _object(payload)
        if kind == "case_close" and isinstance(data.get("case_id"), str):
            closed.add(data["case_id"])
        elif kind == "case_open" and iid not in raw.cases_known:
            out.append(
                ServiceCase(
                    id=str(iid),
                    case_type=str(data.get("case_type") or "other"),
                    subject=str(data.get("subject") or ""),
                    opened_at=int(at),
                    updated_at=int(at),
                    store_name=raw.store_name,
                    product=product(data.get("sku")),
                    sync_state=str(state),
                )
            )
    out = [c for c in out if c.id not in closed]
    out.sort(key=lambda c: (c.opened_at, c.id), reverse=True)
    return tuple(out)


def _consent_texts(raw: Raw) -> tuple[ConsentText, ...]:
    """The newest wording in force of each consent."""
    out: dict[str, ConsentText] = {}
    for purpose, version, text_zh, text_en in raw.consent_texts:
        out.setdefault(purpose, ConsentText(purpose, version, Localised(text_zh, text_en)))
    return tuple(out.values())


def _wishlist(raw: Raw, products: dict[str, Product]) -> tuple[WishlistItem, ...]:
    return tuple(
        WishlistItem(str(wid), products.get(sku) or _placeholder(sku), int(added_at))
        for wid, sku, added_at in raw.wishlist
    )


def shape(
    raw: Raw,
    *,
    now: int,
    online: bool = False,
    last_pull_at: int | None = None,
) -> CustomerView:
    """Turn the rows of :func:`fetch` into the view (no I/O)."""
    m = raw.member
    profile = Profile(
        member_id=m[0],
        name=m[1],
        name_en=m[2],
        tier=m[3],
        points=m[4],
        phone_masked=m[5],
        card_no=m[6],
        consent_marketing=bool(m[7]),
        consent_browsing=bool(m[8]),
        tags=tuple(json.loads(m[9])) if m[9] else (),
        home_store=m[10],
        birthday=m[11],
        joined_at=m[12],
    )
    products = {r[0]: _product(r) for r in raw.products}
    recent: dict[str, int] = {}
    browsing: list[BrowsedProduct] = []
    for sku, views, recent_views, first_at, last_at, channels in raw.browse:
        product = products.get(sku) or _placeholder(sku)
        browsing.append(
            BrowsedProduct(
                product=product,
                views=views,
                channels=tuple(sorted(set(channels.split(",")))) if channels else (),
                first_seen=first_at,
                last_seen=last_at,
            )
        )
        if recent_views:
            recent[sku] = recent_views
    coupons = _coupons(raw.coupons, raw.outbox, now)
    cart: list[CartLine] = []
    for line_id, sku, qty, price_cents, added_at in raw.cart:
        product = products.get(sku) or _placeholder(sku, price_cents)
        best = (
            talking_points.best_coupon(coupons, product, price_cents * qty, now=now)
            if product.active
            else None
        )
        cart.append(
            CartLine(
                id=line_id,
                product=product,
                qty=qty,
                price_cents=price_cents,
                added_at=added_at,
                coupon_id=None if best is None else best.id,
            )
        )
    orders = _orders(raw, products, now=now)
    points = talking_points.rank(
        profile, browsing, cart, coupons, now=now, recent_views=recent, orders=orders
    )
    recommendations, offer_points = _recommendations(raw.offers, products)
    pending = sum(1 for r in raw.outbox if r[5] in UNSETTLED)
    return CustomerView(
        profile=profile,
        talking_points=points + offer_points,
        browsing=tuple(browsing),
        cart=tuple(cart),
        coupons=tuple(coupons),
        visits=_visits(raw, products, {r[0]: Localised(r[1], r[2]) for r in raw.coupons}),
        freshness=Freshness(last_pull_at=last_pull_at, online=online, pending=pending),
        as_of=now,
        points=points_mod.panel(m[4], m[3], raw.ledger, raw.confirmed, raw.outbox, now=now),
        recommendations=recommendations,
        orders=orders,
        wishlist=_wishlist(raw, products),
        cases=_cases(raw, products),
        consent_texts=_consent_texts(raw),
    )


def shown(view: CustomerView) -> tuple[str, ...]:
    """The kinds of talking points the view shows, in order, each once — a recommendation as
    ``offer:<reason>`` — what a visit records as shown (``Visit.shown``: "did it work?")."""
    kinds: list[str] = []
    for p in view.talking_points:
        kind = f"offer:{p.facts.get('reason', '')}" if p.rule == "offer" else p.rule
        if kind not in kinds:
            kinds.append(kind)
    return tuple(kinds[: interactions.MAX_SHOWN])


def with_record(raw: Raw, row: Sequence[Any]) -> Raw:
    """``raw`` with one more of this terminal's rows of the member (as :data:`Q_OUTBOX` reads
    it, newest): a visit recorded after the lookup's reads, shaped without reading again."""
    return dataclasses.replace(raw, outbox=[tuple(row), *raw.outbox])


def lookup(
    cache: sqlite3.Connection,
    outbox: sqlite3.Connection | None,
    member_id: str,
    *,
    now: int,
    online: bool = False,
    last_pull_at: int | None = None,
    browse_days: int = 90,
) -> CustomerView | None:
    """The 360 of one cached member at ``now``; None if the member is not in the cache."""
    raw = fetch(cache, outbox, member_id, now=now, browse_days=browse_days)
    if raw is None:
        return None
    return shape(raw, now=now, online=online, last_pull_at=last_pull_at)


# --- query plans -----------------------------------------------------------------------------


def _plan(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[str]:
    return [str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, tuple(params))]


def explain(
    cache: sqlite3.Connection,
    member_id: str,
    outbox: sqlite3.Connection | None = None,
    *,
    now: int = 0,
) -> list[str]:
    """``"<query>: <plan step>"`` for every query a lookup (and resolve) runs."""
    lines: list[str] = []
    plans: list[tuple[str, sqlite3.Connection, str, Sequence[Any]]] = [
        ("member", cache, Q_MEMBER, (member_id,)),
        ("browse", cache, Q_BROWSE, (now, member_id, now, BROWSE_PRODUCTS_LIMIT)),
        ("cart", cache, Q_CART, (member_id,)),
        ("coupons", cache, Q_COUPONS, (member_id,)),
        ("visits", cache, Q_VISITS, (member_id, VISITS_LIMIT)),
        ("products", cache, Q_PRODUCTS.format(marks=_marks(3)), ("a", "b", "c")),
        ("staff", cache, Q_STAFF.format(marks=_marks(2)), ("a", "b")),
        ("points", cache, points_mod.Q_LEDGER, (member_id, points_mod.RECENT_LIMIT)),
        ("bought", cache, Q_BOUGHT, (member_id,)),
        ("related", cache, recommend_mod.Q_RELATED.format(marks=_marks(2)), ("a", "b")),
        ("orders", cache, Q_ORDERS, (member_id, now, ORDERS_LIMIT)),
        ("store_sales", cache, Q_STORE_SALES, (member_id, now, ORDERS_LIMIT)),
        ("wishlist", cache, Q_WISHLIST, (member_id, WISHLIST_LIMIT)),
        ("cases", cache, Q_CASES, (member_id, CASES_LIMIT)),
        ("cases_known", cache, Q_CASES_KNOWN.format(marks=_marks(2)), ("a", "b")),
        ("consent_texts", cache, Q_CONSENT_TEXTS, (now,)),
        ("resolve_code", cache, "SELECT id FROM members WHERE code_id = ?", (1,)),
        ("resolve_card", cache, "SELECT id FROM members WHERE card_no = ?", ("1",)),
        ("resolve_phone", cache, Q_RESOLVE_PHONE, ("5678", 7, PHONE_CANDIDATES_LIMIT)),
    ]
    if outbox is not None:
        plans.append(("outbox", outbox, Q_OUTBOX, (member_id, OUTBOX_LIMIT)))
        plans.append(("outbox_store", outbox, Q_OUTBOX_STORE, ()))
    for name, conn, sql, params in plans:
        lines.extend(f"{name}: {step}" for step in _plan(conn, sql, params))
    return lines


def scans(plan_lines: Iterable[str]) -> list[str]:
    """The plan steps that read a guarded table without an index (full scans)."""
    bad = []
    for line in plan_lines:
        words = line.split(": ", 1)[1].split()
        # "SCAN t" and "SCAN t USING [COVERING] INDEX i" both read the whole table or index.
        if len(words) >= 2 and words[0] == "SCAN" and words[1] in GUARDED_TABLES:
            bad.append(line)
    return bad
