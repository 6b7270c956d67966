"""Talking-point rules, one by one, with their edge cases (pure data, no database)."""

from __future__ import annotations

import dataclasses

import pytest

from clerk import talking_points as tp
from clerk.model import (
    BrowsedProduct,
    CartLine,
    Coupon,
    Localised,
    Order,
    OrderLine,
    Product,
    Profile,
    TalkingPoint,
)

DAY = 86_400
HOUR = 3_600
# Sunday 2025-11-23 20:13:20 in UTC+8.
NOW = 1_763_900_000
TZ = 8 * HOUR


def end_of_day(t: int) -> int:
    return t - (t + TZ) % DAY + DAY - 1


WATCH = Product("SW00001", "智能手表 S3", "Smartwatch S3", "smartwatches", 199_900, None, True)
SHOES = Product("SH00002", "跑步鞋", "Running Shoes", "shoes", 59_900, None, True)
OLD = Product("PH00009", "旧手机", "Old Phone", "phones", 99_900, None, False)


def profile(**kw: object) -> Profile:
    base = dict(
        member_id="M00000001",
        name="林晓雯",
        name_en="Lin Xiaowen",
        tier="gold",
        points=12_480,
        phone_masked="138****5678",
        card_no=None,
        consent_marketing=True,
        consent_browsing=True,
        tags=(),
        home_store="S001",
        birthday="1994-06-08",
        joined_at=NOW - 800 * DAY,
    )
    base.update(kw)
    return Profile(**base)  # type: ignore[arg-type]


def coupon(cid: str = "Q1", **kw: object) -> Coupon:
    base = dict(
        id=cid,
        title_zh="智能手表 S3 满1000减200",
        title_en="¥200 off Smartwatch S3 over ¥1,000",
        rule="amount_off",
        value=20_000,
        min_spend_cents=100_000,
        skus=("SW00001",),
        categories=(),
        valid_from=NOW - 10 * DAY,
        expires_at=end_of_day(NOW + 3 * DAY),
        status="expiring",
        used_at=None,
    )
    base.update(kw)
    return Coupon(**base)  # type: ignore[arg-type]


def line(product: Product = WATCH, days: float = 3 + 1 / 24, **kw: object) -> CartLine:
    base = dict(
        id=f"C-{product.sku}",
        product=product,
        qty=1,
        price_cents=product.price_cents,
        added_at=NOW - int(days * DAY),
    )
    base.update(kw)
    return CartLine(**base)  # type: ignore[arg-type]


def browsed(product: Product = WATCH, views: int = 4) -> BrowsedProduct:
    return BrowsedProduct(product, views, ("app", "web"), NOW - 6 * DAY, NOW - DAY)


def rules(points: tuple[TalkingPoint, ...]) -> list[str]:
    return [p.rule for p in points]


def test_hero_gets_one_cart_coupon_point_with_every_fact() -> None:
    points = tp.rank(
        profile(), [browsed()], [line()], [coupon()], now=NOW, recent_views={"SW00001": 4}
    )
    # The watch and its coupon are mentioned once, by the strongest rule.
    assert rules(points) == ["cart_coupon"]
    f = points[0].facts
    assert f["sku"] == "SW00001"
    assert (f["title_zh"], f["title_en"]) == ("智能手表 S3", "Smartwatch S3")
    assert f["price_cents"] == 199_900
    assert f["coupon_id"] == "Q1"
    assert f["coupon_title_en"] == "¥200 off Smartwatch S3 over ¥1,000"
    assert (f["rule"], f["value"], f["saving_cents"]) == ("amount_off", 20_000, 20_000)
    assert f["expires_at"] == end_of_day(NOW + 3 * DAY)
    assert f["days_left"] == 3
    assert f["days_in_cart"] == 3
    assert f["views_7d"] == 4
    assert points[0].score == tp.SCORE_CART_COUPON + 2 * (7 - 3)


def test_describe_the_hero_in_both_languages() -> None:
    (point,) = tp.rank(profile(), [], [line()], [coupon()], now=NOW)
    assert tp.describe(point, tz_offset_s=TZ) == Localised(
        "线上购物车 3 天：智能手表 S3 ¥1,999 — 减¥200优惠券 周三到期",
        "In online cart 3 days: Smartwatch S3 ¥1,999 — coupon ¥200 off expires Wed",
    )
    assert tp.describe(point, tz_offset_s=TZ).pick("zh_CN").startswith("线上购物车")
    # Relative to a known "now": Wednesday is within the week; tomorrow is "tomorrow".
    assert tp.describe(point, now=NOW, tz_offset_s=TZ).en.endswith("expires Wed")
    soon = dataclasses.replace(point, facts={**point.facts, "expires_at": NOW + DAY})
    assert tp.describe(soon, now=NOW, tz_offset_s=TZ).en.endswith("expires tomorrow")
    assert tp.describe(soon, now=NOW, tz_offset_s=TZ).zh.endswith("明天到期")


