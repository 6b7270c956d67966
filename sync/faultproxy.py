"""FaultProxy: a loopback HTTP/1.1 proxy that breaks exchanges on purpose (tests, benchmarks).

It sits between the terminal and the hub and, per request, may:

* ``reset_before_request``  reset the connection before anything reaches the hub;
* ``hang``                  accept the request and never answer (until the client gives up);
* ``reset_after_response``  forward the request, wait until the hub's answer has begun (so the
                            hub has committed), then reset the connection — the answer is lost;
* ``truncate_response``     send half of the hub's answer, then close;

each with its own probability, drawn from a seeded ``random.Random`` so a run is repeatable
(for a client that sends one request at a time). ``latency`` (seconds before forwarding) and
``bandwidth`` (bytes per second of answer) apply to every exchange. Faults can be switched at
run time::

    with FaultProxy("127.0.0.1", hub_port) as proxy:
        client = HubClient(proxy.url, token)
        proxy.set(reset_after_response=0.3, seed=7)
        ...
        proxy.set()  # all faults off

The proxy understands just enough HTTP/1.1 to find message boundaries (Content-Length and
chunked bodies, keep-alive), so faults are decided per request even on a kept-alive connection.
Threads: one accept loop plus one per connection; ``stop()`` (or leaving the ``with``) closes
every socket and joins every thread.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
from dataclasses import dataclass, fields
from types import TracebackType

POLL_S = 0.1
MAX_HEAD_BYTES = 64 * 1024
FAULTS = ("reset_before_request", "hang", "reset_after_response", "truncate_response")


@dataclass(frozen=True)
class Faults:
    latency: float = 0.0
    bandwidth: float | None = None  # bytes per second of answer; None: unlimited
    reset_before_request: float = 0.0
    hang: float = 0.0
    reset_after_response: float = 0.0
    truncate_response: float = 0.0

    def __post_init__(self) -> None:
        probs = [getattr(self, name) for name in FAULTS]
        if any(p < 0 or p > 1 for p in probs) or sum(probs) > 1 + 1e-9:
            raise ValueError("fault probabilities must be in [0, 1] and sum to at most 1")
        if self.latency < 0 or (self.bandwidth is not None and self.bandwidth <= 0):
            raise ValueError("latency must be >= 0 and bandwidth > 0")


class _Closed(Exception):
    """The peer closed the connection or the proxy is stopping."""


class FaultProxy:
    def __init__(
        self, upstream_host: str, upstream_port: int, *, host: str = "127.0.0.1", seed: int = 0
    ) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.faults = Faults()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._listener = socket.create_server((host, 0))
        self._listener.settimeout(POLL_S)
        self.host, self.port = self._listener.getsockname()[:2]
        self._threads: set[threading.Thread] = set()
        self._sockets: set[socket.socket] = set()
        self._acceptor: threading.Thread | None = None
        self.stats: dict[str, int] = dict.fromkeys(("connections", "requests", *FAULTS), 0)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def set(self, *, seed: int | None = None, **faults: float | None) -> None:
        """Replace the active faults (unnamed ones switch off); reseed when ``seed`` is given."""
        known = {f.name for f in fields(Faults)}
        unknown = set(faults) - known
        if unknown:
            raise TypeError(f"unknown faults: {sorted(unknown)}")
        new = Faults(**faults)  # type: ignore[arg-type]
        with self._lock:
            self.faults = new
            if seed is not None:
                self._rng = random.Random(seed)

    def set_upstream(self, host: str, port: int) -> None:
        """Send the next requests elsewhere (e.g. a closed port: the hub is down)."""
        with self._lock:
            self.upstream = (host, port)

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        if self._acceptor is None:
            self._acceptor = threading.Thread(
                target=self._accept_loop, name=f"faultproxy-{self.port}", daemon=True
            )
            self._acceptor.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._acceptor is not None:
            self._acceptor.join()
        self._listener.close()
        with self._lock:
            socks = list(self._sockets)
            threads = list(self._threads)
        for sock in socks:
            with contextlib.suppress(OSError):  # already closed by its handler
                sock.shutdown(socket.SHUT_RDWR)
        for t in threads:
            t.join()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- accepting ------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _addr = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(POLL_S)
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            with self._lock:
                self.stats["connections"] += 1
                self._sockets.add(conn)
                self._threads.add(t)
            t.start()

    def _decide(self) -> tuple[str | None, Faults]:
        with self._lock:
            self.stats["requests"] += 1
            faults = self.faults
            u = self._rng.random()
            edge = 0.0
            for name in FAULTS:
                edge += getattr(faults, name)
                if u < edge:
                    self.stats[name] += 1
                    return name, faults
        return None, faults

    def _serve(self, client: socket.socket) -> None:
        cbuf = bytearray()
        try:
            while True:
                request, method, keep = self._read_message(client, cbuf, request=True)
                fault, faults = self._decide()
                if fault == "reset_before_request":
                    _reset(client)
                    return
                if fault == "hang":
                    self._hang(client)
                    return
                if faults.latency and self._stopping.wait(faults.latency):
                    return
                keep = self._exchange(client, request, method, fault, faults) and keep
                if not keep:
                    return
        except (_Closed, OSError):
            return
        finally:
            self._forget(client)
            with self._lock:
                self._threads.discard(threading.current_thread())

    def _exchange(
        self, client: socket.socket, request: bytes, method: str, fault: str | None, faults: Faults
    ) -> bool:
        """Forward one request on a fresh upstream connection (the hub may close idle ones at
        any time) and relay or break its answer. True when the client connection stays open."""
        with self._lock:
            address = self.upstream
        upstream = socket.create_connection(address, timeout=5)
        try:
            upstream.settimeout(POLL_S)
            with self._lock:
                self._sockets.add(upstream)
            upstream.sendall(request)
            ubuf = bytearray()
            if fault == "reset_after_response":
                self._recv_some(upstream, ubuf)  # the answer has begun: the hub committed
                _reset(client)
                return False
            response, _method, keep = self._read_message(upstream, ubuf, method=method)
            if fault == "truncate_response":
                self._send(client, response[: len(response) // 2], faults.bandwidth)
                return False
            self._send(client, response, faults.bandwidth)
            return keep
        finally:
            self._forget(upstream)

    def _forget(self, sock: socket.socket) -> None:
        sock.close()
        with self._lock:
            self._sockets.discard(sock)

    def _hang(self, client: socket.socket) -> None:
        """Never answer; return when the client gives up or the proxy stops."""
        buf = bytearray()
        try:
            while True:
                self._recv_some(client, buf)
                buf.clear()
        except (_Closed, OSError):
            return

    # -- HTTP/1.1 framing -----------------------------------------------------------------------

    def _recv_some(self, sock: socket.socket, buf: bytearray) -> None:
        while not self._stopping.is_set():
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            if not data:
                raise _Closed
            buf += data
            return
        raise _Closed

    def _read_exact(self, sock: socket.socket, buf: bytearray, n: int) -> bytes:
        while len(buf) < n:
            self._recv_some(sock, buf)
        out = bytes(buf[:n])
        del buf[:n]
        return out

    def _read_line(self, sock: socket.socket, buf: bytearray) -> bytes:
        while True:
            i = buf.find(b"\r\n")
            if i >= 0:
                return self._read_exact(sock, buf, i + 2)
            if len(buf) > MAX_HEAD_BYTES:
                raise _Closed
            self._recv_some(sock, buf)

    def _read_message(
        self, sock: socket.socket, buf: bytearray, *, request: bool = False, method: str = ""
    ) -> tuple[bytes, str, bool]:
        """One whole HTTP/1.1 message: (raw bytes, request method, connection reusable)."""
        while True:
            i = buf.find(b"\r\n\r\n")
            if i >= 0:
                break
            if len(buf) > MAX_HEAD_BYTES:
                raise _Closed
            self._recv_some(sock, buf)
        head = self._read_exact(sock, buf, i + 4)
        lines = head.decode("latin-1").split("\r\n")
        start = lines[0].split(" ")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        keep = headers.get("connection", "").lower() != "close"
        if request:
            method = start[0]
            no_body = False
        else:
            status = int(start[1]) if len(start) > 1 and start[1].isdigit() else 0
            no_body = method == "HEAD" or status in (204, 304) or 100 <= status < 200
        body = bytearray()
        if no_body:
            pass
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            while True:
                size_line = self._read_line(sock, buf)
                body += size_line
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while True:  # trailers, then the empty line
                        trailer = self._read_line(sock, buf)
                        body += trailer
                        if trailer == b"\r\n":
                            break
                    break
                body += self._read_exact(sock, buf, size + 2)
        elif "content-length" in headers:
            body += self._read_exact(sock, buf, int(headers["content-length"]))
        elif not request:  # delimited by close
            keep = False
            try:
                while True:
                    self._recv_some(sock, buf)
            except _Closed:
                if self._stopping.is_set():
                    raise
            body += buf
            buf.clear()
        return head + bytes(body), method, keep

    def _send(self, sock: socket.socket, data: bytes, bandwidth: float | None) -> None:
        if bandwidth is None:
            sock.sendall(data)
            return
        step = max(1, int(bandwidth * POLL_S))
        for i in range(0, len(data), step):
            sock.sendall(data[i : i + step])
            if self._stopping.wait(len(data[i : i + step]) / bandwidth):
                raise _Closed


def _reset(sock: socket.socket) -> None:
    """Close with RST instead of FIN (SO_LINGER on, timeout 0)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
