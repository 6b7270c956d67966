"""A deterministic, believable, bilingual retail world for demos, tests and benchmarks:
stores, staff, members and what they did online (the catalogue is :mod:`demoworld.catalogue`).

Everything comes from ``random.Random`` seeded by the spec: the same :class:`WorldSpec` gives
the same rows, byte for byte. Members are generated one at a time from their own seeded
generator (``seed`` and the member's number), so :func:`members` streams any number of them in
constant memory and :func:`bundle` regenerates a single one without the others.

Row shapes are those of the changes feed (``clerk.shared.entities``) except that a member
carries its plain ``phone`` (E.164) instead of what a terminal holds of it (``phone_last4``,
``phone_bucket``, ``phone_masked``: :func:`member_row`). Times are unix seconds, money is fen.

The hero of the design is member 1 (``M00000001``, 林晓雯 / Lin Xiaowen, store S001): a
Smartwatch S3 (¥1,999) in her online cart for 3 days, viewed 4 times this week, and a ¥200-off
coupon on it that expires in 3 days.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from clerk.identify import luhn_check_digit
from clerk.shared.phones import mask_phone, phone_bucket, tail
from clerk.talking_points import TIERS
from demoworld.catalogue import (
    CATEGORIES,
    CATEGORY_BY_KEY,
    HERO_PRODUCT,
    HERO_SKU,
    pairs,
    products,
    words,
)

DAY = 86_400
HOUR = 3_600
TZ_OFFSET_S = 8 * HOUR  # the demo stores are in China (UTC+8)

# Browse event ids are member number * 1000 + k: unique across the world.
MAX_EVENTS = 990

HERO_MEMBER_ID = "M00000001"
HERO_COUPON_ID = "Q0000000101"

STORES: list[dict[str, str]] = [
    {"id": "S001", "name": "上海静安店", "name_en": "Shanghai Jing'an", "city": "上海"},
    {"id": "S002", "name": "上海徐汇店", "name_en": "Shanghai Xuhui", "city": "上海"},
    {"id": "S003", "name": "杭州西湖店", "name_en": "Hangzhou West Lake", "city": "杭州"},
]
_STORE_BY_ID = {s["id"]: s for s in STORES}

# (suffix, name, role, pin) for the demo store; other stores get the same shape, numbered
# by store (S002: A11, A12, A13, M11 ...) so staff ids are unique across the world.
_STAFF_S001: tuple[tuple[str, str, str, str], ...] = (
    ("A01", "王芳", "associate", "1234"),
    ("A02", "陈浩然", "associate", "2345"),
    ("A03", "赵思雨", "associate", "3456"),
    ("M01", "周建华", "manager", "246810"),  # a manager's PIN has at least 6 digits
)
_STAFF_NAMES = ("李静", "张伟", "刘婷", "黄磊", "吴敏", "孙丽", "徐强", "马军")


def staff(store_id: str) -> list[dict[str, str]]:
    """The staff of one store: {id, store_id, name, role ("associate"|"manager"), pin}."""
    if store_id not in _STORE_BY_ID:
        raise ValueError(f"unknown demo store: {store_id!r}")
    n = [s["id"] for s in STORES].index(store_id)
    if n == 0:
        return [
            {"id": sid, "store_id": store_id, "name": name, "role": role, "pin": pin}
            for sid, name, role, pin in _STAFF_S001
        ]
    names = _STAFF_NAMES[(n - 1) * 4 : (n - 1) * 4 + 4]
    out = []
    for k, name in enumerate(names):
        role = "manager" if k == 3 else "associate"
        sid = f"M{n}1" if role == "manager" else f"A{n}{k + 1}"
        pin = f"{n}{k + 1}" * (3 if role == "manager" else 2)
        out.append({"id": sid, "store_id": store_id, "name": name, "role": role, "pin": pin})
    return out


def staff_changes(store_id: str, now: int, *, with_pins: bool = False) -> list[dict[str, object]]:
    """The staff of one store as a terminal cache's change rows. ``with_pins``: each with its
    demo PIN's hash, as from a hub that has them; else none (the PIN is set at first sign-in)."""
    from clerk.shared.pins import hash_pin

    return [
        {
            "entity": "staff",
            "op": "upsert",
            "key": s["id"],
            "data": {
                "id": s["id"],
                "name": s["name"],
                "role": s["role"],
                "pin_hash": hash_pin(s["pin"], s["role"]) if with_pins else None,
                "active": True,
                "updated_at": now,
            },
        }
        for s in staff(store_id)
    ]


