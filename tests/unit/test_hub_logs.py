"""sync.hub.logs: the thread that logs never writes — its lines are written by a thread of the
handler's own, in order, all of them by the app's shutdown (a worker process's end runs no
atexit)."""

from __future__ import annotations

import io
import logging
import threading

from sync.hub import logs


class HeldStream(io.StringIO):
    """A stream whose writes wait until ``release`` is set (a busy disk, a full pipe)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.wrote = threading.Event()
        self.writers: set[str] = set()

    def write(self, s: str) -> int:
        self.writers.add(threading.current_thread().name)
        self.release.wait(10)  # (held once at most: then every write goes through)
        self.release.set()
        n = super().write(s)
        self.wrote.set()
        return n


def _logger(handler: logging.Handler, name: str) -> logging.Logger:
    log = logging.getLogger(name)
    log.propagate = False
    log.setLevel(logging.INFO)
    log.handlers = [handler]
    return log


def test_a_held_stream_does_not_hold_the_thread_that_logs() -> None:
    stream = HeldStream()
    handler = logs.LineBuffer(stream, every_s=0.01)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = _logger(handler, "test.hub.logs.held")
    try:
        for n in range(50):
            log.info("request %d", n)  # returns while the handler's thread waits on its write
        log.warning("an error")  # wakes the thread; still no write here
        assert stream.getvalue() == ""
        stream.release.set()
        assert stream.wrote.wait(10)
        assert stream.writers == {"clerk-hub-log"}  # the handler's thread, never this one
    finally:
        stream.release.set()
        handler.close()
    lines = stream.getvalue().splitlines()
    assert lines == [f"request {n}" for n in range(50)] + ["an error"]


def test_flush_all_writes_what_is_kept_and_only_lines_buffers_of_the_root_logger() -> None:
    stream = io.StringIO()
    handler = logs.LineBuffer(stream, every_s=3600)  # its thread never writes in this test
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    log = logging.getLogger("test.hub.logs.flush")
    level = log.level
    log.setLevel(logging.INFO)
    try:
        log.info("one")
        log.info("two")
        logs.flush_all()
        assert stream.getvalue() == "one\ntwo\n"
        handler.close()  # closed: what comes later is written at once
        log.info("three")
        assert stream.getvalue() == "one\ntwo\nthree\n"
    finally:
        root.removeHandler(handler)
        log.setLevel(level)
