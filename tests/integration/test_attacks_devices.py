"""Attacks with a device's credentials: a lost terminal, a token copied off a terminal.

* HQ revokes a device (HQ API with an admin token, or ``clerk hub device revoke``): its next
  request gets 401 ``device_revoked`` on every hub process within a second, and it cannot
  get a new access token;
* access tokens are short-lived: a copied token stops working at its expiry, while the
  terminal refreshes its own with the device secret;
* admin routes take admin tokens only — a device token is refused there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from sync.hub.app import HubConfig, create_app
from sync.hub.devices import DEVICE_CHECK_S, DEVICE_STALE_S
from sync.hub.embedded import HubHandle, running_hub, serve_asgi
from sync.hub.errors import UnauthenticatedError
from sync.hub.store import HubStore

ROOT = Path(__file__).resolve().parents[2]
REVOKE_WITHIN_S = 1.0


class Clock:
    """A hub clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = float(time.time())

    def __call__(self) -> float:
        return self.now


@contextmanager
def two_hubs(db: str) -> Iterator[tuple[HubHandle, HubHandle]]:
    """Two hub app instances over the same database, each with its own store and caches —
    as two processes (or machines) behind one load balancer."""
    with ExitStack() as stack:
        handles = []
        for name in ("one", "two"):
            store = HubStore.open(db)
            stack.callback(store.close)
            url, _server = stack.enter_context(serve_asgi(create_app(store), name=name))
            handles.append(HubHandle(url=url, db=db, store=store))
        yield handles[0], handles[1]


def admin_token(store: HubStore, name: str = "hq") -> str:
    return store.admin_tokens.create(name)


def test_a_revoked_device_is_refused_by_every_hub_process_within_a_second(hub_db: str) -> None:
    with two_hubs(hub_db) as (one, two):
        device = one.enrol("S001", device_name="lost till")
        token = device["token"]
        for hub in (one, two):  # both have seen (and cached) the device as good
            with hub.client(token) as c:
                assert c.get("/v1/keys").status_code == 200
        with one.client(admin_token(one.store)) as hq:
            resp = hq.post(
                f"/v1/admin/devices/{device['device_id']}/revoke", json={"reason": "stolen"}
            )
            revoked_at = time.monotonic()
        assert resp.status_code == 200, resp.text
        assert resp.json()["revoked_at"] is not None and resp.json()["revoked_reason"] == "stolen"
        with one.client(token) as c:
            first = c.get("/v1/keys")
        assert first.status_code == 401 and first.json()["reason"] == "device_revoked"
        with two.client(token) as c:
            while True:  # the other process: refused within a second of the revoke
                answer = c.get("/v1/keys")
                elapsed = time.monotonic() - revoked_at
                if answer.status_code == 401 or elapsed > REVOKE_WITHIN_S:
                    break
        assert answer.status_code == 401 and answer.json()["reason"] == "device_revoked"
        assert elapsed <= REVOKE_WITHIN_S, f"refused only after {elapsed:.2f}s"
        with two.client() as c:  # and no new access token for it
            again = c.post(
                "/v1/devices/token",
                json={"device_id": device["device_id"], "device_secret": device["device_secret"]},
            )
        assert again.status_code == 401 and again.json()["reason"] == "device_revoked"


def test_a_copied_token_stops_working_at_its_expiry(hub: HubHandle, tmp_path: Path) -> None:
    clock = Clock()
    config = HubConfig(token_ttl_s=120, clock=clock)
    hub.store.close()
    with running_hub(hub.db, config=config) as h:
        device = h.enrol("S001")
        assert device["token_expires_in"] == 120
        copied = device["token"]
        with h.client(copied) as thief:
            assert thief.get("/v1/changes").status_code == 200
            clock.now += 119
            assert thief.get("/v1/changes").status_code == 200
            clock.now += 2
            late = thief.get("/v1/changes")
            assert late.status_code == 401 and late.json()["reason"] == "token_expired"
        # The terminal itself gets a new one with its device secret …
        with h.client() as c:
            fresh = c.post(
                "/v1/devices/token",
                json={"device_id": device["device_id"], "device_secret": device["device_secret"]},
            )
        assert fresh.status_code == 200
        assert fresh.json()["expires_in"] == 120 and fresh.json()["token"] != copied
        with h.client(fresh.json()["token"]) as c:
            assert c.get("/v1/changes").status_code == 200
        # … which the token alone cannot do, nor a wrong secret.
        with h.client() as c:
            for secret in (copied, "x" * 43, ""):
                bad = c.post(
                    "/v1/devices/token",
                    json={"device_id": device["device_id"], "device_secret": secret},
                )
                assert bad.status_code in (401, 422), secret
                assert bad.status_code == 422 or bad.json()["reason"] == "bad_secret"


