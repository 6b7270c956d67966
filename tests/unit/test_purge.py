"""Retention: old browsing, orders over 12 months and idle members leave the cache; the outbox
is never touched."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from clerk.cache import apply_changes
from clerk.db import Transaction
from clerk.outbox import record
from clerk.purge import Q_BATCH_END, Q_DELETE_OLDER, purge

if TYPE_CHECKING:
    from conftest import DemoDbs

DAY = 86_400
TABLES = ("browse_events", "cart_items", "coupons", "visits", "orders")


def count(db: DemoDbs, sql: str, *params: object) -> int:
    return int(db.cache.execute(sql, params).fetchone()[0])


def put_orders(db: DemoDbs, *orders: tuple[str, str, int]) -> None:
    """Orders (id, member, at) as the feed sends them."""
    changes = [
        {
            "entity": "order",
            "op": "upsert",
            "key": oid,
            "data": {
                "id": oid,
                "member_id": member,
                "total_cents": 100,
                "state": "completed",
                "items": [{"sku": "SW00001", "qty": 1, "price_cents": 100}],
                "at": at,
            },
        }
        for oid, member, at in orders
    ]
    with Transaction(db.cache):
        apply_changes(db.cache, changes)


@pytest.mark.parametrize("batch", [20_000, 7])
def test_purge_deletes_old_browsing_and_idle_members(demo_dbs: DemoDbs, batch: int) -> None:
    db, now = demo_dbs, demo_dbs.now
    # Make one member certainly idle and give them an unsynced interaction in the outbox.
    db.cache.execute("UPDATE members SET last_seen = ? WHERE id = 'M00000005'", (now - 400 * DAY,))
    db.cache.execute("UPDATE members SET last_seen = NULL WHERE id = 'M00000006'")
    rec = record(db.outbox, "note", member_id="M00000005", payload={"text": "hi"}, now=now)
    put_orders(
        db,
        ("O-old", "M00000002", now - 400 * DAY),  # over the 12 months the 360 shows
        ("O-edge", "M00000002", now - 365 * DAY),  # exactly 12 months: kept
        ("O-new", "M00000002", now - 10 * DAY),
        ("O-idle", "M00000005", now - 10 * DAY),  # recent, but the member goes
    )
    browse_cut, idle_cut = now - 90 * DAY, now - 365 * DAY
    idle = [
        r[0] for r in db.cache.execute("SELECT id FROM members WHERE last_seen < ?", (idle_cut,))
    ]
    assert "M00000005" in idle
    marks = ", ".join("?" * len(idle))
    expected = {
        "members": len(idle),
        "browse_events": count(
            db,
            f"SELECT count(*) FROM browse_events WHERE at < ? OR member_id IN ({marks})",
            browse_cut,
            *idle,
        ),
    }
    for table in ("cart_items", "coupons", "visits"):
        expected[table] = count(
            db, f"SELECT count(*) FROM {table} WHERE member_id IN ({marks})", *idle
        )
    expected["orders"] = 2
    members_before = count(db, "SELECT count(*) FROM members")
    kept_recent = count(
        db,
        f"SELECT count(*) FROM browse_events WHERE at >= ? AND member_id NOT IN ({marks})",
        browse_cut,
        *idle,
    )
    assert expected["browse_events"] > 0

    counts = purge(db.cache, now=now, browse_days=90, member_idle_days=365, batch=batch)

    assert counts == expected
    assert count(db, "SELECT count(*) FROM browse_events WHERE at < ?", browse_cut) == 0
    assert count(db, "SELECT count(*) FROM members") == members_before - len(idle)
    assert count(db, "SELECT count(*) FROM members WHERE id = 'M00000006'") == 1  # unknown
    for table in TABLES:
        assert count(db, f"SELECT count(*) FROM {table} WHERE member_id IN ({marks})", *idle) == 0
    # Recent browsing of members who stay is untouched, and their orders of 12 months.
    assert count(db, "SELECT count(*) FROM browse_events") == kept_recent > 0
    kept = [r[0] for r in db.cache.execute("SELECT id FROM orders ORDER BY id")]
    assert kept == ["O-edge", "O-new"]
    # The outbox still has the idle member's interaction, unsent.
    row = db.outbox.execute("SELECT state FROM interactions WHERE id = ?", (rec.id,)).fetchone()
    assert row is not None and row[0] == "pending"
    # Idempotent: nothing left to purge.
    again = purge(db.cache, now=now, browse_days=90, member_idle_days=365, batch=batch)
    assert set(again.values()) == {0}


def test_purge_keeps_the_hero_and_recent_browsing(demo_dbs: DemoDbs) -> None:
    db, now = demo_dbs, demo_dbs.now
    recent_before = count(
        db,
        "SELECT count(*) FROM browse_events WHERE member_id = 'M00000001' AND at >= ?",
        now - 90 * DAY,
    )
    purge(db.cache, now=now)
    assert count(db, "SELECT count(*) FROM members WHERE id = 'M00000001'") == 1
    recent_after = count(db, "SELECT count(*) FROM browse_events WHERE member_id = 'M00000001'")
    assert recent_after == recent_before > 0


def test_purge_uses_indexes(demo_dbs: DemoDbs) -> None:
    plans = [
        " ".join(str(r[3]) for r in demo_dbs.cache.execute("EXPLAIN QUERY PLAN " + sql, params))
        for sql, params in (
            ("SELECT id FROM members WHERE last_seen < ? LIMIT ?", (1, 1)),
            ("DELETE FROM cart_items WHERE member_id IN (?, ?)", ("a", "b")),
            ("DELETE FROM orders WHERE member_id IN (?, ?)", ("a", "b")),
        )
    ]
    assert "members_last_seen" in plans[0]
    assert "cart_member" in plans[1]
    assert "orders_member" in plans[2]


@pytest.mark.parametrize("table", ["browse_events", "orders"])
def test_old_rows_are_found_by_rowid_ranges(demo_dbs: DemoDbs, table: str) -> None:
    """No index by time (m014): each step reads a bounded rowid range, never the table."""
    for sql, params in (
        (Q_BATCH_END.format(table=table), (0, 10)),
        (Q_DELETE_OLDER.format(table=table), (0, 10, 1)),
    ):
        plan = " ".join(
            str(r[3]) for r in demo_dbs.cache.execute("EXPLAIN QUERY PLAN " + sql, params)
        )
        assert "USING INTEGER PRIMARY KEY (rowid>?" in plan and "SCAN" not in plan, plan


def test_purge_rejects_nonsense_periods(demo_dbs: DemoDbs) -> None:
    with pytest.raises(ValueError):
        purge(demo_dbs.cache, now=demo_dbs.now, browse_days=0)
