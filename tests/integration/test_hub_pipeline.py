"""PostgreSQL round trips of a write (sync.hub.db): reads sent together in one pipeline after the
keyed locks they rely on, and a transaction's last writes sent with its commit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sync.hub.errors import StorageFailure
from sync.hub.store import HubStore

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_store(_pg_db: str) -> Iterator[HubStore]:
    store = HubStore.open(_pg_db)
    yield store
    store.close()


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