@dataclass(frozen=True)
class WorldSpec:
    members: int
    seed: int
    now: int
    products: int = 3000
    events_per_member: float = 40.0
    stores: tuple[str, ...] = ("S001", "S002", "S003")


@dataclass(frozen=True)
class MemberBundle:
    member: dict[str, Any]
    browse: tuple[dict[str, Any], ...]
    cart: tuple[dict[str, Any], ...]
    coupons: tuple[dict[str, Any], ...]
    visits: tuple[dict[str, Any], ...] = ()  # earlier store visits/notes as the hub knows them


# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------

_SURNAMES = pairs(
    "王 Wang 李 Li 张 Zhang 刘 Liu 陈 Chen 杨 Yang 黄 Huang 赵 Zhao 吴 Wu 周 Zhou 徐 Xu 孙 Sun"
    " 马 Ma 朱 Zhu 胡 Hu 郭 Guo 何 He 林 Lin 罗 Luo 高 Gao 郑 Zheng 梁 Liang 谢 Xie 宋 Song"
    " 唐 Tang 韩 Han 冯 Feng 邓 Deng 曹 Cao 沈 Shen"
)
_GIVEN = pairs(
    "晓雯 Xiaowen 子涵 Zihan 浩然 Haoran 欣怡 Xinyi 宇轩 Yuxuan 梓萱 Zixuan 俊杰 Junjie 思雨 Siyu"
    " 一诺 Yinuo 佳怡 Jiayi 明 Ming 伟 Wei 芳 Fang 静 Jing 磊 Lei 婷 Ting 强 Qiang 敏 Min 丽 Li"
    " 军 Jun 雨桐 Yutong 天佑 Tianyou 诗涵 Shihan 文博 Wenbo 志强 Zhiqiang 秀英 Xiuying"
    " 建华 Jianhua 晨 Chen 悦 Yue 梦琪 Mengqi 雅婷 Yating 浩宇 Haoyu 若曦 Ruoxi 家豪 Jiahao"
    " 玉兰 Yulan 海涛 Haitao 丹 Dan 鹏 Peng"
)
_TAGS = words(
    "tech sneakerhead runner beauty home gift_buyer new_parent outdoor deal_seeker vip_events"
    " prefers_app fashion"
)
_CHANNELS = ("app", "web", "mini")
# Earlier history at the store, as the hub keeps it: (kind, what the associate typed, the
# category of the product an interest or a sale is about — one is picked per member).
_HISTORY: tuple[tuple[str, str, str | None], ...] = (
    ("visit", "", None),
    ("note", "试穿了跑步鞋，37码合适，想等有蓝色再买", None),
    ("note", "想给先生买生日礼物，预算两千左右", None),
    ("interest", "下次到货通知她", "headphones"),
    ("sale", "", "apparel"),
    ("note", "偏好线上下单、门店自提", None),
    ("visit", "", None),
)

_MASK63 = (1 << 63) - 1
# Published prefixes of Chinese mobile numbers.
_MOBILE_PREFIXES = words(
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 166 177 180 181 182"
    " 185 186 187 188 189 198 199"
)


def _mix63(x: int) -> int:
    """A bijection on 63-bit integers (xor-shift-multiply): unique, random-looking ids."""
    x &= _MASK63
    x ^= x >> 31
    x = (x * 0x7FB5D329728EA185) & _MASK63
    x ^= x >> 27
    x = (x * 0x41C64E6DA3BC0075) & _MASK63
    x ^= x >> 33
    return x


def end_of_local_day(t: int) -> int:
    """The last second of the store-local (UTC+8) day containing ``t``."""
    return t - (t + TZ_OFFSET_S) % DAY + DAY - 1


def tier_for(points: int) -> str:
    """The loyalty tier for ``points``: the thresholds the talking points use."""
    tier = TIERS[0][0]
    for name, threshold in TIERS:
        if points >= threshold:
            tier = name
    return tier


