"""The hub's HTTP protocol: an answer's head and body in one send (sync.hub.http_protocol)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from sync.hub.http_protocol import JOIN_BELOW, PROTOCOL, JoinedWrites


class _Transport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.lines: list[list[bytes]] = []  # vectored sends, their pieces
        self.closed = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        assert not self.closed
        self.writes.append(data)

    def writelines(self, pieces: list[bytes]) -> None:
        assert not self.closed
        self.lines.append(list(pieces))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = self.closed = True

    def get_extra_info(self, name: str) -> Any:
        return {"peername": ("127.0.0.1", 1)}.get(name)


def test_the_writes_of_one_turn_go_out_in_one_write_in_order() -> None:
    loop = asyncio.new_event_loop()
    try:
        raw = _Transport()
        joined = JoinedWrites(raw, loop)  # type: ignore[arg-type]
        joined.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        joined.write(b"{}")
        assert raw.writes == []  # not yet: at the end of the loop's turn
        loop.run_until_complete(asyncio.sleep(0))
        assert raw.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
        joined.write(b"next")
        joined.close()  # a close sends what is pending first
        assert raw.writes[-1] == b"next" and raw.closed
        loop.run_until_complete(asyncio.sleep(0))  # the scheduled flush: nothing left
        assert len(raw.writes) == 2
        assert joined.get_extra_info("peername") == ("127.0.0.1", 1)  # the rest is the transport's
        other = _Transport()
        dropped = JoinedWrites(other, loop)  # type: ignore[arg-type]
        dropped.write(b"never")
        dropped.abort()
        loop.run_until_complete(asyncio.sleep(0))
        assert other.writes == [] and other.aborted
    finally:
        loop.close()


def test_a_large_answer_goes_out_as_its_pieces_in_one_vectored_send() -> None:
    loop = asyncio.new_event_loop()
    try:
        raw = _Transport()
        joined = JoinedWrites(raw, loop)  # type: ignore[arg-type]
        head, page = b"HTTP/1.1 200 OK\r\ncontent-length: 65536\r\n\r\n", b"x" * JOIN_BELOW
        joined.write(head)
        joined.write(page)
        loop.run_until_complete(asyncio.sleep(0))
        assert raw.writes == [] and raw.lines == [[head, page]]
        assert raw.lines[0][1] is page  # not copied
        joined.write(b"a" * (JOIN_BELOW - 2))
        joined.write(b"b")  # under the bound in all: joined, one write
        loop.run_until_complete(asyncio.sleep(0))
        assert raw.writes == [b"a" * (JOIN_BELOW - 2) + b"b"] and len(raw.lines) == 1
    finally:
        loop.close()


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = _BIG if scope["path"] == "/big" else b'{"ok":true}'
    headers = [(b"x-a", b"1"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


_BIG = b'{"page":"' + b"y" * 300_000 + b'"}'  # a feed page's size: sent as its pieces


@pytest.fixture
def served() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(_app, http=PROTOCOL, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(500):
            if server.started:
                break
            threading.Event().wait(0.01)
        yield port
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_uvicorn_serves_through_it_answers_whole_on_a_kept_alive_connection(served: int) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=5) as conn:
        for path, body in [("/", b'{"ok":true}'), ("/big", _BIG), ("/", b'{"ok":true}')] * 2:
            conn.sendall(f"GET {path} HTTP/1.1\r\nhost: x\r\n\r\n".encode())
            answer = b""
            while not answer.endswith(body):
                chunk = conn.recv(65536)
                assert chunk
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and b"x-a: 1\r\n" in answer
            assert answer.endswith(b"\r\n\r\n" + body)  # the head, then the whole body
