"""The changes feed: a store's slice, paged in sequence order, deletes included."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from hub_client import make_interaction, pull_changes

from clerk.cache import TABLES, apply_changes, open_cache
from clerk.db import Transaction
from sync.hub.embedded import HubHandle


def _expected_keys(hub: HubHandle, store_id: str) -> set[tuple[str, str]]:
    """Every (entity, key) the store's terminals should hold, straight from the hub tables."""
    want: set[tuple[str, str]] = set()
    with hub.store.read() as conn:
        members = [
            r[0] for r in conn.rows("SELECT id FROM members WHERE home_store = ?", (store_id,))
        ]
        want |= {("member", m) for m in members}
        for entity, table in (
            ("browse", "browse_events"),
            ("cart", "cart_items"),
            ("coupon", "coupons"),
            ("visit", "visits"),
        ):
            # Browsing and cart only of members who consented to browsing use.
            consent = " AND m.consent_browsing = 1" if entity in ("browse", "cart") else ""
            rows = conn.rows(
                f"SELECT t.id FROM {table} t JOIN members m ON m.id = t.member_id "
                f"WHERE m.home_store = ?{consent}",
                (store_id,),
            )
            want |= {(entity, str(r[0])) for r in rows}
        want |= {("product", r[0]) for r in conn.rows("SELECT sku FROM products")}
        want |= {("key", str(r[0])) for r in conn.rows("SELECT kid FROM signing_keys")}
        want |= {("consent_text", r[0]) for r in conn.rows("SELECT id FROM consent_texts")}
        want |= {
            ("staff", r[0])
            for r in conn.rows("SELECT id FROM staff WHERE store_id = ?", (store_id,))
        }
        want |= {("signup_text", r[0]) for r in conn.rows("SELECT id FROM signup_texts")}
        want |= {("template", r[0]) for r in conn.rows("SELECT id FROM message_templates")}
    return want


def _hidden_keys(hub: HubHandle, store_id: str) -> set[tuple[str, str]]:
    """Browsing and cart of the store's members without browsing consent: never upserted,
    sent as deletes (a terminal drops them)."""
    with hub.store.read() as conn:
        return {
            (entity, str(r[0]))
            for entity, table in (("browse", "browse_events"), ("cart", "cart_items"))
            for r in conn.rows(
                f"SELECT t.id FROM {table} t JOIN members m ON m.id = t.member_id "
                "WHERE m.home_store = ? AND m.consent_browsing = 0",
                (store_id,),
            )
        }


def test_pages_have_no_gaps_or_duplicates(any_hub: HubHandle) -> None:
    token = any_hub.enrol("S001")["token"]
    seen: list[int] = []
    keys: list[tuple[str, str]] = []
    ops: list[tuple[str, str, str]] = []
    cursor = 0
    remaining_before: int | None = None
    with any_hub.client(token) as client:
        while True:
            page = client.get("/v1/changes", params={"since": cursor, "limit": 700}).json()
            assert len(page["changes"]) <= 700
            if remaining_before is not None:
                # The progress count goes down by exactly what each page carried.
                assert page["remaining"] == remaining_before - len(page["changes"])
            remaining_before = page["remaining"]
            seen += [c["seq"] for c in page["changes"]]
            keys += [(c["entity"], c["key"]) for c in page["changes"]]
            ops += [(c["entity"], c["key"], c["op"]) for c in page["changes"]]
            if page["changes"]:
                assert page["next_cursor"] == page["changes"][-1]["seq"]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
        assert page["remaining"] == 0
        last = client.get("/v1/changes", params={"since": cursor}).json()
    assert last == {"changes": [], "next_cursor": cursor, "has_more": False, "remaining": 0}
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert len(keys) == len(set(keys)), "each key once (the log is compacted)"
    assert {(e, k) for e, k, op in ops if op == "upsert"} == _expected_keys(any_hub, "S001")
    hidden = _hidden_keys(any_hub, "S001")
    assert hidden and {(e, k) for e, k, op in ops if op == "delete"} == hidden


