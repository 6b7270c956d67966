"""The feed's per-process page cache: several hub processes (here: several stores open on one
database, each with its own cache) never serve a page that differs from the database."""

from __future__ import annotations

import json
import random

import pytest
from hub_client import feed_head

from sync.hub.embedded import HubHandle
from sync.hub.feed import ChangeFeed, browsing_keys
from sync.hub.feed_tail import StoreTails
from sync.hub.store import HubStore


def _fresh(store: HubStore, store_id: str, since: int, limit: int) -> bytes:
    """The page as a process without a cache renders it now."""
    return ChangeFeed(store).changes_json(store_id, since, limit)


def test_the_database_renders_the_rows_on_each_backend(any_hub: HubHandle) -> None:
    store = any_hub.store
    with store.read() as conn:
        for entity in ("member", "browse", "cart", "coupon", "key"):
            assert store.feed._db_json_sql(conn, entity) is not None, entity


@pytest.mark.parametrize("tails", [True, False])
def test_processes_sharing_a_database_never_serve_a_stale_page(
    any_hub: HubHandle, tails: bool
) -> None:
    """Two "processes" serve the tail of two stores' feeds while writes land through either
    (upserts, deletes, a member moving to the other store, consent flipped, nothing): every
    answer is byte-for-byte what an uncached rendering gives then, and the caches are used —
    the feed tails, or with none the page cache."""
    a = any_hub.store
    b = HubStore.open(a.db)
    if not tails:
        for p in (a, b):
            p.feed.tails = StoreTails(p.feed, max_stores=0)
    try:
        rng = random.Random(20)
        cursors = {"S001": feed_head(a, "S001"), "S002": feed_head(a, "S002")}
        members = {s: a.members.ids(s, limit=40) for s in cursors}
        procs = [a, b]
        seen: dict[tuple[str, int], bytes] = {}
        changed = 0
        for step in range(120):
            writer = procs[step % 2]
            action = rng.randrange(5)
            store_id = rng.choice(sorted(cursors))
            if not members[store_id]:
                continue
            member = rng.choice(members[store_id])
            with writer.write() as tx:
                if action == 0:  # a plain update
                    tx.conn.execute(
                        "UPDATE members SET points = points + 1 WHERE id = ?", (member,)
                    )
                    tx.emit("member", member, "upsert", store_id)
                elif action == 1:  # the member moves to the other store
                    other = "S002" if store_id == "S001" else "S001"
                    tx.conn.execute(
                        "UPDATE members SET home_store = ? WHERE id = ?", (other, member)
                    )
                    tx.emit("member", member, "upsert", other)
                    members[store_id].remove(member)
                    members[other].append(member)
                elif action == 2:  # browsing consent flips: the member's browsing re-logged
                    tx.conn.execute(
                        "UPDATE members SET consent_browsing = 1 - consent_browsing WHERE id = ?",
                        (member,),
                    )
                    for entity, key in browsing_keys(tx.conn, member):
                        tx.emit(entity, key, "upsert", store_id)
            # action 4: nothing the feed shows changes
            if action == 3:
                writer.members.delete(member)
                members[store_id].remove(member)
            for reader in rng.sample(procs, 2):
                for sid, since in cursors.items():
                    for back in (0, 3):  # the tail, and a cursor a little behind it
                        cur = max(0, since - back)
                        got = reader.feed.changes_json(sid, cur, 1000)
                        assert got == _fresh(reader, sid, cur, 1000), (step, sid, cur)
                        changed += seen.get((sid, cur), got) != got
                        seen[(sid, cur)] = got
            if rng.random() < 0.3:  # a terminal catches up
                cursors[store_id] = json.loads(
                    a.feed.changes_json(store_id, cursors[store_id], 1000)
                )["next_cursor"]
        assert changed > 20  # the pages asked for did change under the caches
        if tails:  # a store with a tail does not read the page cache's validator first
            assert a.feed.tails.hits > 50 and b.feed.tails.hits > 50
        else:
            assert a.feed.pages.hits > 50 and b.feed.pages.hits > 50
            assert a.feed.pages.misses > 20 and b.feed.pages.misses > 20
    finally:
        b.close()


def test_a_page_read_in_one_statement_is_the_page_read_apart(
    hub: HubHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite renders a page's change rows with their rows' JSON in one statement; every page
    of two stores' feeds, in both formats and at limits that split runs, is byte-for-byte the
    page read apart (change rows, then the rows by key) — with a member deleted (their upserts
    read as deletes), browsing consent withdrawn and the common rows (no store) in between."""
    store = hub.store
    s1 = store.members.ids("S001", limit=6)
    with store.write() as tx:
        tx.conn.execute("UPDATE members SET consent_browsing = 0 WHERE id = ?", (s1[1],))
        for entity, key in browsing_keys(tx.conn, s1[1]):
            tx.emit(entity, key, "upsert", "S001")
        tx.conn.execute("UPDATE members SET points = points + 7 WHERE id = ?", (s1[2],))
        tx.emit("member", s1[2], "upsert", "S001")
        tx.emit("member", "no-such-member", "upsert", "S001")
    store.members.delete(s1[0])
    fresh = ChangeFeed(store)
    with store.read() as conn:
        assert fresh._sqlite_page(conn, arrays=True) is not None  # the one-statement path
    one: dict[tuple[str, int, bool], list[bytes]] = {}
    for apart in (False, True):
        if apart:
            monkeypatch.setattr(ChangeFeed, "_sqlite_page", lambda self, conn, *, arrays: None)
        for store_id in ("S001", "S002"):
            for limit in (7, 333, 5000):
                for rows in (True, False):
                    feed, since, pages = ChangeFeed(store), 0, []
                    while True:
                        page = feed._page(store_id, since, limit, arrays=rows)
                        pages.append(feed._render_rows(page) if rows else feed._render(page))
                        since = page.next_cursor
                        if not page.has_more:
                            break
                    if apart:
                        assert pages == one[(store_id, limit, rows)], (store_id, limit, rows)
                    else:
                        one[(store_id, limit, rows)] = pages
    body = b"".join(one[("S001", 5000, True)])
    assert b'"op":"delete"' in body and b'"entity":"product"' in body
    assert len(one[("S001", 7, True)]) > 100
