"""Each store's feed tail, rendered once per process and sliced for every terminal's cursor:
never a page that differs from what an uncached rendering gives at that moment."""

from __future__ import annotations

import gc
import json
import random

import pytest
from hub_client import fresh_head as _head
from hub_client import fresh_page as _fresh

from clerk.ids import uuid7_str
from sync.hub import history
from sync.hub.embedded import HubHandle
from sync.hub.feed import PageCache, browsing_keys
from sync.hub.feed_tail import StoreTails
from sync.hub.store import HubStore


def _visit(store: HubStore, member: str, store_id: str, at: int) -> None:
    with store.write() as tx:
        iid = uuid7_str()
        row = (iid, member, store_id, "Store", None, None, "visit", "walk-in", "{}", at)
        tx.conn.execute(history.INSERT_VISIT, row)
        tx.emit("visit", iid, "upsert", store_id)


@pytest.mark.parametrize(("max_entries", "most_from_tail"), [(4096, 300), (24, 150)])
def test_terminals_at_many_cursors_get_the_database_page_from_the_tail(
    any_hub: HubHandle, max_entries: int, most_from_tail: int
) -> None:
    """Forty terminals of two stores pull from their own cursors (whole pages and small
    ones) while visits land, members change, are erased or flip consent through two
    "processes": every answer is byte-for-byte the uncached rendering, most of the 720 come
    from a tail (the rest from the page cache, or rendered), and a small tail (its base
    moving up, dropped after a burst) is as right as a big one."""
    a = any_hub.store
    b = HubStore.open(a.db)
    try:
        for proc in (a, b):
            proc.feed.tails = StoreTails(proc.feed, max_entries=max_entries)
        rng = random.Random(7)
        stores = ("S001", "S002")
        heads = {s: _head(a, s) for s in stores}
        members = {s: a.members.ids(s, limit=30) for s in stores}
        terminals = [(s, heads[s]) for s in stores for _ in range(20)]
        for step in range(60):
            writer = (a, b)[step % 2]
            store_id = rng.choice(stores)
            member = rng.choice(members[store_id])
            action = rng.randrange(8)
            if action < 4:  # the load: visits
                for _ in range(rng.randint(1, 6)):
                    _visit(writer, rng.choice(members[store_id]), store_id, 1_700_000_000 + step)
            elif action == 4:
                with writer.write() as tx:
                    tx.conn.execute(
                        "UPDATE members SET points = points + 1 WHERE id = ?", (member,)
                    )
                    tx.emit("member", member, "upsert", store_id)
            elif action == 5:  # consent flipped: the member's own row changes unlogged
                with writer.write() as tx:
                    tx.conn.execute(
                        "UPDATE members SET consent_browsing = 1 - consent_browsing WHERE id = ?",
                        (member,),
                    )
                    for entity, key in browsing_keys(tx.conn, member):
                        tx.emit(entity, key, "upsert", store_id)
            elif action == 6 and len(members[store_id]) > 5:  # erased: deletes of its visits
                writer.members.delete(member)
                members[store_id].remove(member)
            for i in rng.sample(range(len(terminals)), 12):
                sid, cursor = terminals[i]
                reader = rng.choice((a, b))
                limit = rng.choice((1000, 1000, 5))
                got = reader.feed.changes_json(sid, cursor, limit)
                assert got == _fresh(reader, sid, cursor, limit), (step, sid, cursor, limit)
                terminals[i] = (sid, json.loads(got)["next_cursor"])
        served = a.feed.tails.hits + b.feed.tails.hits
        assert served > most_from_tail, served
        for proc in (a, b):  # each tail's size as counted for the budget
            for tail in proc.feed.tails._tails.values():
                assert tail.chars == sum(len(p) for p in tail.parts)
    finally:
        b.close()


def test_a_cursor_behind_the_tail_lowers_it_or_is_rendered_from_the_database(
    any_hub: HubHandle,
) -> None:
    store = any_hub.store
    store.feed.tails = StoreTails(store.feed, max_entries=8)
    head = _head(store, "S001")
    member = store.members.ids("S001", limit=1)[0]
    store.feed.changes_json("S001", head, 1000)  # the tail starts here
    cursor = head
    for k in range(40):  # a terminal keeping up: the tail grows (and its base moves up)
        _visit(store, member, "S001", 1_700_000_000 + k)
        cursor = json.loads(store.feed.changes_json("S001", cursor, 1000))["next_cursor"]
    hits = store.feed.tails.hits
    assert hits == 40
    for since in (head, head + 3):  # far behind the base now (more than the tail holds)
        assert store.feed.changes_json("S001", since, 1000) == _fresh(store, "S001", since, 1000)
    assert store.feed.tails.hits == hits
    # A little behind: the base comes down to it (the rows in between rendered once).
    tails = store.feed.tails._tails["S001"]
    near = tails.seqs[2]  # three entries of room made: drop them from the tail's front
    store.feed.tails = StoreTails(store.feed, max_entries=8)
    store.feed.pages = PageCache()  # (it holds the page from cursor - 1, still good)
    store.feed.changes_json("S001", cursor, 1000)  # a new tail from the head
    for since in (cursor - 1, near, near - 2):
        assert store.feed.changes_json("S001", since, 1000) == _fresh(store, "S001", since, 1000)
    assert store.feed.tails.hits == 3


