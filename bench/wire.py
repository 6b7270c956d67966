"""A lean HTTP/1.1 client for the load generator: the same bytes on the wire as httpx, a small
part of its CPU.

Why: issue 20's targets are measured with the load generator on the hub's own two cores. The
generator's simulated terminals used httpx (one ``AsyncClient`` each, as a real terminal has its
own client), and httpx's Python costs ~1.5 ms of CPU a request — at 1,000 terminals ~0.9 of the
2 cores went to simulating the terminals, not to the hub (docs/benchmarks.md, "The generator's
own weight"). A real chain's terminals bring their own CPUs; a chain's IT would load-test with
a lean tool. This client sends what httpx sends for the generator's calls — the same request
line, the same headers in the same order (``Host``, ``Accept``, ``Accept-Encoding``,
``Connection: keep-alive``, ``User-Agent``, the caller's, then ``Content-Length`` /
``Content-Type``), the same JSON encoding (httpx's ``encode_json``: compact separators, UTF-8,
no NaN) — over one keep-alive connection per client, and reads the answer (``Content-Length``,
chunked, or to the end). tests/unit/bench/test_wire.py checks the bytes against httpx's.

What it keeps of httpx's behaviour, because the hub sees it: an idle connection the server has
closed is not reused (a new one is opened, as httpcore's pool drops an expired connection), nor
one idle for longer than the terminal's own expiry (``keepalive_expiry``: the terminal's
``sync.client.KEEPALIVE_S``, as its ``httpx.Limits`` says); an
answer with ``Connection: close`` closes it; the timeout is per phase (connect, then each read)
as httpx's ``timeout=10``; failures raise httpx's own exceptions (``ConnectError``,
``ConnectTimeout``, ``ReadTimeout``, ``ReadError``, ``RemoteProtocolError``), so the generator's
retry and offline logic is the same code for both clients. The request phases are reported
through the same ``trace`` extension names httpx uses (bench/loadgen.py ``_phases``).

Not a general client: plain HTTP to one host, no redirects, cookies, proxies, compression of
the request or HTTP/2 — the generator needs none of them.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from sync.client import KEEPALIVE_S

Trace = Callable[[str, dict[str, Any]], Awaitable[None]]

_NO_INFO: dict[str, Any] = {}


class Headers(dict[str, str]):
    """An answer's headers, names lowercased; ``get`` takes any case (as httpx.Headers)."""

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return dict.get(self, key.lower(), default)


class WireResponse:
    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status_code: int, headers: Headers, content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content

    def json(self) -> Any:
        return jsonlib.loads(self.content)


