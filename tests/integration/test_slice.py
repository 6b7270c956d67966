"""The foundation's vertical slice, end to end, against the real hub on loopback.

hub seeded → terminal enrolled and synced → a demo member's code typed into the terminal →
that member's name, cart and coupons appear → the visit is recorded → sync pushes it → the
hub holds exactly one copy. No mocks: uvicorn on 127.0.0.1, real SQLite files, real HTTP.
"""

from __future__ import annotations

import json
from pathlib import Path

from clerk.terminal import Terminal
from sync.hub.embedded import HubHandle
from sync.local import engine_for, enroll


def _hub_interactions(hub: HubHandle, member_id: str) -> list[dict[str, object]]:
    return [i for i in hub.store.interactions.iter_rows() if i["member_id"] == member_id]


def test_scan_see_record_sync_exactly_once(hub: HubHandle, tmp_path: Path) -> None:
    home = tmp_path / "terminal"
    creds = enroll(home, hub.url, "S001", hub.enrol_code("S001"), device_name="slice")
    assert creds.store_id == "S001"

    with engine_for(home) as engine:
        first = engine.sync_once()
    assert first.caught_up
    assert first.pulled.changes > 0

    member_id = hub.store.members.ids("S001", limit=1)[0]
    code = hub.member_code(member_id)
    assert code.startswith("MC1:")

    terminal = Terminal(home)
    try:
        identity = terminal.identify(code)
        assert identity.kind == "code"
        opened = terminal.open_customer(identity, staff_id="A01")
        assert opened.member_id == member_id
        assert opened.cached, "the member must come from the local cache, not the hub"
        assert opened.visit is not None, "identification records the visit"
        view = opened.view
        assert view is not None
        hub_view = hub.store.members.view(member_id)
        assert view.profile.name == hub_view["member"]["name"]
        assert {c.id for c in view.coupons} == {c["id"] for c in hub_view["coupons"]}
        open_cart = {c["id"] for c in hub_view["cart"] if c["state"] == "open"}
        assert {line.id for line in view.cart} == open_cart
        assert open_cart, "the demo's first member has an online cart"

        # The catalogue came with its barcodes: a product's EAN-13 names it, offline.
        from demoworld.catalogue import HERO_SKU, barcode_of

        product = terminal.product_by_barcode(barcode_of(HERO_SKU))
        assert product is not None and product.sku == HERO_SKU

        # Scanning the same code again is the same visit, not a second one.
        again = terminal.open_customer(terminal.identify(code), staff_id="A01")
        assert again.visit is None
        assert terminal.status().pending == 1
    finally:
        terminal.close()

    with engine_for(home) as engine:
        report = engine.sync_once()
        assert report.caught_up
        assert report.pushed.accepted == 1
        # A replay of the same outbox row (a lost acknowledgement) changes nothing at the hub.
        engine.outbox.execute("UPDATE interactions SET state = 'sent'")
        replay = engine.sync_once()
        assert replay.caught_up

    audit_rows = [i for i in hub.store.interactions.iter_rows() if i["kind"] == "audit"]
    actions = [
        json.loads(r["payload"])["action"]
        if isinstance(r["payload"], str)
        else r["payload"]["action"]
        for r in audit_rows
    ]
    assert actions == ["view_customer", "view_customer"]

    rows = _hub_interactions(hub, member_id)
    assert len(rows) == 1
    assert rows[0]["kind"] == "visit"
    assert rows[0]["id"] == opened.visit.id
