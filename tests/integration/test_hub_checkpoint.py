"""The SQLite hub's WAL is copied back by its checkpointer thread, never in a writer's COMMIT
(sync.hub.checkpoint): real database files, real threads, two stores on one file standing for
the hub's two processes."""

from __future__ import annotations

import itertools
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.hub.checkpoint import CHECKPOINTER_ENV, Checkpointer, WalIndex
from sync.hub.store import HubStore

PAGES = 64  # a small WAL for tests: the hub's is SQLITE_WAL_PAGES (10,000)


@pytest.fixture
def small_wal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sync.hub.store.SQLITE_WAL_PAGES", PAGES)
    monkeypatch.setattr("sync.hub.db.SQLITE_WAL_PAGES", PAGES)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "hub.db")


def open_store(db: str) -> HubStore:
    return HubStore.open(db, keys_file=db + ".keys")


def make_filler(store: HubStore) -> None:
    with store.write() as tx:
        tx.conn.execute("CREATE TABLE IF NOT EXISTS filler (k INTEGER PRIMARY KEY, v BLOB)")


def fill(store: HubStore, rows: int, size: int = 3000) -> None:
    """One write transaction of ``rows`` rows of ``size`` random bytes (a page or so each)."""
    with store.write() as tx:
        tx.conn.many(
            "INSERT INTO filler (v) VALUES (randomblob(?))", [(size,) for _ in range(rows)]
        )


@pytest.fixture
def stores(db: str, small_wal: None) -> Iterator[list[HubStore]]:
    opened: list[HubStore] = []
    yield opened
    for s in opened:
        s.close()


@pytest.fixture
def store(stores: list[HubStore], db: str) -> HubStore:
    """One store on ``db`` with its checkpointer running, closed after the test."""
    opened = open_store(db)
    stores.append(opened)
    return opened


def test_a_writers_commit_past_the_wal_size_copies_nothing_back(store: HubStore, db: str) -> None:
    assert store.checkpointer is not None
    store.checkpointer.stop()  # nobody copies back now: only a COMMIT could
    make_filler(store)
    wal = WalIndex(db)
    try:
        fill(store, 2 * PAGES)  # the WAL past its size …
        fill(store, 10)  # … and more commits after it
        fill(store, 10)
        frames = wal.frames()
        assert frames is not None
        assert frames[0] > PAGES
        assert frames[1] == 0, "a writer's COMMIT copied the WAL back"
    finally:
        wal.close()


