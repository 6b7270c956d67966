"""The SQLCipher connection dressed as the standard library's ``sqlite3.Connection``.

It *is* a ``sqlite3.Connection`` (sqlite-utils and type checkers are content), rows are
``Row``s with names, and every SQLCipher error is re-raised as the ``sqlite3`` exception of the
same name (``raise … from``), carrying the database file it came from (``FILE_ATTR``), so
``except sqlite3.Error`` everywhere keeps working. Opened by :mod:`clerk.db` only.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Generator, Iterator
from typing import Any, Literal

import sqlcipher3

FILE_ATTR = "clerk_file"  # set on errors raised from an encrypted connection: its file


def translate(exc: BaseException, file: str | None = None) -> BaseException:
    """The ``sqlite3`` exception matching a SQLCipher one (same class name, message, codes),
    naming the database ``file`` it came from (``failed_file``)."""
    if not isinstance(exc, sqlcipher3.Error | sqlcipher3.Warning):
        return exc
    cls = getattr(sqlite3, type(exc).__name__, None)
    if not (isinstance(cls, type) and issubclass(cls, sqlite3.Error | sqlite3.Warning)):
        cls = sqlite3.DatabaseError
    new = cls(*exc.args)
    for attr in ("sqlite_errorcode", "sqlite_errorname"):
        if hasattr(exc, attr):
            with contextlib.suppress(AttributeError):
                setattr(new, attr, getattr(exc, attr))
    if file is not None:
        setattr(new, FILE_ATTR, file)
    return new


_ERRORS = (sqlcipher3.Error, sqlcipher3.Warning)


def _guard_in(file: str | None, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call into SQLCipher, its errors raised as ``sqlite3``'s (what all callers catch)."""
    try:
        return fn(*args, **kwargs)
    except MemoryError as exc:  # SQLITE_NOMEM: raised by the driver as MemoryError
        error = sqlite3.OperationalError("out of memory")
        error.sqlite_errorname = "SQLITE_NOMEM"
        if file is not None:
            setattr(error, FILE_ATTR, file)
        raise error from exc
    except _ERRORS as exc:
        raise translate(exc, file) from exc


class CipherCursor(sqlite3.Cursor):
    """A SQLCipher cursor behind the ``sqlite3.Cursor`` interface (errors translated)."""

    def __init__(self, connection: CipherConnection, inner: Any) -> None:  # no super(): proxy
        self._conn = connection
        self._inner = inner

    def execute(self, *args: Any, **kwargs: Any) -> CipherCursor:
        _guard_in(self._conn._file, self._inner.execute, *args, **kwargs)
        return self

    def executemany(self, *args: Any, **kwargs: Any) -> CipherCursor:
        _guard_in(self._conn._file, self._inner.executemany, *args, **kwargs)
        return self

    def executescript(self, *args: Any, **kwargs: Any) -> CipherCursor:
        _guard_in(self._conn._file, self._inner.executescript, *args, **kwargs)
        return self

    def fetchone(self) -> Any:
        return _guard_in(self._conn._file, self._inner.fetchone)

    def fetchmany(self, *args: Any, **kwargs: Any) -> list[Any]:
        rows: list[Any] = _guard_in(self._conn._file, self._inner.fetchmany, *args, **kwargs)
        return rows

    def fetchall(self) -> list[Any]:
        rows: list[Any] = _guard_in(self._conn._file, self._inner.fetchall)
        return rows

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        try:
            yield from self._inner
        except _ERRORS as exc:
            raise translate(exc, self._conn._file) from exc

    def __next__(self) -> Any:
        return _guard_in(self._conn._file, next, self._inner)

    def close(self) -> None:
        _guard_in(self._conn._file, self._inner.close)

    def setinputsizes(self, *args: Any, **kwargs: Any) -> None:
        self._inner.setinputsizes(*args, **kwargs)

    def setoutputsize(self, *args: Any, **kwargs: Any) -> None:
        self._inner.setoutputsize(*args, **kwargs)

    @property
    def description(self) -> Any:
        return self._inner.description

    @property
    def rowcount(self) -> int:
        return int(self._inner.rowcount)

    @property
    def lastrowid(self) -> int | None:
        value = self._inner.lastrowid
        return None if value is None else int(value)

    @property
    def arraysize(self) -> int:
        return int(self._inner.arraysize)

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._inner.arraysize = value

    @property
    def connection(self) -> CipherConnection:
        return self._conn

    @property
    def row_factory(self) -> Any:
        return _outer_factory(self._inner.row_factory)

    @row_factory.setter
    def row_factory(self, value: Any) -> None:
        self._inner.row_factory = _inner_factory(value)


