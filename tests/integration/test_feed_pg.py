"""PostgreSQL round trips of a pull (sync.hub.feed): a page read whole, and a feed tail's growth,
in two messages each, their statements prepared by name on the read connection once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hub_client import make_interaction
from test_hub_pipeline import _Counting

from sync.hub.db import Conn
from sync.hub.errors import StorageFailure
from sync.hub.ingest import ingest, parse_items
from sync.hub.store import HubStore

pytestmark = pytest.mark.postgres


def _push_visits(store: HubStore, n: int, first_seq: int = 1) -> None:
    code = store.devices.create_enrol_code("S001")
    device, _secret = store.devices.enroll("S001", code, f"counter {first_seq}")
    with store.read() as conn:
        member = str(conn.scalar("SELECT min(id) FROM members WHERE home_store = 'S001'"))
    items = [
        make_interaction("visit", member, device_seq=first_seq + k, text=f"visit {first_seq + k}")
        for k in range(n)
    ]
    assert {r.status for r in ingest(store, device, parse_items(items))} == {"accepted"}


def _counted_reader(store: HubStore) -> _Counting:
    """The pool's one idle read connection, its messages counted (the pool is LIFO: every
    read of one thread takes it)."""
    with store.read() as conn:
        pass
    assert store._pg_pool.qsize() == 1
    counting = _Counting(conn._raw)
    conn._raw = counting
    return counting


def _newest(store: HubStore) -> int:
    with store.read() as conn:
        return int(conn.scalar("SELECT max(seq) FROM changes"))


def test_a_page_read_whole_is_two_round_trips_and_reads_as_before(pg_store: HubStore) -> None:
    since = _newest(pg_store)
    _push_visits(pg_store, 5)
    counting = _counted_reader(pg_store)
    pg_store.feed.changes_json("S001", 0, 1)  # the JSON function looked up, the statements
    assert [s.split(" ")[0] for s in counting.sent] == ["SELECT", "PREPARE", "BEGIN", "EXECUTE"]
    counting.sent.clear()  # prepared on this connection once
    body = pg_store.feed.changes_json("S001", since, 3)  # more follow: counted
    assert [s.split(" ")[0] for s in counting.sent] == ["BEGIN", "EXECUTE"]
    page = json.loads(body)
    assert [c["entity"] for c in page["changes"]] == ["visit"] * 3
    assert page["has_more"] is True and page["remaining"] == 2
    assert all(c["data"]["text"].startswith("visit ") for c in page["changes"])
    counting.sent.clear()  # the rest, a tail: prepared already, two messages
    rest = json.loads(pg_store.feed.changes_json("S001", page["next_cursor"], 3))
    assert len(counting.sent) == 2, counting.sent
    assert len(rest["changes"]) == 2 and rest["has_more"] is False and rest["remaining"] == 0
    assert rest["next_cursor"] == _newest(pg_store)
    again = pg_store.feed.changes_json("S001", page["next_cursor"], 3)  # now from its tail
    assert json.loads(again) == rest


def test_a_tail_grows_in_two_round_trips_after_its_check(pg_store: HubStore) -> None:
    since = _newest(pg_store)
    pg_store.feed.changes_json("S001", since, 100)  # read whole: the store's tail starts here
    _push_visits(pg_store, 1, first_seq=1)
    pg_store.feed.changes_json("S001", since, 100)  # the tail grown: its chain seq known
    _push_visits(pg_store, 4, first_seq=2)
    counting = _counted_reader(pg_store)
    hits = pg_store.feed.tails.hits
    page = json.loads(pg_store.feed.changes_json("S001", since, 100))
    # what every store logged since (no page cache validator first: the store has a tail),
    # then the tail's growth: the snapshot with the new change rows, the rows' JSON with the
    # COMMIT
    assert len(counting.sent) == 3, counting.sent
    assert pg_store.feed.tails.hits == hits + 1
    assert [c["data"]["text"] for c in page["changes"]] == [f"visit {k}" for k in range(1, 6)]


def test_a_failed_prepare_closes_the_connection(pg_store: HubStore) -> None:
    with pg_store.read() as conn:
        conn.prepare({"clerk_test_ok": "AS SELECT 1"})
        with pytest.raises(StorageFailure):
            conn.prepare({"clerk_test_bad": "AS SELECT * FROM no_such_table"})
        raw: Any = conn.raw
        assert raw.closed
    assert pg_store._pg_pool.qsize() == 0  # not put back
    with pg_store.read() as conn:  # a new one: nothing prepared on it
        assert isinstance(conn, Conn) and conn._prepared == set()
        assert (
            json.loads(pg_store.feed.changes_json("S001", _newest(pg_store), 10))["changes"] == []
        )
