"""Sync through FaultProxy: lost answers, resets, truncation, hangs — nothing lost or doubled."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk.model import Identity
from sync.backoff import Backoff
from sync.client import HubClient
from sync.engine import SyncEngine, SyncReport
from sync.errors import SyncError, TransportError
from sync.faultproxy import FaultProxy
from sync.hub.embedded import HubHandle
from sync.scheduler import Scheduler

STORE = "S001"
DEADLINE_S = 60.0
# Short timeouts so a hung exchange fails fast in tests.
FAST = httpx.Timeout(connect=1.0, read=1.0, write=1.0, pool=1.0)


class Terminal:
    def __init__(self, root: Path, hub: HubHandle, url: str) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.cache = cache_mod.open_cache(root / "cache.db")
        self.outbox = outbox_mod.open_outbox(root / "outbox.db")
        self.engine = SyncEngine(self.cache, self.outbox, HubClient(url, timeout=FAST))
        self.engine.enroll(url, STORE, hub.enrol_code(STORE), device_name=root.name)

    def close(self) -> None:
        self.engine.client.close()
        self.cache.close()
        self.outbox.close()


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


@pytest.fixture
def proxy(hub: HubHandle) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", _port(hub.url)) as p:
        yield p


@pytest.fixture
def term(hub: HubHandle, proxy: FaultProxy, tmp_path: Path) -> Iterator[Terminal]:
    t = Terminal(tmp_path / "till", hub, proxy.url)
    yield t
    t.close()


def record_notes(hub: HubHandle, outbox: sqlite3.Connection, n: int) -> list[str]:
    with hub.store.read() as conn:
        members = [str(r[0]) for r in conn.rows("SELECT id FROM members LIMIT 50")]
    return [
        outbox_mod.record(outbox, "note", member_id=members[i % 50], payload={"text": f"n{i}"}).id
        for i in range(n)
    ]


def hub_ids(hub: HubHandle, device_id: str) -> list[str]:
    with hub.store.read() as conn:
        rows = conn.rows("SELECT id FROM interactions WHERE device_id = ?", (device_id,))
    return sorted(str(r[0]) for r in rows)


def local_states(outbox: sqlite3.Connection) -> set[str]:
    return {r[0] for r in outbox.execute("SELECT DISTINCT state FROM interactions")}


def dump(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for table, _pk, _cols in cache_mod.TABLES.values():
        rows += [(table, *r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1")]
    return rows


def push_until_settled(engine: SyncEngine, max_attempts: int = 500) -> int:
    """Push with retries, as the scheduler would (without waiting). Returns failures seen."""
    failures = 0
    for _ in range(max_attempts):
        try:
            if engine.push_once().sent == 0:
                return failures
        except TransportError:
            failures += 1
    raise AssertionError("the outbox did not drain")


def test_500_interactions_with_30_percent_lost_answers(
    hub: HubHandle, proxy: FaultProxy, term: Terminal
) -> None:
    ids = record_notes(hub, term.outbox, 500)
    term.engine.batch_items = 25
    proxy.set(reset_after_response=0.3, seed=11)
    failures = push_until_settled(term.engine)
    assert failures == proxy.stats["reset_after_response"] > 0
    device = term.engine.status()["device_id"]
    assert hub_ids(hub, device) == sorted(ids)  # exactly 500 at the hub
    assert local_states(term.outbox) == {"acked"}  # and all acknowledged here
    replayed = term.outbox.execute("SELECT count(*) FROM interactions WHERE attempts > 1")
    assert replayed.fetchone()[0] >= 25  # some batches really were delivered twice


def test_every_fault_kind_on_push_and_pull(
    hub: HubHandle, proxy: FaultProxy, term: Terminal, tmp_path: Path
) -> None:
    ids = record_notes(hub, term.outbox, 120)
    term.engine.batch_items = 10
    proxy.set(reset_before_request=0.15, reset_after_response=0.15, truncate_response=0.15, seed=5)
    push_failures = push_until_settled(term.engine)
    pull_failures = 0
    for _ in range(300):
        try:
            if term.engine.pull_once(limit=150).caught_up:
                break
        except TransportError:
            pull_failures += 1
    assert push_failures + pull_failures > 0
    for kind in ("reset_before_request", "reset_after_response", "truncate_response"):
        assert proxy.stats[kind] > 0, kind
    device = term.engine.status()["device_id"]
    assert hub_ids(hub, device) == sorted(ids)
    assert local_states(term.outbox) == {"acked"}

    proxy.set()
    clean = Terminal(tmp_path / "clean", hub, hub.url)
    try:
        clean.engine.pull_once()
        term.engine.pull_once()  # the visits pushed meanwhile
        assert dump(term.cache) == dump(clean.cache)
    finally:
        clean.close()


def test_a_hung_hub_fails_within_the_timeouts(
    hub: HubHandle, proxy: FaultProxy, term: Terminal
) -> None:
    record_notes(hub, term.outbox, 3)
    proxy.set(hang=1.0)
    started = time.monotonic()
    with pytest.raises(TransportError):
        term.engine.push_once()
    assert time.monotonic() - started < 5
    started = time.monotonic()
    with pytest.raises(TransportError):  # a cache miss gives up after a second
        term.engine.fetch_member(
            Identity("card", "6200000000000000001", "card:x", proof="6200000000000000001"), "A01"
        )
    assert time.monotonic() - started < 3
    assert term.engine.status()["online"] is False
    proxy.set()
    assert term.engine.push_once().accepted == 3
    assert term.engine.status()["online"] is True


def test_latency_and_bandwidth_slow_but_do_not_break(
    hub: HubHandle, proxy: FaultProxy, term: Terminal
) -> None:
    proxy.set(latency=0.05, bandwidth=2_000_000)
    started = time.monotonic()
    result = term.engine.pull_once(limit=500)
    elapsed = time.monotonic() - started
    assert result.caught_up and elapsed >= 0.05 * result.pages
    assert proxy.stats["requests"] >= result.pages


def test_scheduler_drains_the_outbox_through_faults(
    hub: HubHandle, proxy: FaultProxy, term: Terminal
) -> None:
    ids = record_notes(hub, term.outbox, 200)
    term.engine.batch_items = 20
    proxy.set(reset_after_response=0.2, reset_before_request=0.1, seed=3)
    done = threading.Event()
    errors: list[SyncError] = []

    def on_report(report: SyncReport) -> None:
        if report.caught_up:
            done.set()

    def on_error(exc: Exception) -> None:
        assert isinstance(exc, TransportError), exc
        errors.append(exc)

    sched = Scheduler(
        term.engine,
        interval_s=3600,
        backoff=Backoff(base=0.001, cap=0.02),
        on_report=on_report,
        on_error=on_error,
    )
    stop = threading.Event()
    worker = threading.Thread(target=sched.run_forever, args=(stop,), kwargs={"poll_s": 0.01})
    worker.start()
    try:
        assert done.wait(DEADLINE_S)
    finally:
        stop.set()
        worker.join(DEADLINE_S)
    assert not worker.is_alive()
    assert errors and sched.online is True and sched.failures == 0
    assert hub_ids(hub, term.engine.status()["device_id"]) == sorted(ids)
    assert local_states(term.outbox) == {"acked"}


def test_faults_are_repeatable_with_a_seed(hub: HubHandle, proxy: FaultProxy) -> None:
    def outcomes() -> list[bool]:
        out = []
        with HubClient(proxy.url, timeout=FAST) as client:
            client.configure(token=hub.enrol()["token"])
            proxy.set(reset_before_request=0.5, seed=42)
            for _ in range(20):
                try:
                    client.keys()
                    out.append(True)
                except TransportError:
                    out.append(False)
        proxy.set()
        return out

    first = outcomes()
    assert first == outcomes()
    assert True in first and False in first


def test_proxy_stops_by_itself(hub: HubHandle) -> None:
    with FaultProxy("127.0.0.1", _port(hub.url)) as p, HubClient(p.url, timeout=FAST) as c:
        c.configure(token=hub.enrol()["token"])
        assert c.keys().keys
        port = p.port
        threads_before = threading.active_count()
    assert threading.active_count() < threads_before
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
