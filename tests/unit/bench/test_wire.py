"""bench/wire.py: the load generator's lean HTTP/1.1 client sends what httpx sends and reads
what a server answers, on real loopback sockets."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from bench import loadgen
from bench.http_floor import BareServer
from bench.wire import WireClient
from sync.client import KEEPALIVE_S

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def server(handler: Handler) -> AsyncIterator[tuple[str, list[int]]]:
    """A raw loopback server; yields its URL and a list of connection counts (one entry)."""
    conns = [0]

    async def on_conn(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        conns[0] += 1
        try:
            await handler(r, w)
        finally:
            w.close()

    srv = await asyncio.start_server(on_conn, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", conns
    finally:
        srv.close()
        await srv.wait_closed()


async def read_request(r: asyncio.StreamReader) -> bytes:
    head = await r.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head + await r.readexactly(length)


def answer(body: bytes = b"{}", status: str = "200 OK", extra: str = "") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}"
        f"content-length: {len(body)}\r\n\r\n"
    ).encode() + body


def test_the_request_bytes_are_httpx_s() -> None:
    seen: list[bytes] = []

    async def handler(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        while True:
            try:
                seen.append(await read_request(r))
            except asyncio.IncompleteReadError:
                return
            w.write(answer())
            await w.drain()

    call: dict[str, Any] = {
        "json": {"interactions": [{"id": "x", "payload": {"text": "café ☕", "n": 1.5}}]},
        "params": {"since": 12, "limit": 1000},
        "headers": {"Authorization": "Bearer tok"},
    }

    async def run() -> None:
        async with server(handler) as (url, _):
            async with httpx.AsyncClient(base_url=url) as hx:
                await hx.request("POST", "/v1/interactions", **call)
                await hx.request("GET", "/v1/changes", params=call["params"])
            async with WireClient(url) as wire:
                await wire.request("POST", "/v1/interactions", **call)
                await wire.request("GET", "/v1/changes", params=call["params"])

    asyncio.run(run())
    assert len(seen) == 4
    assert seen[2] == seen[0]  # the push: request line, headers in order, body
    assert seen[3] == seen[1]  # the pull
    assert b"Content-Length" not in seen[1]


def test_one_connection_kept_alive_and_a_new_one_after_the_server_closed_it() -> None:
    async def handler(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        for _ in range(2):  # two answers, then the server closes this connection (idle)
            await read_request(r)
            w.write(answer(b'{"n":1}'))
            await w.drain()

    async def run() -> list[int]:
        async with server(handler) as (url, conns), WireClient(url) as wire:
            counts = []
            for _ in range(4):
                resp = await wire.get("/x")
                assert resp.status_code == 200 and resp.json() == {"n": 1}
                counts.append(conns[0])
                await asyncio.sleep(0.05)  # the close reaches the client while idle
            return counts

    assert asyncio.run(run()) == [1, 1, 2, 2]


def test_an_idle_connection_past_the_terminal_s_expiry_is_not_reused() -> None:
    async def handler(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        while True:  # the server keeps every connection: only the client's expiry ends one
            try:
                await read_request(r)
            except asyncio.IncompleteReadError:
                return
            w.write(answer())
            await w.drain()

    async def connections(expiry: float) -> int:
        async with server(handler) as (url, conns), WireClient(url, keepalive_expiry=expiry) as w:
            for _ in range(3):
                assert (await w.get("/x")).status_code == 200
                await asyncio.sleep(0.06)
            return conns[0]

    assert asyncio.run(connections(0.03)) == 3  # idle longer than its expiry: a new one each
    assert asyncio.run(connections(30.0)) == 1
    assert WireClient("http://127.0.0.1:1").keepalive_expiry == KEEPALIVE_S  # the terminal's


def test_connection_close_chunked_and_case_blind_headers() -> None:
    async def handler(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        await read_request(r)
        w.write(
            b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nConnection: close\r\n"
            b'Transfer-Encoding: chunked\r\n\r\n4\r\n{"a"\r\n3\r\n:1}\r\n0\r\n\r\n'
        )
        await w.drain()

    async def run() -> None:
        async with server(handler) as (url, conns), WireClient(url) as wire:
            resp = await wire.get("/x")
            assert resp.status_code == 503
            assert resp.headers.get("Retry-After") == "2"
            assert resp.json() == {"a": 1}
            assert (await wire.get("/x")).status_code == 503
            assert conns[0] == 2  # "Connection: close" was honoured

    asyncio.run(run())


def test_failures_raise_httpx_s_errors() -> None:
    async def silent(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        await read_request(r)
        await asyncio.sleep(1.0)

    async def hang_up(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        await read_request(r)

    async def garbage(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        await read_request(r)
        w.write(b"SSH-2.0-OpenSSH\r\n\r\n")
        await w.drain()

    async def run() -> None:
        async with server(silent) as (url, _):
            with pytest.raises(httpx.ReadTimeout):
                await WireClient(url, timeout=0.1).get("/x")
        async with server(hang_up) as (url, _):
            with pytest.raises(httpx.RemoteProtocolError):
                await WireClient(url).get("/x")
        async with server(garbage) as (url, _):
            with pytest.raises(httpx.RemoteProtocolError):
                await WireClient(url).get("/x")
        async with server(silent) as (url, _):
            pass  # closed: nothing listens on its port any more
        with pytest.raises(httpx.ConnectError):
            await WireClient(url).get("/x")

    asyncio.run(run())


def test_the_generator_s_terminal_against_uvicorn_with_either_client() -> None:
    """A terminal's push and pull (bench/loadgen.py) through each client against the bare
    app served by uvicorn: the same answers."""
    with BareServer(workers=1) as bare:

        async def one(kind: str) -> tuple[set[str], int, int]:
            loadgen.use_client(kind)
            t = loadgen.Terminal("S000", "tok", ["M1"], "A01", 0)
            t.pending = [{"id": f"{kind}-{i}", "member_id": "M1"} for i in range(3)]
            stats = loadgen.Stats()
            async with contextlib.AsyncExitStack() as stack:
                (client,) = await loadgen.clients(bare.url, 1, stack)
                assert isinstance(client, WireClient) == (kind == "wire")
                assert await loadgen.push(client, t, stats)
                assert await loadgen.pull(client, t, stats)
            return t.acked, stats.sent, len(stats.phases)

        try:
            for kind in ("httpx", "wire"):
                acked, sent, phased = asyncio.run(one(kind))
                assert acked == {f"{kind}-{i}" for i in range(3)}
                assert sent == 2 and phased == 2  # both requests' phases traced
        finally:
            loadgen.use_client("wire")
