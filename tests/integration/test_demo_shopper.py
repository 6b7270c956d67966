"""The demo's simulated online shopper (demoworld/shopper.py) against a real embedded hub on
loopback: its Segment calls (segment-analytics-python) reach a terminal's 360 of the hero —
cart lines added and removed, browsing — and it stops within its timeout."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk import view360
from demoworld.app import CODE_MEMBERS, DEMO_STORE
from demoworld.shopper import SOURCE_NAME, Shopper, demo_write_key, products, start_shopper
from sync.client import HubClient
from sync.engine import SyncEngine
from sync.hub.embedded import HubHandle
from sync.hub.segment.sources import Sources


class Till:
    def __init__(self, root: Path, hub: HubHandle) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.cache = cache_mod.open_cache(root / "cache.db")
        self.outbox = outbox_mod.open_outbox(root / "outbox.db")
        self.engine = SyncEngine(self.cache, self.outbox, HubClient(hub.url))
        self.engine.enroll(hub.url, DEMO_STORE, hub.enrol_code(DEMO_STORE), device_name="till")

    def view(self, member_id: str) -> Any:
        self.engine.sync_once()
        return view360.lookup(self.cache, self.outbox, member_id, now=int(time.time()) + 60)

    def close(self) -> None:
        self.engine.client.close()
        self.cache.close()
        self.outbox.close()


@pytest.fixture
def till(hub: HubHandle, tmp_path: Path) -> Iterator[Till]:
    t = Till(tmp_path / "till", hub)
    yield t
    t.close()


def test_the_demo_source_is_made_once_and_its_key_kept(hub: HubHandle, tmp_path: Path) -> None:
    key_file = tmp_path / "demo-shop.key"
    key = demo_write_key(hub.store, key_file)
    assert demo_write_key(hub.store, key_file) == key
    assert [s["name"] for s in Sources(hub.store).rows()] == [SOURCE_NAME]
    found = Sources(hub.store).authenticate(key)
    assert found is not None and found.name == SOURCE_NAME
    key_file.unlink()  # lost: the old key is revoked, a new source made
    again = demo_write_key(hub.store, key_file)
    assert again != key and Sources(hub.store).authenticate(key) is None
    live = [s["name"] for s in Sources(hub.store).rows() if s["revoked_at"] is None]
    assert live == [SOURCE_NAME + "-2"]


def test_the_shopper_only_sends_to_loopback(hub: HubHandle) -> None:
    with pytest.raises(ValueError, match="loopback"):
        Shopper("https://hub.example", "ocw_x", "M1", [], products(hub.store))


def test_the_terminal_sees_the_shoppers_cart_and_browsing(
    hub: HubHandle, till: Till, tmp_path: Path
) -> None:
    members = hub.store.members.ids(DEMO_STORE, limit=CODE_MEMBERS)
    hero = members[0]
    before = till.view(hero)
    before_cart = {c.product.sku for c in before.cart}
    shopper = start_shopper(
        hub.store, hub.url, tmp_path / "demo-shop.key", members, every_s=0.05, seed=7
    )
    assert shopper is not None and shopper.hero == hero
    try:
        assert shopper.wait_rounds(8, timeout=60)
    finally:
        started = time.monotonic()
        assert shopper.stop(timeout=5.0)
        assert time.monotonic() - started < 10
    assert not shopper.thread.is_alive()
    assert shopper.errors == 0
    counts = {(c["outcome"], c["name"]): c["n"] for c in Sources(hub.store).counts(SOURCE_NAME)}
    assert counts.get(("accepted", "Product Viewed"), 0) >= 8
    assert counts.get(("accepted", "Product Added"), 0) >= 1

    view = till.view(hero)
    cart = {c.product.sku for c in view.cart}
    assert set(shopper.carts[hero]) <= cart  # what it put in the cart and kept
    assert cart != before_cart  # the associate sees the cart change
    assert shopper.removed[hero]  # seed 7: some lines were taken out again …
    assert not shopper.removed[hero] & cart  # … and are not shown in the cart
    browsed = {b.product.sku for b in view.browsing}
    assert shopper.viewed[hero][-1] in browsed


def test_the_shopper_stops_at_once_between_rounds(hub: HubHandle, tmp_path: Path) -> None:
    members = hub.store.members.ids(DEMO_STORE, limit=CODE_MEMBERS)
    shopper = start_shopper(hub.store, hub.url, tmp_path / "k", members, every_s=600, seed=1)
    assert shopper is not None
    started = time.monotonic()
    assert shopper.stop(timeout=5.0)
    assert time.monotonic() - started < 5
    assert shopper.rounds == 0
