"""The chain follower (sync/hub/feed_tail.py): one read of the chain's new change rows per
process, shared by every tail — a pull never sees less than what was committed before it
arrived, a key logged again is never kept, another process's writes are seen; pulls arriving
together share a read; a tailed store's pull is answered on the event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from hub_client import fresh_head as _head
from hub_client import fresh_page as _fresh

from clerk.ids import uuid7_str
from sync.hub import history
from sync.hub.embedded import HubHandle
from sync.hub.feed_tail import ChainFollower, FollowView, StoreTails
from sync.hub.store import HubStore


def _visit(store: HubStore, member: str, store_id: str, at: int = 1_700_000_000) -> str:
    iid = uuid7_str()
    with store.write() as tx:
        row = (iid, member, store_id, "Store", None, None, "visit", "walk-in", "{}", at)
        tx.conn.execute(history.INSERT_VISIT, row)
        tx.emit("visit", iid, "upsert", store_id)
    return iid


def _followed(store: HubStore) -> StoreTails:
    """The store's feed with tails that take a follower's rows (either backend)."""
    tails = store.feed.tails = StoreTails(store.feed, follower=True)
    return tails


def _tailed(store: HubStore, store_id: str) -> int:
    """Start the store's tail at its head and let it learn its chain seq; the head."""
    head = _head(store, store_id)
    store.feed.changes_json(store_id, head, 1000)  # the tail starts at the head
    member = store.members.ids(store_id, limit=1)[0]
    _visit(store, member, store_id)
    store.feed.changes_json(store_id, head, 1000)  # grown: its chain seq known
    assert store.feed.tails._tails[store_id].chain
    # The follower's first read only learns the newest seq; a tail behind it reads alone once.
    store.feed.changes_json(store_id, head, 1000)
    return head


def test_a_pull_waits_for_a_read_that_started_after_it_arrived(
    any_hub: HubHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A visit committed while the follower's read is in flight (its snapshot taken before the
    commit) is in the page of a pull that arrived after the commit: that pull waits for the
    next read — served from the read in flight it would miss the visit."""
    store = any_hub.store
    tails = _followed(store)
    head = _tailed(store, "S001")
    member = store.members.ids("S001", limit=1)[0]
    follower = tails.follower
    assert follower is not None
    read = ChainFollower._read
    hold, taken = threading.Event(), threading.Event()

    def slow(self: ChainFollower, view: FollowView | None) -> FollowView:
        found = read(self, view)  # its snapshot is taken: what commits now is not in it
        if not taken.is_set():
            taken.set()
            assert hold.wait(10)
        return found

    monkeypatch.setattr(ChainFollower, "_read", slow)
    pages: dict[str, bytes] = {}

    def pull(name: str) -> None:
        pages[name] = store.feed.changes_json("S001", head, 1000)

    first = threading.Thread(target=pull, args=("first",))
    first.start()
    assert taken.wait(10)
    iid = _visit(store, member, "S001")  # committed after the read in flight began
    second = threading.Thread(target=pull, args=("second",))
    second.start()
    time.sleep(0.2)  # the second pull waits (for the read after the one in flight)
    hold.set()
    first.join(10)
    second.join(10)
    assert iid in pages["second"].decode()
    assert pages["second"] == _fresh(store, "S001", head)
    assert follower.reads >= 2


def test_pulls_arriving_together_share_a_read(
    any_hub: HubHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty pulls of two stores arriving while a read runs all wait for the one next read:
    two reads serve them all, and each page is the database's."""
    store = any_hub.store
    tails = _followed(store)
    heads = {s: _tailed(store, s) for s in ("S001", "S002")}
    follower = tails.follower
    assert follower is not None
    read = ChainFollower._read
    hold, taken = threading.Event(), threading.Event()

    def slow(self: ChainFollower, view: FollowView | None) -> FollowView:
        if not taken.is_set():
            taken.set()
            assert hold.wait(10)
        return read(self, view)

    monkeypatch.setattr(ChainFollower, "_read", slow)
    for s in heads:
        _visit(store, store.members.ids(s, limit=1)[0], s)
    reads = follower.reads
    pages: list[tuple[str, bytes]] = []
    blocker = threading.Thread(target=store.feed.changes_json, args=("S001", heads["S001"], 1000))
    blocker.start()
    assert taken.wait(10)
    lock = threading.Lock()

    def pull(store_id: str) -> None:
        page = store.feed.changes_json(store_id, heads[store_id], 1000)
        with lock:
            pages.append((store_id, page))

    pullers = [threading.Thread(target=pull, args=(s,)) for s in ("S001", "S002") * 10]
    for th in pullers:
        th.start()
    time.sleep(0.3)
    hold.set()
    for th in [blocker, *pullers]:
        th.join(10)
    assert len(pages) == 20
    assert follower.reads - reads == 2, follower.reads - reads
    for s, page in pages:
        assert page == _fresh(store, s, heads[s])


