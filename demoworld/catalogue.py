"""The demo world's catalogue: bilingual products in ten categories, with the hero's watch.

Deterministic: ``random.Random`` seeded by the spec, so the same spec gives the same rows.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clerk.shared import gtin

if TYPE_CHECKING:
    from demoworld.world import WorldSpec

HERO_SKU = "SW00001"


def pairs(text: str) -> tuple[tuple[str, str], ...]:
    """ "中文 English_words …" → (("中文", "English words"), …)."""
    tokens = text.split()
    return tuple(
        (zh, en.replace("_", " ")) for zh, en in zip(tokens[0::2], tokens[1::2], strict=True)
    )


def _nouns(text: str) -> tuple[tuple[str, str, int, int], ...]:
    """ "中文 English_words 99-499 …" → (("中文", "English words", 99, 499), …)."""
    w = text.split()
    out = []
    for zh, en, prices in zip(w[0::3], w[1::3], w[2::3], strict=True):
        lo, hi = prices.split("-")
        out.append((zh, en.replace("_", " "), int(lo), int(hi)))
    return tuple(out)


def words(text: str) -> tuple[str, ...]:
    """ "a b c" → ("a", "b", "c")."""
    return tuple(text.split())


@dataclass(frozen=True)
class _Category:
    key: str
    zh: str
    en: str
    prefix: str
    glyph: str
    share: int  # relative number of products and of shopper interest
    nouns: tuple[tuple[str, str, int, int], ...]  # zh, en, price range in yuan
    brands: tuple[tuple[str, str], ...]
    models: tuple[str, ...]


_COLOURS: tuple[tuple[str, str, str], ...] = (
    ("黑色", "Black", "#1f2933"),
    ("白色", "White", "#d9dde3"),
    ("银色", "Silver", "#9aa5b1"),
    ("蓝色", "Blue", "#2b6cb0"),
    ("玫瑰金", "Rose Gold", "#c98b7a"),
    ("灰色", "Grey", "#616e7c"),
    ("红色", "Red", "#c53030"),
    ("绿色", "Green", "#2f855a"),
    ("米色", "Beige", "#c8b99a"),
    ("粉色", "Pink", "#d53f8c"),
)

# fmt: off
CATEGORIES: tuple[_Category, ...] = (
    _Category(
        "smartwatches", "智能手表", "Smartwatches", "SW", "smartwatch", 8,
        _nouns("智能手表 Smartwatch 999-3999 运动手表 Sport_Watch 799-2999"
               " 儿童手表 Kids_Watch 399-1299"),
        pairs("星环 Orbit 极光 Aurora 澎湃 Surge 新星 Nova"),
        ("S3", "S4", "Pro 2", "Lite", "GT 5", "Active", "X1", "Fit 3"),
    ),
    _Category(
        "watches", "腕表", "Watches", "WT", "watch", 6,
        _nouns("机械腕表 Automatic_Watch 2999-12999 石英表 Quartz_Watch 599-2999"
               " 潜水表 Dive_Watch 1999-8999"),
        pairs("天梭克 Tessark 子午 Meridian 维拉 Vela 北辰 Polaris"),
        ("Classic 40mm", "Heritage 38mm", "Ocean 42mm", "Slim 36mm", "Chrono 44mm"),
    ),
    _Category(
        "phones", "手机", "Phones", "PH", "phone", 7,
        _nouns("手机 Phone 1499-6999 折叠屏手机 Foldable_Phone 5999-9999"),
        pairs("新星 Nova 峰岳 Summit 青禾 Qinghe 澎湃 Surge"),
        ("12", "12 Pro", "13", "13 Ultra", "Note 9", "Flip 2", "Mini"),
    ),
    _Category(
        "headphones", "耳机", "Headphones", "HP", "headphones", 8,
        _nouns("降噪耳机 Noise-Cancelling_Headphones 799-2999 真无线耳机 True_Wireless_Earbuds"
               " 199-1499 运动耳机 Sport_Earbuds 129-699"),
        pairs("声悦 Sonora 极光 Aurora 回响 Echo 峰岳 Summit"),
        ("Air 3", "Buds 2", "Max", "Pro", "Neo", "Run"),
    ),
    _Category(
        "shoes", "鞋履", "Shoes", "SH", "shoe", 12,
        _nouns("跑步鞋 Running_Shoes 399-1299 休闲鞋 Sneakers 299-999 徒步鞋 Hiking_Boots 499-1599"
               " 乐福鞋 Loafers 399-1199"),
        pairs("疾风 Swift 远行 Trek 步履 Stride 云朵 Cloudy"),
        ("Racer 4", "Glide", "Trail 2", "Court", "Urban", "Air Flow"),
    ),
    _Category(
        "apparel", "服装", "Apparel", "AP", "shirt", 16,
        _nouns("羽绒服 Down_Jacket 599-1999 卫衣 Hoodie 169-499 T恤 T-Shirt 59-199"
               " 衬衫 Shirt 129-399 连衣裙 Dress 199-899 牛仔裤 Jeans 159-599"),
        pairs("素衣 Plainwear 城市 Metro 远行 Trek 拾光 Timeless"),
        ("Essential", "Relaxed Fit", "Slim Fit", "Oversize", "Classic"),
    ),
    _Category(
        "bags", "箱包", "Bags", "BG", "bag", 8,
        _nouns("双肩包 Backpack 199-899 托特包 Tote_Bag 299-2999 斜挎包 Crossbody_Bag 199-1999"
               " 行李箱 Suitcase 499-2499"),
        pairs("行者 Voyager 拾光 Timeless 城市 Metro 远行 Trek"),
        ("20L", "Weekender", "Mini", "Carry-on 20\"", "Daily"),
    ),
    _Category(
        "beauty", "美妆", "Beauty", "BT", "lipstick", 14,
        _nouns("口红 Lipstick 129-399 精华液 Serum 299-1299 面霜 Face_Cream 199-999"
               " 香水 Eau_de_Parfum 399-1499 防晒霜 Sunscreen 79-299"),
        pairs("花漾 Bloom 露华 Dewy 雪肌 Snow_Skin 兰亭 Orchid"),
        ("30ml", "50ml", "No. 3", "No. 7", "Travel Size"),
    ),
    _Category(
        "home", "家居", "Home", "HM", "lamp", 12,
        _nouns("台灯 Desk_Lamp 99-499 香薰机 Aroma_Diffuser 129-399 保温杯 Vacuum_Flask 59-199"
               " 空气净化器 Air_Purifier 899-2999 床品四件套 Bedding_Set 299-1299"),
        pairs("栖居 Nest 木森 Woodland 素衣 Plainwear 青禾 Qinghe"),
        ("Mini", "Plus", "500ml", "Queen", "Smart"),
    ),
    _Category(
        "sports", "运动户外", "Sports & Outdoors", "SP", "ball", 9,
        _nouns("瑜伽垫 Yoga_Mat 79-299 帐篷 Tent 399-1999 羽毛球拍 Badminton_Racket 199-899"
               " 篮球 Basketball 99-399 骑行头盔 Cycling_Helmet 199-699"),
        pairs("疾风 Swift 远行 Trek 峰岳 Summit 步履 Stride"),
        ("Pro", "Lite", "2-Person", "Size 7", "Tour"),
    ),
)
# fmt: on
CATEGORY_BY_KEY = {c.key: c for c in CATEGORIES}


def barcode_of(sku: str) -> str:
    """The product's EAN-13, deterministic from its sku: ``690`` (a Chinese GS1 prefix), the
    category's place in :data:`CATEGORIES` (2 digits), the sku's number (7 digits) and the
    check digit. Never starts ``62`` (a member card) nor reads as a phone number."""
    prefix = sku.rstrip("0123456789")
    place = [c.prefix for c in CATEGORIES].index(prefix)
    return gtin.ean13(f"690{place:02d}{int(sku[len(prefix) :]):07d}")


HERO_PRODUCT: dict[str, Any] = {
    "sku": HERO_SKU,
    "title_zh": "智能手表 S3",
    "title_en": "Smartwatch S3",
    "category": "smartwatches",
    "price_cents": 199_900,
    "image": "#2b6cb0:smartwatch",
    "active": True,
    "barcode": barcode_of(HERO_SKU),
}


def _retail_price(yuan: int) -> int:
    """Prices end in 9 the way shops price things: 1999, 599, 89, 39."""
    if yuan >= 1000:
        yuan = yuan - yuan % 100 + 99
    elif yuan >= 100:
        yuan = yuan - yuan % 10 + 9
    else:
        yuan = yuan - yuan % 10 + 9
    return yuan * 100


def _category_counts(total: int) -> list[int]:
    shares = [c.share for c in CATEGORIES]
    whole = sum(shares)
    counts = [max(1, total * s // whole) for s in shares]
    counts[-1] += total - sum(counts)
    return counts


def products(spec: WorldSpec) -> Iterator[dict[str, Any]]:
    """The catalogue: ``spec.products`` rows with the cache "product" columns.

    SKUs are a category prefix and a number (``SW00001`` is the hero's Smartwatch S3). About
    8% of the products are no longer sold (``active`` False). ``image`` is a paintable
    descriptor, "#rrggbb:glyph".
    """
    rng = random.Random(spec.seed * 7919 + 17)
    for cat, count in zip(CATEGORIES, _category_counts(spec.products), strict=True):
        for n in range(1, count + 1):
            sku = f"{cat.prefix}{n:05d}"
            if sku == HERO_SKU:
                rng.random()  # keep the stream aligned whether or not the hero is special
                yield dict(HERO_PRODUCT)
                continue
            noun_zh, noun_en, lo, hi = rng.choice(cat.nouns)
            brand_zh, brand_en = rng.choice(cat.brands)
            model = rng.choice(cat.models)
            colour_zh, colour_en, colour_hex = rng.choice(_COLOURS)
            # Prices skew low within a category (more cheap than expensive items).
            yuan = lo + int((hi - lo) * rng.random() ** 2)
            zh = f"{brand_zh}{noun_zh} {model} {colour_zh}".strip()
            en = f"{brand_en} {noun_en} {model} {colour_en}".strip()
            yield {
                "sku": sku,
                "title_zh": zh,
                "title_en": en,
                "category": cat.key,
                "price_cents": _retail_price(yuan),
                "image": f"{colour_hex}:{cat.glyph}",
                "active": rng.random() >= 0.08,
                "barcode": barcode_of(sku),
            }


def product_changes(spec: WorldSpec) -> Iterator[dict[str, Any]]:
    """The catalogue as upserts of the changes feed (``clerk.cache.apply_changes``)."""
    for p in products(spec):
        yield {"entity": "product", "op": "upsert", "key": p["sku"], "data": p}
