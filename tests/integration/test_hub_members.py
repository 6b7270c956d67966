"""Member views for a cache miss: the device's own store by id, any other store by proof of
presence (the attacks on both are in test_attacks_reads.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from clerk.identify import luhn_check_digit
from clerk.shared import membercode
from demoworld import world
from sync.hub.embedded import HubHandle

STAFF_S002 = "A11"


@pytest.fixture
def client_and_key(any_hub: HubHandle) -> Iterator[tuple[httpx.Client, str]]:
    body = any_hub.enrol("S002")  # another store than the members looked up below
    with any_hub.client(body["token"]) as client:
        yield client, any_hub.store.phone_hash_key  # the hub's own: terminals never get it


def _lookup(client: httpx.Client, **proof: object) -> httpx.Response:
    return client.post("/v1/members/lookup", json={"staff_id": STAFF_S002, **proof})


def test_member_view_has_the_whole_slice(any_hub: HubHandle) -> None:
    with any_hub.client(any_hub.enrol("S001")["token"]) as client:
        view = client.get("/v1/members/M00000001").json()
    assert view["member"]["id"] == "M00000001" and view["member"]["home_store"] == "S001"
    assert "phone" not in view["member"]  # the clear number never leaves the hub
    assert "phone_hash" not in view["member"]  # nor its full keyed hash
    assert view["member"]["phone_masked"].startswith("*******")
    assert len(view["member"]["phone_last4"]) == 4 and 0 <= view["member"]["phone_bucket"] < 256
    assert view["browse"] and view["cart"] and view["coupons"]
    ats = [b["at"] for b in view["browse"]]
    assert ats == sorted(ats, reverse=True)
    skus = {b["sku"] for b in view["browse"]} | {c["sku"] for c in view["cart"]}
    assert {p["sku"] for p in view["products"]} == skus
    assert any(c["id"] == world.HERO_COUPON_ID for c in view["coupons"])


def test_lookup_by_code_card_and_phone(
    any_hub: HubHandle, client_and_key: tuple[httpx.Client, str]
) -> None:
    client, _key = client_and_key
    spec = world.WorldSpec(members=200, seed=1, now=int(time.time()))
    member = world.bundle(spec, 7).member
    assert member["home_store"] != "S002"
    by_code = _lookup(client, code=any_hub.member_code(member["id"]))
    by_card = _lookup(client, card_no=member["card_no"])
    by_phone = _lookup(client, phone=member["phone"])
    for resp in (by_code, by_card, by_phone):
        assert resp.status_code == 200, resp.text
        assert resp.json()["member"]["id"] == member["id"]
    assert by_code.json() == by_card.json() == by_phone.json()


def test_member_code_from_the_hub_identifies_the_member(
    any_hub: HubHandle, client_and_key: tuple[httpx.Client, str]
) -> None:
    client, _key = client_and_key
    code = any_hub.member_code("M00000009")
    keys = membercode.keys_from_hex(
        {k["kid"]: k["public_key"] for k in client.get("/v1/keys").json()["keys"]}
    )
    membercode.verify(code, keys, time.time())  # what the terminal checked offline
    resp = _lookup(client, code=code)
    assert resp.json()["member"]["id"] == "M00000009"


def test_unknown_identity_is_404_problem(
    any_hub: HubHandle, client_and_key: tuple[httpx.Client, str]
) -> None:
    client, _key = client_and_key
    card = "629999999999999" + luhn_check_digit("629999999999999")
    for proof in ({"card_no": card}, {"phone": "+8613900000000"}):
        resp = _lookup(client, **proof)
        assert resp.status_code == 404
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["reason"] == "unknown_member"
    assert client.get("/v1/members/M99999999").status_code == 404


def test_lookup_needs_exactly_one_proof(
    any_hub: HubHandle, client_and_key: tuple[httpx.Client, str]
) -> None:
    client, _key = client_and_key
    assert _lookup(client).status_code == 422
    both = _lookup(client, card_no="6200000000000000", phone="+8613900000000")
    assert both.status_code == 422 and both.json()["reason"] == "invalid"
    huge = _lookup(client, code="MC1:" + "A" * 300)
    assert huge.status_code == 422