def test_a_terminal_back_from_a_backoff_is_answered_from_the_tail(any_hub: HubHandle) -> None:
    """A busy store's terminal that waited out a backoff (shed by the door at twice the
    saturating load: up to ~20 s) comes back thousands of change rows behind its peers: with
    the default tail (TAIL_ENTRIES) its pages are still slices of the tail, not rendered again
    from the database — at 2,400 terminals 21-26 % of the pulls were such renderings with a
    tail of 4,096 entries, and they took the hub's CPU a request from 1.4 to 2.5 ms."""
    store = any_hub.store
    store.feed.tails = StoreTails(store.feed)
    head = _head(store, "S001")
    members = store.members.ids("S001", limit=20)
    store.feed.changes_json("S001", head, 1000)  # the tail starts here
    cursor = head
    at = 1_700_000_000
    for _ in range(12):  # its peers keep up while 6,000 visits land
        with store.write() as tx:
            for k in range(500):
                at += 1
                iid = uuid7_str()
                row = (
                    iid,
                    members[k % 20],
                    "S001",
                    "Store",
                    None,
                    None,
                    "visit",
                    "walk-in",
                    "{}",
                    at,
                )
                tx.conn.execute(history.INSERT_VISIT, row)
                tx.emit("visit", iid, "upsert", "S001")
        while True:
            page = json.loads(store.feed.changes_json("S001", cursor, 1000))
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
    store.feed.pages = PageCache()  # (the pages from the head are not the point)
    hits = store.feed.tails.hits
    since = head
    for _ in range(3):  # the one that waited: its first pages, from where it was
        got = store.feed.changes_json("S001", since, 1000)
        assert got == _fresh(store, "S001", since, 1000)
        since = json.loads(got)["next_cursor"]
    assert store.feed.tails.hits == hits + 3


def test_a_tail_keeps_nothing_per_entry_that_the_garbage_collector_walks(
    any_hub: HubHandle,
) -> None:
    """A process keeps ~100,000 tail entries, and each of Python's full collections walks every
    container still tracked, holding the process: an entry's seqs (a tuple of ints), key and
    row (tuples of strings) and rendering (a string) are all left out after a first look —
    through growth, renders of other entities, keys logged again and the base moving up — and
    the tail's seqs and flags are held in an array and a bytearray, which it never walks."""
    store = any_hub.store
    store.feed.tails = StoreTails(store.feed, max_entries=16)
    head = _head(store, "S001")
    members = store.members.ids("S001", limit=3)
    store.feed.changes_json("S001", head, 1000)  # the tail starts here
    cursor = head
    for k in range(40):  # grows past 16: its base moves up
        _visit(store, members[k % 3], "S001", 1_700_000_000 + k)
        if k % 10 == 9:  # another entity: every entry not a visit rendered again
            with store.write() as tx:
                tx.conn.execute(
                    "UPDATE members SET points = points + 1 WHERE id = ?", (members[0],)
                )
                tx.emit("member", members[0], "upsert", "S001")
        cursor = json.loads(store.feed.changes_json("S001", cursor, 1000))["next_cursor"]
    assert store.feed.tails.hits == 40
    tail = store.feed.tails._tails["S001"]
    assert len(tail.seqs) >= 8 and ("member", members[0]) in tail.by_key
    gc.collect()
    per_entry = [*tail.by_key, *tail.by_key.values(), *tail.rows, *tail.parts]
    assert [o for o in per_entry if gc.is_tracked(o)] == []
    # and the seqs and flags in containers the collector never walks item by item (an array
    # refers to its type alone)
    assert len(gc.get_referents(tail.seqs)) <= 1 and len(gc.get_referents(tail.common)) <= 1


