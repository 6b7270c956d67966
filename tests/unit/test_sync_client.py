"""HubClient and SyncEngine against httpx.MockTransport: error mapping, hostile answers.

No network: every answer comes from a handler in this file. The engine tests use real SQLite
files under tmp_path to show a bad answer never reaches the cache.
"""

from __future__ import annotations

import email.utils
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk.errors import ConfigError, NotEnrolledError
from clerk.model import Identity
from sync.client import HubClient
from sync.credentials import Credentials, credentials, save_credentials
from sync.engine import SyncEngine
from sync.errors import (
    AuthError,
    DeviceRevokedError,
    HubError,
    ProtocolError,
    RejectedError,
    RetryableHubError,
    SyncError,
    TransportError,
    error_for_status,
    parse_retry_after,
)

Handler = Callable[[httpx.Request], httpx.Response]
NOW = 1_750_000_000.0
BASE = "http://hub.test"


def client_for(handler: Handler, **kw: Any) -> HubClient:
    return HubClient(BASE, "tok", transport=httpx.MockTransport(handler), clock=lambda: NOW, **kw)


def problem(status: int, title: str = "Nope", **extra: Any) -> httpx.Response:
    body = {"type": "about:blank", "title": title, "status": status, **extra}
    return httpx.Response(status, json=body, headers={"content-type": "application/problem+json"})


def member_row(mid: str, **kw: Any) -> dict[str, Any]:
    row = {"id": mid, "name": f"Name {mid}", "tier": "gold", "points": 10, "card_no": None}
    row.update(kw)
    return row


def change(seq: int, mid: str | None = None, **kw: Any) -> dict[str, Any]:
    mid = mid or f"M{seq:05d}"
    return {"seq": seq, "entity": "member", "op": "upsert", "key": mid, "data": member_row(mid)}


# -- errors ------------------------------------------------------------------------------------


class TestRetryAfter:
    def test_delta_seconds(self) -> None:
        assert parse_retry_after("120") == 120.0
        assert parse_retry_after(" 0 ") == 0.0

    def test_http_date(self) -> None:
        when = email.utils.formatdate(NOW + 30, usegmt=True)
        assert parse_retry_after(when, now=NOW) == pytest.approx(30.0)

    def test_date_in_the_past_means_now(self) -> None:
        when = email.utils.formatdate(NOW - 300, usegmt=True)
        assert parse_retry_after(when, now=NOW) == 0.0

    @pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5", "Mon, 99 Foo 2024"])
    def test_garbage_is_none(self, value: str | None) -> None:
        assert parse_retry_after(value, now=NOW) is None


class TestErrorMapping:
    @pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
    def test_retryable(self, status: int) -> None:
        err = error_for_status(status, b"", headers={"retry-after": "7"})
        assert type(err) is RetryableHubError
        assert err.status == status
        assert err.retry_after == 7.0

    @pytest.mark.parametrize("status", [400, 404, 409, 413, 422])
    def test_rejected(self, status: int) -> None:
        err = error_for_status(status, b"")
        assert type(err) is RejectedError
        assert not isinstance(err, RetryableHubError)

    @pytest.mark.parametrize("status", [401, 403])
    def test_auth(self, status: int) -> None:
        err = error_for_status(status, b"")
        assert isinstance(err, AuthError) and isinstance(err, RejectedError)
        assert not isinstance(err, DeviceRevokedError)
        assert err.reason == "unauthorized"

    def test_revoked(self) -> None:
        body = json.dumps({"title": "Unauthorized", "status": 401, "reason": "device_revoked"})
        err = error_for_status(401, body.encode())
        assert isinstance(err, DeviceRevokedError) and isinstance(err, AuthError)
        assert err.reason == "device_revoked"
        other = error_for_status(403, body.replace("401", "403").encode())
        assert type(other) is AuthError  # only a 401 says the device was revoked

    def test_tree(self) -> None:
        for cls in (TransportError, HubError, ProtocolError):
            assert issubclass(cls, SyncError)
        assert issubclass(RetryableHubError, HubError)
        assert issubclass(RejectedError, HubError)
        assert not issubclass(RetryableHubError, RejectedError)

    def test_problem_json_and_hub_reason(self) -> None:
        body = json.dumps(
            {"title": "Unprocessable", "status": 422, "detail": "kind: bad", "reason": "invalid"}
        ).encode()
        err = error_for_status(422, body)
        assert err.problem.title == "Unprocessable"
        assert err.problem.detail == "kind: bad"
        assert err.hub_reason == "invalid"
        assert "kind: bad" in str(err)

    def test_fastapi_validation_body(self) -> None:
        body = json.dumps(
            {"detail": [{"loc": ["body", "interactions", 3, "kind"], "msg": "bad kind"}]}
        ).encode()
        err = error_for_status(422, body, reason_phrase="Unprocessable Entity")
        assert err.problem.title == "Unprocessable Entity"
        assert err.problem.detail == "interactions.3.kind: bad kind"

    def test_html_body_from_a_proxy(self) -> None:
        err = error_for_status(502, b"<html>Bad gateway</html>", reason_phrase="Bad Gateway")
        assert isinstance(err, RetryableHubError)
        assert err.retry_after is None
        assert err.problem.detail == "<html>Bad gateway</html>"

    def test_huge_error_text_is_bounded(self) -> None:
        err = error_for_status(400, json.dumps({"title": "x" * 100_000, "status": 400}).encode())
        assert len(str(err)) <= 500


