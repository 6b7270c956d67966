"""bench/http_floor.py's capacity floor (bench/hold_floor.py): its door answers 503 +
Retry-After at once past the requests in flight it allows, and lets the others through; its
work spends the CPU it is asked to."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from bench import http_floor


async def _call(door: http_floor.Door, path: str = "/v1/changes") -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await door({"type": "http", "path": path}, receive, send)
    return sent


def test_the_door_sheds_past_its_limit_and_lets_the_rest_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(http_floor, "MAX_INFLIGHT", 2)
    release = asyncio.Event()
    entered: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        entered.append(scope["path"])
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def run() -> tuple[list[list[dict[str, Any]]], list[dict[str, Any]], int]:
        door = http_floor.Door(app)
        held = [asyncio.ensure_future(_call(door)) for _ in range(2)]
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        # a third while two are in flight: at once, without the app
        shed = await asyncio.wait_for(_call(door), 5)
        health = asyncio.ensure_future(_call(door, "/healthz"))  # never shed
        await asyncio.sleep(0)
        release.set()
        done = await asyncio.gather(*held)
        await health
        return done, shed, door.inflight

    done, shed, inflight = asyncio.run(run())
    assert shed[0]["status"] == 503
    assert (b"retry-after", b"1") in shed[0]["headers"]
    assert [m[0]["status"] for m in done] == [200, 200]
    assert entered == ["/v1/changes", "/v1/changes", "/healthz"]
    assert inflight == 0


def test_no_limit_means_no_door(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_floor, "MAX_INFLIGHT", 0)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def run() -> list[int]:
        door = http_floor.Door(app)
        answers = await asyncio.gather(*(_call(door) for _ in range(50)))
        return [m["status"] for r in answers for m in r]

    assert set(asyncio.run(run())) == {200}


def test_work_spends_this_threads_cpu() -> None:
    before = time.thread_time()
    http_floor.spend(0.02)
    assert time.thread_time() - before >= 0.02
    before = time.thread_time()
    http_floor.spend(0.0)
    assert time.thread_time() - before < 0.01
