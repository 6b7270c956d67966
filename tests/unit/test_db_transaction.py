"""clerk.db.Transaction: nested transactions are savepoints — one commit, errors undo their part."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from clerk.db import Transaction, connect
from clerk.errors import StorageError


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    c = connect(tmp_path / "t.db", synchronous="FULL", key=None)
    c.execute("CREATE TABLE t (v TEXT NOT NULL UNIQUE)")
    return c


def values(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT v FROM t ORDER BY v")]


def test_nested_work_commits_with_the_outer_transaction(conn: sqlite3.Connection) -> None:
    with Transaction(conn):
        conn.execute("INSERT INTO t VALUES ('outer')")
        with Transaction(conn):
            conn.execute("INSERT INTO t VALUES ('inner')")
        assert conn.in_transaction  # still the outer one: nothing committed yet
    assert not conn.in_transaction
    assert values(conn) == ["inner", "outer"]


def test_a_failed_nested_part_is_undone_and_the_outer_may_go_on(conn: sqlite3.Connection) -> None:
    with Transaction(conn):
        conn.execute("INSERT INTO t VALUES ('a')")
        with pytest.raises(StorageError), Transaction(conn):
            conn.execute("INSERT INTO t VALUES ('b')")
            conn.execute("INSERT INTO t VALUES ('a')")  # UNIQUE violation
        conn.execute("INSERT INTO t VALUES ('c')")
    assert values(conn) == ["a", "c"]


def test_an_error_after_the_nested_part_rolls_back_everything(conn: sqlite3.Connection) -> None:
    with pytest.raises(RuntimeError), Transaction(conn):
        with Transaction(conn):
            conn.execute("INSERT INTO t VALUES ('inner')")
        raise RuntimeError("the caller failed after the nested part")
    assert values(conn) == []
    assert not conn.in_transaction
