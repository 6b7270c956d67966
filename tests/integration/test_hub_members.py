"""Member views and lookup by identity, for a cache miss while online."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from clerk.shared import membercode
from clerk.shared.phones import phone_hash
from demoworld import world
from sync.hub.embedded import HubHandle


@pytest.fixture
def client_and_key(any_hub: HubHandle) -> Iterator[tuple[httpx.Client, str]]:
    body = any_hub.enrol("S002")  # another store: member lookups are not limited to the slice
    with any_hub.client(body["token"]) as client:
        yield client, any_hub.store.phone_hash_key  # the hub's own: terminals never get it


def test_member_view_has_the_whole_slice(
    any_hub: HubHandle, client_and_key: tuple[httpx.Client, str]
) -> None:
    client, _key = client_and_key
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


def test_lookup_by_code_card_and_phone_hash(
    any_hub: HubHandle, client_and_key: tuple[httpx.Client, str]
) -> None:
    client, key = client_and_key
    spec = world.WorldSpec(members=200, seed=1, now=int(time.time()))
    member = world.bundle(spec, 7).member
    by_code = client.get("/v1/members/lookup", params={"code_id": member["code_id"]})
    by_card = client.get("/v1/members/lookup", params={"card_no": member["card_no"]})
    by_phone = client.get(
        "/v1/members/lookup", params={"phone_hash": phone_hash(key, member["phone"])}
    )
    for resp in (by_code, by_card, by_phone):
        assert resp.status_code == 200
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
    verified = membercode.verify(code, keys, time.time())
    resp = client.get("/v1/members/lookup", params={"code_id": verified.code_id})
    assert resp.json()["member"]["id"] == "M00000009"


def test_unknown_identity_is_404_problem(
    any_hub: HubHandle, client_and_key: tuple[httpx.Client, str]
) -> None:
    client, _key = client_and_key
    for params in ({"code_id": 1}, {"card_no": "6200000000000000"}, {"phone_hash": "ab" * 32}):
        resp = client.get("/v1/members/lookup", params=params)
        assert resp.status_code == 404
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["reason"] == "unknown_member"
    assert client.get("/v1/members/M99999999").status_code == 404


def test_lookup_needs_exactly_one_identity(
    any_hub: HubHandle, client_and_key: tuple[httpx.Client, str]
) -> None:
    client, _key = client_and_key
    assert client.get("/v1/members/lookup").status_code == 422
    both = client.get("/v1/members/lookup", params={"code_id": 1, "card_no": "1"})
    assert both.status_code == 422 and both.json()["reason"] == "one_identity"
    huge = client.get("/v1/members/lookup", params={"code_id": 2**64})
    assert huge.status_code == 422
