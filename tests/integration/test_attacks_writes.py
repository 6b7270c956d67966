"""Attacks on writes (issue 14, item 2): a device with a valid token (a rogue one, or a curious
associate with a shell sending what they like) writing beyond its bounds, against the real hub.

The hub accepts an interaction only when

* its member is in the device's slice (home store = the device's store), or was served to the
  device by proof within the visit window, or the item carries the proof itself (a typed card,
  a sealed phone, a member code with its signed text) — else ``member_not_served``;
* the coupon or consent it changes is that member's, and a resolve is of the device's own
  store's records;
* its staff id is active staff of the device's store (``unknown_staff``) whose role records
  the kind (``staff_role``);
* its time lies within the hub's window: not after the hub's now + skew
  (``created_in_future``), not before the device's enrolment grace or the maximum age
  (``created_too_long_ago``).

Each answer is stored: a repeat gets the same one. The terminal's legitimate case — an
associate of S001 serving a customer of S002 by code, card or phone, online or offline — is
accepted.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hub_client import make_interaction

from clerk.shared.phones import seal
from clerk.terminal import Terminal
from sync.hub.app import HubConfig
from sync.hub.embedded import HubHandle, running_hub
from sync.hub.rules import WriteBounds
from sync.local import engine_for, enroll

STORE = "S001"
STAFF = "A01"  # an associate of S001
MANAGER = "M01"
ELSEWHERE = "S002"
DAY = 86_400


def member_of(hub: HubHandle, store: str) -> dict[str, Any]:
    """A member of ``store`` with a phone, a card and a usable coupon."""
    with hub.store.read() as conn:
        rows = conn.dicts(
            "SELECT m.id, m.code_id, m.card_no, m.phone, m.consent_marketing, "
            "m.consent_browsing, c.id AS coupon FROM members m JOIN coupons c "
            "ON c.member_id = m.id AND c.state = 'live' AND c.valid_from < ? "
            "AND c.expires_at > ? WHERE m.home_store = ? AND m.phone IS NOT NULL "
            "AND m.card_no IS NOT NULL ORDER BY m.id, c.id",
            (int(time.time()) - 600, int(time.time()) + 600, store),
        )
    assert rows, f"the seeded world has such a member of {store}"
    return rows[0]


@pytest.fixture
def device(any_hub: HubHandle) -> Iterator[httpx.Client]:
    body = any_hub.enrol(STORE, device_name="till 1")
    with any_hub.client(body["token"]) as client:
        yield client


def send(client: httpx.Client, items: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    resp = client.post("/v1/interactions", json={"interactions": items})
    assert resp.status_code == 200, resp.text
    return [(r["status"], r["reason"]) for r in resp.json()["results"]]


NOT_SERVED = ("rejected", "member_not_served")
OK = ("accepted", None)


def test_another_stores_member_by_id_is_refused(any_hub: HubHandle, device: httpx.Client) -> None:
    """Visit, note, interest, sale, redeem, consent about a S002 member by member_id — or by a
    ``member:`` ref — from a S001 device that never served them: each refused, nothing changed;
    the same records about a S001 member are accepted."""
    other = member_of(any_hub, ELSEWHERE)
    mine = member_of(any_hub, STORE)

    def records(member: dict[str, Any], **where: Any) -> list[dict[str, Any]]:
        sale = {"items": [{"sku": "SKU-1", "qty": 1, "price_cents": 100}], "amount_cents": 100}
        return [
            make_interaction("visit", **where, via="code"),
            make_interaction("note", **where, text="called about a watch"),
            make_interaction("interest", **where, sku="SKU-1"),
            make_interaction("sale", **where, **sale),
            make_interaction("redeem", **where, coupon_id=member["coupon"]),
            make_interaction("consent", **where, marketing=not member["consent_marketing"]),
        ]

    by_id = records(other, member_id=other["id"])
    by_ref = records(other, member_id=None, member_ref=f"member:{other['id']}")
    assert send(device, by_id + by_ref) == [NOT_SERVED] * 12
    assert send(device, by_id + by_ref) == [NOT_SERVED] * 12  # a repeat: the same answer
    with any_hub.store.read() as conn:
        assert conn.row("SELECT state FROM coupons WHERE id = ?", (other["coupon"],)) == ("live",)
        flags = conn.row("SELECT consent_marketing FROM members WHERE id = ?", (other["id"],))
        assert flags == (other["consent_marketing"],)
        mine_about = conn.scalar(
            "SELECT count(*) FROM visits WHERE member_id = ? AND store_id = ?",
            (other["id"], STORE),
        )
        assert mine_about == 0  # nothing in the customer's history
    assert send(device, records(mine, member_id=mine["id"])) == [OK] * 6


def test_a_coupon_of_another_member_is_refused(any_hub: HubHandle, device: httpx.Client) -> None:
    mine = member_of(any_hub, STORE)
    other = member_of(any_hub, ELSEWHERE)
    got = send(device, [make_interaction("redeem", mine["id"], coupon_id=other["coupon"])])
    assert got == [("rejected", "coupon_not_member")]


def test_a_member_served_by_proof_may_be_written_about_within_the_visit_window(
    any_hub: HubHandle, device: httpx.Client
) -> None:
    """Looked up by card at the counter: records about that member are accepted from then on
    within the visit window — not before the look-up, not after the window."""
    other = member_of(any_hub, ELSEWHERE)
    resp = device.post("/v1/members/lookup", json={"staff_id": STAFF, "card_no": other["card_no"]})
    assert resp.status_code == 200
    now = int(time.time())
    window = WriteBounds().served_window_s
    assert send(
        device,
        [
            make_interaction("visit", other["id"], via="card"),
            make_interaction("note", other["id"], text="asked for a size", created_at=now + 60),
            make_interaction("note", other["id"], text="yesterday", created_at=now - DAY),
        ],
    ) == [OK, OK, NOT_SERVED]
    with any_hub.store.write() as tx:  # the look-up happened a window and an hour ago
        tx.conn.execute(
            "UPDATE members_served SET served_at = served_at - ? WHERE member_id = ?",
            (window + 3600, other["id"]),
        )
    assert send(device, [make_interaction("note", other["id"], text="later")]) == [NOT_SERVED]


def test_an_item_carrying_its_proof_is_accepted(any_hub: HubHandle, device: httpx.Client) -> None:
    """Recorded offline: a typed card, a sealed phone, a member code with its signed text are
    their own proof (and what follows within the window is accepted); a code id without the
    signed code, or with another member's code, is not."""
    with any_hub.store.read() as conn:
        others = conn.dicts(
            "SELECT id, code_id, card_no, phone FROM members WHERE home_store = ? "
            "AND phone IS NOT NULL AND card_no IS NOT NULL ORDER BY id LIMIT 5",
            (ELSEWHERE,),
        )
    a, b, c, d, e = others
    sealed = seal(any_hub.store.phone_seal_public, b["phone"])
    code = any_hub.member_code(c["id"])
    other_code = any_hub.member_code(a["id"])
    items = [
        make_interaction("visit", None, member_ref=f"card:{a['card_no']}", via="card"),
        make_interaction("note", None, member_ref=f"card:{a['card_no']}", text="card typed"),
        make_interaction("visit", None, member_ref=f"phone_sealed:{sealed}", via="phone"),
        make_interaction("visit", None, member_ref=f"code:{c['code_id']}", via="code", code=code),
        make_interaction("note", c["id"], text="after the code"),  # served by the visit before
        make_interaction("visit", None, member_ref=f"code:{d['code_id']}", via="code"),
        make_interaction(
            "visit", None, member_ref=f"code:{e['code_id']}", via="code", code=other_code
        ),
        make_interaction("note", e["id"], text="never proven"),
    ]
    expected = [OK, OK, OK, OK, OK, NOT_SERVED, NOT_SERVED, NOT_SERVED]
    assert send(device, items) == expected
    assert send(device, items) == expected  # stored: a repeat gets the same answers
    later = [  # the next batch: served by the items before, by id or by what was scanned
        make_interaction("note", None, member_ref=f"code:{c['code_id']}", text="next batch"),
        make_interaction("note", b["id"], text="the phone's owner"),
        make_interaction("note", None, member_ref=f"code:{d['code_id']}", text="still not"),
    ]
    assert send(device, later) == [OK, OK, NOT_SERVED]


