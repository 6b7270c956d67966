"""Backoff bounds and jitter; the sync Scheduler's decisions with a fake clock."""

from __future__ import annotations

import errno
import math
import random
import socket
import statistics
import threading
from collections.abc import Callable

import pytest

from clerk.errors import StorageError
from sync.backoff import Backoff
from sync.engine import PullResult, PushResult, SyncReport, stuck_since
from sync.errors import RetryableHubError, TransportError, error_for_status
from sync.protocol import RECONNECT_MAX_S
from sync.scheduler import (
    RECONNECT_SPREAD_S,
    Scheduler,
    offline_reason,
    reconnect_delay,
    reconnect_window,
)

DEADLINE_S = 10.0


class TestBackoff:
    def test_ceiling_doubles_up_to_the_cap(self) -> None:
        b = Backoff()
        assert [b.ceiling(n) for n in range(0, 12)] == [
            0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300
        ]  # fmt: skip

    def test_huge_failure_counts_do_not_overflow(self) -> None:
        assert Backoff().ceiling(10_000) == 300.0
        assert Backoff(factor=1.0).ceiling(10_000) == 1.0

    @pytest.mark.parametrize("failures", [1, 2, 5, 9, 10, 50])
    def test_full_jitter_stays_within_bounds(self, failures: int) -> None:
        b = Backoff(rng=random.Random(7))
        ceiling = b.ceiling(failures)
        delays = [b.delay(failures) for _ in range(2000)]
        assert all(0.0 <= d <= ceiling for d in delays)
        # Full jitter: spread over the whole range, mean near the middle.
        assert min(delays) < 0.05 * ceiling and max(delays) > 0.95 * ceiling
        assert statistics.mean(delays) == pytest.approx(ceiling / 2, rel=0.1)

    def test_seeded_rng_is_deterministic(self) -> None:
        a = [Backoff(rng=random.Random(3)).delay(n) for n in range(1, 10)]
        b = [Backoff(rng=random.Random(3)).delay(n) for n in range(1, 10)]
        assert a == b

    def test_retry_after_is_a_floor_and_is_capped(self) -> None:
        b = Backoff(rng=random.Random(1))
        assert all(b.delay(1, retry_after=120) >= 120 for _ in range(100))
        assert b.delay(1, retry_after=86_400) == 300.0
        assert b.delay(1, retry_after=0) <= 1.0

    def test_retry_after_is_spread_by_the_jitter(self) -> None:
        """Terminals shed together with one Retry-After do not come back together."""
        b = Backoff(rng=random.Random(5))
        delays = [b.delay(1, retry_after=1) for _ in range(1000)]
        assert all(1.0 <= d <= 2.0 for d in delays)
        assert max(delays) - min(delays) > 0.9 and statistics.pstdev(delays) > 0.25

    @pytest.mark.parametrize("kw", [{"base": 0}, {"factor": 0.5}, {"base": 10, "cap": 5}])
    def test_invalid(self, kw: dict[str, float]) -> None:
        with pytest.raises(ValueError):
            Backoff(**kw)  # type: ignore[arg-type]


class TestStuck:
    def test_healthy_or_empty(self) -> None:
        assert stuck_since(0, None, None, 10_000) is None
        assert stuck_since(3, 9_900, None, 10_000) is None  # waiting 100 s only
        assert stuck_since(3, 1_000, 9_800, 10_000) is None  # something settled 200 s ago

    def test_stuck(self) -> None:
        assert stuck_since(3, 1_000, None, 10_000) == 1_000
        assert stuck_since(3, 1_000, 5_000, 10_000) == 5_000


# -- scheduler ---------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


REPORT = SyncReport(PushResult(), PullResult(caught_up=True), 0, True)


class FakeEngine:
    """Plays back outcomes: a SyncReport is returned, an exception raised."""

    def __init__(self, *outcomes: SyncReport | BaseException) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0
        self.during: list[Callable[[], object]] = []  # run inside sync_once (e.g. a wake)

    def sync_once(self) -> SyncReport:
        self.calls += 1
        for hook in self.during:
            hook()
        out = self.outcomes.pop(0) if self.outcomes else REPORT
        if isinstance(out, BaseException):
            raise out
        return out


