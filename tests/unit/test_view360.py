"""The customer 360 from a real (small) demo cache.db and outbox.db."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from clerk import view360
from clerk.cache import apply_changes, open_cache
from clerk.db import Transaction
from clerk.model import Identity, Localised
from clerk.outbox import apply_results, mark_sent, record
from clerk.shared.interactions import Interest, Redeem, Sale
from clerk.shared.phones import phone_bucket
from demoworld import catalogue, world

if TYPE_CHECKING:
    from conftest import DemoDbs

DAY = 86_400
HERO = world.HERO_MEMBER_ID


def put(db: DemoDbs, entity: str, *rows: dict[str, Any]) -> None:
    key = "sku" if entity == "product" else "id"
    with Transaction(db.cache):
        apply_changes(
            db.cache,
            [{"entity": entity, "op": "upsert", "key": str(r[key]), "data": r} for r in rows],
        )


def coupon_row(cid: str, member: str, **kw: Any) -> dict[str, Any]:
    row = {
        "id": cid,
        "member_id": member,
        "title_zh": f"券 {cid}",
        "title_en": f"Coupon {cid}",
        "rule": "amount_off",
        "value": 1_000,
        "min_spend_cents": 0,
        "applies_to": {},
        "valid_from": 0,
        "expires_at": 2**40,
        "state": "live",
        "used_at": None,
    }
    row.update(kw)
    return row


def test_hero_view(demo_dbs: DemoDbs) -> None:
    v = view360.lookup(demo_dbs.cache, demo_dbs.outbox, HERO, now=demo_dbs.now)
    assert v is not None
    p = v.profile
    assert (p.member_id, p.name, p.name_en, p.tier) == (HERO, "林晓雯", "Lin Xiaowen", "gold")
    assert p.phone_masked is not None and "****" in p.phone_masked
    assert p.consent_browsing and p.tags == ("prefers_app", "tech")
    # Talking points: the cart + coupon story first.
    top = v.talking_points[0]
    assert top.rule == "cart_coupon"
    assert top.facts["sku"] == catalogue.HERO_SKU
    assert top.facts["coupon_id"] == world.HERO_COUPON_ID
    assert (top.facts["days_in_cart"], top.facts["days_left"], top.facts["views_7d"]) == (3, 3, 4)
    # Cart line with its best coupon.
    (watch,) = [c for c in v.cart if c.product.sku == catalogue.HERO_SKU]
    assert watch.coupon_id == world.HERO_COUPON_ID
    assert watch.price_cents == 199_900
    # Browsing: grouped by product, most recent first, the watch on top.
    assert v.browsing[0].product.sku == catalogue.HERO_SKU
    assert v.browsing[0].views == 4
    assert v.browsing[0].channels == ("app", "mini", "web")
    lasts = [b.last_seen for b in v.browsing]
    assert lasts == sorted(lasts, reverse=True)
    assert all(b.first_seen <= b.last_seen for b in v.browsing)
    assert len(v.browsing) <= view360.BROWSE_PRODUCTS_LIMIT
    assert {c.id: c.status for c in v.coupons} == {
        "Q0000000101": "expiring",
        "Q0000000102": "usable",
        "Q0000000103": "used",
    }
    assert [e.id for e in v.visits] == ["V0000000100"]
    assert v.freshness.pending == 0
    assert v.as_of == demo_dbs.now


def test_unknown_member_is_none(demo_dbs: DemoDbs) -> None:
    assert view360.lookup(demo_dbs.cache, None, "M99999999", now=demo_dbs.now) is None


def test_browsing_groups_by_product_inside_the_window(demo_dbs: DemoDbs) -> None:
    now = demo_dbs.now
    put(
        demo_dbs,
        "member",
        {
            **world.member_row(world.bundle(demo_dbs.spec, 2).member, demo_dbs.bucket_key),
            "id": "M77777777",
            "code_id": 7,
            "card_no": "7",
            "consent_browsing": 1,
        },
    )
    events = [
        ("HP00001", "app", now - 2 * DAY),
        ("HP00001", "web", now - 1 * DAY),
        ("HP00001", "app", now - 3 * DAY),
        ("SH00001", "mini", now - 10 * DAY),
        ("SH00002", "web", now - 91 * DAY),  # outside 90 days
        ("UNKNOWN1", "app", now - 5 * DAY),  # not in the product cache
    ]
    put(
        demo_dbs,
        "browse",
        *[
            {"id": 9_000_000 + k, "member_id": "M77777777", "sku": s, "channel": c, "at": at}
            for k, (s, c, at) in enumerate(events)
        ],
    )
    v = view360.lookup(demo_dbs.cache, None, "M77777777", now=now)
    assert v is not None
    got = [(b.product.sku, b.views, b.channels, b.first_seen, b.last_seen) for b in v.browsing]
    assert got == [
        ("HP00001", 3, ("app", "web"), now - 3 * DAY, now - DAY),
        ("UNKNOWN1", 1, ("app",), now - 5 * DAY, now - 5 * DAY),
        ("SH00001", 1, ("mini",), now - 10 * DAY, now - 10 * DAY),
    ]
    unknown = v.browsing[1].product
    assert unknown.title == Localised("UNKNOWN1", "UNKNOWN1")
    assert [tp.rule for tp in v.talking_points if tp.rule == "viewed_often"] == ["viewed_often"]
    # A longer retention shows the older product too.
    v = view360.lookup(demo_dbs.cache, None, "M77777777", now=now, browse_days=120)
    assert v is not None and "SH00002" in {b.product.sku for b in v.browsing}


def test_no_browsing_consent_means_no_browsing(demo_dbs: DemoDbs) -> None:
    demo_dbs.cache.execute("UPDATE members SET consent_browsing = 0 WHERE id = ?", (HERO,))
    v = view360.lookup(demo_dbs.cache, demo_dbs.outbox, HERO, now=demo_dbs.now)
    assert v is not None
    assert v.browsing == ()
    assert all(tp.facts.get("views_7d", 0) == 0 for tp in v.talking_points)
    assert all(tp.rule != "viewed_often" for tp in v.talking_points)
    # The cart and coupons are not browsing: they stay.
    assert v.cart and v.coupons and v.talking_points[0].rule == "cart_coupon"


def test_coupon_classification(demo_dbs: DemoDbs) -> None:
    now = demo_dbs.now
    m = "M00000002"
    demo_dbs.cache.execute("DELETE FROM coupons WHERE member_id = ?", (m,))
    put(
        demo_dbs,
        "coupon",
        coupon_row("usable", m, expires_at=now + 7 * DAY + 1),
        coupon_row("expiring", m, expires_at=now + 7 * DAY),
        coupon_row("last_second", m, expires_at=now),
        coupon_row("expired", m, expires_at=now - 1),
        coupon_row("used", m, state="used", used_at=now - DAY),
        coupon_row("future", m, valid_from=now + 1),
        coupon_row("void", m, state="void"),
    )
    v = view360.lookup(demo_dbs.cache, None, m, now=now)
    assert v is not None
    assert [(c.id, c.status) for c in v.coupons] == [
        ("last_second", "expiring"),
        ("expiring", "expiring"),
        ("usable", "usable"),
        ("future", "not_yet_valid"),
        ("used", "used"),
        ("expired", "expired"),
    ]  # a void coupon is not shown
    assert all(not c.pending_redeem for c in v.coupons)


def test_applies_to_and_best_coupon_per_cart_line(demo_dbs: DemoDbs) -> None:
    now = demo_dbs.now
    m = "M00000003"
    for table in ("coupons", "cart_items"):
        demo_dbs.cache.execute(f"DELETE FROM {table} WHERE member_id = ?", (m,))
    put(
        demo_dbs,
        "cart",
        {
            "id": "L1",
            "member_id": m,
            "sku": "SW00001",
            "qty": 1,
            "price_cents": 199_900,
            "added_at": now - DAY,
            "state": "open",
        },
        {
            "id": "L2",
            "member_id": m,
            "sku": "SW00002",
            "qty": 1,
            "price_cents": 100,
            "added_at": now - DAY,
            "state": "bought",
        },
    )
    put(
        demo_dbs,
        "coupon",
        coupon_row("sku", m, value=20_000, applies_to={"skus": ["SW00001"]}),
        coupon_row("cat", m, rule="percent_off", value=5, applies_to={"categories": ["phones"]}),
        coupon_row("all", m, value=5_000),
    )
    v = view360.lookup(demo_dbs.cache, None, m, now=now)
    assert v is not None
    assert [(c.id, c.coupon_id) for c in v.cart] == [("L1", "sku")]  # bought lines not shown
    by_id = {c.id: c for c in v.coupons}
    assert by_id["sku"].skus == ("SW00001",) and by_id["sku"].categories == ()
    assert by_id["cat"].categories == ("phones",) and by_id["all"].skus == ()


def test_outbox_redeem_overlay_follows_the_sync_state(demo_dbs: DemoDbs) -> None:
    db, now = demo_dbs, demo_dbs.now
    rec = record(
        db.outbox,
        "redeem",
        member_id=HERO,
        staff_id="A01",
        payload={"coupon_id": world.HERO_COUPON_ID},
        now=now - 60,
    )

    def hero_coupon() -> tuple[str, bool, int | None, int]:
        v = view360.lookup(db.cache, db.outbox, HERO, now=now)
        assert v is not None
        c = {c.id: c for c in v.coupons}[world.HERO_COUPON_ID]
        return c.status, c.pending_redeem, c.used_at, v.freshness.pending

    assert hero_coupon() == ("used", True, now - 60, 1)
    v = view360.lookup(db.cache, db.outbox, HERO, now=now)
    assert v is not None
    # A coupon being redeemed is not offered again.
    assert all(tp.facts.get("coupon_id") != world.HERO_COUPON_ID for tp in v.talking_points)
    assert {c.id: c.coupon_id for c in v.cart}["C0000000100"] is None
    mark_sent(db.outbox, [rec.id], now=now)
    assert hero_coupon() == ("used", True, now - 60, 1)
    apply_results(db.outbox, [{"id": rec.id, "status": "accepted"}], now=now)
    assert hero_coupon() == ("used", False, now - 60, 0)
    # Rejected by the hub: the redemption did not happen.
    db.outbox.execute("UPDATE interactions SET state = 'rejected' WHERE id = ?", (rec.id,))
    assert hero_coupon() == ("expiring", False, None, 0)
    # A conflict (redeemed elsewhere too): it is used all the same.
    db.outbox.execute("UPDATE interactions SET state = 'conflict' WHERE id = ?", (rec.id,))
    assert hero_coupon()[:2] == ("used", False)


def test_previous_visits_union_outbox_dedupe_and_order(demo_dbs: DemoDbs) -> None:
    db, now = demo_dbs, demo_dbs.now
    note = record(
        db.outbox,
        "note",
        member_id=HERO,
        staff_id="A01",
        payload={"text": "想看蓝色表带"},
        now=now - 100,
    )
    interest = record(
        db.outbox,
        "interest",
        member_id=HERO,
        staff_id="M01",
        payload={"sku": "SW00001"},
        now=now - 50,
    )
    record(
        db.outbox,
        "redeem",
        member_id=HERO,
        staff_id="ZZZ",
        payload={"coupon_id": "Q0000000102"},
        now=now - 10,
    )
    audit_row = {"seq": 1, "action": "view_customer", "prev_hash": "0" * 64, "hash": "1" * 64}
    record(db.outbox, "audit", member_id=HERO, payload=audit_row, now=now - 5)  # not a visit
    record(db.outbox, "note", member_id="M00000002", payload={"text": "x"}, now=now)  # other
    db.outbox.execute("INSERT INTO outbox_meta (key, value) VALUES ('store_name', '上海静安店')")
    v = view360.lookup(db.cache, db.outbox, HERO, now=now)
    assert v is not None
    assert [(e.kind, e.sync_state) for e in v.visits] == [
        ("redeem", "pending"),
        ("interest", "pending"),
        ("note", "pending"),
        ("note", None),
    ]
    redeem, interest_e, note_e, hub_note = v.visits
    # What a record was about travels as its facts, with the titles they name in both
    # languages: a switch of language needs no lookup.
    assert redeem.facts == Redeem(coupon_id="Q0000000102")
    assert redeem.coupon == Localised("耳机 9折", "10% off headphones")  # the coupon's title
    assert redeem.staff_name == "ZZZ"  # unknown staff: the id
    assert interest_e.facts == Interest(sku="SW00001", action="asked_about")
    assert interest_e.products == {"SW00001": Localised("智能手表 S3", "Smartwatch S3")}
    assert interest_e.staff_name == "周建华"
    assert note_e.text == "想看蓝色表带" and note_e.staff_name == "王芳"
    assert note_e.store_name == "上海静安店"
    assert hub_note.id == "V0000000100"
    assert v.freshness.pending == 4  # the audit row counts too: not yet acknowledged
    # Once the hub has it, the pulled visit replaces the local row (same id), no duplicate.
    put(
        db,
        "visit",
        {
            "id": note.id,
            "member_id": HERO,
            "store_id": "S001",
            "store_name": "上海静安店",
            "staff_name": "王芳",
            "kind": "note",
            "text": "想看蓝色表带",
            "at": now - 100,
        },
    )
    v = view360.lookup(db.cache, db.outbox, HERO, now=now)
    assert v is not None
    assert [e.id for e in v.visits].count(note.id) == 1
    assert {e.id: e.sync_state for e in v.visits}[note.id] is None
    assert len(v.visits) == 4
    assert interest.id in {e.id for e in v.visits}


def test_freshness_is_passed_through(demo_dbs: DemoDbs) -> None:
    v = view360.lookup(demo_dbs.cache, None, HERO, now=demo_dbs.now, online=True, last_pull_at=123)
    assert v is not None
    assert (v.freshness.online, v.freshness.last_pull_at, v.freshness.pending) == (True, 123, 0)


def test_resolve_each_identity_kind(demo_dbs: DemoDbs) -> None:
    hero = world.bundle(demo_dbs.spec, 1).member
    e164 = hero["phone"]
    cases = [
        Identity("code", str(hero["code_id"]), "code:x"),
        Identity("card", hero["card_no"], "card:x"),
        _phone(demo_dbs, e164),
        Identity("member_id", HERO, HERO),
    ]
    for identity in cases:
        assert view360.resolve(demo_dbs.cache, identity) == HERO, identity.kind
    misses = [
        Identity("code", "12345", "code:12345"),
        Identity("code", "not-a-number", "code:?"),
        Identity("card", "6200000000000000", "card:x"),
        _phone(demo_dbs, "+8613900000000"),
        Identity("phone", e164, "phone_sealed:x"),  # no bucket: nothing to match by
        Identity("member_id", "M99999999", "M99999999"),
    ]
    for identity in misses:
        assert view360.resolve(demo_dbs.cache, identity) is None, identity


def _phone(db: DemoDbs, e164: str) -> Identity:
    return Identity("phone", e164, "phone_sealed:x", phone_bucket=phone_bucket(db.bucket_key, e164))


def test_a_phone_that_fits_several_members_resolves_to_none_of_them(demo_dbs: DemoDbs) -> None:
    """The cache knows a phone's last four digits and 8-bit bucket: when two members share
    them, resolve picks neither and the candidates are listed, most recently seen first."""
    hero = world.bundle(demo_dbs.spec, 1).member
    twin = {
        **world.member_row(world.bundle(demo_dbs.spec, 2).member, demo_dbs.bucket_key),
        "id": "M77777777",
        "code_id": 7,
        "card_no": "7",
        "last_seen": 10**10,
    }
    twin["phone_last4"] = hero["phone"][-4:]
    twin["phone_bucket"] = phone_bucket(demo_dbs.bucket_key, hero["phone"])
    put(demo_dbs, "member", twin)
    identity = _phone(demo_dbs, hero["phone"])
    assert view360.resolve(demo_dbs.cache, identity) is None
    found = view360.phone_candidates(demo_dbs.cache, identity)
    assert [c.member_id for c in found] == ["M77777777", HERO]
    assert all(c.phone_masked and c.phone_masked.startswith("*******") for c in found)


# --- every query is index-driven ---------------------------------------------------------------

EXPECTED_INDEX = {
    "member": "sqlite_autoindex_members_1",
    "browse": "browse_member_at",
    "cart": "cart_member",
    "coupons": "coupons_member",
    "visits": "visits_member_at",
    "products": "sqlite_autoindex_products_1",
    "orders": "orders_member",
    "bought": "orders_member",
    "resolve_code": "members_code_id",
    "resolve_card": "members_card_no",
    "resolve_phone": "members_phone",
    "outbox": "interactions_member",
}


def test_every_360_query_uses_its_index(demo_dbs: DemoDbs) -> None:
    plan = view360.explain(demo_dbs.cache, HERO, demo_dbs.outbox, now=demo_dbs.now)
    assert view360.scans(plan) == []
    for query, index in EXPECTED_INDEX.items():
        steps = [line for line in plan if line.startswith(f"{query}: ")]
        assert any(f"INDEX {index} " in s for s in steps), (query, steps)


@pytest.mark.parametrize(
    "index, table",
    [
        ("cart_member", "cart_items"),
        ("coupons_member", "coupons"),
        ("visits_member_at", "visits"),
        ("browse_member_at", "browse_events"),
    ],
)
def test_the_plan_check_fails_when_an_index_is_dropped(
    demo_dbs: DemoDbs, tmp_path: Path, index: str, table: str
) -> None:
    copy = tmp_path / "copy.db"
    demo_dbs.cache.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(demo_dbs.cache_path, copy)
    conn = open_cache(copy)
    try:
        conn.execute(f"DROP INDEX {index}")  # no other index to fall back on (browse_at: m014)
        plan = view360.explain(conn, HERO, now=demo_dbs.now)
        assert any(table in line for line in view360.scans(plan)), plan
        # and the lookup still answers (just slower)
        assert view360.lookup(conn, None, HERO, now=demo_dbs.now) is not None
    finally:
        conn.close()


def test_hub_reason_reaches_the_visit_history(demo_dbs: DemoDbs) -> None:
    rec = record(
        demo_dbs.outbox,
        "redeem",
        member_id=HERO,
        payload={"coupon_id": world.HERO_COUPON_ID},
        now=demo_dbs.now,
    )
    apply_results(
        demo_dbs.outbox,
        [{"id": rec.id, "status": "conflict", "reason": "coupon_already_redeemed"}],
        now=demo_dbs.now,
    )
    v = view360.lookup(demo_dbs.cache, demo_dbs.outbox, HERO, now=demo_dbs.now)
    assert v is not None
    (entry,) = [e for e in v.visits if e.id == rec.id]
    assert (entry.sync_state, entry.sync_reason) == ("conflict", "coupon_already_redeemed")


def test_hub_history_rows_carry_their_facts_and_the_titles_they_name(demo_dbs: DemoDbs) -> None:
    db, now = demo_dbs, demo_dbs.now
    line = {"sku": "SW00001", "qty": 2, "price_cents": 199_900}
    row = {"member_id": HERO, "store_id": "S002", "store_name": "二店", "staff_name": "李静"}
    put(
        db,
        "visit",
        {
            **row,
            "id": "H1",
            "kind": "sale",
            "text": "gift",
            "at": now - 30,
            "facts": {"items": [line], "amount_cents": 379_800, "cart_item_ids": []},
        },
        {
            **row,
            "id": "H2",
            "kind": "redeem",
            "text": None,
            "at": now - 20,
            "facts": {"coupon_id": "Q0000000102"},
        },
        # written by a hub before it kept facts: prose, nothing to read
        {
            **row,
            "id": "H3",
            "kind": "interest",
            "text": "智能手表 S3 (SW00001)",
            "at": now - 10,
            "facts": {},
        },
    )
    v = view360.lookup(db.cache, db.outbox, HERO, now=now)
    assert v is not None
    by_id = {e.id: e for e in v.visits}
    sale = by_id["H1"]
    assert isinstance(sale.facts, Sale) and sale.facts.count == 2
    assert (sale.text, sale.facts.amount_cents, sale.sync_state) == ("gift", 379_800, None)
    assert sale.products == {"SW00001": Localised("智能手表 S3", "Smartwatch S3")}
    assert by_id["H2"].coupon == Localised("耳机 9折", "10% off headphones")
    assert (by_id["H3"].facts, by_id["H3"].text, by_id["H3"].products) == (None, None, {})


def order_row(oid: str, member: str, at: int, **kw: Any) -> dict[str, Any]:
    row = {
        "id": oid,
        "member_id": member,
        "total_cents": 29_900,
        "state": "completed",
        "items": [{"sku": "SW00001", "qty": 1, "price_cents": 29_900}],
        "at": at,
        "refunded_at": None,
    }
    row.update(kw)
    return row


def test_orders_online_and_in_store_with_returns(demo_dbs: DemoDbs) -> None:
    db, now = demo_dbs, demo_dbs.now
    m = "M00000002"
    put(
        db,
        "order",
        order_row("O-new", m, now - 3 * DAY),
        order_row("O-ret", m, now - 40 * DAY, state="refunded", refunded_at=now - 30 * DAY),
        order_row("O-old", m, now - 400 * DAY),  # over 12 months: not shown
        order_row("O-other", "M00000003", now - DAY),  # another member's
        order_row(
            "O-only",  # a product the member never browsed nor carted: its title still
            m,
            now - 2 * DAY,
            items=[{"sku": "HP00001", "qty": 1, "price_cents": 100}],
        ),
    )
    put(
        db,
        "visit",
        {
            "id": "V-sale",
            "member_id": m,
            "store_id": "S001",
            "store_name": "上海静安店",
            "kind": "sale",
            "facts": {
                "items": [{"sku": "SW00001", "qty": 2, "price_cents": 100}],
                "amount_cents": 180,
            },
            "at": now - 10 * DAY,
        },
    )
    local = record(
        db.outbox,
        "sale",
        member_id=m,
        staff_id="A01",
        payload=Sale.of([("SW00001", 1, 500)], 500),
        now=now - 60,
    )
    gone = record(
        db.outbox, "sale", member_id=m, staff_id="A01", payload=Sale.of([("X", 1, 1)], 1), now=now
    )
    db.outbox.execute("UPDATE interactions SET state = 'rejected' WHERE id = ?", (gone.id,))
    v = view360.lookup(db.cache, db.outbox, m, now=now)
    assert v is not None
    only = {o.id: o for o in v.orders}.pop("O-only")
    assert only.lines[0].product.title.en != "HP00001"  # the catalogue's title, not the sku
    assert [(o.id, o.channel, o.state) for o in v.orders if o.id != "O-only"] == [
        (local.id, "store", "completed"),
        ("O-new", "online", "completed"),
        ("V-sale", "store", "completed"),
        ("O-ret", "online", "refunded"),
    ]
    mine, online, sale, returned = (o for o in v.orders if o.id != "O-only")
    assert mine.sync_state == "pending" and mine.total_cents == 500
    assert online.total_cents == 29_900 and online.sync_state is None
    assert online.lines[0].product.title == Localised("智能手表 S3", "Smartwatch S3")
    assert (sale.store_name, sale.total_cents, sale.lines[0].qty) == ("上海静安店", 180, 2)
    assert returned.returned and returned.refunded_at == now - 30 * DAY
    # Once the hub has the sale, it is one order (the hub's row), not two.
    put(
        db,
        "visit",
        {
            "id": local.id,
            "member_id": m,
            "kind": "sale",
            "at": now - 60,
            "facts": dict(
                items=[{"sku": "SW00001", "qty": 1, "price_cents": 500}], amount_cents=500
            ),
        },
    )
    v = view360.lookup(db.cache, db.outbox, m, now=now)
    assert v is not None
    assert [o.id for o in v.orders].count(local.id) == 1
    assert {o.id: o.sync_state for o in v.orders}[local.id] is None


def test_wishlist_newest_first(demo_dbs: DemoDbs) -> None:
    db, now = demo_dbs, demo_dbs.now
    m = "M00000002"
    put(
        db,
        "wishlist",
        {"id": "W1", "member_id": m, "sku": "SW00001", "added_at": now - 5 * DAY},
        {"id": "W2", "member_id": m, "sku": "NOPE", "added_at": now - DAY},
    )
    v = view360.lookup(db.cache, None, m, now=now)
    assert v is not None
    assert [(w.id, w.product.sku) for w in v.wishlist] == [("W2", "NOPE"), ("W1", "SW00001")]
    assert v.wishlist[0].product.title == Localised("NOPE", "NOPE")  # unknown: its sku
    assert v.wishlist[1].product.title.en == "Smartwatch S3"


def test_the_newest_consent_wording_in_force(demo_dbs: DemoDbs) -> None:
    db, now = demo_dbs, demo_dbs.now

    def text(purpose: str, version: str, at: int) -> dict[str, Any]:
        return {
            "id": f"{purpose}:{version}",
            "purpose": purpose,
            "version": version,
            "text_zh": f"同意 {version}",
            "text_en": f"I agree {version}",
            "effective_at": at,
        }

    put(
        db,
        "consent_text",
        text("marketing", "1", 0),
        text("marketing", "2", now - DAY),
        text("marketing", "3", now + DAY),  # not yet in force
        text("browsing", "1", 0),
    )
    v = view360.lookup(db.cache, None, HERO, now=now)
    assert v is not None
    assert {(t.purpose, t.version, t.text.en) for t in v.consent_texts} == {
        ("marketing", "2", "I agree 2"),
        ("browsing", "1", "I agree 1"),
    }
