"""The hub embedded in another program: served on a free loopback port by a thread.

``clerk demo`` runs its hub this way, and so do the tests. ``running_hub`` opens (and
migrates) the hub database and serves the app with uvicorn in a background thread on a free
port of 127.0.0.1. It waits for the server to start (polling with a deadline, never sleeping
blindly) and shuts it down cleanly on exit::

    with running_hub(str(tmp_path / "hub.db")) as hub:
        code = hub.enrol_code("S001")
        httpx.post(hub.url + "/v1/devices/enroll", json={"store_id": "S001", "code": code})

``serve_asgi`` does the same for any ASGI app (a deliberately hostile hub in the tests).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from sync.hub.app import KEEP_ALIVE_S, HubConfig, create_app
from sync.hub.store import HubStore

START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 20.0


@dataclass
class HubHandle:
    """A hub served on loopback: its base URL, database and data layer."""

    url: str
    db: str
    store: HubStore

    def enrol_code(self, store_id: str) -> str:
        """A fresh one-time enrolment code for ``store_id`` (valid 24 h)."""
        return self.store.devices.create_enrol_code(store_id)

    def member_code(self, member_id: str, ttl: int = 120) -> str:
        """An MC1 member code for ``member_id`` signed by the active key, expiring in ``ttl`` s."""
        return self.store.keys.member_code(member_id, ttl=ttl)

    def client(self, token: str | None = None, *, timeout: float = 10.0) -> httpx.Client:
        """An httpx client on this hub (with the device token if given); the caller closes it."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def enrol(self, store_id: str = "S001", device_name: str = "test") -> dict[str, Any]:
        """Enrol a device over HTTP; returns the EnrollResponse JSON (device_id, token, …)."""
        code = self.enrol_code(store_id)
        resp = httpx.post(
            self.url + "/v1/devices/enroll",
            json={"store_id": store_id, "code": code, "device_name": device_name},
            timeout=10.0,
        )
        resp.raise_for_status()
        data: dict[str, Any] = resp.json()
        return data


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.set_inheritable(True)
    return sock


@contextmanager
def serve_asgi(
    app: Any, *, name: str = "asgi", graceful_s: int = 5
) -> Iterator[tuple[str, uvicorn.Server]]:
    """Serve an ASGI ``app`` with uvicorn in a background thread on a free 127.0.0.1 port;
    yields its base URL and the server. Waits for the start (polling with a deadline) and for
    the stop on exit; RuntimeError when either does not happen in time."""
    sock = _free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan="off",
            ws="none",
            timeout_graceful_shutdown=graceful_s,
            timeout_keep_alive=KEEP_ALIVE_S,  # as `clerk hub serve`: the terminal closes first
        )
    )
    errors: list[BaseException] = []

    def serve() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported to the caller below
            errors.append(exc)

    thread = threading.Thread(target=serve, name=f"{name}-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            if errors or not thread.is_alive():
                raise RuntimeError(f"{name} failed to start: {errors[0] if errors else '?'}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start within the deadline")
            thread.join(0.01)
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.should_exit = True
        thread.join(STOP_TIMEOUT_S)
        sock.close()
        if thread.is_alive():
            raise RuntimeError(f"{name} did not stop within the deadline")


@contextmanager
def running_hub(
    db: str, *, config: HubConfig | None = None, keys_file: str | None = None
) -> Iterator[HubHandle]:
    """Serve a hub on ``db`` (SQLite path or postgresql:// URL) on a free loopback port; its
    key file is ``keys_file`` or found as :func:`sync.hub.keys.key_source` says."""
    store = HubStore.open(db, keys_file=keys_file)
    try:
        app = create_app(store, config or HubConfig())
        with serve_asgi(app, name="hub", graceful_s=5) as (url, _server):
            yield HubHandle(url=url, db=db, store=store)
    finally:
        store.close()
