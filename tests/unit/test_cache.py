"""clerk.cache: a damaged cache.db is set aside (with its -wal and -shm) under a unique name,
old copies are pruned (the newest kept, bounded in number and size), and anything that is not
damage is not treated as damage."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clerk import cache as cache_mod
from clerk.errors import CacheCorruptError


def _files(home: Path, stamp: int, size: int, *, tag: str = "") -> None:
    for suffix in ("", "-wal", "-shm"):
        (home / f"cache.db{suffix}.corrupt-{stamp}{tag}").write_bytes(b"x" * size)


def test_set_aside_moves_the_three_files_and_keeps_the_outbox(tmp_path: Path) -> None:
    conn = cache_mod.open_cache(tmp_path / "cache.db")
    (tmp_path / "outbox.db").write_bytes(b"precious")
    before = cache_mod.file_id(tmp_path / "cache.db")
    aside = cache_mod.set_aside(tmp_path / "cache.db", stamp=1700000000, expected=before)
    assert aside == tmp_path / "cache.db.corrupt-1700000000"
    names = sorted(p.name for p in tmp_path.iterdir() if p.name != ".db.key")
    assert names == [
        "cache.db-shm.corrupt-1700000000",
        "cache.db-wal.corrupt-1700000000",
        "cache.db.corrupt-1700000000",
        "outbox.db",
    ]
    assert (tmp_path / "outbox.db").read_bytes() == b"precious"
    cache_mod.retire(conn)  # its file was set aside


def test_set_aside_twice_in_one_second_keeps_both(tmp_path: Path) -> None:
    for _ in range(2):
        (tmp_path / "cache.db").write_bytes(b"damaged")
        cache_mod.set_aside(tmp_path / "cache.db", stamp=5)
    tags = [c.tag for c in cache_mod.corrupt_copies(tmp_path / "cache.db")]
    assert tags == [".corrupt-5-2", ".corrupt-5"]  # newest first


def test_set_aside_leaves_a_file_that_was_replaced_meanwhile(tmp_path: Path) -> None:
    (tmp_path / "cache.db").write_bytes(b"damaged")
    seen = cache_mod.file_id(tmp_path / "cache.db")
    assert cache_mod.set_aside(tmp_path / "cache.db", stamp=1, expected=seen) is not None
    (tmp_path / "cache.db").write_bytes(b"fresh")  # another thread made the new one
    assert cache_mod.set_aside(tmp_path / "cache.db", stamp=2, expected=seen) is None
    assert (tmp_path / "cache.db").read_bytes() == b"fresh"


def test_old_copies_are_pruned_newest_kept_bounded(tmp_path: Path) -> None:
    for stamp in (100, 200, 300, 400, 500):
        _files(tmp_path, stamp, 1000)
    (tmp_path / "cache.db.corrupt-notes.txt").write_text("not ours")
    (tmp_path / "outbox.db.corrupt-100").write_bytes(b"not ours either")
    removed = cache_mod.prune_copies(tmp_path / "cache.db", max_copies=3, max_bytes=10**9)
    assert {p.name.rsplit("-", 1)[1] for p in removed} == {"100", "200"}
    assert [c.stamp for c in cache_mod.corrupt_copies(tmp_path / "cache.db")] == [500, 400, 300]
    assert (tmp_path / "outbox.db.corrupt-100").exists()
    assert (tmp_path / "cache.db.corrupt-notes.txt").exists()
    # by size: the newest is kept even alone over the bound, older ones go
    cache_mod.prune_copies(tmp_path / "cache.db", max_copies=3, max_bytes=2500)
    assert [c.stamp for c in cache_mod.corrupt_copies(tmp_path / "cache.db")] == [500]
    cache_mod.prune_copies(tmp_path / "cache.db", max_copies=3, max_bytes=10)
    copies = cache_mod.corrupt_copies(tmp_path / "cache.db")
    assert [(c.stamp, c.size, len(c.files)) for c in copies] == [(500, 3000, 3)]


def test_set_aside_prunes(tmp_path: Path) -> None:
    for stamp in range(10, 20):
        _files(tmp_path, stamp, 10)
    (tmp_path / "cache.db").write_bytes(b"damaged")
    cache_mod.set_aside(tmp_path / "cache.db", stamp=99)
    stamps = [c.stamp for c in cache_mod.corrupt_copies(tmp_path / "cache.db")]
    assert stamps == [99, 19, 18][: cache_mod.MAX_COPIES]


def test_not_a_database_is_damage(tmp_path: Path) -> None:
    (tmp_path / "cache.db").write_bytes(b"this is not a database" * 500)
    with pytest.raises(CacheCorruptError):
        cache_mod.open_cache(tmp_path / "cache.db")


def test_a_damaged_first_table_page_fails_the_start_up_check(tmp_path: Path) -> None:
    conn = cache_mod.open_cache(tmp_path / "cache.db")
    conn.executemany(
        "INSERT INTO members (id, name) VALUES (?, ?)",
        [(f"M{i:08d}", "n" * 200) for i in range(300)],
    )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'members'").fetchone()[0]
    conn.close()
    with (tmp_path / "cache.db").open("r+b") as fh:
        fh.seek((root - 1) * 4096 + 64)
        fh.write(os.urandom(2048))
    fresh = cache_mod.open_cache(tmp_path / "cache.db")
    try:
        assert cache_mod.looks_sound(fresh) is False
    finally:
        fresh.close()


# --- m014: order lines compact, no index of browse events by time ------------------------------

OLD_LINES = (
    '[{"sku":"SW00001","qty":2,"price_cents":199900},'
    '{"sku":"ZZ-GONE","qty":1,"price_cents":990,"name":"strap"}]'
)


def test_m014_rewrites_the_orders_cached_before_it(tmp_path: Path) -> None:
    from clerk import orderlines

    path = tmp_path / "cache.db"
    conn = cache_mod.open_cache(path)
    # As a cache from before m014: lines as the feed's objects, browse events indexed by time.
    conn.executemany(
        "INSERT INTO orders (id, member_id, total_cents, state, items, at, refunded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            ("O-1", "M1", 400_790, "completed", OLD_LINES, 1_700_000_000, None),
            ("O-2", "M1", 990, "refunded", OLD_LINES, 1_700_000_100, 1_700_600_000),
            ("O-3", "M2", 0, "completed", "[]", 1_700_000_200, None),
            ("O-4", "M2", 5, "completed", "garbage", 1_700_000_300, None),
        ],
    )
    conn.execute("CREATE INDEX browse_at ON browse_events(at)")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm014_compact_orders'")
    conn.close()

    conn = cache_mod.open_cache(path)
    try:
        assert "m014_compact_orders" in cache_mod.migrations.names
        rows = conn.execute(
            "SELECT id, member_id, total_cents, state, items, at, refunded_at FROM orders"
            " ORDER BY id"
        ).fetchall()
        compact = '[["SW00001",2,199900],["ZZ-GONE",1,990]]'
        assert [tuple(r) for r in rows] == [
            ("O-1", "M1", 400_790, "completed", compact, 1_700_000_000, None),
            ("O-2", "M1", 990, "refunded", compact, 1_700_000_100, 1_700_600_000),
            ("O-3", "M2", 0, "completed", "[]", 1_700_000_200, None),
            ("O-4", "M2", 5, "completed", "[]", 1_700_000_300, None),
        ]
        assert orderlines.lines(rows[0][4]) == [("SW00001", 2, 199_900), ("ZZ-GONE", 1, 990)]
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert "browse_at" not in indexes and "browse_member_at" in indexes
        assert cache_mod.check_integrity(conn)
    finally:
        conn.close()


def test_a_new_cache_has_no_index_of_browse_events_by_time(tmp_path: Path) -> None:
    conn = cache_mod.open_cache(tmp_path / "cache.db")
    try:
        indexes = {
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='browse_events'"
            )
        }
        assert indexes == {"browse_member_at"}
    finally:
        conn.close()
