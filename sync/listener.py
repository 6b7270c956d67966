"""The live listener: while the hub answers, the terminal long-polls its store's changes feed
and applies each change at once (``SyncEngine.pull_live``), reporting what it pulled.

One thread; Qt-free. After a failure it backs off (full jitter, Retry-After a floor) and
keeps trying at the backoff's pace — the scheduler's rounds every ``sync_interval_s`` stay the
fallback and run regardless. A terminal not enrolled, or revoked, stops listening. A hub that
answers an empty page at once (one without long-poll) is asked again no sooner than
``min_gap_s``: never a busy loop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from clerk.errors import ClerkError, NotEnrolledError
from sync.backoff import Backoff
from sync.engine import PullResult, SyncReport
from sync.errors import DeviceRevokedError, RetryableHubError

WAIT_S = 20.0  # each long-poll: under the hub's 25 s and most proxies' idle timeouts
MIN_GAP_S = 1.0


class LivePullable(Protocol):
    def pull_live(self, wait_s: float) -> PullResult | None: ...


class LiveListener:
    def __init__(
        self,
        engine: LivePullable,
        *,
        on_report: Callable[[SyncReport], None],
        on_error: Callable[[ClerkError], None] | None = None,
        wait_s: float = WAIT_S,
        min_gap_s: float = MIN_GAP_S,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.on_report = on_report
        self.on_error = on_error
        self.wait_s = wait_s
        self.min_gap_s = min_gap_s
        self.backoff = backoff or Backoff(base=1.0, cap=60.0)
        self.clock = clock
        self.failures = 0

    def run_forever(self, stop: threading.Event) -> None:
        """Listen until ``stop`` is set (checked between long-polls: at most ``wait_s`` and
        the client's timeout late) or the terminal is not enrolled / revoked."""
        while not stop.is_set():
            started = self.clock()
            try:
                pulled = self.engine.pull_live(self.wait_s)
            except (NotEnrolledError, DeviceRevokedError):
                return
            except ClerkError as exc:
                self.failures += 1
                if self.on_error is not None:
                    self.on_error(exc)
                retry_after = exc.retry_after if isinstance(exc, RetryableHubError) else None
                stop.wait(self.backoff.delay(self.failures, retry_after))
                continue
            self.failures = 0
            if pulled is not None:
                self.on_report(SyncReport(pulled=pulled, caught_up=pulled.caught_up))
            elif self.clock() - started < self.min_gap_s:
                stop.wait(self.min_gap_s)
