"""One thread pattern: QThreadPool + QRunnable tasks reporting through signals. Terminal
calls, records and decoding never run on the GUI thread; tests can run tasks inline."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from clerk.errors import ClerkError
from ui.qt import Qt
from ui.workers import TaskRunner

HERO = "M00000001"
WATCHED = ("identify", "open_customer", "record", "view", "status", "recent_customers")


class ThreadSpy:
    """A terminal that notes which thread calls each method."""

    def __init__(self, terminal: Any) -> None:
        self._t = terminal
        self.calls: list[tuple[str, str]] = []

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._t, name)
        if name not in WATCHED:
            return value

        def spy(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, threading.current_thread().name))
            return value(*args, **kwargs)

        return spy


@pytest.fixture
def spied(qtbot: Any, terminal: Any) -> Iterator[tuple[Any, ThreadSpy]]:
    from ui.app import build_window

    spy = ThreadSpy(terminal)
    s = build_window(spy, lang="en", layout="desktop", staff_id="A01")
    qtbot.addWidget(s.window)
    s.window.resize(1366, 860)
    s.window.show()
    try:
        yield s, spy
    finally:
        s.runners.wait()
        s.close()


def test_terminal_is_never_called_on_the_gui_thread(
    qtbot: Any, spied: Any, home: Any, outbox_rows: Any
) -> None:
    s, spy = spied
    w = s.window
    w.status.refresh()
    w.screens.scan_view.field.setText(home.code(HERO))
    with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
        qtbot.keyClick(w.screens.scan_view.field, Qt.Key.Key_Return)
    w.screens.customer.record("note", {"text": "hello"})
    qtbot.waitUntil(lambda: len(outbox_rows()) == 2, timeout=5_000)
    qtbot.waitUntil(lambda: s.runners.terminal.pending == 0, timeout=5_000)
    w.nav.next_customer()
    qtbot.waitUntil(lambda: s.runners.terminal.pending == 0, timeout=5_000)
    called = {name for name, _ in spy.calls}
    assert {"identify", "open_customer", "record", "view", "status"} <= called
    gui = threading.current_thread().name
    assert [c for c in spy.calls if c[1] == gui] == []


def test_synchronous_runner_runs_inline(qtbot: Any) -> None:
    runner = TaskRunner("inline", synchronous=True)
    got: list[Any] = []
    runner.submit(lambda: 6 * 7, got.append)
    assert got == [42]  # no event loop needed
    failures: list[BaseException] = []
    runner.submit(_raise(ClerkError("disk full", reason="storage")), got.append, failures.append)
    assert [f.reason for f in failures] == ["storage"]  # type: ignore[attr-defined]
    with qtbot.waitSignal(runner.unhandled, timeout=1000) as blocker:
        runner.submit(_raise(ClerkError("offline", reason="offline")))
    assert blocker.args[0].reason == "offline"
    with pytest.raises(ZeroDivisionError):
        runner.submit(lambda: 1 / 0)  # a bug is not swallowed


def test_pool_runner_reports_on_the_gui_thread(qtbot: Any) -> None:
    runner = TaskRunner("pool", max_threads=2)
    where: list[str] = []
    results: list[int] = []

    def done(value: int) -> None:
        where.append(threading.current_thread().name)
        results.append(value)

    workers: list[str] = []

    def work(n: int) -> Callable[[], int]:
        def run() -> int:
            workers.append(threading.current_thread().name)
            return n * n

        return run

    with qtbot.waitSignal(runner.busy_changed, timeout=5_000, check_params_cb=lambda b: not b):
        for n in range(5):
            runner.submit(work(n), done)
    assert sorted(results) == [0, 1, 4, 9, 16]
    gui = threading.current_thread().name
    assert set(where) == {gui}
    assert gui not in workers
    runner.wait_idle()


def _raise(exc: BaseException) -> Callable[[], Any]:
    def run() -> Any:
        raise exc

    return run


def test_the_terminal_reuses_its_readers_task_after_task_on_its_lane(
    qtbot: Any, terminal: Any
) -> None:
    """A pool thread gets a fresh Python thread state for every task (PySide6): what a
    ``threading.local`` held is gone by the next task. The terminal keeps its readers per OS
    thread instead, so a day of lookups on its lane opens one pair of readers — the all-day
    benchmark (bench/all_day.py) found four more file descriptors per scan before."""
    import os

    from ui.workers import TaskRunner

    runner = TaskRunner("terminal", max_threads=1)
    done: list[object] = []

    def lookups(n: int) -> None:
        for _ in range(n):
            runner.submit(lambda: terminal.recent_customers(10), done.append)
        qtbot.waitUntil(lambda: runner.pending == 0, timeout=10_000)

    lookups(5)  # the lane's readers opened
    before = len(os.listdir("/proc/self/fd"))
    lookups(200)
    assert len(done) == 205
    assert len(os.listdir("/proc/self/fd")) <= before + 4  # one more pair at most
    runner.close()


def test_tasks_started_from_a_callback_are_freed(qtbot: Any) -> None:
    """A lookup's callback starts the next task (the recent customers, the status) — the
    usual case. What each task held is freed once it reported: PySide6 kept every Python
    ``QRunnable`` started that way, and all it held, for good (bench/all_day.py)."""
    import gc
    import time

    from ui.qt import QApplication
    from ui.workers import TaskRunner

    class Held:
        """What a task's closure holds (a lookup's arguments)."""

    runner = TaskRunner("chain", max_threads=1)
    left = {"n": 200}

    def next_task(_result: object = None) -> None:
        left["n"] -= 1
        if left["n"] > 0:
            held = Held()
            runner.submit(lambda: held, next_task)

    next_task()
    # The GUI thread busy with events, as the app's is: a callback runs while the pool
    # thread is still finishing the task that reported.
    deadline = time.monotonic() + 10
    while left["n"] and time.monotonic() < deadline:
        QApplication.processEvents()
    assert left["n"] == 0
    runner.close()
    gc.collect()
    alive = sum(1 for o in gc.get_objects() if isinstance(o, Held))
    assert alive <= 2  # the last one or two, still on their way out