def test_consent_of_another_stores_member_is_refused(
    any_hub: HubHandle, device: httpx.Client
) -> None:
    other = member_of(any_hub, ELSEWHERE)
    item = make_interaction("consent", other["id"], browsing=not other["consent_browsing"])
    assert send(device, [item]) == [NOT_SERVED]
    with any_hub.store.read() as conn:
        got = conn.scalar("SELECT consent_browsing FROM members WHERE id = ?", (other["id"],))
    assert got == other["consent_browsing"]


def test_a_device_resolves_only_its_own_stores_conflicts(any_hub: HubHandle) -> None:
    """A conflict at S002 (a coupon redeemed twice there): S001's manager cannot resolve it;
    S002's manager can."""
    other = member_of(any_hub, ELSEWHERE)
    s2 = any_hub.enrol(ELSEWHERE, device_name="S002 till")
    s1 = any_hub.enrol(STORE, device_name="S001 till")
    first = make_interaction("redeem", other["id"], staff_id="A11", coupon_id=other["coupon"])
    again = make_interaction("redeem", other["id"], staff_id="A12", coupon_id=other["coupon"])
    with any_hub.client(s2["token"]) as client:
        assert send(client, [first, again])[1] == ("conflict", "coupon_already_used")
    resolve = make_interaction(
        "resolve", None, staff_id=MANAGER, conflict_id=again["id"], decision="accept"
    )
    with any_hub.client(s1["token"]) as client:
        assert send(client, [resolve]) == [("rejected", "unknown_interaction")]
    with any_hub.store.read() as conn:
        assert (
            conn.scalar("SELECT resolved_by FROM interactions WHERE id = ?", (again["id"],)) is None
        )
    theirs = make_interaction(
        "resolve", None, staff_id="M11", conflict_id=again["id"], decision="accept"
    )
    with any_hub.client(s2["token"]) as client:
        assert send(client, [theirs]) == [OK]


