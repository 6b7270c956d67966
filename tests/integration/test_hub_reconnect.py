"""A restarted hub tells its returning fleet how to spread: GET /healthz's ``reconnect_s`` —
the devices it serves over the returning rounds a second it takes (``HubConfig.reconnect_rate``),
bounded — and a terminal's probe reads it (HubClient.healthz → Scheduler.probe_once), on every
backend. The herd it is for: every terminal's probe answers within a second or two of the
restart, and their rounds within 2 s were more than the hub serves on top of its load
(docs/benchmarks.md, issue 20)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from sync.backoff import Backoff
from sync.client import HubClient
from sync.hub.app import HubConfig, create_app
from sync.hub.embedded import HubHandle, running_hub, serve_asgi
from sync.hub.store import HubStore
from sync.protocol import RECONNECT_MAX_S, RECONNECT_MIN_S
from sync.scheduler import Scheduler

FOUR_S_A_DEVICE = HubConfig(reconnect_rate=0.25)


@contextmanager
def _started_hub(db: str) -> Iterator[HubHandle]:
    """A hub process started as `clerk hub serve` starts one: its startup (the devices read,
    ``Devices.prime``) run before it serves (the embedded server runs no lifespan)."""
    store = HubStore.open(db)
    try:
        app = create_app(store, FOUR_S_A_DEVICE)
        [warm] = [h for h in app.router.on_startup if getattr(h, "__name__", "") == "warm"]
        asyncio.run(warm())
        with serve_asgi(app, name="hub") as (url, _server):
            yield HubHandle(url=url, db=db, store=store)
    finally:
        store.close()


def _window(hub: HubHandle) -> object:
    resp = httpx.get(hub.url + "/healthz", timeout=10)
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "ok"
    return body.get("reconnect_s")


def test_the_window_is_the_fleet_over_the_rate_bounded(hub_db: str) -> None:
    with running_hub(hub_db, config=FOUR_S_A_DEVICE) as hub:
        assert _window(hub) == RECONNECT_MIN_S  # no device yet: the least
        devices = [hub.enrol("S001", f"counter-{i}")["device_id"] for i in range(3)]
        assert _window(hub) == 12.0  # enrolled through this process: counted at once
        hub.store.devices.revoke(devices[0], reason="lost")
    # Restarted: the devices it read at its start (the revoked one not among them).
    with _started_hub(hub_db) as hub:
        assert _window(hub) == 8.0
        for i in range(6):
            hub.enrol("S002", f"handheld-{i}")
        assert _window(hub) == RECONNECT_MAX_S  # 32 s asked of 8 devices: never past the bound
        # The terminal's probe reads it, and its next round is drawn within it.
        client = HubClient(hub.url)
        try:
            assert client.healthz() == RECONNECT_MAX_S
            dues = []
            for seed in range(40):
                s = Scheduler(
                    engine=_NoEngine(),
                    backoff=Backoff(rng=random.Random(seed)),
                    probe=client.healthz,
                )
                s.online = False  # offline: the probe decides when the round runs
                assert s.probe_once() is True
                dues.append(s.round_due_in())
        finally:
            client.close()
    assert all(0 <= d <= RECONNECT_MAX_S for d in dues)
    assert max(dues) > 5 * RECONNECT_MIN_S  # spread over the hub's window, not the old 2 s


class _NoEngine:
    def sync_once(self) -> object:  # pragma: no cover - the test runs no round
        raise AssertionError("no round runs here")


def test_a_probe_s_connection_is_closed_after_its_answer(hub: HubHandle) -> None:
    """A restarted hub's first process to be ready took every probe's connection and kept
    it for the rounds that followed (2-7x the other process's requests, its door shedding
    while the other had room, docs/benchmarks.md): the probe's answer closes it, so the round
    opens its own. Other answers keep their connection alive."""
    with httpx.Client(base_url=hub.url, timeout=10) as client:
        answer = client.get("/healthz")
        assert answer.status_code == 200 and answer.headers["connection"] == "close"
        assert client.get("/readyz").headers.get("connection") != "close"