def test_other_stores_members_are_not_in_the_slice(any_hub: HubHandle) -> None:
    token = any_hub.enrol("S002")["token"]
    with any_hub.client(token) as client:
        changes, _ = pull_changes(client)
    member_ids = {c["key"] for c in changes if c["entity"] == "member"}
    assert member_ids and all(
        c["data"]["home_store"] == "S002" for c in changes if c["entity"] == "member"
    )
    assert "M00000001" not in member_ids  # the hero lives in S001
    rows_members = {
        c["data"]["member_id"]
        for c in changes
        if c["entity"] in ("browse", "cart", "coupon", "visit") and c["op"] == "upsert"
    }
    assert rows_members <= member_ids
    assert set(keys_of(changes, "staff")) == {s["id"] for s in any_hub.store.staff.rows("S002")}


def keys_of(changes: list[dict[str, Any]], entity: str) -> list[str]:
    return [c["key"] for c in changes if c["entity"] == entity]


def test_data_has_the_cache_columns_and_applies_to_a_real_cache(
    any_hub: HubHandle, tmp_path: Path
) -> None:
    token = any_hub.enrol("S001")["token"]
    with any_hub.client(token) as client:
        changes, _ = pull_changes(client, limit=5000)
    upserts = [c for c in changes if c["op"] == "upsert"]
    for change in upserts:
        assert set(change["data"]) == set(TABLES[change["entity"]][2]), change["entity"]
    conn = open_cache(tmp_path / "cache.db")
    try:
        with Transaction(conn):
            applied = apply_changes(conn, changes)
        assert applied == len(changes)
        counts = Counter(c["entity"] for c in upserts)
        for entity, (table, _pk, _cols) in TABLES.items():
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == counts[entity]
        hero = conn.execute(
            "SELECT name, phone_masked, tags FROM members WHERE id = 'M00000001'"
        ).fetchone()
        assert hero["name"] == "林晓雯" and hero["phone_masked"].startswith("*******")
        assert hero["tags"].startswith("[")
    finally:
        conn.close()


def test_deletes_and_updates_reach_the_feed(any_hub: HubHandle) -> None:
    token = any_hub.enrol("S001")["token"]
    with any_hub.client(token) as client:
        _changes, cursor = pull_changes(client)
        victim = "M00000004"  # home store S001
        assert any_hub.store.members.view(victim)["member"]["home_store"] == "S001"
        view = any_hub.store.members.view(victim)
        any_hub.store.members.delete(victim)
        consent = make_interaction("consent", "M00000001", marketing=False)
        assert (
            client.post("/v1/interactions", json={"interactions": [consent]}).json()["results"][0][
                "status"
            ]
            == "accepted"
        )
        after, _ = pull_changes(client, since=cursor)
    deletes = {(c["entity"], c["key"]) for c in after if c["op"] == "delete"}
    assert ("member", victim) in deletes
    for entity, field in (("browse", "browse"), ("cart", "cart"), ("coupon", "coupons")):
        for row in view[field]:
            assert (entity, str(row["id"])) in deletes
    assert all(c["data"] is None for c in after if c["op"] == "delete")
    upserts = [c for c in after if c["op"] == "upsert"]
    # the member's new flag, and the consent change in the member's history (with its facts)
    assert [(c["entity"], c["key"]) for c in upserts] == [
        ("member", "M00000001"),
        ("visit", consent["id"]),
    ]
    assert upserts[0]["data"]["consent_marketing"] == 0
    assert (upserts[1]["data"]["kind"], upserts[1]["data"]["facts"]) == (
        "consent",
        {"marketing": False},
    )


def test_limit_is_capped_at_5000_and_validated(any_hub: HubHandle) -> None:
    token = any_hub.enrol("S001")["token"]
    with any_hub.client(token) as client:
        page = client.get("/v1/changes", params={"since": 0, "limit": 100000}).json()
        assert len(page["changes"]) == 5000 and page["has_more"]
        for bad in ({"since": -1}, {"limit": 0}, {"since": "x"}):
            resp = client.get("/v1/changes", params=bad)
            assert resp.status_code == 422
            assert resp.headers["content-type"].startswith("application/problem+json")


def test_sqlite_feed_is_consistent_with_the_database_file(hub: HubHandle) -> None:
    """The shared ``hub`` fixture: a SQLite file other tests can open directly."""
    conn = sqlite3.connect(hub.db)
    try:
        n = conn.execute("SELECT count(*) FROM members").fetchone()[0]
    finally:
        conn.close()
    assert n == 200
    token = hub.enrol("S003")["token"]
    with hub.client(token) as client:
        changes, _ = pull_changes(client)
    assert len(keys_of(changes, "member")) == sum(1 for i in range(1, 201) if (i - 1) % 3 == 2)