def scheduler(engine: FakeEngine, clock: FakeClock, **kw: object) -> Scheduler:
    return Scheduler(engine, clock=clock, backoff=Backoff(rng=random.Random(5)), **kw)  # type: ignore[arg-type]


class TestScheduler:
    def test_first_run_is_due_at_once_then_every_interval(self) -> None:
        clock, engine = FakeClock(), FakeEngine()
        s = scheduler(engine, clock, interval_s=30.0)
        assert s.due_in() == 0
        assert s.run_once() is REPORT
        assert s.online is True and s.failures == 0
        assert s.due_in() == 30.0
        clock.t += 29
        assert s.due_in() == pytest.approx(1.0)

    def test_wake_after_a_record_runs_at_once_when_healthy(self) -> None:
        clock, engine = FakeClock(), FakeEngine()
        s = scheduler(engine, clock)
        s.run_once()
        s.wake()
        assert s.due_in() == 0

    def test_wake_during_a_run_is_not_lost(self) -> None:
        clock, engine = FakeClock(), FakeEngine()
        s = scheduler(engine, clock)
        engine.during.append(s.wake)
        s.run_once()
        assert s.due_in() == 0

    def test_offline_backs_off_with_growing_bounded_jitter(self) -> None:
        clock = FakeClock()
        engine = FakeEngine(*[TransportError("refused") for _ in range(12)])
        s = scheduler(engine, clock)
        delays = []
        for n in range(1, 13):
            assert s.run_once() is None
            assert s.online is False and s.failures == n
            delay = s.due_in()
            assert 0 <= delay <= s.backoff.ceiling(n)
            delays.append(delay)
            clock.t += delay
        assert max(delays) <= 300
        assert max(delays[8:]) > 10  # grew well beyond the first waits

    def test_wake_does_not_cut_a_backoff_short_but_force_does(self) -> None:
        clock = FakeClock()
        err = RetryableHubError(503, error_for_status(503, b"").problem, retry_after=60)
        s = scheduler(FakeEngine(err), clock)
        s.run_once()
        assert s.due_in() >= 60
        s.wake()
        assert s.due_in() >= 60
        s.wake(force=True)
        assert s.due_in() == 0

    def test_retry_after_is_honoured(self) -> None:
        clock = FakeClock()
        err = error_for_status(429, b"", headers={"retry-after": "120"})
        s = scheduler(FakeEngine(err), clock)
        s.run_once()
        assert s.online is True  # the hub answered: throttled, not offline
        assert 120 <= s.due_in() <= 300

    def test_recovery_resets_failures_and_reports(self) -> None:
        clock = FakeClock()
        seen: list[object] = []
        s = scheduler(
            FakeEngine(TransportError("x"), TransportError("y"), REPORT),
            clock,
            on_report=seen.append,
            on_error=seen.append,
        )
        for _ in range(3):
            s.run_once()
            clock.t += s.due_in()
        assert s.failures == 0 and s.online is True and s.last_error is None
        assert [type(x).__name__ for x in seen] == [
            "TransportError",
            "TransportError",
            "SyncReport",
        ]

    def test_storage_errors_back_off_and_bugs_propagate(self) -> None:
        clock = FakeClock()
        s = scheduler(FakeEngine(StorageError("disk full"), KeyError("bug")), clock)
        assert s.run_once() is None and s.failures == 1
        with pytest.raises(KeyError):
            s.run_once()

    def test_run_forever_in_a_worker_thread(self) -> None:
        ran = threading.Event()
        stop = threading.Event()
        engine = FakeEngine()
        engine.during.append(ran.set)
        s = Scheduler(engine, interval_s=3600.0)
        worker = threading.Thread(target=s.run_forever, args=(stop,), kwargs={"poll_s": 0.05})
        worker.start()
        try:
            assert ran.wait(DEADLINE_S)  # the first run is due at once
            ran.clear()
            s.wake()  # a record: runs again long before the hour is up
            assert ran.wait(DEADLINE_S)
            assert engine.calls == 2
        finally:
            stop.set()
            s.wake()
            worker.join(DEADLINE_S)
        assert not worker.is_alive()


