"""Reports against a hand-computed fixture day (Thursday 2025-11-20, Asia/Shanghai).

Every interaction is written below with its time; the expected figures are worked out by hand
in the comments next to the assertions, from the definitions in clerk/reports/__init__.py.
The CLI tests at the end drive ``clerk report`` (clerk/cli/report.py) on the same day.
``build_fixture_day`` is also used by tests/ui/controllers/test_dashboard_controller.py.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher

from clerk import audit
from clerk import outbox as outbox_mod
from clerk.cache import apply_changes, open_cache
from clerk.db import Transaction
from clerk.errors import ClerkError, PermissionDeniedError
from clerk.outbox import open_outbox
from clerk.reports import conflicts, export, kpis, load, model
from clerk.shared.pins import hash_pin
from clerk.staff import Session

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2025, 11, 20)
LAST_WEEK = date(2025, 11, 13)
STORE = "S001"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PINS = {"A01": "1234", "A02": "2345", "M01": "246810", "A09": "5555"}

MANAGER = Session("M01", "周建华", "manager", 0)
ASSOCIATE = Session("A01", "王芳", "associate", 0)


def at(h: int, m: int = 0, d: date = DAY) -> int:
    return int(datetime(d.year, d.month, d.day, h, m, tzinfo=TZ).timestamp())


@dataclass
class FixtureDay:
    directory: Path
    cache_path: Path
    outbox_path: Path
    ids: dict[str, str]  # label → outbox interaction id


def _cache_rows(local_l1: str) -> list[dict[str, object]]:
    def ch(entity: str, key: str, **data: object) -> dict[str, object]:
        return {"entity": entity, "op": "upsert", "key": key, "data": data}

    d3 = at(12, d=date(2025, 11, 17))
    rows = [
        ch(
            "staff",
            sid,
            id=sid,
            name=name,
            role=role,
            active=active,
            pin_hash=hash_pin(PINS[sid], role, FAST),
            updated_at=0,
        )
        for sid, name, role, active in (
            ("A01", "王芳", "associate", True),
            ("A02", "陈浩然", "associate", True),
            ("M01", "周建华", "manager", True),
            ("A09", "离职员工", "associate", False),
        )
    ]
    for sku, zh, en, price in (
        ("SW1", "智能手表", "Smartwatch", 199900),
        ("HP1", "耳机", "Headphones", 29900),
        ("SH1", "跑鞋", "Running shoes", 39900),
    ):
        rows.append(
            ch(
                "product",
                sku,
                sku=sku,
                title_zh=zh,
                title_en=en,
                category="x",
                price_cents=price,
                image=None,
                active=True,
            )
        )
    for mid, name in (("M1", "Alice"), ("M2", "Bob"), ("M3", "Carol"), ("M4", "Dan")):
        rows.append(ch("member", mid, id=mid, name=name, tier="basic", points=0, tags=[]))
    coupon = {
        "title_zh": "券",
        "title_en": "Coupon",
        "min_spend_cents": 0,
        "applies_to": {},
        "valid_from": 0,
        "expires_at": at(0, d=date(2026, 1, 1)),
    }
    rows += [
        # C1: redeemed here (L3); the hub already marked it used — must not count twice.
        ch(
            "coupon",
            "C1",
            id="C1",
            member_id="M1",
            rule="amount_off",
            value=20000,
            state="used",
            used_at=at(10, 20),
            **coupon,
        ),
        ch(
            "coupon",
            "C2",
            id="C2",
            member_id="M2",
            rule="percent_off",
            value=10,
            state="live",
            **coupon,
        ),
        # C3: used at another terminal of the store by M3, who visited there today.
        ch(
            "coupon",
            "C3",
            id="C3",
            member_id="M3",
            rule="amount_off",
            value=5000,
            state="used",
            used_at=at(15, 20),
            **coupon,
        ),
    ]
    cart = [
        ("K1", "M1", "SW1", 1, 199900, d3, "open"),  # bought by L4: converted
        ("K2", "M1", "HP1", 1, 29900, d3, "removed"),  # removed: not a cart any more
        ("K3", "M2", "SH1", 2, 39900, d3, "open"),  # not in L9's items
        ("K4", "M2", "HP1", 1, 29900, at(14, 40), "open"),  # added after the sale L9
        ("K5", "M2", "HP1", 1, 29900, at(9, d=date(2025, 11, 15)), "bought"),  # converted
    ]
    for cid, mid, sku, qty, price, added, state in cart:
        rows.append(
            ch(
                "cart",
                cid,
                id=cid,
                member_id=mid,
                sku=sku,
                qty=qty,
                price_cents=price,
                added_at=added,
                state=state,
            )
        )
    sale_h3 = {"items": [{"sku": "SH1", "qty": 1, "price_cents": 50000}], "amount_cents": 50000}
    visits = [
        # (id, member, store, staff id, staff_name, kind, text, facts, at): the hub's history
        # rows, with their structured facts
        (local_l1, "M1", STORE, "A01", "王芳", "visit", None, {"via": "code"}, at(10)),  # dedupe
        ("H1", "M3", STORE, "A02", "陈浩然", "visit", None, {}, at(15)),
        ("H2", "M3", STORE, "A02", "陈浩然", "interest", None, {"sku": "SW1"}, at(15, 5)),
        ("H3", "M3", STORE, "A02", "陈浩然", "sale", None, sale_h3, at(15, 20)),
        # H5: M3's coupon C3 redeemed at the other terminal (the hub writes redemptions' rows)
        ("H5", "M3", STORE, "A02", "陈浩然", "redeem", None, {"coupon_id": "C3"}, at(15, 20)),
        ("H4", "M1", STORE, "A01", "王芳", "note", "asked for gift wrap", {}, at(12)),
        ("HX", "M4", "S002", None, "李静", "visit", None, {}, at(11)),  # other store: M4 not new
        ("HOLD", "M2", STORE, "A02", "陈浩然", "visit", None, {}, at(11, d=date(2025, 10, 21))),
        ("HLW", "M2", STORE, "A02", "陈浩然", "visit", None, {}, at(10, d=LAST_WEEK)),
    ]
    for vid, mid, store, sid, staff, kind, text, facts, t in visits:
        rows.append(
            ch(
                "visit",
                vid,
                id=vid,
                member_id=mid,
                store_id=store,
                store_name=store,
                staff_id=sid,
                staff_name=staff,
                kind=kind,
                text=text,
                facts=facts,
                at=t,
            )
        )
    return rows


def build_fixture_day(directory: Path) -> FixtureDay:
    directory.mkdir(parents=True, exist_ok=True)
    cache_path, outbox_path = directory / "cache.db", directory / "outbox.db"
    ob = open_outbox(outbox_path)
    ids: dict[str, str] = {}
    try:
        outbox_mod.set_meta(ob, {outbox_mod.META_STORE_ID: STORE})

        def rec(
            label: str,
            kind: str,
            t: int,
            state: str,
            *,
            member: str | None = None,
            ref: str | None = None,
            staff: str | None = None,
            **payload: object,
        ) -> None:
            r = outbox_mod.record(
                ob, kind, member_id=member, member_ref=ref, staff_id=staff, payload=payload, now=t
            )
            ob.execute("UPDATE interactions SET state = ? WHERE id = ?", (state, r.id))
            ids[label] = r.id

        lw = LAST_WEEK
        rec("LW1", "visit", at(12, d=lw), "acked", ref="card:111", staff="A02")
        rec("LW2", "note", at(12, 30, d=lw), "acked", ref="card:111", staff="A02", text="hi")
        rec("L1", "visit", at(10), "acked", member="M1", staff="A01", via="code")
        rec(
            "L2",
            "interest",
            at(10, 5),
            "acked",
            member="M1",
            staff="A01",
            sku="SW1",
            action="tried_on",
        )
        rec("L3", "redeem", at(10, 20), "pending", member="M1", staff="A01", coupon_id="C1")
        rec(
            "L4",
            "sale",
            at(10, 25),
            "pending",
            member="M1",
            staff="A01",
            items=[{"sku": "SW1", "qty": 1, "price_cents": 179900}],
            amount_cents=179900,
        )
        rec("L5", "visit", at(10, 40), "sent", ref="card:111", staff="A02")
        rec(
            "L6",
            "interest",
            at(10, 50),
            "sent",
            ref="card:111",
            staff="A02",
            sku="HP1",
            action="asked_about",
        )
        rec("L13", "visit", at(12), "rejected", member="M4", staff="A02")
        rec("L7", "visit", at(14, 10), "acked", member="M2", staff="A01")
        rec("L8", "redeem", at(14, 30), "acked", member="M2", staff="A01", coupon_id="C2")
        rec(
            "L9",
            "sale",
            at(14, 35),
            "acked",
            member="M2",
            staff="A01",
            items=[{"sku": "HP1", "qty": 1, "price_cents": 30000}],
            amount_cents=30000,
        )
        rec("L14", "note", at(14, 45), "acked", member="M2", staff="A01", text="size 42")
        rec("L10", "visit", at(14, 50), "pending", ref="card:222", staff="A02")
        rec("L17", "visit", at(16), "pending", member="M4", staff="A02")
        rec(
            "L15",
            "audit",
            at(17),
            "pending",
            staff="M01",
            seq=1,
            action="x",
            prev_hash="0" * 64,
            hash="1" * 64,
        )
        rec("L11", "visit", at(18), "pending", member="M1", staff="A01")
        rec(
            "L12",
            "interest",
            at(18, 2),
            "pending",
            member="M1",
            staff="A01",
            sku="SW1",
            action="asked_about",
        )
        ob.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        ob.close()
    cache = open_cache(cache_path)
    try:
        with Transaction(cache):
            apply_changes(cache, _cache_rows(ids["L1"]))
        cache.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        cache.close()
    return FixtureDay(directory, cache_path, outbox_path, ids)


def copy_fixture_day(template: FixtureDay, directory: Path) -> FixtureDay:
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("cache.db", "outbox.db", ".db.key"):  # the files and their key
        shutil.copyfile(template.directory / name, directory / name)
    return FixtureDay(
        directory, directory / "cache.db", directory / "outbox.db", dict(template.ids)
    )


@pytest.fixture(scope="module")
def fixture_template(tmp_path_factory: pytest.TempPathFactory) -> FixtureDay:
    return build_fixture_day(tmp_path_factory.mktemp("fixture-day"))


@pytest.fixture
def fixture_day(fixture_template: FixtureDay, tmp_path: Path) -> FixtureDay:
    """A private copy of the fixture day (tests write to it)."""
    return copy_fixture_day(fixture_template, tmp_path / "day")


@pytest.fixture
def conns(fixture_day: FixtureDay) -> Iterator[tuple[sqlite3.Connection, sqlite3.Connection]]:
    cache = open_cache(fixture_day.cache_path)
    ob = open_outbox(fixture_day.outbox_path)
    try:
        yield cache, ob
    finally:
        cache.close()
        ob.close()


# Hand-computed figures --------------------------------------------------------------------------
# Visits today: L1 M1 10:00, L5 card:111 10:40, L7 M2 14:10, L10 card:222 14:50, H1 M3 15:00
# (other terminal), L17 M4 16:00, L11 M1 18:00 → 7 (L13 rejected; our L1 back from the hub
# deduplicated; HX is another store).
# Identified: M1, M2, M3, M4, M1 = 5; walk-ins: card:111, card:222 = 2.
# New: L1 (M1's first ever), L10 (card:222), H1 (M3) = 3. Returning: L5 (card:111 came last
# week), L7 (M2 on 21 Oct), L17 (M4 at S002 at 11:00), L11 (M1 again) = 4.
# Lengths: L1 10:00→L4 10:25 = 1500; L5→L6 = 600; L7→L14 14:45 = 2100; L10 = 0;
# H1→H3 15:20 = 1200; L17 = 0; L11→L12 18:02 = 120. Sum 5520 / 7 = 788.57 → 789.
# Coupons: L3 C1 ¥200 (20000); L8 C2 10 % of the visit's sale L9 30000 = 3000; H5 C3 redeemed
# by M3 at the other terminal ¥50 = 5000 (C1 is also used in the cache but is ours: not twice).
# → 3 redeemed, 28000. (C3 was an estimate — a coupon used that day by a member who visited —
# until the hub wrote redemptions' history rows; now it is H5's own row: the same figure,
# exact, and one interaction more, below.)
# Carts: L4 (SW1) converts K1 199900; L9 (HP1) converts K5 (bought, added 15 Nov) 29900; K2 is
# removed, K3 another sku, K4 added after the sale. → 2, 229800.
# Sales: L4 179900 + L9 30000 + H3 50000 = 3, 259900.
# Interactions: local L1–L12, L14, L17 = 14 (no L13 rejected, no L15 audit) + H1–H5 = 19
# (18 while the other terminal's redemption H5 had no row).
# Unsynced: L3, L4, L5, L6, L10, L11, L12, L17 = 8.
EXPECTED = model.DayKpis(
    visits=7,
    identified=5,
    walk_ins=2,
    new=3,
    returning=4,
    coupons_redeemed=3,
    coupons_value_cents=28000,
    carts_converted=2,
    carts_converted_cents=229800,
    sales=3,
    sales_cents=259900,
    avg_visit_length_s=789,
    interactions=19,
    unsynced=8,
)
# Last week (13 Nov): HLW M2 10:00 (returning: 21 Oct), LW1 card:111 12:00 (new), LW2 note
# 12:30 → visits 2, identified 1, walk-in 1, new 1, returning 1, lengths 0 and 1800 → 900.
EXPECTED_LAST_WEEK = model.DayKpis(
    visits=2,
    identified=1,
    walk_ins=1,
    new=1,
    returning=1,
    avg_visit_length_s=900,
    interactions=3,
    unsynced=0,
)


def test_fixture_day_every_number(conns: tuple[sqlite3.Connection, sqlite3.Connection]) -> None:
    cache, ob = conns
    s = kpis.day_summary(cache, ob, DAY, TZ, STORE)
    assert s.kpis == EXPECTED
    assert s.last_week == EXPECTED_LAST_WEEK
    assert s.unsynced == 8
    assert (s.start, s.end) == (at(0), at(0, d=date(2025, 11, 21)))
    hours = [0] * 24
    hours[10], hours[14], hours[15], hours[16], hours[18] = 2, 2, 1, 1, 1
    assert s.by_hour == tuple(hours)
    # A01: L1 L2 L3 L4 L7 L8 L9 L11 L12 L14 + H4 = 11 interactions, visits L1 L7 L11, sales
    # L4 + L9 = 209900, redeems L3 L8. A02: L5 L6 L10 L17 + H1 H2 H3 H5 = 8, visits L5 L10 L17
    # H1, sale H3 50000, redeem H5 (7 and no redeem while H5 had no row).
    assert s.by_associate == (
        model.AssociateStats("A02", "陈浩然", 4, 8, 1, 50000, 1),
        model.AssociateStats("A01", "王芳", 3, 11, 2, 209900, 2),
    )
    # interest: SW1 L2, L12, H2 (the hub row's facts); HP1 L6
    assert s.top_products == (
        model.ProductInterest("SW1", "智能手表", "Smartwatch", 3),
        model.ProductInterest("HP1", "耳机", "Headphones", 1),
    )
    by_at = {v.at: v for v in s.visits}
    assert [v.at for v in s.visits] == sorted(by_at)
    assert [(v.length_s, v.interactions, v.returning) for v in s.visits] == [
        (1500, 4, False),
        (600, 2, True),
        (2100, 4, True),
        (0, 1, False),
        (1200, 4, False),  # H1 → H3 and H5 (3 while H5 had no row)
        (0, 1, True),
        (120, 2, True),
    ]
    h1 = by_at[at(15)]
    assert (h1.id, h1.source, h1.staff_id, h1.staff_name, h1.member_name, h1.sync_state) == (
        "H1",
        "hub",
        "A02",
        "陈浩然",
        "Carol",
        None,
    )
    l5 = by_at[at(10, 40)]
    assert (l5.member_id, l5.member_ref, l5.identified, l5.sync_state, l5.hour) == (
        None,
        "card:111",
        False,
        "sent",
        10,
    )


def test_drill_down_by_hour_and_associate(
    fixture_day: FixtureDay, conns: tuple[sqlite3.Connection, sqlite3.Connection]
) -> None:
    cache, ob = conns
    ids = fixture_day.ids
    ten = kpis.visits_for(cache, ob, DAY, TZ, STORE, hour=10)
    assert [v.id for v in ten] == [ids["L1"], ids["L5"]]
    a02 = kpis.visits_for(cache, ob, DAY, TZ, STORE, staff_id="A02")
    assert [v.id for v in a02] == [ids["L5"], ids["L10"], "H1", ids["L17"]]
    both = kpis.visits_for(cache, ob, DAY, TZ, STORE, hour=14, staff_id="A01")
    assert [v.id for v in both] == [ids["L7"]]
    assert kpis.visits_for(cache, ob, DAY, TZ, STORE, hour=3) == []


def test_without_store_only_this_terminal(
    conns: tuple[sqlite3.Connection, sqlite3.Connection],
) -> None:
    cache, ob = conns
    s = kpis.day_summary(cache, ob, DAY, TZ, None)
    # no hub rows: H1 gone (and C3 with it), L1 counts once; H2/H3/H4 gone
    assert (s.kpis.visits, s.kpis.interactions, s.kpis.coupons_redeemed) == (6, 14, 2)
    assert s.kpis.sales_cents == 209900


def test_empty_day(conns: tuple[sqlite3.Connection, sqlite3.Connection]) -> None:
    cache, ob = conns
    s = kpis.day_summary(cache, ob, date(2025, 1, 1), TZ, STORE)
    assert s.kpis == model.DayKpis()
    assert s.by_hour == (0,) * 24 and s.visits == () and s.by_associate == ()


def test_hub_rows_are_read_from_their_facts(
    conns: tuple[sqlite3.Connection, sqlite3.Connection],
) -> None:
    cache, ob = conns
    reader = load.Reader(cache, ob, STORE)
    hub = {e.id: e for e in reader.events(at(0), at(0, d=date(2025, 11, 21))) if e.source == "hub"}
    assert hub["H3"].payload["amount_cents"] == 50000 and hub["H3"].staff_id == "A02"
    assert hub["H5"].payload == {"coupon_id": "C3"}
    assert hub["H2"].payload == {"sku": "SW1"}
    # a row from before the hub kept facts and staff ids: no facts, the associate by name
    cache.execute("UPDATE visits SET facts = '{}', staff_id = NULL WHERE id = 'H3'")
    [h3] = [e for e in load.Reader(cache, ob, STORE).events(at(15), at(16)) if e.id == "H3"]
    assert (h3.payload, h3.staff_id) == ({}, "A02")


def _audit_actions(ob: sqlite3.Connection) -> list[tuple[str, str]]:
    return [(r.action, r.staff_id or "") for r in audit.rows(ob)]


def test_visits_report_formats_and_audit(
    conns: tuple[sqlite3.Connection, sqlite3.Connection],
) -> None:
    cache, ob = conns
    text = export.visits_report(
        MANAGER,
        cache,
        ob,
        store_id=STORE,
        date_from=LAST_WEEK,
        date_to=DAY,
        tz=TZ,
        fmt="csv",
        now=at(20),
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["date"] for r in rows] == [*(f"2025-11-{d}" for d in range(13, 21)), "total"]
    assert rows[0]["visits"] == "2" and rows[0]["avg_visit_length_s"] == "900"
    assert rows[7]["visits"] == "7" and rows[7]["coupons_value_cents"] == "28000"
    # total: 9 visits; length (900·2 + 789·7) / 9 = 7323/9 = 813.67 → 814
    assert rows[8]["visits"] == "9" and rows[8]["avg_visit_length_s"] == "814"
    assert rows[8]["new"] == "4" and rows[8]["unsynced"] == "8"

    js = json.loads(
        export.visits_report(
            MANAGER,
            cache,
            ob,
            store_id=STORE,
            date_from=DAY,
            date_to=DAY,
            tz=TZ,
            fmt="json",
            now=at(20),
        )
    )
    assert js["days"][0]["carts_converted_cents"] == 229800
    assert js["total"]["visits"] == 7

    table = export.visits_report(
        MANAGER, cache, ob, store_id=STORE, date_from=DAY, date_to=DAY, tz=TZ, now=at(20)
    )
    assert "2025-11-20" in table and "¥280.00" in table and "13:09" in table
    assert _audit_actions(ob) == [("export", "M01")] * 3
    assert audit.rows(ob)[0].detail["format"] == "csv"
    assert audit.verify(ob).ok


def test_export_csv_one_row_per_visit_and_audited(
    conns: tuple[sqlite3.Connection, sqlite3.Connection],
) -> None:
    cache, ob = conns
    text = export.export_csv(
        MANAGER, cache, ob, store_id=STORE, date_from=DAY, date_to=DAY, tz=TZ, now=at(20)
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 7
    assert rows[0]["time"] == "10:00:00" and rows[0]["member_name"] == "Alice"
    assert rows[4]["visit_id"] == "H1" and rows[4]["staff_name"] == "陈浩然"
    [row] = audit.rows(ob)
    assert (row.action, row.detail["rows"], row.detail["report"]) == ("export", 7, "visit_rows")


def test_associate_is_refused_everywhere_and_nothing_is_audited(
    conns: tuple[sqlite3.Connection, sqlite3.Connection],
) -> None:
    cache, ob = conns
    kw = {"store_id": STORE, "date_from": DAY, "date_to": DAY, "tz": TZ}
    for fmt in export.FORMATS:
        with pytest.raises(PermissionDeniedError):
            export.visits_report(ASSOCIATE, cache, ob, fmt=fmt, **kw)  # type: ignore[arg-type]
    with pytest.raises(PermissionDeniedError):
        export.export_csv(ASSOCIATE, cache, ob, **kw)  # type: ignore[arg-type]
    with pytest.raises(PermissionDeniedError) as info:
        export.export_csv(None, cache, ob, **kw)  # type: ignore[arg-type]
    assert info.value.reason == "not_signed_in"
    with pytest.raises(PermissionDeniedError):
        conflicts.resolve_conflict(ASSOCIATE, ob, "x", "accept")
    assert audit.rows(ob) == []


def test_report_range_is_checked(conns: tuple[sqlite3.Connection, sqlite3.Connection]) -> None:
    cache, ob = conns
    with pytest.raises(ClerkError) as info:
        export.visits_report(
            MANAGER, cache, ob, store_id=STORE, date_from=DAY, date_to=LAST_WEEK, tz=TZ
        )
    assert info.value.reason == "usage"
    with pytest.raises(ClerkError):
        export.visits_report(
            MANAGER, cache, ob, store_id=STORE, date_from=date(2024, 1, 1), date_to=DAY, tz=TZ
        )


def test_conflicts_side_by_side_and_resolve(
    fixture_day: FixtureDay, conns: tuple[sqlite3.Connection, sqlite3.Connection]
) -> None:
    cache, ob = conns
    l8 = fixture_day.ids["L8"]
    outbox_mod.apply_results(
        ob, [{"id": l8, "status": "conflict", "reason": "coupon_used", "conflict_with": "H1"}]
    )
    [c] = conflicts.conflicts(cache, ob)
    assert (c.id, c.coupon_id, c.coupon_title_en, c.member_name, c.reason) == (
        l8,
        "C2",
        "Coupon",
        "Bob",
        "coupon_used",
    )
    assert (c.other_at, c.other_store, c.other_staff, c.decision) == (at(15), STORE, "陈浩然", None)
    health = conflicts.sync_health(cache, ob, now=at(20))
    assert [x.id for x in health.conflicts] == [l8]
    with pytest.raises(ClerkError) as info:
        conflicts.resolve_conflict(MANAGER, ob, l8, "maybe")
    assert info.value.reason == "usage"
    rec = conflicts.resolve_conflict(MANAGER, ob, l8, "reverse", now=at(20))
    assert (rec.kind, rec.member_id, rec.staff_id) == ("resolve", "M2", "M01")
    assert rec.payload == {"conflict_id": l8, "decision": "reverse"}
    assert conflicts.conflicts(cache, ob) == []
    [done] = conflicts.conflicts(cache, ob, include_resolved=True)
    assert done.decision == "reverse"
    with pytest.raises(ClerkError) as info:
        conflicts.resolve_conflict(MANAGER, ob, l8, "accept")
    assert info.value.reason == "already_resolved"
    with pytest.raises(ClerkError) as info:
        conflicts.resolve_conflict(MANAGER, ob, fixture_day.ids["L7"], "accept")
    assert info.value.reason == "unknown_conflict"
    # the resolve row is not a visit and does not change the day's figures
    assert kpis.day_summary(cache, ob, DAY, TZ, STORE).kpis.interactions == 19


def test_sync_health(
    fixture_day: FixtureDay, conns: tuple[sqlite3.Connection, sqlite3.Connection]
) -> None:
    cache, ob = conns
    outbox_mod.apply_results(
        ob, [{"id": fixture_day.ids["L10"], "status": "rejected", "reason": "unknown_member"}]
    )
    cache.execute("INSERT INTO sync_state (key, value) VALUES ('last_push_at', ?)", (str(at(19)),))
    cache.execute(
        "INSERT INTO sync_state (key, value) VALUES ('last_pull_at', ?)", (str(at(19, 30)),)
    )
    h = conflicts.sync_health(cache, ob, now=at(20))
    # pending/sent: L3 L4 L5 L6 L11 L12 L15 (the audit row) L17 = 8, the oldest L3 at 10:20
    assert (h.pending, h.oldest_pending_at, h.oldest_pending_age_s) == (8, at(10, 20), 34800)
    assert (h.last_push_at, h.last_pull_at, h.last_success_at) == (at(19), at(19, 30), at(19, 30))
    assert {r.id: r.reason for r in h.rejected} == {
        fixture_day.ids["L10"]: "unknown_member",
        fixture_day.ids["L13"]: None,
    }
    assert h.conflicts == ()


def _park_two(fixture_day: FixtureDay, ob: sqlite3.Connection) -> tuple[str, str]:
    """L4 (M1's sale) and L5 (card:111's visit) parked with the hub's answers."""
    l4, l5 = fixture_day.ids["L4"], fixture_day.ids["L5"]
    outbox_mod.park(ob, l4, "http_500: the hub failed; the error is logged", now=at(19))
    outbox_mod.park(ob, l5, "out_of_range: amount_cents is out of range", now=at(19, 5))
    return l4, l5


