"""Storage faults: a full disk and I/O errors at commit, on the outbox and on the cache.

* outbox.db full (SQLite's own limit, ``PRAGMA max_page_count``, and a real full file system:
  a 6 MB tmpfs when this machine lets root mount one) → ``Terminal.record`` raises
  StorageError (the UI never says "saved"), nothing half-written, recording works again once
  there is room;
* an I/O error at commit (the OS refusing the write: RLIMIT_FSIZE makes write(2) fail with
  EFBIG, which SQLite reports as SQLITE_IOERR) → the same;
* cache.db full while pulling → the pull stops with StorageError, the cursor covers exactly
  the pages applied, the outbox is untouched, and a later pull completes the slice;
* a full disk when the terminal starts (room for outbox.db's files, none for cache.db's) →
  StorageError "disk_full"; the healthy cache is kept, not set aside as if it were damaged.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reliability_harness import STORE, integrity, members, outbox_dump

from clerk import cache as cache_mod
from clerk.errors import CacheCorruptError, StorageError
from clerk.terminal import Terminal
from sync.hub.embedded import HubHandle
from sync.local import engine_for, enroll

ROOT = Path(__file__).resolve().parents[2]


def _cache_dump(conn: Any) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for table, _pk, _cols in cache_mod.TABLES.values():
        rows += [(table, *r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1")]
    return rows


def _record_until_full(terminal: Terminal, member_id: str, limit: int = 20_000) -> list[str]:
    saved: list[str] = []
    with pytest.raises(StorageError) as caught:
        for i in range(limit):
            rec = terminal.record(
                "note",
                member_id=member_id,
                staff_id="A01",
                payload={"text": f"note {i} " + "x" * 400},
            )
            saved.append(rec.id)
    assert caught.value.reason == "disk_full"  # said plainly (the UI: "the disk is full")
    assert "full" in str(caught.value), caught.value
    return saved


def _ids(terminal: Terminal) -> set[str]:
    return {r[0] for r in terminal.outbox.execute("SELECT id FROM interactions")}


def test_a_full_outbox_refuses_the_record_and_recovers(hub: HubHandle, tmp_path: Path) -> None:
    home = tmp_path / "t"
    member_id = members(hub, 1)[0]
    terminal = Terminal(home)
    try:
        first = terminal.record("visit", member_id=member_id, staff_id="A01").id
        pages = terminal.outbox.execute("PRAGMA page_count").fetchone()[0]
        terminal.outbox.execute(f"PRAGMA max_page_count = {pages + 8}")
        saved = _record_until_full(terminal, member_id)
        assert _ids(terminal) == {first, *saved}  # the refused one is not there, half or whole
        assert terminal.outbox.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        terminal.outbox.execute(f"PRAGMA max_page_count = {pages + 10_000}")  # room again
        after = terminal.record(
            "note", member_id=member_id, staff_id="A01", payload={"text": "room again"}
        ).id
        assert _ids(terminal) == {first, *saved, after}
    finally:
        terminal.close()
    assert integrity(home / "outbox.db") == "ok"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 6 MB tmpfs — a real file system that fills up (root only; skipped elsewhere)."""
    if sys.platform != "linux" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root on Linux")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m,mode=0700", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=True, capture_output=True)