# -- client ------------------------------------------------------------------------------------


CHANGES_OK = {"changes": [change(1), change(2)], "next_cursor": 2, "has_more": False}


class TestClient:
    def test_parses_changes_and_ignores_unknown_fields(self) -> None:
        doc = {**CHANGES_OK, "future_field": {"x": 1}}
        doc["changes"] = [{**change(1), "also_new": True}]
        with client_for(lambda r: httpx.Response(200, json=doc)) as c:
            page = c.changes(0, 10)
        assert page.next_cursor == 2 and page.changes[0].key == "M00001"

    def test_sends_token_params_and_explicit_timeouts(self) -> None:
        seen: list[httpx.Request] = []

        def handler(req: httpx.Request) -> httpx.Response:
            seen.append(req)
            return httpx.Response(200, json=CHANGES_OK)

        with client_for(handler) as c:
            c.changes(41, 500)
        req = seen[0]
        assert req.url.path == "/v1/changes"
        assert req.url.params["since"] == "41" and req.url.params["limit"] == "500"
        assert req.headers["authorization"] == "Bearer tok"
        assert req.extensions["timeout"] == {"connect": 2, "read": 10, "write": 10, "pool": 2}

    def test_changes_page_asks_for_rows_and_reads_what_the_hub_answers(self) -> None:
        rows_doc = {
            "format": "rows",
            "runs": [
                {
                    "entity": "member",
                    "op": "upsert",
                    "seqs": [1],
                    "columns": ["id", "name"],
                    "rows": [["M1", "A"]],
                },
                {"entity": "browse", "op": "delete", "seqs": [2], "keys": ["7"]},
            ],
            "next_cursor": 2,
            "has_more": False,
        }
        knows_rows = True
        seen: list[httpx.Request] = []

        def handler(req: httpx.Request) -> httpx.Response:
            seen.append(req)
            rows = knows_rows and req.url.params.get("format") == "rows"
            body = json.dumps(rows_doc if rows else CHANGES_OK, separators=(",", ":"))
            return httpx.Response(200, content=body.encode())

        with client_for(handler) as c:
            page: Any = c.changes_page(0, 10)
            assert seen[-1].url.params["format"] == "rows"
            assert page["runs"][0]["rows"] == [["M1", "A"]] and page["next_cursor"] == 2
            spaced = json.dumps(rows_doc).encode()  # the format told with whitespace too
            with client_for(lambda r: httpx.Response(200, content=b"\n " + spaced)) as c2:
                told: Any = c2.changes_page(0, 10)
                assert told["runs"] == rows_doc["runs"]
            page = c.changes_page(0, 10, rows=False)
            assert "format" not in seen[-1].url.params and len(page["changes"]) == 2
            knows_rows = False  # an older hub: the parameter ignored, objects answered
            page = c.changes_page(0, 10)
            assert seen[-1].url.params["format"] == "rows" and len(page["changes"]) == 2

    @pytest.mark.parametrize(
        "body",
        [
            b'{"format":"rows","runs":[{"entity":"spaceship","op":"delete","seqs":[1],'
            b'"keys":["1"]}],"next_cursor":1,"has_more":false}',
            b'{"format":"rows","runs":[{"entity":"member","op":"upsert","seqs":[1],'
            b'"columns":["id"],"rows":[[' + b"1," * 64 + b'1]]}],"next_cursor":1,"has_more":false}',
            b'{"format":"rows","runs":[{"entity":"member","op":"upsert","seqs":["x"]}],'
            b'"next_cursor":1,"has_more":false}',
            b'{"format":"rows","runs":[],"next_cursor":1}',
            b'{"format":"rows","runs":[' + b"[" * 100_000,
            b'{"next_cursor":1,"has_more":false,"format":"rows","runs":[]}',  # not first: objects
            b' { "format" : "rows", "runs": [{}], "next_cursor": 1, "has_more": false}',
        ],
        ids=["entity", "huge row", "seq", "has_more", "deep", "format not first", "spaced"],
    )
    def test_a_malformed_rows_page_is_a_protocol_error(self, body: bytes) -> None:
        with (
            client_for(lambda r: httpx.Response(200, content=body)) as c,
            pytest.raises(ProtocolError, match="malformed"),
        ):
            c.changes_page(0, 10)

    def test_enroll_sends_no_token(self) -> None:
        seen: list[httpx.Request] = []
        enrolled = {
            "device_id": "D1",
            "token": "secret",
            "store_id": "S001",
            "store_name": "Store",
            "keys": [{"kid": 1, "public_key": "ab" * 32}],
            "phone_bucket_key": "ab" * 32,
            "phone_seal_key": "cd" * 32,
        }

        def handler(req: httpx.Request) -> httpx.Response:
            seen.append(req)
            return httpx.Response(200, json=enrolled)

        with client_for(handler) as c:
            resp = c.enroll("S001", "CODE", "till 1")
        assert resp.device_id == "D1"
        assert "authorization" not in seen[0].headers
        assert json.loads(seen[0].content) == {
            "store_id": "S001",
            "code": "CODE",
            "device_name": "till 1",
        }

    def test_lookup_has_a_one_second_budget_and_404_is_none(self) -> None:
        seen: list[httpx.Request] = []

        def handler(req: httpx.Request) -> httpx.Response:
            seen.append(req)
            return problem(404, "Not found")

        with client_for(handler) as c:
            assert c.lookup_member(staff_id="A01", card_no="6200000000000000") is None
        assert seen[0].method == "POST" and seen[0].url.path == "/v1/members/lookup"
        # The proof travels in the body, never in the URL (nor in the hub's access log).
        assert "6200000000000000" not in str(seen[0].url)
        assert json.loads(seen[0].content) == {"staff_id": "A01", "card_no": "6200000000000000"}
        assert all(v <= 1.0 for v in seen[0].extensions["timeout"].values())

    def test_lookup_needs_exactly_one_proof(self) -> None:
        with client_for(lambda r: httpx.Response(200, json={})) as c:
            with pytest.raises(ValueError):
                c.lookup_member(staff_id="A01", card_no="1", phone="2")
            with pytest.raises(ValueError):
                c.lookup_member(staff_id="A01")

    def test_member_path_is_quoted(self) -> None:
        seen: list[httpx.Request] = []

        def handler(req: httpx.Request) -> httpx.Response:
            seen.append(req)
            return httpx.Response(200, json={"member": member_row("M/1")})

        with client_for(handler) as c:
            assert c.member("M/1").member["id"] == "M/1"
        assert seen[0].url.raw_path == b"/v1/members/M%2F1"

    def test_http_error_carries_problem_and_retry_after(self) -> None:
        def handler(req: httpx.Request) -> httpx.Response:
            resp = problem(429, "Too many requests")
            resp.headers["Retry-After"] = email.utils.formatdate(NOW + 45, usegmt=True)
            return resp

        with client_for(handler) as c, pytest.raises(RetryableHubError) as info:
            c.push([{"id": "x"}])
        assert info.value.retry_after == pytest.approx(45.0)
        assert c.online is True  # the hub answered

    @pytest.mark.parametrize(
        "exc",
        [
            httpx.ConnectError("refused"),
            httpx.ConnectTimeout("slow"),
            httpx.ReadTimeout("slow"),
            httpx.ReadError("reset"),
            httpx.RemoteProtocolError("peer closed connection without sending complete body"),
        ],
    )
    def test_transport_failures(self, exc: Exception) -> None:
        def handler(req: httpx.Request) -> httpx.Response:
            raise exc

        with client_for(handler) as c, pytest.raises(TransportError) as info:
            c.keys()
        assert info.value.__cause__ is exc
        assert c.online is False

    @pytest.mark.parametrize(
        "body",
        [
            b'{"changes": [{"seq": 1, "entity": "member", "op": "upsert"',  # truncated
            b'{"changes": "lots", "next_cursor": 1, "has_more": false}',  # wrong type
            b'{"changes": [], "next_cursor": "x", "has_more": false}',
            b'{"changes": [{"seq": 1, "entity": "spaceship", "op": "upsert", "key": "k"}],'
            b' "next_cursor": 1, "has_more": false}',  # unknown entity
            b"[]",
            b"",
            b"\xff\xfe not json",
            b"<html>captive portal</html>",
        ],
    )
    def test_hostile_bodies_are_protocol_errors(self, body: bytes) -> None:
        with (
            client_for(lambda r: httpx.Response(200, content=body)) as c,
            pytest.raises(ProtocolError),
        ):
            c.changes(0, 10)

    def test_too_many_changes_for_the_schema(self) -> None:
        doc = {"changes": [change(i) for i in range(1, 5003)], "next_cursor": 1, "has_more": True}
        with client_for(lambda r: httpx.Response(200, json=doc)) as c, pytest.raises(ProtocolError):
            c.changes(0, 5000)

    def test_declared_oversize_is_refused_before_reading(self) -> None:
        def handler(req: httpx.Request) -> httpx.Response:
            return httpx.Response(200, headers={"content-length": "999999"}, content=b"{}")

        with client_for(handler, max_response_bytes=1000) as c, pytest.raises(ProtocolError):
            c.keys()

    def test_streamed_oversize_is_cut_off(self) -> None:
        def chunks() -> Iterator[bytes]:
            yield b'{"keys": ['
            for _ in range(1000):
                yield b'{"kid": 1, "public_key": "' + b"a" * 64 + b'"},'
            yield b"]}"

        def handler(req: httpx.Request) -> httpx.Response:
            return httpx.Response(200, content=chunks())

        with client_for(handler, max_response_bytes=10_000) as c, pytest.raises(ProtocolError):
            c.keys()

    def test_unexpected_success_status(self) -> None:
        with client_for(lambda r: httpx.Response(204)) as c, pytest.raises(ProtocolError):
            c.keys()

    def test_redirect_is_not_followed(self) -> None:
        def handler(req: httpx.Request) -> httpx.Response:
            return httpx.Response(302, headers={"location": "http://evil.test/"})

        with client_for(handler) as c, pytest.raises(ProtocolError):
            c.keys()

    @pytest.mark.parametrize("url", ["", "hub.example", "ftp://hub", "http://"])
    def test_bad_hub_url_is_a_config_error(self, url: str) -> None:
        with pytest.raises(ConfigError) as info:
            HubClient(url)
        assert info.value.reason == "hub_url"
        with client_for(lambda r: httpx.Response(200)) as c, pytest.raises(ConfigError):
            c.configure(base_url=url)
        assert c.base_url == BASE

    def test_clock_offset_from_date_header(self) -> None:
        def handler(req: httpx.Request) -> httpx.Response:
            date = email.utils.formatdate(NOW + 90, usegmt=True)
            return httpx.Response(200, json={"keys": []}, headers={"date": date})

        with client_for(handler) as c:
            assert c.last_clock_offset is None
            c.keys()
        assert c.last_clock_offset == pytest.approx(90.0)


