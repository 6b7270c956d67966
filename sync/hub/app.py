"""The hub's HTTP API (FastAPI). Every route is under /v1 except health checks.

Every error is RFC 9457 problem JSON (``application/problem+json``) with a stable ``reason``
extension member; 429 and 503 carry Retry-After. Bodies over ``max_body_bytes`` get 413 before
the app sees them (Content-Length checked first, then the bytes actually received). Each request
is logged as one JSON line on the ``sync.hub.access`` logger.

Overload is shed at the door: more than ``max_inflight`` requests other than interaction batches
inside the app (running on or queued for a worker thread; long-polls waiting for a change do not
count), or more than ``max_pending_writes`` interaction batches (they queue on the writers: one
on SQLite, up to 4 connections on PostgreSQL; with ``write_wait_s`` set, as many as the writers
get through in that time at their measured pace, up to ``max_pending_writes_cap``; a burst
into a quiet process up to ``max_pending_writes_burst``) — and the next one is answered 503 +
Retry-After by the event loop, before it reads a body or takes a thread. A request that still
waited ``max_queue_s`` for its thread is answered 503 when it gets one, so no accepted request
outlives a terminal's timeout.
The worker threads are few (``max_threads``: 3, not anyio's 40): the work is CPU and database
bound, and threads contending for the GIL starve the event loop — the very thing that must answer
the 503s fast — and SQLite's writer, which waits for the GIL while it holds the write lock.

Over 700 lines, on purpose for now: the route table of the whole API in one place, with the
load guard and the error mapping every route shares; the Segment routes already live in
:mod:`sync.hub.segment.routes` — the next to move out are the admin routes.
"""

import asyncio
import ctypes
import ctypes.util
import functools
import gc
import json
import logging
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.hub import logs
from sync.hub.devices import DEFAULT_TOKEN_TTL_S, Device
from sync.hub.errors import (
    PROBLEM_TYPE,
    BusyError,
    HubServiceError,
    InvalidInputError,
    RateLimitedError,
    UnauthenticatedError,
    problem_doc,
)
from sync.hub.imports.routes import PREFIX as IMPORT_PREFIX
from sync.hub.imports.routes import add_import_routes
from sync.hub.ingest import Ingest, parse_items
from sync.hub.live import ChangeNotifier
from sync.hub.members import LOOKUP_LIMITS, Proof, ProofKind
from sync.hub.rules import WriteBounds
from sync.hub.segment.routes import PREFIX as SEGMENT_PREFIX
from sync.hub.segment.routes import SegmentBatch, SegmentCall, add_segment_routes
from sync.hub.store import HubStore
from sync.protocol import (
    API_PREFIX,
    MAX_BATCH_ITEMS,
    MAX_CHANGES_LIMIT,
    MAX_CHANGES_WAIT_S,
    PROTOCOL_VERSION,
    RECONNECT_MAX_S,
    RECONNECT_MIN_S,
    ROWS_FORMAT,
    ROWS_PREFIX,
    AuditHead,
    ChangesResponse,
    EnrollRequest,
    EnrollResponse,
    Health,
    InteractionBatch,
    InteractionBatchResponse,
    KeysResponse,
    MemberLookupRequest,
    MemberView,
    Problem,
    PublicKey,
    RowsResponse,
    TokenRequest,
    TokenResponse,
)

log = logging.getLogger("sync.hub.access")
error_log = logging.getLogger("sync.hub")

T = TypeVar("T")

# The write door's measure of the writer: answered batches a second, folded in at most every
# WRITE_RATE_STEP_S into a mean that forgets with this time constant (Load.write_door).
WRITE_RATE_STEP_S = 0.25
WRITE_RATE_TAU_S = 5.0
# The burst door's measure: the batches inside a process, averaged over time with this time
# constant (Load.write_door). Under a quarter of the door's floor on average (3 of 12) the
# process is quiet, and a burst is let in up to max_pending_writes_burst; a queue standing at
# the floor closes it within ~0.3 s.
WRITE_QUIET_TAU_S = 1.0
# Seconds an idle connection is kept open (uvicorn's timeout_keep_alive; its default is 5): a
# terminal's rounds come every few seconds and one backing off waits longer, and each new
# connection costs the hub an accept, a protocol and a close (~85 µs of CPU on loopback, more
# with TLS) and the terminal its handshake. At twice the saturating load the 5 s let 336 new
# connections a second come in (docs/benchmarks.md, fifteenth session). Above the terminal's
# own (sync.client.KEEPALIVE_S, 60 s), so the terminal closes an idle connection first, and
# above the 60 s idle timeout of the usual load balancers, so a balancer never reuses one the
# hub has just closed. ``clerk hub serve --keep-alive`` / CLERK_HUB_KEEP_ALIVE_S set it.
KEEP_ALIVE_S = 75
ASGIApp = Callable[..., Awaitable[None]]
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
# (scope, body, send) -> answered? The hot routes' common case, before FastAPI's routing.
FastPath = Callable[[Scope, bytes, Callable[[Message], Awaitable[None]]], Awaitable[bool]]