class _World:
    """Everything precomputed once so that each member costs little."""

    def __init__(self, spec: WorldSpec) -> None:
        self.spec = spec
        self.year = time.gmtime(spec.now).tm_year
        self.products = list(products(spec))
        self.by_sku = {p["sku"]: p for p in self.products}
        self.cat_keys = [c.key for c in CATEGORIES]
        self.cat_cw = list(accumulate(c.share for c in CATEGORIES))
        prng = random.Random(spec.seed * 31 + 5)
        self.cat_skus: dict[str, list[str]] = {}
        self.cat_sku_cw: dict[str, list[float]] = {}
        self.cat_active: dict[str, list[str]] = {}
        for key in self.cat_keys:
            skus = [p["sku"] for p in self.products if p["category"] == key]
            ranks = list(range(len(skus)))
            prng.shuffle(ranks)
            # Zipf-like popularity: a few products get most of the attention.
            weights = [1.0 / (r + 1) ** 0.9 for r in ranks]
            self.cat_skus[key] = skus
            self.cat_sku_cw[key] = list(accumulate(weights))
            self.cat_active[key] = [s for s in skus if self.by_sku[s]["active"]]
        if not self.products:
            raise ValueError("a demo world needs at least one product")
        self.store_names = {
            s: (_STORE_BY_ID[s]["name"] if s in _STORE_BY_ID else s) for s in spec.stores
        }
        self.staff_names = {
            s: ([p["name"] for p in staff(s)] if s in _STORE_BY_ID else ["店员"])
            for s in spec.stores
        }
        self.staff_ids: dict[str, list[str | None]] = {
            s: ([p["id"] for p in staff(s)] if s in _STORE_BY_ID else [None]) for s in spec.stores
        }


def members(spec: WorldSpec) -> Iterator[MemberBundle]:
    """Stream the members ``M00000001`` … in order, one bundle at a time."""
    world = _World(spec)
    for index in range(1, spec.members + 1):
        yield _member(world, index)


def bundle(spec: WorldSpec, index: int) -> MemberBundle:
    """Member number ``index`` (1-based) alone; equal to the one :func:`members` yields."""
    if not 1 <= index <= spec.members:
        raise ValueError(f"member index out of range: {index}")
    return _member(_World(spec), index)


def member_id(index: int) -> str:
    return f"M{index:08d}"


