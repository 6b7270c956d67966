"""Group commit of the terminals' pushes on PostgreSQL (sync.hub.ingest.Ingest over
sync.hub.commits.GroupCommit): pushes that arrive while a group is committing join the next one —
one transaction, one numbering under the chain-wide lock, one WAL flush — each push still
succeeding or failing alone and answered only once its group committed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
import pytest
from hub_client import make_interaction

from sync.hub import ingest as ingest_mod
from sync.hub.db import ADVISORY_LOCK_ID
from sync.hub.devices import Device
from sync.hub.errors import BusyError
from sync.hub.ingest import PG_COMMITTERS, Batch, Ingest, Result, parse_items
from sync.hub.store import HubStore

pytestmark = pytest.mark.postgres


def _wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        threading.Event().wait(0.002)


def _devices(store: HubStore, n: int) -> list[Device]:
    out = []
    for k in range(n):
        store_id = ("S001", "S002", "S003")[k % 3]
        code = store.devices.create_enrol_code(store_id)
        device, _secret = store.devices.enroll(store_id, code, f"counter-{k}")
        out.append(device)
    return out


def _member_of(store: HubStore, store_id: str) -> str:
    with store.read() as conn:
        return str(conn.scalar("SELECT min(id) FROM members WHERE home_store = ?", (store_id,)))


def _visits(store: HubStore, device: Device, n: int, text: str) -> list[dict[str, Any]]:
    member = _member_of(store, device.store_id)
    staff = f"A{int(device.store_id[1:]) - 1}1"  # an associate of the store (S002: A11)
    return [
        make_interaction("visit", member, device_seq=k + 1, staff_id=staff, text=f"{text} {k}")
        for k in range(n)
    ]


def _stored(store: HubStore, ids: Sequence[str]) -> dict[str, int]:
    """How many interactions rows, and visit change rows numbered, each id has."""
    with store.read() as conn:
        rows = conn.rows(
            "SELECT i.id, count(*), (SELECT count(*) FROM changes c WHERE c.entity = 'visit' "
            "AND c.key = i.id AND c.seq > 0) FROM interactions i WHERE i.id = ANY(?) GROUP BY i.id",
            (list(ids),),
        )
    assert all(int(r[2]) == 1 for r in rows), rows  # each visit in the feed once, numbered
    return {str(r[0]): int(r[1]) for r in rows}


class _Counting:
    """A psycopg connection that counts the messages sent through ``execute``."""

    def __init__(self, wrapped: Any) -> None:
        self._wrapped = wrapped
        self.sent: list[str] = []

    def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        self.sent.append(str(query)[:60])
        return self._wrapped.execute(query, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapped, name)


def test_a_group_of_pushes_is_one_transaction_numbered_in_write_order(
    pg_store: HubStore,
) -> None:
    devices = _devices(pg_store, 3)
    now = int(time.time())
    raw = [_visits(pg_store, d, 4, d.name) for d in devices]
    take = Ingest(pg_store)
    assert take.committer is not None  # PostgreSQL groups pushes too
    writer = pg_store._idle_writers[0]
    counting = _Counting(writer._raw)
    writer._raw = counting
    out = take.committer.write_group(
        [Batch(d, parse_items(r), now) for d, r in zip(devices, raw, strict=True)]
    )
    assert [[r.status for r in rs] for rs in out if isinstance(rs, list)] == [["accepted"] * 4] * 3
    # the group's locks with the first batch's reads; each later batch's reads carry the rows
    # of the one before; the last batch's rows; the numbering and COMMIT: 3 + 2 messages (a
    # batch alone is 3: tests/integration/test_hub_pipeline.py)
    assert len(counting.sent) == 5, counting.sent
    ids = [i["id"] for r in raw for i in r]
    assert _stored(pg_store, ids) == dict.fromkeys(ids, 1)
    with pg_store.read() as conn:
        seqs = dict(
            conn.rows(
                "SELECT key, seq FROM changes WHERE entity = 'visit' AND key = ANY(?)", (ids,)
            )
        )
    assert sorted(ids, key=lambda i: seqs[i]) == ids  # the feed in the order they were written


def test_a_failing_push_fails_alone_and_the_rest_of_its_group_is_written(
    pg_store: HubStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    devices = _devices(pg_store, 3)
    now = int(time.time())
    good_a = _visits(pg_store, devices[0], 2, "before")
    bad = _visits(pg_store, devices[1], 2, "bad")
    good_b = _visits(pg_store, devices[2], 2, "after")
    real_one = ingest_mod._Batch.one

    def one(self: Any, item: Any) -> Result:
        if item.head.id == bad[1]["id"]:
            raise RuntimeError("a batch that raises")
        return real_one(self, item)

    monkeypatch.setattr(ingest_mod._Batch, "one", one)
    take = Ingest(pg_store)
    assert take.committer is not None
    out = take.committer.write_group(
        [
            Batch(devices[0], parse_items(good_a), now),
            Batch(devices[1], parse_items(bad), now),
            Batch(devices[2], parse_items(good_b), now),
        ]
    )
    assert isinstance(out[1], RuntimeError)
    for n in (0, 2):
        answer = out[n]
        assert isinstance(answer, list) and [r.status for r in answer] == ["accepted"] * 2
    ids = [i["id"] for i in good_a + bad + good_b]
    stored = _stored(pg_store, ids)
    assert stored == {i["id"]: 1 for i in good_a + good_b}  # nothing of the failed batch


class _ChainLock:
    """The chain-wide lock held by another session: a group's commit waits at its numbering."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)

    def __enter__(self) -> _ChainLock:
        self.conn.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_ID,))
        return self

    def waiting(self) -> list[int]:
        """The sessions of this database waiting for a lock (the groups at their commit)."""
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        ).fetchall()
        return [int(r[0]) for r in rows]

    def __exit__(self, *exc: object) -> None:
        self.conn.execute("SELECT pg_advisory_unlock_all()")
        self.conn.close()


