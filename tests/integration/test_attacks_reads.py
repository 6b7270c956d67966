"""Attacks on reads: a device (a rogue one with a valid token, or a curious associate with a
shell on a terminal) trying to read members it should not.

* No route walks member ids: ``GET /v1/members/{id}`` answers only for the device's own
  store's slice, and a member from elsewhere looks exactly like an unknown one (no oracle).
* A member from elsewhere is served only against proof of presence — the whole signed member
  code (checked by the hub), the exact card number, or the full phone number as typed — by a
  POST (nothing in URLs or logs), naming the signed-in staff member of the device's store;
  rate-limited per device (429 + Retry-After) and audited at the hub. A code id, a phone hash
  or a card that fails its check digit is no proof.
* Browsing and cart of a member without browsing consent never leave the hub: not in the
  change feed (and withdrawn consent deletes what terminals hold), not in the member view.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hub_client import make_interaction, pull_changes

from clerk.cli.common import open_terminal
from clerk.identify import luhn_check_digit
from clerk.shared import membercode
from clerk.shared.phones import phone_hash
from clerk.terminal import Terminal
from sync.hub.app import HubConfig
from sync.hub.embedded import HubHandle, running_hub

STORE = "S001"
STAFF = "A01"  # an associate of S001
ELSEWHERE = "S002"


class Clock:
    def __init__(self) -> None:
        self.now = float(time.time())

    def __call__(self) -> float:
        return self.now


def member_of(hub: HubHandle, store: str, *, consent: bool = True) -> dict[str, Any]:
    with hub.store.read() as conn:
        rows = conn.dicts(
            "SELECT m.id, m.code_id, m.card_no, m.phone, m.phone_hash FROM members m "
            "WHERE m.home_store = ? AND m.consent_browsing = ? AND m.phone IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM browse_events b WHERE b.member_id = m.id) "
            "AND EXISTS (SELECT 1 FROM cart_items c WHERE c.member_id = m.id) ORDER BY m.id",
            (store, int(consent)),
        )
    assert rows, f"the seeded world has such a member of {store}"
    return rows[0]


@pytest.fixture
def device(any_hub: HubHandle) -> Iterator[httpx.Client]:
    body = any_hub.enrol(STORE, device_name="till 1")
    with any_hub.client(body["token"]) as client:
        yield client


def lookup(client: httpx.Client, **proof: Any) -> httpx.Response:
    return client.post("/v1/members/lookup", json={"staff_id": STAFF, **proof})


def lookups(hub: HubHandle) -> list[dict[str, Any]]:
    with hub.store.read() as conn:
        return conn.dicts(
            "SELECT device_id, store_id, staff_id, proof, outcome, member_id, at "
            "FROM member_lookups ORDER BY id"
        )


def test_no_route_walks_member_ids(any_hub: HubHandle, device: httpx.Client) -> None:
    with any_hub.store.read() as conn:
        homes = dict(conn.rows("SELECT id, home_store FROM members ORDER BY id LIMIT 60"))
    unknown = device.get("/v1/members/M99999999")
    assert unknown.status_code == 404
    served = 0
    for member_id, home in homes.items():
        resp = device.get(f"/v1/members/{member_id}")
        if home == STORE:
            assert resp.status_code == 200 and resp.json()["member"]["id"] == member_id
            served += 1
        else:  # exactly what an unknown id gets: nothing tells a member from a non-member
            assert resp.status_code == 404, member_id
            assert resp.json() == {**unknown.json(), "detail": resp.json()["detail"]}
            assert resp.json()["reason"] == unknown.json()["reason"] == "unknown_member"
            assert member_id not in resp.text
    assert 0 < served < len(homes)


def test_identifiers_alone_are_no_proof(any_hub: HubHandle, device: httpx.Client) -> None:
    """What a device could have or guess — a code id, a phone hash (it holds the key), a card
    failing its check digit, a code id in a made-up code — serves nothing."""
    other = member_of(any_hub, ELSEWHERE)
    for params in (
        {"code_id": other["code_id"]},
        {"phone_hash": other["phone_hash"]},
        {"card_no": other["card_no"]},
    ):
        resp = device.get("/v1/members/lookup", params=params)
        assert resp.status_code in (404, 405), params
        assert other["id"] not in resp.text
    for proof in (
        {"code_id": other["code_id"]},
        {"phone_hash": other["phone_hash"]},
        {"code": str(other["code_id"])},
        {"card_no": other["card_no"][:-1] + str((int(other["card_no"][-1]) + 1) % 10)},
        {"phone": other["phone"][:-1]},
    ):
        resp = lookup(device, **proof)
        assert resp.status_code in (404, 422), proof
        assert other["id"] not in resp.text
    # A member code with the right kid and code id, signed by someone else's key.
    active = any_hub.store.keys.active()
    forger, _public = membercode.generate_keypair()
    forged = membercode.issue(forger, active.kid, other["code_id"], exp=int(time.time()) + 60)
    resp = lookup(device, code=forged)
    assert resp.status_code == 422 and resp.json()["reason"] == "bad_proof"
    assert "bad_signature" in resp.json()["detail"]
    expired = any_hub.store.keys.member_code(other["id"], ttl=60, now=int(time.time()) - 3600)
    resp = lookup(device, code=expired)
    assert resp.status_code == 422 and "expired" in resp.json()["detail"]
    assert [r["outcome"] for r in lookups(any_hub)][-2:] == ["bad_proof", "bad_proof"]


def test_a_member_from_elsewhere_is_served_against_proof_and_audited(
    any_hub: HubHandle, device: httpx.Client
) -> None:
    other = member_of(any_hub, ELSEWHERE)
    national = other["phone"].removeprefix("+86")
    typed = f"{national[:3]} {national[3:7]} {national[7:]}"  # as an associate types it
    answers = [
        lookup(device, code=any_hub.member_code(other["id"])),
        lookup(device, card_no=other["card_no"]),
        lookup(device, phone=typed),
    ]
    for resp in answers:
        assert resp.status_code == 200, resp.text
        assert resp.json()["member"]["id"] == other["id"]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    nobody = "629999999999999" + luhn_check_digit("629999999999999")  # valid, nobody's
    missing = lookup(device, card_no=nobody)
    assert missing.status_code == 404 and missing.json()["reason"] == "unknown_member"
    rows = lookups(any_hub)
    assert [(r["proof"], r["outcome"], r["member_id"]) for r in rows] == [
        ("code", "served", other["id"]),
        ("card", "served", other["id"]),
        ("phone", "served", other["id"]),
        ("card", "not_found", None),
    ]
    device_id = rows[0]["device_id"]
    assert {(r["device_id"], r["store_id"], r["staff_id"]) for r in rows} == {
        (device_id, STORE, STAFF)
    }
    with any_hub.store.read() as conn:
        served = conn.rows("SELECT device_id, member_id FROM members_served")
    assert served == [(device_id, other["id"])]


def test_only_staff_of_the_devices_store_may_look_up(
    any_hub: HubHandle, device: httpx.Client
) -> None:
    other = member_of(any_hub, ELSEWHERE)
    for staff in ("A11", "NOBODY"):  # A11 works at S002
        resp = device.post(
            "/v1/members/lookup", json={"staff_id": staff, "card_no": other["card_no"]}
        )
        assert resp.status_code == 403 and resp.json()["reason"] == "unknown_staff"
        assert other["id"] not in resp.text
    no_staff = device.post("/v1/members/lookup", json={"card_no": other["card_no"]})
    assert no_staff.status_code == 422


def test_lookups_are_rate_limited_per_device(hub: HubHandle) -> None:
    clock = Clock()
    hub.store.close()
    with running_hub(hub.db, config=HubConfig(clock=clock)) as h:
        card = member_of(h, ELSEWHERE)["card_no"]
        token = h.enrol(STORE)["token"]
        other = h.enrol(STORE)["token"]
        with h.client(token) as c:
            statuses = [lookup(c, card_no=card).status_code for _ in range(11)]
            assert statuses[:10] == [200] * 10  # a small burst …
            assert statuses[10] == 429
            limited = lookup(c, card_no=card)
            assert limited.json()["reason"] == "rate_limited"
            assert 1 <= int(limited.headers["retry-after"]) <= 10
            with h.client(other) as c2:  # … per device
                assert lookup(c2, card_no=card).status_code == 200
            for _ in range(2):  # … and 30 a minute
                clock.now += 11
                assert [lookup(c, card_no=card).status_code for _ in range(10)] == [200] * 10
            clock.now += 11
            over = lookup(c, card_no=card)
            assert over.status_code == 429 and int(over.headers["retry-after"]) <= 60
            clock.now += 60
            assert lookup(c, card_no=card).status_code == 200


def test_browsing_without_consent_never_leaves_the_hub(
    any_hub: HubHandle, device: httpx.Client
) -> None:
    quiet = member_of(any_hub, STORE, consent=False)
    with any_hub.store.read() as conn:
        browse = {
            str(r[0])
            for r in conn.rows("SELECT id FROM browse_events WHERE member_id = ?", (quiet["id"],))
        }
        cart = {
            str(r[0])
            for r in conn.rows("SELECT id FROM cart_items WHERE member_id = ?", (quiet["id"],))
        }
    feed, _cursor = pull_changes(device)
    upserted = {(c["entity"], c["key"]) for c in feed if c["op"] == "upsert"}
    assert not upserted & {("browse", k) for k in browse}
    assert not upserted & {("cart", k) for k in cart}
    assert ("member", quiet["id"]) in upserted  # the member is there, the browsing is not
    view = device.get(f"/v1/members/{quiet['id']}").json()
    assert view["browse"] == [] and view["cart"] == []
    elsewhere = member_of(any_hub, ELSEWHERE, consent=False)
    by_proof = lookup(device, card_no=elsewhere["card_no"]).json()
    assert by_proof["member"]["id"] == elsewhere["id"]
    assert by_proof["browse"] == [] and by_proof["cart"] == []


def test_withdrawn_consent_deletes_what_terminals_hold(
    any_hub: HubHandle, device: httpx.Client
) -> None:
    member = member_of(any_hub, STORE, consent=True)
    feed, cursor = pull_changes(device)
    held = {
        (c["entity"], c["key"])
        for c in feed
        if c["op"] == "upsert"
        and c["entity"] in ("browse", "cart")
        and c["data"]["member_id"] == member["id"]
    }
    assert held, "the terminal holds the member's browsing"
    withdraw = make_interaction("consent", member["id"], staff_id=STAFF, browsing=False)
    assert device.post("/v1/interactions", json={"interactions": [withdraw]}).status_code == 200
    after, cursor = pull_changes(device, since=cursor)
    deleted = {(c["entity"], c["key"]) for c in after if c["op"] == "delete"}
    assert held <= deleted
    assert not {(c["entity"], c["key"]) for c in after if c["op"] == "upsert"} & held
    grant = make_interaction("consent", member["id"], staff_id=STAFF, browsing=True)
    assert device.post("/v1/interactions", json={"interactions": [grant]}).status_code == 200
    again, _cursor = pull_changes(device, since=cursor)
    assert held <= {(c["entity"], c["key"]) for c in again if c["op"] == "upsert"}


def test_the_terminal_fetches_a_member_from_elsewhere_by_what_was_scanned(
    hub: HubHandle, tmp_path: Path
) -> None:
    from sync.local import engine_for, enroll

    home = tmp_path / "till"
    enroll(home, hub.url, STORE, hub.enrol_code(STORE))
    with engine_for(home) as engine:
        assert engine.sync_once().caught_up
    other = member_of(hub, ELSEWHERE)
    walker = member_of(hub, "S003")
    terminal: Terminal = open_terminal(home)
    try:
        for text, who in (
            (hub.member_code(other["id"]), other),
            (walker["phone"].removeprefix("+86"), walker),
        ):
            identity = terminal.identify(text)
            assert terminal.resolve(identity) is None  # not in S001's slice
            opened = terminal.open_customer(identity, staff_id=STAFF)
            assert opened.member_id == who["id"] and not opened.cached
            assert opened.view is not None and opened.view.profile.member_id == who["id"]
    finally:
        terminal.close()
    rows = lookups(hub)
    assert [(r["proof"], r["outcome"], r["staff_id"]) for r in rows] == [
        ("code", "served", STAFF),
        ("phone", "served", STAFF),
    ]
    assert phone_hash(hub.store.phone_hash_key, walker["phone"]) == walker["phone_hash"]
