"""Opening the terminal's SQLite files with the right pragmas — encrypted at rest.

Every connection to cache.db and outbox.db is opened here. By default a file is encrypted with
SQLCipher under the key of its directory (``clerk.keystore.key_for``): ``PRAGMA key`` is the
very first statement, and the key is checked at once (a wrong key raises StorageError, which
``open_cache`` turns into a cache rebuild and ``open_outbox`` refuses loudly). A plaintext file
left by an older version is converted in place on its first read-write open (see
``encrypt_in_place``). ``key=None`` opens plain SQLite (hub-side and test uses only).

The SQLCipher connection is wrapped (:mod:`clerk.cipher`) so it looks like the standard
library's: it *is* a ``sqlite3.Connection`` (sqlite-utils and type checkers are content), rows
are ``Row``s with names, and every SQLCipher error is re-raised as the ``sqlite3`` exception of
the same name (``raise … from``), so ``except sqlite3.Error`` everywhere keeps working.

One writer per file (a single connection owned by one thread); readers open their own.
Data-layer errors are raised as StorageError (never swallowed).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import sqlcipher3

from clerk import keystore
from clerk.cipher import FILE_ATTR, CipherConnection, translate
from clerk.errors import StorageError

if TYPE_CHECKING:
    import sqlite_utils

Sync = Literal["NORMAL", "FULL"]


class _Auto:
    def __repr__(self) -> str:
        return "AUTO"


AUTO: Final = _Auto()
"""``connect(key=AUTO)`` (the default): the key of the file's directory."""

ENCRYPTING_SUFFIX = ".encrypting"
PLAINTEXT_OLD_SUFFIX = ".plaintext-old"


# -- what a storage failure is -----------------------------------------------------------------

Fault = Literal["corrupt", "disk_full", "no_memory", "no_permission", "io_error", "missing"]

# StorageError reasons by fault (the UI translates reasons). Only "corrupt" is damage: a full
# disk, no memory, no permission or an I/O error leave the file as it is.
FAULT_REASONS: Final[dict[str, str]] = {
    "corrupt": "storage",
    "disk_full": "disk_full",
    "no_memory": "no_memory",
    "no_permission": "no_permission",
    "io_error": "storage",
    "missing": "storage",
}
_FAULT_TEXT: Final[dict[str, str]] = {
    "corrupt": "is damaged",
    "disk_full": "cannot be written: the disk is full",
    "no_memory": "cannot be read or written: out of memory",
    "no_permission": "cannot be read or written: no permission",
    "io_error": "cannot be read or written: the disk refused",
    "missing": "cannot be opened: it or its directory does not exist",
}
_ERRNO_FAULTS: Final[dict[int, Fault]] = {
    errno.ENOSPC: "disk_full",
    errno.EDQUOT: "disk_full",
    errno.EFBIG: "disk_full",  # the file may grow no more (a size limit): as good as full
    errno.ENOMEM: "no_memory",
    errno.EACCES: "no_permission",
    errno.EPERM: "no_permission",
    errno.EROFS: "no_permission",
    errno.EIO: "io_error",
}
# When a driver error carries no code (older sqlite3 modules): SQLite's fixed messages.
_MESSAGE_FAULTS: Final[tuple[tuple[str, Fault], ...]] = (
    ("database disk image is malformed", "corrupt"),
    ("file is not a database", "corrupt"),
    ("database or disk is full", "disk_full"),
    ("out of memory", "no_memory"),
    ("readonly database", "no_permission"),
    ("unable to open database file", "io_error"),
    ("access permission denied", "no_permission"),
    ("disk i/o error", "io_error"),
)


def _fault_of(exc: BaseException) -> Fault | None:
    if isinstance(exc, OSError) and exc.errno in _ERRNO_FAULTS:
        return _ERRNO_FAULTS[exc.errno]
    if isinstance(exc, MemoryError):
        return "no_memory"
    if not isinstance(exc, sqlite3.Error):
        return None
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    if name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB":
        return "corrupt"
    if name == "SQLITE_FULL":
        return "disk_full"
    if name in ("SQLITE_NOMEM", "SQLITE_IOERR_NOMEM"):
        return "no_memory"
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")):
        return "no_permission"
    if name.startswith("SQLITE_CANTOPEN"):
        return "io_error"  # missing, a directory, no permission …: _fault_near looks closer
    if name.startswith("SQLITE_IOERR"):
        return "io_error"
    text = str(exc).lower()
    for needle, fault in _MESSAGE_FAULTS:
        if needle in text:
            return fault
    return None


