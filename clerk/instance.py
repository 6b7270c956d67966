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

The app takes the lock with ``doorbell=True``: it then answers a local socket named
``doorbell_name(home)`` (``ui.doorbell``), and a second launch that finds the lock held —
``InstanceLockedError.doorbell`` — rings it to bring the open window forward instead of
failing. The lock stays the only source of truth; the doorbell is only how to ask.
"""

from __future__ import annotations

import contextlib
import hashlib
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

    def __init__(self, message: str, *, pid: int | None = None, doorbell: bool = False) -> None:
        super().__init__(message)
        self.pid = pid
        self.doorbell = doorbell  # the holder is the app: it answers its doorbell


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


def acquire(home: Path | str, *, doorbell: bool = False) -> InstanceLock:
    """Lock the data directory ``home`` for this process, or raise InstanceLockedError.
    ``doorbell``: this process answers ``doorbell_name(home)`` (the app)."""
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
        pid, rings = _holder(path)
        os.close(fd)
        who = f" (process {pid})" if pid else ""
        raise InstanceLockedError(
            f"Omni Clerk is already running on this data directory{who}: {home}. "
            "Switch to that window, or close it before starting another.",
            pid=pid,
            doorbell=rings,
        )
    with contextlib.suppress(OSError):  # only for the message and the doorbell; the lock is held
        _write_holder(fd, doorbell)
    return InstanceLock(home, fd)


def doorbell_name(home: Path | str) -> str:
    """The local socket the app on ``home`` answers: named after the directory (its resolved
    path, hashed), in the user's runtime directory when there is one (``$XDG_RUNTIME_DIR``:
    the user's alone), else a name Qt places in the temporary directory (a named pipe on
    Windows)."""
    digest = hashlib.sha256(str(Path(home).resolve()).encode("utf-8")).hexdigest()[:20]
    name = f"omni-clerk-{digest}"
    runtime = os.environ.get("XDG_RUNTIME_DIR", "") if sys.platform != "win32" else ""
    if runtime and os.path.isdir(runtime) and len(runtime) + len(name) < _SOCKET_PATH_MAX:
        return os.path.join(runtime, name)
    return name


_SOCKET_PATH_MAX = 100  # a unix socket's path is limited to 104–108 bytes


# The pid is written after the locked byte range on Windows (a locked range cannot be read by
# another process there); POSIX flock locks the whole file but does not block reads.
_PID_OFFSET = 1 if sys.platform == "win32" else 0


DOORBELL_MARK = "doorbell"  # the holder's line ends with it when it answers the doorbell


def _write_holder(fd: int, doorbell: bool) -> None:
    mark = f" {DOORBELL_MARK}" if doorbell else ""
    text = f"{os.getpid()} {int(time.time())}{mark}\n".encode("ascii")
    os.lseek(fd, _PID_OFFSET, os.SEEK_SET)
    os.write(fd, text)
    os.ftruncate(fd, _PID_OFFSET + len(text))


def _holder(path: Path) -> tuple[int | None, bool]:
    """The holder's pid and whether it answers the doorbell, as it wrote them."""
    try:
        with open(path, "rb") as f:
            f.seek(_PID_OFFSET)
            words = f.read(64).split()
    except OSError:
        return None, False
    rings = DOORBELL_MARK.encode("ascii") in words[2:3]
    try:
        return (int(words[0]) if words else None), rings
    except ValueError:
        return None, rings


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
