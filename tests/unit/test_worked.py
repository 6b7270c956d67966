"""Did it work? The talking points a scan showed are recorded with its visit (in the scan's
one transaction), and the day's figures say, per kind, how many of the visits that showed it
had a sale or a redemption — against a day worked out by hand."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clerk import outbox as outbox_mod
from clerk import view360
from clerk.cache import apply_changes, open_cache
from clerk.model import Identity
from clerk.outbox import open_outbox
from clerk.reports import kpis
from clerk.reports.model import Worked
from clerk.shared.interactions import InvalidInteraction, validate
from clerk.terminal import Terminal
from demoworld.home import build_home

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2025, 11, 20)


def at(h: int, m: int = 0) -> int:
    return int(datetime(DAY.year, DAY.month, DAY.day, h, m, tzinfo=TZ).timestamp())


@pytest.fixture
def files(tmp_path: Path) -> Iterator[tuple[sqlite3.Connection, sqlite3.Connection]]:
    cache = open_cache(tmp_path / "cache.db")
    outbox = open_outbox(tmp_path / "outbox.db")
    yield cache, outbox
    cache.close()
    outbox.close()


def test_did_it_work_against_a_hand_computed_day(
    files: tuple[sqlite3.Connection, sqlite3.Connection],
) -> None:
    cache, outbox = files

    def rec(kind: str, member: str, when: int, **payload: object) -> None:
        outbox_mod.record(outbox, kind, member_id=member, payload=payload, now=when)

    rec("visit", "M1", at(10), via="card", shown=["cart_coupon", "offer:bought_with"])
    rec("sale", "M1", at(10, 5), items=[{"sku": "S", "qty": 1, "price_cents": 100}],
        amount_cents=100)  # fmt: skip
    rec("visit", "M2", at(11), via="card", shown=["cart_coupon"])
    rec("note", "M2", at(11, 3), text="just looking")  # no sale: did not work
    rec("visit", "M3", at(12), via="code", shown=["offer:bought_with", "viewed_often"])
    rec("points_redeem", "M3", at(12, 10), points=500)  # a redemption: it worked
    rec("visit", "M4", at(13), via="card")  # nothing shown: not counted
    rec("sale", "M4", at(13, 2), items=[{"sku": "S", "qty": 1, "price_cents": 100}],
        amount_cents=100)  # fmt: skip
    rec(
        "sale", "M1", at(15), items=[{"sku": "S", "qty": 1, "price_cents": 100}], amount_cents=100
    )  # fmt: skip  (M1's visit again: still one visit that worked)
    # Another terminal's visit and coupon redemption, as the hub's rows in the cache.
    apply_changes(
        cache,
        [
            {
                "entity": "visit",
                "op": "upsert",
                "key": vid,
                "data": {
                    "id": vid,
                    "member_id": "M5",
                    "store_id": "S001",
                    "staff_id": "A02",
                    "staff_name": "陈浩然",
                    "kind": kind,
                    "facts": facts,
                    "at": when,
                },
            }
            for vid, kind, facts, when in (
                ("V5", "visit", {"via": "card", "shown": ["viewed_often"]}, at(14)),
                ("V6", "redeem", {"coupon_id": "Q1"}, at(14, 5)),
            )
        ],
    )
    cache.commit()
    summary = kpis.day_summary(cache, outbox, DAY, TZ, "S001")
    # Shown: M1 (cart_coupon, offer), M2 (cart_coupon), M3 (offer, viewed_often), M5
    # (viewed_often) — four visits; followed by a sale or redemption: M1, M3, M5.
    assert summary.worked == (
        Worked("*", 4, 3),
        Worked("cart_coupon", 2, 1),
        Worked("offer:bought_with", 2, 2),
        Worked("viewed_often", 2, 2),
    )
    assert summary.worked[1].rate == 0.5


def test_shown_is_bounded_and_spelled_as_kinds() -> None:
    assert validate("visit", {"shown": ["offer:bought_with"]})
    with pytest.raises(InvalidInteraction) as bad:
        validate("visit", {"shown": ["Cart coupon!"]})
    assert bad.value.reason == "bad_format"
    with pytest.raises(InvalidInteraction) as many:
        validate("visit", {"shown": ["a"] * 17})
    assert many.value.reason == "too_many"


def test_a_scan_records_what_it_shows_with_its_visit(tmp_path: Path) -> None:
    home = build_home(tmp_path / "home", members=10, seed=42, products=200)
    terminal = Terminal(home.home, clock=lambda: home.now)
    try:
        statements: list[str] = []
        terminal.outbox.set_trace_callback(statements.append)
        card = home.cards[home.hero]  # the hero: a cart, coupons, browsing — things to say
        opened = terminal.open_customer(Identity("card", card, f"card:{card}"), "A01")
        assert opened.visit is not None and opened.view is not None
        shown = view360.shown(opened.view)
        assert shown and opened.visit.payload["shown"] == list(shown)
        # The view returned is shaped with the visit: first in the history, pending sync.
        assert opened.view.visits[0].id == opened.visit.id
        assert opened.view.visits[0].sync_state == "pending"
        assert opened.view.freshness.pending >= 1
        # One transaction for the visit and the view's audit row: one commit, one fsync.
        assert [s for s in statements if s.strip().upper().startswith("COMMIT")] == ["COMMIT"]
    finally:
        terminal.close()
