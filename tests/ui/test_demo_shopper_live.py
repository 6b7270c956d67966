"""The demo's promise, end to end: the associate has the hero customer open, the simulated
online shopper (demoworld/shopper.py) sends its Segment events into a real hub on loopback,
and the open customer repaints with the shopper's cart line — through the live long-poll of
the app's own sync worker, without anybody touching the window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demoworld.app import CODE_MEMBERS, DEMO_STORE
from demoworld.seed import seed_demo
from demoworld.shopper import start_shopper
from sync.hub.embedded import HubHandle, running_hub
from sync.hub.store import HubStore
from sync.local import engine_for, enroll
from ui.qt import Qt


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubHandle]:
    path = tmp_path / "hub.db"
    store = HubStore.open(str(path))
    try:
        seed_demo(store, members=40, seed=42, products=400)
    finally:
        store.close()
    with running_hub(str(path)) as handle:
        yield handle


@pytest.fixture
def enrolled(hub: HubHandle, tmp_path: Path) -> Iterator[Any]:
    """A terminal home enrolled at ``hub`` and synced once, and its Terminal."""
    from clerk.terminal import Terminal

    home = tmp_path / "till"
    home.mkdir()
    enroll(home, hub.url, DEMO_STORE, hub.enrol_code(DEMO_STORE), device_name="demo till")
    engine = engine_for(home)
    try:
        engine.sync_once()
    finally:
        engine.close()
    terminal = Terminal(home)
    try:
        yield home, terminal
    finally:
        terminal.close()


def test_the_open_customer_repaints_with_the_shoppers_cart(
    qtbot: Any, hub: HubHandle, enrolled: Any, tmp_path: Path
) -> None:
    from ui.app import build_window

    home, terminal = enrolled
    members = hub.store.members.ids(DEMO_STORE, limit=CODE_MEMBERS)
    hero = members[0]
    session = build_window(terminal, lang="en", layout="desktop", staff_id="A01")
    qtbot.addWidget(session.window)
    shopper = None
    try:
        w = session.window
        w.resize(1366, 860)
        w.show()
        qtbot.waitExposed(w)
        session.engine_factory = lambda: engine_for(home)
        session.sync_interval = 3600.0  # only the live long-poll brings the shopper's events
        session.start_sync()
        qtbot.waitUntil(lambda: session.sync is not None, timeout=10_000)
        w.screens.scan_view.field.setText(hub.member_code(hero))
        with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
            qtbot.keyClick(w.screens.scan_view.field, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: w.nav.page == "customer", timeout=5_000)
        cart = w.screens.customer_models.cart
        before = {line.product.sku for line in cart.rows}

        shopper = start_shopper(
            hub.store, hub.url, tmp_path / "demo-shop.key", members, every_s=0.3, seed=3
        )
        assert shopper is not None

        def shown() -> bool:
            sent = set(list(shopper.carts.get(hero, [])))
            skus = {line.product.sku for line in cart.rows}
            return bool(sent - before) and sent <= skus

        qtbot.waitUntil(shown, timeout=20_000)
        assert w.nav.page == "customer" and w.screens.customer.member_id == hero
    finally:
        # The shopper stops after the window (as in the demo): its next event ends the live
        # long-poll in flight, which the closing sync worker waits for.
        session.runners.wait()
        session.close()
        if shopper is not None:
            assert shopper.stop(timeout=5.0)
