"""Simulated terminals for the load benchmarks (bench/hub_load.py, bench/http_floor.py), run
by one or several generator processes.

A terminal pushes 1–10 visits every 1–5 s and pulls its store's changes every 2–6 s (pages until
caught up), on an asyncio loop, each through its own HTTP client: bench/wire.py's (the same
bytes as httpx, a fraction of its CPU — the default) or httpx's (:func:`use_client`). A push
that fails (503, 429, a timeout, a refused connection) is retried with the same ids, and a
failed pull again, waiting as the terminal's sync scheduler waits (sync/scheduler.py,
:class:`sync.backoff.Backoff`, full jitter): after an answer (503 or 429 with its Retry-After,
another error without) the run backoff's jittered wait, the Retry-After a floor — for both
lanes, as the scheduler's next round (push and pull) waits it out; after no answer
(a refused connection, a timeout) the terminal is offline: it probes the hub (``GET /healthz``)
at the probe's jittered pace (base 1 s, cap 8 s; one probe schedule a terminal, whichever lane
comes due) and, once a probe answers, runs its round (its push, then its pull) within the window
the answer asks (``reconnect_s``, at most ``RECONNECT_MAX_S``; ``RECONNECT_SPREAD_S`` when the hub
does not say: :func:`sync.scheduler.reconnect_window`), drawn as the scheduler draws it for its
pace (:func:`sync.scheduler.reconnect_delay`, ``ROUND_EVERY_S``); neither lane goes before it.

What a terminal decodes of a pull: a real terminal has its own CPU to decode and store the rows
it is sent; here hundreds of terminals share the hub's two cores. So only the terminals of the
integrity sample (``Terminal.sampled``, ``Terminal.decode``) decode every row into ``seen``
(the feed check needs them); the others read only what keeps their schedule — the page's
``next_cursor`` and ``has_more`` (:func:`page_tail`), not its rows. Their pulls still fetch
every byte of every page: the hub's work is the same.

The generator measures itself, so that "latency at the terminal" can be told apart from its own
lag: the event loop's lag (a probe task's wake-up against its schedule), each action's lateness
against its due time, the actions that came due and the requests sent, and per request the
phases as httpx reports them (connecting and sending, waiting for the answer's head, reading
the body) and the decoding after. Each terminal has its own HTTP client, as a real one does
(:func:`clients`); the terminals are split over ``procs`` processes (:func:`generate`), each
with its own event loop; their figures are merged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import multiprocessing as mp
import queue
import random
import re
import ssl
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

try:
    import sniffio  # noqa: F401
except ImportError:
    # httpcore asks for sniffio on every lock it sets up (a few per request): absent, each
    # ask searched sys.path again — a fifth of the generator's CPU. Known absent, it is a dict
    # look-up, and httpcore takes asyncio as it does without it.
    sys.modules["sniffio"] = None  # type: ignore[assignment]

from bench.wire import WireClient
from clerk.ids import uuid7_str
from sync.backoff import Backoff
from sync.client import KEEPALIVE_S
from sync.scheduler import PROBE_BASE_S, PROBE_CAP_S, reconnect_delay, reconnect_window

TIMEOUT_S = 10.0  # the terminal's own timeout
# The drain's bound after the load: twice the terminal's longest backoff (sync.backoff.CAP_S) —
# a terminal deep in its backoff when the load ends still has its next try within it. A real
# terminal keeps trying; the bench stops and reports what is still held (Drain.unfinished).
DRAIN_S = 600.0
PAGE = 1000
PROBE_S = 0.02  # the lag probe's period
PUSH_EVERY_S = (1.0, 5.0)
PULL_EVERY_S = (2.0, 6.0)
# A terminal's pace as the scheduler's interval: its push and its pull, one pair every 3.4 s on
# average (a request every 1.7 s) — what a returning terminal's draw in the reconnect window
# weighs its own load by (sync.scheduler.reconnect_delay, as Scheduler.interval_s does).
ROUND_EVERY_S = 2 / (2 / sum(PUSH_EVERY_S) + 2 / sum(PULL_EVERY_S))
DRAWS = ("paced", "uniform")
RECONNECT_PACE_S = ROUND_EVERY_S  # math.inf: drawn uniformly in the window (see use_draw)
CLIENTS = ("wire", "httpx")
CLIENT = "wire"  # the terminals' HTTP client: bench/wire.py (lean) or httpx — see use_client


def use_client(kind: str) -> None:
    """The simulated terminals' HTTP client from now on (before :func:`generate` forks):
    ``wire`` (bench/wire.py: httpx's bytes on the wire at a fraction of its CPU, the default)
    or ``httpx`` (one ``httpx.AsyncClient`` a terminal, as before)."""
    global CLIENT
    if kind not in CLIENTS:
        raise ValueError(f"client {kind!r}: one of {', '.join(CLIENTS)}")
    CLIENT = kind


def use_draw(kind: str) -> None:
    """How a returning terminal draws its round in the reconnect window from now on (before
    :func:`generate` forks): ``paced`` as the scheduler does (for ``ROUND_EVERY_S``, the
    default) or ``uniform`` (the ninth session's scheduler, for comparisons)."""
    global RECONNECT_PACE_S
    if kind not in DRAWS:
        raise ValueError(f"draw {kind!r}: one of {', '.join(DRAWS)}")
    RECONNECT_PACE_S = ROUND_EVERY_S if kind == "paced" else math.inf


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def offered_rate(terminals: int) -> float:
    """Actions per second the schedule asks for: a push every 3 s and a pull every 4 s on
    average per terminal (a pull of several pages is one action)."""
    return terminals * (2 / sum(PUSH_EVERY_S) + 2 / sum(PULL_EVERY_S))


# A request's phases, from httpx's trace events (seconds):
#   to_send  — from the call to the first byte sent: a pooled connection, or a new one (connect)
#   send     — writing the request
#   wait     — from the request written to the answer's head read: the hub, the network, and
#              either side's event loop noticing
#   body     — reading the answer's body
PHASES = ("to_send", "connect", "send", "wait", "body")


@dataclass
class Stats:
    pull: list[float] = field(default_factory=list)  # seconds, 200s
    push: list[float] = field(default_factory=list)
    shed: list[float] = field(default_factory=list)  # 503 answers' latency
    statuses: dict[str, int] = field(default_factory=dict)
    answered: int = 0
    sent: int = 0  # requests sent (a pull action may send several pages)
    due: int = 0  # actions (a push, a pull) that came due
    timeline: list[tuple[float, str, int, float]] = field(default_factory=list)
    late: dict[str, list[float]] = field(default_factory=lambda: {"pull": [], "push": []})
    # per 200 answer: what, then PHASES, then the decoding of the body
    phases: list[tuple[str, float, float, float, float, float, float]] = field(default_factory=list)
    # when (monotonic) each terminal back from offline had its first request answered 200
    returns: list[float] = field(default_factory=list)

    def note(self, what: str, status: int, took: float) -> None:
        self.timeline.append((time.monotonic() - took, what, status, took))
        key = f"{what}:{status}"
        self.statuses[key] = self.statuses.get(key, 0) + 1
        if status:
            self.answered += 1
        if status == 200:
            (self.pull if what == "pull" else self.push).append(took)  # (probes: not noted)
        elif status == 503:
            self.shed.append(took)

    def merge(self, other: Stats) -> None:
        self.pull += other.pull
        self.push += other.push
        self.shed += other.shed
        for k, v in other.statuses.items():
            self.statuses[k] = self.statuses.get(k, 0) + v
        self.answered += other.answered
        self.sent += other.sent
        self.due += other.due
        self.timeline += other.timeline
        for k, v in other.late.items():
            self.late.setdefault(k, []).extend(v)
        self.phases += other.phases
        self.returns += other.returns


@dataclass
class Terminal:
    store_id: str
    token: str
    members: list[str]
    staff: str
    cursor: int
    seq: int = 0
    sampled: bool = False  # in the integrity sample (its feed is checked row by row)
    decode: bool = False  # every row of every page decoded into seen (the sampled ones do)
    pending: list[dict[str, Any]] = field(default_factory=list)
    pushed: set[str] = field(default_factory=set)  # every id ever sent
    acked: set[str] = field(default_factory=set)
    seen: dict[tuple[str, str], str] = field(default_factory=dict)  # (entity, key) -> op
    failures: int = 0  # consecutive failed requests (the scheduler's run backoff)
    offline: int = 0  # consecutive requests with no answer (offline: probe before going)
    probes: int = 0  # consecutive probes with no answer (the scheduler's probe backoff)
    retry_after: float | None = None  # the last 503 / 429's Retry-After
    next_probe_at: float = 0.0  # offline: when the next probe is due (loop time)
    back_at: float = 0.0  # after a probe's answer: the round runs then, neither lane before
    away: bool = False  # a request found no hub since the last one answered 200
    drained: float | None = None  # the drain: seconds past the load's end it was done


_TAIL = re.compile(rb'"next_cursor":(\d+),"has_more":(true|false)(?:,"remaining":\d+)?}\s*\Z')


def page_tail(body: bytes) -> tuple[int, bool]:
    """A feed page's ``next_cursor`` and ``has_more`` without decoding its rows.

    The hub writes them after the rows, as the document's last members. The last occurrence
    of ``"next_cursor":`` is taken and must be followed by nothing but the document's end: a
    string inside a row cannot hold an unescaped quote, so no row's text matches, and a row's
    own member of that name would be followed by more rows. Anything else (another layout) is
    decoded in full instead."""
    at = body.rfind(b'"next_cursor":')
    found = _TAIL.match(body, at) if at >= 0 else None
    if found is None:
        doc = json.loads(body)
        return int(doc["next_cursor"]), bool(doc["has_more"])
    return int(found[1]), found[2] == b"true"


def note_rows(t: Terminal, doc: dict[str, Any]) -> None:
    """A sampled terminal's page: every row into ``seen``."""
    for c in doc["changes"]:
        t.seen[(c["entity"], c["key"])] = c["op"]


async def call(
    client: httpx.AsyncClient, stats: Stats, what: str, method: str, url: str, **kw: Any
) -> tuple[httpx.Response | None, dict[str, float]]:
    marks: dict[str, float] = {}

    async def trace(name: str, info: dict[str, Any]) -> None:
        marks[name] = time.perf_counter()

    stats.sent += 1
    started = time.perf_counter()
    marks["call"] = started
    try:
        resp = await client.request(method, url, extensions={"trace": trace}, **kw)
    except httpx.HTTPError:
        stats.note(what, 0, time.perf_counter() - started)
        return None, marks
    stats.note(what, resp.status_code, time.perf_counter() - started)
    if resp.status_code == 503:
        _note_phases(stats, "shed", marks, 0.0)
    return resp, marks


def _failed(t: Terminal, resp: httpx.Response | None) -> None:
    """Note a failed request on ``t`` as the terminal's scheduler does (what it waits next)."""
    t.failures += 1
    t.retry_after = None
    if resp is None:  # no answer: the scheduler goes offline and probes
        t.offline += 1
        t.away = True
        return
    t.offline = 0
    if resp.status_code in (429, 503):
        with contextlib.suppress(ValueError):
            t.retry_after = float(resp.headers.get("Retry-After", ""))


async def probe(client: httpx.AsyncClient, t: Terminal, stats: Stats) -> float | None:
    """The offline terminal's reachability probe (``Scheduler.probe_once``: ``GET /healthz``,
    never shed). When the hub answers — the terminal is online again — the window its round
    is drawn in (:func:`sync.scheduler.reconnect_window` of the answer's ``reconnect_s``);
    None when it does not."""
    try:
        resp = await client.get("/healthz")
    except httpx.HTTPError:
        resp = None
    key = f"probe:{0 if resp is None else resp.status_code}"
    stats.statuses[key] = stats.statuses.get(key, 0) + 1
    if resp is None:
        t.probes += 1
        return None
    t.probes = t.offline = 0
    asked = None
    with contextlib.suppress(ValueError, AttributeError):
        asked = json.loads(resp.content).get("reconnect_s")
    return reconnect_window(asked)


async def offline_wait(
    client: httpx.AsyncClient,
    t: Terminal,
    stats: Stats,
    rng: random.Random,
    probe_backoff: Backoff,
) -> float | None:
    """A lane come due, as ``Scheduler.run_forever`` decides: None — go now — when online
    and the round after a probe's answer is not still ahead; else the wait before the lane's
    next try. Offline no round runs until a probe answers: the probe when it is due (one
    schedule for both lanes), then the round within the answer's window (``back_at``, both
    lanes: the push, then the pull), or the probe's backoff after no answer."""
    now = asyncio.get_running_loop().time()
    if t.offline:
        if now < t.next_probe_at:
            return t.next_probe_at - now
        window = await probe(client, t, stats)
        now = asyncio.get_running_loop().time()
        if window is None:
            t.next_probe_at = now + probe_backoff.delay(t.probes)
            return t.next_probe_at - now
        t.back_at = now + reconnect_delay(window, rng.random(), RECONNECT_PACE_S)
        return t.back_at - now
    if now < t.back_at:
        return t.back_at - now
    return None


def _phases(marks: dict[str, float]) -> tuple[float, float, float, float, float] | None:
    try:
        head = marks["http11.send_request_headers.started"]
        sent = marks["http11.send_request_body.complete"]
        got = marks["http11.receive_response_headers.complete"]
        done = marks["http11.receive_response_body.complete"]
    except KeyError:
        return None
    connect = marks.get("connection.connect_tcp.complete", 0.0) - marks.get(
        "connection.connect_tcp.started", 0.0
    )
    return head - marks["call"], connect, sent - head, got - sent, done - got


def _note_phases(stats: Stats, what: str, marks: dict[str, float], decoded: float) -> None:
    p = _phases(marks)
    if p is not None:
        stats.phases.append((what, *p, decoded))


async def push(client: httpx.AsyncClient, t: Terminal, stats: Stats) -> bool:
    body = {"interactions": t.pending}
    t.pushed.update(i["id"] for i in t.pending)
    resp, marks = await call(
        client,
        stats,
        "push",
        "POST",
        "/v1/interactions",
        json=body,
        headers={"Authorization": f"Bearer {t.token}"},
    )
    if resp is None or resp.status_code != 200:
        _failed(t, resp)
        return False
    t0 = time.perf_counter()
    for r in json.loads(resp.content)["results"]:
        if r["status"] in ("accepted", "duplicate"):
            t.acked.add(r["id"])
        else:  # answered but not taken (rejected, conflict): counted, never retried
            key = f"item:{r['status']}"
            stats.statuses[key] = stats.statuses.get(key, 0) + 1
    _note_phases(stats, "push", marks, time.perf_counter() - t0)
    t.pending = []
    return True


async def pull(client: httpx.AsyncClient, t: Terminal, stats: Stats) -> bool:
    while True:
        resp, marks = await call(
            client,
            stats,
            "pull",
            "GET",
            "/v1/changes",
            params={"since": t.cursor, "limit": PAGE},
            headers={"Authorization": f"Bearer {t.token}"},
        )
        if resp is None or resp.status_code != 200:
            _failed(t, resp)
            return False
        t0 = time.perf_counter()
        if t.decode:
            doc = json.loads(resp.content)
            note_rows(t, doc)
            cursor, more = int(doc["next_cursor"]), bool(doc["has_more"])
        else:
            cursor, more = page_tail(resp.content)
        _note_phases(stats, "pull", marks, time.perf_counter() - t0)
        t.cursor = cursor
        if not more:
            return True


def visits(t: Terminal, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for _ in range(rng.randint(1, 10)):
        t.seq += 1
        out.append(
            {
                "id": uuid7_str(),
                "kind": "visit",
                "member_id": rng.choice(t.members),
                "staff_id": t.staff,
                "created_at": int(time.time()),
                "device_seq": t.seq,
                "payload": {"text": "walk-in"},
            }
        )
    return out


async def run_terminal(
    client: httpx.AsyncClient,
    t: Terminal,
    stats: Stats,
    end: float,
    seed: int,
    drain: Stats | None = None,
    drain_s: float = DRAIN_S,
) -> None:
    """Terminal ``t``'s schedule until ``end`` (loop time): a push every 1–5 s (new visits
    when nothing is pending), a pull every 2–6 s, a failure's backoff and Retry-After as its
    scheduler's. With ``drain`` (the :class:`Stats` its later requests go to) it then goes on
    as a real terminal does once nothing new is recorded — its lanes at the times they were
    due, a failure's backoff and Retry-After honoured, offline probes — until the batch it
    holds is acknowledged and a pull answered after it (``t.drained``: the seconds past
    ``end``), or until ``drain_s`` more seconds have passed. A round's pull follows its push
    at once, as the scheduler's round (push, then pull) does."""
    rng = random.Random(seed)
    backoff = Backoff(rng=rng)  # the scheduler's run backoff (sync.scheduler.SyncScheduler)
    probe_backoff = Backoff(base=PROBE_BASE_S, cap=PROBE_CAP_S, rng=rng)  # and its probe's

    def retry_in() -> float:
        if t.offline:  # as Scheduler.record_failure: offline, the next probe (rounds wait)
            wait = probe_backoff.delay(max(1, t.probes))
            t.next_probe_at = loop.time() + wait
            return wait
        return backoff.delay(t.failures, t.retry_after)

    loop = asyncio.get_running_loop()
    next_push = loop.time() + rng.uniform(0, PUSH_EVERY_S[1])
    next_pull = loop.time() + rng.uniform(0, PULL_EVERY_S[1])
    stop, draining = end, False
    while True:
        due = min(next_push, next_pull)
        if due >= stop:
            if drain is None or draining:
                return
            # The load is over: nothing new is recorded; what is pending still goes.
            draining, stop, stats = True, end + drain_s, drain
            if not t.pending:
                next_push = math.inf
            continue
        await asyncio.sleep(max(0.0, due - loop.time()))
        lane = "push" if next_push <= next_pull else "pull"
        wait = await offline_wait(client, t, stats, rng, probe_backoff)
        if wait is not None:  # offline: the lane waits on the next probe, or the round's time
            if lane == "push":
                next_push = loop.time() + wait
            else:
                next_pull = loop.time() + wait
            continue
        stats.due += 1
        if lane == "push":
            stats.late["push"].append(loop.time() - due)
            if not t.pending:
                t.pending = visits(t, rng)
            if await push(client, t, stats):
                back(t, stats, loop.time())
                if draining:  # delivered: the round's pull now, then nothing more to push
                    next_push, next_pull = math.inf, min(next_pull, loop.time())
                else:
                    next_push = loop.time() + rng.uniform(*PUSH_EVERY_S)
            else:  # the terminal's next round waits out the backoff: its pull too
                next_push = loop.time() + retry_in()
                next_pull = max(next_pull, next_push)
        else:
            stats.late["pull"].append(loop.time() - due)
            if await pull(client, t, stats):
                back(t, stats, loop.time())
                if draining and not t.pending:
                    t.drained = loop.time() - end
                    return
                next_pull = loop.time() + rng.uniform(*PULL_EVERY_S)
            else:  # ... and after a failed pull, its push
                next_pull = loop.time() + retry_in()
                next_push = max(next_push, next_pull)


async def catch_up(
    client: httpx.AsyncClient, t: Terminal, stats: Stats, seed: int, until: float
) -> bool:
    """Pull until caught up, a failure's backoff and Retry-After honoured (as the scheduler),
    until ``until`` (loop time); whether it was."""
    backoff = Backoff(rng=random.Random(seed))
    loop = asyncio.get_running_loop()
    while True:
        if await pull(client, t, stats):
            back(t, stats, loop.time())
            return True
        left = until - loop.time()
        if left <= 0:
            return False
        await asyncio.sleep(min(left, backoff.delay(t.failures, t.retry_after)))


def back(t: Terminal, stats: Stats, now: float) -> None:
    """A request of ``t`` answered 200: its failures are over; the first after it found no
    hub is noted (when a terminal synced again after an outage)."""
    t.failures = t.offline = 0
    if t.away:
        t.away = False
        stats.returns.append(now)


async def lag_probe(end: float, out: list[float]) -> None:
    """The event loop's lag: how late a task asking to wake every PROBE_S wakes."""
    loop = asyncio.get_running_loop()
    while loop.time() < end:
        due = loop.time() + PROBE_S
        await asyncio.sleep(PROBE_S)
        out.append(loop.time() - due)


@dataclass
class Drain:
    """What the drain after the load did (:func:`run_terminal` with ``drain``): how long it
    took, how long each terminal took to deliver what it held and pull after it, and the
    requests (since the load's end: at, what, status, took) of those left with pushes
    unacknowledged — the trace that says why."""

    elapsed: float = 0.0
    drained: list[float] = field(default_factory=list)  # seconds past the load's end
    unfinished: int = 0  # terminals still holding a batch, or not pulled after it, at the bound
    behind: int = 0  # terminals whose last pull, after every process's drain, did not answer
    traces: dict[int, list[tuple[float, str, int, float]]] = field(default_factory=dict)


# -- the generator processes ---------------------------------------------------------------------


@dataclass
class Part:
    """What one generator process returns: its figures and its terminals' final state."""

    stats: Stats
    lag: list[float]
    cpu_s: float  # its CPU during the load (not the drain)
    elapsed: float
    # index, pushed, acked, seen (sampled terminals only), cursor
    terminals: list[tuple[int, set[str], set[str], dict[tuple[str, str], str], int]]
    drain: Drain | None = None
    drain_stats: Stats | None = None


async def clients(url: str, n: int, stack: contextlib.AsyncExitStack[bool | None]) -> list[Any]:
    """One HTTP client per terminal, as each terminal has its own (bench/wire.py's by default,
    see :func:`use_client`): one pool of hundreds of
    connections costs httpcore a scan of every connection per connection on every request
    (its ``_assign_requests_to_connections``) — most of the generator's CPU at 500 terminals
    before. The TLS context (unused: plain HTTP on loopback) is made once, not per client."""
    if CLIENT == "wire":
        return [
            await stack.enter_async_context(WireClient(url, timeout=TIMEOUT_S)) for _ in range(n)
        ]
    tls = ssl.create_default_context()
    limits = httpx.Limits(
        max_connections=2, max_keepalive_connections=1, keepalive_expiry=KEEPALIVE_S
    )
    return [
        await stack.enter_async_context(
            httpx.AsyncClient(base_url=url, timeout=TIMEOUT_S, limits=limits, verify=tls)
        )
        for _ in range(n)
    ]


async def _generate(
    url: str,
    part: list[tuple[int, Terminal]],
    duration: float,
    drain: bool,
    ready: Any,
    drained: Any,
) -> Part:
    stats = Stats()
    lag: list[float] = []
    async with contextlib.AsyncExitStack() as stack:
        own = await clients(url, len(part), stack)
        await asyncio.to_thread(ready.wait, 120)  # every process starts at once
        loop = asyncio.get_running_loop()
        start = loop.time()
        end = start + duration
        cpu0 = time.process_time()

        async def load_end() -> tuple[float, float]:  # the load's figures stop at its end
            await lag_probe(end, lag)
            return loop.time(), time.process_time()

        # With the drain, each terminal's requests after the load's end go to its own Stats
        # (the traces of those left unacknowledged), merged into ``after``.
        mine = [Stats() if drain else None for _ in part]
        ended, *_ = await asyncio.gather(
            load_end(),
            *(
                run_terminal(c, t, stats, end, i, m)
                for c, (i, t), m in zip(own, part, mine, strict=True)
            ),
        )
        elapsed = ended[0] - start
        cpu = ended[1] - cpu0
        drained_out: Drain | None = None
        after = Stats()
        if drain:
            drained_out = Drain(elapsed=loop.time() - end)
            mono_end = time.monotonic() - (loop.time() - end)
            for (i, t), m in zip(part, mine, strict=True):
                assert m is not None
                after.merge(m)
                if t.drained is None:
                    drained_out.unfinished += 1
                else:
                    drained_out.drained.append(t.drained)
                if t.pushed - t.acked:
                    drained_out.traces[i] = [
                        (at - mono_end, w, st, took) for at, w, st, took in m.timeline
                    ]
            await asyncio.to_thread(drained.wait, 900)  # every process's last pushes are in
            until = loop.time() + DRAIN_S
            caught = await asyncio.gather(  # the others' last pushes are in: caught up
                *(catch_up(c, t, after, i, until) for c, (i, t) in zip(own, part, strict=True))
            )
            drained_out.behind = sum(1 for ok in caught if not ok)
    return Part(
        stats,
        lag,
        cpu,
        elapsed,
        [(i, t.pushed, t.acked, t.seen, t.cursor) for i, t in part],
        drained_out,
        after,
    )


def _generator_main(
    url: str,
    part: list[tuple[int, Terminal]],
    duration: float,
    drain: bool,
    ready: Any,
    drained: Any,
    out: Any,
) -> None:
    out.put(asyncio.run(_generate(url, part, duration, drain, ready, drained)))


@dataclass
class Generated:
    stats: Stats
    lag: list[float]
    cpu: list[float]  # cores each process used during the load
    elapsed: float
    restart: dict[str, float]
    began: float  # unix time of the start (for the hub's access log)
    drain: Drain | None = None  # the processes' drains merged (elapsed: the longest)
    drain_stats: Stats | None = None


def generate(
    url: str,
    terminals: list[Terminal],
    duration: float,
    procs: int,
    *,
    midway: Callable[[], dict[str, float]] | None = None,
    drain: bool = False,
) -> Generated:
    """``terminals`` against ``url`` for ``duration`` seconds from ``procs`` processes (terminal
    i in process i mod procs). ``midway`` runs in this process half way through (the hub's
    restart). With ``drain``, each terminal then goes on as a real one does with nothing new
    recorded (:func:`run_terminal`) until what it holds is delivered and a pull answered after
    it; each process waits for the others, and every terminal pulls until caught up
    (:func:`catch_up`) — both within ``DRAIN_S``. The terminals' state (pushed, acked, seen,
    cursor) is copied back into ``terminals``."""
    procs = max(1, min(procs, len(terminals)))
    ctx = mp.get_context("fork")  # no thread runs here yet: the children start from this state
    ready, drained, out = ctx.Barrier(procs + 1), ctx.Barrier(procs), ctx.Queue()
    workers = [
        ctx.Process(
            target=_generator_main,
            args=(
                url,
                [(i, t) for i, t in enumerate(terminals) if i % procs == k],
                duration,
                drain,
                ready,
                drained,
                out,
            ),
            daemon=True,
        )
        for k in range(procs)
    ]
    for w in workers:
        w.start()
    restart: dict[str, float] = {}
    try:
        ready.wait(120)
        started, began = time.monotonic(), time.time()
        if midway is not None:
            time.sleep(max(0.0, started + duration / 2 - time.monotonic()))
            restart = midway()
        parts: list[Part] = []
        while len(parts) < procs:
            try:
                parts.append(out.get(timeout=5))
            except queue.Empty:  # a process that died says so here
                if any(w.exitcode not in (None, 0) for w in workers):
                    raise RuntimeError("a load generator process failed") from None
                if time.monotonic() - started > duration + 1200:
                    raise RuntimeError("the load generator processes did not finish") from None
    finally:
        for w in workers:
            w.join(timeout=30)
            if w.is_alive():
                w.kill()
    stats, lag = Stats(), []
    for p in parts:
        stats.merge(p.stats)
        lag += p.lag
        for i, pushed, acked, seen, cursor in p.terminals:
            t = terminals[i]
            t.pushed, t.acked, t.seen, t.cursor = pushed, acked, seen, cursor
    elapsed = max(p.elapsed for p in parts)
    cpu = [p.cpu_s / p.elapsed for p in parts]
    drains = [p.drain for p in parts if p.drain is not None]
    merged: Drain | None = None
    after: Stats | None = None
    if drains:
        merged = Drain(elapsed=max(d.elapsed for d in drains))
        after = Stats()
        for d in drains:
            merged.drained += d.drained
            merged.unfinished += d.unfinished
            merged.behind += d.behind
            merged.traces.update(d.traces)
        for p in parts:
            if p.drain_stats is not None:
                after.merge(p.drain_stats)
    return Generated(stats, lag, cpu, elapsed, restart, began, merged, after)


def auto_procs(terminals: int) -> int:
    """Generator processes for ``terminals`` when not told: one per 250 (measured: see
    docs/benchmarks.md, "The floor under the load benchmark")."""
    return max(1, min(4, round(terminals / 250)))


def breakdown(gen: Generated, n: int) -> dict[str, Any]:
    """The generator's own figures, for the results and the table."""
    s = gen.stats
    out: dict[str, Any] = {
        "client": CLIENT,
        "draw": "uniform" if math.isinf(RECONNECT_PACE_S) else "paced",
        "gen_procs": len(gen.cpu),
        "generator_cpu": sum(gen.cpu),
        "generator_cpu_per_proc": [round(c, 2) for c in gen.cpu],
        "lag_p50_ms": pct(gen.lag, 50) * 1000,
        "lag_p99_ms": pct(gen.lag, 99) * 1000,
        "lag_max_ms": max(gen.lag, default=float("nan")) * 1000,
        "offered_actions_s": offered_rate(n),
        "due_actions_s": s.due / gen.elapsed,
        "sent_s": s.sent / gen.elapsed,
        # requests (200s) that opened a connection: the first, after the hub closed an idle one
        "connects_s": sum(1 for p in s.phases if p[2] > 0) / gen.elapsed,
        "connect_p50_ms": pct([p[2] for p in s.phases if p[2] > 0], 50) * 1000,
        "connect_p99_ms": pct([p[2] for p in s.phases if p[2] > 0], 99) * 1000,
    }
    for what in ("pull", "push", "shed"):
        late = s.late.get(what, [])
        out[f"{what}_late_p50_ms"] = pct(late, 50) * 1000
        out[f"{what}_late_p99_ms"] = pct(late, 99) * 1000
        rows = [p for p in s.phases if p[0] == what]
        for k, name in enumerate((*PHASES, "decode"), start=1):
            values = [r[k] for r in rows]
            out[f"{what}_{name}_p50_ms"] = pct(values, 50) * 1000
            out[f"{what}_{name}_p99_ms"] = pct(values, 99) * 1000
    return out


def _f(v: float) -> str:
    return "–" if v != v else f"{v:.0f}" if v >= 10 else f"{v:.1f}"  # nan: none measured


def generator_rows(label: str, r: dict[str, Any]) -> list[list[Any]]:
    """The table rows of :func:`breakdown`'s figures."""
    rows: list[list[Any]] = [
        [
            f"{label}: load generator CPU",
            round(r["generator_cpu"], 2),
            "cores",
            f"{r['gen_procs']} process(es): {', '.join(map(str, r['generator_cpu_per_proc']))}; "
            f"client {r.get('client', 'httpx')}",
        ],
        [
            f"{label}: generator event-loop lag p50 / p99 / max",
            f"{_f(r['lag_p50_ms'])} / {_f(r['lag_p99_ms'])} / {_f(r['lag_max_ms'])}",
            "ms",
            f"a probe task's wake-up every {PROBE_S * 1000:.0f} ms against its schedule",
        ],
        [
            f"{label}: actions due / requests sent",
            f"{r['due_actions_s']:.0f} / {r['sent_s']:.0f}",
            "per s",
            f"the schedule offers {r['offered_actions_s']:.0f} actions/s (a push every 3 s, a "
            f"pull every 4 s on average); pull / push started late p99 "
            f"{_f(r['pull_late_p99_ms'])} / {_f(r['push_late_p99_ms'])} ms",
        ],
        [
            f"{label}: new connections",
            round(r["connects_s"], 1),
            "per s",
            f"a connect p50 {_f(r['connect_p50_ms'])} ms, p99 {_f(r['connect_p99_ms'])} ms "
            "(part of a request's time to send)",
        ],
    ]
    for what in ("pull", "push", "shed"):
        p = {k: _f(r[f"{what}_{k}_p99_ms"]) for k in (*PHASES, "decode")}
        q = {k: _f(r[f"{what}_{k}_p50_ms"]) for k in (*PHASES, "decode")}
        rows.append(
            [
                f"{label}: {what if what != 'shed' else '503'} phases p99: to send / wait for "
                "the head / body / decode",
                f"{p['to_send']} / {p['wait']} / {p['body']} / {p['decode']}",
                "ms",
                f"p50 {q['to_send']} / {q['wait']} / {q['body']} / {q['decode']}"
                + ("; 200s only" if what != "shed" else ""),
            ]
        )
    return rows
