"""Group commit of interaction batches (SQLite): batches queued behind the writer are written in
one transaction, each as if alone, each answered after the group committed."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hub_client import make_interaction

from clerk.ids import uuid7_str
from clerk.shared.auditchain import GENESIS, row_hash
from demoworld import world
from sync.hub import ingest as ingest_mod
from sync.hub.devices import Device
from sync.hub.ingest import Batch, Ingest, Result, ingest, parse_items
from sync.hub.store import HubStore

# What a batch writes, dumped in a stable order (change rows by their sequence number).
_TABLES = {
    "interactions": "SELECT * FROM interactions ORDER BY id",
    "visits": "SELECT * FROM visits ORDER BY id",
    "changes": "SELECT seq, store_id, entity, key, op FROM changes ORDER BY seq",
    "coupons": "SELECT * FROM coupons ORDER BY id",
    "hub_audit": "SELECT * FROM hub_audit ORDER BY 1, 2",
    "audit_heads": "SELECT * FROM audit_heads ORDER BY 1",
    "audit_flags": "SELECT * FROM audit_flags ORDER BY 1, 2",
}


def _wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        threading.Event().wait(0.002)  # a poll, as qtbot.waitUntil does


def _enrol(store: HubStore, store_id: str, name: str) -> Device:
    code = store.devices.create_enrol_code(store_id)
    device, _secret = store.devices.enroll(store_id, code, name)
    return device


def _member_of(store: HubStore, store_id: str) -> str:
    with store.read() as conn:
        return str(conn.scalar("SELECT min(id) FROM members WHERE home_store = ?", (store_id,)))


def _audit_rows(n: int, now: int) -> list[dict[str, Any]]:
    out, prev = [], GENESIS
    for seq in range(1, n + 1):
        rid, at, detail = uuid7_str(), now - 60 + seq, {"k": seq}
        digest = row_hash(prev, seq, rid, at, "A01", "signin", detail)
        payload = {"seq": seq, "action": "signin", "detail": detail}
        payload |= {"prev_hash": prev, "hash": digest}
        out.append(make_interaction("audit", None, id=rid, created_at=at, device_seq=0, **payload))
        prev = digest
    return out


def _dump(store: HubStore) -> dict[str, list[tuple[Any, ...]]]:
    with store.read() as conn:
        return {name: [tuple(r) for r in conn.rows(sql, ())] for name, sql in _TABLES.items()}


@pytest.fixture
def two_copies(_sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[HubStore, HubStore]]:
    """Two identical seeded hub databases (the same devices enrolled in both)."""
    base = tmp_path / "base.db"
    shutil.copyfile(_sqlite_template, base)
    shutil.copyfile(f"{_sqlite_template}.keys", f"{base}.keys")
    store = HubStore.open(str(base))
    try:
        _enrol(store, "S001", "counter-1")
        _enrol(store, "S001", "counter-2")
        _enrol(store, "S002", "counter-1")
        with store.read() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    stores = []
    for name in ("grouped", "alone"):
        path = tmp_path / f"{name}.db"
        shutil.copyfile(base, path)
        shutil.copyfile(f"{base}.keys", f"{path}.keys")
        stores.append(HubStore.open(str(path)))
    try:
        yield stores[0], stores[1]
    finally:
        for s in stores:
            s.close()


def _devices(store: HubStore) -> list[Device]:
    with store.read() as conn:
        ids = [str(r[0]) for r in conn.rows("SELECT id FROM devices ORDER BY created_at, id", ())]
    return [store.devices.get(i) for i in ids]


def _batches(store: HubStore, devices: Sequence[Device], now: int) -> list[Batch]:
    """Batches from devices of two stores: visits and notes, the hero coupon redeemed twice
    (the second a conflict), a repeat of an earlier batch's item (a duplicate of it), a
    device_seq reused, audit rows, an unknown member."""
    s1a, s1b, s2 = sorted(devices, key=lambda d: (d.store_id, d.name))
    other = _member_of(store, "S002")
    redeem = make_interaction("redeem", device_seq=1, coupon_id=world.HERO_COUPON_ID)
    visit = make_interaction("visit", device_seq=2, text="walk-in", created_at=now - 5)
    raw: list[tuple[Device, list[dict[str, Any]]]] = [
        (s1a, [redeem, visit, make_interaction("note", device_seq=3, text="blue straps")]),
        (s2, [make_interaction("visit", other, device_seq=1, staff_id="A11", text="S002")]),
        (s1b, [make_interaction("redeem", device_seq=1, coupon_id=world.HERO_COUPON_ID)]),
        (s1a, [visit, make_interaction("note", device_seq=2, text="same seq, other id")]),
        (s2, _audit_rows(3, now)),
        (s1b, [make_interaction("note", "M99999999", device_seq=2, text="ghost")]),
    ]
    for _dev, items in raw:
        for item in items:
            item["created_at"] = min(item["created_at"], now)
    return [Batch(dev, parse_items(items), now) for dev, items in raw]


def test_a_group_writes_what_the_batches_write_one_by_one(
    two_copies: tuple[HubStore, HubStore],
) -> None:
    grouped, alone = two_copies
    now = int(time.time())
    batches = _batches(grouped, _devices(grouped), now)
    take = Ingest(grouped)
    together = grouped.run_write(lambda tx: take._apply_group(tx, batches))
    by_one = [ingest(alone, b.device, b.items, now=b.now) for b in _batches_of(alone, batches)]
    assert together == by_one
    statuses = [[r.status for r in rs] for rs in together]
    assert statuses[0] == ["accepted", "accepted", "accepted"]
    assert statuses[1] == ["accepted"]  # S002's device, S002's member
    assert statuses[2] == ["conflict"]  # the coupon, redeemed by the group's first batch
    assert statuses[3][0] == "accepted"  # the repeat: the first answer again, not doubled
    assert statuses[3][1] == "duplicate"  # device_seq 2 reused under another id
    assert statuses[5] == ["rejected"]
    assert _dump(grouped) == _dump(alone)  # rows, change sequence numbers and audit alike


def _batches_of(store: HubStore, batches: Sequence[Batch]) -> list[Batch]:
    """The same batches with ``store``'s device objects (ids are the same in both copies)."""
    return [Batch(store.devices.get(b.device.id), b.items, b.now) for b in batches]