def test_sync_health_lists_parked_records_beside_the_rejected(
    fixture_day: FixtureDay, conns: tuple[sqlite3.Connection, sqlite3.Connection]
) -> None:
    """What the hub failed on by itself reaches the manager: the record's kind, the member
    (by name when the cache knows them), when it was recorded and the hub's answer in words —
    no longer counted as waiting to sync."""
    cache, ob = conns
    before = conflicts.sync_health(cache, ob, now=at(20))
    assert before.parked == ()
    l4, l5 = _park_two(fixture_day, ob)
    h = conflicts.sync_health(cache, ob, now=at(20))
    assert [p.id for p in h.parked] == [l5, l4]  # newest first
    sale, visit = h.parked[1], h.parked[0]
    assert (sale.kind, sale.member_id, sale.member_name, sale.at) == (
        "sale",
        "M1",
        "Alice",
        at(10, 25),
    )
    assert sale.parked_at == at(19)
    assert sale.hub_answer == "http_500: the hub failed; the error is logged"
    assert sale.answer_words == "the hub failed; the error is logged (http_500)"
    assert (visit.kind, visit.member_id, visit.member_ref, visit.member_name) == (
        "visit",
        None,
        "card:111",
        None,
    )
    assert visit.answer_words == "amount_cents is out of range (out_of_range)"
    assert h.pending == before.pending - 2
    assert h.rejected == before.rejected


