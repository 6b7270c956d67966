"""Network faults between a terminal and the real hub: eventual delivery, 0 duplicates.

Through sync.faultproxy.FaultProxy (latency, bandwidth, resets before the request and after the
hub committed, half-sent answers, hangs, the hub down for a while) and through a tiny ASGI
middleware in front of the real hub app that answers 500 / 503 / 429 with Retry-After (also
*after* letting the hub commit the batch). Every exchange has a timeout: a hang ends in a
TransportError within the client's timeouts. A stuck outbox is reported by
``engine.status()["stuck_since"]`` after 5 minutes — shown with an injected clock.

Target: 10,000 interactions through a proxy resetting 30% of connections after the hub
committed → exactly 10,000 at the hub (CI runs 2,000; ``make soak`` 10,000).
"""

from __future__ import annotations

import email.utils
import json
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from reliability_harness import (
    STORE,
    closed_port,
    drain,
    hub_rows,
    members,
    port_of,
    serve,
)

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk.db import Transaction
from clerk.ids import uuid7_str
from clerk.model import Identity
from sync import client as client_mod
from sync.backoff import Backoff
from sync.client import HubClient
from sync.engine import STUCK_AFTER_S, SyncEngine
from sync.errors import RetryableHubError, SyncError, TransportError
from sync.faultproxy import FaultProxy
from sync.hub.app import create_app
from sync.hub.embedded import HubHandle
from sync.hub.store import HubStore
from sync.scheduler import Scheduler

FAST = httpx.Timeout(connect=1.0, read=1.0, write=1.0, pool=1.0)
CI_INTERACTIONS = int(os.environ.get("CLERK_CI_INTERACTIONS", "2000"))
SOAK_INTERACTIONS = int(os.environ.get("CLERK_SOAK_INTERACTIONS", "10000"))


class Clock:
    """A settable clock (unix seconds) shared by the terminal's engine and client."""

    def __init__(self, now: float | None = None) -> None:
        self.now = float(int(time.time())) if now is None else now

    def __call__(self) -> float:
        return self.now


class Till:
    """A terminal's files, an engine with an injectable clock and fast timeouts, enrolled."""

    def __init__(self, root: Path, hub: HubHandle, url: str, *, clock: Clock | None = None) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.clock = clock or Clock()
        self.cache = cache_mod.open_cache(root / "cache.db")
        self.outbox = outbox_mod.open_outbox(root / "outbox.db")
        client = HubClient(url, timeout=FAST)
        self.engine = SyncEngine(self.cache, self.outbox, client, clock=self.clock)
        self.engine.enroll(url, STORE, hub.enrol_code(STORE), device_name=root.name)
        self.device_id = str(self.engine.status()["device_id"])

    def record(self, member_ids: list[str], n: int) -> list[str]:
        return [
            outbox_mod.record(
                self.outbox,
                "note",
                member_id=member_ids[i % len(member_ids)],
                payload={"text": f"note {i}"},
                now=int(self.clock()),
            ).id
            for i in range(n)
        ]

    def bulk_record(self, member_ids: list[str], n: int) -> list[str]:
        """``n`` pending interactions written in one transaction (the push is under test)."""
        ids = [uuid7_str() for _ in range(n)]
        start = self.outbox.execute("SELECT coalesce(max(device_seq), 0) FROM interactions")
        seq0 = int(start.fetchone()[0])
        with Transaction(self.outbox):
            self.outbox.executemany(
                "INSERT INTO interactions (id, device_seq, kind, member_id, payload, created_at)"
                " VALUES (?, ?, 'note', ?, ?, ?)",
                [
                    (
                        iid,
                        seq0 + k + 1,
                        member_ids[k % len(member_ids)],
                        '{"text":"bulk"}',
                        int(self.clock()),
                    )
                    for k, iid in enumerate(ids)
                ],
            )
        return ids

    def states(self) -> dict[str, int]:
        rows = self.outbox.execute("SELECT state, count(*) FROM interactions GROUP BY state")
        return {str(r[0]): int(r[1]) for r in rows}

    def close(self) -> None:
        self.engine.client.close()
        self.cache.close()
        self.outbox.close()