def test_staff_must_be_active_staff_of_the_devices_store(
    any_hub: HubHandle, device: httpx.Client
) -> None:
    """Any kind about a member, attributed to nobody, to someone unknown, to S002's staff or to
    a former colleague: refused; an associate resolving a conflict: refused for the role."""
    mine = member_of(any_hub, STORE)
    any_hub.store.staff.update("A03", active=False)
    by = {
        "ZZZ": ("rejected", "unknown_staff"),
        "A11": ("rejected", "unknown_staff"),  # S002's associate
        "A03": ("rejected", "unknown_staff"),  # no longer active
        None: ("rejected", "unknown_staff"),
        "A02": OK,
    }
    items = [make_interaction("note", mine["id"], staff_id=sid, text="hello") for sid in by]
    assert send(device, items) == list(by.values())
    target = make_interaction("visit", mine["id"])
    resolve = make_interaction(
        "resolve", None, staff_id=STAFF, conflict_id=target["id"], decision="accept"
    )
    assert send(device, [target, resolve]) == [OK, ("rejected", "staff_role")]


def test_times_outside_the_hubs_window_are_refused(
    any_hub: HubHandle, device: httpx.Client
) -> None:
    mine = member_of(any_hub, STORE)
    now = int(time.time())
    bounds = WriteBounds()
    at = {
        7_258_118_400: ("rejected", "created_in_future"),  # 2200-01-01
        now + bounds.skew_s + 120: ("rejected", "created_in_future"),
        915_148_800: ("rejected", "created_too_long_ago"),  # 1999-01-01
        now - bounds.max_age_s - DAY: ("rejected", "created_too_long_ago"),
        now - bounds.enrolment_grace_s - DAY: ("rejected", "created_too_long_ago"),
        now + 60: OK,  # a terminal's clock a minute ahead
        now - 3 * DAY: OK,  # recorded offline three days ago
    }
    items = [make_interaction("note", mine["id"], text="x", created_at=t) for t in at]
    assert send(device, items) == list(at.values())
    assert send(device, items) == list(at.values())


def test_the_windows_are_the_hubs_settings(hub_db: str) -> None:
    bounds = WriteBounds(skew_s=10, max_age_s=2 * DAY, enrolment_grace_s=2 * DAY)
    with running_hub(hub_db, config=HubConfig(bounds=bounds)) as hub:
        mine = member_of(hub, STORE)
        now = int(time.time())
        with hub.client(hub.enrol(STORE)["token"]) as client:
            items = [
                make_interaction("note", mine["id"], text="x", created_at=now + 120),
                make_interaction("note", mine["id"], text="x", created_at=now - 3 * DAY),
                make_interaction("note", mine["id"], text="x", created_at=now - DAY),
            ]
            assert send(client, items) == [
                ("rejected", "created_in_future"),
                ("rejected", "created_too_long_ago"),
                OK,
            ]


# -- the terminal's legitimate case ---------------------------------------------------------------


def _outbox_states(home: Path) -> list[tuple[str, str, str | None]]:
    terminal = Terminal(home)
    try:
        rows = terminal.outbox.execute(
            "SELECT kind, state, reason FROM interactions WHERE kind <> 'audit' ORDER BY device_seq"
        ).fetchall()
    finally:
        terminal.close()
    return [(str(r[0]), str(r[1]), r[2]) for r in rows]