@dataclass(frozen=True)
class HubConfig:
    max_body_bytes: int = 2 * 1024 * 1024
    rate_per_s: float = 200.0  # requests per second per device (token bucket)
    burst: int = 400
    # The write door: interaction batches inside a process (queued on the writers) before 503.
    # write_wait_s None (the default): a fixed door of max_pending_writes. With write_wait_s,
    # sized by the writer's measured pace (Load.write_door): its answered batches a second,
    # smoothed over ~5 s, times write_wait_s — what it gets through in that time — never under
    # max_pending_writes nor over max_pending_writes_cap. The paced door (0.5 s) shed nothing at
    # 501 terminals where 12 shed pushes behind a ~150 ms stall, but quiet at the saturating load
    # (1,200 terminals, SQLite) the hub accepted 591 / 512 a second with it against 779 / 734
    # with the fixed door, and its 503s reached the terminal in p99 1.2 s against 66 ms — so it
    # is a knob, not the default (docs/benchmarks.md, eleventh session; CLERK_HUB_WRITE_WAIT_S).
    max_pending_writes: int = 12
    write_wait_s: float | None = None
    max_pending_writes_cap: int = 48
    # A burst into a quiet process (its batches inside under a quarter of the floor, averaged
    # over ~1 s: WRITE_QUIET_TAU_S) is let in up to this many; a queue that stands is held to the
    # floor. At 501 terminals on PostgreSQL (~85 batches a second a process, ~6 ms each) 13 or
    # more now and then arrive within ~50 ms (Poisson) and are all answered within ~100 ms, yet
    # the floor of 12 shed the 13th: 2-12 503s a run (docs/benchmarks.md, fourteenth session).
    # At twice the saturating load the batches inside stand at the floor, so it is 12 there as
    # before. max_pending_writes_burst <= max_pending_writes turns it off.
    max_pending_writes_burst: int = 24
    group_commit: bool = True  # SQLite: queued batches written in one transaction (ingest.Ingest)
    # What max_pending_writes counts: "inside" — batches from the door to their answer; "queue"
    # — with group commit, batches waiting for the writer's next group (not those on their way
    # to it: a thread, the GIL, parsing), the others then bounded by max_inflight alone.
    write_door: Literal["inside", "queue"] = "inside"
    max_inflight: int = 48  # requests on or waiting for a worker thread before 503 at the door
    # The door's Retry-After: 1 s, and 1 s more for every max_inflight requests it shed in the
    # last second, up to this (1: always 1 s). Under a sustained shed a fixed 1 s brought the
    # shed terminals back within a second or two to be shed again — at twice the saturating
    # load the hub answered ~2,600 requests a second, most of them 503s, and its accepted
    # throughput fell with the CPU they took (docs/benchmarks.md, sixteenth session).
    retry_after_max: int = 8
    # Worker threads for the routes (per process; the batches have their own, below). 3, not 8:
    # every thread wanting the GIL is one more the event loop and SQLite's writer wait behind.
    # With 3, alternated (docs/benchmarks.md, thirteenth session): at 2,400 terminals 503s p99
    # 21-26 ms at the terminal against 30-202, 892-940 requests a second against 796-847; at
    # 1,000 on PostgreSQL p99 48 / 62 ms against 105 / 122-136, the hub's CPU a request 1.39 ms
    # against 1.65. A pull waits longer for its thread at 2x (hub p50 ~80 ms against ~14).
    max_threads: int = 3
    max_queue_s: float = 5.0  # a request that waited longer for its thread gets 503
    # Returning terminals' first rounds a second the hub takes on top of its load: a fleet back
    # from offline (a restart) spreads them over devices / this seconds (GET /healthz), within
    # RECONNECT_MIN_S..RECONNECT_MAX_S. Measured (docs/benchmarks.md): 501 terminals at ~0.6
    # requests/s each on 2 cores leave ~110 rounds/s of a SQLite hub's ~520 requests/s; half that.
    reconnect_rate: float = 50.0
    default_changes_limit: int = 1000
    token_ttl_s: int = DEFAULT_TOKEN_TTL_S  # lifetime of a device's access token
    # Member look-ups by proof per device: (window s, most) — across hub processes.
    lookup_limits: tuple[tuple[int, int], ...] = LOOKUP_LIMITS
    # The windows of what a device may write (sync.hub.rules): times, members served by proof.
    bounds: WriteBounds = field(default_factory=WriteBounds)
    clock: Callable[[], float] = time.time  # the hub's clock (tokens' expiry, rate windows)

    def __post_init__(self) -> None:
        if self.token_ttl_s < 1:
            raise ValueError(f"token_ttl_s must be at least 1 second, got {self.token_ttl_s}")
        if not self.lookup_limits or any(w < 1 or n < 1 for w, n in self.lookup_limits):
            raise ValueError(f"lookup_limits must be (window, most) pairs: {self.lookup_limits}")
        if not self.reconnect_rate > 0:
            raise ValueError(f"reconnect_rate must be above 0, got {self.reconnect_rate}")


class DeviceRow(BaseModel):
    """An enrolled device as HQ sees it (GET /v1/admin/devices)."""

    id: str
    store_id: str
    name: str
    created_at: int
    last_seen_at: int | None = None  # its last enrolment or access token
    revoked_at: int | None = None
    revoked_reason: str | None = None


class DevicesResponse(BaseModel):
    devices: list[DeviceRow]


class RevokeRequest(BaseModel):
    """POST /v1/admin/devices/{device_id}/revoke."""

    reason: Annotated[str, Field(max_length=200)] | None = None


class ConflictItem(BaseModel):
    id: str
    kind: str
    member_id: str | None = None
    device_id: str
    store_id: str
    staff_id: str | None = None
    created_at: int
    received_at: int
    status: str
    reason: str | None = None
    conflict_with: str | None = None
    resolved_by: str | None = None
    payload: dict[str, Any] = {}


class ConflictsResponse(BaseModel):
    """Interactions a store manager should look at (GET /v1/conflicts)."""

    conflicts: list[ConflictItem]


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    reason: str | None = None,
    retry_after: int | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        # Input echoed in a message may hold lone surrogates: never let them break the answer.
        body["detail"] = detail.encode("utf-8", "replace").decode("utf-8")[:1000]
    if reason:
        body["reason"] = reason
    out_headers = dict(headers or {})
    if retry_after is not None:
        out_headers["Retry-After"] = str(retry_after)
    return JSONResponse(body, status_code=status, headers=out_headers, media_type=PROBLEM_TYPE)


def hub_problem(path: str, exc: HubServiceError) -> JSONResponse:
    """The answer to a :class:`HubServiceError` (every route's, the fast path's too)."""
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    if exc.status >= 500 and exc.status != 503:
        error_log.error("hub error on %s: %s", path, exc)
    return problem_response(
        exc.status,
        exc.title,
        str(exc),
        reason=exc.reason,
        retry_after=exc.retry_after if exc.status in (429, 503) else None,
        headers=headers,
    )


COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    401: problem_doc(
        "No valid access token (reason: no_token, bad_token, token_expired, device_revoked)"
    ),
    413: problem_doc("Body too large"),
    422: problem_doc("Invalid request"),
    429: problem_doc("Too many requests (Retry-After)"),
    500: problem_doc("Internal error"),
    503: problem_doc("Busy or unavailable (Retry-After)"),
}


class _RateLimiter:
    """Token buckets by key (a device, an admin, a device id asking for a token). Bounded:
    keys are partly caller-chosen, so buckets that have refilled — the same as none — are
    dropped when there are too many."""

    MAX_KEYS = 50_000

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._buckets) >= self.MAX_KEYS:
                full = self.burst / self.rate  # seconds to refill from empty
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full}
                if len(self._buckets) >= self.MAX_KEYS:
                    self._buckets.clear()
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = max(1, int((1.0 - tokens) / self.rate + 0.999))
                raise RateLimitedError("too many requests from this device", retry_after=wait)
            self._buckets[key] = (tokens - 1.0, now)