def test_a_key_logged_again_for_another_store_leaves_the_tail(any_hub: HubHandle) -> None:
    """A tail checked once reads only what every store logged after it: a member of its store
    logged again for another store (moved home) drops from it, as from the database's page;
    other stores' rows alone leave it as it is, served with no validator read."""
    store = any_hub.store
    head = _head(store, "S001")
    moving, staying = store.members.ids("S001", limit=2)
    with store.write() as tx:  # the member in the tail (a change of theirs)
        tx.emit("member", moving, "upsert", "S001")
    store.feed.changes_json("S001", head, 1000)  # the tail starts at the head
    for k in range(3):  # a terminal keeping up: the tail grows, its chain seq is known
        _visit(store, staying, "S001", 1_700_000_000 + k)
        got = store.feed.changes_json("S001", head, 1000)
        assert got == _fresh(store, "S001", head, 1000)
    assert moving in got.decode()
    other = store.members.ids("S002", limit=1)[0]
    _visit(store, other, "S002", 1_700_000_010)  # another store's row: nothing of this tail
    assert store.feed.changes_json("S001", head, 1000) == _fresh(store, "S001", head, 1000)
    with store.write() as tx:  # moved: its row now in S002's feed, dropped from S001's
        tx.conn.execute("UPDATE members SET home_store = 'S002' WHERE id = ?", (moving,))
        tx.emit("member", moving, "upsert", "S002")
    hits = store.feed.tails.hits
    got = store.feed.changes_json("S001", head, 1000)
    assert got == _fresh(store, "S001", head, 1000)
    assert moving not in got.decode()
    assert store.feed.tails.hits == hits + 1  # from the tail, not rendered again


def test_new_visits_alone_leave_the_tails_other_entries_unread(
    any_hub: HubHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tail grown by new visits of its store renders the visits and reads nothing else (a
    member's, a coupon's entry stands: a writer that changes their rows logs a change row of
    some entity other than a visit); grown by another entity's row, it reads its other
    entries again — and either way the page is the database's."""
    store = any_hub.store
    head = _head(store, "S001")
    member, other = store.members.ids("S001", limit=2)
    with store.write() as tx:  # a member's entry in the tail
        tx.emit("member", member, "upsert", "S001")
    store.feed.changes_json("S001", head, 1000)  # the tail starts at the head
    store.feed.changes_json("S001", head, 999)  # and holds the member's entry (not cached)
    read: list[list[tuple[str, str]]] = []
    data = StoreTails._data

    def spy(
        self: StoreTails, conn: object, keys: list[tuple[str, str]], **kw: bool
    ) -> dict[object, str]:
        read.append(list(keys))
        return data(self, conn, keys, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(StoreTails, "_data", spy)
    for k in range(3):
        _visit(store, other, "S001", 1_700_000_000 + k)
        got = store.feed.changes_json("S001", head, 1000)
        assert got == _fresh(store, "S001", head, 1000)
    assert read and all(key[0] == "visit" for keys in read for key in keys), read
    read.clear()
    with store.write() as tx:  # another member's row: the tail's member entries read again
        tx.conn.execute("UPDATE members SET points = points + 1 WHERE id = ?", (other,))
        tx.emit("member", other, "upsert", "S001")
    got = store.feed.changes_json("S001", head, 1000)
    assert got == _fresh(store, "S001", head, 1000)
    assert ("member", member) in read[-1], read
    assert store.feed.tails.hits >= 4


def test_a_key_logged_again_between_the_tails_check_and_its_growth(
    any_hub: HubHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tail's growth reads in its snapshot only what came after the rows its check saw: a
    row the check saw and that was dropped before the snapshot (its key logged again) gives
    way to the newer one — the key served once, as the database's page has it."""
    store = any_hub.store
    store.feed.tails = StoreTails(store.feed, follower=False)  # (its own check: no follower)
    head = _head(store, "S001")
    member = store.members.ids("S001", limit=1)[0]
    store.feed.changes_json("S001", head, 1000)  # the tail starts at the head
    _visit(store, member, "S001", 1_700_000_000)
    store.feed.changes_json("S001", head, 1000)  # grown: its chain seq known
    iid = uuid7_str()
    with store.write() as tx:  # a new visit: the next check sees it
        row = (iid, member, "S001", "Store", None, None, "visit", "walk-in", "{}", 1_700_000_001)
        tx.conn.execute(history.INSERT_VISIT, row)
        tx.emit("visit", iid, "upsert", "S001")
    raced: list[int] = []
    unaffected = StoreTails._unaffected

    def racing(self: StoreTails, tail: object, store_id: str, seen: list[tuple[object]]) -> bool:
        found = unaffected(self, tail, store_id, seen)  # type: ignore[arg-type]
        if not found and not raced:  # between the check and the growth: deleted, logged again
            raced.append(len(seen))
            with store.write() as tx:
                tx.conn.execute("DELETE FROM visits WHERE id = ?", (iid,))
                tx.emit("visit", iid, "delete", "S001")
        return found

    monkeypatch.setattr(StoreTails, "_unaffected", racing)
    got = store.feed.changes_json("S001", head, 1000)
    assert raced == [1]
    assert got == _fresh(store, "S001", head, 1000)
    assert [c["op"] for c in json.loads(got)["changes"] if c["key"] == iid] == ["delete"]