def test_a_key_logged_again_for_another_store_between_two_reads_is_not_kept(
    any_hub: HubHandle,
) -> None:
    """A visit of the tail's store seen by one read of the follower and logged again for
    another store before the next (its first change row dropped): a tail that takes both
    reads' rows after its pull drops it — the key's newer row stands for it, as in the
    database's page."""
    store = any_hub.store
    tails = _followed(store)
    head = _tailed(store, "S001")
    other = _tailed(store, "S002")
    member = store.members.ids("S001", limit=1)[0]
    iid = _visit(store, member, "S001")
    store.feed.changes_json("S002", other, 1000)  # a read: the visit's row for S001 seen
    with store.write() as tx:  # logged again for S002: S001's row dropped
        tx.conn.execute("UPDATE visits SET store_id = 'S002' WHERE id = ?", (iid,))
        tx.emit("visit", iid, "upsert", "S002")
    store.feed.changes_json("S002", other, 1000)  # the next read: its row for S002
    followed = tails.followed
    got = store.feed.changes_json("S001", head, 1000)
    assert got == _fresh(store, "S001", head)
    assert iid not in got.decode()
    assert tails.followed == followed + 1  # from the follower's rows, no read of its own


def test_on_the_event_loop_a_key_logged_again_for_another_store_between_reads_is_not_kept(
    any_hub: HubHandle,
) -> None:
    """The same on the event loop, where the tail reads the chunks' indexes (each store's
    rows, their keys) rather than the rows: the visit's row in the first chunk is dropped by
    its key in the second, for another store — and a visit logged twice for the tail's own
    store keeps its newer row."""
    store = any_hub.store
    tails = _followed(store)
    head = _tailed(store, "S001")
    other = _tailed(store, "S002")
    member = store.members.ids("S001", limit=1)[0]
    moved = _visit(store, member, "S001")
    twice = _visit(store, member, "S001")
    store.feed.changes_json("S002", other, 1000)  # a read: both visits' rows for S001 seen
    with store.write() as tx:  # one logged again for S002, one for S001: the first rows dropped
        tx.conn.execute("UPDATE visits SET store_id = 'S002' WHERE id = ?", (moved,))
        tx.emit("visit", moved, "upsert", "S002")
        tx.conn.execute("UPDATE visits SET text = 'walk-in again' WHERE id = ?", (twice,))
        tx.emit("visit", twice, "upsert", "S001")
    store.feed.changes_json("S002", other, 1000)  # the next read: their newer rows
    followed = tails.followed
    got = asyncio.run(store.feed.changes_json_async("S001", head, 1000))
    assert got is not None  # on the loop, from the follower's rows
    assert got == _fresh(store, "S001", head)
    assert moved not in got.decode() and got.decode().count(f'"key":"{twice}"') == 1
    assert tails.followed == followed + 1


def test_a_key_the_tail_holds_logged_again_elsewhere_leaves_it(any_hub: HubHandle) -> None:
    """A visit in the tail logged again for another store (from another hub process): the
    tail does not keep it."""
    store = any_hub.store
    _followed(store)
    b = HubStore.open(store.db)
    try:
        head = _tailed(store, "S001")
        member = store.members.ids("S001", limit=1)[0]
        iid = _visit(b, member, "S001")  # another process's write: seen
        assert iid in store.feed.changes_json("S001", head, 1000).decode()
        with b.write() as tx:
            tx.conn.execute("UPDATE visits SET store_id = 'S002' WHERE id = ?", (iid,))
            tx.emit("visit", iid, "upsert", "S002")
        got = store.feed.changes_json("S001", head, 1000)
        assert got == _fresh(store, "S001", head)
        assert iid not in got.decode()
    finally:
        b.close()


