"""Overload is shed at the door: 503 + Retry-After from the event loop, before a thread."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from sync.hub.app import HubConfig, Load, _Guard
from sync.hub.embedded import running_hub


def _scope(path: str) -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": path, "headers": []}


async def _call(guard: _Guard, path: str) -> tuple[int, dict[str, str], dict[str, Any], float]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    started = time.perf_counter()
    await guard(_scope(path), receive, send)
    took = time.perf_counter() - started
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, json.loads(body or b"null"), took


def test_requests_past_the_limit_get_503_at_once_and_the_rest_are_served() -> None:
    async def run() -> None:
        release = asyncio.Event()
        all_in = asyncio.Event()
        entered = 0

        async def app(scope: Any, receive: Any, send: Any) -> None:  # a slow route
            nonlocal entered
            entered += 1
            if entered == 3:
                all_in.set()
            await release.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"{}"})

        load = Load(max_inflight=3)
        guard = _Guard(app, 1024, load)
        held = [asyncio.create_task(_call(guard, "/v1/changes")) for _ in range(3)]
        await all_in.wait()
        status, headers, body, took = await _call(guard, "/v1/changes")
        assert status == 503 and headers["retry-after"] == "1" and body["reason"] == "busy"
        assert took < 0.05 and load.shed == 1 and entered == 3  # never reached the app
        release.set()
        assert [t[0] for t in await asyncio.gather(*held)] == [200, 200, 200]
        assert load.inflight == 0
        assert (await _call(guard, "/v1/changes"))[0] == 200  # room again

    asyncio.run(run())


def test_liveness_is_never_shed() -> None:
    async def run() -> None:
        async def app(scope: Any, receive: Any, send: Any) -> None:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"{}"})

        load = Load(max_inflight=0)
        guard = _Guard(app, 1024, load)
        assert (await _call(guard, "/healthz"))[0] == 200
        assert (await _call(guard, "/readyz"))[0] == 503

    asyncio.run(run())


def test_a_request_that_waited_past_the_queue_limit_is_answered_503(hub_db: str) -> None:
    """Its terminal has given up by then: the hub does not do the work for nobody."""
    with running_hub(hub_db, config=HubConfig(max_queue_s=-1.0)) as late:
        token = late.enrol()["token"]
        with late.client(token) as c:
            r = c.get("/v1/changes")
        assert r.status_code == 503 and r.headers["retry-after"] == "1"
    with running_hub(hub_db) as on_time:
        token = on_time.enrol()["token"]
        with on_time.client(token) as c:
            assert c.get("/v1/changes", params={"limit": 1}).status_code == 200


def test_batches_past_the_writer_queue_are_shed_at_the_door() -> None:
    async def run() -> None:
        release = asyncio.Event()
        inside = asyncio.Event()

        async def app(scope: Any, receive: Any, send: Any) -> None:
            inside.set()
            await release.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"{}"})

        load = Load(max_inflight=10, max_writes=1)
        guard = _Guard(app, 1024, load)

        async def post() -> tuple[int, dict[str, str], dict[str, Any], float]:
            sent: list[dict[str, Any]] = []

            async def receive() -> dict[str, Any]:
                return {"type": "http.request", "body": b"{}", "more_body": False}

            async def send(message: dict[str, Any]) -> None:
                sent.append(message)

            t0 = time.perf_counter()
            scope = {"type": "http", "method": "POST", "path": "/v1/interactions", "headers": []}
            await guard(scope, receive, send)
            start = next(m for m in sent if m["type"] == "http.response.start")
            return start["status"], {}, {}, time.perf_counter() - t0

        first = asyncio.create_task(post())
        await inside.wait()
        status, _h, _b, took = await post()
        assert status == 503 and took < 0.05 and load.writes == 1
        assert not load.full() and load.full(write=True)  # reads still come in
        release.set()
        assert (await first)[0] == 200 and load.writes == 0

    asyncio.run(run())


def test_a_door_on_the_writer_queue_counts_the_batches_waiting_for_a_group() -> None:
    """``write_door="queue"``: batches on their way to the writer (a thread, parsing) are not
    counted, those queued for the writer's next group are; reads are never refused by it."""
    queued = [0]
    load = Load(max_inflight=10, max_writes=2)
    load.queued_writes = lambda: queued[0]
    load.writes = 5  # inside the app, none queued yet: still let in
    assert not load.full(write=True)
    queued[0] = 2  # two waiting for the next group: the next batch is refused
    assert load.full(write=True) and not load.full()
    load.inflight = load.writes + 10  # ten requests other than batches: every door full
    assert load.full()


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_sustained_shed_tells_the_terminals_to_stay_away_longer() -> None:
    """The door's Retry-After: 1 s for a shed now and then, 1 s more for every max_inflight
    shed in the last second, at most retry_after_max — and 1 s again once the shed stops."""

    async def run() -> None:
        release = asyncio.Event()

        async def app(scope: Any, receive: Any, send: Any) -> None:
            await release.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"{}"})

        clock = _Clock(1000.25)
        load = Load(max_inflight=2, clock=clock, retry_after_max=4)
        guard = _Guard(app, 1024, load)
        held = [asyncio.create_task(_call(guard, "/v1/changes")) for _ in range(2)]
        while load.inflight < 2:
            await asyncio.sleep(0)
        told = []
        for _ in range(8):
            status, headers, body, took = await _call(guard, "/v1/changes")
            assert status == 503 and body["reason"] == "busy" and took < 0.05
            told.append(int(headers["retry-after"]))
        assert told == [1, 2, 2, 3, 3, 4, 4, 4]  # 1 + shed // 2, capped at 4
        clock.now = 1001.75  # the next second, three quarters in: a quarter of the 8 still count
        assert int((await _call(guard, "/v1/changes"))[1]["retry-after"]) == 1 + (1 + 2) // 2
        clock.now = 1003.5  # two quiet seconds: a shed now and then again
        assert (await _call(guard, "/v1/changes"))[1]["retry-after"] == "1"
        assert load.shed == 10
        release.set()
        assert [t[0] for t in await asyncio.gather(*held)] == [200, 200]

    asyncio.run(run())


def test_a_retry_after_max_of_1_keeps_the_door_at_1_s() -> None:
    load = Load(max_inflight=1, clock=_Clock(5.0), retry_after_max=1)
    assert {load.shed_one() for _ in range(50)} == {1} and load.shed == 50
    assert HubConfig().retry_after_max == 8  # the default: adaptive, up to 8 s
