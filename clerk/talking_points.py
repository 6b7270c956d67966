"""Talking points: small, explainable rules that say what is worth mentioning to a customer.

Each rule has a stable id and produces :class:`~clerk.model.TalkingPoint` values carrying the
*facts* behind them (no sentences: the UI translates, the CLI uses :func:`describe`, which
gives both languages).

Rules (score = base + the bonus noted; higher first):

=================  ====  ======================================================================
rule               base  when
=================  ====  ======================================================================
cart_coupon        100   an open cart line (product still sold) has a live coupon that applies
                         and whose minimum spend the line meets; +2 per day closer to expiry
                         within the week. Facts: the line, the coupon, days in cart, views.
cart_abandoned     60    an open cart line (product still sold) sits ≥ 2 days; +1 per day, ≤ 14
coupon_expiring    80    a live coupon expires within 7 days; +2 per day closer to expiry
viewed_often       50    a product still sold was viewed ≥ 3 times in the last 7 days; +views
tier_upgrade       40    points are within 10% of the next tier's threshold
birthday_month     30    the birthday is in the current (store-local) month; +10 if it is today
                         or within the coming week
order_returned     55    an order (online or in store) returned within 30 days: ask what went
                         wrong; +1 per day fresher. One per order (its first line's product)
order_followup     45    a product still sold, bought 3–45 days ago (online or in store, not
                         returned): ask how it fits (apparel, shoes, watches and their straps
                         — :data:`FIT_CATEGORIES`) or how they get on with it (anything
                         else); +1 per week fresher. The two most recent orders at most
=================  ====  ======================================================================

Decisions on the edge cases:

* A coupon that is expired, not yet valid, used, void or being redeemed here (pending) is never
  live and never mentioned.
* **Minimum spend not met:** the line gets no ``cart_coupon`` point (we do not suggest a
  coupon the customer cannot use on that item); the line may still be ``cart_abandoned`` and the
  coupon may still be ``coupon_expiring``.
* A product no longer sold (inactive) gives no product point at all (cart or browsing).
* No history (no browsing, cart or coupons) gives no points except the two profile rules.
* Each product and each coupon is mentioned once, by its highest-scoring point: the hero's
  watch is one ``cart_coupon`` point (with ``views_7d`` and ``days_in_cart`` among its facts),
  not also ``cart_abandoned``, ``viewed_often`` and ``coupon_expiring``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clerk import fmt
from clerk.model import (
    BrowsedProduct,
    CartLine,
    Coupon,
    Localised,
    Order,
    Product,
    Profile,
    TalkingPoint,
)

DAY = 86_400

# Loyalty tiers and the points at which each starts, in order.
TIERS: tuple[tuple[str, int], ...] = (
    ("basic", 0),
    ("silver", 2_000),
    ("gold", 8_000),
    ("platinum", 20_000),
)
TIER_NAMES_ZH = {"basic": "普通会员", "silver": "银卡", "gold": "金卡", "platinum": "白金卡"}

EXPIRING_DAYS = 7  # a live coupon expiring within this many days is "expiring"
VIEWED_OFTEN_MIN = 3  # views …
VIEWED_OFTEN_DAYS = 7  # … within this many days
ABANDONED_DAYS = 2  # an open cart line this old is "abandoned"
TIER_NEAR = 0.10  # within this fraction of the next tier's threshold

SCORE_CART_COUPON = 100.0
SCORE_COUPON_EXPIRING = 80.0
SCORE_CART_ABANDONED = 60.0
SCORE_VIEWED_OFTEN = 50.0
SCORE_TIER_UPGRADE = 40.0
SCORE_BIRTHDAY = 30.0
SCORE_ORDER_RETURNED = 55.0
SCORE_ORDER_FOLLOWUP = 45.0

RETURNED_DAYS = 30  # a return this recent is worth asking about
FOLLOWUP_MIN_DAYS = 3  # bought this long ago at least (not the day after) …
FOLLOWUP_DAYS = 45  # … and at most this long ago
FOLLOWUP_ORDERS = 2  # follow-ups from the most recent orders only
# Categories whose follow-up is "how does it fit": worn things.
FIT_CATEGORIES = frozenset({"apparel", "shoes", "watches", "smartwatches", "straps"})

LIVE_STATUSES = ("usable", "expiring")


# --- coupons ---------------------------------------------------------------------------------


def is_live(coupon: Coupon, now: int) -> bool:
    """Usable right now: live status, inside its validity window, not being redeemed here."""
    return (
        coupon.status in LIVE_STATUSES
        and not coupon.pending_redeem
        and coupon.valid_from <= now <= coupon.expires_at
    )


def coupon_applies(coupon: Coupon, product: Product) -> bool:
    """A coupon with neither skus nor categories applies to everything."""
    if coupon.skus or coupon.categories:
        return product.sku in coupon.skus or product.category in coupon.categories
    return True


def coupon_saving(coupon: Coupon, amount_cents: int) -> int:
    """What the coupon takes off ``amount_cents`` (0 below its minimum spend)."""
    if amount_cents < coupon.min_spend_cents or amount_cents <= 0:
        return 0
    if coupon.rule == "amount_off":
        return min(coupon.value, amount_cents)
    if coupon.rule == "percent_off":
        return amount_cents * min(max(coupon.value, 0), 100) // 100
    return 0


def best_coupon(
    coupons: Iterable[Coupon], product: Product, amount_cents: int, *, now: int
) -> Coupon | None:
    """The live coupon that saves most on this line (ties: the one expiring first)."""
    best: Coupon | None = None
    best_key: tuple[int, int, str] | None = None
    for c in coupons:
        if not is_live(c, now) or not coupon_applies(c, product):
            continue
        saving = coupon_saving(c, amount_cents)
        if saving <= 0:
            continue
        key = (-saving, c.expires_at, c.id)
        if best_key is None or key < best_key:
            best, best_key = c, key
    return best


def next_tier(tier: str) -> tuple[str, int] | None:
    names = [name for name, _ in TIERS]
    if tier not in names:
        return None
    i = names.index(tier)
    return TIERS[i + 1] if i + 1 < len(TIERS) else None


# --- rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    point: TalkingPoint
    subjects: frozenset[str]  # "sku:…", "coupon:…", "profile:…": each mentioned once


def _product_facts(p: Product) -> dict[str, Any]:
    return {"sku": p.sku, "title_zh": p.title_zh, "title_en": p.title_en}


def _coupon_facts(c: Coupon, now: int, prefix: str = "coupon_") -> dict[str, Any]:
    return {
        f"{prefix}id": c.id,
        f"{prefix}title_zh": c.title_zh,
        f"{prefix}title_en": c.title_en,
        "rule": c.rule,
        "value": c.value,
        "min_spend_cents": c.min_spend_cents,
        "expires_at": c.expires_at,
        "days_left": fmt.whole_days(c.expires_at - now),
    }


def _urgency(days_left: int) -> float:
    return 2.0 * (EXPIRING_DAYS - min(days_left, EXPIRING_DAYS))


def _cart_points(
    cart: Sequence[CartLine], coupons: Sequence[Coupon], views_7d: Mapping[str, int], now: int
) -> list[_Candidate]:
    out: list[_Candidate] = []
    for line in cart:
        p = line.product
        if not p.active:
            continue
        days = fmt.whole_days(now - line.added_at)
        base = {
            **_product_facts(p),
            "price_cents": line.price_cents,
            "qty": line.qty,
            "line_id": line.id,
            "added_at": line.added_at,
            "days_in_cart": days,
            "views_7d": views_7d.get(p.sku, 0),
        }
        coupon = best_coupon(coupons, p, line.price_cents * line.qty, now=now)
        if coupon is not None:
            facts = {
                **base,
                **_coupon_facts(coupon, now),
                "saving_cents": coupon_saving(coupon, line.price_cents * line.qty),
            }
            score = SCORE_CART_COUPON + _urgency(facts["days_left"])
            out.append(
                _Candidate(
                    TalkingPoint("cart_coupon", score, facts),
                    frozenset({f"sku:{p.sku}", f"coupon:{coupon.id}"}),
                )
            )
        if days >= ABANDONED_DAYS:
            score = SCORE_CART_ABANDONED + min(days, 14)
            out.append(
                _Candidate(TalkingPoint("cart_abandoned", score, base), frozenset({f"sku:{p.sku}"}))
            )
    return out


def _coupon_points(coupons: Sequence[Coupon], now: int) -> list[_Candidate]:
    out: list[_Candidate] = []
    for c in coupons:
        if not is_live(c, now) or c.expires_at - now > EXPIRING_DAYS * DAY:
            continue
        facts = {
            **_coupon_facts(c, now),
            "skus": list(c.skus),
            "categories": list(c.categories),
        }
        score = SCORE_COUPON_EXPIRING + _urgency(facts["days_left"])
        out.append(
            _Candidate(TalkingPoint("coupon_expiring", score, facts), frozenset({f"coupon:{c.id}"}))
        )
    return out


def _browse_points(
    browsing: Sequence[BrowsedProduct], views_7d: Mapping[str, int]
) -> list[_Candidate]:
    out: list[_Candidate] = []
    for b in browsing:
        p = b.product
        n = views_7d.get(p.sku, 0)
        if not p.active or n < VIEWED_OFTEN_MIN:
            continue
        facts = {
            **_product_facts(p),
            "price_cents": p.price_cents,
            "views_7d": n,
            "views": b.views,
            "channels": list(b.channels),
            "last_seen": b.last_seen,
        }
        score = SCORE_VIEWED_OFTEN + min(n, 20)
        out.append(
            _Candidate(TalkingPoint("viewed_often", score, facts), frozenset({f"sku:{p.sku}"}))
        )
    return out


def _profile_points(profile: Profile, now: int, tz_offset_s: int) -> list[_Candidate]:
    out: list[_Candidate] = []
    nxt = next_tier(profile.tier)
    if nxt is not None:
        name, threshold = nxt
        need = threshold - profile.points
        if 0 < need <= threshold * TIER_NEAR:
            facts = {
                "tier": profile.tier,
                "next_tier": name,
                "points": profile.points,
                "next_threshold": threshold,
                "points_needed": need,
            }
            out.append(
                _Candidate(
                    TalkingPoint("tier_upgrade", SCORE_TIER_UPGRADE, facts),
                    frozenset({"profile:tier"}),
                )
            )
    month_day = _birthday(profile.birthday)
    if month_day is not None:
        month, day = month_day
        today = fmt.local(now, tz_offset_s)
        if month == today.tm_mon:
            days_until = day - today.tm_mday
            score = SCORE_BIRTHDAY + (10.0 if 0 <= days_until <= 7 else 0.0)
            facts = {"month": month, "day": day, "days_until": days_until}
            out.append(
                _Candidate(
                    TalkingPoint("birthday_month", score, facts), frozenset({"profile:birthday"})
                )
            )
    return out


def _order_points(orders: Sequence[Order], now: int) -> list[_Candidate]:
    """Follow-ups of recent purchases and returns (the newest orders first)."""
    out: list[_Candidate] = []
    followups = 0
    for order in sorted(orders, key=lambda o: o.at, reverse=True):
        if not order.lines:
            continue
        if order.returned:
            at = order.refunded_at if order.refunded_at is not None else order.at
            days = fmt.whole_days(now - at)
            if days > RETURNED_DAYS:
                continue
            line = order.lines[0]
            facts = {
                **_product_facts(line.product),
                "order_id": order.id,
                "channel": order.channel,
                "days_ago": days,
                "lines": len(order.lines),
            }
            score = SCORE_ORDER_RETURNED + (RETURNED_DAYS - days) / RETURNED_DAYS * 10
            out.append(
                _Candidate(
                    TalkingPoint("order_returned", score, facts),
                    frozenset({f"sku:{line.product.sku}", f"order:{order.id}"}),
                )
            )
            continue
        days = fmt.whole_days(now - order.at)
        if not FOLLOWUP_MIN_DAYS <= days <= FOLLOWUP_DAYS or followups >= FOLLOWUP_ORDERS:
            continue
        followups += 1
        for line in order.lines:
            p = line.product
            if not p.active:
                continue
            facts = {
                **_product_facts(p),
                "order_id": order.id,
                "channel": order.channel,
                "days_ago": days,
                "ask": "fit" if p.category in FIT_CATEGORIES else "use",
            }
            score = SCORE_ORDER_FOLLOWUP + (FOLLOWUP_DAYS - days) / 7
            out.append(
                _Candidate(
                    TalkingPoint("order_followup", score, facts), frozenset({f"sku:{p.sku}"})
                )
            )
    return out


def _birthday(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    parts = text.split("-")
    if len(parts) != 3:
        return None
    try:
        month, day = int(parts[1]), int(parts[2])
    except ValueError:
        return None
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return month, day


def views_last_days(browsing: Sequence[BrowsedProduct], *, now: int, days: int) -> dict[str, int]:
    """A fallback for callers without per-event counts: products first seen inside the window
    count all their views (a lower bound otherwise, so products straddling it count 0)."""
    since = now - days * DAY
    return {b.product.sku: b.views for b in browsing if b.first_seen >= since}


def rank(
    profile: Profile,
    browsing: Sequence[BrowsedProduct],
    cart: Sequence[CartLine],
    coupons: Sequence[Coupon],
    *,
    now: int,
    recent_views: Mapping[str, int] | None = None,
    tz_offset_s: int = fmt.DEFAULT_TZ_OFFSET_S,
    orders: Sequence[Order] = (),
) -> tuple[TalkingPoint, ...]:
    """All talking points, highest score first, each product and coupon mentioned once.

    ``recent_views`` maps sku → views in the last ``VIEWED_OFTEN_DAYS`` days (the 360 lookup
    counts them in SQL); without it they are estimated from ``browsing``.
    """
    views = (
        dict(recent_views)
        if recent_views is not None
        else views_last_days(browsing, now=now, days=VIEWED_OFTEN_DAYS)
    )
    candidates = [
        *_cart_points(cart, coupons, views, now),
        *_coupon_points(coupons, now),
        *_browse_points(browsing, views),
        *_profile_points(profile, now, tz_offset_s),
        *_order_points(orders, now),
    ]
    candidates.sort(key=lambda c: (-c.point.score, c.point.rule, sorted(c.subjects)))
    covered: set[str] = set()
    kept: list[TalkingPoint] = []
    for cand in candidates:
        if cand.subjects & covered:
            continue
        covered |= cand.subjects
        kept.append(cand.point)
    return tuple(kept)


# --- plain sentences for the CLI -------------------------------------------------------------


def _title(facts: Mapping[str, Any], lang: str, prefix: str = "") -> str:
    zh = facts.get(f"{prefix}title_zh") or ""
    en = facts.get(f"{prefix}title_en") or ""
    return str(zh or en) if fmt.is_zh(lang) else str(en or zh)


def _offer(facts: Mapping[str, Any], lang: str) -> str:
    value = int(facts.get("value", 0))
    if facts.get("rule") == "percent_off":
        if fmt.is_zh(lang):
            rate = (100 - value) / 10
            return f"{rate:g}折"
        return f"{value}% off"
    return f"减{fmt.money(value)}" if fmt.is_zh(lang) else f"{fmt.money(value)} off"


def _expiry(facts: Mapping[str, Any], lang: str, now: int | None, tz_offset_s: int) -> str:
    at = int(facts["expires_at"])
    if now is not None:
        return fmt.when(at, now, lang, tz_offset_s)
    if int(facts.get("days_left", EXPIRING_DAYS)) < EXPIRING_DAYS:
        return fmt.weekday(at, lang, tz_offset_s)
    return fmt.short_date(at, lang, tz_offset_s)


def _days(n: int, lang: str) -> str:
    if fmt.is_zh(lang):
        return f"{n} 天"
    return "1 day" if n == 1 else f"{n} days"


def describe(
    point: TalkingPoint,
    *,
    now: int | None = None,
    tz_offset_s: int = fmt.DEFAULT_TZ_OFFSET_S,
) -> Localised:
    """One plain sentence for the CLI, in Chinese and in English, e.g.
    ``In online cart 3 days: Smartwatch S3 ¥1,999 — coupon ¥200 off expires Fri``."""
    return Localised(
        _sentence(point, "zh", now, tz_offset_s), _sentence(point, "en", now, tz_offset_s)
    )


def _sentence(point: TalkingPoint, lang: str, now: int | None, tz_offset_s: int) -> str:
    f = point.facts
    zh = fmt.is_zh(lang)
    if point.rule == "cart_coupon":
        days = int(f["days_in_cart"])
        head = (
            (f"线上购物车 {_days(days, lang)}" if days else "今天加入线上购物车")
            if zh
            else (f"In online cart {_days(days, lang)}" if days else "Added to online cart today")
        )
        item = f"{_title(f, lang)} {fmt.money(int(f['price_cents']))}"
        when = _expiry(f, lang, now, tz_offset_s)
        if zh:
            return f"{head}：{item} — {_offer(f, lang)}优惠券 {when}到期"
        return f"{head}: {item} — coupon {_offer(f, lang)} expires {when}"
    if point.rule == "cart_abandoned":
        days = int(f["days_in_cart"])
        item = f"{_title(f, lang)} {fmt.money(int(f['price_cents']))}"
        if zh:
            return f"线上购物车放了 {_days(days, lang)}未下单：{item}"
        return f"Left in online cart {_days(days, lang)}: {item}"
    if point.rule == "coupon_expiring":
        when = _expiry(f, lang, now, tz_offset_s)
        title = _title(f, lang, "coupon_")
        return f"优惠券「{title}」{when}到期" if zh else f"Coupon “{title}” expires {when}"
    if point.rule == "viewed_often":
        n = int(f["views_7d"])
        price = fmt.money(int(f["price_cents"]))
        if zh:
            return f"本周浏览 {_title(f, lang)} {n} 次（{price}）"
        return f"Viewed {_title(f, lang)} {n} times this week ({price})"
    if point.rule == "tier_upgrade":
        need = int(f["points_needed"])
        tier = str(f["next_tier"])
        if zh:
            return f"再积 {need:,} 分即可升级{TIER_NAMES_ZH.get(tier, tier)}"
        return f"{need:,} points from {tier.capitalize()}"
    if point.rule == "birthday_month":
        month, day = int(f["month"]), int(f["day"])
        if zh:
            return "今天生日" if f.get("days_until") == 0 else f"本月生日（{month}月{day}日）"
        if f.get("days_until") == 0:
            return "Birthday today"
        return f"Birthday this month ({fmt.MONTHS_EN[month - 1]} {day})"
    if point.rule in ("order_followup", "order_returned"):
        return _order_sentence(point, lang)
    return point.rule


def _ago(days: int, lang: str) -> str:
    """``3 days ago`` / ``last week`` / ``3 weeks ago`` / ``last month`` (and in Chinese)."""
    zh = fmt.is_zh(lang)
    if days <= 1:
        return "昨天" if zh else "yesterday"
    if days < 7:
        return f"{days} 天前" if zh else f"{days} days ago"
    if days < 14:
        return "上周" if zh else "last week"
    if days < 28:
        return f"{days // 7} 周前" if zh else f"{days // 7} weeks ago"
    return "上个月" if zh else "last month"


def _order_sentence(point: TalkingPoint, lang: str) -> str:
    f = point.facts
    zh = fmt.is_zh(lang)
    title, ago = _title(f, lang), _ago(int(f["days_ago"]), lang)
    if point.rule == "order_returned":
        if zh:
            return f"{ago}退货了{title} — 问问哪里不满意"
        return f"Returned {title} {ago} — ask what went wrong"
    if f.get("ask") == "fit":
        if zh:
            return f"{ago}买了{title} — 问问是否合适"
        return f"Bought {title} {ago} — ask how it fits"
    if zh:
        return f"{ago}买了{title} — 问问用得怎么样"
    return f"Bought {title} {ago} — ask how they get on with it"