@pytest.mark.parametrize(
    "status, changes",
    [
        ("expired", {"expires_at": NOW - 1}),
        ("not_yet_valid", {"valid_from": NOW + DAY}),
        ("used", {"used_at": NOW - DAY}),
        ("expiring", {"pending_redeem": True}),  # being redeemed here: not live
        ("expiring", {"expires_at": NOW - 1}),  # a stale status never outlives the dates
    ],
)
def test_coupons_that_are_not_live_are_never_mentioned(status: str, changes: dict) -> None:
    c = coupon(status=status, **changes)
    points = tp.rank(profile(), [], [line(days=0.5)], [c], now=NOW)
    assert points == ()
    assert tp.best_coupon([c], WATCH, 199_900, now=NOW) is None


def test_min_spend_not_met_gives_no_cart_coupon_but_other_points_remain() -> None:
    c = coupon(min_spend_cents=300_000)  # ¥3,000 minimum, the watch is ¥1,999
    points = tp.rank(profile(), [], [line()], [c], now=NOW)
    assert rules(points) == ["coupon_expiring", "cart_abandoned"]
    assert points[1].facts["sku"] == "SW00001"
    # qty 2 meets it: the line total counts.
    points = tp.rank(profile(), [], [line(qty=2)], [c], now=NOW)
    assert rules(points) == ["cart_coupon"]
    assert points[0].facts["qty"] == 2


def test_product_no_longer_sold_is_skipped_everywhere() -> None:
    c = coupon(skus=(), categories=("phones",))
    recent = {"PH00009": 9}
    points = tp.rank(
        profile(), [browsed(OLD, 9)], [line(OLD, days=10)], [c], now=NOW, recent_views=recent
    )
    # Only the coupon itself (expiring) is worth saying; the inactive phone is not.
    assert rules(points) == ["coupon_expiring"]


def test_empty_history_gives_no_points() -> None:
    assert tp.rank(profile(), [], [], [], now=NOW) == ()


def test_coupon_expiring_window_is_seven_days_inclusive() -> None:
    inside = coupon("Q7", expires_at=NOW + 7 * DAY, skus=("X",))
    outside = coupon("Q8", expires_at=NOW + 7 * DAY + 1, skus=("X",), status="usable")
    points = tp.rank(profile(), [], [], [inside, outside], now=NOW)
    assert rules(points) == ["coupon_expiring"]
    f = points[0].facts
    assert (f["coupon_id"], f["days_left"], f["skus"], f["categories"]) == ("Q7", 7, ["X"], [])
    assert points[0].score == tp.SCORE_COUPON_EXPIRING


def test_coupon_expiring_sooner_ranks_higher() -> None:
    a = coupon("QA", expires_at=NOW + 6 * DAY, skus=("X",))
    b = coupon("QB", expires_at=NOW + HOUR, skus=("Y",))
    points = tp.rank(profile(), [], [], [a, b], now=NOW)
    assert [p.facts["coupon_id"] for p in points] == ["QB", "QA"]
    assert points[0].score > points[1].score


def test_viewed_often_needs_three_views_in_seven_days() -> None:
    b = [browsed(WATCH, 10), browsed(SHOES, 10)]
    points = tp.rank(profile(), b, [], [], now=NOW, recent_views={"SW00001": 3, "SH00002": 2})
    assert rules(points) == ["viewed_often"]
    f = points[0].facts
    assert (f["sku"], f["views_7d"], f["views"], f["channels"]) == (
        "SW00001",
        3,
        10,
        ["app", "web"],
    )
    assert points[0].score == tp.SCORE_VIEWED_OFTEN + 3


def test_viewed_often_without_recent_counts_uses_first_seen() -> None:
    recent = BrowsedProduct(SHOES, 5, ("app",), NOW - 2 * DAY, NOW - HOUR)
    older = BrowsedProduct(WATCH, 5, ("app",), NOW - 30 * DAY, NOW - HOUR)
    points = tp.rank(profile(), [recent, older], [], [], now=NOW)
    assert [p.facts["sku"] for p in points] == ["SH00002"]


def test_cart_abandoned_from_two_days() -> None:
    fresh = line(SHOES, days=2 - 1 / 24)
    stale = line(WATCH, days=2)
    points = tp.rank(profile(), [], [fresh, stale], [], now=NOW)
    assert rules(points) == ["cart_abandoned"]
    assert points[0].facts["sku"] == "SW00001"
    assert points[0].facts["days_in_cart"] == 2
    assert tp.describe(points[0]).en == "Left in online cart 2 days: Smartwatch S3 ¥1,999"


