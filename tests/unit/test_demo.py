"""The demo world: deterministic, believable, shaped like the cache, the hero's story intact."""

from __future__ import annotations

import re
from itertools import islice

import pytest

from clerk import demo
from clerk.cache import TABLES
from clerk.identify import luhn_valid
from clerk.shared.phones import normalize_phone

DAY = 86_400
NOW = 1_763_900_000
SPEC = demo.WorldSpec(members=400, seed=7, now=NOW, products=800)


def test_same_seed_same_world() -> None:
    again = demo.WorldSpec(members=400, seed=7, now=NOW, products=800)
    assert list(demo.products(SPEC)) == list(demo.products(again))
    assert list(islice(demo.members(SPEC), 60)) == list(islice(demo.members(again), 60))
    other = demo.WorldSpec(members=400, seed=8, now=NOW, products=800)
    a, b = list(islice(demo.members(SPEC), 5)), list(islice(demo.members(other), 5))
    assert [x.member["name"] for x in a[1:]] != [x.member["name"] for x in b[1:]]


def test_a_member_is_the_same_alone_or_in_the_stream() -> None:
    stream = list(islice(demo.members(SPEC), 12))
    assert demo.bundle(SPEC, 12) == stream[11]
    assert demo.bundle(SPEC, 1) == stream[0]
    with pytest.raises(ValueError):
        demo.bundle(SPEC, 0)


def test_stores_and_staff() -> None:
    assert [s["id"] for s in demo.STORES] == ["S001", "S002", "S003"]
    assert set(demo.STORES[0]) == {"id", "name", "name_en", "city"}
    s001 = {s["id"]: s for s in demo.staff("S001")}
    assert (s001["A01"]["role"], s001["A01"]["pin"]) == ("associate", "1234")
    assert (s001["M01"]["role"], s001["M01"]["pin"]) == ("manager", "9999")
    everyone = [s for store in demo.STORES for s in demo.staff(store["id"])]
    assert len({s["id"] for s in everyone}) == len(everyone)
    assert all(re.fullmatch(r"\d{4}", s["pin"]) for s in everyone)
    assert {s["role"] for s in everyone} == {"associate", "manager"}
    with pytest.raises(ValueError):
        demo.staff("S999")


def test_catalogue() -> None:
    rows = list(demo.products(SPEC))
    assert len(rows) == SPEC.products
    assert len({r["sku"] for r in rows}) == len(rows)
    assert rows[0] == demo.HERO_PRODUCT
    assert set(rows[0]) == set(TABLES["product"][2])
    assert {r["category"] for r in rows} == {c.key for c in demo.CATEGORIES}
    inactive = sum(not r["active"] for r in rows)
    assert 0.03 * len(rows) < inactive < 0.15 * len(rows)
    for r in rows:
        assert re.fullmatch(r"#[0-9a-f]{6}:[a-z]+", r["image"])
        assert r["price_cents"] % 100 == 0 and 3_000 <= r["price_cents"] <= 1_300_000
        assert r["title_zh"] and r["title_en"].isascii()


def test_member_rows_have_the_cache_shape_and_unique_identities() -> None:
    bundles = list(demo.members(SPEC))
    assert len(bundles) == SPEC.members
    cache_cols = set(TABLES["member"][2]) - {"phone_hash", "phone_masked"}
    for key in ("code_id", "card_no", "phone", "id"):
        values = [b.member[key] for b in bundles]
        assert len(set(values)) == len(values), key
    for i, b in enumerate(bundles, start=1):
        m = b.member
        assert set(m) == cache_cols | {"phone"}
        assert m["id"] == f"M{i:08d}"
        assert 0 < m["code_id"] < 2**63
        assert len(m["card_no"]) == 16 and m["card_no"].startswith("62")
        assert luhn_valid(m["card_no"])
        assert normalize_phone(m["phone"]) == m["phone"]
        assert re.fullmatch(r"\+861[3-9]\d{9}", m["phone"])
        assert m["tier"] in {"basic", "silver", "gold", "platinum"}
        assert m["home_store"] in SPEC.stores
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", m["birthday"])
        assert m["joined_at"] <= m["last_seen"] <= NOW
        assert m["name"] and m["name_en"] and m["name_en"].isascii()
        if i > 1:
            assert demo.tier_for(m["points"]) == m["tier"]
        row = demo.member_row(m, "00" * 16)
        assert "phone" not in row and "****" in row["phone_masked"]