def cache_dump(conn: Any) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for table, _pk, _cols in cache_mod.TABLES.values():
        if table == "public_keys":
            continue
        rows += [(table, *r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1")]
    return rows


def assert_exactly_once(hub: HubHandle, till: Till, ids: list[str]) -> None:
    rows = hub_rows(hub, till.device_id)
    got = [r["id"] for r in rows]
    assert len(got) == len(set(got)) == len(ids), (len(got), len(set(got)), len(ids))
    assert set(got) == set(ids)
    assert {r["status"] for r in rows} == {"accepted"}
    assert till.states() == {"acked": len(ids)}


@pytest.fixture
def proxy(hub: HubHandle) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", port_of(hub.url), seed=5) as p:
        yield p


def test_every_request_has_a_timeout() -> None:
    for timeout in (client_mod.DEFAULT_TIMEOUT, client_mod.LOOKUP_TIMEOUT):
        for phase in ("connect", "read", "write", "pool"):
            value = getattr(timeout, phase)
            assert value is not None and 0 < value <= 30, (phase, value)
    with HubClient("http://127.0.0.1:9") as c:
        assert c.timeout == client_mod.DEFAULT_TIMEOUT


def test_latency_and_a_thin_pipe(hub: HubHandle, proxy: FaultProxy, tmp_path: Path) -> None:
    proxy.set(latency=0.03, bandwidth=400_000)
    till = Till(tmp_path / "slow", hub, proxy.url)
    try:
        ids = till.record(members(hub), 120)
        till.engine.batch_items = 40
        drain(till.engine)
        assert_exactly_once(hub, till, ids)
        slow_dump = cache_dump(till.cache)
    finally:
        till.close()
    proxy.set()
    ref = Till(tmp_path / "ref", hub, hub.url)
    try:
        ref.engine.pull_once()
        assert cache_dump(ref.cache) == slow_dump  # the whole slice came through the thin pipe
    finally:
        ref.close()


def test_every_fault_at_once(hub: HubHandle, proxy: FaultProxy, tmp_path: Path) -> None:
    till = Till(tmp_path / "t", hub, hub.url)  # enrolled directly, then moved behind the proxy
    till.engine.client.configure(base_url=proxy.url)
    try:
        ids = till.record(members(hub), 300)
        till.engine.batch_items = 25
        proxy.set(
            reset_before_request=0.1,
            reset_after_response=0.15,
            truncate_response=0.1,
            hang=0.05,
            seed=17,
        )
        failures = drain(till.engine, attempts=2000)
        assert failures > 0
        for fault in ("reset_before_request", "reset_after_response", "truncate_response", "hang"):
            assert proxy.stats[fault] > 0, proxy.stats
        proxy.set()
        assert_exactly_once(hub, till, ids)
        faulty_dump = cache_dump(till.cache)
    finally:
        till.close()
    ref = Till(tmp_path / "ref", hub, hub.url)
    try:
        ref.engine.pull_once()
        assert cache_dump(ref.cache) == faulty_dump
    finally:
        ref.close()


def test_a_hang_ends_in_a_transport_error_within_the_timeouts(
    hub: HubHandle, proxy: FaultProxy, tmp_path: Path
) -> None:
    till = Till(tmp_path / "t", hub, proxy.url)
    try:
        till.record(members(hub), 3)
        proxy.set(hang=1.0)
        for call in (till.engine.push_once, till.engine.pull_once):
            t0 = time.monotonic()
            with pytest.raises(TransportError):
                call()
            assert time.monotonic() - t0 < FAST.read + FAST.connect + 1.0
        # A cache miss while the customer waits gives up after LOOKUP_TIMEOUT (1 s), even with
        # the engine's own longer timeouts.
        till.engine.client.timeout = client_mod.DEFAULT_TIMEOUT
        t0 = time.monotonic()
        with pytest.raises(TransportError):
            till.engine.fetch_member(
                Identity("card", "6200000000000000", "card:x", proof="6200000000000000"), "A01"
            )
        assert time.monotonic() - t0 < client_mod.LOOKUP_TIMEOUT.read + 1.0
        assert till.states() == {"sent": 3}  # nothing settled on a guess
    finally:
        till.close()


class InjectErrors:
    """ASGI middleware in front of the real hub app: answers planned requests to
    /v1/interactions with an error (problem JSON, Retry-After), optionally only after the real
    app handled — and committed — the request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.plan: deque[tuple[int, str | None, bool]] = deque()
        self.served: list[int] = []
        self._lock = threading.Lock()

    def then(
        self, status: int, retry_after: str | None = None, *, after_commit: bool = False
    ) -> None:
        with self._lock:
            self.plan.append((status, retry_after, after_commit))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        step = None
        if scope["type"] == "http" and scope["path"] == "/v1/interactions":
            with self._lock:
                step = self.plan.popleft() if self.plan else None
        if step is None:
            await self.app(scope, receive, send)
            return
        status, retry_after, after_commit = step
        if after_commit:

            async def lost(message: dict[str, Any]) -> None:
                return None  # the hub's answer never leaves the building

            await self.app(scope, receive, lost)
        body = json.dumps(
            {"type": "about:blank", "title": "injected", "status": status, "detail": "test"}
        ).encode()
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
        ]
        if retry_after is not None:
            headers.append((b"retry-after", retry_after.encode()))
        self.served.append(status)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
def flaky_hub(hub_db: str) -> Iterator[tuple[HubHandle, InjectErrors]]:
    store = HubStore.open(hub_db)
    try:
        inject = InjectErrors(create_app(store))
        with serve(inject) as url:
            yield HubHandle(url=url, db=hub_db, store=store), inject
    finally:
        store.close()


def test_hub_errors_with_retry_after_are_honoured(
    flaky_hub: tuple[HubHandle, InjectErrors], tmp_path: Path
) -> None:
    hub, inject = flaky_hub
    clock = Clock()
    till = Till(tmp_path / "t", hub, hub.url, clock=clock)
    try:
        ids = till.record(members(hub), 40)
        till.engine.batch_items = 10
        http_date = email.utils.formatdate(clock() + 60, usegmt=True)
        inject.then(503, "7")
        inject.then(429, "3")
        inject.then(503, http_date)
        inject.then(500, after_commit=True)  # committed at the hub, the answer lost
        inject.then(502)
        sched = Scheduler(till.engine, clock=clock, backoff=Backoff(cap=120.0))
        waits: list[tuple[int, float | None, float]] = []
        for _ in range(40):
            report = sched.run_once()
            if report is not None and report.caught_up:
                break
            err = sched.last_error
            assert isinstance(err, RetryableHubError), err
            waits.append((err.status, err.retry_after, sched.due_in()))
            clock.now = sched.next_run_at  # wait exactly as long as the scheduler decided
        assert inject.served == [503, 429, 503, 500, 502]
        # The 500 may be one item's doing: that batch is bisected at once (its halves are
        # answered idempotently — it was committed), so it costs no wait; the transient
        # answers are waited out.
        assert [w[0] for w in waits] == [503, 429, 503, 502]
        (_, ra1, wait1), (_, ra2, wait2), (_, ra3, wait3) = waits[:3]
        assert ra1 == 7 and wait1 >= 7
        assert ra2 == 3 and wait2 >= 3
        assert ra3 is not None and 55 <= ra3 <= 61 and wait3 >= ra3
        assert_exactly_once(hub, till, ids)
    finally:
        till.close()


def test_hub_down_then_back_and_a_stuck_outbox_is_reported(
    hub: HubHandle, proxy: FaultProxy, tmp_path: Path
) -> None:
    clock = Clock()
    till = Till(tmp_path / "t", hub, proxy.url, clock=clock)
    try:
        proxy.set_upstream("127.0.0.1", closed_port())  # the hub goes down
        t0 = clock()
        ids = till.record(members(hub), 25)
        for minute in range(7):
            clock.now = t0 + 60 * minute
            with pytest.raises(SyncError):
                till.engine.sync_once()
            st = till.engine.status()
            assert st["online"] is False
            if 60 * minute <= STUCK_AFTER_S:
                assert st["stuck_since"] is None, (minute, st)
            else:
                assert st["stuck_since"] == int(t0), (minute, st)
        assert till.states() == {"sent": 25}
        proxy.set_upstream("127.0.0.1", port_of(hub.url))  # back
        drain(till.engine)
        st = till.engine.status()
        assert st["stuck_since"] is None and st["online"] is True and st["pending"] == 0
        assert_exactly_once(hub, till, ids)
    finally:
        till.close()


def _many_through_resets(hub: HubHandle, proxy: FaultProxy, root: Path, n: int) -> None:
    till = Till(root / "t", hub, hub.url)
    till.engine.client.configure(base_url=proxy.url)
    try:
        ids = till.bulk_record(members(hub), n)
        till.engine.batch_items = max(25, n // 100)
        proxy.set(reset_after_response=0.3, seed=30)
        failures = 0
        for _ in range(20 * (n // till.engine.batch_items) + 100):
            try:
                if till.engine.push_once().sent == 0:
                    break
            except TransportError:
                failures += 1
        proxy.set()
        assert failures == proxy.stats["reset_after_response"] > 0
        resent = till.outbox.execute("SELECT count(*) FROM interactions WHERE attempts > 1")
        assert resent.fetchone()[0] > 0, "some batches really reached the hub twice"
        assert_exactly_once(hub, till, ids)
        print(
            f"\n{n} interactions, {proxy.stats['requests']} requests, "
            f"{proxy.stats['reset_after_response']} answers lost after the hub committed; "
            f"hub holds {len(hub_rows(hub, till.device_id))}"
        )
    finally:
        till.close()


@pytest.mark.slow
def test_2000_through_30_percent_resets_after_commit(
    hub: HubHandle, proxy: FaultProxy, tmp_path: Path
) -> None:
    _many_through_resets(hub, proxy, tmp_path, CI_INTERACTIONS)


@pytest.mark.soak
def test_10000_through_30_percent_resets_after_commit(
    hub: HubHandle, proxy: FaultProxy, tmp_path: Path
) -> None:
    _many_through_resets(hub, proxy, tmp_path, SOAK_INTERACTIONS)
