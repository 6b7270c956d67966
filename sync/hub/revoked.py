"""What one hub process knows of revoked credentials (devices, write keys).

A credential's owner is read once per process and kept; whether it was revoked since comes from
a set of revoked ids that is re-read whole when it is ``every`` seconds old — one query for
every device or key, not one per request — so a revoke reaches every hub process within
``every`` seconds. The process that revokes refuses at once (:meth:`RevokedSet.revoke_here`),
and keeps refusing even if a re-read that began before the revoke's commit lands after it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

ReadIds = Callable[[], Sequence[Sequence[Any]]]


class RevokedSet:
    """The ids revoked as of at most ``every`` seconds ago (monotonic clock), plus those
    revoked by this process. Thread-safe; the re-read runs outside the lock."""

    def __init__(self, every: float) -> None:
        self.every = every
        self._ids: frozenset[str] = frozenset()  # as read at _read_at
        self._here: frozenset[str] = frozenset()  # revoked by this process: refused at once
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def due(self) -> bool:
        """Whether the next :meth:`check` would read the database."""
        return time.monotonic() - self._read_at >= self.every

    def age(self) -> float:
        """Seconds since the set was read (infinite before the first read)."""
        return time.monotonic() - self._read_at

    def known(self, item_id: str) -> bool:
        """Revoked, by what this process knows now (never reads)."""
        return item_id in self._ids or item_id in self._here

    def check(self, item_id: str, read_ids: ReadIds) -> bool:
        """Revoked: the set re-read with ``read_ids`` (rows whose first column is an id) first
        when it is due."""
        clock = time.monotonic()
        if clock - self._read_at >= self.every:
            ids = frozenset(str(r[0]) for r in read_ids())
            with self._lock:
                if clock > self._read_at:  # a newer re-read may have landed meanwhile
                    self._ids = ids
                    self._read_at = clock
        return self.known(item_id)

    def revoke_here(self, item_id: str) -> None:
        """Revoked by this process: refused here from now on, whatever a re-read says."""
        with self._lock:
            self._here = self._here | {item_id}
