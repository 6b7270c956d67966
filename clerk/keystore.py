"""The key that encrypts a data directory's SQLite files at rest (SQLCipher).

One key per data directory: 32 random bytes, as 64 hex digits. Where it lives:

1. the OS keyring (Windows Credential Manager, macOS Keychain, Secret Service) when the
   ``keyring`` package is installed *and* a real backend is present (not the fail / null /
   plaintext-file backends);
2. otherwise a key file ``<data dir>/.db.key`` — created once, atomically, with mode 0600
   (``os.open`` with ``O_EXCL``), never rewritten.

A key file, once there, always wins (the files were encrypted with it). The key is never
logged, never put in settings.json and never shown in an error message.

If no key can be found while ``outbox.db`` is already encrypted, no new key is made: a new key
could not read the precious outbox, and writing one would hide the real problem (the key was
lost — the keyring entry deleted, the key file not copied). ``StorageError`` with reason
``db_key_missing`` is raised instead.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import threading
import time
from pathlib import Path
from typing import Any

from clerk.errors import StorageError

KEY_FILE = ".db.key"
KEYRING_SERVICE = "omni-clerk"
KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"
# Plaintext fallback backends of the keyring package: no better than our key file.
_WEAK_BACKENDS = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")
_READ_RETRY_S = 2.0

_keyring_cache: dict[str, str] = {}
_backend_found: list[Any] = []  # [backend or None] once looked up
_lock = threading.RLock()


def key_file(home: Path | str) -> Path:
    return Path(home) / KEY_FILE


def _head(path: Path | str) -> bytes | None:
    """The first bytes of the file at ``path`` (None: no such file). StorageError when it
    cannot be read (a directory in its place, no permission)."""
    try:
        with open(path, "rb") as f:
            return f.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc}") from exc


def is_plaintext(path: Path | str) -> bool:
    """True when ``path`` is a plaintext SQLite database (its header says so)."""
    return _head(path) == SQLITE_HEADER


def is_encrypted(path: Path | str) -> bool:
    """True when ``path`` holds data but not a plaintext SQLite header (SQLCipher's pages are
    random from byte 0)."""
    head = _head(path)
    return head is not None and len(head) == len(SQLITE_HEADER) and head != SQLITE_HEADER


def key_for(home: Path | str, *, create: bool = True) -> str | None:
    """The database key (64 hex digits) of the data directory ``home``.

    With ``create`` a missing key is made (in the keyring if a real one is present, else in the
    key file); without it, None is returned when there is none yet. Raises StorageError
    (reason ``db_key`` or ``db_key_missing``) when the key cannot be read or made.
    """
    home = Path(home)
    path = key_file(home)
    found = _read_key_file(path)
    if found is not None:
        if create:
            _remove_stale_temp_files(home)
        return found
    backend = _keyring_backend()
    account = _account(home)
    if backend is not None:
        stored = _keyring_get(backend, account)
        if stored is not None:
            return stored
    if not create:
        return None
    if is_encrypted(home / "outbox.db"):
        raise StorageError(
            f"the database key of {home} is missing (no {KEY_FILE} and no keyring entry) but "
            "outbox.db is encrypted: restore the key file or the keyring entry; a new key "
            "cannot read it",
            reason="db_key_missing",
        )
    key = secrets.token_hex(KEY_BYTES)
    if backend is not None:
        try:
            backend.set_password(KEYRING_SERVICE, account, key)
        except Exception:  # any keyring failure: fall back to the key file
            backend = None
        else:
            with _lock:
                _keyring_cache[account] = key
            return key
    return _create_key_file(home, path, key)


def _account(home: Path) -> str:
    return "db-key:" + os.path.realpath(home)


def _valid(text: str) -> bool:
    if len(text) != 2 * KEY_BYTES:
        return False
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True


def _read_key_file(path: Path) -> str | None:
    """The key in ``path``, None if there is no such file. A key file being written by another
    process right now (it appears whole, by link) is never seen half-written."""
    try:
        with open(path, encoding="ascii") as f:
            text = f.read().strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise StorageError(
            f"cannot read the database key file {path}: {exc.__class__.__name__}", reason="db_key"
        ) from None
    if not _valid(text):
        raise StorageError(f"the database key file {path} is damaged", reason="db_key")
    _tighten(path)
    return text.lower()


def _tighten(path: Path) -> None:
    """Make a key file readable by its owner only (POSIX), if something loosened it."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(0o600)


def _create_key_file(home: Path, path: Path, key: str) -> str:
    """Write ``key`` to a private temporary file, then link it into place: the key file appears
    whole or not at all, and a concurrent creator's key wins if it was first."""
    home.mkdir(parents=True, exist_ok=True)
    tmp = home / f"{KEY_FILE}.{os.getpid()}.{threading.get_ident()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except FileExistsError:
        tmp.unlink()
        fd = os.open(tmp, flags, 0o600)
    try:
        try:
            os.write(fd, (key + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        except OSError:
            # No hard links here (some file systems): exclusive create of the final name.
            _create_exclusive(path, key)
    except OSError as exc:
        raise StorageError(
            f"cannot create the database key file {path}: {exc.__class__.__name__}",
            reason="db_key",
        ) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    _fsync_dir(home)
    return _wait_for_key_file(path)


def _remove_stale_temp_files(home: Path) -> None:
    """Temporary key files of a creator killed before it cleaned up (they hold a key)."""
    for tmp in home.glob(f"{KEY_FILE}.*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()


def _create_exclusive(path: Path, key: str) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        return
    try:
        os.write(fd, (key + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _wait_for_key_file(path: Path) -> str:
    deadline = time.monotonic() + _READ_RETRY_S
    while True:
        try:
            found = _read_key_file(path)
        except StorageError:
            if time.monotonic() > deadline:
                raise
            found = None
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise StorageError(f"the database key file {path} did not appear", reason="db_key")
        time.sleep(0.01)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# -- OS keyring ---------------------------------------------------------------------------------


def _keyring_backend() -> Any | None:
    """The keyring package's backend if it is a real one, else None (the key file is used).
    Looked up once per process (importing keyring and probing backends is slow)."""
    if os.environ.get("CLERK_NO_KEYRING"):
        return None
    with _lock:
        if not _backend_found:
            _backend_found.append(_find_keyring_backend())
        return _backend_found[0]


def _find_keyring_backend() -> Any | None:
    try:
        import keyring
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring setup means "no keyring"
        return None
    return backend if _is_real(backend) else None


def _is_real(backend: Any) -> bool:
    module = type(backend).__module__
    if any(module.startswith(weak) for weak in _WEAK_BACKENDS):
        return False
    if module.startswith("keyring.backends.chainer"):
        inner = list(getattr(backend, "backends", []))
        return bool(inner) and all(_is_real(b) for b in inner)
    try:
        return float(getattr(backend, "priority", 0)) > 0
    except Exception:  # a backend whose priority cannot be read is not viable
        return False


def _keyring_get(backend: Any, account: str) -> str | None:
    with _lock:
        cached = _keyring_cache.get(account)
    if cached is not None:
        return cached
    try:
        value = backend.get_password(KEYRING_SERVICE, account)
    except Exception:  # a locked or broken keyring: as if absent
        return None
    if not isinstance(value, str) or not _valid(value.strip()):
        return None
    key = value.strip().lower()
    with _lock:
        _keyring_cache[account] = key
    return key
