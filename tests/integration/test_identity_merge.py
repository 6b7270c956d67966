"""A OneID merge moves everything a member owns (sync/hub/segment/identity.py ``merge``), on
SQLite and PostgreSQL: the guard lists every hub table with a ``member_id`` column from the live
schema and fails if a merge leaves a row of the merged member behind (a table added later fails
it until the merge moves its rows or it is excluded here, with the reason); then a merge
synced to real terminals: the survivor's points are the sum (a ``merge`` ledger row), its cases
and tasks are the survivor's, the merged id resolves to the survivor."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk import points, view360
from clerk import tasks as tasks_mod
from clerk.model import Identity
from clerk.reports.conflicts import conflicts
from clerk.shared.interactions import CaseOpen, PointsRedeem, Resolve, Sale, Task
from sync.client import HubClient
from sync.engine import SyncEngine
from sync.hub.db import Conn
from sync.hub.embedded import HubHandle
from sync.hub.points import PointsRule, save_rule
from sync.hub.segment import identity

# Tables whose rows of the merged member stay as they are, and why.
EXCLUDED = {
    # The audit of every look-up by proof: what was served to whom, as it happened. Rewriting
    # it would change evidence; the merged id resolves to the survivor through ``identities``.
    "member_lookups",
}


def member_tables(conn: Conn) -> list[str]:
    """Every table of the live hub schema with a ``member_id`` column."""
    if conn.dialect.name == "postgres":
        found = conn.rows(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'member_id' "
            "AND table_schema = current_schema() ORDER BY table_name"
        )
        return [str(r[0]) for r in found]
    tables = [
        str(r[0])
        for r in conn.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    return [
        t for t in tables if any(c[1] == "member_id" for c in conn.rows(f"PRAGMA table_info({t})"))
    ]


def two_members(conn: Conn) -> tuple[str, str]:
    """A member of S001 (the survivor) and one of S002 (merged into it)."""
    survivor = conn.scalar("SELECT min(id) FROM members WHERE home_store = 'S001'")
    merged = conn.scalar("SELECT min(id) FROM members WHERE home_store = 'S002'")
    return str(survivor), str(merged)


def insert(conn: Conn, table: str, row: dict[str, Any]) -> None:
    conn.execute(
        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
        tuple(row.values()),
    )


def give_rows(conn: Conn, member: str, now: int) -> None:
    """At least one row of ``member`` in every table the seeded world leaves without one."""
    tag = f"g-{member}"
    rows: dict[str, dict[str, Any]] = {
        "browse_events": {
            "id": 9_000_000_001, "member_id": member, "sku": "X1", "channel": "app", "at": now,
        },
        "cart_items": {
            "id": f"{tag}-k", "member_id": member, "sku": "X1", "price_cents": 100,
            "added_at": now,
        },
        "coupons": {
            "id": f"{tag}-q", "member_id": member, "title_zh": "券", "title_en": "Coupon",
            "rule": "amount", "value": 100, "valid_from": now, "expires_at": now + 86_400,
        },
        "visits": {
            "id": f"{tag}-v", "member_id": member, "store_id": "S002", "kind": "visit", "at": now,
        },
        "interactions": {
            "id": f"{tag}-i", "device_id": "D-guard", "store_id": "S002", "device_seq": 1,
            "kind": "note", "member_id": member, "created_at": now, "received_at": now,
            "payload": "{}", "body_hash": "x", "status": "accepted",
        },
        "jti_sightings": {
            "jti": "abcdef", "device_id": "D-guard", "store_id": "S002",
            "interaction_id": f"{tag}-i", "member_id": member, "seen_at": now,
        },
        "member_lookups": {
            "device_id": "D-guard", "store_id": "S002", "proof": "card", "outcome": "served",
            "member_id": member, "at": now,
        },
        "members_served": {"device_id": "D-guard", "member_id": member, "served_at": now},
        "identities": {
            "kind": "unionid", "value": f"oU-{tag}", "member_id": member, "first_seen": now,
            "last_seen": now,
        },
        "wishlist_items": {"id": f"{tag}-w", "member_id": member, "sku": "X1", "added_at": now},
        "orders": {
            "id": f"{tag}-o", "member_id": member, "total_cents": 100, "state": "completed",
            "items": "[]", "at": now,
        },
        "provisional_members": {
            "provisional_id": f"P-{tag}", "member_id": member, "signup_id": f"{tag}-s",
            "device_id": "D-guard", "store_id": "S002", "consent_version": "2024-01",
            "created_at": now,
        },
        "tasks": {
            "id": f"{tag}-t", "store_id": "S002", "member_id": member, "title": "Call back",
            "reason": "manual", "due_at": now, "state": "open", "created_at": now,
            "updated_at": now,
        },
        "assignments": {
            "member_id": member, "store_id": "S002", "staff_id": None, "assigned_at": now,
        },
        "cases": {
            "id": f"{tag}-c", "member_id": member, "case_type": "repair", "subject": "Screen",
            "status": "open", "opened_at": now, "updated_at": now,
        },
        "points_ledger": {
            "id": f"{tag}-p", "member_id": member, "store_id": "S002", "kind": "earn",
            "points": 300, "balance": 300, "tier_from": "basic", "tier_to": "basic", "at": now,
        },
    }  # fmt: skip
    for table, row in rows.items():
        if not conn.scalar(f"SELECT count(*) FROM {table} WHERE member_id = ?", (member,)):
            insert(conn, table, row)


def test_a_merge_leaves_no_row_of_the_merged_member_in_any_table(any_hub: HubHandle) -> None:
    now = int(time.time())
    with any_hub.store.write() as tx:
        survivor, merged = two_members(tx.conn)
        give_rows(tx.conn, merged, now)
        tables = member_tables(tx.conn)
        assert {"points_ledger", "cases", "tasks", "assignments", "visits"} <= set(tables)
        unexercised = [
            t
            for t in tables
            if t not in EXCLUDED
            and not tx.conn.scalar(f"SELECT count(*) FROM {t} WHERE member_id = ?", (merged,))
        ]
        assert unexercised == [], f"give the merged member a row in {unexercised} (give_rows)"
        identity.merge(tx, survivor, merged, actor="test", now=now)
    with any_hub.store.read() as conn:
        left = {
            t: n
            for t in tables
            if t not in EXCLUDED
            and (n := conn.scalar(f"SELECT count(*) FROM {t} WHERE member_id = ?", (merged,)))
        }
        assert left == {}, f"a merge left rows of the merged member behind: {left}"
        assert conn.scalar("SELECT count(*) FROM members WHERE id = ?", (merged,)) == 0


# --- a merge synced to real terminals ---------------------------------------------------------


class Till:
    """A terminal of ``store``: its two files and its engine, enrolled at the hub."""

    def __init__(self, root: Path, hub: HubHandle, store: str) -> None:
        root.mkdir(parents=True)
        self.cache = cache_mod.open_cache(root / "cache.db")
        self.outbox = outbox_mod.open_outbox(root / "outbox.db")
        self.engine = SyncEngine(self.cache, self.outbox, HubClient(hub.url))
        self.engine.enroll(hub.url, store, hub.enrol_code(store), device_name=root.name)

    def sync(self) -> None:
        report = self.engine.sync_once()
        assert report.caught_up and report.pending == 0

    def record(self, kind: str, member: str | None, staff: str, payload: Any, now: int) -> str:
        return outbox_mod.record(
            self.outbox, kind, member_id=member, staff_id=staff, payload=payload, now=now
        ).id

    def held(self, table: str, member: str) -> int:
        column = "id" if table == "members" else "member_id"
        found = self.cache.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", (member,))
        return int(found.fetchone()[0])

    def close(self) -> None:
        self.engine.client.close()
        self.cache.close()
        self.outbox.close()


@pytest.fixture
def tills(any_hub: HubHandle, tmp_path: Path) -> Iterator[tuple[Till, Till]]:
    s1, s2 = Till(tmp_path / "s001", any_hub, "S001"), Till(tmp_path / "s002", any_hub, "S002")
    try:
        yield s1, s2
    finally:
        s1.close()
        s2.close()


def members_of(hub: HubHandle, store: str, n: int) -> list[str]:
    with hub.store.read() as conn:
        found = conn.rows(
            "SELECT id FROM members WHERE home_store = ? ORDER BY id LIMIT ?", (store, n)
        )
    return [str(r[0]) for r in found]


def test_a_merge_reaches_the_terminals_of_both_stores(
    any_hub: HubHandle, tills: tuple[Till, Till]
) -> None:
    s1, s2 = tills
    a, b = members_of(any_hub, "S001", 2)  # a survives; b (same store) and c are merged into it
    (c,) = members_of(any_hub, "S002", 1)
    now = int(time.time())
    with any_hub.store.write() as tx:
        save_rule(tx.conn, PointsRule())
        for member, points, tier in ((a, 1_000, "basic"), (b, 500, "basic"), (c, 3_000, "gold")):
            tx.conn.execute(
                "UPDATE members SET points = ?, tier = ? WHERE id = ?", (points, tier, member)
            )
        card_b, card_c = (
            str(tx.conn.scalar("SELECT card_no FROM members WHERE id = ?", (m,))) for m in (b, c)
        )
        tx.conn.execute("UPDATE members SET card_no = NULL WHERE id = ?", (a,))
    sale = Sale.of([("AP00001", 1, 60_000)], 60_000)
    sale_a = s1.record("sale", a, "A01", sale, now - 300)  # 600 × 1 → 1,600
    sale_b = s1.record("sale", b, "A02", Sale.of([("AP00002", 1, 40_000)], 40_000), now - 200)
    case_b = s1.record("case_open", b, "A02", CaseOpen.of("repair", "screen"), now - 200)
    task_b = s1.record("task", b, "A02", Task.of("Call about the strap", now + 86_400), now - 200)
    sale_c = s2.record("sale", c, "A11", Sale.of([("AP00001", 1, 100_000)], 100_000), now - 100)
    s1.sync()
    s2.sync()  # b: 900; c, gold: 1,000 × 1.5 → 4,500
    assert s2.held("points_ledger", c) == 1 and s1.held("members", c) == 0

    with any_hub.store.write() as tx:
        identity.merge(tx, a, b, actor="test", now=now)
        identity.merge(tx, a, c, actor="test", now=now + 1)
    s1.sync()
    s2.sync()

    # The hub: one balance, the sum (1,600 + 900 + 4,500), its newest ledger row says so; the
    # tier is c's gold, though 7,000 is short of gold's 8,000 (a merge demotes nobody).
    with any_hub.store.read() as conn:
        assert conn.row("SELECT points, tier FROM members WHERE id = ?", (a,)) == (7_000, "gold")
        ledger = conn.rows(
            "SELECT kind, points, balance, tier_from, tier_to FROM points_ledger "
            "WHERE member_id = ? ORDER BY at DESC, id DESC",
            (a,),
        )
        assert ledger[:2] == [
            ("merge", 4_500, 7_000, "silver", "gold"),
            ("merge", 900, 2_500, "basic", "silver"),  # 2,500: silver's threshold reached
        ]
        assert sorted(r[0] for r in ledger) == ["earn", "earn", "earn", "merge", "merge"]
        # the merged ids, and c's card, now name a
        assert identity.lookup(conn, "user", b) == a and identity.lookup(conn, "user", c) == a
        assert identity.lookup(conn, "card", card_c) == a
        # a had no card: b's (merged first) is a's own now; c's is an identity of a's
        assert conn.scalar("SELECT card_no FROM members WHERE id = ?", (a,)) == card_b
        assert conn.rows("SELECT value FROM identities WHERE kind = 'card'") == [(card_c,)]

    # S001's terminal: a's 360 shows the sum, every ledger row, b's case and b's task.
    view = view360.lookup(s1.cache, s1.outbox, a, now=now + 60)
    assert view is not None and view.points is not None
    assert (view.profile.points, view.profile.tier) == (7_000, "gold")
    assert (view.points.balance, view.points.tier) == (7_000, "gold")
    assert [e.kind for e in view.points.recent][:2] == ["merge", "merge"]
    assert view.points.recent[0].balance == 7_000
    assert {e.id for e in view.points.recent} >= {sale_a, sale_b, sale_c}
    assert [x.id for x in view.cases] == [case_b]
    assert [t.id for t in tasks_mod.load(s1.cache, s1.outbox, now=now, member_id=a)] == [task_b]
    assert view360.lookup(s1.cache, s1.outbox, b, now=now + 60) is None
    for table in ("points_ledger", "cases", "tasks", "members"):
        assert s1.held(table, b) == 0, table
    # b's card, a's own now, finds a at S001's terminal, offline too.
    by_card = Identity("card", card_b, f"card:{card_b}", proof=card_b)
    assert view360.resolve(s1.cache, by_card) == a
    # S002's terminal: c is gone from its slice (a delete row to c's store).
    assert s2.cache.execute("SELECT count(*) FROM members WHERE id = ?", (c,)).fetchone()[0] == 0


def test_open_tasks_of_one_rule_collapse_to_the_one_due_first_manual_ones_stay(
    any_hub: HubHandle,
) -> None:
    a, b = members_of(any_hub, "S001", 2)
    now = int(time.time())

    def task(tx: Any, task_id: str, member: str, reason: str, due: int) -> None:
        insert(tx.conn, "tasks", {
            "id": task_id, "store_id": "S001", "member_id": member, "title": task_id,
            "reason": reason, "due_at": due, "state": "open", "created_at": now,
            "updated_at": now,
        })  # fmt: skip

    with any_hub.store.write() as tx:
        task(tx, "inactive-a", a, "inactive", now + 500)
        task(tx, "inactive-b", b, "inactive", now + 100)  # due first: it stays
        task(tx, "birthday-a", a, "birthday", now + 100)
        task(tx, "birthday-b", b, "birthday", now + 100)  # a tie: the survivor's stays
        task(tx, "manual-a", a, "manual", now + 100)
        task(tx, "manual-b", b, "manual", now + 100)
        for member, staff in ((a, "A01"), (b, "A02")):
            insert(tx.conn, "assignments", {
                "member_id": member, "store_id": "S001", "staff_id": staff, "assigned_at": now,
            })  # fmt: skip
        identity.merge(tx, a, b, actor="test", now=now)
    with any_hub.store.read() as conn:
        left = conn.rows("SELECT id, member_id FROM tasks ORDER BY id")
        assigned = conn.rows("SELECT member_id, staff_id FROM assignments ORDER BY member_id")
        changes = conn.rows(
            "SELECT entity, key, op, store_id FROM changes WHERE entity IN ('task', 'assignment')"
            " ORDER BY seq"
        )
    assert left == [("birthday-a", a), ("inactive-b", a), ("manual-a", a), ("manual-b", a)]
    assert assigned == [(a, "A01")]  # the survivor's associate stays
    assert {(e, k, op) for e, k, op, _s in changes} >= {
        ("task", "inactive-a", "delete"),
        ("task", "birthday-b", "delete"),
        ("task", "inactive-b", "upsert"),
        ("task", "manual-b", "upsert"),
        ("assignment", b, "delete"),
    }
    assert {s for *_x, s in changes} == {"S001"}


@pytest.fixture
def counters(any_hub: HubHandle, tmp_path: Path) -> Iterator[tuple[Till, Till]]:
    t1, t2 = Till(tmp_path / "t1", any_hub, "S001"), Till(tmp_path / "t2", any_hub, "S001")
    try:
        yield t1, t2
    finally:
        t1.close()
        t2.close()


def test_overdrafts_survive_a_merge_and_records_naming_the_merged_id_land_on_the_survivor(
    any_hub: HubHandle, counters: tuple[Till, Till]
) -> None:
    t1, t2 = counters
    a, b = members_of(any_hub, "S001", 2)
    now = int(time.time())
    with any_hub.store.write() as tx:
        save_rule(tx.conn, PointsRule())
        tx.conn.execute("UPDATE members SET points = 1000, tier = 'basic' WHERE id = ?", (a,))
        tx.conn.execute("UPDATE members SET points = 500, tier = 'basic' WHERE id = ?", (b,))
    t1.sync()
    t2.sync()

    def redeem(till: Till, member: str, n: int, staff: str, at: int) -> str:
        points.check_redeem(till.cache, till.outbox, member, n)  # within the local balance
        return till.record("points_redeem", member, staff, PointsRedeem.of(n), at)

    # Before the merge: b's 500 redeemed twice offline, 400 each: b overdrawn, r2 flagged.
    r1 = redeem(t1, b, 400, "A01", now - 50)
    r2 = redeem(t2, b, 400, "A02", now - 40)
    t1.sync()
    t2.sync()
    # Offline again, neither terminal knowing of the merge to come: t1 still sees b at 100.
    r3 = redeem(t1, a, 900, "A01", now - 30)
    r5 = redeem(t1, b, 100, "A01", now - 20)  # names the member about to be merged
    r4 = redeem(t2, a, 600, "A02", now - 10)
    with any_hub.store.write() as tx:  # b (-300) into a (1,000): 700
        identity.merge(tx, a, b, actor="test", now=now)
    t1.sync()
    t2.sync()

    state = {
        iid: (st, reason, conflict_with)
        for iid, st, reason, conflict_with in (
            (i, *till.outbox.execute(
                "SELECT state, reason, conflict_with FROM interactions WHERE id = ?", (i,)
            ).fetchone())
            for till, i in ((t1, r1), (t2, r2), (t1, r3), (t1, r5), (t2, r4))
        )
    }  # fmt: skip
    assert state == {
        r1: ("acked", None, None),
        r2: ("conflict", "points_overdraft", r1),  # flagged before the merge, still
        r3: ("conflict", "points_overdraft", r2),  # 700 - 900 = -200
        r5: ("conflict", "points_overdraft", r3),  # b's id: a's now, -300
        r4: ("conflict", "points_overdraft", r5),  # -900
    }
    with any_hub.store.read() as conn:
        assert conn.scalar("SELECT points FROM members WHERE id = ?", (a,)) == -900
        whose = dict(
            conn.rows(
                "SELECT id, member_id FROM interactions WHERE id IN (?, ?, ?, ?, ?)",
                (r1, r2, r3, r4, r5),
            )
        )
        assert set(whose.values()) == {a}
    listed = any_hub.store.interactions.conflicts("S001", include_resolved=False)
    assert sorted(c["id"] for c in listed) == sorted([r2, r3, r4, r5])
    flagged = conflicts(t2.cache, t2.outbox)
    assert {c.id for c in flagged} >= {r2, r4}

    # The manager reverses b's old overdraft: its 400 come back to a.
    decision = t2.record("resolve", None, "M01", Resolve.of(r2, "reverse"), now + 5)
    t2.sync()
    assert (
        t2.outbox.execute("SELECT state FROM interactions WHERE id = ?", (decision,)).fetchone()[0]
        == "acked"
    )
    view = view360.lookup(t2.cache, t2.outbox, a, now=now + 60)
    assert view is not None and view.points is not None
    assert view.points.balance == -500 and view.points.recent[0].kind == "refund"
