"""Attack: writers in several hub "processes" (stores open on one database, each with its own
connections) hammer three stores' feeds while pollers follow them by cursor all along. A
poller's cursor must never pass a change that commits later below it: at the end every poller
has seen every change of its store (own and common), on SQLite and on PostgreSQL.

This is the contract any change to how sequence numbers are assigned (issue 20, item 2) must
keep. The other attacks here race every read-then-write check of the hub through two hub
processes at once (a coupon, a UnionID, the last points of a member, one phone signed up twice,
a task done and reassigned, a merge against an intake bind): each check must hold without
writers being serialised chain-wide.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
import pytest
from hub_client import make_interaction
from segment.analytics.client import Client as SegmentClient

from clerk.shared import phones
from sync.hub.db import KEYED_LOCKS_MAX
from sync.hub.embedded import HubHandle, running_hub
from sync.hub.errors import WriteRaced
from sync.hub.segment import identity
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


def test_change_rows_are_numbered_at_commit_in_commit_order(any_hub: HubHandle) -> None:
    """PostgreSQL: a change row is pending (a negative seq, below every cursor) until its
    transaction commits, then numbered above every seq committed before it. SQLite numbers it
    at once: its one writer commits in order."""
    store = any_hub.store
    with store.read() as conn:
        before = int(conn.scalar("SELECT max(seq) FROM changes"))
    with store.write() as tx:
        tx.emit("member", "numbered-1", "delete", "S001")
        tx.emit("member", "numbered-2", "delete", "S001")
        inside = [int(r[0]) for r in tx.conn.rows(
            "SELECT seq FROM changes WHERE key IN ('numbered-1', 'numbered-2') ORDER BY key"
        )]  # fmt: skip
        with store.read() as conn:  # another connection: nothing of it yet
            assert (
                conn.scalar(
                    "SELECT count(*) FROM changes WHERE key IN ('numbered-1', 'numbered-2')"
                )
                == 0
            )
    if store.dialect.name == "postgres":
        assert all(s < 0 for s in inside), inside
    with store.read() as conn:
        after = [int(r[0]) for r in conn.rows(
            "SELECT seq FROM changes WHERE key IN ('numbered-1', 'numbered-2') ORDER BY key"
        )]  # fmt: skip
        assert conn.scalar("SELECT count(*) FROM changes WHERE seq < 0") == 0
    assert before < after[0] < after[1], (before, after)  # in the order they were written


def test_numbering_at_commit_keeps_one_row_per_key_in_write_order(any_hub: HubHandle) -> None:
    """PostgreSQL: rows logged without dropping the key's older row first (``emit_many``: as
    when another writer logged the key meanwhile) leave one row per key once committed — the
    newest, numbered in the order written (the numbering at commit probes the pending rows'
    keys, it does not scan the table). SQLite's one writer drops them as it logs."""
    store = any_hub.store
    if store.dialect.name != "postgres":
        pytest.skip("numbering at commit is PostgreSQL's")
    keys = [f"renum-{i}" for i in range(50)]
    with store.write() as tx:
        tx.emit_many([("S001", "member", k, "upsert") for k in keys])
    with store.read() as conn:
        first = dict(conn.rows("SELECT key, seq FROM changes WHERE key LIKE ?", ("renum-%",)))
    again = keys[::-1][:20]  # logged again, newest-written first
    with store.write() as tx:
        tx.emit_many([("S001", "member", k, "delete") for k in again])
    with store.read() as conn:
        rows = conn.rows(
            "SELECT key, seq, op FROM changes WHERE key LIKE ? ORDER BY seq", ("renum-%",)
        )
        assert conn.scalar("SELECT count(*) FROM changes WHERE seq < 0") == 0
    by_key: dict[str, list[tuple[int, str]]] = {}
    for key, seq, op in rows:
        by_key.setdefault(str(key), []).append((int(seq), str(op)))
    assert all(len(v) == 1 for v in by_key.values()), by_key
    assert sorted(by_key) == sorted(keys)
    top = max(first.values())
    renumbered = [str(r[0]) for r in rows if int(r[1]) > top]
    assert renumbered == again  # in the order written, above every row before them
    assert all(by_key[k][0][1] == "delete" for k in again)
    assert all(by_key[k][0] == (first[k], "upsert") for k in keys if k not in again)


