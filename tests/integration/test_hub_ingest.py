"""Interaction ingest: idempotency, conflicts, rejections, and their effects on the feed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hub_client import make_interaction, pull_changes

from clerk.shared import interactions
from clerk.shared.money import MAX_CENTS
from demoworld import catalogue, world
from sync.hub import ingest
from sync.hub.embedded import HubHandle


@pytest.fixture
def two_terminals(any_hub: HubHandle) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """Two enrolled terminals of the demo store S001."""
    a = any_hub.client(any_hub.enrol("S001", "counter-1")["token"])
    b = any_hub.client(any_hub.enrol("S001", "handheld-2")["token"])
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def push(client: httpx.Client, *items: dict[str, Any]) -> list[dict[str, Any]]:
    resp = client.post("/v1/interactions", json={"interactions": list(items)})
    assert resp.status_code == 200, resp.text
    results: list[dict[str, Any]] = resp.json()["results"]
    assert [r["id"] for r in results] == [i["id"] for i in items]
    return results


def count(hub: HubHandle, sql: str, *params: Any) -> int:
    with hub.store.read() as conn:
        return int(conn.scalar(sql, params))


def test_replay_gets_identical_answers_and_one_row(
    any_hub: HubHandle, two_terminals: tuple[httpx.Client, httpx.Client]
) -> None:
    a, _b = two_terminals
    batch = {
        "interactions": [
            make_interaction("visit", device_seq=1, text="walk-in"),
            make_interaction("note", device_seq=2, text="prefers blue straps"),
            make_interaction("redeem", device_seq=3, coupon_id=world.HERO_COUPON_ID),
            make_interaction("note", "M99999999", device_seq=4, text="ghost"),
        ]
    }
    first = a.post("/v1/interactions", json=batch)
    second = a.post("/v1/interactions", json=batch)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content  # byte for byte
    statuses = [r["status"] for r in first.json()["results"]]
    assert statuses == ["accepted", "accepted", "accepted", "rejected"]
    ids = [i["id"] for i in batch["interactions"]]
    for i in ids:
        assert count(any_hub, "SELECT count(*) FROM interactions WHERE id = ?", i) == 1
    assert count(any_hub, "SELECT count(*) FROM visits WHERE id IN (?, ?)", ids[0], ids[1]) == 2


def test_known_id_with_other_content_is_rejected(
    any_hub: HubHandle, two_terminals: tuple[httpx.Client, httpx.Client]
) -> None:
    a, _b = two_terminals
    item = make_interaction("note", device_seq=1, text="first")
    assert push(a, item)[0]["status"] == "accepted"
    changed = {**item, "payload": {"text": "second"}}
    result = push(a, changed)[0]
    assert result == {
        "id": item["id"],
        "status": "rejected",
        "reason": "id_reused",
        "conflict_with": None,
    }
    with any_hub.store.read() as conn:
        assert conn.scalar("SELECT text FROM visits WHERE id = ?", (item["id"],)) == "first"


def test_conflicting_redeem_from_two_devices_keeps_both(
    any_hub: HubHandle, two_terminals: tuple[httpx.Client, httpx.Client]
) -> None:
    a, b = two_terminals
    _feed, cursor = pull_changes(a)
    first = make_interaction("redeem", device_seq=1, coupon_id=world.HERO_COUPON_ID)
    second = make_interaction(
        "redeem", device_seq=1, staff_id="A02", coupon_id=world.HERO_COUPON_ID
    )
    assert push(a, first)[0] == {
        "id": first["id"],
        "status": "accepted",
        "reason": None,
        "conflict_with": None,
    }
    res = push(b, second)[0]
    assert res["status"] == "conflict"
    assert res["conflict_with"] == first["id"]
    assert res["reason"] == "coupon_already_used"
    # Both kept; the coupon names the first redemption.
    assert (
        count(
            any_hub,
            "SELECT count(*) FROM interactions WHERE id IN (?, ?)",
            first["id"],
            second["id"],
        )
        == 2
    )
    with any_hub.store.read() as conn:
        assert conn.row(
            "SELECT state, used_by FROM coupons WHERE id = ?", (world.HERO_COUPON_ID,)
        ) == ("used", first["id"])
    # Managers see the conflict; every terminal of the store gets the used coupon.
    conflicts = a.get("/v1/conflicts").json()["conflicts"]
    assert [(c["id"], c["conflict_with"]) for c in conflicts] == [(second["id"], first["id"])]
    after, _ = pull_changes(b, since=cursor)
    coupon = [c for c in after if c["entity"] == "coupon"]
    assert [c["key"] for c in coupon] == [world.HERO_COUPON_ID]
    assert coupon[0]["data"]["state"] == "used"
    # Only a manager may decide (the hub checks the role) …
    by_associate = make_interaction(
        "resolve", None, staff_id="A01", conflict_id=second["id"], decision="accept"
    )
    assert push(a, by_associate)[0]["reason"] == "staff_role"
    assert len(a.get("/v1/conflicts").json()["conflicts"]) == 1
    # … and a manager's resolve takes it off the list.
    resolve = make_interaction(
        "resolve", None, staff_id="M01", conflict_id=second["id"], decision="accept"
    )
    assert push(a, resolve)[0]["status"] == "accepted"
    assert a.get("/v1/conflicts").json()["conflicts"] == []
    assert len(a.get("/v1/conflicts", params={"include_resolved": True}).json()["conflicts"]) == 1


def test_rejected_items_do_not_block_the_ones_behind(
    any_hub: HubHandle, two_terminals: tuple[httpx.Client, httpx.Client]
) -> None:
    a, _b = two_terminals
    other_coupon = world.bundle(world.WorldSpec(members=200, seed=1, now=0), 3).coupons[0]["id"]
    items = [
        make_interaction("visit", "M99999999", device_seq=1),
        make_interaction("redeem", device_seq=2, coupon_id="NOPE"),
        make_interaction("redeem", device_seq=3, coupon_id=other_coupon),
        make_interaction("note", device_seq=4, text=""),
        make_interaction("consent", device_seq=5, marketing="yes"),
        make_interaction(
            "sale",
            device_seq=6,
            items=[{"sku": "SW00001", "qty": 0, "price_cents": 1}],
            amount_cents=1,
        ),
        {**make_interaction("visit", device_seq=7), "kind": "teleport"},
        make_interaction("visit", device_seq=8, text="served at the counter"),
    ]
    results = push(a, *items)
    assert [(r["status"], r["reason"]) for r in results] == [
        ("rejected", "unknown_member"),
        ("rejected", "unknown_coupon"),
        ("rejected", "coupon_not_member"),
        ("rejected", "bad_payload"),
        ("rejected", "bad_payload"),
        ("rejected", "bad_payload"),
        ("rejected", "bad_item"),
        ("accepted", None),
    ]
    with any_hub.store.read() as conn:
        assert conn.scalar("SELECT text FROM visits WHERE id = ?", (items[-1]["id"],)) == (
            "served at the counter"
        )


def test_visit_sale_and_consent_reach_every_terminal_of_the_store(
    any_hub: HubHandle, two_terminals: tuple[httpx.Client, httpx.Client]
) -> None:
    a, b = two_terminals
    _feed, cursor = pull_changes(b)
    hero = any_hub.store.members.view("M00000001")
    cart_id = next(c["id"] for c in hero["cart"] if c["state"] == "open")
    sale = make_interaction(
        "sale",
        device_seq=1,
        items=[{"sku": catalogue.HERO_SKU, "qty": 1, "price_cents": 199900}],
        amount_cents=179900,
        cart_item_ids=[cart_id],
    )
    interest = make_interaction(
        "interest", device_seq=2, sku=catalogue.HERO_SKU, text="strap colours"
    )
    assert [r["status"] for r in push(a, sale, interest)] == ["accepted"] * 2
    after, cursor = pull_changes(b, since=cursor)
    by_key = {(c["entity"], c["key"]): c for c in after}
    visit = by_key[("visit", sale["id"])]["data"]
    assert visit["kind"] == "sale" and visit["store_name"] == "上海静安店"
    assert visit["staff_name"] == "王芳" and visit["at"] == sale["created_at"]
    # the facts as fields, never prose
    assert (visit["staff_id"], visit["text"]) == ("A01", None)
    assert visit["facts"] == {
        "items": [{"sku": catalogue.HERO_SKU, "qty": 1, "price_cents": 199900}],
        "amount_cents": 179900,
        "cart_item_ids": [cart_id],
    }
    asked = by_key[("visit", interest["id"])]["data"]
    assert (asked["kind"], asked["text"]) == ("interest", "strap colours")
    assert asked["facts"] == {"sku": catalogue.HERO_SKU, "action": "asked_about"}
    assert by_key[("cart", cart_id)]["data"]["state"] == "bought"
    consent = make_interaction("consent", device_seq=3, browsing=False)
    assert [r["status"] for r in push(a, consent)] == ["accepted"]
    after, _ = pull_changes(b, since=cursor)
    by_key = {(c["entity"], c["key"]): c for c in after}
    changed = by_key[("visit", consent["id"])]["data"]
    assert (changed["kind"], changed["facts"]) == ("consent", {"browsing": False})
    assert by_key[("member", "M00000001")]["data"]["consent_browsing"] == 0
    # Without browsing consent the member's cart no longer leaves the hub: terminals drop it.
    assert by_key[("cart", cart_id)]["op"] == "delete"


def test_member_ref_resolves_members_not_in_the_cache(
    any_hub: HubHandle, two_terminals: tuple[httpx.Client, httpx.Client]
) -> None:
    a, _b = two_terminals
    member = any_hub.store.members.view("M00000005")["member"]
    by_card = make_interaction("visit", None, member_ref=f"card:{member['card_no']}")
    by_code = make_interaction("visit", None, member_ref=f"code:{member['code_id']}")
    by_masked_phone = make_interaction("visit", None, member_ref="phone:138****5678")
    results = push(a, by_card, by_code, by_masked_phone)
    assert [r["status"] for r in results] == ["accepted", "accepted", "rejected"]
    with any_hub.store.read() as conn:
        rows = conn.rows(
            "SELECT member_id FROM visits WHERE id IN (?, ?)", (by_card["id"], by_code["id"])
        )
    assert rows == [("M00000005",), ("M00000005",)]


def test_cloned_terminal_device_seq_reuse_is_a_duplicate(
    any_hub: HubHandle, two_terminals: tuple[httpx.Client, httpx.Client]
) -> None:
    a, _b = two_terminals
    original = make_interaction("note", device_seq=42, text="original")
    clone = make_interaction("note", device_seq=42, text="from a restored backup")
    assert push(a, original)[0]["status"] == "accepted"
    res = push(a, clone)[0]
    assert (res["status"], res["reason"], res["conflict_with"]) == (
        "duplicate",
        "device_seq_reused",
        original["id"],
    )
    assert count(any_hub, "SELECT count(*) FROM interactions WHERE id = ?", clone["id"]) == 1
    assert count(any_hub, "SELECT count(*) FROM visits WHERE id = ?", clone["id"]) == 0
    assert clone["id"] in {c["id"] for c in a.get("/v1/conflicts").json()["conflicts"]}


def test_member_code_jti_seen_on_two_devices_is_flagged(
    any_hub: HubHandle, two_terminals: tuple[httpx.Client, httpx.Client]
) -> None:
    a, b = two_terminals
    jti = "a1b2c3d4e5f6"
    first = push(a, make_interaction("visit", jti=jti))[0]
    again_same_device = push(a, make_interaction("visit", jti=jti))[0]
    elsewhere = push(b, make_interaction("visit", jti=jti))[0]
    assert (first["status"], first["reason"]) == ("accepted", None)
    assert (again_same_device["status"], again_same_device["reason"]) == ("accepted", None)
    assert (elsewhere["status"], elsewhere["reason"]) == ("accepted", "jti_seen_elsewhere")
    flags = any_hub.store.interactions.jti_flags("S001")
    assert {f["jti"] for f in flags} == {jti} and len(flags) == 2


def test_batch_envelope_errors_are_422_problems(
    two_terminals: tuple[httpx.Client, httpx.Client],
) -> None:
    a, _b = two_terminals
    for body in (
        b"{not json",
        b"[]",
        b'{"interactions": []}',
        b'{"interactions": [{"kind": 1}]}',
        b"\xff\xfe",
        b'{"interactions": ' + b"[" + b"{}," * 500 + b"{}]}",
    ):
        resp = a.post(
            "/v1/interactions", content=body, headers={"content-type": "application/json"}
        )
        assert resp.status_code == 422, body[:40]
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["status"] == 422


def test_a_redemption_has_its_history_row_a_conflicting_one_none(
    any_hub: HubHandle, two_terminals: tuple[httpx.Client, httpx.Client]
) -> None:
    a, b = two_terminals
    first = make_interaction("redeem", device_seq=1, coupon_id=world.HERO_COUPON_ID)
    second = make_interaction("redeem", device_seq=1, coupon_id=world.HERO_COUPON_ID)
    assert push(a, first)[0]["status"] == "accepted"
    assert push(b, second)[0]["status"] == "conflict"
    with any_hub.store.read() as conn:
        rows = conn.rows(
            "SELECT id, kind, staff_id, text, facts FROM visits WHERE id IN (?, ?)",
            (first["id"], second["id"]),
        )
    assert [(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in rows] == [
        (first["id"], "redeem", "A01", None, {"coupon_id": world.HERO_COUPON_ID})
    ]


def test_a_malformed_payload_is_answered_after_the_checks_before_it_and_idempotently(
    any_hub: HubHandle, two_terminals: tuple[httpx.Client, httpx.Client]
) -> None:
    a, _b = two_terminals
    # the member is checked before the payload (as before the schema validated payloads)
    ghost = make_interaction("note", "M99999999", device_seq=1, text="")
    bad = make_interaction("sale", device_seq=2, items=[], amount_cents=100)
    assert [(r["status"], r["reason"]) for r in push(a, ghost, bad)] == [
        ("rejected", "unknown_member"),
        ("rejected", "bad_payload"),
    ]
    # stored, so a repeat gets the stored answer and the id cannot be reused for a good one
    assert push(a, bad)[0]["reason"] == "bad_payload"
    fixed = {**bad, "payload": {**bad["payload"], "items": [{"sku": "SW00001", "qty": 1}]}}
    assert push(a, fixed)[0]["reason"] == "id_reused"
    assert count(any_hub, "SELECT count(*) FROM interactions WHERE id = ?", bad["id"]) == 1
    assert count(any_hub, "SELECT count(*) FROM visits WHERE id = ?", bad["id"]) == 0


def test_unknown_fields_are_ignored_and_the_payload_is_kept_as_sent(
    any_hub: HubHandle, two_terminals: tuple[httpx.Client, httpx.Client]
) -> None:
    a, _b = two_terminals
    note = make_interaction("note", device_seq=1, text="likes blue", mood="happy")
    first = a.post("/v1/interactions", json={"interactions": [note]})
    again = a.post("/v1/interactions", json={"interactions": [note]})
    assert first.json()["results"][0]["status"] == "accepted"
    assert first.content == again.content
    with any_hub.store.read() as conn:
        stored = conn.scalar("SELECT payload FROM interactions WHERE id = ?", (note["id"],))
        facts = conn.scalar("SELECT facts FROM visits WHERE id = ?", (note["id"],))
    assert json.loads(stored) == {"text": "likes blue", "mood": "happy"}  # as sent (hashed)
    assert json.loads(facts) == {}  # the history keeps the note's own fields only


def _boundaries() -> list[tuple[str, str, dict[str, Any], bool]]:
    """(case, kind, payload, valid) at every bound of the vocabulary: empty, the longest or
    largest allowed, one over — and the types a JSON client could send instead."""
    line = {"sku": "SW00001", "qty": 1, "price_cents": 100}
    sale = {"items": [line], "amount_cents": 100}
    text, ident = interactions.MAX_TEXT, interactions.MAX_ID
    cases: list[tuple[str, str, dict[str, Any], bool]] = [
        ("visit, nothing", "visit", {}, True),
        ("visit, longest remark", "visit", {"text": "v" * text}, True),
        ("visit, remark one over", "visit", {"text": "v" * (text + 1)}, False),
        ("visit, empty jti", "visit", {"jti": ""}, False),
        ("note, empty", "note", {"text": ""}, False),
        ("note, blank", "note", {"text": " \n "}, False),
        ("note, longest", "note", {"text": "n" * text}, True),
        ("note, one over", "note", {"text": "n" * (text + 1)}, False),
        ("note, not text", "note", {"text": 12}, False),
        ("interest, longest sku", "interest", {"sku": "S" * ident}, True),
        ("interest, sku one over", "interest", {"sku": "S" * (ident + 1)}, False),
        ("interest, action", "interest", {"sku": "S", "action": "tried_on"}, True),
        ("interest, unknown action", "interest", {"sku": "S", "action": "bought"}, False),
        ("redeem, no coupon", "redeem", {}, False),
        ("redeem, amount", "redeem", {"coupon_id": "Q", "amount_cents": 0}, True),
        ("redeem, negative", "redeem", {"coupon_id": "Q", "amount_cents": -1}, False),
        ("sale", "sale", sale, True),
        ("sale, no line", "sale", {**sale, "items": []}, False),
        ("sale, most lines", "sale", {**sale, "items": [line] * interactions.MAX_LINES}, True),
        ("sale, lines one over", "sale", {**sale, "items": [line] * 201}, False),
        ("sale, zero", "sale", {**sale, "amount_cents": 0}, True),
        ("sale, largest", "sale", {**sale, "amount_cents": MAX_CENTS}, True),
        ("sale, one over", "sale", {**sale, "amount_cents": MAX_CENTS + 1}, False),
        ("sale, float", "sale", {**sale, "amount_cents": 100.0}, False),
        ("sale, string", "sale", {**sale, "amount_cents": "100"}, False),
        ("sale, boolean", "sale", {**sale, "amount_cents": True}, False),
        ("sale, qty 0", "sale", {**sale, "items": [{**line, "qty": 0}]}, False),
        ("sale, qty 999", "sale", {**sale, "items": [{**line, "qty": 999}]}, True),
        ("sale, qty 1000", "sale", {**sale, "items": [{**line, "qty": 1000}]}, False),
        ("sale, no price", "sale", {**sale, "items": [{"sku": "S", "qty": 1}]}, False),
        ("consent, none", "consent", {}, False),
        ("consent, one", "consent", {"browsing": True}, True),
        ("consent, not a boolean", "consent", {"marketing": 1}, False),
    ]
    return cases


@pytest.mark.parametrize(
    ("case", "kind", "payload", "valid"), _boundaries(), ids=[c[0] for c in _boundaries()]
)
def test_the_terminal_and_the_hub_agree_at_every_bound(
    hub: HubHandle, case: str, kind: str, payload: dict[str, Any], valid: bool
) -> None:
    """What the terminal saves the hub accepts, and what it refuses the hub rejects for its
    shape: one vocabulary on both ends."""
    try:
        interactions.parse_payload(kind, payload)
        terminal_says = True
    except interactions.InvalidInteraction:
        terminal_says = False
    assert terminal_says is valid, case
    extra = {"coupon_id": world.HERO_COUPON_ID} if kind == "redeem" and valid else {}
    with hub.client(hub.enrol("S001")["token"]) as client:
        [result] = push(client, make_interaction(kind, **{**payload, **extra}))
    if valid:
        assert result["status"] == "accepted", (case, result)
    else:
        assert (result["status"], result["reason"]) == ("rejected", "bad_payload"), case


def test_every_kind_of_the_vocabulary_has_its_effect_at_the_hub() -> None:
    assert set(ingest.EFFECTS) == set(interactions.KINDS)


def test_a_walk_in_visit_is_accepted_and_in_no_history(hub: HubHandle) -> None:
    """A visit naming no one (a customer who is not a member) is accepted as a walk-in; one
    naming a member the hub cannot match is still rejected, and so is any other kind with no
    member (one vocabulary rule at both ends: ``needs_member``)."""
    walk_in = make_interaction("visit", None, device_seq=1, via="walk_in")
    unknown = make_interaction("visit", None, device_seq=2, member_ref="card:6200000000000018")
    note = make_interaction("note", None, device_seq=3, text="no one")
    with hub.client(hub.enrol("S001")["token"]) as client:
        results = push(client, walk_in, unknown, note)
    assert [(r["status"], r.get("reason")) for r in results] == [
        ("accepted", None),
        ("rejected", "unknown_member"),
        ("rejected", "unknown_member"),
    ]
    assert count(hub, "SELECT count(*) FROM visits WHERE id = ?", walk_in["id"]) == 0
    assert interactions.needs_member("visit", None, None) is False
    assert interactions.needs_member("note", None, None) is True
