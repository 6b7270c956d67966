"""CPU profile of a hub worker process, for capacity work (``CLERK_HUB_PROFILE=PATH``).

Every thread of the process (the event loop and the route threads) gets its own
:class:`cProfile.Profile` timed by that thread's CPU clock (``time.thread_time``), so a
thread waiting for the GIL, a lock or the database is not counted: the figures are where the
process's CPU goes. At the app's shutdown the threads' profiles are merged and written as
pstats to ``PATH.<pid>`` (one file per worker process and per start)::

    CLERK_HUB_PROFILE=/tmp/hub.prof clerk hub serve --workers 2 …
    python -m pstats /tmp/hub.prof.12345

The profiler roughly doubles the CPU of each Python call: compare shares, not totals, and
never leave it on in production.

:class:`LoopLag` (``CLERK_HUB_LOOP_LAG=PATH``) samples how late each worker's event loop runs —
the time a request can wait before the hub even sees it; :class:`GcTimes`
(``CLERK_HUB_GC_TIMES=PATH``) times each of Python's garbage collections, which hold the whole
process while they run.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import cProfile
import gc
import os
import pstats
import threading
import time
from types import FrameType
from typing import Any


class ProcessProfile:
    """cProfile on every thread of this process, from :meth:`start` to :meth:`dump`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._profiles: list[tuple[int, cProfile.Profile]] = []  # (thread id, its profile)
        self._lock = threading.Lock()

    def start(self) -> None:
        """Profile the calling thread and every thread started from now on."""
        threading.setprofile(self._first_call)
        self._enable()

    def _enable(self) -> None:
        profile = cProfile.Profile(time.thread_time)
        with self._lock:
            self._profiles.append((threading.get_ident(), profile))
        profile.enable()  # replaces _first_call as this thread's profile function

    def _first_call(self, frame: FrameType, event: str, arg: Any) -> None:
        self._enable()

    def dump(self) -> str | None:
        """Merge the threads' profiles into ``PATH.<pid>``; the path written (None if empty)."""
        threading.setprofile(None)
        with self._lock:
            profiles, self._profiles = self._profiles, []
        merged: pstats.Stats | None = None
        for ident, profile in profiles:
            if ident == threading.get_ident():
                profile.create_stats()  # disables it: the calls it is inside are closed
            else:  # a thread still running: its finished calls only (its clock is its own)
                profile.snapshot_stats()
            if not profile.stats:
                continue
            if merged is None:
                merged = pstats.Stats(profile)
            else:
                merged.add(profile)
        if merged is None:
            return None
        out = f"{self.path}.{os.getpid()}"
        merged.dump_stats(out)
        return out


LOOP_LAG_ENV = "CLERK_HUB_LOOP_LAG"  # a file: the event loop's lateness samples, appended
LOOP_LAG_TICK_S = 0.02


class LoopLag:
    """How late the worker's event loop wakes a task that sleeps ``LOOP_LAG_TICK_S`` (for
    capacity work, ``CLERK_HUB_LOOP_LAG=PATH``): the wait a request's bytes sit in its socket
    before the loop reads them, which the access log's timing (from the app's first layer)
    cannot see. Samples stay in memory and are appended to ``PATH`` at the app's shutdown, one
    ``unix-time lag-ms`` line each, in one write (the worker processes share the file)."""

    def __init__(self, path: str, tick_s: float = LOOP_LAG_TICK_S) -> None:
        self.path = path
        self.tick_s = tick_s
        self.samples: list[tuple[float, float]] = []
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        clock = time.perf_counter
        while True:
            before = clock()
            await asyncio.sleep(self.tick_s)
            late = clock() - before - self.tick_s
            self.samples.append((time.time(), max(0.0, late) * 1000.0))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.dump()

    def dump(self) -> None:
        samples, self.samples = self.samples, []
        if not samples:
            return
        text = "".join(f"{at:.3f} {ms:.2f}\n" for at, ms in samples)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, text.encode("ascii"))
        finally:
            os.close(fd)


GC_TIMES_ENV = "CLERK_HUB_GC_TIMES"  # a file: each garbage collection's pause, appended


class GcTimes:
    """How long each of Python's garbage collections holds the process (for capacity work,
    ``CLERK_HUB_GC_TIMES=PATH``): a collection runs on whichever thread allocated last and holds
    the GIL throughout — no request is answered meanwhile, on any thread. Timed by
    ``gc.callbacks``; the samples stay in memory and are appended to ``PATH`` at the app's
    shutdown, one ``unix-time generation ms collected`` line each, then the :func:`census` of
    what a full collection walks by then, in one write (the worker processes share the
    file)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.samples: list[tuple[float, int, float, int]] = []
        self._began = 0.0

    def start(self) -> None:
        if self._on_gc not in gc.callbacks:
            gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
            return
        ms = (time.perf_counter() - self._began) * 1000.0
        self.samples.append((time.time(), info["generation"], ms, info["collected"]))

    def stop(self) -> None:
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._on_gc)
        samples, self.samples = self.samples, []
        if not samples:
            return
        text = "".join(f"{at:.3f} {gen} {ms:.3f} {n}\n" for at, gen, ms, n in samples)
        text += census()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, text.encode("ascii"))
        finally:
            os.close(fd)


def census(top: int = 12) -> str:
    """What a full collection walks now: the containers tracked outside the frozen ones, by
    type, the most numerous first — ``# census <pid> <tracked> <frozen> type:count …``."""
    counts = collections.Counter(type(o).__name__ for o in gc.get_objects())
    parts = " ".join(f"{name}:{n}" for name, n in counts.most_common(top))
    return f"# census {os.getpid()} {sum(counts.values())} {gc.get_freeze_count()} {parts}\n"
