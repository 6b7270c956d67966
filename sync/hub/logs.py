"""The hub's log lines written by a thread of their own, a few times a second.

Every request is one line on the ``sync.hub.access`` logger, logged by the event loop as the
request ends (:mod:`sync.hub.app`). Written there and then, each line is a ``write`` to stderr
— a file, a pipe to journald — by the thread that answers every other request: a disk busy
flushing or a full pipe holds it, and with it the whole process. :class:`LineBuffer` keeps the
formatted lines and a thread writes them in one ``write`` every :data:`FLUSH_EVERY_S`; a
record at ``WARNING`` or above wakes it at once (an error reaches the log when it happens, with
every line before it, in order). :func:`flush_all` writes what is left — at the app's
shutdown (a worker process of ``--workers N`` ends without running ``atexit``) and, through
:func:`logging.shutdown`, at a single process's exit.
"""

from __future__ import annotations

import logging
import threading
from typing import TextIO

FLUSH_EVERY_S = 0.2


class LineBuffer(logging.Handler):
    """Formatted records to ``stream``, written every ``every_s`` by a daemon thread (see the
    module's docstring). Locks, always taken in this order: the handler's own (logging takes it
    around :meth:`emit`; :func:`logging.shutdown` around :meth:`flush`), ``_write`` (one writer
    at a time, so the lines stay in order), ``_mu`` (the lines kept; held for an append or a
    swap, never while writing) — the event loop only ever waits for ``_mu``."""

    def __init__(self, stream: TextIO, every_s: float = FLUSH_EVERY_S) -> None:
        super().__init__()
        self.stream = stream
        self.every_s = every_s
        self._lines: list[str] = []  # under _mu
        self._mu = threading.Lock()
        self._write = threading.Lock()
        self._soon = threading.Event()  # a warning or worse: write now
        self._closed = False
        self._thread: threading.Thread | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        with self._mu:
            self._lines.append(line)
            start = self._thread is None and not self._closed
            if start:
                self._thread = threading.Thread(target=self._run, name="clerk-hub-log", daemon=True)
        if self._closed:  # no thread to write it any more
            self.flush()
            return
        if start:
            assert self._thread is not None
            self._thread.start()
        if record.levelno >= logging.WARNING:
            self._soon.set()

    def _run(self) -> None:
        while not self._closed:
            self._soon.wait(self.every_s)
            self._soon.clear()
            self.flush()

    def flush(self) -> None:
        """Write the lines kept so far, in one write."""
        with self._write:
            with self._mu:
                lines, self._lines = self._lines, []
            if not lines:
                return
            try:
                self.stream.write("\n".join(lines) + "\n")
                self.stream.flush()
            except (OSError, ValueError):  # the stream closed or broken: nowhere to log to
                pass

    def close(self) -> None:
        self._closed = True
        self._soon.set()
        self.flush()
        super().close()


def configure(level: str, stream: TextIO) -> None:
    """The root logger at ``level``, each record its message alone, through a
    :class:`LineBuffer` on ``stream`` (what ``logging.basicConfig`` would do, buffered). A
    record's message is all a line holds: its caller's frame, thread and process names are not
    looked up for each one (logging's own switches, its documented "optimization"). A process
    whose logging is set up already (an embedding program, a test) is left as it is."""
    if logging.getLogger().handlers:
        return
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None  # no findCaller walk a record
    handler = LineBuffer(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler])


def flush_all() -> None:
    """Write what every :class:`LineBuffer` of the root logger holds (at the app's shutdown)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, LineBuffer):
            handler.flush()
