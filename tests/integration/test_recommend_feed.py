"""``clerk hub recommend build`` at the hub: orders, assisted sales and browsing in, each
product's related list out to every store's terminals through the feed — logged again only
when it changed."""

from __future__ import annotations

import json
import time

from hub_client import make_interaction, pull_changes

from sync.hub import recommend
from sync.hub.embedded import HubHandle


def test_build_ships_related_products_to_every_store(hub: HubHandle) -> None:
    now = int(time.time())
    with hub.store.write() as tx:
        for n, member in enumerate(("M00000002", "M00000003")):
            tx.conn.execute(
                "INSERT INTO orders (id, member_id, total_cents, state, items, at) "
                "VALUES (?, ?, ?, 'completed', ?, ?)",
                (
                    f"O{n}",
                    member,
                    300_00,
                    json.dumps([{"sku": "SW00001", "qty": 1, "price_cents": 100_00},
                                {"sku": "ST00001", "qty": 1, "price_cents": 200_00}]),
                    now - 86_400,
                ),
            )  # fmt: skip
    term = hub.client(hub.enrol("S002", "till-9")["token"])
    try:
        _all, cursor = pull_changes(term)
        sale = make_interaction(
            "sale", "M00000002", items=[{"sku": "SW00001", "qty": 1, "price_cents": 100_00}],
            amount_cents=100_00, staff_id="A11",
        )  # fmt: skip
        resp = term.post("/v1/interactions", json={"interactions": [sale]})
        assert resp.json()["results"][0]["status"] == "accepted"  # it counts too
        changed = recommend.build(hub.store, now=now)
        assert changed >= 2
        after, cursor = pull_changes(term, since=cursor)
        related = {c["key"]: c["data"]["related"] for c in after if c["entity"] == "related"}
        assert related["SW00001"][0] == {"sku": "ST00001", "reason": "bought_with", "score": 1.0}
        assert related["ST00001"][0]["sku"] == "SW00001"
        # Built again on the same data: nothing changed, nothing sent again.
        assert recommend.build(hub.store, now=now) == 0
        again, _ = pull_changes(term, since=cursor)
        assert [c for c in again if c["entity"] == "related"] == []
    finally:
        term.close()
