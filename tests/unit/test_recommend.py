"""What to offer next: the hub's model on a hand-made history (sync/hub/recommend.py), the
terminal's choice of three (clerk/recommend.py), the customer view's offers, and the held-back
week of the demo world, where the recommender must beat popularity."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from clerk import recommend, view360
from clerk.cache import apply_changes, open_cache
from demoworld.orders import held_back_week
from demoworld.world import WorldSpec
from sync.hub.recommend import DAY, hit_rate, learn

NOW = 1_764_000_000


def test_learn_counts_bought_and_viewed_together_with_recency() -> None:
    t = NOW - DAY
    purchases = [
        ("m1", t, ["A", "B"]),  # the same order
        ("m2", t, ["A", "B"]),
        ("m3", t - 20 * DAY, ["A"]),  # then C within the window
        ("m3", t - 10 * DAY, ["C"]),
        ("m4", t - 20 * DAY, ["A"]),
        ("m4", t - 10 * DAY, ["C"]),
        ("m5", t - 200 * DAY, ["A"]),  # E far outside the window: not together
        ("m5", t, ["E"]),
        ("m6", t, ["A", "F"]),  # seen once: noise
    ]
    views = [(m, t + k, sku) for m in ("v1", "v2", "v3") for k, sku in enumerate(("A", "D"))]
    model = learn(purchases, views, now=NOW)
    related = {r.sku: r for r in model["A"]}
    assert set(related) == {"B", "C", "D"}
    assert related["B"].reason == related["C"].reason == "bought_with"
    assert related["D"].reason == "viewed_with"
    # B's pairs are a day old, C's eleven days: B first, scores relative to the best
    assert [r.sku for r in model["A"]] == ["B", "C", "D"]
    assert related["B"].score == 1.0 and 0.7 < related["C"].score < 0.8
    assert related["D"].score < 0.2  # three views ≈ 0.1 each
    assert {r.sku for r in model["B"]} == {"A"} and model["C"][0].sku == "A"
    assert "E" not in model and "F" not in model


def test_learn_keeps_the_top_n() -> None:
    purchases = [(f"m{n}", NOW, ["A", sku]) for sku in "BCDEFG" for n in range(2)]
    purchases += [(f"x{n}", NOW, ["A", "B"]) for n in range(3)]
    model = learn(purchases, [], now=NOW, top=3)
    assert [r.sku for r in model["A"]] == ["B", "C", "D"]  # B strongest, then by sku


def test_offers_follow_the_anchors_and_never_offer_what_the_customer_has() -> None:
    related = {
        "CART": [{"sku": "X", "reason": "bought_with", "score": 0.5}],
        "BOUGHT": [
            {"sku": "Y", "reason": "bought_with", "score": 1.0},
            {"sku": "CART", "reason": "bought_with", "score": 1.0},
        ],
        "SEEN": [
            {"sku": "X", "reason": "viewed_with", "score": 1.0},
            {"sku": "Z", "reason": "viewed_with", "score": 0.9},
            {"sku": "OWNED", "reason": "viewed_with", "score": 1.0},
            {"sku": "W", "reason": "nonsense", "score": 1.0},
        ],
    }
    anchors = recommend.anchors(["CART"], ["SEEN"], ["BOUGHT"])
    assert anchors == [("CART", "cart"), ("BOUGHT", "bought"), ("SEEN", "browsed")]
    got = recommend.offers(related, anchors, exclude={"OWNED"})
    # Y 0.9×1.0; X: max(cart 1.0×0.5, browsed 0.6×1.0) = 0.6 viewed_with; Z 0.6×0.9
    assert [(o.sku, o.reason, o.because, o.source) for o in got] == [
        ("Y", "bought_with", "BOUGHT", "bought"),
        ("X", "viewed_with", "SEEN", "browsed"),
        ("Z", "viewed_with", "SEEN", "browsed"),
    ]
    assert len(recommend.offers(related, anchors, limit=1)) == 1
    assert recommend.anchors([], [str(n) for n in range(9)]) == [
        (str(n), "browsed") for n in range(recommend.PER_SOURCE)
    ]


def test_hit_rate() -> None:
    assert hit_rate({"a": ["x", "y", "z", "w"], "b": ["q"]}, {"a": {"w"}, "b": {"q"}}) == (0.5, 2)
    rate, n = hit_rate({}, {"a": {"w"}})
    assert n == 0 and rate != rate  # NaN: nobody scored


def test_recommendations_beat_popularity_on_the_held_back_week() -> None:
    spec = WorldSpec(members=6000, seed=2, now=NOW, products=1000, events_per_member=20)
    result = held_back_week(spec)
    assert result.members > 300 and result.week_orders > 300 and result.k == 3
    assert result.recommended > result.popular
    assert result == held_back_week(spec)  # deterministic by seed


# --- the customer view ---------------------------------------------------------------------


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = open_cache(tmp_path / "cache.db")

    def ch(entity: str, key: str, **data: object) -> dict[str, object]:
        return {"entity": entity, "op": "upsert", "key": key, "data": data}

    products = [
        ch("product", sku, sku=sku, title_zh=zh, title_en=en, category="c", price_cents=p, active=a)
        for sku, zh, en, p, a in (
            ("SW1", "智能手表S3", "Smartwatch S3", 1_999_00, 1),
            ("ST1", "表带", "Strap", 199_00, 1),
            ("CH1", "充电器", "Charger", 99_00, 1),
            ("OLD", "旧款", "Old one", 9_00, 0),
            ("EB1", "耳机", "Earbuds", 599_00, 1),
            ("CS1", "保护壳", "Case", 59_00, 1),
        )
    ]
    related = [
        {"sku": "ST1", "reason": "bought_with", "score": 1.0},
        {"sku": "OLD", "reason": "bought_with", "score": 0.95},
        {"sku": "CH1", "reason": "viewed_with", "score": 0.8},
        {"sku": "EB1", "reason": "bought_with", "score": 0.5},
        {"sku": "CS1", "reason": "bought_with", "score": 0.4},
    ]
    apply_changes(
        conn,
        [
            ch("member", "M1", id="M1", name="王芳", consent_browsing=1),
            *products,
            ch(
                "cart",
                "C1",
                id="C1",
                member_id="M1",
                sku="SW1",
                qty=1,
                price_cents=1_999_00,
                added_at=NOW - 3 * DAY,  # left three days: a talking point of its own
                state="open",
            ),
            ch("related", "SW1", sku="SW1", related=related, built_at=NOW),
        ],
    )
    conn.commit()
    yield conn
    conn.close()


def test_the_customer_view_offers_three_with_their_reason(cache: sqlite3.Connection) -> None:
    view = view360.lookup(cache, None, "M1", now=NOW)
    assert view is not None
    # OLD is no longer sold: the next three, each with the product in the cart it goes with
    assert [(r.product.sku, r.reason, r.because.sku, r.source) for r in view.recommendations] == [
        ("ST1", "bought_with", "SW1", "cart"),
        ("CH1", "viewed_with", "SW1", "cart"),
        ("EB1", "bought_with", "SW1", "cart"),
    ]
    offers = [p for p in view.talking_points if p.rule == "offer"]
    assert [p.facts["sku"] for p in offers] == ["ST1", "CH1", "EB1"]
    assert offers[0].facts["because_title_en"] == "Smartwatch S3"
    assert offers[0].facts["because_source"] == "cart" and offers[0].facts["price_cents"] == 199_00
    assert view.talking_points[0].rule != "offer"  # the customer's own cart comes first


def test_what_was_bought_is_never_offered(cache: sqlite3.Connection) -> None:
    apply_changes(
        cache,
        [
            {
                "entity": "order",
                "op": "upsert",
                "key": "O1",
                "data": {
                    "id": "O1",
                    "member_id": "M1",
                    "total_cents": 199_00,
                    "state": "completed",
                    "items": json.dumps([{"sku": "ST1", "qty": 1, "price_cents": 199_00}]),
                    "at": NOW - 3 * DAY,
                },
            }
        ],
    )
    cache.commit()
    view = view360.lookup(cache, None, "M1", now=NOW)
    assert view is not None
    assert [r.product.sku for r in view.recommendations] == ["CH1", "EB1", "CS1"]
    assert not view360.scans(view360.explain(cache, "M1"))
