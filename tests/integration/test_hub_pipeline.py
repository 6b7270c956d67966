"""PostgreSQL round trips of a write (sync.hub.db): reads sent together in one pipeline after the
keyed locks they rely on, and a transaction's last writes sent with its commit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from hub_client import make_interaction

from sync.hub.db import NotInlinable, pg_inline, pg_literal
from sync.hub.errors import InvalidInputError, StorageFailure
from sync.hub.ingest import ingest, parse_items
from sync.hub.store import HubStore

pytestmark = pytest.mark.postgres


def test_a_batch_of_reads_answers_each_query_in_order(pg_store: HubStore) -> None:
    with pg_store.read() as conn:
        found = conn.rows_batch(
            [
                ("SELECT 1, 'a'", ()),
                ("SELECT id FROM stores WHERE id = ?", ("S001",)),
                ("SELECT id FROM stores WHERE id = ?", ("nowhere",)),
                ("SELECT x FROM generate_series(1, ?) AS x ORDER BY x", (3,)),
            ]
        )
    assert found == [[(1, "a")], [("S001",)], [], [(1,), (2,), (3,)]]


def test_locked_reads_hold_the_keyed_locks_until_the_commit(pg_store: HubStore) -> None:
    with pg_store.write() as tx:
        found = tx.conn.locked_rows(
            ["m:one", "i:two"], [("SELECT id FROM stores WHERE id = ?", ("S002",))]
        )
        assert found == [[("S002",)]]
        with pg_store.read() as other:  # another session: both keys are held
            for key in ("m:one", "i:two"):
                taken = other.scalar("SELECT pg_try_advisory_lock(?, hashtext(?))", (0x0C1E, key))
                assert taken is False
        tx.conn.lock("m:one")  # held already: nothing sent, nothing waits
    with pg_store.read() as other:  # committed: released
        assert other.scalar("SELECT pg_try_advisory_lock(?, hashtext(?))", (0x0C1E, "m:one"))
        other.scalar("SELECT pg_advisory_unlock(?, hashtext(?))", (0x0C1E, "m:one"))


def test_writes_handed_to_the_commit_are_written_by_it_and_numbered(pg_store: HubStore) -> None:
    with pg_store.read() as conn:
        before = int(conn.scalar("SELECT max(seq) FROM changes"))
    sql = "INSERT INTO stores (id, name) VALUES (?, ?)"
    with pg_store.write() as tx:
        assert tx.conn.many_at_commit(sql, [("P01", "one"), ("P02", "two")])
        assert tx.conn.changes_at_commit([("P01", "staff", "x1", "upsert")])
        # not written yet, in this transaction or outside it
        assert tx.conn.scalar("SELECT count(*) FROM stores WHERE left(id, 2) = 'P0'") == 0
    with pg_store.read() as conn:
        assert conn.scalar("SELECT count(*) FROM stores WHERE left(id, 2) = 'P0'") == 2
        assert conn.rows("SELECT store_id, entity, key FROM changes WHERE seq > ?", (before,)) == [
            ("P01", "staff", "x1")
        ]


def test_a_failing_write_at_the_commit_fails_it_whole(pg_store: HubStore) -> None:
    sql = "INSERT INTO stores (id, name) VALUES (?, ?)"
    with pytest.raises(StorageFailure), pg_store.write() as tx:
        tx.conn.execute(sql, ("Q01", "written first"))
        tx.conn.many_at_commit(sql, [("Q02", "new"), ("S001", "a duplicate key")])
    with pg_store.read() as conn:
        assert conn.scalar("SELECT count(*) FROM stores WHERE left(id, 2) = 'Q0'") == 0
    with pg_store.write() as tx:  # the writer is usable again
        tx.conn.execute(sql, ("Q03", "after"))
    with pg_store.read() as conn:
        assert conn.scalar("SELECT count(*) FROM stores WHERE left(id, 2) = 'Q0'") == 1


def test_a_rolled_back_transaction_forgets_what_it_handed_to_the_commit(
    pg_store: HubStore,
) -> None:
    sql = "INSERT INTO stores (id, name) VALUES (?, ?)"
    with pytest.raises(RuntimeError), pg_store.write() as tx:
        tx.conn.many_at_commit(sql, [("R01", "never")])
        raise RuntimeError("the batch failed")
    with pg_store.write() as tx:
        tx.conn.execute(sql, ("R02", "next"))
    with pg_store.read() as conn:
        assert conn.rows("SELECT id FROM stores WHERE left(id, 2) = 'R0'") == [("R02",)]


class _Counting:
    """A driver connection that counts the messages sent to the server: an ``execute`` outside
    a pipeline, a pipeline (however many statements it carries)."""

    def __init__(self, raw: Any) -> None:
        self._wrapped = raw
        self._in_pipeline = 0
        self.sent: list[str] = []

    def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._in_pipeline:
            self.sent.append(str(query)[:60])
        return self._wrapped.execute(query, *args, **kwargs)

    @contextmanager
    def pipeline(self) -> Iterator[Any]:
        self.sent.append("pipeline")
        self._in_pipeline += 1
        try:
            with self._wrapped.pipeline() as p:
                yield p
        finally:
            self._in_pipeline -= 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapped, name)


def test_a_push_of_visits_is_three_round_trips(pg_store: HubStore) -> None:
    """The write gate and the keyed locks with the batch's reads, then its rows, then the
    numbering and the ``COMMIT``: three messages (four before: ``BEGIN``, the reads, the rows,
    the commit)."""
    code = pg_store.devices.create_enrol_code("S001")
    device, _secret = pg_store.devices.enroll("S001", code, "counter")
    with pg_store.read() as conn:
        member = str(conn.scalar("SELECT min(id) FROM members WHERE home_store = 'S001'"))
    items = [
        make_interaction("visit", member, device_seq=n, text=f"it's a \\ {n} 'quoted' ✓")
        for n in range(1, 6)
    ]
    writer = pg_store._idle_writers[0]  # the one writer connection, idle between writes
    counting = _Counting(writer._raw)
    writer._raw = counting
    results = ingest(pg_store, device, parse_items(items))
    assert [r.status for r in results] == ["accepted"] * 5
    assert len(counting.sent) == 3, counting.sent
    with pg_store.read() as conn:
        texts = conn.rows(
            "SELECT payload FROM interactions WHERE id IN (?, ?, ?, ?, ?) ORDER BY device_seq",
            [i["id"] for i in items],
        )
        numbered = conn.scalar(
            "SELECT count(*) FROM changes WHERE entity = 'visit' AND seq > 0 AND key IN "
            "(?, ?, ?, ?, ?)",
            [i["id"] for i in items],
        )
    assert [json.loads(t[0])["text"] for t in texts] == [i["payload"]["text"] for i in items]
    assert numbered == 5
    counting.sent.clear()  # the same batch again: the first answers, nothing written
    again = ingest(pg_store, device, parse_items(items))
    assert again == results
    assert len(counting.sent) == 2, counting.sent


@pytest.mark.parametrize(
    "value",
    [
        None,
        0,
        -(2**63),
        2**63 - 1,
        True,
        False,
        1.5,
        -2.25e-7,
        "",
        "plain",
        "it's",
        "back\\slash and 'quote'",
        "\\'; SELECT 1; --",
        "二〇二六年 ✓ \U0001f600",
        "?",
    ],
)
def test_values_written_in_as_literals_read_back_as_sent(pg_store: HubStore, value: Any) -> None:
    with pg_store.write() as tx:
        found = tx.conn.rows_batch([("SELECT ?, ?", (value, "after"))])
    assert found == [[(value, "after")]]
    assert pg_literal(value) != "" and "?" not in pg_inline("SELECT ?", (1,))


def test_a_nul_in_a_literal_is_refused_as_a_parameter_would_be(pg_store: HubStore) -> None:
    sql = "INSERT INTO stores (id, name) VALUES (?, ?)"
    with pytest.raises(InvalidInputError), pg_store.write() as tx:
        tx.conn.rows_batch([("SELECT ?", ("a\x00b",))])
    with pytest.raises(InvalidInputError), pg_store.write() as tx:
        tx.conn.many_at_commit(sql, [("N01", "a\x00b")])
    with pg_store.write() as tx:  # the writer is usable again
        tx.conn.execute(sql, ("N02", "after"))
    with pg_store.read() as conn:
        assert conn.rows("SELECT id FROM stores WHERE left(id, 2) = 'N0'") == [("N02",)]


def test_values_that_are_not_literals_go_as_parameters(pg_store: HubStore) -> None:
    sql = "INSERT INTO stores (id, name) VALUES (?, ?)"
    with pg_store.write() as tx:
        found = tx.conn.rows_batch([("SELECT length(?)", (b"\x00\x01",))])
        tx.conn.many_at_commit(sql, [("B01", "bytes next"), ("B02", Decimal("1.10"))])
    assert found == [[(2,)]]
    with pg_store.read() as conn:
        assert conn.rows("SELECT id, name FROM stores WHERE left(id, 2) = 'B0' ORDER BY id") == [
            ("B01", "bytes next"),
            ("B02", "1.10"),
        ]
    with pytest.raises(NotInlinable):
        pg_literal(float("nan"))


def test_a_write_that_sends_nothing_commits_without_a_round_trip(pg_store: HubStore) -> None:
    writer = pg_store._idle_writers[0]
    counting = _Counting(writer._raw)
    writer._raw = counting
    with pg_store.write():
        pass
    assert counting.sent == []
    with pg_store.write() as tx:  # and the next one begins as it should
        assert tx.conn.scalar("SELECT count(*) FROM stores WHERE id = ?", ("S001",)) == 1
    assert len(counting.sent) == 3  # the BEGIN with the gate, the read, the commit
