"""The hub's history rows (sync/hub/history.py): rebuilt with their facts from the stored
interactions when the hub schema gains them — prose replaced, redemptions' rows added."""

from __future__ import annotations

import json
from typing import Any

from hub_client import make_interaction, pull_changes

from demoworld import catalogue, world
from sync.hub.embedded import HubHandle


def test_the_facts_migration_rebuilds_the_rows_written_before(any_hub: HubHandle) -> None:
    sale_facts = {
        "items": [{"sku": catalogue.HERO_SKU, "qty": 1, "price_cents": 199900}],
        "amount_cents": 179900,
        "cart_item_ids": [],
    }
    items = [
        make_interaction("sale", device_seq=1, **sale_facts),
        make_interaction("interest", device_seq=2, sku=catalogue.HERO_SKU, text="strap"),
        make_interaction("redeem", device_seq=3, coupon_id=world.HERO_COUPON_ID),
        make_interaction("note", device_seq=4, text="likes blue"),
    ]
    sale, interest, redeem, note = (i["id"] for i in items)
    with any_hub.client(any_hub.enrol("S001")["token"]) as client:
        resp = client.post("/v1/interactions", json={"interactions": items})
        assert [r["status"] for r in resp.json()["results"]] == ["accepted"] * 4
        _feed, cursor = pull_changes(client)
        # As a hub before schema 2 left them: prose rows, none for the redemption.
        with any_hub.store.write() as tx:
            conn = tx.conn
            conn.execute("DELETE FROM visits WHERE id = ?", (redeem,))
            conn.execute("UPDATE visits SET text = '1 item, ¥1,799.00' WHERE id = ?", (sale,))
            conn.execute(
                "UPDATE visits SET text = '智能手表 (SW00001) — strap' WHERE id = ?", (interest,)
            )
            conn.execute("ALTER TABLE visits DROP COLUMN staff_id")
            conn.execute("ALTER TABLE visits DROP COLUMN facts")
            conn.execute("DELETE FROM schema_version WHERE version = 2")
        assert any_hub.store.migrate() == [2]
        after, _ = pull_changes(client, since=cursor)
    rows: dict[str, dict[str, Any]] = {
        c["key"]: c["data"] for c in after if c["entity"] == "visit" and c["op"] == "upsert"
    }
    assert set(rows) == {sale, interest, redeem, note}
    assert (rows[sale]["text"], rows[sale]["facts"], rows[sale]["staff_id"]) == (
        None,
        sale_facts,
        "A01",
    )
    assert (rows[interest]["text"], rows[interest]["facts"]) == (
        "strap",
        {"sku": catalogue.HERO_SKU, "action": "asked_about"},
    )
    assert rows[redeem]["kind"] == "redeem" and rows[redeem]["facts"] == {
        "coupon_id": world.HERO_COUPON_ID
    }
    assert (rows[note]["text"], rows[note]["facts"]) == ("likes blue", {})
    assert rows[redeem]["store_name"] == "上海静安店" and rows[redeem]["staff_name"] == "王芳"
    with any_hub.store.read() as conn:
        facts = conn.scalar("SELECT facts FROM visits WHERE id = ?", (redeem,))
    assert json.loads(facts) == {"coupon_id": world.HERO_COUPON_ID}
