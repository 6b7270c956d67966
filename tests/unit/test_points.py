"""Points: the hub's earn rule with tiers (sync/hub/points.py), the terminal's panel and local
balance (clerk/points.py), and the day's points figures (clerk/reports) against a day worked
out by hand."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clerk import outbox as outbox_mod
from clerk import points
from clerk.cache import apply_changes, open_cache
from clerk.errors import RecordError
from clerk.outbox import open_outbox
from clerk.reports import kpis
from clerk.shared.interactions import PointsRedeem, Sale
from sync.hub.points import DEFAULT_TIERS, PointsRule, Tier

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2025, 11, 20)


def at(h: int, m: int = 0, d: date = DAY) -> int:
    return int(datetime(d.year, d.month, d.day, h, m, tzinfo=TZ).timestamp())


# --- the earn rule ---------------------------------------------------------------------------


def test_a_sale_earns_yuan_times_the_tiers_multiplier_rounded_down() -> None:
    rule = PointsRule()
    assert rule.earned(1_799_00, "basic") == 1799  # ×1
    assert rule.earned(1_799_00, "silver") == 2248  # 1799 × 1.25 = 2248.75
    assert rule.earned(1_799_00, "gold") == 2698  # × 1.5 = 2698.5
    assert rule.earned(1_799_00, "platinum") == 3598
    assert rule.earned(99, "platinum") == 1  # ¥0.99 × 2 = 1.98
    assert rule.earned(49, "basic") == 0
    assert rule.earned(1_000_00, "unknown") == 1000  # an unknown tier earns as the first
    doubled = rule.with_changes(per_yuan=2, multipliers=[("gold", 300)])
    assert doubled.earned(100_00, "gold") == 600 and doubled.earned(100_00, "basic") == 200


def test_the_tier_follows_the_balance_up_never_down() -> None:
    rule = PointsRule()
    assert rule.tier_after("basic", 1_999) == "basic"
    assert rule.tier_after("basic", 2_000) == "silver"
    assert rule.tier_after("basic", 25_000) == "platinum"  # several steps at once
    assert rule.tier_after("gold", 100) == "gold"  # spending does not demote
    assert rule.tier_after("gold", -100) == "gold"
    assert rule.tier_after("vip", 9_000) == "gold"  # a tier the rule does not name


def test_the_rule_round_trips_and_refuses_nonsense() -> None:
    rule = PointsRule().with_changes(3, [("silver", 110)])
    assert PointsRule.from_json(rule.to_json()) == rule
    with pytest.raises(ValueError, match="no tier"):
        rule.with_changes(multipliers=[("diamond", 500)])
    with pytest.raises(ValueError):
        PointsRule(tiers=(Tier("basic", 10, 100),))  # the first starts at 0
    with pytest.raises(ValueError):
        PointsRule(tiers=(DEFAULT_TIERS[0], Tier("x", 0, 100)))  # thresholds rise
    with pytest.raises(ValueError):
        PointsRule(per_yuan=-1)


# --- the terminal: panel and local balance ---------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> Iterator[tuple[sqlite3.Connection, sqlite3.Connection]]:
    cache = open_cache(tmp_path / "cache.db")
    outbox = open_outbox(tmp_path / "outbox.db")
    apply_changes(
        cache,
        [
            {
                "entity": "member",
                "op": "upsert",
                "key": "M1",
                "data": {"id": "M1", "name": "王芳", "tier": "silver", "points": 2_300},
            },
            ledger("E1", "earn", 2_300, 2_300, "basic", "silver", at(10), store="S001"),
        ],
    )
    cache.commit()
    yield cache, outbox
    cache.close()
    outbox.close()


def ledger(
    iid: str,
    kind: str,
    n: int,
    balance: int,
    tier_from: str,
    tier_to: str,
    when: int,
    *,
    store: str = "S001",
    member: str = "M1",
) -> dict[str, object]:
    data = {
        "id": iid,
        "member_id": member,
        "store_id": store,
        "kind": kind,
        "points": n,
        "balance": balance,
        "tier_from": tier_from,
        "tier_to": tier_to,
        "at": when,
    }
    return {"entity": "points", "op": "upsert", "key": iid, "data": data}


def test_redemptions_are_held_until_the_ledger_has_them(
    files: tuple[sqlite3.Connection, sqlite3.Connection],
) -> None:
    cache, outbox = files
    assert points.available(cache, outbox, "M1") == 2_300
    r1 = outbox_mod.record(outbox, "points_redeem", member_id="M1", payload=PointsRedeem.of(800))
    assert points.available(cache, outbox, "M1") == 1_500
    points.check_redeem(cache, outbox, "M1", 1_500)
    with pytest.raises(RecordError) as refused:
        points.check_redeem(cache, outbox, "M1", 1_501)
    assert refused.value.problem == "points_over_balance"
    # acked, but the feed has not brought the ledger row yet: still held
    outbox.execute("UPDATE interactions SET state = 'acked' WHERE id = ?", (r1.id,))
    outbox.commit()
    assert points.available(cache, outbox, "M1") == 1_500
    # the ledger row and the member's new balance arrive: counted once, by the hub
    apply_changes(
        cache,
        [
            ledger(r1.id, "redeem", -800, 1_500, "silver", "silver", at(11)),
            {
                "entity": "member",
                "op": "upsert",
                "key": "M1",
                "data": {"id": "M1", "name": "王芳", "tier": "silver", "points": 1_500},
            },
        ],
    )
    cache.commit()
    assert points.available(cache, outbox, "M1") == 1_500
    assert points.available(cache, outbox, "M-unknown") == 0


def test_the_panel_shows_pending_sales_and_a_recent_tier_change(
    files: tuple[sqlite3.Connection, sqlite3.Connection],
) -> None:
    cache, outbox = files
    outbox_mod.record(
        outbox, "sale", member_id="M1", payload=Sale.of([("SW1", 1, 1_799_00)], 1_799_00)
    )
    outbox_mod.record(outbox, "points_redeem", member_id="M1", payload=PointsRedeem.of(300))
    rows = outbox.execute(
        "SELECT id, kind, staff_id, payload, created_at, state, reason FROM interactions"
    ).fetchall()
    ledger_rows, confirmed = points.fetch(cache, "M1", rows)
    panel = points.panel(2_300, "silver", ledger_rows, confirmed, rows, now=at(12))
    assert (panel.balance, panel.pending_redeemed, panel.available) == (2_300, 300, 2_000)
    assert (panel.pending_sales, panel.pending_sales_cents) == (1, 1_799_00)
    assert panel.tier_change is not None and panel.tier_change.tier_to == "silver"
    later = points.panel(
        2_300, "silver", ledger_rows, confirmed, rows, now=at(12) + 31 * points.DAY
    )
    assert later.tier_change is None  # a month on, no longer news


# --- the day's figures -----------------------------------------------------------------------


def test_points_issued_and_redeemed_against_a_hand_computed_day(
    files: tuple[sqlite3.Connection, sqlite3.Connection],
) -> None:
    cache, outbox = files
    apply_changes(
        cache,
        [
            ledger("E2", "earn", 1_799, 4_099, "silver", "silver", at(15)),
            ledger("E3", "earn", 500, 500, "basic", "basic", at(16), member="M2"),
            ledger("E4", "earn", 700, 700, "basic", "basic", at(16), store="S002", member="M3"),
            ledger("E5", "earn", 900, 900, "basic", "basic", at(12, d=date(2025, 11, 21))),
            ledger("R1", "redeem", -400, 3_699, "silver", "silver", at(17)),
            # another terminal's redemption, as its history row
            {
                "entity": "visit",
                "op": "upsert",
                "key": "V1",
                "data": {
                    "id": "V1",
                    "member_id": "M2",
                    "store_id": "S001",
                    "kind": "points_redeem",
                    "facts": {"points": 250},
                    "at": at(17, 30),
                },
            },
        ],
    )
    cache.commit()
    outbox_mod.record(
        outbox, "points_redeem", member_id="M1", payload=PointsRedeem.of(400), now=at(17)
    )
    rejected = outbox_mod.record(
        outbox, "points_redeem", member_id="M1", payload=PointsRedeem.of(9_000), now=at(18)
    )
    outbox.execute("UPDATE interactions SET state = 'rejected' WHERE id = ?", (rejected.id,))
    outbox.commit()
    day = kpis.day_summary(cache, outbox, DAY, TZ, "S001").kpis
    # issued: E1 2,300 (10:00) + E2 1,799 + E3 500 = 4,599 (E4 another store's, E5 the next day)
    assert day.points_issued == 4_599
    # redeemed: ours 400 + the other terminal's 250 (the rejected 9,000 not)
    assert day.points_redeemed == 650
    days = kpis.range_days(cache, outbox, DAY, date(2025, 11, 21), TZ, "S001")
    assert [(k.points_issued, k.points_redeemed) for _d, k, _v in days] == [(4_599, 650), (900, 0)]


def test_points_issued_counts_the_stores_sales_to_visitors_once_each(
    files: tuple[sqlite3.Connection, sqlite3.Connection],
) -> None:
    cache, outbox = files

    def sold(iid: str, n: int, when: int, store: str = "S001") -> dict[str, object]:
        data = {"id": iid, "store_id": store, "points": n, "at": when}
        return {"entity": "store_points", "op": "upsert", "key": iid, "data": data}

    apply_changes(
        cache,
        [
            sold("E1", 2_300, at(10)),  # our member's sale: its ledger row E1 is the same sale
            sold("V1", 800, at(11)),  # a visitor's (homed elsewhere: no ledger row here)
            sold("V2", 450, at(12), store="S002"),  # another store's
            sold("V3", 999, at(9, d=date(2025, 11, 21))),  # the next day
        ],
    )
    cache.commit()
    # E1 2,300 (once) + V1 800
    assert kpis.day_summary(cache, outbox, DAY, TZ, "S001").kpis.points_issued == 3_100
    assert kpis.day_summary(cache, outbox, DAY, TZ, "S002").kpis.points_issued == 450