def _member(world: _World, index: int) -> MemberBundle:
    spec = world.spec
    now = spec.now
    rng = random.Random(spec.seed * 1_000_003 + index)
    rand = rng.random
    mid = member_id(index)
    store = spec.stores[(index - 1) % len(spec.stores)]

    surname_zh, surname_en = rng.choice(_SURNAMES)
    given_zh, given_en = rng.choice(_GIVEN)
    joined_at = now - DAY - int(rand() ** 1.5 * 6 * 365 * DAY)
    age_years = 18 + int(rand() ** 1.4 * 50)
    birth_year = world.year - age_years
    birthday = f"{birth_year:04d}-{1 + int(rand() * 12):02d}-{1 + int(rand() * 28):02d}"
    prefix = _MOBILE_PREFIXES[int(rand() * len(_MOBILE_PREFIXES))]
    # The last 8 digits are a bijection of the member number: phones are unique.
    phone = f"+86{prefix}{(index * 73_856_093 + spec.seed * 7) % 100_000_000:08d}"
    body = f"62{(index * 4_398_046_511_093 + 1_234_567 + spec.seed) % 10**13:013d}"
    card_no = body + luhn_check_digit(body)
    code_id = _mix63(index * 2_654_435_761 + spec.seed) or index

    # Interests: one to three favourite categories and a handful of favourite products.
    cats = rng.choices(world.cat_keys, cum_weights=world.cat_cw, k=1 + int(rand() * 3))
    favourites: list[str] = []
    for cat in cats:
        favourites += rng.choices(
            world.cat_skus[cat], cum_weights=world.cat_sku_cw[cat], k=1 + int(rand() * 2)
        )
    main_channel = _CHANNELS[int(rand() * 3)]

    # Recency: most members are active, some lapsed, some dormant (purge candidates).
    r = rand()
    recency = "active" if r < 0.80 else ("lapsed" if r < 0.92 else "dormant")
    span = now - joined_at
    n_events = 0
    if spec.events_per_member > 0:
        n_events = min(int(rng.expovariate(1.0 / spec.events_per_member)), MAX_EVENTS)

    events: list[tuple[int, str, str]] = []
    remaining = n_events
    while remaining > 0:
        size = min(remaining, 1 + int(rng.expovariate(1 / 6.0)))
        remaining -= size
        if recency == "active":
            age = int(rand() ** 1.6 * 90 * DAY) if rand() < 0.85 else int((90 + rand() * 275) * DAY)
        elif recency == "lapsed":
            age = int((90 + rand() * 275) * DAY)
        else:
            age = int((366 + rand() * 364) * DAY)
        age = min(age, span - HOUR) if span > HOUR else 0
        t = now - age
        channel = main_channel if rand() < 0.7 else _CHANNELS[int(rand() * 3)]
        cat = (
            cats[int(rand() * len(cats))]
            if rand() < 0.75
            else rng.choices(world.cat_keys, cum_weights=world.cat_cw)[0]
        )
        picks = rng.choices(world.cat_skus[cat], cum_weights=world.cat_sku_cw[cat], k=size)
        for sku in picks:
            if rand() < 0.3:
                sku = favourites[int(rand() * len(favourites))]
            events.append((t, sku, channel))
            t += 15 + int(rand() * 200)
            if t > now:
                t = now
    events.sort()

    # Online cart: open lines (some abandoned for days) and lines already bought.
    cart: list[dict[str, Any]] = []
    if recency != "dormant":
        n_open = rng.choices((0, 1, 2, 3, 4), cum_weights=(35, 60, 80, 92, 100))[0]
        n_bought = rng.choices((0, 1, 2, 3, 4), cum_weights=(30, 55, 75, 90, 100))[0]
        for k in range(n_open + n_bought):
            sku = favourites[int(rand() * len(favourites))] if rand() < 0.6 else ""
            if not sku or (not world.by_sku[sku]["active"] and rand() < 0.7):
                pool = world.cat_active[cats[0]] or world.cat_skus[cats[0]]
                sku = pool[int(rand() * len(pool))]
            if k < n_open:
                x = rand()
                age = (
                    int(rand() * DAY)
                    if x < 0.4
                    else (int((1 + rand() * 6) * DAY) if x < 0.8 else int((7 + rand() * 38) * DAY))
                )
                state = "open"
            else:
                age = int((3 + rand() * 200) * DAY)
                state = "bought"
            cart.append(
                {
                    "id": f"C{index:08d}{k:02d}",
                    "member_id": mid,
                    "sku": sku,
                    "qty": 2 if rand() < 0.08 else 1,
                    "price_cents": world.by_sku[sku]["price_cents"],
                    "added_at": now - min(age, max(span - HOUR, 0)),
                    "state": state,
                }
            )

    coupons = _coupons(world, rng, index, mid, cats, cart, favourites)
    visits = _visits(world, rng, index, mid, store) if rand() < 0.25 else []

    points = int(rng.expovariate(1 / 3500.0))
    last_seen = max([joined_at] + [e[0] for e in events[-1:]] + [c["added_at"] for c in cart])
    member: dict[str, Any] = {
        "id": mid,
        "code_id": code_id,
        "card_no": card_no,
        "phone": phone,
        "name": surname_zh + given_zh,
        "name_en": f"{surname_en} {given_en}",
        "tier": tier_for(points),
        "points": points,
        "consent_marketing": rand() < 0.7,
        "consent_browsing": rand() < 0.85,
        "tags": sorted(set(rng.sample(_TAGS, int(rand() * 3)))),
        "home_store": store,
        "birthday": birthday,
        "joined_at": joined_at,
        "last_seen": last_seen,
        "updated_at": now - int(rand() * 7 * DAY),
    }
    if index == 1:
        return _hero(world, member, events, cart, coupons, visits)
    return MemberBundle(
        member=member,
        browse=tuple(
            {"id": index * 1000 + k, "member_id": mid, "sku": sku, "channel": ch, "at": at}
            for k, (at, sku, ch) in enumerate(events)
        ),
        cart=tuple(cart),
        coupons=tuple(coupons),
        visits=tuple(visits),
    )


def _money_zh(fen: int) -> str:
    return f"{fen // 100}"


