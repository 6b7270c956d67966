"""`clerk hub seed --stores N`: a chain for realistic fan-out."""

from __future__ import annotations

from pathlib import Path

from demoworld.seed import seed_demo
from sync.hub.store import HubStore


def test_a_chain_of_stores_gets_members_staff_and_feeds(tmp_path: Path) -> None:
    store = HubStore.open(str(tmp_path / "hub.db"))
    try:
        stats = seed_demo(
            store,
            members=50,
            seed=1,
            now=1_763_900_000,
            products=50,
            events_per_member=2.0,
            stores=7,
        )
        assert stats.stores == [f"S{k:03d}" for k in range(1, 8)]
        with store.read() as conn:
            homes = dict(conn.rows("SELECT home_store, count(*) FROM members GROUP BY home_store"))
            staff = {r[0] for r in conn.rows("SELECT id FROM staff WHERE store_id = 'S007'")}
            names = dict(conn.rows("SELECT id, name FROM stores"))
        assert set(homes) == set(stats.stores) and min(homes.values()) >= 7
        assert staff == {"S007-A1", "S007-M1"} and names["S001"] == "上海静安店"
        page = store.feed.changes("S007", 0, 5000)
        members = {c["key"] for c in page.changes if c["entity"] == "member"}
        assert len(members) == homes["S007"]
    finally:
        store.close()