def test_a_tailed_stores_pull_is_answered_on_the_event_loop(any_hub: HubHandle) -> None:
    """:meth:`ChangeFeed.changes_json_async` answers a tailed store's pull from the
    follower's rows with no thread, the database's page; None where a read of its own is
    needed (another entity's change), which the thread's way then answers."""
    store = any_hub.store
    tails = _followed(store)
    head = _tailed(store, "S001")
    member = store.members.ids("S001", limit=1)[0]

    async def pulls() -> list[bytes | None]:
        out: list[bytes | None] = []
        for _ in range(3):
            iid = _visit(store, member, "S001")
            got = await store.feed.changes_json_async("S001", head, 1000)
            assert got is not None and iid in got.decode()
            assert got == _fresh(store, "S001", head)
            out.append(got)
        with store.write() as tx:  # a member's change: the tail reads its other entries
            tx.conn.execute("UPDATE members SET points = points + 1 WHERE id = ?", (member,))
            tx.emit("member", member, "upsert", "S001")
        out.append(await store.feed.changes_json_async("S001", head, 1000))
        return out

    hits = tails.hits
    got = asyncio.run(pulls())
    assert got[-1] is None
    assert tails.hits == hits + 3
    assert store.feed.changes_json("S001", head, 1000) == _fresh(store, "S001", head)


def test_pulls_over_http_come_from_the_follower(any_hub: HubHandle) -> None:
    """Terminals pulling through the hub's fast path while visits land get the database's
    pages, most of them answered from the follower's rows."""
    store = any_hub.store
    tails = _followed(store)
    head = _tailed(store, "S001")
    member = store.members.ids("S001", limit=1)[0]
    dev = any_hub.enrol("S001")
    with any_hub.client(dev["token"]) as client:
        for _ in range(8):
            iid = _visit(store, member, "S001")
            resp = client.get("/v1/changes", params={"since": head, "limit": 1000})
            assert resp.status_code == 200
            assert iid in resp.text
            assert resp.content == _fresh(store, "S001", head)
    assert tails.followed >= 8
    follower: Any = tails.follower
    assert follower.served >= 8


def test_the_tails_keep_within_their_characters(any_hub: HubHandle) -> None:
    """Tails are dropped, least recently pulled first, past the process's budget of rendered
    characters (the newest kept): with a follower a process may keep a tail for every store."""
    store = any_hub.store
    tails = store.feed.tails = StoreTails(store.feed, follower=True, max_chars=1)
    for s in ("S001", "S002", "S003"):
        _tailed(store, s)
    assert list(tails._tails) == ["S003"]
    roomy = store.feed.tails = StoreTails(store.feed, follower=True)
    for s in ("S001", "S002", "S003"):
        _tailed(store, s)
    assert len(roomy._tails) == 3
    assert roomy.max_stores > 64


def test_another_stores_device_never_gets_a_stores_visits_from_the_follower(
    any_hub: HubHandle,
) -> None:
    """Attack: a device of S002 pulls through the fast path, from the follower's rows (which
    carry every store's change rows), while S001's visits land — it gets its own store's
    visits and never one of S001's (the feed's rule: a store's own rows and the common ones)."""
    store = any_hub.store
    tails = _followed(store)
    theirs = _tailed(store, "S001")
    mine = _tailed(store, "S002")
    own_member = store.members.ids("S002", limit=1)[0]
    their_member = store.members.ids("S001", limit=1)[0]
    intruder = any_hub.enrol("S002")
    followed = tails.followed
    with any_hub.client(intruder["token"]) as client:
        for _ in range(6):
            their_visit = _visit(store, their_member, "S001")
            own_visit = _visit(store, own_member, "S002")
            for since in (mine, theirs):  # from its own cursor, and from S001's
                resp = client.get("/v1/changes", params={"since": since, "limit": 1000})
                assert resp.status_code == 200
                assert their_visit not in resp.text
                assert their_member not in resp.text
                if since == mine:
                    assert own_visit in resp.text
                    assert resp.content == _fresh(store, "S002", since)
    assert tails.followed > followed  # the follower's rows answered them
