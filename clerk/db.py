"""Opening the terminal's SQLite files with the right pragmas.

One writer per file (a single connection owned by one thread); readers open their own.
Data-layer errors are raised as StorageError (never swallowed).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Literal

import sqlite_utils

from clerk.errors import StorageError

Sync = Literal["NORMAL", "FULL"]


def connect(path: Path | str, *, synchronous: Sync, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit: BEGIN IMMEDIATE … COMMIT)."""
    try:
        if readonly:
            conn = sqlite3.connect(
                f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
            )
        else:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 5000")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.row_factory = sqlite3.Row
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"cannot open {path}: {exc}") from exc
    return conn


def database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    return sqlite_utils.Database(conn)


class Transaction:
    """``with Transaction(conn):`` — BEGIN IMMEDIATE, COMMIT on success, ROLLBACK on error.

    sqlite3 errors inside are re-raised as StorageError with the original as cause.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StorageError(f"cannot start a transaction: {exc}") from exc
        return self.conn

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if exc is None:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as commit_exc:
                self._rollback()
                raise StorageError(f"cannot commit: {commit_exc}") from commit_exc
            return
        self._rollback()
        if isinstance(exc, sqlite3.Error):
            raise StorageError(f"database error: {exc}") from exc

    def _rollback(self) -> None:
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            # The connection is broken; the transaction is gone with it. Re-raising this
            # would hide the original error, which is what the caller needs to see.
            pass
