"""clerk.db: SQLCipher at rest behind the sqlite3 interface, plaintext files converted in place."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from clerk import cache as cache_mod
from clerk import cipher, db, keystore
from clerk import outbox as outbox_mod
from clerk.db import Transaction, connect
from clerk.errors import CacheCorruptError, StorageError

SECRET = "Zhang Wei 张伟 +8613812345678"


def _raw(path: Path) -> bytes:
    out = b""
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            out += p.read_bytes()
    return out


def _plain_db(path: Path, rows: int = 50, *, wal: bool = True) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if wal:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        conn.executemany(
            "INSERT INTO t (name) VALUES (?)", [(f"{SECRET} {i}",) for i in range(rows)]
        )
        conn.execute("PRAGMA user_version = 7")
    finally:
        conn.close()


def test_files_are_encrypted_with_the_key_of_their_directory(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    conn = connect(path, synchronous="FULL")
    try:
        assert db.is_encrypted_connection(conn)
        conn.execute("CREATE TABLE t (name TEXT)")
        conn.execute("INSERT INTO t VALUES (?)", (SECRET,))
        assert SECRET.encode() not in _raw(path)  # WAL pages are encrypted too
    finally:
        conn.close()
    assert keystore.is_encrypted(path)
    assert (tmp_path / keystore.KEY_FILE).exists()
    again = connect(path, synchronous="NORMAL", readonly=True)
    try:
        assert again.execute("SELECT name FROM t").fetchone()["name"] == SECRET
    finally:
        again.close()
    assert SECRET.encode() not in _raw(path)


def test_key_none_is_plain_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    conn = connect(path, synchronous="NORMAL", key=None)
    try:
        assert not db.is_encrypted_connection(conn)
        conn.execute("CREATE TABLE t (name TEXT)")
    finally:
        conn.close()
    assert keystore.is_plaintext(path)
    assert not (tmp_path / keystore.KEY_FILE).exists()


def test_a_wrong_key_is_a_storage_error_and_a_cache_rebuild(tmp_path: Path) -> None:
    conn = cache_mod.open_cache(tmp_path / "cache.db")
    conn.close()
    (tmp_path / keystore.KEY_FILE).write_text("ab" * 32 + "\n")
    with pytest.raises(StorageError, match="another key"):
        connect(tmp_path / "cache.db", synchronous="NORMAL")
    with pytest.raises(CacheCorruptError):
        cache_mod.open_cache(tmp_path / "cache.db")


def test_errors_are_the_sqlite3_classes(tmp_path: Path) -> None:
    conn = outbox_mod.open_outbox(tmp_path / "outbox.db")
    try:
        outbox_mod.record(conn, "note", member_id="M1", payload={"text": "x"})
        row = conn.execute("SELECT id, device_seq FROM interactions").fetchone()
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                "INSERT INTO interactions (id, device_seq, kind, created_at) VALUES (?, ?, ?, ?)",
                ("other", row["device_seq"], "note", 1),
            )
        with pytest.raises(StorageError) as caught, Transaction(conn):
            conn.execute(
                "INSERT INTO interactions (id, device_seq, kind, created_at) VALUES (?, ?, ?, ?)",
                (row["id"], 999, "note", 1),
            )
        assert isinstance(caught.value.__cause__, sqlite3.IntegrityError)
        assert caught.value.__cause__.sqlite_errorname.startswith("SQLITE_CONSTRAINT")
        assert not conn.in_transaction
        with pytest.raises(sqlite3.OperationalError):
            conn.execute("SELECT nope FROM interactions")
    finally:
        conn.close()


def test_errors_while_iterating_rows_are_translated(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.db", synchronous="NORMAL")
    try:
        conn.execute("CREATE TABLE t (n INTEGER)")
        conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(10)])

        def boom(n: int) -> int:
            if n == 5:
                raise ValueError("bad row")
            return n

        conn.create_function("boom", 1, boom)
        seen = []
        rows = conn.execute("SELECT boom(n) FROM t")  # the first row is fine
        with pytest.raises(sqlite3.OperationalError):
            for r in rows:  # the error comes while iterating
                seen.append(r[0])
        assert 0 < len(seen) <= 5
        cur = conn.execute("SELECT boom(n) FROM t")
        with pytest.raises(sqlite3.OperationalError):
            cur.fetchall()
    finally:
        conn.close()


def test_rows_cursor_and_connection_behave_like_sqlite3(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.db", synchronous="NORMAL")
    try:
        assert conn.row_factory is sqlite3.Row
        cur = conn.cursor()
        cur.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        cur.executemany("INSERT INTO t (name) VALUES (?)", [("a",), ("b",)])
        assert cur.rowcount == 2
        cur.execute("INSERT INTO t (name) VALUES ('c')")
        assert cur.lastrowid == 3
        assert cur.connection is conn
        row = conn.execute("SELECT id, name FROM t WHERE id = 2").fetchone()
        assert (row["id"], row["name"], tuple(row), row.keys()) == (
            2,
            "b",
            (2, "b"),
            ["id", "name"],
        )
        assert dict(conn.execute("SELECT name, id FROM t").fetchall()) == {"a": 1, "b": 2, "c": 3}
        assert [d[0] for d in conn.execute("SELECT * FROM t").description] == ["id", "name"]
        before = conn.total_changes
        conn.execute("DELETE FROM t WHERE id = 1")
        assert conn.total_changes == before + 1
        conn.execute("BEGIN")
        assert conn.in_transaction
        conn.execute("ROLLBACK")
        assert not conn.in_transaction
        assert any("CREATE TABLE" in line for line in conn.iterdump())
    finally:
        conn.close()


def test_sqlite_utils_migrations_run_on_the_encrypted_connection(tmp_path: Path) -> None:
    conn = cache_mod.open_cache(tmp_path / "cache.db")
    try:
        assert db.is_encrypted_connection(conn)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"members", "sync_state", "_sqlite_migrations"} <= names
        assert cache_mod.check_integrity(conn)
    finally:
        conn.close()


def test_a_plaintext_file_is_converted_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _plain_db(path)
    assert SECRET.encode() in _raw(path)
    conn = connect(path, synchronous="FULL")
    try:
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 50
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 7
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert keystore.is_encrypted(path)
    assert SECRET.encode() not in _raw(path)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith("old.db.")]
    assert leftovers == []


def test_read_only_opens_a_not_yet_converted_file_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _plain_db(path, wal=False)
    conn = connect(path, synchronous="NORMAL", readonly=True)
    try:
        assert not db.is_encrypted_connection(conn)
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 50
    finally:
        conn.close()
    assert keystore.is_plaintext(path)
    assert not (tmp_path / keystore.KEY_FILE).exists()  # readers never create keys


def test_a_conversion_killed_before_the_swap_is_redone(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _plain_db(path)
    (tmp_path / "old.db.encrypting").write_bytes(os.urandom(4096))  # half-written copy
    os.link(path, tmp_path / "old.db.plaintext-old")  # the link made just before the swap
    conn = connect(path, synchronous="FULL")
    try:
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 50
    finally:
        conn.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [keystore.KEY_FILE, "old.db"]
    assert SECRET.encode() not in _raw(path)


def test_a_conversion_killed_after_the_swap_scrubs_the_old_plaintext(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _plain_db(path)
    old_copy = tmp_path / "copy.db"
    old_copy.write_bytes(path.read_bytes())
    conn = connect(path, synchronous="FULL")  # converted
    conn.close()
    old_copy.rename(tmp_path / "old.db.plaintext-old")  # as if killed before the scrub
    conn = connect(path, synchronous="FULL")
    try:
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 50
    finally:
        conn.close()
    assert not (tmp_path / "old.db.plaintext-old").exists()


def test_inspect_gives_tuples_and_sqlite3_errors(tmp_path: Path) -> None:
    conn = outbox_mod.open_outbox(tmp_path / "outbox.db")
    outbox_mod.set_meta(conn, {"device_id": "D1"})
    conn.close()
    ro = db.inspect(tmp_path / "outbox.db")
    try:
        assert ro.execute("SELECT key, value FROM outbox_meta").fetchall() == [("device_id", "D1")]
    finally:
        ro.close()
    (tmp_path / keystore.KEY_FILE).unlink()
    with pytest.raises(sqlite3.DatabaseError):
        db.inspect(tmp_path / "outbox.db")


def test_a_full_database_fails_the_commit_with_storage_error(tmp_path: Path) -> None:
    conn = outbox_mod.open_outbox(tmp_path / "outbox.db")
    try:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StorageError) as caught:
            for i in range(10_000):
                outbox_mod.record(
                    conn, "note", member_id="M1", payload={"text": "x" * 500 + str(i)}
                )
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        assert "full" in str(caught.value)
    finally:
        conn.close()


# -- what a storage failure is: damage, or something that leaves the file as it is ------------


def _fault_of_real_error(tmp_path: Path, case: str) -> BaseException:
    """Provoke a real SQLite failure on an encrypted connection; return what was raised."""
    path = tmp_path / "f.db"
    conn = connect(path, synchronous="NORMAL")
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [("x" * 3000,) for _ in range(40)])
    try:
        if case == "full":
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages}")
            conn.execute("INSERT INTO t VALUES (?)", ("y" * 9000,))
        elif case == "readonly":
            ro = connect(path, synchronous="NORMAL", readonly=True)
            try:
                ro.execute("INSERT INTO t VALUES ('z')")
            finally:
                ro.close()
        elif case == "corrupt":
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            with path.open("r+b") as fh:
                fh.seek(2 * 4096 + 64)
                fh.write(b"\xde\xad" * 512)
            fresh = connect(path, synchronous="NORMAL")
            try:
                fresh.execute("SELECT count(*), max(x) FROM t").fetchall()
            finally:
                fresh.close()
        elif case == "cantopen":
            connect(tmp_path / "no-such-dir" / "x.db", synchronous="NORMAL", readonly=True)
        elif case == "nomem":
            cipher._guard_in(str(path), _out_of_memory)
    except (sqlite3.Error, StorageError) as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError(f"{case}: nothing failed")


def _out_of_memory() -> None:
    raise MemoryError  # what the SQLCipher driver raises for SQLITE_NOMEM


@pytest.mark.parametrize(
    ("case", "fault", "reason"),
    [
        ("corrupt", "corrupt", "storage"),
        ("full", "disk_full", "disk_full"),
        ("readonly", "no_permission", "no_permission"),
        ("cantopen", "io_error", "storage"),
        ("nomem", "no_memory", "no_memory"),
    ],
)
def test_storage_faults_are_told_apart(tmp_path: Path, case: str, fault: str, reason: str) -> None:
    exc = _fault_of_real_error(tmp_path, case)
    assert db.storage_fault(exc) == fault
    assert db.is_corruption(exc) is (fault == "corrupt")
    assert db.storage_error(exc, "cache.db").reason == reason
    if case == "cantopen":  # knowing the file: its directory does not exist
        missing = tmp_path / "no-such-dir" / "x.db"
        assert "does not exist" in str(db.storage_error(exc, "x.db", missing))
    else:
        assert db.failed_file(exc) == str((tmp_path / "f.db").absolute())


@pytest.mark.parametrize(
    ("errno_", "fault"),
    [
        (28, "disk_full"),
        (27, "disk_full"),
        (12, "no_memory"),
        (13, "no_permission"),
        (5, "io_error"),
    ],
)
def test_os_errors_are_classified_by_errno(errno_: int, fault: str) -> None:
    exc = StorageError("wrapped")
    exc.__cause__ = OSError(errno_, os.strerror(errno_))
    assert db.storage_fault(exc) == fault


def test_constraint_errors_are_not_storage_faults(tmp_path: Path) -> None:
    conn = connect(tmp_path / "c.db", synchronous="NORMAL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    conn.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.IntegrityError) as caught:
        conn.execute("INSERT INTO t VALUES (1)")
    conn.close()
    assert db.storage_fault(caught.value) is None


def test_a_full_database_in_a_transaction_says_disk_full(tmp_path: Path) -> None:
    conn = connect(tmp_path / "t.db", synchronous="FULL")
    conn.execute("CREATE TABLE t (x TEXT)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StorageError) as caught, Transaction(conn):
        conn.execute("INSERT INTO t VALUES (?)", ("x" * 9000,))
    conn.close()
    assert caught.value.reason == "disk_full"
    assert "full" in str(caught.value)
    assert not isinstance(caught.value, CacheCorruptError)