def storage_fault(exc: BaseException | None) -> Fault | None:
    """What a failed read or write of a SQLite file was — from the error or its causes:
    ``corrupt`` (SQLITE_CORRUPT*, SQLITE_NOTADB: the file is damaged), ``disk_full``
    (SQLITE_FULL, ENOSPC, EFBIG), ``no_memory`` (SQLITE_NOMEM, ENOMEM), ``no_permission``
    (SQLITE_READONLY/PERM, EACCES, EROFS), ``io_error`` (SQLITE_IOERR*, SQLITE_CANTOPEN, EIO);
    None when it is none of these (a constraint, a bug). Knowing the file, ``storage_error``
    looks closer: an I/O error on a full disk, a file that cannot be opened for lack of
    permission, or a directory that does not exist."""
    depth = 0
    while exc is not None and depth < 8:
        fault = _fault_of(exc)
        if fault is not None:
            return fault
        exc = exc.__cause__
        depth += 1
    return None


def is_corruption(exc: BaseException | None) -> bool:
    return storage_fault(exc) == "corrupt"


def failed_file(exc: BaseException | None) -> str | None:
    """The database file an error was raised from (encrypted connections name it)."""
    depth = 0
    while exc is not None and depth < 8:
        file = getattr(exc, FILE_ATTR, None)
        if isinstance(file, str):
            return file
        exc = exc.__cause__
        depth += 1
    return None


LOW_DISK_BYTES = 1024 * 1024


def _fault_near(exc: BaseException, path: Path | str | None) -> Fault | None:
    """``storage_fault``, with one more look: SQLite reports a file it could not create or
    extend on a full disk (the -shm of a WAL database …) as an I/O error or "unable to open";
    with next to no space left where the file lives, it is the full disk."""
    fault = storage_fault(exc)
    if fault in ("io_error", "no_permission") and path is not None:
        where = Path(path).absolute().parent
        if not where.is_dir():
            return "missing"
        try:
            free = shutil.disk_usage(where).free
        except OSError:
            return fault
        if free < LOW_DISK_BYTES:
            return "disk_full"
        if fault == "io_error" and _cannot_open(exc) and Path(path).exists():
            return "no_permission"  # there, with room, and still it cannot be opened
    return fault


def _cannot_open(exc: BaseException | None) -> bool:
    depth = 0
    while exc is not None and depth < 8:
        name = str(getattr(exc, "sqlite_errorname", "") or "")
        if name.startswith("SQLITE_CANTOPEN") or "unable to open database file" in str(exc):
            return True
        exc = exc.__cause__
        depth += 1
    return False


def storage_error(exc: BaseException, what: str, path: Path | str | None = None) -> StorageError:
    """A StorageError that says plainly what happened to ``what`` (e.g. "cache.db"), with the
    reason of its fault (``FAULT_REASONS``); raise it ``from exc``. ``path``: the file, to
    tell a full disk behind an I/O error."""
    fault = _fault_near(exc, path)
    if fault is None:
        return StorageError(f"{what}: database error: {exc}")
    return StorageError(f"{what} {_FAULT_TEXT[fault]} ({exc})", reason=FAULT_REASONS[fault])


def _reason(exc: BaseException, path: Path | str | None = None) -> str:
    fault = _fault_near(exc, path)
    return "storage" if fault is None else FAULT_REASONS[fault]