# -- engine against hostile answers --------------------------------------------------------------


class Files:
    def __init__(self, root: Path) -> None:
        self.cache = cache_mod.open_cache(root / "cache.db")
        self.outbox = outbox_mod.open_outbox(root / "outbox.db")

    def close(self) -> None:
        self.cache.close()
        self.outbox.close()


@pytest.fixture
def files(tmp_path: Path) -> Iterator[Files]:
    f = Files(tmp_path)
    save_credentials(
        f.outbox,
        Credentials(
            device_id="D1",
            token="tok",
            store_id="S001",
            hub_url=BASE,
            store_name="Demo",
        ),
    )
    yield f
    f.close()


def engine_for(files: Files, handler: Handler) -> SyncEngine:
    transport = httpx.MockTransport(handler)
    client = HubClient(BASE, transport=transport, clock=lambda: NOW)
    return SyncEngine(files.cache, files.outbox, client, clock=lambda: NOW)


def dump(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for table, _pk, _cols in cache_mod.TABLES.values():
        rows += [(table, *r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1")]
    return rows


def record_n(conn: sqlite3.Connection, n: int) -> list[str]:
    return [
        outbox_mod.record(conn, "note", member_id=f"M{i}", payload={"text": f"n{i}"}).id
        for i in range(n)
    ]


def states(conn: sqlite3.Connection) -> dict[str, str]:
    return {r[0]: r[1] for r in conn.execute("SELECT id, state FROM interactions")}


class TestEngineCredentials:
    def test_not_enrolled(self, tmp_path: Path) -> None:
        f = Files(tmp_path)
        try:
            engine = engine_for(f, lambda r: httpx.Response(500))
            assert credentials(f.outbox) is None
            with pytest.raises(NotEnrolledError):
                engine.push_once()
            with pytest.raises(NotEnrolledError):
                engine.pull_once()
            assert engine.status()["enrolled"] is False
        finally:
            f.close()

    def test_client_takes_stored_token_and_url(self, files: Files) -> None:
        seen: list[httpx.Request] = []

        def handler(req: httpx.Request) -> httpx.Response:
            seen.append(req)
            return httpx.Response(200, json={"keys": [{"kid": 3, "public_key": "cd" * 32}]})

        client = HubClient("http://placeholder.test", transport=httpx.MockTransport(handler))
        engine = SyncEngine(files.cache, files.outbox, client)
        assert engine.refresh_keys() == 1
        assert seen[0].headers["authorization"] == "Bearer tok"
        assert seen[0].url.host == "hub.test"
        assert "tok" not in repr(engine.credentials())
        kid = files.cache.execute("SELECT kid FROM public_keys").fetchone()[0]
        assert kid == 3
        client.close()


def page(changes: list[dict[str, Any]], cursor: int, more: bool = False, **kw: Any) -> Any:
    return {"changes": changes, "next_cursor": cursor, "has_more": more, **kw}


def with_data(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**change(11), "data": data}]


HOSTILE_PAGES: list[tuple[str, Any]] = [
    ("seq goes backwards", page([change(5), change(3)], 5)),
    ("seq not after since", page([change(10)], 10)),
    ("cursor behind rows", page([change(11), change(12)], 11)),
    ("more but no progress", page([], 10, True)),
    ("more than the limit", page([change(i) for i in range(11, 14)], 13)),
    ("upsert without data", page([{**change(11), "data": None}], 11)),
    ("unbindable value", page(with_data({"id": "M", "name": {"x": 1}}), 11)),
    ("missing NOT NULL column", page(with_data({"id": "M"}), 11)),
    ("integer overflow", page(with_data(member_row("M", points=2**70)), 11)),
    ("truncated json", b'{"changes": [{"seq": 11, "entity": "member", "op"'),
    ("wrong types", page([{"seq": "eleven"}], 11)),
]


class TestEnginePullHostile:
    @pytest.mark.parametrize(("name", "body"), HOSTILE_PAGES, ids=[n for n, _ in HOSTILE_PAGES])
    def test_cache_untouched(self, files: Files, name: str, body: Any) -> None:
        # A good first state: cursor 10 with one member.
        cache_mod.apply_changes(files.cache, [change(1, "M0")])
        cache_mod.set_state(files.cache, "cursor", "10")
        before = dump(files.cache)

        def handler(req: httpx.Request) -> httpx.Response:
            if isinstance(body, bytes):
                return httpx.Response(200, content=body)
            return httpx.Response(200, json=body)

        engine = engine_for(files, handler)
        with pytest.raises(ProtocolError):
            engine.pull_once(limit=2)
        assert dump(files.cache) == before
        assert engine.cursor() == 10
        status = engine.status()
        assert status["last_error"].startswith("protocol:")
        assert status["online"] is True
        engine.client.close()

    def test_good_pages_then_a_bad_one_keeps_the_good(self, files: Files) -> None:
        pages = {
            0: {"changes": [change(1), change(2)], "next_cursor": 2, "has_more": True},
            2: {"changes": [change(3), change(4)], "next_cursor": 4, "has_more": True},
            4: {"changes": [change(4)], "next_cursor": 4, "has_more": True},
        }

        def handler(req: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json=pages[int(req.url.params["since"])])

        engine = engine_for(files, handler)
        with pytest.raises(ProtocolError):
            engine.pull_once(limit=2)
        assert engine.cursor() == 4
        ids = [r[0] for r in files.cache.execute("SELECT id FROM members ORDER BY id")]
        assert ids == ["M00001", "M00002", "M00003", "M00004"]
        engine.client.close()

    def test_progress_reports_remaining_and_eta(self, files: Files) -> None:
        pages = {
            0: page([change(1), change(2)], 2, True, remaining=2),
            2: page([change(3), change(4)], 4, False, remaining=0),
        }
        seen: list[tuple[int, int | None, float | None]] = []
        ticks = iter(range(100))

        def handler(req: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json=pages[int(req.url.params["since"])])

        engine = engine_for(files, handler)
        engine.clock = lambda: NOW + next(ticks)
        result = engine.pull_once(limit=2, progress=lambda d, r, e: seen.append((d, r, e)))
        assert result.caught_up and result.changes == 4 and result.cursor == 4
        assert [(d, r) for d, r, _ in seen] == [(2, 2), (4, 0)]
        assert seen[0][2] == pytest.approx(1.0)  # 2 rows in 2 s, 2 left
        st = engine.status()
        assert st["cursor"] == 4 and st["last_pull_at"] is not None and st["last_error"] is None
        engine.client.close()


class TestEnginePush:
    def test_answer_about_unsent_id_is_hostile(self, files: Files) -> None:
        ids = record_n(files.outbox, 2)

        def handler(req: httpx.Request) -> httpx.Response:
            results = [{"id": ids[0], "status": "accepted"}, {"id": "forged", "status": "accepted"}]
            return httpx.Response(200, json={"results": results})

        engine = engine_for(files, handler)
        with pytest.raises(ProtocolError):
            engine.push_once()
        assert set(states(files.outbox).values()) == {"sent"}
        engine.client.close()

    def test_unknown_status_is_hostile(self, files: Files) -> None:
        ids = record_n(files.outbox, 1)

        def handler(req: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json={"results": [{"id": ids[0], "status": "lost"}]})

        engine = engine_for(files, handler)
        with pytest.raises(ProtocolError):
            engine.push_once()
        assert states(files.outbox) == {ids[0]: "sent"}
        engine.client.close()

    def test_results_settle_rows(self, files: Files) -> None:
        ids = record_n(files.outbox, 4)
        answer = ["accepted", "duplicate", "conflict", "rejected"]

        def handler(req: httpx.Request) -> httpx.Response:
            sent = [i["id"] for i in json.loads(req.content)["interactions"]]
            assert sent == ids
            results = [
                {"id": i, "status": s, "reason": "r" if s == "rejected" else None}
                for i, s in zip(sent, answer, strict=True)
            ]
            return httpx.Response(200, json={"results": results})

        engine = engine_for(files, handler)
        result = engine.push_once()
        assert (result.accepted, result.duplicate, result.conflict, result.rejected) == (1, 1, 1, 1)
        assert list(states(files.outbox).values()) == ["acked", "acked", "conflict", "rejected"]
        assert engine.status()["last_push_at"] == int(NOW)
        engine.client.close()

    def test_bisect_finds_the_poison_items(self, files: Files) -> None:
        ids = record_n(files.outbox, 37)
        poison = {ids[5], ids[30]}
        calls = 0

        def handler(req: httpx.Request) -> httpx.Response:
            nonlocal calls
            calls += 1
            sent = [i["id"] for i in json.loads(req.content)["interactions"]]
            if poison & set(sent):
                return problem(422, "Unprocessable", detail="payload too odd", reason="invalid")
            return httpx.Response(
                200, json={"results": [{"id": i, "status": "accepted"} for i in sent]}
            )

        engine = engine_for(files, handler)
        result = engine.push_once()
        st = states(files.outbox)
        assert {i for i, s in st.items() if s == "rejected"} == poison
        assert sum(s == "acked" for s in st.values()) == 35
        assert result.rejected == 2 and result.accepted == 35 and result.sent == 37
        assert calls <= 2 * 2 * 6 + 1  # O(k log n)
        reason = files.outbox.execute(
            "SELECT reason FROM interactions WHERE id = ?", (ids[5],)
        ).fetchone()[0]
        assert reason == "invalid: payload too odd"
        engine.client.close()

    @pytest.mark.parametrize("status", [404, 405, 409, 401, 403])
    def test_no_bisect_for_config_errors(self, files: Files, status: int) -> None:
        record_n(files.outbox, 8)
        calls = 0

        refreshes = 0

        def handler(req: httpx.Request) -> httpx.Response:
            nonlocal calls, refreshes
            if req.url.path == "/v1/devices/token":
                refreshes += 1
            else:
                calls += 1
            return problem(status)

        engine = engine_for(files, handler)
        with pytest.raises(RejectedError) as info:
            engine.push_once()
        assert info.value.status == status
        assert calls == 1
        # A 401 makes the client try once for a new access token with the device secret.
        assert refreshes == (1 if status == 401 else 0)
        assert set(states(files.outbox).values()) == {"sent"}
        errors = {r[0] for r in files.outbox.execute("SELECT last_error FROM interactions")}
        assert len(errors) == 1 and str(status) in errors.pop()
        engine.client.close()

    def test_transport_failure_leaves_rows_unsettled(self, files: Files) -> None:
        record_n(files.outbox, 3)

        def handler(req: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused")

        engine = engine_for(files, handler)
        with pytest.raises(TransportError):
            engine.push_once()
        st = engine.status()
        assert st["pending"] == 3 and st["online"] is False
        assert st["last_error"].startswith("offline:")
        attempts = {r[0] for r in files.outbox.execute("SELECT attempts FROM interactions")}
        assert attempts == {1}
        engine.client.close()


def test_status_has_everything_clerk_status_shows(files: Files) -> None:
    record_n(files.outbox, 2)
    files.outbox.execute("UPDATE interactions SET created_at = ?", (int(NOW) - 900,))

    def handler(req: httpx.Request) -> httpx.Response:
        date = email.utils.formatdate(NOW - 3, usegmt=True)
        return httpx.Response(503, headers={"date": date, "retry-after": "5"})

    engine = engine_for(files, handler)
    with pytest.raises(RetryableHubError):
        engine.push_once()
    st = engine.status()
    assert st == {
        "enrolled": True,
        "device_revoked": False,
        "device_id": "D1",
        "store_id": "S001",
        "store_name": "Demo",
        "hub_url": BASE,
        "pending": 2,
        "oldest_pending_age_s": 900,
        "acked": 0,
        "rejected": 0,
        "conflict": 0,
        "attention": 0,
        "last_push_at": None,
        "last_pull_at": None,
        "cursor": 0,
        "last_error": "hub_busy: hub answered 503 Service Unavailable",
        "online": True,
        "clock_offset_s": -3.0,
        "stuck_since": int(NOW) - 900,  # nothing has settled for 15 minutes
    }
    assert json.dumps(st)  # plain JSON for `clerk status --json`
    engine.client.close()


class TestAccessTokens:
    """Short-lived access tokens: renewed with the device secret, the request retried once."""

    @staticmethod
    def hub(answers: list[httpx.Response], seen: list[tuple[str, str | None]]) -> Handler:
        def handler(req: httpx.Request) -> httpx.Response:
            seen.append((req.url.path, req.headers.get("authorization")))
            if req.url.path == "/v1/devices/token":
                assert json.loads(req.content) == {"device_id": "D1", "device_secret": "s3cret"}
                n = sum(p == "/v1/devices/token" for p, _ in seen)
                return httpx.Response(
                    200, json={"token": f"fresh{n}", "expires_at": NOW + 900, "expires_in": 900}
                )
            return answers.pop(0)

        return handler

    def test_an_expired_token_is_renewed_and_the_request_retried_once(self) -> None:
        seen: list[tuple[str, str | None]] = []
        keys = httpx.Response(200, json={"keys": []})
        kept: list[str] = []
        handler = self.hub([problem(401, reason="token_expired"), keys], seen)
        with client_for(handler, device_id="D1", device_secret="s3cret", on_token=kept.append) as c:
            assert c.keys().keys == []
            assert c.token == "fresh1" and kept == ["fresh1"]
        assert seen == [
            ("/v1/keys", "Bearer tok"),
            ("/v1/devices/token", None),  # the secret in the body, no bearer
            ("/v1/keys", "Bearer fresh1"),
        ]

    def test_a_second_401_is_not_retried_again(self) -> None:
        seen: list[tuple[str, str | None]] = []
        handler = self.hub(
            [problem(401, reason="bad_token"), problem(401, reason="bad_token")], seen
        )
        c = client_for(handler, device_id="D1", device_secret="s3cret")
        with c, pytest.raises(AuthError):
            c.keys()
        assert [p for p, _ in seen] == ["/v1/keys", "/v1/devices/token", "/v1/keys"]

    def test_a_token_about_to_expire_is_renewed_before_it_is_used(self) -> None:
        seen: list[tuple[str, str | None]] = []
        handler = self.hub([httpx.Response(200, json={"keys": []})], seen)
        with client_for(handler, device_id="D1", device_secret="s3cret") as c:
            c.configure(token="old", expires_in=10)  # inside the renewal margin
            c.keys()
        assert seen == [("/v1/devices/token", None), ("/v1/keys", "Bearer fresh1")]

    def test_revoked_is_final(self) -> None:
        seen: list[tuple[str, str | None]] = []
        handler = self.hub([problem(401, reason="device_revoked")], seen)
        c = client_for(handler, device_id="D1", device_secret="s3cret")
        with c, pytest.raises(DeviceRevokedError):
            c.keys()
        assert [p for p, _ in seen] == ["/v1/keys"]  # no renewal attempted

    def test_without_a_device_secret_a_401_surfaces(self) -> None:
        seen: list[tuple[str, str | None]] = []
        c = client_for(self.hub([problem(401, reason="token_expired")], seen))
        with c, pytest.raises(AuthError):
            c.keys()
        assert [p for p, _ in seen] == ["/v1/keys"]


CARD7 = "6200000000000007"


class TestFetchMember:
    def test_found_is_cached(self, files: Files) -> None:
        view = {
            "member": member_row("M7", card_no="6200000000000007"),
            "products": [
                {"sku": "P1", "title_zh": "表", "title_en": "W", "category": "w", "price_cents": 1}
            ],
            "cart": [{"id": "C1", "member_id": "M7", "sku": "P1", "price_cents": 1, "added_at": 1}],
        }
        engine = engine_for(files, lambda r: httpx.Response(200, json=view))
        ident = Identity("card", "6200000000000007", "card:6200000000000007", proof=CARD7)
        assert engine.fetch_member(ident, "A01") == "M7"
        assert files.cache.execute("SELECT count(*) FROM cart_items").fetchone()[0] == 1
        engine.client.close()

    def test_unknown_is_none(self, files: Files) -> None:
        engine = engine_for(files, lambda r: problem(404))
        assert (
            engine.fetch_member(Identity("code", "123", "code:123", proof="MC1:X"), "A01") is None
        )
        assert engine.fetch_member(Identity("member_id", "M9", "member:M9")) is None
        engine.client.close()

    def test_offline_raises_transport_error(self, files: Files) -> None:
        def handler(req: httpx.Request) -> httpx.Response:
            raise httpx.ConnectTimeout("no route")

        engine = engine_for(files, handler)
        with pytest.raises(TransportError):
            engine.fetch_member(
                Identity("card", "6200000000000007", "card:6200000000000007", proof=CARD7), "A01"
            )
        assert engine.status()["online"] is False
        engine.client.close()

    @pytest.mark.parametrize(
        "view",
        [
            {"member": member_row("M8", card_no="6200000000000099")},  # someone else's card
            {"member": {"name": "no id"}},
            {"member": member_row("M7"), "browse": [{"member_id": "M7", "sku": "P"}]},  # no id
            {"member": member_row("M7"), "cart": [{"id": "C", "member_id": "M1", "sku": "P"}]},
            {"member": member_row("M7"), "products": [{"title_zh": "x"}]},
            {"member": member_row("M7", name=None)},  # NOT NULL
        ],
    )
    def test_hostile_view_is_refused(self, files: Files, view: dict[str, Any]) -> None:
        engine = engine_for(files, lambda r: httpx.Response(200, json=view))
        with pytest.raises(ProtocolError):
            engine.fetch_member(
                Identity("card", "6200000000000007", "card:6200000000000007", proof=CARD7), "A01"
            )
        assert dump(files.cache) == []
        engine.client.close()


class TestHealthz:
    """The offline reachability probe: GET /healthz, outside /v1, no token."""

    def test_answers(self) -> None:
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(200, json={"status": "ok"})

        client = client_for(handler)
        client.online = False
        assert client.healthz() is None  # an older hub: no reconnect window asked
        assert client.online is True
        [request] = seen
        assert request.url.path == "/healthz" and "authorization" not in request.headers

    @pytest.mark.parametrize(
        ("body", "window"),
        [
            (b'{"status":"ok","reconnect_s":12.5}', 12.5),
            (b'{"status":"ok","reconnect_s":40}', 40.0),  # bounded by the scheduler
            (b'{"status":"ok","reconnect_s":-1}', None),
            (b'{"status":"ok","reconnect_s":"soon"}', None),
            (b"not json", None),
        ],
    )
    def test_the_reconnect_window_the_hub_asks(self, body: bytes, window: float | None) -> None:
        client = client_for(lambda _r: httpx.Response(200, content=body))
        assert client.healthz() == window
        assert client.online is True  # answered, whatever it said

    def test_unreachable_is_a_transport_error(self) -> None:
        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused", request=request)

        client = client_for(handler)
        with pytest.raises(TransportError):
            client.healthz()
        assert client.online is False

    def test_an_error_answer_is_reachable(self) -> None:
        client = client_for(lambda _r: httpx.Response(503, headers={"retry-after": "5"}))
        with pytest.raises(RetryableHubError):
            client.healthz()
        assert client.online is True
