"""SQLite's WAL copied back off the writers' path: one checkpointer thread per hub process.

With SQLite's own automatic checkpoint, the connection whose ``COMMIT`` takes the WAL past
``wal_autocheckpoint`` pages copies the WAL back into the database file and ``fsync``\\ s it
inside that ``COMMIT`` — and, since the trigger is the WAL's size, not what is left to copy,
every later ``COMMIT`` of every process does so again (a few pages and one more ``fsync`` of
the database each) until a writer finds the WAL wholly copied and starts it over. On a busy
disk those ``fsync``\\ s took 100–600 ms, inside the write lock's holder's ``COMMIT``, with the
process's batches waiting for it (docs/benchmarks.md, twelfth session).

So the hub's connections say ``wal_autocheckpoint = 0`` and a :class:`Checkpointer` — a daemon
thread with a connection of its own — looks at the WAL every ``interval_s`` (the wal-index's
header in the ``-shm`` file: frames in the WAL, frames copied; :class:`WalIndex`) and

- copies it back (``PRAGMA wal_checkpoint(PASSIVE)``: writers and readers go on meanwhile)
  when ``pages`` frames wait to be copied, or when the WAL has been still for ``idle_s`` with
  frames not copied (a quiet hub leaves none behind);
- starts it over once it holds ``pages`` frames (``RESTART``, at most every
  ``restart_every_s``): under steady writes a passive copy never finds a moment with nothing
  left, so no writer would start the WAL over by itself and the file would grow without bound.
  A passive copy first, then ``RESTART`` takes the write lock, copies the few frames written
  since, and checks that no reader is still on the WAL. It waits for nothing: with
  ``busy_timeout = 0`` a writer or a reader in the way makes it give up at once (the WAL then
  wholly copied, so the next writer starts it over when the readers have moved on), and a
  reader pinned for minutes holds the WAL's size, as with SQLite's own checkpoint, never the
  writers.

Figures (``CLERK_HUB_CHECKPOINT_TIMES`` names a file): one line a checkpoint, ``<unix time>
<ms> <mode> <frames in the WAL before> <frames copied before> <busy>``.
A checkpoint's failure is logged and tried again; it never reaches a request (the WAL is the
database's: nothing acknowledged depends on the copy).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import struct
import threading
import time
from typing import IO

log = logging.getLogger(__name__)

CHECKPOINT_TIMES_ENV = "CLERK_HUB_CHECKPOINT_TIMES"
CHECKPOINTER_ENV = "CLERK_HUB_CHECKPOINTER"  # "0": SQLite's own, in the committing writer

# The wal-index header (https://www.sqlite.org/walformat.html): two copies of a 48-byte
# WalIndexHdr, then WalCkptInfo; native byte order. iVersion, mxFrame; nBackfill.
_WAL_INDEX_VERSION = 3007000
_HDR = struct.Struct("=I12xI")  # iVersion at 0, mxFrame at 16
_BACKFILL = struct.Struct("=I")  # nBackfill at 96
RESTART_POLL_S = 0.002  # a RESTART that found the write lock taken, tried again this soon
INSIST_AFTER = 4  # a WAL this many times its size: RESTART waits up to INSIST_MS for its turn
INSIST_MS = 20
FAILED_PAUSE_S = 1.0  # after a checkpoint failed (logged), the next try this much later


def checkpointer_enabled() -> bool:
    """Whether SQLite hubs copy the WAL back on a thread of their own (the default) rather than
    in the committing writer (``CLERK_HUB_CHECKPOINTER=0``)."""
    return os.environ.get(CHECKPOINTER_ENV, "1").strip() not in ("0", "off", "no", "false")


class WalIndex:
    """The WAL's frames and the frames copied back, read from the ``-shm`` file of ``path``
    without a lock (two aligned 32-bit words: a read may be a moment old, never torn). None
    when there is no such file yet or its format is not the one documented."""

    def __init__(self, path: str) -> None:
        self._path = path + "-shm"
        self._fd: int | None = None

    def frames(self) -> tuple[int, int] | None:
        """(frames in the WAL, frames of them copied to the database file), or None."""
        if not hasattr(os, "pread"):  # (Windows)
            return None
        if self._fd is None:
            try:
                self._fd = os.open(self._path, os.O_RDONLY)
            except OSError:
                return None
        try:
            head = os.pread(self._fd, 100, 0)
        except OSError:
            self.close()
            return None
        if len(head) < 100:
            return None
        version, mx_frame = _HDR.unpack_from(head, 0)
        if version != _WAL_INDEX_VERSION:
            return None
        (backfilled,) = _BACKFILL.unpack_from(head, 96)
        return mx_frame, backfilled

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)


class Checkpointer:
    """The WAL of ``path`` copied back and started over on a daemon thread (module docstring).
    :meth:`start` once, :meth:`stop` to end it (a last passive copy first)."""

    def __init__(
        self,
        path: str,
        *,
        pages: int,
        interval_s: float = 0.05,
        idle_s: float = 1.0,
        restart_every_s: float = 0.25,
        restart_round_s: float = 0.1,
    ) -> None:
        self.path = path
        self.pages = pages
        self.interval_s = interval_s
        self.idle_s = idle_s
        self.restart_every_s = restart_every_s
        self.restart_round_s = restart_round_s
        self.index = WalIndex(path)
        self.passive = 0  # checkpoints run (for tests and benchmarks)
        self.restarts = 0  # RESTARTs that completed
        self.restarts_busy = 0  # RESTARTs that gave up (a writer or a reader in the way)
        self.failures = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: sqlite3.Connection | None = None
        self._times: IO[str] | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._run, name=f"wal-checkpointer {os.path.basename(self.path)}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread (after its current checkpoint) and close its connection."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    # the thread ---------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 0")  # never waits: a checkpoint in the way gives up
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        return conn

    def _run(self) -> None:
        still_since = time.monotonic()
        last_seen: tuple[int, int] | None = None
        next_restart = 0.0
        try:
            while not self._stop.wait(self.interval_s):
                try:
                    now = time.monotonic()
                    seen = self.index.frames()
                    if seen != last_seen:
                        still_since, last_seen = now, seen
                    if seen is None:  # no -shm yet, or not read here (its format, no pread):
                        if now >= next_restart:  # copy back and start over now and then, blind
                            self.checkpoint("PASSIVE")
                            self._restart()
                            next_restart = time.monotonic() + self.restart_every_s
                        continue
                    frames, copied = seen
                    if frames - copied >= self.pages:
                        self.checkpoint("PASSIVE")
                    elif frames > copied and now - still_since >= self.idle_s:
                        self.checkpoint("PASSIVE")  # a quiet WAL: copy back what is left
                        still_since = now
                    if frames >= self.pages and now >= next_restart:
                        if frames > copied:
                            self.checkpoint("PASSIVE")  # then RESTART has a few frames left
                        self._restart()
                        next_restart = time.monotonic() + self.restart_every_s
                except (sqlite3.Error, OSError) as exc:
                    self.failures += 1
                    log.warning("WAL checkpoint of %s failed: %s", self.path, exc)
                    self._close_conn()
                    self._stop.wait(FAILED_PAUSE_S)  # a failing disk: a line a second, not 20
            last = self.index.frames()
            if last is not None and last[0] > last[1]:
                self.checkpoint("PASSIVE")  # what the hub wrote last, copied before it goes
        except (sqlite3.Error, OSError) as exc:
            log.warning("WAL checkpoint of %s failed: %s", self.path, exc)
        finally:
            self._close_conn()
            self.index.close()
            if self._times is not None:
                self._times.close()

    def _restart(self) -> bool:
        """``RESTART`` tried every ``RESTART_POLL_S`` for ``restart_round_s`` at most (each
        try gives up at once when a writer holds the lock or a reader is on the WAL)."""
        until = time.monotonic() + self.restart_round_s
        seen = self.index.frames()
        # Far past its size (readers always on it, writers always at it): let RESTART wait a
        # little for them, the writers held that long, so that the file stays bounded.
        insist = seen is not None and seen[0] >= INSIST_AFTER * self.pages
        if self._conn is None:
            self._conn = self._connect()
        if insist:
            self._conn.execute(f"PRAGMA busy_timeout = {INSIST_MS}")
        try:
            while not self._stop.is_set():
                if self.checkpoint("RESTART", record_busy=False):
                    return True
                if time.monotonic() >= until:
                    self._record(0.0, "RESTART", self.index.frames(), True)
                    return False
                time.sleep(RESTART_POLL_S)
            return False
        finally:
            if insist and self._conn is not None:
                self._conn.execute("PRAGMA busy_timeout = 0")

    def checkpoint(self, mode: str, *, record_busy: bool = True) -> bool:
        """One ``PRAGMA wal_checkpoint(mode)`` on the thread's connection; whether it completed
        (RESTART: False when a writer or a reader was in the way)."""
        if self._conn is None:
            self._conn = self._connect()
        before = self.index.frames()
        started = time.perf_counter()
        row = self._conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        took = time.perf_counter() - started
        busy = bool(row and row[0])
        if mode == "PASSIVE":
            self.passive += 1
        elif busy:
            self.restarts_busy += 1
        else:
            self.restarts += 1
        if record_busy or not busy:
            self._record(took, mode, before, busy)
        return not busy

    def _record(self, took: float, mode: str, before: tuple[int, int] | None, busy: bool) -> None:
        path = os.environ.get(CHECKPOINT_TIMES_ENV)
        if not path:
            return
        if self._times is None:
            self._times = open(path, "a", buffering=1, encoding="ascii")  # noqa: SIM115
        frames, copied = before if before is not None else (-1, -1)
        self._times.write(
            f"{time.time():.3f} {took * 1000:.3f} {mode} {frames} {copied} {int(busy)}\n"
        )

    def _close_conn(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
