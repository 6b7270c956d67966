"""A first download in bulk (sync.engine ``BULK_MIN_ROWS``, clerk.cache ``begin_bulk`` /
``finish_bulk``): the secondary indexes and the name search index built once after the last
page, and everything a pull promises kept — the same rows as a pull page by page, a kill at any
moment resumed from the cursor, a bad page refused and never half-applied. The reference is
pulled in the object format, every other pull in the compact row format (``format=rows``, the
engine's default): both end with the same rows. Real hub on loopback, real files."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk import search
from clerk.errors import CacheRebuildingError, StorageError
from sync.client import HubClient
from sync.engine import SyncEngine, _Lookahead
from sync.errors import ProtocolError, TransportError
from sync.hub.embedded import HubHandle

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 100  # small pages: the 200-member world's S001 slice is dozens of them
BULK_MIN = 500


def _engine(home: Path, hub: HubHandle, *, enrol: bool = True, **kw: Any) -> SyncEngine:
    """A terminal's engine on ``home``; enrolled now, or (``enrol`` False) as it was left."""
    home.mkdir(parents=True, exist_ok=True)
    cache = cache_mod.open_cache(home / "cache.db")
    outbox = outbox_mod.open_outbox(home / "outbox.db")
    engine = SyncEngine(cache, outbox, HubClient(hub.url), **kw)
    if enrol:
        engine.enroll(hub.url, "S001", hub.enrol_code("S001"), device_name=home.name)
    return engine


def _close(engine: SyncEngine) -> None:
    engine.client.close()
    engine.cache.close()
    engine.outbox.close()