def test_birthday_month_uses_store_local_month() -> None:
    # 2025-11-30 20:00 UTC is 2025-12-01 04:00 in UTC+8: December.
    now = 1_764_532_800
    points = tp.rank(profile(birthday="1990-12-01"), [], [], [], now=now, tz_offset_s=TZ)
    assert rules(points) == ["birthday_month"]
    assert points[0].facts == {"month": 12, "day": 1, "days_until": 0}
    assert points[0].score == tp.SCORE_BIRTHDAY + 10
    assert tp.describe(points[0]).en == "Birthday today"
    # In UTC it is still November: no point.
    assert tp.rank(profile(birthday="1990-12-01"), [], [], [], now=now, tz_offset_s=0) == ()


def test_birthday_later_or_earlier_this_month() -> None:
    later = tp.rank(profile(birthday="1990-11-28"), [], [], [], now=NOW, tz_offset_s=TZ)
    assert later[0].facts["days_until"] == 5
    assert tp.describe(later[0]).zh == "本月生日（11月28日）"
    earlier = tp.rank(profile(birthday="1990-11-02"), [], [], [], now=NOW, tz_offset_s=TZ)
    assert earlier[0].facts["days_until"] == -21
    assert earlier[0].score == tp.SCORE_BIRTHDAY
    assert tp.rank(profile(birthday="not-a-date"), [], [], [], now=NOW) == ()


@pytest.mark.parametrize(
    "tier, points, expected",
    [
        ("silver", 7_200, 800),  # exactly 10% of gold's 8,000 away
        ("silver", 7_199, None),
        ("basic", 1_850, 150),
        ("gold", 19_999, 1),
        ("gold", 20_000, None),  # already there (tier not updated yet): nothing to say
        ("platinum", 99_000, None),  # top tier
        ("diamond", 1, None),  # unknown tier
    ],
)
def test_tier_upgrade_within_ten_percent(tier: str, points: int, expected: int | None) -> None:
    got = tp.rank(profile(tier=tier, points=points), [], [], [], now=NOW)
    if expected is None:
        assert got == ()
    else:
        assert rules(got) == ["tier_upgrade"]
        assert got[0].facts["points_needed"] == expected
        assert got[0].facts["next_threshold"] == dict(tp.TIERS)[got[0].facts["next_tier"]]


def test_best_coupon_prefers_the_biggest_saving_then_the_earliest_expiry() -> None:
    percent = coupon(
        "P",
        rule="percent_off",
        value=15,
        min_spend_cents=0,
        skus=(),
        categories=("smartwatches",),
        status="usable",
    )
    amount = coupon("A", value=20_000, status="usable")
    everything = coupon(
        "E", value=29_985, skus=(), min_spend_cents=0, status="usable", expires_at=NOW + 40 * DAY
    )
    # 15% of ¥1,999 is ¥299.85 — the same as E; P expires first.
    assert tp.best_coupon([amount, everything, percent], WATCH, 199_900, now=NOW) is percent
    assert tp.best_coupon([amount], SHOES, 59_900, now=NOW) is None  # wrong sku
    assert tp.coupon_saving(amount, 99_999) == 0  # below the minimum spend
    assert tp.coupon_saving(coupon(value=50_000, min_spend_cents=0), 10_000) == 10_000  # capped


def test_points_are_sorted_by_score() -> None:
    points = tp.rank(
        profile(tier="silver", points=7_500, birthday="1990-11-02"),
        [browsed(SHOES, 5)],
        [line(), line(SHOES, days=9)],
        [coupon(), coupon("Q2", skus=("NOPE",), expires_at=NOW + 2 * DAY)],
        now=NOW,
        recent_views={"SH00002": 5},
    )
    assert rules(points) == [
        "cart_coupon",
        "coupon_expiring",
        "cart_abandoned",
        "tier_upgrade",
        "birthday_month",
    ]
    scores = [p.score for p in points]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_rule_has_a_sentence(lang: str) -> None:
    points = tp.rank(
        profile(tier="silver", points=7_500, birthday="1990-11-30"),
        [browsed(SHOES, 5)],
        [line(), line(Product("BG1", "包", "Bag", "bags", 29_900, None, True), days=4)],
        [coupon(), coupon("Q2", rule="percent_off", value=10, skus=("NOPE",))],
        now=NOW,
        recent_views={"SH00002": 5},
    )
    assert set(rules(points)) == {
        "cart_coupon",
        "coupon_expiring",
        "cart_abandoned",
        "viewed_often",
        "tier_upgrade",
        "birthday_month",
    }
    text = {p.rule: tp.describe(p, now=NOW, tz_offset_s=TZ).pick(lang) for p in points}
    for rule, sentence in text.items():
        assert sentence and sentence != rule
    if lang == "zh":
        assert text["coupon_expiring"] == "优惠券「智能手表 S3 满1000减200」周三到期"
        assert text["viewed_often"] == "本周浏览 跑步鞋 5 次（¥599）"
        assert text["tier_upgrade"] == "再积 500 分即可升级金卡"
    else:
        assert text["coupon_expiring"] == "Coupon “¥200 off Smartwatch S3 over ¥1,000” expires Wed"
        assert text["viewed_often"] == "Viewed Running Shoes 5 times this week (¥599)"
        assert text["tier_upgrade"] == "500 points from Gold"
        assert text["birthday_month"] == "Birthday this month (Nov 30)"
    assert tp.describe(TalkingPoint("future_rule", 1.0)).pick(lang) == "future_rule"


