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

Privacy: when the member has not consented to browsing analytics the browsing panel is empty
and the browse table is not even read. Interactions recorded only against a scanned reference
(``member_ref``, before the member was cached) are not matched to the member here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from clerk import talking_points
from clerk.model import (
    BrowsedProduct,
    CartLine,
    Coupon,
    CouponStatus,
    CustomerView,
    Freshness,
    Identity,
    Localised,
    PhoneCandidate,
    Product,
    Profile,
    VisitEntry,
)
from clerk.shared import interactions
from clerk.shared.phones import tail

DAY = 86_400
BROWSE_PRODUCTS_LIMIT = 50  # products in the browsing panel (most recently viewed first)
VISITS_LIMIT = 50  # entries in the previous-visits panel
OUTBOX_LIMIT = 500  # this member's interactions read from the outbox
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
    " WHERE member_id = ? ORDER BY created_at DESC, id DESC LIMIT ?"
)
Q_OUTBOX_STORE = "SELECT value FROM outbox_meta WHERE key = 'store_name'"

# Tables a 360 query must never scan.
GUARDED_TABLES = (
    "members",
    "browse_events",
    "cart_items",
    "coupons",
    "visits",
    "products",
    "interactions",
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
    skus = {r[0] for r in browse}
    skus.update(r[1] for r in cart)
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
    return Raw(member, browse, cart, coupons, visits, products, out_rows, staff, store_name)


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
    points = talking_points.rank(profile, browsing, cart, coupons, now=now, recent_views=recent)
    pending = sum(1 for r in raw.outbox if r[5] in UNSETTLED)
    return CustomerView(
        profile=profile,
        talking_points=points,
        browsing=tuple(browsing),
        cart=tuple(cart),
        coupons=tuple(coupons),
        visits=_visits(raw, products, {r[0]: Localised(r[1], r[2]) for r in raw.coupons}),
        freshness=Freshness(last_pull_at=last_pull_at, online=online, pending=pending),
        as_of=now,
    )


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