def connect(
    path: Path | str,
    *,
    synchronous: Sync,
    readonly: bool = False,
    key: str | _Auto | None = AUTO,
) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit: BEGIN IMMEDIATE … COMMIT).

    ``key``: AUTO (default) — encrypted with the key of the file's directory, created on first
    use; a 64-hex-digit key — encrypted with it; None — plain SQLite.
    """
    name = str(path)
    if isinstance(key, _Auto):
        key = _auto_key(name, readonly=readonly)
    try:
        if key is None or (readonly and keystore.is_plaintext(name)):
            # Plain SQLite, or a plaintext file not converted yet (its writer converts it).
            conn = _open_plain(name, readonly=readonly)
        else:
            if not readonly and keystore.is_plaintext(name):
                encrypt_in_place(name, key)
            elif not readonly:
                _clean_leftovers(Path(name))
            conn = _open_cipher(name, key, readonly=readonly)
    except (sqlite3.DatabaseError, OSError) as exc:  # OSError: a directory, no permission …
        raise StorageError(f"cannot open {path}: {exc}", reason=_reason(exc, path)) from exc
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.row_factory = sqlite3.Row
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StorageError(f"cannot open {path}: {exc}", reason=_reason(exc, path)) from exc
    return conn


def database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    import sqlite_utils  # lazily: ~45 ms of start-up that most runs never need

    return sqlite_utils.Database(conn)


def is_encrypted_connection(conn: sqlite3.Connection) -> bool:
    return isinstance(conn, CipherConnection)


def inspect(path: Path | str) -> sqlite3.Connection:
    """A read-only connection for diagnostic tools (doctor, diagnostics) on any of the
    terminal's files, encrypted or not: never creates a key, never converts a file, rows are
    plain tuples, and failures stay ``sqlite3.DatabaseError`` (what such tools catch)."""
    try:
        conn = connect(path, synchronous="NORMAL", readonly=True)
    except StorageError as exc:
        raise sqlite3.DatabaseError(str(exc)) from exc
    conn.row_factory = None
    return conn


# -- opening ------------------------------------------------------------------------------------


def _is_special(name: str) -> bool:
    return name == ":memory:" or name == "" or name.startswith("file:")


def _auto_key(name: str, *, readonly: bool) -> str | None:
    if _is_special(name):
        return None
    home = Path(name).absolute().parent
    return keystore.key_for(home, create=not readonly)


def _uri(name: str, *, readonly: bool) -> str:
    quoted = urllib.parse.quote(str(Path(name).absolute()), safe="/:\\")
    return f"file:{quoted}?mode={'ro' if readonly else 'rwc'}"


def _open_plain(name: str, *, readonly: bool) -> sqlite3.Connection:
    if readonly:
        return sqlite3.connect(
            _uri(name, readonly=True), uri=True, isolation_level=None, check_same_thread=False
        )
    return sqlite3.connect(name, isolation_level=None, check_same_thread=False)


def _keyed(raw: Any, key: str) -> None:
    """The first statements on a SQLCipher connection: quiet logs, the key, and a check."""
    if not keystore._valid(key):
        raise StorageError("a database key must be 64 hex digits", reason="db_key")
    raw.execute("PRAGMA cipher_log_level = NONE")  # no page-level chatter on stderr
    raw.execute(f"PRAGMA key = \"x'{key}'\"")
    raw.execute("PRAGMA cipher_memory_security = OFF")
    raw.execute("SELECT count(*) FROM sqlite_master").fetchone()


def _open_cipher(name: str, key: str, *, readonly: bool) -> sqlite3.Connection:
    try:
        if readonly:
            raw = sqlcipher3.connect(
                _uri(name, readonly=True), uri=True, isolation_level=None, check_same_thread=False
            )
        else:
            raw = sqlcipher3.connect(name, isolation_level=None, check_same_thread=False)
    except sqlcipher3.Error as exc:
        raise translate(exc) from exc
    try:
        _keyed(raw, key)
    except sqlcipher3.DatabaseError as exc:
        raw.close()
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
            raise sqlite3.DatabaseError(
                "file is not a database (or it was encrypted with another key)"
            ) from exc
        raise translate(exc) from exc
    except BaseException:
        raw.close()
        raise
    return CipherConnection(raw, str(Path(name).absolute()))


# -- plaintext → encrypted ----------------------------------------------------------------------


def encrypt_in_place(path: Path | str, key: str) -> None:
    """Convert a plaintext SQLite file into a SQLCipher one under ``key``, crash-safely.

    1. checkpoint the plaintext WAL and leave WAL mode (no -wal file can be replayed later
       onto the encrypted file);
    2. ``sqlcipher_export`` everything (and ``user_version``) into ``<name>.encrypting``,
       fsync it;
    3. hard-link the plaintext file to ``<name>.plaintext-old``, atomically replace the file
       with the encrypted copy, fsync the directory;
    4. overwrite the old plaintext with zeros and delete it (best effort: an SSD or a
       copy-on-write file system may keep the old blocks).

    A kill at any point leaves either the plaintext file (converted again at the next open)
    or the encrypted one (leftovers are cleaned at the next open) — never neither.
    """
    target = Path(path)
    _clean_leftovers(target)
    tmp = target.with_name(target.name + ENCRYPTING_SUFFIX)
    old = target.with_name(target.name + PLAINTEXT_OLD_SUFFIX)
    if not keystore._valid(key):
        raise StorageError("a database key must be 64 hex digits", reason="db_key")
    try:
        src = sqlcipher3.connect(str(target), isolation_level=None, check_same_thread=False)
    except sqlcipher3.Error as exc:
        raise translate(exc) from exc
    try:
        src.execute("PRAGMA cipher_log_level = NONE")
        src.execute("PRAGMA busy_timeout = 5000")
        src.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        mode = src.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if str(mode).lower() != "delete":
            raise sqlite3.OperationalError(f"cannot leave WAL mode (journal_mode={mode})")
        version = int(src.execute("PRAGMA user_version").fetchone()[0])
        src.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(tmp), f"x'{key}'"))
        src.execute("SELECT sqlcipher_export('encrypted')").fetchall()
        src.execute(f"PRAGMA encrypted.user_version = {version}")
        src.execute("DETACH DATABASE encrypted")
    except sqlcipher3.Error as exc:
        raise translate(exc) from exc
    finally:
        src.close()
    _fsync_file(tmp)
    linked = True
    try:
        os.link(target, old)
    except OSError:
        linked = False  # no hard links here: the old blocks are freed unscrubbed
    os.replace(tmp, target)
    _fsync_dir(target.parent)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(str(target) + suffix)
    if linked:
        _scrub(old)


def _clean_leftovers(target: Path) -> None:
    """Finish or undo an ``encrypt_in_place`` that was cut short."""
    tmp = target.with_name(target.name + ENCRYPTING_SUFFIX)
    for p in (tmp, Path(str(tmp) + "-journal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
    old = target.with_name(target.name + PLAINTEXT_OLD_SUFFIX)
    if not old.exists():
        return
    try:
        same = target.exists() and os.path.samefile(old, target)
    except OSError:
        same = False
    if same:
        old.unlink()  # killed before the replace: the file itself is still the plaintext
    else:
        _scrub(old)


def _scrub(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        size = path.stat().st_size
        with open(path, "r+b") as f:
            zeros = bytes(1 << 20)
            left = size
            while left > 0:
                n = min(left, len(zeros))
                f.write(zeros[:n])
                left -= n
            f.flush()
            os.fsync(f.fileno())
        path.unlink()


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Transaction:
    """``with Transaction(conn):`` — BEGIN IMMEDIATE, COMMIT on success, ROLLBACK on error.

    Inside another Transaction on the same connection it is a SAVEPOINT: its rows commit with
    the outer transaction (one commit, one fsync, all or nothing), and an error undoes only
    its own part before it propagates. sqlite3 errors inside are re-raised as StorageError
    with the original as cause.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.savepoint: str | None = None

    def __enter__(self) -> sqlite3.Connection:
        try:
            if self.conn.in_transaction:
                self.savepoint = f"nested_{id(self):x}"
                self.conn.execute(f"SAVEPOINT {self.savepoint}")
            else:
                self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StorageError(f"cannot start a transaction: {exc}", reason=_reason(exc)) from exc
        return self.conn

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if self.savepoint is not None:
            self._exit_savepoint(exc)
        elif exc is None:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as commit_exc:
                self._rollback()
                raise StorageError(
                    f"cannot commit: {commit_exc}", reason=_reason(commit_exc)
                ) from commit_exc
            return
        else:
            self._rollback()
        if isinstance(exc, sqlite3.Error):
            raise StorageError(f"database error: {exc}", reason=_reason(exc)) from exc

    def _exit_savepoint(self, exc: BaseException | None) -> None:
        name = self.savepoint
        try:
            if exc is not None:
                self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
        except sqlite3.Error as sp_exc:
            if exc is None:
                raise StorageError(f"database error: {sp_exc}", reason=_reason(sp_exc)) from sp_exc
            # The outer transaction is rolled back by its own exit; the original error is
            # what the caller needs to see.

    def _rollback(self) -> None:
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            # The connection is broken; the transaction is gone with it. Re-raising this
            # would hide the original error, which is what the caller needs to see.
            pass