def _coupon_titles(
    rule: str, value: int, min_spend: int, skus: list[str], cats: list[str], world: _World
) -> tuple[str, str]:
    if skus:
        p = world.by_sku[skus[0]]
        target_zh, target_en = p["title_zh"], p["title_en"]
    elif cats:
        c = CATEGORY_BY_KEY[cats[0]]
        target_zh, target_en = c.zh, c.en.lower()
    else:
        target_zh, target_en = "全场", "everything"
    if rule == "amount_off":
        if min_spend:
            zh = f"{target_zh} 满{_money_zh(min_spend)}减{_money_zh(value)}"
            en = f"¥{value // 100:,} off {target_en} over ¥{min_spend // 100:,}"
        else:
            zh = f"{target_zh} 立减{_money_zh(value)}元"
            en = f"¥{value // 100:,} off {target_en}"
    else:
        tenths = 100 - value
        zh_rate = f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths / 10:g}"
        zh = f"{target_zh} {zh_rate}折"
        en = f"{value}% off {target_en}"
    return zh, en


_AMOUNTS = (
    (2_000, 19_900),
    (5_000, 39_900),
    (10_000, 69_900),
    (20_000, 100_000),
    (30_000, 150_000),
)


def _coupons(
    world: _World,
    rng: random.Random,
    index: int,
    mid: str,
    cats: list[str],
    cart: list[dict[str, Any]],
    favourites: list[str],
) -> list[dict[str, Any]]:
    now = world.spec.now
    rand = rng.random
    n = rng.choices((0, 1, 2, 3, 4, 5), cum_weights=(20, 45, 70, 85, 95, 100))[0]
    out: list[dict[str, Any]] = []
    open_skus = [c["sku"] for c in cart if c["state"] == "open"]
    for k in range(n):
        kind = rng.choices(
            ("usable", "expiring", "used", "expired", "not_yet_valid"),
            cum_weights=(40, 55, 75, 95, 100),
        )[0]
        x = rand()
        skus: list[str] = []
        categories: list[str] = []
        if x < 0.3:
            pool = open_skus or favourites
            skus = [pool[int(rand() * len(pool))]]
        elif x < 0.65:
            categories = [cats[int(rand() * len(cats))]]
        if rand() < 0.65:
            rule = "amount_off"
            value, min_spend = _AMOUNTS[int(rand() * len(_AMOUNTS))]
            if rand() < 0.25:
                min_spend = 0
        else:
            rule = "percent_off"
            value = (5, 10, 15, 20)[int(rand() * 4)]
            min_spend = (0, 0, 29_900, 99_900)[int(rand() * 4)]
        state = "live"
        used_at = None
        if kind == "usable":
            valid_from = now - int((1 + rand() * 30) * DAY)
            expires_at = end_of_local_day(now + int((8 + rand() * 52) * DAY))
        elif kind == "expiring":
            valid_from = now - int((7 + rand() * 30) * DAY)
            expires_at = end_of_local_day(now + int(rand() * 6.5 * DAY))
        elif kind == "used":
            valid_from = now - int((20 + rand() * 120) * DAY)
            used_at = valid_from + int(rand() * 15 * DAY)
            expires_at = end_of_local_day(used_at + int((5 + rand() * 30) * DAY))
            state = "used"
        elif kind == "expired":
            expires_at = end_of_local_day(now - int((1 + rand() * 90) * DAY))
            valid_from = expires_at - int((14 + rand() * 30) * DAY)
        else:
            valid_from = now + int((1 + rand() * 10) * DAY)
            expires_at = end_of_local_day(valid_from + 30 * DAY)
        title_zh, title_en = _coupon_titles(rule, value, min_spend, skus, categories, world)
        applies: dict[str, list[str]] = {}
        if skus:
            applies["skus"] = skus
        elif categories:
            applies["categories"] = categories
        out.append(
            {
                "id": f"Q{index:08d}{k:02d}",
                "member_id": mid,
                "title_zh": title_zh,
                "title_en": title_en,
                "rule": rule,
                "value": value,
                "min_spend_cents": min_spend,
                "applies_to": applies,
                "valid_from": valid_from,
                "expires_at": expires_at,
                "state": state,
                "used_at": used_at,
            }
        )
    return out


