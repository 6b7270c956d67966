"""The demo world's orders history: what each member bought online over the last months,
deterministic by seed — what recommendations learn from (sync/hub/recommend.py,
bench/recommend.py).

A member buys mostly what they browsed or left in their cart, otherwise what is popular in
one of their categories. Products have **companions** (a strap for the watch, a case for the
phone: two products of another category, fixed per product by the seed), bought in the same
order or in a later one — the pattern a recommender can find and popularity cannot. Orders are
the hub's ``orders`` rows (``clerk.shared.entities``: its lines as JSON-ready dicts).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from demoworld.world import DAY, MemberBundle, WorldSpec, _World, member_id, members

COMPANIONS = 2  # per product
COMPANION_P = 0.55  # an order adds a companion of its product
FOLLOW_UP_P = 0.5  # a later order is a companion of something bought before
FROM_BROWSING_P = 0.6  # an order's product is one the member browsed or had in the cart


def companions(world: _World, seed: int) -> dict[str, tuple[str, ...]]:
    """sku → its companions: products of another category (the same ones for a seed)."""
    rng = random.Random(seed * 9_176 + 11)
    out: dict[str, tuple[str, ...]] = {}
    keys = world.cat_keys
    for p in world.products:
        others = [k for k in keys if k != p["category"] and world.cat_skus[k]] or keys
        cat = others[rng.randrange(len(others))]
        pool = world.cat_skus[cat]
        out[p["sku"]] = tuple(rng.choices(pool, cum_weights=world.cat_sku_cw[cat], k=COMPANIONS))
    return out


def _popular(world: _World, rng: random.Random) -> str:
    cat = rng.choices(world.cat_keys, cum_weights=world.cat_cw)[0]
    return rng.choices(world.cat_skus[cat], cum_weights=world.cat_sku_cw[cat])[0]


def member_orders(
    world: _World,
    pairs: dict[str, tuple[str, ...]],
    b: MemberBundle,
    index: int,
    *,
    days: int = 180,
) -> list[dict[str, Any]]:
    """One member's orders of the last ``days``, oldest first."""
    spec = world.spec
    rng = random.Random(spec.seed * 7_000_003 + index)
    n = rng.choices((0, 1, 2, 3, 4, 5), cum_weights=(30, 55, 72, 85, 94, 100))[0]
    if n == 0:
        return []
    liked = [e["sku"] for e in b.browse] + [c["sku"] for c in b.cart]
    times = sorted(spec.now - int(rng.random() * days * DAY) for _ in range(n))
    bought: list[str] = []
    out: list[dict[str, Any]] = []
    for k, at in enumerate(times):
        if bought and rng.random() < FOLLOW_UP_P:
            first = rng.choice(pairs[rng.choice(bought)])
        elif liked and rng.random() < FROM_BROWSING_P:
            first = rng.choice(liked)
        else:
            first = _popular(world, rng)
        skus = [first]
        if rng.random() < COMPANION_P:
            extra = rng.choice(pairs[first])
            if extra != first:
                skus.append(extra)
        items = [{"sku": s, "qty": 1, "price_cents": world.by_sku[s]["price_cents"]} for s in skus]
        bought += skus
        out.append(
            {
                "id": f"O{index:08d}{k:02d}",
                "member_id": member_id(index),
                "total_cents": sum(i["price_cents"] for i in items),
                "state": "completed",
                "items": items,
                "at": at,
                "refunded_at": None,
            }
        )
    return out


def history(
    spec: WorldSpec, *, days: int = 180
) -> Iterator[tuple[MemberBundle, list[dict[str, Any]]]]:
    """Every member's bundle with their orders (``days`` back from ``spec.now``)."""
    world = _World(spec)
    pairs = companions(world, spec.seed)
    for index, b in enumerate(members(spec), start=1):
        yield b, member_orders(world, pairs, b, index, days=days)


# --- the held-back week ------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldBackWeek:
    """Hit rate at ``k`` on the last week's orders of a world whose earlier months taught the
    recommender: the share of the week's buyers of whom one of the ``k`` offered products was
    bought that week — by the recommender and by popularity (the most bought products)."""

    k: int
    members: int  # buyers of the week the two were scored on
    recommended: float
    popular: float
    train_orders: int
    week_orders: int


def held_back_week(spec: WorldSpec, *, days: int = 180, week: int = 7, k: int = 3) -> HeldBackWeek:
    """Learn from the orders and browsing before the last ``week`` days, offer each of the
    week's buyers ``k`` products as the terminal would (clerk/recommend.py: cart, latest
    browsing and earlier purchases as anchors), and count who bought one of them."""
    from clerk import recommend
    from sync.hub.recommend import hit_rate, learn

    cut = spec.now - week * DAY
    train: list[tuple[str, int, list[str]]] = []
    week_bought: dict[str, set[str]] = defaultdict(set)
    views: list[tuple[str, int, str]] = []
    profiles: dict[str, tuple[list[str], list[str], list[str]]] = {}
    week_orders = 0
    for b, orders in history(spec, days=days):
        mid = str(b.member["id"])
        before = [o for o in orders if o["at"] < cut]
        for o in before:
            train.append((mid, o["at"], [i["sku"] for i in o["items"]]))
        for o in orders:
            if o["at"] >= cut:
                week_orders += 1
                week_bought[mid].update(i["sku"] for i in o["items"])
        seen = [(e["at"], e["sku"]) for e in b.browse if e["at"] < cut]
        views += [(mid, at, sku) for at, sku in seen]
        if mid in week_bought:
            browsed = list(dict.fromkeys(sku for _at, sku in sorted(seen, reverse=True)))
            cart = [c["sku"] for c in b.cart if c["state"] == "open" and c["added_at"] < cut]
            bought = [i["sku"] for o in reversed(before) for i in o["items"]]
            profiles[mid] = (cart, browsed, bought)
    model = learn(train, views, now=cut)
    related = {
        sku: [{"sku": r.sku, "reason": r.reason, "score": r.score} for r in rel]
        for sku, rel in model.items()
    }
    counts = Counter(sku for _m, _at, skus in train for sku in skus)
    popular = [sku for sku, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    by_rec: dict[str, list[str]] = {}
    by_pop: dict[str, list[str]] = {}
    for mid, (cart, browsed, bought) in profiles.items():
        anchors = recommend.anchors(cart, browsed, bought)
        owned = set(bought)
        by_rec[mid] = [o.sku for o in recommend.offers(related, anchors, exclude=owned, limit=k)]
        skip = owned | {sku for sku, _ in anchors}
        by_pop[mid] = [sku for sku in popular[: k + len(skip)] if sku not in skip][:k]
    rec_rate, scored = hit_rate(by_rec, week_bought, k)
    pop_rate, _ = hit_rate(by_pop, week_bought, k)
    return HeldBackWeek(k, scored, rec_rate, pop_rate, len(train), week_orders)
