"""Enrolment, device tokens, signing keys and health checks, on every backend."""

from __future__ import annotations

import time

import httpx
from hub_client import pull_changes

from clerk.shared import membercode
from sync.hub.db import migrations
from sync.hub.embedded import HubHandle
from sync.protocol import RECONNECT_MIN_S

PROBLEM = "application/problem+json"


def _enrol(hub: HubHandle, store_id: str, code: str) -> httpx.Response:
    return httpx.post(
        hub.url + "/v1/devices/enroll",
        json={"store_id": store_id, "code": code, "device_name": "counter-1"},
        timeout=10,
    )


def test_enrol_returns_device_token_keys_and_phone_key(any_hub: HubHandle) -> None:
    resp = _enrol(any_hub, "S001", any_hub.enrol_code("S001"))
    assert resp.status_code == 200
    body = resp.json()
    assert body["store_id"] == "S001"
    assert body["store_name"] == "上海静安店"
    assert body["device_id"] and len(body["token"]) >= 32
    assert body["phone_bucket_key"] == any_hub.store.phone_bucket_key
    assert body["phone_seal_key"] == any_hub.store.phone_seal_public
    assert any_hub.store.phone_hash_key not in resp.text  # the hub's own key stays there
    assert any_hub.store.phone_seal_private not in resp.text
    active = any_hub.store.keys.active()
    assert {"kid": active.kid, "public_key": active.public_key, "not_after": None} in body["keys"]
    with any_hub.client(body["token"]) as client:
        assert client.get("/v1/keys").status_code == 200


def test_token_is_stored_hashed(any_hub: HubHandle) -> None:
    body = any_hub.enrol("S002")
    with any_hub.store.read() as conn:
        stored = conn.scalar("SELECT token_hash FROM devices WHERE id = ?", (body["device_id"],))
    assert stored != body["token"] and len(stored) == 64


def test_enrol_code_is_one_time(any_hub: HubHandle) -> None:
    code = any_hub.enrol_code("S001")
    assert _enrol(any_hub, "S001", code).status_code == 200
    again = _enrol(any_hub, "S001", code)
    assert again.status_code == 403
    assert again.headers["content-type"].startswith(PROBLEM)
    assert again.json()["reason"] == "enrol_code_used"


def test_enrol_code_is_for_one_store_and_typed_loosely(any_hub: HubHandle) -> None:
    code = any_hub.enrol_code("S001")
    wrong = _enrol(any_hub, "S002", code)
    assert wrong.status_code == 403 and wrong.json()["reason"] == "enrol_code_invalid"
    typed = code.replace("-", " ").lower()  # as a person types it
    assert _enrol(any_hub, "S001", typed).status_code == 200


def test_expired_enrol_code_is_rejected(any_hub: HubHandle) -> None:
    code = any_hub.store.devices.create_enrol_code("S001", now=1_000_000)
    resp = _enrol(any_hub, "S001", code)
    assert resp.status_code == 403 and resp.json()["reason"] == "enrol_code_expired"


def test_missing_or_bad_token_is_401_problem(any_hub: HubHandle) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}):
        resp = httpx.get(any_hub.url + "/v1/changes", headers=headers, timeout=10)
        assert resp.status_code == 401, headers
        assert resp.headers["content-type"].startswith(PROBLEM)
        assert resp.headers["www-authenticate"] == "Bearer"
        body = resp.json()
        assert body["status"] == 401 and body["title"] == "Unauthorized"


def test_revoked_device_is_refused(any_hub: HubHandle) -> None:
    body = any_hub.enrol("S001")
    any_hub.store.devices.revoke(body["device_id"])
    with any_hub.client(body["token"]) as client:
        assert client.get("/v1/keys").status_code == 401


def test_rotated_key_signs_new_codes_and_old_key_retires(any_hub: HubHandle) -> None:
    body = any_hub.enrol("S001")
    old = any_hub.store.keys.active()
    new = any_hub.store.keys.rotate()
    assert new.kid != old.kid
    with any_hub.client(body["token"]) as client:
        keys = {k["kid"]: k for k in client.get("/v1/keys").json()["keys"]}
        feed, _cursor = pull_changes(client)
    assert keys[new.kid]["not_after"] is None
    assert keys[old.kid]["not_after"] is not None
    key_changes = {c["key"]: c["data"] for c in feed if c["entity"] == "key"}
    assert key_changes[str(old.kid)]["not_after"] == keys[old.kid]["not_after"]
    assert key_changes[str(new.kid)]["public_key"] == new.public_key
    code = any_hub.member_code("M00000001")
    raw = membercode.keys_from_hex({k: v["public_key"] for k, v in keys.items()})
    verified = membercode.verify(code, raw, now=time.time())
    assert verified.kid == new.kid
    assert verified.code_id == any_hub.store.members.code_id("M00000001")


def test_health_and_readiness(any_hub: HubHandle) -> None:
    health = httpx.get(any_hub.url + "/healthz", timeout=10).json()
    assert health == {"status": "ok", "reconnect_s": RECONNECT_MIN_S}  # no device yet
    ready = httpx.get(any_hub.url + "/readyz", timeout=10)
    newest = max(v for v, _name, _sql in migrations())
    assert newest >= 4  # 3: devices that can be cut off; 4: phones and audit chains
    assert ready.status_code == 200 and ready.json()["schema_version"] == newest