def _visits(
    world: _World, rng: random.Random, index: int, mid: str, store: str
) -> list[dict[str, Any]]:
    now = world.spec.now
    out: list[dict[str, Any]] = []
    for k in range(1 + int(rng.random() * 3)):
        kind, text, category = _HISTORY[int(rng.random() * len(_HISTORY))]
        names = world.staff_names[store]
        served = int(rng.random() * len(names))
        facts: dict[str, Any] = {}
        pool = (
            (world.cat_active.get(category) or world.cat_skus.get(category)) if category else None
        )
        if pool:
            sku = pool[index % len(pool)]
            if kind == "interest":
                facts = {"sku": sku, "action": "asked_about"}
            else:
                price = int(world.by_sku[sku]["price_cents"])
                facts = {
                    "items": [{"sku": sku, "qty": 1, "price_cents": price}],
                    "amount_cents": price,
                    "cart_item_ids": [],
                }
        elif category:
            kind = "visit"  # a world without such products
        out.append(
            {
                "id": f"V{index:08d}{k:02d}",
                "member_id": mid,
                "store_id": store,
                "store_name": world.store_names[store],
                "staff_id": world.staff_ids[store][served],
                "staff_name": names[served],
                "kind": kind,
                "text": text or None,
                "facts": facts,
                "at": now - int((2 + rng.random() * 360) * DAY),
            }
        )
    out.sort(key=lambda v: v["at"])
    return out


def _hero(
    world: _World,
    member: dict[str, Any],
    events: list[tuple[int, str, str]],
    cart: list[dict[str, Any]],
    coupons: list[dict[str, Any]],
    visits: list[dict[str, Any]],
) -> MemberBundle:
    """Member 1 of S001 tells the design's story, whatever the seed."""
    now = world.spec.now
    mid = member["id"]
    member.update(
        {
            "name": "林晓雯",
            "name_en": "Lin Xiaowen",
            "tier": "gold",
            "points": 12_480,
            "consent_marketing": True,
            "consent_browsing": True,
            "tags": ["prefers_app", "tech"],
            "home_store": world.spec.stores[0],
            "birthday": "1994-11-08" if _month(now) != 11 else "1994-06-08",
            "joined_at": min(member["joined_at"], now - 800 * DAY),
        }
    )
    week = now - 7 * DAY
    # Exactly four views of the watch this week, none older ones hidden among them.
    kept = [e for e in events if not (e[1] == HERO_SKU and e[0] >= week)]
    kept = [e for e in kept if e[0] >= member["joined_at"]]
    headphones = world.cat_active["headphones"] or world.cat_skus["headphones"]
    watch_views = [
        (now - 6 * DAY - 5 * HOUR, HERO_SKU, "app"),
        (now - 6 * DAY - 5 * HOUR + 140, headphones[0], "app"),
        (now - 4 * DAY - 2 * HOUR, HERO_SKU, "mini"),
        (now - 3 * DAY - 1 * HOUR, HERO_SKU, "app"),
        (now - 1 * DAY - 3 * HOUR, HERO_SKU, "web"),
    ]
    events = sorted(kept + watch_views)
    browse = tuple(
        {"id": 1000 + k, "member_id": mid, "sku": sku, "channel": ch, "at": at}
        for k, (at, sku, ch) in enumerate(events)
    )
    bought = [c for c in cart if c["state"] == "bought"][:1]
    cart = [
        {
            "id": "C0000000100",
            "member_id": mid,
            "sku": HERO_SKU,
            "qty": 1,
            "price_cents": HERO_PRODUCT["price_cents"],
            "added_at": now - 3 * DAY - 1 * HOUR,
            "state": "open",
        },
        *[dict(c, id=f"C00000001{k + 1:02d}") for k, c in enumerate(bought)],
    ]
    coupons = [
        {
            "id": HERO_COUPON_ID,
            "member_id": mid,
            "title_zh": "智能手表 S3 满1000减200",
            "title_en": "¥200 off Smartwatch S3 over ¥1,000",
            "rule": "amount_off",
            "value": 20_000,
            "min_spend_cents": 100_000,
            "applies_to": {"skus": [HERO_SKU]},
            "valid_from": now - 10 * DAY,
            "expires_at": end_of_local_day(now + 3 * DAY),
            "state": "live",
            "used_at": None,
        },
        {
            "id": "Q0000000102",
            "member_id": mid,
            "title_zh": "耳机 9折",
            "title_en": "10% off headphones",
            "rule": "percent_off",
            "value": 10,
            "min_spend_cents": 0,
            "applies_to": {"categories": ["headphones"]},
            "valid_from": now - 5 * DAY,
            "expires_at": end_of_local_day(now + 25 * DAY),
            "state": "live",
            "used_at": None,
        },
        {
            "id": "Q0000000103",
            "member_id": mid,
            "title_zh": "全场 满399减50",
            "title_en": "¥50 off everything over ¥399",
            "rule": "amount_off",
            "value": 5_000,
            "min_spend_cents": 39_900,
            "applies_to": {},
            "valid_from": now - 60 * DAY,
            "expires_at": end_of_local_day(now - 20 * DAY),
            "state": "used",
            "used_at": now - 41 * DAY,
        },
    ]
    store = world.spec.stores[0]
    visits = [
        {
            "id": "V0000000100",
            "member_id": mid,
            "store_id": store,
            "store_name": world.store_names[store],
            "staff_id": world.staff_ids[store][0],
            "staff_name": world.staff_names[store][0],
            "kind": "note",
            "text": "试戴了智能手表 S3，喜欢蓝色表带；在考虑中",
            "facts": {},
            "at": now - 62 * DAY,
        }
    ]
    member["last_seen"] = max(events[-1][0], cart[0]["added_at"])
    return MemberBundle(
        member=member,
        browse=browse,
        cart=tuple(cart),
        coupons=tuple(coupons),
        visits=tuple(visits),
    )


