"""Scheduler: when the sync worker thread runs ``SyncEngine.sync_once`` (Qt-free).

The decisions are plain methods driven by an injectable clock, so tests run them with a fake
clock; ``run_forever`` is the loop a worker thread runs until its stop event is set.

LiveListener: the sync worker's second lane while online — it long-polls the store's changes
feed and applies each change at once (``SyncEngine.pull_live``), reporting what it pulled. After
a failure it backs off (full jitter, Retry-After a floor) and keeps trying at the backoff's pace;
the scheduler's rounds every ``sync_interval_s`` stay the fallback and run regardless. With the
scheduler's ``hold`` and ``on_unreachable`` (the app's wiring), a long-poll that finds no hub
sends the terminal offline, and the lane waits for the probe's answer and the round after it. A
terminal not enrolled, or revoked, stops listening; so does the stop event (a failure met while
the app shuts the engine down is not reported). A hub that answers an empty page at once (one
without long-poll) is asked again no sooner than ``min_gap_s``: never a busy loop.
"""

from __future__ import annotations

import errno
import math
import random
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from clerk.errors import ClerkError, NotEnrolledError
from sync.backoff import Backoff
from sync.errors import DeviceRevokedError, RetryableHubError, SyncError, TransportError
from sync.protocol import RECONNECT_MAX_S, RECONNECT_MIN_S

if TYPE_CHECKING:
    from sync.engine import PullResult, SyncReport


PROBE_BASE_S = 1.0
PROBE_CAP_S = 8.0
# Offline, the round after a probe answers runs within the window the hub's answer asks (GET
# /healthz ``reconnect_s``: sized by the hub from its fleet and what it takes; drawn by
# reconnect_delay), at most RECONNECT_MAX_S; within this many seconds when it does not say (an
# older hub). When a hub comes back from a restart every terminal's probe answers within the
# same second or two, and their rounds at once — hundreds of pushes and pulls in that second —
# were shed with 503 (docs/benchmarks.md, bench/reconnect_herd.py).
RECONNECT_SPREAD_S = RECONNECT_MIN_S
LIVE_HOLD_S = 1.0  # offline, the live lane asks again this often whether it may go


