"""The hot routes' fast path (a plain pull, a batch, from a device known to the process):
the same answers as the routes themselves give, and everything else left to them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from hub_client import make_interaction

from sync.hub import devices
from sync.hub.app import Load, create_app
from sync.hub.embedded import HubHandle, serve_asgi
from sync.hub.store import HubStore


@contextmanager
def hub_with_load(db: str) -> Iterator[tuple[HubHandle, Load]]:
    store = HubStore.open(db)
    try:
        app = create_app(store)
        with serve_asgi(app, name="fast") as (url, _server):
            yield HubHandle(url=url, db=db, store=store), app.state.load
    finally:
        store.close()


def _same(a: httpx.Response, b: httpx.Response) -> None:
    assert (a.status_code, a.content) == (b.status_code, b.content)
    for header in ("content-type", "content-length", "retry-after", "www-authenticate"):
        assert a.headers.get(header) == b.headers.get(header), header


def test_the_fast_path_answers_as_the_routes_do(
    hub_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The revoked set stays fresh through the test (a slow machine would otherwise send a
    # request the routes' way to re-read it): the counts below are exact.
    monkeypatch.setattr(devices, "DEVICE_CHECK_S", 60.0)
    with hub_with_load(hub_db) as (hub, load):
        device = hub.enrol("S001")
        with hub.client(device["token"]) as c:
            assert c.get("/v1/changes", params={"limit": 1}).status_code == 200  # warm
            before = load.fast
            # A pull: fast, and the same page through the route (an unknown parameter).
            pulls: list[dict[str, object]] = [{"since": 0, "limit": 50}, {"since": 10**9}, {}]
            pulls += [{**params, "format": "rows"} for params in pulls]  # the row format too
            for params in pulls:
                fast = c.get("/v1/changes", params=params)
                routed = c.get("/v1/changes", params={**params, "x": "1"})
                _same(fast, routed)
                rows = params.get("format") == "rows"
                assert fast.content.startswith(b'{"format":"rows"' if rows else b'{"changes":')
            assert load.fast == before + 6
            # A batch, then the same batch again by either way: the same duplicate answers.
            batch = {"interactions": [make_interaction("visit", text="walk-in")]}
            first = c.post("/v1/interactions", json=batch)
            assert first.status_code == 200
            assert first.json()["results"][0]["status"] == "accepted"
            _same(
                c.post("/v1/interactions", json=batch),
                c.post("/v1/interactions?x=1", json=batch),
            )
            # Errors of the work itself: the same problem answers.
            _same(
                c.post("/v1/interactions", json={"interactions": []}),
                c.post("/v1/interactions?x=1", json={"interactions": []}),
            )
            assert load.fast == before + 9
            # What the fast path leaves to the routes: their validation and their 401s.
            for params in ({"since": -1}, {"limit": 0}, {"since": "x"}, {"wait": "x"}):
                assert c.get("/v1/changes", params=params).status_code == 422
            assert c.get("/v1/changes", params={"format": "csv"}).status_code == 422
        with hub.client("v1.dev-0000.1.x") as c:
            assert c.get("/v1/changes").json()["reason"] == "bad_token"
        hub.store.devices.revoke(device["device_id"])
        with hub.client(device["token"]) as c:
            assert c.get("/v1/changes").json()["reason"] == "device_revoked"
        assert load.fast == before + 9
