"""Points earned and redeemed across two offline terminals of one store: the sale earns at the
hub by the chain's rule (with the tier's multiplier, and a tier change), each terminal holds its
own redemptions against its local balance, and the overdraft the two made offline is accepted,
flagged for the manager, and given back when the manager reverses it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk import points, view360
from clerk.errors import RecordError
from clerk.model import PointsPanel
from clerk.reports.conflicts import conflicts
from clerk.shared.interactions import PointsRedeem, Resolve, Sale
from demoworld import world
from sync.client import HubClient
from sync.engine import SyncEngine
from sync.hub.embedded import HubHandle
from sync.hub.points import PointsRule, load_rule, save_rule

STORE = "S001"
HERO = world.HERO_MEMBER_ID


class Till:
    """A terminal's two files and its engine, enrolled at the hub."""

    def __init__(self, root: Path, hub: HubHandle) -> None:
        root.mkdir(parents=True)
        self.cache = cache_mod.open_cache(root / "cache.db")
        self.outbox = outbox_mod.open_outbox(root / "outbox.db")
        self.engine = SyncEngine(self.cache, self.outbox, HubClient(hub.url))
        self.engine.enroll(hub.url, STORE, hub.enrol_code(STORE), device_name=root.name)

    def sync(self) -> None:
        report = self.engine.sync_once()
        assert report.caught_up and report.pending == 0

    def redeem(self, n: int, staff: str = "A01") -> str:
        """A points redemption as the terminal records one: within the local balance."""
        points.check_redeem(self.cache, self.outbox, HERO, n)
        return outbox_mod.record(
            self.outbox, "points_redeem", member_id=HERO, staff_id=staff,
            payload=PointsRedeem.of(n),
        ).id  # fmt: skip

    def panel(self, now: int) -> PointsPanel:
        view = view360.lookup(self.cache, self.outbox, HERO, now=now)
        assert view is not None and view.points is not None
        return view.points

    def state(self, iid: str) -> tuple[str, str | None, str | None]:
        row = self.outbox.execute(
            "SELECT state, reason, conflict_with FROM interactions WHERE id = ?", (iid,)
        ).fetchone()
        return row[0], row[1], row[2]

    def close(self) -> None:
        self.engine.client.close()
        self.cache.close()
        self.outbox.close()


@pytest.fixture
def tills(hub: HubHandle, tmp_path: Path) -> Iterator[tuple[Till, Till]]:
    with hub.store.write() as tx:  # a basic member 500 points short of silver
        tx.conn.execute("UPDATE members SET points = 1500, tier = 'basic' WHERE id = ?", (HERO,))
        save_rule(tx.conn, PointsRule())
    a, b = Till(tmp_path / "counter-1", hub), Till(tmp_path / "handheld-2", hub)
    a.sync()
    b.sync()
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def hub_balance(hub: HubHandle) -> tuple[int, str]:
    with hub.store.read() as conn:
        row = conn.row("SELECT points, tier FROM members WHERE id = ?", (HERO,))
    assert row is not None
    return int(row[0]), str(row[1])