def _queue_behind_the_writer(
    store: HubStore, take: Ingest, jobs: Sequence[tuple[Device, list[Any]]]
) -> list[list[Result] | BaseException]:
    """Submit ``jobs`` from threads while the writer is held, so that the first waits in its
    own group and the others queue; release the writer; the answers in job order."""
    answers: list[list[Result] | BaseException] = [[] for _ in jobs]
    committer = take.committer
    assert committer is not None

    def send(n: int, device: Device, items: list[Any]) -> None:
        try:
            answers[n] = take(device, items)
        except BaseException as exc:  # handed to the test
            answers[n] = exc

    threads = [
        threading.Thread(target=send, args=(n, dev, items)) for n, (dev, items) in enumerate(jobs)
    ]
    with store.write():  # the writer busy: the first batch's group waits for it
        threads[0].start()
        _wait_until(lambda: committer.queued() == 0 and committer.leaders() == 1)
        for t in threads[1:]:
            t.start()
        _wait_until(lambda: committer.queued() == len(jobs) - 1)
        assert all(a == [] for a in answers)  # nothing answered before its commit
    for t in threads:
        t.join(timeout=30)
        assert not t.is_alive()
    return answers


def test_batches_queued_behind_the_writer_share_one_transaction(
    two_copies: tuple[HubStore, HubStore],
) -> None:
    store, _other = two_copies
    now = int(time.time())
    batches = _batches(store, _devices(store), now)
    take = Ingest(store)
    jobs = [(b.device, list(b.items)) for b in batches[:3]]
    answers = _queue_behind_the_writer(store, take, jobs)
    assert take.committer is not None
    assert (take.committer.groups, take.committer.jobs) == (2, 3)  # the first alone, then 2
    for answer, (_device, items) in zip(answers, jobs, strict=True):
        assert isinstance(answer, list) and len(answer) == len(items)
    with store.read() as conn:
        stored = {
            str(r[0]): str(r[1]) for r in conn.rows("SELECT id, store_id FROM interactions", ())
        }
    for device, items in jobs:
        for item in items:
            assert stored[item.head.id] == device.store_id  # each batch its own device's store