def test_activity_rows() -> None:
    browse_ids: set[int] = set()
    n_events = open_lines = 0
    statuses: set[str] = set()
    recent = 0
    for b in demo.members(SPEC):
        mid = b.member["id"]
        for e in b.browse:
            assert set(e) == set(TABLES["browse"][2])
            assert e["member_id"] == mid and e["channel"] in {"app", "web", "mini"}
            assert b.member["joined_at"] <= e["at"] <= NOW
            browse_ids.add(e["id"])
            recent += e["at"] >= NOW - 90 * DAY
        n_events += len(b.browse)
        opened = [c for c in b.cart if c["state"] == "open"]
        assert len(opened) <= 4
        open_lines += len(opened)
        for c in b.cart:
            assert set(c) == set(TABLES["cart"][2]) and c["state"] in {"open", "bought"}
        for q in b.coupons:
            assert set(q) == set(TABLES["coupon"][2])
            assert q["rule"] in {"amount_off", "percent_off"}
            assert set(q["applies_to"]) <= {"skus", "categories"}
            assert q["valid_from"] < q["expires_at"]
            if q["state"] == "used":
                statuses.add("used")
            elif q["valid_from"] > NOW:
                statuses.add("not_yet_valid")
            elif q["expires_at"] < NOW:
                statuses.add("expired")
            elif q["expires_at"] - NOW <= 7 * DAY:
                statuses.add("expiring")
            else:
                statuses.add("usable")
        for v in b.visits:
            assert set(v) == set(TABLES["visit"][2])
    assert len(browse_ids) == n_events  # ids unique across the world
    assert 0.8 * 40 * SPEC.members < n_events < 1.2 * 40 * SPEC.members
    assert recent > 0.6 * n_events  # most browsing is recent
    assert open_lines > 0
    assert statuses == {"usable", "expiring", "used", "expired", "not_yet_valid"}


def test_the_hero() -> None:
    b = demo.bundle(SPEC, 1)
    m = b.member
    assert (m["id"], m["name"], m["name_en"], m["home_store"]) == (
        "M00000001",
        "林晓雯",
        "Lin Xiaowen",
        "S001",
    )
    (line,) = [c for c in b.cart if c["state"] == "open"]
    assert (line["sku"], line["price_cents"]) == ("SW00001", 199_900)
    assert 3 * DAY <= NOW - line["added_at"] < 4 * DAY
    coupon = next(q for q in b.coupons if q["id"] == demo.HERO_COUPON_ID)
    assert (coupon["rule"], coupon["value"], coupon["state"]) == ("amount_off", 20_000, "live")
    assert coupon["applies_to"] == {"skus": ["SW00001"]}
    assert 3 * DAY <= coupon["expires_at"] - NOW < 4 * DAY
    assert coupon["min_spend_cents"] <= 199_900
    week = [e for e in b.browse if e["sku"] == "SW00001" and e["at"] >= NOW - 7 * DAY]
    assert len(week) == 4
    ids = [e["id"] for e in b.browse]
    assert len(set(ids)) == len(ids) and all(1000 <= i < 2000 for i in ids)
    assert m["consent_browsing"] is True


def test_luhn_digit_matches_identify() -> None:
    for body in ("620000000000001", "7992739871", "0"):
        assert luhn_valid(body + demo.luhn_digit(body))
