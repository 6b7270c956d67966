"""Interaction batches wait for their group's commit on threads of their own: a writer that
stalls (SQLite's COMMIT flushing or checkpointing, another process's turn with the lock; on
PostgreSQL anything holding the write gate) keeps the batches inside waiting, not the pulls.
Before, the waiting batches held every route thread, and the pulls queued behind them until the
door shed them too — the 503s of a restarted hub's busiest seconds (docs/benchmarks.md)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import psycopg
from hub_client import app_hub, make_interaction

from sync.hub.app import HubConfig
from sync.hub.db import WRITE_GATE_ID, is_postgres_url

TWO_THREADS = HubConfig(max_threads=2, max_pending_writes=6)


@contextmanager
def _writer_stalled(db: str) -> Iterator[None]:
    """Every write of the hub waits while this holds the database's write lock (SQLite) or
    the write gate alone (PostgreSQL, as a migration does)."""
    if is_postgres_url(db):
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (WRITE_GATE_ID,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (WRITE_GATE_ID,))
        return
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
    finally:
        conn.close()


def test_pulls_are_answered_while_batches_wait_for_a_stalled_writer(hub_db: str) -> None:
    with app_hub(hub_db, TWO_THREADS, "batch-threads") as (hub, load):
        token = hub.enrol("S001")["token"]
        with hub.client(token) as c:
            assert c.get("/v1/changes", params={"limit": 1}).status_code == 200
        answers: list[int] = []

        def push(k: int) -> None:
            batch = {"interactions": [make_interaction("visit", device_seq=k, text="walk-in")]}
            with hub.client(token, timeout=30) as c:
                answers.append(c.post("/v1/interactions", json=batch).status_code)

        with _writer_stalled(hub_db):
            pushers = [threading.Thread(target=push, args=(k,)) for k in range(1, 5)]
            for t in pushers:
                t.start()
            deadline = time.monotonic() + 10
            while load.writes < 4 and time.monotonic() < deadline:  # all four inside, waiting
                time.sleep(0.02)
            assert load.writes == 4
            time.sleep(0.2)  # on their threads, waiting for the writer
            with hub.client(token, timeout=5) as c:  # (a pull held back would time out)
                pulled = c.get("/v1/changes", params={"limit": 10})
            # More batches than the routes have threads: they wait; the pull, answered while
            # the writer is still stalled, does not.
            assert pulled.status_code == 200
            assert answers == []
        for t in pushers:
            t.join(timeout=30)
        assert answers == [200] * 4


def test_a_batch_does_not_wait_for_a_thread_behind_pulls(hub_db: str) -> None:
    """And the other way: the batches' threads are theirs — pulls holding the routes' threads
    do not hold a batch back (the batch door, ``max_pending_writes``, still bounds them)."""
    with app_hub(hub_db, TWO_THREADS, "batch-threads") as (hub, load):
        token = hub.enrol("S001")["token"]
        release = threading.Event()
        original = hub.store.feed.changes_json

        def slow_page(*args: object, **kw: object) -> bytes:
            release.wait(10)  # a pull held on its thread
            return original(*args, **kw)  # type: ignore[arg-type]

        hub.store.feed.changes_json = slow_page  # type: ignore[method-assign]
        got: list[int] = []

        def pull() -> None:
            with hub.client(token, timeout=30) as c:
                got.append(c.get("/v1/changes", params={"limit": 5}).status_code)

        pullers = [threading.Thread(target=pull) for _ in range(2)]
        try:
            for t in pullers:
                t.start()
            deadline = time.monotonic() + 10
            while load.inflight < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.2)  # both on the routes' two threads
            batch = {"interactions": [make_interaction("visit", device_seq=1, text="walk-in")]}
            with httpx.Client(
                base_url=hub.url, headers={"Authorization": f"Bearer {token}"}, timeout=5
            ) as c:  # (a batch held back would time out)
                answer = c.post("/v1/interactions", json=batch)
            assert answer.status_code == 200 and got == []  # answered while the pulls are held
        finally:
            release.set()
            for t in pullers:
                t.join(timeout=30)
        assert got == [200, 200]
