"""Member-code instances (jti) this terminal has already seen: one scan, one visit.

Terminal-only state on top of the shared codec (:mod:`clerk.shared.membercode`).
"""

from __future__ import annotations

import threading

from clerk.shared.membercode import SKEW_S


class JtiTracker:
    """Remembers which code instances (jti) this terminal has already seen.

    A camera reads the same code on the customer's phone many times a second; only the first
    read is a new visit. Entries are forgotten once their code can no longer verify
    (``exp + skew``), so the map stays as small as the number of live codes.
    """

    def __init__(self, *, skew: int = SKEW_S) -> None:
        self._skew = skew
        self._seen: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()
        self._next_prune = float("-inf")

    def seen(self, jti: str, exp: int, now: float) -> bool:
        """Record ``jti``; True if it was already seen (same customer, same visit)."""
        with self._lock:
            if now >= self._next_prune:
                self._prune(now)
                self._next_prune = now + 1.0
            entry = self._seen.get(jti)
            if entry is not None and now <= entry[1] + self._skew:
                return True
            self._seen[jti] = (now, exp)
            return False

    def first_seen(self, jti: str) -> float | None:
        with self._lock:
            entry = self._seen.get(jti)
            return None if entry is None else entry[0]

    def prune(self, now: float) -> int:
        """Forget every code that has expired at ``now``; returns how many were dropped."""
        with self._lock:
            return self._prune(now)

    def _prune(self, now: float) -> int:
        stale = [j for j, (_, exp) in self._seen.items() if now > exp + self._skew]
        for j in stale:
            del self._seen[j]
        return len(stale)

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)
