"""uvicorn's HTTP protocol (httptools) with each answer written to its socket in one send.

uvicorn writes an answer's head when the app starts it and its body when the app sends it: two
``transport.write`` calls, so two ``send`` system calls and, on a kept-alive connection
(``TCP_NODELAY``), two TCP segments — and on loopback the receiver's side of each segment is
processed in the sender's system call. The hub's answers are whole (a head, one body), so
the writes made in one turn of the event loop are sent together at its end (``loop.call_soon``),
in the order they were made — joined when small, as one vectored send of their pieces when
large (:data:`JOIN_BELOW`); a close sends what is pending first.
``clerk hub serve`` runs uvicorn with it (``CLERK_HUB_HTTP=httptools`` for uvicorn's own).
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

PROTOCOL = "sync.hub.http_protocol:JoinedWritesProtocol"  # uvicorn's ``http`` option
# Writes of one turn under this many bytes in all are joined into one buffer; a larger answer
# goes out as its pieces: a feed page of a few hundred kilobytes copied again, into memory the
# kernel must first map, cost more than the second piece's place in the send.
JOIN_BELOW = 64 * 1024


class JoinedWrites:
    """A transport whose writes of one turn of the event loop go out in one ``write`` of the
    transport it wraps; everything else is that transport's."""

    __slots__ = ("_loop", "_pending", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(data)

    def flush(self) -> None:
        """Send what was written since the last flush (nothing once the transport closes):
        joined when small; a large answer (a feed page) as the pieces it was written in, one
        vectored send (uvloop's ``writelines``), not copied into a fresh buffer first."""
        pending, self._pending = self._pending, []
        if not pending or self._transport.is_closing():
            return
        if len(pending) == 1:
            self._transport.write(pending[0])
        elif sum(map(len, pending)) < JOIN_BELOW:
            self._transport.write(b"".join(pending))
        else:
            self._transport.writelines(pending)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending = []
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class JoinedWritesProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol over a :class:`JoinedWrites` transport."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(cast(asyncio.Transport, JoinedWrites(transport, self.loop)))
