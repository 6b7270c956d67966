"""Shared pieces of the reliability harness (tests/reliability): serving an ASGI app on
loopback, reading the hub's interactions, checking a terminal's files.

Imported by the tests, the conftest and the crash child (tests/reliability/child.py), so it
depends on nothing but the project and the standard test stack.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from clerk import db
from clerk.outbox import open_outbox
from sync.engine import SyncEngine
from sync.errors import SyncError
from sync.hub.embedded import HubHandle, serve_asgi

STORE = "S001"


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free 127.0.0.1 port; yields its base URL."""
    with serve_asgi(app, graceful_s=2) as (url, _server):
        yield url


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def closed_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def hub_rows(hub: HubHandle, device_id: str) -> list[dict[str, Any]]:
    """Every interaction the hub holds from ``device_id`` (SQL on the hub's own database)."""
    with hub.store.read() as conn:
        return conn.dicts(
            "SELECT id, device_seq, status, reason, conflict_with FROM interactions "
            "WHERE device_id = ? ORDER BY id",
            (device_id,),
        )


def members(hub: HubHandle, n: int = 40) -> list[str]:
    return hub.store.members.ids(STORE, limit=n)


def integrity(path: Path) -> str:
    """PRAGMA integrity_check of a terminal file, opened as the app opens it (read-write, so a
    WAL left by a kill is recovered first)."""
    conn = db.connect(path, synchronous="NORMAL")
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        return "; ".join(str(r[0]) for r in rows)
    finally:
        conn.close()


def outbox_ids(home: Path) -> set[str]:
    conn = open_outbox(home / "outbox.db")
    try:
        return {str(r[0]) for r in conn.execute("SELECT id FROM interactions")}
    finally:
        conn.close()


def outbox_dump(conn: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute("SELECT * FROM interactions ORDER BY id")]


def drain(engine: SyncEngine, attempts: int = 400) -> int:
    """sync_once until caught up, retrying failures at once (no waiting). Returns failures."""
    failures = 0
    for _ in range(attempts):
        try:
            if engine.sync_once().caught_up:
                return failures
        except SyncError:
            failures += 1
    raise AssertionError(f"not caught up after {attempts} attempts ({failures} failures)")
