"""Every error is RFC 9457 problem JSON; limits answer 413/429/503 with the right headers."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hub_client import make_interaction

from clerk.shared.interactions import KINDS
from clerk.shared.money import MAX_CENTS
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
    shut = HubConfig(max_pending_writes=0, write_wait_s=None)  # a fixed door of none
    with running_hub(str(db), config=shut) as hub:
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
        # The line is written once the answer is sent: the client may read it first.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(
            "/v1/members/NOPE" in r.getMessage() for r in caplog.records
        ):
            time.sleep(0.01)
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
    schemas = spec["components"]["schemas"]
    # one interaction per kind of the vocabulary, told apart by its kind, each with its payload
    items = schemas["InteractionBatch"]["properties"]["interactions"]["items"]
    mapping = items["discriminator"]["mapping"]
    assert items["discriminator"]["propertyName"] == "kind"
    assert set(mapping) == set(KINDS)
    for kind, spec_of_kind in KINDS.items():
        member = schemas[mapping[kind].rsplit("/", 1)[1]]
        assert member["properties"]["kind"]["const"] == kind
        payload = member["properties"]["payload"]["$ref"].rsplit("/", 1)[1]
        assert payload == spec_of_kind.payload.__name__ and payload in schemas
    assert schemas["Sale"]["properties"]["amount_cents"]["maximum"] == MAX_CENTS
    assert "Problem" in schemas


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
        for body in ('{"staff_id": "A01", "card_no": "\\ud800"}', '{"staff_id": "\\ud800"}'):
            proof = _post_to(client, "/v1/members/lookup", body)
            assert proof.status_code in (403, 422), body
            assert proof.headers["content-type"].startswith("application/problem+json")
        assert_problem(client.get("/v1/members/%ED%A0%80"), 404)


def _post_to(client: httpx.Client, path: str, body: str) -> httpx.Response:
    return client.post(
        path, content=body.encode("utf-8"), headers={"content-type": "application/json"}
    )


def _post(client: httpx.Client, body: str | bytes) -> httpx.Response:
    return client.post(
        "/v1/interactions",
        content=body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass"),
        headers={"content-type": "application/json"},
    )


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("a thousand levels in the body", "[" * 1000 + "]" * 1000),
        ("a hundred thousand levels", "[" * 100_000 + "]" * 100_000),
        ("a thousand levels of interactions", '{"interactions": ' + "[" * 1000 + "]" * 1000 + "}"),
        ("a thousand levels in a payload", "PAYLOAD:" + "[" * 1000 + "]" * 1000),
        ("a thousand objects in a payload", "PAYLOAD:" + '{"a":' * 1000 + "1" + "}" * 1000),
        ("forty levels in a payload", "PAYLOAD:" + "[" * 40 + "]" * 40),
    ],
)
def test_deep_nesting_is_a_422_with_a_reason_never_a_500(
    any_hub: HubHandle, token: str, name: str, body: str
) -> None:
    if body.startswith("PAYLOAD:"):
        item = make_interaction("note", text="deep")
        body = json.dumps({"interactions": [item]}).replace(
            '"text": "deep"', '"text": "deep", "nested": ' + body.removeprefix("PAYLOAD:")
        )
    with any_hub.client(token) as client:
        resp = _post(client, body)
        problem = assert_problem(resp, 422)
        assert problem["reason"] == "too_deep", name
        assert "nested" in str(problem["detail"])
        # and the hub is still fine
        ok = _post(client, json.dumps({"interactions": [make_interaction("visit")]}))
        assert ok.status_code == 200


def test_ordinary_nesting_is_still_accepted(any_hub: HubHandle, token: str) -> None:
    item = make_interaction("note", text="shallow", extra={"a": [{"b": [[1, 2], {"c": None}]}]})
    with any_hub.client(token) as client:
        resp = _post(client, json.dumps({"interactions": [item]}))
    assert resp.status_code == 200 and resp.json()["results"][0]["status"] == "accepted"


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("sale", {"amount_cents": 10**400}),
        ("sale", {"amount_cents": -(10**400)}),
        ("sale", {"amount_cents": "FLOAT:1e400"}),
        ("sale", {"amount_cents": 1e308}),
        ("sale", {"amount_cents": 100, "cart_item_ids": [10**400, None, {"a": 1}]}),
        ("redeem", {"coupon_id": 10**400}),
        ("interest", {"sku": 10**400}),
        ("consent", {"marketing": 10**400}),
        ("note", {"created_at_override": 1, "text": 10**400}),
    ],
)
def test_out_of_range_numbers_get_an_answer_with_a_reason_never_a_500(
    any_hub: HubHandle, token: str, kind: str, payload: dict[str, object]
) -> None:
    """An absurd number in an item is that item's problem: it is rejected with a reason and
    the items beside it are accepted (the protocol answers per item)."""
    member = any_hub.store.members.ids("S001", limit=1)[0]
    bad = make_interaction(kind, member, device_seq=1, **payload)
    good = make_interaction("visit", member, device_seq=2)
    body = json.dumps({"interactions": [bad, good]}).replace('"FLOAT:1e400"', "1e400")
    with any_hub.client(token) as client:
        resp = _post(client, body)
    assert resp.status_code == 200, resp.text
    results = resp.json()["results"]
    assert [r["status"] for r in results] == ["rejected", "accepted"]
    assert results[0]["reason"] in ("bad_payload", "bad_item")


@pytest.mark.parametrize(
    ("field", "value"),
    [("created_at", 10**400), ("device_seq", 10**30), ("created_at", "FLOAT:1e400")],
)
def test_out_of_range_envelope_numbers_are_rejected_items(
    any_hub: HubHandle, token: str, field: str, value: object
) -> None:
    item = {**make_interaction("visit"), field: value}
    body = json.dumps({"interactions": [item]}).replace('"FLOAT:1e400"', "1e400")
    with any_hub.client(token) as client:
        resp = _post(client, body)
    assert resp.status_code == 200, resp.text
    assert resp.json()["results"][0] == {
        "id": item["id"],
        "status": "rejected",
        "reason": "bad_item",
        "conflict_with": None,
    }


@pytest.mark.parametrize(
    "body",
    [
        b'"just a string"',
        b"1e400",
        b'{"interactions": null}',
        b'{"interactions": {"a": 1}}',
        b'{"interactions": [1, 2]}',
        b'{"interactions": [{"id": 5}]}',
        b'{"interactions": [], "x": 1}',
        b"\xff\xfe not utf-8",
        b'{"interactions": [' + b"9" * 5000 + b"]}",
    ],
)
def test_malformed_batches_are_4xx_with_a_reason(
    any_hub: HubHandle, token: str, body: bytes
) -> None:
    with any_hub.client(token) as client:
        resp = _post(client, body)
    assert 400 <= resp.status_code < 500, resp.text
    assert resp.headers["content-type"].startswith(PROBLEM)
    assert resp.json()["reason"]