STRAP = Product("ST00003", "S3 表带", "S3 strap", "straps", 19_900, None, True)
PHONE = Product("PH00004", "手机 12", "Phone 12", "phones", 299_900, None, True)


def order(oid: str, days: float, *products: Product, **kw: object) -> Order:
    lines = tuple(OrderLine(p, 1, p.price_cents) for p in products)
    base = dict(
        id=oid,
        channel="online",
        at=int(NOW - days * DAY),
        total_cents=sum(p.price_cents for p in products),
        state="completed",
        lines=lines,
    )
    base.update(kw)
    return Order(**base)  # type: ignore[arg-type]


def order_points(*orders: Order) -> list[TalkingPoint]:
    points = tp.rank(profile(birthday=None, tier="platinum"), [], [], [], now=NOW, orders=orders)
    return [p for p in points if p.rule.startswith("order_")]


def test_order_followup_asks_how_it_fits_or_how_it_goes() -> None:
    points = order_points(order("O1", 30, STRAP, PHONE))
    assert [(p.rule, p.facts["sku"], p.facts["ask"], p.facts["days_ago"]) for p in points] == [
        ("order_followup", "PH00004", "use", 30),
        ("order_followup", "ST00003", "fit", 30),
    ]
    strap = next(p for p in points if p.facts["sku"] == "ST00003")
    said = tp.describe(strap, now=NOW, tz_offset_s=TZ)
    assert said.en == "Bought S3 strap last month — ask how it fits"
    assert said.zh == "上个月买了S3 表带 — 问问是否合适"
    phone = next(p for p in points if p.facts["sku"] == "PH00004")
    assert tp.describe(phone).en == "Bought Phone 12 last month — ask how they get on with it"


def test_order_followup_window_recency_and_the_newest_two_orders() -> None:
    assert order_points(order("O1", 2, STRAP)) == []  # too soon
    assert order_points(order("O1", 46, STRAP)) == []  # too long ago
    assert order_points(order("O1", 10, OLD)) == []  # no longer sold
    older, newer = order_points(order("O1", 40, STRAP), order("O2", 5, PHONE))[::-1]
    assert newer.score > older.score  # fresher first
    three = order_points(
        order("O1", 40, STRAP), order("O2", 20, SHOES), order("O3", 5, PHONE, channel="store")
    )
    assert [p.facts["order_id"] for p in three] == ["O3", "O2"]
    assert three[0].facts["channel"] == "store"
    assert tp.describe(three[1]).en == "Bought Running Shoes 2 weeks ago — ask how it fits"


def test_a_recent_return_asks_what_went_wrong_once() -> None:
    returned = order("O1", 20, STRAP, SHOES, state="refunded", refunded_at=NOW - 4 * DAY)
    points = order_points(returned)
    assert [(p.rule, p.facts["sku"], p.facts["days_ago"]) for p in points] == [
        ("order_returned", "ST00003", 4)
    ]
    assert tp.describe(points[0]).en == "Returned S3 strap 4 days ago — ask what went wrong"
    assert tp.describe(points[0]).zh == "4 天前退货了S3 表带 — 问问哪里不满意"
    old_return = order("O1", 60, STRAP, state="refunded", refunded_at=NOW - 31 * DAY)
    assert order_points(old_return) == []
    # A cart point about the same product outranks (and replaces) the follow-up.
    points = tp.rank(
        profile(birthday=None),
        [],
        [line(WATCH)],
        [coupon()],
        now=NOW,
        orders=[order("O2", 10, WATCH)],
    )
    assert "order_followup" not in rules(points)