def _fill(disk: Path) -> Path:
    """Fill the file system to the last byte with a filler file; returns it."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 16, 1 << 12, 1 << 9, 1):
            chunk = b"\0" * size
            while True:
                try:
                    os.write(fd, chunk)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_at_commit(hub: HubHandle, small_disk: Path) -> None:
    home = small_disk / "terminal"
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="full-disk")
    member_id = members(hub, 1)[0]
    terminal = Terminal(home)
    try:
        before = terminal.record("visit", member_id=member_id, staff_id="A01").id
        filler = _fill(small_disk)
        saved = _record_until_full(terminal, member_id)
        assert _ids(terminal) == {before, *saved}
        assert terminal.outbox.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        filler.unlink()  # space returns
        after = terminal.record(
            "note", member_id=member_id, staff_id="A01", payload={"text": "room"}
        ).id
        assert _ids(terminal) == {before, *saved, after}
    finally:
        terminal.close()
    assert integrity(home / "outbox.db") == "ok"
    with engine_for(home) as engine:  # and everything still reaches the hub
        report = engine.sync_once()
        assert report.caught_up and report.pushed.accepted == len(saved) + 2


def test_the_cache_filling_up_mid_pull_stops_cleanly(hub: HubHandle, small_disk: Path) -> None:
    home = small_disk / "terminal"
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="full-cache")
    member_id = members(hub, 1)[0]
    terminal = Terminal(home)
    try:
        terminal.record("visit", member_id=member_id, staff_id="A01")
    finally:
        terminal.close()
    # Leave ~600 KB free: enough to start the pull of the store's slice, not to finish it.
    filler = _fill(small_disk)
    with open(filler, "r+b") as f:
        f.truncate(filler.stat().st_size - 600 * 1024)
    with engine_for(home) as engine:
        outbox_before = outbox_dump(engine.outbox)
        with pytest.raises(StorageError):
            engine.pull_once(limit=100)
        cursor = engine.cursor()
        assert cursor > 0, "some pages were applied before the disk filled"
        assert engine.cache.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert outbox_dump(engine.outbox) == outbox_before
        partial = _cache_dump(engine.cache)
    # The cursor covers exactly the rows applied: a clean terminal stopped at the same cursor
    # holds the same rows.
    reference = _pull_reference(hub, home.parent.parent / "reference", stop_at=cursor)
    assert reference[0] == cursor and reference[1] == partial
    filler.unlink()
    with engine_for(home) as engine:
        result = engine.pull_once(limit=100)
        assert result.caught_up
        complete = _cache_dump(engine.cache)
    full = _pull_reference(hub, home.parent.parent / "reference-full", stop_at=None)
    assert complete == full[1]


def test_a_full_disk_at_open_keeps_the_cache(hub: HubHandle, small_disk: Path) -> None:
    """Room for outbox.db's files, none for cache.db's: the terminal does not start, says the
    disk is full — and the healthy cache is neither set aside nor pulled again."""
    home = small_disk / "terminal"
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="full-at-open")
    with engine_for(home) as engine:
        assert engine.sync_once().caught_up
        cursor = engine.cursor()
    cache_path = home / "cache.db"
    before = cache_mod.file_id(cache_path)
    filler = _fill(small_disk)
    with open(filler, "r+b") as f:  # 40 KiB: outbox.db's -shm (32 KiB) fits, cache.db's not
        f.truncate(filler.stat().st_size - 40 * 1024)
    with pytest.raises(StorageError) as caught:
        Terminal(home)
    assert caught.value.reason == "disk_full", caught.value
    assert not isinstance(caught.value, CacheCorruptError)
    assert "full" in str(caught.value)
    assert cache_mod.file_id(cache_path) == before
    assert cache_mod.corrupt_copies(cache_path) == []
    filler.unlink()
    terminal = Terminal(home)
    try:
        assert not terminal.cache_rebuilt
        assert terminal.status().cursor == cursor
    finally:
        terminal.close()


def _pull_reference(hub: HubHandle, home: Path, *, stop_at: int | None) -> tuple[int, Any]:
    """A fault-free terminal pulling 100-row pages up to ``stop_at`` (or to the end)."""
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="reference")
    with engine_for(home) as engine:
        while stop_at is None or engine.cursor() < stop_at:
            if engine.pull_once(limit=100, max_pages=1).caught_up:
                break
        return engine.cursor(), _cache_dump(engine.cache)


IO_ERROR_CHILD = textwrap.dedent(
    """
    import json, os, resource, signal, sys
    from pathlib import Path
    from clerk.errors import CacheCorruptError, StorageError
    from clerk.terminal import Terminal

    home, member_id = Path(sys.argv[1]), sys.argv[2]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write(2) fails with EFBIG instead
    out = {"saved": [], "error": None, "after": None}
    terminal = Terminal(home)
    for i in range(5):
        out["saved"].append(terminal.record("note", member_id=member_id,
                                            payload={"text": f"n{i}"}).id)
    wal = Path(str(home / "outbox.db") + "-wal")
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (wal.stat().st_size, hard))
    try:
        terminal.record("note", member_id=member_id, payload={"text": "x" * 3000})
    except StorageError as exc:
        out["error"] = [exc.reason, str(exc), type(exc.__cause__).__name__]
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    out["after"] = terminal.record("note", member_id=member_id, payload={"text": "ok"}).id
    out["ids"] = sorted(r[0] for r in terminal.outbox.execute("SELECT id FROM interactions"))
    terminal.close()
    print(json.dumps(out))
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE / SIGXFSZ")
def test_an_io_error_at_commit(tmp_path: Path) -> None:
    home = tmp_path / "t"
    done = subprocess.run(
        [sys.executable, "-c", IO_ERROR_CHILD, str(home), "M00000001"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=60,
    )
    out = json.loads(done.stdout)
    reason, message, cause = out["error"]
    assert reason == "storage" and cause == "OperationalError", out["error"]
    assert "disk I/O error" in message or "full" in message, message
    assert out["ids"] == sorted([*out["saved"], out["after"]])  # the failed one left no trace
    assert integrity(home / "outbox.db") == "ok"