def _month(t: int) -> int:
    return time.gmtime(t + TZ_OFFSET_S).tm_mon


# ---------------------------------------------------------------------------------------------
# As cache rows
# ---------------------------------------------------------------------------------------------


def member_row(member: dict[str, Any], bucket_key: str) -> dict[str, Any]:
    """A member as the cache (and the changes feed) holds it: of the phone only its last four
    digits, its 8-bit bucket under ``bucket_key`` and the masked form, never the number."""
    row = {k: v for k, v in member.items() if k != "phone"}
    row["phone_last4"] = tail(member["phone"])
    row["phone_bucket"] = phone_bucket(bucket_key, member["phone"])
    row["phone_masked"] = mask_phone(member["phone"])
    return row


def changes(b: MemberBundle, bucket_key: str) -> Iterator[dict[str, Any]]:
    """One member's bundle as upserts of the changes feed (``clerk.cache.apply_changes``)."""
    yield {
        "entity": "member",
        "op": "upsert",
        "key": b.member["id"],
        "data": member_row(b.member, bucket_key),
    }
    for entity, rows in (
        ("browse", b.browse),
        ("cart", b.cart),
        ("coupon", b.coupons),
        ("visit", b.visits),
    ):
        for row in rows:
            yield {"entity": entity, "op": "upsert", "key": str(row["id"]), "data": row}


# The demo chain's consent wording (a real chain publishes its own: clerk hub signup-text).
CONSENT_VERSION = "2026-12-v1"
CONSENT_TEXTS = (
    (
        "zh",
        "我同意本店按照《会员隐私政策》保存我的手机号、姓名和生日，用于会员服务。"
        "勾选后，我同意接收优惠信息；勾选后，我同意本店使用我的线上浏览记录为我提供店内服务。"
        "我可以随时在会员小程序或门店撤回同意。",
    ),
    (
        "en",
        "I agree that the store keeps my phone number, name and birthday under the Member Privacy "
        "Policy to provide member services. If ticked, I agree to receive offers; if ticked, I "
        "agree that the store uses my online browsing to serve me in store. I can withdraw my "
        "consent at any time in the member app or in store.",
    ),
)


def consent_changes(now: int) -> list[dict[str, Any]]:
    """The consent wording as change rows of the feed (a demo terminal's cache)."""
    return [
        {
            "entity": "signup_text",
            "op": "upsert",
            "key": f"{CONSENT_VERSION}/{lang}",
            "data": {
                "id": f"{CONSENT_VERSION}/{lang}",
                "version": CONSENT_VERSION,
                "lang": lang,
                "text": text,
                "published_at": now,
            },
        }
        for lang, text in CONSENT_TEXTS
    ]