def test_a_forged_or_altered_token_is_refused(hub: HubHandle) -> None:
    device = hub.enrol("S001")
    other = hub.enrol("S002")
    token = device["token"]
    head, _, sig = token.rpartition(".")
    forgeries = [
        token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),  # another signature
        head.replace(device["device_id"], other["device_id"]) + "." + sig,  # another device
        ".".join(p if i != 2 else "9999999999" for i, p in enumerate(token.split("."))),
        "v1." + device["device_id"],
        device["device_secret"],  # the device secret is not an access token
    ]
    for forged in forgeries:
        with hub.client(forged) as c:
            resp = c.get("/v1/changes")
        assert resp.status_code == 401, forged
        assert resp.json()["reason"] == "bad_token"


def test_admin_routes_take_admin_tokens_only(hub: HubHandle) -> None:
    device = hub.enrol("S001", device_name="till 3")
    with hub.client(device["token"]) as c:
        assert c.get("/v1/admin/devices").status_code == 401
        own = c.post(f"/v1/admin/devices/{device['device_id']}/revoke", json={})
        assert own.status_code == 401
    with hub.client("oca_" + "x" * 43) as c:
        assert c.get("/v1/admin/devices").status_code == 401
    with hub.client(admin_token(hub.store)) as hq:
        listed = hq.get("/v1/admin/devices", params={"store": "S001"}).json()["devices"]
        mine = [d for d in listed if d["id"] == device["device_id"]]
        assert mine and mine[0]["name"] == "till 3" and mine[0]["revoked_at"] is None
        assert all(d["store_id"] == "S001" for d in listed)
        assert hq.post("/v1/admin/devices/dev-nope/revoke", json={}).status_code == 404