def test_a_parked_answer_without_words_is_shown_as_it_came() -> None:
    item = model.ParkedItem("i", "note", None, None, None, 0, None, 3, "http_500")
    assert item.answer_words == "http_500"
    assert model.ParkedItem("i", "note", None, None, None, 0, None, 3, "").answer_words == "—"


def test_a_manager_puts_parked_records_back_in_the_queue(
    fixture_day: FixtureDay, conns: tuple[sqlite3.Connection, sqlite3.Connection]
) -> None:
    cache, ob = conns
    l4, l5 = _park_two(fixture_day, ob)
    with pytest.raises(PermissionDeniedError):
        conflicts.retry_parked(ASSOCIATE, ob)
    with pytest.raises(PermissionDeniedError):
        conflicts.retry_parked(None, ob)
    assert conflicts.retry_parked(MANAGER, ob, [l4]) == 1  # one of them
    assert [p.id for p in conflicts.sync_health(cache, ob, now=at(20)).parked] == [l5]
    assert conflicts.retry_parked(MANAGER, ob) == 1  # the rest
    assert conflicts.sync_health(cache, ob, now=at(20)).parked == ()
    states = dict(ob.execute("SELECT id, state FROM interactions WHERE id IN (?, ?)", (l4, l5)))
    assert states == {l4: "pending", l5: "pending"}  # the next sync sends them
    assert conflicts.retry_parked(MANAGER, ob) == 0