def test_a_failing_batch_fails_alone_and_the_others_of_its_group_are_written(
    two_copies: tuple[HubStore, HubStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _other = two_copies
    devices = sorted(_devices(store), key=lambda d: (d.store_id, d.name))
    poison = make_interaction("note", device_seq=7, text="this one breaks the writer")
    real_one = ingest_mod._Batch.one

    def one(self: Any, item: Any) -> Result:
        if item.head.id == poison["id"]:
            raise RuntimeError("a batch that raises")
        return real_one(self, item)

    monkeypatch.setattr(ingest_mod._Batch, "one", one)
    first = [make_interaction("note", device_seq=1, text="leads")]
    good_a = [make_interaction("note", device_seq=2, text="before the bad one")]
    bad = [make_interaction("note", device_seq=6, text="in the bad batch"), poison]
    good_b = [make_interaction("visit", _member_of(store, "S002"), device_seq=1, staff_id="A11")]
    jobs = [
        (devices[0], parse_items(first)),
        (devices[1], parse_items(good_a)),
        (devices[0], parse_items(bad)),
        (devices[2], parse_items(good_b)),
    ]
    take = Ingest(store)
    answers = _queue_behind_the_writer(store, take, jobs)
    assert isinstance(answers[2], RuntimeError)
    for n in (0, 1, 3):
        answer = answers[n]
        assert isinstance(answer, list)
        assert [r.status for r in answer] == ["accepted"]
    with store.read() as conn:
        ids = {str(r[0]) for r in conn.rows("SELECT id FROM interactions", ())}
    assert {i["id"] for i in first + good_a + good_b} <= ids
    assert not {i["id"] for i in bad} & ids  # nothing of the failed batch


def test_a_batch_sent_twice_in_one_group_is_stored_once(
    two_copies: tuple[HubStore, HubStore],
) -> None:
    store, _other = two_copies
    device = sorted(_devices(store), key=lambda d: (d.store_id, d.name))[0]
    items = [make_interaction("visit", device_seq=1, text="retried while queued")]
    jobs = [
        (device, parse_items([make_interaction("note", device_seq=2, text="leads")])),
        (device, parse_items(items)),
        (device, parse_items(items)),
    ]
    answers = _queue_behind_the_writer(store, Ingest(store), jobs)
    assert answers[1] == answers[2]
    with store.read() as conn:
        n = conn.scalar("SELECT count(*) FROM interactions WHERE id = ?", (items[0]["id"],))
        visits = conn.scalar("SELECT count(*) FROM visits WHERE id = ?", (items[0]["id"],))
    assert (n, visits) == (1, 1)


def test_without_group_commit_each_batch_is_its_own_transaction(
    two_copies: tuple[HubStore, HubStore],
) -> None:
    store, _other = two_copies
    take = Ingest(store, group=False)  # CLERK_HUB_GROUP_COMMIT=0
    assert take.committer is None
    device = sorted(_devices(store), key=lambda d: (d.store_id, d.name))[0]
    items = [make_interaction("note", device_seq=1, text="alone")]
    assert [r.status for r in take(device, parse_items(items))] == ["accepted"]
    assert [r.status for r in take(device, parse_items(items))] == ["accepted"]  # the same answer
