"""With CLERK_HUB_WRITE_SWITCH_US set, while a SQLite write transaction holds the database's
one write lock the process switches threads every WRITE_SWITCH_S instead of Python's 5 ms
(sync.hub.db.FastSwitch): the writer gets the GIL back soon after each statement, so the other
process waits less for the lock. Off by default. Real database files, real threads."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.hub import db as hubdb
from sync.hub.store import HubStore

PYTHONS = 0.005  # Python's own switch interval


@pytest.fixture
def stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[HubStore]]:
    monkeypatch.setattr(hubdb, "WRITE_SWITCH_S", 200e-6)  # CLERK_HUB_WRITE_SWITCH_US=200
    was = sys.getswitchinterval()
    sys.setswitchinterval(PYTHONS)
    opened = [
        HubStore.open(str(tmp_path / f"hub{n}.db"), keys_file=str(tmp_path / f"hub{n}.keys"))
        for n in (1, 2)
    ]
    yield opened
    for s in opened:
        s.close()
    sys.setswitchinterval(was)


def test_the_short_interval_holds_while_the_lock_is_held_and_only_then(
    stores: list[HubStore],
) -> None:
    assert 0 < hubdb.WRITE_SWITCH_S < PYTHONS
    store = stores[0]
    with store.read() as conn:  # a read takes no write lock
        conn.scalar("SELECT 1")
        assert sys.getswitchinterval() == pytest.approx(PYTHONS)
    with store.write() as tx:
        assert sys.getswitchinterval() == pytest.approx(hubdb.WRITE_SWITCH_S)
        tx.conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)")
    assert sys.getswitchinterval() == pytest.approx(PYTHONS)
    with pytest.raises(RuntimeError), store.write() as tx:  # rolled back: restored too
        tx.conn.execute("INSERT INTO t (k) VALUES (1)")
        assert sys.getswitchinterval() == pytest.approx(hubdb.WRITE_SWITCH_S)
        raise RuntimeError("the batch failed")
    assert sys.getswitchinterval() == pytest.approx(PYTHONS)
    with store.read() as conn:
        assert conn.scalar("SELECT count(*) FROM t") == 0


def test_two_stores_writing_at_once_restore_pythons_interval_once_both_end(
    stores: list[HubStore],
) -> None:
    """A process holding two stores (the embedded hub, tools): the first write to end must not
    restore the interval the second still needs, nor the last leave the short one behind."""
    first, second = stores
    inside = threading.Event()
    release = threading.Event()
    seen: list[float] = []

    def other() -> None:
        with second.write():
            inside.set()
            release.wait(10)
            seen.append(sys.getswitchinterval())

    t = threading.Thread(target=other)
    with first.write():
        t.start()
        assert inside.wait(10)
    # the first ended, the second still holds its lock
    assert sys.getswitchinterval() == pytest.approx(hubdb.WRITE_SWITCH_S)
    release.set()
    t.join(10)
    assert seen == [pytest.approx(hubdb.WRITE_SWITCH_S)]
    assert sys.getswitchinterval() == pytest.approx(PYTHONS)


def test_each_writes_hold_records_the_writers_own_cpu(
    stores: list[HubStore], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CLERK_HUB_LOCK_TIMES: a SQLite write's line ends with the writer thread's CPU from the
    lock granted to its COMMIT answered — never more than the time it held the lock."""
    path = tmp_path / "lock.times"
    monkeypatch.setenv(hubdb.LOCK_TIMES_ENV, str(path))
    monkeypatch.setattr(hubdb.LockTimes, "_file", None)
    store = stores[0]
    with store.write() as tx:
        tx.conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
        tx.conn.many("INSERT INTO t (v) VALUES (?)", [(str(i) * 50,) for i in range(5000)])
    assert hubdb.LockTimes._file is not None
    hubdb.LockTimes._file.close()
    monkeypatch.setattr(hubdb.LockTimes, "_file", None)
    lines = [line.split() for line in path.read_text(encoding="ascii").splitlines()]
    assert len(lines) == 1 and len(lines[0]) == 6
    held, cpu = float(lines[0][1]), float(lines[0][5])
    assert 0 < cpu <= held + 1.0  # (thread CPU ticks are coarser than the wall clock)


def test_off_by_default_the_interval_is_left_alone(tmp_path: Path) -> None:
    assert hubdb.WRITE_SWITCH_S == 0  # (the suite runs without CLERK_HUB_WRITE_SWITCH_US)
    was = sys.getswitchinterval()
    store = HubStore.open(str(tmp_path / "hub.db"), keys_file=str(tmp_path / "hub.keys"))
    try:
        with store.write():
            assert sys.getswitchinterval() == was
    finally:
        store.close()
