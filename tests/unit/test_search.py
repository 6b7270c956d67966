"""clerk/search.py: a store's members found by name (hanzi, pinyin, initials, English words), last
four phone digits or card — masked, ranked, at most 20, never another store's; the index kept by
the change apply path, the purge and the cache migration."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clerk import search, search_terms
from clerk.cache import apply_changes, migrations, open_cache
from clerk.db import Transaction
from clerk.purge import purge

STORE = "S001"
NOW = 1_763_900_000


def member(mid: str, name: str, name_en: str | None = None, **extra: Any) -> dict[str, Any]:
    data = {
        "id": mid,
        "name": name,
        "name_en": name_en,
        "card_no": extra.pop("card_no", None),
        "phone_last4": extra.pop("last4", None),
        "phone_masked": extra.pop("phone_masked", None),
        "home_store": extra.pop("store", STORE),
        "tier": "gold",
        "points": 0,
        "last_seen": extra.pop("last_seen", NOW),
        **extra,
    }
    return {"entity": "member", "op": "upsert", "key": mid, "data": data}


def delete(mid: str) -> dict[str, Any]:
    return {"entity": "member", "op": "delete", "key": mid}


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = open_cache(tmp_path / "cache.db")
    apply(
        conn,
        member(
            "M1",
            "林晓雯",
            "Lin Xiaowen",
            card_no="6200000000000019",
            last4="5678",
            phone_masked="*******5678",
        ),
        member("M2", "林晓", "Lin Xiao", last4="1234"),
        member("M3", "郭晓雯", "Guo Xiaowen", last4="5678"),
        member("M4", "Vivian Chen", None, last4="9999"),
        member("M5", "曾小贤", "Zeng Xiaoxian"),
        # Fetched by proof from another store: in the cache, never a search result here.
        member(
            "X1", "林晓雯", "Lin Xiaowen", store="S002", last4="5678", card_no="6200000000000027"
        ),
    )
    try:
        yield conn
    finally:
        conn.close()


def apply(conn: sqlite3.Connection, *changes: dict[str, Any]) -> None:
    with Transaction(conn):
        apply_changes(conn, list(changes))


def found(conn: sqlite3.Connection, text: str, store: str | None = STORE) -> list[tuple[str, str]]:
    return [(f.member_id, f.match) for f in search.search(conn, text, store_id=store)]


# -- masked results --------------------------------------------------------------------------------


def test_results_are_masked(cache: sqlite3.Connection) -> None:
    (hit,) = search.search(cache, "6200000000000019", store_id=STORE)
    assert hit.name == "林*雯"
    assert hit.name_en == "L*n X*****n"
    assert hit.phone_masked == "*******5678"
    assert hit.card_masked == "************0019"
    assert "晓" not in repr(hit) and "6200000000000019" not in repr(hit)


# -- what is found ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("林晓雯", [("M1", "name")]),
        ("linxiaowen", [("M1", "name")]),
        ("Lin Xiaowen", [("M1", "name")]),
        ("lxw", [("M1", "name")]),
        ("lin xiao", [("M2", "name"), ("M1", "prefix")]),
        ("林晓", [("M2", "name"), ("M1", "prefix")]),
        ("linxiaow", [("M1", "prefix")]),
        ("晓雯", [("M1", "part"), ("M3", "part")]),
        ("xiaowen", [("M1", "part"), ("M3", "part")]),
        ("vivian", [("M4", "prefix")]),
        ("CHEN", [("M4", "part")]),
        ("zeng", [("M5", "prefix")]),
        ("5678", [("M1", "phone"), ("M3", "phone")]),
        ("6200 0000 0000 0019", [("M1", "card")]),
    ],
)
def test_finds_by_name_pinyin_initials_last_four_and_card(
    cache: sqlite3.Connection, text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(cache, text) == expected


@pytest.mark.parametrize("text", ["", "  ", "l", "123", "12345", "6200000000000027", "王", 'x"y'])
def test_finds_nothing_for_too_little_or_no_match(cache: sqlite3.Connection, text: str) -> None:
    assert found(cache, text) == []


def test_another_stores_members_are_never_found(cache: sqlite3.Connection) -> None:
    for text in ("林晓雯", "lxw", "5678", "6200000000000027"):
        assert "X1" not in {mid for mid, _ in found(cache, text)}
    # the other store's terminal finds its own
    assert found(cache, "6200000000000027", store="S002") == [("X1", "card")]


def test_ranked_in_tiers_and_at_most_twenty(cache: sqlite3.Connection) -> None:
    apply(cache, *(member(f"W{i:02}", f"王{chr(0x4E00 + i)}", last4="0000") for i in range(30)))
    apply(cache, member("W99", "王", None))
    hits = found(cache, "王")
    assert len(hits) == search.MAX_RESULTS
    assert hits[0] == ("W99", "name")
    assert {m for _, m in hits[1:]} == {"prefix"}
    assert len(found(cache, "0000")) == search.MAX_RESULTS
    tiers = [
        search_terms.tier_of(f.match) for f in search.search(cache, "lin xiao", store_id=STORE)
    ]
    assert tiers == sorted(tiers)


def test_a_whole_name_outranks_a_prefix_which_outranks_a_part(cache: sqlite3.Connection) -> None:
    apply(cache, member("M6", "晓林", "Xiao Lin"), member("M7", "林", "Lin"))
    assert found(cache, "lin") == [
        ("M7", "name"),
        ("M1", "prefix"),
        ("M2", "prefix"),
        ("M6", "part"),
    ]


# -- the index follows the members table -----------------------------------------------------------


def test_a_renamed_member_is_found_by_the_new_name_only(cache: sqlite3.Connection) -> None:
    apply(cache, member("M2", "林小", "Lin Xiao"))
    assert ("M2", "name") not in found(cache, "林晓")
    assert found(cache, "林小") == [("M2", "name")]


def test_a_member_sent_again_is_indexed_once(cache: sqlite3.Connection) -> None:
    for _ in range(3):
        apply(cache, member("M3", "郭晓雯", "Guo Xiaowen", points=5))
    assert found(cache, "guoxiaowen") == [("M3", "name")]
    (docs,) = cache.execute("SELECT count(*) FROM member_search").fetchone()
    (ids,) = cache.execute("SELECT count(*) FROM member_search_ids").fetchone()
    assert docs == ids == 6


def test_a_deleted_member_leaves_the_index(cache: sqlite3.Connection) -> None:
    apply(cache, delete("M1"))
    assert found(cache, "lxw") == []
    assert cache.execute("SELECT count(*) FROM member_search").fetchone()[0] == 5
    assert (
        cache.execute("SELECT count(*) FROM member_search_ids WHERE member_id = 'M1'").fetchone()[0]
        == 0
    )


def test_a_purged_member_leaves_the_index(cache: sqlite3.Connection) -> None:
    apply(cache, member("M9", "林久", "Lin Jiu", last_seen=NOW - 400 * 86_400))
    assert found(cache, "林久") == [("M9", "name")]
    purge(cache, now=NOW)
    assert found(cache, "林久") == []
    assert cache.execute("SELECT count(*) FROM member_search").fetchone()[0] == 6


def test_the_migration_indexes_a_cache_cached_before_it(tmp_path: Path) -> None:
    conn = open_cache(tmp_path / "cache.db")
    apply(conn, *(member(f"M{i:03}", f"林{chr(0x4E00 + i)}", None) for i in range(25)))
    # As a cache from before m009: no index, the migration not recorded.
    conn.execute("DROP TABLE member_search")
    conn.execute("DROP TABLE member_search_ids")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm009_member_search'")
    conn.close()
    conn = open_cache(tmp_path / "cache.db")
    try:
        assert len(found(conn, "林")) == search.MAX_RESULTS
        assert conn.execute("SELECT count(*) FROM member_search").fetchone()[0] == 25
        assert "m009_member_search" in migrations.names
        # chunked: the same index whatever the chunk
        assert search.rebuild(conn, chunk=7) == 25
        assert found(conn, "林一") == [("M000", "name")]
    finally:
        conn.close()


def test_a_member_sent_twice_in_one_batch_is_indexed_by_the_last_row(
    cache: sqlite3.Connection,
) -> None:
    apply(cache, member("M2", "林小", "Lin Xiao"), member("M2", "林大", "Lin Da"))
    assert found(cache, "林小") == []
    assert found(cache, "林大") == [("M2", "name")]
    (docs,) = cache.execute("SELECT count(*) FROM member_search").fetchone()
    (ids,) = cache.execute("SELECT count(*) FROM member_search_ids").fetchone()
    assert docs == ids == 6