def _submit(
    take: Ingest, jobs: Sequence[tuple[Device, list[dict[str, Any]]]]
) -> tuple[list[threading.Thread], list[Any]]:
    """Each job pushed from a thread of its own, in order, each after the one before is taken
    or queued; the threads and their answers (None: not answered yet)."""
    committer = take.committer
    assert committer is not None
    answers: list[Any] = [None] * len(jobs)

    def send(n: int, device: Device, items: list[dict[str, Any]]) -> None:
        try:
            answers[n] = take(device, parse_items(items))
        except BaseException as exc:  # handed to the test
            answers[n] = exc

    threads = []
    for n, (device, items) in enumerate(jobs):
        t = threading.Thread(target=send, args=(n, device, items))
        t.start()
        threads.append(t)
        if n < PG_COMMITTERS:  # a group of its own, at its commit
            _wait_until(lambda n=n: committer.leaders() == n + 1 and committer.queued() == 0)
        else:
            _wait_until(lambda n=n: committer.queued() == n + 1 - PG_COMMITTERS)
    return threads, answers


def test_pushes_are_answered_only_after_their_group_committed(pg_store: HubStore) -> None:
    devices = _devices(pg_store, 6)
    jobs = [(d, _visits(pg_store, d, 3, d.name)) for d in devices]
    ids = [i["id"] for _d, items in jobs for i in items]
    take = Ingest(pg_store)
    assert take.committer is not None
    with _ChainLock(pg_store.db) as lock:
        threads, answers = _submit(take, jobs)
        _wait_until(lambda: len(lock.waiting()) == PG_COMMITTERS)
        time.sleep(0.2)
        assert answers == [None] * len(jobs)  # nothing answered before its commit
        assert _stored(pg_store, ids) == {}  # nor visible
    for t in threads:
        t.join(timeout=30)
        assert not t.is_alive()
    for answer in answers:
        assert isinstance(answer, list) and [r.status for r in answer] == ["accepted"] * 3
    # the first two alone, the four queued behind them in one group
    assert (take.committer.groups, take.committer.jobs) == (PG_COMMITTERS + 1, len(jobs))
    assert _stored(pg_store, ids) == dict.fromkeys(ids, 1)


def test_a_hub_killed_mid_group_loses_nothing_it_acknowledged(pg_store: HubStore) -> None:
    devices = _devices(pg_store, PG_COMMITTERS + 4)
    first = (devices[0], _visits(pg_store, devices[0], 2, "acknowledged"))
    jobs = [(d, _visits(pg_store, d, 3, d.name)) for d in devices[1:]]
    take = Ingest(pg_store)
    assert [r.status for r in take(first[0], parse_items(first[1]))] == ["accepted"] * 2
    with _ChainLock(pg_store.db) as lock:
        threads, answers = _submit(take, jobs)  # PG_COMMITTERS groups of one, 3 queued
        _wait_until(lambda: len(lock.waiting()) == PG_COMMITTERS)
        for pid in lock.waiting():  # the hub's writers die at their commit
            lock.conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        _wait_until(lambda: all(a is not None for a in answers[:PG_COMMITTERS]))
        _wait_until(lambda: len(lock.waiting()) == 1)  # the 3 queued: one group, at its commit
        assert take.committer is not None and take.committer.queued() == 0
        lock.conn.execute("SELECT pg_terminate_backend(%s)", (lock.waiting()[0],))
    for t in threads:
        t.join(timeout=30)
        assert not t.is_alive()
    ids = [i["id"] for _d, items in jobs for i in items]
    acknowledged = [
        i["id"]
        for (_d, items), a in zip(jobs, answers, strict=True)
        if isinstance(a, list)
        for i in items
    ]
    for a in answers:  # every group killed at its commit: each of its pushes a 503, retried
        assert isinstance(a, BusyError)
    stored = _stored(pg_store, ids)
    assert set(acknowledged) <= set(stored)  # what was answered is there
    assert set(stored) <= set(acknowledged)  # nothing the terminal will send again
    assert _stored(pg_store, [i["id"] for i in first[1]]) == {i["id"]: 1 for i in first[1]}
    again = HubStore.open(pg_store.db)  # the hub started again; the terminals send it all again
    try:
        retake = Ingest(again)
        for device, items in [first, *jobs]:
            assert [r.status for r in retake(device, parse_items(items))] == ["accepted"] * len(
                items
            )
        every = [i["id"] for i in first[1]] + ids
        assert _stored(again, every) == dict.fromkeys(every, 1)
    finally:
        again.close()
