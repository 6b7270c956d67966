"""Damaged storage, found at query time: a cache.db page damaged inside a table's b-tree
passes the cheap start-up check and is caught by the first lookup that reads it — which
answers "rebuilding the customer cache" (CacheRebuildingError), not a traceback. cache.db is
set aside, the running sync engine moves to the fresh file and pulls the store's slice again
from cursor 0; outbox.db is never touched. A full cache or outbox is not damage: the cache is
kept and the error says so."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from clerk import cache as cache_mod
from clerk import db
from clerk.errors import CacheRebuildingError, StorageError
from clerk.model import Identity
from clerk.terminal import Terminal
from sync.hub.embedded import HubHandle
from sync.local import HomeEngine, engine_for, enroll

STORE = "S001"
DAMAGE = b"\xde\xad\xbe\xef" * 256  # 1 KiB of garbage, inside one page


def _counts(conn: Any) -> dict[str, int]:
    return {
        t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
        for t, _pk, _cols in cache_mod.TABLES.values()
    }


def _outbox_rows(home: Path) -> list[tuple[Any, ...]]:
    conn = db.inspect(home / "outbox.db")
    try:
        return [tuple(r) for r in conn.execute("SELECT * FROM interactions ORDER BY id")]
    finally:
        conn.close()


def _damage(path: Path, page: int, page_size: int) -> None:
    with path.open("r+b") as fh:
        fh.seek(page * page_size + 64)
        fh.write(DAMAGE)


def _copy_home(home: Path, to: Path) -> Path:
    to.mkdir(parents=True)
    for name in ("cache.db", "outbox.db", ".db.key", "settings.json"):
        if (home / name).exists():
            shutil.copy2(home / name, to / name)
    return to


def find_damageable_page(home: Path, members: list[str], scratch: Path) -> tuple[int, list[str]]:
    """A page of cache.db (found via the page size, after the first page) that, damaged,
    passes the start-up check but breaks the lookup of some members: tried on copies."""
    conn = db.inspect(home / "cache.db")
    try:
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    finally:
        conn.close()
    pages = (home / "cache.db").stat().st_size // page_size
    for page in range(2, pages):
        trial = _copy_home(home, scratch / f"page-{page}")
        _damage(trial / "cache.db", page, page_size)
        terminal = Terminal(trial)
        try:
            if terminal.cache_rebuilt:
                continue  # the cheap start-up check sees this one
            broken = []
            for m in members:
                try:
                    terminal.view(m)
                except CacheRebuildingError:
                    broken.append(m)
                    break  # the copy is set aside now; one is enough
            if broken:
                return page, broken
        finally:
            terminal.close()
            shutil.rmtree(trial)
    raise AssertionError("no page to damage was found")


@pytest.fixture
def synced_home(hub: HubHandle, tmp_path: Path) -> Iterator[tuple[Path, dict[str, int]]]:
    home = tmp_path / "till"
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="damaged")
    with engine_for(home) as engine:
        assert engine.sync_once().caught_up
        engine.cache.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        counts = _counts(engine.cache)
    yield home, counts


def test_a_damaged_page_is_caught_at_the_first_lookup_and_the_cache_rebuilt(
    hub: HubHandle, synced_home: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    home, before = synced_home
    members = hub.store.members.ids(STORE, limit=1000)
    page, broken = find_damageable_page(home, members, tmp_path / "scratch")
    # A record waiting to be synced: it must come through untouched.
    terminal = Terminal(home)
    note = terminal.record(
        "note", member_id=members[0], staff_id="A01", payload={"text": "likes blue"}
    )
    terminal.close()
    outbox_before = _outbox_rows(home)

    _damage(home / "cache.db", page, 4096)
    engine: HomeEngine = engine_for(home)  # the app's sync worker: open all along
    terminal = Terminal(home)
    pool = ThreadPoolExecutor(1, thread_name_prefix="other-reader")
    try:
        assert not terminal.cache_rebuilt, "the damage passes the cheap start-up check"
        # another thread has its own reader on the damaged file
        pool.submit(terminal.staff_name, "A01").result()

        member = broken[0]
        with pytest.raises(CacheRebuildingError) as caught:
            terminal.open_customer(Identity("member_id", member, f"member:{member}"), "A01")
        assert caught.value.reason == "cache_rebuilding"
        assert "rebuilding the customer cache" in str(caught.value)
        copies = cache_mod.corrupt_copies(home / "cache.db")
        assert len(copies) == 1 and any(
            f.name.startswith("cache.db.corrupt-") for f in copies[0].files
        )
        assert terminal.status().cache_rebuilt
        after = _outbox_rows(home)
        assert set(outbox_before) <= set(after), "outbox.db is never touched"
        assert [r[2] for r in after if r not in outbox_before] in ([], ["visit"])  # this scan's

        # The running engine moves to the fresh file and pulls the slice from cursor 0.
        report = engine.sync_once()
        assert report.caught_up and report.pulled.changes > 0
        assert report.pushed.accepted == len(after) - len(outbox_before) + 1
        pushed = report.pushed.accepted  # they come back as visits in the slice
        assert _counts(engine.cache) == {**before, "visits": before["visits"] + pushed}
        assert engine.cache.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

        opened = terminal.open_customer(Identity("member_id", member, f"member:{member}"), "A01")
        assert opened.member_id == member and opened.view is not None
        assert pool.submit(terminal.staff_name, "A01").result() is not None
        assert pool.submit(terminal.view, member).result() is not None
        assert [i["id"] for i in hub.store.interactions.iter_rows() if i["id"] == note.id] == [
            note.id
        ]
    finally:
        pool.shutdown()
        terminal.close()
        engine.close()
    # Every connection closed (the old ones too): the rebuilt cache is whole — closing a
    # connection to the moved file did not take the new cache's WAL with it — and the next
    # start finds it sound.
    terminal = Terminal(home)
    try:
        assert not terminal.cache_rebuilt
        assert len(cache_mod.corrupt_copies(home / "cache.db")) == 1
        assert _counts(terminal.cache) == {**before, "visits": before["visits"] + pushed}
        assert terminal.cache.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        terminal.close()


def test_concurrent_lookups_on_a_damaged_cache_set_it_aside_once(
    hub: HubHandle, synced_home: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    home, _before = synced_home
    members = hub.store.members.ids(STORE, limit=1000)
    page, broken = find_damageable_page(home, members, tmp_path / "scratch")
    _damage(home / "cache.db", page, 4096)
    terminal = Terminal(home)
    barrier = threading.Barrier(4)

    def look() -> str:
        barrier.wait()
        try:
            terminal.view(broken[0])
        except CacheRebuildingError as exc:
            return exc.reason
        return "ok"

    try:
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _i: look(), range(4)))
        assert "cache_rebuilding" in answers
        assert set(answers) <= {"cache_rebuilding", "ok"}  # "ok": read the fresh, empty cache
        assert len(cache_mod.corrupt_copies(home / "cache.db")) == 1
        assert terminal.view(broken[0]) is None  # the fresh cache: empty until the pull
    finally:
        terminal.close()


def test_a_full_cache_mid_pull_is_kept_and_said_plainly(hub: HubHandle, tmp_path: Path) -> None:
    """SQLITE_FULL (SQLite's page limit) while pulling: not damage. The cache is the same file,
    the pages applied stay, the error says the disk is full; with room the pull completes."""
    home = tmp_path / "till"
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="full")
    with engine_for(home) as engine:
        before = cache_mod.file_id(home / "cache.db")
        pages = int(engine.cache.execute("PRAGMA page_count").fetchone()[0])
        engine.cache.execute(f"PRAGMA max_page_count = {pages + 20}")
        with pytest.raises(StorageError) as caught:
            engine.pull_once(limit=100)
        assert caught.value.reason == "disk_full"
        assert "full" in str(caught.value)
        assert cache_mod.file_id(home / "cache.db") == before
        assert cache_mod.corrupt_copies(home / "cache.db") == []
        cursor = engine.cursor()
        assert cursor > 0
        engine.cache.execute(f"PRAGMA max_page_count = {pages + 1_000_000}")
        assert engine.pull_once(limit=100).caught_up
        assert engine.cache.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_full_outbox_during_a_lookup_keeps_the_cache(
    hub: HubHandle, synced_home: tuple[Path, dict[str, int]]
) -> None:
    home, before = synced_home
    member = hub.store.members.ids(STORE, limit=1)[0]
    terminal = Terminal(home)
    try:
        cache_id = cache_mod.file_id(home / "cache.db")
        pages = int(terminal.outbox.execute("PRAGMA page_count").fetchone()[0])
        terminal.outbox.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StorageError) as caught:
            for _ in range(200):  # until the visit's page no longer fits
                terminal.record(
                    "note", member_id=member, staff_id="A01", payload={"text": "x" * 2000}
                )
            terminal.open_customer(Identity("member_id", member, f"member:{member}"), "A01")
        assert caught.value.reason == "disk_full"
        assert not isinstance(caught.value, CacheRebuildingError)
        assert cache_mod.file_id(home / "cache.db") == cache_id
        assert cache_mod.corrupt_copies(home / "cache.db") == []
        assert not terminal.status().cache_rebuilt
        assert _counts(terminal.cache) == before
    finally:
        terminal.close()