class Load:
    """Requests inside the app, counted on the event loop (no lock: one thread touches it).

    The write door (``max_writes``): interaction batches inside, from the door to their answer
    (they queue on the writers). With ``write_wait_s`` it is sized by what the writer serves:
    its answered batches a second, smoothed over ``WRITE_RATE_TAU_S`` (so a stall of half a
    second shrinks it by a tenth, not to nothing), times ``write_wait_s`` — a burst that the
    writer's pace takes through within that is let in, more is shed — never under
    ``max_writes`` nor over ``max_writes_cap``; it starts at the cap (nothing measured yet).
    With ``write_burst``, a process whose batches inside were under a quarter of the floor on
    average (over ~``WRITE_QUIET_TAU_S``) lets a burst in up to ``write_burst``: a queue that
    stands brings the mean up past it within ~0.3 s, and the door back to the floor.
    The door for every request (``max_inflight``) counts the others: batches waiting for the
    writer do not take the pulls' places."""

    def __init__(
        self,
        max_inflight: int,
        max_threads: int | None = None,
        max_writes: int | None = None,
        write_wait_s: float | None = None,
        max_writes_cap: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        write_burst: int | None = None,
        retry_after_max: int = 1,
    ) -> None:
        self.max_inflight = max_inflight
        self.retry_after_max = max(1, retry_after_max)  # the door's Retry-After at most
        self._shed_second = 0  # the whole second of the clock the sheds below are counted in
        self._shed_now = 0  # shed in that second
        self._shed_before = 0  # shed in the second before it
        self.max_threads = max_threads
        self.max_writes = max_writes  # the write door's floor (its size without write_wait_s)
        self.write_wait_s = write_wait_s  # sized by the writer's rate × this, up to the cap
        self.max_writes_cap = max(max_writes or 0, max_writes_cap or 0)
        self.write_burst = write_burst  # the door for a burst into a quiet process
        self._inside_mean = 0.0  # batches inside, averaged over time (WRITE_QUIET_TAU_S)
        self._inside_at = clock()  # when _inside_mean was last brought up to date
        self.past_floor = False  # the last batch full() let in was a burst's (past the door)
        self.queued_writes: Callable[[], int] | None = None  # else counted: batches inside
        self.inflight = 0
        self.writes = 0
        # Batches answered a second, smoothed (with write_wait_s). A process not measured yet
        # (just started: a restart's fleet coming back, the first seconds of a load) is taken to
        # keep up with the cap, not held to the floor: its measure comes down to what it serves.
        self.write_rate = self.max_writes_cap / write_wait_s if write_wait_s else 0.0
        self._clock = clock
        self._answered = 0  # since the last fold, not yet folded into write_rate
        self._busy = 0.0  # seconds with a batch inside since the last fold (idle: not a measure)
        self._busy_since = 0.0  # when the batches inside went from none to one
        self.shed = 0
        self.fast = 0  # answered by the hot routes' fast path
        self.draining = False  # told to stop: every answer closes its connection
        self._sized = max_threads is None

    def shed_one(self) -> int:
        """Count a request shed at the door; the Retry-After (seconds) to answer it with: 1, and
        1 more for every ``max_inflight`` shed in the last second (a sliding window over two
        whole seconds of the clock), at most ``retry_after_max``. A shed now and then is told
        1 s as before; a sustained shed tells the terminals to stay away long enough that
        those coming back find room, rather than be turned away again at once."""
        self.shed += 1
        if self.retry_after_max == 1:
            return 1
        now = self._clock()
        second = int(now)
        if second != self._shed_second:
            self._shed_before = self._shed_now if second == self._shed_second + 1 else 0
            self._shed_now = 0
            self._shed_second = second
        self._shed_now += 1
        recent = self._shed_now + self._shed_before * (1.0 - (now - second))
        return min(self.retry_after_max, 1 + int(recent) // max(1, self.max_inflight))

    def size_threads(self) -> None:
        """Set the event loop's worker-thread limit (once, from inside the loop)."""
        if not self._sized and self.max_threads is not None:
            self._sized = True
            anyio.to_thread.current_default_thread_limiter().total_tokens = self.max_threads

    def _mean_inside(self, now: float) -> float:
        """The batches inside averaged over time up to ``now`` (called before each change of
        ``writes``: the count was constant since the last call)."""
        dt = now - self._inside_at
        if dt > 0.0:
            self._inside_mean += (1.0 - math.exp(-dt / WRITE_QUIET_TAU_S)) * (
                self.writes - self._inside_mean
            )
            self._inside_at = now
        return self._inside_mean

    def write_in(self) -> None:
        """An interaction batch let in."""
        if self.write_burst is not None:
            self._mean_inside(self._clock())
        self.writes += 1
        if self.writes == 1 and self.write_wait_s is not None:
            self._busy_since = self._clock()

    def write_out(self) -> None:
        """An interaction batch answered (counted into the writer's rate)."""
        if self.write_burst is not None:
            self._mean_inside(self._clock())
        self.writes -= 1
        if self.write_wait_s is not None:
            self._answered += 1
            now = self._clock()
            if self.writes == 0:  # the writer idle from now: its time does not count
                self._busy += now - self._busy_since
            self._fold(now)

    def _fold(self, now: float) -> None:
        """The answers since the last fold over the time with a batch inside: the pace the
        writer kept while it had work (an idle hub — the enrolment before a load, a quiet
        night — keeps its measure; a stall, batches inside and none answered, lowers it)."""
        span = self._busy + (now - self._busy_since if self.writes else 0.0)
        if span < WRITE_RATE_STEP_S:
            return
        share = 1.0 - math.exp(-span / WRITE_RATE_TAU_S)
        self.write_rate += share * (self._answered / span - self.write_rate)
        self._answered = 0
        self._busy = 0.0
        if self.writes:
            self._busy_since = now

    def write_door(self) -> int:
        """Batches let in at most now: the floor (or the paced door, with ``write_wait_s``),
        and a burst into a quiet process up to ``write_burst``."""
        return self._doors()[1]

    def _doors(self) -> tuple[int, int]:
        """The door without the burst's allowance, and the door now."""
        floor = self.max_writes or 0
        door = floor
        if self.write_wait_s is not None:
            self._fold(self._clock())  # a stall (nothing answered) lowers the rate, slowly
            door = min(self.max_writes_cap, max(floor, int(self.write_rate * self.write_wait_s)))
        burst = self.write_burst
        if burst is not None and burst > door and self._mean_inside(self._clock()) < floor / 4:
            return door, burst  # a quiet process: a burst waits its turn rather than be shed
        return door, door

    def full(self, *, write: bool = False) -> bool:
        self.past_floor = False
        if write and self.max_writes is not None:
            pending = self.writes if self.queued_writes is None else self.queued_writes()
            base, door = self._doors()
            if pending >= door:
                return True
            self.past_floor = pending >= base  # let in by the burst's allowance, if at all
        return self.inflight - self.writes >= self.max_inflight


class ReconnectWindow:
    """How long a fleet coming back from offline spreads its first rounds (GET /healthz
    ``reconnect_s``): the devices this hub serves over the returning rounds a second it takes
    (``HubConfig.reconnect_rate``), within ``RECONNECT_MIN_S`` .. ``RECONNECT_MAX_S``. When a
    hub restarts, every terminal's probe answers within a second or two, and each terminal's
    first round (a push and a pull) at once was more than the hub serves on top of its load:
    those were shed with 503. The devices are counted when the process starts (every device
    not revoked, ``Devices.prime``) and as it enrols more; one revoked since still counts until
    the next start (the window errs long, never past its bound)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.devices = 0
        self._lock = threading.Lock()  # enrolments count on worker threads

    def add(self, devices: int) -> None:
        with self._lock:
            self.devices += devices

    def seconds(self) -> float:
        return min(RECONNECT_MAX_S, max(RECONNECT_MIN_S, self.devices / self.rate))


@functools.cache
def _busy_503(retry_after: int) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The door's 503 (headers, body) for ``retry_after`` — what :func:`problem_response`
    makes, made once rather than for every 503."""
    answer = problem_response(
        503,
        "Service unavailable",
        "the hub is at capacity; retry shortly",
        reason="busy",
        retry_after=retry_after,
    )
    return list(answer.raw_headers), bytes(answer.body)


_UNSHED = frozenset({"/healthz"})
_WRITE_PATH = f"{API_PREFIX}/interactions"


class _Guard:
    """Outermost ASGI layer: shedding at the door, body size limit, request log line,
    last-resort 500 problem."""

    def __init__(
        self, app: ASGIApp, max_body_bytes: int, load: Load, fast: FastPath | None = None
    ) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.load = load
        self.fast = fast
        self.pid = os.getpid()  # the log line's process: which worker a herd went to

    async def __call__(
        self,
        scope: Scope,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: dict[str, Any] = {"code": 0, "sent": False, "door": None}
        scope.setdefault("state", {})["arrived"] = started

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
                status["sent"] = True
                if self.load.draining:  # stopping: no connection kept alive past its answer
                    headers = [*message.get("headers", ()), (b"connection", b"close")]
                    message = {**message, "headers": headers}
            await send(message)

        size = 0
        load = self.load
        load.size_threads()
        counted = False
        write = scope.get("path") == _WRITE_PATH and scope.get("method") == "POST"
        try:
            if load.full(write=write) and scope.get("path") not in _UNSHED:
                retry_after = load.shed_one()
                # which door: every request's (max_inflight) or the writes' (capacity work)
                status["door"] = "all" if load.inflight >= load.max_inflight else "writes"
                # The answer made once (_busy_503: problem_response's bytes), not per 503.
                head, body = _busy_503(retry_after)
                await send_wrapper({"type": "http.response.start", "status": 503, "headers": head})
                await send_wrapper({"type": "http.response.body", "body": body})
                return
            load.inflight += 1
            if write:
                load.write_in()
                if load.past_floor:  # the access log tells it: the burst door's work
                    status["door"] = "burst"
            counted = True
            if str(scope.get("path", "")).startswith(IMPORT_PREFIX):  # streamed, unbuffered
                await self.app(scope, receive, send_wrapper)
                return
            body, size, too_large = await self._read_body(scope, receive)
            if too_large:
                await problem_response(
                    413,
                    "Content too large",
                    f"request bodies are limited to {self.max_body} bytes",
                    reason="too_large",
                )(scope, receive, send_wrapper)
                return
            if self.fast is not None and await self.fast(scope, body, send_wrapper):
                return
            sent_body = False

            async def replay() -> Message:
                nonlocal sent_body
                if not sent_body:
                    sent_body = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await self.app(scope, replay, send_wrapper)
        except Exception:
            error_log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not status["sent"]:
                await problem_response(
                    500, "Internal error", "the hub failed; the error is logged", reason="error"
                )(scope, receive, send_wrapper)
        finally:
            if counted:
                load.inflight -= 1
                if write:
                    load.write_out()
            state = scope.get("state") or {}
            log.info(
                json.dumps(
                    {
                        "ts": round(time.time(), 3),
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "status": status["code"],
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                        "bytes_in": size,
                        "device": state.get("device_id"),
                        "client": (scope.get("client") or ("", 0))[0],
                        "pid": self.pid,
                        **({"door": status["door"]} if status["door"] else {}),
                    },
                    separators=(",", ":"),
                )
            )

    async def _read_body(
        self, scope: Scope, receive: Callable[[], Awaitable[Message]]
    ) -> tuple[bytes, int, bool]:
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.max_body:
                    return b"", declared, True
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return b"", size, True
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks), size, False


def create_app(store: HubStore, config: HubConfig | None = None) -> FastAPI:
    """The hub application over ``store`` (which the caller opens and closes)."""
    cfg = config or HubConfig()
    app = FastAPI(
        title="Omni Clerk hub",
        version=f"{PROTOCOL_VERSION}.0",
        description=(
            "The reference central CRM for Omni Clerk terminals: enrolment, signing keys, the "
            "per-store changes feed, member lookup and idempotent interaction ingest, and the "
            "Segment HTTP Tracking API for behaviour events (/segment/v1/…). Errors are "
            "RFC 9457 problem JSON."
        ),
    )
    bearer = HTTPBearer(
        auto_error=False,
        scheme_name="DeviceToken",
        description="A device's access token (from /v1/devices/enroll or /v1/devices/token)",
    )
    admin_bearer = HTTPBearer(
        auto_error=False,
        scheme_name="AdminToken",
        description="An HQ admin token (clerk hub admin-token create NAME)",
    )
    limiter = _RateLimiter(cfg.rate_per_s, cfg.burst)
    load = Load(
        cfg.max_inflight,
        cfg.max_threads,
        cfg.max_pending_writes,
        cfg.write_wait_s,
        cfg.max_pending_writes_cap,
        write_burst=cfg.max_pending_writes_burst,
        retry_after_max=cfg.retry_after_max,
    )
    app.state.load = load
    reconnect = ReconnectWindow(cfg.reconnect_rate)
    app.state.reconnect = reconnect
    take_batch = Ingest(store, group=cfg.group_commit)
    app.state.ingest = take_batch
    if cfg.write_door == "queue" and take_batch.committer is not None:
        load.queued_writes = take_batch.committer.queued

    def log_groups() -> None:  # capacity work: how many batches a transaction took
        if take_batch.committer is not None and take_batch.committer.groups:
            c = take_batch.committer
            error_log.info("group commit: %d batches in %d transactions", c.jobs, c.groups)

    app.router.on_shutdown.append(log_groups)
    # A worker process of --workers N ends without atexit: the log lines kept are written here.
    app.router.on_shutdown.append(logs.flush_all)

    async def warm() -> None:
        """Before the first request: the devices' cache filled, so a restarted hub checks
        the whole fleet's first tokens on the event loop (its fast path) rather than with a
        thread and a read each — the herd of terminals coming back costs what a minute later
        does; on PostgreSQL the process's connections opened, their server processes warmed
        and the pull's statements prepared (:meth:`~sync.hub.store.HubStore.warm`: a read
        connection for each route thread and the chain follower), so the first second's
        requests do not each wait for a connection. A failure only leaves the cache and the
        pool to fill as requests come. The devices read are the fleet the reconnect window is
        sized by (GET /healthz)."""
        try:
            reconnect.add(await run_in_threadpool(store.devices.prime))
        except HubServiceError as exc:
            error_log.warning("devices not primed at start: %s", exc)
        try:
            await run_in_threadpool(store.warm, cfg.max_threads + 1)
        except HubServiceError as exc:
            error_log.warning("connections not opened at start: %s", exc)

    app.router.on_startup.append(warm)

    # errors --------------------------------------------------------------------------------

    @app.exception_handler(HubServiceError)
    async def hub_error(request: Request, exc: HubServiceError) -> JSONResponse:
        return hub_problem(request.url.path, exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        parts = []
        for err in errors[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()))
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
        return problem_response(
            422, "Unprocessable content", "; ".join(parts) or "invalid request", reason="invalid"
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed"}
        return problem_response(
            exc.status_code,
            titles.get(exc.status_code, "HTTP error"),
            str(exc.detail) if exc.detail else None,
            reason="not_found" if exc.status_code == 404 else f"http_{exc.status_code}",
            headers=dict(exc.headers or {}),
        )

    # auth ----------------------------------------------------------------------------------

    def check_queue(request: Request) -> None:
        arrived = request.scope.get("state", {}).get("arrived")
        queued = 0.0 if arrived is None else time.perf_counter() - arrived
        if queued > cfg.max_queue_s:  # its terminal has given up on it by now
            raise BusyError(f"the request waited {queued:.1f} s for the hub", retry_after=1)

    # Interaction batches run on threads of their own: a batch waits on its thread for its
    # group's commit (sync.hub.commits), and while the writer stalled — SQLite's COMMIT flushing
    # or checkpointing under load, the other process's turn with the lock — the batches inside
    # held every route thread and the pulls queued behind them until the door shed them too
    # (the 503s at a restart's window's end, docs/benchmarks.md). As many as the write door's
    # floor (or the routes' threads, if more): a batch never waits for a thread behind pulls,
    # nor a pull behind batches; the batches the door lets in past that wait for one on the
    # event loop, not each on a thread of its own (at twice the saturating load a thread for
    # each of the door's 48 cost the hub ~30 % more CPU a request: docs/benchmarks.md,
    # eleventh session). Made on the event loop, at the first batch.
    batch_threads: list[anyio.CapacityLimiter] = []

    def batch_limiter() -> anyio.CapacityLimiter:
        if not batch_threads:
            threads = max(cfg.max_threads, cfg.max_pending_writes)
            batch_threads.append(anyio.CapacityLimiter(threads))
        return batch_threads[0]

    async def in_thread(
        request: Request, fn: Callable[..., T], *args: Any, batch: bool = False
    ) -> T:
        """``fn(*args)`` on a worker thread (a batch's own, with ``batch``); 503 if the
        request waited ``max_queue_s`` for it."""

        def run() -> T:
            check_queue(request)
            return fn(*args)

        if batch:
            return await anyio.to_thread.run_sync(run, limiter=batch_limiter())
        return await run_in_threadpool(run)

    async def device(
        request: Request,
        creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Device:
        # On the event loop: a token check is an HMAC and two dict look-ups while the device
        # and the revoked set are fresh in this process; a thread only when they must be read.
        check_queue(request)
        if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
            raise UnauthenticatedError("a device access token is required", reason="no_token")
        now = cfg.clock()
        found = store.devices.authenticate_cached(creds.credentials, now=now)
        if found is None:
            token = creds.credentials
            found = await in_thread(request, lambda: store.devices.authenticate(token, now=now))
        request.state.device_id = found.id
        limiter.check(found.id)
        return found

    DeviceDep = Annotated[Device, Depends(device)]

    def admin(
        request: Request,
        creds: Annotated[HTTPAuthorizationCredentials | None, Depends(admin_bearer)],
    ) -> str:
        if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
            raise UnauthenticatedError("an HQ admin token is required", reason="no_token")
        name = store.admin_tokens.authenticate(creds.credentials)
        if name is None:
            raise UnauthenticatedError("not an HQ admin token", reason="not_admin")
        request.state.device_id = f"admin:{name}"
        limiter.check(f"admin:{name}")
        return name

    AdminDep = Annotated[str, Depends(admin)]

    # health --------------------------------------------------------------------------------

    @app.get(
        "/healthz",
        response_model=Health,
        tags=["health"],
        summary="Liveness, and the window a returning terminal spreads its round over",
    )
    async def healthz(response: Response) -> Health:
        # On the event loop (no thread, no database): the probe of every offline terminal,
        # a whole fleet's within seconds when the hub restarts; never shed at the door. The
        # connection is closed after it: a restarted hub's first process to be ready took
        # every probe's connection, and the rounds that followed on them (2-7x the other
        # process's requests, its door shedding while the other had room); the round opens
        # its own, taken by whichever process accepts it.
        response.headers["Connection"] = "close"
        return Health(reconnect_s=reconnect.seconds())

    @app.get(
        "/readyz",
        tags=["health"],
        summary="Readiness: the database answers",
        responses={503: COMMON_ERRORS[503]},
    )
    def readyz() -> dict[str, Any]:
        store.ping()
        return {"status": "ready", "schema_version": store.schema_version()}

    # enrolment and keys --------------------------------------------------------------------

    @app.post(
        f"{API_PREFIX}/devices/enroll",
        response_model=EnrollResponse,
        tags=["devices"],
        summary="Enrol a terminal with a one-time code",
        responses={403: problem_doc("Code invalid, used or expired"), **COMMON_ERRORS},
    )
    def enroll(req: EnrollRequest) -> EnrollResponse:
        now = int(cfg.clock())
        dev, secret = store.devices.enroll(req.store_id, req.code, req.device_name, now=now)
        reconnect.add(1)
        access = store.devices.access_token(dev.id, now=now, ttl=cfg.token_ttl_s)
        return EnrollResponse(
            device_id=dev.id,
            token=access.token,
            store_id=dev.store_id,
            store_name=store.store_name(dev.store_id),
            keys=[PublicKey(**k) for k in store.keys.public()],
            phone_bucket_key=store.phone_bucket_key,
            phone_seal_key=store.phone_seal_public,
            device_secret=secret,
            token_expires_at=access.expires_at,
            token_expires_in=access.expires_in,
        )

    @app.post(
        f"{API_PREFIX}/devices/token",
        response_model=TokenResponse,
        tags=["devices"],
        summary="A new access token against the device secret",
        responses={
            401: problem_doc("Unknown device, wrong secret (bad_secret) or device_revoked"),
            **COMMON_ERRORS,
        },
    )
    def device_token(req: TokenRequest, request: Request) -> TokenResponse:
        request.state.device_id = req.device_id
        limiter.check("token:" + req.device_id)
        access = store.devices.exchange(
            req.device_id, req.device_secret, now=int(cfg.clock()), ttl=cfg.token_ttl_s
        )
        return TokenResponse(
            token=access.token, expires_at=access.expires_at, expires_in=access.expires_in
        )

    @app.get(
        f"{API_PREFIX}/keys",
        response_model=KeysResponse,
        tags=["keys"],
        summary="Member-code public keys by kid",
        responses=COMMON_ERRORS,
    )
    def keys(dev: DeviceDep) -> KeysResponse:
        return KeysResponse(
            keys=[PublicKey(**k) for k in store.keys.public()],
            phone_bucket_key=store.phone_bucket_key,
            phone_seal_key=store.phone_seal_public,
        )

    # changes -------------------------------------------------------------------------------

    notifier = ChangeNotifier(store)
    app.state.notifier = notifier

    def drain() -> None:
        """Told to stop: parked long-polls answered now, connections closed after their
        answer — so the graceful shutdown waits for work in flight only (serve's bound)."""
        load.draining = True
        notifier.close()

    app.state.drain = drain
    app.router.on_startup.append(functools.partial(_on_stop_signal, drain))

    @app.get(
        f"{API_PREFIX}/changes",
        tags=["sync"],
        summary="The store's slice after a cursor, in sequence order (long-poll with wait)",
        description=(
            "With `wait` (seconds, at most "
            f"{MAX_CHANGES_WAIT_S}), an empty page is not answered at once: the request "
            "returns as soon as the store has a change after `since`, or after `wait` seconds "
            "with the empty page (at once when `since` is past the hub's newest change). A "
            "waiting request holds no worker thread on the hub. With `format=rows`, the page "
            "comes in the compact row format (`RowsResponse`: per entity and op a run with "
            "the column names once and each row as an array); a hub without it answers the "
            "object format, which a terminal tells by the answer's first member."
        ),
        responses={
            200: {
                "model": ChangesResponse | RowsResponse,
                "description": "A page (`RowsResponse` with `format=rows`)",
            },
            **COMMON_ERRORS,
        },
    )
    async def changes(
        request: Request,
        dev: DeviceDep,
        since: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
        wait: Annotated[float, Query(ge=0, le=MAX_CHANGES_WAIT_S)] = 0,
        format: Annotated[Literal["objects", "rows"], Query()] = "objects",
    ) -> Response:
        rows = format == ROWS_FORMAT
        n = min(limit or cfg.default_changes_limit, MAX_CHANGES_LIMIT)
        if wait > 0:
            await notifier.start()  # before the first read: no change slips between
        # Pre-serialised by the store (a ChangesResponse, as documented above): no model or
        # dict per row on the way out.
        body = await in_thread(
            request, functools.partial(store.feed.changes_json, rows=rows), dev.store_id, since, n
        )
        deadline = time.monotonic() + wait
        seen = since
        if wait > 0 and body.startswith(_EMPTY_PAGES) and since > await notifier.newest():
            wait = 0  # a cursor ahead of the hub (a database restored from a backup): no wait
        while wait > 0 and body.startswith(_EMPTY_PAGES):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            load.inflight -= 1  # parked on the event loop: not a request holding the hub
            try:
                head = await notifier.wait(dev.store_id, seen, left)
            finally:
                load.inflight += 1
            if head is None:
                break
            seen = head
            body = await run_in_threadpool(
                store.feed.changes_json, dev.store_id, since, n, rows=rows
            )
        return Response(body, media_type="application/json")

    # members -------------------------------------------------------------------------------

    member_errors = {404: problem_doc("Unknown member"), **COMMON_ERRORS}

    @app.post(
        f"{API_PREFIX}/members/lookup",
        response_model=MemberView,
        tags=["members"],
        summary="A member from elsewhere, against proof of presence (rate-limited, audited)",
        description=(
            "Exactly one proof: the member code as scanned (its signature, key and validity "
            "are checked here), the card number (Luhn-valid), or the whole phone number as "
            "typed. `staff_id` is the signed-in staff member, active at the device's store. "
            "Every attempt is audited; a device may make a few in a burst and 30 a minute "
            "(429 with Retry-After)."
        ),
        responses={
            403: problem_doc("The staff member is not active staff of this store"),
            **member_errors,
        },
    )
    def member_lookup(dev: DeviceDep, req: MemberLookupRequest) -> Response:
        kind: ProofKind = "code" if req.code else "card" if req.card_no else "phone"
        text = req.code or req.card_no or req.phone or ""
        view = store.members.lookup_by_proof(
            dev,
            req.staff_id,
            Proof(kind, text),
            now=int(cfg.clock()),
            limits=cfg.lookup_limits,
        )
        return _json(view)

    @app.get(
        f"{API_PREFIX}/members/{{member_id}}",
        response_model=MemberView,
        tags=["members"],
        summary="One member of the device's own store, for a cache miss",
        description="Members of other stores are 404, as unknown ones: look them up by proof.",
        responses=member_errors,
    )
    def member(dev: DeviceDep, member_id: Annotated[str, Path(max_length=64)]) -> Response:
        return _json(store.members.view(member_id, store_id=dev.store_id))

    # interactions --------------------------------------------------------------------------

    def handle_batch(body: bytes, dev: Device) -> dict[str, Any]:
        try:
            doc = json.loads(body, parse_constant=_no_constant)
        except RecursionError as exc:  # the decoder's own limit (~1,000 levels)
            raise InvalidInputError(_TOO_DEEP, reason="too_deep") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"body is not JSON: {exc}", reason="malformed_json") from exc
        if _deeper_than(doc, MAX_JSON_DEPTH):
            raise InvalidInputError(_TOO_DEEP, reason="too_deep")
        items = doc.get("interactions") if isinstance(doc, dict) else None
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH_ITEMS:
            raise InvalidInputError(
                f"expected {{'interactions': [1..{MAX_BATCH_ITEMS} items]}}", reason="invalid"
            )
        try:
            parsed = parse_items(items)
        except ValueError as exc:
            raise InvalidInputError(str(exc), reason="invalid") from exc
        results = take_batch(dev, parsed, now=int(cfg.clock()), bounds=cfg.bounds)
        return {"results": [r.wire() for r in results]}

    @app.post(
        f"{API_PREFIX}/interactions",
        response_model=InteractionBatchResponse,
        tags=["sync"],
        summary="Deliver a batch from the outbox (idempotent by interaction id)",
        responses=COMMON_ERRORS,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/InteractionBatch"}
                    }
                },
            }
        },
    )
    async def interactions(request: Request, dev: DeviceDep) -> Response:
        body = await request.body()  # past the door: at most max_pending_writes batches here
        result = await in_thread(request, handle_batch, body, dev, batch=True)
        return _json(result)

    @app.get(
        f"{API_PREFIX}/audit/head",
        response_model=AuditHead,
        tags=["sync"],
        summary="The last audit row acknowledged from this device, and the problems flagged",
        responses=COMMON_ERRORS,
    )
    def audit_head(dev: DeviceDep) -> AuditHead:
        head = store.audit.head(dev.id)
        return AuditHead(seq=head.seq, hash=head.hash, flags=head.flags)

    @app.get(
        f"{API_PREFIX}/conflicts",
        response_model=ConflictsResponse,
        tags=["managers"],
        summary="Conflicting and duplicate interactions touching this store",
        responses=COMMON_ERRORS,
    )
    def conflicts(dev: DeviceDep, include_resolved: bool = False) -> ConflictsResponse:
        rows = store.interactions.conflicts(dev.store_id, include_resolved=include_resolved)
        return ConflictsResponse(conflicts=[ConflictItem(**r) for r in rows])

    # HQ administration ---------------------------------------------------------------------

    admin_errors = {401: problem_doc("No valid HQ admin token"), **COMMON_ERRORS}

    @app.get(
        f"{API_PREFIX}/admin/devices",
        response_model=DevicesResponse,
        tags=["admin"],
        summary="The enrolled devices (of one store)",
        responses=admin_errors,
    )
    def admin_devices(
        _admin: AdminDep,
        store_id: Annotated[str | None, Query(alias="store", max_length=64)] = None,
    ) -> DevicesResponse:
        return DevicesResponse(devices=[DeviceRow(**r) for r in store.devices.rows(store_id)])

    @app.post(
        f"{API_PREFIX}/admin/devices/{{device_id}}/revoke",
        response_model=DeviceRow,
        tags=["admin"],
        summary="Revoke a device: refused everywhere within a second (audited)",
        responses={404: problem_doc("Unknown device"), **admin_errors},
    )
    def admin_revoke(
        name: AdminDep, device_id: Annotated[str, Path(max_length=64)], req: RevokeRequest
    ) -> DeviceRow:
        row = store.devices.revoke(
            device_id, reason=req.reason, actor=f"admin:{name}", now=int(cfg.clock())
        )
        return DeviceRow(**row)

    # master data in: imports streamed by HQ (/v1/admin/import/{kind}) ----------------------

    add_import_routes(app, store, admin, clock=cfg.clock, errors=admin_errors)

    # behaviour events in: the Segment HTTP Tracking API (/segment/v1/…) ----------------------

    segment_fast = add_segment_routes(app, store, clock=cfg.clock)

    # OpenAPI -------------------------------------------------------------------------------

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (InteractionBatch, Problem, SegmentBatch, SegmentCall):
            model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, sub in model_schema.pop("$defs", {}).items():
                components.setdefault(name, sub)
            components.setdefault(model.__name__, model_schema)
        schema["components"].setdefault("securitySchemes", {})["WriteKey"] = {
            "type": "http",
            "scheme": "basic",
            "description": "A source's write key as the user name (clerk hub source add NAME)",
        }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

    # The hot routes' fast path: a plain pull (no wait) and a batch, from a device whose token
    # checks out of the process's cache, answered without FastAPI's routing, dependencies and
    # validation (the same checks, the same answers; anything else goes the routes' way).

    async def fast(scope: Scope, body: bytes, send: Callable[[Message], Awaitable[None]]) -> bool:
        path, method = scope.get("path"), scope.get("method")
        if str(path).startswith(SEGMENT_PREFIX):  # behaviour events: the Segment routes' own
            answered = await segment_fast(scope, body, send)
            load.fast += answered
            return answered
        query: dict[bytes, int] | None = {}
        if path == _CHANGES_PATH and method == "GET":
            query = _fast_query(scope.get("query_string", b""))
            if query is None:
                return False
        elif path != _WRITE_PATH or method != "POST" or scope.get("query_string"):
            return False
        token = None
        for name, value in scope.get("headers", ()):
            if name == b"authorization":  # the first, as HTTPBearer reads it
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() != "bearer" or not token:
                    return False
                break
        arrived = scope.get("state", {}).get("arrived")
        if token is None or arrived is None or time.perf_counter() - arrived > cfg.max_queue_s:
            return False
        try:
            found = store.devices.authenticate_cached(token, now=cfg.clock())
        except HubServiceError:
            return False  # the route answers (its 401s)
        if found is None:
            return False
        dev = found
        scope["state"]["device_id"] = dev.id
        try:
            limiter.check(dev.id)
            if query is not None and path == _CHANGES_PATH:
                n = min(query.get(b"limit") or cfg.default_changes_limit, MAX_CHANGES_LIMIT)
                since = query.get(b"since", 0)
                # A tailed store's pull on the loop when its tail takes the follower's rows.
                page = None
                if b"format" not in query:
                    page = await store.feed.changes_json_async(dev.store_id, since, n)
                if page is None:
                    render = functools.partial(store.feed.changes_json, rows=b"format" in query)
                    page = await fast_thread(arrived, render, dev.store_id, since, n)
                out = page
            else:
                out = _json_bytes(
                    await fast_thread(arrived, handle_batch, body, dev, limiter=batch_limiter())
                )
        except HubServiceError as exc:
            answer: Response = hub_problem(str(path), exc)
        else:
            answer = Response(out, media_type="application/json")
        load.fast += 1
        await answer(scope, _no_body, send)
        return True

    async def fast_thread(
        arrived: float,
        fn: Callable[..., T],
        *args: Any,
        limiter: anyio.CapacityLimiter | None = None,
    ) -> T:
        def run() -> T:
            queued = time.perf_counter() - arrived
            if queued > cfg.max_queue_s:  # as check_queue
                raise BusyError(f"the request waited {queued:.1f} s for the hub", retry_after=1)
            return fn(*args)

        if limiter is not None:
            return await anyio.to_thread.run_sync(run, limiter=limiter)
        return await run_in_threadpool(run)

    # Outermost: body limit, access log and the last-resort 500.
    app.add_middleware(_GuardMiddleware, max_body_bytes=cfg.max_body_bytes, load=load, fast=fast)
    return app


