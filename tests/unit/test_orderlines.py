"""clerk.orderlines: an order's lines kept compact in cache.db — what the customer view shows of
them survives the round trip, the rest is dropped, and the text is much smaller."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from clerk import orderlines, view360
from clerk.cache import apply_changes
from clerk.db import Transaction
from clerk.model import Localised

if TYPE_CHECKING:
    from conftest import DemoDbs

DAY = 86_400
WIRE = [
    {"sku": "SW00001", "qty": 2, "price_cents": 199_900},
    {"sku": "ZZ-NOT-SOLD", "qty": 1, "price_cents": 990, "name": "绑带"},
    {"sku": "HP00001", "qty": 1, "price_cents": 0},
]


def test_round_trip_keeps_sku_qty_and_price_in_order() -> None:
    text = orderlines.compact(WIRE)
    assert json.loads(text) == [
        ["SW00001", 2, 199_900],
        ["ZZ-NOT-SOLD", 1, 990],
        ["HP00001", 1, 0],
    ]
    assert orderlines.lines(text) == [(w["sku"], w["qty"], w["price_cents"]) for w in WIRE]
    assert orderlines.skus(text) == ["SW00001", "ZZ-NOT-SOLD", "HP00001"]


def test_json_text_and_compact_lines_give_the_same_text() -> None:
    text = orderlines.compact(WIRE)
    assert orderlines.compact(json.dumps(WIRE)) == text  # the wire's JSON as text
    assert orderlines.compact(text) == text  # idempotent: already compact
    assert orderlines.compact(json.loads(text)) == text


def test_half_the_bytes_or_less() -> None:
    wire = json.dumps(WIRE[:1], separators=(",", ":"))
    assert len(orderlines.compact(WIRE[:1])) * 2 <= len(wire)


def test_odd_lines_as_the_view_read_them() -> None:
    text = orderlines.compact(
        [
            {"qty": 1, "price_cents": 5},  # no sku: dropped
            {"sku": 7, "qty": 1},  # not a text sku: dropped
            {"sku": "A", "qty": True, "price_cents": "12"},  # qty 1, price 0
            {"sku": "B"},
            ["C", 3, 4],
            ["D", 1],  # not a line
            "E",
        ]
    )
    assert orderlines.lines(text) == [("A", 1, 0), ("B", 1, 0), ("C", 3, 4)]


def test_text_that_holds_no_lines() -> None:
    for value in (None, "", "not json", "{}", '{"sku": "A"}', 42, {"sku": "A"}):
        assert orderlines.compact(value) == "[]"
    for text in (None, "", "not json", "{}", '[{"sku": "A", "qty": 1, "price_cents": 1}]'):
        assert orderlines.lines(text) == []


def order(oid: str, member: str, at: int, items: Any, **kw: Any) -> dict[str, Any]:
    row = {
        "id": oid,
        "member_id": member,
        "total_cents": 1_000,
        "state": "completed",
        "items": items,
        "at": at,
        "refunded_at": None,
    }
    row.update(kw)
    return row


def test_applied_compact_and_shown_whole(demo_dbs: DemoDbs) -> None:
    db, now, m = demo_dbs, demo_dbs.now, "M00000002"
    rows = [
        order("O-1", m, now - 3 * DAY, WIRE),
        order(
            "O-2",
            m,
            now - 40 * DAY,
            json.dumps(WIRE[:1]),  # a hub that sends the lines as text
            state="refunded",
            refunded_at=now - 30 * DAY,
        ),
    ]
    with Transaction(db.cache):
        apply_changes(
            db.cache, [{"entity": "order", "op": "upsert", "key": r["id"], "data": r} for r in rows]
        )
    stored = dict(db.cache.execute("SELECT id, items FROM orders WHERE member_id = ?", (m,)))
    assert stored == {"O-1": orderlines.compact(WIRE), "O-2": orderlines.compact(WIRE[:1])}
    # A return stays a return: its state and refund time are other columns, untouched.
    ret = db.cache.execute(
        "SELECT state, refunded_at, total_cents FROM orders WHERE id = 'O-2'"
    ).fetchone()
    assert tuple(ret) == ("refunded", now - 30 * DAY, 1_000)

    v = view360.lookup(db.cache, db.outbox, m, now=now)
    assert v is not None
    by_id = {o.id: o for o in v.orders}
    lines = by_id["O-1"].lines
    assert [(li.product.sku, li.qty, li.price_cents) for li in lines] == [
        ("SW00001", 2, 199_900),
        ("ZZ-NOT-SOLD", 1, 990),
        ("HP00001", 1, 0),
    ]
    # Titles come from the catalogue; a product it lacks still shows its sku.
    assert lines[0].product.title == Localised("智能手表 S3", "Smartwatch S3")
    assert lines[1].product.title == Localised("ZZ-NOT-SOLD", "ZZ-NOT-SOLD")
    assert lines[2].product.title.en not in ("", "HP00001")
    returned = by_id["O-2"]
    assert (returned.state, returned.returned, returned.refunded_at) == (
        "refunded",
        True,
        now - 30 * DAY,
    )
    assert [li.product.sku for li in returned.lines] == ["SW00001"]
