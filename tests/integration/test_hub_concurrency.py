"""Attack: writers in several hub "processes" (stores open on one database, each with its own
connections) hammer three stores' feeds while pollers follow them by cursor all along. A
poller's cursor must never pass a change that commits later below it: at the end every poller
has seen every change of its store (own and common), on SQLite and on PostgreSQL.

This is the contract any change to how sequence numbers are assigned (issue 20, item 2) must
keep; it holds today through the chain-wide writer lock.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from hub_client import make_interaction
from segment.analytics.client import Client as SegmentClient

from sync.hub.embedded import HubHandle, running_hub
from sync.hub.segment.sources import Sources
from sync.hub.store import HubStore

STORES = ("S001", "S002", "S003")
PROCESSES = 3
WIDEN = 6  # round trips after the changes, before the commit
WRITERS = 8  # per process
TXS = 12  # per writer
PAGE = 7  # small pages: cursors move often


def _writer(store: HubStore, name: str, errors: list[BaseException]) -> None:
    try:
        for n in range(TXS):
            with store.write() as tx:
                for i in range(3):
                    target = STORES[(n + i) % 3] if (n + i) % 4 else None
                    tx.emit("member", f"{name}-{n}-{i}", "delete", target)
                # round trips inside the transaction widen the window between a change row
                # being written and its transaction committing
                for _ in range(WIDEN):
                    tx.conn.scalar("SELECT count(*) FROM stores")
    except BaseException as exc:  # reported by the test
        errors.append(exc)


def _poller(
    store: HubStore,
    store_id: str,
    seen: set[int],
    done: threading.Event,
    errors: list[BaseException],
) -> None:
    try:
        cursor = 0
        while True:
            finished = done.is_set()  # read before the page: the last pass sees every commit
            page = store.feed.changes(store_id, cursor, PAGE)
            for change in page.changes:
                assert change["seq"] > cursor
                seen.add(int(change["seq"]))
            cursor = page.next_cursor
            if finished and not page.has_more:
                return
    except BaseException as exc:
        errors.append(exc)


def test_feeds_never_skip_a_row_under_concurrent_writers(any_hub: HubHandle) -> None:
    base = any_hub.store
    with base.read() as conn:
        start = int(conn.scalar("SELECT coalesce(max(seq), 0) FROM changes"))
    procs = [HubStore.open(base.db) for _ in range(PROCESSES)]
    try:
        errors: list[BaseException] = []
        done = threading.Event()
        seen: dict[tuple[int, str], set[int]] = {}
        pollers = []
        for p, proc in enumerate(procs):
            for store_id in STORES:
                box = seen[(p, store_id)] = set()
                pollers.append(
                    threading.Thread(target=_poller, args=(proc, store_id, box, done, errors))
                )
        writers = [
            threading.Thread(target=_writer, args=(proc, f"p{p}w{w}", errors))
            for p, proc in enumerate(procs)
            for w in range(WRITERS)
        ]
        for t in pollers + writers:
            t.start()
        for t in writers:
            t.join(timeout=120)
        done.set()
        for t in pollers:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in pollers + writers)
        with base.read() as conn:
            for (p, store_id), got in seen.items():
                want = {
                    int(r[0])
                    for r in conn.rows(
                        "SELECT seq FROM changes WHERE seq > ? AND "
                        "(store_id = ? OR store_id IS NULL)",
                        (start, store_id),
                    )
                }
                assert len(want) >= PROCESSES * WRITERS * TXS * 3 // 4 // 3
                missed = sorted(want - {s for s in got if s > start})
                assert not missed, (p, store_id, missed[:10])
    finally:
        for proc in procs:
            proc.close()


def _follow(store: HubStore, store_id: str, cursor: int, seen: set[int]) -> int:
    while True:
        page = store.feed.changes(store_id, cursor, PAGE)
        seen.update(int(c["seq"]) for c in page.changes)
        cursor = page.next_cursor
        if not page.has_more:
            return cursor


def test_a_later_commit_never_hides_an_earlier_change_from_a_cursor(any_hub: HubHandle) -> None:
    """The race the hammering above looks for, forced: process A writes a change and has not
    committed; process B writes one and tries to commit; a terminal pulls; A commits. The
    terminal's next pull from its cursor finds A's change too (today B waits for A's lock;
    sequence numbers assigned at commit must keep this)."""
    base = any_hub.store
    a, b = HubStore.open(base.db), HubStore.open(base.db)
    try:
        cursor = _follow(base, "S001", 0, set())
        seen: set[int] = set()
        errors: list[BaseException] = []

        def write_b() -> None:
            try:
                with b.write() as tx:
                    tx.emit("member", "race-b", "delete", "S001")
            except BaseException as exc:
                errors.append(exc)

        with a.write() as tx:
            tx.emit("member", "race-a", "delete", "S001")
            other = threading.Thread(target=write_b)
            other.start()
            other.join(timeout=1.0)  # B commits now unless the chain's ordering holds it back
            cursor = _follow(base, "S001", cursor, seen)
        other.join(timeout=30)
        assert not errors, errors
        _follow(base, "S001", cursor, seen)
        with base.read() as conn:
            want = {
                int(r[0])
                for r in conn.rows(
                    "SELECT seq FROM changes WHERE entity = 'member' AND key IN (?, ?)",
                    ("race-a", "race-b"),
                )
            }
        assert len(want) == 2
        assert want <= seen, (want, seen)
    finally:
        a.close()
        b.close()


def _redeemer(member: dict[str, Any]) -> dict[str, Any]:
    return make_interaction("redeem", member["id"], staff_id="A01", coupon_id=member["coupon"])


def test_one_coupon_redeemed_at_once_through_two_hub_processes(any_hub: HubHandle) -> None:
    """Two tills of S001, each on its own hub process, redeem the same coupon at the same
    instant (and each also pushes one shared interaction id): exactly one redemption wins, the
    other is a conflict; the shared id is stored once."""
    with any_hub.store.read() as conn:
        member = conn.dicts(
            "SELECT m.id, c.id AS coupon FROM members m JOIN coupons c ON c.member_id = m.id "
            "AND c.state = 'live' AND c.valid_from < ? AND c.expires_at > ? "
            "WHERE m.home_store = 'S001' ORDER BY m.id, c.id LIMIT 1",
            (int(time.time()) - 600, int(time.time()) + 600),
        )[0]
    shared = make_interaction("note", member["id"], staff_id="A01", text="seen twice")
    with running_hub(any_hub.db) as other:
        tokens = [
            any_hub.enrol("S001", "till 1")["token"],
            any_hub.enrol("S001", "till 2")["token"],
        ]
        clients = [any_hub.client(tokens[0]), other.client(tokens[1])]
        answers: list[list[tuple[str, str | None]]] = [[], []]
        start = threading.Barrier(2)

        def push(i: int) -> None:
            start.wait(timeout=30)
            resp = clients[i].post(
                "/v1/interactions", json={"interactions": [_redeemer(member), shared]}
            )
            assert resp.status_code == 200, resp.text
            answers[i] = [(r["status"], r["reason"]) for r in resp.json()["results"]]

        try:
            threads = [threading.Thread(target=push, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
        finally:
            for c in clients:
                c.close()
    redeems = sorted(a[0] for a in answers if a)
    assert redeems == [("accepted", None), ("conflict", "coupon_already_used")], answers
    with any_hub.store.read() as conn:
        assert conn.scalar("SELECT count(*) FROM interactions WHERE id = ?", (shared["id"],)) == 1
        assert conn.row("SELECT state FROM coupons WHERE id = ?", (member["coupon"],)) == ("used",)


def test_two_members_claiming_one_unionid_at_once_through_two_processes(
    any_hub: HubHandle,
) -> None:
    """The Segment intake of two hub processes is told at the same instant that two members
    have one WeChat UnionID: it is bound to one of them, the other claim waits as one conflict
    (never two bindings, never a silent merge)."""
    key = Sources(any_hub.store).add("shop-app", allow_provisional=False)[1]
    with any_hub.store.read() as conn:
        a, b = (
            str(r[0])
            for r in conn.rows(
                "SELECT id FROM members WHERE home_store = 'S001' ORDER BY id LIMIT 2"
            )
        )
    with running_hub(any_hub.db) as other:
        hubs = [any_hub, other]
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def identify(i: int, member_id: str) -> None:
            try:
                app = SegmentClient(
                    key, host=hubs[i].url + "/segment", sync_mode=True, max_retries=0
                )
                start.wait(timeout=30)
                app.identify(user_id=member_id, traits={"unionid": "oU-raced"})
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=identify, args=(i, m)) for i, m in enumerate((a, b))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not errors, errors
    with any_hub.store.read() as conn:
        bound = conn.rows("SELECT member_id FROM identities WHERE kind = 'unionid'")
        conflicts = conn.rows("SELECT members FROM identity_conflicts WHERE resolved_at IS NULL")
    assert len(bound) == 1 and bound[0][0] in (a, b), bound
    assert len(conflicts) == 1 and json.loads(conflicts[0][0]) == sorted([a, b]), conflicts
