"""A bulk load into an empty cache (clerk.cache ``begin_bulk`` / ``finish_bulk``): the indexes that
are not UNIQUE dropped and noted, built again exactly as the migrations made them, and the name
search index built once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from clerk import cache as cache_mod
from clerk import search
from clerk.db import Transaction


def _schema(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    return {
        (str(r[0]), str(r[1]))
        for r in conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
    }


def _member(mid: str, name: str, card: str) -> dict[str, object]:
    return {
        "entity": "member",
        "op": "upsert",
        "key": mid,
        "data": {"id": mid, "name": name, "card_no": card, "code_id": int(card[-6:])},
    }


def test_begin_and_finish_leave_the_schema_as_the_migrations_made_it(tmp_path: Path) -> None:
    conn = cache_mod.open_cache(tmp_path / "cache.db")
    try:
        fresh = _schema(conn)
        unique = {n for n, sql in fresh if sql.upper().startswith("CREATE UNIQUE INDEX")}
        assert cache_mod.is_empty(conn) and not cache_mod.bulk_pending(conn)
        with Transaction(conn):
            dropped = cache_mod.begin_bulk(conn)
        left = {n for n, _sql in _schema(conn)}
        assert dropped and "browse_member_at" in dropped and "members_phone" in dropped
        assert not set(dropped) & left and unique <= left  # the unique ones decide REPLACE
        assert cache_mod.bulk_pending(conn)
        changes = [
            _member(f"M{i:08d}", n, f"62000000{i:08d}")
            for i, n in enumerate(["林晓雯", "陈雨桐", "Vivian"])
        ]
        with Transaction(conn):
            cache_mod.apply_changes(conn, changes, search_index=False)
        assert conn.execute("SELECT count(*) FROM member_search_ids").fetchone()[0] == 0
        with Transaction(conn):
            assert cache_mod.finish_bulk(conn) == len(dropped)
        assert _schema(conn) == fresh
        assert not cache_mod.bulk_pending(conn)
        assert [f.member_id for f in search.search(conn, "cyt", store_id=None)] == ["M00000001"]
        with Transaction(conn):
            assert cache_mod.finish_bulk(conn) == 0  # nothing under way: nothing done
    finally:
        conn.close()


def test_a_cache_holding_only_signing_keys_is_empty(tmp_path: Path) -> None:
    conn = cache_mod.open_cache(tmp_path / "cache.db")
    try:
        key = {"entity": "key", "op": "upsert", "key": "1", "data": {"kid": 1, "public_key": "ab"}}
        with Transaction(conn):
            cache_mod.apply_changes(conn, [key])
        assert cache_mod.is_empty(conn)
        with Transaction(conn):
            cache_mod.apply_changes(conn, [_member("M00000001", "林晓雯", "6200000000000001")])
        assert not cache_mod.is_empty(conn)
    finally:
        conn.close()
