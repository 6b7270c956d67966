"""Work off the GUI thread: one pattern everywhere.

A :class:`TaskRunner` owns a ``QThreadPool`` and runs plain callables on it; each result (or
exception) comes back to the GUI thread through a queued signal on a relay object, and the
caller's callback runs there (the Picard pattern). Tests construct a runner with
``synchronous=True`` to run tasks inline.

Tasks go to the pool as callables (``QThreadPool.start(callable)``), not as Python
``QRunnable`` subclasses: PySide6 never frees such a runnable started from the callback of
the task before it — the usual case here (a lookup's result asks for the recent customers) —
nor what it holds; the all-day benchmark (bench/all_day.py) saw them pile up, scan after scan.

The terminal, the frame decoder and the sync loop each get their own runner, with one thread
apiece: the terminal's SQLite connections are then only ever used by one thread at a time and
in submission order (a record queued after a lookup runs after it), a decode never waits behind
a lookup, and the long-running sync loop never starves either.

:class:`SyncWorker` runs the sync engine's loop as such a task and reports through signals.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clerk.errors import ClerkError
from ui.qt import QObject, QThreadPool, QTimer, Signal

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Relay(QObject):
    """Lives in the GUI thread; worker threads emit, the GUI thread receives (queued)."""

    finished = Signal(int, object)
    failed = Signal(int, object)


def _task(token: int, fn: Callable[[], Any], relay: _Relay) -> Callable[[], None]:
    """What the pool thread runs: ``fn``, its result or exception sent to the GUI thread."""

    def run() -> None:
        try:
            result = fn()
        except BaseException as exc:  # reported to the GUI thread, which decides
            relay.failed.emit(token, exc)
        else:
            relay.finished.emit(token, result)

    return run


class TaskRunner(QObject):
    """Runs callables on a private thread pool; callbacks run on the GUI thread.

    ``on_error`` receives the exception. Without one, a :class:`ClerkError` (an error the
    environment causes: storage, network, permissions) goes to ``unhandled`` for the message
    bridge, and anything else is a bug and is re-raised on the GUI thread (it crashes loudly:
    pytest-qt fails the test, the app's excepthook logs it).
    """

    unhandled = Signal(object)
    busy_changed = Signal(bool)

    def __init__(
        self,
        name: str,
        *,
        max_threads: int = 1,
        synchronous: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.synchronous = synchronous
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._pool.setExpiryTimeout(-1)  # keep the threads: starting one costs the GUI ~2 ms
        self._pool.setObjectName(name)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_finished)
        self._relay.failed.connect(self._on_failed)
        self._callbacks: dict[int, tuple[Done | None, Failed | None]] = {}
        self._tokens = itertools.count(1)
        self._closed = False

    @property
    def pending(self) -> int:
        """Tasks submitted and not yet reported back."""
        return len(self._callbacks)

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Done | None = None,
        on_error: Failed | None = None,
    ) -> None:
        if self._closed:
            return
        if self.synchronous:
            try:
                result = fn()
            except BaseException as exc:
                self._fail(on_error, exc)
            else:
                if on_done is not None:
                    on_done(result)
            return
        token = next(self._tokens)
        was_idle = not self._callbacks
        self._callbacks[token] = (on_done, on_error)
        if was_idle:
            self.busy_changed.emit(True)
        self._pool.start(_task(token, fn, self._relay))

    def wait_idle(self, msecs: int = 30_000) -> bool:
        """Block until the pool has no running task (shutdown and benchmarks only)."""
        return bool(self._pool.waitForDone(msecs))

    def close(self, msecs: int = 30_000) -> None:
        """Wait for running tasks, then forget their callbacks: results still on their way
        (queued) are dropped instead of reaching widgets that are being destroyed."""
        self.wait_idle(msecs)
        self._callbacks.clear()
        self._closed = True

    def _take(self, token: int) -> tuple[Done | None, Failed | None]:
        if token not in self._callbacks:
            return None, None
        callbacks = self._callbacks.pop(token)
        if not self._callbacks:
            self.busy_changed.emit(False)
        return callbacks

    def _on_finished(self, token: int, result: object) -> None:
        on_done, _ = self._take(token)
        if on_done is not None:
            on_done(result)

    def _on_failed(self, token: int, exc: object) -> None:
        if self._closed:
            return
        _, on_error = self._take(token)
        assert isinstance(exc, BaseException)
        self._fail(on_error, exc)

    def _fail(self, on_error: Failed | None, exc: BaseException) -> None:
        if on_error is not None:
            on_error(exc)
        elif isinstance(exc, ClerkError):
            log.warning("%s task failed: %s", self.objectName(), exc)
            self.unhandled.emit(exc)
        else:
            raise exc


@dataclass
class Runners:
    """The window's two worker lanes: the terminal (lookups, records, status) and decoding."""

    terminal: TaskRunner
    decode: TaskRunner

    @classmethod
    def create(cls, parent: QObject, *, synchronous: bool = False) -> Runners:
        return cls(
            terminal=TaskRunner("terminal", max_threads=1, synchronous=synchronous, parent=parent),
            decode=TaskRunner("decode", max_threads=1, synchronous=synchronous, parent=parent),
        )

    def wait(self, msecs: int = 10_000) -> None:
        for r in (self.terminal, self.decode):
            r.wait_idle(msecs)

    def close(self, msecs: int = 10_000) -> None:
        for r in (self.terminal, self.decode):
            r.close(msecs)


LIVE_JOIN_MS = 200  # how long closing waits for the live lane to see its stop


class SyncWorker(QObject):
    """The sync engine's loop on its own pool thread, reporting through signals.

    ``engine`` is a ``sync.engine.SyncEngine`` (anything with ``sync_once()``). The loop is
    ``sync.scheduler.Scheduler.run_forever``: it decides when to sync (interval, backoff after
    failures, at once after ``wake()``); each round's report or error is emitted from the
    worker thread and arrives queued on the GUI thread.
    """

    synced = Signal(object)  # sync.engine.SyncReport of one round
    failed = Signal(object)  # the ClerkError of a failed round (the loop carries on)
    running_changed = Signal(bool)
    live_pulled = Signal(object)  # sync.engine.PullResult of a change pulled live
    _live_failed = Signal(object)  # an exception of the live lane, for the GUI thread
    # online, why: what the last request learned ("no_network" / "hub_unreachable" offline)
    reachability = Signal(bool, str)

    def __init__(
        self,
        engine: Any,
        *,
        interval: float = 30.0,
        runner: TaskRunner | None = None,
        live: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        from sync.scheduler import Scheduler

        self.engine = engine
        self.scheduler = Scheduler(
            engine,
            interval_s=interval,
            on_report=self.synced.emit,
            on_error=self.failed.emit,
            probe=getattr(engine, "probe", None),  # offline: reconnect within seconds
            on_reachable=self.reachability.emit,
        )
        self._runner = runner or TaskRunner("sync", max_threads=1, parent=self)
        self._stop = threading.Event()
        self._running = False
        # live: a second lane long-polls the changes feed (sync.scheduler.LiveListener) on a
        # daemon thread of its own, not a pool's: a long-poll in flight (up to its 20 s wait)
        # must not hold up closing the app, and nothing waits for a daemon at exit.
        self.live = bool(live and hasattr(engine, "pull_live"))
        self._live: threading.Thread | None = None
        self._live_stop = threading.Event()
        self._live_failed.connect(self._on_loop_error)

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        if self._running:
            return
        self._stop.clear()
        self._running = True
        self.running_changed.emit(True)
        self._runner.submit(
            lambda: self.scheduler.run_forever(self._stop, poll_s=0.25),
            self._on_loop_end,
            self._on_loop_error,
        )
        if self.live:
            from sync.scheduler import LiveListener

            stop = self._live_stop = threading.Event()  # this lane's own: a restart is a new one

            def report(pulled: object) -> None:
                if not stop.is_set():
                    self.live_pulled.emit(pulled)

            def listen() -> None:
                try:
                    LiveListener(
                        self.engine,
                        on_report=report,
                        hold=self.scheduler.live_hold,  # back from offline: with the round
                        on_unreachable=self.scheduler.note_unreachable,
                    ).run_forever(stop)
                except BaseException as exc:  # a bug: raised on the GUI thread, as the pool's
                    if not stop.is_set():
                        self._live_failed.emit(exc)

            self._live = threading.Thread(target=listen, name="sync-live", daemon=True)
            self._live.start()

    def wake(self) -> None:
        """Something was recorded: sync soon (unless backing off after failures)."""
        self.scheduler.wake()

    def sync_now(self) -> None:
        """The "Sync now" button: a round now, even during a backoff."""
        if self._running:
            self.scheduler.wake(force=True)
        else:
            self._runner.submit(self.scheduler.run_once)

    def stop(self, wait_ms: int = 10_000) -> None:
        self._stop.set()
        self.scheduler.wake()
        self._live_stop.set()
        self._runner.wait_idle(wait_ms)
        if self._live is not None:
            # Between long-polls it ends at once; in one, it ends when the hub answers (and
            # reports nothing): the engine's close waits for a page being applied, not for this.
            self._live.join(min(wait_ms, LIVE_JOIN_MS) / 1000)
            self._live = None

    # --- GUI thread --------------------------------------------------------------------------

    def _on_loop_end(self, _result: object) -> None:
        self._running = False
        self.running_changed.emit(False)

    def _on_loop_error(self, exc: BaseException) -> None:
        self._running = False
        self.running_changed.emit(False)
        raise exc


class GuiThreadGc(QObject):
    """Python's cyclic garbage collector, run only on the GUI thread.

    Left automatic, the collector runs on whichever thread happens to allocate past its
    threshold — a pool thread too — and may then finalise Qt objects (widgets, pixmaps)
    caught in reference cycles there: Qt objects must die on the GUI thread, so that crashes.
    This disables automatic collection and collects from a GUI-thread timer instead, by
    generation, as often as the thresholds would have (the classic recipe for Qt apps).
    """

    def __init__(self, interval_ms: int = 500, parent: QObject | None = None) -> None:
        super().__init__(parent)
        import gc

        self._gc = gc
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        counts = self._gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.threshold[generation]:
                self._gc.collect(generation)
                break

    def freeze(self) -> None:
        """Collect once, then exempt everything alive from later full collections (the
        start-up objects live as long as the app): a full collection then costs well under
        a millisecond instead of ~15 ms of GUI time."""
        self._gc.collect()
        self._gc.freeze()

    def stop(self) -> None:
        self.timer.stop()
        self._gc.enable()