def _rows(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for table, pk, columns in cache_mod.TABLES.values():
        cur = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {pk}")
        out[table] = [tuple(r) for r in cur]
    return out


def _indexes(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    return {
        (str(r[0]), str(r[1]))
        for r in conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'")
    }


def _search_docs(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return [
        (str(r[0]), str(r[1]), str(r[2]))
        for r in conn.execute(
            "SELECT d.member_id, s.head, s.tail FROM member_search_ids d "
            "JOIN member_search s ON s.rowid = d.docid ORDER BY d.member_id"
        )
    ]


@pytest.fixture
def reference(hub: HubHandle, tmp_path: Path) -> dict[str, Any]:
    """The slice pulled page by page in the object format, never in bulk: what every pull in
    bulk or in the row format must end with."""
    engine = _engine(tmp_path / "reference", hub, bulk_min_rows=10**9, row_format=False)
    try:
        result = engine.pull_once(limit=LIMIT)
        assert result.caught_up and result.changes > BULK_MIN
        assert not cache_mod.bulk_pending(engine.cache)
        return {
            "rows": _rows(engine.cache),
            "indexes": _indexes(engine.cache),
            "search": _search_docs(engine.cache),
            "cursor": engine.cursor(),
        }
    finally:
        _close(engine)


def _assert_same(engine: SyncEngine, reference: dict[str, Any]) -> None:
    assert not cache_mod.bulk_pending(engine.cache)
    assert engine.cursor() == reference["cursor"]
    assert _rows(engine.cache) == reference["rows"]
    assert _indexes(engine.cache) == reference["indexes"]
    assert _search_docs(engine.cache) == reference["search"]
    assert cache_mod.check_integrity(engine.cache)


def test_a_first_download_in_bulk_ends_as_a_pull_page_by_page(
    hub: HubHandle, tmp_path: Path, reference: dict[str, Any]
) -> None:
    engine = _engine(tmp_path / "bulk", hub, bulk_min_rows=BULK_MIN)
    seen: list[tuple[bool, int, int]] = []

    def progress(done: int, remaining: int | None, eta: float | None) -> None:
        c = engine.cache
        seen.append((cache_mod.bulk_pending(c), len(_indexes(c)), len(_search_docs(c))))

    try:
        result = engine.pull_once(limit=LIMIT, progress=progress)
        assert result.caught_up
        # Between pages: in bulk, without the secondary indexes, no search index kept …
        assert seen[0][0] and seen[-2][0]
        assert all(n < len(reference["indexes"]) and docs == 0 for _b, n, docs in seen[:-1])
        # … and after the last page everything is there, as if pulled page by page.
        _assert_same(engine, reference)
        name = reference["rows"]["members"][0][cache_mod.TABLES["member"][2].index("name")]
        found = search.search(engine.cache, str(name), store_id="S001")
        assert found, "the search index is complete after the last page"
        assert cache_mod.get_state(engine.cache, "last_pull_at") is not None
        # A pull after it is an ordinary one again: the search index kept page by page.
        assert engine.pull_once(limit=LIMIT).caught_up
        _assert_same(engine, reference)
    finally:
        _close(engine)


def test_no_bulk_below_the_threshold_or_into_a_cache_that_holds_rows(
    hub: HubHandle, tmp_path: Path, reference: dict[str, Any]
) -> None:
    engine = _engine(tmp_path / "small", hub, bulk_min_rows=10**9)
    try:
        engine.pull_once(limit=LIMIT, max_pages=1, progress=lambda *_: None)
        assert not cache_mod.bulk_pending(engine.cache)
        assert len(_indexes(engine.cache)) == len(reference["indexes"])
    finally:
        _close(engine)
    # A cursor of 0 but rows already cached (fetched by proof before the first pull): no bulk.
    engine = _engine(tmp_path / "held", hub, bulk_min_rows=BULK_MIN)
    try:
        member = dict(
            zip(cache_mod.TABLES["member"][2], reference["rows"]["members"][0], strict=True)
        )
        cache_mod.store_member_view(engine.cache, {"member": member})
        engine.pull_once(limit=LIMIT, max_pages=1)
        assert not cache_mod.bulk_pending(engine.cache)
        assert engine.pull_once(limit=LIMIT).caught_up
        _assert_same(engine, reference)
    finally:
        _close(engine)


def test_stopped_between_pages_resumes_in_bulk_and_ends_the_same(
    hub: HubHandle, tmp_path: Path, reference: dict[str, Any]
) -> None:
    home = tmp_path / "stopped"
    engine = _engine(home, hub, bulk_min_rows=BULK_MIN)
    try:
        first = engine.pull_once(limit=LIMIT, max_pages=3)
        assert first.pages == 3 and not first.caught_up
        assert cache_mod.bulk_pending(engine.cache)
    finally:
        _close(engine)
    engine = _engine(home, hub, enrol=False)  # a restart: the cursor from cache.db
    try:
        assert engine.cursor() == first.cursor
        assert engine.pull_once(limit=LIMIT).caught_up
        _assert_same(engine, reference)
    finally:
        _close(engine)


def test_a_failed_finish_is_done_by_the_next_pull(
    hub: HubHandle, tmp_path: Path, reference: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _engine(tmp_path / "finish", hub, bulk_min_rows=BULK_MIN)
    try:

        def broken(conn: sqlite3.Connection, **kw: Any) -> int:
            conn.execute("CREATE TABLE half_built (x)")  # rolled back with the rest
            raise MemoryError("killed while building")

        monkeypatch.setattr(search, "rebuild", broken)
        with pytest.raises(MemoryError):
            engine.pull_once(limit=LIMIT)
        # Every page is in, the cursor at the end; the indexes are not, and bulk is still noted.
        assert engine.cursor() == reference["cursor"]
        assert cache_mod.bulk_pending(engine.cache)
        assert len(_indexes(engine.cache)) < len(reference["indexes"])
        half = "SELECT count(*) FROM sqlite_master WHERE name = 'half_built'"
        assert engine.cache.execute(half).fetchone()[0] == 0
        monkeypatch.undo()
        result = engine.pull_once(limit=LIMIT)
        assert result.caught_up and result.changes == 0
        _assert_same(engine, reference)
    finally:
        _close(engine)


def test_the_row_format_ends_with_the_same_rows_as_objects(
    hub: HubHandle, tmp_path: Path, reference: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[bool] = []
    real = hub.store.feed.changes_json

    def counted(store_id: str, since: int, limit: int, *, rows: bool = False) -> bytes:
        served.append(rows)
        return real(store_id, since, limit, rows=rows)

    monkeypatch.setattr(hub.store.feed, "changes_json", counted)
    engine = _engine(tmp_path / "rows", hub, bulk_min_rows=10**9)
    try:
        result = engine.pull_once(limit=LIMIT)
        assert result.caught_up and result.changes > BULK_MIN
        assert served and all(served), "every page asked for and served in the row format"
        _assert_same(engine, reference)
        # Caught up, a pull's first page is asked for near the head in the object format (the
        # few rows every terminal of the store asks for: the hub's store tail serves them).
        served.clear()
        assert engine.pull_once(limit=LIMIT).caught_up
        assert served == [False]
    finally:
        _close(engine)


def test_a_hub_without_the_row_format_is_pulled_in_objects(
    hub: HubHandle, tmp_path: Path, reference: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An older hub ignores ``format=rows`` (an unknown query parameter) and answers objects:
    the terminal asks in rows, reads what came and ends with the same cache, in bulk too."""
    real = hub.store.feed.changes_json
    asked: list[str] = []

    def older(store_id: str, since: int, limit: int, *, rows: bool = False) -> bytes:
        asked.append("rows" if rows else "objects")
        return real(store_id, since, limit)

    monkeypatch.setattr(hub.store.feed, "changes_json", older)
    engine = _engine(tmp_path / "older", hub, bulk_min_rows=BULK_MIN)
    try:
        assert engine.row_format
        result = engine.pull_once(limit=LIMIT)
        assert result.caught_up and result.changes > BULK_MIN
        assert asked and set(asked) == {"rows"}
        _assert_same(engine, reference)
    finally:
        _close(engine)


def _spoil_objects(page: Any) -> None:
    page["changes"][-1]["data"] = {"id": "x" * 5000}  # a value past MAX_VALUE_LEN


def _spoil_rows(page: Any) -> None:
    run = next(r for r in reversed(page["runs"]) if r["op"] == "upsert")
    run["rows"][-1][1] = "x" * 5000  # a value past MAX_VALUE_LEN (a column after the key)


@pytest.mark.parametrize("row_format", [False, True], ids=["objects", "rows"])
def test_a_bad_page_in_bulk_is_refused_whole(
    hub: HubHandle,
    tmp_path: Path,
    reference: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    row_format: bool,
) -> None:
    engine = _engine(tmp_path / "bad", hub, bulk_min_rows=BULK_MIN, row_format=row_format)
    try:
        engine.pull_once(limit=LIMIT, max_pages=2)
        assert cache_mod.bulk_pending(engine.cache)
        cursor, before = engine.cursor(), _rows(engine.cache)
        real = HubClient.changes_page
        spoil = _spoil_rows if row_format else _spoil_objects

        def spoiled(self: HubClient, since: int, limit: int = 2000, **kw: Any) -> Any:
            page = real(self, since, limit, **kw)
            assert ("runs" in page) is row_format
            spoil(page)
            return page

        monkeypatch.setattr(HubClient, "changes_page", spoiled)
        with pytest.raises(ProtocolError):
            engine.pull_once(limit=LIMIT)
        assert engine.cursor() == cursor and _rows(engine.cache) == before
        monkeypatch.undo()
        assert engine.pull_once(limit=LIMIT).caught_up
        _assert_same(engine, reference)
    finally:
        _close(engine)


def _cursors_served(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The next cursor of every page the hub serves, in the order they are fetched."""
    served: list[int] = []
    real = HubClient.changes_page

    def recorded(self: HubClient, since: int, limit: int = 2000, **kw: Any) -> Any:
        page = real(self, since, limit, **kw)
        served.append(page["next_cursor"])
        return page

    monkeypatch.setattr(HubClient, "changes_page", recorded)
    return served


@pytest.mark.parametrize("next_ready", [True, False], ids=["next-page-ready", "next-page-late"])
def test_bulk_pages_commit_together_while_the_next_page_is_there(
    hub: HubHandle,
    tmp_path: Path,
    reference: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    next_ready: bool,
) -> None:
    """After the page that begins the bulk load (committed alone), up to ``bulk_commit_pages``
    pages commit as one transaction, each with its cursor — but only while the next page has
    already arrived: a page followed by a wait for the hub is committed before the wait."""
    monkeypatch.setattr(_Lookahead, "ready", lambda self: next_ready)
    served = _cursors_served(monkeypatch)
    home = tmp_path / "grouped"
    engine = _engine(home, hub, bulk_min_rows=BULK_MIN, bulk_commit_pages=4)
    reader = cache_mod.connect_readonly(home / "cache.db")
    committed: list[int] = []

    def progress(done: int, remaining: int | None, eta: float | None) -> None:
        committed.append(int(cache_mod.get_state(reader, "cursor") or 0))

    try:
        result = engine.pull_once(limit=LIMIT, progress=progress)
        assert result.caught_up and result.pages > 9
        if next_ready:  # pages 2–5, 6–9, … commit together; the last one at once
            expect = [served[min(1 + 4 * ((i - 1) // 4), len(served)) - 1] for i in range(1, 10)]
        else:  # every page at once
            expect = served[:9]
        assert committed[:9] == expect
        assert committed[-1] == served[-1] == reference["cursor"]
        _assert_same(engine, reference)
    finally:
        reader.close()
        _close(engine)


@pytest.mark.parametrize("failure", ["bad-page", "hub-gone"])
def test_a_failure_mid_batch_keeps_the_pages_before_it(
    hub: HubHandle,
    tmp_path: Path,
    reference: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
) -> None:
    """Page 7 is refused (or never comes) while pages 6 sits in an open transaction: page 6 is
    committed with its cursor, page 7 is not applied at all, and the next pull ends the same."""
    monkeypatch.setattr(_Lookahead, "ready", lambda self: True)
    served: list[int] = []
    real = HubClient.changes_page

    def seventh_fails(self: HubClient, since: int, limit: int = 2000, **kw: Any) -> Any:
        if len(served) == 6:
            if failure == "hub-gone":
                raise TransportError("the hub went away")
            page = real(self, since, limit, **kw)
            _spoil_rows(page)
            return page
        page = real(self, since, limit, **kw)
        served.append(page["next_cursor"])
        return page

    monkeypatch.setattr(HubClient, "changes_page", seventh_fails)
    home = tmp_path / "failed"
    engine = _engine(home, hub, bulk_min_rows=BULK_MIN, bulk_commit_pages=4)
    try:
        with pytest.raises(TransportError if failure == "hub-gone" else ProtocolError):
            engine.pull_once(limit=LIMIT)
        assert engine.cursor() == served[5]
        reader = cache_mod.connect_readonly(home / "cache.db")
        try:
            assert cache_mod.get_state(reader, "cursor") == str(served[5])
            assert cache_mod.get_state(reader, "last_error") is not None
        finally:
            reader.close()
        assert not engine.cache.in_transaction
        monkeypatch.undo()
        assert engine.pull_once(limit=LIMIT).caught_up
        _assert_same(engine, reference)
    finally:
        _close(engine)


def _lock_is_free(engine: SyncEngine) -> bool:
    """Another thread can take the engine's lock (no batch left holding it)."""
    got: list[bool] = []

    def take() -> None:
        got.append(engine._lock.acquire(timeout=5))
        if got[0]:
            engine._lock.release()

    other = threading.Thread(target=take)
    other.start()
    other.join()
    return got == [True]


def test_a_full_cache_mid_batch_keeps_the_pages_before_it_and_frees_the_engine(
    hub: HubHandle, tmp_path: Path, reference: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLITE_FULL inside a batch (SQLite rolls the whole transaction back): no transaction
    and no lock is left behind, nothing is logged as lost that was committed, and with room
    the pull completes from the committed cursor."""
    monkeypatch.setattr(_Lookahead, "ready", lambda self: True)
    engine = _engine(tmp_path / "full", hub, bulk_min_rows=BULK_MIN, bulk_commit_pages=8)
    try:
        first = engine.pull_once(limit=LIMIT, max_pages=1)
        assert cache_mod.bulk_pending(engine.cache)
        pages = int(engine.cache.execute("PRAGMA page_count").fetchone()[0])
        engine.cache.execute(f"PRAGMA max_page_count = {pages + 15}")
        with pytest.raises(StorageError) as caught:
            engine.pull_once(limit=LIMIT)
        assert caught.value.reason == "disk_full"
        assert not engine.cache.in_transaction
        assert _lock_is_free(engine)
        # SQLite rolls a transaction back whole on SQLITE_FULL: the batch's pages are gone
        # with it, the cursor is the last one committed, and the next pull starts there.
        assert engine.cursor() >= first.cursor
        engine.cache.execute(f"PRAGMA max_page_count = {pages + 1_000_000}")
        assert engine.pull_once(limit=LIMIT).caught_up
        _assert_same(engine, reference)
    finally:
        _close(engine)


def test_a_damaged_cache_mid_batch_is_set_aside_and_frees_the_engine(
    hub: HubHandle, tmp_path: Path, reference: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A damaged page met inside a batch: the cache is set aside (its open batch goes with
    the old connection), the engine's lock is free, and the next pull fills a fresh cache."""
    monkeypatch.setattr(_Lookahead, "ready", lambda self: True)
    home = tmp_path / "damaged"
    engine = _engine(home, hub, bulk_min_rows=BULK_MIN, bulk_commit_pages=8)
    real = cache_mod.apply_runs
    calls: list[int] = []

    def damaged(conn: sqlite3.Connection, runs: Any, **kw: Any) -> int:
        calls.append(1)
        if len(calls) == 4:  # page 4: the third of an open batch
            exc = sqlite3.DatabaseError("database disk image is malformed")
            exc.sqlite_errorname = "SQLITE_CORRUPT"  # type: ignore[attr-defined]
            raise exc
        return real(conn, runs, **kw)

    monkeypatch.setattr(cache_mod, "apply_runs", damaged)
    try:
        old = engine.cache
        with pytest.raises(CacheRebuildingError):
            engine.pull_once(limit=LIMIT)
        assert engine.cache is not old and not engine.cache.in_transaction
        assert _lock_is_free(engine)
        assert len(cache_mod.corrupt_copies(home / "cache.db")) == 1
        assert engine.cursor() == 0  # a fresh cache
        monkeypatch.setattr(cache_mod, "apply_runs", real)
        assert engine.pull_once(limit=LIMIT).caught_up
        _assert_same(engine, reference)
    finally:
        _close(engine)


CHILD = """
import sys
from pathlib import Path
from clerk import cache as cache_mod, outbox as outbox_mod
from sync.client import HubClient
from sync.engine import SyncEngine, _Lookahead

grouped = sys.argv[5] == "grouped"
if grouped:  # every bulk page joins an open transaction of up to 8
    _Lookahead.ready = lambda self: True
home = Path(sys.argv[1])
engine = SyncEngine(
    cache_mod.open_cache(home / "cache.db"),
    outbox_mod.open_outbox(home / "outbox.db"),
    HubClient(sys.argv[4]),
    bulk_min_rows=int(sys.argv[2]),
    **({"bulk_commit_pages": 8} if grouped else {}),
)

def progress(done, remaining, eta):
    sys.stdout.write(f"page {done}\\n")
    sys.stdout.flush()

while True:
    engine.pull_once(limit=int(sys.argv[3]), progress=progress)
    sys.stdout.write("caught up\\n")
    sys.stdout.flush()
"""


@pytest.mark.parametrize(
    ("after_pages", "commits"),
    [
        (1, "as-they-come"),
        (4, "as-they-come"),
        (9, "as-they-come"),
        (4, "grouped"),
        (11, "grouped"),
    ],
)
def test_sigkill_mid_download_resumes_and_ends_the_same(
    hub: HubHandle, tmp_path: Path, reference: dict[str, Any], after_pages: int, commits: str
) -> None:
    home = tmp_path / "killed"
    _close(_engine(home, hub))  # enrolled; nothing pulled yet
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(home), str(BULK_MIN), str(LIMIT), hub.url, commits],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None
        for _ in range(after_pages):
            line = child.stdout.readline()
            assert line.startswith("page "), line
        # The child goes on pulling while the signal is on its way: it dies at whatever
        # point it reached (in a page's transaction, between pages, fetching).
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()  # a no-op once it is dead
        child.wait(timeout=60)
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    engine = _engine(home, hub, enrol=False)
    try:
        assert cache_mod.bulk_pending(engine.cache)
        assert engine.pull_once(limit=LIMIT).caught_up
        _assert_same(engine, reference)
    finally:
        _close(engine)