# -- CLI ---------------------------------------------------------------------------------------


def _cli(argv: list[str]) -> int:
    """``clerk …`` through the real parser, the command's return value (no logging set up)."""
    from clerk.cli import build_parser

    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


@pytest.fixture
def home(fixture_day: FixtureDay, monkeypatch: pytest.MonkeyPatch) -> FixtureDay:
    monkeypatch.setenv("CLERK_HOME", str(fixture_day.directory))
    monkeypatch.delenv("CLERK_PIN", raising=False)
    return fixture_day


def test_cli_report_as_manager(home: FixtureDay, capsys: pytest.CaptureFixture[str]) -> None:
    code = _cli(
        [
            "report",
            "visits",
            "--date",
            "2025-11-20",
            "--format",
            "json",
            "--staff",
            "M01",
            "--pin",
            "246810",
            "--tz",
            "Asia/Shanghai",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert json.loads(out)["days"][0]["visits"] == 7
    ob = open_outbox(home.outbox_path)
    try:
        assert [a for a, _ in _audit_actions(ob)] == ["signin", "export", "signout"]
    finally:
        ob.close()


@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        # Refused: bad input (2), as every command that signs staff in (issue 14).
        (["--staff", "A01", "--pin", "1234"], 2, "managers only"),
        (["--staff", "M01", "--pin", "0000"], 2, "wrong PIN"),
        (["--staff", "ZZ", "--pin", "0000"], 2, "no staff member"),
        (["--staff", "M01", "--pin", "246810", "--date", "20-11-2025"], 2, "YYYY-MM-DD"),
        (["--staff", "M01", "--pin", "246810", "--from", "2025-11-20"], 2, "go together"),
        (["--staff", "M01", "--pin", "246810", "--tz", "Mars/Base"], 2, "time zone"),
    ],
)
def test_cli_report_refusals_are_one_line(
    home: FixtureDay,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    code: int,
    needle: str,
) -> None:
    assert _cli(["report", "visits", "--tz", "Asia/Shanghai", *argv]) == code
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("clerk: ") and needle in err


