"""Retention: old browsing and idle members leave the cache; the outbox is never touched."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from clerk.outbox import record
from clerk.purge import purge

if TYPE_CHECKING:
    from conftest import DemoDbs

DAY = 86_400
TABLES = ("browse_events", "cart_items", "coupons", "visits")


def count(db: DemoDbs, sql: str, *params: object) -> int:
    return int(db.cache.execute(sql, params).fetchone()[0])


@pytest.mark.parametrize("batch", [20_000, 7])
def test_purge_deletes_old_browsing_and_idle_members(demo_dbs: DemoDbs, batch: int) -> None:
    db, now = demo_dbs, demo_dbs.now
    # Make one member certainly idle and give them an unsynced interaction in the outbox.
    db.cache.execute("UPDATE members SET last_seen = ? WHERE id = 'M00000005'", (now - 400 * DAY,))
    db.cache.execute("UPDATE members SET last_seen = NULL WHERE id = 'M00000006'")
    rec = record(db.outbox, "note", member_id="M00000005", payload={"text": "hi"}, now=now)
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
    # Recent browsing of members who stay is untouched.
    assert count(db, "SELECT count(*) FROM browse_events") == kept_recent > 0
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
            ("SELECT id FROM browse_events WHERE at < ? LIMIT ?", (1, 1)),
            ("SELECT id FROM members WHERE last_seen < ? LIMIT ?", (1, 1)),
            ("DELETE FROM cart_items WHERE member_id IN (?, ?)", ("a", "b")),
        )
    ]
    assert "browse_at" in plans[0]
    assert "members_last_seen" in plans[1]
    assert "cart_member" in plans[2]


def test_purge_rejects_nonsense_periods(demo_dbs: DemoDbs) -> None:
    with pytest.raises(ValueError):
        purge(demo_dbs.cache, now=demo_dbs.now, browse_days=0)