def _cut(cause: BaseException) -> TransportError:
    try:
        raise cause
    except BaseException as exc:
        err = TransportError("hub not reached")
        err.__cause__ = exc
        return err


class TestReconnect:
    """Offline, a cheap probe (the hub's /healthz) at a short backoff of its own decides when
    the next round runs — not the round's backoff (up to 5 min) nor the interval."""

    def test_why_offline(self) -> None:
        assert offline_reason(_cut(OSError(errno.ENETUNREACH, "x"))) == "no_network"
        assert offline_reason(_cut(socket.gaierror(-3, "name"))) == "no_network"
        assert offline_reason(_cut(OSError(errno.ECONNREFUSED, "x"))) == "hub_unreachable"
        assert offline_reason(TransportError("timed out")) == "hub_unreachable"

    def test_probe_answers_then_a_round_runs_within_the_spread(self) -> None:
        clock = FakeClock()
        engine = FakeEngine(*[TransportError("refused") for _ in range(9)])
        probes: list[bool] = []
        seen: list[tuple[bool, str]] = []
        up = False

        def probe() -> None:
            probes.append(up)
            if not up:
                raise _cut(OSError(errno.ECONNREFUSED, "refused"))

        s = scheduler(
            engine,
            clock,
            interval_s=3600.0,
            probe=probe,
            on_reachable=lambda online, why: seen.append((online, why)),
        )
        for _ in range(8):  # a long outage: the round's backoff grows towards minutes
            s.run_once()
            clock.t += s.due_in()
        s.run_once()
        assert s.due_in() > 0 and s.online is False
        # Probes keep a short pace meanwhile: never more than 8 s apart.
        for _ in range(5):
            due = s.probe_due_in()
            assert due is not None and due <= 8.0
            clock.t += due
            assert s.probe_once() is False
        up = True
        clock.t += s.probe_due_in() or 0.0
        assert s.probe_once() is True
        assert s.online is True and 0 <= s.due_in() <= RECONNECT_SPREAD_S  # the round, soon
        assert s.probe_due_in() is None  # online: no more probes
        assert seen == [(False, "hub_unreachable"), (True, "")]
        s.wake()  # a record does not cut the spread short (the last round failed) …
        assert 0 <= s.due_in() <= RECONNECT_SPREAD_S
        s.wake(force=True)  # … "Sync now" does
        assert s.due_in() == 0

    def test_offline_no_round_runs_until_the_probe_answers(self) -> None:
        """The round's own short first backoffs (up to 1 s, 2 s …) brought most of a fleet
        back in the second its hub restarted, whatever the probe said: offline, the probe
        alone decides — or "Sync now"."""
        clock = FakeClock()
        up = False

        def probe() -> None:
            if not up:
                raise TransportError("refused")

        engine = FakeEngine(TransportError("refused"), TransportError("refused"))
        s = scheduler(engine, clock, probe=probe)
        s.run_once()
        clock.t += 10.0  # well past the round's backoff (at most 1 s after one failure)
        assert s.due_in() == 0 and s.round_due_in() == float("inf")
        assert s.probe_once() is False and s.round_due_in() == float("inf")
        s.wake(force=True)  # "Sync now": a round, offline or not
        assert s.round_due_in() == 0
        s.run_once()  # it fails again: offline, the probe decides again
        assert engine.calls == 2 and s.round_due_in() == float("inf")
        up = True
        clock.t += s.probe_due_in() or 0.0
        assert s.probe_once() is True and 0 <= s.round_due_in() <= RECONNECT_SPREAD_S

    def test_terminals_back_together_spread_their_first_round(self) -> None:
        """A restarted hub answers every terminal's probe within a second or two: their
        rounds, at once, were a herd it shed with 503. Each now goes within
        RECONNECT_SPREAD_S of its probe's answer, spread over the whole window."""
        clock = FakeClock()
        dues = []
        for seed in range(300):
            s = Scheduler(
                FakeEngine(*[TransportError("refused") for _ in range(6)]),
                clock=clock,
                backoff=Backoff(rng=random.Random(seed)),
                probe=lambda: None,
            )
            for _ in range(5):  # down a while: the round's own backoff is far off
                s.run_once()
                clock.t += s.due_in()
            s.run_once()
            assert s.online is False
            clock.t += s.probe_due_in() or 0.0
            assert s.probe_once() is True
            dues.append(s.round_due_in())
        assert all(0 <= d <= RECONNECT_SPREAD_S for d in dues)
        # every fifth of the window gets about a fifth of the rounds (a terminal that syncs
        # every 30 s draws a 2 s window nearly uniformly: reconnect_delay)
        fifths = [sum(k * RECONNECT_SPREAD_S / 5 <= d < (k + 1) * RECONNECT_SPREAD_S / 5
                      for d in dues) for k in range(5)]  # fmt: skip
        assert all(35 <= n <= 95 for n in fifths), fifths

    def test_the_round_is_spread_over_the_window_the_hub_asks(self) -> None:
        """A hub sizes the window from its fleet (GET /healthz ``reconnect_s``): 2 s was too
        short for 501 terminals whose first rounds came on top of the hub's load. Each
        terminal draws its round within what the hub asks — never past
        RECONNECT_MAX_S — and "Sync now" still goes at once."""
        clock = FakeClock()
        asked = 20.0

        def back_after_a_while(seed: int) -> Scheduler:
            s = Scheduler(
                FakeEngine(TransportError("refused")),
                clock=clock,
                backoff=Backoff(rng=random.Random(seed)),
                probe=lambda: asked,
            )
            s.run_once()
            assert s.online is False
            clock.t += s.probe_due_in() or 0.0
            assert s.probe_once() is True
            return s

        dues = [back_after_a_while(seed).round_due_in() for seed in range(300)]
        assert all(0 <= d <= asked for d in dues)
        fifths = [sum(k * asked / 5 <= d < (k + 1) * asked / 5 for d in dues) for k in range(5)]
        # over the whole window, thinning a little (a round every 30 s against a 20 s window:
        # ~26 % of the rounds in its first fifth, ~15 % in its last)
        assert all(35 <= n <= 95 for n in fifths), fifths
        s = back_after_a_while(1)
        s.wake()  # a record does not cut the wait short …
        assert s.round_due_in() > 0
        s.wake(force=True)  # … "Sync now" does
        assert s.round_due_in() == 0
        asked = 3600.0  # a hub cannot park its terminals
        assert all(back_after_a_while(seed).round_due_in() <= RECONNECT_MAX_S for seed in range(50))
        assert max(back_after_a_while(seed).round_due_in() for seed in range(50)) > 20.0

    @pytest.mark.parametrize(
        ("asked", "window"),
        [
            (None, RECONNECT_SPREAD_S),  # an older hub says nothing: the terminal's own
            (7.5, 7.5),
            (7, 7.0),
            (0.0, 0.0),
            (-3.0, 0.0),
            (1e9, RECONNECT_MAX_S),
            (float("nan"), RECONNECT_SPREAD_S),
            (float("inf"), RECONNECT_SPREAD_S),
            (True, RECONNECT_SPREAD_S),
            ("9", RECONNECT_SPREAD_S),
        ],
    )
    def test_what_the_hub_asks_is_bounded(self, asked: object, window: float) -> None:
        assert reconnect_window(asked) == window

    @pytest.mark.parametrize("every", [0.5, 3.0, 30.0, 600.0])
    def test_the_draw_in_the_window_thins_as_the_returned_fleet_s_load_grows(
        self, every: float
    ) -> None:
        """reconnect_delay: a density ∝ exp(-t / every) on [0, window) — its quantiles as
        computed by hand, within the window, uniform for a pace of inf, 0 for no window."""
        window = 10.0
        mass = 1 - math.exp(-window / every)
        for u in (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999999):
            d = reconnect_delay(window, u, every)
            assert 0.0 <= d <= window
            assert math.isclose((1 - math.exp(-d / every)) / mass, u, abs_tol=1e-9)
        draws = [reconnect_delay(window, k / 1000, every) for k in range(1000)]
        assert draws == sorted(draws)
        assert reconnect_delay(window, 0.5, math.inf) == 5.0  # no pace: uniform
        assert reconnect_delay(0.0, 0.7, every) == 0.0 and reconnect_delay(-1.0, 0.7, every) == 0

    def test_a_returning_fleet_meets_a_flat_load_through_the_window(self) -> None:
        """The window's end carried the whole fleet's own requests — every terminal back by
        then syncing again at its pace — *and* the last returning rounds: drawn uniformly, a
        restarted hub's busiest seconds were its window's last (docs/benchmarks.md). Drawn
        for the terminals' pace, what reaches the hub each second (returning rounds and the
        returned terminals' next ones, at jittered intervals as the load bench's terminals
        sync) stays at or under the fleet's steady rate through the window; uniform draws end
        above it (1.1-1.2 times), and the median terminal is back later."""
        clock = FakeClock()
        n, every, asked = 4000, 3.0, 10.0
        jitter = random.Random(11)

        def rounds_per_second(pace: float | None) -> tuple[list[int], float]:
            dues = []
            for seed in range(n):
                s = Scheduler(
                    FakeEngine(TransportError("refused")),
                    interval_s=every,
                    clock=clock,
                    backoff=Backoff(rng=random.Random(seed)),
                    probe=lambda: asked,
                    reconnect_every_s=pace,
                )
                s.run_once()
                clock.t += s.probe_due_in() or 0.0
                assert s.probe_once() is True  # every probe answered at once: the worst case
                dues.append(s.round_due_in())
            per_s = [0] * int(asked)
            for d in dues:  # its round, then the next ones every `every` s on average
                t = d
                while t < asked:
                    per_s[int(t)] += 1
                    t += jitter.uniform(0.5 * every, 1.5 * every)
            return per_s, statistics.median(dues)

        steady = n / every
        paced, paced_median = rounds_per_second(None)
        uniform, uniform_median = rounds_per_second(math.inf)
        # paced ~0.7-1.02 x steady second by second, uniform 0.3 rising to ~1.1
        assert max(paced) < 1.05 * steady, [round(x / steady, 2) for x in paced]
        assert uniform[-1] > 1.07 * steady, [round(x / steady, 2) for x in uniform]
        assert paced_median < 0.6 * uniform_median

    def test_the_live_lane_comes_back_with_the_round(self) -> None:
        """A restarting hub answers every parked long-poll as it stops: the live lane is the
        first to find it gone, and at its own backoff (1 s, 2 s … jittered) a fleet's
        long-polls all came back within seconds of the restart, unspread. Now a long-poll that
        finds no hub sends the terminal offline, and the lane waits for the probe's answer
        and the round after it (drawn in the hub's window)."""
        clock = FakeClock()
        engine = FakeEngine(REPORT, REPORT)
        s = scheduler(engine, clock, probe=lambda: 20.0)
        s.run_once()
        assert s.online is True and s.live_hold() == 0  # online: the lane goes
        s.note_unreachable(TransportError("refused"))
        assert s.online is False and s.round_due_in() == float("inf")
        due = s.probe_due_in()
        assert due is not None and 0 <= due <= 1.0  # the first probe, at the probe's pace
        assert s.live_hold() > 0  # offline: held
        clock.t += 30.0
        assert s.live_hold() > 0  # still, however long: until the probe answers
        assert s.probe_once() is True
        round_in = s.round_due_in()
        assert 0 < round_in <= 20.0
        assert s.live_hold() == round_in  # until the round's time
        clock.t += round_in
        assert s.live_hold() == 0
        s.run_once()
        assert engine.calls == 2 and s.live_hold() == 0
        # Without a probe (no reconnect decisions), nothing is held.
        bare = scheduler(FakeEngine(), clock)
        bare.note_unreachable(TransportError("refused"))
        assert bare.online is None and bare.live_hold() == 0

    def test_without_a_probe_nothing_changes(self) -> None:
        clock = FakeClock()
        s = scheduler(FakeEngine(TransportError("x")), clock)
        s.run_once()
        assert s.probe_due_in() is None and s.probe_once() is False
