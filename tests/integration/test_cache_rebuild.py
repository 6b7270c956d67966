"""cache.db is disposable, outbox.db is precious: a corrupt cache is rebuilt from the hub and
the outbox comes through untouched; retention runs with sync."""

from __future__ import annotations

from pathlib import Path

from clerk import cache as cache_mod
from clerk.terminal import Terminal
from sync.hub.embedded import HubHandle
from sync.local import STATE_LAST_PURGE_AT, engine_for, enroll


def _counts(path: Path) -> dict[str, int]:
    conn = cache_mod.open_cache(path)
    try:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("members", "browse_events", "coupons", "cart_items", "products")
        }
    finally:
        conn.close()


def test_corrupt_cache_is_rebuilt_and_outbox_survives(hub: HubHandle, tmp_path: Path) -> None:
    home = tmp_path / "t"
    enroll(home, hub.url, "S001", hub.enrol_code("S001"))
    with engine_for(home) as engine:
        assert engine.sync_once().caught_up
    before = _counts(home / "cache.db")
    assert before["members"] > 0

    terminal = Terminal(home)
    member_id = hub.store.members.ids("S001", limit=1)[0]
    saved = terminal.record(
        "note", member_id=member_id, staff_id="A01", payload={"text": "likes blue"}
    )
    terminal.close()
    # The record is still pending (not synced) when the cache is destroyed.
    for suffix in ("-wal", "-shm"):
        Path(str(home / "cache.db") + suffix).unlink(missing_ok=True)
    (home / "cache.db").write_bytes(b"this is not a database" * 1000)

    terminal = Terminal(home)
    try:
        assert terminal.cache_rebuilt
        st = terminal.status()
        assert st.cache_rebuilt and st.pending == 1 and st.cursor is None
    finally:
        terminal.close()
    assert list(home.glob("cache.db.corrupt-*")), "the corrupt file is kept aside for support"

    with engine_for(home) as engine:
        report = engine.sync_once()
        assert report.caught_up and report.pushed.accepted == 1
    assert _counts(home / "cache.db") == before
    assert [i["id"] for i in hub.store.interactions.iter_rows() if i["id"] == saved.id] == [
        saved.id
    ]


def test_sync_runs_the_retention_purge_once_a_day(hub: HubHandle, tmp_path: Path) -> None:
    home = tmp_path / "t"
    enroll(home, hub.url, "S001", hub.enrol_code("S001"))
    with engine_for(home) as engine:
        engine.sync_once()
        first = cache_mod.get_state(engine.cache, STATE_LAST_PURGE_AT)
        assert first is not None
        assert engine.purge_if_due() is None, "not again within a day"
        now = int(first) + 25 * 3600
        engine.clock = lambda: float(now)
        counts = engine.purge_if_due()
        assert counts is not None and set(counts) >= {"browse_events", "members"}
        assert cache_mod.get_state(engine.cache, STATE_LAST_PURGE_AT) == str(now)


def test_a_truncated_cache_is_caught_at_start_without_a_full_scan(
    hub: HubHandle, tmp_path: Path
) -> None:
    """A cache cut short (disk trouble, a copy interrupted) is noticed by the cheap start-up
    check — the first and last pages of every table — and rebuilt; the outbox is untouched."""
    home = tmp_path / "t"
    enroll(home, hub.url, "S001", hub.enrol_code("S001"))
    with engine_for(home) as engine:
        assert engine.sync_once().caught_up
        engine.cache.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = home / "cache.db"
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.truncate(size // 2)
    terminal = Terminal(home)
    try:
        assert terminal.cache_rebuilt
        assert terminal.status().cursor is None
    finally:
        terminal.close()
