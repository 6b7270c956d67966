"""GET /v1/changes?wait=S: the long-poll answers as soon as the store has a change, holds no
worker thread while it waits, and hears writes of this hub process and of others."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from sync.hub.app import HubConfig, create_app
from sync.hub.embedded import HubHandle, serve_asgi
from sync.hub.live import ChangeNotifier
from sync.hub.store import HubStore


@contextmanager
def live_hub(
    db: str, config: HubConfig | None = None
) -> Iterator[tuple[HubHandle, ChangeNotifier]]:
    """A hub on loopback and its process's change notifier (to see who is waiting)."""
    store = HubStore.open(db)
    try:
        app = create_app(store, config or HubConfig())
        with serve_asgi(app, name="hub") as (url, _server):
            yield HubHandle(url=url, db=db, store=store), app.state.notifier
    finally:
        store.close()


async def _until_waiting(notifier: ChangeNotifier, n: int) -> None:
    deadline = time.monotonic() + 30
    while notifier.waiting < n:  # the hub's own count of parked requests, not a timing guess
        assert time.monotonic() < deadline, f"{notifier.waiting} waiting, not {n}"
        await asyncio.sleep(0.01)


def _tail(hub: HubHandle, token: str) -> int:
    cursor = 0
    with hub.client(token) as c:
        while True:
            doc = c.get("/v1/changes", params={"since": cursor, "limit": 5000}).json()
            cursor = doc["next_cursor"]
            if not doc["has_more"]:
                return cursor


def _touch(store: HubStore, member_id: str, store_id: str = "S001") -> None:
    with store.write() as tx:
        tx.conn.execute("UPDATE members SET points = points + 1 WHERE id = ?", (member_id,))
        tx.emit("member", member_id, "upsert", store_id)


async def _wait_many(
    url: str,
    token: str,
    since: int,
    n: int,
    wait: float,
    started: asyncio.Event,
    notifier: ChangeNotifier | None = None,
) -> list[tuple[dict[str, Any], float]]:
    """``n`` long-polls; with ``notifier``, each sent once the one before is parked."""
    limits = httpx.Limits(max_connections=n + 2)
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=wait + 10,
        limits=limits,
    ) as client:  # fmt: skip

        async def one() -> tuple[dict[str, Any], float]:
            t0 = time.perf_counter()
            r = await client.get("/v1/changes", params={"since": since, "wait": wait})
            assert r.status_code == 200, r.text
            return r.json(), time.perf_counter() - t0

        tasks = []
        for k in range(n):
            tasks.append(asyncio.create_task(one()))
            if notifier is not None:
                await _until_waiting(notifier, k + 1)
        started.set()
        return await asyncio.gather(*tasks)


def test_a_change_is_answered_at_once_and_nothing_after_the_wait(hub_db: str) -> None:
    with live_hub(hub_db) as (hub, _notifier):
        _answers(hub)


def _answers(any_hub: HubHandle) -> None:
    token = any_hub.enrol()["token"]
    tail = _tail(any_hub, token)
    with any_hub.client(token) as c:
        doc = c.get("/v1/changes", params={"since": tail - 1, "wait": 20}).json()
        assert doc["changes"]  # something after the cursor: no waiting
        t0 = time.perf_counter()
        doc = c.get("/v1/changes", params={"since": tail, "wait": 0.3}).json()
        took = time.perf_counter() - t0
        assert doc["changes"] == [] and doc["next_cursor"] == tail and 0.3 <= took < 5
        t0 = time.perf_counter()  # the same wait for a page in the row format
        rows = {"since": tail, "wait": 0.3, "format": "rows"}
        doc = c.get("/v1/changes", params=rows).json()
        took = time.perf_counter() - t0
        assert doc["runs"] == [] and doc["next_cursor"] == tail and 0.3 <= took < 5
        doc = c.get("/v1/changes", params={**rows, "since": tail - 1, "wait": 20}).json()
        assert doc["runs"] and doc["format"] == "rows"
        assert c.get("/v1/changes", params={"wait": 26}).status_code == 422  # at most 25 s
        t0 = time.perf_counter()  # a cursor from the future (a restored hub): no waiting
        doc = c.get("/v1/changes", params={"since": 2**62, "wait": 20}).json()
        assert doc["changes"] == [] and time.perf_counter() - t0 < 5


def test_waiters_hold_no_thread_and_wake_on_a_write_of_this_process(hub_db: str) -> None:
    """120 terminals wait (more than the 8 worker threads, and past max_inflight = 8, which
    parked requests do not count against); one write wakes them all within two seconds."""
    with live_hub(hub_db, HubConfig(max_inflight=8)) as (hub, notifier):
        token = hub.enrol()["token"]
        tail = _tail(hub, token)
        member = hub.store.members.ids("S001", limit=1)[0]

        async def run() -> list[tuple[dict[str, Any], float]]:
            started = asyncio.Event()
            waiting = asyncio.create_task(
                _wait_many(hub.url, token, tail, 120, 20, started, notifier)
            )
            await started.wait()
            await _until_waiting(notifier, 120)
            async with httpx.AsyncClient(base_url=hub.url, timeout=10) as other:
                assert (await other.get("/healthz")).status_code == 200
                h = {"Authorization": f"Bearer {token}"}
                r = await other.get("/v1/changes", params={"since": tail}, headers=h)
                assert r.status_code == 200  # not shed: the waiters are parked
            t0 = time.perf_counter()
            await asyncio.to_thread(_touch, hub.store, member)
            out = await waiting
            assert time.perf_counter() - t0 < 2.0
            return out

        results = asyncio.run(run())
        assert len(results) == 120
        for doc, _took in results:
            assert [c["key"] for c in doc["changes"]] == [member]


def test_a_write_of_another_hub_process_wakes_the_waiter(hub_db: str) -> None:
    with live_hub(hub_db) as (hub, notifier):
        _other_process(hub, notifier)


def _other_process(any_hub: HubHandle, notifier: ChangeNotifier) -> None:
    token = any_hub.enrol()["token"]
    tail = _tail(any_hub, token)
    other = HubStore.open(any_hub.db)  # another process's store: its commits are not heard
    try:
        member = other.members.ids("S001", limit=1)[0]

        async def run() -> list[tuple[dict[str, Any], float]]:
            started = asyncio.Event()
            waiting = asyncio.create_task(_wait_many(any_hub.url, token, tail, 1, 20, started))
            await started.wait()
            await _until_waiting(notifier, 1)
            await asyncio.to_thread(_touch, other, member)
            t0 = time.perf_counter()
            out = await waiting
            assert time.perf_counter() - t0 < 3.0  # one poll interval, not the 20 s wait
            assert notifier.polls >= 1
            return out

        ((doc, _took),) = asyncio.run(run())
        assert [c["key"] for c in doc["changes"]] == [member]
    finally:
        other.close()