class WireClient:
    """One keep-alive connection to ``base_url`` (``http://host:port``); requests in turn."""

    def __init__(
        self, base_url: str, timeout: float = 10.0, keepalive_expiry: float = KEEPALIVE_S
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"plain http://host:port only, not {base_url!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.timeout = timeout
        self.keepalive_expiry = keepalive_expiry
        self._idle_since = 0.0  # when the connection's last answer was read (time.monotonic)
        netloc = self.host if self.port == 80 else f"{self.host}:{self.port}"
        self._head_start = (
            f"Host: {netloc}\r\n"
            "Accept: */*\r\n"
            "Accept-Encoding: gzip, deflate\r\n"
            "Connection: keep-alive\r\n"
            f"User-Agent: python-httpx/{httpx.__version__}\r\n"
        )
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> WireClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._drop()

    def _drop(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def get(self, url: str, **kw: Any) -> WireResponse:
        return await self.request("GET", url, **kw)

    async def post(self, url: str, **kw: Any) -> WireResponse:
        return await self.request("POST", url, **kw)

    async def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> WireResponse:
        trace: Trace | None = (extensions or {}).get("trace")
        target = url if not params else f"{url}?{urlencode(params)}"
        head = [f"{method} {target} HTTP/1.1\r\n", self._head_start]
        for k, v in (headers or {}).items():
            head.append(f"{k}: {v}\r\n")
        body = b""
        if json is not None:
            body = jsonlib.dumps(
                json, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode()
            head.append(f"Content-Length: {len(body)}\r\nContent-Type: application/json\r\n")
        elif content is not None:
            body = content
            head.append(f"Content-Length: {len(body)}\r\n")
        elif method in ("POST", "PUT", "PATCH"):
            head.append("Content-Length: 0\r\n")
        head.append("\r\n")
        data = "".join(head).encode() + body
        async with self._lock:
            return await self._exchange(data, trace, method == "HEAD")

    async def _open(self, trace: Trace | None) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = self._reader, self._writer
        if reader is not None and writer is not None:
            idle = time.monotonic() - self._idle_since
            if not reader.at_eof() and not writer.is_closing() and idle <= self.keepalive_expiry:
                return reader, writer
            # the server closed it while idle, or it expired: a new one, as httpcore's pool does
            self._drop()
        if trace is not None:
            await trace("connection.connect_tcp.started", _NO_INFO)
        try:
            async with asyncio.timeout(self.timeout):
                reader, writer = await asyncio.open_connection(self.host, self.port)
        except TimeoutError as e:
            raise httpx.ConnectTimeout(str(e) or "connect timed out") from e
        except OSError as e:
            raise httpx.ConnectError(str(e)) from e
        if trace is not None:
            await trace("connection.connect_tcp.complete", _NO_INFO)
        self._reader, self._writer = reader, writer
        return reader, writer

    async def _exchange(self, data: bytes, trace: Trace | None, head_only: bool) -> WireResponse:
        reader, writer = await self._open(trace)
        try:
            if trace is not None:
                await trace("http11.send_request_headers.started", _NO_INFO)
            writer.write(data)
            await writer.drain()
            if trace is not None:
                await trace("http11.send_request_body.complete", _NO_INFO)
            async with asyncio.timeout(self.timeout):
                raw = await reader.readuntil(b"\r\n\r\n")
            if trace is not None:
                await trace("http11.receive_response_headers.complete", _NO_INFO)
            status, headers, close = _parse_head(raw)
            content = b"" if head_only or status in (204, 304) else await self._body(headers)
            if trace is not None:
                await trace("http11.receive_response_body.complete", _NO_INFO)
        except TimeoutError as e:
            self._drop()
            raise httpx.ReadTimeout("read timed out") from e
        except asyncio.IncompleteReadError as e:
            self._drop()
            if not e.partial and not e.expected:
                raise httpx.RemoteProtocolError("Server disconnected") from e
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a complete response"
            ) from e
        except asyncio.LimitOverrunError as e:
            self._drop()
            raise httpx.RemoteProtocolError("an answer's head past the reader's limit") from e
        except (ConnectionError, OSError) as e:
            self._drop()
            raise httpx.ReadError(str(e)) from e
        except httpx.HTTPError:
            self._drop()
            raise
        if close:
            self._drop()
        self._idle_since = time.monotonic()
        return WireResponse(status, headers, content)

    async def _body(self, headers: Headers) -> bytes:
        reader = self._reader
        assert reader is not None
        async with asyncio.timeout(self.timeout):
            length = headers.get("content-length")
            if length is not None:
                return await reader.readexactly(int(length))
            if "chunked" in headers.get("transfer-encoding", "").lower():
                chunks = []
                while True:
                    size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
                    if size == 0:
                        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                            pass
                        return b"".join(chunks)
                    chunks.append((await reader.readexactly(size + 2))[:-2])
            body = await reader.read()  # neither: the answer runs to the connection's end
            self._drop()
            return body


def _parse_head(raw: bytes) -> tuple[int, Headers, bool]:
    lines = raw.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    try:
        status = int(rest[:3])
    except ValueError:
        raise httpx.RemoteProtocolError(f"not an HTTP answer: {lines[0]!r}") from None
    if not version.startswith("HTTP/1."):
        raise httpx.RemoteProtocolError(f"not an HTTP/1 answer: {lines[0]!r}")
    headers = Headers()
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise httpx.RemoteProtocolError(f"a malformed header line: {line!r}")
        key = name.strip().lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
    return status, headers, close
