"""Link to a member through the window, against a real hub on loopback: the card no member
has, linked at the counter after the member typed their full number, is accepted by the hub
at the next sync, and at another terminal of the store the card then names the member
(tests/integration/test_hub_signup.py holds the rule itself: proof, identity_taken)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demoworld.app import DEMO_STORE
from demoworld.seed import seed_demo
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


def _enrolled(hub: HubHandle, home: Path) -> Path:
    home.mkdir()
    enroll(home, hub.url, DEMO_STORE, hub.enrol_code(DEMO_STORE), device_name=home.name)
    with engine_for(home) as engine:  # staff, keys and the store's members
        engine.sync_once()
    return home


def test_a_card_linked_at_the_counter_reaches_the_hub_and_another_terminal(
    qtbot: Any, hub: HubHandle, tmp_path: Path
) -> None:
    from clerk.identify import luhn_check_digit
    from clerk.terminal import Terminal
    from ui.app import build_window

    member = hub.store.members.ids(DEMO_STORE, limit=3)[0]
    with hub.store.read() as conn:
        phone = str(conn.scalar("SELECT phone FROM members WHERE id = ?", (member,)))
    card = "620000000000123" + luhn_check_digit("620000000000123")
    one, two = _enrolled(hub, tmp_path / "till-1"), _enrolled(hub, tmp_path / "till-2")

    terminal = Terminal(one)
    session = build_window(terminal, lang="en", layout="desktop", staff_id="A01")
    qtbot.addWidget(session.window)
    try:
        w = session.window
        w.resize(1366, 860)
        w.show()
        qtbot.waitExposed(w)
        w.screens.scan_view.field.setText(card)
        with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
            qtbot.keyClick(w.screens.scan_view.field, Qt.Key.Key_Return)
        view = w.screens.customer_view
        qtbot.waitUntil(lambda: view.unknown.link_button.isVisible(), timeout=5_000)
        qtbot.mouseClick(view.unknown.link_button, Qt.MouseButton.LeftButton)
        view.link.proof.setText(phone.removeprefix("+86"))
        qtbot.mouseClick(view.link.save, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: w.screens.customer.member_id == member, timeout=10_000)
    finally:
        session.runners.wait()
        session.close()
        terminal.close()

    with engine_for(one) as engine:
        report = engine.sync_once()
    assert report.pushed.accepted == 2  # the link, and the member's visit
    assert report.pushed.conflict == 0 and report.pushed.rejected == 0
    with hub.store.read() as conn:
        owner = conn.scalar(
            "SELECT member_id FROM identities WHERE kind = 'card' AND value = ?", (card,)
        )
    assert owner == member

    # The card now names the member everywhere: at the other terminal (after its pull), a
    # visit recorded against the scanned card reaches the member (the member had a card of
    # their own: the linked one is an identity of theirs at the hub, as in
    # tests/integration/test_hub_signup.py).
    with engine_for(two) as engine:
        engine.sync_once()
    other = Terminal(two)
    try:
        visit = other.record_unmatched_visit(other.identify(card), staff_id="A01")
        assert visit is not None
    finally:
        other.close()
    with engine_for(two) as engine:
        assert engine.sync_once().pushed.accepted == 1
    with hub.store.read() as conn:
        assert conn.scalar("SELECT member_id FROM interactions WHERE id = ?", (visit.id,)) == member
