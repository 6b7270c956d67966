"""Points issued on the dashboard count every sale made at the store (issue 18 item 3): a
member homed at S002 buys at S001; after a sync S001's points issued includes the sale's points
(the feed entity ``store_points``), and nothing of that member's ledger or balance reaches
S001's cache beyond what it was served by proof. A sale to the store's own member counts once
(its ledger row and its ``store_points`` row are the same sale)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk.model import Identity
from clerk.reports import kpis
from clerk.shared.entities import ENTITIES
from clerk.shared.interactions import Sale
from sync.client import HubClient
from sync.engine import SyncEngine
from sync.hub.embedded import HubHandle
from sync.hub.points import PointsRule, save_rule

TZ = ZoneInfo("Asia/Shanghai")


class Till:
    def __init__(self, root: Path, hub: HubHandle, store: str) -> None:
        root.mkdir(parents=True)
        self.cache = cache_mod.open_cache(root / "cache.db")
        self.outbox = outbox_mod.open_outbox(root / "outbox.db")
        self.engine = SyncEngine(self.cache, self.outbox, HubClient(hub.url))
        self.engine.enroll(hub.url, store, hub.enrol_code(store), device_name=root.name)

    def sync(self) -> None:
        report = self.engine.sync_once()
        assert report.caught_up and report.pending == 0

    def sell(self, member: str, staff: str, cents: int) -> str:
        return outbox_mod.record(
            self.outbox, "sale", member_id=member, staff_id=staff,
            payload=Sale.of([("AP00001", 1, cents)], cents),
        ).id  # fmt: skip

    def close(self) -> None:
        self.engine.client.close()
        self.cache.close()
        self.outbox.close()


@pytest.fixture
def tills(any_hub: HubHandle, tmp_path: Path) -> Iterator[tuple[Till, Till]]:
    with any_hub.store.write() as tx:
        save_rule(tx.conn, PointsRule())
    s1, s2 = Till(tmp_path / "s001", any_hub, "S001"), Till(tmp_path / "s002", any_hub, "S002")
    try:
        yield s1, s2
    finally:
        s1.close()
        s2.close()


def first_member(hub: HubHandle, store: str) -> tuple[str, str, int, str]:
    """(id, card, points, tier) of the store's first basic member with a card."""
    with hub.store.read() as conn:
        row = conn.row(
            "SELECT id, card_no, points, tier FROM members WHERE home_store = ? "
            "AND tier = 'basic' AND card_no IS NOT NULL ORDER BY id LIMIT 1",
            (store,),
        )
    assert row is not None
    return str(row[0]), str(row[1]), int(row[2]), str(row[3])


def issued_today(till: Till) -> int:
    day = datetime.now(TZ).date()
    return kpis.day_summary(till.cache, till.outbox, day, TZ, "S001").kpis.points_issued


def test_a_visiting_members_sale_counts_in_the_stores_points_issued(
    any_hub: HubHandle, tills: tuple[Till, Till]
) -> None:
    s1, s2 = tills
    own, _card, _p, _t = first_member(any_hub, "S001")
    visitor, card, served_points, served_tier = first_member(any_hub, "S002")
    s1.sync()
    s2.sync()
    before = issued_today(s1)
    # The visitor shows their card at S001: served by proof, then buys for ¥800 (basic: 800).
    assert s1.engine.fetch_member(Identity("card", card, f"card:{card}", proof=card), "A01")
    visitor_sale = s1.sell(visitor, "A01", 80_000)
    own_sale = s1.sell(own, "A02", 30_000)  # and the store's own member for ¥300
    s1.sync()
    s2.sync()
    with any_hub.store.read() as conn:
        earned = dict(conn.rows("SELECT id, points FROM points_ledger WHERE kind = 'earn'"))
        assert conn.scalar("SELECT points FROM members WHERE id = ?", (visitor,)) == (
            served_points + 800
        )
    assert earned == {visitor_sale: 800, own_sale: 300}
    assert issued_today(s1) == before + 1_100  # each sale once

    # What S001 holds of the visitor: the served member row (not the balance after the sale),
    # no ledger row; the store's row of the sale is its id, store, points and time only.
    held = s1.cache.execute("SELECT points, tier FROM members WHERE id = ?", (visitor,)).fetchone()
    assert tuple(held) == (served_points, served_tier)
    found = s1.cache.execute(
        "SELECT count(*) FROM points_ledger WHERE member_id = ?", (visitor,)
    ).fetchone()
    assert found[0] == 0
    cursor = s1.cache.execute("SELECT * FROM store_points WHERE id = ?", (visitor_sale,))
    assert [d[0] for d in cursor.description] == ["id", "store_id", "points", "at"]
    row = cursor.fetchone()
    assert (row[1], row[2]) == ("S001", 800)
    assert ENTITIES["store_points"].columns == ("id", "store_id", "points", "at")
    # The visitor's own store has their ledger row and balance, and no row of S001's figure.
    assert (
        s2.cache.execute(
            "SELECT points FROM points_ledger WHERE id = ?", (visitor_sale,)
        ).fetchone()[0]
        == 800
    )
    assert s2.cache.execute("SELECT count(*) FROM store_points").fetchone()[0] == 0
