"""What the hub tests send and read as a terminal would: interactions and the whole feed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from clerk.ids import uuid7_str
from sync.hub.app import HubConfig, Load, create_app
from sync.hub.embedded import HubHandle, serve_asgi
from sync.hub.feed import ChangeFeed
from sync.hub.store import HubStore

ROOT = Path(__file__).resolve().parents[2]


def feed_head(store: HubStore, store_id: str) -> int:
    """The cursor past the store's whole feed as the hub serves it (its caches included)."""
    cursor = 0
    while True:
        doc = json.loads(store.feed.changes_json(store_id, cursor, 5000))
        cursor = doc["next_cursor"]
        if not doc["has_more"]:
            return cursor


def fresh_page(store: HubStore, store_id: str, since: int, limit: int = 1000) -> bytes:
    """A page rendered from the database alone (a new feed: no page cache, no tail) — what the
    hub's own answer must equal."""
    return ChangeFeed(store).changes_json(store_id, since, limit)


def fresh_head(store: HubStore, store_id: str) -> int:
    """The cursor past the store's whole feed as the database alone renders it."""
    cursor = 0
    while True:
        doc = json.loads(fresh_page(store, store_id, cursor, 5000))
        cursor = doc["next_cursor"]
        if not doc["has_more"]:
            return cursor


@contextmanager
def app_hub(db: str, cfg: HubConfig, name: str) -> Iterator[tuple[HubHandle, Load]]:
    """A hub with ``cfg`` on a loopback port, in this process, and its load guard."""
    store = HubStore.open(db)
    try:
        app = create_app(store, cfg)
        with serve_asgi(app, name=name) as (url, _server):
            yield HubHandle(url=url, db=db, store=store), app.state.load
    finally:
        store.close()


def pull_changes(
    client: httpx.Client, since: int = 0, limit: int = 5000, max_pages: int = 10_000
) -> tuple[list[dict[str, Any]], int]:
    """Every change after ``since`` (paging to the end) and the final cursor."""
    out: list[dict[str, Any]] = []
    cursor = since
    for _ in range(max_pages):
        resp = client.get("/v1/changes", params={"since": cursor, "limit": limit})
        resp.raise_for_status()
        page = resp.json()
        out.extend(page["changes"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return out, cursor
    raise RuntimeError("changes feed did not end")


def make_interaction(
    kind: str,
    member_id: str | None = "M00000001",
    *,
    device_seq: int = 0,
    created_at: int | None = None,
    staff_id: str | None = "A01",
    member_ref: str | None = None,
    id: str | None = None,
    **payload: Any,
) -> dict[str, Any]:
    """One interaction as the terminal sends it (a fresh UUIDv7 id unless given)."""
    return {
        "id": id or uuid7_str(),
        "kind": kind,
        "member_id": member_id,
        "member_ref": member_ref,
        "staff_id": staff_id,
        "created_at": int(time.time()) if created_at is None else created_at,
        "device_seq": device_seq,
        "payload": payload,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_served_hub(db: Path, cwd: Path, *options: str) -> tuple[subprocess.Popen[str], str]:
    """``clerk hub serve --db DB OPTIONS`` in a process of its own on a free loopback port, its
    stderr piped (what it said, if it exits before it answers); returned with its URL once its
    /healthz answers. The caller stops it and closes its stderr."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "sync.hub.cli", "hub", "serve", "--db", str(db)]
    cmd += ["--port", str(port), *options]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    hub = subprocess.Popen(cmd, cwd=cwd, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:  # polling a subprocess's port: there is no event to wait on
            assert hub.poll() is None, hub.stderr.read() if hub.stderr else ""
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    return hub, url
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the hub did not start"
            time.sleep(0.1)
    except BaseException:
        hub.kill()
        hub.wait(10)
        if hub.stderr:
            hub.stderr.close()
        raise
