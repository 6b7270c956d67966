"""The change feed's entities are defined once (clerk.shared.entities): the terminal's cache has
exactly those columns, and the hub sends exactly those — its tables hold them, plus the columns
it keeps to itself, named here."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from clerk.cache import TABLES, open_cache
from clerk.shared.entities import ENTITIES, JSON_COLUMNS
from sync.hub.feed import ENTITY_TABLE
from sync.hub.store import HubStore

# Columns of the hub's tables that never reach a terminal.
HUB_ONLY = {
    "member": {"phone", "phone_hash"},  # the number and its full keyed hash: the hub's own
    "coupon": {"used_by"},
    "cart": {"event_at"},  # the newest event applied to an online line (sync/hub/segment/)
    "key": {"private_key", "created_at"},
    "staff": {"store_id"},
    # the ledger's earn rows as the store of the sale sees them: whose, and their balance, never
    "store_points": {"member_id", "kind", "balance", "tier_from", "tier_to"},
}


def _columns(conn: sqlite3.Connection, table: str) -> dict[str, bool]:
    """Column name → is (part of) the primary key."""
    return {r[1]: bool(r[5]) for r in conn.execute(f"PRAGMA table_info({table})")}


def test_the_cache_has_exactly_the_feed_columns(tmp_path: Path) -> None:
    assert list(TABLES) == list(ENTITIES)
    conn = open_cache(tmp_path / "cache.db")
    try:
        for entity, (table, pk, columns) in TABLES.items():
            assert (pk, columns) == ENTITIES[entity]
            got = _columns(conn, table)
            assert set(got) == set(columns), entity
            assert [c for c, is_pk in got.items() if is_pk] == [pk], entity
    finally:
        conn.close()


def test_the_hub_holds_the_feed_columns_and_only_named_others(tmp_path: Path) -> None:
    assert set(ENTITY_TABLE) == set(ENTITIES)
    HubStore.open(str(tmp_path / "hub.db")).close()
    conn = sqlite3.connect(tmp_path / "hub.db")
    try:
        for entity, (pk, columns) in ENTITIES.items():
            got = _columns(conn, ENTITY_TABLE[entity])
            assert set(got) == set(columns) | HUB_ONLY.get(entity, set()), entity
            assert [c for c, is_pk in got.items() if is_pk] == [pk], entity
    finally:
        conn.close()


def test_json_columns_are_feed_columns() -> None:
    every = {c for e in ENTITIES.values() for c in e.columns}
    assert every >= JSON_COLUMNS