def test_sqlites_own_checkpoint_copies_back_in_the_commit(
    stores: list[HubStore], db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The control for the test above: what it looks for is what SQLite's own checkpoint does.
    monkeypatch.setenv(CHECKPOINTER_ENV, "0")
    store = open_store(db)
    stores.append(store)
    assert store.checkpointer is None
    make_filler(store)
    wal = WalIndex(db)
    try:
        fill(store, 2 * PAGES)
        frames = wal.frames()
        assert frames is not None
        assert frames[1] > 0
    finally:
        wal.close()


def test_the_checkpointer_copies_back_and_starts_the_wal_over(store: HubStore, db: str) -> None:
    make_filler(store)
    checkpointer = store.checkpointer
    assert checkpointer is not None
    fill(store, 3 * PAGES)
    for _ in range(200):  # the thread looks every 50 ms
        if checkpointer.restarts:
            break
        threading.Event().wait(0.05)
    assert checkpointer.passive >= 1
    assert checkpointer.restarts >= 1
    fill(store, 1)  # the next writer starts the WAL over
    frames = WalIndex(db).frames()
    assert frames is not None and frames[0] < PAGES


def writers_and_a_reader(
    db: str, stores: list[HubStore], seconds: float, *, blind: bool = False
) -> dict[str, int]:
    """Two stores (two processes) committing small transactions a millisecond apart and a
    reader looking rows up (a pull), for ``seconds``: the most frames the WAL held, how many
    times it started over, and the commits made."""
    a, b = open_store(db), open_store(db)
    stores += [a, b]
    if blind:  # checkpointers that cannot read the wal-index (another format, no os.pread)
        for s in (a, b):
            assert s.checkpointer is not None
            s.checkpointer.index.frames = lambda: None  # type: ignore[method-assign]
    make_filler(a)
    stop = threading.Event()
    commits = [0, 0]
    errors: list[BaseException] = []
    frames: list[int] = []

    def write(store: HubStore, k: int) -> None:
        try:
            while not stop.is_set():
                fill(store, 3, 2000)
                commits[k] += 1
                stop.wait(0.001)
        except BaseException as exc:
            errors.append(exc)

    def read() -> None:
        conn = sqlite3.connect(db)
        wal = WalIndex(db)
        try:
            while not stop.is_set():
                conn.execute("SELECT length(v) FROM filler WHERE k = 5").fetchone()
                seen = wal.frames()
                if seen is not None:
                    frames.append(seen[0])
                stop.wait(0.001)
        finally:
            conn.close()
            wal.close()

    threads = [
        threading.Thread(target=write, args=(a, 0)),
        threading.Thread(target=write, args=(b, 1)),
        threading.Thread(target=read),
    ]
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors
    return {
        "most_frames": max(frames),
        "starts_over": sum(1 for x, y in itertools.pairwise(frames) if y < x),
        "commits": commits[0] + commits[1],
    }


@pytest.mark.parametrize("blind", [False, True], ids=["reading-the-wal-index", "blind"])
def test_the_wal_stays_bounded_under_steady_writes(
    stores: list[HubStore], db: str, blind: bool
) -> None:
    seen = writers_and_a_reader(db, stores, 3.0, blind=blind)
    assert seen["commits"] * 3 > 20 * PAGES, seen  # the WAL's size written many times over
    assert seen["starts_over"] >= 5, seen
    # The pages between two starts over: PAGES and what comes while a restart waits its turn
    # (the checkpointer looks every 50 ms), never the whole run's (~3 frames a commit).
    assert seen["most_frames"] < 32 * PAGES, seen


def test_a_reader_pinned_on_the_wal_holds_its_size_not_the_writers(
    store: HubStore, db: str
) -> None:
    make_filler(store)
    checkpointer = store.checkpointer
    assert checkpointer is not None
    pinned = sqlite3.connect(db, isolation_level=None)
    try:
        pinned.execute("BEGIN")
        pinned.execute("SELECT count(*) FROM filler").fetchone()  # a snapshot held
        for done in range(1, 401):  # past the WAL's size many times, each commit answered …
            fill(store, PAGES // 4)
            if done >= 40 and checkpointer.restarts_busy:  # … while it tried to start over
                break
            threading.Event().wait(0.01)
        assert checkpointer.restarts_busy >= 1, "it never tried to start the WAL over"
        assert checkpointer.failures == 0
    finally:
        pinned.execute("COMMIT")
        pinned.close()
    for _ in range(200):
        fill(store, 1)
        frames = WalIndex(db).frames()
        if frames is not None and frames[0] < PAGES:
            break
        threading.Event().wait(0.05)
    assert frames is not None and frames[0] < PAGES, "the WAL never started over"


def test_a_store_closed_stops_its_checkpointer_after_a_last_copy(
    stores: list[HubStore], db: str
) -> None:
    store = open_store(db)
    make_filler(store)
    checkpointer = store.checkpointer
    assert isinstance(checkpointer, Checkpointer)
    checkpointer.idle_s = 3600.0  # no copy of a quiet WAL before the close
    fill(store, PAGES // 2)  # below the size: only the last copy takes it
    other = sqlite3.connect(db)  # (the last connection closed: SQLite itself would copy it)
    try:
        other.execute("SELECT count(*) FROM filler").fetchone()
        passive = checkpointer.passive
        store.close()
        assert checkpointer.passive == passive + 1
        frames = WalIndex(db).frames()
        assert frames is not None and frames[0] == frames[1] > 0
    finally:
        other.close()