def test_cli_pin_from_environment(
    home: FixtureDay, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLERK_PIN", "246810")
    assert (
        _cli(
            [
                "report",
                "visits",
                "--from",
                "2025-11-13",
                "--to",
                "2025-11-20",
                "--format",
                "csv",
                "--staff",
                "M01",
                "--tz",
                "Asia/Shanghai",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.splitlines()[-1].startswith("total,9,")


@pytest.mark.parametrize(
    ("argv", "pin", "needle"),
    [
        ([], None, "needs --staff"),
        (["--staff", "A01"], "1234", "managers only"),
        (["--staff", "M01"], "0000", "wrong PIN"),
        (["--staff", "M01"], None, "a PIN is needed"),
    ],
)
def test_cli_sync_retry_parked_is_for_a_signed_in_manager(
    home: FixtureDay,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    pin: str | None,
    needle: str,
) -> None:
    """``clerk sync --retry-parked`` signs in as every command acting for a person does
    (``staff_session``: a refused sign-in or role is bad input, exit 2); refused, nothing is
    put back and nothing is synced (the whole path against a real hub:
    tests/integration/test_hub_poison.py)."""
    ob = open_outbox(home.outbox_path)
    try:
        _park_two(home, ob)
    finally:
        ob.close()
    if pin is not None:
        monkeypatch.setenv("CLERK_PIN", pin)
    assert _cli(["sync", "--once", "--retry-parked", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("clerk: ") and needle in err, err
    ob = open_outbox(home.outbox_path)
    try:
        assert len(outbox_mod.needs_attention(ob)) == 2
    finally:
        ob.close()


def test_cli_staff_and_pin_only_go_with_retry_parked(
    home: FixtureDay, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(["sync", "--once", "--staff", "M01"]) == 2
    assert "--retry-parked" in capsys.readouterr().err