# A served process's collection thresholds (gc.set_threshold): a full collection after 100
# collections of the middle generation, not Python's 10 (the young generations' as Python has
# them). What a full collection walks after the freeze is mostly the feed tails' lists — up to
# 4 × 4,096 references a store, 100 stores a process: ~20 ms on a quiet core, 35-55 ms at load
# 6 — and it came every ~4 s a process under the 1,000-terminal load; now every ~40 s.
GC_THRESHOLDS = (700, 10, 100)


async def freeze_heap() -> None:
    """(A served process's startup, after :func:`create_app`'s warm-up.) What the process holds
    once started — its modules, routes, models, the devices read, its connections — moved out
    of Python's garbage collections for good (:func:`gc.freeze`, after one collection of the
    start's garbage), and full collections made rarer (:data:`GC_THRESHOLDS`). A full
    collection holds the whole process, every thread, for as long as it walks every container
    still tracked: ~73,000 at start, 14 ms on a quiet core and 75-390 ms at load 6-10, every
    few seconds under load; frozen, it walks only what came since. And glibc's allocator told
    to keep freed memory for the next pull's page (:func:`keep_freed_memory`)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    keep_freed_memory()


# glibc's allocator, told by keep_freed_memory(): blocks up to MALLOC_MMAP_BELOW come from its
# heaps, not a mapping of their own, and a heap's free top is given back to the system only past
# MALLOC_TRIM_ABOVE. A pull's page (a few hundred kilobytes, made and freed per pull) otherwise
# lands in memory the system maps afresh, one page fault per 4 KB written: 7-8 % of a busy
# SQLite hub's CPU (perf, docs/benchmarks.md, fifteenth session). A process then keeps up to
# MALLOC_TRIM_ABOVE free in each of its heaps (one a thread that allocates, at most).
MALLOC_MMAP_BELOW = 8 * 1024 * 1024
MALLOC_TRIM_ABOVE = 64 * 1024 * 1024
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)


def keep_freed_memory() -> bool:
    """Tell glibc's allocator to keep freed memory for the next allocation (above); False where
    there is no glibc (macOS, musl) or CLERK_HUB_MALLOC_KEEP=0 (capacity work: as before)."""
    if os.environ.get("CLERK_HUB_MALLOC_KEEP", "1") == "0":
        return False
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MALLOC_MMAP_BELOW)) and bool(
        mallopt(_M_TRIM_THRESHOLD, MALLOC_TRIM_ABOVE)
    )


async def _on_stop_signal(callback: Callable[[], None]) -> None:
    """Run ``callback`` on this event loop when the process is told to stop (SIGTERM, SIGINT),
    then the handler that was there — uvicorn's, which starts its graceful shutdown (installed
    before the app's startup). Only in the main thread: a hub served by a thread (clerk demo,
    tests) is stopped by its owner."""
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)
        if not callable(previous):
            continue  # no graceful shutdown to start on it: left as it is

        def handler(
            signum: int, frame: Any, previous: Callable[[int, Any], Any] = previous
        ) -> None:
            loop.call_soon_threadsafe(callback)
            previous(signum, frame)

        signal.signal(sig, handler)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


class _GuardMiddleware(_Guard):
    """Adapter so Starlette's add_middleware can build _Guard with keyword options."""

    def __init__(
        self, app: ASGIApp, max_body_bytes: int, load: Load, fast: FastPath | None = None
    ) -> None:
        super().__init__(app, max_body_bytes, load, fast)


