"""SQLite's writers in line on a file lock (``CLERK_HUB_SQLITE_WRITER_QUEUE=1``, opt-in): a
write transaction holds ``PATH-writer`` from its BEGIN to its end — commit, rollback, or a
BEGIN that failed — so the next writer is woken by the kernel, not by the busy handler's sleep."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from sync.hub.db import SQLITE_WRITER_QUEUE_ENV, connect_sqlite
from sync.hub.errors import HubServiceError


def _free(path: str) -> bool:
    """Nobody holds the writers' queue (tried from another open file: flock is per open)."""
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(SQLITE_WRITER_QUEUE_ENV, "1")
    path = str(tmp_path / "hub.db")
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.close()
    return path


def test_a_write_holds_the_queue_from_begin_to_commit_or_rollback(db: str) -> None:
    conn = connect_sqlite(db)
    queue = f"{db}-writer"
    try:
        assert _free(queue)
        conn.begin()
        conn.execute("INSERT INTO t VALUES (1)")
        assert not _free(queue)
        conn.commit()
        assert _free(queue)
        conn.begin()
        assert not _free(queue)
        conn.rollback()
        assert _free(queue)
    finally:
        conn.close()


def test_the_next_writer_waits_in_line_and_goes_when_the_first_is_done(db: str) -> None:
    first, second = connect_sqlite(db), connect_sqlite(db)
    try:
        first.begin()
        began = threading.Event()

        def write() -> None:
            second.begin()
            began.set()
            second.execute("INSERT INTO t VALUES (2)")
            second.commit()

        t = threading.Thread(target=write)
        t.start()
        assert not began.wait(0.3)  # in line behind the first
        first.execute("INSERT INTO t VALUES (1)")
        first.commit()
        t.join(10)
        assert began.is_set() and _free(f"{db}-writer")
        assert first.scalar("SELECT count(*) FROM t") == 2
    finally:
        first.close()
        second.close()


def test_a_begin_that_fails_leaves_the_line(db: str) -> None:
    """Another writer outside the queue (a tool, an older hub) holds SQLite's lock past the
    busy timeout: the BEGIN fails (a 503 for the batch) and the queue is free again."""
    other = sqlite3.connect(db, isolation_level=None)
    conn = connect_sqlite(db)
    try:
        other.execute("BEGIN IMMEDIATE")
        conn.raw.execute("PRAGMA busy_timeout = 50")
        with pytest.raises(HubServiceError):
            conn.begin()
        assert _free(f"{db}-writer")
    finally:
        other.execute("ROLLBACK")
        other.close()
        conn.close()


def test_off_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SQLITE_WRITER_QUEUE_ENV, raising=False)
    conn = connect_sqlite(str(tmp_path / "hub.db"))
    try:
        assert conn.writer_queue is None and not (tmp_path / "hub.db-writer").exists()
    finally:
        conn.close()
