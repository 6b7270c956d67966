"""Every error is RFC 9457 problem JSON; limits answer 413/429/503 with the right headers."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hub_client import make_interaction

from sync.hub.app import HubConfig
from sync.hub.embedded import HubHandle, running_hub

PROBLEM = "application/problem+json"


def assert_problem(resp: httpx.Response, status: int) -> dict[str, object]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith(PROBLEM)
    body: dict[str, object] = resp.json()
    assert body["status"] == status and isinstance(body["title"], str)
    return body


@pytest.fixture
def token(any_hub: HubHandle) -> str:
    return str(any_hub.enrol("S001")["token"])


def test_oversized_body_is_413_by_declared_length(any_hub: HubHandle, token: str) -> None:
    with any_hub.client(token) as client:
        resp = client.post(
            "/v1/interactions",
            content=b" " * (2 * 1024 * 1024 + 1),
            headers={"content-type": "application/json"},
        )
    assert assert_problem(resp, 413)["reason"] == "too_large"


def test_oversized_chunked_body_is_413_by_bytes_received(any_hub: HubHandle, token: str) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):  # 40 × 64 KiB = 2.5 MiB, no Content-Length
            yield b" " * 65536

    with any_hub.client(token) as client:
        resp = client.post(
            "/v1/interactions", content=chunks(), headers={"content-type": "application/json"}
        )
    assert "content-length" not in resp.request.headers
    assert_problem(resp, 413)


def test_lying_content_length_does_not_crash_the_hub(any_hub: HubHandle, token: str) -> None:
    host, port = any_hub.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/interactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + token.encode() + b"\r\nContent-Length: nope\r\n\r\n{}"
        )
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 4")
    assert httpx.get(any_hub.url + "/healthz", timeout=10).status_code == 200


def test_malformed_json_and_bad_params_are_422(any_hub: HubHandle, token: str) -> None:
    with any_hub.client(token) as client:
        bad_json = client.post(
            "/v1/interactions",
            content=b'{"interactions": [',
            headers={"content-type": "application/json"},
        )
        assert assert_problem(bad_json, 422)["reason"] == "malformed_json"
        enrol = httpx.post(
            any_hub.url + "/v1/devices/enroll",
            content=b"{oops",
            headers={"content-type": "application/json"},
            timeout=10,
        )
        assert_problem(enrol, 422)
        missing = httpx.post(
            any_hub.url + "/v1/devices/enroll", json={"store_id": "S001"}, timeout=10
        )
        assert "code" in str(assert_problem(missing, 422)["detail"])
        long_id = client.get("/v1/members/" + "x" * 200)
        assert_problem(long_id, 422)


def test_unknown_route_and_method_are_problems(any_hub: HubHandle, token: str) -> None:
    with any_hub.client(token) as client:
        assert_problem(client.get("/v1/nothing-here"), 404)
        assert_problem(client.delete("/v1/interactions"), 405)
        assert_problem(client.get("/v1/members/NOPE"), 404)


def test_rate_limit_is_429_with_retry_after(tmp_path: Path, _sqlite_template: Path) -> None:
    db = tmp_path / "hub.db"
    db.write_bytes(_sqlite_template.read_bytes())
    with running_hub(str(db), config=HubConfig(rate_per_s=0.01, burst=3)) as hub:
        token = hub.enrol("S001")["token"]
        with hub.client(token) as client:
            codes = [client.get("/v1/keys").status_code for _ in range(3)]
            limited = client.get("/v1/keys")
    assert codes == [200, 200, 200]
    assert_problem(limited, 429)
    assert int(limited.headers["retry-after"]) >= 1


def test_overload_is_503_with_retry_after(tmp_path: Path, _sqlite_template: Path) -> None:
    db = tmp_path / "hub.db"
    db.write_bytes(_sqlite_template.read_bytes())
    with running_hub(str(db), config=HubConfig(max_pending_writes=0)) as hub:
        token = hub.enrol("S001")["token"]
        with hub.client(token) as client:
            resp = client.post(
                "/v1/interactions", json={"interactions": [make_interaction("visit")]}
            )
    assert assert_problem(resp, 503)["reason"] == "busy"
    assert resp.headers["retry-after"] == "1"


def test_each_request_is_one_json_log_line(
    any_hub: HubHandle, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="sync.hub.access"), any_hub.client(token) as client:
        client.get("/v1/keys")
        client.get("/v1/members/NOPE")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "sync.hub.access"]
    assert [(x["path"], x["status"]) for x in lines[-2:]] == [
        ("/v1/keys", 200),
        ("/v1/members/NOPE", 404),
    ]
    assert all(x["device"] and x["method"] == "GET" and x["ms"] >= 0 for x in lines[-2:])


def test_openapi_is_served_and_documents_the_batch(any_hub: HubHandle) -> None:
    spec = httpx.get(any_hub.url + "/openapi.json", timeout=10).json()
    body = spec["paths"]["/v1/interactions"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/InteractionBatch")
    assert "Interaction" in spec["components"]["schemas"]
    assert "Problem" in spec["components"]["schemas"]


def test_hostile_values_are_rejected_not_500(any_hub: HubHandle, token: str) -> None:
    good = make_interaction("visit")
    surrogate_text = {**make_interaction("note"), "payload": {"text": "\udaa4"}}
    huge_time = {**make_interaction("visit"), "created_at": 10**30}
    body = json.dumps({"interactions": [surrogate_text, huge_time, good]})  # ASCII escapes
    with any_hub.client(token) as client:
        resp = client.post(
            "/v1/interactions", content=body, headers={"content-type": "application/json"}
        )
        assert resp.status_code == 200
        assert [r["status"] for r in resp.json()["results"]] == ["rejected", "rejected", "accepted"]
        bad_id = json.dumps({"interactions": [{**good, "id": "\ud800" * 36}]})
        assert_problem(
            client.post(
                "/v1/interactions", content=bad_id, headers={"content-type": "application/json"}
            ),
            422,
        )
        nan = b'{"interactions": [{"id": "x", "kind": "audit", "created_at": NaN}]}'
        assert_problem(
            client.post(
                "/v1/interactions", content=nan, headers={"content-type": "application/json"}
            ),
            422,
        )
        lookup = client.get("/v1/members/lookup", params={"card_no": "%ED%A0%80"})
        assert lookup.status_code in (404, 422)
        assert_problem(client.get("/v1/members/%ED%A0%80"), 404)