_FAST_QUERY = frozenset({b"since", b"limit", b"wait", b"format"})
_CHANGES_PATH = f"{API_PREFIX}/changes"


def _fast_query(query: bytes) -> dict[bytes, int] | None:
    """``since``/``limit`` of a plain pull's query string (decimal, within the route's
    bounds, each at most once, ``wait`` absent or 0; ``format=rows`` as ``format`` 1); None
    for anything else (the route itself then answers, with its own validation and messages)."""
    out: dict[bytes, int] = {}
    for part in query.split(b"&") if query else ():
        name, eq, value = part.partition(b"=")
        if not eq or name not in _FAST_QUERY or name in out:
            return None
        if name == b"format":
            if value != b"rows":
                return None
            out[name] = 1
            continue
        if not value.isdigit() or len(value) > 19:
            return None
        out[name] = int(value)
    if out.get(b"wait", 0) != 0 or out.get(b"since", 0) > 2**62:
        return None
    if b"limit" in out and not 1 <= out[b"limit"] <= 1_000_000:
        return None
    return out


_EMPTY_PAGES = (b'{"changes":[]', ROWS_PREFIX + b'"runs":[]')


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# An interaction batch is a handful of levels deep; deeper JSON is refused before validation
# and storage walk it recursively (a thousand levels exhaust Python's stack: a 500).
MAX_JSON_DEPTH = 32
_TOO_DEEP = f"JSON nested more than {MAX_JSON_DEPTH} levels deep"