def test_points_earned_and_redeemed_across_two_offline_terminals(
    hub: HubHandle, tills: tuple[Till, Till]
) -> None:
    a, b = tills
    now = int(time.time())
    # Offline: a sells ¥600 and redeems 1,000 of the 1,500; the sale's points are pending.
    sale = outbox_mod.record(
        a.outbox, "sale", member_id=HERO, staff_id="A01",
        payload=Sale.of([("SW00001", 1, 60_000)], 60_000),
    ).id  # fmt: skip
    first = a.redeem(1000)
    panel = a.panel(now)
    assert (panel.balance, panel.pending_redeemed, panel.available) == (1500, 1000, 500)
    assert (panel.pending_sales, panel.pending_sales_cents) == (1, 60_000)
    with pytest.raises(RecordError) as refused:  # over the local balance: refused here
        a.redeem(600)
    assert refused.value.problem == "points_over_balance" and refused.value.field == "points"
    # b, offline too, still sees 1,500 and redeems 1,200 of them.
    assert points.available(b.cache, b.outbox, HERO) == 1500
    second = b.redeem(1200, staff="A02")

    # a syncs: the sale earns 600 × 1 (basic) → 2,100: silver; then 1,000 off → 1,100.
    a.sync()
    assert a.state(sale)[0] == "acked" and a.state(first)[0] == "acked"
    assert hub_balance(hub) == (1100, "silver")
    panel = a.panel(now)
    assert (panel.balance, panel.tier, panel.pending_redeemed, panel.pending_sales) == (
        1100,
        "silver",
        0,
        0,
    )
    assert panel.tier_change is not None and panel.tier_change.id == sale
    assert (panel.tier_change.tier_from, panel.tier_change.tier_to) == ("basic", "silver")
    assert [(e.kind, e.points, e.balance) for e in panel.recent] == [
        ("redeem", -1000, 1100),
        ("earn", 600, 2100),
    ]

    # b syncs: 1,200 of 1,100 — accepted, applied, flagged as an overdraft of a's redemption.
    b.sync()
    assert b.state(second) == ("conflict", "points_overdraft", first)
    assert hub_balance(hub) == (-100, "silver")
    panel = b.panel(now)
    assert (panel.balance, panel.available, panel.pending_redeemed) == (-100, 0, 0)
    # The manager sees it: the hub's list of the store's conflicts, and the terminal's panel.
    listed = hub.store.interactions.conflicts(STORE, include_resolved=False)
    assert [(c["id"], c["conflict_with"]) for c in listed] == [(second, first)]
    flagged = conflicts(b.cache, b.outbox)
    assert [(c.id, c.reason, c.conflict_with, c.points) for c in flagged] == [
        (second, "points_overdraft", first, 1200)
    ]

    # The manager reverses it: the 1,200 come back (a refund in the ledger), once.
    decision = outbox_mod.record(
        b.outbox, "resolve", member_id=None, staff_id="M01",
        payload=Resolve.of(second, "reverse"),
    ).id  # fmt: skip
    b.sync()
    assert b.state(decision)[0] == "acked"
    assert hub_balance(hub) == (1100, "silver")
    a.sync()
    panel = a.panel(now)
    assert panel.balance == 1100 and panel.recent[0].kind == "refund"
    assert panel.recent[0].points == 1200


def test_a_rejected_redemption_holds_nothing(hub: HubHandle, tills: tuple[Till, Till]) -> None:
    a, _b = tills
    iid = a.redeem(700)
    assert points.available(a.cache, a.outbox, HERO) == 800
    a.outbox.execute("UPDATE interactions SET state = 'rejected' WHERE id = ?", (iid,))
    a.outbox.commit()
    assert points.available(a.cache, a.outbox, HERO) == 1500


def test_the_rule_is_the_hubs_setting(hub: HubHandle) -> None:
    with hub.store.write() as tx:
        save_rule(tx.conn, PointsRule().with_changes(2, [("gold", 300)]))
    with hub.store.read() as conn:
        rule = load_rule(conn)
    assert rule.per_yuan == 2 and rule.percent("gold") == 300 and rule.percent("basic") == 100
    assert rule.earned(1_799_00, "gold") == 1799 * 2 * 3


def test_an_erased_member_takes_their_ledger_along(
    hub: HubHandle, tills: tuple[Till, Till]
) -> None:
    a, _b = tills
    a.redeem(100)
    a.sync()
    assert a.cache.execute("SELECT count(*) FROM points_ledger").fetchone()[0] == 1
    hub.store.members.delete(HERO)
    a.sync()
    with hub.store.read() as conn:
        assert conn.scalar("SELECT count(*) FROM points_ledger WHERE member_id = ?", (HERO,)) == 0
    assert a.cache.execute("SELECT count(*) FROM points_ledger").fetchone()[0] == 0
