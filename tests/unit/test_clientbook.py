"""The client book and the task list offline: from cache.db and outbox.db alone."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from clerk import cache as cache_mod
from clerk import clientbook, tasks
from clerk import outbox as outbox_mod
from clerk.shared.interactions import Assign

NOW = int(datetime(2026, 12, 6, 10, 0).timestamp())
DAY = 86_400


def _member(mid: str, name: str, **extra: Any) -> dict[str, Any]:
    data = {
        "id": mid,
        "code_id": int(mid[1:]),
        "name": name,
        "tier": "gold",
        "points": 0,
        "consent_marketing": 1,
        "consent_browsing": 1,
        "tags": [],
        "home_store": "S001",
        "last_seen": NOW - DAY,
        "updated_at": NOW,
    }
    data.update(extra)
    return {"entity": "member", "op": "upsert", "key": mid, "data": data}


def _row(entity: str, key: str, **data: Any) -> dict[str, Any]:
    return {"entity": entity, "op": "upsert", "key": key, "data": data}


@pytest.fixture
def files(tmp_path: Path) -> Iterator[tuple[sqlite3.Connection, sqlite3.Connection]]:
    cache = cache_mod.open_cache(tmp_path / "cache.db")
    outbox = outbox_mod.open_outbox(tmp_path / "outbox.db")
    birthday = (datetime.fromtimestamp(NOW) + timedelta(days=5)).strftime("1990-%m-%d")
    changes = [
        _member("M1", "林晓雯"),  # open task
        _member("M2", "陈静"),  # cart + coupon expiring
        _member("M3", "王磊", birthday=birthday),
        _member("M4", "赵敏", last_seen=NOW - 40 * DAY),
        _member("M5", "周杰"),  # nothing to say
        _member("M6", "孙丽"),  # another associate's
        _row("staff", "A01", id="A01", name="王芳", role="associate", active=1),
        _row("staff", "A02", id="A02", name="陈浩然", role="associate", active=1),
        _row(
            "cart",
            "C1",
            id="C1",
            member_id="M2",
            sku="S",
            qty=1,
            price_cents=1,
            added_at=NOW,
            state="open",
        ),
        _row(
            "coupon",
            "Q1",
            id="Q1",
            member_id="M2",
            title_zh="券",
            title_en="coupon",
            rule="amount",
            value=200,
            valid_from=NOW - DAY,
            expires_at=NOW + 2 * DAY,
            state="live",
        ),
        *[
            _row("assignment", m, member_id=m, store_id="S001", staff_id=s, assigned_at=NOW)
            for m, s in (("M1", "A01"), ("M2", "A01"), ("M3", "A01"), ("M4", "A01"))
        ],
        _row("assignment", "M6", member_id="M6", store_id="S001", staff_id="A02", assigned_at=1),
        _row(
            "task",
            "T1",
            id="T1",
            store_id="S001",
            member_id="M1",
            title="call when size 38 arrives",
            reason="manual",
            facts={},
            assignee="A01",
            due_at=NOW - 2 * DAY,
            state="open",
            outreach=1,
            created_at=NOW - 3 * DAY,
            updated_at=NOW - 3 * DAY,
        ),
    ]
    with cache:
        cache_mod.apply_changes(cache, changes)
    yield cache, outbox
    cache.close()
    outbox.close()


def test_my_customers_with_the_reason_to_reach_out_now(
    files: tuple[sqlite3.Connection, sqlite3.Connection],
) -> None:
    cache, outbox = files
    # a manager's assignment made here, not synced yet, counts at once
    outbox_mod.record(outbox, "assign", member_id="M5", staff_id="M01", payload=Assign.of("A01"))
    found = clientbook.my_customers(cache, outbox, "A01", now=NOW)
    assert [(c.member_id, c.reasons) for c in found] == [
        ("M1", ("open_task",)),
        ("M2", ("cart_coupon",)),
        ("M3", ("birthday",)),
        ("M4", ("inactive",)),
        ("M5", ()),
    ]
    assert found[0].task_due_at == NOW - 2 * DAY
    assert found[1].coupon_expires_at == NOW + 2 * DAY
    assert [c.member_id for c in clientbook.my_customers(cache, outbox, "A02", now=NOW)] == ["M6"]


def test_the_task_list_overlays_this_terminals_changes_and_escalates_offline(
    files: tuple[sqlite3.Connection, sqlite3.Connection],
) -> None:
    cache, outbox = files
    (t1,) = tasks.load(cache, outbox, now=NOW, staff_id="A01")
    assert t1.overdue and t1.escalated and not t1.pending and t1.member_name == "林晓雯"
    payload = tasks.new_task(cache, "M2", "message about the coupon", NOW + 2 * DAY, assignee="A01")
    made = outbox_mod.record(outbox, "task", member_id="M2", staff_id="A01", payload=payload)
    member, snooze = tasks.change(
        cache, outbox, "T1", "snooze", due_at=NOW + DAY, outcome="no_answer"
    )
    outbox_mod.record(outbox, "task_update", member_id=member, staff_id="A01", payload=snooze)
    shown = tasks.load(cache, outbox, now=NOW, staff_id="A01")
    assert [(t.id, t.pending, t.overdue, t.escalated) for t in shown] == [
        ("T1", True, False, False),
        (made.id, True, False, False),
    ]
    assert shown[0].outcome == "no_answer"
    assert tasks.load(cache, outbox, now=NOW, staff_id="A02") == []  # neither is theirs
    member, done = tasks.change(cache, outbox, made.id, "done", outcome="messaged")
    outbox_mod.record(outbox, "task_update", member_id=member, staff_id="A01", payload=done)
    assert [t.id for t in tasks.load(cache, outbox, now=NOW, state="done")] == [made.id]
    with pytest.raises(tasks.TaskError) as refused:
        tasks.change(cache, outbox, made.id, "done", outcome="called")
    assert refused.value.reason == "task_closed"
    with pytest.raises(tasks.TaskError) as refused:
        tasks.change(cache, outbox, "nope", "done", outcome="called")
    assert refused.value.reason == "unknown_task"
    with pytest.raises(tasks.TaskError) as refused:
        tasks.new_task(cache, "M2", "call", NOW, assignee="X9")
    assert refused.value.reason == "unknown_assignee"


def test_the_managers_figures_per_associate(
    files: tuple[sqlite3.Connection, sqlite3.Connection],
) -> None:
    cache, outbox = files
    store_task = tasks.new_task(cache, "M5", "ask about the fitting", NOW + DAY)
    outbox_mod.record(outbox, "task", member_id="M5", staff_id="A02", payload=store_task)
    made = outbox_mod.record(
        outbox,
        "task",
        member_id="M2",
        staff_id="A01",
        payload=tasks.new_task(cache, "M2", "message her", NOW, assignee="A02"),
    )
    member, done = tasks.change(cache, outbox, made.id, "done", outcome="messaged")
    outbox_mod.record(
        outbox, "task_update", member_id=member, staff_id="A02", payload=done, now=NOW
    )
    found = {f.staff_id: f for f in clientbook.figures(cache, outbox, now=NOW, since=NOW - 10)}
    a01, a02, store = found["A01"], found["A02"], found[None]
    assert (a01.clients, a01.open, a01.overdue, a01.escalated, a01.done) == (4, 1, 1, 1, 0)
    assert (a02.clients, a02.open, a02.overdue, a02.escalated, a02.done) == (1, 0, 0, 0, 1)
    assert (store.open, store.overdue, store.done) == (1, 0, 0)
    assert a01.name == "王芳"