def _deeper_than(doc: Any, limit: int) -> bool:
    """True if ``doc`` nests lists/objects more than ``limit`` levels (walked iteratively)."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _json(data: Any) -> Response:
    return Response(_json_bytes(data), media_type="application/json")


def _json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# The capacity knobs a served hub reads from its environment: variable, HubConfig field, type,
# the least value it takes (docs/hub.md lists them; unset or empty: the default).
_ENV_KNOBS: tuple[tuple[str, str, type[int] | type[float], float], ...] = (
    ("CLERK_HUB_MAX_PENDING_WRITES", "max_pending_writes", int, 1),
    ("CLERK_HUB_MAX_PENDING_WRITES_CAP", "max_pending_writes_cap", int, 1),
    ("CLERK_HUB_MAX_PENDING_WRITES_BURST", "max_pending_writes_burst", int, 0),
    ("CLERK_HUB_WRITE_WAIT_S", "write_wait_s", float, 0),
    ("CLERK_HUB_MAX_INFLIGHT", "max_inflight", int, 0),
    ("CLERK_HUB_RETRY_AFTER_MAX", "retry_after_max", int, 1),
    ("CLERK_HUB_RECONNECT_RATE", "reconnect_rate", float, 0.001),
    ("CLERK_HUB_MAX_THREADS", "max_threads", int, 1),
)


def config_from_env(
    env: Mapping[str, str], *, token_ttl_s: int = DEFAULT_TOKEN_TTL_S, bounds: WriteBounds
) -> HubConfig:
    """A served hub's :class:`HubConfig`: the token lifetime and write windows given, the
    capacity knobs from ``env`` (``_ENV_KNOBS``; CLERK_HUB_WRITE_WAIT_S 0: the fixed door),
    group commit off with CLERK_HUB_GROUP_COMMIT=0 and the write door counting only the
    writer's queue with CLERK_HUB_WRITE_DOOR=queue. ``clerk hub serve`` reads it once before it
    opens the database (a value that is not a number, or under its least, is refused there by
    name) and every worker process again."""
    given: dict[str, Any] = {}
    for name, attr, kind, least in _ENV_KNOBS:
        raw = (env.get(name) or "").strip()
        if not raw:
            continue
        try:
            value = kind(raw)
        except ValueError:
            raise InvalidInputError(f"{name} is not a number: {raw!r}") from None
        if not math.isfinite(value) or value < least:
            raise InvalidInputError(f"{name} must be at least {least:g}, got {raw}")
        given[attr] = value
    if given.get("write_wait_s") == 0:
        given["write_wait_s"] = None  # 0: the fixed door (the default)
    door = env.get("CLERK_HUB_WRITE_DOOR", "")
    if door not in ("", "inside", "queue"):
        raise InvalidInputError(f"CLERK_HUB_WRITE_DOOR is 'inside' or 'queue', not {door!r}")
    return HubConfig(
        token_ttl_s=token_ttl_s,
        bounds=bounds,
        group_commit=env.get("CLERK_HUB_GROUP_COMMIT", "1") != "0",
        write_door="queue" if door == "queue" else "inside",
        **given,
    )


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (multi-worker serve): database from CLERK_HUB_DB, keys as
    :func:`sync.hub.keys.key_source` finds them (CLERK_HUB_KEYS_FILE …), the access tokens'
    lifetime from CLERK_HUB_TOKEN_TTL_S, the write windows from CLERK_HUB_SKEW_S …
    (:meth:`sync.hub.rules.WriteBounds.from_env`), the capacity knobs as
    :func:`config_from_env` reads them (CLERK_HUB_MAX_INFLIGHT …); for capacity work, each
    worker's CPU profile with CLERK_HUB_PROFILE, its event loop's lateness with
    CLERK_HUB_LOOP_LAG and its garbage collections' pauses with CLERK_HUB_GC_TIMES
    (:mod:`sync.hub.profiling`), glibc's allocator left as it comes with CLERK_HUB_MALLOC_KEEP=0
    (:func:`keep_freed_memory`), Python's thread switch interval with
    CLERK_HUB_SWITCH_INTERVAL_MS (default 5)."""

    db = os.environ.get("CLERK_HUB_DB")
    if not db:
        raise RuntimeError("CLERK_HUB_DB is not set")
    if not logging.getLogger().handlers:  # a fresh worker process: one JSON line per request
        logs.configure(os.environ.get("CLERK_HUB_LOG_LEVEL", "INFO"), sys.stderr)
    ttl = int(os.environ.get("CLERK_HUB_TOKEN_TTL_S") or DEFAULT_TOKEN_TTL_S)
    bounds = WriteBounds.from_env(os.environ)
    switch_ms = os.environ.get("CLERK_HUB_SWITCH_INTERVAL_MS")
    if switch_ms:  # capacity work: how soon a thread wanting the GIL (the event loop) gets it
        sys.setswitchinterval(float(switch_ms) / 1000.0)
    config = config_from_env(os.environ, token_ttl_s=ttl, bounds=bounds)
    app = create_app(HubStore.open(db), config)
    app.router.on_startup.append(freeze_heap)  # after the warm-up: what it made is frozen too
    profile_path = os.environ.get("CLERK_HUB_PROFILE")
    if profile_path:  # capacity work: each worker's CPU profile, written at its shutdown
        from sync.hub.profiling import ProcessProfile

        profile = ProcessProfile(profile_path)
        profile.start()
        app.router.on_shutdown.append(profile.dump)
    lag_path = os.environ.get("CLERK_HUB_LOOP_LAG")
    if lag_path:  # capacity work: how late the event loop runs (bench/hub_load.py)
        from sync.hub.profiling import LoopLag

        lag = LoopLag(lag_path)
        app.router.on_startup.append(lag.start)
        app.router.on_shutdown.append(lag.stop)
    gc_path = os.environ.get("CLERK_HUB_GC_TIMES")
    if gc_path:  # capacity work: each garbage collection's pause (bench/hub_load.py)
        from sync.hub.profiling import GcTimes

        gc_times = GcTimes(gc_path)
        app.router.on_startup.append(gc_times.start)
        app.router.on_shutdown.append(gc_times.stop)
    return app