def _inner_factory(value: Any) -> Any:
    return sqlcipher3.Row if value is sqlite3.Row else value


def _outer_factory(value: Any) -> Any:
    return sqlite3.Row if value is sqlcipher3.Row else value


class CipherConnection(sqlite3.Connection):
    """A SQLCipher connection behind the ``sqlite3.Connection`` interface.

    The base class is never initialised: every method used on a connection is delegated to
    the SQLCipher one here, with its errors translated to ``sqlite3``'s. A method not
    delegated fails loudly (``ProgrammingError: Base Connection.__init__ not called``).
    """

    def __init__(self, inner: Any, file: str | None = None) -> None:  # no super(): a proxy
        self._inner = inner
        self._file = file  # the database file, named on every error raised from it

    def cursor(self, *args: Any, **kwargs: Any) -> CipherCursor:  # type: ignore[override]
        return CipherCursor(self, _guard_in(self._file, self._inner.cursor))

    def execute(self, *args: Any, **kwargs: Any) -> CipherCursor:
        return CipherCursor(self, _guard_in(self._file, self._inner.execute, *args, **kwargs))

    def executemany(self, *args: Any, **kwargs: Any) -> CipherCursor:
        return CipherCursor(self, _guard_in(self._file, self._inner.executemany, *args, **kwargs))

    def executescript(self, *args: Any, **kwargs: Any) -> CipherCursor:
        return CipherCursor(self, _guard_in(self._file, self._inner.executescript, *args, **kwargs))

    def commit(self) -> None:
        _guard_in(self._file, self._inner.commit)

    def rollback(self) -> None:
        _guard_in(self._file, self._inner.rollback)

    def close(self) -> None:
        _guard_in(self._file, self._inner.close)

    def interrupt(self) -> None:
        _guard_in(self._file, self._inner.interrupt)

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        _guard_in(self._file, self._inner.create_function, *args, **kwargs)

    def create_aggregate(self, *args: Any, **kwargs: Any) -> None:
        _guard_in(self._file, self._inner.create_aggregate, *args, **kwargs)

    def create_window_function(self, *args: Any, **kwargs: Any) -> None:
        _guard_in(self._file, self._inner.create_window_function, *args, **kwargs)

    def create_collation(self, *args: Any, **kwargs: Any) -> None:
        _guard_in(self._file, self._inner.create_collation, *args, **kwargs)

    def set_authorizer(self, *args: Any, **kwargs: Any) -> None:
        _guard_in(self._file, self._inner.set_authorizer, *args, **kwargs)

    def set_progress_handler(self, *args: Any, **kwargs: Any) -> None:
        _guard_in(self._file, self._inner.set_progress_handler, *args, **kwargs)

    def set_trace_callback(self, *args: Any, **kwargs: Any) -> None:
        _guard_in(self._file, self._inner.set_trace_callback, *args, **kwargs)

    def iterdump(self) -> Generator[str, None, None]:
        # sqlcipher3 has no iterdump: the standard library's works through this connection.
        from sqlite3.dump import _iterdump  # type: ignore[attr-defined]

        yield from _iterdump(self)

    def getlimit(self, category: int, /) -> int:
        return int(_guard_in(self._file, self._inner.getlimit, category))

    def setlimit(self, category: int, limit: int, /) -> int:
        return int(_guard_in(self._file, self._inner.setlimit, category, limit))

    def __enter__(self) -> CipherConnection:
        _guard_in(self._file, self._inner.__enter__)
        return self

    def __exit__(self, *exc: Any) -> Literal[False]:
        _guard_in(self._file, self._inner.__exit__, *exc)
        return False

    @property
    def in_transaction(self) -> bool:
        return bool(self._inner.in_transaction)

    @property
    def total_changes(self) -> int:
        return int(self._inner.total_changes)

    @property  # type: ignore[override]
    def isolation_level(self) -> str | None:
        value = self._inner.isolation_level
        return None if value is None else str(value)

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        _guard_in(self._file, setattr, self._inner, "isolation_level", value)

    @property
    def row_factory(self) -> Any:
        return _outer_factory(self._inner.row_factory)

    @row_factory.setter
    def row_factory(self, value: Any) -> None:
        self._inner.row_factory = _inner_factory(value)

    @property
    def text_factory(self) -> Any:
        return self._inner.text_factory

    @text_factory.setter
    def text_factory(self, value: Any) -> None:
        self._inner.text_factory = value
