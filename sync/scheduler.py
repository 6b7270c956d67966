"""Scheduler: when the sync worker thread runs ``SyncEngine.sync_once`` (Qt-free).

The decisions are plain methods driven by an injectable clock, so tests run them with a fake
clock; ``run_forever`` is the loop a worker thread runs until its stop event is set.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from clerk.errors import ClerkError
from sync.backoff import Backoff
from sync.errors import SyncError, TransportError

if TYPE_CHECKING:
    from sync.engine import SyncReport


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