def test_run_write_runs_a_raced_write_again_then_gives_up(any_hub: HubHandle) -> None:
    """A write that raced another (a deadlock, a serialisation failure) is run again from the
    start in a new transaction; what the failed attempts wrote is gone. After the last
    attempt the WriteRaced reaches the caller (a 503 with Retry-After)."""
    store = any_hub.store
    calls: list[int] = []

    def flaky(tx: Any) -> str:
        calls.append(1)
        tx.emit("member", f"raced-{len(calls)}", "delete", "S001")
        if len(calls) < 3:
            raise WriteRaced("raced")
        return "done"

    assert store.run_write(flaky) == "done" and len(calls) == 3
    with store.read() as conn:
        keys = [
            r[0]
            for r in conn.rows(
                "SELECT key FROM changes WHERE key IN ('raced-1', 'raced-2', 'raced-3')"
            )
        ]
    assert keys == ["raced-3"]

    def always(tx: Any) -> None:
        raise WriteRaced("raced")

    try:
        store.run_write(always, attempts=2)
    except WriteRaced as exc:
        assert exc.status == 503 and exc.retry_after == 1
    else:
        raise AssertionError("no WriteRaced after the last attempt")


def test_a_write_with_many_keys_takes_the_gate_alone_not_a_lock_each(any_hub: HubHandle) -> None:
    """Keyed locks are entries of PostgreSQL's shared lock table: past KEYED_LOCKS_MAX in one
    transaction (a Segment batch of thousands of calls) the write takes the write gate alone
    instead — a bounded number of locks — and goes through; so does a full batch of 500."""
    store = any_hub.store
    with store.write() as tx:
        tx.conn.lock(*(f"k:{n}" for n in range(KEYED_LOCKS_MAX * 4)))
        if store.dialect.name == "postgres":
            held = tx.conn.scalar(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND pid = pg_backend_pid()"
            )
            assert held <= 2, held  # the gate, shared then alone
    members = _s001_members(any_hub, 40)
    batch = [make_interaction("note", members[n % len(members)], text=f"n{n}") for n in range(500)]
    token = any_hub.enrol("S001", "till big")["token"]
    with any_hub.client(token, timeout=60) as client:
        resp = client.post("/v1/interactions", json={"interactions": batch})
    assert resp.status_code == 200, resp.text
    assert {r["status"] for r in resp.json()["results"]} == {"accepted"}


def test_a_waiting_long_poll_gets_a_change_of_another_process_once_numbered(
    any_hub: HubHandle,
) -> None:
    """A terminal waits on the live feed (``wait=20``) while another hub process has written a
    change for its store and not committed: the waiter is not answered with it (pending, not
    numbered) — and once it commits, the waiter is woken and gets it, numbered above its
    cursor."""
    token = any_hub.enrol("S001", "live till")["token"]
    with any_hub.client(token, timeout=40) as c:
        cursor = 0
        while True:
            doc = c.get("/v1/changes", params={"since": cursor, "limit": 5000}).json()
            cursor = doc["next_cursor"]
            if not doc["has_more"]:
                break
        answers: list[tuple[dict[str, Any], float]] = []

        def wait() -> None:
            resp = c.get("/v1/changes", params={"since": cursor, "wait": 20})
            answers.append((resp.json(), time.perf_counter()))

        other = HubStore.open(any_hub.db)
        try:
            waiter = threading.Thread(target=wait)
            with other.write() as tx:
                tx.emit("member", "live-pending", "delete", "S001")
                waiter.start()
                waiter.join(timeout=1.5)  # a few of the notifier's polls: nothing to answer
                assert waiter.is_alive() and not answers, answers
            committed = time.perf_counter()
            waiter.join(timeout=30)
        finally:
            other.close()
    ((doc, at),) = answers
    assert [(ch["key"], ch["op"]) for ch in doc["changes"]] == [("live-pending", "delete")]
    assert doc["changes"][0]["seq"] > cursor > 0 and doc["next_cursor"] > cursor
    assert at - committed < 5.0  # woken by the commit, not at the end of the 20 s wait


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


