"""Scheduler: when the sync worker thread runs ``SyncEngine.sync_once`` (Qt-free).

The decisions are plain methods driven by an injectable clock, so tests run them with a fake
clock; ``run_forever`` is the loop a worker thread runs until its stop event is set.

LiveListener: the sync worker's second lane while online — it long-polls the store's changes
feed and applies each change at once (``SyncEngine.pull_live``), reporting what it pulled. After
a failure it backs off (full jitter, Retry-After a floor) and keeps trying at the backoff's pace;
the scheduler's rounds every ``sync_interval_s`` stay the fallback and run regardless. A
terminal not enrolled, or revoked, stops listening; so does the stop event (a failure met while
the app shuts the engine down is not reported). A hub that answers an empty page at once (one
without long-poll) is asked again no sooner than ``min_gap_s``: never a busy loop.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from clerk.errors import ClerkError, NotEnrolledError
from sync.backoff import Backoff
from sync.errors import DeviceRevokedError, RetryableHubError, SyncError, TransportError

if TYPE_CHECKING:
    from sync.engine import PullResult, SyncReport


class Syncable(Protocol):
    def sync_once(self) -> SyncReport: ...


class Scheduler:
    """Decides when the sync worker runs and runs it (Qt-free; the clock is injectable).

    * healthy and online: every ``interval_s``, and at once after ``wake()`` (a record);
    * after a failure: full-jitter exponential backoff (sync.backoff), never sooner than the
      hub's Retry-After; ``wake()`` does not cut a backoff short (``wake(force=True)`` does —
      the "Sync now" button);
    * ``online`` is learned from real requests: False after a TransportError, True after any
      answer from the hub.
    Environment errors (ClerkError: hub, network, disk) are caught and reported through
    ``on_error``; anything else is a bug and propagates.
    """

    def __init__(
        self,
        engine: Syncable,
        *,
        interval_s: float = 30.0,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_report: Callable[[SyncReport], None] | None = None,
        on_error: Callable[[ClerkError], None] | None = None,
    ) -> None:
        self.engine = engine
        self.interval_s = interval_s
        rng = getattr(engine, "rng", None)
        if backoff is None:
            backoff = Backoff(rng=rng) if isinstance(rng, random.Random) else Backoff()
        self.backoff = backoff
        self.clock = clock
        self.on_report = on_report
        self.on_error = on_error
        self.failures = 0
        self.online: bool | None = None
        self.last_error: ClerkError | None = None
        self.last_report: SyncReport | None = None
        self.runs = 0
        self._lock = threading.Lock()
        self._next_run_at = clock()
        self._woken = False  # a wake() arrived while a run was under way
        self._wakeup = threading.Event()

    @property
    def next_run_at(self) -> float:
        with self._lock:
            return self._next_run_at

    def due_in(self) -> float:
        """Seconds until the next run (0: now)."""
        return max(0.0, self.next_run_at - self.clock())

    def wake(self, *, force: bool = False) -> None:
        """Something was recorded: sync now if healthy (or regardless, with ``force``)."""
        with self._lock:
            if force or self.failures == 0:
                self._woken = True
                self._next_run_at = min(self._next_run_at, self.clock())
        self._wakeup.set()

    def record_success(self, report: SyncReport) -> float:
        """Note a successful run; returns the delay chosen before the next one."""
        with self._lock:
            self.failures = 0
            self.online = True
            self.last_error = None
            self.last_report = report
            delay = 0.0 if self._woken else self.interval_s
            self._woken = False
            self._next_run_at = self.clock() + delay
        return delay

    def record_failure(self, exc: ClerkError) -> float:
        """Note a failed run; returns the backoff delay chosen before the next one."""
        with self._lock:
            self.failures += 1
            self.last_error = exc
            if isinstance(exc, TransportError):
                self.online = False
            elif isinstance(exc, SyncError):
                self.online = True
            retry_after = getattr(exc, "retry_after", None)
            delay = self.backoff.delay(
                self.failures, retry_after if isinstance(retry_after, float | int) else None
            )
            self._woken = False
            self._next_run_at = self.clock() + delay
        return delay

    def run_once(self) -> SyncReport | None:
        """One sync now; returns its report, or None when it failed (see ``last_error``)."""
        with self._lock:
            self._woken = False
        self.runs += 1
        try:
            report = self.engine.sync_once()
        except ClerkError as exc:
            self.record_failure(exc)
            if self.on_error is not None:
                self.on_error(exc)
            return None
        self.record_success(report)
        if self.on_report is not None:
            self.on_report(report)
        return report

    def run_forever(self, stop_event: threading.Event, *, poll_s: float = 0.5) -> None:
        """The worker thread's loop; returns soon after ``stop_event`` is set."""
        while not stop_event.is_set():
            delay = self.due_in()
            if delay > 0:
                self._wakeup.wait(min(delay, poll_s))
                self._wakeup.clear()
                continue
            self.run_once()


WAIT_S = 20.0  # each long-poll: under the hub's 25 s and most proxies' idle timeouts
MIN_GAP_S = 1.0


class LivePullable(Protocol):
    def pull_live(self, wait_s: float) -> PullResult | None: ...


class LiveListener:
    def __init__(
        self,
        engine: LivePullable,
        *,
        on_report: Callable[[PullResult], None],
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
            except Exception as exc:
                if stop.is_set():  # shutting down: the engine's files and client close under us
                    return
                if not isinstance(exc, ClerkError):
                    raise
                self.failures += 1
                if self.on_error is not None:
                    self.on_error(exc)
                retry_after = exc.retry_after if isinstance(exc, RetryableHubError) else None
                stop.wait(self.backoff.delay(self.failures, retry_after))
                continue
            self.failures = 0
            if pulled is not None and not stop.is_set():
                self.on_report(pulled)
            elif self.clock() - started < self.min_gap_s:
                stop.wait(self.min_gap_s)
