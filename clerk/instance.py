"""One app instance per data directory.

Two copies of the app on the same data directory would be two writers of each file and two
sync engines pushing the same outbox. ``acquire(home)`` takes an exclusive, non-blocking OS
lock on ``<home>/.instance.lock`` (``flock`` on POSIX, ``msvcrt.locking`` on Windows) and
keeps it until ``release()`` or the process ends — the OS drops the lock of a killed process,
so a crash never leaves a stale lock behind. A second ``acquire`` on the same directory, from
any process, raises ``InstanceLockedError`` (reason ``already_running``) naming the holder's
pid.

    lock = instance.acquire(home)   # at app start, before opening any file
    try:
        ...
    finally:
        lock.release()
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from types import TracebackType

from clerk.errors import ClerkError

LOCK_FILE = ".instance.lock"


class InstanceLockedError(ClerkError):
    """Another instance of the app already uses this data directory."""

    reason = "already_running"

    def __init__(self, message: str, *, pid: int | None = None) -> None:
        super().__init__(message)
        self.pid = pid


class InstanceLock:
    """An acquired instance lock; ``release()`` (or leaving the ``with``) frees it."""

    def __init__(self, home: Path, fd: int) -> None:
        self.home = home
        self.path = home / LOCK_FILE
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def __del__(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)


def acquire(home: Path | str) -> InstanceLock:
    """Lock the data directory ``home`` for this process, or raise InstanceLockedError."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    path = home / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
    try:
        locked = _try_lock(fd)
    except BaseException:
        os.close(fd)
        raise
    if not locked:
        pid = _holder(path)
        os.close(fd)
        who = f" (process {pid})" if pid else ""
        raise InstanceLockedError(
            f"Omni Clerk is already running on this data directory{who}: {home}. "
            "Switch to that window, or close it before starting another.",
            pid=pid,
        )
    with contextlib.suppress(OSError):  # the pid is only for the message; the lock is held
        _write_holder(fd)
    return InstanceLock(home, fd)


# The pid is written after the locked byte range on Windows (a locked range cannot be read by
# another process there); POSIX flock locks the whole file but does not block reads.
_PID_OFFSET = 1 if sys.platform == "win32" else 0


def _write_holder(fd: int) -> None:
    text = f"{os.getpid()} {int(time.time())}\n".encode("ascii")
    os.lseek(fd, _PID_OFFSET, os.SEEK_SET)
    os.write(fd, text)
    os.ftruncate(fd, _PID_OFFSET + len(text))


def _holder(path: Path) -> int | None:
    try:
        with open(path, "rb") as f:
            f.seek(_PID_OFFSET)
            first = f.read(64).split()
    except OSError:
        return None
    try:
        return int(first[0]) if first else None
    except ValueError:
        return None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