def _clerk(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if home is not None:
        env["CLERK_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "clerk.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_device_list_revoke_and_admin_tokens_on_the_command_line(hub: HubHandle) -> None:
    device = hub.enrol("S002", device_name="back office")
    made = _clerk("hub", "admin-token", "create", "hq-ops", "--db", hub.db)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("oca_")
    with hub.store.read() as conn:  # only its hash is kept
        assert conn.scalar("SELECT count(*) FROM admin_tokens WHERE token_hash = ?", (token,)) == 0
        assert conn.scalar("SELECT count(*) FROM admin_tokens WHERE name = 'hq-ops'") == 1
    listed = _clerk("hub", "device", "list", "--db", hub.db, "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert any(r["id"] == device["device_id"] and r["revoked_at"] is None for r in rows)
    revoked = _clerk(
        "hub",
        "device",
        "revoke",
        device["device_id"],
        "--reason",
        "left the company",
        "--db",
        hub.db,
    )
    assert revoked.returncode == 0, revoked.stderr
    with hub.client(device["token"]) as c:
        resp = c.get("/v1/keys")
    assert resp.status_code == 401 and resp.json()["reason"] == "device_revoked"
    again = _clerk("hub", "device", "list", "--db", hub.db, "--json")
    row = next(json.loads(x) for x in again.stdout.splitlines() if device["device_id"] in x)
    assert row["revoked_at"] is not None and row["revoked_reason"] == "left the company"
    unknown = _clerk("hub", "device", "revoke", "dev-nope", "--db", hub.db)
    assert unknown.returncode == 1 and "dev-nope" in unknown.stderr
    with hub.store.read() as conn:
        actions = [r[0] for r in conn.rows("SELECT action FROM hub_audit ORDER BY id")]
    assert actions == ["admin_token_create", "device_revoke"]


@pytest.mark.parametrize("ttl", [0, -5])
def test_a_nonsense_token_lifetime_is_refused(ttl: int) -> None:
    with pytest.raises(ValueError):
        HubConfig(token_ttl_s=ttl)


def test_token_requests_for_made_up_devices_do_not_grow_the_hub(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The token route is rate-limited by the device id asked for — which anyone can make up:
    the limiter's memory stays bounded."""
    from sync.hub.app import _RateLimiter

    monkeypatch.setattr(_RateLimiter, "MAX_KEYS", 100)
    limiter = _RateLimiter(rate=200.0, burst=400)
    for i in range(1000):
        limiter.check(f"token:dev-{i:016x}")
        assert len(limiter._buckets) <= 100


def test_a_token_checked_without_the_database_is_still_refused_within_a_second(
    hub_db: str,
) -> None:
    """The hot path checks tokens on the event loop from the process's device cache and
    revoked set (no read per request): a revoke made elsewhere still reaches it in time."""
    with two_hubs(hub_db) as (one, two):
        device = one.enrol("S001", device_name="counter 2")
        token = device["token"]
        with two.client(token) as c:
            assert c.get("/v1/changes", params={"limit": 1}).status_code == 200
            # Warm: the device and a fresh revoked set answer without the database.
            two.store.devices.authenticate(token)
            assert two.store.devices.authenticate_cached(token) is not None
            one.store.devices.revoke(device["device_id"], reason="stolen")
            revoked_at = time.monotonic()
            while True:
                answer = c.get("/v1/changes", params={"limit": 1})
                elapsed = time.monotonic() - revoked_at
                if answer.status_code == 401 or elapsed > REVOKE_WITHIN_S:
                    break
        assert answer.status_code == 401 and answer.json()["reason"] == "device_revoked"
        assert elapsed <= REVOKE_WITHIN_S, f"refused only after {elapsed:.2f}s"
        with pytest.raises(UnauthenticatedError, match="revoked"):
            two.store.devices.authenticate(token)


def test_a_due_revoked_set_answers_tokens_without_the_database_while_it_is_re_read(
    hub: HubHandle,
) -> None:
    """At the hub's rate every request found the revoked set due in the window before a re-read
    and went the slow way (a thread, a read): now it is answered from the set while a background
    thread re-reads it, up to ``DEVICE_STALE_S`` — which keeps the second above."""
    devices = hub.store.devices
    device = hub.enrol("S001", device_name="counter 3")
    token = device["token"]
    devices.authenticate(token)  # the device and the revoked set known to this process
    revoked = devices._revoked
    revoked._read_at = time.monotonic() - (DEVICE_CHECK_S + DEVICE_STALE_S) / 2  # due
    assert revoked.due()
    found = devices.authenticate_cached(token)
    assert found is not None and found.id == device["device_id"]
    deadline = time.monotonic() + 5
    while revoked.due() and time.monotonic() < deadline:  # re-read by the background thread
        time.sleep(0.01)
    assert not revoked.due()
    revoked._read_at = time.monotonic() - DEVICE_STALE_S  # too old: the slow way
    assert devices.authenticate_cached(token) is None
    assert DEVICE_STALE_S + 0.1 < REVOKE_WITHIN_S  # a request's own time left within the second


def test_a_device_revoked_while_the_hub_was_down_is_refused_by_the_started_hub(
    hub_db: str,
) -> None:
    """Attack: a starting hub reads its devices into each process's cache before the first
    request (Devices.prime — a restarted hub's returning fleet is then checked on the fast
    path). A device revoked while no hub process ran is refused on its first request to every
    process all the same; the others are let in."""
    with two_hubs(hub_db) as (one, _two):
        lost = one.enrol("S001", device_name="lost till")
        kept = one.enrol("S001", device_name="till 2")
    store = HubStore.open(hub_db)
    try:
        store.devices.revoke(lost["device_id"], reason="stolen")
    finally:
        store.close()
    with two_hubs(hub_db) as (one, two):
        for hub in (one, two):  # the feed: the route its fast path answers from the cache
            with hub.client(lost["token"]) as c:
                answer = c.get("/v1/changes", params={"since": 0, "limit": 1})
            assert answer.status_code == 401 and answer.json()["reason"] == "device_revoked"
            with hub.client(kept["token"]) as c:
                assert c.get("/v1/changes", params={"since": 0, "limit": 1}).status_code == 200