# --- two tills of one store, each on its own hub process, pushing at the same instant ----------

RACED = 5  # members (or phones, tasks) raced per batch: a wider window, still a bounded count


def _s001_members(hub: HubHandle, n: int, offset: int = 0) -> list[str]:
    with hub.store.read() as conn:
        return [
            str(r[0])
            for r in conn.rows(
                "SELECT id FROM members WHERE home_store = 'S001' ORDER BY id LIMIT ? OFFSET ?",
                (n, offset),
            )
        ]


def _race_pushes(
    hub: HubHandle, batches: tuple[list[dict[str, Any]], list[dict[str, Any]]]
) -> list[list[dict[str, Any]]]:
    """Push ``batches[0]`` through ``hub`` and ``batches[1]`` through a second hub process on
    the same database, both released at once; the per-item results of each."""
    with running_hub(hub.db) as other:
        tokens = [hub.enrol("S001", "till 1")["token"], other.enrol("S001", "till 2")["token"]]
        clients = [hub.client(tokens[0]), other.client(tokens[1])]
        answers: list[list[dict[str, Any]]] = [[], []]
        errors: list[BaseException] = []
        start = threading.Barrier(2)

        def push(i: int) -> None:
            try:
                start.wait(timeout=30)
                resp = clients[i].post("/v1/interactions", json={"interactions": batches[i]})
                assert resp.status_code == 200, resp.text
                answers[i] = resp.json()["results"]
            except BaseException as exc:
                errors.append(exc)

        try:
            threads = [threading.Thread(target=push, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
        finally:
            for c in clients:
                c.close()
    assert not errors, errors
    return answers


def test_the_last_points_redeemed_at_once_through_two_hub_processes(any_hub: HubHandle) -> None:
    """Two tills redeem a member's whole balance at the same instant: one redemption is
    accepted as usual, the other overdraws and is flagged ``points_overdraft``; the balance is
    what the ledger says (nothing lost to a read-then-write race)."""
    members = _s001_members(any_hub, RACED)
    with any_hub.store.write() as tx:
        for m in members:
            tx.conn.execute("UPDATE members SET points = 1000 WHERE id = ?", (m,))
    batches = tuple(
        [make_interaction("points_redeem", m, staff_id="A01", points=1000) for m in members]
        for _ in range(2)
    )
    answers = _race_pushes(any_hub, (batches[0], batches[1]))
    with any_hub.store.read() as conn:
        for n, m in enumerate(members):
            got = sorted((a[n]["status"], a[n]["reason"] or "") for a in answers)
            assert got == [("accepted", ""), ("conflict", "points_overdraft")], (m, answers)
            assert conn.scalar("SELECT points FROM members WHERE id = ?", (m,)) == -1000
            ledger = conn.rows(
                "SELECT points, balance FROM points_ledger WHERE member_id = ? "
                "AND kind = 'redeem' ORDER BY balance DESC",
                (m,),
            )
            assert ledger == [(-1000, 0), (-1000, -1000)], (m, ledger)


def test_one_phone_signed_up_at_once_through_two_hub_processes(any_hub: HubHandle) -> None:
    """Two tills sign the same numbers up at the same instant (each under its own provisional
    id): one member per number, the second sign-up joins them (``member_exists``)."""
    seal = any_hub.store.phone_seal_public
    numbers = [f"+86139{n:08d}" for n in range(55500001, 55500001 + RACED)]

    def signup(e164: str) -> dict[str, Any]:
        pid = "P-" + make_interaction("note")["id"]
        return make_interaction(
            "signup",
            None,
            staff_id="A01",
            provisional_id=pid,
            phone_sealed=phones.seal(seal, e164),
            name="林晓雯",
            consent_version="v1",
        )

    answers = _race_pushes(any_hub, ([signup(e) for e in numbers], [signup(e) for e in numbers]))
    with any_hub.store.read() as conn:
        for n, e164 in enumerate(numbers):
            got = sorted((a[n]["status"], a[n]["reason"] or "") for a in answers)
            assert got == [("accepted", ""), ("accepted", "member_exists")], (e164, answers)
            made = conn.rows("SELECT id FROM members WHERE phone = ?", (e164,))
            assert len(made) == 1, (e164, made)
            assert {a[n]["member_id"] for a in answers} == {made[0][0]}, answers


def test_a_task_done_and_reassigned_at_once_through_two_hub_processes(
    any_hub: HubHandle,
) -> None:
    """One till marks tasks done while another hands them back to the store at the same
    instant: whichever the hub takes second sees the other. Done first: the reassignment is
    ``task_closed`` and changes nothing; reassigned first: done still sets its outcome. Never
    both applied over each other (a done task with the reassignment's outcome)."""
    members = _s001_members(any_hub, RACED)
    due = int(time.time()) + 86400
    made = [
        make_interaction("task", m, staff_id="A01", title="call back", due_at=due, outreach=False)
        for m in members
    ]
    token = any_hub.enrol("S001", "till 0")["token"]
    with any_hub.client(token) as client:
        resp = client.post("/v1/interactions", json={"interactions": made})
        assert [r["status"] for r in resp.json()["results"]] == ["accepted"] * RACED, resp.text
    done = [
        make_interaction(
            "task_update", m, staff_id="A01", task_id=t["id"], action="done", outcome="called"
        )
        for m, t in zip(members, made, strict=True)
    ]
    back = [
        make_interaction(
            "task_update",
            m,
            staff_id="A01",
            task_id=t["id"],
            action="reassign",
            outcome="no_answer",
        )
        for m, t in zip(members, made, strict=True)
    ]
    answers = _race_pushes(any_hub, (done, back))
    with any_hub.store.read() as conn:
        for n, t in enumerate(made):
            assert (answers[0][n]["status"], answers[0][n]["reason"]) == ("accepted", None)
            assert answers[1][n]["status"] == "accepted", answers
            row = conn.row("SELECT state, outcome FROM tasks WHERE id = ?", (t["id"],))
            assert row == ("done", "called"), (t["id"], row, answers[1][n])


def test_a_merge_racing_an_intake_bind_leaves_no_identity_on_the_merged_member(
    any_hub: HubHandle,
) -> None:
    """A manager's merge of member B into A is under way in one hub process (not committed)
    when the Segment intake of another is told B's UnionID: once both are done the UnionID
    names A — never B, who no longer exists."""
    key = Sources(any_hub.store).add("shop-app", allow_provisional=False)[1]
    survivor, merged = _s001_members(any_hub, 2, offset=10)
    manager = HubStore.open(any_hub.db)
    errors: list[BaseException] = []

    def identify() -> None:
        try:
            app = SegmentClient(key, host=any_hub.url + "/segment", sync_mode=True, max_retries=0)
            app.identify(user_id=merged, traits={"unionid": "oU-merged"})
        except BaseException as exc:
            errors.append(exc)

    try:
        with manager.write() as tx:
            identity.merge(tx, survivor, merged, actor="test")
            intake = threading.Thread(target=identify)
            intake.start()
            intake.join(timeout=1.0)  # the intake binds now unless the merge holds it back
        intake.join(timeout=30)
    finally:
        manager.close()
    assert not errors, errors
    with any_hub.store.read() as conn:
        assert conn.scalar("SELECT count(*) FROM members WHERE id = ?", (merged,)) == 0
        bound = conn.rows("SELECT member_id FROM identities WHERE kind = 'unionid'")
        assert bound == [(survivor,)], bound
        orphans = conn.rows(
            "SELECT kind, value, member_id FROM identities i WHERE NOT EXISTS "
            "(SELECT 1 FROM members m WHERE m.id = i.member_id)"
        )
        assert orphans == [], orphans


# --- the Segment intake of two hub processes side by side (issue 16) ---------------------------


def _segment_post(hub: HubHandle, key: str, batch: list[dict[str, Any]]) -> dict[str, Any]:
    resp = httpx.post(
        hub.url + "/segment/v1/batch", json={"batch": batch}, auth=(key, ""), timeout=60
    )
    assert resp.status_code == 200, resp.text
    answer: dict[str, Any] = resp.json()
    return answer


def _consenting(hub: HubHandle, n: int) -> list[str]:
    """``n`` members of S001 with browsing consent (their views are kept)."""
    with hub.store.read() as conn:
        return [
            str(r[0])
            for r in conn.rows(
                "SELECT id FROM members WHERE home_store = 'S001' AND consent_browsing = 1 "
                "ORDER BY id LIMIT ?",
                (n,),
            )
        ]


def _shopping(members: list[str], skus: list[str], n: int, seed: int) -> list[dict[str, Any]]:
    calls = []
    for i in range(n):
        viewed = (i + seed) % 3 != 0
        calls.append(
            {
                "type": "track",
                "messageId": f"race-{seed}-{i}",
                "userId": members[(i * 7 + seed) % len(members)],
                "event": "Product Viewed" if viewed else "Product Added",
                "properties": {"sku": skus[(i + seed) % len(skus)], "price": 9.5},
            }
        )
    return calls


def test_one_segment_batch_sent_through_two_processes_at_once_is_taken_once(
    any_hub: HubHandle,
) -> None:
    """A sender's retry reaches another hub process while the first is still writing: every
    call is taken once — accepted by one, a duplicate for the other (the message ids are not
    locked: the second meets the first's rows and is run again) — and no browse event twice."""
    key = Sources(any_hub.store).add("shop-app")[1]
    members = _consenting(any_hub, 10)
    with any_hub.store.read() as conn:
        skus = [str(r[0]) for r in conn.rows("SELECT sku FROM products ORDER BY sku LIMIT 5")]
        browsed = int(conn.scalar("SELECT count(*) FROM browse_events"))
    batch = _shopping(members, skus, 60, seed=1)
    with running_hub(any_hub.db) as other:
        hubs = [any_hub, other]
        start = threading.Barrier(2)
        answers: list[dict[str, Any]] = [{}, {}]
        errors: list[BaseException] = []

        def send(i: int) -> None:
            try:
                start.wait(timeout=30)
                answers[i] = _segment_post(hubs[i], key, batch)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not errors, errors
    assert sum(a["accepted"] for a in answers) == 60, answers
    assert sum(a["duplicates"] for a in answers) == 60, answers
    views = sum(1 for c in batch if c["event"] == "Product Viewed")
    with any_hub.store.read() as conn:
        assert conn.scalar("SELECT count(*) FROM intake_message_keys") == 60
        assert conn.scalar("SELECT count(*) FROM browse_events") == browsed + views


def test_segment_batches_about_the_same_members_through_two_processes_all_go_in(
    any_hub: HubHandle,
) -> None:
    """Senders post batches about the same members through two hub processes at once (their
    tracks share the userIds' keyed locks, their cart lines each take their own): every call
    goes in, browse ids never clash, each (member, sku) keeps one cart line."""
    key = Sources(any_hub.store).add("shop-app")[1]
    members = _consenting(any_hub, 12)
    with any_hub.store.read() as conn:
        skus = [str(r[0]) for r in conn.rows("SELECT sku FROM products ORDER BY sku LIMIT 4")]
        browsed = int(conn.scalar("SELECT count(*) FROM browse_events"))
    work = [[_shopping(members, skus, 40, seed=s * 10 + b) for b in range(4)] for s in range(4)]
    with running_hub(any_hub.db) as other:
        hubs = [any_hub, other]
        start = threading.Barrier(len(work))
        taken = [0] * len(work)
        errors: list[BaseException] = []

        def sender(i: int) -> None:
            try:
                start.wait(timeout=30)
                for batch in work[i]:
                    taken[i] += _segment_post(hubs[i % 2], key, batch)["accepted"]
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=sender, args=(i,)) for i in range(len(work))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert not errors, errors
    calls = [c for sender in work for batch in sender for c in batch]
    assert sum(taken) == len(calls)
    views = sum(1 for c in calls if c["event"] == "Product Viewed")
    with any_hub.store.read() as conn:
        assert conn.scalar("SELECT count(*) FROM browse_events") == browsed + views
        lines = conn.rows(
            "SELECT member_id, sku, count(*) FROM cart_items WHERE substr(id, 1, 3) = 'oc-' "
            "AND state IN ('open', 'removed') GROUP BY member_id, sku HAVING count(*) > 1"
        )
        assert lines == [], lines