def offline_reason(exc: BaseException) -> str:
    """Why a request did not reach the hub: "no_network" when this machine has no route or
    name service (no network at all), else "hub_unreachable" (the network is up, the hub is
    not answering: refused, timed out, down)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return "no_network"
        if isinstance(seen, OSError) and seen.errno in _NO_NETWORK:
            return "no_network"
        seen = seen.__cause__ or seen.__context__
    return "hub_unreachable"


_NO_NETWORK = frozenset({errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTUNREACH})


def reconnect_window(asked: object, default: float = RECONNECT_SPREAD_S) -> float:
    """The window the round after a probe's answer is drawn in: what the hub asked (the
    probe's return, seconds: ``protocol.Health.reconnect_s``), at most ``RECONNECT_MAX_S`` — a
    hub cannot park a terminal — else (it did not say) ``default``."""
    if isinstance(asked, bool) or not isinstance(asked, int | float) or not math.isfinite(asked):
        return default
    return min(RECONNECT_MAX_S, max(0.0, float(asked)))


def reconnect_delay(window: float, u: float, every_s: float) -> float:
    """Where in the reconnect window (seconds) a returning terminal's round goes, for a draw
    ``u`` uniform in [0, 1), by a terminal that runs a round every ``every_s`` seconds once back.

    Not uniform: each terminal already back adds its own rounds (one every ``every_s``) to what
    the hub serves, so a uniform window ends with the whole fleet's steady load *and* the last
    returning rounds on top — the window's end was where a restarted hub shed (docs/
    benchmarks.md). The density here falls as the returned terminals' load grows back,
    ``f(t) ∝ exp(-t / every_s)`` on [0, window): with a fleet of such terminals the hub sees
    returning rounds plus returned terminals' rounds at one flat rate through the window, the
    steady load divided by ``1 - exp(-window / every_s)`` — never above the uniform window's
    end (steady × (1 + every_s / window)), and the median terminal back sooner. A terminal
    that syncs rarely against the window (``every_s`` ≫ ``window``) draws nearly uniformly."""
    if window <= 0:
        return 0.0
    if not every_s > 0 or not math.isfinite(every_s):
        return window * u
    mass = -math.expm1(-window / every_s)  # 1 - exp(-window / every_s): the window's share
    return min(window, -every_s * math.log1p(-u * mass))


class Syncable(Protocol):
    def sync_once(self) -> SyncReport: ...


class Scheduler:
    """Decides when the sync worker runs and runs it (Qt-free; the clock is injectable).

    * healthy and online: every ``interval_s``, and at once after ``wake()`` (a record);
    * after a failure: full-jitter exponential backoff (sync.backoff), never sooner than the
      hub's Retry-After; ``wake()`` does not cut a backoff short (``wake(force=True)`` does —
      the "Sync now" button);
    * ``online`` is learned from real requests: False after a TransportError, True after any
      answer from the hub;
    * while offline, a cheap reachability ``probe`` (the hub's /healthz) runs at its own short
      backoff (``probe_backoff``: 1 s doubling to 8 s, jittered) instead of waiting out the
      round's backoff, and no round runs until it answers (``round_due_in``); then one runs
      within the window the probe's answer asks (the hub's ``reconnect_s``, sized from its
      fleet; at most ``RECONNECT_MAX_S``), else within ``reconnect_spread_s``, denser early
      and thinning as the returned terminals' own rounds come back (:func:`reconnect_delay`) — a
      fleet coming back to a restarted hub does not arrive in the same second, whether by probe
      or by a round's short first backoffs — reconnecting syncs within seconds, not at the
      next interval; "Sync now" runs one at once. ``on_reachable(online, why)`` reports each change
      (``why``: "no_network" or "hub_unreachable" while offline, see :func:`offline_reason`).
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
        probe: Callable[[], object] | None = None,
        probe_backoff: Backoff | None = None,
        on_reachable: Callable[[bool, str], None] | None = None,
        reconnect_spread_s: float = RECONNECT_SPREAD_S,
        reconnect_every_s: float | None = None,
    ) -> None:
        self.engine = engine
        self.interval_s = interval_s
        # The pace a returning round is drawn for (reconnect_delay): the terminal's own rounds,
        # unless told (math.inf: uniformly within the window, as before — for comparisons).
        self.reconnect_every_s = interval_s if reconnect_every_s is None else reconnect_every_s
        self.probe = probe
        self.probe_backoff = probe_backoff or Backoff(base=PROBE_BASE_S, cap=PROBE_CAP_S)
        self.on_reachable = on_reachable
        self.reconnect_spread_s = reconnect_spread_s
        self.probes = 0  # consecutive failed probes
        self._next_probe_at = 0.0
        rng = getattr(engine, "rng", None)
        if backoff is None:
            backoff = Backoff(rng=rng) if isinstance(rng, random.Random) else Backoff()
        self.backoff = backoff
        self.clock = clock
        self.on_report = on_report
        self.on_error = on_error
        self.failures = 0
        self.online: bool | None = None
        self.offline_why = ""
        self.last_error: ClerkError | None = None
        self.last_report: SyncReport | None = None
        self.runs = 0
        self._lock = threading.Lock()
        self._next_run_at = clock()
        self._woken = False  # a wake() arrived while a run was under way
        self._forced = False  # "Sync now": a round runs even offline
        self._reconnect_at: float | None = None  # the round after a probe's answer, not yet run
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
                self._forced = self._forced or force
                self._next_run_at = min(self._next_run_at, self.clock())
        self._wakeup.set()

    def _reachable(self, online: bool, why: str = "") -> None:
        """Note what the last request learned about the hub; report a change."""
        changed = self.online is not online or (not online and why != self.offline_why)
        self.online = online
        self.offline_why = "" if online else why
        if online:
            self.probes = 0
        if changed and self.on_reachable is not None:
            self.on_reachable(online, self.offline_why)

    def record_success(self, report: SyncReport) -> float:
        """Note a successful run; returns the delay chosen before the next one."""
        self._reachable(True)
        with self._lock:
            self.failures = 0
            self.last_error = None
            self.last_report = report
            delay = 0.0 if self._woken else self.interval_s
            self._woken = False
            self._next_run_at = self.clock() + delay
        return delay

    def record_failure(self, exc: ClerkError) -> float:
        """Note a failed run; returns the backoff delay chosen before the next one."""
        if isinstance(exc, TransportError):
            self._reachable(False, offline_reason(exc))
            self._next_probe_at = self.clock() + self.probe_backoff.delay(max(1, self.probes))
        elif isinstance(exc, SyncError):
            self._reachable(True)
        with self._lock:
            self.failures += 1
            self.last_error = exc
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
            self._woken = self._forced = False
            self._reconnect_at = None
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

    def probe_once(self) -> bool:
        """Offline: ask the hub whether it answers (cheap); True when it does — the next
        round is due within :func:`reconnect_window` then, drawn by :func:`reconnect_delay`
        (whatever the round's backoff was: it was for a hub that did not answer). A failed
        probe schedules the next one."""
        if self.probe is None:
            return False
        asked: object = None
        try:
            asked = self.probe()
        except TransportError as exc:
            self.probes += 1
            self._next_probe_at = self.clock() + self.probe_backoff.delay(self.probes)
            self._reachable(False, offline_reason(exc))
            return False
        except ClerkError:  # the hub answered, with an error: it is reachable
            pass
        self._reachable(True)
        window = reconnect_window(asked, self.reconnect_spread_s)
        spread = reconnect_delay(window, self.backoff.rng.random(), self.reconnect_every_s)
        with self._lock:
            self._next_run_at = self._reconnect_at = self.clock() + spread
        self._wakeup.set()
        return True

    def note_unreachable(self, exc: TransportError) -> None:
        """Another lane's request (the live long-poll) did not reach the hub: offline, as after
        a failed round — no round until the probe answers (its first at the probe's backoff),
        and the live lane held with it (:meth:`live_hold`). A hub that restarts answers every
        parked long-poll as it stops: the live lane is the first to find it gone."""
        if self.probe is None:
            return
        if self.online is not False:
            self._next_probe_at = self.clock() + self.probe_backoff.delay(max(1, self.probes))
        self._reachable(False, offline_reason(exc))
        self._wakeup.set()

    def live_hold(self) -> float:
        """Seconds the live lane (:class:`LiveListener`) waits before its next long-poll, 0 to
        go: offline, until the probe answers (asked again every ``LIVE_HOLD_S``), then until
        the round after the answer — spread over the hub's window — has started. A fleet's
        long-polls come back to a restarted hub with its rounds, not all within the live
        lane's first backoffs (a second or two)."""
        if self.probe is None:
            return 0.0
        if self.online is False and not self._forced:
            return LIVE_HOLD_S
        with self._lock:
            at = self._reconnect_at
        return 0.0 if at is None else max(0.0, at - self.clock())

    def round_due_in(self) -> float:
        """Seconds until :meth:`run_forever` runs the next round: :meth:`due_in` — but while
        offline with a probe, none (inf) until the probe answers or "Sync now"."""
        if self.online is False and self.probe is not None and not self._forced:
            return math.inf
        return self.due_in()

    def probe_due_in(self) -> float | None:
        """Seconds until the next reachability probe; None when none is due (online)."""
        if self.probe is None or self.online is not False:
            return None
        return max(0.0, self._next_probe_at - self.clock())

    def run_forever(self, stop_event: threading.Event, *, poll_s: float = 0.5) -> None:
        """The worker thread's loop; returns soon after ``stop_event`` is set."""
        while not stop_event.is_set():
            delay = self.round_due_in()
            if delay > 0:
                probe_in = self.probe_due_in()
                if probe_in is not None and probe_in <= 0 and self.probe_once():
                    continue
                wait = delay if probe_in is None else min(delay, max(probe_in, 0.01))
                self._wakeup.wait(min(wait, poll_s))
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
        hold: Callable[[], float] | None = None,
        on_unreachable: Callable[[TransportError], None] | None = None,
    ) -> None:
        self.engine = engine
        self.on_report = on_report
        self.on_error = on_error
        self.wait_s = wait_s
        self.min_gap_s = min_gap_s
        self.backoff = backoff or Backoff(base=1.0, cap=60.0)
        self.clock = clock
        self.hold = hold  # seconds to wait before the next long-poll (Scheduler.live_hold)
        self.on_unreachable = on_unreachable  # a long-poll found no hub (Scheduler's)
        self.failures = 0

    def run_forever(self, stop: threading.Event) -> None:
        """Listen until ``stop`` is set (checked between long-polls: at most ``wait_s`` and
        the client's timeout late) or the terminal is not enrolled / revoked."""
        while not stop.is_set():
            held = 0.0 if self.hold is None else self.hold()
            if held > 0:
                stop.wait(min(held, LIVE_HOLD_S))
                continue
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
                if isinstance(exc, TransportError) and self.on_unreachable is not None:
                    self.on_unreachable(exc)
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