def test_a_terminal_serving_another_stores_customer_is_accepted(
    hub: HubHandle, tmp_path: Path
) -> None:
    """An associate of S001 serves customers of S002 — by member code, typed card and typed
    phone; online (fetched by proof), offline (recorded against what was scanned), and a
    customer cached from an earlier visit days ago — and notes each: every record accepted."""
    with hub.store.read() as conn:
        others = conn.dicts(
            "SELECT id, card_no, phone FROM members WHERE home_store = ? "
            "AND phone IS NOT NULL AND card_no IS NOT NULL ORDER BY id LIMIT 7",
            (ELSEWHERE,),
        )
    home = tmp_path / "till"
    enroll(home, hub.url, STORE, hub.enrol_code(STORE))
    with engine_for(home) as engine:
        engine.sync_once()

    def serve(terminal: Terminal, text: str) -> None:
        opened = terminal.open_customer(terminal.identify(text), staff_id=STAFF)
        if opened.member_id is None:  # offline, not cached: the associate says "a member"
            terminal.record_unmatched_visit(opened.identity, STAFF)
        terminal.record(
            "note",
            member_id=opened.member_id,
            member_ref=None if opened.member_id else opened.identity.ref,
            staff_id=STAFF,
            payload={"text": "served"},
        )

    with engine_for(home) as engine:  # online, three days ago: fetched by proof at the hub
        terminal = Terminal(
            home, clock=lambda: time.time() - 3 * DAY, fetch_member=engine.fetch_member
        )
        try:
            serve(terminal, others[1]["card_no"])
            serve(terminal, others[2]["phone"].removeprefix("+86"))
        finally:
            terminal.close()
        with hub.store.write() as tx:  # (the hub's record of those look-ups: three days ago)
            tx.conn.execute("UPDATE members_served SET served_at = served_at - ?", (3 * DAY,))
        terminal = Terminal(home, fetch_member=engine.fetch_member)  # online, now
        try:
            serve(terminal, hub.member_code(others[0]["id"]))
        finally:
            terminal.close()
    terminal = Terminal(home)  # offline: recorded against what was scanned or typed
    try:
        serve(terminal, hub.member_code(others[3]["id"]))
        serve(terminal, others[4]["card_no"])
        serve(terminal, others[5]["phone"])
        # two of the customers of three days ago again, from the cache: the scan is the proof
        serve(terminal, hub.member_code(others[1]["id"]))
        serve(terminal, others[2]["card_no"])
    finally:
        terminal.close()
    with engine_for(home) as engine:
        engine.sync_once()
    states = _outbox_states(home)
    assert len(states) == 2 * 8
    assert {(state, reason) for _kind, state, reason in states} == {("acked", None)}, states


def test_the_demo_day_is_accepted_by_the_hub(hub: HubHandle, tmp_path: Path) -> None:
    """``clerk demo``'s business day (today or yesterday, and a day a week before), written
    right after the terminal was enrolled: every record within the hub's bounds."""
    from demoworld.day import seed_demo_day

    home = tmp_path / "demo"
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="demo terminal")
    with engine_for(home) as engine:
        engine.sync_once()
    terminal = Terminal(home)
    try:
        seed_demo_day(terminal)
    finally:
        terminal.close()
    with engine_for(home) as engine:
        engine.sync_once()
    states = _outbox_states(home)
    assert len(states) > 40
    assert {(state, reason) for _kind, state, reason in states} == {("acked", None)}, states


def test_odd_refs_and_codes_are_answered_not_failed_on(
    any_hub: HubHandle, device: httpx.Client
) -> None:
    """Digits that are not ASCII, a code that is no code, a code id past 64 bits: answered
    (never a 5xx)."""
    other = member_of(any_hub, ELSEWHERE)
    with any_hub.store.read() as conn:
        code_id = conn.scalar("SELECT code_id FROM members WHERE id = ?", (other["id"],))
    items = [
        make_interaction("visit", None, member_ref="code:²", via="code", code="MC1:x"),
        make_interaction("visit", None, member_ref="card:١٢٣٤٥٦٧٨٩٠", via="card"),
        make_interaction("visit", None, member_ref=f"code:{2**70}", via="code", code="MC1:x"),
        make_interaction("visit", None, member_ref=f"code:{code_id}", via="code", code="MC1:x"),
        make_interaction("visit", other["id"], member_ref=f"code:{code_id}", code="x" * 256),
    ]
    unknown = ("rejected", "unknown_member")
    assert send(device, items) == [unknown, unknown, unknown, NOT_SERVED, NOT_SERVED]
