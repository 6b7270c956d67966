"""Exponential backoff with full jitter (the AWS architecture blog's "Full Jitter").

The n-th consecutive failure (n = 1, 2, …) waits a uniformly random time in
``[0, min(cap, base * factor ** (n - 1))]``: many terminals coming back after an outage spread
their retries instead of stampeding the hub. A Retry-After from the hub is a floor the jitter
is added to (never the wait itself: every terminal shed at once would come back at once).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

BASE_S = 1.0
FACTOR = 2.0
CAP_S = 300.0


@dataclass
class Backoff:
    base: float = BASE_S
    factor: float = FACTOR
    cap: float = CAP_S
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.base <= 0 or self.factor < 1 or self.cap < self.base:
            raise ValueError("backoff needs base > 0, factor >= 1 and cap >= base")

    def ceiling(self, failures: int) -> float:
        """The longest wait after ``failures`` consecutive failures (0 failures: no wait)."""
        if failures <= 0:
            return 0.0
        n = failures - 1
        # Compare exponents first: factor ** n overflows a float for large n.
        if self.factor > 1 and n >= math.log(self.cap / self.base, self.factor):
            return self.cap
        return min(self.cap, self.base * self.factor**n)

    def delay(self, failures: int, retry_after: float | None = None) -> float:
        """A jittered wait after ``failures`` consecutive failures: ``retry_after`` (when given)
        plus the jitter, so terminals told the same Retry-After spread out.

        The wait is capped at ``cap`` so a hostile hub cannot park a terminal.
        """
        wait = self.rng.uniform(0.0, self.ceiling(failures))
        if retry_after is not None and retry_after > 0:
            wait = min(retry_after + wait, self.cap)
        return wait
