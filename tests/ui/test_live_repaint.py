"""A change pulled live repaints the open customer when it touched them, and only then."""

from __future__ import annotations

import threading
import time
from typing import Any

from sync.engine import PullResult
from ui.qt import QApplication
from ui.workers import SyncWorker

HERO = "M00000001"


class _Engine:
    def sync_once(self) -> Any:  # never run: the worker is not started
        raise AssertionError


def test_the_open_customer_repaints_when_a_live_pull_touched_them(
    qtbot: Any, session: Any, home: Any, open_customer: Any
) -> None:
    w = session.window
    worker = SyncWorker(_Engine(), parent=w)
    w.attach_sync(worker)
    open_customer(home.code(HERO))
    customer = w.screens.customer
    calls: list[str] = []
    real = customer.refresh

    def counted() -> None:
        calls.append(customer.member_id)
        real()

    customer.refresh = counted
    worker.live_pulled.emit(PullResult(changes=1, members=frozenset({"M00000002"})))
    worker.live_pulled.emit(PullResult(changes=1, members=frozenset()))
    assert calls == []
    worker.live_pulled.emit(PullResult(changes=1, members=frozenset({HERO, "M00000002"})))
    assert calls == [HERO]
    worker.live_pulled.emit(PullResult(changes=9000, members=None))  # too many to tell
    assert calls == [HERO, HERO]
    qtbot.waitUntil(lambda: session.runners.terminal.pending == 0, timeout=5_000)
    w.nav.next_customer()  # on the scan screen nothing repaints
    qtbot.waitUntil(lambda: w.nav.page == "scan", timeout=5_000)
    worker.live_pulled.emit(PullResult(changes=1, members=frozenset({HERO})))
    assert calls == [HERO, HERO]


class _LiveEngine:
    def __init__(self) -> None:
        self.polls = 0

    def sync_once(self) -> Any:
        from sync.engine import SyncReport

        return SyncReport()

    def pull_live(self, wait_s: float) -> PullResult | None:
        self.polls += 1
        if self.polls == 1:
            return PullResult(changes=1, caught_up=True, members=frozenset({HERO}))
        return None


def test_the_sync_worker_runs_the_live_listener_beside_its_rounds(qtbot: Any) -> None:
    engine = _LiveEngine()
    worker = SyncWorker(engine, interval=3600.0, live=True)
    with qtbot.waitSignal(worker.live_pulled, timeout=5_000) as got:
        worker.start()
    assert got.args[0].members == {HERO}
    worker.stop()
    assert engine.polls >= 1
    quiet = SyncWorker(engine, interval=3600.0)  # live is opt-in
    assert quiet.live is False


class _BlockedEngine(_LiveEngine):
    """A long-poll the hub has not answered yet: it ends only when released."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = threading.Event()
        self.release = threading.Event()

    def pull_live(self, wait_s: float) -> PullResult | None:
        self.waiting.set()
        self.release.wait(30)
        return PullResult(changes=1, caught_up=True, members=frozenset({HERO}))


def test_stopping_does_not_wait_for_a_long_poll_in_flight(qtbot: Any) -> None:
    """Closing the app while the live lane waits on the hub (up to 20 s) is immediate, and the
    answer that comes after the stop is reported to no one."""
    engine = _BlockedEngine()
    worker = SyncWorker(engine, interval=3600.0, live=True)
    pulled: list[object] = []
    worker.live_pulled.connect(pulled.append)
    worker.start()
    assert engine.waiting.wait(5)
    lane = worker._live
    assert lane is not None
    started = time.monotonic()
    worker.stop()
    assert time.monotonic() - started < 2.0  # the join is 0.2 s; the wait was 30 s
    engine.release.set()
    qtbot.waitUntil(lambda: not lane.is_alive(), timeout=5_000)
    QApplication.processEvents()  # a signal it had emitted would be delivered now
    assert pulled == []
